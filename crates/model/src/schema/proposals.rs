//! Proposals: what one decides (its subject, or an amendment's changes) and the positions
//! members take on it.

use std::collections::BTreeMap;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

use super::Prose;
use crate::ids::{EntryId, IssueId, MemberId, PoolId, ProposalId};
use crate::poll::{Ballot, PollMethod};
use crate::tally::Rule;
use crate::values::{Amount, DecisionKind, Fraction, RuleKind, Stance, Timestamp};

/// What a proposal decides, for the kinds that decide on a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// Admitting this member (stored `admit/<member>`).
    Admit(MemberId),
    /// Removing this member (stored `remove/<member>`).
    Remove(MemberId),
    /// An allocation: this request in this pool's ledger (stored `<pool>/<entry>`).
    Request {
        /// The pool.
        pool: PoolId,
        /// The ledger entry.
        entry: EntryId,
    },
}

impl std::str::FromStr for Subject {
    type Err = crate::values::ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            crate::values::ValueError::new(
                "proposal subject",
                s,
                "admit/<member>, remove/<member> or <pool>/<entry>",
            )
        };
        let (a, b) = s.split_once('/').ok_or_else(bad)?;
        Ok(match a {
            "admit" => Self::Admit(b.parse().map_err(|_| bad())?),
            "remove" => Self::Remove(b.parse().map_err(|_| bad())?),
            pool => Self::Request {
                pool: pool.parse().map_err(|_| bad())?,
                entry: b.parse().map_err(|_| bad())?,
            },
        })
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Admit(m) => write!(f, "admit/{m}"),
            Self::Remove(m) => write!(f, "remove/{m}"),
            Self::Request { pool, entry } => write!(f, "{pool}/{entry}"),
        }
    }
}

crate::values::deserialize_from_str!(Subject);

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Reconcile for Subject {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.to_string())
    }
}

impl Hydrate for Subject {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        s.parse().map_err(|e: crate::values::ValueError| {
            HydrateError::unexpected(e.expected, s.to_owned())
        })
    }
}

/// A proposal and the positions members took on it.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    /// Proposal id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: ProposalId,
    /// Kind of decision.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: DecisionKind,
    /// Short title.
    pub title: String,
    /// Full text.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub text: Prose,
    /// Member that proposed it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub author: MemberId,
    /// When it opened.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    /// After this moment positions no longer count, and the outcome is final.
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub closes_at: Option<Timestamp>,
    /// The rule in force for its kind when it opened.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub rule: Rule,
    /// Members entitled to take a position: the membership when it opened.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub electorate: Vec<MemberId>,
    /// Positions by member id.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, PositionRecord>))]
    pub positions: BTreeMap<MemberId, PositionRecord>,
    /// What the proposal decides: for an allocation the ledger entry (stored `pool/entry`);
    /// for membership the member admitted or removed (stored `admit/<member>`,
    /// `remove/<member>`).
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub subject: Option<Subject>,
    /// For an amendment: what it changes in the charter.
    #[autosurgeon(missing = "Default::default")]
    pub amendment: Option<Amendment>,
    /// A poll among options, decided by members' ballots rather than positions (fixed when
    /// it opens).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<PollSpec>,
    /// Members' ballots in its poll, by member id (each member writes its own).
    #[autosurgeon(
        missing = "Default::default",
        with = "autosurgeon::map_with_parseable_keys"
    )]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, BallotRecord>))]
    pub ballots: BTreeMap<MemberId, BallotRecord>,
    /// The charter's weights for its kind when it opened, of its electorate's members that
    /// weigh other than one (`charter::Weights`); its poll counts each ballot that many
    /// times.
    #[autosurgeon(
        missing = "Default::default",
        with = "autosurgeon::map_with_parseable_keys"
    )]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, u32>))]
    pub weights: BTreeMap<MemberId, u32>,
    /// For a link proposal: the link's terms (fixed when it opens).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<super::LinkTerms>,
    /// For a general proposal: the call it answers (the id of a call statement received from
    /// a coalition this one is an affiliate of, 64 hex digits; fixed when it opens). Its
    /// outcome is this coalition's mandate position on that call (`statements::Topic::Mandate`),
    /// which members' nodes then draft and co-sign on their own.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

