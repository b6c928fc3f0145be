//! Reconciliation flows (docs/DESIGN.md D6): a node's view of the books
//! with a peer up to an epoch, the message-by-message difference between
//! two views, and the RECONCILED entry that closes a period.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::journal::Decimal;
use ed25519_dalek::SigningKey;
use serde::Serialize;

use crate::channel::{self, ChannelState, Role};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::home::{Config, Home};
use crate::journal::{append, Amount, Journal};
use crate::keys::{self, PublicKey};
use crate::objects::recon::{Direction, Item};
use crate::objects::{Recon, DOMAIN_RECON};

pub const RECON_DIR: &str = "recon";
pub const RECONCILED: &str = "RECONCILED";

const AR: (&str, &str) = ("Assets", "AccountsReceivable");
const AP: (&str, &str) = ("Liabilities", "AccountsPayable");

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
/// `…:<peer>:epoch-<ms>` account in the journal. Not the channel states'
/// epochs: a payee's state takes the epoch of the last ack it accepted,
/// which is the payer's (a payer that finalized first signs its next acks
/// with the new epoch), so it says nothing about what this node has booked.
pub fn last_epoch(journal: &Journal, peer: &str) -> Result<u64> {
    let mut last = 0;
    for e in &journal.entries {
        for p in &e.postings {
            for prefix in [AR, AP] {
                if let Some(ms) = peer_rest(&p.account, prefix, peer).and_then(epoch_of) {
                    last = last.max(ms);
                }
            }
        }
    }
    Ok(last)
}

/// Every channel state with `peer`, either way: (path, state).
fn pair_states(home: &Home, peer: &PublicKey) -> Result<Vec<(PathBuf, ChannelState)>> {
    let mut out = Vec::new();
    for role in [Role::Out, Role::In] {
        for g in channel::generations(home, role, peer)? {
            let p = channel::state_path(home, role, peer, g);
            if p.exists() {
                let s = ChannelState::load(&p)?;
                out.push((p, s));
            }
        }
    }
    Ok(out)
}

