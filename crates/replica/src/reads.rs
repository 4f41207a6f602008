//! Reading a coalition by the part: one record, a listing's headers, the governance, the
//! records that do not read, each kept up to date from what changed; or whole.

use super::*;

/// What a listing of issues sorts and filters by, for every issue of a coalition.
pub type IssueHeaders = std::sync::Arc<BTreeMap<model::IssueId, model::records::IssueHeader>>;

/// What a listing of proposals sorts and filters by, for every proposal of a coalition.
pub type ProposalHeaders =
    std::sync::Arc<BTreeMap<model::ProposalId, model::records::ProposalHeader>>;

/// Every issue that reads, by when it was raised then by id: the order of a listing.
pub type IssueOrder = std::sync::Arc<std::collections::BTreeSet<(Timestamp, model::IssueId)>>;

/// Every proposal that reads, newest first, then by id.
pub type ProposalOrder =
    std::sync::Arc<std::collections::BTreeSet<(std::cmp::Reverse<Timestamp>, model::ProposalId)>>;

/// A collection's headers by id, and its records in the order listings take them.
pub(crate) type Listing<H> = (
    std::sync::Arc<BTreeMap<<H as model::records::Header>::Id, H>>,
    std::sync::Arc<
        std::collections::BTreeSet<(
            <H as model::records::Header>::Rank,
            <H as model::records::Header>::Id,
        )>,
    >,
);

/// Headers of every record of a collection, in the order listings take them, and the heads
/// they were read at.
#[derive(Debug)]
pub(crate) struct Headers<H: model::records::Header> {
    at: Vec<model::automerge::ChangeHash>,
    by_id: std::sync::Arc<BTreeMap<H::Id, H>>,
    order: std::sync::Arc<std::collections::BTreeSet<(H::Rank, H::Id)>>,
}

/// The order of `headers`.
fn order_of<H: model::records::Header>(
    headers: &BTreeMap<H::Id, H>,
) -> std::collections::BTreeSet<(H::Rank, H::Id)> {
    headers
        .iter()
        .map(|(id, h)| (h.rank(), id.clone()))
        .collect()
}

/// The headers `slot` holds and their order, brought up to the document's heads: if they were
/// read at other heads, only the records the changes since wrote to are read again and moved
/// in the order (when that is cheap to tell, else every header is read and sorted again);
/// kept in `slot` for the next call. Records that do not read are left out, as from the
/// whole read (`Coalition::unreadable`). A caller still holding an earlier answer keeps it
/// as it was (the next update copies instead).
pub(crate) fn cached<H: model::records::Header>(
    slot: &mut Option<Headers<H>>,
    doc: &mut CoalitionDoc,
) -> Listing<H> {
    let heads = doc.heads();
    if let Some(h) = slot {
        if h.at == heads {
            return (h.by_id.clone(), h.order.clone());
        }
        if let Some(touched) = doc.touched_since(&h.at, H::COLLECTION) {
            let by_id = std::sync::Arc::make_mut(&mut h.by_id);
            let order = std::sync::Arc::make_mut(&mut h.order);
            let ids: Vec<H::Id> = touched.iter().filter_map(|k| k.parse().ok()).collect();
            for id in &ids {
                if let Some(old) = by_id.get(id) {
                    order.remove(&(old.rank(), id.clone()));
                }
            }
            model::records::update_headers(doc.automerge(), by_id, &touched);
            for id in ids {
                if let Some(new) = by_id.get(&id) {
                    order.insert((new.rank(), id));
                }
            }
            h.at = heads;
            return (h.by_id.clone(), h.order.clone());
        }
    }
    let by_id = doc.headers::<H>();
    let order = std::sync::Arc::new(order_of(&by_id));
    let by_id = std::sync::Arc::new(by_id);
    *slot = Some(Headers {
        at: heads,
        by_id: by_id.clone(),
        order: order.clone(),
    });
    (by_id, order)
}