/// What judging a ballot reads of its poll's proposal, on receipt and in the member's own
/// edit alike: not its text, positions nor ballots (the rest of the record need not read).
#[derive(Debug, Hydrate)]
pub(crate) struct PollRead {
    #[autosurgeon(missing = "Default::default")]
    pub(crate) poll: Option<PollSpec>,
    pub(crate) electorate: Vec<MemberId>,
    #[autosurgeon(missing = "Default::default")]
    pub(crate) closes_at: Option<Timestamp>,
    #[autosurgeon(
        missing = "Default::default",
        with = "autosurgeon::map_with_parseable_keys"
    )]
    pub(crate) weights: BTreeMap<MemberId, u32>,
}

impl PollRead {
    /// As [`Proposal::weight_of`].
    pub(crate) fn weight_of(&self, member: &str) -> u64 {
        self.weights.get(member).map_or(1, |w| u64::from(*w))
    }
}

impl Proposal {
    /// What `member`'s ballot weighs in this proposal's poll.
    pub fn weight_of(&self, member: &MemberId) -> u64 {
        self.weights.get(member).map_or(1, |w| u64::from(*w))
    }
}

/// A proposal's poll: how it is counted and the options it asks about.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PollSpec {
    /// How it is counted (`choose:1-2`, `ranked`, `stv:2:meek`, `time`, `budget:SHARE`...).
    #[autosurgeon(with = "text_of")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub method: PollMethod,
    /// The options (wordings, candidates, times, requests), in order: a ballot names them by
    /// their place, from 0.
    pub options: Vec<String>,
    /// For a budget: each request's ask, in the options' order.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub asks: Vec<Amount>,
    /// For a poll over the issue inventory (`dots` or `score`): the issue each option stands
    /// for, in the options' order; its result becomes the inventory's priority
    /// (`reports::inventory_priority_of`).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub issues: Vec<IssueId>,
    /// For an allocation decided by a budget poll (`allocation=budget`): the pool whose
    /// requests its options are.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub pool: Option<PoolId>,
    /// With `pool`: the request (ledger entry) each option stands for, in the options'
    /// order; those its count funds are allocated (`reports::funds_of`).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub requests: Vec<EntryId>,
    /// For an election of role holders (a `role` decision): the role it fills.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub role: Option<crate::values::RoleName>,
    /// With `role`: the member each option stands for, in the options' order (each a member
    /// in force when it opens); those it elects hold the role (`reports::elections_of`).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub candidates: Vec<MemberId>,
}

