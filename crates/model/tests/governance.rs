//! Governance derived from the record: amendments become charter versions, removals and
//! departures end write rights, admission can be a vote; the same on every node whatever
//! order changes arrive in. Every honest history here also passes the validator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::schema::{Amendment, RuleChange};
use model::*;
use proptest::prelude::*;

mod common;
use common::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_700_000_000_000 + ms * 1000)
}

fn pid(n: u8) -> ProposalId {
    ProposalId::from_bytes([0x60 + n; 16])
}

/// Three members; member 1 founded the coalition and admitted 2 and 3.
fn three() -> CoalitionDoc {
    three_members(t(0), t(1))
}

fn new(id: ProposalId, title: &str) -> NewProposal {
    NewProposal {
        id,
        kind: DecisionKind::Amendment,
        title: title.into(),
        text: String::new(),
        closes_at: None,
    }
}

fn rule(text: &str) -> RuleChange {
    text.parse().unwrap()
}

/// Member `who`'s node makes an edit (signed with its own key), which then reaches `doc`.
fn act<T>(doc: &mut CoalitionDoc, who: u8, f: impl FnOnce(&mut CoalitionDoc) -> T) -> T {
    let mut mine = doc.fork_as(key(who));
    let out = f(&mut mine);
    doc.merge(&mut mine).unwrap();
    out
}

fn vote(doc: &mut CoalitionDoc, who: u8, p: &ProposalId, stance: Stance, at: i64) {
    let reason = if stance == Stance::Block {
        "harms us"
    } else {
        ""
    };
    act(doc, who, |d| {
        d.take_position(&member(who), p, stance, reason, t(at))
            .unwrap()
    });
}

#[test]
fn a_passed_amendment_becomes_the_next_version_with_who_agreed() {
    let mut doc = three();
    let amend = Amendment {
        add_values: vec!["language justice".into()],
        rules: vec![rule("amendment=super-majority:2/3@1/2")],
        ..Default::default()
    };
    act(&mut doc, 2, |d| {
        d.propose_amendment(&member(2), new(pid(1), "Super-majority"), amend, t(2))
            .unwrap()
    });
    vote(&mut doc, 1, &pid(1), Stance::Agree, 3);
    vote(&mut doc, 2, &pid(1), Stance::Agree, 4);
    // Consensus needs all three: still open, still version 1.
    assert_eq!(doc.read().unwrap().charter.version, 1);
    vote(&mut doc, 3, &pid(1), Stance::Agree, 5);
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 2);
    assert_eq!(c.charter.values, vec!["language justice".to_owned()]);
    assert_eq!(
        c.charter.rules.amendment.to_string(),
        "super-majority:2/3@1/2"
    );
    let v2 = &c.charter_versions["000002"];
    assert_eq!(v2.proposal.as_ref(), Some(&pid(1)));
    assert_eq!(v2.agreed_by.len(), 3);
    assert_eq!(v2.ratified_at, t(5));

    // The next amendment carries the new rule and passes with two of three.
    let amend = Amendment {
        frame: Some("Fare-free, accessible buses".into()),
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(2), "New frame"), amend, t(6))
        .unwrap();
    let p = &doc.read().unwrap().proposals[pid(2).as_str()];
    assert_eq!(p.rule.to_string(), "super-majority:2/3@1/2");
    vote(&mut doc, 1, &pid(2), Stance::Agree, 7);
    vote(&mut doc, 3, &pid(2), Stance::Disagree, 8);
    vote(&mut doc, 2, &pid(2), Stance::Agree, 9);
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 3);
    assert_eq!(c.charter.frame.as_str(), "Fare-free, accessible buses");
    assert_eq!(
        c.charter_versions["000003"].agreed_by,
        vec![member(1).to_string(), member(2).to_string()]
    );
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn a_blocked_amendment_fails_with_its_reason_and_changes_nothing() {
    let mut doc = three();
    let amend = Amendment {
        add_commitments: vec!["no police partnerships".into()],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Commitment"), amend, t(2))
        .unwrap();
    vote(&mut doc, 2, &pid(1), Stance::Block, 3);
    let c = doc.read().unwrap();
    let p = &c.proposals[pid(1).as_str()];
    assert_eq!(reports::proposal_tally(p, t(4)).outcome, Outcome::Blocked);
    assert_eq!(p.positions[member(2).as_str()].reason, "harms us");
    assert_eq!(c.charter.version, 1);
    assert!(c.charter.commitments.is_empty());
    // Decided: nobody's position can change it now, locally or from a modified node.
    let err = act(&mut doc, 2, |d| {
        d.take_position(&member(2), &pid(1), Stance::Agree, "", t(5))
            .unwrap_err()
    });
    assert!(err.to_string().contains("already blocked"), "{err}");
    let mut forged = doc.fork_as(key(2));
    let am = forged.automerge_mut();
    let mine = obj(
        am,
        &[
            "proposals",
            pid(1).as_str(),
            "positions",
            member(2).as_str(),
        ],
    );
    am.put(&mine, "stance", "agree").unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut forged),
        Err(Violation::Decided { .. })
    ));
}

