//! Invites and joins. Making an invite and starting a join need the running node (it
//! announces its addresses and talks to the inviting node), which answers those requests
//! itself; the pending joins and cancelling one work on the store, and so does the inviting
//! node's decision on a peer that presents an invite's secret ([`admit`]).

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
    /// Whether the inviting node can be reached from outside its own network, as it knows
    /// now: `public`, `private` (reachable on its own network only: an organization elsewhere
    /// cannot join with this code, since a relay carries members' connections only) or
    /// `unknown` (not tested yet).
    #[serde(default)]
    pub reachability: String,
}

impl InviteMade {
    /// Whether only nodes on the inviting node's own network can use the code.
    pub fn local_network_only(&self) -> bool {
        self.reachability == "private"
    }
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

/// Most a node holds an answer to [`JoinWait`] back, in milliseconds.
pub const MAX_JOIN_WAIT_MS: u64 = 10_000;

/// Longest stage a [`JoinWait`] is held for (a longer `after` is answered at once: no stage
/// the command line waits on is that long).
pub const MAX_STAGE_LEN: usize = 1024;

/// How long to wait for a join's stage to move, rather than answer at once: `coalesce join`
/// asks so, and hears of the coalition's arrival the moment it happens, with no polling.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JoinWait {
    /// The stage last seen (`stage` of an earlier answer): the node answers once the stage
    /// differs from it, or when `wait_ms` has passed. Answered at once when absent.
    #[serde(default)]
    pub after: Option<String>,
    /// Most milliseconds to hold the answer back (at most 10,000; 0 answers at once).
    #[serde(default)]
    #[param(maximum = 10000)]
    pub wait_ms: Option<u64>,
}

impl JoinWait {
    /// How long the node may hold the answer back, if at all: `after` given (a stage's length
    /// at most, [`MAX_STAGE_LEN`]) and a wait asked.
    pub fn holds_for(&self) -> Option<std::time::Duration> {
        match (&self.after, self.wait_ms) {
            (Some(after), Some(ms)) if ms > 0 && after.len() <= MAX_STAGE_LEN => {
                Some(std::time::Duration::from_millis(ms.min(MAX_JOIN_WAIT_MS)))
            }
            _ => None,
        }
    }
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
    /// The same, for programs and pages.
    #[serde(default)]
    pub step: JoinStep,
    /// While the coalition arrives: pieces received, of `total`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<u32>,
    /// While the coalition arrives: the pieces it comes in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// While the coalition arrives: bytes received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Why the inviting node refused, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Where a join is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinStep {
    /// Started; no inviting node reached yet.
    #[default]
    Waiting,
    /// Dialing the inviting node.
    Connecting,
    /// Connected; waiting to be admitted (where members vote on admissions, until they have).
    AwaitingAdmission,
    /// Admitted; the coalition is arriving.
    Receiving,
    /// The coalition has arrived.
    Joined,
    /// The inviting node refused (see `reason`).
    Refused,
}

impl JoinStep {
    /// Its name, as JSON spells it (`awaiting_admission`...).
    pub fn as_str(self) -> &'static str {
        match self {
            JoinStep::Waiting => "waiting",
            JoinStep::Connecting => "connecting",
            JoinStep::AwaitingAdmission => "awaiting_admission",
            JoinStep::Receiving => "receiving",
            JoinStep::Joined => "joined",
            JoinStep::Refused => "refused",
        }
    }
}

#[cfg(test)]
#[test]
fn a_step_s_name_is_the_one_json_gives() {
    for step in [
        JoinStep::Waiting,
        JoinStep::Connecting,
        JoinStep::AwaitingAdmission,
        JoinStep::Receiving,
        JoinStep::Joined,
        JoinStep::Refused,
    ] {
        assert_eq!(
            serde_json::to_value(step).ok(),
            Some(serde_json::Value::from(step.as_str()))
        );
    }
}

