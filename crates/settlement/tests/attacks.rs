//! Every finding of issue 13 against the settlement contract, played as the
//! attack (each one succeeded against the v1 contract) and shown to fail:
//! one test per finding, named after it.

use crate::common;

use alloy_primitives::{Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use common::*;
use msgl_settlement::evm::{Evm, CHAIN_ID, TX_GAS_LIMIT};
use msgl_settlement::system::{OpenChannel, Status, System};
use msgl_settlement::{
    sign_acceptance, statement_hash, MsglSettlement, QuirkyToken, MAX_SETTLE_ENTRIES,
};

const STALE_TIP: u8 = 2;

/// Critical: a payer armed `requestEscrowRelease` + `requestWithdraw`
/// before any message, waited out the delay and later released and
/// withdrew in the block of the payee's settle: the payee was paid 0 and the
/// count still advanced, so the claim was gone on chain; msgl could not see
/// the armed exit before serving.
#[test]
fn armed_exits_cannot_take_back_earned_escrow() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(100, 1_000);
    open(&mut chain, &system, alice, bob, &pw, p(100));

    // Armed before any message: visible at once, the channel is closed to
    // service (a payee serves only while the status is Open).
    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    assert_eq!(system.status(&mut chain, pw.id()).unwrap(), Status::Exiting);
    // Waiting it out "for later" does not keep it armed: unexecuted, it
    // lapses, and the channel is open again.
    chain.advance_time(DELAY + 7 * 86_400);
    assert_eq!(system.status(&mut chain, pw.id()).unwrap(), Status::Open);
    expect_revert::<MsglSettlement::ExitLapsed>(system.release_escrow(&mut chain, alice, pw.id()));

    // Bob serves 60 units while the channel is open; then Alice asks to
    // exit again and tries to take the escrow back in the block where Bob
    // settles: she cannot before the delay, which Bob uses.
    let acked = pw.entry(0, 60);
    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    chain.advance_time(DELAY - 1);
    expect_revert::<MsglSettlement::ExitNotReady>(system.release_escrow(
        &mut chain,
        alice,
        pw.id(),
    ));
    prove_and_settle(&mut chain, &system, bob, &statement(vec![acked])).unwrap();
    chain.advance_time(1);
    system.release_escrow(&mut chain, alice, pw.id()).unwrap();
    // Bob was paid every unit acked before the request; Alice got the rest.
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(60 * PRICE));
    assert_eq!(system.deposit_of(&mut chain, alice).unwrap(), u(40 * PRICE));
    system.claim(&mut chain, bob, bob).unwrap();
    assert_eq!(system.balance(&mut chain, bob).unwrap(), u(60 * PRICE));

    // And a claim the escrow cannot cover is never erased: it stays owed.
    let short = PayWord::new(101, 1_000);
    open(&mut chain, &system, alice, bob, &short, p(10));
    let out = prove_and_settle(
        &mut chain,
        &system,
        bob,
        &statement(vec![short.entry(0, 25)]),
    )
    .unwrap();
    assert_eq!(
        out.events::<MsglSettlement::Shortfall>()[0].debt,
        u(15 * PRICE)
    );
    system.request_exit(&mut chain, alice, short.id()).unwrap();
    chain.advance_time(DELAY);
    system
        .release_escrow(&mut chain, alice, short.id())
        .unwrap();
    assert_eq!(system.channel(&mut chain, short.id()).unwrap().debt, p(15));
}

