//! What a coalition publishes on its own (issue 20): the statements its links in force share,
//! drafted by members' nodes when its records change, without anyone typing
//! `statement draft`. This module says *what* is shared now, each topic with the value a node
//! computes from its copy ([`shared_now`]), and *whose turn* it is to draft a statement that
//! differs from what was published ([`turn`]); the replica drafts, and members' nodes co-sign
//! as they would a draft by hand (each recomputes it from its own copy).
//!
//! What is shared: the roster, whenever a link is in force; each issue, goal and pool
//! a link publishes (its tags, goals and pools); a pool's totals over the current calendar
//! month (UTC) and, while they are not all zero, the month before; each decision taken since
//! a link publishing decisions was made (older ones by hand). Calls are drafted by hand (which
//! proposal to call on is the members' judgement), mandate positions by the answering
//! proposal's author's node (`Replica::draft_mandates`).
//!
//! Whose turn: the members in force, in their order, take turns (one each, whatever number of
//! node keys they list), so that the nodes seeing the same change do not each draft it. The
//! first member's nodes draft as soon as they see the statement differ, and at most once every
//! `every` on a subject (a record edited again and again is published at most that often); the
//! k-th member's nodes draft once they have seen the subject differ, with no draft their member
//! co-signed pending, for k × `every` (the members before are offline, or their drafts are out
//! of date or false). Two nodes of one member may draft at once: receivers take one.

use std::collections::BTreeMap;
use std::time::Duration;

use federation::Value;

use crate::doc::CoalitionDoc;
use crate::reports::affiliates::{Asked, Moment};
use crate::reports::{decided_at, links};
use crate::statements::{BuildError, Topic, value_of, with_affiliates};
use crate::values::{Day, Timestamp};

/// What a coalition's links in force publish of its records now.
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    /// Each topic shared, with its value now.
    pub items: Vec<(Topic, Value)>,
    /// The members in force, in their order: whose turn it is to draft ([`turn`]), one turn
    /// each (a member listing many keys gains no more turns).
    pub members: Vec<crate::ids::MemberId>,
    /// The next moment time alone may change what is shared: a proposal closing (a decision
    /// taken, a link made), the week after a close ending (a decision counting affiliates'
    /// answers), or a month beginning.
    pub next: Timestamp,
}

/// The first moment of the calendar month (UTC) of `date`.
fn month_start(date: jiff::civil::Date) -> Timestamp {
    let midnight = date
        .first_of_month()
        .to_datetime(jiff::civil::Time::midnight());
    Timestamp::from_millis(
        jiff::tz::Offset::UTC
            .to_timestamp(midnight)
            .map_or(0, |t| t.as_millisecond()),
    )
}

/// The calendar month (UTC) holding `t` and the one before it, each as its first moment and
/// the first moment of the next: `[(before, this), (this, next)]`.
pub fn months(t: Timestamp) -> [(Timestamp, Timestamp); 2] {
    let day = Day::of(t).civil();
    let this = month_start(day);
    let next = day
        .last_of_month()
        .tomorrow()
        .map_or(Timestamp::from_millis(i64::MAX), month_start);
    let before = day
        .first_of_month()
        .yesterday()
        .map_or(Timestamp::from_millis(i64::MIN), month_start);
    [(before, this), (this, next)]
}

