//! The Stwo AIR: a bare Poseidon2 component (benchmark baseline) and the
//! hash-chain component that proves a [`Statement`](crate::statement::Statement).
//!
//! Layout shared by both components: every trace row holds `per_row`
//! permutation *slots*; slot `t` of the batch sits in row `t / per_row`
//! (trace order, i.e. coset order, the order next-row masks follow) at
//! position `t % per_row`. `per_row` and the row count are derived from the
//! number of units by [`Layout::for_units`], by prover and verifier alike.

pub mod bare_eval;
pub mod bare_trace;
pub mod chain_eval;
pub mod chain_trace;
pub mod permutation;
mod proof;
mod prover;
pub mod solidity;
mod trace_util;
mod unchecked;

pub use proof::{
    BatchProof, BatchProofOf, ChainProof, ProofDecodeError, ProofHasher, MAX_PROOF_BYTES,
};
pub use prover::{
    prove, prove_bare, prove_for_chain, verify, verify_bare, verify_chain_proof, Local, OnChain,
    ProofSystem, ProveError, Rejection, StwoRejection, VerifyError,
};
#[doc(hidden)]
pub use prover::{prove_for_chain_unchecked, prove_unchecked, verify_chain_proof_weakened};

use stwo::core::fri::FriConfig;
use stwo::core::pcs::PcsConfig;
use stwo::prover::backend::simd::m31::LOG_N_LANES;

/// Largest batch (sum of units) the prover and verifier accept. Proving
/// 2^20 units needs about 4.5 GB here (1.1 GB at 2^18); larger updates must
/// be split over several statements (old -> mid, mid -> new).
pub const MAX_BATCH_UNITS: u64 = 1 << 20;

/// Largest number of permutation slots per trace row.
pub const MAX_PER_ROW: usize = 8;

/// The proof system's parameters; the verifier always uses these, never the
/// configuration a proof carries. Conjectured security
/// `pow_bits + log_blowup * n_queries = 20 + 1 * 76 = 96` bits
/// (see SOUNDNESS.md for why not 26 + 70).
pub fn pcs_config() -> PcsConfig {
    PcsConfig {
        pow_bits: 20,
        fri_config: FriConfig::new(0, 1, 76, 1),
        lifting_log_size: None,
    }
}

/// The on-chain proof system's parameters (Keccak-256 channel, issue 18):
/// conjectured security `pow_bits + log_blowup * n_queries = 24 + 4 * 18 = 96`
/// bits; FRI folds 3 layers at a time down to a last layer of 2^5
/// coefficients. Chosen by measured verifier gas at 150k units
/// (docs/BENCHMARKS.md): blowup 16 with 18 queries and 24 bits of work
/// 12.1M gas (prover 6.4 GB); blowup 16, 19 queries, 20 bits 12.6M;
/// blowup 8 with 26 queries 15.6M (3.4 GB); blowup 32 with 15 queries
/// 10.8M, but 12.5 GB and twice the proving time.
pub fn chain_pcs_config() -> PcsConfig {
    PcsConfig {
        pow_bits: CHAIN_POW_BITS,
        fri_config: FriConfig::new(
            CHAIN_LOG_LAST_LAYER,
            CHAIN_LOG_BLOWUP,
            CHAIN_N_QUERIES,
            CHAIN_FOLD_STEP,
        ),
        lifting_log_size: None,
    }
}

/// Proof-of-work bits of [`chain_pcs_config`].
pub const CHAIN_POW_BITS: u32 = 24;
/// log2 of the blowup of [`chain_pcs_config`].
pub const CHAIN_LOG_BLOWUP: u32 = 4;
/// FRI queries of [`chain_pcs_config`].
pub const CHAIN_N_QUERIES: usize = 18;
/// FRI fold step of [`chain_pcs_config`].
pub const CHAIN_FOLD_STEP: u32 = 3;
/// log2 of the FRI last layer's degree bound in [`chain_pcs_config`].
pub const CHAIN_LOG_LAST_LAYER: u32 = 5;
/// Fewest rows of an on-chain trace: FRI needs `log_rows >= fold step + last layer`.
pub const CHAIN_MIN_LOG_ROWS: u32 = CHAIN_FOLD_STEP + CHAIN_LOG_LAST_LAYER;

/// How a batch of permutation slots is laid out in the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Permutations per row (1..=MAX_PER_ROW).
    pub per_row: usize,
    /// log2 of the number of rows (>= LOG_N_LANES).
    pub log_rows: u32,
}

impl Layout {
    /// Chooses the layout with the fewest slots `per_row << log_rows >= units`;
    /// ties go to `per_row` closest to 4 (then the smaller), which keeps
    /// both the column count (proof size) and the row count moderate.
    pub fn for_units(units: u64) -> Layout {
        let units = units.max(1);
        let mut best: Option<(u64, usize, Layout)> = None;
        for per_row in 1..=MAX_PER_ROW {
            let rows = units.div_ceil(per_row as u64);
            let log_rows = rows.next_power_of_two().trailing_zeros().max(LOG_N_LANES);
            let slots = (per_row as u64) << log_rows;
            let key = (slots, per_row.abs_diff(4), Layout { per_row, log_rows });
            let better = match &best {
                None => true,
                Some((s, d, l)) => (slots, key.1, per_row) < (*s, *d, l.per_row),
            };
            if better {
                best = Some(key);
            }
        }
        best.map(|b| b.2).unwrap_or(Layout {
            per_row: 1,
            log_rows: LOG_N_LANES,
        })
    }

    /// The on-chain layout: one permutation per row (the verifier opens
    /// every column of a row per query, so narrow rows cost it least), at
    /// least 2^[`CHAIN_MIN_LOG_ROWS`] rows.
    pub fn for_chain(units: u64) -> Layout {
        let rows = units.max(1).next_power_of_two();
        Layout {
            per_row: 1,
            log_rows: rows.trailing_zeros().max(CHAIN_MIN_LOG_ROWS),
        }
    }

    /// Total slots (`per_row << log_rows`).
    pub fn slots(&self) -> usize {
        self.per_row << self.log_rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_choices() {
        assert_eq!(
            Layout::for_units(150_000),
            Layout {
                per_row: 5,
                log_rows: 15
            }
        );
        assert_eq!(
            Layout::for_units(1 << 17),
            Layout {
                per_row: 4,
                log_rows: 15
            }
        );
        for u in [1u64, 2, 15, 16, 17, 100, 1000, 4097, 150_000, 1 << 20] {
            let l = Layout::for_units(u);
            assert!(l.slots() as u64 >= u);
            assert!(l.log_rows >= LOG_N_LANES);
            assert!((1..=MAX_PER_ROW).contains(&l.per_row));
        }
        assert_eq!(pcs_config().security_bits(), 96);
        assert_eq!(chain_pcs_config().security_bits(), 96);
        assert_eq!(
            Layout::for_chain(150_000),
            Layout {
                per_row: 1,
                log_rows: 18
            }
        );
        assert_eq!(Layout::for_chain(1).log_rows, CHAIN_MIN_LOG_ROWS);
    }
}
