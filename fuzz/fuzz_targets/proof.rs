#![no_main]
//! `BatchProof::from_bytes` + `verify` on arbitrary bytes (seeded with the
//! honest proof of a small statement). The oracle is `fuzz/oracles/proof.rs`.
//!
//! `verify` catches a panic inside Stwo and reports it as a rejection (by
//! design). libFuzzer's panic hook would abort on it before that
//! `catch_unwind` runs, so this target's hook only reports the panic and
//! lets it unwind: caught by `verify`, it is a rejection; anywhere else
//! (decoding, the oracle's assertions) it reaches libfuzzer-sys's own
//! `catch_unwind`, which aborts: a crash, as before.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/proof.rs"]
mod oracle;

static PANICS: AtomicUsize = AtomicUsize::new(0);

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fixture = oracle::fixture();
        if let Some(dir) = std::env::var_os("MSGL_FUZZ_SEED_DIR") {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("seed-honest-proof"), &fixture.valid).unwrap();
        }
        std::panic::set_hook(Box::new(|info| {
            let n = PANICS.fetch_add(1, Ordering::Relaxed) + 1;
            if n <= 5 || n.is_power_of_two() {
                eprintln!("proof fuzz: panic #{n} (a crash if the process aborts next; else caught by verify): {info}");
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    init();
    oracle::check(data);
});
