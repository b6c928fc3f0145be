//! A batch directory (DESIGN §8.3): the acks and co-signed reconciliations
//! to settle, read and checked, and turned into the statement the proof
//! proves.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use msgl_circuits::{Domain, Entry, Statement};
use msgl_poseidon2::{self as poseidon2, Digest};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::keys::PublicKey;
use crate::objects::{hexbytes, Ack};

/// Largest object file read from a batch (a reconciliation lists a
/// period's messages).
const MAX_OBJECT_BYTES: u64 = 16 << 20;

/// What one file says about a channel direction: the payer authorized
/// `cumulative` units, `preimage` = w_cumulative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub file: PathBuf,
    pub channel: [u8; 32],
    pub payer: PublicKey,
    pub payee: PublicKey,
    pub nonce: u64,
    pub cumulative: u64,
    pub preimage: Digest,
}

/// A checked batch: the latest update of each channel direction.
#[derive(Debug, Clone)]
pub struct Batch {
    pub latest: Vec<Update>,
    pub files: usize,
}

fn bad(file: &Path, what: impl Into<String>) -> Error {
    Error::check(what).in_file(file)
}

fn ack_update(path: &Path, ack: &Ack) -> Result<Update> {
    ack.verify()
        .map_err(|e| e.without_location().in_file(path))?;
    let preimage = poseidon2::unpack(&ack.preimage)
        .map_err(|_| bad(path, "the ack's preimage is not 8 canonical field elements"))?;
    Ok(Update {
        file: path.to_path_buf(),
        channel: ack.channel,
        payer: ack.payer,
        payee: ack.payee,
        nonce: ack.nonce,
        cumulative: ack.cumulative,
        preimage,
    })
}

/// Reads one object file of a batch: an ack gives one update, a co-signed
/// reconciliation one per channel checkpoint, an ack log (`*.log`, as in a
/// home's acks/) its last ack.
fn read_object(path: &Path) -> Result<Vec<Update>> {
    if path.extension().and_then(|e| e.to_str()) == Some("log") {
        return match crate::store::log::last(path)? {
            Some(ack) => Ok(vec![ack_update(path, &ack)?]),
            None => Ok(Vec::new()),
        };
    }
    let meta = std::fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > MAX_OBJECT_BYTES {
        return Err(bad(
            path,
            format!("{} bytes: too large for an ack", meta.len()),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let domain = text
        .lines()
        .find_map(|l| l.strip_prefix("domain:"))
        .map(|d| d.trim().trim_matches(['\'', '"']))
        .unwrap_or("");
    match domain {
        crate::objects::DOMAIN_ACK => {
            let ack = Ack::from_yaml(&text).map_err(|e| e.in_file(path))?;
            Ok(vec![ack_update(path, &ack)?])
        }
        crate::objects::DOMAIN_RECON => {
            let recon =
                crate::objects::recon::Recon::from_yaml(&text).map_err(|e| e.in_file(path))?;
            // Both signatures: only a co-signed reconciliation settles.
            recon
                .verify()
                .map_err(|e| e.without_location().in_file(path))?;
            Ok(recon
                .checkpoints()
                .into_iter()
                .map(
                    |(payer, payee, channel, nonce, cumulative, preimage)| Update {
                        file: path.to_path_buf(),
                        channel,
                        payer,
                        payee,
                        nonce,
                        cumulative,
                        preimage,
                    },
                )
                .collect())
        }
        "" => Err(bad(path, "not an msgl object (no domain field)")
            .hint("a batch directory holds acks and co-signed reconciliations")),
        other => Err(bad(path, format!("`{other}` objects cannot be settled"))
            .hint("a batch directory holds acks and co-signed reconciliations")),
    }
}

/// Finds, reads and checks every `.yaml` file under `dir` (signatures,
/// nonces, preimages between consecutive acks of a channel), and keeps the
/// latest per channel direction.
pub fn read(dir: &Path) -> Result<Batch> {
    if !dir.is_dir() {
        return Err(Error::input("not a directory")
            .in_file(dir)
            .hint("msgl prove takes a batch directory of acks"));
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry =
            entry.map_err(|e| Error::input(format!("cannot read the batch: {e}")).in_file(dir))?;
        let p = entry.path();
        if entry.file_type().is_file()
            && matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "log")
            )
        {
            paths.push(p.to_path_buf());
        }
    }
    if paths.is_empty() {
        return Err(Error::input("the batch is empty: no .yaml or .log files")
            .in_file(dir)
            .hint("put the acks to settle in it, e.g. a copy of the home's acks/"));
    }
    // Parse and verify signatures on all cores; the first bad file in
    // path order is reported.
    let updates: Vec<Result<Vec<Update>>> = paths.par_iter().map(|p| read_object(p)).collect();
    let updates: Vec<Update> = updates
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let files = paths.len();
    let mut by_channel: BTreeMap<[u8; 32], Vec<Update>> = BTreeMap::new();
    for u in updates {
        by_channel.entry(u.channel).or_default().push(u);
    }
    let latest: Vec<Result<Update>> = by_channel
        .into_par_iter()
        .map(|(_, mut us)| {
            // An ack and a reconciliation may state the same position:
            // keep one. The hash chain orders the rest (no epoch is needed,
            // DESIGN §6.1: on chain a channel moves only along its own chain).
            us.sort_by_key(|u| u.nonce);
            us.dedup_by(|b, a| a.nonce == b.nonce && a.cumulative == b.cumulative && a.preimage == b.preimage);
            for w in us.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                if (a.payer, a.payee) != (b.payer, b.payee) {
                    return Err(bad(&b.file, format!("channel {} with other parties than in {}", hex::encode(&b.channel[..8]), a.file.display()))
                        .hint("an object re-signed by another peer"));
                }
                if a.nonce == b.nonce {
                    return Err(bad(&b.file, format!("nonce {} again (also in {})", b.nonce, a.file.display()))
                        .hint("two acks of one channel never share a nonce: one of them is forged or replayed"));
                }
                if b.cumulative <= a.cumulative {
                    return Err(bad(&b.file, format!(
                        "cumulative {} does not grow past {} (nonce {}, {})",
                        b.cumulative, a.cumulative, a.nonce, a.file.display()
                    )));
                }
                if poseidon2::hash_n(&b.preimage, b.cumulative - a.cumulative) != a.preimage {
                    return Err(bad(&b.file, format!(
                        "its preimage does not hash to the preimage of the previous ack ({})",
                        a.file.display()
                    ))
                    .hint("the payer did not authorize these units"));
                }
            }
            Ok(us.pop().expect("a group is never empty"))
        })
        .collect();
    let latest = latest.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(Batch { latest, files })
}

