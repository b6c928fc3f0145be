//! `msgl calldata DIR [--register] [--part K]`.

use serde_json::json;

use crate::cli::{emit, Ctx, Format, OutputArg};
use crate::error::{Error, Result};

/// Print the calldata that settles a proven batch on chain
///
/// Verifies the proof directory first, then prints the ABI-encoded call of
/// the settlement contract's `settle(entries)` as 0x-hex, for `cast send` and
/// friends; with --register, the fact registry's `registerFact(fact)` call
/// for the statement's fact instead (the trusted stand-in verifier). A
/// split proof (part-1/, part-2/, …) prints one call per part, one per line,
/// to be sent in that order; --part K prints part K's alone. -O json prints
/// {to, function, args, data} (an array of them for several parts).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory written by `msgl prove`
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// The registry's registerFact(fact) instead of settle
    #[arg(long)]
    pub register: bool,
    /// Only part K (from 1) of a split proof
    #[arg(long, value_name = "K")]
    pub part: Option<usize>,
    /// The contract's address, for -O json's `to`
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    #[command(flatten)]
    pub out: OutputArg,
}

pub fn run(args: &Args, _ctx: &Ctx) -> Result<()> {
    if let Some(to) = &args.to {
        crate::proof::parse_address(to, "--to")?;
    }
    let mut dirs = crate::proof::parts(&args.dir)?;
    if let Some(k) = args.part {
        if k == 0 || k > dirs.len() {
            return Err(
                Error::input(format!("--part {k}: the proof has {} part(s)", dirs.len()))
                    .in_file(&args.dir),
            );
        }
        dirs = vec![dirs.swap_remove(k - 1)];
    }
    let mut calls = Vec::with_capacity(dirs.len());
    for dir in &dirs {
        let statement = crate::proof::verify_dir(dir)?;
        calls.push(call(&statement, args.register));
    }
    match args.out.output {
        Format::Json => {
            let objects: Vec<_> = calls
                .into_iter()
                .map(|(function, call_args, data)| {
                    json!({ "to": args.to, "function": function, "args": call_args, "data": data })
                })
                .collect();
            let v = if objects.len() == 1 {
                objects.into_iter().next().expect("one")
            } else {
                serde_json::Value::Array(objects)
            };
            emit(&(serde_json::to_string_pretty(&v).expect("json") + "\n"))
        }
        Format::Csv => {
            let mut out = String::from("function,data\n");
            for (function, _, data) in calls {
                out += &format!("\"{function}\",{data}\n");
            }
            emit(&out)
        }
        Format::Text => {
            let mut out = String::new();
            for (_, _, data) in calls {
                out += &data;
                out.push('\n');
            }
            emit(&out)
        }
    }
}

/// (function signature, arguments as JSON, 0x-hex calldata) of one part.
fn call(
    statement: &msgl_circuits::Statement,
    register: bool,
) -> (&'static str, serde_json::Value, String) {
    let hash = msgl_settlement::statement_hash(statement);
    let (function, call_args, data) = if register {
        (
            "registerFact(bytes32)",
            json!({ "fact": format!("0x{}", hex::encode(hash)) }),
            msgl_settlement::register_calldata(hash),
        )
    } else {
        let entries: Vec<_> = statement
            .entries
            .iter()
            .map(|e| {
                json!({
                    "channel": format!("0x{}", hex::encode(e.channel)),
                    "oldTip": format!("0x{}", hex::encode(msgl_circuits::poseidon2::pack(&e.old_tip))),
                    "oldCount": e.old_count,
                    "newTip": format!("0x{}", hex::encode(msgl_circuits::poseidon2::pack(&e.new_preimage))),
                    "newCount": e.new_count,
                })
            })
            .collect();
        (
            "settle((bytes32,bytes32,uint64,bytes32,uint64)[])",
            json!({ "entries": entries, "statementHash": format!("0x{}", hex::encode(hash)) }),
            msgl_settlement::settle_calldata(statement),
        )
    };
    (function, call_args, format!("0x{}", hex::encode(data)))
}
