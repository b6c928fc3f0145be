//! The settled-state fuzz oracle, shared by `fuzz_targets/state.rs` and
//! `tests/fuzz_regressions.rs`: the settled state the prover reads
//! (`channels/settled.yaml` as `msgl settled` writes it, or `msgl prove
//! --state FILE`: `batch::parse_state`, a YAML list of {channel, tip,
//! count}). (Channel state files are gone: a channel's position is the last
//! record of its ack log, which the ack target's JSON form covers.)
//!
//! For any text: it never panics; what it accepts writes to YAML no larger
//! than a bounded multiple of the input (no alias expansion) that reads
//! back the same. And the views, given to `batch::statement` for a fixed
//! honest batch (one channel, 9 units) both as `--state` and as the home's
//! settled record, never make a statement that is dishonest: every entry's old tip is the channel's
//! real chain element at its old count (`w_old`), the count and tip come
//! from the view of that channel (the first, as the prover looks it up),
//! the new tip and count are the batch's, and the statement is valid. A
//! hostile state file can make `prove` refuse, never prove a lie.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use msgl_circuits::poseidon2;
use msgl_node::batch::{self, Batch, ChannelView, Resolver, Update};
use msgl_node::hashchain::{self, HashChain};

const LENGTH: u64 = 9;

pub struct Fixture {
    pub chain: HashChain,
    pub anchor: [u8; 32],
    pub batch: Batch,
    /// Honest files: settled views.
    pub seeds: Vec<(String, String)>,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let payer = SigningKey::from_bytes(&[0x11; 32]);
        let payee = SigningKey::from_bytes(&[0x22; 32])
            .verifying_key()
            .to_bytes();
        let chain = HashChain::build(hashchain::seed(&payer.to_bytes(), &payee, 1), LENGTH);
        let anchor = poseidon2::pack(&chain.anchor());
        let batch = Batch {
            latest: vec![Update {
                file: PathBuf::from("batch/ack.yaml"),
                channel: anchor,
                payer: payer.verifying_key().to_bytes(),
                payee,
                nonce: 5,
                cumulative: LENGTH,
                preimage: chain.get(LENGTH),
            }],
            files: 1,
        };
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
        Fixture {
            chain,
            anchor,
            batch,
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
    {
        for as_state in [true, false] {
            let r = Resolver {
                state: as_state.then_some(&views[..]),
                settled: if as_state { &[] } else { &views[..] },
            };
            let Ok(Some(st)) = batch::statement(&f.batch, &r, Default::default()) else {
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
            // Whether the chain reaches the state's tip is the prover's to
            // decide (`msgl prove` walks each chain once, for the witness,
            // before committing to anything): a statement whose old tip
            // is not the chain's element at its old count must be refused
            // there.
            let witness = msgl_circuits::air::chain_trace::chain_witness(&st);
            if e.old_tip != f.chain.get(e.old_count) {
                assert!(
                    matches!(
                        witness,
                        Err(msgl_circuits::StatementError::ChainMismatch { index: 0 })
                    ),
                    "the prover's walk accepts a tip the chain does not reach"
                );
                continue;
            }
            assert!(witness.is_ok(), "the prover's walk refuses a true chain");
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
