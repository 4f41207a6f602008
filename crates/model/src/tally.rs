//! Decision rules and the tally of positions on a proposal.
//!
//! The tally is a pure function of the rule, the electorate, the recorded positions and whether
//! the proposal has closed, so every node computes the same outcome whatever order the positions
//! arrived in. An outcome other than [`Outcome::Open`] is *final*: no position still missing can
//! change it (checked by property tests).
//!
//! A proposal's rule and electorate are fixed when it opens (checked on receipt by
//! [`crate::rules`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use crate::poll::PollRule;
use crate::values::{Fraction, MethodName, Stance, ValueError};

/// How a decision is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// Passes when nobody disagrees or blocks and at least one agrees.
    Consensus,
    /// Passes when nobody blocks and at least one agrees.
    Consent,
    /// Passes when more agree than disagree (a block counts as disagreeing).
    Majority,
    /// Passes when at least this fraction of those taking sides agree.
    SuperMajority(Fraction),
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Consensus => f.write_str("consensus"),
            Method::Consent => f.write_str("consent"),
            Method::Majority => f.write_str("majority"),
            Method::SuperMajority(fr) => write!(f, "super-majority:{fr}"),
        }
    }
}

/// A decision rule: a method and a quorum (the fraction of the electorate that must take a
/// position, abstentions included) — or a poll method ([`PollRule`]) and a quorum (the
/// fraction of the electorate that must cast a ballot): the decisions of its kind are then
/// polls by that method (`crate::poll`), never positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    method: Method,
    quorum: Fraction,
    poll: Option<PollRule>,
}

impl Rule {
    /// A rule; every method and quorum combination is valid.
    pub fn new(method: Method, quorum: Fraction) -> Self {
        Self {
            method,
            quorum,
            poll: None,
        }
    }
    /// A rule that decides by polls counted by `poll`'s method, with this quorum of ballots.
    pub fn by_poll(poll: PollRule, quorum: Fraction) -> Self {
        Self {
            // Never counted: a poll is decided by its ballots (`reports::proposal_tally`).
            method: Method::Majority,
            quorum,
            poll: Some(poll),
        }
    }
    /// The method positions are counted by (a rule naming a poll method takes no positions).
    pub fn method(&self) -> Method {
        self.method
    }
    /// The quorum.
    pub fn quorum(&self) -> Fraction {
        self.quorum
    }
    /// The poll method this rule requires, if it names one.
    pub fn poll(&self) -> Option<PollRule> {
        self.poll
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.poll {
            Some(p) => write!(f, "{p}@{}", self.quorum),
            None => write!(f, "{}@{}", self.method, self.quorum),
        }
    }
}

impl std::str::FromStr for Rule {
    type Err = ValueError;
    /// `METHOD[:FRACTION][@QUORUM]`: `consensus`, `consent@2/3`, `majority`,
    /// `super-majority:2/3@1/2`; or a poll method ([`PollRule`]): `ranked`, `stv:2@2/3`,
    /// `budget`. The quorum defaults to one half.
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::new(
                "decision rule",
                s,
                "METHOD[:FRACTION][@QUORUM] with METHOD one of consensus, consent, majority, \
                 super-majority (which needs a FRACTION), e.g. super-majority:2/3@1/2; or a \
                 poll method: choose, score, dots, ranked, condorcet, stv[:SEATS], time or \
                 budget, e.g. stv:2@1/2",
            )
        };
        let (method, quorum) = match s.trim().split_once('@') {
            Some((m, q)) => (m, q.parse::<Fraction>()?),
            None => (s.trim(), Fraction::HALF),
        };
        let (name, fraction) = match method.split_once(':') {
            Some((n, f)) => (n, Some(f)),
            None => (method, None),
        };
        let Ok(name) = name.trim().parse::<MethodName>() else {
            return match method.parse::<PollRule>() {
                Ok(poll) => Ok(Rule::by_poll(poll, quorum)),
                // A poll method's own words say what is wrong with its settings.
                Err(e) if name.trim().parse::<PollRule>().is_ok() || fraction.is_some() => {
                    Err(ValueError::new("decision rule", s, e.to_string()))
                }
                Err(_) => Err(bad()),
            };
        };
        let fraction = fraction.map(str::parse::<Fraction>).transpose()?;
        let method = match (name, fraction) {
            (MethodName::SuperMajority, Some(f)) => Method::SuperMajority(f),
            (MethodName::SuperMajority, None) => return Err(bad()),
            (_, Some(_)) => return Err(bad()),
            (MethodName::Consensus, None) => Method::Consensus,
            (MethodName::Consent, None) => Method::Consent,
            (MethodName::Majority, None) => Method::Majority,
        };
        Ok(Rule::new(method, quorum))
    }
}

