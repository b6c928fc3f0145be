//! `msgl balance|bal [--depth N] [--flat] [-E] [--strict] [QUERY]`.

use std::io::Write;

use crate::accounts::{Balances, Column, Name, Postings, Query};
use crate::cli::{csv_field, Ctx, Format, OutputArg};
use crate::error::{Error, Result};
use crate::journal::check::{conclude, CheckBlock};
use crate::journal::parse::fold_reduce;
use crate::journal::Decimal;

/// The examples of `msgl balance`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Balances to depth 2 as CSV, Net value in the last row",
        "msgl -f ledgers/seed/node1.ledger bal --depth 2 -O csv",
    ),
    (
        "The accounts receivable of a home, by peer and message",
        "msgl --home ~/node1 balance receivable",
    ),
];

/// Show account balances as a tree, with the node's net value
///
/// A parent's balance is the sum of its children's, and every parent of a
/// shown account is shown, with 0 if its children cancel out (as hledger's
/// tree). Amounts are positive when an account grows (`print --hledger`
/// says how hledger's signs differ), aligned on the decimal point. The foot
/// shows Net (Assets - Liabilities). Accounts whose balance is zero are
/// hidden unless -E. A journal that fails `msgl check` gets its first
/// problem as a warning on stderr (an error with --strict).
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
    pub strict: StrictArg,
    #[command(flatten)]
    pub out: OutputArg,
}

/// `--strict` on a report.
#[derive(Debug, Clone, clap::Args)]
pub struct StrictArg {
    /// Fail (exit 1, nothing printed where the report can tell before
    /// printing) when the journal fails `msgl check --strict`, instead of
    /// warning on stderr
    #[arg(long)]
    pub strict: bool,
}

pub const NET: &str = "Net (Assets - Liabilities)";

