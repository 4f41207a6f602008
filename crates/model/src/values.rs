//! Value types that cannot hold an invalid value: amounts, ranks, fractions, dates, keys and
//! the closed vocabularies of the domain (decision kinds, methods, statuses...).
//!
//! Each is stored in the Automerge document as a plain scalar (string or integer) and checked
//! again when read back, so a malformed document is reported instead of misread.

use std::fmt;
use std::str::FromStr;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

/// A value given by a person or a document was out of its domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{given}`: {expected}")]
pub struct ValueError {
    /// What kind of value, e.g. "amount".
    pub what: &'static str,
    /// What was given.
    pub given: String,
    /// What was expected instead.
    pub expected: String,
}

impl ValueError {
    pub(crate) fn new(
        what: &'static str,
        given: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            what,
            given: given.into(),
            expected: expected.into(),
        }
    }
}

fn hydrate_error(e: ValueError) -> HydrateError {
    HydrateError::unexpected(e.expected, format!("{} `{}`", e.what, e.given))
}

/// The public key of a node: 32 bytes of an Ed25519 verifying key.
///
/// It is also the node's Automerge actor id, so that every change names the key that made it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeKey([u8; 32]);

impl NodeKey {
    /// Wraps 32 key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
    /// The 32 key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// The key as an Automerge actor id.
    pub fn actor(&self) -> automerge::ActorId {
        automerge::ActorId::from(&self.0[..])
    }
}

impl fmt::Display for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeKey({self})")
    }
}

impl FromStr for NodeKey {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let err = || ValueError::new("node key", s, "64 hex digits");
        if s.len() != 64 {
            return Err(err());
        }
        let mut out = [0u8; 32];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let pair = std::str::from_utf8(chunk).map_err(|_| err())?;
            out[i] = u8::from_str_radix(pair, 16).map_err(|_| err())?;
        }
        Ok(Self(out))
    }
}

impl Serialize for NodeKey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Reconcile for NodeKey {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for NodeKey {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        s.parse().map_err(hydrate_error)
    }
}

/// Milliseconds since the Unix epoch, as given by the caller (the model reads no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest moment: nothing has closed yet.
    pub const MIN: Timestamp = Timestamp(i64::MIN);

    /// From milliseconds since the epoch.
    pub fn from_millis(ms: i64) -> Self {
        Self(ms)
    }
    /// Milliseconds since the epoch.
    pub fn as_millis(self) -> i64 {
        self.0
    }
    /// Seconds since the epoch, as Automerge change metadata wants it.
    pub fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// From seconds since the epoch, as Automerge change metadata holds it.
    pub fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => write!(f, "{}", t.strftime("%Y-%m-%d %H:%M:%SZ")),
            Err(_) => write!(f, "{}ms", self.0),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match jiff::Timestamp::from_millisecond(self.0) {
            Ok(t) => s.collect_str(&t),
            Err(_) => s.serialize_i64(self.0),
        }
    }
}

impl Reconcile for Timestamp {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.timestamp(self.0)
    }
}

impl Hydrate for Timestamp {
    fn hydrate_timestamp(t: i64) -> Result<Self, HydrateError> {
        Ok(Self(t))
    }
    fn hydrate_int(t: i64) -> Result<Self, HydrateError> {
        Ok(Self(t))
    }
}

/// A calendar day, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(jiff::civil::Date);

impl FromStr for Day {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let valid_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
        match s.parse::<jiff::civil::Date>() {
            Ok(d) if valid_shape => Ok(Self(d)),
            _ => Err(ValueError::new(
                "date",
                s,
                "a calendar date written YYYY-MM-DD",
            )),
        }
    }
}

