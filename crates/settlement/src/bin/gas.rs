//! Gas report of the settlement contracts, measured in revm (Osaka rules:
//! the EIP-7825 cap of 2^24 gas per transaction, the EIP-7623 calldata
//! floor) on the committed artifacts (`contracts/out/`). Prints a Markdown
//! section for docs/BENCHMARKS.md, and the largest statement that settles
//! in one transaction in the worst case, from which
//! `msgl_settlement::MAX_SETTLE_ENTRIES` keeps a margin.
//!
//! Usage: `cargo run --release -p msgl-settlement --bin msgl-settlement-gas`

use std::process::ExitCode;

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use msgl_circuits::poseidon2::{self, Digest};
use msgl_circuits::statement::{Entry, Statement};
use msgl_settlement::evm::{Evm, Revert, CHAIN_ID, TX_GAS_LIMIT};
use msgl_settlement::system::{OpenChannel, System};
use msgl_settlement::{settle_calldata, sign_acceptance, statement_hash, MAX_SETTLE_ENTRIES};

const DEPLOYER: Address = Address::repeat_byte(0xde);
const REGISTRAR: Address = Address::repeat_byte(0x7e);
const PAYER: Address = Address::repeat_byte(0xa1);
const PRICE: u64 = 10_000_000_000_000; // 0.00001 of an 18-decimal token
/// Units per channel: settled 0 -> 2, then 2 -> 4. Units cost no gas of
/// their own (the statement carries only counts and tips), so short chains
/// keep the set-up fast without changing a figure.
const UNITS: u64 = 4;

/// A PayWord chain: `w_n = seed`, `w_{i-1} = H(w_i)`, anchor `w_0`.
struct Channel {
    seed: Digest,
    anchor: Digest,
}

impl Channel {
    fn new(tag: u32) -> Self {
        let seed: Digest = core::array::from_fn(|i| {
            tag.wrapping_mul(2_654_435_761).wrapping_add(i as u32) % 0x7fff_fffe
        });
        Channel {
            seed,
            anchor: poseidon2::hash_n(&seed, UNITS),
        }
    }

    fn w(&self, k: u64) -> Digest {
        poseidon2::hash_n(&self.seed, UNITS - k)
    }

    fn entry(&self, old: u64, new: u64) -> Entry {
        Entry {
            channel: poseidon2::pack(&self.anchor),
            old_tip: self.w(old),
            old_count: old,
            new_preimage: self.w(new),
            new_count: new,
        }
    }
}

/// A payee key nobody else uses (`index` from 1).
fn payee_key(index: u32) -> PrivateKeySigner {
    let mut secret = [0u8; 32];
    secret[0] = 0x42;
    secret[28..].copy_from_slice(&index.to_be_bytes());
    PrivateKeySigner::from_bytes(&B256::from(secret)).expect("a valid secret")
}

struct Bench {
    chain: Evm,
    system: System,
    next_tag: u32,
    next_payee: u32,
    register_gas: u64,
    open_gas: u64,
}

impl Bench {
    fn new() -> Result<Self, Revert> {
        let mut chain = Evm::new();
        let system = System::deploy(&mut chain, DEPLOYER, "SNT", 18, REGISTRAR, 86_400)?;
        let funds = U256::from(PRICE) * U256::from(1u64 << 40);
        system.mint(&mut chain, PAYER, funds)?;
        system.approve(&mut chain, PAYER, funds)?;
        system.deposit(&mut chain, PAYER, funds)?;
        Ok(Bench {
            chain,
            system,
            next_tag: 1,
            next_payee: 1,
            register_gas: 0,
            open_gas: 0,
        })
    }

    /// A payee nobody has paid yet.
    fn fresh_payee(&mut self) -> PrivateKeySigner {
        self.next_payee += 1;
        payee_key(self.next_payee)
    }

    /// Opens a channel from PAYER per payee, each with `escrow_units` of
    /// escrow on the terms its payee signed.
    fn open(
        &mut self,
        payees: &[PrivateKeySigner],
        escrow_units: u64,
    ) -> Result<Vec<Channel>, Revert> {
        let mut channels = Vec::with_capacity(payees.len());
        for payee in payees {
            let ch = Channel::new(self.next_tag);
            self.next_tag += 1;
            let accept = self.system.accept(
                PAYER,
                &OpenChannel {
                    payee: payee.address(),
                    anchor: poseidon2::pack(&ch.anchor),
                    units: UNITS,
                    unit_price: u128::from(PRICE),
                    escrow: u128::from(PRICE) * u128::from(escrow_units),
                },
            );
            let sig = sign_acceptance(payee, CHAIN_ID, self.system.settlement.address, &accept)
                .expect("sign");
            self.open_gas = self
                .system
                .open_channel(&mut self.chain, PAYER, &accept, &sig)?
                .gas_used;
            channels.push(ch);
        }
        Ok(channels)
    }

