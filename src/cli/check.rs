//! `msgl check [--strict]`.

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::journal::{
    check::{join_blocks, CheckBlock},
    parse::fold_blocks,
};

/// Check that every entry balances (amounts are positive when an account
/// grows; Assets and Expenses are debits), that sequence numbers strictly
/// increase and that timestamps never decrease. Each problem is printed as
/// FILE:LINE:COL; the exit status is 1 if there is any.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also refuse the single-posting MESSAGE SENT / MESSAGE RECEIVED form (implied counterpart)
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let src = ctx.journal_source();
    let name = src.name();
    let strict = args.strict;
    let blocks = fold_blocks(&src, CheckBlock::default, |b, e| {
        b.entry(&name, &e, strict);
        Ok(())
    })?;
    let (count, problems) = join_blocks(&name, blocks);
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