#[test]
fn a_removed_member_loses_write_rights_from_its_removal() {
    let mut doc = three();
    doc.propose_removal(
        &member(1),
        &member(3),
        NewProposal {
            kind: DecisionKind::Membership,
            ..new(pid(1), "")
        },
        t(2),
    )
    .unwrap();
    let c = doc.read().unwrap();
    let p = &c.proposals[pid(1).as_str()];
    assert_eq!(p.title, "Remove Org 3");
    assert_eq!(p.rule.to_string(), "consensus@1/2");
    // The member concerned takes no part.
    assert_eq!(
        p.electorate,
        vec![member(1).to_string(), member(2).to_string()]
    );
    vote(&mut doc, 1, &pid(1), Stance::Agree, 3);
    let mut before = doc.fork_as(key(3));
    vote(&mut doc, 2, &pid(1), Stance::Agree, 4);
    let c = doc.read().unwrap();
    assert!(!c.members.contains_key(member(3).as_str()));
    assert_eq!(
        c.former_members[member(3).as_str()].status.as_str(),
        "removed"
    );
    assert_eq!(verdict(&mut doc), Ok(()));

    // Its node, having seen its removal, can no longer edit.
    let mut removed = doc.fork_as(key(3));
    let err = removed
        .update_profile(&member(3), ProfileUpdate::default(), t(5))
        .unwrap_err();
    assert!(matches!(err, EditError::NotAMember { .. }), "{err}");
    // A modified node writing anyway on top of its removal is refused.
    let am = removed.automerge_mut();
    let me = obj(am, &["members", member(3).as_str()]);
    am.put(&me, "contact", "still here").unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut removed),
        Err(Violation::NotAMember { .. })
    ));
    // What it wrote before it knew of its removal is concurrent with it, and stays.
    before
        .update_profile(
            &member(3),
            ProfileUpdate {
                contact: Some("x".into()),
                ..Default::default()
            },
            t(4),
        )
        .unwrap();
    doc.merge(&mut before).unwrap();
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn a_member_that_leaves_writes_nothing_more() {
    let mut doc = three();
    act(&mut doc, 2, |d| d.leave(&member(2), t(2)).unwrap());
    let c = doc.read().unwrap();
    assert_eq!(c.members.len(), 2);
    assert_eq!(c.former_members[member(2).as_str()].status.as_str(), "left");
    let err = act(&mut doc, 2, |d| d.leave(&member(2), t(3)).unwrap_err());
    assert!(matches!(err, EditError::NotAMember { .. }), "{err}");
    // New proposals no longer count it.
    doc.new_proposal(
        &member(1),
        NewProposal {
            kind: DecisionKind::General,
            ..new(pid(1), "March")
        },
        t(3),
    )
    .unwrap();
    assert_eq!(
        doc.read().unwrap().proposals[pid(1).as_str()]
            .electorate
            .len(),
        2
    );
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn admission_can_be_made_a_vote() {
    let mut doc = three();
    let amend = Amendment {
        rules: vec![rule("admission=majority@1/2")],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Admission by vote"), amend, t(2))
        .unwrap();
    for (m, at) in [(1, 3), (2, 4), (3, 5)] {
        vote(&mut doc, m, &pid(1), Stance::Agree, at);
    }
    let err = doc
        .admit_member(&member(1), &member(4), &profile("Org 4"), key(4), t(6))
        .unwrap_err();
    assert!(err.to_string().contains("by vote"), "{err}");
    let vote_id = doc
        .admit_by_rule(
            &member(1),
            &member(4),
            &profile("Org 4"),
            key(4),
            &pid(2),
            t(6),
        )
        .unwrap();
    assert_eq!(vote_id, Some(pid(2)));
    let c = doc.read().unwrap();
    assert_eq!(
        c.former_members[member(4).as_str()].status.as_str(),
        "pending"
    );
    assert_eq!(c.proposals[pid(2).as_str()].electorate.len(), 3);
    let mut pending = doc.fork_as(key(4));
    assert!(
        pending
            .update_profile(&member(4), ProfileUpdate::default(), t(7))
            .is_err()
    );
    vote(&mut doc, 1, &pid(2), Stance::Agree, 7);
    vote(&mut doc, 2, &pid(2), Stance::Agree, 8);
    let c = doc.read().unwrap();
    assert!(c.members.contains_key(member(4).as_str()));
    assert_eq!(verdict(&mut doc), Ok(()));
    // An invite alone no longer admits: a modified node writing a plain record is refused.
    let mut forged = doc.fork_as(key(1));
    let am = forged.automerge_mut();
    let members = obj(am, &["members"]);
    let m = am
        .put_object(&members, member(5).as_str(), ObjType::Map)
        .unwrap();
    am.put(&m, "id", member(5).as_str()).unwrap();
    am.put(&m, "name", "Org 5").unwrap();
    am.put(&m, "contact", "").unwrap();
    for list in ["communities", "languages", "accessibility"] {
        am.put_object(&m, list, ObjType::List).unwrap();
    }
    let keys = am.put_object(&m, "keys", ObjType::List).unwrap();
    am.insert(&keys, 0, key(5).to_string()).unwrap();
    am.put(&m, "joined_at", 9i64).unwrap();
    am.commit();
    let err = verdict(&mut forged).unwrap_err();
    assert!(err.to_string().contains("by vote"), "{err}");
}

#[test]
fn one_proposal_reads_alone_as_in_the_whole_coalition() {
    let mut doc = three();
    act(&mut doc, 1, |d| {
        let general = NewProposal {
            kind: DecisionKind::General,
            ..new(pid(1), "Adopt the fare campaign")
        };
        d.new_proposal(&member(1), general, t(2)).unwrap()
    });
    vote(&mut doc, 2, &pid(1), Stance::Agree, 3);
    let whole = doc.read().unwrap();
    assert_eq!(
        doc.proposal(&pid(1)).unwrap().as_ref(),
        whole.proposals.get(pid(1).as_str())
    );
    assert_eq!(doc.proposal(&pid(2)).unwrap(), None);
    assert_eq!(doc.record_ids("proposals"), vec![pid(1).to_string()]);
    assert!(doc.record_ids("nothing").is_empty());
}

#[test]
fn history_shows_who_changed_what_and_restores_an_earlier_value() {
    let mut doc = three();
    let issue = IssueId::from_bytes([0x42; 16]);
    doc.add_issue(
        &member(1),
        NewIssue {
            id: issue.clone(),
            title: "Bus fares".into(),
            description: "Fares rose 40%".into(),
            tags: vec![],
            lead: None,
        },
        t(2),
    )
    .unwrap();
    let mut other = doc.fork_as(key(2));
    let edit = IssueEdit {
        description: Some("Fares rose 40% in two years".into()),
        ..Default::default()
    };
    other.edit_issue(&member(2), &issue, edit, t(3)).unwrap();
    doc.merge(&mut other).unwrap();
    let _ = &mut other;
    let h = doc.history(Some(issue.as_str())).unwrap();
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[1].member.as_ref(), Some(&member(2)));
    assert_eq!(h[1].message, "edit issue");
    assert_eq!(h[1].fields, vec![format!("issues/{issue}/description")]);
    let first = h[0].change.clone();
    act(&mut doc, 3, |d| {
        d.restore(
            &member(3),
            issue.as_str(),
            "description",
            first.parse().unwrap(),
            t(4),
        )
        .unwrap()
    });
    let c = doc.read().unwrap();
    assert_eq!(
        c.issues[issue.as_str()].description.as_str(),
        "Fares rose 40%"
    );
    assert_eq!(doc.history(Some(issue.as_str())).unwrap().len(), 3);
    let err = act(&mut doc, 3, |d| {
        d.restore(
            &member(3),
            issue.as_str(),
            "raised_by",
            first.parse().unwrap(),
            t(5),
        )
        .unwrap_err()
    });
    assert!(err.to_string().contains("title, description"), "{err}");
    assert_eq!(verdict(&mut doc), Ok(()));
}

#[test]
fn the_power_audit_flags_a_member_above_the_charters_share() {
    let mut doc = three();
    for i in 0..3 {
        doc.new_proposal(
            &member(1),
            NewProposal {
                kind: DecisionKind::General,
                ..new(pid(i), &format!("P{i}"))
            },
            t(2 + i64::from(i)),
        )
        .unwrap();
    }
    vote(&mut doc, 2, &pid(0), Stance::Block, 6);
    let report = reports::power(&doc.read().unwrap(), t(7));
    let one = report
        .members
        .iter()
        .find(|r| r.member == member(1).as_str())
        .unwrap();
    assert_eq!((one.proposals_authored, one.share_authored), (3, 100.0));
    assert_eq!(one.flags, vec!["proposals"]);
    let two = report
        .members
        .iter()
        .find(|r| r.member == member(2).as_str())
        .unwrap();
    assert_eq!((two.positions, two.open_to, two.blocks), (1, 3, 1));
    assert_eq!(report.flagged, vec![member(1).to_string()]);
}

#[test]
fn facilitation_rotates_to_the_member_with_fewest_turns() {
    let mut doc = three();
    let c = doc.read().unwrap();
    assert_eq!(c.charter.roles.facilitator_rotation.len(), 3);
    assert_eq!(reports::next_facilitator(&c), Some(member(1)));
    doc.add_meeting(
        &member(1),
        NewMeeting {
            id: MeetingId::from_bytes([3; 16]),
            day: "2026-01-05".parse().unwrap(),
            facilitator: member(1),
            attendance: vec![],
            agenda: vec![],
            minutes: String::new(),
            decisions: vec![],
        },
        t(2),
    )
    .unwrap();
    let next = reports::next_facilitator(&doc.read().unwrap()).unwrap();
    assert_ne!(next, member(1).to_string());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// Three nodes vote and amend concurrently; however their copies are merged, every node
    /// derives the same charter versions, membership and outcomes.
    #[test]
    fn governance_is_independent_of_arrival_order(
        stances in proptest::collection::vec(0u8..4, 6),
        order in Just(vec![0usize, 1, 2]).prop_shuffle(),
    ) {
        let mut base = three();
        base.propose_amendment(&member(1), new(pid(1), "A"), Amendment {
            rules: vec![rule("general=consent@1/2")], ..Default::default()
        }, t(2)).unwrap();
        act(&mut base, 2, |d| d.propose_amendment(&member(2), new(pid(2), "B"), Amendment {
            add_values: vec!["solidarity".into()], ..Default::default()
        }, t(2)).unwrap());
        let mut copies: Vec<CoalitionDoc> = (1..=3).map(|i| base.fork_as(key(i))).collect();
        let all = [Stance::Agree, Stance::Abstain, Stance::Disagree, Stance::Block];
        for (i, s) in stances.iter().enumerate() {
            let who = (i % 3) as u8 + 1;
            let p = if i < 3 { pid(1) } else { pid(2) };
            let stance = all[usize::from(*s)];
            let reason = if stance == Stance::Block { "no" } else { "" };
            let _ = copies[usize::from(who) - 1].take_position(&member(who), &p, stance, reason, t(3 + i as i64));
        }
        let mut merged: Vec<Coalition> = Vec::new();
        for first in [0usize, 1, 2] {
            let mut doc = copies[order[first]].fork_as(key(9));
            for i in &order {
                let mut other = copies[*i].fork_as(key(9));
                doc.merge(&mut other).unwrap();
            }
            prop_assert_eq!(verdict(&mut doc), Ok(()));
            merged.push(doc.read().unwrap());
        }
        prop_assert_eq!(&merged[0].charter, &merged[1].charter);
        prop_assert_eq!(&merged[1].charter, &merged[2].charter);
        prop_assert_eq!(&merged[0].charter_versions, &merged[2].charter_versions);
        prop_assert_eq!(&merged[0].members, &merged[2].members);
    }
}

#[test]
fn a_member_adds_and_revokes_its_own_device_keys() {
    let mut doc = three();
    act(&mut doc, 2, |d| {
        d.add_device_key(&member(2), key(22), t(2)).unwrap()
    });
    assert_eq!(doc.member_for_key(key(22)).unwrap(), member(2));
    // The second device acts for member 2.
    act(&mut doc, 22, |d| {
        d.update_profile(
            &member(2),
            ProfileUpdate {
                contact: Some("laptop two".into()),
                ..Default::default()
            },
            t(3),
        )
        .unwrap()
    });
    assert_eq!(verdict(&mut doc), Ok(()));
    // Each key's certification and work, read from the history.
    let m2 = doc.read().unwrap().members[member(2).as_str()].clone();
    let activity = doc.key_activity(&m2);
    assert_eq!(activity.len(), 2);
    assert_eq!(activity[0].key, key(2));
    assert_eq!(
        activity[0].added,
        Some(m2.joined_at),
        "the key it joined with"
    );
    assert_eq!(activity[1].key, key(22));
    assert_eq!(activity[1].added, Some(t(2)));
    assert_eq!(activity[1].changes, 1);
    assert_eq!(activity[1].last_change, Some(t(3)));
    // Another member's key cannot be claimed, nor the last key revoked.
    let err = act(&mut doc, 2, |d| {
        d.add_device_key(&member(2), key(1), t(4)).unwrap_err()
    });
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = act(&mut doc, 3, |d| {
        d.revoke_device_key(&member(3), key(3), t(4)).unwrap_err()
    });
    assert!(err.to_string().contains("at least one"), "{err}");
    act(&mut doc, 2, |d| {
        d.revoke_device_key(&member(2), key(22), t(5)).unwrap()
    });
    // What the revoked device signs afterwards is refused.
    let mut revoked = contact_written(&mut doc, 22, 2, "stolen laptop");
    assert!(matches!(
        verdict(&mut revoked),
        Err(Violation::NotAMember { .. })
    ));
}

/// A copy of `doc` where key `k` wrote `contact` into member `m`'s record directly (no edit
/// checks: as a modified node could).
fn contact_written(doc: &mut CoalitionDoc, k: u8, m: u8, contact: &str) -> CoalitionDoc {
    let mut hostile = doc.fork_as(key(k));
    let am = hostile.automerge_mut();
    let me = obj(am, &["members", member(m).as_str()]);
    am.put(&me, "contact", contact).unwrap();
    am.commit();
    hostile
}

/// Member 3's node writes something with its key, made on `doc` as it stands.
fn written_by_3(doc: &mut CoalitionDoc, contact: &str) -> CoalitionDoc {
    contact_written(doc, 3, 3, contact)
}

#[test]
fn a_key_flagged_by_two_other_members_writes_nothing_after_seeing_the_flags() {
    let mut doc = three();
    // Member 3 may not flag its own key, nor a key of no member.
    let err = act(&mut doc, 3, |d| {
        d.flag_key(&member(3), key(3), t(2)).unwrap_err()
    });
    assert!(err.to_string().contains("your own"), "{err}");
    let err = act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(42), t(2)).unwrap_err()
    });
    assert!(matches!(err, EditError::Unknown { .. }), "{err}");
    // Flagging what a node found skips, rather than refuses, its own and unknown keys.
    let skipped = act(&mut doc, 3, |d| {
        d.flag_keys(&member(3), &[key(3), key(42)], t(2)).unwrap()
    });
    assert_eq!(skipped, 0);
    // One flag is not enough: no single member silences another's key.
    act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(3), t(2)).unwrap()
    });
    act(&mut doc, 1, |d| {
        d.flag_key(&member(1), key(3), t(3)).unwrap()
    }); // twice: no-op
    let mut one = written_by_3(&mut doc, "after one flag");
    assert_eq!(verdict(&mut one), Ok(()));
    // Concurrent with the second flag: made without seeing it, accepted everywhere alike.
    let mut concurrent = written_by_3(&mut doc, "concurrent");
    act(&mut doc, 2, |d| {
        d.flag_key(&member(2), key(3), t(4)).unwrap()
    });
    let mut merged = doc.fork_as(key(9));
    merged.merge(&mut concurrent).unwrap();
    assert_eq!(verdict(&mut merged), Ok(()));
    let read = doc.read().unwrap();
    assert_eq!(read.members[&member(1)].flagged, vec![key(3)]);
    assert_eq!(read.members[&member(2)].flagged, vec![key(3)]);
    // The count reports show is the one the rules take.
    let by = model::governance::flaggers(&read.members, Some(&member(3)), &key(3));
    assert_eq!(by, vec![&member(1), &member(2)]);
    assert!(doc.in_force(t(5)).unwrap().flagged(key(3).as_bytes()));
    assert!(!doc.in_force(t(5)).unwrap().flagged(key(2).as_bytes()));
    // After both flags: refused, on every node, whatever else it depends on.
    let mut after = written_by_3(&mut merged, "after both flags");
    assert!(matches!(
        verdict(&mut after),
        Err(Violation::KeyFlagged { .. })
    ));
    // Member 3's own node, once it holds both flags, is told so rather than writing on.
    let mut own = doc.fork_as(key(3));
    let err = own
        .update_profile(
            &member(3),
            ProfileUpdate {
                contact: Some("still here".into()),
                ..Default::default()
            },
            t(6),
        )
        .unwrap_err();
    assert!(matches!(err, EditError::KeyFlagged { .. }), "{err}");
    // A new member cannot arrive with flags already (a member admitting another could
    // otherwise supply a second flag in its name).
    let mut admitting = doc.fork_as(key(1));
    let am = admitting.automerge_mut();
    let members = obj(am, &["members"]);
    let newcomer = MemberId::from_bytes([0x44; 16]);
    let record = model::schema::Member {
        id: newcomer.clone(),
        name: "Puppet".into(),
        communities: vec![],
        languages: vec![],
        accessibility: vec![],
        contact: String::new(),
        keys: vec![key(44)],
        joined_at: t(7),
        left_at: None,
        admission: None,
        flagged: vec![key(2)],
    };
    autosurgeon::reconcile_prop(am, &members, newcomer.as_str(), &record).unwrap();
    am.commit();
    let err = verdict(&mut admitting).unwrap_err();
    assert!(err.to_string().contains("flagged no key"), "{err}");
    // On receipt too: a member flags another member's key, once.
    for (flag, why) in [
        (key(3), "flagged already"),
        (key(1), "its own"),
        (key(42), "no member's"),
    ] {
        let mut forged = doc.fork_as(key(1));
        let am = forged.automerge_mut();
        let mine = obj(am, &["members", member(1).as_str(), "flagged"]);
        am.insert(&mine, 1, flag.to_string()).unwrap();
        am.commit();
        let err = verdict(&mut forged).unwrap_err();
        assert!(
            matches!(err, Violation::BadRecord { .. }) && err.to_string().contains(why),
            "{err}"
        );
    }
    // Nor can a member make its key list (or its flags) again, whose items would then go
    // unjudged: claiming another member's key that way would silence it.
    for field in ["keys", "flagged"] {
        let mut forged = doc.fork_as(key(1));
        let am = forged.automerge_mut();
        let me = obj(am, &["members", member(1).as_str()]);
        let list = am.put_object(&me, field, ObjType::List).unwrap();
        am.insert(&list, 0, key(1).to_string()).unwrap();
        am.insert(&list, 1, key(2).to_string()).unwrap();
        am.commit();
        assert!(
            matches!(verdict(&mut forged), Err(Violation::Permanent { .. })),
            "{field}"
        );
    }
    // A member cannot write another's flags.
    let mut forged = doc.fork_as(key(1));
    let am = forged.automerge_mut();
    let theirs = obj(am, &["members", member(2).as_str(), "flagged"]);
    am.insert(&theirs, 1, key(1).to_string()).unwrap();
    am.commit();
    assert!(matches!(
        verdict(&mut forged),
        Err(Violation::NotOwner { .. })
    ));
}

