//! The layout and new records: every place the model writes is in the layout, and a new
//! record is judged whole as it stands at the end of its change (its id is its key, its
//! optional fields may be absent).

use model::automerge::transaction::Transactable;
use model::automerge::{AutoCommit, ObjType};
use model::rules::Violation;
use model::*;

use crate::common::*;
use crate::{
    FORGED, Handmade, POOL, PROPOSAL, coalition, forged_pledge, handmade_proposal, issue_id,
    pledge, proposal, raw, t,
};

/// Every place a coalition written by the model's edits holds a value — every field of
/// every record kind — is a place of the layout that admits that value: a field added to a
/// record without being added to the layout fails here before it ships.
#[test]
fn every_place_the_model_writes_is_in_the_layout() {
    use model::automerge::{ReadDoc, Value};
    let mut docs = coalition();
    let d = &mut docs[0];
    let goal = GoalId::from_bytes([5; 16]);
    d.add_goal(
        &member(1),
        &goal,
        "Fare-free buses",
        "100".parse().unwrap(),
        "percent",
        t(5),
    )
    .unwrap();
    d.record_progress(
        &member(1),
        &goal,
        "2026-01-02".parse().unwrap(),
        "40".parse().unwrap(),
        "Half way",
        t(6),
    )
    .unwrap();
    d.add_evidence(
        &member(1),
        &issue_id().parse().unwrap(),
        "Survey",
        "9%",
        "by race",
        t(7),
    )
    .unwrap();
    d.share_issue(
        &member(1),
        &issue_id().parse().unwrap(),
        Rank::new(1).unwrap(),
        t(8),
    )
    .unwrap();
    pledge(d, 1, 9);
    d.take_position(
        &member(1),
        &proposal().parse().unwrap(),
        Stance::Block,
        "Not yet",
        t(10),
    )
    .unwrap();
    d.propose_amendment(
        &member(1),
        NewProposal {
            id: ProposalId::from_bytes([0x55; 16]),
            kind: DecisionKind::Amendment,
            title: "Two thirds".into(),
            text: "Amendments by two thirds".into(),
            closes_at: Some(t(100_000)),
        },
        model::schema::Amendment {
            frame: Some("A new frame".into()),
            add_values: vec!["care".into()],
            add_commitments: vec!["nonviolence".into()],
            rules: vec![
                "amendment=super-majority:2/3@1/2".parse().unwrap(),
                "admission=majority".parse().unwrap(),
            ],
            equity_threshold: Some("1/3".parse().unwrap()),
            weights: vec![format!("general:{}=4", member(2)).parse().unwrap()],
        },
        t(11),
    )
    .unwrap();
    d.add_meeting(
        &member(1),
        NewMeeting {
            id: MeetingId::from_bytes([0x66; 16]),
            day: "2026-01-03".parse().unwrap(),
            facilitator: member(1),
            attendance: vec![member(1), member(2)],
            agenda: vec!["Fares".into()],
            minutes: "Agreed".into(),
            decisions: vec![ProposalId::from_bytes(PROPOSAL)],
            checkins: vec![],
            timeboxes: vec![],
        },
        t(12),
    )
    .unwrap();
    assert_eq!(verdict(d), Ok(()));

    fn walk(
        doc: &AutoCommit,
        obj: &model::automerge::ObjId,
        path: &mut Vec<String>,
        seen: &mut usize,
    ) {
        let props: Vec<model::automerge::Prop> = match doc.object_type(obj).unwrap() {
            ObjType::Map | ObjType::Table => doc.keys(obj).map(Into::into).collect(),
            ObjType::List => (0..doc.length(obj)).map(Into::into).collect(),
            // Characters: the text object itself was admitted at its place.
            ObjType::Text => return,
        };
        for prop in props {
            let (value, child) = doc.get(obj, prop.clone()).unwrap().unwrap();
            path.push(match &prop {
                model::automerge::Prop::Map(k) => k.clone(),
                model::automerge::Prop::Seq(_) => "*".to_owned(),
            });
            let segments: Vec<&str> = path.iter().map(String::as_str).collect();
            let (slot, _) = model::layout::resolve(&segments)
                .unwrap_or_else(|e| panic!("{} is not in the layout: {e:?}", path.join("/")));
            let write = match &value {
                Value::Scalar(v) => model::layout::Write::Put(v),
                Value::Object(t) => model::layout::Write::Make(*t),
            };
            slot.admits(write)
                .unwrap_or_else(|e| panic!("{}: {e}", path.join("/")));
            *seen += 1;
            if let Value::Object(_) = value {
                walk(doc, &child, path, seen);
            }
            path.pop();
        }
    }
    let mut seen = 0;
    walk(
        d.automerge(),
        &model::automerge::ROOT,
        &mut Vec::new(),
        &mut seen,
    );
    assert!(seen > 150, "{seen} places");
}

