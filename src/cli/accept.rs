//! `msgl accept FILE...`: the payee checks acks, stores and books them.

use std::path::PathBuf;

use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;

use crate::protocol::ack::accept_many;

/// Check, store and book acks (payee)
///
/// Checks each ack (YAML, or one JSON line): domain, addressee, signer, the
/// channel, price up to the channel's units per ack, nonce above the last,
/// cumulative = previous + price, and that the preimage hashes price times
/// to the previous one (the signature and the hashing before the home's
/// lock is taken); then keeps it in acks/<channel id>.log and books
/// MESSAGE SENT (`; ack: <channel id>-<nonce>`), the files' acks together
/// in one commit. The files are taken in order; the first refused one
/// stops with its reason (exit 1), and nothing of it is kept or booked
/// (the ones before it are). Acks are taken strictly in order: a missing
/// one must be re-sent by the payer (`msgl ack --resend`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ack files (`-` for standard input)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    let mut inputs = Vec::new();
    let mut unreadable = None;
    for f in &args.files {
        match read_input(f) {
            Ok(x) => inputs.push(x),
            Err(e) => {
                unreadable = Some(e);
                break;
            }
        }
    }
    let (done, refused) = accept_many(&home, &config, &me, inputs);
    if !ctx.global.quiet {
        let mut out = String::new();
        for a in &done {
            out.push_str(&format!(
                "booked ({}) MESSAGE SENT to {}: ack {}, cumulative {}\n",
                a.booked.seq,
                a.peer,
                a.ack.name(),
                a.ack.cumulative
            ));
        }
        emit(&out)?;
    }
    match refused.or(unreadable) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
