//! The charter: the one in force, its ratified versions, its decision rules (and how a rule
//! is stored) and the roles it assigns.

use std::collections::BTreeMap;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize};

use super::{Goal, Prose, RuleChange};
use crate::ids::{GoalId, MemberId, ProposalId};
use crate::tally::{Method, Rule};
use crate::values::{DecisionKind, Fraction, MethodName, RuleKind, Timestamp};

/// The charter in force.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Charter {
    /// The coalition's name.
    pub name: String,
    /// The unifying frame (mission).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub frame: Prose,
    /// Core values.
    pub values: Vec<String>,
    /// Non-negotiable commitments.
    pub commitments: Vec<String>,
    /// Decision rules per kind of decision.
    pub rules: Rules,
    /// Roles.
    pub roles: Roles,
    /// The share of a pool's allocations above which one member receiving it is flagged.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub equity_threshold: Fraction,
    /// Shared goals by goal id.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, Goal>))]
    pub goals: BTreeMap<GoalId, Goal>,
    /// Number of the ratified version this charter is.
    pub version: u64,
    /// Members' weights in polls, per kind of decision (equal unless an amendment said
    /// otherwise; the founding charter weighs every member one).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub weights: Weights,
}

/// A charter as ratified, kept forever.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CharterVersion {
    /// 1 for the founding charter, then one more per passed amendment.
    pub number: u64,
    /// When it was ratified.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub ratified_at: Timestamp,
    /// The amendment proposal that passed it; none for the founding charter.
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub proposal: Option<ProposalId>,
    /// Members whose agreement ratified it (the founder for version 1).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub agreed_by: Vec<MemberId>,
    /// Name at that version.
    pub name: String,
    /// Frame at that version.
    pub frame: String,
    /// Values at that version.
    pub values: Vec<String>,
    /// Commitments at that version.
    pub commitments: Vec<String>,
    /// Rules at that version.
    pub rules: Rules,
    /// Roles at that version.
    pub roles: Roles,
    /// Equity threshold at that version.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub equity_threshold: Fraction,
    /// Weights at that version.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub weights: Weights,
}

/// The heaviest weight a member can be given (a million: people represented, say).
pub const MAX_WEIGHT: u32 = 1_000_000;

/// Members' weights in the polls of each kind of decision: a member not named weighs one.
/// A proposal takes those of its kind when it opens (`Proposal::weights`), so a poll is
/// counted with the weights it opened with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weights {
    /// In charter amendments.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub amendment: BTreeMap<MemberId, u32>,
    /// In admitting and removing members.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub membership: BTreeMap<MemberId, u32>,
    /// In allocations from pools.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub allocation: BTreeMap<MemberId, u32>,
    /// In public statements.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub public_statement: BTreeMap<MemberId, u32>,
    /// In general proposals.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub general: BTreeMap<MemberId, u32>,
    /// In elections of role holders.
    #[autosurgeon(
        missing = "Default::default",
        with = "autosurgeon::map_with_parseable_keys"
    )]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub role: BTreeMap<MemberId, u32>,
}

/// The weights of a kind no amendment weighs.
static NO_WEIGHTS: BTreeMap<MemberId, u32> = BTreeMap::new();

impl Weights {
    /// The weights of one kind of decision (members not named weigh one).
    pub fn for_kind(&self, kind: DecisionKind) -> &BTreeMap<MemberId, u32> {
        match kind {
            DecisionKind::Amendment => &self.amendment,
            DecisionKind::Membership => &self.membership,
            DecisionKind::Allocation => &self.allocation,
            DecisionKind::PublicStatement => &self.public_statement,
            DecisionKind::General => &self.general,
            DecisionKind::Role => &self.role,
            // Links are decided by positions: no amendment weighs them
            // (`doc::weights_problem`).
            DecisionKind::Link => &NO_WEIGHTS,
        }
    }

    /// Applies one change: a weight of one is no weight (the member weighs as others do).
    pub fn set(&mut self, change: &crate::schema::WeightChange) {
        let map = match change.kind {
            DecisionKind::Amendment => &mut self.amendment,
            DecisionKind::Membership => &mut self.membership,
            DecisionKind::Allocation => &mut self.allocation,
            DecisionKind::PublicStatement => &mut self.public_statement,
            DecisionKind::General => &mut self.general,
            DecisionKind::Role => &mut self.role,
            // Never set (`doc::weights_problem` takes only the kinds polls decide).
            DecisionKind::Link => return,
        };
        if change.weight == 1 {
            map.remove(&change.member);
        } else {
            map.insert(change.member.clone(), change.weight);
        }
    }

