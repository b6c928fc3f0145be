//! Channels (DESIGN §4; file layout in docs/DESIGN.md D3): the payer opens,
//! signs cumulative acks from its hash chain; the payee accepts the open
//! and then each ack in O(1), against a small per-channel state file.
//!
//! ```text
//! channels/<role>-<peer key hex>-g<generation>.open.yaml   the signed open (never changes)
//! channels/<role>-<peer key hex>-g<generation>.state.yaml  terms + last nonce, cumulative, preimage
//! chains/<payee key hex>-g<generation>.chain               payer: checkpoints (0600)
//! acks/<channel id, 16 hex>-<nonce, 10 digits>.yaml         payee: every accepted ack
//! ```
//! `role` is `out` on the payer's side and `in` on the payee's.

use std::path::{Path, PathBuf};

use crate::journal::Decimal;
use ed25519_dalek::{SigningKey, VerifyingKey};
use msgl_circuits::poseidon2;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::chain::{self, Chain};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::home::{Config, Home};
use crate::journal::{append, Amount};
use crate::keys::{self, PublicKey};
use crate::objects::{ack::AckFields, hexbytes, Ack, Open};

pub const CHANNELS_DIR: &str = "channels";

/// Which side of a channel this node is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// This node pays (it opened the channel and signs acks).
    Out,
    /// This node is paid (it accepted the open and keeps the acks).
    In,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Out => "out",
            Role::In => "in",
        }
    }
}

/// The state of one channel: its terms and the last ack issued (payer) or
/// accepted (payee). Replaced whole (write-then-rename) after every ack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelState {
    pub role: Role,
    #[serde(with = "hexbytes")]
    pub payer: PublicKey,
    #[serde(with = "hexbytes")]
    pub payee: PublicKey,
    pub generation: u64,
    /// w_0, packed: the channel id.
    #[serde(with = "hexbytes")]
    pub anchor: [u8; 32],
    pub length: u64,
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub escrow: Decimal,
    /// Epoch of the last ack (0 before any reconciliation).
    pub epoch: u64,
    /// Nonce of the last ack (0: none yet).
    pub nonce: u64,
    /// Units paid by the last ack.
    pub cumulative: u64,
    /// w_cumulative (the anchor before the first ack).
    #[serde(with = "hexbytes")]
    pub preimage: [u8; 32],
    /// The last ack's file (payee: `acks/...`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ack: Option<String>,
    /// Payer: the last ack's message hash (hex) and price, so that an ack
    /// whose booking was interrupted is booked by the next `msgl ack`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_price: Option<u64>,
}

impl ChannelState {
    /// A fresh channel from its open.
    pub fn from_open(open: &Open, role: Role) -> ChannelState {
        ChannelState {
            role,
            payer: open.payer,
            payee: open.payee,
            generation: open.generation,
            anchor: open.anchor,
            length: open.length,
            unit_price: open.unit_price,
            escrow: open.escrow,
            epoch: 0,
            nonce: 0,
            cumulative: 0,
            preimage: open.anchor,
            last_ack: None,
            last_message: None,
            last_price: None,
        }
    }

    /// The channel id in short: the first 16 hex digits of the anchor.
    pub fn short_id(&self) -> String {
        hex::encode(&self.anchor[..8])
    }