crate::values::deserialize_from_str!(Rule);

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Not decided yet: missing positions could still change the result.
    Open,
    /// Passed.
    Passed,
    /// Failed (not enough agreement, disagreement under consensus, or no quorum at closing).
    Failed,
    /// Blocked by at least one member under consensus or consent.
    Blocked,
}

impl Outcome {
    /// The name printed and used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Blocked => "blocked",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Counts of positions and the outcome they give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// Members entitled to take a position.
    pub electorate: u64,
    /// Agree positions.
    pub agree: u64,
    /// Abstentions.
    pub abstain: u64,
    /// Disagreements.
    pub disagree: u64,
    /// Blocks.
    pub block: u64,
    /// Members of the electorate with no position yet.
    pub pending: u64,
    /// Positions needed to reach quorum.
    pub quorum_needed: u64,
    /// The outcome.
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Copy)]
struct Counts {
    agree: u64,
    abstain: u64,
    disagree: u64,
    block: u64,
}

impl Counts {
    fn taken(&self) -> u64 {
        self.agree + self.abstain + self.disagree + self.block
    }
}

/// The decision `counts` give under `rule` if nobody else takes a position.
fn evaluate(rule: Rule, c: Counts, electorate: u64) -> Outcome {
    let quorum_met = rule.quorum.reached_by(c.taken(), electorate);
    let verdict = |passes: bool| {
        if passes {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    };
    match rule.method {
        Method::Consensus if c.block > 0 => Outcome::Blocked,
        Method::Consensus => verdict(quorum_met && c.disagree == 0 && c.agree > 0),
        Method::Consent if c.block > 0 => Outcome::Blocked,
        Method::Consent => verdict(quorum_met && c.agree > 0),
        Method::Majority => verdict(quorum_met && c.agree > c.disagree + c.block),
        Method::SuperMajority(f) => {
            let sides = c.agree + c.disagree + c.block;
            verdict(quorum_met && c.agree > 0 && f.reached_by(c.agree, sides))
        }
    }
}

/// Tallies `positions` (member id → stance) for a proposal under `rule`.
///
/// Positions of members outside `electorate` are ignored. With `closed`, missing positions are
/// counted as absent and the outcome is final; otherwise the outcome is [`Outcome::Open`] until
/// no missing position could change it.
///
/// ```
/// use model::{tally, Fraction, Method, Outcome, Rule, Stance};
/// use std::collections::BTreeMap;
/// let rule = Rule::new(Method::Majority, Fraction::HALF);
/// let electorate = ["a", "b", "c"];
/// let positions = BTreeMap::from([("a", Stance::Agree), ("b", Stance::Agree)]);
/// assert_eq!(tally(rule, &electorate, &positions, false).outcome, Outcome::Passed);
/// ```
pub fn tally<M: AsRef<str> + Ord>(
    rule: Rule,
    electorate: &[M],
    positions: &BTreeMap<M, Stance>,
    closed: bool,
) -> Tally {
    let mut electorate_ids: Vec<&str> = electorate.iter().map(AsRef::as_ref).collect();
    electorate_ids.sort_unstable();
    electorate_ids.dedup();
    let n = electorate_ids.len() as u64;
    let mut c = Counts {
        agree: 0,
        abstain: 0,
        disagree: 0,
        block: 0,
    };
    for (member, stance) in positions {
        if electorate_ids.binary_search(&member.as_ref()).is_err() {
            continue;
        }
        match stance {
            Stance::Agree => c.agree += 1,
            Stance::Abstain => c.abstain += 1,
            Stance::Disagree => c.disagree += 1,
            Stance::Block => c.block += 1,
        }
    }
    decide(rule, c, n, closed)
}

/// Positions counted with their weights: each party's position counts as many times as its
/// weight (a party of weight 3 counts as three members taking the same position; one of
/// weight 0 has no say). So consensus still asks that no party with a say disagree or
/// block, and consent that none block, whatever its weight, and the quorum is a share of the
/// electorate's weight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Weighed {
    /// The weight of all entitled to take a position.
    pub electorate: u64,
    /// The weight of those agreeing.
    pub agree: u64,
    /// The weight of those abstaining.
    pub abstain: u64,
    /// The weight of those disagreeing.
    pub disagree: u64,
    /// The weight of those blocking.
    pub block: u64,
}

