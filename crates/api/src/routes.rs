//! The typed operations' routes, one family per resource under `/v1/coalitions/{coalition}`,
//! and their OpenAPI description ([`ApiDoc`], served at `/v1/openapi.json`).
//!
//! Each handler checks the token, reads the path, query and JSON body into the operation's
//! request type ([`commands::ops`]), hands it to the node's core and answers with the typed
//! reply, or with an [`OpError`] as JSON: a stable `code` and a `message`. A body that does
//! not parse, or is too large, is answered the same way, never with bare text.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use commands::ops::charter::{CharterDetail, CharterVersions, NewGoalRequest, ProgressRequest};
use commands::ops::coalitions::{CoalitionSummary, NewCoalitionRequest};
use commands::ops::issues::{
    EvidenceRequest, EvidenceView, IssueDetail, IssueEditRequest, IssuePage, IssueQuery, IssueView,
    NewIssueRequest, ShareRequest,
};
use commands::ops::meetings::{
    MeetingDetail, MeetingPage, MeetingQuery, MeetingView, NewMeetingRequest,
};
use commands::ops::members::{MemberEntry, MemberQuery, ProfileRequest, RemovalRequest};
use commands::ops::pools::{
    AllocationRequestBody, AllocationRequested, GiftRequest, LedgerReport, NewPoolRequest,
    PoolSummary,
};
use commands::ops::proposals::{
    AllocationView, NewProposalRequest, PositionRequest, PositionTaken, ProposalDetail,
    ProposalPage, ProposalQuery, ProposalView,
};
use commands::ops::{
    Created, ErrorCode, OpError, Request, ResolveQuery, ResolvedCoalition, Updated,
};
use tokio::sync::oneshot;
use utoipa::OpenApi;

use crate::{AppState, Job, authorized};

mod audit;

/// The OpenAPI description of the typed routes, generated from the operations' types.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Coalesce node API",
        version = "1",
        description = "The control API of one Coalesce node. Every route but /health, /ready, \
            /metrics and this document takes the bearer token written to api.json in the \
            node's home. Errors are JSON: a stable `code` and a `message` for people."
    ),
    paths(
        issue_list, issue_create, issue_show, issue_edit, issue_evidence, issue_share,
        issue_unshare, goal_create, goal_progress, audit::member_leave, audit::charter_amend,
        audit::key_list, audit::key_add, audit::key_revoke, audit::report_overlap,
        audit::report_equity, audit::report_power, audit::history, audit::history_restore,
        audit::aside, audit::refused, audit::status, audit::invite_create, audit::join_start,
        audit::join_list, audit::join_stage, audit::join_cancel, audit::backup, audit::export,
        audit::known_peers, audit::debug_panic, proposal_list, proposal_create,
        proposal_show, proposal_position, pool_list, pool_create, pool_ledger, pool_give,
        pool_request, meeting_list, meeting_create, meeting_show, member_list, profile_update,
        member_removal, charter_show, charter_versions, coalition_list, coalition_resolve,
        coalition_create
    ),
    components(schemas(
        OpError, ErrorCode, Created, Updated, NewIssueRequest, IssueEditRequest, IssuePage,
        IssueView, IssueDetail, EvidenceView, NewProposalRequest, PositionRequest,
        PositionTaken, ProposalPage, ProposalView, ProposalDetail, AllocationView,
        NewPoolRequest, GiftRequest, AllocationRequestBody, AllocationRequested, PoolSummary,
        LedgerReport, NewMeetingRequest, MeetingPage, MeetingView, MeetingDetail, MemberEntry,
        ProfileRequest, RemovalRequest, CharterDetail, CharterVersions, CoalitionSummary,
        NewCoalitionRequest, ResolvedCoalition, EvidenceRequest, ShareRequest, NewGoalRequest,
        ProgressRequest, commands::ops::charter::AmendmentRequest,
        commands::ops::keys::KeyRequest, commands::ops::keys::KeyView,
        commands::ops::reports::OverlapView, commands::ops::reports::EquityView,
        commands::ops::reports::PowerView, commands::ops::audit::HistoryView,
        commands::ops::audit::RestoreRequest, commands::ops::audit::AsideView, audit::Refusal,
        commands::ops::status::StatusDetail, commands::ops::joins::InviteRequest,
        commands::ops::joins::InviteMade, commands::ops::joins::JoinRequest,
        commands::ops::joins::JoinStarted, commands::ops::joins::JoinStage,
        commands::ops::joins::PendingJoinView, commands::ops::files::BackupRequest,
        commands::ops::files::BackupMade, commands::ops::files::ExportRequest,
        commands::ops::files::Exported, commands::ops::KnownPeers
    )),
    modifiers(&BearerToken),
    tags(
        (name = "issues", description = "The coalition's joint issue inventory"),
        (name = "proposals", description = "Proposals, positions and their outcomes"),
        (name = "pools", description = "Resource pools: pledges, contributions, allocations"),
        (name = "meetings", description = "Meeting records: agenda, minutes, decisions"),
        (name = "members", description = "Member organizations and their profiles"),
        (name = "charter", description = "The charter in force and its ratified versions"),
        (name = "coalitions", description = "The coalitions this node holds"),
        (name = "reports", description = "Overlap, equity and power reports"),
        (name = "history", description = "Who changed what; what was refused or set aside"),
        (name = "joins", description = "Invites, and joining coalitions with them"),
        (name = "files", description = "Backups and exports on the node's machine; debugging")
    )
)]
pub struct ApiDoc;

