//! `msgl accept-open FILE`: the payee verifies and records a channel.

use std::path::PathBuf;

use crate::channel;
use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;

/// Verify a payer's signed channel open and record the channel (payee)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The open's file (`-` for standard input)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    let (name, text) = read_input(&args.file)?;
    let (peer, open) = channel::accept_open(&home, &config, &me, &text)
        .map_err(|e| crate::cli::blame(e, &name))?;
    if !ctx.global.quiet {
        emit(&format!(
            "accepted channel generation {} from {peer}: {} units at {}, id {}\n",
            open.generation,
            open.length,
            open.unit_price,
            hex::encode(open.anchor)
        ))?;
    }
    Ok(())
}
