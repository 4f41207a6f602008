//! Joining a coalition through an invite, on both sides, as events and outputs like the rest
//! of sync.
//!
//! The joining node asks ([`SyncNode::join`]): it accepts the coalition from the inviter
//! although it holds none of it yet, and presents the invite's secret and its organization's
//! name in a `Join` frame to the inviter — at once if connected, and again on every
//! connection to it ([`SyncNode::connected`]), until the coalition arrives
//! ([`Output::Joined`], once it holds all a peer syncing it holds: a long one arrives in
//! pages, see `pages`), the join is
//! cancelled ([`SyncNode::cancel_join`]) or the inviter refuses it. A refusal from the inviter
//! (and from no other peer) ends the join: the coalition is forgotten, the reason kept for
//! [`SyncNode::join_progress`] (at most [`MAX_REFUSED_JOINS`]), and
//! [`Output::JoinRefused`] tells the node to forget the join it stored.
//!
//! The inviting node hears a `Join` frame as [`Output::JoinRequest`]: whether to admit is the
//! node's to decide (its invites, the coalition's governance); a refusal goes back as the
//! frame [`SyncNode::refuse_join`] makes.

use super::*;

/// Most refused joins remembered for [`SyncNode::join_progress`] (forgotten all at once
/// beyond: a node asks to join a handful of coalitions, not hundreds).
pub const MAX_REFUSED_JOINS: usize = 256;

/// What a joining node presents to the node that invited it (its `Debug` leaves the secret
/// out: logs must not hold a usable invite).
#[derive(Clone, PartialEq, Eq)]
pub struct JoinRequest {
    /// The node that made the invite.
    pub inviter: NodeKey,
    /// The invite's one-time secret.
    pub secret: [u8; 16],
    /// The joining organization's name.
    pub org: String,
}

impl std::fmt::Debug for JoinRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinRequest")
            .field("inviter", &self.inviter)
            .field("org", &self.org)
            .finish_non_exhaustive()
    }
}

/// How a join this node asked for is going, as far as sync knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinProgress {
    /// Not connected to the inviting node yet.
    Connecting,
    /// Connected; the inviting node has not started syncing the coalition with this one (it
    /// has not admitted this node, or its members are still voting on the admission).
    AwaitingAdmission,
    /// Admitted: the coalition is arriving. When it comes as a fragmented snapshot, the piece
    /// reached, the pieces in all and the bytes so far.
    Receiving(Option<(u32, u32, usize)>),
    /// The inviting node refused, for this reason.
    Refused(String),
}

impl SyncNode {
    /// Joining: accept `coalition` from `inviter` although this node does not hold it yet. If
    /// already connected to the inviter, tells it so with a fresh Hello (which now offers the
    /// coalition), so that both sides start syncing once it admits this node.
    pub fn expect(
        &mut self,
        docs: &mut impl Documents,
        coalition: CoalitionId,
        inviter: NodeKey,
    ) -> Vec<Output> {
        self.expected.insert(coalition, inviter);
        if self.peers.contains_key(&inviter) {
            vec![self.hello(docs, inviter)]
        } else {
            Vec::new()
        }
    }

    /// Asks to join `coalition` through the node that invited this one: expects the
    /// coalition from it ([`SyncNode::expect`]) and presents `request` to it, now if
    /// connected and on every connection to it after. Asking again replaces the earlier
    /// request and forgets an earlier refusal.
    pub fn join(
        &mut self,
        docs: &mut impl Documents,
        coalition: CoalitionId,
        request: JoinRequest,
    ) -> Vec<Output> {
        let inviter = request.inviter;
        self.refused_joins.remove(&coalition);
        let mut out = self.expect(docs, coalition.clone(), inviter);
        if self.peers.contains_key(&inviter) {
            out.push(join_frame(&coalition, &request));
        }
        self.joins.insert(coalition, request);
        out
    }

    /// Stops joining `coalition`: forgets the request, a refusal of it, and the coalition.
    pub fn cancel_join(&mut self, coalition: &CoalitionId) {
        self.refused_joins.remove(coalition);
        self.forget(coalition);
    }

    /// How the join of `coalition` is going; `None` if this node is not joining it (never
    /// asked, cancelled, or arrived).
    pub fn join_progress(&self, coalition: &CoalitionId) -> Option<JoinProgress> {
        if let Some(reason) = self.refused_joins.get(coalition) {
            return Some(JoinProgress::Refused(reason.clone()));
        }
        let inviter = self.joins.get(coalition)?.inviter;
        Some(if !self.is_connected(&inviter) {
            JoinProgress::Connecting
        } else if !self.syncs_with(&inviter, coalition) {
            JoinProgress::AwaitingAdmission
        } else {
            JoinProgress::Receiving(self.assembling(&inviter))
        })
    }

