//! Every command of the offline command line, as an organizer would use it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failure is a panic

mod coalitions;
mod goals_and_issues;
mod pools;
mod proposals_and_meetings;
mod usage;

use coalesce_tests::Node;

fn coalition(node: &Node) -> String {
    node.ok(&[
        "coalition",
        "create",
        "Transit Justice",
        "--frame",
        "Fare-free, accessible buses",
        "--commitment",
        "nonviolence",
        "--value",
        "solidarity",
    ])
}
