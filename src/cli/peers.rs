//! `msgl peers`: each peer's A/R, A/P, net, limit and status.

use crate::cli::{csv_field, emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::journal::append::now_ms;
use crate::policy;

/// The examples of `msgl peers`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Each peer's A/R, A/P, net, unacked, limit and status",
        "msgl --home ~/node1 peers",
    ),
    (
        "The same as JSON, for a script",
        "msgl --home ~/node1 peers -O json",
    ),
];

/// Show each peer's A/R, A/P, net, credit limit and status
///
/// From the journal: what each peer owes this node (A/R), what this node
/// owes it (A/P), the net, what was delivered to it and not acked yet
/// (`msgl served`), the credit limit its policy gives (a `credit:` limit
/// grows with what the peer has paid, up to its cap; `escrow:` never
/// passes what its channels' escrow still covers) and its status: ok, near
/// limit (A/R and unacked at or above near_limit_percent of it), over
/// limit, or delinquent (A/R unpaid for longer than
/// delinquent_after_days). -O json and -O csv for scripts.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub output: OutputArg,
    /// Judge as of this time, unix epoch milliseconds [default: now]
    #[arg(long, value_name = "MS")]
    pub at: Option<u64>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    let journal = ctx.load_journal()?;
    let file = ctx.journal_source().name();
    let exposure = |p: &crate::home::PeerConfig| {
        let key =
            crate::keys::parse_public(&p.key).map_err(|e| e.in_file(crate::home::CONFIG_FILE))?;
        crate::protocol::served::exposure(&home, &config, &me, &key)
    };
    let all = policy::standings(
        &journal,
        &file,
        &config,
        &exposure,
        args.at.unwrap_or_else(now_ms),
    )?;
    let text = match args.output.output {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&all).expect("standings serialize");
            s.push('\n');
            s
        }
        Format::Csv => {
            let mut s = String::from(
                "peer,policy,receivable,payable,net,unacked,paid,limit,oldest_unpaid,status\n",
            );
            for p in &all {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    csv_field(&p.peer),
                    csv_field(&p.policy),
                    p.receivable,
                    p.payable,
                    p.net,
                    p.unacked,
                    p.paid,
                    p.limit,
                    p.oldest_unpaid.map(|t| t.to_string()).unwrap_or_default(),
                    p.status.as_str()
                ));
            }
            s
        }
        Format::Text => {
            let rows: Vec<[String; 7]> = std::iter::once(
                ["peer", "policy", "A/R", "A/P", "net", "limit", "status"].map(String::from),
            )
            .chain(all.iter().map(|p| {
                [
                    p.peer.clone(),
                    p.policy.clone(),
                    p.receivable.to_string(),
                    p.payable.to_string(),
                    p.net.to_string(),
                    p.limit.to_string(),
                    p.status.as_str().to_string(),
                ]
            }))
            .collect();
            let mut w = [0usize; 7];
            for r in &rows {
                for (i, c) in r.iter().enumerate() {
                    w[i] = w[i].max(c.len());
                }
            }
            let mut s = String::new();
            for r in &rows {
                let mut line = String::new();
                for (i, c) in r.iter().enumerate() {
                    if (2..6).contains(&i) {
                        line.push_str(&format!("{c:>width$}  ", width = w[i]));
                    } else {
                        line.push_str(&format!("{c:<width$}  ", width = w[i]));
                    }
                }
                s.push_str(line.trim_end());
                s.push('\n');
            }
            if all.is_empty() {
                s = "no peers: `msgl peer add NAME PUBKEY`\n".to_string();
            }
            s
        }
    };
    emit(&text)
}
