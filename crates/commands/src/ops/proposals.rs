//! Proposals: open one, take a position, show one with its tally, list a page.
//!
//! Each reads the proposals it shows, alone or through the listing's headers (a page's records
//! whole), and the governance for names. Taking a position answers the proposal's tally, read alone
//! after the edit; an allocation shown alone reads its pool with the proposals deciding the pool's
//! requests (`pools::read_pool`), for its funding.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, bail};
use model::schema::{Proposal, Subject};
use model::{
    CoalitionId, DecisionKind, EntryId, MemberId, NewProposal, Outcome, PoolId, ProposalId, Stance,
    Tally, Timestamp, reports,
};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Most proposals in one page.
pub const MAX_PAGE: usize = super::MAX_PAGE;
/// Proposals in a page when the request names no limit.
pub const DEFAULT_PAGE: usize = 50;

/// A proposal to open.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProposalRequest {
    /// Kind of decision: `public-statement` or `general`; `allocation` for a budget poll over
    /// a pool's requests (`pool`, `requests`); `role` for an election (`role`, `candidates`). Amendments, other allocations and membership
    /// decisions are opened by the operations that say what they change.
    pub kind: String,
    /// Short title, up to 200 characters.
    pub title: String,
    /// Full text, up to 20,000 characters.
    #[serde(default)]
    pub text: String,
    /// When positions stop counting: a day (`2026-12-31`, through the end of that day UTC)
    /// or a duration from now (`7d`, `48h`, `30m`). Open until decided when absent.
    #[serde(default)]
    pub closes: Option<String>,
    /// A poll instead of positions (a general proposal only, with a closing time): how its
    /// ballots are counted. `choose` (one option), `choose:MAX` or `choose:MIN-MAX`
    /// (approval), `score[:MAX]` (0 to 5 unless said), `dots[:N]` (8 unless said), `ranked`
    /// (instant runoff), `condorcet` (Schulze), `stv:SEATS[:meek|:scottish]`, `time` (each
    /// option a time answered yes, if-needed or no), `budget:SHARE` (each member gives up to
    /// SHARE, an amount, over requests). Ballots are never anonymous: each is signed by its
    /// member's node, as positions are.
    #[serde(default)]
    pub method: Option<String>,
    /// The poll's options, in order (two to 100; one will do for times and requests).
    #[serde(default)]
    pub options: Vec<String>,
    /// For a budget: each request's ask, in the options' order (`1500`, `12.50`).
    #[serde(default)]
    pub asks: Vec<String>,
    /// A poll over the issue inventory (`dots` or `score`): the issues it ranks, each by id
    /// or unique prefix, or `all` for every issue not won or dropped. Their titles are the
    /// options (give no others). Once it closes with its quorum, its result is the
    /// inventory's priority (`issue list --by priority`) until a later one's is.
    #[serde(default)]
    pub issues: Vec<String>,
    /// An allocation decided by a budget poll (`kind` `allocation`, `method` `budget:SHARE`,
    /// under the charter's `allocation=budget`): the pool (id or unique prefix) whose
    /// requests it funds.
    #[serde(default)]
    pub pool: Option<String>,
    /// With `pool`: the requests it funds (ledger entries, each by id or unique prefix), or
    /// `all` for every request awaiting a budget poll; each request's reason (with its
    /// member) is an option and its amount the ask (give no others).
    #[serde(default)]
    pub requests: Vec<String>,
    /// An election of role holders (`kind` `role`, `method` `stv:SEATS`, `ranked` or
    /// `condorcet`): the role it fills, `spokespeople`, `statement-signoff` or `delegates`. Once it closes
    /// with its quorum, those it elects hold the role (until a later election of it passes).
    #[serde(default)]
    pub role: Option<String>,
    /// With `role`: the candidates, each a member in force by id, unique prefix or exact
    /// name, or `all` for every member in force; their names are the options (give no
    /// others).
    #[serde(default)]
    pub candidates: Vec<String>,
    /// A general proposal answering a call received from a coalition this one is an
    /// affiliate of: the call's id or unique prefix (`statement received` lists calls). It
    /// closes when the call does (`closes` may say no other time); once decided, its outcome is
    /// this coalition's mandate position, which its author's node drafts and the members'
    /// nodes co-sign on their own.
    #[serde(default)]
    pub answers: Option<String>,
}

/// A ballot in a poll, cast (or changed) for this node's organization. Options are named by
/// their text or their number in the poll's list, from 1; give the field the poll's method
/// takes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotRequest {
    /// `choose`: the options picked.
    #[serde(default)]
    pub choose: Vec<String>,
    /// `ranked`, `condorcet`, `stv`: options from most to least preferred.
    #[serde(default)]
    pub rank: Vec<String>,
    /// `score`: `OPTION=SCORE` for each option scored (those left out score 0).
    #[serde(default)]
    pub score: Vec<String>,
    /// `dots`: `OPTION=DOTS`.
    #[serde(default)]
    pub dots: Vec<String>,
    /// `time`: `OPTION=yes`, `OPTION=if-needed` or `OPTION=no` (a time left out: no).
    #[serde(default)]
    pub slots: Vec<String>,
    /// `budget`: `OPTION=AMOUNT` given to each request.
    #[serde(default)]
    pub give: Vec<String>,
}

