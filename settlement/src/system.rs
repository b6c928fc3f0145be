//! The three contracts deployed together on a [`Chain`], with one typed
//! helper per action msgl takes (mint, approve, deposit, open a channel,
//! register a statement, settle, withdraw) and readers for the state.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;

use crate::evm::{Chain, Deployed, Outcome, Revert};
use crate::{FactRegistry, MsglSettlement, TestToken};

/// Addresses of a deployed token, fact registry and settlement contract,
/// and the gas each deployment used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct System {
    pub token: Deployed,
    pub registry: Deployed,
    pub settlement: Deployed,
}

/// The arguments of `openChannel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenChannel {
    pub payee: Address,
    /// Channel id: the packed anchor `w_0` (D1).
    pub anchor: [u8; 32],
    /// Length of the hash chain: the most units the channel can settle.
    pub units: u64,
    /// Token base units per unit.
    pub unit_price: U256,
    /// Moved from the payer's deposit into the channel.
    pub escrow: U256,
}

/// A channel as the contract stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelState {
    pub payer: Address,
    pub payee: Address,
    pub units: u64,
    pub tip: B256,
    pub count: u64,
    pub unit_price: U256,
    pub escrow: U256,
    /// When the payer may take the escrow back (0: not asked).
    pub release_at: u64,
}

/// A payer's account as the contract stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountState {
    pub deposit: U256,
    pub withdraw_amount: U256,
    pub withdraw_ready_at: u64,
}

impl System {
    /// The domain of statements that settle on this deployment (D2).
    pub fn domain(&self) -> msgl_circuits::statement::Domain {
        msgl_circuits::statement::Domain {
            chain_id: crate::evm::CHAIN_ID,
            settlement: self.settlement.address.into_array(),
            token: self.token.address.into_array(),
        }
    }

    /// Deploys, from `deployer`: a [`TestToken`] (`symbol`, `decimals`), a
    /// [`FactRegistry`] whose verifier is `verifier`, and a
    /// [`MsglSettlement`] on both with `withdraw_delay` seconds.
    pub fn deploy(
        chain: &mut Chain,
        deployer: Address,
        symbol: &str,
        decimals: u8,
        verifier: Address,
        withdraw_delay: u64,
    ) -> Result<System, Revert> {
        let token = chain.deploy_contract(
            deployer,
            &TestToken::BYTECODE,
            &TestToken::constructorCall {
                name_: format!("msgl test {symbol}"),
                symbol_: symbol.to_owned(),
                decimals_: decimals,
            },
        )?;
        let registry = chain.deploy_contract(
            deployer,
            &FactRegistry::BYTECODE,
            &FactRegistry::constructorCall { verifier },
        )?;
        let settlement = chain.deploy_contract(
            deployer,
            &MsglSettlement::BYTECODE,
            &MsglSettlement::constructorCall {
                token_: token.address,
                registry_: registry.address,
                withdrawDelay_: withdraw_delay,
            },
        )?;
        Ok(System {
            token,
            registry,
            settlement,
        })
    }

    /// Mints `amount` test tokens to `to` (anyone may mint a TestToken).
    pub fn mint(&self, chain: &mut Chain, to: Address, amount: U256) -> Result<Outcome, Revert> {
        chain.send(
            to,
            self.token.address,
            &TestToken::mintCall { to, value: amount },
        )
    }

    /// Token balance of `who`.
    pub fn balance(&self, chain: &mut Chain, who: Address) -> Result<U256, Revert> {
        chain.read(self.token.address, &TestToken::balanceOfCall::new((who,)))
    }

