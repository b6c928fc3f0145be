//! Co-signed reconciliation end to end, with the real binary and two (or
//! three) node homes: a scripted history in which the mirror invariant and
//! `msgl check --evidence` are asserted after every step, the
//! message-by-message difference, finalizing (the co-signer as it signs,
//! the proposer with --finalize), and every refusal (nothing written).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use ed25519_dalek::Signer;
use msgl_circuits::poseidon2;
use msgl_ledger::journal::Decimal;
use msgl_node::objects::recon::Sig;
use msgl_node::objects::Recon;
use predicates::str::contains;
use tempfile::TempDir;

fn tempdir() -> TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(t) = tempfile::Builder::new()
            .prefix("msgl-recon")
            .tempdir_in(shm)
        {
            return t;
        }
    }
    tempfile::tempdir().unwrap()
}

fn msgl(home: &Path) -> Command {
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME").arg("--home").arg(home);
    c
}

fn stdout(c: &mut Command) -> String {
    let out = c.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn init(dir: &Path, name: &str) -> PathBuf {
    let home = dir.join(name.to_lowercase());
    msgl(&home)
        .args(["init", "--name", name])
        .assert()
        .success();
    home
}

fn id(home: &Path) -> String {
    stdout(msgl(home).arg("id")).trim().to_string()
}

/// Node1 and Node2, peers of each other, with a channel each way.
struct Pair {
    _dir: TempDir,
    dir: PathBuf,
    n1: PathBuf,
    n2: PathBuf,
}

fn open(dir: &Path, payer: &Path, payee: &Path, payee_name: &str) {
    let f = dir.join(format!("open-{payee_name}.yaml"));
    msgl(payer)
        .args(["open", "--to", payee_name, "--units", "1000", "-o"])
        .arg(&f)
        .assert()
        .success();
    msgl(payee).arg("accept-open").arg(&f).assert().success();
}

fn pair() -> Pair {
    let dir = tempdir();
    let d = dir.path().to_path_buf();
    let n1 = init(&d, "Node1");
    let n2 = init(&d, "Node2");
    for (home, other, name) in [(&n1, &n2, "Node2"), (&n2, &n1, "Node1")] {
        msgl(home)
            .args(["peer", "add", name, &id(other), "--policy", "credit:100"])
            .assert()
            .success();
    }
    open(&d, &n2, &n1, "node1");
    open(&d, &n1, &n2, "node2");
    Pair {
        _dir: dir,
        dir: d,
        n1,
        n2,
    }
}

/// A message hash whose first 16 hex digits (its sub-account) are `i`.
fn hash(i: u64) -> String {
    format!("{i:016x}{}", "ab".repeat(24))
}

/// `payer` signs an ack to `payee_name` for message `i` into a file.
fn ack(p: &Pair, payer: &Path, payee_name: &str, i: u64, price: u64) -> PathBuf {
    let f = p.dir.join(format!("ack-{i}.yaml"));
    msgl(payer)
        .args(["-q", "ack", "--to", payee_name, "-m", &hash(i), "--price"])
        .arg(price.to_string())
        .arg("-o")
        .arg(&f)
        .assert()
        .success();
    f
}

fn accept(payee: &Path, f: &Path) {
    msgl(payee).args(["-q", "accept"]).arg(f).assert().success();
}

/// Node2 pays Node1 for message `i`, delivered.
fn n2_pays(p: &Pair, i: u64, price: u64) {
    let f = ack(p, &p.n2, "Node1", i, price);
    accept(&p.n1, &f);
}

/// Node1 pays Node2 for message `i`, delivered.
fn n1_pays(p: &Pair, i: u64, price: u64) {
    let f = ack(p, &p.n1, "Node2", i, price);
    accept(&p.n2, &f);
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// (A/R, A/P) of `home` with `peer`, from `msgl peers -O json`.
fn ar_ap(home: &Path, peer: &str) -> (Decimal, Decimal) {
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(home).args(["peers", "-O", "json"]))).unwrap();
    let row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["peer"] == peer)
        .unwrap();
    (
        d(row["receivable"].as_str().unwrap()),
        d(row["payable"].as_str().unwrap()),
    )
}

/// Both journals check against their evidence, and each node's A/R with
/// the other equals the other's A/P with it.
fn mirror(p: &Pair, step: &str) {
    for h in [&p.n1, &p.n2] {
        msgl(h).args(["check", "--evidence"]).assert().success();
    }
    mirror_books(p, step);
}