    /// The frame refusing `peer`'s request to join `coalition`, for this reason (cut to
    /// [`wire::MAX_JOIN_TEXT`] characters, what the joining node accepts).
    pub fn refuse_join(peer: NodeKey, coalition: &CoalitionId, reason: &str) -> Output {
        Output::Send {
            peer,
            frame: Message::JoinRefused {
                coalition: wire_id(coalition),
                reason: reason.chars().take(wire::MAX_JOIN_TEXT).collect(),
            }
            .encode(),
        }
    }

    /// The requests to present to `peer`, just connected: those of the joins it invited.
    pub(super) fn join_frames_for(&self, peer: &NodeKey, out: &mut Vec<Output>) {
        for (c, request) in &self.joins {
            if request.inviter == *peer {
                out.push(join_frame(c, request));
            }
        }
    }

    /// `peer` refused this node's request to join `coalition`: if it is the inviter and the
    /// join is still asked for, the join ends (see the module's docs); a refusal from any other
    /// peer, or once the coalition has arrived (or for a coalition taken in while recovering,
    /// which no request asked for), is ignored: it must not make this node forget a coalition
    /// it holds.
    pub(super) fn join_refused(
        &mut self,
        peer: NodeKey,
        coalition: CoalitionId,
        reason: String,
        out: &mut Vec<Output>,
    ) {
        if self.expected.get(&coalition) != Some(&peer) || !self.joins.contains_key(&coalition) {
            return;
        }
        self.forget(&coalition);
        if self.refused_joins.len() >= MAX_REFUSED_JOINS {
            self.refused_joins.clear();
        }
        self.refused_joins.insert(coalition.clone(), reason.clone());
        out.push(Output::JoinRefused {
            peer,
            coalition,
            reason,
        });
    }
}

