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

#[test]
fn a_due_compaction_waits_for_a_tick_with_nothing_else_to_do() {
    let home = tempfile::tempdir().unwrap();
    Replica::init(home.path(), "Northside Tenants Union").unwrap();
    let mut r = Replica::open(home.path()).unwrap();
    let c = r
        .found_coalition(NewCoalition {
            name: "Transit Justice".into(),
            ..Default::default()
        })
        .unwrap();
    // Enough edits through the node for a compaction to be due, then a tick: the node was
    // busy since the last one, so it does not compact yet.
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
    // A tick after a quiet one: compacted.
    let r = run(r, |events| {
        events.blocking_send(Event::Tick).unwrap();
    });
    assert!(!r.compaction_due());
    let stored = r.store().load(c.as_str()).unwrap().unwrap();
    assert!(stored.snapshot.is_some() && stored.changes.is_empty());
}
