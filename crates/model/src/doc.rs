//! [`CoalitionDoc`]: one coalition's Automerge document and every edit a member can make to it.
//!
//! Every edit is one Automerge change, authored by the node's key (the document's actor id),
//! committed with a message naming the edit and the caller's timestamp. An edit first validates
//! against the current state and writes nothing when it refuses.

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc};
use autosurgeon::reconcile_prop;

use crate::error::{DocError, EditError};
use crate::governance::{Governance, InForce, MAX_FLAGS};
use crate::ids::{
    CoalitionId, EntryId, GoalId, IssueId, MeetingId, MemberId, PoolId, ProposalId, resolve_prefix,
};
use crate::schema::{
    Amendment, Charter, Coalition, Evidence, Goal, Issue, LedgerEntry, Meeting, Member, Pool,
    PositionRecord, Progress, Proposal, Prose, Roles, Rules, SCHEMA_VERSION,
};
use crate::tally::Outcome;
use crate::values::{
    Amount, Day, DecisionKind, EntryKind, Fraction, IssueStatus, NodeKey, PoolKind, Rank, Stance,
    Timestamp, normalize_tag,
};

/// Longest short text (names, titles, units, notes), in characters.
pub const MAX_SHORT: usize = 200;
/// Longest long text (frames, descriptions, minutes), in characters.
pub const MAX_LONG: usize = 20_000;
/// Most entries in a list given in one edit (tags, values, agenda items...).
pub const MAX_LIST: usize = 50;
/// Most members present at one meeting.
pub const MAX_ATTENDANCE: usize = 1000;

/// The message of the change that certifies a device key (read back by
/// [`crate::history::key_activity`]).
pub(crate) const ADD_DEVICE_KEY: &str = "add device key";

fn short(field: &'static str, value: &str) -> Result<String, EditError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(EditError::Empty { field });
    }
    optional_short(field, v)
}

fn optional_short(field: &'static str, value: &str) -> Result<String, EditError> {
    let v = value.trim();
    let len = v.chars().count();
    if len > MAX_SHORT {
        return Err(EditError::TooLong {
            field,
            len,
            max: MAX_SHORT,
        });
    }
    Ok(v.to_owned())
}

fn long(field: &'static str, value: &str) -> Result<String, EditError> {
    let len = value.chars().count();
    if len > MAX_LONG {
        return Err(EditError::TooLong {
            field,
            len,
            max: MAX_LONG,
        });
    }
    Ok(value.trim().to_owned())
}

fn short_list(field: &'static str, items: &[String]) -> Result<Vec<String>, EditError> {
    if items.len() > MAX_LIST {
        return Err(EditError::TooMany {
            field,
            len: items.len(),
            max: MAX_LIST,
        });
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let v = short(field, item)?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

/// A new member organization's profile.
#[derive(Debug, Clone, Default)]
pub struct MemberProfile {
    /// Organization name.
    pub name: String,
    /// Communities it represents.
    pub communities: Vec<String>,
    /// Languages it works in.
    pub languages: Vec<String>,
    /// Accessibility needs.
    pub accessibility: Vec<String>,
    /// How to reach it.
    pub contact: String,
}

impl MemberProfile {
    /// A profile with a name only.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Default::default()
        }
    }
}

/// Changes to a member's own profile; `None` leaves a field as it is, a list replaces the list.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// New organization name.
    pub name: Option<String>,
    /// Communities it represents.
    pub communities: Option<Vec<String>>,
    /// Languages it works in.
    pub languages: Option<Vec<String>>,
    /// Accessibility needs.
    pub accessibility: Option<Vec<String>>,
    /// How to reach it.
    pub contact: Option<String>,
}

/// What a coalition is founded with.
#[derive(Debug, Clone)]
pub struct Founding {
    /// The coalition's id.
    pub id: CoalitionId,
    /// Its name.
    pub name: String,
    /// Its unifying frame.
    pub frame: String,
    /// Core values.
    pub values: Vec<String>,
    /// Non-negotiable commitments.
    pub commitments: Vec<String>,
    /// Share of a pool's allocations above which one member receiving it is flagged
    /// (default one half).
    pub equity_threshold: Option<Fraction>,
    /// The founding member's id.
    pub founder_id: MemberId,
    /// The founding member's profile.
    pub founder: MemberProfile,
    /// When it was founded.
    pub at: Timestamp,
}

impl Founding {
    /// A coalition founded with a name only: no frame, values or commitments yet, the
    /// default equity threshold.
    pub fn new(
        id: CoalitionId,
        name: impl Into<String>,
        founder_id: MemberId,
        founder: MemberProfile,
        at: Timestamp,
    ) -> Self {
        Self {
            id,
            name: name.into(),
            frame: String::new(),
            values: Vec::new(),
            commitments: Vec::new(),
            equity_threshold: None,
            founder_id,
            founder,
            at,
        }
    }
}

/// A new issue.
#[derive(Debug, Clone)]
pub struct NewIssue {
    /// Its id.
    pub id: IssueId,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Identity tags.
    pub tags: Vec<String>,
    /// Lead member (default: the member raising it).
    pub lead: Option<MemberId>,
}

/// Changes to an issue's shared record; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct IssueEdit {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New status.
    pub status: Option<IssueStatus>,
    /// New lead member.
    pub lead: Option<MemberId>,
    /// Tags to add.
    pub add_tags: Vec<String>,
}

/// A new resource pool.
#[derive(Debug, Clone)]
pub struct NewPool {
    /// Its id.
    pub id: PoolId,
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: PoolKind,
    /// Unit of its amounts.
    pub unit: String,
    /// What it is for.
    pub description: String,
}

/// What a member gives a pool: the ledger entry kinds a member writes for itself (a request
/// is made with [`CoalitionDoc::request_allocation`], which opens its proposal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiftKind {
    /// A promise to give.
    Pledge,
    /// Something given.
    Contribution,
}

impl From<GiftKind> for EntryKind {
    fn from(k: GiftKind) -> Self {
        match k {
            GiftKind::Pledge => EntryKind::Pledge,
            GiftKind::Contribution => EntryKind::Contribution,
        }
    }
}

/// A pledge or contribution to a pool.
#[derive(Debug, Clone)]
pub struct Gift {
    /// The ledger entry's id.
    pub entry: EntryId,
    /// A pledge or a contribution.
    pub kind: GiftKind,
    /// How much.
    pub amount: Amount,
    /// A note for the ledger.
    pub note: String,
}

/// A request to receive from a pool.
#[derive(Debug, Clone)]
pub struct AllocationRequest {
    /// The ledger entry's id.
    pub entry: EntryId,
    /// The id of the allocation proposal that decides it.
    pub proposal: ProposalId,
    /// How much.
    pub amount: Amount,
    /// Why it is needed.
    pub reason: String,
}

/// A new meeting record.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// Its id.
    pub id: MeetingId,
    /// The day it was held.
    pub day: Day,
    /// Facilitator.
    pub facilitator: MemberId,
    /// Members present.
    pub attendance: Vec<MemberId>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Proposals decided.
    pub decisions: Vec<ProposalId>,
}

/// The charter in force, its ratified versions (by key, the version number zero-padded) and
/// the governance it was derived under (for the names of the members it names).
#[derive(Debug, Clone)]
pub struct CharterInForce {
    /// The charter in force.
    pub charter: crate::schema::Charter,
    /// Every ratified version, by key.
    pub versions: BTreeMap<String, crate::schema::CharterVersion>,
    /// The governance in force at the moment it was read.
    pub governance: Arc<InForce>,
}