/// Critical, continued: with the escrow about to be released, the payer
/// (or anyone it pays) front-runs each of the payee's settlements with a
/// one-unit settlement proven in advance, so the payee's statement is
/// always stale until the window closes. While an exit is pending only the
/// payee's own transaction moves the channel.
#[test]
fn a_payer_cannot_keep_the_payees_statement_stale_through_its_exit() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(105, 1_000);
    open(&mut chain, &system, alice, bob, &pw, p(100));
    let bobs = statement(vec![pw.entry(0, 60)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&bobs))
        .unwrap();
    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    // Alice's one-unit statements, proven in advance, sent first: skipped,
    // by her and by anyone else.
    for from in [alice, ANYONE] {
        let out =
            prove_and_settle(&mut chain, &system, from, &statement(vec![pw.entry(0, 1)])).unwrap();
        assert_eq!(out.events::<MsglSettlement::EntrySkipped>()[0].reason, 5);
        assert_eq!(system.channel(&mut chain, pw.id()).unwrap().count, 0);
    }
    // Bob's own settlement goes through: every unit.
    let out = system.settle(&mut chain, bob, &bobs).unwrap();
    assert!(out.events::<MsglSettlement::EntrySkipped>().is_empty());
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(60 * PRICE));
    // Outside an exit anyone may settle again (a lapsed request included).
    chain.advance_time(DELAY + 7 * 86_400);
    prove_and_settle(
        &mut chain,
        &system,
        ANYONE,
        &statement(vec![pw.entry(60, 61)]),
    )
    .unwrap();
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().count, 61);
}

/// High: the on-chain terms were not the signed open: a payer opened the
/// payee's anchor with `payee` = its own second address, or a 1-wei price,
/// and the payee's settlement paid the payer, or dust.
#[test]
fn on_chain_terms_are_only_those_the_payee_signed() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    let alice2 = dave(); // Alice's second address
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(110, 1_000);
    let terms = OpenChannel {
        payee: bob,
        anchor: pw.id(),
        units: pw.n,
        unit_price: u128::from(PRICE),
        escrow: p(50),
    };
    let accepted = system.accept(alice, &terms);
    let bobs_signature = sign(&system, &accepted);

    // Bob's signature with any term changed: refused.
    let mut variants = Vec::new();
    let mut v = accepted.clone();
    v.payee = alice2;
    variants.push(("payee", v));
    let mut v = accepted.clone();
    v.unitPrice = 1;
    variants.push(("unit price", v));
    let mut v = accepted.clone();
    v.units += 1;
    variants.push(("units", v));
    let mut v = accepted.clone();
    v.escrow -= 1;
    variants.push(("escrow", v));
    let mut v = accepted.clone();
    v.channel = B256::from(PayWord::new(111, 5).id());
    variants.push(("channel", v));
    for (what, v) in variants {
        let r = system.open_channel(&mut chain, alice, &v, &bobs_signature);
        assert!(
            r.as_ref()
                .is_err_and(|e| e.is::<MsglSettlement::NotAcceptedByPayee>()),
            "{what} changed: {r:?}"
        );
    }
    // Sent by another payer: the payer is part of the signed terms.
    let r = system.open_channel(&mut chain, carol(), &accepted, &bobs_signature);
    assert!(r.is_err_and(|e| e.is::<MsglSettlement::NotAcceptedByPayee>()));

    // The exact terms open, and settle to Bob at the signed price.
    system
        .open_channel(&mut chain, alice, &accepted, &bobs_signature)
        .unwrap();
    let c = system.channel(&mut chain, pw.id()).unwrap();
    assert_eq!(
        (c.payer, c.payee, c.unit_price, c.units, c.escrow),
        (alice, bob, u128::from(PRICE), pw.n, p(50))
    );
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(0, 30)])).unwrap();
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(30 * PRICE));
    assert_eq!(system.claimable(&mut chain, alice2).unwrap(), U256::ZERO);

    // A channel whose payee is Bob exists only with Bob's signature: Alice
    // signing for her second address makes a channel that is visibly not
    // Bob's (its payee is on chain), and Bob's acceptance cannot be bent to it.
    let other = PayWord::new(112, 1_000);
    let mut sybil = system.accept(
        alice,
        &OpenChannel {
            anchor: other.id(),
            ..terms
        },
    );
    let bob_for_other = sign(&system, &sybil);
    sybil.payee = alice2;
    let e: MsglSettlement::NotAcceptedByPayee =
        expect_revert(system.open_channel(&mut chain, alice, &sybil, &bob_for_other));
    assert_eq!(e.payee, alice2);
    assert_ne!(e.signer, alice2);
}

