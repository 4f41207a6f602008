//! A replica on real files: edits are durable when they return, long histories are
//! compacted into snapshots, and bad identity files are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use model::{IssueId, NewIssue};
use proptest::prelude::*;
use replica::{NewCoalition, Replica, ReplicaError};

fn issue(n: usize) -> NewIssue {
    NewIssue {
        id: IssueId::from_bytes(replica::fresh_id_bytes().unwrap()),
        title: format!("Issue {n}"),
        description: String::new(),
        tags: vec![],
        lead: None,
    }
}

fn founded(home: &std::path::Path) -> (Replica, model::CoalitionId) {
    Replica::init(home, "Northside Tenants Union").unwrap();
    let mut r = Replica::open(home).unwrap();
    let id = r
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap();
    (r, id)
}

#[test]
fn an_edit_is_in_the_store_when_it_returns() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let new = issue(0);
    let issue_id = new.id.clone();
    r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
        .unwrap();
    // Read the store directly, behind the replica's back, after dropping it.
    drop(r);
    let store = store::Store::open(&home.path().join(replica::STORE_FILE)).unwrap();
    let stored = store.load(id.as_str()).unwrap().unwrap();
    let doc =
        model::CoalitionDoc::load(&stored.concatenated(), model::NodeKey::from_bytes([0; 32]))
            .unwrap();
    assert!(doc.read().unwrap().issues.contains_key(issue_id.as_str()));
}

#[test]
fn a_refused_edit_stores_nothing() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let before = r.store().load(id.as_str()).unwrap().unwrap().next_seq;
    let mut bad = issue(0);
    bad.title = String::new();
    assert!(matches!(
        r.edit(&id, |doc, a| doc.add_issue(&a.member, bad, a.now)),
        Err(ReplicaError::Edit(_))
    ));
    assert_eq!(
        r.store().load(id.as_str()).unwrap().unwrap().next_seq,
        before
    );
}

#[test]
fn long_histories_are_compacted_and_reload_identically() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    for n in 0..(replica::COMPACT_AFTER + 10) {
        r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(n), a.now))
            .unwrap();
    }
    let state = r.read(&id).unwrap();
    // Not on the way of the edits: due, and done when the node has time.
    let stored = r.store().load(id.as_str()).unwrap().unwrap();
    assert!(stored.snapshot.is_none(), "no edit waited for a compaction");
    assert!(r.compaction_due());
    assert_eq!(r.compact_due(), 1);
    assert!(!r.compaction_due());
    assert_eq!(r.compact_due(), 0, "nothing more is due");
    let stored = r.store().load(id.as_str()).unwrap().unwrap();
    assert!(stored.snapshot.is_some(), "a snapshot was written");
    assert!(
        stored.changes.is_empty(),
        "only the changes since the snapshot remain: {}",
        stored.changes.len()
    );
    assert_eq!(r.read(&id).unwrap(), state);
    drop(r);
    let mut r = Replica::open(home.path()).unwrap();
    assert_eq!(r.read(&id).unwrap(), state);
    assert_eq!(
        r.coalitions().unwrap()[0].issues,
        replica::COMPACT_AFTER + 10
    );
}

#[test]
fn identity_problems_are_named() {
    let home = tempfile::tempdir().unwrap();
    assert!(matches!(
        Replica::open(home.path()),
        Err(ReplicaError::NotInitialized { .. })
    ));
    Replica::init(home.path(), "Org").unwrap();
    assert!(matches!(
        Replica::init(home.path(), "Org"),
        Err(ReplicaError::AlreadyInitialized { .. })
    ));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join(replica::IDENTITY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the node key is readable by its owner only"
        );
    }
    std::fs::write(
        home.path().join(replica::IDENTITY_FILE),
        vec![b' '; 100_000],
    )
    .unwrap();
    let e = Replica::open(home.path()).unwrap_err().to_string();
    assert!(e.contains("larger than an identity file can be"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever bytes are in the identity file, opening gives an error or an identity, never
    /// a panic.
    #[test]
    fn any_identity_file_is_refused_or_read(bytes in proptest::collection::vec(any::<u8>(), 0..300), json_like in "[{}\":,a-z0-9 ]{0,120}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.json");
        std::fs::write(&path, &bytes).unwrap();
        let _ = replica::Identity::read(&path);
        std::fs::write(&path, format!("{{\"version\":1,\"org\":\"x\",\"secret_key\":\"{json_like}\"}}")).unwrap();
        let _ = replica::Identity::read(&path);
        std::fs::write(&path, &json_like).unwrap();
        let _ = replica::Identity::read(&path);
    }
}

