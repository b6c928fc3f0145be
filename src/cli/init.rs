//! `msgl init --name NAME`: creates a node home (DESIGN §4.3).

use std::path::{Path, PathBuf};

use crate::journal::Decimal;

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::home::{read_small, Config, CONFIG_FILE, JOURNAL_FILE, MAX_CONFIG_BYTES};
use crate::journal::check::{join_blocks, CheckBlock};
use crate::journal::parse::parse_str;
use crate::keys::{self, KEY_FILE};

/// The examples of `msgl init`'s man page (src/cli/docs.rs; each runs in
/// tests/generated_docs.rs).
pub const EXAMPLES: &[crate::cli::docs::Example] = &[
    (
        "Make a payee's home: keys/node.key (0600), keys/evm.key, msgl.yaml, an empty journal",
        "msgl --home ~/node1 init --name Node1",
    ),
    (
        "A payer's home, token and unit price given",
        "msgl --home ~/node2 init --name Node2 --token SNT --decimals 18 --unit-price 0.00001",
    ),
    (
        "A home from a template: its msgl.yaml and opening journal, a new key",
        "msgl --home ~/node3 init --from ledgers/demo/node3",
    ),
];

/// Create a node home: a new key, msgl.yaml, a journal and its directories
///
/// Creates keys/node.key (a new ed25519 key) and keys/evm.key (a new EVM
/// key, where settlements pay this node), both mode 0600, msgl.yaml, the
/// journal (0600) and the keys/, channels/, chains/, acks/, sent/, recon/
/// and served/ directories (0700).
/// With --from TEMPLATE, msgl.yaml's settings (name, token, decimals, unit
/// price, peers, policy) come from TEMPLATE/msgl.yaml and the journal starts
/// as a copy of TEMPLATE/journal.ledger (opening entries; it must pass `msgl
/// check`), as the demo does with ledgers/demo/; flags given beside --from
/// win over the template (its `chain:` settings and max_units_per_ack
/// too). Without --from the journal starts empty. Refuses to touch an
/// existing home.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The node's name (letters, digits, `-` and `_`); required without --from
    #[arg(long, value_name = "NAME", required_unless_present = "from")]
    pub name: Option<String>,
    /// A template directory holding msgl.yaml and, optionally, journal.ledger
    #[arg(long, value_name = "TEMPLATE")]
    pub from: Option<PathBuf>,
    /// The token the node is paid in [default: SNT]
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The token's decimals [default: 18]
    #[arg(long, value_name = "N")]
    pub decimals: Option<u32>,
    /// The price of one unit, in the token [default: 0.00001]
    #[arg(long, value_name = "AMOUNT")]
    pub unit_price: Option<Decimal>,
}

pub fn valid_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::input(format!("bad name `{name}`"))
            .hint("letters, digits, `-` and `_`, e.g. Node1"));
    }
    Ok(())
}

/// The largest template journal read (opening entries, not a history).
pub const MAX_TEMPLATE_JOURNAL_BYTES: u64 = 16 << 20;

/// A template's settings and opening journal.
struct Template {
    config: Config,
    journal: String,
}

