//! The charter: the one in force, and every ratified version. Each reads the stored charter
//! and the governance (members and governing proposals), never the coalition's issues,
//! pools or meetings.

use std::collections::BTreeMap;

use anyhow::Context;
use model::schema::{Charter, CharterVersion};
use model::{Amount, CoalitionId, Day, GoalId, MemberId};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The charter in force, with the names of the members it names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CharterDetail {
    /// The charter: the founding one with every passed amendment applied.
    pub charter: Charter,
    /// The names of the members its roles and goals name, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// Every ratified version of the charter, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CharterVersions {
    /// The versions, the founding charter first.
    pub versions: Vec<CharterVersion>,
    /// The names of the members whose agreement ratified them, by id.
    #[schema(value_type = BTreeMap<String, String>)]
    pub names: BTreeMap<MemberId, String>,
}

/// A shared goal to add to the charter, with its benchmark.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGoalRequest {
    /// What the coalition wants to achieve (up to 200 characters).
    pub title: String,
    /// The benchmark's target figure (e.g. `100` or `12.50`).
    pub target: String,
    /// Unit of the target (percent, households, USD...; up to 200 characters).
    pub unit: String,
}

/// Progress towards a goal.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressRequest {
    /// The figure reached.
    pub value: String,
    /// Day of the measurement, `YYYY-MM-DD` (today when absent).
    #[serde(default)]
    pub date: Option<String>,
    /// How it was measured (up to 200 characters).
    #[serde(default)]
    pub note: String,
}

/// Adds a shared goal to the charter.
pub fn add_goal(r: &mut Replica, c: &CoalitionId, req: NewGoalRequest) -> anyhow::Result<GoalId> {
    let target: Amount = req.target.parse()?;
    let id = GoalId::from_bytes(replica::fresh_id_bytes()?);
    r.edit(c, |doc, a| {
        doc.add_goal(&a.member, &id, &req.title, target, &req.unit, a.now)
    })?;
    Ok(id)
}

/// Records dated progress towards a goal (`goal`: its id or a unique prefix).
pub fn record_progress(
    r: &mut Replica,
    c: &CoalitionId,
    goal: &str,
    req: ProgressRequest,
) -> anyhow::Result<GoalId> {
    let value: Amount = req.value.parse()?;
    let date: Option<Day> = req.date.as_deref().map(str::parse).transpose()?;
    let goal: GoalId = super::resolve(r, c, "charter/goals", "goal", goal)?;
    Ok(r.edit(c, |doc, a| {
        let day = date.unwrap_or_else(|| Day::of(a.now));
        doc.record_progress(&a.member, &goal, day, value, &req.note, a.now)
    })?)
}

/// An amendment to propose: what it changes, and the proposal that decides it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    /// A new unifying frame.
    #[serde(default)]
    pub frame: Option<String>,
    /// Values to add.
    #[serde(default)]
    pub add_values: Vec<String>,
    /// Commitments to add.
    #[serde(default)]
    pub add_commitments: Vec<String>,
    /// Decision rules to set, each `KIND=METHOD[:FRACTION][@QUORUM]` (e.g.
    /// `amendment=super-majority:2/3@1/2`).
    #[serde(default)]
    pub rules: Vec<String>,
    /// A new share above which one member is flagged, e.g. `1/2`.
    #[serde(default)]
    pub equity_threshold: Option<String>,
    /// Members' weights in polls to set, each `KIND:MEMBER=WEIGHT` (KIND `general`, the only
    /// kind polls decide; MEMBER an id, unique id prefix or exact name; WEIGHT from 1 to
    /// 1000000, 1 weighing as every other member), e.g. `general:Eastside Tenants=3`.
    #[serde(default)]
    pub weights: Vec<String>,
    /// Short title (a summary of the changes when absent).
    #[serde(default)]
    pub title: Option<String>,
    /// Why: the amendment's full text.
    #[serde(default)]
    pub text: String,
    /// When positions stop counting: a day (`YYYY-MM-DD`) or a duration from now (`7d`).
    #[serde(default)]
    pub closes: Option<String>,
}

