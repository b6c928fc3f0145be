//! Progress on standard error for the long commands (prove, import): shown
//! only when standard error is a terminal and -q is not given; plain (no
//! colour) when `NO_COLOR` is set. Scripts and cron see nothing.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::Ctx;

/// Whether progress is drawn at all.
fn wanted(ctx: &Ctx) -> bool {
    !ctx.global.quiet && std::io::stderr().is_terminal()
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none()
}

/// A spinner with a message, ticking on its own; `None` when not wanted.
pub fn spinner(ctx: &Ctx) -> Option<ProgressBar> {
    wanted(ctx).then(|| {
        let s = ProgressBar::new_spinner();
        let template = if color() {
            "{spinner:.cyan} {msg} {elapsed:.dim}"
        } else {
            "{spinner} {msg} {elapsed}"
        };
        s.set_style(ProgressStyle::with_template(template).expect("a valid template"));
        s.enable_steady_tick(Duration::from_millis(120));
        s
    })
}

/// A bar over `total` bytes, with a message; `None` when not wanted.
pub fn bytes(ctx: &Ctx, total: u64, msg: &str) -> Option<ProgressBar> {
    wanted(ctx).then(|| {
        let b = ProgressBar::new(total);
        let template = if color() {
            "{msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        } else {
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
        };
        b.set_style(
            ProgressStyle::with_template(template)
                .expect("a valid template")
                .progress_chars("=> "),
        );
        b.set_message(msg.to_string());
        b.enable_steady_tick(Duration::from_millis(200));
        b
    })
}
