//! A small in-memory chain on `revm` that runs the committed contract
//! artifacts: deploy, transact or call as any address, read logs and gas.
//!
//! Gas is priced at zero, so accounts need no ether; everything else is
//! mainnet Osaka rules (revm's `SpecId::OSAKA`: the EIP-7825 cap of 2^24 gas
//! per transaction, the EIP-7623 calldata floor of Prague; the contracts
//! are compiled for Prague, whose bytecode Osaka runs unchanged).
//! Block time starts at [`GENESIS_TIMESTAMP`] and only moves when asked.

use std::fmt;

use alloy_primitives::{Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolConstructor, SolError, SolEvent, SolInterface};
use revm::{
    context::{
        result::{ExecutionResult, Output},
        TxEnv,
    },
    database::{CacheDB, EmptyDB},
    handler::{MainnetContext, MainnetEvm},
    primitives::{hardfork::SpecId, TxKind},
    Context, Database, DatabaseCommit, ExecuteEvm, MainBuilder, MainContext,
};

use crate::bindings::{FactRegistry, MsglSettlement, QuirkyToken, TestToken};

/// Block timestamp of a new [`Evm`] (seconds).
pub const GENESIS_TIMESTAMP: u64 = 1_700_000_000;

/// The chain id of every [`Evm`] (`block.chainid`; anvil's default).
pub const CHAIN_ID: u64 = 31337;

/// Gas limit of every transaction (the EIP-7825 cap, 2^24).
pub const TX_GAS_LIMIT: u64 = 1 << 24;

type Revm = MainnetEvm<MainnetContext<CacheDB<EmptyDB>>>;

/// An in-memory EVM chain. Every [`Evm::call`] or [`Evm::deploy`] is its
/// own block-less transaction, committed at once when it succeeds; a failed
/// one changes nothing (not even the sender's nonce).
pub struct Evm {
    evm: Revm,
}

/// What a successful transaction or call returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Gas the transaction used, as a receipt would show it (intrinsic
    /// 21,000 and calldata included, refunds subtracted).
    pub gas_used: u64,
    /// Logs emitted, in order.
    pub logs: Vec<Log>,
    /// Return data.
    pub output: Bytes,
    /// The transaction's name on this chain: `keccak256(sender ‖ nonce)`
    /// (there are no signed transactions here to hash).
    pub tx_hash: B256,
    pub from: Address,
    pub to: Address,
    /// The block it ran in, and that block's time.
    pub block_number: u64,
    pub block_timestamp: u64,
}

impl Outcome {
    /// The transaction's receipt as a node returns it
    /// (`eth_getTransactionReceipt`, `cast receipt --json`): status 1, the
    /// gas used, the logs with their block, transaction and log indices.
    pub fn receipt(&self) -> alloy_rpc_types_eth::TransactionReceipt {
        use alloy_consensus::{Receipt, ReceiptEnvelope, ReceiptWithBloom};
        let block_hash = alloy_primitives::keccak256(self.block_number.to_be_bytes());
        let logs: Vec<alloy_rpc_types_eth::Log> = self
            .logs
            .iter()
            .enumerate()
            .map(|(i, log)| alloy_rpc_types_eth::Log {
                inner: log.clone(),
                block_hash: Some(block_hash),
                block_number: Some(self.block_number),
                block_timestamp: Some(self.block_timestamp),
                transaction_hash: Some(self.tx_hash),
                transaction_index: Some(0),
                log_index: Some(i as u64),
                removed: false,
            })
            .collect();
        let receipt = Receipt {
            status: true.into(),
            cumulative_gas_used: self.gas_used,
            logs,
        };
        let bloom = receipt.bloom_slow();
        alloy_rpc_types_eth::TransactionReceipt {
            inner: ReceiptEnvelope::Eip1559(ReceiptWithBloom {
                receipt,
                logs_bloom: bloom,
            }),
            transaction_hash: self.tx_hash,
            transaction_index: Some(0),
            block_hash: Some(block_hash),
            block_number: Some(self.block_number),
            gas_used: self.gas_used,
            effective_gas_price: 0,
            blob_gas_used: None,
            blob_gas_price: None,
            from: self.from,
            to: Some(self.to),
            contract_address: None,
        }
    }

