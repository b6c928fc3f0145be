//! The line machine: turns a block's lines into entries (the scanner for
//! well-formed lines, the grammar for the rest), with the checks the grammar
//! cannot express (control characters, account names and types).

use super::*;

/// The line-by-line state machine: collects an entry's lines.
pub struct LineReader<'n> {
    name: &'n str,
    current: Option<Entry>,
    elided_line: Option<usize>,
}

impl<'n> LineReader<'n> {
    pub fn new(name: &'n str) -> Self {
        LineReader {
            name,
            current: None,
            elided_line: None,
        }
    }

    /// Feeds one line (without its `\n`); returns an entry it completed.
    pub fn line(&mut self, no: usize, line: &str) -> Result<Option<Entry>> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.len() > MAX_LINE {
            return Err(Error::input(format!("line longer than {MAX_LINE} bytes"))
                .at(self.name, no, 1)
                .hint("this is not a journal, or it is damaged"));
        }
        let Some(&first) = line.as_bytes().first() else {
            return Ok(self.current.take());
        };
        match first {
            b'0'..=b'9' => {
                let done = self.current.take();
                self.current = Some(self.header(no, line)?);
                self.elided_line = None;
                Ok(done)
            }
            b' ' | b'\t' => {
                if line.trim().is_empty() {
                    return Ok(self.current.take());
                }
                self.indented(no, line)?;
                Ok(None)
            }
            b';' | b'#' => Ok(self.current.take()),
            _ => {
                let mut err =
                    Error::input("unexpected text at the start of a line").at(self.name, no, 1);
                err = if looks_like_hledger_date(line) {
                    err.hint("this looks like an hledger entry: use `msgl import --hledger FILE`")
                } else {
                    err.hint("an entry starts with `<unix ms> (<seq>) <description>`; postings are indented")
                };
                Err(err)
            }
        }
    }

    /// Ends the input; returns the last entry.
    pub fn finish(&mut self) -> Result<Option<Entry>> {
        Ok(self.current.take())
    }

    fn header(&self, no: usize, line: &str) -> Result<Entry> {
        let parts = match scan::header(line) {
            Some(p) => p,
            None => pest_header(line)
                .map_err(|e| grammar_error(self.name, no, line, e, Rule::header))?,
        };
        let timestamp = parts.timestamp.parse().map_err(|_| {
            Error::input("timestamp out of range")
                .at(self.name, no, 1)
                .hint("unix epoch milliseconds, e.g. 1592063779399")
        })?;
        let seq = parts.seq.parse().map_err(|_| {
            Error::input("sequence number out of range")
                .at(self.name, no, line.find('(').map_or(1, |i| i + 2))
                .hint("at most 20 digits")
        })?;
        if let Some(c) = parts.comment {
            clean_comment(self.name, no, line, c)?;
        }
        let mut description = String::new();
        if let Some((d, at)) = parts.description {
            if !d.is_ascii() || d.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                no_control(self.name, no, line, d, at + 1, "description")?;
            }
            description = d.to_string();
        }
        Ok(Entry {
            line: no,
            timestamp,
            seq,
            description,
            comment: parts.comment.map(str::to_string),
            postings: Vec::new(),
            notes: Vec::new(),
        })
    }

    fn indented(&mut self, no: usize, line: &str) -> Result<()> {
        let Some(entry) = self.current.as_mut() else {
            let col = line.len() - line.trim_start().len() + 1;
            return Err(Error::input("posting outside an entry")
                .at(self.name, no, col)
                .hint("postings follow their header line directly, with no blank line between"));
        };
        let parts = match scan::indented(line) {
            Some(p) => p,
            None => pest_indented(line)
                .map_err(|e| grammar_error(self.name, no, line, e, Rule::indented))?,
        };
        let (account, account_at, amount, comment) = match parts {
            IndentedParts::Comment(c) => {
                clean_comment(self.name, no, line, c)?;
                entry.notes.push((entry.postings.len(), c.to_string()));
                return Ok(());
            }
            IndentedParts::Posting {
                account,
                account_at,
                amount,
                comment,
            } => (account, account_at, amount, comment),
        };
        check_account(self.name, no, line, account, account_at + 1)?;
        if let Some(c) = comment {
            clean_comment(self.name, no, line, c)?;
        }
        let amount = match amount {
            None => {
                if let Some(prev) = self.elided_line {
                    return Err(Error::input(format!(
                        "a second posting without an amount (line {prev} has none either)"
                    ))
                    .at(self.name, no, account_at + 1)
                    .hint("at most one posting per entry may omit its amount"));
                }
                self.elided_line = Some(no);
                None
            }
            Some(a) => {
                let mut q = parse_number(a.number).map_err(|e| {
                    Error::input(e.what)
                        .at(self.name, no, char_col(line, a.number_at + e.at))
                        .hint(e.hint)
                })?;
                if a.negative {
                    q.set_sign_negative(true);
                }
                Some(Amount {
                    quantity: q,
                    commodity: a.commodity.map(str::to_string),
                })
            }
        };
        entry.postings.push(Posting {
            line: no,
            account: account.to_string(),
            amount,
            comment: comment.map(str::to_string),
        });
        Ok(())
    }
}

