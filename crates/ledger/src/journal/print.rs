//! Printing entries: msgl's own format, and hledger's (DESIGN §2.6).

use std::fmt::Write as _;

use crate::journal::Decimal;

use super::{AccountType, Amount, Entry, Journal};
use crate::error::Result;

/// The tag that carries the exact timestamp in hledger output when it is not
/// midnight UTC.
pub const MS_TAG: &str = "ms";

/// Writes one entry in msgl's format; elided amounts are printed as inferred
/// when `resolved` (the entry must balance), as elided otherwise.
pub fn write_entry(out: &mut String, e: &Entry, resolved: bool) {
    let amounts: Option<Vec<Amount>> = if resolved {
        e.resolve(false).ok().map(|r| {
            r.into_iter()
                .filter(|p| !p.implied)
                .map(|p| p.amount)
                .collect()
        })
    } else {
        None
    };
    let _ = write!(out, "{} ({})", e.timestamp, e.seq);
    if !e.description.is_empty() {
        let _ = write!(out, " {}", e.description);
    }
    if let Some(c) = &e.comment {
        let _ = write!(out, "  ; {c}");
    }
    out.push('\n');
    let mut notes = e.notes.iter().peekable();
    for (i, p) in e.postings.iter().enumerate() {
        while let Some((_, n)) = notes.next_if(|(at, _)| *at == i) {
            let _ = writeln!(out, "    ; {n}");
        }
        let _ = write!(out, "    {}", p.account);
        let amount = amounts.as_ref().map(|a| &a[i]).or(p.amount.as_ref());
        if let Some(a) = amount {
            let _ = write!(out, "  {a}");
        }
        if let Some(c) = &p.comment {
            let _ = write!(out, "  ; {c}");
        }
        out.push('\n');
    }
    for (_, n) in notes {
        let _ = writeln!(out, "    ; {n}");
    }
}

/// The whole journal in msgl's format, entries separated by blank lines.
pub fn journal(j: &Journal) -> String {
    let mut out = String::new();
    for (i, e) in j.entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_entry(&mut out, e, true);
    }
    out
}

/// One entry in hledger's format: date from the timestamp (plus an `ms:` tag
/// when it is not midnight UTC), the sequence number as the code, hledger's
/// signs (credit-normal accounts negated), every amount written out.
pub fn write_hledger_entry(out: &mut String, e: &Entry, file: &str) -> Result<()> {
    let postings = e.resolve(false).map_err(|imb| imb.into_error(file))?;
    let _ = write!(out, "{} ({})", date_of_ms(e.timestamp), e.seq);
    if !e.description.is_empty() {
        let _ = write!(out, " {}", e.description);
    }
    let ms_tag =
        (!e.timestamp.is_multiple_of(86_400_000)).then(|| format!("{MS_TAG}: {}", e.timestamp));
    match (ms_tag, &e.comment) {
        (Some(t), Some(c)) => {
            let _ = write!(out, "  ; {t}, {c}");
        }
        (Some(t), None) => {
            let _ = write!(out, "  ; {t}");
        }
        (None, Some(c)) => {
            let _ = write!(out, "  ; {c}");
        }
        (None, None) => {}
    }
    out.push('\n');
    let mut notes = e.notes.iter().peekable();
    for (i, p) in postings.iter().enumerate() {
        while let Some((_, n)) = notes.next_if(|(at, _)| *at == i) {
            let _ = writeln!(out, "    ; {n}");
        }
        let ty = AccountType::of(&p.account).expect("resolved accounts have a type");
        let a = Amount {
            quantity: p.amount.quantity * ty.sign(),
            commodity: p.amount.commodity.clone(),
        };
        let _ = write!(out, "    {}  {}", p.account, fmt_signed(&a));
        if let Some(c) = e
            .postings
            .get(i)
            .filter(|_| !p.implied)
            .and_then(|p| p.comment.as_ref())
        {
            let _ = write!(out, "  ; {c}");
        }
        out.push('\n');
    }
    for (_, n) in notes {
        let _ = writeln!(out, "    ; {n}");
    }
    Ok(())
}

/// An amount as hledger reads it (`-0` printed as `0`).
fn fmt_signed(a: &Amount) -> String {
    let mut q = a.quantity;
    if q.is_zero() {
        q = Decimal::ZERO.max(q.abs());
    }
    Amount {
        quantity: q,
        commodity: a.commodity.clone(),
    }
    .to_string()
}

/// The whole journal in hledger's format.
pub fn hledger_journal(j: &Journal, file: &str) -> Result<String> {
    let mut out = String::new();
    for (i, e) in j.entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        write_hledger_entry(&mut out, e, file)?;
    }
    Ok(out)
}

/// `YYYY-MM-DD` (UTC) of a unix time in milliseconds.
pub fn date_of_ms(ms: u64) -> String {
    let days = (ms / 86_400_000) as i64;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01; `None` for an invalid date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if d > dim[(m - 1) as usize] {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}
