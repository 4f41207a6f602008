//! Time: [`Timestamp`] (milliseconds given by the caller) and [`Day`] (a calendar day).

use std::fmt;
use std::str::FromStr;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

use super::{ValueError, hydrate_error};

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
pub struct Day(pub(super) jiff::civil::Date);

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
    /// The calendar date.
    pub fn civil(self) -> jiff::civil::Date {
        self.0
    }

    /// Its first moment (midnight, UTC).
    pub fn start(self) -> Timestamp {
        let midnight = self.0.to_datetime(jiff::civil::Time::midnight());
        Timestamp::from_millis(
            jiff::tz::Offset::UTC
                .to_timestamp(midnight)
                .map_or(0, |t| t.as_millisecond()),
        )
    }

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
