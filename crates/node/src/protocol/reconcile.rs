//! Reconciliation (docs/DESIGN.md §6.6): a node's view of its books with a
//! peer at an epoch, proposing it, co-signing the peer's (which finalizes
//! it on the co-signer's side at once), and finalizing an agreement on
//! this node's own proposal.
//!
//! The rules that make an agreement one truth for both books:
//! - an agreement follows the last one both finalized: its
//!   `previous_epoch` must be this node's last epoch with the peer, and
//!   its epoch later; so each node's agreements form one chain;
//! - the co-signer finalizes as it signs (under the lock), so the only
//!   agreement ever pending is the one its proposer has yet to finalize;
//! - proposals that cross (both proposed before either co-signed) are
//!   ordered by (epoch, proposer key) and the later goes first: a node
//!   co-signs the peer's only if it comes after every proposal of its own
//!   still open, which the peer will then refuse to co-sign; so at most one
//!   agreement per pair and period is ever co-signed, and a node's stale
//!   proposals (never sent, or superseded) never block a newer one;
//! - RECONCILED books exactly the agreement's items (not a view computed
//!   again), so anything booked after the cut stays open in both books.
//!
//! Acks never depend on reconciliations: a channel's next ack is accepted
//! whatever was proposed, co-signed or finalized (DESIGN §6.1).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use ed25519_dalek::SigningKey;
use serde::Serialize;

use super::channel::{self, Channel, Role};
use super::Refusal;
use crate::error::{Error, Result};
use crate::home::{Config, Home};
use crate::journal::append::{self, Booked, NewEntry};
use crate::journal::{Amount, Decimal, Journal, MESSAGE_RECEIVED, MESSAGE_SENT};
use crate::keys::PublicKey;
use crate::objects::recon::{Direction, Item, Position};
use crate::objects::{Recon, DOMAIN_RECON};
use crate::store::{self, log, Tx};

pub const RECONCILED: &str = "RECONCILED";

const AR: (&str, &str) = ("Assets", "AccountsReceivable");
const AP: (&str, &str) = ("Liabilities", "AccountsPayable");
const AR_NAME: &str = "Assets:AccountsReceivable";
const AP_NAME: &str = "Liabilities:AccountsPayable";

/// The peer's sub-account segment after `top:mid:<peer>:`, if `account` is
/// under that peer ("" for the peer's account itself).
fn peer_rest<'a>(account: &'a str, (top, mid): (&str, &str), peer: &str) -> Option<&'a str> {
    let mut it = account.splitn(4, ':');
    if it.next() != Some(top) || it.next() != Some(mid) {
        return None;
    }
    if !it.next().is_some_and(|p| p.eq_ignore_ascii_case(peer)) {
        return None;
    }
    Some(it.next().unwrap_or(""))
}

/// The epoch of an `epoch-<ms>` segment.
fn epoch_of(rest: &str) -> Option<u64> {
    rest.strip_prefix("epoch-")?.parse().ok()
}

/// Balances (token only) of the peer's sub-accounts under `prefix`, from
/// entries at or before `epoch` and every RECONCILED entry: full account
/// name → (segment, balance).
fn balances(
    journal: &Journal,
    file: &str,
    token: &str,
    prefix: (&str, &str),
    peer: &str,
    epoch: u64,
) -> Result<BTreeMap<String, (String, Decimal)>> {
    let mut out: BTreeMap<String, (String, Decimal)> = BTreeMap::new();
    // RECONCILED entries count whatever their time: they close periods
    // that end at or before this one (the epoch is checked to be later).
    let counted = |e: &&crate::journal::Entry| e.timestamp <= epoch || e.description == RECONCILED;
    for e in journal.entries.iter().filter(counted) {
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        for p in &postings {
            if p.amount.commodity.as_deref().is_some_and(|c| c != token) {
                continue;
            }
            if let Some(rest) = peer_rest(&p.account, prefix, peer) {
                let slot = out
                    .entry(p.account.to_string())
                    .or_insert_with(|| (rest.to_string(), Decimal::ZERO));
                slot.1 = slot.1.checked_add(p.amount.quantity).ok_or_else(|| {
                    Error::check(format!("the balance of {} overflows", p.account))
                })?;
            }
        }
    }
    Ok(out)
}

