//! `msgl demo`: three nodes, channels, messages, a reconciliation and two
//! settlements, run with the real commands (this same binary, spawned with
//! `--home`) and the committed contracts: in an in-memory EVM (`Memory`),
//! or on an Ethereum node through the homes' `msgl chain` commands
//! (`Rpc`). The flow is written once ([`run`]); only its on-chain steps
//! differ (`Backend`).
//!
//! The homes it leaves are ordinary node homes: `msgl --home DIR/node1 ...`
//! explores them afterwards.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use msgl_settlement::evm::{Evm, Outcome};
use msgl_settlement::system::System;
use msgl_settlement::TestToken;

use crate::error::{Error, Result};

/// The node names, in order.
pub const NODES: [&str; 3] = ["Node1", "Node2", "Node3"];
/// Acks accepted per `msgl accept` call.
pub const ACCEPT_BATCH: usize = 100;
const DEPLOYER: Address = Address::repeat_byte(0xd0);
const WITHDRAW_DELAY: u64 = 3600;
/// Token base units per message unit: 0.00001 at 18 decimals (msgl init's default).
const PRICE: u64 = 10_000_000_000_000;

/// What to run.
pub struct Options {
    /// Where the homes go (created; must be missing or empty).
    pub dir: PathBuf,
    /// Messages between Node1 and Node2 (both ways).
    pub messages: u64,
    /// The msgl binary to spawn.
    pub exe: PathBuf,
    /// Template directories `node1/`, `node2/`, `node3/` (each msgl.yaml and
    /// journal.ledger); `None`: the embedded copy of ledgers/demo/, written
    /// to `<dir>/templates/`.
    pub templates: Option<PathBuf>,
    /// The Ethereum node's JSON-RPC URL (`http://`): the on-chain steps go
    /// through the homes' `msgl chain` commands there; `None`: an in-memory
    /// EVM.
    pub rpc: Option<String>,
}

/// ledgers/demo/, embedded: (directory, msgl.yaml, journal.ledger) per node.
pub const TEMPLATES: [(&str, &str, &str); 3] = [
    (
        "node1",
        include_str!("../ledgers/demo/node1/msgl.yaml"),
        include_str!("../ledgers/demo/node1/journal.ledger"),
    ),
    (
        "node2",
        include_str!("../ledgers/demo/node2/msgl.yaml"),
        include_str!("../ledgers/demo/node2/journal.ledger"),
    ),
    (
        "node3",
        include_str!("../ledgers/demo/node3/msgl.yaml"),
        include_str!("../ledgers/demo/node3/journal.ledger"),
    ),
];

/// Writes the embedded templates under `dir`.
fn write_templates(dir: &Path) -> Result<()> {
    for (node, config, journal) in TEMPLATES {
        let d = dir.join(node);
        std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
        for (file, text) in [
            (crate::home::CONFIG_FILE, config),
            (crate::home::JOURNAL_FILE, journal),
        ] {
            crate::fsutil::write_new(&d.join(file), text.as_bytes())?;
        }
    }
    Ok(())
}

/// What a home's journal holds in `Assets:Cash:<token>`, in token base
/// units at `decimals`.
fn opening_cash(home: &Path) -> Result<U256> {
    let h = crate::home::Home {
        root: home.to_path_buf(),
    };
    let config = h.config()?;
    let account = format!("Assets:Cash:{}", config.token);
    let journal =
        crate::journal::parse::parse_file(&crate::journal::parse::Source::File(h.journal_path()))?;
    let mut cash = crate::journal::Decimal::ZERO;
    for e in &journal.entries {
        for p in e
            .resolve(false)
            .map_err(|i| i.into_error(&h.journal_path().display().to_string()))?
        {
            if p.account == account {
                cash += p.amount.quantity;
            }
        }
    }
    base_units(cash, config.decimals).ok_or_else(|| {
        Error::input(format!(
            "{account}: {cash} is not a whole number of base units"
        ))
        .in_file(h.journal_path())
    })
}

/// `d` in base units at `decimals` (None if negative or finer than that).
fn base_units(d: crate::journal::Decimal, decimals: u32) -> Option<U256> {
    if d.is_sign_negative() || d.scale() > decimals {
        return None;
    }
    let m = U256::from(d.mantissa().unsigned_abs());
    Some(m * U256::from(10u64).pow(U256::from(decimals - d.scale())))
}

/// One node's figures.
#[derive(Debug, Clone)]
pub struct NodeReport {
    pub name: String,
    pub home: PathBuf,
    pub address: Address,
    /// Token balance (base units) on chain before the settlements.
    pub before: U256,
    /// And after.
    pub after: U256,
    /// The Net line of `msgl balance --depth 2` (amount and commodity).
    pub net: String,
}

/// One proof, verified on chain and settled.
#[derive(Debug, Clone)]
pub struct SettlementReport {
    /// What it settles, for people.
    pub what: String,
    pub proof_dir: PathBuf,
    pub entries: usize,
    pub units: u64,
    /// Size of proof.bin.
    pub proof_bytes: u64,
    /// The proving time `msgl prove` reported.
    pub prove_time: Duration,
    /// Gas of the verifier's transactions (`msgl calldata --verify`).
    pub verify_gas: u64,
    /// How many transactions the verification took.
    pub verify_txs: usize,
    pub settle_gas: u64,
    /// The settle calldata as sent (0x-hex).
    pub calldata: String,
}

