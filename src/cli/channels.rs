//! `msgl channels`: this node's channels and how far each is used.

use serde::Serialize;

use crate::cli::{csv_field, emit, Ctx, Format, OutputArg};
use crate::error::Result;
use crate::protocol::channel;

/// The examples of `msgl channels`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[(
    "The home's channels in both directions: units used and left, last nonce, id",
    "msgl --home ~/node1 channels",
)];

/// List this node's channels and the units used and left
///
/// One line per channel, from channels/: direction (in: this node is paid;
/// out: this node pays), peer, generation, length, units used and left,
/// last nonce, channel id (its first 16 hex digits in text; whole in json
/// and csv). -O json and -O csv for scripts.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub output: OutputArg,
}

#[derive(Serialize)]
struct Row {
    /// `out`: this node pays; `in`: this node is paid.
    role: &'static str,
    peer: String,
    generation: u64,
    length: u64,
    cumulative: u64,
    left: u64,
    nonce: u64,
    /// Base units of the token per unit.
    unit_price: String,
    id: String,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let config = home.config()?;
    let me = home.public_key()?;
    let rows: Vec<Row> = channel::list(&home, &me)?
        .into_iter()
        .map(|c| {
            let peer_key = c.peer();
            Row {
                role: c.role.as_str(),
                peer: config
                    .peer_by_key(&peer_key)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| hex::encode(&peer_key[..8])),
                generation: c.open.generation,
                length: c.open.length,
                cumulative: c.cumulative,
                left: c.left(),
                nonce: c.nonce,
                unit_price: c.open.unit_price.to_string(),
                id: c.open.id_hex(),
            }
        })
        .collect();
    let text = match args.output.output {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&rows).expect("rows serialize");
            s.push('\n');
            s
        }
        Format::Csv => {
            let mut s =
                String::from("role,peer,generation,length,cumulative,left,nonce,unit_price,id\n");
            for r in &rows {
                s.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{}\n",
                    r.role,
                    csv_field(&r.peer),
                    r.generation,
                    r.length,
                    r.cumulative,
                    r.left,
                    r.nonce,
                    r.unit_price,
                    r.id
                ));
            }
            s
        }
        Format::Text if rows.is_empty() => "no channels: `msgl open --to PEER --units N`\n".into(),
        Format::Text => {
            let mut s = format!(
                "{:<4} {:<12} {:>4} {:>10} {:>10} {:>10} {:>8}  {}\n",
                "dir", "peer", "gen", "length", "used", "left", "nonce", "id"
            );
            for r in &rows {
                s.push_str(&format!(
                    "{:<4} {:<12} {:>4} {:>10} {:>10} {:>10} {:>8}  {}\n",
                    r.role,
                    r.peer,
                    r.generation,
                    r.length,
                    r.cumulative,
                    r.left,
                    r.nonce,
                    &r.id[..16]
                ));
            }
            s
        }
    };
    emit(&text)
}
