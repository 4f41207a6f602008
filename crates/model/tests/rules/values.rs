//! Values of the wrong type or shape, refused on receipt; a record or reference stored
//! before that check is left out and named when read, never the whole coalition.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::*;

use crate::common::*;
use crate::{coalition, issue_id, raw, t};

// A member writing a value of the wrong type or shape where it may write: refused on
// receipt like any other rule break (it used to make the coalition unreadable everywhere).

fn refused_as_bad_value(d: &mut CoalitionDoc, why: &str) {
    match verdict(d) {
        Err(Violation::BadValue { why: w, .. }) => {
            assert!(w.contains(why), "refused for {w:?}, not {why:?}")
        }
        other => panic!("not refused as a bad value ({why}): {other:?}"),
    }
}

#[test]
fn a_number_where_a_members_own_name_belongs_is_refused() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put(&me, "name", 42i64).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    // A list where a text belongs, a map where a list of keys belongs.
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put_object(&me, "contact", ObjType::List).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        d.put_object(&me, "keys", ObjType::Map).unwrap();
    });
    refused_as_bad_value(&mut d, "list");
    // A key that is no node key, added to its own list of keys.
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 0, "not a key").unwrap();
    });
    refused_as_bad_value(&mut d, "node key");
}

#[test]
fn a_shared_records_field_of_the_wrong_type_is_refused() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", 7u64).unwrap();
    });
    refused_as_bad_value(&mut d, "text");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "status", "burning").unwrap();
    });
    refused_as_bad_value(&mut d, "issue status");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", "x".repeat(201)).unwrap();
    });
    refused_as_bad_value(&mut d, "201 characters");
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id(), "tags"]);
        d.insert(&i, 0, model::automerge::ScalarValue::counter(3))
            .unwrap();
    });
    refused_as_bad_value(&mut d, "tag");
    // A bad tag right after a good one in the same list: the second takes the first one's
    // place again (the validator reuses it) and is judged all the same.
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id(), "tags"]);
        d.insert(&i, 0, "transit").unwrap();
        d.insert(&i, 1, 7u64).unwrap();
    });
    refused_as_bad_value(&mut d, "tag");
    // A field the layout does not know.
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "colour", "red").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Unknown { .. })));
    // Removing a field every issue has.
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.delete(&i, "title").unwrap();
    });
    refused_as_bad_value(&mut d, "cannot be removed");
}

#[test]
fn a_new_record_that_does_not_read_whole_is_refused() {
    let mut docs = coalition();
    let id = IssueId::from_bytes([9; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let issues = obj(d, &["issues"]);
        let i = d.put_object(&issues, id.as_str(), ObjType::Map).unwrap();
        d.put(&i, "id", id.as_str()).unwrap();
        d.put(&i, "raised_by", member(2).as_str()).unwrap();
        // No title, no status, no tags...
    });
    match verdict(&mut d) {
        Err(Violation::BadRecord { why, .. }) => assert!(why.contains("read as a issue"), "{why}"),
        other => panic!("{other:?}"),
    }
    // A record under a key that is no id.
    let mut d = raw(&mut docs, 1, |d| {
        let issues = obj(d, &["issues"]);
        d.put_object(&issues, "not-an-id", ObjType::Map).unwrap();
    });
    refused_as_bad_value(&mut d, "not a valid key");
}

/// A record that does not read (stored before values were checked on receipt) is left out
/// and named; the rest of the coalition reads, and its governance still works.
#[test]
fn a_record_that_does_not_read_is_skipped_and_reported_not_the_whole_coalition() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "title", 7u64).unwrap();
        let me = obj(d, &["members", member(2).as_str()]);
        d.put(&me, "name", 42i64).unwrap();
    });
    let c = d.read().expect("the coalition reads");
    assert!(c.issues.is_empty());
    let paths: Vec<&str> = c.unreadable.iter().map(|u| u.path.as_str()).collect();
    assert!(
        paths.contains(&format!("issues/{}", issue_id()).as_str()),
        "{paths:?}"
    );
    assert!(
        paths.contains(&format!("members/{}", member(2)).as_str()),
        "{paths:?}"
    );
    assert!(c.members.contains_key(member(1).as_str()));
    assert_eq!(c.proposals.len(), 1);
    // Members whose records read can still edit.
    d.add_issue(
        &member(3),
        NewIssue {
            id: IssueId::from_bytes([2; 16]),
            title: "Still working".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        t(50),
    )
    .unwrap();
    assert_eq!(d.read().unwrap().issues.len(), 1);
}

