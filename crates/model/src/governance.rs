//! The governance in force, derived from what the document records.
//!
//! Nobody writes the charter in force or the member list in force: every node derives them
//! from the founding charter, the member records and the amendment and membership proposals
//! with their positions. A proposal that passed takes effect at the moment it was decided;
//! decisions apply in that order (ties by proposal id), so every node holding the same
//! changes derives the same charter versions and the same membership, whatever order the
//! changes arrived in.
//!
//! - A passed amendment applies its [`Amendment`] and becomes the next charter version,
//!   agreed by the members whose `agree` positions are recorded on it.
//! - A passed `remove/<m>` membership proposal removes member `m` from that moment.
//! - Under an admission rule that is a vote, a member record names its `admit/<m>`
//!   proposal and the member is in force once that proposal passed.
//! - A member that records `left_at` has left.
//!
//! The moment a proposal was decided is the latest of its counted positions when the
//! positions alone settle it, or its closing time when closing settles it. Only the latter
//! depends on the clock; [`Governance::in_force`] takes the moment to judge at.
//!
//! A passed amendment applies its frame, added values and commitments, rule changes and equity
//! threshold, and becomes the next numbered version; concurrent amendments compose. That every node
//! derives the same result whatever order changes arrived in is property-tested in
//! `tests/governance/arrival_order_and_cache.rs`.
//!
//! [`CoalitionDoc::read`](crate::CoalitionDoc::read) judges at the newest time of the document's
//! head changes ([`latest_moment`]: clock-free, the same on every node holding the same changes),
//! `read_at(now)` at the caller's clock. A coalition read lists the members in force in `members`
//! and the others (left, removed, awaiting a vote) in `former_members`. The facilitator rotation is
//! the members in force by joining date ([`facilitator_rotation`]); the next facilitator is the one
//! with the fewest turns (`reports::next_in_rotation`).
//!
//! [`Governance::read`] finds the governing proposals by their kinds in one pass over the
//! proposals' headers and reads only those whole. A [`CoalitionDoc`](crate::CoalitionDoc) keeps
//! what it read with its heads (`doc/governed.rs`), and the rules carry it along a batch
//! ([`crate::rules::Validator`]).
//!
//! Keys flagged for forking ([`InForce::flagged`], [`FLAGS_TO_REFUSE`], [`flaggers`]) are judged
//! here like everything else, at a change's dependencies; why and how nodes flag is in
//! `sync::forks`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use automerge::ROOT;
use autosurgeon::{Prop, ReadDoc};

use crate::ids::{MemberId, ProposalId};
use crate::reports::proposal_tally;
use crate::schema::{
    Amendment, Charter, CharterVersion, Coalition, Departure, DepartureStatus, Member,
    PositionRecord, Proposal, Rules, Subject,
};
use crate::tally::{Outcome, Rule};
use crate::values::{DecisionKind, NodeKey, Stance, Timestamp};

/// What governance is derived from, as read at some point of a document's history.
#[derive(Debug, Clone)]
pub struct Governance {
    /// Every member record: members in force, former members and members awaiting a vote.
    pub records: BTreeMap<MemberId, Arc<Member>>,
    /// The founding charter's decision rules.
    pub founding_rules: Rules,
    /// Amendment and membership proposals by id, without their titles and texts (no rule
    /// reads them): shared by every governance state derived while they stand unchanged.
    pub proposals: BTreeMap<ProposalId, Arc<Proposal>>,
    /// The state in force when it does not depend on the moment (no governance proposal
    /// awaits its closing time).
    fixed: Option<Arc<InForce>>,
    /// Members' lists of node keys and of flagged keys with their items' element ids, where
    /// the rules read them ([`Governance::read_judged`]): a change that only adds to or
    /// deletes from them is carried from its operations, without reading
    /// ([`Governance::reread`]).
    /// (Behind one `Arc`, shared by every state whose change wrote none of them.)
    lists: Arc<BTreeMap<MemberId, Arc<KeyLists>>>,
    /// Governing proposals' positions where the rules read them, to carry the next ones
    /// from operations ([`PositionsRead`]).
    /// (Shared as `lists` is.)
    positions: Arc<BTreeMap<ProposalId, Arc<PositionsRead>>>,
}

/// Other proposals' tallies where the rules read them to judge a position
/// (`Ctx::still_open`), to carry the next positions from operations as a governing
/// proposal's are ([`VoteRead`]). Not governance: the rules keep these beside it, so that a
/// position leaves the governance state it found shared (`Validator`).
pub(crate) type Votes = BTreeMap<ProposalId, Arc<VoteRead>>;

/// Most tallies carried at once: past it, a change keeps only those it read or wrote. Each
/// change that reads or writes one keeps its own copy of the map (its entries shared), so a
/// member taking positions on many proposals in turn would otherwise make every change copy
/// them all; one read again costs a few reads at past heads.
pub(crate) const MOST_VOTES: usize = 16;

