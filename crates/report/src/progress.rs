//! The progress report's figures over a period: goals against their benchmarks, decisions
//! made, resources mobilized, who benefits and who is left out, participation, and what
//! changed in the charter. Figures only: the words are [`crate::render`]'s.

use std::collections::{BTreeMap, BTreeSet};

use model::reports::{decided_at, overlap, proposal_tally};
use model::schema::{CharterVersion, Rules};
use model::{
    Amount, Coalition, CoalitionId, Day, DecisionKind, EntryKind, Fraction, MemberId, Outcome,
    PoolKind, Stance, Timestamp,
};
use serde::Serialize;

use crate::{name, names_of, plain};

/// The days a report covers, both ends included; an end not given is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    /// The first day, if any.
    pub from: Option<Day>,
    /// The last day, if any.
    pub to: Option<Day>,
}

impl Period {
    /// Whether day `d` is in the period.
    pub fn holds_day(&self, d: Day) -> bool {
        self.from.is_none_or(|f| d >= f) && self.to.is_none_or(|t| d <= t)
    }

    /// Whether the day (UTC) of `t` is in the period.
    pub fn holds(&self, t: Timestamp) -> bool {
        self.holds_day(Day::of(t))
    }

    /// Whether day `d` is before the period.
    fn before(&self, d: Day) -> bool {
        self.from.is_some_and(|f| d < f)
    }
}

/// The progress report.
#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    /// The coalition's id.
    pub coalition: CoalitionId,
    /// Its name.
    pub name: String,
    /// The days covered.
    pub period: Period,
    /// The day the report was made (UTC).
    pub made_on: Day,
    /// Members in force when it was made.
    pub members: usize,
    /// Each goal of the charter, in the charter's order.
    pub goals: Vec<GoalLine>,
    /// Proposals decided in the period, in the order they were decided.
    pub decisions: Vec<Decision>,
    /// Proposals still open when the report was made.
    pub still_open: usize,
    /// Each pool's giving and allocations in the period.
    pub pools: Vec<PoolLine>,
    /// The charter's equity threshold: a member receiving more than this share of a pool's
    /// allocations is flagged.
    pub equity_threshold: Fraction,
    /// Who the issue inventory touches.
    pub reach: Reach,
    /// Meetings and decisions: who took part.
    pub participation: Participation,
    /// Charter versions agreed in the period.
    pub charter: Vec<CharterChange>,
    /// Members' translations of the texts above, by the text as it reads here, then by
    /// language (`es`): one a person made before one a machine made, then the latest; only
    /// of the text as it says now, into another language than its own. Not in the JSON (its
    /// `page` holds the words as read in its language).
    #[serde(skip)]
    pub translated: BTreeMap<String, BTreeMap<String, String>>,
}

/// A measurement of a goal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The day measured.
    pub day: Day,
    /// The figure.
    pub value: Amount,
    /// How it was measured.
    pub note: String,
}

/// A goal against its benchmark.
#[derive(Debug, Clone, Serialize)]
pub struct GoalLine {
    /// The goal.
    pub title: String,
    /// Its target.
    pub target: Amount,
    /// The target's unit.
    pub unit: String,
    /// Every measurement up to the period's end, oldest first (the chart draws them).
    pub points: Vec<Point>,
    /// The latest measurement in the period.
    pub latest: Option<Point>,
    /// What `latest` is compared with: the latest measurement before the period, else the
    /// first in it (when it is not `latest` itself).
    pub earlier: Option<Point>,
    /// Whether the latest measurement reaches the target.
    pub met: bool,
}

/// A block and its reason.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    /// The member that blocked.
    pub member: String,
    /// Its reason.
    pub reason: String,
}