#[test]
fn a_block_without_a_reason_is_refused_from_a_modified_node() {
    let mut doc = three();
    doc.new_proposal(
        &member(1),
        NewProposal {
            kind: DecisionKind::General,
            ..new(pid(1), "March")
        },
        t(2),
    )
    .unwrap();
    let mut forged = doc.fork_as(key(2));
    let am = forged.automerge_mut();
    let positions = obj(am, &["proposals", pid(1).as_str(), "positions"]);
    let p = am
        .put_object(&positions, member(2).as_str(), ObjType::Map)
        .unwrap();
    am.put(&p, "stance", "block").unwrap();
    am.put(&p, "reason", " ").unwrap();
    am.put(&p, "at", t(3).as_millis()).unwrap();
    am.commit();
    let err = verdict(&mut forged).unwrap_err();
    assert!(
        err.to_string().contains("a block carries a reason"),
        "{err}"
    );
}

/// One step of a coalition's life for the governance cache: records that do not govern, and
/// ones that do, made here or on another member's node and merged.
#[derive(Debug, Clone)]
enum Life {
    Issue(u8),
    General(u8, u8),
    Amend(u8, u8),
    Vote(u8, u8, u8),
    Goal(u8),
    Remove(u8, u8),
    Leave(u8),
    /// Two members' nodes edit at once (one votes, one opens an amendment); both merge.
    Together(u8, u8),
    /// More changes at once than are read through one by one.
    Many(u8),
    /// A modified node's raw write: a proposal's kind changed, the charter's rules written,
    /// or a whole collection replaced.
    Raw(u8, u8),
}

