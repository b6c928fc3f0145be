//! The whole flow with the real `msgl` binary off chain and the committed,
//! compiled contracts in revm: deposit, open a channel with the anchor from
//! `msgl open`, messages with acks, `msgl prove`, `msgl verify-proof`,
//! register, settle with `msgl calldata`; every revert the issue lists; the
//! escape paths.

mod common;

use std::path::Path;

use alloy_primitives::{Address, U256};
use common::{hash, msgl, pair, stdout, Pair};
use msgl_settlement::evm::{Chain, Outcome, Revert};
use msgl_settlement::system::{OpenChannel, System};
use msgl_settlement::MsglSettlement;

const DEPLOYER: Address = Address::repeat_byte(0xd0);
const VERIFIER: Address = Address::repeat_byte(0xfe);
const PAYER: Address = Address::repeat_byte(0x22);
const PAYEE: Address = Address::repeat_byte(0x11);
const DELAY: u64 = 3600;

/// 0.00001 SNT at 18 decimals: the nodes' unit price.
fn price() -> U256 {
    U256::from(10_000_000_000_000u64)
}

fn units(n: u64) -> U256 {
    price() * U256::from(n)
}

struct World {
    chain: Chain,
    sys: System,
}

fn world(deposit_units: u64) -> World {
    let mut chain = Chain::new();
    let sys = System::deploy(&mut chain, DEPLOYER, "SNT", 18, VERIFIER, DELAY).unwrap();
    sys.mint(&mut chain, PAYER, units(1_000_000)).unwrap();
    sys.approve(&mut chain, PAYER, units(1_000_000)).unwrap();
    sys.deposit(&mut chain, PAYER, units(deposit_units))
        .unwrap();
    World { chain, sys }
}

fn anchor_of(open: &Path) -> [u8; 32] {
    let text = std::fs::read_to_string(open).unwrap();
    let hexa = text
        .lines()
        .find_map(|l| l.strip_prefix("anchor: "))
        .unwrap();
    hex::decode(hexa.trim().trim_matches(['\'', '"']))
        .unwrap()
        .try_into()
        .unwrap()
}

impl World {
    fn open(&mut self, open: &Path, length: u64, escrow_units: u64) {
        let o = OpenChannel {
            payee: PAYEE,
            anchor: anchor_of(open),
            units: length,
            unit_price: price(),
            escrow: units(escrow_units),
        };
        self.sys.open_channel(&mut self.chain, PAYER, &o).unwrap();
    }

    /// Sends `msgl calldata [--register] DIR`'s bytes as `from`.
    fn send(
        &mut self,
        from: Address,
        home: &Path,
        proof: &Path,
        register: bool,
    ) -> Result<Outcome, Revert> {
        let mut cmd = msgl(home);
        cmd.arg("calldata");
        if register {
            cmd.arg("--register");
        }
        let data = stdout(cmd.arg(proof));
        let data = hex::decode(data.trim().strip_prefix("0x").unwrap()).unwrap();
        let to = if register {
            self.sys.registry.address
        } else {
            self.sys.settlement.address
        };
        self.chain.call(from, to, data)
    }

    fn balance(&mut self, who: Address) -> U256 {
        self.sys.balance(&mut self.chain, who).unwrap()
    }
}

fn prove(w: &World, p: &Pair, out: &str, state: Option<&Path>) -> std::path::PathBuf {
    let dir = p.dir.join(out);
    let mut c = msgl(&p.payee);
    c.arg("-q")
        .arg("prove")
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&dir)
        .args(domain_flags(&w.sys));
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

/// `--chain-id --settlement --token` of a deployment.
fn domain_flags(sys: &System) -> Vec<String> {
    let d = sys.domain();
    vec![
        "--chain-id".into(),
        d.chain_id.to_string(),
        "--settlement".into(),
        sys.settlement.address.to_string(),
        "--token".into(),
        sys.token.address.to_string(),
    ]
}

fn expect<E: alloy_sol_types::SolError>(r: Result<Outcome, Revert>) {
    match r {
        Ok(o) => panic!("expected {} but it succeeded: {o:?}", E::SIGNATURE),
        Err(e) => assert!(e.is::<E>(), "expected {}, got {}", E::SIGNATURE, e.reason),
    }
}