/// The pools of a coalition read so far, as of the heads `at`. A pool's ledger only grows
/// (entries are never changed once written; the rules refuse it on receipt), so when the
/// changes since wrote only to some entries of a pool's ledger, those entries are read again
/// alone; when they wrote anything else of a pool (or it is not cheap to tell), the pool is
/// read again whole on its next read, as the first time.
#[derive(Debug, Default)]
pub(crate) struct Pools {
    at: Vec<model::automerge::ChangeHash>,
    by_id: HashMap<model::PoolId, std::sync::Arc<model::schema::Pool>>,
}

impl Pools {
    /// The pool `id` as the document holds it now.
    fn get(
        &mut self,
        doc: &mut CoalitionDoc,
        id: &model::PoolId,
    ) -> Result<Option<std::sync::Arc<model::schema::Pool>>, model::schema::Unreadable> {
        self.catch_up(doc);
        if let Some(pool) = self.by_id.get(id) {
            return Ok(Some(pool.clone()));
        }
        let Some(pool) = doc.pool(id)? else {
            return Ok(None);
        };
        let pool = std::sync::Arc::new(pool);
        self.by_id.insert(id.clone(), pool.clone());
        Ok(Some(pool))
    }

    /// Brings the pools kept up to the document's heads.
    fn catch_up(&mut self, doc: &mut CoalitionDoc) {
        let heads = doc.heads();
        if self.at == heads {
            return;
        }
        let at = std::mem::replace(&mut self.at, heads);
        if self.by_id.is_empty() {
            return;
        }
        // One pass over the changes: the pools, and each pool kept, and its ledger.
        let ids: Vec<model::PoolId> = self.by_id.keys().cloned().collect();
        let mut paths = vec![vec!["pools"]];
        for id in &ids {
            paths.push(vec!["pools", id.as_str()]);
            paths.push(vec!["pools", id.as_str(), "ledger"]);
        }
        let Some(touched) = doc.touched_under(&at, &paths) else {
            self.by_id.clear();
            return;
        };
        let Some(pools) = &touched[0] else {
            self.by_id.clear();
            return;
        };
        for (i, id) in ids.iter().enumerate() {
            if !pools.contains(id.as_str()) {
                continue;
            }
            let only_ledger = touched[1 + 2 * i]
                .as_ref()
                .is_some_and(|keys| keys.iter().all(|k| k == "ledger"));
            let entries = touched[2 + 2 * i].as_ref().filter(|_| only_ledger);
            let updated = entries.is_some_and(|entries| {
                self.by_id.get_mut(id).is_some_and(|pool| {
                    read_entries(doc, id, std::sync::Arc::make_mut(pool), entries)
                })
            });
            if !updated {
                self.by_id.remove(id);
            }
        }
    }
}

/// Reads again the entries `entries` of the ledger of `pool` (the pool `id`); `false` when
/// one does not read, and the pool is to be read again whole (as the first read decides
/// what of it reads).
fn read_entries(
    doc: &CoalitionDoc,
    id: &model::PoolId,
    pool: &mut model::schema::Pool,
    entries: &std::collections::BTreeSet<String>,
) -> bool {
    for key in entries {
        let Ok(entry) = key.parse::<model::EntryId>() else {
            return false;
        };
        match doc.ledger_entry(id, key) {
            Ok(Some(e)) => {
                pool.ledger.insert(entry, e);
            }
            Ok(None) => {
                pool.ledger.remove(&entry);
            }
            Err(_) => return false,
        }
    }
    true
}

/// The heads at which what is slow to read again was last kept for the next run.
#[derive(Debug, Default)]
pub(crate) struct KeptAt {
    pub(crate) unreadable: Vec<model::automerge::ChangeHash>,
    pub(crate) history: Vec<model::automerge::ChangeHash>,
}

/// The record keeping a coalition's records that do not read across restarts
/// ([`model::unreadable::Unreadables::to_bytes`]).
pub(crate) fn unreadable_record(id: &CoalitionId) -> String {
    format!("unreadable/{id}")
}

/// The record keeping what was read of a coalition's history across restarts
/// ([`model::history::Log::to_bytes`]).
pub(crate) fn history_record(id: &CoalitionId) -> String {
    format!("history/{id}")
}

