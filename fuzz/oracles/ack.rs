//! The ack fuzz oracle (`msgl/ack/v2`), shared by `fuzz_targets/ack.rs` and
//! `tests/fuzz_regressions.rs`.
//!
//! For any text, through the reader `msgl accept`, `msgl prove` and
//! `msgl reconcile` use (`Ack::parse`: YAML or a JSON line):
//! - it never panics, and an accepted ack's YAML (`to_yaml`) is no larger
//!   than a bounded multiple of the input (no alias expansion);
//! - an accepted ack writes to YAML and to JSON that read back to the same
//!   ack with the same signed bytes, and verifies exactly when the
//!   original does;
//! - `verify` succeeds only for one of the honest acks the fixture signed
//!   (same signed bytes, same signature): no change to a signed field, and
//!   no other encoding of the signature, gets through;
//! - the payee's check (`protocol::ack::check` against the channel after
//!   0..n honest acks) accepts only the next honest ack.

use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl_circuits::poseidon2;
use msgl_node::hashchain::{self, HashChain};
use msgl_node::objects::open::{ChainTerms, Terms};
use msgl_node::objects::{ack::AckFields, Ack, Open};
use msgl_node::protocol::{ack, Channel, Role};

/// Acks in the fixture's channel (prices 1, 2, 1, 3, ...).
const N: usize = 6;

pub struct Fixture {
    /// The honest acks, in order.
    pub acks: Vec<Ack>,
    /// `channels[i]`: the payee's channel after the first i acks.
    pub channels: Vec<Channel>,
}

/// The fixture's open: payer key 0x11…, payee key 0x22…, generation 3.
pub fn open(length: u64) -> (SigningKey, HashChain, Open) {
    let payer = SigningKey::from_bytes(&[0x11; 32]);
    let payee = SigningKey::from_bytes(&[0x22; 32])
        .verifying_key()
        .to_bytes();
    let chain = HashChain::build(hashchain::seed(&payer.to_bytes(), &payee, 3), length);
    let open = Open::signed(
        &payer,
        &Terms {
            payee,
            generation: 3,
            channel: poseidon2::pack(&chain.anchor()),
            length,
            max_price: 4,
            decimals: 18,
            unit_price: 10_000_000_000_000,
            escrow: 0,
            chain: ChainTerms::default(),
        },
    );
    (payer, chain, open)
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let prices: Vec<u64> = (0..N as u64).map(|i| 1 + (i * 5) % 3).collect();
        let length: u64 = prices.iter().sum::<u64>() + 4;
        let (payer, chain, open) = open(length);
        let mut c = Channel::fresh(open.clone(), Role::In);
        let mut channels = vec![c.clone()];
        let mut acks = Vec::new();
        let mut cumulative = 0;
        for (i, &price) in prices.iter().enumerate() {
            cumulative += price;
            let a = Ack::signed(
                &payer,
                AckFields {
                    channel: open.channel,
                    payee: open.payee,
                    nonce: i as u64 + 1,
                    message: [0xa0 + i as u8; 32],
                    price,
                    cumulative,
                    preimage: poseidon2::pack(&chain.get(cumulative)),
                },
            );
            ack::check(&c, &a).expect("the fixture's acks are accepted in order");
            c.apply(&a);
            channels.push(c.clone());
            acks.push(a);
        }
        Fixture { acks, channels }
    })
}

/// The honest acks as files (`MSGL_FUZZ_SEED_DIR` seeds), as `msgl ack`
/// writes them and as ack logs hold them.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    fixture()
        .acks
        .iter()
        .flat_map(|a| {
            [
                (format!("seed-ack-{}", a.nonce), a.to_yaml().into_bytes()),
                (
                    format!("seed-ack-json-{}", a.nonce),
                    a.to_json().into_bytes(),
                ),
            ]
        })
        .collect()
}

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(a) = Ack::parse(text) else {
        return;
    };
    let f = fixture();
    let yaml = a.to_yaml();
    assert!(
        yaml.len() <= 32 * text.len() + 8192,
        "{} bytes of YAML read as an ack that writes {} bytes (alias expansion?)",
        text.len(),
        yaml.len()
    );
    for (form, back) in [
        ("yaml", Ack::from_yaml(&yaml)),
        ("json", Ack::parse(&a.to_json())),
    ] {
        let back =
            back.unwrap_or_else(|e| panic!("the {form} form does not read back: {e}\n{yaml}"));
        assert_eq!(back, a, "{form} round trip");
        assert_eq!(back.signing_bytes(), a.signing_bytes());
    }
    let verified = a.verify().is_ok();
    let honest = f
        .acks
        .iter()
        .find(|h| h.signing_bytes() == a.signing_bytes() && h.signature == a.signature);
    if verified {
        let h = honest.unwrap_or_else(|| panic!("a forged or changed ack verifies:\n{yaml}"));
        assert_eq!(&a, h);
    }
    for (i, c) in f.channels.iter().enumerate() {
        if ack::check(c, &a).is_ok() {
            assert_eq!(
                Some(&a),
                f.acks.get(i),
                "the payee accepts, after {i} acks, an ack that is not the next honest one"
            );
        }
    }
}
