//! End-to-end properties of the chain proof.

use msgl_circuits::poseidon2::{self, Digest, P};
use msgl_circuits::{
    prove, verify, BatchProof, Domain, Entry, ProveError, Statement, StatementError,
};

fn entry(tag: u8, old_count: u64, units: u64) -> Entry {
    let pre: Digest = std::array::from_fn(|k| (tag as u32 * 1_000_003 + k as u32 * 7919) % P);
    Entry {
        channel: std::array::from_fn(|k| tag.wrapping_add(k as u8)),
        old_tip: poseidon2::hash_n(&pre, units),
        old_count,
        new_preimage: pre,
        new_count: old_count + units,
    }
}

fn statement() -> Statement {
    Statement {
        domain: Domain {
            chain_id: 31337,
            settlement: [0x5e; 20],
            token: [0x70; 20],
        },
        entries: vec![
            entry(3, 0, 5),
            entry(9, 100, 17),
            entry(20, 7, 1),
            entry(40, 3, 21),
        ],
    }
}

#[test]
fn roundtrip_and_statement_binding() {
    let s = statement();
    let proof = prove(&s).expect("prove");
    verify(&s, &proof).expect("verify");

    let bytes = proof.to_bytes();
    let back = BatchProof::from_bytes(&bytes).expect("decode");
    verify(&s, &back).expect("verify decoded");
    assert_eq!(back.to_bytes(), bytes);

    // Any single field of any entry changed: refused.
    for i in 0..s.entries.len() {
        let mut variants: Vec<(&str, Statement)> = Vec::new();
        let mut v = s.clone();
        v.entries[i].channel[31] ^= 0x01;
        variants.push(("channel", v));
        let mut v = s.clone();
        v.entries[i].old_tip[2] = (v.entries[i].old_tip[2] + 1) % P;
        variants.push(("old tip", v));
        let mut v = s.clone();
        v.entries[i].old_count += 1;
        variants.push(("old count (one fewer unit)", v));
        let mut v = s.clone();
        v.entries[i].old_count = v.entries[i].old_count.wrapping_sub(1);
        variants.push(("old count (one more unit)", v));
        let mut v = s.clone();
        v.entries[i].new_preimage[7] = (v.entries[i].new_preimage[7] + 1) % P;
        variants.push(("new preimage", v));
        let mut v = s.clone();
        v.entries[i].new_count += 1;
        variants.push(("new count", v));
        // The same change to old and new count keeps the unit count.
        let mut v = s.clone();
        v.entries[i].old_count += 1;
        v.entries[i].new_count += 1;
        variants.push(("both counts shifted", v));
        for (what, v) in variants {
            assert_ne!(v, s);
            assert!(
                verify(&v, &proof).is_err(),
                "entry {i}: changed {what}, still verifies"
            );
        }
    }

    // Another deployment: chain id, settlement contract or token changed.
    let mut v = s.clone();
    v.domain.chain_id += 1;
    assert!(verify(&v, &proof).is_err(), "another chain id");
    let mut v = s.clone();
    v.domain.settlement[19] ^= 1;
    assert!(verify(&v, &proof).is_err(), "another settlement contract");
    let mut v = s.clone();
    v.domain.token[0] ^= 0x80;
    assert!(verify(&v, &proof).is_err(), "another token");

    // Entries swapped between positions (still a valid statement? no: order is canonical).
    let mut v = s.clone();
    v.entries.swap(0, 1);
    assert!(verify(&v, &proof).is_err());

    // One entry removed, one entry added.
    for i in 0..s.entries.len() {
        let mut v = s.clone();
        v.entries.remove(i);
        assert!(verify(&v, &proof).is_err(), "entry {i} removed");
    }
    let mut v = s.clone();
    v.entries.push(entry(200, 0, 2));
    v.validate().unwrap();
    assert!(verify(&v, &proof).is_err(), "entry added at the end");
    let mut v = s.clone();
    v.entries.insert(0, entry(1, 0, 1));
    v.validate().unwrap();
    assert!(verify(&v, &proof).is_err(), "entry added at the start");

    // The proof of another (valid) statement does not verify this one.
    let other = Statement {
        domain: s.domain,
        entries: vec![entry(3, 0, 5), entry(9, 100, 17)],
    };
    let other_proof = prove(&other).expect("prove other");
    verify(&other, &other_proof).expect("verify other");
    assert!(verify(&s, &other_proof).is_err());
    assert!(verify(&other, &proof).is_err());
}

#[test]
fn false_statement_is_not_proven() {
    let mut s = statement();
    s.entries[2].old_tip = poseidon2::hash(&s.entries[2].old_tip);
    assert_eq!(
        prove(&s).err(),
        Some(ProveError::Statement(StatementError::ChainMismatch {
            index: 2
        }))
    );
    // One unit too many or too few.
    let mut s = statement();
    s.entries[1].new_count += 1;
    assert!(matches!(
        prove(&s),
        Err(ProveError::Statement(StatementError::ChainMismatch {
            index: 1
        }))
    ));
    let mut s = statement();
    s.entries[0].old_count += 1;
    assert!(matches!(
        prove(&s),
        Err(ProveError::Statement(StatementError::ChainMismatch {
            index: 0
        }))
    ));
    // Rule violations are refused before hashing.
    let mut s = statement();
    s.entries.swap(1, 2);
    assert!(matches!(
        prove(&s),
        Err(ProveError::Statement(StatementError::NotSorted { .. }))
    ));
}

