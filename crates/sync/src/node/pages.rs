//! Catch-ups heavier than one message, sent in pages.
//!
//! Automerge's sync protocol puts every change a peer lacks in one message; a long history
//! (a new member of a large coalition, or one back after long away) can weigh more than the
//! peer takes in a message ([`crate::wire::MAX_MESSAGE`] at most, and the peer may have set
//! less: it says how much in its Hello). The sender then splits the changes into pages:
//!
//! - each page is a batch of whole changes in causal order: what a change depends on is held
//!   by the peer or comes in the same page or an earlier one;
//! - each page weighs ([`crate::verify::allowance_of`]) at most [`page_budget`] of the peer's
//!   limit, leaving room for the signatures and vouchers that travel with it;
//! - each page ends, for every actor in it, at a change this node holds a signature over, so
//!   that the receiver checks it like any other batch (`verify::check_signatures`) and keeps
//!   that signature: it can page the same history for others.
//!
//! The first page goes at once; the others are withheld (left in Automerge's record of what
//! was sent, so it builds none of them again) and released one at a time, once the peer has
//! taken the page before (its heads cover it). A released page goes whole, but for what the
//! peer got meanwhile: what Automerge's Bloom summary of the peer wrongly left out is added.
//! Outside a paged catch-up, a history no such cut splits goes whole if it fits one message,
//! as it did before pages; otherwise it is not sent: the peer would refuse it, so the node
//! says why in its log and the peer catches up from another member. A peer saying it holds
//! nothing while pages go is handled by [`Reset`]. These counts live with the peer's sync
//! state for the coalition, which a change in the members in force starts afresh; repeated
//! refusals still disconnect a peer (`MAX_STRIKES`).

use std::collections::{HashMap, HashSet, VecDeque};

use automerge::ChangeHash;

/// Most a page weighs, whatever the peer takes: the receiver holds a page's changes, their
/// operations and Automerge's work on them at once, so a page of a few million operations
/// keeps its memory near the document's own, for a few more rounds.
pub(crate) const MAX_PAGE: usize = 64 * 1024 * 1024;

/// What the changes of one page may weigh for a peer taking `limit`, when the rest of the
/// message (Automerge's own fields, the signed heads, the vouchers) takes `overhead`: 15/16
/// of what is left, at most [`MAX_PAGE`].
pub(crate) fn page_budget(limit: usize, overhead: usize) -> usize {
    let room = room(limit, overhead);
    (room - room / 16).min(MAX_PAGE)
}

/// What the changes of one message may weigh for a peer taking `limit`, the rest of it
/// taking `overhead`.
pub(crate) fn room(limit: usize, overhead: usize) -> usize {
    limit.saturating_sub(overhead)
}

/// What the planner needs of one change.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) hash: ChangeHash,
    pub(crate) deps: Vec<ChangeHash>,
    /// The change's actor, as an index the caller assigns.
    pub(crate) actor: usize,
    /// What the change takes of the receiver's allowance.
    pub(crate) weight: usize,
}

/// A stretch of changes heavier than a page with nowhere to cut it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoCut;

/// Splits `items` (any order) into pages of at most `budget`, in causal order, each ending
/// at a change of every actor it holds that `signed` says this node holds a signature over
/// (asked once per change, and only of changes a page may end at). One page if all fit.
pub(crate) fn plan(
    items: Vec<Item>,
    budget: usize,
    mut signed: impl FnMut(&ChangeHash) -> bool,
) -> Result<Vec<Vec<ChangeHash>>, NoCut> {
    let items = causal(items);
    let mut known: Vec<Option<bool>> = vec![None; items.len()];
    let mut pages = Vec::new();
    let mut start = 0;
    while start < items.len() {
        // The longest run from `start` that fits and ends clean (every actor's latest change
        // in it signed).
        let mut weight = 0usize;
        let mut latest_unsigned: HashMap<usize, bool> = HashMap::new();
        let mut unsigned = 0usize;
        let mut cut = None;
        for (i, item) in items.iter().enumerate().skip(start) {
            weight = weight.saturating_add(item.weight);
            if weight > budget {
                break;
            }
            let is_signed = *known[i].get_or_insert_with(|| signed(&item.hash));
            let was = latest_unsigned.insert(item.actor, !is_signed);
            match (was, is_signed) {
                (Some(true), true) => unsigned -= 1,
                (Some(false) | None, false) => unsigned += 1,
                _ => {}
            }
            if unsigned == 0 {
                cut = Some(i + 1);
            }
        }
        let Some(end) = cut else {
            return Err(NoCut);
        };
        pages.push(items[start..end].iter().map(|i| i.hash).collect());
        start = end;
    }
    Ok(pages)
}

