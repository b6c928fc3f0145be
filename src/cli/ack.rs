//! `msgl ack --to NAME --message HASH --price UNITS`: the payer signs the
//! next cumulative ack and books MESSAGE RECEIVED; `--stream`, one ack per
//! line of standard input.

use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{emit, Ctx};
use crate::error::{Error, LedgerError, Result};
use crate::protocol::ack as protocol;
use crate::store::group::{Limits, DEFAULT_GROUP_ACKS, DEFAULT_GROUP_MS};

/// The examples of `msgl ack`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Sign (and book) an ack of 1 unit for a message, named by its hash",
        "msgl --home ~/node2 ack --to node1 --message \"$(printf 'message 1' | sha256sum | cut -c1-64)\" --price 1 -o ack.yaml",
    ),
    (
        "Hand out the last ack again, byte for byte, booking nothing",
        "msgl --home ~/node2 ack --to node1 --resend -o ack-again.yaml",
    ),
    (
        "A stream: one `HASH PRICE` line in, one JSON ack out",
        "echo \"$(printf 'message 2' | sha256sum | cut -c1-64) 1\" | msgl --home ~/node2 ack --to node1 --stream > acks.jsonl",
    ),
];

pub use crate::protocol::ack::parse_hash;

/// Sign an ack for a message received and book it (payer)
///
/// Signs the next cumulative ack of the latest channel to the payee and
/// books MESSAGE RECEIVED (`; ack: <channel id>-<nonce>`), under the
/// home's lock: refuses a price above the channel's units per ack or past
/// its length; derives the next preimage from the hash chain, signs, and
/// commits the ack to sent/<channel id>.log and the journal together; then
/// writes it to -o FILE (never overwritten) or stdout. The payee takes
/// acks in order only, so an ack lost on the way blocks the next ones:
/// `--resend` hands out a kept ack again (the last, or --nonce N), byte
/// for byte, signing and booking nothing. A price the payee disputes is
/// settled with a further ack for the same message (--price the
/// difference). Exit 1 when the channel cannot pay it, 2 for bad usage.
///
/// `--stream` (a relay's hot path) reads requests from standard input, one
/// per line: `HASH PRICE` or `{"message": "HASH", "price": UNITS}`. It
/// holds the home's lock until its input ends (other writers are told the
/// home is busy), and writes each ack as one JSON line (the same object and
/// signature as the YAML one; `msgl accept` takes either), in input order,
/// once its group is committed: at most --group acks, committed at most
/// --group-ms after the group's first (once the group before it is
/// written). A bad request, or one the channel cannot pay, ends the stream:
/// the acks before it are committed and written, then its error names its
/// line. Acks committed but not written (a kill, a closed output) are kept
/// in sent/: `--resend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The payee (a peer in msgl.yaml)
    #[arg(long, value_name = "PEER")]
    pub to: String,
    /// The message's hash: 64 hex digits
    #[arg(
        long,
        short = 'm',
        value_name = "HASH",
        required_unless_present_any = ["resend", "stream"],
        conflicts_with_all = ["resend", "stream"]
    )]
    pub message: Option<String>,
    /// The message's price in units
    #[arg(
        long,
        value_name = "UNITS",
        required_unless_present_any = ["resend", "stream"],
        conflicts_with_all = ["resend", "stream"]
    )]
    pub price: Option<u64>,
    /// Hand out an ack already issued (from sent/) instead of signing one
    #[arg(long, conflicts_with = "stream")]
    pub resend: bool,
    /// With --resend: the ack's nonce [default: the last]
    #[arg(long, value_name = "N", requires = "resend")]
    pub nonce: Option<u64>,
    /// Write the ack to FILE (never overwritten) instead of stdout
    #[arg(
        short = 'o',
        long = "out",
        value_name = "FILE",
        conflicts_with = "stream"
    )]
    pub out: Option<PathBuf>,
    /// Sign one ack per request line of stdin, each written as a JSON line once committed
    #[arg(long)]
    pub stream: bool,
    #[command(flatten)]
    pub group: GroupArgs,
}

/// `--group N --group-ms MS`: how a stream groups its commits.
#[derive(Debug, Clone, clap::Args)]
pub struct GroupArgs {
    /// With --stream: at most N acks per commit (one sync per file)
    #[arg(long = "group", value_name = "N", default_value_t = DEFAULT_GROUP_ACKS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000),
          requires = "stream")]
    pub acks: usize,
    /// With --stream: commit a group at most MS milliseconds after its first ack
    #[arg(long = "group-ms", value_name = "MS", default_value_t = DEFAULT_GROUP_MS,
          value_parser = clap::value_parser!(u64).range(0..=60_000), requires = "stream")]
    pub ms: u64,
}

impl GroupArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            acks: self.acks,
            wait: Duration::from_millis(self.ms),
        }
    }
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    if args.stream {
        let key = home.signing_key()?;
        let mut out = std::io::stdout();
        return protocol::issue_stream(
            &home,
            &config,
            key,
            &args.to,
            std::io::stdin(),
            &mut out,
            args.group.limits(),
        )
        .map(|_| ())
        .map_err(|e| {
            if matches!(e.ledger(), Some(LedgerError::Output { .. })) {
                e.hint(format!(
                    "the acks committed are kept in sent/: `msgl ack --to {} --resend`",
                    args.to
                ))
            } else {
                e
            }
        });
    }
    if args.resend {
        let me = home.public_key()?;
        let (peer, ack) = protocol::resend(&home, &config, &me, &args.to, args.nonce)?;
        return match &args.out {
            Some(path) => {
                crate::fsutil::write_new(path, ack.to_yaml().as_bytes())?;
                if !ctx.global.quiet {
                    emit(&format!(
                        "ack nonce {} cumulative {} to {peer} again in {} (nothing booked)\n",
                        ack.nonce,
                        ack.cumulative,
                        path.display()
                    ))?;
                }
                Ok(())
            }
            None => emit(&ack.to_yaml()),
        };
    }
    let (Some(message), Some(price)) = (&args.message, args.price) else {
        return Err(Error::input("--message and --price are required").hint("or --resend"));
    };
    let message = parse_hash(message)?;
    let key = home.signing_key()?;
    let issued = protocol::issue(&home, &config, key, &args.to, message, price)?;
    match &args.out {
        Some(path) => {
            // Booked and kept in sent/ already: a file that cannot be
            // written is handed out again with --resend.
            crate::fsutil::write_new(path, issued.ack.to_yaml().as_bytes()).map_err(|e| {
                e.hint(format!(
                    "the ack is booked and kept: `msgl ack --to {} --resend -o FILE`",
                    issued.peer
                ))
            })?;
            if !ctx.global.quiet {
                emit(&format!(
                    "booked ({}) MESSAGE RECEIVED from {}; ack nonce {} cumulative {} in {}\n",
                    issued.booked.seq,
                    issued.peer,
                    issued.ack.nonce,
                    issued.ack.cumulative,
                    path.display()
                ))?;
            }
            Ok(())
        }
        None => emit(&issued.ack.to_yaml()),
    }
}
