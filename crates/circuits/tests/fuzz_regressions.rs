//! Replays the committed proof fuzz corpus and crash reproducers
//! (`fuzz/corpus/proof/`, `fuzz/regressions/proof/`) through the oracle the
//! fuzz target runs (`fuzz/oracles/proof.rs`, included here).

use std::path::Path;

#[path = "../../../fuzz/oracles/proof.rs"]
mod proof;

#[test]
fn proof_corpus_and_reproducers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir).join("proof")) else {
            continue;
        };
        for f in rd {
            let p = f.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            let r = std::panic::catch_unwind(|| proof::check(&bytes));
            assert!(r.is_ok(), "{}: the oracle fails", p.display());
            n += 1;
        }
    }
    assert!(n > 0, "no committed proof fuzz inputs");
}

#[test]
fn the_honest_proof_verifies_and_a_flipped_byte_does_not() {
    let f = proof::fixture();
    proof::check(&f.valid);
    let mut accepted = 0;
    // 64 flipped bits spread over the whole proof.
    let step = (f.valid.len() / 64).max(1);
    for i in (8..f.valid.len()).step_by(step) {
        let mut bad = f.valid.clone();
        bad[i] ^= 0x10;
        proof::check(&bad);
        if let Ok(p) = msgl_circuits::BatchProof::from_bytes(&bad) {
            accepted += usize::from(msgl_circuits::verify(&f.statement, &p).is_ok());
        }
    }
    assert_eq!(accepted, 0);
}

/// Found by the proof fuzzer: a proof that decodes but whose sampled values
/// have the wrong shape makes Stwo's verifier panic (an `assert_eq!` in
/// stwo-constraint-framework's point evaluator). `verify` catches it and
/// rejects; this keeps it so (and would catch a build with panic = "abort",
/// under which it would be a crash). Statement v2 changed the transcript, so
/// the fuzzer's file no longer passed the LogUp check that comes first: the
/// reproducer is now the honest proof of the v2 fixture with the fuzzer's
/// mis-shaped sampled values put in.
#[test]
fn a_proof_with_misshapen_sampled_values_is_rejected_not_a_panic() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions/proof/stwo-mask-shape-panic");
    let bytes = std::fs::read(path).unwrap();
    let f = proof::fixture();
    let p = msgl_circuits::BatchProof::from_bytes(&bytes).expect("it decodes");
    match msgl_circuits::verify(&f.statement, &p) {
        Err(msgl_circuits::VerifyError::Rejected(msgl_circuits::Rejection::Panicked(_))) => {}
        // What a shape check before Stwo's verifier would say instead.
        Err(msgl_circuits::VerifyError::Malformed(_)) => {}
        other => panic!("expected a rejection, got {other:?}"),
    }
}
