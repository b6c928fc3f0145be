//! Poseidon2 over Mersenne-31 and the Stwo AIR for msgl's batch statements.

pub mod poseidon2;
