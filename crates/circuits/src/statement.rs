//! The batch statement: the proof's public input (docs/DESIGN.md §8.1).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use stwo::core::channel::Channel;

use crate::poseidon2::{self, Digest, P};

/// Largest `new_count - old_count` of one entry, exclusive (DESIGN §8.1).
pub const MAX_ENTRY_UNITS: u64 = 1 << 30;

/// Domain tag mixed into the Fiat–Shamir channel first (DESIGN §8.1); on chain,
/// `STATEMENT_TAG = keccak256("msgl/statement/v2")` opens the fact.
pub const FS_DOMAIN: &[u8] = b"msgl/statement/v2";

/// The deployment a statement is for (DESIGN §8.1): a proof or fact for one chain,
/// settlement contract or token never settles another. The contract
/// compares it with `block.chainid`, `address(this)` and its token, so a
/// zero domain (what `msgl prove` uses without chain settings) can never
/// settle on a real deployment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    /// The chain id (`block.chainid`).
    pub chain_id: u64,
    /// The settlement contract's address.
    #[serde(with = "hex_bytes20")]
    pub settlement: [u8; 20],
    /// The ERC-20 token the settlement contract pays in.
    #[serde(with = "hex_bytes20")]
    pub token: [u8; 20],
}

impl Domain {
    /// The 12 words it contributes to the Fiat–Shamir channel (DESIGN §8.1):
    /// chain id (hi, lo), settlement (5 big-endian words), token (5).
    pub fn fs_words(&self) -> [u32; 12] {
        let mut w = [0u32; 12];
        w[0] = (self.chain_id >> 32) as u32;
        w[1] = self.chain_id as u32;
        for (i, c) in self.settlement.chunks_exact(4).enumerate() {
            w[2 + i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for (i, c) in self.token.chunks_exact(4).enumerate() {
            w[7 + i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        w
    }
}

/// One channel's balance update: `H^(new_count - old_count)(new_preimage) == old_tip`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Channel id: the packed anchor `w_0` (DESIGN §5.1).
    #[serde(with = "hex_bytes32")]
    pub channel: [u8; 32],
    /// The tip the contract holds (`w_old_count`).
    #[serde(with = "hex_digest")]
    pub old_tip: Digest,
    /// Units settled so far.
    pub old_count: u64,
    /// The new preimage (= new tip), `w_new_count`.
    #[serde(with = "hex_digest")]
    pub new_preimage: Digest,
    /// Cumulative units after this update.
    pub new_count: u64,
}

impl Entry {
    /// `new_count - old_count` (saturating; `validate` refuses `new <= old`).
    pub fn units(&self) -> u64 {
        self.new_count.saturating_sub(self.old_count)
    }

    /// The 28 words this entry contributes to the Fiat–Shamir channel (DESIGN §8.1):
    /// channel (8 big-endian words), old tip (8), old count (hi, lo),
    /// new preimage (8), new count (hi, lo).
    pub fn fs_words(&self) -> [u32; 28] {
        let mut w = [0u32; 28];
        for (i, c) in self.channel.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        w[8..16].copy_from_slice(&self.old_tip);
        w[16] = (self.old_count >> 32) as u32;
        w[17] = self.old_count as u32;
        w[18..26].copy_from_slice(&self.new_preimage);
        w[26] = (self.new_count >> 32) as u32;
        w[27] = self.new_count as u32;
        w
    }
}

/// What a batch proof is about: the deployment and the ordered entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub domain: Domain,
    pub entries: Vec<Entry>,
}

/// Why a statement is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementError {
    /// A statement needs at least one entry.
    Empty,
    /// `new_count <= old_count`.
    CountNotIncreasing { index: usize },
    /// `new_count - old_count >= 2^30`.
    TooManyUnits { index: usize, units: u64 },
    /// A digest element is `>= P`.
    NonCanonical { index: usize, field: &'static str },
    /// Two entries name the same channel.
    DuplicateChannel { index: usize },
    /// Entries are not sorted by channel.
    NotSorted { index: usize },
    /// `H^(new - old)(new_preimage) != old_tip`.
    ChainMismatch { index: usize },
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementError::Empty => write!(f, "statement has no entries"),
            StatementError::CountNotIncreasing { index } => {
                write!(f, "entry {index}: new count is not greater than old count")
            }
            StatementError::TooManyUnits { index, units } => {
                write!(
                    f,
                    "entry {index}: {units} units in one update (limit 2^30 - 1)"
                )
            }
            StatementError::NonCanonical { index, field } => {
                write!(f, "entry {index}: {field} has an element >= 2^31 - 1")
            }
            StatementError::DuplicateChannel { index } => {
                write!(f, "entry {index}: channel appears twice")
            }
            StatementError::NotSorted { index } => {
                write!(f, "entry {index}: entries are not sorted by channel")
            }
            StatementError::ChainMismatch { index } => write!(
                f,
                "entry {index}: H^(new - old)(new preimage) does not reach the old tip"
            ),
        }
    }
}

