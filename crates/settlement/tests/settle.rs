//! MsglSettlement, FactRegistry and TestToken from `contracts/out/`, run in
//! revm: deposits, channels with real Poseidon2 anchors opened on the
//! payee's signed terms, settlement of proven statements into claimable
//! balances, claims, skips, debts and top-ups, exits, and every refusal.

use crate::common;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use common::*;
use msgl_settlement::evm::{Cause, HaltReason, Revert};
use msgl_settlement::system::{OpenChannel, Status};
use msgl_settlement::{
    abi_entries, register_calldata, settle_calldata, statement_hash, FactRegistry, MsglSettlement,
    TestToken,
};

/// The reason code of `EntrySkipped` (the contract's `Skip` enum).
const UNKNOWN_CHANNEL: u8 = 0;
const STALE_TIP: u8 = 2;
const COUNT_ABOVE_UNITS: u8 = 4;

#[test]
fn statement_hash_matches_the_contract_and_the_calldata() {
    let (mut chain, system) = setup();
    let a = PayWord::new(1, 50);
    let b = PayWord::new(2, 50);
    let s = statement(vec![a.entry(0, 7), b.entry(3, 40)]);
    let hash = statement_hash(&s);

    let on_chain = chain
        .read(
            system.settlement.address,
            &MsglSettlement::statementHashCall {
                entries: abi_entries(&s),
            },
        )
        .expect("statementHash");
    assert_eq!(on_chain, B256::from(hash));
    let tag = chain
        .read(
            system.settlement.address,
            &MsglSettlement::STATEMENT_TAGCall {},
        )
        .unwrap();
    assert_eq!(tag, keccak256(b"msgl/statement/v2"));
    assert_eq!(tag, msgl_settlement::statement_tag());

    // settle(Entry[]) has one dynamic parameter: its arguments are
    // abi.encode(entries), the fact's last part.
    let calldata = settle_calldata(&s);
    assert_eq!(&calldata[..4], &MsglSettlement::settleCall::SELECTOR);

    // Field order and packing: the first entry's words as DESIGN §8.1 lays them out.
    let words = &calldata[4..];
    assert_eq!(&words[64..96], &s.entries[0].channel);
    assert_eq!(
        &words[96..128],
        &msgl_circuits::poseidon2::pack(&s.entries[0].old_tip)
    );
    assert_eq!(
        U256::from_be_slice(&words[128..160]),
        u(s.entries[0].old_count)
    );
    assert_eq!(
        &words[160..192],
        &msgl_circuits::poseidon2::pack(&s.entries[0].new_preimage)
    );
    assert_eq!(
        U256::from_be_slice(&words[192..224]),
        u(s.entries[0].new_count)
    );
    assert_eq!(&words[224..256], &s.entries[1].channel);

    // A different statement has a different hash.
    let other = statement(vec![a.entry(0, 8), b.entry(3, 40)]);
    assert_ne!(statement_hash(&other), hash);

    assert_eq!(
        register_calldata(hash),
        FactRegistry::registerFactCall {
            fact: B256::from(hash)
        }
        .abi_encode()
    );
}

