//! The co-signed reconciliation (`msgl/recon/v2`, docs/DESIGN.md §5.7): the
//! two nodes (sorted), the period (epoch, previous epoch), and for each
//! direction (payer → payee) a checkpoint of every channel that way (its
//! last nonce, cumulative units and preimage) and the books (the carried
//! balance and each open message's amount), then the net. Both nodes sign
//! the same canonical bytes. The epoch is a period label between the two
//! nodes only: no ack carries it and the chain never sees it.

use crate::journal::Decimal;
use ed25519_dalek::{Signer, SigningKey};
use msgl_poseidon2::Digest;
use serde::{Deserialize, Serialize};

use super::{amount_fixed, check_domain, hexbytes, verify_sig, Canon, DOMAIN_RECON};
use crate::error::{Error, Result};
use crate::keys::{verifying, PublicKey};

/// Most open messages per direction in one reconciliation (a period's
/// list; about 100 bytes of YAML each).
pub const MAX_MESSAGES: usize = 1 << 20;
/// Most channels per direction in one reconciliation.
pub const MAX_CHANNELS: usize = 1 << 12;
/// Longest message segment (the journal's sub-account name).
pub const MAX_SEGMENT: usize = 256;

/// One open message in a direction: the message's sub-account segment (the
/// first 16 hex digits of its hash) and the amount booked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub message: String,
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub amount: Decimal,
}

/// Where one channel stood at the epoch: its last ack's nonce, cumulative
/// units and preimage w_cumulative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Position {
    #[serde(with = "hexbytes")]
    pub channel: [u8; 32],
    pub nonce: u64,
    pub cumulative: u64,
    #[serde(with = "hexbytes")]
    pub preimage: [u8; 32],
}

/// One direction, payer → payee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Direction {
    /// Every channel that way with at least one ack by the epoch, sorted by id.
    pub channels: Vec<Position>,
    /// Balance carried from earlier reconciliations (`…:epoch-<ms>` lines).
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub carried: Decimal,
    /// Open messages since the previous reconciliation, sorted.
    pub messages: Vec<Item>,
    /// carried + the messages: what the payer owes the payee.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub amount: Decimal,
}

/// A signed amount in the canonical bytes: a sign (u64: 0 for ≥ 0, 1 for
/// < 0) then the magnitude as a `u128` count of 10^-18 (a balance may be
/// negative, e.g. a payment booked on the peer's account itself).
fn signed(c: Canon, d: Decimal, what: &str) -> Result<Canon> {
    let neg = d.is_sign_negative() && !d.is_zero();
    Ok(c.u64(u64::from(neg)).u128(amount_fixed(d.abs(), what)?))
}

/// A message segment as the journal can hold it in an account name: no
/// colon, no control or bidi characters, no two spaces or tab, at most
/// [`MAX_SEGMENT`] bytes. A peer's proposal is refused otherwise, so no peer
/// text reaches a terminal or a journal unchecked.
pub fn check_segment(s: &str) -> Result<()> {
    let bad = s.len() > MAX_SEGMENT
        || s.contains(':')
        || s.contains("  ")
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.chars()
            .any(|c| c == '\t' || crate::error::is_unsafe_char(c));
    if bad {
        return Err(Error::object(format!(
            "a reconciliation names a message `{}` that is not a journal sub-account",
            s.chars()
                .flat_map(char::escape_default)
                .take(80)
                .collect::<String>()
        ))
        .hint("a message is the 16 hex digits of its hash, as both journals name it"));
    }
    Ok(())
}

impl Direction {
    fn canon(&self, mut c: Canon) -> Result<Canon> {
        c = c.u64(self.channels.len() as u64);
        for p in &self.channels {
            c = c
                .bytes32(&p.channel)
                .u64(p.nonce)
                .u64(p.cumulative)
                .bytes32(&p.preimage);
        }
        c = signed(c, self.carried, "carried amount")?.u64(self.messages.len() as u64);
        for m in &self.messages {
            c = signed(c.str(&m.message), m.amount, "message amount")?;
        }
        signed(c, self.amount, "amount")
    }
}

/// Which way the net transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NetDirection {
    /// node_a pays node_b.
    AToB,
    /// node_b pays node_a.
    BToA,
    /// Nothing to transfer.
    None,
}

impl NetDirection {
    fn code(self) -> u64 {
        match self {
            NetDirection::AToB => 1,
            NetDirection::BToA => 2,
            NetDirection::None => 0,
        }
    }
}

