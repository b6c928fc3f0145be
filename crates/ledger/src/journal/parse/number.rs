//! Journal amounts: numbers read exactly within the journal's limits.

use super::*;

/// The most decimal places a journal amount has: the token's base unit
/// (10^-18). Trailing zeros past it are dropped (the value is the same).
pub const MAX_DECIMALS: usize = 18;

/// The most digits before the decimal point (an amount below 10^39).
///
/// With both limits, a sum of fewer than 10^19 amounts (more than any
/// journal holds) has at most 39 + 19 + 18 = 76 digits, which [`Decimal`]
/// holds exactly: no sum, balance, subtree or Net can fail or round, so
/// the only amount errors are these, at the amount (DESIGN §2.3).
pub const MAX_INTEGER_DIGITS: usize = 39;

/// Why an amount is outside the journal's limits: (what, hint, byte
/// offset in the number to blame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountError {
    pub what: String,
    pub hint: String,
    pub at: usize,
}

/// A decimal number (digits, optional fraction) within the journal's
/// limits, read exactly.
pub fn parse_number(text: &str) -> Result<Decimal, AmountError> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.len() + frac.len() <= 19 && frac.len() <= MAX_DECIMALS {
        // Fast: the digits fit a u64.
        let mut m: u64 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            m = m * 10 + u64::from(b - b'0');
        }
        return Ok(
            Decimal::try_from_i128_with_scale(m as i128, frac.len() as u32)
                .expect("at most 18 decimals"),
        );
    }
    let kept = if frac.len() > MAX_DECIMALS {
        let t = frac.trim_end_matches('0');
        if t.len() > MAX_DECIMALS {
            return Err(AmountError {
                what: format!(
                    "amount out of range: {} decimal places (at most {MAX_DECIMALS})",
                    t.len()
                ),
                hint: "18 decimal places is the token's base unit (10^-18); amounts are kept exactly, never rounded".into(),
                at: 0,
            });
        }
        &frac[..MAX_DECIMALS.max(t.len()).min(frac.len())]
    } else {
        frac
    };
    let digits = int.trim_start_matches('0').len();
    if digits > MAX_INTEGER_DIGITS {
        return Err(AmountError {
            what: format!(
                "amount out of range: {digits} digits before the decimal point (at most {MAX_INTEGER_DIGITS})"
            ),
            hint: "amounts are kept exactly, never rounded: at most 39 digits and 18 decimal places".into(),
            at: 0,
        });
    }
    Decimal::from_digits(int, kept).map_err(|e| AmountError {
        what: format!("amount out of range: {e}"),
        hint: "at most 39 digits and 18 decimal places".into(),
        at: 0,
    })
}
