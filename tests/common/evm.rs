//! The committed, compiled contracts in revm, driven the way a node's
//! operator drives a chain: homes configured for the deployment, channels
//! opened on chain from `msgl open` and `msgl accept-open -o` files, proofs
//! verified with `msgl calldata --verify`'s transactions and settled with
//! `msgl calldata`'s, receipts saved as `cast receipt --json` prints them.

use std::path::{Path, PathBuf};

use alloy_primitives::{Address, U256};
use msgl_settlement::evm::{Evm, Outcome, Revert, CHAIN_ID};
use msgl_settlement::system::System;

use super::{msgl, stdout};

/// Deploys the contracts.
pub const DEPLOYER: Address = Address::repeat_byte(0xd0);
/// Sends the verifier's transactions: anyone may.
pub const ANYONE: Address = Address::repeat_byte(0x77);

/// 0.00001 SNT at 18 decimals: a new home's unit price.
pub fn price() -> U256 {
    U256::from(10_000_000_000_000u64)
}

/// `n` units at [`price`], in token base units.
pub fn units(n: u64) -> U256 {
    price() * U256::from(n)
}

/// A home's EVM address, as `msgl id --evm` prints it.
pub fn address(home: &Path) -> Address {
    stdout(msgl(home).args(["id", "--evm"]))
        .trim()
        .parse()
        .unwrap()
}

/// The balance of `account` in `home` (flat, normalized), "0" when absent.
pub fn account(home: &Path, account: &str) -> String {
    let csv = stdout(msgl(home).args(["balance", "--flat", "-E", "-O", "csv", account]));
    // account,commodity,amount,kind rows.
    let shown = csv
        .lines()
        .find(|l| l.starts_with(&format!("{account},")))
        .and_then(|l| l.split(',').nth(2))
        .unwrap_or("0");
    msgl_ledger::journal::Decimal::from_str_exact(shown)
        .unwrap()
        .normalize()
        .to_string()
}

/// Token base units as `account` prints them (18 decimals, normalized).
pub fn tokens(v: U256) -> String {
    msgl_ledger::journal::Decimal::from_str_exact(&msgl::demo::tokens(v))
        .unwrap()
        .normalize()
        .to_string()
}

/// A deployment in an in-memory chain.
pub struct OnChain {
    pub chain: Evm,
    pub sys: System,
    receipts: usize,
}

impl OnChain {
    /// The token, MsglVerifier and MsglSettlement with `withdraw_delay`.
    pub fn deploy(withdraw_delay: u64) -> OnChain {
        let mut chain = Evm::new();
        let sys =
            System::deploy_verifying(&mut chain, DEPLOYER, "SNT", 18, withdraw_delay).unwrap();
        OnChain {
            chain,
            sys,
            receipts: 0,
        }
    }

    /// Writes the deployment into `home`'s msgl.yaml (`chain:`).
    pub fn configure(&self, home: &Path) {
        let home = msgl_node::home::Home::locate(Some(home));
        let mut config = home.config().unwrap();
        config.chain = Some(msgl_node::home::ChainSettings {
            chain_id: CHAIN_ID,
            settlement: self.sys.settlement.address.to_string(),
            token: self.sys.token.address.to_string(),
            verifier: Some(self.sys.registry.address.to_string()),
        });
        std::fs::write(home.config_path(), config.to_yaml()).unwrap();
    }

    /// Mints `who` `minted` base units and deposits `deposited` of them.
    pub fn fund(&mut self, who: Address, minted: U256, deposited: U256) {
        self.sys.mint(&mut self.chain, who, minted).unwrap();
        self.sys.approve(&mut self.chain, who, minted).unwrap();
        self.sys.deposit(&mut self.chain, who, deposited).unwrap();
    }

    /// The payer at `payer` opens on chain the channel of its signed
    /// `open` file with the payee's `acceptance` file: exactly the terms
    /// both signed.
    pub fn open(&mut self, payer: Address, open: &Path, acceptance: &Path) -> Outcome {
        let signed =
            msgl_node::objects::Open::from_yaml(&std::fs::read_to_string(open).unwrap()).unwrap();
        let accepted = msgl_node::objects::Acceptance::from_yaml(
            &std::fs::read_to_string(acceptance).unwrap(),
        )
        .unwrap();
        let accept = self.sys.accept(payer, &signed.on_chain_terms());
        self.sys
            .open_channel(&mut self.chain, payer, &accept, &accepted.signature)
            .unwrap()
    }

    /// Sends `msgl calldata --verify PROOF`'s transactions to the verifier,
    /// in order, from [`ANYONE`]: the proof is verified on chain and the
    /// statement's fact recorded.
    pub fn verify(&mut self, home: &Path, proof: &Path) -> Vec<Outcome> {
        let lines = stdout(msgl(home).args(["calldata", "--verify"]).arg(proof));
        let mut sent = Vec::new();
        for line in lines.lines() {
            let data = hex::decode(line.strip_prefix("0x").unwrap()).unwrap();
            sent.push(
                self.chain
                    .call(ANYONE, self.sys.registry.address, data)
                    .unwrap(),
            );
        }
        assert!(!sent.is_empty());
        sent
    }

    /// Sends `msgl calldata PROOF`'s `settle` as `from`.
    pub fn settle(&mut self, from: Address, home: &Path, proof: &Path) -> Result<Outcome, Revert> {
        let data = stdout(msgl(home).arg("calldata").arg(proof));
        let data = hex::decode(data.trim().strip_prefix("0x").unwrap()).unwrap();
        self.chain.call(from, self.sys.settlement.address, data)
    }

    /// Writes `out`'s receipt into `dir` as `cast receipt --json` prints it.
    pub fn receipt(&mut self, dir: &Path, out: &Outcome) -> PathBuf {
        self.receipts += 1;
        let path = dir.join(format!("receipt-{}.json", self.receipts));
        std::fs::write(&path, serde_json::to_string_pretty(&out.receipt()).unwrap()).unwrap();
        path
    }
}
