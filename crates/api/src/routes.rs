//! The typed operations' routes, one family per resource under `/v1/coalitions/{coalition}`,
//! and their OpenAPI description ([`ApiDoc`], served at `/v1/openapi.json`).
//!
//! Each handler checks the token, reads the path, query and JSON body into the operation's
//! request type ([`commands::ops`]), hands it to the node's core and answers with the typed
//! reply, or with an [`OpError`] as JSON: a stable `code` and a `message`. A body that does
//! not parse, or is too large, is answered the same way, never with bare text.
//!
//! The token is checked first (`Authorized`, the first extractor: nothing else of a request without
//! it is read). Replies are the typed JSON, escaped as the command line prints JSON
//! (`commands::output::escape_json`: other members' text may reach a terminal through a plain HTTP
//! client); errors carry the code's HTTP status. Bodies, queries and paths that do not parse or
//! exceed 1 MiB, unknown routes and wrong methods are answered with a typed error too
//! (property-tested with any bytes). [`ApiDoc`] is generated from the operations' types (utoipa)
//! and served without the token (it holds no data); the copy checked in at
//! `crates/api/openapi.json`, the list of routes, is compared with the generated one by a test, so
//! it cannot drift.
//!
//! The handlers are in one module per family: `coalitions`, `issues`, `proposals`, `pools`,
//! `meetings`, `members`, `charter`, and `audit` for the rest (reports, history, the edits set
//! aside, keys, leaving, amendments, status, joins, invites, backups and exports, known peers, the
//! refusal log, debugging).

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
    AllocationView, BallotCast, BallotRequest, NewProposalRequest, PositionRequest, PositionTaken,
    ProposalDetail, ProposalPage, ProposalQuery, ProposalView,
};
use commands::ops::{
    Created, ErrorCode, OpError, Request, ResolveQuery, ResolvedCoalition, Updated,
};
use tokio::sync::oneshot;
use utoipa::OpenApi;

use crate::{AppState, Job, authorized};

mod audit;
mod charter;
mod coalitions;
mod issues;
mod links;
mod meetings;
mod members;
mod people;
mod pools;
mod proposals;

