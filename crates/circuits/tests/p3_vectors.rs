//! Our native Poseidon2 against Plonky3's `default_mersenne31_poseidon2_16`.

use msgl_circuits::poseidon2::{self, P};
use p3_field::PrimeField32;
use p3_mersenne_31::{default_mersenne31_poseidon2_16, Mersenne31};
use p3_symmetric::Permutation;

fn p3_permute(input: [u32; 16]) -> [u32; 16] {
    let perm = default_mersenne31_poseidon2_16();
    let mut s: [Mersenne31; 16] = input.map(Mersenne31::new);
    perm.permute_mut(&mut s);
    s.map(|x| x.as_canonical_u32())
}

/// Deterministic inputs without an RNG dependency (SplitMix64).
fn splitmix(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn matches_plonky3_published_vector() {
    // Plonky3's own test vector for default_mersenne31_poseidon2_16 (0..16).
    let mut s: [u32; 16] = core::array::from_fn(|i| i as u32);
    poseidon2::permute(&mut s);
    let expected = [
        0x0b2c803a, 0x5b1ee4d1, 0x49c6b1e3, 0x2cdc280c, 0x310a60c8, 0x530a729e, 0x4e61bcb4,
        0x2e84d3c3, 0x58709c08, 0x7e82ac42, 0x2162bcef, 0x6d153ab6, 0x742cf0e3, 0x2f21632d,
        0x61adce1e, 0x1973d6f1,
    ];
    assert_eq!(s, expected);
    assert_eq!(p3_permute(core::array::from_fn(|i| i as u32)), expected);
}

#[test]
fn matches_plonky3_on_fixed_inputs() {
    let mut inputs: Vec<[u32; 16]> = vec![[0; 16], [P - 1; 16], {
        let mut a = [0; 16];
        a[0] = 1;
        a
    }];
    let mut seed = 0x6d73_676c_u64;
    for _ in 0..200 {
        inputs.push(core::array::from_fn(|_| {
            (splitmix(&mut seed) % P as u64) as u32
        }));
    }
    for input in inputs {
        let mut ours = input;
        poseidon2::permute(&mut ours);
        assert_eq!(ours, p3_permute(input), "input {input:?}");
    }
}

#[test]
fn hash_is_first_half_of_permutation_of_zero_padded_input() {
    let w = [11, 22, 33, 44, 55, 66, 77, P - 1];
    let mut full = [0u32; 16];
    full[..8].copy_from_slice(&w);
    let out = p3_permute(full);
    assert_eq!(poseidon2::hash(&w)[..], out[..8]);
    let twice = {
        let mut f2 = [0u32; 16];
        f2[..8].copy_from_slice(&out[..8]);
        p3_permute(f2)
    };
    assert_eq!(poseidon2::hash_n(&w, 2)[..], twice[..8]);
}