#[test]
fn corrupted_proofs_are_refused_without_panicking() {
    let s = Statement {
        domain: Default::default(),
        entries: vec![entry(5, 0, 3), entry(6, 10, 12)],
    };
    let proof = prove(&s).expect("prove");
    let bytes = proof.to_bytes();
    verify(&s, &BatchProof::from_bytes(&bytes).unwrap()).expect("intact proof verifies");

    // Count panics: msgl's checks must refuse hostile input before Stwo
    // can panic on it (verify's catch_unwind is only a last resort).
    static PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|i| {
        PANICS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        eprintln!("panic: {i}");
    }));
    let n = bytes.len();
    let mut positions: Vec<usize> = (0..64.min(n)).collect();
    let mut x: u64 = 0x243f_6a88_85a3_08d3;
    while positions.len() < 320 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        positions.push((x % n as u64) as usize);
    }
    positions.extend([n - 1, n - 2, n - 9]);
    let mut checked = 0;
    for (k, &pos) in positions.iter().enumerate() {
        let mut bad = bytes.clone();
        bad[pos] ^= [0x01, 0x80, 0xff, 0x10][k % 4];
        let res = std::panic::catch_unwind(|| match BatchProof::from_bytes(&bad) {
            Err(_) => Ok(()),
            Ok(p) => match verify(&s, &p) {
                Err(_) => Ok(()),
                Ok(()) => Err(()),
            },
        });
        assert!(
            matches!(res, Ok(Ok(()))),
            "flip at byte {pos} of {n} was accepted or panicked"
        );
        checked += 1;
    }
    // Truncated and extended encodings.
    for cut in [0, 1, 8, n / 2, n - 1] {
        assert!(BatchProof::from_bytes(&bytes[..cut]).is_err());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(BatchProof::from_bytes(&longer).is_err());
    assert!(BatchProof::from_bytes(&vec![0u8; 17 << 20]).is_err());
    std::panic::set_hook(hook);
    assert!(checked >= 200);
    assert_eq!(
        PANICS.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the verifier panicked on a corrupted proof"
    );
}

#[test]
fn oversized_batches_are_refused_before_any_work() {
    use msgl_circuits::air::MAX_BATCH_UNITS;
    use msgl_circuits::VerifyError;
    let mut s = statement();
    s.entries[0].new_count = s.entries[0].old_count + MAX_BATCH_UNITS;
    s.validate().expect("D2 allows it");
    assert!(matches!(prove(&s), Err(ProveError::TooLarge { .. })));
    let proof = prove(&statement()).expect("prove");
    assert!(matches!(
        verify(&s, &proof),
        Err(VerifyError::TooLarge { .. })
    ));
}

#[test]
fn bare_component_roundtrip_and_no_cross_acceptance() {
    use msgl_circuits::{prove_bare, verify_bare};
    let bare = prove_bare(100).expect("prove bare");
    verify_bare(100, &bare).expect("verify bare");
    let bare = BatchProof::from_bytes(&bare.to_bytes()).expect("decode");
    verify_bare(100, &bare).expect("verify decoded bare");
    assert!(verify_bare(101, &bare).is_err(), "other unit count");
    assert!(verify_bare(1000, &bare).is_err(), "other layout");
    let s = statement();
    let chain = prove(&s).expect("prove");
    assert!(verify(&s, &bare).is_err(), "bare proof as chain proof");
    assert!(
        verify_bare(s.total_units(), &chain).is_err(),
        "chain proof as bare proof"
    );
}

#[test]
fn edge_layouts_prove_and_verify() {
    use msgl_circuits::air::Layout;
    // A single unit; a trace filled exactly (no padding slot, so the cyclic
    // wrap goes from the last entry's last slot to entry 0's first slot);
    // one long chain spanning many rows.
    let cases = [
        Statement {
            domain: Default::default(),
            entries: vec![entry(1, 0, 1)],
        },
        Statement {
            domain: Default::default(),
            entries: vec![entry(1, 0, 30), entry(2, 5, 34)],
        },
        Statement {
            domain: Default::default(),
            entries: vec![entry(1, 0, 16)],
        },
        Statement {
            domain: Default::default(),
            entries: vec![entry(7, 1, 300)],
        },
    ];
    for s in &cases {
        let units = s.total_units();
        if units == 64 || units == 16 {
            assert_eq!(
                Layout::for_units(units).slots() as u64,
                units,
                "full layout"
            );
        }
        let proof = prove(s).expect("prove");
        verify(s, &proof).expect("verify");
    }
}
