//! `msgl id`: prints the node's public key (or its EVM address).

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};

/// The examples of `msgl id`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Print the node's public key, as a peer's msgl peer add takes it",
        "msgl --home ~/node1 id",
    ),
    (
        "The node's EVM address, where settlements pay it",
        "msgl --home ~/node1 id --evm",
    ),
];

/// Print this node's public key (hex), for peers' `msgl peer add`
///
/// Reads keys/node.key (refused unless mode 0600 and a regular file, not a
/// symlink) and prints the ed25519 public key as 64 hex digits. With
/// --evm, prints the EVM address of keys/evm.key instead (0x and 40 hex
/// digits): where settlements pay this node, for peers' `msgl peer add
/// --address`. Secrets are never printed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the EVM address (keys/evm.key) instead
    #[arg(long)]
    pub evm: bool,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    if args.evm {
        let a = home.evm_address()?.ok_or_else(|| {
            Error::input("no EVM key")
                .in_file(home.evm_key_path())
                .hint("homes made by `msgl init` have one")
        })?;
        return emit(&format!("0x{}\n", hex::encode(a)));
    }
    let key = home.public_key()?;
    emit(&format!("{}\n", hex::encode(key)))
}
