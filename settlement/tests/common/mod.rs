//! Shared set-up for the settlement tests: a chain with the three committed
//! contracts, named accounts, and PayWord channels built with the real
//! Poseidon2 of `msgl-circuits`.

#![allow(dead_code)]

use alloy_primitives::{Address, U256};
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::statement::{Domain, Entry, Statement};
use msgl_settlement::evm::{Chain, CHAIN_ID};
use msgl_settlement::system::System;

pub const DEPLOYER: Address = Address::repeat_byte(0xde);
pub const VERIFIER: Address = Address::repeat_byte(0x7e);
pub const ALICE: Address = Address::repeat_byte(0xa1);
pub const BOB: Address = Address::repeat_byte(0xb0);
pub const CAROL: Address = Address::repeat_byte(0xca);
pub const DAVE: Address = Address::repeat_byte(0xda);
pub const ANYONE: Address = Address::repeat_byte(0x55);

/// One withdrawal delay: a day.
pub const DELAY: u64 = 86_400;
/// 0.00001 of an 18-decimal token.
pub const PRICE: u64 = 10_000_000_000_000;

pub fn u(x: u64) -> U256 {
    U256::from(x)
}

/// The domain of [`setup`]'s deployment: the chain's id, and the
/// addresses [`DEPLOYER`]'s first and third transactions create.
pub fn domain() -> Domain {
    Domain {
        chain_id: CHAIN_ID,
        settlement: DEPLOYER.create(2).into_array(),
        token: DEPLOYER.create(0).into_array(),
    }
}

/// A chain with token, registry (verifier [`VERIFIER`]) and settlement.
pub fn setup() -> (Chain, System) {
    let mut chain = Chain::new();
    let system = System::deploy(&mut chain, DEPLOYER, "SNT", 18, VERIFIER, DELAY).expect("deploy");
    assert_eq!(system.domain(), domain());
    (chain, system)
}

/// Mints `amount` to `payer`, approves and deposits it all.
pub fn fund(chain: &mut Chain, system: &System, payer: Address, amount: U256) {
    system.mint(chain, payer, amount).expect("mint");
    system.approve(chain, payer, amount).expect("approve");
    system.deposit(chain, payer, amount).expect("deposit");
}

/// A PayWord chain of length `n` from a seed: `w_n = seed`,
/// `w_{i-1} = H(w_i)`, anchor `w_0 = H^n(seed)`.
#[derive(Clone, Copy, Debug)]
pub struct PayWord {
    pub seed: Digest,
    pub n: u64,
}

impl PayWord {
    pub fn new(tag: u32, n: u64) -> Self {
        // Canonical M31 elements (< 2^31 - 1).
        let seed = core::array::from_fn(|i| {
            tag.wrapping_mul(2_654_435_761).wrapping_add(i as u32) % 0x7fff_fffe
        });
        PayWord { seed, n }
    }

    /// `w_k`: the preimage that authorizes `k` cumulative units.
    pub fn w(&self, k: u64) -> Digest {
        assert!(k <= self.n);
        poseidon2::hash_n(&self.seed, self.n - k)
    }

    pub fn anchor(&self) -> Digest {
        self.w(0)
    }

    /// The channel id: the packed anchor (D1).
    pub fn id(&self) -> [u8; 32] {
        poseidon2::pack(&self.anchor())
    }

    /// The statement entry moving the channel from `old` to `new` units.
    pub fn entry(&self, old: u64, new: u64) -> Entry {
        Entry {
            channel: self.id(),
            old_tip: self.w(old),
            old_count: old,
            new_preimage: self.w(new),
            new_count: new,
        }
    }
}

/// A statement from entries, sorted by channel and checked as D2 says
/// (including the hash chains, which is what the proof attests).
pub fn statement(entries: Vec<Entry>) -> Statement {
    statement_for(domain(), entries)
}

/// As [`statement`], for the deployment `domain`.
pub fn statement_for(domain: Domain, mut entries: Vec<Entry>) -> Statement {
    entries.sort_by_key(|e| e.channel);
    let s = Statement { domain, entries };
    s.validate().expect("valid statement");
    s.check_chains().expect("hash chains hold");
    s
}
