//! The integration tests of this crate, in one binary (one link, and
//! every test scheduled on all cores at once): each file is a module.

mod common;

#[path = "accept.rs"]
mod accept;
#[path = "attacks.rs"]
mod attacks;
#[path = "fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "invariant.rs"]
mod invariant;
#[path = "settle.rs"]
mod settle;
#[path = "verifier.rs"]
mod verifier;
