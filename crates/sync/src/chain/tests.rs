//! Tests of the batch checks.

use super::*;
use automerge::AutoCommit;
use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::transaction::Transactable;

/// The change `doc` just made.
fn made(doc: &mut AutoCommit) -> Change {
    doc.commit();
    doc.get_last_local_change().expect("a change").clone()
}

/// Checks that `change` is refused as malformed in `doc`, for a reason saying `why`.
fn refused_as(doc: &Automerge, change: Change, why: &str) {
    match check(doc, vec![change]) {
        Err(Refusal::MalformedChange(said)) => assert!(said.contains(why), "{said}"),
        other => panic!("not refused ({why}): {other:?}"),
    }
}

/// Honest references to values overwritten since, and to elements deleted since, in the
/// receiver's current state: confirmed from the change that wrote them.
#[test]
fn references_overwritten_or_deleted_since_are_confirmed_where_they_were_written() {
    let mut a = AutoCommit::new();
    let list = a
        .put_object(automerge::ROOT, "languages", ObjType::List)
        .unwrap();
    a.insert(&list, 0, "en").unwrap();
    let text = a
        .put_object(automerge::ROOT, "about", ObjType::Text)
        .unwrap();
    a.splice_text(&text, 0, 0, "hello").unwrap();
    let base = made(&mut a);
    let mut b = AutoCommit::new();
    b.apply_changes([base.clone()]).unwrap();
    let mut c = b.fork();
    // a overwrites the list's element; b holds that and overwrites it again concurrently
    // with a's second overwrite, whose predecessor b no longer shows.
    a.put(&list, 0, "fr").unwrap();
    let first = made(&mut a);
    b.apply_changes([first]).unwrap();
    b.put(&list, 0, "pt").unwrap();
    b.commit();
    a.put(&list, 0, "de").unwrap();
    let second = made(&mut a);
    let checked = check(b.document(), vec![second]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    // b deletes a character; c, concurrently, inserts after it.
    b.splice_text(&text, 1, 1, "").unwrap();
    b.commit();
    c.splice_text(&text, 2, 0, "X").unwrap();
    let after_deleted = made(&mut c);
    let checked = check(b.document(), vec![after_deleted]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    b.apply_changes(checked.order).unwrap();
    assert_eq!(b.text(&text).unwrap(), "hXllo");
}

/// The id of the operation whose value is at `list[index]`, as (counter, actor).
fn value_id(doc: &AutoCommit, list: &automerge::ObjId, index: usize) -> (u64, ActorId) {
    let (_, id) = doc.get(list, index).unwrap().expect("a value");
    match id {
        automerge::ObjId::Id(c, a, _) => (c, a),
        automerge::ObjId::Root => unreachable!("a list element is never the root"),
    }
}

/// A list position names an element by the operation that inserted it. A value put over
/// an element later reads back, in Automerge's current state, with that element's cursor
/// as long as it wins there: naming it as a position must be refused alike where it wins
/// and where a concurrent value does, or one member's change splits honest nodes.
#[test]
fn a_list_position_naming_a_value_put_over_an_element_is_refused_wherever_it_wins() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
    let list = a
        .put_object(automerge::ROOT, "tags", ObjType::List)
        .unwrap();
    a.insert(&list, 0, "housing").unwrap();
    let base = made(&mut a);
    // Concurrently: a overwrites the element; another actor (higher id, so it wins
    // wherever both are held) overwrites it too.
    let mut other = AutoCommit::new().with_actor(ActorId::from([0xffu8; 16]));
    other.apply_changes([base.clone()]).unwrap();
    a.put(&list, 0, "transit").unwrap();
    let put = made(&mut a);
    let overwriting = value_id(&a, &list, 0);
    other.put(&list, 0, "schools").unwrap();
    let rival = made(&mut other);
    // An honest insertion after the element, then the same naming a's put as the
    // position.
    a.insert(&list, 1, "wages").unwrap();
    let honest = made(&mut a);
    let mut forged = honest.decode();
    forged.operations[0].key = Key::Seq(ElementId::Id(OpId(overwriting.0, overwriting.1.clone())));
    let forged = Change::from(forged);
    // Where a's put wins (the rival not held) and where the rival wins.
    let mut wins = AutoCommit::new();
    wins.apply_changes([base.clone(), put.clone()]).unwrap();
    assert_eq!(value_id(&wins, &list, 0), overwriting);
    let mut loses = AutoCommit::new();
    loses.apply_changes([base, put, rival]).unwrap();
    assert_ne!(value_id(&loses, &list, 0), overwriting);
    for doc in [&mut wins, &mut loses] {
        refused_as(doc.document(), forged.clone(), "no element of its list");
        let checked = check(doc.document(), vec![honest.clone()]).unwrap();
        assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    }
}

/// A text "hello" held by the document returned, and the writer's next change replacing its
/// "e" with an "a" (honest), with the same change forged: the deletion of "e" turned into a
/// put over it. The writer's document is returned too, to write on from.
fn put_over_a_character() -> (AutoCommit, AutoCommit, Change, Change) {
    let mut a = AutoCommit::new();
    let text = a
        .put_object(automerge::ROOT, "about", ObjType::Text)
        .unwrap();
    a.splice_text(&text, 0, 0, "hello").unwrap();
    let base = made(&mut a);
    let mut b = AutoCommit::new();
    b.apply_changes([base]).unwrap();
    a.splice_text(&text, 1, 1, "a").unwrap();
    let honest = made(&mut a);
    let mut forged = honest.decode();
    let delete = forged
        .operations
        .iter()
        .position(|op| matches!(op.action, OpType::Delete))
        .expect("the splice deletes");
    forged.operations[delete].action = OpType::Put(ScalarValue::Str("X".into()));
    (a, b, honest, Change::from(forged))
}

/// Nothing but insertions and deletions is written in a text (what splicing writes): a
/// value put over a character is refused, so a character's cursor is always its own.
#[test]
fn a_value_put_over_a_character_of_a_text_is_refused() {
    let (_, mut b, honest, forged) = put_over_a_character();
    let checked = check(b.document(), vec![honest]).unwrap();
    assert_eq!(checked.order.len(), 1);
    refused_as(b.document(), forged, "over a character");
}

/// A batch with a dependency missing is taken whole or not at all: nothing of it is checked
/// (a member sending one again and again would make each copy read the history), not even a
/// change of it that would be refused; once the dependency is there, it is.
#[test]
fn nothing_is_checked_of_a_batch_with_a_dependency_missing() {
    let (mut a, mut b, _, forged) = put_over_a_character();
    // Another actor's change after one the batch does not carry.
    let mut c = a
        .fork()
        .with_actor(automerge::ActorId::from([9u8; 32].as_slice()));
    c.put(automerge::ROOT, "x", 1).unwrap();
    let _missing = made(&mut c);
    c.put(automerge::ROOT, "x", 2).unwrap();
    let dangling = made(&mut c);
    let checked = check(b.document(), vec![forged.clone(), dangling]).unwrap();
    assert_eq!(checked.dangling, 1);
    assert!(checked.decoded.is_empty(), "nothing decoded");
    refused_as(b.document(), forged, "over a character");
}

/// Every position in a list is confirmed from the change that made it, however many
/// changes a batch refers to: an honest change appending to more lists than are rebuilt
/// one by one, each list made in a change of its own, passes (rebuilt in one pass: were
/// that pass to fail, the batch would be refused as too much work); the same naming a
/// value put over an element as a position is still refused.
#[test]
fn appending_to_lists_made_in_thousands_of_changes_passes_and_a_forgery_among_them_does_not() {
    let mut a = AutoCommit::new();
    let mut lists = Vec::new();
    for i in 0..ONE_BY_ONE + 100 {
        let list = a
            .put_object(automerge::ROOT, format!("tags{i}"), ObjType::List)
            .unwrap();
        a.insert(&list, 0, "housing").unwrap();
        a.commit();
        lists.push(list);
    }
    a.put(&lists[0], 0, "transit").unwrap();
    a.commit();
    let overwriting = value_id(&a, &lists[0], 0);
    let mut b = a.fork();
    for list in &lists {
        a.insert(list, 1, "wages").unwrap();
    }
    let appended = made(&mut a);
    let checked = check(b.document(), vec![appended.clone()]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    // The same, its first insertion placed after the value put over list 0's element.
    let mut forged = appended.decode();
    let first = forged
        .operations
        .iter()
        .position(|op| op.insert)
        .expect("insertions");
    forged.operations[first].key =
        Key::Seq(ElementId::Id(OpId(overwriting.0, overwriting.1.clone())));
    refused_as(b.document(), Change::from(forged), "no element of its list");
    b.apply_changes(checked.order).unwrap();
    assert_eq!(b.length(&lists[ONE_BY_ONE + 99]), 2);
}

#[test]
fn a_large_batch_decodes_apart_as_it_does_in_one_piece() {
    // 40 changes of 2,000 characters each: 80,000 operations, over DECODE_APART.
    let mut doc = AutoCommit::new().with_actor(ActorId::from([7u8; 32]));
    let text = doc
        .put_object(automerge::ROOT, "notes", automerge::ObjType::Text)
        .unwrap();
    doc.commit();
    for i in 0..40 {
        doc.splice_text(&text, i * 2_000, 0, &"x".repeat(2_000))
            .unwrap();
        doc.commit();
    }
    let changes: Vec<Change> = doc.get_changes(&[]);
    assert!(changes.iter().map(Change::len).sum::<usize>() >= DECODE_APART);
    let apart = decode_all(&changes);
    assert_eq!(apart.len(), changes.len());
    for (ch, got) in changes.iter().zip(apart) {
        assert!(
            got.unwrap()
                .same_operations(&ChangeOps::decode(ch).unwrap())
        );
    }
    // And the batch passes whole.
    let checked = check(&Automerge::new(), changes).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (41, 0));
}

/// An object a change makes in an object that is not there is no object to write into, later
/// in the same change: refused, as it always was, not left waiting.
#[test]
fn writing_into_an_object_made_where_nothing_is_is_refused() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    a.put(automerge::ROOT, "name", "coalition").unwrap();
    let base = made(&mut a);
    let mut b = AutoCommit::new();
    b.apply_changes([base]).unwrap();
    let m = a.put_object(automerge::ROOT, "m", ObjType::Map).unwrap();
    a.put(&m, "k", "v").unwrap();
    let honest = made(&mut a);
    let checked = check(b.document(), vec![honest.clone()]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    // The map made in an object of an actor nobody knows (so: not here yet).
    let mut forged = honest.decode();
    forged.operations[0].obj = ObjectId::Id(OpId(1, ActorId::from([0xeeu8; 32])));
    refused_as(
        b.document(),
        Change::from(forged),
        "writes into something not an object",
    );
}

/// Two changes of one actor whose operation counters overlap are refused at once.
#[test]
fn two_changes_of_one_actor_over_the_same_counters_are_refused() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    a.put(automerge::ROOT, "name", "coalition").unwrap();
    let first = made(&mut a);
    a.put(automerge::ROOT, "about", "housing").unwrap();
    let second = made(&mut a);
    let mut forged = second.decode();
    forged.start_op = first.start_op();
    match check(&Automerge::new(), vec![first, Change::from(forged)]) {
        Err(Refusal::MalformedChange(said)) => {
            assert!(said.contains("the same operation counters"), "{said}")
        }
        other => panic!("not refused: {other:?}"),
    }
}

