//! `msgl register|reg [--strict] [QUERY]`.

use std::io::Write;

use serde::Serialize;

use crate::accounts::{Column, Query};
use crate::cli::balance::StrictArg;
use crate::cli::{csv_field, Ctx, Format, OutputArg};
// A ledger report: its errors are the ledger's.
use crate::error::LedgerError as Error;
type Result<T, E = Error> = std::result::Result<T, E>;
use crate::journal::check::{conclude, CheckBlock};
use crate::journal::parse::{fold_ordered, Source};
use crate::journal::{AccountType, Amount, Decimal};

/// The examples of `msgl register`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Every posting to a receivable account, with the running total",
        "msgl --home ~/node1 reg receivable",
    ),
    (
        "A journal file's postings as CSV",
        "msgl -f ledgers/seed/node1.ledger register -O csv",
    ),
];

/// Show postings with a running total, as hledger's register
///
/// One line per posting that matches QUERY, with the running total of those
/// postings, in hledger's signs: debits positive, credits negative (so the
/// total of every posting, with no QUERY, is 0 for a journal that
/// balances; `msgl bal` shows amounts positive when an account grows
/// instead). The counterpart implied by a single-posting MESSAGE entry, and
/// amounts inferred for elided postings, are shown. The journal is read as
/// it streams (twice for text, to align the columns; standard input is
/// kept in a temporary file for that), never held in memory. A journal
/// that fails `msgl check` gets its first problem as a warning on stderr
/// (exit 1 with --strict).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only postings to accounts containing one of these (case-insensitive)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub strict: StrictArg,
    #[command(flatten)]
    pub out: OutputArg,
}

/// One posting of the register, in hledger's signs.
#[derive(Serialize)]
struct Line {
    timestamp: u64,
    seq: u64,
    description: String,
    account: String,
    amount: Amount,
    #[serde(skip)]
    first_of_entry: bool,
}

/// A JSON line: the posting and the running total after it.
#[derive(Serialize)]
struct JsonLine<'a> {
    #[serde(flatten)]
    line: &'a Line,
    total: Vec<Amount>,
}

/// Running totals per commodity, in order of first appearance.
#[derive(Default)]
struct Totals(Vec<(Option<String>, Decimal)>);

impl Totals {
    fn add(&mut self, a: &Amount) -> Option<()> {
        match self.0.iter_mut().find(|(c, _)| *c == a.commodity) {
            Some((_, s)) => *s = s.checked_add(a.quantity)?,
            None => self.0.push((a.commodity.clone(), a.quantity)),
        }
        Some(())
    }
}

/// Reads the journal once, handing every block's register lines, in file
/// order, to `each`; returns the blocks' checks (for [`conclude`]).
fn read(
    src: &Source,
    query: &Query,
    strict: bool,
    mut each: impl FnMut(Vec<Line>) -> Result<()>,
) -> Result<Vec<(usize, CheckBlock)>> {
    let name = src.name();
    let mut checks = Vec::new();
    let mut idx = 0;
    fold_ordered(
        src,
        || (Vec::new(), CheckBlock::default()),
        |(lines, check): &mut (Vec<Line>, CheckBlock), e| {
            let postings = check.resolve(&name, &e, strict)?;
            let mut first = true;
            for p in postings {
                if !query.matches(&p.account) {
                    continue;
                }
                let ty = AccountType::of(&p.account).expect("resolved accounts have a type");
                lines.push(Line {
                    timestamp: e.timestamp,
                    seq: e.seq,
                    description: e.description.clone(),
                    account: p.account.into_owned(),
                    amount: Amount {
                        quantity: p.amount.quantity * ty.sign(),
                        commodity: p.amount.commodity,
                    },
                    first_of_entry: std::mem::take(&mut first),
                });
            }
            Ok(())
        },
        |(lines, check)| {
            checks.push((idx, check));
            idx += 1;
            each(lines)
        },
    )?;
    Ok(checks)
}

fn overflow() -> Error {
    // Cannot happen within the journal's limits (DESIGN §2.3).
    Error::check("a running total leaves the exact limits (76 digits)")
        .hint("amounts have at most 39 digits and 18 decimal places")
}

