//! Booking what the settlement contract did, from transaction receipts
//! (docs/DESIGN.md §6.8): never from numbers a person types.
//!
//! A receipt (`eth_getTransactionReceipt`'s result, or `cast receipt
//! --json`'s output; alloy's `TransactionReceipt`) is decoded with the
//! contract's `sol!` event bindings, keeping only logs of the settlement
//! contract. Each event is booked once, on the side of this home it
//! concerns, under the journal's lock:
//!
//! - `Settled` on a channel of this home: SETTLED for what the escrow paid
//!   (the payee's A/R into `Assets:Contract:Claimable`, the payer's A/P out
//!   of `Assets:Contract:Deposit`); the unpaid rest is the channel's debt on
//!   chain and stays in A/R and A/P. And, for any channel, the contract's
//!   new view (tip, count) in `channels/settled.yaml`, from which the next
//!   `msgl prove` starts.
//! - `DebtPaid` (a top-up paid a debt): SETTLED for that amount, the same way.
//! - `Claimed` by this node's address: CLAIMED, Claimable into
//!   `Assets:Cash:<TOKEN>`.
//! - `EntrySkipped` and `Shortfall` are reported, not booked.
//!
//! The chain client (issue 15) calls [`book_receipts`] with receipts it
//! fetched from a node; `msgl settled RECEIPT...` with receipt files.

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, U256};
use alloy_rpc_types_eth::TransactionReceipt;
use alloy_sol_types::SolEvent;
use msgl_settlement::MsglSettlement;

use super::channel::{self, Channel, Role};
use crate::batch::{self, ChannelView};
use crate::error::{Error, Result};
use crate::home::{Config, Home};
use crate::journal::append::{Booked, NewEntry};
use crate::journal::{Amount, Decimal};
use crate::objects::open::base_to_amount;
use crate::store::Tx;

/// The description of a settlement's (or a paid debt's) entry.
pub const SETTLED: &str = "SETTLED";
/// The description of a claim's entry.
pub const CLAIMED: &str = "CLAIMED";
/// What the contract holds for this node as payee, until it claims.
pub const CLAIMABLE: &str = "Assets:Contract:Claimable";
/// The payer's funds in the contract (free deposit and escrows).
pub const DEPOSIT: &str = "Assets:Contract:Deposit";
/// The home's record of the contract's view of channels.
pub const SETTLED_FILE: &str = "channels/settled.yaml";

/// Largest receipt file read (a 256-entry settle's receipt is ~300 KB).
const MAX_RECEIPT_BYTES: u64 = 16 << 20;

/// Reads a receipt file: the JSON object `eth_getTransactionReceipt`
/// returns (bare, or inside its JSON-RPC response) or `cast receipt --json`
/// prints.
pub fn read_receipt(path: &Path) -> Result<TransactionReceipt> {
    if path.is_dir() {
        return Err(Error::input("a directory, not a transaction receipt")
            .in_file(path)
            .hint("msgl settled books from the mined settle transaction's receipt: `cast receipt --json TX > r.json`"));
    }
    let bytes = crate::fsutil::read_bounded(path, MAX_RECEIPT_BYTES).map_err(|e| match e {
        Some(e) => Error::io(path, e),
        None => Error::input(format!("more than {MAX_RECEIPT_BYTES} bytes"))
            .in_file(path)
            .hint("a transaction receipt is a small JSON object"),
    })?;
    parse_receipt(&bytes, path)
}

/// A receipt's JSON text (read from `path`).
pub fn parse_receipt(bytes: &[u8], path: &Path) -> Result<TransactionReceipt> {
    let bad = |e: serde_json::Error| {
        Error::input(format!("not a transaction receipt: {e}"))
            .in_file(path)
            .hint(
                "save it with `cast receipt --json TX` or the result of eth_getTransactionReceipt",
            )
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(bad)?;
    let value = match value {
        serde_json::Value::Object(mut o) if o.contains_key("jsonrpc") => {
            o.remove("result").unwrap_or(serde_json::Value::Null)
        }
        v => v,
    };
    serde_json::from_value(value).map_err(bad)
}

/// Whom a receipt is read for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The settlement contract: only its logs count.
    pub settlement: Address,
    /// This node's EVM address (`keys/evm.key`), whose `Claimed` events it
    /// books (`None`: claims are not booked).
    pub me: Option<Address>,
}