/// What a ballot changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BallotCast {
    /// The poll.
    #[schema(value_type = String)]
    pub id: ProposalId,
    /// The ballot recorded, as stored (`rank:2,0,1`: options from 0).
    pub ballot: String,
    /// Where the poll stands now.
    pub outcome: Outcome,
    /// Its counts now (ballots cast count as `agree`).
    pub tally: Tally,
}

/// A position on a proposal, taken (or changed) for this node's organization.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionRequest {
    /// `agree`, `abstain`, `disagree` or `block`.
    pub stance: String,
    /// Why; required for a block.
    #[serde(default)]
    pub reason: String,
}

/// What a position changed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PositionTaken {
    /// The proposal.
    #[schema(value_type = String)]
    pub id: ProposalId,
    /// The position recorded.
    #[schema(value_type = String)]
    pub stance: Stance,
    /// Where the proposal stands now.
    pub outcome: Outcome,
    /// Its counts now.
    pub tally: Tally,
}

/// Which proposals to list, newest first (by the time each opened, then id).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// Only proposals of this kind (`amendment`, `allocation`, `membership`,
    /// `public-statement`, `general`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only the open proposals this organization may still take a position on and has not,
    /// soonest closing first (those open until decided last). `total` is then at most that
    /// many: it counts the proposals not closed, open to this organization and not answered
    /// by it, some of which are left out of the pages (decided already, or not readable); at
    /// most 200 of them are read for one page, those skipped for `offset` included, and an
    /// organization that is not a member gets an empty page.
    #[serde(default)]
    pub waiting: bool,
    /// How many matching proposals to skip.
    #[serde(default)]
    pub offset: usize,
    /// Most proposals to return (default 50, at most 500; at least 1).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// A proposal with where it stands, as `coalesce proposal show --json` prints it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalView {
    /// The proposal as recorded.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// Where it stands now.
    pub outcome: Outcome,
    /// Its counts now.
    pub tally: Tally,
    /// For an allocation: whether the pool funded it (in a single proposal's view only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding: Option<reports::Funding>,
    /// For a poll: its result from the ballots cast so far, with every round and matrix
    /// its method counts (in a single proposal's view only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub result: Option<model::poll::PollResult>,
}

/// What an allocation asks for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllocationView {
    /// The pool's id.
    #[schema(value_type = String)]
    pub pool: model::PoolId,
    /// The pool's name.
    pub pool_name: String,
    /// The pool's unit (USD, hours...).
    pub unit: String,
    /// How much is asked, in that unit.
    #[schema(value_type = String)]
    pub amount: model::Amount,
    /// The member that asked to receive it.
    #[schema(value_type = String)]
    pub member: MemberId,
    /// What became of it.
    pub funding: reports::Funding,
}

/// One proposal, with what it decides and the names of the members it names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalDetail {
    /// The proposal and its tally.
    pub proposal: ProposalView,
    /// For an allocation: the request it decides.
    pub allocation: Option<AllocationView>,
    /// The names of the members it names (author, electorate, subject), by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// One page of proposals.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProposalPage {
    /// How many proposals match, in all pages.
    pub total: usize,
    /// How many were skipped before this page.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next: Option<usize>,
    /// The proposals of this page, newest first.
    pub proposals: Vec<ProposalView>,
    /// The names of the members these proposals name, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// Parses a closing time: a day (through the end of that day, UTC) or a duration from `now`
/// (`7d`, `48h`, `30m`).
pub fn closing_time(given: &str, now: Timestamp) -> anyhow::Result<Timestamp> {
    deadline(given, now, "closing time")
}

/// Parses a deadline named `what` in messages (`closing time`, `invite expiry`): a day
/// (through the end of that day, UTC: its last millisecond, so that it prints as the day
/// typed) or a duration from `now` in days, hours or minutes.
pub fn deadline(given: &str, now: Timestamp, what: &str) -> anyhow::Result<Timestamp> {
    let g = given.trim();
    let bad = || {
        super::Invalid(format!(
            "invalid {what} `{g}`: give a duration in days, hours or minutes (7d, 48h, 30m) or \
             a day (2026-12-31, through the end of that day UTC)"
        ))
    };
    if let Ok(d) = g.parse::<jiff::civil::Date>() {
        let end = d.tomorrow().map_err(|_| bad())?;
        let ts = jiff::tz::Offset::UTC
            .to_timestamp(end.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|_| bad())?;
        let at = ts.as_millisecond() - 1;
        if at <= now.as_millis() {
            bail!(super::Invalid(format!(
                "invalid {what} `{g}`: that day is over"
            )));
        }
        return Ok(Timestamp::from_millis(at));
    }
    let (num, unit) = g.split_at(g.find(|c: char| !c.is_ascii_digit()).unwrap_or(g.len()));
    let n: i64 = num.parse().map_err(|_| bad())?;
    let ms = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return Err(bad().into()),
    };
    if n <= 0 || n > 3650 * 86_400_000 / ms {
        bail!(super::Invalid(format!(
            "invalid {what} `{g}`: the duration must be between one minute and ten years"
        )));
    }
    Ok(Timestamp::from_millis(now.as_millis() + n * ms))
}