/// A proposal decided in the period.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: DecisionKind,
    /// Its rule.
    pub rule: model::Rule,
    /// How it ended.
    pub outcome: Outcome,
    /// The day it was decided.
    pub day: Day,
    /// Members entitled to a position.
    pub electorate: u64,
    /// Agreed.
    pub agree: u64,
    /// Disagreed.
    pub disagree: u64,
    /// Abstained.
    pub abstain: u64,
    /// Blocks, with their reasons.
    pub blocks: Vec<Block>,
    /// Failed because too few members took a position.
    pub no_quorum: bool,
}

/// One member's part in a pool over the period.
#[derive(Debug, Clone, Serialize)]
pub struct MemberShare {
    /// The member.
    pub member: String,
    /// Pledged.
    pub pledged: String,
    /// Contributed.
    pub given: String,
    /// Received through funded allocations.
    pub received: String,
    /// Whether what it received is more than the charter's share of the pool's allocations.
    pub flagged: bool,
}

/// A funded allocation.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    /// Who received it.
    pub member: String,
    /// How much.
    pub amount: String,
    /// What for.
    pub reason: String,
    /// The day it was decided.
    pub day: Day,
}

/// A pool over the period.
#[derive(Debug, Clone, Serialize)]
pub struct PoolLine {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: PoolKind,
    /// Its unit.
    pub unit: String,
    /// Pledged in the period.
    pub pledged: String,
    /// Contributed in the period.
    pub given: String,
    /// Allocated (funded) in the period.
    pub allocated: String,
    /// Members that contributed in the period.
    pub givers: usize,
    /// Each member with something in the period, by name.
    pub members: Vec<MemberShare>,
    /// Funded allocations decided in the period, in order.
    pub allocations: Vec<Allocation>,
}

/// Issues touching one community (a tag).
#[derive(Debug, Clone, Serialize)]
pub struct TagLine {
    /// The tag.
    pub tag: String,
    /// Issues carrying it.
    pub issues: usize,
    /// Of those, how many are still being worked on (raised, adopted or a parallel campaign).
    pub active: usize,
}

/// Evidence recorded on an issue.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceLine {
    /// The issue.
    pub issue: String,
    /// The figure.
    pub figure: String,
    /// Its source.
    pub source: String,
    /// How it is broken down (by race, income...).
    pub disaggregation: String,
}

/// An issue only one member holds.
#[derive(Debug, Clone, Serialize)]
pub struct Alone {
    /// The issue.
    pub issue: String,
    /// The member that raised it.
    pub raised_by: String,
}

/// Who the issue inventory touches.
#[derive(Debug, Clone, Serialize)]
pub struct Reach {
    /// Issues in the inventory.
    pub issues: usize,
    /// Of those, raised in the period.
    pub new: usize,
    /// By community (tag), most issues first.
    pub tags: Vec<TagLine>,
    /// Issues with no community named.
    pub untagged: usize,
    /// Issues each member leads, most first.
    pub leads: Vec<(String, usize)>,
    /// Evidence, by issue.
    pub evidence: Vec<EvidenceLine>,
    /// Issues shared by no member but the one that raised them.
    pub alone: Vec<Alone>,
}

/// One member's attendance.
#[derive(Debug, Clone, Serialize)]
pub struct Attendance {
    /// The member.
    pub member: String,
    /// Meetings it attended in the period.
    pub attended: usize,
    /// Meetings it facilitated in the period.
    pub facilitated: usize,
    /// Positions it took on the period's decisions.
    pub positions: usize,
    /// Times it spoke in the check-in round of the period's meetings.
    pub checkins: usize,
}

/// Who took part.
#[derive(Debug, Clone, Serialize)]
pub struct Participation {
    /// Meetings held in the period.
    pub meetings: usize,
    /// Each member in force, by name.
    pub members: Vec<Attendance>,
    /// Members in force that took no position on any decision of the period open to them.
    pub silent: Vec<String>,
}

