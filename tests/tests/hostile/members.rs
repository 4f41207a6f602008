//! A member's node breaking the charter's rules, a removed member, and a flooding member:
//! refused, sent nothing, or slowed down, while the others stay served.

use std::time::Duration;

use coalesce_tests::{Node, eventually, free_port};
use model::CoalitionDoc;
use model::automerge::AutoCommit;
use net::core::Event;
use sync::Message;
use sync::wire::ByteChunk;

use super::{
    FORGED, Hostile, Members, exported, key_of, obj, raw_change, secret_of, two_members, wire,
};

#[test]
fn a_member_breaking_the_charters_rules_is_refused_and_the_operator_sees_why() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    // A founded the coalition, admitted B and opened a proposal; B's node turns hostile: it
    // signs honestly with its own key, but writes what is not its to write.
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    let p = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "March on city hall",
    ]);
    let issue = a.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    let pool = a.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "Legal fund",
        "--kind",
        "funds",
        "--unit",
        "USD",
    ]);
    b.wait_for(
        20,
        "B to receive the proposal",
        &["proposal", "show", "--coalition", &c, &p],
    );
    assert!(db.stop());
    assert!(a.json(&["audit", "refused"]).as_array().unwrap().is_empty());
    let key_a = key_of(&secret_of(&a));
    let secret_b = secret_of(&b);
    let key_b = key_of(&secret_b);
    let bytes = exported(&a, &c);
    let state = AutoCommit::load(&bytes).unwrap();
    let member_a = CoalitionDoc::from_automerge(state)
        .unwrap()
        .member_for_key(key_a)
        .unwrap()
        .to_string();
    let proposal = a.json(&["proposal", "show", "--coalition", &c, &p])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let issue_id = issue.clone(); // `issue add` prints the whole id

    let hostile = Hostile::connect(secret_b, pa, key_a);
    hostile.hello(&c);
    let push = |change: model::automerge::Change| hostile.push(&c, &change);
    // 1. B records a position in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let positions = obj(d, &["proposals", &proposal, "positions"]);
        let pos = d
            .put_object(
                &positions,
                member_a.as_str(),
                model::automerge::ObjType::Map,
            )
            .unwrap();
        d.put(&pos, "stance", "block").unwrap();
        d.put(&pos, "reason", "forged").unwrap();
        d.put(&pos, "at", 1i64).unwrap();
    }));
    // 2. B rewrites the charter's amendment rule without a proposal.
    push(raw_change(&bytes, key_b, |d| {
        let rule = obj(d, &["charter", "rules", "amendment"]);
        d.put(&rule, "method", "majority").unwrap();
    }));

    // 3. B ranks an issue in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let ranks = obj(d, &["issues", &issue, "ranks"]);
        d.put(&ranks, member_a.as_str(), 1u64).unwrap();
    }));
    // 4. B pledges in A's name.
    push(raw_change(&bytes, key_b, |d| {
        let ledger = obj(d, &["pools", &pool, "ledger"]);
        let e = d
            .put_object(&ledger, FORGED, model::automerge::ObjType::Map)
            .unwrap();
        for (k, v) in [
            ("id", FORGED),
            ("kind", "pledge"),
            ("member", member_a.as_str()),
            ("note", ""),
        ] {
            d.put(&e, k, v).unwrap();
        }
        d.put(&e, "amount", 100_000i64).unwrap();
        d.put(&e, "at", 1i64).unwrap();
        d.put(&e, "proposal", ()).unwrap();
    }));
    // 5. B strikes A from the member list.
    push(raw_change(&bytes, key_b, |d| {
        let members = obj(d, &["members"]);
        d.delete(&members, member_a.as_str()).unwrap();
    }));
    // 6. B writes a translation in A's name (into A's own record).
    push(raw_change(&bytes, key_b, |d| {
        let record = obj(d, &["members", member_a.as_str()]);
        let translations = d
            .put_object(&record, "translations", model::automerge::ObjType::Map)
            .unwrap();
        let t = d
            .put_object(
                &translations,
                format!("issues/{issue_id}/title@es").as_str(),
                model::automerge::ObjType::Map,
            )
            .unwrap();
        d.put(&t, "text", "Forjado").unwrap();
        d.put(&t, "machine", false).unwrap();
        d.put(&t, "at", 1i64).unwrap();
    }));

    eventually(20, "every refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (log.as_array()?.len() == 6).then_some(log)
    });
    let log = a.json(&["audit", "refused"]);
    let reasons: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("positions") && reasons[0].contains("only member"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("passed proposal"), "{reasons:?}");
    assert!(
        reasons[2].contains("ranks") && reasons[2].contains("only member"),
        "{reasons:?}"
    );
    assert!(
        reasons[3].contains(&format!("member names {member_a}")),
        "{reasons:?}"
    );
    assert!(
        reasons[4].contains("members/") && reasons[4].contains("passed proposal"),
        "{reasons:?}"
    );
    assert!(
        reasons[5].contains("translations") && reasons[5].contains("only member"),
        "{reasons:?}"
    );
    assert!(
        log[0]["peer"].as_str().unwrap() == key_b.to_string(),
        "{log}"
    );
    let table = a.ok(&["audit", "refused"]);
    assert!(
        table.contains("REFUSED BECAUSE") && table.contains("passed proposal"),
        "{table}"
    );
    // The operator's monitoring counts them by kind, without the API token.
    let (status, metrics) = coalesce_tests::http_get(a.home(), "/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("coalesce_refused_total{reason=\"rule\"} 6"),
        "{metrics}"
    );

    // Nothing got in: no position, the founding rule still in force.
    let shown = a.json(&["proposal", "show", "--coalition", &c, &p]);
    assert_eq!(
        shown["positions"].as_object().map(|m| m.len()),
        Some(0),
        "{shown}"
    );
    let charter = a.json(&["charter", "show", "--coalition", &c]);
    assert_eq!(charter["rules"]["amendment"], "consensus@1/2", "{charter}");
    assert!(da.stop(), "the node shut down cleanly");
}

