//! The power audit: each member's share of proposals, facilitation, resources and
//! positions, flagged above the charter's threshold.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::funding::{Funds, funds};
use super::percent;
use crate::ids::MemberId;
use crate::schema::{Coalition, Member};
use crate::values::{Amount, EntryKind, Fraction, Stance, Timestamp};

/// One member's share of the coalition's power.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PowerRow {
    /// Member id.
    pub member: MemberId,
    /// Organization name.
    pub name: String,
    /// Proposals it authored.
    pub proposals_authored: u64,
    /// Its share of all proposals, in percent.
    pub share_authored: f64,
    /// Meetings it facilitated.
    pub facilitation_turns: u64,
    /// Its share of all facilitation turns, in percent.
    pub share_facilitation: f64,
    /// Times it spoke in a meeting's check-in round.
    #[serde(default)]
    pub checkins: u64,
    /// Contributed, per unit.
    pub given: BTreeMap<String, String>,
    /// Received through passed allocations, per unit.
    pub received: BTreeMap<String, String>,
    /// Its highest share of what was allocated in any one unit, in percent.
    pub share_received: f64,
    /// Proposals it was entitled to take a position on.
    pub open_to: u64,
    /// Positions it recorded on those.
    pub positions: u64,
    /// Positions recorded over proposals open to it, in percent.
    pub participation: f64,
    /// Blocks it used.
    pub blocks: u64,
    /// What it holds more than the charter's share of: `proposals`, `facilitation`,
    /// `resources`.
    pub flags: Vec<String>,
}

/// How power is shared among the members in force.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PowerReport {
    /// The charter's share above which a member is flagged.
    pub threshold: Fraction,
    /// One row per member in force, by name.
    pub members: Vec<PowerRow>,
    /// Members flagged for anything.
    pub flagged: Vec<MemberId>,
}

/// What the power audit reads of one proposal.
#[derive(Debug, Clone)]
pub struct ProposalFacts<'a> {
    // (For a poll, `positions` holds each member that cast a ballot, as abstaining: taking
    // part without a stance; positions written on a poll, which its count ignores, are left
    // out: see [`ballots_as_positions`].)
    /// Who proposed it.
    pub author: &'a MemberId,
    /// Who may take a position.
    pub electorate: &'a [MemberId],
    /// Each position's stance, by member.
    pub positions: Cow<'a, BTreeMap<MemberId, Stance>>,
}

/// A poll's ballots as the power audit counts them: each member that cast one took part, with
/// no stance (abstaining), and none blocked.
pub fn ballots_as_positions<'a>(
    ballots: impl IntoIterator<Item = &'a MemberId>,
) -> BTreeMap<MemberId, Stance> {
    ballots
        .into_iter()
        .map(|m| (m.clone(), Stance::Abstain))
        .collect()
}

/// The power audit at `now`.
///
/// A member is flagged when its share of proposals authored, of facilitation turns, or of
/// what was allocated in some unit exceeds the charter's threshold, once there is enough to
/// judge: at least as many proposals (or turns) as members, and more than one member.
pub fn power(state: &Coalition, now: Timestamp) -> PowerReport {
    let proposals: Vec<ProposalFacts<'_>> = state
        .proposals
        .values()
        .map(|p| ProposalFacts {
            author: &p.author,
            electorate: &p.electorate,
            positions: Cow::Owned(match &p.poll {
                Some(_) => ballots_as_positions(p.ballots.keys()),
                None => p
                    .positions
                    .iter()
                    .map(|(m, pos)| (m.clone(), pos.stance))
                    .collect(),
            }),
        })
        .collect();
    let facilitators: Vec<&MemberId> = state.meetings.values().map(|m| &m.facilitator).collect();
    let checkins = check_in_turns(state.meetings.values());
    let pools: Vec<(&crate::schema::Pool, Funds)> = state
        .pools
        .values()
        .map(|p| (p, funds(state, p, now)))
        .collect();
    power_of(
        &proposals,
        &facilitators,
        &checkins,
        &pools,
        &state.members,
        state.charter.equity_threshold,
    )
}

/// Each member's turns in the check-in rounds of `meetings`: once per meeting, and only for a
/// member present at it (a record written by hand could name anyone, or one member often).
pub fn check_in_turns<'a>(
    meetings: impl IntoIterator<Item = &'a crate::schema::Meeting>,
) -> Vec<&'a MemberId> {
    let mut turns = Vec::new();
    for m in meetings {
        let mut seen: std::collections::BTreeSet<&MemberId> = std::collections::BTreeSet::new();
        for who in &m.checkins {
            if m.attendance.contains(who) && seen.insert(who) {
                turns.push(who);
            }
        }
    }
    turns
}

