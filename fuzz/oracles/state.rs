//! The channel-state fuzz oracle, shared by `fuzz_targets/state.rs` and
//! `tests/fuzz_regressions.rs`. Two readers see every input:
//!
//! - the settled state the prover reads (`channels/settled.yaml` as
//!   `msgl settled` writes it, or `msgl prove --state FILE`:
//!   `batch::parse_state`, a YAML list of {channel, tip, count});
//! - a channel's state file (`channels/*.state.yaml`,
//!   `ChannelState::from_yaml`).
//!
//! For any text: neither panics; what they accept writes to YAML no larger
//! than a bounded multiple of the input (no alias expansion) that reads
//! back the same. And the views, given to `batch::statement` for a fixed
//! honest batch (one channel, 9 units) both as `--state` and as the home's
//! settled record, with and without the home's channel record, never make
//! a statement that is dishonest: every entry's old tip is the channel's
//! real chain element at its old count (`w_old`), the count and tip come
//! from the view of that channel (the first, as the prover looks it up),
//! the new tip and count are the batch's, and the statement is valid. A
//! hostile state file can make `prove` refuse, never prove a lie.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl::batch::{self, Batch, ChannelView, Resolver, Update};
use msgl::chain::{self, Chain};
use msgl::channel::{ChannelState, Role};
use msgl::journal::Decimal;
use msgl::objects::{ack::AckFields, Ack, Open};
use msgl_circuits::poseidon2;

const LENGTH: u64 = 9;

pub struct Fixture {
    pub chain: Chain,
    pub anchor: [u8; 32],
    pub batch: Batch,
    pub anchors: BTreeMap<([u8; 32], [u8; 32], u64), [u8; 32]>,
    /// Honest files: settled views and channel states.
    pub seeds: Vec<(String, String)>,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let payer = SigningKey::from_bytes(&[0x11; 32]);
        let payee = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        let chain = Chain::build(chain::seed(&payer.to_bytes(), &payee, 1), LENGTH);
        let anchor = poseidon2::pack(&chain.anchor());
        let batch = Batch {
            latest: vec![Update {
                file: PathBuf::from("batch/ack.yaml"),
                payer: payer.verifying_key().to_bytes(),
                payee,
                generation: 1,
                nonce: 5,
                cumulative: LENGTH,
                preimage: chain.get(LENGTH),
            }],
            files: 1,
        };
        let mut anchors = BTreeMap::new();
        anchors.insert((payer.verifying_key().to_bytes(), payee, 1), anchor);
        let view = |count: u64| ChannelView {
            channel: anchor,
            tip: poseidon2::pack(&chain.get(count)),
            count,
        };
        let mut seeds = Vec::new();
        for (i, views) in [
            vec![view(0)],
            vec![view(4)],
            vec![
                ChannelView {
                    channel: [0x01; 32],
                    tip: [0x02; 32],
                    count: 3,
                },
                view(LENGTH),
            ],
        ]
        .into_iter()
        .enumerate()
        {
            seeds.push((
                format!("seed-settled-{i}"),
                serde_yaml::to_string(&views).unwrap(),
            ));
        }
        let open = Open::signed(
            &payer,
            payee,
            1,
            anchor,
            LENGTH,
            Decimal::new(1, 5),
            Decimal::ZERO,
        )
        .unwrap();
        let mut state = ChannelState::from_open(&open, Role::In);
        seeds.push(("seed-state-in-0".into(), state.to_yaml()));
        let ack = Ack::signed(
            &payer,
            AckFields {
                payee,
                generation: 1,
                epoch: 0,
                nonce: 1,
                message: [0x33; 32],
                price: 2,
                cumulative: 2,
                preimage: poseidon2::pack(&chain.get(2)),
            },
        );
        state.accept(&ack, &payer.verifying_key()).unwrap();
        state.last_ack = Some(format!("acks/{}-0000000001.yaml", state.short_id()));
        seeds.push(("seed-state-in-1".into(), state.to_yaml()));
        let mut out = ChannelState::from_open(&open, Role::Out);
        out.apply(&ack);
        out.last_ack = Some(format!("{}-0000000001", out.short_id()));
        out.last_message = Some(hex::encode([0x33; 32]));
        out.last_price = Some(2);
        seeds.push(("seed-state-out-1".into(), out.to_yaml()));
        Fixture {
            chain,
            anchor,
            batch,
            anchors,
            seeds,
        }
    })
}

pub fn seeds() -> Vec<(String, Vec<u8>)> {
    fixture()
        .seeds
        .iter()
        .map(|(n, t)| (n.clone(), t.clone().into_bytes()))
        .collect()
}

fn bounded(input: &str, output: &str, what: &str) {
    assert!(
        output.len() <= 32 * input.len() + 8192,
        "{} bytes of YAML read as {what} that writes {} bytes (alias expansion?)",
        input.len(),
        output.len()
    );
}

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(state) = ChannelState::from_yaml(text) {
        let yaml = state.to_yaml();
        bounded(text, &yaml, "a channel state");
        let back = ChannelState::from_yaml(&yaml)
            .unwrap_or_else(|e| panic!("a channel state does not read back: {e}\n{yaml}"));
        assert_eq!(back, state, "channel state round trip");
    }
    let path = Path::new("channels/settled.yaml");
    let Ok(views) = batch::parse_state(text, path) else {
        return;
    };
    let yaml = serde_yaml::to_string(&views).unwrap();
    bounded(text, &yaml, "settled views");
    let back = batch::parse_state(&yaml, path)
        .unwrap_or_else(|e| panic!("settled views do not read back: {e}\n{yaml}"));
    assert_eq!(back, views, "settled views round trip");

    let f = fixture();
    let none = BTreeMap::new();
    for anchors in [&f.anchors, &none] {
        for as_state in [true, false] {
            let r = Resolver {
                anchors: anchors.clone(),
                state: as_state.then_some(&views[..]),
                settled: if as_state { &[] } else { &views[..] },
            };
            let Ok(st) = batch::statement(&f.batch, &r, Default::default()) else {
                continue;
            };
            st.validate()
                .expect("statement() returns only valid statements");
            assert_eq!(st.entries.len(), 1);
            let e = &st.entries[0];
            let view = views.iter().find(|v| v.channel == f.anchor);
            if as_state {
                assert!(view.is_some(), "proved a channel missing from --state");
            }
            let (count, tip) = view.map_or((0, f.anchor), |v| (v.count, v.tip));
            assert_eq!(e.channel, f.anchor);
            assert_eq!((e.old_count, poseidon2::pack(&e.old_tip)), (count, tip));
            assert_eq!(
                e.old_tip,
                f.chain.get(e.old_count),
                "the statement's old tip is not the chain's element at its old count"
            );
            assert_eq!((e.new_count, e.new_preimage), (LENGTH, f.chain.get(LENGTH)));
        }
    }
}