fn read_template(dir: &Path) -> Result<Template> {
    let cfg = dir.join(CONFIG_FILE);
    let text = read_small(&cfg, MAX_CONFIG_BYTES).map_err(|e| match e {
        Some(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Error::input("no msgl.yaml in the template")
                .in_file(&cfg)
                .hint("a template is a directory with msgl.yaml and, optionally, journal.ledger, like ledgers/demo/node1")
        }
        Some(e) => Error::io(&cfg, e),
        None => Error::input(format!("larger than {} KB: not a msgl.yaml", MAX_CONFIG_BYTES >> 10))
            .in_file(&cfg),
    })?;
    let config = Config::from_yaml(&text).map_err(|e| e.in_file(&cfg))?;
    let jpath = dir.join(JOURNAL_FILE);
    let journal = match read_small(&jpath, MAX_TEMPLATE_JOURNAL_BYTES) {
        Ok(t) => t,
        Err(Some(e)) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(Some(e)) => return Err(Error::io(&jpath, e)),
        Err(None) => {
            return Err(Error::input(format!(
                "larger than {} MB: a template journal holds opening entries",
                MAX_TEMPLATE_JOURNAL_BYTES >> 20
            ))
            .in_file(&jpath))
        }
    };
    let name = jpath.display().to_string();
    let parsed = parse_str(&journal, &name)?;
    let mut block = CheckBlock::default();
    for e in &parsed.entries {
        block.entry(&name, e, false);
    }
    let (_, problems) = join_blocks(&name, vec![block]);
    if let Some(first) = problems.into_iter().next() {
        return Err(first.into());
    }
    Ok(Template { config, journal })
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let template = args.from.as_deref().map(read_template).transpose()?;
    let base = template.as_ref().map(|t| &t.config);
    let name = match (&args.name, base) {
        (Some(n), _) => n.clone(),
        (None, Some(c)) => c.name.clone(),
        (None, None) => return Err(Error::input("--name is required").hint("e.g. --name Node1")),
    };
    let token = args
        .token
        .clone()
        .or_else(|| base.map(|c| c.token.clone()))
        .unwrap_or_else(|| "SNT".to_string());
    let decimals = args.decimals.or(base.map(|c| c.decimals)).unwrap_or(18);
    let unit_price = args
        .unit_price
        .or(base.map(|c| c.unit_price))
        .unwrap_or(Decimal::new(1, 5));
    valid_name(&name)?;
    if token.is_empty() || !token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::input(format!("bad token `{token}`")).hint("e.g. SNT"));
    }
    if unit_price <= Decimal::ZERO || unit_price.scale() > decimals {
        return Err(Error::input(format!("bad unit price {unit_price}"))
            .hint("a positive amount with at most --decimals decimal places"));
    }
    let home = ctx.home();
    for f in [CONFIG_FILE, JOURNAL_FILE, KEY_FILE] {
        let p = home.path(f);
        if std::fs::symlink_metadata(&p).is_ok() {
            return Err(Error::input("a node home is already here; not overwritten")
                .in_file(&p)
                .hint("choose another --home DIR"));
        }
    }
    fsutil::mkdir(&home.root, false)?;
    for d in crate::store::DIRS {
        fsutil::mkdir(&home.path(d), true)?;
    }
    let key = keys::generate()?;
    let mode = Some(crate::store::FILE_MODE);
    fsutil::write_atomic(&home.key_path(), keys::encode(&key).as_bytes(), false, mode)?;
    let evm = keys::generate_evm()?;
    fsutil::write_atomic(
        &home.evm_key_path(),
        keys::encode_secret(&evm).as_bytes(),
        false,
        mode,
    )?;
    let config = Config {
        name: name.clone(),
        token,
        decimals,
        unit_price: unit_price.normalize(),
        peers: base.map(|c| c.peers.clone()).unwrap_or_default(),
        policy: base.map(|c| c.policy.clone()).unwrap_or_default(),
        max_units_per_ack: base.map_or(crate::home::DEFAULT_MAX_UNITS_PER_ACK, |c| {
            c.max_units_per_ack
        }),
        chain: base.and_then(|c| c.chain.clone()),
        node: base.map(|c| c.node.clone()).unwrap_or_default(),
    };
    fsutil::write_new(&home.config_path(), config.to_yaml().as_bytes())?;
    let journal = template.as_ref().map(|t| t.journal.as_str()).unwrap_or("");
    fsutil::write_atomic(&home.journal_path(), journal.as_bytes(), false, mode)?;
    if !ctx.global.quiet {
        emit(&format!(
            "created node {} in {}\npublic key: {}\n",
            name,
            home.root.display(),
            hex::encode(key.verifying_key().as_bytes())
        ))?;
    }
    Ok(())
}
