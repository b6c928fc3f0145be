//! `msgl balance|bal [--depth N] [--flat] [QUERY]`.

use std::io::Write;

use crate::journal::Decimal;

use crate::accounts::{show_parts, Balances, Query};
use crate::cli::{csv_field, Ctx, Format, OutputArg};
use crate::error::{Error, Result};
use crate::journal::parse::{fold_reduce, Source, BLOCK};

/// Show account balances as a tree, with the node's net value
///
/// A parent's balance is the sum of its children's. Amounts are positive when
/// an account grows. The foot shows Net (Assets - Liabilities). Accounts whose
/// balance is zero are hidden unless -E.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fold accounts deeper than N into their parent
    #[arg(long, short = 'd', value_name = "N")]
    pub depth: Option<usize>,
    /// List accounts with postings by full name, each with its own sum
    #[arg(long)]
    pub flat: bool,
    /// Show accounts whose balance is zero
    #[arg(long, short = 'E')]
    pub empty: bool,
    /// Only postings to accounts containing one of these (case-insensitive)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub out: OutputArg,
}

pub const NET: &str = "Net (Assets - Liabilities)";

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let query = Query::new(&args.query);
    let mut total = Balances::default();
    let expected_blocks = match &src {
        Source::File(p) => std::fs::metadata(p)
            .ok()
            .map(|m| (m.len() as usize / BLOCK) + 1),
        Source::Stdin => None,
    };
    let mut first = true;
    fold_reduce(
        &src,
        Balances::default,
        |b, e| b.add_entry(&e, &name, &query),
        |b| {
            let hint = expected_blocks.filter(|_| std::mem::take(&mut first));
            total.merge(b, hint)
        },
    )?;
    let depth = args.depth.map(|d| d.max(1));
    let commodities = total.commodities();
    let names: Vec<Option<&str>> = commodities.iter().map(|c| c.as_deref()).collect();
    let report = total.report(depth, args.flat, &commodities);
    let show_row =
        |amounts: &[(u16, Decimal)]| args.empty || amounts.iter().any(|(_, q)| !q.is_zero());
    let net: Vec<(u16, Decimal)> = total
        .net()
        .into_iter()
        .map(|a| {
            (
                commodities
                    .iter()
                    .position(|c| *c == a.commodity)
                    .unwrap_or(0) as u16,
                a.quantity,
            )
        })
        .collect();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut io: std::io::Result<()> = Ok(());
    let mut put = |io: &mut std::io::Result<()>,
                   f: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>| {
        if io.is_ok() {
            *io = f(&mut out);
        }
    };
    match args.out.output {
        Format::Text => {
            // The column fits the widest sum (a row that sums a leaf and its
            // children is bounded by the two, so the width may exceed it
            // by a character or two: harmless).
            let mut width = Balances::widest(&report, &commodities);
            for (c, q) in &net {
                width = width.max(show_parts(*q, names[*c as usize]).len());
            }
            let flat = args.flat;
            report.walk(|account, d, amounts| {
                if !show_row(amounts) {
                    return;
                }
                let label = if flat {
                    account
                } else {
                    account.rsplit(':').next().unwrap_or(account)
                };
                let indent = if flat { 0 } else { 2 * (d - 1) };
                put(&mut io, &mut |w| {
                    let n = amounts.len().max(1);
                    for i in 0..n {
                        let a = amounts.get(i).map_or_else(
                            || "0".to_string(),
                            |(c, q)| show_parts(*q, names[*c as usize]),
                        );
                        if i + 1 == n {
                            writeln!(w, "{a:>width$}  {:indent$}{label}", "")?;
                        } else {
                            writeln!(w, "{a:>width$}")?;
                        }
                    }
                    Ok(())
                });
            });
            put(&mut io, &mut |w| {
                writeln!(w, "{}", "-".repeat(width))?;
                let n = net.len().max(1);
                for i in 0..n {
                    let a = net.get(i).map_or_else(
                        || "0".to_string(),
                        |(c, q)| show_parts(*q, names[*c as usize]),
                    );
                    if i + 1 == n {
                        writeln!(w, "{a:>width$}  {NET}")?;
                    } else {
                        writeln!(w, "{a:>width$}")?;
                    }
                }
                Ok(())
            });
        }
        Format::Csv => {
            put(&mut io, &mut |w| writeln!(w, "account,commodity,amount"));
            report.walk(|account, _, amounts| {
                if show_row(amounts) {
                    put(&mut io, &mut |w| {
                        for (c, q) in amounts {
                            writeln!(
                                w,
                                "{},{},{}",
                                csv_field(account),
                                csv_field(names[*c as usize].unwrap_or("")),
                                q
                            )?;
                        }
                        Ok(())
                    });
                }
            });
            put(&mut io, &mut |w| {
                for (c, q) in &net {
                    writeln!(
                        w,
                        "{},{},{}",
                        csv_field(NET),
                        csv_field(names[*c as usize].unwrap_or("")),
                        q
                    )?;
                }
                Ok(())
            });
        }
        Format::Json => {
            let amounts_json = |amounts: &[(u16, Decimal)]| -> String {
                let items: Vec<String> = amounts
                    .iter()
                    .map(|(c, q)| match names[*c as usize] {
                        Some(n) => format!(
                            "{{\"quantity\":\"{q}\",\"commodity\":{}}}",
                            serde_json::to_string(n).expect("string")
                        ),
                        None => format!("{{\"quantity\":\"{q}\"}}"),
                    })
                    .collect();
                format!("[{}]", items.join(","))
            };
            put(&mut io, &mut |w| write!(w, "{{\"accounts\":["));
            let mut first = true;
            report.walk(|account, d, amounts| {
                if show_row(amounts) {
                    let sep = if first { "" } else { "," };
                    first = false;
                    let line = format!(
                        "{sep}\n{{\"account\":{},\"depth\":{d},\"amounts\":{}}}",
                        serde_json::to_string(account).expect("string"),
                        amounts_json(amounts)
                    );
                    put(&mut io, &mut |w| w.write_all(line.as_bytes()));
                }
            });
            let tail = format!("\n],\"net\":{}}}\n", amounts_json(&net));
            put(&mut io, &mut |w| w.write_all(tail.as_bytes()));
        }
    }
    let r = io.and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::input(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}
