//! msgl-node: what a node of the paid messaging network keeps and signs.
//!
//! * [`home`]: the node's directory (msgl.yaml, key, journal, object
//!   folders); [`keys`]: its ed25519 key; [`policy`]: whom it serves;
//! * [`objects`]: the signed YAML objects (open, acceptance, ack,
//!   reconciliation) and [`yaml`], their strict reading;
//! * [`protocol`]: the rules that accept or refuse each object and book it
//!   (channels, acks, served messages, reconciliations, evidence,
//!   settlement); [`store`]: the home's transactions and logs under its lock;
//!   [`hashchain`]: the payer's PayWord chains on disk;
//! * [`batch`] and [`proof`]: statements from acks, Stwo batch proofs
//!   (msgl-circuits) and their settlement calldata (msgl-settlement);
//!   [`chain`]: the JSON-RPC client of the settlement contract.
//!
//! [`error`]: the node's typed errors, msgl-ledger's among them.
//!
//! The journal itself is msgl-ledger's; the node books into it. The CLI is
//! not here: the `msgl` binary calls these modules and prints.

// The ledger's modules under their own names, so that `crate::journal` and
// `crate::fsutil` read the same in every node module.
use msgl_ledger::{fsutil, journal};

pub mod batch;
pub mod chain;
pub mod error;
pub mod hashchain;
pub mod home;
pub mod keys;
pub mod objects;
pub mod policy;
pub mod proof;
pub mod protocol;
pub mod store;
pub mod yaml;
