//! `msgl chain …` against a real node: anvil (Foundry 1.7.1, installed
//! pinned by `cd contracts && npm ci`), started on a free port per test and
//! stopped by its pid. The whole flow (deploy, deposit, open, acks, prove,
//! verify on chain, settle, book, status), a node killed between send and
//! confirmation and restarted from its dumped state, `chain settle` and
//! `chain claim` killed with SIGKILL and rerun, a pending exit making
//! `may-serve` refuse, a shortfall, a node that is down, the keystore, and
//! `msgl demo --rpc` (the demo's flow through `msgl chain`).

use crate::common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::{id, init, msgl, stdout, tempdir, Pair};

fn tool(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "contracts/node_modules/@foundry-rs/{name}-linux-amd64/bin/{name}"
    ));
    assert!(
        p.is_file(),
        "{} is missing: run `cd contracts && npm ci`",
        p.display()
    );
    p
}

/// An anvil process, killed (by its pid) when dropped.
struct Anvil {
    child: Option<Child>,
    port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Anvil {
    fn start(port: u16, extra: &[&str]) -> Anvil {
        let child = StdCommand::new(tool("anvil"))
            .args(["--port", &port.to_string(), "--silent"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let a = Anvil {
            child: Some(child),
            port,
        };
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "anvil did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        a
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGTERM (anvil dumps its state on the way out), then waits.
    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            unsafe {
                libc::kill(c.id() as i32, libc::SIGTERM);
            }
            let start = Instant::now();
            while c.try_wait().unwrap().is_none() {
                if start.elapsed() > Duration::from_secs(10) {
                    let _ = c.kill();
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn cast(args: &[&str]) -> String {
    let out = StdCommand::new(tool("cast")).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "cast {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn evm(home: &Path) -> String {
    stdout(msgl(home).args(["id", "--evm"])).trim().to_string()
}

/// Node1 (payee) deploys and writes msgl.yaml's chain:, Node2 (payer)
/// takes the same settings; both are funded with ether, peers of each
/// other with their addresses; the payer deposits 1 token (minted).
fn setup(anvil: &Anvil) -> Pair {
    let dir = tempdir();
    let d = dir.path().to_path_buf();
    let payee = init(&d, "Node1");
    let payer = init(&d, "Node2");
    for h in [&payee, &payer] {
        cast(&[
            "rpc",
            "--rpc-url",
            &anvil.url(),
            "anvil_setBalance",
            &evm(h),
            "0x3635C9ADC5DEA00000",
        ]);
    }
    let out = stdout(
        msgl(&payee)
            .args(["chain", "--rpc", &anvil.url(), "deploy", "--write-config"])
            .args(["--withdraw-delay", "3600"]),
    );
    assert!(out.contains("settlement: 0x"), "{out}");
    let chain = msgl_node::home::Home::locate(Some(&payee))
        .config()
        .unwrap();
    let home = msgl_node::home::Home::locate(Some(&payer));
    let mut config = home.config().unwrap();
    config.chain = chain.chain.clone();
    config.node = chain.node.clone();
    std::fs::write(home.config_path(), config.to_yaml()).unwrap();
    msgl(&payee)
        .args([
            "peer",
            "add",
            "Node2",
            &id(&payer),
            "--policy",
            "credit:100",
        ])
        .args(["--address", &evm(&payer)])
        .assert()
        .success();
    msgl(&payer)
        .args(["peer", "add", "Node1", &id(&payee)])
        .args(["--address", &evm(&payee)])
        .assert()
        .success();
    msgl(&payer)
        .args(["chain", "deposit", "1", "--mint"])
        .assert()
        .success();
    Pair {
        open: d.join("open.yaml"),
        _dir: dir,
        dir: d,
        payee,
        payer,
    }
}

/// The payer opens a channel of `units` with `escrow` (tokens), the payee
/// accepts it, the payer opens it on chain with `msgl chain open`.
fn open_on_chain(p: &Pair, units: u64, escrow: &str) -> PathBuf {
    msgl(&p.payer)
        .args(["-q", "open", "--to", "Node1", "--units", &units.to_string()])
        .args(["--escrow", escrow, "-o"])
        .arg(&p.open)
        .assert()
        .success();
    let acceptance = p.dir.join("acceptance.yaml");
    msgl(&p.payee)
        .args(["-q", "accept-open"])
        .arg(&p.open)
        .arg("-o")
        .arg(&acceptance)
        .assert()
        .success();
    let out = stdout(msgl(&p.payer).args(["chain", "open"]).arg(&acceptance));
    assert!(out.contains("is open on chain"), "{out}");
    acceptance
}

fn prove(p: &Pair, name: &str) -> PathBuf {
    let out = p.dir.join(name);
    msgl(&p.payee)
        .args(["-q", "prove", "--for-chain"])
        .arg(p.payee.join("acks"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    out
}

fn settled_entries(home: &Path) -> usize {
    let j = std::fs::read_to_string(home.join("journal.ledger")).unwrap();
    j.lines().filter(|l| l.contains(") SETTLED")).count()
}

fn status(home: &Path) -> serde_json::Value {
    serde_json::from_str(&stdout(msgl(home).args(["chain", "status", "-O", "json"]))).unwrap()
}

#[test]
fn the_whole_flow_deploys_deposits_opens_proves_settles_books_and_reads_the_status() {
    let anvil = Anvil::start(free_port(), &[]);
    let p = setup(&anvil);
    let acceptance = open_on_chain(&p, 64, "0.001");
    // The same acceptance again: on chain already, nothing sent.
    let again = stdout(msgl(&p.payer).args(["chain", "open"]).arg(&acceptance));
    assert!(again.contains("already"), "{again}");
    for i in 0..5 {
        p.exchange(i, 2);
    }
    let proof = prove(&p, "proof");
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("verify the batch proof"), "{out}");
    assert!(out.contains("SETTLED: received"), "{out}");
    assert!(out.contains("(10 units)"), "{out}");
    assert_eq!(settled_entries(&p.payee), 1);
    // The verification's gas on anvil is revm's for the same calldata.
    let statement = common::statement(&proof);
    let chain_proof = msgl_circuits::prove_for_chain(&statement).unwrap();
    let revm = msgl_settlement::verifier::verifier_transactions(
        alloy_primitives::Address::ZERO,
        &statement,
        &chain_proof,
    )
    .unwrap()[0]
        .gas;
    let line = out.lines().find(|l| l.starts_with("verify")).unwrap();
    let gas: u64 = line
        .rsplit('(')
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(gas, revm, "{line}");
    // Rerun: found on chain, not sent, not booked twice.
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("settled on chain already"), "{out}");
    assert!(!out.contains(": tx 0x"), "{out}");
    assert_eq!(settled_entries(&p.payee), 1);
    // The payer books its side from the same chain.
    let out = stdout(msgl(&p.payer).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("SETTLED: paid"), "{out}");
    for h in [&p.payee, &p.payer] {
        msgl(h).arg("check").assert().success();
    }
    let s = status(&p.payee);
    let c = &s["channels"][0];
    assert_eq!(c["status"], "open");
    assert_eq!(c["role"], "in");
    assert_eq!(c["count"], 10);
    assert_eq!(c["units"], 64);
    assert!(p.payee.join("chain/status.json").is_file());
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    // The payee claims with another client (as if a run of `msgl chain
    // claim` had been killed after the claim was mined): `chain claim`
    // sends nothing and books it from the contract's logs, once.
    let key = std::fs::read_to_string(p.payee.join("keys/evm.key")).unwrap();
    let settlement = msgl_node::home::Home::locate(Some(&p.payee))
        .config()
        .unwrap()
        .chain
        .unwrap()
        .settlement;
    cast(&[
        "send",
        "--rpc-url",
        &anvil.url(),
        "--private-key",
        key.trim(),
        &settlement,
        "claim(address)",
        &evm(&p.payee),
    ]);
    let out = stdout(msgl(&p.payee).args(["chain", "claim"]));
    assert!(
        out.contains("nothing claimable on chain; nothing sent"),
        "{out}"
    );
    assert!(
        out.contains("CLAIMED: 0.0001 into Assets:Cash:SNT"),
        "{out}"
    );
    // A claim records no channel as settled, and says nothing of it.
    assert!(!out.contains("recorded 0 channels"), "{out}");
    let out = stdout(msgl(&p.payee).args(["chain", "claim"]));
    assert!(out.contains("already booked: CLAIMED 0.0001"), "{out}");
    assert!(!out.contains("recorded"), "{out}");
    let journal = std::fs::read_to_string(p.payee.join("journal.ledger")).unwrap();
    assert_eq!(journal.matches(") CLAIMED  ; claimed: ").count(), 1);
    msgl(&p.payee).arg("check").assert().success();
}

#[test]
fn a_shortfall_is_booked_as_what_the_escrow_paid_and_the_debt_reported() {
    let anvil = Anvil::start(free_port(), &[]);
    let p = setup(&anvil);
    // The unit price is 0.00001 (msgl init's default): an escrow of 3 units.
    open_on_chain(&p, 64, "0.00003");
    for i in 0..5 {
        p.exchange(i, 1);
    }
    let proof = prove(&p, "proof");
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(
        out.contains("SETTLED: received 0.00003 from Node2"),
        "{out}"
    );
    assert!(out.contains("debt on chain"), "{out}");
    assert!(out.contains("0.00002 unpaid"), "{out}");
    assert_eq!(settled_entries(&p.payee), 1);
}

#[test]
fn a_pending_exit_on_chain_makes_may_serve_refuse() {
    let anvil = Anvil::start(free_port(), &[]);
    let p = setup(&anvil);
    open_on_chain(&p, 64, "0.001");
    p.exchange(0, 1);
    // No cached status yet: refused, saying how to refresh.
    let out = msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("msgl chain status"), "{err}");
    msgl(&p.payee)
        .args(["may-serve", "Node2", "--offline"])
        .assert()
        .success();
    status(&p.payee);
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    // The payer asks for the escrow back.
    let key = std::fs::read_to_string(p.payer.join("keys/evm.key")).unwrap();
    let open =
        msgl_node::objects::Open::from_yaml(&std::fs::read_to_string(&p.open).unwrap()).unwrap();
    let chain = msgl_node::home::Home::locate(Some(&p.payee))
        .config()
        .unwrap();
    cast(&[
        "send",
        "--rpc-url",
        &anvil.url(),
        "--private-key",
        key.trim(),
        &chain.chain.unwrap().settlement,
        "requestExit(bytes32)",
        &format!("0x{}", hex::encode(open.channel)),
    ]);
    // The cache still says open until it is refreshed ...
    msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .success();
    let s = status(&p.payee);
    assert_eq!(s["channels"][0]["status"], "exiting");
    assert!(s["channels"][0]["releasable_at"].as_u64().is_some());
    let out = msgl(&p.payee)
        .args(["may-serve", "Node2"])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("exiting on chain"), "{err}");
    assert!(err.contains("releasable at"), "{err}");
    // A stale cache is refused too.
    let later = s["fetched_ms"].as_u64().unwrap() + 3_600_000;
    let out = msgl(&p.payee)
        .args(["may-serve", "Node2", "--at", &later.to_string()])
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8(out).unwrap().contains("s old"));
}

#[test]
fn a_node_that_is_down_is_exit_1_naming_the_url_and_nothing_is_booked() {
    let anvil = Anvil::start(free_port(), &[]);
    let p = setup(&anvil);
    open_on_chain(&p, 64, "0.001");
    p.exchange(0, 1);
    let proof = prove(&p, "proof");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let journal = std::fs::read(p.payee.join("journal.ledger")).unwrap();
    let out = msgl(&p.payee)
        .args(["chain", "--rpc", &dead, "settle"])
        .arg(&proof)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains(&dead), "{err}");
    assert_eq!(
        std::fs::read(p.payee.join("journal.ledger")).unwrap(),
        journal
    );
    // A server that answers garbage.
    let garbage = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", garbage.local_addr().unwrap());
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for s in garbage.incoming() {
            let mut s = s.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\nnot json!",
            );
        }
    });
    let out = msgl(&p.payee)
        .args(["chain", "--rpc", &url, "settle"])
        .arg(&proof)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains(&url), "{err}");
    assert_eq!(
        std::fs::read(p.payee.join("journal.ledger")).unwrap(),
        journal
    );
}

