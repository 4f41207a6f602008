//! Finding a time that works for a meeting: a member proposes times (`propose`), members
//! answer each yes, if needed or no (`answer`), and the listing orders each plan's times by
//! who they work for, with who each leaves out (`list`).

use std::collections::BTreeMap;

use anyhow::Context;
use model::plans::{Plan, SlotFit, best_times};
use model::{Answer, CoalitionId, MeetingId, MemberId, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A meeting to find a time for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanRequest {
    /// What the meeting is (up to 200 characters).
    pub title: String,
    /// The times it could start, in UTC: `2026-12-10 18:00` or RFC 3339 (1 to 20).
    pub slots: Vec<String>,
}

/// A member's answers to a plan's times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// One per proposed time, in the plan's order: `yes`, `if-needed` or `no`.
    pub answers: Vec<String>,
}

/// A plan with its times, best first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanView {
    /// The plan, with every member's answers.
    #[schema(value_type = Object)]
    pub plan: Plan,
    /// Its times, those that work for the most members first, with who each leaves out.
    #[schema(value_type = Vec<Object>)]
    pub fits: Vec<SlotFit>,
    /// The access plan the best time would need: from the profiles of the members it works
    /// for (if needed too), as a meeting recorded with them would keep it.
    #[schema(value_type = Vec<Object>)]
    pub access: Vec<model::schema::AccessNeed>,
}

/// Every meeting plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlansView {
    /// The plans, newest first.
    pub plans: Vec<PlanView>,
    /// The names of the members they name.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// A time as people type it: `YYYY-MM-DD HH:MM` (UTC), or RFC 3339.
pub fn parse_slot(given: &str) -> anyhow::Result<Timestamp> {
    let t = given.trim();
    let parsed = t
        .parse::<jiff::Timestamp>()
        .ok()
        .or_else(|| {
            t.replace('T', " ")
                .parse::<jiff::civil::DateTime>()
                .ok()
                .and_then(|d| jiff::tz::Offset::UTC.to_timestamp(d).ok())
        })
        .ok_or_else(|| {
            super::Invalid(format!(
                "`{given}` is no time: write it as 2026-12-10 18:00 (UTC) or 2026-12-10T18:00:00-05:00"
            ))
        })?;
    Ok(Timestamp::from_millis(parsed.as_millisecond()))
}

/// Proposes a meeting's times; returns the plan's id.
pub fn propose(r: &mut Replica, c: &CoalitionId, req: PlanRequest) -> anyhow::Result<MeetingId> {
    if req.slots.len() > model::plans::MOST_SLOTS {
        return Err(model::EditError::TooMany {
            field: "times",
            len: req.slots.len(),
            max: model::plans::MOST_SLOTS,
        }
        .into());
    }
    let slots = req
        .slots
        .iter()
        .map(|s| parse_slot(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let id = MeetingId::from_bytes(replica::fresh_id_bytes()?);
    r.edit(c, |doc, a| {
        doc.propose_times(&a.member, &id, &req.title, &slots, a.now)
    })?;
    Ok(id)
}

/// The plan `given` names: `PLANNER.PLAN` (as the web UI names it), or its id or a unique
/// prefix of it. Plan ids are each planner's to choose, so two members' plans may share one:
/// that id alone is then ambiguous, and says how to name each.
fn find(plans: &[Plan], given: &str) -> anyhow::Result<Plan> {
    let given = given.trim();
    if let Some((planner, plan)) = model::plans::parse_answer_key(given) {
        return plans
            .iter()
            .find(|p| p.by == planner && p.id == plan)
            .cloned()
            .ok_or_else(|| {
                replica::PrefixError::NotFound {
                    what: "meeting plan",
                    given: given.to_owned(),
                }
                .into()
            });
    }
    let ids: std::collections::BTreeSet<String> = plans.iter().map(|p| p.id.to_string()).collect();
    let id = replica::resolve_prefix(given, "meeting plan", ids.iter().map(String::as_str))?;
    let found: Vec<&Plan> = plans.iter().filter(|p| p.id.as_str() == id).collect();
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(super::Invalid(format!(
            "several members' plans have the id {id}: name one as PLANNER.PLAN, one of {}",
            found
                .iter()
                .map(|p| model::plans::answer_key(&p.by, &p.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

/// Answers a plan's times for this organization (replacing its earlier answers); returns the
/// plan's id.
pub fn answer(
    r: &mut Replica,
    c: &CoalitionId,
    plan: &str,
    req: AnswerRequest,
) -> anyhow::Result<String> {
    if req.answers.len() > model::plans::MOST_SLOTS {
        return Err(model::EditError::TooMany {
            field: "answers",
            len: req.answers.len(),
            max: model::plans::MOST_SLOTS,
        }
        .into());
    }
    let answers = req
        .answers
        .iter()
        .map(|a| a.parse::<Answer>())
        .collect::<Result<Vec<_>, _>>()?;
    let plans = r
        .plans(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let p = find(&plans, plan)?;
    r.edit(c, |doc, a| {
        doc.answer_times(&a.member, &p.by, &p.id, &answers, a.now)
    })?;
    Ok(p.id.to_string())
}

/// Every plan, newest first, each with its times best first among the members in force.
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<PlansView> {
    let mut plans = r
        .plans(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    plans.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let members: Vec<MemberId> = gov.members.keys().cloned().collect();
    let names = super::names_in(
        &gov,
        plans
            .iter()
            .flat_map(|p| std::iter::once(&p.by).chain(p.answers.keys()))
            .chain(members.iter()),
    );
    Ok(PlansView {
        plans: plans
            .into_iter()
            .map(|plan| {
                let fits = best_times(&plan, &members);
                let coming: Vec<&model::schema::Member> = fits
                    .first()
                    .map(|f| {
                        f.yes
                            .iter()
                            .chain(&f.if_needed)
                            .filter_map(|m| gov.members.get(m).map(|m| m.as_ref()))
                            .collect()
                    })
                    .unwrap_or_default();
                PlanView {
                    access: model::reports::access_plan(coming),
                    fits,
                    plan,
                }
            })
            .collect(),
        names,
    })
}
