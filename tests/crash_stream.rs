//! Crash safety of the streams (docs/DESIGN.md §6.4, "Streams"): a group's
//! log records and journal entries are one commit, the journal its commit
//! point, and a line is printed only once its group is committed; the next
//! writer rolls back a commit the journal did not complete.
//!
//! Each test runs a stream 200 times on the same home, with small groups,
//! and kills it by SIGKILL after a pseudo-random delay spread over how long
//! a whole run takes (fixed seed). After every kill, before anyone else
//! takes the lock:
//! - the journal passes `msgl check`, its sequence numbers run 1..=n, every
//!   entry is a whole booking of an ack (one posting, the price, an `; ack:`
//!   tag), no tag twice, and every tag names a logged ack (nothing booked
//!   without its log record);
//! - every line the stream printed (whole: a line cut by the kill is not
//!   printed) is there: the ack in the log, byte for byte, and booked; a
//!   verdict's sequence number is its ack's entry;
//! - logged acks not booked are only those of the newest group, and only
//!   while the commit's intent marker stands.
//!
//! Then the next writer rolls the interrupted commit back: afterwards the
//! log and the journal's tags are the same set, and every now and then
//! `msgl check --evidence` passes.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{channels, commit_under_way, hash, run_killed, tagged, Pair, Rng};
use msgl_ledger::journal::{parse_file, Source};
use msgl_node::objects::Ack;

const KILLS: usize = 200;

/// Node1 (payee) and Node2 (payer) with a channel Node2 → Node1, in a
/// directory on disk when there is one (not tmpfs, as `common::pair`): a
/// commit then takes long enough, syncing, for kills to land in it.
fn pair(units: u64) -> Pair {
    let t = tempfile::Builder::new()
        .prefix("msgl-crash-stream")
        .tempdir()
        .unwrap();
    common::pair_in(t, units, "credit:100")
}

/// How a stream run ended.
struct Run {
    killed: bool,
    code: Option<i32>,
    /// The whole lines printed.
    lines: Vec<String>,
    stderr: String,
    elapsed: Duration,
}

/// `msgl --home HOME ARGS < input`, killed by SIGKILL after `delay`.
/// Output goes to files, so a killed stream never blocks on a pipe and
/// what it printed before the kill is kept.
fn stream(home: &Path, args: &[&str], input: &Path, delay: Option<Duration>) -> Run {
    use std::io::{Read, Seek};
    use std::os::unix::process::ExitStatusExt;
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let started = Instant::now();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("msgl"))
        .env_remove("MSGL_HOME")
        .arg("--home")
        .arg(home)
        .args(args)
        .stdin(std::fs::File::open(input).unwrap())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap();
    if let Some(d) = delay {
        std::thread::sleep(d);
        let _ = child.kill();
    }
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    let read = |mut f: std::fs::File| {
        let mut s = String::new();
        f.seek(std::io::SeekFrom::Start(0)).unwrap();
        f.read_to_string(&mut s).unwrap();
        s
    };
    let text = read(out);
    let whole = text.rfind('\n').map_or("", |i| &text[..=i]);
    Run {
        killed: status.signal() == Some(9),
        code: status.code(),
        lines: whole.lines().map(str::to_string).collect(),
        stderr: read(err),
        elapsed,
    }
}

/// The whole records of a log, in order (a record cut short by a kill is
/// not one).
fn records(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let whole = text.rfind('\n').map_or("", |i| &text[..=i]);
    whole.lines().map(str::to_string).collect()
}

/// A home's journal and ack log, checked against each other after every
/// run. Records once booked are committed: they are kept (and compared
/// byte for byte on every later look) rather than parsed again.
struct Books<'a> {
    home: &'a Path,
    log: &'a Path,
    description: &'static str,
    /// The committed records and their names.
    committed: Vec<String>,
    names: Vec<String>,
}

