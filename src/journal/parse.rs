//! Reading journals: `grammar/journal.pest` applied line by line.
//!
//! A journal is cut into blocks of about [`BLOCK`] bytes at entry starts (a
//! newline followed by a digit), and blocks are parsed on all cores; the
//! caller folds each block's entries into a per-block sink and gets the sinks
//! back in file order. Memory stays bounded by a few blocks, whatever the
//! journal's size, unless the sink keeps the entries.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::mpsc;

use pest::Parser as _;
use pest_derive::Parser;
use rust_decimal::Decimal;

use super::{Amount, Entry, Journal, Posting};
use crate::error::{Error, Result};

#[derive(Parser)]
#[grammar = "../grammar/journal.pest"]
struct Grammar;

/// Target size of a parallel block.
pub const BLOCK: usize = 4 << 20;
/// The longest line we accept; a longer one is refused, not buffered forever.
pub const MAX_LINE: usize = 1 << 20;

/// Where a journal comes from.
#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

impl Source {
    /// `-` is standard input, like hledger's `-f -`.
    pub fn from_arg(p: &Path) -> Source {
        if p.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(p.to_path_buf())
        }
    }

    /// The name used in error messages.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Stdin => "-".to_string(),
        }
    }

    fn open(&self) -> Result<Box<dyn Read + Send>> {
        Ok(match self {
            Source::File(p) => {
                let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
                if meta.is_dir() {
                    return Err(Error::input("is a directory, not a journal")
                        .in_file(p)
                        .hint("pass the journal file, e.g. -f DIR/journal.ledger"));
                }
                Box::new(std::fs::File::open(p).map_err(|e| Error::io(p, e))?)
            }
            Source::Stdin => Box::new(std::io::stdin()),
        })
    }
}

/// Parses a whole journal held in memory (tests, small inputs).
pub fn parse_str(text: &str, name: &str) -> Result<Journal> {
    let mut reader = LineReader::new(name);
    let mut entries = Vec::new();
    let mut line_no = 0;
    let mut rest = text;
    while !rest.is_empty() {
        line_no += 1;
        let (line, next, had_newline) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, "", false),
        };
        if !had_newline {
            return Err(torn_tail(name, line_no, line));
        }
        if let Some(e) = reader.line(line_no, line)? {
            entries.push(e);
        }
        rest = next;
    }
    entries.extend(reader.finish()?);
    Ok(Journal { entries })
}

/// Parses a journal file (or stdin) into memory.
pub fn parse_file(src: &Source) -> Result<Journal> {
    let blocks = fold_blocks(src, Vec::new, |v: &mut Vec<Entry>, e| {
        v.push(e);
        Ok(())
    })?;
    Ok(Journal {
        entries: blocks.into_iter().flatten().collect(),
    })
}

/// Reads `src` in blocks on all cores, folding each block's entries (in
/// order) into a fresh sink from `make`; returns the sinks in file order.
/// The first error in file order wins.
pub fn fold_blocks<S, M, F>(src: &Source, make: M, fold: F) -> Result<Vec<S>>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
{
    let name = src.name();
    let mut input = src.open()?;
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);

    // Bounded queue: the reader never runs more than a few blocks ahead.
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, usize, Vec<u8>)>(workers);
    let job_rx = std::sync::Mutex::new(job_rx);
    std::thread::scope(|scope| {
        let (res_tx, res_rx) = mpsc::channel::<(usize, Result<S>)>();
        for _ in 0..workers {
            let job_rx = &job_rx;
            let res_tx = res_tx.clone();
            let (make, fold, name) = (&make, &fold, name.as_str());
            scope.spawn(move || loop {
                let job = job_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((idx, first_line, bytes))) = job else {
                    break;
                };
                let r = parse_block(name, first_line, &bytes, make, fold);
                if res_tx.send((idx, r)).is_err() {
                    break;
                }
            });
        }
        drop(res_tx);

        let read_result = split_blocks(&mut *input, &name, |idx, first_line, block| {
            job_tx
                .send((idx, first_line, block))
                .map_err(|_| Error::input("internal error: parser workers stopped"))
        });
        drop(job_tx);

        let mut results: Vec<(usize, Result<S>)> = res_rx.iter().collect();
        results.sort_by_key(|(i, _)| *i);
        let mut sinks = Vec::with_capacity(results.len());
        for (_, r) in results {
            sinks.push(r?);
        }
        // A read or framing error (torn tail, over-long line) comes after
        // every block before it parsed cleanly.
        read_result?;
        Ok(sinks)
    })
}