impl Weighed {
    /// Counts a position `stance` of weight `weight` (the electorate is the caller's).
    pub fn add(&mut self, stance: Stance, weight: u64) {
        let n = match stance {
            Stance::Agree => &mut self.agree,
            Stance::Abstain => &mut self.abstain,
            Stance::Disagree => &mut self.disagree,
            Stance::Block => &mut self.block,
        };
        *n = n.saturating_add(weight);
    }
}

/// Tallies positions counted with their weights under `rule`, as [`tally`] tallies one each:
/// the same outcome as [`tally`] over an electorate where each party of weight w is w members
/// taking its position (property-tested). A weight beyond the electorate's is cut to it.
///
/// ```
/// use model::{Fraction, Method, Outcome, Rule, Weighed, weighed_tally};
/// let rule = Rule::new(Method::Majority, Fraction::HALF);
/// // One party of weight 3 agrees, one of weight 1 disagrees, weight 2 has not decided.
/// let w = Weighed { electorate: 6, agree: 3, disagree: 1, ..Weighed::default() };
/// assert_eq!(weighed_tally(rule, w, false).outcome, Outcome::Open);
/// assert_eq!(weighed_tally(rule, w, true).outcome, Outcome::Passed);
/// ```
pub fn weighed_tally(rule: Rule, w: Weighed, closed: bool) -> Tally {
    // Each count within what is left of the electorate, so the pending weight never goes
    // below nothing.
    let mut left = w.electorate;
    let mut take = |x: u64| {
        let x = x.min(left);
        left -= x;
        x
    };
    let c = Counts {
        agree: take(w.agree),
        abstain: take(w.abstain),
        disagree: take(w.disagree),
        block: take(w.block),
    };
    decide(rule, c, w.electorate, closed)
}

