#![no_main]
//! `msgl_ledger::journal::parse_str` / `parse_file` on arbitrary bytes, and the
//! print → parse round trip. The oracle is `fuzz/oracles/journal.rs`.

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/journal.rs"]
mod oracle;

fn scratch() -> &'static std::path::Path {
    static P: OnceLock<std::path::PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("msgl-fuzz-journal.{}", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    // Deterministic per input, so a reproducer replays the same way.
    let h = data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    oracle::check(data, scratch(), h % 16 == 0);
});
