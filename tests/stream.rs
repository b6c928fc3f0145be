//! `msgl ack --stream` and `msgl accept --stream` (docs/DESIGN.md §6.4,
//! "Streams"): the same objects as the one-shot commands, one line each in
//! input order, refusals in place, the home's lock held (other writers are
//! told the home is busy), and each line written only once its group is
//! committed.

use crate::common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{channels, hash, logged, msgl, pair, stdout, tagged, Pair};
use msgl_ledger::journal::{parse_file, Source};
use msgl_node::objects::Ack;
use serde_json::Value;

/// A stream running on `home`: its input, and its output lines as they
/// come (with when they came).
struct Stream {
    child: Child,
    input: Option<ChildStdin>,
    lines: mpsc::Receiver<(Instant, String)>,
}

impl Stream {
    fn start(home: &Path, args: &[&str]) -> Stream {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("msgl"))
            .env_remove("MSGL_HOME")
            .arg("--home")
            .arg(home)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in out.lines() {
                if send.send((Instant::now(), l.unwrap())).is_err() {
                    return;
                }
            }
        });
        Stream {
            input: child.stdin.take(),
            child,
            lines,
        }
    }

    fn send(&mut self, text: &str) {
        let i = self.input.as_mut().unwrap();
        i.write_all(text.as_bytes()).unwrap();
        i.flush().unwrap();
    }

    fn line(&self, within: Duration) -> Option<(Instant, String)> {
        self.lines.recv_timeout(within).ok()
    }

    /// Closes the input; the exit code and standard error.
    fn end(mut self) -> (Option<i32>, String) {
        drop(self.input.take());
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// Runs `msgl --home HOME ARGS` with `input` on stdin: (code, stdout, stderr).
fn pipe(home: &Path, args: &[&str], input: &str) -> (Option<i32>, String, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("msgl"))
        .env_remove("MSGL_HOME")
        .arg("--home")
        .arg(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut i = child.stdin.take().unwrap();
    let text = input.to_string();
    let feeder = std::thread::spawn(move || {
        let _ = i.write_all(text.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn requests(from: u64, to: u64) -> String {
    (from..=to).map(|i| format!("{} 1\n", hash(i))).collect()
}

fn verdicts(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn entries(home: &Path) -> usize {
    parse_file(&Source::File(home.join("journal.ledger")))
        .unwrap()
        .entries
        .len()
}

fn sent_log(p: &Pair) -> PathBuf {
    let c = &channels(&p.payer)[0];
    p.payer
        .join("sent")
        .join(format!("{}.log", hex::encode(c.id())))
}

fn evidence_ok(home: &Path) {
    msgl(home).args(["check", "--evidence"]).assert().success();
}

#[test]
fn streamed_acks_are_the_one_shot_objects_in_input_order() {
    let p = pair(1000);
    // Both request forms, blank lines skipped.
    let mut input = requests(1, 20);
    input.push('\n');
    input.push_str(&format!(
        "{{\"message\": \"0x{}\", \"price\": 3}}\n",
        hash(21)
    ));
    input.push_str(&requests(22, 30));
    let (code, out, err) = pipe(&p.payer, &["ack", "--to", "node1", "--stream"], &input);
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 30);
    for (i, l) in lines.iter().enumerate() {
        let a = Ack::parse(l).unwrap();
        a.verify().unwrap();
        assert_eq!(a.nonce, i as u64 + 1);
        assert_eq!(hex::encode(a.message), hash(i as u64 + 1));
        assert_eq!(a.price, if i == 20 { 3 } else { 1 });
        // The same object as the YAML form, byte for byte in the sent log.
        assert_eq!(Ack::from_yaml(&a.to_yaml()).unwrap(), a);
    }
    assert_eq!(std::fs::read_to_string(sent_log(&p)).unwrap(), out);
    assert_eq!(entries(&p.payer), 30);
    evidence_ok(&p.payer);
    // The one-shot command continues the same channel, and --resend hands
    // out a streamed ack as it was signed.
    let again = stdout(msgl(&p.payer).args(["ack", "--to", "node1", "--resend", "--nonce", "21"]));
    assert_eq!(
        Ack::from_yaml(&again).unwrap(),
        Ack::parse(lines[20]).unwrap()
    );

    // The payee: JSON lines and YAML documents, in order.
    let mut acks = lines[..25].join("\n");
    acks.push('\n');
    for l in &lines[25..] {
        acks.push_str("---\n");
        acks.push_str(&Ack::parse(l).unwrap().to_yaml());
    }
    let (code, out, err) = pipe(&p.payee, &["accept", "--stream"], &acks);
    assert_eq!(code, Some(0), "{err}");
    let v = verdicts(&out);
    assert_eq!(v.len(), 30);
    let j = parse_file(&Source::File(p.payee.join("journal.ledger"))).unwrap();
    let tags = tagged(&j, "MESSAGE SENT", "ack");
    for (i, v) in v.iter().enumerate() {
        let a = Ack::parse(lines[i]).unwrap();
        assert_eq!(v["verdict"], "accepted", "{v}");
        assert_eq!(v["ack"], a.name());
        assert_eq!(v["nonce"], a.nonce);
        assert_eq!(v["cumulative"], a.cumulative);
        assert_eq!(v["price"], a.price);
        assert_eq!(v["peer"], "Node2");
        assert_eq!(v["reason"], Value::Null);
        assert_eq!(tags[i], (v["seq"].as_u64().unwrap(), a.name()));
    }
    // Where each ack starts: JSON lines 1-25, then `---` and 10 YAML lines each.
    assert_eq!(v[24]["line"], 25);
    assert_eq!(v[25]["line"], 27);
    assert_eq!(v[26]["line"], 27 + 11);
    evidence_ok(&p.payee);
    // The one-shot accept takes a streamed (JSON) ack too.
    let (code, out, err) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(31, 31),
    );
    assert_eq!(code, Some(0), "{err}");
    let f = p.dir.join("ack-31.json");
    std::fs::write(&f, &out).unwrap();
    let booked = stdout(msgl(&p.payee).arg("accept").arg(&f));
    assert!(booked.starts_with("booked (31) MESSAGE SENT"), "{booked}");
}

#[test]
fn a_refused_ack_gets_its_verdict_in_place_and_the_stream_goes_on() {
    let p = pair(1000);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(1, 6),
    );
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    let mut tampered = Ack::parse(&lines[3]).unwrap();
    tampered.price = 2;
    tampered.cumulative += 1;
    let mut unknown = Ack::parse(&lines[3]).unwrap();
    unknown.channel[0] ^= 1;
    let input = [
        lines[0].clone(),
        lines[1].clone(),
        lines[0].clone(),               // a retry: already accepted
        "{\"not\": \"an ack\"}".into(), // unknown fields
        lines[3].clone(),               // a gap: nonce 3 is missing
        tampered.to_json(),             // signature
        unknown.to_json(),              // signature (the channel is signed) first
        "x".repeat(70_000),             // over-long line, skipped whole
        lines[2].clone(),
        lines[3].clone(),
        lines[1].clone(), // a retry of an ack accepted in this stream
        "domain: msgl/ack/v2\nnonce: [".into(),
        "---".into(),
        lines[4].clone(),
    ]
    .join("\n");
    let (code, out, err) = pipe(&p.payee, &["accept", "--stream"], &input);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("8 of 13 acks refused"), "{err}");
    let v = verdicts(&out);
    let got: Vec<(&str, u64)> = v
        .iter()
        .map(|v| (v["verdict"].as_str().unwrap(), v["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("accepted", 1),
            ("accepted", 2),
            ("refused", 3),
            ("refused", 4),
            ("refused", 5),
            ("refused", 6),
            ("refused", 7),
            ("refused", 8),
            ("accepted", 9),
            ("accepted", 10),
            ("refused", 11),
            ("refused", 12),
            ("accepted", 15),
        ]
    );
    let reason = |i: usize| v[i]["reason"].as_str().unwrap().to_string();
    assert!(reason(2).starts_with("already accepted"), "{}", reason(2));
    assert!(reason(3).contains("unknown field"), "{}", reason(3));
    assert!(
        reason(4).contains("not the previous cumulative 2"),
        "{}",
        reason(4)
    );
    assert!(reason(5).contains("bad signature"), "{}", reason(5));
    assert!(reason(6).contains("bad signature"), "{}", reason(6));
    assert!(reason(7).contains("longer than"), "{}", reason(7));
    assert!(reason(10).starts_with("already accepted"), "{}", reason(10));
    assert!(reason(11).starts_with("bad ack"), "{}", reason(11));
    assert_eq!(v[3]["nonce"], Value::Null);
    assert_eq!(v[4]["nonce"], 4);
    assert_eq!(v[4]["seq"], Value::Null);
    assert_eq!(v[12]["seq"], 5);
    assert_eq!(entries(&p.payee), 5);
    assert_eq!(logged(&p.payee, "acks").len(), 5);
    evidence_ok(&p.payee);
}

/// `ack` re-signed by the payer's own key (of `payer`'s home) with a
/// nonce point `[r]B + T`, T of order 8, and s made for it (`s_off` 0) or
/// one off: what a payer grinding for a lenient check sends.
fn resign_with_small_order_part(ack: &Ack, payer: &Path, s_off: u64) -> Ack {
    use curve25519_dalek::constants::{ED25519_BASEPOINT_TABLE, EIGHT_TORSION};
    use curve25519_dalek::Scalar;
    use sha2::{Digest, Sha512};
    let key = msgl_node::keys::load(&payer.join("keys/node.key")).unwrap();
    let a = key.to_scalar();
    let mut ack = ack.clone();
    let msg = ack.signing_bytes();
    let r = Scalar::from_bytes_mod_order_wide(&Sha512::digest(&msg).into());
    let big_r = (ED25519_BASEPOINT_TABLE * &r + EIGHT_TORSION[3]).compress();
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(big_r.as_bytes())
            .chain_update(key.verifying_key().as_bytes())
            .chain_update(&msg),
    );
    ack.signature[..32].copy_from_slice(big_r.as_bytes());
    ack.signature[32..].copy_from_slice((r + k * a + Scalar::from(s_off)).as_bytes());
    ack
}

/// A payer's acks whose R carries a point of small order: the stream
/// decides each signature as `msgl accept` of its file, `check --evidence`
/// and `msgl prove` do (docs/DESIGN.md §6.3: one rule, the cofactored
/// equation, whether checked in a batch or alone), so what the payee
/// books it can prove, and what it refuses, every one-shot check refuses.
#[test]
fn a_stream_books_exactly_the_acks_every_other_check_accepts() {
    let p = pair(1000);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(1, 40),
    );
    let honest: Vec<Ack> = out.lines().map(|l| Ack::parse(l).unwrap()).collect();
    assert_eq!(honest.len(), 40);
    // Acks 2, 9, 17 and 33 carry the small-order part (s made for it);
    // ack 21's is one off, so ack 21 is refused and comes again honest.
    let mut input = Vec::new();
    for (i, a) in honest.iter().enumerate() {
        let nonce = i + 1;
        if nonce == 21 {
            let bad = resign_with_small_order_part(a, &p.payer, 1);
            let f = p.dir.join("bad-21.json");
            std::fs::write(&f, bad.to_json()).unwrap();
            msgl(&p.payee)
                .arg("accept")
                .arg(&f)
                .assert()
                .failure()
                .stderr(predicates::str::contains("bad signature"));
            input.push(bad.to_json());
        }
        if [2, 9, 17, 33].contains(&nonce) {
            input.push(resign_with_small_order_part(a, &p.payer, 0).to_json());
        } else {
            input.push(a.to_json());
        }
    }
    let (code, out, err) = pipe(&p.payee, &["accept", "--stream"], &input.join("\n"));
    assert_eq!(code, Some(1), "{err}");
    let v = verdicts(&out);
    assert_eq!(v.len(), 41);
    for (i, verdict) in v.iter().enumerate() {
        let want = if i == 20 { "refused" } else { "accepted" };
        assert_eq!(verdict["verdict"], want, "line {}: {verdict}", i + 1);
    }
    assert!(v[20]["reason"].as_str().unwrap().contains("bad signature"));
    assert_eq!(logged(&p.payee, "acks").len(), 40);
    evidence_ok(&p.payee);
    let proof = p.dir.join("proof");
    msgl(&p.payee)
        .args(["-q", "prove"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&proof)
        .assert()
        .success();
    let s = common::statement(&proof);
    assert_eq!(s.entries[0].new_count, 40);
    msgl(&p.payee)
        .arg("verify-proof")
        .arg(&proof)
        .assert()
        .success();
}

#[test]
fn a_bad_request_ends_the_payer_stream_after_the_acks_before_it() {
    let p = pair(10);
    let cases: [(&str, i32, &str); 5] = [
        ("nothex 1", 2, "<stdin>:3:1: bad message hash"),
        ("{\"message\": \"00\"}", 2, "<stdin>:3:1: bad request"),
        (
            "0000000000000000000000000000000000000000000000000000000000000003 0",
            2,
            "at least 1 unit",
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000003 999999",
            2,
            "above the channel's",
        ),
        (
            "0000000000000000000000000000000000000000000000000000000000000003 1 extra",
            2,
            "not `HASH PRICE`",
        ),
    ];
    let mut n = 0;
    for (bad, status, what) in cases {
        let input = format!("{}{bad}\n{}", requests(1, 2), requests(4, 5));
        let (code, out, err) = pipe(&p.payer, &["ack", "--to", "node1", "--stream"], &input);
        assert_eq!(code, Some(status), "{bad}: {err}");
        assert!(err.contains(what), "{bad}: {err}");
        n += 2;
        assert_eq!(out.lines().count(), 2, "{bad}: the acks before it");
        assert_eq!(entries(&p.payer), n);
    }
    // Past the channel's length: exit 1, the acks before it kept.
    let (code, out, err) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(11, 20),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("<stdin>:1:1: cumulative 11 would exceed the length 10"),
        "{err}"
    );
    assert_eq!(out.lines().count(), 0);
    evidence_ok(&p.payer);
    // Usage.
    msgl(&p.payer)
        .args(["ack", "--to", "node1", "--stream", "--group", "0"])
        .assert()
        .code(2);
    msgl(&p.payer)
        .args(["ack", "--to", "node1", "--stream", "-m", &hash(1)])
        .assert()
        .code(2);
    msgl(&p.payee)
        .args(["accept", "--stream", "x.yaml"])
        .assert()
        .code(2);
    msgl(&p.payee)
        .args(["accept", "--group", "3", "x.yaml"])
        .assert()
        .code(2);
}

#[test]
fn other_writers_are_told_the_home_is_busy_while_a_stream_holds_it() {
    let p = pair(1000);
    let f = p.exchange(1, 1);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(2, 3),
    );
    let lines: Vec<&str> = out.lines().collect();
    let mut s = Stream::start(&p.payee, &["accept", "--stream"]);
    s.send(&format!("{}\n", lines[0]));
    let (_, v) = s.line(Duration::from_secs(30)).expect("a verdict");
    assert!(v.contains("\"accepted\""), "{v}");
    // The stream holds the lock now: writers are refused at once, naming it.
    let pid = s.child.id().to_string();
    let note = std::fs::read_to_string(p.payee.join("journal.ledger.stream")).unwrap();
    assert_eq!(note, format!("pid {pid} msgl accept --stream\n"));
    let busy = |args: &[&str]| {
        let t = Instant::now();
        let out = msgl(&p.payee).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("the home is busy: `msgl accept --stream` (pid ") && err.contains(&pid),
            "{args:?}: {err}"
        );
        assert!(t.elapsed() < Duration::from_secs(20), "{args:?} waited");
    };
    busy(&["served", "node2", "-m", &hash(9), "--price", "1"]);
    busy(&["accept", f.to_str().unwrap()]);
    busy(&["add", "deposit", "--amount", "1"]);
    busy(&["check", "--evidence"]);
    busy(&["accept", "--stream"]);
    // Readers are not writers.
    msgl(&p.payee).arg("check").assert().success();
    msgl(&p.payee).arg("balance").assert().success();
    // The stream goes on, and ends with its input.
    s.send(&format!("{}\n", lines[1]));
    let (_, v) = s.line(Duration::from_secs(30)).expect("a verdict");
    assert!(v.contains("\"accepted\""), "{v}");
    let (code, err) = s.end();
    assert_eq!(code, Some(0), "{err}");
    assert!(!p.payee.join("journal.ledger.stream").exists());
    msgl(&p.payee)
        .args(["served", "node2", "-m", &hash(9), "--price", "1"])
        .assert()
        .success();
    evidence_ok(&p.payee);
    // A note left by a stream that was killed names no one.
    let mut s = Stream::start(&p.payee, &["accept", "--stream"]);
    s.send(&format!("{}\n", lines[0]));
    s.line(Duration::from_secs(30)).expect("a verdict");
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    assert!(p.payee.join("journal.ledger.stream").exists());
    msgl(&p.payee)
        .args(["served", "node2", "-m", &hash(10), "--price", "1"])
        .assert()
        .success();
    assert!(!p.payee.join("journal.ledger.stream").exists());
}

