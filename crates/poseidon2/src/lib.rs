//! msgl-poseidon2: the hash of msgl's hash chains.
//!
//! Native Poseidon2 over Mersenne-31, width 16, exactly Plonky3's
//! `default_mersenne31_poseidon2_16`: 4 full rounds, 14 partial rounds,
//! 4 full rounds, S-box `x^5`, Grain-LFSR round constants (see
//! [`constants`]), Plonky3's `MDSMat4`-based external layer and its
//! `1 + Diag(V)` internal layer; and [`hashchain`], the PayWord chains
//! acks pay along.
//!
//! Elements are `u32` in canonical form (`< P`). Arithmetic is plain `u64`
//! with lazy reduction; this is the hot path of chain derivation. No Stwo
//! here: the AIR (msgl-circuits) proves this permutation and reads these
//! constants.

pub mod constants;
pub mod hashchain;

use constants::{INTERNAL_DIAG_SHIFTS, RC_EXTERNAL_FINAL, RC_EXTERNAL_INITIAL, RC_INTERNAL};

/// A digest: 8 canonical Mersenne-31 elements (docs/DESIGN.md §5.1).
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

// Lazy reduction: inside the permutation every state element is kept as a
// u64 below 2^31 + 8 (congruent to its value mod P, not necessarily
// canonical); only the output is canonicalized.

/// One fold: `x < 2^34` becomes `< 2^31 + 8`.
#[inline(always)]
fn fold1(x: u64) -> u64 {
    (x & P64) + (x >> 31)
}

/// Two folds: any `x < 2^64` becomes `< 2^31 + 8`.
#[inline(always)]
fn fold2(x: u64) -> u64 {
    fold1(fold1(x))
}

/// Canonical form of a lazily reduced element (`x < 2^31 + 8`).
#[inline(always)]
fn canon(x: u64) -> u32 {
    let x = x as u32;
    if x >= P {
        x - P
    } else {
        x
    }
}

/// `(s + c)^5` for `s < 2^31 + 8`, `c < P`.
#[inline(always)]
fn sbox_lazy(s: u64, c: u64) -> u64 {
    let x = fold1(s + c);
    let x2 = fold2(x * x);
    let x4 = fold2(x2 * x2);
    fold2(x4 * x)
}

/// Plonky3's `MDSMat4` (applied to each block of four): the matrix
/// `[[2,3,1,1],[1,2,3,1],[1,1,2,3],[3,1,1,2]]`. Inputs `< 2^32`, outputs `< 2^35`.
#[inline(always)]
fn mat4(x: &mut [u64]) {
    let t01 = x[0] + x[1];
    let t23 = x[2] + x[3];
    let t0123 = t01 + t23;
    let t01123 = t0123 + x[1];
    let t01233 = t0123 + x[3];
    let y3 = t01233 + 2 * x[0];
    let y1 = t01123 + 2 * x[2];
    let y0 = t01123 + t01;
    let y2 = t01233 + t23;
    x[0] = y0;
    x[1] = y1;
    x[2] = y2;
    x[3] = y3;
}

#[inline(always)]
fn external_lazy(s: &mut [u64; 16]) {
    for blk in s.chunks_exact_mut(4) {
        mat4(blk);
    }
    let mut sums = [0u64; 4];
    for (k, sum) in sums.iter_mut().enumerate() {
        *sum = s[k] + s[4 + k] + s[8 + k] + s[12 + k];
    }
    for (i, x) in s.iter_mut().enumerate() {
        *x = fold2(*x + sums[i % 4]);
    }
}

#[inline(always)]
fn internal_lazy(s: &mut [u64; 16]) {
    let part: u64 = s[1..].iter().sum();
    let full = part + s[0];
    // sum - 2*s0 = part - s0 = part + (2P - s0), with s0 < 2^31 + 8 < 2P.
    s[0] = fold2(part + 2 * P64 - s[0]);
    for i in 1..16 {
        s[i] = fold2(full + (s[i] << INTERNAL_DIAG_SHIFTS[i - 1]));
    }
}

/// The external linear layer (Plonky3's `mds_light_permutation` for width
/// 16): `M4` on each block of four, then each element gets the sum of the
/// elements in the same position of all four blocks added. Canonical in and out.
pub fn external_linear_layer(state: &mut [u32; 16]) {
    let mut s = state.map(u64::from);
    external_lazy(&mut s);
    *state = s.map(canon);
}

/// The internal linear layer: `state[i] <- sum + V[i] * state[i]` with
/// `V[0] = -2` and `V[i] = 2^INTERNAL_DIAG_SHIFTS[i-1]`. Canonical in and out.
pub fn internal_linear_layer(state: &mut [u32; 16]) {
    let mut s = state.map(u64::from);
    internal_lazy(&mut s);
    *state = s.map(canon);
}

/// The Poseidon2 permutation, in place. Every element of `state` must be
/// canonical (`< P`); the output is canonical.
pub fn permute(state: &mut [u32; 16]) {
    debug_assert!(state.iter().all(|&x| x < P));
    let mut s = state.map(u64::from);
    external_lazy(&mut s);
    for rc in &RC_EXTERNAL_INITIAL {
        for (x, &c) in s.iter_mut().zip(rc) {
            *x = sbox_lazy(*x, c as u64);
        }
        external_lazy(&mut s);
    }
    for &c in &RC_INTERNAL {
        s[0] = sbox_lazy(s[0], c as u64);
        internal_lazy(&mut s);
    }
    for rc in &RC_EXTERNAL_FINAL {
        for (x, &c) in s.iter_mut().zip(rc) {
            *x = sbox_lazy(*x, c as u64);
        }
        external_lazy(&mut s);
    }
    *state = s.map(canon);
}

/// `H(w)`: the first 8 elements of `permute((w, 0, ..., 0))` (DESIGN §5.1).
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

/// Packs a digest into 32 bytes: 8 u32 big-endian, element 0 first (DESIGN §5.1).
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

/// Unpacks 32 bytes into a digest, refusing non-canonical elements (docs/DESIGN.md §5.1).
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

    fn reduce(x: u64) -> u32 {
        canon(fold2(x))
    }

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