    pub fn load(path: &Path) -> Result<ChannelState> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        ChannelState::from_yaml(&text).map_err(|e| e.in_file(path))
    }

    /// Reads a state file's text (what `load` does after reading the file).
    pub fn from_yaml(text: &str) -> Result<ChannelState> {
        serde_yaml::from_str(text).map_err(|e| {
            Error::input(format!("bad channel state: {e}"))
                .hint("channel state files are written by msgl; see docs/DESIGN.md D3")
        })
    }

    /// The text `save` writes.
    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a ChannelState always serializes")
    }

    pub fn save(&self, path: &Path, replace: bool) -> Result<()> {
        fsutil::write_atomic(path, self.to_yaml().as_bytes(), replace, Some(0o600))
    }

    /// Payee: checks everything about the next ack (signature by
    /// `payer_key`, epoch, nonce, price, cumulative, preimage) without
    /// changing anything. `payer_key` must be this channel's payer's key.
    pub fn check(&self, ack: &Ack, payer_key: &VerifyingKey) -> Result<()> {
        self.check_channel(ack)?;
        ack.verify_with(payer_key)?;
        self.check_fields(ack)
    }

    /// That the ack names this channel's payer, payee and generation.
    fn check_channel(&self, ack: &Ack) -> Result<()> {
        if ack.payer != self.payer || ack.payee != self.payee || ack.generation != self.generation {
            return Err(Error::check("the ack is not for this channel")
                .hint("payer, payee and generation must match the accepted open"));
        }
        Ok(())
    }

    /// Everything but the signature: epoch, nonce, price, cumulative, preimage.
    fn check_fields(&self, ack: &Ack) -> Result<()> {
        if ack.epoch < self.epoch {
            return Err(Error::check(format!(
                "epoch {} is older than the channel's epoch {}",
                ack.epoch, self.epoch
            ))
            .hint("an ack from before a reconciliation"));
        }
        if ack.nonce <= self.nonce {
            return Err(Error::check(format!(
                "nonce {} is not above the last accepted nonce {}",
                ack.nonce, self.nonce
            ))
            .hint("a replayed or out-of-order ack"));
        }
        if ack.price == 0 {
            return Err(Error::check("price 0: a message costs at least one unit"));
        }
        let want = self.cumulative.checked_add(ack.price);
        if want != Some(ack.cumulative) {
            return Err(Error::check(format!(
                "cumulative {} is not the previous cumulative {} plus the price {}",
                ack.cumulative, self.cumulative, ack.price
            ))
            .hint("a missing, reordered or miscounted ack; the payer must send them in order"));
        }
        if ack.cumulative > self.length {
            return Err(Error::check(format!(
                "cumulative {} exceeds the channel's length {}",
                ack.cumulative, self.length
            ))
            .hint("the payer must open a new channel"));
        }
        let w = poseidon2::unpack(&ack.preimage)
            .map_err(|_| Error::check("the preimage is not 8 canonical M31 elements"))?;
        if poseidon2::pack(&poseidon2::hash_n(&w, ack.price)) != self.preimage {
            return Err(Error::check(format!(
                "wrong preimage: H^{}(preimage) is not the {}",
                ack.price,
                if self.nonce == 0 {
                    "channel's anchor"
                } else {
                    "previous ack's preimage"
                }
            ))
            .hint("the preimage does not belong to this channel's chain at this cumulative"));
        }
        Ok(())
    }

    /// Accepts a run of consecutive acks, all or nothing: the signatures are
    /// verified together (ed25519 batch verification, about twice as fast
    /// per ack), then each ack's fields in order. On a refusal the state is
    /// unchanged and the error names the first refused ack (by position).
    pub fn accept_batch(&mut self, acks: &[Ack], payer_key: &VerifyingKey) -> Result<()> {
        let mut next = self.clone();
        let batch_ok = acks.iter().all(|a| a.payer == *payer_key.as_bytes())
            && acks.iter().all(|a| a.domain == crate::objects::DOMAIN_ACK)
            && {
                let msgs: Vec<Vec<u8>> = acks.iter().map(Ack::signing_bytes).collect();
                let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
                let sigs: Vec<ed25519_dalek::Signature> = acks
                    .iter()
                    .map(|a| ed25519_dalek::Signature::from_bytes(&a.signature))
                    .collect();
                let keys = vec![*payer_key; acks.len()];
                !payer_key.is_weak() && ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok()
            };
        for (i, ack) in acks.iter().enumerate() {
            let r = if batch_ok {
                next.check_channel(ack).and_then(|_| next.check_fields(ack))
            } else {
                next.check(ack, payer_key)
            };
            r.map_err(|mut e| {
                e.what = format!("ack {} of {}: {}", i + 1, acks.len(), e.what);
                e
            })?;
            next.apply(ack);
        }
        *self = next;
        Ok(())
    }

    /// Records an ack as the channel's last (after `check`).
    pub fn apply(&mut self, ack: &Ack) {
        self.epoch = ack.epoch;
        self.nonce = ack.nonce;
        self.cumulative = ack.cumulative;
        self.preimage = ack.preimage;
    }

    /// `check` then `apply`: the in-memory heart of `msgl accept`.
    pub fn accept(&mut self, ack: &Ack, payer_key: &VerifyingKey) -> Result<()> {
        self.check(ack, payer_key)?;
        self.apply(ack);
        Ok(())
    }
}

fn stem(role: Role, peer: &PublicKey, generation: u64) -> String {
    format!("{}-{}-g{generation}", role.as_str(), hex::encode(peer))
}