impl Replica {
    /// The ids of a coalition's records in the collection `key`, without reading them.
    pub fn record_ids(&mut self, id: &CoalitionId, key: &str) -> Result<Vec<String>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.record_ids(key))
    }

    /// The keys of the collection `key` of a coalition that start with `prefix`, in order;
    /// the cost follows the keys that match, not the collection's size.
    pub fn record_ids_starting(
        &mut self,
        id: &CoalitionId,
        key: &str,
        prefix: &str,
    ) -> Result<Vec<String>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.record_ids_starting(key, prefix))
    }

    /// The hash of every change of a coalition, from the change graph's metadata (no change
    /// is rebuilt).
    pub fn change_hashes(
        &mut self,
        id: &CoalitionId,
    ) -> Result<Vec<model::automerge::ChangeHash>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self
            .loaded(id)?
            .doc
            .automerge_mut()
            .get_changes_meta(&[])
            .iter()
            .map(|c| c.hash)
            .collect())
    }

    /// One proposal of a coalition, read alone.
    pub fn proposal(
        &mut self,
        id: &CoalitionId,
        proposal: &model::ProposalId,
    ) -> Result<Option<model::schema::Proposal>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.proposal(proposal).map_err(unreadable)
    }

    /// One pool of a coalition with its ledger, read alone; kept, so that the next read
    /// reads again only the ledger entries changes wrote to since.
    pub fn pool(
        &mut self,
        id: &CoalitionId,
        pool: &model::PoolId,
    ) -> Result<Option<std::sync::Arc<model::schema::Pool>>, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        loaded.pools.get(&mut loaded.doc, pool).map_err(unreadable)
    }

    /// The charter of a coalition in force now, with its ratified versions and the
    /// governance it was derived under, without its other records (nor the roles elections
    /// filled: [`Replica::charter_with_roles`]).
    pub fn charter(&mut self, id: &CoalitionId) -> Result<model::CharterInForce, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.charter_at(now())?)
    }

    /// The links in force with other coalitions (`model::reports::links_of`: found from the
    /// proposal headers, only link proposals read whole).
    pub fn links(
        &mut self,
        id: &CoalitionId,
    ) -> Result<std::collections::BTreeMap<CoalitionId, model::reports::LinkInForce>, ReplicaError>
    {
        self.links_at(id, now())
    }

    /// [`Replica::links`] as they were in force at `at`.
    pub fn links_at(
        &mut self,
        id: &CoalitionId,
        at: model::Timestamp,
    ) -> Result<std::collections::BTreeMap<CoalitionId, model::reports::LinkInForce>, ReplicaError>
    {
        self.arrived_or_err(id)?;
        let headers = self.proposal_headers(id)?;
        model::reports::links_of(
            headers.iter(),
            |p| match self.proposal(id, p) {
                // One that does not read is passed over, as the whole read leaves it out.
                Err(ReplicaError::Unreadable { .. }) => Ok(None),
                other => other,
            },
            at,
        )
    }

    /// [`Replica::charter`] with its roles as the latest election of each filled them
    /// (`model::reports::elections_of`: found from the proposal headers, only those elections
    /// read whole), as the whole read has them: for showing the charter.
    pub fn charter_with_roles(
        &mut self,
        id: &CoalitionId,
    ) -> Result<model::CharterInForce, ReplicaError> {
        self.arrived_or_err(id)?;
        let at = now();
        let mut read = self.loaded(id)?.doc.charter_at(at)?;
        let headers = self.proposal_headers(id)?;
        let elected = model::reports::elections_of(
            headers.iter(),
            |p| match self.proposal(id, p) {
                // One that does not read is passed over, as the whole read leaves it out.
                Err(ReplicaError::Unreadable { .. }) => Ok(None),
                other => other,
            },
            at,
        )?;
        let gov = &read.governance;
        model::reports::apply_elections(&mut read.charter.roles, &elected, |m| {
            gov.members.contains_key(m)
        });
        Ok(read)
    }

    /// One meeting of a coalition, read alone.
    pub fn meeting(
        &mut self,
        id: &CoalitionId,
        meeting: &model::MeetingId,
    ) -> Result<Option<model::schema::Meeting>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.meeting(meeting).map_err(unreadable)
    }

    /// Every meeting of a coalition that reads, without its other records.
    pub fn meetings(
        &mut self,
        id: &CoalitionId,
    ) -> Result<std::collections::BTreeMap<model::MeetingId, model::schema::Meeting>, ReplicaError>
    {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.meetings())
    }

    /// Every translation members wrote of a coalition's shared records.
    pub fn translations(
        &mut self,
        id: &CoalitionId,
    ) -> Result<Vec<model::translations::Translation>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.translations())
    }

    /// The translations of one record of a coalition (`issues/<id>`, `charter`...), without
    /// reading the others' texts.
    pub fn translations_of(
        &mut self,
        id: &CoalitionId,
        record: &str,
    ) -> Result<Vec<model::translations::Translation>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.translations_of(record))
    }

    /// Every meeting plan of a coalition, with members' answers.
    pub fn plans(&mut self, id: &CoalitionId) -> Result<Vec<model::plans::Plan>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.plans())
    }

    /// One issue of a coalition, read alone.
    pub fn issue(
        &mut self,
        id: &CoalitionId,
        issue: &model::IssueId,
    ) -> Result<Option<model::schema::Issue>, ReplicaError> {
        self.arrived_or_err(id)?;
        self.loaded(id)?.doc.issue(issue).map_err(unreadable)
    }

    /// What a listing of a coalition's issues sorts and filters by, without their texts (the
    /// issues that read); after a change, only the issues it wrote to are read again.
    pub fn issue_headers(&mut self, id: &CoalitionId) -> Result<IssueHeaders, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.issue_headers, &mut loaded.doc).0)
    }

    /// What a listing of a coalition's proposals sorts and filters by, as
    /// [`Replica::issue_headers`] for issues.
    pub fn proposal_headers(&mut self, id: &CoalitionId) -> Result<ProposalHeaders, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.proposal_headers, &mut loaded.doc).0)
    }

    /// [`Replica::issue_headers`] with the issues in a listing's order (by when each was
    /// raised, then by id), kept up to date as the headers are: a page takes its issues from
    /// it without sorting them all.
    pub fn issue_listing(
        &mut self,
        id: &CoalitionId,
    ) -> Result<(IssueHeaders, IssueOrder), ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.issue_headers, &mut loaded.doc))
    }

    /// [`Replica::proposal_headers`] with the proposals in a listing's order (newest first,
    /// then by id), as [`Replica::issue_listing`].
    pub fn proposal_listing(
        &mut self,
        id: &CoalitionId,
    ) -> Result<(ProposalHeaders, ProposalOrder), ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        Ok(cached(&mut loaded.proposal_headers, &mut loaded.doc))
    }

    /// The records of a coalition that do not read and are left out of every listing and
    /// report (what [`Replica::read`] names in `unreadable`); after a change, only the records
    /// it wrote to are read again.
    pub fn unreadable(
        &mut self,
        id: &CoalitionId,
    ) -> Result<Vec<model::schema::Unreadable>, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        if let Some(kept) = loaded.unreadable.as_mut() {
            kept.update(&mut loaded.doc);
            return Ok(kept.list());
        }
        // What an earlier run kept, if it still holds (taken back up to date); else every
        // record read once, and kept for the next run.
        let stored = self.kept_record(&unreadable_record(id));
        let loaded = self.loaded(id)?;
        let taken = stored.and_then(|bytes| {
            model::unreadable::Unreadables::from_bytes_at(&bytes, &mut loaded.doc)
        });
        let fresh = taken.is_none();
        // Taken back: what the store holds is as of the heads it was written at (brought up
        // to date since, in memory only), so the next stop writes it again if they moved.
        let (kept, written) = match taken {
            Some((kept, written)) => (kept, written),
            None => (
                model::unreadable::Unreadables::read(&mut loaded.doc),
                Vec::new(),
            ),
        };
        let (list, heads) = (kept.list(), kept.heads().to_vec());
        let bytes = fresh.then(|| kept.to_bytes());
        loaded.unreadable = Some(kept);
        if let Some(bytes) = bytes {
            if self.keep_record(
                &unreadable_record(id),
                &bytes,
                model::unreadable::MAX_KEPT_BYTES,
            ) {
                self.loaded(id)?.kept_at.unreadable = heads;
            }
        } else {
            self.loaded(id)?.kept_at.unreadable = written;
        }
        Ok(list)
    }

    /// Keeps what was read of each loaded coalition that is slow to read again (the records
    /// that do not read, the history if it was viewed) for the next run, as far as it was
    /// read (the next run catches up from there): the node calls this as it stops. Nothing is
    /// read here, and only what was read further since it was last kept is written. A failure
    /// is logged: the next run reads it again.
    pub fn keep_reads(&mut self) {
        let ids: Vec<CoalitionId> = self.docs.keys().cloned().collect();
        for id in ids {
            let Some(loaded) = self.docs.get(&id) else {
                continue;
            };
            let unreadable = loaded
                .unreadable
                .as_ref()
                .filter(|u| u.heads() != loaded.kept_at.unreadable.as_slice())
                .map(|u| (u.heads().to_vec(), u.to_bytes()));
            let history = (!loaded.history.is_empty()
                && loaded.history.heads() != loaded.kept_at.history.as_slice())
            .then(|| (loaded.history.heads().to_vec(), loaded.history.to_bytes()));
            if let Some((heads, bytes)) = unreadable
                && self.keep_record(
                    &unreadable_record(&id),
                    &bytes,
                    model::unreadable::MAX_KEPT_BYTES,
                )
                && let Some(loaded) = self.docs.get_mut(&id)
            {
                loaded.kept_at.unreadable = heads;
            }
            if let Some((heads, bytes)) = history
                && self.keep_record(&history_record(&id), &bytes, model::history::MAX_KEPT_BYTES)
                && let Some(loaded) = self.docs.get_mut(&id)
            {
                loaded.kept_at.history = heads;
            }
        }
    }

    /// A record kept only to save reading again; `None` (logged) when the store cannot say.
    fn kept_record(&self, key: &str) -> Option<Vec<u8>> {
        self.record(key)
            .inspect_err(|e| {
                tracing::warn!(record = key, error = %e, "could not read what was kept; reading again");
            })
            .ok()
            .flatten()
    }

    /// Writes a record that only saves reading again, unless it is larger than `most`, what
    /// would be taken back; whether it was written (a failure is logged).
    fn keep_record(&self, key: &str, bytes: &[u8], most: usize) -> bool {
        if bytes.len() > most {
            tracing::info!(
                record = key,
                bytes = bytes.len(),
                "too large to keep for the next run; it will be read again"
            );
            return false;
        }
        match self.put_record(key, bytes) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(record = key, error = %e, "could not keep what was read for the next run");
                false
            }
        }
    }

    /// A coalition's name, without reading its other records.
    pub fn name(&mut self, id: &CoalitionId) -> Result<String, ReplicaError> {
        self.arrived_or_err(id)?;
        let loaded = self.loaded(id)?;
        loaded.doc.name().map_err(|source| ReplicaError::Doc {
            coalition: id.to_string(),
            source: Box::new(source),
        })
    }

    /// The governance of a coalition in force now: its members in force, rules and passed
    /// decisions (without reading its other records).
    pub fn in_force(
        &mut self,
        id: &CoalitionId,
    ) -> Result<std::sync::Arc<model::governance::InForce>, ReplicaError> {
        self.arrived_or_err(id)?;
        Ok(self.loaded(id)?.doc.in_force(now())?)
    }

    /// The whole state of a coalition in force now (proposals past their closing time are
    /// decided).
    pub fn read(&mut self, id: &CoalitionId) -> Result<Coalition, ReplicaError> {
        if self.is_joining(id) {
            return Err(ReplicaError::NotArrived {
                coalition: id.to_string(),
            });
        }
        let loaded = self.loaded(id)?;
        loaded
            .doc
            .read_at(now())
            .map_err(|source| ReplicaError::Doc {
                coalition: id.to_string(),
                source: Box::new(source),
            })
    }

    /// How many of this node's changes of a coalition a peer whose heads are `heads` lacks;
    /// `None` if some of those heads are unknown here (the peer has changes this node lacks).
    pub fn missing_from(
        &mut self,
        id: &CoalitionId,
        heads: &[model::automerge::ChangeHash],
    ) -> Result<Option<usize>, ReplicaError> {
        let doc = self.loaded(id)?.doc.automerge_mut();
        if heads
            .iter()
            .any(|h| doc.document().get_change_meta_by_hash(h).is_none())
        {
            return Ok(None);
        }
        // Counted from the change graph's metadata: no change is rebuilt.
        Ok(Some(doc.document().get_changes_meta(heads).len()))
    }

    /// Every change of a coalition, oldest first; only those touching `record` if given.
    pub fn history(
        &mut self,
        id: &CoalitionId,
        record: Option<&str>,
    ) -> Result<Vec<model::history::Entry>, ReplicaError> {
        let mut fresh = false;
        if self.loaded(id)?.history.is_empty() {
            // What an earlier run read, if it still holds; else the history is read whole
            // once, and kept for the next run.
            let stored = self.kept_record(&history_record(id));
            let loaded = self.loaded(id)?;
            match stored
                .and_then(|b| model::history::Log::from_bytes_at(&b, loaded.doc.automerge_mut()))
            {
                // As of the heads it was written at: the next stop writes it again if they
                // moved (it was brought up to date in memory only).
                Some((log, written)) => {
                    loaded.kept_at.history = written;
                    loaded.history = log;
                }
                None => fresh = true,
            }
        }
        let loaded = self.loaded(id)?;
        let entries = loaded
            .doc
            .history_in(&mut loaded.history, record)
            .map_err(|source| ReplicaError::Doc {
                coalition: id.to_string(),
                source: Box::new(source),
            })?;
        if fresh {
            let (heads, bytes) = (loaded.history.heads().to_vec(), loaded.history.to_bytes());
            if self.keep_record(&history_record(id), &bytes, model::history::MAX_KEPT_BYTES) {
                self.loaded(id)?.kept_at.history = heads;
            }
        }
        Ok(entries)
    }

    /// When each of `member`'s node keys was certified in coalition `id` and what it signed.
    pub fn key_activity(
        &mut self,
        id: &CoalitionId,
        member: &model::schema::Member,
    ) -> Result<Vec<model::history::KeyActivity>, ReplicaError> {
        Ok(self.loaded(id)?.doc.key_activity(member))
    }

    /// The member this node acts for in a coalition.
    pub fn me(&mut self, id: &CoalitionId) -> Result<MemberId, ReplicaError> {
        let key = self.identity.node_key();
        Ok(self.loaded(id)?.doc.member_for_key(key)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic
    use super::*;
    use model::automerge::transaction::Transactable;
    use model::automerge::{ObjType, ReadDoc as _};
    use model::{Founding, Gift, GiftKind, MemberProfile, NewPool, PoolId, PoolKind};
    use proptest::prelude::*;

    /// A raw write another node could have made (the rules refuse most of them on receipt;
    /// the cache must agree with a whole read of the pool whatever got in).
    #[derive(Debug, Clone)]
    enum Raw {
        /// An honest gift.
        Gift(u32),
        /// An entry deleted.
        Delete(usize),
        /// An entry's amount overwritten (with a number, or with text).
        Amount(usize, bool),
        /// An entry under a key that is not an entry id.
        BadKey,
        /// The pool renamed.
        Rename,
        /// The ledger replaced by a scalar.
        LedgerScalar,
        /// The ledger replaced by an empty map.
        LedgerEmpty,
    }

    fn raw() -> impl Strategy<Value = Raw> {
        prop_oneof![
            4 => (1u32..500).prop_map(Raw::Gift),
            1 => (0usize..8).prop_map(Raw::Delete),
            1 => ((0usize..8), any::<bool>()).prop_map(|(i, n)| Raw::Amount(i, n)),
            1 => Just(Raw::BadKey),
            1 => Just(Raw::Rename),
            1 => Just(Raw::LedgerScalar),
            1 => Just(Raw::LedgerEmpty),
        ]
    }

    fn ledger_obj(doc: &CoalitionDoc, pool: &PoolId) -> Option<model::automerge::ObjId> {
        let am = doc.automerge();
        let (_, pools) = am.get(model::automerge::ROOT, "pools").ok()??;
        let (_, p) = am.get(&pools, pool.as_str()).ok()??;
        match am.get(&p, "ledger").ok()?? {
            (model::automerge::Value::Object(ObjType::Map), l) => Some(l),
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever was written between two reads, honest or not, the pool kept is the pool
        /// read whole (or both say it does not read).
        #[test]
        fn a_kept_pool_is_the_pool_read_whole_after_any_write(steps in proptest::collection::vec(raw(), 1..12)) {
            let key = model::NodeKey::from_bytes([1; 32]);
            let founder = model::MemberId::from_bytes([2; 16]);
            let mut doc = CoalitionDoc::found(
                key,
                Founding {
                    id: CoalitionId::from_bytes([3; 16]),
                    name: "Transit Justice".into(),
                    frame: String::new(),
                    values: vec![],
                    commitments: vec![],
                    equity_threshold: None,
                    founder_id: founder.clone(),
                    founder: MemberProfile::named("Northside"),
                    at: Timestamp::from_millis(0),
                },
            )
            .unwrap();
            let pool = PoolId::from_bytes([4; 16]);
            let new = NewPool {
                id: pool.clone(),
                name: "Legal defense fund".into(),
                kind: PoolKind::Funds,
                unit: "USD".into(),
                description: String::new(),
            };
            doc.create_pool(&founder, new, Timestamp::from_millis(1)).unwrap();
            let mut kept = Pools::default();
            let mut n = 0u8;
            for step in steps {
                n = n.wrapping_add(1);
                let entries: Vec<String> = ledger_obj(&doc, &pool)
                    .map(|l| doc.automerge().keys(&l).collect())
                    .unwrap_or_default();
                match step {
                    Raw::Gift(amount) => {
                        let gift = Gift {
                            entry: model::EntryId::from_bytes([n; 16]),
                            kind: GiftKind::Pledge,
                            amount: amount.to_string().parse().unwrap(),
                            note: String::new(),
                        };
                        // Refused once the ledger no longer reads: nothing is written then.
                        let _ = doc.give(&founder, &pool, gift, Timestamp::from_millis(2 + i64::from(n)));
                    }
                    other => {
                        let l = ledger_obj(&doc, &pool);
                        let am = doc.automerge_mut();
                        let (_, pools) = am.get(model::automerge::ROOT, "pools").unwrap().unwrap();
                        let (_, p) = am.get(&pools, pool.as_str()).unwrap().unwrap();
                        match (other, l) {
                            (Raw::Delete(i), Some(l)) if !entries.is_empty() => {
                                am.delete(&l, entries[i % entries.len()].as_str()).unwrap();
                            }
                            (Raw::Amount(i, number), Some(l)) if !entries.is_empty() => {
                                let (_, e) = am.get(&l, entries[i % entries.len()].as_str()).unwrap().unwrap();
                                if number {
                                    am.put(&e, "amount", 999_i64).unwrap();
                                } else {
                                    am.put(&e, "amount", "lots").unwrap();
                                }
                            }
                            (Raw::BadKey, Some(l)) => {
                                am.put_object(&l, "not-an-entry", ObjType::Map).unwrap();
                            }
                            (Raw::Rename, _) => am.put(&p, "name", "Renamed").unwrap(),
                            (Raw::LedgerScalar, _) => am.put(&p, "ledger", 7_i64).unwrap(),
                            (Raw::LedgerEmpty, _) => {
                                am.put_object(&p, "ledger", ObjType::Map).unwrap();
                            }
                            _ => {}
                        }
                        am.commit();
                    }
                }
                let whole = doc.pool(&pool);
                let cached = kept.get(&mut doc, &pool);
                prop_assert_eq!(
                    cached.as_ref().map(|p| p.as_deref().cloned()).map_err(|e| e.path.clone()),
                    whole.clone().map_err(|e| e.path),
                );
            }
        }
    }
}
