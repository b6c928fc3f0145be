//! Progress bars (DESIGN §10.3): drawn on standard error only when it is a
//! terminal, never with -q, without colour under NO_COLOR. The terminal is
//! a real pseudo-terminal from util-linux's `script`.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::tempdir;

/// An hledger journal of `n` entries.
fn hledger_journal(n: usize) -> String {
    let mut s = String::new();
    for i in 1..=n {
        s += &format!(
            "2020-06-13 ({i}) MESSAGE SENT\n    Assets:AccountsReceivable:Node2:{i:016x}  0.00001\n    Income:Messages:Node2  -0.00001\n\n"
        );
    }
    s
}

/// Runs `msgl ARGS` under `script` (a pseudo-terminal for stdin, stdout and
/// stderr); returns what the terminal showed and the exit status.
fn on_a_terminal(dir: &Path, envs: &[(&str, &str)], args: &str) -> (String, i32) {
    let bin = assert_cmd::cargo::cargo_bin("msgl");
    let log = dir.join("tty.log");
    let _ = std::fs::remove_file(&log);
    let mut c = Command::new("script");
    c.arg("-qec")
        .arg(format!("{} {args}", bin.display()))
        .arg(&log)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("MSGL_HOME")
        .env("TERM", "xterm");
    for (k, v) in envs {
        c.env(k, v);
    }
    let out = c.output().expect("util-linux `script` runs");
    let shown = std::fs::read_to_string(&log).unwrap();
    (shown, out.status.code().unwrap_or(-1))
}

#[test]
fn import_shows_a_bar_on_a_terminal_only() {
    let tmp = tempdir();
    let dir = tmp.path();
    std::fs::write(dir.join("in.journal"), hledger_journal(40_000)).unwrap();

    let (shown, code) = on_a_terminal(dir, &[], "import --hledger in.journal -o a.ledger");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("importing ["), "{shown}");
    assert!(shown.contains("MiB"), "{shown}");
    assert!(shown.contains("\x1b[36m"), "coloured by default: {shown}");

    let (shown, code) = on_a_terminal(
        dir,
        &[("NO_COLOR", "1")],
        "import --hledger in.journal -o b.ledger",
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("importing ["), "{shown}");
    assert!(
        !shown.contains("\x1b[36m"),
        "no colour with NO_COLOR: {shown}"
    );

    let (shown, code) = on_a_terminal(dir, &[], "-q import --hledger in.journal -o c.ledger");
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains("importing"), "-q draws nothing: {shown}");

    // Not a terminal: standard error stays empty.
    let out = assert_cmd::Command::cargo_bin("msgl")
        .unwrap()
        .current_dir(dir)
        .args(["import", "--hledger", "in.journal", "-o", "d.ledger"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The bar changes nothing in what is written.
    let a = std::fs::read(dir.join("a.ledger")).unwrap();
    for f in ["b.ledger", "c.ledger", "d.ledger"] {
        assert_eq!(std::fs::read(dir.join(f)).unwrap(), a, "{f}");
    }
}

#[test]
fn an_error_on_a_terminal_is_one_line_after_the_bar_is_cleared() {
    let tmp = tempdir();
    let dir = tmp.path();
    let mut text = hledger_journal(20_000);
    text += "2020-13-01 (20001) MESSAGE SENT\n    Assets:Cash:SNT  1\n    Equity:X  -1\n";
    std::fs::write(dir.join("bad.journal"), text).unwrap();
    let (shown, code) = on_a_terminal(dir, &[], "import --hledger bad.journal -o out.ledger");
    assert_eq!(code, 2, "{shown}");
    let last = shown
        .split(['\r', '\n'])
        .rfind(|l| l.contains("msgl: "))
        .unwrap();
    let err = &last[last.find("msgl: ").unwrap()..];
    assert_eq!(
        err,
        "msgl: bad.journal:80001:1: invalid date (a real calendar date, from 1970 on)"
    );
    assert!(!dir.join("out.ledger").exists());
}
