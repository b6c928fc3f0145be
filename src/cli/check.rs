//! `msgl check [--strict] [-O FORMAT]`.

use crate::cli::{emit, plural, Ctx, Format, OutputArg};
use crate::error::{Error, LedgerError, Result};
use crate::journal::{
    check::{join_blocks, CheckBlock},
    parse::fold_blocks,
};

/// The examples of `msgl check`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Check a journal file: every entry balances, sequence numbers increase, timestamps never decrease",
        "msgl -f ledgers/seed/node2.ledger check",
    ),
    (
        "Check a home's journal against its signed acks and agreements",
        "msgl --home ~/node1 check --evidence",
    ),
    (
        "The problems as one JSON document, for a script",
        "msgl --home ~/node1 check -O json",
    ),
];

/// Check the journal: balance, sequence numbers, timestamps
///
/// Every entry must balance (amounts are positive when an account grows; Assets
/// and Expenses are debits, Liabilities, Equity and Income credits); MESSAGE
/// SENT and MESSAGE RECEIVED may have one posting, their counterpart implied,
/// unless --strict. Sequence numbers strictly increase; timestamps never
/// decrease. Each problem is printed as `msgl: FILE:LINE:COL: what (hint)`
/// (with -O json or csv, listed on stdout instead); the exit status is 1 if
/// there is any, 2 if the journal cannot be read. Reports (bal, reg, print,
/// accounts) run the same check and warn with its first problem.
///
/// With --evidence, also checks the home's journal against its signed
/// evidence (under the home's lock): every MESSAGE SENT / RECEIVED books
/// an ack of acks/ or sent/ once, with its amount and message; every kept
/// ack is booked; each ack log is a valid chain; every RECONCILED books its
/// co-signed agreement in recon/, and every agreement kept is booked. Each
/// discrepancy as `msgl: FILE:LINE:COL: what (hint)`, exit 1.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also refuse the single-posting MESSAGE SENT / MESSAGE RECEIVED form (implied counterpart)
    #[arg(long)]
    pub strict: bool,
    /// Also check the journal against the acks and agreements the home keeps
    #[arg(long)]
    pub evidence: bool,
    #[command(flatten)]
    pub out: OutputArg,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let strict = args.strict;
    let blocks = fold_blocks(&src, CheckBlock::default, |b, e| {
        b.entry(&name, &e, strict);
        Ok(())
    })?;
    let (count, mut problems) = join_blocks(&name, blocks);
    if args.evidence {
        let home = ctx.home();
        let config = home.config()?;
        let me = home.public_key()?;
        // Under the lock: no commit is half seen.
        let _tx = crate::store::Tx::begin(&home)?;
        let journal = crate::journal::parse_file(&src)?;
        for d in crate::protocol::evidence::check(&home, &config, &me, &journal, &name)? {
            let e = if d.line == 0 {
                LedgerError::check(d.what).in_file(&d.file)
            } else {
                LedgerError::check(d.what).at(&d.file, d.line, 1)
            };
            problems.push(e.hint(d.hint));
        }
    }
    let n = problems.len();
    let summary = || {
        Error::check(format!(
            "{} in {}",
            plural(n, "problem", "problems"),
            plural(count, "entry", "entries")
        ))
        .in_file(&name)
    };
    match args.out.output {
        Format::Json => {
            let list: Vec<serde_json::Value> = problems
                .iter()
                .map(|p| {
                    let l = p.location();
                    serde_json::json!({
                        "file": l.map_or(name.as_str(), |l| l.file.as_str()),
                        "line": l.map(|l| l.line),
                        "col": l.map(|l| l.col),
                        "what": p.what(),
                        "hint": p.diag().hint,
                    })
                })
                .collect();
            let v = serde_json::json!({
                "file": name,
                "entries": count,
                "ok": problems.is_empty(),
                "problems": list,
            });
            emit(&(serde_json::to_string_pretty(&v).expect("serializable") + "\n"))?;
            return if n == 0 { Ok(()) } else { Err(summary()) };
        }
        Format::Csv => {
            let mut s = String::from("file,line,col,what,hint\n");
            for p in &problems {
                let l = p.location();
                s += &format!(
                    "{},{},{},{},{}\n",
                    crate::cli::csv_field(l.map_or(name.as_str(), |l| l.file.as_str())),
                    l.map_or(String::new(), |l| l.line.to_string()),
                    l.map_or(String::new(), |l| l.col.to_string()),
                    crate::cli::csv_field(p.what()),
                    crate::cli::csv_field(p.diag().hint.as_deref().unwrap_or(""))
                );
            }
            emit(&s)?;
            return if n == 0 { Ok(()) } else { Err(summary()) };
        }
        Format::Text => {}
    }
    if problems.is_empty() {
        if !ctx.global.quiet {
            emit(&format!(
                "{name}: {}, ok\n",
                plural(count, "entry", "entries")
            ))?;
        }
        return Ok(());
    }
    for p in &problems[..n - 1] {
        eprintln!("{p}");
    }
    let last = problems.into_iter().last().expect("n > 0");
    if n > 1 {
        eprintln!("{last}");
        return Err(summary());
    }
    Err(last.into())
}
