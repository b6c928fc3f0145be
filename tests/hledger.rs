//! The round trip against the real hledger (installed by .ci/run with
//! apt): `msgl print --hledger` passes `hledger check`, and `hledger bal`
//! agrees with `msgl balance` on every account, to the last digit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use msgl_ledger::journal::Decimal;

fn hledger_available() -> bool {
    match Command::new("hledger").arg("--version").output() {
        Ok(o) if o.status.success() => true,
        _ => {
            assert!(
                std::env::var_os("MSGL_SKIP_HLEDGER").is_some(),
                "hledger is not installed: `apt-get install hledger` (or set MSGL_SKIP_HLEDGER=1 to skip the cross-check)"
            );
            false
        }
    }
}

fn msgl(args: &[&str]) -> String {
    let out = Command::new(assert_cmd::cargo::cargo_bin("msgl"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "msgl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn hledger(journal: &str, args: &[&str]) -> String {
    let mut child = Command::new("hledger")
        .args(["-f", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let text = journal.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "hledger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// hledger's `"account","balance"` CSV as account -> amount.
fn parse_hledger_csv(csv: &str) -> BTreeMap<String, Decimal> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let (a, b) = l.split_once("\",\"").unwrap();
            (
                a.trim_matches('"').to_string(),
                b.trim_matches('"').parse().unwrap(),
            )
        })
        .collect()
}

/// msgl's `account,commodity,amount,kind` CSV in hledger's signs (the
/// `total` row, Net, left out).
fn parse_msgl_csv(csv: &str) -> BTreeMap<String, Decimal> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.ends_with(",total"))
        .map(|l| {
            let mut f = l.split(',');
            let (a, _c, q) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let sign = msgl_ledger::journal::AccountType::of(a).unwrap().sign();
            (a.to_string(), q.parse::<Decimal>().unwrap() * sign)
        })
        .collect()
}

fn cross_check(msgl_journal: &Path, independent_hledger: Option<&Path>) {
    let f = msgl_journal.to_str().unwrap();
    let hl = msgl(&["-f", f, "print", "--hledger"]);
    hledger(&hl, &["check"]);
    let theirs = parse_hledger_csv(&hledger(&hl, &["bal", "--flat", "-E", "-N", "-O", "csv"]));
    let ours = parse_msgl_csv(&msgl(&["-f", f, "bal", "--flat", "-E", "-O", "csv"]));
    assert!(!ours.is_empty());
    assert_eq!(ours.len(), theirs.len(), "the same accounts");
    for (account, q) in &ours {
        assert_eq!(theirs.get(account), Some(q), "{account}");
    }
    // The tree: every shown account and each parent of one, with its
    // subtree's sum, as `hledger bal --tree --no-elide` (with and without
    // -E, with and without a query).
    for extra in [
        &[][..],
        &["-E"][..],
        &["receivable"][..],
        &["-E", "cash"][..],
    ] {
        let mut h = vec!["bal", "--tree", "--no-elide", "-N", "-O", "csv"];
        h.extend(extra);
        let theirs = parse_hledger_csv(&hledger(&hl, &h));
        let mut m = vec!["-f", f, "bal", "-O", "csv"];
        m.extend(extra);
        let ours = parse_msgl_csv(&msgl(&m));
        assert_eq!(ours, theirs, "bal tree {extra:?}");
    }
    if let Some(h) = independent_hledger {
        // The generator's own hledger file, written without msgl's printer.
        let text = std::fs::read_to_string(h).unwrap();
        let independent =
            parse_hledger_csv(&hledger(&text, &["bal", "--flat", "-E", "-N", "-O", "csv"]));
        assert_eq!(independent, theirs);
    }
}

#[test]
fn seed_journals_agree_with_hledger() {
    if !hledger_available() {
        return;
    }
    cross_check(Path::new("ledgers/seed/node1.ledger"), None);
    cross_check(Path::new("ledgers/seed/node2.ledger"), None);
}

