#![no_main]
//! `msgl.yaml` (`msgl_node::home::Config::from_yaml`). The oracle is
//! `fuzz/oracles/config.rs`.

use libfuzzer_sys::fuzz_target;

#[path = "../oracles/config.rs"]
mod oracle;

fuzz_target!(|data: &[u8]| {
    oracle::check(data);
});
