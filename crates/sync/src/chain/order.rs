//! The order Automerge will apply a batch in: causal, and what depends on what is missing
//! left out.

use super::*;

/// Orders `new` so that every change comes after its dependencies (Kahn's algorithm, linear
/// in the batch); changes whose dependencies are neither in `doc` nor in `new` are left out
/// with everything after them (second value: how many).
pub(crate) fn causal_order<C: ChangeFacts>(doc: &Automerge, new: Vec<C>) -> (Vec<C>, usize) {
    let total = new.len();
    let index: HashMap<ChangeHash, usize> =
        new.iter().enumerate().map(|(i, c)| (c.hash(), i)).collect();
    let mut waiting_on = vec![0usize; total];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut ready: Vec<usize> = Vec::new();
    for (i, ch) in new.iter().enumerate() {
        let mut missing = false;
        for d in ch.deps() {
            match index.get(d) {
                Some(&j) => {
                    waiting_on[i] += 1;
                    children[j].push(i);
                }
                None if doc.get_change_meta_by_hash(d).is_some() => {}
                None => missing = true,
            }
        }
        if missing {
            // Never ready: counted among the dangling below.
            waiting_on[i] += 1;
        } else if waiting_on[i] == 0 {
            ready.push(i);
        }
    }
    let mut slots: Vec<Option<C>> = new.into_iter().map(Some).collect();
    let mut order = Vec::with_capacity(total);
    // Oldest first among the ready, so the order is the one the batch came in where it can.
    ready.reverse();
    while let Some(i) = ready.pop() {
        if let Some(c) = slots[i].take() {
            order.push(c);
        }
        for &k in &children[i] {
            waiting_on[k] -= 1;
            if waiting_on[k] == 0 {
                ready.push(k);
            }
        }
    }
    let dangling = total - order.len();
    (order, dangling)
}
