//! Links with other coalitions (issue 20): proposing one, proposing its end, and the links in
//! force. Reads: to propose, the goals and pools named (by prefix) and, where this node holds
//! the other coalition too, its name; to list, the proposal headers and the link proposals
//! alone (`Replica::links`).

use model::schema::LinkTerms;
use model::{CoalitionId, DecisionKind, LinkRelation, ProposalId, SharedKind};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A link to propose: with whom, what this coalition publishes and takes, and the proposal
/// that decides it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The other coalition: its id (32 hex digits: `coalition list --json` on one of its
    /// members' nodes), or, where this node is a member of it too, a unique prefix of it.
    pub with: String,
    /// Its name (by default, where this node holds it, the name it gives itself).
    #[serde(default)]
    pub name: Option<String>,
    /// What the other coalition is to this one: `affiliate` (we roll up what it publishes and
    /// count its mandates) or `parent` (we are its affiliate).
    pub relation: String,
    /// Kinds of statement this coalition publishes to it: issue, pool, goal, decision, and
    /// call (to affiliates) or mandate (to a parent).
    #[serde(default)]
    pub publish: Vec<String>,
    /// Only issues with one of these tags are published (none: every issue).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only these goals are published (ids or unique prefixes; none: every goal).
    #[serde(default)]
    pub goals: Vec<String>,
    /// Only these pools' totals are published (ids or unique prefixes; none: every pool).
    #[serde(default)]
    pub pools: Vec<String>,
    /// How many of this coalition's members co-sign each statement it publishes (default 2).
    #[serde(default)]
    pub threshold: Option<u64>,
    /// Kinds of statement this coalition takes from it.
    #[serde(default)]
    pub accept: Vec<String>,
    /// How many of its members must sign what this coalition takes (default 2).
    #[serde(default)]
    pub their_threshold: Option<u64>,
    /// The id of the other coalition's roster to trust first (64 hex digits): required when
    /// taking any kind; named by a link that only publishes, this side takes the other's
    /// rosters (its nodes know the other side's member nodes).
    #[serde(default)]
    pub roster: Option<String>,
    /// An affiliate's weight in this coalition's mandates: a whole number, or `members` (its
    /// number of members, the default).
    #[serde(default)]
    pub weight: Option<String>,
    /// Short title (by default "Link with NAME").
    #[serde(default)]
    pub title: Option<String>,
    /// Why: the proposal's full text.
    #[serde(default)]
    pub text: String,
    /// When positions stop counting: a day (`YYYY-MM-DD`) or a duration from now (`7d`); 14
    /// days by default.
    #[serde(default)]
    pub closes: Option<String>,
}

/// The end of a link to propose.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkEndRequest {
    /// The other coalition: its id, or a unique prefix of a link in force's.
    pub with: String,
    /// Short title (by default "End the link with NAME").
    #[serde(default)]
    pub title: Option<String>,
    /// Why: the proposal's full text.
    #[serde(default)]
    pub text: String,
    /// When positions stop counting: a day (`YYYY-MM-DD`) or a duration from now (`7d`); 14
    /// days by default.
    #[serde(default)]
    pub closes: Option<String>,
}

/// One link in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkLine {
    /// The other coalition's id.
    pub coalition: String,
    /// Its name, as the link's proposal gave it.
    pub name: String,
    /// What it is to this coalition: `affiliate` or `parent`.
    pub relation: String,
    /// Kinds this coalition publishes to it.
    pub publish: Vec<String>,
    /// Only issues with one of these tags (none: every issue).
    pub tags: Vec<String>,
    /// Only these goals (none: every goal).
    pub goals: Vec<String>,
    /// Only these pools (none: every pool).
    pub pools: Vec<String>,
    /// Co-signers of this coalition per statement.
    pub threshold: u64,
    /// Kinds taken from it.
    pub accept: Vec<String>,
    /// Its members who must sign what is taken.
    pub their_threshold: u64,
    /// Its roster trusted first.
    pub roster: Option<String>,
    /// An affiliate's weight in mandates (none: its number of members).
    pub weight: Option<u64>,
    /// The link proposal that passed.
    pub proposal: String,
    /// When it was decided.
    pub decided_at: String,
}

