//! The ack fuzz oracle (`msgl/ack/v1`), shared by `fuzz_targets/ack.rs` and
//! `tests/fuzz_regressions.rs`.
//!
//! For any text, through the reader `msgl accept`, `msgl prove` and
//! `msgl reconcile` use (`Ack::from_yaml`):
//! - it never panics, and an accepted ack's YAML (`to_yaml`) is no larger
//!   than a bounded multiple of the input (no alias expansion);
//! - an accepted ack writes to YAML that reads back to the same ack with the
//!   same signed bytes, and verifies exactly when the original does;
//! - `verify` succeeds only for one of the honest acks the fixture signed
//!   (same signed bytes, same signature): no change to a signed field, and
//!   no other encoding of the signature, gets through;
//! - the payee's checks (`ChannelState::check` after 0..n honest acks, and
//!   `accept_batch` with its ed25519 batch verification) accept only the
//!   next honest ack, and the two paths always agree.

use std::sync::OnceLock;

use ed25519_dalek::{SigningKey, VerifyingKey};
use msgl::chain::{self, Chain};
use msgl::channel::{ChannelState, Role};
use msgl::journal::Decimal;
use msgl::objects::{ack::AckFields, Ack, Open};
use msgl_circuits::poseidon2;

/// Acks in the fixture's channel (prices 1, 2, 1, 3, ...).
const N: usize = 6;

pub struct Fixture {
    pub payer: VerifyingKey,
    /// The honest acks, in order.
    pub acks: Vec<Ack>,
    /// `states[i]`: the payee's channel state after the first i acks.
    pub states: Vec<ChannelState>,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let payer = SigningKey::from_bytes(&[0x11; 32]);
        let payee = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        let prices: Vec<u64> = (0..N as u64).map(|i| 1 + (i * 5) % 3).collect();
        let length: u64 = prices.iter().sum::<u64>() + 4;
        let chain = Chain::build(chain::seed(&payer.to_bytes(), &payee, 3), length);
        let open = Open::signed(
            &payer,
            payee,
            3,
            poseidon2::pack(&chain.anchor()),
            length,
            Decimal::new(1, 5),
            Decimal::ZERO,
        )
        .expect("the fixture's open signs");
        let mut state = ChannelState::from_open(&open, Role::In);
        let mut states = vec![state.clone()];
        let mut acks = Vec::new();
        let mut cumulative = 0;
        for (i, &price) in prices.iter().enumerate() {
            cumulative += price;
            let ack = Ack::signed(
                &payer,
                AckFields {
                    payee,
                    generation: 3,
                    epoch: if i < 3 { 0 } else { 1_750_000_000_000 },
                    nonce: i as u64 + 1,
                    message: [0xa0 + i as u8; 32],
                    price,
                    cumulative,
                    preimage: poseidon2::pack(&chain.get(cumulative)),
                },
            );
            state
                .accept(&ack, &payer.verifying_key())
                .expect("the fixture's acks are accepted in order");
            states.push(state.clone());
            acks.push(ack);
        }
        Fixture {
            payer: payer.verifying_key(),
            acks,
            states,
        }
    })
}

/// The honest acks as files (`MSGL_FUZZ_SEED_DIR` seeds), as `msgl ack`
/// writes them.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    fixture()
        .acks
        .iter()
        .map(|a| (format!("seed-ack-{}", a.nonce), a.to_yaml().into_bytes()))
        .collect()
}

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ack) = Ack::from_yaml(text) else {
        return;
    };
    let f = fixture();
    let yaml = ack.to_yaml();
    assert!(
        yaml.len() <= 32 * text.len() + 8192,
        "{} bytes of YAML read as an ack that writes {} bytes (alias expansion?)",
        text.len(),
        yaml.len()
    );
    let back = Ack::from_yaml(&yaml)
        .unwrap_or_else(|e| panic!("to_yaml's output does not read back: {e}\n{yaml}"));
    assert_eq!(back, ack, "to_yaml/from_yaml round trip");
    assert_eq!(back.signing_bytes(), ack.signing_bytes());

    let verified = ack.verify().is_ok();
    assert_eq!(
        back.verify().is_ok(),
        verified,
        "verify differs after a round trip"
    );
    let honest = f
        .acks
        .iter()
        .find(|h| h.signing_bytes() == ack.signing_bytes() && h.signature == ack.signature);
    if verified {
        let h = honest.unwrap_or_else(|| panic!("a forged or changed ack verifies:\n{yaml}"));
        assert_eq!(&ack, h);
    }
    if ack.payer != *f.payer.as_bytes() {
        return;
    }
    for (i, state) in f.states.iter().enumerate() {
        let single = state.check(&ack, &f.payer).is_ok();
        let mut s = state.clone();
        let batch = s.accept_batch(std::slice::from_ref(&ack), &f.payer).is_ok();
        assert_eq!(
            single, batch,
            "check and accept_batch disagree after {i} acks on\n{yaml}"
        );
        if single {
            assert_eq!(
                Some(&ack),
                f.acks.get(i),
                "the payee accepts, after {i} acks, an ack that is not the next honest one"
            );
        }
    }
}
