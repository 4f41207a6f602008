//! What a coalition's affiliates published, rolled up into one picture (issue 20): their
//! issues with the tags that overlap across affiliates, their pools' totals with sums by kind
//! and unit, their goals with progress rolled up by unit, and their decisions. Only the latest
//! statement on each subject counts, and every line keeps the statement it comes from
//! ([`Provenance`]), so a figure can be checked again (`statement verify`).
//!
//! Pure: from what [`crate::received::from_linked`] verified.

use std::collections::BTreeMap;

use federation::{DecisionFacts, GoalProgress, IssueFacts, PoolTotals, StatementId, Value};

use crate::ids::CoalitionId;
use crate::received::FromLinked;
use crate::values::{LinkRelation, Timestamp};

/// Where a figure comes from: the statement, who signed it, as of when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The statement.
    pub statement: StatementId,
    /// The publishing coalition.
    pub from: CoalitionId,
    /// Its name, as the link gives it.
    pub name: String,
    /// How many members of its roster signed.
    pub signed: usize,
    /// How many members that roster had.
    pub members: usize,
    /// The moment it speaks of.
    pub as_of: Timestamp,
}

impl Provenance {
    /// Where `v` comes from: published by `from`, named `name` by the link.
    pub fn of(v: &federation::Verified, from: &CoalitionId, name: &str) -> Self {
        Self {
            statement: v.id,
            from: from.clone(),
            name: name.to_owned(),
            signed: v.signers.len(),
            members: v.members,
            as_of: Timestamp::from_millis(v.statement.as_of),
        }
    }
}

impl std::fmt::Display for Provenance {
    /// "from statement 3f2a…, signed by 4 of 6 members of the Coastal Housing Coalition, as of
    /// 2026-11-20"
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "from statement {}, signed by {} of {} members of {}, as of {}",
            self.statement.short(),
            self.signed,
            self.members,
            self.name,
            crate::Day::of(self.as_of)
        )
    }
}

/// One affiliate: its link's weight in mandates and its latest roster's size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affiliate {
    /// Its id.
    pub id: CoalitionId,
    /// Its name, as the link gives it.
    pub name: String,
    /// Its members, as its newest roster received lists them (none before a roster).
    pub members: Option<usize>,
    /// Its weight in mandates: the link's, or its number of members.
    pub weight: u64,
    /// Statements received that do not verify now.
    pub waiting: usize,
}

/// A tag affiliates' issues hold, with which affiliates raised issues holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagOverlap {
    /// The tag.
    pub tag: String,
    /// The affiliates, by id.
    pub affiliates: Vec<CoalitionId>,
    /// How many issues hold it.
    pub issues: usize,
}

/// Sums of the pools of one kind and unit across affiliates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSum {
    /// The pools' kind.
    pub kind: String,
    /// Their unit.
    pub unit: String,
    /// Pledged, in hundredths.
    pub pledged: i128,
    /// Contributed, in hundredths.
    pub contributed: i128,
    /// Allocated, in hundredths.
    pub allocated: i128,
    /// Balance at each period's end, in hundredths.
    pub balance: i128,
    /// How many pools.
    pub pools: usize,
}

/// Goals of one unit rolled up across affiliates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalSum {
    /// Their unit.
    pub unit: String,
    /// Progress, summed, in hundredths.
    pub progress: i128,
    /// Targets, summed, in hundredths.
    pub target: i128,
    /// Each goal's share of its target (at most all of it), averaged with the affiliates'
    /// weights: in hundredths of a percent.
    pub weighted: Option<i128>,
    /// How many goals.
    pub goals: usize,
}