/// Adds the bearer token scheme.
#[derive(Debug)]
struct BearerToken;

impl utoipa::Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI document as served (pretty JSON, ending in a line feed).
pub fn openapi_json() -> String {
    // A document made of plain strings and maps always serializes.
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| r#"{"error": "the OpenAPI document did not encode"}"#.to_owned());
    text.push('\n');
    text
}

static OPENAPI: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The typed routes.
pub(crate) fn router() -> Router<AppState> {
    use axum::routing::get;
    Router::new()
        .route("/v1/coalitions", get(coalition_list).post(coalition_create))
        .route("/v1/coalitions/resolve", get(coalition_resolve))
        .route("/v1/refused", get(audit::refused))
        .route("/v1/status", get(audit::status))
        .route("/v1/backups", axum::routing::post(audit::backup))
        .route("/v1/peers/known", get(audit::known_peers))
        .route("/v1/debug/panic", axum::routing::post(audit::debug_panic))
        .route(
            "/v1/coalitions/{coalition}/exports",
            axum::routing::post(audit::export),
        )
        .route("/v1/joins", get(audit::join_list).post(audit::join_start))
        .route(
            "/v1/joins/{coalition}",
            get(audit::join_stage).delete(audit::join_cancel),
        )
        .route(
            "/v1/coalitions/{coalition}/invites",
            axum::routing::post(audit::invite_create),
        )
        .route(
            "/v1/coalitions/{coalition}/leave",
            axum::routing::post(audit::member_leave),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/amendments",
            axum::routing::post(audit::charter_amend),
        )
        .route(
            "/v1/coalitions/{coalition}/keys",
            get(audit::key_list).post(audit::key_add),
        )
        .route(
            "/v1/coalitions/{coalition}/keys/{key}",
            axum::routing::delete(audit::key_revoke),
        )
        .route(
            "/v1/coalitions/{coalition}/reports/overlap",
            get(audit::report_overlap),
        )
        .route(
            "/v1/coalitions/{coalition}/reports/equity",
            get(audit::report_equity),
        )
        .route(
            "/v1/coalitions/{coalition}/reports/power",
            get(audit::report_power),
        )
        .route("/v1/coalitions/{coalition}/history", get(audit::history))
        .route(
            "/v1/coalitions/{coalition}/history/restore",
            axum::routing::post(audit::history_restore),
        )
        .route("/v1/coalitions/{coalition}/aside", get(audit::aside))
        .route(
            "/v1/coalitions/{coalition}/issues",
            get(issue_list).post(issue_create),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}",
            get(issue_show).patch(issue_edit),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}/evidence",
            axum::routing::post(issue_evidence),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}/share",
            axum::routing::put(issue_share).delete(issue_unshare),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/goals",
            axum::routing::post(goal_create),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/goals/{goal}/progress",
            axum::routing::post(goal_progress),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals",
            get(proposal_list).post(proposal_create),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals/{proposal}",
            get(proposal_show),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals/{proposal}/position",
            axum::routing::put(proposal_position),
        )
        .route(
            "/v1/coalitions/{coalition}/pools",
            get(pool_list).post(pool_create),
        )
        .route("/v1/coalitions/{coalition}/pools/{pool}", get(pool_ledger))
        .route(
            "/v1/coalitions/{coalition}/pools/{pool}/entries",
            axum::routing::post(pool_give),
        )
        .route(
            "/v1/coalitions/{coalition}/pools/{pool}/requests",
            axum::routing::post(pool_request),
        )
        .route(
            "/v1/coalitions/{coalition}/meetings",
            get(meeting_list).post(meeting_create),
        )
        .route(
            "/v1/coalitions/{coalition}/meetings/{meeting}",
            get(meeting_show),
        )
        .route("/v1/coalitions/{coalition}/members", get(member_list))
        .route(
            "/v1/coalitions/{coalition}/profile",
            axum::routing::patch(profile_update),
        )
        .route(
            "/v1/coalitions/{coalition}/members/{member}/removal",
            axum::routing::post(member_removal),
        )
        .route("/v1/coalitions/{coalition}/charter", get(charter_show))
        .route(
            "/v1/coalitions/{coalition}/charter/versions",
            get(charter_versions),
        )
}

