//! [`CoalitionDoc`]: one coalition's Automerge document and every edit a member can make to it.
//!
//! Every edit is one Automerge change, authored by the node's key (the document's actor id),
//! committed with a message naming the edit and the caller's timestamp. An edit first validates
//! against the current state and writes nothing when it refuses.
//!
//! Edits write only the fields they change (records are map entries keyed by id), so concurrent
//! edits on different nodes merge field by field; and they read only what they need (a record by
//! id, the governance): reading the whole document is for reads and reports. An edit checks the
//! governance as receiving nodes will: in force at the second the edit is made (a change's metadata
//! keeps whole seconds), read once per edit and handed to it (`edit_governed`). A member removed,
//! departed or awaiting its admission vote cannot edit, nor can a node whose key is flagged
//! (`EditError::KeyFlagged`); a new proposal gets its rule and electorate from
//! [`crate::governance::rule_and_electorate`] (the member concerned takes no part in its own
//! removal).
//!
//! The governance is kept with the heads it was read at, and read again only when changes since may
//! have changed it (`governed`). Which records changes since some heads wrote to is read from their
//! operations, within bounds ([`CoalitionDoc::touched_in`], `touched`), for the caches readers keep
//! (listing headers, [`crate::unreadable`], the governance).
//!
//! The edits live by area in the submodules; what callers give them in `inputs`, and the
//! path helpers they share in `paths`.

mod drafts;
mod goals;
mod governed;
mod inputs;
mod issues;
mod meetings;
mod members;
mod paths;
mod plans;
mod pools;
mod proposals;
mod received;
pub use received::Offer;
mod restore;
mod touched;
mod translations;

pub use inputs::*;
use members::*;
use paths::*;
pub(crate) use proposals::weights_problem;
use proposals::*;
pub use restore::RESTORABLE;

use std::collections::BTreeMap;
use std::sync::Arc;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc};
use autosurgeon::reconcile_prop;

use crate::error::{DocError, EditError};
use crate::governance::{Governance, InForce, MAX_FLAGS};
use crate::ids::{CoalitionId, EntryId, GoalId, IssueId, MeetingId, MemberId, PoolId, ProposalId};
use crate::schema::{
    Amendment, Charter, Coalition, Evidence, Goal, Issue, LedgerEntry, Meeting, Member, Pool,
    PositionRecord, Progress, Proposal, Prose, Roles, Rules, SCHEMA_VERSION,
};
use crate::tally::Outcome;
use crate::values::{
    Amount, Day, DecisionKind, EntryKind, Fraction, IssueStatus, NodeKey, PoolKind, Rank, Stance,
    Timestamp, normalize_tag,
};

/// The message of the change that certifies a device key (read back by
/// [`crate::history::key_activity`]).
pub(crate) const ADD_DEVICE_KEY: &str = "add device key";

/// Most changes [`CoalitionDoc::touched_in`] (and `touched_since`) reads through before it
/// answers that the records are better read again.
pub const MAX_TOUCHED_CHANGES: usize = 64;
/// Most operations, in all those changes, it decodes to tell.
pub(crate) const MAX_TOUCHED_OPS: usize = 4096;

