//! msgl: the library behind the `msgl` command.
