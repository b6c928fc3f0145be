//! `msgl demo [--dir DIR] [--messages N] [--rpc URL]`.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{emit, Ctx};
use crate::demo::{self, token_delta, tokens, Options, Report};
use crate::error::{Error, Result};

/// Run three nodes through the whole flow, with the real commands
///
/// Creates three node homes (Node1, Node2, Node3) in DIR with `msgl init
/// --from` the templates in ledgers/demo/ (embedded in msgl and written to
/// DIR/templates/, or --templates), makes them peers, deploys the token,
/// the on-chain verifier (MsglVerifier) and the settlement contract in an
/// in-memory EVM, mints each
/// node the opening cash its template journal holds, and deposits for each
/// node (booked with `msgl add deposit`); opens channels Node2 -> Node1, Node1 ->
/// Node2 and Node3 -> Node1; exchanges N messages with signed acks between
/// Node1 and Node2 (accepted in batches) and some from Node3; reconciles
/// Node1 with Node2 (first a disagreement over a lost ack, shown message
/// by message; Node2 re-sends it with `msgl ack --resend`; then an agreement
/// Node1 books as it co-signs and Node2 finalizes); then Node1 settles alone
/// with Node3's latest ack, and settles Node1 <-> Node2 from the co-signed
/// agreement: prove --for-chain, verify-proof, then the transactions of
/// calldata --verify sent to the verifier (which checks the proof and
/// records the statement's fact) and calldata's settle, in the EVM. Every step spawns this msgl binary with --home, so the
/// homes left in DIR are ordinary ones to explore with msgl afterwards.
/// Prints the directory and a summary: token balances on chain, units
/// settled, proof size, proving time, gas, and each node's net.
///
/// With --rpc URL the same flow runs against the Ethereum node at URL
/// (http:// only) instead of the in-memory EVM: every on-chain step is a
/// `msgl chain` command of a home, signed with its keys/evm.key and booked
/// from the receipts (Node1 deploys with `chain deploy --write-config` and
/// the others take the same chain: settings; `chain deposit`, `chain
/// open`, `chain settle` by Node1 and then by Node2 for the agreement,
/// `chain claim`, and `chain status` at the end), so the homes keep talking
/// to that node afterwards. The node's first unlocked account (eth_accounts:
/// a development node such as anvil, hardhat node or geth --dev) pays each
/// home's address 10 ether for gas and mints its opening cash in the test
/// token; a node without one is refused. A real network has no such
/// account: fund each node's EVM key yourself and run the `msgl chain`
/// commands. A node that is down or refuses a step is exit 1 naming its
/// URL; each step books only what its receipts show.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to create the homes: a new or empty directory [default: msgl-demo-<unix ms>]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Messages between Node1 and Node2 (both ways)
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1000)]
    pub messages: u64,
    /// Template directories node1/, node2/, node3/ (msgl.yaml, journal.ledger) [default: ledgers/demo/, embedded]
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Run the on-chain steps on the Ethereum node at URL (http://, a development node with an unlocked funded account) through `msgl chain` [default: an in-memory EVM]
    #[arg(long, value_name = "URL")]
    pub rpc: Option<String>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    if args.messages < 2 {
        return Err(Error::input("--messages must be at least 2"));
    }
    let exe = std::env::current_exe()
        .map_err(|e| Error::input(format!("cannot find the msgl binary: {e}")))?;
    let opts = Options {
        dir: args.dir.clone().unwrap_or_else(demo::default_dir),
        messages: args.messages,
        exe,
        templates: args.templates.clone(),
        rpc: args.rpc.clone(),
    };
    let quiet = ctx.global.quiet;
    let terminal = std::io::stderr().is_terminal();
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let started = std::time::Instant::now();
    let mut progress = |m: &str| {
        if terminal && !quiet {
            eprintln!("[{:5.1} s] {m}", started.elapsed().as_secs_f64());
        }
    };
    let report = demo::run(&opts, &mut progress)?;
    emit(&summary(&report, quiet, color))
}

/// The summary: with `quiet`, the directory and the figures only.
pub fn summary(r: &Report, quiet: bool, color: bool) -> String {
    let head = |s: &str| {
        if color {
            format!("\x1b[1m{s}\x1b[0m\n")
        } else {
            format!("{s}\n")
        }
    };
    let mut o = String::new();
    if !quiet {
        o += &head("msgl demo");
        o += &format!(
            "Three node homes, channels, acks, a reconciliation and two settlements {}.\n",
            match &r.rpc {
                Some(url) => format!("on the Ethereum node at {url} (msgl chain)"),
                None => "in an in-memory EVM".to_owned(),
            }
        );
        o += &format!(
            "Disagreement first (Node1 never got Node2's last ack), `msgl reconcile --accept` exit 1:\n{}",
            indent(&r.disagreement)
        );
        o += &format!(
            "Node2 re-sent the lost ack (`msgl ack --resend`); then agreed and finalized on both sides: {}\n\n",
            r.agreement.display()
        );
    }
    o += &format!("dir {}\n", r.dir.display());
    o += &format!("messages {}\n", r.messages);
    if !quiet {
        o += &head("Settlements (Node1 sends the proof to the on-chain verifier, then settle)");
    }
    for (i, s) in r.settlements.iter().enumerate() {
        if !quiet {
            o += &format!("  {}\n", s.what);
        }
        o += &format!(
            "settlement {} {}: units {} entries {} proof {} bytes, proved in {:.2} s, gas verify {} ({} tx) settle {}\n",
            i + 1,
            s.proof_dir.display(),
            s.units,
            s.entries,
            s.proof_bytes,
            s.prove_time.as_secs_f64(),
            s.verify_gas,
            s.verify_txs,
            s.settle_gas
        );
    }
    o += &format!(
        "units settled {}\n",
        r.settlements.iter().map(|s| s.units).sum::<u64>()
    );
    o += &format!(
        "gas {}\n",
        r.settlements
            .iter()
            .map(|s| s.verify_gas + s.settle_gas)
            .sum::<u64>()
    );
    if !quiet {
        o += &head(
            "Nodes (token balance on chain before -> after the settlements; msgl balance net)",
        );
    }
    for n in &r.nodes {
        o += &format!(
            "node {} {}: chain {} -> {} SNT ({}), balance {}\n",
            n.name,
            n.home.display(),
            tokens(n.before),
            tokens(n.after),
            token_delta(n.before, n.after),
            n.net
        );
    }
    if !quiet {
        o += "(payers pay from the deposit and escrow the settlement contract holds, so only payees' wallets move)\n";
        o += &format!(
            "\nDone in {:.1} s. The homes are kept; try: msgl --home {} peers\n",
            r.elapsed.as_secs_f64(),
            r.nodes[0].home.display()
        );
    }
    o
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