impl AmendmentRequest {
    /// Whether it asks to change nothing of the charter (the model refuses such an amendment;
    /// the command line says so first, naming its flags). Every field is named here, so a new
    /// one must be sorted into what changes the charter or not.
    pub fn changes_nothing(&self) -> bool {
        let Self {
            frame,
            add_values,
            add_commitments,
            rules,
            equity_threshold,
            weights,
            title: _,
            text: _,
            closes: _,
        } = self;
        frame.is_none()
            && add_values.is_empty()
            && add_commitments.is_empty()
            && rules.is_empty()
            && equity_threshold.is_none()
            && weights.is_empty()
    }
}

/// Opens a proposal to amend the charter; once it passes it becomes the next version.
pub fn amend(
    r: &mut Replica,
    c: &CoalitionId,
    req: AmendmentRequest,
) -> anyhow::Result<model::ProposalId> {
    let rules = req
        .rules
        .iter()
        .map(|s| s.parse())
        .collect::<Result<Vec<model::schema::RuleChange>, _>>()?;
    let equity_threshold = req
        .equity_threshold
        .as_deref()
        .map(str::parse::<model::Fraction>)
        .transpose()?;
    // Bounded before any is read; the members in force read once, for them and the title.
    if req.weights.len() > model::MAX_LIST {
        return Err(super::Invalid(format!(
            "an amendment changes at most {} weights (this one {})",
            model::MAX_LIST,
            req.weights.len()
        ))
        .into());
    }
    let gov = r
        .in_force(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let weights = req
        .weights
        .iter()
        .map(|w| weight_change(&gov.members, w))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let amendment = model::schema::Amendment {
        frame: req.frame,
        add_values: req.add_values,
        add_commitments: req.add_commitments,
        rules,
        equity_threshold,
        weights,
    };
    let title = match req.title {
        Some(t) => t,
        // Members by name, as organizers know each other.
        None => amendment_title(&amendment, &|m| {
            gov.members
                .get(m)
                .map_or_else(|| format!("member {}", m.short()), |x| x.name.clone())
        }),
    };
    let new = super::proposals::new_proposal(
        model::DecisionKind::Amendment,
        title,
        req.text,
        req.closes.as_deref(),
    )?;
    let id = new.id.clone();
    r.edit(c, |doc, a| {
        doc.propose_amendment(&a.member, new, amendment, a.now)
    })?;
    Ok(id)
}

/// The weight change `given` says, `KIND:MEMBER=WEIGHT`, its member named by id, prefix or
/// exact name among the members in force.
fn weight_change<M: std::borrow::Borrow<model::schema::Member>>(
    members: &std::collections::BTreeMap<model::MemberId, M>,
    given: &str,
) -> anyhow::Result<model::schema::WeightChange> {
    let invalid = || {
        super::Invalid(format!(
            "`{given}` is no weight: write KIND:MEMBER=WEIGHT, such as general:Eastside=3 \
             (KIND a kind of decision, MEMBER an organization's id or name, WEIGHT from 1 to \
             {})",
            model::schema::MAX_WEIGHT
        ))
    };
    let (kind, rest) = given.split_once(':').ok_or_else(invalid)?;
    let (member, weight) = rest.rsplit_once('=').ok_or_else(invalid)?;
    let kind: model::DecisionKind = kind.trim().parse().map_err(|_| invalid())?;
    if !matches!(
        kind,
        model::DecisionKind::General | model::DecisionKind::Allocation | model::DecisionKind::Role
    ) {
        return Err(super::Invalid(format!(
            "`{given}`: only general decisions, allocations (by budget polls) and role \
             elections are decided by polls, so only weights in those count (write \
             general:MEMBER=WEIGHT, allocation:MEMBER=WEIGHT or role:MEMBER=WEIGHT)"
        ))
        .into());
    }
    let weight: u32 = weight
        .trim()
        .parse()
        .ok()
        .filter(|w| (1..=model::schema::MAX_WEIGHT).contains(w))
        .ok_or_else(invalid)?;
    let member = super::find_member(members, member.trim())?.clone();
    Ok(model::schema::WeightChange {
        kind,
        member,
        weight,
    })
}

/// A title naming what an amendment changes.
fn amendment_title(
    a: &model::schema::Amendment,
    name: &dyn Fn(&model::MemberId) -> String,
) -> String {
    let mut parts = Vec::new();
    if a.frame.is_some() {
        parts.push("new frame".to_owned());
    }
    for v in &a.add_values {
        parts.push(format!("add value \u{201c}{v}\u{201d}"));
    }
    for v in &a.add_commitments {
        parts.push(format!("add commitment \u{201c}{v}\u{201d}"));
    }
    for r in &a.rules {
        parts.push(format!("{r}"));
    }
    if let Some(t) = a.equity_threshold {
        parts.push(format!("equity threshold {t}"));
    }
    for w in &a.weights {
        parts.push(format!(
            "{} weighs {} in {} polls",
            name(&w.member),
            w.weight,
            w.kind
        ));
    }
    let title = format!("Amend the charter: {}", parts.join("; "));
    match title.char_indices().nth(model::MAX_SHORT - 1) {
        Some((cut, _)) => format!("{}…", &title[..cut]),
        None => title,
    }
}

/// The charter in force now.
pub fn show(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<CharterDetail> {
    let read = r
        .charter_with_roles(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let charter = read.charter;
    let roles = &charter.roles;
    let named = roles
        .facilitator_rotation
        .iter()
        .chain(&roles.spokespeople)
        .chain(&roles.statement_signoff)
        .chain(&roles.delegates)
        .chain(
            charter
                .goals
                .values()
                .flat_map(|g| std::iter::once(&g.added_by).chain(g.progress.iter().map(|p| &p.by))),
        )
        .chain(
            model::DecisionKind::ALL
                .iter()
                .flat_map(|k| charter.weights.for_kind(*k).keys()),
        );
    let names = super::names_in(&read.governance, named);
    Ok(CharterDetail { charter, names })
}

/// Every ratified version, oldest first.
pub fn versions(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<CharterVersions> {
    let read = r
        .charter(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    // In the order of their keys (the version number, zero-padded), as the whole read.
    let versions: Vec<CharterVersion> = read.versions.into_values().collect();
    // Who agreed to each, and whom each weighs.
    let names = super::names_in(
        &read.governance,
        versions.iter().flat_map(|v| {
            v.agreed_by.iter().chain(
                model::DecisionKind::ALL
                    .iter()
                    .flat_map(|k| v.weights.for_kind(*k).keys()),
            )
        }),
    );
    Ok(CharterVersions { versions, names })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An amendment that changes nothing is invalid (not forbidden), in words with no flag.
    #[test]
    fn an_empty_amendment_is_invalid_and_says_so_plainly() {
        let (_dir, mut r, c) = crate::testing::replica();
        let e = amend(&mut r, &c, AmendmentRequest::default()).unwrap_err();
        let op = crate::ops::OpError::from_anyhow(&e);
        assert_eq!(op.code, crate::ops::ErrorCode::Invalid);
        assert!(op.message.contains("must change something"), "{op:?}");
        assert!(!op.message.contains("--"), "{op:?}");
    }
    use crate::ops::tests::replica;

    /// The charter and its versions read alone are those of the whole read, also after an
    /// amendment passed: version 2, with who agreed.
    #[test]
    fn the_charter_read_alone_is_the_whole_reads() {
        let (_dir, mut r, c) = replica();
        let amendment = model::schema::Amendment {
            frame: None,
            add_values: vec!["language justice".into()],
            add_commitments: vec![],
            rules: vec![],
            equity_threshold: None,
            weights: vec![],
        };
        let new = crate::ops::proposals::new_proposal(
            model::DecisionKind::Amendment,
            "Add a value".into(),
            String::new(),
            None,
        )
        .unwrap();
        let proposal = new.id.clone();
        r.edit(&c, |doc, a| {
            doc.propose_amendment(&a.member, new, amendment, a.now)
        })
        .unwrap();
        let agree = crate::ops::proposals::PositionRequest {
            stance: "agree".into(),
            reason: String::new(),
        };
        crate::ops::proposals::take_position(&mut r, &c, proposal.as_str(), agree).unwrap();
        let whole = r.read(&c).unwrap();
        let shown = show(&mut r, &c).unwrap();
        assert_eq!(shown.charter, whole.charter);
        assert_eq!(shown.charter.version, 2);
        assert!(
            shown
                .charter
                .values
                .contains(&"language justice".to_owned())
        );
        let founder = whole.members.keys().next().unwrap();
        assert_eq!(shown.names[founder], "Northside Tenants Union");
        let listed = versions(&mut r, &c).unwrap();
        let expected: Vec<&CharterVersion> = whole.charter_versions.values().collect();
        assert_eq!(listed.versions.iter().collect::<Vec<_>>(), expected);
        assert_eq!(listed.versions.len(), 2);
        assert_eq!(listed.versions[1].proposal.as_ref(), Some(&proposal));
    }

    /// A weight named by the organization's name passes with the amendment; a poll opened
    /// after it counts that organization's ballot its weight times and says so; weights
    /// badly written are refused in plain words.
    #[test]
    fn a_weight_set_by_amendment_counts_in_the_polls_after_it() {
        let (_dir, mut r, c) = replica();
        for bad in [
            "general:Nobody=3",
            "general:Northside Tenants Union=0",
            "whenever:Northside Tenants Union=2",
            "general=3",
            "amendment:Northside Tenants Union=2",
        ] {
            let req = AmendmentRequest {
                weights: vec![bad.into()],
                ..Default::default()
            };
            let e = amend(&mut r, &c, req).unwrap_err();
            let op = crate::ops::OpError::from_anyhow(&e);
            assert!(
                matches!(
                    op.code,
                    crate::ops::ErrorCode::Invalid | crate::ops::ErrorCode::NotFound
                ),
                "{bad}: {op:?}"
            );
        }
        let req = AmendmentRequest {
            weights: vec!["general:northside tenants union=3".into()],
            ..Default::default()
        };
        crate::testing::amended(&mut r, &c, req);
        let shown = show(&mut r, &c).unwrap();
        let founder = shown.names.keys().next().unwrap().clone();
        assert_eq!(shown.charter.weights.general[&founder], 3);
        let poll = crate::ops::proposals::create(
            &mut r,
            &c,
            crate::ops::proposals::NewProposalRequest {
                kind: "general".into(),
                title: "Which banner?".into(),
                closes: Some("7d".into()),
                method: Some("choose".into()),
                options: vec!["Fares".into(), "Routes".into()],
                ..Default::default()
            },
        )
        .unwrap();
        let cast = crate::ops::proposals::cast_ballot(
            &mut r,
            &c,
            poll.as_str(),
            crate::ops::proposals::BallotRequest {
                choose: vec!["Routes".into()],
                ..Default::default()
            },
        )
        .unwrap();
        // Where it stands after, without reading the proposal again: the one ballot counted.
        assert_eq!((cast.tally.agree, cast.tally.pending), (1, 0));
        assert_eq!(cast.ballot, "choose:1");
        let v = crate::ops::proposals::show(&mut r, &c, poll.as_str()).unwrap();
        assert_eq!(v.proposal.proposal.weights[&founder], 3);
        match &v.proposal.result {
            Some(model::poll::PollResult::Choose(t)) => assert_eq!(t.totals, vec![0, 3]),
            other => panic!("{other:?}"),
        }
    }

    /// A general rule naming a poll method, set by amendment: a general proposal is then a
    /// poll by it; a positions proposal, a poll by another method and a poll rule for a kind
    /// decided by positions are each refused as a request to correct, in plain words.
    #[test]
    fn a_rule_naming_a_poll_method_makes_general_decisions_polls_by_it() {
        let (_dir, mut r, c) = replica();
        for bad in [
            "amendment=ranked",
            "allocation=ranked",
            "general=stv:0",
            "general=borda",
        ] {
            let req = AmendmentRequest {
                rules: vec![bad.into()],
                ..Default::default()
            };
            let op = crate::ops::OpError::from_anyhow(&amend(&mut r, &c, req).unwrap_err());
            assert_eq!(op.code, crate::ops::ErrorCode::Invalid, "{bad}: {op:?}");
        }
        let req = AmendmentRequest {
            rules: vec!["general=ranked@2/3".into()],
            ..Default::default()
        };
        crate::testing::amended(&mut r, &c, req);
        let shown = show(&mut r, &c).unwrap();
        assert_eq!(shown.charter.rules.general.to_string(), "ranked@2/3");
        let general = |method: Option<&str>| crate::ops::proposals::NewProposalRequest {
            kind: "general".into(),
            title: "Which banner?".into(),
            closes: Some("7d".into()),
            method: method.map(Into::into),
            options: if method.is_some() {
                vec!["Fares".into(), "Routes".into()]
            } else {
                vec![]
            },
            ..Default::default()
        };
        for method in [None, Some("choose")] {
            let e = crate::ops::proposals::create(&mut r, &c, general(method)).unwrap_err();
            let op = crate::ops::OpError::from_anyhow(&e);
            assert!(op.message.contains("by ranked polls"), "{method:?}: {op:?}");
        }
        let poll = crate::ops::proposals::create(&mut r, &c, general(Some("ranked"))).unwrap();
        let v = crate::ops::proposals::show(&mut r, &c, poll.as_str()).unwrap();
        assert_eq!(v.proposal.proposal.rule.to_string(), "ranked@2/3");
    }

    /// An election names its role and is among members in force, their names its options; a
    /// request wrong in any part is refused in plain words, and an honest one opens.
    #[test]
    fn an_election_of_role_holders_opens_among_members() {
        let (_dir, mut r, c) = replica();
        let elect = |method: &str, role: Option<&str>, candidates: Vec<&str>| {
            crate::ops::proposals::NewProposalRequest {
                kind: "role".into(),
                title: "Spokespeople".into(),
                closes: Some("7d".into()),
                method: Some(method.into()),
                role: role.map(Into::into),
                candidates: candidates.into_iter().map(Into::into).collect(),
                ..Default::default()
            }
        };
        for (req, says) in [
            (elect("stv:1", Some("treasurer"), vec!["all"]), "role"),
            (elect("stv:1", None, vec!["all"]), "names its method"),
            (
                elect("stv:1", Some("spokespeople"), vec!["Nobody"]),
                "Nobody",
            ),
            (
                elect(
                    "stv:1",
                    Some("spokespeople"),
                    vec!["Northside Tenants Union", "northside tenants union"],
                ),
                "listed twice",
            ),
            // One member: an election lists two candidates at least.
            (elect("stv:1", Some("spokespeople"), vec!["all"]), "from 2"),
            (
                elect("dots", Some("spokespeople"), vec!["all"]),
                "stv, ranked or condorcet",
            ),
        ] {
            let e = crate::ops::proposals::create(&mut r, &c, req).unwrap_err();
            let op = crate::ops::OpError::from_anyhow(&e);
            assert!(op.message.contains(says), "{says}: {op:?}");
        }
        let positions = crate::ops::proposals::NewProposalRequest {
            kind: "role".into(),
            title: "Spokespeople".into(),
            ..Default::default()
        };
        let op = crate::ops::OpError::from_anyhow(
            &crate::ops::proposals::create(&mut r, &c, positions).unwrap_err(),
        );
        assert!(op.message.contains("by stv polls"), "{op:?}");
    }
}