/// What a charter version changed.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// The founding charter.
    Founded,
    /// A new name.
    Name {
        /// The new name.
        to: String,
    },
    /// A new frame.
    Frame,
    /// Values added.
    ValueAdded {
        /// The value.
        value: String,
    },
    /// Commitments added.
    CommitmentAdded {
        /// The commitment.
        value: String,
    },
    /// A value no longer in the charter.
    ValueRemoved {
        /// The value.
        value: String,
    },
    /// A commitment no longer in the charter.
    CommitmentRemoved {
        /// The commitment.
        value: String,
    },
    /// A decision rule changed.
    Rule {
        /// The kind of decision.
        kind: &'static str,
        /// The new rule (none: the admission vote ended).
        to: Option<model::Rule>,
    },
    /// A new equity threshold.
    Threshold {
        /// The new threshold.
        to: Fraction,
    },
}

/// A charter version agreed in the period.
#[derive(Debug, Clone, Serialize)]
pub struct CharterChange {
    /// Its number.
    pub version: u64,
    /// The day it was agreed.
    pub day: Day,
    /// How many members agreed to it.
    pub agreed_by: usize,
    /// What it changed.
    pub changes: Vec<Change>,
}

/// The progress report of `state` over `period`, made at `now`, with members' translations
/// of its texts (`translations`: as `model::translations::read_all` gives them; none is
/// fine).
pub fn progress_with(
    state: &Coalition,
    period: Period,
    now: Timestamp,
    translations: &[model::translations::Translation],
) -> Progress {
    let mut made = progress(state, period, now);
    // Per text and language, the best: (a person's, latest).
    let mut best: BTreeMap<(String, String), (bool, Timestamp, String)> = BTreeMap::new();
    for t in translations {
        use model::translations::Target;
        let Some(target) = t.target() else {
            continue;
        };
        // Only the texts the report shows (a minutes' or a description's translation has no
        // place in it), and only into a language the report is written in.
        let shown = matches!(
            target,
            Target::GoalTitle(_)
                | Target::ProposalTitle(_)
                | Target::Reason(..)
                | Target::IssueTitle(_)
                | Target::Evidence(..)
                | Target::CharterValue(_)
                | Target::CharterCommitment(_)
        );
        if !shown || crate::Lang::from_tag(t.lang.as_str()).is_none() {
            continue;
        }
        let Some(original) = target.original(state) else {
            continue;
        };
        // A "translation" into the original's own language would put another member's words
        // in the author's mouth.
        let own = model::translations::original_language(state, &target)
            .is_some_and(|o| o.primary() == t.lang.primary());
        if own || !t.translates(original) {
            continue;
        }
        let slot = (plain(original), t.lang.primary().to_owned());
        let rank = (!t.machine, t.at);
        if best.get(&slot).is_none_or(|(h, at, _)| (*h, *at) < rank) {
            best.insert(slot, (rank.0, rank.1, plain(&t.text)));
        }
    }
    for ((original, lang), (_, _, text)) in best {
        made.translated
            .entry(original)
            .or_default()
            .insert(lang, text);
    }
    made
}

/// The progress report of `state` over `period`, made at `now`.
pub fn progress(state: &Coalition, period: Period, now: Timestamp) -> Progress {
    let names = names_of(state);
    let who = |m: &MemberId| name(&names, m);
    let decisions = decisions(state, period, now, &who);
    Progress {
        coalition: state.id.clone(),
        name: plain(&state.charter.name),
        period,
        made_on: Day::of(now),
        members: state.members.len(),
        goals: goals(state, period),
        still_open: state
            .proposals
            .values()
            .filter(|p| proposal_tally(p, now).outcome == Outcome::Open)
            .count(),
        pools: pools(state, period, now, &who),
        equity_threshold: state.charter.equity_threshold,
        reach: reach(state, period, &who),
        participation: participation(state, period, now, &who),
        charter: charter(state, period),
        decisions,
        translated: BTreeMap::new(),
    }
}

