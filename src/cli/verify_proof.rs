//! `msgl verify-proof DIR`.

use crate::cli::{emit, Ctx};
use crate::error::Result;

/// Check a proof directory written by `msgl prove`
///
/// Verifies that proof.bin proves exactly the statement in statement.yaml
/// (for a split batch, every part/N directory's), with msgl's own proof
/// parameters (96-bit conjectured security), never the proof's. Either kind
/// `msgl prove` writes: the default proof, or --for-chain's, which the
/// on-chain verifier checks too. Exit status 0 for a valid proof, 1 for an
/// invalid one, 2 for an unreadable directory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory (statement.yaml and proof.bin, or its parts)
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let started = std::time::Instant::now();
    let parts = crate::proof::parts(&args.dir)?
        .into_iter()
        .map(|p| crate::proof::verify_dir_proof(&p))
        .collect::<Result<Vec<_>>>()?;
    if !ctx.global.quiet {
        let kind = if parts
            .iter()
            .all(|(_, p)| matches!(p, crate::proof::ProofFile::Chain(_)))
        {
            "valid on-chain proof"
        } else {
            "valid proof"
        };
        let entries: usize = parts.iter().map(|(s, _)| s.entries.len()).sum();
        let units: u64 = parts.iter().map(|(s, _)| s.total_units()).sum();
        let split = if parts.len() == 1 {
            String::new()
        } else {
            format!(" in {} parts", parts.len())
        };
        emit(&format!(
            "{}: {kind} of {}, {}{split} ({:.1} ms)\n",
            args.dir.display(),
            crate::cli::plural(entries, "entry", "entries"),
            crate::cli::plural(units as usize, "unit", "units"),
            started.elapsed().as_secs_f64() * 1e3
        ))?;
    }
    Ok(())
}