/// Cuts the input into blocks that start at an entry header (or the start
/// of the file) and hands them out with their first line number.
fn split_blocks(
    input: &mut dyn Read,
    name: &str,
    mut emit: impl FnMut(usize, usize, Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + BLOCK / 4);
    let mut idx = 0;
    let mut line = 1;
    let mut eof = false;
    while !eof || !buf.is_empty() {
        // Fill up to one block.
        while !eof && buf.len() < BLOCK {
            let old = buf.len();
            buf.resize(old + (BLOCK - old).max(64 << 10), 0);
            let n = read_retry(input, &mut buf[old..]).map_err(|e| Error::io(name, e))?;
            buf.truncate(old + n);
            if n == 0 {
                eof = true;
            }
        }
        if buf.is_empty() {
            break;
        }
        let cut = if eof {
            buf.len()
        } else {
            match find_cut(&buf) {
                Some(c) => c,
                None => {
                    // No entry starts in this block: one huge entry or line.
                    if memchr::memchr(b'\n', &buf).is_none() && buf.len() > MAX_LINE {
                        return Err(Error::input(format!("line longer than {} bytes", MAX_LINE))
                            .at(name, line, 1)
                            .hint("this is not a journal, or it is damaged"));
                    }
                    // Keep reading: grow the block.
                    let old = buf.len();
                    buf.resize(old + BLOCK, 0);
                    let n = read_retry(input, &mut buf[old..]).map_err(|e| Error::io(name, e))?;
                    buf.truncate(old + n);
                    if n == 0 {
                        eof = true;
                    }
                    continue;
                }
            }
        };
        let rest = buf.split_off(cut);
        let block = std::mem::replace(&mut buf, rest);
        let lines = memchr::memchr_iter(b'\n', &block).count();
        if eof && buf.is_empty() && block.last() != Some(&b'\n') {
            // The last line has no newline: a torn tail. Report it with its
            // line; the blocks before it are still parsed for earlier errors.
            let start = memchr::memrchr(b'\n', &block).map(|i| i + 1).unwrap_or(0);
            let text = String::from_utf8_lossy(&block[start..]).into_owned();
            let head = block[..start].to_vec();
            emit(idx, line, head)?;
            return Err(torn_tail(name, line + lines, &text));
        }
        emit(idx, line, block)?;
        idx += 1;
        line += lines;
    }
    Ok(())
}

