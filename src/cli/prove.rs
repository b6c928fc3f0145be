//! `msgl prove BATCH_DIR [-o OUT] [--for-chain] [--state FILE] [--chain-id N --settlement ADDR --token ADDR]`.

use std::time::Instant;

use clap::builder::TypedValueParser;
use msgl_circuits::Domain;

use crate::batch::{self, ChannelView, Resolver};
use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};

/// Prove a batch of acks with a Stwo STARK
///
/// Reads every .yaml file under BATCH_DIR (acks, and co-signed
/// reconciliations: one update per direction), checks each (signatures, nonce,
/// the preimage chain between consecutive acks of a channel) and names a
/// bad one with its reason; keeps the latest per channel; builds the
/// statement (the deployment it settles on: chain id, settlement contract
/// and token; per channel: old tip and count, new preimage and count) and
/// proves that every new preimage hashes down to its old tip. Old tips and
/// counts come from --state (the contract's view: a YAML list of {channel,
/// tip, count}) or from the home's channels/settled.yaml, else the
/// channel's anchor at count 0. The deployment comes from --chain-id,
/// --settlement and --token (all three or none), else from the home's
/// `chain:` settings in msgl.yaml; without either the statement names the
/// zero deployment, which no contract accepts. A batch whose
/// statement would not settle in one transaction (more than --max-entries
/// entries, default and most 256: the worst case under the 2^24 gas cap
/// with a margin) or not prove in one proof (more than 2^20 units) is split
/// into parts, proven one by one and settled in their order; a channel
/// with more units than a part holds is cut into consecutive updates.
/// Writes OUT/statement.yaml and OUT/proof.bin, or OUT/part-1/, OUT/part-2/,
/// … each holding both (all or nothing; never over an existing OUT).
///
/// With --for-chain the proof is the one the on-chain verifier
/// (MsglVerifier) checks: Keccak-256 Merkle trees and the on-chain
/// parameters, parts of at most 2^18 units and 128 entries so that each
/// verifies in one transaction; it costs the prover several times more time and memory
/// (docs/BENCHMARKS.md), so it is not the default. `msgl verify-proof`
/// checks either kind; `msgl calldata --verify` needs --for-chain's.
///
/// A batch with nothing new (every channel settled up to its latest ack)
/// writes nothing and exits 0 with a note on stderr.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The batch directory (acks and co-signed reconciliations; searched recursively)
    #[arg(value_name = "BATCH_DIR")]
    pub batch: std::path::PathBuf,
    /// The proof directory to write [default: proof-<unix ms>]
    #[arg(short = 'o', long, value_name = "OUT")]
    pub out: Option<std::path::PathBuf>,
    /// The contract's view of the channels (old tips and counts)
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
    /// The chain id of the deployment the proof settles on
    #[arg(long, value_name = "ID")]
    pub chain_id: Option<u64>,
    /// The settlement contract's address (0x and 40 hex digits)
    #[arg(long, value_name = "ADDRESS")]
    pub settlement: Option<String>,
    /// The token's address (0x and 40 hex digits)
    #[arg(long, value_name = "ADDRESS")]
    pub token: Option<String>,
    /// Most entries per part: each part's settle must fit one transaction
    #[arg(long, value_name = "N", default_value_t = msgl_settlement::MAX_SETTLE_ENTRIES,
          value_parser = clap::value_parser!(u64).range(1..=msgl_settlement::MAX_SETTLE_ENTRIES as u64)
              .map(|n| n as usize))]
    pub max_entries: usize,
    /// Write the proof the on-chain verifier checks (Keccak-256, on-chain parameters)
    #[arg(long)]
    pub for_chain: bool,
}

/// The deployment named by --chain-id, --settlement and --token (all three
/// or none; none: the zero domain).
pub fn domain_from_flags(
    chain_id: Option<u64>,
    settlement: Option<&str>,
    token: Option<&str>,
) -> Result<Domain> {
    match (chain_id, settlement, token) {
        (None, None, None) => Ok(Domain::default()),
        (Some(chain_id), Some(settlement), Some(token)) => Ok(Domain {
            chain_id,
            settlement: crate::proof::parse_address(settlement, "--settlement")?,
            token: crate::proof::parse_address(token, "--token")?,
        }),
        _ => Err(
            Error::input("--chain-id, --settlement and --token go together")
                .hint("give all three (the deployment the proof settles on), or none"),
        ),
    }
}

