//! `msgl demo`: its summary figures against the homes and proofs it leaves.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{msgl, statement, stdout, tempdir};
use predicates::str::contains;

/// The amount on `msgl balance`'s Net line.
fn net(balance: &str) -> String {
    balance
        .lines()
        .find_map(|l| l.strip_suffix("Net (Assets - Liabilities)"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn the_demo_leaves_homes_and_proofs_that_match_its_summary() {
    let tmp = tempdir();
    let dir = tmp.path().join("demo");
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME")
        .env("NO_COLOR", "1")
        .args(["demo", "--messages", "50", "--dir"])
        .arg(&dir);
    let out = stdout(&mut c);
    assert!(!out.contains('\x1b'), "no color with NO_COLOR: {out}");
    // The disagreement was shown message by message, then resolved.
    assert!(out.contains("Node1 lacks it"), "{out}");
    assert!(out.contains("disagree"), "{out}");
    let dir = dir.canonicalize().unwrap();
    assert!(out.contains(&format!("dir {}\n", dir.display())), "{out}");

    // Every home's journal checks.
    for node in ["node1", "node2", "node3"] {
        msgl(&dir.join(node)).arg("check").assert().success();
    }

    // Settlements: each proof verifies; its units and calldata are the statement's.
    let mut total = 0;
    let mut proofs = 0;
    for line in out.lines().filter(|l| l.starts_with("settlement ")) {
        let (head, figures) = line.split_once(": units ").unwrap();
        let proof = PathBuf::from(head.split_once(' ').unwrap().1.split_once(' ').unwrap().1);
        let units: u64 = figures.split(' ').next().unwrap().parse().unwrap();
        // Proven for the chain: the same proof the verifier checked.
        msgl(&dir)
            .arg("verify-proof")
            .arg(&proof)
            .assert()
            .success()
            .stdout(contains("valid on-chain proof"));
        let st = statement(&proof);
        assert_eq!(units, st.total_units(), "{line}");
        let data = stdout(msgl(&dir).arg("calldata").arg(&proof));
        let decoded = msgl_settlement::statement_from_calldata(
            st.domain,
            &hex::decode(data.trim().strip_prefix("0x").unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(decoded, st);
        // Settled through the on-chain verifier: no registrar's
        // registerFact, the proof itself verified in the EVM.
        assert!(figures.contains("gas verify "), "{line}");
        let verify_gas: u64 = figures
            .split("gas verify ")
            .nth(1)
            .and_then(|g| g.split(' ').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(verify_gas > 1_000_000, "{line}");
        total += units;
        proofs += 1;
    }
    assert_eq!(proofs, 2, "{out}");
    // Node3's channel: 5 messages at 2 units, from Node1's acks alone.
    let node3 = statement(&dir.join("proofs/node3-to-node1"));
    assert_eq!((node3.entries.len(), node3.total_units()), (1, 10));
    // The agreement settles both directions between Node1 and Node2.
    assert_eq!(statement(&dir.join("proofs/node1-node2")).entries.len(), 2);
    assert!(out.contains(&format!("units settled {total}\n")), "{out}");

    // Each node's net is msgl balance's.
    let mut nodes = 0;
    for line in out.lines().filter(|l| l.starts_with("node ")) {
        let (head, rest) = line.split_once(": chain ").unwrap();
        let home = PathBuf::from(head.split_once(' ').unwrap().1.split_once(' ').unwrap().1);
        let shown = rest.split_once(", balance ").unwrap().1;
        // The same value (balance shows each commodity at its finest scale).
        let value = |s: &str| s.parse::<msgl_ledger::journal::Decimal>().unwrap();
        assert_eq!(
            value(shown),
            value(&net(&stdout(msgl(&home).arg("balance")))),
            "{line}"
        );
        // Books and chain agree: the template's opening cash was minted,
        // the deposit booked, each settlement booked by the parties still
        // around (`msgl settled` with its receipt) and the payees' claims:
        // cash in the books is the wallet after the claims (Node3's wallet
        // does not move: it pays from its escrow).
        let after = rest
            .split_once(" -> ")
            .unwrap()
            .1
            .split_once(' ')
            .unwrap()
            .0;
        let cash = stdout(msgl(&home).args(["balance", "--flat", "-O", "csv", "Assets:Cash"]));
        assert!(
            cash.contains(&format!("Assets:Cash:SNT,SNT,{after},account\n")),
            "{line}\n{cash}"
        );
        let journal = std::fs::read_to_string(home.join("journal.ledger")).unwrap();
        assert!(journal.contains(") OPENING BALANCE\n"), "{journal}");
        assert!(journal.contains(") DEPOSIT\n"), "{journal}");
        let settled = journal.matches(") SETTLED  ; settled: ").count();
        let want = match home.file_name().unwrap().to_str().unwrap() {
            "node1" => 3, // paid by Node3; by Node2 and paying Node2
            "node2" => 2,
            _ => 0,
        };
        assert_eq!(settled, want, "{journal}");
        // The payees claimed what the settlements credited them, and
        // booked it from the claim's receipt: nothing is left claimable.
        let claimed = journal.matches(") CLAIMED  ; claimed: ").count();
        assert_eq!(claimed, usize::from(want > 0), "{journal}");
        let claimable = stdout(msgl(&home).args([
            "balance",
            "--flat",
            "-E",
            "-O",
            "csv",
            "Assets:Contract:Claimable",
        ]));
        // account,commodity,amount,kind rows: every amount is zero.
        assert!(
            claimable
                .lines()
                .filter(|l| l.starts_with("Assets:Contract:Claimable,"))
                .all(|l| msgl_ledger::journal::Decimal::from_str_exact(
                    l.split(',').nth(2).unwrap()
                )
                .unwrap()
                .is_zero()),
            "{claimable}"
        );
        nodes += 1;
    }
    assert_eq!(nodes, 3, "{out}");
    // The templates the homes came from are the embedded ledgers/demo/.
    for node in ["node1", "node2", "node3"] {
        for file in ["msgl.yaml", "journal.ledger"] {
            let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("ledgers/demo")
                .join(node)
                .join(file);
            assert_eq!(
                std::fs::read_to_string(dir.join("templates").join(node).join(file)).unwrap(),
                std::fs::read_to_string(repo).unwrap()
            );
        }
    }

    // An existing non-empty directory is refused.
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME")
        .args(["demo", "--messages", "50", "--dir"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(contains("not empty"));
}

#[test]
fn quiet_prints_the_directory_and_figures_only() {
    let tmp = tempdir();
    let dir = tmp.path().join("q");
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME")
        .args(["-q", "demo", "--messages", "10", "--dir"])
        .arg(&dir);
    let out = stdout(&mut c);
    for line in out.lines() {
        assert!(
            [
                "dir ",
                "messages ",
                "settlement ",
                "units settled ",
                "gas ",
                "node "
            ]
            .iter()
            .any(|p| line.starts_with(p)),
            "{out}"
        );
    }
    assert!(out.starts_with("dir "), "{out}");
}