/// As [`mirror`], for books that also hold entries booked by hand
/// (`msgl add`): they check, but have no evidence for those.
fn mirror_books(p: &Pair, step: &str) {
    for h in [&p.n1, &p.n2] {
        msgl(h).arg("check").assert().success();
    }
    let (ar1, ap1) = ar_ap(&p.n1, "Node2");
    let (ar2, ap2) = ar_ap(&p.n2, "Node1");
    assert_eq!(ar1, ap2, "{step}: Node1's A/R vs Node2's A/P");
    assert_eq!(ar2, ap1, "{step}: Node2's A/R vs Node1's A/P");
}

fn journal(home: &Path) -> String {
    std::fs::read_to_string(home.join("journal.ledger")).unwrap()
}

fn recon_files(home: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(home.join("recon"))
        .map(|r| r.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The file named on a proposal/co-sign summary (`-O json`).
fn proposed(out: &str, home: &Path) -> PathBuf {
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    home.join(v["file"].as_str().unwrap())
}

fn propose(home: &Path, peer: &str, extra: &[&str]) -> (PathBuf, serde_json::Value) {
    let out = stdout(
        msgl(home)
            .args(["reconcile", "--with", peer, "-O", "json"])
            .args(extra),
    );
    (proposed(&out, home), serde_json::from_str(&out).unwrap())
}

fn co_sign(home: &Path, peer: &str, file: &Path) -> PathBuf {
    let out = stdout(
        msgl(home)
            .args(["reconcile", "--with", peer, "-O", "json", "--accept"])
            .arg(file),
    );
    proposed(&out, home)
}

/// The proposal is refused with a difference; returns the JSON diff.
fn disagree(home: &Path, peer: &str, file: &Path) -> serde_json::Value {
    let before = (journal(home), recon_files(home));
    let out = msgl(home)
        .args(["reconcile", "--with", peer, "-O", "json", "--accept"])
        .arg(file)
        .assert()
        .code(1)
        .stderr(contains("disagree"))
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        before,
        (journal(home), recon_files(home)),
        "nothing written"
    );
    serde_json::from_slice(&out).unwrap()
}

fn finalize(home: &Path, peer: &str, file: &Path) {
    msgl(home)
        .args(["reconcile", "--with", peer, "--finalize"])
        .arg(file)
        .assert()
        .success()
        .stdout(contains("RECONCILED"));
}

/// The proposer finalizes the agreement (the co-signer booked it as it
/// signed); both journals then hold the RECONCILED entry, and a second
/// finalize on either side is refused. Returns the epoch.
fn close(p: &Pair, agreement: &Path) -> u64 {
    let r = Recon::from_yaml(&std::fs::read_to_string(agreement).unwrap()).unwrap();
    assert!(r.is_cosigned());
    r.verify().unwrap();
    mirror(p, "co-signed: one side finalized");
    let tag = format!(
        "; recon: recon/{}",
        agreement.file_name().unwrap().to_string_lossy()
    );
    let (proposer, cosigner) = if journal(&p.n1).contains(&tag) {
        ((&p.n2, "NODE1"), (&p.n1, "node2"))
    } else {
        ((&p.n1, "node2"), (&p.n2, "Node1"))
    };
    assert!(
        journal(cosigner.0).contains(&tag),
        "the co-signer booked it"
    );
    finalize(proposer.0, proposer.1, agreement);
    mirror(p, "both finalized");
    for (home, peer) in [proposer, cosigner] {
        assert_eq!(journal(home).matches(&tag).count(), 1);
        msgl(home)
            .args(["reconcile", "--with", peer, "--finalize"])
            .arg(agreement)
            .assert()
            .code(1)
            .stderr(contains("already finalized"));
    }
    r.epoch()
}

#[test]
fn a_scripted_history_keeps_the_books_mirrored_at_every_step() {
    let p = pair();
    mirror(&p, "start");

    // Messages both ways.
    for i in 1..=3 {
        n2_pays(&p, i, i);
    }
    n1_pays(&p, 101, 2);
    n1_pays(&p, 102, 5);
    mirror(&p, "messages both ways");
    assert_eq!(ar_ap(&p.n1, "Node2"), (d("0.00006"), d("0.00007")));

    // A dropped ack: Node2 books and signs message 4; the ack is lost on
    // the way. While it is in flight the books differ by exactly what
    // `reconcile --accept` lists (no protocol can change two books at one
    // instant over a lossy link); the payer re-sends it from sent/ and the
    // step ends with the books mirrored.
    let lost = ack(&p, &p.n2, "Node1", 4, 4);
    let lost_bytes = std::fs::read(&lost).unwrap();
    std::fs::remove_file(&lost).unwrap();
    let (ar1, _) = ar_ap(&p.n1, "Node2");
    let (_, ap2) = ar_ap(&p.n2, "Node1");
    assert_eq!(
        ap2 - ar1,
        d("0.00004"),
        "the books differ by the ack in flight"
    );
    let (prop, _) = propose(&p.n2, "node1", &[]);
    let diff = disagree(&p.n1, "Node2", &prop);
    let lines = diff["lines"].as_array().unwrap();
    let msg = lines
        .iter()
        .find(|l| l["item"] == "0000000000000004")
        .expect("the dropped message is listed");
    assert_eq!(msg["lacking"], "Node1");
    assert_eq!(msg["proposal"], "0.00004");
    assert!(msg["here"].is_null());
    assert_eq!(msg["direction"], "Node2 -> Node1");
    assert!(lines
        .iter()
        .any(|l| l["item"].as_str().unwrap().ends_with(" nonce")
            && l["here"] == "3"
            && l["proposal"] == "4"));
    assert_eq!(diff["totals"][0]["difference"], "0.00004");
    // The text form says the same, for people.
    msgl(&p.n1)
        .args(["reconcile", "--with", "node2", "--accept"])
        .arg(&prop)
        .assert()
        .code(1)
        .stdout(contains("0000000000000004\t-\t0.00004\tNode1 lacks it"))
        .stdout(contains("difference 0.00004"))
        .stderr(contains("disagree: 4 differences; nothing signed"));
    // And CSV, for scripts.
    msgl(&p.n1)
        .args(["reconcile", "--with", "node2", "-O", "csv", "--accept"])
        .arg(&prop)
        .assert()
        .code(1)
        .stdout(contains("direction,item,here,proposal,lacking\n"))
        .stdout(contains("Node2 -> Node1,0000000000000004,,0.00004,Node1\n"))
        .stdout(contains(" nonce,3,4,\n"))
        .stdout(contains("Node2 -> Node1,total,0.00006,0.0001,\n"));
    // Re-sent from the payer's sent/: the same bytes, nothing booked again.
    let resent = p.dir.join("ack-4-resent.yaml");
    let payer_journal = journal(&p.n2);
    msgl(&p.n2)
        .args(["ack", "--resend", "--to", "node1", "-o"])
        .arg(&resent)
        .assert()
        .success()
        .stdout(contains("ack nonce 4 cumulative 10 to Node1 again"));
    assert_eq!(
        std::fs::read(&resent).unwrap(),
        lost_bytes,
        "re-sent byte for byte"
    );
    assert_eq!(std::fs::read(&resent).unwrap(), lost_bytes);
    assert_eq!(journal(&p.n2), payer_journal, "a re-sent ack is not booked");
    accept(&p.n1, &resent);
    mirror(&p, "dropped ack re-sent");
    // Any earlier ack too, byte for byte; none that was never issued.
    let again = stdout(msgl(&p.n2).args(["ack", "--resend", "--to", "Node1", "--nonce", "2"]));
    assert_eq!(
        again.as_bytes(),
        std::fs::read(p.dir.join("ack-2.yaml")).unwrap()
    );
    msgl(&p.n2)
        .args(["ack", "--resend", "--to", "Node1", "--nonce", "5"])
        .assert()
        .code(2)
        .stderr(contains("no ack 5 was issued to Node1"));

    // A price dispute: Node1 asked 3 units for message 5; Node2 signs 2.
    // Each side books only what is signed, so the books stay mirrored.
    n2_pays(&p, 5, 2);
    mirror(&p, "price disputed");
    // Node2 concedes: a further ack for the same message, the difference.
    let correction = p.dir.join("ack-5-correction.yaml");
    msgl(&p.n2)
        .args([
            "-q",
            "ack",
            "--to",
            "Node1",
            "-m",
            &hash(5),
            "--price",
            "1",
            "-o",
        ])
        .arg(&correction)
        .assert()
        .success();
    accept(&p.n1, &correction);
    mirror(&p, "price dispute resolved");
    assert!(journal(&p.n1).contains("Assets:AccountsReceivable:Node2:0000000000000005  0.00002\n"));
    assert!(journal(&p.n1).contains("Assets:AccountsReceivable:Node2:0000000000000005  0.00001\n"));

    // The first reconciliation: Node2 proposes, Node1 co-signs.
    let (prop, summary) = propose(&p.n2, "node1", &[]);
    assert_eq!(summary["status"], "proposed");
    assert_eq!(summary["net"], "0.00006");
    assert_eq!(summary["net_payer"], "Node2");
    assert_eq!(summary["net_payee"], "Node1");
    let agreed = co_sign(&p.n1, "node2", &prop);
    let epoch1 = close(&p, &agreed);
    for h in [&p.n1, &p.n2] {
        let j = journal(h);
        assert_eq!(j.matches("RECONCILED").count(), 1);
        assert!(j.contains(&format!(
            "; recon: recon/{}",
            agreed.file_name().unwrap().to_string_lossy()
        )));
    }
    assert!(journal(&p.n1).contains(&format!(
        "Assets:AccountsReceivable:Node2:epoch-{epoch1}  0.00013"
    )));
    assert!(journal(&p.n1).contains(&format!(
        "Liabilities:AccountsPayable:Node2:epoch-{epoch1}  0.00007"
    )));
    assert!(journal(&p.n2).contains(&format!(
        "Liabilities:AccountsPayable:Node1:epoch-{epoch1}  0.00013"
    )));
    assert_eq!(ar_ap(&p.n1, "Node2"), (d("0.00013"), d("0.00007")));

    // More messages, now in the new period.
    n2_pays(&p, 6, 1);
    n1_pays(&p, 103, 3);
    n2_pays(&p, 7, 2);
    mirror(&p, "more messages");

    // The second reconciliation: Node1 proposes, Node2 co-signs.
    let (prop, summary) = propose(&p.n1, "NODE2", &[]);
    assert_eq!(summary["previous_epoch"], epoch1);
    assert_eq!(
        summary["directions"][0]["messages"].as_u64().unwrap()
            + summary["directions"][1]["messages"].as_u64().unwrap(),
        3
    );
    let agreed = co_sign(&p.n2, "Node1", &prop);
    let epoch2 = close(&p, &agreed);
    assert!(epoch2 > epoch1);
    for h in [&p.n1, &p.n2] {
        assert_eq!(journal(h).matches("RECONCILED").count(), 2);
    }
    assert_eq!(ar_ap(&p.n1, "Node2"), (d("0.00016"), d("0.00010")));
    assert!(journal(&p.n1).contains(&format!(
        "Assets:AccountsReceivable:Node2:epoch-{epoch2}  0.00016"
    )));
    mirror(&p, "second reconciliation");
}

fn reconcile_refused(home: &Path, args: &[&str], file: Option<&Path>, code: i32, why: &str) {
    let before = (journal(home), recon_files(home));
    let mut c = msgl(home);
    c.arg("reconcile").args(args);
    if let Some(f) = file {
        c.arg(f);
    }
    c.assert().code(code).stderr(contains(why));
    assert_eq!(
        before,
        (journal(home), recon_files(home)),
        "nothing written: {why}"
    );
}

#[test]
fn refusals_have_one_reason_and_write_nothing() {
    let p = pair();
    n2_pays(&p, 1, 2);
    n1_pays(&p, 2, 1);

    // An unknown peer.
    reconcile_refused(
        &p.n1,
        &["--with", "nobody"],
        None,
        2,
        "unknown peer `nobody`",
    );

    // A proposal signed by someone else (in Node2's slot).
    let (prop, _) = propose(&p.n2, "node1", &[]);
    // As sent (Node2's own file becomes the agreement once it finalizes).
    let sent = p.dir.join("proposal-as-sent.yaml");
    std::fs::copy(&prop, &sent).unwrap();
    let mut r = Recon::from_yaml(&std::fs::read_to_string(&prop).unwrap()).unwrap();
    let mallory = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let sig = Some(Sig(mallory.sign(&r.signing_bytes().unwrap()).to_bytes()));
    let n2 = msgl_node::keys::parse_public(&id(&p.n2)).unwrap();
    if r.node_a == n2 {
        r.signature_a = sig;
    } else {
        r.signature_b = sig;
    }
    let forged = p.dir.join("forged.yaml");
    std::fs::write(&forged, r.to_yaml()).unwrap();
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--accept"],
        Some(&forged),
        1,
        "not signed by Node2",
    );

    // A changed field under a valid-looking signature is refused too.
    let mut r = Recon::from_yaml(&std::fs::read_to_string(&prop).unwrap()).unwrap();
    r.b_to_a.channels[0].cumulative += 1;
    let changed = p.dir.join("changed.yaml");
    std::fs::write(&changed, r.to_yaml()).unwrap();
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--accept"],
        Some(&changed),
        1,
        "bad signature",
    );

    // An unknown field.
    let extra = p.dir.join("extra.yaml");
    std::fs::write(
        &extra,
        format!("{}bogus: 1\n", std::fs::read_to_string(&prop).unwrap()),
    )
    .unwrap();
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--accept"],
        Some(&extra),
        2,
        "unknown field",
    );

    // An agreement with one signature changed.
    let agreed = co_sign(&p.n1, "node2", &prop);
    let mut r = Recon::from_yaml(&std::fs::read_to_string(&agreed).unwrap()).unwrap();
    r.signature_a.as_mut().unwrap().0[5] ^= 1;
    let bad = p.dir.join("bad-sig.yaml");
    std::fs::write(&bad, r.to_yaml()).unwrap();
    reconcile_refused(
        &p.n2,
        &["--with", "node1", "--finalize"],
        Some(&bad),
        1,
        "bad signature",
    );
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--finalize"],
        Some(&bad),
        1,
        "bad signature",
    );
    // A proposal (one signature) cannot be finalized.
    reconcile_refused(
        &p.n2,
        &["--with", "node1", "--finalize"],
        Some(&prop),
        1,
        "not signed by both",
    );

    // The real agreement closes the period.
    let epoch = close(&p, &agreed);

    // An epoch not after the previous one.
    let e = epoch.to_string();
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--epoch", &e],
        None,
        1,
        "is not after the previous",
    );
    let earlier = (epoch - 1).to_string();
    reconcile_refused(
        &p.n2,
        &["--with", "node1", "--epoch", &earlier],
        None,
        1,
        "is not after the previous",
    );
    // The old proposal is refused by its epoch.
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--accept"],
        Some(&sent),
        1,
        "already finalized",
    );

    // A proposal for another pair: Node3 and Node1's, shown to Node2.
    let n3 = init(&p.dir, "Node3");
    msgl(&n3)
        .args(["peer", "add", "Node1", &id(&p.n1)])
        .assert()
        .success();
    msgl(&p.n1)
        .args(["peer", "add", "Node3", &id(&n3)])
        .assert()
        .success();
    let (other, _) = propose(&n3, "node1", &[]);
    reconcile_refused(
        &p.n2,
        &["--with", "node1", "--accept"],
        Some(&other),
        1,
        "another pair",
    );
    mirror(&p, "after the refusals");
}

