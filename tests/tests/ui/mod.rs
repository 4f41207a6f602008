//! The web UI a running node serves on its API listener: `coalesce ui` signs this machine's
//! browser in with a one-time link; pages show what other members' nodes wrote as text.
//! (Browser tests with axe-core are in `browser`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod browser;
mod people;
mod scenario;

use coalesce_tests::{Node, api_call, eventually, free_port};

/// A browser's requests: cookies kept by hand, redirects not followed, so that each answer
/// is seen.
struct Browser {
    agent: ureq::Agent,
    cookie: String,
}

impl Browser {
    fn new() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Self {
            agent,
            cookie: String::new(),
        }
    }

    /// Status, headers we look at, body.
    fn get(&mut self, url: &str) -> (u16, Vec<(String, String)>, String) {
        let mut resp = self
            .agent
            .get(url)
            .header("cookie", &self.cookie)
            .call()
            .unwrap();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        if let Some((_, c)) = headers.iter().find(|(k, _)| k == "set-cookie") {
            self.cookie = c.split(';').next().unwrap().to_owned();
        }
        // Text from records is isolated in sentences (U+2068 … U+2069, invisible; the web
        // crate's tests check it): left out here, where only the words are looked at.
        let body = resp
            .body_mut()
            .read_to_string()
            .unwrap()
            .replace(['\u{2068}', '\u{2069}'], "");
        (resp.status().as_u16(), headers, body)
    }
}

