//! Invites and joins as the running node carries them out: making a one-time invite,
//! starting a join and taking it up again after a restart, how a join is going, and a peer
//! that presents an invite's secret.
//!
//! A join is recorded in the store (`Replica::start_join`) before connecting, and taken up
//! again at start (`resume_joins`), so it outlives Ctrl-C, `--wait` and restarts. The request
//! itself is sync's (`SyncNode::join`): presented to the inviter on every connection (a
//! joining node asks again after every reconnect and restart), ended by the coalition's
//! arrival (`Output::Joined`) or the inviter's refusal (`Output::JoinRefused`), on which the
//! core forgets the stored join, or by `join --cancel` (`SyncNode::cancel_join`).
//!
//! The inviting node's answer is `commands::ops::joins::admit`, by where the joining key
//! stands in the coalition before the invite's use and expiry are looked at: a member in
//! force, or one awaiting an admission vote still open, gets nothing (the invite is left
//! unused); one voted down, gone or removed is refused, which ends its join; an unknown key
//! goes through the invite's checks. So a join waiting on a vote survives restarts on either
//! side. `join_stage` says in words how one is going (from `SyncNode::join_progress`:
//! connecting, connected and waiting to be admitted, receiving the coalition with the pieces
//! of a fragmented snapshot so far), for `join --pending` and for `coalesce join`, which asks
//! with the stage it saw last: held (`hold_join_stage`) until the stage moves, looked at after
//! every event and tick (`wake_join_waiters`; the API keeps the end of the wait).

use super::*;
use commands::ops::joins::JoinStage;
use commands::ops::{OpError, Reply};

/// Most stages held back at once (see [`Core::hold_join_stage`]); more are answered at once.
const MAX_JOIN_WAITERS: usize = 64;

/// A join's stage asked for with a wait: answered once the stage moves from `after`, or at
/// `until`.
pub(super) struct JoinWaiter {
    id: CoalitionId,
    after: String,
    until: std::time::Instant,
    reply: api::Answer,
}

impl Core {
    /// `invite create`: records a one-time secret and prints the code.
    pub(super) fn invite(
        &mut self,
        coalition: &str,
        expires: &str,
    ) -> anyhow::Result<commands::ops::joins::InviteMade> {
        let id = self.replica.resolve(coalition)?;
        self.replica.me(&id)?;
        let now = replica::now();
        let expires_at = commands::deadline(expires, now, "invite expiry")?;
        let secret = replica::fresh_id_bytes()?;
        self.replica.record_invite(&id, &secret, expires_at)?;
        let invite = Invite {
            coalition: id.to_bytes(),
            inviter: *self.replica.identity().node_key().as_bytes(),
            addrs: self.addrs.clone(),
            secret,
            expires_at: expires_at.as_millis(),
        };
        Ok(commands::ops::joins::InviteMade {
            code: invite.encode(),
            coalition: id.to_string(),
            expires_at,
            reachability: self.net.view().reachability.as_str().to_owned(),
        })
    }

    /// `join`: expects the coalition from the inviter and connects to it.
    pub(super) fn join(&mut self, code: &str, org: Option<String>) -> anyhow::Result<CoalitionId> {
        let invite = Invite::decode(code)?;
        let now = replica::now();
        if now.as_millis() >= invite.expires_at {
            return Err(commands::ops::Invalid(format!(
                "this invite expired at {}; ask for a new one",
                model::Timestamp::from_millis(invite.expires_at)
            ))
            .into());
        }
        let coalition = CoalitionId::from_bytes(invite.coalition);
        let inviter = NodeKey::from_bytes(invite.inviter);
        if inviter == self.replica.identity().node_key() {
            return Err(commands::ops::Invalid(
                "this invite was made by this node; give it to another organization's node".into(),
            )
            .into());
        }
        if self.replica.coalition_ids()?.contains(&coalition)
            && !self.replica.is_joining(&coalition)
        {
            return Err(commands::ops::Conflict(format!(
                "this node is already a member of coalition {}",
                coalition.short()
            ))
            .into());
        }
        // Checked here as the inviting node checks it (a name it cannot take would leave this
        // node asking in vain on every connection).
        let org = org.unwrap_or_else(|| self.replica.org_name());
        replica::check_org(&org)?;
        let org = org.trim().to_owned();
        self.replica.start_join(
            &coalition,
            replica::PendingJoin {
                code: code.trim().to_owned(),
                org: org.clone(),
                started_at: now.as_millis(),
            },
        )?;
        self.take_up_join(&invite, org);
        Ok(coalition)
    }