/// `items` in causal order (a change after those of its dependencies that are among them),
/// keeping the given order where causality leaves it free.
pub(crate) fn causal(items: Vec<Item>) -> Vec<Item> {
    let at: HashMap<ChangeHash, usize> = items
        .iter()
        .enumerate()
        .map(|(i, it)| (it.hash, i))
        .collect();
    let mut waiting = vec![0usize; items.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); items.len()];
    for (i, it) in items.iter().enumerate() {
        for d in &it.deps {
            if let Some(&j) = at.get(d) {
                waiting[i] += 1;
                dependents[j].push(i);
            }
        }
    }
    // Kahn's algorithm, taking ready changes in their given order.
    let mut ready: std::collections::BTreeSet<usize> =
        (0..items.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(items.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &dependents[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    // A cycle cannot occur (hashes chain), but whatever was left out keeps its place at the
    // end rather than being lost.
    if order.len() < items.len() {
        let placed: HashSet<usize> = order.iter().copied().collect();
        order.extend((0..items.len()).filter(|i| !placed.contains(i)));
    }
    let mut slots: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// A long catch-up to one peer: the pages withheld, and what went already.
#[derive(Debug, Default)]
pub(crate) struct Withheld {
    pages: VecDeque<Vec<ChangeHash>>,
    all: HashSet<ChangeHash>,
    /// What went in pages on this connection.
    sent: HashSet<ChangeHash>,
    /// The page sent last, until the peer has taken it (Automerge forgets a change it sent
    /// once the peer's heads cover it).
    in_flight: Vec<ChangeHash>,
    /// How many messages saying the peer holds nothing came while pages went (see
    /// [`Reset`]).
    resets: u8,
    /// The peer said so too often: no more pages to it on this connection.
    gave_up: bool,
}

/// What to do when the peer says it holds nothing while pages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reset {
    /// The first time: that message crossed the first page (at the start of a connection
    /// both sides speak at once); what went and what is withheld stay as they were.
    Crossed,
    /// The second time: the peer truly lost what it held; everything goes again.
    StartOver,
    /// More: each such message makes Automerge build the whole catch-up again; no more pages
    /// to this peer on this connection (its rounds then count as idle, and it is cut off).
    GiveUp,
}

impl Withheld {
    /// Whether nothing is withheld nor in flight: no long catch-up under way.
    pub(crate) fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.in_flight.is_empty()
    }

    /// The next page, if the peer took the one sent before: it is no longer withheld.
    pub(crate) fn next(&mut self) -> Vec<ChangeHash> {
        if !self.in_flight.is_empty() {
            return Vec::new();
        }
        let page = self.pages.pop_front().unwrap_or_default();
        for h in &page {
            self.all.remove(h);
        }
        page
    }

    /// Whether the peer has now taken the page in flight, given what Automerge still counts
    /// as sent and not taken and whether the peer's heads are empty (saying it holds nothing
    /// makes Automerge forget what it sent, which is no taking): a round that brought that is
    /// useful, whatever else it says.
    pub(crate) fn settle(
        &mut self,
        unacknowledged: &std::collections::BTreeSet<ChangeHash>,
        holds_nothing: bool,
    ) -> bool {
        if holds_nothing
            || self.in_flight.is_empty()
            || self.in_flight.iter().any(|h| unacknowledged.contains(h))
        {
            return false;
        }
        self.in_flight.clear();
        true
    }

    /// Whether no more pages go to this peer on this connection.
    pub(crate) fn gave_up(&self) -> bool {
        self.gave_up
    }

    pub(crate) fn contains(&self, h: &ChangeHash) -> bool {
        self.all.contains(h)
    }

    /// The peer said it holds nothing (Automerge then forgets what it sent): see [`Reset`].
    pub(crate) fn reset(&mut self) -> Reset {
        self.resets = self.resets.saturating_add(1);
        match self.resets {
            1 => Reset::Crossed,
            2 => {
                self.clear();
                Reset::StartOver
            }
            _ => {
                self.give_up();
                Reset::GiveUp
            }
        }
    }

    /// No more pages to this peer on this connection (what was withheld stays in
    /// Automerge's record of what was sent).
    pub(crate) fn give_up(&mut self) {
        self.clear();
        self.gave_up = true;
    }

    pub(crate) fn clear(&mut self) {
        self.pages.clear();
        self.all.clear();
        self.sent.clear();
        self.in_flight.clear();
    }

    /// Whether a change went in a page on this connection: Automerge builds it again only
    /// after the peer said it holds nothing.
    pub(crate) fn was_sent(&self, h: &ChangeHash) -> bool {
        self.sent.contains(h)
    }

    /// Changes sent now in a page: in flight until the peer takes them.
    pub(crate) fn sent(&mut self, page: Vec<ChangeHash>) {
        self.sent.extend(page.iter().copied());
        self.in_flight.extend(page);
    }

    /// Pages that go before those withheld already (they hold what those depend on).
    pub(crate) fn push_front(&mut self, pages: Vec<Vec<ChangeHash>>) {
        for page in pages.into_iter().rev() {
            self.all.extend(page.iter().copied());
            self.pages.push_front(page);
        }
    }

    /// Changes that depend on withheld ones, added to the last page.
    pub(crate) fn push_back(&mut self, hashes: Vec<ChangeHash>) {
        self.all.extend(hashes.iter().copied());
        match self.pages.back_mut() {
            Some(last) => last.extend(hashes),
            None => self.pages.push_back(hashes),
        }
    }

    /// How many pages are withheld.
    pub(crate) fn pages(&self) -> usize {
        self.pages.len()
    }

    /// Whether pages are withheld or one is in flight: a catch-up in pages is under way.
    pub(crate) fn active(&self) -> bool {
        !self.pages.is_empty() || !self.in_flight.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn h(n: usize) -> ChangeHash {
        let mut b = [0u8; 32];
        b[..8].copy_from_slice(&(n as u64).to_be_bytes());
        ChangeHash(b)
    }

    /// A change, and whether it is signed.
    fn item(n: usize, deps: &[usize], actor: usize, weight: usize, signed: bool) -> (Item, bool) {
        let it = Item {
            hash: h(n),
            deps: deps.iter().map(|&d| h(d)).collect(),
            actor,
            weight,
        };
        (it, signed)
    }

    fn plan_of(items: Vec<(Item, bool)>, budget: usize) -> Result<Vec<Vec<ChangeHash>>, NoCut> {
        let signed: HashMap<ChangeHash, bool> = items.iter().map(|(i, s)| (i.hash, *s)).collect();
        plan(items.into_iter().map(|(i, _)| i).collect(), budget, |h| {
            signed[h]
        })
    }

    #[test]
    fn everything_that_fits_is_one_page() {
        let items = vec![item(0, &[], 0, 10, false), item(1, &[0], 0, 10, true)];
        assert_eq!(plan_of(items, 100).unwrap(), vec![vec![h(0), h(1)]]);
    }

    #[test]
    fn pages_end_at_signed_changes() {
        // 0..6 by one actor, each on the one before, signed at 1, 3 and 5; each weighs 10, a
        // page 35.
        let items: Vec<(Item, bool)> = (0..6)
            .map(|i: usize| {
                let before = [i.saturating_sub(1)];
                item(i, if i == 0 { &[] } else { &before[..] }, 0, 10, i % 2 == 1)
            })
            .collect();
        let pages = plan_of(items, 35).unwrap();
        assert_eq!(
            pages,
            vec![vec![h(0), h(1)], vec![h(2), h(3)], vec![h(4), h(5)]]
        );
    }

    #[test]
    fn an_unsplittable_stretch_is_refused() {
        let items: Vec<(Item, bool)> = (0..4).map(|i| item(i, &[], 0, 10, i == 3)).collect();
        assert_eq!(plan_of(items, 25), Err(NoCut));
    }

    #[test]
    fn dependencies_come_first_whatever_the_given_order() {
        // Automerge lists what the peer needs first: here the newest change.
        let items = vec![
            item(2, &[1], 0, 10, true),
            item(0, &[], 0, 10, true),
            item(1, &[0], 0, 10, true),
        ];
        assert_eq!(
            plan_of(items, 15).unwrap(),
            vec![vec![h(0)], vec![h(1)], vec![h(2)]]
        );
    }

    proptest! {
        /// Every change lands in exactly one page; each page fits, comes after the pages of
        /// what it depends on, and ends signed for every actor in it.
        #[test]
        fn pages_are_causal_light_and_signed(
            spec in prop::collection::vec((0usize..4, 1usize..20, any::<bool>(), 0usize..3), 1..60),
            budget in 20usize..120,
        ) {
            // Change i by actor a depends on the previous change of its actor and, maybe, on
            // an earlier change of another.
            let mut last: HashMap<usize, usize> = HashMap::new();
            let mut items = Vec::new();
            for (i, (actor, weight, signed, back)) in spec.iter().copied().enumerate() {
                let mut deps = Vec::new();
                if let Some(&p) = last.get(&actor) { deps.push(p); }
                if back > 0 && i >= back { deps.push(i - back); }
                last.insert(actor, i);
                items.push(item(i, &deps, actor, weight, signed));
            }
            // Every actor's newest change signed, as the sender's newest heads always are.
            for &i in last.values() { items[i].1 = true; }
            let by_hash: HashMap<ChangeHash, (Item, bool)> =
                items.iter().map(|(i, s)| (i.hash, (i.clone(), *s))).collect();
            let mut shuffled = items.clone();
            shuffled.reverse();
            match plan_of(shuffled, budget) {
                Ok(pages) => {
                    let mut page_of = HashMap::new();
                    for (p, page) in pages.iter().enumerate() {
                        prop_assert!(page.iter().map(|x| by_hash[x].0.weight).sum::<usize>() <= budget);
                        let mut newest: HashMap<usize, bool> = HashMap::new();
                        for x in page {
                            prop_assert!(page_of.insert(*x, p).is_none());
                            newest.insert(by_hash[x].0.actor, by_hash[x].1);
                        }
                        prop_assert!(newest.values().all(|s| *s));
                    }
                    prop_assert_eq!(page_of.len(), items.len());
                    for (it, _) in &items {
                        for d in &it.deps {
                            prop_assert!(page_of[d] <= page_of[&it.hash]);
                        }
                    }
                }
                Err(_) => {
                    // Only when some stretch truly cannot fit: a single change heavier than
                    // a page, or a run with no signed end under the budget.
                    prop_assert!(items.iter().any(|(i, s)| !s || i.weight > budget));
                }
            }
        }
    }
}
