//! The `proposals` routes (see the parent module for how a handler works).

use super::*;

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
pub(crate) async fn proposal_list(
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
pub(crate) async fn proposal_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewProposalRequest>,
) -> Response {
    call(
        &state,
        Request::ProposalCreate {
            coalition,
            body: Box::new(body),
        },
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
pub(crate) async fn proposal_show(
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
pub(crate) async fn proposal_position(
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

#[utoipa::path(
    put,
    path = "/v1/coalitions/{coalition}/proposals/{proposal}/ballot",
    tag = "proposals",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("proposal" = String, Path, description = "Poll id or unique prefix"),
    ),
    request_body = BallotRequest,
    responses(
        (status = 200, description = "Recorded; where the poll stands now", body = BallotCast),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn proposal_ballot(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, proposal)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<BallotRequest>,
) -> Response {
    call(
        &state,
        Request::ProposalBallot {
            coalition,
            proposal,
            body,
        },
        StatusCode::OK,
    )
    .await
}