/// `votes` after a change that read the tallies `read` (as they were before it) and wrote
/// `ops` under the positions of proposals and `other` proposals otherwise: each carried from
/// the operations where they only took positions, else dropped (read again when next
/// needed); `None` where the change left them as they were.
pub(crate) fn votes_after(
    votes: &Votes,
    read: Votes,
    ops: &BTreeMap<String, Vec<CopiedOp>>,
    other: &BTreeSet<String>,
) -> Option<Votes> {
    let id = |key: &String| key.parse::<ProposalId>().ok();
    let touched = |key: &String| id(key).is_some_and(|id| votes.contains_key(&id));
    if read.is_empty() && !ops.keys().any(touched) && !other.iter().any(touched) {
        return None;
    }
    let mine: BTreeSet<ProposalId> = read
        .keys()
        .cloned()
        .chain(ops.keys().filter_map(id))
        .collect();
    let mut votes = if votes.len() + read.len() > MOST_VOTES {
        votes
            .iter()
            .filter(|(k, _)| mine.contains(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    } else {
        votes.clone()
    };
    votes.extend(read);
    for id in other.iter().filter_map(id) {
        votes.remove(&id);
    }
    for (key, ops) in ops {
        let Some(id) = id(key) else {
            continue;
        };
        // A key that is not its proposal's id (refused by the rules) is never carried.
        let after = votes.get(&id).and_then(|v| v.after(ops));
        match after {
            Some(v) => votes.insert(id, Arc::new(v)),
            None => votes.remove(&id),
        };
    }
    Some(votes)
}

/// What a proposal's tally reads of it (`reports::Vote`: its rule, electorate, closing time,
/// positions), with where its positions are, to carry them from operations
/// ([`PositionsRead::after`]). A proposal's other fields are written once, with it.
#[derive(Debug, Clone)]
pub(crate) struct VoteRead {
    pub(crate) vote: crate::reports::Vote,
    /// Whether the proposal is a poll (decided by ballots: it takes no positions).
    pub(crate) poll: bool,
    read: PositionsRead,
}

/// A proposal's tally as [`VoteRead`] reads it: where `reports::Vote` reads its positions, a
/// [`Tracked`] reads them too.
#[derive(autosurgeon::Hydrate)]
struct TrackedVote {
    rule: crate::tally::Rule,
    electorate: Vec<MemberId>,
    positions: Tracked,
    #[autosurgeon(missing = "Default::default")]
    closes_at: Option<Timestamp>,
    /// Read as the proposal's record reads it (a poll's options are few and short).
    #[autosurgeon(missing = "Default::default")]
    poll: Option<crate::schema::PollSpec>,
}

impl VoteRead {
    /// Proposal `key`'s tally as `doc` reads it, if it reads as one.
    pub(crate) fn read<D: ReadDoc>(doc: &D, key: &str) -> Option<Self> {
        let t: TrackedVote =
            autosurgeon::hydrate_path(doc, &ROOT, ["proposals", key].map(|k| Prop::Key(k.into())))
                .ok()??;
        Some(Self {
            vote: crate::reports::Vote {
                rule: t.rule,
                electorate: t.electorate,
                positions: t.positions.positions,
                closes_at: t.closes_at,
            },
            poll: t.poll.is_some(),
            read: t.positions.read,
        })
    }

    /// The tally after `ops` (every operation of a change under the proposal), where they
    /// only took positions over what was read ([`PositionsRead::after`]).
    fn after(&self, ops: &[CopiedOp]) -> Option<Self> {
        let (positions, read) = self.read.after(&self.vote.positions, ops)?;
        Some(Self {
            vote: crate::reports::Vote {
                rule: self.vote.rule,
                electorate: self.vote.electorate.clone(),
                positions,
                closes_at: self.vote.closes_at,
            },
            poll: self.poll,
            read,
        })
    }
}

/// Governance is what it is derived from: which lists the rules could carry from operations
/// is not part of it.
impl PartialEq for Governance {
    fn eq(&self, other: &Self) -> bool {
        self.records == other.records
            && self.founding_rules == other.founding_rules
            && self.proposals == other.proposals
    }
}

/// An element of a list: the id of the operation that inserted it.
type Elem = (u64, automerge::ActorId);

/// A member's list of keys (its node keys, or those it flagged) as the rules read it: the
/// list object and each item with the id of the operation whose value it holds. An item
/// never written over holds its own insertion's value, so that id is its element's; an
/// item written over (which the rules refuse, but a history judged before they did may
/// hold) names no element of the list and is never matched by an operation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listed {
    /// The list object; none where the record has no such list.
    obj: Option<automerge::ObjId>,
    items: Vec<(Elem, NodeKey)>,
}

impl autosurgeon::Hydrate for Listed {
    fn hydrate_seq<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        // One read of the whole list, rather than its length and each item.
        let mut items = Vec::new();
        for item in doc.list_range(obj, ..) {
            let key = match item.value.clone().into_value() {
                automerge::Value::Scalar(v) => {
                    <NodeKey as autosurgeon::Hydrate>::hydrate_scalar(v)?
                }
                // As a list of keys reads it: an object is not a key.
                automerge::Value::Object(_) => <NodeKey as autosurgeon::Hydrate>::hydrate(
                    doc,
                    obj,
                    Prop::Index(item.index as u32),
                )?,
            };
            let automerge::ObjId::Id(counter, actor, _) = item.id() else {
                return Err(autosurgeon::HydrateError::unexpected(
                    "a list item",
                    "the root".to_owned(),
                ));
            };
            items.push(((counter, actor), key));
        }
        Ok(Self {
            obj: Some(obj.clone()),
            items,
        })
    }
}

impl Listed {
    fn keys(&self) -> Vec<NodeKey> {
        self.items.iter().map(|(_, k)| *k).collect()
    }

    /// The list after `ops`, made on it: `None` if one is not an insertion of a key (with no
    /// predecessor) or a deletion of exactly the one value of an item this list holds, or is
    /// on another list.
    ///
    /// Items inserted go last, not where Automerge places them: the order differs from a
    /// read's only while the list holds at most `MAX_LIST` items (an insertion into a longer
    /// one is refused, `rules::list_cap`, and deletions keep the order read), so the first
    /// `MAX_FLAGS` flags, which `InForce` counts, are the same items either way.
    fn after(&self, ops: &[&ListOp]) -> Option<Self> {
        if ops.is_empty() {
            return Some(self.clone());
        }
        let Some(automerge::ObjId::Id(counter, actor, _)) = &self.obj else {
            return None;
        };
        let mut deleted = std::collections::HashSet::new();
        let mut inserted = Vec::new();
        for op in ops {
            if (op.list.0 != *counter) || (op.list.1 != *actor) {
                return None;
            }
            match &op.edit {
                ListEdit::Insert(elem, value) => {
                    let key = <NodeKey as autosurgeon::Hydrate>::hydrate_string(value).ok()?;
                    inserted.push((elem.clone(), key));
                }
                ListEdit::Delete(elem, preds) => {
                    // Only what deletes the one value the item holds deletes the item; an
                    // item deleted twice, or one this change inserted, is read again.
                    if preds.len() != 1 || preds[0] != *elem || !deleted.insert(elem) {
                        return None;
                    }
                }
            }
        }
        let before = self.items.len();
        let mut items: Vec<(Elem, NodeKey)> = self
            .items
            .iter()
            .filter(|(e, _)| !deleted.contains(e))
            .cloned()
            .collect();
        if before - items.len() != deleted.len() {
            return None;
        }
        items.extend(inserted);
        Some(Self {
            obj: self.obj.clone(),
            items,
        })
    }
}

/// A member's two lists of keys as the rules read them.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyLists {
    keys: Listed,
    flagged: Listed,
}

impl KeyLists {
    /// How many items the list of flagged keys holds after `ops` (a change's operations on
    /// the member's lists of keys), if it is the list `counter`/`actor` and they can be
    /// carried ([`Listed::after`]).
    pub(crate) fn flagged_after(
        &self,
        counter: u64,
        actor: &automerge::ActorId,
        ops: &[ListOp],
    ) -> Option<usize> {
        let is = matches!(&self.flagged.obj, Some(automerge::ObjId::Id(c, a, _)) if *c == counter && a == actor);
        let ops: Vec<&ListOp> = ops.iter().filter(|o| o.field == KeyList::Flagged).collect();
        is.then(|| self.flagged.after(&ops))
            .flatten()
            .map(|l| l.items.len())
    }
}

