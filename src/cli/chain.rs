//! `msgl chain deploy|deposit|open|status|settle|claim`: talk to an Ethereum node.

use std::path::PathBuf;

use crate::chain::{self, Sent};
use crate::cli::{emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::journal::Decimal;

/// Send, watch and book transactions on the settlement chain (JSON-RPC)
///
/// Talks to the Ethereum node of msgl.yaml's `chain.rpc` (or --rpc; plain
/// http://) with the node's EVM key (keys/evm.key, or the v3 keystore
/// keys/evm.json with its password in keys/evm.password or
/// $MSGL_EVM_PASSWORD). Every transaction is signed here, recorded in
/// chain/pending/ before it is sent, and waited for until it is
/// `chain.confirmations` blocks deep (default 1: mined): a rerun after a
/// crash or a timeout waits for the same transaction and never sends a step
/// twice. A node that is down, slow or answers garbage is exit 1 with its
/// URL, and nothing is booked.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The node's JSON-RPC URL [default: chain.rpc in msgl.yaml]
    #[arg(long, global = true, value_name = "URL")]
    pub rpc: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Deploy(DeployArgs),
    Deposit(DepositArgs),
    Open(OpenArgs),
    Status(StatusArgs),
    Settle(SettleArgs),
    Claim(ClaimArgs),
}

/// Deploy a settlement contract with its on-chain verifier (and a test token)
///
/// Deploys MsglVerifier, a test token (unless --token) and MsglSettlement
/// on them, from this node's EVM key, and prints their addresses; with
/// --write-config, also writes them (and the RPC URL and chain id) into
/// msgl.yaml's `chain:`.
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// Use this ERC-20 token instead of deploying a test token
    #[arg(long, value_name = "ADDRESS")]
    pub token: Option<String>,
    /// Seconds a payee has to settle after its payer asks for the escrow
    /// back (the contract allows 3600 to 2592000)
    #[arg(long, value_name = "SECS", default_value_t = chain::DEFAULT_WITHDRAW_DELAY)]
    pub withdraw_delay: u64,
    /// Write the deployment into msgl.yaml's chain:
    #[arg(long)]
    pub write_config: bool,
}

/// Deposit tokens into the settlement contract (payer)
///
/// Approves the contract for AMOUNT when the allowance is short, then
/// deposits it; escrows of channels opened on chain come out of it. With
/// --mint, mints AMOUNT of the test token first.
#[derive(Debug, clap::Args)]
pub struct DepositArgs {
    /// The amount, in tokens (e.g. 1.5)
    #[arg(value_name = "AMOUNT")]
    pub amount: Decimal,
    /// Mint AMOUNT of the (test) token first
    #[arg(long)]
    pub mint: bool,
}

/// Open a channel on chain with its signed terms and the payee's acceptance (payer)
///
/// FILE is the payee's acceptance (`msgl accept-open -o FILE`) of one of
/// this node's opens: openChannel is sent with exactly the open's terms and
/// the acceptance's signature. Anything else (another node's open, another
/// deployment, a signature that is not the payee's over these terms, the
/// channel on chain already with other terms) is refused, exit 1. A
/// channel already on chain with these terms is reported, not sent again.
#[derive(Debug, clap::Args)]
pub struct OpenArgs {
    /// The payee's acceptance
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Show where this node's channels stand on chain
///
/// Per channel on chain: status (open, exiting: the payer asked for the
/// escrow back, releasable, released), escrow, debt, count and length, tip,
/// and a pending exit's release and lapse times; and this node's free
/// deposit. Writes chain/status.json, the cached status `may-serve` reads
/// (run it from cron). PEER shows only that peer's channels.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    /// Only this peer's channels
    pub peer: Option<String>,
    #[command(flatten)]
    pub out: OutputArg,
}

