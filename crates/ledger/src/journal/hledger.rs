//! `msgl import --hledger`: hledger's journal format back into msgl's.
//!
//! The inverse of `print --hledger`: the date and the `ms:` tag give the
//! timestamp (midnight UTC without the tag), the code gives the sequence
//! number, and hledger's signs (credit-normal accounts negative) turn back
//! into msgl's (positive when an account grows).

use std::io::{BufRead, Read};

use crate::journal::Decimal;
use pest::Parser as _;
use pest_derive::Parser;

use super::parse::MAX_LINE;
use super::print::{days_from_civil, MS_TAG};
use super::{AccountType, Amount, Entry, Journal, Posting};
use crate::error::{Error, Result};

#[derive(Parser)]
#[grammar = "../grammar/hledger.pest"]
struct Grammar;

/// hledger directives that do not change balances and are skipped.
const SKIPPED: &[&str] = &["account ", "commodity ", "decimal-mark ", "payee ", "tag "];

/// Reads an hledger journal held in memory.
pub fn import(text: &str, file: &str) -> Result<Journal> {
    let mut entries = Vec::new();
    import_lines(text.as_bytes(), file, &mut |_| {}, &mut |e| {
        entries.push(e);
        Ok(())
    })?;
    Ok(Journal { entries })
}

/// Lines read between two calls of the progress callback.
const PROGRESS_EVERY: usize = 1 << 14;

/// Reads an hledger journal line by line from `input`, handing each entry
/// to `sink` as soon as it is complete (memory stays bounded by the longest
/// entry, not the file). `progress` hears the bytes read so far every few
/// thousand lines and at the end. Lines longer than [`MAX_LINE`] bytes are
/// refused at their line.
pub fn import_lines(
    mut input: impl BufRead,
    file: &str,
    progress: &mut dyn FnMut(u64),
    sink: &mut dyn FnMut(Entry) -> Result<()>,
) -> Result<()> {
    let mut reader = Importer {
        file,
        current: None,
        elided: false,
        last_seq: None,
    };
    let mut buf = Vec::new();
    let mut read = 0u64;
    let mut no = 0usize;
    loop {
        buf.clear();
        let n = (&mut input)
            .take(MAX_LINE as u64 + 2)
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(file, e))?;
        if n == 0 {
            break;
        }
        no += 1;
        read += n as u64;
        if no.is_multiple_of(PROGRESS_EVERY) {
            progress(read);
        }
        if buf.last() == Some(&b'\n') {
            buf.pop();
        } else if buf.len() > MAX_LINE {
            return Err(Error::input(format!("line longer than {MAX_LINE} bytes"))
                .at(file, no, 1)
                .hint("not an hledger journal"));
        }
        // The last line may lack its newline, as hledger allows; a byte
        // order mark at the start is skipped, as hledger does.
        if no == 1 && buf.starts_with(super::parse::BOM.as_bytes()) {
            buf.drain(..super::parse::BOM.len());
        }
        let line = std::str::from_utf8(&buf).map_err(|e| {
            Error::input("invalid UTF-8")
                .at(file, no, e.valid_up_to() + 1)
                .hint("an hledger journal is UTF-8 text")
        })?;
        if let Some(e) = reader.line(no, line)? {
            sink(e)?;
        }
    }
    if let Some(e) = reader.current.take() {
        sink(e)?;
    }
    progress(read);
    Ok(())
}

/// The state between lines: the entry being read.
struct Importer<'f> {
    file: &'f str,
    current: Option<Entry>,
    /// The current entry has a posting without an amount.
    elided: bool,
    /// The sequence number of the last entry handed out.
    last_seq: Option<u64>,
}

