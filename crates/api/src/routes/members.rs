//! The `members` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn member_list(
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
pub(crate) async fn profile_update(
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
pub(crate) async fn member_removal(
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
