//! Gas of MsglVerifier (issue 18) in revm on the committed artifact, and the
//! prover's cost of the on-chain proof system against the local one, in the
//! same run. Prints Markdown rows for docs/BENCHMARKS.md.
//!
//! Usage: `cargo run -p msgl-settlement --bin msgl-verifier-gas [UNITS...]`
//! (default 1000 16384 150000; one channel per statement).

use std::time::Instant;

use alloy_primitives::Address;
use msgl_circuits::poseidon2;
use msgl_circuits::statement::{Domain, Entry, Statement};
use msgl_circuits::{prove, prove_for_chain, verify_chain_proof};
use msgl_settlement::evm::TX_GAS_LIMIT;
use msgl_settlement::verifier::{proof_calldata, verifier_transactions};

fn main() {
    let sizes: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 16384, 150_000]
    } else {
        sizes
    };
    println!("| units | on-chain prove s | local prove s | proof calldata bytes | tx calldata bytes | verify gas | under 2^24 |");
    println!("|---|---|---|---|---|---|---|");
    for units in sizes {
        let pre = [7, 1, 2, 3, 4, 5, 6, 8];
        let s = Statement {
            domain: Domain {
                chain_id: 31337,
                settlement: [0x5e; 20],
                token: [0x70; 20],
            },
            entries: vec![Entry {
                channel: [1; 32],
                old_tip: poseidon2::hash_n(&pre, units),
                old_count: 0,
                new_preimage: pre,
                new_count: units,
            }],
        };
        let t = Instant::now();
        let local = prove(&s).expect("prove");
        let local_s = t.elapsed().as_secs_f64();
        drop(local);
        let t = Instant::now();
        let proof = prove_for_chain(&s).expect("prove for chain");
        let chain_s = t.elapsed().as_secs_f64();
        verify_chain_proof(&s, &proof).expect("rust verifies");
        let txs = verifier_transactions(Address::ZERO, &s, &proof).expect("contract verifies");
        for tx in &txs {
            println!(
                "| {units} | {chain_s:.2} | {local_s:.2} | {} | {} | {} | {} |",
                proof_calldata(&proof).len(),
                tx.calldata.len(),
                tx.gas,
                if tx.gas <= TX_GAS_LIMIT { "yes" } else { "no" }
            );
        }
    }
}