/// The power audit of `proposals`, meetings facilitated by `facilitators` (one per meeting),
/// check-in turns `checkins` (one per member speaking in a meeting's check-in round) and
/// `pools` (each with what became of its requests), among the members in force
/// `members_in_force`, flagged above `threshold`: what [`power`] computes of the whole
/// coalition, for a caller that keeps only those.
pub fn power_of(
    proposals: &[ProposalFacts<'_>],
    facilitators: &[&MemberId],
    checkins: &[&MemberId],
    pools: &[(&crate::schema::Pool, Funds)],
    members_in_force: &BTreeMap<MemberId, Member>,
    threshold: Fraction,
) -> PowerReport {
    let n = members_in_force.len() as u64;
    let mut spoke: BTreeMap<&MemberId, u64> = BTreeMap::new();
    for who in checkins {
        *spoke.entry(who).or_default() += 1;
    }
    let total_proposals = proposals.len() as u64;
    let total_turns = facilitators.len() as u64;
    // Per unit: member -> [given, received], and the unit's total received.
    let mut units: BTreeMap<&str, BTreeMap<&MemberId, [i128; 2]>> = BTreeMap::new();
    for (pool, funded) in pools {
        let per = units.entry(pool.unit.as_str()).or_default();
        for e in pool.ledger.values() {
            let slot = per.entry(&e.member).or_insert([0; 2]);
            let amount = i128::from(e.amount.hundredths());
            match e.kind {
                EntryKind::Contribution => slot[0] += amount,
                EntryKind::Request if funded.is_funded(&e.id) => slot[1] += amount,
                _ => {}
            }
        }
    }
    let mut rows: Vec<PowerRow> = members_in_force
        .values()
        .map(|m| {
            let id = &m.id;
            let authored = proposals.iter().filter(|p| p.author == id).count() as u64;
            let turns = facilitators.iter().filter(|f| **f == id).count() as u64;
            let open_to: Vec<&ProposalFacts<'_>> = proposals
                .iter()
                .filter(|p| p.electorate.contains(id))
                .collect();
            let positions = open_to
                .iter()
                .filter(|p| p.positions.contains_key(id))
                .count() as u64;
            let blocks = proposals
                .iter()
                .filter(|p| p.positions.get(id) == Some(&Stance::Block))
                .count() as u64;
            let (mut given, mut received) = (BTreeMap::new(), BTreeMap::new());
            let mut share_received: f64 = 0.0;
            let mut over_resources = false;
            for (unit, per) in &units {
                let mine = per.get(id).copied().unwrap_or([0; 2]);
                let total: i128 = per.values().map(|s| s[1]).sum();
                if mine[0] > 0 {
                    given.insert((*unit).to_owned(), Amount::format_total(mine[0]));
                }
                if mine[1] > 0 {
                    received.insert((*unit).to_owned(), Amount::format_total(mine[1]));
                }
                share_received = share_received.max(percent(mine[1], total));
                over_resources |=
                    total > 0 && threshold.exceeded_by(mine[1] as u128, total as u128);
            }
            let judged = |part: u64, total: u64| {
                n > 1 && total >= n && threshold.exceeded_by(u128::from(part), u128::from(total))
            };
            let mut flags = Vec::new();
            if judged(authored, total_proposals) {
                flags.push("proposals".to_owned());
            }
            if judged(turns, total_turns) {
                flags.push("facilitation".to_owned());
            }
            if n > 1 && over_resources {
                flags.push("resources".to_owned());
            }
            PowerRow {
                member: m.id.clone(),
                name: m.name.clone(),
                proposals_authored: authored,
                share_authored: percent(authored.into(), total_proposals.into()),
                facilitation_turns: turns,
                share_facilitation: percent(turns.into(), total_turns.into()),
                checkins: spoke.get(id).copied().unwrap_or(0),
                given,
                received,
                share_received,
                open_to: open_to.len() as u64,
                positions,
                participation: percent(positions.into(), (open_to.len() as u64).into()),
                blocks,
                flags,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.member.cmp(&b.member)));
    let flagged = rows
        .iter()
        .filter(|r| !r.flags.is_empty())
        .map(|r| r.member.clone())
        .collect();
    PowerReport {
        threshold,
        members: rows,
        flagged,
    }
}