impl Browser {
    /// Posts a form; status, headers, body.
    fn post(&mut self, url: &str, form: &[(&str, &str)]) -> (u16, Vec<(String, String)>, String) {
        let body = serde_urlencoded::to_string(form).unwrap();
        let mut resp = self
            .agent
            .post(url)
            .header("cookie", &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .send(body.as_bytes())
            .unwrap();
        let headers: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        // Text from records is isolated in sentences (U+2068 … U+2069, invisible; the web
        // crate's tests check it): left out here, where only the words are looked at.
        let body = resp
            .body_mut()
            .read_to_string()
            .unwrap()
            .replace(['\u{2068}', '\u{2069}'], "");
        (resp.status().as_u16(), headers, body)
    }

    /// Signs in with a fresh link from `node`; the UI's base address and the CSRF token.
    fn sign_in(&mut self, node: &Node) -> (String, String) {
        let link = node.ok(&["ui"]);
        let base = link.split("/sign-in").next().unwrap().to_owned();
        self.follow_sign_in(&link, &base);
        let (_, _, page) = self.get(&format!("{base}/"));
        let csrf = page
            .split(r#"name="csrf" value=""#)
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap()
            .to_owned();
        (base, csrf)
    }
}

impl Browser {
    /// Opens a sign-in link and presses its button: the session cookie is kept.
    fn follow_sign_in(&mut self, link: &str, base: &str) {
        let (status, _, page) = self.get(link);
        assert_eq!(status, 200, "{page}");
        let code = link.split("code=").nth(1).unwrap();
        let (status, headers, _) = self.post(&format!("{base}/sign-in"), &[("code", code)]);
        assert_eq!(status, 303);
        assert_eq!(header(&headers, "location"), Some("/"));
        let c = header(&headers, "set-cookie").unwrap();
        self.cookie = c.split(';').next().unwrap().to_owned();
    }
}

/// The text of the first `<textarea …>` of a page.
fn textarea(page: &str) -> String {
    let after = page.split("<textarea").nth(1).unwrap();
    let inner = after.split_once('>').unwrap().1;
    inner.split("</textarea>").next().unwrap().to_owned()
}

#[test]
fn an_organizer_invites_another_node_and_it_joins_through_the_ui() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside Disability Justice");
    let (pa, pb) = (free_port(), free_port());
    let da = a.run_daemon(pa);
    let db = b.run_daemon(pb);
    // A founds the coalition and makes an invite code, in its browser.
    let mut browser_a = Browser::new();
    let (base_a, csrf_a) = browser_a.sign_in(&a);
    let (status, headers, _) = browser_a.post(
        &format!("{base_a}/coalitions"),
        &[
            ("csrf", &csrf_a),
            ("name", "Transit Justice"),
            ("frame", "Fare-free buses"),
        ],
    );
    assert_eq!(status, 303);
    let issues = header(&headers, "location").unwrap().to_owned();
    let c = issues.split('/').nth(2).unwrap().to_owned();
    let (status, _, page) = browser_a.get(&format!("{base_a}/c/{c}/invite"));
    assert_eq!(status, 200);
    assert!(page.contains("Invite an organization to Transit Justice"));
    let (status, _, page) = browser_a.post(
        &format!("{base_a}/c/{c}/invites"),
        &[("csrf", &csrf_a), ("expires", "1d")],
    );
    assert_eq!(status, 200, "{page}");
    let code = textarea(&page);
    assert!(code.len() > 20, "{page}");
    // Not known yet to be reachable on its own network only: no word of it.
    assert!(!page.contains("own network only"), "{page}");
    // B pastes it in its own browser and follows the join to the end.
    let mut browser_b = Browser::new();
    let (base_b, csrf_b) = browser_b.sign_in(&b);
    let (status, _, page) = browser_b.post(
        &format!("{base_b}/join"),
        &[("csrf", &csrf_b), ("code", "  "), ("org", "")],
    );
    assert_eq!(status, 422);
    assert!(page.contains("Paste the invite code."));
    let (status, headers, _) = browser_b.post(
        &format!("{base_b}/join"),
        &[
            ("csrf", &csrf_b),
            ("code", &format!("\n{code}\n")),
            ("org", ""),
        ],
    );
    assert_eq!(status, 303);
    assert_eq!(
        header(&headers, "location"),
        Some(format!("/join/{c}").as_str())
    );
    eventually(30, "the join to complete", || {
        let (_, _, page) = browser_b.get(&format!("{base_b}/join/{c}"));
        page.contains("Joined: the coalition is here.")
            .then_some(())
    });
    let (_, _, page) = browser_b.get(&format!("{base_b}/"));
    assert!(page.contains("Transit Justice"), "{page}");
    assert!(
        page.contains("Northside Tenants Union"),
        "A's node in B's sync table"
    );
    // B dialed A back on loopback, an address of no use elsewhere: A now knows it can be
    // reached on its own network only, and its next invite says so, next to the code.
    eventually(
        60,
        "A to find it is reachable on its own network only",
        || (a.json(&["status"])["reachability"] == "private").then_some(()),
    );
    let (status, _, page) = browser_a.post(
        &format!("{base_a}/c/{c}/invites"),
        &[("csrf", &csrf_a), ("expires", "1d")],
    );
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("This node can be reached on its own network only for now"),
        "{page}"
    );
    let out = a
        .command(&["invite", "create", "--coalition", &c])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("own network only"),
        "the command line says it too"
    );
    assert!(da.stop());
    assert!(db.stop());
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn coalesce_ui_prints_a_link_that_signs_the_browser_in_once() {
    let node = Node::init("Northside Tenants Union");
    let c = node.ok(&["coalition", "create", "Transit Justice"]);
    // Without the node, the command says to start it.
    let err = node.fails(&["ui"]);
    assert!(err.contains("start it first"), "{err}");
    let daemon = node.run_daemon(free_port());
    let out = node.command(&["ui"]).output().unwrap();
    assert!(out.status.success());
    let link = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("works once"),
        "the command says what the link is"
    );
    assert!(link.starts_with("http://127.0.0.1:") && link.contains("/sign-in?code="));
    let base = link.split("/sign-in").next().unwrap().to_owned();

    let mut browser = Browser::new();
    let (status, _, page) = browser.get(&format!("{base}/"));
    assert_eq!(status, 401, "not signed in yet");
    assert!(page.contains("coalesce ui --open"));
    browser.follow_sign_in(&link, &base);
    let (status, headers, page) = browser.get(&format!("{base}/"));
    assert_eq!(status, 200);
    assert!(
        header(&headers, "content-security-policy")
            .is_some_and(|p| p.contains("default-src 'none'"))
    );
    assert!(page.contains("Northside Tenants Union"));
    assert!(page.contains("Transit Justice"));
    assert!(page.contains(&format!("/c/{c}/issues")));
    // The link is spent.
    let mut other = Browser::new();
    let (status, _, page) = other.get(&link);
    assert_eq!(status, 403);
    assert!(page.contains("already used"));
    // A path no page serves is a page too, in the browser's language; the API's own paths
    // still answer JSON.
    let (status, headers, page) = browser.get(&format!("{base}/no/such/page"));
    assert_eq!(status, 404);
    assert!(page.contains("<html lang=\"en\">"));
    assert!(header(&headers, "content-security-policy").is_some());
    let (status, refused) = api_call(node.home(), "GET", "/v1/no/such/route", None, true);
    assert_eq!((status, refused["code"].as_str()), (404, Some("not_found")));
    // Sign-in links are minted only with the API token.
    let (status, _) = api_call(node.home(), "POST", "/v1/ui/sign-in", None, false);
    assert_eq!(status, 401);
    assert!(daemon.stop());
}