/// A signature in hex (128 digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sig(#[serde(with = "hexbytes")] pub [u8; 64]);

/// A reconciliation, as in its YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recon {
    /// Always `msgl/recon/v2`.
    pub domain: String,
    /// The two nodes, node_a < node_b (bytewise).
    #[serde(with = "hexbytes")]
    pub node_a: PublicKey,
    #[serde(with = "hexbytes")]
    pub node_b: PublicKey,
    /// The period closed: ms since the Unix epoch.
    pub epoch: u64,
    /// The previous reconciliation's epoch between the two (0: none).
    pub previous_epoch: u64,
    pub a_to_b: Direction,
    pub b_to_a: Direction,
    /// |a_to_b.amount − b_to_a.amount|, and who pays it.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub net: Decimal,
    pub net_direction: NetDirection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_a: Option<Sig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_b: Option<Sig>,
}

/// One channel's checkpoint for the prover: (payer, payee, channel, nonce,
/// cumulative, preimage w_cumulative).
pub type ChannelTip = (PublicKey, PublicKey, [u8; 32], u64, u64, Digest);

impl Recon {
    /// The two keys in canonical order.
    pub fn sorted(x: PublicKey, y: PublicKey) -> (PublicKey, PublicKey) {
        if x <= y {
            (x, y)
        } else {
            (y, x)
        }
    }

    /// An unsigned reconciliation of `node_a` and `node_b` (in canonical
    /// order) with its net and net direction derived from the two amounts.
    pub fn unsigned(
        (node_a, node_b): (PublicKey, PublicKey),
        epoch: u64,
        previous_epoch: u64,
        a_to_b: Direction,
        b_to_a: Direction,
    ) -> Recon {
        let mut r = Recon {
            domain: DOMAIN_RECON.to_string(),
            node_a,
            node_b,
            epoch,
            previous_epoch,
            a_to_b,
            b_to_a,
            net: Decimal::ZERO,
            net_direction: NetDirection::None,
            signature_a: None,
            signature_b: None,
        };
        r.set_net();
        r
    }

    /// Sets `net` and `net_direction` from the two directions' amounts.
    pub fn set_net(&mut self) {
        let (ab, ba) = (self.a_to_b.amount, self.b_to_a.amount);
        if ab > ba {
            self.net = ab - ba;
            self.net_direction = NetDirection::AToB;
        } else if ba > ab {
            self.net = ba - ab;
            self.net_direction = NetDirection::BToA;
        } else {
            self.net = Decimal::ZERO;
            self.net_direction = NetDirection::None;
        }
        self.net = self.net.normalize();
    }

    /// The bytes both nodes sign: domain, node_a, node_b, epoch,
    /// previous_epoch, a→b then b→a (channel count, each channel's id,
    /// nonce, cumulative and preimage, carried, message count, each message
    /// (length-prefixed segment, amount), amount; these amounts signed), net
    /// (unsigned), net direction (0 none, 1 a→b, 2 b→a).
    pub fn signing_bytes(&self) -> Result<Vec<u8>> {
        let c = Canon::new(DOMAIN_RECON)
            .bytes32(&self.node_a)
            .bytes32(&self.node_b)
            .u64(self.epoch)
            .u64(self.previous_epoch);
        let c = self.a_to_b.canon(c)?;
        let c = self.b_to_a.canon(c)?;
        Ok(c.u128(amount_fixed(self.net, "net amount")?)
            .u64(self.net_direction.code())
            .finish())
    }

    /// Signs with `key` (one of the two nodes), in its slot.
    pub fn sign(&mut self, key: &SigningKey) -> Result<()> {
        let me = key.verifying_key().to_bytes();
        let sig = Sig(key.sign(&self.signing_bytes()?).to_bytes());
        if me == self.node_a {
            self.signature_a = Some(sig);
        } else if me == self.node_b {
            self.signature_b = Some(sig);
        } else {
            return Err(Error::object(
                "this node is not one of the reconciliation's two nodes",
            ));
        }
        Ok(())
    }

    /// The signature slot of `node`, if it is one of the two.
    pub fn signature_of(&self, node: &PublicKey) -> Option<Option<Sig>> {
        if node == &self.node_a {
            Some(self.signature_a)
        } else if node == &self.node_b {
            Some(self.signature_b)
        } else {
            None
        }
    }

