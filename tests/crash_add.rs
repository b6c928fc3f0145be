//! Crash safety of `msgl add` (DESIGN §7.2: an append is all-or-nothing).
//!
//! Spawns `msgl -f J add ...` 200 times and kills each run with SIGKILL
//! after a pseudo-random delay of 0–5 ms (fixed seed). After every kill:
//! the journal parses and `msgl check` passes (a torn tail would be a bug:
//! an entry is one write(2) then fsync), sequence numbers run 1..=n without
//! a gap, every entry is one of the entries asked for, whole, booked at most
//! once and in order, and every entry whose `booked (N)` line reached
//! standard output before the kill is there with that number.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use msgl_ledger::journal::{parse_file, Source};

const KILLS: usize = 200;

/// xorshift64*: the delays are the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The amount of attempt `i`: distinct, so an entry names its attempt.
fn amount(i: usize) -> String {
    format!("1.{:05}", i + 1)
}

#[test]
fn sigkill_during_add_never_tears_loses_or_duplicates_an_entry() {
    let bin = assert_cmd::cargo::cargo_bin("msgl");
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ledger");
    let mut rng = Rng(0x5EED_0FC0_FFEE);
    // attempt index -> the seq its run reported, if it reported one
    let mut reported: Vec<Option<u64>> = Vec::new();
    let (mut killed, mut finished) = (0, 0);
    let started = Instant::now();
    for i in 0..KILLS {
        let delay = Duration::from_micros(rng.below(5_001));
        let mut child = Command::new(&bin)
            .arg("-f")
            .arg(&journal)
            .args(["add", "deposit", "--amount", &amount(i)])
            .current_dir(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL; fails only if it was already reaped
        let status = child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        match status.signal() {
            Some(9) => killed += 1,
            None if status.success() => finished += 1,
            _ => {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("attempt {i}: msgl add failed by itself ({status}): {err}");
            }
        }
        reported.push(
            out.strip_prefix("booked (")
                .and_then(|r| r.split_once(')'))
                .map(|(n, _)| n.parse().unwrap()),
        );
        check_journal(&bin, &journal, &reported, i);
    }
    eprintln!(
        "{KILLS} runs: {killed} killed by SIGKILL, {finished} finished first, {} entries booked, {:.1}s",
        parse_file(&Source::File(journal.clone()))
            .unwrap()
            .entries
            .len(),
        started.elapsed().as_secs_f64()
    );
    // The test means something only if kills land while msgl runs.
    assert!(
        killed >= KILLS / 10,
        "only {killed} of {KILLS} runs were killed"
    );
}

fn check_journal(
    bin: &std::path::Path,
    journal: &std::path::Path,
    reported: &[Option<u64>],
    attempt: usize,
) {
    let ctx = format!("after attempt {attempt}");
    if !journal.exists() {
        assert!(reported.iter().all(Option::is_none), "{ctx}: journal lost");
        return;
    }
    let check = Command::new(bin)
        .arg("-f")
        .arg(journal)
        .arg("check")
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{ctx}: msgl check fails (a torn or broken journal): {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let j = parse_file(&Source::File(journal.to_path_buf()))
        .unwrap_or_else(|e| panic!("{ctx}: the journal does not parse: {e}"));
    // Which attempt wrote each entry, from its amount.
    let mut last_attempt = None;
    for (k, e) in j.entries.iter().enumerate() {
        assert_eq!(e.seq, k as u64 + 1, "{ctx}: sequence numbers have a gap");
        assert_eq!(e.description, "DEPOSIT", "{ctx}");
        assert_eq!(e.postings.len(), 2, "{ctx}: entry {} is not whole", e.seq);
        let a = e.postings[0].amount.as_ref().expect("deposit amount");
        let i = (0..=attempt)
            .find(|&i| a.quantity.to_string() == amount(i))
            .unwrap_or_else(|| panic!("{ctx}: entry {} has an amount never asked for", e.seq));
        assert!(
            last_attempt.is_none_or(|l| l < i),
            "{ctx}: attempt {i} booked twice or out of order"
        );
        last_attempt = Some(i);
        if let Some(n) = reported[i] {
            assert_eq!(n, e.seq, "{ctx}: attempt {i} reported another number");
        }
    }
    for (i, r) in reported.iter().enumerate() {
        if let Some(n) = r {
            assert!(
                j.entries.iter().any(|e| e.seq == *n
                    && e.postings[0].amount.as_ref().unwrap().quantity.to_string() == amount(i)),
                "{ctx}: entry ({n}) of attempt {i} was reported booked but is gone"
            );
        }
    }
}
