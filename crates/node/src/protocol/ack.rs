//! Acks: the payer signs one per message received and books MESSAGE
//! RECEIVED; the payee checks it, keeps it and books MESSAGE SENT
//! (docs/DESIGN.md §6.3).
//!
//! An ack is accepted when, and only when, it continues its channel's
//! hash chain: addressed to this node by the channel's payer, validly
//! signed, nonce above the last, price from 1 to the channel's
//! `max_price`, cumulative = previous cumulative + price ≤ length, and
//! `H^price(preimage)` = the previous preimage (the channel id first).
//! Everything but the last two comparisons is checked before the home's
//! lock is taken, and the hash walk (at most `max_price` hashes) too,
//! against the channel as it stood; under the lock only the position is
//! compared again (and the walk redone only if another writer moved the
//! channel meanwhile). Sessions ([`PayerSession`], [`PayeeSession`]) hold
//! the lock for a group of acks and commit them together.

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};

use ed25519_dalek::SigningKey;
use msgl_poseidon2 as poseidon2;
use rayon::prelude::*;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::channel::{self, Cache, Channel, Role};
use super::open::peer_key;
use super::Refusal;
use crate::error::{clean, Error, Result};
use crate::hashchain::{self, Walker};
use crate::home::{Config, Home};
use crate::journal::append::{Booked, NewEntry};
use crate::journal::{Amount, MESSAGE_RECEIVED, MESSAGE_SENT};
use crate::keys::{self, PublicKey, StrictKey};
use crate::objects::ack::{push_ack_name, AckFields, Expanded};
use crate::objects::jsonline::{num_field, str_field};
use crate::objects::{check_domain, hexbytes, Ack, DOMAIN_ACK};
use crate::store::group::{self, Limits, Report, Totals};
use crate::store::{log, Batch, Tx};

/// The journal entry of an ack: MESSAGE SENT (payee) or MESSAGE RECEIVED
/// (payer), one posting on the peer's sub-account of the message (its
/// first 16 hex digits), `; ack: <channel id>-<nonce>`.
pub fn entry(role: Role, peer: &str, ack: &Ack, open: &crate::objects::Open) -> Result<NewEntry> {
    entry_of(
        role,
        peer,
        &ack.channel,
        ack.nonce,
        &ack.message,
        ack.price,
        open,
    )
}

fn entry_of(
    role: Role,
    peer: &str,
    channel: &[u8; 32],
    nonce: u64,
    message: &[u8; 32],
    price: u64,
    open: &crate::objects::Open,
) -> Result<NewEntry> {
    let amount = open.amount_of(price)?;
    let (kind, account) = match role {
        Role::In => (MESSAGE_SENT, "Assets:AccountsReceivable"),
        Role::Out => (MESSAGE_RECEIVED, "Liabilities:AccountsPayable"),
    };
    let mut posting = String::with_capacity(account.len() + peer.len() + 18);
    posting.push_str(account);
    posting.push(':');
    posting.push_str(peer);
    posting.push(':');
    hexbytes::push_hex(&mut posting, &message[..8]);
    Ok(NewEntry::new(kind)
        .posting(posting, Some(Amount::new(amount, None)))
        .comment(tag(channel, nonce)))
}

/// `f` over `items`, in order, on all cores when there are enough of them
/// to pay for it (signatures: about 25 µs to make, 35 µs to check).
fn par_map<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync + Send) -> Vec<U> {
    if items.len() < 4 {
        items.into_iter().map(f).collect()
    } else {
        items.into_par_iter().map(f).collect()
    }
}

/// A 32-byte message hash from 64 hex digits (optional `0x`).
pub fn parse_hash(text: &str) -> Result<[u8; 32]> {
    let h = text.strip_prefix("0x").unwrap_or(text);
    let mut out = [0u8; 32];
    if !hexbytes::decode_into(h.as_bytes(), &mut out) {
        return Err(Error::input(format!("bad message hash `{}`", clean(text)))
            .hint("the message's 32-byte hash: 64 hex digits"));
    }
    Ok(out)
}

/// What a payer's session signed and booked.
pub struct Issued {
    pub peer: String,
    pub ack: Ack,
    pub booked: Booked,
}

/// What a payer signs with: its key, the channel as staged so far and its
/// chain.
struct Signer<'h> {
    home: &'h Home,
    key: Expanded,
    peer: String,
    channel: Channel,
    walker: Walker,
    log: PathBuf,
}

/// The next ack, checked, numbered and booked, not yet signed (made in
/// order; signed in any order, on any core).
struct Unsigned {
    fields: AckFields,
    entry: NewEntry,
}

impl Signer<'_> {
    /// The next ack for `message` at `price` units: refused above the
    /// channel's `max_price` or past its length; w derived from the
    /// checkpoints and checked to continue the channel. Moves the channel
    /// on.
    fn next(&mut self, message: [u8; 32], price: u64) -> Result<Unsigned> {
        let c = &self.channel;
        if price == 0 {
            return Err(Error::input("--price must be at least 1 unit"));
        }
        if price > c.open.max_price {
            return Err(Error::input(format!(
                "price {price} is above the channel's {} units per ack",
                c.open.max_price
            ))
            .hint("split it over several acks for the same message"));
        }
        let cumulative = c.cumulative.saturating_add(price);
        if cumulative > c.open.length {
            return Err(Error::check(format!(
                "cumulative {cumulative} would exceed the length {} of channel generation {} to {}",
                c.open.length, c.open.generation, self.peer
            ))
            .hint(format!(
                "{} units left; open a new channel: `msgl open --to {} --units N`",
                c.left(),
                self.peer
            )));
        }
        let w = self.walker.get(cumulative);
        if poseidon2::pack(&poseidon2::hash_n(&w, price)) != c.preimage {
            return Err(
                Error::check("the chain does not continue the channel's last ack")
                    .in_file(c.log_path(self.home))
                    .hint("the sent log or the checkpoints are damaged"),
            );
        }
        let fields = AckFields {
            channel: c.id(),
            payee: c.open.payee,
            nonce: c.nonce + 1,
            message,
            price,
            cumulative,
            preimage: poseidon2::pack(&w),
        };
        let entry = entry_of(
            Role::Out,
            &self.peer,
            &fields.channel,
            fields.nonce,
            &message,
            price,
            &c.open,
        )?;
        let c = &mut self.channel;
        c.nonce = fields.nonce;
        c.cumulative = fields.cumulative;
        c.preimage = fields.preimage;
        Ok(Unsigned { fields, entry })
    }
}