/// The latest epoch this node has closed with `peer`: the largest
/// `…:<peer>:epoch-<ms>` account in the journal (0: none).
pub fn last_epoch(journal: &Journal, peer: &str) -> u64 {
    let mut last = 0;
    for e in journal
        .entries
        .iter()
        .filter(|e| e.description == RECONCILED)
    {
        for p in &e.postings {
            for prefix in [AR, AP] {
                if let Some(ms) = peer_rest(&p.account, prefix, peer).and_then(epoch_of) {
                    last = last.max(ms);
                }
            }
        }
    }
    last
}

/// This node's side of the books with one peer.
pub struct Books<'a> {
    pub home: &'a Home,
    pub config: &'a Config,
    pub me: PublicKey,
    pub peer_name: String,
    pub peer: PublicKey,
    pub journal: &'a Journal,
    pub file: String,
}

/// Reads the home's journal and the peer, for a view.
pub fn load_books<'a>(
    home: &'a Home,
    config: &'a Config,
    me: PublicKey,
    peer_name: &str,
    journal: &'a Journal,
) -> Result<Books<'a>> {
    let (peer_name, peer) = super::open::peer_key(config, peer_name)?;
    Ok(Books {
        home,
        config,
        me,
        peer_name,
        peer,
        journal,
        file: home.journal_path().display().to_string(),
    })
}

impl Books<'_> {
    /// Every channel with the peer in `role`, by id.
    fn channels(&self, role: Role) -> Result<BTreeMap<[u8; 32], Channel>> {
        Ok(channel::list(self.home, &self.me)?
            .into_iter()
            .filter(|c| c.role == role && c.peer() == self.peer)
            .map(|c| (c.id(), c))
            .collect())
    }

    /// Where each channel with the peer in `role` stood at `epoch`: the
    /// last ack booked at or before it (journal tags), read from its log.
    fn positions(&self, role: Role, epoch: u64) -> Result<Vec<Position>> {
        let channels = self.channels(role)?;
        let kind = match role {
            Role::In => MESSAGE_SENT,
            Role::Out => MESSAGE_RECEIVED,
        };
        let mut last: BTreeMap<[u8; 32], u64> = BTreeMap::new();
        for e in self
            .journal
            .entries
            .iter()
            .filter(|e| e.timestamp <= epoch && e.description == kind)
        {
            let Some((id, nonce)) = e.tag("ack").and_then(parse_ack_tag) else {
                continue;
            };
            if channels.contains_key(&id) {
                let n = last.entry(id).or_default();
                *n = (*n).max(nonce);
            }
        }
        let mut out = Vec::new();
        for (id, nonce) in last {
            let c = &channels[&id];
            let path = c.log_path(self.home);
            let ack = if nonce == c.nonce {
                None
            } else {
                Some(log::find(&path, nonce)?.ok_or_else(|| {
                    Error::check(format!(
                        "the journal books ack {} but its log does not hold it",
                        crate::objects::ack::ack_name(&id, nonce)
                    ))
                    .in_file(&path)
                    .hint("run `msgl check --evidence`")
                })?)
            };
            let (cumulative, preimage) = match &ack {
                Some(a) => (a.cumulative, a.preimage),
                None => (c.cumulative, c.preimage),
            };
            out.push(Position {
                channel: id,
                nonce,
                cumulative,
                preimage,
            });
        }
        Ok(out)
    }

    /// One direction as this node's books have it: `i_pay` says whether
    /// this node is the payer.
    fn direction(&self, i_pay: bool, epoch: u64) -> Result<Direction> {
        let (prefix, role) = if i_pay {
            (AP, Role::Out)
        } else {
            (AR, Role::In)
        };
        let mut carried = Decimal::ZERO;
        let mut items: BTreeMap<String, Decimal> = BTreeMap::new();
        for (_, (rest, bal)) in balances(
            self.journal,
            &self.file,
            &self.config.token,
            prefix,
            &self.peer_name,
            epoch,
        )? {
            if epoch_of(&rest).is_some() {
                carried += bal;
            } else {
                *items.entry(rest).or_default() += bal;
            }
        }
        let messages: Vec<Item> = items
            .into_iter()
            .filter(|(_, a)| !a.is_zero())
            .map(|(message, amount)| Item {
                message,
                amount: amount.normalize(),
            })
            .collect();
        let amount = messages.iter().fold(carried, |s, m| s + m.amount);
        Ok(Direction {
            channels: self.positions(role, epoch)?,
            carried: carried.normalize(),
            messages,
            amount: amount.normalize(),
        })
    }

    /// This node's view of the reconciliation at `epoch` (unsigned).
    pub fn view(&self, epoch: u64, previous_epoch: u64) -> Result<Recon> {
        let pair = Recon::sorted(self.me, self.peer);
        let me_a = pair.0 == self.me;
        // a→b: a pays. If I am a, I pay in a→b.
        let a_to_b = self.direction(me_a, epoch)?;
        let b_to_a = self.direction(!me_a, epoch)?;
        Ok(Recon::unsigned(pair, epoch, previous_epoch, a_to_b, b_to_a))
    }
}

