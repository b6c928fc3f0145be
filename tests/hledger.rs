//! The round trip against the real hledger (installed by .ci/run with
//! apt): `msgl print --hledger` passes `hledger check`, and `hledger bal`
//! agrees with `msgl balance` on every account, to the last digit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use msgl::journal::Decimal;

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

/// msgl's `account,commodity,amount` CSV in hledger's signs.
fn parse_msgl_csv(csv: &str) -> BTreeMap<String, Decimal> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.starts_with("Net ("))
        .map(|l| {
            let mut f = l.split(',');
            let (a, _c, q) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let sign = msgl::journal::AccountType::of(a).unwrap().sign();
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
fn generated_100k_journal_agrees_with_hledger() {
    if !hledger_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (m, h) = (
        dir.path().join("100k.ledger"),
        dir.path().join("100k.journal"),
    );
    let mut mw = std::io::BufWriter::new(std::fs::File::create(&m).unwrap());
    let mut hw = std::io::BufWriter::new(std::fs::File::create(&h).unwrap());
    msgl::testdata::generate(100_000, 200, 7, &mut mw, &mut hw).unwrap();
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
