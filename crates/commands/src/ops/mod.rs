//! Typed operations: what the API calls with JSON, the web UI asks the node for, and what the
//! command line's commands call after resolving what people typed. Each operation is a
//! function over an open [`Replica`] taking a request type and returning a response type,
//! both serde and described for OpenAPI ([`utoipa::ToSchema`]); the `api` crate serves each
//! family on its own routes and generates the OpenAPI document from these types.
//!
//! An operation reads only what it needs, so its cost follows the work: a record named by its
//! id or a prefix of it is found where the prefix falls among its collection's sorted keys
//! (`resolve`, `Replica::record_ids_starting`), and the model's edits take whole ids; a
//! listing filters the headers the replica keeps up to date, in the order it keeps with them
//! (`Replica::issue_listing`, `Replica::proposal_listing`: nothing is sorted per page) and
//! reads only its page's records whole; names come from the governance ([`names`]). Only the
//! reports, which draw on all of it, read the whole coalition (once); exports write it whole.
//!
//! Failures are [`OpError`]: a stable [`ErrorCode`] for programs, and the message a person
//! reads, the same as the command line prints.
//!
//! Each operation is a variant of [`Request`] that says once what it takes, its name, which
//! coalition it acts on and whether it writes ([`Request::writes`]: the node then sends the new
//! change to its peers) or writes files on the node's machine; [`Reply`] is what it answers.
//! [`handle`] carries one out for the API (listings in pages: `offset`, `limit` (default 50, at
//! most [`MAX_PAGE`]), `total`, `next`), `run` in this process (listings whole).
//! [`OpError::from_anyhow`] reads the code off the error's causes, looking through the transparent
//! `ReplicaError` and `EditError` wrappers. Model types returned as they are (a proposal, its
//! tally, an allocation's funding) derive `ToSchema` behind `model`'s `openapi` feature, and
//! `replica::CoalitionSummary` behind `replica`'s, which only this crate turns on.
//!
//! One module per family: `coalitions`, `issues`, `proposals`, `pools`, `meetings`, `members`,
//! `keys`, `charter`, `reports`, `audit`, `status`, `joins` and `files`, each saying what it reads.
//! A view prints as the command line's `--json` printed the record, and every command prints the
//! same on a stopped home and through the node, byte for byte (tested in the workspace's
//! `tests/tests/api/`).

pub mod audit;
pub mod charter;
pub mod coalitions;
pub mod files;
pub mod issues;
pub mod joins;
pub mod keys;
pub mod links;
pub mod meetings;
pub mod members;
pub mod people;
pub mod plans;
pub mod pools;
pub mod proposals;
pub mod received;
pub mod reports;
pub mod statements;
pub mod status;
pub mod translations;

mod error;
mod reply;
mod request;
mod resolve;
mod run;

pub use error::{Conflict, ErrorCode, Invalid, MAX_CAUSE_CHARS, MAX_CAUSES, OpError, bounded};
pub use reply::{Created, KnownPeers, Reply, ResolvedCoalition, Updated};
pub use request::{Request, ResolveQuery};
pub(crate) use resolve::{find_member, locate_among, member, resolve, resolve_among};
pub use run::{MAX_PAGE, handle};

use std::collections::BTreeMap;

use model::{CoalitionId, MemberId};
use replica::{Replica, ReplicaError};

/// Where operations run: this process's open replica ([`Replica`] implements it), or the
/// running node reached through its API (`api::Client`). The command line's commands build
/// requests and print replies the same way on either.
pub trait Exec {
    /// Carries out one operation.
    fn call(&mut self, req: Request) -> anyhow::Result<Reply>;

    /// The coalition `given` names, as the id to put in requests; when none is given, the
    /// only one held (and `true`: chosen, not named).
    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)>;

    /// Whether the operations run on the running node (which knows its network and talks to
    /// other nodes), not on a replica of this process's own.
    fn is_running_node(&self) -> bool {
        true
    }
}

impl Exec for Replica {
    fn is_running_node(&self) -> bool {
        false
    }

    fn call(&mut self, req: Request) -> anyhow::Result<Reply> {
        // In this process a listing is not cut into pages: the command line lists everything.
        run::run(self, req, usize::MAX)
    }

    fn coalition(&mut self, given: Option<&str>) -> anyhow::Result<(String, bool)> {
        let (id, chosen) = self.resolve_or_only(given)?;
        Ok((id.to_string(), chosen))
    }
}

/// The coalition an API path names: its id, or a unique prefix of it.
pub fn coalition(r: &Replica, given: &str) -> anyhow::Result<CoalitionId> {
    Ok(r.resolve(given)?)
}

/// A record read alone: one that is missing or does not read is `None` (it is left out of
/// the whole read too); any other failure is the coalition's.
pub(crate) fn alone<T>(
    c: &CoalitionId,
    read: Result<Option<T>, ReplicaError>,
) -> anyhow::Result<Option<T>> {
    use anyhow::Context;
    match read {
        Ok(found) => Ok(found),
        Err(ReplicaError::Unreadable { .. }) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("could not read coalition {c}")),
    }
}

