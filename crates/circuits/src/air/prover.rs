//! Proving and verifying, with the public input bound into Fiat–Shamir.
//!
//! Order on both sides (STWO-NOTES): PCS config, public input, preprocessed
//! tree (empty), trace tree, draw relations, claimed sum, interaction tree,
//! then Stwo's own protocol.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use num_traits::Zero;
use stwo::core::air::Component;
use stwo::core::air::Components;
use stwo::core::channel::{Channel, MerkleChannel};
use stwo::core::circle::CirclePoint;
use stwo::core::fields::m31::{BaseField, M31};
use stwo::core::fields::qm31::SecureField;
use stwo::core::fields::qm31::SECURE_EXTENSION_DEGREE;
use stwo::core::fields::FieldExpOps;
use stwo::core::pcs::{CommitmentSchemeVerifier, PcsConfig};
use stwo::core::poly::circle::CanonicCoset;
use stwo::core::poly::line::LinePoly;
use stwo::core::proof::StarkProof;
use stwo::core::vcs_lifted::blake2_merkle::Blake2sMerkleChannel;
use stwo::core::verifier::{verify as stwo_verify, VerificationError, COMPOSITION_LOG_SPLIT};
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::backend::BackendForChannel;
use stwo::prover::poly::circle::PolyOps;
use stwo::prover::{prove as stwo_prove, CommitmentSchemeProver};
use stwo_constraint_framework::{Relation, TraceLocationAllocator};

use super::bare_eval::{BareComponent, BareEval};
use super::bare_trace::gen_bare_trace;
use super::chain_eval::{AirVariant, ChainComponent, ChainEnd, ChainEval, ChainStart};
use super::chain_trace::{chain_witness, gen_chain_interaction, gen_chain_trace, ChainWitness};
use super::proof::{BatchProofOf, ProofHasher};
use super::{chain_pcs_config, pcs_config, BatchProof, ChainProof, Layout, MAX_BATCH_UNITS};
use crate::keccak::KeccakMerkleChannel;
use crate::poseidon2::P;
use crate::statement::{Statement, StatementError};

/// Domain of the bare benchmark component's public input.
const BARE_DOMAIN: &[u8] = b"msgl/bare-poseidon2/v1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProveError {
    /// The statement breaks a statement rule (DESIGN §8.1), or a chain does not reach its old tip.
    Statement(StatementError),
    /// More units than [`MAX_BATCH_UNITS`].
    TooLarge { units: u64 },
    /// Stwo refused to prove (a bug: the witness satisfies the AIR).
    Stwo(String),
}

impl fmt::Display for ProveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProveError::Statement(e) => write!(f, "invalid statement: {e}"),
            ProveError::TooLarge { units } => {
                write!(f, "batch of {units} units exceeds {MAX_BATCH_UNITS}")
            }
            ProveError::Stwo(e) => write!(f, "prover failed: {e}"),
        }
    }
}

impl std::error::Error for ProveError {}

impl From<StatementError> for ProveError {
    fn from(e: StatementError) -> Self {
        ProveError::Statement(e)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The statement breaks a statement rule (DESIGN §8.1; checked without hashing).
    Statement(StatementError),
    /// More units than [`MAX_BATCH_UNITS`].
    TooLarge { units: u64 },
    /// The proof does not have the expected shape.
    Malformed(String),
    /// The proof is not valid for this statement; [`Rejection`] says why.
    Rejected(Rejection),
}

/// Why a proof of the right shape was refused ([`VerifyError::Rejected`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The proof was made with other PCS parameters (blowup, queries,
    /// proof of work, FRI last layer) than this verifier's.
    PcsConfig,
    /// A LogUp denominator on the statement's side is zero (a negligible
    /// event: the relation elements are drawn after the trace commitment).
    ZeroLogUpDenominator,
    /// The claimed LogUp sum is not the statement's (a chain walked that is
    /// not the statement's, or a unit count other than its own).
    LogUpSumMismatch,
    /// Stwo's verifier refused the proof.
    Stwo(StwoRejection),
    /// Stwo's verifier panicked on the proof (caught, never propagated);
    /// the panic message when the payload was a string.
    Panicked(Option<String>),
}

