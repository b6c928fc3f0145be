//! The channel-open fuzz oracle (`msgl/open/v1`), shared by
//! `fuzz_targets/open.rs` and `tests/fuzz_regressions.rs`.
//!
//! For any text, through the reader `msgl accept-open` uses
//! (`Open::from_yaml`):
//! - it never panics, and an accepted open's YAML is no larger than a
//!   bounded multiple of the input;
//! - an accepted open writes to YAML that reads back to the same open, with
//!   the same signed bytes (or the same refusal to encode them: a negative
//!   amount or one with more than 18 decimals) and the same verdict;
//! - `verify` succeeds only for one of the honest opens the fixture signed
//!   (same signed bytes, same signature); in particular the amounts, whose
//!   YAML has many spellings (`0.00001`, `1e-5`, `0.000010`), cannot be
//!   changed in value under a valid signature.

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl::chain::{self, Chain};
use msgl::journal::Decimal;
use msgl::objects::Open;
use msgl_circuits::poseidon2;

pub fn fixture() -> &'static Vec<Open> {
    static F: OnceLock<Vec<Open>> = OnceLock::new();
    F.get_or_init(|| {
        let payer = SigningKey::from_bytes(&[0x11; 32]);
        let payee = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        let terms = [
            (1, 16, Decimal::new(1, 5), Decimal::ZERO),
            (2, 1000, Decimal::new(1, 5), Decimal::new(25, 1)),
            (3, 7, Decimal::new(123_456_789, 18), Decimal::new(1, 18)),
            (4, 1, Decimal::from(3), Decimal::from(1_000_000)),
        ];
        terms
            .into_iter()
            .map(|(g, n, price, escrow)| {
                let chain = Chain::build(chain::seed(&payer.to_bytes(), &payee, g), n);
                Open::signed(
                    &payer,
                    payee,
                    g,
                    poseidon2::pack(&chain.anchor()),
                    n,
                    price,
                    escrow,
                )
                .expect("the fixture's opens sign")
            })
            .collect()
    })
}

/// The honest opens as files (`MSGL_FUZZ_SEED_DIR` seeds), as `msgl open`
/// writes them.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    fixture()
        .iter()
        .map(|o| {
            (
                format!("seed-open-g{}", o.generation),
                o.to_yaml().into_bytes(),
            )
        })
        .collect()
}

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(open) = Open::from_yaml(text) else {
        return;
    };
    let yaml = open.to_yaml();
    assert!(
        yaml.len() <= 32 * text.len() + 8192,
        "{} bytes of YAML read as an open that writes {} bytes (alias expansion?)",
        text.len(),
        yaml.len()
    );
    let back = Open::from_yaml(&yaml)
        .unwrap_or_else(|e| panic!("to_yaml's output does not read back: {e}\n{yaml}"));
    assert_eq!(back, open, "to_yaml/from_yaml round trip");
    let bytes = open.signing_bytes().map_err(|e| e.what);
    assert_eq!(back.signing_bytes().map_err(|e| e.what), bytes);

    let verified = open.verify().is_ok();
    assert_eq!(
        back.verify().is_ok(),
        verified,
        "verify differs after a round trip"
    );
    if verified {
        let bytes = bytes.expect("a verified open encodes");
        let honest = fixture()
            .iter()
            .find(|h| {
                h.signing_bytes().ok().as_ref() == Some(&bytes) && h.signature == open.signature
            })
            .unwrap_or_else(|| panic!("a forged or changed open verifies:\n{yaml}"));
        assert_eq!(&open, honest);
    }
}