/// `channels/<role>-<peer hex>-g<gen>.state.yaml`.
pub fn state_path(home: &Home, role: Role, peer: &PublicKey, generation: u64) -> PathBuf {
    home.path(CHANNELS_DIR)
        .join(format!("{}.state.yaml", stem(role, peer, generation)))
}

/// `channels/<role>-<peer hex>-g<gen>.open.yaml`.
pub fn open_path(home: &Home, role: Role, peer: &PublicKey, generation: u64) -> PathBuf {
    home.path(CHANNELS_DIR)
        .join(format!("{}.open.yaml", stem(role, peer, generation)))
}

/// The generations of this node's channels with `peer` in `role`, ascending.
pub fn generations(home: &Home, role: Role, peer: &PublicKey) -> Result<Vec<u64>> {
    let dir = home.path(CHANNELS_DIR);
    let prefix = format!("{}-{}-g", role.as_str(), hex::encode(peer));
    let mut gens = Vec::new();
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(gens),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    for e in rd {
        let e = e.map_err(|e| Error::io(&dir, e))?;
        let name = e.file_name();
        let name = name.to_string_lossy();
        if let Some(g) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".open.yaml"))
            .and_then(|g| g.parse::<u64>().ok())
        {
            gens.push(g);
        }
    }
    gens.sort_unstable();
    Ok(gens)
}

