//! Who changed what and when: every change of a coalition, with its author member and the
//! fields it wrote, read from the document's own change history (every version of every field
//! is kept there; nothing is logged separately).
//!
//! Reading every change is costly (each is rebuilt and decoded, several seconds at 10,000
//! issues), so a [`Log`] keeps what it read and, asked again, reads only the changes made
//! since; it starts over only if the document no longer holds what it read (edits set aside
//! after a fork). Within a change, consecutive operations on one object (the characters of a
//! text) are read as one. The order is the same however the log was read: parents before
//! children, and among changes free to go next, the earliest stated time, then the hash.
//!
//! What a log read is kept across restarts as bytes ([`Log::to_bytes`], sealed by this build)
//! and taken back only by a document holding the heads it read up to, and only if it read
//! exactly the changes up to them ([`Log::from_bytes`]); then only the changes made since are
//! read, as within a run.

use std::collections::{BTreeMap, HashMap};

use automerge::legacy::{Key, ObjectId};
use automerge::{AutoCommit, Change, ChangeHash};
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
/// (Reads every change: keep a [`Log`] to read only what is new.)
pub fn history(
    doc: &mut AutoCommit,
    members: &BTreeMap<MemberId, Member>,
    record: Option<&str>,
) -> Vec<Entry> {
    let mut log = Log::default();
    log.update(doc);
    log.entries(members, record)
}

/// One change as a [`Log`] keeps it: its entry, and the key that signed it (its member is
/// found when asked, as members and their keys change).
#[derive(Debug, Clone)]
struct Read {
    entry: Entry,
    actor: Option<[u8; 32]>,
    hash: ChangeHash,
    deps: Vec<ChangeHash>,
}

/// Most bytes [`Log::from_bytes`] takes (about a million changes' entries).
pub const MAX_KEPT_BYTES: usize = 256 << 20;

/// What [`Log::to_bytes`] writes.
#[derive(Serialize, Deserialize)]
struct Kept {
    /// The heads read up to, in hex.
    heads: Vec<String>,
    read: Vec<KeptRead>,
}

/// One change read, as kept: its entry (which names its hash), the key that signed it and
/// its parents, in hex.
#[derive(Serialize, Deserialize)]
struct KeptRead {
    entry: Entry,
    actor: Option<String>,
    deps: Vec<String>,
}

/// A coalition's history as read so far, up to some heads of its document.
#[derive(Debug, Clone, Default)]
pub struct Log {
    heads: Vec<ChangeHash>,
    read: Vec<Read>,
    paths: Paths,
}

impl Log {
    /// Reads the changes of `doc` made since this log last read it (all of them, the first
    /// time, or if the document no longer holds what it read).
    pub fn update(&mut self, doc: &mut AutoCommit) {
        let heads = doc.get_heads();
        if heads == self.heads {
            return;
        }
        // A change set aside takes its descendants with it, so some head read would be gone.
        if !self
            .heads
            .iter()
            .all(|h| doc.get_change_by_hash(h).is_some())
        {
            *self = Self::default();
        }
        let changes: Vec<Change> = doc.get_changes(&self.heads);
        for change in &changes {
            self.read.push(Read {
                entry: entry_of(doc, change, &mut self.paths),
                actor: <[u8; 32]>::try_from(change.actor_id().to_bytes()).ok(),
                hash: change.hash(),
                deps: change.deps().to_vec(),
            });
        }
        canonical(&mut self.read);
        self.heads = heads;
    }

    /// The history read, oldest first, each change with its author member among `members`;
    /// only changes touching `record` (an id) if given.
    pub fn entries(
        &self,
        members: &BTreeMap<MemberId, Member>,
        record: Option<&str>,
    ) -> Vec<Entry> {
        let by_key: HashMap<[u8; 32], &MemberId> = members
            .values()
            .flat_map(|m| m.keys.iter().map(|k| (*k.as_bytes(), &m.id)))
            .collect();
        self.read
            .iter()
            .filter(|r| {
                record.is_none_or(|id| {
                    r.entry
                        .fields
                        .iter()
                        .any(|f| f.split('/').any(|part| part == id))
                })
            })
            .map(|r| Entry {
                member: r
                    .actor
                    .and_then(|k| by_key.get(&k))
                    .map(|m| (*m).to_owned()),
                ..r.entry.clone()
            })
            .collect()
    }

