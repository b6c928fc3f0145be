//! Booking a mined settlement (docs/DESIGN.md D5): SETTLED entries for the
//! channels of this home that a statement moved.

use super::channel::{self, Role};
use crate::error::{Error, Result};
use crate::home::{Config, Home};
use crate::journal::append::{Booked, NewEntry};
use crate::journal::{Amount, Decimal};
use crate::keys::PublicKey;
use crate::store::Tx;

/// The description of a mined settlement's entry.
pub const SETTLED: &str = "SETTLED";

/// What `book_settled` booked for one channel.
pub struct SettledBooking {
    pub peer: String,
    /// This node was paid (true) or paid (false).
    pub paid_to_me: bool,
    pub units: u64,
    pub amount: Decimal,
    /// `None`: the journal already had it (`; settled:` tag).
    pub booked: Option<Booked>,
}

/// Books SETTLED for every entry of a mined settlement on a channel of
/// this home (others are not ours and are skipped), for the units from
/// `booked_to(channel)` — the count this home last recorded as settled, 0
/// if none — to the entry's new count: the payee's A/R with the payer
/// shrinks and its cash grows; the payer's A/P shrinks and so does its
/// deposit. Each entry carries `; settled: <channel16>-<new count>`; one
/// already in the journal is not booked again, so a rerun books each once.
pub fn book_settled(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    tx: &mut Tx,
    entries: &[msgl_circuits::Entry],
    booked_to: &dyn Fn(&[u8; 32]) -> u64,
    shortfall: &dyn Fn(&[u8; 32]) -> Decimal,
) -> Result<Vec<SettledBooking>> {
    let channels = channel::list(home, me)?;
    let mut out = Vec::new();
    let mut staged = Vec::new();
    for e in entries {
        let Some(c) = channels.iter().find(|c| c.id() == e.channel) else {
            continue;
        };
        let paid_to_me = c.role == Role::In;
        let Some(peer) = config.peer_by_key(&c.peer()) else {
            continue;
        };
        let short_id = hex::encode(&e.channel[..8]);
        let tag = format!("settled: {short_id}-{}", e.new_count);
        // The count ends at a newline or a comma (`-1` is a prefix of `-10`).
        let done = crate::journal::contains(
            tx.journal_path(),
            &[&format!("; {tag}\n"), &format!("; {tag},")],
        )?;
        let units = e.new_count.saturating_sub(booked_to(&e.channel));
        if units == 0 && !done {
            continue;
        }
        let owed = c.open.amount_of(units)?;
        let short = shortfall(&e.channel);
        if short > owed {
            return Err(Error::input(format!(
                "--shortfall {short} on channel {short_id} is more than the {owed} settled"
            ))
            .hint("the Shortfall event's owed minus paid"));
        }
        let amount = (owed - short).normalize();
        if !done {
            let sub = format!("settled-{short_id}-{}", e.new_count);
            let minus = Some(Amount::new(-amount, None));
            let plus = Some(Amount::new(amount, None));
            let entry = if paid_to_me {
                NewEntry::new(SETTLED)
                    .posting(
                        format!("Assets:AccountsReceivable:{}:{sub}", peer.name),
                        minus,
                    )
                    .posting(format!("Assets:Cash:{}", config.token), plus)
            } else {
                NewEntry::new(SETTLED)
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
            tx.book(entry.comment(comment));
            staged.push(out.len());
        }
        out.push(SettledBooking {
            peer: peer.name.clone(),
            paid_to_me,
            units,
            amount,
            booked: None,
        });
    }
    for (i, b) in staged.into_iter().zip(tx.commit()?) {
        out[i].booked = Some(b);
    }
    Ok(out)
}
