//! A national question counted with its affiliates' mandate positions: only positions
//! answering a call the national coalition published on that question count, only on a
//! question with a closing time, and each affiliate's latest position made and carried in
//! before the close and `ANSWERS_WITHIN`; once decided, nothing carried in later and no link
//! changed after the close changes the count.

use model::federation::{
    self, Cosign, Counts, MandatePosition, Position, Roster, RosterMember, Signed, Statement,
    StatementId, Value,
};
use model::reports::affiliates::{ANSWERS_WITHIN, answers_until, mandates};
use model::statements::{Stated, Topic, asked_of, statement_at};
use model::*;

use crate::common::*;
use crate::{by, keyed_three, new, pid, public, t};

/// The affiliate whose positions are counted.
const REGION: [u8; 16] = [0x52; 16];
/// The national coalition.
const NATION: [u8; 16] = [9; 16];

fn signed(s: &Statement, secrets: &[u8]) -> Signed {
    let mut signed = Signed::new(s).unwrap();
    for secret in secrets {
        signed.sign(&[*secret; 32]).unwrap();
    }
    signed
}

/// The region's first roster: members 1, 2 and 3 (keys from secrets `[i; 32]`).
fn region_roster() -> Signed {
    signed(&roster_of(0, None, 1, 3), &[1, 2])
}

/// The region's second roster, listing members 1 to `members`, stating `as_of` seconds,
/// signed by two of the first's three.
fn second_roster(as_of: i64, members: u8) -> Signed {
    let first = region_roster().id();
    signed(&roster_of(1, Some(first), as_of, members), &[1, 2])
}

/// The region's roster following version `under` (replacing `supersedes`), stating `as_of`
/// seconds, listing members 1 to `members`.
fn roster_of(under: u64, supersedes: Option<StatementId>, as_of: i64, members: u8) -> Statement {
    Statement {
        format: federation::FORMAT,
        coalition: REGION,
        roster: under,
        as_of: t(as_of).as_millis(),
        heads: vec![],
        sequence: under + 1,
        supersedes: supersedes.map(|s| s.0),
        value: Value::Roster(Roster {
            members: (1..=members)
                .map(|s| RosterMember {
                    member: [s; 16],
                    name: format!("Region org {s}"),
                    keys: vec![*public(s).as_bytes()],
                })
                .collect(),
        }),
    }
}

/// The region's position `position` on `question`, answering `call`, its `sequence`th on
/// the question, stating `as_of` seconds; signed by one member (the link takes one).
fn position(
    call: StatementId,
    question: ProposalId,
    sequence: u64,
    as_of: i64,
    position: Position,
) -> Signed {
    let s = Statement {
        format: federation::FORMAT,
        coalition: REGION,
        roster: 1,
        as_of: t(as_of).as_millis(),
        heads: vec![],
        sequence,
        supersedes: None,
        value: Value::Mandate(MandatePosition {
            question: question.to_bytes(),
            caller: NATION,
            call: call.0,
            proposal: [0x71; 16],
            position,
            counts: Counts {
                agree: 2,
                abstain: 0,
                disagree: 0,
                block: 0,
            },
        }),
    };
    signed(&s, &[1])
}

/// The national coalition's terms with the region: weight 5, calls down,
/// mandate positions up, one signer each way.
fn region_terms() -> model::schema::LinkTerms {
    model::schema::LinkTerms {
        coalition: CoalitionId::from_bytes(REGION),
        name: "Coastal Housing Coalition".into(),
        relation: LinkRelation::Affiliate,
        publish: vec![SharedKind::Call],
        tags: vec![],
        goals: vec![],
        pools: vec![],
        threshold: 1,
        accept: vec![SharedKind::Mandate],
        their_threshold: 1,
        roster: Some(region_roster().id().hex()),
        weight: Some(5),
    }
}

/// The national coalition's terms ending its link with the region.
fn ended() -> model::schema::LinkTerms {
    model::schema::LinkTerms {
        relation: LinkRelation::End,
        publish: vec![],
        accept: vec![],
        roster: None,
        weight: None,
        ..region_terms()
    }
}

/// The national coalition's link proposal `id` on `terms`, made and passed by all three at
/// `at` seconds.
fn link(doc: &mut CoalitionDoc, id: ProposalId, terms: model::schema::LinkTerms, at: i64) {
    by(doc, 1, |d| {
        d.propose_link(
            &member(1),
            NewProposal {
                kind: DecisionKind::Link,
                closes_at: Some(t(at + 1000)),
                ..new(id.clone(), "Link with the Coastal Housing Coalition")
            },
            terms,
            t(at),
        )
        .unwrap()
    });
    for who in 1..=3 {
        by(doc, who, |d| {
            d.take_position(&member(who), &id, Stance::Agree, "", t(at + 1))
                .unwrap()
        });
    }
}