/// How many records a page of `what` holds: `given`, else `default`, at most `max`; none is
/// refused.
pub(crate) fn page_limit(
    given: Option<usize>,
    default: usize,
    max: usize,
    what: &str,
) -> anyhow::Result<usize> {
    let limit = given.unwrap_or(default).min(max);
    if limit == 0 {
        return Err(Invalid(format!(
            "a page holds at least one {what}: limit must be from 1 to {max}"
        ))
        .into());
    }
    Ok(limit)
}

/// One page of `sorted` (the ids of every matching record, in the listing's order): `limit`
/// of them after `offset`, each read alone by `read` (one that does not read is left out, and
/// still counted in the total, which counts the headers, the same on every page); with the
/// offset of the next page, if there is one.
pub(crate) fn read_page<K, T>(
    c: &CoalitionId,
    sorted: &[&K],
    offset: usize,
    limit: usize,
    mut read: impl FnMut(&K) -> Result<Option<T>, ReplicaError>,
) -> anyhow::Result<(Vec<T>, Option<usize>)> {
    let ids = sorted.get(offset..).unwrap_or_default();
    let ids = &ids[..limit.min(ids.len())];
    let mut records = Vec::with_capacity(ids.len());
    for id in ids {
        records.extend(alone(c, read(id))?);
    }
    let end = offset.saturating_add(ids.len());
    Ok((records, (end < sorted.len()).then_some(end)))
}

/// The names of the members (former ones too) among `ids`, from the governance alone; a
/// member this node does not know is left out (readers show its short id).
pub fn names<'a>(
    r: &mut Replica,
    c: &CoalitionId,
    ids: impl IntoIterator<Item = &'a MemberId>,
) -> anyhow::Result<BTreeMap<MemberId, String>> {
    let gov = r.in_force(c)?;
    Ok(names_in(&gov, ids))
}

