//! Issue 12's findings, each played the way a hostile peer (or plain bad
//! timing) played it against v1, with the real binary on real homes. Each
//! test is named after its finding; on v1 each failed (money stranded, a
//! channel wedged, two truths, a foreign anchor booked, unbounded work,
//! hand edits unseen, raw peer text, secrets world-readable).

use crate::common;

use std::path::{Path, PathBuf};

use common::{hash, id, init, logged, msgl, stdout, Pair};
use msgl_node::objects::open::Terms;
use msgl_node::objects::{Ack, Open, Recon};
use predicates::str::contains;

fn journal(home: &Path) -> String {
    std::fs::read_to_string(home.join("journal.ledger")).unwrap()
}

/// `payer` acks message `i` to `payee_name` into a file.
fn ack(dir: &Path, payer: &Path, payee_name: &str, i: u64, price: u64) -> PathBuf {
    let f = dir.join(format!("ack-{}-{i}.yaml", payee_name.to_lowercase()));
    msgl(payer)
        .args(["-q", "ack", "--to", payee_name, "-m", &hash(i), "--price"])
        .arg(price.to_string())
        .arg("-o")
        .arg(&f)
        .assert()
        .success();
    f
}

fn accept(home: &Path, f: &Path) {
    msgl(home).args(["-q", "accept"]).arg(f).assert().success();
}

fn propose(home: &Path, peer: &str) -> PathBuf {
    let out = stdout(msgl(home).args(["reconcile", "--with", peer, "-O", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    home.join(v["file"].as_str().unwrap())
}

/// Co-signs (and so finalizes here); returns the agreement, copied out.
fn co_sign(home: &Path, peer: &str, proposal: &Path, dir: &Path) -> PathBuf {
    let out = stdout(
        msgl(home)
            .args(["reconcile", "--with", peer, "-O", "json", "--accept"])
            .arg(proposal),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let agreement = dir.join(format!("agreement-{}.yaml", v["epoch"].as_u64().unwrap()));
    std::fs::copy(home.join(v["file"].as_str().unwrap()), &agreement).unwrap();
    agreement
}

fn finalize(home: &Path, peer: &str, agreement: &Path) {
    msgl(home)
        .args(["reconcile", "--with", peer, "--finalize"])
        .arg(agreement)
        .assert()
        .success();
}

fn ar_ap(home: &Path) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(home).args(["peers", "-O", "json"]))).unwrap();
    (
        v[0]["receivable"].as_str().unwrap().to_string(),
        v[0]["payable"].as_str().unwrap().to_string(),
    )
}

/// Both homes check against their evidence and mirror each other.
fn mirror(p: &Pair, step: &str) {
    for h in [&p.payee, &p.payer] {
        msgl(h).args(["check", "--evidence"]).assert().success();
    }
    let (ar1, ap1) = ar_ap(&p.payee);
    let (ar2, ap2) = ar_ap(&p.payer);
    assert_eq!((ar1, ap1), (ap2, ar2), "{step}");
}

/// Critical: Node2 proposes, Node1 co-signs; before Node2 finalizes it
/// signs ack 3 and Node1 accepts it; both finalize; the agreement is
/// proven and recorded as settled. v1 then refused to prove ack 3 ("epoch 0
/// is older than the settled epoch") and the contract reverted
/// EpochTooOld: ack 3's money was stranded. Now ack 3 proves from the
/// count the agreement settled.
#[test]
fn critical_acks_accepted_between_cosign_and_finalize_stay_collectable() {
    let p = common::pair(1000);
    p.exchange(1, 2);
    p.exchange(2, 3);
    let proposal = propose(&p.payer, "node1");
    let agreement = co_sign(&p.payee, "node2", &proposal, &p.dir);
    // Between the co-signature and the payer's finalize.
    let third = ack(&p.dir, &p.payer, "Node1", 3, 4);
    accept(&p.payee, &third);
    finalize(&p.payer, "node1", &agreement);
    mirror(&p, "both finalized, ack 3 since");
    // Settle the agreement (5 units), then ack 3 on top (9 units).
    let batch = p.dir.join("agreement-batch");
    std::fs::create_dir(&batch).unwrap();
    std::fs::copy(&agreement, batch.join("agreement.yaml")).unwrap();
    let proof = p.dir.join("proof-agreement");
    msgl(&p.payee)
        .arg("prove")
        .arg(&batch)
        .arg("-o")
        .arg(&proof)
        .assert()
        .success();
    let s = common::statement(&proof);
    assert_eq!((s.entries[0].old_count, s.entries[0].new_count), (0, 5));
    // The contract's view once that settlement is mined (`msgl settled`
    // records it from the receipt; here it is given as --state).
    let state = p.dir.join("state.yaml");
    std::fs::write(
        &state,
        format!(
            "- channel: {}\n  tip: {}\n  count: 5\n",
            hex::encode(s.entries[0].channel),
            hex::encode(msgl_circuits::poseidon2::pack(&s.entries[0].new_preimage))
        ),
    )
    .unwrap();
    let proof3 = p.dir.join("proof-ack3");
    msgl(&p.payee)
        .arg("prove")
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&proof3)
        .arg("--state")
        .arg(&state)
        .assert()
        .success();
    let s = common::statement(&proof3);
    assert_eq!((s.entries[0].old_count, s.entries[0].new_count), (5, 9));
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&proof3)
        .assert()
        .success();
}