/// The OpenAPI document, without the token: it describes the routes and holds no data.
pub(crate) async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        // Made once: it depends on the types alone.
        OPENAPI.get_or_init(openapi_json).as_str(),
    )
        .into_response()
}

/// A path the API does not serve, as a typed error (the routes are in `/v1/openapi.json`).
pub(crate) async fn no_route(uri: axum::http::Uri) -> Response {
    error(OpError::new(
        ErrorCode::NotFound,
        format!(
            "no route {}: the routes are described at /v1/openapi.json",
            uri.path()
        ),
    ))
}

/// A route asked with a method it does not take, as a typed error.
pub(crate) async fn wrong_method(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    error(OpError::new(
        ErrorCode::WrongMethod,
        format!(
            "{} does not take {method}: the routes are described at /v1/openapi.json",
            uri.path()
        ),
    ))
}

/// `value` as JSON with the status, escaped as the command line prints JSON
/// (`commands::output::escape_json`): texts in replies were written on other members' nodes,
/// and a client may print them raw.
fn json(status: StatusCode, value: &impl serde::Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(text) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            commands::output::escape_json(&text),
        )
            .into_response(),
        // Replies are plain records and strings, which always encode.
        Err(e) => {
            tracing::warn!(error = %e, "could not encode a reply");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                r#"{"code":"internal","message":"could not encode the reply"}"#,
            )
                .into_response()
        }
    }
}

/// An error as the API answers it.
pub(crate) fn error(e: OpError) -> Response {
    let status =
        StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(status, &e)
}

/// The token, checked before anything else of the request is read: handlers take it as their
/// first argument, so a caller without the token learns nothing from parse errors.
pub(crate) struct Authorized;

impl axum::extract::FromRequestParts<AppState> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Response> {
        if authorized(state, &parts.headers) {
            Ok(Self)
        } else {
            Err(error(OpError::new(
                ErrorCode::Unauthorized,
                "missing or wrong API token (see api.json in the node's home)",
            )))
        }
    }
}

/// A path, query or body that did not parse, as a typed error.
fn rejected(status: StatusCode, text: String) -> Response {
    let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
        ErrorCode::TooLarge
    } else {
        ErrorCode::BadRequest
    };
    error(OpError::new(code, text))
}

/// axum's `Path`, `Query` and `Json`, refusing with a typed error instead of bare text.
macro_rules! typed_extractor {
    ($name:ident, $inner:ident, $rejection:ident, $trait:ident, $method:ident, $input:ty) => {
        /// What axum's extractor of the same name reads; refused as `{code, message}`.
        pub(crate) struct $name<T>(pub T);

        impl<T, S> axum::extract::$trait<S> for $name<T>
        where
            $inner<T>: axum::extract::$trait<S, Rejection = $rejection>,
            S: Send + Sync,
        {
            type Rejection = Response;

            async fn $method(input: $input, state: &S) -> Result<Self, Response> {
                match $inner::<T>::$method(input, state).await {
                    Ok($inner(v)) => Ok(Self(v)),
                    Err(r) => Err(rejected(r.status(), r.body_text())),
                }
            }
        }
    };
}