/// The names of the members (former ones too) among `ids`, from a governance already read,
/// and of every other member whose name reads like one of them (`model::name_as_read`): a
/// view shows such names with their ids, so a member renamed to another's is told apart even
/// where only one of the two appears.
pub(crate) fn names_in<'a>(
    gov: &model::governance::InForce,
    ids: impl IntoIterator<Item = &'a MemberId>,
) -> BTreeMap<MemberId, String> {
    let mut names: BTreeMap<MemberId, String> = ids
        .into_iter()
        .filter_map(|id| gov.name_of(id).map(|n| (id.clone(), n.to_owned())))
        .collect();
    let read: std::collections::BTreeSet<String> =
        names.values().map(|n| model::name_as_read(n)).collect();
    for m in gov.every_member() {
        if !names.contains_key(&m.id) && read.contains(&model::name_as_read(&m.name)) {
            names.insert(m.id.clone(), m.name.clone());
        }
    }
    names
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) use crate::testing::replica;

    use crate::testing::request;

    /// The names a view asks for come with every member whose name reads like one of them,
    /// so that the view shows both with their ids even where only one of them appears.
    #[test]
    fn names_asked_for_come_with_the_names_that_read_like_them() {
        let (_dir, mut r, c) = replica();
        let twin = MemberId::from_bytes([9; 16]);
        r.edit(&c, |doc, a| {
            doc.admit_member(
                &a.member,
                &twin,
                &model::MemberProfile::named("northside\u{200b} tenants union"),
                model::NodeKey::from_bytes([9; 32]),
                a.now,
            )
        })
        .unwrap();
        let gov = r.in_force(&c).unwrap();
        let founder = gov
            .every_member()
            .find(|m| m.name == "Northside Tenants Union")
            .map(|m| m.id.clone())
            .unwrap();
        let names = names_in(&gov, [&founder]);
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names.contains_key(&twin));
        assert_eq!(
            crate::cmd::named(&names, &founder),
            format!("Northside Tenants Union ({})", &founder.as_str()[..8])
        );
    }

    /// An error read back from the API prints as it did where it happened: each cause on
    /// its line.
    #[test]
    fn an_error_keeps_its_causes_across_the_api() {
        let e = anyhow::anyhow!("the store is locked")
            .context("could not read coalition 0123")
            .context("could not list issues");
        let sent: OpError =
            serde_json::from_str(&serde_json::to_string(&OpError::from_anyhow(&e)).unwrap())
                .unwrap();
        let back = sent.into_anyhow();
        let chain = |e: &anyhow::Error| e.chain().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(chain(&back), chain(&e));
        let single = OpError::from_anyhow(&anyhow::anyhow!("no issue with id `x`"));
        assert!(single.causes.is_empty());
        assert_eq!(chain(&single.into_anyhow()), ["no issue with id `x`"]);
        // What another process sent is bounded: so many causes, so long each.
        let flood = OpError {
            causes: vec!["x".repeat(10_000); 1_000],
            ..OpError::new(ErrorCode::Internal, "y".repeat(1_000_000))
        };
        let chain = chain(&flood.into_anyhow());
        assert_eq!(chain.len(), MAX_CAUSES);
        assert!(
            chain
                .iter()
                .all(|c| c.chars().count() <= MAX_CAUSE_CHARS + 8)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever a client sends, an operation answers or refuses with a code a client can
        /// act on (never `internal`, never a panic), and the coalition still reads after.
        #[test]
        fn any_request_is_answered_or_refused_with_a_code(
            reqs in proptest::collection::vec(request("@".into()), 1..8)
        ) {
            let (_dir, mut r, c) = replica();
            for mut req in reqs {
                // Backups and exports write where they are told: tested with real folders in
                // `files` and end to end, not with any text as a path.
                if matches!(req, Request::Backup { .. } | Request::Export { .. }) {
                    continue;
                }
                // "@" stands for this coalition's id.
                match &mut req {
                    Request::IssueCreate { coalition, .. }
                    | Request::IssueEdit { coalition, .. }
                    | Request::IssueShow { coalition, .. }
                    | Request::IssueEvidence { coalition, .. }
                    | Request::IssueShare { coalition, .. }
                    | Request::IssueUnshare { coalition, .. }
                    | Request::GoalCreate { coalition, .. }
                    | Request::GoalProgress { coalition, .. }
                    | Request::IssueList { coalition, .. }
                    | Request::ProposalCreate { coalition, .. }
                    | Request::ProposalPosition { coalition, .. }
                    | Request::ProposalBallot { coalition, .. }
                    | Request::ProposalShow { coalition, .. }
                    | Request::ProposalList { coalition, .. }
                    | Request::PoolCreate { coalition, .. }
                    | Request::PoolGive { coalition, .. }
                    | Request::PoolRequest { coalition, .. }
                    | Request::PoolList { coalition }
                    | Request::PoolLedger { coalition, .. }
                    | Request::MeetingCreate { coalition, .. }
                    | Request::MeetingList { coalition, .. }
                    | Request::MeetingShow { coalition, .. }
                    | Request::CharterShow { coalition }
                    | Request::CharterVersions { coalition }
                    | Request::MemberList { coalition, .. }
                    | Request::ProfileUpdate { coalition, .. }
                    | Request::MemberRemoval { coalition, .. }
                    | Request::MemberLeave { coalition }
                    | Request::CharterAmend { coalition, .. }
                    | Request::KeyList { coalition }
                    | Request::KeyAdd { coalition, .. }
                    | Request::KeyRevoke { coalition, .. }
                    | Request::ReportOverlap { coalition }
                    | Request::ReportEquity { coalition }
                    | Request::ReportPower { coalition }
                    | Request::ReportProgress { coalition, .. }
                    | Request::Translate { coalition, .. }
                    | Request::PlanCreate { coalition, .. }
                    | Request::PlanAnswer { coalition, .. }
                    | Request::PlanList { coalition }
                    | Request::LinkPropose { coalition, .. }
                    | Request::LinkEnd { coalition, .. }
                    | Request::LinkList { coalition }
                    | Request::StatementDraft { coalition, .. }
                    | Request::StatementSign { coalition, .. }
                    | Request::StatementList { coalition }
                    | Request::StatementExport { coalition, .. }
                    | Request::StatementImport { coalition, .. }
                    | Request::StatementReceived { coalition }
                    | Request::LinkAffiliates { coalition }
                    | Request::StatementCalls { coalition }
                    | Request::LinkMandates { coalition, .. }
                    | Request::StatementVerify { coalition, .. }
                    | Request::TranslationList { coalition, .. }
                    | Request::History { coalition, .. }
                    | Request::HistoryRestore { coalition, .. }
                    | Request::Aside { coalition }
                    | Request::InviteCreate { coalition, .. }
                    | Request::Export { coalition, .. } => {
                        if coalition == "@" {
                            *coalition = c.to_string();
                        }
                    }
                    Request::CoalitionList
                    | Request::CoalitionCreate { .. }
                    | Request::CoalitionResolve { .. }
                    | Request::Refused
                    | Request::Status
                    | Request::JoinStart { .. }
                    | Request::JoinList
                    | Request::JoinCancel { .. }
                    | Request::JoinStage { .. }
                    | Request::Backup { .. }
                    | Request::KnownPeers
                    | Request::PersonAdd { .. }
                    | Request::PersonList
                    | Request::PersonRemove { .. }
                    | Request::PersonReset { .. }
                    | Request::PersonLog
                    | Request::PersonCredentials { .. }
                    | Request::PersonSetupFor { .. }
                    | Request::PersonSetupFinish { .. }
                    | Request::DebugPanic => {}
                }
                match handle(&mut r, req.clone()) {
                    Ok(_) => {}
                    Err(e) => prop_assert!(
                        e.code != ErrorCode::Internal && !e.message.is_empty(),
                        "{req:?}: {e:?}"
                    ),
                }
            }
            prop_assert!(r.read(&c).is_ok());
        }
    }
}