/// A new proposal.
#[derive(Debug, Clone)]
pub struct NewProposal {
    /// Its id.
    pub id: ProposalId,
    /// Kind of decision.
    pub kind: DecisionKind,
    /// Title.
    pub title: String,
    /// Full text.
    pub text: String,
    /// When positions stop counting.
    pub closes_at: Option<Timestamp>,
}

/// Most changes [`CoalitionDoc::touched_since`] reads through before it answers that the
/// records are better read again.
pub const MAX_TOUCHED_CHANGES: usize = 64;
/// Most operations, in all those changes, it decodes to tell.
pub(crate) const MAX_TOUCHED_OPS: usize = 4096;

/// One coalition's document, opened for reading and editing as one node (actor).
#[derive(Debug)]
pub struct CoalitionDoc {
    doc: AutoCommit,
    id: CoalitionId,
}

impl CoalitionDoc {
    /// Founds a coalition: the charter with the founding rules (version 1) and the founder as
    /// first member, holding `key`.
    pub fn found(key: NodeKey, founding: Founding) -> Result<Self, EditError> {
        let name = short("coalition name", &founding.name)?;
        let frame = long("frame", &founding.frame)?;
        let values = short_list("values", &founding.values)?;
        let commitments = short_list("commitments", &founding.commitments)?;
        let founder = member_record(&founding.founder_id, &founding.founder, key, founding.at)?;
        let charter = Charter {
            name,
            frame: Prose(frame),
            values,
            commitments,
            rules: Rules::founding(),
            roles: Roles {
                facilitator_rotation: vec![founder.id.clone()],
                spokespeople: vec![founder.id.clone()],
                statement_signoff: vec![founder.id.clone()],
            },
            equity_threshold: founding.equity_threshold.unwrap_or(Fraction::HALF),
            goals: BTreeMap::new(),
            version: 1,
        };
        let version =
            crate::governance::version_of(&charter, founding.at, None, vec![founder.id.clone()]);
        let mut doc = AutoCommit::new().with_actor(key.actor());
        reconcile_prop(&mut doc, ROOT, "schema", SCHEMA_VERSION)?;
        reconcile_prop(&mut doc, ROOT, "id", founding.id.to_string())?;
        reconcile_prop(&mut doc, ROOT, "created_at", founding.at)?;
        reconcile_prop(&mut doc, ROOT, "charter", &charter)?;
        let versions = BTreeMap::from([(crate::governance::version_key(1), version)]);
        reconcile_prop(&mut doc, ROOT, "charter_versions", &versions)?;
        let members = BTreeMap::from([(founder.id.clone(), founder)]);
        reconcile_prop(&mut doc, ROOT, "members", &members)?;
        for key in ["issues", "pools", "proposals", "meetings"] {
            doc.put_object(ROOT, key, ObjType::Map)?;
        }
        doc.commit_with(commit_options("found coalition", founding.at));
        Ok(Self {
            doc,
            id: founding.id,
        })
    }

    /// Loads a document from saved bytes (a whole document, or one followed by changes), to be
    /// edited as `key`.
    pub fn load(bytes: &[u8], key: NodeKey) -> Result<Self, DocError> {
        let doc = AutoCommit::load(bytes)?.with_actor(key.actor());
        Self::from_automerge(doc)
    }

