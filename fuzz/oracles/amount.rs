//! The amount fuzz oracle (the text `msgl add --amount` and `--message`
//! take), shared by `fuzz_targets/amount.rs` and `tests/fuzz_regressions.rs`.
//!
//! For any text: `parse_amount_text` (what `add` books) and
//! `message_segment` never panic; an amount `add` accepts is exactly the
//! amount the journal reads back from a posting with that text (no silent
//! rounding), and printing it gives text that parses to the same amount.

use msgl::cli::add::message_segment;
use msgl_ledger::journal::{self, parse::parse_amount_text};

pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = message_segment(s);
    let Some(a) = parse_amount_text(s) else {
        return;
    };
    assert_eq!(
        parse_amount_text(&a.to_string()).as_ref(),
        Some(&a),
        "printing `{s}` as `{a}` changes it"
    );
    if s.contains(['\n', '\r', ';']) {
        return;
    }
    let text = format!("1 (1) X\n    Assets:A  {s}\n");
    let j = journal::parse_str(&text, "amount").unwrap_or_else(|e| {
        panic!("`add --amount {s:?}` reads as {a}, but the journal refuses it: {e}")
    });
    assert_eq!(
        j.entries[0].postings[0].amount.as_ref(),
        Some(&a),
        "`add --amount {s:?}` and the journal read different amounts"
    );
}
