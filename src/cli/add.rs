//! `msgl add KIND ...`: books one entry under the journal's lock.

use clap::ValueEnum;

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::journal::{append, parse::parse_amount_text, Amount};

/// The examples of `msgl add`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Book a deposit of 1 SNT locked in the contract",
        "msgl --home ~/node3 add deposit --amount 1",
    ),
    (
        "Book a message sent to node2 by hand in a journal file (the message is named by its hash)",
        "cp ledgers/seed/node1.ledger my.ledger && msgl -f my.ledger add message-sent --peer node2 --message \"$(printf 'the first message' | sha256sum | cut -c1-64)\" --amount 0.00001",
    ),
];

/// Book an entry: a message, a payment or a deposit
///
/// Appends one entry to the journal under an exclusive lock: the next sequence
/// number, the time now (or --at, never earlier than the last entry), checked
/// before anything is written, written whole or not at all. Accounts follow
/// DESIGN §2.7: Assets:AccountsReceivable:<Peer>:<msg> and
/// Liabilities:AccountsPayable:<Peer>:<msg>, Assets:Cash:<TOKEN>,
/// Assets:Contract:Deposit.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What happened
    #[arg(value_enum)]
    pub kind: Kind,
    /// The peer (matched case-insensitively against msgl.yaml's peers)
    #[arg(long, value_name = "PEER")]
    pub peer: Option<String>,
    /// The message's 32-byte hash: 64 hex digits (its first 16 name the sub-account)
    #[arg(long, short = 'm', value_name = "HASH")]
    pub message: Option<String>,
    /// The amount, positive (e.g. 0.00001 or 0.00001 SNT)
    #[arg(long, short = 'a', value_name = "AMOUNT", allow_hyphen_values = true)]
    pub amount: String,
    /// The entry's time, unix epoch milliseconds [default: now]
    #[arg(long, value_name = "MS")]
    pub at: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// A message this node delivered: A/R on the peer grows (payee)
    MessageSent,
    /// A message this node received: A/P to the peer grows (payer)
    MessageReceived,
    /// The peer paid: A/R shrinks, cash grows
    PaymentReceived,
    /// This node paid the peer: A/P shrinks, cash shrinks
    PaymentSent,
    /// Funds locked in the contract: deposit grows, cash shrinks
    Deposit,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config_opt()?;
    let token = ctx.token()?;
    let bad = |why: &str| {
        Error::input(format!("bad amount `{}`{why}", args.amount))
            .hint("a positive decimal, at most 39 digits and 18 decimal places, optionally followed by a commodity, e.g. 0.00001 SNT")
    };
    let amount = parse_amount_text(&args.amount).ok_or_else(|| {
        // Say why when the number is well formed but out of range.
        let number = args.amount.split_whitespace().next().unwrap_or("");
        let number = number.strip_prefix(['-', '+']).unwrap_or(number);
        match crate::journal::Decimal::from_str_exact(number) {
            Ok(_) => match crate::journal::parse::parse_number(number) {
                Err(e) => bad(&format!(": {}", e.what)),
                Ok(_) => bad(""),
            },
            Err(_) => bad(""),
        }
    })?;
    if amount.quantity <= crate::journal::Decimal::ZERO {
        return Err(bad(": not positive"));
    }
    let neg = Amount {
        quantity: -amount.quantity,
        commodity: amount.commodity.clone(),
    };
    let peer = match (&args.peer, args.kind) {
        (None, Kind::Deposit) => None,
        (None, _) => {
            return Err(Error::input("--peer is required for this kind").hint("e.g. --peer Node2"))
        }
        (Some(p), _) => Some(match &config {
            Some(c) => c.peer(p)?.name.clone(),
            None => valid_peer_name(p)?,
        }),
    };
    let msg = args.message.as_deref().map(message_segment).transpose()?;
    let sub = |base: &str| -> String {
        let mut a = format!("{base}:{}", peer.as_deref().unwrap_or(""));
        if let Some(m) = &msg {
            a = format!("{a}:{m}");
        }
        a
    };
    let need_msg =
        || Error::input("--message is required for this kind").hint("the message hash, hex");
    let cash = format!("Assets:Cash:{token}");
    let entry = match args.kind {
        Kind::MessageSent => {
            msg.as_ref().ok_or_else(need_msg)?;
            append::NewEntry::new("MESSAGE SENT")
                .posting(sub("Assets:AccountsReceivable"), Some(amount))
        }
        Kind::MessageReceived => {
            msg.as_ref().ok_or_else(need_msg)?;
            append::NewEntry::new("MESSAGE RECEIVED")
                .posting(sub("Liabilities:AccountsPayable"), Some(amount))
        }
        Kind::PaymentReceived => append::NewEntry::new("PAYMENT RECEIVED")
            .posting(sub("Assets:AccountsReceivable"), Some(neg))
            .posting(cash, Some(amount)),
        Kind::PaymentSent => append::NewEntry::new("PAYMENT SENT")
            .posting(sub("Liabilities:AccountsPayable"), Some(neg.clone()))
            .posting(cash, Some(neg)),
        Kind::Deposit => append::NewEntry::new("DEPOSIT")
            .posting("Assets:Contract:Deposit", Some(amount))
            .posting(cash, Some(neg)),
    };
    let entry = append::NewEntry {
        timestamp: args.at,
        ..entry
    };
    let path = match &ctx.global.file {
        Some(f) if f.as_os_str() == "-" => {
            return Err(Error::input("cannot add to standard input")
                .hint("pass a journal file with -f, or a home with --home"))
        }
        Some(f) => f.clone(),
        None => {
            if config.is_none() {
                return Err(Error::input("no msgl.yaml here: not a node home")
                    .in_file(home.config_path())
                    .hint("run `msgl init --name NAME`, or pass --home DIR / -f FILE"));
            }
            home.journal_path()
        }
    };
    let booked = append::append(&path, entry)?;
    if !ctx.global.quiet {
        emit(&format!(
            "booked ({}) {} at {}\n",
            booked.seq, booked.entry.description, booked.timestamp
        ))?;
    }
    Ok(())
}

/// The sub-account segment of a message: the first 16 hex digits of its
/// 32-byte hash (64 hex digits, optional `0x`, as `msgl ack` takes it),
/// lowercase.
pub fn message_segment(hash: &str) -> Result<String> {
    let bytes = crate::cli::ack::parse_hash(hash)?;
    Ok(hex::encode(&bytes[..8]))
}

fn valid_peer_name(p: &str) -> Result<String> {
    if p.is_empty()
        || !p
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(
            Error::input(format!("bad peer name `{p}`")).hint("letters, digits, `-` and `_`")
        );
    }
    Ok(p.to_string())
}
