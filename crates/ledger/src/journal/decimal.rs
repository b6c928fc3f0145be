//! Exact decimal amounts (DESIGN §2.3): a signed 256-bit integer mantissa and
//! a decimal scale, `mantissa × 10^-scale`.
//!
//! Every value has at most [`MAX_DIGITS`] digits in its mantissa and at
//! most [`MAX_SCALE`] decimal places: 10^58 tokens at 18 decimals, or one
//! wei on 10^57, are held exactly. Parsing, adding, subtracting and
//! multiplying are exact; the `checked_*` methods return `None` where a
//! result would leave those limits (the journal turns that into an error
//! at the posting), and the operators panic there, as integer operators
//! do. Nothing rounds, except `/` when the exact quotient does not exist
//! within the limits (it truncates toward zero; the journal never divides,
//! and [`Decimal::checked_div`] refuses instead).
//!
//! The method names are `rust_decimal`'s (the type this replaces: its
//! 96-bit mantissa holds 28 digits, so 10^11 tokens at 18 decimals did not
//! fit and `from_str` rounded a 29th digit away).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};
use std::str::FromStr;
use std::sync::LazyLock;

use alloy_primitives::{Signed, Uint, I256, U256};

/// The most digits a mantissa has (every number below 10^76 in absolute value).
pub const MAX_DIGITS: u32 = 76;
/// The most decimal places.
pub const MAX_SCALE: u32 = 76;

/// An exact decimal number; see the module's documentation.
#[derive(Clone, Copy, Default)]
pub struct Decimal {
    m: I256,
    s: u8,
}

static POW10: LazyLock<[U256; MAX_DIGITS as usize + 1]> = LazyLock::new(|| {
    let mut t = [U256::from(1u64); MAX_DIGITS as usize + 1];
    for i in 1..t.len() {
        t[i] = t[i - 1] * U256::from(10u64);
    }
    t
});

fn pow10(k: u32) -> U256 {
    POW10[k as usize]
}

/// |m| < 10^MAX_DIGITS.
fn fits(m: I256) -> bool {
    let limbs = m.as_limbs();
    // Small values (the common case) fit without computing |m|.
    if (limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0)
        || (limbs[1] == u64::MAX && limbs[2] == u64::MAX && limbs[3] == u64::MAX)
    {
        return true;
    }
    m.unsigned_abs() < pow10(MAX_DIGITS)
}

/// `m × 10^k`, if it stays an I256.
fn scale_up(m: I256, k: u32) -> Option<I256> {
    if k == 0 {
        return Some(m);
    }
    if k > MAX_DIGITS {
        return if m.is_zero() { Some(m) } else { None };
    }
    m.checked_mul(I256::from_raw(pow10(k)))
}

/// Why a text is not a decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Not `[+-]digits[.digits]`.
    Invalid,
    /// More than [`MAX_SCALE`] decimal places (after dropping trailing zeros).
    TooManyDecimals,
    /// More than [`MAX_DIGITS`] digits.
    TooManyDigits,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::Invalid => "not a decimal number",
            ParseError::TooManyDecimals => "more than 76 decimal places",
            ParseError::TooManyDigits => "more than 76 digits",
        })
    }
}

