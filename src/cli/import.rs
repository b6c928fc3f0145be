//! `msgl import --hledger FILE`.

use std::io::{BufRead, Write};

use crate::cli::Ctx;
use crate::error::{Error, LedgerError, Result};
use crate::fsutil::NewFile;
use crate::journal::{check::CheckBlock, hledger, print};

/// The examples of `msgl import`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "Read hledger's format back into msgl's, checked, into a new file",
    "msgl import --hledger node1.hledger -o node1.ledger",
)];

/// Read an hledger journal and print it in msgl's format
///
/// The inverse of `print --hledger`: dates and `ms:` tags become timestamps,
/// codes become sequence numbers, hledger's signs become msgl's. The input
/// is read line by line and each entry is checked like `msgl check` as it
/// is read (memory stays small whatever the file's size); the output goes
/// to a temporary file first, so nothing is written — to -o's new file,
/// which is never overwritten, or to standard output — unless the whole
/// input imports and checks. On a terminal a bar shows how much of the
/// input has been read (not with -q; plain with NO_COLOR).
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
    let (input, size): (Box<dyn BufRead>, Option<u64>) = if name == "-" {
        (Box::new(std::io::stdin().lock()), None)
    } else {
        let f = std::fs::File::open(&args.input).map_err(|e| Error::io(&args.input, e))?;
        let size = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
        (
            Box::new(std::io::BufReader::with_capacity(1 << 20, f)),
            size,
        )
    };
    // Where the output waits until everything checked: beside -o's file,
    // or in the temporary directory for standard output.
    let target = match &args.output {
        Some(p) => p.clone(),
        None => std::env::temp_dir().join(format!("msgl-import-{}", std::process::id())),
    };
    let mut out = NewFile::create(&target, None)?;
    let bar = size.and_then(|t| crate::cli::progress::bytes(ctx, t, "importing"));
    let mut check = CheckBlock::default();
    let mut first = true;
    let mut text = String::new();
    let imported = hledger::import_lines(
        input,
        &name,
        &mut |done| {
            if let Some(b) = &bar {
                b.set_position(done);
            }
        },
        &mut |e| {
            check.entry(&name, &e, false);
            if let Some(p) = check.problems.first() {
                return Err(p.clone());
            }
            text.clear();
            if !first {
                text.push('\n');
            }
            first = false;
            print::write_entry(&mut text, &e, true);
            out.write_all(text.as_bytes())
                .map_err(|err| LedgerError::io(&target, err))
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    imported?;
    match &args.output {
        Some(_) => Ok(out.commit(false)?),
        None => {
            out.sync().map_err(|e| Error::io(&target, e))?;
            let mut f =
                std::fs::File::open(out.tmp_path()).map_err(|e| Error::io(out.tmp_path(), e))?;
            let mut stdout = std::io::stdout().lock();
            match std::io::copy(&mut f, &mut stdout).and_then(|_| stdout.flush()) {
                // A closed pipe (`| head`) is not an error, as for every report.
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::output(e)),
                _ => Ok(()),
            }
        }
    }
}
