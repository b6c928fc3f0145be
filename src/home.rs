//! A node's home (DESIGN §2): where it is, and its `msgl.yaml`.

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const CONFIG_FILE: &str = "msgl.yaml";
pub const JOURNAL_FILE: &str = "journal.ledger";
/// The token meant by an amount without a commodity when there is no home.
pub const DEFAULT_TOKEN: &str = "SNT";

/// A node home directory.
#[derive(Debug, Clone)]
pub struct Home {
    pub root: PathBuf,
}

impl Home {
    /// `--home DIR`, else `$MSGL_HOME` (clap fills `explicit` from both),
    /// else the current directory.
    pub fn locate(explicit: Option<&Path>) -> Home {
        let root = match explicit {
            Some(p) => p.to_path_buf(),
            None => PathBuf::from("."),
        };
        Home { root }
    }

    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    pub fn journal_path(&self) -> PathBuf {
        self.root.join(JOURNAL_FILE)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn has_config(&self) -> bool {
        self.config_path().is_file()
    }

    /// Reads `msgl.yaml`; an error if there is none.
    pub fn config(&self) -> Result<Config> {
        let path = self.config_path();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::input("no msgl.yaml here: not a node home")
                    .in_file(&path)
                    .hint("run `msgl init --name NAME`, or pass --home DIR / set MSGL_HOME")
            } else {
                Error::io(&path, e)
            }
        })?;
        Config::from_yaml(&text).map_err(|e| e.in_file(&path))
    }

    /// The config if the home has one (commands that also work on a bare
    /// journal use this).
    pub fn config_opt(&self) -> Result<Option<Config>> {
        if self.has_config() {
            self.config().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// `msgl.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub name: String,
    pub token: String,
    pub decimals: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Decimal,
    #[serde(default)]
    pub peers: Vec<PeerConfig>,
    /// Node-wide credit policy settings (DESIGN §4, docs/DESIGN.md D3).
    #[serde(default)]
    pub policy: PolicySettings,
}

/// `policy:` in `msgl.yaml`: how peers' standing is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicySettings {
    /// A/R at or above this percentage of the limit is "near limit".
    pub near_limit_percent: u32,
    /// A/R unpaid for longer than this many days makes a peer delinquent.
    pub delinquent_after_days: u32,
    /// A credit limit grows by this percentage of everything the peer has
    /// paid, up to the peer's `cap`.
    pub growth_percent: u32,
}

impl Default for PolicySettings {
    fn default() -> Self {
        PolicySettings {
            near_limit_percent: 80,
            delinquent_after_days: 30,
            growth_percent: 10,
        }
    }
}

/// One peer in `msgl.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerConfig {
    pub name: String,
    /// ed25519 public key, hex.
    pub key: String,
    /// `prepay`, `credit:AMOUNT` or `escrow:AMOUNT`.
    #[serde(default = "default_policy")]
    pub policy: String,
    /// The most a `credit:` limit may grow to with paid history (absent:
    /// the limit does not grow).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub cap: Option<Decimal>,
}

fn default_policy() -> String {
    "prepay".to_string()
}

impl Config {
    pub fn from_yaml(text: &str) -> Result<Config> {
        serde_yaml::from_str(text).map_err(|e| {
            let mut err = Error::input(format!("bad msgl.yaml: {e}"));
            if let Some(loc) = e.location() {
                err = err.at(CONFIG_FILE, loc.line(), loc.column());
            }
            err.hint("see docs/DESIGN.md §2 for the fields")
        })
    }

    pub fn to_yaml(&self) -> String {
        serde_yaml::to_string(self).expect("a Config always serializes")
    }

    /// The peer whose public key (hex) is `key`.
    pub fn peer_by_key(&self, key: &[u8; 32]) -> Option<&PeerConfig> {
        let k = hex::encode(key);
        self.peers.iter().find(|p| p.key.eq_ignore_ascii_case(&k))
    }

    /// The peer named `name`, matched case-insensitively (`node2` finds `Node2`).
    pub fn peer(&self, name: &str) -> Result<&PeerConfig> {
        self.peers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let known: Vec<&str> = self.peers.iter().map(|p| p.name.as_str()).collect();
                Error::input(format!("unknown peer `{name}`")).hint(if known.is_empty() {
                    "this node has no peers yet: `msgl peer add NAME PUBKEY`".to_string()
                } else {
                    format!("known peers: {}", known.join(", "))
                })
            })
    }
}