impl std::error::Error for ParseError {}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        m: I256::ZERO,
        s: 0,
    };
    pub const ONE: Decimal = Decimal { m: I256::ONE, s: 0 };
    pub const NEGATIVE_ONE: Decimal = Decimal {
        m: I256::MINUS_ONE,
        s: 0,
    };
    pub const ONE_HUNDRED: Decimal = Decimal {
        m: I256::from_raw(U256::from_limbs([100, 0, 0, 0])),
        s: 0,
    };

    /// `m × 10^-scale`; panics if `scale` > [`MAX_SCALE`].
    pub fn new(m: i64, scale: u32) -> Decimal {
        Decimal::try_from_i128_with_scale(m as i128, scale).expect("scale within MAX_SCALE")
    }

    /// `m × 10^-scale`, if `scale` ≤ [`MAX_SCALE`].
    pub fn try_from_i128_with_scale(m: i128, scale: u32) -> Result<Decimal, ParseError> {
        if scale > MAX_SCALE {
            return Err(ParseError::TooManyDecimals);
        }
        Ok(Decimal {
            m: i256_from_i128(m),
            s: scale as u8,
        })
    }

    /// `m × 10^-scale` from a wide mantissa, if within the limits.
    pub fn from_parts(m: I256, scale: u32) -> Option<Decimal> {
        (scale <= MAX_SCALE && fits(m)).then_some(Decimal { m, s: scale as u8 })
    }

    /// Reads `[+-]digits[.digits]` exactly; refuses (never rounds) what
    /// is outside the limits.
    pub fn from_str_exact(text: &str) -> Result<Decimal, ParseError> {
        let (neg, body) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || (body.contains('.') && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ParseError::Invalid);
        }
        let d = Decimal::from_digits(int, frac)?;
        Ok(if neg { -d } else { d })
    }

    /// The number whose integer digits are `int` and decimal digits
    /// `frac` (ASCII digits only, `int` not empty).
    pub fn from_digits(int: &str, frac: &str) -> Result<Decimal, ParseError> {
        let mut frac = frac;
        if frac.len() > MAX_SCALE as usize {
            frac = frac.trim_end_matches('0');
            if frac.len() > MAX_SCALE as usize {
                return Err(ParseError::TooManyDecimals);
            }
        }
        let int = int.trim_start_matches('0');
        let digits = int.len() + frac.len();
        let s = frac.len() as u8;
        if digits <= 19 {
            let mut m: u64 = 0;
            for b in int.bytes().chain(frac.bytes()) {
                m = m * 10 + u64::from(b - b'0');
            }
            return Ok(Decimal {
                m: I256::from_raw(U256::from_limbs([m, 0, 0, 0])),
                s,
            });
        }
        // Leading zeros of the fraction do not count as digits.
        let significant = if int.is_empty() {
            frac.trim_start_matches('0').len()
        } else {
            digits
        };
        if significant > MAX_DIGITS as usize {
            // Trailing zeros of the fraction may be dropped to fit.
            let trimmed = frac.trim_end_matches('0');
            if trimmed.len() < frac.len() {
                return Decimal::from_digits(if int.is_empty() { "0" } else { int }, trimmed);
            }
            return Err(ParseError::TooManyDigits);
        }
        let mut m = U256::ZERO;
        let ten = U256::from(10u64);
        for chunk in int.as_bytes().chunks(19).chain(frac.as_bytes().chunks(19)) {
            let mut c: u64 = 0;
            for b in chunk {
                c = c * 10 + u64::from(b - b'0');
            }
            m = m * ten.pow(U256::from(chunk.len())) + U256::from(c);
        }
        Ok(Decimal {
            m: I256::from_raw(m),
            s,
        })
    }

    /// The mantissa: the value is `mantissa × 10^-scale`.
    pub fn mantissa(&self) -> I256 {
        self.m
    }

    /// Decimal places.
    pub fn scale(&self) -> u32 {
        u32::from(self.s)
    }

    pub fn is_zero(&self) -> bool {
        self.m.is_zero()
    }

    /// Below zero (zero has no sign).
    pub fn is_sign_negative(&self) -> bool {
        self.m.is_negative()
    }

    /// Zero or above.
    pub fn is_sign_positive(&self) -> bool {
        !self.m.is_negative()
    }

    /// Makes the value negative (`true`) or positive (`false`) keeping its
    /// magnitude; zero stays zero.
    pub fn set_sign_negative(&mut self, negative: bool) {
        if negative != self.m.is_negative() {
            self.m = -self.m;
        }
    }

    pub fn abs(&self) -> Decimal {
        Decimal {
            m: if self.m.is_negative() {
                -self.m
            } else {
                self.m
            },
            s: self.s,
        }
    }

    /// The same value without trailing zeros in its decimals (`1.50` → `1.5`,
    /// `0.000` → `0`).
    pub fn normalize(&self) -> Decimal {
        if self.m.is_zero() {
            return Decimal::ZERO;
        }
        let (mut m, mut s) = (self.m, self.s);
        if let Ok(mut small) = i64::try_from(m) {
            // The most common case, in one machine word (a 128-bit
            // division is a library call).
            while s > 0 && small % 10 == 0 {
                small /= 10;
                s -= 1;
            }
            return Decimal {
                m: i256_from_i128(i128::from(small)),
                s,
            };
        }
        if let Ok(mut small) = i128::try_from(m) {
            // The common case, in native arithmetic.
            while s > 0 && small % 10 == 0 {
                small /= 10;
                s -= 1;
            }
            return Decimal {
                m: i256_from_i128(small),
                s,
            };
        }
        let ten = I256::from_raw(U256::from(10u64));
        while s > 0 {
            let (q, r) = (m / ten, m % ten);
            if !r.is_zero() {
                break;
            }
            m = q;
            s -= 1;
        }
        Decimal { m, s }
    }

    /// Both mantissas at the larger scale, if they fit an I256.
    fn aligned(self, other: Decimal) -> Option<(I256, I256, u8)> {
        match self.s.cmp(&other.s) {
            Ordering::Equal => Some((self.m, other.m, self.s)),
            Ordering::Less => Some((
                scale_up(self.m, u32::from(other.s - self.s))?,
                other.m,
                other.s,
            )),
            Ordering::Greater => Some((
                self.m,
                scale_up(other.m, u32::from(self.s - other.s))?,
                self.s,
            )),
        }
    }

    /// The exact sum, or `None` outside the limits.
    #[inline]
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let (a, b, s) = self.aligned(other)?;
        let m = a.checked_add(b)?;
        fits(m).then_some(Decimal { m, s })
    }

    /// The exact difference, or `None` outside the limits.
    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(-other)
    }

    /// The exact product, or `None` outside the limits.
    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let mut m = self.m.checked_mul(other.m)?;
        let mut s = u32::from(self.s) + u32::from(other.s);
        if s > MAX_SCALE {
            // Only trailing zeros may go.
            let ten = I256::from_raw(U256::from(10u64));
            while s > MAX_SCALE {
                if !(m % ten).is_zero() {
                    return None;
                }
                m /= ten;
                s -= 1;
            }
        }
        Decimal::from_parts(m, s)
    }

    /// The exact quotient, or `None` when it does not exist within the
    /// limits (`1/3`) or `other` is zero.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        let (q, exact) = self.div_trunc(other)?;
        exact.then_some(q)
    }

    /// The quotient truncated toward zero at the most decimals that fit,
    /// and whether it is exact. `None` for a zero divisor or a quotient
    /// whose integer part does not fit.
    fn div_trunc(self, other: Decimal) -> Option<(Decimal, bool)> {
        type W = Uint<768, 12>;
        if other.m.is_zero() {
            return None;
        }
        if self.m.is_zero() {
            return Some((Decimal::ZERO, true));
        }
        let neg = self.m.is_negative() != other.m.is_negative();
        let a = W::from(self.m.unsigned_abs());
        let b = W::from(other.m.unsigned_abs());
        // value = (a / b) × 10^(other.s - self.s); compute at scale MAX_SCALE.
        let k = MAX_SCALE + u32::from(other.s) - u32::from(self.s);
        let n = a * W::from(10u64).pow(W::from(k));
        let (mut q, r) = n.div_rem(b);
        let mut exact = r.is_zero();
        let mut s = MAX_SCALE;
        let ten = W::from(10u64);
        let limit = W::from(pow10(MAX_DIGITS));
        // Drop trailing zeros, then (inexactly) digits, until it fits.
        while s > 0 && (q >= limit || (q % ten).is_zero()) {
            let (d, rem) = q.div_rem(ten);
            if !rem.is_zero() {
                exact = false;
            }
            q = d;
            s -= 1;
        }
        if q >= limit {
            return None;
        }
        let mut m = I256::from_raw(U256::from(q));
        if neg {
            m = -m;
        }
        Some((Decimal { m, s: s as u8 }, exact))
    }

    pub fn max(self, other: Decimal) -> Decimal {
        std::cmp::max(self, other)
    }

    pub fn min(self, other: Decimal) -> Decimal {
        std::cmp::min(self, other)
    }

    /// The digits of |mantissa| and the sign, for printing.
    fn digits<'b>(&self, buf: &'b mut [u8; 80]) -> &'b [u8] {
        let mag = self.m.unsigned_abs();
        let limbs = mag.as_limbs();
        let mut i = buf.len();
        if limbs[1] == 0 && limbs[2] == 0 && limbs[3] == 0 {
            // One machine word: no 128-bit division (a library call).
            let mut v = limbs[0];
            loop {
                i -= 1;
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
                if v == 0 {
                    break;
                }
            }
        } else if limbs[2] == 0 && limbs[3] == 0 {
            let mut v = u128::from(limbs[0]) | (u128::from(limbs[1]) << 64);
            loop {
                i -= 1;
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
                if v == 0 {
                    break;
                }
            }
        } else {
            let text = mag.to_string();
            i -= text.len();
            buf[i..].copy_from_slice(text.as_bytes());
        }
        &buf[i..]
    }

    /// The width `to_string()` would have, without formatting.
    pub fn text_len(&self) -> usize {
        let mut buf = [0u8; 80];
        let d = self.digits(&mut buf).len();
        let s = usize::from(self.s);
        let body = if s == 0 { d } else { d.max(s + 1) + 1 };
        body + usize::from(self.m.is_negative())
    }
}

