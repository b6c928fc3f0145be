//! The channel open (DESIGN §4): {payer, payee, generation, anchor w_0,
//! length n, unit price, escrow}, signed by the payer under `msgl/open/v1`.

use crate::journal::Decimal;
use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};

use super::{amount_fixed, check_domain, hexbytes, verify_sig, Canon, DOMAIN_OPEN};
use crate::error::Result;
use crate::keys::{verifying, PublicKey};

/// A channel open, as in its YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// Always `msgl/open/v1`.
    pub domain: String,
    #[serde(with = "hexbytes")]
    pub payer: PublicKey,
    #[serde(with = "hexbytes")]
    pub payee: PublicKey,
    pub generation: u64,
    /// w_0, packed (8 × u32 big-endian); also the channel id.
    #[serde(with = "hexbytes")]
    pub anchor: [u8; 32],
    /// n: the number of units the chain can pay.
    pub length: u64,
    /// The token amount of one unit.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub unit_price: Decimal,
    /// Escrow the payer sets aside for this payee (token).
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub escrow: Decimal,
    #[serde(with = "hexbytes")]
    pub signature: [u8; 64],
}

impl Open {
    /// The bytes signed: domain, payer, payee, generation, anchor, length,
    /// unit price (u128, 10^-18), escrow (u128, 10^-18).
    pub fn signing_bytes(&self) -> Result<Vec<u8>> {
        Ok(Canon::new(DOMAIN_OPEN)
            .bytes32(&self.payer)
            .bytes32(&self.payee)
            .u64(self.generation)
            .bytes32(&self.anchor)
            .u64(self.length)
            .u128(amount_fixed(self.unit_price, "unit price")?)
            .u128(amount_fixed(self.escrow, "escrow")?)
            .finish())
    }

    /// Builds and signs an open with the payer's key.
    #[allow(clippy::too_many_arguments)]
    pub fn signed(
        key: &SigningKey,
        payee: PublicKey,
        generation: u64,
        anchor: [u8; 32],
        length: u64,
        unit_price: Decimal,
        escrow: Decimal,
    ) -> Result<Open> {
        let mut open = Open {
            domain: DOMAIN_OPEN.to_string(),
            payer: key.verifying_key().to_bytes(),
            payee,
            generation,
            anchor,
            length,
            unit_price: unit_price.normalize(),
            escrow: escrow.normalize(),
            signature: [0; 64],
        };
        open.signature = key.sign(&open.signing_bytes()?).to_bytes();
        Ok(open)
    }

    /// Checks the domain and the payer's signature (who the payer is, and
    /// whether it is a known peer, is for the caller).
    pub fn verify(&self) -> Result<()> {
        check_domain(&self.domain, DOMAIN_OPEN, "channel open")?;
        let key = verifying(&self.payer)?;
        verify_sig(
            &key,
            &self.signing_bytes()?,
            &self.signature,
            "channel open",
        )
    }

    pub fn from_yaml(text: &str) -> Result<Open> {
        super::from_yaml(text, "channel open")
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an Open always serializes")
    }
}
