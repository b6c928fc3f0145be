//! Credit policy (docs/DESIGN.md §6.5): each peer's A/R,
//! A/P, limit and status from the journal, and whether to serve it more.

use std::fmt;
use std::str::FromStr;

use crate::journal::Decimal;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::home::{Config, PeerConfig, PolicySettings};
use crate::journal::Journal;

/// A peer's credit policy, as written in `msgl.yaml` (`policy:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// No credit: serve only while the peer owes nothing.
    Prepay,
    /// Serve while A/R stays below the limit (which may grow up to a cap).
    Credit(Decimal),
    /// Serve while the peer's escrow covers the A/R.
    Escrow(Decimal),
}

impl FromStr for Policy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Policy> {
        let bad = || {
            Error::input(format!("bad policy `{s}`"))
                .hint("prepay, credit:AMOUNT or escrow:AMOUNT (e.g. credit:0.5)")
        };
        let t = s.trim();
        if t.eq_ignore_ascii_case("prepay") {
            return Ok(Policy::Prepay);
        }
        let (kind, amount) = t.split_once(':').ok_or_else(bad)?;
        let amount = Decimal::from_str(amount.trim()).map_err(|_| bad())?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(bad());
        }
        match kind.trim().to_ascii_lowercase().as_str() {
            "credit" => Ok(Policy::Credit(amount.normalize())),
            "escrow" => Ok(Policy::Escrow(amount.normalize())),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Prepay => write!(f, "prepay"),
            Policy::Credit(a) => write!(f, "credit:{a}"),
            Policy::Escrow(a) => write!(f, "escrow:{a}"),
        }
    }
}

/// A peer's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "ok")]
    Ok,
    #[serde(rename = "near limit")]
    NearLimit,
    #[serde(rename = "over limit")]
    OverLimit,
    #[serde(rename = "delinquent")]
    Delinquent,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::NearLimit => "near limit",
            Status::OverLimit => "over limit",
            Status::Delinquent => "delinquent",
        }
    }
}

/// What the policy counts beyond the journal (from the home: channels and
/// the served log, `protocol::served::exposure`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Delivered to the peer and not acked yet (token).
    pub unacked: Decimal,
    /// The escrow of the peer's channels to this node, as their opens sign it.
    pub escrow: Decimal,
    /// One unit's price (token).
    pub unit: Decimal,
}

/// One peer's books and standing, in the node's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    pub peer: String,
    pub policy: String,
    /// What the peer owes this node (`Assets:AccountsReceivable:<Peer>`).
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub receivable: Decimal,
    /// What this node owes the peer (`Liabilities:AccountsPayable:<Peer>`).
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub payable: Decimal,
    /// receivable − payable.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub net: Decimal,
    /// Delivered and not acked yet: owed as soon as the acks come.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub unacked: Decimal,
    /// Everything the peer has paid (A/R decreases in PAYMENT / SETTLED entries).
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub paid: Decimal,
    /// The largest A/R allowed now.
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub limit: Decimal,
    /// Time (ms) of the oldest A/R still unpaid (first in, first out).
    pub oldest_unpaid: Option<u64>,
    pub status: Status,
}

impl Standing {
    /// What the peer would owe with everything delivered acked.
    pub fn exposure(&self) -> Decimal {
        self.receivable + self.unacked
    }

    /// Whether one more message of `next` (token) may be served; if not,
    /// why. The message must fit under the limit with everything owed and
    /// delivered-but-unacked, so no message overshoots it.
    pub fn may_serve(
        &self,
        settings: &PolicySettings,
        next: Decimal,
    ) -> std::result::Result<(), String> {
        match self.status {
            Status::Delinquent => Err(format!(
                "{} has owed since {} ms, more than {} days",
                self.peer,
                self.oldest_unpaid.unwrap_or(0),
                settings.delinquent_after_days
            )),
            _ if self.exposure() + next > self.limit => Err(format!(
                "{} owes {}{} and its limit is {} ({}): one more message of {next} would pass it",
                self.peer,
                self.receivable,
                if self.unacked.is_zero() {
                    String::new()
                } else {
                    format!(" with {} delivered and not acked", self.unacked)
                },
                self.limit,
                self.policy
            )),
            _ => Ok(()),
        }
    }
}

/// The limit a policy allows after `paid` in paid history: a credit limit
/// grows by `growth_percent` of `paid`, up to `cap` (no cap: no growth).
pub fn limit(
    policy: Policy,
    cap: Option<Decimal>,
    paid: Decimal,
    escrow: Decimal,
    settings: &PolicySettings,
) -> Decimal {
    match policy {
        Policy::Prepay => Decimal::ZERO,
        // What the channels' escrow still covers, never more than E.
        Policy::Escrow(e) => e
            .min((escrow - paid.max(Decimal::ZERO)).max(Decimal::ZERO))
            .normalize(),
        Policy::Credit(base) => {
            let cap = cap.unwrap_or(base).max(base);
            let grown = base
                + paid.max(Decimal::ZERO) * Decimal::from(settings.growth_percent)
                    / Decimal::ONE_HUNDRED;
            grown.min(cap).normalize()
        }
    }
}

/// The status for a given A/R and limit.
pub fn status(
    receivable: Decimal,
    limit: Decimal,
    delinquent: bool,
    settings: &PolicySettings,
) -> Status {
    if delinquent {
        Status::Delinquent
    } else if receivable > Decimal::ZERO && receivable >= limit {
        Status::OverLimit
    } else if limit > Decimal::ZERO
        && receivable * Decimal::ONE_HUNDRED >= limit * Decimal::from(settings.near_limit_percent)
    {
        Status::NearLimit
    } else {
        Status::Ok
    }
}

