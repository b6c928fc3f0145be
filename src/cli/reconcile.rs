//! `msgl reconcile --with PEER [--epoch MS | --accept FILE | --finalize FILE]`:
//! propose, co-sign or finalize a reconciliation (docs/DESIGN.md §6.6).

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::{blame, csv_field, emit, read_input, Ctx, Format, OutputArg};
use crate::error::{clean, Error, Result};
use crate::objects::recon::NetDirection;
use crate::objects::Recon;
use crate::protocol::reconcile::{self, Diff, Verdict};

/// The examples of `msgl reconcile`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Propose a reconciliation from this node's books (written to recon/)",
        "msgl --home ~/node2 reconcile --with node1",
    ),
    (
        "The peer co-signs and books it, or prints the difference and exits 1",
        "msgl --home ~/node1 reconcile --with node2 --accept ~/node2/recon/*.yaml",
    ),
    (
        "The proposer books the co-signed agreement",
        "msgl --home ~/node2 reconcile --with node1 --finalize ~/node1/recon/*.yaml",
    ),
];

/// Reconcile the books with a peer: propose, co-sign or close a period
///
/// Without --accept or --finalize, proposes from this node's own books up
/// to the epoch: for each direction a checkpoint of every channel that way
/// (last nonce, cumulative units, preimage), the carried balance and every
/// open message's amount, the totals and the net; signs it and writes
/// recon/<pair>-<epoch>.yaml for the peer. With --accept FILE, checks the
/// peer's proposal (it must follow this node's last agreement with the
/// peer; if both proposed, the earlier epoch goes first) and recomputes it
/// from this node's mirror books: if they agree it co-signs, writes the
/// agreement and books RECONCILED at once; otherwise it prints the
/// difference message by message (which side lacks which message, the
/// amount on each side, the totals) and exits 1 without signing. With
/// --finalize FILE, the proposer books RECONCILED for the peer's
/// co-signature of its proposal. RECONCILED nets the agreed messages and
/// the carried balance into one `…:<Peer>:epoch-<ms>` line per direction;
/// what was booked after the cut stays open. Acks are never refused
/// because of a reconciliation: the channels go on as they were.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The peer (a name in msgl.yaml, case-insensitive)
    #[arg(long = "with", value_name = "PEER")]
    pub with: String,
    /// The period's end, unix epoch milliseconds [default: now] (proposal only)
    #[arg(long, value_name = "MS", conflicts_with_all = ["accept", "finalize"])]
    pub epoch: Option<u64>,
    /// Check the peer's proposal against this node's books and co-sign it
    #[arg(long, value_name = "FILE", conflicts_with = "finalize")]
    pub accept: Option<PathBuf>,
    /// Book RECONCILED for a co-signed agreement and close the period
    #[arg(long, value_name = "FILE")]
    pub finalize: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArg,
}

#[derive(Serialize)]
struct PositionSummary {
    channel: String,
    nonce: u64,
    cumulative: u64,
    preimage: String,
}

#[derive(Serialize)]
struct DirectionSummary {
    payer: String,
    payee: String,
    channels: Vec<PositionSummary>,
    messages: usize,
    #[serde(with = "crate::journal::decimal::serde::str")]
    carried: crate::journal::Decimal,
    #[serde(with = "crate::journal::decimal::serde::str")]
    amount: crate::journal::Decimal,
}

#[derive(Serialize)]
struct Summary {
    status: &'static str,
    peer: String,
    file: String,
    epoch: u64,
    previous_epoch: u64,
    directions: Vec<DirectionSummary>,
    #[serde(with = "crate::journal::decimal::serde::str")]
    net: crate::journal::Decimal,
    /// Who pays the net (absent when it is zero).
    net_payer: Option<String>,
    net_payee: Option<String>,
}