/// The same when the first of the two waits for something not here yet: refused at once
/// (before, the pair waited and could only be refused once whole).
#[test]
fn two_changes_over_the_same_counters_are_refused_even_when_one_waits() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 32]));
    let m = a.put_object(automerge::ROOT, "m", ObjType::Map).unwrap();
    let first = made(&mut a);
    a.put(&m, "k", "v").unwrap();
    let second = made(&mut a);
    // The first writes in an object nobody knows (so it waits); the second reuses its
    // counters.
    let mut waits = first.decode();
    waits.operations[0].obj = ObjectId::Id(OpId(1, ActorId::from([0xeeu8; 32])));
    let waits = Change::from(waits);
    let mut overlaps = second.decode();
    overlaps.deps = vec![waits.hash()];
    overlaps.start_op = waits.start_op();
    match check(&Automerge::new(), vec![waits, Change::from(overlaps)]) {
        Err(Refusal::MalformedChange(said)) => {
            assert!(said.contains("the same operation counters"), "{said}")
        }
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn a_map_key_longer_than_any_place_of_a_coalition_is_refused_before_it_is_compared() {
    // One key written 2,000 times over itself: each write would compare it with the value it
    // overwrites.
    let mut doc = AutoCommit::new().with_actor(ActorId::from([3u8; 32]));
    let long = "k".repeat(MAX_KEY + 1);
    for i in 0..2_000i64 {
        doc.put(automerge::ROOT, long.as_str(), i).unwrap();
    }
    let change = made(&mut doc);
    refused_as(
        &Automerge::new(),
        change,
        &format!("a map key of {} bytes", MAX_KEY + 1),
    );
    // As long as the longest a coalition has passes.
    let mut doc = AutoCommit::new().with_actor(ActorId::from([3u8; 32]));
    doc.put(automerge::ROOT, "k".repeat(MAX_KEY).as_str(), 1i64)
        .unwrap();
    let change = made(&mut doc);
    assert_eq!(
        check(&Automerge::new(), vec![change]).unwrap().order.len(),
        1
    );
}

/// A change of `actor` writing `n` values into `obj` after `deps` (held by `doc`, a copy).
fn writes(doc: &mut AutoCommit, actor: u8, obj: &automerge::ObjId, n: usize) -> Change {
    let mut d = doc.fork().with_actor(ActorId::from([actor; 16]));
    for i in 0..n {
        d.put(obj, format!("k{i}"), "v").unwrap();
    }
    made(&mut d)
}

/// The id of the object at `key` in `obj`, as Automerge's expanded form names it.
fn object_id(doc: &AutoCommit, obj: &automerge::ObjId, key: &str) -> ObjectId {
    match doc.get(obj, key).unwrap().expect("an object").1 {
        automerge::ObjId::Id(c, a, _) => ObjectId::Id(OpId(c, a)),
        automerge::ObjId::Root => unreachable!("an object at a key is never the root"),
    }
}

/// A change of a member's node writing into an object, at an element or over a value that a
/// change outside its history made: refused wherever that change is (the document, the same
/// batch, nowhere), though Automerge would apply it where that change is held. The same
/// change made on a document holding it (depending on it) is taken.
#[test]
fn a_reference_outside_the_changes_history_is_refused() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
    let issues = a
        .put_object(automerge::ROOT, "issues", ObjType::Map)
        .unwrap();
    let base = made(&mut a);
    // a adds an issue; b, concurrently (not holding it), writes two values in the map.
    let mut held = a.fork();
    held.put_object(&issues, "bus", ObjType::Map).unwrap();
    let issue = made(&mut held);
    let bus = object_id(&held, &issues, "bus");
    let mut b = AutoCommit::new();
    b.apply_changes([base.clone()]).unwrap();
    let honest = writes(&mut b, 2, &issues, 2);
    assert_eq!(honest.deps(), &[base.hash()]);
    // The second value written into a's new issue instead, b's change still depending on
    // the base alone.
    let mut forged = honest.decode();
    forged.operations[1].obj = bus.clone();
    let forged = Change::from(forged);
    let mut node = AutoCommit::new();
    node.apply_changes([base.clone(), issue.clone()]).unwrap();
    // Automerge would apply it.
    assert!(node.fork().apply_changes([forged.clone()]).is_ok());
    refused_as(
        node.document(),
        forged.clone(),
        "outside its change's history",
    );
    // In one batch with the issue, in either order.
    let mut only_base = AutoCommit::new();
    only_base.apply_changes([base.clone()]).unwrap();
    for batch in [
        vec![issue.clone(), forged.clone()],
        vec![forged.clone(), issue.clone()],
    ] {
        match check(only_base.document(), batch) {
            Err(Refusal::MalformedChange(m)) => {
                assert!(m.contains("outside its change's history"), "{m}")
            }
            other => panic!("not refused: {other:?}"),
        }
    }
    // Nowhere: refused too (its history is all here, and does not hold it).
    refused_as(
        only_base.document(),
        forged.clone(),
        "outside its change's history",
    );
    // In a whole history (a snapshot of a document that took it unchecked), as a node
    // holding nothing checks one.
    let mut took = AutoCommit::new();
    took.apply_changes([base.clone(), issue.clone(), forged])
        .unwrap();
    let (order, left) = causal_order(&Automerge::new(), took.get_changes(&[]));
    assert_eq!(left, 0);
    let decoded: Vec<ChangeOps> = decode_all(&order).into_iter().flatten().collect();
    match check_whole(&order, &decoded) {
        Err(Refusal::MalformedChange(m)) => assert!(m.contains("outside its change's history")),
        other => panic!("not refused: {other:?}"),
    }
    // Made on a copy holding the issue, it depends on it: taken, alone or in one batch.
    let mut b = AutoCommit::new();
    b.apply_changes([base.clone(), issue.clone()]).unwrap();
    let bus_obj = b.get(&issues, "bus").unwrap().unwrap().1;
    let merged = writes(&mut b, 2, &bus_obj, 2);
    let checked = check(node.document(), vec![merged.clone()]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (1, 0));
    let checked = check(only_base.document(), vec![merged, issue]).unwrap();
    assert_eq!((checked.order.len(), checked.dangling), (2, 0));
}

