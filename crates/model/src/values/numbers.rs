//! Bounded numbers: [`Amount`] (exact hundredths), [`Rank`] (a priority from 1 to 10) and
//! [`Fraction`] (from 0 to 1).

use std::fmt;
use std::str::FromStr;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

use super::{ValueError, hydrate_error};

/// A non-negative quantity with two decimal places (money, hours, units of equipment...).
///
/// Kept as an integer number of hundredths so that sums are exact and the same on every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    /// The largest amount accepted: one trillion units.
    pub const MAX: Amount = Amount(100_000_000_000_000);
    /// Zero.
    pub const ZERO: Amount = Amount(0);

    /// From hundredths of a unit; refuses negative values and values above [`Amount::MAX`].
    pub fn from_hundredths(h: i64) -> Result<Self, ValueError> {
        if (0..=Self::MAX.0).contains(&h) {
            Ok(Self(h))
        } else {
            Err(ValueError::new(
                "amount",
                format!("{h}/100"),
                "between 0 and 1000000000000",
            ))
        }
    }
    /// Hundredths of a unit.
    pub fn hundredths(self) -> i64 {
        self.0
    }
    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }
    /// Formats a signed total of hundredths the way amounts are shown.
    pub fn format_total(total: i128) -> String {
        let sign = if total < 0 { "-" } else { "" };
        let abs = total.unsigned_abs();
        let (units, cents) = (abs / 100, abs % 100);
        if cents == 0 {
            format!("{sign}{units}")
        } else {
            format!("{sign}{units}.{cents:02}")
        }
    }
}

impl FromStr for Amount {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let bad = |why: &str| ValueError::new("amount", s, why);
        let t = s.trim();
        if t.starts_with('-') {
            return Err(bad("a positive number (amounts cannot be negative)"));
        }
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() && frac.is_empty() {
            return Err(bad("a number such as 500 or 12.50"));
        }
        if !whole.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("a number such as 500 or 12.50"));
        }
        if frac.len() > 2 {
            return Err(bad("at most two decimal places"));
        }
        if whole.len() > 13 {
            return Err(bad("at most 1000000000000"));
        }
        let whole_v: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad("a number"))?
        };
        let frac_v: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad("a number"))? * 10,
            _ => frac.parse().map_err(|_| bad("a number"))?,
        };
        let h = whole_v
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_v))
            .ok_or_else(|| bad("at most 1000000000000"))?;
        Amount::from_hundredths(h).map_err(|_| bad("at most 1000000000000"))
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Amount::format_total(i128::from(self.0)))
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Reconcile for Amount {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.i64(self.0)
    }
}

impl Hydrate for Amount {
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Amount::from_hundredths(i).map_err(hydrate_error)
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        let i =
            i64::try_from(u).map_err(|_| HydrateError::unexpected("an amount", u.to_string()))?;
        Self::hydrate_int(i)
    }
}

/// A member's priority for an issue it shares: 1 (highest) to [`Rank::LOWEST`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Rank(u8);

impl<'de> Deserialize<'de> for Rank {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Rank::new(u64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Rank {
    /// The lowest priority a member can give.
    pub const LOWEST: u8 = 10;

    /// Checks the range 1..=10.
    pub fn new(r: u64) -> Result<Self, ValueError> {
        match u8::try_from(r) {
            Ok(v) if (1..=Self::LOWEST).contains(&v) => Ok(Self(v)),
            _ => Err(ValueError::new(
                "rank",
                r.to_string(),
                "a whole number from 1 (highest priority) to 10",
            )),
        }
    }
    /// The rank number.
    pub fn get(self) -> u8 {
        self.0
    }
    /// Points this rank contributes to an issue's overlap score: 10 for rank 1, 1 for rank 10.
    pub fn weight(self) -> u64 {
        u64::from(Self::LOWEST + 1 - self.0)
    }
}

impl FromStr for Rank {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let n: u64 = s.trim().parse().map_err(|_| {
            ValueError::new("rank", s, "a whole number from 1 (highest priority) to 10")
        })?;
        Rank::new(n)
    }
}

impl fmt::Display for Rank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Reconcile for Rank {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.u64(u64::from(self.0))
    }
}

impl Hydrate for Rank {
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        Rank::new(u).map_err(hydrate_error)
    }
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        let u = u64::try_from(i).map_err(|_| HydrateError::unexpected("a rank", i.to_string()))?;
        Self::hydrate_uint(u)
    }
}

/// A fraction between 0 and 1 inclusive, such as a quorum (`1/2`) or a super-majority (`2/3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: u32,
    den: u32,
}

impl Fraction {
    /// One half.
    pub const HALF: Fraction = Fraction { num: 1, den: 2 };
    /// Two thirds.
    pub const TWO_THIRDS: Fraction = Fraction { num: 2, den: 3 };
    /// Nothing (no quorum).
    pub const ZERO: Fraction = Fraction { num: 0, den: 1 };

    /// `num/den`, refusing a zero denominator and values above one.
    pub fn new(num: u32, den: u32) -> Result<Self, ValueError> {
        if den == 0 || num > den || den > 1000 {
            return Err(ValueError::new(
                "fraction",
                format!("{num}/{den}"),
                "a fraction from 0 to 1 such as 1/2 or 2/3 (denominator at most 1000)",
            ));
        }
        Ok(Self { num, den })
    }
    /// Numerator.
    pub fn num(self) -> u32 {
        self.num
    }
    /// Denominator.
    pub fn den(self) -> u32 {
        self.den
    }
    /// Whether `part / whole >= self`, computed exactly.
    pub fn reached_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(self.den) >= u128::from(self.num) * u128::from(whole)
    }
    /// Whether `part / whole > self`, computed exactly.
    pub fn exceeded_by(self, part: u128, whole: u128) -> bool {
        part * u128::from(self.den) > u128::from(self.num) * whole
    }
}

impl FromStr for Fraction {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::new(
                "fraction",
                s,
                "a fraction from 0 to 1 such as 1/2, 2/3 or 0.75",
            )
        };
        let t = s.trim();
        if let Some((n, d)) = t.split_once('/') {
            let n = n.trim().parse().map_err(|_| bad())?;
            let d = d.trim().parse().map_err(|_| bad())?;
            return Fraction::new(n, d).map_err(|_| bad());
        }
        if let Some(frac) = t.strip_prefix("0.").or_else(|| t.strip_prefix('.')) {
            if frac.is_empty() || frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let den = 10u32.pow(frac.len() as u32);
            let num = frac.parse().map_err(|_| bad())?;
            return Fraction::new(num, den).map_err(|_| bad());
        }
        match t {
            "0" => Ok(Fraction::ZERO),
            "1" | "1.0" => Ok(Fraction { num: 1, den: 1 }),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Reconcile for Fraction {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for Fraction {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        s.parse().map_err(hydrate_error)
    }
}
