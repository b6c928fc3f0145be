//! Constraints of the chain component.
//!
//! Each permutation slot has the columns `active, first, last, seg, step`,
//! `in[0..8]` (input elements 8..16 are the constant 0) and the round
//! columns of [`eval_permutation`]. Slot `j` of a row is followed by slot
//! `j + 1` of the same row; the last slot of a row is followed by slot 0 of
//! the next row (cyclically). With `n` the following slot and
//! `g = active * (1 - last)`:
//!
//! * `active`, `first`, `last` are boolean; `first => active`, `last => active`;
//!   `first => step = 1`;
//! * `g => n.active`, `g => !n.first`, `g => n.seg = seg`,
//!   `g => n.step = step + 1`, `g => n.in[k] = out[k]` for `k < 8`;
//! * `last && n.active => n.first`, `!active && n.active => n.first` (hygiene);
//! * LogUp: `+first / Start(seg, in[0..8])` and `+last / End(seg, out[0..8], step)`;
//!   the verifier subtracts `1 / Start(i, new_preimage_i)` and
//!   `1 / End(i, old_tip_i, new_i - old_i)` for every entry `i`.
//!
//! All constraints have degree at most 3. See SOUNDNESS.md.

use num_traits::Zero;
use stwo::core::fields::m31::BaseField;
use stwo::core::fields::qm31::SecureField;
use stwo_constraint_framework::{
    relation, EvalAtRow, FrameworkComponent, FrameworkEval, RelationEntry, ORIGINAL_TRACE_IDX,
};

use super::permutation::{eval_permutation, PERM_COLS};
use super::Layout;

relation!(ChainStart, 9);
relation!(ChainEnd, 10);

impl ChainStart {
    /// The relation with given elements (the Solidity generator passes
    /// markers it recognises as the verifier's parameters).
    pub fn from_elements(e: stwo_constraint_framework::logup::LookupElements<9>) -> Self {
        Self(e)
    }
}

impl ChainEnd {
    /// See [`ChainStart::from_elements`].
    pub fn from_elements(e: stwo_constraint_framework::logup::LookupElements<10>) -> Self {
        Self(e)
    }
}

/// Flag and input columns of one slot (`active, first, last, seg, step, in[0..8]`).
pub const CHAIN_HEAD_COLS: usize = 13;
/// Trace columns of one chain slot.
pub const CHAIN_SLOT_COLS: usize = CHAIN_HEAD_COLS + PERM_COLS;

#[derive(Clone, Debug)]
pub struct ChainEval {
    pub layout: Layout,
    pub start: ChainStart,
    pub end: ChainEnd,
    pub claimed_sum: SecureField,
    /// [`AirVariant::Full`] everywhere but in the soundness tests.
    pub variant: AirVariant,
}

/// The real AIR, or the AIR with one transition constraint dropped: the
/// soundness tests (issue 18, item 5) prove false statements against a
/// weakened AIR and check that the real one refuses them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AirVariant {
    /// Every constraint (what every verifier uses).
    #[default]
    Full,
    /// Without `g·(n.in[k] − out[k]) = 0` (chaining).
    NoChaining,
    /// Without `g·(n.step − step − 1) = 0`.
    NoStep,
    /// Without `g·(n.seg − seg) = 0`.
    NoSeg,
}

pub type ChainComponent = FrameworkComponent<ChainEval>;

struct Head<F> {
    active: F,
    first: F,
    last: F,
    seg: F,
    step: F,
    input: [F; 8],
}

impl FrameworkEval for ChainEval {
    fn log_size(&self) -> u32 {
        self.layout.log_rows
    }

    fn max_constraint_log_degree_bound(&self) -> u32 {
        self.layout.log_rows + 1
    }

