//! A link proposal's terms (issue 20): which coalition this one links with, what it is to
//! it, what it publishes to it and takes from it, and how many members sign.
//!
//! A link is made by a passed link proposal on each side, under each side's own rule; each
//! side's terms say what *it* does: the kinds it publishes (and which issues, goals and pools),
//! how many of its members co-sign each statement, the kinds it takes from the other, the
//! other's roster it trusts first (by id) and how many of the other's members must sign. A
//! national coalition's terms for an affiliate say the affiliate's weight in its mandates.
//! Either side ends the link by its own decision (relation `end`).

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{CoalitionId, GoalId, PoolId};
use crate::values::{LinkRelation, SharedKind};

/// Most co-signers a link may ask for.
pub const MAX_THRESHOLD: u64 = federation::MAX_ROSTER as u64;

/// A link proposal's terms, fixed when it opens.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkTerms {
    /// The other coalition.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub coalition: CoalitionId,
    /// Its name, as the proposal gives it.
    pub name: String,
    /// What the other coalition is to this one, or `end`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub relation: LinkRelation,
    /// The kinds this coalition publishes to it (rosters cross whenever any kind does).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub publish: Vec<SharedKind>,
    /// Only issues holding one of these tags are published (none: every issue).
    pub tags: Vec<String>,
    /// Only these goals are published (none: every goal).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub goals: Vec<GoalId>,
    /// Only these pools' totals are published (none: every pool).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub pools: Vec<PoolId>,
    /// How many of this coalition's members co-sign each statement it publishes.
    pub threshold: u64,
    /// The kinds this coalition takes from the other.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub accept: Vec<SharedKind>,
    /// How many of the other's members must sign each statement taken from it.
    pub their_threshold: u64,
    /// The id of the other's roster this coalition trusts first (64 hex digits): required
    /// when it takes any kind; named by a link that only publishes, its nodes know the other
    /// side's member nodes (`takes_rosters`).
    #[autosurgeon(missing = "Default::default")]
    pub roster: Option<String>,
    /// For an affiliate, its weight in this coalition's mandates: a whole number, or `None`
    /// for its number of members (as its latest roster says).
    #[autosurgeon(missing = "Default::default")]
    pub weight: Option<u64>,
}

impl LinkTerms {
    /// Terms that end the link with `coalition` (named `name`).
    pub fn end(coalition: CoalitionId, name: String) -> Self {
        Self {
            coalition,
            name,
            relation: LinkRelation::End,
            publish: Vec::new(),
            tags: Vec::new(),
            goals: Vec::new(),
            pools: Vec::new(),
            threshold: 1,
            accept: Vec::new(),
            their_threshold: 1,
            roster: None,
            weight: None,
        }
    }

    /// Whether a link on these terms publishes `value`: a kind it shares (rosters cross with
    /// any), and of issues those with one of its tags, of goals and pools those it names (none
    /// named: all).
    pub fn publishes(&self, value: &federation::Value) -> bool {
        use federation::Value;
        let shared = |kind: federation::Kind| {
            kind == federation::Kind::Roster
                || self.publish.iter().any(|k| k.as_str() == kind.as_str())
        };
        shared(value.kind())
            && match value {
                Value::Issue(i) => {
                    self.tags.is_empty() || i.tags.iter().any(|t| self.tags.contains(t))
                }
                Value::Goal(g) => {
                    self.goals.is_empty() || self.goals.iter().any(|x| x.to_bytes() == g.goal)
                }
                Value::Pool(p) => {
                    self.pools.is_empty() || self.pools.iter().any(|x| x.to_bytes() == p.pool)
                }
                _ => true,
            }
    }

    /// The kinds this coalition publishes on a link on these terms that `takes` (what the
    /// other side's node told it takes) names.
    pub fn publish_taken(&self, takes: federation::LinkTakes) -> Vec<SharedKind> {
        self.publish
            .iter()
            .filter(|k| {
                federation::Kind::ALL
                    .into_iter()
                    .any(|kind| kind.as_str() == k.as_str() && takes.takes(kind))
            })
            .cloned()
            .collect()
    }

    /// Whether a link on these terms takes statements of `kind` from the other coalition:
    /// rosters whenever it takes the other's rosters ([`LinkTerms::takes_rosters`]), other
    /// kinds those it names.
    pub fn accepts(&self, kind: federation::Kind) -> bool {
        if kind == federation::Kind::Roster {
            return self.takes_rosters();
        }
        self.accept.iter().any(|k| k.as_str() == kind.as_str())
    }

    /// Whether a link on these terms takes the other coalition's rosters: when it takes any
    /// kind, or names the other's roster it trusts first (a link that only publishes, so that
    /// this side's nodes know the other side's member nodes, to pass statements to them).
    pub fn takes_rosters(&self) -> bool {
        !self.accept.is_empty() || self.roster.is_some()
    }

