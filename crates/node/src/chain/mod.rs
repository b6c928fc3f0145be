//! `msgl chain …`: the node talks to an Ethereum node itself (issue 15;
//! docs/DESIGN.md §9.9, "The chain client"): deploys the contracts, deposits, puts
//! signed opens on chain, settles proof directories and books from the
//! receipts, and reads where its channels stand into a cached status that
//! `may-serve` consults.

pub mod client;

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, B256, U256};
use alloy_rpc_types_eth::{Filter, TransactionReceipt};
use alloy_sol_types::{SolCall, SolConstructor, SolEvent};
use msgl_circuits::Statement;
use msgl_settlement::{MsglSettlement, MsglVerifier, TestToken};
use serde::{Deserialize, Serialize};

pub use client::{Client, Sent};

use crate::error::{Error, Result};
use crate::home::{ChainSettings, Config, Home};
use crate::objects::{Acceptance, Open};
use crate::protocol::channel::{self, Role};
use crate::protocol::settle;

/// The cached status `msgl chain status` writes and `may-serve` reads.
pub const STATUS_FILE: &str = "chain/status.json";
/// A cached status older than this (seconds) is stale for `may-serve`.
pub const MAX_STATUS_AGE_SECS: u64 = 600;
/// `withdrawDelay` of a deployment unless told otherwise: one day.
pub const DEFAULT_WITHDRAW_DELAY: u64 = 24 * 3600;

/// Connects to the node of `home`: `rpc` or msgl.yaml's `chain.rpc`,
/// checked to be the chain of `chain.chain_id` (when there is one); with
/// the node's EVM key when `signing`.
pub fn connect(home: &Home, config: &Config, rpc: Option<&str>, signing: bool) -> Result<Client> {
    let url = rpc
        .map(str::to_owned)
        .or_else(|| config.node.rpc.clone())
        .ok_or_else(|| {
            Error::input("which Ethereum node?")
                .hint("set chain.rpc: http://HOST:PORT in msgl.yaml, or give --rpc URL")
        })?;
    let signer = if signing {
        Some(home.evm_signer()?)
    } else {
        None
    };
    Client::connect(
        home,
        &url,
        config.chain.as_ref().map(|c| c.chain_id),
        config.node.confirmations,
        signer,
    )
}

/// The deployment msgl.yaml names: (settlement, token).
pub fn deployment(config: &Config) -> Result<(Address, Address)> {
    let c = config.chain.as_ref().ok_or_else(|| {
        Error::input("this node has no chain: in msgl.yaml").hint(
            "run `msgl chain deploy --write-config`, or set chain: {rpc, chain_id, settlement, token}",
        )
    })?;
    let (s, t) = c.addresses()?;
    Ok((Address::from(s), Address::from(t)))
}

/// What `deploy` made.
#[derive(Debug, Clone)]
pub struct Deployment {
    pub token: Address,
    pub verifier: Address,
    pub settlement: Address,
    pub sent: Vec<Sent>,
}

fn creation<C: SolConstructor>(code: &[u8], args: &C) -> Vec<u8> {
    let mut data = code.to_vec();
    data.extend_from_slice(&args.abi_encode());
    data
}

fn deployed_at(client: &Client, sent: &Sent) -> Result<Address> {
    sent.receipt
        .contract_address
        .ok_or_else(|| client.fail(format!("{}: the receipt names no contract", sent.what)))
}

