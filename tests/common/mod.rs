//! Shared set-up for the integration tests: node homes made with the real
//! binary.
#![allow(dead_code)]

pub mod evm;
pub mod testdata;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// A temporary directory, on tmpfs when there is one (the commands fsync
/// every write; on tmpfs that is free).
pub fn tempdir() -> TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(t) = tempfile::Builder::new().prefix("msgl-test").tempdir_in(shm) {
            return t;
        }
    }
    tempfile::tempdir().unwrap()
}

/// `msgl --home HOME`.
pub fn msgl(home: &Path) -> Command {
    let mut c = Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME").arg("--home").arg(home);
    c
}

pub fn stdout(c: &mut Command) -> String {
    let out = c.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// The message hash of message `i`.
pub fn hash(i: u64) -> String {
    format!("{i:064x}")
}

/// Node1 (payee) and Node2 (payer), peers of each other, with a channel
/// Node2 → Node1 of `units`, opened and accepted.
pub struct Pair {
    pub _dir: TempDir,
    pub dir: PathBuf,
    pub payee: PathBuf,
    pub payer: PathBuf,
    /// The payer's signed open.
    pub open: PathBuf,
}

pub fn init(dir: &Path, name: &str) -> PathBuf {
    let home = dir.join(name.to_lowercase());
    msgl(&home)
        .args(["init", "--name", name])
        .assert()
        .success();
    home
}

pub fn id(home: &Path) -> String {
    stdout(msgl(home).arg("id")).trim().to_string()
}

pub fn pair(units: u64) -> Pair {
    pair_with_policy(units, "credit:100")
}

/// As [`pair`], with the payee's credit policy toward the payer.
pub fn pair_with_policy(units: u64, payee_policy: &str) -> Pair {
    pair_in(tempdir(), units, payee_policy)
}

/// As [`pair_with_policy`], in the given directory (e.g. one on disk).
pub fn pair_in(dir: TempDir, units: u64, payee_policy: &str) -> Pair {
    pair_configured(dir, units, payee_policy, str::to_string)
}

/// As [`pair_in`], with each home's msgl.yaml rewritten by `settings`
/// before the peers meet (e.g. another token).
pub fn pair_configured(
    dir: TempDir,
    units: u64,
    payee_policy: &str,
    settings: impl Fn(&str) -> String,
) -> Pair {
    let d = dir.path().to_path_buf();
    let payee = init(&d, "Node1");
    let payer = init(&d, "Node2");
    for h in [&payee, &payer] {
        let cfg = h.join("msgl.yaml");
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(&cfg, settings(&text)).unwrap();
    }
    msgl(&payee)
        .args([
            "peer",
            "add",
            "Node2",
            &id(&payer),
            "--policy",
            payee_policy,
        ])
        .assert()
        .success();
    msgl(&payer)
        .args(["peer", "add", "Node1", &id(&payee)])
        .assert()
        .success();
    let open = d.join("open.yaml");
    msgl(&payer)
        .args(["open", "--to", "node1", "--units", &units.to_string(), "-o"])
        .arg(&open)
        .assert()
        .success();
    msgl(&payee)
        .arg("accept-open")
        .arg(&open)
        .assert()
        .success();
    Pair {
        _dir: dir,
        dir: d,
        payee,
        payer,
        open,
    }
}

impl Pair {
    /// The payer acks message `i` at `price` units into a file, and the
    /// payee accepts it; returns the file.
    pub fn exchange(&self, i: u64, price: u64) -> PathBuf {
        let f = self.dir.join(format!("ack-{i}.yaml"));
        msgl(&self.payer)
            .args([
                "-q",
                "ack",
                "--to",
                "Node1",
                "-m",
                &hash(i),
                "--price",
                &price.to_string(),
                "-o",
            ])
            .arg(&f)
            .assert()
            .success();
        msgl(&self.payee)
            .args(["-q", "accept"])
            .arg(&f)
            .assert()
            .success();
        f
    }
}

/// The statement of a proof directory, read as `msgl verify-proof` reads it.
pub fn statement(dir: &Path) -> msgl_circuits::Statement {
    msgl_node::proof::read(dir).unwrap().0
}

/// xorshift64*: pseudo-random numbers that are the same on every run (the
/// crash tests' kill delays).
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// A copy of the home `from` at `to` (`cp -a`, modes kept), replacing
/// what was there: the crash tests' fresh start for every attempt.
pub fn copy_home(from: &Path, to: &Path) {
    if to.exists() {
        std::fs::remove_dir_all(to).unwrap();
    }
    let ok = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap()
        .success();
    assert!(ok, "cp -a {} {}", from.display(), to.display());
}

/// An entry's postings: (account, amount), in order.
pub fn postings_of(
    e: &msgl_ledger::journal::Entry,
) -> Vec<(String, Option<msgl_ledger::journal::Decimal>)> {
    e.postings
        .iter()
        .map(|p| (p.account.clone(), p.amount.as_ref().map(|a| a.quantity)))
        .collect()
}

/// The same entry as `reference` but for its sequence number and time: the
/// same comment (tags) and postings.
pub fn same_entry(
    e: &msgl_ledger::journal::Entry,
    reference: &msgl_ledger::journal::Entry,
) -> bool {
    e.comment == reference.comment && postings_of(e) == postings_of(reference)
}

/// The entries called `description` of a home's journal, once `msgl check`
/// passes on it and its sequence numbers run without a gap (what a crash
/// test asks of every journal a kill leaves); `ctx` names the attempt.
pub fn checked_entries(
    home: &Path,
    description: &str,
    ctx: &str,
) -> Vec<msgl_ledger::journal::Entry> {
    let c = run_killed(home, &[std::ffi::OsStr::new("check")], None);
    assert_eq!(c.code, Some(0), "{ctx}: msgl check fails: {}", c.stderr);
    let j = msgl_ledger::journal::parse_file(&msgl_ledger::journal::Source::File(
        home.join("journal.ledger"),
    ))
    .unwrap_or_else(|e| panic!("{ctx}: the journal does not parse: {e}"));
    for (k, e) in j.entries.iter().enumerate() {
        assert_eq!(e.seq, k as u64 + 1, "{ctx}: sequence numbers have a gap");
    }
    j.entries
        .into_iter()
        .filter(|e| e.description == description)
        .collect()
}

/// Whether a kill left a commit that is whole but not yet announced: the
/// intent marker still stands, yet the journal has its new length. Readers
/// do not show its entries until the next writer removes the marker and
/// keeps them (DESIGN §7.2), so a rerun finds them booked.
pub fn committed_unseen(home: &Path) -> bool {
    let journal = home.join("journal.ledger");
    let len = std::fs::metadata(&journal).map(|m| m.len()).unwrap_or(0);
    msgl_ledger::journal::append::pending(&journal).is_some_and(|(_, new)| new == len)
}

/// Whether the intent marker says a commit is under way or was
/// interrupted (a killed stream may also leave it idle: no commit).
pub fn commit_under_way(home: &Path) -> bool {
    msgl_ledger::journal::append::pending(&home.join("journal.ledger")).is_some()
}

/// How a run that may have been killed ended.
pub struct Run {
    /// Killed by SIGKILL before it finished.
    pub killed: bool,
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: std::time::Duration,
}

/// Spawns `msgl --home HOME ARGS...` and sends it SIGKILL after `delay`
/// (`None`: lets it finish). Standard output and error are files, so a
/// killed child never blocks on a pipe and what it printed before the kill
/// is kept.
pub fn run_killed(
    home: &Path,
    args: &[&std::ffi::OsStr],
    delay: Option<std::time::Duration>,
) -> Run {
    run_until(home, args, delay.map(|d| move || std::thread::sleep(d)))
}

/// Spawns `msgl --home HOME ARGS...` and sends it SIGKILL when `wait`
/// returns (`None`: lets it finish); as [`run_killed`], whose kills come
/// after a delay, for kills that wait for a moment of the run (a file
/// appearing).
pub fn run_until<W: FnOnce()>(home: &Path, args: &[&std::ffi::OsStr], wait: Option<W>) -> Run {
    use std::os::unix::process::ExitStatusExt;
    let out = tempfile::tempfile().unwrap();
    let err = tempfile::tempfile().unwrap();
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("msgl"))
        .env_remove("MSGL_HOME")
        .arg("--home")
        .arg(home)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(err.try_clone().unwrap())
        .spawn()
        .unwrap();
    if let Some(wait) = wait {
        wait();
        let _ = child.kill(); // SIGKILL; fails only if it was already reaped
    }
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    let read = |mut f: std::fs::File| {
        use std::io::{Read, Seek};
        let mut s = String::new();
        f.seek(std::io::SeekFrom::Start(0)).unwrap();
        f.read_to_string(&mut s).unwrap();
        s
    };
    Run {
        killed: status.signal() == Some(9),
        code: status.code(),
        stdout: read(out),
        stderr: read(err),
        elapsed,
    }
}

