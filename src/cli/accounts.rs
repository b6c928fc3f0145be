//! `msgl accounts`.

use std::collections::BTreeSet;

use crate::accounts::{tree_order, Query};
use crate::cli::{csv_field, emit, Ctx, Format, OutputArg};
use crate::error::Result;

/// List the accounts in the journal
///
/// Every account the journal posts to (implied counterparts included), one a
/// line, in tree order.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only accounts containing one of these (case-insensitive)
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub out: OutputArg,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let name = ctx.journal_source().name();
    let journal = ctx.load_journal()?;
    let query = Query::new(&args.query);
    let mut set = BTreeSet::new();
    for e in &journal.entries {
        for p in e.resolve(false).map_err(|i| i.into_error(&name))? {
            if query.matches(&p.account) {
                set.insert(p.account.into_owned());
            }
        }
    }
    let mut list: Vec<String> = set.into_iter().collect();
    list.sort_by(|a, b| tree_order(a, b));
    let text = match args.out.output {
        Format::Json => serde_json::to_string_pretty(&list).expect("serializable") + "\n",
        Format::Csv => std::iter::once("account".to_string())
            .chain(list.iter().map(|a| csv_field(a)))
            .map(|l| l + "\n")
            .collect(),
        Format::Text => list.iter().map(|a| format!("{a}\n")).collect(),
    };
    emit(&text)
}
