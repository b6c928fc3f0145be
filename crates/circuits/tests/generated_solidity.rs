//! Freshness check of the generated Solidity (issue 18): contracts/MsglAir.sol
//! must be exactly what the generator makes from the Rust AIR today. Run by
//! `cargo test --workspace` in .ci/run.

#[test]
fn msgl_air_sol_is_generated_from_the_current_air() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/MsglAir.sol");
    let on_disk = std::fs::read_to_string(&path).expect("contracts/MsglAir.sol");
    assert!(
        on_disk == msgl_circuits::air::solidity::msgl_air_sol(),
        "contracts/MsglAir.sol is stale: run `cargo run -p msgl-circuits --example gen_verifier`, \
         then `cd contracts && npm run build`, and commit both"
    );
}
