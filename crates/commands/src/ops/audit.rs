//! Who changed what, and what this node refused or set aside: a coalition's history (and
//! restoring a field as it was), the edits a fork set aside, and the messages from peers that
//! broke the rules.

use std::collections::BTreeMap;

use anyhow::Context;
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

/// A coalition's history, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryView {
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
    // A record given by prefix is looked for in every collection (the whole read); names
    // come from the governance alone.
    let record = match &q.record {
        Some(given) => {
            let state = r
                .read(c)
                .with_context(|| format!("could not read coalition {c}"))?;
            Some(full_record_id(&state, given)?)
        }
        None => None,
    };
    let entries = r.history(c, record.as_deref())?;
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let names = entries
        .iter()
        .filter_map(|e| e.member.as_ref())
        .filter_map(|m| Some((m.clone(), gov.name_of(m)?.to_owned())))
        .collect();
    Ok(HistoryView { entries, names })
}

/// Writes a field of a record as it was after a change, as a new change.
pub fn restore(r: &mut Replica, c: &CoalitionId, req: RestoreRequest) -> anyhow::Result<String> {
    Ok(r.edit(c, |doc, a| {
        doc.restore(&a.member, &req.record, &req.field, &req.change, a.now)
    })?)
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

/// The full id of a record named by id or prefix, in any collection.
fn full_record_id(state: &model::Coalition, given: &str) -> anyhow::Result<String> {
    let ids = state
        .issues
        .keys()
        .map(AsRef::as_ref)
        .chain(state.pools.keys().map(AsRef::as_ref))
        .chain(state.meetings.keys().map(AsRef::as_ref))
        .chain(state.proposals.keys().map(AsRef::as_ref))
        .chain(state.charter.goals.keys().map(AsRef::as_ref))
        .chain(state.members.keys().map(AsRef::as_ref))
        .chain(state.former_members.keys().map(AsRef::as_ref));
    Ok(model::resolve_prefix(given, "record", ids)?.to_owned())
}
