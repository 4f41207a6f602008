//! A member's node sending changes that do not chain, or that refer to what is not there:
//! each is refused before Automerge sees it (which would panic or keep a document it can no
//! longer save and load), nothing is stored, and the node goes on working.

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{AutoCommit, Change, ExpandedChange};
use model::CoalitionDoc;
use sync::{Output, Refusal};

use crate::{World, party, raise, refusal};

/// B's honest change (an issue), taken apart for forging.
fn honest_expanded(w: &World) -> ExpandedChange {
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Bus fares");
    assert_eq!(changes.len(), 1);
    changes[0].decode()
}

/// Pushes a forged change, signed by B, and returns the refusal.
fn push_forged(w: &mut World, forged: ExpandedChange) -> Vec<Output> {
    let change = Change::from(forged);
    let head = sync::sign(&w.peer.signing, &change.hash());
    w.push(w.peer.key, &[change], vec![head])
}

/// Nothing of the forgery is there, the document saves and loads as itself, and an honest
/// change of B's is still accepted.
fn still_sound(w: &mut World, persisted: usize) {
    assert_eq!(w.persisted(), persisted, "nothing stored");
    let doc = w.docs.doc(&w.coalition).unwrap();
    let saved = doc.save();
    let mut loaded = AutoCommit::load(&saved).expect("the document loads");
    assert_eq!(loaded.get_heads(), doc.get_heads());
    let (_, changes) = w.edit_as(&w.peer, &w.peer.member.clone(), "Still working");
    let out = w.push_signed(&changes);
    assert!(refusal(&out).is_none(), "{out:?}");
    assert_eq!(w.issues(), 1);
}

fn malformed(out: &[Output], why: &str) {
    match refusal(out) {
        Some(Refusal::MalformedChange(m)) => {
            assert!(m.contains(why), "refused for {m:?}, not {why:?}")
        }
        other => panic!("not refused as malformed ({why}): {other:?} in {out:?}"),
    }
}

#[test]
fn a_change_whose_sequence_number_skips_is_refused() {
    let mut w = World::new();
    let persisted = w.persisted();
    let mut forged = honest_expanded(&w);
    forged.seq = 3;
    malformed(&push_forged(&mut w, forged), "does not follow");
    still_sound(&mut w, persisted);
}

#[test]
fn a_change_that_leaves_out_its_actors_previous_change_is_refused() {
    let mut w = World::new();
    let (_, first) = w.edit_as(&w.peer, &w.peer.member.clone(), "First");
    let head = sync::sign(&w.peer.signing, &first[0].hash());
    assert!(refusal(&w.push(w.peer.key, &first, vec![head])).is_none());
    let persisted = w.persisted();
    // Seq 2 of B, but depending only on the coalition as it was before B's seq 1.
    let mut forged = honest_expanded(&w);
    forged.seq = 2;
    forged.operations.truncate(1);
    let out = push_forged(&mut w, forged);
    malformed(&out, "does not follow");
    assert_eq!(w.persisted(), persisted);
}

#[test]
fn a_change_whose_operation_counters_overlap_earlier_ones_is_refused() {
    let mut w = World::new();
    let persisted = w.persisted();
    let mut forged = honest_expanded(&w);
    forged.start_op = std::num::NonZeroU64::new(2).unwrap();
    malformed(&push_forged(&mut w, forged), "starts at operation");
    still_sound(&mut w, persisted);
}

#[test]
fn operations_referring_to_what_is_not_there_are_refused() {
    let mut w = World::new();
    let persisted = w.persisted();
    let a = party(1).key.actor();
    // Written into an existing operation that is no object: the founding's own second op.
    let mut forged = honest_expanded(&w);
    forged.operations[0].obj = ObjectId::Id(OpId(2, a.clone()));
    malformed(&push_forged(&mut w, forged), "not an object");
    // A map key on the root, then a list position on a map.
    let mut forged = honest_expanded(&w);
    forged.operations[0].key = Key::Seq(ElementId::Head);
    forged.operations[0].insert = true;
    malformed(&push_forged(&mut w, forged), "wrong kind");
    // Referring to its own later operation.
    let mut forged = honest_expanded(&w);
    let start = forged.start_op.get();
    forged.operations[1].obj = ObjectId::Id(OpId(start + 5, w.peer.key.actor()));
    malformed(&push_forged(&mut w, forged), "later one");
    // An object that exists nowhere: the change's history is all here and does not hold
    // it (an honest change never refers outside its history), so it is refused.
    let mut forged = honest_expanded(&w);
    forged.operations[0].obj = ObjectId::Id(OpId(1, party(9).key.actor()));
    let out = push_forged(&mut w, forged);
    assert!(
        matches!(refusal(&out), Some(Refusal::MalformedChange(_))),
        "{out:?}"
    );
    // A counter, then an increment.
    let mut forged = honest_expanded(&w);
    forged.operations[1].action = OpType::Put(automerge::ScalarValue::counter(5));
    malformed(&push_forged(&mut w, forged), "does not hold");
    still_sound(&mut w, persisted);
}

#[test]
fn a_predecessor_in_another_place_is_refused_and_the_document_stays_sound() {
    let mut w = World::new();
    let persisted = w.persisted();
    // Overwrites the issue's title, naming as predecessor the value of another key of the
    // founding change (one in the document, not at this place).
    let mut forged = honest_expanded(&w);
    let a = party(1).key.actor();
    let (obj, key) = (
        forged.operations[1].obj.clone(),
        forged.operations[1].key.clone(),
    );
    let mut op = forged.operations[1].clone();
    op.obj = ObjectId::Root;
    op.key = Key::Map("schema".into());
    op.pred = vec![OpId(2, a)].into();
    op.action = OpType::Put(automerge::ScalarValue::Uint(9));
    let _ = (obj, key);
    forged.operations.push(op);
    let out = push_forged(&mut w, forged);
    malformed(&out, "");
    still_sound(&mut w, persisted);
}

