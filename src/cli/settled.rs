//! `msgl settled RECEIPT... [--settlement ADDRESS]`: book what the
//! settlement contract did, from transaction receipts.

use std::path::PathBuf;

use crate::cli::{emit, Ctx};
use crate::error::Result;
use crate::protocol::settle::{self, Options};

/// The examples of `msgl settled`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "Book a mined settlement from its receipt (each side runs it)",
    "cast receipt --json \"$TX\" > settle.json && msgl --home ~/node1 settled settle.json",
)];

/// Book settlements, paid debts and claims from their transaction receipts
///
/// Reads each RECEIPT (the JSON of `cast receipt --json TX`, or the result
/// of eth_getTransactionReceipt) and decodes the settlement contract's
/// events in it (the contract of msgl.yaml's `chain:`, or --settlement); a
/// failed transaction, or one without them, is refused and nothing is
/// written. Then, under the journal's lock, each event is booked
/// once, by the side of this home it concerns: Settled on one of its
/// channels is SETTLED for what the escrow paid (as payee, A/R with the
/// payer into Assets:Contract:Claimable; as payer, A/P out of
/// Assets:Contract:Deposit; tagged `; settled: <channel>-<count>, tx:
/// <hash>`), the unpaid rest staying owed in both books as the channel's
/// debt on chain; DebtPaid (a top-up paid a debt) is SETTLED for that
/// amount; Claimed by this node's EVM address (keys/evm.key) is CLAIMED
/// (Claimable into Assets:Cash:<TOKEN>). A settlement whose amount is not its units at the
/// signed unit price is refused: the channel on chain is not the signed
/// open's. The contract's new view of every settled channel (tip, count)
/// goes to channels/settled.yaml (a view never moves backwards), so that
/// the next `msgl prove` starts from there. Skipped entries and debts are
/// reported. Either party may run it; each books its own side, and a rerun
/// books nothing twice.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Transaction receipts (JSON), in any order
    #[arg(value_name = "RECEIPT", required = true)]
    pub receipts: Vec<PathBuf>,
    /// The settlement contract whose events count (0x and 40 hex digits)
    /// [default: chain.settlement in msgl.yaml]
    #[arg(long, value_name = "ADDRESS")]
    pub settlement: Option<String>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let settlement = args
        .settlement
        .as_deref()
        .map(|a| crate::proof::parse_address(a, "--settlement").map(Into::into))
        .transpose()?;
    let receipts = args
        .receipts
        .iter()
        .map(|p| settle::read_receipt(p).map(|r| (p.clone(), r)))
        .collect::<Result<Vec<_>>>()?;
    let config = home.config()?;
    let opts = Options::for_home(&home, settlement)?;
    let report = settle::book_receipts(&home, &receipts, &opts)?;
    if ctx.global.quiet {
        return Ok(());
    }
    emit(&describe(&config, &report, opts.me.is_some()))
}

/// What a booking from receipts did, for people (`msgl settled`, `msgl
/// chain settle`); `has_evm_key`: this node has an EVM address.
pub fn describe(
    config: &crate::home::Config,
    report: &settle::Report,
    has_evm_key: bool,
) -> String {
    let mut out = String::new();
    for b in &report.bookings {
        out += &match (&b.booked, b.kind) {
            (Some(x), settle::CLAIMED) => format!(
                "booked ({}) CLAIMED: {} into Assets:Cash:{}\n",
                x.seq, b.amount, config.token
            ),
            (Some(x), _) => {
                let (verb, dir) = if b.paid_to_me {
                    ("received", "from")
                } else {
                    ("paid", "to")
                };
                let what = if b.units == 0 {
                    "a paid debt".to_string()
                } else {
                    crate::cli::plural(b.units as usize, "unit", "units")
                };
                format!(
                    "booked ({}) SETTLED: {verb} {} {dir} {} ({what})\n",
                    x.seq, b.amount, b.peer
                )
            }
            (None, settle::CLAIMED) => format!("already booked: CLAIMED {}\n", b.amount),
            (None, _) => format!("already booked: SETTLED with {}\n", b.peer),
        };
    }
    for (channel, reason) in &report.skipped {
        out += &format!(
            "skipped on chain: channel {}: {}\n",
            hex::encode(&channel[..8]),
            settle::skip_reason(*reason)
        );
    }
    for (channel, peer, debt) in &report.debts {
        out += &format!(
            "debt on chain: channel {}{}: {debt} unpaid (paid first from the payer's next top-up)\n",
            hex::encode(&channel[..8]),
            peer.as_ref().map(|p| format!(" ({p})")).unwrap_or_default()
        );
    }
    if report.others_claims != 0 {
        out += &format!(
            "claims not booked: {} by {}\n",
            crate::cli::plural(report.others_claims, "claim", "claims"),
            if has_evm_key {
                "other addresses"
            } else {
                "an address (this node has no keys/evm.key)"
            }
        );
    }
    // A claim's receipt records no channel: no "recorded 0 channels" line.
    if report.channels > 0 {
        out += &format!(
            "recorded {} as settled ({})\n",
            crate::cli::plural(report.channels, "channel", "channels"),
            crate::cli::plural(report.units as usize, "unit", "units")
        );
    } else if out.is_empty() {
        out += "nothing to book: the receipts settle no channel and pay no claim of this node's\n";
    }
    out
}
