#![no_main]
//! The `--amount` / `--message` text of `msgl add`. The oracle is
//! `fuzz/oracles/amount.rs`.

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/amount.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    oracle::check(data);
});
