//! `invite create`, `join CODE`, `join --pending` and `join --cancel`. Making an invite and
//! joining need the running node (the `coalesce` command line waits for a join itself, asking
//! the node how it goes); the pending joins and cancelling one work on a stopped node too.

use anyhow::Result;

use super::{on, short};
use crate::args::CoalitionArg;
use crate::ops::joins::{InviteMade, InviteRequest, JoinRequest, JoinStarted, PendingJoinView};
use crate::ops::{Exec, Request, Updated};
use crate::output::Out;

/// `invite create`: prints the code alone on standard output.
pub(crate) fn invite(x: &mut dyn Exec, c: &CoalitionArg, expires: String, out: &Out) -> Result<()> {
    // A stopped node says it needs to run before anything else.
    let coalition = if x.is_running_node() {
        on(x, c, out)?
    } else {
        c.id.clone().unwrap_or_default()
    };
    let body = InviteRequest {
        expires: Some(expires),
    };
    let made: InviteMade = x
        .call(Request::InviteCreate { coalition, body })?
        .try_into()?;
    out.note(&format!(
        "One-time invite to {} valid until {}; send it to the organization you invite.",
        short(&made.coalition),
        made.expires_at
    ));
    if made.local_network_only() {
        out.note(
            "This node can be reached on its own network only for now: an organization \
             elsewhere cannot join with this code (a relay carries members' connections only). \
             Make the invite on a member's node that others can reach, or forward a port to \
             this one (deploy/README.md, \"Ports, announcing and relays\").",
        );
    }
    out.id(made.code)
}

/// `join CODE`: starts the join and prints the coalition's id (the command line then waits
/// for it to arrive).
pub(crate) fn start(x: &mut dyn Exec, code: String, org: Option<String>, out: &Out) -> Result<()> {
    let started: JoinStarted = x
        .call(Request::JoinStart {
            body: JoinRequest { code, org },
        })?
        .try_into()?;
    out.note("Joining: connecting to the inviting node.");
    out.id(started.coalition)
}

/// `join --pending`: the joins started that have not completed, with how each is going.
pub(crate) fn pending(x: &mut dyn Exec, json: bool, out: &Out) -> Result<()> {
    let views: Vec<PendingJoinView> = x.call(Request::JoinList)?.try_into()?;
    if json {
        return out.json(&views);
    }
    let rows = views
        .iter()
        .map(|v| {
            vec![
                short(&v.coalition).to_owned(),
                v.inviter.as_deref().map_or("-", short).to_owned(),
                v.started_at.to_string(),
                v.stage.clone(),
            ]
        })
        .collect();
    out.table(
        &["COALITION", "INVITER", "STARTED", "STAGE"],
        rows,
        "No joins pending.",
    )
}

/// `join --cancel`: stops a pending join.
pub(crate) fn cancel(x: &mut dyn Exec, coalition: String, out: &Out) -> Result<()> {
    let done: Updated = x.call(Request::JoinCancel { coalition })?.try_into()?;
    out.note(&format!(
        "Stopped joining coalition {}. If the inviting node admitted your organization already, it is a member there: ask a member to remove it, or join again with a new invite.",
        short(&done.id)
    ));
    Ok(())
}