    /// Registers and settles `old -> new` on every channel; returns the
    /// settle transaction's gas and calldata size.
    fn settle(&mut self, channels: &[Channel], old: u64, new: u64) -> Result<(u64, usize), Revert> {
        let mut entries: Vec<Entry> = channels.iter().map(|c| c.entry(old, new)).collect();
        entries.sort_by_key(|e| e.channel);
        let statement = Statement {
            domain: self.system.domain(),
            entries,
        };
        statement.validate().expect("valid statement");
        self.register_gas = self
            .system
            .register(&mut self.chain, REGISTRAR, statement_hash(&statement))?
            .gas_used;
        let calldata = settle_calldata(&statement);
        let out = self.chain.call(
            PAYEE_SENDER,
            self.system.settlement.address,
            calldata.clone(),
        )?;
        Ok((out.gas_used, calldata.len()))
    }

    /// The worst case for `n` entries: every entry a payee never paid
    /// before (its claimable balance stored from zero) and an escrow that
    /// covers one of the two units (a payment and a debt, two events).
    fn worst(&mut self, n: usize) -> Result<u64, Revert> {
        let payees: Vec<_> = (0..n).map(|_| self.fresh_payee()).collect();
        let chans = self.open(&payees, 1)?;
        Ok(self.settle(&chans, 0, 2)?.0)
    }
}

/// The largest `n` in 1..2000 for which `fits(n)` succeeds (it fails from
/// some `n` on: out of gas), by bisection; other failures are errors.
fn largest(mut fits: impl FnMut(usize) -> Result<(), Revert>) -> Result<usize, Revert> {
    let (mut lo, mut hi) = (1usize, 2_000usize);
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        match fits(mid) {
            Ok(()) => lo = mid,
            Err(e) if e.out_of_gas() => hi = mid,
            Err(e) => return Err(ctx(e, "largest", mid)),
        }
    }
    Ok(lo)
}

/// Who sends the settle transactions (anyone may).
const PAYEE_SENDER: Address = Address::repeat_byte(0xb0);

/// `e`, saying which measurement failed.
fn ctx(mut e: Revert, what: &str, n: usize) -> Revert {
    e.reason = format!("settle {what}, {n} entries: {}", e.reason);
    e
}

