//! Amendments: one that passes becomes the next charter version with who agreed; a blocked
//! one changes nothing, and a block needs its reason, from a modified node too.

use model::automerge::ObjType;
use model::automerge::transaction::Transactable;
use model::rules::Violation;
use model::schema::Amendment;
use model::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three, vote};

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

/// Member 2's modified node blocks `proposal` with a blank `reason` at `at`, as a position of
/// its own (made anew, over any earlier one).
fn blocked_without_a_reason(
    doc: &mut CoalitionDoc,
    proposal: &ProposalId,
    reason: &str,
    at: i64,
) -> CoalitionDoc {
    let mut forged = doc.fork_as(key(2));
    let am = forged.automerge_mut();
    let positions = obj(am, &["proposals", proposal.as_str(), "positions"]);
    let p = am
        .put_object(&positions, member(2).as_str(), ObjType::Map)
        .unwrap();
    am.put(&p, "stance", "block").unwrap();
    am.put(&p, "reason", reason).unwrap();
    am.put(&p, "at", t(at).as_millis()).unwrap();
    // Stated at the position's time, as an edit states it.
    am.commit_with(
        model::automerge::transaction::CommitOptions::default().with_time(t(at).as_secs()),
    );
    forged
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
    let mut forged = blocked_without_a_reason(&mut doc, &pid(1), " ", 3);
    let err = verdict(&mut forged).unwrap_err();
    assert!(
        err.to_string().contains("a block carries a reason"),
        "{err}"
    );
    // A reason of characters that draw nothing is no reason for an edit here; on receipt it
    // passes, as it did on older nodes (refusing it now would split nodes of two versions).
    let invisible = "\u{200b}\u{2800} \u{3164}";
    let mut forged = blocked_without_a_reason(&mut doc, &pid(1), invisible, 3);
    assert_eq!(verdict(&mut forged), Ok(()));
    let mut mine = doc.fork_as(key(2));
    assert!(matches!(
        mine.take_position(&member(2), &pid(1), Stance::Block, invisible, t(3)),
        Err(EditError::BlockWithoutReason)
    ));
}