#[test]
fn a_stream_waits_for_a_writer_that_holds_the_lock() {
    use fs4::fs_std::FileExt;
    let p = pair(1000);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(1, 1),
    );
    let journal = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .open(p.payee.join("journal.ledger"))
        .unwrap();
    FileExt::lock_exclusive(&journal).unwrap();
    let mut s = Stream::start(&p.payee, &["accept", "--stream"]);
    s.send(&out);
    assert!(
        s.line(Duration::from_millis(500)).is_none(),
        "a verdict while another writer holds the lock"
    );
    let released = Instant::now();
    FileExt::unlock(&journal).unwrap();
    let (at, v) = s.line(Duration::from_secs(30)).expect("a verdict");
    assert!(at > released && v.contains("\"accepted\""), "{v}");
    let (code, err) = s.end();
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_group_is_committed_within_its_wait_and_not_before() {
    let p = pair(1000);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(1, 3),
    );
    let lines: Vec<&str> = out.lines().collect();
    // The default wait (a few ms): a verdict comes while the input stays open.
    let mut s = Stream::start(&p.payee, &["accept", "--stream"]);
    s.send(&format!("{}\n", lines[0]));
    s.line(Duration::from_secs(30))
        .expect("a verdict without the input ending");
    assert_eq!(entries(&p.payee), 1);
    assert_eq!(s.end().0, Some(0));
    // A long wait: nothing is committed or written until the group is due
    // (here: the end of the input).
    let mut s = Stream::start(&p.payee, &["accept", "--stream", "--group-ms", "60000"]);
    s.send(&format!("{}\n{}\n", lines[1], lines[2]));
    assert!(s.line(Duration::from_millis(700)).is_none());
    assert_eq!(entries(&p.payee), 1, "booked before its group was due");
    drop(s.input.take());
    for _ in 0..2 {
        let (_, v) = s.line(Duration::from_secs(30)).expect("a verdict");
        assert!(v.contains("\"accepted\""), "{v}");
    }
    assert_eq!(s.end().0, Some(0));
    // A full group is due at once, whatever the wait.
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(4, 5),
    );
    let mut s = Stream::start(
        &p.payee,
        &["accept", "--stream", "--group-ms", "60000", "--group", "2"],
    );
    s.send(&out);
    for _ in 0..2 {
        s.line(Duration::from_secs(30))
            .expect("a full group's verdict");
    }
    assert_eq!(entries(&p.payee), 5);
    assert_eq!(s.end().0, Some(0));
    evidence_ok(&p.payee);
}