/// What the links in force in `doc` publish of its records at `now` (rounded up to whole
/// seconds, as a statement is dated), each topic with the value this copy gives it: see the module docs.
/// Nothing when no link is in force. Cost: one whole read of the coalition.
pub fn shared_now(doc: &mut CoalitionDoc, now: Timestamp) -> Result<Shared, BuildError> {
    use federation::Kind;
    // Whole seconds, rounded up as a draft is dated.
    let now = Timestamp::from_secs(now.as_secs() + i64::from(now.as_millis() % 1000 != 0));
    let read = doc.read_at(now)?;
    let [before, this] = months(now);
    // A close (and below, the end of the week after it where affiliates were called on).
    let next_close = read
        .proposals
        .values()
        .filter_map(|p| p.closes_at)
        .filter(|at| *at > now)
        .min()
        .unwrap_or(Timestamp::from_millis(i64::MAX));
    let next = next_close.min(this.1);
    let in_force = links(read.proposals.values(), now);
    let publishing: Vec<_> = in_force
        .values()
        .filter(|l| !l.terms.publish.is_empty())
        .collect();
    let mut shared = Shared {
        items: Vec::new(),
        members: Vec::new(),
        next,
    };
    // The roster goes on every link (the other side tells this side's member nodes by it);
    // the rest on links that publish.
    if in_force.is_empty() {
        return Ok(shared);
    }
    let gov = doc
        .in_force(now)
        .map_err(|e| BuildError::Governance(e.to_string()))?;
    shared.members = gov.members.keys().cloned().collect();
    let publishes = |l: &&crate::reports::LinkInForce, k: Kind| {
        l.terms.publish.iter().any(|p| p.as_str() == k.as_str())
    };
    let kind = |k: Kind| publishing.iter().any(|l| publishes(l, k));
    let priority = if kind(Kind::Issue) {
        crate::reports::inventory_priority_of(
            &doc.headers::<crate::records::ProposalHeader>(),
            |id| Ok::<_, std::convert::Infallible>(read.proposals.get(id).cloned()),
            now,
        )
        .unwrap_or_else(|never| match never {})
    } else {
        None
    };
    let mut topics = vec![Topic::Roster];
    if kind(Kind::Issue) {
        topics.extend(read.issues.keys().cloned().map(Topic::Issue));
    }
    if kind(Kind::Goal) {
        topics.extend(read.charter.goals.keys().cloned().map(Topic::Goal));
    }
    if kind(Kind::Pool) {
        for pool in read.pools.keys() {
            for (from, to) in [before, this] {
                topics.push(Topic::Pool {
                    pool: pool.clone(),
                    from,
                    to,
                });
            }
        }
    }
    // Per question put to affiliates, what its count reads is as of a moment (`Moment::of`):
    // one `Asked` per distinct reading (the links taking mandate positions then, the rosters
    // carried in by then), however many questions share it.
    let mut asked: BTreeMap<[u8; 16], Reading> = BTreeMap::new();
    let mut judged: BTreeMap<Reading, Option<Asked>> = BTreeMap::new();
    if kind(Kind::Decision) {
        // Decisions taken since the first link publishing them was made.
        let since = publishing
            .iter()
            .filter(|l| publishes(l, Kind::Decision))
            .map(|l| l.decided_at)
            .min();
        // Calls are read only where some link proposal ever took mandate positions (only
        // such a link, in force at some close, makes a count with affiliates).
        let ever = read
            .proposals
            .values()
            .any(|p| p.link.as_ref().is_some_and(|t| t.accepts(Kind::Mandate)));
        let drafts = if ever {
            crate::statements::drafts(doc)
        } else {
            BTreeMap::new()
        };
        let called = crate::statements::called(&drafts);
        // The end of the week after a close where affiliates' answers are counted.
        if let Some(until) = read
            .proposals
            .values()
            .filter(|p| called.contains(&p.id.to_bytes()))
            .filter_map(|p| p.closes_at.map(crate::reports::affiliates::answers_until))
            .filter(|at| *at > now)
            .min()
        {
            shared.next = shared.next.min(until);
        }
        // Read once, and only where some question was called on.
        let mut parts = None;
        for p in read.proposals.values() {
            let question = p.id.to_bytes();
            // A count judged by the end of its week before the first link publishing
            // decisions was made is never published: not read.
            let publishable = since.is_some_and(|s| {
                p.closes_at
                    .is_none_or(|c| crate::reports::affiliates::answers_until(c) >= s)
            });
            if publishable && called.contains(&question) {
                let (received, chain, roster_times) = parts.get_or_insert_with(|| {
                    let received = crate::received::received(doc);
                    let mut times: Vec<Timestamp> = received
                        .values()
                        .filter(|r| r.statement.value.kind() == Kind::Roster)
                        .map(crate::received::Received::counted_at)
                        .collect();
                    times.sort_unstable();
                    let chain = crate::statements::roster_chain(&drafts, gov.members.len());
                    (received, chain, times)
                });
                let moment = Moment::of(p.closes_at, now);
                let in_force = links(read.proposals.values(), moment.at);
                let reading: Reading = (
                    in_force
                        .values()
                        .filter(|l| l.terms.accepts(Kind::Mandate))
                        .map(|l| (l.proposal.clone(), l.decided_at))
                        .collect(),
                    moment.until.map_or(usize::MAX, |until| {
                        roster_times.partition_point(|t| *t < until)
                    }),
                );
                judged.entry(reading.clone()).or_insert_with(|| {
                    crate::statements::asked_from(
                        &read.id,
                        &in_force,
                        received.values(),
                        &drafts,
                        chain.as_ref(),
                        moment.until,
                    )
                });
                asked.insert(question, reading);
            }
            // None while open (counting the affiliates' positions where they gave any).
            let with = asked_on(&asked, &judged, &question);
            let decided = match with_affiliates(with, &read, p, now) {
                Some((_, at)) => at,
                None => decided_at(p, now),
            };
            let taken = decided.is_some_and(|at| since.is_some_and(|s| at >= s));
            if taken {
                topics.push(Topic::Decision(p.id.clone()));
            }
        }
    }
    for topic in topics {
        let with = match &topic {
            Topic::Decision(id) => asked_on(&asked, &judged, &id.to_bytes()),
            _ => None,
        };
        let value = value_of(&read, &gov, priority.as_ref(), with, &topic, now)?;
        let published = match (&topic, &value) {
            (Topic::Roster, _) => true,
            // The month before, only while something was in the pool by its end.
            (Topic::Pool { from, .. }, Value::Pool(p)) if *from == before.0 => {
                [p.pledged, p.contributed, p.allocated, p.balance]
                    .iter()
                    .any(|x| *x != 0)
                    && publishing.iter().any(|l| l.terms.publishes(&value))
            }
            _ => publishing.iter().any(|l| l.terms.publishes(&value)),
        };
        if published {
            shared.items.push((topic, value));
        }
    }
    Ok(shared)
}

