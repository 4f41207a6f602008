//! The issue inventory: raise, list a page, show one, edit.
//!
//! A page filters the issues' headers in the order the replica keeps them
//! (`Replica::issue_listing`: nothing is sorted per page), or puts first the issues the
//! inventory's priority ranks (at most a poll's options), and reads only its own issues
//! whole; names come from the governance.

use std::collections::BTreeMap;

use anyhow::Context;
use model::{CoalitionId, IssueEdit, IssueId, IssueStatus, MemberId, NewIssue, Rank, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Most issues in one page.
pub const MAX_PAGE: usize = super::MAX_PAGE;
/// Issues in a page when the request names no limit.
pub const DEFAULT_PAGE: usize = 50;

/// A new issue to raise.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIssueRequest {
    /// Short title.
    pub title: String,
    /// Longer description.
    #[serde(default)]
    pub description: String,
    /// Identity tags it touches (e.g. `race`, `disability`; see `coalesce issue add --help`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The lead member: its id, a unique prefix of it, or its exact name. The member raising
    /// the issue when absent.
    #[serde(default)]
    pub lead: Option<String>,
}

/// Changes to an issue; an absent field stays as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueEditRequest {
    /// New title.
    #[serde(default)]
    pub title: Option<String>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New status: `raised`, `adopted`, `parallel-campaign`, `won` or `dropped`.
    #[serde(default)]
    pub status: Option<String>,
    /// New lead member: id, unique prefix or exact name.
    #[serde(default)]
    pub lead: Option<String>,
    /// Tags to add.
    #[serde(default)]
    pub add_tags: Vec<String>,
}

/// Evidence to add to an issue.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    /// Where it comes from (up to 200 characters).
    pub source: String,
    /// The figure or finding (up to 200 characters).
    pub figure: String,
    /// How the data is disaggregated (by race, gender, language...; up to 200 characters).
    #[serde(default)]
    pub disaggregation: String,
}

/// This organization's share of an issue, with its priority.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// Its priority: 1 (highest) to 10.
    pub rank: u64,
}

/// Which issues to list, oldest first (by the date each was raised, then id). Pages are
/// offsets into that order as it is when each page is read: an issue raised earlier on a
/// node that syncs later lands among the pages already read, and shifts the later ones.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IssueQuery {
    /// Only issues with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    /// Only issues with this status (`raised`, `adopted`, `parallel-campaign`, `won`,
    /// `dropped`).
    #[serde(default)]
    pub status: Option<String>,
    /// How many matching issues to skip.
    #[serde(default)]
    pub offset: usize,
    /// Most issues to return (default 50, at most 500; at least 1).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
    /// The order: `age` (oldest first, the default) or `priority` (the issues the latest
    /// poll over issues to pass ranked, highest first, then the others oldest first).
    #[serde(default)]
    pub by: Option<String>,
}

/// The orders a page of issues can come in (`issue list --by`, the API's `by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IssueOrder {
    /// Oldest first
    #[default]
    Age,
    /// The inventory's priority, decided by the latest poll over issues to pass
    Priority,
}

impl IssueOrder {
    /// As the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Age => "age",
            Self::Priority => "priority",
        }
    }
}

impl std::str::FromStr for IssueOrder {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Self> {
        match s {
            "age" => Ok(Self::Age),
            "priority" => Ok(Self::Priority),
            other => Err(super::Invalid(format!(
                "issues are listed by `age` or by `priority`, not `{other}`"
            ))
            .into()),
        }
    }
}

/// One page of issues.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuePage {
    /// How many issues match, in all pages.
    pub total: usize,
    /// How many were skipped before this page.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next: Option<usize>,
    /// The issues of this page, in the order asked for.
    pub issues: Vec<IssueView>,
    /// The names of the members these issues name (raised by, lead, shared by), by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
    /// The inventory's priority, if a poll over issues has decided one (whatever the order
    /// asked for): the poll, when it closed, and each issue's place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<model::reports::Priority>,
}