#[test]
fn proposal_summary_in_json_and_text() {
    let p = pair();
    n2_pays(&p, 1, 3);
    n1_pays(&p, 2, 1);
    // An epoch in the future is refused.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let future = (now + 3_600_000).to_string();
    reconcile_refused(
        &p.n1,
        &["--with", "node2", "--epoch", &future],
        None,
        1,
        "in the future",
    );
    let epoch = now + 1000;
    let (file, s) = propose(&p.n1, "node2", &["--epoch", &epoch.to_string()]);
    assert!(file.exists());
    assert_eq!(s["epoch"], epoch);
    assert_eq!(s["previous_epoch"], 0);
    assert_eq!(s["peer"], "Node2");
    let dirs = s["directions"].as_array().unwrap();
    let n2_to_n1 = dirs.iter().find(|x| x["payer"] == "Node2").unwrap();
    assert_eq!(n2_to_n1["amount"], "0.00003");
    assert_eq!(n2_to_n1["channels"][0]["nonce"], 1);
    assert_eq!(n2_to_n1["channels"][0]["cumulative"], 3);
    assert_eq!(n2_to_n1["messages"], 1);
    assert_eq!(s["net"], "0.00002");
    assert_eq!(s["net_payer"], "Node2");
    let r = Recon::from_yaml(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(!r.is_cosigned());
    let n1 = msgl_node::keys::parse_public(&id(&p.n1)).unwrap();
    let n2 = msgl_node::keys::parse_public(&id(&p.n2)).unwrap();
    r.verify_signer(&n1).unwrap();
    assert!(r.verify().is_err());
    let tips = r.checkpoints();
    assert_eq!(tips.len(), 2);
    let t = tips.iter().find(|t| t.0 == n2).unwrap();
    assert_eq!((t.1, t.3, t.4), (n1, 1, 3));
    assert_eq!(poseidon2::pack(&t.5), n2_to_n1_preimage(&p));
    // Text form.
    msgl(&p.n2)
        .args([
            "reconcile",
            "--with",
            "node1",
            "--epoch",
            &(epoch + 1).to_string(),
        ])
        .assert()
        .success()
        .stdout(contains(format!(
            "proposed reconciliation with Node1 at epoch {}",
            epoch + 1
        )))
        .stdout(contains("net: Node2 pays Node1 0.00002"));
    // CSV: one row per direction.
    let csv = stdout(msgl(&p.n2).args([
        "reconcile",
        "--with",
        "node1",
        "-O",
        "csv",
        "--epoch",
        &(epoch + 2).to_string(),
    ]));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[0].starts_with("status,peer,epoch,previous_epoch,payer,payee,"),
        "{csv}"
    );
    let row = rows
        .iter()
        .find(|r| r.split(',').nth(4) == Some("Node2"))
        .expect("the Node2 -> Node1 row");
    let f: Vec<&str> = row.split(',').collect();
    assert_eq!(f[5], "Node1", "{row}");
    assert_eq!(f[0], "proposed");
    assert_eq!(f[2], (epoch + 2).to_string());
    assert_eq!(
        (f[6], f[7], f[8], f[10]),
        ("1", "3", "1", "0.00003"),
        "{row}"
    );
    assert_eq!(
        (f[11], f[12], f[13]),
        ("0.00002", "Node2", "Node1"),
        "{row}"
    );
}

