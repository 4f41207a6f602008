//! Misbehaving members: a hostile node sending broken and forged changes, and a node that
//! forks its history and writes on after its key is flagged.

use automerge::AutoCommit;
use model::NodeKey;
use sync::Documents;

use crate::{Frame, NODES, Sim, pair};

impl Sim {
    /// The hostile node sends one broken or forged change to every peer it is connected to,
    /// signed with its own key, without applying it itself.
    pub(crate) fn attack(&mut self, i: usize) {
        use automerge::transaction::Transactable;
        use automerge::{ObjType, ReadDoc, ScalarValue};
        let c = self.coalition.clone();
        let kind = self.pick(6);
        let victim = self.nodes[0].member.to_string();
        let target = if self.issues.is_empty() {
            None
        } else {
            let k = self.pick(self.issues.len());
            Some(self.issues[k].clone())
        };
        let n = &mut self.nodes[i];
        let Some((doc, _)) = n.docs.entry(&c) else {
            return;
        };
        if doc.get_heads().is_empty() {
            return;
        }
        let mut fork = doc.fork().with_actor(n.key.actor());
        let before = fork.get_heads();
        let obj = |d: &AutoCommit, path: &[&str]| {
            let mut o = automerge::ROOT;
            for k in path {
                o = d.get(&o, *k).ok()??.1;
            }
            Some(o)
        };
        let me = n.member.to_string();
        match (kind, target.as_ref()) {
            // A number where its own name belongs.
            (0, _) => {
                let Some(m) = obj(&fork, &["members", &me]) else {
                    return;
                };
                fork.put(&m, "name", 7i64).unwrap();
            }
            // An issue title that is a list.
            (1, Some(t)) => {
                let Some(o) = obj(&fork, &["issues", t.as_str()]) else {
                    return;
                };
                fork.put_object(&o, "title", ObjType::List).unwrap();
            }
            // A rank in another member's name.
            (2, Some(t)) => {
                let Some(o) = obj(&fork, &["issues", t.as_str(), "ranks"]) else {
                    return;
                };
                fork.put(&o, victim.as_str(), 1u64).unwrap();
            }
            // A counter where a status belongs.
            (3, Some(t)) => {
                let Some(o) = obj(&fork, &["issues", t.as_str()]) else {
                    return;
                };
                fork.put(&o, "status", ScalarValue::counter(1)).unwrap();
            }
            // Without an issue to break, nothing: an honest change it does not apply itself
            // would be a fork, which is the forking node's part.
            (1..=3, None) => return,
            // An honest-looking change, then broken: sequence skip or overlapping counters.
            _ => {
                let Some(m) = obj(&fork, &["members", &me]) else {
                    return;
                };
                fork.put(&m, "contact", "hostile").unwrap();
            }
        }
        fork.commit();
        let Some(change) = fork.get_changes(&before).pop() else {
            return;
        };
        let change = match kind {
            4 => {
                let mut e = change.decode();
                e.seq += 3;
                automerge::Change::from(e)
            }
            5 => {
                let mut e = change.decode();
                e.start_op = std::num::NonZeroU64::new(2).unwrap();
                automerge::Change::from(e)
            }
            _ => change,
        };
        self.push_raw(i, &change);
        self.attacks += 1;
    }

    /// The forking node writes two different changes with its next sequence number: it
    /// keeps and pushes one to half its connected peers, and pushes the other to the rest.
    pub(crate) fn fork(&mut self, i: usize) {
        use automerge::transaction::Transactable;
        let c = self.coalition.clone();
        // Only with two peers or more to tell different stories to.
        let syncing = (0..NODES)
            .filter(|j| {
                *j != i
                    && self.links.contains(&pair(i, *j))
                    && self.nodes[i]
                        .sync
                        .peer_heads(&self.nodes[*j].key, &c)
                        .is_some()
            })
            .count();
        if syncing < 2 {
            return;
        }
        self.clock += 1;
        let n = &mut self.nodes[i];
        let Some((doc, _)) = n.docs.entry(&c) else {
            return;
        };
        if doc.get_heads().is_empty() {
            return;
        }
        let me = n.member.to_string();
        let before = doc.get_heads();
        let mut other = doc.fork().with_actor(n.key.actor());
        let contact = |d: &mut AutoCommit, text: &str| {
            use automerge::ReadDoc;
            let members = d.get(automerge::ROOT, "members").ok()??.1;
            let m = d.get(&members, me.as_str()).ok()??.1;
            d.put(&m, "contact", text).ok()?;
            d.commit();
            Some(())
        };
        if contact(doc, &format!("version a {}", self.clock)).is_none()
            || contact(&mut other, &format!("version b {}", self.clock)).is_none()
        {
            return;
        }
        let a = doc.get_changes(&before);
        let b = other.get_changes(&before);
        let (Some(ha), Some(hb)) = (a.last().map(|c| c.hash()), b.last().map(|c| c.hash())) else {
            return;
        };
        let sa = sync::sign(&n.signing, &ha);
        let sb = sync::sign(&n.signing, &hb);
        n.docs.local_edit(&c, &a, sa.clone());
        // Peers syncing the coalition with it (as its pushes go) get one version each, with
        // whatever they may lack before it, so that it applies there.
        let keys: Vec<NodeKey> = self.nodes.iter().map(|n| n.key).collect();
        let peers: Vec<usize> = (0..NODES)
            .filter(|j| {
                *j != i
                    && self.links.contains(&pair(i, *j))
                    && self.nodes[i].sync.peer_heads(&keys[*j], &c).is_some()
            })
            .collect();
        let n = &mut self.nodes[i];
        let others: Vec<sync::ChangeSignature> = n
            .docs
            .entry(&c)
            .map(|(_, index)| index.all())
            .unwrap_or_default()
            .into_iter()
            .filter(|h| h.hash != sa.hash && h.hash != sb.hash)
            .collect();
        let mut frames = Vec::new();
        for (k, to) in peers.into_iter().enumerate() {
            // The whole history with it: the peer keeps what it lacks.
            let (changes, head) = if k % 2 == 0 {
                let (doc, _) = n.docs.entry(&c).unwrap();
                (doc.get_changes(&[]), &sa)
            } else {
                (other.get_changes(&[]), &sb)
            };
            let mut heads: Vec<sync::SignedHead> =
                others.iter().map(sync::SignedHead::from).collect();
            heads.push(sync::SignedHead::from(head));
            let frame = sync::Message::Changes {
                coalition: c.to_bytes(),
                changes: changes
                    .iter()
                    .map(|ch| sync::wire::ByteChunk(ch.raw_bytes().to_vec()))
                    .collect(),
                heads,
                vouchers: Vec::new(),
            }
            .encode();
            frames.push((to, frame));
        }
        self.shadow = Some((other, sb.clone()));
        // Delivered at once: each version reaches its half of the peers.
        for (to, frame) in frames {
            let epoch = self.epochs[&pair(i, to)];
            self.deliver(Frame {
                from: i,
                to,
                epoch,
                bytes: frame,
            });
        }
        self.forks += 1;
    }