/// What is wrong with a proposal of `kind` carrying `poll`, if anything (beyond its method's
/// fit to its options, `poll::spec_problem`): a general question may be any poll but stands
/// over no requests; an allocation may be a budget over a pool's requests (under the charter's
/// `allocation=budget`), one option per request and none twice, ranking no issues; a role
/// election is an stv, ranked or condorcet poll naming its role, one option per candidate
/// member and none twice; no other kind is decided by a poll. Whether the requests are there
/// and the candidates members in force is the document's to say.
pub fn poll_kind_problem(kind: DecisionKind, poll: &PollSpec) -> Option<String> {
    if kind != DecisionKind::Role && (poll.role.is_some() || !poll.candidates.is_empty()) {
        return Some("only a role election names a role and its candidates".into());
    }
    match kind {
        DecisionKind::General if poll.pool.is_some() || !poll.requests.is_empty() => Some(
            "a poll over a pool's requests is an allocation, not a general question".to_owned(),
        ),
        DecisionKind::General => None,
        DecisionKind::Allocation => {
            let Some(pool) = &poll.pool else {
                return Some("an allocation poll names the pool whose requests it funds".into());
            };
            if !matches!(poll.method, PollMethod::Budget { .. }) {
                return Some(format!(
                    "an allocation poll is a budget over the requests of pool {pool}, not {}",
                    poll.method
                ));
            }
            if !poll.issues.is_empty() {
                return Some("an allocation poll ranks no issues".into());
            }
            one_option_each(
                &poll.requests,
                poll.options.len(),
                "an allocation poll",
                "request",
            )
        }
        DecisionKind::Role => {
            let Some(role) = poll.role else {
                return Some("a role election names the role it fills".into());
            };
            if !crate::poll::rule::elects(poll.method) {
                return Some(format!(
                    "an election of {role} is counted by stv, ranked or condorcet, not {}",
                    poll.method
                ));
            }
            if poll.pool.is_some() || !poll.requests.is_empty() || !poll.issues.is_empty() {
                return Some("a role election funds no requests and ranks no issues".into());
            }
            one_option_each(
                &poll.candidates,
                poll.options.len(),
                "a role election",
                "candidate",
            )
        }
        other => Some(format!("a {other} proposal carries no poll")),
    }
}