/// A national coalition of three (real keys) that takes the region as an affiliate of
/// weight 5 (calls down, mandate positions up, one signer each way), has published its
/// roster, and asks the question `pid(2)` (closing at `t(100)`) with a call it published; the
/// region's roster carried in. Also `pid(3)`, a question with no call.
fn nation() -> (CoalitionDoc, StatementId) {
    nation_weighing(Some(5))
}

/// [`nation`], the region weighing `weight` (none: its members).
fn nation_weighing(weight: Option<u64>) -> (CoalitionDoc, StatementId) {
    let mut doc = keyed_three(NATION, "National Housing Alliance");
    let terms = model::schema::LinkTerms {
        weight,
        ..region_terms()
    };
    link(&mut doc, pid(1), terms, 2);
    for (id, closes) in [(pid(2), Some(t(100))), (pid(3), None)] {
        by(&mut doc, 1, |d| {
            d.new_proposal(
                &member(1),
                NewProposal {
                    kind: DecisionKind::General,
                    closes_at: closes,
                    ..new(id, "Back the national rent cap")
                },
                t(4),
            )
            .unwrap()
        });
    }
    // Its roster (two of three sign), then the call on pid(2) (one signs).
    let heads = doc.heads();
    let stated = |roster, as_of| Stated {
        as_of: t(as_of),
        roster,
        sequence: 1,
        supersedes: None,
    };
    let roster = statement_at(&mut doc, &heads, &Topic::Roster, stated(0, 5)).unwrap();
    let call = statement_at(&mut doc, &heads, &Topic::Call(pid(2)), stated(1, 5)).unwrap();
    for (statement, signers) in [(roster, &[1u8, 2][..]), (call.clone(), &[1u8][..])] {
        let id = by(&mut doc, 1, |d| {
            d.draft_statement(&member(1), &statement, t(6)).unwrap()
        });
        for who in signers {
            by(&mut doc, *who, |d| {
                let cosign = Cosign::sign(&[*who; 32], &id);
                d.cosign_statement(&member(*who), &id, &cosign, t(7))
                    .unwrap()
            });
        }
    }
    let call = Signed::new(&call).unwrap().id();
    assert_eq!(carry(&mut doc, &[region_roster()], 8), vec![Offer::Stored]);
    (doc, call)
}

/// Member 2 carries `items` in at `at` seconds.
fn carry(doc: &mut CoalitionDoc, items: &[Signed], at: i64) -> Vec<Offer> {
    by(doc, 2, |d| {
        d.receive_statements(&member(2), items, t(at))
            .unwrap()
            .into_iter()
            .map(|(_, o)| o)
            .collect()
    })
}

/// `question` counted with the region (asked, weighing 5) at `now` seconds: the region's
/// position, and the outcome with when it was decided.
fn counted(doc: &CoalitionDoc, question: &ProposalId, now: i64) -> Counted {
    let read = doc.read_at(t(now)).unwrap();
    let p = &read.proposals[question];
    let asked = asked_of(doc, &read, 3, Some(p), t(now)).unwrap();
    let m = mandates(&asked, &read.id, question.to_bytes(), p, t(now));
    let [line] = m.lines.as_slice() else {
        panic!("one affiliate: {m:?}");
    };
    assert_eq!(line.weight, 5);
    (
        line.position.as_ref().map(|(p, _)| p.position),
        m.outcome.map(|t| t.outcome),
        m.decided_at,
    )
}

/// [`nation`] with the region's answer against carried in after the close, and its count
/// once decided (checked a week and a second after the close).
fn answered_against() -> (CoalitionDoc, Counted) {
    let (mut doc, call) = nation();
    let answer = position(call, pid(2), 1, 100, Position::Against);
    assert_eq!(carry(&mut doc, &[answer], 110), vec![Offer::Stored]);
    let decided = (
        Some(Position::Against),
        Some(Outcome::Failed),
        Some(answers_until(t(100))),
    );
    assert_eq!(
        counted(&doc, &pid(2), 100 + ANSWERS_WITHIN / 1000 + 1),
        decided
    );
    (doc, decided)
}

/// The region's position counted, and the outcome with when it was decided.
type Counted = (Option<Position>, Option<Outcome>, Option<Timestamp>);