impl Books<'_> {
    /// The journal's tags (name -> sequence number) and the log's whole
    /// records. `settled`: after a writer rolled back, when nothing may be
    /// pending (and the journal is read by the library only).
    fn check(&mut self, settled: bool, ctx: &str) -> (BTreeMap<String, u64>, Vec<String>) {
        if !settled {
            let c = run_killed(self.home, &[OsStr::new("check")], None);
            assert_eq!(c.code, Some(0), "{ctx}: msgl check fails: {}", c.stderr);
        }
        let j = parse_file(&Source::File(self.home.join("journal.ledger")))
            .unwrap_or_else(|e| panic!("{ctx}: the journal does not parse: {e}"));
        for (k, e) in j.entries.iter().enumerate() {
            assert_eq!(e.seq, k as u64 + 1, "{ctx}: sequence numbers have a gap");
            assert_eq!(e.description, self.description, "{ctx}");
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
        let tags: BTreeMap<String, u64> = tagged(&j, self.description, "ack")
            .into_iter()
            .map(|(n, t)| (t, n))
            .collect();
        assert_eq!(tags.len(), j.entries.len(), "{ctx}: an ack is booked twice");
        let recs = records(self.log);
        let k = self.committed.len();
        assert!(
            recs.len() >= k && recs[..k] == self.committed[..],
            "{ctx}: a committed record changed or went"
        );
        let mut names = self.names.clone();
        for (i, r) in recs.iter().enumerate().skip(k) {
            let a = Ack::parse(r).unwrap_or_else(|e| panic!("{ctx}: record {}: {e}", i + 1));
            assert_eq!(a.nonce, i as u64 + 1, "{ctx}: the log skips or repeats");
            names.push(a.name());
        }
        let logged: BTreeSet<&String> = names.iter().collect();
        let unlogged: Vec<&String> = tags.keys().filter(|t| !logged.contains(t)).collect();
        assert!(
            unlogged.is_empty(),
            "{ctx}: booked without its log record: {unlogged:?}"
        );
        // Logged, not booked: the newest records only, of a commit in progress.
        let booked = names.iter().take_while(|n| tags.contains_key(*n)).count();
        assert_eq!(
            booked,
            tags.len(),
            "{ctx}: a logged ack is not booked, but a later one is"
        );
        if booked < names.len() {
            assert!(
                !settled && commit_under_way(self.home),
                "{ctx}: {} acks logged, never booked, with no commit in progress",
                names.len() - booked
            );
        }
        self.committed = recs[..booked].to_vec();
        names.truncate(booked);
        self.names = names;
        (tags, recs)
    }
}

