//! `msgl completions SHELL`.

use crate::cli::{command, Ctx};
use crate::error::Result;

/// Print a completion script for SHELL (generated from the same clap
/// definitions as the help and the man pages).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, _ctx: &Ctx) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command(), "msgl", &mut out);
    crate::cli::emit(&String::from_utf8_lossy(&out))
}