/// The affiliates' picture.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rollup {
    /// The affiliates.
    pub affiliates: Vec<Affiliate>,
    /// Their issues, most shared first.
    pub issues: Vec<(IssueFacts, Provenance)>,
    /// Tags raised by more than one affiliate first, then by issues.
    pub overlap: Vec<TagOverlap>,
    /// Each pool's totals for its latest period.
    pub pools: Vec<(PoolTotals, Provenance)>,
    /// Those summed by kind and unit.
    pub pool_sums: Vec<PoolSum>,
    /// Their goals.
    pub goals: Vec<(GoalProgress, Provenance)>,
    /// Those rolled up by unit.
    pub goal_sums: Vec<GoalSum>,
    /// Their decisions, latest first.
    pub decisions: Vec<(DecisionFacts, Provenance)>,
}

/// The weight of an affiliate on a link with `weight` whose roster lists `members`.
pub fn weight_of(weight: Option<u64>, members: Option<usize>) -> u64 {
    weight.unwrap_or_else(|| members.map_or(0, |m| m as u64))
}

/// The affiliates among `linked` (links of relation affiliate only), with what their links
/// say of them.
pub fn affiliates(linked: &BTreeMap<CoalitionId, FromLinked>) -> Vec<Affiliate> {
    linked
        .iter()
        .filter(|(_, from)| from.link.terms.relation == LinkRelation::Affiliate)
        .map(|(id, from)| {
            let members = from.chain.as_ref().map(|c| c.newest().members.len());
            Affiliate {
                id: id.clone(),
                name: federation::clean_short(&from.link.terms.name),
                members,
                weight: weight_of(from.link.terms.weight, members),
                waiting: from.waiting.len(),
            }
        })
        .collect()
}

/// The picture of what `linked` affiliates published (links of relation affiliate only).
pub fn rollup(linked: &BTreeMap<CoalitionId, FromLinked>) -> Rollup {
    let mut out = Rollup {
        affiliates: affiliates(linked),
        ..Rollup::default()
    };
    let mut tags: BTreeMap<String, (std::collections::BTreeSet<CoalitionId>, usize)> =
        BTreeMap::new();
    let mut pools: BTreeMap<(CoalitionId, [u8; 16]), (PoolTotals, Provenance)> = BTreeMap::new();
    for a in &out.affiliates {
        let Some(from) = linked.get(&a.id) else {
            continue;
        };
        let (id, name) = (&a.id, &a.name);
        for v in from.verified.iter().filter(|v| from.is_latest(v)) {
            let p = Provenance::of(v, id, name);
            match &v.statement.value {
                Value::Issue(i) => {
                    for t in &i.tags {
                        let e = tags.entry(t.clone()).or_default();
                        e.0.insert(id.clone());
                        e.1 += 1;
                    }
                    out.issues.push((i.clone(), p));
                }
                // A pool's latest period only: periods of one pool overlap.
                Value::Pool(t) => {
                    let key = (id.clone(), t.pool);
                    if pools.get(&key).is_none_or(|(held, _)| held.to < t.to) {
                        pools.insert(key, (t.clone(), p));
                    }
                }
                Value::Goal(g) => out.goals.push((g.clone(), p)),
                Value::Decision(d) => out.decisions.push((d.clone(), p)),
                _ => {}
            }
        }
    }
    out.issues.sort_by_key(|(i, p)| {
        (
            std::cmp::Reverse(i.sharing()),
            p.name.clone(),
            i.title.clone(),
        )
    });
    out.overlap = tags
        .into_iter()
        .map(|(tag, (affiliates, issues))| TagOverlap {
            tag,
            affiliates: affiliates.into_iter().collect(),
            issues,
        })
        .collect();
    out.overlap.sort_by_key(|t| {
        (
            std::cmp::Reverse(t.affiliates.len()),
            std::cmp::Reverse(t.issues),
            t.tag.clone(),
        )
    });
    out.pools = pools.into_values().collect();
    let mut sums: BTreeMap<(String, String), PoolSum> = BTreeMap::new();
    for (t, _) in &out.pools {
        let s = sums
            .entry((t.kind.clone(), t.unit.clone()))
            .or_insert_with(|| PoolSum {
                kind: t.kind.clone(),
                unit: t.unit.clone(),
                pledged: 0,
                contributed: 0,
                allocated: 0,
                balance: 0,
                pools: 0,
            });
        s.pledged = s.pledged.saturating_add(t.pledged);
        s.contributed = s.contributed.saturating_add(t.contributed);
        s.allocated = s.allocated.saturating_add(t.allocated);
        s.balance = s.balance.saturating_add(t.balance);
        s.pools += 1;
    }
    out.pool_sums = sums.into_values().collect();
    let weights: BTreeMap<&CoalitionId, u64> =
        out.affiliates.iter().map(|a| (&a.id, a.weight)).collect();
    let mut goals: BTreeMap<String, (GoalSum, i128, i128)> = BTreeMap::new();
    for (g, p) in &out.goals {
        let (s, weighted, total) = goals.entry(g.unit.clone()).or_insert_with(|| {
            (
                GoalSum {
                    unit: g.unit.clone(),
                    progress: 0,
                    target: 0,
                    weighted: None,
                    goals: 0,
                },
                0,
                0,
            )
        });
        let progress = i128::from(g.latest.map_or(0, |m| m.value));
        let target = i128::from(g.target);
        s.progress = s.progress.saturating_add(progress);
        s.target = s.target.saturating_add(target);
        s.goals += 1;
        let w = i128::from(weights.get(&p.from).copied().unwrap_or(0));
        if target > 0 {
            // Hundredths of a percent of its target, at most all of it.
            let share = (progress.clamp(0, target) * 10_000) / target;
            *weighted = weighted.saturating_add(w.saturating_mul(share));
            *total = total.saturating_add(w);
        }
    }
    out.goal_sums = goals
        .into_values()
        .map(|(mut s, weighted, total)| {
            s.weighted = (total > 0).then(|| weighted / total);
            s
        })
        .collect();
    out.decisions
        .sort_by_key(|(_, p)| (std::cmp::Reverse(p.as_of), p.statement));
    out
}

