//! The shape of a coalition's Automerge document, as typed Rust values.
//!
//! One Automerge document holds one coalition: charter, members, issues, pools (with their
//! ledgers), proposals and meetings, each record in a map keyed by its id so that concurrent
//! additions on different nodes never collide. These types are hydrated from the document for
//! reading; writes go through [`crate::CoalitionDoc`], which touches only the fields an edit
//! changes so that concurrent edits to different fields merge instead of overwriting each other.
//!
//! The same types serialize to the JSON printed by `--json`; `schema` in the root names the
//! document layout version.

use std::collections::BTreeMap;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

use crate::ids::{CoalitionId, EntryId, GoalId, IssueId, MeetingId, MemberId, PoolId, ProposalId};
use crate::tally::{Method, Rule};
use crate::values::{
    Amount, Day, DecisionKind, EntryKind, Fraction, IssueStatus, MethodName, NodeKey, PoolKind,
    Rank, RuleKind, Stance, Timestamp,
};

/// Version of the document layout written by this code.
pub const SCHEMA_VERSION: u64 = 1;

/// Longer text that several members may edit at once: stored as an Automerge text object so
/// that concurrent edits merge character by character. Reads also accept a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prose(pub String);

impl Prose {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Prose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

impl Serialize for Prose {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Reconcile for Prose {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::TextReconciler;
        let mut t = r.text()?;
        t.update(&self.0)?;
        Ok(())
    }
}

impl Hydrate for Prose {
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Prose(doc.text(obj)?))
    }
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Prose(s.to_owned()))
    }
}

/// A coalition as members read it: the stored document with the governance decisions
/// applied (see [`crate::governance`]). `charter`, `charter_versions`, `members` and
/// `former_members` are the state in force: passed amendments, admissions and removals are
/// derived from the recorded proposals, identically on every node, never written by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coalition {
    /// Layout version, [`SCHEMA_VERSION`].
    pub schema: u64,
    /// The coalition id (also the document id).
    pub id: CoalitionId,
    /// When the coalition was founded.
    pub created_at: Timestamp,
    /// The charter in force.
    pub charter: Charter,
    /// Every ratified charter version, keyed by its number written with 6 digits.
    pub charter_versions: BTreeMap<String, CharterVersion>,
    /// Member organizations in the coalition now, by member id.
    pub members: BTreeMap<MemberId, Member>,
    /// Members that left or were removed, and members awaiting an admission vote, by
    /// member id (derived; not stored).
    pub former_members: BTreeMap<MemberId, Departure>,
    /// The joint issue inventory by issue id.
    pub issues: BTreeMap<IssueId, Issue>,
    /// Resource pools by pool id.
    pub pools: BTreeMap<PoolId, Pool>,
    /// Proposals by proposal id.
    pub proposals: BTreeMap<ProposalId, Proposal>,
    /// Meeting records by meeting id.
    pub meetings: BTreeMap<MeetingId, Meeting>,
    /// Records that could not be read (written before this node checked every value on
    /// receipt, or by a newer version), left out of everything above.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<Unreadable>,
}

/// A record that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unreadable {
    /// Where it is, e.g. `issues/<id>`.
    pub path: String,
    /// Why it does not read.
    pub error: String,
}

/// Reads every record of the map at `key` under the root that reads as a `T`; the others
/// are left out and named in `unreadable`. A map that is missing or not a map reads as empty
/// (and is named too).
pub fn records<D: autosurgeon::ReadDoc, K: std::str::FromStr + Ord, T: Hydrate>(
    doc: &D,
    key: &str,
    unreadable: &mut Vec<Unreadable>,
) -> BTreeMap<K, T>
where
    K::Err: std::fmt::Display,
{
    let mut out = BTreeMap::new();
    let obj = match doc.get(&automerge::ROOT, key) {
        Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) => obj,
        _ => {
            unreadable.push(Unreadable {
                path: key.to_owned(),
                error: "not a map of records".into(),
            });
            return out;
        }
    };
    let ids: Vec<String> = doc.map_range(&obj, ..).map(|i| i.key.to_string()).collect();
    for id in ids {
        let read = id.parse::<K>().map_err(|e| e.to_string()).and_then(|k| {
            autosurgeon::hydrate_prop::<_, T, _, _>(doc, &obj, id.as_str())
                .map(|record| (k, record))
                .map_err(|e| e.to_string())
        });
        match read {
            Ok((k, record)) => {
                out.insert(k, record);
            }
            Err(error) => unreadable.push(Unreadable {
                path: format!("{key}/{id}"),
                error,
            }),
        }
    }
    out
}