/// References between records are typed ids: a reference that is not an id is refused on
/// receipt (the layout's `ID`), and where one was stored before that check, only its record
/// fails to read, reported, never the coalition.
#[test]
fn a_reference_that_is_not_an_id_is_refused_and_reads_as_its_record_alone() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let i = obj(d, &["issues", &issue_id()]);
        d.put(&i, "lead", "member two").unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::BadValue { .. }) && err.to_string().contains("lead"),
        "{err}"
    );
    let c = d.read().expect("the coalition reads");
    assert!(c.issues.is_empty());
    assert_eq!(
        c.unreadable
            .iter()
            .map(|u| u.path.clone())
            .collect::<Vec<_>>(),
        vec![format!("issues/{}", issue_id())]
    );
    assert_eq!(c.members.len(), 3);
}

// A member's own lists, which it writes as often as it likes and which every governance state
// the rules keep along a history holds: bounded on receipt as the model bounds them for every
// edit it makes (one member's 100,000 communities, then its key edits, would otherwise hold a
// copy of them per edit in every receiving node's memory).

fn refused_as_too_long(d: &mut CoalitionDoc, path: &str) {
    match verdict(d) {
        Err(Violation::BadValue { path: p, why }) => {
            assert!(p.ends_with(path), "refused at {p}, not {path}");
            assert!(why.contains("at most 50"), "refused for {why:?}");
        }
        other => panic!("a list over its bound at {path} not refused: {other:?}"),
    }
}

#[test]
fn a_members_lists_over_their_bound_are_refused() {
    let mut docs = coalition();
    // Its communities, grown past 50 in an existing list.
    let mut d = raw(&mut docs, 1, |d| {
        let list = obj(d, &["members", member(2).as_str(), "communities"]);
        for i in 0..=MAX_LIST {
            d.insert(&list, i, format!("community {i}")).unwrap();
        }
    });
    refused_as_too_long(&mut d, "communities");
    // Its languages, made again with 51 items.
    let mut d = raw(&mut docs, 1, |d| {
        let me = obj(d, &["members", member(2).as_str()]);
        let list = d.put_object(&me, "languages", ObjType::List).unwrap();
        for i in 0..=MAX_LIST {
            d.insert(&list, i, format!("language {i}")).unwrap();
        }
    });
    refused_as_too_long(&mut d, "languages");
    // Its node keys, grown one by one, each change alone within the bound.
    for i in 0..MAX_LIST {
        let mut d = raw(&mut docs, 1, |d| {
            let keys = obj(d, &["members", member(2).as_str(), "keys"]);
            let mut k = [0x40; 32];
            k[..8].copy_from_slice(&(i as u64).to_be_bytes());
            d.insert(&keys, 0, NodeKey::from_bytes(k).to_string())
                .unwrap();
        });
        docs[1].merge(&mut d).unwrap();
    }
    refused_as_too_long(&mut docs[1], "keys");
}

#[test]
fn a_member_filling_its_lists_to_the_bound_through_the_model_passes() {
    let mut docs = coalition();
    let d = &mut docs[1];
    let full = |what: &str| Some((0..MAX_LIST).map(|i| format!("{what} {i}")).collect());
    let update = ProfileUpdate {
        communities: full("community"),
        languages: full("language"),
        accessibility: full("need"),
        ..Default::default()
    };
    d.update_profile(&member(2), update, t(10)).unwrap();
    // Its node keys up to the bound (it holds one), then the model refuses one more.
    for i in 1..MAX_LIST {
        let mut k = [0x40; 32];
        k[..8].copy_from_slice(&(i as u64).to_be_bytes());
        d.add_device_key(&member(2), NodeKey::from_bytes(k), t(11))
            .unwrap();
    }
    assert!(matches!(
        d.add_device_key(&member(2), NodeKey::from_bytes([0x41; 32]), t(12)),
        Err(EditError::TooMany { max: MAX_LIST, .. })
    ));
    verdict(d).unwrap();
}

/// A founding change written by hand as `CoalitionDoc::found` writes it, with the founder's
/// communities `n` long and the stored charter at `version`.
fn founded_by_hand(n: usize, version: u64) -> model::automerge::AutoCommit {
    founded_by_hand_with(n, version, |_| {})
}

