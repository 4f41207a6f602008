//! Who may write where: the rule for each path a change writes to (the table in the
//! [`rules`](super) docs), and the checks of the new records a change creates.

use std::collections::{BTreeSet, HashMap};

use crate::ops::Action;
use automerge::{AutoCommit, ROOT};

use super::Violation;
use super::at::At;
use crate::governance::{Governance, InForce, VoteRead, Votes, rule_and_electorate};
use crate::ids::{MemberId, ProposalId};
use crate::reports::{proposal_tally, vote_tally};
use crate::schema::{LedgerEntry, Member, Pool, Proposal};
use crate::tally::Outcome;
use crate::values::{DecisionKind, EntryKind, NodeKey, Timestamp};

pub(super) struct Ctx<'a> {
    pub(super) doc: &'a AutoCommit,
    /// The governance in force when the change was made.
    pub(super) in_force: &'a InForce,
    /// When the change was made (as its author states).
    pub(super) now: Timestamp,
    /// Text fields written into objects the change creates: (object counter, key) → value.
    pub(super) fields: &'a HashMap<(u64, &'a str), &'a str>,
    pub(super) change: &'a dyn crate::ops::ChangeFacts,
    pub(super) gov: &'a Governance,
    pub(super) writer: &'a str,
    /// Proposals whose position by the writer this change was already judged on.
    pub(super) positions_judged: std::cell::RefCell<BTreeSet<String>>,
    /// Polls whose ballot by the writer this change was already judged on.
    pub(super) ballots_judged: std::cell::RefCell<BTreeSet<String>>,
    /// What the validator knows of polls already (see [`Polls`]).
    pub(super) polls: &'a std::sync::Mutex<Polls>,
    /// Other proposals' tallies as the rules carry them to the change's dependencies.
    pub(super) votes: &'a Votes,
    /// Those read at the change's dependencies to judge a position, where they were not
    /// carried: the validator carries them on (`governance::votes_after`).
    pub(super) votes_read: std::cell::RefCell<Votes>,
    /// What judging statements received from linked coalitions needs, read once per change:
    /// the links in force, and each publisher's roster chain as the change leaves it.
    pub(super) received: std::cell::RefCell<Option<ReceivedCtx>>,
}

/// The links in force at a change, and the publishers' chains replayed as it leaves them.
#[derive(Default)]
pub(super) struct ReceivedCtx {
    links: std::collections::BTreeMap<crate::ids::CoalitionId, crate::reports::LinkInForce>,
    rosters: Option<Vec<crate::received::Received>>,
    chains: HashMap<
        (crate::ids::CoalitionId, federation::StatementId),
        Option<federation::RosterChain>,
    >,
}

use crate::schema::PollRead;

/// What judging a ballot needs of its poll, by the poll's proposal object (its creating
/// operation): fixed fields, the same at every heads that hold the proposal, so read once
/// (at past heads) and kept, rather than read again for each of a member's ballot changes,
/// which a member may make without limit. (By object, not by proposal id: two proposals made
/// concurrently under one id are two objects.)
pub(super) type Polls = HashMap<(u64, automerge::ActorId), std::sync::Arc<PollRead>>;

pub(super) struct Write<'a> {
    pub(super) path: &'a [String],
    /// The object it writes in.
    pub(super) obj: crate::ops::ObjRef<'a>,
    /// The operation's counter.
    pub(super) id: u64,
    pub(super) op: Action<'a>,
    /// The operation inserts a list item.
    pub(super) insert: bool,
    /// The write creates an object (a record, list or text).
    pub(super) creates: bool,
    /// The write fills an empty slot (nothing was there before it).
    pub(super) new_key: bool,
}

