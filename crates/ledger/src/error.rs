//! One error type for the whole tool: what went wrong, where, and a hint.
//!
//! Printed as `msgl: FILE:LINE:COL: what (hint)`; the exit status follows
//! DESIGN §10.1: 1 when a check failed, 2 for bad usage or unreadable input.

use std::any::Any;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// Where in which file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub col: usize,
}

/// Why a command failed, which decides the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A check failed: unbalanced entry, bad signature, mismatch (exit 1).
    Check,
    /// Bad usage or unreadable / malformed input (exit 2).
    Input,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub location: Option<Box<Location>>,
    /// What went wrong, without a trailing period.
    pub what: String,
    /// How to fix it, if we know.
    pub hint: Option<String>,
    /// The name of the file without a line (e.g. a YAML object or a key).
    pub file: Option<String>,
    /// A typed reason a higher layer attached (the node's
    /// `protocol::Refusal`: the rule that refused an object), for callers
    /// and tests to match on with [`Error::detail`]. The ledger knows no
    /// such rules; it only carries them.
    pub detail: Option<Arc<dyn Any + Send + Sync>>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn input(what: impl Into<String>) -> Self {
        Error {
            kind: Kind::Input,
            location: None,
            what: what.into(),
            hint: None,
            file: None,
            detail: None,
        }
    }

    pub fn check(what: impl Into<String>) -> Self {
        Error {
            kind: Kind::Check,
            ..Error::input(what)
        }
    }

    pub fn at(mut self, file: &str, line: usize, col: usize) -> Self {
        self.location = Some(Box::new(Location {
            file: file.to_string(),
            line,
            col,
        }));
        self
    }

    /// Names the file the error is about; a location read from text whose
    /// file was not known (`<input>`) takes this name too.
    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        let name = file.as_ref().display().to_string();
        if let Some(l) = &mut self.location {
            if l.file == "<input>" {
                l.file = name.clone();
            }
        }
        self.file = Some(name);
        self
    }

    /// Names the input file `name` unless the error already names one
    /// (a location in another file stays).
    pub fn or_in_file(self, name: &str) -> Self {
        let named = match &self.location {
            Some(l) => l.file != "<input>",
            None => self.file.is_some(),
        };
        if named {
            self
        } else {
            self.in_file(name)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An I/O failure on `path`, as an input error.
    pub fn io(path: impl AsRef<Path>, err: std::io::Error) -> Self {
        let hint = match err.kind() {
            std::io::ErrorKind::NotFound => Some("check the path, or pass --home DIR / -f FILE"),
            std::io::ErrorKind::PermissionDenied => Some("check the file's permissions"),
            _ => None,
        };
        let mut e = Error::input(err.to_string()).in_file(path);
        e.hint = hint.map(str::to_string);
        e
    }

    /// Attaches a typed reason (see [`Error::detail`]).
    pub fn with_detail<T: Any + Send + Sync>(mut self, detail: T) -> Self {
        self.detail = Some(Arc::new(detail));
        self
    }

    /// The typed reason a higher layer attached, if it is a `T`.
    pub fn detail<T: Any>(&self) -> Option<&T> {
        self.detail.as_deref()?.downcast_ref()
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            Kind::Check => 1,
            Kind::Input => 2,
        }
    }
}

/// A character that must not reach a terminal from untrusted text: a
/// control character, or one that reorders text (bidi formatting, as in
/// "Trojan Source").
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with [`is_unsafe_char`] characters escaped (`\u{1b}`): for any
/// output that shows text a peer or a file supplied.
pub fn clean(s: &str) -> String {
    struct Clean<'a>(&'a str);
    impl fmt::Display for Clean<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_clean(f, self.0)
        }
    }
    Clean(s).to_string()
}

/// Writes `s` with [`is_unsafe_char`] characters escaped (`\u{1b}`), so an
/// error that echoes hostile input (a path, an argument) cannot drive the
/// terminal or hide text.
fn write_clean(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    use fmt::Write as _;
    for c in s.chars() {
        if is_unsafe_char(c) {
            write!(f, "{}", c.escape_unicode())?;
        } else {
            f.write_char(c)?;
        }
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "msgl: ")?;
        if let Some(l) = &self.location {
            write_clean(f, &l.file)?;
            write!(f, ":{}:{}: ", l.line, l.col)?;
        } else if let Some(file) = &self.file {
            write_clean(f, file)?;
            write!(f, ": ")?;
        }
        write_clean(f, &self.what)?;
        if let Some(h) = &self.hint {
            write!(f, " (")?;
            write_clean(f, h)?;
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
