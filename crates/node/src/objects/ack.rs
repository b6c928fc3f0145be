//! The ack (`msgl/ack/v2`), signed by the payer for every message it
//! receives: the channel, the payer and payee, a nonce (the payer's count,
//! 1, 2, ...), the message's hash and price in units, the cumulative units
//! since the channel opened, and the preimage `w_cumulative` of the payer's
//! hash chain. Cumulative, like a Raiden balance proof: the latest alone
//! proves the whole debt, and its preimage alone authorizes it on chain.
//! There is no epoch: the chain's count and tip order everything
//! (docs/DESIGN.md §5.6).

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use super::{bad_signature, check_domain, hexbytes, verify_sig_strict, Canon, DOMAIN_ACK};
use crate::error::Result;
use crate::keys::{strict, PublicKey, StrictKey};

/// An ack, as in its YAML file (and as one JSON line in an ack log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// Always `msgl/ack/v2`.
    pub domain: String,
    /// The channel id (the packed anchor of the open).
    #[serde(with = "hexbytes")]
    pub channel: [u8; 32],
    #[serde(with = "hexbytes")]
    pub payer: PublicKey,
    #[serde(with = "hexbytes")]
    pub payee: PublicKey,
    /// 1 for the channel's first ack, then one more for each.
    pub nonce: u64,
    /// The message's hash (32 bytes).
    #[serde(with = "hexbytes")]
    pub message: [u8; 32],
    /// This message's price in units (at least 1).
    pub price: u64,
    /// Units since the channel opened, this message included.
    pub cumulative: u64,
    /// w_cumulative, packed (8 × u32 big-endian).
    #[serde(with = "hexbytes")]
    pub preimage: [u8; 32],
    #[serde(with = "hexbytes")]
    pub signature: [u8; 64],
}

/// The fields a payer fills in to sign an ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckFields {
    pub channel: [u8; 32],
    pub payee: PublicKey,
    pub nonce: u64,
    pub message: [u8; 32],
    pub price: u64,
    pub cumulative: u64,
    pub preimage: [u8; 32],
}

impl Ack {
    /// The bytes signed: domain, channel, payer, payee, nonce, message,
    /// price, cumulative, preimage.
    pub fn signing_bytes(&self) -> Vec<u8> {
        Canon::new(DOMAIN_ACK)
            .bytes32(&self.channel)
            .bytes32(&self.payer)
            .bytes32(&self.payee)
            .u64(self.nonce)
            .bytes32(&self.message)
            .u64(self.price)
            .u64(self.cumulative)
            .bytes32(&self.preimage)
            .finish()
    }

    /// Builds and signs an ack with the payer's key.
    pub fn signed(key: &SigningKey, f: AckFields) -> Ack {
        Ack::signed_by(&Expanded::new(key), f)
    }

    /// As [`signed`](Self::signed), with the key expanded once for many
    /// acks (one SHA-512 less per ack; the same signature).
    pub fn signed_by(key: &Expanded, f: AckFields) -> Ack {
        let mut one = Ack::signed_many(key, std::slice::from_ref(&f));
        one.pop().expect("one ack for one set of fields")
    }

    /// The ack of `f` by `key`'s payer, its signature all zeros.
    fn unsigned(key: &Expanded, f: &AckFields) -> Ack {
        Ack {
            domain: DOMAIN_ACK.to_string(),
            channel: f.channel,
            payer: key.public.to_bytes(),
            payee: f.payee,
            nonce: f.nonce,
            message: f.message,
            price: f.price,
            cumulative: f.cumulative,
            preimage: f.preimage,
            signature: [0; 64],
        }
    }

    /// Signs many acks: RFC 8032 Ed25519 (r = H(prefix, M), R = rB, k =
    /// H(R, A, M), s = r + ka), byte for byte ed25519-dalek's signatures
    /// (the tests hold them to `SigningKey::sign`), with every R compressed
    /// together: one field inversion for all of them instead of one each
    /// (curve25519-dalek 5's `compress_batch_alloc`; the inversion is about
    /// a tenth of the payer's CPU per ack). Constant time in the secrets.
    pub fn signed_many(key: &Expanded, fields: &[AckFields]) -> Vec<Ack> {
        use curve25519_dalek_5::{EdwardsPoint, Scalar};
        use sha2::{Digest as _, Sha512};
        let wide =
            |h: Sha512| -> Scalar { Scalar::from_bytes_mod_order_wide(&h.finalize().into()) };
        let mut acks: Vec<(Ack, Vec<u8>)> = fields
            .iter()
            .map(|f| {
                let ack = Ack::unsigned(key, f);
                let m = ack.signing_bytes();
                (ack, m)
            })
            .collect();
        let rs: Vec<zeroize::Zeroizing<Scalar>> = acks
            .iter()
            .map(|(_, m)| {
                let mut h = Sha512::new();
                h.update(&key.prefix[..]);
                h.update(m);
                zeroize::Zeroizing::new(wide(h))
            })
            .collect();
        let points: Vec<EdwardsPoint> = rs.iter().map(|r| EdwardsPoint::mul_base(r)).collect();
        let compressed = EdwardsPoint::compress_batch_alloc(&points);
        let public = key.public.as_bytes();
        for (((ack, m), r), big_r) in acks.iter_mut().zip(&rs).zip(&compressed) {
            let mut h = Sha512::new();
            h.update(big_r.as_bytes());
            h.update(public);
            h.update(&m[..]);
            let s = wide(h) * key.scalar + **r;
            ack.signature[..32].copy_from_slice(big_r.as_bytes());
            ack.signature[32..].copy_from_slice(s.as_bytes());
        }
        acks.into_iter().map(|(ack, _)| ack).collect()
    }

