//! The three contracts deployed together on a [`Evm`] (a token, what
//! records facts, the settlement contract), with one typed helper per action
//! msgl takes (mint, approve, deposit, open a channel, top up, register a
//! statement, settle, exit, claim, withdraw) and readers for the state.
//!
//! What records facts is [`Facts::Verifier`], `MsglVerifier`, which records
//! a statement's fact only after verifying its proof on chain (what `msgl
//! demo` and the end-to-end tests deploy), or [`Facts::Registrar`], the
//! trusted stand-in `FactRegistry` where one address registers any fact:
//! kept only for the settlement contract's own tests (crates/settlement/tests),
//! which exercise its bookkeeping on statements they do not prove
//! (docs/DESIGN.md §9.1, "Who is trusted for what").

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;

use crate::evm::{Deployed, Evm, Outcome, Revert};
use crate::{Accept, FactRegistry, MsglSettlement, MsglVerifier, TestToken};

/// What the settlement contract asks whether a statement is proven (its
/// `IFactRegistry`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facts {
    /// `MsglVerifier`: records a fact only after verifying a proof of the
    /// statement (anyone may send the proof).
    Verifier,
    /// The trusted stand-in `FactRegistry`: this address registers any fact
    /// unchecked. Only for tests of the settlement contract's bookkeeping.
    Registrar(Address),
}

/// Addresses of a deployed token, fact registry and settlement contract,
/// and the gas each deployment used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct System {
    pub token: Deployed,
    /// The settlement contract's `IFactRegistry`: `MsglVerifier` or the
    /// trusted `FactRegistry` ([`Facts`]).
    pub registry: Deployed,
    pub settlement: Deployed,
}

/// A channel's terms, as the payer opens it (the payer is the sender).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenChannel {
    pub payee: Address,
    /// Channel id: the packed anchor `w_0` (DESIGN §5.1).
    pub anchor: [u8; 32],
    /// Length of the hash chain: the most units the channel can settle.
    pub units: u64,
    /// Token base units per unit.
    pub unit_price: u128,
    /// Moved from the payer's free deposit into the channel.
    pub escrow: u128,
}

/// A channel as the contract stores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelState {
    pub payer: Address,
    pub payee: Address,
    pub units: u64,
    pub tip: B256,
    pub count: u64,
    pub unit_price: u128,
    pub escrow: u128,
    /// Settled but not paid: the escrow fell short (paid first from top-ups).
    pub debt: u128,
    /// When a requested exit matures (0: none requested).
    pub exit_at: u64,
    /// The exit released the escrow: the channel is closed.
    pub released: bool,
}

/// `MsglSettlement.status`: where a channel stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    None,
    Open,
    Exiting,
    Releasable,
    Released,
}

impl System {
    /// The domain of statements that settle on this deployment (DESIGN §8.1).
    pub fn domain(&self) -> msgl_circuits::statement::Domain {
        msgl_circuits::statement::Domain {
            chain_id: crate::evm::CHAIN_ID,
            settlement: self.settlement.address.into_array(),
            token: self.token.address.into_array(),
        }
    }

    /// Deploys, from `deployer`: a [`TestToken`] (`symbol`, `decimals`), a
    /// [`FactRegistry`] whose registrar is `registrar` (the trusted
    /// stand-in verifier, DESIGN §9.1), and a [`MsglSettlement`] on both with
    /// `withdraw_delay` seconds. For the settlement contract's own tests;
    /// [`System::deploy_verifying`] is the deployment that checks proofs.
    pub fn deploy(
        chain: &mut Evm,
        deployer: Address,
        symbol: &str,
        decimals: u8,
        registrar: Address,
        withdraw_delay: u64,
    ) -> Result<System, Revert> {
        let token = Self::deploy_token(chain, deployer, symbol, decimals)?;
        Self::deploy_on(chain, deployer, token, registrar, withdraw_delay)
    }