impl std::error::Error for StatementError {}

impl Statement {
    /// Checks the cheap rules (DESIGN §8.1): at least one entry, canonical digests,
    /// `new > old`, `new - old < 2^30`, channels strictly increasing
    /// (hence distinct and sorted). Does not hash; see [`Self::check_chains`].
    pub fn validate(&self) -> Result<(), StatementError> {
        if self.entries.is_empty() {
            return Err(StatementError::Empty);
        }
        for (index, e) in self.entries.iter().enumerate() {
            if e.old_tip.iter().any(|&x| x >= P) {
                return Err(StatementError::NonCanonical {
                    index,
                    field: "old_tip",
                });
            }
            if e.new_preimage.iter().any(|&x| x >= P) {
                return Err(StatementError::NonCanonical {
                    index,
                    field: "new_preimage",
                });
            }
            if e.new_count <= e.old_count {
                return Err(StatementError::CountNotIncreasing { index });
            }
            let units = e.new_count - e.old_count;
            if units >= MAX_ENTRY_UNITS {
                return Err(StatementError::TooManyUnits { index, units });
            }
            if index > 0 {
                let prev = &self.entries[index - 1].channel;
                if *prev == e.channel {
                    return Err(StatementError::DuplicateChannel { index });
                }
                if *prev > e.channel {
                    return Err(StatementError::NotSorted { index });
                }
            }
        }
        Ok(())
    }

    /// Checks `H^(new - old)(new_preimage) == old_tip` for every entry
    /// (costs one hash per unit). Call [`Self::validate`] first.
    pub fn check_chains(&self) -> Result<(), StatementError> {
        for (index, e) in self.entries.iter().enumerate() {
            if poseidon2::hash_n(&e.new_preimage, e.units()) != e.old_tip {
                return Err(StatementError::ChainMismatch { index });
            }
        }
        Ok(())
    }

    /// Sum of the entries' units.
    pub fn total_units(&self) -> u64 {
        self.entries.iter().map(Entry::units).sum()
    }

    /// The words mixed into the Fiat–Shamir channel (DESIGN §8.1): the tag
    /// `msgl/statement/v2` (its 17 bytes zero-padded to 5 big-endian words),
    /// the domain ([`Domain::fs_words`], 12 words), the entry count (hi, lo),
    /// then 28 words per entry ([`Entry::fs_words`]).
    pub fn fs_words(&self) -> Vec<u32> {
        let mut words = Vec::with_capacity(19 + 28 * self.entries.len());
        for chunk in FS_DOMAIN.chunks(4) {
            let mut b = [0u8; 4];
            b[..chunk.len()].copy_from_slice(chunk);
            words.push(u32::from_be_bytes(b));
        }
        words.extend_from_slice(&self.domain.fs_words());
        let n = self.entries.len() as u64;
        words.push((n >> 32) as u32);
        words.push(n as u32);
        for e in &self.entries {
            words.extend_from_slice(&e.fs_words());
        }
        words
    }