/// Signs an ack; with its JSON line (the sent log's record, and a
/// stream's output).
fn sign(key: &Expanded, fields: AckFields) -> (Ack, String) {
    let ack = Ack::signed_by(key, fields);
    let json = ack.to_json();
    (ack, json)
}

/// Signs acks in order, as JSON lines, in parts on all cores
/// ([`in_parts`]), each part's R points compressed together
/// ([`Ack::signed_many`]).
fn sign_many(key: &Expanded, fields: &[AckFields]) -> Vec<String> {
    in_parts(fields, |part| {
        Ack::signed_many(key, part)
            .iter()
            .map(Ack::to_json)
            .collect()
    })
}

/// A payer signing acks on its latest channel to one payee, under the
/// home's lock: [`sign`](Self::sign) stages, [`commit`](Self::commit)
/// writes (sent log and journal together).
pub struct PayerSession<'h> {
    signer: Signer<'h>,
    tx: Tx,
    staged: Vec<Ack>,
}

impl<'h> PayerSession<'h> {
    pub fn begin(
        home: &'h Home,
        config: &Config,
        key: SigningKey,
        payee_name: &str,
    ) -> Result<Self> {
        Self::with(home, config, key, payee_name, None)
    }

    fn with(
        home: &'h Home,
        config: &Config,
        key: SigningKey,
        payee_name: &str,
        stream: Option<&str>,
    ) -> Result<Self> {
        let (peer, payee) = peer_key(config, payee_name)?;
        let me = key.verifying_key().to_bytes();
        let tx = match stream {
            Some(holder) => Tx::begin_stream(home, holder)?,
            None => Tx::begin(home)?,
        };
        let channel = channel::latest_out(home, &me, &payee)?.ok_or_else(|| {
            Error::input(format!("no channel open to {peer}"))
                .hint(format!("open one: `msgl open --to {peer} --units N`"))
        })?;
        let id = channel.id();
        let secret = Zeroizing::new(key.to_bytes());
        let chain = hashchain::load_or_rebuild(
            &home.chain_path(&id),
            hashchain::seed(&secret, &payee, channel.open.generation),
            channel.open.length,
            &id,
        )?;
        let log = channel.log_path(home);
        Ok(PayerSession {
            signer: Signer {
                home,
                key: Expanded::new(&key),
                peer,
                channel,
                walker: chain.walker(),
                log,
            },
            tx,
            staged: Vec::new(),
        })
    }

    /// The payee's name.
    pub fn peer(&self) -> &str {
        &self.signer.peer
    }

    /// Signs the next ack for `message` at `price` units and stages it
    /// (nothing is written until `commit`).
    pub fn sign(&mut self, message: [u8; 32], price: u64) -> Result<Ack> {
        let u = self.signer.next(message, price)?;
        let (ack, json) = sign(&self.signer.key, u.fields);
        self.tx.log(self.signer.log.clone(), &json)?;
        self.tx.book(u.entry);
        self.staged.push(ack.clone());
        Ok(ack)
    }

    /// Writes the staged acks (sent log, then the journal: the commit
    /// point); returns them with their bookings. On failure nothing of
    /// them stays and the session is unusable.
    pub fn commit(&mut self) -> Result<Vec<Issued>> {
        let booked = self.tx.commit()?;
        Ok(std::mem::take(&mut self.staged)
            .into_iter()
            .zip(booked)
            .map(|(ack, booked)| Issued {
                peer: self.signer.peer.clone(),
                ack,
                booked,
            })
            .collect())
    }
}

/// Payer: signs the next cumulative ack to `payee_name` and books MESSAGE
/// RECEIVED, under the home's lock.
pub fn issue(
    home: &Home,
    config: &Config,
    key: SigningKey,
    payee_name: &str,
    message: [u8; 32],
    price: u64,
) -> Result<Issued> {
    let mut s = PayerSession::begin(home, config, key, payee_name)?;
    s.sign(message, price)?;
    Ok(s.commit()?.pop().expect("one ack issued"))
}

/// Payer: an ack already issued on the latest channel to `payee_name`
/// (`nonce`, default the last), from the sent log, for a payee that never
/// got it. Nothing is signed anew or booked: the bytes are the ack's own,
/// checked (this node's, this channel, this nonce, a valid signature).
pub fn resend(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    payee_name: &str,
    nonce: Option<u64>,
) -> Result<(String, Ack)> {
    let (name, payee) = peer_key(config, payee_name)?;
    let c = channel::latest_out(home, me, &payee)?.ok_or_else(|| {
        Error::input(format!("no channel open to {name}"))
            .hint(format!("open one: `msgl open --to {name} --units N`"))
    })?;
    let n = nonce.unwrap_or(c.nonce);
    if n == 0 || n > c.nonce {
        return Err(Error::input(format!(
            "no ack {n} was issued to {name} on channel generation {}",
            c.open.generation
        ))
        .hint(format!("its acks run from nonce 1 to {}", c.nonce)));
    }
    let path = c.log_path(home);
    let ack = log::find(&path, n)?.ok_or_else(|| {
        Error::input(format!("ack {n} to {name} is not in the sent log"))
            .in_file(&path)
            .hint("the sent log was changed by hand")
    })?;
    let ours = ack.payer == *me
        && ack.payee == payee
        && ack.channel == c.id()
        && ack.nonce == n
        && ack.verify().is_ok();
    if !ours {
        return Err(
            Error::check("the kept ack is not this channel's ack at this nonce")
                .in_file(&path)
                .hint("the sent log was changed by hand; the payee will refuse it"),
        );
    }
    Ok((name, ack))
}

/// An ack checked as far as it can be without the lock, and the channel
/// position its hash walk was done against (none: it does not follow the
/// channel as it stood, e.g. the next of a group; walked under the lock).
#[derive(Debug, Clone)]
pub struct Prechecked {
    pub ack: Ack,
    pub peer: String,
    position: Option<(u64, u64, [u8; 32])>,
}

/// The checks of an ack that come before its signature: domain and
/// addressee.
fn check_addressed(me: &PublicKey, ack: &Ack) -> Result<()> {
    if check_domain(&ack.domain, DOMAIN_ACK, "ack").is_err() {
        return Err(Refusal::BadSignature {
            detail: format!(
                "wrong domain `{}` for ack (expected `{DOMAIN_ACK}`)",
                clean(&ack.domain)
            ),
        }
        .into());
    }
    if ack.payee != *me {
        return Err(Refusal::NotForThisNode {
            kind: "ack",
            to: hex::encode(ack.payee),
        }
        .into());
    }
    Ok(())
}

