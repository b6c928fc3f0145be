//! Crash safety of finalizing a reconciliation (docs/DESIGN.md §6.6: the
//! agreement is stored, then RECONCILED booked in one commit; a rerun
//! books it once or says it is already finalized).
//!
//! Two nodes with a channel each way and acks both ways; Node2 proposes.
//! Each of 200 attempts copies a prepared home, in turn Node1's (about to
//! co-sign: `msgl reconcile --with node2 --accept PROPOSAL`, which
//! finalizes on Node1 as it signs) or Node2's (holding its proposal, about
//! to `--finalize AGREEMENT`), and kills the command with SIGKILL after a
//! pseudo-random delay spread over its measured running time (fixed
//! seed). After every kill:
//! - the journal passes `msgl check` and still begins with the home's
//!   journal byte for byte; it holds no RECONCILED entry, or exactly one,
//!   whole (the same postings and `; recon:` tag as an uninterrupted run),
//!   and only if it printed nothing, or printed `booked`;
//! - the recon file, if there, is the proposal or the agreement, never
//!   torn, and the agreement when the entry is booked.
//!
//! Then the command runs again: it books exactly once if the entry was not
//! there, or says "already finalized" (also when a kill after the journal's
//! write left the marker standing: readers do not show that entry yet, the
//! next writer keeps it, DESIGN §7.2); afterwards the journal is the
//! home's plus that one entry, the recon file is the agreement and `msgl
//! check --evidence` passes. Every tenth attempt a third run must change
//! nothing.

use crate::common;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{
    checked_entries, committed_unseen, copy_home, hash, id, msgl, pair, run_killed, same_entry,
    stdout, tagged, Rng,
};
use msgl_ledger::journal::Entry;
use msgl_node::objects::Recon;

const KILLS: usize = 200;

struct Node {
    name: &'static str,
    peer: &'static str,
    template: PathBuf,
    journal: String,
    /// The RECONCILED entry an uninterrupted finalize books (postings and tag).
    reference: Entry,
}