/// `<channel 64 hex>-<nonce>` of an `ack:` tag.
pub fn parse_ack_tag(value: &str) -> Option<([u8; 32], u64)> {
    let (id, nonce) = value.trim().split_once('-')?;
    let mut out = [0u8; 32];
    hex::decode_to_slice(id, &mut out).ok()?;
    Some((out, nonce.parse().ok()?))
}

/// `recon/<node_a 16 hex>-<node_b 16 hex>-<epoch>.yaml`, relative to the home.
pub fn file_name(r: &Recon) -> String {
    format!(
        "{}/{}-{}-{}.yaml",
        store::RECON_DIR,
        hex::encode(&r.node_a[..8]),
        hex::encode(&r.node_b[..8]),
        r.epoch
    )
}

/// The fields both sign, without the signatures.
fn without_signatures(r: &Recon) -> Recon {
    let mut r = r.clone();
    r.signature_a = None;
    r.signature_b = None;
    r
}

/// Reads a reconciliation file safely (size bound, no aliases).
pub fn read(path: &Path, text: &str) -> Result<Recon> {
    if text.len() > crate::yaml::MAX_YAML_BYTES {
        return Err(Error::input("reconciliation file too large").in_file(path));
    }
    let r: Recon = crate::yaml::from_str(text, path)?;
    crate::objects::check_domain(&r.domain, DOMAIN_RECON, "reconciliation")?;
    Ok(r)
}

/// That `r` is between this node and the peer.
fn check_pair(r: &Recon, me: &PublicKey, peer: &PublicKey, peer_name: &str) -> Result<()> {
    let (a, b) = Recon::sorted(*me, *peer);
    if (r.node_a, r.node_b) != (a, b) {
        return Err(Refusal::OtherPair {
            pair: format!(
                "{} and {}",
                hex::encode(&r.node_a[..8]),
                hex::encode(&r.node_b[..8])
            ),
            peer: peer_name.to_string(),
        }
        .into());
    }
    Ok(())
}

/// That `r` continues this node's chain of agreements with the peer.
fn check_period(r: &Recon, last: u64, peer_name: &str) -> Result<()> {
    let peer = peer_name.to_string();
    if r.epoch == last && last != 0 {
        return Err(Refusal::AlreadyFinalized {
            epoch: r.epoch,
            peer,
        }
        .into());
    }
    if r.epoch <= last {
        return Err(Refusal::EpochNotAfter {
            epoch: r.epoch,
            last,
            peer,
        }
        .into());
    }
    if r.previous_epoch != last {
        return Err(Refusal::PreviousEpoch {
            theirs: r.previous_epoch,
            mine: last,
            peer,
        }
        .into());
    }
    Ok(())
}

/// How far ahead of this node's clock an epoch may be (clock skew).
pub const MAX_EPOCH_AHEAD_MS: u64 = 10 * 60 * 1000;

/// Refuses an epoch in the future: the books up to it are not complete.
fn check_not_future(epoch: u64) -> Result<()> {
    let now = append::now_ms();
    if epoch > now.saturating_add(MAX_EPOCH_AHEAD_MS) {
        return Err(Refusal::EpochInFuture { epoch, now }.into());
    }
    Ok(())
}

/// This node's proposals to the peer still open: signed by it alone and
/// following its last agreement (`last`). (file, proposal).
fn open_proposals(books: &Books<'_>, last: u64) -> Result<Vec<(String, Recon)>> {
    let dir = books.home.path(store::RECON_DIR);
    let (a, b) = Recon::sorted(books.me, books.peer);
    let prefix = format!("{}-{}-", hex::encode(&a[..8]), hex::encode(&b[..8]));
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(&dir, e))?;
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with(&prefix) || !name.ends_with(".yaml") {
            continue;
        }
        let path = e.path();
        let Some(text) = books
            .home
            .read_small(&path, crate::yaml::MAX_YAML_BYTES as u64)?
        else {
            continue;
        };
        let r = read(&path, &text)?;
        let mine_only = r.signature_of(&books.me).flatten().is_some() && !r.is_cosigned();
        if mine_only && r.previous_epoch == last && r.epoch > last && (r.node_a, r.node_b) == (a, b)
        {
            out.push((format!("{}/{name}", store::RECON_DIR), r));
        }
    }
    Ok(out)
}

