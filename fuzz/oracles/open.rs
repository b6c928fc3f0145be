//! The channel-open fuzz oracle (`msgl/open/v2`), shared by
//! `fuzz_targets/open.rs` and `tests/fuzz_regressions.rs`.
//!
//! For any text, through the reader `msgl accept-open` uses
//! (`Open::from_yaml`):
//! - it never panics, and an accepted open's YAML is no larger than a
//!   bounded multiple of the input;
//! - an accepted open writes to YAML that reads back to the same open, with
//!   the same signed bytes and the same verdict;
//! - `verify` succeeds only for one of the honest opens the fixture signed
//!   (same signed bytes, same signature): no term — base-unit amounts,
//!   decimals, units per ack, chain id, addresses — can be changed in
//!   value under a valid signature, whatever its YAML spelling.

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl_circuits::poseidon2;
use msgl_node::hashchain::{self, HashChain};
use msgl_node::objects::open::{ChainTerms, Terms};
use msgl_node::objects::Open;

pub fn fixture() -> &'static Vec<Open> {
    static F: OnceLock<Vec<Open>> = OnceLock::new();
    F.get_or_init(|| {
        let payer = SigningKey::from_bytes(&[0x11; 32]);
        let payee = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        let on_chain = ChainTerms {
            chain_id: 31337,
            settlement: [0x5e; 20],
            token: [0x70; 20],
            payer_address: [0x02; 20],
            payee_address: [0x01; 20],
        };
        let terms = [
            (1, 16, 10_000_000_000_000u128, 0u128, ChainTerms::default()),
            (
                2,
                1000,
                10_000_000_000_000,
                2_500_000_000_000_000_000,
                on_chain,
            ),
            (3, 7, 123_456_789, 1, on_chain),
            (4, 1, u128::MAX, u128::MAX, on_chain),
        ];
        terms
            .into_iter()
            .map(|(g, n, unit_price, escrow, chain_terms)| {
                let chain = HashChain::build(hashchain::seed(&payer.to_bytes(), &payee, g), n);
                Open::signed(
                    &payer,
                    &Terms {
                        payee,
                        generation: g,
                        channel: poseidon2::pack(&chain.anchor()),
                        length: n,
                        max_price: n.min(64),
                        decimals: 18,
                        unit_price,
                        escrow,
                        chain: chain_terms,
                    },
                )
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
    let bytes = open.signing_bytes();
    assert_eq!(back.signing_bytes(), bytes);

    let verified = open.verify().is_ok();
    assert_eq!(
        back.verify().is_ok(),
        verified,
        "verify differs after a round trip"
    );
    if verified {
        let honest = fixture()
            .iter()
            .find(|h| h.signing_bytes() == bytes && h.signature == open.signature)
            .unwrap_or_else(|| panic!("a forged or changed open verifies:\n{yaml}"));
        assert_eq!(&open, honest);
    }
}
