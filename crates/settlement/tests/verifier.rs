//! MsglVerifier.sol in revm against the Rust verifier (issue 18): honest
//! proofs verify in both and record the fact; mutated proofs and statements
//! are refused by both; the soundness attacks (crates/circuits/tests/chain_soundness.rs)
//! that pass a weakened Rust verifier are refused by the contract at the check
//! that was dropped.
//!
//! Verification runs as an uncapped `eth_call` here: the gas of one proof is
//! measured (and reported) separately, see docs/BENCHMARKS.md.

use alloy_primitives::{Address, B256};
use alloy_sol_types::SolError;
use msgl_circuits::air::chain_eval::AirVariant;
use msgl_circuits::air::chain_trace::ChainWitness;
use msgl_circuits::air::prove_for_chain_unchecked;
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
use msgl_settlement::evm::{Evm, Revert};
use msgl_settlement::verifier::{
    proof_calldata, proof_from_calldata, verifier_fact, verify_calldata, verify_view_calldata,
};
use msgl_settlement::MsglVerifier;

fn statement(units: &[u64]) -> Statement {
    Statement {
        domain: DOMAIN,
        entries: units
            .iter()
            .enumerate()
            .map(|(i, &u)| {
                let pre = [i as u32 + 1, 2, 3, 4, 5, 6, 7, 8];
                Entry {
                    channel: [i as u8 + 1; 32],
                    old_tip: poseidon2::hash_n(&pre, u),
                    old_count: 5,
                    new_preimage: pre,
                    new_count: 5 + u,
                }
            })
            .collect(),
    }
}

struct Verifier {
    chain: Evm,
    address: Address,
}

const FROM: Address = Address::repeat_byte(1);

impl Verifier {
    fn new() -> Self {
        let mut chain = Evm::new();
        let address = chain
            .deploy(FROM, MsglVerifier::BYTECODE.clone())
            .expect("deploy")
            .address;
        Verifier { chain, address }
    }

    /// Verifies as a call (nothing recorded); Ok(gas) or the revert.
    fn check(&mut self, calldata: Vec<u8>) -> Result<u64, Revert> {
        self.chain
            .view_uncapped(FROM, self.address, calldata)
            .map(|o| o.gas_used)
    }

    fn is_valid(&mut self, fact: B256) -> bool {
        self.chain
            .read(self.address, &MsglVerifier::isValidCall { fact })
            .expect("isValid")
    }
}

#[test]
fn honest_proofs_verify_in_rust_and_in_the_contract() {
    let mut v = Verifier::new();
    for units in [vec![1u64], vec![40, 60]] {
        let s = statement(&units);
        let proof = prove_for_chain(&s).expect("prove");
        verify_chain_proof(&s, &proof).expect("rust verifies");
        let gas = v
            .check(verify_calldata(&s, &proof))
            .expect("contract verifies");
        println!("{units:?}: {gas} gas");
        let fact = verifier_fact(&s);
        assert_eq!(fact.0, msgl_settlement::statement_hash(&s));
        assert!(!v.is_valid(fact), "a view records nothing");
        // The real transaction (under the 2^24 cap) records the fact.
        let out = v
            .chain
            .call(FROM, v.address, verify_calldata(&s, &proof))
            .expect("verifyAndRegister under the cap");
        assert!(out.gas_used >= gas - 30_000 && out.gas_used <= gas + 30_000);
        assert!(v.is_valid(fact));
    }
}