/// On an amendment, whose positions the rules carry from the operations once they read them,
/// a block without a reason is refused alike: as a first position (read), made anew over an
/// earlier one, and written over an earlier one field by field (carried, where `verdict`
/// judges the history in one batch).
#[test]
fn a_block_without_a_reason_on_an_amendment_is_refused_from_a_modified_node() {
    let mut doc = three();
    let amend = model::schema::Amendment {
        add_values: vec!["solidarity".into()],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Values"), amend, t(2))
        .unwrap();
    let refused = |mut forged: CoalitionDoc| {
        let err = verdict(&mut forged).unwrap_err();
        assert!(
            err.to_string().contains("a block carries a reason"),
            "{err}"
        );
    };
    // As a first position.
    refused(blocked_without_a_reason(&mut doc, &pid(1), " ", 3));
    // Over an earlier position, field by field.
    let mut mine = doc.fork_as(key(2));
    mine.take_position(&member(2), &pid(1), Stance::Abstain, "", t(3))
        .unwrap();
    doc.merge(&mut mine).unwrap();
    let over = |doc: &mut CoalitionDoc, fields: &[(&str, &str)]| {
        let mut forged = doc.fork_as(key(2));
        let am = forged.automerge_mut();
        let (proposal, me) = (pid(1), member(2));
        let p = obj(
            am,
            &["proposals", proposal.as_str(), "positions", me.as_str()],
        );
        for (field, value) in fields {
            am.put(&p, *field, *value).unwrap();
        }
        am.commit();
        forged
    };
    // A position made anew over the earlier one, with an empty reason.
    refused(blocked_without_a_reason(&mut doc, &pid(1), "", 4));
    // Its stance alone written over.
    refused(over(&mut doc, &[("stance", "block")]));
    // With a reason, it stands.
    let mut forged = over(
        &mut doc,
        &[("stance", "block"), ("reason", "we are nonpartisan")],
    );
    verdict(&mut forged).unwrap();
}

/// Weights: an amendment weighs member 2 three and member 3 two in general decisions; a
/// poll opened after it carries those weights, counts each ballot that many times, and lets
/// a heavier member give that many shares of a budget; an amendment that has not passed
/// weighs nobody, and a weight back to one is no weight.
#[test]
fn a_passed_amendment_weighs_members_in_the_polls_opened_after_it() {
    let mut doc = three();
    let weigh = |text: &str| -> model::schema::WeightChange { text.parse().unwrap() };
    let amend = Amendment {
        weights: vec![
            weigh(&format!("general:{}=3", member(2))),
            weigh(&format!("general:{}=2", member(3))),
        ],
        ..Default::default()
    };
    doc.propose_amendment(
        &member(1),
        new(pid(1), "By people represented"),
        amend,
        t(2),
    )
    .unwrap();
    let poll = |id: ProposalId, method: &str, asks: Vec<Amount>| {
        (
            NewProposal {
                id,
                kind: DecisionKind::General,
                title: "Which banner?".into(),
                text: String::new(),
                closes_at: Some(t(90_000)),
            },
            model::schema::PollSpec {
                method: method.parse().unwrap(),
                options: vec!["Fares".into(), "Routes".into()],
                asks,
                issues: Vec::new(),
                pool: None,
                requests: Vec::new(),
                role: None,
                candidates: Vec::new(),
            },
        )
    };
    // Opened before the amendment passes: every member weighs one.
    let (n, spec) = poll(pid(2), "choose", vec![]);
    doc.open_poll(&member(1), n, spec, t(3)).unwrap();
    for who in 1..=3 {
        vote(&mut doc, who, &pid(1), Stance::Agree, 4 + i64::from(who));
    }
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 2);
    assert_eq!(c.charter.weights.general.len(), 2);
    assert_eq!(c.charter.weights.general[&member(2)], 3);
    assert_eq!(c.charter_versions["000002"].weights, c.charter.weights);
    assert!(c.proposals[pid(2).as_str()].weights.is_empty());

    let (n, spec) = poll(pid(3), "choose", vec![]);
    doc.open_poll(&member(1), n, spec, t(10)).unwrap();
    let (n, spec) = poll(
        pid(4),
        "budget:10000",
        vec!["300".parse().unwrap(), "50".parse().unwrap()],
    );
    doc.open_poll(&member(1), n, spec, t(11)).unwrap();
    for (who, pick) in [(1u8, 0usize), (2, 1), (3, 0)] {
        for p in [pid(2), pid(3)] {
            act(&mut doc, who, |d| {
                d.cast_ballot(
                    &member(who),
                    &p,
                    model::poll::Ballot::Choose([pick].into()),
                    t(20 + i64::from(who)),
                )
                .unwrap()
            });
        }
    }
    // Member 2 gives 300 of its three shares of 100; member 1 cannot give more than one.
    let give = |h: u64| model::poll::Ballot::Budget([(0, h)].into());
    act(&mut doc, 2, |d| {
        d.cast_ballot(&member(2), &pid(4), give(30_000), t(30))
            .unwrap()
    });
    act(&mut doc, 1, |d| {
        let e = d
            .cast_ballot(&member(1), &pid(4), give(10_001), t(31))
            .unwrap_err();
        assert!(e.to_string().contains("at most its share"), "{e}");
    });
    let c = doc.read().unwrap();
    let totals = |p: &ProposalId| match reports::poll_result(&c.proposals[p.as_str()]) {
        Some(model::poll::PollResult::Choose(t)) => t.totals,
        other => panic!("{other:?}"),
    };
    // Before: one each (2 for Fares, 1 for Routes); after: 1 + 2 for Fares, 3 for Routes.
    assert_eq!(totals(&pid(2)), vec![2, 1]);
    assert_eq!(totals(&pid(3)), vec![3, 3]);
    let weights = &c.proposals[pid(3).as_str()].weights;
    assert_eq!(
        weights
            .iter()
            .map(|(m, w)| (m.clone(), *w))
            .collect::<Vec<_>>(),
        vec![(member(2), 3), (member(3), 2)]
    );
    match reports::poll_result(&c.proposals[pid(4).as_str()]) {
        Some(model::poll::PollResult::Budget(b)) => assert_eq!(b.funded, vec![0]),
        other => panic!("{other:?}"),
    }
    assert_eq!(verdict(&mut doc), Ok(()));
    // Written by hand, more than one share from a member weighing one is refused on receipt,
    // and three shares from the member weighing three pass.
    for (who, hundredths, passes) in [(1u8, 10_001u64, false), (2, 30_000, true)] {
        let mut d = doc.fork_as(key(who));
        let am = d.automerge_mut();
        let ballots = obj(am, &["proposals", pid(4).as_str(), "ballots"]);
        let b = am
            .put_object(&ballots, member(who).as_str(), ObjType::Map)
            .unwrap();
        am.put(&b, "ballot", format!("budget:1={hundredths}"))
            .unwrap();
        am.put(&b, "at", t(35).as_millis()).unwrap();
        am.commit_with(
            model::automerge::transaction::CommitOptions::default().with_time(t(35).as_secs()),
        );
        let v = verdict(&mut d);
        assert_eq!(v.is_ok(), passes, "{who}: {v:?}");
    }

    // Back to one: no weight.
    let amend = Amendment {
        weights: vec![weigh(&format!("general:{}=1", member(2)))],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(5), "Equal again"), amend, t(40))
        .unwrap();
    for who in 1..=3 {
        vote(&mut doc, who, &pid(5), Stance::Agree, 41 + i64::from(who));
    }
    let c = doc.read().unwrap();
    assert_eq!(
        c.charter
            .weights
            .general
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        vec![member(3)]
    );
    assert_eq!(verdict(&mut doc), Ok(()));
}