/// Which of a member's lists of keys an operation writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyList {
    Keys,
    Flagged,
}

/// What an operation did to an item of a member's list of keys.
#[derive(Debug)]
pub(crate) enum ListEdit {
    /// Inserted an item (its element is the operation) with this value.
    Insert(Elem, String),
    /// Deleted the values `preds` of the item `elem`.
    Delete(Elem, Vec<Elem>),
}

/// One operation on an item of a member's list of keys, as a change wrote it.
#[derive(Debug)]
pub(crate) struct ListOp {
    pub(crate) field: KeyList,
    /// The list object.
    pub(crate) list: Elem,
    pub(crate) edit: ListEdit,
}

/// A governing proposal as [`Governance`] keeps it: without its title and text, which no
/// rule reads (an amendment's text is read for people; what it changes is its `amendment`).
fn governing(p: Proposal) -> Proposal {
    Proposal {
        title: String::new(),
        text: crate::schema::Prose::default(),
        ..p
    }
}

/// A list the rules do not read the items of ([`Judged`]): whether it is there and is a
/// list is all that reading it tells.
struct Unread;

impl autosurgeon::Hydrate for Unread {
    fn hydrate_seq<D: ReadDoc>(
        _doc: &D,
        _obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        Ok(Self)
    }
}

/// A member record as the rules read it ([`Governance::read_judged`]): every field but the
/// items of its profile's lists (communities, languages, accessibility needs), which no rule
/// reads. Their bound is judged where they are written (`rules::list_cap`), at each change;
/// merged from a member's many nodes each adding up to the bound at once they can hold far
/// more, and every governance state the rules keep would copy them. It reads where a
/// [`Member`] reads, but for a list item of another type, which the rules refuse on receipt.
#[derive(autosurgeon::Hydrate)]
struct Judged {
    id: MemberId,
    name: String,
    #[allow(dead_code)] // read for whether it is there, as a `Member` reads it
    communities: Unread,
    #[allow(dead_code)] // as `communities`
    languages: Unread,
    #[allow(dead_code)] // as `communities`
    accessibility: Unread,
    contact: String,
    keys: Listed,
    joined_at: Timestamp,
    #[autosurgeon(missing = "Default::default")]
    left_at: Option<Timestamp>,
    #[autosurgeon(missing = "Default::default")]
    admission: Option<ProposalId>,
    #[autosurgeon(missing = "Default::default")]
    flagged: Listed,
}

/// A member record as read for governance, with its lists of keys where the rules read them.
trait Record: autosurgeon::Hydrate {
    fn split(self) -> (Member, Option<KeyLists>);
}

impl Record for Member {
    fn split(self) -> (Member, Option<KeyLists>) {
        (self, None)
    }
}

impl Record for Judged {
    fn split(self) -> (Member, Option<KeyLists>) {
        let member = Member {
            id: self.id,
            name: self.name,
            communities: Vec::new(),
            languages: Vec::new(),
            accessibility: Vec::new(),
            contact: self.contact,
            keys: self.keys.keys(),
            joined_at: self.joined_at,
            left_at: self.left_at,
            admission: self.admission,
            flagged: self.flagged.keys(),
        };
        let lists = KeyLists {
            keys: self.keys,
            flagged: self.flagged,
        };
        (member, Some(lists))
    }
}

/// A proposal's positions alone, as the rules read them ([`Governance::reread`]).
#[derive(autosurgeon::Hydrate)]
struct Positions {
    positions: Tracked,
}

/// A governing proposal's positions with what lets the rules carry the next ones from
/// operations ([`PositionsRead`]). Reads where a map of positions by member reads.
struct Tracked {
    positions: BTreeMap<MemberId, PositionRecord>,
    read: PositionsRead,
}

/// Where a governing proposal's positions are, as the rules read them: a change that only
/// takes positions (makes a member's position anew, or writes its fields over exactly the
/// values read) leaves what was read plus what its operations wrote, with no read
/// ([`PositionsRead::after`]).
#[derive(Debug, Clone)]
pub(crate) struct PositionsRead {
    /// The proposal's map of positions.
    obj: Elem,
    /// Each key of the map: its position object and, for each field, the operation whose
    /// value it holds; none where the key or a field holds conflicting values.
    members: BTreeMap<String, Option<Placed>>,
}

/// One member's position object, as [`PositionsRead`] keeps it.
#[derive(Debug, Clone)]
struct Placed {
    obj: Elem,
    fields: BTreeMap<&'static str, Elem>,
}

/// The fields of a position ([`PositionRecord`]).
const POSITION_FIELDS: [&str; 3] = ["stance", "reason", "at"];

fn position_field(key: &str) -> Option<&'static str> {
    POSITION_FIELDS.into_iter().find(|f| *f == key)
}

/// A position's fields as they are written, each hydrated as [`PositionRecord`] reads it.
#[derive(Default)]
struct Partial {
    stance: Option<crate::values::Stance>,
    reason: Option<String>,
    at: Option<Timestamp>,
}

impl Partial {
    fn of(p: &PositionRecord) -> Self {
        Self {
            stance: Some(p.stance),
            reason: Some(p.reason.clone()),
            at: Some(p.at),
        }
    }

    fn set(
        &mut self,
        field: &str,
        v: std::borrow::Cow<'_, automerge::ScalarValue>,
    ) -> Result<(), autosurgeon::HydrateError> {
        use autosurgeon::Hydrate;
        match field {
            "stance" => self.stance = Some(crate::values::Stance::hydrate_scalar(v)?),
            "reason" => self.reason = Some(String::hydrate_scalar(v)?),
            _ => self.at = Some(Timestamp::hydrate_scalar(v)?),
        }
        Ok(())
    }

    /// The position, if every field is written.
    fn done(self) -> Option<PositionRecord> {
        Some(PositionRecord {
            stance: self.stance?,
            reason: self.reason?,
            at: self.at?,
        })
    }
}

fn elem_of(id: &automerge::ObjId) -> Result<Elem, autosurgeon::HydrateError> {
    match id {
        automerge::ObjId::Id(counter, actor, _) => Ok((*counter, actor.clone())),
        automerge::ObjId::Root => Err(autosurgeon::HydrateError::unexpected(
            "an object",
            "the root".to_owned(),
        )),
    }
}

