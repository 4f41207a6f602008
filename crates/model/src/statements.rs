//! Statements of a coalition's own records (issue 20): the facts it publishes to a linked
//! coalition, built the same way on every member's node from the document at the heads the
//! statement names, so that a node co-signs only what it computes itself from its own copy.
//!
//! A statement names its topic through its value (the roster; an issue, a pool's period, a
//! goal or a decision, by id) and the moment it speaks of (`as_of`, whole seconds, as the
//! governance is judged): [`statement_at`] builds it from the document forked at the stated
//! heads and read at that moment; [`recompute`] takes another node's draft, builds the same
//! statement from this node's copy and says whether the bytes are the same, and if not what
//! differs, with both values (logged by whoever refuses to co-sign). It checks what the draft
//! states besides its value too ([`Expected`]): the roster in force, the statement it follows
//! on its subject (sequence one more, superseding it, no older, at heads that hold its heads),
//! and a time no earlier than its heads and not in the future, so a drafter cannot date a
//! roster before a removal, replay old facts as new or report a decision before it closes. A
//! node that does not hold the stated heads yet says so ([`BuildError::NotYet`]): it co-signs
//! once they arrive. Every text is made one a statement may hold (`federation::clean_short`...)
//! the same way on every node.
//!
//! Cost: each statement built or checked forks the document at its heads and reads it whole.

use automerge::ChangeHash;
use federation::{
    Counts, DecisionFacts, EvidenceFacts, GoalProgress, IssueFacts, Kind, Mark, PoolTotals, Roster,
    RosterMember, Statement, StatementError, Value, clean_long, clean_short, clean_tag,
};

use crate::doc::CoalitionDoc;
use crate::error::DocError;
use crate::governance::InForce;
use crate::ids::{GoalId, IssueId, PoolId, ProposalId};
use crate::reports::{Funding, funds, proposal_tally};
use crate::schema::Coalition;
use crate::values::{EntryKind, Timestamp};

/// Whether `key` is a statement id as the layout keys drafts and co-signatures: 64 lowercase
/// hex digits.
pub fn is_id(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A draft as stored in its member's record (`members/<member>/statements/<id>`).
#[derive(Debug, Clone, autosurgeon::Hydrate, autosurgeon::Reconcile)]
pub(crate) struct DraftRecord {
    pub(crate) body: autosurgeon::bytes::ByteVec,
    pub(crate) at: Timestamp,
}

/// A co-signature as stored in its member's record (`members/<member>/cosigns/<id>`).
#[derive(Debug, Clone, autosurgeon::Hydrate, autosurgeon::Reconcile)]
pub(crate) struct CosignRecord {
    pub(crate) key: crate::values::NodeKey,
    pub(crate) signature: autosurgeon::bytes::ByteArray<64>,
    pub(crate) at: Timestamp,
}

/// A statement drafted in this coalition, with who drafted it and the co-signatures it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Its id.
    pub id: federation::StatementId,
    /// The statement.
    pub statement: Statement,
    /// Its canonical bytes, as drafted.
    pub body: Vec<u8>,
    /// Who drafted it.
    pub drafted_by: crate::ids::MemberId,
    /// When (its change's stated time).
    pub at: Timestamp,
    /// Each member's co-signatures that verify, by member (one per node key of its that
    /// signed).
    pub cosigns: std::collections::BTreeMap<crate::ids::MemberId, Vec<federation::Cosign>>,
}

impl Draft {
    /// The statement with its co-signatures, as it travels.
    pub fn signed(&self) -> federation::Signed {
        let mut cosigns: Vec<federation::Cosign> =
            self.cosigns.values().flatten().cloned().collect();
        cosigns.sort_by_key(|c| c.key);
        cosigns.dedup_by_key(|c| c.key);
        // As many as a signed statement holds (a roster has fewer members).
        cosigns.truncate(federation::MAX_SIGNATURES);
        federation::Signed {
            body: self.body.clone(),
            cosigns,
        }
    }
}

