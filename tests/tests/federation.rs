//! Links and statements between real nodes (issue 20): a link decided by both members; a
//! roster and a goal's progress drafted on one member's node and co-signed on the other's
//! once it computes the same from its own copy; the file exported for the link holds them,
//! and they verify against the roster with the link's threshold, whoever carries the file; the
//! national coalition's node, which never shares anything with the region's, imports it and
//! shows where each figure came from, and refuses a changed file and a statement one member
//! signed alone, saying why. Then, restarted with no address given, the national node reaches
//! the region's nodes where the file said they listen and takes what the region publishes
//! over the network, passed by a region's node.

use coalesce_tests::{Node, eventually, free_port};
use model::federation::{Kind, RosterChain, Signed, Statement, StatementsFile, Threshold, Value};
use sync::Message;
use sync::wire::ByteChunk;

use crate::hostile::{Hostile, key_of, secret_of, wire};

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

    // Over the network, between nodes that share no coalition. The nation publishes its
    // roster (one member: its own signature is a majority) and calls; its file, carried by
    // hand once, gives the region the roster its new link trusts first.
    let national_roster = n.ok(&[
        "statement",
        "draft",
        "--coalition",
        &national,
        "--kind",
        "roster",
    ]);
    let both_ways = n.ok(&[
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
        "--publish",
        "call",
        "--threshold",
        "1",
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
        &both_ways,
        "agree",
    ]);
    let from_nation = out_dir.path().join("from-national.statements");
    n.ok(&[
        "statement",
        "export",
        "--coalition",
        &national,
        "--link",
        &c[..6],
        "--out",
        from_nation.to_str().unwrap(),
    ]);
    let up = a.ok(&[
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
        "--accept",
        "call",
        "--their-threshold",
        "1",
        "--roster",
        &national_roster,
    ]);
    votes(&[(&a, "agree"), (&b, "agree")], &c, &up);
    eventually(30, "the region's new link is in force on A", || {
        a.ok(&["link", "list", "--coalition", &c])
            .contains("call")
            .then_some(())
    });
    let done = a.json(&[
        "statement",
        "import",
        "--coalition",
        &c,
        from_nation.to_str().unwrap(),
    ]);
    assert_eq!(done["stored"], 1, "{done}");

    // The national node restarts on another port, given no address: the region's file it
    // imported carried where the region's member nodes listen (each record signed by its
    // node, kept because the region's roster lists it), so it dials them. A knows it as a
    // member node of its parent (the roster it took), keeps it, and passes what the region
    // publishes; the national node takes it because A is a member node of the region.
    drop(_dn);
    let dn = n.run_daemon(free_port());
    a.ok(&[
        "charter",
        "goal",
        "progress",
        "--coalition",
        &c,
        &goal,
        "--value",
        "57",
        "--date",
        "2026-11-27",
    ]);
    let newer = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &c,
        "--kind",
        "goal",
        "--record",
        &goal,
    ]);
    // B's node co-signs it on its own (the link publishes goals); A's passes it on.
    eventually(
        90,
        "the new progress to reach the national node over the network",
        || {
            let got = n.json(&["statement", "received", "--coalition", &national]);
            got["statements"]
                .as_array()?
                .iter()
                .any(|l| l["id"] == newer.as_str() && l["summary"] == "Homes kept: 57 of 100 homes")
                .then_some(())
        },
    );
    assert!(dn.logged("dialing a member node of a linked coalition"));
    assert!(dn.logged("took statements a linked coalition's node passed"));
    assert!(_da.logged("passing statements to a member node of a linked coalition"));
    assert!(!_da.logged("letting go of a node that shares no coalition"));
    let shown = n.ok(&["link", "affiliates", "--coalition", &national]);
    assert!(shown.contains("57"), "{shown}");
}

/// Waits until every one of `nodes` holds proposal `p` of `c`, then each takes `stance`.
fn votes(nodes: &[(&Node, &str)], c: &str, p: &str) {
    for (node, stance) in nodes {
        node.wait_for(
            60,
            "the proposal to reach the node",
            &["proposal", "vote", "--coalition", c, p, stance],
        );
    }
}

/// Waits until `node`'s draft `id` in `c` is signed by `n` members (the others' nodes
/// co-sign on their own once they compute the same).
fn signed_by(node: &Node, c: &str, id: &str, n: usize) {
    eventually(90, "the members' nodes to co-sign the draft", || {
        let listed = node.json(&["statement", "list", "--coalition", c]);
        let s = listed.as_array()?.iter().find(|s| s["id"] == id)?;
        (s["signed_by"].as_array()?.len() >= n).then_some(())
    });
}