/// High: the payee finalized first; the payer's ack signed before its own
/// finalize was refused ("epoch older"), and after it finalized its next
/// ack was refused too ("cumulative 10 is not 5 plus 1"): the channel was
/// wedged for good. Now acks never depend on reconciliations, in either
/// order of finalizing.
#[test]
fn high_a_channel_never_wedges_whichever_side_finalizes_first() {
    for payee_first in [true, false] {
        let p = common::pair(1000);
        p.exchange(1, 1);
        p.exchange(2, 2);
        // The co-signer finalizes as it signs: to have the payee finalize
        // first, the payer proposes; to have the payer first, the payee.
        let (proposer, proposer_peer, cosigner, cosigner_peer) = if payee_first {
            (&p.payer, "node1", &p.payee, "node2")
        } else {
            (&p.payee, "node2", &p.payer, "node1")
        };
        let proposal = propose(proposer, proposer_peer);
        let agreement = co_sign(cosigner, cosigner_peer, &proposal, &p.dir);
        // Signed between the two finalizes, delivered after both.
        let between = ack(&p.dir, &p.payer, "Node1", 3, 5);
        finalize(proposer, proposer_peer, &agreement);
        accept(&p.payee, &between);
        mirror(&p, "ack between the finalizes");
        // And the channel goes on.
        let next = ack(&p.dir, &p.payer, "Node1", 4, 1);
        accept(&p.payee, &next);
        mirror(&p, "next ack");
        // A lost ack is re-sent and accepted as always.
        let lost = ack(&p.dir, &p.payer, "Node1", 5, 1);
        std::fs::remove_file(&lost).unwrap();
        let again = stdout(msgl(&p.payer).args(["ack", "--to", "node1", "--resend"]));
        msgl(&p.payee)
            .args(["accept", "-"])
            .write_stdin(again)
            .assert()
            .success();
        mirror(&p, "resend");
        assert_eq!(common::channels(&p.payee)[0].cumulative, 10);
    }
}

