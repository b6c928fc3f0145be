//! A channel as this node knows it: its signed open and the last ack of
//! its log. Nothing else is kept: the position (nonce, cumulative units,
//! preimage) is the last record of `sent/<id>.log` (payer) or
//! `acks/<id>.log` (payee), so there is no state file to fall out of step.

use std::collections::HashMap;

use msgl_poseidon2 as poseidon2;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::home::Home;
use crate::keys::PublicKey;
use crate::objects::{Ack, Open};
use crate::store::{self, log};

/// Which side of a channel this node is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// This node pays (it opened the channel and signs acks).
    Out,
    /// This node is paid (it accepted the open and keeps the acks).
    In,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Out => "out",
            Role::In => "in",
        }
    }
}

/// A channel: its open and where its acks stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub open: Open,
    pub role: Role,
    /// The last ack's nonce (0: none yet).
    pub nonce: u64,
    /// Units paid by the last ack.
    pub cumulative: u64,
    /// w_cumulative (the channel id, i.e. the anchor, before the first ack).
    pub preimage: [u8; 32],
}

impl Channel {
    /// A channel with no ack yet.
    pub fn fresh(open: Open, role: Role) -> Channel {
        Channel {
            preimage: open.channel,
            open,
            role,
            nonce: 0,
            cumulative: 0,
        }
    }

    /// Moves the channel to `ack` (checked by the caller).
    pub fn apply(&mut self, ack: &Ack) {
        self.nonce = ack.nonce;
        self.cumulative = ack.cumulative;
        self.preimage = ack.preimage;
    }

    pub fn id(&self) -> [u8; 32] {
        self.open.channel
    }

    /// The other node of the channel.
    pub fn peer(&self) -> PublicKey {
        match self.role {
            Role::Out => self.open.payee,
            Role::In => self.open.payer,
        }
    }

    /// Its ack log in the home.
    pub fn log_path(&self, home: &Home) -> std::path::PathBuf {
        home.ack_log(&self.open.channel, self.role == Role::Out)
    }

    /// Units left on the chain.
    pub fn left(&self) -> u64 {
        self.open.length - self.cumulative
    }

    /// Loads a channel of this node by id (`me` decides the role); `None`
    /// if there is no such channel.
    pub fn load(home: &Home, me: &PublicKey, id: &[u8; 32]) -> Result<Option<Channel>> {
        let Some(open) = read_open(home, &home.open_path(id))? else {
            return Ok(None);
        };
        from_open(home, me, open).map(Some)
    }
}

/// Reads and checks a stored open (it was checked when stored; a file
/// that no longer reads, or is not for the id it is named by, is named).
pub fn read_open(home: &Home, path: &std::path::Path) -> Result<Option<Open>> {
    let Some(text) = home.read_small(path, crate::yaml::MAX_YAML_BYTES as u64)? else {
        return Ok(None);
    };
    let open = Open::from_yaml(&text).map_err(|e| e.in_file(path))?;
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".open.yaml"));
    if named != Some(open.id_hex().as_str()) {
        return Err(
            Error::input("a stored open does not hold the channel it is named by")
                .in_file(path)
                .hint("channels/ was changed by hand"),
        );
    }
    Ok(Some(open))
}

fn from_open(home: &Home, me: &PublicKey, open: Open) -> Result<Channel> {
    let role = if open.payer == *me {
        Role::Out
    } else if open.payee == *me {
        Role::In
    } else {
        return Err(Error::input("a stored open is not this node's")
            .in_file(home.open_path(&open.channel))
            .hint("channels/ was changed by hand, or the key was replaced"));
    };
    let mut c = Channel::fresh(open, role);
    let path = c.log_path(home);
    home.inside(&path)?;
    if let Some(last) = log::last(&path)? {
        if last.channel != c.open.channel {
            return Err(Error::input("a record of another channel in this log")
                .in_file(&path)
                .hint("ack logs are written by msgl only; was it edited by hand?"));
        }
        c.apply(&last);
    }
    Ok(c)
}

/// Every channel of this node, sorted by role, peer and generation.
pub fn list(home: &Home, me: &PublicKey) -> Result<Vec<Channel>> {
    let mut all = Vec::new();
    for open in opens(home)? {
        all.push(from_open(home, me, open)?);
    }
    all.sort_by_key(|c| (c.role == Role::In, c.peer(), c.open.generation, c.id()));
    Ok(all)
}

/// Every stored open, unsorted.
pub fn opens(home: &Home) -> Result<Vec<Open>> {
    let dir = home.path(store::CHANNELS_DIR);
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    let mut out = Vec::new();
    for e in rd {
        let e = e.map_err(|e| Error::io(&dir, e))?;
        if e.file_name().to_string_lossy().ends_with(".open.yaml") {
            if let Some(open) = read_open(home, &e.path())? {
                out.push(open);
            }
        }
    }
    Ok(out)
}

/// The latest channel this node opened to `payee` (highest generation).
pub fn latest_out(home: &Home, me: &PublicKey, payee: &PublicKey) -> Result<Option<Channel>> {
    let latest = opens(home)?
        .into_iter()
        .filter(|o| o.payer == *me && o.payee == *payee)
        .max_by_key(|o| o.generation);
    latest.map(|o| from_open(home, me, o)).transpose()
}

/// The channels of a transaction, loaded once and moved in memory as acks
/// are staged, so that a group of acks checks each against the one before.
#[derive(Default)]
pub struct Cache {
    channels: HashMap<[u8; 32], Channel>,
}

impl Cache {
    /// The channel `id`, loaded on first use.
    pub fn get(
        &mut self,
        home: &Home,
        me: &PublicKey,
        id: &[u8; 32],
    ) -> Result<Option<&mut Channel>> {
        if !self.channels.contains_key(id) {
            match Channel::load(home, me, id)? {
                Some(c) => {
                    self.channels.insert(*id, c);
                }
                None => return Ok(None),
            }
        }
        Ok(self.channels.get_mut(id))
    }

    /// Forgets every channel (after a commit failed: the disk decides again).
    pub fn clear(&mut self) {
        self.channels.clear();
    }
}

/// That `id` is a plausible channel id: canonical, not all zero.
pub fn check_id(id: &[u8; 32]) -> std::result::Result<(), super::Refusal> {
    if id.iter().all(|&b| b == 0) {
        return Err(super::Refusal::ZeroChannelId);
    }
    poseidon2::unpack(id).map_err(|_| super::Refusal::NonCanonicalChannelId)?;
    Ok(())
}
