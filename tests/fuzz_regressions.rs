//! Replays the committed fuzz corpora and crash reproducers
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through the
//! same oracles the fuzz targets run (`fuzz/oracles/*.rs`, included here),
//! so that what the fuzzer found stays fixed without cargo-fuzz.
//! The proof and calldata corpora replay in `circuits/tests/` and
//! `settlement/tests/`.

use std::path::{Path, PathBuf};

#[path = "../fuzz/oracles/amount.rs"]
mod amount;
#[path = "../fuzz/oracles/config.rs"]
mod config;
#[path = "../fuzz/oracles/journal.rs"]
mod journal;

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
