//! Reading journals: `grammar/journal.pest` applied line by line.
//!
//! A journal is cut into blocks of about [`BLOCK`] bytes at line starts
//! that are not indented (an entry's header, a blank or comment line, or
//! text the reader refuses anyway: at each of these the line reader holds
//! no open entry), and blocks are parsed on all cores; the caller folds each
//! block's entries into a per-block sink and gets the sinks back in file
//! order. Memory stays bounded by a few blocks, whatever the journal's size
//! or shape ([`MAX_SPAN`] bounds a stretch with nowhere to cut), unless the
//! sink keeps the entries. Reading stops at the first error.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use crate::journal::Decimal;
use pest::Parser as _;
use pest_derive::Parser;

use super::scan::{self, AmountParts, HeaderParts, IndentedParts};
use super::{Amount, Entry, Journal, Posting};
use crate::error::{Error, Result};

#[derive(Parser)]
#[grammar = "../grammar/journal.pest"]
struct Grammar;

/// Target size of a parallel block.
pub const BLOCK: usize = 4 << 20;
/// The longest line we accept; a longer one is refused, not buffered forever.
pub const MAX_LINE: usize = 1 << 20;
/// The longest stretch of indented lines (one entry's postings and notes)
/// we buffer while looking for a place to cut; longer is refused.
pub const MAX_SPAN: usize = 16 * BLOCK;

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
                let f = std::fs::File::open(p).map_err(|e| Error::io(p, e))?;
                // An append under way (or interrupted) is not part of the
                // journal yet: read up to where it starts.
                match super::append::pending(p) {
                    Some((old, _)) => Box::new(f.take(old)),
                    None => Box::new(f),
                }
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
    let mut sinks: Vec<(usize, S)> = Vec::new();
    run_blocks(src, make, fold, |i, s| {
        sinks.push((i, s));
        Ok(())
    })?;
    sinks.sort_by_key(|(i, _)| *i);
    Ok(sinks.into_iter().map(|(_, s)| s).collect())
}

/// Like [`fold_blocks`], but hands each block's sink to `reduce` as soon as
/// it is done, in any order: memory stays bounded for commutative folds
/// such as balances.
pub fn fold_reduce<S, M, F, R>(src: &Source, make: M, fold: F, mut reduce: R) -> Result<()>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
    R: FnMut(S) -> Result<()>,
{
    run_blocks(src, make, fold, |_, s| reduce(s))
}

fn run_blocks<S, M, F, R>(src: &Source, make: M, fold: F, mut done: R) -> Result<()>
where
    S: Send,
    M: Fn() -> S + Sync,
    F: Fn(&mut S, Entry) -> Result<()> + Sync,
    R: FnMut(usize, S) -> Result<()>,
{
    let name = src.name();
    let mut input = src.open()?;
    // Set at the first error: the reader stops instead of reading (maybe
    // endless) input whose result is already decided.
    let stop = std::sync::atomic::AtomicBool::new(false);
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
        // The reader has its own thread; results are consumed here.
        let name = name.as_str();
        let stop = &stop;
        let reader = scope.spawn(move || {
            let r = split_blocks(&mut *input, name, |idx, first_line, block| {
                // Every block before this one was sent already, so the
                // error that set `stop` comes earlier in file order and
                // wins over this one.
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return Err(Error::input("stopped reading after an error"));
                }
                job_tx
                    .send((idx, first_line, block))
                    .map_err(|_| Error::input("internal error: parser workers stopped"))
            });
            drop(job_tx);
            r
        });
        // The first error in file order wins.
        let mut first_err: Option<(usize, Error)> = None;
        for (idx, r) in res_rx.iter() {
            let r = match r {
                Ok(s) if first_err.is_none() => done(idx, s).err(),
                Ok(_) => None,
                Err(e) => Some(e),
            };
            if let Some(e) = r {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                if first_err.as_ref().is_none_or(|(i, _)| idx < *i) {
                    first_err = Some((idx, e));
                }
            }
        }
        let read_result = reader.join().expect("reader thread does not panic");
        // A framing error (torn tail, over-long line) explains any error in
        // its own block, so it wins over those; earlier blocks' errors win
        // over it.
        match (first_err, read_result) {
            (Some((i, e)), Err((j, _))) if i < j => Err(e),
            (_, Err((_, e))) => Err(*e),
            (Some((_, e)), Ok(())) => Err(e),
            (None, Ok(())) => Ok(()),
        }
    })
}

/// Cuts the input into blocks that start at an entry header (or the start
/// of the file) and hands them out with their first line number.
fn split_blocks(
    input: &mut dyn Read,
    name: &str,
    mut emit: impl FnMut(usize, usize, Vec<u8>) -> Result<()>,
) -> Result<(), (usize, Box<Error>)> {
    let mut idx = 0;
    split_blocks_inner(input, name, &mut idx, &mut emit).map_err(|e| (idx, Box::new(e)))
}