fn summary(
    status: &'static str,
    r: &Recon,
    file: &str,
    me: &str,
    peer: &str,
    me_a: bool,
) -> Summary {
    let name = |is_a: bool| if is_a == me_a { me } else { peer }.to_string();
    let dir = |a_pays: bool, d: &crate::objects::recon::Direction| DirectionSummary {
        payer: name(a_pays),
        payee: name(!a_pays),
        channels: d
            .channels
            .iter()
            .map(|p| PositionSummary {
                channel: hex::encode(p.channel),
                nonce: p.nonce,
                cumulative: p.cumulative,
                preimage: hex::encode(p.preimage),
            })
            .collect(),
        messages: d.messages.len(),
        carried: d.carried,
        amount: d.amount,
    };
    let (net_payer, net_payee) = match r.net_direction {
        NetDirection::AToB => (Some(name(true)), Some(name(false))),
        NetDirection::BToA => (Some(name(false)), Some(name(true))),
        NetDirection::None => (None, None),
    };
    Summary {
        status,
        peer: peer.to_string(),
        file: file.to_string(),
        epoch: r.epoch,
        previous_epoch: r.previous_epoch,
        directions: vec![dir(true, &r.a_to_b), dir(false, &r.b_to_a)],
        net: r.net,
        net_payer,
        net_payee,
    }
}

fn summary_text(s: &Summary) -> String {
    let mut out = format!(
        "{} reconciliation with {} at epoch {} (previous {}) in {}\n",
        s.status, s.peer, s.epoch, s.previous_epoch, s.file
    );
    for d in &s.directions {
        out.push_str(&format!(
            "  {} -> {}: {} (carried {}, {})\n",
            d.payer,
            d.payee,
            d.amount,
            d.carried,
            plural(d.messages, "open message", "open messages")
        ));
        for c in &d.channels {
            out.push_str(&format!(
                "    channel {}: nonce {} cumulative {}\n",
                &c.channel[..16],
                c.nonce,
                c.cumulative
            ));
        }
    }
    match (&s.net_payer, &s.net_payee) {
        (Some(p), Some(q)) => out.push_str(&format!("  net: {p} pays {q} {}\n", s.net)),
        _ => out.push_str("  net: 0\n"),
    }
    out
}

/// "1 difference", "3 differences".
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn differences(n: usize) -> String {
    plural(n, "difference", "differences")
}

fn diff_text(d: &Diff) -> String {
    let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "-".into());
    let mut out = format!(
        "the books with {} disagree at epoch {}: {}\n",
        d.peer,
        d.epoch,
        differences(d.lines.len())
    );
    out.push_str("direction\titem\there\tproposal\tlacking\n");
    for l in &d.lines {
        // Peer text, escaped: a proposal's names cannot drive a terminal.
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            l.direction,
            clean(&l.item),
            clean(&show(&l.here)),
            clean(&show(&l.proposal)),
            l.lacking
                .as_ref()
                .map_or_else(String::new, |n| format!("{n} lacks it"))
        ));
    }
    for t in &d.totals {
        out.push_str(&format!(
            "total {}: here {}, proposal {}, difference {}\n",
            t.direction, t.here, t.proposal, t.difference
        ));
    }
    out
}

