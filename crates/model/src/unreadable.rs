//! Which records of a coalition do not read, kept up to date from the records each change
//! wrote to, so that `status` names them without reading the whole coalition again.
//!
//! What a whole read ([`crate::schema::Coalition::read_stored`]) leaves out and names in
//! [`Coalition::unreadable`](crate::schema::Coalition::unreadable), in the same order and with
//! the same words: [`Unreadables::list`] equals it at every heads.
//!
//! The first read reads every record (about a second at 10,000 issues), so what was found is
//! kept across restarts as bytes ([`Unreadables::to_bytes`], sealed by this build) and taken
//! back only for a document that holds the heads it was read at ([`Unreadables::from_bytes`]),
//! then brought up to date like any other.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use autosurgeon::{Hydrate, ReadDoc};

use crate::CoalitionDoc;
use crate::automerge::ChangeHash;
use crate::schema::{self, Unreadable};
use crate::{IssueId, MeetingId, MemberId, PoolId, ProposalId};

/// The collections of records at a coalition's root, in the order a whole read names their
/// records that do not read.
pub const COLLECTIONS: [&str; 6] = [
    "charter_versions",
    "members",
    "issues",
    "pools",
    "proposals",
    "meetings",
];

/// Most bytes [`Unreadables::from_bytes`] takes (what was kept is refused beyond).
pub const MAX_KEPT_BYTES: usize = 16 << 20;

/// What [`Unreadables::to_bytes`] writes.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    /// The heads, in hex.
    at: Vec<String>,
    by_collection: Vec<BTreeMap<String, Unreadable>>,
}

/// The records of a coalition that do not read, as of some heads.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadables {
    /// The heads this was read at.
    at: Vec<ChangeHash>,
    /// Per collection of [`COLLECTIONS`], by record key (the collection itself under the
    /// empty key, when it is not a map of records).
    by_collection: [BTreeMap<String, Unreadable>; COLLECTIONS.len()],
}

impl Unreadables {
    /// Reads every record of every collection once.
    pub fn read(doc: &mut CoalitionDoc) -> Self {
        Self {
            at: doc.heads(),
            by_collection: COLLECTIONS.map(|c| whole(doc.automerge(), c)),
        }
    }

    /// Brings this up to date with `doc`: only the records that the changes made since it
    /// was read wrote to are read again. A collection whose root key was written is read
    /// whole; when what was written is not cheap to tell ([`CoalitionDoc::touched_in`]:
    /// heads unknown here, too many changes or operations), every collection is.
    pub fn update(&mut self, doc: &mut CoalitionDoc) {
        let heads = doc.heads();
        if heads == self.at {
            return;
        }
        // One pass over the changes for every collection.
        let touched = doc
            .touched_in(&self.at, &COLLECTIONS)
            .unwrap_or_else(|| vec![None; COLLECTIONS.len()]);
        for ((collection, found), touched) in COLLECTIONS
            .iter()
            .zip(self.by_collection.iter_mut())
            .zip(touched)
        {
            match touched {
                Some(touched) => again(doc.automerge(), collection, found, &touched),
                None => *found = whole(doc.automerge(), collection),
            }
        }
        self.at = heads;
    }

