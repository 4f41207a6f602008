//! The rules every node enforces on every change it receives, whichever peer relayed it.
//!
//! A modified node can write whatever it likes into its own copy; these rules decide what
//! any other node accepts from it. A change is judged against the coalition *as its author
//! saw it*: the member list and charter at the change's dependencies, never at the receiving
//! node's current state. Every node therefore reaches the same verdict on every change,
//! whatever order changes arrive in, so honest nodes never split over a verdict.
//!
//! What the rules say, by the path a change writes to:
//!
//! | path | who may write |
//! |---|---|
//! | `members/<m>/…` | only member `m` (its profile and its device keys) |
//! | `members/<m>` (a new record) | any member: admission by invite, the founding rule |
//! | `proposals/<p>` (a new record) | any member, as its author, with the charter's rule for its kind and the membership as electorate, no positions |
//! | `proposals/<p>/positions/<m>` | only member `m` |
//! | `issues/<i>/ranks/<m>` | only member `m` |
//! | `pools/<p>/ledger/<e>` (a new entry) | any member, in its own name; entries never change |
//! | `issues`, `pools`, `meetings`, `charter/goals` records | any member (shared records); a new record names its writer |
//! | the rest of `charter`, `charter_versions`, the root | nobody after the founding change: they change only through passed proposals |
//!
//! [`Validator`] checks a batch of changes already applied to a document (the caller rolls
//! the document back if any is refused). It caches the governance state along the batch so
//! that a long catch-up costs one cheap step per change, not a read of the history each.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use automerge::legacy::{Key, ObjectId, OpType};
use automerge::{AutoCommit, Change, ChangeHash, ObjId, Prop, ROOT, ReadDoc};

use crate::governance::{Governance, InForce, rule_and_electorate};
use crate::ids::MemberId;
use crate::reports::proposal_tally;
use crate::schema::{Member, Pool, Proposal};
use crate::tally::Outcome;
use crate::values::{DecisionKind, NodeKey, Timestamp};

/// A change broke a rule; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The change's author key belonged to no member when the change was made.
    #[error("written by key {key}, which was not a member's when the change was made")]
    NotAMember {
        /// The author key, hex.
        key: String,
    },
    /// The change's author key had been flagged for writing two histories by two members
    /// other than its own, and the change was made after it could see both flags.
    #[error(
        "written by key {key} after two other members flagged it for writing two histories \
         (a fork): changes it makes from then on are refused"
    )]
    KeyFlagged {
        /// The author key, hex.
        key: String,
    },
    /// A member wrote what belongs to another member.
    #[error("member {writer} wrote {path}, which only member {owner} may write")]
    NotOwner {
        /// The writing member.
        writer: String,
        /// What it wrote.
        path: String,
        /// Whose it is.
        owner: String,
    },
    /// A write to what changes only through a passed proposal.
    #[error("{path} changes only through a passed proposal, not by a member's edit")]
    Governed {
        /// What was written.
        path: String,
    },
    /// A write to a record that never changes once written.
    #[error("{path} is a permanent record and cannot be changed or removed")]
    Permanent {
        /// What was written.
        path: String,
    },
    /// A new record that misstates its writer, rule or electorate.
    #[error("new record {path} is not valid: {why}")]
    BadRecord {
        /// The record.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A write outside the coalition's layout.
    #[error("{path} is not part of a coalition document")]
    Unknown {
        /// What was written.
        path: String,
    },
    /// A value of the wrong type or shape for its place (see [`crate::layout`]).
    #[error("{path}: {why}")]
    BadValue {
        /// Where it was written.
        path: String,
        /// What belongs there instead.
        why: String,
    },
    /// A position on a proposal already decided when the change was made.
    #[error("{path}: proposal {proposal} was already {outcome}; positions can no longer change it")]
    Decided {
        /// What was written.
        path: String,
        /// The proposal.
        proposal: String,
        /// Its outcome then.
        outcome: Outcome,
    },
    /// A second founding change (one with no dependencies).
    #[error("a second founding change for a coalition that already exists")]
    SecondFounding,
    /// The founding change does not found a coalition held by its author.
    #[error("the founding change is not valid: {why}")]
    BadFounding {
        /// What is wrong with it.
        why: String,
    },
}

