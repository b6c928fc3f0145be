//! A JSON-RPC client of one Ethereum node (alloy over plain HTTP) with this
//! node's EVM key: reads, and sends that survive a rerun (docs/DESIGN.md
//! §9.9, "The chain client").
//!
//! Every send is signed here and its raw bytes recorded in
//! `chain/pending/<key>.json` *before* they go to the node; a rerun of the
//! same step finds the record and waits for that very transaction (sending
//! the same bytes again if the node lost them), so a step is never sent
//! twice. A transaction is returned once it is `confirmations` blocks deep;
//! then its record goes. Every RPC call is bounded by a timeout; an
//! unreachable, slow or garbled node is a failed check (exit 1) naming the
//! URL.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use alloy_network::eip2718::Encodable2718;
use alloy_network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder};
use alloy_primitives::{Address, Bytes, B256};
use alloy_provider::{Provider, RootProvider};
use alloy_rpc_types_eth::{Filter, TransactionReceipt, TransactionRequest};
use alloy_signer_local::PrivateKeySigner;
use alloy_sol_types::SolCall;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::home::Home;

/// How long one RPC call may take.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a sent transaction may take to be mined and confirmed before
/// the command gives up (a rerun waits for the same transaction).
pub const MINE_TIMEOUT: Duration = Duration::from_secs(600);
/// Where sent-but-unconfirmed transactions are recorded.
pub const PENDING_DIR: &str = "chain/pending";
/// EIP-7825: no transaction may ask for more gas.
pub const TX_GAS_CAP: u64 = 1 << 24;

/// A node, and the key that signs (absent: reads only).
pub struct Client {
    rt: tokio::runtime::Runtime,
    provider: RootProvider,
    /// The node's URL, as errors name it.
    pub url: String,
    signer: Option<PrivateKeySigner>,
    /// The node's chain id (checked against msgl.yaml's).
    pub chain_id: u64,
    /// Blocks deep before a transaction counts (1: mined).
    pub confirmations: u64,
    pending: PathBuf,
    /// How long one call may take.
    pub timeout: Duration,
    /// How long a transaction may take to be mined and confirmed.
    pub mine_timeout: Duration,
}

/// A transaction sent for a step and confirmed.
#[derive(Debug, Clone)]
pub struct Sent {
    /// What it did.
    pub what: String,
    pub receipt: TransactionReceipt,
    /// Whether this run sent it (false: a previous run did, or it was found
    /// on chain).
    pub fresh: bool,
}

#[derive(Serialize, Deserialize)]
struct Record {
    what: String,
    hash: B256,
    nonce: u64,
    raw: Bytes,
}

impl Client {
    /// Connects to `url` (http:// only), checks that it answers with chain
    /// `expect_chain` (when given), and signs with `signer`.
    pub fn connect(
        home: &Home,
        url: &str,
        expect_chain: Option<u64>,
        confirmations: u64,
        signer: Option<PrivateKeySigner>,
    ) -> Result<Client> {
        if url.starts_with("https://") {
            return Err(Error::input(format!(
                "{url}: this msgl is built without TLS (its chain client speaks plain HTTP)"
            ))
            .hint("use a node on this host or private network (http://), or a local TLS-terminating proxy"));
        }
        let parsed = url.parse().map_err(|e| {
            Error::input(format!("bad RPC URL `{url}`: {e}")).hint("chain.rpc: http://HOST:PORT")
        })?;
        if !url.starts_with("http://") {
            return Err(Error::input(format!("bad RPC URL `{url}`: not http://"))
                .hint("chain.rpc: http://HOST:PORT"));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::input(format!("cannot start the RPC client: {e}")))?;
        let mut client = Client {
            rt,
            provider: RootProvider::new_http(parsed),
            url: url.to_owned(),
            signer,
            chain_id: 0,
            confirmations: confirmations.max(1),
            pending: home.path(PENDING_DIR),
            timeout: RPC_TIMEOUT,
            mine_timeout: MINE_TIMEOUT,
        };
        let id = client.rpc("eth_chainId", client.provider.get_chain_id())?;
        if let Some(want) = expect_chain {
            if id != want {
                return Err(Error::chain(format!(
                    "{url} is chain {id}, not chain {want} (chain.chain_id in msgl.yaml)"
                ))
                .hint("point chain.rpc at a node of the chain this node's channels settle on"));
            }
        }
        client.chain_id = id;
        Ok(client)
    }

    /// The signing address.
    pub fn address(&self) -> Result<Address> {
        self.signer
            .as_ref()
            .map(|s| s.address())
            .ok_or_else(|| Error::input("this command needs the node's EVM key"))
    }

    /// An error about the node at this URL (exit 1): nothing was booked.
    pub fn fail(&self, what: impl std::fmt::Display) -> Error {
        Error::chain(format!("{}: {what}", self.url)).hint(
            "is the node up, and chain.rpc in msgl.yaml right? nothing was booked; rerun when it answers",
        )
    }