impl Importer<'_> {
    /// Hands out the entry in progress, if any.
    fn close(&mut self) -> Option<Entry> {
        let e = self.current.take()?;
        self.last_seq = Some(e.seq);
        Some(e)
    }

    /// Reads line `no`; returns the entry it completes, if it does.
    fn line(&mut self, no: usize, raw: &str) -> Result<Option<Entry>> {
        let file = self.file;
        let mut finished = None;
        {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let err = |what: &str, col: usize, hint: &str| {
                Error::input(what.to_string())
                    .at(file, no, col)
                    .hint(hint.to_string())
            };
            let first = line.as_bytes().first().copied();
            match first {
                None => finished = self.close(),
                Some(b' ' | b'\t') if line.trim().is_empty() => finished = self.close(),
                Some(b';' | b'#' | b'*') => finished = self.close(),
                Some(b'0'..=b'9') => {
                    finished = self.close();
                    let pairs = Grammar::parse(Rule::hl_header, line).map_err(|_| {
                        err(
                            "malformed hledger entry header",
                            1,
                            "`YYYY-MM-DD [(CODE)] DESCRIPTION`",
                        )
                    })?;
                    let mut e = Entry {
                        line: no,
                        timestamp: 0,
                        seq: 0,
                        description: String::new(),
                        comment: None,
                        postings: vec![],
                        notes: vec![],
                    };
                    let mut code = None;
                    for p in pairs.into_iter().next().expect("matched").into_inner() {
                        match p.as_rule() {
                            Rule::date => {
                                let parts: Vec<i64> = p
                                    .into_inner()
                                    .map(|d| d.as_str().parse().unwrap_or(0))
                                    .collect();
                                let days =
                                    days_from_civil(parts[0], parts[1] as u32, parts[2] as u32)
                                        .filter(|d| *d >= 0)
                                        .ok_or_else(|| {
                                            err(
                                                "invalid date",
                                                1,
                                                "a real calendar date, from 1970 on",
                                            )
                                        })?;
                                e.timestamp = days as u64 * 86_400_000;
                            }
                            Rule::code => {
                                code = Some(p.as_str().parse::<u64>().map_err(|_| {
                                    err("code out of range", 1, "a sequence number")
                                })?)
                            }
                            Rule::description => e.description = p.as_str().to_string(),
                            Rule::comment => {
                                e.comment = Some(
                                    p.into_inner()
                                        .next()
                                        .map(|t| t.as_str().trim().to_string())
                                        .unwrap_or_default(),
                                )
                            }
                            _ => {}
                        }
                    }
                    // The exact time travels in the `ms:` tag.
                    if let Some(c) = e.comment.take() {
                        let (tag, rest) = match c.split_once(',') {
                            Some((t, r)) => (t.trim(), Some(r.trim().to_string())),
                            None => (c.trim(), None),
                        };
                        match tag
                            .strip_prefix(MS_TAG)
                            .and_then(|t| t.strip_prefix(':'))
                            .map(str::trim)
                        {
                            Some(ms) => {
                                let ms: u64 = ms.parse().map_err(|_| {
                                    err("bad ms: tag", 1, "unix epoch milliseconds")
                                })?;
                                if ms / 86_400_000 != e.timestamp / 86_400_000 {
                                    return Err(err(
                                        "the ms: tag is not on the entry's date",
                                        1,
                                        "fix the date or the tag",
                                    ));
                                }
                                e.timestamp = ms;
                                e.comment = rest.filter(|r| !r.is_empty());
                            }
                            None => e.comment = Some(c),
                        }
                    }
                    e.seq = match code {
                        Some(c) => c,
                        None => self.last_seq.map_or(1, |l| l + 1),
                    };
                    self.elided = false;
                    self.current = Some(e);
                }
                Some(b' ' | b'\t') => {
                    let Some(e) = self.current.as_mut() else {
                        return Err(err(
                            "posting outside an entry",
                            1,
                            "postings follow their header line",
                        ));
                    };
                    let pairs = Grammar::parse(Rule::hl_indented, line).map_err(|er| {
                        let col = match er.location {
                            pest::error::InputLocation::Pos(p) => p + 1,
                            pest::error::InputLocation::Span((s, _)) => s + 1,
                        };
                        let t = line.trim_start();
                        if t.starts_with('(') || t.starts_with('[') {
                            err(
                                "virtual postings are not supported",
                                col,
                                "msgl journals are strictly double-entry",
                            )
                        } else if line.contains('=') {
                            err(
                                "balance assertions are not supported",
                                col,
                                "remove the `= AMOUNT` part",
                            )
                        } else {
                            err(
                                "malformed hledger posting",
                                col,
                                "`ACCOUNT  AMOUNT [COMMODITY]`",
                            )
                        }
                    })?;
                    let inner = pairs
                        .into_iter()
                        .next()
                        .expect("matched")
                        .into_inner()
                        .next()
                        .expect("one");
                    if inner.as_rule() == Rule::comment {
                        let text = inner
                            .into_inner()
                            .next()
                            .map(|t| t.as_str().trim().to_string())
                            .unwrap_or_default();
                        e.notes.push((e.postings.len(), text));
                        return Ok(None);
                    }
                    let mut posting = Posting {
                        line: no,
                        account: String::new(),
                        amount: None,
                        comment: None,
                    };
                    for p in inner.into_inner() {
                        match p.as_rule() {
                            Rule::account => posting.account = p.as_str().to_string(),
                            Rule::amount => {
                                let mut neg = false;
                                let mut q = Decimal::ZERO;
                                let mut c = None;
                                for a in p.into_inner() {
                                    match a.as_rule() {
                                        Rule::sign => neg = a.as_str() == "-",
                                        Rule::number => {
                                            q = super::parse::parse_number(a.as_str()).map_err(
                                                |e| {
                                                    err(
                                                        &e.what,
                                                        a.as_span().start() + e.at + 1,
                                                        &e.hint,
                                                    )
                                                },
                                            )?
                                        }
                                        Rule::commodity => c = Some(a.as_str().to_string()),
                                        _ => {}
                                    }
                                }
                                if neg {
                                    q.set_sign_negative(true);
                                }
                                posting.amount = Some(Amount {
                                    quantity: q,
                                    commodity: c,
                                });
                            }
                            Rule::comment => {
                                posting.comment = Some(
                                    p.into_inner()
                                        .next()
                                        .map(|t| t.as_str().trim().to_string())
                                        .unwrap_or_default(),
                                )
                            }
                            _ => {}
                        }
                    }
                    let ty = AccountType::of(&posting.account).ok_or_else(|| {
                        err(
                        &format!("unknown account type in `{}`", posting.account),
                        5,
                        "msgl accounts start with Assets, Liabilities, Equity, Income or Expenses",
                    )
                    })?;
                    if let Some(a) = posting.amount.as_mut() {
                        a.quantity *= ty.sign();
                        if a.quantity.is_zero() {
                            a.quantity = a.quantity.abs();
                        }
                    } else if self.elided {
                        return Err(err(
                            "a second posting without an amount",
                            5,
                            "at most one posting per entry may omit its amount",
                        ));
                    } else {
                        self.elided = true;
                    }
                    e.postings.push(posting);
                }
                Some(_) => {
                    if SKIPPED.iter().any(|d| line.starts_with(d)) {
                        return Ok(self.close());
                    }
                    return Err(err(
                        "unsupported hledger line",
                        1,
                        "msgl imports entries, comments and account/commodity directives",
                    ));
                }
            }
        }
        Ok(finished)
    }
}
