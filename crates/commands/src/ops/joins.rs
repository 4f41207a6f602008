//! Invites and joins. Making an invite and starting a join need the running node (it
//! announces its addresses and talks to the inviting node), which answers those requests
//! itself; the pending joins and cancelling one work on the store.

use std::collections::BTreeMap;

use model::{CoalitionId, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A one-time invite to make.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// How long the code stays valid: a duration in days, hours or minutes (`7d`, `48h`,
    /// `30m`), or a day (`2026-12-31`: through the end of that day, UTC). 7 days when absent.
    #[serde(default)]
    pub expires: Option<String>,
}

/// An invite made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InviteMade {
    /// The code to send to the organization invited.
    pub code: String,
    /// The coalition it invites to.
    pub coalition: String,
    /// When it stops being valid.
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
}

/// A join to start.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    /// The invite code, as the inviting organization sent it.
    pub code: String,
    /// This organization's name as other members will see it (this node's when absent).
    #[serde(default)]
    pub org: Option<String>,
}

/// A join started.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinStarted {
    /// The coalition being joined.
    pub coalition: String,
}

/// How a join is going.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinStage {
    /// `joined`, `refused: REASON`, or `pending: STAGE` (a stage in words, then, while the
    /// coalition arrives, `: piece N of M (K KiB)`).
    pub stage: String,
}

/// How each pending join is going, as the running node knows it.
pub type JoinStages = BTreeMap<CoalitionId, String>;

/// A join this node started that has not completed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingJoinView {
    /// The coalition.
    pub coalition: String,
    /// The inviting node's key, if the code still reads.
    pub inviter: Option<String>,
    /// The name this organization joins under.
    pub org: String,
    /// When the join started.
    #[schema(value_type = String)]
    pub started_at: Timestamp,
    /// When the invite expires, if the code still reads.
    #[schema(value_type = Option<String>)]
    pub invite_expires_at: Option<Timestamp>,
    /// How it is going; `node not running` on a stopped node.
    pub stage: String,
}

/// What needs the running node, asked of a replica alone.
#[derive(Debug)]
pub struct NeedsNode(pub String);

impl std::fmt::Display for NeedsNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NeedsNode {}

/// A pending join that the id or prefix given does not name (or names more than one of).
#[derive(Debug)]
pub struct NoPendingJoin(pub replica::PrefixError);

impl std::fmt::Display for NoPendingJoin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (`coalesce join --pending` lists them)", self.0)
    }
}

impl std::error::Error for NoPendingJoin {}

/// The pending joins, with how each is going when `stages` (the running node's) are given.
pub fn pending(r: &Replica, stages: Option<&JoinStages>) -> anyhow::Result<Vec<PendingJoinView>> {
    Ok(r.pending_joins()?
        .into_iter()
        .map(|(id, j)| {
            let invite = sync::invite::Invite::decode(&j.code).ok();
            PendingJoinView {
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
        .collect())
}

/// Cancels the pending join of the coalition `given` names (an id or a prefix): the store
/// forgets it and, if nothing of the coalition arrived, stops holding it. Returns its id.
pub fn cancel(r: &mut Replica, given: &str) -> anyhow::Result<CoalitionId> {
    let joins = r.pending_joins()?;
    let ids: Vec<String> = joins.keys().map(ToString::to_string).collect();
    let id: CoalitionId =
        replica::resolve_prefix(given, "pending joins", ids.iter().map(String::as_str))
            .map_err(NoPendingJoin)?
            .parse()?;
    r.end_join(&id)?;
    Ok(id)
}

/// The refusal of an invite asked of a replica alone.
pub(crate) fn invite_needs_node(r: &Replica) -> NeedsNode {
    NeedsNode(format!(
        "this command needs the running node, which talks to the other members' nodes: start `coalesce-node --home {}` first",
        r.home().display()
    ))
}

/// The refusal of a join asked of a replica alone.
pub(crate) fn join_needs_node(r: &Replica) -> NeedsNode {
    NeedsNode(format!(
        "joining needs the running node, which talks to the inviting node: start `coalesce-node --home {}` first",
        r.home().display()
    ))
}
