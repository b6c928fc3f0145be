//! `msgl import --hledger FILE`.

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::journal::{self, check::CheckBlock, hledger, print};

/// Read an hledger journal and print it in msgl's format
///
/// The inverse of `print --hledger`: dates and `ms:` tags become timestamps,
/// codes become sequence numbers, hledger's signs become msgl's. The result is
/// checked like `msgl check` before anything is written; with -o it goes to a
/// new file, which is never overwritten. On a terminal a bar shows how much
/// of the input has been read (not with -q; plain with NO_COLOR).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input is an hledger journal (the only format msgl imports)
    #[arg(long, required = true)]
    pub hledger: bool,
    /// The hledger journal to read (`-` is standard input)
    #[arg(value_name = "FILE")]
    pub input: std::path::PathBuf,
    /// Write to this new file instead of standard output (never overwrites)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let name = args.input.display().to_string();
    let text = if name == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Error::io("-", e))?;
        s
    } else {
        std::fs::read_to_string(&args.input).map_err(|e| Error::io(&args.input, e))?
    };
    let bar = crate::cli::progress::bytes(ctx, text.len() as u64, "importing");
    let imported = hledger::import_with_progress(&text, &name, &mut |done| {
        if let Some(b) = &bar {
            b.set_position(done as u64);
        }
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let j = imported?;
    let mut check = CheckBlock::default();
    for e in &j.entries {
        check.entry(&name, e, false);
    }
    let (_, problems) = journal::check::join_blocks(&name, vec![check]);
    if let Some(p) = problems.into_iter().next() {
        return Err(p);
    }
    let out = print::journal(&j);
    match &args.output {
        None => emit(&out),
        Some(path) => crate::fsutil::write_new(path, out.as_bytes()),
    }
}
