//! `msgl prove`, `msgl verify-proof` and `msgl calldata` on real homes.

use crate::common;

use common::{msgl, pair, stdout};
use predicates::str::contains;

#[test]
fn prove_verify_and_calldata() {
    let p = pair(1000);
    for i in 1..=20 {
        p.exchange(i, 1 + i % 3);
    }
    let out = p.dir.join("proof1");
    let text = stdout(
        msgl(&p.payee)
            .arg("prove")
            .arg(p.payee.join("acks"))
            .arg("-o")
            .arg(&out),
    );
    assert!(text.contains("41 units in 1 channel from 1 file"), "{text}");
    let v = stdout(msgl(&p.payee).arg("verify-proof").arg(&out));
    assert!(v.contains("valid proof of 1 entry, 41 units"), "{v}");
    // Anyone can verify: no home needed.
    msgl(&p.dir)
        .arg("verify-proof")
        .arg(&out)
        .assert()
        .success();
    let data = stdout(msgl(&p.payee).arg("calldata").arg(&out));
    let data = data.trim();
    assert!(data.starts_with("0x") && data.len() > 10 + 64 * 6, "{data}");
    // The calldata decodes back to exactly the proven statement.
    let statement = common::statement(&out);
    let decoded = msgl_settlement::statement_from_calldata(
        statement.domain,
        &hex::decode(&data[2..]).unwrap(),
    )
    .unwrap();
    assert_eq!(decoded, statement);
    assert_eq!(statement.entries[0].old_count, 0);
    assert_eq!(statement.entries[0].new_count, 41);
    let reg = stdout(
        msgl(&p.payee)
            .args([
                "calldata",
                "--register",
                "-O",
                "json",
                "--to",
                "0x00000000000000000000000000000000000000aa",
            ])
            .arg(&out),
    );
    let v: serde_json::Value = serde_json::from_str(&reg).unwrap();
    assert_eq!(v["function"], "registerFact(bytes32)");
    assert_eq!(
        v["args"]["fact"],
        format!(
            "0x{}",
            hex::encode(msgl_settlement::statement_hash(&statement))
        )
    );
    // The prover without a home: channel ids from the acks themselves.
    let out2 = p.dir.join("proof2");
    msgl(&p.dir)
        .arg("prove")
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&out2)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(out.join("statement.yaml")).unwrap(),
        std::fs::read(out2.join("statement.yaml")).unwrap()
    );
    // Parts of at most 1 to 256 entries, nothing else.
    for bad in ["0", "257", "x"] {
        msgl(&p.payee)
            .arg("prove")
            .arg(p.payee.join("acks"))
            .args(["--max-entries", bad, "-o"])
            .arg(p.dir.join("never"))
            .assert()
            .code(2);
    }
    // Never over an existing proof.
    msgl(&p.payee)
        .arg("prove")
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("already exists"));
}