#[test]
fn every_change_is_signed_by_the_node_and_every_signature_survives_reopen_and_compaction() {
    use ed25519_dalek::{Verifier, VerifyingKey};
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let key = VerifyingKey::from_bytes(r.identity().node_key().as_bytes()).unwrap();
    for n in 0..3 {
        r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(n), a.now))
            .unwrap();
    }
    let local = r.drain_local_changes();
    assert_eq!(local.len(), 3, "each edit is handed to the sync protocol");
    for l in &local {
        let newest = l.changes.last().unwrap().hash();
        assert_eq!(l.signature.hash, newest.0);
        let sig = ed25519_dalek::Signature::from_bytes(&l.signature.signature);
        key.verify(&model::signing::signing_payload(&newest), &sig)
            .unwrap();
    }
    assert!(r.drain_local_changes().is_empty());
    let newest = local.last().unwrap().signature.clone();
    drop(r);
    let mut r = Replica::open(home.path()).unwrap();
    let (_, index) = r.sync_entry(&id).unwrap();
    assert_eq!(
        index.all(),
        vec![newest.clone()],
        "one actor, its newest signature"
    );
    for n in 0..replica::COMPACT_AFTER {
        r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(n + 10), a.now))
            .unwrap();
    }
    // Every signature is kept through compaction (fork evidence needs the nearest one),
    // and each can be looked up by its change.
    let kept = r.store().signatures(id.as_str()).unwrap();
    let edits = 3 + replica::COMPACT_AFTER;
    assert!(
        kept.len() > edits,
        "compaction keeps every signature: {} of more than {edits}",
        kept.len()
    );
    assert_eq!(
        r.signature(&id, &newest.hash).unwrap(),
        Some(newest.clone())
    );
    assert_eq!(r.signature(&id, &[7; 32]).unwrap(), None);
    drop(r);
    let mut r = Replica::open(home.path()).unwrap();
    let (_, index) = r.sync_entry(&id).unwrap();
    assert_eq!(index.all().len(), 1);
    assert_ne!(index.all()[0], newest);
}

#[test]
fn the_refusal_log_keeps_the_newest_entries_and_bounds_what_a_peer_writes() {
    let home = tempfile::tempdir().unwrap();
    let (r, _id) = founded(home.path());
    for i in 0..replica::MAX_REFUSALS + 5 {
        r.log_refusal(replica::Refusal {
            at: i as i64,
            peer: "aa".into(),
            coalition: None,
            reason: if i == replica::MAX_REFUSALS + 4 {
                "é".repeat(100_000)
            } else {
                format!("refusal {i}")
            },
        })
        .unwrap();
    }
    let log = r.refusals().unwrap();
    assert_eq!(log.len(), replica::MAX_REFUSALS);
    assert_eq!(log[0].reason, "refusal 5");
    let last = &log[log.len() - 1];
    assert!(last.reason.len() < 5000 && last.reason.ends_with('…'));
}

/// A history of more changes than a compaction waits for, made at `ha`; and a node at `hb`
/// joining its coalition, holding nothing of it yet.
fn history_and_receiver(
    ha: &std::path::Path,
    hb: &std::path::Path,
) -> (Vec<model::automerge::Change>, model::CoalitionId, Replica) {
    let (mut a, id) = founded(ha);
    for n in 0..(replica::COMPACT_AFTER + 10) {
        a.edit(&id, |doc, x| doc.add_issue(&x.member, issue(n), x.now))
            .unwrap();
    }
    let changes = a.sync_entry(&id).unwrap().0.get_changes(&[]);
    Replica::init(hb, "Eastside").unwrap();
    let mut b = Replica::open(hb).unwrap();
    b.create_joining(&id).unwrap();
    (changes, id, b)
}