impl Options {
    /// For `home`: the settlement contract of its `chain:` settings (or
    /// `settlement`, which must agree with them), its EVM address.
    pub fn for_home(home: &Home, settlement: Option<Address>) -> Result<Options> {
        let config = home.config()?;
        let configured = match &config.chain {
            Some(c) => Some(Address::from(c.addresses()?.0)),
            None => None,
        };
        let settlement = match (settlement, configured) {
            (Some(given), Some(mine)) if given != mine => {
                return Err(Error::input(format!(
                    "--settlement {given} is not this node's settlement contract {mine}"
                ))
                .hint("chain.settlement in msgl.yaml names it; leave --settlement out"))
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return Err(Error::input("which settlement contract?").hint(
                    "give --settlement ADDRESS, or set chain: {chain_id, settlement, token} in msgl.yaml",
                ))
            }
        };
        Ok(Options {
            settlement,
            me: home.evm_address()?.map(Address::from),
        })
    }
}

/// Why the contract skipped an entry (its `Skip` enum).
pub fn skip_reason(code: u8) -> &'static str {
    match code {
        0 => "no such channel on chain",
        1 => "the channel's escrow was released (closed)",
        2 => "stale: the contract's tip moved on (prove again from it)",
        3 => "the count does not grow past the contract's",
        4 => "past the channel's length",
        5 => "an exit is pending: only the payee's own transaction settles the channel now",
        _ => "an unknown reason",
    }
}

/// One event of a receipt, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Settled {
        channel: [u8; 32],
        payee: Address,
        new_tip: [u8; 32],
        old_count: u64,
        new_count: u64,
        owed: U256,
        paid: U256,
    },
    Shortfall {
        channel: [u8; 32],
        unpaid: U256,
        debt: U256,
    },
    DebtPaid {
        channel: [u8; 32],
        amount: U256,
        debt: U256,
    },
    Claimed {
        payee: Address,
        to: Address,
        amount: U256,
    },
    Skipped {
        channel: [u8; 32],
        reason: u8,
    },
}

/// An event with where it came from: `0x<tx hash>-<log index>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub id: String,
    pub tx: B256,
    pub event: Event,
}

/// The settlement contract's events in `receipt`, in log order. Refuses a
/// failed transaction and one that has none of them.
pub fn events(
    receipt: &TransactionReceipt,
    settlement: Address,
    file: &Path,
) -> Result<Vec<Logged>> {
    let tx = receipt.transaction_hash;
    if !receipt.status() {
        return Err(Error::check(format!(
            "transaction {tx} failed on chain (status 0): it settled nothing"
        ))
        .in_file(file));
    }
    let mut out = Vec::new();
    for (i, log) in receipt.inner.logs().iter().enumerate() {
        if log.address() != settlement {
            continue;
        }
        let index = log.log_index.unwrap_or(i as u64);
        let inner = &log.inner;
        let event = match log.topic0() {
            Some(t) if *t == MsglSettlement::Settled::SIGNATURE_HASH => {
                let e = decode::<MsglSettlement::Settled>(inner, file)?;
                Event::Settled {
                    channel: e.channel.0,
                    payee: e.payee,
                    new_tip: e.newTip.0,
                    old_count: e.oldCount,
                    new_count: e.newCount,
                    owed: e.owed,
                    paid: e.paid,
                }
            }
            Some(t) if *t == MsglSettlement::Shortfall::SIGNATURE_HASH => {
                let e = decode::<MsglSettlement::Shortfall>(inner, file)?;
                Event::Shortfall {
                    channel: e.channel.0,
                    unpaid: e.unpaid,
                    debt: e.debt,
                }
            }
            Some(t) if *t == MsglSettlement::DebtPaid::SIGNATURE_HASH => {
                let e = decode::<MsglSettlement::DebtPaid>(inner, file)?;
                Event::DebtPaid {
                    channel: e.channel.0,
                    amount: e.amount,
                    debt: e.debt,
                }
            }
            Some(t) if *t == MsglSettlement::Claimed::SIGNATURE_HASH => {
                let e = decode::<MsglSettlement::Claimed>(inner, file)?;
                Event::Claimed {
                    payee: e.payee,
                    to: e.to,
                    amount: e.amount,
                }
            }
            Some(t) if *t == MsglSettlement::EntrySkipped::SIGNATURE_HASH => {
                let e = decode::<MsglSettlement::EntrySkipped>(inner, file)?;
                Event::Skipped {
                    channel: e.channel.0,
                    reason: e.reason,
                }
            }
            _ => continue,
        };
        out.push(Logged {
            id: format!("{tx}-{index}"),
            tx,
            event,
        });
    }
    if out.is_empty() {
        return Err(Error::check(format!(
            "transaction {tx} has no settlement, debt payment or claim of the contract {settlement}"
        ))
        .in_file(file)
        .hint("is it the right receipt, and the right contract?"));
    }
    Ok(out)
}

fn decode<E: SolEvent>(log: &alloy_primitives::Log, file: &Path) -> Result<E> {
    E::decode_log(log)
        .map(|l| l.data)
        .map_err(|e| Error::check(format!("a malformed {} log: {e}", E::SIGNATURE)).in_file(file))
}

