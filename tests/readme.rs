//! README.md runs as written (issue 14): every ```sh block, in order, as
//! one bash script with `set -euo pipefail`, on a fresh HOME (so `~/node1`
//! is a new home), from a fresh working directory holding the repository's
//! `ledgers/`, with the binary under test first on PATH; the ```crontab
//! block's commands run after it, each without its five schedule fields.
//!
//! Skipped, and only these: a line marked `# [not run by tests/readme.rs:
//! …]` in the README itself (cargo, the CI line, a live chain).

use std::path::Path;
use std::process::Command;

const SKIP: &str = "# [not run by tests/readme.rs";

/// The shell of README.md: its `sh` blocks, then its `crontab` block's
/// commands (schedule fields dropped), each skipped line left out.
fn script(readme: &str) -> (String, usize, usize) {
    let (mut sh, mut cron) = (String::new(), String::new());
    let mut fence: Option<&str> = None;
    let (mut ran, mut skipped) = (0, 0);
    let mut continued = false;
    for (n, line) in readme.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("```") {
            fence = match fence {
                None => Some(rest.trim()),
                Some(_) => None,
            };
            continue;
        }
        let out = match fence {
            Some("sh") => &mut sh,
            Some("crontab") => &mut cron,
            _ => continue,
        };
        if line.contains(SKIP) {
            assert!(
                !line.trim_end().ends_with('\\') && !continued,
                "README.md:{}: a skipped line must be a whole command",
                n + 1
            );
            skipped += 1;
            continue;
        }
        let line = if fence == Some("crontab") && !continued && !line.trim().is_empty() {
            // m h dom mon dow command
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert!(fields.len() > 5, "README.md:{}: a crontab line", n + 1);
            let mut rest = line;
            for _ in 0..5 {
                rest = rest.trim_start();
                rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
            }
            // cron's % is a newline unless escaped; the README escapes it.
            rest.trim_start().replace("\\%", "%")
        } else {
            line.to_string()
        };
        if !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            ran += 1;
        }
        if !continued {
            out.push_str(&format!("# README.md:{}\n", n + 1));
        }
        continued = line.trim_end().ends_with('\\');
        out.push_str(&line);
        out.push('\n');
    }
    assert!(fence.is_none(), "README.md: a block is not closed");
    (sh + &cron, ran, skipped)
}

#[test]
fn every_shell_line_of_the_readme_runs_as_written() {
    if Command::new("hledger").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("MSGL_SKIP_HLEDGER").is_some(),
            "hledger is not installed (the README pipes into it); set MSGL_SKIP_HLEDGER=1 to skip"
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let (body, ran, skipped) = script(&readme);
    assert!(ran >= 30, "only {ran} commands found in README.md");
    assert!(skipped <= 12, "{skipped} lines skipped");

    let out = crate::common::run_as_new_user(&format!("set -euo pipefail\n{body}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README's shell failed ({}); the last lines:\n{}\n--- stdout tail:\n{}",
        out.status,
        stderr
            .lines()
            .rev()
            .take(15)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n"),
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .rev()
            .take(10)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_extractor_takes_sh_and_crontab_blocks_and_skips_only_marked_lines() {
    let readme = "text\n```sh\nmsgl a\ncargo b  # [not run by tests/readme.rs: cargo]\n```\n\
                  ```\nnot shell\n```\n```crontab\n0 3 * * *  cd ~/x && d=$(date +\\%F) && msgl c\n```\n";
    let (body, ran, skipped) = script(readme);
    assert_eq!((ran, skipped), (2, 1));
    assert!(body.contains("msgl a\n"));
    assert!(!body.contains("cargo b"));
    assert!(!body.contains("not shell"));
    assert!(
        body.contains("\ncd ~/x && d=$(date +%F) && msgl c\n"),
        "{body}"
    );
}