    /// Asks sync to join the invite's coalition through its inviter, and connects to the
    /// inviter.
    pub(super) fn take_up_join(&mut self, invite: &Invite, org: String) {
        let coalition = CoalitionId::from_bytes(invite.coalition);
        let inviter = NodeKey::from_bytes(invite.inviter);
        let request = sync::JoinRequest {
            inviter,
            secret: invite.secret,
            org,
        };
        let out = self
            .sync
            .join(&mut ReplicaDocs(&mut self.replica), coalition, request);
        self.dispatch(out);
        // On a LAN the inviter may have been left alone as a stranger a moment ago.
        self.strangers.remove(&inviter);
        self.dial(crate::swarm::Command::Welcome(inviter));
        let peer = crate::swarm::peer_id(&inviter)
            .map(|p| p.to_string())
            .unwrap_or_default();
        for addr in &invite.addrs {
            let full = if addr.contains("/p2p/") {
                addr.clone()
            } else {
                format!("{addr}/p2p/{peer}")
            };
            match full.parse() {
                Ok(a) => {
                    self.dial(crate::swarm::Command::Dial(a));
                }
                Err(_) => warn!(%addr, "invite names an address that cannot be parsed"),
            }
        }
    }

    /// Takes up again the joins pending when the node last stopped; forgets those whose
    /// coalition has arrived since, or whose code no longer reads.
    pub(super) fn resume_joins(&mut self) {
        let joins = match self.replica.pending_joins() {
            Ok(j) => j,
            Err(e) => {
                warn!(error = %e, "could not read the pending joins");
                return;
            }
        };
        for (id, join) in joins {
            match Invite::decode(&join.code) {
                Ok(invite) if self.replica.is_joining(&id) => {
                    info!(coalition = %id, "taking up a pending join again");
                    self.take_up_join(&invite, join.org);
                }
                _ => {
                    if let Err(e) = self.replica.end_join(&id) {
                        warn!(coalition = %id, error = %e, "could not forget a pending join");
                    }
                }
            }
        }
    }

    /// `join --cancel`: forgets the join and stops expecting its coalition.
    pub(super) fn cancel_join(&mut self, given: &str) -> anyhow::Result<CoalitionId> {
        let id = commands::ops::joins::cancel(&mut self.replica, given)?;
        self.sync.cancel_join(&id);
        info!(coalition = %id, "join cancelled");
        Ok(id)
    }

    /// How a join is going, in words: `joined`, `refused: REASON`, or `pending: STAGE`.
    pub(super) fn join_stage(&mut self, id: &CoalitionId) -> JoinStage {
        use commands::ops::joins::JoinStep;
        use sync::JoinProgress;
        // Sync's word first: a coalition arriving in pages (see `sync`) is held, in part,
        // before it has all arrived.
        match self.sync.join_progress(id) {
            Some(JoinProgress::Refused(reason)) => JoinStage::refused(&reason),
            None if self
                .replica
                .coalition_ids()
                .is_ok_and(|ids| ids.contains(id))
                && !self.replica.is_joining(id) =>
            {
                JoinStage::at(JoinStep::Joined)
            }
            None => JoinStage::at(JoinStep::Waiting),
            Some(JoinProgress::Connecting) => JoinStage::at(JoinStep::Connecting),
            Some(JoinProgress::AwaitingAdmission) => JoinStage::at(JoinStep::AwaitingAdmission),
            Some(JoinProgress::Receiving(Some((n, of, bytes)))) => {
                JoinStage::receiving(n, of, bytes as u64)
            }
            Some(JoinProgress::Receiving(None)) => JoinStage::at(JoinStep::Receiving),
        }
    }