    /// The logs that decode as event `E`, in order.
    pub fn events<E: SolEvent>(&self) -> Vec<E> {
        self.logs
            .iter()
            .filter(|log| log.topics().first() == Some(&E::SIGNATURE_HASH))
            .filter_map(|log| E::decode_log(log).ok().map(|decoded| decoded.data))
            .collect()
    }
}

/// A deployed contract and what its deployment cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deployed {
    pub address: Address,
    pub gas_used: u64,
}

/// Why an EVM halted (revm's `HaltReason`): out of gas, a bad opcode or
/// jump, a stack or call-depth limit, ...
pub use revm::context::result::{HaltReason, OutOfGasError};

/// Why a transaction or call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revert {
    /// Readable reason: the decoded custom error of one of msgl's contracts,
    /// `Error(string)`, `Panic(code)`, an EVM halt or an invalid transaction.
    pub reason: String,
    /// What kind of failure it is; match on this, not on `reason`.
    pub cause: Cause,
    /// Raw revert data (empty for halts and invalid transactions).
    pub data: Bytes,
    /// Gas used (0 when the transaction was not valid at all).
    pub gas_used: u64,
}

/// The kind of a [`Revert`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The code reverted; [`Revert::data`] holds the revert data
    /// ([`Revert::is`] / [`Revert::decode`] name the custom error).
    Reverted,
    /// The EVM halted: out of gas, an invalid opcode, ...
    Halted(HaltReason),
    /// The transaction was not valid (nonce, gas limit above the cap, ...);
    /// it did not run.
    Invalid,
    /// It ran and succeeded, but its output is not what was asked for: a
    /// return that does not decode, or a deployment without an address.
    BadReturn,
}

impl Revert {
    /// True when the EVM halted for lack of gas (any of revm's
    /// [`OutOfGasError`] kinds).
    pub fn out_of_gas(&self) -> bool {
        matches!(self.cause, Cause::Halted(HaltReason::OutOfGas(_)))
    }

    /// Decodes the revert data as custom error `E`, if that is what it is.
    pub fn decode<E: SolError>(&self) -> Option<E> {
        E::abi_decode(&self.data).ok()
    }

    /// True when the revert data is custom error `E`.
    pub fn is<E: SolError>(&self) -> bool {
        self.data.len() >= 4 && self.data[..4] == E::SELECTOR
    }

    fn from_data(data: Bytes, gas_used: u64) -> Self {
        Revert {
            reason: decode_revert(&data),
            cause: Cause::Reverted,
            data,
            gas_used,
        }
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "reverted: {}", self.reason)
    }
}

impl std::error::Error for Revert {}

/// Names the revert data: a custom error of one of msgl's contracts (with its
/// fields), `Error(string)`, `Panic(uint256)`, or the raw hex.
pub fn decode_revert(data: &[u8]) -> String {
    if data.is_empty() {
        return "no revert data".to_owned();
    }
    if let Ok(e) = MsglSettlement::MsglSettlementErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = FactRegistry::FactRegistryErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = TestToken::TestTokenErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = QuirkyToken::QuirkyTokenErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = crate::MsglVerifier::MsglVerifierErrors::abi_decode(data) {
        return format!("{e:?}");
    }
    if let Ok(e) = alloy_sol_types::Revert::abi_decode(data) {
        return format!("Error({:?})", e.reason);
    }
    if let Ok(e) = alloy_sol_types::Panic::abi_decode(data) {
        return format!("Panic({:#x})", e.code);
    }
    format!(
        "unknown revert data 0x{}",
        alloy_primitives::hex::encode(data)
    )
}

impl Default for Evm {
    fn default() -> Self {
        Self::new()
    }
}

impl Evm {
    /// An empty chain at [`GENESIS_TIMESTAMP`], block 1, Osaka rules.
    pub fn new() -> Self {
        let evm = Context::mainnet()
            .modify_cfg_chained(|cfg| {
                cfg.set_spec_and_mainnet_gas_params(SpecId::OSAKA);
                cfg.chain_id = CHAIN_ID;
            })
            .modify_block_chained(|block| {
                block.number = U256::from(1);
                block.timestamp = U256::from(GENESIS_TIMESTAMP);
                block.gas_limit = 1 << 30;
                block.basefee = 0;
            })
            .with_db(CacheDB::<EmptyDB>::default())
            .build_mainnet();
        Evm { evm }
    }