#[test]
fn settles_several_channels_into_claimable_balances_for_exactly_units_times_price() {
    let (mut chain, system) = setup();
    let (alice, bob, carol, dave) = (alice(), bob(), carol(), dave());
    fund(&mut chain, &system, alice, u(1_000 * PRICE));
    fund(&mut chain, &system, dave, u(1_000 * PRICE));

    let ab = PayWord::new(10, 200); // Alice -> Bob
    let ac = PayWord::new(11, 200); // Alice -> Carol
    let db = PayWord::new(12, 200); // Dave -> Bob
    open(&mut chain, &system, alice, bob, &ab, p(100));
    open(&mut chain, &system, alice, carol, &ac, p(50));
    open(&mut chain, &system, dave, bob, &db, p(200));
    assert_eq!(
        system.deposit_of(&mut chain, alice).unwrap(),
        u(850 * PRICE)
    );

    let channel = system.channel(&mut chain, ab.id()).unwrap();
    assert_eq!((channel.payer, channel.payee), (alice, bob));
    assert_eq!(channel.tip, B256::from(ab.id()));
    assert_eq!((channel.count, channel.units), (0, 200));
    assert_eq!(
        (channel.unit_price, channel.escrow),
        (u128::from(PRICE), p(100))
    );
    assert_eq!(system.status(&mut chain, ab.id()).unwrap(), Status::Open);

    let s = statement(vec![ab.entry(0, 30), ac.entry(0, 25), db.entry(0, 120)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .expect("registerFact");
    assert!(system
        .is_registered(&mut chain, statement_hash(&s))
        .unwrap());

    // Anyone may send a proven statement; it moves no tokens, it credits.
    let held = system
        .balance(&mut chain, system.settlement.address)
        .unwrap();
    let out = system.settle(&mut chain, ANYONE, &s).expect("settle");
    assert_eq!(
        system
            .balance(&mut chain, system.settlement.address)
            .unwrap(),
        held
    );
    assert_eq!(
        system.claimable(&mut chain, bob).unwrap(),
        u((30 + 120) * PRICE)
    );
    assert_eq!(system.claimable(&mut chain, carol).unwrap(), u(25 * PRICE));

    // From the channel's escrow; the deposit is never touched.
    let ab_state = system.channel(&mut chain, ab.id()).unwrap();
    assert_eq!(ab_state.escrow, p(70));
    assert_eq!(
        ab_state.tip,
        B256::from(msgl_circuits::poseidon2::pack(&ab.w(30)))
    );
    assert_eq!(ab_state.count, 30);
    assert_eq!(
        system.deposit_of(&mut chain, alice).unwrap(),
        u(850 * PRICE)
    );

    let settled = out.events::<MsglSettlement::Settled>();
    assert_eq!(settled.len(), 3);
    assert!(out.events::<MsglSettlement::Shortfall>().is_empty());
    assert!(out.events::<MsglSettlement::EntrySkipped>().is_empty());
    for (event, entry) in settled.iter().zip(&s.entries) {
        assert_eq!(event.channel, B256::from(entry.channel));
        assert_eq!((event.oldCount, event.newCount), (0, entry.new_count));
        assert_eq!(event.owed, event.paid);
        assert_eq!(event.owed, u((entry.new_count - entry.old_count) * PRICE));
    }
    let done = out.events::<MsglSettlement::StatementSettled>();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].fact, B256::from(statement_hash(&s)));
    assert_eq!((done[0].entries, done[0].settled), (u(3), u(3)));

    // The next statement continues from the recorded tips.
    let s2 = statement(vec![ab.entry(30, 100), db.entry(120, 121)]);
    prove_and_settle(&mut chain, &system, bob, &s2).expect("second settle");
    assert_eq!(
        system.claimable(&mut chain, bob).unwrap(),
        u((100 + 121) * PRICE)
    );

    // Bob claims to himself, Carol to another address of hers.
    let out = system.claim(&mut chain, bob, bob).expect("claim");
    let claimed = out.events::<MsglSettlement::Claimed>();
    assert_eq!(
        (claimed[0].payee, claimed[0].to, claimed[0].amount),
        (bob, bob, u(221 * PRICE))
    );
    assert_eq!(system.balance(&mut chain, bob).unwrap(), u(221 * PRICE));
    let elsewhere = Address::repeat_byte(0xc2);
    system.claim(&mut chain, carol, elsewhere).expect("claim");
    assert_eq!(
        system.balance(&mut chain, elsewhere).unwrap(),
        u(25 * PRICE)
    );
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), U256::ZERO);
    expect_revert::<MsglSettlement::NothingToClaim>(system.claim(&mut chain, bob, bob));
    expect_revert::<MsglSettlement::ZeroAddress>(system.claim(&mut chain, dave, Address::ZERO));
}