#[test]
fn a_node_that_only_receives_compacts_too() {
    let (ha, hb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (changes, id, mut b) = history_and_receiver(ha.path(), hb.path());
    // What the sync protocol does with verified changes: apply, then persist, batch by batch.
    for batch in changes.chunks(100) {
        b.sync_entry(&id)
            .unwrap()
            .0
            .apply_changes(batch.to_vec())
            .unwrap();
        b.persist_remote(&id, batch, &[]).unwrap();
    }
    assert!(b.compaction_due());
    let state = b.read(&id).unwrap();
    // Closing the replica compacts what is due.
    drop(b);
    let mut b = Replica::open(hb.path()).unwrap();
    let stored = b.store().load(id.as_str()).unwrap().unwrap();
    assert!(stored.snapshot.is_some(), "a snapshot was written");
    assert!(stored.changes.is_empty(), "{}", stored.changes.len());
    assert_eq!(b.read(&id).unwrap(), state);
}

#[test]
fn a_document_ahead_of_the_store_is_never_written_as_a_snapshot() {
    let (ha, hb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (changes, id, mut b) = history_and_receiver(ha.path(), hb.path());
    let (stored, unstored) = changes.split_at(changes.len() - 5);
    let doc = b.sync_entry(&id).unwrap().0;
    doc.apply_changes(stored.to_vec()).unwrap();
    b.persist_remote(&id, stored, &[]).unwrap();
    // Applied but not stored (a failed append whose rollback failed too, say).
    let doc = b.sync_entry(&id).unwrap().0;
    doc.apply_changes(unstored.to_vec()).unwrap();
    assert!(b.compaction_due());
    assert_eq!(b.compact_due(), 0, "not compacted");
    let kept = b.store().load(id.as_str()).unwrap().unwrap();
    assert!(
        kept.snapshot.is_none(),
        "nothing unstored became a snapshot"
    );
    assert_eq!(kept.changes.len(), stored.len());
    // Nor as the replica closes.
    drop(b);
    let b = Replica::open(hb.path()).unwrap();
    let kept = b.store().load(id.as_str()).unwrap().unwrap();
    assert!(kept.snapshot.is_none());
}

#[test]
fn a_node_never_idle_compacts_anyway_once_many_changes_wait() {
    use model::automerge::{ROOT, transaction::Transactable};
    let (ha, hb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, id) = founded(ha.path());
    // Changes made in memory only, to be stored as received (storage takes them as the sync
    // protocol hands them over: verified already; what they write does not matter here).
    let mut doc = a.sync_entry(&id).unwrap().0.fork();
    for n in 0..(replica::COMPACT_NOW + 10) {
        doc.put(ROOT, "counter", n as u64).unwrap();
        doc.commit();
    }
    let changes = doc.get_changes(&[]);
    Replica::init(hb.path(), "Eastside").unwrap();
    let mut b = Replica::open(hb.path()).unwrap();
    b.create_joining(&id).unwrap();
    for batch in changes.chunks(1000) {
        b.sync_entry(&id)
            .unwrap()
            .0
            .apply_changes(batch.to_vec())
            .unwrap();
        b.persist_remote(&id, batch, &[]).unwrap();
    }
    let stored = b.store().load(id.as_str()).unwrap().unwrap();
    assert!(
        stored.snapshot.is_some(),
        "compacted without waiting for the node"
    );
    assert!(
        stored.changes.len() < replica::COMPACT_NOW,
        "{}",
        stored.changes.len()
    );
}

#[test]
fn a_node_whose_key_forked_writes_nothing_more_and_says_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let me = r.identity().node_key();
    r.save_forks(&id, b"record", &[me]).unwrap();
    let err = r
        .edit(&id, |doc, a| doc.add_issue(&a.member, issue(1), a.now))
        .unwrap_err();
    assert!(matches!(err, ReplicaError::KeyForked { .. }), "{err}");
    assert!(err.to_string().contains("member key add"), "{err}");
    // Another key forking does not stop this node.
    r.save_forks(&id, b"record", &[model::NodeKey::from_bytes([9; 32])])
        .unwrap();
    r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(2), a.now))
        .unwrap();
}

#[test]
fn changes_set_aside_are_kept_apart_once_each_and_survive_reopening() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    for n in 0..2 {
        r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(n), a.now))
            .unwrap();
    }
    let local = r.drain_local_changes();
    let raw: Vec<Vec<u8>> = local
        .iter()
        .flat_map(|l| l.changes.iter().map(|c| c.raw_bytes().to_vec()))
        .collect();
    assert_eq!(raw.len(), 2);
    assert!(r.aside(&id).unwrap().is_empty());
    r.store_whole(&id, &[&raw[0]]).unwrap();
    // Set aside again (a second fork found) with another: each is kept once.
    r.store_whole(&id, &[&raw[0], &raw[1]]).unwrap();
    drop(r);
    let r = Replica::open(home.path()).unwrap();
    let kept = r.aside(&id).unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[0].node, Some(r.identity().node_key()));
    assert_eq!(kept[0].message, "raise issue");
    // When it was made, as its author stated it (seconds, like every change's time).
    let now = replica::now().as_secs();
    assert!(now - kept[0].at.as_secs() < 3600, "{:?}", kept[0].at);
    assert_eq!((kept[0].seq + 1, kept[1].seq), (kept[1].seq, kept[1].seq));
}

