//! Compacting a coalition's stored history waits until the running node has a quiet moment,
//! so that it is never on the way of a catch-up, an edit or an answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use commands::ops::issues::NewIssueRequest;
use commands::ops::{Reply, Request};
use net::core::{CHANNEL, Core, Event};
use replica::{NewCoalition, Replica};
use tokio::sync::{mpsc, oneshot};

/// Runs a core over `replica`, hands it `events` in order, then stops it: the replica back.
fn run(replica: Replica, events: impl FnOnce(&mpsc::Sender<Event>)) -> Replica {
    let (events_tx, events_rx) = mpsc::channel(CHANNEL);
    let (out_tx, _out_rx) = mpsc::channel(CHANNEL);
    let (dial_tx, _dial_rx) = mpsc::channel(CHANNEL);
    let core = Core::new(replica, out_tx, dial_tx, Vec::new());
    let running = std::thread::spawn(move || core.run(events_rx));
    events(&events_tx);
    events_tx.blocking_send(Event::Shutdown).unwrap();
    running.join().unwrap()
}

/// Hands `events` an operation that reads, and waits for its answer (the node is busy).
fn read(events: &mpsc::Sender<Event>, c: &model::CoalitionId) {
    let (tx, rx) = oneshot::channel();
    let req = Request::CharterShow {
        coalition: c.to_string(),
    };
    events
        .blocking_send(Event::Api(api::Job::Op(req, tx)))
        .unwrap();
    assert!(rx.blocking_recv().unwrap().is_ok());
}

/// A home with a coalition whose compaction is due (edits made through a node), and the
/// replica back from that node: its last tick came while it was busy, so it did not compact.
fn due() -> (tempfile::TempDir, Replica, model::CoalitionId) {
    let home = tempfile::tempdir().unwrap();
    Replica::init(home.path(), "Northside Tenants Union").unwrap();
    let mut r = Replica::open(home.path()).unwrap();
    let c = r
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap();
    let r = run(r, |events| {
        for i in 0..replica::COMPACT_AFTER {
            let (tx, rx) = oneshot::channel();
            let req = Request::IssueCreate {
                coalition: c.to_string(),
                body: NewIssueRequest {
                    title: format!("Issue {i}"),
                    ..Default::default()
                },
            };
            events
                .blocking_send(Event::Api(api::Job::Op(req, tx)))
                .unwrap();
            assert!(matches!(rx.blocking_recv().unwrap(), Ok(Reply::Created(_))));
        }
        events.blocking_send(Event::Tick).unwrap();
    });
    assert!(r.compaction_due(), "not while the node was busy");
    assert!(
        r.store()
            .load(c.as_str())
            .unwrap()
            .unwrap()
            .snapshot
            .is_none()
    );
    (home, r, c)
}

/// Whether the coalition is stored as one snapshot, with nothing more due.
fn compacted(r: &Replica, c: &model::CoalitionId) -> bool {
    let stored = r.store().load(c.as_str()).unwrap().unwrap();
    !r.compaction_due() && stored.snapshot.is_some() && stored.changes.is_empty()
}

#[test]
fn a_due_compaction_waits_for_a_tick_with_nothing_else_to_do() {
    let (_home, r, c) = due();
    // Busy, then a tick: not yet.
    let r = run(r, |events| {
        read(events, &c);
        events.blocking_send(Event::Tick).unwrap();
        read(events, &c);
    });
    assert!(!compacted(&r, &c), "a tick after work waits");
    // Ticks queued while the node was busy (a long page applied) arrive together once it
    // is done: no whole tick passed without work, so not yet.
    let r = run(r, |events| {
        read(events, &c);
        for _ in 0..3 {
            events.blocking_send(Event::Tick).unwrap();
        }
        read(events, &c);
    });
    assert!(!compacted(&r, &c), "ticks in a row after work wait");
    // Busy, then a tick after a whole tick's time with nothing to do: compacted.
    let r = run(r, |events| {
        read(events, &c);
        events.blocking_send(Event::Tick).unwrap();
        // (With a margin: the core marks its work done a little after it answers.)
        std::thread::sleep(net::swarm::TICK + std::time::Duration::from_millis(500));
        events.blocking_send(Event::Tick).unwrap();
        read(events, &c);
    });
    assert!(compacted(&r, &c), "the tick after a quiet one compacts");
}

#[test]
fn a_node_never_quiet_compacts_after_waiting_a_while() {
    let (_home, r, c) = due();
    let r = run(r, |events| {
        for _ in 0..(net::core::COMPACT_WAIT_TICKS - 1) {
            read(events, &c);
            events.blocking_send(Event::Tick).unwrap();
        }
        read(events, &c);
    });
    assert!(!compacted(&r, &c), "not before its wait is over");
    let r = run(r, |events| {
        for _ in 0..net::core::COMPACT_WAIT_TICKS {
            read(events, &c);
            events.blocking_send(Event::Tick).unwrap();
        }
        read(events, &c);
    });
    assert!(
        compacted(&r, &c),
        "compacted after waiting, busy as the node was"
    );
}
