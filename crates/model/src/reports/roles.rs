//! The charter's roles as elections decided them: the holders of a role are those the latest
//! election of it to pass elected (`role` decisions, `DecisionKind::Role`), still members in
//! force; a role no election has filled keeps the holders the charter gave it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{MemberId, ProposalId};
use crate::poll::PollResult;
use crate::records::ProposalHeader;
use crate::schema::{Proposal, Roles};
use crate::tally::Outcome;
use crate::values::{DecisionKind, RoleName, Timestamp};

/// Who an election put in a role, and which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Elected {
    /// The election (a poll).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub proposal: ProposalId,
    /// Its title.
    pub title: String,
    /// When it closed.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub closed_at: Timestamp,
    /// Those it elected, in the order it elected them (never none: an election that elects
    /// nobody, a Schulze count tied at the top, fills no role).
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub members: Vec<MemberId>,
}

/// Most elections of one role read whole to find the latest to pass that elected someone:
/// those the headers say passed, latest closed first.
pub const MAX_ELECTION_READS: usize = 8;

/// The latest election of each role to have passed by `now` and elected someone (closed, its
/// quorum reached; the later closing wins, then the greater id, so every node picks the
/// same), found from the proposal headers: only those are read whole, with `read`, for their
/// count (at most [`MAX_ELECTION_READS`] per role; one that does not read, or elected nobody,
/// is passed over for the one before).
pub fn elections_of<'a, E>(
    headers: impl IntoIterator<Item = (&'a ProposalId, &'a ProposalHeader)>,
    mut read: impl FnMut(&ProposalId) -> Result<Option<Proposal>, E>,
    now: Timestamp,
) -> Result<BTreeMap<RoleName, Elected>, E> {
    let mut passed: Vec<(Timestamp, &ProposalId, RoleName)> = headers
        .into_iter()
        .filter(|(_, h)| h.kind == DecisionKind::Role)
        .filter(|(_, h)| super::priority::header_outcome(h, now) == Outcome::Passed)
        .filter_map(|(id, h)| Some((h.closes_at?, id, h.role?)))
        .collect();
    passed.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = BTreeMap::new();
    let mut reads: BTreeMap<RoleName, usize> = BTreeMap::new();
    for (_, id, role) in passed {
        let n = reads.entry(role).or_default();
        if out.contains_key(&role) || *n == MAX_ELECTION_READS {
            continue;
        }
        *n += 1;
        let Some(p) = read(id)? else { continue };
        // (As its header said: the same role.)
        if let Some((r, elected)) = elected_by(&p, now).filter(|(r, _)| *r == role) {
            out.insert(r, elected);
        }
    }
    Ok(out)
}

/// The latest election of each role among `proposals` to have passed by `now` and elected
/// someone ([`elections_of`] over a whole read: the elections sorted first, counted from the
/// latest, at most [`MAX_ELECTION_READS`] per role).
pub fn elections<'a>(
    proposals: impl IntoIterator<Item = &'a Proposal>,
    now: Timestamp,
) -> BTreeMap<RoleName, Elected> {
    let mut closed: Vec<(Timestamp, &ProposalId, RoleName, &Proposal)> = proposals
        .into_iter()
        .filter(|p| p.kind == DecisionKind::Role)
        .filter_map(|p| Some((p.closes_at?, &p.id, p.poll.as_ref()?.role?, p)))
        .filter(|(at, ..)| *at <= now)
        .collect();
    closed.sort_unstable_by(|a, b| (b.0, b.1, b.2).cmp(&(a.0, a.1, a.2)));
    let mut out = BTreeMap::new();
    let mut counted: BTreeMap<RoleName, usize> = BTreeMap::new();
    for (_, _, role, p) in closed {
        let n = counted.entry(role).or_default();
        if out.contains_key(&role) || *n == MAX_ELECTION_READS {
            continue;
        }
        if super::proposal_tally(p, now).outcome != Outcome::Passed {
            continue;
        }
        *n += 1;
        if let Some((r, e)) = elected_by(p, now) {
            out.insert(r, e);
        }
    }
    out
}

/// The role `p` fills and whom it elected, where it is an election that passed by `now`.
fn elected_by(p: &Proposal, now: Timestamp) -> Option<(RoleName, Elected)> {
    let spec = p.poll.as_ref()?;
    let role = spec.role?;
    if p.kind != DecisionKind::Role || super::proposal_tally(p, now).outcome != Outcome::Passed {
        return None;
    }
    let chosen: Vec<usize> = match super::poll_result(p)? {
        PollResult::Stv(s) => s.elected,
        PollResult::Ranked(r) => r.irv.winner.into_iter().collect(),
        PollResult::Condorcet(s) => s.winner().into_iter().collect(),
        // Receipt lets only these elect.
        _ => return None,
    };
    if chosen.is_empty() {
        return None;
    }
    Some((
        role,
        Elected {
            proposal: p.id.clone(),
            title: p.title.clone(),
            closed_at: p.closes_at?,
            members: chosen
                .into_iter()
                .filter_map(|o| spec.candidates.get(o).cloned())
                .collect(),
        },
    ))
}

/// `roles` with each role an election filled held by those it elected who are still members
/// in force (`in_force`).
pub fn apply_elections(
    roles: &mut Roles,
    elected: &BTreeMap<RoleName, Elected>,
    in_force: impl Fn(&MemberId) -> bool,
) {
    for (role, e) in elected {
        let holders = match role {
            RoleName::Spokespeople => &mut roles.spokespeople,
            RoleName::StatementSignoff => &mut roles.statement_signoff,
            RoleName::Delegates => &mut roles.delegates,
        };
        *holders = e.members.iter().filter(|m| in_force(m)).cloned().collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(n: u8) -> MemberId {
        MemberId::from_bytes([n; 16])
    }

    /// Each role an election filled is held by those it elected who are still members; a
    /// role no election filled keeps its holders.
    #[test]
    fn an_election_fills_only_its_role_and_only_with_members() {
        let mut roles = Roles {
            facilitator_rotation: vec![m(1)],
            spokespeople: vec![m(1)],
            statement_signoff: vec![m(1)],
            delegates: Vec::new(),
        };
        let elected = |members: Vec<MemberId>| Elected {
            proposal: ProposalId::from_bytes([9; 16]),
            title: "Election".into(),
            closed_at: Timestamp::from_millis(1),
            members,
        };
        let by_role = BTreeMap::from([
            (RoleName::Delegates, elected(vec![m(2), m(3)])),
            (RoleName::Spokespeople, elected(vec![m(3), m(4)])),
        ]);
        apply_elections(&mut roles, &by_role, |x| *x != m(4));
        assert_eq!(roles.delegates, vec![m(2), m(3)]);
        assert_eq!(roles.spokespeople, vec![m(3)], "member 4 left");
        assert_eq!(roles.statement_signoff, vec![m(1)]);
        assert_eq!(roles.facilitator_rotation, vec![m(1)]);
    }
}