#[test]
fn replaying_the_same_calldata_skips_every_entry_and_pays_nothing() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(20, 100);
    open(&mut chain, &system, alice, bob, &pw, p(50));
    let s = statement(vec![pw.entry(0, 10)]);
    prove_and_settle(&mut chain, &system, bob, &s).expect("first");
    let claimable = system.claimable(&mut chain, bob).unwrap();

    let out = system
        .settle(&mut chain, bob, &s)
        .expect("a replay succeeds");
    let skipped = out.events::<MsglSettlement::EntrySkipped>();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].channel, B256::from(pw.id()));
    assert_eq!(skipped[0].reason, STALE_TIP);
    assert!(out.events::<MsglSettlement::Settled>().is_empty());
    assert_eq!(
        out.events::<MsglSettlement::StatementSettled>()[0].settled,
        U256::ZERO
    );
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), claimable);
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().count, 10);
}

#[test]
fn a_stale_tip_is_skipped() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(21, 100);
    open(&mut chain, &system, alice, bob, &pw, p(100));
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(0, 10)])).unwrap();

    // A valid, proven statement from the anchor to 20 units: its old tip is
    // no longer the stored one.
    let stale = statement(vec![pw.entry(0, 20)]);
    let out = prove_and_settle(&mut chain, &system, bob, &stale).unwrap();
    assert_eq!(
        out.events::<MsglSettlement::EntrySkipped>()[0].reason,
        STALE_TIP
    );

    // Right count, wrong tip (a preimage further down the chain).
    let mut wrong_tip = pw.entry(10, 20);
    wrong_tip.old_tip = pw.w(9);
    wrong_tip.new_preimage = pw.w(19);
    let wrong = msgl_circuits::statement::Statement {
        domain: domain(),
        entries: vec![wrong_tip],
    };
    let out = prove_and_settle(&mut chain, &system, bob, &wrong).unwrap();
    assert_eq!(
        out.events::<MsglSettlement::EntrySkipped>()[0].reason,
        STALE_TIP
    );
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(10 * PRICE));

    // The fresh one still goes through.
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(10, 20)]))
        .expect("fresh statement");
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(20 * PRICE));
}

#[test]
fn an_unproven_statement_reverts() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(23, 100);
    open(&mut chain, &system, alice, bob, &pw, p(100));
    let s = statement(vec![pw.entry(0, 10)]);
    let e: MsglSettlement::StatementNotProven = expect_revert(system.settle(&mut chain, bob, &s));
    assert_eq!(e.fact, B256::from(statement_hash(&s)));

    // Only the registrar may register.
    let e: FactRegistry::NotVerifier =
        expect_revert(system.register(&mut chain, bob, statement_hash(&s)));
    assert_eq!(e.caller, bob);
    expect_revert::<MsglSettlement::StatementNotProven>(system.settle(&mut chain, bob, &s));

    // A registered neighbour does not help.
    let neighbour = statement(vec![pw.entry(0, 11)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&neighbour))
        .unwrap();
    expect_revert::<MsglSettlement::StatementNotProven>(system.settle(&mut chain, bob, &s));
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), U256::ZERO);
}

#[test]
fn an_unknown_channel_is_skipped_and_the_others_settle() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let opened = PayWord::new(24, 100);
    let never = PayWord::new(25, 100);
    open(&mut chain, &system, alice, bob, &opened, p(100));
    let s = statement(vec![opened.entry(0, 5), never.entry(0, 5)]);
    let out = prove_and_settle(&mut chain, &system, bob, &s).unwrap();
    let skipped = out.events::<MsglSettlement::EntrySkipped>();
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].channel, skipped[0].reason),
        (B256::from(never.id()), UNKNOWN_CHANNEL)
    );
    assert_eq!(system.channel(&mut chain, opened.id()).unwrap().count, 5);
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(5 * PRICE));
}

