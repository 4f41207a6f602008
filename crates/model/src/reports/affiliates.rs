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
use crate::schema::Proposal;
use crate::tally::{Outcome, Rule, Tally, Weighed, weighed_tally};
use crate::values::{LinkRelation, Stance, Timestamp};

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
    /// The link's weight for it, if the link names one (else it weighs its members).
    pub link_weight: Option<u64>,
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
                link_weight: from.link.terms.weight,
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
    /// Its position counted on the question, and where it comes from (none yet).
    pub position: Option<(federation::MandatePosition, Provenance)>,
    /// The weight it counts with: the link's, or the members of the roster its position was
    /// signed under (while it has none, of its newest roster carried in before the answers
    /// stop counting).
    pub weight: u64,
}

/// The affiliates' positions on one question, counted with their weights.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MandateTally {
    /// Each affiliate asked, with its position if it has published one.
    pub lines: Vec<MandateLine>,
    /// The weights of those for.
    pub for_: u64,
    /// The weights of those against.
    pub against: u64,
    /// The weights of those abstaining.
    pub abstain: u64,
    /// The weights of those that have published no position yet.
    pub silent: u64,
    /// The question's outcome counting the affiliates with its own members (`None` for a
    /// poll, which takes no positions): see [`mandates`].
    pub outcome: Option<Tally>,
    /// When that outcome was decided, if it is.
    pub decided_at: Option<Timestamp>,
    /// Until when affiliates' positions carried in count (the closing time and
    /// [`ANSWERS_WITHIN`]), and so when the outcome is decided; none without a closing time,
    /// when no affiliate's position counts.
    pub answers_until: Option<Timestamp>,
}

/// How long after a question's closing time its affiliates' positions carried in still count
/// (seven days): an affiliate's own proposal answering a call closes when the call does, so
/// its position is co-signed and carried over after the close, as its members' nodes and a
/// node of both coalitions come online.
pub const ANSWERS_WITHIN: i64 = 7 * 24 * 60 * 60 * 1000;

/// Until when affiliates' positions on a question closing at `closes_at` count: the close and
/// [`ANSWERS_WITHIN`].
pub fn answers_until(closes_at: Timestamp) -> Timestamp {
    Timestamp::from_millis(closes_at.as_millis().saturating_add(ANSWERS_WITHIN))
}

/// What a count with affiliates on a question reads is as of a moment: the links in force at
/// `at`, and each affiliate's rosters carried in (and dated) before `until`
/// (`Received::counted_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The links in force then.
    pub at: Timestamp,
    /// The rosters carried in before then (none: every roster held).
    pub until: Option<Timestamp>,
}

impl Moment {
    /// The moment a count on a question closing at `closes_at` is read as of, at `now`: the
    /// links in force now while the question is open, at its close once that passed; the
    /// rosters carried in by [`answers_until`] the close. So who was asked, with what weight,
    /// and under which rosters their answers verify, is what held when it closed and the
    /// answers stopped counting: a link ended or changed after the close, or a roster carried
    /// in after the week, changes no answer already carried in nor a decided count. (A link
    /// ended or made stricter within the week does stop answers not carried in yet: they are
    /// refused on receipt like any statement the link no longer takes.)
    pub fn of(closes_at: Option<Timestamp>, now: Timestamp) -> Self {
        Moment {
            at: closes_at.map_or(now, |closes| closes.min(now)),
            until: closes_at.map(answers_until),
        }
    }
}

/// The calls asking a position this coalition published to each coalition linked with it,
/// by that coalition, by id ([`published_calls`]).
pub type Calls = BTreeMap<CoalitionId, BTreeMap<StatementId, CallMade>>;

/// A call this coalition published: what it asks, as of when, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallMade {
    /// The question (a proposal of this coalition).
    pub question: [u8; 16],
    /// The moment the call speaks of (Unix milliseconds).
    pub as_of: i64,
    /// The closing time it states (Unix milliseconds).
    pub closes_at: i64,
}

impl CallMade {
    /// Whether it asks `question`, closing at `closes_at`, and was made before then: a call
    /// made after the close asks nothing of it (one member's node could draft one alone).
    fn asks(&self, question: [u8; 16], closes_at: Timestamp) -> bool {
        self.question == question
            && self.closes_at == closes_at.as_millis()
            && self.as_of < closes_at.as_millis()
    }
}

/// What a coalition's count with its affiliates reads: what it takes from each coalition
/// linked with it, and the calls it published to them.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    /// What it takes from each linked coalition whose link takes mandate positions: only its
    /// rosters (cut as [`Moment::of`] says) and mandate positions (`received::from_linked`;
    /// so `waiting` counts only those).
    pub linked: BTreeMap<CoalitionId, FromLinked>,
    /// The calls it published.
    pub calls: Calls,
}

