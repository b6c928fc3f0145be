//! `msgl accept FILE...`: the payee checks acks, stores and books them.

use std::path::PathBuf;

use crate::channel;
use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;

/// Accept acks (payee): check each (domain, signer, nonce, cumulative,
/// price, preimage), store it in acks/ and book MESSAGE SENT. The files are
/// taken in order; the first refused one stops with its reason (exit 1),
/// and nothing of it is stored or booked
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
