//! Crash safety of `msgl settled` (docs/DESIGN.md §6.8: a receipt's
//! SETTLED entries are booked in one commit under the journal's lock, then
//! the contract's new view is written to channels/settled.yaml whole; a
//! rerun books what is missing and nothing twice).
//!
//! One settlement of 20 acks in revm, its receipt, and both homes as they
//! are before booking it. Each of 200 attempts copies one home in turn
//! (the payee's, the payer's) and runs `msgl settled RECEIPT`, killed with
//! SIGKILL after a pseudo-random delay spread over its measured running
//! time (fixed seed). After every kill:
//! - the journal passes `msgl check` and begins with the home's journal
//!   byte for byte; it holds no SETTLED entry, or exactly one, the same as
//!   an uninterrupted run books, and one whenever the command printed
//!   `SETTLED:`;
//! - channels/settled.yaml is absent or the uninterrupted run's, never
//!   torn, and present whenever the command printed `SETTLED:`.
//!
//! Then the command runs again: it books the entry if it was not there, or
//! says `already booked` (also when a kill after the journal's write left
//! the intent marker standing: readers do not show that entry yet, the
//! next writer keeps it); afterwards the journal is the home's plus that
//! one entry, settled.yaml is the uninterrupted run's and `msgl check
//! --evidence` passes. Every tenth attempt a third run must change nothing.

use crate::common;
use crate::settle_evm::{prove, setup};

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{checked_entries, committed_unseen, copy_home, run_killed, same_entry, Rng};
use msgl_ledger::journal::Entry;

const KILLS: usize = 200;

/// One home's side of the settlement: its template and what an
/// uninterrupted run books there.
struct Side {
    name: &'static str,
    template: PathBuf,
    journal: String,
    /// What an uninterrupted run books and records.
    reference: Entry,
    view: String,
}

fn view(home: &Path) -> Option<String> {
    std::fs::read_to_string(home.join("channels/settled.yaml")).ok()
}

#[test]
fn sigkill_during_settled_books_once_or_not_at_all_and_the_rerun_finishes_it() {
    let (p, mut w) = setup(1000, 200, 500);
    for i in 1..=20 {
        p.exchange(i, 1);
    }
    let proof = prove(&p, "proof", None);
    w.verify(&p.payee, &proof);
    let out = w.settle(w.payee, &p.payee, &proof).unwrap();
    let receipt = w.receipt(&p.dir, &out);
    let settled =
        |home: &Path, delay| run_killed(home, &[OsStr::new("settled"), receipt.as_os_str()], delay);

    let work = p.dir.join("work");
    let mut durations = Vec::new();
    let mut sides = Vec::new();
    for (name, from) in [("payee", &p.payee), ("payer", &p.payer)] {
        let template = p.dir.join(format!("template-{name}"));
        copy_home(from, &template);
        assert!(view(&template).is_none(), "{name}: nothing recorded yet");
        let journal = std::fs::read_to_string(template.join("journal.ledger")).unwrap();
        for _ in 0..3 {
            copy_home(&template, &work);
            let r = settled(&work, None);
            assert_eq!(r.code, Some(0), "{name}: {}", r.stderr);
            assert!(r.stdout.contains("SETTLED: "), "{name}: {}", r.stdout);
            durations.push(r.elapsed);
        }
        let mut done = checked_entries(&work, "SETTLED", name);
        assert_eq!(done.len(), 1, "{name}");
        sides.push(Side {
            name,
            template,
            journal,
            reference: done.pop().unwrap(),
            view: view(&work).expect("the contract's view is recorded"),
        });
    }
    durations.sort();
    let span = durations[durations.len() / 2].as_micros() as u64 * 5 / 4;

    let mut rng = Rng(0x5E77_1ED0_C4A5);
    let (mut killed, mut booked_before_kill, mut booked_by_rerun) = (0, 0, 0);
    let started = Instant::now();
    for k in 0..KILLS {
        let h = &sides[k % 2];
        let ctx = format!("attempt {k} ({})", h.name);
        copy_home(&h.template, &work);
        let r = settled(&work, Some(Duration::from_micros(rng.below(span + 1))));
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(r.code, Some(0), "{ctx}: {}", r.stderr);
        }
        let journal = std::fs::read_to_string(work.join("journal.ledger")).unwrap();
        assert!(
            journal.starts_with(&h.journal),
            "{ctx}: the journal's past changed"
        );
        let after_kill = checked_entries(&work, "SETTLED", &ctx);
        assert!(
            after_kill.len() <= 1,
            "{ctx}: {} SETTLED entries",
            after_kill.len()
        );
        if let Some(e) = after_kill.first() {
            assert!(same_entry(e, &h.reference), "{ctx}: {e:?}");
            booked_before_kill += 1;
        }
        // Killed after the journal's write, before the marker went: booked,
        // shown once the next writer clears the marker (DESIGN §7.2).
        let unseen = after_kill.is_empty() && committed_unseen(&work);
        let recorded = view(&work);
        if let Some(v) = &recorded {
            assert_eq!(v, &h.view, "{ctx}: settled.yaml is torn or wrong");
        }
        if r.stdout.contains("SETTLED: ") {
            assert_eq!(after_kill.len(), 1, "{ctx}: reported but not booked");
            assert!(recorded.is_some(), "{ctx}: reported but not recorded");
        }

        let again = settled(&work, None);
        assert_eq!(again.code, Some(0), "{ctx}: rerun: {}", again.stderr);
        if after_kill.is_empty() && !unseen {
            assert!(
                again.stdout.contains("SETTLED: "),
                "{ctx}: {}",
                again.stdout
            );
            booked_by_rerun += 1;
        } else {
            assert!(
                again.stdout.contains("already booked"),
                "{ctx}: {}",
                again.stdout
            );
        }
        let done = checked_entries(&work, "SETTLED", &ctx);
        assert!(
            done.len() == 1 && same_entry(&done[0], &h.reference),
            "{ctx}: after the rerun: {done:?}"
        );
        assert_eq!(view(&work).as_deref(), Some(h.view.as_str()), "{ctx}");
        let ev = run_killed(
            &work,
            &[OsStr::new("check"), OsStr::new("--evidence")],
            None,
        );
        assert_eq!(ev.code, Some(0), "{ctx}: check --evidence: {}", ev.stderr);
        if k % 10 == 0 {
            let journal = std::fs::read(work.join("journal.ledger")).unwrap();
            let third = settled(&work, None);
            assert_eq!(third.code, Some(0), "{ctx}: {}", third.stderr);
            assert_eq!(
                std::fs::read(work.join("journal.ledger")).unwrap(),
                journal,
                "{ctx}"
            );
        }
    }
    eprintln!(
        "{KILLS} attempts in {:.1} s: {killed} killed, booked before the kill {booked_before_kill}, by the rerun {booked_by_rerun}",
        started.elapsed().as_secs_f64()
    );
    // The delays reach both sides of the commit.
    assert!(killed >= KILLS / 4, "only {killed} runs were killed");
    assert!(booked_by_rerun > 0 && booked_before_kill > 0);
}