#[test]
fn a_node_killed_before_the_settlement_is_confirmed_is_resumed_without_sending_twice() {
    let port = free_port();
    let work = tempdir();
    let state = work.path().join("anvil-state.json");
    let state_s = state.to_str().unwrap().to_owned();
    let mut anvil = Anvil::start(port, &["--block-time", "1", "--dump-state", &state_s]);
    let p = setup(&anvil);
    open_on_chain(&p, 64, "0.001");
    for i in 0..3 {
        p.exchange(i, 1);
    }
    let proof = prove(&p, "proof");
    // Three blocks deep before booking.
    let home = msgl_node::home::Home::locate(Some(&p.payee));
    let mut config = home.config().unwrap();
    config.node.confirmations = 3;
    std::fs::write(home.config_path(), config.to_yaml()).unwrap();
    let journal = std::fs::read(p.payee.join("journal.ledger")).unwrap();
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("msgl"))
        .arg("--home")
        .arg(&p.payee)
        .args(["chain", "settle"])
        .arg(&proof)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // As soon as the settle transaction is recorded (so sent, or about to
    // be), the node goes down.
    let pending = p.payee.join("chain/pending");
    let start = Instant::now();
    loop {
        let sent = std::fs::read_dir(&pending)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("settle-"))
            })
            .unwrap_or(false);
        if sent {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no settle sent");
        std::thread::sleep(Duration::from_millis(10));
    }
    anvil.stop();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&anvil.url()));
    assert_eq!(
        std::fs::read(p.payee.join("journal.ledger")).unwrap(),
        journal
    );
    assert!(state.is_file());
    // Restarted with its state; the rerun books once, never a second settle.
    let anvil = Anvil::start(port, &["--block-time", "1", "--load-state", &state_s]);
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("SETTLED: received"), "{out}");
    eprintln!("rerun after the restart:\n{out}");
    // Waited for (sent again only as the same bytes), or found on chain.
    assert!(
        out.contains("sent by an earlier run") || out.contains("settled on chain already"),
        "{out}"
    );
    assert_eq!(settled_entries(&p.payee), 1);
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("settled on chain already"), "{out}");
    assert_eq!(settled_entries(&p.payee), 1);
    // One settle transaction on chain (a second would log StatementSettled
    // again, its entry skipped as stale), one verification.
    let settlement = config.chain.unwrap().settlement;
    let logs = |event: &str| {
        cast(&[
            "logs",
            "--rpc-url",
            &anvil.url(),
            "--from-block",
            "0",
            "--address",
            &settlement,
            event,
        ])
        .matches("transactionHash")
        .count()
    };
    assert_eq!(logs("StatementSettled(bytes32,uint256,uint256)"), 1);
    assert_eq!(
        logs("Settled(bytes32,address,bytes32,uint64,uint64,uint256,uint256)"),
        1
    );
    assert_eq!(logs("EntrySkipped(bytes32,uint8)"), 0);
}