/// The preimage of Node2's channel to Node1 at cumulative 3, from Node2's
/// sent log.
fn n2_to_n1_preimage(p: &Pair) -> [u8; 32] {
    let c = common_channels(&p.n2)
        .into_iter()
        .find(|c| c.role == msgl_node::protocol::Role::Out)
        .unwrap();
    let log =
        p.n2.join("sent")
            .join(format!("{}.log", hex::encode(c.id())));
    let a = msgl_node::store::log::find(&log, 1).unwrap().unwrap();
    assert_eq!(a.cumulative, 3);
    a.preimage
}

fn common_channels(home: &Path) -> Vec<msgl_node::protocol::Channel> {
    let h = msgl_node::home::Home::locate(Some(home));
    msgl_node::protocol::channel::list(&h, &h.public_key().unwrap()).unwrap()
}

#[test]
fn payments_on_the_peer_account_and_an_empty_period_reconcile() {
    let p = pair();
    n2_pays(&p, 1, 2);
    // Node2 pays more than it owes, on the peer's own account (no message).
    msgl(&p.n1)
        .args([
            "-q",
            "add",
            "payment-received",
            "--peer",
            "Node2",
            "-a",
            "0.00005",
        ])
        .assert()
        .success();
    msgl(&p.n2)
        .args([
            "-q",
            "add",
            "payment-sent",
            "--peer",
            "Node1",
            "-a",
            "0.00005",
        ])
        .assert()
        .success();
    mirror(&p, "overpaid");
    let (prop, s) = propose(&p.n2, "node1", &[]);
    assert_eq!(s["net"], "0.00003");
    assert_eq!(s["net_payer"], "Node1", "Node1 owes the overpayment back");
    let agreed = co_sign(&p.n1, "node2", &prop);
    let e1 = close(&p, &agreed);
    assert!(journal(&p.n1).contains(&format!(
        "Assets:AccountsReceivable:Node2:epoch-{e1}  -0.00003"
    )));
    // Nothing happened since: the next period is empty, and still closes.
    let (prop, s) = propose(&p.n1, "node2", &["--epoch", &(e1 + 1).to_string()]);
    assert_eq!(s["previous_epoch"], e1);
    let agreed = co_sign(&p.n2, "node1", &prop);
    let e2 = close(&p, &agreed);
    assert_eq!(e2, e1 + 1);
    assert_eq!(ar_ap(&p.n1, "Node2"), (d("-0.00003"), d("0")));
    // Everything sits on the last epoch line: no open messages, no double
    // netting of what the first reconciliation already closed.
    for h in [&p.n1, &p.n2] {
        let (_, s) = propose(h, if h == &p.n1 { "node2" } else { "node1" }, &[]);
        for dir in s["directions"].as_array().unwrap() {
            assert_eq!(dir["messages"], 0, "{s}");
            assert_eq!(dir["carried"], dir["amount"], "{s}");
        }
    }
    let n1 = journal(&p.n1);
    let last = n1.rsplit("RECONCILED").next().unwrap();
    assert!(
        last.contains(&format!(
            "Assets:AccountsReceivable:Node2:epoch-{e1}  0.00003"
        )),
        "{last}"
    );
    assert!(
        last.contains(&format!(
            "Assets:AccountsReceivable:Node2:epoch-{e2}  -0.00003"
        )),
        "{last}"
    );
    assert!(!last.contains(":0000000000000001"), "{last}");
}

