//! [`Validator`]: checks a batch of changes one by one, carrying the governance along it,
//! and judges each change's founding, operations and new records.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use automerge::{AutoCommit, Change, ChangeHash};

use crate::ops::ChangeFacts;

use super::Violation;
use super::at::{At, governance_at, judged_at};
use super::permit::{Ctx, Write};
use super::placement::{check_founding_layout, layout_admits, object_path, slot_admits};
use crate::governance::{Governance, Votes, Written, votes_after};
use crate::ids::ProposalId;
use crate::ops::{Action, ChangeOps, KeyRef, Obj, ObjRef};
use crate::values::{DecisionKind, Timestamp};

/// Checks changes against the rules, in the order they were applied.
#[derive(Debug)]
pub struct Validator {
    /// Governance after each change of the batch checked so far.
    after: HashMap<ChangeHash, Arc<Governance>>,
    /// Other proposals' tallies, as the rules carry them, after each change of the batch
    /// checked so far (`governance::Votes`): kept beside the governance, so that a position
    /// on such a proposal leaves the governance state it found shared.
    votes_after: HashMap<ChangeHash, Arc<Votes>>,
    /// Governance at sets of heads outside the batch.
    at: HashMap<Vec<ChangeHash>, Option<Arc<Governance>>>,
    /// Object paths, by object id (objects never move).
    paths: HashMap<(u64, automerge::ActorId), Vec<String>>,
    /// What judging a ballot needs of its poll (fixed when the poll opens), by the poll's
    /// proposal object: read once, not again for each of a member's ballot changes.
    polls: Arc<std::sync::Mutex<super::permit::Polls>>,
    /// Whether the document held anything before the batch.
    founded: bool,
    /// Whether a change checked so far may have changed the governance in force.
    governance_changed: bool,
    /// Whether the governance carried along the batch may hold a member record other than
    /// the document's: a change checked so far wrote a profile (its name, communities,
    /// languages, accessibility needs or contact), which judging never reads again, or the
    /// rules read a member record, which they read without its profile lists' items
    /// (`Governance::read_judged`), or carried one's keys from operations (in another
    /// order). The records are then read whole before what is carried is told
    /// ([`Validator::governance_after`]).
    profiles_stale: bool,
}

impl Validator {
    /// A validator for a batch applied to a document that, before the batch, held something
    /// (`founded`) or was empty (a node receiving a coalition it joins).
    pub fn new(founded: bool) -> Self {
        Self {
            after: HashMap::new(),
            votes_after: HashMap::new(),
            at: HashMap::new(),
            paths: HashMap::new(),
            polls: Default::default(),
            founded,
            governance_changed: false,
            profiles_stale: false,
        }
    }

    /// Tells the validator the governance at `heads` (as [`governance_at`] reads it there, or
    /// as [`Validator::governance_after`] gave it after an earlier batch), so that changes made
    /// on exactly those heads are judged without reading the document at past heads again.
    /// The governance at a set of heads is a function of the history up to them (changes are
    /// named by the hash of their content and dependencies), so it holds for any document
    /// holding those heads, whatever else it holds. The caller must give what
    /// [`governance_at`] reads at `heads` (or what [`Validator::governance_after`] said of
    /// them): the validator trusts it, so a wrong one would misjudge.
    #[must_use]
    pub fn knowing(mut self, heads: &[ChangeHash], governance: Arc<Governance>) -> Self {
        self.at.insert(sorted(heads), Some(governance));
        self
    }