/// What a count with affiliates reads, as of a moment: the links taking mandate positions then
/// (each by the proposal that made it and when), and how many rosters had been carried in.
type Reading = (Vec<(crate::ids::ProposalId, Timestamp)>, usize);

/// What the count on `question` reads (`shared_now`: per question, its reading; per reading,
/// what it reads): none where it was not put to affiliates.
fn asked_on<'a>(
    asked: &BTreeMap<[u8; 16], Reading>,
    judged: &'a BTreeMap<Reading, Option<Asked>>,
    question: &[u8; 16],
) -> Option<&'a Asked> {
    judged.get(asked.get(question)?)?.as_ref()
}

/// Whose turn it is to draft a statement on a subject whose value this node computes
/// otherwise than the latest published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// This node drafts it now.
    Now,
    /// Not before this moment (another member's turn, or a draft made lately).
    At(Timestamp),
}

/// Whose turn it is, at `now`, to draft a statement on a subject that differs from what was
/// published, for the member `rank` places in the order of members in force (0: first;
/// `None`: not a member in force, never its turn): `pending` is when the latest draft on the
/// subject this node would co-sign was made (none: none is pending), `since` when this node
/// first saw the subject differ with none pending. The first member drafts at once, at most
/// once every `every` on a subject; the k-th once it saw it differ, none pending, for
/// k × `every`.
pub fn turn(
    rank: Option<usize>,
    pending: Option<Timestamp>,
    since: Timestamp,
    every: Duration,
    now: Timestamp,
) -> Turn {
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    let after = |t: Timestamp, n: usize| {
        let wait = every_ms.saturating_mul(i64::try_from(n).unwrap_or(i64::MAX));
        Timestamp::from_millis(t.as_millis().saturating_add(wait))
    };
    let Some(rank) = rank else {
        return Turn::At(Timestamp::from_millis(i64::MAX));
    };
    if let Some(p) = pending {
        let again = after(p, 1);
        if again > now {
            return Turn::At(again);
        }
    }
    let mine = after(since, rank);
    if mine > now {
        Turn::At(mine)
    } else {
        Turn::Now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn months_are_whole_calendar_months_in_utc() {
        let t: Timestamp = Day::of(at(0)).start();
        let [before, this] = months(Timestamp::from_millis(t.as_millis() + 5));
        assert_eq!(this.0, t, "1970-01-01 begins January");
        assert_eq!(this.1, "1970-02-01".parse::<Day>().unwrap().start());
        assert_eq!(before.0, "1969-12-01".parse::<Day>().unwrap().start());
        assert_eq!(before.1, t);
        let leap = "2028-02-29".parse::<Day>().unwrap().start();
        let [_, feb] = months(leap);
        assert_eq!(feb.0, "2028-02-01".parse::<Day>().unwrap().start());
        assert_eq!(feb.1, "2028-03-01".parse::<Day>().unwrap().start());
    }

    #[test]
    fn the_first_member_drafts_at_once_and_no_more_than_once_every_interval() {
        let every = Duration::from_secs(60);
        assert_eq!(turn(Some(0), None, at(1_000), every, at(1_000)), Turn::Now);
        assert_eq!(
            turn(Some(0), Some(at(1_000)), at(1_000), every, at(30_000)),
            Turn::At(at(61_000))
        );
        assert_eq!(
            turn(Some(0), Some(at(1_000)), at(1_000), every, at(61_000)),
            Turn::Now
        );
        assert_eq!(
            turn(Some(2), None, at(1_000), every, at(1_000)),
            Turn::At(at(121_000))
        );
        assert_eq!(
            turn(Some(2), None, at(1_000), every, at(121_000)),
            Turn::Now
        );
        assert!(matches!(
            turn(None, None, at(0), every, at(i64::MAX - 1)),
            Turn::At(_)
        ));
    }

    proptest! {
        /// Members take turns: seeing a subject differ at one moment with nothing pending, no
        /// two members' turns come before the interval between them; a member never drafts
        /// within the interval of a pending draft.
        #[test]
        fn members_take_turns(
            since in 0i64..1_000_000,
            every in 1u64..100_000,
            elapsed in 0i64..10_000_000,
            a in 0usize..50,
            b in 0usize..50,
            pending in proptest::option::of(0i64..1_000_000),
        ) {
            let every_d = Duration::from_millis(every);
            let now = at(since + elapsed);
            let (a, b) = (a.min(b), a.max(b));
            if turn(Some(b), None, at(since), every_d, now) == Turn::Now && a < b {
                prop_assert_eq!(turn(Some(a), None, at(since), every_d, now), Turn::Now);
                prop_assert!(elapsed >= (b as i64) * every as i64);
            }
            if let Some(p) = pending {
                let t = turn(Some(a), Some(at(p)), at(since), every_d, now);
                if now.as_millis() < p + every as i64 {
                    prop_assert_eq!(t, Turn::At(at(p + every as i64)));
                }
            }
        }
    }
}