/// Stwo's own verdict (`stwo::core::verifier::VerificationError`, which is
/// neither `PartialEq` nor `Eq`): its kind, with the details as Stwo's
/// `Debug` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StwoRejection {
    /// The proof's structure does not fit the components.
    InvalidStructure(String),
    /// A Merkle decommitment does not open to its commitment.
    Merkle(String),
    /// The composition polynomial's out-of-domain value does not match the
    /// trace's (DEEP-ALI): a transition constraint does not hold.
    OodsNotMatching,
    /// FRI refused (the committed polynomials are not of low degree).
    Fri(String),
    /// The proof of work is not valid.
    ProofOfWork,
}

impl From<VerificationError> for StwoRejection {
    fn from(e: VerificationError) -> Self {
        match e {
            VerificationError::InvalidStructure(s) => StwoRejection::InvalidStructure(s),
            VerificationError::Merkle(m) => StwoRejection::Merkle(format!("{m:?}")),
            VerificationError::OodsNotMatching => StwoRejection::OodsNotMatching,
            VerificationError::Fri(f) => StwoRejection::Fri(format!("{f:?}")),
            VerificationError::ProofOfWork => StwoRejection::ProofOfWork,
        }
    }
}

impl From<VerificationError> for VerifyError {
    fn from(e: VerificationError) -> Self {
        VerifyError::Rejected(Rejection::Stwo(e.into()))
    }
}

impl fmt::Display for StwoRejection {
    /// Stwo's `Debug` text of the error, as printed before the kinds were typed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StwoRejection::InvalidStructure(s) => write!(f, "InvalidStructure({s:?})"),
            StwoRejection::Merkle(m) => write!(f, "Merkle({m})"),
            StwoRejection::OodsNotMatching => f.write_str("OodsNotMatching"),
            StwoRejection::Fri(e) => write!(f, "Fri({e})"),
            StwoRejection::ProofOfWork => f.write_str("ProofOfWork"),
        }
    }
}

impl std::error::Error for StwoRejection {}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::PcsConfig => f.write_str("proof was made with other PCS parameters"),
            Rejection::ZeroLogUpDenominator => f.write_str("zero LogUp denominator"),
            Rejection::LogUpSumMismatch => f.write_str("LogUp sum does not match the statement"),
            Rejection::Stwo(e) => write!(f, "{e}"),
            Rejection::Panicked(None) => f.write_str("verifier panicked"),
            Rejection::Panicked(Some(m)) => write!(f, "verifier panicked: {m}"),
        }
    }
}

impl std::error::Error for Rejection {}

/// The verdict on a verifier that panicked, from `catch_unwind`'s payload.
fn panicked(payload: Box<dyn std::any::Any + Send>) -> VerifyError {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned());
    VerifyError::Rejected(Rejection::Panicked(message))
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Statement(e) => write!(f, "invalid statement: {e}"),
            VerifyError::TooLarge { units } => {
                write!(f, "batch of {units} units exceeds {MAX_BATCH_UNITS}")
            }
            VerifyError::Malformed(e) => write!(f, "malformed proof: {e}"),
            VerifyError::Rejected(e) => write!(f, "proof rejected: {e}"),
        }
    }
}

impl std::error::Error for VerifyError {}

fn domain_words(domain: &[u8]) -> Vec<u32> {
    domain
        .chunks(4)
        .map(|c| {
            let mut b = [0u8; 4];
            b[..c.len()].copy_from_slice(c);
            u32::from_be_bytes(b)
        })
        .collect()
}

fn secure_to_u32s(x: SecureField) -> [u32; 4] {
    x.to_m31_array().map(|m| m.0)
}

fn u32s_to_secure(x: [u32; 4]) -> Result<SecureField, VerifyError> {
    if x.iter().any(|&v| v >= P) {
        return Err(VerifyError::Malformed("non-canonical claimed sum".into()));
    }
    Ok(SecureField::from_m31_array(x.map(M31::from_u32_unchecked)))
}

/// A proof system: a Merkle channel, its PCS parameters and its trace layout.
/// [`Local`] is what `msgl prove` / `verify-proof` use; [`OnChain`] is the
/// Keccak system `contracts/MsglVerifier.sol` checks.
pub trait ProofSystem {
    type MC: MerkleChannel<H: ProofHasher>;
    fn pcs_config() -> PcsConfig;
    fn layout(units: u64) -> Layout;
}