/// High: the epoch was mixed into the transcript but not constrained; a
/// payer proved a 1-unit statement with epoch u64::MAX and every later
/// statement reverted `EpochTooOld`. Statement v2 has no epoch: a channel
/// moves along its own chain, and nobody's settlement can wedge another's.
#[test]
fn an_unauthenticated_epoch_can_no_longer_wedge_a_channel() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(120, 1_000);
    open(&mut chain, &system, alice, bob, &pw, p(100));
    // The payer settles one unit first (with the preimage of its first ack).
    prove_and_settle(&mut chain, &system, alice, &statement(vec![pw.entry(0, 1)])).unwrap();
    // The payee's statement from the new tip settles; nothing else is compared.
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(1, 40)])).unwrap();
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(40 * PRICE));
    // The entry has exactly the five fields of DESIGN §8.1.
    assert_eq!(
        <MsglSettlement::Entry as alloy_sol_types::SolType>::SOL_NAME,
        "Entry"
    );
    let words = msgl_settlement::settle_calldata(&statement(vec![pw.entry(40, 41)])).len();
    assert_eq!(words, 4 + 32 + 32 + 5 * 32);
}

/// Medium: the delay was bypassable: a zero-escrow channel to the payer's
/// own second address, settled at once, emptied the shared deposit without
/// any delay. Deposits now back channels only through escrow.
#[test]
fn a_channel_to_the_payers_own_second_address_cannot_drain_what_backs_the_payee() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    let alice2 = dave();
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let honest = PayWord::new(130, 1_000);
    let sybil = PayWord::new(131, 1_000);
    open(&mut chain, &system, alice, bob, &honest, p(30));
    open(&mut chain, &system, alice, alice2, &sybil, 0);
    // Alice settles 70 units to herself at once: her zero escrow pays nothing.
    let out = prove_and_settle(
        &mut chain,
        &system,
        alice2,
        &statement(vec![sybil.entry(0, 70)]),
    )
    .unwrap();
    assert_eq!(out.events::<MsglSettlement::Settled>()[0].paid, U256::ZERO);
    assert_eq!(system.claimable(&mut chain, alice2).unwrap(), U256::ZERO);
    // Bob's escrow is whole, and pays him in full.
    assert_eq!(
        system.channel(&mut chain, honest.id()).unwrap().escrow,
        p(30)
    );
    prove_and_settle(
        &mut chain,
        &system,
        bob,
        &statement(vec![honest.entry(0, 30)]),
    )
    .unwrap();
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(30 * PRICE));
    // The free deposit backs nobody: she takes it back at once, harming no one.
    system.withdraw(&mut chain, alice, u(70 * PRICE)).unwrap();
    assert_eq!(
        system
            .balance(&mut chain, system.settlement.address)
            .unwrap(),
        u(30 * PRICE)
    );
}

/// Medium: one stale entry reverted a whole batch: a payer front-ran a
/// payee's 100-entry batch with a 1-unit settlement of one channel and
/// `StaleTip` reverted everything, repeatably.
#[test]
fn one_stale_entry_does_not_revert_the_batch() {
    let (mut chain, system) = setup();
    let (alice, bob, carol) = (alice(), bob(), carol());
    fund(&mut chain, &system, alice, u(10_000 * PRICE));
    fund(&mut chain, &system, carol, u(10_000 * PRICE));
    let chans: Vec<PayWord> = (0..100).map(|i| PayWord::new(1_000 + i, 50)).collect();
    for (i, pw) in chans.iter().enumerate() {
        let payer = if i % 2 == 0 { alice } else { carol };
        open(&mut chain, &system, payer, bob, pw, p(50));
    }
    let batch = statement(chans.iter().map(|c| c.entry(0, 20)).collect());
    system
        .register(&mut chain, VERIFIER, statement_hash(&batch))
        .unwrap();
    // Alice front-runs with one unit of one of her channels.
    let victim = &chans[42];
    prove_and_settle(
        &mut chain,
        &system,
        alice,
        &statement(vec![victim.entry(0, 1)]),
    )
    .unwrap();
    let out = system
        .settle(&mut chain, bob, &batch)
        .expect("the batch settles");
    let skipped = out.events::<MsglSettlement::EntrySkipped>();
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].channel, skipped[0].reason),
        (B256::from(victim.id()), STALE_TIP)
    );
    assert_eq!(out.events::<MsglSettlement::Settled>().len(), 99);
    // Bob was credited the 99 entries, plus the unit Alice settled for him.
    assert_eq!(
        system.claimable(&mut chain, bob).unwrap(),
        u((99 * 20 + 1) * PRICE)
    );
    // The skipped channel settles from its new tip.
    prove_and_settle(
        &mut chain,
        &system,
        bob,
        &statement(vec![victim.entry(1, 20)]),
    )
    .unwrap();
    assert_eq!(
        system.claimable(&mut chain, bob).unwrap(),
        u(100 * 20 * PRICE)
    );
}