fn read_retry(input: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// The last entry start (just after a `\n`, at a digit) in the block's
/// second half or, failing that, anywhere after its first byte.
fn find_cut(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr(b'\n', &buf[..end]) {
        if i + 1 < buf.len() && buf[i + 1].is_ascii_digit() && i + 1 > 0 {
            return Some(i + 1);
        }
        if i == 0 {
            break;
        }
        end = i;
    }
    None
}

fn torn_tail(name: &str, line: usize, text: &str) -> Error {
    Error::input("the last line is incomplete: the file does not end with a newline")
        .at(name, line, text.chars().count() + 1)
        .hint("an interrupted write? check that entry, then end it with a newline")
}

fn parse_block<S>(
    name: &str,
    first_line: usize,
    bytes: &[u8],
    make: &(impl Fn() -> S + Sync),
    fold: &(impl Fn(&mut S, Entry) -> Result<()> + Sync),
) -> Result<S> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = first_line + memchr::memchr_iter(b'\n', good).count();
            let col = match memchr::memrchr(b'\n', good) {
                Some(i) => String::from_utf8_lossy(&good[i + 1..]).chars().count() + 1,
                None => String::from_utf8_lossy(good).chars().count() + 1,
            };
            return Err(Error::input("invalid UTF-8")
                .at(name, line, col)
                .hint("journals are UTF-8 text"));
        }
    };
    let mut sink = make();
    let mut reader = LineReader::new(name);
    for (line_no, line) in (first_line..).zip(text.split_terminator('\n')) {
        if let Some(e) = reader.line(line_no, line)? {
            fold(&mut sink, e)?;
        }
    }
    if let Some(e) = reader.finish()? {
        fold(&mut sink, e)?;
    }
    Ok(sink)
}

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
        let mut pairs = Grammar::parse(Rule::header, line)
            .map_err(|e| self.grammar_error(no, line, e, Rule::header))?;
        let header = pairs.next().expect("header rule matched");
        let mut entry = Entry {
            line: no,
            timestamp: 0,
            seq: 0,
            description: String::new(),
            comment: None,
            postings: Vec::new(),
            notes: Vec::new(),
        };
        for p in header.into_inner() {
            let col = p.as_span().start() + 1;
            match p.as_rule() {
                Rule::timestamp => {
                    entry.timestamp = p.as_str().parse().map_err(|_| {
                        Error::input("timestamp out of range")
                            .at(self.name, no, col)
                            .hint("unix epoch milliseconds, e.g. 1592063779399")
                    })?
                }
                Rule::seq => {
                    entry.seq = p.as_str().parse().map_err(|_| {
                        Error::input("sequence number out of range")
                            .at(self.name, no, col)
                            .hint("at most 20 digits")
                    })?
                }
                Rule::description => {
                    self.no_control(no, line, p.as_str(), col, "description")?;
                    entry.description = p.as_str().to_string();
                }
                Rule::comment => entry.comment = Some(comment_text(p)),
                _ => {}
            }
        }
        Ok(entry)
    }

    fn indented(&mut self, no: usize, line: &str) -> Result<()> {
        let Some(entry) = self.current.as_mut() else {
            let col = line.len() - line.trim_start().len() + 1;
            return Err(Error::input("posting outside an entry")
                .at(self.name, no, col)
                .hint("postings follow their header line directly, with no blank line between"));
        };
        let pairs = Grammar::parse(Rule::indented, line).map_err(|e| {
            let name = self.name;
            grammar_error(name, no, line, e, Rule::indented)
        })?;
        let inner = pairs
            .into_iter()
            .next()
            .expect("indented rule matched")
            .into_inner()
            .next()
            .expect("comment or posting");
        match inner.as_rule() {
            Rule::comment => {
                let n = entry.postings.len();
                entry.notes.push((n, comment_text(inner)));
            }
            Rule::posting => {
                let mut posting = Posting {
                    line: no,
                    account: String::new(),
                    amount: None,
                    comment: None,
                };
                let mut sign_neg = false;
                for p in inner.into_inner() {
                    let col = p.as_span().start() + 1;
                    match p.as_rule() {
                        Rule::account => {
                            check_account(self.name, no, line, p.as_str(), col)?;
                            posting.account = p.as_str().to_string();
                        }
                        Rule::amount => {
                            let mut qty = Decimal::ZERO;
                            let mut commodity = None;
                            for a in p.into_inner() {
                                match a.as_rule() {
                                    Rule::sign => sign_neg = a.as_str() == "-",
                                    Rule::number => {
                                        qty =
                                            Decimal::from_str_exact(a.as_str()).map_err(|_| {
                                                Error::input("amount out of range")
                                                    .at(self.name, no, a.as_span().start() + 1)
                                                    .hint("at most 28 significant digits")
                                            })?;
                                    }
                                    Rule::commodity => commodity = Some(a.as_str().to_string()),
                                    _ => {}
                                }
                            }
                            if sign_neg {
                                qty.set_sign_negative(true);
                            }
                            posting.amount = Some(Amount {
                                quantity: qty,
                                commodity,
                            });
                        }
                        Rule::comment => posting.comment = Some(comment_text(p)),
                        _ => {}
                    }
                }
                if posting.amount.is_none() {
                    if let Some(prev) = self.elided_line {
                        let col = line.len() - line.trim_start().len() + 1;
                        return Err(Error::input(format!(
                            "a second posting without an amount (line {prev} has none either)"
                        ))
                        .at(self.name, no, col)
                        .hint("at most one posting per entry may omit its amount"));
                    }
                    self.elided_line = Some(no);
                }
                entry.postings.push(posting);
            }
            _ => unreachable!("indented holds a comment or a posting"),
        }
        Ok(())
    }

    fn grammar_error(
        &self,
        no: usize,
        line: &str,
        e: pest::error::Error<Rule>,
        rule: Rule,
    ) -> Error {
        grammar_error(self.name, no, line, e, rule)
    }

    fn no_control(&self, no: usize, line: &str, text: &str, col: usize, what: &str) -> Result<()> {
        no_control(self.name, no, line, text, col, what)
    }
}

fn comment_text(p: pest::iterators::Pair<'_, Rule>) -> String {
    p.into_inner()
        .next()
        .map(|t| t.as_str().trim().to_string())
        .unwrap_or_default()
}