#[test]
fn an_insertion_that_overwrites_a_value_is_refused_and_the_document_stays_sound() {
    use automerge::ReadDoc;
    let mut w = World::new();
    let persisted = w.persisted();
    // A node key inserted into B's own keys after its first, naming that one as its
    // predecessor: Automerge would hide it, then panic listing the document's changes.
    let (keys, first) = {
        let doc = w.docs.doc(&w.coalition).unwrap();
        let (_, members) = doc.get(automerge::ROOT, "members").unwrap().unwrap();
        let (_, me) = doc.get(&members, w.peer.member.as_str()).unwrap().unwrap();
        let (_, keys) = doc.get(&me, "keys").unwrap().unwrap();
        let first = doc.list_range(&keys, ..).next().unwrap().id();
        (keys, first)
    };
    let op_id = |id: &automerge::ObjId| match id {
        automerge::ObjId::Id(c, a, _) => OpId(*c, a.clone()),
        automerge::ObjId::Root => unreachable!("a list item"),
    };
    let mut forged = honest_expanded(&w);
    let mut op = forged.operations[0].clone();
    op.obj = ObjectId::Id(op_id(&keys));
    op.key = Key::Seq(ElementId::Id(op_id(&first)));
    op.insert = true;
    op.action = OpType::Put(automerge::ScalarValue::Str(
        model::NodeKey::from_bytes([0x5a; 32]).to_string().into(),
    ));
    op.pred = vec![op_id(&first)].into();
    forged.operations.push(op);
    malformed(&push_forged(&mut w, forged), "an insertion that overwrites");
    still_sound(&mut w, persisted);
}

/// B's node changes its communities to `list`, as the model writes it.
fn listed(w: &World, doc: &mut CoalitionDoc, list: &[&str], at: i64) -> Change {
    let update = model::ProfileUpdate {
        communities: Some(list.iter().map(|c| (*c).to_owned()).collect()),
        ..Default::default()
    };
    doc.update_profile(&w.peer.member, update, model::Timestamp::from_millis(at))
        .unwrap();
    doc.automerge_mut().get_last_local_change().unwrap().clone()
}

#[test]
fn a_change_automerge_would_list_under_another_hash_is_refused() {
    let mut w = World::new();
    let mut doc = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let first = listed(&w, &mut doc, &["tenants"], 1_700_000_100_000);
    let out = w.push_signed(&[first]);
    assert!(refusal(&out).is_none(), "{out:?}");
    let persisted = w.persisted();
    let mut later = doc.fork_as(w.peer.key);
    // The deletion of that community, carrying a value (a number) Automerge drops: it would
    // list the change under another hash, and the document's changes no longer list.
    let honest = listed(&w, &mut doc, &[], 1_700_000_200_000);
    let mut parts = crate::parts::Parts::of(honest.raw_bytes());
    assert_eq!(honest.len(), 1, "one deletion");
    parts.col(0x56, vec![0x01, 0x13]).col(0x57, vec![0x05]);
    let forged = Change::from_bytes(parts.encode()).unwrap();
    malformed(&w.push_signed(&[forged]), "do not decode");
    assert_eq!(w.persisted(), persisted, "nothing stored");
    // The node's document still lists its changes, and saves and loads as itself.
    let mut node = w.docs.doc(&w.coalition).unwrap().clone();
    assert!(!node.get_changes(&[]).is_empty());
    let mut loaded = AutoCommit::load(&node.save()).expect("the document loads");
    assert_eq!(loaded.get_heads(), node.get_heads());
    // B's next honest change is taken.
    let next = listed(&w, &mut later, &["renters"], 1_700_000_300_000);
    let out = w.push_signed(&[next]);
    assert!(refusal(&out).is_none(), "{out:?}");
}

#[test]
fn a_message_whose_changes_hold_too_many_operations_in_all_is_refused() {
    use sync::wire::{MESSAGE_BYTES_PER_OP, MIN_MESSAGE_LIMIT};
    let mut w = World::new();
    w.node.set_max_message(MIN_MESSAGE_LIMIT);
    let most = MIN_MESSAGE_LIMIT / MESSAGE_BYTES_PER_OP;
    // Issues whose descriptions are one operation per character: a few kilobytes on the
    // wire, more operations in all than this node takes in one message.
    let mut doc = CoalitionDoc::load(&w.base, w.peer.key).unwrap();
    let long = "a".repeat(20_000);
    let changes: Vec<Change> = (0..=most / 20_000)
        .flat_map(|i| raise(&mut doc, &w.peer.member, 9 + i as u8, "Long", &long))
        .collect();
    let mut changes = changes;
    let bytes: usize = changes.iter_mut().map(|c| c.bytes().len()).sum();
    assert!(bytes < MIN_MESSAGE_LIMIT / 10, "{bytes} bytes on the wire");
    let head = sync::sign(&w.peer.signing, &changes.last().unwrap().hash());
    let persisted = w.persisted();
    let out = w.push(w.peer.key, &changes, vec![head]);
    // Refused as the allowance ran out while its columns were read.
    malformed(&out, "operations (rows)");
    still_sound(&mut w, persisted);
}

#[test]
fn a_change_with_no_operations_is_refused() {
    let mut w = World::new();
    let mut forged = honest_expanded(&w);
    forged.operations.clear();
    let persisted = w.persisted();
    let out = push_forged(&mut w, forged);
    malformed(&out, "no operations");
    still_sound(&mut w, persisted);
}