    /// Checks the domain and the signature by the payer named in the ack.
    pub fn verify(&self) -> Result<()> {
        self.verify_with(&strict(&self.payer)?)
    }

    /// As `verify`, with the payer's key already decoded (refused unless
    /// it is the key of `self.payer`).
    pub fn verify_with(&self, payer_key: &StrictKey) -> Result<()> {
        self.check_signer(payer_key)?;
        verify_sig_strict(payer_key, &self.signing_bytes(), &self.signature, "ack")
    }

    /// As [`verify_with`](Self::verify_with) for many acks by one payer,
    /// with the same answer and error for each: the signatures decided
    /// together (`StrictKey::verify_each`: one batch equation, and one by
    /// one only when it fails).
    pub fn verify_many(payer_key: &StrictKey, acks: &[&Ack]) -> Vec<Result<()>> {
        let mut results: Vec<Result<()>> = acks.iter().map(|a| a.check_signer(payer_key)).collect();
        let signed: Vec<(usize, Vec<u8>)> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| (i, acks[i].signing_bytes()))
            .collect();
        let sigs: Vec<(&[u8], &[u8; 64])> = signed
            .iter()
            .map(|(i, msg)| (msg.as_slice(), &acks[*i].signature))
            .collect();
        for ((i, _), ok) in signed.iter().zip(payer_key.verify_each(&sigs)) {
            if !ok {
                results[*i] = Err(bad_signature(payer_key.key(), "ack"));
            }
        }
        results
    }

    /// The domain, and the payer named in the ack is `payer_key`.
    fn check_signer(&self, payer_key: &StrictKey) -> Result<()> {
        check_domain(&self.domain, DOMAIN_ACK, "ack")?;
        if payer_key.key().as_bytes() != &self.payer {
            return Err(crate::error::Error::signature(
                "the ack's payer is not the expected key",
            ));
        }
        Ok(())
    }

    /// The name of this ack in journal tags and messages:
    /// `<channel id, 64 hex>-<nonce>`.
    pub fn name(&self) -> String {
        ack_name(&self.channel, self.nonce)
    }

    pub fn from_yaml(text: &str) -> Result<Ack> {
        super::from_yaml(text, "ack")
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an Ack always serializes")
    }

    /// One JSON line (no newline): the form of ack logs and of streams.
    /// Written field by field ([`super::jsonline`]), byte for byte what
    /// `serde_json` writes for this struct (`tests::to_json_is_serde_json`):
    /// a stream writes one per ack on each side.
    pub fn to_json(&self) -> String {
        use super::jsonline::{hex_field, num_field, string};
        let mut out = Vec::with_capacity(600);
        out.extend_from_slice(b"{\"domain\":");
        string(&mut out, &self.domain);
        hex_field(&mut out, "channel", &self.channel);
        hex_field(&mut out, "payer", &self.payer);
        hex_field(&mut out, "payee", &self.payee);
        num_field(&mut out, "nonce", Some(self.nonce));
        hex_field(&mut out, "message", &self.message);
        num_field(&mut out, "price", Some(self.price));
        num_field(&mut out, "cumulative", Some(self.cumulative));
        hex_field(&mut out, "preimage", &self.preimage);
        hex_field(&mut out, "signature", &self.signature);
        out.push(b'}');
        String::from_utf8(out).expect("JSON of UTF-8 text is UTF-8")
    }

    /// Reads an ack in either form: a JSON object or YAML.
    pub fn parse(text: &str) -> Result<Ack> {
        if text.trim_start().starts_with('{') {
            serde_json::from_str(text).map_err(|e| {
                crate::error::Error::object(format!("bad ack: {e}"))
                    .at("<input>", e.line(), e.column())
                    .hint("an ack as msgl writes it (YAML or one JSON line); unknown fields are refused")
            })
        } else {
            Ack::from_yaml(text)
        }
    }
}

