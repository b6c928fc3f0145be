//! A proof directory (docs/DESIGN.md §8.4): the statement a batch proves and its Stwo proof,
//! or, when the batch was split to settle in several transactions, its
//! numbered parts, each a proof directory of its own:
//!
//! ```text
//! OUT/statement.yaml   the statement (DESIGN §8.1), hex digests
//! OUT/proof.bin        a ProofFile: msgl_circuits::BatchProof::to_bytes (magic
//!                      msglbp01, `msgl prove`) or ChainProof::to_bytes (msglcp01,
//!                      `msgl prove --for-chain`, what MsglVerifier checks)
//! or
//! OUT/part-1/{statement.yaml,proof.bin}, OUT/part-2/..., settled in that order
//! ```
//!
//! Written into a temporary directory beside OUT and renamed into place, so
//! OUT is whole or absent; an existing OUT is never overwritten.
//!
//! [`chain_calls`] / [`verify_calls`] are the transactions that settle a
//! proof directory on chain: per part, the verifier's then `settle`.

use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use msgl_circuits::{BatchProof, ChainProof, Statement};

use crate::error::{Diagnostic, Error, Result};

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

/// A proof file of either proof system (told apart by its magic).
#[derive(Clone, Debug)]
pub enum ProofFile {
    /// `msgl prove`: Blake2s channel, msgl's local parameters.
    Local(BatchProof),
    /// `msgl prove --for-chain`: Keccak-256 channel and the on-chain
    /// parameters; `contracts/MsglVerifier.sol` verifies it.
    Chain(ChainProof),
}

impl ProofFile {
    /// Parses either format, by its magic.
    pub fn from_bytes(bytes: &[u8]) -> std::result::Result<Self, msgl_circuits::ProofDecodeError> {
        use msgl_circuits::air::ProofHasher;
        if bytes.starts_with(&msgl_circuits::keccak::KeccakMerkleHasher::MAGIC) {
            ChainProof::from_bytes(bytes).map(ProofFile::Chain)
        } else {
            BatchProof::from_bytes(bytes).map(ProofFile::Local)
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            ProofFile::Local(p) => p.to_bytes(),
            ProofFile::Chain(p) => p.to_bytes(),
        }
    }

    /// Verifies the proof for `statement` in its own proof system, with
    /// msgl's parameters for that system (never the proof's).
    pub fn verify(
        &self,
        statement: &Statement,
    ) -> std::result::Result<(), msgl_circuits::VerifyError> {
        match self {
            ProofFile::Local(p) => msgl_circuits::verify(statement, p),
            ProofFile::Chain(p) => msgl_circuits::verify_chain_proof(statement, p),
        }
    }
}

/// Refuses `out` if it exists: a proof directory is never written over
/// (checked before proving, and again when writing).
pub fn refuse_existing(out: &Path) -> Result<()> {
    if out.exists() {
        return Err(Error::exists(out).hint("choose another -o, or remove the old proof first"));
    }
    Ok(())
}

/// Writes a proof directory of `parts` (in settling order): one part as
/// `OUT/statement.yaml` and `OUT/proof.bin`, several as `OUT/part-1/`,
/// `OUT/part-2/`, …; all or nothing.
pub fn write(out: &Path, parts: &[(Statement, ProofFile)]) -> Result<()> {
    refuse_existing(out)?;
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
    verify_dir_proof(dir).map(|(s, _)| s)
}

/// As [`verify_dir`], also returning the proof (of either system).
pub fn verify_dir_proof(dir: &Path) -> Result<(Statement, ProofFile)> {
    let (statement, bytes) = read(dir)?;
    statement.validate().map_err(|e| {
        Error::check(format!("the statement is not valid: {e}")).in_file(dir.join(STATEMENT_FILE))
    })?;
    let proof = ProofFile::from_bytes(&bytes).map_err(|e| {
        Error::check(format!("not a valid proof: {e}")).in_file(dir.join(PROOF_FILE))
    })?;
    proof.verify(&statement).map_err(|why| {
        Error::Proof {
            diag: Diagnostic::new(format!("the proof does not verify: {why}")),
            why,
        }
        .in_file(dir)
        .hint("the proof or the statement was changed, or they belong to different batches")
    })?;
    Ok((statement, proof))
}

