//! Meeting records: record one, list a page (newest first), show one. Each reads the
//! coalition's meetings and its governance (for names and the facilitator rotation), never
//! its other records.

use std::collections::BTreeMap;

use anyhow::Context;
use model::{CoalitionId, Day, MeetingId, MemberId, NewMeeting, ProposalId};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Most meetings in one page.
pub const MAX_PAGE: usize = super::MAX_PAGE;
/// Meetings in a page when the request names no limit.
pub const DEFAULT_PAGE: usize = 50;

/// A meeting to record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingRequest {
    /// The day it was held, `YYYY-MM-DD`.
    pub date: String,
    /// The facilitating member: id, unique prefix or exact name. When absent, the next in
    /// the charter's rotation (the member in force with the fewest turns).
    #[serde(default)]
    pub facilitator: Option<String>,
    /// The members present: ids, unique prefixes or exact names.
    #[serde(default)]
    pub attendance: Vec<String>,
    /// Agenda items (up to 50, each up to 200 characters).
    #[serde(default)]
    pub agenda: Vec<String>,
    /// Minutes (up to 20,000 characters).
    #[serde(default)]
    pub minutes: String,
    /// Proposals decided at the meeting: ids or unique prefixes.
    #[serde(default)]
    pub decisions: Vec<String>,
    /// The members that spoke in the check-in round, in order (each present): ids, unique
    /// prefixes or exact names.
    #[serde(default)]
    pub checkins: Vec<String>,
    /// Each agenda item's time box in minutes (0: none), in the agenda's order.
    #[serde(default)]
    pub timeboxes: Vec<u64>,
}

/// Which meetings to list, newest first (by the day each was held, then id).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingQuery {
    /// Only the meetings this member attended or facilitated: id, unique prefix or exact
    /// name (a former member's too).
    #[serde(default)]
    pub member: Option<String>,
    /// Only the meetings held on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: Option<String>,
    /// Only the meetings held on or before this day (`YYYY-MM-DD`).
    #[serde(default)]
    pub to: Option<String>,
    /// How many meetings to skip.
    #[serde(default)]
    pub offset: usize,
    /// Most meetings to return (default 50, at most 500; at least 1).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<usize>,
}

/// A meeting as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeetingView {
    /// Its id.
    #[schema(value_type = String)]
    pub id: MeetingId,
    /// The day it was held (`YYYY-MM-DD`).
    #[schema(value_type = String)]
    pub day: Day,
    /// The member that facilitated.
    #[schema(value_type = String)]
    pub facilitator: MemberId,
    /// The members present.
    #[schema(value_type = Vec<String>)]
    pub attendance: Vec<MemberId>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// Proposals decided at the meeting.
    #[schema(value_type = Vec<String>)]
    pub decisions: Vec<ProposalId>,
    /// The member that recorded it.
    #[schema(value_type = String)]
    pub recorded_by: MemberId,
    /// The members that spoke in the check-in round, in order.
    #[schema(value_type = Vec<String>)]
    pub checkins: Vec<MemberId>,
    /// Each agenda item's time box in minutes (0: none).
    pub timeboxes: Vec<u64>,
    /// The access plan: interpretation, accessibility needs and childcare, with who asked,
    /// computed from the profiles of those present when it was recorded.
    #[schema(value_type = Vec<Object>)]
    pub access: Vec<model::schema::AccessNeed>,
}

impl From<model::schema::Meeting> for MeetingView {
    fn from(m: model::schema::Meeting) -> Self {
        Self {
            id: m.id,
            day: m.day,
            facilitator: m.facilitator,
            attendance: m.attendance,
            agenda: m.agenda,
            minutes: m.minutes.0,
            decisions: m.decisions,
            recorded_by: m.recorded_by,
            checkins: m.checkins,
            timeboxes: m.timeboxes,
            access: m.access,
        }
    }
}

/// One page of meetings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MeetingPage {
    /// How many meetings there are, in all pages.
    pub total: usize,
    /// How many were skipped before this page.
    pub offset: usize,
    /// The offset of the next page, if there is one.
    pub next: Option<usize>,
    /// The meetings of this page, newest first.
    pub meetings: Vec<MeetingView>,
    /// The names of the members these meetings name (facilitators, present, recorders), by
    /// id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// One meeting, with the names of the members it names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MeetingDetail {
    /// The meeting.
    pub meeting: MeetingView,
    /// The names of the members it names, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// Agenda items as people type them, `ITEM@MINUTES` giving one a time box: the items and