fn unknown_payer(ack: &Ack) -> Error {
    Refusal::UnknownPeer {
        kind: "ack",
        key: hex::encode(ack.payer),
    }
    .into()
}

/// The checks of an ack that need neither the lock nor the channel's
/// position: domain, addressee, known payer, signature. Returns the
/// payer's name.
fn check_signed(config: &Config, me: &PublicKey, ack: &Ack) -> Result<String> {
    check_addressed(me, ack)?;
    let peer = config
        .peer_by_key(&ack.payer)
        .ok_or_else(|| unknown_payer(ack))?
        .name
        .clone();
    let key = keys::strict(&ack.payer)?;
    ack.verify_with(&key).map_err(|e| Refusal::BadSignature {
        detail: e.what().to_owned(),
    })?;
    Ok(peer)
}

/// The peers of msgl.yaml by key, their keys decoded once: who may sign
/// acks to this node (a stream checks every ack against them).
pub struct Payers(HashMap<PublicKey, (String, Result<StrictKey>)>);

impl Payers {
    pub fn new(config: &Config) -> Payers {
        let mut map = HashMap::new();
        for p in &config.peers {
            let mut key = [0u8; 32];
            if hex::decode_to_slice(&p.key, &mut key).is_ok() {
                map.entry(key)
                    .or_insert_with(|| (p.name.clone(), keys::strict(&key)));
            }
        }
        Payers(map)
    }

    /// The checks before the signature: addressed to `me`, signed by a
    /// known payer whose key decodes. The payer's name and key.
    fn signer(&self, me: &PublicKey, ack: &Ack) -> Result<(&String, &StrictKey)> {
        check_addressed(me, ack)?;
        let (peer, key) = self.0.get(&ack.payer).ok_or_else(|| unknown_payer(ack))?;
        Ok((peer, key.as_ref().map_err(Clone::clone)?))
    }

    /// As [`check_signed`](Self::check_signed) for many acks, each
    /// answer in the order given: each payer's signatures decided together
    /// ([`verify_in_parts`]).
    pub fn check_signed_many(&self, me: &PublicKey, acks: &[&Ack]) -> Vec<Result<String>> {
        let mut results = Vec::with_capacity(acks.len());
        let mut by_payer: HashMap<PublicKey, (&StrictKey, Vec<usize>)> = HashMap::new();
        for (i, ack) in acks.iter().enumerate() {
            results.push(self.signer(me, ack).map(|(peer, key)| {
                by_payer
                    .entry(ack.payer)
                    .or_insert((key, Vec::new()))
                    .1
                    .push(i);
                peer.clone()
            }));
        }
        for (key, indices) in by_payer.into_values() {
            let mine: Vec<&Ack> = indices.iter().map(|&i| acks[i]).collect();
            for (i, signed) in indices.into_iter().zip(verify_in_parts(key, &mine)) {
                if let Err(e) = signed {
                    results[i] = Err(Refusal::BadSignature {
                        detail: e.what().to_owned(),
                    }
                    .into());
                }
            }
        }
        results
    }

    /// As the checks of [`precheck`] before the channel: domain,
    /// addressee, known payer, signature. Returns the payer's name.
    pub fn check_signed(&self, me: &PublicKey, ack: &Ack) -> Result<String> {
        let (peer, key) = self.signer(me, ack)?;
        ack.verify_with(key).map_err(|e| Refusal::BadSignature {
            detail: e.what().to_owned(),
        })?;
        Ok(peer.clone())
    }
}

/// Checks `ack` against the channel position `c`: price, nonce,
/// cumulative, length, and (with `walk`) the preimage.
fn check_position(c: &Channel, ack: &Ack, walk: bool) -> std::result::Result<(), Refusal> {
    if ack.payer != c.open.payer || ack.payee != c.open.payee {
        return Err(Refusal::NotThisChannelsParties);
    }
    if ack.price == 0 {
        return Err(Refusal::PriceZero);
    }
    if ack.price > c.open.max_price {
        return Err(Refusal::PriceAboveMax {
            price: ack.price,
            max: c.open.max_price,
        });
    }
    if ack.nonce <= c.nonce {
        return Err(Refusal::NonceNotAbove {
            nonce: ack.nonce,
            last: c.nonce,
        });
    }
    if c.cumulative.checked_add(ack.price) != Some(ack.cumulative) {
        return Err(Refusal::CumulativeMismatch {
            cumulative: ack.cumulative,
            previous: c.cumulative,
            price: ack.price,
        });
    }
    if ack.cumulative > c.open.length {
        return Err(Refusal::BeyondLength {
            cumulative: ack.cumulative,
            length: c.open.length,
        });
    }
    let w = poseidon2::unpack(&ack.preimage).map_err(|_| Refusal::NonCanonicalPreimage)?;
    if walk && poseidon2::pack(&poseidon2::hash_n(&w, ack.price)) != c.preimage {
        return Err(Refusal::WrongPreimage {
            price: ack.price,
            first: c.nonce == 0,
        });
    }
    Ok(())
}

/// Every check of an ack against the channel `c` as it stands (payee
/// side), in memory: signature, parties, price, nonce, cumulative, length,
/// preimage. What `msgl accept` decides, without the home.
pub fn check(c: &Channel, ack: &Ack) -> std::result::Result<(), Refusal> {
    if check_domain(&ack.domain, DOMAIN_ACK, "ack").is_err() || ack.channel != c.id() {
        return Err(Refusal::UnknownChannel {
            channel: hex::encode(ack.channel),
        });
    }
    let key = keys::strict(&c.open.payer).map_err(|e| Refusal::BadSignature {
        detail: e.what().to_owned(),
    })?;
    ack.verify_with(&key).map_err(|e| Refusal::BadSignature {
        detail: e.what().to_owned(),
    })?;
    check_position(c, ack, true)
}

/// As [`check`] for a run of consecutive acks of one channel, all or
/// nothing: the signatures decided together on all cores
/// ([`verify_in_parts`]: the rule `check` applies, by batch equations),
/// then each ack against the channel as the ones before it moved it. On a
/// refusal `c` is unchanged and the error gives the position of the first
/// refused ack.
pub fn check_run(c: &mut Channel, acks: &[Ack]) -> std::result::Result<(), (usize, Refusal)> {
    let key = keys::strict(&c.open.payer).map_err(|e| {
        (
            0,
            Refusal::BadSignature {
                detail: e.what().to_owned(),
            },
        )
    })?;
    let id = c.id();
    let signed = verify_in_parts(&key, &acks.iter().collect::<Vec<_>>());
    let mut next = c.clone();
    for (i, (a, s)) in acks.iter().zip(signed).enumerate() {
        if check_domain(&a.domain, DOMAIN_ACK, "ack").is_err() || a.channel != id {
            return Err((
                i,
                Refusal::UnknownChannel {
                    channel: hex::encode(a.channel),
                },
            ));
        }
        s.map_err(|e| Refusal::BadSignature {
            detail: e.what().to_owned(),
        })
        .and_then(|_| check_position(&next, a, true))
        .map_err(|e| (i, e))?;
        next.apply(a);
    }
    *c = next;
    Ok(())
}

