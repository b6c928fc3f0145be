//! The whole flow with the real `msgl` binary off chain and the committed,
//! compiled contracts in revm: deposit, open a channel with the anchor from
//! `msgl open` on the payee's signed terms, messages with acks, `msgl
//! prove --for-chain`, `msgl verify-proof`, the proof verified on chain by
//! MsglVerifier with `msgl calldata --verify`'s transactions, settle with
//! `msgl calldata`, book both sides with `msgl settled` from the transaction
//! receipts, claim; every misuse; debts and exits. No trusted registrar:
//! the settlement contract asks the verifier.

use crate::common;

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, U256};
use common::{hash, id, init, msgl, stdout, tempdir, Pair};
use msgl_settlement::evm::{Outcome, Revert};
use msgl_settlement::MsglSettlement;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

use common::evm::{account, price, units};
use common::evm::{OnChain, ANYONE};

const DELAY: u64 = 3600;

pub(crate) struct World {
    on: OnChain,
    /// The EVM addresses of the payer's and the payee's homes (keys/evm.key).
    pub(crate) payer: Address,
    pub(crate) payee: Address,
}

/// The contracts, and Node1 (payee) and Node2 (payer) whose msgl.yaml
/// names them (`chain:`), peers of each other with their EVM addresses;
/// the payer deposits `deposit_units`, opens a channel of `length` units
/// with `escrow_units` of escrow (`msgl open --escrow`), the payee accepts
/// it (`msgl accept-open -o`), and the payer opens it on chain with that
/// acceptance.
pub(crate) fn setup(length: u64, escrow_units: u64, deposit_units: u64) -> (Pair, World) {
    let on = OnChain::deploy(DELAY);
    let dir = tempdir();
    let d = dir.path().to_path_buf();
    let payee = init(&d, "Node1");
    let payer = init(&d, "Node2");
    for h in [&payee, &payer] {
        on.configure(h);
    }
    let (payer_evm, payee_evm) = (common::evm::address(&payer), common::evm::address(&payee));
    msgl(&payee)
        .args([
            "peer",
            "add",
            "Node2",
            &id(&payer),
            "--policy",
            "credit:100",
        ])
        .args(["--address", &payer_evm.to_string()])
        .assert()
        .success();
    msgl(&payer)
        .args(["peer", "add", "Node1", &id(&payee)])
        .args(["--address", &payee_evm.to_string()])
        .assert()
        .success();
    let mut w = World {
        on,
        payer: payer_evm,
        payee: payee_evm,
    };
    w.on.fund(payer_evm, units(1_000_000), units(deposit_units));
    let p = Pair {
        open: d.join("open.yaml"),
        _dir: dir,
        dir: d,
        payee,
        payer,
    };
    w.open_next(&p, "open.yaml", length, escrow_units);
    (p, w)
}

fn anchor_of(open: &Path) -> [u8; 32] {
    msgl_node::objects::Open::from_yaml(&std::fs::read_to_string(open).unwrap())
        .unwrap()
        .channel
}

impl World {
    /// The payer opens its next channel to the payee (`msgl open`, written
    /// to `DIR/file`), the payee accepts it (`msgl accept-open -o`), and the
    /// payer opens it on chain with the payee's acceptance.
    fn open_next(&mut self, p: &Pair, file: &str, length: u64, escrow_units: u64) -> PathBuf {
        let open = p.dir.join(file);
        let acceptance = open.with_extension("acceptance.yaml");
        msgl(&p.payer)
            .args([
                "-q",
                "open",
                "--to",
                "Node1",
                "--units",
                &length.to_string(),
            ])
            .args(["--escrow", &msgl::demo::tokens(units(escrow_units)), "-o"])
            .arg(&open)
            .assert()
            .success();
        msgl(&p.payee)
            .args(["-q", "accept-open"])
            .arg(&open)
            .arg("-o")
            .arg(&acceptance)
            .assert()
            .success();
        let signed =
            msgl_node::objects::Open::from_yaml(&std::fs::read_to_string(&open).unwrap()).unwrap();
        assert_eq!(
            (signed.length, signed.unit_price, signed.escrow),
            (
                length,
                price().to::<u128>(),
                units(escrow_units).to::<u128>()
            )
        );
        self.on.open(self.payer, &open, &acceptance);
        open
    }

