//! The ack (`msgl/ack/v2`), signed by the payer for every message it
//! receives: the channel, the payer and payee, a nonce (the payer's count,
//! 1, 2, ...), the message's hash and price in units, the cumulative units
//! since the channel opened, and the preimage `w_cumulative` of the payer's
//! hash chain. Cumulative, like a Raiden balance proof: the latest alone
//! proves the whole debt, and its preimage alone authorizes it on chain.
//! There is no epoch: the chain's count and tip order everything
//! (docs/DESIGN.md §5.6).

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};

use super::{check_domain, hexbytes, verify_sig_strict, Canon, DOMAIN_ACK};
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
        let mut ack = Ack {
            domain: DOMAIN_ACK.to_string(),
            channel: f.channel,
            payer: key.verifying_key().to_bytes(),
            payee: f.payee,
            nonce: f.nonce,
            message: f.message,
            price: f.price,
            cumulative: f.cumulative,
            preimage: f.preimage,
            signature: [0; 64],
        };
        ack.signature = key.sign(&ack.signing_bytes()).to_bytes();
        ack
    }

    /// Checks the domain and the signature by the payer named in the ack.
    pub fn verify(&self) -> Result<()> {
        self.verify_with(&strict(&self.payer)?)
    }

    /// As `verify`, with the payer's key already decoded (refused unless
    /// it is the key of `self.payer`).
    pub fn verify_with(&self, payer_key: &StrictKey) -> Result<()> {
        check_domain(&self.domain, DOMAIN_ACK, "ack")?;
        if payer_key.key().as_bytes() != &self.payer {
            return Err(crate::error::Error::signature(
                "the ack's payer is not the expected key",
            ));
        }
        verify_sig_strict(payer_key, &self.signing_bytes(), &self.signature, "ack")
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
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an Ack always serializes")
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

/// `<channel id, 64 hex>-<nonce>`: how the journal's `; ack:` tags name an ack.
pub fn ack_name(channel: &[u8; 32], nonce: u64) -> String {
    format!("{}-{nonce}", hex::encode(channel))
}