/// Deploys the on-chain verifier (`MsglVerifier`), a settlement contract
/// on it and `token` (absent: a fresh `TestToken` named after msgl.yaml's
/// token, anyone may mint it) with `withdraw_delay` seconds.
pub fn deploy(
    client: &Client,
    config: &Config,
    token: Option<Address>,
    withdraw_delay: u64,
) -> Result<Deployment> {
    let mut sent = Vec::new();
    let token = match token {
        Some(t) => {
            if !client.has_code(t)? {
                return Err(Error::check(format!(
                    "{}: no contract at the token address {t}",
                    client.url
                )));
            }
            t
        }
        None => {
            let decimals = u8::try_from(config.decimals)
                .map_err(|_| Error::input("msgl.yaml's decimals do not fit a token"))?;
            let s = client.send(
                "deploy-token",
                "deploy the test token",
                None,
                creation(
                    &TestToken::BYTECODE,
                    &TestToken::constructorCall {
                        name_: format!("msgl test {}", config.token),
                        symbol_: config.token.clone(),
                        decimals_: decimals,
                    },
                ),
            )?;
            let a = deployed_at(client, &s)?;
            sent.push(s);
            a
        }
    };
    let s = client.send(
        "deploy-verifier",
        "deploy the verifier",
        None,
        MsglVerifier::BYTECODE.to_vec(),
    )?;
    let verifier = deployed_at(client, &s)?;
    sent.push(s);
    let s = client.send(
        "deploy-settlement",
        "deploy the settlement contract",
        None,
        creation(
            &MsglSettlement::BYTECODE,
            &MsglSettlement::constructorCall {
                token_: token,
                verifier_: verifier,
                withdrawDelay_: withdraw_delay,
            },
        ),
    )?;
    let settlement = deployed_at(client, &s)?;
    sent.push(s);
    Ok(Deployment {
        token,
        verifier,
        settlement,
        sent,
    })
}

/// Writes a deployment into msgl.yaml's `chain:` (rpc, chain id, settlement,
/// token, verifier), keeping its confirmations.
pub fn write_config(home: &Home, client: &Client, d: &Deployment) -> Result<()> {
    home.edit_config(|config| {
        config.chain = Some(ChainSettings {
            chain_id: client.chain_id,
            settlement: d.settlement.to_checksum(None),
            token: d.token.to_checksum(None),
            verifier: Some(d.verifier.to_checksum(None)),
        });
        config.node.rpc = Some(client.url.clone());
        Ok(())
    })
}

/// Deposits `amount` base units into the settlement contract: approves it
/// first when the allowance is short; with `mint`, mints them first (a
/// test token).
pub fn deposit(client: &Client, config: &Config, amount: u128, mint: bool) -> Result<Vec<Sent>> {
    let (settlement, token) = deployment(config)?;
    let me = client.address()?;
    let value = U256::from(amount);
    let mut sent = Vec::new();
    if mint {
        sent.push(client.send(
            &format!("mint-{amount}"),
            "mint test tokens",
            Some(token),
            SolCall::abi_encode(&TestToken::mintCall { to: me, value }),
        )?);
    }
    let allowance = client.read(token, &TestToken::allowanceCall::new((me, settlement)))?;
    if allowance < value {
        sent.push(client.send(
            &format!("approve-{amount}"),
            "approve the settlement contract",
            Some(token),
            SolCall::abi_encode(&TestToken::approveCall {
                spender: settlement,
                value,
            }),
        )?);
    }
    sent.push(client.send(
        &format!("deposit-{amount}"),
        "deposit",
        Some(settlement),
        SolCall::abi_encode(&MsglSettlement::depositCall { amount: value }),
    )?);
    Ok(sent)
}

/// What `open` did.
#[derive(Debug, Clone)]
pub struct Opened {
    pub open: Open,
    /// `None`: the channel was on chain already with these terms.
    pub sent: Option<Sent>,
}