    pub(crate) fn verify(&mut self, home: &Path, proof: &Path) -> Vec<Outcome> {
        self.on.verify(home, proof)
    }

    pub(crate) fn settle(
        &mut self,
        from: Address,
        home: &Path,
        proof: &Path,
    ) -> Result<Outcome, Revert> {
        self.on.settle(from, home, proof)
    }

    pub(crate) fn receipt(&mut self, dir: &Path, out: &Outcome) -> PathBuf {
        self.on.receipt(dir, out)
    }

    fn balance(&mut self, who: Address) -> U256 {
        self.on.sys.balance(&mut self.on.chain, who).unwrap()
    }

    /// `msgl settled RECEIPT` in `home` (the contract of its `chain:`).
    fn settled(&self, home: &Path, receipt: &Path) -> assert_cmd::assert::Assert {
        msgl(home).arg("settled").arg(receipt).assert()
    }
}

pub(crate) fn prove(p: &Pair, out: &str, state: Option<&Path>) -> PathBuf {
    let dir = p.dir.join(out);
    let mut c = msgl(&p.payee);
    c.arg("-q")
        .args(["prove", "--for-chain"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&dir);
    if let Some(s) = state {
        c.arg("--state").arg(s);
    }
    c.assert().success();
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&dir)
        .assert()
        .success();
    dir
}

fn expect<E: alloy_sol_types::SolError>(r: Result<Outcome, Revert>) {
    match r {
        Ok(o) => panic!("expected {} but it succeeded: {o:?}", E::SIGNATURE),
        Err(e) => assert!(e.is::<E>(), "expected {}, got {}", E::SIGNATURE, e.reason),
    }
}

/// The one `EntrySkipped` reason of a settlement.
fn skipped(out: &Outcome) -> u8 {
    let s = out.events::<MsglSettlement::EntrySkipped>();
    assert_eq!(s.len(), 1, "{out:?}");
    s[0].reason
}

/// The contract's view of a channel after a settlement, as `--state`.
fn state_after(proof: &Path) -> PathBuf {
    let st = common::statement(proof);
    let mut text = String::new();
    for e in &st.entries {
        text += &format!(
            "- channel: {}\n  tip: {}\n  count: {}\n",
            hex::encode(e.channel),
            hex::encode(msgl_circuits::poseidon2::pack(&e.new_preimage)),
            e.new_count,
        );
    }
    let path = proof.with_extension("state.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// (receivable, payable) of the home's only peer, as `msgl peers -O json` says.
fn ar_ap(home: &Path) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(home).args(["peers", "-O", "json"]))).unwrap();
    let row = &v[0];
    (
        row["receivable"].as_str().unwrap().to_string(),
        row["payable"].as_str().unwrap().to_string(),
    )
}