/// The calls asking a position this coalition published on each link in `links` (its own
/// drafts, `drafts`, replayed through its own roster chain `chain`): a call drafted here
/// counts as published to a linked coalition where a link in force publishes calls to it and
/// takes mandate positions from it, and the call verifies through the chain with that link's
/// threshold. So an affiliate's position answers a question only where this coalition's
/// members asked it.
pub fn published_calls(
    drafts: &BTreeMap<StatementId, crate::statements::Draft>,
    chain: Option<&federation::RosterChain>,
    links: &BTreeMap<CoalitionId, crate::reports::LinkInForce>,
) -> Calls {
    let mut out = Calls::new();
    let Some(chain) = chain else {
        return out;
    };
    // Each call verified once; a link takes it where enough members signed.
    let calls: Vec<(StatementId, CallMade, usize, &Value)> = drafts
        .values()
        .filter_map(|d| match &d.statement.value {
            Value::Call(c) if c.mandate => {
                let v = chain
                    .verify(&d.signed(), federation::Threshold::clamped(1))
                    .ok()?;
                let made = CallMade {
                    question: c.proposal,
                    as_of: d.statement.as_of,
                    closes_at: c.closes_at,
                };
                Some((d.id, made, v.signers.len(), &d.statement.value))
            }
            _ => None,
        })
        .collect();
    for (other, link) in links {
        // An affiliate whose positions the link does not take could never answer.
        if !link.terms.accepts(federation::Kind::Mandate) {
            continue;
        }
        let needed = federation::Threshold::clamped(link.terms.threshold).get() as usize;
        let to: BTreeMap<StatementId, CallMade> = calls
            .iter()
            .filter(|(.., signers, value)| *signers >= needed && link.terms.publishes(value))
            .map(|(id, made, ..)| (*id, *made))
            .collect();
        if !to.is_empty() {
            out.insert(other.clone(), to);
        }
    }
    out
}

/// How receivers order statements on one subject: under the newest roster, the highest
/// sequence, then the lowest id (one under an older roster, signed by members since removed,
/// never displaces what a newer roster said).
type Rank = (u64, u64, std::cmp::Reverse<StatementId>);

/// The stance a mandate position counts as: for agrees, against disagrees.
fn stance_of(p: federation::Position) -> Stance {
    match p {
        federation::Position::For => Stance::Agree,
        federation::Position::Against => Stance::Disagree,
        federation::Position::Abstain => Stance::Abstain,
    }
}

/// A position a party stated on a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stated {
    /// Whose (its place among the parties).
    pub(crate) party: usize,
    /// When stated (an affiliate's: the later of when its statement was made and carried in).
    pub(crate) at: Timestamp,
    /// It counts only if stated before this (a member's: the closing time; an affiliate's:
    /// the closing time and [`ANSWERS_WITHIN`]).
    pub(crate) by: Timestamp,
    /// Its order among the party's positions: a higher one replaces a lower.
    pub(crate) order: usize,
    /// What it counts as.
    pub(crate) stance: Stance,
    /// The party's weight with it.
    pub(crate) weight: u64,
}

/// What [`count_at_close`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Counted {
    /// The outcome (none where it does not decide).
    pub(crate) tally: Option<Tally>,
    /// When it was decided, if it is.
    pub(crate) decided_at: Option<Timestamp>,
    /// Each party's position counted: its place in the positions given.
    pub(crate) chosen: Vec<Option<usize>>,
}

