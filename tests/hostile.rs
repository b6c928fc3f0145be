//! Hostile input through the real binary (docs/RELIABILITY.md): each gets a
//! clear error (`msgl: ...`, exit 2, no raw control characters), bounded
//! memory (peak RSS of the child, from wait4's rusage) and, for `add`,
//! nothing written (the journal's bytes before and after).

use crate::common;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Peak RSS allowed to any child here, in MB.
const RSS_BOUND_MB: i64 = 200;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    rss_mb: i64,
    secs: f64,
}

/// Runs msgl with `args` in `dir` and measures its peak RSS.
///
/// Linux carries a process's peak RSS across exec, and a child spawned from
/// this (large, multi-threaded) test process starts with this process's
/// peak; so msgl is started by a small process that reports its child's
/// own peak: `/usr/bin/time -f %M`. Without it, the child's VmHWM is polled
/// from /proc while it runs (exec gives it a fresh address space).
fn msgl_in<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Run {
    let out = dir.join(".out");
    let err = dir.join(".err");
    let rss = dir.join(".rss");
    let bin = assert_cmd::cargo::cargo_bin("msgl");
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss).arg(&bin);
        c
    } else {
        Command::new(&bin)
    };
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env_remove("MSGL_HOME")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let mut polled_kb = 0;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if !time.exists() {
            polled_kb = polled_kb.max(vm_hwm_kb(child.id()).unwrap_or(0));
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let secs = started.elapsed().as_secs_f64();
    let rss_kb: i64 = if time.exists() {
        let text = std::fs::read_to_string(&rss).unwrap();
        // The last line is %M (before it, a note if the child was signalled).
        text.lines().last().unwrap().trim().parse().unwrap()
    } else {
        polled_kb
    };
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&std::fs::read(&out).unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err).unwrap()).into_owned(),
        rss_mb: rss_kb / 1024,
        secs,
    };
    for f in [out, err, rss] {
        let _ = std::fs::remove_file(f);
    }
    assert!(
        run.rss_mb < RSS_BOUND_MB,
        "{:?}: peak RSS {} MB",
        args.iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
        run.rss_mb
    );
    run
}

fn vm_hwm_kb(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A refusal as DESIGN §10.1 wants it: exit 2, one `msgl: ` line, nothing that
/// could drive a terminal.
fn assert_clear_refusal(r: &Run, what: &str, needle: &str) {
    assert_refusal(r, 2, what, needle)
}

/// As [`assert_clear_refusal`], with exit status `code` (1: a refused
/// object, as `accept` reports every bad ack).
fn assert_refusal(r: &Run, code: i32, what: &str, needle: &str) {
    assert_eq!(r.code, code, "{what}: exit {} ({})", r.code, r.stderr);
    assert!(
        r.stderr.starts_with("msgl: ") && r.stderr.ends_with('\n'),
        "{what}: {:?}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{what}: {:?}", r.stderr);
    assert!(
        !r.stderr
            .trim_end_matches('\n')
            .chars()
            .any(msgl_ledger::error::is_unsafe_char),
        "{what}: raw control characters in {:?}",
        r.stderr
    );
    assert!(r.stderr.contains(needle), "{what}: {:?}", r.stderr);
}

const SEED: &str =
    "1700000000000 (1) DEPOSIT\n    Assets:Contract:Deposit  5\n    Assets:Cash:SNT  -5\n";

fn seeded(dir: &Path) -> PathBuf {
    let j = dir.join("journal.ledger");
    std::fs::write(&j, SEED).unwrap();
    j
}

#[test]
fn add_refuses_hostile_amounts_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let j = seeded(dir.path());
    let forty = "1234567890123456789012345678901234567890";
    let cases = [
        forty.to_string(),
        format!("0.{}", &forty[..39].replace(|c: char| c != '0', "0")) + "1",
        format!("1.{}1", "0".repeat(38)),
        format!("-{forty}"),
        format!("1{}", "0".repeat(39)), // 10^39: one past the journal's range
        "-1".into(),
        "-0.00001".into(),
        "0".into(),
        "-0".into(),
        "+0".into(),
        "0.000".into(),
        "00".into(),
        "".into(),
        " ".into(),
        "1e5".into(),
        "NaN".into(),
        "inf".into(),
        "0x10".into(),
        "1,5".into(),
        "1 2".into(),
        "1 SNT SNT".into(),
        "1 S€".into(),
        "١٢".into(),
        "１".into(),
        "1\u{1b}[2J".into(),
        "1\u{202e}".into(),
    ];
    for a in &cases {
        for kind in ["deposit", "payment-received"] {
            let before = std::fs::read(&j).unwrap();
            let r = msgl_in(
                dir.path(),
                &[
                    "-f",
                    "journal.ledger",
                    "add",
                    kind,
                    "--peer",
                    "Node2",
                    "--amount",
                    a,
                ],
            );
            assert_clear_refusal(&r, &format!("add {kind} --amount {a:?}"), "bad amount");
            assert_eq!(std::fs::read(&j).unwrap(), before, "--amount {a:?} wrote");
        }
    }
    // The largest amounts that fit are booked exactly, digit for digit.
    for a in [
        "999999999999999999999999999999999999999.999999999999999999",
        "0.000000000000000001",
    ] {
        let r = msgl_in(
            dir.path(),
            &["-f", "journal.ledger", "add", "deposit", "--amount", a],
        );
        assert_eq!(r.code, 0, "{a}: {}", r.stderr);
        let text = std::fs::read_to_string(&j).unwrap();
        assert!(
            text.contains(&format!("Assets:Contract:Deposit  {a}\n")),
            "{text}"
        );
    }
}