#[test]
fn hundred_messages_settle_for_exactly_units_times_price_and_every_misuse_fails() {
    let (p, mut w) = setup(1000, 200, 500);

    for i in 1..=100 {
        p.exchange(i, 1);
    }
    let proof1 = prove(&p, "proof1", None);
    // Not yet verified on chain: the statement is not proven there.
    expect::<MsglSettlement::StatementNotProven>(w.settle(w.payee, &p.payee, &proof1));
    w.verify(&p.payee, &proof1);
    let out = w.settle(w.payee, &p.payee, &proof1).unwrap();
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(100),
        "exactly units x price"
    );
    assert!(out.events::<MsglSettlement::Shortfall>().is_empty());
    let r1 = w.receipt(&p.dir, &out);
    let ch =
        w.on.sys
            .channel(&mut w.on.chain, anchor_of(&p.open))
            .unwrap();
    assert_eq!(ch.count, 100);
    // The same calldata again: the tip moved on, the entry is skipped.
    let again = w.settle(w.payee, &p.payee, &proof1).unwrap();
    assert_eq!(skipped(&again), 2);

    // More messages; the payee settles alone, from the contract's view
    // given as --state ...
    for i in 101..=130 {
        p.exchange(i, 2);
    }
    let state = state_after(&proof1);
    let proof2 = prove(&p, "proof2", Some(&state));
    // ... or from its own record of the first settlement (booked from its
    // receipt): the same statement.
    w.settled(&p.payee, &r1)
        .success()
        .stdout(contains("SETTLED: received 0.001 from Node2 (100 units)"));
    let proof2b = prove(&p, "proof2b", None);
    assert_eq!(
        std::fs::read(proof2.join("statement.yaml")).unwrap(),
        std::fs::read(proof2b.join("statement.yaml")).unwrap()
    );
    w.verify(&p.payee, &proof2);
    let out = w.settle(w.payee, &p.payee, &proof2).unwrap();
    let r2 = w.receipt(&p.dir, &out);
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(160)
    );

    // Both sides book each settlement from its receipt, in any order; a
    // second run books nothing more.
    assert_eq!(
        ar_ap(&p.payee).0,
        "0.0006",
        "proof1 is booked: 60 units left"
    );
    assert_eq!(ar_ap(&p.payer).1, "0.0016", "the payer booked nothing yet");
    w.settled(&p.payer, &r2)
        .success()
        .stdout(contains("SETTLED: paid 0.0006 to Node1 (60 units)"));
    w.settled(&p.payer, &r1)
        .success()
        .stdout(contains("SETTLED: paid 0.001 to Node1 (100 units)"));
    w.settled(&p.payee, &r2)
        .success()
        .stdout(contains("SETTLED: received 0.0006 from Node2 (60 units)"));
    for home in [&p.payee, &p.payer] {
        msgl(home)
            .arg("settled")
            .arg(&r1)
            .arg(&r2)
            .args(["--settlement", &w.on.sys.settlement.address.to_string()])
            .assert()
            .success()
            .stdout(contains("already booked"))
            .stdout(contains("booked (").not());
        msgl(home).arg("check").assert().success();
    }
    // The mirror: A/R and A/P are both settled, the payee's is claimable.
    assert_eq!(ar_ap(&p.payee).0, "0");
    assert_eq!(ar_ap(&p.payer).1, "0");
    assert_eq!(account(&p.payee, "Assets:Contract:Claimable"), "0.0016");
    assert_eq!(account(&p.payer, "Assets:Contract:Deposit"), "-0.0016");

    // The payee claims; the claim's receipt books CLAIMED into cash.
    let claim = w.on.sys.claim(&mut w.on.chain, w.payee, w.payee).unwrap();
    let rc = w.receipt(&p.dir, &claim);
    assert_eq!(w.balance(w.payee), units(160));
    // Booked for the home whose keys/evm.key claimed.
    w.settled(&p.payee, &rc)
        .success()
        .stdout(contains("CLAIMED: 0.0016 into Assets:Cash:SNT"));
    assert_eq!(account(&p.payee, "Assets:Contract:Claimable"), "0");
    assert_eq!(account(&p.payee, "Assets:Cash:SNT"), "0.0016");
    // Someone else's claim books nothing here.
    w.settled(&p.payer, &rc)
        .success()
        .stdout(contains("claims not booked: 1 claim by other addresses"));

    // A proof from the anchor (ignoring what was settled): skipped, stale.
    let empty_state = p.dir.join("empty-state.yaml");
    std::fs::write(
        &empty_state,
        format!(
            "- channel: {}\n  tip: {}\n  count: 0\n",
            hex::encode(anchor_of(&p.open)),
            hex::encode(anchor_of(&p.open))
        ),
    )
    .unwrap();
    let stale = prove(&p, "stale", Some(&empty_state));
    w.verify(&p.payee, &stale);
    let out = w.settle(w.payee, &p.payee, &stale).unwrap();
    assert_eq!(skipped(&out), 2);
    let r = w.receipt(&p.dir, &out);
    w.settled(&p.payee, &r)
        .success()
        .stdout(contains("skipped on chain: channel"))
        .stdout(contains("stale"));

    // A channel that was never opened on chain: skipped.
    let open2 = p.dir.join("open2.yaml");
    msgl(&p.payer)
        .args(["open", "--to", "Node1", "--units", "50", "-o"])
        .arg(&open2)
        .assert()
        .success();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&open2)
        .assert()
        .success();
    let f = p.dir.join("ack-g2.yaml");
    msgl(&p.payer)
        .args([
            "-q",
            "ack",
            "--to",
            "Node1",
            "-m",
            &hash(9999),
            "--price",
            "3",
            "-o",
        ])
        .arg(&f)
        .assert()
        .success();
    msgl(&p.payee)
        .args(["-q", "accept"])
        .arg(&f)
        .assert()
        .success();
    let only_new = p.dir.join("only-new");
    std::fs::create_dir(&only_new).unwrap();
    std::fs::copy(&f, only_new.join("ack.yaml")).unwrap();
    let unknown = p.dir.join("unknown");
    msgl(&p.payee)
        .arg("-q")
        .args(["prove", "--for-chain"])
        .arg(&only_new)
        .arg("-o")
        .arg(&unknown)
        .assert()
        .success();
    w.verify(&p.payee, &unknown);
    assert_eq!(skipped(&w.settle(w.payee, &p.payee, &unknown).unwrap()), 0);
}