/// One transaction that settles a proof directory on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The contract to send it to, when known (the verifier's or the
    /// settlement contract's address, as the caller gave it).
    pub to: Option<Address>,
    /// The calldata.
    pub data: Vec<u8>,
    /// What it does, for people.
    pub purpose: String,
    /// The gas it used in revm on the committed artifacts (the verifier's
    /// transactions, measured on a fresh in-memory chain); `None` for
    /// `settle`, whose cost depends on the chain's state (at most about
    /// 80 % of the 2^24 cap by [`msgl_settlement::MAX_SETTLE_ENTRIES`]).
    pub gas: Option<u64>,
    /// The part (from 1) of the proof directory it belongs to.
    pub part: usize,
}

/// The verifier's transactions for a single-part proof directory, verified
/// first in Rust; a proof of the local system (not `--for-chain`) or one
/// whose verification would not fit one transaction is refused (exit 1).
pub fn part_verify_calls(
    dir: &Path,
    part: usize,
    verifier: Option<Address>,
) -> Result<(Statement, Vec<Call>)> {
    let (statement, proof) = verify_dir_proof(dir)?;
    let proof = match proof {
        ProofFile::Chain(p) => p,
        ProofFile::Local(_) => {
            return Err(Error::check(
                "a proof for msgl verify-proof only: the on-chain verifier checks proofs written by `msgl prove --for-chain`",
            )
            .in_file(dir.join(PROOF_FILE))
            .hint("prove the batch again with `msgl prove --for-chain`"))
        }
    };
    let txs = msgl_settlement::verifier::verifier_transactions(
        verifier.unwrap_or(Address::ZERO),
        &statement,
        &proof,
    )
    .map_err(|r| {
        Error::check(format!(
            "the on-chain verifier refuses a proof msgl accepts: {}",
            r.reason
        ))
        .in_file(dir)
        .hint("this is a bug in msgl: please report it with the proof directory")
    })?;
    let mut calls = Vec::with_capacity(txs.len());
    for tx in txs {
        if tx.gas > msgl_settlement::evm::TX_GAS_LIMIT {
            return Err(Error::check(format!(
                "verifying this proof takes {} gas, more than one transaction may use ({})",
                tx.gas,
                msgl_settlement::evm::TX_GAS_LIMIT
            ))
            .in_file(dir)
            .hint("prove the batch again with a lower --max-entries (smaller parts)"));
        }
        calls.push(Call {
            to: verifier,
            data: tx.calldata,
            purpose: tx.purpose,
            gas: Some(tx.gas),
            part,
        });
    }
    Ok((statement, calls))
}

/// The transactions that verify every part of the proof directory `dir` on
/// the on-chain verifier (`MsglVerifier` at `verifier`, when known) and
/// record each part's fact, in the order to send them; each part's proof is
/// verified in Rust first. What `msgl calldata DIR --verify` prints.
pub fn verify_calls(dir: &Path, verifier: Option<Address>) -> Result<Vec<Call>> {
    let mut calls = Vec::new();
    for (k, part) in parts(dir)?.iter().enumerate() {
        calls.extend(part_verify_calls(part, k + 1, verifier)?.1);
    }
    Ok(calls)
}

/// Every transaction that settles the proof directory `dir`, in the order to
/// send them: per part (in order), the verifier's transactions
/// ([`verify_calls`]), then the settlement contract's `settle(entries)` for
/// that part (sent to `settlement`, when known). Sending exactly these, each
/// after the previous one is mined, settles the batch; the verifier's may go
/// from any account, `settle` from any too (the payee's own is needed while
/// a channel's exit is pending, DESIGN §9.6).
pub fn chain_calls(
    dir: &Path,
    verifier: Option<Address>,
    settlement: Option<Address>,
) -> Result<Vec<Call>> {
    let mut calls = Vec::new();
    for (k, part) in parts(dir)?.iter().enumerate() {
        let (statement, verify) = part_verify_calls(part, k + 1, verifier)?;
        calls.extend(verify);
        calls.push(Call {
            to: settlement,
            data: msgl_settlement::settle_calldata(&statement),
            purpose: format!(
                "settle {} {} of part {}",
                statement.entries.len(),
                if statement.entries.len() == 1 {
                    "entry"
                } else {
                    "entries"
                },
                k + 1
            ),
            gas: None,
            part: k + 1,
        });
    }
    Ok(calls)
}