    /// Checks the domain, the order of the nodes, the amounts, and that
    /// `node` (one of the two) signed these fields.
    pub fn verify_signer(&self, node: &PublicKey) -> Result<()> {
        self.check_shape()?;
        let sig = self.signature_of(node).flatten().ok_or_else(|| {
            Error::signature(format!(
                "the reconciliation is not signed by {}",
                hex::encode(node)
            ))
        })?;
        verify_sig(
            &verifying(node)?,
            &self.signing_bytes()?,
            &sig.0,
            "reconciliation",
        )
    }

    /// Checks both signatures (a co-signed reconciliation).
    pub fn verify(&self) -> Result<()> {
        if !self.is_cosigned() {
            return Err(
                Error::signature("the reconciliation is not signed by both nodes")
                    .hint("the peer co-signs with `msgl reconcile --with PEER --accept FILE`"),
            );
        }
        self.verify_signer(&self.node_a)?;
        self.verify_signer(&self.node_b)
    }

    /// Whether both signature slots are filled (`verify` checks them).
    pub fn is_cosigned(&self) -> bool {
        self.signature_a.is_some() && self.signature_b.is_some()
    }

    /// The epoch (ms) the reconciliation closes.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Every channel checkpoint, for the prover: (payer, payee, channel,
    /// nonce, cumulative, preimage as a digest).
    pub fn checkpoints(&self) -> Vec<ChannelTip> {
        let mut out = Vec::new();
        for (payer, payee, d) in [
            (self.node_a, self.node_b, &self.a_to_b),
            (self.node_b, self.node_a, &self.b_to_a),
        ] {
            for p in &d.channels {
                if let Ok(w) = msgl_poseidon2::unpack(&p.preimage) {
                    out.push((payer, payee, p.channel, p.nonce, p.cumulative, w));
                }
            }
        }
        out
    }

    /// Domain, node order, list sizes, amounts and the net are well formed.
    fn check_shape(&self) -> Result<()> {
        check_domain(&self.domain, DOMAIN_RECON, "reconciliation")?;
        if self.node_a >= self.node_b {
            return Err(Error::object(
                "node_a must sort before node_b in a reconciliation",
            ));
        }
        for d in [&self.a_to_b, &self.b_to_a] {
            if d.messages.len() > MAX_MESSAGES {
                return Err(Error::object("too many messages in a reconciliation"));
            }
            if d.channels.len() > MAX_CHANNELS {
                return Err(Error::object("too many channels in a reconciliation"));
            }
            if !d.channels.windows(2).all(|w| w[0].channel < w[1].channel) {
                return Err(Error::object(
                    "a reconciliation's channels are not sorted by id without repeats",
                ));
            }
            for p in &d.channels {
                if msgl_poseidon2::unpack(&p.preimage).is_err() || p.nonce == 0 || p.cumulative == 0
                {
                    return Err(Error::object(
                        "a reconciliation checkpoint is not a channel's ack (nonce, cumulative, canonical preimage)",
                    ));
                }
            }
            if !d.messages.windows(2).all(|w| w[0].message < w[1].message) {
                return Err(Error::object(
                    "a reconciliation's messages are not sorted without repeats",
                ));
            }
            for m in &d.messages {
                check_segment(&m.message)?;
            }
        }
        let mut probe = self.clone();
        probe.set_net();
        if probe.net != self.net.normalize() || probe.net_direction != self.net_direction {
            return Err(Error::object(
                "the reconciliation's net does not follow from its two amounts",
            ));
        }
        Ok(())
    }

    pub fn from_yaml(text: &str) -> Result<Recon> {
        super::from_yaml(text, "reconciliation")
    }