#[test]
fn other_refusals() {
    let (mut chain, system) = setup();
    let (alice, bob, carol, dave) = (alice(), bob(), carol(), dave());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    fund(&mut chain, &system, dave, u(100 * PRICE));
    let pw = PayWord::new(26, 10);
    open(&mut chain, &system, alice, bob, &pw, p(10));

    // The same id twice (even with the payee's signature for the new terms).
    let e: MsglSettlement::ChannelExists =
        expect_revert(try_open(&mut chain, &system, dave, carol, &pw, 0));
    assert_eq!(e.channel, B256::from(pw.id()));
    // An anchor that is not 8 canonical M31 elements, or is zero.
    for anchor in [[0xff; 32], [0; 32]] {
        let accept = system.accept(
            alice,
            &OpenChannel {
                payee: bob,
                anchor,
                units: 5,
                unit_price: u128::from(PRICE),
                escrow: 0,
            },
        );
        let sig = sign(&system, &accept);
        expect_revert::<MsglSettlement::NonCanonicalAnchor>(
            system.open_channel(&mut chain, alice, &accept, &sig),
        );
    }
    // More escrow than free deposit.
    let e: MsglSettlement::InsufficientDeposit = expect_revert(try_open(
        &mut chain,
        &system,
        alice,
        bob,
        &PayWord::new(28, 5),
        p(91),
    ));
    assert_eq!((e.available, e.needed), (u(90 * PRICE), u(91 * PRICE)));
    // To oneself; to nobody; zero units or price.
    let mut accept = system.accept(
        alice,
        &OpenChannel {
            payee: alice,
            anchor: PayWord::new(29, 5).id(),
            units: 5,
            unit_price: u128::from(PRICE),
            escrow: 0,
        },
    );
    let sig = sign(&system, &accept);
    expect_revert::<MsglSettlement::SelfChannel>(
        system.open_channel(&mut chain, alice, &accept, &sig),
    );
    accept.payee = Address::ZERO;
    expect_revert::<MsglSettlement::ZeroAddress>(
        system.open_channel(&mut chain, alice, &accept, &sig),
    );
    accept.payee = bob;
    accept.units = 0;
    let sig = sign(&system, &accept);
    expect_revert::<MsglSettlement::ZeroUnits>(
        system.open_channel(&mut chain, alice, &accept, &sig),
    );
    accept.units = 5;
    accept.unitPrice = 0;
    let sig = sign(&system, &accept);
    expect_revert::<MsglSettlement::ZeroUnitPrice>(
        system.open_channel(&mut chain, alice, &accept, &sig),
    );

    // Beyond the channel's length: no preimage reaches the anchor in 11
    // steps that anyone could compute, but the contract must skip the
    // entry even when the verifier vouches for the statement.
    let s = msgl_circuits::statement::Statement {
        domain: domain(),
        entries: vec![msgl_circuits::statement::Entry {
            channel: pw.id(),
            old_tip: pw.anchor(),
            old_count: 0,
            new_preimage: pw.seed,
            new_count: 11,
        }],
    };
    let out = prove_and_settle(&mut chain, &system, bob, &s).unwrap();
    assert_eq!(
        out.events::<MsglSettlement::EntrySkipped>()[0].reason,
        COUNT_ABOVE_UNITS
    );
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().count, 0);

    // Entries out of canonical order, sent as raw ABI entries: the
    // statement is malformed, the whole call reverts.
    let other = PayWord::new(30, 10);
    open(&mut chain, &system, alice, carol, &other, 0);
    let sorted = statement(vec![pw.entry(0, 1), other.entry(0, 1)]);
    let mut entries = abi_entries(&sorted);
    entries.reverse();
    let hash = msgl_settlement::abi_statement_hash(&domain(), &entries);
    system.register(&mut chain, VERIFIER, hash).unwrap();
    let e: MsglSettlement::EntriesNotSorted =
        expect_revert(system.settle_entries(&mut chain, bob, entries));
    assert_eq!(e.index, U256::from(1));

    // No entries.
    let empty = Vec::new();
    system
        .register(
            &mut chain,
            VERIFIER,
            msgl_settlement::abi_statement_hash(&domain(), &empty),
        )
        .unwrap();
    expect_revert::<MsglSettlement::EmptyStatement>(system.settle_entries(&mut chain, bob, empty));

    // Payer-only actions by someone else; unknown channels.
    for r in [
        system.top_up(&mut chain, bob, pw.id(), u(1)),
        system.request_exit(&mut chain, bob, pw.id()),
        system.cancel_exit(&mut chain, bob, pw.id()),
        system.release_escrow(&mut chain, bob, pw.id()),
    ] {
        assert_eq!(expect_revert::<MsglSettlement::NotPayer>(r).caller, bob);
    }
    let nowhere = PayWord::new(31, 5).id();
    expect_revert::<MsglSettlement::UnknownChannel>(
        system.request_exit(&mut chain, alice, nowhere),
    );
    assert_eq!(system.status(&mut chain, nowhere).unwrap(), Status::None);
    // Zero amounts.
    expect_revert::<MsglSettlement::ZeroAmount>(system.deposit(&mut chain, alice, U256::ZERO));
    expect_revert::<MsglSettlement::ZeroAmount>(system.withdraw(&mut chain, alice, U256::ZERO));
    expect_revert::<MsglSettlement::ZeroAmount>(system.top_up(
        &mut chain,
        alice,
        pw.id(),
        U256::ZERO,
    ));
}