#[test]
fn the_statement_names_the_deployment_given_with_the_flags() {
    let p = pair(100);
    p.exchange(1, 2);
    let settlement = "0x00000000000000000000000000000000000000aa";
    let token = "0x00000000000000000000000000000000000000Bb";
    let out = p.dir.join("proof");
    msgl(&p.payee)
        .args(["-q", "prove"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&out)
        .args(["--chain-id", "31337", "--settlement", settlement])
        .args(["--token", token])
        .assert()
        .success();
    let st = common::statement(&out);
    assert_eq!(st.domain.chain_id, 31337);
    assert_eq!(st.domain.settlement[19], 0xaa);
    assert_eq!(st.domain.token[19], 0xbb);
    let text = std::fs::read_to_string(out.join("statement.yaml")).unwrap();
    assert!(text.contains("chain_id: 31337"), "{text}");
    // The registry's fact is the one for that deployment.
    let reg = stdout(
        msgl(&p.payee)
            .args(["calldata", "--register", "-O", "json"])
            .arg(&out),
    );
    let v: serde_json::Value = serde_json::from_str(&reg).unwrap();
    assert_eq!(
        v["args"]["fact"],
        format!("0x{}", hex::encode(msgl_settlement::statement_hash(&st)))
    );
    // Without flags: the zero deployment, which no contract accepts.
    let zero = p.dir.join("zero");
    msgl(&p.payee)
        .args(["-q", "prove"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&zero)
        .assert()
        .success();
    assert_eq!(common::statement(&zero).domain, Default::default());
    assert_ne!(
        msgl_settlement::statement_hash(&common::statement(&zero)),
        msgl_settlement::statement_hash(&st)
    );
    // Some of the three, or a bad address: refused, nothing written.
    for bad in [
        &["--chain-id", "1"][..],
        &["--chain-id", "1", "--settlement", settlement][..],
        &["--chain-id", "1", "--settlement", "0x12", "--token", token][..],
        &[
            "--chain-id",
            "1",
            "--settlement",
            settlement,
            "--token",
            "zz",
        ][..],
    ] {
        let o = p.dir.join("never");
        msgl(&p.payee)
            .arg("prove")
            .arg(p.payee.join("acks"))
            .arg("-o")
            .arg(&o)
            .args(bad)
            .assert()
            .code(2);
        assert!(!o.exists());
    }
}

#[test]
fn a_changed_statement_or_proof_is_refused() {
    let p = pair(100);
    for i in 1..=3 {
        p.exchange(i, 2);
    }
    let out = p.dir.join("proof");
    msgl(&p.payee)
        .arg("-q")
        .arg("prove")
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let st = out.join("statement.yaml");
    let orig = std::fs::read_to_string(&st).unwrap();
    for (from, to) in [
        ("new_count: 6", "new_count: 4"),
        ("chain_id: 0", "chain_id: 1"),
        ("old_count: 0", "old_count: 2"),
    ] {
        assert!(orig.contains(from), "{orig}");
        std::fs::write(&st, orig.replace(from, to)).unwrap();
        msgl(&p.payee)
            .arg("verify-proof")
            .arg(&out)
            .assert()
            .code(1);
        msgl(&p.payee).arg("calldata").arg(&out).assert().code(1);
    }
    std::fs::write(&st, &orig).unwrap();
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&out)
        .assert()
        .success();
    let pf = out.join("proof.bin");
    let mut bytes = std::fs::read(&pf).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x40;
    std::fs::write(&pf, &bytes).unwrap();
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains("proof"));
}