impl Day {
    /// The day in UTC that contains `t`.
    pub fn of(t: Timestamp) -> Self {
        let ts =
            jiff::Timestamp::from_millisecond(t.as_millis()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        Self(jiff::tz::Offset::UTC.to_datetime(ts).date())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Reconcile for Day {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for Day {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        s.parse().map_err(hydrate_error)
    }
}

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

/// `Deserialize` through `FromStr`, for the values serialized as their text: what the API's
/// replies carry back to the command line.
macro_rules! deserialize_from_str {
    ($($name:ty),+ $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}
pub(crate) use deserialize_from_str;

deserialize_from_str!(NodeKey, Day, Amount, Fraction);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// The text form (RFC 3339), or milliseconds where it is out of that range.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form<'a> {
            Millis(i64),
            #[serde(borrow)]
            Text(std::borrow::Cow<'a, str>),
        }
        match Form::deserialize(d)? {
            Form::Millis(ms) => Ok(Self(ms)),
            Form::Text(t) => t
                .parse::<jiff::Timestamp>()
                .map(|t| Self(t.as_millisecond()))
                .map_err(serde::de::Error::custom),
        }
    }
}

/// Defines a closed vocabulary stored as a kebab-case string.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and printed name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, ValueError> {
                match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValueError::new(
                        $what,
                        s,
                        format!("one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        deserialize_from_str!($name);

        impl Reconcile for $name {
            type Key<'a> = NoKey;
            fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
                s.parse().map_err(hydrate_error)
            }
        }
    };
}

vocabulary!(
    /// The kinds of decision a charter sets a rule for.
    DecisionKind, "decision kind" {
        /// A change to the charter.
        Amendment => "amendment",
        /// Admitting or removing a member.
        Membership => "membership",
        /// Allocating resources from a pool.
        Allocation => "allocation",
        /// Signing off a public statement.
        PublicStatement => "public-statement",
        /// Anything else.
        General => "general",
    }
);

vocabulary!(
    /// What a charter rule decides: the decision kinds, with membership split into admitting
    /// and removing members.
    RuleKind, "rule kind" {
        /// Changes to the charter.
        Amendment => "amendment",
        /// Admitting a member.
        Admission => "admission",
        /// Removing a member (the member concerned takes no part).
        Membership => "membership",
        /// Allocating resources from a pool.
        Allocation => "allocation",
        /// Signing off a public statement.
        PublicStatement => "public-statement",
        /// Anything else.
        General => "general",
    }
);

vocabulary!(
    /// How a decision is made.
    MethodName, "decision method" {
        /// Nobody disagrees or blocks.
        Consensus => "consensus",
        /// Nobody blocks.
        Consent => "consent",
        /// More agree than disagree.
        Majority => "majority",
        /// At least a set fraction of those voting agree.
        SuperMajority => "super-majority",
    }
);

vocabulary!(
    /// What a resource pool holds.
    PoolKind, "pool kind" {
        /// Money.
        Funds => "funds",
        /// Volunteer hours.
        VolunteerHours => "volunteer-hours",
        /// Shared spaces.
        Space => "space",
        /// Equipment.
        Equipment => "equipment",
    }
);

vocabulary!(
    /// Where an issue stands.
    IssueStatus, "issue status" {
        /// Raised by a member, not yet taken up.
        Raised => "raised",
        /// Adopted by the coalition.
        Adopted => "adopted",
        /// Pursued by some members in parallel, not jointly.
        ParallelCampaign => "parallel-campaign",
        /// Won.
        Won => "won",
        /// Dropped.
        Dropped => "dropped",
    }
);

vocabulary!(
    /// A member's position on a proposal.
    Stance, "position" {
        /// In favour.
        Agree => "agree",
        /// Stands aside.
        Abstain => "abstain",
        /// Against.
        Disagree => "disagree",
        /// A principled objection that stops consensus and consent (needs a reason).
        Block => "block",
    }
);

vocabulary!(
    /// The kind of an entry in a pool's ledger.
    EntryKind, "ledger entry kind" {
        /// A promise to give.
        Pledge => "pledge",
        /// Something actually given.
        Contribution => "contribution",
        /// A request to receive from the pool, decided by an allocation proposal.
        Request => "request",
    }
);

/// Identity tags suggested for issues (any other tag is accepted too).
pub const SUGGESTED_TAGS: &[&str] = &[
    "race",
    "ethnicity",
    "gender",
    "sexuality",
    "disability",
    "language",
    "immigration-status",
    "class",
    "age",
    "religion",
];

/// Normalizes a free tag: lowercase, words joined by `-`; refuses empty or overlong tags.
pub fn normalize_tag(tag: &str) -> Result<String, ValueError> {
    let words: Vec<String> = tag
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let t = words.join("-");
    if t.is_empty() || t.chars().count() > 40 || t.chars().any(char::is_control) {
        return Err(ValueError::new(
            "tag",
            tag,
            "1 to 40 characters, such as race or immigration-status",
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// What the API answers reads back as the same value on the command line's side (its
        /// replies are read into these types), and a value out of range is refused on reading.
        #[test]
        fn values_read_back_as_serialized(
            ms in proptest::num::i64::ANY,
            hundredths in 0i64..=100_000_000_000_000,
            (num, den) in proptest::strategy::Strategy::prop_flat_map(1u32..1000, |d| {
                (0..=d, proptest::strategy::Just(d))
            }),
            rank in 0u64..20,
            days in -100_000i32..100_000,
        ) {
            use proptest::prelude::*;
            fn back<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
                v: &T,
            ) -> Result<(), TestCaseError> {
                let json = serde_json::to_string(v).unwrap();
                let read: T = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(&read, v, "{}", json);
                Ok(())
            }
            back(&Timestamp::from_millis(ms))?;
            if let Ok(a) = Amount::from_hundredths(hundredths) {
                back(&a)?;
            }
            back(&Fraction::new(num, den).unwrap())?;
            match Rank::new(rank) {
                Ok(r) => back(&r)?,
                Err(_) => prop_assert!(serde_json::from_str::<Rank>(&rank.to_string()).is_err()),
            }
            let day = jiff::civil::date(2026, 1, 1).checked_add(jiff::Span::new().days(days));
            if let Ok(d) = day {
                back(&Day(d))?;
            }
        }
    }

    #[test]
    fn amounts_parse_exactly_and_refuse_bad_input() {
        assert_eq!("500".parse::<Amount>().unwrap().hundredths(), 50_000);
        assert_eq!("12.5".parse::<Amount>().unwrap().hundredths(), 1_250);
        assert_eq!("0.07".parse::<Amount>().unwrap().to_string(), "0.07");
        assert_eq!("12.50".parse::<Amount>().unwrap().to_string(), "12.50");
        for bad in [
            "-5",
            "",
            ".",
            "1.234",
            "abc",
            "1e5",
            "99999999999999",
            "1.-2",
        ] {
            let e = bad.parse::<Amount>().unwrap_err();
            assert_eq!(e.what, "amount", "{bad}");
        }
        assert!(
            "-5".parse::<Amount>()
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
    }

    #[test]
    fn ranks_are_one_to_ten() {
        assert!(Rank::new(0).is_err());
        assert!(Rank::new(11).is_err());
        assert_eq!(Rank::new(1).unwrap().weight(), 10);
        assert_eq!("10".parse::<Rank>().unwrap().weight(), 1);
    }

    #[test]
    fn fractions_parse_both_ways() {
        assert_eq!("2/3".parse::<Fraction>().unwrap(), Fraction::TWO_THIRDS);
        assert_eq!("0.5".parse::<Fraction>().unwrap().to_string(), "5/10");
        assert!("3/2".parse::<Fraction>().is_err());
        assert!("1/0".parse::<Fraction>().is_err());
        assert!(Fraction::HALF.reached_by(1, 2));
        assert!(!Fraction::HALF.reached_by(1, 3));
    }

    #[test]
    fn vocabularies_accept_friendly_spellings() {
        assert_eq!(
            "Public Statement".parse::<DecisionKind>().unwrap(),
            DecisionKind::PublicStatement
        );
        assert_eq!(
            "volunteer_hours".parse::<PoolKind>().unwrap(),
            PoolKind::VolunteerHours
        );
        let e = "vote".parse::<Stance>().unwrap_err().to_string();
        assert!(e.contains("agree, abstain, disagree, block"), "{e}");
    }

    #[test]
    fn days_and_keys_round_trip() {
        assert_eq!(
            "2026-11-24".parse::<Day>().unwrap().to_string(),
            "2026-11-24"
        );
        assert!("2026-13-01".parse::<Day>().is_err());
        assert!("26-1-1".parse::<Day>().is_err());
        let k = NodeKey::from_bytes([7; 32]);
        assert_eq!(k.to_string().parse::<NodeKey>().unwrap(), k);
        assert!("xyz".parse::<NodeKey>().is_err());
    }

    #[test]
    fn tags_are_normalized() {
        assert_eq!(
            normalize_tag("Immigration status").unwrap(),
            "immigration-status"
        );
        assert!(normalize_tag("  ").is_err());
    }
}