#[test]
fn a_shortfall_stays_owed_as_the_channels_debt_and_a_top_up_pays_it_first() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(32, 100);
    open(&mut chain, &system, alice, bob, &pw, p(15));
    let out = prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(0, 60)]))
        .expect("settle");

    // The escrow pays what it holds; the rest is debt, not forgotten.
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(15 * PRICE));
    let settled = out.events::<MsglSettlement::Settled>();
    assert_eq!(
        (settled[0].owed, settled[0].paid),
        (u(60 * PRICE), u(15 * PRICE))
    );
    let shortfall = out.events::<MsglSettlement::Shortfall>();
    assert_eq!(shortfall.len(), 1);
    assert_eq!(shortfall[0].channel, B256::from(pw.id()));
    assert_eq!(shortfall[0].payer, alice);
    assert_eq!(
        (shortfall[0].unpaid, shortfall[0].debt),
        (u(45 * PRICE), u(45 * PRICE))
    );
    let c = system.channel(&mut chain, pw.id()).unwrap();
    assert_eq!((c.escrow, c.debt, c.count), (0, p(45), 60));
    // The free deposit is not drawn on.
    assert_eq!(system.deposit_of(&mut chain, alice).unwrap(), u(85 * PRICE));

    // More units on an empty escrow: all debt.
    let out =
        prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(60, 61)])).unwrap();
    let shortfall = out.events::<MsglSettlement::Shortfall>();
    assert_eq!(
        (shortfall[0].unpaid, shortfall[0].debt),
        (u(PRICE), u(46 * PRICE))
    );

    // A top-up pays the debt to the payee first, the rest becomes escrow.
    let out = system
        .top_up(&mut chain, alice, pw.id(), u(30 * PRICE))
        .unwrap();
    let paid = out.events::<MsglSettlement::DebtPaid>();
    assert_eq!(
        (paid[0].payee, paid[0].amount, paid[0].debt),
        (bob, u(30 * PRICE), u(16 * PRICE))
    );
    assert_eq!(
        out.events::<MsglSettlement::EscrowToppedUp>()[0].amount,
        U256::ZERO
    );
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(45 * PRICE));
    let out = system
        .top_up(&mut chain, alice, pw.id(), u(20 * PRICE))
        .unwrap();
    assert_eq!(out.events::<MsglSettlement::DebtPaid>()[0].debt, U256::ZERO);
    let topped = out.events::<MsglSettlement::EscrowToppedUp>();
    assert_eq!(
        (topped[0].amount, topped[0].escrow),
        (u(4 * PRICE), u(4 * PRICE))
    );
    let c = system.channel(&mut chain, pw.id()).unwrap();
    assert_eq!((c.escrow, c.debt), (p(4), 0));
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(61 * PRICE));
    assert_eq!(system.deposit_of(&mut chain, alice).unwrap(), u(35 * PRICE));
    let e: MsglSettlement::InsufficientDeposit =
        expect_revert(system.top_up(&mut chain, alice, pw.id(), u(36 * PRICE)));
    assert_eq!(e.available, u(35 * PRICE));
}

