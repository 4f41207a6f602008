//! What the rules read at past heads, counted (`rules::reads_at_past_heads`). Each such read
//! makes Automerge walk back through the history from those heads to the nearest change it
//! keeps a clock for, and a history's author can place that far away: a history where each of
//! a member's changes cost reads took quadratic time to judge (45 s for 4,000 profile edits
//! concurrent with 4,000 other edits, four times that for twice as many). So the changes a
//! member can make without limit cost no read there, or only reads of what they wrote; and
//! the governance states the rules keep along a history share what a change did not write.

use model::rules::{PastReads, Validator, reads_at_past_heads};

use super::*;

const AMENDMENT: [u8; 16] = [0x61; 16];
const GENERAL: [u8; 16] = [0x62; 16];

/// Three members; member 1 opened an amendment and a general proposal, each with `text`.
fn with_proposals(text: &str) -> CoalitionDoc {
    let mut doc = three_members(t(0), t(1));
    let proposal = |id, kind| NewProposal {
        id: ProposalId::from_bytes(id),
        kind,
        title: "Language justice".into(),
        text: text.into(),
        closes_at: None,
    };
    let amendment = model::schema::Amendment {
        add_values: vec!["language justice".into()],
        ..Default::default()
    };
    doc.propose_amendment(
        &member(1),
        proposal(AMENDMENT, DecisionKind::Amendment),
        amendment,
        t(2),
    )
    .unwrap();
    doc.new_proposal(&member(1), proposal(GENERAL, DecisionKind::General), t(3))
        .unwrap();
    doc
}

/// The reads each of member 3's changes cost when the history is judged whole, as a node
/// receiving it whole judges it, ordered against Automerge's clock cache.
fn judged_against_the_clocks(
    doc: CoalitionDoc,
    n: usize,
    edit: impl Fn(&mut CoalitionDoc, usize),
) -> Vec<PastReads> {
    let orders = clocks::orders(doc, n, edit);
    let against = judged(&orders.against, n);
    // How many reads is the same in either order; what each costs is not.
    assert_eq!(
        judged(&orders.along, n),
        against,
        "in the order of the clocks"
    );
    against
}

/// The reads each of member 3's changes cost when `order` is judged whole.
fn judged(order: &[model::automerge::Change], n: usize) -> Vec<PastReads> {
    let loaded = clocks::loaded(order);
    let mut rules = Validator::new(false);
    let mut reads = Vec::new();
    for c in loaded.clone().get_changes(&[]) {
        let before = reads_at_past_heads();
        rules.check(&loaded, &c).unwrap();
        let after = reads_at_past_heads();
        if c.actor_id() == &clocks::third().actor() {
            reads.push(PastReads {
                all: after.all - before.all,
                texts: after.texts - before.texts,
            });
        }
    }
    assert_eq!(reads.len(), n, "every change of member 3 was judged");
    reads
}

#[test]
fn a_members_profile_edits_cost_the_rules_no_read_at_past_heads() {
    let reads = judged_against_the_clocks(three_members(t(0), t(1)), 40, |doc, i| {
        let update = ProfileUpdate {
            name: Some(format!("Eastside Tenants {i}")),
            contact: Some(format!("door {i}")),
            ..Default::default()
        };
        doc.update_profile(&member(3), update, t(10 + i as i64))
            .unwrap();
    });
    assert!(
        reads.iter().all(|r| r.all == 0),
        "reads per profile edit: {reads:?}"
    );
}

/// A list of a member's profile is bounded on receipt: an edit that adds to one reads its
/// length at the change, once, and nothing else.
#[test]
fn a_members_profile_list_edits_cost_the_rules_one_read_of_its_length() {
    let reads = judged_against_the_clocks(three_members(t(0), t(1)), 40, |doc, i| {
        let update = ProfileUpdate {
            name: Some(format!("Eastside Tenants {i}")),
            communities: Some(vec![format!("renters {i}")]),
            ..Default::default()
        };
        doc.update_profile(&member(3), update, t(10 + i as i64))
            .unwrap();
    });
    assert!(
        reads.iter().all(|r| r.all == 1 && r.texts == 0),
        "reads per profile edit: {reads:?}"
    );
}