    /// This, to keep across restarts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let kept = Kept {
            at: self.at.iter().map(ToString::to_string).collect(),
            by_collection: self.by_collection.to_vec(),
        };
        // Strings and maps of them always serialize.
        crate::kept::seal(&serde_json::to_vec(&kept).unwrap_or_default())
    }

    /// What [`Unreadables::to_bytes`] kept, brought up to date with `doc`; `None` when the
    /// bytes were not written by this build or changed since (`kept`), or `doc` lacks a change of the heads they were read
    /// at (another document, or one restored from an older backup): then read it whole.
    pub fn from_bytes(bytes: &[u8], doc: &mut CoalitionDoc) -> Option<Self> {
        Self::from_bytes_at(bytes, doc).map(|(out, _)| out)
    }

    /// [`Unreadables::from_bytes`], with the heads the bytes were written at (before it was
    /// brought up to date): a caller keeping it again need not while these are its heads.
    pub fn from_bytes_at(bytes: &[u8], doc: &mut CoalitionDoc) -> Option<(Self, Vec<ChangeHash>)> {
        if bytes.len() > MAX_KEPT_BYTES {
            return None;
        }
        let kept: Kept = serde_json::from_slice(crate::kept::open(bytes)?).ok()?;
        let at = kept
            .at
            .iter()
            .map(|h| h.parse::<ChangeHash>().ok())
            .collect::<Option<Vec<_>>>()?;
        if at
            .iter()
            .any(|h| doc.automerge_mut().get_change_meta_by_hash(h).is_none())
        {
            return None;
        }
        let by_collection: [BTreeMap<String, Unreadable>; COLLECTIONS.len()] =
            kept.by_collection.try_into().ok()?;
        let written = at.clone();
        let mut out = Self { at, by_collection };
        out.update(doc);
        Some((out, written))
    }

    /// The heads this was read at (or brought up to).
    pub fn heads(&self) -> &[ChangeHash] {
        &self.at
    }

    /// The records that do not read, collection by collection, each by key.
    pub fn list(&self) -> Vec<Unreadable> {
        self.by_collection
            .iter()
            .flat_map(|c| c.values().cloned())
            .collect()
    }
}

/// Every record of `collection` that does not read, by key.
fn whole<D: ReadDoc>(doc: &D, collection: &str) -> BTreeMap<String, Unreadable> {
    let Some(obj) = crate::records::collection(doc, collection) else {
        return BTreeMap::from([(String::new(), schema::not_a_map_of_records(collection))]);
    };
    doc.map_range(&obj, ..)
        .filter_map(|item| {
            let key = item.key.to_string();
            check(doc, &obj, collection, &key).map(|u| (key, u))
        })
        .collect()
}

/// `found` brought up to date for the records of `collection` keyed `touched`.
fn again<D: ReadDoc>(
    doc: &D,
    collection: &str,
    found: &mut BTreeMap<String, Unreadable>,
    touched: &BTreeSet<String>,
) {
    let Some(obj) = crate::records::collection(doc, collection) else {
        *found = BTreeMap::from([(String::new(), schema::not_a_map_of_records(collection))]);
        return;
    };
    for key in touched {
        let present = matches!(doc.get(&obj, key.as_str()), Ok(Some(_)));
        match present.then(|| check(doc, &obj, collection, key)).flatten() {
            Some(u) => {
                found.insert(key.clone(), u);
            }
            None => {
                found.remove(key);
            }
        }
    }
}

/// Why the record `key` of `collection` (the map `obj`) does not read as its kind, if it
/// does not.
fn check<D: ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    collection: &str,
    key: &str,
) -> Option<Unreadable> {
    let read = match collection {
        "charter_versions" => check_as::<_, String, schema::CharterVersion>(doc, obj, key),
        "members" => check_as::<_, MemberId, schema::Member>(doc, obj, key),
        "issues" => check_as::<_, IssueId, schema::Issue>(doc, obj, key),
        "pools" => check_as::<_, PoolId, schema::Pool>(doc, obj, key),
        "proposals" => check_as::<_, ProposalId, schema::Proposal>(doc, obj, key),
        "meetings" => check_as::<_, MeetingId, schema::Meeting>(doc, obj, key),
        _ => Ok(()),
    };
    read.err().map(|error| Unreadable {
        path: format!("{collection}/{key}"),
        error,
    })
}

