//! Links and statements between real nodes (issue 20): a link decided by both members; a
//! roster and a goal's progress drafted on one member's node and co-signed on the other's
//! once it computes the same from its own copy; the file exported for the link holds them,
//! and they verify against the roster with the link's threshold, whoever carries the file; the
//! national coalition's node, which never shares anything with the region's, imports it and
//! shows where each figure came from, and refuses a changed file and a statement one member
//! signed alone, saying why.

use coalesce_tests::{Node, eventually, free_port};
use model::federation::{RosterChain, Signed, StatementsFile, Threshold};

#[test]
fn statements_drafted_on_one_node_are_co_signed_on_another_and_exported_for_a_link() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Coastal Tenants");
    let b = Node::init("Harbor Faith Network");
    let n = Node::init("National Tenants Network");
    let _da = a.run_daemon(free_port());
    let _db = b.run_daemon(free_port());
    let _dn = n.run_daemon(free_port());
    let national = n.ok(&["coalition", "create", "National Housing Alliance"]);
    let c = a.ok(&["coalition", "create", "Coastal Housing Coalition"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);

    // The link, under the amendment rule (consensus): both agree.
    let link = a.ok(&[
        "link",
        "propose",
        "--coalition",
        &c,
        "--with",
        &national,
        "--name",
        "National Housing Alliance",
        "--relation",
        "parent",
        "--publish",
        "goal",
    ]);
    a.ok(&["proposal", "vote", "--coalition", &c, &link, "agree"]);
    b.wait_for(
        30,
        "the link proposal reaches B",
        &["proposal", "vote", "--coalition", &c, &link, "agree"],
    );
    eventually(30, "the link is in force on A", || {
        a.ok(&["link", "list", "--coalition", &c])
            .contains("National Housing Alliance")
            .then_some(())
    });
    let goal = a.ok(&[
        "charter",
        "goal",
        "add",
        "--coalition",
        &c,
        "Homes kept",
        "--target",
        "100",
        "--unit",
        "homes",
    ]);
    a.ok(&[
        "charter",
        "goal",
        "progress",
        "--coalition",
        &c,
        &goal,
        "--value",
        "42",
        "--date",
        "2026-11-20",
    ]);

    // The roster: drafted on A (signed by A alone: one of two, not yet in force), co-signed on
    // B once B holds A's draft and computes the same roster.
    let roster = a.ok(&["statement", "draft", "--coalition", &c, "--kind", "roster"]);
    b.wait_for(
        30,
        "B computes A's roster and co-signs it",
        &["statement", "sign", "--coalition", &c, &roster],
    );
    // The goal's progress, under that roster once A holds B's signature.
    eventually(30, "B's signature of the roster reaches A", || {
        let listed = a.json(&["statement", "list", "--coalition", &c]);
        let signed = listed
            .as_array()?
            .iter()
            .find(|s| s["id"] == roster.as_str())?["signed_by"]
            .as_array()?
            .len();
        (signed == 2).then_some(())
    });
    let progress = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &c,
        "--kind",
        "goal",
        "--record",
        &goal,
    ]);
    b.wait_for(
        30,
        "B co-signs the goal's progress",
        &["statement", "sign", "--coalition", &c, &progress],
    );
    eventually(30, "B's signature of the progress reaches A", || {
        let listed = a.json(&["statement", "list", "--coalition", &c]);
        let s = listed
            .as_array()?
            .iter()
            .find(|s| s["id"] == progress.as_str())?;
        (s["signed_by"].as_array()?.len() == 2 && s["roster"] == 1).then_some(())
    });

    // The file for the link: carried by hand, it proves itself.
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("for-national.statements");
    let out = a.ok(&[
        "statement",
        "export",
        "--coalition",
        &c,
        "--link",
        &national[..6],
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(out.ends_with("for-national.statements"), "{out}");
    let read = StatementsFile::decode(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(read.items.len(), 2);
    let first = Signed::decode(&read.items[0]).unwrap();
    assert_eq!(first.id().hex(), roster);
    let chain = RosterChain::trust(&first.id(), &first).unwrap();
    let v = chain
        .verify(
            &Signed::decode(&read.items[1]).unwrap(),
            Threshold::new(2).unwrap(),
        )
        .unwrap();
    assert_eq!(
        (v.id.hex(), v.signers.len(), v.members),
        (progress.clone(), 2, 2)
    );

    // The national coalition takes the region as an affiliate, trusting its roster, two of its
    // members signing; its node imports the file carried by hand.
    let accept = n.ok(&[
        "link",
        "propose",
        "--coalition",
        &national,
        "--with",
        &c,
        "--name",
        "Coastal Housing Coalition",
        "--relation",
        "affiliate",
        "--accept",
        "goal",
        "--their-threshold",
        "2",
        "--roster",
        &roster,
    ]);
    n.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &national,
        &accept,
        "agree",
    ]);
    // A file changed by one byte proves nothing.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x20;
    let changed = out_dir.path().join("changed.statements");
    std::fs::write(&changed, &bytes).unwrap();
    let e = n.fails(&[
        "statement",
        "import",
        "--coalition",
        &national,
        changed.to_str().unwrap(),
    ]);
    assert!(e.contains("damaged"), "{e}");
    // The goal's progress with one signature taken off: one member alone.
    let mut alone = Signed::decode(&read.items[1]).unwrap();
    alone.cosigns.truncate(1);
    let lone = out_dir.path().join("alone.statements");
    let forged = StatementsFile {
        items: vec![read.items[0].clone(), alone.encode()],
        ..read.clone()
    };
    std::fs::write(&lone, forged.encode()).unwrap();
    let done = n.json(&[
        "statement",
        "import",
        "--coalition",
        &national,
        lone.to_str().unwrap(),
    ]);
    assert_eq!(done["stored"], 1, "{done}");
    assert_eq!(done["refused"][0]["code"], "too-few-signers", "{done}");
    let why = done["refused"][0]["reason"].as_str().unwrap();
    assert!(why.contains("signed by 1 of the 2 members"), "{why}");
    let log = n.ok(&["audit", "refused"]);
    assert!(log.contains("signed by 1 of the 2 members"), "{log}");
    let got = n.json(&["statement", "received", "--coalition", &national]);
    assert_eq!(got["statements"].as_array().unwrap().len(), 0, "{got}");

    let done = n.json(&[
        "statement",
        "import",
        "--coalition",
        &national,
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        (&done["stored"], &done["held"]),
        (&1.into(), &1.into()),
        "{done}"
    );
    assert_eq!(done["refused"].as_array().unwrap().len(), 0, "{done}");
    let got = n.json(&["statement", "received", "--coalition", &national]);
    let line = &got["statements"][0];
    assert_eq!(line["id"], progress.as_str(), "{got}");
    let provenance = line["provenance"].as_str().unwrap();
    assert!(
        provenance.starts_with(&format!(
            "from statement {}, signed by 2 of 2 members of Coastal Housing Coalition, as of ",
            &progress[..8]
        )),
        "{provenance}"
    );
    assert_eq!(line["summary"], "Homes kept: 42 of 100 homes");
    let verified = n.ok(&[
        "statement",
        "verify",
        "--coalition",
        &national,
        &progress[..10],
    ]);
    assert!(
        verified.starts_with("Verified: from statement"),
        "{verified}"
    );
}