/// The OpenAPI description of the typed routes, generated from the operations' types.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "Coalesce node API",
        version = "2",
        description = "The control API of one Coalesce node. Every route but /health, /ready, \
            /metrics and this document takes the bearer token written to api.json in the \
            node's home. Errors are JSON: a stable `code` and a `message` for people."
    ),
    paths(
        issues::issue_list, issues::issue_create, issues::issue_show, issues::issue_edit, issues::issue_evidence, issues::issue_share,
        issues::issue_unshare, charter::goal_create, charter::goal_progress, audit::member_leave, audit::charter_amend,
        audit::key_list, audit::key_add, audit::key_revoke, audit::report_overlap,
        audit::report_equity, audit::report_power, audit::report_progress, audit::translate, audit::translation_list, audit::plan_create, audit::plan_answer, audit::plan_list, audit::history, audit::history_restore,
        audit::aside, audit::refused, audit::status, audit::invite_create, audit::join_start,
        audit::join_list, audit::join_stage, audit::join_cancel, audit::backup, audit::export,
        audit::known_peers, audit::debug_panic, audit::ui_sign_in, proposals::proposal_list, proposals::proposal_create,
        proposals::proposal_show, proposals::proposal_position, proposals::proposal_ballot, pools::pool_list, pools::pool_create, pools::pool_ledger, pools::pool_give,
        pools::pool_request, meetings::meeting_list, meetings::meeting_create, meetings::meeting_show, members::member_list, members::profile_update,
        members::member_removal, charter::charter_show, charter::charter_versions, coalitions::coalition_list, coalitions::coalition_resolve,
        coalitions::coalition_create, people::person_list, people::person_add, people::person_remove,
        people::person_reset, people::person_log, links::link_list, links::link_propose,
        links::link_end, links::statement_list, links::statement_draft, links::statement_sign,
        links::statement_export, links::statement_import, links::statement_received,
        links::statement_verify, links::link_affiliates, links::link_mandates,
        links::statement_calls
    ),
    components(schemas(
        OpError, ErrorCode, Created, Updated, NewIssueRequest, IssueEditRequest, IssuePage,
        IssueView, IssueDetail, EvidenceView, NewProposalRequest, PositionRequest,
        PositionTaken, BallotRequest, BallotCast, ProposalPage, ProposalView, ProposalDetail, AllocationView,
        NewPoolRequest, GiftRequest, AllocationRequestBody, AllocationRequested, PoolSummary,
        LedgerReport, NewMeetingRequest, MeetingPage, MeetingView, MeetingDetail, MemberEntry,
        ProfileRequest, RemovalRequest, CharterDetail, CharterVersions, CoalitionSummary,
        NewCoalitionRequest, ResolvedCoalition, EvidenceRequest, ShareRequest, NewGoalRequest,
        ProgressRequest, commands::ops::charter::AmendmentRequest,
        commands::ops::keys::KeyRequest, commands::ops::keys::KeyView,
        commands::ops::reports::OverlapView, commands::ops::reports::EquityView,
        commands::ops::reports::PowerView, commands::ops::reports::ProgressMade, commands::ops::translations::TranslateRequest,
        commands::ops::translations::TranslationsView, commands::ops::translations::TranslationView,
        commands::ops::translations::Missing, commands::ops::plans::PlanRequest,
        commands::ops::plans::AnswerRequest, commands::ops::plans::PlansView, commands::ops::plans::PlanView, model::translations::Translation, commands::ops::audit::HistoryView,
        commands::ops::audit::RestoreRequest, commands::ops::audit::AsideView, commands::ops::audit::Refusal,
        commands::ops::status::StatusDetail, commands::ops::joins::InviteRequest,
        commands::ops::joins::InviteMade, commands::ops::joins::JoinRequest,
        commands::ops::joins::JoinStarted, commands::ops::joins::JoinStage, commands::ops::joins::JoinStep,
        commands::ops::joins::PendingJoinView, commands::ops::files::BackupRequest,
        commands::ops::files::BackupMade, commands::ops::files::ExportRequest,
        commands::ops::files::Exported, commands::ops::KnownPeers, crate::SignInLink,
        commands::ops::people::PersonAddRequest, commands::ops::people::PersonResetRequest,
        commands::ops::people::PersonSetup, commands::ops::people::PersonView,
        commands::ops::people::PersonAct, commands::ops::links::LinkRequest,
        commands::ops::links::LinkEndRequest, commands::ops::links::LinksView,
        commands::ops::links::LinkLine, commands::ops::statements::StatementDraftRequest,
        commands::ops::statements::StatementsView, commands::ops::statements::StatementLine,
        commands::ops::statements::StatementExportRequest,
        commands::ops::statements::StatementsExported,
        commands::ops::received::StatementImportRequest,
        commands::ops::received::StatementsImported,
        commands::ops::received::StatementRefused, commands::ops::received::ReceivedView,
        commands::ops::received::ReceivedLine, commands::ops::received::WaitingLine,
        commands::ops::received::StatementVerified, commands::ops::received::AffiliatesView,
        commands::ops::received::AffiliateLine, commands::ops::received::AffiliateIssue,
        commands::ops::received::TagLine, commands::ops::received::AffiliatePool,
        commands::ops::received::PoolSumLine, commands::ops::received::AffiliateGoal,
        commands::ops::received::GoalSumLine, commands::ops::received::AffiliateDecision,
        commands::ops::received::Source, commands::ops::received::MandatesView,
        commands::ops::received::MandateLine
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
        (name = "reports", description = "Overlap, equity and power reports; the progress report"),
        (name = "translations", description = "Members' translations of shared records"),
        (name = "history", description = "Who changed what; what was refused or set aside"),
        (name = "joins", description = "Invites, and joining coalitions with them"),
        (name = "files", description = "Backups and exports on the node's machine"),
        (name = "node", description = "This node: its status, the peers it knows; debugging"),
        (name = "people", description = "People of this organization with accounts for the UI on the LAN"),
        (name = "links", description = "Links with other coalitions: regional and national partners, and the statements published to them")
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
        .route(
            "/v1/coalitions",
            get(coalitions::coalition_list).post(coalitions::coalition_create),
        )
        .route("/v1/coalitions/resolve", get(coalitions::coalition_resolve))
        .route("/v1/refused", get(audit::refused))
        .route(
            "/v1/people",
            get(people::person_list).post(people::person_add),
        )
        .route(
            "/v1/people/{name}",
            axum::routing::delete(people::person_remove),
        )
        .route(
            "/v1/people/{name}/reset",
            axum::routing::post(people::person_reset),
        )
        .route("/v1/people-log", get(people::person_log))
        .route("/v1/status", get(audit::status))
        .route(crate::SIGN_IN_ROUTE, axum::routing::post(audit::ui_sign_in))
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
        .route(
            "/v1/coalitions/{coalition}/reports/progress",
            get(audit::report_progress),
        )
        .route(
            "/v1/coalitions/{coalition}/translations",
            get(audit::translation_list).post(audit::translate),
        )
        .route(
            "/v1/coalitions/{coalition}/plans",
            get(audit::plan_list).post(audit::plan_create),
        )
        .route(
            "/v1/coalitions/{coalition}/links",
            get(links::link_list).post(links::link_propose),
        )
        .route(
            "/v1/coalitions/{coalition}/links/affiliates",
            get(links::link_affiliates),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/calls",
            get(links::statement_calls),
        )
        .route(
            "/v1/coalitions/{coalition}/links/mandates/{proposal}",
            get(links::link_mandates),
        )
        .route(
            "/v1/coalitions/{coalition}/links/end",
            axum::routing::post(links::link_end),
        )
        .route(
            "/v1/coalitions/{coalition}/statements",
            get(links::statement_list).post(links::statement_draft),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/export",
            axum::routing::post(links::statement_export),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/import",
            axum::routing::post(links::statement_import),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/received",
            get(links::statement_received),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/received/{statement}",
            get(links::statement_verify),
        )
        .route(
            "/v1/coalitions/{coalition}/statements/{statement}/sign",
            axum::routing::post(links::statement_sign),
        )
        .route(
            "/v1/coalitions/{coalition}/plans/{plan}/answers",
            axum::routing::put(audit::plan_answer),
        )
        .route("/v1/coalitions/{coalition}/history", get(audit::history))
        .route(
            "/v1/coalitions/{coalition}/history/restore",
            axum::routing::post(audit::history_restore),
        )
        .route("/v1/coalitions/{coalition}/aside", get(audit::aside))
        .route(
            "/v1/coalitions/{coalition}/issues",
            get(issues::issue_list).post(issues::issue_create),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}",
            get(issues::issue_show).patch(issues::issue_edit),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}/evidence",
            axum::routing::post(issues::issue_evidence),
        )
        .route(
            "/v1/coalitions/{coalition}/issues/{issue}/share",
            axum::routing::put(issues::issue_share).delete(issues::issue_unshare),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/goals",
            axum::routing::post(charter::goal_create),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/goals/{goal}/progress",
            axum::routing::post(charter::goal_progress),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals",
            get(proposals::proposal_list).post(proposals::proposal_create),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals/{proposal}",
            get(proposals::proposal_show),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals/{proposal}/position",
            axum::routing::put(proposals::proposal_position),
        )
        .route(
            "/v1/coalitions/{coalition}/proposals/{proposal}/ballot",
            axum::routing::put(proposals::proposal_ballot),
        )
        .route(
            "/v1/coalitions/{coalition}/pools",
            get(pools::pool_list).post(pools::pool_create),
        )
        .route(
            "/v1/coalitions/{coalition}/pools/{pool}",
            get(pools::pool_ledger),
        )
        .route(
            "/v1/coalitions/{coalition}/pools/{pool}/entries",
            axum::routing::post(pools::pool_give),
        )
        .route(
            "/v1/coalitions/{coalition}/pools/{pool}/requests",
            axum::routing::post(pools::pool_request),
        )
        .route(
            "/v1/coalitions/{coalition}/meetings",
            get(meetings::meeting_list).post(meetings::meeting_create),
        )
        .route(
            "/v1/coalitions/{coalition}/meetings/{meeting}",
            get(meetings::meeting_show),
        )
        .route(
            "/v1/coalitions/{coalition}/members",
            get(members::member_list),
        )
        .route(
            "/v1/coalitions/{coalition}/profile",
            axum::routing::patch(members::profile_update),
        )
        .route(
            "/v1/coalitions/{coalition}/members/{member}/removal",
            axum::routing::post(members::member_removal),
        )
        .route(
            "/v1/coalitions/{coalition}/charter",
            get(charter::charter_show),
        )
        .route(
            "/v1/coalitions/{coalition}/charter/versions",
            get(charter::charter_versions),
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
pub(crate) async fn no_route(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> Response {
    // Outside the API's own paths, a browser asked for a page.
    if let Some(ui) = &state.ui
        && uri.path() != "/v1"
        && !uri.path().starts_with("/v1/")
    {
        return ui.not_found(&headers);
    }
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
    // A listener that serves other machines does not write files on this one.
    if state.remote && req.writes_files() {
        return error(OpError::new(
            ErrorCode::Forbidden,
            "backups, exports and statements files are written and read on the node's machine: \
             ask for them through the API on its loopback address (the `coalesce` command line \
             there), not over TLS",
        ));
    }
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