#[test]
fn messages_after_the_epoch_do_not_disturb_the_agreement() {
    let p = pair();
    n2_pays(&p, 1, 2);
    n1_pays(&p, 2, 3);
    // Node2 proposes; both keep trading before Node1 looks at it.
    let (prop, s) = propose(&p.n2, "node1", &[]);
    let epoch = s["epoch"].as_u64().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    n2_pays(&p, 3, 4);
    n1_pays(&p, 4, 1);
    n2_pays(&p, 5, 1);
    mirror(&p, "trading on");
    let agreed = co_sign(&p.n1, "node2", &prop);
    let r = Recon::from_yaml(&std::fs::read_to_string(&agreed).unwrap()).unwrap();
    let n2 = msgl_node::keys::parse_public(&id(&p.n2)).unwrap();
    let tips = r.checkpoints();
    let t = tips.iter().find(|t| t.0 == n2).unwrap();
    assert_eq!((t.3, t.4), (1, 2), "the tip as of the epoch");
    assert_eq!(
        poseidon2::pack(&poseidon2::hash_n(&t.5, 2)),
        t.2,
        "the checkpoint's preimage is on its channel's chain"
    );
    assert_eq!(close(&p, &agreed), epoch);
    // What came after the epoch is the next period's.
    let (prop, s) = propose(&p.n1, "node2", &[]);
    let dirs = s["directions"].as_array().unwrap();
    let n2_to_n1 = dirs.iter().find(|x| x["payer"] == "Node2").unwrap();
    assert_eq!(n2_to_n1["messages"], 2);
    assert_eq!(n2_to_n1["carried"], "0.00002");
    assert_eq!(n2_to_n1["channels"][0]["cumulative"], 7);
    let agreed = co_sign(&p.n2, "node1", &prop);
    close(&p, &agreed);
    n2_pays(&p, 6, 1);
    mirror(&p, "next period");
}