/// Medium: facts were not domain-separated (`keccak256(abi.encode(entries))`
/// named no chain, contract or token): one fact settled on two deployments,
/// 100 units paid for 50.
#[test]
fn a_fact_for_one_deployment_never_settles_another() {
    let (mut chain, a) = setup();
    // A second settlement contract on the same token and registry.
    let b_settlement = chain
        .deploy_contract(
            DEPLOYER,
            &MsglSettlement::BYTECODE,
            &MsglSettlement::constructorCall {
                token_: a.token.address,
                verifier_: a.registry.address,
                withdrawDelay_: DELAY,
            },
        )
        .unwrap();
    let b = System {
        settlement: b_settlement,
        ..a
    };
    let (alice, bob) = (alice(), bob());
    a.mint(&mut chain, alice, u(200 * PRICE)).unwrap();
    for s in [&a, &b] {
        s.approve(&mut chain, alice, u(100 * PRICE)).unwrap();
        s.deposit(&mut chain, alice, u(100 * PRICE)).unwrap();
    }
    // The same anchor on both deployments (Bob accepted both).
    let pw = PayWord::new(140, 1_000);
    open(&mut chain, &a, alice, bob, &pw, p(100));
    open(&mut chain, &b, alice, bob, &pw, p(100));

    // Bob proves 50 units for deployment A and settles them there.
    let for_a = statement_for(a.domain(), vec![pw.entry(0, 50)]);
    prove_and_settle(&mut chain, &a, bob, &for_a).unwrap();
    // The same entries sent to B: B's fact names B, so it is not proven.
    let e: MsglSettlement::StatementNotProven = expect_revert(b.settle(&mut chain, bob, &for_a));
    let for_b = statement_for(b.domain(), vec![pw.entry(0, 50)]);
    assert_eq!(e.fact, B256::from(statement_hash(&for_b)));
    assert_ne!(statement_hash(&for_a), statement_hash(&for_b));
    // Another chain id or token: not proven here either.
    for other in [
        msgl_circuits::statement::Domain {
            chain_id: CHAIN_ID + 1,
            ..a.domain()
        },
        msgl_circuits::statement::Domain {
            token: [0x70; 20],
            ..a.domain()
        },
    ] {
        let s = statement_for(other, vec![pw.entry(50, 60)]);
        expect_revert::<MsglSettlement::StatementNotProven>(prove_and_settle(
            &mut chain, &a, bob, &s,
        ));
    }
    assert_eq!(a.claimable(&mut chain, bob).unwrap(), u(50 * PRICE));
    assert_eq!(b.claimable(&mut chain, bob).unwrap(), U256::ZERO);
}

