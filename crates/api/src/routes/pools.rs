//! The `pools` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn pool_list(
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
pub(crate) async fn pool_create(
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
pub(crate) async fn pool_ledger(
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
pub(crate) async fn pool_give(
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
pub(crate) async fn pool_request(
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
