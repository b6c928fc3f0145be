//! `msgl verify-proof DIR`.

use crate::cli::{emit, Ctx};
use crate::error::Result;

/// Check a proof directory written by `msgl prove`
///
/// Verifies that proof.bin proves exactly the statement in statement.yaml,
/// with msgl's own proof parameters (96-bit conjectured security), never
/// the proof's. Exit status 0 for a valid proof, 1 for an invalid one, 2 for
/// an unreadable directory.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory (statement.yaml and proof.bin)
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let started = std::time::Instant::now();
    let statement = crate::proof::verify_dir(&args.dir)?;
    if !ctx.global.quiet {
        emit(&format!(
            "{}: valid proof of {}, {} ({:.1} ms)\n",
            args.dir.display(),
            crate::cli::plural(statement.entries.len(), "entry", "entries"),
            crate::cli::plural(statement.total_units() as usize, "unit", "units"),
            started.elapsed().as_secs_f64() * 1e3
        ))?;
    }
    Ok(())
}
