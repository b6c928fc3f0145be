//! The on-chain proof system (Keccak channel, `chain_pcs_config`, one
//! permutation per row) and the soundness tests of issue 18, item 5: a
//! dishonest prover without Stwo's self-check proves false statements against
//! the AIR with one transition constraint dropped (or with the LogUp
//! comparison dropped from the verifier). Each proof verifies under the
//! weakened verifier and is refused by the real one. The same proofs go to
//! the Solidity verifier in crates/settlement/tests/verifier.rs.

use msgl_circuits::air::chain_eval::AirVariant;
use msgl_circuits::air::chain_trace::ChainWitness;
use msgl_circuits::air::{prove_for_chain_unchecked, verify_chain_proof_weakened};
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::statement::Domain;
use msgl_circuits::{
    prove_for_chain, verify_chain_proof, ChainProof, Entry, Rejection, Statement, StwoRejection,
    VerifyError,
};

const DOMAIN: Domain = Domain {
    chain_id: 31337,
    settlement: [0x5e; 20],
    token: [0x70; 20],
};

fn witness(slots: &[(Digest, u32, u32)], units: &[u32]) -> ChainWitness {
    ChainWitness {
        inputs: slots.iter().map(|s| s.0).collect(),
        seg: slots.iter().map(|s| s.1).collect(),
        step: slots.iter().map(|s| s.2).collect(),
        units: units.to_vec(),
    }
}

fn entry(tag: u8, pre: Digest, tip: Digest, units: u64) -> Entry {
    Entry {
        channel: [tag; 32],
        old_tip: tip,
        old_count: 10,
        new_preimage: pre,
        new_count: 10 + units,
    }
}

const P0: Digest = [11, 12, 13, 14, 15, 16, 17, 18];
const Q0: Digest = [21, 22, 23, 24, 25, 26, 27, 28];

/// What the weakened verifier and the real one say about one attack.
fn check_attack(s: &Statement, proof: &ChainProof, variant: AirVariant, logup: bool) {
    let bytes = proof.to_bytes();
    let proof = ChainProof::from_bytes(&bytes).expect("decodes");
    verify_chain_proof_weakened(s, &proof, variant, logup)
        .expect("the proof verifies with the check dropped");
    let err = verify_chain_proof(s, &proof).expect_err("the real AIR refuses it");
    // The check that was dropped is the one that refuses it.
    let want = if logup {
        Rejection::Stwo(StwoRejection::OodsNotMatching)
    } else {
        Rejection::LogUpSumMismatch
    };
    assert_eq!(err, VerifyError::Rejected(want));
    assert!(s.check_chains().is_err(), "the statement is false");
}

#[test]
fn honest_chain_proofs_verify_and_bind_the_statement() {
    let s = Statement {
        domain: DOMAIN,
        entries: vec![
            entry(1, P0, poseidon2::hash_n(&P0, 3), 3),
            entry(2, Q0, poseidon2::hash_n(&Q0, 97), 97),
        ],
    };
    let proof = prove_for_chain(&s).expect("prove");
    let back = ChainProof::from_bytes(&proof.to_bytes()).expect("decode");
    verify_chain_proof(&s, &back).expect("verify");
    let mut other = s.clone();
    other.domain.chain_id += 1;
    assert!(verify_chain_proof(&other, &back).is_err());
    let mut other = s.clone();
    other.domain.token[19] ^= 1;
    assert!(verify_chain_proof(&other, &back).is_err());
    // The unchecked path gives the same proof for an honest witness.
    let mut slots = vec![];
    for (seg, (pre, n)) in [(P0, 3u32), (Q0, 97)].into_iter().enumerate() {
        let mut w = pre;
        for k in 1..=n {
            slots.push((w, seg as u32, k));
            w = poseidon2::hash(&w);
        }
    }
    let again =
        prove_for_chain_unchecked(&s, witness(&slots, &[3, 97]), AirVariant::Full).expect("prove");
    assert_eq!(again.to_bytes(), proof.to_bytes());
}

#[test]
fn chain_gap_is_refused_by_the_chaining_constraint() {
    // H(X) = tip, but the links before X are garbage: P0 -> G1 -> G2 -> X.
    let x: Digest = [5, 4, 3, 2, 1, 0, 9, 8];
    let tip = poseidon2::hash(&x);
    let s = Statement {
        domain: DOMAIN,
        entries: vec![entry(1, P0, tip, 4)],
    };
    let wit = witness(
        &[(P0, 0, 1), ([7; 8], 0, 2), ([8; 8], 0, 3), (x, 0, 4)],
        &[4],
    );
    let proof = prove_for_chain_unchecked(&s, wit, AirVariant::NoChaining).expect("prove");
    check_attack(&s, &proof, AirVariant::NoChaining, true);
}

#[test]
fn step_counter_skipping_one_to_five_is_refused() {
    // Two hashes claimed as five units: steps 1 then 5.
    let tip = poseidon2::hash_n(&P0, 2);
    let s = Statement {
        domain: DOMAIN,
        entries: vec![entry(1, P0, tip, 5)],
    };
    let wit = witness(&[(P0, 0, 1), (poseidon2::hash(&P0), 0, 5)], &[5]);
    let proof = prove_for_chain_unchecked(&s, wit, AirVariant::NoStep).expect("prove");
    check_attack(&s, &proof, AirVariant::NoStep, true);
}

#[test]
fn entry_id_switching_mid_walk_is_refused() {
    // Walk from P0 starts as entry 0 and ends as entry 1; walk from Q0 the
    // other way round: each entry's tip is the other chain's.
    let s = Statement {
        domain: DOMAIN,
        entries: vec![
            entry(1, P0, poseidon2::hash_n(&Q0, 2), 2),
            entry(2, Q0, poseidon2::hash_n(&P0, 2), 2),
        ],
    };
    let wit = witness(
        &[
            (P0, 0, 1),
            (poseidon2::hash(&P0), 1, 2),
            (Q0, 1, 1),
            (poseidon2::hash(&Q0), 0, 2),
        ],
        &[2, 2],
    );
    let proof = prove_for_chain_unchecked(&s, wit, AirVariant::NoSeg).expect("prove");
    check_attack(&s, &proof, AirVariant::NoSeg, true);
}

#[test]
fn logup_sum_is_checked_against_the_statement() {
    // An honest walk of another chain, proven under this statement.
    let s = Statement {
        domain: DOMAIN,
        entries: vec![entry(1, P0, poseidon2::hash_n(&Q0, 3), 3)],
    };
    let mut slots = vec![];
    let mut w = Q0;
    for k in 1..=3 {
        slots.push((w, 0, k));
        w = poseidon2::hash(&w);
    }
    let proof =
        prove_for_chain_unchecked(&s, witness(&slots, &[3]), AirVariant::Full).expect("prove");
    check_attack(&s, &proof, AirVariant::Full, false);
}