/// Counts `stated` (parties weighing `silent` while they have stated nothing) under `rule`:
/// each party's highest-ordered position stated before its `by` (counted while open too,
/// though stated ahead of `now`).
/// Open until `decided_at` (`now` reaching it), then decided by what was stated before each
/// `by`, none of which is later than `decided_at`: never earlier, since a member may still
/// change its position while its coalition's own count is open, and an affiliate may still
/// publish a newer one. Without `decides` (a poll) only the positions are chosen; without a
/// time to decide at it is never decided.
pub(crate) fn count_at_close(
    rule: Rule,
    silent: &[u64],
    stated: &[Stated],
    decided_at: Option<Timestamp>,
    now: Timestamp,
    decides: bool,
) -> Counted {
    let mut chosen: Vec<Option<usize>> = vec![None; silent.len()];
    for (i, s) in stated.iter().enumerate() {
        if s.at >= s.by {
            continue;
        }
        let Some(c) = chosen.get_mut(s.party) else {
            continue;
        };
        // A party's orders are distinct: the highest counts.
        if c.and_then(|j| stated.get(j))
            .is_none_or(|old| s.order > old.order)
        {
            *c = Some(i);
        }
    }
    let mut w = Weighed::default();
    for (party, weight) in silent.iter().enumerate() {
        let (weight, stance) = match chosen
            .get(party)
            .copied()
            .flatten()
            .and_then(|i| stated.get(i))
        {
            Some(s) => (s.weight, Some(s.stance)),
            None => (*weight, None),
        };
        w.electorate = w.electorate.saturating_add(weight);
        if let Some(stance) = stance {
            w.add(stance, weight);
        }
    }
    let closed = decided_at.is_some_and(|c| now >= c);
    Counted {
        tally: decides.then(|| {
            let t = weighed_tally(rule, w, closed);
            if closed {
                t
            } else {
                Tally {
                    outcome: Outcome::Open,
                    ..t
                }
            }
        }),
        decided_at: decided_at.filter(|_| closed && decides),
        chosen,
    }
}