fn goals(state: &Coalition, period: Period) -> Vec<GoalLine> {
    state
        .charter
        .goals
        .values()
        .map(|g| {
            let mut points: Vec<Point> = g
                .progress
                .iter()
                .filter(|p| period.to.is_none_or(|t| p.day <= t))
                .map(|p| Point {
                    day: p.day,
                    value: p.value,
                    note: plain(&p.note),
                })
                .collect();
            // Oldest first whatever order they were recorded in (stable: same-day
            // measurements keep their order).
            points.sort_by_key(|p| p.day);
            let latest = points.iter().rposition(|p| period.holds_day(p.day));
            let earlier = points
                .iter()
                .rposition(|p| period.before(p.day))
                .or_else(|| points.iter().position(|p| period.holds_day(p.day)))
                .filter(|e| latest.is_some_and(|l| l != *e));
            let (latest, earlier) = (
                latest.and_then(|i| points.get(i)).cloned(),
                earlier.and_then(|i| points.get(i)).cloned(),
            );
            GoalLine {
                title: plain(&g.title),
                target: g.target,
                unit: plain(&g.unit),
                met: latest.as_ref().is_some_and(|l| l.value >= g.target),
                points,
                latest,
                earlier,
            }
        })
        .collect()
}

fn decisions(
    state: &Coalition,
    period: Period,
    now: Timestamp,
    who: &dyn Fn(&MemberId) -> String,
) -> Vec<Decision> {
    let mut made: Vec<(Timestamp, Decision)> = state
        .proposals
        .values()
        .filter_map(|p| {
            let at = decided_at(p, now)?;
            if !period.holds(at) {
                return None;
            }
            let t = proposal_tally(p, now);
            let blocks = model::reports::counted_positions(p)
                .filter(|(_, pos)| pos.stance == Stance::Block)
                .map(|(m, pos)| Block {
                    member: who(m),
                    reason: plain(&pos.reason),
                })
                .collect();
            let taken = t.agree + t.disagree + t.abstain + t.block;
            Some((
                at,
                Decision {
                    title: plain(&p.title),
                    kind: p.kind,
                    rule: p.rule,
                    outcome: t.outcome,
                    day: Day::of(at),
                    electorate: t.electorate,
                    agree: t.agree,
                    disagree: t.disagree,
                    abstain: t.abstain,
                    blocks,
                    no_quorum: t.outcome == Outcome::Failed && taken < t.quorum_needed,
                },
            ))
        })
        .collect();
    made.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.title.cmp(&b.1.title)));
    made.into_iter().map(|(_, d)| d).collect()
}

fn pools(
    state: &Coalition,
    period: Period,
    now: Timestamp,
    who: &dyn Fn(&MemberId) -> String,
) -> Vec<PoolLine> {
    state
        .pools
        .values()
        .map(|pool| {
            let funds = model::reports::funds(state, pool, now);
            #[derive(Default)]
            struct Sums {
                pledged: i128,
                given: i128,
                received: i128,
            }
            let mut by: BTreeMap<&MemberId, Sums> = BTreeMap::new();
            let mut allocations = Vec::new();
            for e in pool.ledger.values() {
                match e.kind {
                    EntryKind::Pledge if period.holds(e.at) => {
                        by.entry(&e.member).or_default().pledged +=
                            i128::from(e.amount.hundredths());
                    }
                    EntryKind::Contribution if period.holds(e.at) => {
                        by.entry(&e.member).or_default().given += i128::from(e.amount.hundredths());
                    }
                    EntryKind::Request => {
                        if let Some(model::reports::Funding::Funded { at }) =
                            funds.requests.get(&e.id)
                            && period.holds(*at)
                        {
                            by.entry(&e.member).or_default().received +=
                                i128::from(e.amount.hundredths());
                            allocations.push((
                                *at,
                                Allocation {
                                    member: who(&e.member),
                                    amount: e.amount.to_string(),
                                    reason: plain(&e.note),
                                    day: Day::of(*at),
                                },
                            ));
                        }
                    }
                    _ => {}
                }
            }
            allocations.sort_by_key(|a| a.0);
            let allocated: i128 = by.values().map(|s| s.received).sum();
            let threshold = state.charter.equity_threshold;
            let mut members: Vec<MemberShare> = by
                .iter()
                .map(|(m, s)| MemberShare {
                    member: who(m),
                    pledged: Amount::format_total(s.pledged),
                    given: Amount::format_total(s.given),
                    received: Amount::format_total(s.received),
                    // As the equity report judges: only among more than one member.
                    flagged: state.members.len() > 1
                        && s.received > 0
                        && threshold.exceeded_by(
                            u128::try_from(s.received).unwrap_or(0),
                            u128::try_from(allocated).unwrap_or(0),
                        ),
                })
                .collect();
            members.sort_by(|a, b| a.member.cmp(&b.member));
            PoolLine {
                name: plain(&pool.name),
                kind: pool.kind,
                unit: plain(&pool.unit),
                pledged: Amount::format_total(by.values().map(|s| s.pledged).sum()),
                given: Amount::format_total(by.values().map(|s| s.given).sum()),
                allocated: Amount::format_total(allocated),
                givers: by.values().filter(|s| s.given > 0).count(),
                members,
                allocations: allocations.into_iter().map(|(_, a)| a).collect(),
            }
        })
        .collect()
}

