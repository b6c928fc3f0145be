//! `msgl accept FILE...`: the payee checks acks, stores and books them;
//! `--stream`, acks from standard input, one verdict line each.

use std::path::PathBuf;

use crate::cli::ack::GroupArgs;
use crate::cli::{emit, read_input, Ctx};
use crate::error::{Error, Result};

use crate::protocol::ack::{accept_many, accept_stream};

/// The examples of `msgl accept`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "The payee checks an ack, keeps it in acks/ and books MESSAGE SENT",
        "msgl --home ~/node1 accept ack.yaml",
    ),
    (
        "A stream of acks in, one JSON verdict per ack out",
        "msgl --home ~/node1 accept --stream < acks.jsonl > verdicts.jsonl",
    ),
];

/// Check, store and book acks (payee)
///
/// Checks each ack (YAML, or one JSON line): domain, addressee, signer, the
/// channel, price up to the channel's units per ack, nonce above the last,
/// cumulative = previous + price, and that the preimage hashes price times
/// to the previous one (the signature and the hashing before the home's
/// lock is taken); then keeps it in acks/<channel id>.log and books
/// MESSAGE SENT (`; ack: <channel id>-<nonce>`), the files' acks together
/// in one commit. The files are taken in order; the first refused one
/// stops with its reason (exit 1), and nothing of it is kept or booked
/// (the ones before it are). Acks are taken strictly in order: a missing
/// one must be re-sent by the payer (`msgl ack --resend`).
///
/// `--stream` (a relay's hot path) reads acks from standard input: a line
/// starting with `{` is one ack in JSON (as `msgl ack --stream` writes
/// them), other lines gather into a YAML ack ended by a `---` line or the
/// end of input. It holds the home's lock until its input ends (other
/// writers are told the home is busy) and writes one verdict per ack as a
/// JSON line, in input order, once the ack's group is committed:
/// `{"verdict":"accepted","line":L,"ack":"<channel id>-<nonce>","nonce":N,
/// "cumulative":C,"price":P,"peer":NAME,"seq":S,"reason":null,"hint":null}`
/// (S: the journal sequence number of its MESSAGE SENT), or `"refused"` with
/// `seq` null and the reason. A refused ack stages nothing and does not stop
/// the stream; the exit status is 1 when any was refused. A retry of an
/// accepted ack is refused as `already accepted`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ack files (`-` for standard input)
    #[arg(
        value_name = "FILE",
        required_unless_present = "stream",
        conflicts_with = "stream"
    )]
    pub files: Vec<PathBuf>,
    /// Check and book the acks of stdin, one JSON verdict line each once committed
    #[arg(long)]
    pub stream: bool,
    #[command(flatten)]
    pub group: GroupArgs,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    if args.stream {
        let mut out = std::io::stdout();
        let t = accept_stream(
            &home,
            &config,
            &me,
            std::io::stdin(),
            &mut out,
            args.group.limits(),
        )?;
        return match t.refused {
            0 => Ok(()),
            n => Err(
                Error::check(format!("{n} of {} acks refused", n + t.accepted))
                    .hint("their verdicts on standard output say why"),
            ),
        };
    }
    let mut inputs = Vec::new();
    let mut unreadable = None;
    for f in &args.files {
        match read_input(f) {
            Ok(x) => inputs.push(x),
            Err(e) => {
                unreadable = Some(e);
                break;
            }
        }
    }
    let (done, refused) = accept_many(&home, &config, &me, inputs);
    if !ctx.global.quiet {
        let mut out = String::new();
        for a in &done {
            out.push_str(&format!(
                "booked ({}) MESSAGE SENT to {}: ack {}, cumulative {}\n",
                a.booked.seq,
                a.peer,
                a.ack.name(),
                a.ack.cumulative
            ));
        }
        emit(&out)?;
    }
    match refused.or(unreadable) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