/// What the demo did.
#[derive(Debug, Clone)]
pub struct Report {
    pub dir: PathBuf,
    /// The Ethereum node the demo ran against (`None`: the in-memory EVM).
    pub rpc: Option<String>,
    pub messages: u64,
    pub nodes: Vec<NodeReport>,
    pub settlements: Vec<SettlementReport>,
    /// `msgl reconcile --accept`'s output on the disagreement (exit 1).
    pub disagreement: String,
    /// The co-signed, finalized agreement.
    pub agreement: PathBuf,
    pub elapsed: Duration,
}

fn now_ms() -> u64 {
    crate::journal::append::now_ms()
}

/// The default directory: `msgl-demo-<unix ms>` in the current directory.
pub fn default_dir() -> PathBuf {
    PathBuf::from(format!("msgl-demo-{}", now_ms()))
}

struct Runner {
    exe: PathBuf,
    dir: PathBuf,
}

impl Runner {
    fn home(&self, node: usize) -> PathBuf {
        self.dir.join(NODES[node].to_lowercase())
    }

    /// `msgl --home HOME ARGS...`, run in the demo directory.
    fn output(&self, home: Option<&Path>, args: &[OsString]) -> Result<Output> {
        let mut c = Command::new(&self.exe);
        c.current_dir(&self.dir).env_remove("MSGL_HOME");
        if let Some(h) = home {
            c.arg("--home").arg(h);
        }
        c.args(args);
        c.output()
            .map_err(|e| Error::input(format!("cannot run {}: {e}", self.exe.display())))
    }