fn reach(state: &Coalition, period: Period, who: &dyn Fn(&MemberId) -> String) -> Reach {
    let mut tags: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut leads: BTreeMap<&MemberId, usize> = BTreeMap::new();
    let mut evidence = Vec::new();
    let mut untagged = 0;
    for i in state.issues.values() {
        let active = matches!(
            i.status,
            model::IssueStatus::Raised
                | model::IssueStatus::Adopted
                | model::IssueStatus::ParallelCampaign
        );
        let distinct: BTreeSet<&str> = i.tags.iter().map(String::as_str).collect();
        if distinct.is_empty() {
            untagged += 1;
        }
        for t in distinct {
            let e = tags.entry(t).or_default();
            e.0 += 1;
            e.1 += usize::from(active);
        }
        *leads.entry(&i.lead).or_default() += 1;
        evidence.extend(i.evidence.iter().map(|e| EvidenceLine {
            issue: plain(&i.title),
            figure: plain(&e.figure),
            source: plain(&e.source),
            disaggregation: plain(&e.disaggregation),
        }));
    }
    let mut tags: Vec<TagLine> = tags
        .into_iter()
        .map(|(tag, (issues, active))| TagLine {
            tag: plain(tag),
            issues,
            active,
        })
        .collect();
    tags.sort_by(|a, b| b.issues.cmp(&a.issues).then_with(|| a.tag.cmp(&b.tag)));
    let mut leads: Vec<(String, usize)> = leads.into_iter().map(|(m, n)| (who(m), n)).collect();
    leads.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shared = overlap(state);
    let alone = shared
        .issues
        .iter()
        .filter(|r| r.members_sharing <= 1)
        .filter_map(|r| {
            let i = state.issues.get(&r.issue)?;
            // Shared by none, or by the one member that raised it.
            let others = r.shared_by.iter().any(|s| s.member != i.raised_by);
            (!others).then(|| Alone {
                issue: plain(&i.title),
                raised_by: who(&i.raised_by),
            })
        })
        .collect();
    Reach {
        issues: state.issues.len(),
        new: state
            .issues
            .values()
            .filter(|i| period.holds(i.created_at))
            .count(),
        tags,
        untagged,
        leads,
        evidence,
        alone,
    }
}

/// Whether `m`'s position on `p` counts (as the tally counts it: not one taken after
/// closing).
fn counted(p: &model::schema::Proposal, m: &MemberId) -> bool {
    // Looked up rather than walked: `counted_positions` is one of its electorate, taken
    // before it closed.
    p.positions
        .get(m)
        .is_some_and(|pos| p.closes_at.is_none_or(|c| pos.at < c))
        && p.electorate.contains(m)
}

