//! The whole coalition as members read it ([`Coalition`]), and reading its stored records
//! collection by collection, naming each one that does not read.
//!
//! Reading never fails for one record: each record of each collection is read on its own, and one
//! that does not read (stored before values were checked on receipt) is left out and named in
//! [`Coalition::unreadable`], which `coalesce status` shows (kept up to date without a whole read
//! by `crate::unreadable`). Only the root and the charter, written once by the founding change
//! (which must read whole), must read.

use std::collections::BTreeMap;

use autosurgeon::{Hydrate, HydrateError};
use serde::{Deserialize, Serialize};

use super::{Charter, CharterVersion, Departure, Issue, Meeting, Member, Pool, Proposal};
use crate::ids::{CoalitionId, IssueId, MeetingId, MemberId, PoolId, ProposalId};
use crate::values::Timestamp;

/// A coalition as members read it: the stored document with the governance decisions
/// applied (see [`crate::governance`]). `charter`, `charter_versions`, `members` and
/// `former_members` are the state in force: passed amendments, admissions and removals are
/// derived from the recorded proposals, identically on every node, never written by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coalition {
    /// Layout version, [`SCHEMA_VERSION`](super::SCHEMA_VERSION).
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
            unreadable.push(not_a_map_of_records(key));
            return out;
        }
    };
    let ids: Vec<String> = doc.map_range(&obj, ..).map(|i| i.key.to_string()).collect();
    for id in ids {
        match read_entry::<_, K, T>(doc, &obj, &id) {
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

/// The entry `id` of the map of records `obj`, its key read as a `K` and its record as a
/// `T`; or why not, in the words every reader names an unreadable record with.
pub(crate) fn read_entry<D: autosurgeon::ReadDoc, K: std::str::FromStr, T: Hydrate>(
    doc: &D,
    obj: &automerge::ObjId,
    id: &str,
) -> Result<(K, T), String>
where
    K::Err: std::fmt::Display,
{
    let k = id.parse::<K>().map_err(|e| e.to_string())?;
    autosurgeon::hydrate_prop::<_, T, _, _>(doc, obj, id)
        .map(|record| (k, record))
        .map_err(|e| e.to_string())
}

/// What names a collection at the root that is missing or not a map.
pub(crate) fn not_a_map_of_records(key: &str) -> Unreadable {
    Unreadable {
        path: key.to_owned(),
        error: "not a map of records".into(),
    }
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
