//! The on-chain verifier from Rust (issue 18): the calldata encoding of a
//! [`ChainProof`] that `contracts/MsglVerifier.sol` reads, and the
//! transactions that verify a statement's proof and record its fact.
//!
//! Proof calldata (all integers big-endian; a QM31 is its 4 coordinates as
//! u32; "list" is a u32 count then the items):
//!
//! ```text
//! claimed_sum (QM31) | 4 commitments (preprocessed, trace, interaction, composition)
//! sampled values (QM31, Stwo's order: tree, column, sample)
//! FRI first-layer commitment | inner-layer commitments | last layer (2^L QM31)
//! proof-of-work nonce (u64)
//! per tree (trace, interaction, composition): one row of values (u32) per
//!   query position (sorted, distinct), then the Merkle hash witness (list of 32 bytes)
//! per FRI layer (first, then inner): witness values (list of QM31), hash witness (list)
//! ```

use alloy_primitives::{Address, B256};
use alloy_sol_types::SolCall;
use msgl_circuits::statement::Statement;
use msgl_circuits::ChainProof;

use crate::bindings::MsglVerifier;

fn qm31(out: &mut Vec<u8>, v: &stwo::core::fields::qm31::SecureField) {
    for c in v.to_m31_array() {
        out.extend_from_slice(&c.0.to_be_bytes());
    }
}

fn hashes(out: &mut Vec<u8>, hs: &[msgl_circuits::keccak::KeccakHash]) {
    out.extend_from_slice(&(hs.len() as u32).to_be_bytes());
    for h in hs {
        out.extend_from_slice(&h.0);
    }
}

/// The proof as `MsglVerifier.verifyAndRegister` reads it (module docs).
pub fn proof_calldata(proof: &ChainProof) -> Vec<u8> {
    let p = &proof.stark.0;
    let mut out = Vec::new();
    for c in proof.claimed_sum {
        out.extend_from_slice(&c.to_be_bytes());
    }
    for c in p.commitments.iter() {
        out.extend_from_slice(&c.0);
    }
    for v in p.sampled_values.iter().flatten().flatten() {
        qm31(&mut out, v);
    }
    out.extend_from_slice(&p.fri_proof.first_layer.commitment.0);
    for l in &p.fri_proof.inner_layers {
        out.extend_from_slice(&l.commitment.0);
    }
    for c in p.fri_proof.last_layer_poly.iter() {
        qm31(&mut out, c);
    }
    out.extend_from_slice(&p.proof_of_work.to_be_bytes());
    for t in 1..p.queried_values.len() {
        let cols = &p.queried_values[t];
        let nq = cols.first().map_or(0, |c| c.len());
        for q in 0..nq {
            for col in cols {
                out.extend_from_slice(&col.get(q).map_or(0, |v| v.0).to_be_bytes());
            }
        }
        hashes(&mut out, &p.decommitments[t].hash_witness);
    }
    for l in std::iter::once(&p.fri_proof.first_layer).chain(&p.fri_proof.inner_layers) {
        out.extend_from_slice(&(l.fri_witness.len() as u32).to_be_bytes());
        for v in &l.fri_witness {
            qm31(&mut out, v);
        }
        hashes(&mut out, &l.decommitment.hash_witness);
    }
    out
}

/// Most units in one on-chain proof, so that its verification fits one
/// transaction (EIP-7825: 2^24 gas): the verifier's work grows with the
/// trace's rows (units rounded up to a power of two, one permutation per
/// row), and 2^18 rows verify for about 7.9M gas with one entry
/// (docs/BENCHMARKS.md). `msgl prove --for-chain` splits larger batches.
pub const MAX_VERIFY_UNITS: u64 = 1 << 18;

/// Most entries in one on-chain proof: each entry costs the verifier about
/// 26k gas more (its calldata, the statement checks and mixing, its two
/// LogUp denominators, inverted together with the others); at 2^18 rows 1
/// entry verifies for 7.84M gas, 100 for 10.44M and 128 for 11.10M, 66%
/// of the 2^24 cap (measured with `msgl calldata --verify -O json`,
/// docs/BENCHMARKS.md). `msgl prove --for-chain` splits larger batches,
/// and `msgl calldata --verify` refuses a part over the cap before
/// printing anything.
pub const MAX_VERIFY_ENTRIES: usize = 128;

/// The ABI entries of a statement for `MsglVerifier`.
pub fn verifier_entries(statement: &Statement) -> Vec<MsglVerifier::Entry> {
    statement
        .entries
        .iter()
        .map(|e| {
            let a = crate::abi_entry(e);
            MsglVerifier::Entry {
                channel: a.channel,
                oldTip: a.oldTip,
                oldCount: a.oldCount,
                newTip: a.newTip,
                newCount: a.newCount,
            }
        })
        .collect()
}

/// Calldata of `MsglVerifier.verifyAndRegister(chainId, settlement, token, entries, proof)`.
pub fn verify_calldata(statement: &Statement, proof: &ChainProof) -> Vec<u8> {
    let d = &statement.domain;
    MsglVerifier::verifyAndRegisterCall {
        chainId: d.chain_id,
        settlement: Address::from(d.settlement),
        token: Address::from(d.token),
        entries: verifier_entries(statement),
        proof: proof_calldata(proof).into(),
    }
    .abi_encode()
}

