//! Trace generation of the bare Poseidon2 component.

use stwo::core::fields::m31::BaseField;
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::poly::circle::CircleEvaluation;
use stwo::prover::poly::BitReversedOrder;

use super::bare_eval::BARE_SLOT_COLS;
use super::permutation::permutation_witness;
use super::trace_util::{fill_columns, to_evals};
use super::Layout;
use crate::poseidon2::P;

/// The input of bare slot `t`: `(16t, 16t + 1, ..., 16t + 15) mod P`.
pub fn bare_input(t: usize) -> [u32; 16] {
    std::array::from_fn(|k| ((t as u64 * 16 + k as u64) % P as u64) as u32)
}

/// The trace of `layout.slots()` independent permutations.
pub fn gen_bare_trace(
    layout: Layout,
) -> Vec<CircleEvaluation<SimdBackend, BaseField, BitReversedOrder>> {
    let n_cols = layout.per_row * BARE_SLOT_COLS;
    let cols = fill_columns(layout.log_rows, n_cols, |row, out| {
        for j in 0..layout.per_row {
            let t = row * layout.per_row + j;
            let block = &mut out[j * BARE_SLOT_COLS..(j + 1) * BARE_SLOT_COLS];
            let input = bare_input(t);
            block[..16].copy_from_slice(&input);
            permutation_witness(&input, &mut block[16..]);
        }
    });
    to_evals(layout.log_rows, cols)
}
