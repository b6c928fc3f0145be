//! `msgl may-serve PEER`: exit 0 if one more message may be served, 1 if not.

use crate::cli::{emit, Ctx, Format, OutputArg};
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
/// --price 3`. With -O json (or csv), the answer is also printed on
/// stdout: peer, may_serve, reason, status, receivable, unacked, next,
/// limit; the exit status is the same.
///
/// With a `chain:` in msgl.yaml, a peer whose channel paying this node has
/// a pending exit on chain (its payer asked for the escrow back, or took
/// it) is refused, as read from the cached status `msgl chain status`
/// writes (chain/status.json, its age in the reason). A missing cache, one
/// older than --max-age, or one without the peer's channel is refused too
/// (run `msgl chain status` from cron); --offline judges without the chain.
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
    /// Judge without the chain: ignore the cached chain status
    #[arg(long)]
    pub offline: bool,
    /// The oldest cached chain status (seconds) still used
    #[arg(long, value_name = "SECS", default_value_t = crate::chain::MAX_STATUS_AGE_SECS)]
    pub max_age: u64,
    #[command(flatten)]
    pub output: OutputArg,
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
    let now = args.at.unwrap_or_else(now_ms);
    let mut verdict = st.may_serve(&config.policy, next);
    if verdict.is_ok() && !args.offline {
        if let Some(reason) = crate::chain::exit_refusal(&home, &config, &key, now, args.max_age)? {
            verdict = Err(reason);
        }
    }
    let reason = verdict.as_ref().err().cloned();
    match args.output.output {
        Format::Text => {}
        Format::Json => {
            let v = serde_json::json!({
                "peer": st.peer,
                "may_serve": reason.is_none(),
                "reason": reason,
                "status": st.status.as_str(),
                "receivable": st.receivable.to_string(),
                "unacked": st.unacked.to_string(),
                "next": next.to_string(),
                "limit": st.limit.to_string(),
            });
            emit(&(serde_json::to_string_pretty(&v).expect("serializable") + "\n"))?;
        }
        Format::Csv => {
            let f = crate::cli::csv_field;
            emit(&format!(
                "peer,may_serve,reason,status,receivable,unacked,next,limit\n{},{},{},{},{},{},{},{}\n",
                f(&st.peer),
                reason.is_none(),
                f(reason.as_deref().unwrap_or("")),
                st.status.as_str(),
                st.receivable,
                st.unacked,
                next,
                st.limit
            ))?;
        }
    }
    match verdict {
        Ok(()) => Ok(()),
        // -q or a script format: the answer is the exit status (and stdout).
        Err(_) if ctx.global.quiet || args.output.output != Format::Text => std::process::exit(1),
        Err(reason) => Err(Error::check(format!("may not serve: {reason}"))),
    }
}