/// Every channel of this node (its state files), sorted by role, peer and
/// generation.
pub fn list(home: &Home) -> Result<Vec<ChannelState>> {
    let dir = home.path(CHANNELS_DIR);
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut all = Vec::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(&dir, e))?;
        if e.file_name().to_string_lossy().ends_with(".state.yaml") {
            all.push(ChannelState::load(&e.path())?);
        }
    }
    all.sort_by(|a, b| {
        let key = |c: &ChannelState| {
            (
                c.role == Role::In,
                if c.role == Role::Out {
                    c.payee
                } else {
                    c.payer
                },
                c.generation,
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(all)
}

fn peer_key(config: &Config, name: &str) -> Result<(String, PublicKey)> {
    let peer = config.peer(name)?;
    let key = keys::parse_public(&peer.key).map_err(|e| e.in_file(crate::home::CONFIG_FILE))?;
    Ok((peer.name.clone(), key))
}

fn ensure_dir(home: &Home, dir: &str) -> Result<PathBuf> {
    let p = home.path(dir);
    if !p.is_dir() {
        fsutil::mkdir(&p, true)?;
    }
    Ok(p)
}

/// Payer: opens the next generation of channel to `payee_name` with a chain
/// of `length` units. Stores the open, the state and the checkpoints.
pub fn open_channel(
    home: &Home,
    config: &Config,
    key: &SigningKey,
    payee_name: &str,
    length: u64,
    escrow: Decimal,
) -> Result<(String, Open)> {
    let (name, payee) = peer_key(config, payee_name)?;
    if length == 0 || length > chain::MAX_LENGTH {
        return Err(Error::input(format!("bad length {length}"))
            .hint(format!("--units between 1 and {}", chain::MAX_LENGTH)));
    }
    if escrow.is_sign_negative() && !escrow.is_zero() {
        return Err(Error::input("escrow cannot be negative"));
    }
    ensure_dir(home, CHANNELS_DIR)?;
    ensure_dir(home, "chains")?;
    // Under the journal's lock, like every writer of the home: a `msgl ack`
    // running meanwhile sees the new generation whole (open, chain, state)
    // or not at all.
    let _lock = append::lock(&home.journal_path())?;
    let generation = generations(home, Role::Out, &payee)?
        .last()
        .map_or(1, |g| g + 1);
    let secret = Zeroizing::new(key.to_bytes());
    let seed = chain::seed(&secret, &payee, generation);
    let chain = Chain::build(seed, length);
    let anchor = poseidon2::pack(&chain.anchor());
    let open = Open::signed(
        key,
        payee,
        generation,
        anchor,
        length,
        config.unit_price,
        escrow,
    )
    .map_err(|e| Error::input(e.what))?;
    // The open file claims the generation (never overwritten).
    fsutil::write_atomic(
        &open_path(home, Role::Out, &payee, generation),
        open.to_yaml().as_bytes(),
        false,
        Some(0o600),
    )?;
    chain::save(&chain::chain_path(home, &payee, generation), &chain)?;
    ChannelState::from_open(&open, Role::Out)
        .save(&state_path(home, Role::Out, &payee, generation), false)?;
    Ok((name, open))
}

/// Payee: verifies an open addressed to this node by a known peer and
/// records the channel. Returns the peer's name.
pub fn accept_open(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    text: &str,
) -> Result<(String, Open)> {
    let open = Open::from_yaml(text)?;
    crate::objects::check_domain(&open.domain, crate::objects::DOMAIN_OPEN, "channel open")?;
    let peer = config.peer_by_key(&open.payer).ok_or_else(|| {
        Error::check(format!(
            "the open's payer {} is not a known peer's key",
            hex::encode(open.payer)
        ))
        .hint("add the peer first: `msgl peer add NAME PUBKEY`")
    })?;
    open.verify()?;
    if &open.payee != me {
        return Err(Error::check(format!(
            "the open is addressed to {}, not to this node",
            hex::encode(open.payee)
        )));
    }
    if open.length == 0 || open.length > chain::MAX_LENGTH {
        return Err(Error::check(format!("bad channel length {}", open.length)));
    }
    if open.unit_price != config.unit_price {
        return Err(Error::check(format!(
            "the open's unit price {} is not this node's {}",
            open.unit_price, config.unit_price
        ))
        .hint("agree on the unit price, then open again"));
    }
    if poseidon2::unpack(&open.anchor).is_err() {
        return Err(Error::check("the anchor is not 8 canonical M31 elements"));
    }
    ensure_dir(home, CHANNELS_DIR)?;
    // Under the journal's lock: an accept meanwhile sees the channel whole.
    let _lock = append::lock(&home.journal_path())?;
    let op = open_path(home, Role::In, &open.payer, open.generation);
    if op.exists() {
        return Err(Error::check(format!(
            "channel generation {} from {} was already accepted",
            open.generation, peer.name
        ))
        .in_file(&op));
    }
    fsutil::write_atomic(&op, open.to_yaml().as_bytes(), false, Some(0o600))?;
    ChannelState::from_open(&open, Role::In).save(
        &state_path(home, Role::In, &open.payer, open.generation),
        false,
    )?;
    Ok((peer.name.clone(), open))
}

/// The amount of `price` units at `unit_price`.
pub fn units_amount(price: u64, unit_price: Decimal) -> Result<Decimal> {
    Decimal::from(price)
        .checked_mul(unit_price)
        .ok_or_else(|| Error::input("the amount is too large"))
}

/// The payer's MESSAGE RECEIVED for the ack named `ack_name`.
fn received_entry(
    peer: &str,
    message: &[u8; 32],
    price: u64,
    unit_price: Decimal,
    ack_name: &str,
) -> Result<append::NewEntry> {
    let amount = units_amount(price, unit_price)?;
    Ok(append::NewEntry::new(crate::journal::MESSAGE_RECEIVED)
        .posting(
            format!(
                "Liabilities:AccountsPayable:{peer}:{}",
                hex::encode(&message[..8])
            ),
            Some(Amount::new(amount, None)),
        )
        .comment(format!("ack: {ack_name}")))
}

/// Whether the journal holds any of `needles`: its last 64 KiB first (where the
/// latest entries are), the whole file only if not found there.
pub(crate) fn journal_contains(path: &Path, needles: &[&str]) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
    let start = len.saturating_sub(64 << 10);
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(start))
        .and_then(|_| f.read_to_end(&mut buf))
        .map_err(|e| Error::io(path, e))?;
    let found = |b: &[u8]| {
        needles
            .iter()
            .any(|n| memchr::memmem::find(b, n.as_bytes()).is_some())
    };
    if found(&buf) {
        return Ok(true);
    }
    if start == 0 {
        return Ok(false);
    }
    let all = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(found(&all))
}

/// Payer: books the channel's last ack if an interrupted `msgl ack` signed
/// and recorded it but did not book it.
fn book_interrupted(peer: &str, state: &ChannelState, locked: &mut append::Locked) -> Result<()> {
    let (Some(name), Some(msg), Some(price)) =
        (&state.last_ack, &state.last_message, state.last_price)
    else {
        return Ok(());
    };
    if journal_contains(locked.path(), &[&format!("; ack: {name}")])? {
        return Ok(());
    }
    let mut message = [0u8; 32];
    hex::decode_to_slice(msg, &mut message)
        .map_err(|_| Error::input("bad last_message in the channel state"))?;
    locked.append(received_entry(
        peer,
        &message,
        price,
        state.unit_price,
        name,
    )?)?;
    Ok(())
}

/// The generation of the latest channel this node opened to `payee`.
fn latest_out(home: &Home, name: &str, payee: &PublicKey) -> Result<u64> {
    generations(home, Role::Out, payee)?
        .last()
        .copied()
        .ok_or_else(|| {
            Error::input(format!("no channel open to {name}"))
                .hint(format!("open one: `msgl open --to {name} --units N`"))
        })
}

/// What `book_settled` booked for one channel.
pub struct SettledBooking {
    pub peer: String,
    /// This node was paid (true) or paid (false).
    pub paid_to_me: bool,
    pub units: u64,
    pub amount: Decimal,
    /// `None`: the journal already had it (`; settled:` tag).
    pub booked: Option<append::Booked>,
}

/// Books SETTLED for every entry of a mined settlement on a channel of
/// this home (others are not ours and are skipped), for the units from
/// `booked_to(channel)` — the count this home last recorded as settled, 0
/// if none — to the entry's new count (so a settlement this home never
/// recorded is booked with the next one it records): the payee's A/R with
/// the payer shrinks and its cash grows (the contract pays the payee's
/// wallet); the payer's A/P shrinks and so does its deposit (the contract
/// pays from escrow, then deposit; both are `Assets:Contract:Deposit` in
/// these books unless an ESCROW entry moved it). Each entry carries `;
/// settled: <channel16>-<new count>`; one already in the journal is not
/// booked again, so a rerun, or a run after a crash, books each once.
pub fn book_settled(
    home: &Home,
    config: &Config,
    locked: &mut append::Locked,
    entries: &[msgl_circuits::Entry],
    booked_to: &dyn Fn(&[u8; 32]) -> u64,
    shortfall: &dyn Fn(&[u8; 32]) -> Decimal,
) -> Result<Vec<SettledBooking>> {
    let channels = list(home)?;
    let mut out = Vec::new();
    for e in entries {
        let Some(c) = channels.iter().find(|c| c.anchor == e.channel) else {
            continue;
        };
        let paid_to_me = c.role == Role::In;
        let peer_key = if paid_to_me { c.payer } else { c.payee };
        let Some(peer) = config.peer_by_key(&peer_key) else {
            continue;
        };
        let tag = format!("settled: {}-{}", c.short_id(), e.new_count);
        // The count ends at a newline or a comma (`-1` is a prefix of `-10`).
        let done = journal_contains(
            locked.path(),
            &[&format!("; {tag}\n"), &format!("; {tag},")],
        )?;
        let units = e.new_count.saturating_sub(booked_to(&e.channel));
        if units == 0 && !done {
            continue;
        }
        let owed = units_amount(units, c.unit_price)?;
        let short = shortfall(&e.channel);
        if short > owed {
            return Err(Error::input(format!(
                "--shortfall {short} on channel {} is more than the {owed} settled",
                c.short_id()
            ))
            .hint("the Shortfall event's owed minus paid"));
        }
        let amount = (owed - short).normalize();
        let booked = if done {
            None
        } else {
            let sub = format!("settled-{}-{}", c.short_id(), e.new_count);
            let minus = Some(Amount::new(-amount, None));
            let plus = Some(Amount::new(amount, None));
            let entry = if paid_to_me {
                append::NewEntry::new(SETTLED)
                    .posting(
                        format!("Assets:AccountsReceivable:{}:{sub}", peer.name),
                        minus,
                    )
                    .posting(format!("Assets:Cash:{}", config.token), plus)
            } else {
                append::NewEntry::new(SETTLED)
                    .posting(
                        format!("Liabilities:AccountsPayable:{}:{sub}", peer.name),
                        minus.clone(),
                    )
                    .posting("Assets:Contract:Deposit", minus)
            };
            let comment = if short.is_zero() {
                tag
            } else {
                format!("{tag}, shortfall: {}", short.normalize())
            };
            Some(locked.append(entry.comment(comment))?)
        };
        out.push(SettledBooking {
            peer: peer.name.clone(),
            paid_to_me,
            units,
            amount,
            booked,
        });
    }
    Ok(out)
}

/// The description of a mined settlement's entry.
pub const SETTLED: &str = "SETTLED";

/// What `issue_ack` did.
pub struct Issued {
    pub peer: String,
    pub ack: Ack,
    pub booked: append::Booked,
}

/// Payer: signs the next cumulative ack to `payee_name` for a message of
/// `price` units, writes it to `out` (if given; never overwriting), records
/// it in the channel state and books MESSAGE RECEIVED — all under the
/// journal's lock.
pub fn issue_ack(
    home: &Home,
    config: &Config,
    key: &SigningKey,
    payee_name: &str,
    message: [u8; 32],
    price: u64,
    out: Option<&Path>,
) -> Result<Issued> {
    let (name, payee) = peer_key(config, payee_name)?;
    if price == 0 {
        return Err(Error::input("--price must be at least 1 unit"));
    }
    let mut locked = append::lock(&home.journal_path())?;
    crate::recon::finish_interrupted(home, &payee, &name, &locked)?;
    let generation = latest_out(home, &name, &payee)?;
    let sp = state_path(home, Role::Out, &payee, generation);
    let mut state = ChannelState::load(&sp)?;
    book_interrupted(&name, &state, &mut locked)?;
    let cumulative = state.cumulative.saturating_add(price);
    if cumulative > state.length {
        return Err(Error::check(format!(
            "cumulative {cumulative} would exceed the length {} of channel generation {generation} to {name}",
            state.length
        ))
        .hint(format!(
            "{} units left; open a new channel: `msgl open --to {name} --units N`",
            state.length - state.cumulative
        )));
    }
    let secret = Zeroizing::new(key.to_bytes());
    let seed = chain::seed(&secret, &payee, generation);
    let chain = chain::load_or_rebuild(
        &chain::chain_path(home, &payee, generation),
        seed,
        state.length,
        &state.anchor,
    )?;
    let w = chain.get(cumulative);
    if poseidon2::pack(&poseidon2::hash_n(&w, price)) != state.preimage {
        return Err(
            Error::check("the chain does not continue the channel's last preimage")
                .in_file(&sp)
                .hint("the channel state or the checkpoints are damaged"),
        );
    }
    let ack = Ack::signed(
        key,
        AckFields {
            payee,
            generation,
            epoch: state.epoch,
            nonce: state.nonce + 1,
            message,
            price,
            cumulative,
            preimage: poseidon2::pack(&w),
        },
    );
    let ack_name = format!("{}-{:010}", state.short_id(), ack.nonce);
    // The payer's copy, for `msgl ack --resend` when the payee never got
    // it; replaced if an interrupted issue left one for this nonce (the
    // state, written next, is the commit point).
    let kept = home.path(&sent_file(&ack_name));
    ensure_dir(home, SENT_DIR)?; // a home made before sent/ was kept
    let yaml = ack.to_yaml();
    fsutil::write_atomic(&kept, yaml.as_bytes(), true, Some(0o600))?;
    let undo = |out: Option<&Path>| {
        let _ = std::fs::remove_file(&kept);
        if let Some(path) = out {
            let _ = std::fs::remove_file(path);
        }
    };
    if let Some(path) = out {
        if let Err(e) = fsutil::write_new(path, yaml.as_bytes()) {
            undo(None);
            return Err(e);
        }
    }
    let previous = state.clone();
    state.apply(&ack);
    state.last_ack = Some(ack_name.clone());
    state.last_message = Some(hex::encode(message));
    state.last_price = Some(price);
    if let Err(e) = state.save(&sp, true) {
        undo(out);
        return Err(e);
    }
    let entry = received_entry(&name, &message, price, state.unit_price, &ack_name)?;
    let booked = match locked.append(entry) {
        Ok(b) => b,
        Err(e) => {
            // Not booked: the ack was not issued.
            let _ = previous.save(&sp, true);
            undo(out);
            return Err(e);
        }
    };
    Ok(Issued {
        peer: name,
        ack,
        booked,
    })
}

/// Where the payer keeps the acks it issued.
pub const SENT_DIR: &str = "sent";

/// `sent/<channel id, 16 hex>-<nonce, 10 digits>.yaml` for an ack named
/// `<channel16>-<nonce>`.
fn sent_file(ack_name: &str) -> String {
    format!("{SENT_DIR}/{ack_name}.yaml")
}

/// Payer: an ack already issued on the latest channel to `payee_name`
/// (`nonce`, default the last), from `sent/`, for a payee that never got
/// it. Nothing is signed anew or booked: the bytes are the ack's own, and
/// it is checked (ours, this channel, this nonce, a valid signature) before
/// it is handed out.
pub fn resend_ack(
    home: &Home,
    config: &Config,
    payee_name: &str,
    nonce: Option<u64>,
) -> Result<(String, Ack)> {
    let (name, payee) = peer_key(config, payee_name)?;
    let me = home.public_key()?;
    let generation = latest_out(home, &name, &payee)?;
    let state = ChannelState::load(&state_path(home, Role::Out, &payee, generation))?;
    let n = nonce.unwrap_or(state.nonce);
    if n == 0 || n > state.nonce {
        return Err(Error::input(format!(
            "no ack {n} was issued to {name} on channel generation {generation}"
        ))
        .hint(format!("its acks run from nonce 1 to {}", state.nonce)));
    }
    let path = home.path(&sent_file(&format!("{}-{n:010}", state.short_id())));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::input(format!("ack {n} to {name} was not kept"))
                .in_file(&path)
                .hint("only acks issued by a msgl that keeps sent/ can be re-sent")
        } else {
            Error::io(&path, e)
        }
    })?;
    let ack = Ack::from_yaml(&text).map_err(|e| e.in_file(&path))?;
    let ours = ack.payer == me
        && ack.payee == payee
        && ack.generation == generation
        && ack.nonce == n
        && ack.verify().is_ok();
    if !ours {
        return Err(
            Error::check("the kept ack is not this channel's ack at this nonce")
                .in_file(&path)
                .hint("sent/ was changed by hand; the payee will refuse it"),
        );
    }
    Ok((name, ack))
}

