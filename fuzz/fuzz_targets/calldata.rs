#![no_main]
//! `msgl_settlement::statement_from_calldata` on arbitrary bytes. The
//! oracle is `fuzz/oracles/calldata.rs`.

use std::sync::Once;

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/calldata.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(dir) = std::env::var_os("MSGL_FUZZ_SEED_DIR") {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("seed-settle-2-entries"), oracle::seed()).unwrap();
        }
    });
    oracle::check(data);
});
