//! The pest grammar (`grammar/journal.pest`) and its adapters to the
//! scanner's parts; the scanner/grammar agreement test reads both here.

use super::*;

pub(super) fn comment_str(p: pest::iterators::Pair<'_, Rule>) -> &str {
    p.into_inner()
        .next()
        .map(|t| t.as_str().trim())
        .unwrap_or_default()
}

/// The grammar's reading of a header line.
pub(super) fn pest_header(line: &str) -> Result<HeaderParts<'_>, pest::error::Error<Rule>> {
    let header = Grammar::parse(Rule::header, line)?
        .next()
        .expect("header rule matched");
    let mut parts = HeaderParts {
        timestamp: "",
        seq: "",
        description: None,
        comment: None,
    };
    for p in header.into_inner() {
        match p.as_rule() {
            Rule::timestamp => parts.timestamp = p.as_str(),
            Rule::seq => parts.seq = p.as_str(),
            Rule::description => parts.description = Some((p.as_str(), p.as_span().start())),
            Rule::comment => parts.comment = Some(comment_str(p)),
            _ => {}
        }
    }
    Ok(parts)
}

/// The grammar's reading of an indented line.
pub(super) fn pest_indented(line: &str) -> Result<IndentedParts<'_>, pest::error::Error<Rule>> {
    let inner = Grammar::parse(Rule::indented, line)?
        .next()
        .expect("indented rule matched")
        .into_inner()
        .next()
        .expect("comment or posting");
    if inner.as_rule() == Rule::comment {
        return Ok(IndentedParts::Comment(comment_str(inner)));
    }
    let (mut account, mut account_at, mut amount, mut comment) = ("", 0, None, None);
    for p in inner.into_inner() {
        match p.as_rule() {
            Rule::account => {
                account = p.as_str();
                account_at = p.as_span().start();
            }
            Rule::amount => {
                let mut a = AmountParts {
                    negative: false,
                    number: "",
                    number_at: 0,
                    commodity: None,
                };
                for x in p.into_inner() {
                    match x.as_rule() {
                        Rule::sign => a.negative = x.as_str() == "-",
                        Rule::number => {
                            a.number = x.as_str();
                            a.number_at = x.as_span().start();
                        }
                        Rule::commodity => a.commodity = Some(x.as_str()),
                        _ => {}
                    }
                }
                amount = Some(a);
            }
            Rule::comment => comment = Some(comment_str(p)),
            _ => {}
        }
    }
    Ok(IndentedParts::Posting {
        account,
        account_at,
        amount,
        comment,
    })
}

/// For the property test that the fast scanner agrees with the grammar:
/// both readings of a line (`None` where a reader declines).
#[doc(hidden)]
pub fn both_readings(line: &str) -> (Option<String>, Option<String>) {
    if line.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) {
        (
            pest_header(line).ok().map(|p| format!("{p:?}")),
            scan::header(line).map(|p| format!("{p:?}")),
        )
    } else {
        (
            pest_indented(line).ok().map(|p| format!("{p:?}")),
            scan::indented(line).map(|p| format!("{p:?}")),
        )
    }
}

/// A number in the journal's amount syntax, read exactly as the journal
/// reads it (`None` if it is not one, or out of range).
pub fn parse_amount_text(text: &str) -> Option<Amount> {
    let pairs = Grammar::parse(Rule::amount, text).ok()?;
    let p = pairs.into_iter().next()?;
    if p.as_str().len() != text.len() {
        return None;
    }
    let mut neg = false;
    let mut qty = None;
    let mut commodity = None;
    for a in p.into_inner() {
        match a.as_rule() {
            Rule::sign => neg = a.as_str() == "-",
            // Exactly as the journal reads it, within its limits.
            Rule::number => qty = parse_number(a.as_str()).ok(),
            Rule::commodity => commodity = Some(a.as_str().to_string()),
            _ => {}
        }
    }
    let mut qty = qty?;
    if neg {
        qty.set_sign_negative(true);
    }
    Some(Amount {
        quantity: qty,
        commodity,
    })
}
