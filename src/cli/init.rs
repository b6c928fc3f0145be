//! `msgl init --name NAME`: creates a node home (DESIGN §2).

use std::path::Path;

use rust_decimal::Decimal;

use crate::cli::{emit, Ctx};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::home::{Config, PolicySettings, CONFIG_FILE, JOURNAL_FILE};
use crate::keys::{self, KEY_FILE};

/// Create a node home: a new key (keys/node.key, mode 0600), msgl.yaml, an
/// empty journal and the acks/, recon/, chains/ and channels/ directories.
/// Refuses to touch an existing home.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The node's name (letters, digits, `-` and `_`)
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The token the node is paid in
    #[arg(long, default_value = "SNT", value_name = "TOKEN")]
    pub token: String,
    /// The token's decimals
    #[arg(long, default_value_t = 18, value_name = "N")]
    pub decimals: u32,
    /// The price of one unit, in the token
    #[arg(long, default_value = "0.00001", value_name = "AMOUNT")]
    pub unit_price: Decimal,
}

/// Directories of a home, and whether they are private (0700).
pub const DIRS: &[(&str, bool)] = &[
    ("keys", true),
    ("acks", true),
    ("recon", true),
    ("chains", true),
    ("channels", true),
];

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

fn mkdir(path: &Path, private: bool) -> Result<()> {
    std::fs::create_dir_all(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    valid_name(&args.name)?;
    if args.token.is_empty() || !args.token.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::input(format!("bad token `{}`", args.token)).hint("e.g. SNT"));
    }
    if args.unit_price <= Decimal::ZERO || args.unit_price.scale() > args.decimals {
        return Err(Error::input(format!("bad unit price {}", args.unit_price))
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
    mkdir(&home.root, false)?;
    for (d, private) in DIRS {
        mkdir(&home.path(d), *private)?;
    }
    let key = keys::generate()?;
    fsutil::write_atomic(
        &home.key_path(),
        keys::encode(&key).as_bytes(),
        false,
        Some(0o600),
    )?;
    let config = Config {
        name: args.name.clone(),
        token: args.token.clone(),
        decimals: args.decimals,
        unit_price: args.unit_price.normalize(),
        peers: Vec::new(),
        policy: PolicySettings::default(),
    };
    fsutil::write_new(&home.config_path(), config.to_yaml().as_bytes())?;
    fsutil::write_new(&home.journal_path(), b"")?;
    if !ctx.global.quiet {
        emit(&format!(
            "created node {} in {}\npublic key: {}\n",
            args.name,
            home.root.display(),
            hex::encode(key.verifying_key().as_bytes())
        ))?;
    }
    Ok(())
}
