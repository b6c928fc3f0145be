//! `msgl open --to NAME --units N`: opens a payment channel (payer).

use std::path::PathBuf;

use crate::journal::Decimal;

use crate::channel;
use crate::cli::{emit, Ctx};
use crate::error::Result;
use crate::fsutil;

/// Open a channel to a payee (payer)
///
/// Derives the next generation's hash chain from this node's key, the payee
/// and the generation (keeping checkpoints in chains/), signs the open
/// {payer, payee, generation, anchor, length, unit price, escrow}, writes
/// it to stdout or -o FILE (never overwritten) and records the channel in
/// channels/. The anchor is the channel's id on chain: register it with
/// the contract's openChannel. The payee records it with `msgl
/// accept-open`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payee (a peer in msgl.yaml)
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// Length of the chain: the most units the channel can pay
    #[arg(long, value_name = "N")]
    pub units: u64,
    /// Escrow set aside for this payee (token)
    #[arg(long, default_value = "0", value_name = "AMOUNT")]
    pub escrow: Decimal,
    /// Write the signed open to FILE (never overwritten) instead of stdout
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let key = home.signing_key()?;
    let (peer, open) =
        channel::open_channel(&home, &config, &key, &args.to, args.units, args.escrow)?;
    match &args.out {
        Some(path) => {
            fsutil::write_new(path, open.to_yaml().as_bytes())?;
            if !ctx.global.quiet {
                emit(&format!(
                    "opened channel generation {} to {peer}: {} units, id {}\n",
                    open.generation,
                    open.length,
                    hex::encode(open.anchor)
                ))?;
            }
            Ok(())
        }
        None => emit(&open.to_yaml()),
    }
}