/// Reads a document as it was at `heads`, for typed hydration.
#[derive(Debug)]
pub struct At<'a> {
    doc: &'a AutoCommit,
    heads: &'a [ChangeHash],
}

impl<'a> At<'a> {
    /// The document `doc` as of `heads` (which must all be in it).
    pub fn new(doc: &'a AutoCommit, heads: &'a [ChangeHash]) -> Self {
        Self { doc, heads }
    }
}

impl autosurgeon::ReadDoc for At<'_> {
    type Parents<'b>
        = automerge::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<ChangeHash> {
        self.heads.to_vec()
    }

    fn get<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(automerge::Value<'_>, ObjId)>, automerge::AutomergeError> {
        ReadDoc::get_at(self.doc, obj, prop, self.heads)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<automerge::ObjType> {
        ReadDoc::object_type(self.doc, obj).ok()
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> automerge::iter::MapRange<'b>
    where
        R: std::ops::RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        ReadDoc::map_range_at(self.doc, obj, range, self.heads)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        ReadDoc::list_range_at(self.doc, obj, range, self.heads)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        ReadDoc::length_at(self.doc, obj, self.heads)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        ReadDoc::text_at(self.doc, obj, self.heads)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        ReadDoc::parents_at(self.doc, obj, self.heads)
    }

    fn is_empty(&self) -> bool {
        ReadDoc::keys_at(self.doc, ROOT, self.heads).count() == 0
    }
}

/// The governance inputs of `doc` at `heads`, or `None` if it has no readable member list
/// and charter there (before the founding change).
pub fn governance_at(doc: &AutoCommit, heads: &[ChangeHash]) -> Option<Governance> {
    Governance::read(&At::new(doc, heads))
}

/// Checks changes against the rules, in the order they were applied.
#[derive(Debug)]
pub struct Validator {
    /// Governance after each change of the batch checked so far.
    after: HashMap<ChangeHash, Arc<Governance>>,
    /// Governance at sets of heads outside the batch.
    at: HashMap<Vec<ChangeHash>, Option<Arc<Governance>>>,
    /// Object paths, by object id (objects never move).
    paths: HashMap<(u64, automerge::ActorId), Vec<String>>,
    /// Whether the document held anything before the batch.
    founded: bool,
    /// Whether a change checked so far may have changed the governance in force.
    governance_changed: bool,
}

impl Validator {
    /// A validator for a batch applied to a document that, before the batch, held something
    /// (`founded`) or was empty (a node receiving a coalition it joins).
    pub fn new(founded: bool) -> Self {
        Self {
            after: HashMap::new(),
            at: HashMap::new(),
            paths: HashMap::new(),
            founded,
            governance_changed: false,
        }
    }

    /// Whether any change checked so far wrote to what governance is derived from (members,
    /// the charter's rules, amendment and membership proposals): only then can the members
    /// in force differ after the batch.
    pub fn governance_changed(&self) -> bool {
        self.governance_changed
    }

    /// Checks one change, already applied to `doc` along with every change it depends on.
    /// Changes of a batch must be checked in causal order (as Automerge returns them).
    pub fn check(&mut self, doc: &AutoCommit, change: &Change) -> Result<(), Violation> {
        self.check_decoded(doc, change, &change.decode())
    }