/// The payer puts its signed open of the channel `acceptance` accepts on
/// chain: `openChannel` with exactly the open's terms and the payee's
/// signature. Refuses an acceptance that is not the payee's over the
/// open's terms, an open of another node or deployment, and a channel id
/// already on chain with other terms.
pub fn open(home: &Home, client: &Client, config: &Config, acceptance: &Path) -> Result<Opened> {
    let text = std::fs::read_to_string(acceptance).map_err(|e| Error::io(acceptance, e))?;
    let a = Acceptance::from_yaml(&text).map_err(|e| e.in_file(acceptance))?;
    let open_path = home.open_path(&a.channel);
    let open = channel::read_open(home, &open_path)?.ok_or_else(|| {
        Error::input(format!(
            "no open of channel {} in this home",
            hex::encode(&a.channel[..8])
        ))
        .in_file(acceptance)
        .hint("the payer runs `msgl chain open` with the acceptance of its own `msgl open`")
    })?;
    open.verify().map_err(|e| e.in_file(&open_path))?;
    let me = home.public_key()?;
    if open.payer != me {
        return Err(Error::check("this node is not the channel's payer")
            .in_file(&open_path)
            .hint("only the payer opens a channel on chain"));
    }
    a.verify(&open).map_err(|e| e.in_file(acceptance))?;
    let (settlement, token) = deployment(config)?;
    let terms = &open.chain;
    if terms.chain_id != client.chain_id
        || Address::from(terms.settlement) != settlement
        || Address::from(terms.token) != token
    {
        return Err(Error::check(format!(
            "the open settles on chain {} at {} with token {}, not on this node's deployment",
            terms.chain_id,
            Address::from(terms.settlement),
            Address::from(terms.token)
        ))
        .in_file(&open_path));
    }
    let from = client.address()?;
    if Address::from(terms.payer_address) != from {
        return Err(Error::check(format!(
            "the open names payer address {}, this node's EVM key is {from}",
            Address::from(terms.payer_address)
        ))
        .in_file(&open_path));
    }
    let accept = msgl_settlement::Accept {
        channel: B256::from(open.channel),
        payer: from,
        payee: Address::from(terms.payee_address),
        token,
        units: open.length,
        unitPrice: open.unit_price,
        escrow: open.escrow,
    };
    let on_chain = client.read(
        settlement,
        &MsglSettlement::channelsCall::new((accept.channel,)),
    )?;
    if on_chain.payee != Address::ZERO {
        let same = on_chain.payer == from
            && on_chain.payee == accept.payee
            && on_chain.units == accept.units
            && on_chain.unitPrice == accept.unitPrice;
        if same {
            return Ok(Opened { open, sent: None });
        }
        return Err(Error::check(format!(
            "channel {} is on chain already with other terms",
            open.short_id()
        ))
        .in_file(&open_path));
    }
    let sent = client.send(
        &format!("open-{}", hex::encode(&open.channel[..8])),
        "open the channel",
        Some(settlement),
        msgl_settlement::open_channel_calldata(&accept, &a.signature),
    )?;
    Ok(Opened {
        open,
        sent: Some(sent),
    })
}

/// One channel of this home as the contract has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelStatus {
    /// The channel id, 0x-hex.
    pub channel: String,
    /// The peer's name in msgl.yaml (if it is still known).
    pub peer: Option<String>,
    /// `in` (this node is paid) or `out`.
    pub role: String,
    /// none, open, exiting, releasable or released (the contract's `status`).
    pub status: String,
    /// Escrow and debt, token base units.
    pub escrow: String,
    pub debt: String,
    /// Units settled, and the chain's length.
    pub count: u64,
    pub units: u64,
    /// The last settled preimage, 0x-hex.
    pub tip: String,
    /// A pending exit: when the escrow becomes releasable (unix seconds)
    /// and when the request lapses.
    pub releasable_at: Option<u64>,
    pub lapses_at: Option<u64>,
}

impl ChannelStatus {
    /// Whether its payer is leaving: an exit requested (pending or
    /// mature), or the escrow released.
    pub fn exiting(&self) -> bool {
        matches!(self.status.as_str(), "exiting" | "releasable" | "released")
    }
}

/// `msgl chain status`: what the contract holds for this home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub rpc: String,
    pub chain_id: u64,
    pub settlement: String,
    /// The block read and its time (unix seconds).
    pub block: u64,
    pub block_time: u64,
    /// When it was read (unix ms, this host's clock).
    pub fetched_ms: u64,
    /// This node's free deposit (base units), when it has an EVM key.
    pub deposit: Option<String>,
    pub channels: Vec<ChannelStatus>,
}