/// Reads the one record `id` of the map at `key` under the root: `None` if there is none,
/// an error naming what does not read if it does not read as a `T`.
pub fn record<D: autosurgeon::ReadDoc, T: Hydrate>(
    doc: &D,
    key: &str,
    id: &str,
) -> Result<Option<T>, Unreadable> {
    let unreadable = |error: String| Unreadable {
        path: format!("{key}/{id}"),
        error,
    };
    let obj = match doc.get(&automerge::ROOT, key) {
        Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) => obj,
        _ => return Ok(None),
    };
    if doc
        .get(&obj, id)
        .map_err(|e| unreadable(e.to_string()))?
        .is_none()
    {
        return Ok(None);
    }
    autosurgeon::hydrate_prop::<_, T, _, _>(doc, &obj, id)
        .map(Some)
        .map_err(|e| unreadable(e.to_string()))
}

impl Coalition {
    /// Reads a coalition as stored (before governance is applied): the root and charter must
    /// read; a record of any collection that does not read is left out and named in
    /// [`Coalition::unreadable`], so one bad record never makes the whole coalition
    /// unreadable.
    pub fn read_stored<D: autosurgeon::ReadDoc>(doc: &D) -> Result<Self, HydrateError> {
        use autosurgeon::hydrate_prop as root;
        let mut unreadable = Vec::new();
        Ok(Self {
            schema: root(doc, automerge::ROOT, "schema")?,
            id: root(doc, automerge::ROOT, "id")?,
            created_at: root(doc, automerge::ROOT, "created_at")?,
            charter: root(doc, automerge::ROOT, "charter")?,
            charter_versions: records(doc, "charter_versions", &mut unreadable),
            members: records(doc, "members", &mut unreadable),
            former_members: BTreeMap::new(),
            issues: records(doc, "issues", &mut unreadable),
            pools: records(doc, "pools", &mut unreadable),
            proposals: records(doc, "proposals", &mut unreadable),
            meetings: records(doc, "meetings", &mut unreadable),
            unreadable,
        })
    }
}

/// Why a member record is not a member in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DepartureStatus {
    /// It left (it wrote `left_at`).
    Left,
    /// A passed membership proposal removed it.
    Removed,
    /// Awaiting its admission vote.
    Pending,
}

impl DepartureStatus {
    /// The name printed and in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Left => "left",
            Self::Removed => "removed",
            Self::Pending => "pending",
        }
    }
}

impl std::fmt::Display for DepartureStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// A member record that is not (or not yet) a member in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Departure {
    /// The member's record.
    #[serde(flatten)]
    pub member: Member,
    /// Left, removed, or pending (awaiting its admission vote).
    pub status: DepartureStatus,
    /// The proposal that removed it, or that decides its admission.
    pub proposal: Option<ProposalId>,
    /// When it left or was removed.
    pub since: Option<Timestamp>,
}

impl Hydrate for Departure {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        _doc: &D,
        _obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Err(HydrateError::unexpected(
            "nothing: departures are derived, not stored",
            "a stored departure".to_owned(),
        ))
    }
}

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
        }
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
        }
    }

    /// Applies one rule change; only admission may become `None` (by invite).
    pub fn set(&mut self, change: &RuleChange) {
        let slot = match change.kind {
            RuleKind::Admission => {
                self.admission = change.rule;
                return;
            }
            RuleKind::Amendment => &mut self.amendment,
            RuleKind::Membership => &mut self.membership,
            RuleKind::Allocation => &mut self.allocation,
            RuleKind::PublicStatement => &mut self.public_statement,
            RuleKind::General => &mut self.general,
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
        }
    }
}

#[derive(Reconcile, Hydrate)]
struct RuleRecord {
    method: MethodName,
    #[autosurgeon(missing = "Default::default")]
    fraction: Option<Fraction>,
    quorum: Fraction,
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
}

/// A shared goal with a measurable benchmark.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Goal {
    /// Goal id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: GoalId,
    /// What the coalition wants.
    pub title: String,
    /// The benchmark's target figure.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target: Amount,
    /// Unit of the target (percent, households, USD...).
    pub unit: String,
    /// Dated progress entries, oldest first.
    pub progress: Vec<Progress>,
    /// Member that added the goal.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub added_by: MemberId,
}

