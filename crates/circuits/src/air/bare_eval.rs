//! Constraints of the bare Poseidon2 component: `per_row` independent
//! permutations per row, each with 16 input columns and the
//! [`PERM_COLS`](super::permutation::PERM_COLS) round columns. No lookups:
//! this is the benchmark baseline for the chain component.

use stwo_constraint_framework::{EvalAtRow, FrameworkComponent, FrameworkEval};

use super::permutation::{eval_permutation, PERM_COLS};
use super::Layout;

/// Trace columns of one bare permutation slot.
pub const BARE_SLOT_COLS: usize = 16 + PERM_COLS;

#[derive(Clone, Debug)]
pub struct BareEval {
    pub layout: Layout,
}

pub type BareComponent = FrameworkComponent<BareEval>;

impl FrameworkEval for BareEval {
    fn log_size(&self) -> u32 {
        self.layout.log_rows
    }

    fn max_constraint_log_degree_bound(&self) -> u32 {
        self.layout.log_rows + 1
    }

    fn evaluate<E: EvalAtRow>(&self, mut eval: E) -> E {
        for _ in 0..self.layout.per_row {
            let input: [E::F; 16] = std::array::from_fn(|_| eval.next_trace_mask());
            eval_permutation(&mut eval, input);
        }
        eval
    }
}
