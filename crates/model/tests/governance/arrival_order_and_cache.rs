//! Governance the same on every node (property tests): whatever order changes arrive in,
//! and the governance kept between edits is the one read from the document again.

use model::schema::Amendment;
use model::*;
use proptest::prelude::*;

use crate::common::*;
use crate::{act, new, pid, rule, t, three};

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
    /// A member renames itself (its profile: never read again by the rules).
    Profile(u8),
    /// A member adds a device key, or revokes the one it added.
    Key(u8),
}

fn life() -> impl Strategy<Value = Life> {
    prop_oneof![
        8 => any::<u8>().prop_map(Life::Issue),
        8 => (any::<u8>(), 1u8..=3).prop_map(|(n, w)| Life::General(n, w)),
        8 => (any::<u8>(), 1u8..=3).prop_map(|(n, w)| Life::Amend(n, w)),
        8 => (any::<u8>(), 1u8..=3, 0u8..4).prop_map(|(p, w, s)| Life::Vote(p, w, s)),
        8 => any::<u8>().prop_map(Life::Goal),
        8 => (1u8..=3, 1u8..=3).prop_map(|(w, m)| Life::Remove(w, m)),
        8 => (1u8..=3).prop_map(Life::Leave),
        8 => (any::<u8>(), any::<u8>()).prop_map(|(p, n)| Life::Together(p, n)),
        8 => (1u8..3).prop_map(Life::Many),
        // Rare: the rules refuse it, and judge nothing after it.
        1 => (0u8..5, any::<u8>()).prop_map(|(k, p)| Life::Raw(k, p)),
        8 => (1u8..=3).prop_map(Life::Profile),
        8 => (1u8..=3).prop_map(Life::Key),
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
        let mut raw_written = false;
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
                Life::Profile(who) => {
                    let _ = act(&mut doc, who, |d| {
                        let name = Some(format!("Org {who}, step {n}"));
                        d.update_profile(&member(who), ProfileUpdate { name, ..Default::default() }, at)
                    });
                }
                Life::Key(who) => {
                    let _ = act(&mut doc, who, |d| {
                        let device = key(10 + who);
                        if d.member_for_key(device).is_ok() {
                            d.revoke_device_key(&member(who), device, at)
                        } else {
                            d.add_device_key(&member(who), device, at)
                        }
                    });
                }
                Life::Together(p, i) => {
                    let mut two = doc.fork_as(key(2));
                    let mut three = doc.fork_as(key(3));
                    if let Some(id) = proposals.get(usize::from(p) % proposals.len().max(1)) {
                        let _ = two.take_position(&member(2), id, Stance::Agree, "", at);
                    }
                    // A rename and a new device key concurrent with it.
                    let name = Some(format!("Org 2, step {n}"));
                    let _ = two.update_profile(&member(2), ProfileUpdate { name, ..Default::default() }, at);
                    let _ = three.add_device_key(&member(3), key(20 + n8 % 8), at);
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
                    raw_written = true;
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
        // The rules judge the history alike in one batch and in many, and what they carry
        // from batch to batch, at every batch's end, is what reading the document there gives
        // (`verdict`); a raw write is refused, alike.
        let judged = verdict(&mut doc);
        if !raw_written {
            prop_assert!(judged.is_ok(), "an honest history refused: {:?}", judged);
        }
    }
}

/// The governance the rules found at a document's heads, told to the document
/// (`know_governance`, as a node does after storing a received batch), is kept only at those
/// heads: told at other heads it is ignored; told at its heads it is what reads answer, and
/// the rules' reading there is the document's own.
#[test]
fn the_governance_the_rules_found_is_kept_only_at_its_heads() {
    use std::sync::Arc;
    let mut doc = three();
    let heads = doc.automerge_mut().get_heads();
    let found = model::rules::governance_at(doc.automerge(), &heads).unwrap();
    assert_eq!(
        Some(&found),
        model::governance::Governance::read(doc.automerge()).as_ref(),
        "the rules read at the heads what the document reads now"
    );
    let whole = doc.in_force(t(50)).unwrap();
    // A governance that is not the document's (its founding's, one member), to tell whether
    // it is kept.
    let founding = doc.automerge_mut().get_changes(&[])[0].hash();
    let other = model::rules::governance_at(doc.automerge(), &[founding]).unwrap();
    let mut receiver = doc.fork_as(key(9));
    receiver.know_governance(&[], Arc::new(other.clone()));
    assert_eq!(
        receiver.in_force(t(50)).unwrap(),
        whole,
        "told at other heads: ignored"
    );
    receiver.know_governance(&heads, Arc::new(other));
    assert_eq!(
        receiver.in_force(t(50)).unwrap().members.len(),
        1,
        "told at its heads: kept"
    );
}
