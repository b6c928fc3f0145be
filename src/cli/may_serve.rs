//! `msgl may-serve PEER`: exit 0 if one more message may be served, 1 if not.

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::journal::append::now_ms;
use crate::journal::Decimal;
use crate::policy;

/// Answer by exit status whether the peer may be served one more message
///
/// Exit 0 if one more message of --price units fits under the peer's limit
/// with everything it owes (A/R) and everything delivered to it and not
/// acked yet (`msgl served`), and it is not delinquent; 1 otherwise, with
/// the reason on stderr unless -q; 2 for an unknown peer or an unreadable
/// home. Limits: prepay allows nothing unpaid (the peer must have paid
/// ahead for the message), credit:X an A/R up to X grown with paid
/// history, escrow:X up to X and never beyond what the escrow of the
/// peer's channels (as their opens sign it) still covers. For scripts:
/// `msgl may-serve node2 --price 3 && deliver && msgl served node2 -m H
/// --price 3`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The peer (a name in msgl.yaml)
    pub peer: String,
    /// The next message's price in units
    #[arg(long, value_name = "UNITS", default_value_t = 1)]
    pub price: u64,
    /// Judge as of this time, unix epoch milliseconds [default: now]
    #[arg(long, value_name = "MS")]
    pub at: Option<u64>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let peer = config.peer(&args.peer)?;
    let key =
        crate::keys::parse_public(&peer.key).map_err(|e| e.in_file(crate::home::CONFIG_FILE))?;
    let me = home.public_key()?;
    let exposure = crate::protocol::served::exposure(&home, &config, &me, &key)?;
    let journal = ctx.load_journal()?;
    let file = ctx.journal_source().name();
    let st = policy::standing(
        &journal,
        &file,
        &config,
        peer,
        exposure,
        args.at.unwrap_or_else(now_ms),
    )?;
    let next = (exposure.unit * Decimal::from(args.price)).normalize();
    match st.may_serve(&config.policy, next) {
        Ok(()) => Ok(()),
        // -q: the answer is the exit status alone.
        Err(_) if ctx.global.quiet => std::process::exit(1),
        Err(reason) => Err(Error::check(format!("may not serve: {reason}"))),
    }
}