#[test]
fn a_generated_journal_of_20k_transactions_agrees_with_hledger() {
    if !hledger_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, h) = (
        dir.path().join("20k.ledger"),
        dir.path().join("20k.journal"),
    );
    let mut mw = std::io::BufWriter::new(std::fs::File::create(&m).unwrap());
    let mut hw = std::io::BufWriter::new(std::fs::File::create(&h).unwrap());
    // 20k in every run; MSGL_HLEDGER_TXNS=100000 (or 1000000) by hand.
    let n = std::env::var("MSGL_HLEDGER_TXNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    crate::common::testdata::generate(n, 200, 7, &mut mw, &mut hw).unwrap();
    drop((mw, hw));
    cross_check(&m, Some(&h));
    // import --hledger of the generator's own file gives the same books.
    let imported = msgl(&["import", "--hledger", h.to_str().unwrap()]);
    let back = dir.path().join("back.ledger");
    std::fs::write(&back, imported).unwrap();
    assert_eq!(
        msgl(&[
            "-f",
            back.to_str().unwrap(),
            "bal",
            "--flat",
            "-E",
            "-O",
            "csv"
        ]),
        msgl(&[
            "-f",
            m.to_str().unwrap(),
            "bal",
            "--flat",
            "-E",
            "-O",
            "csv"
        ])
    );
}

/// `reg -O csv` lines as (account, amount, total), from hledger's
/// (`"txnidx","date","code","description","account","amount","total"`) or
/// msgl's (`timestamp,seq,description,account,commodity,amount,total`; no
/// field holds a comma in these journals).
fn reg_lines(csv: &str, hledger: bool) -> Vec<(String, Decimal, Decimal)> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = if hledger {
                l.trim_matches('"').split("\",\"").collect()
            } else {
                l.split(',').collect()
            };
            let n = f.len();
            (
                f[4 - usize::from(!hledger)].to_string(),
                f[n - 2].parse().unwrap(),
                f[n - 1].parse().unwrap(),
            )
        })
        .collect()
}

/// `msgl reg` agrees with `hledger reg` line by line: the same postings,
/// amounts and running totals (hledger's signs; 0 at the end of a balanced
/// journal without a query).
fn reg_cross_check(msgl_journal: &Path) {
    let f = msgl_journal.to_str().unwrap();
    let hl = msgl(&["-f", f, "print", "--hledger"]);
    for query in [&[][..], &["receivable"][..], &["income"][..], &["cash"][..]] {
        let mut h = vec!["reg", "-O", "csv"];
        h.extend(query);
        let theirs = reg_lines(&hledger(&hl, &h), true);
        let mut m = vec!["-f", f, "reg", "-O", "csv"];
        m.extend(query);
        let ours = reg_lines(&msgl(&m), false);
        assert_eq!(ours, theirs, "reg {query:?}");
        if query.is_empty() {
            assert!(!ours.is_empty());
            assert!(
                ours.last().unwrap().2.is_zero(),
                "a balanced journal ends at 0"
            );
        }
    }
}

#[test]
fn reg_agrees_with_hledger() {
    if !hledger_available() {
        return;
    }
    reg_cross_check(Path::new("ledgers/seed/node1.ledger"));
    reg_cross_check(Path::new("ledgers/seed/node2.ledger"));
    let dir = tempfile::tempdir().unwrap();
    let (m, h) = (dir.path().join("5k.ledger"), dir.path().join("5k.journal"));
    let mut mw = std::io::BufWriter::new(std::fs::File::create(&m).unwrap());
    let mut hw = std::io::BufWriter::new(std::fs::File::create(&h).unwrap());
    crate::common::testdata::generate(5_000, 50, 11, &mut mw, &mut hw).unwrap();
    drop((mw, hw));
    reg_cross_check(&m);
}

/// Amounts at the edges of the exact limits, and the edge inputs (BOM,
/// CRLF, no final newline), agree with hledger to the last digit.
#[test]
fn exact_amounts_and_edge_inputs_agree_with_hledger() {
    if !hledger_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "\u{feff}1592063779399 (1) WEI\r\n    Assets:Cash:SNT  100000000000.000000000000000001\r\n    Equity:Opening\r\n",
    );
    for i in 0..10u64 {
        text += &format!(
            "\n{} ({}) BIG\n    Assets:Big:B{i}  9999999999999999999999999999.999999999999999999\n    Liabilities:Loan\n",
            1592063779400u64 + i,
            i + 2
        );
    }
    text +=
        "\n1592063779500 (20) TINY\n    Expenses:Fees  0.000000000000000001\n    Assets:Cash:SNT";
    let j = dir.path().join("edge.ledger");
    std::fs::write(&j, &text).unwrap();
    cross_check(&j, None);
    reg_cross_check(&j);
}
