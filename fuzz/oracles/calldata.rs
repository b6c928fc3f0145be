//! The calldata fuzz oracle, shared by `fuzz_targets/calldata.rs` and
//! `crates/settlement/tests/fuzz_regressions.rs`.
//!
//! For any bytes: `statement_from_calldata` never panics; a statement it
//! returns encodes (`settle_calldata`) to calldata that decodes to the same
//! statement, and its cheap checks (DESIGN §8.1) (`validate`) never panic.

use msgl_settlement::{settle_calldata, statement_from_calldata, statement_hash};

/// The deployment the oracle reads calldata for (any will do: calldata
/// names no domain).
fn domain() -> msgl_circuits::Domain {
    msgl_circuits::Domain {
        chain_id: 31337,
        settlement: [0x5e; 20],
        token: [0x70; 20],
    }
}

pub fn check(data: &[u8]) {
    let Ok(s) = statement_from_calldata(domain(), data) else {
        return;
    };
    assert_eq!(s.domain, domain());
    let again = settle_calldata(&s);
    assert_eq!(
        statement_from_calldata(domain(), &again).as_ref(),
        Ok(&s),
        "settle_calldata does not round-trip"
    );
    let _ = statement_hash(&s);
    let _ = s.validate();
    let _ = s.fs_words();
}

/// Calldata of a small valid statement, to seed the corpus.
pub fn seed() -> Vec<u8> {
    use msgl_circuits::poseidon2;
    use msgl_circuits::{Entry, Statement};
    let pre = [5, 6, 7, 8, 9, 10, 11, 12];
    let entry = |ch: u8, old: u64, new: u64| Entry {
        channel: [ch; 32],
        old_tip: poseidon2::hash_n(&pre, new - old),
        old_count: old,
        new_preimage: pre,
        new_count: new,
    };
    settle_calldata(&Statement {
        domain: domain(),
        entries: vec![entry(1, 0, 3), entry(2, 7, 9)],
    })
}
