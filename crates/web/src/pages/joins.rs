//! Inviting an organization (an invite code to copy, with its expiry) and joining a coalition
//! by pasting one, with how the join is going as the node reports it (pieces received of the
//! total while the coalition arrives).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::joins::{InviteRequest, JoinRequest, JoinStep};
use commands::ops::{Reply, Request};

use super::{Chrome, Field, page, unexpected};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web, see_other};

/// An invite made, as shown.
#[derive(Debug)]
pub(crate) struct Made {
    pub(crate) code: String,
    pub(crate) help: String,
    /// Only nodes on this node's own network can use it (see `InviteMade::reachability`).
    pub(crate) local_only: bool,
}

#[derive(Template)]
#[template(path = "invite.html")]
struct Invite {
    c: Chrome,
    heading: String,
    coalition: String,
    made: Option<Made>,
    form_error: Option<String>,
}

/// The form to make an invite code.
pub(crate) async fn invite_form(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("none");
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    page(
        StatusCode::OK,
        &Invite {
            heading: c.tw("invite-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            coalition,
            made: None,
            form_error: None,
        },
    )
}

/// What the invite form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    expires: String,
}

/// Makes the code and shows it to copy (not redirected: the code is shown once).
pub(crate) async fn invite_create(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<InviteForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let c = visit.chrome("none");
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let heading = c.tw(
        "invite-made-title",
        &[("coalition", Arg::Text(summary.name.clone()))],
    );
    // Only the durations the form offers.
    let expires = ["1d", "7d", "30d"]
        .into_iter()
        .find(|e| *e == f.expires)
        .unwrap_or("7d");
    let req = Request::InviteCreate {
        coalition: coalition.clone(),
        body: InviteRequest {
            expires: Some(expires.to_owned()),
        },
    };
    match web.ask(req).await {
        Ok(Reply::Invite(made)) => page(
            StatusCode::OK,
            &Invite {
                made: Some(Made {
                    help: c.tw(
                        "invite-code-help",
                        &[("date", Arg::Own(date_time(c.l, made.expires_at)))],
                    ),
                    local_only: made.local_network_only(),
                    code: made.code,
                }),
                heading,
                c,
                coalition,
                form_error: None,
            },
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => page(
            super::status_of(&e),
            &Invite {
                heading: c.tw("invite-title", &[("coalition", Arg::Text(summary.name))]),
                c,
                coalition,
                made: None,
                form_error: Some(super::refusal(visit.lang, &e)),
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "join.html")]
struct Join {
    c: Chrome,
    form_error: Option<String>,
    fields: Vec<Field>,
}

/// What the join form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct JoinForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    org: String,
}

fn join_fields(c: &Chrome, f: &JoinForm) -> Vec<Field> {
    vec![
        Field::text(c, "code", "join-code", "join-code-help")
            .required()
            .multiline()
            .value(&f.code),
        Field::text(c, "org", "join-org", "join-org-help").value(&f.org),
    ]
}

/// The form to paste an invite code.
pub(crate) async fn join_form(visit: Visit) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("none");
    let fields = join_fields(&c, &JoinForm::default());
    page(
        StatusCode::OK,
        &Join {
            c,
            form_error: None,
            fields,
        },
    )
}

/// Starts the join, then shows how it goes; or the form again with what was wrong.
pub(crate) async fn join_start(
    State(web): State<Web>,
    visit: Visit,
    axum::Form(f): axum::Form<JoinForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let c = visit.chrome("none");
    let mut fields = join_fields(&c, &f);
    let refused = |c: Chrome, fields: Vec<Field>, status: StatusCode, error: String| {
        page(
            status,
            &Join {
                c,
                form_error: Some(error),
                fields,
            },
        )
    };
    let code: String = f.code.split_whitespace().collect();
    if code.is_empty() {
        fields[0].error = Some(c.t("error-code"));
        let error = c.t("error-form");
        return refused(c, fields, StatusCode::UNPROCESSABLE_ENTITY, error);
    }
    let req = Request::JoinStart {
        body: JoinRequest {
            code,
            org: Some(f.org.trim().to_owned()).filter(|o| !o.is_empty()),
        },
    };
    match web.ask(req).await {
        Ok(Reply::JoinStarted(started)) => see_other(&format!("/join/{}", started.coalition), None),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let status = super::status_of(&e);
            refused(c, fields, status, super::refusal(visit.lang, &e))
        }
    }
}

/// The progress bar's numbers.
#[derive(Debug)]
pub(crate) struct Progress {
    pub(crate) received: u32,
    pub(crate) total: u32,
    pub(crate) words: String,
}

#[derive(Template)]
#[template(path = "join_progress.html")]
struct JoinProgress {
    c: Chrome,
    coalition: String,
    step: String,
    progress: Option<Progress>,
    joined: bool,
}

/// How the join of `coalition` is going.
pub(crate) async fn join_progress(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("none");
    let stage = match web
        .ask(Request::JoinStage {
            coalition: coalition.clone(),
            wait: commands::ops::joins::JoinWait::default(),
        })
        .await
    {
        Ok(Reply::JoinStage(s)) => s,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let step_id = format!("join-step-{}", stage.step.as_str());
    let step = c.tw(
        &step_id,
        &[(
            "reason",
            Arg::Text(stage.reason.clone().unwrap_or_default()),
        )],
    );
    let progress = match (stage.received, stage.total) {
        (Some(received), Some(total)) if total > 0 => Some(Progress {
            received: received.min(total),
            total,
            words: c.tw(
                "join-received",
                &[
                    ("received", Arg::Count(received as usize)),
                    ("total", Arg::Count(total as usize)),
                    (
                        "kib",
                        Arg::Count(usize::try_from(stage.bytes.unwrap_or(0) / 1024).unwrap_or(0)),
                    ),
                ],
            ),
        }),
        _ => None,
    };
    page(
        StatusCode::OK,
        &JoinProgress {
            c,
            coalition,
            step,
            progress,
            joined: stage.step == JoinStep::Joined,
        },
    )
}
