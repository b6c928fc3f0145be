//! Account balances: sums per account and commodity, folded into a tree
//! in which every parent is the sum of its children (DESIGN §2.1).

use std::cmp::Ordering;

use crate::journal::Decimal;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::journal::{AccountType, Amount, Entry, ResolvedPosting};

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

/// Sums per account, in a table that keeps each key's hash: growing it and
/// merging tables never hashes an account name again.
#[derive(Debug, Default)]
pub struct Sums {
    table: hashbrown::HashTable<(u64, Box<str>, Decimal)>,
}

fn hash_str(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Sums {
    fn add_hashed(&mut self, hash: u64, account: &str, q: Decimal) -> Result<()> {
        match self.table.find_mut(hash, |e| &*e.1 == account) {
            Some(e) => e.2 = e.2.checked_add(q).ok_or_else(|| overflow(account))?,
            None => {
                self.table
                    .insert_unique(hash, (hash, account.into(), q), |e| e.0);
            }
        }
        Ok(())
    }

    /// Adds `q` to `account`'s sum.
    pub fn add(&mut self, account: &str, q: Decimal) -> Result<()> {
        self.add_hashed(hash_str(account), account, q)
    }

    /// Adds every sum of `other`.
    pub fn merge(&mut self, other: Sums) -> Result<()> {
        if self.table.is_empty() && self.table.capacity() < other.table.len() {
            *self = other;
            return Ok(());
        }
        self.table.reserve(other.table.len(), |e| e.0);
        for (hash, account, q) in other.table {
            match self.table.find_mut(hash, |e| *e.1 == *account) {
                Some(e) => e.2 = e.2.checked_add(q).ok_or_else(|| overflow(&account))?,
                None => {
                    self.table.insert_unique(hash, (hash, account, q), |e| e.0);
                }
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Makes room for `n` accounts.
    pub fn reserve(&mut self, n: usize) {
        self.table.reserve(n, |e| e.0);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Decimal)> {
        self.table.iter().map(|(_, a, q)| (&**a, *q))
    }
}

/// Sums of resolved postings, per commodity then per account, in msgl's
/// signs (positive when the account grows).
#[derive(Debug, Default)]
pub struct Balances {
    by_commodity: FxHashMap<Option<String>, Sums>,
}

/// Cannot happen within the journal's limits on amounts (DESIGN §2.3: any
/// sum of them has at most 76 digits); said, not assumed.
fn overflow(account: &str) -> Error {
    Error::check(format!(
        "the balance of {account} leaves the exact limits (76 digits)"
    ))
    .hint("amounts have at most 39 digits and 18 decimal places")
}

impl Balances {
    /// Adds an entry's resolved postings that match `query`; an entry that
    /// does not balance is an error.
    pub fn add_entry(&mut self, e: &Entry, file: &str, query: &Query) -> Result<()> {
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        self.add_resolved(&postings, file, query)
    }

    /// Adds resolved postings that match `query`.
    pub fn add_resolved(
        &mut self,
        postings: &[ResolvedPosting<'_>],
        file: &str,
        query: &Query,
    ) -> Result<()> {
        for p in postings {
            if !query.matches(&p.account) {
                continue;
            }
            let sums = match self.by_commodity.get_mut(&p.amount.commodity) {
                Some(s) => s,
                None => self
                    .by_commodity
                    .entry(p.amount.commodity.clone())
                    .or_default(),
            };
            sums.add(&p.account, p.amount.quantity)
                .map_err(|err| err.at(file, p.line, 1))?;
        }
        Ok(())
    }

    /// Adds another block's sums into this one. `expected_blocks`, when
    /// known, sizes the tables once from the first block.
    pub fn merge(&mut self, other: Balances, expected_blocks: Option<usize>) -> Result<()> {
        for (c, sums) in other.by_commodity {
            let mine = self.by_commodity.entry(c).or_default();
            if mine.is_empty() {
                if let Some(n) = expected_blocks {
                    mine.reserve(sums.len().saturating_mul(n));
                }
            }
            mine.merge(sums)?;
        }
        Ok(())
    }

    /// The commodities seen, sorted (`None`, the node's token, first).
    pub fn commodities(&self) -> Vec<Option<String>> {
        let mut cs: Vec<Option<String>> = self.by_commodity.keys().cloned().collect();
        cs.sort();
        cs
    }

    /// Prepares a report: every (account, commodity, sum) sorted in tree
    /// order — accounts first clipped to `depth`, so a shallow report sorts
    /// few — and, for tree mode, the subtree sums of every ancestor.
    pub fn report(
        &self,
        depth: Option<usize>,
        flat: bool,
        commodities: &[Option<String>],
    ) -> Report<'_> {
        let limit = depth.unwrap_or(usize::MAX);
        let mut leaves: Vec<(&str, u16, Decimal)> =
            Vec::with_capacity(self.by_commodity.values().map(|m| m.len()).sum());
        for (ci, c) in commodities.iter().enumerate() {
            for (a, q) in self.by_commodity[c].iter() {
                leaves.push((a, ci as u16, q));
            }
        }
        if depth.is_some() {
            let mut clipped: FxHashMap<(&str, u16), Decimal> = FxHashMap::default();
            for (a, c, q) in leaves.drain(..) {
                *clipped.entry((clip(a, limit), c)).or_default() += q;
            }
            leaves = clipped.into_iter().map(|((a, c), q)| (a, c, q)).collect();
        }
        {
            use rayon::slice::ParallelSliceMut;
            leaves.par_sort_unstable_by(|a, b| tree_order(a.0, b.0).then(a.1.cmp(&b.1)));
        }
        // The subtree sums of the accounts that have children, in the order
        // the walk meets them: one stack pass over the sorted leaves.
        let mut below: Vec<(&str, Vec<(u16, Decimal)>)> = Vec::new();
        if !flat {
            let mut stack: Vec<usize> = Vec::new();
            for &(a, c, q) in &leaves {
                while let Some(&top) = stack.last() {
                    let t = below[top].0;
                    if a.len() > t.len() && a.as_bytes()[t.len()] == b':' && a.starts_with(t) {
                        break;
                    }
                    stack.pop();
                }
                let have = stack.last().map_or(0, |&i| below[i].0.len());
                for (i, b) in a.bytes().enumerate().skip(have + usize::from(have > 0)) {
                    if b == b':' {
                        below.push((&a[..i], Vec::new()));
                        stack.push(below.len() - 1);
                    }
                }
                for &i in &stack {
                    add_to(&mut below[i].1, c, q);
                }
            }
        }
        Report {
            leaves,
            below,
            flat,
        }
    }

    /// The widest amount any row of `report` shows, in characters, without
    /// formatting every row: a bound computed from the sums themselves.
    pub fn widest(report: &Report<'_>, commodities: &[Option<String>]) -> usize {
        let width = |q: &Decimal, c: u16| {
            (if q.is_zero() { 1 } else { q.text_len() })
                + commodities[c as usize].as_ref().map_or(0, |n| n.len() + 1)
        };
        let leaves = report.leaves.iter().map(|(_, c, q)| width(q, *c));
        let below = report
            .below
            .iter()
            .flat_map(|(_, v)| v.iter().map(|(c, q)| width(q, *c)));
        leaves.chain(below).max().unwrap_or(1)
    }

    /// Assets − Liabilities, per commodity.
    pub fn net(&self) -> Vec<Amount> {
        let mut net = Vec::new();
        let mut cs: Vec<&Option<String>> = self.by_commodity.keys().collect();
        cs.sort();
        for c in cs {
            let mut total = Decimal::ZERO;
            for (a, q) in self.by_commodity[c].iter() {
                match AccountType::of(a) {
                    Some(AccountType::Assets) => total += q,
                    Some(AccountType::Liabilities) => total -= q,
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

/// A prepared balance report, walked once per output pass.
pub struct Report<'a> {
    leaves: Vec<(&'a str, u16, Decimal)>,
    below: Vec<(&'a str, Vec<(u16, Decimal)>)>,
    flat: bool,
}

/// `a` clipped to its first `limit` segments.
fn clip(a: &str, limit: usize) -> &str {
    let mut d = 1;
    for (i, b) in a.bytes().enumerate() {
        if b == b':' {
            if d == limit {
                return &a[..i];
            }
            d += 1;
        }
    }
    a
}

impl Report<'_> {
    /// Calls `row(account, depth, amounts)` for each row in tree order. In
    /// tree mode every account and ancestor gets its subtree's sum; in flat
    /// mode each posted-to account (clipped to the depth) gets its own sum.
    pub fn walk(&self, mut row: impl FnMut(&str, usize, &[(u16, Decimal)])) {
        let leaves = &self.leaves;
        let mut amounts: Vec<(u16, Decimal)> = Vec::new();
        if self.flat {
            let mut i = 0;
            while i < leaves.len() {
                let name = leaves[i].0;
                amounts.clear();
                while i < leaves.len() && leaves[i].0 == name {
                    add_to(&mut amounts, leaves[i].1, leaves[i].2);
                    i += 1;
                }
                row(name, name.split(':').count(), &amounts);
            }
            return;
        }
        let mut open: Vec<&str> = Vec::new();
        let mut next_below = 0;
        let mut i = 0;
        while i < leaves.len() {
            let account = leaves[i].0;
            let mut own_end = i;
            while own_end < leaves.len() && leaves[own_end].0 == account {
                own_end += 1;
            }
            // Close what is not an ancestor of this account.
            while let Some(top) = open.last() {
                if account.len() > top.len()
                    && account.as_bytes()[top.len()] == b':'
                    && account.starts_with(top)
                {
                    break;
                }
                open.pop();
            }
            // Show the missing ancestors, then the account itself.
            let mut d = open.len();
            let ends = account
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b':')
                .map(|(i, _)| i)
                .chain(std::iter::once(account.len()));
            for end in ends.skip(d) {
                d += 1;
                let name = &account[..end];
                amounts.clear();
                // Only an account with children has a subtree sum: the
                // ancestors shown here, and a leaf followed by its children.
                let has_children = end < account.len()
                    || leaves.get(own_end).is_some_and(|n| {
                        n.0.len() > end && n.0.as_bytes()[end] == b':' && n.0.starts_with(name)
                    });
                if has_children {
                    let (n, sums) = &self.below[next_below];
                    debug_assert_eq!(*n, name);
                    next_below += 1;
                    for &(c, q) in sums {
                        add_to(&mut amounts, c, q);
                    }
                }
                if end == account.len() {
                    for &(_, c, q) in &leaves[i..own_end] {
                        add_to(&mut amounts, c, q);
                    }
                }
                row(name, d, &amounts);
                open.push(name);
            }
            i = own_end;
        }
    }
}

fn add_to(amounts: &mut Vec<(u16, Decimal)>, c: u16, q: Decimal) {
    match amounts.iter_mut().find(|(x, _)| *x == c) {
        Some((_, s)) => *s += q,
        None => {
            amounts.push((c, q));
            amounts.sort_by_key(|(x, _)| *x);
        }
    }
}

/// Orders account names so that a parent comes right before its subtree
/// (`Assets:A` < `Assets:A:x` < `Assets:A b`).
pub fn tree_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    // The first differing byte decides; find it eight bytes at a time.
    let mut i = 0;
    while i + 8 <= n {
        let x = u64::from_ne_bytes(a[i..i + 8].try_into().expect("8 bytes"));
        let y = u64::from_ne_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        if x != y {
            break;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    if i == n {
        return a.len().cmp(&b.len());
    }
    let key = |c: u8| if c == b':' { 0 } else { c };
    key(a[i]).cmp(&key(b[i]))
}

/// An amount for display: zero is `0`, other values keep their scale.
pub fn show(a: &Amount) -> String {
    show_parts(a.quantity, a.commodity.as_deref())
}

/// [`show`] from its parts.
pub fn show_parts(q: Decimal, commodity: Option<&str>) -> String {
    let n = if q.is_zero() {
        "0".to_string()
    } else {
        q.to_string()
    };
    match commodity {
        Some(c) => format!("{n} {c}"),
        None => n,
    }
}

/// A column of amounts aligned on the decimal point, as hledger shows
/// them: each commodity with as many decimals as its most precise amount
/// (zeros added, never digits removed: the value shown is exact), zero as
/// `0`, the commodity after the number. Observe every amount first, then
/// format.
#[derive(Debug, Clone, Default)]
pub struct Column {
    /// Width of the integer part (sign included).
    int: usize,
    /// Decimals per commodity (`""`: no commodity).
    prec: Vec<(String, usize)>,
    /// Width of the commodity names.
    comm: usize,
}

impl Column {
    fn prec_of(&self, commodity: &str) -> usize {
        self.prec
            .iter()
            .find(|(c, _)| c == commodity)
            .map_or(0, |(_, p)| *p)
    }

    /// The most decimals any commodity shows.
    fn frac(&self) -> usize {
        self.prec.iter().map(|(_, p)| *p).max().unwrap_or(0)
    }

    /// Widens the column for `q` in `commodity` (`""`: none).
    pub fn observe(&mut self, q: &Decimal, commodity: &str) {
        let n = q.normalize();
        let scale = n.scale() as usize;
        let int = if n.is_zero() {
            1
        } else {
            // The printed width less the decimals and the point.
            n.text_len() - if scale > 0 { scale + 1 } else { 0 }
        };
        self.int = self.int.max(int);
        self.comm = self.comm.max(commodity.len());
        match self.prec.iter_mut().find(|(c, _)| c == commodity) {
            Some((_, p)) => *p = (*p).max(scale),
            None => self.prec.push((commodity.to_string(), scale)),
        }
    }

    /// The width of every formatted amount.
    pub fn width(&self) -> usize {
        let frac = self.frac();
        self.int
            + if frac > 0 { frac + 1 } else { 0 }
            + if self.comm > 0 { self.comm + 1 } else { 0 }
    }

    /// `q` in `commodity`, exactly [`Column::width`] wide.
    pub fn format(&self, q: &Decimal, commodity: &str) -> String {
        use std::fmt::Write as _;
        let mut s = String::with_capacity(self.width());
        let frac = self.frac();
        let prec = self.prec_of(commodity);
        let n = q.normalize();
        let text = if n.is_zero() {
            "0".to_string()
        } else {
            n.to_string()
        };
        let (int, dec) = text.split_once('.').unwrap_or((&text, ""));
        let _ = write!(s, "{int:>w$}", w = self.int);
        let mut used = 0;
        if !n.is_zero() && prec > 0 {
            s.push('.');
            s.push_str(dec);
            for _ in dec.len()..prec {
                s.push('0');
            }
            used = prec + 1;
        }
        let room = if frac > 0 { frac + 1 } else { 0 };
        for _ in used..room {
            s.push(' ');
        }
        if self.comm > 0 {
            let _ = write!(s, " {commodity:<w$}", w = self.comm);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_aligns_the_decimal_points() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let mut c = Column::default();
        for (q, k) in [
            ("0.00001", ""),
            ("-1000", ""),
            ("0", ""),
            ("2.5", "EUR"),
            ("1.50", ""),
        ] {
            c.observe(&d(q), k);
        }
        let rows: Vec<String> = [
            ("0.00001", ""),
            ("-1000", ""),
            ("0", ""),
            ("2.5", "EUR"),
            ("1.50", ""),
        ]
        .iter()
        .map(|(q, k)| c.format(&d(q), k))
        .collect();
        assert_eq!(
            rows,
            [
                "    0.00001    ",
                "-1000.00000    ",
                "    0          ",
                "    2.5     EUR",
                "    1.50000    ",
            ]
        );
        assert!(rows.iter().all(|r| r.len() == c.width()));
    }
}
