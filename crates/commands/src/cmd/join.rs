//! `join --pending` and `join --cancel`: the joins this node started that have not completed.
//! (`join CODE` itself needs the running node, which talks to the inviting node.)

use std::collections::BTreeMap;

use anyhow::Result;
use model::{CoalitionId, Timestamp};
use replica::Replica;
use serde::Serialize;

use super::short;
use crate::output::Out;

/// How each pending join is going, as the running node knows it (see `join --pending`).
pub type JoinStages = BTreeMap<CoalitionId, String>;

#[derive(Serialize)]
struct PendingView {
    coalition: String,
    inviter: Option<String>,
    org: String,
    started_at: Timestamp,
    invite_expires_at: Option<Timestamp>,
    /// How it is going; `node not running` on a stopped node.
    stage: String,
}

/// Lists the pending joins, with how each is going when `stages` (the running node's) are
/// given.
pub fn pending(r: &Replica, stages: Option<&JoinStages>, json: bool, out: &Out) -> Result<()> {
    let views: Vec<PendingView> = r
        .pending_joins()?
        .into_iter()
        .map(|(id, j)| {
            let invite = sync::invite::Invite::decode(&j.code).ok();
            PendingView {
                stage: match stages {
                    Some(s) => s.get(&id).cloned().unwrap_or_else(|| "pending".into()),
                    None => "node not running".into(),
                },
                coalition: id.to_string(),
                inviter: invite
                    .as_ref()
                    .map(|i| model::NodeKey::from_bytes(i.inviter).to_string()),
                invite_expires_at: invite.map(|i| Timestamp::from_millis(i.expires_at)),
                org: j.org,
                started_at: Timestamp::from_millis(j.started_at),
            }
        })
        .collect();
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

/// Cancels the pending join of the coalition `given` names (an id or a prefix): the node
/// forgets it and, if nothing of the coalition arrived, stops holding it. Returns its id.
pub fn cancel(r: &mut Replica, given: &str, out: &Out) -> Result<CoalitionId> {
    let joins = r.pending_joins()?;
    let ids: Vec<String> = joins.keys().map(ToString::to_string).collect();
    let id: CoalitionId =
        model::resolve_prefix(given, "pending joins", ids.iter().map(String::as_str))
            .map_err(|e| anyhow::anyhow!("{e} (`coalesce join --pending` lists them)"))?
            .parse()?;
    r.end_join(&id)?;
    out.note(&format!(
        "Stopped joining coalition {}. If the inviting node admitted your organization already, it is a member there: ask a member to remove it, or join again with a new invite.",
        id.short()
    ));
    Ok(id)
}

/// `join` on a node that is not running: `--pending` and `--cancel` work on the store; joining
/// needs the running node.
pub fn run(
    r: &mut Replica,
    pending_only: bool,
    cancel_one: Option<&str>,
    json: bool,
    out: &Out,
) -> Result<()> {
    if pending_only {
        return pending(r, None, json, out);
    }
    if let Some(c) = cancel_one {
        cancel(r, c, out)?;
        return Ok(());
    }
    anyhow::bail!(
        "joining needs the running node, which talks to the inviting node: start `coalesce-node --home {}` first",
        r.home().display()
    )
}