/// An issue of the joint inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IssueView {
    /// Its id.
    #[schema(value_type = String)]
    pub id: IssueId,
    /// Short title.
    pub title: String,
    /// Longer description.
    pub description: String,
    /// The member that raised it.
    #[schema(value_type = String)]
    pub raised_by: MemberId,
    /// The lead member.
    #[schema(value_type = String)]
    pub lead: MemberId,
    /// Identity tags it touches.
    pub tags: Vec<String>,
    /// Evidence supporting it.
    pub evidence: Vec<EvidenceView>,
    /// Where it stands.
    #[schema(value_type = String)]
    pub status: IssueStatus,
    /// Each sharing member's priority rank (1 highest), by member id.
    #[schema(value_type = BTreeMap<String, u8>)]
    pub ranks: BTreeMap<MemberId, Rank>,
    /// When it was raised (RFC 3339).
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    /// Its place in the inventory's priority (1 highest; equal places for equal totals), if
    /// the poll that decided it ranked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<u32>,
}

/// One piece of evidence for an issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    /// Where it comes from.
    pub source: String,
    /// The figure or finding.
    pub figure: String,
    /// How the data is disaggregated.
    pub disaggregation: String,
    /// The member that added it.
    #[schema(value_type = String)]
    pub added_by: MemberId,
}

impl From<model::schema::Issue> for IssueView {
    fn from(i: model::schema::Issue) -> Self {
        Self {
            id: i.id,
            title: i.title,
            description: i.description.0,
            raised_by: i.raised_by,
            lead: i.lead,
            tags: i.tags,
            evidence: i
                .evidence
                .into_iter()
                .map(|e| EvidenceView {
                    source: e.source,
                    figure: e.figure,
                    disaggregation: e.disaggregation,
                    added_by: e.added_by,
                })
                .collect(),
            status: i.status,
            ranks: i.ranks,
            created_at: i.created_at,
            place: None,
        }
    }
}

/// One issue, with the names of the members it names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssueDetail {
    /// The issue.
    pub issue: IssueView,
    /// The names of the members it names, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// Raises an issue. Reads only the members, and only when a lead is named.
pub fn create(r: &mut Replica, c: &CoalitionId, req: NewIssueRequest) -> anyhow::Result<IssueId> {
    let lead = req.lead.map(|l| super::member(r, c, &l)).transpose()?;
    let id = IssueId::from_bytes(replica::fresh_id_bytes()?);
    let new = NewIssue {
        id: id.clone(),
        title: req.title,
        description: req.description,
        tags: req.tags,
        lead,
    };
    r.edit(c, |doc, a| doc.add_issue(&a.member, new, a.now))?;
    Ok(id)
}

/// Edits an issue (`issue`: its id or a unique prefix); returns its id.
pub fn edit(
    r: &mut Replica,
    c: &CoalitionId,
    issue: &str,
    req: IssueEditRequest,
) -> anyhow::Result<IssueId> {
    let lead = req.lead.map(|l| super::member(r, c, &l)).transpose()?;
    let edit = IssueEdit {
        title: req.title,
        description: req.description,
        status: req.status.as_deref().map(str::parse).transpose()?,
        lead,
        add_tags: req.add_tags,
    };
    let issue = resolve(r, c, issue)?;
    Ok(r.edit(c, |doc, a| doc.edit_issue(&a.member, &issue, edit, a.now))?)
}

/// Adds evidence to an issue (`issue`: its id or a unique prefix).
pub fn add_evidence(
    r: &mut Replica,
    c: &CoalitionId,
    issue: &str,
    req: EvidenceRequest,
) -> anyhow::Result<IssueId> {
    let issue = resolve(r, c, issue)?;
    Ok(r.edit(c, |doc, a| {
        doc.add_evidence(
            &a.member,
            &issue,
            &req.source,
            &req.figure,
            &req.disaggregation,
            a.now,
        )
    })?)
}

