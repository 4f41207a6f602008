//! The facilitation rotation: who facilitates the next meeting.

use std::collections::BTreeMap;

use crate::ids::MemberId;
use crate::schema::Coalition;

/// Who facilitates next: the member in the charter's rotation (members in force, by when they
/// joined) with the fewest turns so far, the earliest in the rotation among equals.
pub fn next_facilitator(state: &Coalition) -> Option<MemberId> {
    next_in_rotation(
        &state.charter.roles.facilitator_rotation,
        state.meetings.values(),
    )
}

/// The member of `rotation` with the fewest turns facilitating `meetings`, the earliest in
/// the rotation among equals ([`next_facilitator`] without reading the whole coalition).
pub fn next_in_rotation<'a>(
    rotation: &[MemberId],
    meetings: impl IntoIterator<Item = &'a crate::schema::Meeting>,
) -> Option<MemberId> {
    let mut turns: BTreeMap<&MemberId, usize> = BTreeMap::new();
    for m in meetings {
        *turns.entry(&m.facilitator).or_default() += 1;
    }
    rotation
        .iter()
        .enumerate()
        .min_by_key(|(i, m)| (turns.get(m).copied().unwrap_or(0), *i))
        .map(|(_, m)| m.clone())
}
