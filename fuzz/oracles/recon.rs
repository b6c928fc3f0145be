//! The reconciliation fuzz oracle (`msgl/recon/v2`), shared by
//! `fuzz_targets/recon.rs` and `tests/fuzz_regressions.rs`.
//!
//! For any text, through the reader `msgl reconcile --accept/--finalize`
//! uses (`msgl_node::protocol::reconcile::read`: size bound, no anchors or aliases, domain):
//! - it never panics, and an accepted reconciliation's YAML is no larger
//!   than a bounded multiple of the input (no alias expansion);
//! - an accepted one writes to YAML that reads back the same, with the same
//!   signed bytes (or the same refusal to encode them) and the same
//!   verdicts from `verify` and `verify_signer`;
//! - `verify` (both signatures) succeeds only for an honest co-signed
//!   reconciliation of the fixture, and `verify_signer(node)` only for an
//!   honest one carrying that node's honest signature: no change to a
//!   signed field (an amount spelled differently is the same amount) gets
//!   through; `checkpoints()` of a verified one are the honest ones.

use std::path::Path;
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl_ledger::journal::Decimal;
use msgl_node::objects::recon::{Direction, Item, Position, Recon};

pub struct Fixture {
    /// Honest reconciliations: proposals (one signature) and agreements.
    pub recons: Vec<Recon>,
}

fn direction(channels: u64, nonce: u64, messages: &[(&str, i64)], carried: i64) -> Direction {
    let messages: Vec<Item> = messages
        .iter()
        .map(|(m, a)| Item {
            message: m.to_string(),
            amount: Decimal::new(*a, 5),
        })
        .collect();
    let carried = Decimal::new(carried, 5);
    let amount = messages.iter().map(|m| m.amount).sum::<Decimal>() + carried;
    let channels = (0..channels)
        .map(|c| {
            let mut preimage = [0u8; 32];
            for (i, b) in preimage.iter_mut().enumerate() {
                // 8 canonical M31 elements (each word's top bit clear).
                *b = if i % 4 == 0 {
                    0x12
                } else {
                    (nonce as u8).wrapping_add(i as u8)
                };
            }
            Position {
                channel: [0x30 + c as u8; 32],
                nonce: nonce + c,
                cumulative: (nonce + c) * 2,
                preimage,
            }
        })
        .collect();
    Direction {
        channels,
        carried,
        messages,
        amount: amount.normalize(),
    }
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let keys = [
            SigningKey::from_bytes(&[0x11; 32]),
            SigningKey::from_bytes(&[0x22; 32]),
        ];
        let (node_a, node_b) = Recon::sorted(
            keys[0].verifying_key().to_bytes(),
            keys[1].verifying_key().to_bytes(),
        );
        let base = |epoch, previous_epoch, a_to_b, b_to_a| {
            Recon::unsigned((node_a, node_b), epoch, previous_epoch, a_to_b, b_to_a)
        };
        let shapes = vec![
            base(
                1_750_000_000_000,
                0,
                direction(1, 3, &[("00a1b2c3d4e5f607", 1), ("5f5f5f5f5f5f5f5f", 2)], 0),
                direction(1, 1, &[("ffeeddccbbaa9988", 3)], 0),
            ),
            base(
                1_750_000_600_000,
                1_750_000_000_000,
                direction(2, 7, &[("", -4), ("0123456789abcdef", 9)], 12),
                direction(0, 0, &[], 0),
            ),
            base(
                1_750_001_000_000,
                1_750_000_600_000,
                direction(0, 0, &[], 0),
                direction(0, 0, &[], 0),
            ),
        ];
        let mut recons = Vec::new();
        for r in shapes {
            let mut by_a = r.clone();
            let mut by_b = r.clone();
            let mut both = r;
            for k in &keys {
                both.sign(k).expect("a node signs");
            }
            let a_key = keys
                .iter()
                .find(|k| k.verifying_key().to_bytes() == node_a)
                .unwrap();
            let b_key = keys
                .iter()
                .find(|k| k.verifying_key().to_bytes() == node_b)
                .unwrap();
            by_a.sign(a_key).unwrap();
            by_b.sign(b_key).unwrap();
            recons.extend([by_a, by_b, both]);
        }
        Fixture { recons }
    })
}

/// The honest proposals and agreements as files (`MSGL_FUZZ_SEED_DIR`
/// seeds), as `msgl reconcile` writes them.
pub fn seeds() -> Vec<(String, Vec<u8>)> {
    fixture()
        .recons
        .iter()
        .enumerate()
        .map(|(i, r)| (format!("seed-recon-{i}"), r.to_yaml().into_bytes()))
        .collect()
}

fn read(text: &str) -> msgl_node::error::Result<Recon> {
    msgl_node::protocol::reconcile::read(Path::new("fuzz.yaml"), text)
}

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(r) = read(text) else {
        return;
    };
    let f = fixture();
    let yaml = r.to_yaml();
    assert!(
        yaml.len() <= 32 * text.len() + 8192,
        "{} bytes of YAML read as a reconciliation that writes {} bytes (alias expansion?)",
        text.len(),
        yaml.len()
    );
    let back =
        read(&yaml).unwrap_or_else(|e| panic!("to_yaml's output does not read back: {e}\n{yaml}"));
    assert_eq!(back, r, "to_yaml/read round trip");
    let bytes = r.signing_bytes();
    assert_eq!(back.signing_bytes(), bytes);
    let _ = r.checkpoints();

    let verified = r.verify().is_ok();
    assert_eq!(
        back.verify().is_ok(),
        verified,
        "verify differs after a round trip"
    );
    let honest_bytes = |h: &Recon| h.signing_bytes().ok() == bytes.as_ref().ok().cloned();
    if verified {
        let h = f
            .recons
            .iter()
            .find(|h| h.is_cosigned() && honest_bytes(h))
            .unwrap_or_else(|| panic!("a forged or changed reconciliation verifies:\n{yaml}"));
        assert_eq!(
            (r.signature_a, r.signature_b),
            (h.signature_a, h.signature_b)
        );
        assert_eq!(&r, h);
        assert_eq!(r.checkpoints(), h.checkpoints());
    }
    for node in [r.node_a, r.node_b] {
        let ok = r.verify_signer(&node).is_ok();
        assert_eq!(back.verify_signer(&node).is_ok(), ok);
        if ok {
            let sig = r.signature_of(&node).flatten();
            assert!(
                f.recons
                    .iter()
                    .any(|h| honest_bytes(h) && h.signature_of(&node).flatten() == sig),
                "a forged or changed signature verifies for {}:\n{yaml}",
                hex::encode(node)
            );
        }
    }
}