fn i256_from_i128(m: i128) -> I256 {
    let mag = U256::from(m.unsigned_abs());
    let v = I256::from_raw(mag);
    if m < 0 {
        -v
    } else {
        v
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 80];
        let digits = self.digits(&mut buf);
        let s = usize::from(self.s);
        let mut out = [0u8; 160];
        let mut n = 0;
        if self.m.is_negative() {
            out[0] = b'-';
            n = 1;
        }
        if s == 0 {
            out[n..n + digits.len()].copy_from_slice(digits);
            n += digits.len();
        } else if digits.len() > s {
            let int = digits.len() - s;
            out[n..n + int].copy_from_slice(&digits[..int]);
            n += int;
            out[n] = b'.';
            n += 1;
            out[n..n + s].copy_from_slice(&digits[int..]);
            n += s;
        } else {
            out[n] = b'0';
            out[n + 1] = b'.';
            n += 2;
            for _ in 0..s - digits.len() {
                out[n] = b'0';
                n += 1;
            }
            out[n..n + digits.len()].copy_from_slice(digits);
            n += digits.len();
        }
        f.pad(std::str::from_utf8(&out[..n]).expect("ASCII"))
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Decimal {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Decimal, ParseError> {
        Decimal::from_str_exact(s)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        if self.s == other.s {
            return self.m.cmp(&other.m);
        }
        if let Some((a, b, _)) = self.aligned(*other) {
            return a.cmp(&b);
        }
        // Alignment left 256 bits: compare in 512.
        type I512 = Signed<512, 8>;
        let wide = |d: &Decimal, k: u32| {
            let m = I512::from_raw(Uint::<512, 8>::from(d.m.unsigned_abs()))
                * I512::from_raw(Uint::<512, 8>::from(pow10(k)));
            if d.m.is_negative() {
                -m
            } else {
                m
            }
        };
        let s = self.s.max(other.s);
        wide(self, u32::from(s - self.s)).cmp(&wide(other, u32::from(s - other.s)))
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        if self.s == other.s {
            return self.m == other.m;
        }
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl Hash for Decimal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let n = self.normalize();
        n.m.hash(state);
        n.s.hash(state);
    }
}

impl Neg for Decimal {
    type Output = Decimal;
    fn neg(self) -> Decimal {
        Decimal {
            m: -self.m,
            s: self.s,
        }
    }
}

impl Add for Decimal {
    type Output = Decimal;
    fn add(self, other: Decimal) -> Decimal {
        self.checked_add(other)
            .expect("decimal sum beyond 76 digits")
    }
}

impl Sub for Decimal {
    type Output = Decimal;
    fn sub(self, other: Decimal) -> Decimal {
        self.checked_sub(other)
            .expect("decimal difference beyond 76 digits")
    }
}

impl Mul for Decimal {
    type Output = Decimal;
    fn mul(self, other: Decimal) -> Decimal {
        self.checked_mul(other)
            .expect("decimal product beyond 76 digits")
    }
}

impl Div for Decimal {
    type Output = Decimal;
    /// Exact when the quotient exists within the limits; truncated toward
    /// zero otherwise. Panics on a zero divisor or an integer part that
    /// does not fit.
    fn div(self, other: Decimal) -> Decimal {
        self.div_trunc(other)
            .expect("decimal division by zero or beyond 76 digits")
            .0
    }
}

impl AddAssign for Decimal {
    fn add_assign(&mut self, other: Decimal) {
        *self = *self + other;
    }
}

impl SubAssign for Decimal {
    fn sub_assign(&mut self, other: Decimal) {
        *self = *self - other;
    }
}

impl MulAssign for Decimal {
    fn mul_assign(&mut self, other: Decimal) {
        *self = *self * other;
    }
}

impl Sum for Decimal {
    fn sum<I: Iterator<Item = Decimal>>(iter: I) -> Decimal {
        iter.fold(Decimal::ZERO, |a, b| a + b)
    }
}

impl<'a> Sum<&'a Decimal> for Decimal {
    fn sum<I: Iterator<Item = &'a Decimal>>(iter: I) -> Decimal {
        iter.fold(Decimal::ZERO, |a, b| a + *b)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Decimal {
            fn from(v: $t) -> Decimal {
                Decimal { m: i256_from_i128(v as i128), s: 0 }
            }
        }
    )*};
}
from_int!(u8, u16, u32, u64, usize, i8, i16, i32, i64);

