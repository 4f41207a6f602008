//! Drafting on its own what a coalition's links share (issue 20): each round, in each
//! coalition this node belongs to, the statements whose value this node computes otherwise
//! than the latest published (`model::publishing::shared_now`) are drafted when it is this
//! node's member's turn (`model::publishing::turn`), as `statement draft` would; the other
//! members' nodes co-sign them on their own once they compute the same
//! (`Replica::cosign_pending`). A coalition is looked at again only once its heads changed or
//! the moment it said passed (a turn, a proposal closing, a month beginning), so an idle
//! coalition costs nothing a round.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use model::federation::{StatementId, Subject, Value};
use model::publishing::{Turn, shared_now, turn};
use model::statements::{BuildError, Draft, Topic};
use model::{CoalitionId, Timestamp};

use crate::statements::SignError;
use crate::{Replica, ReplicaError};

/// Most statements drafted on their own in one round, in all coalitions (each is built from a
/// whole read): the rest are drafted in the rounds that follow.
pub const MAX_DRAFTS_PER_ROUND: usize = 8;

/// What this node remembers between rounds of drafting on its own.
#[derive(Debug)]
pub struct Publishing {
    /// How often at most a statement is drafted on one subject, and how long each member
    /// waits for the one before it (`model::publishing::turn`); `None`: this node drafts
    /// nothing on its own (it still co-signs).
    every: Option<Duration>,
    /// Since when this node saw each subject differ from what was published, none pending.
    since: HashMap<(CoalitionId, Subject), Timestamp>,
    /// Subjects whose draft failed, not tried again before then.
    retry: HashMap<(CoalitionId, Subject), Timestamp>,
    /// Each coalition's heads when last looked at, and when to look again if they stay.
    checked: HashMap<CoalitionId, (Vec<model::automerge::ChangeHash>, Timestamp)>,
}

/// How often at most a node drafts a statement on one subject on its own, unless told
/// otherwise: an hour.
pub const DEFAULT_PUBLISH_EVERY: Duration = Duration::from_secs(3600);

impl Default for Publishing {
    fn default() -> Self {
        Self::new(Some(DEFAULT_PUBLISH_EVERY))
    }
}

impl Publishing {
    /// Drafting at most once every `every` on a subject (`None`: never on its own).
    pub fn new(every: Option<Duration>) -> Self {
        Self {
            every,
            since: HashMap::new(),
            retry: HashMap::new(),
            checked: HashMap::new(),
        }
    }
}

fn later(t: Timestamp, by: Duration) -> Timestamp {
    let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_millis(t.as_millis().saturating_add(ms))
}

impl Replica {
    /// Drafts on its own, at `now`, the statements the links in force share whose value this
    /// node computes otherwise than the latest published, when it is its node's turn: see the
    /// module docs. Only drafts this node's member co-signed (its own, and others' it computed
    /// the same: run `cosign_pending` first) and dated no later than a clock may be ahead
    /// (`model::statements::MAX_AHEAD`) are waited for, so a member cannot hold a subject
    /// back with drafts nobody co-signs; a draft it co-signed with the value it computes,
    /// following the latest published, is not drafted again (it waits for more signatures,
    /// however long). At most [`MAX_DRAFTS_PER_ROUND`] tried a round; a coalition that fails
    /// is logged and passed over. What it drafted, by coalition.
    pub fn draft_shared(
        &mut self,
        state: &mut Publishing,
        now: Timestamp,
    ) -> Result<Vec<(CoalitionId, StatementId)>, ReplicaError> {
        let Some(every) = state.every else {
            return Ok(Vec::new());
        };
        let mut ids = self.coalition_ids()?;
        ids.retain(|c| !self.is_joining(c));
        state.checked.retain(|c, _| ids.contains(c));
        state.since.retain(|(c, _), _| ids.contains(c));
        state.retry.retain(|(c, _), _| ids.contains(c));
        let mut drafted = Vec::new();
        let mut tries = 0;
        for c in ids {
            let _s = tracing::info_span!("coalition", coalition = %c).entered();
            let left = MAX_DRAFTS_PER_ROUND.saturating_sub(tries);
            match self.draft_shared_in(&c, state, every, now, left) {
                Ok((made, tried)) => {
                    tries += tried;
                    drafted.extend(made.into_iter().map(|id| (c.clone(), id)));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not draft what the coalition's links share");
                    state.checked.remove(&c);
                }
            }
        }
        Ok(drafted)
    }