/// A payer's signing key expanded (its secret scalar and nonce prefix,
/// as RFC 8032 derives them) for signing many acks; zeroed when dropped.
pub struct Expanded {
    /// The secret scalar a, reduced mod l (curve25519-dalek 5, for
    /// [`Ack::signed_many`]).
    scalar: curve25519_dalek_5::Scalar,
    /// The hash prefix that makes each signature's r.
    prefix: zeroize::Zeroizing<[u8; 32]>,
    public: ed25519_dalek::VerifyingKey,
}

impl Expanded {
    pub fn new(key: &SigningKey) -> Expanded {
        // RFC 8032's expansion, by ed25519-dalek (wiped when dropped).
        let secret = ed25519_dalek::hazmat::ExpandedSecretKey::from(key.as_bytes());
        let bytes = zeroize::Zeroizing::new(secret.scalar.to_bytes());
        // ed25519-dalek reduces the clamped scalar mod l: canonical.
        let scalar = Option::from(curve25519_dalek_5::Scalar::from_canonical_bytes(*bytes))
            .expect("an expanded secret scalar is reduced");
        Expanded {
            scalar,
            prefix: zeroize::Zeroizing::new(secret.hash_prefix),
            public: key.verifying_key(),
        }
    }
}

impl Drop for Expanded {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.scalar.zeroize();
    }
}

/// `<channel id, 64 hex>-<nonce>`: how the journal's `; ack:` tags name an ack.
pub fn ack_name(channel: &[u8; 32], nonce: u64) -> String {
    let mut name = String::with_capacity(85);
    push_ack_name(&mut name, channel, nonce);
    name
}

/// Appends [`ack_name`] to `out`.
pub fn push_ack_name(out: &mut String, channel: &[u8; 32], nonce: u64) {
    hexbytes::push_hex(out, channel);
    out.push('-');
    out.push_str(itoa::Buffer::new().format(nonce));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written JSON line is serde_json's, byte for byte, and
        /// reads back as the same ack.
        #[test]
        fn to_json_is_serde_json(
            seed in any::<[u8; 32]>(),
            channel in any::<[u8; 32]>(),
            payee in any::<[u8; 32]>(),
            message in any::<[u8; 32]>(),
            preimage in any::<[u8; 32]>(),
            nonce in any::<u64>(),
            price in any::<u64>(),
            cumulative in any::<u64>(),
            domain in prop_oneof![Just(DOMAIN_ACK.to_string()), any::<String>()],
        ) {
            let key = SigningKey::from_bytes(&seed);
            let mut ack = Ack::signed(&key, AckFields { channel, payee, nonce, message, price, cumulative, preimage });
            ack.domain = domain;
            let json = ack.to_json();
            prop_assert_eq!(&json, &serde_json::to_string(&ack).unwrap());
            {
                use ed25519_dalek::Signer;
                prop_assert_eq!(ack.signature, key.sign(&ack.signing_bytes()).to_bytes());
                prop_assert!(ack.domain != DOMAIN_ACK || ack.verify().is_ok());
            }
            prop_assert_eq!(Ack::parse(&json).unwrap(), ack.clone());
            prop_assert_eq!(ack.name(), format!("{}-{nonce}", hex::encode(channel)));
        }

        /// Signing in a group (curve25519-dalek 5, the R points compressed
        /// together) makes exactly ed25519-dalek's signatures, one by one,
        /// and each verifies under the strict rule; one alone is the same.
        #[test]
        fn signed_many_is_signed_by_byte_for_byte(
            seed in any::<[u8; 32]>(),
            fields in proptest::collection::vec(
                (any::<[u8; 32]>(), any::<[u8; 32]>(), any::<u64>(), any::<u64>(), any::<u64>()),
                0..20,
            ),
        ) {
            let key = SigningKey::from_bytes(&seed);
            let expanded = Expanded::new(&key);
            let fields: Vec<AckFields> = fields
                .into_iter()
                .map(|(channel, message, nonce, price, cumulative)| AckFields {
                    channel,
                    payee: [3; 32],
                    nonce,
                    message,
                    price,
                    cumulative,
                    preimage: channel,
                })
                .collect();
            let many = Ack::signed_many(&expanded, &fields);
            prop_assert_eq!(many.len(), fields.len());
            use ed25519_dalek::Signer;
            for (a, f) in many.iter().zip(&fields) {
                prop_assert_eq!(a.signature, key.sign(&a.signing_bytes()).to_bytes());
                prop_assert_eq!(a, &Ack::signed_by(&expanded, *f));
                prop_assert!(a.verify().is_ok());
            }
        }
    }
}
