//! Work split over the cores a node has (two, on the machines it is built for): one piece on
//! a scoped thread of its own beside the caller's ([`beside`]), and a list cut into runs of
//! about equal work ([`runs`]). Each caller decides what a thread that could not start, or
//! that failed, means for its piece: done on the caller's thread instead, left to Automerge,
//! or a refusal.

use std::ops::Range;

/// Work of at least this many operations is split over two threads (a snapshot's check, its
/// changes' building, its chain check beside its rules): below, the threads would cost more
/// than they save.
pub(crate) const APART: usize = 100_000;

#[cfg(test)]
thread_local! {
    /// A test's own threshold for [`apart`] on its thread (node tests try both ways).
    pub(crate) static TEST_APART: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// [`APART`], or a test's own threshold on its thread.
pub(crate) fn apart() -> usize {
    #[cfg(test)]
    if let Some(a) = TEST_APART.with(std::cell::Cell::get) {
        return a;
    }
    APART
}

/// What became of the piece given to [`beside`]'s thread.
#[derive(Debug)]
pub(crate) enum There<B> {
    /// Done, with this.
    Done(B),
    /// No thread could be made: nothing of it was done.
    NotStarted,
    /// The thread panicked.
    Failed,
}

/// Runs `there` on a scoped thread named `name` while `here` runs on the caller's, and
/// returns both once both have ended (scoped: nothing outlives the call).
pub(crate) fn beside<A, B: Send>(
    name: &str,
    there: impl FnOnce() -> B + Send,
    here: impl FnOnce() -> A,
) -> (A, There<B>) {
    std::thread::scope(|s| {
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn_scoped(s, there);
        let a = here();
        let b = match thread {
            Ok(t) => t.join().map_or(There::Failed, There::Done),
            Err(_) => There::NotStarted,
        };
        (a, b)
    })
}

/// The items whose `weights` are given, cut into at most `parts` runs of about equal weight,
/// in order; the last run takes whatever is left (no run is empty; none for no items).
pub(crate) fn runs(weights: impl IntoIterator<Item = usize>, parts: usize) -> Vec<Range<usize>> {
    let weights: Vec<usize> = weights.into_iter().collect();
    let total: usize = weights.iter().sum();
    let share = total.div_ceil(parts.max(1));
    let mut out = Vec::with_capacity(parts);
    let (mut from, mut sum) = (0, 0);
    for (i, w) in weights.iter().enumerate() {
        sum += w;
        if sum >= share && out.len() + 1 < parts {
            out.push(from..i + 1);
            (from, sum) = (i + 1, 0);
        }
    }
    if from < weights.len() {
        out.push(from..weights.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Runs cover every item once, in order, none empty, at most as many as asked.
        #[test]
        fn runs_cover_every_item_once_in_order(
            weights in proptest::collection::vec(0usize..1000, 0..200),
            parts in 1usize..6,
        ) {
            let r = runs(weights.iter().copied(), parts);
            prop_assert!(r.len() <= parts);
            prop_assert!(r.iter().all(|x| !x.is_empty()));
            let flat: Vec<usize> = r.into_iter().flatten().collect();
            prop_assert_eq!(flat, (0..weights.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_thread_beside_gives_its_result_or_says_it_failed() {
        let (a, b) = beside("test", || 2, || 1);
        assert_eq!(a, 1);
        assert!(matches!(b, There::Done(2)));
        let (_, b) = beside("test", || -> u8 { panic!("on purpose") }, || ());
        assert!(matches!(b, There::Failed));
    }
}
