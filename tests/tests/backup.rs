//! Backup and restore with real nodes: a node restored from an old backup, after newer
//! changes were made and synced, comes back as the same organization under the device key
//! the backup certified, catches up, writes and syncs — and nobody refuses anything.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

use coalesce_tests::{Daemon, Node, eventually, free_port};

/// Two organizations' nodes running, both members of a coalition A founded (its id last).
fn two_members() -> (Node, Node, Daemon, Daemon, String) {
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let da = a.run_daemon(free_port());
    let db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    (a, b, da, db, c)
}

/// The issue titles `node` holds in coalition `c` (none while the coalition has not arrived).
fn issue_titles(node: &Node, c: &str) -> Vec<String> {
    let out = node.run(&["issue", "list", "--coalition", c, "--json"]);
    if !out.status.success() {
        return Vec::new();
    }
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap_or_default()
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["title"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn an_old_backup_restores_catches_up_and_writes_under_its_own_key() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let pa = free_port();
    let da = a.run_daemon(pa);
    let db = b.run_daemon(free_port());
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    a.ok(&["issue", "add", "--coalition", &c, "Before the backup"]);

    // The backup, taken while the node runs, certifies a new device key everywhere.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("north.backup");
    let device = a.ok(&["backup", "--out", file.to_str().unwrap()]);
    assert_eq!(
        device.len(),
        64,
        "backup prints the certified device key: {device}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "a backup is readable by its owner only");
    }
    eventually(20, "B to see the certified device key", || {
        let members = b.json(&["member", "list", "--coalition", &c]);
        members
            .as_array()?
            .iter()
            .any(|m| {
                m["keys"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| *k == device.as_str()))
            })
            .then_some(())
    });

    // Newer changes by the original node, synced, then the original node is lost.
    a.ok(&["issue", "add", "--coalition", &c, "After the backup"]);
    eventually(20, "B to receive the newer issue", || {
        issue_titles(&b, &c)
            .contains(&"After the backup".to_owned())
            .then_some(())
    });
    assert!(da.stop());
    drop(a);

    // Restored on a fresh home: the same organization, under the certified key.
    let restored = Node::new();
    let key = restored.ok(&["restore", file.to_str().unwrap()]);
    assert_eq!(key, device);
    let again = restored.fails(&["restore", file.to_str().unwrap()]);
    assert!(again.contains("already set up"), "{again}");
    // On the same server, at the same address: B reconnects to it by itself.
    let dr = restored.run_daemon(pa);
    eventually(30, "the restored node to catch up from B", || {
        issue_titles(&restored, &c)
            .contains(&"After the backup".to_owned())
            .then_some(())
    });
    restored.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        "Written after the restore",
    ]);
    eventually(20, "B to receive the restored node's issue", || {
        issue_titles(&b, &c)
            .contains(&"Written after the restore".to_owned())
            .then_some(())
    });
    assert!(
        b.json(&["audit", "refused"]).as_array().unwrap().is_empty(),
        "B refused nothing: no equivocation, no unknown key"
    );
    let status = restored.json(&["status"]);
    assert_eq!(status["node"], device.as_str());
    assert!(dr.stop());
    assert!(db.stop());

    // Files that are not backups are refused with what is wrong.
    let junk = dir.path().join("junk");
    std::fs::write(&junk, b"hello").unwrap();
    let err = Node::new().fails(&["restore", junk.to_str().unwrap()]);
    assert!(err.contains("not a Coalesce backup"), "{err}");
}

#[test]
fn a_lost_node_comes_back_from_its_sealed_identity() {
    let _serial = coalesce_tests::network_lock();
    let (a, b, da, db, c) = two_members();
    a.ok(&["issue", "add", "--coalition", &c, "Bus fares"]);
    eventually(20, "B to receive the issue", || {
        issue_titles(&b, &c)
            .contains(&"Bus fares".to_owned())
            .then_some(())
    });

    let dir = tempfile::tempdir().unwrap();
    let pass = dir.path().join("pass");
    std::fs::write(&pass, "correct horse battery\n").unwrap();
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "wrong horse battery\n").unwrap();
    let sealed = dir.path().join("north.identity");
    let (p, s) = (pass.to_str().unwrap(), sealed.to_str().unwrap());
    a.ok(&["export-identity", "--out", s, "--passphrase-file", p]);
    let node_id = a.json(&["status"])["node"].as_str().unwrap().to_owned();
    assert!(!std::fs::read_to_string(&sealed).unwrap().contains("secret"));
    // The machine is lost.
    assert!(da.stop());
    drop(a);

    let back = Node::new();
    let err = back.fails(&[
        "import-identity",
        s,
        "--passphrase-file",
        wrong.to_str().unwrap(),
    ]);
    assert!(err.contains("wrong passphrase"), "{err}");
    let key = back.ok(&["import-identity", s, "--passphrase-file", p]);
    assert_eq!(key, node_id);
    let dback = back.run_daemon(free_port());
    eventually(
        30,
        "the imported node to take the coalition back in",
        || {
            issue_titles(&back, &c)
                .contains(&"Bus fares".to_owned())
                .then_some(())
        },
    );
    back.ok(&["issue", "add", "--coalition", &c, "Back online"]);
    eventually(20, "B to receive the recovered node's issue", || {
        issue_titles(&b, &c)
            .contains(&"Back online".to_owned())
            .then_some(())
    });
    assert!(b.json(&["audit", "refused"]).as_array().unwrap().is_empty());
    assert!(dback.stop());
    assert!(db.stop());
}