    /// Wraps a document already in memory, checking that it is a coalition this program reads.
    pub fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        let schema: u64 = autosurgeon::hydrate_prop(&doc, ROOT, "schema")?;
        if schema > SCHEMA_VERSION {
            return Err(DocError::NewerSchema {
                found: schema,
                supported: SCHEMA_VERSION,
            });
        }
        let id: String = autosurgeon::hydrate_prop(&doc, ROOT, "id")?;
        let id = id.parse().map_err(|e: crate::ids::IdError| {
            DocError::from(autosurgeon::HydrateError::unexpected(
                "a coalition id",
                e.given,
            ))
        })?;
        Ok(Self { doc, id })
    }

    /// The coalition id.
    pub fn id(&self) -> &CoalitionId {
        &self.id
    }

    /// The coalition in force at the latest moment this document records (the newest of
    /// its head changes' times): the same on every node holding the same changes.
    pub fn read(&self) -> Result<Coalition, DocError> {
        self.read_at(crate::governance::latest_moment(&self.doc))
    }

    /// The coalition in force at `now`: proposals whose closing time has come are decided.
    pub fn read_at(&self, now: Timestamp) -> Result<Coalition, DocError> {
        let mut c = Coalition::read_stored(&self.doc)?;
        // Governance from what was just read, rather than from the document again.
        let gov = Governance::new(
            c.members.clone(),
            c.charter.rules.clone(),
            c.proposals
                .iter()
                .filter(|(_, p)| crate::governance::governs(p.kind))
                .map(|(id, p)| (id.clone(), p.clone()))
                .collect(),
        );
        crate::governance::apply(&mut c, &gov.in_force(now));
        Ok(c)
    }

    /// Every change, oldest first, with its author member and the fields it wrote; only
    /// those touching `record` (a full id) if given.
    pub fn history(
        &mut self,
        record: Option<&str>,
    ) -> Result<Vec<crate::history::Entry>, DocError> {
        let records = crate::schema::records(&self.doc, "members", &mut Vec::new());
        Ok(crate::history::history(&mut self.doc, &records, record))
    }

    /// When each of `member`'s node keys was certified and what it signed (see
    /// [`crate::history::key_activity`]).
    pub fn key_activity(
        &mut self,
        member: &crate::schema::Member,
    ) -> Vec<crate::history::KeyActivity> {
        crate::history::key_activity(&mut self.doc, member)
    }

    /// The ids of the records in the collection `key` (`issues`, `proposals`...), without
    /// reading the records.
    pub fn record_ids(&self, key: &str) -> Vec<String> {
        match self.doc.get(&automerge::ROOT, key) {
            Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) => self
                .doc
                .map_range(&obj, ..)
                .map(|i| i.key.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the collection `key` holds a record under `id`, looked up alone.
    pub fn has_record(&self, key: &str, id: &str) -> bool {
        crate::records::collection(&self.doc, key).is_some_and(|obj| {
            matches!(
                self.doc.get(&obj, id),
                Ok(Some((automerge::Value::Object(automerge::ObjType::Map), _)))
            )
        })
    }

    /// The proposal `id` as stored (a proposal's record is not changed by governance), without
    /// reading the coalition's other records.
    pub fn proposal(
        &self,
        id: &ProposalId,
    ) -> Result<Option<crate::schema::Proposal>, crate::schema::Unreadable> {
        crate::schema::record(&self.doc, "proposals", id.as_str())
    }

    /// The pool `id` as stored, with its whole ledger, without reading the coalition's other
    /// records.
    pub fn pool(
        &self,
        id: &crate::PoolId,
    ) -> Result<Option<crate::schema::Pool>, crate::schema::Unreadable> {
        crate::schema::record(&self.doc, "pools", id.as_str())
    }

    /// The charter in force at `now`, with every ratified version, without reading the
    /// coalition's issues, pools or meetings (the governance reads the members and the
    /// governing proposals).
    pub fn charter_at(&self, now: Timestamp) -> Result<CharterInForce, EditError> {
        let mut charter: crate::schema::Charter =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "charter").map_err(DocError::from)?;
        let mut versions = crate::schema::records(&self.doc, "charter_versions", &mut Vec::new());
        // At `now` to the millisecond, as the whole read decides (not the edits' whole
        // seconds): an amendment closing this second is in force here when it is there.
        let gov = Governance::read(&self.doc)
            .map(|g| g.in_force(now))
            .ok_or_else(|| shape_error(&["members"]))?;
        crate::governance::charter_in_force(&mut charter, &mut versions, &gov);
        Ok(CharterInForce {
            charter,
            versions,
            governance: gov,
        })
    }

    /// The coalition's name (set at its founding; no amendment changes it), read alone.
    pub fn name(&self) -> Result<String, DocError> {
        Ok(autosurgeon::hydrate_path(
            &self.doc,
            &ROOT,
            ["charter", "name"].map(|k| autosurgeon::Prop::Key(k.into())),
        )?
        .unwrap_or_default())
    }

    /// How many pools read, without reading the coalition's other records.
    pub fn pool_count(&self) -> usize {
        crate::schema::records::<_, crate::PoolId, crate::schema::Pool>(
            &self.doc,
            "pools",
            &mut Vec::new(),
        )
        .len()
    }

    /// One meeting as stored, without reading the coalition's other records.
    pub fn meeting(
        &self,
        id: &crate::MeetingId,
    ) -> Result<Option<crate::schema::Meeting>, crate::schema::Unreadable> {
        crate::schema::record(&self.doc, "meetings", id.as_str())
    }

    /// Every meeting that reads, without reading the coalition's other records (a meeting
    /// that does not read is left out, as in the whole read).
    pub fn meetings(&self) -> BTreeMap<crate::MeetingId, crate::schema::Meeting> {
        crate::schema::records(&self.doc, "meetings", &mut Vec::new())
    }

    /// One issue as stored, without reading the coalition's other records.
    pub fn issue(
        &self,
        id: &IssueId,
    ) -> Result<Option<crate::schema::Issue>, crate::schema::Unreadable> {
        crate::records::issue(&self.doc, id)
    }

    /// The headers of every record of `H`'s collection that reads ([`crate::records`]).
    pub fn headers<H: crate::records::Header>(&self) -> BTreeMap<H::Id, H> {
        crate::records::headers(&self.doc, &mut Vec::new())
    }

    /// The governance in force at `now`.
    pub fn in_force(&self, now: Timestamp) -> Result<Arc<InForce>, EditError> {
        in_force(&self.doc, now)
    }

    /// The underlying Automerge document.
    pub fn automerge(&self) -> &AutoCommit {
        &self.doc
    }

    /// The underlying Automerge document, for the sync protocol to apply changes that it
    /// has verified. Edits go through the methods of this type instead.
    pub fn automerge_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// A document for a coalition this node is joining and has not received yet: it holds
    /// nothing until the coalition's changes arrive, and reads fail until then.
    pub fn joining(id: CoalitionId, key: NodeKey) -> Self {
        Self {
            doc: AutoCommit::new().with_actor(key.actor()),
            id,
        }
    }

    /// Unwraps the underlying Automerge document.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// The whole document in Automerge's standard compressed format.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The heads of the document's change graph.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Changes made since `heads`, oldest first.
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<Change> {
        self.doc.get_changes(heads)
    }

    /// The ids of the records of the root collection `collection` (`issues`...) that the
    /// changes made since `since` wrote to, from the changes' operations; `None` when that is
    /// not cheap to tell (a head of `since` unknown here, more than [`MAX_TOUCHED_CHANGES`]
    /// changes or `MAX_TOUCHED_OPS` operations, an object not found, or the collection itself
    /// written): read it all again.
    pub fn touched_since(
        &mut self,
        since: &[ChangeHash],
        collection: &str,
    ) -> Option<std::collections::BTreeSet<String>> {
        use automerge::legacy::{Key, ObjectId};
        if since
            .iter()
            .any(|h| self.doc.get_change_meta_by_hash(h).is_none())
        {
            return None;
        }
        // Counted from their metadata first: after a long catch-up the changes are not
        // rebuilt only to be thrown away.
        if self.doc.get_changes_meta(since).len() > MAX_TOUCHED_CHANGES {
            return None;
        }
        let changes = self.doc.get_changes(since);
        // Their operations counted before any is decoded: one long text is thousands.
        if changes.iter().map(Change::len).sum::<usize>() > MAX_TOUCHED_OPS {
            return None;
        }
        let mut touched = std::collections::BTreeSet::new();
        let mut paths: std::collections::HashMap<ObjectId, Vec<String>> = Default::default();
        for change in &changes {
            for op in change.decode().operations {
                let path = match paths.get(&op.obj) {
                    Some(p) => p,
                    None => {
                        let p = crate::rules::object_path(&self.doc, &op.obj)?;
                        paths.entry(op.obj.clone()).or_insert(p)
                    }
                };
                match (path.first(), path.get(1), &op.key) {
                    // On the root: only the collection itself matters.
                    (None, _, Key::Map(k)) if k.as_str() == collection => return None,
                    (Some(c), Some(id), _) if c == collection => {
                        touched.insert(id.clone());
                    }
                    // On the collection: the key is the record's id.
                    (Some(c), None, Key::Map(id)) if c == collection => {
                        touched.insert(id.to_string());
                    }
                    (Some(c), None, _) if c == collection => return None,
                    _ => {}
                }
            }
        }
        Some(touched)
    }

    /// Merges changes made elsewhere (another node's edits).
    pub fn apply_changes(&mut self, changes: Vec<Change>) -> Result<(), DocError> {
        self.doc.apply_changes(changes)?;
        Ok(())
    }

    /// Merges every change of `other` into this document.
    pub fn merge(&mut self, other: &mut CoalitionDoc) -> Result<(), DocError> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// A copy of this document that edits as `key` (another device or node).
    pub fn fork_as(&mut self, key: NodeKey) -> CoalitionDoc {
        CoalitionDoc {
            doc: self.doc.fork().with_actor(key.actor()),
            id: self.id.clone(),
        }
    }

    /// The member whose node keys include `key` (in force or not).
    pub fn member_for_key(&self, key: NodeKey) -> Result<MemberId, EditError> {
        members(&self.doc)?
            .values()
            .find(|m| m.keys.contains(&key))
            .map(|m| m.id.clone())
            .ok_or_else(|| EditError::NotAMember {
                coalition: self.id.to_string(),
            })
    }

    /// Runs `f` as one change; rolls back everything it wrote if it fails.
    fn edit<T>(
        &mut self,
        by: &MemberId,
        message: &str,
        at: Timestamp,
        f: impl FnOnce(&mut AutoCommit) -> Result<T, EditError>,
    ) -> Result<T, EditError> {
        self.edit_governed(by, message, at, |doc, _| f(doc))
    }

    /// [`Self::edit`] for an edit that needs the governance in force (read once, before the
    /// edit writes, as receiving nodes judge the change).
    fn edit_governed<T>(
        &mut self,
        by: &MemberId,
        message: &str,
        at: Timestamp,
        f: impl FnOnce(&mut AutoCommit, &InForce) -> Result<T, EditError>,
    ) -> Result<T, EditError> {
        let gov = in_force(&self.doc, at)?;
        if !gov.members.contains_key(by.as_str()) {
            return Err(EditError::NotAMember {
                coalition: self.id.to_string(),
            });
        }
        if gov.flagged(self.doc.get_actor().to_bytes()) {
            return Err(EditError::KeyFlagged {
                coalition: self.id.to_string(),
            });
        }
        match f(&mut self.doc, &gov) {
            Ok(v) => {
                self.doc.commit_with(commit_options(message, at));
                Ok(v)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    /// Updates the acting member's own profile; `None` fields stay as they are. A member's
    /// profile is its own: this edit only ever writes the acting member's record.
    pub fn update_profile(
        &mut self,
        by: &MemberId,
        update: ProfileUpdate,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let name = update
            .name
            .as_deref()
            .map(|n| short("organization name", n))
            .transpose()?;
        let communities = update
            .communities
            .as_deref()
            .map(|l| short_list("communities", l))
            .transpose()?;
        let languages = update
            .languages
            .as_deref()
            .map(|l| short_list("languages", l))
            .transpose()?;
        let accessibility = update
            .accessibility
            .as_deref()
            .map(|l| short_list("accessibility needs", l))
            .transpose()?;
        let contact = update
            .contact
            .as_deref()
            .map(|c| optional_short("contact", c))
            .transpose()?;
        self.edit(by, "update profile", at, |doc| {
            let obj = map_at(doc, &["members", by.as_str()])?;
            if let Some(name) = name {
                doc.put(&obj, "name", name)?;
            }
            for (key, list) in [
                ("communities", communities),
                ("languages", languages),
                ("accessibility", accessibility),
            ] {
                if let Some(list) = list {
                    reconcile_prop(doc, &obj, key, list)?;
                }
            }
            if let Some(contact) = contact {
                doc.put(&obj, "contact", contact)?;
            }
            Ok(())
        })
    }

    /// Admits a new member organization with its first node key.
    pub fn admit_member(
        &mut self,
        by: &MemberId,
        id: &MemberId,
        profile: &MemberProfile,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let record = member_record(id, profile, key, at)?;
        self.edit_governed(by, "admit member", at, |doc, gov| {
            if gov.rules.admission.is_some() {
                return Err(EditError::Refused {
                    why: "the charter admits members by vote: the invite opens a membership \
                          proposal"
                        .into(),
                });
            }
            write_new_member(doc, id, key, &record)
        })
    }

    /// Adds a shared goal with a measurable benchmark.
    pub fn add_goal(
        &mut self,
        by: &MemberId,
        id: &GoalId,
        title: &str,
        target: Amount,
        unit: &str,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let goal = Goal {
            id: id.clone(),
            title: short("goal title", title)?,
            target,
            unit: short("unit", unit)?,
            progress: Vec::new(),
            added_by: by.clone(),
        };
        self.edit(by, "add goal", at, |doc| {
            if exists(doc, &["charter", "goals", id.as_str()])? {
                return Err(EditError::Exists {
                    what: "goal",
                    id: id.to_string(),
                });
            }
            let goals = map_at(doc, &["charter", "goals"])?;
            reconcile_prop(doc, &goals, id.as_str(), &goal)?;
            Ok(())
        })
    }

    /// Records dated progress towards a goal.
    pub fn record_progress(
        &mut self,
        by: &MemberId,
        goal: &str,
        day: Day,
        value: Amount,
        note: &str,
        at: Timestamp,
    ) -> Result<GoalId, EditError> {
        let note = optional_short("note", note)?;
        self.edit(by, "record goal progress", at, |doc| {
            let goal = resolve(goal, "goal", &keys_of(doc, &["charter", "goals"])?)?;
            let progress = list_at(doc, &["charter", "goals", goal.as_str(), "progress"])?;
            let len = doc.length(&progress);
            autosurgeon::reconcile_insert(
                doc,
                progress,
                len,
                Progress {
                    day,
                    value,
                    note,
                    by: by.clone(),
                },
            )?;
            goal.parse().map_err(EditError::from_id)
        })
    }

    /// Raises an issue; the member raising it shares it at rank 1 unless it ranks it later.
    pub fn add_issue(
        &mut self,
        by: &MemberId,
        new: NewIssue,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let title = short("issue title", &new.title)?;
        let description = long("description", &new.description)?;
        let tags = tag_list(&new.tags)?;
        self.edit_governed(by, "raise issue", at, |doc, gov| {
            if exists(doc, &["issues", new.id.as_str()])? {
                return Err(EditError::Exists {
                    what: "issue",
                    id: new.id.to_string(),
                });
            }
            let lead = match &new.lead {
                Some(lead) => known_member(gov, lead.as_str())?,
                None => by.clone(),
            };
            let issue = Issue {
                id: new.id.clone(),
                title,
                description: Prose(description),
                raised_by: by.clone(),
                lead,
                tags,
                evidence: Vec::new(),
                status: IssueStatus::Raised,
                ranks: BTreeMap::new(),
                created_at: at,
            };
            let issues = map_at(doc, &["issues"])?;
            reconcile_prop(doc, &issues, new.id.as_str(), &issue)?;
            Ok(())
        })
    }

    /// Edits an issue's shared record: only the fields given are written.
    pub fn edit_issue(
        &mut self,
        by: &MemberId,
        issue: &str,
        edit: IssueEdit,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        let title = edit
            .title
            .as_deref()
            .map(|t| short("issue title", t))
            .transpose()?;
        let description = edit
            .description
            .as_deref()
            .map(|d| long("description", d))
            .transpose()?;
        let add_tags = tag_list(&edit.add_tags)?;
        self.edit_governed(by, "edit issue", at, |doc, gov| {
            let id = resolve(issue, "issue", &keys_of(doc, &["issues"])?)?;
            let obj = map_at(doc, &["issues", id.as_str()])?;
            if let Some(title) = title {
                doc.put(&obj, "title", title)?;
            }
            if let Some(description) = description {
                let text = text_at(doc, &obj, "description")?;
                doc.update_text(&text, description)?;
            }
            if let Some(status) = edit.status {
                doc.put(&obj, "status", status.as_str())?;
            }
            if let Some(lead) = &edit.lead {
                let lead = known_member(gov, lead.as_str())?;
                doc.put(&obj, "lead", lead.as_str())?;
            }
            if !add_tags.is_empty() {
                let existing: Vec<String> = read_at(doc, &["issues", id.as_str(), "tags"])?;
                let tags = list_at(doc, &["issues", id.as_str(), "tags"])?;
                for tag in add_tags.into_iter().filter(|t| !existing.contains(t)) {
                    let len = doc.length(&tags);
                    doc.insert(&tags, len, tag)?;
                }
            }
            id.parse().map_err(EditError::from_id)
        })
    }

    /// Adds evidence to an issue.
    pub fn add_evidence(
        &mut self,
        by: &MemberId,
        issue: &str,
        source: &str,
        figure: &str,
        disaggregation: &str,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        let evidence = Evidence {
            source: short("evidence source", source)?,
            figure: short("evidence figure", figure)?,
            disaggregation: optional_short("disaggregation note", disaggregation)?,
            added_by: by.clone(),
        };
        self.edit(by, "add evidence", at, |doc| {
            let id = resolve(issue, "issue", &keys_of(doc, &["issues"])?)?;
            let list = list_at(doc, &["issues", id.as_str(), "evidence"])?;
            let len = doc.length(&list);
            autosurgeon::reconcile_insert(doc, list, len, &evidence)?;
            id.parse().map_err(EditError::from_id)
        })
    }

    /// Marks an issue as shared by the acting member, with its priority rank.
    pub fn share_issue(
        &mut self,
        by: &MemberId,
        issue: &str,
        rank: Rank,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        self.edit(by, "share issue", at, |doc| {
            let id = resolve(issue, "issue", &keys_of(doc, &["issues"])?)?;
            let ranks = map_at(doc, &["issues", id.as_str(), "ranks"])?;
            reconcile_prop(doc, &ranks, by.as_str(), rank)?;
            id.parse().map_err(EditError::from_id)
        })
    }

    /// Withdraws the acting member's share of an issue.
    pub fn unshare_issue(
        &mut self,
        by: &MemberId,
        issue: &str,
        at: Timestamp,
    ) -> Result<IssueId, EditError> {
        self.edit(by, "unshare issue", at, |doc| {
            let id = resolve(issue, "issue", &keys_of(doc, &["issues"])?)?;
            let ranks = map_at(doc, &["issues", id.as_str(), "ranks"])?;
            doc.delete(&ranks, by.as_str())?;
            id.parse().map_err(EditError::from_id)
        })
    }

    /// Creates a resource pool.
    pub fn create_pool(
        &mut self,
        by: &MemberId,
        new: NewPool,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let id = &new.id;
        let pool = Pool {
            id: id.clone(),
            name: short("pool name", &new.name)?,
            kind: new.kind,
            unit: short("unit", &new.unit)?,
            description: Prose(long("description", &new.description)?),
            created_by: by.clone(),
            created_at: at,
            ledger: BTreeMap::new(),
        };
        self.edit(by, "create pool", at, |doc| {
            if exists(doc, &["pools", id.as_str()])? {
                return Err(EditError::Exists {
                    what: "pool",
                    id: id.to_string(),
                });
            }
            let pools = map_at(doc, &["pools"])?;
            reconcile_prop(doc, &pools, id.as_str(), &pool)?;
            Ok(())
        })
    }

    /// Appends a pledge or contribution by the acting member to a pool's ledger.
    pub fn give(
        &mut self,
        by: &MemberId,
        pool: &str,
        gift: Gift,
        at: Timestamp,
    ) -> Result<PoolId, EditError> {
        let Gift {
            entry,
            kind,
            amount,
            note,
        } = gift;
        if amount.is_zero() {
            return Err(EditError::ZeroAmount);
        }
        let note = optional_short("note", &note)?;
        let message = match kind {
            GiftKind::Pledge => "pledge",
            GiftKind::Contribution => "contribute",
        };
        self.edit(by, message, at, |doc| {
            let pool_id = resolve(pool, "pool", &keys_of(doc, &["pools"])?)?;
            let record = LedgerEntry {
                id: entry.clone(),
                kind: kind.into(),
                member: by.clone(),
                amount,
                note,
                at,
                proposal: None,
            };
            append_entry(doc, &pool_id, &record)?;
            pool_id.parse().map_err(EditError::from_id)
        })
    }

    /// Requests an allocation from a pool for the acting member; opens the allocation
    /// proposal that decides it.
    pub fn request_allocation(
        &mut self,
        by: &MemberId,
        pool: &str,
        request: AllocationRequest,
        at: Timestamp,
    ) -> Result<PoolId, EditError> {
        let AllocationRequest {
            entry,
            proposal,
            amount,
            reason,
        } = request;
        let (entry, proposal) = (&entry, &proposal);
        if amount.is_zero() {
            return Err(EditError::ZeroAmount);
        }
        let reason = short("reason", &reason)?;
        self.edit_governed(by, "request allocation", at, |doc, gov| {
            let pool_id = resolve(pool, "pool", &keys_of(doc, &["pools"])?)?;
            let p: Pool = read_at(doc, &["pools", pool_id.as_str()])?;
            let balance = crate::reports::funds_of(&p, |proposal| {
                read_at::<Proposal>(doc, &["proposals", proposal.as_str()])
                    .ok()
                    .map(|p| crate::reports::decision(&p, at))
            })
            .balance;
            if i128::from(amount.hundredths()) > balance {
                return Err(EditError::InsufficientBalance {
                    pool: pool_id.clone(),
                    available: Amount::format_total(balance),
                    requested: amount.to_string(),
                    unit: p.unit.clone(),
                });
            }
            let record = LedgerEntry {
                id: entry.clone(),
                kind: EntryKind::Request,
                member: by.clone(),
                amount,
                note: reason.clone(),
                at,
                proposal: Some(proposal.clone()),
            };
            append_entry(doc, &pool_id, &record)?;
            let title = format!(
                "Allocate {amount} {} from {} to {}",
                p.unit,
                p.name,
                member_name(doc, by.as_str())
            );
            let new = NewProposal {
                id: proposal.clone(),
                kind: DecisionKind::Allocation,
                title,
                text: reason,
                closes_at: None,
            };
            let subject = Subject {
                subject: Some(crate::schema::Subject::Request {
                    pool: pool_id.parse().map_err(EditError::from_id)?,
                    entry: entry.clone(),
                }),
                amendment: None,
            };
            open_proposal(doc, gov, by, &new, subject, at)?;
            pool_id.parse().map_err(EditError::from_id)
        })
    }

    /// Opens a proposal; the electorate is the membership now, the rule the charter's rule
    /// for its kind now.
    pub fn new_proposal(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        at: Timestamp,
    ) -> Result<(), EditError> {
        // Each of these kinds has its effect only when opened by the edit that gives it its
        // subject: opened bare, it would pass and do nothing (or ratify an unchanged charter).
        let opened_by = match new.kind {
            DecisionKind::Membership => Some(
                "membership proposals are opened by `member remove` or by an invite when the \
                 charter admits members by vote",
            ),
            DecisionKind::Amendment => Some(
                "amendments are opened by `charter amend`, which says what they change in the \
                 charter",
            ),
            DecisionKind::Allocation => Some(
                "allocation proposals are opened by `pool request`, which says how much from \
                 which pool",
            ),
            _ => None,
        };
        if let Some(why) = opened_by {
            return Err(EditError::Refused { why: why.into() });
        }
        self.edit_governed(by, "open proposal", at, |doc, gov| {
            open_proposal(doc, gov, by, &new, Subject::default(), at)
        })
    }

    /// Opens an amendment to the charter; once it passes under the charter's amendment rule,
    /// it becomes the next charter version on every node.
    pub fn propose_amendment(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        amendment: Amendment,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let amendment = amendment_checked(amendment)?;
        let new = NewProposal {
            kind: DecisionKind::Amendment,
            ..new
        };
        self.edit_governed(by, "propose amendment", at, |doc, gov| {
            let what = Subject {
                subject: None,
                amendment: Some(amendment),
            };
            open_proposal(doc, gov, by, &new, what, at)
        })
    }

    /// Opens a membership proposal to remove `member`, decided by the other members under
    /// the charter's membership rule.
    pub fn propose_removal(
        &mut self,
        by: &MemberId,
        member: &str,
        new: NewProposal,
        at: Timestamp,
    ) -> Result<MemberId, EditError> {
        self.edit_governed(by, "propose removal", at, |doc, gov| {
            let member = known_member(gov, member)?;
            let new = NewProposal {
                kind: DecisionKind::Membership,
                title: if new.title.trim().is_empty() {
                    format!("Remove {}", member_name(doc, member.as_str()))
                } else {
                    new.title
                },
                ..new
            };
            let what = Subject {
                subject: Some(crate::schema::Subject::Remove(member.clone())),
                amendment: None,
            };
            open_proposal(doc, gov, by, &new, what, at)?;
            Ok(member)
        })
    }

    /// Adds another node key to act for the acting member (an organization's second
    /// laptop). The key must not be any member's already.
    pub fn add_device_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, ADD_DEVICE_KEY, at, |doc| {
            if members(doc)?.values().any(|m| m.keys.contains(&key)) {
                return Err(EditError::Exists {
                    what: "member with node key",
                    id: key.to_string(),
                });
            }
            append(doc, &["members", by.as_str()], "keys", key.to_string())
        })
    }

    /// Revokes one of the acting member's node keys: changes that key signs from then on are
    /// refused. A member keeps at least one key.
    pub fn revoke_device_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, "revoke device key", at, |doc| {
            let current: Vec<NodeKey> = read_at(doc, &["members", by.as_str(), "keys"])?;
            let Some(index) = current.iter().position(|k| *k == key) else {
                return Err(EditError::Unknown {
                    what: "node key of this member",
                    id: key.to_string(),
                });
            };
            if current.len() == 1 {
                return Err(EditError::Refused {
                    why: "a member keeps at least one node key; to stop acting for it, leave \
                          the coalition"
                        .into(),
                });
            }
            let keys = list_at(doc, &["members", by.as_str(), "keys"])?;
            doc.delete(&keys, index)?;
            Ok(())
        })
    }

    /// Flags another member's node key that was found writing two histories (a fork: the
    /// caller has checked the evidence, see `sync::forks`). Once two members in force other
    /// than its own have flagged it, what that key writes after seeing their flags is refused
    /// on every node ([`crate::governance::InForce::flagged`]). Flagging a key already
    /// flagged by the acting member changes nothing.
    pub fn flag_key(
        &mut self,
        by: &MemberId,
        key: NodeKey,
        at: Timestamp,
    ) -> Result<(), EditError> {
        self.edit(by, "flag forked key", at, |doc| {
            let all = members(doc)?;
            let Some(owner) = all.values().find(|m| m.keys.contains(&key)) else {
                return Err(EditError::Unknown {
                    what: "member with node key",
                    id: key.to_string(),
                });
            };
            if owner.id == *by {
                return Err(EditError::Refused {
                    why: "that key is your own organization's: revoke it instead".into(),
                });
            }
            let mine = all.get(by).ok_or_else(|| EditError::Unknown {
                what: "member",
                id: by.to_string(),
            })?;
            add_flag(doc, mine, 0, key).map(|_| ())
        })
    }

    /// [`Self::flag_key`] for each of `keys` that is another member's in force and not flagged
    /// by the acting member yet, in one change; the others are skipped, not refused (a node
    /// flags what the sync protocol found, whoever holds it now). Returns how many it flagged.
    pub fn flag_keys(
        &mut self,
        by: &MemberId,
        keys: &[NodeKey],
        at: Timestamp,
    ) -> Result<usize, EditError> {
        self.edit_governed(by, "flag forked keys", at, |doc, gov| {
            // `edit_governed` checked that the acting member is in force.
            let Some(mine) = gov.members.get(by.as_str()) else {
                return Ok(0);
            };
            let mut written = 0;
            for key in keys {
                if !mine.keys.contains(key)
                    && gov.member_of(key.as_bytes()).is_some()
                    && add_flag(doc, mine, written, *key)?
                {
                    written += 1;
                }
            }
            Ok(written)
        })
    }

    /// The acting member leaves the coalition: from this change on it writes nothing and
    /// the other nodes stop sending it the coalition's data. Its records stay.
    pub fn leave(&mut self, by: &MemberId, at: Timestamp) -> Result<(), EditError> {
        self.edit_governed(by, "leave coalition", at, |doc, gov| {
            if gov.members.len() == 1 {
                return Err(EditError::Refused {
                    why: "your organization is the coalition's only member; it cannot leave a \
                          coalition with no one in it"
                        .into(),
                });
            }
            let obj = map_at(doc, &["members", by.as_str()])?;
            reconcile_prop(doc, &obj, "left_at", Some(at))?;
            Ok(())
        })
    }

    /// Admits a new member by the charter's admission rule: by this invite if the rule is
    /// the invite, else as a member awaiting the vote of a membership proposal `proposal`
    /// opened in the same change. Returns the proposal when there is a vote.
    #[allow(clippy::too_many_arguments)]
    pub fn admit_by_rule(
        &mut self,
        by: &MemberId,
        id: &MemberId,
        profile: &MemberProfile,
        key: NodeKey,
        proposal: &ProposalId,
        at: Timestamp,
    ) -> Result<Option<ProposalId>, EditError> {
        if in_force(&self.doc, at)?.rules.admission.is_none() {
            return self.admit_member(by, id, profile, key, at).map(|()| None);
        }
        let mut record = member_record(id, profile, key, at)?;
        record.admission = Some(proposal.clone());
        self.edit_governed(by, "propose admission", at, |doc, gov| {
            write_new_member(doc, id, key, &record)?;
            let new = NewProposal {
                id: proposal.clone(),
                kind: DecisionKind::Membership,
                title: format!("Admit {}", record.name),
                text: String::new(),
                closes_at: None,
            };
            let what = Subject {
                subject: Some(crate::schema::Subject::Admit(id.clone())),
                amendment: None,
            };
            open_proposal(doc, gov, by, &new, what, at)?;
            Ok(Some(proposal.clone()))
        })
    }

    /// Records (or changes) the acting member's position on an open proposal.
    pub fn take_position(
        &mut self,
        by: &MemberId,
        proposal: &str,
        stance: Stance,
        reason: &str,
        at: Timestamp,
    ) -> Result<ProposalId, EditError> {
        let reason = optional_short("reason", reason)?;
        if stance == Stance::Block && reason.is_empty() {
            return Err(EditError::BlockWithoutReason);
        }
        self.edit(by, "take position", at, |doc| {
            let id = resolve(proposal, "proposal", &keys_of(doc, &["proposals"])?)?;
            let p: Proposal = read_at(doc, &["proposals", id.as_str()])?;
            if !p.electorate.iter().any(|m| m == by.as_str()) {
                return Err(EditError::NotInElectorate {
                    id,
                    member: by.to_string(),
                });
            }
            let outcome = crate::reports::proposal_tally(&p, at).outcome;
            if outcome != Outcome::Open {
                return Err(EditError::ProposalDecided { id, outcome });
            }
            let positions = map_at(doc, &["proposals", id.as_str(), "positions"])?;
            reconcile_prop(
                doc,
                &positions,
                by.as_str(),
                PositionRecord { stance, reason, at },
            )?;
            id.parse().map_err(EditError::from_id)
        })
    }

    /// Writes, as a new change, the value a shared record's `field` had just after the change
    /// `change` (a hash or unique prefix). Returns the record's id.
    pub fn restore(
        &mut self,
        by: &MemberId,
        record: &str,
        field: &str,
        change: &str,
        at: Timestamp,
    ) -> Result<String, EditError> {
        // The change graph's metadata names every change without rebuilding any.
        let hashes: Vec<String> = self
            .doc
            .get_changes_meta(&[])
            .iter()
            .map(|c| c.hash.to_string())
            .collect();
        let hash: ChangeHash =
            resolve(change, "change", &hashes)?
                .parse()
                .map_err(|_| EditError::Unknown {
                    what: "change",
                    id: change.to_owned(),
                })?;
        self.edit(by, "restore earlier value", at, |doc| {
            // (collection, its restorable fields, record id) for every restorable record.
            let mut found = Vec::new();
            for (collection, fields) in RESTORABLE {
                for id in keys_of(doc, &[collection])? {
                    found.push((*collection, *fields, id));
                }
            }
            let ids: Vec<String> = found.iter().map(|(_, _, id)| id.clone()).collect();
            let id = resolve(record, "record", &ids)?;
            let (collection, fields, _) = found
                .into_iter()
                .find(|(_, _, i)| *i == id)
                .ok_or_else(|| shape_error(&[record]))?;
            if !fields.contains(&field) {
                return Err(EditError::Unknown {
                    what: "field to restore",
                    id: format!(
                        "{field} (a {collection} record restores {})",
                        fields.join(", ")
                    ),
                });
            }
            let obj = map_at(doc, &[collection, id.as_str()])?;
            let heads = [hash];
            match doc.get_at(&obj, field, &heads)? {
                Some((automerge::Value::Object(ObjType::Text), old)) => {
                    let value = doc.text_at(&old, &heads)?;
                    let text = text_at(doc, &obj, field)?;
                    doc.update_text(&text, value)?;
                }
                Some((automerge::Value::Scalar(v), _)) => {
                    let value = v.into_owned();
                    doc.put(&obj, field, value)?;
                }
                _ => {
                    return Err(EditError::Unknown {
                        what: "earlier value",
                        id: format!("{field} of {id} had no value just after change {hash}"),
                    });
                }
            }
            Ok(id)
        })
    }

    /// Records a meeting.
    pub fn add_meeting(
        &mut self,
        by: &MemberId,
        new: NewMeeting,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let agenda = short_list("agenda items", &new.agenda)?;
        let minutes = long("minutes", &new.minutes)?;
        if new.attendance.len() > MAX_ATTENDANCE {
            return Err(EditError::TooMany {
                field: "attendees",
                len: new.attendance.len(),
                max: MAX_ATTENDANCE,
            });
        }
        if new.decisions.len() > MAX_LIST {
            return Err(EditError::TooMany {
                field: "decisions",
                len: new.decisions.len(),
                max: MAX_LIST,
            });
        }
        self.edit_governed(by, "record meeting", at, |doc, gov| {
            if exists(doc, &["meetings", new.id.as_str()])? {
                return Err(EditError::Exists {
                    what: "meeting",
                    id: new.id.to_string(),
                });
            }
            let facilitator = known_member(gov, new.facilitator.as_str())?;
            let mut attendance = Vec::new();
            for m in &new.attendance {
                let m = known_member(gov, m.as_str())?;
                if !attendance.contains(&m) {
                    attendance.push(m);
                }
            }
            let mut decisions = Vec::new();
            for p in &new.decisions {
                if !exists(doc, &["proposals", p.as_str()])? {
                    return Err(EditError::Unknown {
                        what: "proposal",
                        id: p.to_string(),
                    });
                }
                decisions.push(p.clone());
            }
            let meeting = Meeting {
                id: new.id.clone(),
                day: new.day,
                facilitator,
                attendance,
                agenda,
                minutes: Prose(minutes),
                decisions,
                recorded_by: by.clone(),
            };
            let meetings = map_at(doc, &["meetings"])?;
            reconcile_prop(doc, &meetings, new.id.as_str(), &meeting)?;
            Ok(())
        })
    }
}

