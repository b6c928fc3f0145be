//! `msgl register|reg [QUERY]`.

use crate::journal::Decimal;
use serde::Serialize;

use crate::accounts::{show, Query};
use crate::cli::{csv_field, emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::journal::Amount;

/// Show postings with a running total
///
/// One line per posting that matches QUERY, with the running total of those
/// postings. The counterpart implied by a single-posting MESSAGE entry, and
/// amounts inferred for elided postings, are shown.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only postings to accounts containing one of these (case-insensitive)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub out: OutputArg,
}

#[derive(Serialize)]
struct Line {
    timestamp: u64,
    seq: u64,
    description: String,
    account: String,
    amount: Amount,
    total: Vec<Amount>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let journal = ctx.load_journal()?;
    let query = Query::new(&args.query);
    let mut total: Vec<(Option<String>, Decimal)> = Vec::new();
    let mut lines = Vec::new();
    for e in &journal.entries {
        for p in e.resolve(false).map_err(|i| i.into_error(&name))? {
            if !query.matches(&p.account) {
                continue;
            }
            match total.iter_mut().find(|(c, _)| *c == p.amount.commodity) {
                Some((_, s)) => *s += p.amount.quantity,
                None => total.push((p.amount.commodity.clone(), p.amount.quantity)),
            }
            lines.push(Line {
                timestamp: e.timestamp,
                seq: e.seq,
                description: e.description.clone(),
                account: p.account.into_owned(),
                amount: p.amount,
                total: total
                    .iter()
                    .map(|(c, q)| Amount {
                        quantity: *q,
                        commodity: c.clone(),
                    })
                    .collect(),
            });
        }
    }
    let text = match args.out.output {
        Format::Json => serde_json::to_string_pretty(&lines).expect("serializable") + "\n",
        Format::Csv => {
            let mut s = String::from("timestamp,seq,description,account,commodity,amount,total\n");
            for l in &lines {
                let t = l
                    .total
                    .iter()
                    .find(|a| a.commodity == l.amount.commodity)
                    .map(|a| a.quantity)
                    .unwrap_or_default();
                s += &format!(
                    "{},{},{},{},{},{},{}\n",
                    l.timestamp,
                    l.seq,
                    csv_field(&l.description),
                    csv_field(&l.account),
                    csv_field(l.amount.commodity_str()),
                    l.amount.quantity,
                    t
                );
            }
            s
        }
        Format::Text => {
            let w_acc = lines
                .iter()
                .map(|l| l.account.chars().count())
                .max()
                .unwrap_or(0)
                .min(60);
            let w_desc = lines
                .iter()
                .map(|l| l.description.chars().count())
                .max()
                .unwrap_or(0)
                .min(30);
            let w_amt = lines
                .iter()
                .map(|l| show(&l.amount).len())
                .max()
                .unwrap_or(0);
            let mut s = String::new();
            let mut last = None;
            for l in &lines {
                let head = if last == Some(l.seq) {
                    format!("{:13} {:>6} {:w_desc$}", "", "", "")
                } else {
                    format!(
                        "{:13} {:>6} {:w_desc$}",
                        l.timestamp,
                        format!("({})", l.seq),
                        l.description
                    )
                };
                last = Some(l.seq);
                let total: Vec<String> = l.total.iter().map(show).collect();
                s += &format!(
                    "{head}  {:w_acc$}  {:>w_amt$}  {}\n",
                    l.account,
                    show(&l.amount),
                    total.join(", ")
                );
            }
            s
        }
    };
    emit(&text)
}