/// The keys `node` lists for its organization in coalition `c`, with their `kind`.
fn own_keys(node: &Node, c: &str) -> Vec<(String, String)> {
    node.json(&["member", "key", "list", "--coalition", c])
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["key"].as_str().unwrap().to_owned(),
                k["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_backup_taken_again_over_its_file_leaves_no_orphan_key() {
    let _serial = coalesce_tests::network_lock();
    let (a, b, da, db, c) = two_members();
    let me = a.json(&["status"])["node"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("north.backup");
    let f = file.to_str().unwrap();

    let first = a.ok(&["backup", "--out", f]);
    assert_eq!(
        own_keys(&a, &c),
        vec![
            (me.clone(), "this node".to_owned()),
            (first.clone(), "backup".to_owned())
        ]
    );
    let listed = a.json(&["member", "key", "list", "--coalition", &c]);
    assert_eq!(listed[1]["changes"], 0);
    assert!(listed[1]["last_sync"].is_null() && listed[1]["added"].is_string());
    let table = a.ok(&["member", "key", "list", "--coalition", &c]);
    assert!(
        table.contains("this node") && table.contains("backup of") && table.contains("never"),
        "{table}"
    );

    // The file is not replaced unless asked.
    let before = std::fs::read(&file).unwrap();
    let err = a.fails(&["backup", "--out", f]);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(
        own_keys(&a, &c).len(),
        2,
        "a refused backup certifies no key"
    );

    // Replaced: the unused key of the backup it replaces is revoked, on every node.
    let out = a
        .command(&["backup", "--out", f, "--force"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let second = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("never used: revoked in 1 coalition"),
        "{said}"
    );
    assert_eq!(
        own_keys(&a, &c),
        vec![
            (me.clone(), "this node".to_owned()),
            (second.clone(), "backup".to_owned())
        ]
    );
    eventually(20, "B to see the orphan key revoked", || {
        let members = b.json(&["member", "list", "--coalition", &c]);
        let keys = members
            .as_array()?
            .iter()
            .find(|m| m["keys"].as_array().is_some_and(|k| k.len() > 1))?["keys"]
            .clone();
        (keys == serde_json::json!([me, second])).then_some(())
    });

    // Nothing is certified for a backup that cannot be written; a link or a folder given is
    // not taken for the backup it points at.
    let err = a.fails(&["backup", "--out", "/nonexistent/folder/north.backup"]);
    assert!(err.contains("/nonexistent/folder"), "{err}");
    let err = a.fails(&["backup", "--out", dir.path().to_str().unwrap(), "--force"]);
    assert!(err.contains("is a folder"), "{err}");
    assert_eq!(own_keys(&a, &c).len(), 2, "no key for a backup not written");
    #[cfg(unix)]
    {
        let link = dir.path().join("latest.backup");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let out = a
            .command(&["backup", "--out", link.to_str().unwrap(), "--force"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            !said.contains("revoked"),
            "the link's target still holds its key: {said}"
        );
        let keys = own_keys(&a, &c);
        assert_eq!(keys.len(), 3, "{keys:?}");
        assert!(keys.iter().any(|(k, _)| *k == second), "{keys:?}");
        // Put back as it was for what follows: revoke the extra key.
        let extra = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        a.ok(&["member", "key", "revoke", "--coalition", &c, &extra]);
    }

    // A backup restored and at work keeps its key when its file is replaced.
    let restored = Node::new();
    restored.ok(&["restore", f]);
    let dr = restored.run_daemon(free_port());
    eventually(30, "A to sync with the restored node", || {
        let listed = a.json(&["member", "key", "list", "--coalition", &c]);
        listed
            .as_array()?
            .iter()
            .any(|k| k["key"] == second.as_str() && !k["last_sync"].is_null())
            .then_some(())
    });
    let out = a
        .command(&["backup", "--out", f, "--force"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("has been at work"), "{said}");
    assert_eq!(own_keys(&a, &c).len(), 3, "{said}");
    assert!(dr.stop());
    assert!(da.stop());
    assert!(db.stop());
}
