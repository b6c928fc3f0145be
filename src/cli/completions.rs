//! `msgl completions SHELL`.

use crate::cli::{command, Ctx};
use crate::error::Result;

/// The examples of `msgl completions`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "Bash completions, loaded from ~/.bashrc",
    "msgl completions bash > ~/.msgl-completion.bash",
)];

/// Print a shell completion script
///
/// Generated from the same definitions as the help and the man pages; also
/// shipped in completions/.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, _ctx: &Ctx) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command(), "msgl", &mut out);
    crate::cli::emit(&String::from_utf8_lossy(&out))
}
