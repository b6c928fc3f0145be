//! `msgl ack --to NAME --message HASH --price UNITS`: the payer signs the
//! next cumulative ack and books MESSAGE RECEIVED.

use std::path::PathBuf;

use crate::channel;
use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};

/// Acknowledge a message received (payer): sign the next cumulative ack of
/// the channel to the payee (to stdout, or -o FILE) and book MESSAGE RECEIVED
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payee (a peer in msgl.yaml)
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// The message's hash: 64 hex digits
    #[arg(long, short = 'm', value_name = "HASH")]
    pub message: String,
    /// The message's price in units
    #[arg(long, value_name = "UNITS")]
    pub price: u64,
    /// Write the ack to FILE (never overwritten) instead of stdout
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// A 32-byte message hash from 64 hex digits (optional `0x`).
pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let h = text.strip_prefix("0x").unwrap_or(text);
    let mut out = [0u8; 32];
    if h.len() != 64 || hex::decode_to_slice(h, &mut out).is_err() {
        return Err(Error::input(format!("bad message hash `{text}`"))
            .hint("the message's 32-byte hash: 64 hex digits"));
    }
    Ok(out)
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let message = parse_hash(&args.message)?;
    let home = ctx.home();
    let config = home.config()?;
    let key = home.signing_key()?;
    let issued = channel::issue_ack(
        &home,
        &config,
        &key,
        &args.to,
        message,
        args.price,
        args.out.as_deref(),
    )?;
    match &args.out {
        Some(path) => {
            if !ctx.global.quiet {
                emit(&format!(
                    "booked ({}) MESSAGE RECEIVED from {}; ack nonce {} cumulative {} in {}\n",
                    issued.booked.seq,
                    issued.peer,
                    issued.ack.nonce,
                    issued.ack.cumulative,
                    path.display()
                ))?;
            }
            Ok(())
        }
        None => emit(&issued.ack.to_yaml()),
    }
}
