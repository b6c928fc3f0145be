//! Native Poseidon2 over Mersenne-31, width 16, exactly Plonky3's
//! `default_mersenne31_poseidon2_16`: 4 full rounds, 14 partial rounds,
//! 4 full rounds, S-box `x^5`, Grain-LFSR round constants (see
//! [`constants`]), Plonky3's `MDSMat4`-based external layer and its
//! `1 + Diag(V)` internal layer.
//!
//! Elements are `u32` in canonical form (`< P`). Arithmetic is plain `u64`
//! with lazy reduction; this is the hot path of chain derivation.

pub mod constants;

use constants::{INTERNAL_DIAG_SHIFTS, RC_EXTERNAL_FINAL, RC_EXTERNAL_INITIAL, RC_INTERNAL};

/// A digest: 8 canonical Mersenne-31 elements (D1).
pub type Digest = [u32; 8];

/// The Mersenne-31 prime `2^31 - 1`.
pub const P: u32 = (1 << 31) - 1;

/// Width of the permutation.
pub const WIDTH: usize = 16;
/// Full rounds before the partial rounds (and again after them).
pub const HALF_FULL_ROUNDS: usize = 4;
/// Partial rounds.
pub const PARTIAL_ROUNDS: usize = 14;

const P64: u64 = P as u64;

/// Reduces any `u64` to its canonical residue modulo `P`.
#[inline(always)]
fn reduce(x: u64) -> u32 {
    // 2^31 = 1 (mod P): fold the high bits twice, then one conditional subtraction.
    let x = (x & P64) + (x >> 31); // < 2^31 + 2^33
    let x = (x & P64) + (x >> 31); // < 2^31 + 8
    let x = x as u32;
    if x >= P {
        x - P
    } else {
        x
    }
}

#[inline(always)]
fn sbox(x: u32) -> u32 {
    let x = x as u64;
    let x2 = reduce(x * x) as u64;
    let x4 = reduce(x2 * x2) as u64;
    reduce(x4 * x)
}

/// Plonky3's `MDSMat4` (applied to each block of four): the matrix
/// `[[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]`. Inputs `< 2^34`, outputs `< 2^37`.
#[inline(always)]
fn mat4(x: &mut [u64; 4]) {
    let t01 = x[0] + x[1];
    let t23 = x[2] + x[3];
    let t0123 = t01 + t23;
    let t01123 = t0123 + x[1];
    let t01233 = t0123 + x[3];
    let y3 = t01233 + 2 * x[0];
    let y1 = t01123 + 2 * x[2];
    let y0 = t01123 + t01;
    let y2 = t01233 + t23;
    *x = [y0, y1, y2, y3];
}

/// The external linear layer (Plonky3's `mds_light_permutation` for width
/// 16): `M4` on each block of four, then each element gets the sum of the
/// elements in the same position of all four blocks added.
#[inline(always)]
pub fn external_linear_layer(state: &mut [u32; 16]) {
    let mut w = [0u64; 16];
    for b in 0..4 {
        let mut blk = [
            state[4 * b] as u64,
            state[4 * b + 1] as u64,
            state[4 * b + 2] as u64,
            state[4 * b + 3] as u64,
        ];
        mat4(&mut blk);
        w[4 * b..4 * b + 4].copy_from_slice(&blk);
    }
    let mut sums = [0u64; 4];
    for (k, s) in sums.iter_mut().enumerate() {
        *s = w[k] + w[4 + k] + w[8 + k] + w[12 + k];
    }
    for i in 0..16 {
        state[i] = reduce(w[i] + sums[i % 4]);
    }
}

/// The internal linear layer: `state[i] <- sum + V[i] * state[i]` with
/// `V[0] = -2` and `V[i] = 2^INTERNAL_DIAG_SHIFTS[i-1]`.
#[inline(always)]
pub fn internal_linear_layer(state: &mut [u32; 16]) {
    let part_sum: u64 = state[1..].iter().map(|&x| x as u64).sum();
    let full_sum = part_sum + state[0] as u64;
    // sum - 2*s0 = part_sum - s0 = part_sum + (P - s0).
    state[0] = reduce(part_sum + (P64 - state[0] as u64));
    for i in 1..16 {
        state[i] = reduce(full_sum + ((state[i] as u64) << INTERNAL_DIAG_SHIFTS[i - 1]));
    }
}

