//! The payer's hash chains on disk: the PayWord chain itself
//! ([`HashChain`], [`seed`]) is msgl-poseidon2's; this is its checkpoint
//! file in the home.

use std::path::Path;

pub use msgl_poseidon2::hashchain::{seed, spacing, HashChain, Walker, MAX_LENGTH, SEED_DOMAIN};
use msgl_poseidon2::{self as poseidon2, Digest};

use crate::error::{Error, Result};
use crate::fsutil;

/// Loads the checkpoints of a chain, or rebuilds them from the seed when
/// the file is missing or damaged (and stores them again). Checks that the
/// chain ends at `anchor`. The file holds w_n, enough to pay out the whole
/// channel: like the key, it is refused when group or others may read it,
/// or when it is a symlink.
pub fn load_or_rebuild(
    path: &Path,
    seed: Digest,
    length: u64,
    anchor: &[u8; 32],
) -> Result<HashChain> {
    let loaded = match std::fs::symlink_metadata(path) {
        Ok(_) => {
            use std::io::Read;
            let mut f = crate::keys::open_private(path)?;
            let mut bytes = Vec::new();
            f.by_ref()
                .take(MAX_FILE)
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(path, e))?;
            HashChain::from_bytes(&bytes)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(path, e)),
    };
    if let Some(c) = loaded {
        if c.length == length && c.top == seed && poseidon2::pack(&c.anchor()) == *anchor {
            return Ok(c);
        }
    }
    let chain = HashChain::build(seed, length);
    if poseidon2::pack(&chain.anchor()) != *anchor {
        return Err(
            Error::check("this key's chain does not end at the channel's anchor")
                .in_file(path)
                .hint("the channel was opened with another key"),
        );
    }
    fsutil::write_atomic(path, &chain.to_bytes(), true, Some(0o600))?;
    Ok(chain)
}

/// The largest checkpoint file read: 2^30 units keep 32,768 checkpoints.
const MAX_FILE: u64 = 4 << 20;