/// A proposal stored under one key whose record names another id is refused: governance
/// keys proposals by where they are stored, and an id that is not its key could shadow
/// another governing proposal.
#[test]
fn a_proposal_whose_id_is_not_its_key_is_refused() {
    let mut fresh = coalition();
    let key = ProposalId::from_bytes([0x55; 16]).to_string();
    let other = ProposalId::from_bytes([0x56; 16]).to_string();
    let h = Handmade {
        id: key.clone(),
        kind: "general",
        rule: ("majority", None, "1/2"),
        electorate: &[1, 2, 3],
    };
    let mut honest = handmade_proposal(&mut fresh, h, |_, _| {});
    assert_eq!(verdict(&mut honest), Ok(()));
    let mut fresh = coalition();
    let h = Handmade {
        id: key,
        kind: "general",
        rule: ("majority", None, "1/2"),
        electorate: &[1, 2, 3],
    };
    let mut d = handmade_proposal(&mut fresh, h, |d, p| {
        d.put(p, "id", other.as_str()).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(err.to_string().contains("its id is"), "{err}");
}

#[test]
fn a_new_record_is_judged_by_what_it_holds_at_the_end_of_its_change() {
    let why = |d: &mut CoalitionDoc| match verdict(d) {
        Err(Violation::BadRecord { why, .. }) => why,
        other => panic!("{other:?}"),
    };
    // A new issue without its title, or whose title is written then deleted in the change.
    for delete in [false, true] {
        let mut docs = coalition();
        let id = IssueId::from_bytes([0x42; 16]).to_string();
        let mut d = raw(&mut docs, 1, |d| {
            let issues = obj(d, &["issues"]);
            let i = d.put_object(&issues, id.as_str(), ObjType::Map).unwrap();
            for (k, v) in [
                ("id", id.as_str()),
                ("raised_by", member(2).as_str()),
                ("lead", member(2).as_str()),
                ("status", "raised"),
            ] {
                d.put(&i, k, v).unwrap();
            }
            d.put_object(&i, "description", ObjType::Text).unwrap();
            d.put_object(&i, "tags", ObjType::List).unwrap();
            d.put_object(&i, "evidence", ObjType::List).unwrap();
            d.put_object(&i, "ranks", ObjType::Map).unwrap();
            d.put(&i, "created_at", 7i64).unwrap();
            if delete {
                d.put(&i, "title", "Bus fares").unwrap();
                d.delete(&i, "title").unwrap();
            }
        });
        if delete {
            assert!(matches!(verdict(&mut d), Err(Violation::BadValue { .. })));
        } else {
            let w = why(&mut d);
            assert!(w.contains("its title is missing"), "{w}");
        }
    }
    // A field written twice ends with the second value.
    let mut docs = coalition();
    let mut d = handmade_proposal(&mut docs, Handmade::default(), |d, p| {
        d.put(p, "title", "Mine, renamed").unwrap();
    });
    assert_eq!(verdict(&mut d), Ok(()));
    // Fields that constrain each other are read back: a super-majority needs its fraction.
    let mut docs = coalition();
    let h = Handmade {
        rule: ("super-majority", None, "1/2"),
        ..Handmade::default()
    };
    let mut d = handmade_proposal(&mut docs, h, |_, _| {});
    let w = why(&mut d);
    assert!(w.contains("with a fraction"), "{w}");
}

#[test]
fn a_new_record_without_its_optional_fields_reads_and_keeps_its_collection_readable() {
    // A ledger entry written without `proposal` (optional): accepted, and the pool, its
    // ledger and the entry all read.
    let mut docs = coalition();
    let pool = PoolId::from_bytes(POOL).to_string();
    let mut d = forged_pledge(&mut docs, 2, false);
    assert_eq!(verdict(&mut d), Ok(()));
    let read = d.read().unwrap();
    assert!(read.unreadable.is_empty(), "{:?}", read.unreadable);
    let entry = &read.pools[pool.as_str()].ledger[FORGED];
    assert_eq!(entry.proposal, None);
}
