//! The journal commands as a user runs them, on real files.

use assert_cmd::Command;
use std::path::Path;

fn msgl() -> Command {
    Command::cargo_bin("msgl").unwrap()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = msgl().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const NODE1: &str = "ledgers/seed/node1.ledger";
const NODE2: &str = "ledgers/seed/node2.ledger";

#[test]
fn seed_journals_check_clean_and_strict_refuses_implied_form() {
    for (f, line) in [(NODE1, 2), (NODE2, 3)] {
        let (code, out, _) = run(&["-f", f, "check"]);
        assert_eq!(code, 0);
        assert!(out.contains("2 entries, ok"), "{out}");
        let (code, _, err) = run(&["-f", f, "check", "--strict"]);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains(&format!(":{line}:1: MESSAGE")) && err.contains("has one posting"),
            "{err}"
        );
    }
}

#[test]
fn print_infers_the_elided_cash_amount() {
    let (code, out, _) = run(&["-f", NODE2, "print"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "1592063779399 (1023) MESSAGE RECEIVED\n    Liabilities:AccountsPayable:Node1:hash1  0.00001\n\n\
         1592064779399 (1024) PAYMENT SENT\n    Liabilities:AccountsPayable:Node1:hash1  -0.00001\n    Assets:Cash:SNT  -0.00001\n"
    );
}

#[test]
fn balance_shows_the_tree_and_net() {
    let (code, out, _) = run(&["-f", NODE1, "balance"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "0.00001  Assets\n0.00001    Cash\n0.00001      SNT\n0.00001  Income\n0.00001    Messages\n0.00001      Node2\n-------\n0.00001  Net (Assets - Liabilities)\n"
    );
    let (_, out, _) = run(&["-f", NODE2, "bal", "-E"]);
    // The zero is aligned with the units digit of the other amounts.
    assert!(out.contains("\n 0        Liabilities\n"), "{out}");
    assert!(
        out.ends_with("-0.00001  Net (Assets - Liabilities)\n"),
        "{out}"
    );
    let (_, out, _) = run(&["-f", NODE1, "bal", "--depth", "1"]);
    assert_eq!(
        out,
        "0.00001  Assets\n0.00001  Income\n-------\n0.00001  Net (Assets - Liabilities)\n"
    );
    let (_, out, _) = run(&["-f", NODE1, "bal", "--flat", "-E"]);
    assert_eq!(
        out,
        "0        Assets:AccountsReceivable:Node2:hash1\n0.00001  Assets:Cash:SNT\n0.00001  Income:Messages:Node2\n-------\n0.00001  Net (Assets - Liabilities)\n"
    );
    let (_, out, _) = run(&["-f", NODE1, "bal", "cash", "-O", "csv"]);
    // The commodity filled in (the node's token), Net marked as the total.
    assert_eq!(out, "account,commodity,amount,kind\nAssets,SNT,0.00001,account\nAssets:Cash,SNT,0.00001,account\nAssets:Cash:SNT,SNT,0.00001,account\nNet (Assets - Liabilities),SNT,0.00001,total\n");
    let (_, out, _) = run(&["-f", NODE1, "bal", "-O", "json", "--flat"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["accounts"][0]["account"], "Assets:Cash:SNT");
    assert_eq!(v["accounts"][0]["amounts"][0]["quantity"], "0.00001");
    assert_eq!(v["net"][0]["quantity"], "0.00001");
}

#[test]
fn register_accounts_and_print_formats() {
    let (code, out, _) = run(&["-f", NODE1, "reg", "receivable"]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].contains("(1023) MESSAGE SENT") && lines[0].ends_with("0.00001  0.00001"),
        "{out}"
    );
    assert!(lines[1].ends_with("-0.00001  0"), "{out}");
    let (_, out, _) = run(&["-f", NODE1, "reg", "-O", "csv"]);
    assert_eq!(
        out.lines().next(),
        Some("timestamp,seq,description,account,commodity,amount,total")
    );
    assert_eq!(out.lines().count(), 5);
    let (_, out, _) = run(&["-f", NODE1, "accounts"]);
    assert_eq!(
        out,
        "Assets:AccountsReceivable:Node2:hash1\nAssets:Cash:SNT\nIncome:Messages:Node2\n"
    );
    let (_, out, _) = run(&["-f", NODE1, "accounts", "-O", "json"]);
    assert_eq!(serde_json::from_str::<Vec<String>>(&out).unwrap().len(), 3);
    let (_, out, _) = run(&["-f", NODE2, "print", "-O", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[1]["seq"], 1024);
    let (_, out, _) = run(&["-f", NODE2, "print", "--hledger"]);
    assert!(out.starts_with("2020-06-13 (1023) MESSAGE RECEIVED  ; ms: 1592063779399\n    Liabilities:AccountsPayable:Node1:hash1  -0.00001\n    Expenses:Messages:Node1  0.00001\n"), "{out}");
}

#[test]
fn journal_from_stdin() {
    let text = std::fs::read_to_string(NODE2).unwrap();
    let out = msgl()
        .args(["-f", "-", "bal", "--flat"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("-0.00001  Assets:Cash:SNT"));
}

#[test]
fn import_then_print_hledger_is_the_identity() {
    let dir = tempfile::tempdir().unwrap();
    for f in [NODE1, NODE2] {
        let (_, hl, _) = run(&["-f", f, "print", "--hledger"]);
        let hl_path = dir.path().join("in.journal");
        std::fs::write(&hl_path, &hl).unwrap();
        let (code, imported, err) = run(&["import", "--hledger", hl_path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let back = dir.path().join("back.ledger");
        std::fs::write(&back, &imported).unwrap();
        let (_, hl2, _) = run(&["-f", back.to_str().unwrap(), "print", "--hledger"]);
        assert_eq!(hl, hl2);
        // -o writes a new file and never overwrites one.
        let out = dir.path().join("new.ledger");
        let (code, _, _) = run(&[
            "import",
            "--hledger",
            hl_path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0);
        let (code, _, err) = run(&[
            "import",
            "--hledger",
            hl_path.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 2);
        assert!(err.contains("already exists"), "{err}");
        std::fs::remove_file(&out).unwrap();
    }
}

#[test]
fn import_refuses_unbalanced_hledger() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.journal");
    std::fs::write(
        &p,
        "2020-06-13 (1) X\n    Assets:Cash  5\n    Income:X  5\n",
    )
    .unwrap();
    let (code, out, err) = run(&["import", "--hledger", p.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(err.contains(":1:1: entry does not balance"), "{err}");
}

fn journal_in(dir: &Path) -> String {
    dir.join("j.ledger").to_str().unwrap().to_string()
}

#[test]
fn add_books_each_kind_with_the_next_sequence_number() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_in(dir.path());
    let hash = "ab".repeat(32);
    for (kind, extra) in [
        (
            "message-sent",
            vec!["--peer", "Node2", "--message", hash.as_str()],
        ),
        (
            "message-received",
            vec!["--peer", "Node2", "--message", hash.as_str()],
        ),
        (
            "payment-received",
            vec!["--peer", "Node2", "--message", hash.as_str()],
        ),
        ("payment-sent", vec!["--peer", "Node2"]),
        ("deposit", vec![]),
    ] {
        let mut args = vec![
            "-f",
            j.as_str(),
            "add",
            kind,
            "--amount",
            "0.00001",
            "--at",
            "1700000000000",
        ];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{kind}: {err}");
        assert!(out.starts_with("booked ("), "{out}");
    }
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("5 entries, ok"));
    let text = std::fs::read_to_string(&j).unwrap();
    assert!(text.starts_with("1700000000000 (1) MESSAGE SENT\n    Assets:AccountsReceivable:Node2:abababababababab  0.00001\n\n1700000000000 (2) MESSAGE RECEIVED\n"), "{text}");
    assert!(
        text.contains(
            "(5) DEPOSIT\n    Assets:Contract:Deposit  0.00001\n    Assets:Cash:SNT  -0.00001\n"
        ),
        "{text}"
    );
    // Timestamps never decrease: an earlier --at is refused, nothing written.
    let (code, _, err) = run(&["-f", &j, "add", "deposit", "--amount", "1", "--at", "1"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("earlier than the journal's last entry"),
        "{err}"
    );
    // Bad amounts and hashes are refused before anything is written.
    for bad in [
        vec!["deposit", "--amount", "-1"],
        vec!["deposit", "--amount", "0"],
        vec!["deposit", "--amount", "1e5"],
        vec![
            "message-sent",
            "--peer",
            "Node2",
            "--message",
            "xyz",
            "--amount",
            "1",
        ],
        vec!["message-sent", "--amount", "1", "--message", hash.as_str()],
    ] {
        let mut args = vec!["-f", j.as_str(), "add"];
        args.extend(bad.iter().copied());
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{bad:?}: {err}");
        assert!(
            err.starts_with("msgl: ") && err.trim_end().ends_with(')'),
            "{err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&j).unwrap(), text);
}

#[test]
fn add_completes_a_last_line_without_newline_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_in(dir.path());
    // Written by an editor that leaves no final newline (and a BOM): read
    // as it is, and `add` ends the line before its own entry.
    std::fs::write(
        &j,
        "\u{feff}1700000000000 (1) DEPOSIT\n    Assets:Contract:Deposit  1\n    Assets:Cash:SNT  -1",
    )
    .unwrap();
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(
        (code, out.as_str()),
        (0, format!("{j}: 1 entry, ok\n").as_str()),
        "{err}"
    );
    let (code, _, err) = run(&["-f", &j, "add", "deposit", "--amount", "1"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&j).unwrap();
    assert!(
        text.contains("    Assets:Cash:SNT  -1\n\n1700000000000 (2) DEPOSIT\n")
            || text.contains("    Assets:Cash:SNT  -1\n\n17"),
        "{text}"
    );
    assert!(text.contains("(2) DEPOSIT"), "{text}");
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 entries, ok"), "{out}");
    // A last line that does not read (half an amount) is refused by every
    // command, at its place, and `add` writes nothing after it.
    let broken =
        "1700000000000 (1) DEPOSIT\n    Assets:Contract:Deposit  1\n    Assets:Cash:SNT  -";
    std::fs::write(&j, broken).unwrap();
    let (code, _, err) = run(&["-f", &j, "add", "deposit", "--amount", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("last entry does not read"), "{err}");
    assert_eq!(std::fs::read_to_string(&j).unwrap(), broken);
    let (code, _, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 2);
    assert!(err.contains(":3:") && err.contains("bad amount"), "{err}");
}

#[test]
fn concurrent_adds_never_interleave_or_lose_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_in(dir.path());
    let bin = assert_cmd::cargo::cargo_bin("msgl");
    // 8 processes at a time, 500 adds each: 4000 entries.
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (bin, j) = (bin.clone(), j.clone());
            std::thread::spawn(move || {
                for i in 0..500 {
                    let st = std::process::Command::new(&bin)
                        .args([
                            "-q",
                            "-f",
                            &j,
                            "add",
                            "message-sent",
                            "--peer",
                            &format!("Node{w}"),
                            "--message",
                            &format!("{:032x}{:032x}", w, i),
                            "--amount",
                            "0.00001",
                        ])
                        .status()
                        .unwrap();
                    assert!(st.success());
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("4000 entries, ok"), "{out}");
    let text = std::fs::read_to_string(&j).unwrap();
    let seqs: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split(['(', ')']).nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(seqs, (1..=4000).collect::<Vec<u64>>());
}

#[test]
fn completions_and_help() {
    let (code, out, _) = run(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(out.contains("_msgl()"));
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("balance") && out.contains("register"));
}

#[test]
fn crlf_files_and_tags() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("crlf.ledger");
    std::fs::write(
        &j,
        "; a journal written on Windows\r\n1592063779399 (1) MESSAGE SENT  ; ack: acks/a-0000000001.yaml, note\r\n    Assets:AccountsReceivable:Node2:abababababababab  0.00001  ; msg: abab\r\n\r\n1592064779399 (2) PAYMENT RECEIVED\r\n\tAssets:AccountsReceivable:Node2:abababababababab\t-0.00001\r\n    Assets:Cash:SNT\r\n",
    )
    .unwrap();
    let f = j.to_str().unwrap();
    let (code, out, err) = run(&["-f", f, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("2 entries, ok"));
    let (_, out, _) = run(&["-f", f, "bal", "--flat"]);
    assert_eq!(out, "0.00001  Assets:Cash:SNT\n0.00001  Income:Messages:Node2\n-------\n0.00001  Net (Assets - Liabilities)\n");
    let (_, out, _) = run(&["-f", f, "print", "-O", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["tags"]["ack"], "acks/a-0000000001.yaml");
    assert_eq!(v[0]["postings"][0]["tags"]["msg"], "abab");
    assert_eq!(
        v[1]["postings"][1]["amount"]["quantity"], "0.00001",
        "inferred"
    );
    assert_eq!(v[1]["postings"][1]["inferred"], true);
}

#[test]
fn a_torn_append_is_ignored_by_readers_and_rolled_back_by_the_next_writer() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_in(dir.path());
    let (code, _, _) = run(&[
        "-f",
        &j,
        "add",
        "deposit",
        "--amount",
        "1",
        "--at",
        "1700000000000",
    ]);
    assert_eq!(code, 0);
    let good = std::fs::read(&j).unwrap();
    // What a SIGKILL between two pages of write(2) leaves: the intent
    // marker and half an entry.
    let torn = b"\n1700000000001 (2) DEPOSIT\n    Assets:Contract:Deposit  1\n    Assets:Ca";
    std::fs::write(
        format!("{j}.pending"),
        format!(
            "msgl-append {} {}\n",
            good.len(),
            good.len() + torn.len() + 20
        ),
    )
    .unwrap();
    let mut bytes = good.clone();
    bytes.extend_from_slice(torn);
    std::fs::write(&j, &bytes).unwrap();
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 entry, ok"), "{out}");
    let (code, _, err) = run(&["-f", &j, "add", "deposit", "--amount", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("rolled back an interrupted append"), "{err}");
    assert!(!std::path::Path::new(&format!("{j}.pending")).exists());
    let (code, out, _) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0);
    assert!(out.contains("2 entries, ok"), "{out}");
    assert!(std::fs::read_to_string(&j)
        .unwrap()
        .starts_with(std::str::from_utf8(&good).unwrap()));
}

/// What a SIGKILL after the journal's write and before the marker's removal
/// leaves: a whole entry behind a standing marker. Readers do not show it
/// yet; the next writer keeps it (it is booked) and removes the marker.
#[test]
fn a_whole_append_behind_its_marker_is_kept_by_the_next_writer() {
    let dir = tempfile::tempdir().unwrap();
    let j = journal_in(dir.path());
    let add = |amount: &str| run(&["-f", &j, "add", "deposit", "--amount", amount]);
    assert_eq!(add("1").0, 0);
    let one = std::fs::read(&j).unwrap().len();
    assert_eq!(add("2").0, 0);
    let two = std::fs::read(&j).unwrap().len();
    std::fs::write(format!("{j}.pending"), format!("msgl-append {one} {two}\n")).unwrap();
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 entry, ok"), "{out}");
    let (code, _, err) = add("3");
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("rolled back"), "{err}");
    assert!(!std::path::Path::new(&format!("{j}.pending")).exists());
    let (code, out, _) = run(&["-f", &j, "check"]);
    assert_eq!(code, 0);
    assert!(out.contains("3 entries, ok"), "{out}");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn every_report_warns_with_the_first_check_problem_and_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    // Sequence numbers going back (line 5), timestamps decreasing (line 9).
    let j = write(
        dir.path(),
        "back.ledger",
        "1592063779399 (1023) X\n    Assets:Cash  5\n    Income:X  5\n\n1592063779400 (1022) Y\n    Assets:Cash  1\n    Income:X  1\n\n1592063779000 (1030) Z\n    Assets:Cash  1\n    Income:X  1\n",
    );
    let (code, _, err) = run(&["-f", &j, "check"]);
    assert_eq!(code, 1, "{err}");
    let want =
        format!("msgl: warning: {j}:5:16: sequence number 1022 does not follow 1023 (line 1)");
    for report in [
        vec!["bal"],
        vec!["bal", "-O", "csv"],
        vec!["reg"],
        vec!["reg", "-O", "json"],
        vec!["print"],
        vec!["print", "--hledger"],
        vec!["accounts"],
    ] {
        let mut args = vec!["-f", j.as_str()];
        args.extend(&report);
        let (code, out, err) = run(&args);
        assert_eq!(code, 0, "{report:?}: {err}");
        assert!(!out.is_empty(), "{report:?}");
        assert_eq!(err.lines().count(), 1, "{report:?}: one warning: {err}");
        assert!(
            err.starts_with(&want) && err.contains("1 more problem"),
            "{report:?}: {err}"
        );
        args.push("--strict");
        let (code, _, err) = run(&args);
        assert_eq!(code, 1, "{report:?} --strict: {err}");
        assert!(
            err.starts_with(&format!("msgl: {j}:5:16: sequence number")),
            "{err}"
        );
    }
    // bal knows before printing: nothing on stdout with --strict.
    let (_, out, _) = run(&["-f", &j, "bal", "--strict"]);
    assert!(out.is_empty(), "{out}");
    // The implied form is a problem only with --strict.
    let (code, _, err) = run(&["-f", NODE1, "bal"]);
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, _, err) = run(&["-f", NODE1, "bal", "--strict"]);
    assert_eq!(code, 1);
    assert!(err.contains("MESSAGE SENT has one posting"), "{err}");
}

#[test]
fn exact_amounts_through_every_report() {
    let dir = tempfile::tempdir().unwrap();
    // One wei on a hundred billion; ten 28-digit amounts.
    let mut text = String::from(
        "1 (1) WEI\n    Assets:Cash:SNT  100000000000.000000000000000001\n    Equity:Opening\n",
    );
    for i in 0..10 {
        text += &format!(
            "\n{} ({}) BIG\n    Assets:Big  9999999999999999999999999999 EUR\n    Equity:Big\n",
            i + 2,
            i + 2
        );
    }
    let j = write(dir.path(), "exact.ledger", &text);
    let (code, out, err) = run(&["-f", &j, "check"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let (code, out, err) = run(&["-f", &j, "bal", "-O", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Assets:Cash:SNT,SNT,100000000000.000000000000000001,account\n"),
        "{out}"
    );
    assert!(
        out.contains("Assets:Big,EUR,99999999999999999999999999990,account\n"),
        "{out}"
    );
    let (_, out, _) = run(&["-f", &j, "bal", "--flat"]);
    assert!(
        out.contains(" 100000000000.000000000000000001      Assets:Cash:SNT\n"),
        "{out}"
    );
    let (_, out, _) = run(&["-f", &j, "reg", "cash"]);
    assert!(
        out.trim_end().ends_with("100000000000.000000000000000001"),
        "{out}"
    );
    let (_, out, _) = run(&["-f", &j, "print", "--hledger"]);
    assert!(
        out.contains("    Equity:Opening  -100000000000.000000000000000001\n"),
        "{out}"
    );
}

#[test]
fn bal_shows_every_parent_of_a_shown_account() {
    let dir = tempfile::tempdir().unwrap();
    // Node2's A/R cancels out across its two messages: the parent is 0,
    // its children are not.
    let j = write(
        dir.path(),
        "tree.ledger",
        "1 (1) X\n    Assets:AccountsReceivable:Node2:a  5\n    Income:Messages:Node2\n\n2 (2) Y\n    Assets:AccountsReceivable:Node2:b  -5\n    Assets:Cash:SNT  5\n    Income:Messages:Node2\n",
    );
    let (code, out, err) = run(&["-f", &j, "bal"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        " 5  Assets\n 0    AccountsReceivable\n 0      Node2\n 5        a\n-5        b\n 5    Cash\n 5      SNT\n 5  Income\n 5    Messages\n 5      Node2\n--\n 5  Net (Assets - Liabilities)\n"
    );
    // Depth 2 folds the cancelling children: nothing under Assets shows
    // but Cash.
    let (_, out, _) = run(&["-f", &j, "bal", "--depth", "2"]);
    assert_eq!(
        out,
        "5  Assets\n5    Cash\n5  Income\n5    Messages\n-\n5  Net (Assets - Liabilities)\n"
    );
    let (_, out, _) = run(&["-f", &j, "bal", "--depth", "2", "-E"]);
    assert!(out.contains("\n0    AccountsReceivable\n"), "{out}");
}

#[test]
fn reg_totals_as_hledger() {
    // No query: every posting, so a balanced journal ends at 0.
    let (_, out, _) = run(&["-f", NODE1, "reg", "-O", "csv"]);
    let last = out.lines().last().unwrap();
    assert!(last.ends_with(",0.00000") || last.ends_with(",0"), "{out}");
    let (_, out, _) = run(&["-f", NODE1, "reg"]);
    assert!(out.lines().all(|l| !l.ends_with("0.00002")), "{out}");
    assert!(out.trim_end().ends_with(" 0"), "{out}");
    // Income, credit-normal, is negative in hledger's signs.
    let (_, out, _) = run(&["-f", NODE1, "reg", "income"]);
    assert!(out.trim_end().ends_with("-0.00001  -0.00001"), "{out}");
}

#[test]
fn edge_inputs_bom_crlf_and_no_final_newline() {
    let dir = tempfile::tempdir().unwrap();
    let body = "1592063779399 (1) MESSAGE SENT\r\n    Assets:AccountsReceivable:Node2:abababababababab  0.00001\r\n\r\n1592064779399 (2) PAYMENT RECEIVED\r\n    Assets:AccountsReceivable:Node2:abababababababab  -0.00001\r\n    Assets:Cash:SNT";
    let plain = write(
        dir.path(),
        "plain.ledger",
        &body.replace('\r', "").replace("SNT", "SNT\n"),
    );
    let want = run(&["-f", &plain, "bal", "--flat"]).1;
    for (i, text) in [
        format!("\u{feff}{body}\r\n"),
        body.to_string(),
        format!("\u{feff}{body}"),
        body.replace("\r\n", "\n"),
    ]
    .iter()
    .enumerate()
    {
        let j = write(dir.path(), &format!("edge{i}.ledger"), text);
        let (code, out, err) = run(&["-f", &j, "check"]);
        assert_eq!(code, 0, "{i}: {err}");
        assert!(out.contains("2 entries, ok"), "{i}: {out}");
        let (code, out, err) = run(&["-f", &j, "bal", "--flat"]);
        assert_eq!((code, err.as_str()), (0, ""), "{i}");
        assert_eq!(out, want, "{i}");
        let (_, out, _) = run(&["-f", &j, "print"]);
        assert_eq!(out, run(&["-f", &plain, "print"]).1, "{i}");
        // import --hledger reads the same edges in hledger's format.
        let hl = run(&["-f", &j, "print", "--hledger"]).1;
        let h = write(
            dir.path(),
            &format!("edge{i}.journal"),
            &format!("\u{feff}{}", hl.trim_end()),
        );
        let (code, back, err) = run(&["import", "--hledger", &h]);
        assert_eq!(code, 0, "{i}: {err}");
        let b = write(dir.path(), &format!("back{i}.ledger"), &back);
        assert_eq!(run(&["-f", &b, "bal", "--flat"]).1, want, "{i}");
    }
}

#[test]
fn check_reports_as_json_and_bare_msgl_prints_the_help() {
    let (code, out, _) = run(&["-f", NODE1, "check", "-O", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["entries"].as_u64(), v["ok"].as_bool()),
        (Some(2), Some(true))
    );
    let (code, out, err) = run(&["-f", NODE1, "check", "--strict", "-O", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["problems"][0]["line"], 2);
    assert!(v["problems"][0]["what"]
        .as_str()
        .unwrap()
        .contains("has one posting"));
    let (code, out, err) = run(&[]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(
        out.contains("Usage: msgl") && out.contains("balance"),
        "{out}"
    );
}