    /// What it read, to keep across restarts. (Where each object sits is not kept: for the
    /// changes read after it is taken back, the document is asked.)
    pub fn to_bytes(&self) -> Vec<u8> {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let kept = Kept {
            heads: self.heads.iter().map(ToString::to_string).collect(),
            read: self
                .read
                .iter()
                .map(|r| KeptRead {
                    entry: r.entry.clone(),
                    actor: r.actor.map(|a| hex(&a)),
                    deps: r.deps.iter().map(ToString::to_string).collect(),
                })
                .collect(),
        };
        // Strings, integers and lists of them always serialize.
        crate::kept::seal(&serde_json::to_vec(&kept).unwrap_or_default())
    }

    /// What [`Log::to_bytes`] kept, brought up to date with `doc`; `None` when the bytes were
    /// not written by this build or changed since (`kept`), when what they read is not exactly
    /// the changes up to their heads, or `doc` lacks a change of the heads they read up to (another
    /// document, or edits set aside since): then read the history again.
    pub fn from_bytes(bytes: &[u8], doc: &mut AutoCommit) -> Option<Self> {
        Self::from_bytes_at(bytes, doc).map(|(log, _)| log)
    }

    /// [`Log::from_bytes`], with the heads the bytes were written at (before it was brought
    /// up to date): a caller keeping it again need not while these are its heads.
    pub fn from_bytes_at(bytes: &[u8], doc: &mut AutoCommit) -> Option<(Self, Vec<ChangeHash>)> {
        if bytes.len() > MAX_KEPT_BYTES {
            return None;
        }
        let kept: Kept = serde_json::from_slice(crate::kept::open(bytes)?).ok()?;
        let hashes = |v: &[String]| -> Option<Vec<ChangeHash>> {
            v.iter().map(|h| h.parse().ok()).collect()
        };
        let heads = hashes(&kept.heads)?;
        if heads
            .iter()
            .any(|h| doc.get_change_meta_by_hash(h).is_none())
        {
            return None;
        }
        let read = kept
            .read
            .into_iter()
            .map(|k| {
                let actor = match k.actor {
                    Some(hex) => Some(key_from_hex(&hex)?),
                    None => None,
                };
                Some(Read {
                    hash: k.entry.change.parse().ok()?,
                    deps: hashes(&k.deps)?,
                    actor,
                    entry: k.entry,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        // What was read is exactly the changes up to those heads: each once, each there,
        // none made after them, as many as there are.
        let after: std::collections::HashSet<ChangeHash> = doc
            .get_changes_meta(&heads)
            .into_iter()
            .map(|m| m.hash)
            .collect();
        let total = doc.get_changes_meta(&[]).len();
        let mut seen = std::collections::HashSet::with_capacity(read.len());
        if total.checked_sub(after.len()) != Some(read.len())
            || !read.iter().all(|r| {
                seen.insert(r.hash)
                    && !after.contains(&r.hash)
                    && doc.get_change_meta_by_hash(&r.hash).is_some()
            })
        {
            return None;
        }
        let written = heads.clone();
        let mut log = Self {
            heads,
            read,
            paths: Paths::default(),
        };
        log.update(doc);
        Some((log, written))
    }

    /// The heads it read up to.
    pub fn heads(&self) -> &[ChangeHash] {
        &self.heads
    }

    /// How many changes it has read.
    pub fn len(&self) -> usize {
        self.read.len()
    }

    /// Whether it has read none.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty()
    }
}

/// 32 bytes from 64 hex digits.
fn key_from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Puts the changes read in the one order every reading gives: parents before children; among
/// the changes free to go next, the earliest stated time, then the lowest hash.
fn canonical(read: &mut Vec<Read>) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let index: HashMap<ChangeHash, usize> =
        read.iter().enumerate().map(|(i, r)| (r.hash, i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); read.len()];
    let mut waiting = vec![0usize; read.len()];
    for (i, r) in read.iter().enumerate() {
        for parent in r.deps.iter().filter_map(|d| index.get(d)) {
            children[*parent].push(i);
            waiting[i] += 1;
        }
    }
    let key = |i: usize| Reverse((read[i].entry.at, read[i].hash, i));
    let mut ready: BinaryHeap<_> = (0..read.len())
        .filter(|i| waiting[*i] == 0)
        .map(key)
        .collect();
    let mut order = Vec::with_capacity(read.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        order.push(i);
        for &child in &children[i] {
            waiting[child] -= 1;
            if waiting[child] == 0 {
                ready.push(key(child));
            }
        }
    }
    let mut taken: Vec<Option<Read>> = std::mem::take(read).into_iter().map(Some).collect();
    read.extend(order.into_iter().filter_map(|i| taken[i].take()));
    // (A history has no cycle, so nothing is left; were something left, it would be kept.)
    read.extend(taken.into_iter().flatten());
}

/// How many map keys from the root a path is kept to (enough to name a goal's field:
/// `charter/goals/<id>/<field>`).
const PATH_KEPT: usize = 4;

/// Where each object sits (the first map keys from the root), as found so far: from the
/// operation that made it, read before any operation on it (changes are read parents
/// first), or else asked of the document.
#[derive(Debug, Clone, Default)]
struct Paths(HashMap<ObjectId, Vec<String>>);

impl Paths {
    /// Notes where the object that operation `id` makes (`op`) sits.
    fn made(&mut self, doc: &AutoCommit, id: ObjectId, op: &automerge::legacy::Op) {
        let mut path = self.of(doc, &op.obj).to_vec();
        if path.len() < PATH_KEPT {
            path.push(match &op.key {
                Key::Map(k) => k.to_string(),
                Key::Seq(_) => "*".to_owned(),
            });
        }
        self.0.insert(id, path);
    }

    /// The map keys from the root to `obj`; objects created and deleted since give what is
    /// left.
    fn of(&mut self, doc: &AutoCommit, obj: &ObjectId) -> &[String] {
        if !self.0.contains_key(obj) {
            // The rules' walk to the root, bounded as there; an object gone or past it
            // gives no path.
            let mut path =
                crate::rules::placement::legacy_object_path(doc, obj).unwrap_or_default();
            path.truncate(PATH_KEPT);
            self.0.insert(obj.clone(), path);
        }
        self.0.get(obj).map_or(&[], Vec::as_slice)
    }
}

/// What one change wrote, as `collection/record/field` (or shorter), each once.
fn entry_of(doc: &AutoCommit, change: &Change, paths: &mut Paths) -> Entry {
    let mut fields: Vec<String> = Vec::new();
    // The object of the previous operation, when its field is decided by the object alone
    // (the characters of a text, the items of a list, a record's deeper parts): the next
    // operations on it add nothing.
    let mut settled: Option<ObjectId> = None;
    let start = change.start_op().get();
    for (i, op) in change.decode().operations.into_iter().enumerate() {
        // Operation `i` of a change has the id start + i: an object it makes is known by it.
        // (Automerge refuses a change whose operation counters pass u32::MAX: no overflow.)
        if matches!(op.action, automerge::legacy::OpType::Make(_)) {
            let id = automerge::legacy::OpId(start + i as u64, change.actor_id().clone());
            paths.made(doc, ObjectId::Id(id), &op);
        }
        if settled.as_ref() == Some(&op.obj) {
            continue;
        }
        let base = paths.of(doc, &op.obj);
        // Records sit two levels down (`issues/<id>`), goals three (`charter/goals/<id>`).
        let depth = if base.first().is_some_and(|p| p == "charter") {
            4
        } else {
            3
        };
        let mut path: Vec<&str> = base.iter().take(depth).map(String::as_str).collect();
        let by_object = path.len() >= depth || !matches!(op.key, Key::Map(_));
        if let Key::Map(k) = &op.key
            && path.len() < depth
        {
            path.push(k.as_str());
        }
        settled = by_object.then(|| op.obj.clone());
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
    Entry {
        change: change.hash().to_string(),
        at: Timestamp::from_secs(change.timestamp()),
        member: None,
        message: change.message().unwrap_or_default().to_owned(),
        fields,
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT};

    use super::*;

    /// A log kept as bytes is taken back by a document holding the heads it read up to, and
    /// reads on from there as if it had never stopped; by no other document, in no other
    /// format.
    #[test]
    fn a_kept_log_comes_back_only_for_a_document_holding_its_heads() {
        let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from([7u8; 32]));
        let issues = doc.put_object(ROOT, "issues", ObjType::Map).unwrap();
        let edit = |doc: &mut AutoCommit, n: usize| {
            let issue = doc
                .put_object(&issues, format!("issue{n}"), ObjType::Map)
                .unwrap();
            doc.put(&issue, "title", format!("Issue {n}")).unwrap();
            doc.commit_with(
                automerge::transaction::CommitOptions::default().with_message("raise issue"),
            );
        };
        for n in 0..3 {
            edit(&mut doc, n);
        }
        let mut log = Log::default();
        log.update(&mut doc);
        let bytes = log.to_bytes();
        edit(&mut doc, 3);
        let members = BTreeMap::new();
        let back = Log::from_bytes(&bytes, &mut doc).unwrap();
        assert_eq!(back.len(), 4);
        assert_eq!(
            back.entries(&members, None),
            history(&mut doc, &members, None)
        );
        assert_eq!(
            back.entries(&members, Some("issue3"))[0].fields,
            ["issues/issue3"]
        );
        // Another document does not hold those heads.
        let mut other = AutoCommit::new();
        other.put(ROOT, "x", 1).unwrap();
        other.commit();
        assert!(Log::from_bytes(&bytes, &mut other).is_none());
        // Changed since, garbage, too many bytes.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let changed = text.replace("raise issue", "raise issuf");
        assert_ne!(changed, text);
        assert!(Log::from_bytes(changed.as_bytes(), &mut doc).is_none());
        assert!(Log::from_bytes(b"\xffnot json", &mut doc).is_none());
        assert!(Log::from_bytes(&vec![b' '; MAX_KEPT_BYTES + 1], &mut doc).is_none());
        // Sealed as this build seals, but a change short of the heads' history, one twice,
        // or a key that is no key.
        let payload = || -> serde_json::Value {
            serde_json::from_slice(crate::kept::open(&bytes).unwrap()).unwrap()
        };
        let resealed = |v: &serde_json::Value| crate::kept::seal(&serde_json::to_vec(v).unwrap());
        let mut short = payload();
        short["read"].as_array_mut().unwrap().remove(1);
        assert!(Log::from_bytes(&resealed(&short), &mut doc).is_none());
        let mut twice = payload();
        twice["read"][1] = twice["read"][0].clone();
        assert!(Log::from_bytes(&resealed(&twice), &mut doc).is_none());
        let mut bad_key = payload();
        bad_key["read"][0]["actor"] = serde_json::json!("zz");
        assert!(Log::from_bytes(&resealed(&bad_key), &mut doc).is_none());
        // Untouched, it still comes back.
        assert!(Log::from_bytes(&bytes, &mut doc).is_some());
    }

    /// Where the log finds each object from the operation that made it is where the document
    /// says it is: texts spliced many characters at once, lists, maps within lists, over
    /// several changes.
    #[test]
    fn paths_from_the_operations_that_made_objects_match_the_document() {
        let mut doc = AutoCommit::new();
        let issues = doc.put_object(ROOT, "issues", ObjType::Map).unwrap();
        for n in 0..5 {
            let issue = doc
                .put_object(&issues, format!("issue{n}"), ObjType::Map)
                .unwrap();
            let title = doc.put_object(&issue, "title", ObjType::Text).unwrap();
            doc.splice_text(&title, 0, 0, "Bus fares — équité, 40 % ✊🏽")
                .unwrap();
            let tags = doc.put_object(&issue, "tags", ObjType::List).unwrap();
            doc.insert(&tags, 0, "race").unwrap();
            let evidence = doc.insert_object(&tags, 1, ObjType::Map).unwrap();
            let note = doc.put_object(&evidence, "note", ObjType::Text).unwrap();
            doc.splice_text(&note, 0, 0, "survey").unwrap();
            doc.commit();
        }
        let charter = doc.put_object(ROOT, "charter", ObjType::Map).unwrap();
        let goals = doc.put_object(&charter, "goals", ObjType::Map).unwrap();
        let goal = doc.put_object(&goals, "g1", ObjType::Map).unwrap();
        doc.put_object(&goal, "text", ObjType::Text).unwrap();
        doc.commit();

        let mut log = Log::default();
        log.update(&mut doc);
        assert!(log.paths.0.len() >= 5 * 5 + 3, "{}", log.paths.0.len());
        let mut asked = Paths::default();
        for (obj, path) in &log.paths.0 {
            assert_eq!(path.as_slice(), asked.of(&doc, obj), "{obj:?}");
        }
        let fields: Vec<&str> = log.read[1]
            .entry
            .fields
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(fields, ["issues/issue1"]);
    }
}