/// What is wrong with `ids` as what each of a poll's `options` stands for (`poll` and `what`
/// name them in the message): one per option, none twice.
fn one_option_each<T: Ord + std::fmt::Display>(
    ids: &[T],
    options: usize,
    poll: &str,
    what: &str,
) -> Option<String> {
    if ids.len() != options {
        return Some(format!(
            "{poll} has one option per {what}: {options} options, {} {what}s",
            ids.len()
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    ids.iter()
        .find(|i| !seen.insert(*i))
        .map(|twice| format!("{what} {twice} is listed twice"))
}

/// The options an election or a budget poll lists, as every node writes and checks them (no
/// author words them: an option reading one name while standing for another member would
/// mislead every voter): each `(text, id)` becomes its text, trimmed and within
/// `doc::MAX_SHORT` characters, and where two read alike (`name_as_read`) or one reads as
/// nothing, each of those is followed by the first eight characters of its id.
pub fn option_labels(items: &[(String, &str)]) -> Vec<String> {
    // Trimmed after the cut too, as an option is stored (`doc::short`): a cut landing after a
    // space would otherwise word it otherwise than the node that checks it.
    let cut = |s: &str, n: usize| -> String {
        s.trim()
            .chars()
            .take(n)
            .collect::<String>()
            .trim_end()
            .to_owned()
    };
    let read: Vec<String> = items
        .iter()
        .map(|(t, _)| crate::values::name_as_read(&cut(t, crate::MAX_SHORT)))
        .collect();
    items
        .iter()
        .enumerate()
        .map(|(i, (text, id))| {
            let alike = read[i].is_empty() || read.iter().filter(|r| **r == read[i]).count() > 1;
            if alike {
                let short: String = id.chars().take(8).collect();
                format!("{} ({short})", cut(text, crate::MAX_SHORT - 11))
                    .trim()
                    .to_owned()
            } else {
                cut(text, crate::MAX_SHORT)
            }
        })
        .collect()
}

/// What the document says an election or a budget poll lists: its options (each candidate's
/// name; each request's member's name and reason, `Name: reason`), by [`option_labels`], and a
/// budget's asks (what each request asks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The options, in the poll's order.
    pub options: Vec<String>,
    /// A budget's asks, in the poll's order (none for an election).
    pub asks: Vec<Amount>,
}

/// What an election or a budget poll must list, as the document has its candidates and
/// requests at the change (`in_force`: whether a member is in force; `entries`: the ledger
/// entry stored under each of the poll's requests, in its order; `name`: a member's name),
/// the same for the node that writes it and every node that checks it: `None` for any other
/// poll; `Err` where a candidate is no member in force or a request is not one awaiting a
/// budget poll (written under `allocation=budget`, naming no proposal of its own).
pub fn written(
    poll: &PollSpec,
    in_force: impl Fn(&MemberId) -> bool,
    entries: &[Option<super::LedgerEntry>],
    name: impl Fn(&MemberId) -> Option<String>,
) -> Result<Option<Written>, String> {
    let named = |m: &MemberId| name(m).unwrap_or_else(|| m.to_string());
    if poll.role.is_some() {
        if let Some(m) = poll.candidates.iter().find(|m| !in_force(m)) {
            return Err(format!("candidate {m} is not a member in force"));
        }
        let items: Vec<(String, &str)> = poll
            .candidates
            .iter()
            .map(|m| (named(m), m.as_str()))
            .collect();
        return Ok(Some(Written {
            options: option_labels(&items),
            asks: Vec::new(),
        }));
    }
    if poll.pool.is_none() {
        return Ok(None);
    }
    let mut items = Vec::with_capacity(poll.requests.len());
    let mut asks = Vec::with_capacity(poll.requests.len());
    for (i, request) in poll.requests.iter().enumerate() {
        let Some(e) = entries.get(i).and_then(Option::as_ref) else {
            return Err(format!("request {request} is not in the pool's ledger"));
        };
        if e.kind != crate::values::EntryKind::Request || e.proposal.is_some() {
            return Err(format!(
                "entry {request} is not a request awaiting a budget poll"
            ));
        }
        items.push((
            format!("{}: {}", named(&e.member).trim(), e.note.trim()),
            request.as_str(),
        ));
        asks.push(e.amount);
    }
    Ok(Some(Written {
        options: option_labels(&items),
        asks,
    }))
}

impl PollSpec {
    /// The poll as its count takes it (asks in hundredths).
    pub fn asks_hundredths(&self) -> Vec<u64> {
        self.asks
            .iter()
            .map(|a| u64::try_from(a.hundredths()).unwrap_or(0))
            .collect()
    }
}

/// A member's ballot in a poll.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BallotRecord {
    /// The ballot, stored as text (`rank:2,0,1`...).
    #[autosurgeon(with = "text_of")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub ballot: Ballot,
    /// When it was cast.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
}

/// A value stored as its text (`Display` written, `FromStr` read).
mod text_of {
    use autosurgeon::{HydrateError, Prop, ReadDoc, Reconciler};

    pub(super) fn reconcile<T: std::fmt::Display, R: Reconciler>(
        v: &T,
        mut r: R,
    ) -> Result<(), R::Error> {
        r.str(v.to_string())
    }

    pub(super) fn hydrate<D: ReadDoc, T>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<T, HydrateError>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let s: String = autosurgeon::hydrate_prop(doc, obj, prop)?;
        s.parse()
            .map_err(|e: T::Err| HydrateError::unexpected("its stored text", e.to_string()))
    }
}

/// What an amendment changes in the charter. A passed amendment becomes the next charter
/// version; amendments are deltas, so concurrent ones compose.
#[derive(Debug, Clone, PartialEq, Eq, Default, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Amendment {
    /// A new frame.
    #[autosurgeon(missing = "Default::default")]
    pub frame: Option<String>,
    /// Values to add.
    pub add_values: Vec<String>,
    /// Commitments to add.
    pub add_commitments: Vec<String>,
    /// Decision rules to change.
    pub rules: Vec<RuleChange>,
    /// A new share above which one member is flagged (pools and the power audit).
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub equity_threshold: Option<Fraction>,
    /// Members' weights to change (a weight of one makes a member weigh as others do).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<WeightChange>,
}

/// A member's weight in the polls of one kind of decision, as an amendment sets it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeightChange {
    /// Which kind of decision.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: DecisionKind,
    /// Whose weight.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member: MemberId,
    /// The weight, from 1 to `MAX_WEIGHT`.
    pub weight: u32,
}

