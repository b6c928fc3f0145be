//! `msgl accounts [--strict] [QUERY]`.

use std::io::Write;

use crate::accounts::{tree_order, Query};
use crate::cli::balance::StrictArg;
use crate::cli::{csv_field, Ctx, Format, OutputArg};
use crate::error::{Error, Result};
use crate::journal::check::{conclude, CheckBlock};
use crate::journal::parse::fold_reduce;

/// The examples of `msgl accounts`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "The accounts a journal posts to",
        "msgl -f ledgers/seed/node1.ledger accounts",
    ),
    (
        "Those matching a query, as CSV",
        "msgl -f ledgers/seed/node1.ledger accounts receivable -O csv",
    ),
];

/// List the accounts in the journal
///
/// Every account the journal posts to (implied counterparts included), one a
/// line, in tree order. Memory holds the account names, not the journal. A
/// journal that fails `msgl check` gets its first problem as a warning on
/// stderr (an error with --strict).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only accounts containing one of these (case-insensitive)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub strict: StrictArg,
    #[command(flatten)]
    pub out: OutputArg,
}

type Set = hashbrown::HashSet<Box<str>, rustc_hash::FxBuildHasher>;

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let query = Query::new(&args.query);
    let strict = args.strict.strict;
    let mut all = Set::default();
    let mut checks = Vec::new();
    fold_reduce(
        &src,
        || (Set::default(), CheckBlock::default()),
        |(set, check), e| {
            for p in check.resolve(&name, &e, strict)? {
                if query.matches(&p.account) && !set.contains(&*p.account) {
                    set.insert(p.account.into());
                }
            }
            Ok(())
        },
        |i, (set, check)| {
            checks.push((i, check));
            if all.is_empty() {
                all = set;
            } else {
                all.extend(set);
            }
            Ok(())
        },
    )?;
    conclude(&name, checks, strict)?;
    let mut list: Vec<Box<str>> = all.into_iter().collect();
    {
        use rayon::slice::ParallelSliceMut;
        list.par_sort_unstable_by(|a, b| tree_order(a, b));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let r = match args.out.output {
        Format::Json => serde_json::to_writer_pretty(&mut out, &list)
            .map_err(std::io::Error::other)
            .and_then(|_| out.write_all(b"\n")),
        Format::Csv => out.write_all(b"account\n").and_then(|_| {
            list.iter()
                .try_for_each(|a| writeln!(out, "{}", csv_field(a)))
        }),
        Format::Text => list.iter().try_for_each(|a| writeln!(out, "{a}")),
    }
    .and_then(|_| out.flush());
    match r {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::output(e)),
        _ => Ok(()),
    }
}
