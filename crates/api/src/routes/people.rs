//! The routes of the people with accounts for the UI on the LAN (see the parent module for
//! how a handler works). The operations the UI's sign-in uses (credentials, setup codes) have
//! no route.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::people::{PersonAddRequest, PersonResetRequest, PersonSetup, PersonView};
use commands::ops::{OpError, Request, Updated};

use super::{ApiJson, ApiPath, Authorized, call};
use crate::AppState;

/// The people with accounts for this node's UI, by name, with their state (`active`,
/// `waiting` for setup, or `expired`).
#[utoipa::path(
    get,
    path = "/v1/people",
    tag = "people",
    responses(
        (status = 200, description = "Done", body = Vec<PersonView>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn person_list(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::PersonList, StatusCode::OK).await
}

/// Gives a person an account for the UI served to other machines (over TLS): answers their
/// one-time setup link, where they choose a password.
#[utoipa::path(
    post,
    path = "/v1/people",
    tag = "people",
    request_body = PersonAddRequest,
    responses(
        (status = 201, description = "Done", body = PersonSetup),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn person_add(
    _: Authorized,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<PersonAddRequest>,
) -> Response {
    call(&state, Request::PersonAdd { body }, StatusCode::CREATED).await
}

/// Removes a person's account; their sessions end at their next request. Answers the name as
/// it was stored.
#[utoipa::path(
    delete,
    path = "/v1/people/{name}",
    tag = "people",
    params(("name" = String, Path, description = "The person's name (any case)")),
    responses(
        (status = 200, description = "Done", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn person_remove(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Response {
    call(&state, Request::PersonRemove { name }, StatusCode::OK).await
}

/// Forgets a person's password and ends their sessions: answers a new setup link (and
/// changes their role if one is given).
#[utoipa::path(
    post,
    path = "/v1/people/{name}/reset",
    tag = "people",
    params(("name" = String, Path, description = "The person's name (any case)")),
    request_body = PersonResetRequest,
    responses(
        (status = 200, description = "Done", body = PersonSetup),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn person_reset(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<PersonResetRequest>,
) -> Response {
    call(&state, Request::PersonReset { name, body }, StatusCode::OK).await
}

/// What people did through the UI (each change is signed by this organization's node; this
/// node's own log says which person made it), oldest first, the newest 10,000 kept.
#[utoipa::path(
    get,
    path = "/v1/people-log",
    tag = "people",
    responses(
        (status = 200, description = "Done", body = Vec<commands::ops::people::PersonAct>),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn person_log(_: Authorized, State(state): State<AppState>) -> Response {
    call(&state, Request::PersonLog, StatusCode::OK).await
}
