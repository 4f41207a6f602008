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

/// The statements drafted in the coalition for its links, with who co-signed each.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/statements",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The statements drafted", body = commands::ops::statements::StatementsView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(&state, Request::StatementList { coalition }, StatusCode::OK).await
}

/// Drafts a statement from this node's copy of the records, and co-signs it; its id.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/statements",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = commands::ops::statements::StatementDraftRequest,
    responses(
        (status = 201, description = "Drafted", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_draft(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<commands::ops::statements::StatementDraftRequest>,
) -> Response {
    call(
        &state,
        Request::StatementDraft { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// Co-signs another member's draft, once this node computes the same bytes from its own copy.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/statements/{statement}/sign",
    tag = "links",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("statement" = String, Path, description = "Statement id or unique prefix"),
    ),
    responses(
        (status = 200, description = "Co-signed", body = Updated),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_sign(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, statement)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::StatementSign {
            coalition,
            statement,
        },
        StatusCode::OK,
    )
    .await
}

/// Writes the statements complete for a link to a file on the node's machine.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/statements/export",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = commands::ops::statements::StatementExportRequest,
    responses(
        (status = 200, description = "Written", body = commands::ops::statements::StatementsExported),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_export(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<commands::ops::statements::StatementExportRequest>,
) -> Response {
    call(
        &state,
        Request::StatementExport { coalition, body },
        StatusCode::OK,
    )
    .await
}

/// Imports a statements file (on the node's machine) a linked coalition exported: each
/// statement checked as if it arrived over the network, stored or refused with why.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/statements/import",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = commands::ops::received::StatementImportRequest,
    responses(
        (status = 200, description = "Imported (each refusal with its reason)", body = commands::ops::received::StatementsImported),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_import(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<commands::ops::received::StatementImportRequest>,
) -> Response {
    call(
        &state,
        Request::StatementImport { coalition, body },
        StatusCode::OK,
    )
    .await
}

/// The statements received from linked coalitions, each with where it came from.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/statements/received",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The statements received", body = commands::ops::received::ReceivedView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_received(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(
        &state,
        Request::StatementReceived { coalition },
        StatusCode::OK,
    )
    .await
}

/// A statement received, verified again through its publisher's rosters.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/statements/received/{statement}",
    tag = "links",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("statement" = String, Path, description = "Statement id or unique prefix"),
    ),
    responses(
        (status = 200, description = "Whether it verifies, and where it came from", body = commands::ops::received::StatementVerified),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_verify(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, statement)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::StatementVerify {
            coalition,
            statement,
        },
        StatusCode::OK,
    )
    .await
}

/// The calls received from coalitions this one is an affiliate of, with the proposals
/// answering each.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/statements/calls",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The calls received", body = commands::ops::received::CallsView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn statement_calls(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(
        &state,
        Request::StatementCalls { coalition },
        StatusCode::OK,
    )
    .await
}

/// What the affiliates published, rolled up, each figure with where it came from.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/links/affiliates",
    tag = "links",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    responses(
        (status = 200, description = "The affiliates' picture", body = commands::ops::received::AffiliatesView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn link_affiliates(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
) -> Response {
    call(
        &state,
        Request::LinkAffiliates { coalition },
        StatusCode::OK,
    )
    .await
}

/// The affiliates' positions on one of this coalition's proposals, weighted by their links.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/links/mandates/{proposal}",
    tag = "links",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("proposal" = String, Path, description = "Proposal id or unique prefix"),
    ),
    responses(
        (status = 200, description = "Each affiliate's position and weight", body = commands::ops::received::MandatesView),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn link_mandates(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, proposal)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::LinkMandates {
            coalition,
            proposal,
        },
        StatusCode::OK,
    )
    .await
}
