//! A Keccak-256 Merkle channel for Stwo 2.3.0, so that an EVM verifier
//! hashes with the `keccak256` opcode (issue 18, SOUNDNESS.md "On-chain
//! verification"). Every byte string below is what `contracts/MsglVerifier.sol`
//! hashes; integers are big-endian (the EVM's order).
//!
//! * Merkle leaf: `keccak256(be32(v_0) ‖ … ‖ be32(v_{n-1}))` over the row's
//!   column values in Stwo's lifted order (columns sorted by size, stable);
//!   a tree without columns has the leaf `keccak256("")`.
//! * Merkle node: `keccak256(left ‖ right)`.
//! * Channel state: a 32-byte digest (zero at first) and a draw counter.
//!   - `mix_u32s(w)`: `digest = keccak256(digest ‖ be32(w_0) ‖ …)`;
//!   - `mix_felts(f)`: the same over the 4 coordinates of every QM31;
//!   - `mix_u64(v)`: `digest = keccak256(digest ‖ be64(v))`;
//!   - `mix_root(r)`: `digest = keccak256(digest ‖ r)`;
//!   - every mix resets the counter;
//!   - `draw_u32s()` = `keccak256(digest ‖ be32(counter) ‖ 0x00)` split into
//!     8 big-endian words, then the counter grows by one;
//!   - base-field draws take 8 words and retry while any is `≥ 2P` (as
//!     Stwo's Blake2s channel), then reduce each mod `P`; a QM31 draw is the
//!     first 4 of them.
//! * Proof of work: `prefixed = keccak256(be32(0x12345678) ‖ 0^12 ‖ digest ‖
//!   be32(bits))`, and the nonce is good when `keccak256(prefixed ‖
//!   be64(nonce))`, read as a big-endian 256-bit number, has at least `bits`
//!   leading zero bits.

use std::fmt;

use keccak_asm::{Digest as _, Keccak256};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use stwo::core::channel::{Channel, MerkleChannel};
use stwo::core::fields::m31::{BaseField, P};
use stwo::core::fields::qm31::{SecureField, SECURE_EXTENSION_DEGREE};
use stwo::core::proof_of_work::GrindOps;
use stwo::core::vcs::hash::Hash;
use stwo::core::vcs_lifted::merkle_hasher::MerkleHasherLifted;
use stwo::prover::backend::simd::column::BaseColumn;
use stwo::prover::backend::simd::m31::N_LANES;
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::backend::{BackendForChannel, Column, ColumnOps, CpuBackend};
use stwo::prover::vcs_lifted::ops::MerkleOpsLifted;

/// The prefix of the proof-of-work hash (Stwo's Blake2s channel uses the same).
pub const POW_PREFIX: u32 = 0x1234_5678;

/// A Keccak-256 digest.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct KeccakHash(pub [u8; 32]);

impl fmt::Display for KeccakHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for KeccakHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{self}")
    }
}

impl Hash for KeccakHash {}

/// `keccak256` of the concatenation of `parts`.
pub fn keccak(parts: &[&[u8]]) -> KeccakHash {
    let mut h = Keccak256::new();
    for p in parts {
        h.update(p);
    }
    KeccakHash(h.finalize().into())
}

/// Keccak-256's rate in bytes (17 lanes of the 25).
const RATE: usize = 136;