impl EditError {
    fn from_id(e: crate::ids::IdError) -> Self {
        EditError::Unknown {
            what: e.what,
            id: e.given,
        }
    }
}

fn commit_options(message: &str, at: Timestamp) -> CommitOptions {
    CommitOptions::default()
        .with_message(message.to_owned())
        .with_time(at.as_secs())
}

/// Shared records whose fields `restore` writes back, with those fields.
const RESTORABLE: &[(&str, &[&str])] = &[
    ("issues", &["title", "description", "status", "lead"]),
    ("pools", &["name", "unit", "description"]),
    ("meetings", &["minutes"]),
];

/// Writes a new member's record, once neither its id nor its node key is taken by any member
/// record.
fn write_new_member(
    doc: &mut AutoCommit,
    id: &MemberId,
    key: NodeKey,
    record: &Member,
) -> Result<(), EditError> {
    let records = members(doc)?;
    if records.contains_key(id.as_str()) {
        return Err(EditError::Exists {
            what: "member",
            id: id.to_string(),
        });
    }
    if records.values().any(|m| m.keys.contains(&key)) {
        return Err(EditError::Exists {
            what: "member with node key",
            id: key.to_string(),
        });
    }
    let members = map_at(doc, &["members"])?;
    reconcile_prop(doc, &members, id.as_str(), record)?;
    Ok(())
}