fn run() -> Result<String, Revert> {
    let mut b = Bench::new()?;
    let mut md = String::new();
    let s = b.system;
    md.push_str("## Settlement gas\n\n");
    md.push_str(
        "Measured by `cargo run --release -p msgl-settlement --bin msgl-settlement-gas`: \
         revm 43 with Osaka rules (`SpecId::OSAKA`: EIP-7825 caps a transaction at \
         2^24 = 16,777,216 gas; EIP-7623's calldata floor applies) running the committed \
         `contracts/out/` artifacts (solc 0.8.37, optimizer 1500 runs, EVM version prague). \
         Gas is the transaction's receipt gas: 21,000 intrinsic and calldata included, \
         refunds subtracted. Unit price 0.00001 of an 18-decimal token. `settle` moves \
         no tokens: it credits each payee's claimable balance (taken with `claim`).\n\n",
    );
    md.push_str("| deployment | gas |\n|---|---:|\n");
    md.push_str(&format!("| TestToken | {} |\n", s.token.gas_used));
    md.push_str(&format!(
        "| FactRegistry (trusted stand-in verifier) | {} |\n",
        s.registry.gas_used
    ));
    md.push_str(&format!(
        "| MsglSettlement | {} |\n\n",
        s.settlement.gas_used
    ));

    // One payee (the prover's own channels: the usual batch).
    let me = b.fresh_payee();
    b.open(std::slice::from_ref(&me), 100)?;
    md.push_str(&format!(
        "openChannel (the payee's EIP-712 acceptance recovered with ecrecover, escrow \
         moved from the free deposit): **{}** gas.\n\n",
        b.open_gas
    ));
    md.push_str(
        "| settle | calldata bytes | first settlement | gas per entry | later settlement | gas per entry |\n\
         |---|---:|---:|---:|---:|---:|\n",
    );
    for n in [1usize, 10, 100, 500] {
        let payees = vec![me.clone(); n];
        let chans = b.open(&payees, 100)?;
        let (first, bytes) = b.settle(&chans, 0, 2).map_err(|e| ctx(e, "first", n))?;
        let (later, _) = b.settle(&chans, 2, 4).map_err(|e| ctx(e, "later", n))?;
        let what = if n == 1 { "entry" } else { "entries" };
        md.push_str(&format!(
            "| {n} {what}, one payee | {bytes} | {first} | {} | {later} | {} |\n",
            first / n as u64,
            later / n as u64
        ));
    }
    for n in [100usize, 500] {
        let payees: Vec<_> = (0..n).map(|_| b.fresh_payee()).collect();
        let chans = b.open(&payees, 100)?;
        md.push_str(&match b.settle(&chans, 0, 2) {
            Ok((first, bytes)) => format!(
                "| {n} entries, {n} payees never paid before | {bytes} | {first} | {} | | |\n",
                first / n as u64
            ),
            Err(e) if e.out_of_gas() => format!(
                "| {n} entries, {n} payees never paid before | | over 2^24: does not fit one transaction | | | |\n"
            ),
            Err(e) => return Err(ctx(e, "new payees", n)),
        });
    }
    let worst100 = b.worst(100).map_err(|e| ctx(e, "worst", 100))?;
    md.push_str(&format!(
        "| 100 entries, worst case (new payees, every escrow short) | | {worst100} | {} | | |\n\n",
        worst100 / 100
    ));

    // The largest statements that fit one transaction: the usual one (one
    // payee, paid before, escrows that cover) and the worst case.
    let usual = largest(|n| {
        let payees = vec![me.clone(); n];
        let chans = b.open(&payees, 100)?;
        b.settle(&chans, 0, 2).map(|_| ())
    })?;
    let lo = largest(|n| b.worst(n).map(|_| ()))?;
    md.push_str(&format!(
        "Largest statement that settles in one transaction (2^24 gas) for one payee \
         already paid, escrows covering: **{usual} entries**.\n\n"
    ));
    let at_max = b
        .worst(MAX_SETTLE_ENTRIES)
        .map_err(|e| ctx(e, "worst", MAX_SETTLE_ENTRIES))?;
    md.push_str(&format!(
        "Largest statement that settles in one transaction (2^24 gas) in the worst \
         case (every entry a payee never paid before and an escrow that falls short): \
         **{lo} entries** ({} fail). `msgl prove` splits a batch into statements of at \
         most `MAX_SETTLE_ENTRIES` = **{MAX_SETTLE_ENTRIES}** entries, whose worst case \
         takes {at_max} gas ({:.0} % of the cap; the usual one-payee statement takes far \
         less).\n\n",
        lo + 1,
        100.0 * at_max as f64 / TX_GAS_LIMIT as f64
    ));
    // The other calls, once each.
    let mut others = Vec::new();
    let chan = b.open(std::slice::from_ref(&me), 10)?.remove(0);
    let id = poseidon2::pack(&chan.anchor);
    let amount = U256::from(PRICE);
    b.system.mint(&mut b.chain, PAYER, amount)?;
    b.system.approve(&mut b.chain, PAYER, amount)?;
    others.push((
        "deposit (transferFrom, balance before and after)",
        b.system.deposit(&mut b.chain, PAYER, amount)?.gas_used,
    ));
    others.push((
        "withdraw (free deposit, at once)",
        b.system.withdraw(&mut b.chain, PAYER, amount)?.gas_used,
    ));
    others.push((
        "topUp",
        b.system.top_up(&mut b.chain, PAYER, id, amount)?.gas_used,
    ));
    others.push((
        "requestExit",
        b.system.request_exit(&mut b.chain, PAYER, id)?.gas_used,
    ));
    b.chain.advance_time(86_400);
    others.push((
        "releaseEscrow",
        b.system.release_escrow(&mut b.chain, PAYER, id)?.gas_used,
    ));
    others.push((
        "claim (one transfer)",
        b.system
            .claim(&mut b.chain, me.address(), me.address())?
            .gas_used,
    ));
    md.push_str("| other calls | gas |\n|---|---:|\n");
    for (what, gas) in others {
        md.push_str(&format!("| {what} | {gas} |\n"));
    }
    md.push('\n');
    md.push_str(&format!(
        "Per entry the contract reads four storage slots of the channel (payee, tip, \
         count with length and price, escrow with debt), writes three of them and the \
         payee's claimable balance, and logs `Settled` (and `Shortfall` when the escrow \
         falls short). The trusted stand-in registry registers a fact in a separate \
         transaction: {} gas.\n",
        b.register_gas
    ));
    Ok(md)
}

fn main() -> ExitCode {
    match run() {
        Ok(md) => {
            print!("{md}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("msgl-settlement-gas: {e}");
            ExitCode::FAILURE
        }
    }
}