#[test]
fn the_evm_key_from_a_keystore_with_its_password_never_printed() {
    let dir = tempdir();
    let home = init(dir.path(), "Node1");
    let key = std::fs::read_to_string(home.join("keys/evm.key")).unwrap();
    let address = evm(&home);
    let store = dir.path().join("ks");
    std::fs::create_dir(&store).unwrap();
    cast(&[
        "wallet",
        "import",
        "node1",
        "--private-key",
        key.trim(),
        "--unsafe-password",
        "s3cret pass",
        "--keystore-dir",
        store.to_str().unwrap(),
    ]);
    std::fs::remove_file(home.join("keys/evm.key")).unwrap();
    let ks = home.join("keys/evm.json");
    std::fs::copy(store.join("node1"), &ks).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ks, std::fs::Permissions::from_mode(0o600)).unwrap();
    // No password: refused, naming where to put it.
    let out = msgl(&home).args(["id", "--evm"]).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("MSGL_EVM_PASSWORD"), "{err}");
    // From the environment.
    let out = msgl(&home)
        .env("MSGL_EVM_PASSWORD", "s3cret pass")
        .args(["id", "--evm"])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8(out.get_output().stdout.clone())
            .unwrap()
            .trim(),
        address
    );
    // A wrong one: refused, and never echoed.
    let out = msgl(&home)
        .env("MSGL_EVM_PASSWORD", "wrong guess")
        .args(["id", "--evm"])
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("wrong password"), "{err}");
    assert!(!err.contains("wrong guess"), "{err}");
    // From a 0600 file; a file others may read is refused.
    let pw = home.join("keys/evm.password");
    std::fs::write(&pw, "s3cret pass\n").unwrap();
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = stdout(msgl(&home).args(["id", "--evm"]));
    assert_eq!(out.trim(), address);
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o644)).unwrap();
    msgl(&home).args(["id", "--evm"]).assert().code(2);
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(&ks, std::fs::Permissions::from_mode(0o640)).unwrap();
    msgl(&home).args(["id", "--evm"]).assert().code(2);
}

