//! Finding a time that works: a member proposes a meeting with the times it could be held
//! (in its own member record, `members/<member>/plans/<plan>`), and each member answers each
//! time yes, if needed or no (in its own record, `members/<member>/availability/<planner>.<plan>`).
//! Both are their author's own, so the rule that keeps a member's record its own keeps them
//! its own on every node. [`best_times`] orders the times by who they work for, with who each
//! leaves out.

use std::collections::BTreeMap;

use automerge::{ObjType, ScalarValue, Value};
use serde::{Deserialize, Serialize};

use crate::ids::{MeetingId, MemberId};
use crate::values::{Answer, Timestamp};

/// Most times one plan proposes.
pub const MOST_SLOTS: usize = 20;

/// Most plans read of one member (the first by id): how many a member keeps is bounded only
/// by the size of each change, and every listing reads them all.
pub const MOST_PLANS: usize = 200;

/// The digest of a plan's times that answers name: an answer counts only for the times it
/// was given to.
pub fn slots_digest(slots: &[Timestamp]) -> String {
    let text: Vec<String> = slots.iter().map(|s| s.as_millis().to_string()).collect();
    crate::translations::digest(&text.join(","))
}

/// The key of a member's answers to `planner`'s plan `plan`.
pub fn answer_key(planner: &MemberId, plan: &MeetingId) -> String {
    format!("{planner}.{plan}")
}

/// What an answers key names: the planner and the plan.
pub fn parse_answer_key(key: &str) -> Option<(MemberId, MeetingId)> {
    let (planner, plan) = key.split_once('.')?;
    if !crate::ids::is_id(planner) || !crate::ids::is_id(plan) {
        return None;
    }
    Some((planner.parse().ok()?, plan.parse().ok()?))
}

/// A proposed meeting with its times and every member's answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Plan {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: MeetingId,
    /// The member that proposed it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: MemberId,
    /// What the meeting is.
    pub title: String,
    /// The times it could be held.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub slots: Vec<Timestamp>,
    /// When it was proposed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// Each member's answers, one per time (answers of another length are left out).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: BTreeMap<MemberId, Vec<Answer>>,
}

/// How one time suits the members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotFit {
    /// Its place among the plan's times (what an answer list follows).
    pub index: usize,
    /// The time.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub slot: Timestamp,
    /// Members it works for.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub yes: Vec<MemberId>,
    /// Members it works for if needed.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub if_needed: Vec<MemberId>,
    /// Members it leaves out (they said no).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub left_out: Vec<MemberId>,
    /// Members in force that have not answered.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub unanswered: Vec<MemberId>,
}

/// `plan`'s times, those that work for the most members first (then those that work for the
/// most if needed, then the earliest), among `members` (those in force).
pub fn best_times(plan: &Plan, members: &[MemberId]) -> Vec<SlotFit> {
    let mut fits: Vec<SlotFit> = plan
        .slots
        .iter()
        .enumerate()
        .map(|(i, slot)| {
            let mut fit = SlotFit {
                index: i,
                slot: *slot,
                yes: Vec::new(),
                if_needed: Vec::new(),
                left_out: Vec::new(),
                unanswered: Vec::new(),
            };
            for m in members {
                match plan.answers.get(m).and_then(|a| a.get(i)) {
                    Some(Answer::Yes) => fit.yes.push(m.clone()),
                    Some(Answer::IfNeeded) => fit.if_needed.push(m.clone()),
                    Some(Answer::No) => fit.left_out.push(m.clone()),
                    None => fit.unanswered.push(m.clone()),
                }
            }
            fit
        })
        .collect();
    fits.sort_by(|a, b| {
        b.yes
            .len()
            .cmp(&a.yes.len())
            .then(b.if_needed.len().cmp(&a.if_needed.len()))
            .then(a.slot.cmp(&b.slot))
    });
    fits
}

use crate::owned::{maps, scalar, time};

