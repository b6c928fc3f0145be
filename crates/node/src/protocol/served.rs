//! What a payee delivered and has not been acked for yet: the credit
//! policy's ledger of service (docs/DESIGN.md §6.5, "Credit policy").
//!
//! `msgl served PEER --message H --price P` appends one line to
//! `served/<peer key>.log` (`<ms> <message hex> <price> <total>`, total =
//! every unit served to the peer so far). What the peer has acked is the
//! sum of its channels' cumulative units; the difference is delivered but
//! unacked, and `may-serve` counts it against the limit with the next
//! message's price. A payer that never acks therefore runs into its limit.

use std::io::{Read, Seek, SeekFrom, Write};

use super::channel::{self, Role};
use crate::error::{Error, Result};
use crate::home::{Config, Home};
use crate::keys::PublicKey;
use crate::store::{self, Tx};

/// A delivery recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub peer: String,
    /// Units served to the peer in all, this message included.
    pub total: u64,
}

/// Units served to `peer` in all: the total on the log's last line.
pub fn total(home: &Home, peer: &PublicKey) -> Result<u64> {
    let path = home.served_log(peer);
    let mut f = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let len = f.metadata().map_err(|e| Error::io(&path, e))?.len();
    let start = len.saturating_sub(512);
    let mut buf = Vec::new();
    f.seek(SeekFrom::Start(start))
        .and_then(|_| f.read_to_end(&mut buf))
        .map_err(|e| Error::io(&path, e))?;
    // The last complete line (one a crash cut short is ignored).
    let end = match memchr::memrchr(b'\n', &buf) {
        Some(i) => i,
        None => return Ok(0),
    };
    let from = memchr::memrchr(b'\n', &buf[..end]).map_or(0, |i| i + 1);
    let line = std::str::from_utf8(&buf[from..end]).unwrap_or("");
    line.split(' ')
        .nth(3)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            Error::input("the served log's last line does not read")
                .in_file(&path)
                .hint("served/ is written by `msgl served` only")
        })
}

/// Units `peer` has acked on all its channels to this node.
pub fn acked(home: &Home, me: &PublicKey, peer: &PublicKey) -> Result<u64> {
    Ok(channel::list(home, me)?
        .iter()
        .filter(|c| c.role == Role::In && c.open.payer == *peer)
        .map(|c| c.cumulative)
        .sum())
}

/// Units delivered to `peer` and not acked yet.
pub fn unacked(home: &Home, me: &PublicKey, peer: &PublicKey) -> Result<u64> {
    Ok(total(home, peer)?.saturating_sub(acked(home, me, peer)?))
}

/// Records that `message` was delivered to `peer_name` for `price` units.
pub fn record(
    home: &Home,
    config: &Config,
    peer_name: &str,
    message: &[u8; 32],
    price: u64,
) -> Result<Served> {
    let (name, peer) = super::open::peer_key(config, peer_name)?;
    if price == 0 {
        return Err(Error::input("--price must be at least 1 unit"));
    }
    home.dir(store::SERVED_DIR)?;
    // Under the home's lock: one writer of the log at a time.
    let _tx = Tx::begin(home)?;
    let total = total(home, &peer)?
        .checked_add(price)
        .ok_or_else(|| Error::input("the units served overflow 64 bits"))?;
    let path = home.served_log(&peer);
    home.inside(&path)?;
    let line = format!(
        "{} {} {price} {total}\n",
        crate::journal::append::now_ms(),
        hex::encode(message)
    );
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(store::FILE_MODE);
    }
    let mut f = opts.open(&path).map_err(|e| Error::io(&path, e))?;
    // A line a crash cut short is dropped before the next is added.
    let len = f.metadata().map_err(|e| Error::io(&path, e))?.len();
    if len > 0 {
        let mut r = std::fs::File::open(&path).map_err(|e| Error::io(&path, e))?;
        let start = len.saturating_sub(512);
        let mut buf = Vec::new();
        r.seek(SeekFrom::Start(start))
            .and_then(|_| r.read_to_end(&mut buf))
            .map_err(|e| Error::io(&path, e))?;
        if buf.last() != Some(&b'\n') {
            let keep = memchr::memrchr(b'\n', &buf).map_or(start, |i| start + i as u64 + 1);
            f.set_len(keep).map_err(|e| Error::io(&path, e))?;
        }
    }
    f.write_all(line.as_bytes())
        .and_then(|_| f.sync_data())
        .map_err(|e| Error::io(&path, e))?;
    Ok(Served { peer: name, total })
}

/// What the credit policy needs beyond the journal for one peer.
pub fn exposure(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    peer: &PublicKey,
) -> Result<crate::policy::Exposure> {
    let channels: Vec<channel::Channel> = channel::list(home, me)?
        .into_iter()
        .filter(|c| c.role == Role::In && c.open.payer == *peer)
        .collect();
    let acked: u64 = channels.iter().map(|c| c.cumulative).sum();
    let unacked = total(home, peer)?.saturating_sub(acked);
    let unit = crate::objects::open::base_to_amount(
        super::open::unit_price_base(config)?,
        config.decimals as u8,
    )?;
    let mut escrow = crate::journal::Decimal::ZERO;
    for c in &channels {
        escrow += crate::objects::open::base_to_amount(c.open.escrow, c.open.decimals)?;
    }
    Ok(crate::policy::Exposure {
        unacked: (unit * crate::journal::Decimal::from(unacked)).normalize(),
        escrow: escrow.normalize(),
        unit,
    })
}
