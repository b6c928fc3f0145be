//! The channel open (`msgl/open/v2`), signed by the payer: who pays whom,
//! the channel id (the packed anchor `w_0` of the payer's hash chain), how
//! many units the chain can pay, the unit price and escrow in token base
//! units, and the chain terms — chain id, settlement contract, token, and
//! the payer's and payee's EVM addresses — so that the channel the payee
//! accepts is exactly the one that can exist on chain (docs/DESIGN.md §5.4).

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};

use super::{check_domain, hexbytes, u128_str, verify_sig, Canon, DOMAIN_OPEN};
use crate::error::{Error, Result};
use crate::keys::{verifying, PublicKey};

/// An EVM address.
pub type Address = [u8; 20];

/// Where the channel lives on chain. All zero: a channel that is never
/// settled on chain (no `chain:` in msgl.yaml when it was opened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainTerms {
    pub chain_id: u64,
    /// The settlement contract.
    #[serde(with = "hexbytes")]
    pub settlement: Address,
    /// The ERC-20 token the channel pays in.
    #[serde(with = "hexbytes")]
    pub token: Address,
    /// The payer's EVM address (it calls `openChannel`).
    #[serde(with = "hexbytes")]
    pub payer_address: Address,
    /// Where settlements pay the payee.
    #[serde(with = "hexbytes")]
    pub payee_address: Address,
}

impl ChainTerms {
    /// True for a channel that is never settled on chain.
    pub fn is_off_chain(&self) -> bool {
        *self == ChainTerms::default()
    }
}

/// What a payer offers: everything in an open but the keys and signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub payee: PublicKey,
    pub generation: u64,
    pub channel: [u8; 32],
    pub length: u64,
    pub max_price: u64,
    pub decimals: u8,
    pub unit_price: u128,
    pub escrow: u128,
    pub chain: ChainTerms,
}

/// A channel open, as in its YAML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// Always `msgl/open/v2`.
    pub domain: String,
    #[serde(with = "hexbytes")]
    pub payer: PublicKey,
    #[serde(with = "hexbytes")]
    pub payee: PublicKey,
    /// The payer's count of channels to this payee (1, 2, ...): its hash
    /// chain's seed is derived from it.
    pub generation: u64,
    /// The channel id: the anchor w_0, packed (8 × u32 big-endian).
    #[serde(with = "hexbytes")]
    pub channel: [u8; 32],
    /// n: the number of units the chain can pay.
    pub length: u64,
    /// The most units one ack may pay (the payee hashes that often to
    /// check one; the payer never signs more).
    pub max_price: u64,
    /// The token's decimals: a base unit is 10^-decimals token.
    pub decimals: u8,
    /// The price of one unit, in token base units.
    #[serde(with = "u128_str")]
    pub unit_price: u128,
    /// What the payer locks for this payee on chain, in base units.
    #[serde(with = "u128_str")]
    pub escrow: u128,
    #[serde(flatten)]
    pub chain: ChainTerms,
    #[serde(with = "hexbytes")]
    pub signature: [u8; 64],
}

/// Largest `decimals` a token may have (10^38 still fits in 128 bits).
pub const MAX_DECIMALS: u8 = 38;

impl Open {
    /// The bytes signed: domain, payer, payee, generation, channel, length,
    /// max price, decimals (u64), unit price and escrow (u128), chain id (u64),
    /// settlement, token, payer address, payee address (20 bytes each).
    pub fn signing_bytes(&self) -> Vec<u8> {
        Canon::new(DOMAIN_OPEN)
            .bytes32(&self.payer)
            .bytes32(&self.payee)
            .u64(self.generation)
            .bytes32(&self.channel)
            .u64(self.length)
            .u64(self.max_price)
            .u64(u64::from(self.decimals))
            .u128(self.unit_price)
            .u128(self.escrow)
            .u64(self.chain.chain_id)
            .address(&self.chain.settlement)
            .address(&self.chain.token)
            .address(&self.chain.payer_address)
            .address(&self.chain.payee_address)
            .finish()
    }