/// Blake2s channel, [`pcs_config`], [`Layout::for_units`].
pub struct Local;
/// Keccak-256 channel ([`crate::keccak`]), [`chain_pcs_config`], [`Layout::for_chain`].
pub struct OnChain;

impl ProofSystem for Local {
    type MC = Blake2sMerkleChannel;
    fn pcs_config() -> PcsConfig {
        pcs_config()
    }
    fn layout(units: u64) -> Layout {
        Layout::for_units(units)
    }
}

impl ProofSystem for OnChain {
    type MC = KeccakMerkleChannel;
    fn pcs_config() -> PcsConfig {
        chain_pcs_config()
    }
    fn layout(units: u64) -> Layout {
        Layout::for_chain(units)
    }
}

type Ch<S> = <<S as ProofSystem>::MC as MerkleChannel>::C;
type Hs<S> = <<S as ProofSystem>::MC as MerkleChannel>::H;

fn new_channel<S: ProofSystem>() -> Ch<S> {
    let mut channel = Ch::<S>::default();
    S::pcs_config().mix_into(&mut channel);
    channel
}

fn m31(x: u32) -> BaseField {
    BaseField::from_u32_unchecked(x)
}

/// The verifier's side of the LogUp sum: `sum_i 1/Start(i, new_preimage_i)
/// + 1/End(i, old_tip_i, units_i)`. `None` if a denominator is zero.
fn public_sum(statement: &Statement, start: &ChainStart, end: &ChainEnd) -> Option<SecureField> {
    let mut sum = SecureField::zero();
    for (i, e) in statement.entries.iter().enumerate() {
        let seg = m31(i as u32);
        let start_vals: Vec<BaseField> = std::iter::once(seg)
            .chain(e.new_preimage.iter().map(|&x| m31(x)))
            .collect();
        let end_vals: Vec<BaseField> = std::iter::once(seg)
            .chain(e.old_tip.iter().map(|&x| m31(x)))
            .chain(std::iter::once(m31(e.units() as u32)))
            .collect();
        let ds: SecureField = start.combine(&start_vals);
        let de: SecureField = end.combine(&end_vals);
        if ds.is_zero() || de.is_zero() {
            return None;
        }
        sum += ds.inverse() + de.inverse();
    }
    Some(sum)
}

fn checked_layout<S: ProofSystem>(units: u64) -> Option<Layout> {
    (units <= MAX_BATCH_UNITS).then(|| S::layout(units))
}

/// Proves `statement`: for every entry, `H^(new - old)(new_preimage) == old_tip`.
/// Checks the statement first (its rules, DESIGN §8.1, and every chain); never proves a
/// false statement.
pub fn prove(statement: &Statement) -> Result<BatchProof, ProveError> {
    prove_with::<Local>(statement)
}

/// [`prove`] in the on-chain proof system ([`OnChain`]): the proof
/// `contracts/MsglVerifier.sol` verifies.
pub fn prove_for_chain(statement: &Statement) -> Result<ChainProof, ProveError> {
    prove_with::<OnChain>(statement)
}

fn prove_with<S: ProofSystem>(statement: &Statement) -> Result<BatchProofOf<Hs<S>>, ProveError>
where
    SimdBackend: BackendForChannel<S::MC>,
{
    statement.validate()?;
    let units = statement.total_units();
    let layout = checked_layout::<S>(units).ok_or(ProveError::TooLarge { units })?;
    let span = tracing::info_span!("msgl chain witness").entered();
    let wit = chain_witness(statement)?;
    span.exit();
    prove_from_witness::<S>(statement, layout, wit, AirVariant::Full, true)
}

/// Proves from a caller-supplied witness without checking it against the
/// statement: a *dishonest* prover, for tests of the verifier's soundness
/// (tests/dishonest_prover.rs). Slots beyond the layout are ignored.
#[doc(hidden)]
pub fn prove_unchecked(statement: &Statement, wit: ChainWitness) -> Result<BatchProof, ProveError> {
    let units = statement.total_units();
    let layout = checked_layout::<Local>(units).ok_or(ProveError::TooLarge { units })?;
    prove_from_witness::<Local>(statement, layout, wit, AirVariant::Full, true)
}

