//! One member's node cannot brick, crash or exhaust a node.

use coalesce_tests::eventually;
use model::CoalitionDoc;
use model::automerge::AutoCommit;
use sync::Message;
use sync::wire::ByteChunk;

use super::{Hostile, Members, exported, key_of, obj, raw_change, secret_of, two_members, wire};

/// One member's node, signing with its own key, sends what used to break a coalition for
/// everyone: a value of the wrong type where it may write, changes that do not chain, a
/// compressed change that inflates to gigabytes. Each is refused with its reason, the node
/// stays up and healthy, the coalition stays readable and exportable, and the member's next
/// honest change is taken.
#[test]
fn one_member_cannot_brick_crash_or_exhaust_a_node() {
    use model::automerge::ExpandedChange;
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
    let issue = a.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    b.wait_for(
        20,
        "B to receive the issue",
        &["issue", "show", "--coalition", &c, &issue],
    );
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
    let issue_id = a.json(&["issue", "show", "--coalition", &c, &issue])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hostile = Hostile::connect(secret_b, pa, key_a);
    hostile.hello(&c);

    // 1. A number where B's own name belongs; an issue title that is a list.
    hostile.push(
        &c,
        &raw_change(&bytes, key_b, |d| {
            let me = obj(d, &["members", &member_b]);
            d.put(&me, "name", 42i64).unwrap();
        }),
    );
    hostile.push(
        &c,
        &raw_change(&bytes, key_b, |d| {
            let i = obj(d, &["issues", &issue_id]);
            d.put_object(&i, "title", model::automerge::ObjType::List)
                .unwrap();
        }),
    );
    // 2. A change whose sequence number skips, and one whose counters overlap earlier ones.
    let honest = raw_change(&bytes, key_b, |d| {
        let i = obj(d, &["issues", &issue_id]);
        d.put(&i, "status", "adopted").unwrap();
    });
    let mut skipped: ExpandedChange = honest.decode();
    skipped.seq += 5;
    hostile.push(&c, &model::automerge::Change::from(skipped));
    let mut overlapping: ExpandedChange = honest.decode();
    overlapping.start_op = std::num::NonZeroU64::new(3).unwrap();
    hostile.push(&c, &model::automerge::Change::from(overlapping));
    // 3. A compressed change that inflates to 64 MiB (a few kilobytes on the wire).
    let bomb = {
        use std::io::Write;
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            enc.write_all(&zeros).unwrap();
        }
        let deflated = enc.finish().unwrap();
        let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
        let mut n = deflated.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                chunk.push(byte);
                break;
            }
            chunk.push(byte | 0x80);
        }
        chunk.extend(deflated);
        chunk
    };
    assert!(bomb.len() < 200_000);
    hostile.send(
        Message::Changes {
            coalition: wire(&c),
            changes: vec![ByteChunk(bomb)],
            heads: vec![],
            vouchers: Vec::new(),
        }
        .encode(),
    );

    let log = eventually(20, "every refusal in the audit log", || {
        let log = a.json(&["audit", "refused"]);
        (log.as_array()?.len() == 5).then_some(log)
    });
    let reasons: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons[0].contains("name") && reasons[0].contains("text"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("title"), "{reasons:?}");
    assert!(reasons[2].contains("does not follow"), "{reasons:?}");
    assert!(reasons[3].contains("starts at operation"), "{reasons:?}");
    assert!(reasons[4].contains("inflates beyond"), "{reasons:?}");

    // The node is up and healthy, the coalition reads and exports, and loads again.
    assert_eq!(
        coalesce_tests::http_get(a.home(), "/health"),
        (200, "ok".to_owned())
    );
    let issues = a.json(&["issue", "list", "--coalition", &c]);
    assert_eq!(issues[0]["title"], "Bus fares");
    assert!(
        a.json(&["member", "list", "--coalition", &c])
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    AutoCommit::load(&exported(&a, &c)).expect("the export loads");
    // B's next honest change is taken.
    hostile.push(&c, &honest);
    eventually(20, "B's honest change to arrive", || {
        (a.json(&["issue", "show", "--coalition", &c, &issue])["status"] == "adopted").then_some(())
    });
    assert!(da.stop(), "the node stops cleanly");
}
