//! `msgl prove BATCH_DIR [-o OUT] [--state FILE] [--chain-id N --settlement ADDR --token ADDR]`.

use std::collections::BTreeMap;
use std::time::Instant;

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
/// --settlement and --token (all three or none); without them the statement
/// names the zero deployment, which no contract accepts. Writes
/// OUT/statement.yaml and OUT/proof.bin (all or nothing; never over an
/// existing OUT).
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
pub const SETTLED_FILE: &str = "channels/settled.yaml";

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let domain = domain_from_flags(
        args.chain_id,
        args.settlement.as_deref(),
        args.token.as_deref(),
    )?;
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
    let mut anchors = BTreeMap::new();
    if home.has_config() {
        for c in crate::channel::list(&home)? {
            anchors.insert((c.payer, c.payee, c.generation), c.anchor);
        }
    }
    let state: Option<Vec<ChannelView>> =
        args.state.as_deref().map(batch::read_state).transpose()?;
    let settled_path = home.path(SETTLED_FILE);
    let settled = if state.is_none() && settled_path.is_file() {
        batch::read_state(&settled_path)?
    } else {
        Vec::new()
    };
    let resolver = Resolver {
        anchors,
        state: state.as_deref(),
        settled: &settled,
    };
    let statement = batch::statement(&batch, &resolver, domain)?;
    let checked = started.elapsed();
    say(&format!(
        "proving {} units in {} channels",
        statement.total_units(),
        statement.entries.len()
    ));
    let proof = msgl_circuits::prove(&statement)
        .map_err(|e| Error::check(format!("cannot prove the batch: {e}")))?;
    let proved = started.elapsed();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| format!("proof-{}", crate::journal::append::now_ms()).into());
    crate::proof::write(&out, &statement, &proof)?;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    if !ctx.global.quiet {
        emit(&format!(
            "{}: {} units in {} channels from {} files; proof {} KB; checked in {:.2} s, proved in {:.2} s\n",
            out.display(),
            statement.total_units(),
            statement.entries.len(),
            batch.files,
            proof.to_bytes().len() / 1024,
            checked.as_secs_f64(),
            (proved - checked).as_secs_f64()
        ))?;
    }
    Ok(())
}