    /// Builds and signs an open with the payer's key.
    pub fn signed(key: &SigningKey, t: &Terms) -> Open {
        let mut open = Open {
            domain: DOMAIN_OPEN.to_string(),
            payer: key.verifying_key().to_bytes(),
            payee: t.payee,
            generation: t.generation,
            channel: t.channel,
            length: t.length,
            max_price: t.max_price,
            decimals: t.decimals,
            unit_price: t.unit_price,
            escrow: t.escrow,
            chain: t.chain,
            signature: [0; 64],
        };
        open.signature = key.sign(&open.signing_bytes()).to_bytes();
        open
    }

    /// Checks the domain and the payer's signature (who the payer is, and
    /// whether it is a known peer, is for the caller).
    pub fn verify(&self) -> Result<()> {
        check_domain(&self.domain, DOMAIN_OPEN, "channel open")?;
        let key = verifying(&self.payer)?;
        verify_sig(&key, &self.signing_bytes(), &self.signature, "channel open")
    }

    /// The channel id in short (first 16 hex digits), for people.
    pub fn short_id(&self) -> String {
        hex::encode(&self.channel[..8])
    }

    /// The channel id in full (64 hex digits): how files and journal tags
    /// name the channel.
    pub fn id_hex(&self) -> String {
        hex::encode(self.channel)
    }

    /// The token amount of `units` units (exact: base units scaled by
    /// 10^-decimals); an error if it does not fit the journal's amounts.
    pub fn amount_of(&self, units: u64) -> Result<crate::journal::Decimal> {
        base_to_amount(
            self.unit_price
                .checked_mul(u128::from(units))
                .ok_or_else(|| Error::object("the amount overflows 128 bits of base units"))?,
            self.decimals,
        )
    }

    /// The terms `openChannel` puts on chain (the payer is its sender):
    /// exactly what this open signs.
    pub fn on_chain_terms(&self) -> msgl_settlement::system::OpenChannel {
        msgl_settlement::system::OpenChannel {
            payee: self.chain.payee_address.into(),
            anchor: self.channel,
            units: self.length,
            unit_price: self.unit_price,
            escrow: self.escrow,
        }
    }

    pub fn from_yaml(text: &str) -> Result<Open> {
        super::from_yaml(text, "channel open")
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("an Open always serializes")
    }
}

/// `base` base units of a token with `decimals` decimals, as a token amount.
pub fn base_to_amount(base: u128, decimals: u8) -> Result<crate::journal::Decimal> {
    // `base` × 10^-decimals as it stands: a u128 is far inside the
    // journal's digits, and a token's decimals (at most MAX_DECIMALS)
    // inside its decimal places. Every ack's entry comes through here.
    let m = alloy_primitives::I256::from_raw(alloy_primitives::U256::from(base));
    crate::journal::Decimal::from_parts(m, u32::from(decimals))
        .map(|d| d.normalize())
        .ok_or_else(|| {
            Error::object(format!(
                "{base} base units at {decimals} decimals is beyond the journal's amounts"
            ))
        })
}

