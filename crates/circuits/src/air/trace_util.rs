//! Filling SIMD trace columns in parallel, row by row.

use rayon::prelude::*;
use stwo::core::fields::m31::BaseField;
use stwo::core::poly::circle::CanonicCoset;
use stwo::core::utils::{bit_reverse_index, circle_domain_index_to_coset_index};
use stwo::prover::backend::simd::column::BaseColumn;
use stwo::prover::backend::simd::m31::{PackedBaseField, LOG_N_LANES, N_LANES};
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::backend::Column;
use stwo::prover::poly::circle::CircleEvaluation;
use stwo::prover::poly::BitReversedOrder;

/// Raw column pointers shared across rayon workers; every worker writes
/// only its own packed rows, so the writes never overlap.
struct ColPtrs(Vec<*mut PackedBaseField>);
// SAFETY: see the type's comment: disjoint writes only, and the columns
// outlive the parallel loop.
unsafe impl Sync for ColPtrs {}
unsafe impl Send for ColPtrs {}

impl ColPtrs {
    fn col(&self, c: usize) -> *mut PackedBaseField {
        self.0[c]
    }
}

/// Builds `n_cols` columns of `2^log_rows` rows. `fill(row, out)` writes the
/// `n_cols` values of trace row `row` (coset order); values are stored in
/// the bit-reversed circle-domain order Stwo expects.
pub fn fill_columns<F>(log_rows: u32, n_cols: usize, fill: F) -> Vec<BaseColumn>
where
    F: Fn(usize, &mut [u32]) + Sync,
{
    assert!(log_rows >= LOG_N_LANES);
    let n = 1usize << log_rows;
    // SAFETY: every packed row of every column is written exactly once below
    // (all `v < n_vec`, all `c < n_cols`) before the columns are returned.
    let mut cols: Vec<BaseColumn> = (0..n_cols)
        .map(|_| unsafe { BaseColumn::uninitialized(n) })
        .collect();
    let ptrs = ColPtrs(cols.iter_mut().map(|c| c.data.as_mut_ptr()).collect());
    let n_vec = n >> LOG_N_LANES;
    (0..n_vec).into_par_iter().for_each_init(
        || vec![0u32; n_cols * N_LANES],
        |buf, v| {
            // Row-major scratch: lane `l`'s values are buf[l * n_cols..][..n_cols].
            for lane in 0..N_LANES {
                let s = (v << LOG_N_LANES) + lane;
                let row =
                    circle_domain_index_to_coset_index(bit_reverse_index(s, log_rows), log_rows);
                fill(row, &mut buf[lane * n_cols..(lane + 1) * n_cols]);
            }
            // Transpose 16 columns at a time through an L1-sized tile.
            let mut tile = [[0u32; N_LANES]; 16];
            for cb in (0..n_cols).step_by(16) {
                let w = (n_cols - cb).min(16);
                for lane in 0..N_LANES {
                    let src = &buf[lane * n_cols + cb..lane * n_cols + cb + w];
                    for (c, &x) in src.iter().enumerate() {
                        tile[c][lane] = x;
                    }
                }
                for (c, t) in tile.iter().enumerate().take(w) {
                    let packed = PackedBaseField::from_array(t.map(BaseField::from_u32_unchecked));
                    // SAFETY: `v < n_vec` = the column's packed length; only
                    // this iteration writes packed row `v` (see ColPtrs).
                    unsafe { *ptrs.col(cb + c).add(v) = packed };
                }
            }
        },
    );
    drop(ptrs);
    cols
}

/// Wraps columns as evaluations over the trace's circle domain.
pub fn to_evals(
    log_rows: u32,
    cols: Vec<BaseColumn>,
) -> Vec<CircleEvaluation<SimdBackend, BaseField, BitReversedOrder>> {
    let domain = CanonicCoset::new(log_rows).circle_domain();
    cols.into_iter()
        .map(|c| CircleEvaluation::new(domain, c))
        .collect()
}
