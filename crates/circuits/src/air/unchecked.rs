//! Stwo 2.3.0's `prove_ex` without its final self-check (the comparison of
//! the composition polynomial's out-of-domain value with the constraints
//! evaluated from the trace's): the dishonest prover of the soundness tests
//! (issue 18, item 5) must be able to emit a proof that breaks a constraint.
//! Everything else is the same sequence of calls as
//! `stwo::prover::prove_ex` (same transcript, same proof), so an honest
//! witness gives the very proof [`stwo::prover::prove`] gives.

use stwo::core::channel::{Channel, MerkleChannel};
use stwo::core::circle::CirclePoint;
use stwo::core::fields::qm31::{SecureField, SECURE_EXTENSION_DEGREE};
use stwo::core::pcs::utils::get_lifting_log_size;
use stwo::core::proof::StarkProof;
use stwo::prover::backend::simd::SimdBackend;
use stwo::prover::backend::BackendForChannel;
use stwo::prover::{CommitmentSchemeProver, ComponentProver, ComponentProvers};

pub(super) fn prove_without_self_check<MC: MerkleChannel>(
    components: &[&dyn ComponentProver<SimdBackend>],
    channel: &mut MC::C,
    mut scheme: CommitmentSchemeProver<'_, SimdBackend, MC>,
) -> StarkProof<MC::H>
where
    SimdBackend: BackendForChannel<MC>,
{
    let provers = ComponentProvers {
        components: components.to_vec(),
        n_preprocessed_columns: scheme.trees[0].polynomials.len(),
    };
    let trace = scheme.trace();
    let random_coeff = channel.draw_secure_felt();
    let composition = provers.compute_composition_polynomial(
        random_coeff,
        &trace,
        scheme.twiddles,
        scheme.config.fri_config.log_blowup_factor,
    );
    let mut tree = scheme.tree_builder();
    let (left, right) = composition.split_at_mid();
    tree.extend_polys(left.into_coordinate_polys());
    tree.extend_polys(right.into_coordinate_polys());
    tree.commit(channel);

    let oods_point = CirclePoint::<SecureField>::get_random_point(channel);
    let split_log_size = scheme.trees.last().unwrap().commitment.layers.len() as u32 - 1;
    let lifting_log_size = get_lifting_log_size(&scheme.config, split_log_size);
    let max_log_degree_bound = lifting_log_size - scheme.config.fri_config.log_blowup_factor;
    let mut sample_points =
        provers
            .components()
            .mask_points(oods_point, max_log_degree_bound, false);
    sample_points.push(vec![vec![oods_point]; 2 * SECURE_EXTENSION_DEGREE]);
    StarkProof(scheme.prove_values(sample_points, channel).proof)
}