/// One coalition's document, opened for reading and editing as one node (actor).
#[derive(Debug)]
pub struct CoalitionDoc {
    doc: AutoCommit,
    id: CoalitionId,
    /// The governance as stored, read at these heads (see `governed`).
    gov: Option<(Vec<ChangeHash>, Arc<Governance>)>,
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
                delegates: Vec::new(),
            },
            equity_threshold: founding.equity_threshold.unwrap_or(Fraction::HALF),
            goals: BTreeMap::new(),
            version: 1,
            weights: crate::schema::Weights::default(),
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
            gov: None,
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
        Ok(Self { doc, id, gov: None })
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
        // The roles elections filled (`reports::elections`).
        let elected = crate::reports::elections(c.proposals.values(), now);
        let members = &c.members;
        crate::reports::apply_elections(&mut c.charter.roles, &elected, |m| {
            members.contains_key(m)
        });
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

    /// [`CoalitionDoc::history`] through `log`, which keeps what it read of this document:
    /// only the changes made since it last read are read.
    pub fn history_in(
        &mut self,
        log: &mut crate::history::Log,
        record: Option<&str>,
    ) -> Result<Vec<crate::history::Entry>, DocError> {
        log.update(&mut self.doc);
        let records = crate::schema::records(&self.doc, "members", &mut Vec::new());
        Ok(log.entries(&records, record))
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

    /// The keys of the collection at `path` (`issues`, `charter/goals`...) that start with
    /// `prefix`, in order: read from where the prefix falls among the map's sorted keys, so the
    /// cost follows the keys that match, not the collection's size. Empty when the path does
    /// not lead to a map.
    pub fn record_ids_starting(&self, path: &str, prefix: &str) -> Vec<String> {
        let path: Vec<&str> = path.split('/').collect();
        match map_at(&self.doc, &path) {
            Ok(obj) => self
                .doc
                .map_range(&obj, prefix.to_owned()..)
                .map(|i| i.key.to_string())
                .take_while(|k| k.starts_with(prefix))
                .collect(),
            Err(_) => Vec::new(),
        }
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

    /// One entry of the pool `pool`'s ledger as stored, read alone (what lets a reader that
    /// keeps a pool read again only the entries changes wrote to).
    pub fn ledger_entry(
        &self,
        pool: &crate::PoolId,
        entry: &str,
    ) -> Result<Option<crate::schema::LedgerEntry>, crate::schema::Unreadable> {
        let path = ["pools", pool.as_str(), "ledger", entry];
        autosurgeon::hydrate_path(
            &self.doc,
            &ROOT,
            path.map(|k| autosurgeon::Prop::Key(k.into())),
        )
        .map_err(|e| crate::schema::Unreadable {
            path: path.join("/"),
            error: e.to_string(),
        })
    }

    /// The charter in force at `now`, with every ratified version, without reading the
    /// coalition's issues, pools or meetings (the governance reads the members and the
    /// governing proposals).
    pub fn charter_at(&mut self, now: Timestamp) -> Result<CharterInForce, EditError> {
        let mut charter: crate::schema::Charter =
            autosurgeon::hydrate_prop(&self.doc, ROOT, "charter").map_err(DocError::from)?;
        let mut versions = crate::schema::records(&self.doc, "charter_versions", &mut Vec::new());
        // At `now` to the millisecond, as the whole read decides (not the edits' whole
        // seconds): an amendment closing this second is in force here when it is there.
        let gov = self.governance()?.in_force(now);
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

    /// The governance in force at `now` (judged at the second `now` falls in, as receiving
    /// nodes judge a change, whose metadata keeps whole seconds).
    pub fn in_force(&mut self, now: Timestamp) -> Result<Arc<InForce>, EditError> {
        Ok(self
            .governance()?
            .in_force(Timestamp::from_secs(now.as_secs())))
    }

    /// The governance in force as of the document's heads: at the newest moment they state
    /// (what every node judges membership by when it relays a coalition), from the
    /// governance kept between changes.
    pub fn in_force_at_heads(&mut self) -> Result<Arc<InForce>, EditError> {
        let at = crate::governance::heads_moment(&mut self.doc);
        Ok(self.governance()?.in_force(at))
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
            gov: None,
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
            gov: self.gov.clone(),
        }
    }

    /// The member whose node keys include `key` (in force or not).
    /// From the governance kept between edits: no member record is read again.
    pub fn member_for_key(&mut self, key: NodeKey) -> Result<MemberId, EditError> {
        // A document with no governance to read (one being joined) has no member either.
        self.governance()
            .ok()
            .and_then(|g| g.record_holding(key.as_bytes()).cloned())
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
        let gov = self.in_force(at)?;
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
}

fn commit_options(message: &str, at: Timestamp) -> CommitOptions {
    CommitOptions::default()
        .with_message(message.to_owned())
        .with_time(at.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The keys found from where a prefix falls among a map's sorted keys are exactly the
        /// keys that start with it, in order, whatever the keys (ids sharing prefixes, keys
        /// that are no id, a nested collection).
        #[test]
        fn keys_from_a_prefix_are_every_key_that_starts_with_it(
            keys in proptest::collection::btree_set("[a-c0-2]{0,5}", 0..40),
            prefix in "[a-c0-2]{0,3}",
            nested in any::<bool>(),
        ) {
            let (_, mut doc) = crate::testing::founded();
            let path: &[&str] = if nested { &["charter", "goals"] } else { &["issues"] };
            let map = map_at(doc.automerge(), path).unwrap();
            for key in &keys {
                doc.automerge_mut().put_object(&map, key.as_str(), ObjType::Map).unwrap();
            }
            let expected: Vec<String> = keys
                .iter()
                .filter(|k| k.starts_with(prefix.as_str()))
                .cloned()
                .collect();
            prop_assert_eq!(doc.record_ids_starting(&path.join("/"), &prefix), expected);
            prop_assert!(doc.record_ids_starting("no/such/path", "").is_empty());
        }
    }
}