#[test]
fn bad_batches_are_refused_before_proving() {
    let p = pair(100);
    let files: Vec<_> = (1..=3).map(|i| p.exchange(i, 1)).collect();
    let batch = p.dir.join("batch");
    std::fs::create_dir(&batch).unwrap();
    // Empty.
    msgl(&p.payee)
        .arg("prove")
        .arg(&batch)
        .assert()
        .code(2)
        .stderr(contains("the batch is empty"));
    // A forged signature is named with its file.
    for f in &files {
        std::fs::copy(f, batch.join(f.file_name().unwrap())).unwrap();
    }
    let victim = batch.join("ack-2.yaml");
    let text = std::fs::read_to_string(&victim).unwrap();
    let sig = text.lines().find(|l| l.starts_with("signature:")).unwrap();
    let flipped = match sig.strip_suffix('0') {
        Some(rest) => format!("{rest}1"),
        None => format!("{}0", &sig[..sig.len() - 1]),
    };
    std::fs::write(&victim, text.replace(sig, &flipped)).unwrap();
    msgl(&p.payee)
        .arg("prove")
        .arg(&batch)
        .assert()
        .code(1)
        .stderr(contains("ack-2.yaml"));
    std::fs::copy(&files[1], &victim).unwrap();
    // A channel missing from the state.
    let state = p.dir.join("state.yaml");
    std::fs::write(&state, "[]\n").unwrap();
    msgl(&p.payee)
        .arg("prove")
        .arg(&batch)
        .arg("--state")
        .arg(&state)
        .assert()
        .code(1)
        .stderr(contains("is not in the state"));
    // A state whose tip the chain does not reach.
    let open = std::fs::read_to_string(&p.open).unwrap();
    let anchor = open
        .lines()
        .find_map(|l| l.strip_prefix("channel: "))
        .unwrap()
        .trim()
        .trim_matches('\'');
    std::fs::write(
        &state,
        format!(
            "- channel: {anchor}\n  tip: {}\n  count: 1\n",
            "00".repeat(32)
        ),
    )
    .unwrap();
    // The prover's own walk finds it (msgl walks each chain once), and the
    // error still names the ack's file; nothing is written, in either
    // proof system.
    for extra in [&[][..], &["--for-chain"][..]] {
        let out = p.dir.join("never");
        let run = msgl(&p.payee)
            .arg("prove")
            .arg(&batch)
            .arg("--state")
            .arg(&state)
            .args(extra)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(1)
            .stderr(contains("does not reach the settled tip"));
        let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
        assert!(err.starts_with("msgl: ") && err.contains(".yaml"), "{err}");
        assert!(!out.exists());
    }
    // Already settled up to the latest ack: nothing to prove.
    let tip = std::fs::read_to_string(&files[2]).unwrap();
    let pre = tip
        .lines()
        .find_map(|l| l.strip_prefix("preimage: "))
        .unwrap()
        .trim()
        .trim_matches('\'');
    std::fs::write(
        &state,
        format!("- channel: {anchor}\n  tip: {pre}\n  count: 3\n"),
    )
    .unwrap();
    // Issue 14: not an error; a one-line note on stderr, nothing written.
    let nothing = p.dir.join("nothing");
    for flags in [&[][..], &["--for-chain"][..], &["-q"][..]] {
        let out = msgl(&p.payee)
            .arg("prove")
            .args(flags)
            .arg(&batch)
            .arg("--state")
            .arg(&state)
            .arg("-o")
            .arg(&nothing)
            .assert()
            .success()
            .stdout("")
            .stderr(contains("nothing new to prove"));
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!nothing.exists());
    }
    // Not a directory.
    msgl(&p.payee)
        .arg("prove")
        .arg(&files[0])
        .assert()
        .code(2)
        .stderr(contains("not a directory"));
}

