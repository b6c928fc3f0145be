//! The integration tests of this crate, in one binary (one link, and
//! every test scheduled on all cores at once): each file is a module.

#[path = "chain_soundness.rs"]
mod chain_soundness;
#[path = "dishonest_prover.rs"]
mod dishonest_prover;
#[path = "fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "generated_solidity.rs"]
mod generated_solidity;
#[path = "hostile_proof_file.rs"]
mod hostile_proof_file;
#[path = "mis_shaped.rs"]
mod mis_shaped;
#[path = "p3_vectors.rs"]
mod p3_vectors;
#[path = "prove_verify.rs"]
mod prove_verify;