/// The links in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinksView {
    /// One per linked coalition, by its id.
    pub links: Vec<LinkLine>,
}

/// Co-signers asked for when the request says none: two, so that one member alone never
/// speaks for the coalition.
pub const DEFAULT_THRESHOLD: u64 = 2;

/// How long a link proposal stays open when the request says nothing (a link proposal
/// closes, so that no position stated later can decide it).
pub const DEFAULT_CLOSES: &str = "14d";

/// A default title about `name`: at most the title's length, the name cut if need be.
fn titled(words: &str, name: &str) -> String {
    let room = model::MAX_SHORT.saturating_sub(words.chars().count() + 1);
    let name: String = name.chars().take(room).collect();
    format!("{words} {name}")
}

fn kinds(given: &[String], what: &str) -> anyhow::Result<Vec<SharedKind>> {
    // Bounded before each is read: there are six kinds.
    let most = 4 * SharedKind::ALL.len();
    if given.len() > most || given.iter().map(|g| g.len()).sum::<usize>() > 64 * most {
        return Err(super::Invalid(format!("{what}: name at most the six kinds")).into());
    }
    given
        .iter()
        .flat_map(|g| g.split(','))
        .filter(|k| !k.trim().is_empty())
        .map(|k| {
            k.parse::<SharedKind>()
                .map_err(|e| super::Invalid(format!("{what}: {e}")).into())
        })
        .collect()
}

/// The other coalition `given` names: a whole id, or a prefix of one this node holds; with
/// the name it gives itself where this node holds it.
fn other(r: &mut Replica, given: &str) -> anyhow::Result<(CoalitionId, Option<String>)> {
    let given = given.trim().to_ascii_lowercase();
    let not_hex = given.is_empty() || !given.bytes().all(|b| b.is_ascii_hexdigit());
    let id = match given.parse::<CoalitionId>() {
        Ok(id) => id,
        Err(_) if not_hex => {
            return Err(super::Invalid(format!(
                "`{}` is not a coalition id (32 hex digits): ask the other coalition for its \
                 id (`coalition list --json` on one of its members' nodes)",
                given.chars().take(40).collect::<String>()
            ))
            .into());
        }
        Err(_) => match r.resolve(&given) {
            Ok(id) => id,
            Err(replica::ReplicaError::Coalition(replica::PrefixError::NotFound { .. })) => {
                return Err(super::Invalid(format!(
                    "`{given}` is not a whole coalition id (32 hex digits) nor the start of one \
                     this node holds: ask the other coalition for its id (`coalition list \
                     --json` on one of its members' nodes)"
                ))
                .into());
            }
            Err(e) => return Err(e.into()),
        },
    };
    let name = match r.coalition_ids()?.contains(&id) {
        true => r.charter(&id).ok().map(|c| c.charter.name),
        false => None,
    };
    Ok((id, name))
}

/// Opens a link proposal.
pub fn propose(r: &mut Replica, c: &CoalitionId, req: LinkRequest) -> anyhow::Result<ProposalId> {
    let (with, held_name) = other(r, &req.with)?;
    let relation: LinkRelation = req.relation.parse()?;
    if relation == LinkRelation::End {
        return Err(
            super::Invalid("to end a link, propose its end (`link end`)".to_owned()).into(),
        );
    }
    let name = req
        .name
        .or(held_name)
        .ok_or_else(|| super::Invalid("name the other coalition (--name)".to_owned()))?;
    if req.goals.len() > model::MAX_LIST || req.pools.len() > model::MAX_LIST {
        return Err(super::Invalid(format!(
            "a link names at most {} goals and pools",
            model::MAX_LIST
        ))
        .into());
    }
    let goals = req
        .goals
        .iter()
        .map(|g| super::resolve(r, c, "charter/goals", "goal", g))
        .collect::<anyhow::Result<Vec<model::GoalId>>>()?;
    let pools = req
        .pools
        .iter()
        .map(|p| super::resolve(r, c, "pools", "pool", p))
        .collect::<anyhow::Result<Vec<model::PoolId>>>()?;
    let weight = match req.weight.as_deref().map(str::trim) {
        None | Some("members") => None,
        Some(w) => Some(w.parse::<u64>().map_err(|_| {
            super::Invalid(format!(
                "`{w}` is no weight: a whole number, or `members` (its number of members)"
            ))
        })?),
    };
    let terms = LinkTerms {
        coalition: with,
        name: name.clone(),
        relation,
        publish: kinds(&req.publish, "what to publish")?,
        tags: req.tags,
        goals,
        pools,
        threshold: req.threshold.unwrap_or(DEFAULT_THRESHOLD),
        accept: kinds(&req.accept, "what to take")?,
        their_threshold: req.their_threshold.unwrap_or(DEFAULT_THRESHOLD),
        roster: req.roster.map(|s| s.trim().to_ascii_lowercase()),
        weight,
    };
    let title = req.title.unwrap_or_else(|| titled("Link with", &name));
    open(r, c, terms, title, req.text, req.closes.as_deref())
}

