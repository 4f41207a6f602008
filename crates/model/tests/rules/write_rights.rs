//! Who may write what: members' own records and shared ones, ledger entries and fields that
//! are permanent, the charter and membership only through proposals carrying the charter's
//! rule; an outsider and a second founding are refused.

use model::automerge::transaction::Transactable;
use model::automerge::{ObjType, ScalarValue};
use model::rules::Violation;
use model::*;

use crate::common::*;
use crate::{
    Handmade, POOL, coalition, forged_pledge, handmade_proposal, issue_id, pledge, proposal, raw, t,
};

#[test]
fn the_founding_history_passes() {
    let mut docs = coalition();
    assert_eq!(verdict(&mut docs[0]), Ok(()));
}

#[test]
fn a_member_may_not_take_a_position_for_another() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let positions = obj(d, &["proposals", &proposal(), "positions"]);
        let p = d
            .put_object(&positions, member(1).as_str(), ObjType::Map)
            .unwrap();
        d.put(&p, "stance", "agree").unwrap();
        d.put(&p, "reason", "").unwrap();
        d.put(&p, "at", 5i64).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::NotOwner { owner, .. } if owner == member(1).as_str()),
        "{err}"
    );
    assert!(err.to_string().contains("positions"), "{err}");
}

#[test]
fn a_member_may_not_change_another_members_position() {
    let mut docs = coalition();
    docs[0]
        .take_position(
            &member(1),
            &proposal().parse().unwrap(),
            Stance::Disagree,
            "",
            t(5),
        )
        .unwrap();
    let mut first = docs[0].fork_as(key(2));
    docs[1].merge(&mut first).unwrap();
    let mut d = raw(&mut docs, 1, |d| {
        let p = obj(
            d,
            &["proposals", &proposal(), "positions", member(1).as_str()],
        );
        d.put(&p, "stance", "agree").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
}

#[test]
fn a_member_may_not_rank_an_issue_for_another() {
    let mut docs = coalition();
    let issue = IssueId::from_bytes([1; 16]).to_string();
    let mut d = raw(&mut docs, 2, |d| {
        let ranks = obj(d, &["issues", &issue, "ranks"]);
        d.put(&ranks, member(1).as_str(), 9u64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
}

#[test]
fn a_member_may_not_pledge_in_another_members_name() {
    let mut docs = coalition();
    // Member 2's own pledge passes; a ledger entry it writes in member 1's name does not.
    pledge(&mut docs[1], 2, 5);
    let mut honest = docs[1].fork_as(key(2));
    assert_eq!(verdict(&mut honest), Ok(()));
    let mut d = forged_pledge(&mut docs, 1, true);
    let err = verdict(&mut d).unwrap_err();
    assert!(matches!(&err, Violation::BadRecord { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("member names {}", member(1))),
        "{err}"
    );
}

#[test]
fn ledger_entries_are_permanent() {
    let mut docs = coalition();
    pledge(&mut docs[1], 2, 5);
    let pool = PoolId::from_bytes(POOL).to_string();
    let entry = EntryId::from_bytes([5; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let e = obj(d, &["pools", &pool, "ledger", &entry]);
        d.put(&e, "amount", 1i64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));
}

#[test]
fn a_member_may_not_edit_another_members_profile_or_keys() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let m = obj(d, &["members", member(1).as_str()]);
        d.put(&m, "name", "Defunct").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(1).as_str(), "keys"]);
        d.insert(&keys, 0, key(2).to_string()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::NotOwner { .. })));
    // Its own device keys are its own to add, but not another member's key.
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 1, key(7).to_string()).unwrap();
    });
    assert_eq!(verdict(&mut d), Ok(()));
    let mut d = raw(&mut docs, 1, |d| {
        let keys = obj(d, &["members", member(2).as_str(), "keys"]);
        d.insert(&keys, 1, key(1).to_string()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::BadRecord { .. })));
}

