//! `msgl calldata DIR [--verify [--verifier ADDR] | --register] [--part K]`.

use serde_json::json;

use crate::cli::{emit, Ctx, Format, OutputArg};
use crate::error::{Error, Result};

/// Print the calldata that settles a proven batch on chain
///
/// Verifies the proof directory first, then prints the ABI-encoded call of
/// the settlement contract's `settle(entries)` as 0x-hex, for `cast send` and
/// friends. A split proof (part-1/, part-2/, …) prints one call per part,
/// one per line, to be sent in that order; --part K prints part K's alone.
/// -O json prints {to, function, args, data} (an array of them for several
/// parts).
///
/// With --verify, the on-chain verifier's transactions instead (a proof from
/// `msgl prove --for-chain`): one 0x line per transaction, in the order to
/// send them to the verifier (MsglVerifier); once they are mined, each
/// part's statement is proven on chain and its `settle` goes through. -O
/// json prints for each {to, data, purpose, gas, part}: `to` from
/// --verifier or msgl.yaml's chain.verifier (null when neither), `gas` what
/// it used in revm on the committed contract. A proof that does not verify
/// is refused (exit 1) and nothing is printed.
///
/// With --register, the trusted stand-in registry's `registerFact(fact)`
/// (FactRegistry, where one registrar vouches for any fact; for tests).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory written by `msgl prove`
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// The on-chain verifier's transactions (needs a `msgl prove --for-chain` proof)
    #[arg(long, conflicts_with = "register")]
    pub verify: bool,
    /// The verifier's address, for --verify -O json's `to` [default: msgl.yaml's chain.verifier]
    #[arg(long, value_name = "ADDRESS", requires = "verify")]
    pub verifier: Option<String>,
    /// The trusted stand-in registry's registerFact(fact) instead of settle
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

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    if let Some(to) = &args.to {
        crate::proof::parse_address(to, "--to")?;
    }
    if args.verify {
        return run_verify(args, ctx);
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

/// `--verify`: the verifier's transactions ([`crate::proof::verify_calls`]).
fn run_verify(args: &Args, ctx: &Ctx) -> Result<()> {
    let verifier = match args.verifier.as_deref().or(args.to.as_deref()) {
        Some(v) => Some(crate::proof::parse_address(v, "--verifier")?),
        None => match ctx.home().config_opt()?.and_then(|c| c.chain) {
            Some(chain) => chain.verifier_address()?,
            None => None,
        },
    }
    .map(alloy_primitives::Address::from);
    let mut calls = crate::proof::verify_calls(&args.dir, verifier)?;
    if let Some(k) = args.part {
        let n = crate::proof::parts(&args.dir)?.len();
        if k == 0 || k > n {
            return Err(
                Error::input(format!("--part {k}: the proof has {n} part(s)")).in_file(&args.dir),
            );
        }
        calls.retain(|c| c.part == k);
    }
    let hex0x = |d: &[u8]| format!("0x{}", hex::encode(d));
    match args.out.output {
        Format::Json => {
            let v: Vec<_> = calls
                .iter()
                .map(|c| {
                    json!({
                        "to": c.to.map(|a| a.to_string()),
                        "data": hex0x(&c.data),
                        "purpose": c.purpose,
                        "gas": c.gas,
                        "part": c.part,
                    })
                })
                .collect();
            emit(&(serde_json::to_string_pretty(&v).expect("json") + "\n"))
        }
        Format::Csv => {
            let mut out = String::from("part,to,gas,purpose,data\n");
            for c in &calls {
                out += &format!(
                    "{},{},{},{},{}\n",
                    c.part,
                    c.to.map(|a| a.to_string()).unwrap_or_default(),
                    c.gas.map(|g| g.to_string()).unwrap_or_default(),
                    crate::cli::csv_field(&c.purpose),
                    hex0x(&c.data)
                );
            }
            emit(&out)
        }
        Format::Text => {
            let mut out = String::new();
            for c in &calls {
                out += &hex0x(&c.data);
                out.push('\n');
            }
            emit(&out)
        }
    }
}