    /// `owner` approves the settlement contract for `amount`.
    pub fn approve(
        &self,
        chain: &mut Chain,
        owner: Address,
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            owner,
            self.token.address,
            &TestToken::approveCall {
                spender: self.settlement.address,
                value: amount,
            },
        )
    }

    /// `payer` deposits `amount` (needs an approval).
    pub fn deposit(
        &self,
        chain: &mut Chain,
        payer: Address,
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::depositCall { amount },
        )
    }

    /// `payer` opens channel `open.anchor` (the packed anchor, D1).
    pub fn open_channel(
        &self,
        chain: &mut Chain,
        payer: Address,
        open: &OpenChannel,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::openChannelCall {
                payee: open.payee,
                anchor: B256::from(open.anchor),
                units: open.units,
                unitPrice: open.unit_price,
                escrow: open.escrow,
            },
        )
    }

    /// `verifier` registers statement hash `hash` as proven.
    pub fn register(
        &self,
        chain: &mut Chain,
        verifier: Address,
        hash: [u8; 32],
    ) -> Result<Outcome, Revert> {
        chain.call(
            verifier,
            self.registry.address,
            crate::register_calldata(hash),
        )
    }

    /// Whether the registry holds `hash` as proven.
    pub fn is_registered(&self, chain: &mut Chain, hash: [u8; 32]) -> Result<bool, Revert> {
        chain.read(
            self.registry.address,
            &FactRegistry::isValidCall {
                fact: B256::from(hash),
            },
        )
    }

    /// `from` sends `settle` with ABI `entries` as they are.
    pub fn settle_entries(
        &self,
        chain: &mut Chain,
        from: Address,
        entries: Vec<MsglSettlement::Entry>,
    ) -> Result<Outcome, Revert> {
        chain.send(
            from,
            self.settlement.address,
            &MsglSettlement::settleCall { entries },
        )
    }

    /// `from` sends the settle calldata of `statement` ([`crate::settle_calldata`]).
    pub fn settle(
        &self,
        chain: &mut Chain,
        from: Address,
        statement: &msgl_circuits::statement::Statement,
    ) -> Result<Outcome, Revert> {
        chain.call(
            from,
            self.settlement.address,
            crate::settle_calldata(statement),
        )
    }

    /// `payer` asks to withdraw `amount` after the delay.
    pub fn request_withdraw(
        &self,
        chain: &mut Chain,
        payer: Address,
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::requestWithdrawCall { amount },
        )
    }

    /// `payer` withdraws what it requested once the delay has passed.
    pub fn withdraw(&self, chain: &mut Chain, payer: Address) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::withdrawCall {},
        )
    }

    /// `payer` asks for channel `id`'s escrow back after the delay.
    pub fn request_escrow_release(
        &self,
        chain: &mut Chain,
        payer: Address,
        id: [u8; 32],
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::requestEscrowReleaseCall {
                channel: B256::from(id),
            },
        )
    }

    /// `payer` moves channel `id`'s remaining escrow back to its deposit.
    pub fn release_escrow(
        &self,
        chain: &mut Chain,
        payer: Address,
        id: [u8; 32],
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::releaseEscrowCall {
                channel: B256::from(id),
            },
        )
    }

    /// The stored channel `id` (payer zero: no such channel).
    pub fn channel(&self, chain: &mut Chain, id: [u8; 32]) -> Result<ChannelState, Revert> {
        let c = chain.read(
            self.settlement.address,
            &MsglSettlement::channelsCall::new((B256::from(id),)),
        )?;
        Ok(ChannelState {
            payer: c.payer,
            payee: c.payee,
            units: c.units,
            tip: c.tip,
            count: c.count,
            unit_price: U256::from(c.unitPrice),
            escrow: c.escrow,
            release_at: c.releaseAt,
        })
    }

    /// The stored account of `payer`.
    pub fn account(&self, chain: &mut Chain, payer: Address) -> Result<AccountState, Revert> {
        let a = chain.read(
            self.settlement.address,
            &MsglSettlement::accountsCall::new((payer,)),
        )?;
        Ok(AccountState {
            deposit: a.deposit,
            withdraw_amount: a.withdrawAmount,
            withdraw_ready_at: a.withdrawReadyAt,
        })
    }
}
