//! The payee's acceptance of a channel's terms on chain: an EIP-712
//! signature by the payee's EVM key over
//! `Accept(bytes32 channel,address payer,address payee,address token,uint64 units,uint128 unitPrice,uint128 escrow)`
//! in the domain `{name: "msgl", version: "2", chainId, verifyingContract:
//! settlement}`. The contract's `openChannel` refuses any terms it does not
//! carry, so no channel exists on chain with terms the payee did not accept
//! (docs/DESIGN.md §5.5, §9.3). `msgl accept-open` writes it; the payer hands
//! it to `openChannel`.

use alloy_primitives::{Address, B256};
use msgl_settlement::Accept;
use serde::{Deserialize, Serialize};

use super::{check_domain, hexbytes, open::Open};
use crate::error::{Error, Result};

pub const DOMAIN_ACCEPTANCE: &str = "msgl/acceptance/v1";

/// The EIP-712 hash the payee signs for `open`'s terms: the contract's
/// `Accept` struct in its domain, as the settlement crate computes it
/// ([`msgl_settlement::acceptance_digest`]), so signing and checking agree
/// with `openChannel`.
pub fn acceptance_digest(open: &Open) -> B256 {
    msgl_settlement::acceptance_digest(
        open.chain.chain_id,
        Address::from(open.chain.settlement),
        &Accept {
            channel: B256::from(open.channel),
            payer: Address::from(open.chain.payer_address),
            payee: Address::from(open.chain.payee_address),
            token: Address::from(open.chain.token),
            units: open.length,
            unitPrice: open.unit_price,
            escrow: open.escrow,
        },
    )
}

/// An acceptance, as in its YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// Always `msgl/acceptance/v1`.
    pub domain: String,
    /// The channel id.
    #[serde(with = "hexbytes")]
    pub channel: [u8; 32],
    /// The payee's EVM address (the signer).
    #[serde(with = "hexbytes")]
    pub payee_address: [u8; 20],
    /// r (32), s (32), v (1: 27 or 28): what `openChannel` takes.
    #[serde(with = "hexbytes")]
    pub signature: [u8; 65],
}

impl Acceptance {
    /// The payee signs `open`'s terms with its EVM key.
    pub fn sign(open: &Open, key: &alloy_signer_local::PrivateKeySigner) -> Result<Acceptance> {
        use alloy_signer::SignerSync;
        if key.address().0 .0 != open.chain.payee_address {
            return Err(Error::object(format!(
                "the open pays {}, not this node's EVM address {}",
                Address::from(open.chain.payee_address),
                key.address()
            ))
            .hint("the payer must name this node's address (msgl id --evm)"));
        }
        let sig = key
            .sign_hash_sync(&acceptance_digest(open))
            .map_err(|e| Error::input(format!("cannot sign the acceptance: {e}")))?;
        let mut bytes = [0u8; 65];
        bytes[..64].copy_from_slice(&sig.as_bytes()[..64]);
        bytes[64] = 27 + u8::from(sig.v());
        Ok(Acceptance {
            domain: DOMAIN_ACCEPTANCE.to_string(),
            channel: open.channel,
            payee_address: open.chain.payee_address,
            signature: bytes,
        })
    }

    /// Checks that this acceptance is the payee's signature of `open`'s terms.
    pub fn verify(&self, open: &Open) -> Result<()> {
        check_domain(&self.domain, DOMAIN_ACCEPTANCE, "acceptance")?;
        if self.channel != open.channel || self.payee_address != open.chain.payee_address {
            return Err(Error::object(
                "the acceptance is for another channel or payee",
            ));
        }
        let bad = || {
            Error::signature("bad acceptance signature: not the payee's over these terms")
                .hint("the payee signs with `msgl accept-open`")
        };
        let sig = alloy_primitives::Signature::from_raw(&self.signature).map_err(|_| bad())?;
        let who = sig
            .recover_address_from_prehash(&acceptance_digest(open))
            .map_err(|_| bad())?;
        if who.0 .0 != open.chain.payee_address {
            return Err(bad());
        }
        Ok(())
    }

    pub fn from_yaml(text: &str) -> Result<Acceptance> {
        super::from_yaml(text, "acceptance")
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an Acceptance always serializes")
    }
}