/// Calldata of the view `MsglVerifier.verify(...)` (same arguments, records nothing).
pub fn verify_view_calldata(statement: &Statement, proof: &[u8]) -> Vec<u8> {
    let d = &statement.domain;
    MsglVerifier::verifyCall {
        chainId: d.chain_id,
        settlement: Address::from(d.settlement),
        token: Address::from(d.token),
        entries: verifier_entries(statement),
        proof: proof.to_vec().into(),
    }
    .abi_encode()
}

/// One transaction of the on-chain verification, in the order to send them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierTx {
    /// The verifier contract.
    pub target: Address,
    pub calldata: Vec<u8>,
    /// What the transaction does.
    pub purpose: String,
    /// Gas it used in revm (the in-memory chain of [`crate::evm`]).
    pub gas: u64,
}

/// The fact the verifier records for `statement`.
pub fn verifier_fact(statement: &Statement) -> B256 {
    B256::from(crate::statement_hash(statement))
}

/// The transactions that verify `proof` for `statement` on the verifier at
/// `verifier` and record the statement's fact, in the order to send them,
/// each with the gas it uses in revm (measured on a fresh in-memory chain
/// with the committed artifact). Today one transaction does it all; its gas
/// is measured without the EIP-7825 cap, so a caller can see when a proof
/// is too large for one transaction (see docs/BENCHMARKS.md).
pub fn verifier_transactions(
    verifier: Address,
    statement: &Statement,
    proof: &ChainProof,
) -> Result<Vec<VerifierTx>, crate::evm::Revert> {
    let calldata = verify_calldata(statement, proof);
    let mut chain = crate::evm::Evm::new();
    let from = Address::repeat_byte(0x11);
    let deployed = chain.deploy(from, MsglVerifier::BYTECODE.clone())?;
    let gas = chain
        .view_uncapped(from, deployed.address, calldata.clone())?
        .gas_used;
    Ok(vec![VerifierTx {
        target: verifier,
        calldata,
        purpose: "verify the batch proof and record the statement's fact".to_owned(),
        gas,
    }])
}

/// Reads proof calldata back into a [`ChainProof`] with the shape of
/// `shape` (the same statement's honest proof: its column counts, samples
/// per column, FRI layer count and number of queries; the lists' lengths
/// come from the bytes). `None` when the bytes do not fit that shape. The
/// differential tests use it to hand the very bytes the contract gets to
/// the Rust verifier.
pub fn proof_from_calldata(bytes: &[u8], shape: &ChainProof) -> Option<ChainProof> {
    use msgl_circuits::keccak::KeccakHash;
    use stwo::core::fields::m31::M31;
    use stwo::core::fields::qm31::SecureField;

    struct Reader<'a> {
        b: &'a [u8],
        at: usize,
    }
    impl Reader<'_> {
        fn take(&mut self, n: usize) -> Option<&[u8]> {
            let s = self.b.get(self.at..self.at.checked_add(n)?)?;
            self.at += n;
            Some(s)
        }
        fn u32(&mut self) -> Option<u32> {
            Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
        }
        fn hash(&mut self) -> Option<KeccakHash> {
            Some(KeccakHash(self.take(32)?.try_into().ok()?))
        }
        fn qm31(&mut self) -> Option<SecureField> {
            let [a, b, c, d] = [self.u32()?, self.u32()?, self.u32()?, self.u32()?];
            Some(SecureField::from_u32_unchecked(a, b, c, d))
        }
        fn hashes(&mut self) -> Option<Vec<KeccakHash>> {
            let n = self.u32()? as usize;
            if n > self.b.len() / 32 {
                return None;
            }
            (0..n).map(|_| self.hash()).collect()
        }
    }

    let mut r = Reader { b: bytes, at: 0 };
    let mut out = shape.clone();
    for c in out.claimed_sum.iter_mut() {
        *c = r.u32()?;
    }
    let p = &mut out.stark.0;
    for c in p.commitments.iter_mut() {
        *c = r.hash()?;
    }
    for v in p.sampled_values.iter_mut().flatten().flatten() {
        *v = r.qm31()?;
    }
    p.fri_proof.first_layer.commitment = r.hash()?;
    for l in p.fri_proof.inner_layers.iter_mut() {
        l.commitment = r.hash()?;
    }
    let mut coeffs = p.fri_proof.last_layer_poly.to_vec();
    for c in coeffs.iter_mut() {
        *c = r.qm31()?;
    }
    p.fri_proof.last_layer_poly = stwo::core::poly::line::LinePoly::new(coeffs);
    p.proof_of_work = u64::from_be_bytes(r.take(8)?.try_into().ok()?);
    for t in 1..p.queried_values.len() {
        let cols = &mut p.queried_values[t];
        let nq = cols.first().map_or(0, |c| c.len());
        for q in 0..nq {
            for col in cols.iter_mut() {
                col[q] = M31::from_u32_unchecked(r.u32()?);
            }
        }
        p.decommitments[t].hash_witness = r.hashes()?;
    }
    let layers =
        std::iter::once(&mut p.fri_proof.first_layer).chain(p.fri_proof.inner_layers.iter_mut());
    for l in layers {
        let n = r.u32()? as usize;
        if n > bytes.len() / 16 {
            return None;
        }
        l.fri_witness = (0..n).map(|_| r.qm31()).collect::<Option<Vec<_>>>()?;
        l.decommitment.hash_witness = r.hashes()?;
    }
    (r.at == bytes.len()).then_some(out)
}