/// Positions taken again and again on `proposal`: the reads each cost.
fn positions(proposal: [u8; 16], text: &str, n: usize) -> Vec<PastReads> {
    judged_against_the_clocks(with_proposals(text), n, |doc, i| {
        let stance = if i.is_multiple_of(2) {
            Stance::Abstain
        } else {
            Stance::Agree
        };
        doc.take_position(
            &member(3),
            &ProposalId::from_bytes(proposal),
            stance,
            "",
            t(10 + i as i64),
        )
        .unwrap();
    })
}

#[test]
fn a_position_reads_neither_its_proposals_text_nor_more_as_positions_pile_up() {
    let long = "We will hold every meeting in English and Spanish. ".repeat(300);
    for proposal in [AMENDMENT, GENERAL] {
        let few = positions(proposal, &long, 4);
        let many = positions(proposal, &long, 24);
        assert!(
            many.iter().all(|r| r.texts == 0),
            "a position read its proposal's text: {many:?}"
        );
        // Whatever the proposal says and however many positions came before, a position
        // costs the same reads: the proposal's tally and the position it wrote (the first
        // finds one position fewer).
        let short = positions(proposal, "Yes.", 4);
        assert_eq!(few, short, "the reads do not depend on the text");
        assert_eq!(few[..], many[..4], "the same history, as far as it goes");
        assert!(
            many[1..].iter().all(|r| *r == many[1]),
            "the reads do not grow with the positions before: {many:?}"
        );
        assert!(many[1].all <= 40, "a position costs {:?}", many[1]);
    }
}

#[test]
fn a_position_on_a_governing_proposal_reads_its_tally_from_what_the_rules_carry() {
    let amendment = positions(AMENDMENT, "Yes.", 6);
    let general = positions(GENERAL, "Yes.", 6);
    // The general proposal's tally is read at the position's dependencies; the amendment's
    // is in the governance the rules carry (only what the position wrote is read again).
    assert!(
        amendment[0].all < general[0].all,
        "amendment {:?}, general {:?}",
        amendment[0],
        general[0]
    );
}

/// Each change that writes what governance is derived from leaves a governance state the
/// rules keep for the changes made on it: one member's 4,000 device key edits, in a
/// coalition with ten passed amendments of 19,000 characters each, took 2.2 GB to judge when
/// each state held its own copy of every proposal. The states share what the change did not
/// write: the proposals (kept without their texts) and the amendments in force.
#[test]
fn governance_states_share_the_proposals_a_change_did_not_write() {
    let mut doc = three_members(t(0), t(1));
    let id = ProposalId::from_bytes(AMENDMENT);
    let new = NewProposal {
        id: id.clone(),
        kind: DecisionKind::Amendment,
        title: "Frame".into(),
        text: "A long reasoning. ".repeat(1_000),
        closes_at: None,
    };
    let amendment = model::schema::Amendment {
        frame: Some("We organize for fare-free buses. ".repeat(500)),
        ..Default::default()
    };
    doc.propose_amendment(&member(1), new, amendment, t(2))
        .unwrap();
    for m in 1..=3 {
        let mut mine = doc.fork_as(key(m));
        mine.take_position(&member(m), &id, Stance::Agree, "", t(3))
            .unwrap();
        doc.merge(&mut mine).unwrap();
    }
    let orders = clocks::orders(doc, 6, |doc, i| {
        let at = t(10 + i as i64);
        if i.is_multiple_of(2) {
            doc.add_device_key(&member(3), key(9), at).unwrap();
        } else {
            doc.revoke_device_key(&member(3), key(9), at).unwrap();
        }
    });
    let loaded = clocks::loaded(&orders.along);
    let mut rules = Validator::new(false);
    let mut states = Vec::new();
    for c in loaded.clone().get_changes(&[]) {
        rules.check(&loaded, &c).unwrap();
        if c.actor_id() == &clocks::third().actor() {
            states.push(rules.carried_after(&[c.hash()]).unwrap());
        }
    }
    let (first, last) = (&states[0], &states[states.len() - 1]);
    assert!(
        !std::sync::Arc::ptr_eq(first, last),
        "a key added and revoked: two states"
    );
    let kept = &first.proposals[&id];
    assert!(
        kept.text.0.is_empty() && kept.amendment.is_some(),
        "kept without its text, with what it changes"
    );
    assert!(
        std::sync::Arc::ptr_eq(kept, &last.proposals[&id]),
        "the proposal is shared"
    );
    let (a, b) = (first.in_force(t(100)), last.in_force(t(100)));
    assert!(
        std::ptr::eq(
            a.decisions[0].amendment().unwrap(),
            b.decisions[0].amendment().unwrap()
        ),
        "so is the amendment in force"
    );
}

