//! A transaction on a home: the journal's exclusive lock, held from
//! [`Tx::begin`] to drop, and what to write at the next [`Tx::commit`] —
//! journal entries and log records — all or nothing, with one sync per
//! file (group commit). A command that writes the home does it through a
//! `Tx`, so one writer at a time changes it (docs/DESIGN.md §4.8).
//!
//! The writes can also be staged apart from the lock, in a [`Batch`], and
//! committed with [`Tx::commit_batch`]: a stream stages the next group
//! while the previous one is being written (`store::group`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::home::Home;
use crate::journal::append::{self, Booked, LogAppend, NewEntry, Tail};

/// Writes staged for one commit: journal entries, and records for
/// append-only logs of the home (a line each, newline added).
#[derive(Debug, Default)]
pub struct Batch {
    entries: Vec<NewEntry>,
    logs: BTreeMap<PathBuf, Vec<u8>>,
}

impl Batch {
    /// Stages a journal entry.
    pub fn book(&mut self, entry: NewEntry) {
        self.entries.push(entry);
    }

    /// Stages one record (a line, without its newline) for the log at
    /// `path`; the commit refuses a path that leads out of the home.
    pub fn log(&mut self, path: &Path, line: &str) {
        let buf = match self.logs.get_mut(path) {
            Some(b) => b,
            None => self.logs.entry(path.to_path_buf()).or_default(),
        };
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
    }

    /// How many entries are staged.
    pub fn entries(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.logs.is_empty()
    }
}

/// An open transaction: the lock and the staged writes.
pub struct Tx {
    home: Home,
    locked: append::Locked,
    batch: Batch,
    /// Log paths already checked to stay inside the home.
    inside: HashSet<PathBuf>,
}

impl Tx {
    /// Takes the home's lock (waiting for another writer to finish; told
    /// the home is busy while a stream holds it) and finishes or rolls back
    /// whatever an interrupted commit left.
    pub fn begin(home: &Home) -> Result<Tx> {
        Tx::with(home, None)
    }

    /// As [`begin`](Self::begin), for a stream (`holder`, e.g. `msgl accept
    /// --stream`) that keeps the lock for as long as its input lasts: the
    /// writers that come meanwhile are told the home is busy, and by whom.
    pub fn begin_stream(home: &Home, holder: &str) -> Result<Tx> {
        Tx::with(home, Some(holder))
    }

    fn with(home: &Home, stream: Option<&str>) -> Result<Tx> {
        let journal = home.journal_path();
        home.inside(&journal)?;
        let locked = match stream {
            Some(holder) => append::lock_stream(&journal, holder)?,
            None => append::lock(&journal)?,
        };
        Ok(Tx {
            home: home.clone(),
            locked,
            batch: Batch::default(),
            inside: HashSet::new(),
        })
    }

    /// Stages a journal entry.
    pub fn book(&mut self, entry: NewEntry) {
        self.batch.book(entry);
    }

    /// Stages one record (a line, without its newline) for an append-only
    /// log of the home; refused for a path that leads out of the home.
    pub fn log(&mut self, path: PathBuf, line: &str) -> Result<()> {
        self.check_inside(&path)?;
        self.batch.log(&path, line);
        Ok(())
    }

    /// The staged writes, to add to.
    pub fn batch(&mut self) -> &mut Batch {
        &mut self.batch
    }

    /// How many entries are staged.
    pub fn staged(&self) -> usize {
        self.batch.entries()
    }

    /// Takes the staged writes out (to commit them later, or elsewhere).
    pub fn take(&mut self) -> Batch {
        std::mem::take(&mut self.batch)
    }

    /// Writes everything staged, all or nothing, and keeps the lock for
    /// more. Returns what was booked, in order.
    pub fn commit(&mut self) -> Result<Vec<Booked>> {
        let batch = self.take();
        self.commit_batch(batch)
    }

    /// Writes `batch`, all or nothing: its logs' records, then its entries
    /// (the commit point), one sync per file. Refused, writing nothing,
    /// when a log's path leads out of the home.
    pub fn commit_batch(&mut self, batch: Batch) -> Result<Vec<Booked>> {
        for path in batch.logs.keys() {
            self.check_inside(path)?;
        }
        let logs = batch
            .logs
            .into_iter()
            .map(|(path, bytes)| LogAppend { path, bytes })
            .collect();
        Ok(self.locked.commit(batch.entries, logs)?)
    }

    fn check_inside(&mut self, path: &Path) -> Result<()> {
        if !self.inside.contains(path) {
            self.home.inside(path)?;
            self.inside.insert(path.to_path_buf());
        }
        Ok(())
    }

    /// Drops what is staged (nothing was written).
    pub fn discard(&mut self) {
        self.batch = Batch::default();
    }

    /// The journal's last sequence number and timestamp (committed).
    pub fn tail(&self) -> Tail {
        self.locked.tail()
    }

    pub fn journal_path(&self) -> &Path {
        self.locked.path()
    }
}