    /// Answers how the join of `coalition` is going once its stage is no longer `after`, or
    /// after `hold`: at once when it moved already (or too many wait).
    pub(super) fn hold_join_stage(
        &mut self,
        coalition: &str,
        after: String,
        hold: std::time::Duration,
        reply: api::Answer,
    ) {
        let id: CoalitionId = match coalition.parse() {
            Ok(id) => id,
            Err(e) => {
                let e: anyhow::Error = e.into();
                let _ = reply.send(Err(OpError::from_anyhow(&e)));
                return;
            }
        };
        let stage = self.join_stage(&id);
        if stage.stage != after || self.join_waiters.len() >= MAX_JOIN_WAITERS {
            let _ = reply.send(Ok(Reply::JoinStage(stage)));
            return;
        }
        self.join_waiters.push(JoinWaiter {
            id,
            after,
            until: std::time::Instant::now() + hold,
            reply,
        });
    }

    /// Answers the held stages that moved, and those held long enough (after every event
    /// and tick).
    pub(super) fn wake_join_waiters(&mut self) {
        if self.join_waiters.is_empty() {
            return;
        }
        let now = std::time::Instant::now();
        // Each coalition's stage once, however many wait on it.
        let mut stages: BTreeMap<CoalitionId, JoinStage> = BTreeMap::new();
        for w in std::mem::take(&mut self.join_waiters) {
            // Given up on (the API's own wait ended): dropped unread.
            if w.reply.is_closed() {
                continue;
            }
            let stage = match stages.get(&w.id) {
                Some(s) => s.clone(),
                None => {
                    let s = self.join_stage(&w.id);
                    stages.insert(w.id.clone(), s.clone());
                    s
                }
            };
            if stage.stage != w.after || now >= w.until {
                let _ = w.reply.send(Ok(Reply::JoinStage(stage)));
            } else {
                self.join_waiters.push(w);
            }
        }
    }

    /// Answers every held stage as it is (the node is stopping).
    pub(super) fn release_join_waiters(&mut self) {
        for w in std::mem::take(&mut self.join_waiters) {
            let stage = self.join_stage(&w.id);
            let _ = w.reply.send(Ok(Reply::JoinStage(stage)));
        }
    }

    /// `debug join-status`: joined, pending, or refused with the reason.
    pub(super) fn join_stage_of(&mut self, coalition: &str) -> anyhow::Result<JoinStage> {
        let id: CoalitionId = coalition.parse()?;
        Ok(self.join_stage(&id))
    }

    /// A peer presented an invite's secret: decided and carried out by
    /// `commands::ops::joins::admit`; this node then sends the new member record to its
    /// peers, or the refusal to the peer.
    pub(super) fn admit(
        &mut self,
        peer: NodeKey,
        coalition: &CoalitionId,
        secret: [u8; 16],
        org: &str,
    ) -> Vec<Output> {
        let _s = info_span!("join", %peer, %coalition).entered();
        use commands::ops::joins::Admission;
        match commands::ops::joins::admit(&mut self.replica, peer, coalition, &secret, org) {
            Admission::Admitted(_) | Admission::VoteOpened(..) => self.push_local_changes(),
            Admission::AskedAgain => {
                debug!("a node admitted or awaiting its vote asked again; nothing more to do");
                Vec::new()
            }
            Admission::Later => Vec::new(),
            Admission::Refused(why) => {
                warn!(reason = %why, "refused a join request");
                vec![SyncNode::refuse_join(peer, coalition, &why)]
            }
        }
    }
}