/// The Keccak-256 digests of 8 byte strings of one length, computed on 8
/// states at once (RustCrypto keccak's `f1600x8` over `core::simd` lanes):
/// the same digests as [`keccak`] (`tests::eight_at_once_is_keccak`), about
/// 3.5 times the throughput here (AVX-512). Strings of different lengths
/// are hashed one by one.
pub fn keccak_x8(msgs: [&[u8]; 8]) -> [KeccakHash; 8] {
    use ::keccak::simd::{f1600x8, u64x8};
    let len = msgs[0].len();
    if msgs.iter().any(|m| m.len() != len) {
        return msgs.map(|m| keccak(&[m]));
    }
    let lane = |k: usize, off: usize| {
        u64::from_le_bytes(msgs[k][off..off + 8].try_into().expect("8 bytes"))
    };
    let mut state = [u64x8::splat(0); 25];
    let full = len / RATE;
    for block in 0..full {
        for (l, word) in state.iter_mut().take(RATE / 8).enumerate() {
            let off = block * RATE + 8 * l;
            *word ^= u64x8::from_array(std::array::from_fn(|k| lane(k, off)));
        }
        f1600x8(&mut state);
    }
    // The last block: the rest, then Keccak's padding 0x01 … 0x80.
    let rest = len - full * RATE;
    let mut last = [[0u8; RATE]; 8];
    for (k, block) in last.iter_mut().enumerate() {
        block[..rest].copy_from_slice(&msgs[k][full * RATE..]);
        block[rest] ^= 0x01;
        block[RATE - 1] ^= 0x80;
    }
    for (l, word) in state.iter_mut().take(RATE / 8).enumerate() {
        *word ^= u64x8::from_array(std::array::from_fn(|k| {
            u64::from_le_bytes(last[k][8 * l..8 * l + 8].try_into().expect("8 bytes"))
        }));
    }
    f1600x8(&mut state);
    let mut out = [KeccakHash::default(); 8];
    for (l, word) in state.iter().take(4).enumerate() {
        for (k, v) in word.to_array().iter().enumerate() {
            out[k].0[8 * l..8 * l + 8].copy_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// The Merkle hasher: leaves are the big-endian bytes of the row's values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeccakMerkleHasher {
    bytes: Vec<u8>,
}

impl MerkleHasherLifted for KeccakMerkleHasher {
    type Hash = KeccakHash;

    fn hash_children((left, right): (KeccakHash, KeccakHash)) -> KeccakHash {
        keccak(&[&left.0, &right.0])
    }

    fn update_leaf(&mut self, column_values: &[BaseField]) {
        for v in column_values {
            self.bytes.extend_from_slice(&v.0.to_be_bytes());
        }
    }

    fn finalize(self) -> KeccakHash {
        keccak(&[&self.bytes])
    }
}

/// The Fiat–Shamir channel (see the module docs for the exact bytes).
#[derive(Clone, Debug, Default)]
pub struct KeccakChannel {
    digest: KeccakHash,
    n_draws: u32,
}

impl KeccakChannel {
    /// The current digest.
    pub fn digest(&self) -> KeccakHash {
        self.digest
    }

    fn update(&mut self, digest: KeccakHash) {
        self.digest = digest;
        self.n_draws = 0;
    }

    fn draw_base_felts(&mut self) -> [BaseField; 8] {
        loop {
            let w = self.draw_words();
            if w.iter().all(|&x| x < 2 * P) {
                return w.map(|x| BaseField::reduce(x as u64));
            }
        }
    }

    fn draw_words(&mut self) -> [u32; 8] {
        let h = keccak(&[&self.digest.0, &self.n_draws.to_be_bytes(), &[0u8]]);
        self.n_draws += 1;
        std::array::from_fn(|i| u32::from_be_bytes(h.0[4 * i..4 * i + 4].try_into().unwrap()))
    }

    /// `keccak256(be32(POW_PREFIX) ‖ 0^12 ‖ digest ‖ be32(bits))`.
    pub fn pow_prefix(&self, n_bits: u32) -> KeccakHash {
        keccak(&[
            &POW_PREFIX.to_be_bytes(),
            &[0u8; 12],
            &self.digest.0,
            &n_bits.to_be_bytes(),
        ])
    }
}

/// Leading zero bits of `keccak256(prefixed ‖ be64(nonce))`.
fn pow_zeros(prefixed: &KeccakHash, nonce: u64) -> u32 {
    leading_zeros(&keccak(&[&prefixed.0, &nonce.to_be_bytes()]))
}

/// The smallest nonce of `range` (a multiple of 8 long) with `bits`
/// leading zero bits, hashing 8 nonces at once: what
/// `range.find(|&n| pow_zeros(prefixed, n) >= bits)` finds.
fn first_good_nonce(prefixed: &KeccakHash, range: std::ops::Range<u64>, bits: u32) -> Option<u64> {
    (range.start..range.end).step_by(8).find_map(|n| {
        let inputs: [[u8; 40]; 8] = std::array::from_fn(|k| {
            let mut m = [0u8; 40];
            m[..32].copy_from_slice(&prefixed.0);
            m[32..].copy_from_slice(&(n + k as u64).to_be_bytes());
            m
        });
        keccak_x8(std::array::from_fn(|k| &inputs[k][..]))
            .iter()
            .position(|h| leading_zeros(h) >= bits)
            .map(|k| n + k as u64)
    })
}

fn leading_zeros(h: &KeccakHash) -> u32 {
    let mut zeros = 0;
    for b in h.0 {
        if b == 0 {
            zeros += 8;
        } else {
            return zeros + b.leading_zeros();
        }
    }
    zeros
}

impl Channel for KeccakChannel {
    const BYTES_PER_HASH: usize = 32;

    fn verify_pow_nonce(&self, n_bits: u32, nonce: u64) -> bool {
        pow_zeros(&self.pow_prefix(n_bits), nonce) >= n_bits
    }

    fn mix_u32s(&mut self, data: &[u32]) {
        let mut bytes = Vec::with_capacity(32 + 4 * data.len());
        bytes.extend_from_slice(&self.digest.0);
        for w in data {
            bytes.extend_from_slice(&w.to_be_bytes());
        }
        self.update(keccak(&[&bytes]));
    }

    fn mix_felts(&mut self, felts: &[SecureField]) {
        let mut bytes = Vec::with_capacity(32 + 16 * felts.len());
        bytes.extend_from_slice(&self.digest.0);
        for f in felts {
            for c in f.to_m31_array() {
                bytes.extend_from_slice(&c.0.to_be_bytes());
            }
        }
        self.update(keccak(&[&bytes]));
    }

    fn mix_u64(&mut self, value: u64) {
        let d = keccak(&[&self.digest.0, &value.to_be_bytes()]);
        self.update(d);
    }

    fn draw_secure_felt(&mut self) -> SecureField {
        let f = self.draw_base_felts();
        SecureField::from_m31_array(std::array::from_fn(|i| f[i]))
    }

    fn draw_secure_felts(&mut self, n_felts: usize) -> Vec<SecureField> {
        let mut out = Vec::with_capacity(n_felts);
        while out.len() < n_felts {
            let f = self.draw_base_felts();
            for chunk in f.chunks_exact(SECURE_EXTENSION_DEGREE) {
                if out.len() < n_felts {
                    out.push(SecureField::from_m31_array(std::array::from_fn(|i| {
                        chunk[i]
                    })));
                }
            }
        }
        out
    }

    fn draw_u32s(&mut self) -> Vec<u32> {
        self.draw_words().to_vec()
    }
}

/// The Merkle channel: Keccak Merkle trees and the Keccak Fiat–Shamir channel.
#[derive(Default)]
pub struct KeccakMerkleChannel;

impl MerkleChannel for KeccakMerkleChannel {
    type C = KeccakChannel;
    type H = KeccakMerkleHasher;

    fn mix_root(channel: &mut KeccakChannel, root: KeccakHash) {
        let d = keccak(&[&channel.digest.0, &root.0]);
        channel.update(d);
    }
}

impl ColumnOps<KeccakHash> for SimdBackend {
    type Column = Vec<KeccakHash>;

    fn bit_reverse_column(column: &mut Self::Column) {
        stwo::core::utils::bit_reverse(column);
    }
}

impl MerkleOpsLifted<KeccakMerkleHasher> for SimdBackend {
    fn build_leaves(columns: &[&BaseColumn], lifting_log_size: u32) -> Vec<KeccakHash> {
        if columns.is_empty() {
            return vec![KeccakMerkleHasher::default().finalize()];
        }
        let n_leaves = 1usize << lifting_log_size;
        let n_cols = columns.len();
        let all_full = columns.iter().all(|c| c.length == n_leaves);
        if !all_full || n_leaves < N_LANES {
            // Lifted columns of smaller sizes (or tiny trees): Stwo's rule, value by value.
            let cpu: Vec<Vec<BaseField>> = columns.iter().map(|c| c.to_cpu()).collect();
            return <CpuBackend as MerkleOpsLifted<KeccakMerkleHasher>>::build_leaves(
                &cpu.iter().collect::<Vec<_>>(),
                lifting_log_size,
            );
        }
        let mut out = vec![KeccakHash::default(); n_leaves];
        out.par_chunks_mut(N_LANES).enumerate().for_each_init(
            || vec![0u8; 4 * n_cols * N_LANES],
            |buf, (v, leaves)| {
                // buf holds the 16 leaves' byte strings one after the other.
                for (c, col) in columns.iter().enumerate() {
                    let vals = col.data[v].to_array();
                    for (lane, x) in vals.iter().enumerate() {
                        let at = lane * 4 * n_cols + 4 * c;
                        buf[at..at + 4].copy_from_slice(&x.0.to_be_bytes());
                    }
                }
                let leaf = |lane: usize| &buf[lane * 4 * n_cols..(lane + 1) * 4 * n_cols];
                for (eight, out) in leaves.chunks_mut(8).enumerate() {
                    out.copy_from_slice(&keccak_x8(std::array::from_fn(|k| leaf(8 * eight + k))));
                }
            },
        );
        out
    }

    fn build_next_layer(prev_layer: &Vec<KeccakHash>) -> Vec<KeccakHash> {
        let mut out = vec![KeccakHash::default(); prev_layer.len() / 2];
        out.par_chunks_mut(8)
            .zip(prev_layer.par_chunks(16))
            .for_each(|(parents, children)| {
                if parents.len() == 8 {
                    let pairs: [[u8; 64]; 8] = std::array::from_fn(|k| {
                        let mut pair = [0u8; 64];
                        pair[..32].copy_from_slice(&children[2 * k].0);
                        pair[32..].copy_from_slice(&children[2 * k + 1].0);
                        pair
                    });
                    parents.copy_from_slice(&keccak_x8(std::array::from_fn(|k| &pairs[k][..])));
                } else {
                    for (k, parent) in parents.iter_mut().enumerate() {
                        *parent = keccak(&[&children[2 * k].0, &children[2 * k + 1].0]);
                    }
                }
            });
        out
    }
}

impl GrindOps<KeccakChannel> for SimdBackend {
    /// The smallest nonce that works, searched in parallel blocks.
    fn grind(channel: &KeccakChannel, pow_bits: u32) -> u64 {
        let prefixed = channel.pow_prefix(pow_bits);
        const BLOCK: u64 = 1 << 12;
        let threads = rayon::current_num_threads().max(1) as u64;
        let mut base = 0u64;
        loop {
            let found = (0..threads)
                .into_par_iter()
                .filter_map(|t| {
                    let start = base + t * BLOCK;
                    first_good_nonce(&prefixed, start..start + BLOCK, pow_bits)
                })
                .min();
            if let Some(n) = found {
                return n;
            }
            base += threads * BLOCK;
        }
    }
}

impl BackendForChannel<KeccakMerkleChannel> for SimdBackend {}
impl BackendForChannel<KeccakMerkleChannel> for CpuBackend {}

#[cfg(test)]
mod tests {
    use super::*;
    use stwo::core::vcs_lifted::verifier::MerkleVerifierLifted;
    use stwo::prover::vcs_lifted::prover::MerkleProverLifted;

    /// `keccak_x8` against keccak-asm one by one, at every length up to
    /// three blocks (each padding case: a block's last byte, a full block,
    /// the empty string) and with lengths that differ.
    #[test]
    fn eight_at_once_is_keccak() {
        let data: Vec<u8> = (0..8 * 420u32).map(|i| (i * 131 + i / 7) as u8).collect();
        for len in 0..=3 * RATE + 1 {
            let msgs: [&[u8]; 8] = std::array::from_fn(|k| &data[k * 420..k * 420 + len]);
            assert_eq!(keccak_x8(msgs), msgs.map(|m| keccak(&[m])), "length {len}");
        }
        let mixed: [&[u8]; 8] = std::array::from_fn(|k| &data[..k * 50]);
        assert_eq!(keccak_x8(mixed), mixed.map(|m| keccak(&[m])));
    }

    /// The grinding finds the smallest good nonce, as one by one would.
    #[test]
    fn grinding_eight_at_once_finds_the_first_good_nonce() {
        let prefixed = keccak(&[b"msgl"]);
        for bits in [1, 4, 9] {
            let want = (0u64..).find(|&n| pow_zeros(&prefixed, n) >= bits).unwrap();
            assert_eq!(first_good_nonce(&prefixed, 0..1 << 16, bits), Some(want));
            // From the multiple of 8 just past it: the next good one.
            let start = (want / 8 + 1) * 8;
            let next = (start..)
                .find(|&n| pow_zeros(&prefixed, n) >= bits)
                .unwrap();
            assert_eq!(
                first_good_nonce(&prefixed, start..start + (1 << 16), bits),
                Some(next)
            );
        }
        assert_eq!(first_good_nonce(&prefixed, 0..8, 64), None);
    }

    #[test]
    fn keccak_matches_the_known_empty_hash() {
        assert_eq!(
            format!("{}", keccak(&[])),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn simd_and_cpu_trees_agree_and_verify() {
        for log in [3u32, 4, 6, 9] {
            let cols: Vec<Vec<BaseField>> = (0..23)
                .map(|c| {
                    (0..1u32 << log)
                        .map(|i| BaseField::from(i.wrapping_mul(7919) ^ (c * 104729)))
                        .collect()
                })
                .collect();
            let simd: Vec<BaseColumn> = cols.iter().map(|c| BaseColumn::from_cpu(c)).collect();
            let a = MerkleProverLifted::<CpuBackend, KeccakMerkleHasher>::commit(
                cols.iter().collect(),
                log,
                0,
            );
            let b = MerkleProverLifted::<SimdBackend, KeccakMerkleHasher>::commit(
                simd.iter().collect(),
                log,
                0,
            );
            assert_eq!(a.root(), b.root());
            let queries = vec![0, 3, 5, (1 << log) - 1];
            let (values, dec) = b.decommit(&queries, simd.iter().collect());
            let verifier = MerkleVerifierLifted::<KeccakMerkleHasher>::new(
                b.root(),
                vec![log; cols.len()],
                None,
            );
            verifier
                .verify(&queries, values.clone(), dec.decommitment.clone())
                .unwrap();
            let mut bad = values;
            bad[4][1] += BaseField::from(1);
            assert!(verifier.verify(&queries, bad, dec.decommitment).is_err());
        }
    }

    #[test]
    fn grind_finds_a_nonce_the_channel_accepts() {
        let mut ch = KeccakChannel::default();
        ch.mix_u32s(&[1, 2, 3]);
        let nonce = <SimdBackend as GrindOps<KeccakChannel>>::grind(&ch, 12);
        assert!(ch.verify_pow_nonce(12, nonce));
        assert!((0..nonce).all(|n| !ch.verify_pow_nonce(12, n)));
    }

    #[test]
    fn draws_are_reproducible_words() {
        let mut ch = KeccakChannel::default();
        ch.mix_u64(0x0102_0304_0506_0708);
        let d = ch.digest();
        let mut bytes = [0u8; 40];
        bytes[..32].copy_from_slice(&[0u8; 32]);
        bytes[32..].copy_from_slice(&0x0102_0304_0506_0708u64.to_be_bytes());
        assert_eq!(d, keccak(&[&bytes]));
        let w = ch.draw_u32s();
        let h = keccak(&[&d.0, &0u32.to_be_bytes(), &[0]]);
        assert_eq!(w[0], u32::from_be_bytes(h.0[..4].try_into().unwrap()));
        let felts = ch.draw_secure_felts(3);
        assert_eq!(felts.len(), 3);
    }
}
