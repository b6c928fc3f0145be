//! `msgl served PEER --message HASH --price UNITS`: the payee records a
//! delivery, for the credit policy.

use crate::cli::{emit, Ctx};
use crate::error::Result;

/// The examples of `msgl served`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Record a delivery of 1 unit to node2; it counts against node2's limit until its ack comes",
        "msgl --home ~/node1 served node2 -m \"$(printf 'message 4' | sha256sum | cut -c1-64)\" --price 1",
    ),
];

/// Record a message delivered to a peer, not yet acked (payee)
///
/// Appends the delivery to served/<peer key>.log (under the home's lock).
/// What was delivered and not acked yet — the units served minus the units
/// the peer's channels have acked — counts against the peer's limit in
/// `msgl may-serve` and `msgl peers`, so a payer that never acks runs into
/// its limit instead of staying "ok". Nothing is booked: the journal books
/// the ack when it comes (`msgl accept`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The peer served (a name in msgl.yaml)
    #[arg(value_name = "PEER")]
    pub peer: String,
    /// The message's hash: 64 hex digits
    #[arg(long, short = 'm', value_name = "HASH")]
    pub message: String,
    /// The message's price in units
    #[arg(long, value_name = "UNITS")]
    pub price: u64,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let message = crate::cli::ack::parse_hash(&args.message)?;
    let s = crate::protocol::served::record(&home, &config, &args.peer, &message, args.price)?;
    if !ctx.global.quiet {
        emit(&format!(
            "served {} {} units ({} units served in all)\n",
            s.peer, args.price, s.total
        ))?;
    }
    Ok(())
}