/// A member's device keys added and revoked, and the keys it flags, are carried from the
/// change's operations: no read at past heads, however many edits came before. (Each read a
/// walk back through the history: 4,000 key edits, each reading its member's record again,
/// took 12 s to judge against the clocks, and four times as long for twice as many.)
#[test]
fn a_members_key_edits_and_flags_cost_the_rules_no_read_at_past_heads() {
    let reads = judged_against_the_clocks(three_members(t(0), t(1)), 40, |doc, i| {
        let at = t(10 + i as i64);
        match i {
            0 => doc.flag_key(&member(3), key(1), at).unwrap(),
            1 => doc.flag_key(&member(3), key(2), at).unwrap(),
            _ if i.is_multiple_of(2) => doc.add_device_key(&member(3), key(9), at).unwrap(),
            _ => doc.revoke_device_key(&member(3), key(9), at).unwrap(),
        }
    });
    assert!(
        reads.iter().all(|r| r.all == 0),
        "reads per key edit: {reads:?}"
    );
}

/// Positions taken again and again on an amendment are carried from the change's
/// operations: after the first, which reads where the proposal's positions are, no read at
/// past heads. (Each read a walk back through the history: 4,000 positions took 12 s to
/// judge against the clocks, and four times as long for twice as many.)
#[test]
fn positions_on_a_governing_proposal_cost_no_read_after_the_first() {
    let reads = positions(AMENDMENT, "Yes.", 24);
    assert!(reads[0].all > 0, "the first reads the positions: {reads:?}");
    assert!(
        reads[1..].iter().all(|r| r.all == 0),
        "reads per position: {reads:?}"
    );
}

#[test]
fn positions_on_a_general_proposal_cost_no_read_after_the_first() {
    let reads = positions(GENERAL, "Yes.", 24);
    assert!(reads[0].all > 0, "the first reads the tally: {reads:?}");
    assert!(
        reads[1..].iter().all(|r| r.all == 0),
        "reads per position: {reads:?}"
    );
}

/// The verdict on each change of `doc`'s history, judged whole by one validator, as a node
/// receiving it whole judges it (the rules carrying what they read along it).
fn judged_whole(doc: &mut CoalitionDoc) -> Vec<Result<(), model::rules::Violation>> {
    let mut loaded = AutoCommit::load(&doc.save()).unwrap();
    let mut rules = Validator::new(false);
    loaded
        .get_changes(&[])
        .iter()
        .map(|c| rules.check(&loaded, c))
        .collect()
}

/// Member `n`'s modified node writes its position on `proposal` field by field over the one
/// it took, past the model's checks.
fn forged_position(
    doc: &mut CoalitionDoc,
    n: u8,
    proposal: [u8; 16],
    stance: &str,
    reason: &str,
) -> CoalitionDoc {
    let mut forged = doc.fork_as(key(n));
    let am = forged.automerge_mut();
    let id = ProposalId::from_bytes(proposal);
    let mine = obj(
        am,
        &["proposals", id.as_str(), "positions", member(n).as_str()],
    );
    am.put(&mine, "stance", stance).unwrap();
    am.put(&mine, "reason", reason).unwrap();
    am.commit();
    forged
}