/// Low: `withdrawDelay` was unbounded: 0 gave payees no window, u64::MAX
/// overflowed the ready time and locked every deposit.
#[test]
fn the_withdraw_delay_is_bounded_so_exits_neither_skip_the_window_nor_lock_funds() {
    let mut chain = Evm::new();
    let token = chain
        .deploy_contract(
            DEPLOYER,
            &msgl_settlement::TestToken::BYTECODE,
            &msgl_settlement::TestToken::constructorCall {
                name_: "t".into(),
                symbol_: "T".into(),
                decimals_: 18,
            },
        )
        .unwrap();
    for bad in [0, 3_599, 30 * 86_400 + 1, u64::MAX] {
        let err = System::deploy_on(&mut chain, DEPLOYER, token, VERIFIER, bad).unwrap_err();
        let e = err
            .decode::<MsglSettlement::WithdrawDelayOutOfRange>()
            .unwrap_or_else(|| panic!("{bad}: {}", err.reason));
        assert_eq!((e.delay, e.min, e.max), (bad, 3_600, 30 * 86_400));
    }
    // At the maximum, an exit still matures and executes.
    let system = System::deploy_on(&mut chain, DEPLOYER, token, VERIFIER, 30 * 86_400).unwrap();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(10 * PRICE));
    let pw = PayWord::new(150, 10);
    open(&mut chain, &system, alice, bob, &pw, p(10));
    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    chain.advance_time(30 * 86_400);
    system.release_escrow(&mut chain, alice, pw.id()).unwrap();
    system.withdraw(&mut chain, alice, u(10 * PRICE)).unwrap();
    assert_eq!(system.balance(&mut chain, alice).unwrap(), u(10 * PRICE));
}

/// A [`System`] on a [`QuirkyToken`] with `fee_bps` basis points of fee.
fn quirky(chain: &mut Evm, fee_bps: u16) -> System {
    let token = chain
        .deploy_contract(
            DEPLOYER,
            &QuirkyToken::BYTECODE,
            &QuirkyToken::constructorCall {
                name_: "quirky".into(),
                symbol_: "QRK".into(),
                decimals_: 18,
                feeBasisPoints_: fee_bps,
            },
        )
        .unwrap();
    System::deploy_on(chain, DEPLOYER, token, VERIFIER, DELAY).unwrap()
}

/// Low: `deposit` credited `amount`, not what arrived: with a
/// fee-on-transfer token the contract promised more than it held.
#[test]
fn deposits_credit_what_arrived_so_a_fee_on_transfer_token_cannot_make_it_insolvent() {
    let mut chain = Evm::new();
    let system = quirky(&mut chain, 100); // 1 %
    let (alice, bob) = (alice(), bob());
    system.mint(&mut chain, alice, u(1_000 * PRICE)).unwrap();
    system.approve(&mut chain, alice, u(1_000 * PRICE)).unwrap();
    let out = system.deposit(&mut chain, alice, u(1_000 * PRICE)).unwrap();
    let d = out.events::<MsglSettlement::Deposited>();
    assert_eq!(
        (d[0].received, d[0].deposit),
        (u(990 * PRICE), u(990 * PRICE))
    );
    let held = system
        .balance(&mut chain, system.settlement.address)
        .unwrap();
    assert_eq!(held, u(990 * PRICE));
    // Everything credited is there: the escrow pays Bob in full, Bob and
    // Alice take all of it out, and the contract ends with nothing owed.
    let pw = PayWord::new(160, 1_000);
    let s = system;
    open(&mut chain, &s, alice, bob, &pw, p(990));
    prove_and_settle(
        &mut chain,
        &s,
        bob,
        &statement_for(s.domain(), vec![pw.entry(0, 600)]),
    )
    .unwrap();
    s.claim(&mut chain, bob, bob).unwrap();
    s.request_exit(&mut chain, alice, pw.id()).unwrap();
    chain.advance_time(DELAY);
    s.release_escrow(&mut chain, alice, pw.id()).unwrap();
    s.withdraw(&mut chain, alice, u(390 * PRICE)).unwrap();
    assert_eq!(
        s.balance(&mut chain, s.settlement.address).unwrap(),
        U256::ZERO
    );
    // The recipients bore the token's own fee on the way out.
    assert_eq!(s.balance(&mut chain, bob).unwrap(), u(594 * PRICE));
}

