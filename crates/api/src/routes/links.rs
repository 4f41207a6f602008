//! The `links` routes: links with other coalitions (see the parent module for how a handler
//! works).

use commands::ops::links::{LinkEndRequest, LinkRequest, LinksView};

use super::*;

/// The links in force with other coalitions: with whom, what this coalition publishes to
/// each and takes from it.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/links",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The links in force", body = LinksView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn link_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::LinkList { coalition }, StatusCode::OK).await
}

/// Opens a link proposal: once it passes under the charter's link rule (the amendment rule
/// unless the charter names one), the link is in force on this side.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/links",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = LinkRequest,
    responses(
        (status = 201, description = "Proposed", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn link_propose(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Response {
    let req = Request::LinkPropose {
        coalition,
        body: Box::new(body),
    };
    call(&state, req, StatusCode::CREATED).await
}

/// Opens a proposal ending a link: once it passes, the link is no longer in force on this
/// side (what was published before stays published).
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/links/end",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = LinkEndRequest,
    responses(
        (status = 201, description = "Proposed", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn link_end(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<LinkEndRequest>,
) -> Response {
    call(
        &state,
        Request::LinkEnd { coalition, body },
        StatusCode::CREATED,
    )
    .await
}