fn participation(
    state: &Coalition,
    period: Period,
    now: Timestamp,
    who: &dyn Fn(&MemberId) -> String,
) -> Participation {
    let meetings: Vec<_> = state
        .meetings
        .values()
        .filter(|m| period.holds_day(m.day))
        .collect();
    let in_period: Vec<_> = state
        .proposals
        .values()
        .filter(|p| decided_at(p, now).is_some_and(|at| period.holds(at)))
        .collect();
    let mut members: Vec<Attendance> = state
        .members
        .keys()
        .map(|m| Attendance {
            member: who(m),
            attended: meetings.iter().filter(|x| x.attendance.contains(m)).count(),
            facilitated: meetings.iter().filter(|x| &x.facilitator == m).count(),
            checkins: meetings
                .iter()
                .filter(|x| x.checkins.contains(m) && x.attendance.contains(m))
                .count(),
            positions: in_period
                .iter()
                .filter(|p| p.electorate.contains(m) && counted(p, m))
                .count(),
        })
        .collect();
    members.sort_by(|a, b| a.member.cmp(&b.member));
    let mut silent: Vec<String> = state
        .members
        .keys()
        .filter(|m| {
            let open_to: Vec<_> = in_period
                .iter()
                .filter(|p| p.electorate.contains(m))
                .collect();
            !open_to.is_empty() && open_to.iter().all(|p| !counted(p, m))
        })
        .map(who)
        .collect();
    silent.sort();
    Participation {
        meetings: meetings.len(),
        members,
        silent,
    }
}

fn charter(state: &Coalition, period: Period) -> Vec<CharterChange> {
    let mut versions: Vec<&CharterVersion> = state.charter_versions.values().collect();
    versions.sort_by_key(|v| v.number);
    let mut out = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        if !period.holds(v.ratified_at) {
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| versions.get(j));
        let changes = match before {
            None => vec![Change::Founded],
            Some(b) => changed(b, v),
        };
        out.push(CharterChange {
            version: v.number,
            day: Day::of(v.ratified_at),
            agreed_by: v.agreed_by.len(),
            changes,
        });
    }
    out
}

/// What version `v` changed from `b`.
fn changed(b: &CharterVersion, v: &CharterVersion) -> Vec<Change> {
    let mut out = Vec::new();
    if b.name != v.name {
        out.push(Change::Name { to: plain(&v.name) });
    }
    if b.frame != v.frame {
        out.push(Change::Frame);
    }
    out.extend(
        v.values
            .iter()
            .filter(|x| !b.values.contains(x))
            .map(|x| Change::ValueAdded { value: plain(x) }),
    );
    out.extend(
        v.commitments
            .iter()
            .filter(|x| !b.commitments.contains(x))
            .map(|x| Change::CommitmentAdded { value: plain(x) }),
    );
    out.extend(
        b.values
            .iter()
            .filter(|x| !v.values.contains(x))
            .map(|x| Change::ValueRemoved { value: plain(x) }),
    );
    out.extend(
        b.commitments
            .iter()
            .filter(|x| !v.commitments.contains(x))
            .map(|x| Change::CommitmentRemoved { value: plain(x) }),
    );
    let rules = |r: &Rules| {
        [
            ("amendment", Some(r.amendment)),
            ("membership", Some(r.membership)),
            ("allocation", Some(r.allocation)),
            ("public-statement", Some(r.public_statement)),
            ("general", Some(r.general)),
            ("admission", r.admission),
        ]
    };
    for ((kind, was), (_, is)) in rules(&b.rules).into_iter().zip(rules(&v.rules)) {
        if was != is {
            out.push(Change::Rule { kind, to: is });
        }
    }
    if b.equity_threshold != v.equity_threshold {
        out.push(Change::Threshold {
            to: v.equity_threshold,
        });
    }
    out
}
