//! `msgl check --evidence`: the journal against the signed evidence the
//! home keeps (docs/DESIGN.md §6.7). Every MESSAGE SENT / MESSAGE RECEIVED
//! entry must book an ack of a log (`; ack: <channel>-<nonce>`) once, on
//! the peer's sub-account of that message, for that ack's price at the
//! channel's unit price; every ack in a log must be booked; each log must
//! be a valid chain of its channel (signatures, nonces, cumulatives,
//! preimages); every RECONCILED entry must book its co-signed agreement's
//! items and totals; every agreement stored must be booked. Hand edits —
//! an entry deleted, an amount changed, a sequence number reused — show
//! here as entries and evidence that no longer meet.

use std::collections::HashMap;
use std::path::Path;

use msgl_poseidon2 as poseidon2;

use super::channel::{self, Role};
use super::reconcile::{parse_ack_tag, RECONCILED};
use crate::error::Result;
use crate::home::{Config, Home};
use crate::journal::{Decimal, Journal, MESSAGE_RECEIVED, MESSAGE_SENT};
use crate::keys::PublicKey;
use crate::objects::Recon;
use crate::store::{self, log};

/// One way the journal and the evidence disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    pub file: String,
    /// 1-based; 0 when the whole file is meant.
    pub line: usize,
    pub what: String,
    pub hint: String,
}

impl std::fmt::Display for Discrepancy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = crate::error::Error::input(self.what.clone()).hint(self.hint.clone());
        // Reuse the error's escaping of text that came from files.
        let text = what.to_string();
        let text = text.strip_prefix("msgl: ").unwrap_or(&text);
        if self.line == 0 {
            write!(f, "{}: {text}", self.file)
        } else {
            write!(f, "{}:{}: {text}", self.file, self.line)
        }
    }
}

/// A journal entry that books an ack.
struct Booking {
    line: usize,
    kind: &'static str,
    segment: Option<String>,
    peer: Option<String>,
    amount: Option<Decimal>,
    seen: bool,
}

