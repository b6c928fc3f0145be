//! Crash safety of `msgl accept` (docs/DESIGN.md §7.3: the ack log and the
//! journal are written in one commit; the journal is the commit point and
//! the next writer rolls back a log record whose booking did not land).
//!
//! The payer signs 203 acks up front; the payee accepts the first three
//! normally (to measure how long an accept runs), then each of the other
//! 200 with `msgl accept FILE` killed by SIGKILL after a pseudo-random delay
//! spread over that running time (fixed seed). After every kill:
//! - the journal passes `msgl check`, its sequence numbers run 1..=n, every
//!   entry is a whole MESSAGE SENT with an `; ack: <channel>-<nonce>` tag
//!   naming a logged ack, no tag twice, and every `booked (N)` line printed
//!   before a kill is there with that N and that ack;
//! - at most one logged ack lacks its booking, only the newest, and only
//!   while the commit's intent marker stands (the next writer rolls it
//!   back).
//!
//! Then the same accept is retried and must either book it or say it was
//! already accepted (exit 1, "already accepted") — never book it twice —
//! and afterwards the ack log and the journal's tags are the same set, one
//! per ack accepted so far, `msgl check --evidence` passes, and the
//! channel's last nonce is the last ack's.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{
    booked, channels, commit_under_way, hash, logged, msgl, pair, run_killed, tagged, Rng,
};
use msgl_ledger::journal::{parse_file, Source};

const KILLS: usize = 200;
const WARM: usize = 3;

/// The journal and acks/ after attempt `i` (0-based over all acks);
/// `settled`: after the retry, when nothing may be pending.
fn check(home: &Path, i: usize, reported: &BTreeMap<String, u64>, settled: bool) {
    let ctx = format!(
        "after ack {} ({})",
        i + 1,
        if settled { "retried" } else { "killed" }
    );
    let c = run_killed(home, &[OsStr::new("check")], None);
    assert_eq!(c.code, Some(0), "{ctx}: msgl check fails: {}", c.stderr);
    let j = parse_file(&Source::File(home.join("journal.ledger")))
        .unwrap_or_else(|e| panic!("{ctx}: the journal does not parse: {e}"));
    for (k, e) in j.entries.iter().enumerate() {
        assert_eq!(e.seq, k as u64 + 1, "{ctx}: sequence numbers have a gap");
        assert_eq!(e.description, "MESSAGE SENT", "{ctx}");
        assert_eq!(e.postings.len(), 1, "{ctx}: entry {} is not whole", e.seq);
        assert_eq!(
            e.postings[0]
                .amount
                .as_ref()
                .map(|a| a.quantity.to_string()),
            Some("0.00001".to_string()),
            "{ctx}: entry {}",
            e.seq
        );
    }
    let tags = tagged(&j, "MESSAGE SENT", "ack");
    assert_eq!(tags.len(), j.entries.len());
    let tagset: BTreeSet<String> = tags.iter().map(|(_, t)| t.clone()).collect();
    assert_eq!(tagset.len(), tags.len(), "{ctx}: an ack is booked twice");
    let stored = logged(home, "acks");
    let unbooked: Vec<&String> = stored.difference(&tagset).collect();
    let unstored: Vec<&String> = tagset.difference(&stored).collect();
    assert!(
        unstored.is_empty(),
        "{ctx}: booked without a stored ack: {unstored:?}"
    );
    if settled {
        assert!(
            unbooked.is_empty(),
            "{ctx}: stored, never booked: {unbooked:?}"
        );
        assert_eq!(stored.len(), i + 1, "{ctx}: acks lost or extra");
        let c = &channels(home)[0];
        assert_eq!(c.nonce, i as u64 + 1, "{ctx}: the channel is behind");
        let ev = run_killed(home, &[OsStr::new("check"), OsStr::new("--evidence")], None);
        assert_eq!(ev.code, Some(0), "{ctx}: check --evidence: {}", ev.stderr);
    } else {
        let newest = format!("{}-{}", hex::encode(channels(home)[0].id()), i + 1);
        assert!(
            unbooked.is_empty()
                || (unbooked == vec![&newest] && commit_under_way(home)),
            "{ctx}: logged but not booked, other than the newest of a commit in progress: {unbooked:?}"
        );
    }
    for (file, n) in reported {
        assert!(
            tags.contains(&(*n, file.clone())),
            "{ctx}: {file} was reported booked as ({n}) but is not there"
        );
    }
}

#[test]
fn sigkill_during_accept_never_loses_or_double_books_an_ack() {
    let p = pair(10_000);
    let started = Instant::now();
    let files: Vec<PathBuf> = (0..WARM + KILLS)
        .map(|i| {
            let f = p.dir.join(format!("ack-{i}.yaml"));
            msgl(&p.payer)
                .args([
                    "-q",
                    "ack",
                    "--to",
                    "Node1",
                    "-m",
                    &hash(i as u64),
                    "--price",
                    "1",
                    "-o",
                ])
                .arg(&f)
                .assert()
                .success();
            f
        })
        .collect();
    let signing = started.elapsed();
    let accept =
        |f: &Path, delay| run_killed(&p.payee, &[OsStr::new("accept"), f.as_os_str()], delay);
    let mut reported = BTreeMap::new();
    let mut durations = Vec::new();
    for (i, f) in files[..WARM].iter().enumerate() {
        let r = accept(f, None);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let (n, file) = booked(&r.stdout).expect("a booked line");
        reported.insert(file, n);
        durations.push(r.elapsed);
        check(&p.payee, i, &reported, true);
    }
    durations.sort();
    // Kills spread over the whole run, a little past its usual end.
    let span = durations[WARM / 2].as_micros() as u64 * 5 / 4;
    let mut rng = Rng(0xACC3_97ED_5EED);
    let (mut killed, mut finished, mut rebooked, mut already) = (0, 0, 0, 0);
    let kills_started = Instant::now();
    for (i, f) in files.iter().enumerate().skip(WARM) {
        let r = accept(f, Some(Duration::from_micros(rng.below(span + 1))));
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(
                r.code,
                Some(0),
                "ack {}: accept failed by itself: {}",
                i + 1,
                r.stderr
            );
            finished += 1;
        }
        if let Some((n, file)) = booked(&r.stdout) {
            reported.insert(file, n);
        }
        check(&p.payee, i, &reported, false);
        let again = accept(f, None);
        match again.code {
            Some(0) => {
                rebooked += 1;
                let (n, file) = booked(&again.stdout).expect("a booked line");
                assert!(!reported.contains_key(&file), "{file} booked twice");
                reported.insert(file, n);
            }
            Some(1) if again.stderr.contains("already accepted") => already += 1,
            _ => panic!(
                "ack {}: the retry neither booked nor said already accepted: {:?} {}",
                i + 1,
                again.code,
                again.stderr
            ),
        }
        check(&p.payee, i, &reported, true);
    }
    eprintln!(
        "{KILLS} accepts (one {:.1} ms; kills in 0-{:.1} ms): {killed} killed, {finished} finished first; \
         retries: {rebooked} booked (a commit rolled back or never begun), {already} already \
         accepted; signing {:.1} s, kills and checks {:.1} s",
        durations[WARM / 2].as_secs_f64() * 1e3,
        span as f64 / 1e3,
        signing.as_secs_f64(),
        kills_started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= KILLS / 10,
        "only {killed} of {KILLS} runs were killed"
    );
}
