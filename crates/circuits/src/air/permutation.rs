//! The Poseidon2 permutation as degree-3 constraints, shared by both
//! components, and the native witness that fills the same columns.
//!
//! Columns of one permutation (after its input), in this order:
//! for each of the 4 initial full rounds, for each element `i`: `q_i, y_i`;
//! for each of the 14 partial rounds: `q, y`; for each of the 4 final full
//! rounds, for each element: `q_i, y_i`. With `x` the S-box input (a linear
//! expression of earlier columns plus a round constant), the constraints are
//! `q - x^2 = 0` and `y - q^2 x = 0` (degree 3), so `y = x^5`. The output is
//! the external linear layer applied to the last round's `y`s (no columns).

use std::ops::{Add, Mul, Sub};

use stwo::core::fields::m31::BaseField;
use stwo_constraint_framework::EvalAtRow;

use crate::poseidon2::constants::{
    INTERNAL_DIAG_SHIFTS, RC_EXTERNAL_FINAL, RC_EXTERNAL_INITIAL, RC_INTERNAL,
};
use crate::poseidon2::{external_linear_layer, internal_linear_layer, P};

/// Columns one permutation needs besides its input.
pub const PERM_COLS: usize = 2 * (8 * 16 + 14);

#[inline(always)]
fn m31(x: u32) -> BaseField {
    BaseField::from_u32_unchecked(x)
}

fn ext_linear<F>(s: &mut [F; 16])
where
    F: Clone + Add<Output = F>,
{
    for b in 0..4 {
        let x0 = s[4 * b].clone();
        let x1 = s[4 * b + 1].clone();
        let x2 = s[4 * b + 2].clone();
        let x3 = s[4 * b + 3].clone();
        let t01 = x0.clone() + x1.clone();
        let t23 = x2.clone() + x3.clone();
        let t0123 = t01.clone() + t23.clone();
        let t01123 = t0123.clone() + x1;
        let t01233 = t0123 + x3;
        s[4 * b + 3] = t01233.clone() + x0.clone() + x0;
        s[4 * b + 1] = t01123.clone() + x2.clone() + x2;
        s[4 * b] = t01123 + t01;
        s[4 * b + 2] = t01233 + t23;
    }
    for k in 0..4 {
        let sum = s[k].clone() + s[4 + k].clone() + s[8 + k].clone() + s[12 + k].clone();
        for b in 0..4 {
            s[4 * b + k] = s[4 * b + k].clone() + sum.clone();
        }
    }
}

fn int_linear<F>(s: &mut [F; 16])
where
    F: Clone + Add<Output = F> + Sub<Output = F> + Mul<BaseField, Output = F>,
{
    let mut part = s[1].clone();
    for x in &s[2..] {
        part = part + x.clone();
    }
    let full = part.clone() + s[0].clone();
    s[0] = part - s[0].clone();
    for i in 1..16 {
        s[i] = full.clone() + s[i].clone() * m31(1 << INTERNAL_DIAG_SHIFTS[i - 1]);
    }
}

fn sbox_constraint<E: EvalAtRow>(eval: &mut E, x: E::F) -> E::F {
    let q = eval.next_trace_mask();
    let y = eval.next_trace_mask();
    eval.add_constraint(q.clone() - x.clone() * x.clone());
    eval.add_constraint(y.clone() - q.clone() * q * x);
    y
}

/// Reads the permutation's [`PERM_COLS`] columns, adds their constraints,
/// and returns the permutation's output as expressions of those columns.
pub fn eval_permutation<E: EvalAtRow>(eval: &mut E, input: [E::F; 16]) -> [E::F; 16] {
    let mut s = input;
    ext_linear(&mut s);
    for rc in &RC_EXTERNAL_INITIAL {
        for i in 0..16 {
            let x = s[i].clone() + E::F::from(m31(rc[i]));
            s[i] = sbox_constraint(eval, x);
        }
        ext_linear(&mut s);
    }
    for &c in &RC_INTERNAL {
        let x = s[0].clone() + E::F::from(m31(c));
        s[0] = sbox_constraint(eval, x);
        int_linear(&mut s);
    }
    for rc in &RC_EXTERNAL_FINAL {
        for i in 0..16 {
            let x = s[i].clone() + E::F::from(m31(rc[i]));
            s[i] = sbox_constraint(eval, x);
        }
        ext_linear(&mut s);
    }
    s
}

#[inline(always)]
fn addm(a: u32, b: u32) -> u32 {
    let s = a + b; // both < 2^31
    if s >= P {
        s - P
    } else {
        s
    }
}

#[inline(always)]
fn mulm(a: u32, b: u32) -> u32 {
    let x = a as u64 * b as u64;
    let x = (x & P as u64) + (x >> 31);
    let x = ((x & P as u64) + (x >> 31)) as u32;
    if x >= P {
        x - P
    } else {
        x
    }
}

#[inline(always)]
fn sbox_witness(x: u32, cols: &mut [u32], c: &mut usize) -> u32 {
    let q = mulm(x, x);
    let y = mulm(mulm(q, q), x);
    cols[*c] = q;
    cols[*c + 1] = y;
    *c += 2;
    y
}

/// Runs the permutation natively, writing the [`PERM_COLS`] witness values
/// in column order into `cols`; returns the output.
pub fn permutation_witness(input: &[u32; 16], cols: &mut [u32]) -> [u32; 16] {
    debug_assert_eq!(cols.len(), PERM_COLS);
    let mut s = *input;
    let mut c = 0;
    external_linear_layer(&mut s);
    for rc in &RC_EXTERNAL_INITIAL {
        for i in 0..16 {
            s[i] = sbox_witness(addm(s[i], rc[i]), cols, &mut c);
        }
        external_linear_layer(&mut s);
    }
    for &rc in &RC_INTERNAL {
        s[0] = sbox_witness(addm(s[0], rc), cols, &mut c);
        internal_linear_layer(&mut s);
    }
    for rc in &RC_EXTERNAL_FINAL {
        for i in 0..16 {
            s[i] = sbox_witness(addm(s[i], rc[i]), cols, &mut c);
        }
        external_linear_layer(&mut s);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon2::permute;

    #[test]
    fn witness_output_is_the_permutation() {
        let input: [u32; 16] = core::array::from_fn(|i| (i as u32).wrapping_mul(0x1234_5679) % P);
        let mut cols = vec![0u32; PERM_COLS];
        let out = permutation_witness(&input, &mut cols);
        let mut expected = input;
        permute(&mut expected);
        assert_eq!(out, expected);
    }

    #[test]
    fn generic_linear_layers_match_native() {
        let input: [u32; 16] =
            core::array::from_fn(|i| (i as u32).wrapping_mul(0x7654_3211).wrapping_add(99) % P);
        let mut a = input.map(m31);
        let mut b = input;
        ext_linear(&mut a);
        external_linear_layer(&mut b);
        assert_eq!(a, b.map(m31));
        int_linear(&mut a);
        internal_linear_layer(&mut b);
        assert_eq!(a, b.map(m31));
    }
}