/// Whether `key` reads as a `K` and its record as a `T`, as the whole read reads it.
fn check_as<D: ReadDoc, K: FromStr, T: Hydrate>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
) -> Result<(), String>
where
    K::Err: std::fmt::Display,
{
    schema::read_entry::<_, K, T>(doc, obj, key).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use automerge::transaction::Transactable;

    /// One step of a history: a record raised, made unreadable, mended or deleted, here or
    /// on another node whose changes are then merged.
    #[derive(Debug, Clone)]
    enum Step {
        Raise(u8),
        Break(u8),
        Mend(u8),
        Delete(u8),
        Junk(u8, u8),
        Elsewhere(u8),
        Many(u8),
        /// What was found kept as bytes and taken back, as across a restart.
        Restart,
    }

    fn step() -> impl proptest::strategy::Strategy<Value = Step> {
        use proptest::prelude::*;
        prop_oneof![
            any::<u8>().prop_map(Step::Raise),
            any::<u8>().prop_map(Step::Break),
            any::<u8>().prop_map(Step::Mend),
            any::<u8>().prop_map(Step::Delete),
            (any::<u8>(), 0..COLLECTIONS.len() as u8).prop_map(|(k, c)| Step::Junk(k, c)),
            any::<u8>().prop_map(Step::Elsewhere),
            (1u8..3).prop_map(Step::Many),
            Just(Step::Restart),
        ]
    }

    /// The map at the root key `key`.
    fn at(doc: &mut CoalitionDoc, key: &str) -> automerge::ObjId {
        crate::records::collection(doc.automerge(), key).unwrap()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        /// What is kept up to date from the changes names what a whole read names, in the
        /// same order and words, whatever was written, here or merged from elsewhere.
        #[test]
        fn kept_up_to_date_is_what_a_whole_read_names(
            steps in proptest::collection::vec(step(), 1..20)
        ) {
            let (founder, mut doc) = crate::testing::founded();
            let mut kept = Unreadables::read(&mut doc);
            let mut issues: Vec<IssueId> = Vec::new();
            let raise = |doc: &mut CoalitionDoc, issues: &mut Vec<IssueId>, i: u8, n: usize| {
                let mut bytes = [9; 16];
                bytes[0] = i;
                bytes[1..9].copy_from_slice(&(n as u64).to_be_bytes());
                let id = IssueId::from_bytes(bytes);
                let new = NewIssue {
                    id: id.clone(),
                    title: format!("Issue {n}"),
                    description: String::new(),
                    tags: vec!["race".into()],
                    lead: None,
                };
                doc.add_issue(&founder, new, Timestamp::from_millis(1_000 * (n as i64 + 1)))
                    .unwrap();
                issues.push(id);
            };
            for (n, s) in steps.into_iter().enumerate() {
                let pick = |i: u8, issues: &[IssueId]| {
                    issues.get(usize::from(i) % issues.len().max(1)).cloned()
                };
                match s {
                    Step::Restart => {
                        kept = Unreadables::from_bytes(&kept.to_bytes(), &mut doc).unwrap();
                    }
                    Step::Raise(i) => raise(&mut doc, &mut issues, i, n),
                    Step::Many(k) => {
                        // More changes than are read through: collections read whole.
                        for m in 0..(usize::from(k) * MAX_TOUCHED_CHANGES) {
                            raise(&mut doc, &mut issues, k, (n + 1) * 1000 + m);
                        }
                    }
                    Step::Break(i) | Step::Mend(i) | Step::Delete(i) | Step::Elsewhere(i) => {
                        let Some(id) = pick(i, &issues) else { continue };
                        let mut other = matches!(s, Step::Elsewhere(_))
                            .then(|| doc.fork_as(NodeKey::from_bytes([5; 32])));
                        let target = other.as_mut().unwrap_or(&mut doc);
                        let obj = at(target, "issues");
                        let am = target.automerge_mut();
                        match s {
                            Step::Break(_) | Step::Elsewhere(_) => {
                                let (_, record) = am.get(&obj, id.as_str()).unwrap().unwrap();
                                am.put(&record, "status", "paused").unwrap();
                            }
                            Step::Mend(_) => {
                                let (_, record) = am.get(&obj, id.as_str()).unwrap().unwrap();
                                am.put(&record, "status", "raised").unwrap();
                            }
                            _ => am.delete(&obj, id.as_str()).unwrap(),
                        }
                        am.commit();
                        if matches!(s, Step::Delete(_)) {
                            issues.retain(|x| *x != id);
                        }
                        if let Some(mut other) = other {
                            doc.merge(&mut other).unwrap();
                        }
                    }
                    Step::Junk(k, c) => {
                        // A key that is no record id, or a record that is no map.
                        let obj = at(&mut doc, COLLECTIONS[usize::from(c)]);
                        let am = doc.automerge_mut();
                        if k % 2 == 0 {
                            am.put(&obj, format!("junk{k}"), "x").unwrap();
                        } else {
                            am.put(&obj, IssueId::from_bytes([k; 16]).as_str(), 7).unwrap();
                        }
                        am.commit();
                    }
                }
                kept.update(&mut doc);
                let whole = schema::Coalition::read_stored(doc.automerge()).unwrap().unreadable;
                proptest::prop_assert_eq!(kept.list(), whole);
            }
        }
    }

    /// What was kept is taken back only for a document holding its heads, as this build
    /// sealed it; then it is brought up to date with what the document holds since.
    #[test]
    fn kept_bytes_come_back_only_for_a_document_holding_their_heads() {
        let (_, mut doc) = crate::testing::founded();
        let am = doc.automerge_mut();
        let obj = crate::records::collection(am, "issues").unwrap();
        am.put(&obj, "junk", "x").unwrap();
        am.commit();
        let kept = Unreadables::read(&mut doc);
        assert_eq!(kept.list().len(), 1);
        let bytes = kept.to_bytes();
        // More written since: taken back and caught up.
        let am = doc.automerge_mut();
        am.put(&obj, "junk2", "y").unwrap();
        am.commit();
        let back = Unreadables::from_bytes(&bytes, &mut doc).unwrap();
        assert_eq!(back, Unreadables::read(&mut doc));
        assert_eq!(back.list().len(), 2);
        // Another coalition's document does not hold those heads.
        let (_, mut other) = crate::testing::founded();
        assert!(Unreadables::from_bytes(&bytes, &mut other).is_none());
        // Changed since (a record named no more), garbage, too many bytes.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let changed = text.replace("junk", "jank");
        assert_ne!(changed, text);
        assert!(Unreadables::from_bytes(changed.as_bytes(), &mut doc).is_none());
        assert!(Unreadables::from_bytes(b"\x00garbage", &mut doc).is_none());
        assert!(Unreadables::from_bytes(&vec![b' '; MAX_KEPT_BYTES + 1], &mut doc).is_none());
        // One collection short, though sealed as this build seals.
        let mut fewer: serde_json::Value =
            serde_json::from_slice(crate::kept::open(&bytes).unwrap()).unwrap();
        fewer["by_collection"].as_array_mut().unwrap().pop();
        let fewer = crate::kept::seal(&serde_json::to_vec(&fewer).unwrap());
        assert!(Unreadables::from_bytes(&fewer, &mut doc).is_none());
    }

    /// A collection replaced by something that is no map is named, and named no more once
    /// it is a map again.
    #[test]
    fn a_collection_that_is_no_map_is_named() {
        let (_, mut doc) = crate::testing::founded();
        let mut kept = Unreadables::read(&mut doc);
        assert!(kept.list().is_empty());
        let am = doc.automerge_mut();
        am.put(automerge::ROOT, "meetings", "none").unwrap();
        am.commit();
        kept.update(&mut doc);
        assert_eq!(kept.list().len(), 1);
        assert_eq!(kept.list()[0].path, "meetings");
        let am = doc.automerge_mut();
        am.put_object(automerge::ROOT, "meetings", automerge::ObjType::Map)
            .unwrap();
        am.commit();
        kept.update(&mut doc);
        assert!(kept.list().is_empty());
        let whole = schema::Coalition::read_stored(doc.automerge())
            .unwrap()
            .unreadable;
        assert!(whole.is_empty());
    }
}