/// What is done with each shown row: (account, depth, amounts).
type RowFn<'a> = dyn FnMut(Name<'_>, usize, &[(u16, Decimal)]) + 'a;

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let token = ctx.token()?;
    let query = Query::new(&args.query);
    let strict = args.strict.strict;
    let mut total = Balances::default();
    let mut checks = Vec::new();
    fold_reduce(
        &src,
        || (Postings::default(), CheckBlock::default()),
        |(b, c), e| {
            let postings = c.resolve(&name, &e, strict)?;
            b.add_resolved(&postings, &query);
            Ok(())
        },
        |i, (b, c)| {
            checks.push((i, c));
            total.merge(b)
        },
    )?;
    conclude(&name, checks, strict)?;
    let depth = args.depth.map(|d| d.max(1));
    let commodities = total.commodities();
    // The commodity of each column: a bare amount is the node's token.
    let names: Vec<&str> = commodities
        .iter()
        .map(|c| c.as_deref().unwrap_or(&token))
        .collect();
    let report = total.report(depth, args.flat, &commodities);
    let nonzero = |amounts: &[(u16, Decimal)]| amounts.iter().any(|(_, q)| !q.is_zero());
    // Text shows the bare token's amounts without a commodity, in a
    // column as wide as the widest shown amount.
    let text = matches!(args.out.output, Format::Text);
    let label = |c: u16| commodities[c as usize].as_deref().unwrap_or("");
    let mut col = Column::default();
    // Which rows show: a non-zero one (any with -E), and every parent of
    // a shown row (hledger's tree). Rows come parent first, so a backward
    // pass over (depth, shown) finds the parents. A row shown on its own
    // is measured for the column in the same walk; one shown only as a
    // parent has only zeros, which widen the column by their commodity's
    // name at most: the longest is kept (`u16::MAX`: none).
    let mut rows: Vec<(u32, bool, u16)> = Vec::new();
    report.walk(|_, d, amounts| {
        let shown = args.empty || nonzero(amounts);
        let mut widest = u16::MAX;
        if text {
            if shown {
                for (c, q) in amounts {
                    col.observe(q, label(*c));
                }
            } else if let Some(&(c, _)) = amounts.iter().max_by_key(|(c, _)| label(*c).len()) {
                widest = c;
            }
        }
        rows.push((d as u32, shown, widest));
    });
    if !args.flat {
        let mut below: Vec<bool> = Vec::new();
        for (d, shown, widest) in rows.iter_mut().rev() {
            let d = *d as usize;
            if below.len() <= d {
                below.resize(d + 1, false);
            }
            if below[d] && !*shown {
                *shown = true;
                if *widest != u16::MAX {
                    col.observe(&Decimal::ZERO, label(*widest));
                }
            }
            below[d..].iter_mut().for_each(|b| *b = false);
            if *shown && d > 0 {
                below[d - 1] = true;
            }
        }
    }
    // Net per commodity, in the commodities' order: from the tree's
    // top-level sums, or (flat) from every account.
    let net: Vec<(u16, Decimal)> = report
        .net(commodities.len())
        .unwrap_or_else(|| total.net().into_iter().map(|a| a.quantity).collect())
        .into_iter()
        .enumerate()
        .map(|(c, q)| (c as u16, q))
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
    let mut row = 0;
    let mut shown_rows = |mut f: Box<RowFn<'_>>| {
        row = 0;
        report.walk(|account, d, amounts| {
            let shown = rows[row].1;
            row += 1;
            if shown {
                f(account, d, amounts);
            }
        });
    };
    match args.out.output {
        Format::Text => {
            for (c, q) in &net {
                col.observe(q, label(*c));
            }
            let zero = Decimal::ZERO;
            // One row's lines, built in one buffer: an amount a line (zero
            // when there is none), the last followed by the indented name.
            let block =
                |text: &mut String, amounts: &[(u16, Decimal)], indent: usize, name: &str| {
                    let n = amounts.len().max(1);
                    for i in 0..n {
                        let start = text.len();
                        match amounts.get(i) {
                            Some((c, q)) => col.format_into(text, q, label(*c)),
                            None => col.format_into(text, &zero, ""),
                        }
                        if i + 1 == n {
                            text.push_str("  ");
                            text.extend(std::iter::repeat_n(' ', indent));
                            text.push_str(name);
                        } else {
                            let kept = text[start..].trim_end().len();
                            text.truncate(start + kept);
                        }
                        text.push('\n');
                    }
                };
            let width = col.width();
            let flat = args.flat;
            let mut text = String::new();
            let mut whole = String::new();
            shown_rows(Box::new(|account, d, amounts| {
                let name = if flat {
                    account.write_to(&mut whole)
                } else {
                    account.last()
                };
                let indent = if flat { 0 } else { 2 * (d - 1) };
                text.clear();
                block(&mut text, amounts, indent, name);
                put(&mut io, &mut |w| w.write_all(text.as_bytes()));
            }));
            // The rule, then Net as one more block.
            text.clear();
            text.extend(std::iter::repeat_n('-', width));
            text.push('\n');
            block(&mut text, &net, 0, NET);
            put(&mut io, &mut |w| w.write_all(text.as_bytes()));
        }
        Format::Csv => {
            // `kind`: `account` rows, then Net as the `total` row(s).
            put(&mut io, &mut |w| {
                writeln!(w, "account,commodity,amount,kind")
            });
            let mut whole = String::new();
            shown_rows(Box::new(|account, _, amounts| {
                let account = account.write_to(&mut whole);
                put(&mut io, &mut |w| {
                    for (c, q) in amounts {
                        writeln!(
                            w,
                            "{},{},{},account",
                            csv_field(account),
                            csv_field(names[*c as usize]),
                            q
                        )?;
                    }
                    Ok(())
                });
            }));
            put(&mut io, &mut |w| {
                for (c, q) in &net {
                    writeln!(
                        w,
                        "{},{},{},total",
                        csv_field(NET),
                        csv_field(names[*c as usize]),
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
                    .map(|(c, q)| {
                        format!(
                            "{{\"quantity\":\"{q}\",\"commodity\":{}}}",
                            serde_json::to_string(names[*c as usize]).expect("string")
                        )
                    })
                    .collect();
                format!("[{}]", items.join(","))
            };
            put(&mut io, &mut |w| write!(w, "{{\"accounts\":["));
            let mut first = true;
            let mut whole = String::new();
            shown_rows(Box::new(|account, d, amounts| {
                let account = account.write_to(&mut whole);
                let sep = if first { "" } else { "," };
                first = false;
                let line = format!(
                    "{sep}\n{{\"account\":{},\"depth\":{d},\"amounts\":{}}}",
                    serde_json::to_string(account).expect("string"),
                    amounts_json(amounts)
                );
                put(&mut io, &mut |w| w.write_all(line.as_bytes()));
            }));
            let tail = format!("\n],\"net\":{}}}\n", amounts_json(&net));
            put(&mut io, &mut |w| w.write_all(tail.as_bytes()));
        }
    }
    let r = io.and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::output(e)),
        _ => Ok(()),
    }
}
