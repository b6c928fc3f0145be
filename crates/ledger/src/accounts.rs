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

/// Sums per account, grouped by parent: the accounts right under one parent
/// (`Assets:AccountsReceivable:Node001:`) share one small table keyed by
/// their last segment. The tables stay small and warm in cache while
/// blocks are merged, and a report sorts siblings by their short last
/// segments instead of a million full names with long common prefixes.
/// Each table keeps its keys' hashes: growing and merging never hash a
/// name again.
#[derive(Debug, Default)]
struct Sums {
    /// Each group's place in `groups`, by the hash of its prefix.
    index: hashbrown::HashTable<(u64, usize)>,
    groups: Vec<Group>,
}

/// The accounts right under one parent.
#[derive(Debug, Default)]
struct Group {
    /// The parent and its `:` (`""` for top-level accounts): an account's
    /// name is its group's prefix followed by its last segment.
    prefix: Box<str>,
    /// The last segments, one after another (no allocation per account).
    text: String,
    /// One slot per account.
    table: hashbrown::HashTable<Slot>,
}

/// An account: its last segment (`text[start..end]`), the segment's hash
/// and the account's sum.
#[derive(Debug, Clone, Copy)]
struct Slot {
    hash: u64,
    start: usize,
    end: usize,
    sum: Decimal,
}