#[test]
fn mutated_statements_and_proofs_are_refused_by_both() {
    let mut v = Verifier::new();
    let s = statement(&[3, 5]);
    let proof = prove_for_chain(&s).expect("prove");
    // Every field of every entry, and one entry more or less.
    let mut statements = vec![];
    for i in 0..2 {
        let mut t = s.clone();
        t.entries[i].channel[31] ^= 1;
        statements.push(t);
        let mut t = s.clone();
        t.entries[i].old_tip[2] ^= 1;
        statements.push(t);
        let mut t = s.clone();
        t.entries[i].new_preimage[7] ^= 4;
        statements.push(t);
        let mut t = s.clone();
        t.entries[i].old_count += 1;
        t.entries[i].new_count += 1;
        statements.push(t);
        let mut t = s.clone();
        t.entries[i].new_count += 1;
        statements.push(t);
    }
    let mut t = s.clone();
    t.domain.chain_id += 1;
    statements.push(t);
    let mut t = s.clone();
    t.domain.settlement[0] ^= 1;
    statements.push(t);
    let mut t = s.clone();
    t.domain.token[19] ^= 1;
    statements.push(t);
    let mut t = s.clone();
    t.entries.pop();
    statements.push(t);
    let mut t = s.clone();
    let mut extra = t.entries[1];
    extra.channel = [9; 32];
    t.entries.push(extra);
    statements.push(t);
    for t in &statements {
        assert!(verify_chain_proof(t, &proof).is_err());
        let calldata = verify_view_calldata(t, &proof_calldata(&proof));
        assert!(v.check(calldata).is_err(), "contract accepted {t:?}");
    }
    // The very bytes the contract gets also go to the Rust verifier
    // (read back by proof_from_calldata with the honest proof's shape).
    let good = proof_calldata(&proof);
    let both = |v: &mut Verifier, c: &[u8], what: &str| {
        let sol = v.check(verify_view_calldata(&s, c));
        let rust = match proof_from_calldata(c, &proof) {
            Some(p) => verify_chain_proof(&s, &p).map_err(|e| e.to_string()),
            None => Err("does not decode".into()),
        };
        assert!(
            sol.is_err() && rust.is_err(),
            "{what}: contract {sol:?}, rust {rust:?}"
        );
    };
    assert_eq!(
        proof_from_calldata(&good, &proof).map(|p| p.to_bytes()),
        Some(proof.to_bytes())
    );
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut cases = statements.len() + CALLDATA_FLIPS;
    // Byte flips of the proof file; those that still decode go to both.
    let bytes = proof.to_bytes();
    for _ in 0..150 {
        let mut b = bytes.clone();
        let i = 8 + rnd(b.len() - 8);
        b[i] ^= 1 << rnd(8);
        if let Ok(p) = ChainProof::from_bytes(&b) {
            let rust = verify_chain_proof(&s, &p);
            let sol = v.check(verify_calldata(&s, &p));
            assert_eq!(
                rust.is_ok(),
                sol.is_ok(),
                "byte {i}: rust {rust:?}, contract {sol:?}"
            );
            assert!(
                rust.is_err() || proof_calldata(&p) == good,
                "file byte {i} accepted"
            );
        }
        cases += 1;
    }
    // Truncated and lengthened calldata.
    for cut in [1usize, 4, 16, 32, 100, good.len() / 2, good.len() - 1] {
        both(&mut v, &good[..good.len() - cut], &format!("cut {cut}"));
        cases += 1;
    }
    for extra in [1usize, 4, 32] {
        let mut longer = good.clone();
        longer.extend(std::iter::repeat_n(0u8, extra));
        both(&mut v, &longer, &format!("{extra} bytes more"));
        cases += 1;
    }
    // Every count-prefixed list (Merkle and FRI witnesses) one short and one long.
    for (at, item) in list_offsets(&good, &proof) {
        let n = u32::from_be_bytes(good[at..at + 4].try_into().unwrap()) as usize;
        if n > 0 {
            let mut c = good.clone();
            c[at..at + 4].copy_from_slice(&(n as u32 - 1).to_be_bytes());
            let last = at + 4 + (n - 1) * item;
            c.drain(last..last + item);
            both(&mut v, &c, &format!("list at {at} one short"));
        }
        let mut c = good.clone();
        c[at..at + 4].copy_from_slice(&(n as u32 + 1).to_be_bytes());
        let end = at + 4 + n * item;
        let dup: Vec<u8> = if n > 0 {
            c[end - item..end].to_vec()
        } else {
            vec![7; item]
        };
        c.splice(end..end, dup);
        both(&mut v, &c, &format!("list at {at} one long"));
        cases += 2;
    }
    assert!(cases >= 1000, "{cases} cases");
}

/// Byte flips of the calldata, anywhere (its own test, run in parallel with
/// the other mutations).
const CALLDATA_FLIPS: usize = 820;

#[test]
fn calldata_byte_flips_are_refused_by_both() {
    let mut v = Verifier::new();
    let s = statement(&[3, 5]);
    let proof = prove_for_chain(&s).expect("prove");
    let good = proof_calldata(&proof);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..CALLDATA_FLIPS {
        let mut c = good.clone();
        let j = rnd(c.len());
        c[j] ^= 1 << rnd(8);
        let sol = v.check(verify_view_calldata(&s, &c));
        let rust = match proof_from_calldata(&c, &proof) {
            Some(p) => verify_chain_proof(&s, &p).map_err(|e| e.to_string()),
            None => Err("does not decode".into()),
        };
        assert!(
            sol.is_err() && rust.is_err(),
            "calldata byte {j}: contract {sol:?}, rust {rust:?}"
        );
    }
}