/// Renaming keeps the identity file's owner: root renaming the organization of a node that
/// runs as its own user (a systemd unit's) must not leave that node a file it cannot read.
/// Runs as root, as CI does (it also needs root for the LAN test).
#[test]
fn renaming_keeps_the_identity_files_owner() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    Replica::init(&home, "Unnamed organization").unwrap();
    let file = home.join(replica::IDENTITY_FILE);
    assert_eq!(
        std::fs::metadata(&file).unwrap().uid(),
        0,
        "this test runs as root, as CI does"
    );
    std::os::unix::fs::chown(&file, Some(4242), Some(4343)).unwrap();
    let old = replica::rename_org(&home, "Northside Tenants Union").unwrap();
    assert_eq!(old, "Unnamed organization");
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (4242, 4343));
    assert_eq!(meta.mode() & 0o777, 0o600);
    let id = replica::Identity::read(&file).unwrap();
    assert_eq!(id.org(), "Northside Tenants Union");
    // Nothing left behind.
    let left: Vec<_> = std::fs::read_dir(&home)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The headers a listing sorts by follow every edit: a few changes are read from their
/// operations, many make the replica read every header again; either way they are the
/// headers of a whole read.
#[test]
fn issue_headers_follow_edits_one_by_one_and_in_bulk() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let whole = |r: &mut Replica| -> Vec<(String, String)> {
        let mut v: Vec<_> = r
            .read(&id)
            .unwrap()
            .issues
            .values()
            .map(|i| (i.id.to_string(), i.status.to_string()))
            .collect();
        v.sort();
        v
    };
    let cached = |r: &mut Replica| -> Vec<(String, String)> {
        r.issue_headers(&id)
            .unwrap()
            .iter()
            .map(|(k, h)| (k.to_string(), h.status.to_string()))
            .collect()
    };
    assert!(cached(&mut r).is_empty());
    let first = issue(0);
    let first_id = first.id.clone();
    r.edit(&id, |doc, a| doc.add_issue(&a.member, first, a.now))
        .unwrap();
    // Held while the next edits land: the cache copies rather than change it underneath.
    let held = r.issue_headers(&id).unwrap();
    assert_eq!(held.len(), 1);
    let edit = model::IssueEdit {
        status: Some(model::IssueStatus::Adopted),
        ..Default::default()
    };
    r.edit(&id, |doc, a| {
        doc.edit_issue(&a.member, &first_id, edit, a.now)
    })
    .unwrap();
    assert_eq!(cached(&mut r), whole(&mut r));
    assert_eq!(held[&first_id].status, model::IssueStatus::Raised);
    for n in 1..=model::MAX_TOUCHED_CHANGES + 6 {
        let new = issue(n);
        r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
            .unwrap();
    }
    let after = cached(&mut r);
    assert_eq!(after.len(), model::MAX_TOUCHED_CHANGES + 7);
    assert_eq!(after, whole(&mut r));
}

/// The member keys the replica gives the sync protocol, from the governance it keeps
/// between changes, are those read from the document whole, after every kind of edit.
#[test]
fn member_keys_kept_between_changes_are_those_read_again() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let read_again = |r: &mut Replica| {
        let (doc, _) = r.sync_entry(&id).unwrap();
        let gov = model::governance::Governance::read(doc).unwrap();
        gov.in_force(model::governance::latest_moment(doc))
            .members
            .values()
            .flat_map(|m| m.keys.iter().map(|k| (*k.as_bytes(), m.id.clone())))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(r.member_key_map(&id).unwrap(), read_again(&mut r));
    let other = model::NodeKey::from_bytes([5; 32]);
    let member = model::MemberId::from_bytes([6; 16]);
    r.edit(&id, |doc, a| {
        doc.admit_member(
            &a.member,
            &member,
            &model::MemberProfile::named("Eastside"),
            other,
            a.now,
        )
    })
    .unwrap();
    let keys = r.member_key_map(&id).unwrap();
    assert_eq!(keys.get(other.as_bytes()), Some(&member));
    assert_eq!(keys, read_again(&mut r));
    r.edit(&id, |doc, a| doc.add_issue(&a.member, issue(1), a.now))
        .unwrap();
    assert_eq!(r.member_key_map(&id).unwrap(), read_again(&mut r));
    assert!(
        r.member_key_map(&model::CoalitionId::from_bytes([9; 16]))
            .is_none()
    );
}

