//! Shared set-up for the settlement tests: a chain with the committed
//! contracts, named parties with real secp256k1 keys (a payee signs the
//! terms it accepts), and PayWord channels built with the real Poseidon2 of
//! `msgl-circuits`.

#![allow(dead_code)]

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::statement::{Domain, Entry, Statement};
use msgl_settlement::evm::{Evm, Outcome, Revert, CHAIN_ID};
use msgl_settlement::system::{OpenChannel, System};
use msgl_settlement::{statement_hash, Accept};

pub const DEPLOYER: Address = Address::repeat_byte(0xde);
/// The fact registry's registrar (the trusted stand-in verifier).
pub const VERIFIER: Address = Address::repeat_byte(0x7e);
pub const ANYONE: Address = Address::repeat_byte(0x55);

/// A party's secp256k1 key: the secret is 32 bytes of `tag`.
pub fn key(tag: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(tag)).expect("a valid secret")
}

pub fn alice() -> Address {
    key(0xa1).address()
}
pub fn bob() -> Address {
    key(0xb0).address()
}
pub fn carol() -> Address {
    key(0xca).address()
}
pub fn dave() -> Address {
    key(0xda).address()
}

/// The key of a named party's address.
pub fn key_of(who: Address) -> PrivateKeySigner {
    [0xa1, 0xb0, 0xca, 0xda]
        .into_iter()
        .map(key)
        .find(|k| k.address() == who)
        .expect("a named party")
}

/// One withdrawal delay: a day.
pub const DELAY: u64 = 86_400;
/// 0.00001 of an 18-decimal token.
pub const PRICE: u64 = 10_000_000_000_000;

pub fn u(x: u64) -> U256 {
    U256::from(x)
}

/// `x` units at [`PRICE`], as the contract's uint128.
pub fn p(x: u64) -> u128 {
    u128::from(x) * u128::from(PRICE)
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

/// A chain with token, registry (registrar [`VERIFIER`]) and settlement.
pub fn setup() -> (Evm, System) {
    let mut chain = Evm::new();
    let system = System::deploy(&mut chain, DEPLOYER, "SNT", 18, VERIFIER, DELAY).expect("deploy");
    assert_eq!(system.domain(), domain());
    (chain, system)
}

/// Mints `amount` to `payer`, approves and deposits it all.
pub fn fund(chain: &mut Evm, system: &System, payer: Address, amount: U256) {
    system.mint(chain, payer, amount).expect("mint");
    system.approve(chain, payer, amount).expect("approve");
    system.deposit(chain, payer, amount).expect("deposit");
}

/// The payee's 65-byte signature (r, s, v = 27/28) of `accept` for `system`.
pub fn sign(system: &System, accept: &Accept) -> Vec<u8> {
    msgl_settlement::sign_acceptance(
        &key_of(accept.payee),
        CHAIN_ID,
        system.settlement.address,
        accept,
    )
    .expect("sign")
    .to_vec()
}

/// `payer` opens `pw` to `payee` with `escrow` (token base units) on the
/// terms the payee signed.
pub fn try_open(
    chain: &mut Evm,
    system: &System,
    payer: Address,
    payee: Address,
    pw: &PayWord,
    escrow: u128,
) -> Result<Outcome, Revert> {
    let accept = system.accept(
        payer,
        &OpenChannel {
            payee,
            anchor: pw.id(),
            units: pw.n,
            unit_price: u128::from(PRICE),
            escrow,
        },
    );
    let sig = sign(system, &accept);
    system.open_channel(chain, payer, &accept, &sig)
}

/// As [`try_open`], which must succeed.
pub fn open(
    chain: &mut Evm,
    system: &System,
    payer: Address,
    payee: Address,
    pw: &PayWord,
    escrow: u128,
) {
    try_open(chain, system, payer, payee, pw, escrow).expect("openChannel");
}

/// Registers `s`'s fact (as the registrar) and settles it as `from`.
pub fn prove_and_settle(
    chain: &mut Evm,
    system: &System,
    from: Address,
    s: &Statement,
) -> Result<Outcome, Revert> {
    system
        .register(chain, VERIFIER, statement_hash(s))
        .expect("registerFact");
    system.settle(chain, from, s)
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

    /// The channel id: the packed anchor (DESIGN §5.1).
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

/// A statement from entries for [`setup`]'s deployment, sorted by channel
/// and checked as DESIGN §8.1 says (including the hash chains, which is what the
/// proof attests).
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

/// The decoded custom error `E` of a call that must revert with it.
pub fn expect_revert<E: alloy_sol_types::SolError + std::fmt::Debug>(
    result: Result<Outcome, Revert>,
) -> E {
    match result {
        Ok(out) => panic!("expected {} but the call succeeded: {out:?}", E::SIGNATURE),
        Err(revert) => revert
            .decode::<E>()
            .unwrap_or_else(|| panic!("expected {}, got {}", E::SIGNATURE, revert.reason)),
    }
}