/// The home's record of settled channels.
pub use crate::protocol::settle::SETTLED_FILE;

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let mut domain = domain_from_flags(
        args.chain_id,
        args.settlement.as_deref(),
        args.token.as_deref(),
    )?;
    // Without flags, the deployment of this home's `chain:` settings.
    if args.chain_id.is_none() {
        let home = ctx.home();
        if let Some(chain) = home.config_opt()?.and_then(|c| c.chain) {
            let (settlement, token) = chain.addresses()?;
            domain = Domain {
                chain_id: chain.chain_id,
                settlement,
                token,
            };
        }
    }
    let started = Instant::now();
    let spinner = crate::cli::progress::spinner(ctx);
    let say = |m: &str| {
        if let Some(s) = &spinner {
            s.set_message(m.to_string());
        }
    };
    say("reading and checking the batch");
    let batch = batch::read(&args.batch)?;
    let home = ctx.home();
    let state: Option<Vec<ChannelView>> =
        args.state.as_deref().map(batch::read_state).transpose()?;
    let settled_path = home.path(SETTLED_FILE);
    let settled = if state.is_none() && settled_path.is_file() {
        batch::read_state(&settled_path)?
    } else {
        Vec::new()
    };
    let resolver = Resolver {
        state: state.as_deref(),
        settled: &settled,
    };
    let Some(statement) = batch::statement(&batch, &resolver, domain)? else {
        if let Some(s) = &spinner {
            s.finish_and_clear();
        }
        eprintln!(
            "msgl: nothing new to prove in {}: every channel is settled up to its latest ack (no proof written)",
            args.batch.display()
        );
        return Ok(());
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| format!("proof-{}", crate::journal::append::now_ms()).into());
    crate::proof::refuse_existing(&out)?;
    let (max_entries, max_units) = if args.for_chain {
        (
            args.max_entries
                .min(msgl_settlement::verifier::MAX_VERIFY_ENTRIES),
            msgl_settlement::verifier::MAX_VERIFY_UNITS,
        )
    } else {
        (args.max_entries, msgl_circuits::air::MAX_BATCH_UNITS)
    };
    let statements = statement.split(max_entries, max_units);
    let checked = started.elapsed();
    let n = statements.len();
    let mut parts = Vec::with_capacity(n);
    for (k, part) in statements.into_iter().enumerate() {
        say(&format!(
            "proving {} in {}{}",
            crate::cli::plural(part.total_units() as usize, "unit", "units"),
            crate::cli::plural(part.entries.len(), "channel", "channels"),
            if n == 1 {
                String::new()
            } else {
                format!(" (part {} of {n})", k + 1)
            }
        ));
        let err = |e: msgl_circuits::ProveError| match e {
            // The prover walks every chain before it commits to anything.
            msgl_circuits::ProveError::Statement(
                msgl_circuits::statement::StatementError::ChainMismatch { index },
            ) if index < part.entries.len() => batch::chain_mismatch(&batch, &part.entries[index]),
            e => Error::check(format!("cannot prove the batch: {e}")),
        };
        let proof = if args.for_chain {
            crate::proof::ProofFile::Chain(msgl_circuits::prove_for_chain(&part).map_err(err)?)
        } else {
            crate::proof::ProofFile::Local(msgl_circuits::prove(&part).map_err(err)?)
        };
        parts.push((part, proof));
    }
    let proved = started.elapsed();
    crate::proof::write(&out, &parts)?;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    if !ctx.global.quiet {
        let bytes: usize = parts.iter().map(|(_, p)| p.to_bytes().len()).sum();
        let split = if parts.len() == 1 {
            String::new()
        } else {
            format!(" in {} parts", parts.len())
        };
        emit(&format!(
            "{}: {} in {} from {}{split}; {}proof {} KB; checked in {:.2} s, proved in {:.2} s\n",
            out.display(),
            crate::cli::plural(statement.total_units() as usize, "unit", "units"),
            crate::cli::plural(statement.entries.len(), "channel", "channels"),
            crate::cli::plural(batch.files, "file", "files"),
            if args.for_chain { "on-chain " } else { "" },
            bytes / 1024,
            checked.as_secs_f64(),
            (proved - checked).as_secs_f64()
        ))?;
    }
    Ok(())
}