/// The tip of the latest channel `role` with `peer` as of `epoch`, from the
/// acks booked in the journal at or before it (zeros: no channel). The
/// payee reads the last such ack from `acks/`; the payer adds up the units
/// booked and derives the preimage from its chain.
fn tip(
    home: &Home,
    journal: &Journal,
    role: Role,
    peer: &PublicKey,
    epoch: u64,
) -> Result<(u64, u64, u64, [u8; 32])> {
    let Some(&g) = channel::generations(home, role, peer)?.last() else {
        return Ok((0, 0, 0, [0; 32]));
    };
    let state = ChannelState::load(&channel::state_path(home, role, peer, g))?;
    let short = state.short_id();
    let (kind, prefix) = match role {
        Role::In => (crate::journal::MESSAGE_SENT, format!("ack: acks/{short}-")),
        Role::Out => (crate::journal::MESSAGE_RECEIVED, format!("ack: {short}-")),
    };
    let (mut last, mut units) = (0u64, Decimal::ZERO);
    for e in journal
        .entries
        .iter()
        .filter(|e| e.timestamp <= epoch && e.description == kind)
    {
        let Some(nonce) = e
            .comment
            .as_deref()
            .and_then(|c| c.trim().strip_prefix(prefix.as_str()))
            .map(|r| r.trim_end_matches(".yaml"))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        last = last.max(nonce);
        if let Some(a) = e.postings.first().and_then(|p| p.amount.as_ref()) {
            units += a.quantity;
        }
    }
    if last == 0 {
        return Ok((g, 0, 0, state.anchor));
    }
    if last == state.nonce {
        return Ok((g, state.nonce, state.cumulative, state.preimage));
    }
    match role {
        Role::In => {
            let path = home.path(&format!("acks/{short}-{last:010}.yaml"));
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let ack = crate::objects::Ack::from_yaml(&text).map_err(|e| e.in_file(&path))?;
            Ok((g, ack.nonce, ack.cumulative, ack.preimage))
        }
        Role::Out => {
            let bad = || {
                Error::check(format!(
                    "the acks booked to channel {short} do not add up to whole units"
                ))
            };
            let n = units
                .checked_div(state.unit_price)
                .ok_or_else(bad)?
                .normalize();
            if n.scale() != 0 || n.is_sign_negative() {
                return Err(bad());
            }
            let cumulative: u64 = n.try_into().map_err(|_| bad())?;
            if cumulative > state.length {
                return Err(bad());
            }
            let key = home.signing_key()?;
            let secret = zeroize::Zeroizing::new(key.to_bytes());
            let chain = crate::chain::load_or_rebuild(
                &crate::chain::chain_path(home, peer, g),
                crate::chain::seed(&secret, peer, g),
                state.length,
                &state.anchor,
            )?;
            Ok((
                g,
                last,
                cumulative,
                msgl_circuits::poseidon2::pack(&chain.get(cumulative)),
            ))
        }
    }
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

impl Books<'_> {
    /// One direction as this node's books have it: `i_pay` says whether
    /// this node is the payer.
    fn direction(&self, i_pay: bool, epoch: u64) -> Result<Direction> {
        let (prefix, role) = if i_pay {
            (AP, Role::Out)
        } else {
            (AR, Role::In)
        };
        let (generation, nonce, cumulative, preimage) =
            tip(self.home, self.journal, role, &self.peer, epoch)?;
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
            generation,
            nonce,
            cumulative,
            preimage,
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

/// `recon/<node_a 16 hex>-<node_b 16 hex>-<epoch>.yaml`, relative to the home.
pub fn file_name(r: &Recon) -> String {
    format!(
        "{RECON_DIR}/{}-{}-{}.yaml",
        hex::encode(&r.node_a[..8]),
        hex::encode(&r.node_b[..8]),
        r.epoch
    )
}

fn ensure_recon_dir(home: &Home) -> Result<()> {
    let p = home.path(RECON_DIR);
    if !p.is_dir() {
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

/// The fields both sign, without the signatures.
fn unsigned(r: &Recon) -> Recon {
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
        return Err(Error::check(format!(
            "the reconciliation is for another pair ({} and {}), not this node and {peer_name}",
            hex::encode(&r.node_a[..8]),
            hex::encode(&r.node_b[..8])
        ))
        .hint(format!("use the file {peer_name} made for this node")));
    }
    Ok(())
}

fn check_epoch(r: &Recon, last: u64, peer_name: &str) -> Result<()> {
    if r.epoch == last && last != 0 {
        return Err(Error::check(format!(
            "the reconciliation with {peer_name} at epoch {} is already finalized",
            r.epoch
        )));
    }
    if r.epoch <= last {
        return Err(Error::check(format!(
            "epoch {} is not after the previous reconciliation's epoch {last} with {peer_name}",
            r.epoch
        ))
        .hint("a reconciliation must close a later period"));
    }
    Ok(())
}

/// How far ahead of this node's clock an epoch may be (clock skew).
pub const MAX_EPOCH_AHEAD_MS: u64 = 10 * 60 * 1000;

/// Refuses an epoch in the future: the books up to it are not complete.
fn check_not_future(epoch: u64) -> Result<()> {
    let now = append::now_ms();
    if epoch > now.saturating_add(MAX_EPOCH_AHEAD_MS) {
        return Err(
            Error::check(format!("epoch {epoch} is in the future (now is {now})"))
                .hint("a reconciliation closes a period that has ended"),
        );
    }
    Ok(())
}

/// What a proposal wrote.
pub struct Proposed {
    pub recon: Recon,
    pub file: String,
}

/// `msgl reconcile --with PEER [--epoch MS]`: this node's view, signed,
/// written to `recon/`.
pub fn propose(books: &Books<'_>, key: &SigningKey, epoch: Option<u64>) -> Result<Proposed> {
    let last = last_epoch(books.journal, &books.peer_name)?;
    let epoch = epoch.unwrap_or_else(append::now_ms);
    check_not_future(epoch)?;
    if epoch <= last {
        return Err(Error::check(format!(
            "epoch {epoch} is not after the previous reconciliation's epoch {last} with {}",
            books.peer_name
        ))
        .hint("a reconciliation must close a later period"));
    }
    let mut recon = books.view(epoch, last)?;
    recon.sign(key)?;
    let file = file_name(&recon);
    ensure_recon_dir(books.home)?;
    fsutil::write_new(&books.home.path(&file), recon.to_yaml().as_bytes())?;
    Ok(Proposed { recon, file })
}

/// One line of the difference between the proposal and this node's books.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `<payer> -> <payee>` by name.
    pub direction: String,
    /// The message's segment (16 hex of its hash), or what differs
    /// (`carried`, `nonce`, `cumulative`, `preimage`, `generation`, `previous_epoch`).
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
        let mut field = |item: &str, here: String, prop: String| {
            if here != prop {
                lines.push(DiffLine {
                    direction: direction.clone(),
                    item: item.into(),
                    here: Some(here),
                    proposal: Some(prop),
                    lacking: None,
                });
            }
        };
        field(
            "generation",
            m.generation.to_string(),
            p.generation.to_string(),
        );
        field("nonce", m.nonce.to_string(), p.nonce.to_string());
        field(
            "cumulative",
            m.cumulative.to_string(),
            p.cumulative.to_string(),
        );
        field("preimage", hex::encode(m.preimage), hex::encode(p.preimage));
        field("carried", m.carried.to_string(), p.carried.to_string());
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
        let keys: std::collections::BTreeSet<&str> =
            here.keys().chain(there.keys()).copied().collect();
        for k in keys {
            let (h, t) = (here.get(k), there.get(k));
            if h == t {
                continue;
            }
            let lacking = match (h, t) {
                (None, Some(_)) => Some(me_name.to_string()),
                (Some(_), None) => Some(peer_name.to_string()),
                _ => None,
            };
            lines.push(DiffLine {
                direction: direction.clone(),
                item: k.to_string(),
                here: h.map(|d| d.to_string()),
                proposal: t.map(|d| d.to_string()),
                lacking,
            });
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
pub enum Accepted {
    /// The books agree: co-signed and written to `file`.
    Agreed { recon: Box<Recon>, file: String },
    /// The books disagree: nothing signed or written.
    Disagree(Diff),
}

/// `msgl reconcile --with PEER --accept FILE`: checks a proposal (pair,
/// the peer's signature, the epoch), recomputes it from this node's books
/// and co-signs it if they agree.
pub fn accept(books: &Books<'_>, key: &SigningKey, proposal: &Recon) -> Result<Accepted> {
    check_pair(proposal, &books.me, &books.peer, &books.peer_name)?;
    let last = last_epoch(books.journal, &books.peer_name)?;
    check_epoch(proposal, last, &books.peer_name)?;
    check_not_future(proposal.epoch)?;
    if proposal.signature_of(&books.me).flatten().is_some() {
        return Err(
            Error::check("the proposal already carries this node's signature")
                .hint("a proposal this node made is accepted by the peer, not by itself"),
        );
    }
    proposal.verify_signer(&books.peer).map_err(|e| {
        Error::check(format!(
            "the proposal is not signed by {}: {}",
            books.peer_name, e.what
        ))
    })?;
    let mine = books.view(proposal.epoch, last)?;
    if unsigned(&mine) != unsigned(proposal) {
        let me_a = books.me == proposal.node_a;
        return Ok(Accepted::Disagree(diff(
            proposal,
            &mine,
            &books.config.name,
            &books.peer_name,
            me_a,
        )));
    }
    let mut recon = proposal.clone();
    recon.sign(key)?;
    let file = file_name(&recon);
    ensure_recon_dir(books.home)?;
    fsutil::write_new(&books.home.path(&file), recon.to_yaml().as_bytes())?;
    Ok(Accepted::Agreed {
        recon: Box::new(recon),
        file,
    })
}

/// What `finalize` booked.
pub struct Finalized {
    pub file: String,
    pub booked: append::Booked,
}

/// `msgl reconcile --with PEER --finalize FILE`: under the journal lock,
/// checks the co-signed agreement against this node's books up to its
/// epoch, stores it in `recon/`, books RECONCILED (the peer's A/R and A/P
/// sub-accounts netted into one `epoch-<ms>` line each) and raises the
/// epoch of the channels with the peer.
pub fn finalize(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    peer_name: &str,
    agreement: &Recon,
) -> Result<Finalized> {
    let peer_cfg = config.peer(peer_name)?;
    let peer_name = peer_cfg.name.clone();
    let peer =
        keys::parse_public(&peer_cfg.key).map_err(|e| e.in_file(crate::home::CONFIG_FILE))?;
    check_pair(agreement, me, &peer, &peer_name)?;
    agreement.verify()?;
    let mut locked = append::lock(&home.journal_path())?;
    let file_label = home.journal_path().display().to_string();
    let journal = crate::journal::parse_file(&crate::journal::Source::File(home.journal_path()))?;
    let last = last_epoch(&journal, &peer_name)?;
    if last == agreement.epoch {
        // Booked already; a finalize interrupted before the channel states
        // were raised is finished here (idempotent), then refused.
        raise_epochs(home, &peer, agreement.epoch)?;
        let _ = std::fs::remove_file(raising_marker(home, &peer));
    }
    check_epoch(agreement, last, &peer_name)?;
    let books = Books {
        home,
        config,
        me: *me,
        peer_name: peer_name.clone(),
        peer,
        journal: &journal,
        file: file_label.clone(),
    };
    let mine = books.view(agreement.epoch, last)?;
    if unsigned(&mine) != unsigned(agreement) {
        let d = diff(
            agreement,
            &mine,
            &config.name,
            &peer_name,
            *me == agreement.node_a,
        );
        return Err(Error::check(format!(
            "this node's books up to epoch {} no longer match the agreement ({} differences)",
            agreement.epoch,
            d.lines.len()
        ))
        .hint("an entry dated before the epoch was booked after the agreement; reconcile again"));
    }
    let file = file_name(agreement);
    ensure_recon_dir(home)?;
    let path = home.path(&file);
    let text = agreement.to_yaml();
    match std::fs::read_to_string(&path) {
        Ok(old) if old == text => {}
        Ok(old) => {
            // Our own proposal (one signature) is replaced by the agreement.
            let prev: Recon = read(&path, &old)?;
            if unsigned(&prev) != unsigned(agreement) {
                return Err(Error::check(format!(
                    "{file} already holds a different reconciliation"
                )));
            }
            fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fsutil::write_new(&path, text.as_bytes())?;
        }
        Err(e) => return Err(Error::io(&path, e)),
    }
    let mut entry = append::NewEntry::new(RECONCILED).comment(format!("recon: {file}"));
    for (prefix, label) in [
        (AR, "Assets:AccountsReceivable"),
        (AP, "Liabilities:AccountsPayable"),
    ] {
        let bals = balances(
            &journal,
            &file_label,
            &config.token,
            prefix,
            &peer_name,
            agreement.epoch,
        )?;
        let mut total = Decimal::ZERO;
        for (account, (_, bal)) in bals {
            if !bal.is_zero() {
                entry = entry.posting(account, Some(Amount::new(-bal, None)));
                total += bal;
            }
        }
        entry = entry.posting(
            format!("{label}:{peer_name}:epoch-{}", agreement.epoch),
            Some(Amount::new(total.normalize(), None)),
        );
    }
    // Until the channel states are raised, the marker lets the next ack or
    // accept with this peer finish the job (D6).
    let marker = raising_marker(home, &peer);
    fsutil::write_atomic(
        &marker,
        agreement.epoch.to_string().as_bytes(),
        true,
        Some(0o600),
    )?;
    let booked = match locked.append(entry) {
        Ok(b) => b,
        Err(e) => {
            let _ = std::fs::remove_file(&marker);
            return Err(e);
        }
    };
    raise_epochs(home, &peer, agreement.epoch)?;
    let _ = std::fs::remove_file(&marker);
    Ok(Finalized { file, booked })
}

/// `recon/.raising-<peer 16 hex>`: the epoch a finalize with that peer has
/// booked (or is booking) but whose channel states may not be raised yet.
fn raising_marker(home: &Home, peer: &PublicKey) -> PathBuf {
    home.path(&format!("recon/.raising-{}", hex::encode(&peer[..8])))
}

/// Finishes a finalize with `peer` interrupted between its RECONCILED entry
/// and raising the channel states' epochs (called by `ack` and `accept`
/// under the journal's lock, so that no ack of the old epoch passes in
/// between). Costs one failed open when there is nothing to finish. A
/// marker whose entry was never booked (a crash before the append) is
/// removed without raising anything.
pub fn finish_interrupted(
    home: &Home,
    peer: &PublicKey,
    peer_name: &str,
    locked: &append::Locked,
) -> Result<()> {
    let marker = raising_marker(home, peer);
    let text = match std::fs::read_to_string(&marker) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&marker, e)),
    };
    let epoch: u64 = text.trim().parse().map_err(|_| {
        Error::input("not an epoch")
            .in_file(&marker)
            .hint("an interrupted finalize's marker; remove it and finalize the agreement again")
    })?;
    let booked =
        channel::journal_contains(locked.path(), &[&format!(":{peer_name}:epoch-{epoch}  ")])?;
    if booked {
        raise_epochs(home, peer, epoch)?;
    }
    std::fs::remove_file(&marker).map_err(|e| Error::io(&marker, e))
}

/// Raises the epoch of every channel with `peer` to `epoch`: later acks
/// must carry it, older ones are refused.
fn raise_epochs(home: &Home, peer: &PublicKey, epoch: u64) -> Result<()> {
    for (p, mut s) in pair_states(home, peer)? {
        if s.epoch < epoch {
            s.epoch = epoch;
            s.save(&p, true)?;
        }
    }
    Ok(())
}
