//! A node's home (DESIGN §4): where it is, and its `msgl.yaml`.

use std::path::{Path, PathBuf};

use crate::journal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub const CONFIG_FILE: &str = "msgl.yaml";
pub const JOURNAL_FILE: &str = "journal.ledger";
/// Held (flock) while `msgl.yaml` is changed: [`Home::edit_config`].
pub const CONFIG_LOCK_FILE: &str = "msgl.yaml.lock";
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
        let text = read_small(&path, MAX_CONFIG_BYTES).map_err(|e| match e {
            Some(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Error::input("no msgl.yaml here: not a node home")
                    .in_file(&path)
                    .hint("run `msgl init --name NAME`, or pass --home DIR / set MSGL_HOME")
            }
            Some(e) => Error::io(&path, e),
            None => Error::input(format!(
                "larger than {} KB: not a msgl.yaml",
                MAX_CONFIG_BYTES >> 10
            ))
            .in_file(&path)
            .hint("see docs/DESIGN.md §4.4 for the fields"),
        })?;
        Config::from_yaml(&text).map_err(|e| e.in_file(&path))
    }

    /// Changes `msgl.yaml`: reads it, lets `change` edit it, and replaces
    /// it (write then rename), all under an exclusive lock of its own
    /// (`msgl.yaml.lock`), so that two edits at once (`peer add`, `chain
    /// deploy --write-config`) each see the other's result instead of one
    /// losing the other. Not the journal's lock: a stream holds that for as
    /// long as its input lasts, and adding a peer must not wait for it.
    /// Readers need no lock: the rename replaces the file whole.
    pub fn edit_config<T>(&self, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        use fs4::fs_std::FileExt;
        let lock_path = self.root.join(CONFIG_LOCK_FILE);
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let lock = opts
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        FileExt::lock_exclusive(&lock).map_err(|e| Error::io(&lock_path, e))?;
        let mut config = self.config()?;
        let out = change(&mut config)?;
        crate::fsutil::write_atomic(&self.config_path(), config.to_yaml().as_bytes(), true, None)?;
        // The lock goes with `lock`'s descriptor.
        drop(lock);
        Ok(out)
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

/// The largest `msgl.yaml` read: a hostile or mistaken file is refused by
/// its size, not read into memory.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads a UTF-8 text file of at most `max` bytes; `Err(None)` if larger
/// (decided from the first `max + 1` bytes, so a growing file or a device
/// cannot make it read more).
pub fn read_small(path: &Path, max: u64) -> std::result::Result<String, Option<std::io::Error>> {
    let bytes = crate::fsutil::read_bounded(path, max)?;
    String::from_utf8(bytes).map_err(|e| {
        Some(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()),
        ))
    })
}

/// Deepest `[`/`{` nesting read from `msgl.yaml` (it needs 2). The YAML
/// parser's time grows with the square of the depth: 40 000 brackets take
/// seconds, a megabyte of them minutes, before its own limit speaks.
pub const MAX_FLOW_DEPTH: usize = 32;

/// Where flow brackets first nest deeper than `max`, as (line, column),
/// 1-based. Errs toward refusing: any `'` or `"` is taken to open a quote
/// (YAML's rules are narrower), and inside what looks quoted an opening
/// bracket still counts while a closing one does not; so no quoting trick
/// hides real depth, and only a config no one writes is refused wrongly.
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut quote, mut escaped) = (0usize, None::<char>, false);
    for (i, line) in text.split('\n').enumerate() {
        let mut prev = ' ';
        for (col, c) in line.chars().enumerate() {
            if c == '[' || c == '{' {
                depth += 1;
                if depth > max {
                    return Some((i + 1, col + 1));
                }
            }
            match quote {
                Some('"') if escaped => escaped = false,
                Some('"') if c == '\\' => escaped = true,
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if prev == ' ' || prev == '\t' => break,
                    '"' | '\'' => quote = Some(c),
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                },
            }
            prev = c;
        }
    }
    None
}

/// `msgl.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ConfigFile", into = "ConfigFile")]
pub struct Config {
    pub name: String,
    pub token: String,
    pub decimals: u32,
    pub unit_price: Decimal,
    pub peers: Vec<PeerConfig>,
    /// Node-wide credit policy settings (docs/DESIGN.md §6.5).
    pub policy: PolicySettings,
    /// The most units one ack may pay (the payee hashes that many times to
    /// check it; docs/DESIGN.md §6.3). Default [`DEFAULT_MAX_UNITS_PER_ACK`].
    pub max_units_per_ack: u64,
    /// Where this node's channels settle (absent: channels that never
    /// settle on chain).
    pub chain: Option<ChainSettings>,
    /// How `msgl chain` reaches that chain: `chain.rpc` and
    /// `chain.confirmations` in msgl.yaml (docs/DESIGN.md §9.9, "The chain client").
    pub node: NodeSettings,
}

/// `chain.rpc` and `chain.confirmations` of msgl.yaml (kept beside
/// [`ChainSettings`], in the same `chain:` map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSettings {
    /// The Ethereum node's JSON-RPC URL (`http://` only).
    pub rpc: Option<String>,
    /// Blocks a transaction must be under (1: mined) before msgl books it.
    pub confirmations: u64,
}

/// Confirmations when msgl.yaml names none: booked once mined.
pub const DEFAULT_CONFIRMATIONS: u64 = 1;