/// `x` base units as a token amount at `decimals`.
pub fn tokens(x: U256, decimals: u32) -> Result<Decimal> {
    let base = u128::try_from(x)
        .map_err(|_| Error::check(format!("{x} base units do not fit an amount")))?;
    let decimals = u8::try_from(decimals)
        .map_err(|_| Error::input(format!("{decimals} decimals is too many")))?;
    base_to_amount(base, decimals)
}

/// What one booking was.
#[derive(Debug, Clone)]
pub struct Booking {
    /// SETTLED or CLAIMED.
    pub kind: &'static str,
    /// The peer (SETTLED), or empty (CLAIMED).
    pub peer: String,
    /// This node was paid (true) or paid (false).
    pub paid_to_me: bool,
    /// Units the settlement covered (0 for a paid debt and a claim).
    pub units: u64,
    pub amount: Decimal,
    /// `None`: the journal already had it (its tag).
    pub booked: Option<Booked>,
}

/// What [`book_receipts`] did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub bookings: Vec<Booking>,
    /// Entries the contract skipped: (channel, reason code).
    pub skipped: Vec<([u8; 32], u8)>,
    /// Debts on chain after a shortfall or a partial payment: (channel, peer
    /// if ours, debt in token).
    pub debts: Vec<([u8; 32], Option<String>, Decimal)>,
    /// Channels whose view was recorded, and the units they moved.
    pub channels: usize,
    pub units: u64,
    /// Claims by other addresses, not booked here.
    pub others_claims: usize,
}

/// Books every event of `receipts` (each with the file it came from) in
/// this home and records the contract's new views, all under the journal's
/// lock. Checks first, writes nothing on refusal: a failed transaction, a
/// receipt without the contract's events, or a settlement of one of this
/// home's channels whose amount is not its units at the signed unit price
/// (the contract's terms are not the signed open's).
pub fn book_receipts(
    home: &Home,
    receipts: &[(PathBuf, TransactionReceipt)],
    opts: &Options,
) -> Result<Report> {
    let config = home.config()?;
    let me = home.public_key()?;
    let mut logged = Vec::new();
    for (file, receipt) in receipts {
        for l in events(receipt, opts.settlement, file)? {
            logged.push((file.clone(), l));
        }
    }
    let channels = channel::list(home, &me)?;
    let ours = |id: &[u8; 32]| channels.iter().find(|c| c.id() == *id);
    // The signed terms, checked before anything is written: the contract
    // the open names, and its unit price.
    for (file, l) in &logged {
        let (channel, charged) = match &l.event {
            Event::Settled {
                channel,
                old_count,
                new_count,
                owed,
                ..
            } => (channel, Some((new_count.saturating_sub(*old_count), *owed))),
            Event::DebtPaid { channel, .. } => (channel, None),
            _ => continue,
        };
        let Some(c) = ours(channel) else {
            continue;
        };
        if Address::from(c.open.chain.settlement) != opts.settlement {
            return Err(Error::check(format!(
                "channel {} settles on {}, not on {}",
                c.open.short_id(),
                Address::from(c.open.chain.settlement),
                opts.settlement
            ))
            .in_file(file)
            .hint("the receipt is of another deployment's contract"));
        }
        if let Some((units, owed)) = charged {
            let want = U256::from(c.open.unit_price) * U256::from(units);
            if want != owed {
                return Err(Error::check(format!(
                    "channel {}: the contract charged {owed} base units for {units} units, \
                     the signed open says {want}",
                    c.open.short_id(),
                ))
                .in_file(file)
                .hint("the channel on chain does not carry the terms of the signed open"));
            }
        }
    }

    let mut tx = Tx::begin(home)?;
    // Tags staged in this run (the journal has them only at the commit).
    let mut staged_tags: Vec<String> = Vec::new();
    // Bookings waiting for their sequence numbers: indices into report.bookings.
    let mut staged: Vec<usize> = Vec::new();
    let path = home.path(SETTLED_FILE);
    let mut views: Vec<ChannelView> = if path.is_file() {
        batch::read_state(&path)?
    } else {
        Vec::new()
    };
    let mut report = Report::default();
    let mut moved = false;
    for (_, l) in &logged {
        match &l.event {
            Event::Settled {
                channel,
                new_tip,
                old_count,
                new_count,
                paid,
                ..
            } => {
                report.channels += 1;
                report.units += new_count.saturating_sub(*old_count);
                match views.iter_mut().find(|v| v.channel == *channel) {
                    Some(v) if v.count >= *new_count => {}
                    Some(v) => {
                        v.tip = *new_tip;
                        v.count = *new_count;
                        moved = true;
                    }
                    None => {
                        views.push(ChannelView {
                            channel: *channel,
                            tip: *new_tip,
                            count: *new_count,
                        });
                        moved = true;
                    }
                }
                if let Some(c) = ours(channel) {
                    let tag = format!("settled: {}-{new_count}", c.open.short_id());
                    let done = staged_tags.contains(&tag)
                        || crate::journal::contains(
                            tx.journal_path(),
                            &[&format!("; {tag}\n"), &format!("; {tag},")],
                        )?;
                    let sub = format!("settled-{}-{new_count}", c.open.short_id());
                    let comment = format!("{tag}, tx: {}", l.tx);
                    if let Some((b, entry)) = payment(
                        &config,
                        c,
                        &sub,
                        *paid,
                        comment,
                        done,
                        new_count - old_count,
                    )? {
                        if let Some(entry) = entry {
                            tx.book(entry);
                            staged.push(report.bookings.len());
                            staged_tags.push(tag);
                        }
                        report.bookings.push(b);
                    }
                }
            }
            Event::DebtPaid {
                channel, amount, ..
            } => {
                if let Some(c) = ours(channel) {
                    let tag = format!("debt-paid: {}", l.id);
                    let done = staged_tags.contains(&tag)
                        || crate::journal::contains(tx.journal_path(), &[&format!("; {tag}\n")])?;
                    let sub = format!("debt-{}", c.open.short_id());
                    if let Some((b, entry)) =
                        payment(&config, c, &sub, *amount, tag.clone(), done, 0)?
                    {
                        if let Some(entry) = entry {
                            tx.book(entry);
                            staged.push(report.bookings.len());
                            staged_tags.push(tag);
                        }
                        report.bookings.push(b);
                    }
                }
            }
            Event::Shortfall { channel, debt, .. } => {
                let peer = ours(channel).and_then(|c| peer_name(&config, c));
                report
                    .debts
                    .push((*channel, peer, tokens(*debt, config.decimals)?));
            }
            Event::Claimed { payee, amount, .. } => {
                if Some(*payee) != opts.me {
                    report.others_claims += 1;
                    continue;
                }
                let tag = format!("claimed: {}", l.id);
                let done = staged_tags.contains(&tag)
                    || crate::journal::contains(tx.journal_path(), &[&format!("; {tag}\n")])?;
                let x = tokens(*amount, config.decimals)?;
                if !done && !x.is_zero() {
                    tx.book(
                        NewEntry::new(CLAIMED)
                            .posting(
                                format!("Assets:Cash:{}", config.token),
                                Some(Amount::new(x, None)),
                            )
                            .posting(CLAIMABLE, Some(Amount::new(-x, None)))
                            .comment(tag.clone()),
                    );
                    staged.push(report.bookings.len());
                    staged_tags.push(tag);
                }
                report.bookings.push(Booking {
                    kind: CLAIMED,
                    peer: String::new(),
                    paid_to_me: true,
                    units: 0,
                    amount: x,
                    booked: None,
                });
            }
            Event::Skipped { channel, reason } => report.skipped.push((*channel, *reason)),
        }
    }
    for (i, b) in staged.into_iter().zip(tx.commit()?) {
        report.bookings[i].booked = Some(b);
    }
    if moved {
        views.sort_by_key(|v| v.channel);
        let text = serde_yaml::to_string(&views).expect("views serialize");
        crate::fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
    }
    Ok(report)
}

