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

mod blocks;
mod diagnostics;
mod grammar;
mod lines;
mod number;
mod source;

pub use blocks::*;
use diagnostics::*;
pub use grammar::*;
pub use lines::*;
pub use number::*;
pub use source::*;

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
pub(super) struct Grammar;

/// Parses a whole journal held in memory (tests, small inputs).
pub fn parse_str(text: &str, name: &str) -> Result<Journal> {
    let mut reader = LineReader::new(name);
    let mut entries = Vec::new();
    let mut line_no = 0;
    // A UTF-8 byte order mark is not text (hledger skips it too).
    let mut rest = text.strip_prefix(BOM).unwrap_or(text);
    while !rest.is_empty() {
        line_no += 1;
        // The last line may lack its newline (DESIGN §7.2: a torn append is
        // told by its intent marker, not by the missing newline).
        let (line, next) = match memchr::memchr(b'\n', rest.as_bytes()) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
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
