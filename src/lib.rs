//! msgl: the library behind the `msgl` command.
//!
//! The CLI (`cli`) is thin; the logic lives here: the journal and its
//! reports, a node's home, signed objects, channels and settlement.

pub mod accounts;
pub mod batch;
pub mod chain;
pub mod cli;
pub mod demo;
pub mod error;
pub mod fsutil;
pub mod hashchain;
pub mod home;
pub mod journal;
pub mod keys;
pub mod objects;
pub mod policy;
pub mod proof;
pub mod protocol;
pub mod store;
pub mod testdata;
pub mod yaml;