/// The scenario: two regions of three organizations, one national coalition whose
/// members are the regions' delegates. Each side decides its links under its own rules;
/// rosters and statements are co-signed by the members' nodes on their own, and carried across
/// by the delegates' nodes (members of both); the national views show both regions with their
/// provenance; a call goes down, each region decides under its own rule (majority, consensus),
/// and the positions come back and are counted with the links' weights.
#[test]
fn two_regions_and_a_nation_share_statements_both_ways_and_decide_a_mandate_by_weight() {
    use crate::network::{Org, coalition_of};
    let _serial = coalesce_tests::network_lock();
    // Nodes draft what links share on their own, a subject at most every 5 seconds.
    let org = |name: &str| Org::with_env(name, &[("COALESCE_PUBLISH_EVERY_SECONDS", "5")]);
    let (mut coastal_orgs, coastal) = coalition_of(vec![
        org("Coastal Tenants"),
        org("Harbor Faith Network"),
        org("Bay Workers Union"),
    ]);
    let (valley_orgs, valley) = coalition_of(vec![
        org("Valley Tenants"),
        org("Valley Disability Justice"),
        org("Farmworkers United"),
    ]);
    let c: Vec<&Node> = coastal_orgs.iter().map(|o| &o.node).collect();
    let v: Vec<&Node> = valley_orgs.iter().map(|o| &o.node).collect();
    let (a, b) = (c[0], v[0]);
    // The national coalition: the two delegates.
    let nation = a.ok(&["coalition", "create", "National Housing Alliance"]);
    let code = a.ok(&[
        "invite",
        "create",
        "--coalition",
        &nation,
        "--expires",
        "1h",
    ]);
    assert_eq!(b.ok(&["join", &code, "--wait", "60"]), nation);

    // Valley decides general questions by consensus; Coastal keeps majority.
    let amend = b.ok(&[
        "charter",
        "amend",
        "--coalition",
        &valley,
        "--rule",
        "general=consensus",
    ]);
    votes(
        &[(v[0], "agree"), (v[1], "agree"), (v[2], "agree")],
        &valley,
        &amend,
    );

    // Rosters, each co-signed by the members' nodes on their own.
    let national_roster = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &nation,
        "--kind",
        "roster",
    ]);
    let coastal_roster = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &coastal,
        "--kind",
        "roster",
    ]);
    let valley_roster = b.ok(&[
        "statement",
        "draft",
        "--coalition",
        &valley,
        "--kind",
        "roster",
    ]);
    signed_by(a, &nation, &national_roster, 2);
    signed_by(a, &coastal, &coastal_roster, 2);
    signed_by(b, &valley, &valley_roster, 2);

    // Links, each side under its own rules: the regions up, the nation down.
    for (nodes, region, delegate) in [(&c, &coastal, a), (&v, &valley, b)] {
        let up = delegate.ok(&[
            "link",
            "propose",
            "--coalition",
            region,
            "--with",
            &nation,
            "--name",
            "National Housing Alliance",
            "--relation",
            "parent",
            "--publish",
            "goal,mandate",
            "--accept",
            "call",
            "--their-threshold",
            "2",
            "--roster",
            &national_roster,
        ]);
        votes(
            &[
                (nodes[0], "agree"),
                (nodes[1], "agree"),
                (nodes[2], "agree"),
            ],
            region,
            &up,
        );
    }
    for (region, name, roster, weight) in [
        (&coastal, "Coastal Housing Coalition", &coastal_roster, "3"),
        (&valley, "Valley Housing Coalition", &valley_roster, "1"),
    ] {
        let down = a.ok(&[
            "link",
            "propose",
            "--coalition",
            &nation,
            "--with",
            region,
            "--name",
            name,
            "--relation",
            "affiliate",
            "--publish",
            "call",
            "--accept",
            "goal,mandate",
            "--their-threshold",
            "2",
            "--roster",
            roster,
            "--weight",
            weight,
        ]);
        votes(&[(a, "agree"), (b, "agree")], &nation, &down);
    }
    let listed = a.ok(&["link", "list", "--coalition", &nation]);
    let mut weights: Vec<(&str, &str)> = listed
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            Some((*cells.get(2)?, *cells.get(6)?))
        })
        .filter(|(name, _)| name.ends_with("Housing Coalition"))
        .collect();
    weights.sort_unstable();
    assert_eq!(
        weights,
        [
            ("Coastal Housing Coalition", "3"),
            ("Valley Housing Coalition", "1")
        ],
        "{listed}"
    );

    // Each region's goal: its progress drafted on its own by the node whose turn it is (the
    // links publish goals), co-signed by the others' nodes, carried into the nation by the
    // delegate's node. Nothing is typed but the goal and its figure.
    for (node, region, homes) in [(a, &coastal, "30"), (b, &valley, "60")] {
        let goal = node.ok(&[
            "charter",
            "goal",
            "add",
            "--coalition",
            region,
            "Homes kept",
            "--target",
            "100",
            "--unit",
            "homes",
        ]);
        node.ok(&[
            "charter",
            "goal",
            "progress",
            "--coalition",
            region,
            &goal,
            "--value",
            homes,
            "--date",
            "2026-11-20",
        ]);
    }
    eventually(120, "both regions' goals in the national picture", || {
        let view = a.json(&["link", "affiliates", "--coalition", &nation]);
        let goals = view["goals"].as_array()?;
        (goals.len() == 2 && goals.iter().all(|g| !g["progress"].is_null())).then_some(view)
    });
    let view = b.json(&["link", "affiliates", "--coalition", &nation]);
    let sums = &view["goal_sums"][0];
    assert_eq!(sums["by_target"], "45.0", "{view}");
    // (3 × 30% + 1 × 60%) / 4
    assert_eq!(sums["by_weight"], "37.5", "{view}");
    for g in view["goals"].as_array().unwrap() {
        let p = g["provenance"].as_str().unwrap();
        assert!(p.contains("members of") && p.contains("as of"), "{p}");
        b.ok(&[
            "statement",
            "verify",
            "--coalition",
            &nation,
            g["source"]["statement"].as_str().unwrap(),
        ]);
    }

    // A national question, called down to both regions.
    let question = a.ok(&[
        "proposal",
        "new",
        "--coalition",
        &nation,
        "--kind",
        "general",
        "Back the national rent cap",
        "--closes",
        "7d",
    ]);
    let call = a.ok(&[
        "statement",
        "draft",
        "--coalition",
        &nation,
        "--kind",
        "call",
        "--record",
        &question,
    ]);
    // A call is co-signed by hand: which proposal a call is about is the members' judgement.
    b.wait_for(
        60,
        "B co-signs the call",
        &["statement", "sign", "--coalition", &nation, &call],
    );
    signed_by(a, &nation, &call, 2);
    // Each region answers with a proposal of its own, decided under its own rule: Coastal by
    // majority (two of three pass it), Valley by consensus (one disagreeing fails it). The one
    // disagreeing votes first in Coastal and last in Valley: an outcome no later position can
    // change is final. Once decided, the author's node drafts the position and the others'
    // co-sign it on their own: nothing more is typed.
    for (nodes, region, stances) in [
        (
            &c,
            &coastal,
            &[(2, "disagree"), (0, "agree"), (1, "agree")][..],
        ),
        (&v, &valley, &[(0, "agree"), (2, "disagree")][..]),
    ] {
        nodes[0].wait_for(
            120,
            "the call to reach the region",
            &["statement", "verify", "--coalition", region, &call],
        );
        let p = nodes[0].ok(&[
            "proposal",
            "new",
            "--coalition",
            region,
            "--kind",
            "general",
            "Back the national rent cap",
            "--answers",
            &call[..12],
        ]);
        let shown = nodes[0].ok(&["proposal", "show", "--coalition", region, &p]);
        assert!(
            shown.contains(&format!("Answers call {}", &call[..8])),
            "{shown}"
        );
        let stances: Vec<(&Node, &str)> = stances.iter().map(|(i, s)| (nodes[*i], *s)).collect();
        votes(&stances, region, &p);
    }
    let tally = eventually(120, "both positions counted nationally", || {
        let t = a.json(&["link", "mandates", "--coalition", &nation, &question]);
        (t["weight_silent"] == 0).then_some(t)
    });
    assert_eq!(
        (&tally["weight_for"], &tally["weight_against"]),
        (&3.into(), &1.into()),
        "{tally}"
    );
    let coastal_line = tally["affiliates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["from"] == "Coastal Housing Coalition")
        .unwrap();
    assert_eq!(coastal_line["position"], "for", "{tally}");
    assert_eq!(
        coastal_line["counts"],
        serde_json::json!([2, 0, 1, 0]),
        "{tally}"
    );
    let shown = a.ok(&["link", "mandates", "--coalition", &nation, &question]);
    assert!(shown.contains("3 for, 1 against"), "{shown}");
    assert!(
        shown.contains("Counted together (our members one each, affiliates by weight): 3 for, 1 against, 0 abstaining."),
        "{shown}"
    );
    // The question's outcome counts both under the nation's rule (majority), open until it
    // closes (a member may still change its position): 3 for and 1 against of 6, then 4 for
    // once one of our two members agrees, while our members alone have not decided.
    assert!(
        shown.contains("Counting both under the proposal's rule (majority@1/2): open (weights: 3 for, 1 against, 0 abstaining, 0 blocking, 2 not decided, of 6)."),
        "{shown}"
    );
    votes(&[(a, "agree")], &nation, &question);
    let t = a.json(&["link", "mandates", "--coalition", &nation, &question]);
    assert_eq!(
        (
            &t["with_affiliates"]["outcome"],
            &t["with_affiliates"]["agree"],
            &t["outcome"]
        ),
        (&"open".into(), &4.into(), &"open".into()),
        "{t}"
    );

    // A Coastal member's node (modified: its key taken, its node stopped) passes the nation's
    // node what the nation's link with Coastal does not take, and what it signed alone where
    // the link asks two: the nation's node told it both, so each is refused with its reason
    // and counted against it, and nothing gets in.
    let (harbor, bay) = (secret_of(c[1]), secret_of(c[2]));
    coastal_orgs[1].stop();
    let a = &coastal_orgs[0].node;
    let mut hostile = Hostile::connect(harbor, coastal_orgs[0].port(), key_of(&secret_of(a)));
    let Message::Hello { takes, .. } = hostile.next_message() else {
        panic!("a Hello first");
    };
    let told = takes
        .iter()
        .find(|t| t.from == wire(&coastal) && t.to == wire(&nation))
        .expect("told what the nation takes from Coastal");
    assert_eq!(told.threshold, 2);
    assert_eq!(
        told.kinds & Kind::Call.bit(),
        0,
        "calls are not taken from Coastal"
    );
    hostile.hello(&coastal);
    let now = 1000
        * std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    let passed = |value: Value, signers: &[[u8; 32]]| {
        let mut signed = Signed::new(&Statement {
            format: model::federation::FORMAT,
            coalition: wire(&coastal),
            roster: 1,
            as_of: now,
            heads: vec![],
            sequence: 1,
            supersedes: None,
            value,
        })
        .unwrap();
        for secret in signers {
            signed.sign(secret).unwrap();
        }
        let file = StatementsFile {
            format: model::federation::FORMAT,
            from: wire(&coastal),
            to: wire(&nation),
            items: vec![signed.encode()],
            addresses: vec![],
        };
        let frame = Message::Statements {
            file: ByteChunk(file.encode()),
        }
        .encode();
        (frame, signed.id().hex())
    };
    let call = Value::Call(model::federation::Call {
        proposal: [0x42; 16],
        title: "Join our march".into(),
        text: String::new(),
        closes_at: now + 60_000,
        mandate: false,
    });
    let goal = Value::Goal(model::federation::GoalProgress {
        goal: [0x43; 16],
        title: "Homes kept".into(),
        unit: "homes".into(),
        target: 100_000,
        latest: None,
    });
    let mut forged = Vec::new();
    for ((frame, id), why) in [
        (
            passed(call, &[harbor, bay]),
            "passed by a node never told that this side takes them",
        ),
        (
            passed(goal, &[harbor]),
            "passed by a node told that this side takes at least 2 signers",
        ),
    ] {
        hostile.send(frame);
        forged.push(id);
        eventually(30, "the refusal logged against the peer", || {
            let log = a.json(&["audit", "refused"]);
            log.as_array()?
                .iter()
                .any(|r| {
                    r["peer"] == key_of(&harbor).to_string()
                        && r["reason"].as_str().is_some_and(|r| r.contains(why))
                })
                .then_some(())
        });
    }
    // Neither got in.
    let got = a.json(&["statement", "received", "--coalition", &nation]);
    let ids: Vec<&str> = got["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert!(!ids.is_empty(), "{got}");
    assert!(forged.iter().all(|f| !ids.contains(&f.as_str())), "{got}");
}