impl Ctx<'_> {
    pub(super) fn permit(&self, w: &Write<'_>) -> Result<(), Violation> {
        let p: Vec<&str> = w.path.iter().map(String::as_str).collect();
        let path = || p.join("/");
        let owner = |owner: &str| {
            if owner == self.writer {
                Ok(())
            } else {
                Err(Violation::NotOwner {
                    writer: self.writer.to_owned(),
                    path: path(),
                    owner: owner.to_owned(),
                })
            }
        };
        let governed = || Err(Violation::Governed { path: path() });
        let permanent = || Err(Violation::Permanent { path: path() });
        let deleting = matches!(w.op, Action::Delete);
        // A new record: created in an empty slot, and valid as written.
        let new_record = |check: &dyn Fn(&Self) -> Result<(), String>| {
            if !(w.creates && w.new_key) {
                return permanent();
            }
            check(self).map_err(|why| Violation::BadRecord { path: path(), why })
        };
        match p.as_slice() {
            ["charter", "goals", goal] => new_record(&|c| {
                c.keyed_as(w.id, goal)?;
                c.names_writer(w.id, "added_by")
            }),
            ["charter", "goals", _, "progress", "*"] if w.creates => self
                .names_writer(w.id, "by")
                .map_err(|why| Violation::BadRecord { path: path(), why }),
            ["charter", "goals", _, "progress", ..] => permanent(),
            ["charter", "goals", _, ..] => Ok(()),
            ["charter", ..] | ["charter_versions", ..] => governed(),
            ["members", member] => {
                if self.gov.records.contains_key(*member) || deleting {
                    return governed();
                }
                new_record(&|c| c.check_admission(member))
            }
            ["members", member, "id" | "joined_at", ..] => {
                owner(member)?;
                permanent()
            }
            // A member's key list, and its list of flagged keys once it has one, are edited
            // item by item, never made again: items of a list a change makes are not judged
            // one by one (a key of another member could be claimed that way).
            ["members", member, "keys" | "flagged"]
                if (w.creates && !w.new_key) || (deleting && p[2] == "keys") =>
            {
                owner(member)?;
                permanent()
            }
            // An item of either list is inserted and deleted, never written over: so each
            // item holds the value its insertion gave it, and the rules carry the lists from
            // operations (`Governance::reread`). The model never writes one over.
            ["members", member, "keys" | "flagged", _]
                if matches!(w.op, Action::Put(_)) && !w.insert =>
            {
                owner(member)?;
                permanent()
            }
            ["members", member, "keys", ..] => {
                owner(member)?;
                // A device key added must not be another member's.
                if let Action::Put(automerge::ScalarValue::Str(k)) = w.op
                    && let Ok(k) = k.parse::<NodeKey>()
                    && self
                        .gov
                        .records
                        .values()
                        .any(|m| m.id != *member && m.keys.contains(&k))
                {
                    return Err(Violation::BadRecord {
                        path: path(),
                        why: format!("node key {k} belongs to another member"),
                    });
                }
                Ok(())
            }
            ["members", member, "flagged", ..] => {
                owner(member)?;
                // A key added to the list is another member's, flagged once. (Entries of a
                // list the change itself makes are not judged here: reading counts only
                // another member's keys, each once, up to `MAX_FLAGS` per member.)
                if let Action::Put(automerge::ScalarValue::Str(k)) = w.op {
                    let k = k.parse::<NodeKey>().map_err(|e| Violation::BadRecord {
                        path: path(),
                        why: e.to_string(),
                    })?;
                    let why = match self.gov.record_holding(k.as_bytes()) {
                        None => Some(format!("node key {k} is no member's")),
                        Some(m) if *m == **member => Some(format!("node key {k} is its own")),
                        Some(_)
                            if self
                                .gov
                                .records
                                .get(*member)
                                .is_some_and(|m| m.flagged.contains(&k)) =>
                        {
                            Some(format!("node key {k} is flagged already"))
                        }
                        Some(_) => None,
                    };
                    if let Some(why) = why {
                        return Err(Violation::BadRecord { path: path(), why });
                    }
                }
                Ok(())
            }
            // A plan's times are what members answer: made once, never written over or
            // removed (its fields are fixed too).
            ["members", member, "plans", _] => {
                owner(member)?;
                if w.creates && w.new_key {
                    Ok(())
                } else {
                    permanent()
                }
            }
            // A member's drafts and co-signatures: each map made once with its first entries
            // (each checked), each entry made once, nothing written over or removed.
            [
                "members",
                member,
                field @ ("statements" | "cosigns" | "received" | "received_rosters"),
            ] => {
                owner(member)?;
                if !(w.creates && w.new_key) {
                    return permanent();
                }
                self.check_new_map(member, field, w.id)
                    .map_err(|why| Violation::BadRecord { path: path(), why })
            }
            [
                "members",
                member,
                field @ ("statements" | "cosigns" | "received" | "received_rosters"),
                key,
            ] => {
                owner(member)?;
                new_record(&|c| c.check_new_entry(member, field, key, w.id))
            }
            ["members", member, _, ..] => owner(member),
            ["issues", issue] => new_record(&|c| {
                c.keyed_as(w.id, issue)?;
                c.names_writer(w.id, "raised_by")
            }),
            ["issues", _, "ranks", member] => owner(member),
            ["issues", _, "id" | "raised_by" | "created_at" | "ranks", ..] => permanent(),
            ["issues", _, _, ..] => Ok(()),
            ["pools", pool] => new_record(&|c| {
                c.keyed_as(w.id, pool)?;
                let p: Pool = c.record(&["pools", pool])?;
                if !p.ledger.is_empty() {
                    return Err("a new pool starts with an empty ledger".into());
                }
                c.named_writer(p.created_by.as_str(), "created_by")
            }),
            ["pools", pool, "ledger", entry] => new_record(&|c| {
                c.keyed_as(w.id, entry)?;
                c.names_writer(w.id, "member")?;
                c.check_request(w.id, pool, entry)
            }),
            [
                "pools",
                _,
                "id" | "kind" | "created_by" | "created_at" | "ledger",
                ..,
            ] => permanent(),
            ["pools", _, _, ..] => Ok(()),
            ["proposals", proposal] => new_record(&|c| c.check_proposal(proposal)),
            ["proposals", proposal, "positions", member, ..] => {
                owner(member)?;
                // A position is written field by field: judge it once per change.
                if !self
                    .positions_judged
                    .borrow_mut()
                    .insert((*proposal).to_owned())
                {
                    return Ok(());
                }
                // Its reason, if a block, is judged in what the change leaves, which the rules
                // carry without reading it where they can (`Validator::check_decoded`).
                self.still_open(proposal, &path())
            }
            // A ballot: its member's own, changed but never removed, fitting the poll, cast
            // while it is open (by the change's time) by a member of its electorate. Written
            // field by field: judged once per change, in what the change leaves.
            ["proposals", _, "ballots", member] if deleting => {
                owner(member)?;
                permanent()
            }
            ["proposals", proposal, "ballots", member, ..] => {
                owner(member)?;
                if !self
                    .ballots_judged
                    .borrow_mut()
                    .insert((*proposal).to_owned())
                {
                    return Ok(());
                }
                self.ballot_fits(proposal, member, w.obj)
                    .map_err(|why| Violation::BadRecord { path: path(), why })
            }
            ["proposals", ..] => permanent(),
            ["meetings", meeting] => new_record(&|c| {
                c.keyed_as(w.id, meeting)?;
                c.names_writer(w.id, "recorded_by")
            }),
            ["meetings", _, "id" | "recorded_by", ..] => permanent(),
            ["meetings", _, _, ..] => Ok(()),
            ["schema" | "id" | "created_at" | "members" | "issues" | "pools" | "meetings"] => {
                governed()
            }
            _ => Err(Violation::Unknown { path: path() }),
        }
    }

    /// A record as this change left it.
    fn record<T: autosurgeon::Hydrate>(&self, path: &[&str]) -> Result<T, String> {
        let hash = [self.change.hash()];
        let at = At::new(self.doc, &hash);
        let props = path.iter().map(|k| autosurgeon::Prop::Key((*k).into()));
        autosurgeon::hydrate_path(&at, &ROOT, props)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "it is not there".to_owned())
    }

    /// The object this change created with operation `counter` names the writer in `field`.
    fn names_writer(&self, counter: u64, field: &str) -> Result<(), String> {
        match self.fields.get(&(counter, field)) {
            Some(named) => self.named_writer(named, field),
            None => Err(format!("it has no {field}")),
        }
    }

    /// The object this change created with operation `counter` holds `key` as its id: readers
    /// key records by their id (funding, a ledger's entries), so a record under another's id
    /// would be taken for it.
    fn keyed_as(&self, counter: u64, key: &str) -> Result<(), String> {
        match self.fields.get(&(counter, "id")) {
            Some(id) if *id == key => Ok(()),
            Some(id) => Err(format!("its id is {id}")),
            None => Err("it has no id".into()),
        }
    }

    /// A new ledger entry that requests an allocation names the proposal that decides it,
    /// opened by the same change for this entry ([`Self::check_proposal`] checks the other
    /// way): funding takes any request whose proposal passed, so one naming a proposal passed
    /// for something else would be funded without a vote. Under `allocation=budget` it names
    /// none: it awaits a budget poll over the pool's requests.
    fn check_request(&self, counter: u64, pool: &str, entry: &str) -> Result<(), String> {
        if self.fields.get(&(counter, "kind")).copied() != Some("request") {
            return Ok(());
        }
        // Under `allocation=budget`, a request awaits the next budget poll over the pool and
        // names no proposal of its own; otherwise it names the one deciding it.
        let by_budget = self.in_force.rules.allocation.poll().is_some();
        let Some(id) = self.fields.get(&(counter, "proposal")) else {
            if by_budget {
                return Ok(());
            }
            return Err("a request names the allocation proposal that decides it".into());
        };
        if by_budget {
            return Err(
                "the charter decides allocations by budget polls: a request names no proposal"
                    .into(),
            );
        }
        let p: Proposal = self
            .record(&["proposals", id])
            .map_err(|e| format!("its proposal {id}: {e}"))?;
        if p.kind != DecisionKind::Allocation || !requests(&p, pool, entry) {
            return Err(format!("proposal {id} is no allocation of this request"));
        }
        self.named_writer(p.author.as_str(), "its proposal's author")
    }

    fn named_writer(&self, named: &str, field: &str) -> Result<(), String> {
        if named == self.writer {
            Ok(())
        } else {
            Err(format!(
                "{field} names {named} but member {} wrote it",
                self.writer
            ))
        }
    }

    fn check_proposal(&self, id: &str) -> Result<(), String> {
        let p: Proposal = self.record(&["proposals", id])?;
        if p.id != id {
            return Err(format!("its id is {}", p.id));
        }
        self.named_writer(p.author.as_str(), "author")?;
        let (rule, electorate) = rule_and_electorate(self.in_force, p.kind, p.subject.as_ref())?;
        if p.rule != rule {
            return Err(format!(
                "its rule is {} but the charter's rule for {} decisions is {rule}",
                p.rule, p.kind
            ));
        }
        let given: BTreeSet<&MemberId> = p.electorate.iter().collect();
        let expected: BTreeSet<&MemberId> = electorate.iter().collect();
        if given != expected || given.len() != p.electorate.len() {
            return Err("its electorate is not the members entitled to decide it".into());
        }
        if p.weights != self.in_force.weights.of_electorate(p.kind, &p.electorate) {
            return Err(format!(
                "its weights are not the charter's for {} decisions, of its electorate",
                p.kind
            ));
        }
        if !p.positions.is_empty() {
            return Err("a new proposal has no positions yet".into());
        }
        if !p.ballots.is_empty() {
            return Err("a new proposal has no ballots yet".into());
        }
        if let Some(poll) = &p.poll {
            if let Some(why) = crate::schema::poll_kind_problem(p.kind, poll) {
                return Err(why);
            }
            // A poll decides by its count, never one request by positions (a budget poll
            // deciding a request of its own would pay it whatever its count gave).
            if p.subject.is_some() {
                return Err(
                    "a poll decides no member's admission or removal and no one request".into(),
                );
            }
            if p.closes_at.is_none() {
                return Err("a poll closes: it has no closing time".into());
            }
            if let Some(why) =
                crate::poll::spec_problem(poll.method, &poll.options, &poll.asks_hundredths())
                    .or_else(|| {
                        crate::poll::issues_problem(poll.method, poll.options.len(), &poll.issues)
                    })
            {
                return Err(why);
            }
            // An election is among members in force and a budget over requests awaiting one,
            // its options (and asks) as the document says them at the change (a rename is not
            // the governance's to carry; bounded: a read or two per option).
            let entries: Vec<Option<crate::schema::LedgerEntry>> = match &poll.pool {
                Some(pool) => poll
                    .requests
                    .iter()
                    .map(|e| {
                        self.record(&["pools", pool.as_str(), "ledger", e.as_str()])
                            .ok()
                    })
                    .collect(),
                None => Vec::new(),
            };
            let name = |m: &MemberId| self.record::<String>(&["members", m.as_str(), "name"]).ok();
            let in_force = |m: &MemberId| self.in_force.members.contains_key(m);
            if let Some(w) = crate::schema::written(poll, in_force, &entries, name)? {
                if let Some((r, (want, given))) = poll
                    .requests
                    .iter()
                    .zip(w.asks.iter().zip(&poll.asks))
                    .find(|(_, (want, given))| want != given)
                {
                    return Err(format!("request {r} asks {want}, not {given}"));
                }
                if poll.pool.is_some() && poll.asks.len() != w.asks.len() {
                    return Err("an allocation poll asks for each request what it asks".into());
                }
                if poll.options != w.options {
                    return Err(if poll.role.is_some() {
                        "its options are not its candidates' names".into()
                    } else {
                        "its options are not its requests' members and reasons".into()
                    });
                }
            }
            let hash = [self.change.hash()];
            let at = At::new(self.doc, &hash);
            // A poll over issues names issues there when it opens (bounded: one per option).
            if !poll.issues.is_empty() {
                let issues = autosurgeon::ReadDoc::get(&at, &ROOT, "issues")
                    .ok()
                    .flatten()
                    .map(|(_, obj)| obj);
                for issue in &poll.issues {
                    // A record, as the model's edit requires (`record_in`).
                    let there = issues.as_ref().is_some_and(|obj| {
                        matches!(
                            autosurgeon::ReadDoc::get(&at, obj, issue.as_str()),
                            Ok(Some((automerge::Value::Object(automerge::ObjType::Map), _)))
                        )
                    });
                    if !there {
                        return Err(format!("it ranks issue {issue}, which is not there"));
                    }
                }
            }
            // Its ballots' map is made with it: no member could make it later (the proposal's
            // fields are its author's, written once), so a poll without one takes no ballot.
            let has_map = autosurgeon::ReadDoc::get(&at, &ROOT, "proposals")
                .ok()
                .flatten()
                .and_then(|(_, ps)| autosurgeon::ReadDoc::get(&at, &ps, id).ok().flatten())
                .and_then(|(_, p)| autosurgeon::ReadDoc::get(&at, &p, "ballots").ok().flatten())
                .is_some_and(|(v, _)| {
                    matches!(v, automerge::Value::Object(automerge::ObjType::Map))
                });
            if !has_map {
                return Err("a poll is opened with its (empty) map of ballots".into());
            }
        }
        if let Some(why) =
            crate::schema::poll_rule_problem(p.kind, &p.rule, p.poll.as_ref().map(|s| s.method))
        {
            return Err(why);
        }
        if p.amendment.is_some() && p.kind != DecisionKind::Amendment {
            return Err("only an amendment carries charter changes".into());
        }
        match (&p.link, p.kind) {
            (Some(terms), DecisionKind::Link) => {
                let own: crate::ids::CoalitionId = self.record(&["id"])?;
                if let Some(why) = crate::schema::link_problem(&own, terms) {
                    return Err(why);
                }
                // Its positions are bounded by its close (a member's stated time could
                // otherwise decide it in any future, and keep it the latest link decided).
                if p.closes_at.is_none() {
                    return Err("a link proposal closes: it has no closing time".into());
                }
                // The goals and pools it names are there (bounded: `link_problem` counts them).
                for g in &terms.goals {
                    self.record::<String>(&["charter", "goals", g.as_str(), "id"])
                        .map_err(|_| format!("it names goal {g}, which is not there"))?;
                }
                for pool in &terms.pools {
                    self.record::<String>(&["pools", pool.as_str(), "id"])
                        .map_err(|_| format!("it names pool {pool}, which is not there"))?;
                }
            }
            (None, DecisionKind::Link) => return Err("a link proposal carries its terms".into()),
            (Some(_), _) => return Err("only a link proposal carries link terms".into()),
            (None, _) => {}
        }
        if p.answers.is_some() && p.kind != DecisionKind::General {
            return Err("only a general proposal answers a call".into());
        }
        if let Some(why) = p
            .amendment
            .as_ref()
            .and_then(|a| crate::doc::weights_problem(&a.weights))
        {
            return Err(why);
        }
        // A rule naming a poll method for a kind polls cannot decide would leave that kind
        // undecidable for good.
        if let Some(why) = p
            .amendment
            .iter()
            .flat_map(|a| &a.rules)
            .find_map(|c| c.rule.and_then(|r| crate::schema::rule_problem(c.kind, &r)))
        {
            return Err(why);
        }
        // An allocation decides a request of its author's, written by the same change and
        // naming it ([`Self::check_request`]); only an allocation decides one.
        if let Some(crate::schema::Subject::Request { pool, entry }) = &p.subject {
            if p.kind != DecisionKind::Allocation {
                return Err(format!("a {} proposal decides no request", p.kind));
            }
            let e: LedgerEntry = self
                .record(&["pools", pool.as_str(), "ledger", entry.as_str()])
                .map_err(|e| format!("entry {entry} of pool {pool}, which it decides: {e}"))?;
            if e.kind != EntryKind::Request
                || e.proposal.as_ref().is_none_or(|named| named.as_str() != id)
                || e.member != p.author
            {
                return Err(format!(
                    "entry {entry} of pool {pool} is not its author's request naming it"
                ));
            }
        }
        if let Some(crate::schema::Subject::Admit(m)) = crate::governance::subject(&p) {
            // The record of the member it admits is written by the same change.
            let member: Member = self.record(&["members", m.as_str()])?;
            if self.gov.records.contains_key(m) || member.admission.as_ref().is_none_or(|a| a != id)
            {
                return Err(format!("member {m} is not a new member awaiting this vote"));
            }
        }
        Ok(())
    }

    /// `member`'s ballot in `proposal`'s poll, as this change leaves it, fits the poll, and was
    /// cast while the poll was open by a member of its electorate.
    fn ballot_fits(
        &self,
        proposal: &str,
        member: &str,
        obj: crate::ops::ObjRef<'_>,
    ) -> Result<(), String> {
        let p = self.poll_of(proposal, obj)?;
        let Some(poll) = &p.poll else {
            return Err(format!("proposal {proposal} is no poll"));
        };
        if !p.electorate.iter().any(|m| m.as_str() == member) {
            return Err(format!(
                "member {member} is not among those deciding proposal {proposal}"
            ));
        }
        let cast: crate::schema::BallotRecord =
            self.record(&["proposals", proposal, "ballots", member])?;
        // Its time is its change's (to the second, `stated_time`); the count takes the
        // ballots stated before the close, to the millisecond, and so do the rules.
        if let Some(closed) = p.closes_at.filter(|c| self.now >= *c || cast.at >= *c) {
            return Err(format!("the poll closed at {closed}"));
        }
        crate::poll::check(
            poll.method,
            poll.options.len(),
            p.weight_of(member),
            &cast.ballot,
        )
        .map_err(|e| e.to_string())
    }

    /// The poll facts of the proposal `proposal` whose `ballots` map holds the object `obj`
    /// writes in (or is it): kept by the validator once read.
    fn poll_of(
        &self,
        proposal: &str,
        obj: crate::ops::ObjRef<'_>,
    ) -> Result<std::sync::Arc<PollRead>, String> {
        let key = match obj {
            crate::ops::ObjRef::Id(counter, actor) => self.proposal_object(counter, actor),
            crate::ops::ObjRef::Root => None,
        };
        // (A lock poisoned by a panic elsewhere still holds facts read whole: take them.)
        let kept = |k: &(u64, automerge::ActorId)| {
            self.polls
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get(k)
                .cloned()
        };
        if let Some(p) = key.as_ref().and_then(kept) {
            return Ok(p);
        }
        let read: std::sync::Arc<PollRead> =
            std::sync::Arc::new(self.record(&["proposals", proposal])?);
        if let Some(key) = key {
            self.polls
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, read.clone());
        }
        Ok(read)
    }

    /// The proposal object (its creating operation) above the object made by (`counter`,
    /// `actor`) in a proposal's `ballots` map, or that map itself: objects never move, so
    /// this reads the document as it is, not at past heads.
    fn proposal_object(
        &self,
        counter: u64,
        actor: &automerge::ActorId,
    ) -> Option<(u64, automerge::ActorId)> {
        use automerge::ReadDoc;
        let (obj, _) = self.doc.import(&format!("{counter}@{actor}")).ok()?;
        // The parent whose key for the way down is `ballots` is the proposal.
        let proposal = self
            .doc
            .parents(&obj)
            .ok()?
            .take(4)
            .find(|p| matches!(&p.prop, automerge::Prop::Map(k) if k == "ballots"))?
            .obj;
        match proposal {
            automerge::ObjId::Id(c, a, _) => Some((c, a)),
            automerge::ObjId::Root => None,
        }
    }

    /// The object this change made with operation `counter` among the values at `key` of
    /// `parent` (of several values there, the one this change wrote, not the one that wins).
    fn made_at(
        &self,
        parent: &automerge::ObjId,
        key: &str,
        counter: u64,
    ) -> Option<automerge::ObjId> {
        use automerge::ReadDoc;
        let made = format!("{counter}@{}", self.change.actor_id().to_hex_string());
        self.doc
            .get_all_at(parent, key, &[self.change.hash()])
            .ok()?
            .into_iter()
            .find(|(_, obj)| obj.to_string() == made)
            .map(|(_, obj)| obj)
    }

    /// `member`'s record as this change leaves it.
    fn record_obj(&self, member: &str) -> Option<automerge::ObjId> {
        use automerge::{ObjType, ReadDoc, Value};
        let hash = [self.change.hash()];
        let map_at = |obj: &automerge::ObjId, key: &str| match self.doc.get_at(obj, key, &hash) {
            Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
            _ => None,
        };
        map_at(&automerge::ROOT, "members").and_then(|members| map_at(&members, member))
    }

    /// Each map at `field` of `member`'s record, as this change leaves it.
    fn own_maps(&self, member: &str, field: &str) -> Vec<automerge::ObjId> {
        use automerge::{ObjType, ReadDoc, Value};
        let Some(record) = self.record_obj(member) else {
            return Vec::new();
        };
        self.doc
            .get_all_at(&record, field, &[self.change.hash()])
            .unwrap_or_default()
            .into_iter()
            .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
            .map(|(_, obj)| obj)
            .collect()
    }

    /// Every entry of the map of drafts or co-signatures this change made (operation
    /// `counter`) in `member`'s record.
    fn check_new_map(&self, member: &str, field: &str, counter: u64) -> Result<(), String> {
        use automerge::ReadDoc;
        let hash = [self.change.hash()];
        let Some(record) = self.record_obj(member) else {
            return Ok(());
        };
        let Some(map) = self.made_at(&record, field, counter) else {
            return Err(format!("the {field} map it made is not there"));
        };
        let keys: Vec<String> = self.doc.keys_at(&map, &hash).collect();
        for key in keys {
            for (_, entry) in self
                .doc
                .get_all_at(&map, key.as_str(), &hash)
                .unwrap_or_default()
            {
                self.check_own_entry(field, &key, &entry)
                    .map_err(|why| format!("{key}: {why}"))?;
            }
        }
        Ok(())
    }

    /// The entry this change made (operation `counter`) at `key` of `member`'s map at `field`.
    fn check_new_entry(
        &self,
        member: &str,
        field: &str,
        key: &str,
        counter: u64,
    ) -> Result<(), String> {
        use automerge::ReadDoc;
        let (map, entry) = self
            .own_maps(member, field)
            .into_iter()
            .find_map(|map| self.made_at(&map, key, counter).map(|e| (map, e)))
            .ok_or_else(|| "the entry it made is not there".to_owned())?;
        // Made once: a slot that held one where the change was made holds it for good (an
        // entry beside it could otherwise hide it from readers taking the winning value).
        let before = self
            .doc
            .get_all_at(&map, key, self.change.deps())
            .unwrap_or_default();
        if !before.is_empty() {
            return Err("there is one under this id already: it is made once".into());
        }
        self.check_own_entry(field, key, &entry)
    }

    /// The links in force when the change was made: every link proposal as the change leaves
    /// it, tallied at its time, as `reports::links` reads them.
    fn links_at_change(
        &self,
    ) -> std::collections::BTreeMap<crate::ids::CoalitionId, crate::reports::LinkInForce> {
        use automerge::{ObjType, ReadDoc, Value};
        let hash = [self.change.hash()];
        let Ok(Some((Value::Object(ObjType::Map), proposals))) =
            self.doc.get_at(&ROOT, "proposals", &hash)
        else {
            return Default::default();
        };
        let mut links = Vec::new();
        for id in self.doc.keys_at(&proposals, &hash).collect::<Vec<_>>() {
            let Ok(Some((Value::Object(ObjType::Map), p))) =
                self.doc.get_at(&proposals, id.as_str(), &hash)
            else {
                continue;
            };
            // Only link proposals are read whole.
            let link = matches!(
                self.doc.get_at(&p, "kind", &hash),
                Ok(Some((Value::Scalar(k), _))) if k.as_str() == Some(DecisionKind::Link.as_str())
            );
            if link && let Ok(p) = self.record::<Proposal>(&["proposals", id.as_str()]) {
                links.push(p);
            }
        }
        crate::reports::links(&links, self.now)
    }

    /// Whether the statement of a linked coalition stored at `key` of `field` is one this
    /// coalition takes, as the change leaves it (`received::taking`, `Taking::judge`).
    fn check_received(&self, field: &str, key: &str, signed: &[u8]) -> Result<(), String> {
        let signed = federation::Signed::decode(signed).map_err(|e| e.to_string())?;
        let own: crate::ids::CoalitionId = self.record(&["id"])?;
        // What needs no link nor roster first (its form, key, field, publisher): a change
        // refused for those costs no reading of the proposals or the rosters.
        match crate::received::taking(&own, &Default::default(), Some(field), Some(key), &signed) {
            Err(crate::received::ReceiveError::NotLinked { .. }) | Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
        let mut cell = self.received.borrow_mut();
        let ctx = cell.get_or_insert_with(|| ReceivedCtx {
            links: self.links_at_change(),
            ..Default::default()
        });
        let taking = crate::received::taking(&own, &ctx.links, Some(field), Some(key), &signed)
            .map_err(|e| e.to_string())?;
        let rosters = ctx.rosters.get_or_insert_with(|| {
            let hash = [self.change.hash()];
            let view = crate::received::View {
                doc: self.doc,
                heads: Some(&hash),
            };
            crate::received::read(view, crate::received::ROSTERS)
                .into_values()
                .collect()
        });
        let chain = ctx
            .chains
            .entry((taking.publisher.clone(), taking.pin))
            .or_insert_with(|| {
                crate::received::chain_of(rosters.iter(), &taking.publisher, &taking.pin)
            });
        taking
            .judge(chain.as_ref(), &signed)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// A draft is the statement its key names (the key is its bytes' hash), of this
    /// coalition; a co-signature is by the node key that writes it and verifies over the id
    /// its key names; a received statement is one the coalition takes from a linked one.
    fn check_own_entry(
        &self,
        field: &str,
        key: &str,
        entry: &automerge::ObjId,
    ) -> Result<(), String> {
        use autosurgeon::Hydrate;
        let hash = [self.change.hash()];
        let at = At::new(self.doc, &hash);
        if field == crate::received::STATEMENTS || field == crate::received::ROSTERS {
            let view = crate::received::View {
                doc: self.doc,
                heads: Some(&hash),
            };
            let r = view
                .record(entry)
                .ok_or("it is not a received statement: {body, at}")?;
            return self.check_received(field, key, &r.body);
        }
        if field == "statements" {
            let d = crate::statements::DraftRecord::hydrate_map(&at, entry)
                .map_err(|e| e.to_string())?;
            let statement = federation::Statement::decode(&d.body).map_err(|e| e.to_string())?;
            if federation::StatementId::of(&d.body).hex() != key {
                return Err("its id is not its statement's (the hash of its bytes)".into());
            }
            let own: crate::ids::CoalitionId = self.record(&["id"])?;
            if statement.coalition != own.to_bytes() {
                return Err("its statement is another coalition's".into());
            }
            return Ok(());
        }
        let c =
            crate::statements::CosignRecord::hydrate_map(&at, entry).map_err(|e| e.to_string())?;
        if c.key.as_bytes().as_slice() != self.change.actor_id().to_bytes() {
            return Err("it is not by the node key that wrote it".into());
        }
        let id = federation::StatementId::from_hex(key).map_err(|e| e.to_string())?;
        let cosign = federation::Cosign {
            key: *c.key.as_bytes(),
            signature: *c.signature,
        };
        if !cosign.verifies(&id) {
            return Err("its signature does not verify".into());
        }
        Ok(())
    }

    /// A new member record, admitted by the charter's admission rule in force.
    fn check_admission(&self, member: &str) -> Result<(), String> {
        let m: Member = self.record(&["members", member])?;
        if m.id != member {
            return Err(format!("its id is {}", m.id));
        }
        if m.keys.is_empty() {
            return Err("a member needs a node key".into());
        }
        if m.left_at.is_some() {
            return Err("a new member has not left".into());
        }
        if !m.flagged.is_empty() {
            return Err("a new member has flagged no key yet".into());
        }
        // A translation names its member as translator: only that member writes one, never
        // the member that admits it.
        {
            let hash = [self.change.hash()];
            let at = At::new(self.doc, &hash);
            let record = autosurgeon::ReadDoc::get(&at, &ROOT, "members")
                .ok()
                .flatten()
                .and_then(|(_, members)| {
                    autosurgeon::ReadDoc::get(&at, &members, member)
                        .ok()
                        .flatten()
                });
            if let Some((_, record)) = record {
                for field in crate::owned::OWN_FIELDS {
                    if autosurgeon::ReadDoc::get(&at, &record, field)
                        .ok()
                        .flatten()
                        .is_some()
                    {
                        let what = match field {
                            "translations" => "translation",
                            "plans" => "meeting plan",
                            "availability" => "answer to a meeting plan",
                            "statements" => "statement draft",
                            "cosigns" => "co-signature",
                            _ => "received statement",
                        };
                        return Err(format!("a new member has written no {what} yet"));
                    }
                }
            }
        }
        if let Some(k) = m
            .keys
            .iter()
            .find(|k| self.gov.records.values().any(|r| r.keys.contains(k)))
        {
            return Err(format!("node key {k} already belongs to a member"));
        }
        match (self.in_force.rules.admission, &m.admission) {
            // Admission by a member's invite: the invite is the decision.
            (None, None) => Ok(()),
            (None, Some(_)) => Err("the charter admits members by invite, not by vote".into()),
            (Some(_), None) => {
                Err("the charter admits members by vote: the record must name its proposal".into())
            }
            (Some(_), Some(p)) => {
                let p: Proposal = self.record(&["proposals", p.as_str()])?;
                match crate::governance::subject(&p) {
                    Some(crate::schema::Subject::Admit(who))
                        if who == member && !self.gov.proposals.contains_key(&p.id) =>
                    {
                        Ok(())
                    }
                    _ => Err(format!(
                        "proposal {} does not newly decide this admission",
                        p.id
                    )),
                }
            }
        }
    }

    /// A block carries its reason, so the other members know what to address.
    pub(super) fn block_has_reason(&self, proposal: &str, member: &str) -> Result<(), String> {
        let pos: crate::schema::PositionRecord =
            self.record(&["proposals", proposal, "positions", member])?;
        gives_reason(&pos)
    }

    /// A position may be taken only while the proposal is open, as of the change's
    /// dependencies and time. A governing proposal is in the governance carried there, and
    /// another's tally among those carried beside it, once read (`governance::Votes`); else
    /// only what the tally reads is read (`reports::Vote`), not the proposal's text: each
    /// read at past heads costs a walk back through the history, and a scan of every value
    /// the position's key ever held.
    fn still_open(&self, proposal: &str, path: &str) -> Result<(), Violation> {
        // A governing proposal is in the governance at the change's dependencies already.
        if let Some(p) = self.gov.proposals.get(proposal) {
            return open(proposal_tally(p, self.now).outcome, proposal, path);
        }
        // Another carried to the change's dependencies; else read there once, with where its
        // positions are, to carry the next positions from (where its key is a proposal id).
        let id = proposal.parse::<ProposalId>().ok();
        if let Some(v) = id.as_ref().and_then(|id| self.votes.get(id)) {
            return open(vote_tally(&v.vote, self.now).outcome, proposal, path);
        }
        let deps = self.change.deps();
        let at = At::new(self.doc, deps);
        let Some(v) = VoteRead::read(&at, proposal) else {
            return Err(Violation::Unknown {
                path: path.to_owned(),
            });
        };
        // A poll is decided by ballots (its count and the power audit ignore positions):
        // never carried, so every position on it is judged here.
        if v.poll {
            return Err(Violation::BadRecord {
                path: path.to_owned(),
                why: format!(
                    "proposal {proposal} is a poll: members cast ballots on it, not positions"
                ),
            });
        }
        let outcome = vote_tally(&v.vote, self.now).outcome;
        if let Some(id) = id {
            self.votes_read
                .borrow_mut()
                .insert(id, std::sync::Arc::new(v));
        }
        open(outcome, proposal, path)
    }
}

/// Refuses a position on a proposal whose tally is not `Open`.
fn open(outcome: Outcome, proposal: &str, path: &str) -> Result<(), Violation> {
    match outcome {
        Outcome::Open => Ok(()),
        outcome => Err(Violation::Decided {
            path: path.to_owned(),
            proposal: proposal.to_owned(),
            outcome,
        }),
    }
}

/// A block carries its reason ([`Ctx::block_has_reason`]).
pub(super) fn gives_reason(pos: &crate::schema::PositionRecord) -> Result<(), String> {
    // Only white space counts as no reason here: older nodes took a reason of characters
    // that draw nothing (the local edit refuses those, `values::is_blank`), and refusing them
    // now on receipt would split nodes of two versions over history they both hold.
    if pos.stance == crate::values::Stance::Block && pos.reason.trim().is_empty() {
        return Err("a block carries a reason".into());
    }
    Ok(())
}

/// Whether `p`'s subject is entry `entry` of pool `pool`.
fn requests(p: &Proposal, pool: &str, entry: &str) -> bool {
    matches!(&p.subject, Some(crate::schema::Subject::Request { pool: pl, entry: e })
        if pl.as_str() == pool && e.as_str() == entry)
}
