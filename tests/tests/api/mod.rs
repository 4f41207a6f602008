//! The typed API of a running node: one route per operation family, JSON in and out, errors
//! with a stable code, and the OpenAPI document it serves, the same as the one checked in.
//! (A body over the limit is tested in `api`'s own tests: a real client may see the
//! connection closed before it has sent the whole body.)

mod coalitions_and_invites;
mod errors_and_openapi;
mod issues;
mod members_and_charter;
mod parity;
mod proposals_pools_and_meetings;

use coalesce_tests::api_call;
use serde_json::Value;

/// Sends `body` to `path` and checks it is refused with `status` and the error `code`.
fn assert_refused(
    home: &std::path::Path,
    method: &str,
    path: &str,
    body: &Value,
    status: u16,
    code: &str,
) {
    let (got, refused) = api_call(home, method, path, Some(body), true);
    assert_eq!(
        (got, refused["code"].as_str()),
        (status, Some(code)),
        "{method} {path} {body}: {refused}"
    );
}
