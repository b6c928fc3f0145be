//! MsglSettlement, FactRegistry and TestToken from `contracts/out/`, run in
//! revm: deposits, channels with real Poseidon2 anchors, settlement of
//! registered statements, every refusal, shortfalls and withdrawals.

mod common;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use common::*;
use msgl_settlement::evm::{Chain, Revert};
use msgl_settlement::system::{OpenChannel, System};
use msgl_settlement::{
    abi_entries, register_calldata, settle_calldata, statement_hash, FactRegistry, MsglSettlement,
};

fn open(
    chain: &mut Chain,
    system: &System,
    payer: Address,
    payee: Address,
    pw: &PayWord,
    escrow: U256,
) {
    system
        .open_channel(
            chain,
            payer,
            &OpenChannel {
                payee,
                anchor: pw.id(),
                units: pw.n,
                unit_price: u(PRICE),
                escrow,
            },
        )
        .expect("openChannel");
}

fn expect_revert<E: alloy_sol_types::SolError + std::fmt::Debug>(
    result: Result<msgl_settlement::evm::Outcome, Revert>,
) -> E {
    match result {
        Ok(out) => panic!("expected {} but the call succeeded: {out:?}", E::SIGNATURE),
        Err(revert) => revert
            .decode::<E>()
            .unwrap_or_else(|| panic!("expected {}, got {}", E::SIGNATURE, revert.reason)),
    }
}

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

    // Field order and packing: the first entry's words as D2 lays them out.
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
fn settles_several_channels_for_exactly_units_times_price() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(1_000 * PRICE));
    fund(&mut chain, &system, DAVE, u(1_000 * PRICE));

    let ab = PayWord::new(10, 200); // Alice -> Bob, escrow covers it all
    let ac = PayWord::new(11, 200); // Alice -> Carol, escrow covers part
    let db = PayWord::new(12, 200); // Dave -> Bob, no escrow
    open(&mut chain, &system, ALICE, BOB, &ab, u(100 * PRICE));
    open(&mut chain, &system, ALICE, CAROL, &ac, u(10 * PRICE));
    open(&mut chain, &system, DAVE, BOB, &db, U256::ZERO);
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().deposit,
        u(890 * PRICE)
    );

    let channel = system.channel(&mut chain, ab.id()).unwrap();
    assert_eq!(channel.payer, ALICE);
    assert_eq!(channel.payee, BOB);
    assert_eq!(channel.tip, B256::from(ab.id()));
    assert_eq!((channel.count, channel.units), (0, 200));

    let s = statement(vec![ab.entry(0, 30), ac.entry(0, 25), db.entry(0, 120)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .expect("registerFact");
    assert!(system
        .is_registered(&mut chain, statement_hash(&s))
        .unwrap());

    let before = (
        system.balance(&mut chain, BOB).unwrap(),
        system.balance(&mut chain, CAROL).unwrap(),
        system
            .balance(&mut chain, system.settlement.address)
            .unwrap(),
    );
    // Anyone may send a proven statement.
    let out = system.settle(&mut chain, ANYONE, &s).expect("settle");
    let bob = system.balance(&mut chain, BOB).unwrap() - before.0;
    let carol = system.balance(&mut chain, CAROL).unwrap() - before.1;
    let held = before.2
        - system
            .balance(&mut chain, system.settlement.address)
            .unwrap();
    assert_eq!(bob, u((30 + 120) * PRICE));
    assert_eq!(carol, u(25 * PRICE));
    assert_eq!(held, u((30 + 25 + 120) * PRICE));

    // Escrow first, then deposit.
    let ab_state = system.channel(&mut chain, ab.id()).unwrap();
    assert_eq!(ab_state.escrow, u(70 * PRICE));
    assert_eq!(
        ab_state.tip,
        B256::from(msgl_circuits::poseidon2::pack(&ab.w(30)))
    );
    assert_eq!(ab_state.count, 30);
    let ac_state = system.channel(&mut chain, ac.id()).unwrap();
    assert_eq!(ac_state.escrow, U256::ZERO);
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().deposit,
        u((890 - 15) * PRICE)
    );
    assert_eq!(
        system.account(&mut chain, DAVE).unwrap().deposit,
        u((1_000 - 120) * PRICE)
    );

    let settled = out.events::<MsglSettlement::Settled>();
    assert_eq!(settled.len(), 3);
    assert!(out.events::<MsglSettlement::Shortfall>().is_empty());
    for (event, entry) in settled.iter().zip(&s.entries) {
        assert_eq!(event.channel, B256::from(entry.channel));
        assert_eq!(event.owed, event.paid);
        assert_eq!(event.owed, u((entry.new_count - entry.old_count) * PRICE));
    }
    let done = out.events::<MsglSettlement::StatementSettled>();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].statement, B256::from(statement_hash(&s)));

    // The next statement continues from the recorded tips.
    let s2 = statement(vec![ab.entry(30, 200), db.entry(120, 121)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s2))
        .unwrap();
    system.settle(&mut chain, BOB, &s2).expect("second settle");
    assert_eq!(
        system.balance(&mut chain, BOB).unwrap() - before.0,
        u((200 + 121) * PRICE)
    );
    assert_eq!(system.channel(&mut chain, ab.id()).unwrap().count, 200);
}