/// What a proposal wrote.
pub struct Proposed {
    pub recon: Recon,
    pub file: String,
}

/// `msgl reconcile --with PEER [--epoch MS]`: this node's view, signed,
/// written to `recon/`.
pub fn propose(books: &Books<'_>, key: &SigningKey, epoch: Option<u64>) -> Result<Proposed> {
    let last = last_epoch(books.journal, &books.peer_name);
    let epoch = epoch.unwrap_or_else(append::now_ms);
    check_not_future(epoch)?;
    if epoch <= last {
        return Err(Refusal::EpochNotAfter {
            epoch,
            last,
            peer: books.peer_name.clone(),
        }
        .into());
    }
    let mut recon = books.view(epoch, last)?;
    recon.sign(key)?;
    let file = file_name(&recon);
    books.home.dir(store::RECON_DIR)?;
    books
        .home
        .create(&books.home.path(&file), recon.to_yaml().as_bytes())?;
    Ok(Proposed { recon, file })
}

/// One line of the difference between the proposal and this node's books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `<payer> -> <payee>` by name.
    pub direction: String,
    /// The message's segment (16 hex of its hash), or what differs
    /// (`carried`, `previous_epoch`, `channel <16 hex> nonce|cumulative|preimage`).
    pub item: String,
    /// As this node's books have it (absent: `None`).
    pub here: Option<String>,
    /// As the proposal has it.
    pub proposal: Option<String>,
    /// The node whose books lack this message, if one does.
    pub lacking: Option<String>,
}

/// The totals of one direction on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffTotal {
    pub direction: String,
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub here: Decimal,
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub proposal: Decimal,
    /// proposal − here.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub difference: Decimal,
}

/// The difference between a proposal and this node's view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub peer: String,
    pub epoch: u64,
    pub lines: Vec<DiffLine>,
    pub totals: Vec<DiffTotal>,
}

fn diff(proposal: &Recon, mine: &Recon, me_name: &str, peer_name: &str, me_a: bool) -> Diff {
    let name = |is_a: bool| if is_a == me_a { me_name } else { peer_name };
    let mut lines = Vec::new();
    let mut totals = Vec::new();
    if proposal.previous_epoch != mine.previous_epoch {
        lines.push(DiffLine {
            direction: String::new(),
            item: "previous_epoch".into(),
            here: Some(mine.previous_epoch.to_string()),
            proposal: Some(proposal.previous_epoch.to_string()),
            lacking: None,
        });
    }
    for (a_pays, p, m) in [
        (true, &proposal.a_to_b, &mine.a_to_b),
        (false, &proposal.b_to_a, &mine.b_to_a),
    ] {
        let direction = format!("{} -> {}", name(a_pays), name(!a_pays));
        let mut line = |item: String, here: Option<String>, prop: Option<String>| {
            let lacking = match (&here, &prop) {
                (None, Some(_)) => Some(me_name.to_string()),
                (Some(_), None) => Some(peer_name.to_string()),
                _ => None,
            };
            lines.push(DiffLine {
                direction: direction.clone(),
                item,
                here,
                proposal: prop,
                lacking,
            });
        };
        let here: BTreeMap<[u8; 32], &Position> =
            m.channels.iter().map(|c| (c.channel, c)).collect();
        let there: BTreeMap<[u8; 32], &Position> =
            p.channels.iter().map(|c| (c.channel, c)).collect();
        let ids: BTreeSet<[u8; 32]> = here.keys().chain(there.keys()).copied().collect();
        for id in ids {
            let short = hex::encode(&id[..8]);
            match (here.get(&id), there.get(&id)) {
                (Some(h), Some(t)) => {
                    for (field, hv, tv) in [
                        ("nonce", h.nonce.to_string(), t.nonce.to_string()),
                        (
                            "cumulative",
                            h.cumulative.to_string(),
                            t.cumulative.to_string(),
                        ),
                        ("preimage", hex::encode(h.preimage), hex::encode(t.preimage)),
                    ] {
                        if hv != tv {
                            line(format!("channel {short} {field}"), Some(hv), Some(tv));
                        }
                    }
                }
                (h, t) => line(
                    format!("channel {short}"),
                    h.map(|c| format!("nonce {}", c.nonce)),
                    t.map(|c| format!("nonce {}", c.nonce)),
                ),
            }
        }
        if m.carried != p.carried {
            line(
                "carried".into(),
                Some(m.carried.to_string()),
                Some(p.carried.to_string()),
            );
        }
        let here: BTreeMap<&str, Decimal> = m
            .messages
            .iter()
            .map(|i| (i.message.as_str(), i.amount))
            .collect();
        let there: BTreeMap<&str, Decimal> = p
            .messages
            .iter()
            .map(|i| (i.message.as_str(), i.amount))
            .collect();
        let keys: BTreeSet<&str> = here.keys().chain(there.keys()).copied().collect();
        for k in keys {
            let (h, t) = (here.get(k), there.get(k));
            if h != t {
                line(
                    k.to_string(),
                    h.map(|d| d.to_string()),
                    t.map(|d| d.to_string()),
                );
            }
        }
        if m.amount != p.amount {
            totals.push(DiffTotal {
                direction,
                here: m.amount,
                proposal: p.amount,
                difference: (p.amount - m.amount).normalize(),
            });
        }
    }
    Diff {
        peer: peer_name.to_string(),
        epoch: proposal.epoch,
        lines,
        totals,
    }
}