#[test]
fn free_deposit_is_withdrawn_at_once() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(40, 100);
    open(&mut chain, &system, alice, bob, &pw, p(30));
    let e: MsglSettlement::InsufficientDeposit =
        expect_revert(system.withdraw(&mut chain, alice, u(71 * PRICE)));
    assert_eq!(e.available, u(70 * PRICE));
    let out = system.withdraw(&mut chain, alice, u(70 * PRICE)).unwrap();
    let w = out.events::<MsglSettlement::Withdrawn>();
    assert_eq!((w[0].amount, w[0].deposit), (u(70 * PRICE), U256::ZERO));
    assert_eq!(system.balance(&mut chain, alice).unwrap(), u(70 * PRICE));
    // The escrow still backs the channel in full.
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(0, 30)])).unwrap();
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(30 * PRICE));
}

#[test]
fn an_exit_closes_the_channel_gives_the_payee_the_delay_and_then_releases_the_escrow() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(50, 100);
    open(&mut chain, &system, alice, bob, &pw, p(60));

    expect_revert::<MsglSettlement::NoExitRequest>(system.release_escrow(
        &mut chain,
        alice,
        pw.id(),
    ));
    expect_revert::<MsglSettlement::NoExitRequest>(system.cancel_exit(&mut chain, alice, pw.id()));

    let t0 = chain.timestamp();
    let out = system.request_exit(&mut chain, alice, pw.id()).unwrap();
    let requested = out.events::<MsglSettlement::ExitRequested>();
    assert_eq!(
        (
            requested[0].payer,
            requested[0].releasableAt,
            requested[0].lapsesAt
        ),
        (alice, t0 + DELAY, t0 + DELAY + 7 * 86_400)
    );
    assert_eq!(
        system.channel(&mut chain, pw.id()).unwrap().exit_at,
        t0 + DELAY
    );
    // Closed to new service from this moment, visibly.
    assert_eq!(system.status(&mut chain, pw.id()).unwrap(), Status::Exiting);
    let e: MsglSettlement::ExitPending =
        expect_revert(system.request_exit(&mut chain, alice, pw.id()));
    assert_eq!(e.releasableAt, t0 + DELAY);
    chain.advance_time(DELAY - 1);
    let e: MsglSettlement::ExitNotReady =
        expect_revert(system.release_escrow(&mut chain, alice, pw.id()));
    assert_eq!(e.releasableAt, t0 + DELAY);

    // Bob settles from the escrow during the delay.
    prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(0, 25)])).unwrap();
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().escrow, p(35));

    chain.advance_time(1);
    assert_eq!(
        system.status(&mut chain, pw.id()).unwrap(),
        Status::Releasable
    );
    let out = system
        .release_escrow(&mut chain, alice, pw.id())
        .expect("release");
    assert_eq!(
        out.events::<MsglSettlement::EscrowReleased>()[0].amount,
        u(35 * PRICE)
    );
    let channel = system.channel(&mut chain, pw.id()).unwrap();
    assert_eq!((channel.escrow, channel.released), (0, true));
    assert_eq!(
        system.status(&mut chain, pw.id()).unwrap(),
        Status::Released
    );
    assert_eq!(system.deposit_of(&mut chain, alice).unwrap(), u(75 * PRICE));

    // Closed for good: later entries are skipped, nothing else moves it.
    let out =
        prove_and_settle(&mut chain, &system, bob, &statement(vec![pw.entry(25, 30)])).unwrap();
    assert_eq!(out.events::<MsglSettlement::EntrySkipped>()[0].reason, 1);
    for r in [
        system.release_escrow(&mut chain, alice, pw.id()),
        system.request_exit(&mut chain, alice, pw.id()),
        system.top_up(&mut chain, alice, pw.id(), u(1)),
    ] {
        expect_revert::<MsglSettlement::ChannelReleased>(r);
    }
    assert_eq!(system.claimable(&mut chain, bob).unwrap(), u(25 * PRICE));
}