    /// Splits a valid statement into statements (parts) of at most
    /// `max_entries` entries and `max_units` units each, to be proven and
    /// settled in order (DESIGN §8.3): an entry of more than `max_units` units is cut
    /// into consecutive updates (old → mid → … → new, each mid's preimage
    /// hashed down from the new preimage), whose pieces go to successive
    /// parts; within a part the entries stay sorted by channel. One part
    /// when the statement fits. Costs one hash per unit of the entries that
    /// are cut. Panics if a limit is zero.
    pub fn split(&self, max_entries: usize, max_units: u64) -> Vec<Statement> {
        assert!(
            max_entries > 0 && max_units > 0,
            "split limits must be positive"
        );
        if self.entries.len() <= max_entries && self.total_units() <= max_units {
            return vec![self.clone()];
        }
        // rounds[k]: the k-th piece of every entry cut into more than k pieces.
        let mut rounds: Vec<Vec<Entry>> = Vec::new();
        for e in &self.entries {
            let mut cuts = Vec::new();
            let mut c = e.old_count;
            while e.new_count - c > max_units {
                c += max_units;
                cuts.push(c);
            }
            // Preimages at the cuts, walking down from the new preimage.
            let mut at = Vec::with_capacity(cuts.len());
            let (mut w, mut count) = (e.new_preimage, e.new_count);
            for &cut in cuts.iter().rev() {
                w = poseidon2::hash_n(&w, count - cut);
                count = cut;
                at.push(w);
            }
            at.reverse();
            let (mut old_count, mut old_tip) = (e.old_count, e.old_tip);
            for (k, (&cut, &w)) in cuts.iter().zip(&at).enumerate() {
                piece(&mut rounds, k).push(Entry {
                    channel: e.channel,
                    old_tip,
                    old_count,
                    new_preimage: w,
                    new_count: cut,
                });
                (old_count, old_tip) = (cut, w);
            }
            piece(&mut rounds, cuts.len()).push(Entry {
                old_tip,
                old_count,
                ..*e
            });
        }
        let mut parts: Vec<Statement> = Vec::new();
        for round in rounds {
            let mut units = 0;
            let mut current: Vec<Entry> = Vec::new();
            for e in round {
                if current.len() == max_entries || units + e.units() > max_units {
                    parts.push(Statement {
                        domain: self.domain,
                        entries: std::mem::take(&mut current),
                    });
                    units = 0;
                }
                units += e.units();
                current.push(e);
            }
            if !current.is_empty() {
                parts.push(Statement {
                    domain: self.domain,
                    entries: current,
                });
            }
        }
        parts
    }

    /// Mixes the statement into a Fiat–Shamir channel, in one `mix_u32s`
    /// call over [`Self::fs_words`].
    pub fn mix_into(&self, channel: &mut impl Channel) {
        channel.mix_u32s(&self.fs_words());
    }
}

/// `rounds[k]`, created empty when missing.
fn piece(rounds: &mut Vec<Vec<Entry>>, k: usize) -> &mut Vec<Entry> {
    if rounds.len() <= k {
        rounds.resize_with(k + 1, Vec::new);
    }
    &mut rounds[k]
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn from_hex32(s: &str) -> Result<[u8; 32], String> {
    from_hex(s)
}

fn from_hex<const N: usize>(s: &str) -> Result<[u8; N], String> {
    let h = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if h.len() != 2 * N {
        return Err(format!("expected {} hex digits, got {}", 2 * N, h.len()));
    }
    let mut out = [0u8; N];
    for (i, pair) in h.as_bytes().chunks_exact(2).enumerate() {
        let digit = |c: u8| -> Result<u8, String> {
            (c as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or_else(|| format!("invalid hex digit {:?}", c as char))
        };
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Ok(out)
}

/// `[u8; 32]` as a `0x`-prefixed hex string in human-readable formats, raw bytes otherwise.
mod hex_bytes32 {
    use super::*;

    pub fn serialize<S: Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&to_hex(b))
        } else {
            b.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            from_hex32(&s).map_err(serde::de::Error::custom)
        } else {
            <[u8; 32]>::deserialize(d)
        }
    }
}