impl JoinStage {
    /// A join at `step`, with its words.
    pub fn at(step: JoinStep) -> Self {
        let stage = match step {
            JoinStep::Joined => "joined",
            JoinStep::Refused => "refused",
            JoinStep::Waiting => "pending: waiting",
            JoinStep::Connecting => "pending: connecting to the inviting node",
            JoinStep::AwaitingAdmission => {
                "pending: connected; waiting to be admitted (where members vote on admissions, until they have voted)"
            }
            JoinStep::Receiving => "pending: admitted; receiving the coalition",
        };
        Self {
            stage: stage.to_owned(),
            step,
            received: None,
            total: None,
            bytes: None,
            reason: None,
        }
    }

    /// Refused by the inviting node, for `reason`.
    pub fn refused(reason: &str) -> Self {
        Self {
            stage: format!("refused: {reason}"),
            reason: Some(reason.to_owned()),
            ..Self::at(JoinStep::Refused)
        }
    }

    /// Receiving the coalition: piece `received` of `total`, `bytes` so far.
    pub fn receiving(received: u32, total: u32, bytes: u64) -> Self {
        Self {
            stage: format!(
                "pending: admitted; receiving the coalition: piece {received} of {total} ({} KiB)",
                bytes / 1024
            ),
            received: Some(received),
            total: Some(total),
            bytes: Some(bytes),
            ..Self::at(JoinStep::Receiving)
        }
    }
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

/// What the inviting node decided on a peer's request to join with an invite's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Admitted as a member at once (the charter admits by invite alone).
    Admitted(model::MemberId),
    /// A vote on admitting it was opened.
    VoteOpened(model::MemberId, model::ProposalId),
    /// Nothing more to do: its key is a member's in force already, or awaits an admission
    /// vote still open (the coalition reaches it once it is a member).
    AskedAgain,
    /// Nothing now: this node failed on its side (reading its invites, drawing ids, storing
    /// the admission); the peer asks again after its next reconnect. A failure of this node's
    /// is never a refusal, which would end the peer's join for good.
    Later,
    /// Refused, with the reason to tell the peer.
    Refused(String),
}

/// Decides on `peer`'s request to join `coalition` with an invite's `secret`, as the
/// organization `org`, and admits it when the invite allows.
///
/// A node already admitted, or awaiting its admission vote, asks again after every reconnect
/// and restart (also past the invite's expiry): nothing more is done, and its invite is left
/// unused (any member's node may hold an unused code, as codes are passed around: marking it
/// used would refuse the organization it was made for; one admitted cannot be admitted twice
/// anyway, as a key belongs to one member). One whose vote failed, or that left or was removed,
/// is refused. An unknown key goes through the invite's checks (unused, not expired), then is
/// admitted (or its vote opened) before the invite is marked used: a joiner is never left
/// waiting on an invite used up by an admission that failed.
pub fn admit(
    r: &mut Replica,
    peer: model::NodeKey,
    coalition: &CoalitionId,
    secret: &[u8; 16],
    org: &str,
) -> Admission {
    use tracing::{info, warn};
    let record = match r.invite_for(coalition, secret) {
        Ok(Ok(record)) => record,
        Ok(Err(why)) => return Admission::Refused(why.to_string()),
        Err(e) => {
            // Not the joining node's fault: it asks again after its next reconnect.
            warn!(error = %e, "could not read this node's invites; the join request waits");
            return Admission::Later;
        }
    };
    match standing(r, coalition, &peer) {
        Some(true) => return Admission::AskedAgain,
        Some(false) => {
            return Admission::Refused(
                "the members did not admit your organization, or it is no longer a member".into(),
            );
        }
        None => {}
    }
    if let Err(why) = record.usable_at(replica::now()) {
        return Admission::Refused(why.to_string());
    }
    let ids = replica::fresh_id_bytes().and_then(|m| Ok((m, replica::fresh_id_bytes()?)));
    let (member, vote) = match ids {
        Ok((m, v)) => (
            model::MemberId::from_bytes(m),
            model::ProposalId::from_bytes(v),
        ),
        Err(e) => {
            warn!(error = %e, "could not draw ids for the new member; the join request waits");
            return Admission::Later;
        }
    };
    let profile = model::MemberProfile::named(org.to_owned());
    // Should the node stop between admitting and marking the invite used, the invite stays
    // unused, but a second admission of the same node key is refused by the rules.
    let admitted = r.edit(coalition, |doc, a| {
        doc.admit_by_rule(&a.member, &member, &profile, peer, &vote, a.now)
    });
    let admission = match admitted {
        Ok(None) => {
            info!(org, member = %member, "admitted a new member");
            Admission::Admitted(member)
        }
        Ok(Some(vote)) => {
            info!(org, member = %member, proposal = %vote, "opened the vote on admitting a new member");
            Admission::VoteOpened(member, vote)
        }
        // What the request asked is refused by the model (a name it cannot take, a key that
        // is another member's): the peer is told why.
        Err(replica::ReplicaError::Edit(e)) => {
            warn!(error = %e, "refused to admit the new member");
            return Admission::Refused(format!("the inviting node could not admit you: {e}"));
        }
        Err(e) => {
            warn!(error = %e, "could not admit the new member; the join request waits");
            return Admission::Later;
        }
    };
    if let Err(e) = r.use_invite(record, secret) {
        warn!(error = %e, "admitted the new member but could not record the invite as used");
    }
    admission
}