/// High: Node1 co-signed E1, then E2 while E1 was open; Node1 finalized
/// E2, Node2 E1, and each refused the other's from then on. Now an
/// agreement must follow the last one this node finalized, and the
/// co-signer finalizes as it signs: E2 is refused until E1 is final on
/// both sides, and crossed proposals are ordered so only one is ever
/// co-signed.
#[test]
fn high_two_agreements_never_make_two_truths() {
    let p = common::pair(1000);
    p.exchange(1, 1);
    let e1 = propose(&p.payer, "node1");
    let a1 = co_sign(&p.payee, "node2", &e1, &p.dir);
    p.exchange(2, 2);
    // Node2 proposes again before finalizing E1: it follows no agreement
    // Node1 knows as the last.
    let e2 = propose(&p.payer, "node1");
    let before = journal(&p.payee);
    msgl(&p.payee)
        .args(["reconcile", "--with", "node2", "--accept"])
        .arg(&e2)
        .assert()
        .code(1)
        .stderr(contains("follows the period ending at 0"));
    assert_eq!(journal(&p.payee), before);
    // Nor can Node2 finalize E1 and then the stale E2 somewhere.
    finalize(&p.payer, "node1", &a1);
    msgl(&p.payer)
        .args(["reconcile", "--with", "node1", "--finalize"])
        .arg(&e2)
        .assert()
        .code(1);
    mirror(&p, "E1 final on both sides");
    let e3 = propose(&p.payer, "node1");
    let a3 = co_sign(&p.payee, "node2", &e3, &p.dir);
    finalize(&p.payer, "node1", &a3);
    mirror(&p, "E3 final on both sides");
    let epochs = |h: &Path| {
        let mut v: Vec<String> = journal(h)
            .lines()
            .filter_map(|l| l.split(":epoch-").nth(1))
            .map(|e| e.split_whitespace().next().unwrap().to_string())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert_eq!(epochs(&p.payee), epochs(&p.payer));
    assert_eq!(epochs(&p.payee).len(), 2);

    // Crossed: both propose before either co-signs; each tries the
    // other's. Exactly one agreement results, on both sides.
    p.exchange(3, 1);
    let from2 = propose(&p.payer, "node1");
    std::thread::sleep(std::time::Duration::from_millis(3));
    let from1 = propose(&p.payee, "node2");
    let r1 = msgl(&p.payee)
        .args(["reconcile", "--with", "node2", "-O", "json", "--accept"])
        .arg(&from2)
        .output()
        .unwrap();
    let r2 = msgl(&p.payer)
        .args(["reconcile", "--with", "node1", "-O", "json", "--accept"])
        .arg(&from1)
        .output()
        .unwrap();
    let ok: Vec<bool> = [&r1, &r2].iter().map(|r| r.status.success()).collect();
    assert_eq!(
        ok,
        vec![false, true],
        "the later proposal (Node1's) goes first"
    );
    assert!(String::from_utf8_lossy(&r1.stderr).contains("its proposal goes first"));
    let v: serde_json::Value = serde_json::from_slice(&r2.stdout).unwrap();
    let agreement = p.payer.join(v["file"].as_str().unwrap());
    finalize(&p.payee, "node2", &agreement);
    mirror(&p, "crossed proposals, one agreement");
    assert_eq!(epochs(&p.payee), epochs(&p.payer));
    assert_eq!(epochs(&p.payee).len(), 3);
    // The losing proposal can never be co-signed now.
    msgl(&p.payee)
        .args(["reconcile", "--with", "node2", "--accept"])
        .arg(&from2)
        .assert()
        .code(1);
}

/// An open re-signed by `signer` (its key), with the terms of `open`.
fn resign_open(open: &Open, signer: &Path, f: impl FnOnce(&mut Terms)) -> Open {
    let key = msgl_node::keys::load(&signer.join("keys/node.key")).unwrap();
    let mut t = Terms {
        payee: open.payee,
        generation: open.generation,
        channel: open.channel,
        length: open.length,
        max_price: open.max_price,
        decimals: open.decimals,
        unit_price: open.unit_price,
        escrow: open.escrow,
        chain: open.chain,
    };
    f(&mut t);
    Open::signed(&key, &t)
}

fn read_open(f: &Path) -> Open {
    Open::from_yaml(&std::fs::read_to_string(f).unwrap()).unwrap()
}

/// High: `accept-open` took an open whose anchor another channel used
/// (Node3 re-signed Node2's open), then Node3's re-signed copy of Node2's
/// ack 1 was booked against Node3 and Node2's own acks failed for good
/// ("a stored ack does not continue the channel's state ... repair by
/// hand"). Now a channel id is used once, files are keyed by the full id,
/// and every foreign object is an exit-1 refusal of that object alone.
#[test]
fn high_a_reused_anchor_is_refused_and_never_wedges_the_channel() {
    let p = common::pair(1000);
    let n3 = init(&p.dir, "Node3");
    msgl(&p.payee)
        .args(["peer", "add", "Node3", &id(&n3), "--policy", "credit:1"])
        .assert()
        .success();
    let genuine = read_open(&p.open);
    // Node3's copy of Node2's accepted open.
    let copy = p.dir.join("copy.yaml");
    std::fs::write(&copy, resign_open(&genuine, &n3, |_| {}).to_yaml()).unwrap();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(contains("is already used by Node2"));
    // Node3's copy of Node2's ack 1, in flight.
    let a1 = ack(&p.dir, &p.payer, "Node1", 1, 2);
    let mut stolen = Ack::from_yaml(&std::fs::read_to_string(&a1).unwrap()).unwrap();
    let k3 = msgl_node::keys::load(&n3.join("keys/node.key")).unwrap();
    stolen = Ack::signed(
        &k3,
        msgl_node::objects::ack::AckFields {
            channel: stolen.channel,
            payee: stolen.payee,
            nonce: stolen.nonce,
            message: stolen.message,
            price: stolen.price,
            cumulative: stolen.cumulative,
            preimage: stolen.preimage,
        },
    );
    let sf = p.dir.join("stolen.yaml");
    std::fs::write(&sf, stolen.to_yaml()).unwrap();
    let before = journal(&p.payee);
    msgl(&p.payee)
        .arg("accept")
        .arg(&sf)
        .assert()
        .code(1)
        .stderr(contains("not between this channel's payer and payee"));
    assert_eq!(journal(&p.payee), before);
    // Node2's genuine acks go on.
    accept(&p.payee, &a1);
    p.exchange(2, 1);
    mirror(&p, "after the stolen ack");
    // The logs are named by the full channel id.
    let log = p
        .payee
        .join("acks")
        .join(format!("{}.log", genuine.id_hex()));
    assert!(log.is_file(), "{}", log.display());
    assert_eq!(logged(&p.payee, "acks").len(), 2);

    // The other order: Node3's copy first, from a payee that had not seen
    // Node2's open. The genuine open is refused (exit 1, not a wedge) and
    // Node2 opens a new generation.
    let q = common::pair(1000);
    let n3 = init(&q.dir, "Node3");
    msgl(&q.payee)
        .args(["peer", "add", "Node3", &id(&n3), "--policy", "credit:1"])
        .assert()
        .success();
    let o2 = q.dir.join("open-g2.yaml");
    msgl(&q.payer)
        .args(["open", "--to", "node1", "--units", "100", "-o"])
        .arg(&o2)
        .assert()
        .success();
    let copy = q.dir.join("copy.yaml");
    std::fs::write(&copy, resign_open(&read_open(&o2), &n3, |_| {}).to_yaml()).unwrap();
    msgl(&q.payee)
        .arg("accept-open")
        .arg(&copy)
        .assert()
        .success();
    msgl(&q.payee)
        .arg("accept-open")
        .arg(&o2)
        .assert()
        .code(1)
        .stderr(contains("is already used by Node3's channel generation 2"));
    // Node2's acks on generation 2 are refused, one by one, never booked.
    let a = ack(&q.dir, &q.payer, "Node1", 7, 1);
    msgl(&q.payee)
        .arg("accept")
        .arg(&a)
        .assert()
        .code(1)
        .stderr(contains("not between this channel's payer and payee"));
    let o3 = q.dir.join("open-g3.yaml");
    msgl(&q.payer)
        .args(["open", "--to", "node1", "--units", "100", "-o"])
        .arg(&o3)
        .assert()
        .success();
    msgl(&q.payee)
        .arg("accept-open")
        .arg(&o3)
        .assert()
        .success();
    let a = ack(&q.dir, &q.payer, "Node1", 8, 1);
    accept(&q.payee, &a);
    msgl(&q.payee)
        .args(["check", "--evidence"])
        .assert()
        .success();

    // Generation 0, an all-zero id, and the payer's own anchor reused in
    // another generation: refused.
    let g0 = p.dir.join("g0.yaml");
    std::fs::write(
        &g0,
        resign_open(&genuine, &p.payer, |t| t.generation = 0).to_yaml(),
    )
    .unwrap();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&g0)
        .assert()
        .code(1)
        .stderr(contains("generation is 0"));
    let zero = p.dir.join("zero.yaml");
    std::fs::write(
        &zero,
        resign_open(&genuine, &p.payer, |t| {
            t.generation = 5;
            t.channel = [0; 32];
        })
        .to_yaml(),
    )
    .unwrap();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&zero)
        .assert()
        .code(1)
        .stderr(contains("all zero"));
    let reused = p.dir.join("reused.yaml");
    std::fs::write(
        &reused,
        resign_open(&genuine, &p.payer, |t| t.generation = 9).to_yaml(),
    )
    .unwrap();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&reused)
        .assert()
        .code(1)
        .stderr(contains("is already used by Node2"));
}