/// Settle a proof directory on chain and book it from the receipts (payee)
///
/// For each part of DIR (as `msgl prove --for-chain` writes it), verifies
/// the proof, sends the on-chain verifier's transactions (those `msgl
/// calldata DIR --verify` prints, unless the verifier holds the
/// statement's fact already) and `settle`, waits for them, and books
/// SETTLED from the settle receipts' events exactly as `msgl settled`
/// does. A part the contract already counts (a previous run's) is not sent
/// again: its receipt is found from the contract's logs, and nothing is
/// booked twice.
#[derive(Debug, clap::Args)]
pub struct SettleArgs {
    /// The proof directory
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Take what settlements credited this node into its wallet, and book it (payee)
///
/// Sends `claim` for this node's claimable balance on the settlement
/// contract (what settlements paid it) to its own EVM address, waits for
/// it, and books CLAIMED (Assets:Contract:Claimable into
/// Assets:Cash:<TOKEN>) from the receipt exactly as `msgl settled` does.
/// Nothing claimable: nothing is sent. A claim an earlier run sent but did
/// not book is found from the contract's logs and booked; nothing is
/// booked twice.
#[derive(Debug, clap::Args)]
pub struct ClaimArgs {}

fn sent_lines(sent: &[Sent]) -> String {
    let mut out = String::new();
    for s in sent {
        out += &format!(
            "{}: tx {} in block {} ({} gas){}\n",
            s.what,
            s.receipt.transaction_hash,
            s.receipt.block_number.unwrap_or(0),
            s.receipt.gas_used,
            if s.fresh {
                ""
            } else {
                ", sent by an earlier run"
            }
        );
    }
    out
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let rpc = args.rpc.as_deref();
    let quiet = ctx.global.quiet;
    match &args.command {
        Command::Deploy(a) => {
            let token = a
                .token
                .as_deref()
                .map(|t| crate::proof::parse_address(t, "--token").map(Into::into))
                .transpose()?;
            let client = chain::connect(&home, &config, rpc, true)?;
            let d = chain::deploy(&client, &config, token, a.withdraw_delay)?;
            if a.write_config {
                chain::write_config(&home, &client, &d)?;
            }
            let mut out = if quiet {
                String::new()
            } else {
                sent_lines(&d.sent)
            };
            out += &format!(
                "chain_id: {}\nverifier: {}\nsettlement: {}\ntoken: {}\n",
                client.chain_id, d.verifier, d.settlement, d.token
            );
            if a.write_config && !quiet {
                out += "written into msgl.yaml's chain:\n";
            }
            emit(&out)
        }
        Command::Deposit(a) => {
            let base = crate::objects::open::amount_to_base(
                a.amount,
                u8::try_from(config.decimals).unwrap_or(u8::MAX),
                "AMOUNT",
            )?;
            let client = chain::connect(&home, &config, rpc, true)?;
            let sent = chain::deposit(&client, &config, base, a.mint)?;
            if quiet {
                return Ok(());
            }
            emit(&(sent_lines(&sent) + &format!("deposited {} {}\n", a.amount, config.token)))
        }
        Command::Open(a) => {
            let client = chain::connect(&home, &config, rpc, true)?;
            let o = chain::open(&home, &client, &config, &a.file)?;
            if quiet {
                return Ok(());
            }
            match &o.sent {
                Some(s) => emit(
                    &(sent_lines(std::slice::from_ref(s))
                        + &format!("channel {} is open on chain\n", o.open.id_hex())),
                ),
                None => emit(&format!(
                    "channel {} is on chain already with these terms; nothing sent\n",
                    o.open.id_hex()
                )),
            }
        }
        Command::Status(a) => {
            let key = match &a.peer {
                Some(p) => {
                    let peer = config.peer(p)?;
                    Some(crate::keys::parse_public(&peer.key)?)
                }
                None => None,
            };
            let client = chain::connect(&home, &config, rpc, false)?;
            let mut report = chain::status(&home, &client, &config)?;
            if let Some(key) = key {
                let name = config.peer_by_key(&key).map(|p| p.name.clone());
                report.channels.retain(|c| c.peer == name);
            }
            match a.out.output {
                Format::Json => emit(
                    &(serde_json::to_string_pretty(&report).expect("a status serializes") + "\n"),
                ),
                Format::Csv => {
                    let mut out = String::from(
                        "channel,peer,role,status,escrow,debt,count,units,tip,releasable_at,lapses_at\n",
                    );
                    for c in &report.channels {
                        out += &format!(
                            "{},{},{},{},{},{},{},{},{},{},{}\n",
                            c.channel,
                            crate::cli::csv_field(c.peer.as_deref().unwrap_or("")),
                            c.role,
                            c.status,
                            c.escrow,
                            c.debt,
                            c.count,
                            c.units,
                            c.tip,
                            c.releasable_at.map(|t| t.to_string()).unwrap_or_default(),
                            c.lapses_at.map(|t| t.to_string()).unwrap_or_default(),
                        );
                    }
                    emit(&out)
                }
                Format::Text => {
                    let mut out = format!(
                        "{} (chain {}), block {} at {}; settlement {}\n",
                        report.rpc,
                        report.chain_id,
                        report.block,
                        report.block_time,
                        report.settlement
                    );
                    if let Some(d) = &report.deposit {
                        out += &format!("free deposit: {d} base units\n");
                    }
                    for c in &report.channels {
                        out += &format!(
                            "{} {} {}: {}, escrow {}, debt {}, count {}/{}{}\n",
                            &c.channel[..18],
                            c.role,
                            c.peer.as_deref().unwrap_or("?"),
                            c.status,
                            c.escrow,
                            c.debt,
                            c.count,
                            c.units,
                            match (c.releasable_at, c.lapses_at) {
                                (Some(r), Some(l)) => format!(
                                    "; exit pending: releasable at {r}, lapses at {l} (unix s)"
                                ),
                                _ => String::new(),
                            }
                        );
                    }
                    emit(&out)
                }
            }
        }
        Command::Claim(_) => {
            let client = chain::connect(&home, &config, rpc, true)?;
            let c = chain::claim(&home, &client, &config)?;
            if quiet {
                return Ok(());
            }
            let mut out = match &c.sent {
                Some(s) => sent_lines(std::slice::from_ref(s)),
                None => "nothing claimable on chain; nothing sent\n".to_owned(),
            };
            out += &crate::cli::settled::describe(&config, &c.report, true);
            emit(&out)
        }
        Command::Settle(a) => {
            let client = chain::connect(&home, &config, rpc, true)?;
            let s = chain::settle(&home, &client, &config, &a.dir)?;
            if quiet {
                return Ok(());
            }
            let mut out = sent_lines(&s.sent);
            if s.already != 0 {
                out += &format!(
                    "{} settled on chain already (not sent again)\n",
                    crate::cli::plural(s.already, "part was", "parts were")
                );
            }
            out +=
                &crate::cli::settled::describe(&config, &s.report, home.evm_address()?.is_some());
            emit(&out)
        }
    }
}
