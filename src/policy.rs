//! Credit policy (DESIGN §4; rules in docs/DESIGN.md D3): each peer's A/R,
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
    /// Whether more service is allowed; if not, why.
    pub fn may_serve(&self, settings: &PolicySettings) -> std::result::Result<(), String> {
        match self.status {
            Status::Ok | Status::NearLimit => Ok(()),
            Status::OverLimit => Err(format!(
                "{} owes {} and its limit is {} ({})",
                self.peer, self.receivable, self.limit, self.policy
            )),
            Status::Delinquent => Err(format!(
                "{} has owed since {} ms, more than {} days",
                self.peer,
                self.oldest_unpaid.unwrap_or(0),
                settings.delinquent_after_days
            )),
        }
    }
}

/// The limit a policy allows after `paid` in paid history: a credit limit
/// grows by `growth_percent` of `paid`, up to `cap` (no cap: no growth).
pub fn limit(
    policy: Policy,
    cap: Option<Decimal>,
    paid: Decimal,
    settings: &PolicySettings,
) -> Decimal {
    match policy {
        Policy::Prepay => Decimal::ZERO,
        Policy::Escrow(e) => e,
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
    let limit = limit(policy, peer.cap, paid, settings);
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
        paid: paid.normalize(),
        limit,
        oldest_unpaid,
        status: status(ar, limit, delinquent, settings),
    })
}

/// Every configured peer's standing.
pub fn standings(
    journal: &Journal,
    file: &str,
    config: &Config,
    now: u64,
) -> Result<Vec<Standing>> {
    config
        .peers
        .iter()
        .map(|p| standing(journal, file, config, p, now))
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
        assert_eq!(limit(Policy::Prepay, None, d("100"), &s), d("0"));
        assert_eq!(limit(Policy::Credit(d("1")), None, d("100"), &s), d("1"));
        assert_eq!(
            limit(Policy::Credit(d("1")), Some(d("5")), d("20"), &s),
            d("3")
        );
        assert_eq!(
            limit(Policy::Credit(d("1")), Some(d("5")), d("100"), &s),
            d("5")
        );
        assert_eq!(
            limit(Policy::Escrow(d("2")), Some(d("5")), d("100"), &s),
            d("2")
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