#[test]
fn an_underfunded_channel_pays_its_escrow_and_the_rest_stays_owed_until_a_top_up() {
    let (p, mut w) = setup(1000, 10, 100);

    for i in 1..=30 {
        p.exchange(i, 1);
    }
    let proof = prove(&p, "proof", None);
    w.verify(&p.payee, &proof);
    let out = w.settle(w.payee, &p.payee, &proof).unwrap();
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(10),
        "the escrow, and only the escrow"
    );
    let short = out.events::<MsglSettlement::Shortfall>();
    assert_eq!((short[0].unpaid, short[0].debt), (units(20), units(20)));
    let r = w.receipt(&p.dir, &out);

    // Both sides book what was paid; the rest stays owed in their books,
    // as it does on chain.
    w.settled(&p.payee, &r)
        .success()
        .stdout(contains("SETTLED: received 0.0001 from Node2 (30 units)"))
        .stdout(contains("debt on chain: channel"))
        .stdout(contains("(Node2): 0.0002 unpaid"));
    w.settled(&p.payer, &r)
        .success()
        .stdout(contains("SETTLED: paid 0.0001 to Node1 (30 units)"));
    assert_eq!(ar_ap(&p.payee).0, "0.0002");
    assert_eq!(ar_ap(&p.payer).1, "0.0002");

    // The payer tops the channel up: the debt is paid first, to the payee.
    let id = anchor_of(&p.open);
    let top =
        w.on.sys
            .top_up(&mut w.on.chain, w.payer, id, units(25))
            .unwrap();
    let r = w.receipt(&p.dir, &top);
    w.settled(&p.payee, &r).success().stdout(contains(
        "SETTLED: received 0.0002 from Node2 (a paid debt)",
    ));
    w.settled(&p.payer, &r)
        .success()
        .stdout(contains("SETTLED: paid 0.0002 to Node1 (a paid debt)"));
    w.settled(&p.payer, &r)
        .success()
        .stdout(contains("already booked"));
    assert_eq!(ar_ap(&p.payee).0, "0");
    assert_eq!(ar_ap(&p.payer).1, "0");
    assert_eq!(account(&p.payee, "Assets:Contract:Claimable"), "0.0003");
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(30)
    );
    for home in [&p.payee, &p.payer] {
        msgl(home).arg("check").assert().success();
    }
}

