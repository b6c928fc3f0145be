//! Structurally mis-shaped proofs (every list in the proof one element
//! short, one too long, or empty) are refused by msgl's own shape check
//! before Stwo sees them, or by Stwo with an error: never by a panic (the
//! verifier's `catch_unwind` is a last resort, not the defence; a
//! `panic = "abort"` build would crash on it).

use std::sync::Mutex;

use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::{prove, verify, BatchProof, Entry, Rejection, Statement, VerifyError};
use serde_json::Value;

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn statement() -> Statement {
    let pre: Digest = [1, 2, 3, 4, 5, 6, 7, 8];
    Statement {
        domain: Default::default(),
        entries: vec![Entry {
            channel: [3; 32],
            old_tip: poseidon2::hash_n(&pre, 5),
            old_count: 0,
            new_preimage: pre,
            new_count: 5,
        }],
    }
}

/// JSON pointers of every array in `v` (hash-sized byte arrays excepted:
/// their length is fixed by their type, so a change cannot decode).
fn arrays(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => {
            let bytes = a.len() == 32 && a.iter().all(Value::is_u64);
            if !bytes {
                out.push(path.clone());
            }
            for (i, x) in a.iter().enumerate() {
                arrays(x, format!("{path}/{i}"), out);
            }
        }
        Value::Object(m) => {
            for (k, x) in m {
                arrays(x, format!("{path}/{k}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn no_mis_shaped_proof_makes_the_verifier_panic() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        PANICS.lock().unwrap().push(format!("{at}: {info}"));
    }));
    let s = statement();
    let honest = prove(&s).unwrap();
    verify(&s, &honest).unwrap();
    let json = serde_json::to_value(&honest).unwrap();
    let mut paths = Vec::new();
    arrays(&json, String::new(), &mut paths);
    // The arrays nested deep inside long lists repeat the same shape: keep
    // at most 3 per parent list, so the run stays short.
    let mut kept: Vec<&String> = Vec::new();
    let mut per_parent = std::collections::HashMap::<String, usize>::new();
    for p in &paths {
        let parent = p.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string();
        let n = per_parent.entry(parent).or_default();
        *n += 1;
        if *n <= 3 {
            kept.push(p);
        }
    }
    let (mut tried, mut undecodable) = (0, 0);
    let mut panicked = Vec::new();
    for p in kept {
        for how in ["pop", "push", "clear"] {
            let mut v = json.clone();
            let a = v.pointer_mut(p).unwrap().as_array_mut().unwrap();
            match how {
                "pop" => {
                    if a.pop().is_none() {
                        continue;
                    }
                }
                "push" => match a.last().cloned() {
                    Some(x) => a.push(x),
                    None => continue,
                },
                _ => {
                    if a.is_empty() {
                        continue;
                    }
                    a.clear()
                }
            }
            let Ok(proof) = serde_json::from_value::<BatchProof>(v) else {
                undecodable += 1;
                continue;
            };
            tried += 1;
            PANICS.lock().unwrap().clear();
            match verify(&s, &proof) {
                Ok(()) => panic!("{how} at {p}: a mis-shaped proof verified"),
                Err(VerifyError::Rejected(Rejection::Panicked(_))) => {
                    let at = PANICS.lock().unwrap().join(" | ");
                    panicked.push(format!("{how} {p}: {at}"));
                }
                Err(_) => {}
            }
        }
    }
    let _ = std::panic::take_hook();
    eprintln!("{tried} mis-shaped proofs verified, {undecodable} did not decode");
    assert!(tried > 50, "{tried}");
    assert!(
        panicked.is_empty(),
        "{} of {tried} made the verifier panic:\n{}",
        panicked.len(),
        panicked.join("\n")
    );
}