/// Fewest signatures worth a batch of their own: below this a part is not
/// split further across the cores.
const MIN_PART: usize = 16;

/// [`Ack::verify_many`] for acks by one payer, in parts on all cores
/// ([`in_parts`]): each ack's answer, in order.
fn verify_in_parts(key: &StrictKey, acks: &[&Ack]) -> Vec<Result<()>> {
    in_parts(acks, |part| Ack::verify_many(key, part))
}

/// `f` over `items` in parts, a part per core of at least [`MIN_PART`]
/// (signatures made or checked together), on all cores when there is
/// more than one part: the answers, in order.
fn in_parts<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<U> + Sync + Send) -> Vec<U> {
    let threads = rayon::current_num_threads().max(1);
    let size = items.len().div_ceil(threads).max(MIN_PART);
    if items.len() <= size {
        return f(items);
    }
    items
        .par_chunks(size)
        .map(f)
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Payee: every check of an ack that needs no lock — the signature, and
/// the hash walk against the channel as it stands now (at most the
/// channel's `max_price` hashes). [`PayeeSession::accept`] finishes under
/// the lock.
pub fn precheck(home: &Home, config: &Config, me: &PublicKey, ack: Ack) -> Result<Prechecked> {
    let peer = check_signed(config, me, &ack)?;
    channel::check_id(&ack.channel)?;
    let c = Channel::load(home, me, &ack.channel)?.ok_or_else(|| Refusal::UnknownChannel {
        channel: hex::encode(ack.channel),
    })?;
    if c.role != Role::In {
        return Err(Refusal::NotThisChannelsParties.into());
    }
    // Refusals that no position can change, first.
    if ack.payer != c.open.payer {
        return Err(Refusal::NotThisChannelsParties.into());
    }
    if ack.price == 0 {
        return Err(Refusal::PriceZero.into());
    }
    if ack.price > c.open.max_price {
        return Err(Refusal::PriceAboveMax {
            price: ack.price,
            max: c.open.max_price,
        }
        .into());
    }
    poseidon2::unpack(&ack.preimage).map_err(|_| Refusal::NonCanonicalPreimage)?;
    let follows =
        ack.nonce > c.nonce && c.cumulative.checked_add(ack.price) == Some(ack.cumulative);
    let position = if follows {
        check_position(&c, &ack, true)?;
        Some((c.nonce, c.cumulative, c.preimage))
    } else {
        None
    };
    Ok(Prechecked {
        ack,
        peer,
        position,
    })
}

/// What the payee booked for an ack.
#[derive(Debug, Clone)]
pub struct AcceptedAck {
    pub peer: String,
    pub ack: Ack,
    pub booked: Booked,
}

/// What a payee checks an ack's position with: the channels as staged so
/// far.
struct Checker<'h> {
    home: &'h Home,
    me: PublicKey,
    cache: Cache,
    /// A stream's acks accepted lately, newest last: those of the group
    /// being filled and the one being committed (not all in the logs yet),
    /// so that a retry among them is told `already accepted` too.
    recent: std::collections::VecDeque<Ack>,
    /// How many `recent` keeps (0: none, for one commit).
    keep: usize,
    /// Each channel's ack log, by id (a path made once, not per ack).
    logs: HashMap<[u8; 32], PathBuf>,
}

impl Checker<'_> {
    /// Finishes the checks of a prechecked ack against its channel as it
    /// is now (staged acks included) and stages its log record (`json`,
    /// made if not given) and MESSAGE SENT into `batch`. A refusal stages
    /// nothing.
    fn stage(&mut self, p: &Prechecked, json: Option<String>, batch: &mut Batch) -> Result<()> {
        channel::check_id(&p.ack.channel)?;
        let c = self
            .cache
            .get(self.home, &self.me, &p.ack.channel)?
            .ok_or_else(|| Refusal::UnknownChannel {
                channel: hex::encode(p.ack.channel),
            })?;
        if c.role != Role::In {
            return Err(Refusal::NotThisChannelsParties.into());
        }
        if p.ack.nonce <= c.nonce {
            // The same ack again (a retry after a crash or a timeout)?
            let again = self.recent.iter().rev().any(|a| *a == p.ack)
                || log::find(&c.log_path(self.home), p.ack.nonce)?.as_ref() == Some(&p.ack);
            if again {
                return Err(Refusal::AlreadyAccepted { name: p.ack.name() }.into());
            }
        }
        let walked = p.position == Some((c.nonce, c.cumulative, c.preimage));
        check_position(c, &p.ack, !walked)?;
        let booking = entry(Role::In, &p.peer, &p.ack, &c.open)?;
        let log = self
            .logs
            .entry(p.ack.channel)
            .or_insert_with(|| c.log_path(self.home));
        batch.log(log, &json.unwrap_or_else(|| p.ack.to_json()));
        batch.book(booking);
        c.apply(&p.ack);
        if self.keep > 0 {
            if self.recent.len() == self.keep {
                self.recent.pop_front();
            }
            self.recent.push_back(p.ack.clone());
        }
        Ok(())
    }
}

/// A payee accepting acks under the home's lock: [`accept`](Self::accept)
/// stages one (or refuses it, staging nothing), [`commit`](Self::commit)
/// writes the staged ones (ack logs, then the journal: the commit point).
pub struct PayeeSession<'h> {
    checker: Checker<'h>,
    tx: Tx,
    staged: Vec<(String, Ack)>,
}

impl<'h> PayeeSession<'h> {
    pub fn begin(home: &'h Home, me: PublicKey) -> Result<Self> {
        Ok(PayeeSession {
            checker: Checker {
                home,
                me,
                cache: Cache::default(),
                recent: Default::default(),
                keep: 0,
                logs: HashMap::new(),
            },
            tx: Tx::begin(home)?,
            staged: Vec::new(),
        })
    }

