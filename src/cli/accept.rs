//! `msgl accept FILE...`: the payee checks acks, stores and books them.

use std::path::PathBuf;

use crate::channel;
use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;

/// Check, store and book acks (payee)
///
/// Checks each ack (domain, addressee, signer, the channel's epoch, nonce,
/// cumulative = previous + price, and that the preimage hashes price times
/// to the previous one), then under the journal's lock stores it in acks/
/// and books MESSAGE SENT (`; ack: acks/<file>`). The files are taken in
/// order; the first refused one stops with its reason (exit 1), and nothing
/// of it is stored or booked. Acks are taken strictly in order: a missing
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
    let mut out = String::new();
    let mut result = Ok(());
    for f in &args.files {
        let (name, text) = match read_input(f) {
            Ok(x) => x,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        match channel::accept_ack(&home, &config, &me, &text) {
            Ok(a) => {
                if !ctx.global.quiet {
                    out.push_str(&format!(
                        "booked ({}) MESSAGE SENT to {}: nonce {} cumulative {} in {}\n",
                        a.booked.seq, a.peer, a.ack.nonce, a.ack.cumulative, a.file
                    ));
                }
            }
            Err(e) => {
                result = Err(crate::cli::blame(e, &name));
                break;
            }
        }
    }
    emit(&out)?;
    result
}