/// An amendment with its texts trimmed and checked.
fn amendment_checked(a: Amendment) -> Result<Amendment, EditError> {
    let a = Amendment {
        frame: a.frame.as_deref().map(|f| long("frame", f)).transpose()?,
        add_values: short_list("values", &a.add_values)?,
        add_commitments: short_list("commitments", &a.add_commitments)?,
        rules: a.rules,
        equity_threshold: a.equity_threshold,
    };
    if a.rules.len() > crate::values::RuleKind::ALL.len() {
        return Err(EditError::TooMany {
            field: "rule changes",
            len: a.rules.len(),
            max: crate::values::RuleKind::ALL.len(),
        });
    }
    for change in &a.rules {
        if let Some(rule) = change.rule {
            rule_sensible(change.kind, rule)?;
        }
    }
    if a.is_empty() {
        return Err(EditError::Refused {
            why: "an amendment must change something: give --frame, --add-value, \
                  --add-commitment, --rule or --equity-threshold"
                .into(),
        });
    }
    Ok(a)
}

/// A rule a coalition can decide by: some quorum (with none, one member alone could decide
/// for all while the others are away), and a super-majority above one half (at or below it,
/// a minority could pass a proposal and two opposite ones could both pass).
fn rule_sensible(kind: crate::values::RuleKind, rule: crate::tally::Rule) -> Result<(), EditError> {
    let why = if rule.quorum().num() == 0 {
        Some(format!(
            "the {kind} rule `{rule}` has no quorum (`@0`): give one above zero, such as @1/2"
        ))
    } else if let crate::tally::Method::SuperMajority(f) = rule.method()
        && !Fraction::HALF.exceeded_by(u128::from(f.num()), u128::from(f.den()))
    {
        Some(format!(
            "the {kind} rule `{rule}` is no super-majority: its fraction must be above one \
             half, such as 2/3 (for one half, use majority)"
        ))
    } else {
        None
    };
    match why {
        Some(why) => Err(EditError::Refused { why }),
        None => Ok(()),
    }
}

