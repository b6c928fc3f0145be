//! `msgl open --to NAME --units N`: opens a payment channel (payer).

use std::path::PathBuf;

use crate::journal::Decimal;

use crate::cli::{emit, Ctx};
use crate::error::Result;
use crate::fsutil;
use crate::protocol::open as protocol;

/// The examples of `msgl open`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "The payer opens a channel of 100000 units to node1 and writes the signed open",
    "msgl --home ~/node2 open --to node1 --units 100000 -o open.yaml",
)];

/// Open a channel to a payee (payer)
///
/// Derives the next generation's hash chain from this node's key, the payee
/// and the generation (keeping checkpoints in chains/<id>.chain, 0600),
/// signs the open — payer, payee, generation, channel id (the chain's
/// anchor), length, units per ack (max_units_per_ack), decimals, unit
/// price and escrow in base units, and with a `chain:` in msgl.yaml the
/// chain id, settlement contract, token and both EVM addresses (the
/// payee's from `msgl peer add --address`) — records it in
/// channels/<id>.open.yaml and writes it to stdout or -o FILE (never
/// overwritten). The payee records it with `msgl accept-open`, whose
/// acceptance the contract's openChannel requires.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payee (a peer in msgl.yaml)
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// Length of the chain: the most units the channel can pay
    #[arg(long, value_name = "N")]
    pub units: u64,
    /// Escrow set aside for this payee (token)
    #[arg(long, default_value = "0", value_name = "AMOUNT")]
    pub escrow: Decimal,
    /// Write the signed open to FILE (never overwritten) instead of stdout
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let key = home.signing_key()?;
    let protocol::Opened { peer, open } =
        protocol::open(&home, &config, &key, &args.to, args.units, args.escrow)?;
    match &args.out {
        Some(path) => {
            fsutil::write_new(path, open.to_yaml().as_bytes())?;
            if !ctx.global.quiet {
                emit(&format!(
                    "opened channel generation {} to {peer}: {} units, id {}\n",
                    open.generation,
                    open.length,
                    open.id_hex()
                ))?;
            }
            Ok(())
        }
        None => emit(&open.to_yaml()),
    }
}