    /// The ordering of proposals that cross (both nodes proposed before
    /// either co-signed): the later epoch goes first, then the larger
    /// proposer key. The proposer is the node whose signature it carries.
    pub fn precedence(&self) -> (u64, PublicKey) {
        let proposer = if self.signature_a.is_some() {
            self.node_a
        } else {
            self.node_b
        };
        (self.epoch, proposer)
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a Recon always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direction(with_channel: bool, amount: &str) -> Direction {
        let amount: Decimal = amount.parse().unwrap();
        Direction {
            channels: if with_channel {
                vec![Position {
                    channel: [9; 32],
                    nonce: 3,
                    cumulative: 7,
                    preimage: [1; 32],
                }]
            } else {
                Vec::new()
            },
            carried: Decimal::ZERO,
            messages: vec![Item {
                message: "00000000000000ab".into(),
                amount,
            }],
            amount,
        }
    }

    fn recon(x: &SigningKey, y: &SigningKey) -> Recon {
        Recon::unsigned(
            Recon::sorted(x.verifying_key().to_bytes(), y.verifying_key().to_bytes()),
            5,
            1,
            direction(true, "0.00003"),
            direction(false, "-0.00001"),
        )
    }

    #[test]
    fn both_sign_the_same_bytes_and_every_field_counts() {
        let (x, y) = (
            SigningKey::from_bytes(&[3; 32]),
            SigningKey::from_bytes(&[4; 32]),
        );
        let mut r = recon(&x, &y);
        assert_eq!(r.net, "0.00004".parse().unwrap());
        assert_eq!(r.net_direction, NetDirection::AToB);
        r.sign(&x).unwrap();
        assert!(!r.is_cosigned());
        assert!(r.verify().is_err());
        r.verify_signer(&x.verifying_key().to_bytes()).unwrap();
        r.sign(&y).unwrap();
        r.verify().unwrap();
        let back = Recon::from_yaml(&r.to_yaml()).unwrap();
        assert_eq!(back, r);
        back.verify().unwrap();
        // Each change is caught.
        let changes: Vec<fn(&mut Recon)> = vec![
            |r| r.epoch += 1,
            |r| r.previous_epoch += 1,
            |r| r.a_to_b.channels[0].nonce += 1,
            |r| r.a_to_b.channels[0].cumulative += 1,
            |r| r.a_to_b.channels[0].preimage[0] ^= 1,
            |r| r.a_to_b.channels[0].channel[0] ^= 1,
            |r| r.b_to_a.channels.push(r.a_to_b.channels[0]),
            |r| r.a_to_b.messages[0].message.push('0'),
            |r| r.b_to_a.messages[0].amount = -r.b_to_a.messages[0].amount,
            |r| r.b_to_a.carried = "0.1".parse().unwrap(),
        ];
        for (i, f) in changes.into_iter().enumerate() {
            let mut bad = r.clone();
            f(&mut bad);
            assert!(bad.verify().is_err(), "change {i} not caught");
        }
        // The net must follow from the amounts.
        let mut bad = r.clone();
        bad.net_direction = NetDirection::BToA;
        let e = bad.verify().unwrap_err();
        assert!(
            matches!(e, Error::Object(_)) && e.what().contains("net"),
            "{e}"
        );
        // A stranger cannot sign.
        let z = SigningKey::from_bytes(&[5; 32]);
        assert!(r.clone().sign(&z).is_err());
    }

    #[test]
    fn checkpoints_for_the_prover() {
        let (x, y) = (
            SigningKey::from_bytes(&[3; 32]),
            SigningKey::from_bytes(&[4; 32]),
        );
        let r = recon(&x, &y);
        assert_eq!(r.epoch(), 5);
        let d = r.checkpoints();
        // b→a has no channel and gives none.
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].0, d[0].1, d[0].2), (r.node_a, r.node_b, [9; 32]));
        assert_eq!((d[0].3, d[0].4), (3, 7));
        assert_eq!(d[0].5, [0x0101_0101; 8]);
    }

    #[test]
    fn peer_text_that_is_no_journal_segment_is_refused() {
        let (x, y) = (
            SigningKey::from_bytes(&[3; 32]),
            SigningKey::from_bytes(&[4; 32]),
        );
        for bad in [
            "ab\u{1b}[2J",
            "a:b",
            "a  b",
            "bell\u{7}",
            "\u{202e}x",
            "new\nline",
        ] {
            let mut r = recon(&x, &y);
            r.a_to_b.messages[0].message = bad.to_string();
            r.sign(&x).unwrap();
            let e = r.verify_signer(&x.verifying_key().to_bytes()).unwrap_err();
            assert!(matches!(e, Error::Object(_)), "{bad:?}: {e}");
            // What the user reads names the rule and shows no raw control
            // character.
            assert!(
                e.what().contains("not a journal sub-account"),
                "{bad:?}: {e}"
            );
            assert!(
                !e.what().contains('\u{1b}') && !e.what().contains('\u{7}'),
                "{e}"
            );
        }
    }

    #[test]
    fn unknown_fields_are_refused() {
        let (x, y) = (
            SigningKey::from_bytes(&[3; 32]),
            SigningKey::from_bytes(&[4; 32]),
        );
        let text = format!("{}extra: 1\n", recon(&x, &y).to_yaml());
        let e = Recon::from_yaml(&text).unwrap_err();
        assert!(
            matches!(e, Error::Object(_)) && e.what().contains("unknown field"),
            "{e}"
        );
    }
}