#[test]
fn replaying_the_same_calldata_reverts() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(20, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, u(50 * PRICE));
    let s = statement(vec![pw.entry(0, 10)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    let calldata = settle_calldata(&s);
    chain
        .call(BOB, system.settlement.address, calldata.clone())
        .expect("first");
    let balance = system.balance(&mut chain, BOB).unwrap();

    let e: MsglSettlement::StaleTip =
        expect_revert(chain.call(BOB, system.settlement.address, calldata));
    assert_eq!(e.channel, B256::from(pw.id()));
    assert_eq!(e.storedCount, 10);
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), balance);
}

#[test]
fn a_stale_tip_reverts() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(21, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, U256::ZERO);
    let s = statement(vec![pw.entry(0, 10)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    system.settle(&mut chain, BOB, &s).unwrap();

    // A valid, proven statement from the anchor to 20 units: its old tip is
    // no longer the stored one.
    let stale = statement(vec![pw.entry(0, 20)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&stale))
        .unwrap();
    expect_revert::<MsglSettlement::StaleTip>(system.settle(&mut chain, BOB, &stale));

    // Right count, wrong tip (a preimage further down the chain).
    let mut wrong_tip = pw.entry(10, 20);
    wrong_tip.old_tip = pw.w(9);
    wrong_tip.new_preimage = pw.w(19);
    let wrong = msgl_circuits::statement::Statement {
        domain: domain(),
        entries: vec![wrong_tip],
    };
    system
        .register(&mut chain, VERIFIER, statement_hash(&wrong))
        .unwrap();
    expect_revert::<MsglSettlement::StaleTip>(system.settle(&mut chain, BOB, &wrong));

    // The fresh one still goes through.
    let fresh = statement(vec![pw.entry(10, 20)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&fresh))
        .unwrap();
    system
        .settle(&mut chain, BOB, &fresh)
        .expect("fresh statement");
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), u(20 * PRICE));
}

#[test]
fn an_unregistered_statement_reverts() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(23, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, u(100 * PRICE));
    let s = statement(vec![pw.entry(0, 10)]);
    let e: MsglSettlement::StatementNotProven = expect_revert(system.settle(&mut chain, BOB, &s));
    assert_eq!(e.statement, B256::from(statement_hash(&s)));

    // Only the verifier may register.
    let e: FactRegistry::NotVerifier =
        expect_revert(system.register(&mut chain, BOB, statement_hash(&s)));
    assert_eq!(e.caller, BOB);
    expect_revert::<MsglSettlement::StatementNotProven>(system.settle(&mut chain, BOB, &s));

    // A registered neighbour does not help.
    let neighbour = statement(vec![pw.entry(0, 11)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&neighbour))
        .unwrap();
    expect_revert::<MsglSettlement::StatementNotProven>(system.settle(&mut chain, BOB, &s));
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), U256::ZERO);
}

#[test]
fn a_channel_that_does_not_exist_reverts() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let opened = PayWord::new(24, 100);
    let never = PayWord::new(25, 100);
    open(&mut chain, &system, ALICE, BOB, &opened, u(100 * PRICE));
    let s = statement(vec![opened.entry(0, 5), never.entry(0, 5)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    let e: MsglSettlement::UnknownChannel = expect_revert(system.settle(&mut chain, BOB, &s));
    assert_eq!(e.channel, B256::from(never.id()));
    // All or nothing: the opened channel did not move either.
    assert_eq!(system.channel(&mut chain, opened.id()).unwrap().count, 0);
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), U256::ZERO);
}

