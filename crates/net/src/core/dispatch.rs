//! From events to the sync state machine's outputs, and those carried out: frames sent,
//! refusals logged, forks flagged, joins answered, local changes pushed.

use super::*;

impl Core {
    pub(super) fn outputs_for(&mut self, event: Event) -> Vec<Output> {
        match event {
            Event::Api(job) => {
                let (req, person, reply) = job.into_parts();
                // `coalesce join` waits for the stage to move: held until it does.
                if let commands::ops::Request::JoinStage { coalition, wait } = &req
                    && let Some(hold) = wait.holds_for()
                {
                    let after = wait.after.clone().unwrap_or_default();
                    self.hold_join_stage(coalition, after, hold, reply);
                    return Vec::new();
                }
                let _s = info_span!(
                    "operation",
                    op = req.name(),
                    coalition = req.coalition(),
                    person = person.as_deref()
                )
                .entered();
                let writes = req.writes();
                let (op, coalition) = (req.name(), req.coalition().map(str::to_owned));
                let answer = self.op(req);
                // Which person made a change is this node's own knowledge: its people log.
                if let (Some(person), true, Ok(reply)) = (person, writes, &answer) {
                    let record = match reply {
                        commands::ops::Reply::Created(c) => Some(c.id.clone()),
                        commands::ops::Reply::Updated(u) => Some(u.id.clone()),
                        _ => None,
                    };
                    let act = replica::PersonAct {
                        at: replica::now().as_millis(),
                        person,
                        op: op.to_owned(),
                        coalition,
                        record,
                    };
                    if let Err(e) = self.replica.log_person_act(&act) {
                        warn!(error = %e, "could not keep who made a change in the people log");
                    }
                }
                let _ = reply.send(answer);
                if writes {
                    self.push_local_changes()
                } else {
                    Vec::new()
                }
            }
            Event::Connected(peer) => {
                let _s = info_span!("peer", %peer).entered();
                info!("peer connected");
                let _ = self.out.blocking_send(Outgoing::Reset(peer));
                if !self.kept.contains(&peer) {
                    self.unjudged.insert(peer, std::time::Instant::now());
                }
                self.connected_at.insert(peer, std::time::Instant::now());
                // It may be a linked coalition's member node, to pass statements to.
                self.carrying.due = true;
                // Our greeting, then the requests of the joins it invited.
                let mut outputs = self
                    .sync
                    .connected(&mut ReplicaDocs(&mut self.replica), peer);
                // What the peer sent before its connection was reported, after our greeting.
                let early = self.early.release(&peer, std::time::Instant::now());
                if !early.is_empty() {
                    debug!(
                        frames = early.len(),
                        "handling frames that arrived before the connection"
                    );
                }
                for frame in early {
                    outputs.extend(self.sync.received(
                        &mut ReplicaDocs(&mut self.replica),
                        peer,
                        &frame,
                    ));
                }
                outputs
            }
            Event::Disconnected(peer) => {
                let _s = info_span!("peer", %peer).entered();
                info!("peer disconnected");
                let _ = self.out.blocking_send(Outgoing::Reset(peer));
                // Gone before it was judged (the other side let go first): judged now, so
                // that this side does not redial a stranger either.
                if self.unjudged.remove(&peer).is_some()
                    && !self.kept.contains(&peer)
                    && !self.linked(&peer)
                    && self
                        .sync
                        .shares_nothing(&mut ReplicaDocs(&mut self.replica), &peer)
                {
                    self.let_go(peer, false);
                }
                self.sync.disconnected(&peer);
                self.connected_at.remove(&peer);
                self.carrying.passed.retain(|(p, _, _), _| *p != peer);
                self.carrying.passed_in.remove(&peer);
                self.disconnected_from(peer);
                self.early.forget(&peer);
                Vec::new()
            }
            Event::RelayLost(peer) => {
                let _s = info_span!("peer", %peer).entered();
                self.redial_relayed(&peer);
                Vec::new()
            }
            // Handled before (see `handle`).
            Event::Tick => Vec::new(),
            Event::Keep(peer) => {
                if self.kept.len() < crate::swarm::MAX_DIAL_TARGETS {
                    self.kept.insert(peer);
                }
                self.unjudged.remove(&peer);
                self.strangers.remove(&peer);
                Vec::new()
            }
            Event::Frame(peer, frame) => {
                let _s = info_span!("peer", %peer).entered();
                if self.sync.is_connected(&peer) {
                    self.sync
                        .received(&mut ReplicaDocs(&mut self.replica), peer, &frame)
                } else {
                    // The stream's reader got here before the swarm reported the connection
                    // (see `early`).
                    if !self.early.hold(peer, frame, std::time::Instant::now()) {
                        warn!(
                            "a peer sent more before its connection was reported than is held; disconnecting it to start over"
                        );
                        let _ = self.out.blocking_send(Outgoing::Disconnect(peer));
                    }
                    Vec::new()
                }
            }
            Event::Dial(cmd) => {
                self.dial(cmd);
                Vec::new()
            }
            Event::Reached(peer, addr) => {
                self.remember(peer, addr);
                Vec::new()
            }
            Event::Expect(coalition, inviter) => {
                self.sync
                    .expect(&mut ReplicaDocs(&mut self.replica), coalition, inviter)
            }
            Event::Shutdown => Vec::new(),
        }
    }