    /// [`Validator::check`], with the change's operations already decoded (`expanded` must
    /// be `change.decode()`).
    pub fn check_decoded(
        &mut self,
        doc: &AutoCommit,
        change: &Change,
        expanded: &automerge::ExpandedChange,
    ) -> Result<(), Violation> {
        if change.deps().is_empty() {
            if self.founded {
                return Err(Violation::SecondFounding);
            }
            self.founded = true;
            self.governance_changed = true;
            return self.check_founding(doc, change);
        }
        let gov = self.before(doc, change.deps());
        let Some(gov) = gov else {
            return Err(Violation::NotAMember {
                key: change.actor_id().to_hex_string(),
            });
        };
        let now = Timestamp::from_secs(change.timestamp());
        let in_force = gov.in_force(now);
        let writer = in_force
            .member_of(change.actor_id().to_bytes())
            .ok_or_else(|| Violation::NotAMember {
                key: change.actor_id().to_hex_string(),
            })?
            .to_string();
        if in_force.flagged(change.actor_id().to_bytes()) {
            return Err(Violation::KeyFlagged {
                key: change.actor_id().to_hex_string(),
            });
        }
        let fields = created_fields(change, expanded);
        let ctx = Ctx {
            doc,
            fields: &fields,
            change,
            gov: &gov,
            in_force: &in_force,
            now,
            writer: &writer,
            positions_judged: Default::default(),
        };
        let touched = self.check_ops(&ctx, expanded)?;
        self.governance_changed |= touched;
        let after = if touched {
            let hash = [change.hash()];
            governance_at(doc, &hash).map(Arc::new)
        } else {
            Some(gov)
        };
        if let Some(after) = after {
            self.after.insert(change.hash(), after);
        }
        Ok(())
    }

    /// The governance a change with dependencies `deps` was made under.
    fn before(&mut self, doc: &AutoCommit, deps: &[ChangeHash]) -> Option<Arc<Governance>> {
        // Within a batch the governance state is carried from change to change: when every
        // dependency left the same state, that is the state.
        if let Some((first, rest)) = deps.split_first()
            && let Some(g) = self.after.get(first)
            && rest
                .iter()
                .all(|d| self.after.get(d).is_some_and(|o| Arc::ptr_eq(o, g)))
        {
            return Some(g.clone());
        }
        let mut key = deps.to_vec();
        key.sort_unstable();
        self.at
            .entry(key)
            .or_insert_with_key(|k| governance_at(doc, k).map(Arc::new))
            .clone()
    }

    fn check_founding(&mut self, doc: &AutoCommit, change: &Change) -> Result<(), Violation> {
        let bad = |why: &str| Violation::BadFounding {
            why: why.to_owned(),
        };
        if change.seq() != 1 {
            return Err(bad("it is not its author's first change"));
        }
        let hash = [change.hash()];
        let gov = governance_at(doc, &hash).ok_or_else(|| bad("no member list and charter"))?;
        let [founder] = gov.records.values().collect::<Vec<_>>()[..] else {
            return Err(bad("it must admit exactly one member, the founder"));
        };
        if founder.admission.is_some()
            || founder.left_at.is_some()
            || !founder.flagged.is_empty()
            || !gov.proposals.is_empty()
        {
            return Err(bad("the founder is a member in force from the start"));
        }
        if founder.keys.len() != 1 || founder.keys[0].as_bytes() != change.actor_id().to_bytes() {
            return Err(bad("the founder's key is not the key that wrote it"));
        }
        check_founding_layout(change)?;
        // The whole coalition reads as written: every record of the right types.
        let at = At::new(doc, &hash);
        let read = crate::schema::Coalition::read_stored(&at)
            .map_err(|e| bad(&format!("it does not read as a coalition: {e}")))?;
        if let Some(u) = read.unreadable.first() {
            return Err(bad(&format!("{} does not read: {}", u.path, u.error)));
        }
        self.after.insert(change.hash(), Arc::new(gov));
        Ok(())
    }