/// Offsets of the count-prefixed lists in proof calldata, with their item sizes.
fn list_offsets(c: &[u8], proof: &ChainProof) -> Vec<(usize, usize)> {
    let p = &proof.stark.0;
    let n_sampled: usize = p.sampled_values.iter().flatten().map(|v| v.len()).sum();
    let mut at = 16 + 4 * 32 + 16 * n_sampled + 32 * (1 + p.fri_proof.inner_layers.len());
    at += 16 * p.fri_proof.last_layer_poly.len() + 8;
    let mut lists = vec![];
    let count = |at: usize| u32::from_be_bytes(c[at..at + 4].try_into().unwrap()) as usize;
    for t in 1..p.queried_values.len() {
        let cols = p.queried_values[t].len();
        let nq = p.queried_values[t].first().map_or(0, |v| v.len());
        at += 4 * cols * nq;
        lists.push((at, 32));
        at += 4 + 32 * count(at);
    }
    for _ in 0..1 + p.fri_proof.inner_layers.len() {
        lists.push((at, 16));
        at += 4 + 16 * count(at);
        lists.push((at, 32));
        at += 4 + 32 * count(at);
    }
    assert_eq!(at, c.len());
    lists
}

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

/// The contract refuses the attack with error `E`, the Rust verifier with `rust`:
/// the same check in both.
fn refused_by_the_contract<E: SolError>(s: &Statement, proof: &ChainProof, rust: Rejection) {
    let mut v = Verifier::new();
    let err = v
        .check(verify_calldata(s, proof))
        .expect_err("the contract refuses the attack");
    assert!(err.is::<E>(), "{}", err.reason);
    // And the real Rust verifier too.
    assert_eq!(
        verify_chain_proof(s, proof),
        Err(VerifyError::Rejected(rust))
    );
}

#[test]
fn soundness_attacks_are_refused_by_the_contract() {
    const OODS: Rejection = Rejection::Stwo(StwoRejection::OodsNotMatching);
    // Chain gap: H(X) = tip but the links before X are garbage.
    let x: Digest = [5, 4, 3, 2, 1, 0, 9, 8];
    let s = Statement {
        domain: DOMAIN,
        entries: vec![entry(1, P0, poseidon2::hash(&x), 4)],
    };
    let wit = witness(
        &[(P0, 0, 1), ([7; 8], 0, 2), ([8; 8], 0, 3), (x, 0, 4)],
        &[4],
    );
    let p = prove_for_chain_unchecked(&s, wit, AirVariant::NoChaining).unwrap();
    refused_by_the_contract::<MsglVerifier::OodsMismatch>(&s, &p, OODS);

    // Step counter skipping 1 -> 5.
    let s = Statement {
        domain: DOMAIN,
        entries: vec![entry(1, P0, poseidon2::hash_n(&P0, 2), 5)],
    };
    let wit = witness(&[(P0, 0, 1), (poseidon2::hash(&P0), 0, 5)], &[5]);
    let p = prove_for_chain_unchecked(&s, wit, AirVariant::NoStep).unwrap();
    refused_by_the_contract::<MsglVerifier::OodsMismatch>(&s, &p, OODS);

    // Entry id switching mid-walk.
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
    let p = prove_for_chain_unchecked(&s, wit, AirVariant::NoSeg).unwrap();
    refused_by_the_contract::<MsglVerifier::OodsMismatch>(&s, &p, OODS);

    // LogUp sum: another chain's honest walk under this statement.
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
    let p = prove_for_chain_unchecked(&s, witness(&slots, &[3]), AirVariant::Full).unwrap();
    refused_by_the_contract::<MsglVerifier::LogUpMismatch>(&s, &p, Rejection::LogUpSumMismatch);
}

#[test]
fn a_150k_unit_proof_verifies_in_one_transaction_under_the_cap() {
    let s = statement(&[150_000]);
    let proof = prove_for_chain(&s).expect("prove");
    verify_chain_proof(&s, &proof).expect("rust verifies");
    let mut v = Verifier::new();
    let out = v
        .chain
        .call(FROM, v.address, verify_calldata(&s, &proof))
        .expect("verifyAndRegister within 2^24 gas");
    println!("150000 units: {} gas", out.gas_used);
    assert!(v.is_valid(verifier_fact(&s)));
}