#[test]
fn the_charter_and_member_list_change_only_through_proposals() {
    let mut docs = coalition();
    let mut d = raw(&mut docs, 1, |d| {
        let rule = obj(d, &["charter", "rules", "amendment"]);
        d.put(&rule, "method", "majority").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
    let mut d = raw(&mut docs, 1, |d| {
        let members = obj(d, &["members"]);
        d.delete(&members, member(1).as_str()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
    let mut d = raw(&mut docs, 0, |d| {
        let charter = obj(d, &["charter"]);
        d.put(&charter, "name", "Mine now").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Governed { .. })));
}

#[test]
fn a_proposal_must_carry_the_charters_rule_and_the_whole_membership() {
    let mut docs = coalition();
    // An amendment opened honestly, then one that lowers its own bar.
    docs[1]
        .propose_amendment(
            &member(2),
            NewProposal {
                id: ProposalId::from_bytes([0x88; 16]),
                kind: DecisionKind::Amendment,
                title: "Admission by vote".into(),
                text: String::new(),
                closes_at: None,
            },
            model::schema::Amendment {
                add_values: vec!["admission by vote".into()],
                ..Default::default()
            },
            t(7),
        )
        .unwrap();
    let mut honest = docs[1].fork_as(key(2));
    assert_eq!(verdict(&mut honest), Ok(()));
    let id = ProposalId::from_bytes([0x88; 16]).to_string();
    let mut d = raw(&mut docs, 1, |d| {
        let rule = obj(d, &["proposals", &id, "rule"]);
        d.put(&rule, "method", "majority").unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));

    // Written whole in one change with a rule of its own choosing.
    let mut fresh = coalition();
    let h = Handmade {
        id: id.clone(),
        kind: "amendment",
        rule: ("majority", None, "1/3"),
        electorate: &[2],
    };
    let mut d = handmade_proposal(&mut fresh, h, |_, _| {});
    let err = verdict(&mut d).unwrap_err();
    assert!(matches!(&err, Violation::BadRecord { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("the charter's rule for amendment decisions is consensus"),
        "{err}"
    );
}

#[test]
fn an_outsider_and_a_second_founding_are_refused() {
    let mut docs = coalition();
    let mut d = docs[0].fork_as(key(9));
    d.add_issue(
        &member(1),
        NewIssue {
            id: IssueId::from_bytes([2; 16]),
            title: "Sneaky".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
        t(8),
    )
    .unwrap();
    assert!(matches!(verdict(&mut d), Err(Violation::NotAMember { .. })));

    // Member 2 founds "the same" coalition again as a root of its own.
    let mut docs = coalition();
    let mut other = CoalitionDoc::found(
        key(2),
        Founding::new(
            CoalitionId::from_bytes([9; 16]),
            "Takeover",
            member(2),
            profile("Org 2"),
            t(9),
        ),
    )
    .unwrap();
    docs[0].merge(&mut other).unwrap();
    // Whichever root comes first in the history, the other is a second founding.
    assert_eq!(verdict(&mut docs[0]), Err(Violation::SecondFounding));
}

#[test]
fn shared_records_may_be_edited_by_any_member() {
    let mut docs = coalition();
    let issue = IssueId::from_bytes([1; 16]).to_string();
    docs[2]
        .edit_issue(
            &member(3),
            &issue.parse().unwrap(),
            IssueEdit {
                title: Some("Bus fares and routes".into()),
                description: Some("Fares rose 40% and routes were cut".into()),
                ..Default::default()
            },
            t(9),
        )
        .unwrap();
    assert_eq!(verdict(&mut docs[2]), Ok(()));
}

#[test]
fn fields_said_to_be_permanent_stay_so_in_every_record_kind() {
    let mut docs = coalition();
    let goal = GoalId::from_bytes([5; 16]);
    docs[1]
        .add_goal(
            &member(2),
            &goal,
            "Fare-free buses",
            "100".parse().unwrap(),
            "percent",
            t(5),
        )
        .unwrap();
    docs[1]
        .add_evidence(
            &member(2),
            &issue_id().parse().unwrap(),
            "Survey",
            "9% of income",
            "by race",
            t(6),
        )
        .unwrap();
    let goal = goal.to_string();
    use model::automerge::ScalarValue;
    let other = || ScalarValue::Str(member(3).as_str().into());
    for (path, field, value) in [
        (vec!["charter", "goals", goal.as_str()], "id", other()),
        (vec!["charter", "goals", goal.as_str()], "added_by", other()),
        (vec!["issues", &issue_id()], "raised_by", other()),
        (
            vec!["members", member(2).as_str()],
            "joined_at",
            ScalarValue::Timestamp(9),
        ),
        (vec!["members", member(2).as_str()], "admission", other()),
    ] {
        let mut d = raw(&mut docs, 1, |d| {
            let o = obj(d, &path);
            d.put(&o, field, value).unwrap();
        });
        assert!(
            matches!(verdict(&mut d), Err(Violation::Permanent { .. })),
            "{path:?}/{field}: {:?}",
            verdict(&mut d)
        );
    }
    let mut d = raw(&mut docs, 1, |d| {
        let e = obj(d, &["issues", &issue_id(), "evidence"]);
        let first = model::automerge::ReadDoc::get(d, &e, 0).unwrap().unwrap().1;
        d.put(&first, "added_by", member(3).as_str()).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::Permanent { .. })));
}

#[test]
fn a_translation_is_its_authors_own_and_names_a_translatable_field_in_a_language() {
    use model::translations::{Target, key as translation_key};
    let mut docs = coalition();
    let title = Target::IssueTitle(issue_id().parse().unwrap());
    let es: translations::Language = "es".parse().unwrap();
    // Through the model: its own translation passes, twice (the second replaces the first).
    let mut d = docs[1].fork_as(key(2));
    d.translate(&member(2), &title, &es, "Pasajes del autobús", false, t(50))
        .unwrap();
    d.translate(&member(2), &title, &es, "Tarifas del autobús", true, t(51))
        .unwrap();
    assert_eq!(verdict(&mut d), Ok(()));
    let read = d.translations();
    assert_eq!(read.len(), 1);
    assert_eq!(
        (read[0].text.as_str(), read[0].machine, &read[0].by),
        ("Tarifas del autobús", true, &member(2))
    );
    // The model refuses a field that holds nothing, or no field at all.
    let description = Target::ProposalText(proposal().parse().unwrap());
    assert!(
        d.translate(&member(2), &description, &es, "Nada", false, t(52))
            .is_err()
    );

    // Written by hand into another member's record: refused, as any write there.
    let mut d = raw(&mut docs, 1, |d| {
        let m = obj(d, &["members", member(1).as_str()]);
        let tr = d.put_object(&m, "translations", ObjType::Map).unwrap();
        let e = d
            .put_object(&tr, translation_key(&title, &es).as_str(), ObjType::Map)
            .unwrap();
        d.put(&e, "text", "Forjado").unwrap();
        d.put(&e, "machine", false).unwrap();
        d.put(&e, "at", 60i64).unwrap();
    });
    let err = verdict(&mut d).unwrap_err();
    assert!(
        matches!(&err, Violation::NotOwner { owner, .. } if owner == member(1).as_str()),
        "{err}"
    );
    // In its own record: a key that names no translatable field, or no language, is refused,
    // and so is a value of the wrong type or a record missing a field.
    let own = |f: &dyn Fn(&mut model::automerge::AutoCommit, &model::automerge::ObjId)| {
        let mut docs = coalition();
        raw(&mut docs, 1, |d| {
            let m = obj(d, &["members", member(2).as_str()]);
            let tr = d.put_object(&m, "translations", ObjType::Map).unwrap();
            f(d, &tr);
        })
    };
    for bad_key in [
        format!("issues/{}/status@es", issue_id()),
        format!("issues/{}/title@spanish", issue_id()),
        format!("issues/{}/title", issue_id()),
    ] {
        let mut d = own(&|d, tr| {
            let e = d.put_object(tr, bad_key.as_str(), ObjType::Map).unwrap();
            d.put(&e, "text", "x").unwrap();
            d.put(&e, "machine", false).unwrap();
            d.put(&e, "at", 60i64).unwrap();
        });
        let err = verdict(&mut d).unwrap_err();
        assert!(
            err.to_string().contains("not a valid key"),
            "{bad_key}: {err}"
        );
    }
    let k = translation_key(&title, &es);
    let mut d = own(&|d, tr| {
        let e = d.put_object(tr, k.as_str(), ObjType::Map).unwrap();
        d.put(&e, "text", "x").unwrap();
        d.put(&e, "machine", "yes").unwrap();
        d.put(&e, "at", 60i64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::BadValue { .. })));
    let mut d = own(&|d, tr| {
        let e = d.put_object(tr, k.as_str(), ObjType::Map).unwrap();
        d.put(&e, "text", "x").unwrap();
        d.put(&e, "at", 60i64).unwrap();
    });
    assert!(verdict(&mut d).is_err(), "a translation without `machine`");
    let mut d = own(&|d, tr| {
        let e = d.put_object(tr, k.as_str(), ObjType::Map).unwrap();
        d.put(&e, "text", "x".repeat(20_001)).unwrap();
        d.put(&e, "machine", false).unwrap();
        d.put(&e, "at", 60i64).unwrap();
    });
    assert!(matches!(verdict(&mut d), Err(Violation::BadValue { .. })));
}

#[test]
fn translations_made_at_once_by_one_members_two_nodes_are_both_read() {
    use model::translations::Target;
    let mut docs = coalition();
    let title = Target::IssueTitle(issue_id().parse().unwrap());
    let description = Target::IssueDescription(issue_id().parse().unwrap());
    let es: translations::Language = "es".parse().unwrap();
    // The member's second node, under a device key of its own.
    docs[1].add_device_key(&member(2), key(7), t(40)).unwrap();
    let mut a = docs[1].fork_as(key(2));
    let mut b = docs[1].fork_as(key(7));
    a.translate(&member(2), &title, &es, "Tarifas", false, t(50))
        .unwrap();
    b.translate(
        &member(2),
        &description,
        &es,
        "Subieron un 40%",
        false,
        t(51),
    )
    .unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(verdict(&mut a), Ok(()));
    let read = a.translations();
    assert_eq!(read.len(), 2, "{read:?}");
}

#[test]
fn a_translation_leaves_governance_as_it_is_states_its_changes_time_and_is_never_anothers_at_admission()
 {
    use model::translations::{Target, digest, key as translation_key};
    let mut docs = coalition();
    let title = Target::IssueTitle(issue_id().parse().unwrap());
    let es: translations::Language = "es".parse().unwrap();

    // Judged alone, a translation changes nothing governance is derived from.
    let mut d = docs[1].fork_as(key(2));
    d.translate(&member(2), &title, &es, "Tarifas", false, t(50))
        .unwrap();
    let am = d.automerge_mut();
    let changes = am.get_changes(&[]);
    let mut v = model::rules::Validator::new(false);
    v.check(am, changes.last().unwrap()).unwrap();
    assert!(
        !v.governance_changed(),
        "a translation is no change of governance (nor a reason to greet peers again)"
    );

    // Its time is its change's (each raw change here states time 0): a translation dated at
    // the end of time, which would win over every other, is refused.
    let k = translation_key(&title, &es);
    let dated = |docs: &mut [CoalitionDoc], at: ScalarValue| {
        raw(docs, 1, |d| {
            let m = obj(d, &["members", member(2).as_str()]);
            let tr = d.put_object(&m, "translations", ObjType::Map).unwrap();
            let e = d.put_object(&tr, k.as_str(), ObjType::Map).unwrap();
            d.put(&e, "text", "Tarifas").unwrap();
            d.put(&e, "machine", false).unwrap();
            d.put(&e, "at", at).unwrap();
            d.put(&e, "of", digest("Bus fares")).unwrap();
        })
    };
    let mut late = dated(&mut docs, ScalarValue::Timestamp(i64::MAX));
    match verdict(&mut late) {
        Err(Violation::BadValue { why, .. }) => assert!(why.contains("time"), "{why}"),
        other => panic!("a translation dated after its change: {other:?}"),
    }
    let mut honest = dated(&mut docs, ScalarValue::Timestamp(999));
    assert_eq!(verdict(&mut honest), Ok(()));

    // A member admitting another cannot write translations in the newcomer's name.
    let admit = |docs: &mut [CoalitionDoc], with_translation: bool| {
        raw(docs, 0, |d| {
            let members = obj(d, &["members"]);
            let m = d
                .put_object(&members, member(4).as_str(), ObjType::Map)
                .unwrap();
            d.put(&m, "id", member(4).as_str()).unwrap();
            d.put(&m, "name", "Newcomer").unwrap();
            for list in ["communities", "languages", "accessibility", "flagged"] {
                d.put_object(&m, list, ObjType::List).unwrap();
            }
            d.put(&m, "contact", "").unwrap();
            let keys = d.put_object(&m, "keys", ObjType::List).unwrap();
            d.insert(&keys, 0, key(4).to_string()).unwrap();
            d.put(&m, "joined_at", 0i64).unwrap();
            if with_translation {
                let tr = d.put_object(&m, "translations", ObjType::Map).unwrap();
                let e = d.put_object(&tr, k.as_str(), ObjType::Map).unwrap();
                d.put(&e, "text", "Forjado").unwrap();
                d.put(&e, "machine", false).unwrap();
                d.put(&e, "at", 0i64).unwrap();
                d.put(&e, "of", digest("Bus fares")).unwrap();
            }
        })
    };
    let mut plain = admit(&mut docs, false);
    assert_eq!(verdict(&mut plain), Ok(()), "the admission itself is valid");
    let mut planted = admit(&mut docs, true);
    match verdict(&mut planted) {
        Err(Violation::BadRecord { why, .. }) => assert!(why.contains("translation"), "{why}"),
        other => panic!("a newcomer's record holding a translation: {other:?}"),
    }
}

#[test]
fn a_meeting_from_before_check_ins_reads_and_its_new_lists_are_typed_bounded_and_fixed() {
    let meeting = "0123456789abcdef0123456789abcdef";
    let make =
        |docs: &mut [CoalitionDoc],
         extra: &dyn Fn(&mut model::automerge::AutoCommit, &model::automerge::ObjId)| {
            raw(docs, 1, |d| {
                let meetings = obj(d, &["meetings"]);
                let m = d.put_object(&meetings, meeting, ObjType::Map).unwrap();
                d.put(&m, "id", meeting).unwrap();
                d.put(&m, "day", "2026-11-20").unwrap();
                d.put(&m, "facilitator", member(2).as_str()).unwrap();
                for list in ["attendance", "agenda", "decisions"] {
                    d.put_object(&m, list, ObjType::List).unwrap();
                }
                d.put(&m, "minutes", "").unwrap();
                d.put(&m, "recorded_by", member(2).as_str()).unwrap();
                extra(d, &m);
            })
        };
    // As a node of the earlier layout wrote it: no check-ins, time boxes or access plan.
    let mut docs = coalition();
    let mut old = make(&mut docs, &|_, _| {});
    assert_eq!(verdict(&mut old), Ok(()));
    let read = old.read().unwrap();
    assert!(read.unreadable.is_empty(), "{:?}", read.unreadable);
    assert!(
        read.meetings
            .values()
            .all(|m| m.checkins.is_empty() && m.access.is_empty())
    );
    // A time box is a whole number without sign (what reads back), at most a day.
    for bad in [
        ScalarValue::Int(5),
        ScalarValue::Uint(2000),
        ScalarValue::Str("5".into()),
    ] {
        let mut docs = coalition();
        let mut d = make(&mut docs, &|d, m| {
            let boxes = d.put_object(m, "timeboxes", ObjType::List).unwrap();
            d.insert(&boxes, 0, bad.clone()).unwrap();
        });
        assert!(
            matches!(verdict(&mut d), Err(Violation::BadValue { .. })),
            "a time box of {bad:?}"
        );
    }
    // Its lists are bounded on receipt.
    let mut docs = coalition();
    let mut long = make(&mut docs, &|d, m| {
        let boxes = d.put_object(m, "timeboxes", ObjType::List).unwrap();
        for i in 0..(MAX_LIST + 1) {
            d.insert(&boxes, i, 5u64).unwrap();
        }
    });
    match verdict(&mut long) {
        Err(Violation::BadValue { why, .. }) => assert!(why.contains("at most"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Once written, nobody rewrites who spoke.
    let mut docs = coalition();
    let mut d = docs[1].fork_as(key(2));
    d.add_meeting(
        &member(2),
        NewMeeting {
            id: meeting.parse().unwrap(),
            day: "2026-11-20".parse().unwrap(),
            facilitator: member(2),
            attendance: vec![member(2), member(3)],
            agenda: vec![],
            minutes: String::new(),
            decisions: vec![],
            checkins: vec![member(3)],
            timeboxes: vec![],
        },
        t(60),
    )
    .unwrap();
    docs[1] = d;
    let mut rewritten = raw(&mut docs, 1, |d| {
        let checkins = obj(d, &["meetings", meeting, "checkins"]);
        d.insert(&checkins, 1, member(2).as_str()).unwrap();
    });
    assert!(matches!(
        verdict(&mut rewritten),
        Err(Violation::Permanent { .. })
    ));
}

#[test]
fn meeting_times_are_proposed_and_answered_each_in_its_own_record() {
    let mut docs = coalition();
    let plan = MeetingId::from_bytes([7; 16]);
    let mut d = docs[1].fork_as(key(2));
    d.propose_times(
        &member(2),
        &plan,
        "Fare campaign",
        &[t(5_000), t(9_000)],
        t(50),
    )
    .unwrap();
    // The plan reaches member 3, which answers it.
    docs[2].merge(&mut d).unwrap();
    let mut e = docs[2].fork_as(key(3));
    e.answer_times(
        &member(3),
        &member(2),
        &plan,
        &[model::Answer::No, model::Answer::Yes],
        t(60),
    )
    .unwrap();
    assert!(
        e.answer_times(&member(3), &member(2), &plan, &[model::Answer::Yes], t(61))
            .is_err(),
        "one answer per time"
    );
    assert_eq!(verdict(&mut e), Ok(()));
    let plans = e.plans();
    assert_eq!(plans.len(), 1);
    assert_eq!(
        plans[0].answers[&member(3)],
        [model::Answer::No, model::Answer::Yes]
    );
    let best = model::plans::best_times(&plans[0], &[member(1), member(2), member(3)]);
    assert_eq!(best[0].slot, t(9_000));
    assert_eq!(best[1].left_out, [member(3)]);
    // Nobody answers in another member's name, or proposes in it.
    docs[1] = d;
    let mut forged = raw(&mut docs, 2, |d| {
        let m = obj(d, &["members", member(1).as_str()]);
        let a = d.put_object(&m, "availability", ObjType::Map).unwrap();
        let k = model::plans::answer_key(&member(2), &plan);
        let e = d.put_object(&a, k.as_str(), ObjType::Map).unwrap();
        let answers = d.put_object(&e, "answers", ObjType::List).unwrap();
        d.insert(&answers, 0, "yes").unwrap();
        d.insert(&answers, 1, "yes").unwrap();
        d.put(&e, "at", 0i64).unwrap();
    });
    assert!(matches!(
        verdict(&mut forged),
        Err(Violation::NotOwner { .. })
    ));
    // A plan is never written over: its times are what members answered.
    let mut rewritten = raw(&mut docs, 1, |d| {
        let plans = obj(d, &["members", member(2).as_str(), "plans"]);
        let p = d.put_object(&plans, plan.as_str(), ObjType::Map).unwrap();
        d.put(&p, "title", "Fare campaign").unwrap();
        let slots = d.put_object(&p, "slots", ObjType::List).unwrap();
        d.insert(&slots, 0, ScalarValue::Timestamp(1_000)).unwrap();
        d.insert(&slots, 1, ScalarValue::Timestamp(2_000)).unwrap();
        d.put(&p, "at", 0i64).unwrap();
    });
    assert!(matches!(
        verdict(&mut rewritten),
        Err(Violation::Permanent { .. })
    ));
    // Answers given to other times than the plan's (their digest) do not count.
    let mut other = raw(&mut docs, 2, |d| {
        let m = obj(d, &["members", member(3).as_str()]);
        let a = d.put_object(&m, "availability", ObjType::Map).unwrap();
        let k = model::plans::answer_key(&member(2), &plan);
        let e = d.put_object(&a, k.as_str(), ObjType::Map).unwrap();
        let answers = d.put_object(&e, "answers", ObjType::List).unwrap();
        d.insert(&answers, 0, "yes").unwrap();
        d.insert(&answers, 1, "yes").unwrap();
        d.put(&e, "at", 0i64).unwrap();
        d.put(&e, "of", model::translations::digest("other times"))
            .unwrap();
    });
    assert_eq!(verdict(&mut other), Ok(()));
    assert!(other.plans()[0].answers.is_empty(), "not counted");
}