    /// Finishes the checks of a prechecked ack against the channel as it
    /// is now (staged acks included) and stages it. A refusal stages
    /// nothing.
    pub fn accept(&mut self, p: Prechecked) -> Result<()> {
        self.checker.stage(&p, None, self.tx.batch())?;
        self.staged.push((p.peer, p.ack));
        Ok(())
    }

    /// How many acks are staged.
    pub fn staged(&self) -> usize {
        self.staged.len()
    }

    /// Writes the staged acks; returns them with their bookings. On
    /// failure nothing of them stays and the channels are read anew.
    pub fn commit(&mut self) -> Result<Vec<AcceptedAck>> {
        match self.tx.commit() {
            Ok(booked) => Ok(std::mem::take(&mut self.staged)
                .into_iter()
                .zip(booked)
                .map(|((peer, ack), booked)| AcceptedAck { peer, ack, booked })
                .collect()),
            Err(e) => {
                self.staged.clear();
                self.checker.cache.clear();
                Err(e)
            }
        }
    }
}

/// Payee: checks one ack (YAML or JSON text) and, under the lock, keeps
/// it in the channel's log and books MESSAGE SENT. A refused ack leaves
/// nothing behind.
pub fn accept(home: &Home, config: &Config, me: &PublicKey, text: &str) -> Result<AcceptedAck> {
    let (mut done, refused) =
        accept_many(home, config, me, vec![(String::new(), text.to_string())]);
    match refused {
        Some(e) => Err(e),
        None => Ok(done.pop().expect("one ack accepted")),
    }
}

/// Payee: acks read from files (name, text), in order: each checked
/// without the lock first (signatures, hash walks), then under one lock
/// the rest, and every ack before the first refusal committed together.
/// Returns what was booked and the first refusal (named by its file).
pub fn accept_many(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    inputs: Vec<(String, String)>,
) -> (Vec<AcceptedAck>, Option<Error>) {
    let blame = |e: Error, name: &str| {
        if name.is_empty() {
            e
        } else {
            e.or_in_file(name)
        }
    };
    let mut checked = Vec::new();
    let mut refused = None;
    for (name, text) in inputs {
        match Ack::parse(&text).and_then(|a| precheck(home, config, me, a)) {
            Ok(p) => checked.push((name, p)),
            Err(e) => {
                refused = Some(blame(e, &name));
                break;
            }
        }
    }
    if checked.is_empty() {
        return (Vec::new(), refused);
    }
    let mut session = match PayeeSession::begin(home, *me) {
        Ok(s) => s,
        Err(e) => return (Vec::new(), Some(e)),
    };
    for (name, p) in checked {
        if let Err(e) = session.accept(p) {
            refused = Some(blame(e, &name));
            break;
        }
    }
    match session.commit() {
        Ok(done) => (done, refused),
        Err(e) => (Vec::new(), Some(e)),
    }
}

// Streams (docs/DESIGN.md §6.4, "Streams"): `msgl ack --stream` and `msgl
// accept --stream` hold the home's lock for as long as their input lasts,
// read it on a thread of its own, check or sign each chunk of it on all
// cores, and commit it in groups (`store::group`), printing each line once
// its group is durable.

/// The longest input line a stream reads (an ack's JSON is about 600
/// bytes, a request about 70): a longer one is refused and skipped
/// without being held.
pub const MAX_LINE: usize = 64 << 10;

/// The longest YAML document `accept --stream` gathers (an ack's YAML is
/// about 700 bytes).
pub const MAX_DOCUMENT: usize = 64 << 10;

/// Items read ahead of the stream's thread.
const READ_AHEAD: usize = 1024;

/// What the reading thread hands over: an item (from its first line), or
/// the end of reading (an I/O error: the stream stops there).
enum Incoming<T> {
    Item { line: usize, item: Result<T> },
    Broken(Error),
}

enum Line<'a> {
    Text(&'a str),
    TooLong,
    NotUtf8,
}

impl Line<'_> {
    fn refused(&self) -> Option<Error> {
        match self {
            Line::Text(_) => None,
            Line::TooLong => Some(
                Error::input(format!("a line longer than {MAX_LINE} bytes"))
                    .hint("one request or ack per line, as msgl writes them"),
            ),
            Line::NotUtf8 => Some(Error::input("not UTF-8 text").hint("as msgl writes them")),
        }
    }
}

/// Lines of at most [`MAX_LINE`] bytes, numbered from 1.
struct Lines<R> {
    r: std::io::BufReader<R>,
    n: usize,
    buf: Vec<u8>,
}

impl<R: Read> Lines<R> {
    fn new(r: R) -> Self {
        Lines {
            r: std::io::BufReader::with_capacity(64 << 10, r),
            n: 0,
            buf: Vec::with_capacity(1024),
        }
    }

    fn next(&mut self) -> std::io::Result<Option<(usize, Line<'_>)>> {
        self.buf.clear();
        let read = (&mut self.r)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut self.buf)?;
        if read == 0 {
            return Ok(None);
        }
        self.n += 1;
        if self.buf.last() != Some(&b'\n') && self.buf.len() > MAX_LINE {
            // The rest of it is skipped, never held.
            loop {
                self.buf.clear();
                let more = (&mut self.r)
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut self.buf)?;
                if more == 0 || self.buf.last() == Some(&b'\n') {
                    return Ok(Some((self.n, Line::TooLong)));
                }
            }
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
        }
        Ok(Some((
            self.n,
            match std::str::from_utf8(&self.buf) {
                Ok(t) => Line::Text(t),
                Err(_) => Line::NotUtf8,
            },
        )))
    }
}

fn cannot_read(e: std::io::Error) -> Error {
    Error::input(format!("cannot read standard input: {e}"))
}

/// A request as one JSON object.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestJson {
    message: String,
    price: u64,
}

const REQUEST_HINT: &str =
    "one request per line: `HASH PRICE`, or {\"message\": \"HASH\", \"price\": UNITS}";

/// A payer's request: `HASH PRICE`, or `{"message": HASH, "price": UNITS}`.
pub fn parse_request(text: &str) -> Result<([u8; 32], u64)> {
    if text.trim_start().starts_with('{') {
        let r: RequestJson = serde_json::from_str(text)
            .map_err(|e| Error::input(format!("bad request: {e}")).hint(REQUEST_HINT))?;
        return Ok((parse_hash(&r.message)?, r.price));
    }
    let mut words = text.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(h), Some(p), None) => {
            let price = p.parse().map_err(|_| {
                Error::input(format!("bad price `{}`", clean(p))).hint(REQUEST_HINT)
            })?;
            Ok((parse_hash(h)?, price))
        }
        _ => Err(Error::input("bad request: not `HASH PRICE`").hint(REQUEST_HINT)),
    }
}