#[inline(always)]
fn full_round(state: &mut [u32; 16], rc: &[u32; 16]) {
    for (s, &c) in state.iter_mut().zip(rc) {
        *s = sbox(reduce(*s as u64 + c as u64));
    }
    external_linear_layer(state);
}

/// The Poseidon2 permutation, in place. Every element of `state` must be
/// canonical (`< P`); the output is canonical.
pub fn permute(state: &mut [u32; 16]) {
    debug_assert!(state.iter().all(|&x| x < P));
    external_linear_layer(state);
    for rc in &RC_EXTERNAL_INITIAL {
        full_round(state, rc);
    }
    for &c in &RC_INTERNAL {
        state[0] = sbox(reduce(state[0] as u64 + c as u64));
        internal_linear_layer(state);
    }
    for rc in &RC_EXTERNAL_FINAL {
        full_round(state, rc);
    }
}

/// `H(w)`: the first 8 elements of `permute((w, 0, ..., 0))` (D1).
pub fn hash(w: &Digest) -> Digest {
    let mut s = [0u32; 16];
    s[..8].copy_from_slice(w);
    permute(&mut s);
    let mut out = [0u32; 8];
    out.copy_from_slice(&s[..8]);
    out
}

/// `H` applied `n` times (`n = 0` returns `w`).
pub fn hash_n(w: &Digest, n: u64) -> Digest {
    let mut d = *w;
    for _ in 0..n {
        d = hash(&d);
    }
    d
}

/// Packs a digest into 32 bytes: 8 u32 big-endian, element 0 first (D1).
pub fn pack(d: &Digest) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, x) in out.chunks_exact_mut(4).zip(d) {
        chunk.copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// A packed digest holds an element that is not canonical (`>= P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NonCanonical {
    /// Index of the first offending element (0..8).
    pub index: usize,
    /// Its value.
    pub value: u32,
}

impl std::fmt::Display for NonCanonical {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "digest element {} is {:#010x}, not a canonical Mersenne-31 element (< 2^31 - 1)",
            self.index, self.value
        )
    }
}

impl std::error::Error for NonCanonical {}

/// Unpacks 32 bytes into a digest, refusing non-canonical elements (D1).
pub fn unpack(b: &[u8; 32]) -> Result<Digest, NonCanonical> {
    let mut d = [0u32; 8];
    for (index, (chunk, x)) in b.chunks_exact(4).zip(d.iter_mut()).enumerate() {
        let value = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        if value >= P {
            return Err(NonCanonical { index, value });
        }
        *x = value;
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduce_edges() {
        assert_eq!(reduce(0), 0);
        assert_eq!(reduce(P64), 0);
        assert_eq!(reduce(P64 - 1), P - 1);
        assert_eq!(reduce(u64::MAX), (u64::MAX % P64) as u32);
        for x in [1u64 << 62, (1 << 62) + 12345, 3 * P64 + 7, P64 * P64] {
            assert_eq!(reduce(x) as u64, x % P64);
        }
    }

    #[test]
    fn pack_roundtrip_and_refusal() {
        let d: Digest = [0, 1, P - 1, 12345, 0x7fff_0000, 7, 8, 9];
        let b = pack(&d);
        assert_eq!(&b[8..12], &(P - 1).to_be_bytes());
        assert_eq!(unpack(&b), Ok(d));
        let mut bad = b;
        bad[20..24].copy_from_slice(&P.to_be_bytes());
        assert_eq!(unpack(&bad), Err(NonCanonical { index: 5, value: P }));
        bad[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(unpack(&bad).is_err());
    }

    #[test]
    fn hash_n_composes() {
        let w: Digest = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(hash_n(&w, 0), w);
        assert_eq!(hash_n(&w, 1), hash(&w));
        assert_eq!(hash_n(&w, 5), hash_n(&hash_n(&w, 2), 3));
        assert_ne!(hash(&w), w);
    }
}