/// The dishonest on-chain prover of the soundness tests (issue 18, item 5):
/// commits to a chosen witness for the AIR `variant` (the real AIR with one
/// constraint dropped, or the real AIR itself) and skips Stwo's final
/// self-check, so that the proof may break a constraint of the real AIR.
#[doc(hidden)]
pub fn prove_for_chain_unchecked(
    statement: &Statement,
    wit: ChainWitness,
    variant: AirVariant,
) -> Result<ChainProof, ProveError> {
    let units = statement.total_units();
    let layout = checked_layout::<OnChain>(units).ok_or(ProveError::TooLarge { units })?;
    prove_from_witness::<OnChain>(statement, layout, wit, variant, false)
}

fn prove_from_witness<S: ProofSystem>(
    statement: &Statement,
    layout: Layout,
    wit: ChainWitness,
    variant: AirVariant,
    self_check: bool,
) -> Result<BatchProofOf<Hs<S>>, ProveError>
where
    SimdBackend: BackendForChannel<S::MC>,
{
    let config = S::pcs_config();

    let span = tracing::info_span!("msgl twiddles").entered();
    let twiddles = SimdBackend::precompute_twiddles(
        CanonicCoset::new(layout.log_rows + 1 + config.fri_config.log_blowup_factor)
            .circle_domain()
            .half_coset,
    );
    span.exit();
    let channel = &mut new_channel::<S>();
    statement.mix_into(channel);
    let mut scheme = CommitmentSchemeProver::<SimdBackend, S::MC>::new(config, &twiddles);
    scheme.set_store_polynomials_coefficients();

    let mut tree = scheme.tree_builder();
    tree.extend_evals(vec![]);
    tree.commit(channel);

    let span = tracing::info_span!("msgl chain trace").entered();
    let (trace, lookup) = gen_chain_trace(layout, &wit);
    drop(wit);
    span.exit();
    let mut tree = scheme.tree_builder();
    tree.extend_evals(trace);
    tree.commit(channel);

    let start = ChainStart::draw(channel);
    let end = ChainEnd::draw(channel);
    let span = tracing::info_span!("msgl chain interaction").entered();
    let (interaction, claimed_sum) = gen_chain_interaction(layout, &lookup, &start, &end);
    drop(lookup);
    span.exit();
    channel.mix_felts(&[claimed_sum]);
    let mut tree = scheme.tree_builder();
    tree.extend_evals(interaction);
    tree.commit(channel);

    let component = ChainComponent::new(
        &mut TraceLocationAllocator::default(),
        ChainEval {
            layout,
            start,
            end,
            claimed_sum,
            variant,
        },
        claimed_sum,
    );
    let stark = if self_check {
        stwo_prove::<SimdBackend, S::MC>(&[&component], channel, scheme)
            .map_err(|e| ProveError::Stwo(format!("{e:?}")))?
    } else {
        super::unchecked::prove_without_self_check::<S::MC>(&[&component], channel, scheme)
    };
    Ok(BatchProofOf {
        claimed_sum: secure_to_u32s(claimed_sum),
        stark,
    })
}

/// Verifies `proof` for `statement`. Checks the statement's rules (DESIGN §8.1; not
/// the chains: that is what the proof is for). Never panics: a panic inside
/// Stwo on a hostile proof is caught and reported as a rejection.
pub fn verify(statement: &Statement, proof: &BatchProof) -> Result<(), VerifyError> {
    verify_with::<Local>(statement, proof, AirVariant::Full, true)
}

/// [`verify`] in the on-chain proof system: what `MsglVerifier.sol` decides.
pub fn verify_chain_proof(statement: &Statement, proof: &ChainProof) -> Result<(), VerifyError> {
    verify_with::<OnChain>(statement, proof, AirVariant::Full, true)
}

/// The on-chain verifier with one check dropped, for the soundness tests:
/// `variant` drops one transition constraint, `logup_check: false` drops the
/// comparison of the claimed LogUp sum with the statement's.
#[doc(hidden)]
pub fn verify_chain_proof_weakened(
    statement: &Statement,
    proof: &ChainProof,
    variant: AirVariant,
    logup_check: bool,
) -> Result<(), VerifyError> {
    verify_with::<OnChain>(statement, proof, variant, logup_check)
}