/// One member's position at `obj`, read as a [`PositionRecord`] reads (one read of the
/// object rather than one per field), with its fields' operations unless one conflicts.
fn read_position<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
) -> Result<(PositionRecord, Option<Placed>), autosurgeon::HydrateError> {
    let mut partial = Partial::default();
    let mut fields = BTreeMap::new();
    let mut clean = true;
    for item in doc.map_range(obj, ..) {
        let Some(field) = position_field(&item.key) else {
            continue;
        };
        clean &= !item.conflict;
        fields.insert(field, elem_of(&item.id())?);
        match item.value.clone().into_value() {
            automerge::Value::Scalar(v) => partial.set(field, v)?,
            // As the field reads there: an object is not one.
            automerge::Value::Object(_) => {
                return Err(autosurgeon::HydrateError::unexpected(
                    "a value",
                    "an object".to_owned(),
                ));
            }
        }
    }
    let record = partial.done().ok_or_else(|| {
        autosurgeon::HydrateError::unexpected("every field of a position", "fewer".to_owned())
    })?;
    let placed = Placed {
        obj: elem_of(obj)?,
        fields,
    };
    Ok((record, clean.then_some(placed)))
}

impl autosurgeon::Hydrate for Tracked {
    fn hydrate_map<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, autosurgeon::HydrateError> {
        // As a map of positions reads (`map_with_parseable_keys`): a table is not one.
        if doc.object_type(obj) != Some(automerge::ObjType::Map) {
            return Err(autosurgeon::HydrateError::unexpected(
                "a map",
                "something else".to_owned(),
            ));
        }
        let mut positions = BTreeMap::new();
        let mut members = BTreeMap::new();
        let items: Vec<_> = doc
            .map_range(obj, ..)
            .map(|i| {
                let value = i.value.clone().into_value();
                (i.key.to_string(), value, i.conflict, i.id())
            })
            .collect();
        // An object's id is the id of the operation that made it, which holds the key.
        for (key, value, conflict, position) in items {
            let member = key
                .parse::<MemberId>()
                .map_err(|e| autosurgeon::HydrateError::unexpected("a member id", e.to_string()))?;
            let automerge::Value::Object(automerge::ObjType::Map | automerge::ObjType::Table) =
                value
            else {
                return Err(autosurgeon::HydrateError::unexpected(
                    "a position",
                    "something else".to_owned(),
                ));
            };
            let (record, placed) = read_position(doc, &position)?;
            positions.insert(member, record);
            members.insert(key, placed.filter(|_| !conflict));
        }
        Ok(Self {
            positions,
            read: PositionsRead {
                obj: elem_of(obj)?,
                members,
            },
        })
    }
}

impl PositionsRead {
    /// The positions after `ops` (every operation of a change under their proposal), made on
    /// `positions` as read here: `None` unless each makes a member's position anew in place
    /// of the one read, or writes a field of a position read or made once, over exactly the
    /// value read.
    fn after(
        &self,
        positions: &BTreeMap<MemberId, PositionRecord>,
        ops: &[CopiedOp],
    ) -> Option<(BTreeMap<MemberId, PositionRecord>, Self)> {
        let mut read = self.clone();
        let mut partial: BTreeMap<String, Partial> = BTreeMap::new();
        for op in ops {
            let (obj, key) = (op.obj.as_ref()?, op.key.as_deref()?);
            if op.insert {
                return None;
            }
            if *obj == read.obj {
                // A member's position made anew, in place of what was read there.
                if op.action != Copied::MakeMap {
                    return None;
                }
                let expected: Vec<Elem> = match read.members.get(key) {
                    Some(Some(p)) => vec![p.obj.clone()],
                    Some(None) => return None,
                    None => Vec::new(),
                };
                if op.preds != expected {
                    return None;
                }
                let placed = Placed {
                    obj: op.id.clone(),
                    fields: BTreeMap::new(),
                };
                read.members.insert(key.to_owned(), Some(placed));
                partial.insert(key.to_owned(), Partial::default());
                continue;
            }
            let (member, placed) = read
                .members
                .iter_mut()
                .find(|(_, p)| p.as_ref().is_some_and(|p| p.obj == *obj))?;
            let placed = placed.as_mut()?;
            let (Copied::Put(v), Some(field)) = (&op.action, position_field(key)) else {
                return None;
            };
            // Over exactly the value there: then it alone holds the field after.
            let over: Vec<Elem> = placed.fields.get(field).cloned().into_iter().collect();
            if op.preds != over {
                return None;
            }
            placed.fields.insert(field, op.id.clone());
            let p = match partial.entry(member.clone()) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(Partial::of(positions.get(member.as_str())?))
                }
            };
            p.set(field, std::borrow::Cow::Borrowed(v)).ok()?;
        }
        let mut positions = positions.clone();
        for (member, p) in partial {
            positions.insert(member.parse().ok()?, p.done()?);
        }
        Some((positions, read))
    }
}

/// What the rules keep of an operation under a governing proposal, to carry its positions
/// from ([`PositionsRead::after`]).
#[derive(Debug)]
pub(crate) struct CopiedOp {
    pub(crate) id: Elem,
    /// The object it writes in (none: the root).
    pub(crate) obj: Option<Elem>,
    /// The key it writes in a map (none: a list position).
    pub(crate) key: Option<String>,
    pub(crate) insert: bool,
    pub(crate) action: Copied,
    pub(crate) preds: Vec<Elem>,
}

/// What a [`CopiedOp`] does.
#[derive(Debug, PartialEq)]
pub(crate) enum Copied {
    MakeMap,
    Put(automerge::ScalarValue),
    Other,
}

/// What one change wrote of what governance is derived from ([`Governance::reread`]).
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Keys of the member records it wrote a governing field of, or made, other than by
    /// adding to or deleting from their lists of keys alone.
    pub(crate) members: BTreeSet<String>,
    /// Keys of the member records it wrote only by adding to or deleting from their lists of
    /// keys, with those operations.
    pub(crate) lists: BTreeMap<String, Vec<ListOp>>,
    /// Every operation under each governing proposal it wrote in (`proposals` names them).
    pub(crate) proposal_ops: BTreeMap<String, Vec<CopiedOp>>,
    /// Every operation under the positions of each other proposal it wrote in, and the other
    /// proposals it wrote otherwise (made, or wrote a field of): not governance
    /// ([`votes_after`]).
    pub(crate) vote_ops: BTreeMap<String, Vec<CopiedOp>>,
    pub(crate) vote_other: BTreeSet<String>,
    /// Whether it wrote the charter's rules.
    pub(crate) rules: bool,
    /// Keys of the proposals it made or wrote in that are (or may be) governing ones.
    pub(crate) proposals: BTreeSet<String>,
    /// Whether it wrote in a way not named above: the governance is read whole again.
    pub(crate) whole: bool,
}