/// One channel as the contract sees it (`--state FILE`, and the home's
/// `channels/settled.yaml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelView {
    #[serde(with = "hexbytes")]
    pub channel: [u8; 32],
    #[serde(with = "hexbytes")]
    pub tip: [u8; 32],
    pub count: u64,
}

/// The views of a state file: a YAML list of ChannelView.
pub fn read_state(path: &Path) -> Result<Vec<ChannelView>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse_state(&text, path)
}

/// A state file's text (read from `path`) as its views.
pub fn parse_state(text: &str, path: &Path) -> Result<Vec<ChannelView>> {
    crate::yaml::from_str(text, path)
}

/// The error for an entry of a statement built from `batch` whose chain
/// does not reach its old tip (the prover found it): it names the ack's
/// file.
pub fn chain_mismatch(batch: &Batch, entry: &Entry) -> Error {
    let what = format!(
        "its chain does not reach the settled tip of channel {} (count {})",
        hex::encode(&entry.channel[..8]),
        entry.old_count
    );
    let e = match batch.latest.iter().find(|u| u.channel == entry.channel) {
        Some(u) => bad(&u.file, what),
        None => Error::check(what),
    };
    e.hint("the ack belongs to another channel, or the state is wrong")
}

/// Where a channel's settled tip comes from.
pub struct Resolver<'a> {
    /// `--state FILE` (then every channel must be in it), else the home's record.
    pub state: Option<&'a [ChannelView]>,
    pub settled: &'a [ChannelView],
}

/// Builds the statement for a batch, for the deployment `domain`: old tips
/// and counts from the resolver, channels already settled up to their latest
/// ack left out. Refuses, before any proving, a channel missing from the
/// state and a stale ack. Whether each chain reaches its old tip is not
/// walked here: `msgl_circuits::prove` walks every chain for its witness
/// before anything is committed to and refuses one that does not
/// (`ProveError::Statement(ChainMismatch)`; [`chain_mismatch`] names the
/// ack's file), so the walk — one hash per unit, sequential per channel —
/// is made once. `None` when nothing is new: every channel of the batch is
/// settled up to its latest ack.
pub fn statement(batch: &Batch, r: &Resolver<'_>, domain: Domain) -> Result<Option<Statement>> {
    let entries: Vec<Result<Option<Entry>>> = batch
        .latest
        .par_iter()
        .map(|u| {
            // The ack names its channel; the chain check below (down to
            // the settled tip, or to the id itself at count 0) holds it to it.
            let channel = u.channel;
            let view = match r.state {
                Some(state) => {
                    Some(state.iter().find(|v| v.channel == channel).ok_or_else(|| {
                        bad(
                            &u.file,
                            format!("channel {} is not in the state", hex::encode(&channel[..8])),
                        )
                        .hint(
                            "was it opened on chain? the state file lists the contract's channels",
                        )
                    })?)
                }
                None => r.settled.iter().find(|v| v.channel == channel),
            };
            let (old_tip, old_count) = match view {
                Some(v) => (
                    poseidon2::unpack(&v.tip)
                        .map_err(|_| bad(&u.file, "the state's tip is not canonical"))?,
                    v.count,
                ),
                None => (
                    poseidon2::unpack(&channel)
                        .map_err(|_| bad(&u.file, "the channel's anchor is not canonical"))?,
                    0,
                ),
            };
            if u.cumulative < old_count {
                return Err(bad(
                    &u.file,
                    format!(
                        "stale: {} units, but {} are already settled",
                        u.cumulative, old_count
                    ),
                ));
            }
            if u.cumulative == old_count {
                return Ok(None);
            }
            Ok(Some(Entry {
                channel,
                old_tip,
                old_count,
                new_preimage: u.preimage,
                new_count: u.cumulative,
            }))
        })
        .collect();
    let mut entries: Vec<Entry> = entries
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    entries.sort_by_key(|e| e.channel);
    let statement = Statement { domain, entries };
    statement
        .validate()
        .map_err(|e| Error::check(format!("the batch does not make a valid statement: {e}")))?;
    Ok(Some(statement))
}