impl std::str::FromStr for WeightChange {
    type Err = crate::values::ValueError;
    /// `KIND:MEMBER=WEIGHT`, such as `general:3f2a…=40`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| crate::values::ValueError::new("weight", s, why);
        let shape = "KIND:MEMBER=WEIGHT, such as general:MEMBER=3 (a weight from 1 to 1000000)";
        let Some((kind, rest)) = s.split_once(':') else {
            return Err(bad(shape));
        };
        let Some((member, weight)) = rest.split_once('=') else {
            return Err(bad(shape));
        };
        let kind: DecisionKind = kind.trim().parse()?;
        let member: MemberId = member.trim().parse().map_err(|_| bad(shape))?;
        let weight: u32 = weight
            .trim()
            .parse()
            .ok()
            .filter(|w| (1..=super::charter::MAX_WEIGHT).contains(w))
            .ok_or_else(|| bad(shape))?;
        Ok(Self {
            kind,
            member,
            weight,
        })
    }
}

impl std::fmt::Display for WeightChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}={}", self.kind, self.member, self.weight)
    }
}

impl Amendment {
    /// Whether it changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Amendment::default()
    }
}

/// One decision rule an amendment sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleChange {
    /// Which rule.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: RuleKind,
    /// The new rule; `None` only for admission by invite.
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub rule: Option<Rule>,
}

impl std::str::FromStr for RuleChange {
    type Err = crate::values::ValueError;
    /// `KIND=METHOD[:FRACTION][@QUORUM]`, `general=POLL-METHOD[@QUORUM]` (`general=ranked`,
    /// `general=stv:2@2/3`), or `admission=invite`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((kind, rule)) = s.split_once('=') else {
            return Err(crate::values::ValueError::new(
                "rule change",
                s,
                "KIND=METHOD[:FRACTION][@QUORUM], e.g. amendment=super-majority:2/3@1/2, \
                 general=ranked or admission=invite",
            ));
        };
        let kind: RuleKind = kind.parse()?;
        let rule = match (kind, rule.trim()) {
            (RuleKind::Admission, "invite") => None,
            (_, rule) => Some(rule.parse()?),
        };
        if let Some(why) = rule.and_then(|r| super::rule_problem(kind, &r)) {
            return Err(crate::values::ValueError::new("rule change", s, why));
        }
        Ok(Self { kind, rule })
    }
}

impl std::fmt::Display for RuleChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.rule {
            Some(rule) => write!(f, "{}={rule}", self.kind),
            None => write!(f, "{}=invite", self.kind),
        }
    }
}

/// One member's position on a proposal.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PositionRecord {
    /// Agree, abstain, disagree or block.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stance: Stance,
    /// Why (required for a block).
    pub reason: String,
    /// When it was recorded.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An option is worded as it is stored: cut to `MAX_SHORT` characters and trimmed after
    /// the cut, so the node writing a poll and every node checking it word it alike; alike
    /// or blank ones carry their short id.
    #[test]
    fn options_are_worded_as_they_are_stored() {
        let long = format!("{}  and the rest", "a".repeat(crate::MAX_SHORT - 1));
        let id = "0123456789abcdef0123456789abcdef";
        let labels = option_labels(&[(long, id), ("Fares".into(), id), ("  ".into(), id)]);
        assert_eq!(
            labels[0],
            "a".repeat(crate::MAX_SHORT - 1),
            "no trailing space"
        );
        assert_eq!(labels[1], "Fares");
        assert_eq!(labels[2], "(01234567)");
        let alike = option_labels(&[("Fares".into(), id), (" fares ".into(), "fedcba98")]);
        assert_eq!(alike, ["Fares (01234567)", "fares (fedcba98)"]);
        for l in labels.iter().chain(&alike) {
            assert_eq!(l.trim(), l);
            assert!(l.chars().count() <= crate::MAX_SHORT);
        }
    }
}