/// The `; ack:` or `; recon:` tag value of each entry of a journal with the
/// given description, by sequence number.
pub fn tagged(
    j: &msgl_ledger::journal::Journal,
    description: &str,
    key: &str,
) -> Vec<(u64, String)> {
    j.entries
        .iter()
        .filter(|e| e.description == description)
        .map(|e| {
            let c = e.comment.as_deref().unwrap_or("");
            let tag = msgl_ledger::journal::tags(c)
                .into_iter()
                .find(|(k, _)| *k == key)
                .unwrap_or_else(|| panic!("entry {} has no `{key}:` tag: {c:?}", e.seq))
                .1
                .to_string();
            (e.seq, tag)
        })
        .collect()
}

/// The channels of a home, as the library reads them (open + last ack).
pub fn channels(home: &Path) -> Vec<msgl_node::protocol::Channel> {
    let h = msgl_node::home::Home::locate(Some(home));
    let me = h.public_key().unwrap();
    msgl_node::protocol::channel::list(&h, &me).unwrap()
}

/// Every ack kept in a home's `acks/` (or `sent/`) logs, by name
/// (`<channel>-<nonce>`, as the journal's `; ack:` tags name them).
pub fn logged(home: &Path, dir: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Ok(rd) = std::fs::read_dir(home.join(dir)) else {
        return out;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) == Some("log") {
            msgl_node::store::log::for_each(&p, |_, a| {
                assert!(
                    out.insert(a.name()),
                    "{} twice in {}",
                    a.name(),
                    p.display()
                );
                Ok(())
            })
            .unwrap();
        }
    }
    out
}

/// `booked (N) ... ack <name>, ...` (what `msgl accept` prints) -> (N, name).
pub fn booked(out: &str) -> Option<(u64, String)> {
    let (n, rest) = out.strip_prefix("booked (")?.split_once(')')?;
    let name = rest.split_once(" ack ")?.1.split(',').next()?.trim();
    Some((n.parse().ok()?, name.to_string()))
}

/// Runs `script` with bash as a user on a fresh machine would: `~` a new
/// directory, the working directory a new one holding the repository's
/// `ledgers/`, the binary under test first on PATH, no stdin, no colour.
/// (The README's shell and the man pages' examples.)
pub fn run_as_new_user(script: &str) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let (home, work) = (tmp.path().join("home"), tmp.path().join("work"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    std::os::unix::fs::symlink(root.join("ledgers"), work.join("ledgers")).unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_msgl"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::fs::write(tmp.path().join("script.sh"), script).unwrap();
    std::process::Command::new("bash")
        .arg(tmp.path().join("script.sh"))
        .current_dir(&work)
        .env("HOME", &home)
        .env("PATH", path)
        .env_remove("MSGL_HOME")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}