/// Column (1-based, in characters) of byte offset `byte` in `line`.
pub(super) fn char_col(line: &str, byte: usize) -> usize {
    line[..byte.min(line.len())].chars().count() + 1
}

pub(super) fn no_control(
    name: &str,
    no: usize,
    line: &str,
    text: &str,
    col: usize,
    what: &str,
) -> Result<()> {
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| crate::error::is_unsafe_char(c) && c != '\t')
    {
        let start = col - 1 + i;
        let kind = if c.is_control() {
            "control"
        } else {
            "bidi formatting"
        };
        return Err(
            Error::input(format!("{kind} character U+{:04X} in the {what}", c as u32))
                .at(name, no, char_col(line, start))
                .hint("remove it"),
        );
    }
    Ok(())
}

/// A comment (a slice of `line`) holds no control or bidi characters
/// either: `print` writes it back to a terminal.
pub(super) fn clean_comment(name: &str, no: usize, line: &str, c: &str) -> Result<()> {
    if c.is_ascii() && !c.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Ok(());
    }
    let at = c.as_ptr() as usize - line.as_ptr() as usize;
    no_control(name, no, line, c, at + 1, "comment")
}

/// Account-level checks the grammar cannot express well.
pub(super) fn check_account(
    name: &str,
    no: usize,
    line: &str,
    account: &str,
    col: usize,
) -> Result<()> {
    if !account.is_ascii()
        || account
            .bytes()
            .any(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        no_control(name, no, line, account, col, "account name")?;
    }
    if memchr::memchr(b' ', account.as_bytes()).is_none() {
        return check_account_type(name, no, account, col);
    }
    // `Assets:Cash 5`: hledger would read "Assets:Cash 5" as the account.
    let words: Vec<(usize, &str)> = account
        .match_indices(' ')
        .map(|(i, _)| i + 1)
        .map(|i| (i, &account[i..]))
        .collect();
    for (start, tail) in words {
        let mut parts = tail.split(' ');
        let first = parts.next().unwrap_or("");
        let second = parts.next();
        let numeric = looks_like_number(first);
        let fits = match second {
            None => true,
            Some(c) => {
                parts.next().is_none()
                    && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            }
        };
        if numeric && fits && !tail.contains(':') {
            return Err(
                Error::input("amount separated from the account by a single space")
                    .at(name, no, char_col(line, col - 1 + start))
                    .hint("put two spaces or a tab between the account and the amount"),
            );
        }
    }
    check_account_type(name, no, account, col)
}

pub(super) fn check_account_type(name: &str, no: usize, account: &str, col: usize) -> Result<()> {
    if crate::journal::AccountType::of(account).is_none() {
        let top = account.split(':').next().unwrap_or("");
        return Err(Error::input(format!("unknown account type `{top}`"))
            .at(name, no, col)
            .hint("an account starts with Assets, Liabilities, Equity, Income or Expenses"));
    }
    Ok(())
}

pub(super) fn looks_like_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    !s.is_empty()
        && s.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.matches('.').count() <= 1
}

pub(super) fn looks_like_hledger_date(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && (b[4] == b'-' || b[4] == b'/')
}
