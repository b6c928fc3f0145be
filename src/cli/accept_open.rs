//! `msgl accept-open FILE`: the payee verifies and records a channel.

use std::path::PathBuf;

use crate::channel;
use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;

/// Verify and record a payer's channel open (payee)
///
/// Checks the open's domain, that the payer is a known peer and signed it,
/// that it is addressed to this node, its length, a canonical anchor, and
/// that its unit price equals this node's; refuses a generation already
/// accepted. Then records the channel in channels/, so that `msgl accept`
/// takes its acks. Exit 1 for a refused open, 2 for an unreadable file.
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