/// The same for a list position and a value overwritten: each must be in the history.
#[test]
fn positions_and_overwritten_values_outside_the_history_are_refused() {
    let mut a = AutoCommit::new().with_actor(ActorId::from([1u8; 16]));
    let tags = a
        .put_object(automerge::ROOT, "tags", ObjType::List)
        .unwrap();
    a.insert(&tags, 0, "housing").unwrap();
    a.put(automerge::ROOT, "name", "Transit Justice").unwrap();
    let base = made(&mut a);
    // a, later, inserts a tag and renames; b, concurrently, inserts after the first tag and
    // renames over the first name.
    let mut later = a.fork().with_actor(ActorId::from([1u8; 16]));
    later.insert(&tags, 1, "transit").unwrap();
    later
        .put(automerge::ROOT, "name", "Transit Justice Coalition")
        .unwrap();
    let newer = made(&mut later);
    let mut b = AutoCommit::new().with_actor(ActorId::from([2u8; 16]));
    b.apply_changes([base.clone()]).unwrap();
    // (Operations of its own first, so that the later ones are younger than a's.)
    for k in ["a", "b"] {
        b.put(automerge::ROOT, k, "x").unwrap();
    }
    b.insert(&tags, 1, "schools").unwrap();
    b.put(automerge::ROOT, "name", "Schools and Transit")
        .unwrap();
    let honest = made(&mut b);
    let mut node = AutoCommit::new();
    node.apply_changes([base.clone(), newer.clone()]).unwrap();
    let checked = check(node.document(), vec![honest.clone()]).unwrap();
    assert_eq!(checked.order.len(), 1);
    let newer_ops = newer.decode();
    let new_tag = OpId(newer_ops.start_op.get(), ActorId::from([1u8; 16]));
    let new_name = OpId(newer_ops.start_op.get() + 1, ActorId::from([1u8; 16]));
    // b's insertion placed after a's concurrent tag.
    let mut forged = honest.decode();
    forged.operations[2].key = Key::Seq(ElementId::Id(new_tag));
    refused_as(
        node.document(),
        Change::from(forged),
        "outside its change's history",
    );
    // b's name put over a's concurrent name (as well as the one it knew).
    let mut forged = honest.decode();
    let mut preds: Vec<OpId> = forged.operations[3].pred.iter().cloned().collect();
    preds.push(new_name);
    preds.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
    forged.operations[3].pred = preds.into();
    refused_as(
        node.document(),
        Change::from(forged),
        "outside its change's history",
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any history of three actors editing and merging, split anywhere between a document and
    /// a batch: each batch change's clock holds exactly the operations of the changes it
    /// depends on, directly or not (checked against the dependencies walked one by one).
    #[test]
    fn a_changes_clock_holds_exactly_its_history(
        steps in proptest::collection::vec((0usize..3, 0usize..4), 1..40),
        split in 0usize..40,
    ) {
        let mut actors: Vec<AutoCommit> = (1..=3u8)
            .map(|a| AutoCommit::new().with_actor(ActorId::from([a; 16])))
            .collect();
        for (i, (who, what)) in steps.iter().enumerate() {
            if *what == 3 {
                // Merging what the next actor holds.
                let (a, b) = (*who, (*who + 1) % 3);
                let mut other = actors[b].fork();
                actors[a].merge(&mut other).unwrap();
            } else {
                // One to three operations.
                for k in 0..=*what {
                    actors[*who].put(automerge::ROOT, format!("k{k}"), i as i64).unwrap();
                }
                actors[*who].commit();
            }
        }
        let mut all = AutoCommit::new();
        for a in &mut actors {
            let mut a = a.fork();
            all.merge(&mut a).unwrap();
        }
        let changes = all.get_changes(&[]);
        let split = split.min(changes.len());
        // The document: the first `split` changes (a causal prefix: Automerge lists them in
        // causal order); the batch: the rest.
        let mut doc = AutoCommit::new();
        doc.apply_changes(changes[..split].to_vec()).unwrap();
        let (order, left) = causal_order(doc.document(), changes[split..].to_vec());
        proptest::prop_assert_eq!(left, 0);
        let by_hash: std::collections::HashMap<ChangeHash, &Change> =
            changes.iter().map(|c| (c.hash(), c)).collect();
        let history = |c: &Change| {
            let mut seen = std::collections::HashSet::new();
            let mut stack: Vec<ChangeHash> = c.deps().to_vec();
            while let Some(h) = stack.pop() {
                if seen.insert(h) {
                    stack.extend(by_hash[&h].deps().iter().copied());
                }
            }
            seen
        };
        let mut ranges: HashMap<ActorId, Vec<(u64, u64, usize)>> = HashMap::default();
        for (i, c) in order.iter().enumerate() {
            let start = c.start_op().get();
            ranges
                .entry(c.actor_id().clone())
                .or_default()
                .push((start, start + c.len() as u64 - 1, i));
        }
        let in_batch: std::collections::HashSet<ChangeHash> =
            order.iter().map(Change::hash).collect();
        let mut past = Past::new(doc.document(), &order, &ranges);
        past.start(&order);
        for (i, c) in order.iter().enumerate() {
            let clock = past.before(c).unwrap();
            let held = history(c);
            for other in &changes {
                let start = other.start_op().get();
                for ctr in start..start + other.len() as u64 {
                    let id = (ctr, other.actor_id());
                    let holds = past.holds(&clock, id, in_batch.contains(&other.hash()));
                    proptest::prop_assert_eq!(
                        holds,
                        held.contains(&other.hash()),
                        "operation {}@{} for change {}", ctr, other.actor_id(), i
                    );
                }
            }
            past.judged(i, c, clock).unwrap();
        }
    }
}
