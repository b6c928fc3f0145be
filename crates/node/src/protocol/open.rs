//! Opening a channel (payer) and accepting it (payee): docs/DESIGN.md §6.2.
//!
//! Rules: generations start at 1; a channel id (the anchor) is used once
//! by a node, in either role, whoever offers it again; the terms —
//! decimals, unit price, units per ack, and on chain the chain id,
//! settlement contract, token and the two EVM addresses — must be this
//! node's own; the payee signs its acceptance of the terms for the
//! contract (EIP-712) only after all of that.

use ed25519_dalek::SigningKey;
use msgl_poseidon2 as poseidon2;
use zeroize::Zeroizing;

use super::channel::{check_id, opens};
use super::Refusal;
use crate::error::{Error, Result};
use crate::hashchain::{self, HashChain};
use crate::home::{parse_address, Config, Home};
use crate::journal::Decimal;
use crate::keys::{self, PublicKey};
use crate::objects::acceptance::Acceptance;
use crate::objects::open::{amount_to_base, ChainTerms, Terms, MAX_DECIMALS};
use crate::objects::{check_domain, Open, DOMAIN_OPEN};
use crate::store::{self, Tx};

/// A peer's name and key from msgl.yaml.
pub fn peer_key(config: &Config, name: &str) -> Result<(String, PublicKey)> {
    let peer = config.peer(name)?;
    let key = keys::parse_public(&peer.key).map_err(|e| e.in_file(crate::home::CONFIG_FILE))?;
    Ok((peer.name.clone(), key))
}

/// This node's unit price in base units of its token.
pub fn unit_price_base(config: &Config) -> Result<u128> {
    if config.decimals > u32::from(MAX_DECIMALS) {
        return Err(Error::input(format!(
            "decimals {} in msgl.yaml: at most {MAX_DECIMALS}",
            config.decimals
        )));
    }
    amount_to_base(
        config.unit_price,
        config.decimals as u8,
        "unit_price in msgl.yaml",
    )
}

/// The chain terms this node expects of a channel with `peer` (`payer`:
/// this node pays): zeros without a `chain:` setting.
fn chain_terms(home: &Home, config: &Config, peer: &str, payer: bool) -> Result<ChainTerms> {
    let Some(chain) = &config.chain else {
        return Ok(ChainTerms::default());
    };
    let (settlement, token) = chain.addresses()?;
    let mine = home.evm_address()?.ok_or_else(|| {
        Error::input("this node has no EVM key (keys/evm.key), and msgl.yaml names a chain")
            .hint("homes made by `msgl init` have one")
    })?;
    let theirs = match &config.peer(peer)?.address {
        Some(a) => Some(parse_address(a, &format!("address of peer {peer}"))?),
        None => None,
    };
    let (payer_address, payee_address) = if payer {
        let payee = theirs.ok_or_else(|| {
            Error::input(format!("peer {peer} has no EVM address in msgl.yaml")).hint(format!(
                "`msgl peer address {peer} 0x...`: where its settlements are paid"
            ))
        })?;
        (mine, payee)
    } else {
        (theirs.unwrap_or([0; 20]), mine)
    };
    Ok(ChainTerms {
        chain_id: chain.chain_id,
        settlement,
        token,
        payer_address,
        payee_address,
    })
}

/// What `open` made.
pub struct Opened {
    pub peer: String,
    pub open: Open,
}

/// Payer: opens the next generation of channel to `payee_name` with a
/// chain of `length` units and `escrow` (token) locked for the payee.
/// Stores the open and the checkpoints; the open is what the payee accepts.
pub fn open(
    home: &Home,
    config: &Config,
    key: &SigningKey,
    payee_name: &str,
    length: u64,
    escrow: Decimal,
) -> Result<Opened> {
    let (name, payee) = peer_key(config, payee_name)?;
    if length == 0 || length > hashchain::MAX_LENGTH {
        return Err(Error::input(format!("bad length {length}"))
            .hint(format!("--units between 1 and {}", hashchain::MAX_LENGTH)));
    }
    let unit_price = unit_price_base(config)?;
    let escrow = amount_to_base(escrow, config.decimals as u8, "escrow")?;
    let chain_terms = chain_terms(home, config, &name, true)?;
    let me = key.verifying_key().to_bytes();
    home.dir(store::CHANNELS_DIR)?;
    home.dir(store::CHAINS_DIR)?;
    home.dir(store::SENT_DIR)?;
    let generation_now = || -> Result<u64> {
        Ok(opens(home)?
            .iter()
            .filter(|o| o.payer == me && o.payee == payee)
            .map(|o| o.generation)
            .max()
            .unwrap_or(0)
            + 1)
    };
    // The chain costs `length` hashes: built before the lock, for the
    // generation free now, and refused under the lock if another `open`
    // took it meanwhile.
    let generation = generation_now()?;
    let secret = Zeroizing::new(key.to_bytes());
    let chain = HashChain::build(hashchain::seed(&secret, &payee, generation), length);
    let channel = poseidon2::pack(&chain.anchor());
    let _tx = Tx::begin(home)?;
    if generation_now()? != generation {
        return Err(Error::input(format!(
            "another `msgl open` to {name} took generation {generation} meanwhile"
        ))
        .hint("run the command again"));
    }
    if let Err(r) = check_id(&channel) {
        return Err(r.into());
    }
    if home.open_path(&channel).exists() {
        return Err(Refusal::ChannelIdInUse {
            channel: hex::encode(channel),
            holder: "another channel of this node".into(),
        }
        .into());
    }
    let open = Open::signed(
        key,
        &Terms {
            payee,
            generation,
            channel,
            length,
            max_price: config.max_units_per_ack.min(length),
            decimals: config.decimals as u8,
            unit_price,
            escrow,
            chain: chain_terms,
        },
    );
    // Chain first: an open whose chain file is missing is rebuilt from the
    // key; a chain file without its open is never read.
    // (A crash between these leaves files for a generation no open
    // claims: the next `open` makes the same ones again over them.)
    home.replace(&home.chain_path(&channel), &chain.to_bytes())?;
    home.replace(&home.ack_log(&channel, true), b"")?;
    home.create(&home.open_path(&channel), open.to_yaml().as_bytes())?;
    Ok(Opened { peer: name, open })
}

