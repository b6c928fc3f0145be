//! msgl: the library behind the `msgl` command.
//!
//! The library holds the journal and its reports, a node's home, signed
//! objects, channels, proofs and settlement. The CLI (`cli`) is a module of
//! this crate, one module per subcommand; most parse, call one library
//! function and print, but not all are thin: `init` and `peer` write the
//! home's files themselves, `balance`, `register` and `reconcile` format
//! their reports there, and the library's `demo` uses `cli::balance::NET`.

pub use msgl_ledger::{accounts, error, fsutil, journal};

pub mod batch;
pub mod chain;
pub mod cli;
pub mod demo;
pub mod hashchain;
pub mod home;
pub mod keys;
pub mod objects;
pub mod policy;
pub mod proof;
pub mod protocol;
pub mod store;
pub mod testdata;
pub mod yaml;