/// Every statement of this coalition drafted in it, with every co-signature that verifies, by
/// id (a draft that does not read is left out, and a co-signature that does not verify). Each
/// co-signature is by the node key that wrote it into its member's record (the rules on
/// receipt hold to that), whatever became of the key or the member since: which keys count is
/// the roster's business, as a receiver judges it, so no later change withdraws a signature.
pub fn drafts(
    coalition: &CoalitionDoc,
) -> std::collections::BTreeMap<federation::StatementId, Draft> {
    use automerge::ReadDoc;
    use autosurgeon::Hydrate;
    let own = coalition.id().to_bytes();
    let doc = coalition.automerge();
    let mut out = std::collections::BTreeMap::new();
    for (by, maps) in crate::owned::member_maps(doc, "statements") {
        for map in maps {
            for key in doc.keys(&map) {
                let Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) =
                    doc.get(&map, key.as_str())
                else {
                    continue;
                };
                let Ok(d) = DraftRecord::hydrate_map(doc, &obj) else {
                    continue;
                };
                let Ok(statement) = Statement::decode(&d.body) else {
                    continue;
                };
                if statement.coalition != own {
                    continue;
                }
                let id = federation::StatementId::of(&d.body);
                if id.hex() != key {
                    continue;
                }
                out.entry(id).or_insert(Draft {
                    id,
                    statement,
                    body: d.body.to_vec(),
                    drafted_by: by.clone(),
                    at: d.at,
                    cosigns: Default::default(),
                });
            }
        }
    }
    for (by, maps) in crate::owned::member_maps(doc, "cosigns") {
        for map in maps {
            for key in doc.keys(&map) {
                let Ok(id) = federation::StatementId::from_hex(&key) else {
                    continue;
                };
                let Some(draft) = out.get_mut(&id) else {
                    continue;
                };
                // Every value at the key: one written beside another cannot hide it.
                for (value, obj) in doc.get_all(&map, key.as_str()).unwrap_or_default() {
                    if !matches!(value, automerge::Value::Object(automerge::ObjType::Map)) {
                        continue;
                    }
                    let Ok(c) = CosignRecord::hydrate_map(doc, &obj) else {
                        continue;
                    };
                    let cosign = federation::Cosign {
                        key: *c.key.as_bytes(),
                        signature: *c.signature,
                    };
                    if !cosign.verifies(&id) {
                        continue;
                    }
                    let held = draft.cosigns.entry(by.clone()).or_default();
                    if !held.iter().any(|h| h.key == cosign.key) {
                        held.push(cosign);
                    }
                }
            }
        }
    }
    out
}

/// The coalition's rosters as a receiver's chain takes them, replayed from the roster drafts:
/// of the version-1 rosters a strict majority of both their own members and the `members` in
/// force signed, the one most members signed (then the lowest id), then at each version, of
/// the drafts that follow the chain with a strict majority of the newest's members, the one
/// most members signed (then the lowest id). A member can draft a roster of its own making and
/// sign it, but it is no first roster until most members in force sign it too. None before a
/// first roster is so signed.
pub fn roster_chain(
    drafts: &std::collections::BTreeMap<federation::StatementId, Draft>,
    members: usize,
) -> Option<federation::RosterChain> {
    let mut first: Vec<&Draft> = Vec::new();
    let mut by_version: std::collections::BTreeMap<u64, Vec<_>> = Default::default();
    for d in drafts.values() {
        if !matches!(d.statement.value, Value::Roster(_)) {
            continue;
        }
        if d.statement.sequence == 1 {
            first.push(d);
        } else {
            by_version
                .entry(d.statement.sequence)
                .or_default()
                .push((d.id, d.signed()));
        }
    }
    // Most members signing first, then by id (drafts are in order of id).
    first.sort_by_key(|d| std::cmp::Reverse(d.cosigns.len()));
    let chain = first
        .iter()
        .filter(|d| d.cosigns.len() > members / 2)
        .find_map(|d| federation::RosterChain::first(&d.signed()).ok())?;
    Some(crate::received::extend_chain(chain, by_version))
}

/// The latest statement on `subject` published: verifying through `chain` with `threshold`
/// (the highest sequence; of two, the lower id), `except` left out. Drafts not signed enough are not published,
/// so a member's own junk draft is never what the next one follows.
pub fn published_latest<'a>(
    drafts: &'a std::collections::BTreeMap<federation::StatementId, Draft>,
    chain: &federation::RosterChain,
    subject: &federation::Subject,
    threshold: federation::Threshold,
    except: Option<&federation::StatementId>,
) -> Option<&'a Draft> {
    latest_verifying(
        drafts
            .values()
            .filter(|d| Some(&d.id) != except && d.statement.subject() == *subject),
        chain,
        threshold,
    )
}

/// Of `drafts` (on one subject), the latest published: verifying through `chain` with
/// `threshold`, latest as receivers take it (`federation::Latest`): the highest sequence,
/// then the lower id. Only drafts up to the one found are verified.
pub fn latest_verifying<'a>(
    drafts: impl IntoIterator<Item = &'a Draft>,
    chain: &federation::RosterChain,
    threshold: federation::Threshold,
) -> Option<&'a Draft> {
    let mut drafts: Vec<&Draft> = drafts.into_iter().collect();
    drafts.sort_by_key(|d| (std::cmp::Reverse(d.statement.sequence), d.id));
    drafts
        .into_iter()
        .find(|d| chain.verify(&d.signed(), threshold).is_ok())
}

/// What this coalition publishes on a link with `terms`, replayed from its drafts through
/// `chain` (see [`roster_chain`]): the chain's rosters, oldest first; every statement of a kind
/// the link publishes (its issues with the link's tags, its goals and pools if it names some)
/// that verifies through the chain with the link's threshold, oldest first; and how many of
/// those kinds do not verify yet (not signed by enough members).
pub fn published_for<'a>(
    drafts: &'a std::collections::BTreeMap<federation::StatementId, Draft>,
    chain: &federation::RosterChain,
    terms: &crate::schema::LinkTerms,
) -> (Vec<&'a Draft>, Vec<&'a Draft>, usize) {
    let threshold = federation::Threshold::clamped(terms.threshold);
    let rosters = chain
        .ids()
        .iter()
        .filter_map(|(_, id)| drafts.get(id))
        .collect();
    let (mut statements, unsigned): (Vec<&Draft>, Vec<&Draft>) = drafts
        .values()
        .filter(|d| {
            !matches!(d.statement.value, Value::Roster(_)) && terms.publishes(&d.statement.value)
        })
        .partition(|d| chain.verify(&d.signed(), threshold).is_ok());
    statements.sort_by_key(|d| (d.statement.as_of, d.id));
    (rosters, statements, unsigned.len())
}