/// A new proposal with a fresh id, closing at `closes` if given.
pub fn new_proposal(
    kind: DecisionKind,
    title: String,
    text: String,
    closes: Option<&str>,
) -> anyhow::Result<NewProposal> {
    Ok(NewProposal {
        id: ProposalId::from_bytes(replica::fresh_id_bytes()?),
        kind,
        title,
        text,
        closes_at: closes
            .map(|g| closing_time(g, replica::now()))
            .transpose()?,
    })
}

/// Opens a proposal.
pub fn create(
    r: &mut Replica,
    c: &CoalitionId,
    req: NewProposalRequest,
) -> anyhow::Result<ProposalId> {
    let kind: DecisionKind = req.kind.parse()?;
    let mut poll = poll_spec(&req)?;
    if !req.issues.is_empty() {
        let Some(spec) = poll.as_mut() else {
            return Err(super::Invalid(
                "a poll ranks issues: say its method too (`dots` or `score`)".to_owned(),
            )
            .into());
        };
        if !spec.options.is_empty() {
            return Err(super::Invalid(
                "a poll over issues takes the issues' titles as its options: give issues or options, not both".to_owned(),
            )
            .into());
        }
        (spec.issues, spec.options) = ranked_issues(r, c, &req.issues)?;
    }
    if req.pool.is_some() || !req.requests.is_empty() {
        let (Some(spec), Some(pool)) = (poll.as_mut(), req.pool.as_deref()) else {
            return Err(super::Invalid(
                "a budget over a pool's requests names its method (`budget:SHARE`) and its \
                 pool"
                    .to_owned(),
            )
            .into());
        };
        if !spec.options.is_empty() || !spec.asks.is_empty() {
            return Err(super::Invalid(
                "a budget over a pool's requests takes the requests as its options and their \
                 amounts as its asks: give requests, not options or asks"
                    .to_owned(),
            )
            .into());
        }
        let (pool, requests) = budget_requests(r, c, pool, &req.requests)?;
        (spec.pool, spec.requests) = (Some(pool), requests);
    }
    if req.role.is_some() || !req.candidates.is_empty() {
        let (Some(spec), Some(role)) = (poll.as_mut(), req.role.as_deref()) else {
            return Err(super::Invalid(
                "an election names its method (`stv:SEATS`, `ranked` or `condorcet`) and the \
                 role it fills"
                    .to_owned(),
            )
            .into());
        };
        if !spec.options.is_empty() {
            return Err(super::Invalid(
                "an election takes its candidates' names as its options: give candidates, not \
                 options"
                    .to_owned(),
            )
            .into());
        }
        spec.role =
            Some(role.parse().map_err(|e: model::ValueError| {
                anyhow::Error::from(super::Invalid(e.to_string()))
            })?);
        spec.candidates = candidates(r, c, &req.candidates)?;
    }
    let new = new_proposal(kind, req.title, req.text, req.closes.as_deref())?;
    let id = new.id.clone();
    if let Some(given) = req.answers.as_deref() {
        if kind != DecisionKind::General || poll.is_some() {
            return Err(super::Invalid(
                "an answer to a call is a general proposal decided by positions (--kind general, no poll)"
                    .to_owned(),
            )
            .into());
        }
        let (call, _, _) = super::statements::call_received(r, c, given)?;
        return match r.edit(c, |doc, a| doc.propose_answer(&a.member, new, call, a.now)) {
            Ok(()) => Ok(id),
            Err(replica::ReplicaError::Edit(model::EditError::Refused { why })) => {
                Err(super::Invalid(why).into())
            }
            Err(e) => Err(e.into()),
        };
    }
    if let Some(poll) = poll {
        return match r.edit(c, |doc, a| doc.open_poll(&a.member, new, poll, a.now)) {
            Ok(()) => Ok(id),
            // What the poll asks is wrong: a request to correct.
            Err(replica::ReplicaError::Edit(model::EditError::Refused { why })) => {
                Err(super::Invalid(why).into())
            }
            Err(e) => Err(e.into()),
        };
    }
    if !req.options.is_empty() || !req.asks.is_empty() {
        return Err(super::Invalid(
            "options and asks belong to a poll: say its method too".to_owned(),
        )
        .into());
    }
    match r.edit(c, |doc, a| doc.new_proposal(&a.member, new, a.now)) {
        Ok(()) => Ok(id),
        // A kind opened by another operation (the one that says what it changes): a request
        // to correct, not a refusal by the rules.
        Err(replica::ReplicaError::Edit(model::EditError::Refused { why }))
            if !matches!(kind, DecisionKind::General | DecisionKind::PublicStatement) =>
        {
            Err(super::Invalid(why).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The members an election is among (`given`: each by id, unique prefix or exact name, or
/// `all` for every member in force, in the order they joined); the model words the options,
/// their names (`model::schema::written`).
fn candidates(r: &mut Replica, c: &CoalitionId, given: &[String]) -> anyhow::Result<Vec<MemberId>> {
    let most = model::poll::MAX_OPTIONS;
    if given.len() > most {
        return Err(super::Invalid(format!(
            "an election is among at most {most} candidates ({} given)",
            given.len()
        ))
        .into());
    }
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    // (The model refuses more than it lists and one named twice.)
    if every(given) {
        return Ok(model::governance::facilitator_rotation(&gov.members));
    }
    given
        .iter()
        .map(|g| Ok(super::find_member(&gov.members, g.trim())?.clone()))
        .collect()
}

/// Whether `given` names every record it could (`all`, or nothing).
fn every(given: &[String]) -> bool {
    given.is_empty() || (given.len() == 1 && given[0].trim() == "all")
}

/// The requests of pool `pool` a budget poll funds (`given`: each by id or unique prefix, or
/// `all` for every request awaiting a budget poll, oldest first); the model words the options
/// (`model::schema::written`) and takes the asks from the ledger.
fn budget_requests(
    r: &mut Replica,
    c: &CoalitionId,
    pool: &str,
    given: &[String],
) -> anyhow::Result<(PoolId, Vec<EntryId>)> {
    let invalid = |why: String| anyhow::Error::from(super::Invalid(why));
    let most = model::poll::MAX_OPTIONS;
    if given.len() > most {
        return Err(invalid(format!(
            "a poll funds at most {most} requests ({} given)",
            given.len()
        )));
    }
    let pool: PoolId = super::resolve(r, c, "pools", "pool", pool)?;
    let Some((read, deciding)) = super::pools::read_pool(r, c, &pool)? else {
        return Err(invalid(format!("pool {pool} does not read")));
    };
    let funds = super::pools::funds(&read, &deciding, replica::now());
    let awaiting = |e: &&model::schema::LedgerEntry| {
        e.kind == model::EntryKind::Request
            && e.proposal.is_none()
            && matches!(
                funds.requests.get(&e.id),
                None | Some(model::reports::Funding::NotDecided)
            )
    };
    let entries: Vec<&model::schema::LedgerEntry> = if every(given) {
        let mut open: Vec<_> = read.ledger.values().filter(awaiting).collect();
        open.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.id.cmp(&b.id)));
        if open.is_empty() {
            return Err(invalid(format!(
                "no request of pool {} awaits a budget poll",
                read.name
            )));
        }
        if open.len() > most {
            return Err(invalid(format!(
                "{} requests await a budget poll; a poll funds at most {most}: name them",
                open.len()
            )));
        }
        open
    } else {
        // (The model refuses one named twice.)
        let mut out = Vec::with_capacity(given.len());
        for g in given {
            let id = replica::resolve_prefix(
                g.trim(),
                "request",
                read.ledger.keys().map(EntryId::as_str),
            )?;
            let e = id
                .parse::<EntryId>()
                .ok()
                .and_then(|k| read.ledger.get(&k))
                .ok_or_else(|| invalid(format!("no entry {id} in pool {}", read.name)))?;
            if !awaiting(&e) {
                return Err(invalid(format!(
                    "entry {} of pool {} is not a request awaiting a budget poll",
                    e.id, read.name
                )));
            }
            out.push(e);
        }
        out
    };
    Ok((pool, entries.iter().map(|e| e.id.clone()).collect()))
}

/// The issues `given` names for a poll over issues (ids, prefixes, or `all`: every issue
/// not won or dropped, oldest first), with the options that stand for them: their titles,
/// the short id added where two would read alike. Bounded before each is resolved.
fn ranked_issues(
    r: &mut Replica,
    c: &CoalitionId,
    given: &[String],
) -> anyhow::Result<(Vec<model::IssueId>, Vec<String>)> {
    let invalid = |why: String| anyhow::Error::from(super::Invalid(why));
    let most = model::poll::MAX_OPTIONS;
    if given.len() > most {
        return Err(invalid(format!(
            "a poll ranks at most {most} issues ({} given)",
            given.len()
        )));
    }
    let (headers, order) = r
        .issue_listing(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let ids: Vec<model::IssueId> = if every(given) {
        let open: Vec<model::IssueId> = order
            .iter()
            .map(|(_, id)| id)
            .filter(|id| {
                headers.get(*id).is_some_and(|h| {
                    !matches!(
                        h.status,
                        model::IssueStatus::Won | model::IssueStatus::Dropped
                    )
                })
            })
            .cloned()
            .collect();
        if open.len() > most {
            return Err(invalid(format!(
                "{} issues are neither won nor dropped; a poll ranks at most {most}: name them",
                open.len()
            )));
        }
        open
    } else {
        given
            .iter()
            .map(|g| super::issues::resolve(r, c, g.trim()))
            .collect::<anyhow::Result<_>>()?
    };
    let mut named = BTreeSet::new();
    if let Some(twice) = ids.iter().find(|id| !named.insert(*id)) {
        return Err(invalid(format!("issue {twice} is listed twice")));
    }
    let titles: Vec<String> = ids
        .iter()
        .map(|id| {
            headers
                .get(id)
                .map(|h| h.title.trim().to_owned())
                .unwrap_or_default()
        })
        .collect();
    let items: Vec<(String, &str)> = titles
        .into_iter()
        .zip(ids.iter().map(model::IssueId::as_str))
        .collect();
    let options = model::schema::option_labels(&items);
    Ok((ids, options))
}

/// The poll a request asks for, if any: its method (a budget's share an amount, stored in
/// hundredths), options and asks.
fn poll_spec(req: &NewProposalRequest) -> anyhow::Result<Option<model::schema::PollSpec>> {
    let invalid = |why: String| anyhow::Error::from(super::Invalid(why));
    let Some(method) = req.method.as_deref().map(str::trim) else {
        return Ok(None);
    };
    let method: model::poll::PollMethod = match method.split_once(':') {
        Some((name, share)) if name.trim().eq_ignore_ascii_case("budget") => {
            let share: model::Amount = share
                .trim()
                .parse()
                .map_err(|e: model::ValueError| invalid(format!("budget's share: {e}")))?;
            format!("budget:{}", share.hundredths())
                .parse()
                .map_err(|e: model::poll::MethodError| invalid(e.to_string()))?
        }
        _ => method
            .parse()
            .map_err(|e: model::poll::MethodError| invalid(e.to_string()))?,
    };
    let asks = req
        .asks
        .iter()
        .map(|a| {
            a.trim()
                .parse::<model::Amount>()
                .map_err(|e| invalid(format!("ask `{a}`: {e}")))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Some(model::schema::PollSpec {
        method,
        options: req.options.clone(),
        asks,
        issues: Vec::new(),
        pool: None,
        requests: Vec::new(),
        role: None,
        candidates: Vec::new(),
    }))
}

/// The option of `poll` that `given` names: its text (case and surrounding space aside) or
/// its number in the list, from 1.
fn option_of(poll: &model::schema::PollSpec, given: &str) -> anyhow::Result<usize> {
    let g = given.trim();
    if let Some(i) = poll
        .options
        .iter()
        .position(|o| o.trim().eq_ignore_ascii_case(g))
    {
        return Ok(i);
    }
    match g.parse::<usize>() {
        Ok(n) if (1..=poll.options.len()).contains(&n) => Ok(n - 1),
        _ => Err(super::Invalid(format!(
            "`{g}` is none of this poll's options: name one by its text or its number, 1 to {}",
            poll.options.len()
        ))
        .into()),
    }
}

/// `OPTION=VALUE` items, by option.
fn option_values<T>(
    poll: &model::schema::PollSpec,
    items: &[String],
    value: impl Fn(&str) -> anyhow::Result<T>,
) -> anyhow::Result<BTreeMap<usize, T>> {
    let mut out = BTreeMap::new();
    for item in items {
        let (o, v) = item
            .rsplit_once('=')
            .ok_or_else(|| super::Invalid(format!("`{item}`: say OPTION=VALUE, such as 2=4")))?;
        let o = option_of(poll, o)?;
        if out.insert(o, value(v.trim())?).is_some() {
            return Err(
                super::Invalid(format!("option `{}` is given twice", poll.options[o])).into(),
            );
        }
    }
    Ok(out)
}

/// The ballot `req` gives for `poll`, of the kind its method takes.
fn ballot_of(
    poll: &model::schema::PollSpec,
    req: &BallotRequest,
) -> anyhow::Result<model::poll::Ballot> {
    use model::poll::{Ballot, PollMethod};
    let invalid = |why: String| anyhow::Error::from(super::Invalid(why));
    let number = |v: &str| -> anyhow::Result<u32> {
        v.parse()
            .map_err(|_| invalid(format!("`{v}` is not a whole number")))
    };
    let given = [
        ("choose", !req.choose.is_empty()),
        ("rank", !req.rank.is_empty()),
        ("score", !req.score.is_empty()),
        ("dots", !req.dots.is_empty()),
        ("slots", !req.slots.is_empty()),
        ("give", !req.give.is_empty()),
    ];
    let wants = match poll.method {
        PollMethod::Choose { .. } => "choose",
        PollMethod::Score { .. } => "score",
        PollMethod::Dots { .. } => "dots",
        PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. } => "rank",
        PollMethod::Time => "slots",
        PollMethod::Budget { .. } => "give",
    };
    if let Some((other, _)) = given.iter().find(|(name, set)| *set && *name != wants) {
        return Err(invalid(format!(
            "this poll is counted by {}: give `{wants}`, not `{other}`",
            poll.method
        )));
    }
    Ok(match wants {
        "choose" => Ballot::Choose(
            req.choose
                .iter()
                .map(|o| option_of(poll, o))
                .collect::<anyhow::Result<_>>()?,
        ),
        "score" => Ballot::Score(option_values(poll, &req.score, number)?),
        "dots" => Ballot::Dots(option_values(poll, &req.dots, number)?),
        "rank" => Ballot::Rank(
            req.rank
                .iter()
                .map(|o| option_of(poll, o))
                .collect::<anyhow::Result<_>>()?,
        ),
        "slots" => {
            let answers = option_values(poll, &req.slots, |v| {
                v.parse::<model::Answer>()
                    .map_err(|_| invalid(format!("`{v}`: say yes, if-needed or no")))
            })?;
            Ballot::Times(
                (0..poll.options.len())
                    .map(|o| answers.get(&o).copied().unwrap_or(model::Answer::No))
                    .collect(),
            )
        }
        _ => Ballot::Budget(option_values(poll, &req.give, |v| {
            let a: model::Amount = v
                .parse()
                .map_err(|e: model::ValueError| invalid(e.to_string()))?;
            u64::try_from(a.hundredths()).map_err(|_| invalid(format!("`{v}` is no amount")))
        })?),
    })
}

/// Casts (or changes) this organization's ballot in the poll `given` (id or unique prefix),
/// and answers where it stands after, reading that proposal alone.
pub fn cast_ballot(
    r: &mut Replica,
    c: &CoalitionId,
    given: &str,
    req: BallotRequest,
) -> anyhow::Result<BallotCast> {
    let id = resolve(r, c, given)?;
    let p = read_one(r, c, &id, given)?;
    let Some(poll) = &p.poll else {
        return Err(super::Invalid(format!(
            "proposal {} is no poll: take a position on it (agree, abstain, disagree or block)",
            id.short()
        ))
        .into());
    };
    let ballot = ballot_of(poll, &req)?;
    let text = ballot.to_string();
    let (member, at) = match r.edit(c, |doc, a| {
        doc.cast_ballot(&a.member, &id, ballot.clone(), a.now)?;
        Ok((a.member.clone(), a.now))
    }) {
        Ok(by) => by,
        Err(replica::ReplicaError::Edit(model::EditError::Refused { why })) => {
            return Err(super::Invalid(why).into());
        }
        Err(e) => return Err(e.into()),
    };
    // Where it stands after: the proposal read before, with the ballot as the edit wrote it
    // (nothing else writes between), not read again.
    let mut cast = p;
    cast.ballots
        .insert(member, model::schema::BallotRecord { ballot, at });
    let tally = reports::proposal_tally(&cast, replica::now());
    Ok(BallotCast {
        id,
        ballot: text,
        outcome: tally.outcome,
        tally,
    })
}

/// Takes this organization's position on the proposal `given` (id or unique prefix), and
/// answers where it stands after, reading that proposal alone.
pub fn take_position(
    r: &mut Replica,
    c: &CoalitionId,
    given: &str,
    req: PositionRequest,
) -> anyhow::Result<PositionTaken> {
    let stance: Stance = req.stance.parse()?;
    let id = resolve(r, c, given)?;
    r.edit(c, |doc, a| {
        doc.take_position(&a.member, &id, stance, &req.reason, a.now)
    })?;
    // The one proposal, read alone: its record holds all its tally needs.
    let voted = r
        .proposal(c, &id)
        .with_context(|| format!("could not read coalition {c}"))?
        .ok_or_else(|| anyhow::anyhow!("proposal {id} is gone after the position was taken"))?;
    let tally = reports::proposal_tally(&voted, replica::now());
    Ok(PositionTaken {
        id,
        stance,
        outcome: tally.outcome,
        tally,
    })
}

/// The proposal whose id `given` is or starts with (`ops::resolve`).
pub fn resolve(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<ProposalId> {
    super::resolve(r, c, "proposals", "proposal", given)
}

/// A proposal read alone, or not found (one that does not read is left out of the whole
/// read too).
fn read_one(
    r: &mut Replica,
    c: &CoalitionId,
    id: &ProposalId,
    given: &str,
) -> anyhow::Result<Proposal> {
    super::alone(c, r.proposal(c, id))?.ok_or_else(|| {
        replica::PrefixError::NotFound {
            what: "proposal",
            given: given.to_owned(),
        }
        .into()
    })
}

/// A proposal with its tally now.
fn view(proposal: Proposal, now: Timestamp) -> ProposalView {
    let tally = reports::proposal_tally(&proposal, now);
    ProposalView {
        proposal,
        outcome: tally.outcome,
        tally,
        funding: None,
        result: None,
    }
}

/// One proposal (`given`: its id or a unique prefix), read alone; for an allocation, its pool
/// too, with the proposals deciding the pool's requests, as its funding depends on them.
pub fn show(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<ProposalDetail> {
    let id = resolve(r, c, given)?;
    let alone = read_one(r, c, &id, given)?;
    let now = replica::now();
    let mut allocation = None;
    let mut v = view(alone, now);
    v.result = reports::poll_result(&v.proposal);
    if let (DecisionKind::Allocation, Some(Subject::Request { pool, entry })) =
        (v.proposal.kind, &v.proposal.subject)
        && let Some((p, deciding)) = super::pools::read_pool(r, c, pool)?
        && let Some(e) = p.ledger.get(entry.as_str())
    {
        let mut funds = super::pools::funds(&p, &deciding, now);
        allocation = funds.requests.remove(entry).map(|funding| AllocationView {
            pool: p.id.clone(),
            pool_name: p.name.clone(),
            unit: p.unit.clone(),
            amount: e.amount,
            member: e.member.clone(),
            funding,
        });
        v.funding = allocation.as_ref().map(|a| a.funding.clone());
    }
    let mut ids = BTreeSet::new();
    add_named(&mut ids, &v.proposal);
    if let Some(a) = &allocation {
        ids.insert(a.member.clone());
    }
    let names = super::names(r, c, &ids)?;
    Ok(ProposalDetail {
        proposal: v,
        allocation,
        names,
    })
}

/// The members a proposal names.
fn add_named(ids: &mut BTreeSet<MemberId>, p: &Proposal) {
    ids.insert(p.author.clone());
    ids.extend(p.electorate.iter().cloned());
    ids.extend(p.positions.keys().cloned());
    ids.extend(p.ballots.keys().cloned());
    if let Some(Subject::Admit(m) | Subject::Remove(m)) = model::governance::subject(p) {
        ids.insert(m.clone());
    }
}

/// A page of the proposals matching `q`, newest first (then by id). Sorting and filtering
/// read each proposal's kind and date only; the page's proposals are read whole.
pub fn list(r: &mut Replica, c: &CoalitionId, q: &ProposalQuery) -> anyhow::Result<ProposalPage> {
    list_limited(r, c, q, MAX_PAGE)
}

/// [`list`] with `max` for the largest page instead of [`MAX_PAGE`] (the command line lists
/// every proposal).
pub(crate) fn list_limited(
    r: &mut Replica,
    c: &CoalitionId,
    q: &ProposalQuery,
    max: usize,
) -> anyhow::Result<ProposalPage> {
    let limit = super::page_limit(q.limit, DEFAULT_PAGE, max, "proposal")?;
    let kind: Option<DecisionKind> = q.kind.as_deref().map(str::parse).transpose()?;
    let (headers, order) = r
        .proposal_listing(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    if q.waiting {
        return waiting(r, c, &headers, kind, q.offset, limit);
    }
    // Newest first, as kept by the replica: no header is sorted here.
    let sorted: Vec<&ProposalId> = order
        .iter()
        .map(|(_, id)| id)
        .filter(|id| kind.is_none_or(|k| headers.get(*id).is_some_and(|h| h.kind == k)))
        .collect();
    let (read, next) = super::read_page(c, &sorted, q.offset, limit, |id| r.proposal(c, id))?;
    let authors: BTreeSet<MemberId> = read.iter().map(|p| p.author.clone()).collect();
    let names = super::names(r, c, &authors)?;
    let now = replica::now();
    Ok(ProposalPage {
        total: sorted.len(),
        offset: q.offset,
        next,
        proposals: read.into_iter().map(|p| view(p, now)).collect(),
        names,
    })
}

/// Most proposals [`waiting`] reads for one page, those it skips for the offset included.
const WAITING_READ: usize = 200;

/// The page of [`list`] for [`ProposalQuery::waiting`]: the proposals not closed and not
/// answered by this organization are found from the headers, then read soonest closing first
/// until the page is full (and one more, to know there is a next page); those decided already
/// or whose electorate leaves this organization out are skipped.
fn waiting(
    r: &mut Replica,
    c: &CoalitionId,
    headers: &BTreeMap<ProposalId, model::records::ProposalHeader>,
    kind: Option<DecisionKind>,
    offset: usize,
    limit: usize,
) -> anyhow::Result<ProposalPage> {
    let empty = || ProposalPage {
        total: 0,
        offset,
        next: None,
        proposals: Vec::new(),
        names: BTreeMap::new(),
    };
    // Not a member (left, removed, still joining): nothing waits for it.
    let Ok(me) = r.me(c) else {
        return Ok(empty());
    };
    let now = replica::now();
    let mut candidates: Vec<(&ProposalId, &model::records::ProposalHeader)> = headers
        .iter()
        .filter(|(_, h)| {
            kind.is_none_or(|k| h.kind == k)
                && h.closes_at.is_none_or(|t| t > now)
                && h.electorate.contains(&me)
                && !h.positions.contains_key(&me)
                && !h.ballots.contains(&me)
        })
        .collect();
    candidates.sort_by_key(|(id, h)| (h.closes_at.is_none(), h.closes_at, h.created_at, *id));
    let (mut found, mut page, mut next) = (0usize, Vec::new(), None);
    // At most this many are read for one page, those skipped for the offset included: a
    // page's cost stays bounded whatever offset is asked and however many decided-early
    // proposals the headers cannot tell from open ones.
    let mut budget = WAITING_READ;
    for (id, _) in &candidates {
        if budget == 0 {
            break;
        }
        budget -= 1;
        let Some(p) = super::alone(c, r.proposal(c, id))? else {
            continue;
        };
        let v = view(p, now);
        if v.outcome != Outcome::Open {
            continue;
        }
        found += 1;
        if found <= offset {
            continue;
        }
        if page.len() == limit {
            next = Some(offset.saturating_add(limit));
            break;
        }
        page.push(v);
    }
    let names = super::names(r, c, page.iter().map(|v| &v.proposal.author))?;
    Ok(ProposalPage {
        total: candidates.len(),
        offset,
        next,
        proposals: page,
        names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{ErrorCode, OpError};

    fn open(r: &mut Replica, c: &CoalitionId, title: &str) -> ProposalId {
        let req = NewProposalRequest {
            kind: "general".into(),
            title: title.into(),
            text: "Why it matters".into(),
            closes: None,
            ..Default::default()
        };
        create(r, c, req).unwrap()
    }

    fn code(e: anyhow::Error) -> ErrorCode {
        OpError::from_anyhow(&e).code
    }

    #[test]
    fn a_proposal_opened_is_shown_listed_and_decided_by_a_position() {
        let (_dir, mut r, c) = replica();
        let a = open(&mut r, &c, "Endorse the fare-free campaign");
        let b = open(&mut r, &c, "Join the May Day march");
        let shown = show(&mut r, &c, &a.as_str()[..6]).unwrap();
        assert_eq!(shown.proposal.proposal.id, a);
        assert_eq!(shown.proposal.outcome, Outcome::Open);
        assert!(shown.allocation.is_none());
        let founder = shown.proposal.proposal.author.clone();
        assert_eq!(shown.names[&founder], "Northside Tenants Union");

        let taken = take_position(
            &mut r,
            &c,
            a.as_str(),
            PositionRequest {
                stance: "agree".into(),
                reason: String::new(),
            },
        )
        .unwrap();
        assert_eq!(
            (taken.id.clone(), taken.outcome),
            (a.clone(), Outcome::Passed)
        );
        assert_eq!(taken.tally.agree, 1);

        // Newest first; pages follow each other.
        let page = list(
            &mut r,
            &c,
            &ProposalQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.next, Some(1));
        assert_eq!(page.proposals[0].proposal.id, b);
        let page = list(
            &mut r,
            &c,
            &ProposalQuery {
                offset: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(page.proposals[0].proposal.id, a);
        assert_eq!(page.proposals[0].outcome, Outcome::Passed);
        assert_eq!(page.next, None);
        let none = list(
            &mut r,
            &c,
            &ProposalQuery {
                kind: Some("amendment".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(none.total, 0);
    }

    #[test]
    fn waiting_lists_what_this_organization_has_not_answered_soonest_closing_first() {
        let (_dir, mut r, c) = replica();
        let closing = |r: &mut Replica, title: &str, closes: Option<&str>| {
            let req = NewProposalRequest {
                kind: "general".into(),
                title: title.into(),
                text: String::new(),
                closes: closes.map(str::to_owned),
                ..Default::default()
            };
            create(r, &c, req).unwrap()
        };
        let later = closing(&mut r, "Later", Some("7d"));
        let sooner = closing(&mut r, "Sooner", Some("2d"));
        let open_ended = closing(&mut r, "Until decided", None);
        let answered = closing(&mut r, "Answered", Some("1d"));
        let agree = PositionRequest {
            stance: "agree".into(),
            reason: String::new(),
        };
        take_position(&mut r, &c, answered.as_str(), agree).unwrap();
        let waiting = |r: &mut Replica, offset, limit| {
            let q = ProposalQuery {
                waiting: true,
                offset,
                limit: Some(limit),
                ..Default::default()
            };
            let page = list(r, &c, &q).unwrap();
            let ids: Vec<ProposalId> = page.proposals.into_iter().map(|v| v.proposal.id).collect();
            (ids, page.next, page.total)
        };
        assert_eq!(
            waiting(&mut r, 0, 2),
            (vec![sooner.clone(), later.clone()], Some(2), 3)
        );
        // An offset past them all reads no more than there are, and finds none.
        assert_eq!(waiting(&mut r, 1_000_000, 2), (vec![], None, 3));
        assert_eq!(waiting(&mut r, 2, 2), (vec![open_ended.clone()], None, 3));
        assert_eq!(waiting(&mut r, 0, 10).0, vec![sooner, later, open_ended]);
    }

    #[test]
    fn the_view_prints_as_the_command_line_printed_a_proposal() {
        let (_dir, mut r, c) = replica();
        let a = open(&mut r, &c, "Endorse");
        let p = r.proposal(&c, &a).unwrap().unwrap();
        let tally = reports::proposal_tally(&p, replica::now());
        // What `proposal show --json` printed before the operation existed.
        let mut before = serde_json::to_value(&p).unwrap();
        let object = before.as_object_mut().unwrap();
        object.insert(
            "outcome".into(),
            serde_json::to_value(tally.outcome).unwrap(),
        );
        object.insert("tally".into(), serde_json::to_value(tally).unwrap());
        let now = serde_json::to_value(view(p, replica::now())).unwrap();
        assert_eq!(now, before);
    }

    #[test]
    fn refusals_carry_codes_a_client_can_act_on() {
        let (_dir, mut r, c) = replica();
        let a = open(&mut r, &c, "Endorse");
        let bad_kind = NewProposalRequest {
            kind: "coup".into(),
            title: "x".into(),
            ..Default::default()
        };
        assert_eq!(
            code(create(&mut r, &c, bad_kind).unwrap_err()),
            ErrorCode::Invalid
        );
        let bare_amendment = NewProposalRequest {
            kind: "amendment".into(),
            title: "x".into(),
            ..Default::default()
        };
        // Opened bare, it would ratify an unchanged charter: refused, with a pointer.
        let e = OpError::from_anyhow(&create(&mut r, &c, bare_amendment).unwrap_err());
        assert_eq!(e.code, ErrorCode::Invalid);
        assert!(e.message.contains("charter amend"), "{}", e.message);
        let late = NewProposalRequest {
            kind: "general".into(),
            title: "x".into(),
            closes: Some("2001-01-01".into()),
            ..Default::default()
        };
        assert_eq!(
            code(create(&mut r, &c, late).unwrap_err()),
            ErrorCode::Invalid
        );
        let block = PositionRequest {
            stance: "block".into(),
            reason: String::new(),
        };
        let e = take_position(&mut r, &c, a.as_str(), block).unwrap_err();
        assert_eq!(code(e), ErrorCode::Invalid);
        let shrug = PositionRequest {
            stance: "shrug".into(),
            reason: String::new(),
        };
        let e = take_position(&mut r, &c, a.as_str(), shrug).unwrap_err();
        assert_eq!(code(e), ErrorCode::Invalid);
        assert_eq!(
            code(show(&mut r, &c, "ffff").unwrap_err()),
            ErrorCode::NotFound
        );
        let zero = ProposalQuery {
            limit: Some(0),
            ..Default::default()
        };
        assert_eq!(
            code(list(&mut r, &c, &zero).unwrap_err()),
            ErrorCode::Invalid
        );
    }
}