#[test]
fn an_exiting_payer_waits_and_the_payee_settles_meanwhile() {
    let (p, mut w) = setup(1000, 60, 100);
    let id = anchor_of(&p.open);

    for i in 1..=50 {
        p.exchange(i, 1);
    }
    // The payer asks for its escrow back, then disappears.
    w.on.sys.request_exit(&mut w.on.chain, w.payer, id).unwrap();
    expect::<MsglSettlement::ExitNotReady>(w.on.sys.release_escrow(&mut w.on.chain, w.payer, id));
    // The payee settles alone, with its latest ack, during the delay.
    let proof = prove(&p, "proof", None);
    w.verify(&p.payee, &proof);
    w.settle(w.payee, &p.payee, &proof).unwrap();
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(50)
    );
    w.on.chain.advance_time(DELAY);
    w.on.sys
        .release_escrow(&mut w.on.chain, w.payer, id)
        .unwrap();
    assert_eq!(
        w.on.sys.deposit_of(&mut w.on.chain, w.payer).unwrap(),
        units(40 + 10),
        "the rest of the escrow, and the free deposit"
    );
}

/// Low (issue 13): `msgl settled` booked without a receipt, from the
/// proof directory, and took the shortfall typed by hand
/// (`--shortfall CH=AMOUNT`). It now books only what a receipt of the
/// settlement contract says, and refuses what does not add up.
#[test]
fn msgl_settled_books_only_from_the_contracts_receipt() {
    let (p, mut w) = setup(1000, 100, 100);

    for i in 1..=10 {
        p.exchange(i, 1);
    }
    let proof = prove(&p, "proof", None);
    w.verify(&p.payee, &proof);
    let out = w.settle(w.payee, &p.payee, &proof).unwrap();
    let journal = p.payee.join("journal.ledger");
    let before = std::fs::read(&journal).unwrap();
    let unchanged = |what: &str| {
        assert_eq!(std::fs::read(&journal).unwrap(), before, "{what}");
        assert!(!p.payee.join("channels/settled.yaml").exists(), "{what}");
    };

    // No typed numbers: --shortfall is gone, a proof directory is no receipt.
    msgl(&p.payee)
        .args(["settled", "--shortfall", "abcd=1"])
        .arg(&proof)
        .assert()
        .code(2);
    w.settled(&p.payee, &proof.join("statement.yaml"))
        .code(2)
        .stderr(contains("not a transaction receipt"));
    w.settled(&p.payee, &proof)
        .code(2)
        .stderr(contains("a directory, not a transaction receipt"));
    unchanged("no receipt");

    // A failed transaction settled nothing.
    let mut failed = out.receipt();
    if let alloy_consensus::ReceiptEnvelope::Eip1559(r) = &mut failed.inner {
        r.receipt.status = false.into();
    }
    let f = p.dir.join("failed.json");
    std::fs::write(&f, serde_json::to_string(&failed).unwrap()).unwrap();
    w.settled(&p.payee, &f)
        .code(1)
        .stderr(contains("failed on chain"));
    unchanged("failed");

    // Another contract's logs are not the settlement's (the same events,
    // emitted elsewhere); and --settlement must be this node's contract.
    let mut elsewhere = out.receipt();
    if let alloy_consensus::ReceiptEnvelope::Eip1559(r) = &mut elsewhere.inner {
        for log in &mut r.receipt.logs {
            log.inner.address = Address::repeat_byte(0x99);
        }
    }
    let f = p.dir.join("elsewhere.json");
    std::fs::write(&f, serde_json::to_string(&elsewhere).unwrap()).unwrap();
    w.settled(&p.payee, &f)
        .code(1)
        .stderr(contains("has no settlement"));
    let r = w.receipt(&p.dir, &out);
    msgl(&p.payee)
        .arg("settled")
        .arg(&r)
        .args(["--settlement", &Address::repeat_byte(0x99).to_string()])
        .assert()
        .code(2)
        .stderr(contains("is not this node's settlement contract"));
    unchanged("another contract");

    // A settlement at another price than the signed open's: the channel on
    // chain is not the one signed; refused (a forged receipt here).
    let mut forged = out.receipt();
    if let alloy_consensus::ReceiptEnvelope::Eip1559(r) = &mut forged.inner {
        for log in &mut r.receipt.logs {
            if log.topic0()
                == Some(&<MsglSettlement::Settled as alloy_sol_types::SolEvent>::SIGNATURE_HASH)
            {
                let mut e =
                    <MsglSettlement::Settled as alloy_sol_types::SolEvent>::decode_log(&log.inner)
                        .unwrap()
                        .data;
                e.owed = U256::from(10u64);
                e.paid = U256::from(10u64);
                log.inner.data = alloy_sol_types::SolEvent::encode_log_data(&e);
            }
        }
    }
    let f = p.dir.join("forged.json");
    std::fs::write(&f, serde_json::to_string(&forged).unwrap()).unwrap();
    w.settled(&p.payee, &f)
        .code(1)
        .stderr(contains("the signed open says"));
    unchanged("forged price");

    // A JSON-RPC response wrapping the receipt is read too; it books.
    let rpc = serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": out.receipt()});
    let f = p.dir.join("rpc.json");
    std::fs::write(&f, rpc.to_string()).unwrap();
    w.settled(&p.payee, &f)
        .success()
        .stdout(contains("SETTLED: received 0.0001 from Node2 (10 units)"));
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(
        text.contains(&format!(
            "; settled: {}-10, tx: {}\n",
            hex::encode(&anchor_of(&p.open)[..8]),
            out.tx_hash
        )),
        "{text}"
    );
}

