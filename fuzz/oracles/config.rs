//! The `msgl.yaml` fuzz oracle (the one YAML object in the tree so far),
//! shared by `fuzz_targets/config.rs` and `tests/fuzz_regressions.rs`.
//!
//! For any text: `Config::from_yaml` never panics and returns in bounded
//! time and memory (aliases, deep nesting); a config it accepts writes
//! (`to_yaml`) to text that reads back to the same config.

use msgl_node::home::Config;

pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = Config::from_yaml(text) else {
        return;
    };
    let again = Config::from_yaml(&c.to_yaml())
        .unwrap_or_else(|e| panic!("to_yaml's output does not read back: {e}\n{}", c.to_yaml()));
    assert_eq!(again, c, "to_yaml/from_yaml round trip");
}