/// Opens a proposal ending a link.
pub fn end(r: &mut Replica, c: &CoalitionId, req: LinkEndRequest) -> anyhow::Result<ProposalId> {
    let links = r.links(c)?;
    let given = req.with.trim().to_ascii_lowercase();
    if given.is_empty() || !given.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(super::Invalid(format!(
            "`{}` is not the start of a linked coalition's id (`link list` shows them)",
            given.chars().take(40).collect::<String>()
        ))
        .into());
    }
    let found: Vec<&model::reports::LinkInForce> = links
        .iter()
        .filter(|(id, _)| id.as_str().starts_with(&given))
        .map(|(_, l)| l)
        .collect();
    let link = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(super::Invalid(format!(
                "no link in force is with `{given}` (`link list` shows them)"
            ))
            .into());
        }
        _ => {
            return Err(super::Invalid(format!(
                "`{given}` starts the ids of several linked coalitions: give more of it"
            ))
            .into());
        }
    };
    let terms = LinkTerms::end(link.terms.coalition.clone(), link.terms.name.clone());
    let title = req
        .title
        .unwrap_or_else(|| titled("End the link with", &link.terms.name));
    open(r, c, terms, title, req.text, req.closes.as_deref())
}

/// Opens the link proposal on `terms` (closing after [`DEFAULT_CLOSES`] unless `closes` says).
fn open(
    r: &mut Replica,
    c: &CoalitionId,
    terms: LinkTerms,
    title: String,
    text: String,
    closes: Option<&str>,
) -> anyhow::Result<ProposalId> {
    let closes = closes.unwrap_or(DEFAULT_CLOSES);
    let new = super::proposals::new_proposal(DecisionKind::Link, title, text, Some(closes))?;
    let id = new.id.clone();
    r.edit(c, |doc, a| doc.propose_link(&a.member, new, terms, a.now))?;
    Ok(id)
}