#[test]
fn an_exit_not_executed_in_its_window_lapses_and_a_cancelled_one_reopens_the_channel() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(100 * PRICE));
    let pw = PayWord::new(51, 100);
    open(&mut chain, &system, alice, bob, &pw, p(60));

    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    system.cancel_exit(&mut chain, alice, pw.id()).unwrap();
    assert_eq!(system.status(&mut chain, pw.id()).unwrap(), Status::Open);
    chain.advance_time(DELAY);
    expect_revert::<MsglSettlement::NoExitRequest>(system.release_escrow(
        &mut chain,
        alice,
        pw.id(),
    ));

    let t0 = chain.timestamp();
    system.request_exit(&mut chain, alice, pw.id()).unwrap();
    chain.advance_time(DELAY + 7 * 86_400);
    assert_eq!(system.status(&mut chain, pw.id()).unwrap(), Status::Open);
    let e: MsglSettlement::ExitLapsed =
        expect_revert(system.release_escrow(&mut chain, alice, pw.id()));
    assert_eq!(e.lapsedAt, t0 + DELAY + 7 * 86_400);
    expect_revert::<MsglSettlement::NoExitRequest>(system.cancel_exit(&mut chain, alice, pw.id()));
    // A new request starts a new full window.
    let t1 = chain.timestamp();
    let out = system.request_exit(&mut chain, alice, pw.id()).unwrap();
    assert_eq!(
        out.events::<MsglSettlement::ExitRequested>()[0].releasableAt,
        t1 + DELAY
    );
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().escrow, p(60));
}

#[test]
fn gas_does_not_grow_with_units() {
    let (mut chain, system) = setup();
    let (alice, bob) = (alice(), bob());
    fund(&mut chain, &system, alice, u(1_000_000 * PRICE));
    let mut gas = Vec::new();
    for (tag, units) in [(60, 1), (61, 1_000)] {
        let pw = PayWord::new(tag, 1_000);
        // Escrow left over either way: neither settlement clears the slot.
        open(&mut chain, &system, alice, bob, &pw, p(2_000));
        let s = statement(vec![pw.entry(0, units)]);
        gas.push(
            prove_and_settle(&mut chain, &system, bob, &s)
                .unwrap()
                .gas_used,
        );
    }
    // Same storage work but for Bob's claimable balance, created by the
    // first settlement (a zero-to-nonzero store) and only raised by the
    // second; beyond that only a few calldata bytes differ.
    let (one, thousand) = (gas[0], gas[1]);
    assert!(
        one.abs_diff(thousand + 17_100) < 200,
        "1 unit: {one} gas, 1000 units: {thousand} gas"
    );
}