/// What `accept` decided.
pub enum Verdict {
    /// The books agree: co-signed, written to `file` and booked.
    Agreed {
        recon: Box<Recon>,
        file: String,
        booked: Booked,
    },
    /// The books disagree: nothing signed, written or booked.
    Disagree(Diff),
}

/// `msgl reconcile --with PEER --accept FILE`: checks the peer's proposal
/// (pair, signature, period, crossing proposals), recomputes it from this
/// node's books and, if they agree, co-signs it and finalizes it here at
/// once — all under the home's lock.
pub fn accept(
    home: &Home,
    config: &Config,
    key: &SigningKey,
    peer_name: &str,
    proposal: &Recon,
) -> Result<Verdict> {
    let me = key.verifying_key().to_bytes();
    let (peer_name, peer) = super::open::peer_key(config, peer_name)?;
    check_pair(proposal, &me, &peer, &peer_name)?;
    if proposal.signature_of(&me).flatten().is_some() {
        return Err(Refusal::OwnProposal.into());
    }
    proposal
        .verify_signer(&peer)
        .map_err(|e| Refusal::NotSignedByPeer {
            peer: peer_name.clone(),
            detail: e.what().to_owned(),
        })?;
    check_not_future(proposal.epoch)?;
    home.dir(store::RECON_DIR)?;
    let mut tx = Tx::begin(home)?;
    let journal = crate::journal::parse_file(&crate::journal::Source::File(home.journal_path()))?;
    let books = load_books(home, config, me, &peer_name, &journal)?;
    let last = last_epoch(&journal, &peer_name);
    check_period(proposal, last, &peer_name)?;
    // Crossed proposals: the later (epoch, proposer) goes first.
    if let Some((file, mine)) = open_proposals(&books, last)?
        .into_iter()
        .max_by_key(|(_, r)| r.precedence())
    {
        if mine.precedence() > proposal.precedence() {
            return Err(Refusal::CrossedProposals {
                mine: mine.epoch,
                file,
            }
            .into());
        }
    }
    let view = books.view(proposal.epoch, last)?;
    if without_signatures(&view) != without_signatures(proposal) {
        let me_a = me == proposal.node_a;
        return Ok(Verdict::Disagree(diff(
            proposal,
            &view,
            &config.name,
            &peer_name,
            me_a,
        )));
    }
    let mut recon = proposal.clone();
    recon.sign(key)?;
    let file = file_name(&recon);
    store_agreement(home, &file, &recon)?;
    tx.book(reconciled(&books, &recon, &file)?);
    let booked = tx.commit()?.pop().expect("one entry booked");
    Ok(Verdict::Agreed {
        recon: Box::new(recon),
        file,
        booked,
    })
}