/// An address (`[u8; 20]`) as a `0x`-prefixed hex string in human-readable
/// formats, raw bytes otherwise.
mod hex_bytes20 {
    use super::*;

    pub fn serialize<S: Serializer>(b: &[u8; 20], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&to_hex(b))
        } else {
            b.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 20], D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            from_hex(&s).map_err(serde::de::Error::custom)
        } else {
            <[u8; 20]>::deserialize(d)
        }
    }
}

/// A digest as its packed 32 bytes in hex (human-readable) or 8 u32s;
/// non-canonical elements are refused either way.
mod hex_digest {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Digest, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&to_hex(&poseidon2::pack(d)))
        } else {
            d.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let digest = if d.is_human_readable() {
            let s = String::deserialize(d)?;
            let b = from_hex32(&s).map_err(serde::de::Error::custom)?;
            poseidon2::unpack(&b).map_err(serde::de::Error::custom)?
        } else {
            <[u32; 8]>::deserialize(d)?
        };
        if digest.iter().any(|&x| x >= P) {
            return Err(serde::de::Error::custom(
                "digest element >= 2^31 - 1 (not canonical)",
            ));
        }
        Ok(digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ch: u8, units: u64) -> Entry {
        let pre = [ch as u32, 1, 2, 3, 4, 5, 6, 7];
        Entry {
            channel: [ch; 32],
            old_tip: poseidon2::hash_n(&pre, units),
            old_count: 10,
            new_preimage: pre,
            new_count: 10 + units,
        }
    }

    #[test]
    fn validate_rules() {
        let ok = Statement {
            domain: Domain::default(),
            entries: vec![entry(1, 3), entry(2, 5)],
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.check_chains(), Ok(()));
        assert_eq!(ok.total_units(), 8);

        assert_eq!(Statement::default().validate(), Err(StatementError::Empty));

        let mut s = ok.clone();
        s.entries.swap(0, 1);
        assert_eq!(s.validate(), Err(StatementError::NotSorted { index: 1 }));

        let mut s = ok.clone();
        s.entries[1].channel = s.entries[0].channel;
        assert_eq!(
            s.validate(),
            Err(StatementError::DuplicateChannel { index: 1 })
        );

        let mut s = ok.clone();
        s.entries[0].new_count = s.entries[0].old_count;
        assert_eq!(
            s.validate(),
            Err(StatementError::CountNotIncreasing { index: 0 })
        );

        let mut s = ok.clone();
        s.entries[0].new_count = s.entries[0].old_count + MAX_ENTRY_UNITS;
        assert!(matches!(
            s.validate(),
            Err(StatementError::TooManyUnits { index: 0, .. })
        ));
        s.entries[0].new_count -= 1;
        assert_eq!(s.validate(), Ok(()));

        let mut s = ok.clone();
        s.entries[1].old_tip[3] = P;
        assert!(matches!(
            s.validate(),
            Err(StatementError::NonCanonical { index: 1, .. })
        ));

        let mut s = ok.clone();
        s.entries[1].old_tip = poseidon2::hash(&s.entries[1].old_tip);
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(
            s.check_chains(),
            Err(StatementError::ChainMismatch { index: 1 })
        );
    }

    #[test]
    fn fs_words_layout() {
        let e = Entry {
            channel: core::array::from_fn(|i| i as u8),
            old_tip: [1, 2, 3, 4, 5, 6, 7, 8],
            old_count: 0x1_0000_0002,
            new_preimage: [9, 10, 11, 12, 13, 14, 15, 16],
            new_count: 0x3_0000_0004,
        };
        let w = e.fs_words();
        assert_eq!(w[0], 0x0001_0203);
        assert_eq!(w[7], 0x1c1d_1e1f);
        assert_eq!(&w[8..16], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&w[16..18], &[1, 2]);
        assert_eq!(&w[18..26], &[9, 10, 11, 12, 13, 14, 15, 16]);
        assert_eq!(&w[26..28], &[3, 4]);
        let domain = Domain {
            chain_id: 0x7_0000_0008,
            settlement: core::array::from_fn(|i| 0xa0 + i as u8),
            token: core::array::from_fn(|i| 0x10 + i as u8),
        };
        let s = Statement {
            domain,
            entries: vec![e],
        };
        let all = s.fs_words();
        assert_eq!(all.len(), 5 + 12 + 2 + 28);
        // The tag: "msgl/statement/v2", 17 bytes zero-padded to 5 words.
        assert_eq!(all[0], u32::from_be_bytes(*b"msgl"));
        assert_eq!(all[3], u32::from_be_bytes(*b"nt/v"));
        assert_eq!(all[4], u32::from_be_bytes([b'2', 0, 0, 0]));
        // chain id (hi, lo), settlement and token as 5 big-endian words each.
        assert_eq!(&all[5..7], &[7, 8]);
        assert_eq!(all[7], 0xa0a1_a2a3);
        assert_eq!(all[11], 0xb0b1_b2b3);
        assert_eq!(all[12], 0x1011_1213);
        assert_eq!(all[16], 0x2021_2223);
        // The entry count, then the entry.
        assert_eq!(&all[17..19], &[0, 1]);
        assert_eq!(&all[19..], &w[..]);
    }

    #[test]
    fn split_keeps_every_part_within_the_limits_and_in_settling_order() {
        let s = Statement {
            domain: Domain::default(),
            entries: vec![entry(1, 3), entry(2, 25), entry(3, 1), entry(4, 7)],
        };
        assert_eq!(s.split(4, 36), vec![s.clone()]);
        for (max_entries, max_units) in [(1, 100), (2, 100), (4, 10), (2, 7), (3, 1)] {
            let parts = s.split(max_entries, max_units);
            let mut reached: std::collections::BTreeMap<[u8; 32], (u64, Digest)> = s
                .entries
                .iter()
                .map(|e| (e.channel, (e.old_count, e.old_tip)))
                .collect();
            for p in &parts {
                assert_eq!(p.validate(), Ok(()), "{max_entries}/{max_units}");
                assert_eq!(p.check_chains(), Ok(()));
                assert!(p.entries.len() <= max_entries);
                assert!(p.total_units() <= max_units);
                assert_eq!(p.domain, s.domain);
                // Each piece continues where the channel's last one ended.
                for e in &p.entries {
                    let r = reached.get_mut(&e.channel).unwrap();
                    assert_eq!((e.old_count, e.old_tip), *r);
                    *r = (e.new_count, e.new_preimage);
                }
            }
            // Together they reach every entry's new count and preimage.
            for e in &s.entries {
                assert_eq!(reached[&e.channel], (e.new_count, e.new_preimage));
            }
            assert_eq!(
                parts.iter().map(Statement::total_units).sum::<u64>(),
                s.total_units()
            );
        }
        assert_eq!(s.split(1, 100).len(), 4);
        // [3] [10] [1, 7] from the first pieces, then [10], then [5].
        assert_eq!(s.split(4, 10).len(), 5);
    }

    #[test]
    fn json_uses_hex_and_refuses_non_canonical() {
        let s = Statement {
            domain: Domain {
                chain_id: 31337,
                settlement: [0xab; 20],
                token: [0xcd; 20],
            },
            entries: vec![entry(7, 2)],
        };
        let j = serde_json::to_string(&s).unwrap();
        assert!(j.contains("\"channel\":\"0x0707"), "{j}");
        assert!(
            j.contains(&format!("\"settlement\":\"0x{}\"", "ab".repeat(20))),
            "{j}"
        );
        assert!(j.contains("\"chain_id\":31337"), "{j}");
        // An address of another length is refused.
        let short = j.replacen(&"ab".repeat(20), &"ab".repeat(19), 1);
        assert!(serde_json::from_str::<Statement>(&short).is_err());
        let back: Statement = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        let bad = j.replacen(
            &to_hex(&poseidon2::pack(&s.entries[0].old_tip)),
            &format!("0x{}", "ff".repeat(32)),
            1,
        );
        assert!(serde_json::from_str::<Statement>(&bad).is_err());
    }
}
