//! A member's node forking its history: flagged, and honest nodes converge on the version
//! built on.

use std::time::Duration;

use coalesce_tests::{Node, eventually};
use model::automerge::AutoCommit;

use super::{Hostile, exported, key_of, obj, raw_change, secret_of};

/// A member's node forks its history: one version of its next change goes to one node, a
/// different one with the same sequence number to another. The two honest nodes find the
/// fork and each keeps its version until a member writes on one: then both hold that one,
/// the other is kept apart where it was stored, and the documents are identical; the
/// operator sees which member's node did it; another version of that change is set aside
/// too. (Before, each kept its version and refused the other's: split for good.)
#[test]
fn a_member_forking_its_history_is_flagged_and_honest_nodes_converge_on_the_version_built_on() {
    use model::automerge::transaction::Transactable;
    let _serial = coalesce_tests::network_lock();
    let (mut orgs, c) = crate::network::coalition_of_three();
    let issue = orgs[0]
        .node
        .ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    for org in &orgs {
        org.node.wait_for(
            20,
            "the issue everywhere",
            &["issue", "show", "--coalition", &c, &issue],
        );
    }
    // East's node turns hostile (its key is used by a bare endpoint).
    orgs[1].stop();
    let north = &orgs[0].node;
    let faith = &orgs[2].node;
    let secret_east = secret_of(&orgs[1].node);
    let key_east = key_of(&secret_east);
    let bytes = exported(north, &c);
    let issue_id = north.json(&["issue", "show", "--coalition", &c, &issue])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = |title: &str| {
        raw_change(&bytes, key_east, |d| {
            let i = obj(d, &["issues", &issue_id]);
            d.put(&i, "title", title).unwrap();
        })
    };
    let (a, b) = (
        version("Version told to North"),
        version("Version told to Faith"),
    );
    assert_eq!(a.seq(), b.seq());
    let port = |o: &crate::network::Org| {
        o.node.json(&["status"])["addresses"]
            .as_array()
            .and_then(|a| {
                a.first()?
                    .as_str()?
                    .rsplit_once("/tcp/")?
                    .1
                    .split('/')
                    .next()?
                    .parse::<u16>()
                    .ok()
            })
            .unwrap()
    };
    let to_north = Hostile::connect(secret_east, port(&orgs[0]), key_of(&secret_of(north)));
    to_north.hello(&c);
    to_north.push(&c, &a);
    let to_faith = Hostile::connect(secret_east, port(&orgs[2]), key_of(&secret_of(faith)));
    to_faith.hello(&c);
    to_faith.push(&c, &b);

    // North and Faith meet (they are connected): both find the fork.
    for node in [north, faith] {
        eventually(30, "the fork found", || {
            let status = node.json(&["status"]);
            let forked = status["coalitions"][0]["forked"].as_array()?.clone();
            (forked.len() == 1 && forked[0]["node"] == key_east.to_string()).then_some(())
        });
    }
    let title = |n: &Node| n.json(&["issue", "show", "--coalition", &c, &issue])["title"].clone();
    // No other member built on either version yet: each keeps the one that reached it
    // first (North's, or Faith's if Faith relayed it first).
    let versions = |t: &serde_json::Value| {
        if t == "Version told to North" {
            a.hash().to_string()
        } else {
            b.hash().to_string()
        }
    };
    let held = [title(north), title(faith)];
    // North's organization writes, on the version it holds: that one is kept everywhere.
    north.ok(&["issue", "add", "--coalition", &c, "Fare-free buses"]);
    eventually(30, "North and Faith to agree", || {
        (title(faith) == held[0]).then_some(())
    });
    let heads = |n: &Node| {
        let mut d = AutoCommit::load(&exported(n, &c)).unwrap();
        let mut h = d.get_heads();
        h.sort();
        h
    };
    eventually(30, "identical documents", || {
        (heads(north) == heads(faith)).then_some(())
    });
    assert!(
        north
            .ok(&["status"])
            .contains("wrote two different changes with one sequence number"),
    );
    // A node that had applied and stored the other version keeps it apart, and lists it.
    for (node, t) in [north, faith].into_iter().zip(&held) {
        let kept = node.json(&["audit", "aside", "--coalition", &c]);
        let kept = kept.as_array().unwrap();
        if *t == held[0] {
            assert!(kept.is_empty(), "{kept:?}");
            continue;
        }
        assert_eq!(kept.len(), 1, "{kept:?}");
        assert_eq!(kept[0]["change"], versions(t), "{kept:?}");
        assert_eq!(kept[0]["node"], key_east.to_string());
        let text = node.ok(&["status"]);
        assert!(text.contains("coalesce audit aside"), "{text}");
        let listed = node.ok(&["audit", "aside", "--coalition", &c]);
        assert!(listed.contains("Eastside Disability Justice"), "{listed}");
    }
    // Yet another version of that change is set aside everywhere, not refused.
    let later = raw_change(&bytes, key_east, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "status", "won").unwrap();
    });
    to_north.push(&c, &later);
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        north.json(&["issue", "show", "--coalition", &c, &issue])["status"],
        "raised"
    );
    // Both honest members' nodes flag East's key: what it writes after seeing both flags is
    // refused on every node, with the reason, and the operator is told.
    for node in [north, faith] {
        eventually(30, "East's key flagged by both others", || {
            let status = node.json(&["status"]);
            let f = &status["coalitions"][0]["forked"][0];
            (f["refused"] == true && f["flagged_by"].as_array()?.len() == 2).then_some(())
        });
    }
    assert!(north.ok(&["status"]).contains("2 other members flagged it"));
    eventually(30, "both flags on both nodes", || {
        (heads(north) == heads(faith)).then_some(())
    });
    let after = raw_change(&exported(north, &c), key_east, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "title", "Written after the flags").unwrap();
    });
    to_north.push(&c, &after);
    to_faith.push(&c, &after);
    for node in [north, faith] {
        eventually(30, "the flagged key's change refused", || {
            let refused = node.ok(&["audit", "refused"]);
            refused
                .contains("flagged it for writing two histories")
                .then_some(())
        });
    }
    assert_eq!(title(north), held[0]);
    assert_eq!(title(faith), held[0]);
    assert_eq!(
        coalesce_tests::http_get(north.home(), "/health"),
        (200, "ok".to_owned())
    );
    let metrics = coalesce_tests::http_get(north.home(), "/metrics").1;
    assert!(metrics.contains("coalesce_forks_total 1"), "{metrics}");
}
