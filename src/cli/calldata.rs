//! `msgl calldata DIR [--register]`.

use serde_json::json;

use crate::cli::{emit, Ctx, Format, OutputArg};
use crate::error::Result;

/// Print the calldata that settles a proven batch on chain
///
/// Verifies the proof directory first, then prints the ABI-encoded call of
/// the settlement contract's `settle(entries)` as 0x-hex, for `cast send` and
/// friends; with --register, the fact registry's `registerFact(hash)` call
/// for the statement's hash instead (the v1 verifier). -O json prints {to,
/// function, args, data}.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory written by `msgl prove`
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// The registry's registerFact(statement hash) instead of settle
    #[arg(long)]
    pub register: bool,
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
    let statement = crate::proof::verify_dir(&args.dir)?;
    let hash = msgl_settlement::statement_hash(&statement);
    let (function, call_args, data) = if args.register {
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
            msgl_settlement::settle_calldata(&statement),
        )
    };
    let data_hex = format!("0x{}", hex::encode(&data));
    match args.out.output {
        Format::Json => {
            let v =
                json!({ "to": args.to, "function": function, "args": call_args, "data": data_hex });
            emit(&(serde_json::to_string_pretty(&v).expect("json") + "\n"))
        }
        Format::Csv => emit(&format!("function,data\n\"{function}\",{data_hex}\n")),
        Format::Text => emit(&(data_hex + "\n")),
    }
}