fn peer_name(config: &Config, c: &Channel) -> Option<String> {
    config.peer_by_key(&c.peer()).map(|p| p.name.clone())
}

/// SETTLED for `paid` base units on channel `c` (nothing for zero, or a
/// peer this home no longer knows): the payee's A/R sub-account `sub` into
/// Claimable, or the payer's A/P sub-account `sub` out of its deposit. The
/// entry is `None` when `done` (already in the journal).
fn payment(
    config: &Config,
    c: &Channel,
    sub: &str,
    paid: U256,
    comment: String,
    done: bool,
    units: u64,
) -> Result<Option<(Booking, Option<NewEntry>)>> {
    let Some(peer) = peer_name(config, c) else {
        return Ok(None);
    };
    let amount = tokens(paid, u32::from(c.open.decimals))?;
    if amount.is_zero() {
        return Ok(None);
    }
    let paid_to_me = c.role == Role::In;
    let entry = (!done).then(|| {
        let minus = Some(Amount::new(-amount, None));
        let entry = if paid_to_me {
            NewEntry::new(SETTLED)
                .posting(format!("Assets:AccountsReceivable:{peer}:{sub}"), minus)
                .posting(CLAIMABLE, Some(Amount::new(amount, None)))
        } else {
            NewEntry::new(SETTLED)
                .posting(
                    format!("Liabilities:AccountsPayable:{peer}:{sub}"),
                    minus.clone(),
                )
                .posting(DEPOSIT, minus)
        };
        entry.comment(comment)
    });
    Ok(Some((
        Booking {
            kind: SETTLED,
            peer,
            paid_to_me,
            units,
            amount,
            booked: None,
        },
        entry,
    )))
}