/// The frame presenting `request` to its inviter.
fn join_frame(coalition: &CoalitionId, request: &JoinRequest) -> Output {
    Output::Send {
        peer: request.inviter,
        frame: Message::Join {
            coalition: wire_id(coalition),
            secret: request.secret,
            org: request.org.clone(),
        }
        .encode(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::MemoryDocs;

    fn key(b: u8) -> NodeKey {
        NodeKey::from_bytes([b; 32])
    }

    fn request(inviter: NodeKey) -> JoinRequest {
        JoinRequest {
            inviter,
            secret: [9; 16],
            org: "Eastside Mutual Aid".into(),
        }
    }

    /// The `Join` frames among `out`, decoded, with the peer each goes to.
    fn join_frames(out: &[Output]) -> Vec<(NodeKey, Message)> {
        out.iter()
            .filter_map(|o| match o {
                Output::Send { peer, frame } => Some((*peer, Message::decode(frame).unwrap())),
                _ => None,
            })
            .filter(|(_, m)| matches!(m, Message::Join { .. }))
            .collect()
    }

    /// A join presents its request to the inviter on every connection to it (and at once
    /// when connected), and the inviter hears it as a request for the node to decide.
    #[test]
    fn a_join_is_presented_to_the_inviter_on_each_connection_and_heard_there() {
        let (me, inviter, other) = (key(1), key(2), key(3));
        let c = CoalitionId::from_bytes([4; 16]);
        let mut docs = MemoryDocs::new(me);
        let mut node = SyncNode::new();
        assert!(node.join(&mut docs, c.clone(), request(inviter)).is_empty());
        assert_eq!(node.join_progress(&c), Some(JoinProgress::Connecting));
        assert!(join_frames(&node.connected(&mut docs, other)).is_empty());
        let out = node.connected(&mut docs, inviter);
        let frames = join_frames(&out);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].0, inviter);
        assert_eq!(
            node.join_progress(&c),
            Some(JoinProgress::AwaitingAdmission)
        );
        // Asked again while connected: presented at once.
        let again = node.join(&mut docs, c.clone(), request(inviter));
        assert_eq!(join_frames(&again).len(), 1);

        let mut theirs = SyncNode::new();
        let mut their_docs = MemoryDocs::new(inviter);
        theirs.connected(&mut their_docs, me);
        let Output::Send { frame, .. } = &out[1] else {
            panic!("{out:?}");
        };
        let heard = theirs.received(&mut their_docs, me, frame);
        assert!(
            heard.iter().any(|o| matches!(o,
                Output::JoinRequest { peer, coalition, secret, org }
                    if *peer == me && *coalition == c && *secret == [9; 16]
                        && org == "Eastside Mutual Aid")),
            "{heard:?}"
        );
    }

    /// A refusal from the inviter ends the join and is kept for its progress; one from any
    /// other peer changes nothing; asking again or cancelling forgets it.
    #[test]
    fn only_the_inviter_can_refuse_a_join_and_its_refusal_ends_it() {
        let (me, inviter, other) = (key(1), key(2), key(3));
        let c = CoalitionId::from_bytes([4; 16]);
        let mut docs = MemoryDocs::new(me);
        let mut node = SyncNode::new();
        node.join(&mut docs, c.clone(), request(inviter));
        node.connected(&mut docs, inviter);
        node.connected(&mut docs, other);
        let refusal = |from: NodeKey, why: &str| {
            let Output::Send { frame, .. } = SyncNode::refuse_join(me, &c, why) else {
                unreachable!()
            };
            (from, frame)
        };
        let (from, frame) = refusal(other, "not from the inviter");
        assert!(node.received(&mut docs, from, &frame).is_empty());
        assert_eq!(
            node.join_progress(&c),
            Some(JoinProgress::AwaitingAdmission)
        );

        let (from, frame) = refusal(inviter, "this invite was used already");
        let out = node.received(&mut docs, from, &frame);
        assert!(
            out.iter()
                .any(|o| matches!(o, Output::JoinRefused { peer, reason, .. }
                if *peer == inviter && reason == "this invite was used already")),
            "{out:?}"
        );
        assert_eq!(
            node.join_progress(&c),
            Some(JoinProgress::Refused("this invite was used already".into()))
        );
        // Reconnecting presents nothing more.
        node.disconnected(&inviter);
        assert!(join_frames(&node.connected(&mut docs, inviter)).is_empty());

        node.join(&mut docs, c.clone(), request(inviter));
        assert_eq!(
            node.join_progress(&c),
            Some(JoinProgress::AwaitingAdmission)
        );
        node.cancel_join(&c);
        assert_eq!(node.join_progress(&c), None);
        assert!(join_frames(&node.connected(&mut docs, inviter)).is_empty());
    }

    /// Once the coalition has arrived, the inviter can no longer make this node forget it:
    /// a refusal then is ignored.
    #[test]
    fn a_refusal_after_the_coalition_arrived_changes_nothing() {
        let (me, inviter) = (key(1), key(2));
        let c = CoalitionId::from_bytes([4; 16]);
        let mut docs = MemoryDocs::new(me);
        let mut node = SyncNode::new();
        node.join(&mut docs, c.clone(), request(inviter));
        node.connected(&mut docs, inviter);
        // As `on_sync` does when the coalition has all arrived.
        node.joins.remove(&c);
        let Output::Send { frame, .. } = SyncNode::refuse_join(me, &c, "too late") else {
            unreachable!()
        };
        assert!(node.received(&mut docs, inviter, &frame).is_empty());
        assert_eq!(node.join_progress(&c), None);
        assert_eq!(
            node.expected.get(&c),
            Some(&inviter),
            "the coalition is not forgotten"
        );
    }

    /// Refusals kept are bounded; a reason sent is cut to 200 characters.
    #[test]
    fn refusals_are_bounded() {
        let (me, inviter) = (key(1), key(2));
        let mut docs = MemoryDocs::new(me);
        let mut node = SyncNode::new();
        node.connected(&mut docs, inviter);
        for i in 0..=MAX_REFUSED_JOINS {
            let mut id = [0u8; 16];
            id[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let c = CoalitionId::from_bytes(id);
            node.join(&mut docs, c.clone(), request(inviter));
            let Output::Send { frame, .. } = SyncNode::refuse_join(me, &c, &"x".repeat(500)) else {
                unreachable!()
            };
            let Message::JoinRefused { reason, .. } = Message::decode(&frame).unwrap() else {
                unreachable!()
            };
            assert_eq!(reason.chars().count(), wire::MAX_JOIN_TEXT);
            node.received(&mut docs, inviter, &frame);
            assert!(node.refused_joins.len() <= MAX_REFUSED_JOINS);
            // The refusal just heard is kept, whatever was forgotten to make room.
            assert_eq!(
                node.join_progress(&c),
                Some(JoinProgress::Refused("x".repeat(wire::MAX_JOIN_TEXT)))
            );
            assert_eq!(node.refused_joins.len(), i % MAX_REFUSED_JOINS + 1);
        }
    }
}
