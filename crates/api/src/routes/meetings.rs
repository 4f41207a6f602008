//! The `meetings` routes (see the parent module for how a handler works).

use super::*;

/// A page of the coalition's meetings, newest first.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/meetings",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix"), MeetingQuery),
    responses(
        (status = 200, description = "A page of meetings", body = MeetingPage),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn meeting_list(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiQuery(query): ApiQuery<MeetingQuery>,
) -> Response {
    call(
        &state,
        Request::MeetingList { coalition, query },
        StatusCode::OK,
    )
    .await
}

/// Records a meeting for this node's organization.
#[utoipa::path(
    post,
    path = "/v1/coalitions/{coalition}/meetings",
    tag = "meetings",
    params(("coalition" = String, Path, description = "Coalition id or unique prefix")),
    request_body = NewMeetingRequest,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn meeting_create(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath(coalition): ApiPath<String>,
    ApiJson(body): ApiJson<NewMeetingRequest>,
) -> Response {
    call(
        &state,
        Request::MeetingCreate { coalition, body },
        StatusCode::CREATED,
    )
    .await
}

/// One meeting.
#[utoipa::path(
    get,
    path = "/v1/coalitions/{coalition}/meetings/{meeting}",
    tag = "meetings",
    params(
        ("coalition" = String, Path, description = "Coalition id or unique prefix"),
        ("meeting" = String, Path, description = "Meeting id or unique prefix"),
    ),
    responses(
        (status = 200, description = "The meeting", body = MeetingDetail),
        (status = "4XX", description = "Refused", body = OpError),
    ),
    security(("token" = []))
)]
pub(crate) async fn meeting_show(
    _: Authorized,
    State(state): State<AppState>,
    ApiPath((coalition, meeting)): ApiPath<(String, String)>,
) -> Response {
    call(
        &state,
        Request::MeetingShow { coalition, meeting },
        StatusCode::OK,
    )
    .await
}