/// The links in force.
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<LinksView> {
    let words = |ks: &[SharedKind]| ks.iter().map(|k| k.as_str().to_owned()).collect();
    Ok(LinksView {
        links: r
            .links(c)?
            .into_values()
            .map(|l| LinkLine {
                coalition: l.terms.coalition.to_string(),
                name: l.terms.name.clone(),
                relation: l.terms.relation.as_str().to_owned(),
                publish: words(&l.terms.publish),
                tags: l.terms.tags.clone(),
                goals: l.terms.goals.iter().map(ToString::to_string).collect(),
                pools: l.terms.pools.iter().map(ToString::to_string).collect(),
                threshold: l.terms.threshold,
                accept: words(&l.terms.accept),
                their_threshold: l.terms.their_threshold,
                roster: l.terms.roster.clone(),
                weight: l.terms.weight,
                proposal: l.proposal.to_string(),
                decided_at: l.decided_at.to_string(),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, replica};

    const NATIONAL: &str = "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e";
    const ROSTER: &str = "3F2A000000000000000000000000000000000000000000000000000000000001";

    fn request() -> LinkRequest {
        LinkRequest {
            with: NATIONAL.into(),
            name: Some("National Housing Alliance".into()),
            relation: "parent".into(),
            publish: vec!["issue,pool".into(), "goal".into()],
            accept: vec!["call".into()],
            roster: Some(ROSTER.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_link_passed_is_listed_with_its_terms_and_an_end_ends_it() {
        let (_d, mut r, c) = replica();
        assert!(list(&mut r, &c).unwrap().links.is_empty());
        let p = propose(&mut r, &c, request()).unwrap();
        assert!(
            list(&mut r, &c).unwrap().links.is_empty(),
            "open, not yet in force"
        );
        agree(&mut r, &c, &p);
        let links = list(&mut r, &c).unwrap().links;
        assert_eq!(links.len(), 1);
        let l = &links[0];
        assert_eq!(l.coalition, NATIONAL);
        assert_eq!(l.name, "National Housing Alliance");
        assert_eq!(l.relation, "parent");
        assert_eq!(
            l.publish,
            vec!["goal", "issue", "pool"],
            "in the order of their words"
        );
        assert_eq!(l.accept, vec!["call"]);
        assert_eq!((l.threshold, l.their_threshold), (2, 2), "two by default");
        assert_eq!(
            l.roster.as_deref(),
            Some(ROSTER.to_ascii_lowercase().as_str())
        );
        assert_eq!(l.proposal, p.to_string());

        let e = end(
            &mut r,
            &c,
            LinkEndRequest {
                with: "ffff".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("no link in force"), "{e}");
        let e = end(&mut r, &c, LinkEndRequest::default()).unwrap_err();
        assert!(
            e.to_string().contains("not the start of"),
            "an empty id names none: {e}"
        );
        let p = end(
            &mut r,
            &c,
            LinkEndRequest {
                with: "4e4e".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let title = r.proposal(&c, &p).unwrap().unwrap().title;
        assert_eq!(title, "End the link with National Housing Alliance");
        agree(&mut r, &c, &p);
        assert!(list(&mut r, &c).unwrap().links.is_empty());
    }

    #[test]
    fn a_link_with_a_coalition_this_node_holds_takes_its_name() {
        let (_d, mut r, c) = replica();
        let other = r
            .found_coalition(replica::NewCoalition {
                name: "Statewide Housing Network".into(),
                frame: "Homes".into(),
                values: vec![],
                commitments: vec![],
                equity_threshold: None,
            })
            .unwrap();
        let req = LinkRequest {
            with: other.as_str()[..6].into(),
            name: None,
            ..request()
        };
        let p = propose(&mut r, &c, req).unwrap();
        let proposal = r.proposal(&c, &p).unwrap().unwrap();
        assert_eq!(proposal.title, "Link with Statewide Housing Network");
        assert_eq!(proposal.link.unwrap().coalition, other);
    }

    #[test]
    fn what_makes_no_link_is_refused_in_plain_words() {
        let (_d, mut r, c) = replica();
        let refused =
            |r: &mut Replica, req: LinkRequest| propose(r, &c, req).unwrap_err().to_string();
        let cases: Vec<(LinkRequest, &str)> = vec![
            (
                LinkRequest {
                    with: "abc".into(),
                    ..request()
                },
                "not a whole coalition id",
            ),
            (
                LinkRequest {
                    with: " ".into(),
                    ..request()
                },
                "is not a coalition id",
            ),
            (
                LinkRequest {
                    name: None,
                    ..request()
                },
                "name the other coalition",
            ),
            (
                LinkRequest {
                    relation: "end".into(),
                    ..request()
                },
                "link end",
            ),
            (
                LinkRequest {
                    relation: "sibling".into(),
                    ..request()
                },
                "affiliate, parent, end",
            ),
            (
                LinkRequest {
                    publish: vec!["issues".into()],
                    ..request()
                },
                "what to publish",
            ),
            (
                LinkRequest {
                    roster: None,
                    ..request()
                },
                "roster it trusts first",
            ),
            (
                LinkRequest {
                    weight: Some("lots".into()),
                    ..request()
                },
                "is no weight",
            ),
            (
                LinkRequest {
                    goals: vec!["9999".into()],
                    ..request()
                },
                "goal",
            ),
        ];
        for (req, says) in cases {
            let e = refused(&mut r, req);
            assert!(e.contains(says), "{says}: {e}");
        }
    }
}