/// The order a listing takes issues in follows every edit as the headers do: it is always the
/// headers sorted by when each issue was raised, then by id, one edit or many at a time, and
/// an order a caller still holds stays as it was.
#[test]
fn the_listing_order_follows_the_headers() {
    let home = tempfile::tempdir().unwrap();
    let (mut r, id) = founded(home.path());
    let check = |r: &mut Replica| {
        let (headers, order) = r.issue_listing(&id).unwrap();
        let mut want: Vec<_> = headers
            .iter()
            .map(|(k, h)| (h.created_at, k.clone()))
            .collect();
        want.sort();
        assert_eq!(order.iter().cloned().collect::<Vec<_>>(), want);
        order
    };
    assert!(check(&mut r).is_empty());
    for n in 0..3 {
        let new = issue(n);
        r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
            .unwrap();
        check(&mut r);
    }
    let held = check(&mut r);
    for n in 3..=model::MAX_TOUCHED_CHANGES + 6 {
        let new = issue(n);
        r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
            .unwrap();
        if n % 10 == 0 {
            check(&mut r);
        }
    }
    assert_eq!(check(&mut r).len(), model::MAX_TOUCHED_CHANGES + 7);
    assert_eq!(held.len(), 3);
    // An issue that stops reading (a status of a newer version, written straight into the
    // document) leaves the order with its header.
    let gone = held.iter().next().unwrap().1.clone();
    {
        use model::automerge::ReadDoc;
        use model::automerge::transaction::Transactable;
        let (doc, _) = r.sync_entry(&id).unwrap();
        let (_, issues) = doc.get(model::automerge::ROOT, "issues").unwrap().unwrap();
        let (_, record) = doc.get(&issues, gone.as_str()).unwrap().unwrap();
        doc.put(&record, "status", "paused").unwrap();
        doc.commit();
    }
    let order = check(&mut r);
    assert_eq!(order.len(), model::MAX_TOUCHED_CHANGES + 6);
    assert!(!order.iter().any(|(_, i)| *i == gone));
}

/// What a pool read through the replica holds, compared with the pool read whole.
fn pool_as_read(r: &mut Replica, c: &model::CoalitionId, pool: &model::PoolId) -> String {
    let kept = r.pool(c, pool).unwrap().unwrap();
    let whole = r.read(c).unwrap().pools[pool.as_str()].clone();
    assert_eq!(*kept, whole);
    format!("{}", kept.ledger.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// The pools the replica keeps between reads are the pools read whole, whatever was
    /// written between two reads: gifts to one pool or the other, requests that open
    /// proposals, issues, or more changes than are cheap to tell apart.
    #[test]
    fn a_pool_kept_between_reads_is_the_pool_read_whole(
        steps in proptest::collection::vec((0u8..5, 0usize..2, 1u32..50), 1..14)
    ) {
        let home = tempfile::tempdir().unwrap();
        let (mut r, c) = founded(home.path());
        let mut pools = Vec::new();
        for name in ["Legal defense fund", "Meeting rooms"] {
            let id = model::PoolId::from_bytes(replica::fresh_id_bytes().unwrap());
            let new = model::NewPool {
                id: id.clone(),
                name: name.into(),
                kind: model::PoolKind::Funds,
                unit: "USD".into(),
                description: String::new(),
            };
            r.edit(&c, |doc, a| doc.create_pool(&a.member, new, a.now)).unwrap();
            pools.push(id);
        }
        for (what, which, amount) in steps {
            let pool = &pools[which];
            let gift = |kind| model::Gift {
                entry: model::EntryId::from_bytes(replica::fresh_id_bytes().unwrap()),
                kind,
                amount: amount.to_string().parse().unwrap(),
                note: format!("gift of {amount}"),
            };
            match what {
                0 => {
                    let g = gift(model::GiftKind::Pledge);
                    r.edit(&c, |doc, a| doc.give(&a.member, pool, g, a.now)).unwrap();
                }
                1 => {
                    let g = gift(model::GiftKind::Contribution);
                    r.edit(&c, |doc, a| doc.give(&a.member, pool, g, a.now)).unwrap();
                }
                2 => {
                    let ask = model::AllocationRequest {
                        entry: model::EntryId::from_bytes(replica::fresh_id_bytes().unwrap()),
                        proposal: model::ProposalId::from_bytes(replica::fresh_id_bytes().unwrap()),
                        amount: "1".parse().unwrap(),
                        reason: "Bus passes".into(),
                    };
                    // Refused when the pool holds too little: nothing is written then.
                    let _ = r.edit(&c, |doc, a| doc.request_allocation(&a.member, pool, ask, a.now));
                }
                3 => {
                    let new = issue(amount as usize);
                    r.edit(&c, |doc, a| doc.add_issue(&a.member, new, a.now)).unwrap();
                }
                _ => {
                    for _ in 0..=model::MAX_TOUCHED_CHANGES {
                        let g = gift(model::GiftKind::Pledge);
                        r.edit(&c, |doc, a| doc.give(&a.member, pool, g, a.now)).unwrap();
                    }
                }
            }
            for p in &pools {
                pool_as_read(&mut r, &c, p);
            }
        }
    }
}

/// What was found of the records that do not read is kept for the next run, and written
/// again when what is stored was changed since or belongs to another coalition's document
/// (taken back only where the document holds the heads it was read at, as sealed by this
/// build: `model::unreadable`'s tests); as the node stops it is kept as far as it was read.
#[test]
fn records_that_do_not_read_are_kept_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let (key, genuine, other);
    {
        let (mut r, id) = founded(dir.path());
        let new = issue(0);
        r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
            .unwrap();
        assert!(r.unreadable(&id).unwrap().is_empty());
        key = format!("unreadable/{id}");
        genuine = r
            .store()
            .get_record(&key)
            .unwrap()
            .expect("kept at the first read");
        let second = r
            .found_coalition(NewCoalition {
                name: "Housing Now".into(),
                ..Default::default()
            })
            .unwrap();
        r.unreadable(&second).unwrap();
        other = r
            .store()
            .get_record(&format!("unreadable/{second}"))
            .unwrap()
            .unwrap();
        // Changed behind the node's back.
        let mut changed = genuine.clone();
        let last = changed.len() - 2;
        changed[last] ^= 1;
        r.store().put_record(&key, &changed).unwrap();
    }
    let mut r = Replica::open(dir.path()).unwrap();
    let id = r
        .coalition_ids()
        .unwrap()
        .into_iter()
        .find(|c| key.ends_with(c.as_str()))
        .unwrap();
    assert!(r.unreadable(&id).unwrap().is_empty());
    assert_eq!(
        r.store().get_record(&key).unwrap().unwrap(),
        genuine,
        "read again and kept"
    );
    // Another coalition's, sealed by this build: its heads are not in this document.
    r.store().put_record(&key, &other).unwrap();
    drop(r);
    let mut r = Replica::open(dir.path()).unwrap();
    assert!(r.unreadable(&id).unwrap().is_empty());
    assert_eq!(r.store().get_record(&key).unwrap().unwrap(), genuine);
    // Read further, then kept as the node stops.
    let new = issue(1);
    r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
        .unwrap();
    r.unreadable(&id).unwrap();
    r.keep_reads();
    assert_ne!(r.store().get_record(&key).unwrap().unwrap(), genuine);
}