    /// The governance at `heads` of `doc` (the document the batch was checked in) if the
    /// batch checked so far tells it: every head is a change of the batch that left the same
    /// governance, or the heads are exactly a set already read or told
    /// ([`Validator::knowing`]). Once a change of the batch wrote a member's profile, or the
    /// rules read or carried a member record, what the batch carried may hold an older
    /// profile (profiles are never read again at past heads, see [`Validator::check`]) or one
    /// without its lists' items: the member records are then read whole at `heads`, and
    /// the rest is what was carried. At the document's own heads (where a node asks, after a
    /// batch) that read does not walk back through the history.
    pub fn governance_after(
        &self,
        doc: &AutoCommit,
        heads: &[ChangeHash],
    ) -> Option<Arc<Governance>> {
        let carried = self.carried_after(heads)?;
        if !self.profiles_stale {
            return Some(carried);
        }
        Some(Arc::new(carried.with_records(&At::new(doc, heads))))
    }

    /// What the batch carried to `heads`, as [`Validator::governance_after`] finds it, before
    /// its member records are read whole: for tests, which compare the rest with a reading.
    #[doc(hidden)]
    pub fn carried_after(&self, heads: &[ChangeHash]) -> Option<Arc<Governance>> {
        self.left_by_batch(heads)
            .or_else(|| self.at.get(&sorted(heads)).cloned().flatten())
    }

    /// The governance every one of `heads` left, if each is a change of the batch and all
    /// left the same.
    fn left_by_batch(&self, heads: &[ChangeHash]) -> Option<Arc<Governance>> {
        left_by_all(&self.after, heads)
    }

    /// Whether any change checked so far wrote to what governance is derived from (members'
    /// records other than their profiles, the charter's rules, amendment and membership
    /// proposals): only then can the members in force, or their keys, differ after the batch.
    pub fn governance_changed(&self) -> bool {
        self.governance_changed
    }

    /// Checks one change, already applied to `doc` along with every change it depends on.
    /// Changes of a batch must be checked in causal order (as Automerge returns them).
    ///
    /// The governance a change leaves is carried to the changes made on it. After one that
    /// wrote what governance is derived from, only the records it wrote are read again, at
    /// the change (`Governance::reread`); a change that wrote only a member's profile leaves
    /// the governance as it found it, since judging does not depend on profiles (a profile is
    /// read again only with its record, when a change writes the record's keys, flags or
    /// departure, and then without its lists' items: merged from a member's many nodes they
    /// can hold many times their bound, and each governance state kept would copy them).
    /// Each read at past heads makes Automerge walk back through the history from them, as far as the nearest change it keeps a clock for, which a history
    /// can place far away: a read per profile edit made a history of 4,000 of them,
    /// concurrent with 4,000 other edits, take 45 s to judge, and four times as long for
    /// twice as many.
    pub fn check(&mut self, doc: &AutoCommit, change: &Change) -> Result<(), Violation> {
        let ops = ChangeOps::decode(change).ok_or(Violation::Undecodable)?;
        self.check_decoded(doc, change, &ops)
    }

