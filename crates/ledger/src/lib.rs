//! msgl-ledger: the plaintext double-entry journal and its reports.
//!
//! * [`journal`]: reading (scanner, pest grammar, line machine), checking,
//!   printing and appending journals, exact decimals, hledger's format;
//! * [`accounts`]: balances and registers over a journal;
//! * [`error`]: the one-line error with a location and a hint;
//! * [`fsutil`]: writes that are whole or absent (`write_new`,
//!   `write_atomic`) and bounded reads.
//!
//! The ledger knows nothing of keys, channels, acks or proofs: those are
//! the node's (msgl-node), which books into journals through this crate.

pub mod accounts;
pub mod error;
pub mod fsutil;
pub mod journal;