impl Written {
    /// Whether the change wrote anything governance is derived from.
    pub(crate) fn any(&self) -> bool {
        self.whole
            || self.rules
            || !self.members.is_empty()
            || !self.lists.is_empty()
            || !self.proposals.is_empty()
    }
}

/// How many members in force other than a key's own must flag it before its changes are
/// refused ([`InForce::flagged`]).
pub const FLAGS_TO_REFUSE: usize = 2;

/// The governance in force at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct InForce {
    /// Members in force, by id.
    pub members: BTreeMap<MemberId, Arc<Member>>,
    /// The decision rules in force.
    pub rules: Rules,
    /// Members' weights in polls, per kind of decision (from passed amendments).
    pub weights: crate::schema::Weights,
    /// Passed amendment and membership proposals, in the order they took effect.
    pub decisions: Vec<Decision>,
    /// Member records not in force: left, removed, or awaiting an admission vote.
    pub departures: BTreeMap<MemberId, Departure>,
    /// Keys flagged by enough members in force ([`InForce::flagged`]).
    refused: BTreeSet<NodeKey>,
}

/// A passed governance proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The proposal id.
    pub proposal: ProposalId,
    /// Amendment or membership.
    pub kind: DecisionKind,
    /// When it was decided.
    pub at: Timestamp,
    /// Members whose counted position was `agree`.
    pub agreed_by: Vec<MemberId>,
    /// The proposal, as governance keeps it (its amendment is read from it: one copy for
    /// every governance state derived while it stands).
    source: Arc<Proposal>,
}

impl Decision {
    /// For an amendment, what it changes.
    pub fn amendment(&self) -> Option<&Amendment> {
        self.source
            .amendment
            .as_ref()
            .filter(|_| self.kind == DecisionKind::Amendment)
    }
}

/// The member among `members` holding the node key `key`.
fn holding<'a>(members: &'a BTreeMap<MemberId, Arc<Member>>, key: &[u8]) -> Option<&'a MemberId> {
    members
        .values()
        .find(|m| m.keys.iter().any(|k| k.as_bytes().as_slice() == key))
        .map(|m| &m.id)
}

impl Governance {
    /// The member record (in force or not) holding `key`.
    pub fn record_holding(&self, key: &[u8]) -> Option<&MemberId> {
        holding(&self.records, key)
    }
}

impl InForce {
    /// The name of a member in force or one that left, was removed or awaits its vote, if
    /// this coalition knows it.
    pub fn name_of(&self, id: &MemberId) -> Option<&str> {
        self.members
            .get(id)
            .map(|m| &**m)
            .or_else(|| self.departures.get(id).map(|d| &d.member))
            .map(|m| m.name.as_str())
    }

    /// Every member record: the members in force, then those that left, were removed or
    /// await their vote.
    pub fn every_member(&self) -> impl Iterator<Item = &Member> {
        self.members
            .values()
            .map(|m| &**m)
            .chain(self.departures.values().map(|d| &d.member))
    }

    /// The members in force, each record its own copy (as a stored coalition holds them).
    pub fn members_owned(&self) -> BTreeMap<MemberId, Member> {
        self.members
            .iter()
            .map(|(id, m)| (id.clone(), (**m).clone()))
            .collect()
    }

    /// The member in force holding `key`.
    pub fn member_of(&self, key: &[u8]) -> Option<&MemberId> {
        holding(&self.members, key)
    }

    /// Whether `key` is flagged: at least [`FLAGS_TO_REFUSE`] members in force other than
    /// the one holding it list it in their `flagged` keys (each after checking evidence that
    /// it wrote two histories). Judged, like everything here, at a change's dependencies, so
    /// a change made after its author's key was flagged is refused on every node alike,
    /// while one made concurrently with the flags is not. Two flags, not one, so that no
    /// single member can silence another's key by flagging it without cause.
    pub fn flagged(&self, key: &[u8]) -> bool {
        <[u8; 32]>::try_from(key).is_ok_and(|k| self.refused.contains(&NodeKey::from_bytes(k)))
    }
}

/// Whether proposals of `kind` can change governance.
pub fn governs(kind: DecisionKind) -> bool {
    matches!(kind, DecisionKind::Amendment | DecisionKind::Membership)
}

impl Governance {
    /// Reads the governance inputs of `doc` (any [`ReadDoc`], e.g. [`crate::rules::At`] for
    /// a past state). `None` before the founding change or if the document is not a
    /// coalition.
    pub fn read<D: ReadDoc>(doc: &D) -> Option<Self> {
        Self::read_as::<D, Member>(doc)
    }

    /// This governance with every member record read whole from `doc` (as
    /// [`Governance::read`] reads them), the rest kept.
    pub(crate) fn with_records<D: ReadDoc>(&self, doc: &D) -> Self {
        let records: BTreeMap<MemberId, Member> =
            crate::schema::records(doc, "members", &mut Vec::new());
        let records = records
            .into_iter()
            .map(|(id, m)| (id, Arc::new(m)))
            .collect();
        let mut g = Self::of(records, self.founding_rules.clone(), self.proposals.clone());
        g.lists = self.lists.clone();
        g.positions = self.positions.clone();
        g
    }

    /// The lists of keys of member `id` as the rules read them, if they did.
    pub(crate) fn key_lists(&self, id: &str) -> Option<&KeyLists> {
        self.lists.get(id).map(|l| &**l)
    }

    /// [`Governance::read`] as the rules read it: members' records without their profile
    /// lists' items ([`Judged`]), which no rule reads.
    pub(crate) fn read_judged<D: ReadDoc>(doc: &D) -> Option<Self> {
        Self::read_as::<D, Judged>(doc)
    }