/// The positions of the affiliates asked on `question` (those a call of `own`'s on it was
/// published to), a proposal `p` of `own` (the coalition they are affiliates of), weighted by
/// their links' weights (or members), and `p`'s outcome counting them with its own members
/// under its rule, at `now`.
///
/// Each member counts once, each affiliate with its weight ([`crate::tally::weighed_tally`]:
/// an affiliate for agrees, against disagrees; under consensus any party disagreeing stops
/// it, whatever its weight, and under consent only a member's block does, since an affiliate
/// cannot block). An affiliate counted weighs its link's weight, or the members of the
/// roster its position was signed under; one silent, its link's weight or its newest
/// roster's members (in `asked` as [`Moment::of`] the close reads it: the newest carried in
/// and dated before the close and [`ANSWERS_WITHIN`]). Only a position answering a call this
/// coalition published to that affiliate on `question` before its close, stating that close,
/// counts (`asked.calls`, [`CallMade`]), and only on a proposal with a closing time: an
/// affiliate cannot put a position on a question never asked of it.
///
/// Each member counts its latest position stated before the closing time; each affiliate its
/// latest position (under its newest roster, the highest sequence) both made (the time its
/// signers state) and carried in (when one of this coalition's member nodes carried it in)
/// before the closing time and [`ANSWERS_WITHIN`]: so the affiliate's signers cannot date a
/// position back after the count, nor can one member of this coalition carry in a position
/// made after it. The outcome is open until then, and decided by those (`count_at_close`). So
/// it is the same on every node holding the same statements whatever order they came in, and
/// final once decided, except that a position made and carried in in time but received later
/// counts (as an offline member's does): the times are those the writers state, as for every
/// position, so a member stating a false carry time can bring in a position made in time that
/// reached it late. `asked` is read as of the close ([`Moment::of`]);
/// known limit: a call's own time is the one its signers state.
pub fn mandates(
    asked: &Asked,
    own: &CoalitionId,
    question: [u8; 16],
    p: &Proposal,
    now: Timestamp,
) -> MandateTally {
    let linked = &asked.linked;
    // The parties: the affiliates asked, those a call on the question was published to.
    let affiliates: Vec<Affiliate> = affiliates(linked)
        .into_iter()
        .filter(|a| {
            let calls = asked.calls.get(&a.id);
            p.closes_at.is_some_and(|closes| {
                calls.is_some_and(|calls| calls.values().any(|c| c.asks(question, closes)))
            })
        })
        .collect();
    let members_by = p
        .closes_at
        .unwrap_or_else(|| Timestamp::from_millis(i64::MAX));
    let answers_until = p.closes_at.map(answers_until);
    // The parties: the affiliates, then the members.
    let mut silent: Vec<u64> = affiliates.iter().map(|a| a.weight).collect();
    let mut said: Vec<(&federation::Verified, &federation::MandatePosition)> = Vec::new();
    let mut stated = Vec::new();
    for (party, a) in affiliates.iter().enumerate() {
        let (Some(from), Some(until), Some(calls)) =
            (linked.get(&a.id), answers_until, asked.calls.get(&a.id))
        else {
            continue;
        };
        let mut mine: Vec<(Rank, &federation::Verified, &federation::MandatePosition)> = from
            .verified
            .iter()
            .filter_map(|v| match &v.statement.value {
                Value::Mandate(m)
                    if m.question == question
                        && m.caller == own.to_bytes()
                        && p.closes_at.is_some_and(|closes| {
                            calls
                                .get(&StatementId(m.call))
                                .is_some_and(|c| c.asks(question, closes))
                        }) =>
                {
                    Some((
                        (v.roster, v.statement.sequence, std::cmp::Reverse(v.id)),
                        v,
                        m,
                    ))
                }
                _ => None,
            })
            .collect();
        mine.sort_by_key(|(rank, ..)| *rank);
        for (order, (_, v, m)) in mine.into_iter().enumerate() {
            // Verified, so carried in (`from_linked` keeps when: the later of when it was
            // carried in and when its signers say it was made, so in time only where both the
            // carrying member and the affiliate's signers say so).
            let Some(at) = from.carried.get(&v.id).copied() else {
                continue;
            };
            stated.push(Stated {
                party,
                at,
                by: until,
                order,
                stance: stance_of(m.position),
                weight: weight_of(a.link_weight, Some(v.members)),
            });
            said.push((v, m));
        }
    }
    let mut members: Vec<&crate::ids::MemberId> = p.electorate.iter().collect();
    members.sort_unstable();
    members.dedup();
    let first_member = silent.len();
    silent.extend(members.iter().map(|_| 1));
    for (m, pos) in crate::reports::counted_positions(p) {
        if let Ok(place) = members.binary_search(&m) {
            stated.push(Stated {
                party: first_member + place,
                at: pos.at,
                by: members_by,
                order: 0,
                stance: pos.stance,
                weight: 1,
            });
        }
    }
    // Without a closing time no affiliate is asked (a call names one), so none is counted.
    let counted = count_at_close(
        p.rule,
        &silent,
        &stated,
        answers_until,
        now,
        p.poll.is_none() && answers_until.is_some(),
    );
    let mut out = MandateTally {
        outcome: counted.tally,
        decided_at: counted.decided_at,
        answers_until,
        ..MandateTally::default()
    };
    for (a, c) in affiliates.into_iter().zip(counted.chosen) {
        let chosen = c.and_then(|i| Some((said.get(i)?, stated.get(i)?.weight)));
        let (position, weight) = match chosen {
            Some(((v, m), weight)) => {
                let counted = match m.position {
                    federation::Position::For => &mut out.for_,
                    federation::Position::Against => &mut out.against,
                    federation::Position::Abstain => &mut out.abstain,
                };
                *counted = counted.saturating_add(weight);
                (
                    Some(((*m).clone(), Provenance::of(v, &a.id, &a.name))),
                    weight,
                )
            }
            None => {
                out.silent = out.silent.saturating_add(a.weight);
                (None, a.weight)
            }
        };
        out.lines.push(MandateLine {
            affiliate: a,
            position,
            weight,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Method;
    use crate::tally::tests::rule;
    use crate::values::Fraction;
    use proptest::prelude::*;

    fn stance() -> impl Strategy<Value = Stance> {
        prop_oneof![
            Just(Stance::Agree),
            Just(Stance::Abstain),
            Just(Stance::Disagree),
            Just(Stance::Block),
        ]
    }

    /// Positions of up to `parties` parties, at times 0..20, each party's in its order, each
    /// counting if stated before the time `by` gives its party.
    fn stated(
        parties: usize,
        by: impl Fn(usize) -> Timestamp + 'static,
    ) -> impl Strategy<Value = Vec<Stated>> {
        proptest::collection::vec((0..parties, 0i64..20, stance(), 0u64..4), 0..10).prop_map(
            move |v| {
                let mut orders = [0usize; 8];
                v.into_iter()
                    .map(|(party, at, stance, weight)| {
                        let order = orders[party];
                        orders[party] += 1;
                        Stated {
                            party,
                            at: Timestamp::from_millis(at),
                            by: by(party),
                            order,
                            stance,
                            weight,
                        }
                    })
                    .collect()
            },
        )
    }

    /// The outcome, when it was decided and what each party counted, compared across orders.
    fn seen(
        c: &Counted,
        stated: &[Stated],
    ) -> (Option<Tally>, Option<Timestamp>, Vec<Option<Stated>>) {
        let chosen = c
            .chosen
            .iter()
            .map(|i| i.and_then(|i| stated.get(i).copied()))
            .collect();
        (c.tally, c.decided_at, chosen)
    }

    proptest! {
        /// Every node counts the same whatever order it received the positions in.
        #[test]
        fn the_order_received_changes_nothing(rule in rule(), silent in proptest::collection::vec(0u64..4, 1..6), (closes, stated) in proptest::option::of(0i64..25).prop_flat_map(|c| (Just(c), stated(5, move |party| Timestamp::from_millis(c.map_or(i64::MAX, |c| c + party as i64))))), now in 0i64..30, shuffle in any::<u64>()) {
            // Each party's positions count until a time of its own, the latest deciding.
            let closes = closes.map(|c| Timestamp::from_millis(c + 4));
            let now = Timestamp::from_millis(now);
            let once = count_at_close(rule, &silent, &stated, closes, now, true);
            let mut other = stated.clone();
            // A permutation: rotate, then reverse when asked.
            let turn = (shuffle as usize) % other.len().max(1);
            other.rotate_left(turn);
            if shuffle % 2 == 1 {
                other.reverse();
            }
            let again = count_at_close(rule, &silent, &other, closes, now, true);
            prop_assert_eq!(seen(&once, &stated), seen(&again, &other));
        }

        /// Open until the close, decided from it on; nothing stated at or after the time
        /// each party's positions count until (changed positions included) nor time passing
        /// changes what was decided. The first two parties' positions (affiliates') count
        /// until `answers` after the others' (members') close, and the count closes then.
        #[test]
        fn decided_at_the_close_by_what_was_stated_before_it(rule in rule(), silent in proptest::collection::vec(0u64..4, 1..6), (members, answers, stated, later) in (0i64..25, 0i64..6).prop_flat_map(|(c, a)| { let by = move |party: usize| Timestamp::from_millis(if party < 2 { c + a } else { c }); (Just(c), Just(a), stated(5, by), stated(5, by)) }), now in 0i64..35) {
            let closes = Timestamp::from_millis(members + answers);
            let now = Timestamp::from_millis(now);
            let once = count_at_close(rule, &silent, &stated, Some(closes), now, true);
            let tally = once.tally.unwrap();
            if now < closes {
                prop_assert_eq!((tally.outcome, once.decided_at), (Outcome::Open, None));
            } else {
                prop_assert_ne!(tally.outcome, Outcome::Open);
                prop_assert_eq!(once.decided_at, Some(closes));
                let mut more = stated.clone();
                let base = stated.len();
                more.extend(later.iter().map(|s| Stated {
                    at: Timestamp::from_millis(s.by.as_millis() + s.at.as_millis()),
                    order: s.order + base,
                    ..*s
                }));
                let again = count_at_close(rule, &silent, &more, Some(closes), Timestamp::from_millis(100), true);
                prop_assert_eq!((again.tally, again.decided_at), (once.tally, once.decided_at));
            }
            // Only what was stated before each party's time counts.
            for i in once.chosen.iter().flatten() {
                prop_assert!(stated[*i].at < stated[*i].by);
            }
            // Without a closing time, never decided.
            let never = count_at_close(rule, &silent, &stated, None, now, true);
            prop_assert_eq!(never.tally.unwrap().outcome, Outcome::Open);
        }
    }

    #[test]
    fn an_affiliate_against_under_consensus_stops_it_whatever_its_weight() {
        let rule = Rule::new(Method::Consensus, Fraction::HALF);
        let at = Timestamp::from_millis;
        let s = |party, t, stance, weight| Stated {
            party,
            at: at(t),
            by: at(10),
            order: 0,
            stance,
            weight,
        };
        // Two members agree; an affiliate of weight 1 against, one of weight 5 for.
        let stated = [
            s(0, 1, Stance::Agree, 1),
            s(1, 2, Stance::Agree, 1),
            s(2, 3, Stance::Agree, 5),
            s(3, 4, Stance::Disagree, 1),
        ];
        let weights = [1, 1, 5, 1];
        let c = count_at_close(rule, &weights, &stated, Some(at(10)), at(11), true);
        assert_eq!(c.tally.unwrap().outcome, Outcome::Failed);
        // Majority: 7 for, 1 against, but open until the close.
        let rule = Rule::new(Method::Majority, Fraction::HALF);
        let c = count_at_close(rule, &weights, &stated, Some(at(10)), at(5), true);
        let t = c.tally.unwrap();
        assert_eq!((t.outcome, t.agree, t.disagree), (Outcome::Open, 7, 1));
        let c = count_at_close(rule, &weights, &stated, Some(at(10)), at(10), true);
        assert_eq!(
            (c.tally.unwrap().outcome, c.decided_at),
            (Outcome::Passed, Some(at(10)))
        );
        // Stated at the close or after: not counted.
        let early: Vec<Stated> = stated.iter().map(|s| Stated { by: at(3), ..*s }).collect();
        let c = count_at_close(rule, &weights, &early, Some(at(3)), at(5), true);
        let t = c.tally.unwrap();
        assert_eq!((t.agree, t.pending, t.outcome), (2, 6, Outcome::Failed));
    }
}