/// Column (1-based, in characters) of byte offset `byte` in `line`.
fn char_col(line: &str, byte: usize) -> usize {
    line[..byte.min(line.len())].chars().count() + 1
}

fn no_control(name: &str, no: usize, line: &str, text: &str, col: usize, what: &str) -> Result<()> {
    if let Some((i, c)) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && c != '\t')
    {
        let start = col - 1 + i;
        return Err(Error::input(format!(
            "control character U+{:04X} in the {what}",
            c as u32
        ))
        .at(name, no, char_col(line, start))
        .hint("remove it"));
    }
    Ok(())
}

/// Account-level checks the grammar cannot express well.
fn check_account(name: &str, no: usize, line: &str, account: &str, col: usize) -> Result<()> {
    no_control(name, no, line, account, col, "account name")?;
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
    if super::AccountType::of(account).is_none() {
        let top = account.split(':').next().unwrap_or("");
        return Err(Error::input(format!("unknown account type `{top}`"))
            .at(name, no, col)
            .hint("an account starts with Assets, Liabilities, Equity, Income or Expenses"));
    }
    Ok(())
}

fn looks_like_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    !s.is_empty()
        && s.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.matches('.').count() <= 1
}

fn looks_like_hledger_date(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && (b[4] == b'-' || b[4] == b'/')
}

/// Turns a pest error into our message: position plus what was expected,
/// in words.
fn grammar_error(
    name: &str,
    no: usize,
    line: &str,
    e: pest::error::Error<Rule>,
    rule: Rule,
) -> Error {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let col = char_col(line, pos);
    let rest = &line[pos.min(line.len())..];
    let expected: Vec<Rule> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => vec![],
    };
    let has = |r: Rule| expected.contains(&r);
    let (what, hint) = if rule == Rule::header {
        if has(Rule::seq) || rest.starts_with('(') {
            ("bad sequence number", "the header is `<unix ms> (<seq>) <description>`, e.g. `1592063779399 (1023) MESSAGE SENT`")
        } else if line[..pos.min(line.len())]
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            if rest.starts_with(['.', '-', '/', ':']) {
                (
                    "bad timestamp",
                    "timestamps are unix epoch milliseconds, a whole number",
                )
            } else {
                (
                    "expected a space and `(<seq>)` after the timestamp",
                    "the header is `<unix ms> (<seq>) <description>`",
                )
            }
        } else {
            (
                "malformed header",
                "the header is `<unix ms> (<seq>) <description>`",
            )
        }
    } else if has(Rule::number) || has(Rule::sign) {
        (
            "bad amount",
            "an amount is a decimal number with an optional sign and commodity, e.g. -0.00001 SNT",
        )
    } else if has(Rule::commodity) {
        (
            "bad commodity",
            "a commodity is a word of letters and digits after the number, e.g. SNT",
        )
    } else if rest.starts_with(':') || has(Rule::segment) {
        (
            "empty account name segment",
            "account names are colon-separated, e.g. Assets:Cash:SNT",
        )
    } else if expected.is_empty() || has(Rule::EOI) || has(Rule::comment) {
        if rest
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        {
            ("bad amount", "an amount is a decimal number with an optional sign and commodity, e.g. -0.00001 SNT")
        } else {
            (
                "unexpected text after the amount",
                "a posting is `ACCOUNT  AMOUNT [COMMODITY]  [; comment]`",
            )
        }
    } else {
        (
            "malformed posting",
            "a posting is `ACCOUNT  AMOUNT [COMMODITY]`, account and amount two spaces apart",
        )
    };
    Error::input(what).at(name, no, col).hint(hint)
}

/// A number in the journal's amount syntax.
pub fn parse_amount_text(text: &str) -> Option<Amount> {
    let pairs = Grammar::parse(Rule::amount, text).ok()?;
    let p = pairs.into_iter().next()?;
    if p.as_str().len() != text.len() {
        return None;
    }
    let mut neg = false;
    let mut qty = None;
    let mut commodity = None;
    for a in p.into_inner() {
        match a.as_rule() {
            Rule::sign => neg = a.as_str() == "-",
            Rule::number => qty = Decimal::from_str(a.as_str()).ok(),
            Rule::commodity => commodity = Some(a.as_str().to_string()),
            _ => {}
        }
    }
    let mut qty = qty?;
    if neg {
        qty.set_sign_negative(true);
    }
    Some(Amount {
        quantity: qty,
        commodity,
    })
}