/// `msgl demo --messages 10` in `dir`: in memory, or against `rpc`.
fn demo(dir: &Path, rpc: Option<&str>) -> assert_cmd::assert::Assert {
    let mut c = assert_cmd::Command::cargo_bin("msgl").unwrap();
    c.env_remove("MSGL_HOME")
        .env("NO_COLOR", "1")
        .args(["demo", "--messages", "10", "--dir"])
        .arg(dir);
    if let Some(url) = rpc {
        c.args(["--rpc", url]);
    }
    c.assert()
}

/// The demo summary's figures that do not depend on where the contracts
/// ran: each settlement's units and entries, the units settled, and per
/// node its balance on chain before -> after and its Net line (`dir`, the
/// demo's directory, written DIR).
fn demo_figures(out: &str, dir: &Path) -> Vec<String> {
    let dir = dir.display().to_string();
    out.lines()
        .filter_map(|l| {
            if l.starts_with("settlement ") {
                let figures = l.split_once(": units ").unwrap().1;
                let w: Vec<&str> = figures.split(' ').collect();
                Some(format!("units {} entries {}", w[0], w[2]))
            } else if l.starts_with("units settled ") {
                Some(l.to_owned())
            } else if l.starts_with("node ") {
                Some(l.replace(&dir, "DIR"))
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn the_demo_against_a_real_node_settles_and_books_what_the_in_memory_demo_does() {
    let anvil = Anvil::start(free_port(), &[]);
    let tmp = tempdir();
    let (mem, rpc) = (tmp.path().join("mem"), tmp.path().join("rpc"));
    let text = |a: assert_cmd::assert::Assert| {
        String::from_utf8(a.success().get_output().stdout.clone()).unwrap()
    };
    let in_memory = text(demo(&mem, None));
    let on_node = text(demo(&rpc, Some(&anvil.url())));
    assert!(
        on_node.contains(&format!("on the Ethereum node at {}", anvil.url())),
        "{on_node}"
    );
    let (mem, rpc) = (mem.canonicalize().unwrap(), rpc.canonicalize().unwrap());
    let figures = demo_figures(&on_node, &rpc);
    // Two settlements, the units settled, three nodes.
    assert_eq!(figures.len(), 6, "{on_node}");
    assert!(figures[3].starts_with("node Node1 DIR/node1: chain "));
    assert_eq!(figures, demo_figures(&in_memory, &mem), "{on_node}");
    // The on-chain steps went through the homes' msgl chain: no receipt
    // files, the homes name the node, each has its cached status.
    assert!(!rpc.join("receipts").exists());
    // The payees claimed with `msgl chain claim` and booked it once; a
    // rerun sends and books nothing.
    for node in ["node1", "node2"] {
        let home = rpc.join(node);
        let journal = std::fs::read_to_string(home.join("journal.ledger")).unwrap();
        assert_eq!(journal.matches(") CLAIMED  ; claimed: ").count(), 1);
        let out = stdout(msgl(&home).args(["chain", "claim"]));
        assert!(out.contains("nothing sent"), "{out}");
        assert_eq!(
            std::fs::read_to_string(home.join("journal.ledger")).unwrap(),
            journal
        );
    }
    for node in ["node1", "node2", "node3"] {
        let home = rpc.join(node);
        msgl(&home).arg("check").assert().success();
        msgl(&home).args(["check", "--evidence"]).assert().success();
        let config = msgl_node::home::Home::locate(Some(&home)).config().unwrap();
        assert_eq!(config.node.rpc.as_deref(), Some(anvil.url().as_str()));
        assert!(home.join("chain/status.json").is_file());
    }
    // Node1's three channels are open on the node, with what was settled.
    let s = status(&rpc.join("node1"));
    let channels = s["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 3, "{s}");
    assert!(channels.iter().all(|c| c["status"] == "open"), "{s}");
    assert!(
        channels.iter().all(|c| c["count"].as_u64().unwrap() > 0),
        "{s}"
    );
    // A rerun of a settlement finds it on chain and books nothing twice.
    let journal = std::fs::read(rpc.join("node2/journal.ledger")).unwrap();
    let out = stdout(
        msgl(&rpc.join("node2"))
            .args(["chain", "settle"])
            .arg(rpc.join("proofs/node1-node2")),
    );
    assert!(out.contains("settled on chain already"), "{out}");
    assert_eq!(
        std::fs::read(rpc.join("node2/journal.ledger")).unwrap(),
        journal
    );
}

#[test]
fn the_demo_against_a_node_that_is_down_or_has_no_funded_account_is_refused_leaving_nothing() {
    let tmp = tempdir();
    let dir = tmp.path().join("demo");
    let err =
        |a: assert_cmd::assert::Assert| String::from_utf8(a.get_output().stderr.clone()).unwrap();
    let dead = format!("http://127.0.0.1:{}", free_port());
    let e = err(demo(&dir, Some(&dead)).code(1));
    assert!(e.starts_with(&format!("msgl: {dead}: ")), "{e}");
    assert!(!dir.exists());
    // No TLS in this build: refused as the chain client refuses it.
    let e = err(demo(&dir, Some("https://127.0.0.1:8545")).code(2));
    assert!(e.contains("without TLS"), "{e}");
    assert!(!dir.exists());
    // A node that holds no unlocked account cannot pay the homes' gas.
    let anvil = Anvil::start(free_port(), &["--accounts", "0"]);
    let e = err(demo(&dir, Some(&anvil.url())).code(1));
    assert!(e.contains(&anvil.url()), "{e}");
    assert!(e.contains("no unlocked account"), "{e}");
    assert!(e.contains("fund each node's EVM key"), "{e}");
    assert!(!dir.exists());
}

/// One `msgl chain` step under SIGKILL: the step (`args`, run in the
/// payee's home), the prefix of its transaction's record in chain/pending
/// (written before sending, removed once its receipt is in), the journal
/// entry it books and the contract event that says it happened.
struct KilledStep<'a> {
    args: &'a [&'a str],
    record: &'a str,
    entry: &'a str,
    event: &'a str,
}

/// Runs `step` in copies of `home` (a payee's, its chain set up on
/// `anvil`), killed with SIGKILL at pseudo-random moments (fixed seed):
/// every other attempt over the step's measured running time, the others
/// up to 40 ms after its transaction's record appears (between a send and
/// its receipt, between the receipt and the booking). Each of `kills`
/// attempts starts from the same chain (anvil's `evm_snapshot` /
/// `evm_revert`) and a copy of the home. After every kill the journal
/// passes `msgl check`, begins with the home's journal byte for byte and
/// holds at most one entry of the step, and the chain holds at most one
/// event of it, and one whenever the entry is booked. The rerun finishes
/// it: exactly one event on chain (never a second transaction), exactly
/// one entry with an uninterrupted run's postings, and `msgl check
/// --evidence` passes. The counts are printed, and must show kills on
/// both sides of the transaction.
fn kill_and_rerun(anvil: &Anvil, home: &Path, step: &KilledStep, kills: usize) {
    use common::{copy_home, run_killed, run_until, Rng};
    use std::ffi::OsStr;

    let dir = home.parent().unwrap();
    let template = dir.join(format!("template-{}", step.record));
    let work = dir.join(format!("work-{}", step.record));
    copy_home(home, &template);
    let journal = std::fs::read_to_string(template.join("journal.ledger")).unwrap();
    let contract = msgl_node::home::Home::locate(Some(home))
        .config()
        .unwrap()
        .chain
        .unwrap()
        .settlement;
    let url = anvil.url();
    let rpc = |method: &str, params: &[&str]| -> String {
        let mut args = vec!["rpc", "--rpc-url", &url, method];
        args.extend(params);
        cast(&args).trim().trim_matches('"').to_string()
    };
    let block = || {
        cast(&["block-number", "--rpc-url", &url])
            .trim()
            .to_string()
    };
    let on_chain = |from: &str| {
        cast(&[
            "logs",
            "--rpc-url",
            &url,
            "--from-block",
            from,
            "--address",
            &contract,
            step.event,
        ])
        .matches("transactionHash")
        .count()
    };
    let entries = |ctx: &str| {
        common::checked_entries(&work, step.entry, ctx)
            .iter()
            .map(common::postings_of)
            .collect::<Vec<_>>()
    };
    let args: Vec<&OsStr> = step.args.iter().map(OsStr::new).collect();
    let sent = || {
        std::fs::read_dir(work.join("chain/pending"))
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with(step.record))
            })
            .unwrap_or(false)
    };

    // Uninterrupted runs, each from the snapshot: what they book, how long
    // they take.
    let mut fastest = Duration::MAX;
    let mut reference = Vec::new();
    for _ in 0..2 {
        let snap = rpc("evm_snapshot", &[]);
        let from = block();
        copy_home(&template, &work);
        let r = run_killed(&work, &args, None);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        fastest = fastest.min(r.elapsed);
        assert_eq!(on_chain(&from), 1, "{}", r.stdout);
        reference = entries("reference");
        assert_eq!(reference.len(), 1, "{}", r.stdout);
        assert_eq!(rpc("evm_revert", &[&snap]), "true");
    }
    let span = fastest.as_micros() as u64 * 5 / 4;

    let mut rng = Rng(0xC4A1_25E7_713E);
    let (mut killed, mut done_before_kill, mut booked_before_kill) = (0, 0, 0);
    for k in 0..kills {
        let ctx = format!("{} attempt {k}", step.record);
        let snap = rpc("evm_snapshot", &[]);
        let from = block();
        copy_home(&template, &work);
        let r = if k % 2 == 0 {
            run_killed(
                &work,
                &args,
                Some(Duration::from_micros(rng.below(span + 1))),
            )
        } else {
            let after = Duration::from_micros(rng.below(40_000));
            let wait = || {
                let start = Instant::now();
                while !sent() && start.elapsed() < Duration::from_secs(60) {
                    std::thread::sleep(Duration::from_micros(200));
                }
                std::thread::sleep(after);
            };
            run_until(&work, &args, Some(wait))
        };
        if r.killed {
            killed += 1;
        } else {
            assert_eq!(r.code, Some(0), "{ctx}: {}", r.stderr);
        }
        let text = std::fs::read_to_string(work.join("journal.ledger")).unwrap();
        assert!(
            text.starts_with(&journal),
            "{ctx}: the journal's past changed"
        );
        let after_kill = entries(&ctx);
        assert!(after_kill.len() <= 1, "{ctx}: {after_kill:?}");
        booked_before_kill += after_kill.len();
        let events = on_chain(&from);
        assert!(events <= 1, "{ctx}: {events} on chain");
        done_before_kill += events;
        assert!(
            after_kill.is_empty() || events == 1,
            "{ctx}: booked, not on chain"
        );

        let again = run_killed(&work, &args, None);
        assert_eq!(again.code, Some(0), "{ctx}: rerun: {}", again.stderr);
        assert_eq!(on_chain(&from), 1, "{ctx}: {}", again.stdout);
        assert_eq!(entries(&ctx), reference, "{ctx}: {}", again.stdout);
        let ev = run_killed(
            &work,
            &[OsStr::new("check"), OsStr::new("--evidence")],
            None,
        );
        assert_eq!(ev.code, Some(0), "{ctx}: check --evidence: {}", ev.stderr);
        assert_eq!(rpc("evm_revert", &[&snap]), "true", "{ctx}");
    }
    eprintln!(
        "{}: {kills} attempts, {killed} killed, on chain before the kill {done_before_kill}, booked {booked_before_kill}",
        step.record
    );
    // Not vacuous: kills land, and some between the transaction and its
    // booking (timing varies with the machine's load; the bounds are loose).
    assert!(killed >= kills / 5, "only {killed} runs were killed");
    assert!(
        done_before_kill > booked_before_kill,
        "no kill between the transaction and its booking"
    );
}

