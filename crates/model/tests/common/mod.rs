//! What the model's rule and governance tests share: three members' keys and ids, a coalition
//! they form, the validator run over a whole history, and raw access for hostile writes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use model::automerge::{AutoCommit, ChangeHash, ObjId, ROOT, ReadDoc};
use model::rules::{Validator, Violation};
use model::*;

pub(crate) fn key(n: u8) -> NodeKey {
    NodeKey::from_bytes([n; 32])
}

pub(crate) fn member(n: u8) -> MemberId {
    MemberId::from_bytes([n; 16])
}

pub(crate) fn profile(name: &str) -> MemberProfile {
    MemberProfile::named(name)
}

/// Three members: member 1 founds the coalition at `founded` and admits 2 and 3 at
/// `admitted`.
pub(crate) fn three_members(founded: Timestamp, admitted: Timestamp) -> CoalitionDoc {
    let mut doc = CoalitionDoc::found(
        key(1),
        Founding {
            id: CoalitionId::from_bytes([9; 16]),
            name: "Transit Justice".into(),
            frame: "Fare-free buses".into(),
            values: vec![],
            commitments: vec![],
            equity_threshold: None,
            founder_id: member(1),
            founder: profile("Northside Tenants Union"),
            at: founded,
        },
    )
    .unwrap();
    for i in 2..=3 {
        doc.admit_member(
            &member(1),
            &member(i),
            &profile(&format!("Org {i}")),
            key(i),
            admitted,
        )
        .unwrap();
    }
    doc
}

/// Judges every change of `doc` as a node receiving the whole history would (one batch);
/// the same verdict, message included, as a node receiving the changes one batch each (where
/// nothing is carried from one change to the next, every object placed by reading the
/// document), and as one receiving them in batches of one to three that carry the governance
/// from batch to batch (checked against a reading at each batch's heads).
pub(crate) fn verdict(doc: &mut CoalitionDoc) -> Result<(), Violation> {
    let am = doc.automerge_mut();
    let changes = am.get_changes(&[]);
    let whole: Result<(), Violation> = (|| {
        let mut v = Validator::new(false);
        for c in &changes {
            v.check(am, c)?;
        }
        Ok(())
    })();
    let one_by_one: Result<(), Violation> = (|| {
        for (i, c) in changes.iter().enumerate() {
            Validator::new(i > 0).check(am, c)?;
        }
        Ok(())
    })();
    assert_eq!(
        whole.as_ref().map_err(ToString::to_string),
        one_by_one.as_ref().map_err(ToString::to_string),
        "one batch and one batch per change judge alike"
    );
    // Batches of one, two and three changes, each told the governance the one before left
    // (as `sync` carries it from batch to batch): the same verdict, and what is carried, at
    // whatever heads a batch ends (concurrent ones included), is what reading the document
    // at those heads gives.
    for size in 1..=3 {
        let carried: Result<(), Violation> = (|| {
            let mut known: Option<(Vec<ChangeHash>, std::sync::Arc<governance::Governance>)> = None;
            let mut so_far: Vec<ChangeHash> = Vec::new();
            for (b, batch) in changes.chunks(size).enumerate() {
                let mut v = Validator::new(b > 0);
                if let Some((heads, g)) = known.take() {
                    v = v.knowing(&heads, g);
                }
                for c in batch {
                    v.check(am, c)?;
                    so_far.retain(|h| !c.deps().contains(h));
                    so_far.push(c.hash());
                }
                let read = model::rules::governance_at(am, &so_far);
                if let Some(g) = v.governance_after(am, &so_far) {
                    assert_eq!(
                        read.as_ref(),
                        Some(&*g),
                        "the governance carried is the one read"
                    );
                    known = Some((so_far.clone(), g));
                } else if let Some(g) = v.carried_after(&so_far) {
                    // A profile was written: what was carried holds older profiles, and
                    // nothing else differs.
                    assert_eq!(
                        read.as_ref().map(without_profiles),
                        Some(without_profiles(&g)),
                        "the governance carried is the one read, but for profiles"
                    );
                }
            }
            Ok(())
        })();
        assert_eq!(
            whole.as_ref().map_err(ToString::to_string),
            carried.as_ref().map_err(ToString::to_string),
            "one batch and batches of {size} carrying the governance judge alike"
        );
    }
    // What a node keeps from the rules (`know_governance`) is what it reads itself.
    let heads = am.get_heads();
    assert_eq!(
        model::rules::governance_at(am, &heads),
        governance::Governance::read(am),
        "the rules read at the heads what the document reads now"
    );
    whole
}

/// `g` with every member's profile (what the rules never read again) left empty, and its
/// keys and flagged keys in order.
fn without_profiles(g: &governance::Governance) -> governance::Governance {
    let records = g
        .records
        .iter()
        .map(|(id, m)| {
            // Lists of keys the rules carry from operations hold their items in another
            // order: no rule reads it.
            let sorted = |keys: &[NodeKey]| {
                let mut keys = keys.to_vec();
                keys.sort();
                keys
            };
            let m = model::schema::Member {
                keys: sorted(&m.keys),
                flagged: sorted(&m.flagged),
                name: String::new(),
                communities: Vec::new(),
                languages: Vec::new(),
                accessibility: Vec::new(),
                contact: String::new(),
                ..(**m).clone()
            };
            (id.clone(), m)
        })
        .collect();
    let proposals = g
        .proposals
        .iter()
        .map(|(id, p)| (id.clone(), (**p).clone()))
        .collect();
    governance::Governance::new(records, g.founding_rules.clone(), proposals)
}

/// The object at `path` of a raw document.
pub(crate) fn obj(doc: &AutoCommit, path: &[&str]) -> ObjId {
    let mut o = ROOT;
    for k in path {
        o = doc.get(&o, *k).unwrap().unwrap().1;
    }
    o
}
