//! Reading one proposal alone, a record's history and restoring an earlier value, and the
//! power audit and facilitation rotation reports.

use model::*;

use crate::common::*;
use crate::{act, new, pid, t, three, vote};

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
            checkins: vec![],
            timeboxes: vec![],
        },
        t(2),
    )
    .unwrap();
    let next = reports::next_facilitator(&doc.read().unwrap()).unwrap();
    assert_ne!(next, member(1).to_string());
}

#[test]
fn a_meeting_keeps_its_check_ins_time_boxes_and_the_access_plan_of_those_present() {
    let mut doc = three();
    for (m, langs, needs) in [
        (1, vec!["English", "Spanish"], vec!["Step-free venue"]),
        (2, vec!["Spanish"], vec!["Childcare", "step-free venue"]),
        (3, vec!["Vietnamese"], vec![]),
    ] {
        let mut d = doc.fork_as(NodeKey::from_bytes([m; 32]));
        d.update_profile(
            &member(m),
            ProfileUpdate {
                languages: Some(langs.into_iter().map(Into::into).collect()),
                accessibility: Some(needs.into_iter().map(Into::into).collect()),
                ..Default::default()
            },
            t(10 + i64::from(m)),
        )
        .unwrap();
        doc.merge(&mut d).unwrap();
    }
    let meeting = |checkins: Vec<MemberId>, timeboxes: Vec<u64>| NewMeeting {
        id: MeetingId::from_bytes([3; 16]),
        day: "2026-01-05".parse().unwrap(),
        facilitator: member(1),
        attendance: vec![member(1), member(2), member(3)],
        agenda: vec!["Check-in".into(), "Fares".into()],
        minutes: String::new(),
        decisions: vec![],
        checkins,
        timeboxes,
    };
    // A check-in by a member not present, or more time boxes than agenda items: refused.
    let mut absent = meeting(vec![member(1)], vec![]);
    absent.attendance = vec![member(2)];
    assert!(doc.add_meeting(&member(1), absent, t(20)).is_err());
    assert!(
        doc.add_meeting(&member(1), meeting(vec![], vec![10, 20, 30]), t(20))
            .is_err()
    );
    assert!(
        doc.add_meeting(&member(1), meeting(vec![], vec![2000]), t(20))
            .is_err()
    );
    doc.add_meeting(
        &member(1),
        meeting(
            vec![member(2), member(1), member(3), member(2)],
            vec![10, 45],
        ),
        t(20),
    )
    .unwrap();
    let m = doc.read().unwrap().meetings.into_values().next().unwrap();
    assert_eq!(
        m.checkins,
        [member(2), member(1), member(3)],
        "in order, once each"
    );
    assert_eq!(m.timeboxes, [10, 45]);
    let plan: Vec<(AccessKind, &str, usize)> = m
        .access
        .iter()
        .map(|n| (n.kind, n.what.as_str(), n.asked_by.len()))
        .collect();
    assert_eq!(
        plan,
        [
            (AccessKind::Interpretation, "Vietnamese", 1),
            (AccessKind::Access, "Step-free venue", 2),
            (AccessKind::Childcare, "Childcare", 1),
        ]
    );
}