/// Reads requests on a thread of its own (blank lines skipped); stops at
/// the first bad one, which stops the stream.
fn read_requests(input: impl Read + Send + 'static) -> Receiver<Incoming<([u8; 32], u64)>> {
    let (send, recv) = sync_channel(READ_AHEAD);
    std::thread::spawn(move || {
        let mut lines = Lines::new(input);
        loop {
            let incoming = match lines.next() {
                Ok(None) => return,
                Ok(Some((_, Line::Text(t)))) if t.trim().is_empty() => continue,
                Ok(Some((line, Line::Text(t)))) => Incoming::Item {
                    line,
                    item: parse_request(t),
                },
                Ok(Some((line, bad))) => Incoming::Item {
                    line,
                    item: Err(bad.refused().expect("not text")),
                },
                Err(e) => Incoming::Broken(cannot_read(e)),
            };
            let last = !matches!(incoming, Incoming::Item { item: Ok(_), .. });
            if send.send(incoming).is_err() || last {
                return;
            }
        }
    });
    recv
}

/// An ack in JSON on one line, read as the stream's line `line`.
fn ack_line(text: &str) -> Result<Ack> {
    Ack::parse(text).map_err(|e| e.without_location())
}

/// Reads acks on a thread of its own: a line starting with `{` is one
/// ack in JSON; other lines gather into a YAML document that ends at a
/// `---` line or the end of the input. Blank lines between acks are
/// skipped.
fn read_acks(input: impl Read + Send + 'static) -> Receiver<Incoming<Ack>> {
    let (send, recv) = sync_channel(READ_AHEAD);
    std::thread::spawn(move || {
        let mut lines = Lines::new(input);
        // The document being gathered: its first line, its text, or why
        // it is refused already.
        let mut doc: Option<(usize, String, Option<Error>)> = None;
        let yaml = |(line, text, bad): (usize, String, Option<Error>)| Incoming::Item {
            line,
            item: match bad {
                Some(e) => Err(e),
                None => Ack::parse(&text).map_err(|e| e.without_location()),
            },
        };
        loop {
            let incoming = match lines.next() {
                Ok(None) => {
                    if let Some(d) = doc.take() {
                        let _ = send.send(yaml(d));
                    }
                    return;
                }
                Err(e) => {
                    let _ = send.send(Incoming::Broken(cannot_read(e)));
                    return;
                }
                Ok(Some((line, Line::Text(t)))) => {
                    if doc.is_none() && t.trim_start().starts_with('{') {
                        Incoming::Item {
                            line,
                            item: ack_line(t),
                        }
                    } else if t.trim_end() == "---" {
                        match doc.take() {
                            Some(d) => yaml(d),
                            None => continue,
                        }
                    } else if doc.is_none() && t.trim().is_empty() {
                        continue;
                    } else {
                        let d = doc.get_or_insert_with(|| (line, String::new(), None));
                        if d.2.is_none() {
                            if d.1.len() + t.len() >= MAX_DOCUMENT {
                                d.1 = String::new();
                                d.2 = Some(
                                    Error::input(format!(
                                        "a YAML document longer than {MAX_DOCUMENT} bytes"
                                    ))
                                    .hint("YAML acks end at a `---` line"),
                                );
                            } else {
                                d.1.push_str(t);
                                d.1.push('\n');
                            }
                        }
                        continue;
                    }
                }
                Ok(Some((line, bad))) => {
                    let e = bad.refused().expect("not text");
                    match &mut doc {
                        Some(d) => {
                            d.1 = String::new();
                            d.2.get_or_insert(e);
                            continue;
                        }
                        None => Incoming::Item { line, item: Err(e) },
                    }
                }
            };
            if send.send(incoming).is_err() {
                return;
            }
        }
    });
    recv
}

/// An error about the stream's line `line` (where none is said).
fn at_line(e: Error, line: usize) -> Error {
    if e.location().is_some() {
        e
    } else {
        e.at("<stdin>", line, 1)
    }
}

/// A payer's stream line: the ack, one JSON line.
struct AckLine(String);

impl Report for AckLine {
    fn books(&self) -> bool {
        true
    }

    fn write(&self, _: Option<&Booked>, out: &mut Vec<u8>) {
        out.extend_from_slice(self.0.as_bytes());
        out.push(b'\n');
    }
}

/// Payer: `msgl ack --to PEER --stream`. Holds the home's lock while
/// `input` lasts; signs an ack for each request (`HASH PRICE`, or
/// `{"message": HASH, "price": UNITS}`, one per line) on the latest
/// channel to `payee_name`, books MESSAGE RECEIVED, and writes each ack to
/// `out` as one JSON line once its group is committed (sent log and
/// journal), in input order. The first bad request (or one the channel
/// cannot pay) ends the stream: the acks before it are committed and
/// written, then its error is returned, naming its line.
pub fn issue_stream(
    home: &Home,
    config: &Config,
    key: SigningKey,
    payee_name: &str,
    input: impl Read + Send + 'static,
    out: &mut (dyn Write + Send),
    limits: Limits,
) -> Result<Totals> {
    let mut session = PayerSession::with(home, config, key, payee_name, Some("msgl ack --stream"))?;
    let requests = read_requests(input);
    let PayerSession { signer, tx, .. } = &mut session;
    group::run(tx, limits, &requests, out, |chunk, batch, lines| {
        let mut todo = Vec::with_capacity(chunk.len());
        let mut stop = None;
        for incoming in chunk {
            match incoming {
                Incoming::Item { line, item } => match item.and_then(|(m, p)| signer.next(m, p)) {
                    Ok(u) => todo.push(u),
                    Err(e) => {
                        stop = Some(at_line(e, line));
                        break;
                    }
                },
                Incoming::Broken(e) => {
                    stop = Some(e);
                    break;
                }
            }
        }
        let fields: Vec<AckFields> = todo.iter().map(|u| u.fields).collect();
        let signed = sign_many(&signer.key, &fields);
        for (u, json) in todo.into_iter().zip(signed) {
            batch.log(&signer.log, &json);
            batch.book(u.entry);
            lines.push(AckLine(json));
        }
        stop.map_or(Ok(()), Err)
    })
}

/// The payee's verdict on one ack of a stream.
struct Verdict {
    /// The input line the ack starts on.
    line: usize,
    /// Name, nonce, cumulative and price, when it read as an ack.
    ack: Option<(String, u64, u64, u64)>,
    peer: Option<String>,
    refused: Option<Error>,
}

