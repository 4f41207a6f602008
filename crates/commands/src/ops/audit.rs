//! Who changed what, and what this node refused or set aside: a coalition's history (and
//! restoring a field as it was), the edits a fork set aside, and the messages from peers that
//! broke the rules.

use std::collections::BTreeMap;

use anyhow::Context;
use model::automerge::ChangeHash;
use model::{CoalitionId, MemberId};
pub use replica::Refusal;
use replica::{AsideChange, Replica};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which changes of the history.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Only the changes touching this record (an id or unique prefix, of any kind).
    #[serde(default)]
    pub record: Option<String>,
}

/// The record a history was asked of, as found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HistoryRecord {
    /// Its collection: `issues`, `pools`, `meetings`, `proposals`, `charter/goals` or
    /// `members`.
    pub collection: String,
    /// Its whole id.
    pub id: String,
}

/// A coalition's history, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryView {
    /// The record asked of, when one was (its id or prefix resolved, in any case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<HistoryRecord>,
    /// The changes.
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<model::history::Entry>,
    /// The names of the members who made them, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// A field to restore as it was after a change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The record: id or unique prefix.
    pub record: String,
    /// The field (`title`, `description`...).
    pub field: String,
    /// The change after which the field is taken (its hash, or a unique prefix).
    pub change: String,
}

/// The edits of a coalition a fork set aside on this node.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AsideView {
    /// The edits.
    #[schema(value_type = Vec<Object>)]
    pub kept: Vec<AsideChange>,
    /// The names of the members (former members too) holding the keys that wrote them, by key.
    pub names: BTreeMap<String, String>,
}

/// The history of a coalition, or of one record in it.
pub fn history(r: &mut Replica, c: &CoalitionId, q: &HistoryQuery) -> anyhow::Result<HistoryView> {
    // A record given by prefix is looked for in every collection, each where the prefix
    // falls among its keys; names come from the governance alone.
    let record = match &q.record {
        Some(given) => {
            let (collection, id) = super::locate_among(r, c, RECORDS, "record", given)?;
            Some(HistoryRecord {
                collection: collection.to_owned(),
                id,
            })
        }
        None => None,
    };
    let entries = r.history(c, record.as_ref().map(|h| h.id.as_str()))?;
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let names = entries
        .iter()
        .filter_map(|e| e.member.as_ref())
        .filter_map(|m| Some((m.clone(), gov.name_of(m)?.to_owned())))
        .collect();
    Ok(HistoryView {
        record,
        entries,
        names,
    })
}

/// Writes a field of a record as it was after a change, as a new change.
pub fn restore(r: &mut Replica, c: &CoalitionId, req: RestoreRequest) -> anyhow::Result<String> {
    let change = change_hash(r, c, &req.change)?;
    let restorable: Vec<&str> = model::RESTORABLE.iter().map(|(c, _)| *c).collect();
    let record = super::resolve_among(r, c, &restorable, "record", &req.record)?;
    Ok(r.edit(c, |doc, a| {
        doc.restore(&a.member, &record, &req.field, change, a.now)
    })?)
}

/// The change whose hash `given` is or starts with, among every change of the coalition.
/// A whole hash is taken as it is (the model finds the change alone, or says there is none);
/// only a prefix is looked for among every change, and what is no hash's prefix (not hex, or
/// longer than a hash) is not found without looking.
fn change_hash(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<ChangeHash> {
    let lower = given.to_ascii_lowercase();
    if lower.len() > 64 || !lower.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(replica::PrefixError::NotFound {
            what: "change",
            given: given.to_owned(),
        }
        .into());
    }
    if lower.len() == 64
        && let Ok(whole) = lower.parse()
    {
        return Ok(whole);
    }
    let hashes: Vec<String> = r
        .change_hashes(c)
        .with_context(|| format!("could not read coalition {c}"))?
        .iter()
        .map(ToString::to_string)
        .collect();
    let found = replica::resolve_prefix(given, "change", hashes.iter().map(String::as_str))?;
    found.parse().map_err(|_| {
        replica::PrefixError::NotFound {
            what: "change",
            given: given.to_owned(),
        }
        .into()
    })
}

/// The edits a fork set aside.
pub fn aside(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<AsideView> {
    let kept = r.aside(c)?;
    let mut names = BTreeMap::new();
    if kept.iter().any(|a| a.node.is_some()) {
        // From the governance: members in force and former ones hold the keys.
        let gov = r
            .in_force(c)
            .with_context(|| format!("could not read coalition {c}"))?;
        let mut by_key = BTreeMap::new();
        for m in gov.every_member() {
            for key in &m.keys {
                by_key.entry(*key).or_insert(&m.name);
            }
        }
        for key in kept.iter().filter_map(|a| a.node) {
            if let Some(name) = by_key.get(&key) {
                names.insert(key.to_string(), (*name).clone());
            }
        }
    }
    Ok(AsideView { kept, names })
}

/// What this node refused from peers, oldest first.
pub fn refused(r: &mut Replica) -> anyhow::Result<Vec<Refusal>> {
    Ok(r.refusals()?)
}

/// Every collection of records a history can be asked of.
const RECORDS: &[&str] = &[
    "issues",
    "pools",
    "meetings",
    "proposals",
    "charter/goals",
    "members",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::issues::{self, IssueEditRequest, NewIssueRequest};
    use crate::ops::{ErrorCode, OpError};

    /// A record and a change given by prefix, in any case, are found for the history and for
    /// restoring; a prefix of no record is not found.
    #[test]
    fn history_and_restore_take_prefixes_of_records_and_changes() {
        let (_dir, mut r, c) = crate::testing::replica();
        let raise = |r: &mut Replica, title: &str| {
            let req = NewIssueRequest {
                title: title.into(),
                ..Default::default()
            };
            issues::create(r, &c, req).unwrap()
        };
        let id = raise(&mut r, "Bus fares");
        let edit = IssueEditRequest {
            title: Some("Bus and train fares".into()),
            ..Default::default()
        };
        issues::edit(&mut r, &c, id.as_str(), edit).unwrap();
        let q = HistoryQuery {
            record: Some(id.as_str()[..8].to_ascii_uppercase()),
        };
        let h = history(&mut r, &c, &q).unwrap();
        assert_eq!(h.entries.len(), 2, "{:?}", h.entries);
        // The reply names the record found, whole, and its collection.
        assert_eq!(
            h.record,
            Some(HistoryRecord {
                collection: "issues".into(),
                id: id.to_string(),
            })
        );
        let raised = h.entries[0].change.clone();

        let req = RestoreRequest {
            record: id.as_str()[..6].into(),
            field: "title".into(),
            change: raised[..10].into(),
        };
        assert_eq!(restore(&mut r, &c, req).unwrap(), id.to_string());
        let whole = RestoreRequest {
            record: id.to_string(),
            field: "title".into(),
            change: raised.clone(),
        };
        assert_eq!(restore(&mut r, &c, whole).unwrap(), id.to_string());
        let shown = issues::show(&mut r, &c, id.as_str()).unwrap();
        assert_eq!(shown.issue.title, "Bus fares");

        let q = HistoryQuery {
            record: Some("ffffffff".into()),
        };
        let e = history(&mut r, &c, &q).unwrap_err();
        assert_eq!(OpError::from_anyhow(&e).code, ErrorCode::NotFound);
        let unknown_change = RestoreRequest {
            record: id.to_string(),
            field: "title".into(),
            change: "f".repeat(64),
        };
        let e = restore(&mut r, &c, unknown_change).unwrap_err();
        assert_eq!(OpError::from_anyhow(&e).code, ErrorCode::NotFound);
    }
}
