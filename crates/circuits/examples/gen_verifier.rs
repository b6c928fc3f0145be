//! Writes contracts/MsglAir.sol (the constraint program and parameters of the
//! on-chain verifier) from the Rust AIR. Run from the workspace root:
//! `cargo run -p msgl-circuits --example gen_verifier`.

fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contracts/MsglAir.sol");
    std::fs::write(&path, msgl_circuits::air::solidity::msgl_air_sol()).expect("write MsglAir.sol");
    println!("wrote {}", path.display());
}