    /// Checks every operation; returns whether the change touched the governance state.
    ///
    /// Every operation is checked against the layout ([`crate::layout`]): its place exists
    /// and admits what it writes. Operations on what existed before the change are also
    /// checked against who may write there ([`Ctx::permit`]); those inside objects the change
    /// creates are judged with the record that holds them, which must then read back whole.
    fn check_ops(
        &mut self,
        ctx: &Ctx<'_>,
        expanded: &automerge::ExpandedChange,
    ) -> Result<bool, Violation> {
        let start = ctx.change.start_op().get();
        let actor = ctx.change.actor_id();
        // Objects this change creates, with their paths: what is written inside them is
        // judged with the record that holds them.
        let mut created: HashMap<u64, Vec<String>> = HashMap::new();
        // Records this change creates, to read back once all its operations are in.
        let mut records: Vec<(u64, Vec<String>, &'static crate::layout::Record)> = Vec::new();
        // The fields written in objects this change creates. Nothing else can be in such an
        // object at the change's heads (no earlier change can refer to it), and a field's
        // value deleted without another staying is refused below (`removed_fields`), so
        // this is what reading it back would find, without reading the document at past
        // heads (slow in Automerge's column store).
        let mut written: HashSet<(u64, &str)> = HashSet::new();
        let mut touched = false;
        // Fields the change deleted a value of: another value must stay.
        let mut removed_fields = Vec::new();
        for (i, op) in expanded.operations.iter().enumerate() {
            let id = start + i as u64;
            let key = match &op.key {
                Key::Map(k) => k.to_string(),
                Key::Seq(_) => "*".to_owned(),
            };
            let inside = match &op.obj {
                ObjectId::Id(parent) if parent.1 == *actor => created.get(&parent.0).cloned(),
                _ => None,
            };
            let in_created = inside.is_some();
            if let (ObjectId::Id(parent), Key::Map(k), true) = (&op.obj, &op.key, in_created)
                && matches!(op.action, OpType::Put(_) | OpType::Make(_))
            {
                written.insert((parent.0, k.as_str()));
            }
            let mut path = match inside {
                Some(p) => p,
                None => self.path_of(ctx.doc, &op.obj)?,
            };
            path.push(key);
            let (slot, fixed) = layout_admits(&path, &op.action)?;
            if matches!(op.action, OpType::Delete) && slot.is_field() {
                removed_fields.push((op.obj.clone(), op.key.clone(), path.clone()));
            }
            if let OpType::Make(_) = op.action {
                if let Some(r) = slot.record() {
                    records.push((id, path.clone(), r));
                }
                created.insert(id, path.clone());
            }
            if in_created {
                continue;
            }
            if fixed {
                return Err(Violation::Permanent {
                    path: path.join("/"),
                });
            }
            // Governance is made of the member list, the charter's rules and the amendment
            // and membership proposals with their positions.
            touched |= match path.first().map(String::as_str) {
                Some("members") => true,
                Some("charter") => path.get(1).is_some_and(|k| k == "rules"),
                // A new amendment or membership proposal, or a position on one.
                Some("proposals") if path.len() == 2 => ctx
                    .fields
                    .get(&(id, "kind"))
                    .and_then(|k| k.parse::<DecisionKind>().ok())
                    .is_some_and(crate::governance::governs),
                Some("proposals") => path
                    .get(1)
                    .is_some_and(|p| ctx.gov.proposals.contains_key(p.as_str())),
                _ => false,
            };
            let write = Write {
                path: &path,
                id,
                op: &op.action,
                creates: matches!(op.action, OpType::Make(_)),
                new_key: op.pred.is_empty() && !op.insert,
            };
            ctx.permit(&write)?;
        }
        let hash = [ctx.change.hash()];
        let at = At::new(ctx.doc, &hash);
        // A record's field keeps a value: deleting one is only resolving a conflict.
        for (obj, key, path) in removed_fields {
            let (ObjectId::Id(o), Key::Map(k)) = (&obj, &key) else {
                continue;
            };
            let obj = automerge::ObjId::Id(o.0, o.1.clone(), usize::MAX);
            if !matches!(
                autosurgeon::ReadDoc::get(&at, &obj, k.as_str()),
                Ok(Some(_))
            ) {
                return Err(Violation::BadValue {
                    path: path.join("/"),
                    why: "a record's field cannot be removed".into(),
                });
            }
        }
        // Every record the change creates reads back whole as its kind: each value was
        // checked against its place above, so every field that is not optional must hold one
        // (and the few kinds whose fields constrain each other are read back).
        for (id, path, record) in records {
            let bad = |why: String| Violation::BadRecord {
                path: path.join("/"),
                why: format!("it does not read as a {}: {why}", record.name),
            };
            if let Some(f) = record
                .fields
                .iter()
                .find(|f| !f.shape.optional() && !written.contains(&(id, f.name)))
            {
                return Err(bad(format!("its {} is missing", f.name)));
            }
            let obj = automerge::ObjId::Id(id, actor.clone(), usize::MAX);
            record.reads(&at, &obj).map_err(bad)?;
        }
        Ok(touched)
    }

    /// The map keys from the root to `obj` (list positions as `*`).
    fn path_of(&mut self, doc: &AutoCommit, obj: &ObjectId) -> Result<Vec<String>, Violation> {
        let ObjectId::Id(id) = obj else {
            return Ok(Vec::new());
        };
        let cache_key = (id.0, id.1.clone());
        if let Some(p) = self.paths.get(&cache_key) {
            return Ok(p.clone());
        }
        let path = object_path(doc, obj).ok_or_else(|| Violation::Unknown {
            path: format!("object {}@{}", id.0, id.1),
        })?;
        self.paths.insert(cache_key, path.clone());
        Ok(path)
    }
}

/// The map keys from the root to `obj` (list positions as `*`); `None` if the document has
/// no such object.
pub(crate) fn object_path(doc: &AutoCommit, obj: &ObjectId) -> Option<Vec<String>> {
    let ObjectId::Id(id) = obj else {
        return Some(Vec::new());
    };
    let (exid, _) = doc.import(&format!("{}@{}", id.0, id.1)).ok()?;
    let mut path: Vec<String> = doc
        .parents(&exid)
        .ok()?
        .map(|p| match p.prop {
            Prop::Map(k) => k,
            Prop::Seq(_) => "*".to_owned(),
        })
        .collect();
    path.reverse();
    Some(path)
}

/// The place `path` names in the layout admits the operation `action`; the place, and whether
/// a field along it is fixed once its record is written.
fn layout_admits(
    path: &[String],
    action: &OpType,
) -> Result<(crate::layout::Slot, bool), Violation> {
    let segments: Vec<&str> = path.iter().map(String::as_str).collect();
    let (slot, fixed) = crate::layout::resolve(&segments).map_err(|e| match e {
        crate::layout::Unplaced::Unknown(path) => Violation::Unknown { path },
        crate::layout::Unplaced::BadKey(path, key) => Violation::BadValue {
            path,
            why: format!("`{key}` is not a valid key here"),
        },
    })?;
    let write = match action {
        OpType::Put(v) => crate::layout::Write::Put(v),
        OpType::Make(t) => crate::layout::Write::Make(*t),
        OpType::Delete => crate::layout::Write::Delete,
        other => {
            return Err(Violation::BadValue {
                path: path.join("/"),
                why: format!("{other:?} is not written in a coalition document"),
            });
        }
    };
    slot.admits(write).map_err(|why| Violation::BadValue {
        path: path.join("/"),
        why,
    })?;
    Ok((slot, fixed))
}

/// Every operation of a founding change writes where the layout has a place for it, a value
/// of the right type (the founding creates everything it writes into).
fn check_founding_layout(change: &Change) -> Result<(), Violation> {
    let expanded = change.decode();
    let start = change.start_op().get();
    let mut created: HashMap<u64, Vec<String>> = HashMap::new();
    for (i, op) in expanded.operations.iter().enumerate() {
        let mut path = match &op.obj {
            ObjectId::Root => Vec::new(),
            ObjectId::Id(parent) => created
                .get(&parent.0)
                .filter(|_| parent.1 == *change.actor_id())
                .cloned()
                .ok_or_else(|| Violation::BadFounding {
                    why: "it writes into an object it did not make".into(),
                })?,
        };
        path.push(match &op.key {
            Key::Map(k) => k.to_string(),
            Key::Seq(_) => "*".to_owned(),
        });
        layout_admits(&path, &op.action)?;
        if let OpType::Make(_) = op.action {
            created.insert(start + i as u64, path);
        }
    }
    Ok(())
}

/// The text fields a change writes into objects it creates, to check that a new record names
/// its writer without reading the document back: (object counter, key) → value.
fn created_fields<'a>(
    change: &Change,
    expanded: &'a automerge::ExpandedChange,
) -> HashMap<(u64, &'a str), &'a str> {
    let actor = change.actor_id();
    expanded
        .operations
        .iter()
        .filter_map(|op| match (&op.obj, &op.key, &op.action) {
            (ObjectId::Id(obj), Key::Map(k), OpType::Put(automerge::ScalarValue::Str(v)))
                if obj.1 == *actor =>
            {
                Some(((obj.0, k.as_str()), v.as_str()))
            }
            _ => None,
        })
        .collect()
}

struct Ctx<'a> {
    doc: &'a AutoCommit,
    /// The governance in force when the change was made.
    in_force: &'a InForce,
    /// When the change was made (as its author states).
    now: Timestamp,
    /// Text fields written into objects the change creates: (object counter, key) → value.
    fields: &'a HashMap<(u64, &'a str), &'a str>,
    change: &'a Change,
    gov: &'a Governance,
    writer: &'a str,
    /// Proposals whose position by the writer this change was already judged on.
    positions_judged: std::cell::RefCell<BTreeSet<String>>,
}

