//! `msgl settled DIR`: record that a proven batch was settled on chain.

use crate::batch::{self, ChannelView};
use crate::cli::{emit, prove::SETTLED_FILE, Ctx};
use crate::error::{Error, Result};

/// Record a settled batch in the home
///
/// After the settle transaction of a proof directory was mined, records the
/// contract's new view of each of its channels (tip = the new preimage,
/// count, epoch) in channels/settled.yaml, so that the next `msgl prove`
/// starts from there. The proof is verified first; the file is replaced
/// whole (write-then-rename) under the journal's lock; a view never moves
/// backwards.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The proof directory whose settle transaction was mined
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,
}

pub fn run(args: &Args, ctx: &Ctx) -> Result<()> {
    let home = ctx.home();
    home.config()?;
    let statement = crate::proof::verify_dir(&args.dir)?;
    // The journal's lock serializes writers of the home.
    let _lock = crate::journal::append::lock(&home.journal_path())?;
    let path = home.path(SETTLED_FILE);
    let mut views: Vec<ChannelView> = if path.is_file() {
        batch::read_state(&path)?
    } else {
        Vec::new()
    };
    for e in &statement.entries {
        let view = ChannelView {
            channel: e.channel,
            tip: msgl_circuits::poseidon2::pack(&e.new_preimage),
            count: e.new_count,
            epoch: e.epoch,
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
    views.sort_by_key(|v| v.channel);
    let text = serde_yaml::to_string(&views).expect("views serialize");
    crate::fsutil::write_atomic(&path, text.as_bytes(), true, Some(0o600))?;
    if !ctx.global.quiet {
        emit(&format!(
            "recorded {} channels as settled ({} units in this batch)\n",
            statement.entries.len(),
            statement.total_units()
        ))?;
    }
    Ok(())
}