/// Medium (1): a known payer made `accept` hash for minutes under the
/// journal's lock (one ack of 2^22 units with a random preimage). Now an
/// ack pays at most its channel's `max_price` units (signed in the open,
/// at most the payee's max_units_per_ack), checked before any hashing, and
/// the hash walk (bounded by it) runs before the lock is taken.
#[test]
fn medium_a_hostile_accept_does_bounded_work() {
    let p = common::pair(70_000);
    let genuine = read_open(&p.open);
    assert_eq!(genuine.max_price, 1 << 16, "the default cap");
    // An open asking more per ack than this node allows is refused.
    let greedy = p.dir.join("greedy.yaml");
    std::fs::write(
        &greedy,
        resign_open(&genuine, &p.payer, |t| {
            t.generation = 2;
            t.channel = [7; 32];
            t.max_price = 1 << 22;
        })
        .to_yaml(),
    )
    .unwrap();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&greedy)
        .assert()
        .code(1)
        .stderr(contains("more than this node's max_units_per_ack 65536"));
    // An ack of 2^22 units: refused on its price, before hashing.
    let key = msgl_node::keys::load(&p.payer.join("keys/node.key")).unwrap();
    let huge = Ack::signed(
        &key,
        msgl_node::objects::ack::AckFields {
            channel: genuine.channel,
            payee: genuine.payee,
            nonce: 1,
            message: [1; 32],
            price: 1 << 22,
            cumulative: 1 << 22,
            preimage: [0x11; 32],
        },
    );
    let f = p.dir.join("huge.yaml");
    std::fs::write(&f, huge.to_yaml()).unwrap();
    msgl(&p.payee)
        .arg("accept")
        .arg(&f)
        .assert()
        .code(1)
        .stderr(contains(
            "price 4194304 is above the channel's 65536 units per ack",
        ));
    // At the cap with a random preimage: the walk is done and refuses.
    let capped = Ack::signed(
        &key,
        msgl_node::objects::ack::AckFields {
            price: 1 << 16,
            cumulative: 1 << 16,
            ..msgl_node::objects::ack::AckFields {
                channel: genuine.channel,
                payee: genuine.payee,
                nonce: 1,
                message: [1; 32],
                price: 0,
                cumulative: 0,
                preimage: [0x11; 32],
            }
        },
    );
    std::fs::write(&f, capped.to_yaml()).unwrap();
    msgl(&p.payee)
        .arg("accept")
        .arg(&f)
        .assert()
        .code(1)
        .stderr(contains("wrong preimage"));
    // The payer never signs past the cap either.
    msgl(&p.payer)
        .args(["ack", "--to", "node1", "-m", &hash(1), "--price", "65537"])
        .assert()
        .code(2)
        .stderr(contains("above the channel's 65536 units per ack"));
}

