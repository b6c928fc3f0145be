//! The store: every path of a node's home, and every write to it
//! (docs/DESIGN.md §4.2 "What a home holds", §7.3). The protocol layer
//! (`crate::protocol`) decides; this layer keeps.
//!
//! ```text
//! msgl.yaml                      settings (home.rs)
//! journal.ledger                 the journal; journal.ledger.pending while a commit is under way
//! journal.ledger.stream          `pid <pid> <command>` while a stream holds the journal's lock
//! keys/node.key, keys/evm.key    secrets, 0600
//! channels/<id>.open.yaml        every channel's signed open (this node's and its peers'), 0600
//! channels/<id>.acceptance.yaml  the payee's EIP-712 acceptance of an on-chain channel
//! chains/<id>.chain              payer: the hash chain's checkpoints, 0600
//! sent/<id>.log                  payer: every ack it issued, one JSON line each
//! acks/<id>.log                  payee: every ack it accepted, one JSON line each
//! recon/<a16>-<b16>-<epoch>.yaml reconciliation proposals and agreements
//! served/<peer key>.log          payee: messages delivered, for the credit policy
//! ```
//! `<id>` is the full channel id (64 hex digits). Directories are 0700,
//! files 0600. Logs are append-only and written only inside a
//! [`Tx`] commit, whose journal entries book them: a log never holds a
//! record its journal did not book, even after a kill -9 (the journal's
//! intent marker names the logs' old lengths).

pub mod group;
pub mod log;
pub mod tx;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::home::Home;

pub use tx::{Batch, Tx};

pub const CHANNELS_DIR: &str = "channels";
pub const CHAINS_DIR: &str = "chains";
pub const ACKS_DIR: &str = "acks";
pub const SENT_DIR: &str = "sent";
pub const RECON_DIR: &str = "recon";
pub const SERVED_DIR: &str = "served";
pub const KEYS_DIR: &str = "keys";

/// Every directory of a home, made by `msgl init` (0700).
pub const DIRS: [&str; 7] = [
    KEYS_DIR,
    CHANNELS_DIR,
    CHAINS_DIR,
    ACKS_DIR,
    SENT_DIR,
    RECON_DIR,
    SERVED_DIR,
];

/// The mode of every file msgl creates in a home.
pub const FILE_MODE: u32 = 0o600;

impl Home {
    /// `channels/<id>.open.yaml`.
    pub fn open_path(&self, channel: &[u8; 32]) -> PathBuf {
        self.path(&format!(
            "{CHANNELS_DIR}/{}.open.yaml",
            hex::encode(channel)
        ))
    }

    /// `channels/<id>.acceptance.yaml`.
    pub fn acceptance_path(&self, channel: &[u8; 32]) -> PathBuf {
        self.path(&format!(
            "{CHANNELS_DIR}/{}.acceptance.yaml",
            hex::encode(channel)
        ))
    }

    /// `chains/<id>.chain`.
    pub fn chain_path(&self, channel: &[u8; 32]) -> PathBuf {
        self.path(&format!("{CHAINS_DIR}/{}.chain", hex::encode(channel)))
    }

    /// `acks/<id>.log` (payee) or `sent/<id>.log` (payer).
    pub fn ack_log(&self, channel: &[u8; 32], payer: bool) -> PathBuf {
        let dir = if payer { SENT_DIR } else { ACKS_DIR };
        self.path(&format!("{dir}/{}.log", hex::encode(channel)))
    }

    /// `served/<peer key hex>.log`.
    pub fn served_log(&self, peer: &[u8; 32]) -> PathBuf {
        self.path(&format!("{SERVED_DIR}/{}.log", hex::encode(peer)))
    }

    /// A directory of the home, made (0700) if missing; refused if it leads
    /// out of the home.
    pub fn dir(&self, name: &str) -> Result<PathBuf> {
        let p = self.path(name);
        if !p.is_dir() {
            crate::fsutil::mkdir(&p, true)?;
        }
        self.inside(&p)?;
        Ok(p)
    }

    /// Refuses a path of the home that leads out of it through a symlink
    /// (of the file itself or of a directory on the way).
    pub fn inside(&self, path: &Path) -> Result<()> {
        let root = std::fs::canonicalize(&self.root).map_err(|e| Error::io(&self.root, e))?;
        let real = match std::fs::canonicalize(path) {
            Ok(r) => r,
            // Not there yet: its directory decides.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => match std::fs::canonicalize(d) {
                    Ok(r) => r,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(Error::io(d, e)),
                },
                _ => return Ok(()),
            },
            Err(e) => return Err(Error::io(path, e)),
        };
        if !real.starts_with(&root) {
            return Err(Error::input(format!(
                "leads out of the home (to {}); refused",
                real.display()
            ))
            .in_file(path)
            .hint("a home's files and directories are its own: no symlinks out of it"));
        }
        Ok(())
    }

    /// Reads a small file of the home (at most `max` bytes), refusing one
    /// that leads out of it. `Ok(None)` if it does not exist.
    pub fn read_small(&self, path: &Path, max: u64) -> Result<Option<String>> {
        match crate::fsutil::read_bounded(path, max) {
            Ok(bytes) => {
                self.inside(path)?;
                String::from_utf8(bytes)
                    .map(Some)
                    .map_err(|_| Error::input("not UTF-8 text").in_file(path))
            }
            Err(Some(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(Some(e)) => Err(Error::io(path, e)),
            Err(None) => Err(Error::input(format!("larger than {max} bytes")).in_file(path)),
        }
    }

    /// Creates a new file of the home (0600), never over an existing one.
    pub fn create(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.inside(path)?;
        Ok(crate::fsutil::write_atomic(
            path,
            bytes,
            false,
            Some(FILE_MODE),
        )?)
    }

    /// Replaces a file of the home whole (0600).
    pub fn replace(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.inside(path)?;
        Ok(crate::fsutil::write_atomic(
            path,
            bytes,
            true,
            Some(FILE_MODE),
        )?)
    }
}
