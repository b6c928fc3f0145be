//! `msgl check`: every entry balances (DESIGN §2.6 sign convention), sequence
//! numbers strictly increase, timestamps never decrease.

use std::borrow::Cow;

use crate::journal::Decimal;

use super::{AccountType, Amount, Entry, ResolvedPosting};
use crate::error::{Error, Result};

/// Why an entry does not resolve: message, hint and the line (and column)
/// to blame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imbalance {
    pub what: String,
    pub hint: String,
    pub line: usize,
    pub col: usize,
}

impl Imbalance {
    pub fn into_error(self, file: &str) -> Error {
        Error::check(self.what)
            .at(file, self.line, self.col)
            .hint(self.hint)
    }
}

/// Per-commodity sum of debit-positive amounts.
#[derive(Default)]
struct Residual(Vec<(Option<String>, Decimal)>);

impl Residual {
    fn add(&mut self, commodity: &Option<String>, q: Decimal) -> Option<()> {
        match self.0.iter_mut().find(|(c, _)| c == commodity) {
            Some((_, s)) => *s = s.checked_add(q)?,
            None => self.0.push((commodity.clone(), q)),
        }
        Some(())
    }
    fn nonzero(&self) -> Vec<&(Option<String>, Decimal)> {
        self.0.iter().filter(|(_, s)| !s.is_zero()).collect()
    }
}

fn fmt_amount(q: Decimal, c: &Option<String>) -> String {
    Amount {
        quantity: q.normalize(),
        commodity: c.clone(),
    }
    .to_string()
}

pub(super) fn resolve(e: &Entry, strict: bool) -> Result<Vec<ResolvedPosting<'_>>, Imbalance> {
    // Cannot happen within the journal's limits on amounts (39 digits, 18
    // decimals: DESIGN §2.3); said at the posting rather than assumed.
    let overflow = |line: usize| Imbalance {
        what: "amounts beyond the exact limits (76 digits) when added up".into(),
        hint: "amounts have at most 39 digits and 18 decimal places".into(),
        line,
        col: 1,
    };
    let mut residual = Residual::default();
    let mut elided = None;
    let mut out = Vec::with_capacity(e.postings.len() + 1);
    for (i, p) in e.postings.iter().enumerate() {
        let ty = AccountType::of(&p.account).ok_or_else(|| Imbalance {
            what: format!("unknown account type in `{}`", p.account),
            hint: "an account starts with Assets, Liabilities, Equity, Income or Expenses".into(),
            line: p.line,
            col: 1,
        })?;
        match &p.amount {
            Some(a) => {
                residual
                    .add(&a.commodity, a.quantity * ty.sign())
                    .ok_or_else(|| overflow(p.line))?;
                out.push(ResolvedPosting {
                    line: p.line,
                    account: Cow::Borrowed(p.account.as_str()),
                    amount: a.clone(),
                    inferred: false,
                    implied: false,
                });
            }
            None => {
                elided = Some((i, ty));
                out.push(ResolvedPosting {
                    line: p.line,
                    account: Cow::Borrowed(p.account.as_str()),
                    amount: Amount::new(Decimal::ZERO, None),
                    inferred: true,
                    implied: false,
                });
            }
        }
    }
    let open = residual.nonzero();
    if let Some((i, ty)) = elided {
        let (commodity, q) = match open.as_slice() {
            [] => (
                residual.0.first().and_then(|(c, _)| c.clone()),
                Decimal::ZERO,
            ),
            [(c, s)] => (c.clone(), -*s * ty.sign()),
            many => {
                return Err(Imbalance {
                    what: format!(
                        "cannot infer the missing amount: {} commodities are unbalanced",
                        many.len()
                    ),
                    hint: "write the amounts out, one posting per commodity".into(),
                    line: e.postings[i].line,
                    col: 1,
                })
            }
        };
        out[i].amount = Amount {
            quantity: q,
            commodity,
        };
        return Ok(out);
    }
    if open.is_empty() {
        return Ok(out);
    }
    if let Some(counter) = e.implied_counterpart() {
        if strict {
            return Err(Imbalance {
                what: format!(
                    "{} has one posting (its counterpart is implied)",
                    e.description
                ),
                hint: format!("--strict wants it written out: add `{counter}`"),
                line: e.line,
                col: 1,
            });
        }
        out.push(ResolvedPosting {
            line: e.line,
            account: Cow::Owned(counter),
            amount: e.postings[0]
                .amount
                .clone()
                .expect("implied form has an amount"),
            inferred: false,
            implied: true,
        });
        return Ok(out);
    }
    // Every unbalanced commodity, in the order first posted.
    let sides: Vec<String> = open
        .iter()
        .map(|(c, s)| {
            let side = if s.is_sign_positive() {
                "debits exceed credits"
            } else {
                "credits exceed debits"
            };
            format!("{side} by {}", fmt_amount(s.abs(), c))
        })
        .collect();
    Err(Imbalance {
        what: format!("entry does not balance: {}", sides.join(", ")),
        hint: "amounts are positive when an account grows; Assets and Expenses are debits, Liabilities, Equity and Income credits".into(),
        line: e.line,
        col: 1,
    })
}

