//! The proof fuzz oracle, shared by `fuzz_targets/proof.rs` and
//! `crates/circuits/tests/fuzz_regressions.rs`.
//!
//! For any bytes: `BatchProof::from_bytes` never panics; a proof it decodes
//! re-encodes to the same bytes (no second encoding of one proof); `verify`
//! against a small fixed statement never panics (msgl's shape and value
//! checks refuse first; a panic caught by `verify`'s last-resort
//! `catch_unwind` fails the oracle too) and accepts only the honest proof's
//! exact bytes.

use std::sync::OnceLock;

use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::{prove, verify, BatchProof, Entry, Rejection, Statement, VerifyError};

pub struct Fixture {
    pub statement: Statement,
    /// The honest proof of `statement`, serialized.
    pub valid: Vec<u8>,
}

/// One channel, three units: the smallest trace the AIR has.
pub fn statement() -> Statement {
    let pre: Digest = [11, 22, 33, 44, 55, 66, 77, 88];
    Statement {
        domain: Default::default(),
        entries: vec![Entry {
            channel: [7; 32],
            old_tip: poseidon2::hash_n(&pre, 3),
            old_count: 4,
            new_preimage: pre,
            new_count: 7,
        }],
    }
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let statement = statement();
        let proof = prove(&statement).expect("the fixed statement proves");
        Fixture {
            valid: proof.to_bytes(),
            statement,
        }
    })
}

pub fn check(data: &[u8]) {
    let f = fixture();
    let Ok(proof) = BatchProof::from_bytes(data) else {
        return;
    };
    assert_eq!(
        proof.to_bytes(),
        data,
        "a second encoding of one proof decodes"
    );
    match verify(&f.statement, &proof) {
        Ok(()) => assert_eq!(
            data,
            &f.valid[..],
            "a proof other than the honest one verifies"
        ),
        Err(VerifyError::Rejected(Rejection::Panicked(m))) => {
            panic!("Stwo panicked inside verify: {m:?}")
        }
        Err(_) => {}
    }
}