    /// [`Governance::read`], each member record read as a `R`.
    #[allow(private_bounds)] // `Record` is this module's own
    fn read_as<D: ReadDoc, R: Record>(doc: &D) -> Option<Self> {
        // A member record that does not read (one stored before every value was checked on
        // receipt) is left out rather than leave the coalition without governance.
        let read: BTreeMap<MemberId, R> = crate::schema::records(doc, "members", &mut Vec::new());
        let mut records = BTreeMap::new();
        let mut lists = BTreeMap::new();
        for (id, r) in read {
            let (member, listed) = r.split();
            if let Some(l) = listed {
                lists.insert(id.clone(), Arc::new(l));
            }
            records.insert(id, member);
        }
        let founding_rules = autosurgeon::hydrate_path(
            doc,
            &ROOT,
            ["charter", "rules"].map(|k| Prop::Key(k.into())),
        )
        .ok()??;
        // Which proposals govern, from their kinds read in one pass over the proposals (not
        // each looked up from the top of the document); only those are read whole.
        let mut proposals = BTreeMap::new();
        if let Ok(Some((automerge::Value::Object(_), obj))) = doc.get(&ROOT, "proposals") {
            let kinds = crate::records::proposal_kinds(doc);
            for (id, _) in kinds.iter().filter(|(_, k)| governs(**k)) {
                if let Ok(Some(p)) = autosurgeon::hydrate_path::<_, Proposal, _>(
                    doc,
                    &obj,
                    [Prop::Key(id.as_str().into())],
                ) {
                    // Keyed by where it is stored, as the whole read keys it (the rules
                    // refuse a proposal whose id is not its key).
                    proposals.insert(id.clone(), p);
                }
            }
        }
        let mut g = Self::new(records, founding_rules, proposals);
        g.lists = Arc::new(lists);
        Some(g)
    }

    /// The governance after a change that wrote only into the records `written` names, read
    /// from `doc` (as it was just after that change) for those records alone, the others kept
    /// from `self` (as it was just before): what [`Governance::read`] would read there whole,
    /// for a fraction of the reads. Reads at past heads cost Automerge a walk back through
    /// the history each, so the rules read only what a change could have changed. Member
    /// records are read as the rules read them ([`Governance::read_judged`]).
    pub(crate) fn reread<D: ReadDoc>(&self, doc: &D, written: &Written) -> Option<Self> {
        if written.whole {
            return Self::read_judged(doc);
        }
        // Each collection is looked up only if the change wrote in it: every lookup is a
        // read at past heads.
        let mut records = self.records.clone();
        let mut lists = self.lists.clone();
        // A member whose lists of keys the change only added to or deleted from, and whose
        // lists the rules read before: carried from the operations, exactly as reading would
        // find them but for their order (which no rule reads). Else read.
        let mut to_read: Vec<&String> = written.members.iter().collect();
        for (key, ops) in &written.lists {
            if written.members.contains(key) {
                continue;
            }
            let carried = key.parse::<MemberId>().ok().and_then(|id| {
                let (record, listed) = (self.records.get(&id)?, self.lists.get(&id)?);
                let on = |field| ops.iter().filter(move |o: &&ListOp| o.field == field);
                let keys_ops: Vec<&ListOp> = on(KeyList::Keys).collect();
                let flag_ops: Vec<&ListOp> = on(KeyList::Flagged).collect();
                let after = KeyLists {
                    keys: listed.keys.after(&keys_ops)?,
                    flagged: listed.flagged.after(&flag_ops)?,
                };
                let member = Member {
                    keys: after.keys.keys(),
                    flagged: after.flagged.keys(),
                    ..(**record).clone()
                };
                Some((id, member, after))
            });
            match carried {
                Some((id, member, after)) => {
                    records.insert(id.clone(), Arc::new(member));
                    Arc::make_mut(&mut lists).insert(id, Arc::new(after));
                }
                None => to_read.push(key),
            }
        }
        if !to_read.is_empty() {
            let Some(members) = crate::records::collection(doc, "members") else {
                return Self::read_judged(doc);
            };
            for key in to_read {
                let Ok(id) = key.parse::<MemberId>() else {
                    continue;
                };
                // As `schema::records` reads each entry: one that does not read is left out.
                match crate::schema::read_entry::<_, MemberId, Judged>(doc, &members, key) {
                    Ok((k, m)) => {
                        let (member, listed) = m.split();
                        if let Some(l) = listed {
                            Arc::make_mut(&mut lists).insert(k.clone(), Arc::new(l));
                        }
                        records.insert(k, Arc::new(member))
                    }
                    Err(_) => {
                        Arc::make_mut(&mut lists).remove(&id);
                        records.remove(&id)
                    }
                };
            }
        }
        let founding_rules = if written.rules {
            autosurgeon::hydrate_path(
                doc,
                &ROOT,
                ["charter", "rules"].map(|k| Prop::Key(k.into())),
            )
            .ok()??
        } else {
            self.founding_rules.clone()
        };
        let mut proposals = self.proposals.clone();
        let mut tracked = self.positions.clone();
        // Looked up once, the first time it is needed.
        let mut found: Option<Option<automerge::ObjId>> = None;
        for key in &written.proposals {
            let Ok(id) = key.parse::<ProposalId>() else {
                continue;
            };
            // One that governed already: only its positions can have changed (a proposal's
            // other fields are written once, with it): carried from the operations where
            // they only took positions over what the rules read, else only they are read.
            if let Some(p) = proposals.get_mut(&id) {
                let carried = tracked
                    .get(&id)
                    .zip(written.proposal_ops.get(key))
                    .and_then(|(read, ops)| read.after(&p.positions, ops));
                if let Some((positions, read)) = carried {
                    Arc::make_mut(p).positions = positions;
                    Arc::make_mut(&mut tracked).insert(id, Arc::new(read));
                    continue;
                }
            }
            let collection = found
                .get_or_insert_with(|| crate::records::collection(doc, "proposals"))
                .as_ref();
            let Some(collection) = collection else {
                proposals.remove(&id);
                Arc::make_mut(&mut tracked).remove(&id);
                continue;
            };
            if let Some(p) = proposals.get_mut(&id) {
                match autosurgeon::hydrate_path::<_, Positions, _>(
                    doc,
                    collection,
                    [Prop::Key(id.as_str().into())],
                ) {
                    Ok(Some(read)) => {
                        Arc::make_mut(p).positions = read.positions.positions;
                        Arc::make_mut(&mut tracked).insert(id, Arc::new(read.positions.read));
                    }
                    _ => {
                        proposals.remove(&id);
                        Arc::make_mut(&mut tracked).remove(&id);
                    }
                }
                continue;
            }
            // As `read` finds them: a map whose kind governs, read whole from the object
            // found.
            if let Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) =
                doc.get(collection, key.as_str())
                && crate::records::proposal_kind(doc, &obj).is_some_and(governs)
                && let Ok(p) = <Proposal as autosurgeon::Hydrate>::hydrate_map(doc, &obj)
            {
                proposals.insert(id, Arc::new(governing(p)));
            }
        }
        let mut g = Self::of(records, founding_rules, proposals);
        g.lists = lists;
        g.positions = tracked;
        Some(g)
    }

    /// Governance from its inputs.
    pub fn new(
        records: BTreeMap<MemberId, Member>,
        founding_rules: Rules,
        proposals: BTreeMap<ProposalId, Proposal>,
    ) -> Self {
        let records = records
            .into_iter()
            .map(|(id, m)| (id, Arc::new(m)))
            .collect();
        let proposals = proposals
            .into_iter()
            .map(|(id, p)| (id, Arc::new(governing(p))))
            .collect();
        Self::of(records, founding_rules, proposals)
    }

    /// [`Governance::new`] with the proposals as it keeps them.
    fn of(
        records: BTreeMap<MemberId, Arc<Member>>,
        founding_rules: Rules,
        proposals: BTreeMap<ProposalId, Arc<Proposal>>,
    ) -> Self {
        let mut g = Self {
            records,
            founding_rules,
            proposals,
            fixed: None,
            lists: Arc::default(),
            positions: Arc::default(),
        };
        let waits_for_clock = g.proposals.values().any(|p| {
            p.closes_at.is_some() && proposal_tally(p, Timestamp::MIN).outcome == Outcome::Open
        });
        if !waits_for_clock {
            g.fixed = Some(Arc::new(g.derive(Timestamp::MIN)));
        }
        g
    }

    /// The governance in force at `now`.
    pub fn in_force(&self, now: Timestamp) -> Arc<InForce> {
        match &self.fixed {
            Some(f) => f.clone(),
            None => Arc::new(self.derive(now)),
        }
    }

    fn derive(&self, now: Timestamp) -> InForce {
        let mut decisions: Vec<Decision> = self
            .proposals
            .values()
            .filter_map(|p| decided(p, now))
            .collect();
        decisions.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.proposal.cmp(&b.proposal)));
        let mut members: BTreeMap<MemberId, Arc<Member>> = BTreeMap::new();
        let mut departures: BTreeMap<MemberId, Departure> = BTreeMap::new();
        for m in self.records.values() {
            match &m.admission {
                None => {
                    members.insert(m.id.clone(), m.clone());
                }
                Some(p) => {
                    departures.insert(
                        m.id.clone(),
                        departure(m, DepartureStatus::Pending, Some(p), None),
                    );
                }
            }
        }
        let mut rules = self.founding_rules.clone();
        // The founding charter weighs every member one (`rules::Validator::check_founding`).
        let mut weights = crate::schema::Weights::default();
        for d in &decisions {
            if let Some(a) = d.amendment() {
                for change in &a.rules {
                    rules.set(change);
                }
                for change in &a.weights {
                    weights.set(change);
                }
            }
            let Some(p) = self.proposals.get(&d.proposal) else {
                continue;
            };
            match subject(p) {
                Some(Subject::Admit(m)) => {
                    if let Some(pending) = departures.get(m)
                        && pending.status == DepartureStatus::Pending
                        && pending.proposal.as_ref() == Some(&p.id)
                        && let Some(gone) = departures.remove(m)
                    {
                        members.insert(m.clone(), Arc::new(gone.member));
                    }
                }
                Some(Subject::Remove(m)) => {
                    if let Some(gone) = members.remove(m) {
                        let d = departure(&gone, DepartureStatus::Removed, Some(&p.id), Some(d.at));
                        departures.insert(m.clone(), d);
                    }
                }
                _ => {}
            }
        }
        let left: Vec<MemberId> = members
            .values()
            .filter(|m| m.left_at.is_some())
            .map(|m| m.id.clone())
            .collect();
        for m in left {
            if let Some(gone) = members.remove(&m) {
                let d = departure(&gone, DepartureStatus::Left, None, gone.left_at);
                departures.insert(m, d);
            }
        }
        let refused = refused_keys(&members, &self.records);
        InForce {
            members,
            rules,
            weights,
            decisions,
            departures,
            refused,
        }
    }
}