typed_extractor!(
    ApiPath,
    Path,
    PathRejection,
    FromRequestParts,
    from_request_parts,
    &mut axum::http::request::Parts
);
typed_extractor!(
    ApiQuery,
    Query,
    QueryRejection,
    FromRequestParts,
    from_request_parts,
    &mut axum::http::request::Parts
);
typed_extractor!(
    ApiJson,
    Json,
    JsonRejection,
    FromRequest,
    from_request,
    axum::extract::Request
);

/// Hands `req` to the core and answers with `ok` on success.
async fn call(state: &AppState, req: Request, ok: StatusCode) -> Response {
    let (tx, rx) = oneshot::channel();
    if state.jobs.send(Job::Op(req, tx)).await.is_err() {
        return error(OpError::new(
            ErrorCode::Unavailable,
            "the node is shutting down",
        ));
    }
    match rx.await {
        Ok(Ok(reply)) => json(ok, &reply),
        Ok(Err(e)) => error(e),
        Err(_) => error(OpError::new(
            ErrorCode::Internal,
            "the node dropped the operation",
        )),
    }
}

/// A page of the coalition's issues, oldest first.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/issues",
    tag = "issues",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), IssueQuery),
    responses(
        (status = 200, description = "A page of issues", body = IssuePage),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<IssueQuery>,
) -> Response {
    call(
        &state,
        Request::IssueList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Raises an issue.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/issues",
    tag = "issues",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewIssueRequest,
    responses(
        (status = 201, description = "Raised", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewIssueRequest>,
) -> Response {
    call(
        &state,
        Request::IssueCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// One issue.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/issues/{issue}",
    tag = "issues",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("issue" = String, Path, description = "Issue id or unique prefix"),
    ),
    responses(
        (status = 200, description = "The issue", body = IssueDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_show(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, issue)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::IssueShow { coalition, issue },
        StatusCode::OK,
    )
    .await
}

/// Edits an issue.
#[utoipa::path(
    patch,
    path = "/v1/coalitions/{coalition}/issues/{issue}",
    tag = "issues",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("issue" = String, Path, description = "Issue id or unique prefix"),
    ),
    request_body = IssueEditRequest,
    responses(
        (status = 200, description = "Edited", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_edit(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, issue)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<IssueEditRequest>,
) -> Response {
    call(
        &state,
        Request::IssueEdit {
            coalition,
            issue,
            body,
        },
        StatusCode::OK,
    )
    .await
}

/// A page of the coalition's proposals, newest first.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/proposals",
    tag = "proposals",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), ProposalQuery),
    responses(
        (status = 200, description = "A page of proposals", body = ProposalPage),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn proposal_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<ProposalQuery>,
) -> Response {
    call(
        &state,
        Request::ProposalList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Opens a proposal.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/proposals",
    tag = "proposals",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewProposalRequest,
    responses(
        (status = 201, description = "Opened", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn proposal_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewProposalRequest>,
) -> Response {
    call(
        &state,
        Request::ProposalCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// One proposal, with its tally and, for an allocation, the request it decides.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/proposals/{proposal}",
    tag = "proposals",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("proposal" = String, Path, description = "Proposal id or unique prefix"),
    ),
    responses(
        (status = 200, description = "The proposal", body = ProposalDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn proposal_show(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, proposal)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::ProposalShow {
            coalition,
            proposal,
        },
        StatusCode::OK,
    )
    .await
}

/// Takes (or changes) this node's organization's position on an open proposal.
#[utoipa::path(
    put,
    path = "/v1/coalitions/{coalition}/proposals/{proposal}/position",
    tag = "proposals",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("proposal" = String, Path, description = "Proposal id or unique prefix"),
    ),
    request_body = PositionRequest,
    responses(
        (status = 200, description = "Recorded; where the proposal stands now", body = PositionTaken),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn proposal_position(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, proposal)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<PositionRequest>,
) -> Response {
    call(
        &state,
        Request::ProposalPosition {
            coalition,
            proposal,
            body,
        },
        StatusCode::OK,
    )
    .await
}

/// Every pool with its totals, by name.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/pools",
    tag = "pools",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The pools", body = Vec<PoolSummary>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn pool_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::PoolList { coalition }, StatusCode::OK).await
}

/// Creates a pool.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/pools",
    tag = "pools",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewPoolRequest,
    responses(
        (status = 201, description = "Created", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn pool_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewPoolRequest>,
) -> Response {
    call(
        &state,
        Request::PoolCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// One pool's ledger, in the order entries took effect, with its running balance.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/pools/{pool}",
    tag = "pools",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("pool" = String, Path, description = "Pool id or unique prefix"),
    ),
    responses(
        (status = 200, description = "The ledger", body = LedgerReport),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn pool_ledger(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, pool)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::PoolLedger { coalition, pool },
        StatusCode::OK,
    )
    .await
}

/// Pledges or contributes to a pool for this node's organization.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/pools/{pool}/entries",
    tag = "pools",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("pool" = String, Path, description = "Pool id or unique prefix"),
    ),
    request_body = GiftRequest,
    responses(
        (status = 201, description = "Recorded; the ledger entry's id", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn pool_give(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, pool)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<GiftRequest>,
) -> Response {
    call(
        &state,
        Request::PoolGive {
            coalition,
            pool,
            body,
        },
        StatusCode::CREATED,
    )
    .await
}

/// Requests an allocation for this node's organization, opening the proposal that decides
/// it. A request that passes is paid only if the pool still holds enough when it is decided.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/pools/{pool}/requests",
    tag = "pools",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("pool" = String, Path, description = "Pool id or unique prefix"),
    ),
    request_body = AllocationRequestBody,
    responses(
        (status = 201, description = "Requested", body = AllocationRequested),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn pool_request(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, pool)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<AllocationRequestBody>,
) -> Response {
    call(
        &state,
        Request::PoolRequest {
            coalition,
            pool,
            body,
        },
        StatusCode::CREATED,
    )
    .await
}

/// A page of the coalition's meetings, newest first.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/meetings",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), MeetingQuery),
    responses(
        (status = 200, description = "A page of meetings", body = MeetingPage),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn meeting_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<MeetingQuery>,
) -> Response {
    call(
        &state,
        Request::MeetingList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Records a meeting for this node's organization.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/meetings",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewMeetingRequest,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn meeting_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewMeetingRequest>,
) -> Response {
    call(
        &state,
        Request::MeetingCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// One meeting.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/meetings/{meeting}",
    tag = "meetings",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("meeting" = String, Path, description = "Meeting id or unique prefix"),
    ),
    responses(
        (status = 200, description = "The meeting", body = MeetingDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn meeting_show(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, meeting)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::MeetingShow { coalition, meeting },
        StatusCode::OK,
    )
    .await
}

/// The member organizations, by name.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/members",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), MemberQuery),
    responses(
        (status = 200, description = "The members", body = Vec<MemberEntry>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn member_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<MemberQuery>,
) -> Response {
    call(
        &state,
        Request::MemberList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Updates this node's organization's profile in the coalition.
#[utoipa::path(
    patch,
    path = "/v1/coalitions/{coalition}/profile",
    tag = "members",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = ProfileRequest,
    responses(
        (status = 200, description = "Updated: the member's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn profile_update(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<ProfileRequest>,
) -> Response {
    call(
        &state,
        Request::ProfileUpdate { coalition, body },
        StatusCode::OK,
    )
    .await
}

/// Proposes to remove a member; the other members decide it under the charter's membership
/// rule.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/members/{member}/removal",
    tag = "members",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("member" = String, Path, description = "Member id, unique prefix or exact name"),
    ),
    request_body = RemovalRequest,
    responses(
        (status = 201, description = "Proposed: the proposal's id", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn member_removal(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, member)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<RemovalRequest>,
) -> Response {
    call(
        &state,
        Request::MemberRemoval {
            coalition,
            member,
            body,
        },
        StatusCode::CREATED,
    )
    .await
}

/// The charter in force: the founding charter with every passed amendment applied.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/charter",
    tag = "charter",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The charter", body = CharterDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn charter_show(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::CharterShow { coalition }, StatusCode::OK).await
}

/// Every ratified version of the charter, the founding one first, with who agreed.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/charter/versions",
    tag = "charter",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The versions", body = CharterVersions),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn charter_versions(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(
        &state,
        Request::CharterVersions { coalition },
        StatusCode::OK,
    )
    .await
}

/// The coalitions this node holds whose data has arrived, by name, with their counts.
#[utoipa::path(
    get,
    path = "/v1/coalitions",
    tag = "coalitions",
    responses(
        (status = 200, description = "The coalitions", body = Vec<CoalitionSummary>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn coalition_list(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::CoalitionList, StatusCode::OK).await
}

/// The coalition an id or unique prefix names, or, none being given, the only one this node
/// holds (what the command line uses when no coalition is named).
#[utoipa::path(
    get,
    path = "/v1/coalitions/resolve",
    tag = "coalitions",
    params(ResolveQuery),
    responses(
        (status = 200, description = "The coalition's whole id", body = ResolvedCoalition),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn coalition_resolve(
    _: Authorized,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ResolveQuery>,
) -> Response {
    call(&state, Request::CoalitionResolve { query }, StatusCode::OK).await
}

/// Founds a coalition, this node's organization its first member.
#[utoipa::path(
    post,
    path = "/v1/coalitions",
    tag = "coalitions",
    request_body = NewCoalitionRequest,
    responses(
        (status = 201, description = "Founded", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn coalition_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewCoalitionRequest>,
) -> Response {
    call(
        &state,
        Request::CoalitionCreate { body },
        StatusCode::CREATED,
    )
    .await
}

/// Adds evidence to an issue: a source, a figure, how the data is disaggregated.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/issues/{issue}/evidence",
    tag = "issues",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("issue" = String, Path, description = "Issue id or unique prefix"),
    ),
    request_body = EvidenceRequest,
    responses(
        (status = 201, description = "Added; the issue's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_evidence(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, issue)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<EvidenceRequest>,
) -> Response {
    let req = Request::IssueEvidence {
        coalition,
        issue,
        body,
    };
    call(&state, req, StatusCode::CREATED).await
}

/// Shares an issue on behalf of this node's organization, with its priority (a share made
/// before is replaced).
#[utoipa::path(
    put,
    path = "/v1/coalitions/{coalition}/issues/{issue}/share",
    tag = "issues",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("issue" = String, Path, description = "Issue id or unique prefix"),
    ),
    request_body = ShareRequest,
    responses(
        (status = 200, description = "Shared; the issue's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_share(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, issue)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ShareRequest>,
) -> Response {
    let req = Request::IssueShare {
        coalition,
        issue,
        body,
    };
    call(&state, req, StatusCode::OK).await
}

/// Withdraws this node's organization's share of an issue.
#[utoipa::path(
    delete,
    path = "/v1/coalitions/{coalition}/issues/{issue}/share",
    tag = "issues",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("issue" = String, Path, description = "Issue id or unique prefix"),
    ),
    responses(
        (status = 200, description = "Withdrawn; the issue's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn issue_unshare(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, issue)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::IssueUnshare { coalition, issue },
        StatusCode::OK,
    )
    .await
}

/// Adds a shared goal, with its benchmark, to the charter.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/charter/goals",
    tag = "charter",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewGoalRequest,
    responses(
        (status = 201, description = "Added", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn goal_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewGoalRequest>,
) -> Response {
    call(
        &state,
        Request::GoalCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// Records dated progress towards a goal.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/charter/goals/{goal}/progress",
    tag = "charter",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("goal" = String, Path, description = "Goal id or unique prefix"),
    ),
    request_body = ProgressRequest,
    responses(
        (status = 201, description = "Recorded; the goal's id", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
async fn goal_progress(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, goal)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ProgressRequest>,
) -> Response {
    let req = Request::GoalProgress {
        coalition,
        goal,
        body,
    };
    call(&state, req, StatusCode::CREATED).await
}
