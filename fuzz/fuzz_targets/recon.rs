#![no_main]
//! Reconciliations (`msgl_node::protocol::reconcile::read`, both signatures).
//! The oracle is `fuzz/oracles/recon.rs`.

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/recon.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    static SEEDED: std::sync::Once = std::sync::Once::new();
    SEEDED.call_once(|| {
        if let Some(dir) = std::env::var_os("MSGL_FUZZ_SEED_DIR") {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, bytes) in oracle::seeds() {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    });
    oracle::check(data);
});