/// The payee's stream decodes each known payer's key once and checks all
/// its acks against it (`keys::StrictKey`): once the payer's key is in
/// use, an ack on the payer's channel signed by another key is refused —
/// one naming the payer (a bad signature) and one naming the signer, a
/// known peer that is not this channel's payer — and the payer's next
/// acks are still accepted.
#[test]
fn a_stream_refuses_acks_signed_by_another_key_once_the_payers_key_is_in_use() {
    use msgl_node::objects::ack::AckFields;
    let p = pair(1000);
    let (_, out, _) = pipe(
        &p.payer,
        &["ack", "--to", "node1", "--stream"],
        &requests(1, 3),
    );
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    let intruder = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    msgl(&p.payee)
        .args([
            "peer",
            "add",
            "Node3",
            &hex::encode(intruder.verifying_key().as_bytes()),
            "--policy",
            "credit:100",
        ])
        .assert()
        .success();
    let second = Ack::parse(&lines[1]).unwrap();
    let fields = AckFields {
        channel: second.channel,
        payee: second.payee,
        nonce: second.nonce,
        message: second.message,
        price: second.price,
        cumulative: second.cumulative,
        preimage: second.preimage,
    };
    let as_itself = Ack::signed(&intruder, fields);
    let mut as_payer = as_itself.clone();
    as_payer.payer = second.payer;
    let input = [
        lines[0].clone(),
        as_payer.to_json(),
        as_itself.to_json(),
        lines[1].clone(),
        lines[2].clone(),
    ]
    .join("\n");
    let (code, out, err) = pipe(&p.payee, &["accept", "--stream"], &input);
    assert_eq!(code, Some(1), "{err}");
    let v = verdicts(&out);
    let got: Vec<&str> = v.iter().map(|v| v["verdict"].as_str().unwrap()).collect();
    assert_eq!(
        got,
        ["accepted", "refused", "refused", "accepted", "accepted"]
    );
    let reason = |i: usize| v[i]["reason"].as_str().unwrap().to_string();
    assert!(reason(1).contains("bad signature"), "{}", reason(1));
    assert!(
        reason(2).contains("not between this channel's payer and payee"),
        "{}",
        reason(2)
    );
    assert_eq!(v[4]["seq"], 3);
    assert_eq!(logged(&p.payee, "acks").len(), 3);
    evidence_ok(&p.payee);
}