/// `acks/<channel id, 16 hex>-<nonce, 10 digits>.yaml`.
fn ack_file(state: &ChannelState, nonce: u64) -> String {
    format!("acks/{}-{nonce:010}.yaml", state.short_id())
}

/// The payee's MESSAGE SENT for an ack stored as `file`.
fn sent_entry(peer: &str, ack: &Ack, unit_price: Decimal, file: &str) -> Result<append::NewEntry> {
    let amount = units_amount(ack.price, unit_price)?;
    Ok(append::NewEntry::new(crate::journal::MESSAGE_SENT)
        .posting(
            format!(
                "Assets:AccountsReceivable:{peer}:{}",
                hex::encode(&ack.message[..8])
            ),
            Some(Amount::new(amount, None)),
        )
        .comment(format!("ack: {file}")))
}

/// Finishes an accept that was interrupted after its ack was stored (a
/// crash before the state was replaced): while `acks/` holds the ack after
/// the state's last, that ack (checked before it was stored) is booked if
/// the journal lacks its `; ack:` tag, and the state advances. The normal
/// path costs one `stat`. Returns the files it completed.
fn roll_forward(
    home: &Home,
    peer: &str,
    state: &mut ChannelState,
    sp: &Path,
    locked: &mut append::Locked,
) -> Result<Vec<String>> {
    let mut done = Vec::new();
    loop {
        let file = ack_file(state, state.nonce + 1);
        let path = home.path(&file);
        if !path.exists() {
            return Ok(done);
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let stored = Ack::from_yaml(&text).map_err(|e| e.in_file(&path))?;
        state
            .check_channel(&stored)
            .and_then(|_| state.check_fields(&stored))
            .map_err(|e| {
                Error::input(format!(
                    "a stored ack does not continue the channel's state: {}",
                    e.what
                ))
                .in_file(&path)
                .hint("an interrupted accept left acks/ and channels/ apart; repair by hand")
            })?;
        let journal =
            std::fs::read_to_string(locked.path()).map_err(|e| Error::io(locked.path(), e))?;
        if !journal.contains(&format!("; ack: {file}")) {
            locked.append(sent_entry(peer, &stored, state.unit_price, &file)?)?;
        }
        state.apply(&stored);
        state.last_ack = Some(file.clone());
        state.save(sp, true)?;
        done.push(file);
    }
}

/// What `accept_ack` did.
pub struct Accepted {
    pub peer: String,
    pub ack: Ack,
    /// `acks/<file>`, relative to the home.
    pub file: String,
    pub booked: append::Booked,
}

/// Payee: checks an ack (domain, addressee, signer, then the channel's
/// nonce, cumulative, price and preimage) and, under the journal's lock,
/// stores it in `acks/` then books MESSAGE SENT, then advances the channel
/// state. A refused ack leaves nothing behind.
pub fn accept_ack(home: &Home, config: &Config, me: &PublicKey, text: &str) -> Result<Accepted> {
    let ack = Ack::from_yaml(text)?;
    crate::objects::check_domain(&ack.domain, crate::objects::DOMAIN_ACK, "ack")?;
    if &ack.payee != me {
        return Err(Error::check(format!(
            "the ack is addressed to {}, not to this node",
            hex::encode(ack.payee)
        )));
    }
    let peer = config.peer_by_key(&ack.payer).ok_or_else(|| {
        Error::check(format!(
            "the ack's payer {} is not a known peer's key",
            hex::encode(ack.payer)
        ))
        .hint("acks are accepted only from peers in msgl.yaml")
    })?;
    let payer_key = keys::verifying(&ack.payer)?;
    let mut locked = append::lock(&home.journal_path())?;
    crate::recon::finish_interrupted(home, &ack.payer, &peer.name, &locked)?;
    let sp = state_path(home, Role::In, &ack.payer, ack.generation);
    if !sp.exists() {
        return Err(Error::check(format!(
            "no accepted channel generation {} from {}",
            ack.generation, peer.name
        ))
        .hint("accept the payer's open first: `msgl accept-open FILE`"));
    }
    let mut state = ChannelState::load(&sp)?;
    let completed = roll_forward(home, &peer.name, &mut state, &sp, &mut locked)?;
    if ack.nonce <= state.nonce {
        // The same ack again (a retry after a crash or a timeout): say so.
        let file = ack_file(&state, ack.nonce);
        let stored = std::fs::read_to_string(home.path(&file)).ok();
        if stored.is_some_and(|t| Ack::from_yaml(&t).is_ok_and(|s| s == ack)) {
            return Err(Error::check(format!(
                "already accepted: {file} holds this ack (nonce {} is not above the last accepted nonce {})",
                ack.nonce, state.nonce
            ))
            .hint(if completed.contains(&file) {
                "an interrupted accept had stored it; its booking was completed now, once"
            } else {
                "it is stored and booked once; nothing was booked again"
            }));
        }
    }
    state.check(&ack, &payer_key)?;
    let file = ack_file(&state, ack.nonce);
    let path = home.path(&file);
    ensure_dir(home, "acks")?;
    if path.exists() {
        return Err(Error::check(format!(
            "{file} already exists: a replayed ack"
        )));
    }
    fsutil::write_new(&path, ack.to_yaml().as_bytes())?;
    let entry = sent_entry(&peer.name, &ack, state.unit_price, &file)?;
    let booked = match locked.append(entry) {
        Ok(b) => b,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
    };
    state.apply(&ack);
    state.last_ack = Some(file.clone());
    state.save(&sp, true)?;
    Ok(Accepted {
        peer: peer.name.clone(),
        ack,
        file,
        booked,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(n: u64) -> (SigningKey, ChannelState, Vec<Ack>) {
        let payer = SigningKey::from_bytes(&[1; 32]);
        let payee = SigningKey::from_bytes(&[2; 32]).verifying_key().to_bytes();
        let chain = Chain::build(chain::seed(&payer.to_bytes(), &payee, 1), n);
        let open = Open::signed(
            &payer,
            payee,
            1,
            poseidon2::pack(&chain.anchor()),
            n,
            Decimal::new(1, 5),
            Decimal::ZERO,
        )
        .unwrap();
        let acks = (1..=n)
            .map(|i| {
                Ack::signed(
                    &payer,
                    AckFields {
                        payee,
                        generation: 1,
                        epoch: 0,
                        nonce: i,
                        message: [i as u8; 32],
                        price: 1,
                        cumulative: i,
                        preimage: poseidon2::pack(&chain.get(i)),
                    },
                )
            })
            .collect();
        (payer, ChannelState::from_open(&open, Role::In), acks)
    }

    #[test]
    fn batches_are_all_or_nothing() {
        let (payer, mut state, mut acks) = setup(20);
        let key = payer.verifying_key();
        let fresh = state.clone();
        acks[7].message[0] ^= 1;
        let e = state.accept_batch(&acks, &key).unwrap_err();
        assert!(
            e.what.starts_with("ack 8 of 20: bad signature"),
            "{}",
            e.what
        );
        assert_eq!(state, fresh);
        acks[7].message[0] ^= 1;
        acks.swap(3, 4);
        let e = state.accept_batch(&acks, &key).unwrap_err();
        assert!(e.what.starts_with("ack 4 of 20: cumulative"), "{}", e.what);
        assert_eq!(state, fresh);
        acks.swap(3, 4);
        state.accept_batch(&acks[..10], &key).unwrap();
        state.accept_batch(&acks[10..], &key).unwrap();
        assert_eq!((state.nonce, state.cumulative), (20, 20));
        let mut one = fresh.clone();
        for a in &acks {
            one.accept(a, &key).unwrap();
        }
        assert_eq!(one, state);
    }
}