/// What a block of entries looked like at its edges, for the order checks
/// across blocks.
#[derive(Debug, Default)]
pub struct CheckBlock {
    pub first: Option<(u64, u64, usize)>,
    pub last: Option<(u64, u64, usize)>,
    pub problems: Vec<Error>,
    pub entries: usize,
}

/// The most problems `check` lists before it stops counting.
pub const MAX_PROBLEMS: usize = 100;

impl CheckBlock {
    /// Checks one entry (in file order within its block).
    pub fn entry(&mut self, file: &str, e: &Entry, strict: bool) {
        self.entries += 1;
        if let Err(imb) = e.resolve(strict) {
            self.push(imb.into_error(file));
        }
        let here = (e.seq, e.timestamp, e.line);
        if let Some(prev) = self.last {
            if let Some(err) = order_problem(file, prev, here) {
                self.push(err);
            }
        } else {
            self.first = Some(here);
        }
        self.last = Some(here);
    }

    /// For reports: checks `e` as [`CheckBlock::entry`] does and returns its
    /// postings resolved (the implied form allowed: `strict` only adds the
    /// problem). An entry that does not balance is the report's error.
    pub fn resolve<'e>(
        &mut self,
        file: &str,
        e: &'e Entry,
        strict: bool,
    ) -> Result<Vec<ResolvedPosting<'e>>> {
        self.entries += 1;
        let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
        if strict && postings.iter().any(|p| p.implied) {
            if let Err(imb) = e.resolve(true) {
                self.push(imb.into_error(file));
            }
        }
        let here = (e.seq, e.timestamp, e.line);
        match self.last {
            Some(prev) => {
                if let Some(err) = order_problem(file, prev, here) {
                    self.push(err);
                }
            }
            None => self.first = Some(here),
        }
        self.last = Some(here);
        Ok(postings)
    }

    fn push(&mut self, e: Error) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(e);
        }
    }
}

fn order_problem(file: &str, prev: (u64, u64, usize), here: (u64, u64, usize)) -> Option<Error> {
    let (pseq, pts, pline) = prev;
    let (seq, ts, line) = here;
    if seq <= pseq {
        let col = ts.to_string().len() + 3;
        return Some(
            Error::check(format!(
                "sequence number {seq} does not follow {pseq} (line {pline})"
            ))
            .at(file, line, col)
            .hint("sequence numbers strictly increase; renumber, or restore the missing entries"),
        );
    }
    if ts < pts {
        return Some(
            Error::check(format!(
                "timestamp {ts} is earlier than {pts} (line {pline})"
            ))
            .at(file, line, 1)
            .hint("timestamps never decrease"),
        );
    }
    None
}

/// Joins per-block results (in file order) into the list of problems.
pub fn join_blocks(file: &str, blocks: Vec<CheckBlock>) -> (usize, Vec<Error>) {
    let mut problems = Vec::new();
    let mut prev: Option<(u64, u64, usize)> = None;
    let mut count = 0;
    for b in blocks {
        count += b.entries;
        if let (Some(p), Some(f)) = (prev, b.first) {
            if let Some(err) = order_problem(file, p, f) {
                problems.push(err);
            }
        }
        problems.extend(b.problems);
        if b.last.is_some() {
            prev = b.last;
        }
    }
    problems.sort_by_key(|e| e.location().map(|l| l.line).unwrap_or(0));
    problems.truncate(MAX_PROBLEMS);
    (count, problems)
}

/// After a report, the journal's check (DESIGN §2.5): its first problem, in
/// file order, as a warning on stderr, the report's exit status unchanged;
/// with `strict` (a report's `--strict`), that problem is the error.
/// `blocks` are the report's per-block checks with their block numbers.
pub fn conclude(file: &str, mut blocks: Vec<(usize, CheckBlock)>, strict: bool) -> Result<()> {
    blocks.sort_by_key(|(i, _)| *i);
    let (_, problems) = join_blocks(file, blocks.into_iter().map(|(_, b)| b).collect());
    let n = problems.len();
    let Some(first) = problems.into_iter().next() else {
        return Ok(());
    };
    if strict {
        return Err(first);
    }
    eprintln!("{}", warning(&first, n));
    Ok(())
}

/// `msgl: warning: FILE:LINE:COL: what (hint)`, and how many more.
pub fn warning(e: &Error, problems: usize) -> String {
    let text = e.to_string();
    let rest = text.strip_prefix("msgl: ").unwrap_or(&text);
    let more = match problems {
        0 | 1 => String::new(),
        2 => "; 1 more problem: `msgl check` lists it".to_string(),
        n if n >= MAX_PROBLEMS => format!(
            "; {} or more problems: `msgl check` lists them",
            MAX_PROBLEMS - 1
        ),
        n => format!("; {} more problems: `msgl check` lists them", n - 1),
    };
    format!("msgl: warning: {rest}{more}")
}