/// What was read of a coalition's history is kept for the next run (at the first read, and
/// as the node stops, as far as it was read); bytes changed since are read again.
#[test]
fn a_history_read_is_kept_for_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let (key, genuine, first);
    {
        let (mut r, id) = founded(dir.path());
        let new = issue(0);
        r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
            .unwrap();
        first = r.history(&id, None).unwrap();
        key = format!("history/{id}");
        genuine = r
            .store()
            .get_record(&key)
            .unwrap()
            .expect("kept at the first read");
        let text = String::from_utf8(genuine.clone()).unwrap();
        let changed = text.replacen(&first[0].message, "planted", 1);
        assert_ne!(changed, text);
        r.store().put_record(&key, changed.as_bytes()).unwrap();
    }
    let mut r = Replica::open(dir.path()).unwrap();
    let id = r.coalition_ids().unwrap()[0].clone();
    assert_eq!(r.history(&id, None).unwrap(), first, "read again");
    assert_eq!(r.store().get_record(&key).unwrap().unwrap(), genuine);
    // Nothing read further: nothing written as the node stops.
    r.keep_reads();
    assert_eq!(r.store().get_record(&key).unwrap().unwrap(), genuine);
    let new = issue(1);
    r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
        .unwrap();
    let read = r.history(&id, None).unwrap();
    assert_eq!(read.len(), first.len() + 1);
    r.keep_reads();
    let kept = r.store().get_record(&key).unwrap().unwrap();
    assert_ne!(kept, genuine);
    drop(r);
    // Taken back by the next run: what it says is what was read.
    let mut r = Replica::open(dir.path()).unwrap();
    assert_eq!(r.history(&id, None).unwrap(), read);
    // A change made before the next run reads the history: taken back and brought up to date
    // in memory, then written again as the node stops (else every start would read it again).
    let new = issue(2);
    r.edit(&id, |doc, a| doc.add_issue(&a.member, new, a.now))
        .unwrap();
    drop(r);
    let mut r = Replica::open(dir.path()).unwrap();
    let before = r.store().get_record(&key).unwrap().unwrap();
    assert_eq!(r.history(&id, None).unwrap().len(), read.len() + 1);
    r.keep_reads();
    let after = r.store().get_record(&key).unwrap().unwrap();
    assert_ne!(
        after, before,
        "written again as of the heads it was brought up to"
    );
    r.keep_reads();
    assert_eq!(r.store().get_record(&key).unwrap().unwrap(), after, "once");
}

