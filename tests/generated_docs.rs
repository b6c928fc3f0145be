//! man/ and completions/ are generated from the clap definitions; this
//! fails when they are stale. Regenerate with `MSGL_BLESS=1 cargo test
//! --test integration generated_docs::`. And every example of the man
//! pages runs as written.

use std::path::Path;

use msgl::cli::docs::{examples, EXAMPLE_ORDER};

fn check(dir: &str, files: Vec<(String, Vec<u8>)>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let bless = std::env::var_os("MSGL_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
    }
    let mut stale = Vec::new();
    for (name, want) in &files {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, want).unwrap();
        } else if std::fs::read(&path).ok().as_ref() != Some(want) {
            stale.push(path.display().to_string());
        }
    }
    let on_disk = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && on_disk == files.len(),
        "stale or missing: {stale:?} ({on_disk} files on disk, {} generated); run `MSGL_BLESS=1 cargo test --test integration generated_docs::`",
        files.len()
    );
}

#[test]
fn man_pages_are_fresh() {
    check("man", msgl::cli::docs::man_pages());
}

#[test]
fn completions_are_fresh() {
    check("completions", msgl::cli::docs::completions());
}

#[test]
fn every_subcommand_page_has_the_global_flags_the_exit_status_and_examples() {
    let mut root = msgl::cli::command();
    root.build();
    let pages = msgl::cli::docs::man_pages();
    for sub in root.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("msgl-{}.1", sub.get_name());
        let (_, page) = pages.iter().find(|(n, _)| *n == name).unwrap();
        let page = String::from_utf8(page.clone()).unwrap();
        let globals: Vec<_> = sub.get_arguments().filter(|a| a.is_global_set()).collect();
        // --home and -q everywhere; -f wherever the subcommand takes it.
        assert!(globals.len() >= 2, "{name}: {} global flags", globals.len());
        for arg in globals {
            let long = format!(r"\fB\-\-{}\fR", arg.get_long().unwrap().replace('-', r"\-"));
            assert!(page.contains(&long), "{name} lacks {long}");
        }
        assert!(
            page.contains(".SH \"EXIT STATUS\""),
            "{name} lacks EXIT STATUS"
        );
        assert!(page.contains(".SH EXAMPLES"), "{name} lacks EXAMPLES");
    }
}

/// Needs what no test here has.
const NOT_RUN: &[(&str, &str)] = &[
    ("settled", "a mined transaction's receipt (a live chain)"),
    (
        "chain",
        "a live chain (tests/chain.rs runs these against anvil)",
    ),
];

/// Every man page's examples, in `EXAMPLE_ORDER`, as one bash script with
/// `set -euo pipefail`, on a fresh HOME, from a working directory holding
/// the repository's `ledgers/`, with the binary under test first on PATH.
#[test]
fn every_man_page_example_runs_as_written() {
    let mut script = String::from("set -euo pipefail\n");
    let mut ran = 0;
    for name in msgl::cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
    {
        if !examples(&name).is_empty() {
            assert!(
                EXAMPLE_ORDER.contains(&name.as_str()),
                "{name}'s examples are not in EXAMPLE_ORDER"
            );
        }
    }
    for name in EXAMPLE_ORDER {
        let list = examples(name);
        assert!(!list.is_empty(), "{name} has no examples");
        if NOT_RUN.iter().any(|(n, _)| n == name) {
            continue;
        }
        for (what, cmd) in list {
            assert!(!what.is_empty());
            let note = format!("# msgl-{name}.1: {cmd}").replace('\'', r"'\''");
            script.push_str(&format!("echo '{note}' >&2\n{cmd}\n"));
            ran += 1;
        }
    }
    assert!(ran >= 25, "only {ran} examples");

    let out = crate::common::run_as_new_user(&script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
    assert!(
        out.status.success(),
        "an example failed ({}); the last lines:\n{}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}
