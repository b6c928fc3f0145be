//! Usage errors are msgl errors like any other (DESIGN §10.1): one line on
//! standard error, `msgl: what (hint)`, exit 2; help and version go to
//! standard output with exit 0.

use assert_cmd::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("msgl")
        .unwrap()
        .env_remove("MSGL_HOME")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn usage_errors_are_one_line_with_a_hint() {
    for (args, what, hint) in [
        (
            &["blah"][..],
            "unrecognized subcommand 'blah'",
            "see `msgl --help`",
        ),
        (
            &["balance", "--depth", "x"][..],
            "invalid value 'x' for '--depth <N>'",
            "see `msgl balance --help`",
        ),
        (
            &["bal", "--bogus"][..],
            "unexpected argument '--bogus' found",
            "see `msgl balance --help`",
        ),
        (
            &["reconcile", "--accept", "f"][..],
            "the following required arguments were not provided: --with <PEER>",
            "see `msgl reconcile --help`",
        ),
        (
            &["ack", "--to", "x", "--resend", "--price", "3"][..],
            "the argument '--resend' cannot be used with '--price <UNITS>'",
            "see `msgl ack --help`",
        ),
        (&["init"][..], "--name <NAME>", "see `msgl init --help`"),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.starts_with("msgl: "), "{args:?}: {err}");
        assert!(err.contains(what), "{args:?}: {err}");
        assert!(
            err.trim_end().ends_with(&format!("{hint})")),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn help_and_version_go_to_stdout_with_status_0() {
    for args in [
        &["--help"][..],
        &["ack", "--help"][..],
        &["--version"][..],
        &["help", "prove"][..],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(!out.is_empty() && err.is_empty(), "{args:?}");
    }
}