/// the time boxes (0 for none; none after the last one given).
pub fn split_timeboxes(items: Vec<String>) -> (Vec<String>, Vec<u64>) {
    let mut boxes = Vec::new();
    let items = items
        .into_iter()
        .map(|item| match item.rsplit_once('@') {
            // At most a day: "Budget@2026" is an item, not a time box.
            Some((text, m))
                if !m.trim().is_empty()
                    && m.trim().bytes().all(|b| b.is_ascii_digit())
                    && m.trim().parse::<u64>().is_ok_and(|t| t <= 1440) =>
            {
                boxes.push(m.trim().parse().unwrap_or(0));
                text.trim_end().to_owned()
            }
            _ => {
                boxes.push(0);
                item
            }
        })
        .collect();
    while boxes.last() == Some(&0) {
        boxes.pop();
    }
    (items, boxes)
}

/// Records a meeting; returns its id. Reads the governance (members named, the rotation)
/// and, for a default facilitator, the meetings so far.
pub fn create(
    r: &mut Replica,
    c: &CoalitionId,
    req: NewMeetingRequest,
) -> anyhow::Result<MeetingId> {
    let context = || format!("could not read coalition {c}");
    let day: Day = req.date.trim().parse()?;
    // Bounded before anything is resolved (each decision named by a prefix is looked up).
    for (field, len, max) in [
        ("attendees", req.attendance.len(), model::MAX_ATTENDANCE),
        ("decisions", req.decisions.len(), model::MAX_LIST),
        ("check-ins", req.checkins.len(), model::MAX_ATTENDANCE),
        ("time boxes", req.timeboxes.len(), model::MAX_LIST),
    ] {
        if len > max {
            return Err(model::EditError::TooMany { field, len, max }.into());
        }
    }
    let gov = r.in_force(c).with_context(context)?;
    let facilitator = match &req.facilitator {
        Some(f) => super::find_member(&gov.members, f)?.clone(),
        None => {
            let rotation = model::governance::facilitator_rotation(&gov.members);
            let meetings = r.meetings(c).with_context(context)?;
            model::reports::next_in_rotation(&rotation, meetings.values())
                .ok_or_else(|| anyhow::anyhow!("the coalition has no members in force"))?
        }
    };
    let attendance = req
        .attendance
        .iter()
        .map(|m| Ok(super::find_member(&gov.members, m)?.clone()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let decisions = req
        .decisions
        .iter()
        .map(|d| super::proposals::resolve(r, c, d))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let checkins = req
        .checkins
        .iter()
        .map(|m| Ok(super::find_member(&gov.members, m)?.clone()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let id = MeetingId::from_bytes(replica::fresh_id_bytes()?);
    let new = NewMeeting {
        id: id.clone(),
        day,
        facilitator,
        attendance,
        agenda: req.agenda,
        minutes: req.minutes,
        decisions,
        checkins,
        timeboxes: req.timeboxes,
    };
    r.edit(c, |doc, a| doc.add_meeting(&a.member, new, a.now))?;
    Ok(id)
}

/// A page of the coalition's meetings, newest first (then by id).
pub fn list(r: &mut Replica, c: &CoalitionId, q: &MeetingQuery) -> anyhow::Result<MeetingPage> {
    list_limited(r, c, q, MAX_PAGE)
}

/// [`list`] with `max` for the largest page instead of [`MAX_PAGE`] (the command line lists
/// every meeting).
pub(crate) fn list_limited(
    r: &mut Replica,
    c: &CoalitionId,
    q: &MeetingQuery,
    max: usize,
) -> anyhow::Result<MeetingPage> {
    let limit = super::page_limit(q.limit, DEFAULT_PAGE, max, "meeting")?;
    let day = |given: &Option<String>, what: &str| -> anyhow::Result<Option<Day>> {
        let Some(given) = given.as_deref().map(str::trim).filter(|g| !g.is_empty()) else {
            return Ok(None);
        };
        given.parse().map(Some).map_err(|_| {
            // What was given is said back, cut to what a day could be.
            let shown: String = given.chars().take(40).collect();
            super::Invalid(format!(
                "invalid {what} day `{shown}`: write it as YYYY-MM-DD, such as 2026-11-20"
            ))
            .into()
        })
    };
    let (from, to) = (day(&q.from, "first")?, day(&q.to, "last")?);
    let member = match q.member.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(given) => {
            let gov = r
                .in_force(c)
                .with_context(|| format!("could not read coalition {c}"))?;
            let every: BTreeMap<MemberId, model::schema::Member> = gov
                .every_member()
                .map(|m| (m.id.clone(), m.clone()))
                .collect();
            Some(super::find_member(&every, given)?.clone())
        }
        None => None,
    };
    let mut all: Vec<model::schema::Meeting> = r
        .meetings(c)
        .with_context(|| format!("could not read coalition {c}"))?
        .into_values()
        .filter(|m| from.is_none_or(|f| m.day >= f) && to.is_none_or(|t| m.day <= t))
        .filter(|m| {
            member
                .as_ref()
                .is_none_or(|x| m.facilitator == *x || m.attendance.contains(x))
        })
        .collect();
    all.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.id.cmp(&b.id)));
    let total = all.len();
    let end = q.offset.saturating_add(limit).min(total);
    let page: Vec<MeetingView> = all
        .into_iter()
        .skip(q.offset)
        .take(limit)
        .map(MeetingView::from)
        .collect();
    let names = names(r, c, &page)?;
    Ok(MeetingPage {
        total,
        offset: q.offset,
        next: (end < total).then_some(end),
        meetings: page,
        names,
    })
}

/// The meeting whose id `given` is or starts with (`ops::resolve`).
pub fn resolve(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<MeetingId> {
    super::resolve(r, c, "meetings", "meeting", given)
}

/// One meeting (`given`: its id or a unique prefix), read alone.
pub fn show(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<MeetingDetail> {
    let id = resolve(r, c, given)?;
    let meeting: MeetingView = super::alone(c, r.meeting(c, &id))?
        .ok_or_else(|| replica::PrefixError::NotFound {
            what: "meeting",
            given: given.to_owned(),
        })?
        .into();
    let names = names(r, c, std::slice::from_ref(&meeting))?;
    Ok(MeetingDetail { meeting, names })
}

/// The names of the members `meetings` name.
fn names(
    r: &mut Replica,
    c: &CoalitionId,
    meetings: &[MeetingView],
) -> anyhow::Result<BTreeMap<MemberId, String>> {
    super::names(
        r,
        c,
        meetings.iter().flat_map(|m| {
            std::iter::once(&m.facilitator)
                .chain(&m.attendance)
                .chain(std::iter::once(&m.recorded_by))
                .chain(&m.checkins)
                .chain(m.access.iter().flat_map(|n| &n.asked_by))
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{ErrorCode, OpError};

    fn code(e: anyhow::Error) -> ErrorCode {
        OpError::from_anyhow(&e).code
    }

    fn meeting(date: &str) -> NewMeetingRequest {
        NewMeetingRequest {
            date: date.into(),
            agenda: vec!["Fare campaign".into()],
            minutes: "Agreed to start.".into(),
            ..NewMeetingRequest::default()
        }
    }

    /// Recorded, listed and shown as the whole read has them: newest first, the facilitator
    /// by the rotation when none is named, members and decisions by name or prefix.
    #[test]
    fn meetings_read_alone_are_those_of_the_whole_read() {
        let (_dir, mut r, c) = replica();
        let proposal = crate::ops::proposals::create(
            &mut r,
            &c,
            crate::ops::proposals::NewProposalRequest {
                kind: "general".into(),
                title: "Adopt the fare campaign".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let first = create(
            &mut r,
            &c,
            NewMeetingRequest {
                attendance: vec!["Northside Tenants Union".into()],
                decisions: vec![proposal.as_str()[..6].into()],
                ..meeting("2026-11-20")
            },
        )
        .unwrap();
        let second = create(&mut r, &c, meeting("2026-12-01")).unwrap();
        let whole = r.read(&c).unwrap();
        assert_eq!(
            whole.meetings[&first].decisions,
            vec![proposal],
            "the decision by its prefix"
        );
        // The only member facilitates both: the rotation's next, as the whole read says.
        let founder = whole.members.keys().next().unwrap().clone();
        assert_eq!(whole.meetings[&second].facilitator, founder);
        assert_eq!(
            whole.meetings[&first].attendance,
            vec![founder.clone()],
            "present by name"
        );
        let page = list(&mut r, &c, &MeetingQuery::default()).unwrap();
        assert_eq!(page.total, 2);
        let ids: Vec<&MeetingId> = page.meetings.iter().map(|m| &m.id).collect();
        assert_eq!(ids, vec![&second, &first], "newest first");
        assert_eq!(
            page.meetings[1],
            MeetingView::from(whole.meetings[&first].clone())
        );
        assert_eq!(page.names[&founder], "Northside Tenants Union");
        // Pages of one.
        let q = MeetingQuery {
            offset: 1,
            limit: Some(1),
            ..MeetingQuery::default()
        };
        let page = list(&mut r, &c, &q).unwrap();
        assert_eq!((page.meetings.len(), page.next), (1, None));
        assert_eq!(page.meetings[0].id, first);
        // Filtered by the days held and by who was there (facilitating counts).
        let ids = |r: &mut Replica, q: MeetingQuery| -> Vec<MeetingId> {
            let page = list(r, &c, &q).unwrap();
            assert_eq!(page.total, page.meetings.len());
            page.meetings.into_iter().map(|m| m.id).collect()
        };
        let since = |d: &str| MeetingQuery {
            from: Some(d.into()),
            ..MeetingQuery::default()
        };
        assert_eq!(ids(&mut r, since("2026-11-25")), vec![second.clone()]);
        assert_eq!(
            ids(&mut r, since("2026-11-20")).len(),
            2,
            "the first day counts"
        );
        let until = MeetingQuery {
            to: Some("2026-11-25".into()),
            ..MeetingQuery::default()
        };
        assert_eq!(ids(&mut r, until), vec![first.clone()]);
        let by = |m: &str| MeetingQuery {
            member: Some(m.into()),
            ..MeetingQuery::default()
        };
        assert_eq!(ids(&mut r, by("northside tenants union")).len(), 2);
        assert_eq!(
            code(list(&mut r, &c, &by("Nobody")).unwrap_err()),
            ErrorCode::NotFound
        );
        let err = list(&mut r, &c, &since("someday")).unwrap_err();
        assert_eq!(code(err), ErrorCode::Invalid);
        // Shown by a prefix; the JSON the command line printed for a meeting is the view's.
        let shown = show(&mut r, &c, &first.as_str()[..6]).unwrap();
        assert_eq!(shown.meeting.id, first);
        assert_eq!(
            serde_json::to_value(&shown.meeting).unwrap(),
            serde_json::to_value(&whole.meetings[&first]).unwrap()
        );
    }

    #[test]
    fn bad_meetings_are_refused_with_a_code_a_client_can_act_on() {
        let (_dir, mut r, c) = replica();
        let bad_day = create(&mut r, &c, meeting("2026-13-40")).unwrap_err();
        assert_eq!(code(bad_day), ErrorCode::Invalid);
        let nobody = NewMeetingRequest {
            facilitator: Some("Nobody Here".into()),
            ..meeting("2026-11-20")
        };
        assert_eq!(
            code(create(&mut r, &c, nobody).unwrap_err()),
            ErrorCode::NotFound
        );
        let no_proposal = NewMeetingRequest {
            decisions: vec!["abcdef".into()],
            ..meeting("2026-11-20")
        };
        assert_eq!(
            code(create(&mut r, &c, no_proposal).unwrap_err()),
            ErrorCode::NotFound
        );
        let many = NewMeetingRequest {
            decisions: vec!["abcdef".into(); 51],
            ..meeting("2026-11-20")
        };
        assert_eq!(
            code(create(&mut r, &c, many).unwrap_err()),
            ErrorCode::Invalid
        );
        let long = NewMeetingRequest {
            minutes: "x".repeat(20_001),
            ..meeting("2026-11-20")
        };
        assert_eq!(
            code(create(&mut r, &c, long).unwrap_err()),
            ErrorCode::Invalid
        );
        assert_eq!(
            code(show(&mut r, &c, "abcdef").unwrap_err()),
            ErrorCode::NotFound
        );
        let none = MeetingQuery {
            offset: 0,
            limit: Some(0),
            ..MeetingQuery::default()
        };
        assert_eq!(
            code(list(&mut r, &c, &none).unwrap_err()),
            ErrorCode::Invalid
        );
        assert_eq!(list(&mut r, &c, &MeetingQuery::default()).unwrap().total, 0);
    }
}