#[test]
fn other_refusals() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(26, 10);
    open(&mut chain, &system, ALICE, BOB, &pw, U256::ZERO);

    // The same id twice.
    let e: MsglSettlement::ChannelExists = expect_revert(system.open_channel(
        &mut chain,
        DAVE,
        &OpenChannel {
            payee: CAROL,
            anchor: pw.id(),
            units: 5,
            unit_price: u(PRICE),
            escrow: U256::ZERO,
        },
    ));
    assert_eq!(e.channel, B256::from(pw.id()));
    // An anchor that is not 8 canonical M31 elements.
    expect_revert::<MsglSettlement::NonCanonicalAnchor>(system.open_channel(
        &mut chain,
        ALICE,
        &OpenChannel {
            payee: BOB,
            anchor: [0xff; 32],
            units: 5,
            unit_price: u(PRICE),
            escrow: U256::ZERO,
        },
    ));
    // A unit price that does not fit 128 bits.
    let e: MsglSettlement::UnitPriceTooLarge = expect_revert(system.open_channel(
        &mut chain,
        ALICE,
        &OpenChannel {
            payee: BOB,
            anchor: PayWord::new(29, 5).id(),
            units: 5,
            unit_price: U256::from(u128::MAX) + u(1),
            escrow: U256::ZERO,
        },
    ));
    assert_eq!(e.unitPrice, U256::from(u128::MAX) + u(1));
    // More escrow than deposit.
    let e: MsglSettlement::InsufficientDeposit = expect_revert(system.open_channel(
        &mut chain,
        ALICE,
        &OpenChannel {
            payee: BOB,
            anchor: PayWord::new(27, 5).id(),
            units: 5,
            unit_price: u(PRICE),
            escrow: u(101 * PRICE),
        },
    ));
    assert_eq!((e.available, e.needed), (u(100 * PRICE), u(101 * PRICE)));

    // Beyond the channel's length: no preimage reaches the anchor in 11
    // steps that anyone could compute, but the contract must refuse the
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
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    let e: MsglSettlement::CountAboveCap = expect_revert(system.settle(&mut chain, BOB, &s));
    assert_eq!((e.newCount, e.units), (11, 10));

    // Entries out of canonical order, sent as raw ABI entries.
    let other = PayWord::new(28, 10);
    open(&mut chain, &system, ALICE, CAROL, &other, U256::ZERO);
    let sorted = statement(vec![pw.entry(0, 1), other.entry(0, 1)]);
    let mut entries = abi_entries(&sorted);
    entries.reverse();
    let hash = msgl_settlement::abi_statement_hash(&domain(), &entries);
    system.register(&mut chain, VERIFIER, hash).unwrap();
    let e: MsglSettlement::EntriesNotSorted =
        expect_revert(system.settle_entries(&mut chain, BOB, entries));
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
    expect_revert::<MsglSettlement::EmptyStatement>(system.settle_entries(&mut chain, BOB, empty));
}

#[test]
fn an_underfunded_payer_pays_what_it_has_and_a_shortfall_is_emitted() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(40 * PRICE));
    let pw = PayWord::new(30, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, u(15 * PRICE)); // deposit left: 25
    let s = statement(vec![pw.entry(0, 60)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    let out = system.settle(&mut chain, BOB, &s).expect("settle");

    assert_eq!(system.balance(&mut chain, BOB).unwrap(), u(40 * PRICE));
    let shortfall = out.events::<MsglSettlement::Shortfall>();
    assert_eq!(shortfall.len(), 1);
    assert_eq!(shortfall[0].channel, B256::from(pw.id()));
    assert_eq!(shortfall[0].payer, ALICE);
    assert_eq!(shortfall[0].owed, u(60 * PRICE));
    assert_eq!(shortfall[0].paid, u(40 * PRICE));
    let settled = out.events::<MsglSettlement::Settled>();
    assert_eq!(
        (settled[0].owed, settled[0].paid),
        (u(60 * PRICE), u(40 * PRICE))
    );
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().deposit,
        U256::ZERO
    );
    assert_eq!(
        system.channel(&mut chain, pw.id()).unwrap().escrow,
        U256::ZERO
    );
    assert_eq!(system.channel(&mut chain, pw.id()).unwrap().count, 60);

    // Nothing left: the next settlement pays nothing and says so.
    let s2 = statement(vec![pw.entry(60, 61)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s2))
        .unwrap();
    let out = system.settle(&mut chain, BOB, &s2).expect("settle");
    let shortfall = out.events::<MsglSettlement::Shortfall>();
    assert_eq!(
        (shortfall[0].owed, shortfall[0].paid),
        (u(PRICE), U256::ZERO)
    );
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), u(40 * PRICE));
}