    /// Whether every member weighs one in every kind of decision.
    pub fn all_equal(&self) -> bool {
        DecisionKind::ALL
            .iter()
            .all(|k| self.for_kind(*k).is_empty())
    }

    /// The weights a proposal of `kind` decided by `electorate` opens with: those of its
    /// members that weigh other than one.
    pub fn of_electorate(
        &self,
        kind: DecisionKind,
        electorate: &[MemberId],
    ) -> BTreeMap<MemberId, u32> {
        let w = self.for_kind(kind);
        electorate
            .iter()
            .filter_map(|m| w.get(m).map(|x| (m.clone(), *x)))
            .collect()
    }
}

/// The decision rule for each kind of decision.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rules {
    /// Charter amendments.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub amendment: Rule,
    /// Admitting and removing members.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub membership: Rule,
    /// Allocations from pools.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub allocation: Rule,
    /// Public statement sign-off.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub public_statement: Rule,
    /// General proposals.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub general: Rule,
    /// Admitting members: `None` for any one member's invite (the invite is the decision).
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub admission: Option<Rule>,
    /// Elections of role holders: always a poll among members (`stv` by default, any number
    /// of seats; a charter written before roles were elected has that default).
    #[autosurgeon(missing = "Rules::default_role")]
    #[serde(default = "Rules::default_role")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub role: Rule,
    /// Links with other coalitions: `None` for the amendment rule, whatever it is.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub link: Option<Rule>,
}

impl Rules {
    /// The founding defaults: amendments and membership by consensus, the rest by simple
    /// majority, quorum one half.
    pub fn founding() -> Self {
        let consensus = Rule::new(Method::Consensus, Fraction::HALF);
        let majority = Rule::new(Method::Majority, Fraction::HALF);
        Self {
            amendment: consensus,
            membership: consensus,
            allocation: majority,
            public_statement: majority,
            general: majority,
            admission: None,
            role: Self::default_role(),
            link: None,
        }
    }

    /// The rule for elections of role holders unless the charter says otherwise: single
    /// transferable vote for as many seats as each election names, quorum one half.
    pub fn default_role() -> Rule {
        Rule::by_poll(crate::poll::PollRule::Any("stv"), Fraction::HALF)
    }

    /// The rule for `kind`; `None` for admission by invite.
    pub fn get(&self, kind: RuleKind) -> Option<Rule> {
        match kind {
            RuleKind::Amendment => Some(self.amendment),
            RuleKind::Admission => self.admission,
            RuleKind::Membership => Some(self.membership),
            RuleKind::Allocation => Some(self.allocation),
            RuleKind::PublicStatement => Some(self.public_statement),
            RuleKind::General => Some(self.general),
            RuleKind::Role => Some(self.role),
            RuleKind::Link => Some(self.link.unwrap_or(self.amendment)),
        }
    }

    /// Applies one rule change; only admission may become `None` (by invite).
    pub fn set(&mut self, change: &RuleChange) {
        let slot = match change.kind {
            RuleKind::Admission => {
                self.admission = change.rule;
                return;
            }
            RuleKind::Link => {
                if change.rule.is_some() {
                    self.link = change.rule;
                }
                return;
            }
            RuleKind::Amendment => &mut self.amendment,
            RuleKind::Membership => &mut self.membership,
            RuleKind::Allocation => &mut self.allocation,
            RuleKind::PublicStatement => &mut self.public_statement,
            RuleKind::General => &mut self.general,
            RuleKind::Role => &mut self.role,
        };
        if let Some(rule) = change.rule {
            *slot = rule;
        }
    }

    /// The rule for one kind of decision.
    pub fn for_kind(&self, kind: DecisionKind) -> Rule {
        match kind {
            DecisionKind::Amendment => self.amendment,
            DecisionKind::Membership => self.membership,
            DecisionKind::Allocation => self.allocation,
            DecisionKind::PublicStatement => self.public_statement,
            DecisionKind::General => self.general,
            DecisionKind::Role => self.role,
            DecisionKind::Link => self.link.unwrap_or(self.amendment),
        }
    }
}