/// Every discrepancy between `journal` (read from `file`) and the home's
/// evidence, in file order.
pub fn check(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    journal: &Journal,
    file: &str,
) -> Result<Vec<Discrepancy>> {
    let mut out = Vec::new();
    let mut bookings: HashMap<([u8; 32], u64), Booking> = HashMap::new();
    let mut recon_tags: HashMap<String, usize> = HashMap::new();
    for e in &journal.entries {
        let kind = match e.description.as_str() {
            MESSAGE_SENT => MESSAGE_SENT,
            MESSAGE_RECEIVED => MESSAGE_RECEIVED,
            RECONCILED => {
                match e.tag("recon") {
                    Some(f) => {
                        if let Some(first) = recon_tags.insert(f.to_string(), e.line) {
                            out.push(Discrepancy {
                                file: file.into(),
                                line: e.line,
                                what: format!(
                                    "agreement {f} is booked again (first at line {first})"
                                ),
                                hint: "an entry was copied by hand; remove the second".into(),
                            });
                        }
                    }
                    None => out.push(Discrepancy {
                        file: file.into(),
                        line: e.line,
                        what: "RECONCILED without its agreement (`; recon:` tag)".into(),
                        hint: "booked by hand? reconcile with `msgl reconcile`".into(),
                    }),
                }
                continue;
            }
            _ => continue,
        };
        let Some((id, nonce)) = e.tag("ack").and_then(parse_ack_tag) else {
            out.push(Discrepancy {
                file: file.into(),
                line: e.line,
                what: format!("{kind} without a signed ack (`; ack: <channel>-<nonce>` tag)"),
                hint: "booked by hand? a message is booked by `msgl ack` or `msgl accept`".into(),
            });
            continue;
        };
        let p = e.postings.first();
        let (peer, segment) = match p.map(|p| p.account.splitn(4, ':').collect::<Vec<_>>()) {
            Some(s) if s.len() == 4 => (Some(s[2].to_string()), Some(s[3].to_string())),
            _ => (None, None),
        };
        let b = Booking {
            line: e.line,
            kind,
            segment,
            peer,
            amount: p.and_then(|p| p.amount.as_ref()).map(|a| a.quantity),
            seen: false,
        };
        if let Some(first) = bookings.insert((id, nonce), b) {
            out.push(Discrepancy {
                file: file.into(),
                line: e.line,
                what: format!(
                    "ack {} is booked twice (first at line {})",
                    crate::objects::ack::ack_name(&id, nonce),
                    first.line
                ),
                hint: "an entry was copied by hand, or a sequence number reused".into(),
            });
        }
    }

    for c in channel::list(home, me)? {
        let path = c.log_path(home);
        let name = path.display().to_string();
        let peer_name = config.peer_by_key(&c.peer()).map(|p| p.name.clone());
        let want_kind = match c.role {
            Role::In => MESSAGE_SENT,
            Role::Out => MESSAGE_RECEIVED,
        };
        let mut prev = channel::Channel::fresh(c.open.clone(), c.role);
        let payer = crate::keys::strict(&c.open.payer)?;
        log::for_each(&path, |line, ack| {
            let mut bad = |what: String, hint: &str| {
                out.push(Discrepancy {
                    file: name.clone(),
                    line,
                    what,
                    hint: hint.into(),
                })
            };
            let chain_ok = ack.channel == c.id()
                && ack.payer == c.open.payer
                && ack.payee == c.open.payee
                && ack.nonce > prev.nonce
                && ack.price >= 1
                && prev.cumulative.checked_add(ack.price) == Some(ack.cumulative)
                && ack.cumulative <= c.open.length
                && poseidon2::unpack(&ack.preimage).is_ok_and(|w| {
                    poseidon2::pack(&poseidon2::hash_n(&w, ack.price)) == prev.preimage
                });
            if ack.verify_with(&payer).is_err() {
                bad(
                    format!("ack {}: bad signature", ack.name()),
                    "the log was changed by hand",
                );
            } else if !chain_ok {
                bad(
                    format!("ack {} does not continue the channel's chain", ack.name()),
                    "the log was changed by hand",
                );
            }
            prev.apply(&ack);
            match bookings.get_mut(&(ack.channel, ack.nonce)) {
                None => bad(
                    format!("ack {} is not booked in the journal", ack.name()),
                    "an entry was deleted by hand: book it again with its tag",
                ),
                Some(b) => {
                    b.seen = true;
                    let want_amount = c.open.amount_of(ack.price).ok();
                    let want_segment = hex::encode(&ack.message[..8]);
                    let mut wrong = Vec::new();
                    if b.kind != want_kind {
                        wrong.push(format!("booked as {}, not {want_kind}", b.kind));
                    }
                    if b.amount.map(|a| a.normalize()) != want_amount {
                        wrong.push(format!(
                            "amount {} where the ack signs {}",
                            b.amount
                                .map(|a| a.normalize().to_string())
                                .unwrap_or("(none)".into()),
                            want_amount.map(|a| a.to_string()).unwrap_or("?".into())
                        ));
                    }
                    if b.segment.as_deref() != Some(want_segment.as_str()) {
                        wrong.push(format!(
                            "on message {} not {want_segment}",
                            b.segment.as_deref().unwrap_or("?")
                        ));
                    }
                    if let (Some(got), Some(want)) = (&b.peer, &peer_name) {
                        if !got.eq_ignore_ascii_case(want) {
                            wrong.push(format!("with {got}, not {want}"));
                        }
                    }
                    if !wrong.is_empty() {
                        out.push(Discrepancy {
                            file: file.into(),
                            line: b.line,
                            what: format!("the entry of ack {}: {}", ack.name(), wrong.join("; ")),
                            hint: "the journal was changed by hand; the signed ack decides".into(),
                        });
                    }
                }
            }
            Ok(())
        })?;
    }
    let mut unseen: Vec<(&([u8; 32], u64), &Booking)> =
        bookings.iter().filter(|(_, b)| !b.seen).collect();
    unseen.sort_by_key(|(_, b)| b.line);
    for ((id, nonce), b) in unseen {
        out.push(Discrepancy {
            file: file.into(),
            line: b.line,
            what: format!(
                "{} books ack {} that no ack log holds",
                b.kind,
                crate::objects::ack::ack_name(id, *nonce)
            ),
            hint: "booked by hand, or the log was changed: the entry has no evidence".into(),
        });
    }

    check_agreements(home, me, journal, file, &recon_tags, &mut out)?;
    out.sort_by(|a, b| (a.file.as_str(), a.line).cmp(&(b.file.as_str(), b.line)));
    Ok(out)
}