fn verify_with<S: ProofSystem>(
    statement: &Statement,
    proof: &BatchProofOf<Hs<S>>,
    variant: AirVariant,
    logup_check: bool,
) -> Result<(), VerifyError> {
    statement.validate().map_err(VerifyError::Statement)?;
    let units = statement.total_units();
    let layout = checked_layout::<S>(units).ok_or(VerifyError::TooLarge { units })?;
    catch_unwind(AssertUnwindSafe(|| {
        verify_chain_inner::<S>(statement, layout, proof, variant, logup_check)
    }))
    .unwrap_or_else(|payload| Err(panicked(payload)))
}

fn check_shape<S: ProofSystem>(
    proof: &BatchProofOf<Hs<S>>,
    n_trees: usize,
) -> Result<(), VerifyError> {
    let p = &proof.stark.0;
    if p.config != S::pcs_config() {
        return Err(VerifyError::Rejected(Rejection::PcsConfig));
    }
    // Trees: preprocessed, trace, interaction, composition.
    if p.commitments.len() != n_trees + 1 {
        return Err(VerifyError::Malformed(format!(
            "{} commitments, expected {}",
            p.commitments.len(),
            n_trees + 1
        )));
    }
    Ok(())
}

/// The rest of the proof's shape, from the component itself: per tree
/// (preprocessed, trace, interaction, composition) as many sampled-value
/// columns as the verifier will sample, each with as many values as it has
/// mask points; as many queried-value columns as the tree has columns; one
/// decommitment per tree. Stwo indexes and zips these without checking
/// lengths, and one of its panics fires while a constraint evaluator is
/// alive, whose drop then panics again: a process abort that no
/// `catch_unwind` can stop. So nothing mis-shaped may reach it.
fn check_columns<H: ProofHasher>(
    proof: &BatchProofOf<H>,
    component: &dyn Component,
    column_counts: &[usize],
) -> Result<(), VerifyError> {
    let p = &proof.stark.0;
    let components = Components {
        components: vec![component],
        n_preprocessed_columns: column_counts[0],
    };
    let max_log = components
        .composition_log_degree_bound()
        .checked_sub(COMPOSITION_LOG_SPLIT)
        .ok_or_else(|| VerifyError::Malformed("degenerate component".into()))?;
    let mut mask = components.mask_points(CirclePoint::zero(), max_log, false);
    mask.push(vec![vec![CirclePoint::zero()]; 2 * SECURE_EXTENSION_DEGREE]);
    let n_trees = mask.len();
    let bad = |what: &str| Err(VerifyError::Malformed(what.to_string()));
    if p.sampled_values.len() != n_trees
        || p.queried_values.len() != n_trees
        || p.decommitments.len() != n_trees
        || column_counts.len() + 1 != n_trees
    {
        return bad("wrong number of trees");
    }
    for (t, (points, values)) in mask.iter().zip(p.sampled_values.iter()).enumerate() {
        if points.len() != values.len()
            || points.iter().zip(values).any(|(a, b)| a.len() != b.len())
        {
            return bad(&format!("sampled values of tree {t} have the wrong shape"));
        }
    }
    let composition_columns = 2 * SECURE_EXTENSION_DEGREE;
    for (t, values) in p.queried_values.iter().enumerate() {
        let want = column_counts.get(t).copied().unwrap_or(composition_columns);
        if values.len() != want {
            return bad(&format!(
                "queried values of tree {t}: {} columns, expected {want}",
                values.len()
            ));
        }
        if let Some(first) = values.first() {
            if values.iter().any(|c| c.len() != first.len()) {
                return bad(&format!("queried values of tree {t} differ in length"));
            }
        }
    }
    Ok(())
}