    /// Deploys, from `deployer`: a [`TestToken`] (`symbol`, `decimals`), a
    /// [`MsglVerifier`] and a [`MsglSettlement`] that asks it whether a
    /// statement is proven, with `withdraw_delay` seconds. Nobody is trusted
    /// to register facts: the verifier records one only for a proof it
    /// verified.
    pub fn deploy_verifying(
        chain: &mut Evm,
        deployer: Address,
        symbol: &str,
        decimals: u8,
        withdraw_delay: u64,
    ) -> Result<System, Revert> {
        let token = Self::deploy_token(chain, deployer, symbol, decimals)?;
        Self::deploy_with(chain, deployer, token, Facts::Verifier, withdraw_delay)
    }

    fn deploy_token(
        chain: &mut Evm,
        deployer: Address,
        symbol: &str,
        decimals: u8,
    ) -> Result<Deployed, Revert> {
        chain.deploy_contract(
            deployer,
            &TestToken::BYTECODE,
            &TestToken::constructorCall {
                name_: format!("msgl test {symbol}"),
                symbol_: symbol.to_owned(),
                decimals_: decimals,
            },
        )
    }

    /// As [`System::deploy`] for an already deployed `token` (any ERC-20
    /// whose `mint(address,uint256)` anyone may call: [`TestToken`],
    /// [`crate::QuirkyToken`]).
    pub fn deploy_on(
        chain: &mut Evm,
        deployer: Address,
        token: Deployed,
        registrar: Address,
        withdraw_delay: u64,
    ) -> Result<System, Revert> {
        Self::deploy_with(
            chain,
            deployer,
            token,
            Facts::Registrar(registrar),
            withdraw_delay,
        )
    }

    /// Deploys what records facts (`facts`) and a [`MsglSettlement`] on it
    /// and `token`, from `deployer`.
    pub fn deploy_with(
        chain: &mut Evm,
        deployer: Address,
        token: Deployed,
        facts: Facts,
        withdraw_delay: u64,
    ) -> Result<System, Revert> {
        let registry = match facts {
            Facts::Verifier => chain.deploy(deployer, MsglVerifier::BYTECODE.clone())?,
            Facts::Registrar(registrar) => chain.deploy_contract(
                deployer,
                &FactRegistry::BYTECODE,
                &FactRegistry::constructorCall {
                    verifier: registrar,
                },
            )?,
        };
        let settlement = chain.deploy_contract(
            deployer,
            &MsglSettlement::BYTECODE,
            &MsglSettlement::constructorCall {
                token_: token.address,
                verifier_: registry.address,
                withdrawDelay_: withdraw_delay,
            },
        )?;
        Ok(System {
            token,
            registry,
            settlement,
        })
    }

    /// The terms `payer` opens `open` with, as the payee signs them.
    pub fn accept(&self, payer: Address, open: &OpenChannel) -> Accept {
        Accept {
            channel: B256::from(open.anchor),
            payer,
            payee: open.payee,
            token: self.token.address,
            units: open.units,
            unitPrice: open.unit_price,
            escrow: open.escrow,
        }
    }

    /// The digest the payee signs to accept `accept` here ([`crate::acceptance_digest`]).
    pub fn acceptance_digest(&self, accept: &Accept) -> B256 {
        crate::acceptance_digest(crate::evm::CHAIN_ID, self.settlement.address, accept)
    }

    /// Mints `amount` test tokens to `to` (anyone may mint a TestToken).
    pub fn mint(&self, chain: &mut Evm, to: Address, amount: U256) -> Result<Outcome, Revert> {
        chain.send(
            to,
            self.token.address,
            &TestToken::mintCall { to, value: amount },
        )
    }

    /// Token balance of `who`.
    pub fn balance(&self, chain: &mut Evm, who: Address) -> Result<U256, Revert> {
        chain.read(self.token.address, &TestToken::balanceOfCall::new((who,)))
    }

    /// `owner` approves the settlement contract for `amount`.
    pub fn approve(
        &self,
        chain: &mut Evm,
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

    /// `payer` deposits `amount` (needs an approval; credits what arrives).
    pub fn deposit(
        &self,
        chain: &mut Evm,
        payer: Address,
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::depositCall { amount },
        )
    }