fn life() -> impl Strategy<Value = Life> {
    prop_oneof![
        any::<u8>().prop_map(Life::Issue),
        (any::<u8>(), 1u8..=3).prop_map(|(n, w)| Life::General(n, w)),
        (any::<u8>(), 1u8..=3).prop_map(|(n, w)| Life::Amend(n, w)),
        (any::<u8>(), 1u8..=3, 0u8..4).prop_map(|(p, w, s)| Life::Vote(p, w, s)),
        any::<u8>().prop_map(Life::Goal),
        (1u8..=3, 1u8..=3).prop_map(|(w, m)| Life::Remove(w, m)),
        (1u8..=3).prop_map(Life::Leave),
        (any::<u8>(), any::<u8>()).prop_map(|(p, n)| Life::Together(p, n)),
        (1u8..3).prop_map(Life::Many),
        (0u8..5, any::<u8>()).prop_map(|(k, p)| Life::Raw(k, p)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// The governance a document keeps between edits (read again only when a change may have
    /// changed it) is, after every edit, the governance read from the document whole, at
    /// that moment and later (closing times).
    #[test]
    fn the_governance_kept_between_edits_is_the_one_read_again(
        steps in proptest::collection::vec(life(), 1..30)
    ) {
        let mut doc = three();
        let mut proposals: Vec<ProposalId> = Vec::new();
        for (n, step) in steps.into_iter().enumerate() {
            let n8 = n as u8;
            let at = t(10 + n as i64);
            match step {
                Life::Issue(i) => {
                    let new = NewIssue {
                        id: IssueId::from_bytes([n8, i, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
                        title: format!("Issue {n}"),
                        description: String::new(),
                        tags: vec![],
                        lead: None,
                    };
                    let _ = doc.add_issue(&member(1), new, at);
                }
                Life::General(i, who) | Life::Amend(i, who) => {
                    let id = ProposalId::from_bytes([n8, i, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
                    let general = matches!(step, Life::General(..));
                    let made = act(&mut doc, who, |d| {
                        let mut p = new(id.clone(), &format!("Proposal {n}"));
                        p.closes_at = Some(t(10 + n as i64 + 5));
                        if general {
                            p.kind = DecisionKind::General;
                            d.new_proposal(&member(who), p, at)
                        } else {
                            let amendment = Amendment {
                                frame: Some(format!("Frame {n}")),
                                ..Default::default()
                            };
                            d.propose_amendment(&member(who), p, amendment, at)
                        }
                    });
                    if made.is_ok() {
                        proposals.push(id);
                    }
                }
                Life::Vote(p, who, s) => {
                    let Some(id) = proposals.get(usize::from(p) % proposals.len().max(1)) else {
                        continue;
                    };
                    let stance = [Stance::Agree, Stance::Abstain, Stance::Disagree, Stance::Block][usize::from(s)];
                    let reason = if stance == Stance::Block { "harms us" } else { "" };
                    let _ = act(&mut doc, who, |d| {
                        d.take_position(&member(who), id, stance, reason, at)
                    });
                }
                Life::Goal(g) => {
                    let goal = GoalId::from_bytes([n8, g, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]);
                    let target: Amount = "100".parse().unwrap();
                    let _ = doc.add_goal(&member(1), &goal, "Fare-free buses", target, "percent", at);
                }
                Life::Remove(who, m) => {
                    let id = ProposalId::from_bytes([n8, m, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]);
                    let mut p = new(id.clone(), "Remove");
                    p.kind = DecisionKind::Membership;
                    let made = act(&mut doc, who, |d| {
                        d.propose_removal(&member(who), &member(m), p, at)
                    });
                    if made.is_ok() {
                        proposals.push(id);
                    }
                }
                Life::Leave(who) => {
                    let _ = act(&mut doc, who, |d| d.leave(&member(who), at));
                }
                Life::Together(p, i) => {
                    let mut two = doc.fork_as(key(2));
                    let mut three = doc.fork_as(key(3));
                    if let Some(id) = proposals.get(usize::from(p) % proposals.len().max(1)) {
                        let _ = two.take_position(&member(2), id, Stance::Agree, "", at);
                    }
                    let id = ProposalId::from_bytes([n8, i, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
                    let amendment = Amendment {
                        frame: Some(format!("Frame {n}")),
                        ..Default::default()
                    };
                    if three
                        .propose_amendment(&member(3), new(id.clone(), "Together"), amendment, at)
                        .is_ok()
                    {
                        proposals.push(id);
                    }
                    doc.merge(&mut two).unwrap();
                    doc.merge(&mut three).unwrap();
                }
                Life::Many(k) => {
                    for m in 0..(usize::from(k) * MAX_TOUCHED_CHANGES) {
                        let mut b = [6u8; 16];
                        b[..8].copy_from_slice(&((n * 1000 + m) as u64).to_be_bytes());
                        let new = NewIssue {
                            id: IssueId::from_bytes(b),
                            title: format!("Issue {m}"),
                            description: String::new(),
                            tags: vec![],
                            lead: None,
                        };
                        let _ = doc.add_issue(&member(1), new, at);
                    }
                }
                Life::Raw(kind, p) => {
                    use model::automerge::transaction::Transactable;
                    use model::automerge::{ObjType, ROOT, ReadDoc};
                    let target = proposals.get(usize::from(p) % proposals.len().max(1)).cloned();
                    let am = doc.automerge_mut();
                    let map = |am: &mut model::automerge::AutoCommit, key: &str| {
                        match am.get(ROOT, key).unwrap() {
                            Some((model::automerge::Value::Object(ObjType::Map), obj)) => Some(obj),
                            _ => None,
                        }
                    };
                    match kind {
                        // A proposal's kind made another: it governs now, or no longer.
                        0 | 1 => {
                            let (Some(target), Some(ps)) = (target, map(am, "proposals")) else {
                                continue;
                            };
                            if let Ok(Some((_, obj))) = am.get(&ps, target.as_str()) {
                                let kind = if kind == 0 { "general" } else { "amendment" };
                                am.put(&obj, "kind", kind).unwrap();
                            }
                        }
                        // The charter's rules written.
                        2 => {
                            if let Some(charter) = map(am, "charter")
                                && let Ok(Some((_, rules))) = am.get(&charter, "rules")
                            {
                                // A valid rule (the general one) put as the amendment
                                // rule: governance still reads, and changes.
                                let general: Option<model::Rule> =
                                    autosurgeon::hydrate_prop(&*am, &rules, "general").ok();
                                if let Some(general) = general {
                                    autosurgeon::reconcile_prop(&mut *am, &rules, "amendment", general)
                                        .unwrap();
                                }
                            }
                        }
                        // A whole collection replaced by an empty map.
                        _ => {
                            let key = if kind == 3 { "proposals" } else { "members" };
                            am.put_object(ROOT, key, ObjType::Map).unwrap();
                        }
                    }
                    am.commit();
                }
            }
            // Every step leaves a governance to read (a raw write included): the cache is
            // compared with a real one, not with nothing.
            prop_assert!(model::governance::Governance::read(doc.automerge()).is_some());
            for later in [at, t(10 + n as i64 + 6), t(1_000)] {
                let read = model::governance::Governance::read(doc.automerge())
                    .map(|g| g.in_force(Timestamp::from_secs(later.as_secs())));
                prop_assert_eq!(doc.in_force(later).ok(), read);
            }
        }
    }
}
