//! `msgl balance|bal [--depth N] [--flat] [QUERY]`.

use serde::Serialize;

use crate::accounts::{show, Balances, Query, Row};
use crate::cli::{csv_field, emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::journal::{parse::fold_blocks, Amount};

/// Show account balances as a tree (a parent is the sum of its children),
/// and the node's net value, Assets − Liabilities, at the foot. Amounts are
/// positive when an account grows.
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

#[derive(Serialize)]
struct Report<'a> {
    accounts: &'a [Row],
    net: &'a [Amount],
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let query = Query::new(&args.query);
    let blocks = fold_blocks(&src, Balances::default, |b, e| {
        b.add_entry(&e, &name, &query)
    })?;
    let mut total = Balances::default();
    for b in blocks {
        total.merge(b)?;
    }
    let depth = args.depth.map(|d| d.max(1));
    let mut rows = if args.flat {
        total.flat(depth)
    } else {
        total.tree(depth)
    };
    if !args.empty {
        rows.retain(|r| !r.is_zero());
    }
    let net = total.net();
    emit(&render(&rows, &net, args.out.output, args.flat))
}

fn render(rows: &[Row], net: &[Amount], format: Format, flat: bool) -> String {
    match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&Report {
                accounts: rows,
                net,
            })
            .expect("serializable");
            s.push('\n');
            s
        }
        Format::Csv => {
            let mut s = String::from("account,commodity,amount\n");
            for r in rows {
                for a in &r.amounts {
                    s += &format!(
                        "{},{},{}\n",
                        csv_field(&r.account),
                        csv_field(a.commodity_str()),
                        a.quantity
                    );
                }
            }
            for a in net {
                s += &format!(
                    "{},{},{}\n",
                    csv_field(NET),
                    csv_field(a.commodity_str()),
                    a.quantity
                );
            }
            s
        }
        Format::Text => {
            let cells: Vec<(String, String)> = rows
                .iter()
                .flat_map(|r| {
                    let label = if flat {
                        r.account.clone()
                    } else {
                        let leaf = r.account.rsplit(':').next().unwrap_or(&r.account);
                        format!("{}{}", "  ".repeat(r.depth - 1), leaf)
                    };
                    let amounts: Vec<String> = if r.amounts.is_empty() {
                        vec!["0".into()]
                    } else {
                        r.amounts.iter().map(show).collect()
                    };
                    let n = amounts.len();
                    amounts.into_iter().enumerate().map(move |(i, a)| {
                        (
                            a,
                            if i + 1 == n {
                                label.clone()
                            } else {
                                String::new()
                            },
                        )
                    })
                })
                .collect();
            let net_cells: Vec<String> = net.iter().map(show).collect();
            let width = cells
                .iter()
                .map(|c| c.0.len())
                .chain(net_cells.iter().map(String::len))
                .max()
                .unwrap_or(1)
                .max(1);
            let mut s = String::new();
            for (a, l) in &cells {
                s += &format!("{a:>width$}  {l}\n");
            }
            s += &format!("{}\n", "-".repeat(width));
            if net_cells.is_empty() {
                s += &format!("{:>width$}  {NET}\n", "0");
            }
            let n = net_cells.len();
            for (i, a) in net_cells.iter().enumerate() {
                s += &format!("{a:>width$}  {}\n", if i + 1 == n { NET } else { "" });
            }
            s
        }
    }
}