    /// Puts its lists in their one order: kinds by their word, tags, goals and pools by
    /// their text, each once. What the model writes and what every node requires.
    pub fn in_order(&mut self) {
        for kinds in [&mut self.publish, &mut self.accept] {
            kinds.sort_by_key(|k| k.as_str());
            kinds.dedup();
        }
        self.tags.sort();
        self.tags.dedup();
        self.goals.sort();
        self.goals.dedup();
        self.pools.sort();
        self.pools.dedup();
    }
}

/// What is wrong with `terms` for a link proposal of coalition `own`, if anything: the model
/// refuses it when the proposal opens and every node on receipt.
pub fn link_problem(own: &CoalitionId, terms: &LinkTerms) -> Option<String> {
    if terms.coalition == *own {
        return Some("a coalition does not link with itself".into());
    }
    if terms.name.trim().is_empty() || terms.name.chars().count() > crate::doc::MAX_SHORT {
        return Some(format!(
            "name the other coalition (at most {} characters)",
            crate::doc::MAX_SHORT
        ));
    }
    let list = crate::doc::MAX_LIST;
    if terms.tags.len() > list || terms.goals.len() > list || terms.pools.len() > list {
        return Some(format!("a link names at most {list} tags, goals and pools"));
    }
    if let Some(t) = terms
        .tags
        .iter()
        .find(|t| crate::values::normalize_tag(t).ok().as_ref() != Some(*t))
    {
        return Some(format!(
            "tag {:?} is not written as tags are (lowercase words joined by hyphens, at most {} characters)",
            t.chars().take(60).collect::<String>(),
            crate::layout::MAX_TAG
        ));
    }
    // The one order `in_order` puts them in (kinds by their words, not the order the
    // vocabulary declares them in, which a later version may change), each once.
    let mut ordered = terms.clone();
    ordered.in_order();
    if ordered != *terms {
        return Some("each kind of statement, tag, goal and pool is named once, in order".into());
    }
    if terms.relation == LinkRelation::End {
        let bare = terms.publish.is_empty()
            && terms.accept.is_empty()
            && terms.tags.is_empty()
            && terms.goals.is_empty()
            && terms.pools.is_empty()
            && terms.roster.is_none()
            && terms.weight.is_none();
        return (!bare).then(|| "ending a link names no terms".into());
    }
    if terms.publish.is_empty() && terms.accept.is_empty() {
        return Some("a link publishes or takes at least one kind of statement".into());
    }
    for (k, n) in [
        ("threshold", terms.threshold),
        ("their threshold", terms.their_threshold),
    ] {
        if !(1..=MAX_THRESHOLD).contains(&n) {
            return Some(format!(
                "the {k} is from 1 to {MAX_THRESHOLD} members, not {n}"
            ));
        }
    }
    // Calls go from a coalition to its affiliates, mandate positions back.
    let (down, up) = (SharedKind::Call, SharedKind::Mandate);
    let (wrong_out, wrong_in) = match terms.relation {
        LinkRelation::Affiliate => (up, down),
        _ => (down, up),
    };
    if terms.publish.contains(&wrong_out) || terms.accept.contains(&wrong_in) {
        return Some(
            "calls go to affiliates and mandate positions come back from them: an affiliate \
             publishes mandates and takes calls, the coalition it is an affiliate of the reverse"
                .into(),
        );
    }
    match (&terms.roster, terms.accept.is_empty()) {
        (None, false) => {
            return Some(
                "a link that takes statements names the other coalition's roster it trusts \
                 first (its id, 64 hex digits)"
                    .into(),
            );
        }
        (Some(r), _) if !crate::statements::is_id(r) => {
            return Some(format!(
                "{:?} is not a roster id (64 lowercase hex digits)",
                r.chars().take(70).collect::<String>()
            ));
        }
        _ => {}
    }
    match (terms.relation, terms.weight) {
        (LinkRelation::Affiliate, Some(w)) if !(1..=u64::from(super::MAX_WEIGHT)).contains(&w) => {
            Some(format!(
                "an affiliate's weight is from 1 to {}, not {w}",
                super::MAX_WEIGHT
            ))
        }
        (LinkRelation::Parent, Some(_)) => {
            Some("only an affiliate has a weight (in the mandates of the coalition it is an affiliate of)".into())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use federation::Kind;

    /// A link takes the other's rosters when it takes any kind, or when it only publishes but
    /// names the other's roster (its nodes then know the other side's member nodes); other
    /// kinds only as it names them.
    #[test]
    fn a_link_that_only_publishes_takes_the_rosters_it_pins() {
        let mut terms = LinkTerms::end(CoalitionId::from_bytes([1; 16]), "N".into());
        terms.relation = LinkRelation::Parent;
        terms.publish = vec![SharedKind::Goal];
        assert!(!terms.takes_rosters() && !terms.accepts(Kind::Roster));
        terms.roster = Some("ab".repeat(32));
        assert!(terms.takes_rosters() && terms.accepts(Kind::Roster));
        assert!(!terms.accepts(Kind::Call) && !terms.accepts(Kind::Goal));
        assert_eq!(
            link_problem(&CoalitionId::from_bytes([2; 16]), &terms),
            None
        );
        terms.accept = vec![SharedKind::Call];
        assert!(terms.accepts(Kind::Call) && terms.accepts(Kind::Roster));
    }
}