    /// The forking node pushes the version it did not keep again, with what the peer may
    /// lack before it, to one peer syncing with it.
    pub(crate) fn push_shadow(&mut self, i: usize) {
        let c = self.coalition.clone();
        let keys: Vec<NodeKey> = self.nodes.iter().map(|n| n.key).collect();
        let syncing: Vec<usize> = (0..NODES)
            .filter(|j| {
                *j != i
                    && self.links.contains(&pair(i, *j))
                    && self.nodes[i].sync.peer_heads(&keys[*j], &c).is_some()
            })
            .collect();
        if syncing.is_empty() {
            return;
        }
        let to = syncing[self.pick(syncing.len())];
        let others: Vec<sync::SignedHead> = self.nodes[i]
            .docs
            .entry(&c)
            .map(|(_, index)| index.all())
            .unwrap_or_default()
            .iter()
            .filter(|h| h.hash != self.shadow.as_ref().map_or([0; 32], |s| s.1.hash))
            .map(sync::SignedHead::from)
            .collect();
        let Some((other, sb)) = self.shadow.as_mut() else {
            return;
        };
        let changes = other.get_changes(&[]);
        let mut heads: Vec<sync::SignedHead> = others
            .into_iter()
            .filter(|h| {
                // The kept version's own signature would contradict the shadow's.
                changes.iter().all(|c| c.hash().0 != h.hash)
            })
            .collect();
        heads.push(sync::SignedHead::from(&*sb));
        let frame = sync::Message::Changes {
            coalition: c.to_bytes(),
            changes: changes
                .iter()
                .map(|ch| sync::wire::ByteChunk(ch.raw_bytes().to_vec()))
                .collect(),
            heads,
            vouchers: Vec::new(),
        }
        .encode();
        let epoch = self.epochs[&pair(i, to)];
        self.deliver(Frame {
            from: i,
            to,
            epoch,
            bytes: frame,
        });
    }

    /// The forking node writes on after seeing its key flagged, as a modified node would:
    /// signed, pushed to its peers, not applied to its own copy. Every honest node refuses
    /// it alike.
    pub(crate) fn write_after_flags(&mut self, i: usize) {
        use automerge::ReadDoc;
        use automerge::transaction::Transactable;
        let c = self.coalition.clone();
        let n = &mut self.nodes[i];
        let me = n.member.to_string();
        let Some((doc, _)) = n.docs.entry(&c) else {
            return;
        };
        let mut fork = doc.fork().with_actor(n.key.actor());
        let before = fork.get_heads();
        let Some(m) = fork
            .get(&automerge::ROOT, "members")
            .ok()
            .flatten()
            .and_then(|(_, o)| fork.get(&o, me.as_str()).ok().flatten())
            .map(|(_, o)| o)
        else {
            return;
        };
        fork.put(&m, "contact", "written after the flags").unwrap();
        fork.commit();
        let Some(change) = fork.get_changes(&before).pop() else {
            return;
        };
        self.push_raw(i, &change);
        self.after_flags.push(change.hash());
    }

    /// Node `i` pushes `change`, signed with its key, to every peer it is connected to.
    fn push_raw(&mut self, i: usize, change: &automerge::Change) {
        let n = &self.nodes[i];
        let head = sync::sign(&n.signing, &change.hash());
        let frame = sync::Message::Changes {
            coalition: self.coalition.to_bytes(),
            changes: vec![sync::wire::ByteChunk(change.raw_bytes().to_vec())],
            heads: vec![sync::SignedHead::from(&head)],
            vouchers: Vec::new(),
        }
        .encode();
        let peers: Vec<usize> = (0..NODES)
            .filter(|j| *j != i && self.links.contains(&pair(i, *j)))
            .collect();
        for to in peers {
            let epoch = self.epochs[&pair(i, to)];
            self.queue.push(Frame {
                from: i,
                to,
                epoch,
                bytes: frame.clone(),
            });
        }
    }
}
