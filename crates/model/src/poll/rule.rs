//! A charter rule naming a poll method ([`PollRule`]): the decisions of its kind are then
//! polls by that method (`role=stv:2`, `allocation=budget`, `general=ranked`).

use std::fmt;

use super::{MethodError, PollMethod, stv};

/// The poll method a charter rule requires of the proposals of its kind: a bare name allows
/// any of that method's settings (`budget`: any share; `dots`: any number of dots), a name
/// with settings those settings (`stv:2`: two seats, by either rules; `stv:2:scottish`: two
/// seats by the Scottish rules; `score:10`: scores to 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PollRule {
    /// Any poll of this method (its name, as [`family`] gives it).
    Any(&'static str),
    /// An STV election for this many seats, by either rules.
    Seats(u32),
    /// Exactly this method and settings.
    Exactly(PollMethod),
}

/// The methods' names, as a bare rule names them.
pub const FAMILIES: [&str; 8] = [
    "choose",
    "score",
    "dots",
    "ranked",
    "condorcet",
    "stv",
    "time",
    "budget",
];

/// The methods that elect members to a role (`DecisionKind::Role`): those whose result is
/// who won (`reports::elections_of`).
pub const ELECTING: [&str; 3] = ["stv", "ranked", "condorcet"];

/// Whether `m` is a method that elects ([`ELECTING`]).
pub fn elects(m: PollMethod) -> bool {
    ELECTING.contains(&family(m))
}

/// The name of `m`'s method, without its settings.
pub fn family(m: PollMethod) -> &'static str {
    match m {
        PollMethod::Choose { .. } => "choose",
        PollMethod::Score { .. } => "score",
        PollMethod::Dots { .. } => "dots",
        PollMethod::Ranked => "ranked",
        PollMethod::Condorcet => "condorcet",
        PollMethod::Stv { .. } => "stv",
        PollMethod::Time => "time",
        PollMethod::Budget { .. } => "budget",
    }
}

impl PollRule {
    /// Whether a poll counted by `m` is one this rule allows.
    pub fn allows(self, m: PollMethod) -> bool {
        match self {
            PollRule::Any(name) => family(m) == name,
            PollRule::Seats(n) => matches!(m, PollMethod::Stv { seats, .. } if seats == n),
            PollRule::Exactly(e) => e == m,
        }
    }

    /// The method's name, without its settings.
    pub fn family(self) -> &'static str {
        match self {
            PollRule::Any(name) => name,
            PollRule::Seats(_) => "stv",
            PollRule::Exactly(m) => family(m),
        }
    }

    /// The method a poll under this rule is counted by when its author names none: the
    /// rule's own where it fixes every setting (`stv:2` by Meek's method, the default rules).
    pub fn default_method(self) -> Option<PollMethod> {
        match self {
            PollRule::Exactly(m) => Some(m),
            PollRule::Seats(seats) => Some(PollMethod::Stv {
                seats,
                variant: stv::Variant::Meek,
            }),
            PollRule::Any(name) => name.parse().ok(),
        }
    }
}

impl fmt::Display for PollRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PollRule::Any(name) => f.write_str(name),
            PollRule::Seats(n) => write!(f, "stv:{n}"),
            PollRule::Exactly(m) => write!(f, "{m}"),
        }
    }
}

impl std::str::FromStr for PollRule {
    type Err = MethodError;
    /// A bare method name (`budget`, `dots`, `stv`: any seats), `stv:SEATS`, or a method with
    /// its settings as a poll gives it (`score:10`, `stv:2:scottish`).
    fn from_str(s: &str) -> Result<Self, MethodError> {
        let t = s.trim().to_ascii_lowercase();
        if let Some(name) = FAMILIES.iter().find(|f| **f == t) {
            return Ok(PollRule::Any(name));
        }
        let m: PollMethod = t.parse()?;
        Ok(match (m, t.matches(':').count()) {
            (PollMethod::Stv { seats, .. }, 1) => PollRule::Seats(seats),
            _ => PollRule::Exactly(m),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_names_a_method_with_or_without_its_settings() {
        let budget: PollRule = "budget".parse().unwrap();
        assert_eq!(budget, PollRule::Any("budget"));
        assert!(budget.allows(PollMethod::Budget { share: 5000 }));
        assert!(!budget.allows(PollMethod::Dots { dots: 8 }));
        assert_eq!(
            budget.default_method(),
            None,
            "a budget poll says its share"
        );

        let two: PollRule = "stv:2".parse().unwrap();
        assert_eq!(two.to_string(), "stv:2");
        for variant in [stv::Variant::Meek, stv::Variant::Scottish] {
            assert!(two.allows(PollMethod::Stv { seats: 2, variant }));
        }
        assert!(!two.allows(PollMethod::Stv {
            seats: 3,
            variant: stv::Variant::Meek
        }));
        let scottish: PollRule = "STV:2:Scottish".parse().unwrap();
        assert_eq!(scottish.to_string(), "stv:2:scottish");
        assert!(!scottish.allows(PollMethod::Stv {
            seats: 2,
            variant: stv::Variant::Meek
        }));

        let dots: PollRule = "dots".parse().unwrap();
        assert!(dots.allows(PollMethod::Dots { dots: 20 }));
        assert_eq!(dots.default_method(), Some(PollMethod::Dots { dots: 8 }));
        let ten: PollRule = "score:10".parse().unwrap();
        assert!(
            ten.allows(PollMethod::Score { max: 10 }) && !ten.allows(PollMethod::Score { max: 5 })
        );

        assert!("stv".parse::<PollRule>().unwrap().allows(PollMethod::Stv {
            seats: 3,
            variant: stv::Variant::Scottish
        }));
        for bad in ["stv:0", "budget:0", "borda", "", "ranked:2"] {
            assert!(bad.parse::<PollRule>().is_err(), "{bad}");
        }
        for name in FAMILIES {
            let r: PollRule = name.parse().unwrap();
            assert_eq!(r.to_string().parse::<PollRule>().unwrap(), r);
        }
    }
}