/// The Stark proof for Stwo, after two checks Stwo does not make: every
/// field element is canonical (< P: Stwo's arithmetic assumes it, overflows
/// in a debug build and wraps in a release one, so a value and value + P
/// would both pass), and the FRI last layer has 2^log_last_layer_degree_bound
/// coefficients with a size field that agrees (a decoded proof may claim
/// any size; Stwo trusts it and panics).
fn checked_stark<S: ProofSystem>(
    proof: &BatchProofOf<Hs<S>>,
) -> Result<StarkProof<Hs<S>>, VerifyError> {
    let p = &proof.stark.0;
    let m31 = |v: &M31| v.0 < P;
    let qm31 = |v: &SecureField| v.to_m31_array().iter().all(m31);
    let canonical = p.sampled_values.iter().flatten().flatten().all(qm31)
        && p.queried_values.iter().flatten().flatten().all(m31)
        && std::iter::once(&p.fri_proof.first_layer)
            .chain(&p.fri_proof.inner_layers)
            .all(|l| l.fri_witness.iter().all(qm31))
        && p.fri_proof.last_layer_poly.iter().all(qm31);
    if !canonical {
        return Err(VerifyError::Malformed(
            "a field element is not canonical".into(),
        ));
    }
    let coeffs: Vec<SecureField> = p.fri_proof.last_layer_poly.to_vec();
    let want = 1usize << S::pcs_config().fri_config.log_last_layer_degree_bound;
    if coeffs.len() != want || LinePoly::new(coeffs) != p.fri_proof.last_layer_poly {
        return Err(VerifyError::Malformed(format!(
            "FRI last layer is not {want} coefficients"
        )));
    }
    Ok(proof.stark.clone())
}

fn verify_chain_inner<S: ProofSystem>(
    statement: &Statement,
    layout: Layout,
    proof: &BatchProofOf<Hs<S>>,
    variant: AirVariant,
    logup_check: bool,
) -> Result<(), VerifyError> {
    let config = S::pcs_config();
    check_shape::<S>(proof, 3)?;
    let claimed_sum = u32s_to_secure(proof.claimed_sum)?;
    let channel = &mut new_channel::<S>();
    statement.mix_into(channel);
    let scheme = &mut CommitmentSchemeVerifier::<S::MC>::new(config);

    let sizes = ChainComponent::new(
        &mut TraceLocationAllocator::default(),
        ChainEval {
            layout,
            start: ChainStart::dummy(),
            end: ChainEnd::dummy(),
            claimed_sum,
            variant,
        },
        claimed_sum,
    )
    .trace_log_degree_bounds();
    if sizes.len() != 3 {
        return Err(VerifyError::Malformed("unexpected tree count".into()));
    }
    let commitments = &proof.stark.0.commitments;
    scheme.commit(commitments[0], &sizes[0], channel);
    scheme.commit(commitments[1], &sizes[1], channel);
    let start = ChainStart::draw(channel);
    let end = ChainEnd::draw(channel);
    channel.mix_felts(&[claimed_sum]);
    scheme.commit(commitments[2], &sizes[2], channel);

    let public = public_sum(statement, &start, &end)
        .ok_or(VerifyError::Rejected(Rejection::ZeroLogUpDenominator))?;
    if logup_check && claimed_sum != public {
        return Err(VerifyError::Rejected(Rejection::LogUpSumMismatch));
    }

    let component = ChainComponent::new(
        &mut TraceLocationAllocator::default(),
        ChainEval {
            layout,
            start,
            end,
            claimed_sum,
            variant,
        },
        claimed_sum,
    );
    let counts: Vec<usize> = sizes.iter().map(|t| t.len()).collect();
    check_columns(proof, &component, &counts)?;
    let stark = checked_stark::<S>(proof)?;
    stwo_verify::<S::MC>(&[&component], channel, scheme, stark).map_err(VerifyError::from)
}

fn mix_bare(channel: &mut impl Channel, units: u64) {
    let mut words = domain_words(BARE_DOMAIN);
    words.push((units >> 32) as u32);
    words.push(units as u32);
    channel.mix_u32s(&words);
}

/// Proves `units` independent Poseidon2 permutations (inputs from
/// [`bare_input`](super::bare_trace::bare_input), padded to the layout's
/// slot count). The benchmark baseline for [`prove`].
pub fn prove_bare(units: u64) -> Result<BatchProof, ProveError> {
    let layout = checked_layout::<Local>(units).ok_or(ProveError::TooLarge { units })?;
    let config = pcs_config();
    let twiddles = SimdBackend::precompute_twiddles(
        CanonicCoset::new(layout.log_rows + 1 + config.fri_config.log_blowup_factor)
            .circle_domain()
            .half_coset,
    );
    let channel = &mut new_channel::<Local>();
    mix_bare(channel, units);
    let mut scheme =
        CommitmentSchemeProver::<SimdBackend, Blake2sMerkleChannel>::new(config, &twiddles);
    scheme.set_store_polynomials_coefficients();
    let mut tree = scheme.tree_builder();
    tree.extend_evals(vec![]);
    tree.commit(channel);
    let mut tree = scheme.tree_builder();
    tree.extend_evals(gen_bare_trace(layout));
    tree.commit(channel);
    let component = BareComponent::new(
        &mut TraceLocationAllocator::default(),
        BareEval { layout },
        SecureField::zero(),
    );
    let stark = stwo_prove::<SimdBackend, Blake2sMerkleChannel>(&[&component], channel, scheme)
        .map_err(|e| ProveError::Stwo(format!("{e:?}")))?;
    Ok(BatchProof {
        claimed_sum: [0; 4],
        stark,
    })
}

