//! The UI's routes against a real replica (its operations carried out as the node's core
//! does, through the job channel), through the router as a browser reaches it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request as HttpRequest, StatusCode, header};
use tower::ServiceExt;

use super::*;

const HOST: &str = "127.0.0.1:7420";
/// Where the UI for other machines is served in these tests.
const LAN: &str = "10.0.0.5:7443";

/// Who asked for each operation the core carried out (a person's name, or none) and its name.
type Asked = Arc<std::sync::Mutex<Vec<(Option<String>, &'static str)>>>;

struct Ui {
    app: Router,
    sessions: Arc<Sessions>,
    /// The `Host` the requests carry.
    host: &'static str,
    /// The core's job channel, for changes the tests make behind the UI's back.
    jobs: mpsc::Sender<api::Job>,
    /// Who asked for what.
    asked: Asked,
    /// A setup code waiting (for Cy, an editor), on the UI for other machines.
    setup: String,
    coalition: String,
    /// An open proposal (general, consensus).
    proposal: String,
    /// A pool of funds, in USD.
    pool: String,
    _dir: tempfile::TempDir,
}

/// The UI over a replica in a fresh home, with one coalition: the replica answers the jobs
/// on a thread of its own, as the node's core does.
fn ui() -> Ui {
    build(false, |_, _| {})
}

/// As [`ui`], with the replica prepared first by `prepare` (given the coalition's id).
fn ui_with(prepare: impl FnOnce(&mut replica::Replica, &str)) -> Ui {
    build(false, prepare)
}

/// The UI as served to other machines (TLS), with three people: Ana (editor) and Bo
/// (viewer), who have passwords, and Cy (editor), whose setup link waits.
fn ui_lan() -> Ui {
    build(true, |_, _| {})
}

/// Ana's password in these tests.
const ANA_PASSWORD: &str = "correct horse battery";
/// Bo's.
const BO_PASSWORD: &str = "viewer password one";

fn build(lan: bool, prepare: impl FnOnce(&mut replica::Replica, &str)) -> Ui {
    let (dir, mut r, c) = commands::testing::replica();
    prepare(&mut r, c.as_str());
    let mut setup = String::new();
    if lan {
        for (name, role, password) in [
            ("Ana", replica::Role::Editor, ANA_PASSWORD),
            ("Bo", replica::Role::Viewer, BO_PASSWORD),
        ] {
            let s = r
                .add_person(name, role, replica::now().as_millis())
                .unwrap();
            let hash = replica::hash_password(password).unwrap();
            r.finish_setup(&s.code, &hash, replica::now().as_millis())
                .unwrap();
        }
        setup = r
            .add_person("Cy", replica::Role::Editor, replica::now().as_millis())
            .unwrap()
            .code;
    }
    let proposal = match commands::ops::handle(
        &mut r,
        commands::ops::Request::ProposalCreate {
            coalition: c.to_string(),
            body: Box::new(commands::ops::proposals::NewProposalRequest {
                kind: "general".into(),
                title: "Endorse the <b>fare strike</b>".into(),
                text: "We join the strike on May 1.".into(),
                closes: None,
                ..Default::default()
            }),
        },
    ) {
        Ok(commands::ops::Reply::Created(made)) => made.id,
        other => panic!("{other:?}"),
    };
    let pool = match commands::ops::handle(
        &mut r,
        commands::ops::Request::PoolCreate {
            coalition: c.to_string(),
            body: commands::ops::pools::NewPoolRequest {
                name: "Legal defense fund".into(),
                kind: "funds".into(),
                unit: "USD".into(),
                description: String::new(),
            },
        },
    ) {
        Ok(commands::ops::Reply::Created(made)) => made.id,
        other => panic!("{other:?}"),
    };
    let (tx, mut rx) = mpsc::channel::<api::Job>(8);
    let asked = Asked::default();
    let told = asked.clone();
    std::thread::spawn(move || {
        while let Some(job) = rx.blocking_recv() {
            let (req, person, reply) = job.into_parts();
            told.lock().unwrap().push((person, req.name()));
            let _ = reply.send(commands::ops::handle(&mut r, req));
        }
    });
    let (sessions, web, host) = if lan {
        let sessions = Arc::new(Sessions::over_tls(format!("https://{LAN}")));
        let web = Web::new(tx.clone(), sessions.clone(), vec![LAN.to_owned()]).for_people();
        (sessions, web, LAN)
    } else {
        let sessions = Arc::new(Sessions::new(format!("http://{HOST}")));
        let web = Web::new(
            tx.clone(),
            sessions.clone(),
            hosts_for(HOST.parse().unwrap()),
        );
        (sessions, web, HOST)
    };
    let app = router(web);
    Ui {
        app,
        sessions,
        host,
        jobs: tx,
        asked,
        setup,
        coalition: c.to_string(),
        proposal,
        pool,
        _dir: dir,
    }
}

impl Ui {
    /// A signed-in session's cookie and CSRF token.
    fn sign_in(&self) -> (String, String) {
        let code = self.sessions.mint_code().unwrap();
        let id = self.sessions.redeem(&code).unwrap();
        let csrf = self.sessions.session(&id).unwrap().csrf;
        (format!("{}={id}", self.sessions.cookie_name()), csrf)
    }

    async fn send(&self, req: HttpRequest<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = axum::body::to_bytes(resp.into_body(), 4 << 20)
            .await
            .unwrap();
        (status, headers, String::from_utf8(body.to_vec()).unwrap())
    }

    async fn get(&self, path: &str, cookie: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        self.send(
            HttpRequest::get(path)
                .header(header::HOST, self.host)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn post(
        &self,
        path: &str,
        cookie: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        // A browser's form posts say where they come from (the UI served to other machines
        // insists on it).
        let origin = if self.host == LAN {
            format!("https://{LAN}")
        } else {
            format!("http://{HOST}")
        };
        self.send(
            HttpRequest::post(path)
                .header(header::HOST, self.host)
                .header(header::ORIGIN, origin)
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(serde_urlencoded::to_string(form).unwrap()))
                .unwrap(),
        )
        .await
    }
}

#[tokio::test]
async fn a_hostile_title_shows_as_text() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let issues = format!("/c/{}/issues", ui.coalition);
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let (status, headers, _) = ui
        .post(
            &issues,
            &cookie,
            &[("csrf", &csrf), ("title", hostile), ("tags", "race")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let shown = headers[header::LOCATION].to_str().unwrap().to_owned();
    for path in [issues.as_str(), shown.as_str()] {
        let (status, _, page) = ui.get(path, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains("<script>"), "{path}: {page}");
        assert!(!page.contains("<img"), "{path}");
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    for path in [
        "/".to_owned(),
        "/coalitions/new".to_owned(),
        format!("/c/{}/issues", ui.coalition),
        "/no/such/page".to_owned(),
    ] {
        let (_, headers, _) = ui.get(&path, &cookie).await;
        if path == "/no/such/page" {
            // The API answers paths nothing serves (see `UiHooks`); not this router.
            continue;
        }
        assert_eq!(headers[header::CONTENT_SECURITY_POLICY], CSP, "{path}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    }
}

#[tokio::test]
async fn another_host_name_is_refused() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    let (status, _, _) = ui
        .send(
            HttpRequest::get("/")
                .header(header::HOST, "attacker.example:7420")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::MISDIRECTED_REQUEST);
    let (status, _, _) = ui
        .send(
            HttpRequest::get("/")
                .header(header::HOST, "localhost:7420")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "localhost names the loopback address"
    );
}

#[tokio::test]
async fn a_form_without_the_token_or_from_another_site_changes_nothing() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let issues = format!("/c/{}/issues", ui.coalition);
    let (status, _, page) = ui
        .post(&issues, &cookie, &[("csrf", "wrong"), ("title", "Forged")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("expired"), "{page}");
    let (status, _, _) = ui
        .send(
            HttpRequest::post(&issues)
                .header(header::HOST, HOST)
                .header(header::ORIGIN, "http://attacker.example")
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}&title=Forged")))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, _, page) = ui.get(&issues, &cookie).await;
    assert!(!page.contains("Forged"));
}

#[tokio::test]
async fn without_a_session_the_page_says_how_to_sign_in() {
    let ui = ui();
    let (status, _, page) = ui.get("/", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("coalesce ui --open"), "{page}");
    let (status, _, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            "",
            &[("title", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sign_in_link_works_once_and_only_through_its_button() {
    let ui = ui();
    let code = ui.sessions.mint_code().unwrap();
    let path = format!("/sign-in?code={code}");
    // Following the link (as a previewer would) spends nothing.
    for _ in 0..2 {
        let (status, headers, page) = ui.get(&path, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!headers.contains_key(header::SET_COOKIE));
        assert!(page.contains(r#"action="/sign-in""#));
    }
    let (status, headers, _) = ui.post("/sign-in", "", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("coalesce_session_7420="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let session = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(ui.get("/", &session).await.0, StatusCode::OK);
    // A session cookie planted by another service on this host for a longer path does not
    // hide this one.
    let planted = format!("coalesce_session_7420=junk; {session}");
    assert_eq!(ui.get("/", &planted).await.0, StatusCode::OK);
    let (status, _, page) = ui.get(&path, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("already used"), "{page}");
    let (status, _, _) = ui.post("/sign-in", "", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_huge_offset_is_an_empty_page_not_a_failure() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    for list in ["issues", "proposals"] {
        let path = format!("/c/{}/{list}?offset=18446744073709551615", ui.coalition);
        let (status, _, _) = ui.get(&path, &cookie).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let path = format!(
        "/c/{}/pools/{}?offset=18446744073709551615",
        ui.coalition, ui.pool
    );
    assert_eq!(ui.get(&path, &cookie).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_language_follows_the_browser_then_the_switcher() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    let (_, _, page) = ui
        .send(
            HttpRequest::get("/")
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_LANGUAGE, "es-MX,es;q=0.9,en;q=0.5")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(page.contains(r#"<html lang="es">"#));
    assert!(page.contains("Lo que me espera"));
    let (status, headers, _) = ui.get("/lang/en?back=%2Fcoalitions%2Fnew", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/coalitions/new");
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .starts_with("coalesce_lang=en")
    );
    // Only paths of this UI are gone back to: not `//host`, nor what a browser would strip
    // into it (a tab, a newline), nor a backslash.
    for back in [
        "%2F%2Fattacker.example",
        "/%09/attacker.example",
        "/%0a/attacker.example",
        "/%0d%0a/attacker.example",
        "/%5C/attacker.example",
        "https://attacker.example",
        "/%20/attacker.example",
    ] {
        let (status, headers, _) = ui.get(&format!("/lang/es?back={back}"), "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(headers[header::LOCATION], "/", "{back}");
    }
    let (_, headers, _) = ui
        .get(
            "/lang/es?back=%2Fc%2Fab12%2Fissues%3Ftag%3Drace%26offset%3D25",
            "",
        )
        .await;
    assert_eq!(
        headers[header::LOCATION],
        "/c/ab12/issues?tag=race&offset=25"
    );
    let (_, _, page) = ui.get("/", &format!("{cookie}; coalesce_lang=es")).await;
    assert!(page.contains("Cerrar sesión"));
}

#[tokio::test]
async fn a_form_with_errors_says_so_next_to_the_field() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (status, _, page) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[("csrf", &csrf), ("title", "  "), ("description", "kept")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="title-error""#));
    assert!(page.contains(r#"aria-describedby="title-help title-error""#));
    assert!(page.contains(r#"aria-invalid="true""#));
    assert!(page.contains(">kept</textarea>"), "what was typed stays");
    let (status, _, _) = ui
        .post("/coalitions", &cookie, &[("csrf", &csrf), ("name", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn raise_then_share_with_a_rank() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[("csrf", &csrf), ("title", "Fare-free buses")],
        )
        .await;
    let shown = headers[header::LOCATION].to_str().unwrap().to_owned();
    let issue = shown.split('?').next().unwrap().to_owned();
    let (_, _, page) = ui.get(&shown, &cookie).await;
    assert!(page.contains("The issue is raised."));
    let share = format!("{issue}/share");
    let (status, _, page) = ui
        .post(&share, &cookie, &[("csrf", &csrf), ("rank", "11")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose a rank from 1 to 10."));
    let (status, _, _) = ui
        .post(&share, &cookie, &[("csrf", &csrf), ("rank", "2")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui.get(&issue, &cookie).await;
    // A name from a record is isolated in the sentence (U+2068 … U+2069): a right-to-left
    // override in it cannot reorder what follows.
    assert!(
        page.contains("\u{2068}Northside Tenants Union\u{2069}: rank 2"),
        "{page}"
    );
}

#[tokio::test]
async fn a_block_needs_a_reason_then_blocks_the_proposal() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let path = format!("/c/{}/proposals/{}", ui.coalition, ui.proposal);
    let (status, _, page) = ui.get(&path, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Endorse the &#60;b&#62;fare strike&#60;/b&#62;"));
    assert!(page.contains("Open: 0 of 1 agreed"), "{page}");
    assert!(page.contains(r#"role="img""#), "the chart");
    let position = format!("{path}/position");
    let (status, _, page) = ui
        .post(&position, &cookie, &[("csrf", &csrf), ("stance", "block")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="reason-error""#));
    assert!(page.contains("A block needs a reason"));
    assert!(page.contains(r#"value="block" aria-describedby="stance-block-help" checked"#));
    let (status, _, _) = ui
        .post(&position, &cookie, &[("csrf", &csrf), ("stance", "maybe")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, headers, _) = ui
        .post(
            &position,
            &cookie,
            &[
                ("csrf", &csrf),
                ("stance", "block"),
                ("reason", "We are <i>nonpartisan</i>"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{headers:?}");
    let (_, _, page) = ui.get(&format!("{path}?done=vote-recorded"), &cookie).await;
    assert!(page.contains("position is recorded"));
    assert!(
        page.contains("0 of 1 agreed, 0 stood aside, 0 disagreed, 1 blocked"),
        "{page}"
    );
    assert!(page.contains("We are &#60;i&#62;nonpartisan&#60;/i&#62;"));
    assert!(page.contains("This proposal is decided"));
    // Decided before any closing time: said so, not "open until decided".
    assert!(
        page.contains("Decided: the positions taken settle it")
            && !page.contains("Open until decided"),
        "{page}"
    );
    let (_, _, page) = ui
        .get(&format!("/c/{}/proposals", ui.coalition), &cookie)
        .await;
    assert!(page.contains("Not passed") && page.contains("General decision"));
}

#[tokio::test]
async fn a_pledge_is_written_as_people_type_it_and_shown_in_their_numbers() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let path = format!("/c/{}/pools/{}", ui.coalition, ui.pool);
    let entries = format!("{path}/entries");
    let (status, _, page) = ui
        .post(
            &entries,
            &cookie,
            &[("csrf", &csrf), ("kind", "pledge"), ("amount", "twelve")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="amount-error""#));
    assert!(page.contains(r#"value="twelve""#), "what was typed stays");
    let (status, _, _) = ui
        .post(
            &entries,
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "contribution"),
                ("amount", "1234,50"),
                ("note", "<b>from the spring dinner</b>"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui.get(&path, &cookie).await;
    assert!(page.contains("1,234.50"), "{page}");
    assert!(page.contains("&#60;b&#62;from the spring dinner&#60;/b&#62;"));
    let (_, _, page) = ui.get(&path, &format!("{cookie}; coalesce_lang=es")).await;
    assert!(page.contains("1.234,50"));
    assert!(page.contains("Aportación"));
    // The ledger filtered by kind of entry: the contribution alone, or nothing matching.
    let (_, _, page) = ui.get(&format!("{path}?kind=contribution"), &cookie).await;
    assert!(
        page.contains("1,234.50") && page.contains("<option value=\"contribution\" selected>"),
        "{page}"
    );
    let (_, _, page) = ui.get(&format!("{path}?kind=pledge"), &cookie).await;
    assert!(
        page.contains("No entry matches.") && !page.contains("Balance after"),
        "{page}"
    );
    let (_, _, page) = ui
        .get(&format!("{path}?member=nobody&kind=contribution"), &cookie)
        .await;
    assert!(page.contains("No entry matches."), "{page}");
    let (_, _, page) = ui.get(&format!("/c/{}/pools", ui.coalition), &cookie).await;
    // The unit is record text: isolated next to the number.
    assert!(page.contains("Legal defense fund") && page.contains("1,234.50 \u{2068}USD\u{2069}"));
    assert!(page.contains("Pools 1 to 1 of 1"), "{page}");
    // Filtered by kind.
    let pools = format!("/c/{}/pools", ui.coalition);
    let (_, _, page) = ui.get(&format!("{pools}?kind=funds"), &cookie).await;
    assert!(page.contains("Legal defense fund"), "{page}");
    let (_, _, page) = ui.get(&format!("{pools}?kind=space"), &cookie).await;
    assert!(
        page.contains("No pool matches.") && !page.contains("Legal defense fund"),
        "{page}"
    );
}

#[tokio::test]
async fn home_shows_what_waits_for_this_organization() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (status, _, page) = ui.get("/", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Waiting for your organization"));
    assert!(
        page.contains(&format!("/c/{}/proposals/{}", ui.coalition, ui.proposal)),
        "the open proposal it has not answered: {page}"
    );
    assert!(page.contains("open until decided"));
    assert!(page.contains("Legal defense fund\u{2069}: 0 "), "{page}");
    assert!(page.contains("No meeting planned."));
    // Answered, it waits no more.
    ui.post(
        &format!("/c/{}/proposals/{}/position", ui.coalition, ui.proposal),
        &cookie,
        &[("csrf", &csrf), ("stance", "agree")],
    )
    .await;
    let (_, _, page) = ui.get("/", &cookie).await;
    assert!(page.contains("No open proposal is waiting for your organization."));
}

#[tokio::test]
async fn a_meeting_is_recorded_with_who_was_there_and_what_was_decided() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let form = format!("/c/{}/meetings/new", ui.coalition);
    let (status, _, page) = ui.get(&form, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let me = page
        .split(r#"name="present" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let meetings = format!("/c/{}/meetings", ui.coalition);
    let (status, _, page) = ui
        .post(
            &meetings,
            &cookie,
            &[("csrf", &csrf), ("date", "31/12/2026")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="date-error""#));
    let (status, headers, _) = ui
        .post(
            &meetings,
            &cookie,
            &[
                ("csrf", &csrf),
                ("date", "2026-11-30"),
                ("facilitator", ""),
                ("present", &me),
                ("agenda", "Fare strike\n\n<b>Budget</b>\n"),
                ("minutes", "Agreed to join."),
                ("decided", &ui.proposal),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{headers:?}");
    let shown = headers[header::LOCATION].to_str().unwrap().to_owned();
    let (_, _, page) = ui.get(&shown, &cookie).await;
    assert!(page.contains("The meeting is recorded."));
    assert!(page.contains("Meeting of November 30, 2026"));
    assert!(page.contains("<li>Fare strike</li>") && page.contains("&#60;b&#62;Budget"));
    assert!(page.contains("Facilitated by \u{2068}Northside Tenants Union"));
    assert!(page.contains("Endorse the &#60;b&#62;fare strike&#60;/b&#62;"));
    let (_, _, page) = ui.get(&meetings, &cookie).await;
    assert!(page.contains("November 30, 2026"));
    // Filtered by the days held and by who was there; a day that does not read is said at
    // its field, the others still apply.
    let member = page
        .split("<select id=\"member\" name=\"member\">")
        .nth(1)
        .and_then(|s| s.split("<option value=\"").nth(2))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (_, _, page) = ui
        .get(&format!("{meetings}?from=2026-12-01"), &cookie)
        .await;
    assert!(page.contains("No meeting matches."), "{page}");
    let (_, _, page) = ui
        .get(
            &format!("{meetings}?from=2026-11-30&to=2026-11-30&member={member}"),
            &cookie,
        )
        .await;
    assert!(page.contains("November 30, 2026"), "{page}");
    // A member the list does not offer matches no meeting (the node is not asked).
    let asked = ui.asked.lock().unwrap().len();
    let (status, _, page) = ui
        .get(&format!("{meetings}?member=no-such-member"), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No meeting matches."), "{page}");
    assert!(
        !ui.asked.lock().unwrap()[asked..]
            .iter()
            .any(|(_, name)| *name == "meeting_list"),
        "the node is not asked"
    );
    let (status, _, page) = ui
        .get(&format!("{meetings}?from=someday&to=2026-11-01"), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("id=\"from-error\"") && page.contains("No meeting matches."),
        "{page}"
    );
}

#[tokio::test]
async fn a_change_is_told_to_an_open_page_as_an_event() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    // Without the core's changes (as in these tests), no stream.
    let (status, _, _) = ui.get("/events", &cookie).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (tx, _) = tokio::sync::broadcast::channel(4);
    let (jobs, _) = mpsc::channel(1);
    let app = router(
        Web::new(jobs, ui.sessions.clone(), hosts_for(HOST.parse().unwrap()))
            .with_changes(tx.clone()),
    );
    let unsigned = app
        .clone()
        .oneshot(
            HttpRequest::get("/events")
                .header(header::HOST, HOST)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let resp = app
        .oneshot(
            HttpRequest::get("/events")
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "text/event-stream");
    let coalition: model::CoalitionId = ui.coalition.parse().unwrap();
    tx.send(coalition.clone()).unwrap();
    let mut body = resp.into_body().into_data_stream();
    let chunk = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        use futures::StreamExt;
        body.next().await
    })
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    let text = String::from_utf8(chunk.to_vec()).unwrap();
    assert!(text.contains("event: changed"), "{text}");
    assert!(text.contains(&format!("data: {coalition}")), "{text}");
    // Signed out, the stream tells nothing more: it ends at the next change.
    let id = cookie.split('=').nth(1).unwrap();
    ui.sessions.end(id);
    tx.send(coalition.clone()).unwrap();
    let end = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        use futures::StreamExt;
        body.next().await
    })
    .await
    .unwrap();
    assert!(end.is_none(), "the stream ended: {end:?}");
}

/// A link in force is said on the charter page, and a link proposal's page says what it
/// decides, in both languages; the other coalition's name, written on another node, is
/// isolated and escaped.
#[tokio::test]
async fn links_are_said_in_words_on_the_charter_and_their_proposals() {
    let proposal = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let made = proposal.clone();
    let ui = ui_with(move |r, c| {
        let c: model::CoalitionId = c.parse().unwrap();
        let req = commands::ops::links::LinkRequest {
            with: "4e".repeat(16),
            name: Some("National <Housing> Alliance".into()),
            relation: "parent".into(),
            publish: vec!["issue,pool".into()],
            accept: vec!["call".into()],
            roster: Some("3f".repeat(32)),
            threshold: Some(1),
            ..Default::default()
        };
        let p = commands::ops::links::propose(r, &c, req).unwrap();
        commands::testing::agree(r, &c, &p);
        *made.lock().unwrap() = p.to_string();
    });
    let (cookie, _) = ui.sign_in();
    let (status, _, page) = ui
        .get(&format!("/c/{}/charter", ui.coalition), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Links with other coalitions"), "{page}");
    assert!(
        page.contains(
            "We are an affiliate of \u{2068}National &#60;Housing&#62; Alliance\u{2069} (4e4e4e4e): \
             we publish issues, pool totals to it (each statement signed by one of our members) \
             and take calls to action from it (each signed by 2 of its members)."
        ),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "The other coalition&#39;s id: {}",
            "4e".repeat(16)
        )) || page.contains(&format!("The other coalition's id: {}", "4e".repeat(16))),
        "the whole id, to check against what the other coalition gave: {page}"
    );
    assert!(page.contains(&"3f".repeat(32)), "the whole roster id");
    let p = proposal.lock().unwrap().clone();
    let (_, _, page) = ui
        .get(
            &format!("/c/{}/proposals/{p}", ui.coalition),
            &format!("{cookie}; coalesce_lang=es"),
        )
        .await;
    assert!(page.contains("Qué decide esta propuesta"), "{page}");
    assert!(page.contains("Somos una coalición afiliada a"), "{page}");
    assert!(page.contains("los llamados a la acción"), "{page}");
}

#[tokio::test]
async fn the_charter_says_its_rules_in_words_and_who_agreed() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    let path = format!("/c/{}/charter", ui.coalition);
    let (status, _, page) = ui.get(&path, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Version 1, in force."));
    assert!(page.contains("Fare-free buses"), "the frame");
    assert!(
        page.contains("Spokespeople: \u{2068}Northside Tenants Union\u{2069}"),
        "{page}"
    );
    assert!(
        !page.contains("Delegates to"),
        "a role no one holds is not shown"
    );
    assert!(page.contains("Consensus: it passes when"), "{page}");
    assert!(page.contains("By invite: the member who invites decides."));
    assert!(page.contains("Founding"));
    assert!(page.contains("Northside Tenants Union"), "who agreed");
    let (_, _, page) = ui.get(&format!("{path}?from=1&to=1"), &cookie).await;
    assert!(page.contains("Nothing changed between these versions."));
    assert!(
        page.contains("Versions 1 to 1 of 1, newest first"),
        "{page}"
    );
}

#[tokio::test]
async fn charter_versions_come_a_page_at_a_time_newest_first() {
    // 30 amendments, each agreed by the only member: 31 versions.
    let ui = ui_with(|r, c| {
        for i in 1..=30 {
            let made = match commands::ops::handle(
                r,
                commands::ops::Request::CharterAmend {
                    coalition: c.to_owned(),
                    body: Box::new(commands::ops::charter::AmendmentRequest {
                        add_values: vec![format!("Value {i}")],
                        title: Some(format!("Amendment number {i}")),
                        text: "Adds a value.".into(),
                        ..Default::default()
                    }),
                },
            ) {
                Ok(commands::ops::Reply::Created(made)) => made.id,
                other => panic!("{other:?}"),
            };
            commands::ops::handle(
                r,
                commands::ops::Request::ProposalPosition {
                    coalition: c.to_owned(),
                    proposal: made,
                    body: commands::ops::proposals::PositionRequest {
                        stance: "agree".into(),
                        reason: String::new(),
                    },
                },
            )
            .unwrap();
        }
    });
    let (cookie, _) = ui.sign_in();
    let path = format!("/c/{}/charter", ui.coalition);
    let (_, _, page) = ui.get(&path, &cookie).await;
    assert!(page.contains("Version 31, in force."), "{page}");
    assert!(
        page.contains("Versions 1 to 25 of 31, newest first"),
        "{page}"
    );
    // Newest first, each with its amendment's title; the founding version is on the next page.
    let newest = page.find("Amendment number 30").unwrap();
    let older = page.find("Amendment number 6<").unwrap();
    assert!(newest < older);
    assert!(!page.contains("Amendment number 5<") && !page.contains("Founding"));
    // Every version can still be compared, whatever the page.
    assert!(page.contains("<option value=\"1\""), "{page}");
    let next = format!("{path}?from=2&#38;to=3&#38;offset=25#versions");
    let (_, _, page) = ui.get(&format!("{path}?from=2&to=3"), &cookie).await;
    assert!(
        page.contains(&format!("href=\"{next}\"")),
        "the pages keep the comparison: {page}"
    );
    let (_, _, page) = ui.get(&format!("{path}?offset=25"), &cookie).await;
    assert!(
        page.contains("Versions 26 to 31 of 31, newest first"),
        "{page}"
    );
    assert!(page.contains("Amendment number 5<") && page.contains("Founding"));
    assert!(page.contains("rel=\"prev\""));
    // The comparison keeps the page of versions shown.
    assert!(
        page.contains("<input type=\"hidden\" name=\"offset\" value=\"25\">"),
        "{page}"
    );
    // Past the last page: the last page.
    let (_, _, page) = ui.get(&format!("{path}?offset=900"), &cookie).await;
    assert!(page.contains("Versions 26 to 31 of 31"), "{page}");
}

#[tokio::test]
async fn members_show_their_profiles() {
    let ui = ui();
    let (cookie, _) = ui.sign_in();
    let (status, _, page) = ui
        .get(&format!("/c/{}/members", ui.coalition), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Northside Tenants Union"));
    assert!(page.contains("No former members."));
    assert!(page.contains("<code>"), "its node key");
    assert!(page.contains("Members 1 to 1 of 1"), "{page}");
}

#[tokio::test]
async fn members_are_found_by_a_word_of_their_profile_or_their_standing() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let members = format!("/c/{}/members", ui.coalition);
    let (status, _, _) = ui
        .post(
            &format!("/c/{}/profile", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Northside Tenants Union"),
                ("languages", "English\nSpanish"),
                ("accessibility", "ASL interpretation"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // By a word of a language or a need, in any case; by its standing. A standing not
    // offered is left out, as if none were chosen.
    for query in [
        "find=spanish",
        "find=+ASL+",
        "standing=member",
        "find=north&standing=member",
        "standing=nonsense",
    ] {
        let (status, _, page) = ui.get(&format!("{members}?{query}"), &cookie).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(page.contains("Members 1 to 1 of 1"), "{query}: {page}");
        assert!(page.contains("<th scope=\"row\">Northside"), "{query}");
    }
    // What matches no one says so; the filter stays as typed, and the forms stay.
    for query in ["find=Eastside", "standing=former", "standing=pending"] {
        let (status, _, page) = ui.get(&format!("{members}?{query}"), &cookie).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert!(
            page.contains("No member matches this filter."),
            "{query}: {page}"
        );
        assert!(!page.contains("No former members."), "{query}");
        assert!(!page.contains("<th scope=\"row\">Northside"), "{query}");
        assert!(page.contains("Your organization&#39;s profile"), "{query}");
    }
    let (_, _, page) = ui.get(&format!("{members}?find=Eastside"), &cookie).await;
    assert!(page.contains("value=\"Eastside\""), "{page}");
    let (_, _, page) = ui.get(&format!("{members}?standing=former"), &cookie).await;
    assert!(
        page.contains("<option value=\"former\" selected>"),
        "{page}"
    );
    // Past the last page: the last page.
    let (status, _, page) = ui.get(&format!("{members}?offset=99999"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Members 1 to 1 of 1"), "{page}");
    assert!(!page.contains("No member matches"), "{page}");
}

#[tokio::test]
async fn many_members_come_a_page_at_a_time_with_the_filter_kept() {
    // 60 more member organizations, two in three working in Spanish.
    let ui = ui_with(|r, c| {
        let c: model::CoalitionId = c.parse().unwrap();
        r.edit(&c, |doc, a| {
            for i in 1..=60u8 {
                let mut profile =
                    model::MemberProfile::named(format!("Member organization {i:02}"));
                if i % 3 != 0 {
                    profile.languages = vec!["Spanish".into()];
                }
                doc.admit_member(
                    &a.member,
                    &model::MemberId::from_bytes([i; 16]),
                    &profile,
                    model::NodeKey::from_bytes([i; 32]),
                    a.now,
                )?;
            }
            Ok(())
        })
        .unwrap();
    });
    let (cookie, _) = ui.sign_in();
    let members = format!("/c/{}/members", ui.coalition);
    let (_, _, page) = ui.get(&members, &cookie).await;
    assert!(page.contains("Members 1 to 50 of 61"), "{page}");
    // No former member, but the page that says so is the last one.
    assert!(!page.contains("No former members."), "{page}");
    let (_, _, page) = ui.get(&format!("{members}?offset=50"), &cookie).await;
    assert!(page.contains("Members 51 to 61 of 61"), "{page}");
    assert!(page.contains("No former members."), "{page}");
    // Filtered: the pages' links keep the filter.
    let (_, _, page) = ui
        .get(&format!("{members}?find=Spanish&standing=member"), &cookie)
        .await;
    assert!(page.contains("Members 1 to 40 of 40"), "{page}");
    let (_, _, page) = ui
        .get(&format!("{members}?find=organization"), &cookie)
        .await;
    assert!(page.contains("Members 1 to 50 of 60"), "{page}");
    let next = format!("href=\"{members}?find=organization&#38;offset=50\"");
    assert!(page.contains(&next), "{page}");
    let (_, _, page) = ui
        .get(&format!("{members}?find=organization&offset=50"), &cookie)
        .await;
    assert!(page.contains("Members 51 to 60 of 60"), "{page}");
    let previous = format!("href=\"{members}?find=organization\" rel=\"prev\"");
    assert!(page.contains(&previous), "{page}");
}

#[tokio::test]
async fn refusals_are_filtered_by_coalition_and_by_the_node_that_sent_them() {
    let stranger = "ab".repeat(32);
    let ui = ui_with(|r, c| {
        for (at, peer, coalition) in [
            (1_000, "cd".repeat(32), Some(c.to_owned())),
            (2_000, stranger.clone(), Some(c.to_owned())),
            (3_000, stranger.clone(), None),
            (4_000, "ef".repeat(32), Some("z".repeat(26))),
        ] {
            r.log_refusal(replica::Refusal {
                at,
                peer,
                coalition,
                reason: format!("broke a rule at {at}"),
            })
            .unwrap();
        }
    });
    let (cookie, _) = ui.sign_in();
    let (status, _, page) = ui.get("/refused", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Refusals 1 to 4 of 4"), "{page}");
    // The coalition this node holds is offered by its name; one it does not, by its id.
    assert!(
        page.contains(&format!("<option value=\"{}\">", ui.coalition)),
        "{page}"
    );
    assert!(
        page.contains(&format!(">{}</option>", "z".repeat(26))),
        "{page}"
    );
    let (_, _, page) = ui
        .get(&format!("/refused?coalition={}", ui.coalition), &cookie)
        .await;
    assert!(page.contains("Refusals 1 to 2 of 2"), "{page}");
    assert!(page.contains("broke a rule at 1000") && page.contains("broke a rule at 2000"));
    // By the sending node's key as shown (its first characters, any case).
    let (_, _, page) = ui.get("/refused?peer=ABAB", &cookie).await;
    assert!(page.contains("Refusals 1 to 2 of 2"), "{page}");
    assert!(page.contains("broke a rule at 3000") && !page.contains("broke a rule at 1000"));
    let (_, _, page) = ui
        .get(
            &format!("/refused?peer=abab&coalition={}", ui.coalition),
            &cookie,
        )
        .await;
    assert!(page.contains("Refusals 1 to 1 of 1"), "{page}");
    let (_, _, page) = ui.get("/refused?peer=0000", &cookie).await;
    assert!(page.contains("No refusal matches this filter."), "{page}");
    assert!(page.contains("value=\"0000\""), "the filter as typed");
    // The coalition this node holds is named (its name isolated from what surrounds it);
    // one it does not hold is shown by its id, as code.
    let (_, _, page) = ui.get("/refused", &cookie).await;
    assert!(
        page.contains("<td>\u{2068}Transit Justice\u{2069}</td>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("<td><code>{}</code></td>", "z".repeat(26))),
        "{page}"
    );
    // Past the last page: the last page.
    let (_, _, page) = ui.get("/refused?offset=4000", &cookie).await;
    assert!(page.contains("Refusals 1 to 4 of 4"), "{page}");
}

#[tokio::test]
async fn refusals_come_a_page_at_a_time_with_the_filter_kept() {
    let ui = ui_with(|r, c| {
        for at in 0..120 {
            r.log_refusal(replica::Refusal {
                at,
                peer: "ab".repeat(32),
                coalition: Some(c.to_owned()),
                reason: format!("broke a rule at {at}"),
            })
            .unwrap();
        }
    });
    let (cookie, _) = ui.sign_in();
    let path = format!("/refused?coalition={}&peer=abab", ui.coalition);
    let (_, _, page) = ui.get(&path, &cookie).await;
    assert!(page.contains("Refusals 1 to 50 of 120"), "{page}");
    let next = format!(
        "href=\"/refused?coalition={}&#38;peer=abab&#38;offset=50\"",
        ui.coalition
    );
    assert!(page.contains(&next), "{page}");
}

#[tokio::test]
async fn evidence_is_added_with_its_source_or_refused_next_to_the_field() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[("csrf", &csrf), ("title", "Bus fare equity")],
        )
        .await;
    let issue = headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let evidence = format!("{issue}/evidence");
    let (status, _, page) = ui
        .post(
            &evidence,
            &cookie,
            &[("csrf", &csrf), ("figure", "9% of income")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="source-error""#));
    assert!(
        page.contains(r#"value="9% of income""#),
        "what was typed stays"
    );
    let (status, headers, _) = ui
        .post(
            &evidence,
            &cookie,
            &[
                ("csrf", &csrf),
                ("figure", "fares take 9% of income"),
                ("source", "Transit survey <2025>"),
                ("disaggregation", "race, income"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui
        .get(headers[header::LOCATION].to_str().unwrap(), &cookie)
        .await;
    assert!(page.contains("The evidence is added."));
    assert!(page.contains("fares take 9% of income"));
    assert!(page.contains("Transit survey &#60;2025&#62;"));
}

#[tokio::test]
async fn an_issue_is_edited_from_the_form_it_stands_in() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Fare-free buses"),
                ("tags", "transit"),
            ],
        )
        .await;
    let shown = headers[header::LOCATION].to_str().unwrap().to_owned();
    let issue = shown.split('?').next().unwrap().to_owned();
    let edit = format!("{issue}/edit");
    let (status, _, page) = ui.get(&edit, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"Fare-free buses\""), "{page}");
    assert!(page.contains("value=\"raised\" selected"), "{page}");
    // An empty title is refused next to the field, with what was typed kept.
    let (status, _, page) = ui
        .post(
            &edit,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", " "),
                ("description", "Kept text"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"title-error\""), "{page}");
    assert!(page.contains("Kept text"));
    let (status, headers, _) = ui
        .post(
            &edit,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Fare-free buses for all"),
                ("description", "Every line."),
                ("status", "adopted"),
                ("add_tags", "disability, youth"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui
        .get(headers[header::LOCATION].to_str().unwrap(), &cookie)
        .await;
    assert!(page.contains("The issue was saved."), "{page}");
    assert!(page.contains("Fare-free buses for all"));
    assert!(
        page.contains("Adopted") || page.contains("adopted"),
        "{page}"
    );
    assert!(page.contains("youth"));
    // A form opened before that change, saved with only a tag added, leaves the change be:
    // only the fields that differ from what the form was opened with are sent.
    let (status, _, _) = ui
        .post(
            &edit,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Fare-free buses"),
                ("was_title", "Fare-free buses"),
                ("status", "raised"),
                ("was_status", "raised"),
                ("add_tags", "seniors"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui.get(&issue, &cookie).await;
    assert!(
        page.contains("Fare-free buses for all") && page.contains("seniors"),
        "{page}"
    );
    assert!(
        page.contains("Adopted") || page.contains("adopted"),
        "{page}"
    );
    // Without the token nothing changes.
    let (status, _, _) = ui.post(&edit, &cookie, &[("title", "Hijacked")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reports_draw_each_chart_with_its_table() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[("csrf", &csrf), ("title", "<img src=x onerror=alert(1)>")],
        )
        .await;
    let issue = headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    ui.post(
        &format!("{issue}/share"),
        &cookie,
        &[("csrf", &csrf), ("rank", "1")],
    )
    .await;
    ui.post(
        &format!("/c/{}/pools/{}/entries", ui.coalition, ui.pool),
        &cookie,
        &[("csrf", &csrf), ("kind", "contribution"), ("amount", "100")],
    )
    .await;
    let (status, _, page) = ui
        .get(&format!("/c/{}/reports", ui.coalition), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Three kinds of chart, each titled, described, and followed by its table.
    for id in ["overlap", "equity-0", "power"] {
        assert!(
            page.contains(&format!("aria-labelledby=\"{id}-title\"")),
            "{id}: {page}"
        );
        assert!(page.contains(&format!("<table id=\"{id}-table\">")), "{id}");
        assert!(page.contains(&format!("href=\"#{id}-table\"")), "{id}");
    }
    assert!(page.contains("shared by 1 of 1 member"), "{page}");
    assert!(page.contains("gave 100.0% of the contributions"), "{page}");
    // A hostile title is text in the chart and in the table.
    assert!(!page.contains("<img src=x"));
    assert!(
        page.contains("&#60;img src=x") || page.contains("&lt;img src=x"),
        "{page}"
    );
    let (_, _, es) = ui
        .send(
            HttpRequest::get(format!("/c/{}/reports", ui.coalition))
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_LANGUAGE, "es")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(es.contains("Auditoría de poder"), "{es}");
    assert!(es.contains("aportó el 100,0 %"), "{es}");
}

#[tokio::test]
async fn an_allocation_is_asked_for_through_the_proposal_that_decides_it() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let pool = format!("/c/{}/pools/{}", ui.coalition, ui.pool);
    let asks = format!("{pool}/requests");
    // Nothing typed: each missing field is said next to it.
    let (status, _, page) = ui.post(&asks, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"ask_amount-error\"") && page.contains("id=\"reason-error\""),
        "{page}"
    );
    // More than the pool holds: the node's refusal, with what was typed kept.
    let (status, _, page) = ui
        .post(
            &asks,
            &cookie,
            &[
                ("csrf", &csrf),
                ("ask_amount", "50"),
                ("reason", "Bus passes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("Bus passes"));
    assert!(page.contains("id=\"ask_amount-error\""), "{page}");
    ui.post(
        &format!("{pool}/entries"),
        &cookie,
        &[("csrf", &csrf), ("kind", "contribution"), ("amount", "80")],
    )
    .await;
    let (status, headers, _) = ui
        .post(
            &asks,
            &cookie,
            &[
                ("csrf", &csrf),
                ("ask_amount", "50,5"),
                ("reason", "Bus passes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(
        to.contains("/proposals/") && to.ends_with("done=allocation-requested"),
        "{to}"
    );
    let (_, _, page) = ui.get(&to, &cookie).await;
    assert!(page.contains("Your request is made."), "{page}");
}

#[tokio::test]
async fn the_profile_is_saved_and_leaving_is_confirmed_first() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let members = format!("/c/{}/members", ui.coalition);
    let (_, _, page) = ui.get(&members, &cookie).await;
    assert!(page.contains("Your organization&#39;s profile"), "{page}");
    // Alone in the coalition: no one to propose removing.
    assert!(!page.contains("Propose removing a member"));
    let (status, _, _) = ui
        .post(
            &format!("/c/{}/profile", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("name", "Northside Tenants Union"),
                ("languages", "English\nSpanish"),
                (
                    "accessibility",
                    "ASL interpretation\nStep-free entrance, quiet room",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui
        .get(&format!("{members}?done=profile-saved"), &cookie)
        .await;
    assert!(page.contains("Your profile is saved."));
    assert!(page.contains("ASL interpretation"));
    // One need per line: a need with a comma in it stays one need.
    assert!(
        page.contains("\u{2068}Step-free entrance, quiet room\u{2069}"),
        "{page}"
    );
    // A removal with no member chosen and a closing day that is over: each said at its field.
    let (status, _, page) = ui
        .post(
            &format!("/c/{}/removals", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("reason", "Inactive"),
                ("closes", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"closes-error\"") && page.contains("Inactive"),
        "{page}"
    );
    let leave = format!("/c/{}/leave", ui.coalition);
    let (status, _, page) = ui.post(&leave, &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Tick the box"), "{page}");
    let (status, _, page) = ui
        .post(&leave, &cookie, &[("csrf", &csrf), ("confirm", "yes")])
        .await;
    // The founder alone cannot leave its coalition empty: the node refuses, and the page
    // says so in its language, with the node's reason.
    assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
    assert!(
        page.contains("The coalition&#39;s rules do not let your organization do this")
            && page.contains("only member"),
        "{page}"
    );
}

#[tokio::test]
async fn a_general_proposal_is_opened_from_the_list_and_other_kinds_are_not() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let list = format!("/c/{}/proposals", ui.coalition);
    let (_, _, page) = ui.get(&list, &cookie).await;
    assert!(
        page.contains("Open a proposal") && page.contains("value=\"public-statement\""),
        "{page}"
    );
    // Nothing chosen, no title, a day that is over: each said at its field, what was typed kept.
    let (status, _, page) = ui
        .post(
            &list,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "Why we should"),
                ("closes", "2001-01-01"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"open-kind-error\"")
            && page.contains("id=\"title-error\"")
            && page.contains("id=\"closes-error\"")
            && page.contains("Why we should"),
        "{page}"
    );
    // An amendment says what it changes: it is opened from the charter, not here.
    let (status, _, page) = ui
        .post(
            &list,
            &cookie,
            &[("csrf", &csrf), ("kind", "amendment"), ("title", "Sneaky")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"open-kind-error\""), "{page}");
    let (status, headers, _) = ui
        .post(
            &list,
            &cookie,
            &[
                ("csrf", &csrf),
                ("kind", "general"),
                ("title", "Endorse a <b>mayoral</b> candidate"),
                ("text", "Our members asked."),
                ("closes", "7d"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.ends_with("?done=proposal-opened"), "{location}");
    let (_, _, page) = ui.get(&location, &cookie).await;
    assert!(
        page.contains("The proposal is open.")
            && page.contains("Endorse a &#60;b&#62;mayoral&#60;/b&#62; candidate")
            && page.contains("General decision")
            && page.contains("Our members asked."),
        "{page}"
    );
}

#[tokio::test]
async fn an_amendment_is_proposed_from_the_form_and_changing_nothing_is_refused() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let amend = format!("/c/{}/charter/amend", ui.coalition);
    let (status, _, page) = ui.get(&amend, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"rule-amendment\""), "{page}");
    let (status, _, page) = ui
        .post(
            &amend,
            &cookie,
            &[("csrf", &csrf), ("text", "Nothing really")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("changes nothing of the charter"), "{page}");
    assert!(page.contains("Nothing really"), "what was typed is kept");
    let (status, _, page) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("values", "Solidarity"),
                ("closes", "someday"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"text-error\"") && page.contains("id=\"closes-error\""),
        "{page}"
    );
    let (status, headers, _) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "We add a value and decide amendments by consent."),
                ("values", "Solidarity\nAccessibility first"),
                ("rule-amendment", "consent"),
                ("quorum-amendment", "2/3"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(to.ends_with("done=amendment-proposed"), "{to}");
    let (_, _, page) = ui.get(&to, &cookie).await;
    assert!(page.contains("The amendment is proposed."), "{page}");
}

/// The amendment form gives each member in force a weight in general decisions' polls: a
/// weight not a whole number from 1 to 1,000,000 is refused next to its field; one given
/// becomes part of the amendment (its title names it).
#[tokio::test]
async fn an_amendment_sets_weights_from_the_form() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let amend = format!("/c/{}/charter/amend", ui.coalition);
    let (_, _, page) = ui.get(&amend, &cookie).await;
    let at = page.find("name=\"weight-").expect("a weight field");
    let name: String = page[at + 6..].chars().take_while(|c| *c != '"').collect();
    assert!(name.starts_with("weight-"), "{name}");
    assert!(page.contains("Weight now: 1."), "{page}");
    let (status, _, page) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "By people represented"),
                (&name, "0"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(&format!("id=\"{name}-error\"")), "{page}");
    let (status, headers, _) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "By people represented"),
                (&name, "12"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_owned();
    let (_, _, page) = ui.get(&to, &cookie).await;
    assert!(
        page.contains("Northside Tenants Union weighs 12 in general polls"),
        "{page}"
    );
}

#[tokio::test]
async fn an_amendment_makes_general_decisions_polls_from_the_form() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let amend = format!("/c/{}/charter/amend", ui.coalition);
    let (_, _, page) = ui.get(&amend, &cookie).await;
    // Poll methods are offered for general decisions only (the others decide by positions).
    // (And for elections of role holders.)
    assert_eq!(page.matches("value=\"ranked\"").count(), 2, "{page}");
    let amendment = page.find("name=\"rule-amendment\"").unwrap();
    let next = page[amendment..].find("</select>").unwrap();
    assert!(
        !page[amendment..amendment + next].contains("ranked"),
        "{page}"
    );
    let general = page
        .find("name=\"rule-general\"")
        .expect("the general rule");
    assert!(page[general..].contains("value=\"ranked\""), "{page}");
    assert!(page.contains("A ranked-choice poll: one winner by instant runoff"));
    let (status, _, page) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "Ranked choice"),
                ("rule-amendment", "ranked"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"rule-amendment-error\""), "{page}");
    let (status, headers, _) = ui
        .post(
            &amend,
            &cookie,
            &[
                ("csrf", &csrf),
                ("text", "Ranked choice"),
                ("rule-general", "ranked"),
                ("quorum-general", "2/3"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers[header::LOCATION].to_str().unwrap().to_owned();
    let proposal = to.split('?').next().unwrap().to_owned();
    ui.post(
        &format!("{proposal}/position"),
        &cookie,
        &[("csrf", &csrf), ("stance", "agree")],
    )
    .await;
    let (_, _, page) = ui
        .get(&format!("/c/{}/charter", ui.coalition), &cookie)
        .await;
    assert!(page.contains("Version 2, in force."), "{page}");
    assert!(
        page.contains("A ranked-choice poll: one winner by instant runoff (2/3)"),
        "{page}"
    );
}

#[tokio::test]
async fn a_field_is_put_back_from_its_history() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[("csrf", &csrf), ("title", "Fare-free buses")],
        )
        .await;
    let issue = headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let id = issue.rsplit('/').next().unwrap().to_owned();
    ui.post(
        &format!("{issue}/edit"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("title", "Vandalized"),
            ("was_title", "Fare-free buses"),
        ],
    )
    .await;
    let history = format!("/c/{}/history?record={id}", ui.coalition);
    let (status, _, page) = ui.get(&history, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Put back the title as it was after this change"),
        "{page}"
    );
    // Each change in words: what it was and which of the record's fields it wrote.
    assert!(
        page.contains("raised an issue") && page.contains("the whole record"),
        "{page}"
    );
    assert!(page.contains("edited an issue"), "{page}");
    assert!(
        page.contains(&format!("href=\"{issue}\"")),
        "a way back to the issue: {page}"
    );
    // Asked by a prefix in capitals, as someone may type it: the same record, its fields
    // restorable, the way back to it whole.
    let typed = format!(
        "/c/{}/history?record={}",
        ui.coalition,
        id[..8].to_ascii_uppercase()
    );
    let (status, _, again) = ui.get(&typed, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(
        again.contains("Put back the title as it was after this change")
            && again.contains(&format!("href=\"{issue}\""))
            && again.contains(&format!("name=\"record\" value=\"{id}\"")),
        "{again}"
    );
    // The oldest change (the issue raised) is last on the page: its change id is the last
    // restore button's.
    let change = page
        .rsplit("name=\"change\" value=\"")
        .next()
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let restore = format!("/c/{}/history/restore", ui.coalition);
    let (status, _, _) = ui
        .post(
            &restore,
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "title"),
                ("change", &change),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui.get(&issue, &cookie).await;
    assert!(page.contains("<h1>Fare-free buses</h1>"), "{page}");
    // A field that cannot be restored is the node's refusal, said on the page.
    let (status, _, page) = ui
        .post(
            &restore,
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "ranks"),
                ("change", &change),
            ],
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, _, page) = ui.get("/refused", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This node has refused nothing."), "{page}");
}

/// Every message id, with its variables, in each catalog.
fn messages(
    source: &str,
) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ')
            && let Some((id, _)) = line.split_once(" = ")
        {
            current = Some(id.trim().to_owned());
            out.entry(id.trim().to_owned())
                .or_insert_with(std::collections::BTreeSet::new);
        }
        if let Some(id) = &current {
            let vars = out.get_mut(id).unwrap();
            for part in line.split("{ $").skip(1) {
                let var: String = part
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                vars.insert(var);
            }
        }
    }
    out
}

#[test]
fn both_catalogs_have_every_message_with_the_same_variables() {
    let sources = i18n::sources();
    let (en, es) = (messages(&sources[0].1), messages(&sources[1].1));
    assert!(en.len() > 50, "the English catalog loads");
    for (id, vars) in &en {
        assert_eq!(
            es.get(id),
            Some(vars),
            "es: message `{id}` or its variables"
        );
    }
    for id in es.keys() {
        assert!(en.contains_key(id), "en: message `{id}` missing");
    }
    // Every message the templates and code name is in the catalogs: the ids given to `t`,
    // `tw`, `t_with` and `Field::text` (its label and help), and those made from a value.
    let code = [
        include_str!("../templates/base.html"),
        include_str!("../templates/home.html"),
        include_str!("../templates/issues.html"),
        include_str!("../templates/issue.html"),
        include_str!("../templates/coalition_new.html"),
        include_str!("../templates/problem.html"),
        include_str!("../templates/proposals.html"),
        include_str!("../templates/proposal.html"),
        include_str!("../templates/coalition_nav.html"),
        include_str!("lib.rs"),
        include_str!("pages/mod.rs"),
        include_str!("pages/home.rs"),
        include_str!("pages/issues.rs"),
        include_str!("pages/coalitions.rs"),
        include_str!("pages/proposals.rs"),
        include_str!("pages/joins.rs"),
        include_str!("pages/pools.rs"),
        include_str!("../templates/pools.html"),
        include_str!("../templates/pool.html"),
        include_str!("../templates/signin.html"),
        include_str!("../templates/meetings.html"),
        include_str!("../templates/meeting.html"),
        include_str!("../templates/meeting_new.html"),
        include_str!("pages/meetings.rs"),
        include_str!("pages/charter.rs"),
        include_str!("pages/members.rs"),
        include_str!("../templates/members.html"),
        include_str!("../templates/charter.html"),
        include_str!("../templates/invite.html"),
        include_str!("../templates/join.html"),
        include_str!("../templates/join_progress.html"),
        include_str!("../templates/refused.html"),
        include_str!("pages/history.rs"),
        include_str!("pages/reports.rs"),
        include_str!("pages/translated.rs"),
        include_str!("../templates/progress.html"),
        include_str!("../templates/translate_form.html"),
        include_str!("../templates/shown.html"),
        include_str!("pages/plans.rs"),
        include_str!("../templates/plans.html"),
    ];
    let mut named: Vec<String> = Vec::new();
    for text in code {
        for call in [".t(\"", ".tw(\"", ".t_with(\""] {
            for rest in text.split(call).skip(1) {
                if let Some(id) = rest.split('"').next()
                    && !id.contains('{')
                {
                    named.push(id.to_owned());
                }
            }
        }
        for rest in text.split("Field::text(").skip(1) {
            // (chrome, "name", "label", "help")
            let quoted: Vec<&str> = rest.split('"').skip(1).step_by(2).take(3).collect();
            named.extend(quoted.iter().skip(1).map(|s| (*s).to_owned()));
        }
    }
    assert!(named.len() > 60, "the ids are found ({})", named.len());
    named.extend(
        model::IssueStatus::ALL
            .iter()
            .map(|s| format!("status-{}", s.as_str())),
    );
    named.extend(
        model::DecisionKind::ALL
            .iter()
            .map(|k| format!("kind-{}", k.as_str())),
    );
    for s in model::Stance::ALL {
        named.push(format!("stance-{}", s.as_str()));
        named.push(format!("stance-{}-help", s.as_str()));
    }
    for o in [
        model::Outcome::Open,
        model::Outcome::Passed,
        model::Outcome::Failed,
        model::Outcome::Blocked,
    ] {
        named.push(format!("outcome-{}", o.as_str()));
    }
    for m in [
        model::Method::Consensus,
        model::Method::Consent,
        model::Method::Majority,
    ] {
        named.push(format!("method-{m}"));
    }
    for family in model::poll::rule::FAMILIES {
        named.push(format!("rule-poll-{family}"));
    }
    for role in model::RoleName::ALL {
        named.push(format!("poll-elects-{role}"));
        named.push(format!("charter-role-{role}"));
    }
    for kind in model::SharedKind::ALL {
        named.push(format!("shared-{kind}"));
    }
    for relation in ["affiliate", "parent"] {
        for side in ["", "-out", "-in"] {
            named.push(format!("link-{relation}{side}"));
        }
    }
    named.extend((1..=12).map(|m| format!("month-{m}")));
    named.extend(
        ["member", "pending", "former"]
            .iter()
            .map(|s| format!("members-standing-{s}")),
    );
    for step in [
        "waiting",
        "connecting",
        "awaiting_admission",
        "receiving",
        "joined",
        "refused",
    ] {
        named.push(format!("join-step-{step}"));
    }
    for id in named {
        assert!(
            en.contains_key(&id),
            "`{id}` is named in the code but in no catalog"
        );
    }
}

impl Ui {
    /// Signs in with a name and password on the UI for other machines: the session cookie.
    async fn sign_in_as(&self, name: &str, password: &str) -> String {
        let (status, headers, page) = self
            .post("/sign-in", "", &[("name", name), ("password", password)])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let cookie = headers[header::SET_COOKIE].to_str().unwrap();
        cookie.split(';').next().unwrap().to_owned()
    }

    /// The CSRF token of the session a cookie names.
    fn csrf_of(&self, cookie: &str) -> String {
        let id = cookie.split_once('=').unwrap().1;
        self.sessions.session(id).unwrap().csrf
    }
}

#[tokio::test]
async fn people_sign_in_with_a_password_and_a_viewer_changes_nothing() {
    let ui = ui_lan();
    // Not signed in: to the sign-in form, which asks for a name and a password.
    let (status, headers, _) = ui.get("/", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sign-in");
    let (status, _, page) = ui.get("/sign-in", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(r#"type="password""#) && page.contains(r#"autocomplete="current-password""#),
        "{page}"
    );
    // A wrong password and an unknown name get the same answer.
    let wrong = ui
        .post(
            "/sign-in",
            "",
            &[("name", "Ana"), ("password", "not her password")],
        )
        .await;
    let unknown = ui
        .post(
            "/sign-in",
            "",
            &[("name", "Zed"), ("password", ANA_PASSWORD)],
        )
        .await;
    for (status, headers, page) in [&wrong, &unknown] {
        assert_eq!(*status, StatusCode::UNAUTHORIZED);
        assert!(!headers.contains_key(header::SET_COOKIE));
        assert!(page.contains("do not match"), "{page}");
    }
    // A one-time link of the operator's does not sign in here.
    let code = ui.sessions.mint_code().unwrap();
    let (status, headers, _) = ui.post("/sign-in", "", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(!headers.contains_key(header::SET_COOKIE));

    // Ana, an editor, in any case: a Secure, host-only cookie, and her changes are hers.
    let (_, headers, _) = ui
        .post(
            "/sign-in",
            "",
            &[("name", "ana"), ("password", ANA_PASSWORD)],
        )
        .await;
    let set = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(set.starts_with("__Host-coalesce_session_7443="), "{set}");
    for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(part), "{set}");
    }
    let ana = ui.sign_in_as("Ana", ANA_PASSWORD).await;
    let (status, _, page) = ui.get("/", &ana).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Signed in as \u{2068}Ana\u{2069}"), "{page}");
    let issues = format!("/c/{}/issues", ui.coalition);
    let (_, _, page) = ui.get(&issues, &ana).await;
    assert!(
        page.contains(&format!(r#"method="post" action="{issues}""#)),
        "an editor sees the forms"
    );
    let csrf = ui.csrf_of(&ana);
    let (status, _, page) = ui
        .post(
            &issues,
            &ana,
            &[("csrf", &csrf), ("title", "Heat in winter")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        ui.asked
            .lock()
            .unwrap()
            .contains(&(Some("Ana".to_owned()), "issue_create")),
        "the change is asked for as Ana's"
    );

    // Bo, a viewer: reads, sees no form, and is refused any change.
    let bo = ui.sign_in_as("Bo", BO_PASSWORD).await;
    let (status, _, page) = ui.get(&issues, &bo).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Heat in winter"));
    assert!(!page.contains(r#"method="post" action="/c"#), "{page}");
    assert!(!page.contains(r#"href="/coalitions/new""#));
    let csrf = ui.csrf_of(&bo);
    let (status, _, page) = ui
        .post(&issues, &bo, &[("csrf", &csrf), ("title", "Not allowed")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("change nothing"), "{page}");
    for form in [
        "/coalitions/new",
        "/join",
        &format!("/c/{}/invite", ui.coalition),
    ] {
        assert_eq!(ui.get(form, &bo).await.0, StatusCode::FORBIDDEN, "{form}");
    }
    let (_, _, page) = ui.get(&issues, &bo).await;
    assert!(!page.contains("Not allowed"));
    let (status, headers, _) = ui.post("/sign-out", &bo, &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sign-in");
    assert!(
        headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    // Removing Ana's account ends her session at her next request.
    let (tx, rx) = tokio::sync::oneshot::channel();
    ui.jobs
        .send(api::Job::Op(
            commands::ops::Request::PersonRemove { name: "ANA".into() },
            tx,
        ))
        .await
        .unwrap();
    rx.await.unwrap().unwrap();
    let (status, headers, _) = ui.get("/", &ana).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sign-in");
}

#[tokio::test]
async fn a_setup_link_sets_a_password_once() {
    let ui = ui_lan();
    let (status, _, page) = ui.get("/setup?code=0123", "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("does not work"), "{page}");
    let link = format!("/setup?code={}", ui.setup);
    // Following the link spends nothing.
    for _ in 0..2 {
        let (status, _, page) = ui.get(&link, "").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("Cy") && page.contains(r#"autocomplete="new-password""#),
            "{page}"
        );
    }
    let code = ui.setup.as_str();
    let (status, _, page) = ui
        .post(
            "/setup",
            "",
            &[("code", code), ("password", "short"), ("again", "short")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="password-error""#) && page.contains("10 to 256"),
        "{page}"
    );
    let (status, _, page) = ui
        .post(
            "/setup",
            "",
            &[
                ("code", code),
                ("password", "a long password"),
                ("again", "a long passwort"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"id="again-error""#) && page.contains(r#"aria-invalid="true""#),
        "{page}"
    );
    let (status, headers, _) = ui
        .post(
            "/setup",
            "",
            &[
                ("code", code),
                ("password", "a long password"),
                ("again", "a long password"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    let cy = cookie.split(';').next().unwrap().to_owned();
    assert_eq!(ui.get("/", &cy).await.0, StatusCode::OK);
    assert_eq!(
        ui.get(&link, "").await.0,
        StatusCode::FORBIDDEN,
        "a link works once"
    );
    ui.sign_in_as("cy", "a long password").await;
}

#[tokio::test]
async fn sign_in_attempts_are_limited() {
    let ui = ui_lan();
    // Five tries a minute for one name...
    for _ in 0..5 {
        let (status, _, _) = ui
            .post(
                "/sign-in",
                "",
                &[("name", "Ana"), ("password", "guess guess guess")],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, page) = ui
        .post(
            "/sign-in",
            "",
            &[("name", "Ana"), ("password", ANA_PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers[header::RETRY_AFTER], "60");
    assert!(page.contains("Too many attempts"), "{page}");
    // ...and ten from one machine, whatever the names.
    for _ in 0..4 {
        ui.post(
            "/sign-in",
            "",
            &[("name", "Bo"), ("password", "guess guess guess")],
        )
        .await;
    }
    let (status, _, _) = ui
        .post("/sign-in", "", &[("name", "Bo"), ("password", BO_PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn on_the_lan_a_post_must_come_from_this_ui_s_https_origin() {
    let ui = ui_lan();
    let body = "name=Ana&password=correct+horse+battery";
    for origin in [
        None,
        Some("http://10.0.0.5:7443"),
        Some("https://evil.example"),
    ] {
        let mut req = HttpRequest::post("/sign-in")
            .header(header::HOST, LAN)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let (status, headers, _) = ui.send(req.body(Body::from(body)).unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}");
        assert!(!headers.contains_key(header::SET_COOKIE));
    }
}

#[tokio::test]
async fn on_loopback_there_is_no_setup_page() {
    let ui = ui();
    assert_eq!(ui.get("/setup?code=00", "").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_viewer_s_request_that_would_write_is_refused_wherever_it_comes_from() {
    let ui = ui_lan();
    let web = Web::new(ui.jobs.clone(), ui.sessions.clone(), vec![LAN.to_owned()]).for_people();
    let raise = commands::ops::Request::IssueCreate {
        coalition: ui.coalition.clone(),
        body: commands::ops::issues::NewIssueRequest {
            title: "Not from a viewer".into(),
            description: String::new(),
            tags: vec![],
            lead: None,
        },
    };
    let refused = PERSON
        .scope(("Bo".to_owned(), false), web.ask(raise.clone()))
        .await
        .unwrap_err();
    assert_eq!(refused.code, commands::ops::ErrorCode::Forbidden);
    // Reading is fine; an editor's write goes through, as theirs.
    let list = commands::ops::Request::IssueList {
        coalition: ui.coalition.clone(),
        query: Default::default(),
    };
    PERSON
        .scope(("Bo".to_owned(), false), web.ask(list))
        .await
        .unwrap();
    PERSON
        .scope(("Ana".to_owned(), true), web.ask(raise))
        .await
        .unwrap();
    let asked = ui.asked.lock().unwrap().clone();
    assert!(!asked.contains(&(Some("Bo".to_owned()), "issue_create")));
    assert!(asked.contains(&(Some("Ana".to_owned()), "issue_create")));
}

#[tokio::test]
async fn the_progress_report_opens_as_its_own_page_or_as_a_file_and_a_bad_day_is_said_at_its_field()
{
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    ui.post(
        &format!("/c/{}/issues", ui.coalition),
        &cookie,
        &[("csrf", &csrf), ("title", "<script>alert(1)</script>")],
    )
    .await;
    let form = format!("/c/{}/reports/progress", ui.coalition);
    let (status, headers, page) = ui.get(&form, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        CSP,
        "the form is a page of the UI"
    );
    assert!(page.contains("name=\"get\" value=\"view\""), "{page}");
    let (reports_status, _, reports) = ui
        .get(&format!("/c/{}/reports", ui.coalition), &cookie)
        .await;
    assert_eq!(reports_status, StatusCode::OK);
    assert!(
        reports.contains(&format!("href=\"{form}\"")),
        "linked from the reports"
    );

    // Opened: the report as a page of its own, under its own policy: no script at all.
    let (status, headers, report) = ui
        .get(&format!("{form}?from=2020-01-01&lang=es&get=view"), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let policy = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert_eq!(policy, report::policy());
    assert!(policy.starts_with("default-src 'none'") && !policy.contains("script"));
    assert!(headers.get(header::CONTENT_DISPOSITION).is_none());
    assert!(report.starts_with("<!DOCTYPE html>") && report.contains("<html lang=\"es\">"));
    assert!(report.contains("informe de avances"));
    assert!(!report.contains("<script>"));
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");

    // Downloaded: a file, in the type asked.
    let (status, headers, md) = ui
        .get(&format!("{form}?format=md&get=download"), &cookie)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"progress-report-en.md\""
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(md.starts_with("# "), "{md}");
    assert!(md.contains("\\<script\\>"), "{md}");

    // A day that does not read, or a last day before the first: said at the field.
    let (status, _, page) = ui
        .get(&format!("{form}?from=someday&get=view"), &cookie)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"from-error\""), "{page}");
    let (status, _, page) = ui
        .get(
            &format!("{form}?from=2026-05-01&to=2026-04-01&get=download"),
            &cookie,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("id=\"to-error\"") && page.contains("The last day is before the first day.")
    );
}

#[tokio::test]
async fn a_translation_shows_in_the_readers_language_with_the_original_a_click_away() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let (_, headers, _) = ui
        .post(
            &format!("/c/{}/issues", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Bus fares"),
                ("description", "Fares rose 40%."),
            ],
        )
        .await;
    let issue = headers[header::LOCATION]
        .to_str()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let id = issue.rsplit('/').next().unwrap().to_owned();
    let (_, _, page) = ui.get(&issue, &cookie).await;
    assert!(
        page.contains("action=\"/c/") && page.contains("/translate\""),
        "{page}"
    );
    let (status, headers, _) = ui
        .post(
            &format!("/c/{}/translate", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "title"),
                ("lang", "es"),
                ("text", "Tarifas del autobús"),
                ("back", &issue),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("{issue}?done=translated")
    );
    // A way back elsewhere is not followed.
    let (status, headers, _) = ui
        .post(
            &format!("/c/{}/translate", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "description"),
                ("lang", "es"),
                ("text", "Subieron un 40 %."),
                ("machine", "1"),
                ("back", "//elsewhere.example/x"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("/c/{}/?done=translated", ui.coalition)
    );
    // Read in Spanish: the translations, each marked, with the original a click away.
    let (_, _, es) = ui
        .send(
            HttpRequest::get(&issue)
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_LANGUAGE, "es")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        es.contains("<h1 lang=\"es\">Tarifas del autobús</h1>"),
        "{es}"
    );
    assert!(es.contains("lang=\"es\">Subieron un 40 %.</p>"), "{es}");
    assert!(es.contains("Traducción automática, añadida por"), "{es}");
    assert!(
        es.contains("<details class=\"original\"><summary>Original"),
        "{es}"
    );
    assert!(
        es.contains(">Bus fares</p>"),
        "the original, a click away: {es}"
    );
    // Read in English: the original.
    let (_, _, en) = ui.get(&issue, &cookie).await;
    assert!(en.contains(">Bus fares</h1>"), "{en}");
    assert!(!en.contains("Tarifas del autobús"), "{en}");
    // Nothing to say: the node's refusal, said.
    let (status, _, refused) = ui
        .post(
            &format!("/c/{}/translate", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "title"),
                ("lang", "es"),
                ("text", "   "),
                ("back", &issue),
            ],
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    assert!(refused.contains("translation"), "{refused}");

    // A piece of evidence, translated from the form, shows translated with its note.
    ui.post(
        &format!("{issue}/evidence"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("figure", "Fares rose 40%"),
            ("source", "City budget"),
        ],
    )
    .await;
    let (_, _, page) = ui.get(&issue, &cookie).await;
    assert!(
        page.contains("value=\"evidence:1\""),
        "the form offers it: {page}"
    );
    let (status, _, _) = ui
        .post(
            &format!("/c/{}/translate", ui.coalition),
            &cookie,
            &[
                ("csrf", &csrf),
                ("record", &id),
                ("field", "evidence:1"),
                ("lang", "es"),
                ("text", "Las tarifas subieron un 40 %"),
                ("back", &issue),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, es) = ui
        .send(
            HttpRequest::get(&issue)
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::ACCEPT_LANGUAGE, "es")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(es.contains("Las tarifas subieron un 40 %"), "{es}");
}

#[tokio::test]
async fn meeting_times_are_proposed_and_answered_and_the_best_comes_first() {
    let ui = ui();
    let (cookie, csrf) = ui.sign_in();
    let plans = format!("/c/{}/plans", ui.coalition);
    let (status, headers, _) = ui
        .post(
            &plans,
            &cookie,
            &[
                ("csrf", &csrf),
                ("title", "Fare campaign"),
                ("times", "2026-12-10 18:00\n2026-12-11 09:30\n"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("{plans}?done=plan-proposed")
    );
    let (status, _, page) = ui.get(&plans, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let action = page
        .split("action=\"")
        .find(|s| s.contains("/answers\""))
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let body = format!("csrf={csrf}&answer=no&answer=yes");
    let (status, _, _) = ui
        .send(
            HttpRequest::post(&action)
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = ui.get(&plans, &cookie).await;
    // The time that works comes first; the other leaves this organization out.
    let first = page
        .find("December 11, 2026, 09:30 UTC")
        .unwrap_or(usize::MAX);
    let second = page
        .find("December 10, 2026, 18:00 UTC")
        .unwrap_or(usize::MAX);
    assert!(first < second, "{page}");
    let later = &page[second..];
    let row = &later[..later.find("</tr>").unwrap()];
    assert!(
        row.ends_with("<td>\u{2068}Northside Tenants Union\u{2069}</td><td>nobody</td>"),
        "the 10 December time leaves this organization out: {row}"
    );
    // An answer per time, or refused with the node's reason.
    let (status, _, refused) = ui
        .send(
            HttpRequest::post(&action)
                .header(header::HOST, HOST)
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={csrf}&answer=yes")))
                .unwrap(),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    assert!(refused.contains("one answer for each"), "{refused}");
}

/// Each listing says how many of its records lack a translation into each language the
/// members work in, the page's first; none is said of a language every record is in.
#[tokio::test]
async fn listings_say_what_is_not_yet_in_each_members_language() {
    let ui = ui_with(|r, c| {
        let c: model::CoalitionId = c.parse().unwrap();
        commands::ops::members::update_profile(
            r,
            &c,
            commands::ops::members::ProfileRequest {
                languages: Some(vec!["en".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        r.edit(&c, |doc, a| {
            let mut profile = model::MemberProfile::named("Familias Unidas");
            profile.languages = vec!["es".into(), "fr".into()];
            doc.admit_member(
                &a.member,
                &model::MemberId::from_bytes([9; 16]),
                &profile,
                model::NodeKey::from_bytes([9; 32]),
                a.now,
            )
        })
        .unwrap();
        for title in ["Bus fares", "Rent"] {
            commands::testing::raise(r, &c, title);
        }
        commands::ops::proposals::create(
            r,
            &c,
            commands::ops::proposals::NewProposalRequest {
                kind: "general".into(),
                title: "Join the march".into(),
                ..Default::default()
            },
        )
        .unwrap();
        commands::ops::meetings::create(
            r,
            &c,
            commands::ops::meetings::NewMeetingRequest {
                date: "2026-11-20".into(),
                minutes: "Agreed to start.".into(),
                ..Default::default()
            },
        )
        .unwrap();
    });
    let (cookie, _) = ui.sign_in();
    let spanish = |path: String| {
        HttpRequest::get(path)
            .header(header::HOST, HOST)
            .header(header::COOKIE, &cookie)
            .header(header::ACCEPT_LANGUAGE, "es")
            .body(Body::empty())
            .unwrap()
    };
    let (_, _, issues) = ui
        .get(&format!("/c/{}/issues", ui.coalition), &cookie)
        .await;
    assert!(
        issues.contains(
            "<p>2 issues are not yet in Spanish.</p><p>2 issues are not yet in French.</p>"
        ),
        "{issues}"
    );
    assert!(!issues.contains("not yet in English"), "{issues}");
    let (_, _, es) = ui
        .send(spanish(format!("/c/{}/proposals", ui.coalition)))
        .await;
    assert!(
        es.contains("<p>2 propuestas aún no están en español.</p><p>2 propuestas aún no están en francés.</p>"),
        "the page's language first: {es}"
    );
    let (_, _, meetings) = ui
        .get(&format!("/c/{}/meetings", ui.coalition), &cookie)
        .await;
    assert!(
        meetings.contains("The minutes of one meeting are not yet in Spanish."),
        "{meetings}"
    );
}

/// Opens a poll counted by `method` among `options` (asking `asks`, for a budget).
fn open_poll(
    r: &mut replica::Replica,
    c: &str,
    method: &str,
    options: &[&str],
    asks: &[&str],
) -> String {
    let c: model::CoalitionId = c.parse().unwrap();
    commands::ops::proposals::create(
        r,
        &c,
        commands::ops::proposals::NewProposalRequest {
            kind: "general".into(),
            title: format!("A poll by {method}"),
            closes: Some("7d".into()),
            method: Some(method.into()),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            asks: asks.iter().map(|o| (*o).to_owned()).collect(),
            ..Default::default()
        },
    )
    .unwrap()
    .to_string()
}

/// A poll's page lists its options with where each stands, the count round by round in
/// tables, and the ballot form in place of positions; the form ranks with a menu per option,
/// is refused with the reason next to the options at fault (what was chosen kept), and,
/// once cast, holds the ballot to change.
#[tokio::test]
async fn a_poll_is_voted_from_its_page_and_shows_its_count() {
    let mut poll = String::new();
    let ui = ui_with(|r, c| {
        poll = open_poll(
            r,
            c,
            "ranked",
            &["Fare-free <b>buses</b>", "Half fares", "Night routes"],
            &[],
        );
    });
    let (cookie, csrf) = ui.sign_in();
    let path = format!("/c/{}/proposals/{poll}", ui.coalition);
    let (status, _, page) = ui.get(&path, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Poll among options"), "{page}");
    assert!(
        page.contains("rank the options; one winner by instant runoff"),
        "{page}"
    );
    assert!(page.contains("0 of 1 organizations have voted."), "{page}");
    assert!(
        page.contains("Open: 0 of 1 organizations have voted; quorum not met yet."),
        "{page}"
    );
    assert!(
        page.contains("must cast a ballot before the poll closes"),
        "{page}"
    );
    assert!(!page.contains("agreed,"), "no positions' words: {page}");
    assert!(!page.contains("Fare-free <b>"), "escaped: {page}");
    assert!(
        page.contains("Fare-free &#60;b&#62;buses&#60;/b&#62;"),
        "shown, escaped: {page}"
    );
    assert!(!page.contains("/position\""), "no position form: {page}");
    assert!(
        page.contains(&format!("action=\"{path}/ballot\"")),
        "{page}"
    );
    assert!(page.contains("<select id=\"o3\" name=\"o3\">"), "{page}");
    assert!(
        page.contains("<option value=\"3\">Preference 3</option>"),
        "{page}"
    );
    assert!(page.contains("Cast the ballot"), "{page}");

    // Two options in one place: refused, both marked, the places chosen kept.
    let ballot = format!("{path}/ballot");
    let (status, _, page) = ui
        .post(
            &ballot,
            &cookie,
            &[("csrf", &csrf), ("o1", "1"), ("o2", "1"), ("o3", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"o1-error\""), "{page}");
    assert!(page.contains("id=\"o2-error\""), "{page}");
    assert!(!page.contains("id=\"o3-error\""), "{page}");
    assert!(page.contains("Two options have preference 1"), "{page}");
    assert!(
        page.contains("<option value=\"1\" selected>Preference 1</option>"),
        "{page}"
    );
    // One option only: instant runoff wants two.
    let (status, _, page) = ui
        .post(&ballot, &cookie, &[("csrf", &csrf), ("o2", "1")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Rank 2 options at least."), "{page}");
    // Without the form's token: refused.
    let (status, _, _) = ui.post(&ballot, &cookie, &[("o1", "1"), ("o2", "2")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, headers, _) = ui
        .post(
            &ballot,
            &cookie,
            &[("csrf", &csrf), ("o1", "2"), ("o2", "1"), ("o3", "")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let done = headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(done.contains("done=ballot-cast"), "{done}");
    let (_, _, page) = ui.get(&done, &cookie).await;
    assert!(page.contains("ballot is recorded."), "{page}");
    assert!(
        page.contains("Open: 1 of 1 organizations have voted; quorum met."),
        "{page}"
    );
    assert!(
        page.contains("<th scope=\"row\">Half fares</th><td>Winner</td>"),
        "{page}"
    );
    assert!(
        page.contains("Round 1: \u{2068}Half fares\u{2069} wins with more than half"),
        "{page}"
    );
    assert!(
        page.contains("The votes of each option in each round"),
        "{page}"
    );
    assert!(
        page.contains("ranked the row"),
        "the pairwise matrix: {page}"
    );
    assert!(
        page.contains("<option value=\"2\" selected>Preference 2</option>"),
        "{page}"
    );
    assert!(page.contains("Change the ballot"), "{page}");
    assert!(page.contains("<svg role=\"img\""), "a chart: {page}");

    // In Spanish.
    let (_, _, page) = ui.get(&path, &format!("{cookie}; coalesce_lang=es")).await;
    assert!(page.contains("Cambiar la papeleta"), "{page}");
    assert!(page.contains("Ganadora"), "{page}");
}

/// Weights the charter gives show on the charter's page, and on a poll's page opened after
/// them, in both languages.
#[tokio::test]
async fn weights_show_on_the_charter_and_the_polls_they_weigh() {
    let mut poll = String::new();
    let ui = ui_with(|r, c| {
        let cid: model::CoalitionId = c.parse().unwrap();
        let amendment = commands::ops::charter::amend(
            r,
            &cid,
            commands::ops::charter::AmendmentRequest {
                weights: vec!["general:Northside Tenants Union=40".into()],
                ..Default::default()
            },
        )
        .unwrap();
        commands::ops::proposals::take_position(
            r,
            &cid,
            amendment.as_str(),
            commands::ops::proposals::PositionRequest {
                stance: "agree".into(),
                reason: String::new(),
            },
        )
        .unwrap();
        poll = open_poll(r, c, "choose", &["Fares", "Routes"], &[]);
    });
    let (cookie, _) = ui.sign_in();
    let (_, _, page) = ui
        .get(&format!("/c/{}/charter", ui.coalition), &cookie)
        .await;
    assert!(page.contains("weigh more than one in polls"), "{page}");
    assert!(page.contains("<td class=\"num\">40</td>"), "{page}");
    let (_, _, page) = ui
        .get(&format!("/c/{}/charter?from=1&to=2", ui.coalition), &cookie)
        .await;
    assert!(
        page.contains("ballot in polls (General decision): weight 1 became 40."),
        "{page}"
    );
    let path = format!("/c/{}/proposals/{poll}", ui.coalition);
    let (_, _, page) = ui.get(&path, &cookie).await;
    assert!(
        page.contains("Northside Tenants Union counts 40 times"),
        "{page}"
    );
    let (_, _, page) = ui.get(&path, &format!("{cookie}; coalesce_lang=es")).await;
    assert!(page.contains("cuenta 40 veces"), "{page}");
}

/// Every other kind of ballot is cast from the page: options ticked, scores, dots, times and
/// gifts (an amount written the Spanish way too), and each result shows its figures.
#[tokio::test]
async fn every_kind_of_ballot_is_cast_from_the_page() {
    let mut polls = Vec::new();
    let ui = ui_with(|r, c| {
        for (method, asks) in [
            ("choose:1-2", &[][..]),
            ("score", &[]),
            ("dots:8", &[]),
            ("time", &[]),
            ("budget:100", &["150", "80"][..]),
            ("stv:2:scottish", &[]),
            ("condorcet", &[]),
        ] {
            let options = if method.starts_with("stv") {
                &["Ana", "Bo", "Cy"][..]
            } else {
                &["First", "Second"][..]
            };
            polls.push(open_poll(r, c, method, options, asks));
        }
    });
    let (cookie, csrf) = ui.sign_in();
    let sent: [(&[(&str, &str)], &str); 7] = [
        (&[("choose", "1"), ("choose", "2")], "Chosen by"),
        (&[("o1", "4"), ("o2", "")], "Mean score"),
        (&[("o1", "5"), ("o2", "3")], "The dots each option received"),
        (&[("o1", "if-needed"), ("o2", "yes")], "Works if needed for"),
        (&[("o1", "60,50"), ("o2", "39.50")], "Given in all"),
        (&[("o1", "2"), ("o2", "1")], "Quota"),
        (&[("o1", "1"), ("o2", "2")], "The strongest path"),
    ];
    for (poll, (fields, shown)) in polls.iter().zip(sent) {
        let path = format!("/c/{}/proposals/{poll}", ui.coalition);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let (status, headers, page) = ui.post(&format!("{path}/ballot"), &cookie, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{poll}: {page}");
        let done = headers[header::LOCATION].to_str().unwrap().to_owned();
        let (_, _, page) = ui.get(&done, &cookie).await;
        assert!(
            page.contains("1 of 1 organizations have voted."),
            "{poll}: {page}"
        );
        assert!(page.contains(shown), "{poll} shows {shown}: {page}");
        assert!(page.contains("Change the ballot"), "{poll}: {page}");
    }
    // Too many dots, too much given, a score out of range: refused with the reason.
    type Refused<'a> = (usize, &'a [(&'a str, &'a str)], &'a str);
    let refused: [Refused; 3] = [
        (
            2,
            &[("o1", "5"), ("o2", "4")],
            "Spread at most 8 dots (this ballot spreads 9).",
        ),
        (
            4,
            &[("o1", "90"), ("o2", "20")],
            "Give at most 100.00 in all",
        ),
        (1, &[("o1", "6")], "Write a whole number from 0 to 5"),
    ];
    for (i, fields, why) in refused {
        let path = format!("/c/{}/proposals/{}/ballot", ui.coalition, polls[i]);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let (status, _, page) = ui.post(&path, &cookie, &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains(why), "{why}: {page}");
    }
}

/// Once a poll over the issues has closed with its quorum, the inventory comes in the order
/// it decided, each issue with its place and the poll named with a link; oldest first on
/// asking, and before any such poll the page says none has decided yet.
#[tokio::test]
async fn the_inventory_comes_in_the_priority_a_poll_over_issues_decided() {
    let (mut poll, mut night_id) = (String::new(), String::new());
    let ui = ui_with(|r, c| {
        let c: model::CoalitionId = c.parse().unwrap();
        let ids: Vec<model::IssueId> = ["Bus fares", "Ramps at <i>stops</i>", "Night buses"]
            .into_iter()
            .map(|title| commands::testing::raise(r, &c, title))
            .collect();
        poll = commands::testing::closed_issue_poll(r, &c, &ids, &[(3, 4), (2, 2)]).to_string();
        night_id = ids[2].to_string();
    });
    let (cookie, _) = ui.sign_in();
    let path = format!("/c/{}/issues", ui.coalition);
    let (status, _, page) = ui.get(&path, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Priority decided by the poll"), "{page}");
    assert!(
        page.contains(&format!("/proposals/{poll}\">Our priorities</a>")),
        "{page}"
    );
    assert!(page.contains("<th scope=\"col\">Place</th>"), "{page}");
    let night = page.find("Night buses").unwrap();
    let ramps = page.find("Ramps at &#60;i&#62;stops").unwrap();
    let fares = page.find(">Bus fares<").unwrap();
    assert!(night < ramps && ramps < fares, "by place: {page}");
    assert!(page.contains("<td>1</td>"), "{page}");
    assert!(!page.contains("not ranked"), "all three ranked: {page}");
    // Oldest first on asking; the places still shown.
    let (_, _, page) = ui.get(&format!("{path}?by=age"), &cookie).await;
    let night = page.find("Night buses").unwrap();
    let fares = page.find(">Bus fares<").unwrap();
    assert!(fares < night, "oldest first: {page}");
    assert!(
        page.contains("<option value=\"age\" selected>Oldest first</option>"),
        "{page}"
    );
    // In Spanish too.
    let (_, _, page) = ui.get(&path, &format!("{cookie}; coalesce_lang=es")).await;
    assert!(
        page.contains("Prioridad decidida por la votación"),
        "{page}"
    );
    assert!(page.contains("Puesto"), "{page}");
    // The poll's page says what its result decides.
    let (_, _, page) = ui
        .get(&format!("/c/{}/proposals/{poll}", ui.coalition), &cookie)
        .await;
    assert!(page.contains("This poll is over the issues"), "{page}");
    // Each option leads to the issue it stands for.
    assert!(
        page.contains(&format!("/issues/{night_id}\">Issue 3</a>")),
        "{page}"
    );
}

/// Before any poll over issues has passed, the inventory says so and comes oldest first.
#[tokio::test]
async fn the_inventory_says_when_no_poll_has_decided_its_priority() {
    let ui = ui_with(|r, c| {
        let c: model::CoalitionId = c.parse().unwrap();
        commands::testing::raise(r, &c, "Bus fares");
    });
    let (cookie, _) = ui.sign_in();
    let (_, _, page) = ui
        .get(&format!("/c/{}/issues", ui.coalition), &cookie)
        .await;
    assert!(
        page.contains("No poll over the issues has decided a priority yet"),
        "{page}"
    );
    assert!(!page.contains("<th scope=\"col\">Place</th>"), "{page}");
}