/// One affiliate's position on a question this coalition asked, by its own decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MandateLine {
    /// The affiliate.
    pub affiliate: Affiliate,
    /// Its latest position on the question, and where it comes from (none yet).
    pub position: Option<(federation::MandatePosition, Provenance)>,
}

/// The affiliates' positions on one question, counted with their weights.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MandateTally {
    /// Each affiliate, with its position if it has published one.
    pub lines: Vec<MandateLine>,
    /// The weights of those for.
    pub for_: u64,
    /// The weights of those against.
    pub against: u64,
    /// The weights of those abstaining.
    pub abstain: u64,
    /// The weights of those that have published no position yet.
    pub silent: u64,
}

/// The affiliates' latest positions on `question` (a proposal of `own`, the coalition they
/// are affiliates of), weighted by their links' weights (or members).
pub fn mandates(
    linked: &BTreeMap<CoalitionId, FromLinked>,
    own: &CoalitionId,
    question: [u8; 16],
) -> MandateTally {
    let mut out = MandateTally::default();
    for a in affiliates(linked) {
        let Some(from) = linked.get(&a.id) else {
            continue;
        };
        let position = from
            .verified
            .iter()
            .filter(|v| from.is_latest(v))
            .find_map(|v| match &v.statement.value {
                Value::Mandate(m) if m.question == question && m.caller == own.to_bytes() => {
                    Some((m.clone(), Provenance::of(v, &a.id, &a.name)))
                }
                _ => None,
            });
        let w = a.weight;
        let counted = match position.as_ref().map(|(m, _)| m.position) {
            Some(federation::Position::For) => &mut out.for_,
            Some(federation::Position::Against) => &mut out.against,
            Some(federation::Position::Abstain) => &mut out.abstain,
            None => &mut out.silent,
        };
        *counted = counted.saturating_add(w);
        out.lines.push(MandateLine {
            affiliate: a,
            position,
        });
    }
    out
}
