//! The `charter` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn charter_show(
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
pub(crate) async fn charter_versions(
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
pub(crate) async fn goal_create(
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
pub(crate) async fn goal_progress(
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