/// RECONCILED entries against their agreements, and agreements against
/// the journal.
fn check_agreements(
    home: &Home,
    me: &PublicKey,
    journal: &Journal,
    file: &str,
    tags: &HashMap<String, usize>,
    out: &mut Vec<Discrepancy>,
) -> Result<()> {
    let by_line: HashMap<usize, &crate::journal::Entry> =
        journal.entries.iter().map(|e| (e.line, e)).collect();
    for (tag, line) in tags {
        let path = home.path(tag);
        let mut bad = |what: String, hint: &str| {
            out.push(Discrepancy {
                file: file.into(),
                line: *line,
                what,
                hint: hint.into(),
            })
        };
        let text = match home.read_small(&path, crate::yaml::MAX_YAML_BYTES as u64) {
            Ok(Some(t)) => t,
            Ok(None) => {
                bad(
                    format!("RECONCILED books {tag}, which is not there"),
                    "recon/ was changed by hand",
                );
                continue;
            }
            Err(e) => {
                bad(format!("{tag}: {}", e.what()), "recon/ was changed by hand");
                continue;
            }
        };
        let r = match super::reconcile::read(&path, &text) {
            Ok(r) => r,
            Err(e) => {
                bad(format!("{tag}: {}", e.what()), "recon/ was changed by hand");
                continue;
            }
        };
        if let Err(e) = r.verify() {
            bad(
                format!("{tag} is not a valid co-signed agreement: {}", e.what()),
                "recon/ was changed by hand",
            );
            continue;
        }
        if r.signature_of(me).is_none() {
            bad(
                format!("{tag} is not this node's agreement"),
                "recon/ was changed by hand",
            );
            continue;
        }
        let Some(e) = by_line.get(line) else { continue };
        let me_a = *me == r.node_a;
        let (pays, paid) = if me_a {
            (&r.a_to_b, &r.b_to_a)
        } else {
            (&r.b_to_a, &r.a_to_b)
        };
        let epoch_seg = format!("epoch-{}", r.epoch);
        for (d, top) in [(paid, "Assets"), (pays, "Liabilities")] {
            let line_amount = e.postings.iter().find(|p| {
                p.account.starts_with(top)
                    && p.account.rsplit(':').next() == Some(epoch_seg.as_str())
            });
            let got = line_amount
                .and_then(|p| p.amount.as_ref())
                .map(|a| a.quantity.normalize());
            if got != Some(d.amount) {
                bad(
                    format!(
                        "RECONCILED carries {} to {epoch_seg} under {top}, the agreement {}",
                        got.map(|a| a.to_string()).unwrap_or("nothing".into()),
                        d.amount
                    ),
                    "the journal was changed by hand; the agreement decides",
                );
            }
            for item in &d.messages {
                let netted = e.postings.iter().any(|p| {
                    p.account.starts_with(top)
                        && account_segment(&p.account) == item.message
                        && p.amount.as_ref().map(|a| a.quantity.normalize()) == Some(-item.amount)
                });
                if !netted {
                    bad(
                        format!(
                            "RECONCILED does not net message {} ({})",
                            item.message, item.amount
                        ),
                        "the journal was changed by hand; the agreement decides",
                    );
                }
            }
        }
    }
    // Agreements stored here but never booked.
    let dir = home.path(store::RECON_DIR);
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".yaml"))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{}/{n}", store::RECON_DIR);
            if tags.contains_key(&rel) {
                continue;
            }
            let path: &Path = &dir.join(&n);
            let Ok(Some(text)) = home.read_small(path, crate::yaml::MAX_YAML_BYTES as u64) else {
                continue;
            };
            let Ok(r) = super::reconcile::read(path, &text) else {
                continue;
            };
            let r: Recon = r;
            if r.is_cosigned() && r.verify().is_ok() && r.signature_of(me).is_some() {
                out.push(Discrepancy {
                    file: path.display().to_string(),
                    line: 0,
                    what: format!(
                        "agreement at epoch {} is not booked in the journal",
                        r.epoch
                    ),
                    hint: format!("finalize it: `msgl reconcile --with PEER --finalize {rel}`"),
                });
            }
        }
    }
    Ok(())
}

/// The sub-account segment after `top:mid:<peer>:` ("" for the peer's own).
fn account_segment(account: &str) -> &str {
    let mut it = account.splitn(4, ':');
    it.nth(3).unwrap_or("")
}
