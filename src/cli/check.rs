//! `msgl check [--strict]`.

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::journal::{
    check::{join_blocks, CheckBlock},
    parse::fold_blocks,
};

/// Check the journal: balance, sequence numbers, timestamps
///
/// Every entry must balance (amounts are positive when an account grows; Assets
/// and Expenses are debits, Liabilities, Equity and Income credits); MESSAGE
/// SENT and MESSAGE RECEIVED may have one posting, their counterpart implied,
/// unless --strict. Sequence numbers strictly increase; timestamps never
/// decrease. Each problem is printed as `msgl: FILE:LINE:COL: what (hint)`; the
/// exit status is 1 if there is any, 2 if the journal cannot be read.
///
/// With --evidence, also checks the home's journal against its signed
/// evidence (under the home's lock): every MESSAGE SENT / RECEIVED books
/// an ack of acks/ or sent/ once, with its amount and message; every kept
/// ack is booked; each ack log is a valid chain; every RECONCILED books its
/// co-signed agreement in recon/, and every agreement kept is booked. Each
/// discrepancy as `msgl: FILE:LINE: what (hint)`, exit 1.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also refuse the single-posting MESSAGE SENT / MESSAGE RECEIVED form (implied counterpart)
    #[arg(long)]
    pub strict: bool,
    /// Also check the journal against the acks and agreements the home keeps
    #[arg(long)]
    pub evidence: bool,
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
                Error::check(d.what).in_file(&d.file)
            } else {
                Error::check(d.what).at(&d.file, d.line, 1)
            };
            problems.push(e.hint(d.hint));
        }
    }
    if problems.is_empty() {
        if !ctx.global.quiet {
            emit(&format!("{name}: {count} entries, ok\n"))?;
        }
        return Ok(());
    }
    let n = problems.len();
    for p in &problems[..n - 1] {
        eprintln!("{p}");
    }
    let last = problems.into_iter().last().expect("n > 0");
    if n > 1 {
        eprintln!("{last}");
        return Err(Error::check(format!("{n} problems in {count} entries")).in_file(&name));
    }
    Err(last)
}