/// [`founded_by_hand`], its charter edited by `edit` first.
fn founded_by_hand_with(
    n: usize,
    version: u64,
    edit: impl FnOnce(&mut model::schema::Charter),
) -> model::automerge::AutoCommit {
    use model::automerge::{AutoCommit, ROOT, ReadDoc};
    use std::collections::BTreeMap;
    let founded = CoalitionDoc::found(
        key(1),
        Founding::new(
            CoalitionId::from_bytes([9; 16]),
            "Transit Justice",
            member(1),
            MemberProfile::named("Northside Tenants Union"),
            t(0),
        ),
    )
    .unwrap();
    let src = founded.automerge();
    let mut am = AutoCommit::new().with_actor(key(1).actor());
    for k in ["schema", "id", "created_at"] {
        let (v, _) = src.get(ROOT, k).unwrap().unwrap();
        am.put(ROOT, k, v.as_scalar().unwrap().clone()).unwrap();
    }
    let mut charter: model::schema::Charter =
        autosurgeon::hydrate_prop(src, ROOT, "charter").unwrap();
    charter.version = version;
    edit(&mut charter);
    autosurgeon::reconcile_prop(&mut am, ROOT, "charter", &charter).unwrap();
    let versions: BTreeMap<String, model::schema::CharterVersion> =
        autosurgeon::hydrate_prop(src, ROOT, "charter_versions").unwrap();
    autosurgeon::reconcile_prop(&mut am, ROOT, "charter_versions", &versions).unwrap();
    let mut members: BTreeMap<String, model::schema::Member> =
        autosurgeon::hydrate_prop(src, ROOT, "members").unwrap();
    members.get_mut(member(1).as_str()).unwrap().communities =
        (0..n).map(|i| format!("community {i}")).collect();
    autosurgeon::reconcile_prop(&mut am, ROOT, "members", &members).unwrap();
    for k in ["issues", "pools", "proposals", "meetings"] {
        am.put_object(ROOT, k, ObjType::Map).unwrap();
    }
    am.commit();
    am
}

#[test]
fn a_founders_lists_over_their_bound_are_refused() {
    let judged = |n: usize| {
        let mut am = founded_by_hand(n, 1);
        let changes = am.get_changes(&[]);
        assert_eq!(changes.len(), 1, "one founding change");
        model::rules::Validator::new(false).check(&am, &changes[0])
    };
    judged(MAX_LIST).unwrap();
    match judged(MAX_LIST + 1) {
        Err(Violation::BadFounding { why }) => assert!(why.contains("communities"), "{why}"),
        other => panic!("a founder with 51 communities not refused: {other:?}"),
    }
}

/// Each passed amendment counts one version on from the stored charter's: a founder storing
/// another than 1 could start it where counting on overflows.
#[test]
fn a_founding_charter_at_another_version_than_1_is_refused() {
    for version in [0, 2, u64::MAX] {
        let mut am = founded_by_hand(1, version);
        let changes = am.get_changes(&[]);
        match model::rules::Validator::new(false).check(&am, &changes[0]) {
            Err(Violation::BadFounding { why }) => assert!(why.contains("version 1"), "{why}"),
            other => panic!("a founding charter at version {version}: {other:?}"),
        }
    }
}

/// A founding charter naming a poll method for a kind decided by positions would leave that
/// kind undecidable: refused; for general decisions it stands.
#[test]
fn a_founding_charter_naming_a_poll_method_where_positions_decide_is_refused() {
    let ranked = Rule::by_poll("ranked".parse().unwrap(), Fraction::HALF);
    let judged = |edit: fn(&mut model::schema::Charter, Rule)| {
        let mut am = founded_by_hand_with(1, 1, |c| edit(c, ranked));
        let changes = am.get_changes(&[]);
        model::rules::Validator::new(false).check(&am, &changes[0])
    };
    match judged(|c, r| c.rules.membership = r) {
        Err(Violation::BadFounding { why }) => {
            assert!(why.contains("decided by positions"), "{why}")
        }
        other => panic!("a founding charter deciding removals by polls: {other:?}"),
    }
    judged(|c, r| c.rules.general = r).unwrap();
}

