//! MsglVerifier.sol in revm against the Rust verifier (issue 18).

use alloy_primitives::Address;
use msgl_circuits::poseidon2;
use msgl_circuits::{prove_for_chain, verify_chain_proof, Entry, Statement};
use msgl_settlement::evm::Chain;
use msgl_settlement::verifier::verify_calldata;
use msgl_settlement::MsglVerifier;

fn statement(units: &[u64]) -> Statement {
    Statement {
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
                    epoch: 9,
                }
            })
            .collect(),
    }
}

#[test]
fn honest_proof_verifies_in_revm() {
    let s = statement(&[1]);
    let proof = prove_for_chain(&s).expect("prove");
    verify_chain_proof(&s, &proof).expect("rust verifies");
    let mut chain = Chain::new();
    let deployer = Address::repeat_byte(1);
    let v = chain
        .deploy(deployer, MsglVerifier::BYTECODE.clone())
        .expect("deploy");
    let out = chain.view_uncapped(deployer, v.address, verify_calldata(&s, &proof));
    match out {
        Ok(o) => println!("gas {}", o.gas_used),
        Err(e) => panic!("{e}"),
    }
}
