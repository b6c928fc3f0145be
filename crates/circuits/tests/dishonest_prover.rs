//! A prover that skips the statement checks and commits to a chosen witness:
//! the verifier must refuse every false statement it tries.

use msgl_circuits::air::chain_trace::ChainWitness;
use msgl_circuits::air::prove_unchecked;
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::{verify, Entry, Statement};

/// The witness of an honest walk of `steps` hashes from `pre`, as entry `seg`.
fn walk(wit: &mut ChainWitness, seg: u32, pre: Digest, steps: u32) {
    let mut w = pre;
    for k in 0..steps {
        wit.inputs.push(w);
        wit.seg.push(seg);
        wit.step.push(k + 1);
        w = poseidon2::hash(&w);
    }
    wit.units.push(steps);
}

fn empty() -> ChainWitness {
    ChainWitness {
        inputs: vec![],
        seg: vec![],
        step: vec![],
        units: vec![],
    }
}

fn entry(tag: u8, pre: Digest, tip: Digest, units: u64) -> Entry {
    Entry {
        channel: [tag; 32],
        old_tip: tip,
        old_count: 50,
        new_preimage: pre,
        new_count: 50 + units,
    }
}

const A: Digest = [1, 2, 3, 4, 5, 6, 7, 8];
const B: Digest = [9, 9, 9, 9, 9, 9, 9, 10];

#[test]
fn honest_witness_through_the_unchecked_path_verifies() {
    // Makes sure the refusals below come from the lies, not from the path.
    let s = Statement {
        domain: Default::default(),
        entries: vec![
            entry(1, A, poseidon2::hash_n(&A, 6), 6),
            entry(2, B, poseidon2::hash_n(&B, 3), 3),
        ],
    };
    let mut wit = empty();
    walk(&mut wit, 0, A, 6);
    walk(&mut wit, 1, B, 3);
    let proof = prove_unchecked(&s, wit).expect("prove");
    verify(&s, &proof).expect("honest witness verifies");
}

#[test]
fn count_off_by_one_is_refused() {
    // The tip is 6 hashes away but the statement claims 5 units.
    let tip = poseidon2::hash_n(&A, 6);
    let s = Statement {
        domain: Default::default(),
        entries: vec![entry(1, A, tip, 5)],
    };
    // (a) the true 6-step chain (its End carries step 6, not 5)
    let mut wit = empty();
    walk(&mut wit, 0, A, 6);
    let proof = prove_unchecked(&s, wit).expect("prove");
    assert!(verify(&s, &proof).is_err());
    // (b) a 5-step chain (its End carries H^5(A), not the tip)
    let mut wit = empty();
    walk(&mut wit, 0, A, 5);
    let proof = prove_unchecked(&s, wit).expect("prove");
    assert!(verify(&s, &proof).is_err());
}

#[test]
fn one_chain_cannot_serve_two_entries() {
    // Entry 1 is false (B does not reach that tip); the prover reuses A's chain
    // for both segments.
    let tip = poseidon2::hash_n(&A, 4);
    let s = Statement {
        domain: Default::default(),
        entries: vec![entry(1, A, tip, 4), entry(2, B, tip, 4)],
    };
    let mut wit = empty();
    walk(&mut wit, 0, A, 4);
    walk(&mut wit, 1, A, 4);
    let proof = prove_unchecked(&s, wit).expect("prove");
    assert!(verify(&s, &proof).is_err());
    // ... or labels A's single chain with both segment ids.
    let mut wit = empty();
    walk(&mut wit, 0, A, 4);
    walk(&mut wit, 0, A, 4);
    wit.units = vec![4, 4];
    let proof = prove_unchecked(&s, wit).expect("prove");
    assert!(verify(&s, &proof).is_err());
}
