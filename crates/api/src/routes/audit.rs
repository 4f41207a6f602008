//! The routes of reports, history, keys, leaving and amendments (the rest of the typed
//! operations; see the parent module for how a handler works).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::audit::{AsideView, HistoryQuery, HistoryView, RestoreRequest};
use commands::ops::charter::AmendmentRequest;
use commands::ops::files::{BackupMade, BackupRequest, ExportRequest, Exported};
use commands::ops::joins::{
    InviteMade, InviteRequest, JoinRequest, JoinStage, JoinStarted, JoinWait, PendingJoinView,
};
use commands::ops::keys::{KeyRequest, KeyView};
use commands::ops::reports::{EquityView, OverlapView, PowerView, ProgressMade, ProgressQuery};
use commands::ops::{Created, OpError, Request, Updated};

use super::{ApiJson, ApiPath, ApiQuery, Authorized, call};
use crate::AppState;

/// This node's organization leaves the coalition: it writes nothing more to it, and the other members' nodes stop sending it the coalition. Answers with its member id.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/leave",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn member_leave(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::MemberLeave { coalition }, StatusCode::OK).await
}

/// Opens a proposal to amend the charter; once it passes under the amendment rule it becomes the next charter version.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/charter/amendments",
    tag = "charter",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = AmendmentRequest,
    responses(
        (status = 201, description = "Done", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn charter_amend(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<AmendmentRequest>,
) -> Response {
    call(
        &state,
        Request::CharterAmend {
            coalition,
            body: Box::new(body),
        },
        StatusCode::CREATED,
    )
    .await
}

/// This organization's node keys in the coalition, with what this node knows of each.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/keys",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = Vec<KeyView>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn key_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::KeyList { coalition }, StatusCode::OK).await
}

/// Certifies another node key to act for this organization.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/keys",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = KeyRequest,
    responses(
        (status = 201, description = "Done", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn key_add(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<KeyRequest>,
) -> Response {
    call(
        &state,
        Request::KeyAdd { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// Revokes one of this organization's node keys: what it signs from now on is refused.
#[utoipa::path(
    delete,
    path = "/v1/coalitions/{coalition}/keys/{key}",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), ("key" = String, Path, description = "The node key")),
    responses(
        (status = 200, description = "Done", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn key_revoke(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, key)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::KeyRevoke { coalition, key },
        StatusCode::OK,
    )
    .await
}

/// The overlap report: issues by how many members share them and how high they rank them.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/reports/overlap",
    tag = "reports",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = OverlapView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn report_overlap(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::ReportOverlap { coalition }, StatusCode::OK).await
}

/// The equity report: per pool, what each member pledged, gave and received, and who is flagged.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/reports/equity",
    tag = "reports",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = EquityView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn report_equity(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::ReportEquity { coalition }, StatusCode::OK).await
}

/// The power audit: proposals, facilitation, resources, positions and blocks per member in force.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/reports/power",
    tag = "reports",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = PowerView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn report_power(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::ReportPower { coalition }, StatusCode::OK).await
}

/// The progress report over a period, in plain language (English or Spanish), written as one
/// self-contained HTML file, Markdown or JSON: goals against their targets, decisions,
/// resources, who benefits and who is left out, who took part, charter changes.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/reports/progress",
    tag = "reports",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), ProgressQuery),
    responses(
        (status = 200, description = "Done", body = ProgressMade),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn report_progress(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<ProgressQuery>,
) -> Response {
    call(
        &state,
        Request::ReportProgress { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Writes this organization's translation of a shared record's field into a language
/// (replacing its earlier one of the same field into the same language). Only the member
/// that wrote a translation may change it.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/translations",
    tag = "translations",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = commands::ops::translations::TranslateRequest,
    responses(
        (status = 200, description = "Written; its key (FIELD@LANG)", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn translate(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<commands::ops::translations::TranslateRequest>,
) -> Response {
    call(
        &state,
        Request::Translate { coalition, body },
        StatusCode::OK,
    )
    .await
}

/// The translations of a coalition's records (into one language, of one record, if asked),
/// and how many records of each kind lack one in each language its members work in.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/translations",
    tag = "translations",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), commands::ops::translations::TranslationsQuery),
    responses(
        (status = 200, description = "Done", body = commands::ops::translations::TranslationsView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn translation_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<commands::ops::translations::TranslationsQuery>,
) -> Response {
    call(
        &state,
        Request::TranslationList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Proposes times for a meeting: the members answer each, and the listing orders them by who
/// they work for.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/plans",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = commands::ops::plans::PlanRequest,
    responses(
        (status = 201, description = "Proposed; the plan's id", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn plan_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<commands::ops::plans::PlanRequest>,
) -> Response {
    call(
        &state,
        Request::PlanCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// This organization's answers to a meeting plan's times (replacing its earlier ones).
#[utoipa::path(
    put,
    path = "/v1/coalitions/{coalition}/plans/{plan}/answers",
    tag = "meetings",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("plan" = String, Path, description = "Plan id or unique prefix"),
    ),
    request_body = commands::ops::plans::AnswerRequest,
    responses(
        (status = 200, description = "Answered; the plan's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn plan_answer(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, plan)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<commands::ops::plans::AnswerRequest>,
) -> Response {
    let req = Request::PlanAnswer {
        coalition,
        plan,
        body,
    };
    call(&state, req, StatusCode::OK).await
}

/// Every meeting plan, newest first, with its times best first and who each leaves out.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/plans",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = commands::ops::plans::PlansView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn plan_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::PlanList { coalition }, StatusCode::OK).await
}

/// Who changed what: the coalition's changes, oldest first, or those of one record.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/history",
    tag = "history",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), HistoryQuery),
    responses(
        (status = 200, description = "Done", body = HistoryView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn history(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Response {
    call(
        &state,
        Request::History { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Writes a field of a record as it was after a change, as a new change.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/history/restore",
    tag = "history",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = RestoreRequest,
    responses(
        (status = 201, description = "Done", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn history_restore(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<RestoreRequest>,
) -> Response {
    call(
        &state,
        Request::HistoryRestore { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// The edits of the coalition that a fork of a member node's history set aside on this node.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/aside",
    tag = "history",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "Done", body = AsideView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn aside(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::Aside { coalition }, StatusCode::OK).await
}

/// What this node refused from peers because it broke the rules, oldest first (the newest kept).
#[utoipa::path(
    get,
    path = "/v1/refused",
    tag = "history",
    responses(
        (status = 200, description = "Done", body = Vec<commands::ops::audit::Refusal>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn refused(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::Refused, StatusCode::OK).await
}

/// This node, its network (peers connected, addresses, TLS) and, per coalition, each other
/// member node: connected or not, when it last synced, how many changes it lacks.
#[utoipa::path(
    get,
    path = "/v1/status",
    tag = "node",
    responses(
        (status = 200, description = "Done", body = commands::ops::status::StatusDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn status(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::Status, StatusCode::OK).await
}

/// Makes a one-time link that signs this machine's browser in to the node's web UI
/// (`coalesce ui`); it works once, for a few minutes.
#[utoipa::path(
    post,
    path = "/v1/ui/sign-in",
    tag = "node",
    responses(
        (status = 200, description = "Done", body = crate::SignInLink),
        (status = "4XX", description = "Refused", body = OpError),
        (status = "5XX", description = "No UI here, or no link could be made", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn ui_sign_in(_: Authorized, State(state): State<AppState>) -> Response {
    let Some(ui) = &state.ui else {
        return super::error(OpError::new(
            commands::ops::ErrorCode::Unavailable,
            "this listener serves no web UI (it is served on the node's loopback address)",
        ));
    };
    if state.remote {
        return super::error(OpError::new(
            commands::ops::ErrorCode::Forbidden,
            "sign-in links are for a browser on the node's own machine (its loopback address); people on other machines sign in with an account: `coalesce person add NAME --role editor`",
        ));
    }
    match ui.sign_in_link() {
        Some(link) => super::json(StatusCode::OK, &link),
        None => super::error(OpError::new(
            commands::ops::ErrorCode::Internal,
            "could not make a sign-in link: the system gave no randomness",
        )),
    }
}

/// Makes a one-time invite code to the coalition, valid until it expires, announcing the
/// addresses this node is reached at.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/invites",
    tag = "joins",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Made", body = InviteMade),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn invite_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Response {
    let req = Request::InviteCreate { coalition, body };
    call(&state, req, StatusCode::CREATED).await
}

/// Starts joining a coalition with an invite code: the node connects to the inviting node
/// and takes the coalition in once admitted (across restarts, until it completes or is
/// cancelled). `GET /v1/joins/{coalition}` says how it is going.
#[utoipa::path(
    post,
    path = "/v1/joins",
    tag = "joins",
    request_body = JoinRequest,
    responses(
        (status = 201, description = "Started", body = JoinStarted),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn join_start(
    _: Authorized,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<JoinRequest>,
) -> Response {
    call(&state, Request::JoinStart { body }, StatusCode::CREATED).await
}

/// The joins this node started that have not completed, with how each is going.
#[utoipa::path(
    get,
    path = "/v1/joins",
    tag = "joins",
    responses(
        (status = 200, description = "Done", body = Vec<PendingJoinView>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn join_list(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::JoinList, StatusCode::OK).await
}

/// How a join is going: `joined`, `refused: REASON` or `pending: STAGE`; with `after` and
/// `wait_ms`, once it moves from `after` (or when `wait_ms` has passed).
#[utoipa::path(
    get,
    path = "/v1/joins/{coalition}",
    tag = "joins",
    params(("coalition" = String, Path, description = "The coalition's whole id"), JoinWait),
    responses(
        (status = 200, description = "Done", body = JoinStage),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn join_stage(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(wait): ApiQuery<JoinWait>,
) -> Response {
    let Some(hold) = wait.holds_for() else {
        return call(
            &state,
            Request::JoinStage { coalition, wait },
            StatusCode::OK,
        )
        .await;
    };
    // The node answers a held stage when something happens to it; the end of the wait is kept
    // here, to the millisecond: then the stage as it is.
    let held = Request::JoinStage {
        coalition: coalition.clone(),
        wait,
    };
    match tokio::time::timeout(hold, call(&state, held, StatusCode::OK)).await {
        Ok(answer) => answer,
        Err(_) => {
            let now = Request::JoinStage {
                coalition,
                wait: JoinWait::default(),
            };
            call(&state, now, StatusCode::OK).await
        }
    }
}

/// Stops a pending join: the node forgets it and, if nothing of the coalition arrived, stops
/// holding it.
#[utoipa::path(
    delete,
    path = "/v1/joins/{coalition}",
    tag = "joins",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix among the pending joins")),
    responses(
        (status = 200, description = "Stopped; the coalition's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn join_cancel(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::JoinCancel { coalition }, StatusCode::OK).await
}

/// Backs the node up into a file on its machine: its coalitions and a new device key its
/// organization certifies now (a file replaced with `force` whose key was never used has it
/// revoked). Answers with that key and what to tell the person who asked.
#[utoipa::path(
    post,
    path = "/v1/backups",
    tag = "files",
    request_body = BackupRequest,
    responses(
        (status = 201, description = "Written", body = BackupMade),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn backup(
    _: Authorized,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<BackupRequest>,
) -> Response {
    call(&state, Request::Backup { body }, StatusCode::CREATED).await
}

/// Exports the coalition into a folder on the node's machine, as Automerge bytes and JSON.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/exports",
    tag = "files",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = ExportRequest,
    responses(
        (status = 201, description = "Written", body = Exported),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn export(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<ExportRequest>,
) -> Response {
    let req = Request::Export { coalition, body };
    call(&state, req, StatusCode::CREATED).await
}

/// The peers' addresses this node remembers, to dial again after a restart.
#[utoipa::path(
    get,
    path = "/v1/peers/known",
    tag = "node",
    responses(
        (status = 200, description = "Done", body = commands::ops::KnownPeers),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn known_peers(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::KnownPeers, StatusCode::OK).await
}

/// For tests: makes the node's core panic, so that it stops visibly (only a node started with
/// `COALESCE_DEBUG_PANIC=1` obeys; any other refuses).
#[utoipa::path(
    post,
    path = "/v1/debug/panic",
    tag = "node",
    responses(
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn debug_panic(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::DebugPanic, StatusCode::OK).await
}