/// Verifies a [`prove_bare`] proof for `units` permutations.
pub fn verify_bare(units: u64, proof: &BatchProof) -> Result<(), VerifyError> {
    let layout = checked_layout::<Local>(units).ok_or(VerifyError::TooLarge { units })?;
    catch_unwind(AssertUnwindSafe(|| {
        check_shape::<Local>(proof, 2)?;
        if proof.claimed_sum != [0; 4] {
            return Err(VerifyError::Malformed(
                "bare proof with a claimed sum".into(),
            ));
        }
        let channel = &mut new_channel::<Local>();
        mix_bare(channel, units);
        let scheme = &mut CommitmentSchemeVerifier::<Blake2sMerkleChannel>::new(pcs_config());
        let component = BareComponent::new(
            &mut TraceLocationAllocator::default(),
            BareEval { layout },
            SecureField::zero(),
        );
        let sizes = component.trace_log_degree_bounds();
        let commitments = &proof.stark.0.commitments;
        scheme.commit(commitments[0], &sizes[0], channel);
        scheme.commit(commitments[1], &sizes[1], channel);
        let counts: Vec<usize> = sizes.iter().map(|t| t.len()).collect();
        check_columns(proof, &component, &counts)?;
        let stark = checked_stark::<Local>(proof)?;
        stwo_verify::<Blake2sMerkleChannel>(&[&component], channel, scheme, stark)
            .map_err(VerifyError::from)
    }))
    .unwrap_or_else(|payload| Err(panicked(payload)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stwo::core::fri::FriVerificationError;
    use stwo::core::vcs_lifted::verifier::MerkleVerificationError;

    /// Each kind of Stwo's verdict maps to its own variant and prints what
    /// the CLI printed before the kinds were typed: Stwo's `Debug` text.
    #[test]
    fn stwo_verdicts_keep_their_kind_and_their_text() {
        let cases = [
            (
                VerificationError::InvalidStructure("3 trees".into()),
                StwoRejection::InvalidStructure("3 trees".into()),
            ),
            (
                VerificationError::Merkle(MerkleVerificationError::RootMismatch),
                StwoRejection::Merkle("RootMismatch".into()),
            ),
            (
                VerificationError::OodsNotMatching,
                StwoRejection::OodsNotMatching,
            ),
            (
                VerificationError::Fri(FriVerificationError::InnerLayerEvaluationsInvalid {
                    inner_layer: 2,
                }),
                StwoRejection::Fri("InnerLayerEvaluationsInvalid { inner_layer: 2 }".into()),
            ),
            (VerificationError::ProofOfWork, StwoRejection::ProofOfWork),
        ];
        for (stwo, ours) in cases {
            let text = format!("{stwo:?}");
            assert_eq!(StwoRejection::from(stwo), ours);
            assert_eq!(
                VerifyError::Rejected(Rejection::Stwo(ours)).to_string(),
                format!("proof rejected: {text}")
            );
        }
    }

    #[test]
    fn a_caught_panic_keeps_its_message() {
        let quiet = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let formatted = catch_unwind(|| panic!("at {}", 3)).unwrap_err();
        let literal = catch_unwind(|| panic!("index out of range")).unwrap_err();
        let other = catch_unwind(|| std::panic::panic_any(7u8)).unwrap_err();
        std::panic::set_hook(quiet);
        let said = |m: Option<&str>| VerifyError::Rejected(Rejection::Panicked(m.map(Into::into)));
        assert_eq!(panicked(formatted), said(Some("at 3")));
        assert_eq!(panicked(literal), said(Some("index out of range")));
        assert_eq!(panicked(other), said(None));
        assert_eq!(said(None).to_string(), "proof rejected: verifier panicked");
    }
}