/// What is wrong with `rule` as the charter's rule for `kind`, if anything: general decisions
/// may be polls by any method, allocations budget polls over a pool's requests (whose count
/// funds them, `reports::funds_of`), role holders are always elected by a poll among members
/// that elects (stv, ranked, condorcet: `reports::elections_of`); the other kinds are
/// counted from positions (amendments and membership by every node's governance), so their
/// rule names no poll method.
pub fn rule_problem(kind: RuleKind, rule: &Rule) -> Option<String> {
    let Some(poll) = rule.poll() else {
        return (kind == RuleKind::Role).then(|| {
            format!(
                "role holders are elected by a poll among members: name stv, stv:SEATS, \
                 ranked or condorcet, not {rule}"
            )
        });
    };
    match kind {
        RuleKind::General => None,
        RuleKind::Allocation if poll.family() == "budget" => None,
        RuleKind::Role if crate::poll::rule::ELECTING.contains(&poll.family()) => None,
        RuleKind::Role => Some(format!(
            "role holders are elected by stv, ranked or condorcet polls, not {poll}"
        )),
        RuleKind::Allocation => Some(format!(
            "allocations can be decided by budget polls only (allocation=budget), not {poll}"
        )),
        _ => Some(format!(
            "{kind} decisions are decided by positions, so their rule names no poll method \
             ({poll}): only general decisions, allocations (by budget) and role elections \
             can be polls"
        )),
    }
}

/// What is wrong with a proposal of `kind` under `rule` being a poll counted by `poll` (or
/// no poll): a rule naming a poll method takes polls by it only; a rule naming none takes
/// positions, and polls only for general decisions (any general question may be a poll).
pub fn poll_rule_problem(
    kind: DecisionKind,
    rule: &Rule,
    poll: Option<crate::poll::PollMethod>,
) -> Option<String> {
    let Some(named) = rule.poll() else {
        return (poll.is_some() && kind != DecisionKind::General).then(|| {
            format!("the charter decides {kind} decisions by positions ({rule}), not by a poll")
        });
    };
    match poll {
        Some(m) if named.allows(m) => None,
        Some(m) => Some(format!(
            "the charter decides {kind} decisions by {named} polls, and this one is counted \
             by {m}"
        )),
        None => Some(format!(
            "the charter decides {kind} decisions by {named} polls: open a poll by that method"
        )),
    }
}

impl Rules {
    /// What is wrong with any of these rules ([`rule_problem`]).
    pub fn problem(&self) -> Option<String> {
        RuleKind::ALL
            .iter()
            .find_map(|k| self.get(*k).and_then(|r| rule_problem(*k, &r)))
    }
}

#[derive(Reconcile, Hydrate)]
struct RuleRecord {
    method: MethodName,
    #[autosurgeon(missing = "Default::default")]
    fraction: Option<Fraction>,
    quorum: Fraction,
    /// The poll method the rule requires (`PollRule`, as it prints), for a rule deciding by
    /// polls: then `method` is `majority`, never counted.
    #[autosurgeon(missing = "Default::default")]
    poll: Option<String>,
}

impl Reconcile for Rule {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, r: R) -> Result<(), R::Error> {
        let (method, fraction) = match self.method() {
            Method::Consensus => (MethodName::Consensus, None),
            Method::Consent => (MethodName::Consent, None),
            Method::Majority => (MethodName::Majority, None),
            Method::SuperMajority(f) => (MethodName::SuperMajority, Some(f)),
        };
        RuleRecord {
            method,
            fraction,
            quorum: self.quorum(),
            poll: self.poll().map(|p| p.to_string()),
        }
        .reconcile(r)
    }
}

impl Hydrate for Rule {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        let rec = RuleRecord::hydrate_map(doc, obj)?;
        if let Some(text) = &rec.poll {
            return match text.parse::<crate::poll::PollRule>() {
                Ok(poll)
                    if poll.to_string() == *text
                        && rec.method == MethodName::Majority
                        && rec.fraction.is_none() =>
                {
                    Ok(Rule::by_poll(poll, rec.quorum))
                }
                _ => Err(HydrateError::unexpected(
                    "a poll method as a rule names it, under the method majority",
                    text.chars().take(40).collect::<String>(),
                )),
            };
        }
        let method = match (rec.method, rec.fraction) {
            (MethodName::Consensus, _) => Method::Consensus,
            (MethodName::Consent, _) => Method::Consent,
            (MethodName::Majority, _) => Method::Majority,
            (MethodName::SuperMajority, Some(f)) => Method::SuperMajority(f),
            (MethodName::SuperMajority, None) => {
                return Err(HydrateError::unexpected(
                    "a super-majority rule with a fraction",
                    "a rule without one".to_owned(),
                ));
            }
        };
        Ok(Rule::new(method, rec.quorum))
    }
}

/// Roles the charter assigns.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Roles {
    /// Members in the order facilitation rotates through them.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub facilitator_rotation: Vec<MemberId>,
    /// Members who may speak publicly for the coalition.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub spokespeople: Vec<MemberId>,
    /// Members who sign off public statements.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub statement_signoff: Vec<MemberId>,
    /// Members who represent the coalition in the coalitions it links with (none until an
    /// election fills the role).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub delegates: Vec<MemberId>,
}
