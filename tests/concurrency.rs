//! Two commands writing one home at once (cron's `msgl reconcile` while a
//! script runs `msgl accept`; two `msgl accept`s) never interleave or lose
//! a write: the journal's lock (fs4, taken by every command that writes
//! the journal, acks/, a channel state or channels/settled.yaml) orders
//! them, and readers take whole entries only (the intent marker, DESIGN §7.2).
//!
//! No sleeps: threads run real processes back to back and hand over with
//! channels; what is checked afterwards holds whatever the interleaving.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use common::{booked, channels, id, init, logged, msgl, pair, run_killed, stdout, tagged, tempdir};
use msgl_ledger::journal::Decimal;
use msgl_ledger::journal::{parse_file, Journal, Source};
use msgl_node::objects::Recon;

/// A message hash whose sub-account (first 16 hex digits) is distinct per
/// (payer tag, i).
fn hash(tag: u64, i: u64) -> String {
    format!("{:08x}{i:08x}{}", tag, "cd".repeat(24))
}

fn sign_acks(
    payer: &Path,
    to: &str,
    dir: &Path,
    tag: u64,
    range: std::ops::Range<u64>,
) -> Vec<PathBuf> {
    range
        .map(|i| {
            let f = dir.join(format!("ack-{tag}-{i}.yaml"));
            msgl(payer)
                .args([
                    "-q",
                    "ack",
                    "--to",
                    to,
                    "-m",
                    &hash(tag, i),
                    "--price",
                    "1",
                    "-o",
                ])
                .arg(&f)
                .assert()
                .success();
            f
        })
        .collect()
}

fn accept(home: &Path, f: &Path) -> common::Run {
    run_killed(home, &[OsStr::new("accept"), f.as_os_str()], None)
}

/// `msgl check` passes, sequence numbers run 1..=n, every MESSAGE SENT is
/// whole and booked once for a stored ack, every stored ack is booked, and
/// every reported booking is there. Returns the journal.
fn check_home(home: &Path, reported: &BTreeMap<String, u64>, ctx: &str) -> Journal {
    let c = run_killed(home, &[OsStr::new("check")], None);
    assert_eq!(c.code, Some(0), "{ctx}: msgl check: {}", c.stderr);
    let j = parse_file(&Source::File(home.join("journal.ledger"))).unwrap();
    for (k, e) in j.entries.iter().enumerate() {
        assert_eq!(
            e.seq,
            k as u64 + 1,
            "{ctx}: sequence numbers not consecutive"
        );
        if e.description == "MESSAGE SENT" {
            assert_eq!(e.postings.len(), 1, "{ctx}: entry {} not whole", e.seq);
        }
    }
    let tags = tagged(&j, "MESSAGE SENT", "ack");
    let set: BTreeSet<String> = tags.iter().map(|t| t.1.clone()).collect();
    assert_eq!(set.len(), tags.len(), "{ctx}: an ack booked twice");
    let stored = logged(home, "acks");
    assert_eq!(stored, set, "{ctx}: stored acks and bookings differ");
    let ev = run_killed(home, &[OsStr::new("check"), OsStr::new("--evidence")], None);
    assert_eq!(
        ev.code,
        Some(0),
        "{ctx}: msgl check --evidence: {}",
        ev.stderr
    );
    for (f, n) in reported {
        assert!(
            tags.contains(&(*n, f.clone())),
            "{ctx}: {f} reported as ({n}), not there"
        );
    }
    j
}

fn in_channels(home: &Path) -> Vec<msgl_node::protocol::Channel> {
    channels(home)
        .into_iter()
        .filter(|c| c.role == msgl_node::protocol::Role::In)
        .collect()
}

