//! `msgl id`: prints the node's public key.

use crate::cli::{emit, Ctx};
use crate::error::Result;

/// Print this node's public key (hex), for peers' `msgl peer add`
///
/// Reads keys/node.key (refused unless mode 0600 and a regular file, not a
/// symlink) and prints the ed25519 public key as 64 hex digits. The secret
/// is never printed.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: &Args, ctx: &Ctx) -> Result<()> {
    let key = ctx.home().public_key()?;
    emit(&format!("{}\n", hex::encode(key)))
}
