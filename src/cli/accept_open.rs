//! `msgl accept-open FILE`: the payee verifies and records a channel.

use std::path::PathBuf;

use crate::cli::{emit, read_input, Ctx};
use crate::error::Result;
use crate::protocol::open as protocol;

/// The examples of `msgl accept-open`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "The payee checks the open and accepts the channel",
    "msgl --home ~/node1 accept-open open.yaml",
)];

/// Verify and record a payer's channel open (payee)
///
/// Checks the open: signed by a known peer, addressed to this node,
/// generation 1 or more, a channel id that is canonical, not all zero and
/// used by no channel of this node (either way, whoever offers it), its
/// length, and that its terms are this node's: decimals, unit price, units
/// per ack at most max_units_per_ack, and with a `chain:` in msgl.yaml the
/// chain id, settlement contract, token and this node's EVM address as the
/// payee's (the payer's too, if its address is known). Then records the
/// channel in channels/<id>.open.yaml so that `msgl accept` takes its acks.
/// For a channel on chain it signs the acceptance of these terms with
/// keys/evm.key (EIP-712), keeps it in channels/<id>.acceptance.yaml and
/// writes it to stdout or -o FILE: the payer hands it to the contract's
/// openChannel, which refuses any other terms. Exit 1 for a refused open,
/// 2 for an unreadable file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The open's file (`-` for standard input)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write the acceptance (a channel on chain) to FILE instead of stdout
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    let (name, text) = read_input(&args.file)?;
    let accepted = protocol::accept_open(&home, &config, &me, &text)
        .map_err(|e| crate::cli::blame(e, &name))?;
    let open = &accepted.open;
    let summary = format!(
        "accepted channel generation {} from {}: {} units, {} base units each, id {}\n",
        open.generation,
        accepted.peer,
        open.length,
        open.unit_price,
        open.id_hex()
    );
    match (&accepted.acceptance, &args.out) {
        (Some(a), Some(path)) => {
            crate::fsutil::write_new(path, a.to_yaml().as_bytes())?;
            if !ctx.global.quiet {
                emit(&format!("{summary}acceptance in {}\n", path.display()))?;
            }
            Ok(())
        }
        (Some(a), None) => emit(&a.to_yaml()),
        (None, _) if !ctx.global.quiet => emit(&summary),
        (None, _) => Ok(()),
    }
}