/// Low: a blocklisted payee reverted a multi-payee batch (the contract
/// paid payees inside `settle`). Payments are now pulled by each payee.
#[test]
fn a_blocklisted_payee_does_not_block_the_others() {
    let mut chain = Evm::new();
    let s = quirky(&mut chain, 0);
    let (alice, bob, carol) = (alice(), bob(), carol());
    fund(&mut chain, &s, alice, u(100 * PRICE));
    let to_bob = PayWord::new(170, 100);
    let to_carol = PayWord::new(171, 100);
    open(&mut chain, &s, alice, bob, &to_bob, p(50));
    open(&mut chain, &s, alice, carol, &to_carol, p(50));
    chain
        .send(
            ANYONE,
            s.token.address,
            &QuirkyToken::setBlockedCall {
                account: carol,
                isBlocked: true,
            },
        )
        .unwrap();
    let batch = statement_for(s.domain(), vec![to_bob.entry(0, 10), to_carol.entry(0, 20)]);
    let out = prove_and_settle(&mut chain, &s, ANYONE, &batch).expect("the batch settles");
    assert_eq!(out.events::<MsglSettlement::Settled>().len(), 2);
    s.claim(&mut chain, bob, bob).expect("Bob is paid");
    assert_eq!(s.balance(&mut chain, bob).unwrap(), u(10 * PRICE));
    // Carol's own claim fails at her token; her balance waits for her,
    // and she can take it to another address.
    let err = s.claim(&mut chain, carol, carol).unwrap_err();
    assert_eq!(
        err.decode::<QuirkyToken::AccountBlocked>(),
        Some(QuirkyToken::AccountBlocked { account: carol })
    );
    assert_eq!(s.claimable(&mut chain, carol).unwrap(), u(20 * PRICE));
    let elsewhere = Address::repeat_byte(0xc2);
    s.claim(&mut chain, carol, elsewhere).unwrap();
    assert_eq!(s.balance(&mut chain, elsewhere).unwrap(), u(20 * PRICE));
}

/// Low: more than ~560 entries could not settle under the 2^24 gas cap
/// (EIP-7825) though `prove` accepted up to 2^20. `prove` now splits a
/// batch into statements of at most MAX_SETTLE_ENTRIES, which settle in
/// one transaction even in the worst case: every entry a payee never paid
/// before (a claimable balance stored from zero) and an escrow that falls
/// short (a debt and a second event).
#[test]
fn a_statement_of_max_settle_entries_settles_in_one_transaction_in_the_worst_case() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, alice(), u(1_000_000 * PRICE));
    let mut entries = Vec::new();
    for i in 0..MAX_SETTLE_ENTRIES as u32 {
        let mut secret = [0x42u8; 32];
        secret[28..].copy_from_slice(&i.to_be_bytes());
        let payee = PrivateKeySigner::from_bytes(&B256::from(secret)).unwrap();
        let pw = PayWord::new(10_000 + i, 2);
        let accept = system.accept(
            alice(),
            &OpenChannel {
                payee: payee.address(),
                anchor: pw.id(),
                units: 2,
                unit_price: u128::from(PRICE),
                escrow: p(1),
            },
        );
        let sig = sign_acceptance(&payee, CHAIN_ID, system.settlement.address, &accept).unwrap();
        system
            .open_channel(&mut chain, alice(), &accept, &sig)
            .unwrap();
        entries.push(pw.entry(0, 2));
    }
    let out = prove_and_settle(&mut chain, &system, ANYONE, &statement(entries)).unwrap();
    assert_eq!(
        out.events::<MsglSettlement::Shortfall>().len(),
        MAX_SETTLE_ENTRIES
    );
    assert!(
        out.gas_used <= TX_GAS_LIMIT * 85 / 100,
        "{} entries took {} gas, more than 85 % of {TX_GAS_LIMIT}",
        MAX_SETTLE_ENTRIES,
        out.gas_used
    );
}
