//! Account balances: sums per account and commodity, folded into a tree
//! in which every parent is the sum of its children (DESIGN §3).

use std::cmp::Ordering;

use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::journal::{AccountType, Amount, Entry};

/// Which postings count: every query term is a case-insensitive substring of
/// the account name; a posting counts if any term matches (no terms: all).
#[derive(Debug, Clone, Default)]
pub struct Query {
    terms: Vec<String>,
}

impl Query {
    pub fn new(terms: &[String]) -> Query {
        Query {
            terms: terms.iter().map(|t| t.to_lowercase()).collect(),
        }
    }

    pub fn matches(&self, account: &str) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let a = account.to_lowercase();
        self.terms.iter().any(|t| a.contains(t.as_str()))
    }
}

/// Sums of resolved postings, per commodity then per account, in msgl's
/// signs (positive when the account grows).
#[derive(Debug, Default)]
pub struct Balances {
    by_commodity: FxHashMap<Option<String>, FxHashMap<String, Decimal>>,
}

fn overflow(account: &str) -> Error {
    Error::check(format!(
        "the balance of {account} is too large to represent"
    ))
    .hint("sums are kept exactly, within 28 significant digits")
}

impl Balances {
    /// Adds an entry's resolved postings that match `query`; an entry that
    /// does not balance is an error.
    pub fn add_entry(&mut self, e: &Entry, file: &str, query: &Query) -> Result<()> {
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        for p in postings {
            if !query.matches(&p.account) {
                continue;
            }
            let accounts = self.by_commodity.entry(p.amount.commodity).or_default();
            match accounts.get_mut(p.account.as_ref()) {
                Some(sum) => {
                    *sum = sum
                        .checked_add(p.amount.quantity)
                        .ok_or_else(|| overflow(&p.account))?
                }
                None => {
                    accounts.insert(p.account.into_owned(), p.amount.quantity);
                }
            }
        }
        Ok(())
    }

    /// Adds another block's sums into this one.
    pub fn merge(&mut self, other: Balances) -> Result<()> {
        for (c, accounts) in other.by_commodity {
            let mine = self.by_commodity.entry(c).or_default();
            if mine.is_empty() {
                *mine = accounts;
                continue;
            }
            for (a, q) in accounts {
                match mine.get_mut(&a) {
                    Some(s) => *s = s.checked_add(q).ok_or_else(|| overflow(&a))?,
                    None => {
                        mine.insert(a, q);
                    }
                }
            }
        }
        Ok(())
    }

    /// Every posted-to account with its sums, in tree order.
    fn leaves(&self) -> Vec<(&str, Vec<Amount>)> {
        let mut map: FxHashMap<&str, Vec<Amount>> = FxHashMap::default();
        for (c, accounts) in &self.by_commodity {
            for (a, q) in accounts {
                map.entry(a.as_str()).or_default().push(Amount {
                    quantity: *q,
                    commodity: c.clone(),
                });
            }
        }
        let mut leaves: Vec<(&str, Vec<Amount>)> = map.into_iter().collect();
        leaves.sort_unstable_by(|a, b| tree_order(a.0, b.0));
        for (_, amounts) in &mut leaves {
            amounts.sort_by(|x, y| x.commodity.cmp(&y.commodity));
        }
        leaves
    }

    /// The account tree: every account and every ancestor, each with the sum
    /// of itself and its descendants, in tree order; accounts deeper than
    /// `depth` fold into their ancestor.
    pub fn tree(&self, depth: Option<usize>) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        // Stack of open ancestors: (index into rows, segment count).
        let mut stack: Vec<usize> = Vec::new();
        for (account, amounts) in self.leaves() {
            let segs: Vec<&str> = account.split(':').collect();
            // Pop what is not an ancestor of this account.
            while let Some(&top) = stack.last() {
                let r = &rows[top];
                let rsegs = r.depth;
                if rsegs <= segs.len() && r.account.split(':').eq(segs[..rsegs].iter().copied()) {
                    break;
                }
                stack.pop();
            }
            let have = stack.last().map_or(0, |&i| rows[i].depth);
            let visible = depth.map_or(segs.len(), |d| d.min(segs.len()));
            for d in have + 1..=visible {
                rows.push(Row {
                    account: segs[..d].join(":"),
                    depth: d,
                    amounts: Vec::new(),
                });
                stack.push(rows.len() - 1);
            }
            for &i in &stack {
                add_amounts(&mut rows[i].amounts, &amounts);
            }
        }
        rows
    }

    /// Accounts with postings (clipped to `depth`) and their own sums.
    pub fn flat(&self, depth: Option<usize>) -> Vec<Row> {
        let mut rows: Vec<Row> = Vec::new();
        for (account, amounts) in self.leaves() {
            let segs: Vec<&str> = account.split(':').collect();
            let d = depth.map_or(segs.len(), |d| d.min(segs.len()));
            let name = segs[..d].join(":");
            match rows.last_mut() {
                Some(r) if r.account == name => add_amounts(&mut r.amounts, &amounts),
                _ => rows.push(Row {
                    account: name,
                    depth: d,
                    amounts: amounts.clone(),
                }),
            }
        }
        rows
    }

    /// Assets − Liabilities, per commodity.
    pub fn net(&self) -> Vec<Amount> {
        let mut net = Vec::new();
        let mut cs: Vec<&Option<String>> = self.by_commodity.keys().collect();
        cs.sort();
        for c in cs {
            let mut total = Decimal::ZERO;
            for (a, q) in &self.by_commodity[c] {
                match AccountType::of(a) {
                    Some(AccountType::Assets) => total += *q,
                    Some(AccountType::Liabilities) => total -= *q,
                    _ => {}
                }
            }
            net.push(Amount {
                quantity: total,
                commodity: c.clone(),
            });
        }
        net
    }
}

fn add_amounts(into: &mut Vec<Amount>, add: &[Amount]) {
    for a in add {
        match into.iter_mut().find(|x| x.commodity == a.commodity) {
            Some(x) => x.quantity += a.quantity,
            None => into.push(a.clone()),
        }
    }
}

/// Orders account names so that a parent comes right before its subtree
/// (`Assets:A` < `Assets:A:x` < `Assets:A b`).
pub fn tree_order(a: &str, b: &str) -> Ordering {
    let key = |c: u8| if c == b':' { 0 } else { c };
    a.bytes().map(key).cmp(b.bytes().map(key))
}

/// One line of a balance report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub account: String,
    pub depth: usize,
    pub amounts: Vec<Amount>,
}

impl Row {
    pub fn is_zero(&self) -> bool {
        self.amounts.iter().all(|a| a.quantity.is_zero())
    }
}

/// An amount for display: zero is `0`, other values keep their scale.
pub fn show(a: &Amount) -> String {
    if a.quantity.is_zero() {
        match &a.commodity {
            Some(c) => format!("0 {c}"),
            None => "0".to_string(),
        }
    } else {
        a.to_string()
    }
}
