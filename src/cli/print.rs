//! `msgl print [--hledger] [--strict]`.

use std::io::Write;

use crate::cli::balance::StrictArg;
use crate::cli::{Ctx, Format, OutputArg};
use crate::error::{LedgerError, Result};
use crate::journal::check::{conclude, CheckBlock};
use crate::journal::parse::fold_ordered;
use crate::journal::{self, print, Entry};

/// The examples of `msgl print`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "A journal with its elided amounts written out",
        "msgl -f ledgers/seed/node2.ledger print",
    ),
    (
        "In hledger's format (dates, codes, hledger's signs), to a file",
        "msgl -f ledgers/seed/node1.ledger print --hledger > node1.hledger",
    ),
];

/// Print the journal (msgl's format, or hledger's with --hledger)
///
/// msgl's format with elided amounts inferred; or, with --hledger, hledger's
/// journal format: dates from the timestamps and an `ms:` tag with the exact
/// time, the sequence number as the code, implied postings written out, and
/// hledger's signs.
///
/// The signs: msgl writes every amount positive when its account grows
/// (a message sent is +0.00001 in Assets and +0.00001 in Income). hledger
/// writes debits positive and credits negative, so --hledger negates the
/// amounts of the credit-normal accounts, Liabilities, Equity and Income
/// (that Income posting becomes -0.00001), and `msgl print --hledger |
/// hledger -f - bal` shows credit-normal balances negative where `msgl bal`
/// shows them positive: the same books, each account's sign flipped by its
/// type. `msgl import --hledger` flips them back.
///
/// The journal streams through (memory stays small whatever its size). A
/// journal that fails `msgl check` gets its first problem as a warning on
/// stderr (exit 1 with --strict, after printing).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write hledger's journal format (hledger's signs: see above)
    #[arg(long)]
    pub hledger: bool,
    #[command(flatten)]
    pub strict: StrictArg,
    #[command(flatten)]
    pub out: OutputArg,
}

/// One entry as JSON: the entry, the tags of its comments as objects, and
/// inferred amounts written in.
fn json_entry(e: &Entry, name: &str) -> Result<String, LedgerError> {
    let tags = |c: &Option<String>| -> serde_json::Map<String, serde_json::Value> {
        c.as_deref()
            .map(journal::tags)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect()
    };
    let mut j = serde_json::to_value(e).expect("serializable");
    j["tags"] = tags(&e.comment).into();
    let resolved = e.resolve(false).map_err(|i| i.into_error(name))?;
    let postings = j["postings"].as_array_mut().expect("a list");
    for ((p, r), jp) in e.postings.iter().zip(&resolved).zip(postings) {
        jp["tags"] = tags(&p.comment).into();
        if r.inferred {
            jp["amount"] = serde_json::to_value(&r.amount).expect("serializable");
            jp["inferred"] = true.into();
        }
    }
    Ok(serde_json::to_string(&j).expect("serializable"))
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let strict = args.strict.strict;
    let format = args.out.output;
    let hledger = args.hledger;
    let token = if format == Format::Csv {
        ctx.token()?
    } else {
        String::new()
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let io = LedgerError::output;
    let mut checks = Vec::new();
    let mut idx = 0;
    // Every entry's text starts with its separator from the one before;
    // the first entry's is dropped.
    let sep = match format {
        Format::Json => ",\n",
        Format::Text => "\n",
        Format::Csv => "",
    };
    let mut first = true;
    let head = match format {
        Format::Json => "[\n",
        Format::Csv => "timestamp,seq,description,account,commodity,amount\n",
        Format::Text => "",
    };
    let r = out.write_all(head.as_bytes()).map_err(io).and_then(|_| {
        fold_ordered(
            &src,
            || (String::new(), CheckBlock::default()),
            |(text, check): &mut (String, CheckBlock), e| {
                let postings = check.resolve(&name, &e, strict)?;
                text.push_str(sep);
                match (format, hledger) {
                    (Format::Json, _) => text.push_str(&json_entry(&e, &name)?),
                    (Format::Csv, _) => {
                        for p in postings {
                            text.push_str(&format!(
                                "{},{},{},{},{},{}\n",
                                e.timestamp,
                                e.seq,
                                crate::cli::csv_field(&e.description),
                                crate::cli::csv_field(&p.account),
                                crate::cli::csv_field(
                                    p.amount.commodity.as_deref().unwrap_or(&token)
                                ),
                                p.amount.quantity
                            ));
                        }
                    }
                    (Format::Text, true) => print::write_hledger_entry(text, &e, &name)?,
                    (Format::Text, false) => print::write_entry(text, &e, true),
                }
                Ok(())
            },
            |(text, check)| {
                checks.push((idx, check));
                idx += 1;
                let mut t = text.as_str();
                if first && !t.is_empty() {
                    t = &t[sep.len()..];
                    first = false;
                }
                out.write_all(t.as_bytes()).map_err(io)
            },
        )
    });
    let r = r
        .and_then(|_| match format {
            Format::Json => out.write_all(b"\n]\n").map_err(io),
            _ => Ok(()),
        })
        .and_then(|_| out.flush().map_err(io));
    match r {
        Err(e) if e.is_closed_output() => Ok(()),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(conclude(&name, checks, strict)?),
    }
}