/// A coalition whose join is pending counts as being joined even once part of it has arrived
/// (a long one arrives in pages), across a restart too, until the join is ended: reads say it
/// has not arrived rather than show half of it, and the node takes the join up again.
#[test]
fn a_coalition_that_has_partly_arrived_is_still_being_joined() {
    let a_home = tempfile::tempdir().unwrap();
    let (mut a, id) = founded(a_home.path());
    let part = a.save(&id).unwrap();
    drop(a);
    let parsed = model::automerge::AutoCommit::load(&part)
        .unwrap()
        .get_changes(&[])
        .into_iter()
        .collect::<Vec<_>>();

    let b_home = tempfile::tempdir().unwrap();
    Replica::init(b_home.path(), "Eastside Disability Justice").unwrap();
    let mut b = Replica::open(b_home.path()).unwrap();
    let join = replica::PendingJoin {
        code: "code".into(),
        org: "Eastside Disability Justice".into(),
        started_at: 0,
    };
    b.start_join(&id, join).unwrap();
    assert!(b.is_joining(&id), "nothing arrived yet");
    // Part of it arrives, as sync stores a page.
    {
        let (doc, _) = b.sync_entry(&id).unwrap();
        doc.apply_changes(parsed.clone()).unwrap();
    }
    b.persist_remote(&id, &parsed, &[]).unwrap();
    assert!(b.is_joining(&id), "part of it arrived: still being joined");
    assert!(matches!(b.read(&id), Err(ReplicaError::NotArrived { .. })));
    drop(b);
    let mut b = Replica::open(b_home.path()).unwrap();
    assert!(b.is_joining(&id), "across a restart");
    assert!(b.pending_joins().unwrap().contains_key(&id));
    b.end_join(&id).unwrap();
    assert!(!b.is_joining(&id), "the join ended: it has arrived");
    assert!(b.read(&id).is_ok());
}

/// A node drafts its coalition's roster and a goal's progress, signing each; a new draft on a
/// subject follows the last; what travels verifies against the roster.
#[test]
fn a_node_drafts_and_signs_statements_that_follow_each_other() {
    use model::federation::{RosterChain, Threshold};
    use model::statements::Topic;
    let dir = tempfile::tempdir().unwrap();
    let (mut r, c) = founded(dir.path());
    assert!(r.roster_chain(&c).unwrap().is_none());
    let goal = model::GoalId::from_bytes([6; 16]);
    r.edit(&c, |d, a| {
        d.add_goal(
            &a.member,
            &goal,
            "Homes kept",
            "100".parse().unwrap(),
            "homes",
            a.now,
        )
    })
    .unwrap();
    let e = r
        .draft_statement(&c, &Topic::Goal(goal.clone()))
        .unwrap_err();
    assert!(e.to_string().contains("no roster yet"), "{e}");
    let roster = r.draft_statement(&c, &Topic::Roster).unwrap();
    let version = r.roster_chain(&c).unwrap().map(|c| c.version());
    assert_eq!(version, Some(1), "signed by its only member");
    // A junk draft (never co-signed) numbered as high as can be, on the same goal: what a
    // member writes in its own record, which a new draft does not follow.
    let junk = {
        let mut s = r.drafts(&c).unwrap()[&roster].statement.clone();
        s.value = model::federation::Value::Goal(model::federation::GoalProgress {
            goal: goal.to_bytes(),
            title: "Homes kept".into(),
            unit: "homes".into(),
            target: 1,
            latest: None,
        });
        s.roster = 1;
        s.sequence = u64::MAX;
        s.supersedes = None;
        r.edit(&c, |d, a| d.draft_statement(&a.member, &s, a.now))
            .unwrap()
    };
    let first = r.draft_statement(&c, &Topic::Goal(goal.clone())).unwrap();
    assert_eq!(
        r.drafts(&c).unwrap()[&first].statement.sequence,
        1,
        "the junk is not followed"
    );
    let e = r.sign_statement(&c, &junk).unwrap_err();
    assert!(e.to_string().contains("does not follow"), "{e}");
    r.edit(&c, |d, a| {
        d.record_progress(
            &a.member,
            &goal,
            "2026-11-20".parse().unwrap(),
            "7".parse().unwrap(),
            "",
            a.now,
        )
    })
    .unwrap();
    let second = r.draft_statement(&c, &Topic::Goal(goal.clone())).unwrap();
    let drafts = r.drafts(&c).unwrap();
    let (one, two) = (&drafts[&first], &drafts[&second]);
    assert_eq!((one.statement.roster, one.statement.sequence), (1, 1));
    assert_eq!(two.statement.sequence, 2);
    assert_eq!(two.statement.supersedes, Some(first.0));
    // Signing again what it signed changes nothing; an unknown id is named.
    let before = r.drafts(&c).unwrap()[&second].cosigns.clone();
    r.sign_statement(&c, &second).unwrap();
    assert_eq!(r.drafts(&c).unwrap()[&second].cosigns, before);
    // Once newer changes alter what a draft says, it is out of date: not signed again.
    r.edit(&c, |d, a| {
        d.record_progress(
            &a.member,
            &goal,
            "2026-11-21".parse().unwrap(),
            "9".parse().unwrap(),
            "",
            a.now,
        )
    })
    .unwrap();
    let e = r.sign_statement(&c, &second).unwrap_err();
    assert!(e.to_string().contains("out of date"), "{e}");
    let e = r
        .sign_statement(&c, &model::federation::StatementId([9; 32]))
        .unwrap_err();
    assert!(e.to_string().contains("no statement drafted"), "{e}");

    let roster = drafts[&roster].signed();
    let chain = RosterChain::trust(&roster.id(), &roster).unwrap();
    let v = chain
        .verify(&two.signed(), Threshold::new(1).unwrap())
        .unwrap();
    assert_eq!(v.signers.len(), 1);
}

