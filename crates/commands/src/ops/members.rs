//! Member organizations: list them, update this organization's profile, propose a member's
//! removal. Each reads the governance (the members in force and former members), never the
//! coalition's other records.

use anyhow::Context;
use model::{CoalitionId, DecisionKind, MemberId, ProfileUpdate, ProposalId, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which members to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Also former members (left, removed) and members awaiting an admission vote.
    #[serde(default)]
    pub all: bool,
}

/// A member organization and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MemberEntry {
    /// Its record.
    #[serde(flatten)]
    pub member: model::schema::Member,
    /// `member` (in force), `left`, `removed` or `pending` (awaiting its admission vote).
    pub status: String,
    /// The proposal that removed it, or that decides its admission.
    #[schema(value_type = Option<String>)]
    pub proposal: Option<ProposalId>,
    /// When it left or was removed.
    #[schema(value_type = Option<String>)]
    pub since: Option<Timestamp>,
}

/// Changes to this organization's profile in a coalition; an absent field stays as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// Organization name (up to 200 characters).
    #[serde(default)]
    pub name: Option<String>,
    /// Communities it represents (replacing the list; up to 50, each up to 200 characters).
    #[serde(default)]
    pub communities: Option<Vec<String>>,
    /// Languages it works in (replacing the list; up to 50, each up to 200 characters).
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Accessibility needs to plan for (replacing the list; up to 50, each up to 200
    /// characters).
    #[serde(default)]
    pub accessibility: Option<Vec<String>>,
    /// How to reach it (up to 200 characters).
    #[serde(default)]
    pub contact: Option<String>,
}

/// A proposal to remove a member.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovalRequest {
    /// Why (up to 200 characters).
    pub reason: String,
    /// When positions stop counting: a day (`YYYY-MM-DD`, end of that day UTC) or a duration
    /// from now (`7d`, `48h`, `30m`).
    #[serde(default)]
    pub closes: Option<String>,
}

/// The coalition's members in force, by name; with `all`, former members and members
/// awaiting their admission vote too.
pub fn list(r: &mut Replica, c: &CoalitionId, q: &MemberQuery) -> anyhow::Result<Vec<MemberEntry>> {
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let mut out: Vec<MemberEntry> = gov
        .members
        .values()
        .map(|m| MemberEntry {
            member: (**m).clone(),
            status: "member".into(),
            proposal: None,
            since: None,
        })
        .collect();
    if q.all {
        out.extend(gov.departures.values().map(|d| MemberEntry {
            member: d.member.clone(),
            status: d.status.as_str().into(),
            proposal: d.proposal.clone(),
            since: d.since,
        }));
    }
    out.sort_by(|a, b| a.member.name.cmp(&b.member.name));
    Ok(out)
}

/// Updates this organization's profile; returns its member id.
pub fn update_profile(
    r: &mut Replica,
    c: &CoalitionId,
    req: ProfileRequest,
) -> anyhow::Result<MemberId> {
    let update = ProfileUpdate {
        name: req.name,
        communities: req.communities,
        languages: req.languages,
        accessibility: req.accessibility,
        contact: req.contact,
    };
    Ok(r.edit(c, |doc, a| {
        doc.update_profile(&a.member, update, a.now)
            .map(|()| a.member.clone())
    })?)
}

/// Proposes to remove `member` (its id, a unique prefix or its exact name); returns the
/// proposal's id. The other members decide it under the charter's membership rule.
pub fn propose_removal(
    r: &mut Replica,
    c: &CoalitionId,
    member: &str,
    req: RemovalRequest,
) -> anyhow::Result<ProposalId> {
    let new = super::proposals::new_proposal(
        DecisionKind::Membership,
        String::new(),
        req.reason,
        req.closes.as_deref(),
    )?;
    let id = new.id.clone();
    let member = super::member(r, c, member)?;
    r.edit(c, |doc, a| {
        doc.propose_removal(&a.member, &member, new, a.now)
    })?;
    Ok(id)
}

/// This node's organization leaves the coalition: it writes nothing more to it, and the other
/// members' nodes stop sending it the coalition. Answers with the member's id.
pub fn leave(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<MemberId> {
    Ok(r.edit(c, |doc, a| {
        doc.leave(&a.member, a.now)?;
        Ok(a.member.clone())
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;
    use crate::ops::{ErrorCode, OpError};

    /// The list is the whole read's members, as `member list --json` printed them.
    #[test]
    fn members_read_from_the_governance_are_those_of_the_whole_read() {
        let (_dir, mut r, c) = replica();
        let me = update_profile(
            &mut r,
            &c,
            ProfileRequest {
                languages: Some(vec!["es".into(), "en".into()]),
                contact: Some("info@northside.example".into()),
                ..ProfileRequest::default()
            },
        )
        .unwrap();
        let listed = list(&mut r, &c, &MemberQuery { all: true }).unwrap();
        let whole = r.read(&c).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].member, whole.members[&me]);
        assert_eq!(listed[0].member.languages, vec!["es", "en"]);
        let json = serde_json::to_value(&listed[0]).unwrap();
        assert_eq!(json["status"], "member");
        assert_eq!(json["name"], "Northside Tenants Union", "flattened: {json}");
    }

    #[test]
    fn bad_profiles_and_removals_are_refused_with_a_code() {
        let (_dir, mut r, c) = replica();
        let code = |e: anyhow::Error| OpError::from_anyhow(&e).code;
        let long = ProfileRequest {
            name: Some("x".repeat(201)),
            ..ProfileRequest::default()
        };
        assert_eq!(
            code(update_profile(&mut r, &c, long).unwrap_err()),
            ErrorCode::Invalid
        );
        let nobody = RemovalRequest {
            reason: "Left the campaign".into(),
            closes: None,
        };
        assert_eq!(
            code(propose_removal(&mut r, &c, "Nobody", nobody).unwrap_err()),
            ErrorCode::NotFound
        );
        let bad_close = RemovalRequest {
            reason: "Left the campaign".into(),
            closes: Some("soon".into()),
        };
        assert_eq!(
            code(propose_removal(&mut r, &c, "Northside", bad_close).unwrap_err()),
            ErrorCode::Invalid
        );
    }
}