/// A weight out of bounds, or one member's weight changed twice in one amendment, is refused
/// by the model.
#[test]
fn weights_are_bounded() {
    let mut doc = three();
    for text in [
        "general:M=0",
        "general:M=1000001",
        "general:M=x",
        "sometimes:M=2",
        "general=2",
    ] {
        let text = text.replace('M', member(2).as_str());
        assert!(
            text.parse::<model::schema::WeightChange>().is_err(),
            "{text}"
        );
    }
    let w = model::schema::WeightChange {
        kind: DecisionKind::General,
        member: member(2),
        weight: 0,
    };
    let amend = Amendment {
        weights: vec![w.clone()],
        ..Default::default()
    };
    let e = doc
        .propose_amendment(&member(1), new(pid(1), "Nobody"), amend, t(2))
        .unwrap_err();
    assert!(e.to_string().contains("a weight is from 1"), "{e}");
    let twice = Amendment {
        weights: vec![
            model::schema::WeightChange {
                weight: 2,
                ..w.clone()
            },
            model::schema::WeightChange {
                weight: 3,
                ..w.clone()
            },
        ],
        ..Default::default()
    };
    let e = doc
        .propose_amendment(&member(1), new(pid(1), "Twice"), twice, t(2))
        .unwrap_err();
    assert!(e.to_string().contains("changed twice"), "{e}");
    let elsewhere = Amendment {
        weights: vec![model::schema::WeightChange {
            kind: DecisionKind::Amendment,
            weight: 2,
            ..w.clone()
        }],
        ..Default::default()
    };
    let e = doc
        .propose_amendment(&member(1), new(pid(1), "Elsewhere"), elsewhere, t(2))
        .unwrap_err();
    assert!(e.to_string().contains("only general decisions"), "{e}");
    // (Written by hand: `rules::polls::a_proposal_carries_the_charters_weights`.)
}