/// Where the node `peer` stands in `coalition`: `Some(true)` if a member in force holds its
/// key or awaits an admission vote still open, `Some(false)` if a member record holds it
/// otherwise (its vote failed, it left or was removed), `None` if none does.
fn standing(r: &mut Replica, coalition: &CoalitionId, peer: &model::NodeKey) -> Option<bool> {
    let gov = r.in_force(coalition).ok()?;
    if gov.members.values().any(|m| m.keys.contains(peer)) {
        return Some(true);
    }
    let d = gov
        .departures
        .values()
        .find(|d| d.member.keys.contains(peer))?;
    let open = d.status == model::schema::DepartureStatus::Pending
        && d.proposal.as_ref().is_some_and(|p| {
            r.proposal(coalition, p).ok().flatten().is_some_and(|p| {
                model::reports::proposal_tally(&p, replica::now()).outcome == model::Outcome::Open
            })
        });
    Some(open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::NodeKey;

    /// The inviting node's decisions, in order: an unknown secret refused; a new key
    /// admitted and the invite used up; the same key asking again left alone (its invite is
    /// not what lets it in any more); another key with the used invite refused; an expired
    /// invite refused.
    #[test]
    fn an_invite_admits_one_new_node_and_a_member_asking_again_gets_nothing() {
        let (_dir, mut r, c) = crate::testing::replica();
        let later = Timestamp::from_millis(replica::now().as_millis() + 3_600_000);
        let secret = [5; 16];
        r.record_invite(&c, &secret, later).unwrap();
        let (joiner, other) = (NodeKey::from_bytes([7; 32]), NodeKey::from_bytes([8; 32]));

        let unknown = admit(&mut r, joiner, &c, &[6; 16], "Eastside");
        assert_eq!(unknown, Admission::Refused("unknown invite".into()));

        let first = admit(&mut r, joiner, &c, &secret, "Eastside");
        assert!(
            matches!(first, Admission::Admitted(_) | Admission::VoteOpened(..)),
            "{first:?}"
        );
        let gov = r.in_force(&c).unwrap();
        assert!(
            gov.every_member().any(|m| m.keys.contains(&joiner)),
            "the new member's record holds its key"
        );

        assert_eq!(
            admit(&mut r, joiner, &c, &secret, "Eastside"),
            Admission::AskedAgain
        );
        let used = admit(&mut r, other, &c, &secret, "Westside");
        assert_eq!(used, Admission::Refused("invite already used".into()));

        let expired = [9; 16];
        r.record_invite(&c, &expired, Timestamp::from_millis(1))
            .unwrap();
        let late = admit(&mut r, other, &c, &expired, "Westside");
        assert_eq!(late, Admission::Refused("invite expired".into()));
    }
}
