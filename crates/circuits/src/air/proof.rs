//! The serialized batch proof.

use std::fmt;

use bincode::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use stwo::core::proof::StarkProof;
use stwo::core::vcs_lifted::blake2_merkle::Blake2sMerkleHasher;
use stwo::core::vcs_lifted::merkle_hasher::MerkleHasherLifted;

use crate::keccak::KeccakMerkleHasher;

/// Largest serialized proof accepted by [`BatchProof::from_bytes`].
pub const MAX_PROOF_BYTES: usize = 16 << 20;

/// The Merkle hashers a batch proof may use, each with its file magic.
pub trait ProofHasher: MerkleHasherLifted + Serialize + DeserializeOwned {
    /// The first 8 bytes of a serialized proof.
    const MAGIC: [u8; 8];
}

impl ProofHasher for Blake2sMerkleHasher {
    const MAGIC: [u8; 8] = *b"msglbp01";
}

impl ProofHasher for KeccakMerkleHasher {
    const MAGIC: [u8; 8] = *b"msglcp01";
}

/// A Stwo proof for a batch, with the LogUp claimed sum of its interaction
/// trace (zero for the bare component, which has none).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct BatchProofOf<H: ProofHasher> {
    /// The claimed sum as 4 Mersenne-31 coordinates (each must be `< P`).
    pub claimed_sum: [u32; 4],
    pub stark: StarkProof<H>,
}

/// The proof `msgl prove` writes (Blake2s channel, [`super::pcs_config`]).
pub type BatchProof = BatchProofOf<Blake2sMerkleHasher>;

/// The on-chain proof (`msgl prove --for-chain`): Keccak-256 channel,
/// [`super::chain_pcs_config`], the layout [`super::Layout::for_chain`].
pub type ChainProof = BatchProofOf<KeccakMerkleHasher>;

/// Why bytes are not a proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofDecodeError {
    TooLarge {
        len: usize,
    },
    BadMagic,
    Malformed(String),
    /// The proof file could not be read.
    Io(String),
}

impl fmt::Display for ProofDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProofDecodeError::TooLarge { len } => {
                write!(
                    f,
                    "proof is {len} bytes, more than the {MAX_PROOF_BYTES} allowed"
                )
            }
            ProofDecodeError::BadMagic => write!(f, "not an msgl batch proof (bad magic)"),
            ProofDecodeError::Malformed(e) => write!(f, "malformed proof: {e}"),
            ProofDecodeError::Io(e) => write!(f, "cannot read the proof: {e}"),
        }
    }
}

impl std::error::Error for ProofDecodeError {}

fn codec() -> impl Options {
    // The byte limit bounds every length-prefixed allocation: bincode never
    // reserves more than it has bytes left to read.
    bincode::DefaultOptions::new()
        .with_limit(MAX_PROOF_BYTES as u64)
        .with_fixint_encoding()
        .with_little_endian()
        .reject_trailing_bytes()
}

impl<H: ProofHasher> BatchProofOf<H> {
    /// The magic (`msglbp01`, or `msglcp01` for a [`ChainProof`]) followed by
    /// the bincode (fixed-width integers, little-endian) encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = H::MAGIC.to_vec();
        let body = codec()
            .serialize(self)
            .expect("a proof built by this crate serializes");
        out.extend_from_slice(&body);
        out
    }

    /// Reads a proof file. A file over [`MAX_PROOF_BYTES`] is refused by
    /// its size before any of it is read, and at most `MAX_PROOF_BYTES + 1`
    /// bytes are ever read (a file that grows, or a device, cannot make it
    /// read more).
    pub fn read_file(path: &std::path::Path) -> Result<Self, ProofDecodeError> {
        use std::io::Read;
        let io = |e: std::io::Error| ProofDecodeError::Io(format!("{}: {e}", path.display()));
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > MAX_PROOF_BYTES as u64 {
            return Err(ProofDecodeError::TooLarge {
                len: usize::try_from(len).unwrap_or(usize::MAX),
            });
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(MAX_PROOF_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        Self::from_bytes(&bytes)
    }

    /// Parses [`Self::to_bytes`]' format; refuses inputs over
    /// [`MAX_PROOF_BYTES`] before reading them.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofDecodeError> {
        if bytes.len() > MAX_PROOF_BYTES {
            return Err(ProofDecodeError::TooLarge { len: bytes.len() });
        }
        let body = bytes
            .strip_prefix(&H::MAGIC)
            .ok_or(ProofDecodeError::BadMagic)?;
        codec()
            .deserialize(body)
            .map_err(|e| ProofDecodeError::Malformed(e.to_string()))
    }
}