pub fn run(args: &Args, ctx: &Ctx) -> crate::error::Result<()> {
    let query = Query::new(&args.query);
    let strict = args.strict.strict;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let io = Error::output;
    let src = ctx.journal_source();
    let name = src.name();
    let r = match args.out.output {
        Format::Json => {
            let mut totals = Totals::default();
            let mut first = true;
            out.write_all(b"[").map_err(io)?;
            read(&src, &query, strict, |lines| {
                for l in &lines {
                    totals.add(&l.amount).ok_or_else(overflow)?;
                    let j = JsonLine {
                        line: l,
                        total: totals
                            .0
                            .iter()
                            .map(|(c, q)| Amount {
                                quantity: *q,
                                commodity: c.clone(),
                            })
                            .collect(),
                    };
                    let sep = if std::mem::take(&mut first) {
                        "\n"
                    } else {
                        ",\n"
                    };
                    out.write_all(sep.as_bytes()).map_err(io)?;
                    serde_json::to_writer(&mut out, &j).expect("serializable");
                }
                Ok(())
            })
            .and_then(|c| conclude(&name, c, strict))
            .and_then(|_| out.write_all(b"\n]\n").map_err(io))
        }
        Format::Csv => {
            let mut totals = Totals::default();
            out.write_all(b"timestamp,seq,description,account,commodity,amount,total\n")
                .map_err(io)?;
            let token = ctx.token()?;
            read(&src, &query, strict, |lines| {
                for l in &lines {
                    totals.add(&l.amount).ok_or_else(overflow)?;
                    let t = totals
                        .0
                        .iter()
                        .find(|(c, _)| *c == l.amount.commodity)
                        .map(|(_, q)| *q)
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{}",
                        l.timestamp,
                        l.seq,
                        csv_field(&l.description),
                        csv_field(&l.account),
                        csv_field(l.amount.commodity.as_deref().unwrap_or(&token)),
                        l.amount.quantity,
                        t
                    )
                    .map_err(io)?;
                }
                Ok(())
            })
            .and_then(|c| conclude(&name, c, strict))
        }
        Format::Text => text(&src, &query, strict, &mut out),
    };
    let r = r.and_then(|_| out.flush().map_err(io));
    match r {
        Err(e) if e.is_closed_output() => Ok(()),
        r => Ok(r?),
    }
}

/// Text: a first pass measures the columns, a second prints.
fn text(src: &Source, query: &Query, strict: bool, out: &mut impl Write) -> Result<()> {
    // Standard input is copied as the first pass reads it, for the second.
    let spool = matches!(src, Source::Stdin).then(|| Spool {
        path: std::env::temp_dir().join(format!(
            "msgl-reg-{}-{}.ledger",
            std::process::id(),
            crate::journal::append::now_ms()
        )),
    });
    let first = match &spool {
        Some(s) => Source::StdinCopiedTo(s.path.clone()),
        None => src.clone(),
    };
    let second = match &spool {
        Some(s) => Source::File(s.path.clone()),
        None => src.clone(),
    };
    let label = |a: &Amount| a.commodity.clone().unwrap_or_default();
    let (mut w_desc, mut w_acc) = (0, 0);
    let (mut amounts, mut totals_col) = (Column::default(), Column::default());
    let mut totals = Totals::default();
    let checks = read(&first, query, strict, |lines| {
        for l in &lines {
            totals.add(&l.amount).ok_or_else(overflow)?;
            w_desc = w_desc.max(l.description.chars().count().min(30));
            w_acc = w_acc.max(l.account.chars().count().min(60));
            amounts.observe(&l.amount.quantity, &label(&l.amount));
            for (c, q) in &totals.0 {
                totals_col.observe(q, c.as_deref().unwrap_or(""));
            }
        }
        Ok(())
    })?;
    conclude(&src.name(), checks, strict)?;
    let io = Error::output;
    let mut totals = Totals::default();
    // The second pass reads the same file: its check was said by the first.
    let quiet = |lines: Vec<Line>| -> Result<()> {
        for l in &lines {
            totals.add(&l.amount).ok_or_else(overflow)?;
            if l.first_of_entry {
                write!(
                    out,
                    "{:13} {:>6} {:w_desc$}",
                    l.timestamp,
                    format!("({})", l.seq),
                    l.description
                )
                .map_err(io)?;
            } else {
                write!(out, "{:13} {:>6} {:w_desc$}", "", "", "").map_err(io)?;
            }
            let total: Vec<String> = totals
                .0
                .iter()
                .map(|(c, q)| totals_col.format(q, c.as_deref().unwrap_or("")))
                .collect();
            let line = format!(
                "  {:w_acc$}  {}  {}",
                l.account,
                amounts.format(&l.amount.quantity, &label(&l.amount)),
                total.join(", ")
            );
            writeln!(out, "{}", line.trim_end()).map_err(io)?;
        }
        Ok(())
    };
    match read(&second, query, false, quiet) {
        // Only an output error can be new here.
        Err(e @ Error::Output { .. }) => Err(e),
        _ => Ok(()),
    }
}

/// Standard input kept in a temporary file, removed when dropped.
struct Spool {
    path: std::path::PathBuf,
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