    /// [`Validator::check`], with the change's operations already decoded (`ops` must be
    /// the change's operations, as `ChangeOps::decode` or `sync`'s columns reader gives them).
    pub fn check_decoded(
        &mut self,
        doc: &AutoCommit,
        change: &dyn ChangeFacts,
        ops: &ChangeOps,
    ) -> Result<(), Violation> {
        if change.deps().is_empty() {
            if self.founded {
                return Err(Violation::SecondFounding);
            }
            self.founded = true;
            self.governance_changed = true;
            return self.check_founding(doc, change, ops);
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
        let votes = self.votes_before(change.deps());
        let fields = created_fields(ops);
        let polls = self.polls.clone();
        let ctx = Ctx {
            doc,
            fields: &fields,
            change,
            gov: &gov,
            in_force: &in_force,
            now,
            writer: &writer,
            positions_judged: Default::default(),
            ballots_judged: Default::default(),
            polls: &polls,
            votes: &votes,
            votes_read: Default::default(),
            received: Default::default(),
        };
        let (written, profile) = self.check_ops(&ctx, ops)?;
        self.governance_changed |= written.any();
        // A member record read again is read without its profile lists' items; one carried
        // from operations holds its keys in another order.
        self.profiles_stale |=
            profile || written.whole || !written.members.is_empty() || !written.lists.is_empty();
        let after = if written.any() {
            let hash = [change.hash()];
            gov.reread(&At::new(doc, &hash), &written).map(Arc::new)
        } else {
            Some(gov.clone())
        };
        // Other proposals' tallies, read or carried, carried on from what the change wrote.
        let votes_read = ctx.votes_read.take();
        let votes_left = votes_after(&votes, votes_read, &written.vote_ops, &written.vote_other)
            .map_or_else(|| votes.clone(), Arc::new);
        // A position, judged in what the change left, where the rules carried it (else read
        // at the change).
        let judged = ctx.positions_judged.borrow();
        for p in judged.iter() {
            let carried = if gov.proposals.contains_key(p.as_str()) {
                after
                    .as_ref()
                    .and_then(|g| g.proposals.get(p.as_str()))
                    .and_then(|p| p.positions.get(writer.as_str()))
            } else {
                p.parse::<ProposalId>()
                    .ok()
                    .and_then(|id| votes_left.get(&id))
                    .and_then(|v| v.vote.positions.get(writer.as_str()))
            };
            match carried {
                Some(pos) => super::permit::gives_reason(pos),
                None => ctx.block_has_reason(p, &writer),
            }
            .map_err(|why| Violation::BadRecord {
                path: format!("proposals/{p}/positions/{writer}"),
                why,
            })?;
        }
        drop(judged);
        self.votes_after.insert(change.hash(), votes_left);
        if let Some(after) = after {
            self.after.insert(change.hash(), after);
        }
        Ok(())
    }

    /// Other proposals' tallies as carried to a change with dependencies `deps`: those every
    /// dependency left, when all left the same; else none (each read again when needed).
    fn votes_before(&self, deps: &[ChangeHash]) -> Arc<Votes> {
        left_by_all(&self.votes_after, deps).unwrap_or_default()
    }

    /// The governance a change with dependencies `deps` was made under.
    fn before(&mut self, doc: &AutoCommit, deps: &[ChangeHash]) -> Option<Arc<Governance>> {
        // Within a batch the governance state is carried from change to change: when every
        // dependency left the same state, that is the state.
        if let Some(g) = self.left_by_batch(deps) {
            return Some(g);
        }
        let deps = sorted(deps);
        if let Some(known) = self.at.get(&deps) {
            return known.clone();
        }
        // Read as the rules keep it: its member records without their profile lists' items.
        let read = judged_at(doc, &deps).map(Arc::new);
        self.profiles_stale = true;
        self.at.insert(deps, read.clone());
        read
    }

    fn check_founding(
        &mut self,
        doc: &AutoCommit,
        change: &dyn ChangeFacts,
        ops: &ChangeOps,
    ) -> Result<(), Violation> {
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
        // Its lists within the bounds later changes keep (`list_cap`; its keys and flags are
        // checked above).
        for (name, list) in [
            ("communities", &founder.communities),
            ("languages", &founder.languages),
            ("accessibility", &founder.accessibility),
        ] {
            if list.len() > crate::MAX_LIST {
                return Err(bad(&format!(
                    "the founder's {name} hold {} items, over {}",
                    list.len(),
                    crate::MAX_LIST
                )));
            }
        }
        check_founding_layout(ops)?;
        // The whole coalition reads as written: every record of the right types.
        let at = At::new(doc, &hash);
        let read = crate::schema::Coalition::read_stored(&at)
            .map_err(|e| bad(&format!("it does not read as a coalition: {e}")))?;
        if let Some(u) = read.unreadable.first() {
            return Err(bad(&format!("{} does not read: {}", u.path, u.error)));
        }
        // Each passed amendment counts one version on from the stored charter's.
        if read.charter.version != 1 {
            return Err(bad("the charter it stores is not version 1"));
        }
        if let Some(why) = std::iter::once(&read.charter.rules)
            .chain(read.charter_versions.values().map(|v| &v.rules))
            .find_map(|r| r.problem())
        {
            return Err(bad(&why));
        }
        // Weights come from amendments (`governance::InForce::weights`).
        if !read.charter.weights.all_equal()
            || !read
                .charter_versions
                .values()
                .all(|v| v.weights.all_equal())
        {
            return Err(bad("the founding charter weighs every member one"));
        }
        self.after.insert(change.hash(), Arc::new(gov));
        Ok(())
    }

    /// Checks every operation; returns what the change wrote of what governance is derived
    /// from, and whether it wrote a member's profile.
    ///
    /// Every operation is checked against the layout ([`crate::layout`]): its place exists
    /// and admits what it writes. Operations on what existed before the change are also
    /// checked against who may write there ([`Ctx::permit`]); those inside objects the change
    /// creates are judged with the record that holds them, which must then read back whole.
    fn check_ops(&mut self, ctx: &Ctx<'_>, ops: &ChangeOps) -> Result<(Written, bool), Violation> {
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
        let mut written_gov = Written::default();
        let mut profile = false;
        // Lists with a bound on their length ([`list_cap`]) the change inserted into, with
        // their bound, how many items it inserted, their path and whether it made them
        // (nothing else can then be in them). Ordered, so that every node names the same list
        // when more than one is over.
        let mut grown: BTreeMap<(u64, automerge::ActorId), Grown> = BTreeMap::new();
        // Fields the change deleted values of, with the greatest id it named: a value that
        // wins over it must stay.
        let mut removed_fields = Vec::new();
        // The place of the previous operation when it was a list or text position: the next
        // one in the same object is at the same place (a text is written character after
        // character), so its path and slot are taken again rather than built and resolved.
        // (Whether the object was made by this change cannot differ between them: an
        // operation never writes into itself, which `sync::chain` refuses; checked anyway.)
        let mut last: Option<(Obj, bool, Vec<String>, crate::layout::Slot, bool)> = None;
        for op in ops.iter() {
            let id = op.id();
            let action = op.action();
            let in_created = op
                .obj_by_author()
                .is_some_and(|parent| created.contains_key(&parent));
            if let (Some(parent), KeyRef::Map(k), true) = (op.obj_by_author(), op.key(), in_created)
                && matches!(action, Action::Put(_) | Action::Make(_))
            {
                written.insert((parent, k));
            }
            let again = match last.take() {
                Some(l) if op.in_list() && l.0 == op.obj_ref() && l.1 == in_created => Some(l),
                _ => None,
            };
            let (path, slot, fixed) = match again {
                Some((_, _, path, slot, fixed)) => {
                    slot_admits(slot, &path, action)?;
                    (path, slot, fixed)
                }
                None => {
                    let inside = match op.obj_by_author() {
                        Some(parent) if in_created => created.get(&parent).cloned(),
                        _ => None,
                    };
                    let mut path = match inside {
                        Some(p) => p,
                        None => self.path_of(ctx.doc, op.obj())?,
                    };
                    path.push(match op.key() {
                        KeyRef::Map(k) => k.to_owned(),
                        _ => "*".to_owned(),
                    });
                    let (slot, fixed) = layout_admits(&path, action)?;
                    (path, slot, fixed)
                }
            };
            if op.insert()
                && let Some((_, list)) = path.split_last()
                && let Some(cap) = list_cap(list)
            {
                // The root is a map: `layout_admits` refused an insert there.
                if let ObjRef::Id(counter, a) = op.obj() {
                    let entry = grown.entry((counter, a.clone())).or_insert_with(|| Grown {
                        cap,
                        inserted: 0,
                        path: list.to_vec(),
                        made: in_created,
                    });
                    entry.inserted += 1;
                }
            }
            if let (Action::Delete, true, ObjRef::Id(c, a), KeyRef::Map(k)) =
                (action, slot.is_field(), op.obj(), op.key())
            {
                let named = op.preds().map(|(n, a)| (n, a.clone())).max();
                removed_fields.push((c, a, k, path.clone(), named));
            }
            // A position's and a ledger entry's time orders decisions and funding: it is the
            // time its change states, as every edit writes it. (That time is its author's to
            // state: this ties the two, so that a position is judged open at the time it
            // carries, which bounds it by its proposal's closing time where there is one; on
            // a proposal that never closes, a member stating a far-future time still makes it
            // decided then. Known limit, `rules`.)
            // (Any other value there is refused by the layout above.)
            if let Action::Put(
                automerge::ScalarValue::Timestamp(ms) | automerge::ScalarValue::Int(ms),
            ) = action
                && stated_time(&path)
                && ms.div_euclid(1000) != ctx.change.timestamp()
            {
                return Err(Violation::BadValue {
                    path: path.join("/"),
                    why: "a time other than the time its change states".into(),
                });
            }
            if let Action::Make(_) = action {
                if let Some(r) = slot.record() {
                    records.push((id, path.clone(), r));
                }
                created.insert(id, path.clone());
            }
            // Every operation under a governing proposal, to carry its positions from; under
            // another, those under its positions, or that it was written otherwise.
            if let [first, p, rest @ ..] = path.as_slice()
                && first == "proposals"
            {
                if ctx.gov.proposals.contains_key(p.as_str()) {
                    written_gov
                        .proposal_ops
                        .entry(p.clone())
                        .or_default()
                        .push(copied(&op, actor));
                } else if rest.first().is_some_and(|k| k == "positions") && rest.len() > 1 {
                    written_gov
                        .vote_ops
                        .entry(p.clone())
                        .or_default()
                        .push(copied(&op, actor));
                } else if !written_gov.vote_other.contains(p) {
                    // (Once per proposal: a new one's text is written an operation per
                    // character.)
                    written_gov.vote_other.insert(p.clone());
                }
            }
            if !in_created {
                if fixed {
                    return Err(Violation::Permanent {
                        path: path.join("/"),
                    });
                }
                // Governance is made of the member list, the charter's rules and the amendment
                // and membership proposals with their positions.
                match (path.first().map(String::as_str), path.get(1)) {
                    (Some("members"), Some(member)) => match path.get(2).map(String::as_str) {
                        Some(field) if PROFILE.contains(&field) => profile = true,
                        // A member's translations: its own words about shared records, which
                        // no governance is derived from and no rule reads (its record is read
                        // by its fields' names).
                        Some(own) if crate::owned::OWN_FIELDS.contains(&own) => {}
                        _ if written_gov.members.contains(member) => {}
                        Some(field @ ("keys" | "flagged")) if path.len() == 4 => {
                            match list_op(&op, field, actor) {
                                Some(o) => {
                                    written_gov.lists.entry(member.clone()).or_default().push(o)
                                }
                                None => {
                                    written_gov.members.insert(member.clone());
                                }
                            }
                        }
                        _ => {
                            written_gov.members.insert(member.clone());
                        }
                    },
                    (Some("members"), None) => written_gov.whole = true,
                    (Some("charter"), Some(k)) if k == "rules" => written_gov.rules = true,
                    // A new amendment or membership proposal, or a position on one.
                    (Some("proposals"), Some(p))
                        if !written_gov.proposals.contains(p)
                            && ((path.len() == 2
                                && ctx
                                    .fields
                                    .get(&(id, "kind"))
                                    .and_then(|k| k.parse::<DecisionKind>().ok())
                                    .is_some_and(crate::governance::governs))
                                || (path.len() > 2
                                    && ctx.gov.proposals.contains_key(p.as_str()))) =>
                    {
                        written_gov.proposals.insert(p.clone());
                    }
                    _ => {}
                }
                let write = Write {
                    path: &path,
                    obj: op.obj(),
                    id,
                    op: action,
                    insert: op.insert(),
                    creates: matches!(action, Action::Make(_)),
                    new_key: op.no_preds() && !op.insert(),
                };
                ctx.permit(&write)?;
            }
            if op.in_list() {
                last = Some((op.obj_ref(), in_created, path, slot, fixed));
            }
        }
        let hash = [ctx.change.hash()];
        let at = At::new(ctx.doc, &hash);
        // A record's field keeps a value: a deletion only resolves a conflict, as Automerge
        // writes one (a value put again over the value that wins deletes the others), so it
        // leaves a value that wins over every value it deletes. Two concurrent deletions each
        // leaving a value (the other's) would merge into none: the record would read on no
        // node (a goal's: the whole charter). Leaving a winner, two cannot: the value with
        // the greatest id of all a field ever held is deleted by none (a put over it would
        // have a greater one; a deletion of it would leave a greater one).
        for (counter, actor, key, path, named) in removed_fields {
            let obj = automerge::ObjId::Id(counter, actor.clone(), usize::MAX);
            let left = at.get_all(&obj, key).ok().and_then(|values| {
                values
                    .iter()
                    .filter_map(|(_, id)| match id {
                        automerge::ObjId::Id(n, a, _) => Some((*n, a.clone())),
                        automerge::ObjId::Root => None,
                    })
                    .max()
            });
            if left.is_none() || left < named {
                return Err(Violation::BadValue {
                    path: path.join("/"),
                    why: "a record's field cannot be removed".into(),
                });
            }
        }
        // A bounded list holds at most its bound once the change is in. Counted for the lists
        // it made and for a member's keys; read for the others, one read each (a change that
        // inserts into none reads nothing here).
        let too_long = |path: &[String], cap: usize, len: usize| Violation::BadValue {
            path: path.join("/"),
            why: format!("a list of at most {cap} items belongs there, not {len}"),
        };
        for (
            (counter, actor),
            Grown {
                cap,
                inserted,
                path,
                made,
            },
        ) in grown
        {
            // A member's keys are carried exact in the governance the change was made under:
            // at most that many and what it inserted (what it deleted is not counted off: a
            // deletion may name an item deleted already). Only keys: a record's list of keys
            // is made once, with it, and a record is never deleted, so the list inserted into
            // is the one governance holds or one in a record no read ever shows. A list of
            // flags can be made twice at once by two of a member's nodes, and either may show
            // once the other's field is deleted; profile lists are not carried exact. Those
            // are read.
            let held = match path.as_slice() {
                _ if made => Some(0),
                [_, member, field] if field == "keys" => {
                    ctx.gov.records.get(member.as_str()).map(|m| m.keys.len())
                }
                _ => None,
            };
            // A list of flags the rules read with its record, where the change only inserted
            // and deleted items of it: how many it holds after, exactly as a read counts.
            let flags_after = match path.as_slice() {
                [_, member, field] if field == "flagged" && !made => ctx
                    .gov
                    .key_lists(member)
                    .zip(written_gov.lists.get(member))
                    .and_then(|(l, ops)| l.flagged_after(counter, &actor, ops)),
                _ => None,
            };
            let len = match (flags_after, held) {
                (Some(len), _) => len,
                (None, Some(held)) => held + inserted,
                (None, None) => {
                    let obj = automerge::ObjId::Id(counter, actor, usize::MAX);
                    autosurgeon::ReadDoc::length(&at, &obj)
                }
            };
            if len > cap {
                return Err(too_long(&path, cap, len));
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
                .find(|f| !f.shape.optional() && !f.later && !written.contains(&(id, f.name)))
            {
                return Err(bad(format!("its {} is missing", f.name)));
            }
            let obj = automerge::ObjId::Id(id, actor.clone(), usize::MAX);
            record.reads(&at, &obj).map_err(bad)?;
        }
        // Objects never move: what later changes of the batch write in the objects this one
        // made is placed from here, without walking up their parents in the document (slow
        // in Automerge's column store; a whole snapshot is one batch). Kept only once the
        // change passed, so that no path of a refused change is ever used.
        self.paths.extend(
            created
                .into_iter()
                .map(|(counter, path)| ((counter, actor.clone()), path)),
        );
        Ok((written_gov, profile))
    }

    /// The map keys from the root to `obj` (list positions as `*`).
    fn path_of(&mut self, doc: &AutoCommit, obj: ObjRef<'_>) -> Result<Vec<String>, Violation> {
        let ObjRef::Id(counter, actor) = obj else {
            return Ok(Vec::new());
        };
        let cache_key = (counter, actor.clone());
        if let Some(p) = self.paths.get(&cache_key) {
            return Ok(p.clone());
        }
        let path = object_path(doc, counter, actor).ok_or_else(|| Violation::Unknown {
            path: format!("object {counter}@{actor}"),
        })?;
        self.paths.insert(cache_key, path.clone());
        Ok(path)
    }
}

/// The text fields a change writes into objects it creates, to check that a new record names
/// its writer without reading the document back: (object counter, key) → value.
fn created_fields(ops: &ChangeOps) -> HashMap<(u64, &str), &str> {
    ops.iter()
        .filter_map(|op| match (op.obj_by_author(), op.key(), op.action()) {
            (Some(obj), KeyRef::Map(k), Action::Put(automerge::ScalarValue::Str(v))) => {
                Some(((obj, k), v.as_str()))
            }
            _ => None,
        })
        .collect()
}

/// Whether a value written at `path` is a time that must be its change's stated time: a
/// position's and a ledger entry's.
fn stated_time(path: &[String]) -> bool {
    match path {
        [a, _, b, _, at] if at == "at" => {
            (a == "proposals" && matches!(b.as_str(), "positions" | "ballots"))
                || (a == "pools" && b == "ledger")
                || (a == "members" && crate::owned::OWN_FIELDS.contains(&b.as_str()))
        }
        _ => false,
    }
}

/// The fields of a member record that are its profile: what the organization says of itself.
/// Nothing governance derives (who is in force, with which keys) depends on them.
const PROFILE: [&str; 5] = [
    "name",
    "communities",
    "languages",
    "accessibility",
    "contact",
];

/// A bounded list a change inserted into ([`Validator::check_ops`]).
struct Grown {
    /// Its bound ([`list_cap`]).
    cap: usize,
    /// How many items the change inserted.
    inserted: usize,
    /// Its path.
    path: Vec<String>,
    /// Whether the change made it (nothing else can then be in it).
    made: bool,
}

/// The most items the list at `path` may hold at each change that inserts into it, where the
/// model bounds it for every edit it makes (so that no honest change goes over): a member's
/// profile lists ([`crate::MAX_LIST`]), its node keys and the keys it flagged
/// ([`crate::governance::MAX_FLAGS`]). A member writes these as often as it likes, and the
/// rules keep a governance state, with its own copy of the member record the change wrote,
/// per change that writes what governance derives from. Bounded at each change, not after
/// merges: concurrent changes from a member's nodes, each within the bound, can merge into a
/// longer list (ARCHITECTURE.md, `model`'s known limits).
fn list_cap(path: &[String]) -> Option<usize> {
    match path {
        [members, _, field] if members == "members" => match field.as_str() {
            "communities" | "languages" | "accessibility" | "keys" => Some(crate::MAX_LIST),
            "flagged" => Some(crate::governance::MAX_FLAGS),
            _ => None,
        },
        // A meeting's lists, as the model writes them (`doc/meetings.rs`).
        [meetings, _, field] if meetings == "meetings" => match field.as_str() {
            "attendance" | "checkins" => Some(crate::MAX_ATTENDANCE),
            "timeboxes" | "agenda" | "decisions" => Some(crate::MAX_LIST),
            "access" => Some(crate::reports::MOST_NEEDS),
            _ => None,
        },
        [members, _, plans, _, slots]
            if members == "members" && plans == "plans" && slots == "slots" =>
        {
            Some(crate::plans::MOST_SLOTS)
        }
        [members, _, availability, _, answers]
            if members == "members" && availability == "availability" && answers == "answers" =>
        {
            Some(crate::plans::MOST_SLOTS)
        }
        [meetings, _, access, _, asked_by]
            if meetings == "meetings" && access == "access" && asked_by == "asked_by" =>
        {
            Some(crate::MAX_ATTENDANCE)
        }
        _ => None,
    }
}

/// What every one of `heads` left, if each is a change of the batch (in `after`) and all left
/// the very same.
fn left_by_all<T>(after: &HashMap<ChangeHash, Arc<T>>, heads: &[ChangeHash]) -> Option<Arc<T>> {
    let (first, rest) = heads.split_first()?;
    let g = after.get(first)?;
    rest.iter()
        .all(|d| after.get(d).is_some_and(|o| Arc::ptr_eq(o, g)))
        .then(|| g.clone())
}

/// A set of heads as the key of [`Validator`]'s `at`: sorted, whatever order it came in.
fn sorted(heads: &[ChangeHash]) -> Vec<ChangeHash> {
    let mut key = heads.to_vec();
    key.sort_unstable();
    key
}

/// `op`, on an item of a member's list of keys (`field`, "keys" or "flagged") in a change by
/// `author`, as the rules carry it (`Governance::reread`): an insertion of a text or the
/// deletion of an item. `None` for anything else (read again instead).
fn list_op(
    op: &crate::ops::OpView<'_>,
    field: &str,
    author: &automerge::ActorId,
) -> Option<crate::governance::ListOp> {
    use crate::governance::{KeyList, ListEdit, ListOp};
    let ObjRef::Id(counter, actor) = op.obj() else {
        return None;
    };
    let edit = match (op.action(), op.key(), op.insert()) {
        // An insertion with predecessors would also delete what they name (Automerge applies
        // an operation's predecessors whatever it is): `sync::chain` refuses one before
        // Automerge sees it; were one here, it is read again.
        (Action::Put(automerge::ScalarValue::Str(v)), _, true) if op.no_preds() => {
            ListEdit::Insert((op.id(), author.clone()), v.to_string())
        }
        (Action::Delete, KeyRef::Elem(c, a), false) => ListEdit::Delete(
            (c, a.clone()),
            op.preds().map(|(c, a)| (c, a.clone())).collect(),
        ),
        _ => return None,
    };
    Some(ListOp {
        field: if field == "keys" {
            KeyList::Keys
        } else {
            KeyList::Flagged
        },
        list: (counter, actor.clone()),
        edit,
    })
}

/// `op`, of a change by `author`, as the rules keep it to carry a governing proposal's
/// positions from (`Governance::reread`).
fn copied(op: &crate::ops::OpView<'_>, author: &automerge::ActorId) -> crate::governance::CopiedOp {
    use crate::governance::{Copied, CopiedOp};
    CopiedOp {
        id: (op.id(), author.clone()),
        obj: match op.obj() {
            ObjRef::Root => None,
            ObjRef::Id(c, a) => Some((c, a.clone())),
        },
        key: match op.key() {
            KeyRef::Map(k) => Some(k.to_owned()),
            _ => None,
        },
        insert: op.insert(),
        action: match op.action() {
            Action::Make(automerge::ObjType::Map) => Copied::MakeMap,
            Action::Put(v) => Copied::Put(v.clone()),
            _ => Copied::Other,
        },
        preds: op.preds().map(|(c, a)| (c, a.clone())).collect(),
    }
}