/// Reads every on-chain channel of this home from the contract and writes
/// the cached status ([`STATUS_FILE`]).
pub fn status(home: &Home, client: &Client, config: &Config) -> Result<StatusReport> {
    let (settlement, _) = deployment(config)?;
    let me = home.public_key()?;
    let block_time = client.latest_time()?;
    let block = client.block_number()?;
    let mut channels = Vec::new();
    for c in channel::list(home, &me)? {
        if c.open.chain.is_off_chain() || Address::from(c.open.chain.settlement) != settlement {
            continue;
        }
        let id = B256::from(c.id());
        let s = client.read(settlement, &MsglSettlement::channelsCall::new((id,)))?;
        let code = client.read(settlement, &MsglSettlement::statusCall { channel: id })?;
        let status = match code {
            0 => "none",
            1 => "open",
            2 => "exiting",
            3 => "releasable",
            _ => "released",
        };
        let pending = s.exitAt != 0 && matches!(status, "exiting" | "releasable");
        channels.push(ChannelStatus {
            channel: format!("0x{}", hex::encode(c.id())),
            peer: config.peer_by_key(&c.peer()).map(|p| p.name.clone()),
            role: if c.role == Role::In { "in" } else { "out" }.to_owned(),
            status: status.to_owned(),
            escrow: s.escrow.to_string(),
            debt: s.debt.to_string(),
            count: s.count,
            units: s.units,
            tip: format!("{}", s.tip),
            releasable_at: pending.then_some(s.exitAt),
            lapses_at: pending.then(|| s.exitAt + 7 * 24 * 3600),
        });
    }
    let deposit = match home.evm_address()? {
        Some(a) => Some(
            client
                .read(
                    settlement,
                    &MsglSettlement::depositsCall::new((Address::from(a),)),
                )?
                .to_string(),
        ),
        None => None,
    };
    let report = StatusReport {
        rpc: client.url.clone(),
        chain_id: client.chain_id,
        settlement: settlement.to_checksum(None),
        block,
        block_time,
        fetched_ms: crate::journal::append::now_ms(),
        deposit,
        channels,
    };
    let path = home.path(STATUS_FILE);
    crate::fsutil::mkdir(path.parent().expect("in chain/"), true)?;
    let text = serde_json::to_string_pretty(&report).expect("a status serializes") + "\n";
    crate::fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
    Ok(report)
}

