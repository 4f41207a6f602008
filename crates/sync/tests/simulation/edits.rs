//! Honest members' edits: issues raised, shared and edited, signed and pushed as a replica
//! does, and keys flagged once a fork is decided.

use automerge::AutoCommit;
use model::{CoalitionDoc, IssueEdit, IssueId, NewIssue, Rank, Timestamp};
use rand_chacha::rand_core::Rng;
use sync::Documents;

use crate::Sim;

impl Sim {
    pub(crate) fn edit(&mut self, i: usize) {
        if self.hostile == Some(i) && self.chance(50) {
            self.attack(i);
            return;
        }
        if self.forker == Some(i) && self.flagged_here(i) && self.chance(50) {
            self.write_after_flags(i);
            return;
        }
        if self.forker == Some(i) && self.chance(60) {
            if self.shadow.is_some() && self.chance(70) {
                self.push_shadow(i);
            } else {
                self.fork(i);
            }
            return;
        }
        // A node whose key forked writes nothing more (the replica refuses its edits).
        let c = self.coalition.clone();
        let key = self.nodes[i].key;
        if self.nodes[i]
            .docs
            .forks
            .get(&c)
            .is_some_and(|(_, keys)| keys.contains(key.as_bytes()))
        {
            return;
        }
        self.clock += 1;
        let at = Timestamp::from_millis(self.clock);
        let choice = self.pick(3);
        let target = if self.issues.is_empty() {
            None
        } else {
            let k = self.pick(self.issues.len());
            Some(self.issues[k].clone())
        };
        let rank = Rank::new(1 + self.rng.next_u64() % 10).unwrap();
        let fresh = {
            let mut b = [0u8; 16];
            self.rng.fill_bytes(&mut b);
            IssueId::from_bytes(b)
        };
        let n = &mut self.nodes[i];
        let c = self.coalition.clone();
        let (doc, _) = n.docs.entry(&c).unwrap();
        let before = doc.get_heads();
        if before.is_empty() {
            return; // the joiner has nothing to edit until the coalition arrives
        }
        let mut model_doc =
            CoalitionDoc::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
        let result = match (choice, target) {
            (1, Some(t)) => model_doc.share_issue(&n.member, &t, rank, at).map(|_| ()),
            (2, Some(t)) => {
                let e = IssueEdit {
                    title: Some(format!("edited by {i} at {}", self.clock)),
                    ..Default::default()
                };
                model_doc.edit_issue(&n.member, &t, e, at).map(|_| ())
            }
            _ => {
                let new = NewIssue {
                    id: fresh.clone(),
                    title: format!("issue by {i}"),
                    description: String::new(),
                    tags: vec![],
                    lead: None,
                };
                model_doc.add_issue(&n.member, new, at).map(|()| {
                    n.edits.push(fresh.clone());
                    self.issues.push(fresh.clone());
                })
            }
        };
        let doc = n.docs.entry(&c).unwrap().0;
        *doc = model_doc.into_automerge();
        if result.is_err() {
            // E.g. editing an issue this copy has not received yet: normal, nothing written.
            return;
        }
        self.finish_edit(i, &before, "edit");
    }

    /// Node `i` signs and pushes what it wrote since `before`, as its replica does.
    fn finish_edit(&mut self, i: usize, before: &[automerge::ChangeHash], what: &str) {
        let c = self.coalition.clone();
        let n = &mut self.nodes[i];
        let doc = n.docs.entry(&c).unwrap().0;
        let changes = doc.get_changes(before);
        let Some(newest) = changes.last().map(|c| c.hash()) else {
            return; // the edit changed nothing (e.g. the same rank again)
        };
        let head = sync::sign(&n.signing, &newest);
        n.docs.local_edit(&c, &changes, head.clone());
        let out = n.sync.local_changes(&mut n.docs, &c, &changes, head);
        self.handle(i, out);
        self.check_index(&format!("{what} by {i}"));
    }

    /// Node `i`'s member flags the keys whose forks it knows decided, as `coalesce-node`
    /// does on `Output::ForkDecided` (a node whose own key forked writes nothing).
    pub(crate) fn flag(&mut self, i: usize) {
        let c = self.coalition.clone();
        let n = &mut self.nodes[i];
        let own = *n.key.as_bytes();
        if n.docs
            .forks
            .get(&c)
            .is_some_and(|(_, keys)| keys.contains(&own))
        {
            return;
        }
        let keys = n.sync.decided_keys(&mut n.docs, &c);
        if keys.is_empty() {
            return;
        }
        self.clock += 1;
        let at = Timestamp::from_millis(self.clock);
        let n = &mut self.nodes[i];
        let (doc, _) = n.docs.entry(&c).unwrap();
        let before = doc.get_heads();
        let mut model_doc =
            CoalitionDoc::from_automerge(std::mem::replace(doc, AutoCommit::new())).unwrap();
        // As the replica does: a member no longer in force flags nothing.
        if let Err(e) = model_doc.flag_keys(&n.member, &keys, at) {
            assert!(matches!(e, model::EditError::NotAMember { .. }), "{e}");
        }
        *n.docs.entry(&c).unwrap().0 = model_doc.into_automerge();
        self.log.push(format!("flag by {i}"));
        self.finish_edit(i, &before, "flag");
    }

    /// Whether node `i`'s own document holds enough flags on its key that the rules refuse
    /// what it writes next.
    pub(crate) fn flagged_here(&mut self, i: usize) -> bool {
        let c = self.coalition.clone();
        let at = Timestamp::from_millis(self.clock);
        let n = &mut self.nodes[i];
        let key = n.key;
        let Some((doc, _)) = n.docs.entry(&c) else {
            return false;
        };
        CoalitionDoc::from_automerge(doc.fork())
            .ok()
            .and_then(|mut d| d.in_force(at).ok())
            .is_some_and(|g| g.flagged(key.as_bytes()))
    }
}