impl Default for NodeSettings {
    fn default() -> Self {
        NodeSettings {
            rpc: None,
            confirmations: DEFAULT_CONFIRMATIONS,
        }
    }
}

/// msgl.yaml as it is written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    name: String,
    token: String,
    decimals: u32,
    #[serde(with = "crate::journal::decimal::serde::str")]
    unit_price: Decimal,
    #[serde(default)]
    peers: Vec<PeerConfig>,
    #[serde(default)]
    policy: PolicySettings,
    #[serde(
        default = "default_max_units_per_ack",
        skip_serializing_if = "is_default_max_units"
    )]
    max_units_per_ack: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chain: Option<ChainFile>,
}

/// `chain:` as it is written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChainFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rpc: Option<String>,
    chain_id: u64,
    settlement: String,
    token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    verifier: Option<String>,
    #[serde(
        default = "default_confirmations",
        skip_serializing_if = "is_default_confirmations"
    )]
    confirmations: u64,
}

fn default_confirmations() -> u64 {
    DEFAULT_CONFIRMATIONS
}

fn is_default_confirmations(v: &u64) -> bool {
    *v == DEFAULT_CONFIRMATIONS
}

impl From<ConfigFile> for Config {
    fn from(f: ConfigFile) -> Config {
        let (chain, node) = match f.chain {
            Some(c) => (
                Some(ChainSettings {
                    chain_id: c.chain_id,
                    settlement: c.settlement,
                    token: c.token,
                    verifier: c.verifier,
                }),
                NodeSettings {
                    rpc: c.rpc,
                    confirmations: c.confirmations,
                },
            ),
            None => (None, NodeSettings::default()),
        };
        Config {
            name: f.name,
            token: f.token,
            decimals: f.decimals,
            unit_price: f.unit_price,
            peers: f.peers,
            policy: f.policy,
            max_units_per_ack: f.max_units_per_ack,
            chain,
            node,
        }
    }
}

impl From<Config> for ConfigFile {
    fn from(c: Config) -> ConfigFile {
        ConfigFile {
            name: c.name,
            token: c.token,
            decimals: c.decimals,
            unit_price: c.unit_price,
            peers: c.peers,
            policy: c.policy,
            max_units_per_ack: c.max_units_per_ack,
            chain: c.chain.map(|ch| ChainFile {
                rpc: c.node.rpc,
                chain_id: ch.chain_id,
                settlement: ch.settlement,
                token: ch.token,
                verifier: ch.verifier,
                confirmations: c.node.confirmations,
            }),
        }
    }
}

/// Units one ack may pay unless msgl.yaml says otherwise: 65,536 units are
/// about 50 ms of hashing for the payee.
pub const DEFAULT_MAX_UNITS_PER_ACK: u64 = 1 << 16;

fn default_max_units_per_ack() -> u64 {
    DEFAULT_MAX_UNITS_PER_ACK
}

fn is_default_max_units(v: &u64) -> bool {
    *v == DEFAULT_MAX_UNITS_PER_ACK
}

/// `chain:` in msgl.yaml: the deployment this node's channels settle on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSettings {
    pub chain_id: u64,
    /// The settlement contract's address (0x + 40 hex).
    pub settlement: String,
    /// The token's address.
    pub token: String,
    /// The on-chain verifier's address (`MsglVerifier`, the settlement
    /// contract's fact registry): where `msgl calldata --verify`'s
    /// transactions go. Optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<String>,
}

impl ChainSettings {
    /// The verifier's address, if set; an error names the field.
    pub fn verifier_address(&self) -> Result<Option<[u8; 20]>> {
        self.verifier
            .as_deref()
            .map(|v| parse_address(v, "chain.verifier"))
            .transpose()
    }

    /// (settlement, token) as bytes; an error names the bad field.
    pub fn addresses(&self) -> Result<([u8; 20], [u8; 20])> {
        Ok((
            parse_address(&self.settlement, "chain.settlement")?,
            parse_address(&self.token, "chain.token")?,
        ))
    }
}

/// An EVM address from `0x` and 40 hex digits.
pub fn parse_address(text: &str, what: &str) -> Result<[u8; 20]> {
    let h = text.trim();
    let h = h.strip_prefix("0x").unwrap_or(h);
    let mut out = [0u8; 20];
    if h.len() != 40 || hex::decode_to_slice(h, &mut out).is_err() {
        return Err(Error::input(format!("bad {what} `{text}`"))
            .hint("an EVM address: 0x and 40 hex digits"));
    }
    Ok(out)
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
        with = "crate::journal::decimal::serde::str_option"
    )]
    pub cap: Option<Decimal>,
    /// The peer's EVM address (where its settlements are paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

fn default_policy() -> String {
    "prepay".to_string()
}

impl Config {
    pub fn from_yaml(text: &str) -> Result<Config> {
        if let Some((line, col)) = too_deep(text, MAX_FLOW_DEPTH) {
            return Err(Error::input(format!(
                "bad msgl.yaml: brackets nested more than {MAX_FLOW_DEPTH} deep"
            ))
            .at(CONFIG_FILE, line, col)
            .hint("see docs/DESIGN.md §4.4 for the fields"));
        }
        serde_yaml::from_str(text).map_err(|e| {
            let mut err = Error::input(format!("bad msgl.yaml: {e}"));
            if let Some(loc) = e.location() {
                err = err.at(CONFIG_FILE, loc.line(), loc.column());
            }
            err.hint("see docs/DESIGN.md §4.4 for the fields")
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