fn member_record(
    id: &MemberId,
    p: &MemberProfile,
    key: NodeKey,
    at: Timestamp,
) -> Result<Member, EditError> {
    Ok(Member {
        id: id.clone(),
        name: short("organization name", &p.name)?,
        communities: short_list("communities", &p.communities)?,
        languages: short_list("languages", &p.languages)?,
        accessibility: short_list("accessibility needs", &p.accessibility)?,
        contact: optional_short("contact", &p.contact)?,
        keys: vec![key],
        joined_at: at,
        left_at: None,
        admission: None,
        flagged: Vec::new(),
    })
}

fn tag_list(tags: &[String]) -> Result<Vec<String>, EditError> {
    if tags.len() > MAX_LIST {
        return Err(EditError::TooMany {
            field: "tags",
            len: tags.len(),
            max: MAX_LIST,
        });
    }
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = normalize_tag(t)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn resolve(prefix: &str, what: &'static str, keys: &[String]) -> Result<String, EditError> {
    Ok(resolve_prefix(prefix, what, keys.iter().map(String::as_str))?.to_owned())
}

/// The member records (small: read whole for every edit).
fn members(doc: &AutoCommit) -> Result<BTreeMap<MemberId, Member>, EditError> {
    // A record that does not read is left out (see `schema::records`).
    Ok(crate::schema::records(doc, "members", &mut Vec::new()))
}

/// Keys of the map at `path`.
fn keys_of(doc: &AutoCommit, path: &[&str]) -> Result<Vec<String>, EditError> {
    let obj = map_at(doc, path)?;
    Ok(doc.keys(&obj).collect())
}

/// Whether the map entry at `path` exists.
fn exists(doc: &AutoCommit, path: &[&str]) -> Result<bool, EditError> {
    let Some((last, parent)) = path.split_last() else {
        return Ok(true);
    };
    let obj = map_at(doc, parent)?;
    Ok(doc.get(&obj, *last)?.is_some())
}

/// The typed value at `path`, which must exist.
fn read_at<T: autosurgeon::Hydrate>(doc: &AutoCommit, path: &[&str]) -> Result<T, EditError> {
    let props = path.iter().map(|p| autosurgeon::Prop::Key((*p).into()));
    autosurgeon::hydrate_path(doc, &ROOT, props)?.ok_or_else(|| shape_error(path))
}

/// A member in force, by id, prefix or name.
fn known_member(gov: &InForce, member: &str) -> Result<MemberId, EditError> {
    Ok(find_member(&gov.members, member)?.clone())
}

/// The governance in force in `doc` at `at`.
///
/// Judged at the second `at` falls in, as receiving nodes judge the change, whose
/// metadata keeps whole seconds.
fn in_force(doc: &AutoCommit, at: Timestamp) -> Result<Arc<InForce>, EditError> {
    Governance::read(doc)
        .map(|g| g.in_force(Timestamp::from_secs(at.as_secs())))
        .ok_or_else(|| shape_error(&["members"]))
}

/// The member `given` names: an id or unique id prefix, or else an organization's exact name
/// (people know each other by name).
pub fn find_member<'a>(
    members: &'a BTreeMap<MemberId, Member>,
    given: &str,
) -> Result<&'a MemberId, crate::PrefixError> {
    let by_id = resolve_prefix(given, "member", members.keys().map(MemberId::as_str))
        .map(|id| members.get_key_value(id).map(|(k, _)| k));
    if let Ok(Some(id)) = by_id {
        return Ok(id);
    }
    let by_name: Vec<&Member> = members
        .values()
        .filter(|m| m.name.eq_ignore_ascii_case(given.trim()))
        .collect();
    match by_name.as_slice() {
        [m] => Ok(&m.id),
        _ => by_id.and_then(|id| {
            id.ok_or_else(|| crate::PrefixError::NotFound {
                what: "member",
                given: given.to_owned(),
            })
        }),
    }
}