/// Medium (3): hand edits — a middle entry deleted, an amount changed,
/// the last entry deleted and its sequence number reused — passed `msgl
/// check`. `msgl check --evidence` finds each at its line.
#[test]
fn medium_hand_edits_are_found_by_check_evidence() {
    let p = common::pair(1000);
    for i in 1..=4 {
        p.exchange(i, i);
    }
    msgl(&p.payee)
        .args(["check", "--evidence"])
        .assert()
        .success();
    let path = p.payee.join("journal.ledger");
    let original = journal(&p.payee);
    let entries: Vec<&str> = original.split("\n\n").collect();
    assert_eq!(entries.len(), 4);
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "a middle entry deleted",
            format!("{}\n\n{}\n\n{}", entries[0], entries[2], entries[3]),
            "is not booked in the journal",
        ),
        (
            "an amount changed",
            original.replacen("0.00003", "0.00030", 1),
            "amount 0.0003 where the ack signs 0.00003",
        ),
        (
            "the last entry deleted and its number reused",
            format!(
                "{}\n\n{}\n\n{}\n\n{}",
                entries[0],
                entries[1],
                entries[2],
                entries[3].replace("0.00004", "0.00001").replacen(
                    &hash(4)[..16],
                    &hash(9)[..16],
                    1
                )
            ),
            "amount 0.00001 where the ack signs 0.00004",
        ),
    ];
    for (what, text, why) in cases {
        std::fs::write(&path, &text).unwrap();
        msgl(&p.payee).arg("check").assert().success();
        let out = msgl(&p.payee)
            .args(["check", "--evidence"])
            .assert()
            .code(1)
            .get_output()
            .stderr
            .clone();
        let err = String::from_utf8(out).unwrap();
        assert!(err.contains(why), "{what}: {err}");
        // FILE:LINE of the entry, or of the ack in its log.
        assert!(
            err.contains(&format!("{}:", path.display())) || err.contains(".log:"),
            "{what}: FILE:LINE: {err}"
        );
    }
    std::fs::write(&path, &original).unwrap();
    msgl(&p.payee)
        .args(["check", "--evidence"])
        .assert()
        .success();
}

