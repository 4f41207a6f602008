//! Walking an actor's chain of changes: the change at a sequence number, the previous own
//! change, chains back to a signed one.

use super::*;

/// The change of `actor` with sequence number `seq` held in `doc`: found down its chain from
/// its newest signed change; `Some(None)` if none is held, `None` if this cannot tell (no
/// signature of the actor here, or its newest held changes are vouched for, not signed).
pub(crate) fn held_at(
    doc: &mut AutoCommit,
    index: &HeadIndex,
    actor: &automerge::ActorId,
    seq: u64,
) -> Option<Option<ChangeHash>> {
    // Without a signature here, what is held of the actor (if anything) is vouched for:
    // this cannot tell.
    let newest = index.newest(actor.to_bytes())?;
    let mut hash = ChangeHash(newest.hash);
    loop {
        let (at, deps) = doc
            .document()
            .get_change_meta_by_hash(&hash)
            .map(|m| (m.seq, m.deps.clone()))?;
        if at < seq {
            return None;
        }
        if at == seq {
            return Some(Some(hash));
        }
        hash = own_previous(doc, actor, &deps, at)?;
    }
}

/// Among `deps` (of a change of `actor` with sequence number `seq`), the actor's change just
/// before it, if held in `doc`.
pub(crate) fn own_previous(
    doc: &mut AutoCommit,
    actor: &automerge::ActorId,
    deps: &[ChangeHash],
    seq: u64,
) -> Option<ChangeHash> {
    deps.iter().copied().find(|d| {
        doc.document()
            .get_change_meta_by_hash(d)
            .is_some_and(|m| m.actor.as_ref() == actor && m.seq + 1 == seq)
    })
}

/// The change of `change`'s actor just before it, among its dependencies, if held in `doc`.
pub(crate) fn previous_own(doc: &mut AutoCommit, change: &Change) -> Option<ChangeHash> {
    own_previous(doc, change.actor_id(), change.deps(), change.seq())
}

/// Adds `item` to a waiting list unless one `same` is there, dropping the oldest past
/// [`MAX_PENDING_FORKS`].
pub(crate) fn wait_in<T: Clone>(pending: &mut Vec<T>, item: &T, same: impl Fn(&T) -> bool) {
    if pending.iter().any(same) {
        return;
    }
    if pending.len() >= MAX_PENDING_FORKS {
        pending.remove(0);
    }
    pending.push(item.clone());
}

/// Whether changes by `by`'s key count as witnesses of `version` (judged as if on a
/// one-change path: only the keys and where the fork happened matter).
pub(crate) fn counts_as_witness(
    doc: &mut AutoCommit,
    forks: &Forks,
    version: &Change,
    by: &Change,
) -> bool {
    Witness {
        path: vec![version.clone(), by.clone()],
        head: ChangeSignature {
            hash: by.hash().0,
            signature: [0; 64],
        },
    }
    .counts_in(doc, forks)
        == Tie::Tied
}

pub(crate) fn local(e: impl std::fmt::Display) -> Refusal {
    Refusal::Local(e.to_string())
}

/// Follows `actor`'s own chain back from `tip` through `pool`: the changes from just after
/// the newest one not in `pool` up to `tip`, oldest first, if the chain stays in the pool
/// down to a change `kept` says is held.
pub(crate) fn chain_back<'a>(
    tip: &'a Change,
    pool: &HashMap<ChangeHash, &'a Change>,
    kept: impl Fn(&ChangeHash) -> Option<(automerge::ActorId, u64)>,
) -> Option<Vec<&'a Change>> {
    let actor = tip.actor_id();
    let mut chain = vec![tip];
    let mut cur = tip;
    loop {
        if cur.seq() == 1 {
            return None;
        }
        let own = cur.deps().iter().find_map(|d| {
            pool.get(d)
                .filter(|p| p.actor_id() == actor && p.seq() + 1 == cur.seq())
        });
        match own {
            Some(p) => {
                chain.push(p);
                cur = p;
            }
            // Its own previous change is not set aside: it must be held.
            None if cur
                .deps()
                .iter()
                .any(|d| kept(d).is_some_and(|(a, seq)| &a == actor && seq + 1 == cur.seq())) =>
            {
                chain.reverse();
                return Some(chain);
            }
            None => return None,
        }
    }
}
