//! A meeting's access plan: what to plan for so every attending member can take part, from
//! their profiles (the languages they work in and the accessibility needs they list).

use std::collections::BTreeMap;

use crate::ids::MemberId;
use crate::schema::{AccessNeed, Member};
use crate::values::AccessKind;

/// Most needs a plan keeps (those most members ask for first): a plan is one record, written
/// once, and a meeting of hundreds of members listing fifty needs each would otherwise be
/// thousands of them.
pub const MOST_NEEDS: usize = 50;

/// How a profile's item is compared with another's: trimmed, in lower case, spaces as one.
fn key(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether an accessibility need is childcare (as members write it in English or Spanish).
fn is_childcare(key: &str) -> bool {
    [
        "childcare",
        "child care",
        "cuidado de niños",
        "cuidado infantil",
        "guardería",
    ]
    .iter()
    .any(|w| key.contains(w))
}

/// The access plan for a meeting of `attending`:
///
/// - **interpretation**: the meeting's language is the one most attendees list (ties: the
///   one first in alphabetical order); an attendee that does not list it needs interpretation
///   into the first language it lists;
/// - **access**: each accessibility need an attendee lists, once, with who listed it;
/// - **childcare**: the needs that are childcare.
///
/// In that order, each kind by what it is; at most [`MOST_NEEDS`]: for every attendee, the
/// need of its own most others share is kept first (one member listing many needs cannot
/// crowd out another's), then those most asked for. The same on every node: a
/// function of the profiles alone.
pub fn access_plan<'a>(attending: impl IntoIterator<Item = &'a Member>) -> Vec<AccessNeed> {
    let mut members: Vec<&Member> = attending.into_iter().collect();
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members.dedup_by(|a, b| a.id == b.id);
    // (kind, key) → (what as first written, askers).
    let mut needs: BTreeMap<(AccessKind, String), (String, Vec<MemberId>)> = BTreeMap::new();
    let mut add = |kind: AccessKind, what: &str, by: &MemberId| {
        let k = key(what);
        if k.is_empty() {
            return;
        }
        let entry = needs
            .entry((kind, k))
            .or_insert_with(|| (what.trim().to_owned(), Vec::new()));
        if !entry.1.contains(by) {
            entry.1.push(by.clone());
        }
    };
    let mut speakers: BTreeMap<String, usize> = BTreeMap::new();
    for m in &members {
        let mut own: Vec<String> = m
            .languages
            .iter()
            .map(|l| key(l))
            .filter(|l| !l.is_empty())
            .collect();
        own.sort();
        own.dedup();
        for l in own {
            *speakers.entry(l).or_default() += 1;
        }
    }
    // Most speakers first, then alphabetical (the map's order, kept by a stable sort).
    let mut ranked: Vec<(&String, &usize)> = speakers.iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(a.1));
    if let Some((meeting_language, _)) = ranked.first() {
        for m in &members {
            let speaks = m.languages.iter().any(|l| key(l) == **meeting_language);
            if let (false, Some(first)) = (speaks, m.languages.iter().find(|l| !key(l).is_empty()))
            {
                add(AccessKind::Interpretation, first, &m.id);
            }
        }
    }
    for m in &members {
        for need in &m.accessibility {
            let kind = if is_childcare(&key(need)) {
                AccessKind::Childcare
            } else {
                AccessKind::Access
            };
            add(kind, need, &m.id);
        }
    }
    let mut plan: Vec<AccessNeed> = needs
        .into_iter()
        .map(|((kind, _), (what, asked_by))| AccessNeed {
            kind,
            what,
            asked_by,
        })
        .collect();
    if plan.len() > MOST_NEEDS {
        // Each attendee's own first: of the needs it asks for, the one most others share
        // (ties: the first in the plan), so every one present keeps at least one.
        let mut own = vec![false; plan.len()];
        for m in &members {
            let best = (0..plan.len())
                .filter(|i| plan[*i].asked_by.contains(&m.id))
                .max_by(|a, b| {
                    plan[*a]
                        .asked_by
                        .len()
                        .cmp(&plan[*b].asked_by.len())
                        .then(b.cmp(a))
                });
            if let Some(i) = best {
                own[i] = true;
            }
        }
        // Then those most asked for; then back in the plan's order.
        let mut order: Vec<usize> = (0..plan.len()).collect();
        order.sort_by(|a, b| {
            own[*b]
                .cmp(&own[*a])
                .then(plan[*b].asked_by.len().cmp(&plan[*a].asked_by.len()))
        });
        let mut kept: Vec<usize> = order.into_iter().take(MOST_NEEDS).collect();
        kept.sort_unstable();
        plan = kept.into_iter().map(|i| plan[i].clone()).collect();
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Timestamp;

    fn member(n: u8, languages: &[&str], needs: &[&str]) -> Member {
        Member {
            id: MemberId::from_bytes([n; 16]),
            name: format!("Org {n}"),
            communities: vec![],
            languages: languages.iter().map(|s| (*s).to_owned()).collect(),
            accessibility: needs.iter().map(|s| (*s).to_owned()).collect(),
            contact: String::new(),
            keys: vec![],
            joined_at: Timestamp::from_millis(0),
            left_at: None,
            admission: None,
            flagged: vec![],
        }
    }

    #[test]
    fn the_plan_names_interpretation_needs_and_childcare_with_who_asked() {
        let a = member(1, &["English", "Spanish"], &["Step-free venue"]);
        let b = member(2, &["english"], &["step-free  venue", "Captioning"]);
        let c = member(3, &["Spanish"], &["Childcare"]);
        let d = member(4, &["Vietnamese", "Spanish"], &["cuidado de niños"]);
        let plan = access_plan([&a, &b, &c, &d]);
        let shown: Vec<(AccessKind, &str, usize)> = plan
            .iter()
            .map(|n| (n.kind, n.what.as_str(), n.asked_by.len()))
            .collect();
        // Spanish is the meeting's language (three list it): English for b; d lists Spanish
        // beside Vietnamese, so it needs none.
        assert_eq!(
            shown,
            [
                (AccessKind::Interpretation, "english", 1),
                (AccessKind::Access, "Captioning", 1),
                (AccessKind::Access, "Step-free venue", 2),
                (AccessKind::Childcare, "Childcare", 1),
                (AccessKind::Childcare, "cuidado de niños", 1),
            ]
        );
        assert_eq!(
            access_plan([&d, &c, &b, &a]),
            plan,
            "the same whatever the order"
        );
        assert!(access_plan([&a, &a]).iter().all(|n| n.asked_by.len() == 1));
        assert!(access_plan(std::iter::empty()).is_empty());
    }

    #[test]
    fn a_plan_keeps_the_needs_most_asked_for() {
        let many: Vec<Member> = (0..60)
            .map(|i| {
                let needs: Vec<String> = vec![format!("need {i}"), "Captioning".into()];
                let mut m = member(i, &["en"], &[]);
                m.accessibility = needs;
                m
            })
            .collect();
        let plan = access_plan(many.iter());
        assert_eq!(plan.len(), MOST_NEEDS);
        assert!(
            plan.iter()
                .any(|n| n.what == "Captioning" && n.asked_by.len() == 60)
        );
        // One member listing many needs does not crowd out another's only one.
        let mut greedy = member(1, &["en"], &[]);
        greedy.accessibility = (0..80).map(|i| format!("a{i:02}")).collect();
        let other = member(2, &["en"], &["Wheelchair space"]);
        let plan = access_plan([&greedy, &other]);
        assert_eq!(plan.len(), MOST_NEEDS);
        assert!(
            plan.iter().any(|n| n.what == "Wheelchair space"),
            "{plan:?}"
        );
    }
}