    /// The current block timestamp (seconds).
    pub fn timestamp(&self) -> u64 {
        self.evm.ctx.block.timestamp.saturating_to()
    }

    /// Moves block time forward by `seconds` (and the block number by one).
    pub fn advance_time(&mut self, seconds: u64) {
        let block = &mut self.evm.ctx.block;
        block.timestamp += U256::from(seconds);
        block.number += U256::from(1);
    }

    /// The account nonce of `who` (transactions sent, contracts created).
    pub fn nonce(&mut self, who: Address) -> u64 {
        self.evm
            .ctx
            .journaled_state
            .database
            .basic(who)
            .ok()
            .flatten()
            .map_or(0, |info| info.nonce)
    }

    /// Runtime code at `address` (empty for an account without code).
    pub fn code(&mut self, address: Address) -> Bytes {
        let db = &mut self.evm.ctx.journaled_state.database;
        let Ok(Some(info)) = db.basic(address) else {
            return Bytes::new();
        };
        match info.code {
            Some(code) => code.original_bytes(),
            None => db
                .code_by_hash(info.code_hash)
                .map(|c| c.original_bytes())
                .unwrap_or_default(),
        }
    }

    fn tx(&mut self, from: Address, kind: TxKind, data: Bytes) -> Result<TxEnv, Revert> {
        self.tx_with_gas(from, kind, data, TX_GAS_LIMIT)
    }

    fn tx_with_gas(
        &mut self,
        from: Address,
        kind: TxKind,
        data: Bytes,
        gas_limit: u64,
    ) -> Result<TxEnv, Revert> {
        let nonce = self.nonce(from);
        TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data)
            .nonce(nonce)
            .gas_limit(gas_limit)
            .gas_price(0)
            .chain_id(Some(CHAIN_ID))
            .build()
            .map_err(|e| invalid(format!("{e:?}")))
    }

    /// Deploys `init_code` (creation bytecode followed by the ABI-encoded
    /// constructor arguments) from `from`.
    pub fn deploy(
        &mut self,
        from: Address,
        init_code: impl Into<Bytes>,
    ) -> Result<Deployed, Revert> {
        let tx = self.tx(from, TxKind::Create, init_code.into())?;
        match self.execute(tx)? {
            ExecutionResult::Success {
                output: Output::Create(_, Some(address)),
                gas,
                ..
            } => Ok(Deployed {
                address,
                gas_used: gas.tx_gas_used(),
            }),
            other => Err(failure(other)),
        }
    }

    /// Deploys contract `C`'s creation code with constructor arguments `args`.
    pub fn deploy_contract<C: SolConstructor>(
        &mut self,
        from: Address,
        creation_code: &[u8],
        args: &C,
    ) -> Result<Deployed, Revert> {
        let mut init = creation_code.to_vec();
        init.extend_from_slice(&args.abi_encode());
        self.deploy(from, init)
    }

    /// Sends a transaction from `from` to `to` with `calldata` and commits
    /// its effects when it succeeds (a failed one changes nothing, not even
    /// the sender's nonce: this chain has no blocks to include it in).
    pub fn call(
        &mut self,
        from: Address,
        to: Address,
        calldata: impl Into<Bytes>,
    ) -> Result<Outcome, Revert> {
        let tx = self.tx(from, TxKind::Call(to), calldata.into())?;
        let meta = self.meta(from, to, tx.nonce);
        outcome(self.execute(tx)?, meta)
    }

    /// What an [`Outcome`] says of the transaction besides its result.
    fn meta(&self, from: Address, to: Address, nonce: u64) -> Meta {
        let mut pre = from.to_vec();
        pre.extend_from_slice(&nonce.to_be_bytes());
        Meta {
            tx_hash: alloy_primitives::keccak256(pre),
            from,
            to,
            block_number: self.evm.ctx.block.number.saturating_to(),
            block_timestamp: self.timestamp(),
        }
    }

    /// Runs `tx`; commits its state only when it succeeded.
    fn execute(&mut self, tx: TxEnv) -> Result<ExecutionResult, Revert> {
        let result = self.evm.transact_one(tx);
        let state = self.evm.finalize();
        let result = result.map_err(|e| invalid(e.to_string()))?;
        if result.is_success() {
            self.evm.ctx.journaled_state.database.commit(state);
        }
        Ok(result)
    }

    /// Runs a call with a gas limit above the EIP-7825 cap and throws its
    /// effects away: measures what a transaction over the cap would use.
    pub fn view_uncapped(
        &mut self,
        from: Address,
        to: Address,
        calldata: impl Into<Bytes>,
    ) -> Result<Outcome, Revert> {
        let tx = self.tx_with_gas(from, TxKind::Call(to), calldata.into(), 1 << 29)?;
        let meta = self.meta(from, to, tx.nonce);
        // Lift the EIP-7825 cap for this call only.
        self.evm.ctx.cfg.tx_gas_limit_cap = Some(u64::MAX);
        let result = self.evm.transact(tx);
        self.evm.ctx.cfg.tx_gas_limit_cap = None;
        let result = result.map_err(|e| invalid(e.to_string()))?;
        outcome(result.result, meta)
    }

    /// Runs a call from `from` to `to` and throws its effects away (an
    /// `eth_call`).
    pub fn view(
        &mut self,
        from: Address,
        to: Address,
        calldata: impl Into<Bytes>,
    ) -> Result<Outcome, Revert> {
        let tx = self.tx(from, TxKind::Call(to), calldata.into())?;
        let meta = self.meta(from, to, tx.nonce);
        let result = self.evm.transact(tx).map_err(|e| invalid(e.to_string()))?;
        outcome(result.result, meta)
    }

    /// Sends the typed call `call` (see [`Evm::call`]).
    pub fn send<C: SolCall>(
        &mut self,
        from: Address,
        to: Address,
        call: &C,
    ) -> Result<Outcome, Revert> {
        self.call(from, to, call.abi_encode())
    }

    /// Runs the typed call `call` without committing and decodes its return.
    pub fn read<C: SolCall>(&mut self, to: Address, call: &C) -> Result<C::Return, Revert> {
        let out = self.view(Address::ZERO, to, call.abi_encode())?;
        C::abi_decode_returns(&out.output).map_err(|e| Revert {
            reason: format!("cannot decode the return of {}: {e}", C::SIGNATURE),
            cause: Cause::BadReturn,
            data: out.output,
            gas_used: out.gas_used,
        })
    }
}