    fn evaluate<E: EvalAtRow>(&self, mut eval: E) -> E {
        let one = E::F::from(BaseField::from_u32_unchecked(1));
        let n = self.layout.per_row;
        let mut heads: Vec<Head<E::F>> = Vec::with_capacity(n);
        let mut outs: Vec<[E::F; 16]> = Vec::with_capacity(n);
        let mut next_row_head: Option<Head<E::F>> = None;
        for j in 0..n {
            let head = if j == 0 {
                let mut read = || {
                    let [cur, next] = eval.next_interaction_mask(ORIGINAL_TRACE_IDX, [0, 1]);
                    (cur, next)
                };
                let (active, n_active) = read();
                let (first, n_first) = read();
                let (last, n_last) = read();
                let (seg, n_seg) = read();
                let (step, n_step) = read();
                let pairs: [(E::F, E::F); 8] = std::array::from_fn(|_| read());
                next_row_head = Some(Head {
                    active: n_active,
                    first: n_first,
                    last: n_last,
                    seg: n_seg,
                    step: n_step,
                    input: pairs.clone().map(|p| p.1),
                });
                Head {
                    active,
                    first,
                    last,
                    seg,
                    step,
                    input: pairs.map(|p| p.0),
                }
            } else {
                Head {
                    active: eval.next_trace_mask(),
                    first: eval.next_trace_mask(),
                    last: eval.next_trace_mask(),
                    seg: eval.next_trace_mask(),
                    step: eval.next_trace_mask(),
                    input: std::array::from_fn(|_| eval.next_trace_mask()),
                }
            };
            let input: [E::F; 16] = std::array::from_fn(|k| {
                if k < 8 {
                    head.input[k].clone()
                } else {
                    E::F::zero()
                }
            });
            outs.push(eval_permutation(&mut eval, input));
            heads.push(head);
        }
        let next_row_head = next_row_head.expect("per_row >= 1");

        for j in 0..n {
            let h = &heads[j];
            let out = &outs[j];
            let nx = if j + 1 < n {
                &heads[j + 1]
            } else {
                &next_row_head
            };
            for b in [&h.active, &h.first, &h.last] {
                eval.add_constraint(b.clone() * (b.clone() - one.clone()));
            }
            eval.add_constraint(h.first.clone() * (one.clone() - h.active.clone()));
            eval.add_constraint(h.last.clone() * (one.clone() - h.active.clone()));
            eval.add_constraint(h.first.clone() * (h.step.clone() - one.clone()));

            let g = h.active.clone() * (one.clone() - h.last.clone());
            eval.add_constraint(g.clone() * (one.clone() - nx.active.clone()));
            eval.add_constraint(g.clone() * nx.first.clone());
            if self.variant != AirVariant::NoSeg {
                eval.add_constraint(g.clone() * (nx.seg.clone() - h.seg.clone()));
            }
            if self.variant != AirVariant::NoStep {
                eval.add_constraint(g.clone() * (nx.step.clone() - h.step.clone() - one.clone()));
            }
            if self.variant != AirVariant::NoChaining {
                for (n_in, o) in nx.input.iter().zip(out.iter()) {
                    eval.add_constraint(g.clone() * (n_in.clone() - o.clone()));
                }
            }
            eval.add_constraint(
                h.last.clone() * nx.active.clone() * (one.clone() - nx.first.clone()),
            );
            eval.add_constraint(
                (one.clone() - h.active.clone())
                    * nx.active.clone()
                    * (one.clone() - nx.first.clone()),
            );
        }

        for j in 0..n {
            let h = &heads[j];
            let out = &outs[j];
            let start_vals: Vec<E::F> = std::iter::once(h.seg.clone())
                .chain(h.input.iter().cloned())
                .collect();
            let end_vals: Vec<E::F> = std::iter::once(h.seg.clone())
                .chain(out[..8].iter().cloned())
                .chain(std::iter::once(h.step.clone()))
                .collect();
            eval.add_to_relation(RelationEntry::new(
                &self.start,
                E::EF::from(h.first.clone()),
                &start_vals,
            ));
            eval.add_to_relation(RelationEntry::new(
                &self.end,
                E::EF::from(h.last.clone()),
                &end_vals,
            ));
        }
        eval.finalize_logup_in_pairs();
        eval
    }
}
