//! A transaction on a home: the journal's exclusive lock, held from
//! [`Tx::begin`] to drop, and what to write at the next [`Tx::commit`] —
//! journal entries and log records — all or nothing, with one sync per
//! file (group commit). A command that writes the home does it through a
//! `Tx`, so one writer at a time changes it (docs/DESIGN.md D-rel).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::home::Home;
use crate::journal::append::{self, Booked, LogAppend, NewEntry, Tail};

/// An open transaction: the lock and the staged writes.
pub struct Tx {
    home: Home,
    locked: append::Locked,
    entries: Vec<NewEntry>,
    logs: BTreeMap<PathBuf, Vec<u8>>,
}

impl Tx {
    /// Takes the home's lock (waiting for another writer to finish) and
    /// finishes or rolls back whatever an interrupted commit left.
    pub fn begin(home: &Home) -> Result<Tx> {
        let journal = home.journal_path();
        home.inside(&journal)?;
        Ok(Tx {
            home: home.clone(),
            locked: append::lock(&journal)?,
            entries: Vec::new(),
            logs: BTreeMap::new(),
        })
    }

    /// Stages a journal entry.
    pub fn book(&mut self, entry: NewEntry) {
        self.entries.push(entry);
    }

    /// Stages one record (a line, without its newline) for an append-only
    /// log of the home; refused for a path that leads out of the home.
    pub fn log(&mut self, path: PathBuf, line: &str) -> Result<()> {
        if !self.logs.contains_key(&path) {
            self.home.inside(&path)?;
        }
        let buf = self.logs.entry(path).or_default();
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        Ok(())
    }

    /// How many entries are staged.
    pub fn staged(&self) -> usize {
        self.entries.len()
    }

    /// Writes everything staged, all or nothing, and keeps the lock for
    /// more. Returns what was booked, in order.
    pub fn commit(&mut self) -> Result<Vec<Booked>> {
        let entries = std::mem::take(&mut self.entries);
        let logs = std::mem::take(&mut self.logs)
            .into_iter()
            .map(|(path, bytes)| LogAppend { path, bytes })
            .collect();
        self.locked.commit(entries, logs)
    }

    /// Drops what is staged (nothing was written).
    pub fn discard(&mut self) {
        self.entries.clear();
        self.logs.clear();
    }

    /// The journal's last sequence number and timestamp (committed).
    pub fn tail(&self) -> Tail {
        self.locked.tail()
    }

    pub fn journal_path(&self) -> &Path {
        self.locked.path()
    }
}