impl Report for Verdict {
    fn books(&self) -> bool {
        self.refused.is_none()
    }

    /// `{"verdict":…,"line":…,"ack":…,"nonce":…,"cumulative":…,"price":…,
    /// "peer":…,"seq":…,"reason":…,"hint":…}`, absent values `null`:
    /// written field by field (`objects::jsonline`), one per ack, exactly
    /// as serde_json writes that struct
    /// (`tests::verdict_lines_are_serde_json`).
    fn write(&self, booked: Option<&Booked>, out: &mut Vec<u8>) {
        let a = self.ack.as_ref();
        out.extend_from_slice(if self.refused.is_none() {
            b"{\"verdict\":\"accepted\",\"line\":"
        } else {
            b"{\"verdict\":\"refused\",\"line\":"
        });
        out.extend_from_slice(itoa::Buffer::new().format(self.line).as_bytes());
        str_field(out, "ack", a.map(|a| a.0.as_str()));
        num_field(out, "nonce", a.map(|a| a.1));
        num_field(out, "cumulative", a.map(|a| a.2));
        num_field(out, "price", a.map(|a| a.3));
        str_field(out, "peer", self.peer.as_deref());
        num_field(out, "seq", booked.map(|b| b.seq));
        let reason = self.refused.as_ref().map(|e| clean(e.what()));
        str_field(out, "reason", reason.as_deref());
        let hint = self
            .refused
            .as_ref()
            .and_then(|e| e.diag().hint.as_deref())
            .map(clean);
        str_field(out, "hint", hint.as_deref());
        out.extend_from_slice(b"}\n");
    }
}

/// What `accept --stream` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamTotals {
    pub accepted: u64,
    pub refused: u64,
    pub groups: u64,
}

/// Payee: `msgl accept --stream`. Holds the home's lock while `input`
/// lasts; reads acks (JSON lines, or YAML documents ended by `---`),
/// checks each as `msgl accept` does (the signatures of each chunk on all
/// cores), keeps and books the accepted ones, and writes one verdict per
/// ack to `out` as a JSON line — `accepted` with the journal sequence
/// number of its MESSAGE SENT, or `refused` with the reason — in input
/// order, each once its group is committed. A refused ack stages nothing
/// and does not stop the stream.
pub fn accept_stream(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    input: impl Read + Send + 'static,
    out: &mut (dyn Write + Send),
    limits: Limits,
) -> Result<StreamTotals> {
    let payers = Payers::new(config);
    let mut tx = Tx::begin_stream(home, "msgl accept --stream")?;
    let mut checker = Checker {
        home,
        me: *me,
        cache: Cache::default(),
        recent: Default::default(),
        // The group being filled and the one being committed.
        keep: 2 * limits.acks.max(1),
        logs: HashMap::new(),
    };
    let acks = read_acks(input);
    let mut totals = StreamTotals::default();
    let done = group::run(&mut tx, limits, &acks, out, |chunk, batch, verdicts| {
        let mut items = Vec::with_capacity(chunk.len());
        let mut broken = None;
        for incoming in chunk {
            match incoming {
                Incoming::Item { line, item } => items.push((line, item)),
                Incoming::Broken(e) => {
                    broken = Some(e);
                    break;
                }
            }
        }
        // The signatures, decided together on all cores; then the JSON of
        // each log record, on all cores.
        let mut signed = payers
            .check_signed_many(
                me,
                &items
                    .iter()
                    .filter_map(|(_, item)| item.as_ref().ok())
                    .collect::<Vec<_>>(),
            )
            .into_iter();
        let items: Vec<_> = items
            .into_iter()
            .map(|(line, item)| {
                let item = item.map(|ack| {
                    let s = signed.next().expect("an answer for each ack");
                    (ack, s)
                });
                (line, item)
            })
            .collect();
        let checked = par_map(items, |(line, item)| match item {
            Ok((ack, signed)) => {
                let signed = signed.map(|peer| (peer, ack.to_json()));
                (line, Some(ack), signed)
            }
            Err(e) => (line, None, Err(e)),
        });
        // Then each against its channel, in order.
        for (line, ack, signed) in checked {
            let summary = ack
                .as_ref()
                .map(|a| (a.name(), a.nonce, a.cumulative, a.price));
            let (peer, refused) = match (ack, signed) {
                (Some(ack), Ok((peer, json))) => {
                    let p = Prechecked {
                        ack,
                        peer,
                        position: None,
                    };
                    let r = checker.stage(&p, Some(json), batch);
                    (Some(p.peer), r.err())
                }
                (_, Err(e)) => (None, Some(e)),
                (None, Ok(_)) => unreachable!("a signature checked without an ack"),
            };
            match refused {
                None => totals.accepted += 1,
                Some(_) => totals.refused += 1,
            }
            verdicts.push(Verdict {
                line,
                ack: summary,
                peer,
                refused,
            });
        }
        broken.map_or(Ok(()), Err)
    })?;
    totals.groups = done.groups;
    Ok(totals)
}