impl From<u128> for Decimal {
    fn from(v: u128) -> Decimal {
        Decimal {
            m: I256::from_raw(U256::from(v)),
            s: 0,
        }
    }
}

impl From<i128> for Decimal {
    fn from(v: i128) -> Decimal {
        Decimal {
            m: i256_from_i128(v),
            s: 0,
        }
    }
}

/// Whole numbers only (no fractional part), within the target's range.
macro_rules! try_into_int {
    ($($t:ty),*) => {$(
        impl TryFrom<Decimal> for $t {
            type Error = ParseError;
            fn try_from(d: Decimal) -> Result<$t, ParseError> {
                let n = d.normalize();
                if n.s != 0 {
                    return Err(ParseError::Invalid);
                }
                <$t>::try_from(n.m).map_err(|_| ParseError::TooManyDigits)
            }
        }
    )*};
}
try_into_int!(u64, i64, u128, i128);

impl ::serde::Serialize for Decimal {
    fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

struct Visitor;

impl ::serde::de::Visitor<'_> for Visitor {
    type Value = Decimal;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number such as 0.00001, at most 76 digits and 76 decimal places")
    }
    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str_exact(v.trim()).map_err(|e| E::custom(format!("`{v}`: {e}")))
    }
    fn visit_u64<E: ::serde::de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
    fn visit_i64<E: ::serde::de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }
}