fn invalid(reason: String) -> Revert {
    Revert {
        reason: format!("invalid transaction: {reason}"),
        cause: Cause::Invalid,
        data: Bytes::new(),
        gas_used: 0,
    }
}

fn failure(result: ExecutionResult) -> Revert {
    match result {
        ExecutionResult::Revert { gas, output, .. } => Revert::from_data(output, gas.tx_gas_used()),
        ExecutionResult::Halt { reason, gas, .. } => Revert {
            reason: format!("halted: {reason:?}"),
            cause: Cause::Halted(reason),
            data: Bytes::new(),
            gas_used: gas.tx_gas_used(),
        },
        ExecutionResult::Success { gas, output, .. } => Revert {
            reason: format!("unexpected output {output:?}"),
            cause: Cause::BadReturn,
            data: Bytes::new(),
            gas_used: gas.tx_gas_used(),
        },
    }
}

struct Meta {
    tx_hash: B256,
    from: Address,
    to: Address,
    block_number: u64,
    block_timestamp: u64,
}

fn outcome(result: ExecutionResult, meta: Meta) -> Result<Outcome, Revert> {
    match result {
        ExecutionResult::Success {
            gas, logs, output, ..
        } => Ok(Outcome {
            gas_used: gas.tx_gas_used(),
            logs,
            output: output.into_data(),
            tx_hash: meta.tx_hash,
            from: meta.from,
            to: meta.to,
            block_number: meta.block_number,
            block_timestamp: meta.block_timestamp,
        }),
        other => Err(failure(other)),
    }
}

/// Converts a 32-byte value to the `bytes32` type of the bindings.
pub fn b256(bytes: [u8; 32]) -> B256 {
    B256::from(bytes)
}
