//! Poseidon2 over Mersenne-31 and the Stwo AIR for msgl's batch statements.
//!
//! * [`poseidon2`]: the native hash (`H`, pack/unpack, chains), re-exported from msgl-poseidon2;
//! * [`statement`]: the proof's public input (docs/DESIGN.md §8.1);
//! * [`air`]: the components, [`prove`] / [`verify`] and the serialized [`BatchProof`].
// Eight Keccak states at once (keccak::x8); RUSTC_BOOTSTRAP allows it on
// stable, as it does Stwo's own nightly features.
#![feature(portable_simd)]

pub mod air;
pub mod keccak;
/// The native hash, its own crate (no Stwo); the AIR proves it.
pub use msgl_poseidon2 as poseidon2;
pub mod statement;

pub use air::{
    prove, prove_bare, prove_for_chain, verify, verify_bare, verify_chain_proof, BatchProof,
    ChainProof, ProofDecodeError, ProveError, Rejection, StwoRejection, VerifyError,
};
pub use statement::{Domain, Entry, Statement, StatementError};
