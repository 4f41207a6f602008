//! Who changed what and when: every change of a coalition, with its author member and the
//! fields it wrote, read from the document's own change history (every version of every field
//! is kept there; nothing is logged separately).

use std::collections::{BTreeMap, HashMap};

use automerge::legacy::{Key, ObjectId};
use automerge::{AutoCommit, Change, Prop, ReadDoc};
use serde::{Deserialize, Serialize};

use crate::ids::MemberId;
use crate::schema::Member;
use crate::values::Timestamp;

/// One change in a coalition's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The change's hash (hex): names it for `--restore`.
    pub change: String,
    /// When it was made, as its author states.
    pub at: Timestamp,
    /// The member whose node key signed it, if any member holds that key.
    pub member: Option<MemberId>,
    /// The edit, as its author's node named it ("edit issue", "take position"...).
    pub message: String,
    /// What it wrote, as `collection/record/field` (or shorter), each once.
    pub fields: Vec<String>,
}

/// The history of `doc`, oldest first; only changes touching `record` (an id) if given.
pub fn history(
    doc: &mut AutoCommit,
    members: &BTreeMap<MemberId, Member>,
    record: Option<&str>,
) -> Vec<Entry> {
    let by_key: HashMap<[u8; 32], &MemberId> = members
        .values()
        .flat_map(|m| m.keys.iter().map(|k| (*k.as_bytes(), &m.id)))
        .collect();
    let changes: Vec<Change> = doc.get_changes(&[]);
    let mut paths: HashMap<String, Vec<String>> = HashMap::new();
    let mut out = Vec::new();
    for change in &changes {
        let mut fields: Vec<String> = Vec::new();
        for op in change.decode().operations {
            let mut path = path_of(doc, &op.obj, &mut paths);
            if let Key::Map(k) = &op.key {
                path.push(k.to_string());
            }
            // Records sit two levels down (`issues/<id>`), goals three (`charter/goals/<id>`).
            let depth = if path.first().is_some_and(|p| p == "charter") {
                4
            } else {
                3
            };
            path.truncate(depth);
            let field = path.join("/");
            if !field.is_empty() && !fields.contains(&field) {
                fields.push(field);
            }
        }
        // A record written whole is named once, not field by field.
        let written = fields.clone();
        fields.retain(|f| {
            !written.iter().any(|w| {
                f.len() > w.len() && f.starts_with(w.as_str()) && f.as_bytes()[w.len()] == b'/'
            })
        });
        if let Some(r) = record
            && !fields.iter().any(|f| f.split('/').any(|part| part == r))
        {
            continue;
        }
        let member = <[u8; 32]>::try_from(change.actor_id().to_bytes())
            .ok()
            .and_then(|k| by_key.get(&k))
            .map(|m| (*m).to_owned());
        out.push(Entry {
            change: change.hash().to_string(),
            at: Timestamp::from_secs(change.timestamp()),
            member,
            message: change.message().unwrap_or_default().to_owned(),
            fields,
        });
    }
    out
}

/// The map keys from the root to `obj`; objects created and deleted since give what is left.
fn path_of(
    doc: &AutoCommit,
    obj: &ObjectId,
    cache: &mut HashMap<String, Vec<String>>,
) -> Vec<String> {
    let ObjectId::Id(id) = obj else {
        return Vec::new();
    };
    let text = format!("{}@{}", id.0, id.1);
    if let Some(p) = cache.get(&text) {
        return p.clone();
    }
    let mut path: Vec<String> = doc
        .import(&text)
        .ok()
        .and_then(|(exid, _)| doc.parents(&exid).ok())
        .map(|parents| {
            parents
                .map(|p| match p.prop {
                    Prop::Map(k) => k,
                    Prop::Seq(_) => "*".to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    path.reverse();
    cache.insert(text, path.clone());
    path
}

/// What a coalition's history tells about one node key of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyActivity {
    /// The key.
    pub key: crate::values::NodeKey,
    /// When it was certified (the time its member's change states), if the history says.
    pub added: Option<Timestamp>,
    /// How many changes it signed.
    pub changes: u64,
    /// When it signed its newest change, as it states.
    pub last_change: Option<Timestamp>,
}

/// For each of `member`'s node keys: when it was certified and what it signed. Reads only
/// the changes' metadata, and decodes only the member's own "add device key" changes; the
/// member's first key (the one it joined with), when no such change names it, counts as added
/// when it joined.
pub fn key_activity(doc: &mut AutoCommit, member: &Member) -> Vec<KeyActivity> {
    let mut out: Vec<KeyActivity> = member
        .keys
        .iter()
        .map(|k| KeyActivity {
            key: *k,
            added: None,
            changes: 0,
            last_change: None,
        })
        .collect();
    let mut additions = Vec::new();
    for meta in doc.get_changes_meta(&[]) {
        let Some(i) = out
            .iter()
            .position(|a| a.key.as_bytes().as_slice() == meta.actor.to_bytes())
        else {
            continue;
        };
        let a = &mut out[i];
        if meta.seq >= a.changes {
            a.changes = meta.seq;
            a.last_change = Some(Timestamp::from_secs(meta.timestamp));
        }
        if meta.message.as_deref() == Some(crate::doc::ADD_DEVICE_KEY) {
            additions.push((meta.hash, meta.timestamp));
        }
    }
    for (hash, at) in additions {
        let Some(change) = doc.get_change_by_hash(&hash) else {
            continue;
        };
        for op in change.decode().operations {
            let automerge::legacy::OpType::Put(automerge::ScalarValue::Str(text)) = &op.action
            else {
                continue;
            };
            if let Some(a) = out.iter_mut().find(|a| a.key.to_string() == text.as_str()) {
                a.added.get_or_insert(Timestamp::from_secs(at));
            }
        }
    }
    for a in &mut out {
        if a.added.is_none() && member.keys.first() == Some(&a.key) {
            a.added = Some(member.joined_at);
        }
    }
    out
}