/// A general proposal's tally, carried from the positions along a history judged whole,
/// decides as reading it does: a position after the proposal is blocked is refused, and so is
/// a block without a reason, whether the rules carried the tally or read it.
#[test]
fn positions_on_a_general_proposal_carried_are_judged_as_read() {
    let mut doc = with_proposals("Yes.");
    let general = ProposalId::from_bytes(GENERAL);
    for (i, (who, stance, reason)) in [
        (2, Stance::Agree, ""),
        (3, Stance::Abstain, ""),
        (2, Stance::Abstain, ""),
        (3, Stance::Agree, ""),
    ]
    .into_iter()
    .enumerate()
    {
        let mut theirs = doc.fork_as(key(who));
        theirs
            .take_position(&member(who), &general, stance, reason, t(10 + i as i64))
            .unwrap();
        doc.merge(&mut theirs).unwrap();
    }
    let honest = judged_whole(&mut doc);
    assert!(honest.iter().all(Result::is_ok), "{honest:?}");
    // A block without a reason, over member 3's position.
    let mut reasonless = forged_position(&mut doc, 3, GENERAL, "block", " ");
    let verdicts = judged_whole(&mut reasonless);
    let (last, before) = verdicts.split_last().unwrap();
    assert!(before.iter().all(Result::is_ok));
    assert!(
        matches!(last, Err(model::rules::Violation::BadRecord { why, .. }) if why.contains("reason")),
        "{last:?}"
    );
    assert_eq!(
        format!("{:?}", verdict(&mut reasonless)),
        format!("{last:?}"),
        "read at the change, as carried"
    );
    // Blocked with a reason: then member 2 changing its position is refused.
    let mut third = doc.fork_as(key(3));
    third
        .take_position(&member(3), &general, Stance::Block, "not yet", t(20))
        .unwrap();
    doc.merge(&mut third).unwrap();
    let mut after_block = forged_position(&mut doc, 2, GENERAL, "agree", "");
    let verdicts = judged_whole(&mut after_block);
    let (last, before) = verdicts.split_last().unwrap();
    assert!(before.iter().all(Result::is_ok), "{before:?}");
    assert!(
        matches!(last, Err(model::rules::Violation::Decided { .. })),
        "{last:?}"
    );
    assert_eq!(
        format!("{:?}", verdict(&mut after_block)),
        format!("{last:?}")
    );
}

/// Each change of `doc` judged alone, by a validator that reads everything at its
/// dependencies (nothing carried).
fn judged_alone(doc: &mut CoalitionDoc) -> Vec<Result<(), model::rules::Violation>> {
    let loaded = AutoCommit::load(&doc.save()).unwrap();
    loaded
        .clone()
        .get_changes(&[])
        .iter()
        .enumerate()
        .map(|(i, c)| Validator::new(i > 0).check(&loaded, c))
        .collect()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Positions on a general proposal, taken by members' nodes or written field by field by
    /// modified ones (blocks with and without reasons, after the proposal was decided or
    /// not): every change gets the same verdict judged along the whole history (the tally
    /// carried from change to change) as judged alone (the tally read at its dependencies).
    #[test]
    fn carried_tallies_judge_as_reading_does(
        steps in proptest::collection::vec((2u8..=3, 0usize..4, proptest::bool::ANY, proptest::bool::ANY), 1..8),
    ) {
        let mut doc = with_proposals("Yes.");
        let general = ProposalId::from_bytes(GENERAL);
        let stances = [Stance::Agree, Stance::Abstain, Stance::Disagree, Stance::Block];
        let names = ["agree", "abstain", "disagree", "block"];
        let mut took = [false; 4];
        for (i, (who, s, reasoned, forged)) in steps.into_iter().enumerate() {
            let reason = if reasoned { "we need more time" } else { "" };
            if forged && took[who as usize] {
                let mut f = forged_position(&mut doc, who, GENERAL, names[s], reason);
                doc.merge(&mut f).unwrap();
            } else {
                let mut theirs = doc.fork_as(key(who));
                if theirs
                    .take_position(&member(who), &general, stances[s], reason, t(10 + i as i64))
                    .is_ok()
                {
                    took[who as usize] = true;
                    doc.merge(&mut theirs).unwrap();
                }
            }
        }
        let along = judged_whole(&mut doc);
        let alone = judged_alone(&mut doc);
        proptest::prop_assert_eq!(format!("{along:?}"), format!("{alone:?}"));
    }
}