    /// As [`Runner::output`], requiring success; returns stdout.
    fn run(&self, home: Option<&Path>, args: &[OsString]) -> Result<String> {
        let out = self.output(home, args)?;
        if !out.status.success() {
            return Err(Error::check(format!(
                "`msgl {}` failed ({}): {}",
                args.iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// Builds an argument list from anything path- or string-like.
macro_rules! args {
    ($($a:expr),* $(,)?) => { [$(OsString::from($a)),*] };
}

fn chain_err(what: &str) -> impl Fn(msgl_settlement::evm::Revert) -> Error + '_ {
    move |r| Error::check(format!("{what} reverted: {}", r.reason))
}

/// Writes `out`'s receipt (as `cast receipt --json` prints one) to
/// `DIR/receipts/NAME.json`.
fn write_receipt(dir: &Path, name: &str, out: &Outcome) -> Result<PathBuf> {
    let d = dir.join("receipts");
    std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    let path = d.join(format!("{name}.json"));
    let json = serde_json::to_string_pretty(&out.receipt()).expect("a receipt serializes");
    crate::fsutil::write_new(&path, json.as_bytes())?;
    Ok(path)
}

/// A small text file the demo wrote.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn units(n: u64) -> U256 {
    U256::from(PRICE) * U256::from(n)
}

/// The message hash of message `i` (its first 16 hex digits, the journal's
/// sub-account, are `i`).
fn message_hash(i: u64) -> String {
    format!("{i:016x}{}", "5e".repeat(24))
}

/// Where the demo's on-chain steps happen: the flow ([`run`]) is the same
/// for both.
trait Backend {
    /// Deploys the token, the verifier and the settlement contract and
    /// writes the deployment into every home's `chain:` settings.
    fn deploy(&mut self, r: &Runner, homes: &[PathBuf], addrs: &[Address]) -> Result<()>;
    /// Gives the node at `home` (address `addr`) its opening `cash` in
    /// tokens and deposits `deposit` of it in the settlement contract.
    fn fund(
        &mut self,
        r: &Runner,
        home: &Path,
        addr: Address,
        cash: U256,
        deposit: U256,
    ) -> Result<()>;
    /// The payer at `home` puts the channel of `open` on chain with the
    /// payee's acceptance (the file `acceptance`).
    fn open(
        &mut self,
        r: &Runner,
        home: &Path,
        payer: Address,
        open: &crate::objects::Open,
        acceptance: &Path,
    ) -> Result<()>;
    /// Token balance of `who`.
    fn balance(&mut self, who: Address) -> Result<U256>;
    /// Settles proof directory `proof`: `parties[0]` sends the verifier's
    /// transactions `verify` (to, data) and `settle`; every home of
    /// `parties` books it. Returns the gas of the verification and of the
    /// settle transaction.
    fn settle(
        &mut self,
        r: &Runner,
        parties: &[(&Path, Address)],
        proof: &Path,
        verify: &[(Address, Vec<u8>)],
        settle: Vec<u8>,
    ) -> Result<(u64, u64)>;
    /// The payee at `home` claims what the settlements credited it and
    /// books it.
    fn claim(&mut self, r: &Runner, home: &Path, name: &str, addr: Address) -> Result<()>;
    /// After the flow: what each home should know of the chain.
    fn finish(&mut self, r: &Runner, homes: &[PathBuf]) -> Result<()>;
}

/// The contracts in an in-memory revm [`Evm`], gone when the demo ends;
/// receipts go to `DIR/receipts/` and are booked with `msgl settled`.
struct Memory {
    chain: Evm,
    sys: Option<System>,
}

impl Memory {
    fn sys(&mut self) -> (&System, &mut Evm) {
        (self.sys.as_ref().expect("deployed first"), &mut self.chain)
    }
}

impl Backend for Memory {
    fn deploy(&mut self, _: &Runner, homes: &[PathBuf], _: &[Address]) -> Result<()> {
        let sys = System::deploy_verifying(&mut self.chain, DEPLOYER, "SNT", 18, WITHDRAW_DELAY)
            .map_err(chain_err("deploy"))?;
        let domain = sys.domain();
        for h in homes {
            let home = crate::home::Home { root: h.clone() };
            let mut config = home.config()?;
            config.chain = Some(crate::home::ChainSettings {
                chain_id: domain.chain_id,
                settlement: format!("{}", sys.settlement.address),
                token: format!("{}", sys.token.address),
                verifier: Some(format!("{}", sys.registry.address)),
            });
            crate::fsutil::write_atomic(
                &home.config_path(),
                config.to_yaml().as_bytes(),
                true,
                None,
            )?;
        }
        self.sys = Some(sys);
        Ok(())
    }

    fn fund(
        &mut self,
        _: &Runner,
        _: &Path,
        addr: Address,
        cash: U256,
        deposit: U256,
    ) -> Result<()> {
        let (sys, chain) = self.sys();
        sys.mint(chain, addr, cash).map_err(chain_err("mint"))?;
        sys.approve(chain, addr, cash)
            .map_err(chain_err("approve"))?;
        sys.deposit(chain, addr, deposit)
            .map_err(chain_err("deposit"))?;
        Ok(())
    }

    fn open(
        &mut self,
        _: &Runner,
        _: &Path,
        payer: Address,
        signed: &crate::objects::Open,
        acceptance: &Path,
    ) -> Result<()> {
        let accepted = crate::objects::Acceptance::from_yaml(&read_text(acceptance)?)
            .map_err(|e| e.in_file(acceptance))?;
        let (sys, chain) = self.sys();
        let accept = sys.accept(payer, &signed.on_chain_terms());
        sys.open_channel(chain, payer, &accept, &accepted.signature)
            .map_err(chain_err("openChannel"))?;
        Ok(())
    }

    fn balance(&mut self, who: Address) -> Result<U256> {
        let (sys, chain) = self.sys();
        sys.balance(chain, who).map_err(chain_err("balanceOf"))
    }

    fn settle(
        &mut self,
        r: &Runner,
        parties: &[(&Path, Address)],
        proof: &Path,
        verify: &[(Address, Vec<u8>)],
        settle: Vec<u8>,
    ) -> Result<(u64, u64)> {
        let from = parties[0].1;
        let (sys, chain) = self.sys();
        let mut verify_gas = 0;
        for (to, data) in verify {
            let sent = chain
                .call(from, *to, data.clone())
                .map_err(chain_err("verifyAndRegister"))?;
            verify_gas += sent.gas_used;
        }
        let settled = chain
            .call(from, sys.settlement.address, settle)
            .map_err(chain_err("settle"))?;
        let name = proof
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let receipt = write_receipt(&r.dir, &format!("settle-{name}"), &settled)?;
        for (home, _) in parties {
            r.run(Some(home), &args!["-q", "settled", &receipt])?;
        }
        Ok((verify_gas, settled.gas_used))
    }

    fn claim(&mut self, r: &Runner, home: &Path, name: &str, addr: Address) -> Result<()> {
        let (sys, chain) = self.sys();
        let claim = sys.claim(chain, addr, addr).map_err(chain_err("claim"))?;
        let receipt = write_receipt(&r.dir, &format!("claim-{}", name.to_lowercase()), &claim)?;
        r.run(Some(home), &args!["-q", "settled", &receipt])?;
        Ok(())
    }

    fn finish(&mut self, _: &Runner, _: &[PathBuf]) -> Result<()> {
        Ok(())
    }
}

/// Ether given to each home's EVM address for gas on a development node.
const GAS_FUNDS: u64 = 10_000_000_000_000_000_000;

/// An Ethereum node at a JSON-RPC URL: every on-chain step is a `msgl
/// chain` command of a home (deploy --write-config, deposit, open, settle,
/// claim, status), which signs with the home's EVM key and books from the
/// receipts. The node's first unlocked account (a development node's:
/// anvil, hardhat, geth --dev) funds the homes' addresses with ether for
/// gas and mints their opening cash in the test token.
struct Rpc {
    client: crate::chain::Client,
    faucet: Address,
    token: Option<Address>,
}

impl Rpc {
    /// Connects to `url` (http:// only; the node must answer) and finds
    /// its first unlocked account. `dir`: where the homes will be.
    fn connect(url: &str, dir: &Path) -> Result<Rpc> {
        let home = crate::home::Home {
            root: dir.to_path_buf(),
        };
        let client = crate::chain::Client::connect(&home, url, None, 1, None)?;
        let faucet = *client.accounts()?.first().ok_or_else(|| {
            Error::check(format!(
                "{url}: the node holds no unlocked account to pay the demo's homes their gas and test tokens"
            ))
            .hint("msgl demo --rpc needs a development node (anvil, hardhat node, geth --dev); on a real network, fund each node's EVM key yourself and run the `msgl chain` commands")
        })?;
        Ok(Rpc {
            client,
            faucet,
            token: None,
        })
    }

    fn token(&self) -> Address {
        self.token.expect("deployed first")
    }
}

impl Backend for Rpc {
    fn deploy(&mut self, r: &Runner, homes: &[PathBuf], addrs: &[Address]) -> Result<()> {
        for a in addrs {
            self.client.send_unlocked(
                "fund a home's EVM address with ether for gas",
                self.faucet,
                *a,
                U256::from(GAS_FUNDS),
                Vec::new(),
            )?;
        }
        r.run(
            Some(&homes[0]),
            &args![
                "-q",
                "chain",
                "--rpc",
                &self.client.url,
                "deploy",
                "--write-config",
                "--withdraw-delay",
                WITHDRAW_DELAY.to_string()
            ],
        )?;
        let deployed = crate::home::Home {
            root: homes[0].clone(),
        }
        .config()?;
        let (_, token) = crate::chain::deployment(&deployed)?;
        for h in &homes[1..] {
            let home = crate::home::Home { root: h.clone() };
            let mut config = home.config()?;
            config.chain = deployed.chain.clone();
            config.node.rpc = deployed.node.rpc.clone();
            crate::fsutil::write_atomic(
                &home.config_path(),
                config.to_yaml().as_bytes(),
                true,
                None,
            )?;
        }
        self.token = Some(token);
        Ok(())
    }

    fn fund(
        &mut self,
        r: &Runner,
        home: &Path,
        addr: Address,
        cash: U256,
        deposit: U256,
    ) -> Result<()> {
        self.client.send_unlocked(
            "mint a home's opening cash in the test token",
            self.faucet,
            self.token(),
            U256::ZERO,
            SolCall::abi_encode(&TestToken::mintCall {
                to: addr,
                value: cash,
            }),
        )?;
        r.run(
            Some(home),
            &args!["-q", "chain", "deposit", tokens(deposit)],
        )?;
        Ok(())
    }

    fn open(
        &mut self,
        r: &Runner,
        home: &Path,
        _: Address,
        _: &crate::objects::Open,
        acceptance: &Path,
    ) -> Result<()> {
        r.run(Some(home), &args!["-q", "chain", "open", acceptance])?;
        Ok(())
    }

    fn balance(&mut self, who: Address) -> Result<U256> {
        self.client
            .read(self.token(), &TestToken::balanceOfCall::new((who,)))
    }

    fn settle(
        &mut self,
        r: &Runner,
        parties: &[(&Path, Address)],
        proof: &Path,
        verify: &[(Address, Vec<u8>)],
        _: Vec<u8>,
    ) -> Result<(u64, u64)> {
        // The first sends (and books); the others find it on chain and
        // book their side.
        let out = r.run(Some(parties[0].0), &args!["chain", "settle", proof])?;
        let (mut verify_gas, mut verify_txs, mut settle_gas) = (0, 0, None);
        for line in out.lines().filter(|l| l.contains(": tx 0x")) {
            let gas = line
                .rsplit_once(" gas)")
                .and_then(|(head, _)| head.rsplit_once('('))
                .and_then(|(_, g)| g.parse::<u64>().ok())
                .ok_or_else(|| Error::check(format!("msgl chain settle: no gas in `{line}`")))?;
            if line.starts_with("settle ") {
                settle_gas = Some(gas);
            } else {
                verify_gas += gas;
                verify_txs += 1;
            }
        }
        let settle_gas = settle_gas
            .ok_or_else(|| Error::check(format!("msgl chain settle sent no settle:\n{out}")))?;
        if verify_txs != verify.len() {
            return Err(Error::check(format!(
                "msgl chain settle sent {verify_txs} verifier transactions, calldata --verify names {}",
                verify.len()
            )));
        }
        for (home, _) in &parties[1..] {
            r.run(Some(home), &args!["-q", "chain", "settle", proof])?;
        }
        Ok((verify_gas, settle_gas))
    }

    fn claim(&mut self, r: &Runner, home: &Path, _: &str, _: Address) -> Result<()> {
        r.run(Some(home), &args!["-q", "chain", "claim"])?;
        Ok(())
    }

    fn finish(&mut self, r: &Runner, homes: &[PathBuf]) -> Result<()> {
        // The cached status `may-serve` reads.
        for h in homes {
            r.run(Some(h), &args!["chain", "status", "-O", "json"])?;
        }
        Ok(())
    }
}

/// Runs the demo; `progress` hears one line per step. The steps, in
/// order, are the methods of [`Demo`] that `run` calls.
pub fn run(opts: &Options, progress: &mut dyn FnMut(&str)) -> Result<Report> {
    let started = Instant::now();
    let mut demo = Demo::start(opts, progress)?;
    demo.make_homes()?;
    demo.deploy_and_fund()?;
    let channels = demo.open_channels()?;
    demo.exchange_messages()?;
    let (disagreement, agreement) = demo.reconcile_with_a_dropped_ack()?;
    let before = demo.balances()?;
    let settlements = demo.settle(&channels, &agreement)?;
    demo.claim()?;
    let nodes = demo.figures(&before)?;
    Ok(Report {
        dir: demo.dir,
        rpc: opts.rpc.clone(),
        messages: demo.n,
        nodes,
        settlements,
        disagreement,
        agreement,
        elapsed: started.elapsed(),
    })
}

/// The demo under way: its directory, the chain it runs on, and the three
/// homes once made.
struct Demo<'p> {
    r: Runner,
    backend: Box<dyn Backend>,
    /// Where the contracts run, for people.
    place: String,
    dir: PathBuf,
    /// Where signed objects travel between the homes.
    wire: PathBuf,
    templates: Option<PathBuf>,
    /// Messages between Node1 and Node2, and from Node3 to Node1.
    n: u64,
    n3: u64,
    homes: Vec<PathBuf>,
    addrs: Vec<Address>,
    progress: &'p mut dyn FnMut(&str),
}

impl<'p> Demo<'p> {
    /// Checks the directory and reaches the chain; one that is down, or
    /// refuses, leaves nothing behind.
    fn start(opts: &Options, progress: &'p mut dyn FnMut(&str)) -> Result<Demo<'p>> {
        let dir = &opts.dir;
        if dir.exists() {
            let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            if entries.next().is_some() {
                return Err(
                    Error::input(format!("{} exists and is not empty", dir.display()))
                        .hint("give --dir a new or empty directory"),
                );
            }
        }
        let backend: Box<dyn Backend> = match &opts.rpc {
            Some(url) => Box::new(Rpc::connect(url, dir)?),
            None => Box::new(Memory {
                chain: Evm::new(),
                sys: None,
            }),
        };
        let place = match &opts.rpc {
            Some(url) => format!("on the Ethereum node at {url}"),
            None => "in an in-memory EVM".to_owned(),
        };
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let dir = dir.canonicalize().map_err(|e| Error::io(&opts.dir, e))?;
        let wire = dir.join("wire");
        std::fs::create_dir_all(&wire).map_err(|e| Error::io(&wire, e))?;
        Ok(Demo {
            r: Runner {
                exe: opts.exe.clone(),
                dir: dir.clone(),
            },
            backend,
            place,
            dir,
            wire,
            templates: opts.templates.clone(),
            n: opts.messages,
            n3: (opts.messages / 10).max(3),
            homes: Vec::new(),
            addrs: Vec::new(),
            progress,
        })
    }

    fn say(&mut self, line: &str) {
        (self.progress)(line)
    }

    fn addr(&self, i: usize) -> Address {
        self.addrs[i]
    }

    /// The templates' directory: `--templates`, or the embedded ones
    /// written into the demo directory.
    fn templates(&self) -> Result<PathBuf> {
        match &self.templates {
            Some(t) => Ok(t.clone()),
            None => {
                let t = self.dir.join("templates");
                if !t.exists() {
                    write_templates(&t)?;
                }
                Ok(t)
            }
        }
    }

    /// Step 1: three homes from the templates, each with the others as
    /// peers (key, EVM address, credit policy).
    fn make_homes(&mut self) -> Result<()> {
        let templates = self.templates()?;
        self.say(&format!(
            "init Node1, Node2, Node3 from the templates in {} and make them peers",
            templates.display()
        ));
        let r = &self.r;
        let homes: Vec<PathBuf> = (0..3).map(|i| r.home(i)).collect();
        for (i, h) in homes.iter().enumerate() {
            let t = templates.join(NODES[i].to_lowercase());
            r.run(Some(h), &args!["-q", "init", "--from", &t])?;
            let name = crate::home::Home { root: h.clone() }.config()?.name;
            if name != NODES[i] {
                return Err(Error::input(format!(
                    "the template names its node `{name}`; the demo needs `{}`",
                    NODES[i]
                ))
                .in_file(t.join(crate::home::CONFIG_FILE))
                .hint("templates node1, node2, node3 name Node1, Node2, Node3"));
            }
        }
        let ids: Vec<String> = homes
            .iter()
            .map(|h| r.run(Some(h), &args!["id"]).map(|s| s.trim().to_string()))
            .collect::<Result<_>>()?;
        // Each node's EVM address: its keys/evm.key, made by `msgl init`.
        let evm: Vec<String> = homes
            .iter()
            .map(|h| {
                r.run(Some(h), &args!["id", "--evm"])
                    .map(|s| s.trim().to_string())
            })
            .collect::<Result<_>>()?;
        let addrs: Vec<Address> = evm
            .iter()
            .map(|a| crate::proof::parse_address(a, "msgl id --evm").map(Address::from))
            .collect::<Result<_>>()?;
        for (i, h) in homes.iter().enumerate() {
            for j in 0..3 {
                if i != j {
                    r.run(
                        Some(h),
                        &args![
                            "-q",
                            "peer",
                            "add",
                            NODES[j],
                            &ids[j],
                            "--policy",
                            "credit:1",
                            "--address",
                            &evm[j]
                        ],
                    )?;
                }
            }
        }
        self.homes = homes;
        self.addrs = addrs;
        Ok(())
    }

    /// Channel length in units: room for every message and then some.
    fn length(&self) -> u64 {
        4 * self.n + 100
    }

    /// Step 2: the contracts (each home settles on them: `chain:` in
    /// msgl.yaml); each node's opening cash minted, approved and deposited.
    fn deploy_and_fund(&mut self) -> Result<()> {
        let place = self.place.clone();
        self.say(&format!(
            "deploy token, verifier and settlement {place}; mint, approve, deposit"
        ));
        self.backend.deploy(&self.r, &self.homes, &self.addrs)?;
        let templates = self.templates()?;
        for (i, node) in NODES.iter().enumerate() {
            let h = &self.homes[i];
            let cash = opening_cash(h)?;
            let deposit = units(10 * self.length());
            if cash < deposit {
                return Err(Error::input(format!(
                    "{node} opens with {} SNT in cash; {} messages need a deposit of {} SNT",
                    tokens(cash),
                    self.n,
                    tokens(deposit)
                ))
                .in_file(
                    templates
                        .join(node.to_lowercase())
                        .join(crate::home::JOURNAL_FILE),
                )
                .hint("raise the template's opening balance, or lower --messages"));
            }
            self.backend
                .fund(&self.r, h, self.addrs[i], cash, deposit)?;
            self.r.run(
                Some(h),
                &args!["-q", "add", "deposit", "--amount", tokens(deposit)],
            )?;
        }
        Ok(())
    }

    /// Step 3: channels Node2 -> Node1, Node1 -> Node2, Node3 -> Node1: the
    /// payer's signed open, the payee's signed acceptance of its terms, and
    /// openChannel with them. Returns the channels' ids, in that order.
    fn open_channels(&mut self) -> Result<[[u8; 32]; 3]> {
        self.say(
            "open channels Node2 -> Node1, Node1 -> Node2, Node3 -> Node1 (off chain and on chain)",
        );
        let mut channels = [[0u8; 32]; 3];
        for (k, (payer, payee)) in [(1usize, 0usize), (0, 1), (2, 0)].into_iter().enumerate() {
            let stem = format!(
                "{}-{}",
                NODES[payer].to_lowercase(),
                NODES[payee].to_lowercase()
            );
            let open = self.wire.join(format!("open-{stem}.yaml"));
            let acceptance = self.wire.join(format!("acceptance-{stem}.yaml"));
            self.r.run(
                Some(&self.homes[payer]),
                &args![
                    "-q",
                    "open",
                    "--to",
                    NODES[payee],
                    "--units",
                    self.length().to_string(),
                    "--escrow",
                    tokens(units(2 * self.length())),
                    "-o",
                    &open
                ],
            )?;
            self.r.run(
                Some(&self.homes[payee]),
                &args!["-q", "accept-open", &open, "-o", &acceptance],
            )?;
            let signed = crate::objects::Open::from_yaml(&read_text(&open)?)
                .map_err(|e| e.in_file(&open))?;
            channels[k] = signed.channel;
            self.backend.open(
                &self.r,
                &self.homes[payer],
                self.addrs[payer],
                &signed,
                &acceptance,
            )?;
        }
        Ok(channels)
    }

    /// `payer` acks message `i` to `payee` (`msgl ack -o`): the signed ack
    /// on the wire.
    fn ack(&self, payer: usize, payee: usize, i: u64, price: u64) -> Result<PathBuf> {
        let f = self.wire.join(format!(
            "ack-{}-{}-{i:06}.yaml",
            NODES[payer].to_lowercase(),
            NODES[payee].to_lowercase()
        ));
        self.r.run(
            Some(&self.homes[payer]),
            &args![
                "-q",
                "ack",
                "--to",
                NODES[payee],
                "-m",
                message_hash(i),
                "--price",
                price.to_string(),
                "-o",
                &f
            ],
        )?;
        Ok(f)
    }

    /// `payee` accepts the acks in `files` in one `msgl accept` (emptied).
    fn accept(&self, payee: usize, files: &mut Vec<PathBuf>) -> Result<()> {
        if files.is_empty() {
            return Ok(());
        }
        let mut a = args!["-q", "accept"].to_vec();
        a.extend(files.drain(..).map(OsString::from));
        self.r.run(Some(&self.homes[payee]), &a).map(|_| ())
    }

    /// Step 4: messages with acks, accepted in batches of
    /// [`ACCEPT_BATCH`].
    fn exchange_messages(&mut self) -> Result<()> {
        let (n, n3) = (self.n, self.n3);
        self.say(&format!(
            "{n} messages between Node1 and Node2 and {n3} from Node3 to Node1, each acked by its payer and accepted by its payee"
        ));
        let mut pending: Vec<Vec<PathBuf>> = vec![Vec::new(); 3];
        let total = n + n3;
        let mut done = 0u64;
        for i in 1..=n {
            let (payer, payee) = if i % 2 == 1 { (1, 0) } else { (0, 1) };
            let f = self.ack(payer, payee, i, 1 + i % 3)?;
            pending[payee].push(f);
            if pending[payee].len() >= ACCEPT_BATCH {
                self.accept(payee, &mut pending[payee])?;
            }
            done += 1;
            if done.is_multiple_of(200) {
                self.say(&format!("  {done}/{total} messages"));
            }
        }
        for i in 1..=n3 {
            let f = self.ack(2, 0, 1_000_000 + i, 2)?;
            pending[0].push(f);
            if pending[0].len() >= ACCEPT_BATCH {
                self.accept(0, &mut pending[0])?;
            }
        }
        for (payee, files) in pending.iter_mut().enumerate() {
            self.accept(payee, files)?;
        }
        Ok(())
    }

    /// `msgl reconcile --with PEER -O json` in `home`: the proposal's path.
    fn propose(&self, home: &Path, peer: &str) -> Result<PathBuf> {
        let out = self.r.run(
            Some(home),
            &args!["reconcile", "--with", peer, "-O", "json"],
        )?;
        let v: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| Error::check(format!("reconcile -O json: {e}")))?;
        let file = v["file"]
            .as_str()
            .ok_or_else(|| Error::check("reconcile -O json: no file"))?;
        Ok(home.join(file))
    }

    /// Step 5: Node1 and Node2 reconcile while one ack is lost on the way:
    /// Node1 refuses the proposal (exit 1), Node2 re-sends the ack, and the
    /// second proposal is co-signed and finalized. Returns what Node1 said
    /// of the first, and the agreement.
    fn reconcile_with_a_dropped_ack(&mut self) -> Result<(String, PathBuf)> {
        self.say("reconcile Node1 <-> Node2: Node2 signs one more ack that Node1 never gets");
        let dropped = self.ack(1, 0, self.n + 1, 3)?;
        // Lost on the way: only Node2's copy in sent/ remains.
        std::fs::remove_file(&dropped).map_err(|e| Error::io(&dropped, e))?;
        std::thread::sleep(Duration::from_millis(5));
        let (node1, node2) = (&self.homes[0], &self.homes[1]);
        let proposal = self.propose(node2, "Node1")?;
        let out = self.r.output(
            Some(node1),
            &args!["reconcile", "--with", "Node2", "--accept", &proposal],
        )?;
        if out.status.code() != Some(1) {
            return Err(Error::check(format!(
                "reconcile --accept of a proposal with a dropped ack exited {} (expected 1)",
                out.status
            )));
        }
        let disagreement = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        self.say("Node2 re-sends the lost ack (msgl ack --resend); Node1 accepts it; Node2 proposes again; Node1 co-signs (and books it); Node2 finalizes");
        let (node1, node2) = (&self.homes[0], &self.homes[1]);
        self.r.run(
            Some(node2),
            &args!["-q", "ack", "--resend", "--to", NODES[0], "-o", &dropped],
        )?;
        self.r.run(Some(node1), &args!["-q", "accept", &dropped])?;
        std::thread::sleep(Duration::from_millis(5));
        let proposal = self.propose(node2, "Node1")?;
        let out = self.r.run(
            Some(node1),
            &args![
                "reconcile",
                "--with",
                "Node2",
                "-O",
                "json",
                "--accept",
                &proposal
            ],
        )?;
        let v: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| Error::check(format!("reconcile --accept -O json: {e}")))?;
        let agreement = node1.join(
            v["file"]
                .as_str()
                .ok_or_else(|| Error::check("reconcile --accept -O json: no file"))?,
        );
        // Node1 booked RECONCILED as it co-signed; Node2, the proposer,
        // finalizes.
        self.r.run(
            Some(node2),
            &args![
                "-q",
                "reconcile",
                "--with",
                "Node1",
                "--finalize",
                &agreement
            ],
        )?;
        Ok((disagreement, agreement))
    }

    /// Each node's token balance on chain.
    fn balances(&mut self) -> Result<Vec<U256>> {
        (0..3)
            .map(|i| self.backend.balance(self.addrs[i]))
            .collect()
    }

    /// Step 6: two settlements, each proven for the chain, verified off
    /// chain and by the verifier contract, then settled and booked by its
    /// parties: Node3's channel from Node1's acks alone (Node3 has
    /// disappeared), and Node1 <-> Node2 from the co-signed agreement.
    fn settle(
        &mut self,
        channels: &[[u8; 32]; 3],
        agreement: &Path,
    ) -> Result<Vec<SettlementReport>> {
        let batches = self.dir.join("batches");
        let proofs = self.dir.join("proofs");
        let b3 = batches.join("node3-to-node1");
        std::fs::create_dir_all(&b3).map_err(|e| Error::io(&b3, e))?;
        let prefix = hex::encode(channels[2]);
        let acks_dir = self.homes[0].join("acks");
        for e in std::fs::read_dir(&acks_dir).map_err(|e| Error::io(&acks_dir, e))? {
            let p = e.map_err(|e| Error::io(&acks_dir, e))?.path();
            let name = p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if name.starts_with(&prefix) {
                std::fs::copy(&p, b3.join(&name)).map_err(|e| Error::io(&p, e))?;
            }
        }
        let b12 = batches.join("node1-node2-agreement");
        std::fs::create_dir_all(&b12).map_err(|e| Error::io(&b12, e))?;
        std::fs::copy(agreement, b12.join("agreement.yaml"))
            .map_err(|e| Error::io(agreement, e))?;

        let mut settlements = Vec::new();
        // Who books each settlement once mined (`msgl settled`): the
        // parties still around.
        for (what, batch, out, parties) in [
            (
                "Node3 -> Node1, unilaterally from Node1's acks (Node3 has disappeared)",
                &b3,
                proofs.join("node3-to-node1"),
                &[0usize][..],
            ),
            (
                "Node1 <-> Node2, from the co-signed reconciliation",
                &b12,
                proofs.join("node1-node2"),
                &[0, 1][..],
            ),
        ] {
            self.say(&format!(
                "prove for the chain, verify off chain and on chain, settle: {what}"
            ));
            settlements.push(self.settle_one(what, batch, out, parties)?);
        }
        Ok(settlements)
    }

    /// One settlement of [`Demo::settle`]: `batch` proven into `out`.
    fn settle_one(
        &mut self,
        what: &str,
        batch: &Path,
        out: PathBuf,
        parties: &[usize],
    ) -> Result<SettlementReport> {
        let r = &self.r;
        let node1 = &self.homes[0];
        // The deployment comes from Node1's `chain:` settings.
        let text = r.run(
            Some(node1),
            &args!["prove", "--for-chain", batch, "-o", &out],
        )?;
        let prove_time = text
            .split("proved in ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse::<f64>().ok())
            .map(Duration::from_secs_f64)
            .unwrap_or_default();
        r.run(None, &args!["-q", "verify-proof", &out])?;
        let statement = crate::proof::verify_dir(&out)?;
        // The verifier's transactions, sent in order (by anyone: Node1
        // here), then settle: the settlement contract asks the verifier
        // whether the statement is proven.
        let text = r.run(
            Some(node1),
            &args!["calldata", "--verify", "-O", "json", &out],
        )?;
        let calls: Vec<serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| Error::check(format!("calldata --verify -O json: {e}")))?;
        let mut verify = Vec::new();
        for c in &calls {
            let field = |k: &str| {
                c[k].as_str()
                    .ok_or_else(|| Error::check(format!("calldata --verify -O json: no {k}")))
            };
            let to = crate::proof::parse_address(field("to")?, "to").map(Address::from)?;
            let data = hex::decode(field("data")?.trim_start_matches("0x"))
                .map_err(|e| Error::check(format!("calldata --verify: {e}")))?;
            verify.push((to, data));
        }
        let settle_text = r.run(Some(node1), &args!["calldata", &out])?;
        let data = hex::decode(settle_text.trim().trim_start_matches("0x"))
            .map_err(|e| Error::check(format!("calldata: {e}")))?;
        let calldata = format!("0x{}", hex::encode(&data));
        // Node1 (the first party) sends; every party books it.
        let parties_at: Vec<(&Path, Address)> = parties
            .iter()
            .map(|&i| (self.homes[i].as_path(), self.addrs[i]))
            .collect();
        let (verify_gas, settle_gas) =
            self.backend
                .settle(&self.r, &parties_at, &out, &verify, data)?;
        let proof_bin = out.join("proof.bin");
        Ok(SettlementReport {
            what: what.to_string(),
            proof_bytes: std::fs::metadata(&proof_bin)
                .map_err(|e| Error::io(&proof_bin, e))?
                .len(),
            proof_dir: out,
            entries: statement.entries.len(),
            units: statement.total_units(),
            prove_time,
            verify_gas,
            verify_txs: verify.len(),
            settle_gas,
            calldata,
        })
    }

    /// Step 7: the payees take what the settlements credited them, and
    /// book it.
    fn claim(&mut self) -> Result<()> {
        self.say("Node1 and Node2 claim what the settlements credited them; each books it");
        for i in [0usize, 1] {
            let addr = self.addr(i);
            self.backend
                .claim(&self.r, &self.homes[i], NODES[i], addr)?;
        }
        self.backend.finish(&self.r, &self.homes)
    }

    /// Step 8: each node's balances on chain before and after, and its
    /// Net line.
    fn figures(&mut self, before: &[U256]) -> Result<Vec<NodeReport>> {
        let mut nodes = Vec::new();
        for i in 0..3 {
            let after = self.backend.balance(self.addrs[i])?;
            let h = &self.homes[i];
            let bal = self.r.run(Some(h), &args!["balance", "--depth", "2"])?;
            nodes.push(NodeReport {
                name: NODES[i].to_string(),
                home: h.clone(),
                address: self.addrs[i],
                before: before[i],
                after,
                net: net_line(&bal).unwrap_or_default(),
            });
        }
        Ok(nodes)
    }
}

/// The amount on `msgl balance`'s Net line.
pub fn net_line(balance_output: &str) -> Option<String> {
    balance_output.lines().find_map(|l| {
        l.strip_suffix(crate::cli::balance::NET)
            .map(|a| a.trim().to_string())
    })
}

/// Token base units as a decimal amount at 18 decimals.
pub fn tokens(v: U256) -> String {
    let s = format!("{:0>19}", v.to_string());
    let (int, frac) = s.split_at(s.len() - 18);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }
}

/// Signed difference of two balances, as a decimal amount.
pub fn token_delta(before: U256, after: U256) -> String {
    if after >= before {
        format!("+{}", tokens(after - before))
    } else {
        format!("-{}", tokens(before - after))
    }
}