fn split_blocks_inner(
    input: &mut dyn Read,
    name: &str,
    idx: &mut usize,
    emit: &mut impl FnMut(usize, usize, Vec<u8>) -> Result<()>,
) -> Result<()> {
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + BLOCK / 4);
    let mut line = 1;
    let mut eof = false;
    while !eof || !buf.is_empty() {
        // Fill up to one block.
        while !eof && buf.len() < BLOCK {
            let old = buf.len();
            // At most 256 KB a read: a small journal does not zero a
            // whole block's buffer first.
            buf.resize(old + (BLOCK - old).min(256 << 10), 0);
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
                    if buf.len() > MAX_SPAN {
                        let lines = memchr::memchr_iter(b'\n', &buf).count();
                        return Err(Error::input(format!(
                            "more than {} MB of indented lines with no entry start between them",
                            MAX_SPAN >> 20
                        ))
                        .at(name, line + lines, 1)
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
            emit(*idx, line, head)?;
            return Err(torn_tail(name, line + lines, &text));
        }
        emit(*idx, line, block)?;
        *idx += 1;
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

/// The last line start after which the block may be cut: just after a
/// `\n`, at a line that is not indented. The line reader holds no open
/// entry there (a header starts one, a blank or comment line closes it,
/// other text is an error at that very line), so a fresh reader from that
/// line reads exactly what one reader of the whole input would.
fn find_cut(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr(b'\n', &buf[..end]) {
        if i + 1 < buf.len() && !matches!(buf[i + 1], b' ' | b'\t') {
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

fn comment_str(p: pest::iterators::Pair<'_, Rule>) -> &str {
    p.into_inner()
        .next()
        .map(|t| t.as_str().trim())
        .unwrap_or_default()
}

/// Column (1-based, in characters) of byte offset `byte` in `line`.
fn char_col(line: &str, byte: usize) -> usize {
    line[..byte.min(line.len())].chars().count() + 1
}

fn no_control(name: &str, no: usize, line: &str, text: &str, col: usize, what: &str) -> Result<()> {
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
fn clean_comment(name: &str, no: usize, line: &str, c: &str) -> Result<()> {
    if c.is_ascii() && !c.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Ok(());
    }
    let at = c.as_ptr() as usize - line.as_ptr() as usize;
    no_control(name, no, line, c, at + 1, "comment")
}

/// Account-level checks the grammar cannot express well.
fn check_account(name: &str, no: usize, line: &str, account: &str, col: usize) -> Result<()> {
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

fn check_account_type(name: &str, no: usize, account: &str, col: usize) -> Result<()> {
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
    if rule == Rule::header {
        return header_error(name, no, line);
    }
    let (what, hint) = if has(Rule::number) || has(Rule::sign) {
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
        // Right after the account (nothing but the account before us)?
        let before = line[..pos.min(line.len())].trim();
        let at_amount = !before.contains("  ") && !before.contains('\t');
        if at_amount
            || rest
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

/// The most decimal places a journal amount has: the token's base unit
/// (10^-18). Trailing zeros past it are dropped (the value is the same).
pub const MAX_DECIMALS: usize = 18;
/// The most digits before the decimal point (an amount below 10^39).
///
/// With both limits, a sum of fewer than 10^19 amounts (more than any
/// journal holds) has at most 39 + 19 + 18 = 76 digits, which [`Decimal`]
/// holds exactly: no sum, balance, subtree or Net can fail or round, so
/// the only amount errors are these, at the amount (DESIGN D4).
pub const MAX_INTEGER_DIGITS: usize = 39;

/// Why an amount is outside the journal's limits: (what, hint, byte
/// offset in the number to blame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError {
    pub what: String,
    pub hint: String,
    pub at: usize,
}

/// A decimal number (digits, optional fraction) within the journal's
/// limits, read exactly.
pub fn parse_number(text: &str) -> Result<Decimal, AmountError> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.len() + frac.len() <= 19 && frac.len() <= MAX_DECIMALS {
        // Fast: the digits fit a u64.
        let mut m: u64 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m * 10 + u64::from(b - b'0');
        }
        return Ok(
            Decimal::try_from_i128_with_scale(m as i128, frac.len() as u32)
                .expect("at most 18 decimals"),
        );
    }
    let kept = if frac.len() > MAX_DECIMALS {
        let t = frac.trim_end_matches('0');
        if t.len() > MAX_DECIMALS {
            return Err(AmountError {
                what: format!(
                    "amount out of range: {} decimal places (at most {MAX_DECIMALS})",
                    t.len()
                ),
                hint: "18 decimal places is the token's base unit (10^-18); amounts are kept exactly, never rounded".into(),
                at: 0,
            });
        }
        &frac[..MAX_DECIMALS.max(t.len()).min(frac.len())]
    } else {
        frac
    };
    let digits = int.trim_start_matches('0').len();
    if digits > MAX_INTEGER_DIGITS {
        return Err(AmountError {
            what: format!(
                "amount out of range: {digits} digits before the decimal point (at most {MAX_INTEGER_DIGITS})"
            ),
            hint: "amounts are kept exactly, never rounded: at most 39 digits and 18 decimal places".into(),
            at: 0,
        });
    }
    Decimal::from_digits(int, kept).map_err(|e| AmountError {
        what: format!("amount out of range: {e}"),
        hint: "at most 39 digits and 18 decimal places".into(),
        at: 0,
    })
}

/// The grammar's reading of a header line.
fn pest_header(line: &str) -> Result<HeaderParts<'_>, pest::error::Error<Rule>> {
    let header = Grammar::parse(Rule::header, line)?
        .next()
        .expect("header rule matched");
    let mut parts = HeaderParts {
        timestamp: "",
        seq: "",
        description: None,
        comment: None,
    };
    for p in header.into_inner() {
        match p.as_rule() {
            Rule::timestamp => parts.timestamp = p.as_str(),
            Rule::seq => parts.seq = p.as_str(),
            Rule::description => parts.description = Some((p.as_str(), p.as_span().start())),
            Rule::comment => parts.comment = Some(comment_str(p)),
            _ => {}
        }
    }
    Ok(parts)
}

/// The grammar's reading of an indented line.
fn pest_indented(line: &str) -> Result<IndentedParts<'_>, pest::error::Error<Rule>> {
    let inner = Grammar::parse(Rule::indented, line)?
        .next()
        .expect("indented rule matched")
        .into_inner()
        .next()
        .expect("comment or posting");
    if inner.as_rule() == Rule::comment {
        return Ok(IndentedParts::Comment(comment_str(inner)));
    }
    let (mut account, mut account_at, mut amount, mut comment) = ("", 0, None, None);
    for p in inner.into_inner() {
        match p.as_rule() {
            Rule::account => {
                account = p.as_str();
                account_at = p.as_span().start();
            }
            Rule::amount => {
                let mut a = AmountParts {
                    negative: false,
                    number: "",
                    number_at: 0,
                    commodity: None,
                };
                for x in p.into_inner() {
                    match x.as_rule() {
                        Rule::sign => a.negative = x.as_str() == "-",
                        Rule::number => {
                            a.number = x.as_str();
                            a.number_at = x.as_span().start();
                        }
                        Rule::commodity => a.commodity = Some(x.as_str()),
                        _ => {}
                    }
                }
                amount = Some(a);
            }
            Rule::comment => comment = Some(comment_str(p)),
            _ => {}
        }
    }
    Ok(IndentedParts::Posting {
        account,
        account_at,
        amount,
        comment,
    })
}

/// For the property test that the fast scanner agrees with the grammar:
/// both readings of a line (`None` where a reader declines).
#[doc(hidden)]
pub fn both_readings(line: &str) -> (Option<String>, Option<String>) {
    if line.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) {
        (
            pest_header(line).ok().map(|p| format!("{p:?}")),
            scan::header(line).map(|p| format!("{p:?}")),
        )
    } else {
        (
            pest_indented(line).ok().map(|p| format!("{p:?}")),
            scan::indented(line).map(|p| format!("{p:?}")),
        )
    }
}

/// Says exactly where and why a header line is malformed.
fn header_error(name: &str, no: usize, line: &str) -> Error {
    const SHAPE: &str =
        "the header is `<unix ms> (<seq>) <description>`, e.g. `1592063779399 (1023) MESSAGE SENT`";
    let b = line.as_bytes();
    let at = |i: usize, what: &str, hint: &str| {
        Error::input(what.to_string())
            .at(name, no, char_col(line, i))
            .hint(hint.to_string())
    };
    if looks_like_hledger_date(line) {
        return at(
            0,
            "a date where a unix timestamp belongs",
            "this looks like an hledger entry: use `msgl import --hledger FILE`",
        );
    }
    let mut i = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if i < b.len() && !matches!(b[i], b' ' | b'\t') {
        return at(
            i,
            "bad timestamp",
            "timestamps are unix epoch milliseconds, a whole number",
        );
    }
    let ws = b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    i += ws;
    if i >= b.len() || b[i] != b'(' {
        return at(i, "expected `(<seq>)` after the timestamp", SHAPE);
    }
    i += 1;
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return at(i, "expected a sequence number", SHAPE);
    }
    i += digits;
    if i >= b.len() || b[i] != b')' {
        return at(
            i,
            "expected `)` after the sequence number",
            "a sequence number is a whole number",
        );
    }
    at(i + 1, "expected a space before the description", SHAPE)
}

/// A number in the journal's amount syntax, read exactly as the journal
/// reads it (`None` if it is not one, or out of range).
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
            // Exactly as the journal reads it, within its limits.
            Rule::number => qty = parse_number(a.as_str()).ok(),
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
