//! The `coalitions` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn coalition_list(_: Authorized, State(state): State<AppState>) -> Response {
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
pub(crate) async fn coalition_resolve(
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
pub(crate) async fn coalition_create(
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