impl<'de> ::serde::Deserialize<'de> for Decimal {
    fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_str(Visitor)
    }
}

/// `#[serde(with = "...::decimal::::serde::str")]` and `str_option`, as
/// rust_decimal names them: amounts as strings (the type's own serde).
pub mod serde {
    pub mod str {
        use super::super::Decimal;
        pub fn serialize<S: ::serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
            ::serde::Serialize::serialize(d, s)
        }
        pub fn deserialize<'de, D: ::serde::Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
            ::serde::Deserialize::deserialize(d)
        }
    }
    pub mod str_option {
        use super::super::Decimal;
        pub fn serialize<S: ::serde::Serializer>(
            d: &Option<Decimal>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            ::serde::Serialize::serialize(d, s)
        }
        pub fn deserialize<'de, D: ::serde::Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Decimal>, D::Error> {
            ::serde::Deserialize::deserialize(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn reads_and_prints_exactly() {
        for s in [
            "0",
            "1",
            "-1",
            "0.00001",
            "-0.00001",
            "1.50",
            "100000000000.000000000000000001",
            "0.0000000000000000000000000000000000000001",
            "1234567890123456789012345678901234567890.123456789012345678",
            "9999999999999999999999999999999999999999999999999999999999999999999999999999",
            "-0.9999999999999999999999999999999999999999999999999999999999999999999999999999",
        ] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("+5").to_string(), "5");
        assert_eq!(d("007.5").to_string(), "7.5");
        assert_eq!(
            Decimal::from_str_exact(&format!("1{}", "0".repeat(76))),
            Err(ParseError::TooManyDigits)
        );
        assert_eq!(
            Decimal::from_str_exact(&format!("0.{}1", "0".repeat(76))),
            Err(ParseError::TooManyDecimals)
        );
        // Trailing zeros past the limits are dropped, not refused.
        assert_eq!(d(&format!("1.{}", "0".repeat(100))), d("1"));
        for bad in ["", "-", "1.", ".5", "1e5", "1_000", "--1", " 1", "0x10"] {
            assert_eq!(
                Decimal::from_str_exact(bad),
                Err(ParseError::Invalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn one_wei_on_a_hundred_billion() {
        let sum = d("100000000000")
            .checked_add(d("0.000000000000000001"))
            .unwrap();
        assert_eq!(sum.to_string(), "100000000000.000000000000000001");
        assert_ne!(sum, d("100000000000"));
        let ten: Decimal = (0..10).map(|_| d("9999999999999999999999999999")).sum();
        assert_eq!(ten.to_string(), "99999999999999999999999999990");
    }

    #[test]
    fn limits_are_refused_not_rounded() {
        let big = d(&"9".repeat(76));
        assert_eq!(big.checked_add(Decimal::ONE), None);
        assert_eq!(
            big.checked_add(Decimal::NEGATIVE_ONE).unwrap().to_string(),
            format!("{}8", "9".repeat(75))
        );
        // 76 digits fit, 77 do not.
        let tiny = d(&format!("0.{}1", "0".repeat(74)));
        assert_eq!(
            d("1").checked_add(tiny).unwrap().to_string(),
            format!("1.{}1", "0".repeat(74))
        );
        assert_eq!(d("10").checked_add(tiny), None);
        assert_eq!(big.checked_mul(d("10")), None);
        assert_eq!(d("1").checked_div(d("3")), None);
        assert_eq!(d("1").checked_div(Decimal::ZERO), None);
        assert_eq!(d("1") / d("3"), d(&format!("0.{}", "3".repeat(76))));
        assert_eq!(d("5") / Decimal::ONE_HUNDRED, d("0.05"));
        assert_eq!(d("-7.5").checked_div(d("2.5")), Some(d("-3")));
    }

    #[test]
    fn equality_order_and_hash_by_value() {
        use std::collections::hash_map::DefaultHasher;
        let h = |x: Decimal| {
            let mut s = DefaultHasher::new();
            x.hash(&mut s);
            s.finish()
        };
        assert_eq!(d("1.50"), d("1.5"));
        assert_eq!(h(d("1.50")), h(d("1.5")));
        assert_eq!(h(d("0.000")), h(Decimal::ZERO));
        assert!(d("-0.1") < d("0.00001"));
        assert!(d(&"9".repeat(76)) > d(&format!("0.{}", "9".repeat(76))));
        assert!(-d(&"9".repeat(76)) < d(&format!("-0.{}", "9".repeat(76))));
        assert_eq!(d("2.50").normalize().to_string(), "2.5");
        assert_eq!(d("-0.000").normalize().to_string(), "0");
        let mut z = Decimal::ZERO;
        z.set_sign_negative(true);
        assert!(!z.is_sign_negative() && z.to_string() == "0");
    }

    #[test]
    fn text_len_is_the_printed_width() {
        for s in [
            "0",
            "-0.00001",
            "12.5",
            "-123456789012345678901234567890.5",
            "0.0001",
        ] {
            assert_eq!(d(s).text_len(), s.len(), "{s}");
        }
        assert_eq!(format!("{:>8}", d("1.5")), "     1.5");
    }

    #[test]
    fn serde_as_strings() {
        let v: Decimal = serde_yaml::from_str("0.00001").unwrap();
        assert_eq!(v, d("0.00001"));
        assert_eq!(serde_json::to_string(&d("-1.50")).unwrap(), "\"-1.50\"");
        assert!(serde_yaml::from_str::<Decimal>("1e5").is_err());
    }
}