#[test]
fn a_removed_member_is_sent_nothing_and_its_later_changes_are_refused() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    let Members {
        a,
        b,
        pa,
        da,
        db,
        c,
    } = two_members();
    // A removes B: the membership rule is consensus of the other members, here A alone.
    let p = a.ok(&[
        "member",
        "remove",
        "--coalition",
        &c,
        "Eastside Disability Justice",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &p, "agree"]);
    eventually(20, "B's node to learn of its removal", || {
        let members = b.json(&["member", "list", "--coalition", &c]);
        (members.as_array()?.len() == 1).then_some(())
    });
    assert!(db.stop());
    let key_a = key_of(&secret_of(&a));
    let secret_b = secret_of(&b);
    let key_b = key_of(&secret_b);
    let bytes = exported(&a, &c);
    let member_b = CoalitionDoc::from_automerge(AutoCommit::load(&bytes).unwrap())
        .unwrap()
        .member_for_key(key_b)
        .unwrap()
        .to_string();

    // B's node, modified, reconnects: A no longer names the coalition to it...
    let mut hostile = Hostile::connect(secret_b, pa, key_a);
    assert_eq!(
        hostile.next_message(),
        Message::Hello {
            coalitions: vec![],
            max_message: sync::wire::MAX_MESSAGE as u64,
            takes: Vec::new(),
        }
    );
    hostile.hello(&c);
    // ...and refuses what it writes after its removal, signed with its own key.
    let change = raw_change(&bytes, key_b, |d| {
        let me = obj(d, &["members", &member_b]);
        d.put(&me, "contact", "we never left").unwrap();
    });
    hostile.push(&c, &change);
    hostile.send(
        Message::Sync {
            coalition: wire(&c),
            sync: vec![0x42, 0, 0, 0, 0],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );
    let log = eventually(20, "the refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (!log.as_array()?.is_empty()).then_some(log)
    });
    // Refused before its content is read: the coalition is no longer shared with it. (A
    // member relaying such a change would see it refused by the rules instead: written by a
    // key that was not a member's; see the model's governance tests.)
    assert!(
        log[0]["reason"].as_str().unwrap().contains("not shared"),
        "{log}"
    );
    assert_eq!(log[0]["peer"], key_b.to_string());
    std::thread::sleep(Duration::from_millis(300));
    while let Ok(e) = hostile.events.try_recv() {
        assert!(
            !matches!(e, Event::Frame(..)),
            "a removed member's node was sent {e:?}"
        );
    }
    let all = a.json(&["member", "list", "--coalition", &c, "--all"]);
    let b_record = all
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member_b.as_str())
        .unwrap();
    assert_eq!(b_record["status"], "removed");
    assert_eq!(b_record["contact"], "", "nothing it wrote got in: {all}");
    assert!(da.stop());
}

#[test]
fn a_flooding_member_is_slowed_down_and_the_others_stay_served() {
    let _serial = coalesce_tests::network_lock();
    // A admits 20 messages a second from each peer (bursts of 40).
    let (a, b, x) = (
        Node::init("Northside Tenants Union"),
        Node::init("Eastside Disability Justice"),
        Node::init("Faith in Transit"),
    );
    let pa = free_port();
    let listen = format!("/ip4/127.0.0.1/tcp/{pa}");
    let da = a.run_daemon_with(&listen, &[("COALESCE_PEER_FRAMES_PER_SECOND", "20")]);
    let db = b.run_daemon(free_port());
    let dx = x.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    for node in [&b, &x] {
        let code = a.ok(&["invite", "create", "--coalition", &c]);
        node.ok(&["join", &code, "--wait", "30"]);
    }
    // The third member's node turns into a flood of messages.
    assert!(dx.stop());
    let key_a = key_of(&secret_of(&a));
    let bytes = exported(&a, &c);
    let held = AutoCommit::load(&bytes).unwrap().get_changes(&[]);
    let mut hostile = Hostile::connect(secret_of(&x), pa, key_a);
    assert_eq!(
        hostile.next_message(),
        Message::Hello {
            coalitions: vec![wire(&c)],
            max_message: sync::wire::MAX_MESSAGE as u64,
            takes: Vec::new(),
        }
    );
    hostile.hello(&c);
    while !matches!(hostile.next_message(), Message::Sync { .. }) {}
    // 400 replays of a change A holds: each valid, none adding anything; at 20 a second
    // they take A at least 18 seconds to read.
    let replay = Message::Changes {
        coalition: wire(&c),
        changes: vec![ByteChunk(held[0].raw_bytes().to_vec())],
        heads: vec![],
        vouchers: Vec::new(),
    }
    .encode();
    for _ in 0..400 {
        hostile.send(replay.clone());
    }
    // Meanwhile an honest member keeps working, and A keeps hearing from it.
    let started = std::time::Instant::now();
    let issue = b.ok(&["issue", "add", "--coalition", &c, "Night buses"]);
    a.wait_for(
        20,
        "A to receive B's issue during the flood",
        &["issue", "show", "--coalition", &c, &issue],
    );
    let served_in = started.elapsed();
    assert!(
        served_in < Duration::from_secs(10),
        "B was kept waiting {served_in:?} by the flood"
    );
    eventually(20, "A to slow the flooding peer down", || {
        da.logged("faster than its rate limit").then_some(())
    });
    a.ok(&["issue", "add", "--coalition", &c, "Still serving"]);
    assert!(da.stop(), "the flooded node shut down cleanly");
    assert!(db.stop());
}