/// Takes the verdicts a stream printed: accepted ones (never twice), the
/// others only as retries of acks committed already.
fn note(lines: &[String], reported: &mut BTreeMap<String, u64>, ctx: &str) {
    for l in lines {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        let name = v["ack"].as_str().unwrap().to_string();
        match v["verdict"].as_str().unwrap() {
            "accepted" => {
                let seq = v["seq"].as_u64().unwrap();
                assert!(
                    reported.insert(name.clone(), seq).is_none(),
                    "{ctx}: {name} accepted twice"
                );
            }
            _ => assert!(
                v["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("already accepted"),
                "{ctx}: {l}"
            ),
        }
    }
}

/// Every verdict printed `accepted` is booked with its sequence number.
fn verdicts_booked(reported: &BTreeMap<String, u64>, tags: &BTreeMap<String, u64>, ctx: &str) {
    for (name, seq) in reported {
        assert_eq!(
            tags.get(name),
            Some(seq),
            "{ctx}: {name} was reported accepted as ({seq}) but is not booked so"
        );
    }
}

fn spread(durations: &mut [Duration]) -> u64 {
    durations.sort();
    durations[durations.len() / 2].as_micros() as u64 * 5 / 4
}

#[test]
fn sigkill_during_ack_stream_never_loses_or_half_writes_a_reported_ack() {
    const PER_RUN: u64 = 40;
    let p = pair(PER_RUN * (KILLS as u64 + 3));
    let log = p
        .payer
        .join("sent")
        .join(format!("{}.log", hex::encode(channels(&p.payer)[0].id())));
    let args = ["ack", "--to", "Node1", "--stream", "--group", "4"];
    let input = p.dir.join("requests");
    let empty = p.dir.join("nothing");
    std::fs::write(&empty, "").unwrap();
    // Requests for messages next..next+PER_RUN (message i is acked by nonce
    // i: each run starts where the committed acks end).
    let write_requests = |next: u64| {
        let text: String = (next..next + PER_RUN)
            .map(|i| format!("{} 1\n", hash(i)))
            .collect();
        std::fs::write(&input, text).unwrap();
    };
    let mut books = Books {
        home: &p.payer,
        log: &log,
        description: "MESSAGE RECEIVED",
        committed: Vec::new(),
        names: Vec::new(),
    };
    let mut reported: BTreeMap<u64, String> = BTreeMap::new();
    let mut durations = Vec::new();
    for _ in 0..3 {
        write_requests(reported.len() as u64 + 1);
        let r = stream(&p.payer, &args, &input, None);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        for l in r.lines {
            reported.insert(Ack::parse(&l).unwrap().nonce, l);
        }
        durations.push(r.elapsed);
    }
    let span = spread(&mut durations);
    let mut rng = Rng(0x5EED_AC45_7EA3);
    let (mut killed, mut finished, mut in_flight, mut unprinted) = (0, 0, 0, 0);
    let started = Instant::now();
    for k in 0..KILLS {
        let ctx = format!("kill {}", k + 1);
        let next = records(&log).len() as u64 + 1;
        let printed_before = reported.len();
        write_requests(next);
        let r = stream(
            &p.payer,
            &args,
            &input,
            Some(Duration::from_micros(rng.below(span + 1))),
        );
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(r.code, Some(0), "{ctx}: the stream failed: {}", r.stderr);
            finished += 1;
        }
        for l in &r.lines {
            let a = Ack::parse(l).unwrap_or_else(|e| panic!("{ctx}: printed {l:?}: {e}"));
            assert_eq!(hex::encode(a.message), hash(a.nonce), "{ctx}: out of order");
            assert!(
                reported.insert(a.nonce, l.clone()).is_none(),
                "{ctx}: printed twice"
            );
        }
        let check_reported = |tags: &BTreeMap<String, u64>, recs: &[String], ctx: &str| {
            for (n, l) in &reported {
                assert_eq!(
                    recs.get(*n as usize - 1),
                    Some(l),
                    "{ctx}: printed ack {n} is not in the sent log as printed"
                );
                let name = Ack::parse(l).unwrap().name();
                assert!(
                    tags.contains_key(&name),
                    "{ctx}: printed ack {n} is not booked"
                );
            }
        };
        let (tags, recs) = books.check(false, &ctx);
        if recs.len() > tags.len() {
            in_flight += 1;
        }
        if tags.len() as u64 - (next - 1) > (reported.len() - printed_before) as u64 {
            unprinted += 1;
        }
        check_reported(&tags, &recs, &ctx);
        // The next writer rolls back what the kill left.
        let r = stream(&p.payer, &args, &empty, None);
        assert_eq!(r.code, Some(0), "{ctx}: {}", r.stderr);
        let (tags, recs) = books.check(true, &ctx);
        assert_eq!(tags.len(), recs.len());
        check_reported(&tags, &recs, &ctx);
        for (i, rec) in recs.iter().enumerate() {
            assert_eq!(
                hex::encode(Ack::parse(rec).unwrap().message),
                hash(i as u64 + 1),
                "{ctx}: ack {} is not its request's",
                i + 1
            );
        }
        if k % 25 == 24 {
            let ev = run_killed(
                &p.payer,
                &[OsStr::new("check"), OsStr::new("--evidence")],
                None,
            );
            assert_eq!(ev.code, Some(0), "{ctx}: check --evidence: {}", ev.stderr);
        }
    }
    let acks = records(&log).len();
    eprintln!(
        "{KILLS} ack streams of {PER_RUN} requests (one {:.1} ms; kills in 0-{:.1} ms): {killed} killed, \
         {finished} finished first; {in_flight} killed with a group logged and not booked, \
         {unprinted} with a group booked and not printed; {acks} acks kept, {} printed; {:.1} s",
        durations[durations.len() / 2].as_secs_f64() * 1e3,
        span as f64 / 1e3,
        reported.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= KILLS / 10,
        "only {killed} of {KILLS} runs were killed"
    );
}