/// A node co-signs on its own the drafts it computes the same (a roster drafted without its
/// signature) and not one it computes otherwise (a roster listing a stranger), which it
/// remembers and does not try again.
#[test]
fn a_node_co_signs_on_its_own_what_it_computes_the_same() {
    use model::statements::{Stated, Topic};
    let dir = tempfile::tempdir().unwrap();
    let (mut r, c) = founded(dir.path());
    let stated = Stated {
        as_of: model::Timestamp::from_secs(replica::now().as_secs()),
        roster: 0,
        sequence: 1,
        supersedes: None,
    };
    let honest = r
        .edit(&c, |d, a| {
            let s = model::statements::statement_of(d, &Topic::Roster, stated)
                .map_err(|e| model::EditError::Refused { why: e.to_string() })?;
            d.draft_statement(&a.member, &s, a.now)
        })
        .unwrap();
    let forged = r
        .edit(&c, |d, a| {
            let mut s = model::statements::statement_of(d, &Topic::Roster, stated)
                .map_err(|e| model::EditError::Refused { why: e.to_string() })?;
            if let model::federation::Value::Roster(roster) = &mut s.value {
                roster.members.push(model::federation::RosterMember {
                    member: [0xff; 16],
                    name: "Stranger".into(),
                    keys: vec![[0xfe; 32]],
                });
            }
            d.draft_statement(&a.member, &s, a.now)
        })
        .unwrap();
    assert!(r.roster_chain(&c).unwrap().is_none(), "drafted, not signed");
    let mut refused = std::collections::HashSet::new();
    let signed = r.cosign_pending(&mut refused).unwrap();
    assert_eq!(signed, vec![(c.clone(), honest)]);
    assert!(refused.contains(&forged));
    assert_eq!(
        r.roster_chain(&c).unwrap().map(|c| c.newest_id()),
        Some(honest)
    );
    // Nothing more the next round.
    assert!(r.cosign_pending(&mut refused).unwrap().is_empty());
}

/// A node co-signs no call once the question it asks about has closed, whatever time the
/// draft states: the call would ask affiliates of a count already closed (a co-signer rebuilds
/// the call at the draft's own time, so only its clock tells).
#[test]
fn a_node_co_signs_no_call_once_its_question_closed() {
    use model::statements::{Stated, Topic};
    let dir = tempfile::tempdir().unwrap();
    let (mut r, c) = founded(dir.path());
    r.draft_statement(&c, &Topic::Roster).unwrap();
    let question = model::ProposalId::from_bytes([7; 16]);
    let now = replica::now().as_secs();
    let closes = model::Timestamp::from_secs(now + 2);
    r.edit(&c, |d, a| {
        d.new_proposal(
            &a.member,
            model::NewProposal {
                id: question.clone(),
                kind: model::DecisionKind::General,
                title: "Back the national rent cap".into(),
                text: String::new(),
                closes_at: Some(closes),
            },
            a.now,
        )
    })
    .unwrap();
    // Drafted (not signed) while the question is open.
    let stated = Stated {
        as_of: model::Timestamp::from_secs(now),
        roster: 1,
        sequence: 1,
        supersedes: None,
    };
    let call = r
        .edit(&c, |d, a| {
            let s = model::statements::statement_of(d, &Topic::Call(question.clone()), stated)
                .map_err(|e| model::EditError::Refused { why: e.to_string() })?;
            d.draft_statement(&a.member, &s, a.now)
        })
        .unwrap();
    while replica::now() < closes {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let e = r.sign_statement(&c, &call).unwrap_err();
    assert!(e.to_string().contains("a call after the close"), "{e}");
    assert!(r.drafts(&c).unwrap()[&call].cosigns.is_empty());
}