    /// Runs one RPC call under the timeout.
    pub fn rpc<T, E: std::fmt::Display>(
        &self,
        method: &str,
        fut: impl Future<Output = std::result::Result<T, E>>,
    ) -> Result<T> {
        match self
            .rt
            .block_on(async { tokio::time::timeout(self.timeout, fut).await })
        {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.fail(format!("{method} failed: {e}"))),
            Err(_) => Err(self.fail(format!(
                "{method}: no answer within {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// `eth_call` of `data` on `to`.
    pub fn call_raw(&self, to: Address, data: Vec<u8>) -> Result<Bytes> {
        let tx = TransactionRequest::default().with_to(to).with_input(data);
        self.rpc("eth_call", async { self.provider.call(tx).await })
    }

    /// A contract's view function.
    pub fn read<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        let bytes = self.call_raw(to, call.abi_encode())?;
        C::abi_decode_returns(&bytes).map_err(|e| {
            self.fail(format!(
                "{} on {to}: an answer that does not decode ({e}): is the contract there?",
                C::SIGNATURE
            ))
        })
    }

    /// Whether `at` has code.
    pub fn has_code(&self, at: Address) -> Result<bool> {
        let code = self.rpc("eth_getCode", async { self.provider.get_code_at(at).await })?;
        Ok(!code.is_empty())
    }

    /// The receipt of `hash`, if mined.
    pub fn receipt(&self, hash: B256) -> Result<Option<TransactionReceipt>> {
        self.rpc("eth_getTransactionReceipt", async {
            self.provider.get_transaction_receipt(hash).await
        })
    }

    /// Logs matching `filter`.
    pub fn logs(&self, filter: &Filter) -> Result<Vec<alloy_rpc_types_eth::Log>> {
        self.rpc("eth_getLogs", async {
            self.provider.get_logs(filter).await
        })
    }

    /// The latest block's number.
    pub fn block_number(&self) -> Result<u64> {
        self.rpc("eth_blockNumber", async {
            self.provider.get_block_number().await
        })
    }

    /// The latest block's timestamp (what the contract's `block.timestamp`
    /// was last).
    pub fn latest_time(&self) -> Result<u64> {
        let block = self.rpc("eth_getBlockByNumber", async {
            self.provider
                .get_block_by_number(alloy_rpc_types_eth::BlockNumberOrTag::Latest)
                .await
        })?;
        block
            .map(|b| b.header.timestamp)
            .ok_or_else(|| self.fail("no latest block"))
    }

    /// The accounts the node itself holds unlocked (`eth_accounts`): a
    /// development node's (anvil, hardhat, geth --dev) funded ones; none on
    /// a public node.
    pub fn accounts(&self) -> Result<Vec<Address>> {
        self.rpc("eth_accounts", async { self.provider.get_accounts().await })
    }

    /// Has the node send `value` wei and `data` to `to` from its unlocked
    /// account `from` (`eth_sendTransaction`: the node signs), and waits
    /// for the confirmed receipt. For funding on a development node only:
    /// not recorded for a rerun like [`Client::send`].
    pub fn send_unlocked(
        &self,
        what: &str,
        from: Address,
        to: Address,
        value: alloy_primitives::U256,
        data: Vec<u8>,
    ) -> Result<TransactionReceipt> {
        let tx = TransactionRequest::default()
            .with_from(from)
            .with_to(to)
            .with_value(value)
            .with_input(data);
        let pending = self.rpc("eth_sendTransaction", async {
            self.provider.send_transaction(tx).await
        })?;
        let hash = *pending.tx_hash();
        let receipt = self.confirmed(hash, what)?;
        if !receipt.status() {
            return Err(Error::chain(format!(
                "{}: {what}: transaction {hash} reverted on chain",
                self.url
            )));
        }
        Ok(receipt)
    }

    fn record_path(&self, key: &str) -> PathBuf {
        self.pending.join(format!("{key}.json"))
    }

    /// Sends `data` to `to` (`None`: deploys `data`) as the step `key`
    /// (a file name: what makes a rerun find it), describing it as `what`;
    /// returns the confirmed receipt. A reverting call is refused before
    /// anything is sent; a reverted transaction is an error.
    pub fn send(&self, key: &str, what: &str, to: Option<Address>, data: Vec<u8>) -> Result<Sent> {
        let from = self.address()?;
        let path = self.record_path(key);
        if let Some(rec) = self.read_record(&path)? {
            if let Some(sent) = self.resume(&path, &rec, from)? {
                return Ok(sent);
            }
        }
        let mut tx = TransactionRequest::default()
            .with_from(from)
            .with_chain_id(self.chain_id)
            .with_input(data);
        tx = match to {
            Some(to) => tx.with_to(to),
            None => tx.into_create(),
        };
        let gas = self
            .rt
            .block_on(async {
                tokio::time::timeout(self.timeout, self.provider.estimate_gas(tx.clone())).await
            })
            .map_err(|_| self.fail("eth_estimateGas: no answer in time"))?
            .map_err(|e| {
                Error::chain(format!(
                    "{}: {what}: the node refuses it (nothing sent): {e}",
                    self.url
                ))
            })?;
        let fees = self.rpc("eth_feeHistory", async {
            self.provider.estimate_eip1559_fees().await
        })?;
        let nonce = self.rpc("eth_getTransactionCount", async {
            self.provider.get_transaction_count(from).pending().await
        })?;
        let tx = tx
            .with_nonce(nonce)
            .with_gas_limit((gas + gas / 5).min(TX_GAS_CAP).max(gas))
            .with_max_fee_per_gas(fees.max_fee_per_gas)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let wallet = EthereumWallet::from(self.signer.clone().expect("checked by address()"));
        let envelope = self
            .rt
            .block_on(tx.build(&wallet))
            .map_err(|e| Error::input(format!("cannot sign the transaction: {e}")))?;
        let rec = Record {
            what: what.to_owned(),
            hash: *envelope.tx_hash(),
            nonce,
            raw: envelope.encoded_2718().into(),
        };
        crate::fsutil::mkdir(&self.pending, true)?;
        let text = serde_json::to_string_pretty(&rec).expect("a record serializes");
        crate::fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
        self.broadcast(&rec)?;
        let receipt = self.confirmed(rec.hash, &rec.what)?;
        let _ = std::fs::remove_file(&path);
        self.check_status(&rec, receipt, true)
    }

    fn read_record(&self, path: &std::path::Path) -> Result<Option<Record>> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::input(format!("not a pending-transaction record: {e}"))
                    .in_file(path)
                    .hint("remove it if no transaction is pending for this step")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path, e)),
        }
    }

    /// A previous run's transaction for this step: its confirmed receipt,
    /// or `None` when it can never be mined (its nonce went to another
    /// transaction), so that the step is sent anew.
    fn resume(&self, path: &std::path::Path, rec: &Record, from: Address) -> Result<Option<Sent>> {
        if self.receipt(rec.hash)?.is_none() {
            let used = self.rpc("eth_getTransactionCount", async {
                self.provider.get_transaction_count(from).latest().await
            })?;
            if used > rec.nonce {
                let _ = std::fs::remove_file(path);
                return Ok(None);
            }
            self.broadcast(rec)?;
        }
        let receipt = self.confirmed(rec.hash, &rec.what)?;
        let _ = std::fs::remove_file(path);
        self.check_status(rec, receipt, false).map(Some)
    }

    fn check_status(&self, rec: &Record, receipt: TransactionReceipt, fresh: bool) -> Result<Sent> {
        if !receipt.status() {
            return Err(Error::chain(format!(
                "{}: {}: transaction {} reverted on chain",
                self.url, rec.what, rec.hash
            )));
        }
        Ok(Sent {
            what: rec.what.clone(),
            receipt,
            fresh,
        })
    }

    /// Sends the recorded bytes; a node that has them already is fine.
    fn broadcast(&self, rec: &Record) -> Result<()> {
        let r = self.rt.block_on(async {
            tokio::time::timeout(self.timeout, self.provider.send_raw_transaction(&rec.raw)).await
        });
        match r {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                let text = e.to_string().to_lowercase();
                if text.contains("already known") || text.contains("already imported") {
                    Ok(())
                } else {
                    Err(self.fail(format!(
                        "eth_sendRawTransaction ({}) failed: {e}",
                        rec.what
                    )))
                }
            }
            Err(_) => Err(self.fail(format!(
                "eth_sendRawTransaction: no answer within {} s (rerun: the same transaction is sent, never a second)",
                self.timeout.as_secs()
            ))),
        }
    }

    /// Waits until transaction `hash` (doing `what`) is mined and
    /// `confirmations` blocks deep (its receipt read again then, in case of
    /// a reorganisation).
    pub fn confirmed(&self, hash: B256, what: &str) -> Result<TransactionReceipt> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(20);
        loop {
            if let Some(r) = self.receipt(hash)? {
                let mined = r.block_number.unwrap_or(0);
                let head = self.rpc("eth_blockNumber", async {
                    self.provider.get_block_number().await
                })?;
                if head + 1 >= mined + self.confirmations {
                    if let Some(r) = self.receipt(hash)? {
                        return Ok(r);
                    }
                }
            }
            if start.elapsed() > self.mine_timeout {
                return Err(self.fail(format!(
                    "{} ({}) not mined and {} block(s) deep within {} s; rerun to keep waiting (it is not sent twice)",
                    what,
                    hash,
                    self.confirmations,
                    self.mine_timeout.as_secs()
                )));
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    }
}