/// The tag `ack: <channel>-<nonce>` of an ack's journal entry.
pub fn tag(channel: &[u8; 32], nonce: u64) -> String {
    let mut tag = String::with_capacity(90);
    tag.push_str("ack: ");
    push_ack_name(&mut tag, channel, nonce);
    tag
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashchain::HashChain;
    use crate::objects::open::Terms;

    fn setup(n: u64) -> (Channel, Vec<Ack>) {
        let payer = SigningKey::from_bytes(&[1; 32]);
        let payee = SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes();
        let chain = HashChain::build(hashchain::seed(&payer.to_bytes(), &payee, 1), n);
        let open = crate::objects::Open::signed(
            &payer,
            &Terms {
                payee,
                generation: 1,
                channel: poseidon2::pack(&chain.anchor()),
                length: n,
                max_price: 5,
                decimals: 18,
                unit_price: 10_000_000_000_000,
                escrow: 0,
                chain: Default::default(),
            },
        );
        let acks = (1..=n)
            .map(|i| {
                Ack::signed(
                    &payer,
                    AckFields {
                        channel: open.channel,
                        payee,
                        nonce: i,
                        message: [i as u8; 32],
                        price: 1,
                        cumulative: i,
                        preimage: poseidon2::pack(&chain.get(i)),
                    },
                )
            })
            .collect();
        (Channel::fresh(open, Role::In), acks)
    }

    /// Acks whose signature's R carries a point of order 8 (what a payer
    /// grinding for a lenient check makes with its own key): the payee's
    /// batch ([`check_run`], streams) and one-by-one ([`check`], as
    /// `check --evidence` and `msgl prove` decide) give the same answer on
    /// every one. With s made for R, both accept; with s one off, both
    /// refuse it, at its place in the run. (v1's `check_run` used
    /// ed25519-dalek's cofactorless batch equation, which accepts about one
    /// such ack in eight where its single check refuses every one; a payee
    /// would have kept acks its own evidence check then refused.)
    #[test]
    fn batch_and_single_checks_agree_on_a_small_order_part_in_r() {
        use curve25519_dalek::constants::{ED25519_BASEPOINT_TABLE, EIGHT_TORSION};
        use curve25519_dalek::scalar::Scalar;
        use sha2::{Digest, Sha512};

        let (fresh, acks) = setup(3);
        let payer = SigningKey::from_bytes(&[1; 32]);
        let a = payer.to_scalar();
        let key = payer.verifying_key();
        let forged = |tweak: u64, torsion: usize, s_off: u64| {
            let mut ack = acks[2].clone();
            ack.message[..8].copy_from_slice(&tweak.to_be_bytes());
            let msg = ack.signing_bytes();
            let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&msg).into());
            let big_r = (ED25519_BASEPOINT_TABLE * &r + EIGHT_TORSION[torsion]).compress();
            let mut h = Sha512::new();
            h.update(big_r.as_bytes());
            h.update(key.as_bytes());
            h.update(&msg);
            let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
            ack.signature[..32].copy_from_slice(big_r.as_bytes());
            ack.signature[32..].copy_from_slice((r + k * a + Scalar::from(s_off)).as_bytes());
            ack
        };
        let mut accepted = 0;
        for tweak in 0..24u64 {
            for (torsion, s_off) in [(1 + tweak as usize % 7, 0), (1 + tweak as usize % 7, 1)] {
                let run = vec![
                    acks[0].clone(),
                    acks[1].clone(),
                    forged(tweak, torsion, s_off),
                ];
                let mut one = fresh.clone();
                check(&one, &run[0]).unwrap();
                one.apply(&run[0]);
                check(&one, &run[1]).unwrap();
                one.apply(&run[1]);
                let single = check(&one, &run[2]);
                let mut c = fresh.clone();
                let batch = check_run(&mut c, &run);
                assert_eq!(run[2].verify().is_ok(), s_off == 0);
                if s_off == 0 {
                    single.unwrap();
                    batch.unwrap();
                    one.apply(&run[2]);
                    assert_eq!(c, one);
                    accepted += 1;
                } else {
                    assert!(matches!(single, Err(Refusal::BadSignature { .. })));
                    let (i, r) = batch.unwrap_err();
                    assert_eq!(i, 2);
                    assert!(matches!(r, Refusal::BadSignature { .. }), "{r:?}");
                    assert_eq!(c, fresh);
                }
            }
        }
        assert_eq!(accepted, 24);
    }

    /// The verdict line as v1 wrote it, with serde_json: the reference.
    #[derive(serde::Serialize)]
    struct VerdictLine<'a> {
        verdict: &'static str,
        line: usize,
        ack: Option<&'a str>,
        nonce: Option<u64>,
        cumulative: Option<u64>,
        price: Option<u64>,
        peer: Option<&'a str>,
        seq: Option<u64>,
        reason: Option<String>,
        hint: Option<String>,
    }

    proptest::proptest! {
        #[test]
        fn verdict_lines_are_serde_json(
            line in proptest::prelude::any::<usize>(),
            ack in proptest::option::of((".*", proptest::prelude::any::<(u64, u64, u64)>())),
            peer in proptest::option::of(".*"),
            seq in proptest::prelude::any::<u64>(),
            refused in proptest::option::of((".*", proptest::option::of(".*"))),
        ) {
            let refused = refused.map(|(what, hint)| match hint {
                Some(h) => Error::input(what).hint(h),
                None => Error::check(what),
            });
            let v = Verdict {
                line,
                ack: ack.map(|(name, (n, c, p))| (name, n, c, p)),
                peer,
                refused,
            };
            let booked = v.refused.is_none().then(|| Booked {
                seq,
                timestamp: 1,
                entry: crate::journal::Entry {
                    line: 0,
                    timestamp: 1,
                    seq,
                    description: String::new(),
                    comment: None,
                    postings: Vec::new(),
                    notes: Vec::new(),
                },
            });
            let mut ours = Vec::new();
            v.write(booked.as_ref(), &mut ours);
            let a = v.ack.as_ref();
            let mut theirs = serde_json::to_vec(&VerdictLine {
                verdict: if v.refused.is_none() { "accepted" } else { "refused" },
                line: v.line,
                ack: a.map(|a| a.0.as_str()),
                nonce: a.map(|a| a.1),
                cumulative: a.map(|a| a.2),
                price: a.map(|a| a.3),
                peer: v.peer.as_deref(),
                seq: booked.as_ref().map(|b| b.seq),
                reason: v.refused.as_ref().map(|e| clean(e.what())),
                hint: v.refused.as_ref().and_then(|e| e.diag().hint.as_deref()).map(clean),
            })
            .unwrap();
            theirs.push(b'\n');
            proptest::prop_assert_eq!(String::from_utf8(ours).unwrap(), String::from_utf8(theirs).unwrap());
        }
    }

    #[test]
    fn runs_are_all_or_nothing_and_agree_with_one_by_one() {
        let (fresh, mut acks) = setup(20);
        let mut c = fresh.clone();
        acks[7].message[0] ^= 1;
        let (i, r) = check_run(&mut c, &acks).unwrap_err();
        assert_eq!(i, 7);
        assert!(matches!(r, Refusal::BadSignature { .. }), "{r:?}");
        assert_eq!(c, fresh);
        acks[7].message[0] ^= 1;
        acks.swap(3, 4);
        let (i, r) = check_run(&mut c, &acks).unwrap_err();
        assert_eq!(i, 3);
        assert!(matches!(r, Refusal::CumulativeMismatch { .. }), "{r:?}");
        assert_eq!(c, fresh);
        acks.swap(3, 4);
        check_run(&mut c, &acks[..10]).unwrap();
        check_run(&mut c, &acks[10..]).unwrap();
        assert_eq!((c.nonce, c.cumulative), (20, 20));
        let mut one = fresh;
        for a in &acks {
            check(&one, a).unwrap();
            one.apply(a);
        }
        assert_eq!(one, c);
    }
}