#[test]
fn a_cosigned_reconciliation_settles_like_the_acks_it_covers() {
    let p = pair(1000);
    for i in 1..=5 {
        p.exchange(i, 2);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let epoch = (now + 2000).to_string();
    msgl(&p.payee)
        .args(["-q", "reconcile", "--with", "node2", "--epoch", &epoch])
        .assert()
        .success();
    let proposal = std::fs::read_dir(p.payee.join("recon"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    msgl(&p.payer)
        .args(["-q", "reconcile", "--with", "node1", "--accept"])
        .arg(&proposal)
        .assert()
        .success();
    let agreement = p.payer.join("recon").join(proposal.file_name().unwrap());
    let statement_of = common::statement;
    // The agreement alone.
    let only = p.dir.join("only-recon");
    std::fs::create_dir(&only).unwrap();
    std::fs::copy(&agreement, only.join("recon.yaml")).unwrap();
    msgl(&p.payee)
        .arg("-q")
        .arg("prove")
        .arg(&only)
        .arg("-o")
        .arg(p.dir.join("proof-r"))
        .assert()
        .success();
    let s = statement_of(&p.dir.join("proof-r"));
    assert_eq!(s.entries.len(), 1);
    assert_eq!(s.entries[0].new_count, 10);
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(p.dir.join("proof-r"))
        .assert()
        .success();
    // With the acks it covers: the same position once.
    let both = p.dir.join("both");
    std::fs::create_dir(&both).unwrap();
    for e in std::fs::read_dir(p.payee.join("acks")).unwrap() {
        let e = e.unwrap().path();
        std::fs::copy(&e, both.join(e.file_name().unwrap())).unwrap();
    }
    std::fs::copy(&agreement, both.join("recon.yaml")).unwrap();
    msgl(&p.payee)
        .arg("-q")
        .arg("prove")
        .arg(&both)
        .arg("-o")
        .arg(p.dir.join("proof-b"))
        .assert()
        .success();
    assert_eq!(statement_of(&p.dir.join("proof-b")), s);
    // A proposal signed by one node only does not settle.
    let one = p.dir.join("one-signature");
    std::fs::create_dir(&one).unwrap();
    std::fs::copy(&proposal, one.join("recon.yaml")).unwrap();
    msgl(&p.payee)
        .arg("prove")
        .arg(&one)
        .assert()
        .code(1)
        .stderr(contains("not signed by both"));
}

/// `msgl calldata DIR --verify`: the on-chain verifier's transactions of a
/// `msgl prove --for-chain` proof, one 0x line each in the order to send
/// them; -O json gives each its target, calldata, purpose, gas measured in
/// revm and part. A proof of the local system is refused with a hint.
#[test]
fn calldata_verify_prints_the_verifiers_transactions() {
    let p = pair(100);
    for i in 1..=3 {
        p.exchange(i, 1);
    }
    let flags = [
        "--chain-id",
        "31337",
        "--settlement",
        "0x00000000000000000000000000000000000000aa",
        "--token",
        "0x00000000000000000000000000000000000000bb",
    ];
    let out = p.dir.join("chain-proof");
    let said = stdout(
        msgl(&p.payee)
            .args(["prove", "--for-chain"])
            .arg(p.payee.join("acks"))
            .arg("-o")
            .arg(&out)
            .args(flags),
    );
    assert!(said.contains("on-chain proof"), "{said}");
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("valid on-chain proof of 1 entry, 3 units"));
    let st = common::statement(&out);
    let proof =
        msgl_circuits::ChainProof::from_bytes(&std::fs::read(out.join("proof.bin")).unwrap())
            .unwrap();

    let text = stdout(msgl(&p.payee).args(["calldata", "--verify"]).arg(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert_eq!(
        lines[0],
        format!(
            "0x{}",
            hex::encode(msgl_settlement::verifier::verify_calldata(&st, &proof))
        )
    );

    let verifier = "0x00000000000000000000000000000000000000cc";
    let json = stdout(
        msgl(&p.payee)
            .args(["calldata", "--verify", "-O", "json", "--verifier", verifier])
            .arg(&out),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let calls = v.as_array().unwrap();
    assert_eq!(calls.len(), 1, "{json}");
    let c = &calls[0];
    let mut keys: Vec<&str> = c.as_object().unwrap().keys().map(|k| k.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["data", "gas", "part", "purpose", "to"]);
    assert_eq!(c["to"].as_str().unwrap().to_lowercase(), verifier);
    assert_eq!(c["data"], lines[0]);
    assert_eq!(c["part"], 1);
    assert!(c["purpose"].as_str().unwrap().contains("verify"), "{json}");
    let gas = c["gas"].as_u64().unwrap();
    assert!(
        (1_000_000..msgl_settlement::evm::TX_GAS_LIMIT).contains(&gas),
        "{gas}"
    );
    // The library function behind it, with the settle call after.
    let all = msgl_node::proof::chain_calls(&out, None, None).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].gas, Some(gas));
    assert_eq!(all[1].data, msgl_settlement::settle_calldata(&st));
    // Without --verifier and with no chain.verifier in msgl.yaml: to is null.
    let json = stdout(
        msgl(&p.payee)
            .args(["calldata", "--verify", "-O", "json"])
            .arg(&out),
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v[0]["to"].is_null(), "{json}");

    // A proof for msgl verify-proof only: refused, with the way out.
    let local = p.dir.join("local-proof");
    msgl(&p.payee)
        .args(["-q", "prove"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&local)
        .args(flags)
        .assert()
        .success();
    msgl(&p.payee)
        .args(["calldata", "--verify"])
        .arg(&local)
        .assert()
        .code(1)
        .stdout("")
        .stderr(contains("--for-chain"));
    // Plain calldata still prints settle for either kind.
    assert_eq!(
        stdout(msgl(&p.payee).arg("calldata").arg(&out)),
        stdout(msgl(&p.payee).arg("calldata").arg(&local))
    );
}