/// A token amount as base units of a token with `decimals` decimals;
/// refuses a negative amount or one with more decimals than the token has.
pub fn amount_to_base(amount: crate::journal::Decimal, decimals: u8, what: &str) -> Result<u128> {
    let bad = || {
        Error::input(format!("bad {what} `{amount}`")).hint(format!(
            "a non-negative amount with at most {decimals} decimal places"
        ))
    };
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(bad());
    }
    let n = amount.normalize();
    let scale = n.scale();
    if scale > u32::from(decimals) {
        return Err(bad());
    }
    let mantissa = u128::try_from(n.mantissa()).map_err(|_| bad())?;
    10u128
        .checked_pow(u32::from(decimals) - scale)
        .and_then(|f| mantissa.checked_mul(f))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            payee: SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes(),
            generation: 1,
            channel: [5; 32],
            length: 100,
            max_price: 10,
            decimals: 18,
            unit_price: 10_000_000_000_000,
            escrow: 0,
            chain: ChainTerms {
                chain_id: 31337,
                settlement: [0x11; 20],
                token: [0x22; 20],
                payer_address: [0x33; 20],
                payee_address: [0x44; 20],
            },
        }
    }

    #[test]
    fn every_term_is_signed() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let open = Open::signed(&key, &terms());
        open.verify().unwrap();
        let back = Open::from_yaml(&open.to_yaml()).unwrap();
        assert_eq!(back, open);
        let changes: Vec<fn(&mut Open)> = vec![
            |o| o.generation += 1,
            |o| o.channel[0] ^= 1,
            |o| o.length += 1,
            |o| o.max_price += 1,
            |o| o.decimals -= 1,
            |o| o.unit_price += 1,
            |o| o.escrow += 1,
            |o| o.chain.chain_id += 1,
            |o| o.chain.settlement[0] ^= 1,
            |o| o.chain.token[0] ^= 1,
            |o| o.chain.payer_address[0] ^= 1,
            |o| o.chain.payee_address[0] ^= 1,
            |o| o.payee[0] ^= 1,
        ];
        for (i, f) in changes.into_iter().enumerate() {
            let mut bad = open.clone();
            f(&mut bad);
            assert!(bad.verify().is_err(), "change {i} not caught");
        }
    }

    /// v1's conversion, through text: the reference.
    fn base_to_amount_by_text(base: u128, decimals: u8) -> Result<crate::journal::Decimal> {
        use std::str::FromStr;
        let digits = base.to_string();
        let d = usize::from(decimals);
        let text = if digits.len() > d {
            format!(
                "{}.{}",
                &digits[..digits.len() - d],
                &digits[digits.len() - d..]
            )
        } else {
            format!("0.{}{}", "0".repeat(d - digits.len()), digits)
        };
        crate::journal::Decimal::from_str(&text)
            .map(|x| x.normalize())
            .map_err(|_| {
                Error::object(format!(
                    "{base} base units at {decimals} decimals is beyond the journal's amounts"
                ))
            })
    }

    proptest::proptest! {
        /// The direct conversion is the one by text, to the last digit.
        #[test]
        fn base_to_amount_is_the_text_conversion(base in proptest::prelude::any::<u128>(), small in 0u128..10_000, decimals in 0u8..=MAX_DECIMALS) {
            for b in [base, small, base / 1_000_000 * 1_000_000] {
                let direct = base_to_amount(b, decimals).map(|d| (d.mantissa(), d.scale())).ok();
                let text = base_to_amount_by_text(b, decimals).map(|d| (d.mantissa(), d.scale())).ok();
                if decimals == 0 {
                    // The text path wrote `5.` and refused it: a token
                    // without decimals could not be booked at all.
                    proptest::prop_assert_eq!(text, None);
                    let whole = crate::journal::Decimal::from_parts(
                        alloy_primitives::I256::from_raw(alloy_primitives::U256::from(b)),
                        0,
                    )
                    .unwrap()
                    .normalize();
                    proptest::prop_assert_eq!(direct, Some((whole.mantissa(), whole.scale())));
                } else {
                    proptest::prop_assert_eq!(direct, text);
                }
            }
        }
    }

    #[test]
    fn base_units_and_amounts_convert_exactly() {
        let open = Open::signed(&SigningKey::from_bytes(&[1; 32]), &terms());
        assert_eq!(open.amount_of(3).unwrap().to_string(), "0.00003");
        assert_eq!(
            base_to_amount(1, 18).unwrap().to_string(),
            "0.000000000000000001"
        );
        assert_eq!(base_to_amount(0, 18).unwrap().to_string(), "0");
        assert_eq!(base_to_amount(1234, 2).unwrap().to_string(), "12.34");
        assert_eq!(base_to_amount(1234, 0).unwrap().to_string(), "1234");
        assert_eq!(base_to_amount(1200, 2).unwrap().to_string(), "12");
        let a = "0.00001".parse().unwrap();
        assert_eq!(amount_to_base(a, 18, "x").unwrap(), 10_000_000_000_000);
        assert!(amount_to_base(a, 4, "x").is_err());
        assert!(amount_to_base("-1".parse().unwrap(), 18, "x").is_err());
    }
}