/// The contract's view of a channel after a settlement, as `--state`.
fn state_after(proof: &Path) -> std::path::PathBuf {
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

#[test]
fn hundred_messages_settle_for_exactly_units_times_price_and_every_misuse_reverts() {
    let p = pair(1000);
    let mut w = world(500);
    w.open(&p.open, 1000, 200);
    for i in 1..=100 {
        p.exchange(i, 1);
    }
    let proof1 = prove(&w, &p, "proof1", None);
    // Not yet registered: the statement is not proven on chain.
    expect::<MsglSettlement::StatementNotProven>(w.send(PAYEE, &p.payee, &proof1, false));
    // Only the registry's verifier may register.
    assert!(w.send(PAYEE, &p.payee, &proof1, true).is_err());
    w.send(VERIFIER, &p.payee, &proof1, true).unwrap();
    let before = w.balance(PAYEE);
    let out = w.send(PAYEE, &p.payee, &proof1, false).unwrap();
    assert_eq!(
        w.balance(PAYEE) - before,
        units(100),
        "exactly units x price"
    );
    assert!(out.events::<MsglSettlement::Shortfall>().is_empty());
    let ch = w.sys.channel(&mut w.chain, anchor_of(&p.open)).unwrap();
    assert_eq!(ch.count, 100);
    // The same calldata again: the tip moved on.
    expect::<MsglSettlement::StaleTip>(w.send(PAYEE, &p.payee, &proof1, false));

    // More messages; the payee settles alone, from the contract's view
    // given as --state ...
    for i in 101..=130 {
        p.exchange(i, 2);
    }
    let state = state_after(&proof1);
    let proof2 = prove(&w, &p, "proof2", Some(&state));
    // ... or from its own record of the first settlement: the same statement.
    msgl(&p.payee)
        .arg("-q")
        .arg("settled")
        .arg(&proof1)
        .assert()
        .success();
    let proof2b = prove(&w, &p, "proof2b", None);
    assert_eq!(
        std::fs::read(proof2.join("statement.yaml")).unwrap(),
        std::fs::read(proof2b.join("statement.yaml")).unwrap()
    );
    w.send(VERIFIER, &p.payee, &proof2, true).unwrap();
    let before = w.balance(PAYEE);
    w.send(PAYEE, &p.payee, &proof2, false).unwrap();
    assert_eq!(w.balance(PAYEE) - before, units(60));

    // Both sides book the settlement; a second run books nothing more. The
    // payer never recorded proof1: it books both settlements' units now.
    let ar_ap = |home: &std::path::Path| -> (String, String) {
        let v: serde_json::Value =
            serde_json::from_str(&stdout(msgl(home).args(["peers", "-O", "json"]))).unwrap();
        let row = &v[0];
        (
            row["receivable"].as_str().unwrap().to_string(),
            row["payable"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(
        ar_ap(&p.payee).0,
        "0.0006",
        "proof1 is booked: 60 units left"
    );
    assert_eq!(ar_ap(&p.payer).1, "0.0016", "the payer booked nothing yet");
    for (home, said) in [
        (&p.payee, "SETTLED: received 0.0006 from Node2 (60 units)"),
        (&p.payer, "SETTLED: paid 0.0016 to Node1 (160 units)"),
    ] {
        msgl(home)
            .arg("settled")
            .arg(&proof2)
            .assert()
            .success()
            .stdout(predicates::str::contains(said));
        msgl(home)
            .arg("settled")
            .arg(&proof2)
            .assert()
            .success()
            .stdout(predicates::str::contains("already booked"));
        msgl(home).arg("check").assert().success();
    }
    assert_eq!(ar_ap(&p.payee).0, "0");
    assert_eq!(ar_ap(&p.payer).1, "0");
    let cash = stdout(msgl(&p.payee).args(["balance", "--flat", "-O", "csv", "Assets:Cash"]));
    assert!(cash.contains("Assets:Cash:SNT,,0.0016\n"), "{cash}");
    // A record never moves backwards.
    msgl(&p.payee).arg("settled").arg(&proof1).assert().code(1);
    // A proof from the anchor (ignoring what was settled): stale tip.
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
    let stale = prove(&w, &p, "stale", Some(&empty_state));
    w.send(VERIFIER, &p.payee, &stale, true).unwrap();
    expect::<MsglSettlement::StaleTip>(w.send(PAYEE, &p.payee, &stale, false));

    // A channel that was never opened on chain.
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
        .arg("prove")
        .arg(&only_new)
        .arg("-o")
        .arg(&unknown)
        .args(domain_flags(&w.sys))
        .assert()
        .success();
    w.send(VERIFIER, &p.payee, &unknown, true).unwrap();
    expect::<MsglSettlement::UnknownChannel>(w.send(PAYEE, &p.payee, &unknown, false));
}

#[test]
fn an_underfunded_payer_pays_what_it_has_and_a_shortfall_is_emitted() {
    let p = pair(1000);
    let mut w = world(15);
    w.open(&p.open, 1000, 10);
    for i in 1..=30 {
        p.exchange(i, 1);
    }
    let proof = prove(&w, &p, "proof", None);
    w.send(VERIFIER, &p.payee, &proof, true).unwrap();
    let before = w.balance(PAYEE);
    let out = w.send(PAYEE, &p.payee, &proof, false).unwrap();
    assert_eq!(
        w.balance(PAYEE) - before,
        units(15),
        "escrow (10) then deposit (5)"
    );
    let short = out.events::<MsglSettlement::Shortfall>();
    assert_eq!(short.len(), 1);
    assert_eq!(short[0].owed, units(30));
    assert_eq!(short[0].paid, units(15));

    // Both sides book what was paid; the rest stays owed in their books.
    let id = hex::encode(&short[0].channel[..8]);
    let unpaid = msgl::demo::tokens(short[0].owed - short[0].paid);
    assert_eq!(unpaid, "0.00015");
    for (bad, why) in [
        (format!("{id}=0.5"), "more than the 0.00030 settled"),
        (format!("{}=0.1", "ab".repeat(8)), "is not in this batch"),
        (format!("{id}:0.1"), "bad --shortfall"),
        (format!("{id}=-1"), "bad --shortfall"),
    ] {
        let before = std::fs::read(p.payee.join("journal.ledger")).unwrap();
        msgl(&p.payee)
            .args(["settled", "--shortfall", &bad])
            .arg(&proof)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(why));
        assert_eq!(
            std::fs::read(p.payee.join("journal.ledger")).unwrap(),
            before
        );
        assert!(!p.payee.join("channels/settled.yaml").exists());
    }
    let standing = |home: &std::path::Path, field: &str| -> String {
        let v: serde_json::Value =
            serde_json::from_str(&stdout(msgl(home).args(["peers", "-O", "json"]))).unwrap();
        v[0][field].as_str().unwrap().to_string()
    };
    for (home, said, field) in [
        (
            &p.payee,
            "SETTLED: received 0.00015 from Node2 (30 units)",
            "receivable",
        ),
        (
            &p.payer,
            "SETTLED: paid 0.00015 to Node1 (30 units)",
            "payable",
        ),
    ] {
        msgl(home)
            .args(["settled", "--shortfall", &format!("{id}={unpaid}")])
            .arg(&proof)
            .assert()
            .success()
            .stdout(predicates::str::contains(said));
        assert_eq!(standing(home, field), unpaid);
        let journal = std::fs::read_to_string(home.join("journal.ledger")).unwrap();
        assert!(journal.contains(", shortfall: 0.00015\n"), "{journal}");
        msgl(home).arg("check").assert().success();
    }
}

#[test]
fn a_withdrawing_payer_waits_and_the_payee_settles_meanwhile() {
    let p = pair(1000);
    let mut w = world(100);
    w.open(&p.open, 1000, 20);
    for i in 1..=50 {
        p.exchange(i, 1);
    }
    // The payer asks for all of its free deposit back, then disappears.
    w.sys
        .request_withdraw(&mut w.chain, PAYER, units(80))
        .unwrap();
    expect::<MsglSettlement::WithdrawNotReady>(w.sys.withdraw(&mut w.chain, PAYER));
    // The payee settles alone, with its latest ack, during the delay.
    let proof = prove(&w, &p, "proof", None);
    w.send(VERIFIER, &p.payee, &proof, true).unwrap();
    let before = w.balance(PAYEE);
    w.send(PAYEE, &p.payee, &proof, false).unwrap();
    assert_eq!(
        w.balance(PAYEE) - before,
        units(50),
        "escrow 20, then 30 from the deposit being withdrawn"
    );
    w.chain.advance_time(DELAY + 1);
    let payer_before = w.balance(PAYER);
    w.sys.withdraw(&mut w.chain, PAYER).unwrap();
    assert_eq!(
        w.balance(PAYER) - payer_before,
        units(50),
        "what is left of the requested 80"
    );
}