/// A batch too large for one settle transaction is split into parts, each
/// proven, verified on chain and settled in its own transactions, in order.
#[test]
fn a_batch_split_into_parts_settles_part_by_part() {
    let (p, mut w) = setup(1000, 100, 1000);

    let mut i = 0;
    let mut exchange = |n: u64| {
        for _ in 0..n {
            i += 1;
            p.exchange(i, 1);
        }
    };
    exchange(3);
    // Two more generations of the channel, each opened on chain.
    for g in 2..=3 {
        w.open_next(&p, &format!("open-g{g}.yaml"), 100, 100);
        exchange(2);
    }
    let out = p.dir.join("split");
    let said = stdout(
        msgl(&p.payee)
            .args(["prove", "--for-chain"])
            .arg(p.payee.join("acks"))
            .arg("-o")
            .arg(&out)
            .args(["--max-entries", "2"]),
    );
    assert!(
        said.contains("7 units in 3 channels from 3 files in 2 parts"),
        "{said}"
    );
    assert!(out.join("part-1/statement.yaml").is_file());
    assert!(!out.join("statement.yaml").exists());
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains(
            "valid on-chain proof of 3 entries, 7 units in 2 parts",
        ));
    let lines = |verify: bool| -> Vec<Vec<u8>> {
        let mut c = msgl(&p.payee);
        c.arg("calldata").arg(&out);
        if verify {
            c.arg("--verify");
        }
        stdout(&mut c)
            .lines()
            .map(|l| hex::decode(l.strip_prefix("0x").unwrap()).unwrap())
            .collect()
    };
    let (verifies, settles) = (lines(true), lines(false));
    assert_eq!((verifies.len(), settles.len()), (2, 2));
    // --part K is one of them.
    let second = stdout(
        msgl(&p.payee)
            .arg("calldata")
            .arg(&out)
            .args(["--part", "2"]),
    );
    assert_eq!(
        hex::decode(second.trim().strip_prefix("0x").unwrap()).unwrap(),
        settles[1]
    );
    msgl(&p.payee)
        .arg("calldata")
        .arg(&out)
        .args(["--part", "3"])
        .assert()
        .code(2);
    let mut receipts = Vec::new();
    for (verify, settle) in verifies.into_iter().zip(settles) {
        w.on.chain
            .call(ANYONE, w.on.sys.registry.address, verify)
            .unwrap();
        let o =
            w.on.chain
                .call(w.payee, w.on.sys.settlement.address, settle)
                .unwrap();
        assert!(o.events::<MsglSettlement::EntrySkipped>().is_empty());
        receipts.push(w.receipt(&p.dir, &o));
    }
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(7)
    );
    msgl(&p.payee)
        .arg("settled")
        .args(&receipts)
        .args(["--settlement", &w.on.sys.settlement.address.to_string()])
        .assert()
        .success()
        .stdout(contains("recorded 3 channels as settled (7 units)"));
    assert_eq!(ar_ap(&p.payee).0, "0");
}