/// Medium (4): `reconcile --accept` printed peer-supplied message names
/// raw (ESC, BEL, newline) in text and CSV. A proposal naming a message
/// that is no journal sub-account is refused now, and nothing raw reaches
/// the terminal in any form.
#[test]
fn medium_peer_text_never_reaches_the_terminal_raw() {
    let p = common::pair(1000);
    p.exchange(1, 1);
    let proposal = propose(&p.payer, "node1");
    let mut r = Recon::from_yaml(&std::fs::read_to_string(&proposal).unwrap()).unwrap();
    let me_a = r.node_a == msgl_node::keys::parse_public(&id(&p.payee)).unwrap();
    let d = if me_a { &mut r.b_to_a } else { &mut r.a_to_b };
    d.messages[0].message = "\u{1b}]0;owned\u{7}\n\u{1b}[2J".into();
    r.signature_a = None;
    r.signature_b = None;
    r.sign(&msgl_node::keys::load(&p.payer.join("keys/node.key")).unwrap())
        .unwrap();
    let f = p.dir.join("hostile.yaml");
    std::fs::write(&f, r.to_yaml()).unwrap();
    for format in ["text", "json", "csv"] {
        let out = msgl(&p.payee)
            .args(["reconcile", "--with", "node2", "-O", format, "--accept"])
            .arg(&f)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        for bytes in [&out.stdout, &out.stderr] {
            assert!(
                !bytes.iter().any(|&b| b == 0x1b || b == 0x07),
                "{format}: raw control bytes: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a journal sub-account"));
    }
}

/// Medium (5): chains/*.chain (w_n: enough to pay out the whole channel)
/// was not permission-checked; acks/, recon/ files and the journal were
/// created 0644; symlinks out of the home were followed.
#[cfg(unix)]
#[test]
fn medium_secrets_and_evidence_are_private_and_symlinks_out_of_the_home_refused() {
    use std::os::unix::fs::PermissionsExt;
    let p = common::pair(1000);
    p.exchange(1, 1);
    let proposal = propose(&p.payer, "node1");
    co_sign(&p.payee, "node2", &proposal, &p.dir);
    let mode = |f: &Path| std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
    for home in [&p.payee, &p.payer] {
        assert_eq!(mode(&home.join("journal.ledger")), 0o600);
        for d in [
            "keys", "channels", "chains", "acks", "sent", "recon", "served",
        ] {
            assert_eq!(mode(&home.join(d)), 0o700, "{d}");
            for e in std::fs::read_dir(home.join(d)).unwrap() {
                let f = e.unwrap().path();
                assert_eq!(mode(&f), 0o600, "{}", f.display());
            }
        }
    }
    // A chain file others may read: refused like a key.
    let chain = std::fs::read_dir(p.payer.join("chains"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::set_permissions(&chain, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = journal(&p.payer);
    msgl(&p.payer)
        .args(["ack", "--to", "node1", "-m", &hash(2), "--price", "1"])
        .assert()
        .code(2)
        .stderr(contains("accessible by group or others"));
    assert_eq!(journal(&p.payer), before);
    std::fs::set_permissions(&chain, std::fs::Permissions::from_mode(0o600)).unwrap();
    // acks/ swapped for a symlink to a directory outside the home.
    let outside = p.dir.join("outside");
    std::fs::rename(p.payee.join("acks"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, p.payee.join("acks")).unwrap();
    let a2 = ack(&p.dir, &p.payer, "Node1", 2, 1);
    let before = journal(&p.payee);
    msgl(&p.payee)
        .arg("accept")
        .arg(&a2)
        .assert()
        .code(2)
        .stderr(contains("leads out of the home"));
    assert_eq!(journal(&p.payee), before);
    std::fs::remove_file(p.payee.join("acks")).unwrap();
    std::fs::rename(&outside, p.payee.join("acks")).unwrap();
    accept(&p.payee, &a2);
}
