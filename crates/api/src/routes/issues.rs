//! The `issues` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn issue_list(
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
pub(crate) async fn issue_create(
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
pub(crate) async fn issue_show(
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
pub(crate) async fn issue_edit(
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
pub(crate) async fn issue_evidence(
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
pub(crate) async fn issue_share(
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
pub(crate) async fn issue_unshare(
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