#[test]
fn add_refuses_hostile_peers_messages_paths_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let j = seeded(dir.path());
    let long_path = "x/".repeat(3000);
    let e20 = "é".repeat(20);
    let f65 = "f".repeat(65);
    let bad_path = Path::new("no").join(OsStr::from_bytes(b"j\x1b[2J\xff.ledger"));
    let cases: Vec<(Vec<&OsStr>, &str)> = vec![
        (vec!["--peer".as_ref(), "Nöde".as_ref()], "bad peer name"),
        (
            vec!["--peer".as_ref(), "Node\u{1b}[31m".as_ref()],
            "bad peer name",
        ),
        (
            vec!["--peer".as_ref(), "Node\u{202e}2".as_ref()],
            "bad peer name",
        ),
        (vec!["--peer".as_ref(), "".as_ref()], "bad peer name"),
        (vec!["--peer".as_ref(), "a:b".as_ref()], "bad peer name"),
        (
            vec!["--message".as_ref(), e20.as_str().as_ref()],
            "bad message hash",
        ),
        (
            vec!["--message".as_ref(), "0123456789abcdef\u{7}".as_ref()],
            "bad message hash",
        ),
        (
            vec!["--message".as_ref(), "0123456789abcde".as_ref()],
            "bad message hash",
        ),
        (
            vec!["--message".as_ref(), f65.as_str().as_ref()],
            "bad message hash",
        ),
    ];
    for (extra, needle) in &cases {
        let before = std::fs::read(&j).unwrap();
        let mut args: Vec<&OsStr> = [
            "-f",
            "journal.ledger",
            "add",
            "message-sent",
            "--amount",
            "1",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        if !extra.contains(&OsStr::new("--peer")) {
            args.extend([OsStr::new("--peer"), OsStr::new("Node2")]);
        }
        if !extra.contains(&OsStr::new("--message")) {
            args.extend([OsStr::new("--message"), OsStr::new("0123456789abcdef")]);
        }
        args.extend(extra.iter().copied());
        let r = msgl_in(dir.path(), &args);
        assert_clear_refusal(&r, &format!("add {extra:?}"), needle);
        assert_eq!(std::fs::read(&j).unwrap(), before, "{extra:?} wrote");
    }
    // Paths: a directory, a missing directory, a name too long, control
    // characters, not UTF-8; a home that is not one; times out of range or
    // going backwards.
    let path_cases: Vec<(Vec<&OsStr>, Vec<&str>, &str)> = vec![
        (vec![OsStr::new("-f"), OsStr::new(".")], vec![], ""),
        (
            vec![OsStr::new("-f"), OsStr::new("no/such/dir/j.ledger")],
            vec![],
            "No such file",
        ),
        (vec![OsStr::new("-f"), OsStr::new(&long_path)], vec![], ""),
        (
            vec![OsStr::new("-f"), bad_path.as_os_str()],
            vec![],
            "No such file",
        ),
        (
            vec![OsStr::new("--home"), OsStr::new("no/such/home")],
            vec![],
            "not a node home",
        ),
        (
            vec![OsStr::new("-f"), OsStr::new("journal.ledger")],
            vec!["--at", "18446744073709551616"],
            "--at",
        ),
        (
            vec![OsStr::new("-f"), OsStr::new("journal.ledger")],
            vec!["--at", "-1"],
            "'-1'",
        ),
        (
            vec![OsStr::new("-f"), OsStr::new("journal.ledger")],
            vec!["--at", "1"],
            "earlier than",
        ),
    ];
    for (global, extra, needle) in &path_cases {
        let before = std::fs::read(&j).unwrap();
        let mut args = global.clone();
        args.extend(["add", "deposit", "--amount", "1"].iter().map(OsStr::new));
        args.extend(extra.iter().map(OsStr::new));
        let r = msgl_in(dir.path(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        if !r.stderr.starts_with("error:") {
            // Ours (clap's usage errors start with `error:`).
            assert_clear_refusal(&r, &format!("{args:?}"), needle);
        }
        assert_eq!(std::fs::read(&j).unwrap(), before, "{args:?} wrote");
    }
    assert!(!dir.path().join("no").exists());
}

#[test]
fn journal_amounts_out_of_range_are_located() {
    let dir = tempfile::tempdir().unwrap();
    // "    Assets:Contract:Deposit  " is 29 characters: the number is at 30.
    for (amount, col) in [
        ("1234567890123456789012345678901234567890", 30),
        ("-0.0000000000000000000000000000000000000001", 31),
        ("1000000000000000000000000000000000000000", 30),
    ] {
        std::fs::write(
            dir.path().join("j.ledger"),
            format!("1 (1) X\n    Assets:Contract:Deposit  {amount}\n    Assets:Cash:SNT\n"),
        )
        .unwrap();
        let r = msgl_in(dir.path(), &["-f", "j.ledger", "check"]);
        assert_clear_refusal(
            &r,
            amount,
            &format!("j.ledger:2:{col}: amount out of range"),
        );
    }
}

#[test]
fn unicode_is_text_and_control_or_bidi_characters_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let ok = "1 (1) MESSAGE SENT ✓ café 日本\n    Assets:Caisse:€uro  1  ; ack: acks/ü.yaml\n    Income:Ventes:日本\n";
    std::fs::write(dir.path().join("ok.ledger"), ok).unwrap();
    let r = msgl_in(dir.path(), &["-f", "ok.ledger", "check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = msgl_in(dir.path(), &["-f", "ok.ledger", "bal", "--flat"]);
    assert!(r.stdout.contains("Income:Ventes:日本"), "{}", r.stdout);

    let header = "1 (1) MESSAGE SENT";
    let post = "    Assets:A  1";
    let tail = format!("{post}\n    Income:X\n");
    // (journal, line of the problem, what); the column is that of the
    // first control or bidi character on the line (1 if there is none).
    let cases: Vec<(String, usize, &str)> = vec![
        (
            format!("1 (1) MESS\u{0}AGE\n{tail}"),
            1,
            "control character U+0000 in the description",
        ),
        (
            format!("1 (1) \u{1b}[2JX\n{tail}"),
            1,
            "control character U+001B in the description",
        ),
        (
            format!("1 (1) X\u{7f}\n{tail}"),
            1,
            "control character U+007F in the description",
        ),
        (
            format!("1 (1) é\u{85}\n{tail}"),
            1,
            "control character U+0085 in the description",
        ),
        (
            format!("1 (1) a\rb\n{tail}"),
            1,
            "control character U+000D in the description",
        ),
        (
            format!("1 (1) pay \u{202e}2\n{tail}"),
            1,
            "bidi formatting character U+202E in the description",
        ),
        (
            format!("{header}\n    Assets:\u{1b}]0;x\u{7}  1\n"),
            2,
            "control character U+001B in the account name",
        ),
        (
            format!("{header}\n    Assets:Ca\u{8}sh  1\n"),
            2,
            "control character U+0008 in the account name",
        ),
        (
            format!("{header}\n    Assets:é\u{2067}x  1\n"),
            2,
            "bidi formatting character U+2067 in the account name",
        ),
        (
            format!("{header}\n{post}  ; \u{1b}[2J\n"),
            2,
            "control character U+001B in the comment",
        ),
        (
            format!("{header}  ; tag: \u{0}\n{post}\n"),
            1,
            "control character U+0000 in the comment",
        ),
        (
            format!("{header}\n    ; note \u{202d}\n{post}\n"),
            2,
            "bidi formatting character U+202D in the comment",
        ),
        (
            format!("{header}\n{post}\n\u{1b}[2J\n"),
            3,
            "unexpected text at the start of a line",
        ),
        (
            format!("{header}\n{post}\n\u{feff}2 (2) X\n"),
            3,
            "unexpected text at the start of a line",
        ),
    ];
    for (text, line, what) in &cases {
        let l = text.split('\n').nth(line - 1).unwrap();
        let col = l
            .chars()
            .position(|c| c != '\t' && msgl_ledger::error::is_unsafe_char(c))
            .map_or(1, |p| p + 1);
        let needle = format!("bad.ledger:{line}:{col}: {what}");
        std::fs::write(dir.path().join("bad.ledger"), text).unwrap();
        for cmd in ["check", "print", "balance"] {
            let r = msgl_in(dir.path(), &["-f", "bad.ledger", cmd]);
            assert_clear_refusal(&r, &format!("{cmd} {text:?}"), &needle);
            assert!(r.stdout.is_empty(), "{cmd} {text:?}: {}", r.stdout);
        }
    }
}

/// A header, then a line of `n` bytes (no entry start in it).
fn with_long_line(n: usize, posting: bool) -> Vec<u8> {
    let mut v = b"1 (1) X\n".to_vec();
    if posting {
        v.extend_from_slice(b"    Assets:");
        v.resize(v.len() + n, b'A');
        v.extend_from_slice(b"  1\n    Income:X\n");
    } else {
        v.clear();
        v.extend_from_slice(b"1 (1) ");
        v.resize(v.len() + n, b'D');
        v.extend_from_slice(b"\n    Assets:A  1\n    Income:X\n");
    }
    v
}

#[test]
fn ten_megabyte_lines_are_refused_in_bounded_memory_and_add_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ten_mb = 10 << 20;
    for (name, bytes, line) in [
        ("posting.ledger", with_long_line(ten_mb, true), 2),
        ("header.ledger", with_long_line(ten_mb, false), 1),
        ("noline.ledger", vec![b'7'; ten_mb], 1),
        (
            "after.ledger",
            [SEED.as_bytes(), b"\n", &with_long_line(ten_mb, true)].concat(),
            6,
        ),
    ] {
        let j = dir.path().join(name);
        std::fs::write(&j, &bytes).unwrap();
        for cmd in ["check", "balance", "print"] {
            let r = msgl_in(dir.path(), &["-f", name, cmd]);
            assert_clear_refusal(
                &r,
                &format!("{name} {cmd}"),
                &format!("{name}:{line}:1: line longer than 1048576 bytes"),
            );
            eprintln!(
                "{name} {cmd}: refused in {:.2}s, peak RSS {} MB",
                r.secs, r.rss_mb
            );
        }
        let r = msgl_in(dir.path(), &["-f", name, "add", "deposit", "--amount", "1"]);
        assert_eq!(r.code, 2, "{name} add: {}", r.stderr);
        assert!(r.stderr.starts_with("msgl: "), "{name} add: {}", r.stderr);
        assert_eq!(std::fs::read(&j).unwrap(), bytes, "add wrote to {name}");
        eprintln!(
            "{name} add: refused, peak RSS {} MB: {}",
            r.rss_mb,
            r.stderr.trim_end()
        );
    }
}

#[test]
fn ten_million_blank_lines_read_fast_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("blank.ledger");
    let blank = vec![b'\n'; 10_000_000];
    std::fs::write(&j, &blank).unwrap();
    let r = msgl_in(dir.path(), &["-f", "blank.ledger", "check"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(": 0 entries, ok"), "{}", r.stdout);
    eprintln!(
        "10M blank lines: check in {:.2}s, peak RSS {} MB",
        r.secs, r.rss_mb
    );
    assert!(
        r.rss_mb < 64,
        "peak RSS {} MB for 10 MB of blank lines",
        r.rss_mb
    );
    assert!(r.secs < 20.0, "{:.1}s", r.secs);
    // add books entry 1 after them; the blank lines stay; line numbers hold.
    let r = msgl_in(
        dir.path(),
        &["-f", "blank.ledger", "add", "deposit", "--amount", "1"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("booked (1) DEPOSIT"), "{}", r.stdout);
    let mut text = std::fs::read(&j).unwrap();
    assert!(text.starts_with(&blank));
    text.extend_from_slice(b"    Income:Oops  1\n");
    std::fs::write(&j, &text).unwrap();
    let r = msgl_in(dir.path(), &["-f", "blank.ledger", "check"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("blank.ledger:10000002:1: entry does not balance"),
        "{}",
        r.stderr
    );
}

#[test]
fn endless_or_garbage_input_stops_at_the_first_error() {
    let dir = tempfile::tempdir().unwrap();
    for (dev, needle) in [
        ("/dev/zero", "line longer than 1048576 bytes"),
        ("/dev/urandom", ""),
    ] {
        if !Path::new(dev).exists() {
            continue;
        }
        let r = msgl_in(dir.path(), &["-f", dev, "check"]);
        assert_clear_refusal(&r, dev, needle);
        assert!(r.secs < 30.0, "{dev}: {:.1}s", r.secs);
        eprintln!("{dev}: refused in {:.2}s, peak RSS {} MB", r.secs, r.rss_mb);
    }
    // 100 MB of one entry's indented lines: nowhere to cut a block.
    let j = dir.path().join("span.ledger");
    let mut v = b"1 (1) X\n".to_vec();
    while v.len() < 100 << 20 {
        v.extend_from_slice(b"    ; a note that never ends\n");
    }
    std::fs::write(&j, &v).unwrap();
    let r = msgl_in(dir.path(), &["-f", "span.ledger", "check"]);
    assert_clear_refusal(&r, "100 MB entry", "more than 64 MB of indented lines");
}

/// `msgl.yaml` is read by every command that takes a home.
fn home_with_config(dir: &Path, yaml: &[u8]) -> PathBuf {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("msgl.yaml"), yaml).unwrap();
    std::fs::write(home.join("journal.ledger"), SEED).unwrap();
    home
}

#[test]
fn yaml_bombs_and_huge_configs_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // Billion laughs: 9^9 strings if aliases were expanded.
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (p, c) in ('a'..='h').zip('b'..='i') {
        laughs += &format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
    }
    let fields = "name: n\ntoken: SNT\ndecimals: 5\nunit_price: \"0.00001\"\n";
    let in_peers = format!(
        "{fields}peers: &p\n  - &q {{name: x, key: k}}\n{}",
        "  - *q\n".repeat(100_000)
    );
    let deep = format!(
        "{fields}peers: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let huge = format!("{fields}# {}\n", "x".repeat(2 << 20));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "billion laughs",
            laughs.clone().into_bytes(),
            "bad msgl.yaml",
        ),
        (
            "billion laughs in a field",
            format!("{fields}{laughs}").into_bytes(),
            "bad msgl.yaml",
        ),
        (
            "name is a bomb",
            laughs.replace("i: &i", "name: &i").into_bytes(),
            "bad msgl.yaml",
        ),
        ("100k aliases", in_peers.into_bytes(), ""),
        ("100k deep", deep.into_bytes(), "bad msgl.yaml"),
        ("2 MB", huge.into_bytes(), "larger than 1024 KB"),
        ("not UTF-8", b"name: \xff\n".to_vec(), "invalid UTF-8"),
    ];
    for (what, yaml, needle) in &cases {
        let home = home_with_config(dir.path(), yaml);
        let before = std::fs::read(home.join("journal.ledger")).unwrap();
        let started = Instant::now();
        let r = msgl_in(
            dir.path(),
            &[
                OsStr::new("--home"),
                home.as_os_str(),
                OsStr::new("add"),
                OsStr::new("deposit"),
                OsStr::new("--amount"),
                OsStr::new("1"),
            ],
        );
        assert!(
            started.elapsed().as_secs() < 20,
            "{what}: {:?}",
            started.elapsed()
        );
        if needle.is_empty() {
            // Well-formed but silly: read or refused, either way quickly.
            assert!(r.code == 0 || r.code == 2, "{what}: {}", r.stderr);
        } else {
            assert_clear_refusal(&r, what, needle);
            assert_eq!(
                std::fs::read(home.join("journal.ledger")).unwrap(),
                before,
                "{what}: wrote"
            );
        }
        eprintln!(
            "{what}: exit {} in {:.2}s, peak RSS {} MB",
            r.code, r.secs, r.rss_mb
        );
    }
}

/// Every file of a home, with its bytes (to show nothing was written).
fn snapshot(home: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(home)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

/// `--home HOME ARGS...` through [`msgl_in`] (peak memory bounded).
fn in_home(home: &Path, args: &[&OsStr]) -> Run {
    let mut a: Vec<&OsStr> = vec![OsStr::new("--home"), home.as_os_str()];
    a.extend_from_slice(args);
    msgl_in(home.parent().unwrap(), &a)
}

/// A signed-object-shaped YAML bomb: 9^9 strings if aliases were expanded.
fn object_bomb(domain: &str) -> String {
    let mut y = format!("domain: {domain}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (p, c) in ('a'..='h').zip('b'..='i') {
        y += &format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
    }
    y
}

#[test]
fn hostile_acks_proposals_and_batches_are_refused_and_nothing_is_written() {
    let p = common::pair(1000);
    p.exchange(1, 1);
    let dir = &p.dir;
    let payee = snapshot(&p.payee);

    // An ack for a channel that was never opened: the payer opens a second
    // generation without telling the payee, and acks on it.
    msgl_in(
        dir,
        &[
            OsStr::new("--home"),
            p.payer.as_os_str(),
            OsStr::new("-q"),
            OsStr::new("open"),
            OsStr::new("--to"),
            OsStr::new("Node1"),
            OsStr::new("--units"),
            OsStr::new("10"),
            OsStr::new("-o"),
            dir.join("open2.yaml").as_os_str(),
        ],
    );
    let stray = dir.join("stray-ack.yaml");
    let r = in_home(
        &p.payer,
        &[
            OsStr::new("-q"),
            OsStr::new("ack"),
            OsStr::new("--to"),
            OsStr::new("Node1"),
            OsStr::new("-m"),
            OsStr::new(&common::hash(7)),
            OsStr::new("--price"),
            OsStr::new("1"),
            OsStr::new("-o"),
            stray.as_os_str(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = in_home(&p.payee, &[OsStr::new("accept"), stray.as_os_str()]);
    assert!(r.code == 1 || r.code == 2, "{}", r.stderr);
    assert!(r.stderr.contains("no channel "), "{}", r.stderr);
    assert!(
        r.stderr.contains("accept-open"),
        "the hint says what to do: {}",
        r.stderr
    );
    assert_eq!(snapshot(&p.payee), payee, "a refused ack wrote something");

    // YAML bombs where an ack, a proposal and a batch file are expected.
    let ack_bomb = dir.join("ack-bomb.yaml");
    std::fs::write(&ack_bomb, object_bomb("msgl/ack/v2")).unwrap();
    let r = in_home(&p.payee, &[OsStr::new("accept"), ack_bomb.as_os_str()]);
    assert_refusal(
        &r,
        1,
        "ack bomb",
        "ack-bomb.yaml: bad ack: YAML anchors and aliases",
    );
    let recon_bomb = dir.join("recon-bomb.yaml");
    std::fs::write(&recon_bomb, object_bomb("msgl/recon/v2")).unwrap();
    let r = in_home(
        &p.payee,
        &[
            OsStr::new("reconcile"),
            OsStr::new("--with"),
            OsStr::new("node2"),
            OsStr::new("--accept"),
            recon_bomb.as_os_str(),
        ],
    );
    assert_refusal(
        &r,
        2,
        "proposal bomb",
        "recon-bomb.yaml: YAML anchors and aliases are not accepted",
    );
    let batch = dir.join("batch");
    std::fs::create_dir(&batch).unwrap();
    std::fs::copy(
        p.payee
            .join("acks")
            .read_dir()
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
        batch.join("good.yaml"),
    )
    .unwrap();
    std::fs::write(batch.join("bomb.yaml"), object_bomb("msgl/ack/v2")).unwrap();
    let r = in_home(
        &p.payee,
        &[
            OsStr::new("prove"),
            batch.as_os_str(),
            OsStr::new("-o"),
            dir.join("never").as_os_str(),
        ],
    );
    assert_refusal(
        &r,
        1,
        "batch bomb",
        "bomb.yaml: bad ack: YAML anchors and aliases",
    );
    assert!(!dir.join("never").exists());
    assert_eq!(
        snapshot(&p.payee),
        payee,
        "a refused object wrote something"
    );
}

#[test]
fn verify_proof_refuses_huge_endless_and_bomb_files_in_bounded_memory() {
    let p = common::pair(1000);
    let f = p.exchange(1, 2);
    let dir = &p.dir;
    let batch = dir.join("batch");
    std::fs::create_dir(&batch).unwrap();
    std::fs::copy(&f, batch.join("ack.yaml")).unwrap();
    let good = dir.join("proof");
    let r = in_home(
        &p.payee,
        &[
            OsStr::new("-q"),
            OsStr::new("prove"),
            batch.as_os_str(),
            OsStr::new("-o"),
            good.as_os_str(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let case = |name: &str, fill: &dyn Fn(&Path)| -> Run {
        let d = dir.join(name);
        std::fs::create_dir(&d).unwrap();
        for file in ["statement.yaml", "proof.bin"] {
            std::fs::copy(good.join(file), d.join(file)).unwrap();
        }
        fill(&d);
        let started = Instant::now();
        let r = msgl_in(dir, &[OsStr::new("verify-proof"), d.as_os_str()]);
        assert!(
            started.elapsed().as_secs() < 10,
            "{name}: {:?}",
            started.elapsed()
        );
        eprintln!(
            "{name}: exit {} in {:.2}s, peak RSS {} MB",
            r.code, r.secs, r.rss_mb
        );
        r
    };
    // 2 GB (sparse): refused by its size, unread.
    let r = case("sparse", &|d| {
        std::fs::File::options()
            .write(true)
            .open(d.join("proof.bin"))
            .unwrap()
            .set_len(2 << 30)
            .unwrap()
    });
    assert_clear_refusal(&r, "2 GB proof", "too large");
    assert!(r.secs < 1.0, "{}", r.secs);
    // Endless devices, through symlinks: read only up to the bound.
    for file in ["proof.bin", "statement.yaml"] {
        let r = case(&format!("zero-{file}"), &|d| {
            std::fs::remove_file(d.join(file)).unwrap();
            std::os::unix::fs::symlink("/dev/zero", d.join(file)).unwrap();
        });
        assert!(r.code == 2, "{file}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("msgl: ") && r.stderr.lines().count() == 1,
            "{file}: {}",
            r.stderr
        );
    }
    // A statement that is a YAML bomb.
    let r = case("bomb", &|d| {
        std::fs::write(d.join("statement.yaml"), object_bomb("x")).unwrap()
    });
    assert_clear_refusal(&r, "statement bomb", "statement.yaml");
    // The honest one still verifies.
    let r = msgl_in(dir, &[OsStr::new("verify-proof"), good.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// The files `accept`, `accept-open` and `reconcile --accept/--finalize`
/// read (acks, opens, reconciliations) are read only up to 64 MB, and a
/// YAML bomb in one expands nothing: each is refused in bounded memory and
/// nothing is written.
#[test]
fn endless_huge_or_bombed_object_files_are_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let r = msgl_in(dir.path(), &["--home", "home", "init", "--name", "Node1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = msgl_in(dir.path(), &["--home", "peer", "init", "--name", "Node2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let peer = msgl_in(dir.path(), &["--home", "peer", "id"]).stdout;
    let r = msgl_in(
        dir.path(),
        &["--home", "home", "peer", "add", "Node2", peer.trim()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = std::fs::read(home.join("journal.ledger")).unwrap();
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (p, c) in ('a'..='h').zip('b'..='i') {
        laughs += &format!("{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n");
    }
    std::fs::write(dir.path().join("laughs.yaml"), &laughs).unwrap();
    let mut big = b"domain: msgl/ack/v1\n".to_vec();
    while big.len() <= 65 << 20 {
        big.extend_from_slice(b"# a comment that goes on and on and on and on and on\n");
    }
    std::fs::write(dir.path().join("big.yaml"), &big).unwrap();
    let mut files = vec![
        ("laughs.yaml", ""),
        ("big.yaml", "larger than 67108864 bytes"),
    ];
    if Path::new("/dev/zero").exists() {
        files.push(("/dev/zero", "larger than 67108864 bytes"));
    }
    for (file, needle) in files {
        for cmd in [
            &["accept", file][..],
            &["accept-open", file],
            &["reconcile", "--with", "Node2", "--accept", file],
            &["reconcile", "--with", "Node2", "--finalize", file],
        ] {
            let mut args = vec!["--home", "home"];
            args.extend_from_slice(cmd);
            let r = msgl_in(dir.path(), &args);
            let what = format!("{cmd:?}");
            assert!(
                r.code == 1 || r.code == 2,
                "{what}: exit {} {}",
                r.code,
                r.stderr
            );
            assert!(r.stderr.contains(needle), "{what}: {}", r.stderr);
            assert!(r.secs < 30.0, "{what}: {:.1}s", r.secs);
            eprintln!(
                "{what}: exit {} in {:.2}s, peak RSS {} MB",
                r.code, r.secs, r.rss_mb
            );
        }
    }
    assert_eq!(std::fs::read(home.join("journal.ledger")).unwrap(), before);
    for sub in ["acks", "recon"] {
        assert_eq!(
            std::fs::read_dir(home.join(sub)).unwrap().count(),
            0,
            "{sub}"
        );
    }
}

/// `import --hledger` streams: a big input imports in small memory, an
/// endless or garbage one stops at its first bad line, and a refused
/// import leaves no output file (and no temporary one) behind.
#[test]
fn import_streams_in_bounded_memory_and_writes_nothing_on_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `msgl import --hledger INPUT [-o OUT]` in `d`.
    let import = |input: &str, out: Option<&str>| {
        let mut args = vec![
            OsStr::new("import"),
            OsStr::new("--hledger"),
            OsStr::new(input),
        ];
        if let Some(o) = out {
            args.extend([OsStr::new("-o"), OsStr::new(o)]);
        }
        msgl_in(d, &args)
    };
    // 120 000 entries, about 15 MB of hledger journal (read whole, as
    // before, it took 118 MB).
    let mut text = String::with_capacity(40 << 20);
    for i in 1..=120_000u64 {
        text += &format!(
            "2020-06-13 ({i}) MESSAGE SENT\n    Assets:AccountsReceivable:Node{}:{i:016x}  0.00001\n    Income:Messages:Node{}  -0.00001\n\n",
            i % 500,
            i % 500
        );
    }
    std::fs::write(d.join("big.journal"), &text).unwrap();
    let r = import("big.journal", Some("big.ledger"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    eprintln!(
        "import of 120 000 entries ({} MB): {:.2}s, peak RSS {} MB",
        text.len() >> 20,
        r.secs,
        r.rss_mb
    );
    assert!(r.rss_mb < 32, "peak RSS {} MB", r.rss_mb);
    let out = std::fs::read_to_string(d.join("big.ledger")).unwrap();
    assert_eq!(out.matches(") MESSAGE SENT\n").count(), 120_000);
    assert!(
        out.starts_with("1592006400000 (1) MESSAGE SENT\n"),
        "{}",
        &out[..80]
    );
    drop(out);

    let leftovers = |d: &Path| -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp."))
            .collect()
    };
    // An error far into the file: refused at its line, nothing written.
    text += "2020-06-14 (120001) MESSAGE SENT\n    Assets:Cash:SNT  1\n    Equity:X  2\n\n";
    std::fs::write(d.join("bad.journal"), &text).unwrap();
    drop(text);
    let r = import("bad.journal", Some("bad.ledger"));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("bad.journal:480001:"), "{}", r.stderr);
    assert!(!d.join("bad.ledger").exists());
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
    // The same to standard output: nothing printed.
    let r = import("bad.journal", None);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "printed {} bytes", r.stdout.len());
    // Endless and garbage input, and a 10 MB line.
    std::fs::write(d.join("long.journal"), with_long_line(10 << 20, false)).unwrap();
    for (input, needle) in [
        ("/dev/zero", "line longer than"),
        ("/dev/urandom", ""),
        ("long.journal", "line longer than"),
    ] {
        let started = Instant::now();
        let r = import(input, Some("never.ledger"));
        assert!(started.elapsed().as_secs() < 10, "{input}");
        assert_eq!(r.code, 2, "{input}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("msgl: ") && r.stderr.lines().count() == 1,
            "{input}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(needle), "{input}: {}", r.stderr);
        assert!(!d.join("never.ledger").exists(), "{input}");
        eprintln!(
            "import {input}: exit 2 in {:.2}s, peak RSS {} MB",
            r.secs, r.rss_mb
        );
    }
    assert!(leftovers(d).is_empty(), "{:?}", leftovers(d));
}

/// Negative prices and zero units wherever a command takes them: refused on
/// one line, exit 2, and the homes unchanged.
#[test]
fn negative_prices_and_zero_units_are_refused_and_nothing_is_written() {
    let p = common::pair(1000);
    p.exchange(1, 1);
    let before = (snapshot(&p.payer), snapshot(&p.payee));
    let h = common::hash(9);
    // A real key that is not yet a peer.
    let key = common::id(&common::init(&p.dir, "Node9"));
    let cases: Vec<(&Path, Vec<&str>, &str)> = vec![
        (
            &p.payer,
            vec!["ack", "--to", "Node1", "-m", &h, "--price", "0"],
            "at least 1 unit",
        ),
        (
            &p.payer,
            vec!["ack", "--to", "Node1", "-m", &h, "--price", "-3"],
            "'-3'",
        ),
        (
            &p.payer,
            vec!["ack", "--to", "Node1", "-m", &h, "--price", "1.5"],
            "--price",
        ),
        (
            &p.payer,
            vec![
                "ack",
                "--to",
                "Node1",
                "-m",
                &h,
                "--price",
                "99999999999999999999999",
            ],
            "--price",
        ),
        (
            &p.payer,
            vec!["open", "--to", "Node1", "--units", "0"],
            "units",
        ),
        (
            &p.payer,
            vec!["open", "--to", "Node1", "--units", "-1"],
            "'-1'",
        ),
        (
            &p.payer,
            vec!["open", "--to", "Node1", "--units", "10", "--escrow=-1"],
            "escrow",
        ),
        (
            &p.payee,
            vec!["peer", "add", "Node9", &key, "--policy", "credit:-1"],
            "policy",
        ),
        (
            &p.payee,
            vec!["peer", "add", "Node9", &key, "--cap=-5"],
            "cap",
        ),
        (
            &p.payee,
            vec![
                "add",
                "message-sent",
                "--peer",
                "Node2",
                "-m",
                &h,
                "-a",
                "-0.00001",
            ],
            "bad amount",
        ),
        (
            &p.payee,
            vec![
                "add",
                "message-sent",
                "--peer",
                "Node2",
                "-m",
                &h,
                "-a",
                "0",
            ],
            "bad amount",
        ),
    ];
    for (home, args, needle) in &cases {
        let mut a: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        a.insert(0, OsStr::new("-q"));
        let r = in_home(home, &a);
        assert_refusal(&r, 2, &args.join(" "), needle);
        // Every error has a hint; the command's help at the least.
        assert!(r.stderr.trim_end().ends_with(')'), "no hint: {}", r.stderr);
    }
    assert_eq!(
        (snapshot(&p.payer), snapshot(&p.payee)),
        before,
        "a refusal wrote something"
    );
}
