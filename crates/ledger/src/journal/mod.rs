//! The journal (DESIGN §2): entries of postings, their parser, checks,
//! printers and the locked appender.

pub mod append;
pub mod check;
pub mod decimal;
pub mod hledger;

pub mod parse;
pub mod print;
pub mod scan;

use serde::Serialize;

pub use decimal::Decimal;
pub use parse::{parse_file, parse_str, Source};

/// One entry: `<ms> (<seq>) <description>` and its postings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Line of the header in its file (1-based); 0 for an entry not read from a file.
    #[serde(skip)]
    pub line: usize,
    pub timestamp: u64,
    pub seq: u64,
    pub description: String,
    /// The comment after the header, without its `;` (its `key: value`
    /// pairs are tags: [`tags`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub postings: Vec<Posting>,
    /// Comment lines inside the entry: (number of postings before it, text).
    #[serde(skip)]
    pub notes: Vec<(usize, String)>,
}

/// An indented posting line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posting {
    #[serde(skip)]
    pub line: usize,
    pub account: String,
    /// `None` when the amount is elided in the file (inferred by `Entry::resolve`).
    pub amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A quantity and its commodity. Without a commodity the node's token is meant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Amount {
    #[serde(with = "crate::journal::decimal::serde::str")]
    pub quantity: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commodity: Option<String>,
}

impl Amount {
    pub fn new(quantity: Decimal, commodity: Option<&str>) -> Amount {
        Amount {
            quantity,
            commodity: commodity.map(str::to_string),
        }
    }

    pub fn commodity_str(&self) -> &str {
        self.commodity.as_deref().unwrap_or("")
    }
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.quantity)?;
        if let Some(c) = &self.commodity {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// The five account types, from an account's first segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum AccountType {
    Assets,
    Liabilities,
    Equity,
    Income,
    Expenses,
}

impl AccountType {
    /// The type of an account, from its first segment (case-insensitive; a
    /// few common synonyms so that hledger journals import).
    pub fn of(account: &str) -> Option<AccountType> {
        let top = account.split_once(':').map_or(account, |(t, _)| t);
        const NAMES: [(&str, AccountType); 10] = [
            ("Assets", AccountType::Assets),
            ("Liabilities", AccountType::Liabilities),
            ("Income", AccountType::Income),
            ("Expenses", AccountType::Expenses),
            ("Equity", AccountType::Equity),
            ("Asset", AccountType::Assets),
            ("Liability", AccountType::Liabilities),
            ("Revenue", AccountType::Income),
            ("Revenues", AccountType::Income),
            ("Expense", AccountType::Expenses),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(top))
            .map(|&(_, t)| t)
    }

    /// Debit-normal accounts (Assets, Expenses) grow with debits.
    pub fn debit_normal(self) -> bool {
        matches!(self, AccountType::Assets | AccountType::Expenses)
    }

    /// +1 for debit-normal, −1 for credit-normal: the factor that turns a
    /// "positive when it grows" amount into a debit-positive one (hledger's).
    pub fn sign(self) -> Decimal {
        if self.debit_normal() {
            Decimal::ONE
        } else {
            Decimal::NEGATIVE_ONE
        }
    }
}

/// The `key: value` tags of a comment, hledger style: comma-separated,
/// a tag name is a word without spaces followed by `:`; text that is not a
/// tag is skipped. `ack: acks/a.yaml, note` → `[("ack", "acks/a.yaml")]`.
pub fn tags(comment: &str) -> Vec<(&str, &str)> {
    comment
        .split(',')
        .filter_map(|part| {
            let (k, v) = part.split_once(':')?;
            let k = k.trim();
            (!k.is_empty() && !k.contains(char::is_whitespace)).then(|| (k, v.trim()))
        })
        .collect()
}

/// The two entry kinds whose single posting implies its counterpart.
pub const MESSAGE_SENT: &str = "MESSAGE SENT";
pub const MESSAGE_RECEIVED: &str = "MESSAGE RECEIVED";

impl Entry {
    /// The value of the entry's tag `key` (in the header's comment).
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.comment
            .as_deref()
            .and_then(|c| tags(c).into_iter().find(|(k, _)| *k == key).map(|(_, v)| v))
    }

    /// The account implied by a single-posting MESSAGE SENT / MESSAGE
    /// RECEIVED entry, if this is one (DESIGN §2.1).
    pub fn implied_counterpart(&self) -> Option<String> {
        if self.postings.len() != 1 || self.postings[0].amount.is_none() {
            return None;
        }
        let account = &self.postings[0].account;
        let segs: Vec<&str> = account.split(':').collect();
        let (prefix, counter) = match self.description.as_str() {
            MESSAGE_SENT => (["Assets", "AccountsReceivable"], "Income:Messages"),
            MESSAGE_RECEIVED => (["Liabilities", "AccountsPayable"], "Expenses:Messages"),
            _ => return None,
        };
        if segs.len() >= 3 && segs[0] == prefix[0] && segs[1] == prefix[1] {
            Some(format!("{counter}:{}", segs[2]))
        } else {
            None
        }
    }

    /// The entry's postings with every amount known: the elided one
    /// inferred, and the implied counterpart (if any) written out. Checks
    /// that the result balances; `strict` refuses the implied form.
    pub fn resolve(&self, strict: bool) -> Result<Vec<ResolvedPosting<'_>>, check::Imbalance> {
        check::resolve(self, strict)
    }
}

/// A posting with a known amount; `implied`/`inferred` say where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPosting<'a> {
    /// The posting's line (the entry's header for an implied posting).
    pub line: usize,
    pub account: std::borrow::Cow<'a, str>,
    pub amount: Amount,
    /// The amount was elided in the file and inferred.
    pub inferred: bool,
    /// The whole posting is the implied counterpart of a MESSAGE entry.
    pub implied: bool,
}

/// A parsed journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    pub entries: Vec<Entry>,
}

/// Whether the journal file holds any of `needles`: its last 64 KiB first
/// (where the latest entries are), the whole file only if not found there.
pub fn contains(path: &std::path::Path, needles: &[&str]) -> crate::error::Result<bool> {
    use crate::error::Error;
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