fn hash_str(s: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

impl Group {
    fn seg(&self, s: &Slot) -> &str {
        &self.text[s.start..s.end]
    }

    /// Adds `q` to the account with last segment `seg` (hashed to `hash`).
    fn add(&mut self, hash: u64, seg: &str, q: Decimal) -> Result<()> {
        let text = self.text.as_bytes();
        match self
            .table
            .find_mut(hash, |s| &text[s.start..s.end] == seg.as_bytes())
        {
            Some(s) => {
                s.sum = s
                    .sum
                    .checked_add(q)
                    .ok_or_else(|| overflow(&format!("{}{seg}", self.prefix)))?
            }
            None => {
                let start = self.text.len();
                self.text.push_str(seg);
                let slot = Slot {
                    hash,
                    start,
                    end: self.text.len(),
                    sum: q,
                };
                self.table.insert_unique(hash, slot, |s| s.hash);
            }
        }
        Ok(())
    }
}

impl Sums {
    /// The index of the group for `prefix`, if there is one.
    fn find(&self, hash: u64, prefix: &str) -> Option<usize> {
        let groups = &self.groups;
        self.index
            .find(hash, |&(_, i)| *groups[i].prefix == *prefix)
            .map(|&(_, i)| i)
    }

    fn insert(&mut self, hash: u64, group: Group) -> usize {
        let i = self.groups.len();
        self.groups.push(group);
        self.index.insert_unique(hash, (hash, i), |e| e.0);
        i
    }

    /// Adds up the postings `kept` keeps.
    fn merge(&mut self, kept: Kept) -> Result<()> {
        // Each kept prefix's group here.
        let groups: Vec<usize> = kept
            .prefixes
            .into_iter()
            .map(|(hash, prefix)| match self.find(hash, &prefix) {
                Some(g) => g,
                None => self.insert(
                    hash,
                    Group {
                        prefix,
                        ..Group::default()
                    },
                ),
            })
            .collect();
        for p in &kept.items {
            let seg = &kept.text[p.start..p.start + p.len as usize];
            self.groups[groups[p.parent as usize]].add(p.hash, seg, p.q)?;
        }
        Ok(())
    }
}

/// One commodity's postings in a block, kept in order, not added up: each
/// with its parent (interned) and its last segment (in one text) hashed.
#[derive(Debug, Default)]
struct Kept {
    /// Each prefix's place in `prefixes`, by its hash.
    index: hashbrown::HashTable<(u64, u32)>,
    /// (hash, prefix with its `:`).
    prefixes: Vec<(u64, Box<str>)>,
    text: String,
    items: Vec<Item>,
}

/// A kept posting: `text[start..start + len]` under `prefixes[parent]`.
#[derive(Debug, Clone, Copy)]
struct Item {
    hash: u64,
    start: usize,
    len: u32,
    parent: u32,
    q: Decimal,
}

impl Kept {
    fn push(&mut self, account: &str, q: Decimal) {
        let cut = memchr::memrchr(b':', account.as_bytes()).map_or(0, |i| i + 1);
        let (prefix, seg) = account.split_at(cut);
        let hash = hash_str(prefix);
        let prefixes = &self.prefixes;
        let parent = match self
            .index
            .find(hash, |&(_, i)| *prefixes[i as usize].1 == *prefix)
        {
            Some(&(_, i)) => i,
            None => {
                let i = self.prefixes.len() as u32;
                self.prefixes.push((hash, prefix.into()));
                self.index.insert_unique(hash, (hash, i), |e| e.0);
                i
            }
        };
        // A segment is part of a line (at most MAX_LINE).
        let start = self.text.len();
        self.text.push_str(seg);
        self.items.push(Item {
            hash: hash_str(seg),
            start,
            len: seg.len() as u32,
            parent,
            q,
        });
    }
}

/// Sums of resolved postings, per commodity then per account, in msgl's
/// signs (positive when the account grows).
#[derive(Debug, Default)]
pub struct Balances {
    by_commodity: FxHashMap<Option<String>, Sums>,
}

/// Postings that match a query, kept (not added up) for
/// [`Balances::merge`]: a block's, read on its own thread. Most accounts
/// get one or two postings, so adding up per block would cost a table
/// lookup per posting for little; the reading threads split and hash the
/// names, the merge adds each posting to its parent's table once.
#[derive(Debug, Default)]
pub struct Postings {
    by_commodity: FxHashMap<Option<String>, Kept>,
}

impl Postings {
    /// Keeps the resolved postings that match `query`.
    pub fn add_resolved(&mut self, postings: &[ResolvedPosting<'_>], query: &Query) {
        for p in postings {
            if !query.matches(&p.account) {
                continue;
            }
            let kept = match self.by_commodity.get_mut(&p.amount.commodity) {
                Some(k) => k,
                None => self
                    .by_commodity
                    .entry(p.amount.commodity.clone())
                    .or_default(),
            };
            kept.push(&p.account, p.amount.quantity);
        }
    }
}

/// Cannot happen within the journal's limits on amounts (DESIGN §2.3: any
/// sum of them has at most 76 digits); said, not assumed.
fn overflow(account: &str) -> Error {
    Error::check(format!(
        "the balance of {account} leaves the exact limits (76 digits)"
    ))
    .hint("amounts have at most 39 digits and 18 decimal places")
}

/// The number of segments of a prefix (`"Assets:A:"`: 2).
fn segments_of(prefix: &str) -> usize {
    memchr::memchr_iter(b':', prefix.as_bytes()).count()
}

/// The prefix of `prefix`'s parent (`"Assets:A:"` → `"Assets:"`, `"Assets:"`
/// → `""`); `prefix` is not `""`.
fn parent_prefix(prefix: &str) -> &str {
    let up = &prefix[..prefix.len() - 1];
    &prefix[..memchr::memrchr(b':', up.as_bytes()).map_or(0, |i| i + 1)]
}

impl Balances {
    /// Adds an entry's resolved postings that match `query`; an entry that
    /// does not balance is an error.
    pub fn add_entry(&mut self, e: &Entry, file: &str, query: &Query) -> Result<()> {
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        let mut kept = Postings::default();
        kept.add_resolved(&postings, query);
        self.merge(kept).map_err(|err| err.at(file, e.line, 1))
    }

    /// Adds up postings kept by [`Postings`] (a block's).
    pub fn merge(&mut self, postings: Postings) -> Result<()> {
        for (c, kept) in postings.by_commodity {
            self.by_commodity.entry(c).or_default().merge(kept)?;
        }
        Ok(())
    }

    /// The commodities seen, sorted (`None`, the node's token, first).
    pub fn commodities(&self) -> Vec<Option<String>> {
        let mut cs: Vec<Option<String>> = self.by_commodity.keys().cloned().collect();
        cs.sort();
        cs
    }

    /// Prepares a report: the accounts clipped to `depth`, in tree order.
    /// Every account with children is a node of the tree (its own sums
    /// elsewhere, under its parent); each node holds its direct accounts
    /// sorted by last segment and its child nodes, so the order comes from
    /// sorting siblings only. For tree mode, each node's subtree sum.
    pub fn report(
        &self,
        depth: Option<usize>,
        flat: bool,
        commodities: &[Option<String>],
    ) -> Report<'_> {
        use rayon::prelude::*;
        // Depth 0 clips nothing, as no depth.
        let limit = depth.filter(|&d| d > 0).unwrap_or(usize::MAX);
        // The nodes: the prefix of every group (clipped to the depth: a
        // group deeper than it becomes one account of a shallower node)
        // and of every ancestor.
        let mut node_at: FxHashMap<&str, usize> = FxHashMap::default();
        let mut prefixes: Vec<&str> = Vec::new();
        struct From<'a> {
            c: u16,
            group: &'a Group,
            node: usize,
            /// All the group's sums as one account with this last segment.
            clipped: Option<&'a str>,
        }
        let mut from: Vec<From<'_>> = Vec::new();
        node_at.insert("", 0);
        prefixes.push("");
        for (ci, c) in commodities.iter().enumerate() {
            let Some(sums) = self.by_commodity.get(c) else {
                continue;
            };
            for group in &sums.groups {
                let p = &*group.prefix;
                let (p, clipped) = if segments_of(p) >= limit {
                    let name = clip(&p[..p.len() - 1], limit);
                    let cut = memchr::memrchr(b':', name.as_bytes()).map_or(0, |i| i + 1);
                    (&p[..cut], Some(&name[cut..]))
                } else {
                    (p, None)
                };
                let node = *node_at.entry(p).or_insert_with(|| {
                    prefixes.push(p);
                    prefixes.len() - 1
                });
                from.push(From {
                    c: ci as u16,
                    group,
                    node,
                    clipped,
                });
            }
        }
        for i in 0..prefixes.len() {
            let mut p = prefixes[i];
            while !p.is_empty() {
                p = parent_prefix(p);
                if node_at.contains_key(p) {
                    break;
                }
                node_at.insert(p, prefixes.len());
                prefixes.push(p);
            }
        }
        // Tree order of the nodes (the root `""` first); `rank[i]` is the
        // place of `prefixes[i]`.
        let mut order: Vec<usize> = (0..prefixes.len()).collect();
        order.par_sort_unstable_by(|&a, &b| tree_order(prefixes[a], prefixes[b]));
        let mut rank = vec![0; order.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r;
        }
        let nodes: Vec<Node<'_>> = order
            .iter()
            .map(|&i| {
                let prefix = prefixes[i];
                let name = prefix.strip_suffix(':').unwrap_or(prefix);
                Node {
                    prefix,
                    seg: &name[parent_prefix_len(prefix)..],
                    depth: segments_of(prefix),
                }
            })
            .collect();
        let n = nodes.len();
        // Each node's parent (the preorder's stack) and its children, in order.
        let mut parent = vec![0usize; n];
        let mut stack: Vec<usize> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            while let Some(&top) = stack.last() {
                if node.prefix.starts_with(nodes[top].prefix) {
                    break;
                }
                stack.pop();
            }
            parent[i] = stack.last().copied().unwrap_or(0);
            stack.push(i);
        }
        let mut child_start = vec![0usize; n + 1];
        for &p in &parent[1..] {
            child_start[p + 1] += 1;
        }
        for i in 0..n {
            child_start[i + 1] += child_start[i];
        }
        let mut children = vec![0usize; n.saturating_sub(1)];
        let mut next = child_start.clone();
        for (i, &p) in parent.iter().enumerate().skip(1) {
            children[next[p]] = i;
            next[p] += 1;
        }
        // Each node's own accounts, sorted: filled and sorted node by node,
        // on all cores.
        let mut into: Vec<Vec<&From<'_>>> = (0..n).map(|_| Vec::new()).collect();
        for f in &from {
            into[rank[f.node]].push(f);
        }
        let by =
            |a: &(&str, u16, Decimal), b: &(&str, u16, Decimal)| a.0.cmp(b.0).then(a.1.cmp(&b.1));
        let leaves: Vec<Vec<(&str, u16, Decimal)>> =
            into.into_par_iter()
                .map(|into| {
                    let len = into
                        .iter()
                        .map(|f| match f.clipped {
                            Some(_) => 1,
                            None => f.group.table.len(),
                        })
                        .sum();
                    let mut mine: Vec<(&str, u16, Decimal)> = Vec::with_capacity(len);
                    for f in into {
                        match f.clipped {
                            Some(seg) => {
                                let mut sum = Decimal::ZERO;
                                for s in f.group.table.iter() {
                                    sum += s.sum;
                                }
                                mine.push((seg, f.c, sum));
                            }
                            None => mine
                                .extend(f.group.table.iter().map(|s| (f.group.seg(s), f.c, s.sum))),
                        }
                    }
                    if mine.len() > 1 << 15 {
                        mine.par_sort_unstable_by(by);
                    } else {
                        mine.sort_unstable_by(by);
                    }
                    if depth.is_some() {
                        // Clipped groups may add up into one account: join them.
                        mine.dedup_by(|b, a| {
                            let same = a.0 == b.0 && a.1 == b.1;
                            if same {
                                a.2 += b.2;
                            }
                            same
                        });
                    }
                    mine
                })
                .collect();
        // The subtree sums: children come after their parent in preorder.
        let mut below: Vec<Vec<(u16, Decimal)>> = Vec::new();
        if !flat {
            below = vec![Vec::new(); n];
            for i in (1..n).rev() {
                let mut mine = std::mem::take(&mut below[i]);
                for &(_, c, q) in &leaves[i] {
                    add_to(&mut mine, c, q);
                }
                for &(c, q) in &mine {
                    add_to(&mut below[parent[i]], c, q);
                }
                below[i] = mine;
            }
        }
        Report {
            nodes,
            leaves,
            children,
            child_start,
            below,
            flat,
        }
    }

    /// Assets − Liabilities, per commodity.
    pub fn net(&self) -> Vec<Amount> {
        let mut net = Vec::new();
        let mut cs: Vec<&Option<String>> = self.by_commodity.keys().collect();
        cs.sort();
        for c in cs {
            let mut total = Decimal::ZERO;
            for g in &self.by_commodity[c].groups {
                let mut add = |ty: Option<AccountType>, q: Decimal| match ty {
                    Some(AccountType::Assets) => total += q,
                    Some(AccountType::Liabilities) => total -= q,
                    _ => {}
                };
                if g.prefix.is_empty() {
                    for s in g.table.iter() {
                        add(AccountType::of(g.seg(s)), s.sum);
                    }
                } else {
                    let ty = AccountType::of(&g.prefix);
                    if matches!(ty, Some(AccountType::Assets | AccountType::Liabilities)) {
                        for s in g.table.iter() {
                            add(ty, s.sum);
                        }
                    }
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

/// The length of the prefix of `prefix`'s parent (0 for `""`).
fn parent_prefix_len(prefix: &str) -> usize {
    if prefix.is_empty() {
        0
    } else {
        parent_prefix(prefix).len()
    }
}

/// An account with children (the root `""` has the top-level accounts).
struct Node<'a> {
    /// Its name and `:`.
    prefix: &'a str,
    /// Its last segment.
    seg: &'a str,
    /// Its number of segments (0 for the root).
    depth: usize,
}

/// A prepared balance report, walked once per output pass: the nodes (the
/// accounts with children) in tree order, the root first.
pub struct Report<'a> {
    nodes: Vec<Node<'a>>,
    /// The accounts right under each node: (last segment, commodity, own
    /// sum), sorted.
    leaves: Vec<Vec<(&'a str, u16, Decimal)>>,
    /// The child nodes of node `i`: `children[child_start[i]..child_start[i + 1]]`, in order.
    children: Vec<usize>,
    child_start: Vec<usize>,
    /// Tree mode: each node's subtree sum, its own postings not included.
    below: Vec<Vec<(u16, Decimal)>>,
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
    pub fn walk(&self, mut row: impl FnMut(Name<'_>, usize, &[(u16, Decimal)])) {
        let mut amounts: Vec<(u16, Decimal)> = Vec::new();
        // Depth first: (node, its next account, its next child node).
        let mut stack = vec![(0, 0, self.child_start[0])];
        while let Some(top) = stack.last_mut() {
            let n = top.0;
            let own = &self.leaves[n];
            let (leaves_end, children_end) = (own.len(), self.child_start[n + 1]);
            let leaf = (top.1 < leaves_end).then(|| own[top.1].0);
            let child = (top.2 < children_end).then(|| self.children[top.2]);
            // The smaller last segment first; an account with children
            // is one row, then its children.
            let (leaf, child) = match (leaf, child) {
                (None, None) => {
                    stack.pop();
                    continue;
                }
                (Some(l), Some(c)) => match l.cmp(self.nodes[c].seg) {
                    Ordering::Less => (Some(l), None),
                    Ordering::Equal => (Some(l), Some(c)),
                    Ordering::Greater => (None, Some(c)),
                },
                other => other,
            };
            amounts.clear();
            let mut last = "";
            if let Some(seg) = leaf {
                last = seg;
                // The account's amounts: one a commodity, in a run.
                let mut j = top.1;
                while j < leaves_end && (j == top.1 || same(own[j].0, seg)) {
                    add_to(&mut amounts, own[j].1, own[j].2);
                    j += 1;
                }
                top.1 = j;
            }
            if let Some(c) = child {
                top.2 += 1;
                last = self.nodes[c].seg;
                if !self.flat {
                    for &(k, q) in &self.below[c] {
                        add_to(&mut amounts, k, q);
                    }
                }
            }
            if leaf.is_some() || !self.flat {
                let name = Name {
                    parent: self.nodes[n].prefix,
                    last,
                };
                row(name, self.nodes[n].depth + 1, &amounts);
            }
            if let Some(c) = child {
                stack.push((c, 0, self.child_start[c]));
            }
        }
    }
}

impl Report<'_> {
    /// Assets − Liabilities per commodity (by its place in the report's
    /// commodities, `n` of them), from the top-level subtree sums: the same
    /// sums as [`Balances::net`] without adding up every account again.
    /// `None` in flat mode, which has no subtree sums.
    pub fn net(&self, n: usize) -> Option<Vec<Decimal>> {
        if self.flat {
            return None;
        }
        let mut net = vec![Decimal::ZERO; n];
        let mut add = |top: &str, amounts: &[(u16, Decimal)]| match AccountType::of(top) {
            Some(AccountType::Assets) => amounts.iter().for_each(|&(c, q)| net[c as usize] += q),
            Some(AccountType::Liabilities) => {
                amounts.iter().for_each(|&(c, q)| net[c as usize] -= q)
            }
            _ => {}
        };
        for &(seg, c, q) in &self.leaves[0] {
            add(seg, &[(c, q)]);
        }
        for &c in &self.children[self.child_start[0]..self.child_start[1]] {
            add(self.nodes[c].seg, &self.below[c]);
        }
        Some(net)
    }
}

/// A row's account name, in two parts (no copy per row): its parent with
/// the `:` (`""` at the top), then its last segment. Shown whole by
/// `Display`.
#[derive(Debug, Clone, Copy)]
pub struct Name<'a> {
    parent: &'a str,
    last: &'a str,
}

impl<'a> Name<'a> {
    /// The last segment (`Assets:Cash` → `Cash`).
    pub fn last(&self) -> &'a str {
        self.last
    }

    /// The whole name, in `buf` (cleared first).
    pub fn write_to<'b>(&self, buf: &'b mut String) -> &'b str {
        buf.clear();
        buf.push_str(self.parent);
        buf.push_str(self.last);
        buf
    }
}

