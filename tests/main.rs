//! The integration tests of this crate, in one binary (one link, and
//! every test scheduled on all cores at once): each file is a module.

mod common;

#[path = "acks.rs"]
mod acks;
#[path = "chain.rs"]
mod chain;
#[path = "concurrency.rs"]
mod concurrency;
#[path = "crash_accept.rs"]
mod crash_accept;
#[path = "crash_add.rs"]
mod crash_add;
#[path = "crash_finalize.rs"]
mod crash_finalize;
#[path = "crash_settled.rs"]
mod crash_settled;
#[path = "crash_stream.rs"]
mod crash_stream;
#[path = "demo.rs"]
mod demo;
#[path = "fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "generated_docs.rs"]
mod generated_docs;
#[path = "hledger.rs"]
mod hledger;
#[path = "hostile.rs"]
mod hostile;
#[path = "init.rs"]
mod init;
#[path = "journal_cli.rs"]
mod journal_cli;
#[path = "journal_errors.rs"]
mod journal_errors;
#[path = "progress.rs"]
mod progress;
#[path = "properties.rs"]
mod properties;
#[path = "protocol_attacks.rs"]
mod protocol_attacks;
#[path = "protocol_random.rs"]
mod protocol_random;
#[path = "prove.rs"]
mod prove;
#[path = "readme.rs"]
mod readme;
#[path = "reconcile.rs"]
mod reconcile;
#[path = "settle_evm.rs"]
mod settle_evm;
#[path = "stream.rs"]
mod stream;
#[path = "usage.rs"]
mod usage;
