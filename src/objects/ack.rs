//! The ack (DESIGN §4): {payer, payee, generation, epoch, nonce, message
//! hash, price, cumulative units, preimage w_cumulative}, signed by the
//! payer under `msgl/ack/v1`. Cumulative: the latest alone proves the debt.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

use super::{check_domain, hexbytes, verify_sig, Canon, DOMAIN_ACK};
use crate::error::Result;
use crate::keys::{verifying, PublicKey};

/// An ack, as in its YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    /// Always `msgl/ack/v1`.
    pub domain: String,
    #[serde(with = "hexbytes")]
    pub payer: PublicKey,
    #[serde(with = "hexbytes")]
    pub payee: PublicKey,
    pub generation: u64,
    /// The accounting period (ms of the last reconciliation; 0 before any).
    pub epoch: u64,
    /// Strictly increasing per channel.
    pub nonce: u64,
    /// The message's hash (32 bytes).
    #[serde(with = "hexbytes")]
    pub message: [u8; 32],
    /// This message's price in units.
    pub price: u64,
    /// Units since the channel opened, this message included.
    pub cumulative: u64,
    /// w_cumulative, packed (8 × u32 big-endian).
    #[serde(with = "hexbytes")]
    pub preimage: [u8; 32],
    #[serde(with = "hexbytes")]
    pub signature: [u8; 64],
}

/// The signed fields of an ack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckFields {
    pub payee: PublicKey,
    pub generation: u64,
    pub epoch: u64,
    pub nonce: u64,
    pub message: [u8; 32],
    pub price: u64,
    pub cumulative: u64,
    pub preimage: [u8; 32],
}

impl Ack {
    /// The bytes signed: domain, payer, payee, generation, epoch, nonce,
    /// message, price, cumulative, preimage.
    pub fn signing_bytes(&self) -> Vec<u8> {
        Canon::new(DOMAIN_ACK)
            .bytes32(&self.payer)
            .bytes32(&self.payee)
            .u64(self.generation)
            .u64(self.epoch)
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
            payer: key.verifying_key().to_bytes(),
            payee: f.payee,
            generation: f.generation,
            epoch: f.epoch,
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
        self.verify_with(&verifying(&self.payer)?)
    }

    /// As `verify`, with the payer's key already decoded (`payer_key` must
    /// be the key of `self.payer`; the caller looked it up by it).
    pub fn verify_with(&self, payer_key: &VerifyingKey) -> Result<()> {
        check_domain(&self.domain, DOMAIN_ACK, "ack")?;
        if payer_key.as_bytes() != &self.payer {
            return Err(crate::error::Error::check(
                "the ack's payer is not the expected key",
            ));
        }
        verify_sig(payer_key, &self.signing_bytes(), &self.signature, "ack")
    }

    pub fn from_yaml(text: &str) -> Result<Ack> {
        super::from_yaml(text, "ack")
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an Ack always serializes")
    }
}
