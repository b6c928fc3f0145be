//! A proof directory (D7): the statement a batch proves and its Stwo proof,
//! or, when the batch was split to settle in several transactions, its
//! numbered parts, each a proof directory of its own:
//!
//! ```text
//! OUT/statement.yaml   the statement (D2), hex digests
//! OUT/proof.bin        msgl_circuits::BatchProof::to_bytes
//! or
//! OUT/part-1/{statement.yaml,proof.bin}, OUT/part-2/..., settled in that order
//! ```
//!
//! Written into a temporary directory beside OUT and renamed into place, so
//! OUT is whole or absent; an existing OUT is never overwritten.

use std::path::{Path, PathBuf};

use msgl_circuits::{BatchProof, Statement};

use crate::error::{Error, Result};

pub const STATEMENT_FILE: &str = "statement.yaml";
pub const PROOF_FILE: &str = "proof.bin";
/// Largest statement file read (a statement of 100,000 entries is ~40 MB).
const MAX_STATEMENT_BYTES: u64 = 64 << 20;

/// An EVM address given on the command line: `0x` and 40 hex digits
/// (`what` names the flag in the error).
pub fn parse_address(text: &str, what: &str) -> Result<[u8; 20]> {
    let hexpart = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let mut out = [0u8; 20];
    match hex::decode_to_slice(hexpart, &mut out) {
        Ok(()) => Ok(out),
        Err(_) => Err(Error::input(format!("{what}: bad address `{text}`"))
            .hint("an address is 0x and 40 hex digits")),
    }
}

/// The directory of part `k` (from 1) of a split proof.
pub const PART_PREFIX: &str = "part-";

/// Writes a proof directory of `parts` (in settling order): one part as
/// `OUT/statement.yaml` and `OUT/proof.bin`, several as `OUT/part-1/`,
/// `OUT/part-2/`, …; all or nothing.
pub fn write(out: &Path, parts: &[(Statement, BatchProof)]) -> Result<()> {
    if out.exists() {
        return Err(Error::input("already exists; not overwritten")
            .in_file(out)
            .hint("choose another -o, or remove the old proof first"));
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::input("not a directory path").in_file(out))?;
    let tmp = parent.join(format!(
        ".{}.tmp.{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> Result<()> {
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        for (k, (statement, proof)) in parts.iter().enumerate() {
            let dir = if parts.len() == 1 {
                tmp.clone()
            } else {
                let d = tmp.join(format!("{PART_PREFIX}{}", k + 1));
                std::fs::create_dir(&d).map_err(|e| Error::io(&d, e))?;
                d
            };
            let yaml = serde_yaml::to_string(statement).expect("a statement serializes");
            crate::fsutil::write_new(&dir.join(STATEMENT_FILE), yaml.as_bytes())?;
            crate::fsutil::write_new(&dir.join(PROOF_FILE), &proof.to_bytes())?;
        }
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Reads a proof directory's statement and proof bytes (sizes bounded
/// before anything is read).
pub fn read(dir: &Path) -> Result<(Statement, Vec<u8>)> {
    let spath = dir.join(STATEMENT_FILE);
    let ppath = dir.join(PROOF_FILE);
    let read = |p: &Path, max: u64| {
        // Refused by size first when the file says it (a 2 GB file is not
        // read at all); then read at most max + 1 bytes whatever it is (a
        // device or a growing file reports no useful size).
        let too_large = |len: u64| {
            Error::input(format!("{len} bytes is too large (at most {max})"))
                .in_file(p)
                .hint("this is not a proof written by msgl")
        };
        let not_there = |e: std::io::Error| {
            Error::io(p, e).hint(
                "a proof directory holds statement.yaml and proof.bin, as `msgl prove` writes them",
            )
        };
        let meta = std::fs::metadata(p).map_err(not_there)?;
        if meta.len() > max {
            return Err(too_large(meta.len()));
        }
        crate::fsutil::read_bounded(p, max).map_err(|e| match e {
            Some(e) => not_there(e),
            None => Error::input(format!("more than {max} bytes"))
                .in_file(p)
                .hint("this is not a proof written by msgl"),
        })
    };
    let text = read(&spath, MAX_STATEMENT_BYTES)?;
    let text =
        String::from_utf8(text).map_err(|_| Error::input("not UTF-8 text").in_file(&spath))?;
    let statement: Statement = crate::yaml::from_str(&text, &spath)?;
    let proof = read(&ppath, msgl_circuits::air::MAX_PROOF_BYTES as u64)?;
    Ok((statement, proof))
}

/// The single-part proof directories of `dir`, in settling order: `dir`
/// itself when it holds a statement, else its `part-1`, `part-2`, … (all
/// of them, numbered from 1 without a gap).
pub fn parts(dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.join(STATEMENT_FILE).exists() || !dir.join(format!("{PART_PREFIX}1")).is_dir() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut numbers = Vec::new();
    let rd = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for e in rd {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name();
        if let Some(k) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PART_PREFIX))
            .and_then(|k| k.parse::<usize>().ok())
        {
            numbers.push(k);
        }
    }
    numbers.sort_unstable();
    if numbers.iter().enumerate().any(|(i, &k)| k != i + 1) {
        return Err(
            Error::input("its parts are not numbered 1, 2, … without a gap")
                .in_file(dir)
                .hint("a part is missing: this is not a proof directory as msgl prove writes it"),
        );
    }
    Ok(numbers
        .into_iter()
        .map(|k| dir.join(format!("{PART_PREFIX}{k}")))
        .collect())
}

/// Reads and verifies every part of a proof directory ([`parts`]), in
/// settling order.
pub fn verify_parts(dir: &Path) -> Result<Vec<(PathBuf, Statement)>> {
    parts(dir)?
        .into_iter()
        .map(|p| verify_dir(&p).map(|s| (p, s)))
        .collect()
}

/// Reads and verifies a single-part proof directory: the statement is well
/// formed and the proof proves exactly it. A bad proof is a failed check
/// (exit 1).
pub fn verify_dir(dir: &Path) -> Result<Statement> {
    let (statement, bytes) = read(dir)?;
    statement.validate().map_err(|e| {
        Error::check(format!("the statement is not valid: {e}")).in_file(dir.join(STATEMENT_FILE))
    })?;
    let proof = BatchProof::from_bytes(&bytes).map_err(|e| {
        Error::check(format!("not a valid proof: {e}")).in_file(dir.join(PROOF_FILE))
    })?;
    msgl_circuits::verify(&statement, &proof).map_err(|e| {
        Error::check(format!("the proof does not verify: {e}"))
            .in_file(dir)
            .hint("the proof or the statement was changed, or they belong to different batches")
    })?;
    Ok(statement)
}