#[test]
fn a_rule_naming_a_poll_method_makes_its_kinds_decisions_polls_by_it() {
    let mut doc = three();
    // Only general decisions can be polls: a rule for another kind names no poll method.
    for change in [
        "amendment=ranked",
        "membership=stv:2",
        "public-statement=budget",
        "admission=dots",
    ] {
        let e = change.parse::<model::schema::RuleChange>().unwrap_err();
        assert!(e.to_string().contains("decided by positions"), "{e}");
    }
    let sneaked = Amendment {
        rules: vec![model::schema::RuleChange {
            kind: RuleKind::Amendment,
            rule: Some(Rule::by_poll("ranked".parse().unwrap(), Fraction::HALF)),
        }],
        ..Default::default()
    };
    let e = doc
        .propose_amendment(&member(1), new(pid(9), "Sneaked"), sneaked, t(2))
        .unwrap_err();
    assert!(e.to_string().contains("decided by positions"), "{e}");

    let amend = Amendment {
        rules: vec![rule("general=ranked@2/3")],
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new(pid(1), "Ranked choice"), amend, t(2))
        .unwrap();
    for who in 1..=3 {
        vote(&mut doc, who, &pid(1), Stance::Agree, 2 + i64::from(who));
    }
    let c = doc.read().unwrap();
    assert_eq!(c.charter.version, 2);
    assert_eq!(c.charter.rules.general.to_string(), "ranked@2/3");
    assert_eq!(c.charter_versions["000002"].rules, c.charter.rules);

    // A general decision is now a ranked poll: not positions, not another method.
    let general = |id| NewProposal {
        id,
        kind: DecisionKind::General,
        title: "Which banner?".into(),
        text: String::new(),
        closes_at: Some(t(90_000)),
    };
    let spec = |method: &str| model::schema::PollSpec {
        method: method.parse().unwrap(),
        options: vec!["Fares".into(), "Routes".into()],
        asks: Vec::new(),
        issues: Vec::new(),
        pool: None,
        requests: Vec::new(),
        role: None,
        candidates: Vec::new(),
    };
    let e = doc
        .new_proposal(&member(1), general(pid(2)), t(10))
        .unwrap_err();
    assert!(e.to_string().contains("by ranked polls"), "{e}");
    let e = doc
        .open_poll(&member(1), general(pid(2)), spec("choose"), t(10))
        .unwrap_err();
    assert!(e.to_string().contains("counted by choose:1-1"), "{e}");
    doc.open_poll(&member(1), general(pid(2)), spec("ranked"), t(10))
        .unwrap();
    let c = doc.read().unwrap();
    assert_eq!(c.proposals[pid(2).as_str()].rule.to_string(), "ranked@2/3");
    // Other kinds keep deciding by positions.
    doc.propose_amendment(
        &member(1),
        new(pid(3), "A value"),
        Amendment {
            add_values: vec!["solidarity".into()],
            ..Default::default()
        },
        t(11),
    )
    .unwrap();
    assert_eq!(verdict(&mut doc), Ok(()));

    // Written by hand from a modified node, a general proposal under the charter's rule
    // without a poll, or with another method, is refused on receipt.
    for method in [None, Some("choose")] {
        let h = crate::ByHand {
            id: pid(4),
            kind: "general",
            quorum: "2/3",
            rule_poll: Some("ranked"),
            closes: 90_000,
            subject: None,
        };
        let mut d = crate::by_hand(&mut doc, h, |am, p| match method {
            None => am.put(p, "poll", ()).unwrap(),
            Some(m) => {
                let poll = am.put_object(p, "poll", ObjType::Map).unwrap();
                am.put(
                    &poll,
                    "method",
                    m.parse::<model::poll::PollMethod>().unwrap().to_string(),
                )
                .unwrap();
                let list = am.put_object(&poll, "options", ObjType::List).unwrap();
                am.insert(&list, 0, "Fares").unwrap();
                am.insert(&list, 1, "Routes").unwrap();
                am.put_object(&poll, "asks", ObjType::List).unwrap();
                am.put_object(&poll, "issues", ObjType::List).unwrap();
            }
        });
        let err = verdict(&mut d).unwrap_err();
        assert!(
            matches!(&err, Violation::BadRecord { .. })
                && err.to_string().contains("by ranked polls"),
            "{method:?}: {err}"
        );
    }
}