struct Write<'a> {
    path: &'a [String],
    /// The operation's counter.
    id: u64,
    op: &'a OpType,
    /// The write creates an object (a record, list or text).
    creates: bool,
    /// The write fills an empty slot (nothing was there before it).
    new_key: bool,
}

impl Ctx<'_> {
    fn permit(&self, w: &Write<'_>) -> Result<(), Violation> {
        let p: Vec<&str> = w.path.iter().map(String::as_str).collect();
        let path = || p.join("/");
        let owner = |owner: &str| {
            if owner == self.writer {
                Ok(())
            } else {
                Err(Violation::NotOwner {
                    writer: self.writer.to_owned(),
                    path: path(),
                    owner: owner.to_owned(),
                })
            }
        };
        let governed = || Err(Violation::Governed { path: path() });
        let permanent = || Err(Violation::Permanent { path: path() });
        let deleting = matches!(w.op, OpType::Delete);
        // A new record: created in an empty slot, and valid as written.
        let new_record = |check: &dyn Fn(&Self) -> Result<(), String>| {
            if !(w.creates && w.new_key) {
                return permanent();
            }
            check(self).map_err(|why| Violation::BadRecord { path: path(), why })
        };
        match p.as_slice() {
            ["charter", "goals", _] => new_record(&|c| c.names_writer(w.id, "added_by")),
            ["charter", "goals", _, "progress", "*"] if w.creates => self
                .names_writer(w.id, "by")
                .map_err(|why| Violation::BadRecord { path: path(), why }),
            ["charter", "goals", _, "progress", ..] => permanent(),
            ["charter", "goals", _, ..] => Ok(()),
            ["charter", ..] | ["charter_versions", ..] => governed(),
            ["members", member] => {
                if self.gov.records.contains_key(*member) || deleting {
                    return governed();
                }
                new_record(&|c| c.check_admission(member))
            }
            ["members", member, "id" | "joined_at", ..] => {
                owner(member)?;
                permanent()
            }
            // A member's key list, and its list of flagged keys once it has one, are edited
            // item by item, never made again: items of a list a change makes are not judged
            // one by one (a key of another member could be claimed that way).
            ["members", member, "keys" | "flagged"]
                if (w.creates && !w.new_key) || (deleting && p[2] == "keys") =>
            {
                owner(member)?;
                permanent()
            }
            ["members", member, "keys", ..] => {
                owner(member)?;
                // A device key added must not be another member's.
                if let OpType::Put(automerge::ScalarValue::Str(k)) = w.op
                    && let Ok(k) = k.parse::<NodeKey>()
                    && self
                        .gov
                        .records
                        .values()
                        .any(|m| m.id != *member && m.keys.contains(&k))
                {
                    return Err(Violation::BadRecord {
                        path: path(),
                        why: format!("node key {k} belongs to another member"),
                    });
                }
                Ok(())
            }
            ["members", member, "flagged", ..] => {
                owner(member)?;
                // A key added to the list is another member's, flagged once. (Entries of a
                // list the change itself makes are not judged here: reading counts only
                // another member's keys, each once, up to `MAX_FLAGS` per member.)
                if let OpType::Put(automerge::ScalarValue::Str(k)) = w.op {
                    let k = k.parse::<NodeKey>().map_err(|e| Violation::BadRecord {
                        path: path(),
                        why: e.to_string(),
                    })?;
                    let why = match self.gov.record_holding(k.as_bytes()) {
                        None => Some(format!("node key {k} is no member's")),
                        Some(m) if *m == **member => Some(format!("node key {k} is its own")),
                        Some(_)
                            if self
                                .gov
                                .records
                                .get(*member)
                                .is_some_and(|m| m.flagged.contains(&k)) =>
                        {
                            Some(format!("node key {k} is flagged already"))
                        }
                        Some(_) => None,
                    };
                    if let Some(why) = why {
                        return Err(Violation::BadRecord { path: path(), why });
                    }
                }
                Ok(())
            }
            ["members", member, _, ..] => owner(member),
            ["issues", _] => new_record(&|c| c.names_writer(w.id, "raised_by")),
            ["issues", _, "ranks", member] => owner(member),
            ["issues", _, "id" | "raised_by" | "created_at" | "ranks", ..] => permanent(),
            ["issues", _, _, ..] => Ok(()),
            ["pools", pool] => new_record(&|c| {
                let p: Pool = c.record(&["pools", pool])?;
                if !p.ledger.is_empty() {
                    return Err("a new pool starts with an empty ledger".into());
                }
                c.named_writer(p.created_by.as_str(), "created_by")
            }),
            ["pools", _, "ledger", _] => new_record(&|c| c.names_writer(w.id, "member")),
            [
                "pools",
                _,
                "id" | "kind" | "created_by" | "created_at" | "ledger",
                ..,
            ] => permanent(),
            ["pools", _, _, ..] => Ok(()),
            ["proposals", proposal] => new_record(&|c| c.check_proposal(proposal)),
            ["proposals", proposal, "positions", member, ..] => {
                owner(member)?;
                // A position is written field by field: judge it once per change.
                if !self
                    .positions_judged
                    .borrow_mut()
                    .insert((*proposal).to_owned())
                {
                    return Ok(());
                }
                self.still_open(proposal, &path())?;
                self.block_has_reason(proposal, member)
                    .map_err(|why| Violation::BadRecord { path: path(), why })
            }
            ["proposals", ..] => permanent(),
            ["meetings", _] => new_record(&|c| c.names_writer(w.id, "recorded_by")),
            ["meetings", _, "id" | "recorded_by", ..] => permanent(),
            ["meetings", _, _, ..] => Ok(()),
            ["schema" | "id" | "created_at" | "members" | "issues" | "pools" | "meetings"] => {
                governed()
            }
            _ => Err(Violation::Unknown { path: path() }),
        }
    }

    /// A record as this change left it.
    fn record<T: autosurgeon::Hydrate>(&self, path: &[&str]) -> Result<T, String> {
        let hash = [self.change.hash()];
        let at = At::new(self.doc, &hash);
        let props = path.iter().map(|k| autosurgeon::Prop::Key((*k).into()));
        autosurgeon::hydrate_path(&at, &ROOT, props)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "it is not there".to_owned())
    }

    /// The object this change created with operation `counter` names the writer in `field`.
    fn names_writer(&self, counter: u64, field: &str) -> Result<(), String> {
        match self.fields.get(&(counter, field)) {
            Some(named) => self.named_writer(named, field),
            None => Err(format!("it has no {field}")),
        }
    }

    fn named_writer(&self, named: &str, field: &str) -> Result<(), String> {
        if named == self.writer {
            Ok(())
        } else {
            Err(format!(
                "{field} names {named} but member {} wrote it",
                self.writer
            ))
        }
    }

    fn check_proposal(&self, id: &str) -> Result<(), String> {
        let p: Proposal = self.record(&["proposals", id])?;
        if p.id != id {
            return Err(format!("its id is {}", p.id));
        }
        self.named_writer(p.author.as_str(), "author")?;
        let (rule, electorate) = rule_and_electorate(self.in_force, p.kind, p.subject.as_ref())?;
        if p.rule != rule {
            return Err(format!(
                "its rule is {} but the charter's rule for {} decisions is {rule}",
                p.rule, p.kind
            ));
        }
        let given: BTreeSet<&MemberId> = p.electorate.iter().collect();
        let expected: BTreeSet<&MemberId> = electorate.iter().collect();
        if given != expected || given.len() != p.electorate.len() {
            return Err("its electorate is not the members entitled to decide it".into());
        }
        if !p.positions.is_empty() {
            return Err("a new proposal has no positions yet".into());
        }
        if p.amendment.is_some() && p.kind != DecisionKind::Amendment {
            return Err("only an amendment carries charter changes".into());
        }
        if let Some(crate::schema::Subject::Admit(m)) = crate::governance::subject(&p) {
            // The record of the member it admits is written by the same change.
            let member: Member = self.record(&["members", m.as_str()])?;
            if self.gov.records.contains_key(m) || member.admission.as_ref().is_none_or(|a| a != id)
            {
                return Err(format!("member {m} is not a new member awaiting this vote"));
            }
        }
        Ok(())
    }

    /// A new member record, admitted by the charter's admission rule in force.
    fn check_admission(&self, member: &str) -> Result<(), String> {
        let m: Member = self.record(&["members", member])?;
        if m.id != member {
            return Err(format!("its id is {}", m.id));
        }
        if m.keys.is_empty() {
            return Err("a member needs a node key".into());
        }
        if m.left_at.is_some() {
            return Err("a new member has not left".into());
        }
        if !m.flagged.is_empty() {
            return Err("a new member has flagged no key yet".into());
        }
        if let Some(k) = m
            .keys
            .iter()
            .find(|k| self.gov.records.values().any(|r| r.keys.contains(k)))
        {
            return Err(format!("node key {k} already belongs to a member"));
        }
        match (self.in_force.rules.admission, &m.admission) {
            // Admission by a member's invite: the invite is the decision.
            (None, None) => Ok(()),
            (None, Some(_)) => Err("the charter admits members by invite, not by vote".into()),
            (Some(_), None) => {
                Err("the charter admits members by vote: the record must name its proposal".into())
            }
            (Some(_), Some(p)) => {
                let p: Proposal = self.record(&["proposals", p.as_str()])?;
                match crate::governance::subject(&p) {
                    Some(crate::schema::Subject::Admit(who))
                        if who == member && !self.gov.proposals.contains_key(&p.id) =>
                    {
                        Ok(())
                    }
                    _ => Err(format!(
                        "proposal {} does not newly decide this admission",
                        p.id
                    )),
                }
            }
        }
    }

    /// A block carries its reason, so the other members know what to address.
    fn block_has_reason(&self, proposal: &str, member: &str) -> Result<(), String> {
        let pos: crate::schema::PositionRecord =
            self.record(&["proposals", proposal, "positions", member])?;
        if pos.stance == crate::values::Stance::Block && pos.reason.trim().is_empty() {
            return Err("a block carries a reason".into());
        }
        Ok(())
    }

    /// A position may be taken only while the proposal is open, as of the change's
    /// dependencies and time.
    fn still_open(&self, proposal: &str, path: &str) -> Result<(), Violation> {
        let deps = self.change.deps();
        let at = At::new(self.doc, deps);
        let p: Option<Proposal> = autosurgeon::hydrate_path(
            &at,
            &ROOT,
            ["proposals", proposal].map(|k| autosurgeon::Prop::Key(k.into())),
        )
        .ok()
        .flatten();
        let Some(p) = p else {
            return Err(Violation::Unknown {
                path: path.to_owned(),
            });
        };
        match proposal_tally(&p, self.now).outcome {
            Outcome::Open => Ok(()),
            outcome => Err(Violation::Decided {
                path: path.to_owned(),
                proposal: proposal.to_owned(),
                outcome,
            }),
        }
    }
}