fn is_peer_account(account: &str, top: &str, mid: &str, peer: &str) -> bool {
    let mut segs = account.split(':');
    segs.next() == Some(top)
        && segs.next() == Some(mid)
        && segs.next().is_some_and(|p| p.eq_ignore_ascii_case(peer))
}

/// The standing of one peer from the journal, at time `now` (ms).
pub fn standing(
    journal: &Journal,
    file: &str,
    config: &Config,
    peer: &PeerConfig,
    exposure: Exposure,
    now: u64,
) -> Result<Standing> {
    let policy: Policy = peer
        .policy
        .parse()
        .map_err(|e: Error| e.in_file(crate::home::CONFIG_FILE))?;
    let token = config.token.as_str();
    let (mut ar, mut ap, mut paid) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    // A/R increases still unpaid, oldest first: (time, amount).
    let mut unpaid: std::collections::VecDeque<(u64, Decimal)> = Default::default();
    for e in &journal.entries {
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        let mut ar_change = Decimal::ZERO;
        for p in &postings {
            if p.amount.commodity.as_deref().is_some_and(|c| c != token) {
                continue;
            }
            let q = p.amount.quantity;
            if is_peer_account(&p.account, "Assets", "AccountsReceivable", &peer.name) {
                ar_change += q;
            } else if is_peer_account(&p.account, "Liabilities", "AccountsPayable", &peer.name) {
                ap += q;
            }
        }
        ar += ar_change;
        if ar_change > Decimal::ZERO {
            unpaid.push_back((e.timestamp, ar_change));
        } else if ar_change < Decimal::ZERO {
            if e.description.starts_with("PAYMENT") || e.description.starts_with("SETTLED") {
                paid -= ar_change;
            }
            let mut left = -ar_change;
            while left > Decimal::ZERO {
                match unpaid.front_mut() {
                    Some((_, a)) if *a <= left => {
                        left -= *a;
                        unpaid.pop_front();
                    }
                    Some((_, a)) => {
                        *a -= left;
                        left = Decimal::ZERO;
                    }
                    None => break,
                }
            }
        }
    }
    let settings = &config.policy;
    let limit = limit(policy, peer.cap, paid, exposure.escrow, settings);
    let oldest_unpaid = if ar > Decimal::ZERO {
        unpaid.front().map(|(t, _)| *t)
    } else {
        None
    };
    let max_age = u64::from(settings.delinquent_after_days) * 86_400_000;
    let delinquent = oldest_unpaid.is_some_and(|t| now.saturating_sub(t) > max_age);
    Ok(Standing {
        peer: peer.name.clone(),
        policy: policy.to_string(),
        receivable: ar.normalize(),
        payable: ap.normalize(),
        net: (ar - ap).normalize(),
        unacked: exposure.unacked,
        paid: paid.normalize(),
        limit,
        oldest_unpaid,
        status: status(ar + exposure.unacked, limit, delinquent, settings),
    })
}

/// Every configured peer's standing, `exposure` giving each peer's
/// counts beyond the journal.
pub fn standings(
    journal: &Journal,
    file: &str,
    config: &Config,
    exposure: &dyn Fn(&PeerConfig) -> Result<Exposure>,
    now: u64,
) -> Result<Vec<Standing>> {
    config
        .peers
        .iter()
        .map(|p| standing(journal, file, config, p, exposure(p)?, now))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn policies_parse() {
        assert_eq!("prepay".parse::<Policy>().unwrap(), Policy::Prepay);
        assert_eq!(
            "credit:0.50".parse::<Policy>().unwrap(),
            Policy::Credit(d("0.5"))
        );
        assert_eq!(
            "escrow:2".parse::<Policy>().unwrap(),
            Policy::Escrow(d("2"))
        );
        assert!("credit".parse::<Policy>().is_err());
        assert!("credit:-1".parse::<Policy>().is_err());
        assert!("loan:1".parse::<Policy>().is_err());
    }

    #[test]
    fn limits_grow_to_the_cap() {
        let s = PolicySettings::default();
        let z = d("0");
        assert_eq!(limit(Policy::Prepay, None, d("100"), z, &s), d("0"));
        assert_eq!(limit(Policy::Credit(d("1")), None, d("100"), z, &s), d("1"));
        assert_eq!(
            limit(Policy::Credit(d("1")), Some(d("5")), d("20"), z, &s),
            d("3")
        );
        assert_eq!(
            limit(Policy::Credit(d("1")), Some(d("5")), d("100"), z, &s),
            d("5")
        );
        // escrow:E is what the channels' escrow still covers, at most E.
        assert_eq!(
            limit(Policy::Escrow(d("2")), None, d("0"), d("5"), &s),
            d("2")
        );
        assert_eq!(
            limit(Policy::Escrow(d("2")), None, d("0"), d("0.5"), &s),
            d("0.5")
        );
        assert_eq!(
            limit(Policy::Escrow(d("2")), None, d("0.25"), d("0.5"), &s),
            d("0.25")
        );
        assert_eq!(
            limit(Policy::Escrow(d("2")), None, d("100"), d("5"), &s),
            d("0")
        );
    }

    #[test]
    fn statuses() {
        let s = PolicySettings::default();
        assert_eq!(status(d("0"), d("0"), false, &s), Status::Ok);
        assert_eq!(status(d("0.1"), d("0"), false, &s), Status::OverLimit);
        assert_eq!(status(d("0.79"), d("1"), false, &s), Status::Ok);
        assert_eq!(status(d("0.8"), d("1"), false, &s), Status::NearLimit);
        assert_eq!(status(d("1"), d("1"), false, &s), Status::OverLimit);
        assert_eq!(status(d("0"), d("1"), true, &s), Status::Delinquent);
    }
}