    /// Flags the keys whose forks are decided in `coalition` as this node's member (see
    /// [`replica::Replica::flag_forked`]); what that writes goes to the peers.
    pub(super) fn flag_forked(&mut self, coalition: &CoalitionId) -> Vec<Output> {
        let _s = info_span!("coalition", %coalition).entered();
        let keys = self
            .sync
            .decided_keys(&mut ReplicaDocs(&mut self.replica), coalition);
        if keys.is_empty() {
            return Vec::new();
        }
        match self.replica.flag_forked(coalition, &keys) {
            Ok(0) => Vec::new(),
            Ok(_) => self.push_local_changes(),
            Err(e) => {
                warn!(error = %e, "could not flag the keys that forked");
                Vec::new()
            }
        }
    }

    pub(super) fn push_local_changes(&mut self) -> Vec<Output> {
        let mut outputs = Vec::new();
        for local in self.replica.drain_local_changes() {
            self.metrics
                .sent(local.coalition.as_ref(), local.changes.len() as u64);
            outputs.extend(self.sync.local_changes(
                &mut ReplicaDocs(&mut self.replica),
                &local.coalition,
                &local.changes,
                local.signature,
            ));
        }
        outputs
    }

    pub(super) fn dispatch(&mut self, outputs: Vec<Output>) {
        // Noted once per peer for the whole batch (a relay sends a peer many frames).
        let sent_to: std::collections::BTreeSet<NodeKey> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Send { peer, .. } => Some(*peer),
                _ => None,
            })
            .collect();
        for peer in sent_to {
            self.synced(peer, false);
        }
        for o in outputs {
            let next = match o {
                Output::Send { peer, frame } => {
                    self.metrics.frames_sent.inc();
                    self.metrics.bytes_sent.inc_by(frame.len() as u64);
                    Outgoing::Send(peer, frame)
                }
                Output::Disconnect { peer, reason } => {
                    warn!(%peer, %reason, "disconnecting peer");
                    Outgoing::Disconnect(peer)
                }
                Output::Incompatible { peer, speaks } => {
                    warn!(%peer, speaks, ours = sync::wire::VERSION, "peer speaks another protocol version");
                    self.incompatible.insert(peer, speaks);
                    continue;
                }
                Output::Refused {
                    peer,
                    coalition,
                    reason,
                } => {
                    self.metrics
                        .refused
                        .get_or_create(&api::metrics::ReasonLabel {
                            reason: reason.kind().to_owned(),
                        })
                        .inc();
                    let coalition = coalition.as_ref().map(|c| c.to_string());
                    // A refusal can quote what the peer sent (a key, a value): shown on
                    // one line, its controls escaped, so it cannot forge log lines.
                    let why = reason.to_string();
                    let why = commands::output::printable(&why, false);
                    warn!(%peer, coalition, reason = %why, "refused a message from a peer");
                    let logged = self.replica.log_refusal(replica::Refusal {
                        at: replica::now().as_millis(),
                        peer: peer.to_string(),
                        coalition,
                        reason: reason.to_string(),
                    });
                    if let Err(e) = logged {
                        warn!(error = %e, "could not log the refusal");
                    }
                    continue;
                }
                Output::Applied {
                    peer,
                    coalition,
                    changes,
                } => {
                    self.metrics.received(coalition.as_ref(), changes as u64);
                    debug!(%peer, %coalition, changes, "applied changes from a peer");
                    if let Some(p) = &self.progress {
                        let _ = p.send((coalition.clone(), changes));
                    }
                    continue;
                }
                Output::Joined { peer, coalition } => {
                    info!(%peer, %coalition, "the coalition this node joins has arrived");
                    if let Err(e) = self.replica.end_join(&coalition) {
                        warn!(%coalition, error = %e, "could not forget the completed join");
                    }
                    continue;
                }
                Output::Forked {
                    coalition,
                    key,
                    seq,
                    set_aside,
                } => {
                    self.metrics.forks.inc();
                    if key == self.replica.identity().node_key() {
                        tracing::error!(%coalition, seq, "THIS node's key forked its history (was its home copied, or a VM snapshot restored?): it can no longer write in this coalition; add a new key for your organization from another of its nodes, or restore a backup");
                    } else {
                        warn!(%coalition, %key, seq, set_aside, "a member node's key forked its history; see `coalesce status`");
                    }
                    continue;
                }
                Output::Addresses { records } => {
                    self.learned_addresses(&records);
                    continue;
                }
                Output::ForkDecided { coalition } => {
                    let more = self.flag_forked(&coalition);
                    self.dispatch(more);
                    continue;
                }
                Output::JoinRefused {
                    peer,
                    coalition,
                    reason,
                } => {
                    // Sync has forgotten the coalition and keeps the reason for `join`.
                    // The inviting node's own words: shown on one line, controls escaped.
                    let why = commands::output::printable(&reason, false);
                    warn!(%peer, %coalition, reason = %why, "the inviting node refused to admit this node");
                    if let Err(e) = self.replica.end_join(&coalition) {
                        warn!(%coalition, error = %e, "could not forget the refused join");
                    }
                    continue;
                }
                Output::Statements { peer, file } => {
                    let more = self.passed(peer, &file);
                    self.dispatch(more);
                    continue;
                }
                Output::JoinRequest {
                    peer,
                    coalition,
                    secret,
                    org,
                } => {
                    let more = self.admit(peer, &coalition, secret, &org);
                    self.dispatch(more);
                    continue;
                }
            };
            if self.out.blocking_send(next).is_err() {
                return;
            }
        }
    }
}
