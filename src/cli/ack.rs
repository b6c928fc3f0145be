//! `msgl ack --to NAME --message HASH --price UNITS`: the payer signs the
//! next cumulative ack and books MESSAGE RECEIVED.

use std::path::PathBuf;

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::protocol::ack as protocol;

/// Sign an ack for a message received and book it (payer)
///
/// Signs the next cumulative ack of the latest channel to the payee and
/// books MESSAGE RECEIVED (`; ack: <channel id>-<nonce>`), under the
/// home's lock: refuses a price above the channel's units per ack or past
/// its length; derives the next preimage from the hash chain, signs, and
/// commits the ack to sent/<channel id>.log and the journal together; then
/// writes it to -o FILE (never overwritten) or stdout. The payee takes
/// acks in order only, so an ack lost on the way blocks the next ones:
/// `--resend` hands out a kept ack again (the last, or --nonce N), byte
/// for byte, signing and booking nothing. A price the payee disputes is
/// settled with a further ack for the same message (--price the
/// difference). Exit 1 when the channel cannot pay it, 2 for bad usage.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payee (a peer in msgl.yaml)
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// The message's hash: 64 hex digits
    #[arg(
        long,
        short = 'm',
        value_name = "HASH",
        required_unless_present = "resend",
        conflicts_with = "resend"
    )]
    pub message: Option<String>,
    /// The message's price in units
    #[arg(
        long,
        value_name = "UNITS",
        required_unless_present = "resend",
        conflicts_with = "resend"
    )]
    pub price: Option<u64>,
    /// Hand out an ack already issued (from sent/) instead of signing one
    #[arg(long)]
    pub resend: bool,
    /// With --resend: the ack's nonce [default: the last]
    #[arg(long, value_name = "N", requires = "resend")]
    pub nonce: Option<u64>,
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
    let home = ctx.home();
    let config = home.config()?;
    if args.resend {
        let me = home.public_key()?;
        let (peer, ack) = protocol::resend(&home, &config, &me, &args.to, args.nonce)?;
        return match &args.out {
            Some(path) => {
                crate::fsutil::write_new(path, ack.to_yaml().as_bytes())?;
                if !ctx.global.quiet {
                    emit(&format!(
                        "ack nonce {} cumulative {} to {peer} again in {} (nothing booked)\n",
                        ack.nonce,
                        ack.cumulative,
                        path.display()
                    ))?;
                }
                Ok(())
            }
            None => emit(&ack.to_yaml()),
        };
    }
    let (Some(message), Some(price)) = (&args.message, args.price) else {
        return Err(Error::input("--message and --price are required").hint("or --resend"));
    };
    let message = parse_hash(message)?;
    let key = home.signing_key()?;
    let issued = protocol::issue(&home, &config, key, &args.to, message, price)?;
    match &args.out {
        Some(path) => {
            // Booked and kept in sent/ already: a file that cannot be
            // written is handed out again with --resend.
            crate::fsutil::write_new(path, issued.ack.to_yaml().as_bytes()).map_err(|e| {
                e.hint(format!(
                    "the ack is booked and kept: `msgl ack --to {} --resend -o FILE`",
                    issued.peer
                ))
            })?;
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