#[test]
fn sigkill_during_finalize_books_once_or_not_at_all_and_the_rerun_finishes_it() {
    // Two nodes, a channel each way, acks both ways.
    let p = pair(1000);
    let back = p.dir.join("open-back.yaml");
    msgl(&p.payee)
        .args(["open", "--to", "Node2", "--units", "1000", "-o"])
        .arg(&back)
        .assert()
        .success();
    msgl(&p.payer)
        .arg("accept-open")
        .arg(&back)
        .assert()
        .success();
    for i in 0..6 {
        p.exchange(i, 1 + i % 3);
    }
    for i in 0..4 {
        let f = p.dir.join(format!("back-{i}.yaml"));
        msgl(&p.payee)
            .args([
                "-q",
                "ack",
                "--to",
                "Node2",
                "-m",
                &hash(100 + i),
                "--price",
                "2",
                "-o",
            ])
            .arg(&f)
            .assert()
            .success();
        msgl(&p.payer)
            .args(["-q", "accept"])
            .arg(&f)
            .assert()
            .success();
    }
    let out = stdout(msgl(&p.payer).args(["reconcile", "--with", "node1", "-O", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let proposal = p.payer.join(v["file"].as_str().unwrap());
    let template1 = p.dir.join("template-Node1");
    copy_home(&p.payee, &template1);
    let out = stdout(
        msgl(&p.payee)
            .args(["reconcile", "--with", "node2", "-O", "json", "--accept"])
            .arg(&proposal),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let file = v["file"].as_str().unwrap().to_string();
    let agreement = p.dir.join("agreement.yaml");
    std::fs::copy(p.payee.join(&file), &agreement).unwrap();
    let agreement_text = std::fs::read_to_string(&agreement).unwrap();
    let agreed = Recon::from_yaml(&agreement_text).unwrap();
    agreed.verify().unwrap();
    assert_eq!(id(&p.payee).len(), 64);

    // Each node's home as it is before finalizing, and what an
    // uninterrupted run books there (and how long it takes): Node1
    // co-signs the proposal, Node2 finalizes the agreement.
    let finalize = |home: &Path, peer: &str, delay| {
        let (flag, file) = if peer == "node2" {
            ("--accept", proposal.as_os_str())
        } else {
            ("--finalize", agreement.as_os_str())
        };
        run_killed(
            home,
            &[
                OsStr::new("reconcile"),
                OsStr::new("--with"),
                OsStr::new(peer),
                OsStr::new(flag),
                file,
            ],
            delay,
        )
    };
    let work = p.dir.join("work");
    let mut durations = Vec::new();
    let mut nodes = Vec::new();
    for (name, peer) in [("Node1", "node2"), ("Node2", "node1")] {
        let template = p.dir.join(format!("template-{name}"));
        if name == "Node2" {
            copy_home(&p.payer, &template);
        }
        let journal = std::fs::read_to_string(template.join("journal.ledger")).unwrap();
        for _ in 0..3 {
            copy_home(&template, &work);
            let r = finalize(&work, peer, None);
            assert_eq!(r.code, Some(0), "{}", r.stderr);
            durations.push(r.elapsed);
        }
        let mut done = checked_entries(&work, "RECONCILED", name);
        assert_eq!(done.len(), 1);
        let reference = done.pop().unwrap();
        assert_eq!(
            tagged(
                &msgl_ledger::journal::Journal {
                    entries: vec![reference.clone()]
                },
                "RECONCILED",
                "recon"
            )[0]
            .1,
            file
        );
        assert!(reference.postings.len() >= 4, "{:?}", reference.postings);
        nodes.push(Node {
            name,
            peer,
            template,
            journal,
            reference,
        });
    }
    durations.sort();
    let span = durations[durations.len() / 2].as_micros() as u64 * 5 / 4;

    let mut rng = Rng(0xF19A_112E_5EED);
    let (mut killed, mut finished, mut booked_by_rerun, mut finished_by_rerun) = (0, 0, 0, 0);
    let mut unseen_commits = 0;
    let started = Instant::now();
    for k in 0..KILLS {
        let n = &nodes[k % 2];
        let ctx = format!("attempt {k} ({})", n.name);
        copy_home(&n.template, &work);
        let r = finalize(
            &work,
            n.peer,
            Some(Duration::from_micros(rng.below(span + 1))),
        );
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(
                r.code,
                Some(0),
                "{ctx}: finalize failed by itself: {}",
                r.stderr
            );
            finished += 1;
        }
        // After the kill.
        let text = std::fs::read_to_string(work.join("journal.ledger")).unwrap();
        assert!(
            text.starts_with(&n.journal),
            "{ctx}: earlier entries changed"
        );
        let entries = checked_entries(&work, "RECONCILED", &ctx);
        assert!(entries.len() <= 1, "{ctx}: RECONCILED twice");
        // Killed after the journal's write, before the marker went: booked,
        // shown once the next writer clears the marker.
        let unseen = entries.is_empty() && committed_unseen(&work);
        if unseen {
            unseen_commits += 1;
        }
        if let Some(e) = entries.first() {
            assert!(
                same_entry(e, &n.reference),
                "{ctx}: a partial RECONCILED entry: {e:?}"
            );
        } else {
            assert!(
                !r.stdout.contains("booked"),
                "{ctx}: reported booked, not there"
            );
        }
        match std::fs::read_to_string(work.join(&file)) {
            Ok(stored) => {
                let stored = Recon::from_yaml(&stored)
                    .unwrap_or_else(|e| panic!("{ctx}: {file} is torn: {e}"));
                let mut fields = stored.clone();
                (fields.signature_a, fields.signature_b) = (agreed.signature_a, agreed.signature_b);
                assert_eq!(fields, agreed, "{ctx}: {file} holds another reconciliation");
                if !entries.is_empty() || unseen {
                    assert!(
                        stored.is_cosigned(),
                        "{ctx}: booked before the agreement was stored"
                    );
                }
            }
            Err(_) => assert!(
                entries.is_empty() && !unseen && n.name == "Node1",
                "{ctx}: booked without the agreement stored"
            ),
        }

        // The rerun finishes it, exactly once.
        let again = finalize(&work, n.peer, None);
        if entries.is_empty() && !unseen {
            assert_eq!(
                again.code,
                Some(0),
                "{ctx}: the rerun fails: {}",
                again.stderr
            );
            assert!(again.stdout.contains("booked"), "{ctx}: {}", again.stdout);
            booked_by_rerun += 1;
        } else {
            assert_eq!(again.code, Some(1), "{ctx}: {}", again.stdout);
            assert!(
                again.stderr.contains("already finalized"),
                "{ctx}: {}",
                again.stderr
            );
            finished_by_rerun += 1;
        }
        let check_done = |when: &str| {
            let entries = checked_entries(&work, "RECONCILED", &format!("{ctx} {when}"));
            assert_eq!(entries.len(), 1, "{ctx} {when}");
            assert!(same_entry(&entries[0], &n.reference), "{ctx} {when}");
            let text = std::fs::read_to_string(work.join("journal.ledger")).unwrap();
            assert!(text.starts_with(&n.journal), "{ctx} {when}");
            let rest = &text[n.journal.len()..];
            assert_eq!(
                rest.matches("RECONCILED").count(),
                1,
                "{ctx} {when}: {rest}"
            );
            assert_eq!(
                std::fs::read_to_string(work.join(&file)).unwrap(),
                agreement_text,
                "{ctx} {when}: the agreement is not stored"
            );
            let ev = run_killed(
                &work,
                &[OsStr::new("check"), OsStr::new("--evidence")],
                None,
            );
            assert_eq!(
                ev.code,
                Some(0),
                "{ctx} {when}: check --evidence: {}",
                ev.stderr
            );
            text
        };
        let after = check_done("after the rerun");
        if k % 10 == 0 {
            let third = finalize(&work, n.peer, None);
            assert_eq!(third.code, Some(1), "{ctx}");
            assert!(third.stderr.contains("already finalized"), "{ctx}");
            assert_eq!(check_done("after a third run"), after);
        }
    }
    eprintln!(
        "{KILLS} finalizes (one {:.1} ms; kills in 0-{:.1} ms): {killed} killed, {finished} finished first; \
         reruns: {booked_by_rerun} booked, {finished_by_rerun} already finalized \
         ({unseen_commits} of them whole but behind the marker); {:.1} s",
        durations[durations.len() / 2].as_secs_f64() * 1e3,
        span as f64 / 1e3,
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= KILLS / 10,
        "only {killed} of {KILLS} runs were killed"
    );
    assert!(booked_by_rerun > 0 && finished_by_rerun > 0);
}