/// The cached status, if any.
pub fn cached_status(home: &Home) -> Result<Option<StatusReport>> {
    let path = home.path(STATUS_FILE);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
            Error::input(format!("not a chain status: {e}"))
                .in_file(&path)
                .hint("refresh it with `msgl chain status`")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// Why `may-serve` refuses `peer` (ed25519 key) on chain grounds, judged
/// from the cached status at `now_ms`: a channel of the peer paying this
/// node (on this node's deployment) whose payer is leaving; or no cached
/// status, one older than `max_age_secs`, or one that does not know such a
/// channel (a careful operator does not serve on a view it has not got).
/// `None` when the node has no chain, or the peer no channel on it.
pub fn exit_refusal(
    home: &Home,
    config: &Config,
    peer: &[u8; 32],
    now_ms: u64,
    max_age_secs: u64,
) -> Result<Option<String>> {
    let Some(chain) = &config.chain else {
        return Ok(None);
    };
    let settlement = Address::from(chain.addresses()?.0);
    let me = home.public_key()?;
    let theirs: Vec<_> = channel::list(home, &me)?
        .into_iter()
        .filter(|c| {
            c.role == Role::In
                && c.peer() == *peer
                && !c.open.chain.is_off_chain()
                && Address::from(c.open.chain.settlement) == settlement
        })
        .collect();
    if theirs.is_empty() {
        return Ok(None);
    }
    let refresh =
        "refresh it with `msgl chain status` (cron), or judge without the chain: --offline";
    let Some(cache) = cached_status(home)? else {
        return Ok(Some(format!(
            "no cached chain status ({STATUS_FILE}): a pending exit would go unseen; {refresh}"
        )));
    };
    let age = now_ms.saturating_sub(cache.fetched_ms) / 1000;
    if age > max_age_secs {
        return Ok(Some(format!(
            "the cached chain status is {age} s old (more than {max_age_secs} s); {refresh}"
        )));
    }
    for c in &theirs {
        let id = format!("0x{}", hex::encode(c.id()));
        let Some(s) = cache.channels.iter().find(|s| s.channel == id) else {
            return Ok(Some(format!(
                "channel {} is not in the cached chain status ({age} s old); {refresh}",
                c.open.short_id()
            )));
        };
        if s.exiting() {
            let when = match s.releasable_at {
                Some(t) => format!(", releasable at unix time {t}"),
                None => String::new(),
            };
            return Ok(Some(format!(
                "channel {} is {} on chain{when} (chain status {age} s old): its payer is taking the escrow back",
                c.open.short_id(),
                s.status
            )));
        }
    }
    Ok(None)
}

/// One transaction of a settlement.
#[derive(Debug, Clone)]
pub struct Call {
    /// The step's key (its pending record) and what it does.
    pub key: String,
    pub what: String,
    pub to: Address,
    pub data: Vec<u8>,
    /// The settle call itself (its receipt is booked), not a verification.
    pub settles: bool,
}

/// The transactions that settle proof directory `dir` on the deployment
/// whose verifier is `verifier`: per part, in order, the on-chain
/// verification of its proof (recording the statement's fact), then
/// `settle`. Each part's proof (written by `msgl prove --for-chain`) is
/// verified here first, and its verifier transactions are exactly those
/// `msgl calldata --verify` prints ([`crate::proof::part_verify_calls`]).
pub fn settle_calls(dir: &Path, verifier: Address) -> Result<Vec<(Statement, Vec<Call>)>> {
    let mut out = Vec::new();
    for (k, part) in crate::proof::parts(dir)?.iter().enumerate() {
        let (statement, verify) = crate::proof::part_verify_calls(part, k + 1, Some(verifier))?;
        let fact = hex::encode(&msgl_settlement::statement_hash(&statement)[..8]);
        let mut calls: Vec<Call> = verify
            .into_iter()
            .enumerate()
            .map(|(i, c)| Call {
                key: format!("verify-{fact}-{}", i + 1),
                what: format!("{} ({})", c.purpose, part.display()),
                to: verifier,
                data: c.data,
                settles: false,
            })
            .collect();
        calls.push(Call {
            key: format!("settle-{fact}"),
            what: format!("settle {}", part.display()),
            to: Address::ZERO,
            data: msgl_settlement::settle_calldata(&statement),
            settles: true,
        });
        out.push((statement, calls));
    }
    Ok(out)
}

/// What `settle` did.
#[derive(Debug, Clone)]
pub struct Settled {
    pub sent: Vec<Sent>,
    /// Parts found settled on chain already (not sent again).
    pub already: usize,
    pub report: settle::Report,
}

/// Settles proof directory `dir` on msgl.yaml's deployment: for each part
/// not settled on chain yet, its verification (unless the verifier holds
/// the fact already) and `settle`, each waited for to `confirmations`;
/// then books SETTLED from the settle receipts as `msgl settled` does
/// ([`settle::book_receipts`]). A part whose entries the contract already
/// counts (a previous run's, or anyone's) is not sent again: its receipt is
/// found from the contract's `Settled` logs and booked (once).
pub fn settle(home: &Home, client: &Client, config: &Config, dir: &Path) -> Result<Settled> {
    let (settlement, token) = deployment(config)?;
    let verifier = client.read(settlement, &MsglSettlement::verifierCall {})?;
    let parts = settle_calls(dir, verifier)?;
    let mut sent = Vec::new();
    let mut receipts: Vec<(PathBuf, TransactionReceipt)> = Vec::new();
    let mut already = 0;
    for (statement, calls) in parts {
        let d = &statement.domain;
        if d.chain_id != client.chain_id
            || Address::from(d.settlement) != settlement
            || Address::from(d.token) != token
        {
            return Err(Error::check(
                "the statement is for another deployment (chain id, settlement or token)",
            )
            .in_file(dir)
            .hint("prove with this node's chain: settings"));
        }
        if let Some(found) = settled_on_chain(client, settlement, &statement)? {
            already += 1;
            for r in found {
                receipts.push((tx_name(client, &r), r));
            }
            continue;
        }
        let fact = B256::from(msgl_settlement::statement_hash(&statement));
        for call in calls {
            if !call.settles {
                let known = client.read(verifier, &MsglVerifier::isValidCall { fact })?;
                if known {
                    continue;
                }
            }
            let to = if call.settles { settlement } else { call.to };
            let s = client.send(&call.key, &call.what, Some(to), call.data)?;
            if call.settles {
                receipts.push((tx_name(client, &s.receipt), s.receipt.clone()));
            }
            sent.push(s);
        }
    }
    let opts = settle::Options::for_home(home, Some(settlement))?;
    let report = settle::book_receipts(home, &receipts, &opts)?;
    Ok(Settled {
        sent,
        already,
        report,
    })
}

/// What `claim` did.
#[derive(Debug, Clone)]
pub struct Claimed {
    /// The claim sent (`None`: nothing was claimable).
    pub sent: Option<Sent>,
    pub report: settle::Report,
}

/// The payee takes what settlements credited it: when its `claimable`
/// balance on msgl.yaml's deployment is not zero, `claim` to its own
/// address, waited for to `confirmations`; then books CLAIMED from the
/// receipts of every `Claimed` event of this node's address, as `msgl
/// settled` does ([`settle::book_receipts`]): a claim an earlier run sent
/// but did not book is booked now, and none twice.
pub fn claim(home: &Home, client: &Client, config: &Config) -> Result<Claimed> {
    let (settlement, _) = deployment(config)?;
    let me = client.address()?;
    let amount = client.read(settlement, &MsglSettlement::claimableCall::new((me,)))?;
    let sent = if amount.is_zero() {
        None
    } else {
        Some(client.send(
            &format!("claim-{amount}"),
            "claim",
            Some(settlement),
            SolCall::abi_encode(&MsglSettlement::claimCall { to: me }),
        )?)
    };
    let filter = Filter::new()
        .address(settlement)
        .event_signature(MsglSettlement::Claimed::SIGNATURE_HASH)
        .topic1(me.into_word())
        .from_block(0);
    let mut hashes: Vec<B256> = Vec::new();
    for log in client.logs(&filter)? {
        if let Some(h) = log.transaction_hash {
            if !hashes.contains(&h) {
                hashes.push(h);
            }
        }
    }
    let mut receipts = Vec::new();
    for h in hashes {
        let r = client.confirmed(h, "a claim found on chain")?;
        receipts.push((tx_name(client, &r), r));
    }
    let report = if receipts.is_empty() {
        settle::Report::default()
    } else {
        let opts = settle::Options::for_home(home, Some(settlement))?;
        settle::book_receipts(home, &receipts, &opts)?
    };
    Ok(Claimed { sent, report })
}

fn tx_name(client: &Client, r: &TransactionReceipt) -> PathBuf {
    PathBuf::from(format!("{} tx {}", client.url, r.transaction_hash))
}

/// When every entry of `statement` is counted by the contract already: the
/// receipts of the transactions that settled them (found from the
/// contract's `Settled` logs with those counts, confirmed), which may be
/// none (a later statement went past them). `None`: not settled yet.
fn settled_on_chain(
    client: &Client,
    settlement: Address,
    statement: &Statement,
) -> Result<Option<Vec<TransactionReceipt>>> {
    for e in &statement.entries {
        let c = client.read(
            settlement,
            &MsglSettlement::channelsCall::new((B256::from(e.channel),)),
        )?;
        if c.count < e.new_count {
            return Ok(None);
        }
    }
    let mut hashes: Vec<B256> = Vec::new();
    for e in &statement.entries {
        let filter = Filter::new()
            .address(settlement)
            .event_signature(MsglSettlement::Settled::SIGNATURE_HASH)
            .topic1(B256::from(e.channel))
            .from_block(0);
        for log in client.logs(&filter)? {
            let Ok(ev) = MsglSettlement::Settled::decode_log(&log.inner) else {
                continue;
            };
            if ev.newCount == e.new_count && ev.oldCount == e.old_count {
                if let Some(h) = log.transaction_hash {
                    if !hashes.contains(&h) {
                        hashes.push(h);
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    for h in hashes {
        out.push(client.confirmed(h, "a settlement found on chain")?);
    }
    Ok(Some(out))
}
