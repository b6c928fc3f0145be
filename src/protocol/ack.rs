//! Acks: the payer signs one per message received and books MESSAGE
//! RECEIVED; the payee checks it, keeps it and books MESSAGE SENT
//! (docs/DESIGN.md D3).
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

use ed25519_dalek::{SigningKey, VerifyingKey};
use msgl_circuits::poseidon2;
use zeroize::Zeroizing;

use super::channel::{self, Cache, Channel, Role};
use super::open::peer_key;
use super::Refusal;
use crate::error::{Error, Result};
use crate::hashchain::{self, Walker};
use crate::home::{Config, Home};
use crate::journal::append::{Booked, NewEntry};
use crate::journal::{Amount, MESSAGE_RECEIVED, MESSAGE_SENT};
use crate::keys::{self, PublicKey};
use crate::objects::ack::{ack_name, AckFields};
use crate::objects::{check_domain, Ack, DOMAIN_ACK};
use crate::store::{log, Tx};

/// The journal entry of an ack: MESSAGE SENT (payee) or MESSAGE RECEIVED
/// (payer), one posting on the peer's sub-account of the message (its
/// first 16 hex digits), `; ack: <channel id>-<nonce>`.
pub fn entry(role: Role, peer: &str, ack: &Ack, open: &crate::objects::Open) -> Result<NewEntry> {
    let amount = open.amount_of(ack.price)?;
    let (kind, account) = match role {
        Role::In => (MESSAGE_SENT, "Assets:AccountsReceivable"),
        Role::Out => (MESSAGE_RECEIVED, "Liabilities:AccountsPayable"),
    };
    Ok(NewEntry::new(kind)
        .posting(
            format!("{account}:{peer}:{}", hex::encode(&ack.message[..8])),
            Some(Amount::new(amount, None)),
        )
        .comment(format!("ack: {}", ack.name())))
}

/// What a payer's session signed and booked.
pub struct Issued {
    pub peer: String,
    pub ack: Ack,
    pub booked: Booked,
}

