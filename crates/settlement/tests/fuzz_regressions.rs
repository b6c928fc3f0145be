//! Replays the committed calldata fuzz corpus and crash reproducers
//! (`fuzz/corpus/calldata/`, `fuzz/regressions/calldata/`) through the
//! oracle the fuzz target runs (`fuzz/oracles/calldata.rs`, included here).

use std::path::Path;

#[path = "../../../fuzz/oracles/calldata.rs"]
mod calldata;

#[test]
fn calldata_corpus_and_reproducers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir).join("calldata")) else {
            continue;
        };
        for f in rd {
            let p = f.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            let r = std::panic::catch_unwind(|| calldata::check(&bytes));
            assert!(r.is_ok(), "{}: the oracle fails", p.display());
            n += 1;
        }
    }
    assert!(n > 0, "no committed calldata fuzz inputs");
    calldata::check(&calldata::seed());
}