#[test]
fn only_a_position_answering_a_call_published_on_the_question_counts() {
    let (mut doc, call) = nation();
    let read = doc.read().unwrap();
    let asked = asked_of(&doc, &read, 3, Some(&read.proposals[&pid(2)]), t(9)).unwrap();
    assert_eq!(
        asked.calls[&CoalitionId::from_bytes(REGION)]
            .get(&call)
            .map(|c| c.question),
        Some(pid(2).to_bytes()),
        "the call is published to the region"
    );
    // A call a member drafts by hand after the close (its node refuses to build one), signed
    // by as many as the link asks: published, but it asks nothing.
    let heads = doc.heads();
    let stated = Stated {
        as_of: t(50),
        roster: 1,
        sequence: 2,
        supersedes: Some(call.0),
    };
    let late = statement_at(&mut doc, &heads, &Topic::Call(pid(2)), stated).unwrap();
    let late = federation::Statement {
        as_of: t(150).as_millis(),
        ..late
    };
    let late_id = by(&mut doc, 1, |d| {
        d.draft_statement(&member(1), &late, t(150)).unwrap()
    });
    by(&mut doc, 1, |d| {
        let cosign = Cosign::sign(&[1; 32], &late_id);
        d.cosign_statement(&member(1), &late_id, &cosign, t(150))
            .unwrap()
    });
    let after = Stated {
        as_of: t(150),
        ..stated
    };
    let e = statement_at(&mut doc, &heads, &Topic::Call(pid(2)), after).unwrap_err();
    assert!(e.to_string().contains("a call after the close"), "{e}");
    let honest = position(call, pid(2), 1, 20, Position::For);
    // Signed by the region's member, so stored: a call never made, and the call on pid(2)
    // put to pid(3).
    let never_asked = position(StatementId([3; 32]), pid(2), 2, 21, Position::Against);
    let other_question = position(call, pid(3), 1, 21, Position::Against);
    let answering_late = position(late_id, pid(2), 3, 151, Position::Against);
    assert_eq!(
        carry(
            &mut doc,
            &[honest, never_asked, other_question, answering_late],
            160
        ),
        vec![Offer::Stored; 4]
    );
    // Counted: the honest position (5 for of 8, majority), open until a week after the close.
    assert_eq!(
        counted(&doc, &pid(2), 170),
        (Some(Position::For), Some(Outcome::Open), None)
    );
    // On pid(3), which has no closing time and was never asked: no affiliate is a party to
    // it, so nothing is counted and there is no outcome counting both.
    let read = doc.read_at(t(40)).unwrap();
    let asked = asked_of(&doc, &read, 3, None, t(40)).unwrap();
    let m = mandates(
        &asked,
        &read.id,
        pid(3).to_bytes(),
        &read.proposals[&pid(3)],
        t(40),
    );
    assert!(m.lines.is_empty() && m.outcome.is_none(), "{m:?}");
}

#[test]
fn positions_count_by_when_they_were_carried_in_until_a_week_after_the_close() {
    let (mut doc, call) = nation();
    let week = ANSWERS_WITHIN / 1000;
    // For, carried before the close; against, decided at the close and carried in the
    // week after it.
    let first = position(call, pid(2), 1, 20, Position::For);
    assert_eq!(carry(&mut doc, &[first], 30), vec![Offer::Stored]);
    let second = position(call, pid(2), 2, 100, Position::Against);
    assert_eq!(
        carry(&mut doc, &[second], 100 + week / 2),
        vec![Offer::Stored]
    );
    // Before the week ends: the latest carried in counts, open.
    assert_eq!(
        counted(&doc, &pid(2), 100 + week / 2),
        (Some(Position::Against), Some(Outcome::Open), None)
    );
    // A position dated back before the close but carried in after the week: not counted.
    let late = position(call, pid(2), 3, 50, Position::For);
    assert_eq!(
        carry(&mut doc, &[late], 100 + week + 1),
        vec![Offer::Stored]
    );
    // Decided a week after the close, by what was carried in by then: 5 against of 8.
    let (region, outcome, at) = counted(&doc, &pid(2), 100 + week + 2);
    assert_eq!(
        (region, outcome, at),
        (
            Some(Position::Against),
            Some(Outcome::Failed),
            Some(answers_until(t(100)))
        )
    );
}

#[test]
fn a_position_made_after_the_week_does_not_count_whatever_carry_time_is_stated() {
    let (mut doc, call) = nation();
    let week = ANSWERS_WITHIN / 1000;
    let first = position(call, pid(2), 1, 20, Position::For);
    assert_eq!(carry(&mut doc, &[first], 30), vec![Offer::Stored]);
    // Made (its signers say) after the week, carried in by a member stating a time within
    // it: both would have to lie for it to count.
    let late = position(call, pid(2), 2, 100 + week + 10, Position::Against);
    assert_eq!(
        carry(&mut doc, &[late], 100 + week / 2),
        vec![Offer::Stored]
    );
    assert_eq!(
        counted(&doc, &pid(2), 100 + week + 20),
        (
            Some(Position::For),
            Some(Outcome::Passed),
            Some(answers_until(t(100)))
        )
    );
}