/// What `accept_open` recorded.
pub struct AcceptedOpen {
    pub peer: String,
    pub open: Open,
    /// The payee's EIP-712 acceptance, for a channel on chain.
    pub acceptance: Option<Acceptance>,
}

/// Checks everything about an open that needs no lock: the signature,
/// that it is this node's, from a known peer, and its terms.
fn check_open(home: &Home, config: &Config, me: &PublicKey, open: &Open) -> Result<String> {
    if check_domain(&open.domain, DOMAIN_OPEN, "channel open").is_err() {
        return Err(Refusal::BadSignature {
            detail: format!(
                "wrong domain `{}` for channel open (expected `{DOMAIN_OPEN}`)",
                open.domain
            ),
        }
        .into());
    }
    let peer = config
        .peer_by_key(&open.payer)
        .ok_or_else(|| Refusal::UnknownPeer {
            kind: "open",
            key: hex::encode(open.payer),
        })?
        .name
        .clone();
    open.verify().map_err(|e| Refusal::BadSignature {
        detail: e.what().to_owned(),
    })?;
    if open.payee != *me {
        return Err(Refusal::NotForThisNode {
            kind: "open",
            to: hex::encode(open.payee),
        }
        .into());
    }
    if open.generation == 0 {
        return Err(Refusal::GenerationZero.into());
    }
    check_id(&open.channel)?;
    if open.length == 0 || open.length > hashchain::MAX_LENGTH {
        return Err(Refusal::BadLength {
            length: open.length,
            max: hashchain::MAX_LENGTH,
        }
        .into());
    }
    if u32::from(open.decimals) != config.decimals {
        return Err(Refusal::DecimalsMismatch {
            open: open.decimals,
            mine: config.decimals,
        }
        .into());
    }
    let mine = unit_price_base(config)?;
    if open.unit_price != mine {
        return Err(Refusal::UnitPriceMismatch {
            open: format!("{} base units", open.unit_price),
            mine: format!("{mine} ({})", config.unit_price),
        }
        .into());
    }
    if open.max_price == 0 || open.max_price > config.max_units_per_ack {
        return Err(Refusal::MaxPriceAboveCap {
            open: open.max_price,
            cap: config.max_units_per_ack,
        }
        .into());
    }
    let want = chain_terms(home, config, &peer, false)?;
    let hexa = |a: &[u8; 20]| format!("0x{}", hex::encode(a));
    let fields: [(&'static str, String, String); 4] = [
        (
            "chain id",
            open.chain.chain_id.to_string(),
            want.chain_id.to_string(),
        ),
        (
            "settlement contract",
            hexa(&open.chain.settlement),
            hexa(&want.settlement),
        ),
        ("token", hexa(&open.chain.token), hexa(&want.token)),
        (
            "payee address",
            hexa(&open.chain.payee_address),
            hexa(&want.payee_address),
        ),
    ];
    for (field, open_v, mine_v) in fields {
        if open_v != mine_v {
            return Err(Refusal::ChainTerms {
                field,
                open: open_v,
                mine: mine_v,
            }
            .into());
        }
    }
    // The payer's address binds who may open it on chain; checked when
    // this node knows it.
    if want.payer_address != [0; 20] && open.chain.payer_address != want.payer_address {
        return Err(Refusal::ChainTerms {
            field: "payer address",
            open: hexa(&open.chain.payer_address),
            mine: hexa(&want.payer_address),
        }
        .into());
    }
    Ok(peer)
}

/// Payee: verifies an open addressed to this node by a known peer and
/// records the channel; for a channel on chain, signs the acceptance the
/// payer hands to the contract.
pub fn accept_open(
    home: &Home,
    config: &Config,
    me: &PublicKey,
    text: &str,
) -> Result<AcceptedOpen> {
    let open = Open::from_yaml(text)?;
    let peer = check_open(home, config, me, &open)?;
    let acceptance = if open.chain.is_off_chain() {
        None
    } else {
        Some(Acceptance::sign(&open, &home.evm_signer()?)?)
    };
    home.dir(store::CHANNELS_DIR)?;
    home.dir(store::ACKS_DIR)?;
    let _tx = Tx::begin(home)?;
    if let Some(holder) = opens(home)?.iter().find(|o| o.channel == open.channel) {
        let who = if holder.payer == *me {
            "a channel this node opened".to_string()
        } else {
            match config.peer_by_key(&holder.payer) {
                Some(p) if *holder == open => format!("{} (accepted already)", p.name),
                Some(p) => format!("{}'s channel generation {}", p.name, holder.generation),
                None => format!("a channel from {}", hex::encode(&holder.payer[..8])),
            }
        };
        return Err(Refusal::ChannelIdInUse {
            channel: open.id_hex(),
            holder: who,
        }
        .into());
    }
    // The empty log, then the open: a channel is there when its open is
    // (files a crash left before the open are made again over).
    home.replace(&home.ack_log(&open.channel, false), b"")?;
    if let Some(a) = &acceptance {
        home.replace(&home.acceptance_path(&open.channel), a.to_yaml().as_bytes())?;
    }
    home.create(&home.open_path(&open.channel), open.to_yaml().as_bytes())?;
    Ok(AcceptedOpen {
        peer,
        open,
        acceptance,
    })
}
