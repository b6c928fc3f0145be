//! `msgl prove BATCH_DIR [-o OUT] [--state FILE] [--chain-id N --settlement ADDR --token ADDR]`.

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
    let statement = batch::statement(&batch, &resolver, domain)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| format!("proof-{}", crate::journal::append::now_ms()).into());
    if out.exists() {
        return Err(Error::input("already exists; not overwritten")
            .in_file(&out)
            .hint("choose another -o, or remove the old proof first"));
    }
    let statements = statement.split(args.max_entries, msgl_circuits::air::MAX_BATCH_UNITS);
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
        let proof = msgl_circuits::prove(&part)
            .map_err(|e| Error::check(format!("cannot prove the batch: {e}")))?;
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
            "{}: {} in {} from {}{split}; proof {} KB; checked in {:.2} s, proved in {:.2} s\n",
            out.display(),
            crate::cli::plural(statement.total_units() as usize, "unit", "units"),
            crate::cli::plural(statement.entries.len(), "channel", "channels"),
            crate::cli::plural(batch.files, "file", "files"),
            bytes / 1024,
            checked.as_secs_f64(),
            (proved - checked).as_secs_f64()
        ))?;
    }
    Ok(())
}