/// Positions on more general proposals in turn than the rules carry at once
/// (`governance::MOST_VOTES`): each change keeps only what it read or wrote past that bound,
/// and every verdict is the one reading gives.
#[test]
fn positions_on_many_general_proposals_in_turn_judge_as_read() {
    let mut doc = three_members(t(0), t(1));
    let ids: Vec<ProposalId> = (0..20u8)
        .map(|i| ProposalId::from_bytes([0x70 + i; 16]))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        let new = NewProposal {
            id: id.clone(),
            kind: DecisionKind::General,
            title: format!("Question {i}"),
            text: "Yes?".into(),
            closes_at: None,
        };
        doc.new_proposal(&member(1), new, t(2)).unwrap();
    }
    let mut third = doc.fork_as(key(3));
    for round in 0..3 {
        for (i, id) in ids.iter().enumerate() {
            let stance = if (round + i) % 2 == 0 {
                Stance::Abstain
            } else {
                Stance::Agree
            };
            third
                .take_position(&member(3), id, stance, "", t(10 + (round * 20 + i) as i64))
                .unwrap();
        }
    }
    doc.merge(&mut third).unwrap();
    let along = judged_whole(&mut doc);
    assert!(along.iter().all(Result::is_ok), "{along:?}");
    assert_eq!(
        format!("{along:?}"),
        format!("{:?}", judged_alone(&mut doc))
    );
}

/// Ballots cast again and again in a poll: the first reads the poll (its options, electorate
/// and closing time, kept by the rules once read), each reads what it wrote and no more.
#[test]
fn ballots_read_their_poll_once_and_then_only_themselves() {
    let poll = ProposalId::from_bytes([0x63; 16]);
    let mut doc = with_proposals("Yes.");
    doc.open_poll(
        &member(1),
        NewProposal {
            id: poll.clone(),
            kind: DecisionKind::General,
            title: "Which demand first?".into(),
            text: "A long text the ballots never read. ".repeat(200),
            closes_at: Some(t(86_400_000)),
        },
        model::schema::PollSpec {
            method: "ranked".parse().unwrap(),
            options: (0..60).map(|i| format!("Option {i}")).collect(),
            asks: Vec::new(),
            issues: Vec::new(),
            pool: None,
            requests: Vec::new(),
            role: None,
            candidates: Vec::new(),
        },
        t(4),
    )
    .unwrap();
    let reads = judged_against_the_clocks(doc, 24, |doc, i| {
        let ranking = if i.is_multiple_of(2) {
            vec![0, 1, 2]
        } else {
            vec![2, 1]
        };
        doc.cast_ballot(
            &member(3),
            &poll,
            model::poll::Ballot::Rank(ranking),
            t(10 + i as i64),
        )
        .unwrap();
    });
    assert!(
        reads.iter().all(|r| r.texts == 0),
        "no text read: {reads:?}"
    );
    assert!(
        reads[1..].iter().all(|r| *r == reads[1]) && reads[1].all < reads[0].all,
        "reads per ballot: {reads:?}"
    );
    assert!(reads[1].all <= 12, "a ballot costs {:?}", reads[1]);
}