/// A dated measurement of progress towards a goal.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    /// Day of the measurement.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub day: Day,
    /// The figure reached.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub value: Amount,
    /// How it was measured.
    pub note: String,
    /// Member that recorded it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: MemberId,
}

/// A member organization.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    /// Member id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: MemberId,
    /// Organization name.
    pub name: String,
    /// Communities the organization represents.
    pub communities: Vec<String>,
    /// Languages it works in.
    pub languages: Vec<String>,
    /// Accessibility needs to plan for.
    pub accessibility: Vec<String>,
    /// How to reach it.
    pub contact: String,
    /// Keys of the nodes that act for it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub keys: Vec<NodeKey>,
    /// When it joined.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub joined_at: Timestamp,
    /// When it left the coalition (written by the member itself).
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub left_at: Option<Timestamp>,
    /// Under an admission rule that is a vote: the membership proposal that decides it.
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub admission: Option<ProposalId>,
    /// Other members' node keys this member's node found writing two histories (checked
    /// evidence of a fork, see `sync::forks`). A key flagged by two members in force other
    /// than its own is refused from then on: see [`crate::governance::InForce::flagged`].
    #[autosurgeon(missing = "Default::default")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub flagged: Vec<NodeKey>,
}

/// An issue in the joint inventory.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Issue {
    /// Issue id.
    pub id: IssueId,
    /// Short title.
    pub title: String,
    /// Longer description.
    pub description: Prose,
    /// Member that raised it.
    pub raised_by: MemberId,
    /// Lead member (often the most affected community).
    pub lead: MemberId,
    /// Identity tags it touches.
    pub tags: Vec<String>,
    /// Evidence supporting it.
    pub evidence: Vec<Evidence>,
    /// Where it stands.
    pub status: IssueStatus,
    /// Each sharing member's priority rank (1 highest), by member id.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub ranks: BTreeMap<MemberId, Rank>,
    /// When it was raised.
    pub created_at: Timestamp,
}

/// One piece of evidence for an issue.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Evidence {
    /// Where it comes from.
    pub source: String,
    /// The figure or finding.
    pub figure: String,
    /// How the data is disaggregated (by race, gender, language...).
    pub disaggregation: String,
    /// Member that added it.
    pub added_by: MemberId,
}

/// A resource pool with its append-only ledger.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Pool {
    /// Pool id.
    pub id: PoolId,
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: PoolKind,
    /// Unit of its amounts (USD, hours, rooms...).
    pub unit: String,
    /// What it is for.
    pub description: Prose,
    /// Member that created it.
    pub created_by: MemberId,
    /// When it was created.
    pub created_at: Timestamp,
    /// Ledger entries by entry id; never modified once written.
    #[autosurgeon(with = "autosurgeon::map_with_parseable_keys")]
    pub ledger: BTreeMap<EntryId, LedgerEntry>,
}

/// An entry in a pool's ledger.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Entry id.
    pub id: EntryId,
    /// Pledge, contribution or request.
    pub kind: EntryKind,
    /// The member giving (pledge, contribution) or asking to receive (request).
    pub member: MemberId,
    /// How much.
    pub amount: Amount,
    /// Why, or a note.
    pub note: String,
    /// When it was written.
    pub at: Timestamp,
    /// For a request, the allocation proposal that decides it.
    #[autosurgeon(missing = "Default::default")]
    pub proposal: Option<ProposalId>,
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
    /// `KIND=METHOD[:FRACTION][@QUORUM]`, or `admission=invite`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((kind, rule)) = s.split_once('=') else {
            return Err(crate::values::ValueError::new(
                "rule change",
                s,
                "KIND=METHOD[:FRACTION][@QUORUM], e.g. amendment=super-majority:2/3@1/2 or \
                 admission=invite",
            ));
        };
        let kind: RuleKind = kind.parse()?;
        let rule = match (kind, rule.trim()) {
            (RuleKind::Admission, "invite") => None,
            (_, rule) => Some(rule.parse()?),
        };
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

/// The record of a meeting.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Meeting {
    /// Meeting id.
    pub id: MeetingId,
    /// The day it was held.
    pub day: Day,
    /// Member that facilitated.
    pub facilitator: MemberId,
    /// Members present.
    pub attendance: Vec<MemberId>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: Prose,
    /// Proposals decided or discussed.
    pub decisions: Vec<ProposalId>,
    /// Member that recorded it.
    pub recorded_by: MemberId,
}
