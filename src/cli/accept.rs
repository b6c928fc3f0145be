//! `msgl accept FILE...`: the payee checks acks, stores and books them.

use std::path::PathBuf;

use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;
use crate::objects::Ack;
use crate::protocol::ack::{precheck, PayeeSession};

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
    // Read and check (signatures, hash walks) without the lock.
    let mut checked = Vec::new();
    let mut result = Ok(());
    for f in &args.files {
        let r = read_input(f).and_then(|(name, text)| {
            Ack::parse(&text)
                .and_then(|ack| precheck(&home, &config, &me, ack))
                .map_err(|e| crate::cli::blame(e, &name))
                .map(|p| (name, p))
        });
        match r {
            Ok(x) => checked.push(x),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    // Under the lock: the rest of the checks, then one commit.
    let mut out = String::new();
    if !checked.is_empty() {
        let mut session = PayeeSession::begin(&home, me)?;
        for (name, p) in checked {
            if let Err(e) = session.accept(p) {
                result = Err(crate::cli::blame(e, &name));
                break;
            }
        }
        for a in session.commit()? {
            if !ctx.global.quiet {
                out.push_str(&format!(
                    "booked ({}) MESSAGE SENT to {}: ack {}, cumulative {}\n",
                    a.booked.seq,
                    a.peer,
                    a.ack.name(),
                    a.ack.cumulative
                ));
            }
        }
    }
    emit(&out)?;
    result
}
