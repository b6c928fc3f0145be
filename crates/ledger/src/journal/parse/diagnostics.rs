//! Error messages for lines the grammar refuses: where and what, in words.

use super::*;

/// Turns a pest error into our message: position plus what was expected,
/// in words.
pub(super) fn grammar_error(
    name: &str,
    no: usize,
    line: &str,
    e: pest::error::Error<Rule>,
    rule: Rule,
) -> Error {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let col = char_col(line, pos);
    let rest = &line[pos.min(line.len())..];
    let expected: Vec<Rule> = match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => vec![],
    };
    let has = |r: Rule| expected.contains(&r);
    if rule == Rule::header {
        return header_error(name, no, line);
    }
    let (what, hint) = if has(Rule::number) || has(Rule::sign) {
        (
            "bad amount",
            "an amount is a decimal number with an optional sign and commodity, e.g. -0.00001 SNT",
        )
    } else if has(Rule::commodity) {
        (
            "bad commodity",
            "a commodity is a word of letters and digits after the number, e.g. SNT",
        )
    } else if rest.starts_with(':') || has(Rule::segment) {
        (
            "empty account name segment",
            "account names are colon-separated, e.g. Assets:Cash:SNT",
        )
    } else if expected.is_empty() || has(Rule::EOI) || has(Rule::comment) {
        // Right after the account (nothing but the account before us)?
        let before = line[..pos.min(line.len())].trim();
        let at_amount = !before.contains("  ") && !before.contains('\t');
        if at_amount
            || rest
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
        {
            ("bad amount", "an amount is a decimal number with an optional sign and commodity, e.g. -0.00001 SNT")
        } else {
            (
                "unexpected text after the amount",
                "a posting is `ACCOUNT  AMOUNT [COMMODITY]  [; comment]`",
            )
        }
    } else {
        (
            "malformed posting",
            "a posting is `ACCOUNT  AMOUNT [COMMODITY]`, account and amount two spaces apart",
        )
    };
    Error::input(what).at(name, no, col).hint(hint)
}

/// Says exactly where and why a header line is malformed.
pub(super) fn header_error(name: &str, no: usize, line: &str) -> Error {
    const SHAPE: &str =
        "the header is `<unix ms> (<seq>) <description>`, e.g. `1592063779399 (1023) MESSAGE SENT`";
    let b = line.as_bytes();
    let at = |i: usize, what: &str, hint: &str| {
        Error::input(what.to_string())
            .at(name, no, char_col(line, i))
            .hint(hint.to_string())
    };
    if looks_like_hledger_date(line) {
        return at(
            0,
            "a date where a unix timestamp belongs",
            "this looks like an hledger entry: use `msgl import --hledger FILE`",
        );
    }
    let mut i = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if i < b.len() && !matches!(b[i], b' ' | b'\t') {
        return at(
            i,
            "bad timestamp",
            "timestamps are unix epoch milliseconds, a whole number",
        );
    }
    let ws = b[i..]
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t'))
        .count();
    i += ws;
    if i >= b.len() || b[i] != b'(' {
        return at(i, "expected `(<seq>)` after the timestamp", SHAPE);
    }
    i += 1;
    let digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return at(i, "expected a sequence number", SHAPE);
    }
    i += digits;
    if i >= b.len() || b[i] != b')' {
        return at(
            i,
            "expected `)` after the sequence number",
            "a sequence number is a whole number",
        );
    }
    at(i + 1, "expected a space before the description", SHAPE)
}