/// The summary as CSV: one row per direction, the agreement's fields repeated.
fn summary_csv(s: &Summary) -> String {
    let mut out = String::from(
        "status,peer,epoch,previous_epoch,payer,payee,channels,units,messages,carried,amount,net,net_payer,net_payee,file\n",
    );
    for d in &s.directions {
        let fields = [
            s.status.to_string(),
            s.peer.clone(),
            s.epoch.to_string(),
            s.previous_epoch.to_string(),
            d.payer.clone(),
            d.payee.clone(),
            d.channels.len().to_string(),
            d.channels
                .iter()
                .map(|c| c.cumulative)
                .sum::<u64>()
                .to_string(),
            d.messages.to_string(),
            d.carried.to_string(),
            d.amount.to_string(),
            s.net.to_string(),
            s.net_payer.clone().unwrap_or_default(),
            s.net_payee.clone().unwrap_or_default(),
            s.file.clone(),
        ];
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The difference as CSV: one row per line, then one `total` row per
/// direction (its difference is proposal − here).
fn diff_csv(d: &Diff) -> String {
    let mut out = String::from("direction,item,here,proposal,lacking\n");
    let row = |fields: [&str; 5]| {
        let f: Vec<String> = fields.iter().map(|x| csv_field(&clean(x))).collect();
        f.join(",") + "\n"
    };
    for l in &d.lines {
        out.push_str(&row([
            &l.direction,
            &l.item,
            l.here.as_deref().unwrap_or(""),
            l.proposal.as_deref().unwrap_or(""),
            l.lacking.as_deref().unwrap_or(""),
        ]));
    }
    for t in &d.totals {
        out.push_str(&row([
            &t.direction,
            "total",
            &t.here.to_string(),
            &t.proposal.to_string(),
            "",
        ]));
    }
    out
}

fn print_summary(s: &Summary, format: Format, quiet: bool) -> Result<()> {
    match format {
        Format::Json => emit(&format!(
            "{}\n",
            serde_json::to_string_pretty(s).expect("a summary serializes")
        )),
        Format::Csv => emit(&summary_csv(s)),
        _ if quiet => Ok(()),
        _ => emit(&summary_text(s)),
    }
}

fn read_recon(path: &std::path::Path) -> Result<Recon> {
    let (name, text) = read_input(path)?;
    reconcile::read(std::path::Path::new(&name), &text).map_err(|e| blame(e, &name))
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let peer_name = config.peer(&args.with)?.name.clone();
    let me = home.public_key()?;
    let quiet = ctx.global.quiet;
    if let Some(path) = &args.finalize {
        let agreement = read_recon(path)?;
        let done = reconcile::finalize(&home, &config, &me, &peer_name, &agreement)?;
        let s = summary(
            "finalized",
            &agreement,
            &done.file,
            &config.name,
            &peer_name,
            me == agreement.node_a,
        );
        if args.output.output == Format::Text && !quiet {
            return emit(&format!(
                "booked ({}) RECONCILED with {peer_name} at epoch {}\n{}",
                done.booked.seq,
                agreement.epoch,
                summary_text(&s)
            ));
        }
        return print_summary(&s, args.output.output, quiet);
    }
    let key = home.signing_key()?;
    match &args.accept {
        None => {
            let journal =
                crate::journal::parse_file(&crate::journal::Source::File(home.journal_path()))?;
            let books = reconcile::load_books(&home, &config, me, &peer_name, &journal)?;
            let p = reconcile::propose(&books, &key, args.epoch)?;
            let s = summary(
                "proposed",
                &p.recon,
                &p.file,
                &config.name,
                &peer_name,
                me == p.recon.node_a,
            );
            print_summary(&s, args.output.output, quiet)
        }
        Some(path) => {
            let proposal = read_recon(path)?;
            match reconcile::accept(&home, &config, &key, &peer_name, &proposal)? {
                Verdict::Agreed {
                    recon,
                    file,
                    booked,
                } => {
                    let s = summary(
                        "co-signed",
                        &recon,
                        &file,
                        &config.name,
                        &peer_name,
                        me == recon.node_a,
                    );
                    if args.output.output == Format::Text && !quiet {
                        return emit(&format!(
                            "booked ({}) RECONCILED with {peer_name} at epoch {}\n{}",
                            booked.seq,
                            recon.epoch,
                            summary_text(&s)
                        ));
                    }
                    print_summary(&s, args.output.output, quiet)
                }
                Verdict::Disagree(d) => {
                    match args.output.output {
                        Format::Json => emit(&format!(
                            "{}\n",
                            serde_json::to_string_pretty(&d).expect("a diff serializes")
                        ))?,
                        Format::Csv => emit(&diff_csv(&d))?,
                        _ => emit(&diff_text(&d))?,
                    }
                    Err(Error::check(format!(
                        "the books with {peer_name} disagree: {}; nothing signed",
                        differences(d.lines.len())
                    ))
                    .hint("resolve them (re-send a lost ack, correct a price), then propose again"))
                }
            }
        }
    }
}
