//! Payer-side hash chains (DESIGN §5.2, PayWord): the seed w_n derived from
//! the payer's secret key, the payee and the generation; w_(i-1) = H(w_i);
//! the anchor w_0 = H^n(w_n). Checkpoints every ⌈√n⌉ links make any w_i
//! cost at most ⌈√n⌉ hashes.

use sha2::{Digest as _, Sha512};

use crate::{hash_n, pack, unpack, Digest, P};

/// Domain tag of the seed derivation.
pub const SEED_DOMAIN: &str = "msgl/chain-seed/v1";
/// Longest chain `msgl open` makes (a statement entry moves < 2^30 units).
pub const MAX_LENGTH: u64 = 1 << 30;

const MAGIC: &[u8; 16] = b"msgl/chain/v1\0\0\0";

/// w_n = 8 canonical M31 elements from SHA-512("msgl/chain-seed/v1" ||
/// secret || payee || generation as u64 BE): each 8-byte word of the digest
/// (big-endian) reduced mod 2^31 − 1 (bias below 2^-32).
pub fn seed(secret: &[u8; 32], payee: &[u8; 32], generation: u64) -> Digest {
    let mut h = Sha512::new();
    h.update(SEED_DOMAIN.as_bytes());
    h.update(secret);
    h.update(payee);
    h.update(generation.to_be_bytes());
    let out = h.finalize();
    let mut d = [0u32; 8];
    for (i, w) in d.iter_mut().enumerate() {
        let word = u64::from_be_bytes(out[8 * i..8 * i + 8].try_into().expect("8 bytes"));
        *w = (word % P as u64) as u32;
    }
    d
}

/// Checkpoint spacing for a chain of length n: ⌈√n⌉ (at least 1).
pub fn spacing(n: u64) -> u64 {
    let mut s = (n as f64).sqrt() as u64;
    while s * s < n {
        s += 1;
    }
    while s > 1 && (s - 1) * (s - 1) >= n {
        s -= 1;
    }
    s.max(1)
}

/// A chain with its checkpoints: `points[k]` = w_(k·spacing) for
/// k·spacing ≤ n, and `top` = w_n (the seed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashChain {
    pub length: u64,
    pub spacing: u64,
    pub points: Vec<Digest>,
    pub top: Digest,
}

impl HashChain {
    /// Walks the chain from the seed down to the anchor (n hashes), keeping
    /// the checkpoints.
    pub fn build(seed: Digest, length: u64) -> HashChain {
        let s = spacing(length);
        let count = (length / s + 1) as usize;
        let mut points = vec![[0u32; 8]; count];
        let mut w = seed;
        let mut i = length;
        loop {
            if i.is_multiple_of(s) {
                points[(i / s) as usize] = w;
            }
            if i == 0 {
                break;
            }
            w = crate::hash(&w);
            i -= 1;
        }
        HashChain {
            length,
            spacing: s,
            points,
            top: seed,
        }
    }

    /// The anchor w_0.
    pub fn anchor(&self) -> Digest {
        self.points[0]
    }

    /// w_i, from the nearest checkpoint at or above i (at most `spacing`
    /// hashes). Panics if i > n.
    pub fn get(&self, i: u64) -> Digest {
        assert!(i <= self.length, "w_{i} is beyond the chain's length");
        let j = i.div_ceil(self.spacing) * self.spacing;
        if j > self.length {
            hash_n(&self.top, self.length - i)
        } else {
            hash_n(&self.points[(j / self.spacing) as usize], j - i)
        }
    }

    /// A cursor for w_i at rising (or any) i that keeps the last segment
    /// between two checkpoints: one hash per unit when walked in order.
    pub fn walker(self) -> Walker {
        Walker {
            chain: self,
            top: 0,
            segment: Vec::new(),
        }
    }

    /// w_i without checkpoints: H^(n−i)(seed) (up to n hashes).
    pub fn get_from_seed(seed: &Digest, length: u64, i: u64) -> Digest {
        hash_n(seed, length - i)
    }

    /// The checkpoint file: magic (16 bytes), n and spacing (u64 BE), the
    /// checkpoints then w_n, each packed (32 bytes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(32 + 32 * (self.points.len() + 1));
        v.extend_from_slice(MAGIC);
        v.extend_from_slice(&self.length.to_be_bytes());
        v.extend_from_slice(&self.spacing.to_be_bytes());
        for p in self.points.iter().chain(std::iter::once(&self.top)) {
            v.extend_from_slice(&pack(p));
        }
        v
    }

    pub fn from_bytes(b: &[u8]) -> Option<HashChain> {
        if b.len() < 32 || &b[..16] != MAGIC {
            return None;
        }
        let length = u64::from_be_bytes(b[16..24].try_into().ok()?);
        let s = u64::from_be_bytes(b[24..32].try_into().ok()?);
        if s != spacing(length) {
            return None;
        }
        let count = (length / s + 1) as usize;
        if b.len() != 32 + 32 * (count + 1) {
            return None;
        }
        let mut all = Vec::with_capacity(count + 1);
        for c in b[32..].chunks_exact(32) {
            all.push(unpack(c.try_into().ok()?).ok()?);
        }
        let top = all.pop()?;
        Some(HashChain {
            length,
            spacing: s,
            points: all,
            top,
        })
    }
}

/// See [`HashChain::walker`].
pub struct Walker {
    chain: HashChain,
    /// Index of `segment[0]`; `segment[k]` = w_(top − k).
    top: u64,
    segment: Vec<Digest>,
}

impl Walker {
    /// w_i (panics if i > n).
    pub fn get(&mut self, i: u64) -> Digest {
        let c = &self.chain;
        assert!(i <= c.length, "w_{i} is beyond the chain's length");
        if i > self.top || self.top - i >= self.segment.len() as u64 {
            let j = (i.div_ceil(c.spacing) * c.spacing).min(c.length);
            let mut w = if j == c.length {
                c.top
            } else {
                c.points[(j / c.spacing) as usize]
            };
            let lowest = j.saturating_sub(c.spacing);
            self.segment.clear();
            self.segment.push(w);
            for _ in lowest..j {
                w = crate::hash(&w);
                self.segment.push(w);
            }
            self.top = j;
        }
        self.segment[(self.top - i) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_is_ceil_sqrt() {
        assert_eq!(spacing(0), 1);
        assert_eq!(spacing(1), 1);
        assert_eq!(spacing(2), 2);
        assert_eq!(spacing(4), 2);
        assert_eq!(spacing(5), 3);
        assert_eq!(spacing(1 << 20), 1024);
        assert_eq!(spacing((1 << 20) + 1), 1025);
    }

    #[test]
    fn checkpoints_agree_with_the_seed() {
        let s = seed(&[7; 32], &[9; 32], 3);
        assert!(s.iter().all(|&e| e < P));
        for n in [1u64, 2, 5, 17, 100] {
            let c = HashChain::build(s, n);
            assert_eq!(c.get(n), s);
            for i in 0..=n {
                assert_eq!(c.get(i), HashChain::get_from_seed(&s, n, i), "n={n} i={i}");
            }
            assert_eq!(HashChain::from_bytes(&c.to_bytes()), Some(c.clone()));
            let mut walk = c.clone().walker();
            for i in (0..=n).chain((0..=n).rev()).chain([n / 2, 0, n, 1]) {
                assert_eq!(walk.get(i), c.get(i), "walker n={n} i={i}");
            }
            assert_eq!(hash_n(&c.get(0), 0), c.anchor());
        }
        assert_ne!(seed(&[7; 32], &[9; 32], 4), s);
    }
}