/// Two of a member's nodes each adding its 50th key at once merge into 51 keys: each change
/// was within the bound where it was made, so both pass, and so does revoking one after.
#[test]
fn keys_merged_past_the_bound_by_concurrent_honest_adds_pass() {
    let mut docs = coalition();
    let d = &mut docs[1];
    let device = |i: u8| {
        let mut k = [0x50; 32];
        k[0] = i;
        NodeKey::from_bytes(k)
    };
    for i in 1..(MAX_LIST as u8 - 1) {
        d.add_device_key(&member(2), device(i), t(10)).unwrap();
    }
    let mut one = d.fork_as(key(2));
    let mut other = d.fork_as(device(1));
    one.add_device_key(&member(2), device(200), t(11)).unwrap();
    other
        .add_device_key(&member(2), device(201), t(11))
        .unwrap();
    d.merge(&mut one).unwrap();
    d.merge(&mut other).unwrap();
    verdict(d).unwrap();
    d.revoke_device_key(&member(2), device(200), t(12)).unwrap();
    verdict(d).unwrap();
}

/// A member's ten nodes each listing 50 communities, languages and accessibility needs at
/// once merge into 500 of each: every change was within the bound where it was made, so all
/// pass. The rules keep the member's record, which each of its later key edits makes them
/// read again, without those lists' items (each governance state they keep along a history
/// would otherwise copy them), and read the records whole before they tell the governance
/// they carried; the coalition still reads the lists whole.
#[test]
fn profile_lists_merged_from_many_nodes_are_not_kept_by_the_rules() {
    let mut docs = coalition();
    let d = &mut docs[1];
    let node = |i: u8| {
        let mut k = [0x60; 32];
        k[0] = i;
        NodeKey::from_bytes(k)
    };
    for i in 1..10 {
        d.add_device_key(&member(2), node(i), t(10)).unwrap();
    }
    let mut nodes: Vec<CoalitionDoc> = (0..10)
        .map(|i| d.fork_as(if i == 0 { key(2) } else { node(i) }))
        .collect();
    for (i, n) in nodes.iter_mut().enumerate() {
        let full = |what: &str| Some((0..MAX_LIST).map(|j| format!("{what} {i}.{j}")).collect());
        let update = ProfileUpdate {
            communities: full("community"),
            languages: full("language"),
            accessibility: full("need"),
            ..Default::default()
        };
        n.update_profile(&member(2), update, t(11)).unwrap();
    }
    for n in &mut nodes {
        d.merge(n).unwrap();
    }
    d.revoke_device_key(&member(2), node(9), t(12)).unwrap();
    d.add_device_key(&member(2), node(9), t(13)).unwrap();
    verdict(d).unwrap();
    let read = d.read().unwrap();
    let whole = &read.members[&member(2)];
    assert_eq!(
        (
            whole.communities.len(),
            whole.languages.len(),
            whole.accessibility.len()
        ),
        (500, 500, 500)
    );
    let am = d.automerge_mut();
    let heads = am.get_heads();
    let mut rules = model::rules::Validator::new(false);
    for c in am.get_changes(&[]) {
        rules.check(am, &c).unwrap();
    }
    let told = rules.governance_after(am, &heads).unwrap();
    assert_eq!(
        told.records[&member(2)].communities.len(),
        500,
        "what the rules tell holds the records read whole"
    );
    assert_eq!(
        Some(&*told),
        model::governance::Governance::read(am).as_ref()
    );
    let carried = rules.carried_after(&heads).unwrap();
    let kept = &carried.records[&member(2)];
    assert_eq!(kept.keys.len(), 10, "the keys are kept");
    assert!(
        kept.communities.is_empty() && kept.languages.is_empty() && kept.accessibility.is_empty(),
        "the rules keep no profile list's items"
    );
}

/// An item of a member's node keys or flagged keys is inserted and deleted, never written
/// over (the model never does): the rules carry those lists from operations, each item
/// holding the value its insertion gave it.
#[test]
fn a_key_written_over_in_a_members_lists_is_refused() {
    let mut docs = coalition();
    docs[1].flag_key(&member(2), key(1), t(10)).unwrap();
    for list in ["keys", "flagged"] {
        let mut d = raw(&mut docs, 1, |d| {
            let items = obj(d, &["members", member(2).as_str(), list]);
            d.put(&items, 0, NodeKey::from_bytes([0x77; 32]).to_string())
                .unwrap();
        });
        match verdict(&mut d) {
            Err(Violation::Permanent { path }) => {
                assert_eq!(path, format!("members/{}/{list}/*", member(2)))
            }
            other => panic!("a {list} item written over was not refused: {other:?}"),
        }
    }
}