#[test]
fn withdraw_waits_for_the_delay_and_payees_settle_meanwhile() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(40, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, U256::ZERO);

    expect_revert::<MsglSettlement::NoWithdrawRequest>(system.withdraw(&mut chain, ALICE));
    let e: MsglSettlement::InsufficientDeposit =
        expect_revert(system.request_withdraw(&mut chain, ALICE, u(101 * PRICE)));
    assert_eq!(e.available, u(100 * PRICE));

    let out = system
        .request_withdraw(&mut chain, ALICE, u(100 * PRICE))
        .unwrap();
    let requested = out.events::<MsglSettlement::WithdrawRequested>();
    let ready_at = chain.timestamp() + DELAY;
    assert_eq!(requested[0].readyAt, ready_at);
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().withdraw_ready_at,
        ready_at
    );

    let e: MsglSettlement::WithdrawNotReady = expect_revert(system.withdraw(&mut chain, ALICE));
    assert_eq!(e.readyAt, ready_at);
    chain.advance_time(DELAY - 1);
    expect_revert::<MsglSettlement::WithdrawNotReady>(system.withdraw(&mut chain, ALICE));

    // During the delay Bob settles against the requested deposit.
    let s = statement(vec![pw.entry(0, 30)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    system
        .settle(&mut chain, BOB, &s)
        .expect("settle during the delay");
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), u(30 * PRICE));

    chain.advance_time(1);
    let out = system
        .withdraw(&mut chain, ALICE)
        .expect("withdraw after the delay");
    let withdrawn = out.events::<MsglSettlement::Withdrawn>();
    assert_eq!(withdrawn[0].amount, u(70 * PRICE));
    assert_eq!(system.balance(&mut chain, ALICE).unwrap(), u(70 * PRICE));
    let account = system.account(&mut chain, ALICE).unwrap();
    assert_eq!(
        (account.deposit, account.withdraw_amount),
        (U256::ZERO, U256::ZERO)
    );
    // The request is used up.
    expect_revert::<MsglSettlement::NoWithdrawRequest>(system.withdraw(&mut chain, ALICE));
    assert_eq!(
        system
            .balance(&mut chain, system.settlement.address)
            .unwrap(),
        U256::ZERO
    );
}

#[test]
fn escrow_comes_back_after_the_delay_and_the_payee_settles_meanwhile() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(100 * PRICE));
    let pw = PayWord::new(50, 100);
    open(&mut chain, &system, ALICE, BOB, &pw, u(60 * PRICE));

    expect_revert::<MsglSettlement::NoReleaseRequest>(system.release_escrow(
        &mut chain,
        ALICE,
        pw.id(),
    ));
    let e: MsglSettlement::NotPayer =
        expect_revert(system.request_escrow_release(&mut chain, BOB, pw.id()));
    assert_eq!(e.caller, BOB);
    expect_revert::<MsglSettlement::UnknownChannel>(system.request_escrow_release(
        &mut chain,
        ALICE,
        PayWord::new(51, 5).id(),
    ));

    let out = system
        .request_escrow_release(&mut chain, ALICE, pw.id())
        .unwrap();
    let ready_at = chain.timestamp() + DELAY;
    let requested = out.events::<MsglSettlement::EscrowReleaseRequested>();
    assert_eq!(
        (requested[0].escrow, requested[0].readyAt),
        (u(60 * PRICE), ready_at)
    );
    assert_eq!(
        system.channel(&mut chain, pw.id()).unwrap().release_at,
        ready_at
    );
    chain.advance_time(DELAY - 1);
    let e: MsglSettlement::ReleaseNotReady =
        expect_revert(system.release_escrow(&mut chain, ALICE, pw.id()));
    assert_eq!(e.readyAt, ready_at);

    // Bob settles from the escrow during the delay.
    let s = statement(vec![pw.entry(0, 25)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    system.settle(&mut chain, BOB, &s).unwrap();
    assert_eq!(
        system.channel(&mut chain, pw.id()).unwrap().escrow,
        u(35 * PRICE)
    );

    chain.advance_time(1);
    expect_revert::<MsglSettlement::NotPayer>(system.release_escrow(&mut chain, BOB, pw.id()));
    let out = system
        .release_escrow(&mut chain, ALICE, pw.id())
        .expect("release");
    assert_eq!(
        out.events::<MsglSettlement::EscrowReleased>()[0].amount,
        u(35 * PRICE)
    );
    let channel = system.channel(&mut chain, pw.id()).unwrap();
    assert_eq!((channel.escrow, channel.release_at), (U256::ZERO, 0));
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().deposit,
        u(75 * PRICE)
    );

    // The channel stays open and is now paid from the deposit.
    let s = statement(vec![pw.entry(25, 30)]);
    system
        .register(&mut chain, VERIFIER, statement_hash(&s))
        .unwrap();
    system.settle(&mut chain, BOB, &s).unwrap();
    assert_eq!(
        system.account(&mut chain, ALICE).unwrap().deposit,
        u(70 * PRICE)
    );
    assert_eq!(system.balance(&mut chain, BOB).unwrap(), u(30 * PRICE));
}