/// What a statement of this coalition's records is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topic {
    /// The members in force and their node keys.
    Roster,
    /// An issue of the inventory.
    Issue(IssueId),
    /// A pool's totals over a period (`from` included, `to` excluded).
    Pool {
        /// The pool.
        pool: PoolId,
        /// The period's start.
        from: Timestamp,
        /// The period's end.
        to: Timestamp,
    },
    /// A shared goal's progress.
    Goal(GoalId),
    /// A decision.
    Decision(ProposalId),
    /// A call to affiliates to decide their position on one of this coalition's proposals
    /// (published to affiliates only).
    Call(ProposalId),
    /// This coalition's position on a call it received from a coalition it is an affiliate
    /// of, as its own proposal decided it.
    Mandate {
        /// The call statement answered (received here).
        call: federation::StatementId,
        /// The calling coalition's proposal the call asks about.
        question: federation::RecordId,
        /// The calling coalition.
        caller: federation::RecordId,
        /// This coalition's proposal that decided its position.
        proposal: ProposalId,
    },
}

impl Topic {
    /// What a statement of it about coalition `coalition` is the subject of (as
    /// `Statement::subject` reads it from the value).
    pub fn subject(&self, coalition: federation::RecordId) -> federation::Subject {
        use federation::Kind;
        let (kind, record, within) = match self {
            Topic::Roster => (Kind::Roster, [0; 16], [0; 16]),
            Topic::Issue(i) => (Kind::Issue, i.to_bytes(), [0; 16]),
            Topic::Goal(g) => (Kind::Goal, g.to_bytes(), [0; 16]),
            Topic::Decision(p) => (Kind::Decision, p.to_bytes(), [0; 16]),
            Topic::Call(p) => (Kind::Call, p.to_bytes(), [0; 16]),
            Topic::Mandate {
                question, caller, ..
            } => (Kind::Mandate, *question, *caller),
            Topic::Pool { pool, from, to } => (
                Kind::Pool,
                pool.to_bytes(),
                federation::period(from.as_millis(), to.as_millis()),
            ),
        };
        federation::Subject {
            coalition,
            kind,
            record,
            within,
        }
    }
}

/// What a statement states besides its value: when, under which roster, where among the
/// statements on its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stated {
    /// The moment it speaks of.
    pub as_of: Timestamp,
    /// The version of the roster whose members sign it (for a roster, the one before it).
    pub roster: u64,
    /// Its sequence on its subject (a roster's version).
    pub sequence: u64,
    /// The statement on the same subject it replaces.
    pub supersedes: Option<[u8; 32]>,
}

/// What a node expects of a draft besides its value, from what its coalition published before
/// (the publishing side's records of its statements).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The node's clock now.
    pub now: Timestamp,
    /// The version of the coalition's roster in force (the last one published; for the first
    /// roster, 0).
    pub roster: u64,
    /// The statement on the same subject it follows, if any (for a roster, the last roster).
    pub previous: Option<&'a federation::Statement>,
}

/// How far ahead of a node's clock a draft may be dated: clocks differ.
pub const MAX_AHEAD: i64 = 10 * 60 * 1000;