#[test]
fn what_another_member_wrote_shows_as_text_on_this_node_s_pages() {
    let _serial = coalesce_tests::network_lock();
    let a = Node::init("Northside Tenants Union");
    let b = Node::init("Eastside <b>Disability</b> Justice");
    let (pa, pb) = (free_port(), free_port());
    let da = a.run_daemon(pa);
    let db = b.run_daemon(pb);
    let c = a.ok(&["coalition", "create", "Transit Justice"]);
    let code = a.ok(&["invite", "create", "--coalition", &c]);
    b.ok(&["join", &code, "--wait", "30"]);
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let issue = b.ok(&[
        "issue",
        "add",
        "--coalition",
        &c,
        hostile,
        "--description",
        "<iframe src=//attacker.example></iframe>",
        "--tag",
        "<svg onload=alert(3)>",
    ]);
    // Every other kind of text another member writes: a pool's name, unit and a gift's note,
    // a proposal's title and text and a block's reason, a meeting's agenda and minutes, and
    // its own profile.
    let pool = b.ok(&[
        "pool",
        "create",
        "--coalition",
        &c,
        "<b>Fund</b><script>alert(4)</script>",
        "--kind",
        "funds",
        "--unit",
        "<img src=x onerror=alert(5)>",
    ]);
    b.ok(&[
        "pool",
        "pledge",
        "--coalition",
        &c,
        &pool,
        "25",
        "--note",
        "<iframe src=//attacker.example>",
    ]);
    let proposal = b.ok(&[
        "proposal",
        "new",
        "--coalition",
        &c,
        "--kind",
        "general",
        "<script>alert(6)</script>",
        "--text",
        "<img src=x onerror=alert(7)>",
    ]);
    b.ok(&[
        "proposal",
        "vote",
        "--coalition",
        &c,
        &proposal,
        "block",
        "--reason",
        "<script>alert(8)</script>",
    ]);
    let meeting = b.ok(&[
        "meeting",
        "add",
        "--coalition",
        &c,
        "--date",
        "2026-11-30",
        "--agenda",
        "<script>alert(9)</script>",
        "--minutes",
        "<img src=x onerror=alert(10)>",
    ]);
    b.ok(&[
        "member",
        "update",
        "--coalition",
        &c,
        "--community",
        "<script>alert(11)</script>",
        "--contact",
        "<a href=javascript:alert(12)>mail</a>",
    ]);
    eventually(20, "B's records to reach A", || {
        let (status, _) = api_call(
            a.home(),
            "GET",
            &format!("/v1/coalitions/{c}/meetings/{meeting}"),
            None,
            true,
        );
        let (issue_status, _) = api_call(
            a.home(),
            "GET",
            &format!("/v1/coalitions/{c}/issues/{issue}"),
            None,
            true,
        );
        (status == 200 && issue_status == 200).then_some(())
    });
    let link = a.ok(&["ui"]);
    let base = link.split("/sign-in").next().unwrap().to_owned();
    let mut browser = Browser::new();
    browser.follow_sign_in(&link, &base);
    for path in [
        "/".to_owned(),
        format!("/c/{c}/issues"),
        format!("/c/{c}/issues/{issue}"),
        format!("/c/{c}/issues/{issue}/edit"),
        format!("/c/{c}/proposals"),
        format!("/c/{c}/proposals/{proposal}"),
        format!("/c/{c}/pools"),
        format!("/c/{c}/pools/{pool}"),
        format!("/c/{c}/meetings"),
        format!("/c/{c}/meetings/{meeting}"),
        format!("/c/{c}/meetings/new"),
        format!("/c/{c}/members"),
        format!("/c/{c}/reports"),
        format!("/c/{c}/history?record={issue}"),
        format!("/c/{c}/history"),
        format!("/c/{c}/charter"),
    ] {
        let (status, _, page) = browser.get(&format!("{base}{path}"));
        assert_eq!(status, 200, "{path}");
        // The page's one script is the node's own (live updates); none comes from a record.
        let page = page.replace(r#"<script src="/assets/live.js" defer></script>"#, "");
        for raw in [
            "<script",
            "<img",
            "<iframe",
            "<b>",
            "<svg onload",
            "<a href=javascript",
        ] {
            assert!(!page.contains(raw), "{path} carries {raw}: {page}");
        }
    }
    let (_, _, page) = browser.get(&format!("{base}/c/{c}/issues/{issue}"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(page.contains("Eastside &#60;b&#62;Disability&#60;/b&#62; Justice"));
    assert!(da.stop());
    assert!(db.stop());
}