    /// What `draft_shared` drafts in coalition `c`, trying at most `left`; with how many it
    /// tried.
    fn draft_shared_in(
        &mut self,
        c: &CoalitionId,
        state: &mut Publishing,
        every: Duration,
        now: Timestamp,
        left: usize,
    ) -> Result<(Vec<StatementId>, usize), ReplicaError> {
        let heads = self.loaded(c)?.doc.heads();
        if state
            .checked
            .get(c)
            .is_some_and(|(h, next)| *h == heads && now < *next)
        {
            return Ok((Vec::new(), 0));
        }
        let Ok(me) = self.me(c) else {
            return Ok((Vec::new(), 0));
        };
        let shared = match shared_now(&mut self.loaded(c)?.doc, now) {
            Ok(shared) => shared,
            Err(e) => {
                tracing::warn!(error = %e, "could not compute what the coalition's links share");
                state.checked.insert(c.clone(), (heads, later(now, every)));
                return Ok((Vec::new(), 0));
            }
        };
        let mut next = shared.next.min(later(now, every));
        let mut wanted: Vec<(Subject, Topic)> = Vec::new();
        let mut seen = HashSet::new();
        if !shared.items.is_empty() {
            let published = self.published(c)?;
            let mut by_subject: BTreeMap<Subject, Vec<&Draft>> = BTreeMap::new();
            for d in published.drafts.values() {
                by_subject.entry(d.statement.subject()).or_default().push(d);
            }
            // A draft dated later than a clock may be ahead is no draft to wait for.
            let ahead = Timestamp::from_millis(
                now.as_millis().saturating_add(model::statements::MAX_AHEAD),
            );
            let rank = shared.members.iter().position(|m| *m == me);
            let roster_now = published.chain.as_ref().map_or(0, |c| c.version());
            let coalition = c.to_bytes();
            for (topic, value) in &shared.items {
                // Nothing but the roster before a roster is in force.
                if published.chain.is_none() && !matches!(topic, Topic::Roster) {
                    continue;
                }
                let subject = topic.subject(coalition);
                seen.insert(subject);
                let key = (c.clone(), subject);
                let on = by_subject.get(&subject).map_or(&[][..], Vec::as_slice);
                let latest: Option<(StatementId, Value)> = match (topic, &published.chain) {
                    (Topic::Roster, Some(chain)) => {
                        Some((chain.newest_id(), Value::Roster(chain.newest().clone())))
                    }
                    (_, Some(chain)) => model::statements::latest_verifying(
                        on.iter().copied(),
                        chain,
                        published.threshold,
                    )
                    .map(|d| (d.id, d.statement.value.clone())),
                    (_, None) => None,
                };
                if latest.as_ref().map(|(_, v)| v) == Some(value) {
                    state.since.remove(&key);
                    state.retry.remove(&key);
                    continue;
                }
                if let Some(at) = state.retry.get(&key).filter(|at| **at > now) {
                    next = next.min(*at);
                    continue;
                }
                // Drafts this node's member co-signed: its own, and those it computed the same.
                let mine: Vec<&Draft> = on
                    .iter()
                    .copied()
                    .filter(|d| d.cosigns.contains_key(&me) && d.at <= ahead)
                    .collect();
                let follows = latest.as_ref().map(|(id, _)| id.0);
                // Signed under the roster in force (a roster is the next one: `supersedes`).
                let waits = |d: &&Draft| {
                    d.statement.value == *value
                        && d.statement.supersedes == follows
                        && (matches!(topic, Topic::Roster) || d.statement.roster == roster_now)
                };
                if mine.iter().any(waits) {
                    // Drafted as it is now: it waits for more signatures.
                    state.since.remove(&key);
                    continue;
                }
                let pending = mine.iter().map(|d| d.at.min(now)).max();
                let since = match pending.map(|p| later(p, every)).filter(|at| *at > now) {
                    // Each node's wait starts when the pending draft's interval ends.
                    Some(end) => {
                        state.since.insert(key, end);
                        end
                    }
                    None => *state.since.entry(key).or_insert(now),
                };
                match turn(rank, pending, since, every, now) {
                    Turn::Now => wanted.push((subject, topic.clone())),
                    Turn::At(at) => next = next.min(at),
                }
            }
        }
        state.since.retain(|(cc, s), _| cc != c || seen.contains(s));
        state.retry.retain(|(cc, s), _| cc != c || seen.contains(s));
        // Rosters first: the others are signed under the roster in force.
        wanted.sort_by_key(|(_, t)| !matches!(t, Topic::Roster));
        let mut made = Vec::new();
        let mut tried = 0;
        for (subject, topic) in wanted {
            if tried >= left {
                // The rest in the rounds that follow.
                next = now;
                break;
            }
            tried += 1;
            let key = (c.clone(), subject);
            match self.draft_statement(c, &topic) {
                Ok(id) => {
                    tracing::info!(statement = %id.short(), kind = %subject.kind, "drafted a statement a link shares, as the records changed");
                    state.since.remove(&key);
                    made.push(id);
                }
                // Once the roster is in force (a change: looked at again then).
                Err(SignError::NoRoster) | Err(SignError::Differs(BuildError::NotYet { .. })) => {}
                Err(SignError::Replica(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(kind = %subject.kind, error = %e, "could not draft a statement a link shares");
                    let at = later(now, every);
                    state.retry.insert(key, at);
                    next = next.min(at);
                }
            }
        }
        // What was drafted (a roster now in force) may let more be drafted: looked at again
        // the next round.
        if !made.is_empty() {
            next = now;
        }
        let heads = self.loaded(c)?.doc.heads();
        state.checked.insert(c.clone(), (heads, next));
        Ok((made, tried))
    }
}
