//! `msgl init`, bare and from a template (`--from`, as the demo does with
//! ledgers/demo/).

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{msgl, stdout, tempdir};
use predicates::str::contains;

fn template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ledgers/demo")
        .join(name)
}

#[test]
fn a_home_from_a_template_has_its_settings_and_opening_books() {
    let tmp = tempdir();
    let home = tmp.path().join("n1");
    msgl(&home)
        .args(["-q", "init", "--from"])
        .arg(template("node1"))
        .assert()
        .success();
    let config = std::fs::read_to_string(home.join("msgl.yaml")).unwrap();
    assert!(config.contains("name: Node1\n"), "{config}");
    assert!(config.contains("unit_price: '0.00001'\n"), "{config}");
    assert_eq!(
        std::fs::read_to_string(home.join("journal.ledger")).unwrap(),
        std::fs::read_to_string(template("node1").join("journal.ledger")).unwrap()
    );
    msgl(&home).arg("check").assert().success();
    let bal = stdout(msgl(&home).args(["balance", "--flat", "-O", "csv"]));
    assert!(bal.contains("Assets:Cash:SNT,SNT,1000,account\n"), "{bal}");
    assert!(
        bal.contains("Equity:OpeningBalances,SNT,1000,account\n"),
        "{bal}"
    );
    // The next entry follows the template's.
    let out = stdout(msgl(&home).args(["add", "deposit", "--amount", "1"]));
    assert!(out.contains("(2)"), "{out}");
    // A key of its own, private.
    let id = stdout(msgl(&home).arg("id"));
    assert_eq!(id.trim().len(), 64, "{id}");
}

#[test]
fn flags_beside_the_template_win() {
    let tmp = tempdir();
    let home = tmp.path().join("n");
    msgl(&home)
        .args([
            "-q",
            "init",
            "--name",
            "Relay7",
            "--unit-price",
            "0.002",
            "--from",
        ])
        .arg(template("node2"))
        .assert()
        .success();
    let config = std::fs::read_to_string(home.join("msgl.yaml")).unwrap();
    assert!(config.contains("name: Relay7\n"), "{config}");
    assert!(config.contains("unit_price: '0.002'\n"), "{config}");
    assert!(config.contains("token: SNT\n"), "{config}");
}

/// A refused init leaves no home behind.
fn refused(home: &Path, args: &[&str], from: Option<&Path>, code: i32, why: &str) {
    let mut c = msgl(home);
    c.args(args);
    if let Some(f) = from {
        c.arg("--from").arg(f);
    }
    c.assert().code(code).stderr(contains(why));
    assert!(!home.join("msgl.yaml").exists(), "{why}: a home was made");
    assert!(
        !home.join("journal.ledger").exists(),
        "{why}: a journal was made"
    );
}

#[test]
fn bad_templates_are_refused_and_nothing_is_made() {
    let tmp = tempdir();
    let home = tmp.path().join("home");
    // No msgl.yaml in the template.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    refused(
        &home,
        &["init"],
        Some(&empty),
        2,
        "no msgl.yaml in the template",
    );
    // An opening journal that does not balance: named at its line.
    let bad = tmp.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::copy(template("node1").join("msgl.yaml"), bad.join("msgl.yaml")).unwrap();
    std::fs::write(
        bad.join("journal.ledger"),
        "1767225600000 (1) OPENING BALANCE\n    Assets:Cash:SNT  10\n    Equity:OpeningBalances  9\n",
    )
    .unwrap();
    let why = format!("{}:1:", bad.join("journal.ledger").display());
    refused(&home, &["init"], Some(&bad), 1, &why);
    // A torn template journal (cut inside its header).
    std::fs::write(bad.join("journal.ledger"), "1767225600000 (1").unwrap();
    refused(&home, &["init"], Some(&bad), 2, "journal.ledger:1:");
    // A template msgl.yaml with an unknown field.
    std::fs::write(bad.join("journal.ledger"), "").unwrap();
    std::fs::write(
        bad.join("msgl.yaml"),
        "name: X\ntoken: SNT\ndecimals: 18\nunit_price: '1'\ncolour: red\n",
    )
    .unwrap();
    refused(&home, &["init"], Some(&bad), 2, "unknown field `colour`");
    // Neither --name nor --from.
    refused(&home, &["init"], None, 2, "--name");
    // A unit price finer than the template's decimals.
    refused(
        &home,
        &["init", "--unit-price", "0.1234567890123456789"],
        Some(&template("node1")),
        2,
        "bad unit price",
    );
}

#[test]
fn an_existing_home_is_not_overwritten_by_a_template() {
    let tmp = tempdir();
    let home = tmp.path().join("n1");
    msgl(&home)
        .args(["-q", "init", "--name", "Mine"])
        .assert()
        .success();
    let before = std::fs::read_to_string(home.join("msgl.yaml")).unwrap();
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME")
        .arg("--home")
        .arg(&home)
        .args(["init", "--from"])
        .arg(template("node1"))
        .assert()
        .code(2)
        .stderr(contains("already here"));
    assert_eq!(
        std::fs::read_to_string(home.join("msgl.yaml")).unwrap(),
        before
    );
}