/// Marks an issue as shared by this node's organization, at a rank (replacing its rank if it
/// shared it already).
pub fn share(
    r: &mut Replica,
    c: &CoalitionId,
    issue: &str,
    req: ShareRequest,
) -> anyhow::Result<IssueId> {
    let rank = Rank::new(req.rank)?;
    let issue = resolve(r, c, issue)?;
    Ok(r.edit(c, |doc, a| doc.share_issue(&a.member, &issue, rank, a.now))?)
}

/// Withdraws this node's organization's share of an issue.
pub fn unshare(r: &mut Replica, c: &CoalitionId, issue: &str) -> anyhow::Result<IssueId> {
    let issue = resolve(r, c, issue)?;
    Ok(r.edit(c, |doc, a| doc.unshare_issue(&a.member, &issue, a.now))?)
}

/// The issue whose id `given` is or starts with (`ops::resolve`).
pub fn resolve(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<IssueId> {
    super::resolve(r, c, "issues", "issue", given)
}

/// One issue (`given`: its id or a unique prefix), read alone. One that does not read is not
/// found, as it is left out of the whole read.
pub fn show(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<IssueDetail> {
    let id = resolve(r, c, given)?;
    let issue =
        super::alone(c, r.issue(c, &id))?.ok_or_else(|| replica::PrefixError::NotFound {
            what: "issue",
            given: given.to_owned(),
        })?;
    let names = names(r, c, std::iter::once(&issue))?;
    Ok(IssueDetail {
        issue: issue.into(),
        names,
    })
}

/// A page of the issues matching `q`, oldest first (then by id), or by the inventory's
/// priority (`q.by`): the issues the deciding poll ranked by place, then the others oldest
/// first. Sorting and filtering read each issue's status, tags and date only (and the poll
/// that decides the priority, `priority`); the page's issues are read whole.
pub fn list(r: &mut Replica, c: &CoalitionId, q: &IssueQuery) -> anyhow::Result<IssuePage> {
    list_limited(r, c, q, MAX_PAGE)
}

/// [`list`] with `max` for the largest page instead of [`MAX_PAGE`] (the command line lists
/// every issue).
pub(crate) fn list_limited(
    r: &mut Replica,
    c: &CoalitionId,
    q: &IssueQuery,
    max: usize,
) -> anyhow::Result<IssuePage> {
    let limit = super::page_limit(q.limit, DEFAULT_PAGE, max, "issue")?;
    let (headers, order) = r
        .issue_listing(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let tag = q.tag.as_deref().map(model::normalize_tag).transpose()?;
    let status: Option<IssueStatus> = q.status.as_deref().map(str::parse).transpose()?;
    let by: IssueOrder =
        q.by.as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default();
    let matches = |h: &model::records::IssueHeader| {
        tag.as_ref().is_none_or(|t| h.tags.contains(t)) && status.is_none_or(|s| h.status == s)
    };
    // Oldest first, as kept by the replica: no header is sorted here.
    let unfiltered = tag.is_none() && status.is_none();
    let oldest_first = order
        .iter()
        .map(|(_, id)| id)
        .filter(|id| unfiltered || headers.get(*id).is_some_and(matches));
    let priority = priority(r, c)?;
    let places: std::collections::HashMap<&IssueId, u32> = priority
        .iter()
        .flat_map(|p| p.places.iter().map(|pl| (&pl.issue, pl.place)))
        .collect();
    let sorted: Vec<&IssueId> = match (&priority, by) {
        (Some(p), IssueOrder::Priority) => {
            // The ranked issues that are still there and match, by place (at most one per
            // option of the poll), then the others as kept.
            p.places
                .iter()
                .map(|pl| &pl.issue)
                .filter(|id| headers.get(*id).is_some_and(|h| unfiltered || matches(h)))
                .chain(oldest_first.filter(|id| !places.contains_key(id)))
                .collect()
        }
        _ => oldest_first.collect(),
    };
    let (issues, next) = super::read_page(c, &sorted, q.offset, limit, |id| r.issue(c, id))?;
    let names = names(r, c, issues.iter())?;
    Ok(IssuePage {
        total: sorted.len(),
        offset: q.offset,
        next,
        issues: issues
            .into_iter()
            .map(|i| IssueView {
                place: places.get(&i.id).copied(),
                ..IssueView::from(i)
            })
            .collect(),
        names,
        priority,
    })
}

/// The inventory's priority now ([`model::reports::inventory_priority_of`]): the polls over
/// issues that have closed, by the headers, read whole one at a time from the latest, so a
/// listing reads the poll that decides it (and any later one that failed its quorum, at most
/// `MAX_PRIORITY_READS`), not every poll; one that does not read is passed over.
pub(crate) fn priority(
    r: &mut Replica,
    c: &CoalitionId,
) -> anyhow::Result<Option<model::reports::Priority>> {
    let headers = r
        .proposal_headers(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    model::reports::inventory_priority_of(
        headers.iter(),
        |id| super::alone(c, r.proposal(c, id)),
        replica::now(),
    )
}

/// The names of the members `issues` name.
fn names<'a>(
    r: &mut Replica,
    c: &CoalitionId,
    issues: impl Iterator<Item = &'a model::schema::Issue>,
) -> anyhow::Result<BTreeMap<MemberId, String>> {
    let mut ids = std::collections::BTreeSet::new();
    for i in issues {
        ids.insert(&i.raised_by);
        ids.insert(&i.lead);
        ids.extend(i.ranks.keys());
    }
    super::names(r, c, ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{ErrorCode, OpError};

    use crate::ops::tests::replica;

    fn raise(r: &mut Replica, c: &CoalitionId, title: &str, tags: &[&str]) -> IssueId {
        let req = NewIssueRequest {
            title: title.into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        };
        create(r, c, req).unwrap()
    }

    fn code(e: anyhow::Error) -> ErrorCode {
        OpError::from_anyhow(&e).code
    }

    #[test]
    fn a_poll_over_issues_orders_the_inventory_once_it_passes() {
        use crate::ops::proposals::{self, NewProposalRequest};
        let (_dir, mut r, c) = replica();
        let fares = raise(&mut r, &c, "Bus fares", &[]);
        let ramps = raise(&mut r, &c, "Ramps at stops", &[]);
        let night = raise(&mut r, &c, "Night buses", &["race"]);
        let won = raise(&mut r, &c, "Bus fares", &[]);
        let edit = IssueEditRequest {
            status: Some("won".into()),
            ..Default::default()
        };
        super::edit(&mut r, &c, won.as_str(), edit).unwrap();
        let ask = |issues: &[&str], method: &str, options: &[&str]| NewProposalRequest {
            kind: "general".into(),
            title: "What first in 2027?".into(),
            closes: Some("7d".into()),
            method: Some(method.into()).filter(|m: &String| !m.is_empty()),
            options: options.iter().map(|o| (*o).to_owned()).collect(),
            issues: issues.iter().map(|i| (*i).to_owned()).collect(),
            ..Default::default()
        };
        for (req, says) in [
            (ask(&["all"], "", &[]), "say its method"),
            (ask(&["all"], "dots", &["A", "B"]), "not both"),
            (ask(&["all"], "ranked", &[]), "by dots or scores"),
            (ask(&["ffff"], "dots", &[]), "no issue"),
        ] {
            let e = proposals::create(&mut r, &c, req).unwrap_err();
            assert!(format!("{e:#}").contains(says), "{says}: {e:#}");
        }
        // `all` is every issue not won or dropped, oldest first, titled by their titles.
        let all = proposals::create(&mut r, &c, ask(&["all"], "dots:6", &[])).unwrap();
        let shown = proposals::show(&mut r, &c, all.as_str()).unwrap();
        let poll = shown.proposal.proposal.poll.unwrap();
        assert_eq!(
            poll.issues,
            vec![fares.clone(), ramps.clone(), night.clone()]
        );
        assert_eq!(
            poll.options,
            vec!["Bus fares", "Ramps at stops", "Night buses"]
        );
        // Two issues of one title are told apart by their short ids.
        let both = proposals::create(
            &mut r,
            &c,
            ask(&[fares.as_str(), won.as_str()], "score", &[]),
        )
        .unwrap();
        let shown = proposals::show(&mut r, &c, both.as_str()).unwrap();
        let options = shown.proposal.proposal.poll.unwrap().options;
        assert!(options[0].starts_with("Bus fares (") && options[0] != options[1]);
        // Open polls decide nothing: oldest first.
        let by = |order: &str, tag: Option<&str>| IssueQuery {
            by: Some(order.into()),
            tag: tag.map(str::to_owned),
            ..Default::default()
        };
        let page = list(&mut r, &c, &by("priority", None)).unwrap();
        assert_eq!(page.priority, None);
        assert_eq!(page.issues[0].id, fares);
        let e = list(&mut r, &c, &by("importance", None)).unwrap_err();
        assert_eq!(code(e), ErrorCode::Invalid);
        let closing = crate::testing::closed_issue_poll(
            &mut r,
            &c,
            &[fares.clone(), ramps.clone(), night.clone()],
            &[(3, 4), (2, 2)],
        );
        let page = list(&mut r, &c, &by("priority", None)).unwrap();
        let decided = page.priority.clone().unwrap();
        assert_eq!(decided.proposal, closing);
        let order: Vec<(IssueId, Option<u32>)> = page
            .issues
            .iter()
            .map(|i| (i.id.clone(), i.place))
            .collect();
        assert_eq!(
            order,
            vec![
                (night.clone(), Some(1)),
                (ramps.clone(), Some(2)),
                (fares.clone(), Some(3)),
                (won.clone(), None)
            ],
            "ranked first by place, the rest oldest first"
        );
        // Filters apply to the ranked issues too; by age, places are still given.
        let tagged = list(&mut r, &c, &by("priority", Some("race"))).unwrap();
        assert_eq!(tagged.issues.len(), 1);
        assert_eq!(tagged.issues[0].place, Some(1));
        let by_age = list(&mut r, &c, &by("age", None)).unwrap();
        assert_eq!(by_age.issues[0].id, fares);
        assert_eq!(by_age.issues[0].place, Some(3));
        assert_eq!(by_age.priority, Some(decided));
    }

    #[test]
    fn pages_cover_every_matching_issue_once_in_the_order_of_the_whole_list() {
        let (_dir, mut r, c) = replica();
        let mut raised = Vec::new();
        for n in 0..7 {
            let tags: &[&str] = if n % 2 == 0 { &["race"] } else { &[] };
            raised.push(raise(&mut r, &c, &format!("Issue {n}"), tags));
        }
        let whole = r.read(&c).unwrap();
        let mut expected: Vec<_> = whole.issues.values().collect();
        expected.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        let expected: Vec<IssueId> = expected.iter().map(|i| i.id.clone()).collect();

        let mut seen = Vec::new();
        let mut offset = Some(0);
        while let Some(o) = offset {
            let q = IssueQuery {
                offset: o,
                limit: Some(3),
                ..Default::default()
            };
            let page = list(&mut r, &c, &q).unwrap();
            assert_eq!(page.total, 7);
            assert!(page.issues.len() <= 3);
            seen.extend(page.issues.iter().map(|i| i.id.clone()));
            offset = page.next;
        }
        assert_eq!(seen, expected);

        let q = IssueQuery {
            tag: Some("Race".into()),
            ..Default::default()
        };
        let page = list(&mut r, &c, &q).unwrap();
        assert_eq!(page.total, 4);
        assert_eq!(page.next, None);
        let past = IssueQuery {
            offset: 100,
            ..Default::default()
        };
        let page = list(&mut r, &c, &past).unwrap();
        assert_eq!((page.total, page.issues.len(), page.next), (7, 0, None));
        let huge = IssueQuery {
            limit: Some(usize::MAX),
            offset: usize::MAX,
            ..Default::default()
        };
        assert_eq!(list(&mut r, &c, &huge).unwrap().issues.len(), 0);
        // Every issue's view is the record as the whole read gives it.
        let everything = IssueQuery {
            limit: Some(usize::MAX),
            ..Default::default()
        };
        let all = list_limited(&mut r, &c, &everything, usize::MAX).unwrap();
        assert_eq!(all.issues.len(), 7);
        for v in &all.issues {
            assert_eq!(*v, IssueView::from(whole.issues[&v.id].clone()));
        }
        assert_eq!(all.names.len(), 1);
    }

    #[test]
    fn edits_show_and_refusals_carry_their_codes() {
        let (_dir, mut r, c) = replica();
        let id = raise(&mut r, &c, "Fares", &[]);
        let req = IssueEditRequest {
            status: Some("adopted".into()),
            lead: Some("northside tenants union".into()),
            ..Default::default()
        };
        assert_eq!(edit(&mut r, &c, &id.as_str()[..6], req).unwrap(), id);
        let shown = show(&mut r, &c, &id.as_str()[..6]).unwrap();
        assert_eq!(shown.issue.status, IssueStatus::Adopted);
        assert_eq!(shown.names[&shown.issue.lead], "Northside Tenants Union");

        let bad_status = IssueEditRequest {
            status: Some("maybe".into()),
            ..Default::default()
        };
        assert_eq!(
            code(edit(&mut r, &c, id.as_str(), bad_status).unwrap_err()),
            ErrorCode::Invalid
        );
        let empty = NewIssueRequest {
            title: "  ".into(),
            ..Default::default()
        };
        assert_eq!(
            code(create(&mut r, &c, empty).unwrap_err()),
            ErrorCode::Invalid
        );
        let nobody = NewIssueRequest {
            title: "Fares".into(),
            lead: Some("Nobody".into()),
            ..Default::default()
        };
        assert_eq!(
            code(create(&mut r, &c, nobody).unwrap_err()),
            ErrorCode::NotFound
        );
        assert_eq!(
            code(show(&mut r, &c, "zz").unwrap_err()),
            ErrorCode::NotFound
        );
        // Two ids share their first hex digit among seventeen issues, by pigeonhole.
        for n in 0..16 {
            raise(&mut r, &c, &format!("Issue {n}"), &[]);
        }
        let ambiguous = (0..16)
            .map(|d| format!("{d:x}"))
            .find(|p| {
                r.record_ids(&c, "issues")
                    .unwrap()
                    .iter()
                    .filter(|i| i.starts_with(p.as_str()))
                    .count()
                    > 1
            })
            .unwrap();
        assert_eq!(
            code(show(&mut r, &c, &ambiguous).unwrap_err()),
            ErrorCode::Ambiguous
        );
        let q = IssueQuery {
            status: Some("maybe".into()),
            ..Default::default()
        };
        assert_eq!(code(list(&mut r, &c, &q).unwrap_err()), ErrorCode::Invalid);
        // A page of nothing would never end: refused.
        let empty_page = IssueQuery {
            limit: Some(0),
            ..Default::default()
        };
        assert_eq!(
            code(list(&mut r, &c, &empty_page).unwrap_err()),
            ErrorCode::Invalid
        );
    }

    #[test]
    fn an_issue_reads_the_same_as_a_view_and_as_the_record() {
        let i = model::schema::Issue {
            id: IssueId::from_bytes([1; 16]),
            title: "Fares".into(),
            description: model::schema::Prose("Long\ntext".into()),
            raised_by: MemberId::from_bytes([2; 16]),
            lead: MemberId::from_bytes([3; 16]),
            tags: vec!["race".into()],
            evidence: vec![model::schema::Evidence {
                source: "survey".into(),
                figure: "40%".into(),
                disaggregation: "by language".into(),
                added_by: MemberId::from_bytes([2; 16]),
            }],
            status: IssueStatus::Raised,
            ranks: [(MemberId::from_bytes([2; 16]), Rank::new(1).unwrap())].into(),
            created_at: Timestamp::from_millis(1_700_000_000_000),
        };
        // The command line's `--json` prints views: what it printed before, byte for byte.
        assert_eq!(
            serde_json::to_string(&i).unwrap(),
            serde_json::to_string(&IssueView::from(i.clone())).unwrap()
        );
    }
}
