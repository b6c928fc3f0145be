//! `msgl may-serve PEER`: exit 0 if more service is allowed, 1 if not.

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::journal::append::now_ms;
use crate::policy;

/// Answer by exit status whether the peer may be served more
///
/// Exit 0 if the peer's standing (see `msgl peers`) is ok or near limit, 1
/// if it is over its limit (prepay allows nothing unpaid, credit:X an A/R
/// up to X, grown with paid history, escrow:X up to the escrow) or
/// delinquent, with the reason on stderr unless -q; 2 for an unknown peer
/// or an unreadable home. For scripts: `msgl may-serve node2 &&
/// deliver`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The peer (a name in msgl.yaml)
    pub peer: String,
    /// Judge as of this time, unix epoch milliseconds [default: now]
    #[arg(long, value_name = "MS")]
    pub at: Option<u64>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let config = ctx.home().config()?;
    let peer = config.peer(&args.peer)?;
    let journal = ctx.load_journal()?;
    let file = ctx.journal_source().name();
    let st = policy::standing(
        &journal,
        &file,
        &config,
        peer,
        args.at.unwrap_or_else(now_ms),
    )?;
    match st.may_serve(&config.policy) {
        Ok(()) => Ok(()),
        // -q: the answer is the exit status alone.
        Err(_) if ctx.global.quiet => std::process::exit(1),
        Err(reason) => Err(Error::check(format!("may not serve: {reason}"))),
    }
}