/// A channel open on chain (64 units, 0.001 escrow), 4 acks of 2 units and
/// their proof, `--for-chain`.
fn proven(anvil: &Anvil) -> (Pair, PathBuf) {
    let p = setup(anvil);
    open_on_chain(&p, 64, "0.001");
    for i in 0..4 {
        p.exchange(i, 2);
    }
    let proof = prove(&p, "proof");
    (p, proof)
}

/// `msgl chain settle` under SIGKILL ([`kill_and_rerun`]): killed while
/// verifying the proof on chain, between the settle transaction and its
/// receipt, between the receipt and the booking; never a second settle
/// transaction, one SETTLED entry.
#[test]
fn sigkill_during_chain_settle_never_settles_or_books_twice_and_the_rerun_finishes_it() {
    let anvil = Anvil::start(free_port(), &[]);
    let (p, proof) = proven(&anvil);
    let proof = proof.to_str().unwrap();
    let step = KilledStep {
        args: &["chain", "settle", proof],
        record: "settle-",
        entry: "SETTLED",
        event: "StatementSettled(bytes32,uint256,uint256)",
    };
    kill_and_rerun(&anvil, &p.payee, &step, 30);
}

/// `msgl chain claim` under SIGKILL ([`kill_and_rerun`]): never a second
/// claim transaction, one CLAIMED entry.
#[test]
fn sigkill_during_chain_claim_never_claims_or_books_twice_and_the_rerun_finishes_it() {
    let anvil = Anvil::start(free_port(), &[]);
    let (p, proof) = proven(&anvil);
    let out = stdout(msgl(&p.payee).args(["chain", "settle"]).arg(&proof));
    assert!(out.contains("SETTLED: received"), "{out}");
    let step = KilledStep {
        args: &["chain", "claim"],
        record: "claim-",
        entry: "CLAIMED",
        event: "Claimed(address,address,uint256)",
    };
    kill_and_rerun(&anvil, &p.payee, &step, 30);
}