#[test]
fn gas_does_not_grow_with_units() {
    let (mut chain, system) = setup();
    fund(&mut chain, &system, ALICE, u(1_000_000 * PRICE));
    // Bob already holds tokens, so neither payment creates his balance slot.
    system.mint(&mut chain, BOB, u(1)).unwrap();
    let mut gas = Vec::new();
    for (tag, units) in [(60, 1), (61, 1_000)] {
        let pw = PayWord::new(tag, 1_000);
        // Escrow left over either way: neither settlement clears the slot.
        open(&mut chain, &system, ALICE, BOB, &pw, u(2_000 * PRICE));
        let s = statement(vec![pw.entry(0, units)]);
        system
            .register(&mut chain, VERIFIER, statement_hash(&s))
            .unwrap();
        gas.push(system.settle(&mut chain, BOB, &s).unwrap().gas_used);
    }
    // Same storage work: only a few calldata bytes differ (4 or 16 gas each).
    let (one, thousand) = (gas[0], gas[1]);
    assert!(
        one.abs_diff(thousand) < 200,
        "1 unit: {one} gas, 1000 units: {thousand} gas"
    );
}

#[test]
fn the_registry_owner_manages_verifiers() {
    let (mut chain, system) = setup();
    let registry = system.registry.address;
    let fact = [7u8; 32];
    assert!(!system.is_registered(&mut chain, fact).unwrap());
    let owner = chain.read(registry, &FactRegistry::ownerCall {}).unwrap();
    assert_eq!(owner, DEPLOYER);

    // Only the owner sets verifiers.
    let e: FactRegistry::NotOwner = expect_revert(chain.send(
        VERIFIER,
        registry,
        &FactRegistry::setVerifierCall {
            verifier: CAROL,
            authorized: true,
        },
    ));
    assert_eq!(e.caller, VERIFIER);
    chain
        .send(
            DEPLOYER,
            registry,
            &FactRegistry::setVerifierCall {
                verifier: CAROL,
                authorized: true,
            },
        )
        .unwrap();
    let out = system.register(&mut chain, CAROL, fact).unwrap();
    assert_eq!(out.events::<FactRegistry::FactRegistered>().len(), 1);
    assert!(system.is_registered(&mut chain, fact).unwrap());
    // Registering again is harmless and says nothing.
    let again = system.register(&mut chain, VERIFIER, fact).unwrap();
    assert!(again.logs.is_empty());

    // A removed verifier can no longer register.
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
    chain
        .send(
            DEPLOYER,
            registry,
            &FactRegistry::transferOwnershipCall { newOwner: DAVE },
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
        DAVE,
        registry,
        &FactRegistry::transferOwnershipCall {
            newOwner: Address::ZERO,
        },
    ));
    chain
        .send(
            DAVE,
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
    let nonce = chain.nonce(ALICE);
    let err = system.withdraw(&mut chain, ALICE).unwrap_err();
    // A failed transaction changes nothing, not even the nonce.
    assert_eq!(chain.nonce(ALICE), nonce);
    system.mint(&mut chain, ALICE, u(1)).unwrap();
    assert_eq!(chain.nonce(ALICE), nonce + 1);
    assert_eq!(chain.nonce(DEPLOYER), 3);
    let failed = chain.deploy(DEPLOYER, vec![0xfe]).unwrap_err();
    assert!(failed.reason.contains("halted"), "{}", failed.reason);
    assert_eq!(chain.nonce(DEPLOYER), 3);
    assert!(err.reason.contains("NoWithdrawRequest"), "{}", err.reason);
    assert!(err.is::<MsglSettlement::NoWithdrawRequest>());
    assert!(err.gas_used > 21_000);
    // The token's own error comes through the settlement contract.
    let err = system.deposit(&mut chain, ALICE, u(5)).unwrap_err();
    assert!(
        err.reason.contains("InsufficientAllowance"),
        "{}",
        err.reason
    );
    // A deployed contract has code; a plain account has none.
    assert!(!chain.code(system.settlement.address).is_empty());
    assert!(chain.code(ALICE).is_empty());
}