/// Books kept by hand (`msgl add`) can disagree on a message's price: the
/// diff shows it as a message both sides have, with both amounts, and no
/// side lacking it.
#[test]
fn a_price_booked_differently_by_hand_shows_as_a_dispute() {
    let p = pair();
    n2_pays(&p, 1, 1);
    for (home, kind, peer, amount) in [
        (&p.n1, "message-sent", "Node2", "0.00003"),
        (&p.n2, "message-received", "Node1", "0.00002"),
    ] {
        msgl(home)
            .args([
                "-q",
                "add",
                kind,
                "--peer",
                peer,
                "-m",
                &hash(5),
                "-a",
                amount,
            ])
            .assert()
            .success();
    }
    let (prop, _) = propose(&p.n1, "Node2", &[]);
    let diff = disagree(&p.n2, "node1", &prop);
    let lines = diff["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{diff}");
    assert_eq!(lines[0]["item"], "0000000000000005");
    assert_eq!(lines[0]["here"], "0.00002");
    assert_eq!(lines[0]["proposal"], "0.00003");
    assert!(lines[0]["lacking"].is_null());
    assert_eq!(diff["totals"][0]["difference"], "0.00001");
    // The payer books the difference; then they agree.
    msgl(&p.n2)
        .args([
            "-q",
            "add",
            "message-received",
            "--peer",
            "Node1",
            "-m",
            &hash(5),
            "-a",
            "0.00001",
        ])
        .assert()
        .success();
    mirror_books(&p, "price dispute resolved by hand");
    let (prop, _) = propose(&p.n1, "Node2", &[]);
    co_sign(&p.n2, "node1", &prop);
}
