//! Reading YAML objects safely: bounded size, no alias expansion bombs,
//! errors with file:line:col.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Largest YAML object read (acks, opens, reconciliations, statements are small).
pub const MAX_YAML_BYTES: usize = 64 << 20;

/// Parses `text` (read from `path`) as a `T`. Anchors and aliases are
/// refused: msgl never writes them, and they are how YAML bombs expand.
pub fn from_str<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    if text.len() > MAX_YAML_BYTES {
        return Err(Error::input("YAML object too large").in_file(path));
    }
    if has_alias(text) {
        return Err(Error::input("YAML anchors and aliases are not accepted")
            .in_file(path)
            .hint("msgl's objects are plain YAML; this file was not written by msgl"));
    }
    serde_yaml::from_str(text).map_err(|e| {
        let name = path.display().to_string();
        let what = format!("{e}");
        let what = what.split(" at line ").next().unwrap_or(&what).to_string();
        let err = Error::input(what);
        match e.location() {
            Some(l) => err.at(&name, l.line(), l.column()),
            None => err.in_file(path),
        }
        .hint("see docs/DESIGN.md for the object's fields")
    })
}

/// Whether the text uses an anchor (`&name`) or alias (`*name`) outside a
/// quoted scalar: a `&` or `*` that starts a token and is followed by a name.
pub fn has_alias(text: &str) -> bool {
    for line in text.lines() {
        let mut in_single = false;
        let mut in_double = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            let next_is_name = chars
                .peek()
                .is_some_and(|n| n.is_alphanumeric() || *n == '_');
            match c {
                '\'' if !in_double => in_single = !in_single,
                '"' if !in_single => in_double = !in_double,
                '#' if !in_single && !in_double && (prev == ' ' || prev == '\t') => break,
                '&' | '*'
                    if !in_single
                        && !in_double
                        && next_is_name
                        && matches!(prev, ' ' | '\t' | ':' | '-' | '[' | '{' | ',') =>
                {
                    return true
                }
                _ => {}
            }
            prev = c;
        }
    }
    false
}