/// The plan stored at `key` of `map` (a member's plans), proposed by `by`, without answers.
fn plan_at<D: automerge::ReadDoc>(
    doc: &D,
    map: &automerge::ObjId,
    key: &str,
    by: &MemberId,
) -> Option<Plan> {
    let id = key.parse::<MeetingId>().ok()?;
    let Ok(Some((Value::Object(ObjType::Map), p))) = doc.get(map, key) else {
        return None;
    };
    let title = match scalar(doc, &p, "title")? {
        ScalarValue::Str(s) => s.to_string(),
        _ => return None,
    };
    let at = scalar(doc, &p, "at").and_then(time)?;
    let Ok(Some((Value::Object(ObjType::List), list))) = doc.get(&p, "slots") else {
        return None;
    };
    let slots: Vec<Timestamp> = (0..doc.length(&list).min(MOST_SLOTS))
        .map(|i| match doc.get(&list, i) {
            Ok(Some((Value::Scalar(v), _))) => time(v.into_owned()),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Plan {
        id,
        by: by.clone(),
        title,
        slots,
        at,
        answers: BTreeMap::new(),
    })
}

/// `planner`'s plan `plan`, without answers, read where it is.
pub fn read_one<D: automerge::ReadDoc>(
    doc: &D,
    planner: &MemberId,
    plan: &MeetingId,
) -> Option<Plan> {
    let record = crate::owned::record(doc, planner)?;
    maps(doc, &record, "plans")
        .into_iter()
        .find_map(|map| plan_at(doc, &map, plan.as_str(), planner))
}

/// Every plan `doc` holds, with every member's answers to it, by planner then id.
pub fn read_all<D: automerge::ReadDoc>(doc: &D) -> Vec<Plan> {
    let mut plans: BTreeMap<(MemberId, MeetingId), Plan> = BTreeMap::new();
    for (by, maps) in crate::owned::member_maps(doc, "plans") {
        for map in maps {
            for k in doc.keys(&map).take(MOST_PLANS) {
                if let Some(plan) = plan_at(doc, &map, &k, &by) {
                    plans.insert((by.clone(), plan.id.clone()), plan);
                }
            }
        }
    }
    let mut answers: Vec<(MemberId, automerge::ObjId, String)> = Vec::new();
    for (by, maps) in crate::owned::member_maps(doc, "availability") {
        for map in maps {
            for k in doc.keys(&map) {
                answers.push((by.clone(), map.clone(), k));
            }
        }
    }
    // Answers are read only for the plans read, and count only if given to their times.
    for (by, map, k) in answers {
        let Some((planner, plan)) = parse_answer_key(&k) else {
            continue;
        };
        let Some(p) = plans.get_mut(&(planner, plan)) else {
            continue;
        };
        let Ok(Some((Value::Object(ObjType::Map), a))) = doc.get(&map, k.as_str()) else {
            continue;
        };
        if !matches!(scalar(doc, &a, "of"), Some(ScalarValue::Str(d)) if *d == slots_digest(&p.slots))
        {
            continue;
        }
        let Ok(Some((Value::Object(ObjType::List), list))) = doc.get(&a, "answers") else {
            continue;
        };
        let given: Option<Vec<Answer>> = (0..doc.length(&list).min(MOST_SLOTS))
            .map(|i| match doc.get(&list, i) {
                Ok(Some((Value::Scalar(v), _))) => match v.as_ref() {
                    ScalarValue::Str(s) => s.parse().ok(),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        if let Some(given) = given
            && given.len() == p.slots.len()
        {
            p.answers.insert(by, given);
        }
    }
    plans.into_values().collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_keys_name_a_planner_and_a_plan() {
        let (m, p) = (
            "0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210",
        );
        let k = answer_key(&m.parse().unwrap(), &p.parse().unwrap());
        assert_eq!(
            parse_answer_key(&k).map(|(a, b)| (a.to_string(), b.to_string())),
            Some((m.into(), p.into()))
        );
        for bad in ["", "x.y", m, &format!("{m}.{p}.x"), &format!("{m}x.{p}")] {
            assert!(parse_answer_key(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_times_that_work_for_most_come_first_with_who_each_leaves_out() {
        let m = |n: u8| MemberId::from_bytes([n; 16]);
        let t = Timestamp::from_millis;
        let plan = Plan {
            id: MeetingId::from_bytes([9; 16]),
            by: m(1),
            title: "Fare campaign".into(),
            slots: vec![t(1000), t(2000), t(3000)],
            at: t(0),
            answers: BTreeMap::from([
                (m(1), vec![Answer::Yes, Answer::Yes, Answer::No]),
                (m(2), vec![Answer::No, Answer::Yes, Answer::IfNeeded]),
                (m(3), vec![Answer::Yes, Answer::IfNeeded, Answer::Yes]),
            ]),
        };
        let fits = best_times(&plan, &[m(1), m(2), m(3), m(4)]);
        assert_eq!(
            fits.iter().map(|f| f.slot).collect::<Vec<_>>(),
            [t(2000), t(1000), t(3000)]
        );
        assert_eq!(fits[0].yes, [m(1), m(2)]);
        assert_eq!(fits[0].if_needed, [m(3)]);
        assert!(fits[0].left_out.is_empty());
        assert_eq!(fits[0].unanswered, [m(4)]);
        assert_eq!(fits[1].left_out, [m(2)]);
    }
}
