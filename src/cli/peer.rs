//! `msgl peer add NAME PUBKEY [--policy ...]`: adds a peer to msgl.yaml.

use crate::journal::Decimal;

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::home::PeerConfig;
use crate::keys;
use crate::policy::Policy;

/// The examples of `msgl peer`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "The payee records the payer by the key it prints with msgl id, with credit up to 0.01",
        "msgl --home ~/node1 peer add Node2 \"$(msgl --home ~/node2 id)\" --policy credit:0.01",
    ),
    (
        "The payer records the payee",
        "msgl --home ~/node2 peer add Node1 \"$(msgl --home ~/node1 id)\"",
    ),
];

/// Manage the node's peers (msgl.yaml)
///
/// `msgl peer add NAME PUBKEY [--policy prepay|credit:AMOUNT|escrow:AMOUNT]
/// [--cap AMOUNT] [--address 0x...]` records a peer by the name the journal
/// uses for it (`Assets:AccountsReceivable:<Name>`, ...), its public key as
/// `msgl id` prints it and, for channels on chain, its EVM address as
/// `msgl id --evm` prints it (where settlements pay it). Names match
/// case-insensitively on the command line; a name or key already known is
/// refused. msgl.yaml is replaced by write-then-rename, under its own lock
/// (msgl.yaml.lock) so that two `peer add` at once keep both peers.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Add a peer by name and public key
    Add(AddArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The peer's name (letters, digits, `-` and `_`)
    pub name: String,
    /// The peer's public key, as its `msgl id` prints it
    pub pubkey: String,
    /// Credit policy: prepay, credit:AMOUNT or escrow:AMOUNT
    #[arg(long, default_value = "prepay", value_name = "POLICY")]
    pub policy: String,
    /// Largest credit limit the peer can grow to with paid history
    #[arg(long, value_name = "AMOUNT")]
    pub cap: Option<Decimal>,
    /// The peer's EVM address (0x and 40 hex digits), as its `msgl id --evm` prints it
    #[arg(long, value_name = "ADDRESS")]
    pub address: Option<String>,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    match &args.action {
        Action::Add(a) => add(a, ctx),
    }
}

fn add(a: &AddArgs, ctx: &Ctx) -> Result<()> {
    crate::cli::init::valid_name(&a.name)?;
    let key = keys::parse_public(&a.pubkey)?;
    let policy: Policy = a.policy.parse()?;
    let address = a
        .address
        .as_deref()
        .map(|t| crate::home::parse_address(t, "--address"))
        .transpose()?
        .map(|b| format!("0x{}", hex::encode(b)));
    if let Some(c) = a.cap {
        if c.is_sign_negative() {
            return Err(Error::input("--cap cannot be negative"));
        }
    }
    let home = ctx.home();
    let mine = home.public_key().ok();
    home.edit_config(|config| {
        if let Some(p) = config
            .peers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(&a.name))
        {
            return Err(Error::input(format!("peer `{}` already exists", p.name))
                .in_file(home.config_path())
                .hint("choose another name, or edit msgl.yaml"));
        }
        if let Some(p) = config.peer_by_key(&key) {
            return Err(
                Error::input(format!("that key is already peer `{}`'s", p.name))
                    .in_file(home.config_path()),
            );
        }
        if mine == Some(key) {
            return Err(Error::input("that is this node's own key"));
        }
        config.peers.push(PeerConfig {
            name: a.name.clone(),
            key: hex::encode(key),
            policy: policy.to_string(),
            cap: a.cap.map(|c| c.normalize()),
            address,
        });
        Ok(())
    })?;
    if !ctx.global.quiet {
        emit(&format!("added peer {} ({policy})\n", a.name))?;
    }
    Ok(())
}
