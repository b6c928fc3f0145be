//! Replays the committed fuzz corpora and crash reproducers
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through the
//! same oracles the fuzz targets run (`fuzz/oracles/*.rs`, included here),
//! so that what the fuzzer found stays fixed without cargo-fuzz.
//! The proof and calldata corpora replay in `crates/circuits/tests/` and
//! `crates/settlement/tests/`.

use std::path::{Path, PathBuf};

#[path = "../fuzz/oracles/ack.rs"]
mod ack;
#[path = "../fuzz/oracles/amount.rs"]
mod amount;
#[path = "../fuzz/oracles/config.rs"]
mod config;
#[path = "../fuzz/oracles/journal.rs"]
mod journal;
#[path = "../fuzz/oracles/open.rs"]
mod open;
#[path = "../fuzz/oracles/recon.rs"]
mod recon;
#[path = "../fuzz/oracles/state.rs"]
mod state;

/// Every input of `target`: its corpus and its reproducers.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for f in rd {
            let p = f.unwrap().path();
            if p.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    assert!(
        !out.is_empty(),
        "no committed inputs for fuzz target `{target}`"
    );
    out
}

fn replay(target: &str, check: impl Fn(&[u8])) {
    let all = inputs(target);
    for (path, bytes) in &all {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(bytes)));
        assert!(r.is_ok(), "{}: the oracle fails", path.display());
    }
    eprintln!("{target}: {} inputs replayed", all.len());
}

#[test]
fn journal_corpus_and_reproducers() {
    let dir = tempfile::tempdir().unwrap();
    let scratch = dir.path().join("scratch.ledger");
    replay("journal", |b| journal::check(b, &scratch, true));
}

#[test]
fn amount_corpus_and_reproducers() {
    replay("amount", amount::check);
}

#[test]
fn config_corpus_and_reproducers() {
    replay("config", config::check);
}

#[test]
fn ack_corpus_and_reproducers() {
    replay("ack", ack::check);
}

#[test]
fn open_corpus_and_reproducers() {
    replay("open", open::check);
}

#[test]
fn recon_corpus_and_reproducers() {
    replay("recon", recon::check);
}

#[test]
fn state_corpus_and_reproducers() {
    replay("state", state::check);
}

/// Every one-byte change (each byte XOR 1, 0x20 and 0x80, and each byte
/// deleted) of every seed of `target` goes through the oracle, which
/// panics if a changed object still verifies or is accepted.
fn mutate_seeds(target: &str, seeds: Vec<(String, Vec<u8>)>, check: impl Fn(&[u8])) -> usize {
    let mut n = 0;
    for (name, seed) in seeds {
        check(&seed);
        for i in 0..seed.len() {
            let mut variants: Vec<Vec<u8>> = [1u8, 0x20, 0x80]
                .iter()
                .map(|x| {
                    let mut v = seed.clone();
                    v[i] ^= x;
                    v
                })
                .collect();
            let mut cut = seed.clone();
            cut.remove(i);
            variants.push(cut);
            for v in variants {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&v)));
                assert!(r.is_ok(), "{target}: {name} with byte {i} changed");
                n += 1;
            }
        }
    }
    n
}

/// The object oracles are not vacuous: their honest objects verify (and
/// are accepted where the oracle checks acceptance), and no one-byte change
/// of them passes.
#[test]
fn the_object_oracles_hold_on_honest_seeds_and_every_one_byte_change() {
    for a in &ack::fixture().acks {
        a.verify().unwrap();
    }
    for (i, a) in ack::fixture().acks.iter().enumerate() {
        msgl_node::protocol::ack::check(&ack::fixture().channels[i], a).unwrap();
    }
    for o in open::fixture() {
        o.verify().unwrap();
    }
    let recons = &recon::fixture().recons;
    assert!(recons
        .iter()
        .filter(|r| r.is_cosigned())
        .all(|r| r.verify().is_ok()));
    assert!(recons.iter().any(|r| !r.is_cosigned()));
    let f = state::fixture();
    let views = msgl_node::batch::parse_state(&f.seeds[0].1, std::path::Path::new("s")).unwrap();
    let r = msgl_node::batch::Resolver {
        state: Some(&views),
        settled: &[],
    };
    assert_eq!(
        msgl_node::batch::statement(&f.batch, &r, Default::default())
            .unwrap()
            .expect("something to prove")
            .entries
            .len(),
        1
    );
    let n = mutate_seeds("ack", ack::seeds(), ack::check)
        + mutate_seeds("open", open::seeds(), open::check)
        + mutate_seeds("recon", recon::seeds(), recon::check)
        + mutate_seeds("state", state::seeds(), state::check);
    eprintln!("{n} one-byte changes of the seeds checked");
}
