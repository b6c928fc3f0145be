//! `msgl settled DIR`: record that a proven batch was settled on chain.

use crate::batch::{self, ChannelView};
use crate::cli::{emit, prove::SETTLED_FILE, Ctx};
use crate::error::{Error, Result};

/// Record a settled batch in the home
///
/// After the settle transaction of a proof directory was mined, books it
/// and records the contract's new view of each of its channels.
///
/// The proof is verified first. Then, under the journal's lock: for each
/// channel of this home in the batch, a SETTLED entry (`; settled:
/// <channel>-<count>`) — as payee, A/R with the payer −x and
/// Assets:Cash:<TOKEN> +x (the contract pays the payee's wallet); as payer,
/// A/P −x and Assets:Contract:Deposit −x — where x is the units settled
/// times the channel's unit price: the units from the count this home last
/// recorded (0 if none) to the batch's, so a settlement never recorded here
/// is booked with the next; an entry already booked is not booked again. Then the contract's view (tip = the new preimage, count)
/// goes to channels/settled.yaml (replaced whole, write-then-rename; a view
/// never moves backwards), so that the next `msgl prove` starts from
/// there. Either party may run it; each books its own side.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory whose settle transaction was mined
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
    /// What the contract could not pay on a channel, from its Shortfall
    /// event (`paid` < `owed`): CHANNEL=AMOUNT, CHANNEL the first 16 hex
    /// digits of the channel id (as `msgl channels` shows), AMOUNT in the
    /// token; the rest stays owed in the books
    #[arg(long, value_name = "CHANNEL=AMOUNT")]
    pub shortfall: Vec<String>,
}

/// `--shortfall CHANNEL=AMOUNT`s, by the channel's 16 hex digits.
fn shortfalls(args: &[String]) -> Result<Vec<(String, crate::journal::Decimal)>> {
    args.iter()
        .map(|a| {
            let bad = || {
                Error::input(format!("bad --shortfall `{a}`"))
                    .hint("CHANNEL=AMOUNT, e.g. 18099e4f14e042a4=0.25")
            };
            let (id, amount) = a.split_once('=').ok_or_else(bad)?;
            let id = id.to_ascii_lowercase();
            if id.len() != 16 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(bad());
            }
            let amount = crate::journal::parse::parse_amount_text(amount)
                .filter(|a| a.commodity.is_none() && a.quantity > crate::journal::Decimal::ZERO)
                .ok_or_else(bad)?
                .quantity;
            Ok((id, amount))
        })
        .collect()
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    let shortfall = shortfalls(&args.shortfall)?;
    let statement = crate::proof::verify_dir(&args.dir)?;
    for (id, _) in &shortfall {
        if !statement
            .entries
            .iter()
            .any(|e| hex::encode(&e.channel[..8]) == *id)
        {
            return Err(
                Error::input(format!("--shortfall: channel {id} is not in this batch"))
                    .hint("the channel id's first 16 hex digits, as the Shortfall event names it"),
            );
        }
    }
    let config = home.config()?;
    // The journal's lock serializes writers of the home.
    let mut locked = crate::journal::append::lock(&home.journal_path())?;
    let path = home.path(SETTLED_FILE);
    let mut views: Vec<ChannelView> = if path.is_file() {
        batch::read_state(&path)?
    } else {
        Vec::new()
    };
    let prior: Vec<([u8; 32], u64)> = views.iter().map(|v| (v.channel, v.count)).collect();
    for e in &statement.entries {
        let view = ChannelView {
            channel: e.channel,
            tip: msgl_circuits::poseidon2::pack(&e.new_preimage),
            count: e.new_count,
        };
        match views.iter_mut().find(|v| v.channel == e.channel) {
            Some(v) if v.count > e.new_count => {
                return Err(Error::check(format!(
                    "channel {} is recorded as settled up to {}, past this batch's {}",
                    hex::encode(&e.channel[..8]),
                    v.count,
                    e.new_count
                ))
                .in_file(&path)
                .hint("record settlements in the order they were mined"));
            }
            Some(v) => *v = view,
            None => views.push(view),
        }
    }
    let booked_to = |c: &[u8; 32]| {
        prior
            .iter()
            .find(|(p, _)| p == c)
            .map_or(0, |(_, count)| *count)
    };
    let booked = crate::channel::book_settled(
        &home,
        &config,
        &mut locked,
        &statement.entries,
        &booked_to,
        &|c: &[u8; 32]| {
            let id = hex::encode(&c[..8]);
            shortfall
                .iter()
                .find(|(s, _)| *s == id)
                .map_or(crate::journal::Decimal::ZERO, |(_, a)| *a)
        },
    )?;
    views.sort_by_key(|v| v.channel);
    let text = serde_yaml::to_string(&views).expect("views serialize");
    crate::fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
    if !ctx.global.quiet {
        let mut out = String::new();
        for b in &booked {
            let (verb, dir) = if b.paid_to_me {
                ("received", "from")
            } else {
                ("paid", "to")
            };
            out += &match &b.booked {
                Some(x) => format!(
                    "booked ({}) SETTLED: {verb} {} {dir} {} ({} units)\n",
                    x.seq, b.amount, b.peer, b.units
                ),
                None => format!("already booked: SETTLED with {}\n", b.peer),
            };
        }
        out += &format!(
            "recorded {} channels as settled ({} units in this batch)\n",
            statement.entries.len(),
            statement.total_units()
        );
        emit(&out)?;
    }
    Ok(())
}