/// Rounds of: the payer (Node2) proposes, the payer signs the next acks,
/// then one thread accepts them one process at a time on Node1 while
/// another, once some acks are in, co-signs Node2's proposal there (which
/// finalizes it on Node1), then proposes from Node1 again and again until
/// the acks are done; Node2 finalizes the agreement.
#[test]
fn accept_while_reconcile_proposes_and_finalizes_on_the_same_home() {
    const ROUNDS: u64 = 3;
    const PER_ROUND: u64 = 60;
    let p = pair(10_000);
    let unit: Decimal = "0.00001".parse().unwrap();
    let mut reported = BTreeMap::new();
    // Round 0's messages: booked before any reconciliation.
    for f in sign_acks(&p.payer, "Node1", &p.dir, 0, 0..10) {
        let r = accept(&p.payee, &f);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let (n, file) = booked(&r.stdout).unwrap();
        reported.insert(file, n);
    }
    let mut total = 10;
    let mut epochs = Vec::new();
    let (mut proposals, mut accepts) = (0, 0);
    for round in 1..=ROUNDS {
        let out = stdout(msgl(&p.payer).args(["reconcile", "--with", "node1", "-O", "json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let proposal = p.payer.join(v["file"].as_str().unwrap());
        let epoch = Recon::from_yaml(&std::fs::read_to_string(&proposal).unwrap())
            .unwrap()
            .epoch();
        epochs.push(epoch);
        let files = sign_acks(&p.payer, "Node1", &p.dir, round, 0..PER_ROUND);
        let agreement = p.dir.join(format!("agreement-{round}.yaml"));

        let done = AtomicBool::new(false);
        let (tx, rx) = mpsc::channel::<()>();
        let payee = p.payee.clone();
        let (got, props) = std::thread::scope(|s| {
            let (done, payee, files, agreement, proposal) =
                (&done, &payee, &files, &agreement, &proposal);
            let acceptor = s.spawn(move || {
                let mut got = Vec::new();
                for (k, f) in files.iter().enumerate() {
                    let r = accept(payee, f);
                    assert_eq!(r.code, Some(0), "round {round} ack {k}: {}", r.stderr);
                    got.push(booked(&r.stdout).expect("a booked line"));
                    if k == 10 {
                        tx.send(()).unwrap();
                    }
                }
                done.store(true, Ordering::SeqCst);
                got
            });
            let reconciler = s.spawn(move || {
                let mut props = Vec::new();
                let mut finalized = false;
                let mut after = 0;
                // Co-sign once some acks are in (a later proposal of this
                // node's own would go first, DESIGN §6.6), then propose until the
                // acceptor is done (and at least twice).
                rx.recv().unwrap();
                while !(finalized && after >= 2 && done.load(Ordering::SeqCst)) {
                    if !finalized {
                        let r = run_killed(
                            payee,
                            &[
                                OsStr::new("reconcile"),
                                OsStr::new("--with"),
                                OsStr::new("Node2"),
                                OsStr::new("-O"),
                                OsStr::new("json"),
                                OsStr::new("--accept"),
                                proposal.as_os_str(),
                            ],
                            None,
                        );
                        assert_eq!(r.code, Some(0), "round {round}: co-sign: {}", r.stderr);
                        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
                        std::fs::copy(payee.join(v["file"].as_str().unwrap()), agreement).unwrap();
                        finalized = true;
                        continue;
                    }
                    let r = run_killed(
                        payee,
                        &[
                            OsStr::new("reconcile"),
                            OsStr::new("--with"),
                            OsStr::new("Node2"),
                            OsStr::new("-O"),
                            OsStr::new("json"),
                        ],
                        None,
                    );
                    assert_eq!(r.code, Some(0), "round {round}: propose: {}", r.stderr);
                    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
                    props.push((finalized, payee.join(v["file"].as_str().unwrap())));
                    if finalized {
                        after += 1;
                    }
                }
                props
            });
            (acceptor.join().unwrap(), reconciler.join().unwrap())
        });
        accepts += got.len();
        for (n, file) in got {
            assert!(reported.insert(file, n).is_none(), "an ack booked twice");
        }
        total += PER_ROUND;
        msgl(&p.payer)
            .args(["reconcile", "--with", "node1", "--finalize"])
            .arg(&agreement)
            .assert()
            .success();

        // Every proposal is a consistent snapshot: its tip (nonce =
        // cumulative, one unit a message) is what its books add up to.
        let mut last_nonce = 0;
        for (after_finalize, f) in &props {
            let r = Recon::from_yaml(&std::fs::read_to_string(f).unwrap()).unwrap();
            let d = if !r.a_to_b.channels.is_empty() {
                &r.a_to_b
            } else {
                &r.b_to_a
            };
            let c = &d.channels[0];
            assert_eq!(c.nonce, c.cumulative, "{}", f.display());
            assert_eq!(d.amount, Decimal::from(c.nonce) * unit, "{}", f.display());
            let sum: Decimal = d.messages.iter().map(|m| m.amount).sum();
            assert_eq!(d.carried + sum, d.amount, "{}", f.display());
            assert!(
                d.messages.iter().all(|m| m.amount == unit),
                "{}",
                f.display()
            );
            assert!(c.nonce >= last_nonce, "proposals went back in time");
            last_nonce = c.nonce;
            let previous = epochs
                .get(epochs.len().wrapping_sub(2))
                .copied()
                .unwrap_or(0);
            if *after_finalize {
                assert_eq!(r.previous_epoch, epoch, "{}", f.display());
            } else {
                assert!(r.previous_epoch == previous || r.previous_epoch == epoch);
            }
        }
        proposals += props.len();

        let j = check_home(&p.payee, &reported, &format!("round {round}"));
        let sent = tagged(&j, "MESSAGE SENT", "ack");
        assert_eq!(sent.len() as u64, total, "round {round}: acks lost");
        let recs = tagged(&j, "RECONCILED", "recon");
        assert_eq!(
            recs.len() as u64,
            round,
            "round {round}: RECONCILED entries"
        );
        let last = j
            .entries
            .iter()
            .rfind(|e| e.description == "RECONCILED")
            .unwrap();
        // Whole: every message of the closed period netted, and the
        // epoch line holding all messages up to the epoch.
        let netted = last
            .postings
            .iter()
            .filter(|p| !p.account.contains(":epoch-"))
            .count();
        let period = if round == 1 { 10 } else { PER_ROUND };
        assert_eq!(netted as u64, period, "round {round}: {last:?}");
        let line = last
            .postings
            .iter()
            .find(|p| p.account == format!("Assets:AccountsReceivable:Node2:epoch-{epoch}"))
            .unwrap_or_else(|| panic!("round {round}: no epoch line: {last:?}"));
        assert_eq!(
            line.amount.as_ref().unwrap().quantity,
            Decimal::from(10 + (round - 1) * PER_ROUND) * unit,
            "round {round}"
        );
        let st = in_channels(&p.payee);
        assert_eq!(st.len(), 1);
        assert_eq!(st[0].nonce, total, "round {round}");
    }
    // The two nodes' books still mirror each other.
    let v: serde_json::Value =
        serde_json::from_str(&stdout(msgl(&p.payee).args(["peers", "-O", "json"]))).unwrap();
    let w: serde_json::Value =
        serde_json::from_str(&stdout(msgl(&p.payer).args(["peers", "-O", "json"]))).unwrap();
    assert_eq!(v[0]["receivable"], w[0]["payable"]);
    eprintln!(
        "{ROUNDS} rounds: {accepts} accepts, {proposals} proposals and {ROUNDS} finalizes \
         on one home at once; {total} acks booked once each"
    );
}

/// Node1 is paid by Node2 and Node3. Two `msgl accept` processes run at
/// once on Node1's home: first with different acks (one payer each), then
/// both with the same acks in the same order, where every attempt must
/// book or say "already accepted", and each ack is booked exactly once.
#[test]
fn two_accepts_on_the_same_home_at_once() {
    const N: u64 = 80;
    let p = pair(10_000);
    let n3 = init(&p.dir, "Node3");
    msgl(&p.payee)
        .args(["peer", "add", "Node3", &id(&n3), "--policy", "credit:100"])
        .assert()
        .success();
    msgl(&n3)
        .args(["peer", "add", "Node1", &id(&p.payee)])
        .assert()
        .success();
    let open = p.dir.join("open3.yaml");
    msgl(&n3)
        .args(["open", "--to", "Node1", "--units", "1000", "-o"])
        .arg(&open)
        .assert()
        .success();
    msgl(&p.payee)
        .arg("accept-open")
        .arg(&open)
        .assert()
        .success();
    let dir2 = tempdir();
    let from2 = sign_acks(&p.payer, "Node1", dir2.path(), 2, 0..N);
    let from3 = sign_acks(&n3, "Node1", dir2.path(), 3, 0..N);

    // Different acks at once.
    let mut reported = BTreeMap::new();
    let runs = std::thread::scope(|s| {
        let hs: Vec<_> = [&from2, &from3]
            .into_iter()
            .map(|files| {
                let home = &p.payee;
                s.spawn(move || {
                    files
                        .iter()
                        .map(|f| {
                            let r = accept(home, f);
                            assert_eq!(r.code, Some(0), "{}", r.stderr);
                            booked(&r.stdout).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    for (n, f) in runs {
        assert!(reported.insert(f, n).is_none());
    }
    let j = check_home(&p.payee, &reported, "different acks");
    assert_eq!(tagged(&j, "MESSAGE SENT", "ack").len() as u64, 2 * N);
    // Interleaved, not one after the other (else this tested nothing).
    let by = |tag: u64| {
        j.entries
            .iter()
            .filter(|e| e.postings[0].account.contains(&format!(":{tag:08x}")))
            .map(|e| e.seq)
            .collect::<Vec<_>>()
    };
    let (s2, s3) = (by(2), by(3));
    assert_eq!((s2.len() as u64, s3.len() as u64), (N, N));
    let interleaved =
        s2.iter().any(|a| s3.first() < Some(a)) && s3.iter().any(|b| s2.first() < Some(b));
    eprintln!(
        "different acks: {} entries, interleaved: {interleaved}",
        j.entries.len()
    );
    let states = in_channels(&p.payee);
    assert!(states.iter().all(|s| s.nonce == N), "{states:?}");

    // The same acks, in the same order, from two processes at once.
    let more = sign_acks(&p.payer, "Node1", dir2.path(), 4, 0..N);
    let outcomes = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let (home, files) = (&p.payee, &more);
                s.spawn(move || {
                    files
                        .iter()
                        .map(|f| {
                            let r = accept(home, f);
                            match r.code {
                                Some(0) => booked(&r.stdout),
                                Some(1) if r.stderr.contains("already accepted") => None,
                                _ => panic!("neither booked nor already accepted: {}", r.stderr),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    let mut each = [0; 2];
    for (i, (a, b)) in outcomes[0].iter().zip(&outcomes[1]).enumerate() {
        assert!(
            a.is_some() != b.is_some(),
            "ack {i}: booked {} times",
            a.is_some() as u8 + b.is_some() as u8
        );
        let (n, f) = a.clone().or_else(|| b.clone()).unwrap();
        each[usize::from(b.is_some())] += 1;
        assert!(reported.insert(f, n).is_none());
    }
    let j = check_home(&p.payee, &reported, "the same acks");
    assert_eq!(tagged(&j, "MESSAGE SENT", "ack").len() as u64, 3 * N);
    eprintln!(
        "the same {N} acks from two processes: booked {} by one, {} by the other",
        each[0], each[1]
    );
}

/// The payer opens new channel generations while a script signs acks on
/// the same home: every ack is signed and booked (on whichever generation
/// is the latest when it runs), none fails on a half-made channel.
#[test]
fn open_while_ack_on_the_same_home() {
    const OPENS: usize = 6;
    const ACKS: u64 = 100;
    let p = pair(100_000);
    let done = AtomicBool::new(false);
    let acks = std::thread::scope(|s| {
        let payer = &p.payer;
        let done = &done;
        let opener = s.spawn(move || {
            for _ in 0..OPENS {
                let r = run_killed(
                    payer,
                    &["open", "--to", "Node1", "--units", "20000"].map(OsStr::new),
                    None,
                );
                assert_eq!(r.code, Some(0), "open: {}", r.stderr);
            }
            done.store(true, Ordering::SeqCst);
        });
        let signer = s.spawn(move || {
            let mut n = 0;
            while n < ACKS || !done.load(Ordering::SeqCst) {
                let h = hash(9, n);
                let r = run_killed(
                    payer,
                    &["-q", "ack", "--to", "Node1", "-m", &h, "--price", "1"].map(OsStr::new),
                    None,
                );
                assert_eq!(r.code, Some(0), "ack {n} while opening: {}", r.stderr);
                n += 1;
            }
            n
        });
        opener.join().unwrap();
        signer.join().unwrap()
    });
    msgl(&p.payer).arg("check").assert().success();
    let j = parse_file(&Source::File(p.payer.join("journal.ledger"))).unwrap();
    assert_eq!(tagged(&j, "MESSAGE RECEIVED", "ack").len() as u64, acks);
    let outs: Vec<msgl_node::protocol::Channel> = channels(&p.payer)
        .into_iter()
        .filter(|c| c.role == msgl_node::protocol::Role::Out)
        .collect();
    assert_eq!(outs.len(), OPENS + 1);
    assert_eq!(outs.iter().map(|s| s.nonce).sum::<u64>(), acks);
    eprintln!("{OPENS} opens and {acks} acks at once on one home");
}