#[test]
fn the_registry_owner_manages_registrars() {
    let (mut chain, system) = setup();
    let registry = system.registry.address;
    let fact = [7u8; 32];
    assert!(!system.is_registered(&mut chain, fact).unwrap());
    let owner = chain.read(registry, &FactRegistry::ownerCall {}).unwrap();
    assert_eq!(owner, DEPLOYER);
    let carol = carol();

    // Only the owner sets registrars.
    let e: FactRegistry::NotOwner = expect_revert(chain.send(
        VERIFIER,
        registry,
        &FactRegistry::setVerifierCall {
            verifier: carol,
            authorized: true,
        },
    ));
    assert_eq!(e.caller, VERIFIER);
    chain
        .send(
            DEPLOYER,
            registry,
            &FactRegistry::setVerifierCall {
                verifier: carol,
                authorized: true,
            },
        )
        .unwrap();
    let out = system.register(&mut chain, carol, fact).unwrap();
    assert_eq!(out.events::<FactRegistry::FactRegistered>().len(), 1);
    assert!(system.is_registered(&mut chain, fact).unwrap());
    // Registering again is harmless and says nothing.
    let again = system.register(&mut chain, VERIFIER, fact).unwrap();
    assert!(again.logs.is_empty());

    // A removed registrar can no longer register.
    chain
        .send(
            DEPLOYER,
            registry,
            &FactRegistry::setVerifierCall {
                verifier: VERIFIER,
                authorized: false,
            },
        )
        .unwrap();
    expect_revert::<FactRegistry::NotVerifier>(system.register(&mut chain, VERIFIER, [8; 32]));

    // Ownership moves; the old owner loses its rights.
    let dave = dave();
    chain
        .send(
            DEPLOYER,
            registry,
            &FactRegistry::transferOwnershipCall { newOwner: dave },
        )
        .unwrap();
    expect_revert::<FactRegistry::NotOwner>(chain.send(
        DEPLOYER,
        registry,
        &FactRegistry::setVerifierCall {
            verifier: VERIFIER,
            authorized: true,
        },
    ));
    expect_revert::<FactRegistry::ZeroAddress>(chain.send(
        dave,
        registry,
        &FactRegistry::transferOwnershipCall {
            newOwner: Address::ZERO,
        },
    ));
    chain
        .send(
            dave,
            registry,
            &FactRegistry::setVerifierCall {
                verifier: VERIFIER,
                authorized: true,
            },
        )
        .unwrap();
    system.register(&mut chain, VERIFIER, [8; 32]).unwrap();
}

#[test]
fn revert_reasons_are_readable() {
    let (mut chain, system) = setup();
    let alice = alice();
    let nonce = chain.nonce(alice);
    let err: Revert = system.withdraw(&mut chain, alice, u(1)).unwrap_err();
    // A failed transaction changes nothing, not even the nonce.
    assert_eq!(chain.nonce(alice), nonce);
    system.mint(&mut chain, alice, u(1)).unwrap();
    assert_eq!(chain.nonce(alice), nonce + 1);
    assert_eq!(chain.nonce(DEPLOYER), 3);
    // 0xfe is INVALID: the EVM halts, there is no revert data.
    let failed = chain.deploy(DEPLOYER, vec![0xfe]).unwrap_err();
    assert_eq!(failed.cause, Cause::Halted(HaltReason::InvalidFEOpcode));
    assert!(failed.data.is_empty() && !failed.out_of_gas());
    assert_eq!(failed.reason, "halted: InvalidFEOpcode");
    assert_eq!(chain.nonce(DEPLOYER), 3);
    assert_eq!(err.cause, Cause::Reverted);
    assert_eq!(
        err.decode::<MsglSettlement::InsufficientDeposit>(),
        Some(MsglSettlement::InsufficientDeposit {
            available: U256::ZERO,
            needed: u(1),
        })
    );
    assert_eq!(
        err.reason,
        format!(
            "InsufficientDeposit(InsufficientDeposit {{ available: 0, needed: {} }})",
            u(1)
        )
    );
    assert!(err.gas_used > 21_000);
    // The token's own error comes through the settlement contract.
    let err = system.deposit(&mut chain, alice, u(5)).unwrap_err();
    assert_eq!(
        err.decode::<TestToken::InsufficientAllowance>(),
        Some(TestToken::InsufficientAllowance {
            owner: alice,
            spender: system.settlement.address,
            allowance: U256::ZERO,
            needed: u(5),
        })
    );
    // A deployed contract has code; a plain account has none.
    assert!(!chain.code(system.settlement.address).is_empty());
    assert!(chain.code(alice).is_empty());
}