impl std::fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.parent)?;
        f.write_str(self.last)
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

/// `a == b`, without a call to `memcmp` for the common empty or short
/// commodity (this runs for every amount of a report).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

impl Column {
    fn prec_of(&self, commodity: &str) -> usize {
        self.prec
            .iter()
            .find(|(c, _)| same(c, commodity))
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
        match self.prec.iter_mut().find(|(c, _)| same(c, commodity)) {
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
        let mut s = String::with_capacity(self.width());
        self.format_into(&mut s, q, commodity);
        s
    }

    /// [`Column::format`], appended to `s` (no allocation per amount).
    pub fn format_into(&self, s: &mut String, q: &Decimal, commodity: &str) {
        use std::fmt::Write as _;
        let frac = self.frac();
        let prec = self.prec_of(commodity);
        let n = q.normalize();
        // The number's text, in place at the end of `s`, then split.
        let at = s.len();
        if n.is_zero() {
            s.push('0');
        } else {
            let _ = write!(s, "{n}");
        }
        // Right-align the integer part: pad before it.
        let int_len = s[at..].find('.').unwrap_or(s.len() - at);
        if int_len < self.int {
            const SPACES: &str = "                                                                ";
            let pad = self.int - int_len;
            match SPACES.get(..pad) {
                Some(spaces) => s.insert_str(at, spaces),
                None => s.insert_str(at, &" ".repeat(pad)),
            }
        }
        let point = at + self.int.max(int_len);
        let mut used = 0;
        if !n.is_zero() && prec > 0 {
            let dec_len = s.len().saturating_sub(point + 1);
            if point == s.len() {
                s.push('.');
            }
            for _ in dec_len..prec {
                s.push('0');
            }
            used = prec + 1;
        } else {
            // No decimals shown for this commodity.
            s.truncate(point);
        }
        let room = if frac > 0 { frac + 1 } else { 0 };
        for _ in used..room {
            s.push(' ');
        }
        if self.comm > 0 {
            let _ = write!(s, " {commodity:<w$}", w = self.comm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Rows = Vec<(String, usize, Vec<(u16, Decimal)>)>;

    /// The report as defined: names clipped to the depth; flat, each
    /// (clipped) name with its own sums; tree, each name and ancestor with
    /// the sums of its subtree; rows sorted by [`tree_order`].
    fn oracle(postings: &[(String, u16, Decimal)], depth: Option<usize>, flat: bool) -> Rows {
        let limit = depth.filter(|&d| d > 0).unwrap_or(usize::MAX);
        let mut rows: Vec<String> = Vec::new();
        let clipped: Vec<(&str, u16, Decimal)> = postings
            .iter()
            .map(|(a, c, q)| (clip(a, limit), *c, *q))
            .collect();
        for (a, _, _) in &clipped {
            rows.push(a.to_string());
            if !flat {
                for (i, b) in a.bytes().enumerate() {
                    if b == b':' {
                        rows.push(a[..i].to_string());
                    }
                }
            }
        }
        rows.sort_by(|a, b| tree_order(a, b));
        rows.dedup();
        rows.into_iter()
            .map(|r| {
                let mut amounts = Vec::new();
                for (a, c, q) in &clipped {
                    let under = *a == r
                        || (!flat
                            && a.len() > r.len()
                            && a.starts_with(&r)
                            && a.as_bytes()[r.len()] == b':');
                    if under {
                        add_to(&mut amounts, *c, *q);
                    }
                }
                let d = r.split(':').count();
                (r, d, amounts)
            })
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// The report built from siblings (a node per parent) walks the
        /// rows in the order, depths and sums of a sort of the whole names.
        #[test]
        fn the_report_is_a_sort_of_the_whole_names(
            postings in prop::collection::vec(("(Assets|Liabilities|[ab0 -]{1,2})(:[ab0 -]{1,2}){0,3}", 0u16..2, -3i64..4), 1..40),
            depth in prop::option::of(0usize..5),
            flat: bool,
        ) {
            let postings: Vec<(String, u16, Decimal)> = postings
                .into_iter()
                .map(|(a, c, q)| (a, c, Decimal::new(q, (c as u32) * 2)))
                .collect();
            let commodities = [None, Some("EUR".to_string())];
            let mut kept = Postings::default();
            for (a, c, q) in &postings {
                kept.by_commodity
                    .entry(commodities[*c as usize].clone())
                    .or_default()
                    .push(a, *q);
            }
            let mut b = Balances::default();
            b.merge(kept).unwrap();
            let report = b.report(depth, flat, &commodities);
            let mut rows: Rows = Vec::new();
            report.walk(|a, d, amounts| rows.push((a.to_string(), d, amounts.to_vec())));
            prop_assert_eq!(rows, oracle(&postings, depth, flat));
            // Net from the tree's top-level sums is Net from every account.
            let mut net = vec![Decimal::ZERO; 2];
            for (a, c, q) in &postings {
                match AccountType::of(a) {
                    Some(AccountType::Assets) => net[*c as usize] += *q,
                    Some(AccountType::Liabilities) => net[*c as usize] -= *q,
                    _ => {}
                }
            }
            match report.net(2) {
                Some(from_tree) => prop_assert_eq!(from_tree, net),
                None => prop_assert!(flat),
            }
        }
    }

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