#[test]
fn sigkill_during_accept_stream_never_loses_or_double_books_a_reported_verdict() {
    const PER_RUN: usize = 24;
    let p = pair((PER_RUN * (KILLS + 3)) as u64);
    // The payer signs every ack up front, one JSON line each.
    let requests = p.dir.join("requests");
    let n = PER_RUN * (KILLS + 3);
    let text: String = (1..=n as u64).map(|i| format!("{} 1\n", hash(i))).collect();
    std::fs::write(&requests, text).unwrap();
    let r = stream(
        &p.payer,
        &["ack", "--to", "Node1", "--stream"],
        &requests,
        None,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let acks: Vec<String> = r.lines;
    assert_eq!(acks.len(), n);
    let log = p
        .payee
        .join("acks")
        .join(format!("{}.log", hex::encode(channels(&p.payee)[0].id())));
    let args = ["accept", "--stream", "--group", "4"];
    let input = p.dir.join("input");
    let slice = |from: usize| {
        let mut t = acks[from..(from + PER_RUN).min(n)].join("\n");
        t.push('\n');
        std::fs::write(&input, t).unwrap();
    };
    let mut books = Books {
        home: &p.payee,
        log: &log,
        description: "MESSAGE SENT",
        committed: Vec::new(),
        names: Vec::new(),
    };
    // ack name -> the sequence number a verdict gave it.
    let mut reported: BTreeMap<String, u64> = BTreeMap::new();
    let mut durations = Vec::new();
    let mut pos = 0;
    for _ in 0..3 {
        slice(pos);
        let r = stream(&p.payee, &args, &input, None);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        note(&r.lines, &mut reported, "warm");
        durations.push(r.elapsed);
        pos += PER_RUN;
    }
    let span = spread(&mut durations);
    let mut rng = Rng(0x5EED_ACCE_97ED);
    let (mut killed, mut finished, mut in_flight, mut unprinted, mut already) = (0, 0, 0, 0, 0);
    let started = Instant::now();
    for k in 0..KILLS {
        let ctx = format!("kill {}", k + 1);
        slice(pos);
        let r = stream(
            &p.payee,
            &args,
            &input,
            Some(Duration::from_micros(rng.below(span + 1))),
        );
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(r.code, Some(0), "{ctx}: the stream failed: {}", r.stderr);
            finished += 1;
        }
        let printed_before = reported.len();
        note(&r.lines, &mut reported, &ctx);
        let (tags, recs) = books.check(false, &ctx);
        if recs.len() > tags.len() {
            in_flight += 1;
        }
        if tags.len() - pos > reported.len() - printed_before {
            unprinted += 1;
        }
        verdicts_booked(&reported, &tags, &ctx);
        // The same acks again: the ones the kill left unreported are
        // accepted now, or were committed already and are told so.
        let r = stream(&p.payee, &args, &input, None);
        assert!(
            matches!(r.code, Some(0) | Some(1)),
            "{ctx}: the retry failed: {}",
            r.stderr
        );
        assert_eq!(r.lines.len(), PER_RUN, "{ctx}: a verdict per ack");
        already += r
            .lines
            .iter()
            .filter(|l| l.contains("already accepted"))
            .count();
        note(&r.lines, &mut reported, &ctx);
        let (tags, recs) = books.check(true, &ctx);
        assert_eq!(recs.len(), pos + PER_RUN, "{ctx}: acks lost or extra");
        assert_eq!(tags.len(), recs.len(), "{ctx}");
        verdicts_booked(&reported, &tags, &ctx);
        if k % 25 == 24 {
            let ev = run_killed(
                &p.payee,
                &[OsStr::new("check"), OsStr::new("--evidence")],
                None,
            );
            assert_eq!(ev.code, Some(0), "{ctx}: check --evidence: {}", ev.stderr);
        }
        pos += PER_RUN;
    }
    let ev = run_killed(
        &p.payee,
        &[OsStr::new("check"), OsStr::new("--evidence")],
        None,
    );
    assert_eq!(ev.code, Some(0), "check --evidence: {}", ev.stderr);
    eprintln!(
        "{KILLS} accept streams of {PER_RUN} acks (one {:.1} ms; kills in 0-{:.1} ms): {killed} killed, \
         {finished} finished first; {in_flight} killed with a group logged and not booked, \
         {unprinted} with a group booked and not printed; retries: {already} acks already accepted (committed before the kill), {} accepted in all; {:.1} s",
        durations[durations.len() / 2].as_secs_f64() * 1e3,
        span as f64 / 1e3,
        reported.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        killed >= KILLS / 10,
        "only {killed} of {KILLS} runs were killed"
    );
}
