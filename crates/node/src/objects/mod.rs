//! Signed objects (DESIGN §5): one module per object, and here the shared
//! canonical encoding they are signed in.
//!
//! The signed bytes are the domain tag (ASCII, e.g. `msgl/ack/v2`) followed
//! by the fields in their fixed order, each fixed-width big-endian: `u64` as
//! 8 bytes, amounts as `u128` counts of 10^-18 token (16 bytes), keys,
//! digests and hashes as their 32 bytes. Files are YAML with the same fields
//! in hex and decimal plus the signature (128 hex digits); verification
//! re-encodes the fields, so the YAML layout never matters. Unknown fields
//! are refused.

pub mod acceptance;
pub mod ack;
pub mod jsonline;
pub mod open;
pub mod recon;

pub use acceptance::Acceptance;
pub use ack::Ack;
pub use open::Open;
pub use recon::Recon;

use crate::journal::Decimal;

use crate::error::{Error, Result};

pub const DOMAIN_OPEN: &str = "msgl/open/v2";
pub const DOMAIN_ACK: &str = "msgl/ack/v2";
pub const DOMAIN_RECON: &str = "msgl/recon/v2";

/// Decimal places of the fixed-point amounts in the canonical encoding.
pub const AMOUNT_DECIMALS: u32 = 18;

/// The canonical byte string of an object being signed.
pub struct Canon(Vec<u8>);

impl Canon {
    pub fn new(domain: &str) -> Canon {
        let mut v = Vec::with_capacity(256);
        v.extend_from_slice(domain.as_bytes());
        Canon(v)
    }
    pub fn u64(mut self, x: u64) -> Canon {
        self.0.extend_from_slice(&x.to_be_bytes());
        self
    }
    pub fn u128(mut self, x: u128) -> Canon {
        self.0.extend_from_slice(&x.to_be_bytes());
        self
    }
    /// A variable-length string: its length (u64) then its bytes.
    pub fn str(mut self, s: &str) -> Canon {
        self.0.extend_from_slice(&(s.len() as u64).to_be_bytes());
        self.0.extend_from_slice(s.as_bytes());
        self
    }
    pub fn bytes32(mut self, b: &[u8; 32]) -> Canon {
        self.0.extend_from_slice(b);
        self
    }
    /// An EVM address (20 bytes).
    pub fn address(mut self, b: &[u8; 20]) -> Canon {
        self.0.extend_from_slice(b);
        self
    }
    pub fn finish(self) -> Vec<u8> {
        self.0
    }
}

/// An amount as a whole number of 10^-18 token: refuses a negative amount,
/// more than 18 decimal places, or one too large for 128 bits.
pub fn amount_fixed(d: Decimal, what: &str) -> Result<u128> {
    let bad = || {
        Error::object(format!("bad {what} `{d}`"))
            .hint("a non-negative amount with at most 18 decimal places")
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err(bad());
    }
    let n = d.normalize();
    let scale = n.scale();
    if scale > AMOUNT_DECIMALS {
        return Err(bad());
    }
    let mantissa = n.mantissa().unsigned_abs();
    u128::try_from(mantissa)
        .ok()
        .and_then(|m| m.checked_mul(10u128.pow(AMOUNT_DECIMALS - scale)))
        .ok_or_else(bad)
}

/// Serde as hex for fixed-size byte arrays (keys, digests, signatures),
/// without a heap allocation either way (an ack has six of them, and a
/// stream reads or writes one per message).
pub mod hexbytes {
    use serde::{de, Deserializer, Serializer};

    /// Lowercase hex of `b` into `out` (two digits a byte, `out` exactly
    /// twice as long): const-hex's SIMD encoder (alloy's, already built),
    /// since a stream writes several of these per ack.
    pub fn encode_into(b: &[u8], out: &mut [u8]) {
        const_hex::encode_to_slice(b, out).expect("two digits a byte");
    }

    /// Appends the lowercase hex of `b` to `out`.
    pub fn push_hex(out: &mut String, b: &[u8]) {
        let mut buf = [0u8; 128];
        for part in b.chunks(64) {
            let digits = &mut buf[..2 * part.len()];
            encode_into(part, digits);
            out.push_str(std::str::from_utf8(digits).expect("hex digits are ASCII"));
        }
    }

    /// `out` from exactly twice as many hex digits (either case), as
    /// `hex::decode_to_slice` reads them; false (and `out` unspecified)
    /// for any other text. The length is checked here: const-hex would
    /// also strip a `0x` of its own.
    pub fn decode_into(h: &[u8], out: &mut [u8]) -> bool {
        h.len() == 2 * out.len() && const_hex::decode_to_slice(h, out).is_ok()
    }