/// A payer signing acks on its latest channel to one payee, under the
/// home's lock: [`sign`](Self::sign) stages, [`commit`](Self::commit)
/// writes (sent log and journal together).
pub struct PayerSession<'h> {
    home: &'h Home,
    key: SigningKey,
    peer: String,
    channel: Channel,
    walker: Walker,
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
        let (peer, payee) = peer_key(config, payee_name)?;
        let me = key.verifying_key().to_bytes();
        let tx = Tx::begin(home)?;
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
        Ok(PayerSession {
            home,
            key,
            peer,
            channel,
            walker: chain.walker(),
            tx,
            staged: Vec::new(),
        })
    }

    /// The payee's name.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// Signs the next ack for `message` at `price` units and stages it
    /// (nothing is written until `commit`).
    pub fn sign(&mut self, message: [u8; 32], price: u64) -> Result<Ack> {
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
        let ack = Ack::signed(
            &self.key,
            AckFields {
                channel: c.id(),
                payee: c.open.payee,
                nonce: c.nonce + 1,
                message,
                price,
                cumulative,
                preimage: poseidon2::pack(&w),
            },
        );
        let booking = entry(Role::Out, &self.peer, &ack, &c.open)?;
        self.tx.log(c.log_path(self.home), &ack.to_json())?;
        self.tx.book(booking);
        self.channel.apply(&ack);
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
                peer: self.peer.clone(),
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

/// The checks of an ack that need neither the lock nor the channel's
/// position: domain, addressee, known payer, signature.
fn check_signed(config: &Config, me: &PublicKey, ack: &Ack) -> Result<(String, VerifyingKey)> {
    if check_domain(&ack.domain, DOMAIN_ACK, "ack").is_err() {
        return Err(Refusal::BadSignature {
            detail: format!(
                "wrong domain `{}` for ack (expected `{DOMAIN_ACK}`)",
                ack.domain
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
    let peer = config
        .peer_by_key(&ack.payer)
        .ok_or_else(|| Refusal::UnknownPeer {
            kind: "ack",
            key: hex::encode(ack.payer),
        })?
        .name
        .clone();
    let key = keys::verifying(&ack.payer)?;
    ack.verify_with(&key)
        .map_err(|e| Refusal::BadSignature { detail: e.what })?;
    Ok((peer, key))
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
    let key =
        keys::verifying(&c.open.payer).map_err(|e| Refusal::BadSignature { detail: e.what })?;
    ack.verify_with(&key)
        .map_err(|e| Refusal::BadSignature { detail: e.what })?;
    check_position(c, ack, true)
}

/// As [`check`] for a run of consecutive acks of one channel, all or
/// nothing: the signatures verified together (ed25519 batch verification,
/// about twice as fast per ack), then each ack against the channel as the
/// ones before it moved it. On a refusal `c` is unchanged and the error
/// gives the position of the first refused ack.
pub fn check_run(c: &mut Channel, acks: &[Ack]) -> std::result::Result<(), (usize, Refusal)> {
    let key = keys::verifying(&c.open.payer)
        .map_err(|e| (0, Refusal::BadSignature { detail: e.what }))?;
    let batch_ok = !key.is_weak()
        && acks
            .iter()
            .all(|a| a.payer == c.open.payer && a.domain == DOMAIN_ACK && a.channel == c.id())
        && {
            let msgs: Vec<Vec<u8>> = acks.iter().map(Ack::signing_bytes).collect();
            let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
            let sigs: Vec<ed25519_dalek::Signature> = acks
                .iter()
                .map(|a| ed25519_dalek::Signature::from_bytes(&a.signature))
                .collect();
            ed25519_dalek::verify_batch(&refs, &sigs, &vec![key; acks.len()]).is_ok()
        };
    let mut next = c.clone();
    for (i, a) in acks.iter().enumerate() {
        let r = if batch_ok {
            check_position(&next, a, true)
        } else {
            check(&next, a)
        };
        r.map_err(|e| (i, e))?;
        next.apply(a);
    }
    *c = next;
    Ok(())
}

/// Payee: every check of an ack that needs no lock — the signature, and
/// the hash walk against the channel as it stands now (at most the
/// channel's `max_price` hashes). [`PayeeSession::accept`] finishes under
/// the lock.
pub fn precheck(home: &Home, config: &Config, me: &PublicKey, ack: Ack) -> Result<Prechecked> {
    let (peer, _) = check_signed(config, me, &ack)?;
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
pub struct Accepted {
    pub peer: String,
    pub ack: Ack,
    pub booked: Booked,
}

/// A payee accepting acks under the home's lock: [`accept`](Self::accept)
/// stages one (or refuses it, staging nothing), [`commit`](Self::commit)
/// writes the staged ones (ack logs, then the journal: the commit point).
pub struct PayeeSession<'h> {
    home: &'h Home,
    me: PublicKey,
    tx: Tx,
    cache: Cache,
    staged: Vec<(String, Ack)>,
}

impl<'h> PayeeSession<'h> {
    pub fn begin(home: &'h Home, me: PublicKey) -> Result<Self> {
        Ok(PayeeSession {
            home,
            me,
            tx: Tx::begin(home)?,
            cache: Cache::default(),
            staged: Vec::new(),
        })
    }

    /// Finishes the checks of a prechecked ack against the channel as it
    /// is now (staged acks included) and stages it. A refusal stages
    /// nothing.
    pub fn accept(&mut self, p: Prechecked) -> Result<()> {
        let c = self
            .cache
            .get(self.home, &self.me, &p.ack.channel)?
            .ok_or_else(|| Refusal::UnknownChannel {
                channel: hex::encode(p.ack.channel),
            })?;
        if p.ack.nonce <= c.nonce {
            // The same ack again (a retry after a crash or a timeout)?
            let stored = log::find(&c.log_path(self.home), p.ack.nonce)?;
            if stored.as_ref() == Some(&p.ack) {
                return Err(Refusal::AlreadyAccepted { name: p.ack.name() }.into());
            }
        }
        let walked = p.position == Some((c.nonce, c.cumulative, c.preimage));
        check_position(c, &p.ack, !walked)?;
        let booking = entry(Role::In, &p.peer, &p.ack, &c.open)?;
        self.tx.log(c.log_path(self.home), &p.ack.to_json())?;
        self.tx.book(booking);
        c.apply(&p.ack);
        self.staged.push((p.peer, p.ack));
        Ok(())
    }

    /// How many acks are staged.
    pub fn staged(&self) -> usize {
        self.staged.len()
    }

    /// Writes the staged acks; returns them with their bookings. On
    /// failure nothing of them stays and the channels are read anew.
    pub fn commit(&mut self) -> Result<Vec<Accepted>> {
        match self.tx.commit() {
            Ok(booked) => Ok(std::mem::take(&mut self.staged)
                .into_iter()
                .zip(booked)
                .map(|((peer, ack), booked)| Accepted { peer, ack, booked })
                .collect()),
            Err(e) => {
                self.staged.clear();
                self.cache.clear();
                Err(e)
            }
        }
    }
}

/// Payee: checks one ack (YAML or JSON text) and, under the lock, keeps
/// it in the channel's log and books MESSAGE SENT. A refused ack leaves
/// nothing behind.
pub fn accept(home: &Home, config: &Config, me: &PublicKey, text: &str) -> Result<Accepted> {
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
) -> (Vec<Accepted>, Option<Error>) {
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

/// The tag `ack: <channel>-<nonce>` of an ack's journal entry.
pub fn tag(channel: &[u8; 32], nonce: u64) -> String {
    format!("ack: {}", ack_name(channel, nonce))
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
