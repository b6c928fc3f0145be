//! Trace generation of the chain component.

use rayon::prelude::*;
use stwo::core::fields::m31::BaseField;
use stwo::core::fields::qm31::SecureField;
use stwo::prover::backend::simd::column::BaseColumn;
use stwo::prover::backend::simd::m31::{PackedBaseField, LOG_N_LANES};
use stwo::prover::backend::simd::qm31::PackedSecureField;
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::poly::circle::CircleEvaluation;
use stwo::prover::poly::BitReversedOrder;
use stwo_constraint_framework::{LogupTraceGenerator, Relation};

use super::chain_eval::{ChainEnd, ChainStart, CHAIN_HEAD_COLS, CHAIN_SLOT_COLS};
use super::permutation::permutation_witness;
use super::trace_util::{fill_columns, to_evals};
use super::Layout;
use crate::poseidon2::{self, Digest};
use crate::statement::{Statement, StatementError};

/// Per-slot data of a batch: slot `t < units` belongs to entry `seg[t]`, is
/// its `step[t]`-th permutation (1-based), and hashes `inputs[t]`.
pub struct ChainWitness {
    pub inputs: Vec<Digest>,
    pub seg: Vec<u32>,
    pub step: Vec<u32>,
    /// Units of each entry.
    pub units: Vec<u32>,
}

/// Walks every entry's chain from its new preimage (entries in parallel)
/// and checks that it reaches the old tip. Expects a validated statement.
pub fn chain_witness(statement: &Statement) -> Result<ChainWitness, StatementError> {
    let walks: Vec<Result<Vec<Digest>, StatementError>> = statement
        .entries
        .par_iter()
        .enumerate()
        .map(|(index, e)| {
            let n = e.units() as usize;
            let mut v = Vec::with_capacity(n);
            let mut w = e.new_preimage;
            for _ in 0..n {
                v.push(w);
                w = poseidon2::hash(&w);
            }
            if w != e.old_tip {
                return Err(StatementError::ChainMismatch { index });
            }
            Ok(v)
        })
        .collect();
    let total: usize = statement.entries.iter().map(|e| e.units() as usize).sum();
    let mut wit = ChainWitness {
        inputs: Vec::with_capacity(total),
        seg: Vec::with_capacity(total),
        step: Vec::with_capacity(total),
        units: Vec::with_capacity(statement.entries.len()),
    };
    for (i, walk) in walks.into_iter().enumerate() {
        let walk = walk?;
        wit.units.push(walk.len() as u32);
        for (k, d) in walk.into_iter().enumerate() {
            wit.inputs.push(d);
            wit.seg.push(i as u32);
            wit.step.push(k as u32 + 1);
        }
    }
    Ok(wit)
}

/// What the interaction trace needs, per slot position `j` of a row.
pub struct ChainLookupData {
    first: Vec<BaseColumn>,
    last: Vec<BaseColumn>,
    seg: Vec<BaseColumn>,
    step: Vec<BaseColumn>,
    input: Vec<[BaseColumn; 8]>,
    output: Vec<[BaseColumn; 8]>,
}

/// The chain trace (`per_row * CHAIN_SLOT_COLS` columns) and its lookup data.
pub fn gen_chain_trace(
    layout: Layout,
    wit: &ChainWitness,
) -> (
    Vec<CircleEvaluation<SimdBackend, BaseField, BitReversedOrder>>,
    ChainLookupData,
) {
    let n = layout.per_row;
    let trace_cols = n * CHAIN_SLOT_COLS;
    // The 8 output elements of every slot go to extra columns after the trace.
    let mut cols = fill_columns(layout.log_rows, trace_cols + 8 * n, |row, out| {
        for j in 0..n {
            let t = row * n + j;
            let block = &mut out[j * CHAIN_SLOT_COLS..(j + 1) * CHAIN_SLOT_COLS];
            let mut input = [0u32; 16];
            if t < wit.inputs.len() && t < layout.slots() {
                let (seg, step) = (wit.seg[t], wit.step[t]);
                block[0] = 1;
                block[1] = (step == 1) as u32;
                block[2] = (step == wit.units[seg as usize]) as u32;
                block[3] = seg;
                block[4] = step;
                input[..8].copy_from_slice(&wit.inputs[t]);
            } else {
                block[..5].fill(0);
            }
            block[5..CHAIN_HEAD_COLS].copy_from_slice(&input[..8]);
            let o = permutation_witness(&input, &mut block[CHAIN_HEAD_COLS..]);
            out[trace_cols + 8 * j..trace_cols + 8 * j + 8].copy_from_slice(&o[..8]);
        }
    });
    let extra = cols.split_off(trace_cols);
    let mut extra = extra.into_iter();
    let col = |j: usize, k: usize| cols[j * CHAIN_SLOT_COLS + k].clone();
    let lookup = ChainLookupData {
        first: (0..n).map(|j| col(j, 1)).collect(),
        last: (0..n).map(|j| col(j, 2)).collect(),
        seg: (0..n).map(|j| col(j, 3)).collect(),
        step: (0..n).map(|j| col(j, 4)).collect(),
        input: (0..n)
            .map(|j| std::array::from_fn(|k| col(j, 5 + k)))
            .collect(),
        output: (0..n)
            .map(|_| std::array::from_fn(|_| extra.next().expect("8 output columns per slot")))
            .collect(),
    };
    (to_evals(layout.log_rows, cols), lookup)
}

/// The interaction trace: one cumulative LogUp column per slot position
/// (the slot's Start and End fractions, paired), and the claimed sum.
pub fn gen_chain_interaction(
    layout: Layout,
    lookup: &ChainLookupData,
    start: &ChainStart,
    end: &ChainEnd,
) -> (
    Vec<CircleEvaluation<SimdBackend, BaseField, BitReversedOrder>>,
    SecureField,
) {
    let mut gen = LogupTraceGenerator::new(layout.log_rows);
    let n_vec = 1usize << (layout.log_rows - LOG_N_LANES);
    for j in 0..layout.per_row {
        let frac = |v: usize| {
            let seg = lookup.seg[j].data[v];
            let start_vals: Vec<PackedBaseField> = std::iter::once(seg)
                .chain(lookup.input[j].iter().map(|c| c.data[v]))
                .collect();
            let end_vals: Vec<PackedBaseField> = std::iter::once(seg)
                .chain(lookup.output[j].iter().map(|c| c.data[v]))
                .chain(std::iter::once(lookup.step[j].data[v]))
                .collect();
            let ds: PackedSecureField = start.combine(&start_vals);
            let de: PackedSecureField = end.combine(&end_vals);
            let num = ds * lookup.last[j].data[v] + de * lookup.first[j].data[v];
            (num, ds * de)
        };
        gen.col_from_par_iter((0..n_vec).into_par_iter().map(frac));
    }
    let (trace, claimed_sum) = gen.finalize_last();
    (trace, claimed_sum)
}
