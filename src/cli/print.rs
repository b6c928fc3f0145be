//! `msgl print [--hledger]`.

use crate::cli::{emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::journal::{self, print};

/// Print the journal (msgl's format, or hledger's with --hledger)
///
/// msgl's format with elided amounts inferred; or, with --hledger, hledger's
/// journal format (dates from the timestamps and an `ms:` tag with the exact
/// time, the sequence number as the code, hledger's signs with credit-normal
/// accounts negated, implied postings written out), so that `msgl print
/// --hledger | hledger -f - bal` agrees with `msgl balance`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write hledger's journal format
    #[arg(long)]
    pub hledger: bool,
    #[command(flatten)]
    pub out: OutputArg,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let name = ctx.journal_source().name();
    let journal = ctx.load_journal()?;
    let text = match (args.out.output, args.hledger) {
        (Format::Json, _) => {
            // Each entry, with the tags of its comments as objects.
            let tags = |c: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
                c.as_deref()
                    .map(journal::tags)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.into()))
                    .collect()
            };
            let mut v = serde_json::to_value(&journal.entries).expect("serializable");
            for (e, j) in journal
                .entries
                .iter()
                .zip(v.as_array_mut().expect("a list"))
            {
                j["tags"] = tags(&e.comment).into();
                let resolved = e.resolve(false).map_err(|i| i.into_error(&name))?;
                let postings = j["postings"].as_array_mut().expect("a list");
                for ((p, r), jp) in e.postings.iter().zip(&resolved).zip(postings) {
                    jp["tags"] = tags(&p.comment).into();
                    if r.inferred {
                        jp["amount"] = serde_json::to_value(&r.amount).expect("serializable");
                        jp["inferred"] = true.into();
                    }
                }
            }
            serde_json::to_string_pretty(&v).expect("serializable") + "\n"
        }
        (Format::Csv, _) => {
            let mut s = String::from("timestamp,seq,description,account,commodity,amount\n");
            for e in &journal.entries {
                for p in e.resolve(false).map_err(|i| i.into_error(&name))? {
                    s += &format!(
                        "{},{},{},{},{},{}\n",
                        e.timestamp,
                        e.seq,
                        crate::cli::csv_field(&e.description),
                        crate::cli::csv_field(&p.account),
                        crate::cli::csv_field(p.amount.commodity_str()),
                        p.amount.quantity
                    );
                }
            }
            s
        }
        (Format::Text, true) => print::hledger_journal(&journal, &name)?,
        (Format::Text, false) => {
            for e in &journal.entries {
                e.resolve(false).map_err(|i| i.into_error(&name))?;
            }
            print::journal(&journal)
        }
    };
    emit(&text)
}