    pub fn serialize<S: Serializer, const N: usize>(b: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 128];
        match buf.get_mut(..2 * N) {
            Some(out) => {
                encode_into(b, out);
                s.serialize_str(std::str::from_utf8(out).expect("hex digits are ASCII"))
            }
            None => s.serialize_str(&const_hex::encode(b)),
        }
    }

    struct Hex<const N: usize>;

    impl<const N: usize> de::Visitor<'_> for Hex<N> {
        type Value = [u8; N];

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<[u8; N], E> {
            let h = s.strip_prefix("0x").unwrap_or(s);
            let mut out = [0u8; N];
            if !decode_into(h.as_bytes(), &mut out) {
                return Err(E::custom(format!("`{s}` is not {} hex digits", 2 * N)));
            }
            Ok(out)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        d.deserialize_str(Hex::<N>)
    }

    #[cfg(test)]
    mod tests {
        use proptest::prelude::*;

        proptest! {
            /// The table codec reads and writes exactly as the hex crate.
            #[test]
            fn agrees_with_the_hex_crate(b in proptest::collection::vec(any::<u8>(), 0..80)) {
                let mut out = vec![0u8; 2 * b.len()];
                super::encode_into(&b, &mut out);
                prop_assert_eq!(std::str::from_utf8(&out).unwrap(), hex::encode(&b));
                let mut s = String::new();
                super::push_hex(&mut s, &b);
                prop_assert_eq!(&s, &hex::encode(&b));
                let mut back = vec![0u8; b.len()];
                prop_assert!(super::decode_into(&out, &mut back));
                prop_assert_eq!(&back, &b);
                let upper = hex::encode_upper(&b);
                prop_assert!(super::decode_into(upper.as_bytes(), &mut back));
                prop_assert_eq!(&back, &b);
            }

            #[test]
            fn refuses_what_the_hex_crate_refuses(t in proptest::collection::vec(any::<u8>(), 0..40), n in 0usize..20) {
                let mut ours = vec![0u8; n];
                let mut theirs = vec![0u8; n];
                let ok = super::decode_into(&t, &mut ours);
                prop_assert_eq!(ok, hex::decode_to_slice(&t, &mut theirs).is_ok());
                if ok {
                    prop_assert_eq!(ours, theirs);
                }
            }
        }

        #[test]
        fn a_0x_inside_the_digits_is_refused() {
            // const-hex strips a `0x` itself; the length check keeps it
            // from reading `0xab` as one byte.
            let mut one = [0u8; 1];
            let mut two = [0u8; 2];
            assert!(!super::decode_into(b"0x", &mut one));
            assert!(!super::decode_into(b"0xab", &mut two));
            assert!(super::decode_into(b"00ab", &mut two) && two == [0, 0xab]);
        }

        #[test]
        fn every_byte_value_decodes_as_the_hex_crate() {
            for a in 0..=255u8 {
                for b in [b'0', b'f', b'G', 0x80, a] {
                    let mut ours = [0u8; 1];
                    let mut theirs = [0u8; 1];
                    let ok = super::decode_into(&[a, b], &mut ours);
                    assert_eq!(
                        ok,
                        hex::decode_to_slice([a, b], &mut theirs).is_ok(),
                        "{a} {b}"
                    );
                    if ok {
                        assert_eq!(ours, theirs);
                    }
                }
            }
        }
    }
}

/// Serde for a `u128` as a decimal string (token base units can exceed
/// what YAML readers take for an integer).
pub mod u128_str {
    use serde::{de::Error as _, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || s.len() > 39 {
            return Err(D::Error::custom(format!(
                "`{s}` is not a whole number of base units"
            )));
        }
        s.parse()
            .map_err(|_| D::Error::custom(format!("`{s}` is too large for 128 bits")))
    }
}

/// Parses an object's YAML as a check failure naming the object kind (an
/// unknown or missing field, a malformed value).
pub fn from_yaml<T: serde::de::DeserializeOwned>(text: &str, kind: &str) -> Result<T> {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    // msgl never writes anchors or aliases; they are how YAML bombs expand.
    if crate::yaml::has_alias(text) {
        return Err(Error::object(format!(
            "bad {kind}: YAML anchors and aliases are not accepted"
        ))
        .hint(format!(
            "{article} {kind} file as written by msgl is plain YAML"
        )));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let mut err = Error::object(format!("bad {kind}: {e}"));
        if let Some(loc) = e.location() {
            err = err.at("<input>", loc.line(), loc.column());
        }
        err.hint(format!(
            "{article} {kind} file as written by msgl; unknown fields are refused"
        ))
    })
}

/// Checks the domain field of an object.
pub fn check_domain(found: &str, want: &str, kind: &str) -> Result<()> {
    if found != want {
        return Err(Error::object(format!(
            "wrong domain `{found}` for {kind} (expected `{want}`)"
        ))
        .hint(format!(
            "this is not a {kind}, or one of an unsupported version"
        )));
    }
    Ok(())
}

/// Verifies an ed25519 signature over `msg` by `key`: the one strict
/// decision every signed object gets (`keys::StrictKey::verify`).
pub fn verify_sig(
    key: &ed25519_dalek::VerifyingKey,
    msg: &[u8],
    sig: &[u8; 64],
    kind: &str,
) -> Result<()> {
    verify_sig_strict(&crate::keys::StrictKey::new(*key), msg, sig, kind)
}

/// As [`verify_sig`], with the key decoded once for many signatures.
pub fn verify_sig_strict(
    key: &crate::keys::StrictKey,
    msg: &[u8],
    sig: &[u8; 64],
    kind: &str,
) -> Result<()> {
    if key.verify(msg, sig) {
        Ok(())
    } else {
        Err(bad_signature(key.key(), kind))
    }
}

pub(crate) fn bad_signature(key: &ed25519_dalek::VerifyingKey, kind: &str) -> Error {
    Error::signature(format!(
        "bad signature on {kind}: not signed by {} over these fields",
        hex::encode(key.as_bytes())
    ))
    .hint("a field was changed after signing, or another key signed it")
}