    /// `payer` opens the channel of terms `accept` (`accept.payer` is
    /// ignored: the sender is the payer) with the payee's 65-byte signature.
    pub fn open_channel(
        &self,
        chain: &mut Evm,
        payer: Address,
        accept: &Accept,
        payee_signature: &[u8],
    ) -> Result<Outcome, Revert> {
        chain.call(
            payer,
            self.settlement.address,
            crate::open_channel_calldata(accept, payee_signature),
        )
    }

    /// `payer` moves `amount` of its free deposit into channel `id` (its
    /// debt first).
    pub fn top_up(
        &self,
        chain: &mut Evm,
        payer: Address,
        id: [u8; 32],
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::topUpCall {
                channel: B256::from(id),
                amount,
            },
        )
    }

    /// `verifier` registers statement hash `hash` as proven.
    pub fn register(
        &self,
        chain: &mut Evm,
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
    pub fn is_registered(&self, chain: &mut Evm, hash: [u8; 32]) -> Result<bool, Revert> {
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
        chain: &mut Evm,
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
        chain: &mut Evm,
        from: Address,
        statement: &msgl_circuits::statement::Statement,
    ) -> Result<Outcome, Revert> {
        chain.call(
            from,
            self.settlement.address,
            crate::settle_calldata(statement),
        )
    }

    /// `payer` takes `amount` of its free deposit out (at once).
    pub fn withdraw(
        &self,
        chain: &mut Evm,
        payer: Address,
        amount: U256,
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::withdrawCall { amount },
        )
    }

    /// `payer` asks for channel `id`'s escrow back: the channel closes to
    /// new service; the escrow is releasable after the delay.
    pub fn request_exit(
        &self,
        chain: &mut Evm,
        payer: Address,
        id: [u8; 32],
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::requestExitCall {
                channel: B256::from(id),
            },
        )
    }

    /// `payer` withdraws its pending exit request on channel `id`.
    pub fn cancel_exit(
        &self,
        chain: &mut Evm,
        payer: Address,
        id: [u8; 32],
    ) -> Result<Outcome, Revert> {
        chain.send(
            payer,
            self.settlement.address,
            &MsglSettlement::cancelExitCall {
                channel: B256::from(id),
            },
        )
    }

    /// `payee` takes its claimable balance, paid to `to`.
    pub fn claim(&self, chain: &mut Evm, payee: Address, to: Address) -> Result<Outcome, Revert> {
        chain.send(
            payee,
            self.settlement.address,
            &MsglSettlement::claimCall { to },
        )
    }

    /// `payer` executes its mature exit on channel `id`: the escrow returns
    /// to its free deposit and the channel closes.
    pub fn release_escrow(
        &self,
        chain: &mut Evm,
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
    pub fn channel(&self, chain: &mut Evm, id: [u8; 32]) -> Result<ChannelState, Revert> {
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
            unit_price: c.unitPrice,
            escrow: c.escrow,
            debt: c.debt,
            exit_at: c.exitAt,
            released: c.released,
        })
    }

    /// `status(id)`: where channel `id` stands (a payee serves only while Open).
    pub fn status(&self, chain: &mut Evm, id: [u8; 32]) -> Result<Status, Revert> {
        let s = chain.read(
            self.settlement.address,
            &MsglSettlement::statusCall {
                channel: B256::from(id),
            },
        )?;
        Ok(match s {
            0 => Status::None,
            1 => Status::Open,
            2 => Status::Exiting,
            3 => Status::Releasable,
            _ => Status::Released,
        })
    }

    /// The free deposit of `payer`.
    pub fn deposit_of(&self, chain: &mut Evm, payer: Address) -> Result<U256, Revert> {
        chain.read(
            self.settlement.address,
            &MsglSettlement::depositsCall::new((payer,)),
        )
    }

    /// What `payee` can claim.
    pub fn claimable(&self, chain: &mut Evm, payee: Address) -> Result<U256, Revert> {
        chain.read(
            self.settlement.address,
            &MsglSettlement::claimableCall::new((payee,)),
        )
    }
}