/// Issue 18: the settlement contract trusts no registrar, it asks the
/// on-chain verifier. A proof directory whose proof or statement was
/// changed is refused by `msgl calldata --verify` (exit 1, nothing printed)
/// and by `msgl verify-proof`; sent to the verifier anyway, it reverts,
/// records no fact, and the statement does not settle. The honest proof
/// then verifies and settles.
#[test]
fn a_tampered_proof_is_refused_by_calldata_verify_and_reverts_on_the_verifier() {
    let (p, mut w) = setup(1000, 100, 100);
    for i in 1..=5 {
        p.exchange(i, 1);
    }
    let honest = prove(&p, "proof", None);
    let statement = common::statement(&honest);
    let bytes = std::fs::read(honest.join("proof.bin")).unwrap();
    let proof = msgl_circuits::ChainProof::from_bytes(&bytes).unwrap();

    // A flipped bit in the trace commitment; a statement claiming one more
    // unit than was acked; the proof of that statement's honest run under
    // another deployment (the domain is in the fact and the transcript).
    let mut flipped = proof.clone();
    flipped.stark.0.commitments[1].0[5] ^= 1;
    let mut more = statement.clone();
    more.entries[0].new_count += 1;
    let mut elsewhere = statement.clone();
    elsewhere.domain.chain_id += 1;
    let cases = [
        ("flipped", statement.clone(), flipped),
        ("more-units", more, proof.clone()),
        ("other-chain", elsewhere, proof.clone()),
    ];
    for (name, st, pr) in cases {
        let dir = p.dir.join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(
            dir.join("statement.yaml"),
            serde_yaml::to_string(&st).unwrap(),
        )
        .unwrap();
        std::fs::write(dir.join("proof.bin"), pr.to_bytes()).unwrap();
        msgl(&p.payee)
            .args(["calldata", "--verify"])
            .arg(&dir)
            .assert()
            .code(1)
            .stdout("")
            .stderr(contains("does not verify"));
        msgl(&p.payee)
            .arg("verify-proof")
            .arg(&dir)
            .assert()
            .code(1);
        let e = msgl_node::proof::verify_dir(&dir).unwrap_err();
        assert!(
            matches!(
                e,
                msgl_node::error::Error::Proof {
                    why: msgl_circuits::VerifyError::Rejected(_),
                    ..
                }
            ),
            "{name}: {e:?}"
        );
        // Sent anyway, as the verifier's calldata of that statement and proof.
        let data = msgl_settlement::verifier::verify_calldata(&st, &pr);
        let r = w.on.chain.call(ANYONE, w.on.sys.registry.address, data);
        assert!(r.is_err(), "{name}: the verifier accepted {r:?}");
        let fact = msgl_settlement::statement_hash(&st);
        assert!(
            !w.on.sys.is_registered(&mut w.on.chain, fact).unwrap(),
            "{name}"
        );
        expect::<MsglSettlement::StatementNotProven>(w.on.chain.call(
            w.payee,
            w.on.sys.settlement.address,
            msgl_settlement::settle_calldata(&st),
        ));
    }

    w.verify(&p.payee, &honest);
    assert!(w
        .on
        .sys
        .is_registered(&mut w.on.chain, msgl_settlement::statement_hash(&statement))
        .unwrap());
    w.settle(w.payee, &p.payee, &honest).unwrap();
    assert_eq!(
        w.on.sys.claimable(&mut w.on.chain, w.payee).unwrap(),
        units(5)
    );
}