/// The most flags of one member [`InForce::flagged`] counts (the first ones in its list):
/// receipt checks each flag added to a list, but not the entries of a list a change makes,
/// so reading bounds the work itself.
pub const MAX_FLAGS: usize = crate::doc::MAX_LIST;

/// The members among `members` whose flags count for `key`, held by the member `owner`:
/// every one but the owner that lists it among its first [`MAX_FLAGS`] flags. For reports;
/// `refused_keys` counts by the same rule for every key at once.
pub fn flaggers<'a, M: std::borrow::Borrow<Member>>(
    members: &'a BTreeMap<MemberId, M>,
    owner: Option<&MemberId>,
    key: &NodeKey,
) -> Vec<&'a MemberId> {
    members
        .values()
        .map(|m| m.borrow())
        .filter(|m| Some(&m.id) != owner && m.flagged.iter().take(MAX_FLAGS).any(|k| k == key))
        .map(|m| &m.id)
        .collect()
}

/// The keys flagged by at least [`FLAGS_TO_REFUSE`] of `members` (those in force) other than
/// the one holding them, among `records` (every member record): each member counted once
/// per key, however often it lists it, and only for a key another member holds.
fn refused_keys(
    members: &BTreeMap<MemberId, Arc<Member>>,
    records: &BTreeMap<MemberId, Arc<Member>>,
) -> BTreeSet<NodeKey> {
    if members.values().all(|m| m.flagged.is_empty()) {
        return BTreeSet::new();
    }
    let mut owners: BTreeMap<&NodeKey, &MemberId> = BTreeMap::new();
    for r in records.values() {
        for k in &r.keys {
            // The first record holding a key, as `holding` finds it.
            owners.entry(k).or_insert(&r.id);
        }
    }
    let mut counts: BTreeMap<NodeKey, usize> = BTreeMap::new();
    for m in members.values() {
        let mine: BTreeSet<&NodeKey> = m
            .flagged
            .iter()
            .take(MAX_FLAGS)
            .filter(|k| owners.get(k).is_some_and(|owner| **owner != m.id))
            .collect();
        for k in mine {
            *counts.entry(*k).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= FLAGS_TO_REFUSE)
        .map(|(k, _)| k)
        .collect()
}

fn departure(
    m: &Member,
    status: DepartureStatus,
    proposal: Option<&ProposalId>,
    since: Option<Timestamp>,
) -> Departure {
    Departure {
        member: m.clone(),
        status,
        proposal: proposal.cloned(),
        since,
    }
}

/// A membership proposal's subject: the member it admits or removes.
pub fn subject(p: &Proposal) -> Option<&Subject> {
    if p.kind != DecisionKind::Membership {
        return None;
    }
    p.subject.as_ref()
}

/// The decision `p` represents if it passed by `now`.
fn decided(p: &Arc<Proposal>, now: Timestamp) -> Option<Decision> {
    if proposal_tally(p, now).outcome != Outcome::Passed {
        return None;
    }
    let counted: Vec<_> = crate::reports::counted_positions(p).collect();
    let at = crate::reports::decided_at(p, now).unwrap_or(p.created_at);
    Some(Decision {
        proposal: p.id.clone(),
        kind: p.kind,
        at,
        agreed_by: counted
            .iter()
            .filter(|(_, pos)| pos.stance == Stance::Agree)
            .map(|(m, _)| (*m).clone())
            .collect(),
        source: p.clone(),
    })
}

/// The rule and electorate a new proposal of `kind` about `subject` must carry under the
/// governance in force: the charter's rule for it and every member in force, except that a
/// member's removal is decided by the other members. `Err` says why no such proposal can open.
pub fn rule_and_electorate(
    gov: &InForce,
    kind: DecisionKind,
    subject: Option<&Subject>,
) -> Result<(Rule, Vec<MemberId>), String> {
    let everyone = || gov.members.keys().cloned().collect::<Vec<_>>();
    if kind != DecisionKind::Membership {
        return Ok((gov.rules.for_kind(kind), everyone()));
    }
    match subject {
        Some(Subject::Remove(m)) => {
            if !gov.members.contains_key(m) {
                return Err(format!(
                    "member {m} is not a member in force, so it cannot be removed"
                ));
            }
            let others: Vec<MemberId> = everyone().into_iter().filter(|o| o != m).collect();
            if others.is_empty() {
                return Err("the only member cannot be removed; it can leave".into());
            }
            Ok((gov.rules.membership, others))
        }
        Some(Subject::Admit(_)) => match gov.rules.admission {
            Some(rule) => Ok((rule, everyone())),
            None => Err("the charter admits members by invite, not by a proposal".into()),
        },
        _ => Err(
            "a membership proposal names the member it admits (admit/ID) or removes \
                  (remove/ID)"
                .into(),
        ),
    }
}

/// The charter's facilitator rotation among `members` (those in force): in the order they
/// joined, then by id.
pub fn facilitator_rotation(members: &BTreeMap<MemberId, Arc<Member>>) -> Vec<MemberId> {
    let mut rotation: Vec<&Member> = members.values().map(|m| &**m).collect();
    rotation.sort_by(|a, b| a.joined_at.cmp(&b.joined_at).then_with(|| a.id.cmp(&b.id)));
    rotation.into_iter().map(|m| m.id.clone()).collect()
}

/// Applies the governance in force to a coalition as stored: the charter in force with one
/// version per passed amendment, the members in force, and the former members.
pub fn apply(c: &mut Coalition, gov: &InForce) {
    c.members = gov.members_owned();
    c.former_members = gov.departures.clone();
    charter_in_force(&mut c.charter, &mut c.charter_versions, gov);
}

/// The charter in force under `gov`: `charter` as stored, with the roles of the members in
/// force and every passed amendment applied, one more ratified version in `versions` per
/// amendment ([`apply`] without reading the coalition's other records).
pub fn charter_in_force(
    charter: &mut crate::schema::Charter,
    versions: &mut BTreeMap<String, crate::schema::CharterVersion>,
    gov: &InForce,
) {
    let roles = &mut charter.roles;
    roles.facilitator_rotation = facilitator_rotation(&gov.members);
    roles.spokespeople.retain(|m| gov.members.contains_key(m));
    roles
        .statement_signoff
        .retain(|m| gov.members.contains_key(m));
    roles.delegates.retain(|m| gov.members.contains_key(m));
    // An amendment that changes nothing (opened bare by a modified node) makes no version.
    for d in gov
        .decisions
        .iter()
        .filter(|d| d.kind == DecisionKind::Amendment && d.amendment().is_some())
    {
        let ch = &mut *charter;
        // (The founding stores version 1, `rules::Validator::check_founding`.)
        ch.version = ch.version.saturating_add(1);
        if let Some(a) = d.amendment() {
            if let Some(frame) = &a.frame {
                ch.frame = crate::schema::Prose(frame.clone());
            }
            for v in &a.add_values {
                if !ch.values.contains(v) {
                    ch.values.push(v.clone());
                }
            }
            for v in &a.add_commitments {
                if !ch.commitments.contains(v) {
                    ch.commitments.push(v.clone());
                }
            }
            for r in &a.rules {
                ch.rules.set(r);
            }
            if let Some(t) = a.equity_threshold {
                ch.equity_threshold = t;
            }
            for w in &a.weights {
                ch.weights.set(w);
            }
        }
        let v = version_of(ch, d.at, Some(d.proposal.clone()), d.agreed_by.clone());
        versions.insert(version_key(ch.version), v);
    }
}

/// The key of charter version `n` in `charter_versions`.
pub(crate) fn version_key(n: u64) -> String {
    format!("{n:06}")
}

/// A charter as ratified at `at`.
pub(crate) fn version_of(
    charter: &Charter,
    at: Timestamp,
    proposal: Option<ProposalId>,
    agreed_by: Vec<MemberId>,
) -> CharterVersion {
    CharterVersion {
        number: charter.version,
        ratified_at: at,
        proposal,
        agreed_by,
        name: charter.name.clone(),
        frame: charter.frame.as_str().to_owned(),
        values: charter.values.clone(),
        commitments: charter.commitments.clone(),
        rules: charter.rules.clone(),
        roles: charter.roles.clone(),
        equity_threshold: charter.equity_threshold,
        weights: charter.weights.clone(),
    }
}

/// The latest moment `doc` records: the newest time of its head changes. Clock-free, so
/// every node holding the same changes judges governance at the same moment.
pub fn latest_moment(doc: &automerge::AutoCommit) -> Timestamp {
    automerge::transaction::Transactable::base_heads(doc)
        .iter()
        .filter_map(|h| automerge::ReadDoc::get_change_by_hash(doc, h))
        .map(|c| Timestamp::from_secs(c.timestamp()))
        .max()
        .unwrap_or(Timestamp::MIN)
}

/// [`latest_moment`] read from the change graph's metadata (no head change is rebuilt from
/// the document to read its time), for the paths that run per change or frame.
pub fn heads_moment(doc: &mut automerge::AutoCommit) -> Timestamp {
    let heads = automerge::transaction::Transactable::base_heads(doc);
    let doc = doc.document();
    heads
        .iter()
        .filter_map(|h| doc.get_change_meta_by_hash(h))
        .map(|m| Timestamp::from_secs(m.timestamp))
        .max()
        .unwrap_or(Timestamp::MIN)
}