fn member_name(doc: &AutoCommit, id: &str) -> String {
    read_at::<Member>(doc, &["members", id]).map_or_else(|_| id.to_owned(), |m| m.name)
}

fn append_entry(doc: &mut AutoCommit, pool: &str, record: &LedgerEntry) -> Result<(), EditError> {
    if exists(doc, &["pools", pool, "ledger", record.id.as_str()])? {
        return Err(EditError::Exists {
            what: "ledger entry",
            id: record.id.to_string(),
        });
    }
    let ledger = map_at(doc, &["pools", pool, "ledger"])?;
    reconcile_prop(doc, &ledger, record.id.as_str(), record)?;
    Ok(())
}

/// What a new proposal decides beyond its kind.
#[derive(Debug, Clone, Default)]
struct Subject {
    /// The member admitted or removed, or the request allocated.
    subject: Option<crate::schema::Subject>,
    /// For an amendment.
    amendment: Option<Amendment>,
}

fn open_proposal(
    doc: &mut AutoCommit,
    gov: &InForce,
    by: &MemberId,
    new: &NewProposal,
    what: Subject,
    at: Timestamp,
) -> Result<(), EditError> {
    if exists(doc, &["proposals", new.id.as_str()])? {
        return Err(EditError::Exists {
            what: "proposal",
            id: new.id.to_string(),
        });
    }
    if let Some(closes) = new.closes_at
        && closes <= at
    {
        return Err(EditError::Value(crate::values::ValueError {
            what: "closing time",
            given: closes.to_string(),
            expected: "a moment in the future".to_owned(),
        }));
    }
    let (rule, electorate) =
        crate::governance::rule_and_electorate(gov, new.kind, what.subject.as_ref())
            .map_err(|why| EditError::Refused { why })?;
    let proposal = Proposal {
        id: new.id.clone(),
        kind: new.kind,
        title: short("proposal title", &new.title)?,
        text: Prose(long("proposal text", &new.text)?),
        author: by.clone(),
        created_at: at,
        closes_at: new.closes_at,
        rule,
        electorate,
        positions: BTreeMap::new(),
        subject: what.subject,
        amendment: what.amendment,
    };
    let proposals = map_at(doc, &["proposals"])?;
    reconcile_prop(doc, &proposals, new.id.as_str(), &proposal)?;
    Ok(())
}