#[test]
fn a_link_ended_after_the_close_changes_no_count() {
    let (mut doc, decided) = answered_against();
    let week = ANSWERS_WITHIN / 1000;
    // The link ends after the close (within the week, counted after it): who was asked, with
    // what weight, is what the links said at the close.
    link(&mut doc, pid(4), ended(), 200);
    assert_eq!(counted(&doc, &pid(2), 100 + week + 1), decided);
    // The weight raised after the close: still 5.
    let heavier = model::schema::LinkTerms {
        weight: Some(50),
        ..region_terms()
    };
    link(&mut doc, pid(5), heavier, 300);
    assert_eq!(counted(&doc, &pid(2), 100 + week + 1), decided);
    // Read without a question, as of now: once the link ends, none takes mandate positions.
    link(&mut doc, pid(6), ended(), 400);
    let read = doc.read_at(t(500)).unwrap();
    assert!(asked_of(&doc, &read, 3, None, t(500)).is_none());
    assert_eq!(counted(&doc, &pid(2), 100 + week + 1), decided);
}

#[test]
fn a_silent_affiliate_weighs_the_roster_it_had_when_answers_stopped_counting() {
    let week = ANSWERS_WITHIN / 1000;
    // The region's second roster, four members.
    let second = second_roster(100 + week / 2, 4);
    let silent_weight = |carried: i64| {
        let (mut doc, _) = nation_weighing(None);
        assert_eq!(
            carry(&mut doc, std::slice::from_ref(&second), carried),
            vec![Offer::Stored]
        );
        let now = t(100 + 2 * week);
        let read = doc.read_at(now).unwrap();
        let p = &read.proposals[&pid(2)];
        let asked = asked_of(&doc, &read, 3, Some(p), now).unwrap();
        let m = mandates(&asked, &read.id, pid(2).to_bytes(), p, now);
        assert!(
            m.outcome.is_some_and(|t| t.outcome != Outcome::Open),
            "{m:?}"
        );
        (m.lines[0].weight, m.silent)
    };
    // Carried in within the week: it weighs its four members.
    assert_eq!(silent_weight(100 + week / 2), (4, 4));
    // Carried in after the count was decided: it still weighs the three it had.
    assert_eq!(silent_weight(100 + week + 5), (3, 3));
}

#[test]
fn a_roster_carried_in_after_the_week_changes_no_count() {
    let (mut doc, decided) = answered_against();
    let week = ANSWERS_WITHIN / 1000;
    // After the count, the region's majority signs a second roster dated back before its
    // position (which makes that position stale), carried in after the week.
    assert_eq!(
        carry(&mut doc, &[second_roster(50, 2)], 100 + week + 5),
        vec![Offer::Stored]
    );
    assert_eq!(counted(&doc, &pid(2), 100 + week + 10), decided);
}

#[test]
fn what_a_node_publishes_on_a_decided_count_is_what_a_co_signer_builds_after_a_link_changed() {
    let (mut doc, _) = answered_against();
    let week = ANSWERS_WITHIN / 1000;
    // After the close the link is reweighted and publishes decisions too.
    let heavier = model::schema::LinkTerms {
        weight: Some(50),
        publish: vec![SharedKind::Call, SharedKind::Decision],
        ..region_terms()
    };
    link(&mut doc, pid(5), heavier, 300);
    let now = t(100 + week + 1);
    let shared = model::publishing::shared_now(&mut doc, now).unwrap();
    let published = shared
        .items
        .iter()
        .find(|(topic, _)| *topic == Topic::Decision(pid(2)))
        .map(|(_, value)| value.clone())
        .expect("the decided count is published");
    let Value::Decision(facts) = &published else {
        panic!("a decision: {published:?}");
    };
    // The region weighs 5, as its link said at the close.
    assert_eq!(facts.counts.disagree, 5, "{facts:?}");
    assert_eq!(facts.outcome, "failed");
    let heads = doc.heads();
    let stated = Stated {
        as_of: now,
        roster: 1,
        sequence: 1,
        supersedes: None,
    };
    let built = statement_at(&mut doc, &heads, &Topic::Decision(pid(2)), stated).unwrap();
    assert_eq!(built.value, published, "a co-signer builds the same");
}