/// Writes a co-signed agreement to `recon/` (replacing this node's own
/// one-signature proposal of the same fields).
fn store_agreement(home: &Home, file: &str, agreement: &Recon) -> Result<()> {
    let path = home.path(file);
    let text = agreement.to_yaml();
    match home.read_small(&path, crate::yaml::MAX_YAML_BYTES as u64)? {
        Some(old) if old == text => Ok(()),
        Some(old) => {
            let prev = read(&path, &old)?;
            if without_signatures(&prev) != without_signatures(agreement) {
                return Err(Error::check(format!(
                    "{file} already holds a different reconciliation"
                )));
            }
            home.replace(&path, text.as_bytes())
        }
        None => home.create(&path, text.as_bytes()),
    }
}

/// The RECONCILED entry of an agreement: each agreed message item and the
/// carried balance moved onto one `…:<Peer>:epoch-<ms>` line per
/// direction. The totals do not change, so the mirror holds; what was
/// booked after the cut stays open.
fn reconciled(books: &Books<'_>, r: &Recon, file: &str) -> Result<NewEntry> {
    let me_a = books.me == r.node_a;
    let (mine_pays, mine_paid) = if me_a {
        (&r.a_to_b, &r.b_to_a)
    } else {
        (&r.b_to_a, &r.a_to_b)
    };
    let mut entry = NewEntry::new(RECONCILED).comment(format!("recon: {file}"));
    for (d, prefix, label) in [(mine_paid, AR, AR_NAME), (mine_pays, AP, AP_NAME)] {
        // The accounts as this journal spells them (peer names match
        // case-insensitively); earlier epoch lines are netted in whole.
        let bals = balances(
            books.journal,
            &books.file,
            &books.config.token,
            prefix,
            &books.peer_name,
            u64::MAX,
        )?;
        let mut carried = Decimal::ZERO;
        for (account, (rest, bal)) in &bals {
            if epoch_of(rest).is_some() && !bal.is_zero() {
                entry = entry.posting(account.clone(), Some(Amount::new(-*bal, None)));
                carried += *bal;
            }
        }
        if carried.normalize() != d.carried {
            return Err(Error::check(format!(
                "this journal carries {} with {} from earlier periods, the agreement {}",
                carried.normalize(),
                books.peer_name,
                d.carried
            ))
            .hint("the journal's epoch lines were changed by hand: run `msgl check --evidence`"));
        }
        for item in &d.messages {
            let account = bals
                .iter()
                .find(|(_, (rest, _))| *rest == item.message)
                .map(|(a, _)| a.clone())
                .unwrap_or_else(|| {
                    if item.message.is_empty() {
                        format!("{label}:{}", books.peer_name)
                    } else {
                        format!("{label}:{}:{}", books.peer_name, item.message)
                    }
                });
            entry = entry.posting(account, Some(Amount::new(-item.amount, None)));
        }
        entry = entry.posting(
            format!("{label}:{}:epoch-{}", books.peer_name, r.epoch),
            Some(Amount::new(d.amount, None)),
        );
    }
    Ok(entry)
}

/// What `finalize` booked.
pub struct Finalized {
    pub file: String,
    pub booked: Booked,
}

/// `msgl reconcile --with PEER --finalize FILE`: books RECONCILED for the
/// peer's co-signature of this node's proposal, under the home's lock.
pub fn finalize(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    peer_name: &str,
    agreement: &Recon,
) -> Result<Finalized> {
    let (peer_name, peer) = super::open::peer_key(config, peer_name)?;
    check_pair(agreement, me, &peer, &peer_name)?;
    if !agreement.is_cosigned() {
        return Err(Refusal::NotCosigned.into());
    }
    if agreement.signature_of(me).flatten().is_none() {
        return Err(Refusal::NotSignedByMe.into());
    }
    agreement.verify().map_err(|e| Refusal::BadSignature {
        detail: e.what().to_owned(),
    })?;
    home.dir(store::RECON_DIR)?;
    let mut tx = Tx::begin(home)?;
    let journal = crate::journal::parse_file(&crate::journal::Source::File(home.journal_path()))?;
    let books = load_books(home, config, *me, &peer_name, &journal)?;
    check_period(agreement, last_epoch(&journal, &peer_name), &peer_name)?;
    let file = file_name(agreement);
    store_agreement(home, &file, agreement)?;
    tx.book(reconciled(&books, agreement, &file)?);
    let booked = tx.commit()?.pop().expect("one entry booked");
    Ok(Finalized { file, booked })
}