/// The tally of counts `c` (at most `n` in all) out of an electorate of `n`.
fn decide(rule: Rule, c: Counts, n: u64, closed: bool) -> Tally {
    let pending = n - c.taken();
    let best = evaluate(
        rule,
        Counts {
            agree: c.agree + pending,
            ..c
        },
        n,
    );
    let if_absent = evaluate(rule, c, n);
    let if_blocked = evaluate(
        rule,
        Counts {
            block: c.block + pending,
            ..c
        },
        n,
    );
    let if_disagree = evaluate(
        rule,
        Counts {
            disagree: c.disagree + pending,
            ..c
        },
        n,
    );
    let outcome = if best != Outcome::Passed {
        // Even if everyone missing agreed it would not pass: final. (A block arriving later
        // can still turn `failed` into `blocked`; neither passes.)
        if_absent
    } else if [if_absent, if_blocked, if_disagree]
        .iter()
        .all(|o| *o == Outcome::Passed)
    {
        Outcome::Passed
    } else if closed {
        if_absent
    } else {
        Outcome::Open
    };
    // The fewest positions that reach the quorum (reaching it only grows with them), by
    // bisection: with weights the electorate may be millions.
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if rule.quorum.reached_by(mid, n) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let quorum_needed = lo;
    Tally {
        electorate: n,
        agree: c.agree,
        abstain: c.abstain,
        disagree: c.disagree,
        block: c.block,
        pending,
        quorum_needed,
        outcome,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stance() -> impl Strategy<Value = Option<Stance>> {
        prop_oneof![
            Just(None),
            Just(Some(Stance::Agree)),
            Just(Some(Stance::Abstain)),
            Just(Some(Stance::Disagree)),
            Just(Some(Stance::Block)),
        ]
    }

    /// Any rule by positions, fractions in sixths at most.
    pub(crate) fn rule() -> impl Strategy<Value = Rule> {
        let fraction =
            (0u32..=6, 1u32..=6).prop_filter_map("num <= den", |(n, d)| Fraction::new(n, d).ok());
        let method = prop_oneof![
            Just(Method::Consensus),
            Just(Method::Consent),
            Just(Method::Majority),
            fraction.clone().prop_map(Method::SuperMajority),
        ];
        (method, fraction).prop_map(|(m, q)| Rule::new(m, q))
    }

    fn positions(members: &[String], stances: &[Option<Stance>]) -> BTreeMap<String, Stance> {
        members
            .iter()
            .zip(stances)
            .filter_map(|(m, s)| s.map(|s| (m.clone(), s)))
            .collect()
    }

    proptest! {
        /// A decided outcome is final: every way of filling in the missing positions, and
        /// closing, gives the same outcome.
        #[test]
        fn decided_outcomes_are_final(rule in rule(), stances in proptest::collection::vec(stance(), 1..7), fill in proptest::collection::vec(stance(), 7)) {
            let members: Vec<String> = (0..stances.len()).map(|i| format!("m{i}")).collect();
            let partial = positions(&members, &stances);
            let open = tally(rule, &members, &partial, false);
            if open.outcome != Outcome::Open {
                let completed: Vec<Option<Stance>> = stances.iter().zip(&fill).map(|(s, f)| s.or(*f)).collect();
                let full = positions(&members, &completed);
                for closed in [true, false] {
                    let later = tally(rule, &members, &full, closed).outcome;
                    match open.outcome {
                        Outcome::Passed | Outcome::Blocked => prop_assert_eq!(later, open.outcome),
                        _ => prop_assert!(matches!(later, Outcome::Failed | Outcome::Blocked), "{later:?}"),
                    }
                }
            }
        }

        /// Closing never leaves a proposal open, and an open proposal has someone missing.
        #[test]
        fn closing_decides(rule in rule(), stances in proptest::collection::vec(stance(), 1..7)) {
            let members: Vec<String> = (0..stances.len()).map(|i| format!("m{i}")).collect();
            let p = positions(&members, &stances);
            prop_assert_ne!(tally(rule, &members, &p, true).outcome, Outcome::Open);
            let t = tally(rule, &members, &p, false);
            if t.outcome == Outcome::Open {
                prop_assert!(t.pending > 0);
            }
        }

        /// A party of weight w counts as w members taking its position: the weighed tally
        /// is the tally of that electorate, so weights keep every property above (decided
        /// outcomes final, closing decides) and consensus or consent is still stopped by
        /// any party with a say.
        #[test]
        fn weights_count_as_members_taking_the_same_position(rule in rule(), parties in proptest::collection::vec((0u64..4, stance()), 1..6), closed in any::<bool>()) {
            let mut members = Vec::new();
            let mut p = BTreeMap::new();
            let mut w = Weighed::default();
            for (i, (weight, s)) in parties.iter().enumerate() {
                w.electorate += weight;
                for j in 0..*weight {
                    let m = format!("p{i}-{j}");
                    if let Some(s) = s {
                        p.insert(m.clone(), *s);
                    }
                    members.push(m);
                }
                if let Some(s) = s {
                    w.add(*s, *weight);
                }
            }
            let weighed = weighed_tally(rule, w, closed);
            prop_assert_eq!(weighed, tally(rule, &members, &p, closed));
            // The quorum found by bisection is the fewest positions that reach it.
            let n = w.electorate;
            prop_assert_eq!(
                weighed.quorum_needed,
                (0..=n).find(|k| rule.quorum().reached_by(*k, n)).unwrap_or(n)
            );
        }

        /// Positions of non-members never count.
        #[test]
        fn outsiders_do_not_count(rule in rule(), stances in proptest::collection::vec(stance(), 1..7), outsider in stance()) {
            let members: Vec<String> = (0..stances.len()).map(|i| format!("m{i}")).collect();
            let mut p = positions(&members, &stances);
            let before = tally(rule, &members, &p, false);
            if let Some(s) = outsider {
                p.insert("outsider".to_owned(), s);
            }
            prop_assert_eq!(tally(rule, &members, &p, false), before);
        }
    }

    #[test]
    fn rules_parse_from_their_printed_form() {
        for text in [
            "consensus@1/2",
            "consent@2/3",
            "majority@0/1",
            "super-majority:2/3@1/2",
            "ranked@1/2",
            "stv:2@2/3",
            "stv:3:scottish@1/2",
            "budget@1/3",
            "score:10@1/2",
        ] {
            let rule: Rule = text.parse().unwrap();
            assert_eq!(rule.to_string(), text);
        }
        assert_eq!("majority".parse::<Rule>().unwrap().quorum(), Fraction::HALF);
        let stv: Rule = "stv:2".parse().unwrap();
        assert_eq!(
            (stv.quorum(), stv.to_string()),
            (Fraction::HALF, "stv:2@1/2".into())
        );
        assert_ne!(stv, Rule::new(Method::Majority, Fraction::HALF));
        for bad in [
            "super-majority",
            "majority:2/3",
            "unanimity",
            "consensus@3/2",
            "",
            "stv:0@1/2",
            "ranked@3/2",
        ] {
            assert!(bad.parse::<Rule>().is_err(), "{bad}");
        }
        // A poll method's own words say what is wrong with its settings.
        let e = "stv:0".parse::<Rule>().unwrap_err().to_string();
        assert!(e.contains("SEATS is from 1"), "{e}");
        let e = "unanimity".parse::<Rule>().unwrap_err().to_string();
        assert!(e.contains("or a poll method"), "{e}");
    }

    #[test]
    fn consensus_is_blocked_by_one_block() {
        let rule = Rule::new(Method::Consensus, Fraction::HALF);
        let members = ["a", "b", "c"];
        let p = BTreeMap::from([("a", Stance::Agree), ("b", Stance::Block)]);
        assert_eq!(tally(rule, &members, &p, false).outcome, Outcome::Blocked);
        let p = BTreeMap::from([("a", Stance::Agree), ("b", Stance::Agree)]);
        assert_eq!(tally(rule, &members, &p, false).outcome, Outcome::Open);
        assert_eq!(tally(rule, &members, &p, true).outcome, Outcome::Passed);
    }

    #[test]
    fn majority_without_quorum_fails_at_close() {
        let rule = Rule::new(Method::Majority, Fraction::new(3, 4).unwrap());
        let members = ["a", "b", "c", "d"];
        let p = BTreeMap::from([("a", Stance::Agree), ("b", Stance::Agree)]);
        let t = tally(rule, &members, &p, false);
        assert_eq!((t.outcome, t.quorum_needed), (Outcome::Open, 3));
        assert_eq!(tally(rule, &members, &p, true).outcome, Outcome::Failed);
    }

    #[test]
    fn super_majority_counts_sides_only() {
        let rule = Rule::new(Method::SuperMajority(Fraction::TWO_THIRDS), Fraction::HALF);
        let members = ["a", "b", "c", "d"];
        let p = BTreeMap::from([
            ("a", Stance::Agree),
            ("b", Stance::Agree),
            ("c", Stance::Disagree),
            ("d", Stance::Abstain),
        ]);
        assert_eq!(tally(rule, &members, &p, false).outcome, Outcome::Passed);
    }
}