/// Why a statement could not be built, or a draft is not what this node computes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// This node does not hold every head the statement names yet.
    #[error("this node does not hold {missing} of the changes the statement was computed at yet")]
    NotYet {
        /// How many heads it lacks.
        missing: usize,
    },
    /// The record the statement is about is not in the document at those heads.
    #[error("there is no {kind} {id} in the coalition at the stated heads")]
    NoSuchRecord {
        /// Its kind.
        kind: Kind,
        /// Its id as given.
        id: String,
    },
    /// A kind this coalition does not build from its records (yet).
    #[error("a {0} statement is not built from a coalition's own records")]
    NotBuilt(Kind),
    /// Another coalition's statement.
    #[error("the statement is coalition {found}'s, not this coalition's ({own})")]
    OtherCoalition {
        /// This coalition.
        own: String,
        /// The statement's, hex.
        found: String,
    },
    /// The governance does not read at the stated heads.
    #[error("the coalition's governance does not read at the stated heads: {0}")]
    Governance(String),
    /// The document does not read.
    #[error("the coalition does not read at the stated heads: {0}")]
    Read(#[from] DocError),
    /// What was built breaks a rule of the statement format (more members than a roster
    /// holds...).
    #[error(transparent)]
    Statement(#[from] StatementError),
    /// The draft's value is not what this node computes.
    #[error("this node computes another {what} from its own copy of the records: {detail}")]
    Differs {
        /// What differs.
        what: &'static str,
        /// The first field that differs, with the draft's value and this node's.
        detail: String,
    },
    /// What the draft states besides its value is not what this node expects.
    #[error("the draft {0}")]
    Unexpected(String),
}

/// The statement of `topic` this coalition's document makes at `heads`, as `stated`.
pub fn statement_at(
    doc: &mut CoalitionDoc,
    heads: &[ChangeHash],
    topic: &Topic,
    stated: Stated,
) -> Result<Statement, BuildError> {
    statement_of(&mut fork(doc, heads)?, topic, stated)
}

/// `doc` as it was at `heads` (all of which it must hold).
fn fork(doc: &mut CoalitionDoc, heads: &[ChangeHash]) -> Result<CoalitionDoc, BuildError> {
    let missing = heads
        .iter()
        .filter(|h| automerge::ReadDoc::get_change_by_hash(doc.automerge(), h).is_none())
        .count();
    if missing > 0 {
        return Err(BuildError::NotYet { missing });
    }
    let at = doc.automerge_mut().fork_at(heads).map_err(DocError::from)?;
    Ok(CoalitionDoc::from_automerge(at)?)
}

/// The statement of `topic` the document makes as it is now (at its own heads), as `stated`:
/// [`statement_at`] its heads, without a copy.
pub fn statement_of(
    at: &mut CoalitionDoc,
    topic: &Topic,
    stated: Stated,
) -> Result<Statement, BuildError> {
    let heads = at.heads();
    let as_of = Timestamp::from_secs(stated.as_of.as_secs());
    let read = at.read_at(as_of)?;
    let gov = at
        .in_force(as_of)
        .map_err(|e| BuildError::Governance(e.to_string()))?;
    let priority = match topic {
        Topic::Issue(_) => crate::reports::inventory_priority_of(
            &at.headers::<crate::records::ProposalHeader>(),
            |id| Ok::<_, std::convert::Infallible>(read.proposals.get(id).cloned()),
            as_of,
        )
        .unwrap_or_else(|never| match never {}),
        _ => None,
    };
    let value = match topic {
        Topic::Mandate {
            call,
            question,
            caller,
            proposal,
        } => {
            // The call must be one this coalition received and takes, verifying as of then.
            let links = crate::reports::links(read.proposals.values(), as_of);
            let received = crate::received::received(at);
            let linked = crate::received::from_linked(&read.id, &received, &links);
            let found = linked
                .get(&crate::ids::CoalitionId::from_bytes(*caller))
                .and_then(|l| l.verified.iter().find(|v| v.id == *call))
                .map(|v| &v.statement.value);
            let Some(Value::Call(c)) = found else {
                return Err(BuildError::NoSuchRecord {
                    kind: Kind::Call,
                    id: call.hex(),
                });
            };
            if c.proposal != *question {
                return Err(BuildError::Unexpected(format!(
                    "answers call {}, which asks about another proposal",
                    call.short()
                )));
            }
            mandate_of(&read, *call, c, *caller, proposal, as_of)?
        }
        _ => {
            // Who was asked is judged by the links as they were at the question's close.
            let asked = match topic {
                Topic::Decision(id) => read
                    .proposals
                    .get(id)
                    .and_then(|p| asked_of(at, &read, gov.members.len(), Some(p), as_of)),
                _ => None,
            };
            value_of(&read, &gov, priority.as_ref(), asked.as_ref(), topic, as_of)?
        }
    };
    let mut sorted: Vec<[u8; 32]> = heads.iter().map(|h| h.0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let statement = Statement {
        format: federation::FORMAT,
        coalition: read.id.to_bytes(),
        roster: stated.roster,
        as_of: as_of.as_millis(),
        heads: sorted,
        sequence: stated.sequence,
        supersedes: stated.supersedes,
        value,
    };
    statement.check()?;
    Ok(statement)
}

/// Whether `draft` (another node's, of this coalition) is exactly what this node computes
/// from its own copy at the heads it names, and states what `expected` says it should.
pub fn recompute(
    doc: &mut CoalitionDoc,
    draft: &Statement,
    expected: Expected<'_>,
) -> Result<(), BuildError> {
    if draft.coalition != doc.id().to_bytes() {
        return Err(BuildError::OtherCoalition {
            own: doc.id().to_string(),
            found: hex::encode(draft.coalition),
        });
    }
    let topic = topic_of(draft)?;
    let heads: Vec<ChangeHash> = draft.heads.iter().map(|h| ChangeHash(*h)).collect();
    let stated = Stated {
        as_of: Timestamp::from_millis(draft.as_of),
        roster: draft.roster,
        sequence: draft.sequence,
        supersedes: draft.supersedes,
    };
    let mut at = fork(doc, &heads)?;
    let mine = statement_of(&mut at, &topic, stated)?;
    if mine.value != draft.value {
        let (what, detail) = differs(&mine.value, &draft.value);
        return Err(BuildError::Differs { what, detail });
    }
    if mine != *draft {
        return Err(BuildError::Unexpected(
            "is not dated in whole seconds, or its heads are not in order".into(),
        ));
    }
    check_stated(&at, draft, expected)
}

/// What a statement states besides its value, against what the node expects; `at` is the
/// document at the statement's heads (what [`recompute`] checks after the value).
pub fn check_stated(
    at: &CoalitionDoc,
    draft: &Statement,
    expected: Expected<'_>,
) -> Result<(), BuildError> {
    let at = at.automerge();
    let unexpected = |s: String| Err(BuildError::Unexpected(s));
    if draft.roster != expected.roster {
        return unexpected(format!(
            "is signed under roster {}, but the roster in force is {}",
            draft.roster, expected.roster
        ));
    }
    if draft.as_of > expected.now.as_millis().saturating_add(MAX_AHEAD) {
        return unexpected(format!(
            "is dated {}, later than now ({})",
            Timestamp::from_millis(draft.as_of),
            expected.now
        ));
    }
    // Its heads' own newest time: a statement speaks of what they hold, not of before.
    let moment = crate::governance::latest_moment(at);
    if draft.as_of < moment.as_millis() - moment.as_millis().rem_euclid(1000) {
        return unexpected(format!(
            "is dated {}, before the changes it was computed at ({moment})",
            Timestamp::from_millis(draft.as_of)
        ));
    }
    match expected.previous {
        None => {
            if draft.sequence != 1 || draft.supersedes.is_some() {
                return unexpected(format!(
                    "is number {} on its subject, which has none before it",
                    draft.sequence
                ));
            }
        }
        Some(before) => {
            let id = federation::Signed::new(before)?.id();
            if before.sequence.checked_add(1) != Some(draft.sequence)
                || draft.supersedes != Some(id.0)
            {
                return unexpected(format!(
                    "does not follow statement {} (number {}) on its subject",
                    id.short(),
                    before.sequence
                ));
            }
            if draft.as_of < before.as_of {
                return unexpected("is dated before the statement it follows".into());
            }
            let missing = before
                .heads
                .iter()
                .filter(|h| automerge::ReadDoc::get_change_by_hash(at, &ChangeHash(**h)).is_none())
                .count();
            if missing > 0 {
                return unexpected(
                    "was computed at heads that do not hold what the statement it follows was \
                     computed at"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

/// The topic a statement of this coalition's records speaks of.
pub fn topic_of(s: &Statement) -> Result<Topic, BuildError> {
    Ok(match &s.value {
        Value::Roster(_) => Topic::Roster,
        Value::Issue(i) => Topic::Issue(IssueId::from_bytes(i.issue)),
        Value::Pool(p) => Topic::Pool {
            pool: PoolId::from_bytes(p.pool),
            from: Timestamp::from_millis(p.from),
            to: Timestamp::from_millis(p.to),
        },
        Value::Goal(g) => Topic::Goal(GoalId::from_bytes(g.goal)),
        Value::Decision(d) => Topic::Decision(ProposalId::from_bytes(d.proposal)),
        Value::Call(c) => Topic::Call(ProposalId::from_bytes(c.proposal)),
        Value::Mandate(m) => Topic::Mandate {
            call: federation::StatementId(m.call),
            question: m.question,
            caller: m.caller,
            proposal: ProposalId::from_bytes(m.proposal),
        },
    })
}

/// Which part of two values of one topic differs, and the first field that does with both
/// values (clipped), for the log.
fn differs(mine: &Value, theirs: &Value) -> (&'static str, String) {
    let what = match mine {
        Value::Roster(_) => "roster",
        Value::Issue(_) => "issue",
        Value::Pool(_) => "pool's totals",
        Value::Goal(_) => "goal's progress",
        Value::Decision(_) => "decision",
        Value::Call(_) => "call",
        Value::Mandate(_) => "mandate position",
    };
    let json = |v: &Value| serde_json::to_value(v).unwrap_or_default();
    let (mine, theirs) = (json(mine), json(theirs));
    let fields = |v: &serde_json::Value| {
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(|inner| inner.as_object().cloned())
            .unwrap_or_default()
    };
    let (m, t) = (fields(&mine), fields(&theirs));
    let clip = |v: Option<&serde_json::Value>| {
        let s = v.map_or_else(|| "nothing".to_owned(), |v| v.to_string());
        let short: String = s.chars().take(120).collect();
        if short.len() < s.len() {
            format!("{short}…")
        } else {
            short
        }
    };
    let detail = m
        .keys()
        .chain(t.keys())
        .find(|k| m.get(*k) != t.get(*k))
        .map_or_else(
            || "another kind of statement".to_owned(),
            |k| {
                format!(
                    "{k} is {} in the draft, {} here",
                    clip(t.get(k)),
                    clip(m.get(k))
                )
            },
        );
    (what, detail)
}

/// What coalition `c` (read from `doc`, with `members` in force) takes from the coalitions
/// linked with it and the calls it published to them, for a count with affiliates on `p` at
/// `now` (as of [`crate::reports::affiliates::Moment::of`]: the links in force at its close,
/// the affiliates' rosters carried in by the time answers stop counting), where one of those
/// links takes mandate positions: `None` where none does, or where no call drafted here names
/// `p` (nothing else is read then). Without `p`, as of `now`, every roster held.
pub fn asked_of(
    doc: &CoalitionDoc,
    c: &Coalition,
    members: usize,
    p: Option<&crate::schema::Proposal>,
    now: Timestamp,
) -> Option<crate::reports::affiliates::Asked> {
    use crate::reports::affiliates::Moment;
    let moment = p.map_or(
        Moment {
            at: now,
            until: None,
        },
        |p| Moment::of(p.closes_at, now),
    );
    let links = crate::reports::links(c.proposals.values(), moment.at);
    asked_with(
        doc,
        &c.id,
        &links,
        members,
        p.map(|p| p.id.to_bytes()),
        moment.until,
    )
}

/// [`asked_of`] under `links` already read (in force at the moment judged), the rosters cut
/// at `until`: `None` where none of `links` takes mandate positions, or where `question` is
/// given and no call drafted in `doc` names it (nothing else is read then).
pub fn asked_with(
    doc: &CoalitionDoc,
    own: &crate::ids::CoalitionId,
    links: &std::collections::BTreeMap<crate::ids::CoalitionId, crate::reports::LinkInForce>,
    members: usize,
    question: Option<[u8; 16]>,
    until: Option<Timestamp>,
) -> Option<crate::reports::affiliates::Asked> {
    if !takes_mandates(links) {
        return None;
    }
    let drafts = drafts(doc);
    if question.is_some_and(|q| !called(&drafts).contains(&q)) {
        return None;
    }
    let chain = roster_chain(&drafts, members);
    let received = crate::received::received(doc);
    asked_from(
        own,
        links,
        received.values(),
        &drafts,
        chain.as_ref(),
        until,
    )
}

/// Whether some link in `links` takes mandate positions (so a count may have affiliates).
fn takes_mandates(
    links: &std::collections::BTreeMap<crate::ids::CoalitionId, crate::reports::LinkInForce>,
) -> bool {
    links.values().any(|l| l.terms.accepts(Kind::Mandate))
}

/// [`asked_of`] from its parts already read: what `own` takes under `links` from what it
/// `received` (of the rosters, only those carried in and dated before `until`, where given:
/// `Received::counted_at`), and the calls its `drafts` (replayed through its own roster
/// `chain`) published on them; `None` where no link takes mandate positions. Only what a
/// count reads is verified: the rosters and mandate positions of coalitions whose links take
/// mandate positions.
pub(crate) fn asked_from<'a>(
    own: &crate::ids::CoalitionId,
    links: &std::collections::BTreeMap<crate::ids::CoalitionId, crate::reports::LinkInForce>,
    received: impl IntoIterator<Item = &'a crate::received::Received>,
    drafts: &std::collections::BTreeMap<federation::StatementId, Draft>,
    chain: Option<&federation::RosterChain>,
    until: Option<Timestamp>,
) -> Option<crate::reports::affiliates::Asked> {
    let links: std::collections::BTreeMap<_, _> = links
        .iter()
        .filter(|(_, l)| l.terms.accepts(Kind::Mandate))
        .map(|(id, l)| (id.clone(), l.clone()))
        .collect();
    if links.is_empty() {
        return None;
    }
    let read: Vec<&crate::received::Received> = received
        .into_iter()
        .filter(|r| {
            let kind = r.statement.value.kind();
            (kind == Kind::Mandate
                || kind == Kind::Roster && until.is_none_or(|until| r.counted_at() < until))
                && links.contains_key(&crate::ids::CoalitionId::from_bytes(r.statement.coalition))
        })
        .collect();
    Some(crate::reports::affiliates::Asked {
        linked: crate::received::from_linked_among(own, &read, &links),
        calls: crate::reports::affiliates::published_calls(drafts, chain, &links),
    })
}

/// The questions `drafts` hold a call on (only these can be counted with affiliates).
pub(crate) fn called(
    drafts: &std::collections::BTreeMap<federation::StatementId, Draft>,
) -> std::collections::BTreeSet<[u8; 16]> {
    drafts
        .values()
        .filter_map(|d| match &d.statement.value {
            Value::Call(c) if c.mandate => Some(c.proposal),
            _ => None,
        })
        .collect()
}

/// The value of `topic` in a whole read of the coalition `c` at `now`, with the governance
/// `gov` in force then and (for an issue) the inventory's `priority` then. A decision its affiliates gave positions on (in
/// `asked`, what it takes from linked coalitions: [`asked_of`]) states its outcome counting
/// them (`reports::affiliates::mandates`): counts with their weights, decided when that
/// count was.
pub fn value_of(
    c: &Coalition,
    gov: &InForce,
    priority: Option<&crate::reports::Priority>,
    asked: Option<&crate::reports::affiliates::Asked>,
    topic: &Topic,
    now: Timestamp,
) -> Result<Value, BuildError> {
    let missing = |kind, id: &str| BuildError::NoSuchRecord {
        kind,
        id: id.to_owned(),
    };
    Ok(match topic {
        Topic::Roster => Value::Roster(roster_of(gov)?),
        Topic::Issue(id) => {
            let i = c
                .issues
                .get(id)
                .ok_or_else(|| missing(Kind::Issue, id.as_str()))?;
            let mut ranks = [0u32; 10];
            for (m, r) in &i.ranks {
                if c.members.contains_key(m) {
                    let at = usize::from(r.get().clamp(1, 10)) - 1;
                    ranks[at] = ranks[at].saturating_add(1);
                }
            }
            let lead = c
                .members
                .get(&i.lead)
                .map(|m| m.name.as_str())
                .unwrap_or("");
            Value::Issue(IssueFacts {
                issue: id.to_bytes(),
                title: clean_short(&i.title),
                description: clean_long(i.description.as_str()),
                tags: i
                    .tags
                    .iter()
                    .take(federation::MAX_LIST)
                    .map(|t| clean_tag(t))
                    .collect(),
                lead: clean_short(lead),
                status: i.status.as_str().to_owned(),
                ranks,
                members: u32::try_from(c.members.len()).unwrap_or(u32::MAX),
                priority: priority.and_then(|p| p.place_of(id)),
                evidence: i
                    .evidence
                    .iter()
                    .take(federation::MAX_LIST)
                    .map(|e| EvidenceFacts {
                        source: clean_short(&e.source),
                        figure: clean_short(&e.figure),
                        disaggregation: clean_short(&e.disaggregation),
                    })
                    .collect(),
            })
        }
        Topic::Pool { pool, from, to } => {
            let p = c
                .pools
                .get(pool)
                .ok_or_else(|| missing(Kind::Pool, pool.as_str()))?;
            let f = funds(c, p, now);
            let within = |t: Timestamp| *from <= t && t < *to;
            let (mut pledged, mut contributed, mut allocated, mut balance) = (0, 0, 0, 0i128);
            for e in p.ledger.values() {
                let amount = i128::from(e.amount.hundredths());
                match e.kind {
                    EntryKind::Pledge if within(e.at) => pledged += amount,
                    EntryKind::Contribution => {
                        if within(e.at) {
                            contributed += amount;
                        }
                        if e.at < *to {
                            balance += amount;
                        }
                    }
                    EntryKind::Request => {
                        if let Some(Funding::Funded { at }) = f.requests.get(&e.id) {
                            if within(*at) {
                                allocated += amount;
                            }
                            if *at < *to {
                                balance -= amount;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Value::Pool(PoolTotals {
                pool: pool.to_bytes(),
                name: clean_short(&p.name),
                kind: p.kind.as_str().to_owned(),
                unit: clean_short(&p.unit),
                from: from.as_millis(),
                to: to.as_millis(),
                pledged,
                contributed,
                allocated,
                balance,
            })
        }
        Topic::Goal(id) => {
            let g = c
                .charter
                .goals
                .get(id)
                .ok_or_else(|| missing(Kind::Goal, id.as_str()))?;
            // The latest day measured; of two on one day, the one recorded last.
            let latest = g
                .progress
                .iter()
                .enumerate()
                .max_by_key(|(i, p)| (p.day, *i))
                .map(|(_, p)| Mark {
                    value: p.value.hundredths(),
                    at: p.day.start().as_millis(),
                });
            Value::Goal(GoalProgress {
                goal: id.to_bytes(),
                title: clean_short(&g.title),
                unit: clean_short(&g.unit),
                target: g.target.hundredths(),
                latest,
            })
        }
        Topic::Decision(id) => {
            let p = c
                .proposals
                .get(id)
                .ok_or_else(|| missing(Kind::Decision, id.as_str()))?;
            let (t, closed_at) = match with_affiliates(asked, c, p, now) {
                Some(counted) => counted,
                None => (proposal_tally(p, now), crate::reports::decided_at(p, now)),
            };
            Value::Decision(DecisionFacts {
                proposal: id.to_bytes(),
                title: clean_short(&p.title),
                kind: p.kind.as_str().to_owned(),
                rule: clean_short(&p.rule.to_string()),
                counts: Counts {
                    agree: t.agree,
                    abstain: t.abstain,
                    disagree: t.disagree,
                    block: t.block,
                },
                outcome: t.outcome.as_str().to_owned(),
                result: clean_long(&poll_words(p)),
                closed_at: closed_at.map(Timestamp::as_millis),
            })
        }
        Topic::Call(id) => {
            let p = c
                .proposals
                .get(id)
                .ok_or_else(|| missing(Kind::Decision, id.as_str()))?;
            let closes_at = p.closes_at.ok_or_else(|| {
                BuildError::Unexpected(format!(
                    "calls on proposal {}, which has no closing time: a call says when \
                     affiliates' positions are counted",
                    id.short()
                ))
            })?;
            if now >= closes_at {
                return Err(call_after_close(closes_at));
            }
            Value::Call(federation::Call {
                proposal: id.to_bytes(),
                title: clean_short(&p.title),
                text: clean_long(p.text.as_str()),
                closes_at: closes_at.as_millis(),
                mandate: true,
            })
        }
        // Built from what the coalition received (`statement_of`).
        Topic::Mandate { .. } => return Err(BuildError::NotBuilt(Kind::Mandate)),
    })
}

/// Why a call on a question that closed at `closes_at` is neither built nor co-signed: it would
/// ask affiliates of a count already closed.
pub fn call_after_close(closes_at: Timestamp) -> BuildError {
    BuildError::Unexpected(format!(
        "calls on a proposal that closed at {closes_at}: a call after the close asks nothing"
    ))
}

/// Proposal `p` of `c` counted with its affiliates' positions (in `asked`) at `now`, where
/// some affiliate was asked (a call of `c` on it published to it): its tally and when it was
/// decided (open until its closing time and `reports::affiliates::ANSWERS_WITHIN`, so a
/// decision on a question put to affiliates is published only once their answers count).
pub fn with_affiliates(
    asked: Option<&crate::reports::affiliates::Asked>,
    c: &Coalition,
    p: &crate::schema::Proposal,
    now: Timestamp,
) -> Option<(crate::tally::Tally, Option<Timestamp>)> {
    let m = crate::reports::affiliates::mandates(asked?, &c.id, p.id.to_bytes(), p, now);
    if m.lines.is_empty() {
        return None;
    }
    Some((m.outcome?, m.decided_at))
}

/// The position `proposal` of coalition `c` gives on `call` (of coalition `caller`), decided by
/// `now`: passed, for; failed (its quorum missed included) or blocked, against.
fn mandate_of(
    c: &Coalition,
    call: federation::StatementId,
    asked: &federation::Call,
    caller: federation::RecordId,
    proposal: &ProposalId,
    now: Timestamp,
) -> Result<Value, BuildError> {
    use crate::tally::Outcome;
    use federation::Position;
    let p = c
        .proposals
        .get(proposal)
        .ok_or_else(|| BuildError::NoSuchRecord {
            kind: Kind::Decision,
            id: proposal.as_str().to_owned(),
        })?;
    // A proposal opened to answer a call answers that call only.
    if p.answers.as_deref().is_some_and(|a| a != call.hex()) {
        return Err(BuildError::Unexpected(format!(
            "answers with proposal {}, which answers another call",
            proposal.short()
        )));
    }
    // Decided by the time the call said positions are counted: a later decision answers
    // nothing.
    if let Some(at) = crate::reports::decided_at(p, now)
        && at.as_millis() > asked.closes_at
    {
        return Err(BuildError::Unexpected(format!(
            "answers with proposal {}, decided after the call closed ({})",
            proposal.short(),
            Timestamp::from_millis(asked.closes_at)
        )));
    }
    let t = proposal_tally(p, now);
    let position = match t.outcome {
        Outcome::Passed => Position::For,
        Outcome::Failed | Outcome::Blocked => Position::Against,
        Outcome::Open => {
            return Err(BuildError::Unexpected(format!(
                "answers with proposal {}, which is not decided yet",
                proposal.short()
            )));
        }
    };
    Ok(Value::Mandate(federation::MandatePosition {
        question: asked.proposal,
        caller,
        call: call.0,
        proposal: proposal.to_bytes(),
        position,
        counts: Counts {
            agree: t.agree,
            abstain: t.abstain,
            disagree: t.disagree,
            block: t.block,
        },
    }))
}

/// The roster of the members in force: their names and node keys (flagged keys left out; of
/// more than `federation::MAX_KEYS`, the lowest).
fn roster_of(gov: &InForce) -> Result<Roster, BuildError> {
    let mut members: Vec<RosterMember> = gov
        .members
        .values()
        .map(|m| {
            let mut keys: Vec<[u8; 32]> = m
                .keys
                .iter()
                .map(|k| *k.as_bytes())
                .filter(|k| !gov.flagged(k))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            keys.truncate(federation::MAX_KEYS);
            RosterMember {
                member: m.id.to_bytes(),
                name: clean_short(&m.name),
                keys,
            }
        })
        .collect();
    // A key two members list (a member may list another's: a known limit of membership) is
    // left out of both: attributed to either, it would sign for the wrong one, and kept in
    // both, the roster would not be one.
    let mut count: std::collections::BTreeMap<[u8; 32], usize> = Default::default();
    for k in members.iter().flat_map(|m| &m.keys) {
        *count.entry(*k).or_default() += 1;
    }
    for m in &mut members {
        m.keys.retain(|k| count.get(k) == Some(&1));
    }
    members.retain(|m| !m.keys.is_empty());
    members.sort_by_key(|m| m.member);
    let roster = Roster { members };
    roster.check()?;
    Ok(roster)
}

/// A poll's result in words: who or what came first, was elected or funded (options by their
/// labels); empty for a proposal that is no poll or has no count yet.
fn poll_words(p: &crate::schema::Proposal) -> String {
    use crate::poll::PollResult;
    let Some(poll) = &p.poll else {
        return String::new();
    };
    let Some(result) = crate::reports::poll_result(p) else {
        return String::new();
    };
    let label = |o: &usize| poll.options.get(*o).map_or("?", String::as_str);
    let list = |os: &[usize]| os.iter().map(label).collect::<Vec<_>>().join("; ");
    let first = |order: &[Vec<usize>]| match order.first() {
        Some(top) if top.len() > 1 => format!("first, tied: {}", list(top)),
        Some(top) => format!("first: {}", list(top)),
        None => String::new(),
    };
    match result {
        PollResult::Choose(t) | PollResult::Dots(t) => first(&t.order),
        PollResult::Score(s) => first(&s.order),
        PollResult::Time(t) => first(&t.order),
        PollResult::Ranked(r) => r.irv.winner.map_or_else(
            || "no winner".to_owned(),
            |w| format!("winner: {}", label(&w)),
        ),
        PollResult::Condorcet(s) => s.winner().map_or_else(
            || "no winner".to_owned(),
            |w| format!("winner: {}", label(&w)),
        ),
        PollResult::Stv(s) => format!("elected: {}", list(&s.elected)),
        PollResult::Budget(b) => format!("funded: {}", list(&b.funded)),
    }
}