/// The object at `path` (map keys from the root), which must be a map.
fn map_at(doc: &AutoCommit, path: &[&str]) -> Result<ObjId, EditError> {
    obj_at(doc, path, ObjType::Map)
}

/// Adds `key` to the flags of `mine` (as read before this change, which has added `written`
/// flags since) unless it is there already; whether it added it.
fn add_flag(
    doc: &mut AutoCommit,
    mine: &Member,
    written: usize,
    key: NodeKey,
) -> Result<bool, EditError> {
    if mine.flagged.contains(&key) {
        return Ok(false);
    }
    if mine.flagged.len() + written >= MAX_FLAGS {
        return Err(EditError::TooMany {
            field: "flagged keys",
            len: mine.flagged.len() + written + 1,
            max: MAX_FLAGS,
        });
    }
    append(
        doc,
        &["members", mine.id.as_str()],
        "flagged",
        key.to_string(),
    )?;
    Ok(true)
}

/// Appends `item` to the list `field` of the record at `record` (made, if the record is from
/// before that field existed).
fn append(
    doc: &mut AutoCommit,
    record: &[&str],
    field: &str,
    item: String,
) -> Result<(), EditError> {
    let obj = map_at(doc, record)?;
    let list = match doc.get(&obj, field)? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(shape_error(&[record, &[field]].concat())),
        None => doc.put_object(&obj, field, ObjType::List)?,
    };
    let len = doc.length(&list);
    doc.insert(&list, len, item)?;
    Ok(())
}

/// The object at `path`, which must be a list.
fn list_at(doc: &AutoCommit, path: &[&str]) -> Result<ObjId, EditError> {
    obj_at(doc, path, ObjType::List)
}

fn obj_at(doc: &AutoCommit, path: &[&str], want: ObjType) -> Result<ObjId, EditError> {
    let mut obj = ROOT;
    for key in path {
        match doc.get(&obj, *key)? {
            Some((automerge::Value::Object(_), id)) => obj = id,
            _ => return Err(shape_error(path)),
        }
    }
    if doc.object_type(&obj)? != want {
        return Err(shape_error(path));
    }
    Ok(obj)
}

/// The text object at `key` of `obj`; a plain string there is converted to text first.
fn text_at(doc: &mut AutoCommit, obj: &ObjId, key: &str) -> Result<ObjId, EditError> {
    match doc.get(obj, key)? {
        Some((automerge::Value::Object(ObjType::Text), id)) => Ok(id),
        _ => Ok(doc.put_object(obj, key, ObjType::Text)?),
    }
}

fn shape_error(path: &[&str]) -> EditError {
    DocError::from(autosurgeon::HydrateError::unexpected(
        "an object",
        format!("nothing usable at {}", path.join("/")),
    ))
    .into()
}
