//! Malformed journals: each gets one clear message at the right place
//! (`msgl: FILE:LINE:COL: what (hint)`) and the right exit status, and
//! never a panic.

use assert_cmd::Command;

/// (journal, command, message fragment, line, column, exit status)
const CASES: &[(&str, &str, &str, usize, usize, i32)] = &[
    ("1592063779399 (1023) MESSAGE SENT\n    Assets:Cash 5\n", "check", "amount separated from the account by a single space", 2, 17, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5 SNT\n    Income:X  4 SNT\n", "check", "entry does not balance: debits exceed credits by 1 SNT", 1, 1, 1),
    ("1592063779399 (1) X\n    Assets:Cash  5\n    Income:X  5\n\n1592063779390 (2) X\n    Assets:Cash  5\n    Income:X  5\n", "check", "timestamp 1592063779390 is earlier than 1592063779399 (line 1)", 5, 1, 1),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5\n\n1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5\n", "check", "sequence number 1023 does not follow 1023 (line 1)", 5, 16, 1),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5\n\n1592063779400 (1022) Y\n    Assets:Cash  5\n    Income:X  5\n", "check", "sequence number 1022 does not follow 1023", 5, 16, 1),
    ("1592063779399 1023 MESSAGE SENT\n", "check", "expected `(<seq>)` after the timestamp", 1, 15, 2),
    ("1592063779399 (10a3) MESSAGE SENT\n", "check", "expected `)` after the sequence number", 1, 18, 2),
    ("15920637.79399 (1023) MESSAGE SENT\n", "check", "bad timestamp", 1, 9, 2),
    ("1592063779399 ()\n", "check", "expected a sequence number", 1, 16, 2),
    ("1592063779399 (1023)X\n", "check", "expected a space before the description", 1, 21, 2),
    ("2020-06-13 (1023) MESSAGE SENT\n", "check", "a date where a unix timestamp belongs", 1, 1, 2),
    ("99999999999999999999999 (1023) X\n", "check", "timestamp out of range", 1, 1, 2),
    ("1592063779399 (99999999999999999999999) X\n", "check", "sequence number out of range", 1, 16, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5.\n", "bal", "unexpected text after the amount", 2, 19, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  --5\n", "bal", "bad amount", 2, 19, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5 $\n", "print", "bad commodity", 2, 20, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5 SNT extra\n    Income:X  5\n", "check", "unexpected text after the amount", 2, 24, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  1234567890123456789012345678901234567890\n    Income:X  5\n", "check", "amount out of range: 40 digits before the decimal point (at most 39)", 2, 18, 2),
    ("1592063779399 (1023) X\n    Assets:Cash\n    Income:X\n", "check", "a second posting without an amount (line 2 has none either)", 3, 5, 2),
    ("1592063779399 (1023) X\n    Foo:Cash  5\n    Income:X  5\n", "check", "unknown account type `Foo`", 2, 5, 2),
    ("    Assets:Cash  5\n", "check", "posting outside an entry", 1, 5, 2),
    ("1592063779399 (1023) X\n\n    Assets:Cash  5\n", "reg", "posting outside an entry", 3, 5, 2),
    ("1592063779399 (1023) X\n    Assets::Cash  5\n    Income:X  5\n", "check", "empty account name segment", 2, 11, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5", "check", "the last line is incomplete", 3, 16, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5", "bal", "the last line is incomplete", 3, 16, 2),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  6\n", "check", "credits exceed debits by 1", 1, 1, 1),
    ("1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  6\n", "bal", "credits exceed debits by 1", 1, 1, 1),
    ("1592063779399 (1023) MESSAGE SENT\n    Liabilities:AccountsPayable:Node2:h  5\n", "check", "entry does not balance", 1, 1, 1),
    ("1592063779399 (1023) MESSAGE SENT\n    Assets:AccountsReceivable:Node2:h  5\n", "check --strict", "MESSAGE SENT has one posting", 1, 1, 1),
    ("1592063779399 (1023) X\n    Assets:Cash  5 SNT\n    Assets:Bank  -5 EUR\n    Income:X\n", "check", "cannot infer the missing amount: 2 commodities are unbalanced", 4, 1, 1),
    (" 1592063779399 (1023) X\n", "check", "posting outside an entry", 1, 2, 2),
    ("1592063779399 (1023) X\n    Assets:Ca\x01sh  5\n    Income:X  5\n", "check", "control character U+0001 in the account name", 2, 14, 2),
    ("1592063779399 (1023) X\x02\n", "check", "control character U+0002 in the description", 1, 23, 2),
    ("hello\n", "check", "unexpected text at the start of a line", 1, 1, 2),
    ("1592063779399 (1023) X\n    Assets:Caf\u{e9} 5\n", "check", "amount separated from the account by a single space", 2, 17, 2),
    ("1592063779399 (1) X\n    Assets:Cash  5\n    Income:X  5\n\n1592063779399 (2) X\n    Assets:Cash  \u{ff11}\n", "check", "bad amount", 6, 18, 2),
];

#[test]
fn malformed_journals_are_refused_with_position_and_hint() {
    assert!(CASES.len() >= 25);
    let dir = tempfile::tempdir().unwrap();
    for (i, (text, cmd, what, line, col, code)) in CASES.iter().enumerate() {
        let path = dir.path().join(format!("case{i}.ledger"));
        std::fs::write(&path, text).unwrap();
        let mut c = Command::cargo_bin("msgl").unwrap();
        c.arg("-f").arg(&path).args(cmd.split(' '));
        let out = c.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let want = format!("msgl: {}:{line}:{col}: ", path.display());
        let first = stderr.lines().find(|l| l.contains(what)).unwrap_or("");
        assert!(
            first.starts_with(&want) && first.ends_with(')'),
            "case {i} ({text:?}): want `{want}...{what}... (hint)`, got:\n{stderr}"
        );
        assert_eq!(
            out.status.code(),
            Some(*code),
            "case {i}: exit status; stderr:\n{stderr}"
        );
        assert!(
            out.stdout.is_empty() || *cmd == "check",
            "case {i}: nothing on stdout"
        );
        assert!(!stderr.contains("panicked"), "case {i} panicked");
    }
}

#[test]
fn a_missing_journal_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("msgl")
        .unwrap()
        .arg("-f")
        .arg(dir.path().join("nope.ledger"))
        .arg("bal")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("msgl: ") && err.contains("nope.ledger") && err.contains("(check the path"),
        "{err}"
    );
}

#[test]
fn bad_usage_exits_2() {
    let out = Command::cargo_bin("msgl")
        .unwrap()
        .args(["balance", "--depth", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::cargo_bin("msgl")
        .unwrap()
        .arg("frobnicate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
