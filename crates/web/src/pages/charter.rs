//! A coalition's charter: the version in force (frame, values, commitments, the rule of each
//! kind of decision in words, the equity threshold, the facilitation rotation, the goals),
//! every ratified version with who agreed to it, and what changed between two versions.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::{Reply, Request};
use model::Rule;
use model::RuleKind;
use model::schema::{CharterVersion, Rules};

use super::{Chrome, CoalitionNav, name_of, page, unexpected};
use crate::i18n::{Arg, date_time, number};
use crate::{Visit, Web};

/// A rule in words: its method, then its quorum.
fn rule_words(c: &Chrome, rule: Option<Rule>) -> String {
    let Some(rule) = rule else {
        return c.t("rule-by-invite");
    };
    format!("{} ({})", super::rule_method_words(c, rule), rule.quorum())
}

fn kind_name(c: &Chrome, k: RuleKind) -> String {
    c.t(&format!("rulekind-{}", k.as_str()))
}

/// Most versions on a page of the versions' table (each row asks for its amendment's title).
const PAGE: usize = 25;

/// A row of the versions' table.
#[derive(Debug)]
pub(crate) struct VersionRow {
    pub(crate) number: u64,
    pub(crate) ratified: String,
    pub(crate) agreed: String,
    /// The amendment proposal: id and title.
    pub(crate) proposal: Option<(String, String)>,
}

/// What changed between two versions.
#[derive(Debug)]
pub(crate) struct Diff {
    pub(crate) title: String,
    pub(crate) lines: Vec<String>,
    /// The frame before and after, when it changed.
    pub(crate) frame: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "charter.html")]
struct CharterPage {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    version: String,
    frame: String,
    frame_shown: super::translated::Shown,
    values: Vec<super::translated::Shown>,
    commitments: Vec<super::translated::Shown>,
    tf: super::translated::TranslateForm,
    rules: Vec<(String, String)>,
    equity: String,
    /// Members' weights in polls: the kind of decision, the member, its weight.
    weights: Vec<(String, String, u32)>,
    rotation: Option<String>,
    /// Who holds each role held, in a sentence each.
    roles: Vec<String>,
    /// Goal, latest progress, target.
    goals: Vec<(super::translated::Shown, String, String)>,
    /// The links in force: a sentence each, and the rest of its terms a line each.
    links: Vec<(String, Vec<String>)>,
    /// The page's versions, newest first.
    versions: Vec<VersionRow>,
    /// Every version's number, for the comparison's choices.
    numbers: Vec<u64>,
    showing: String,
    previous: Option<String>,
    next: Option<String>,
    /// The versions' page shown (kept by the comparison's form).
    offset: usize,
    from: u64,
    to: u64,
    diff: Option<Diff>,
}

/// Which versions to compare, as the address carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct CompareQuery {
    #[serde(default)]
    from: Option<u64>,
    #[serde(default)]
    to: Option<u64>,
    /// Versions skipped before the page, newest first.
    #[serde(default)]
    offset: usize,
    /// The notice a redirect asked for.
    #[serde(default)]
    done: Option<String>,
}

fn rules_of(c: &Chrome, rules: &Rules) -> Vec<(RuleKind, String)> {
    RuleKind::ALL
        .iter()
        .map(|k| (*k, rule_words(c, rules.get(*k))))
        .collect()
}

/// What changed from `a` to `b`, in sentences.
fn diff(
    c: &Chrome,
    a: &CharterVersion,
    b: &CharterVersion,
    names: &BTreeMap<model::MemberId, String>,
) -> Diff {
    let mut lines = Vec::new();
    if a.name != b.name {
        lines.push(c.tw(
            "charter-diff-name",
            &[
                ("before", Arg::Text(a.name.clone())),
                ("after", Arg::Text(b.name.clone())),
            ],
        ));
    }
    for (what, before, after) in [
        ("values", &a.values, &b.values),
        ("commitments", &a.commitments, &b.commitments),
    ] {
        let added: Vec<String> = after
            .iter()
            .filter(|v| !before.contains(v))
            .cloned()
            .collect();
        let removed: Vec<String> = before
            .iter()
            .filter(|v| !after.contains(v))
            .cloned()
            .collect();
        for (how, items) in [("added", added), ("removed", removed)] {
            if !items.is_empty() {
                let id = format!("charter-diff-{how}-{what}");
                lines.push(c.tw(&id, &[("items", Arg::Own(super::joined(&items)))]));
            }
        }
    }
    for ((kind, before), (_, after)) in rules_of(c, &a.rules).into_iter().zip(rules_of(c, &b.rules))
    {
        if before != after {
            lines.push(c.tw(
                "charter-diff-rule",
                &[
                    ("kind", Arg::Own(kind_name(c, kind))),
                    ("before", Arg::Own(before)),
                    ("after", Arg::Own(after)),
                ],
            ));
        }
    }
    for kind in model::DecisionKind::ALL {
        let (before, after) = (a.weights.for_kind(*kind), b.weights.for_kind(*kind));
        for m in before
            .keys()
            .chain(after.keys().filter(|m| !before.contains_key(*m)))
        {
            let (was, is) = (
                before.get(m).copied().unwrap_or(1),
                after.get(m).copied().unwrap_or(1),
            );
            if was != is {
                lines.push(c.tw(
                    "charter-diff-weight",
                    &[
                        ("name", Arg::Text(name_of(names, m))),
                        ("kind", Arg::Own(c.t(&format!("kind-{}", kind.as_str())))),
                        ("before", Arg::Count(was as usize)),
                        ("after", Arg::Count(is as usize)),
                    ],
                ));
            }
        }
    }
    Diff {
        title: c.tw(
            "charter-diff-title",
            &[
                (
                    "from",
                    Arg::Count(usize::try_from(a.number).unwrap_or(usize::MAX)),
                ),
                (
                    "to",
                    Arg::Count(usize::try_from(b.number).unwrap_or(usize::MAX)),
                ),
            ],
        ),
        lines,
        frame: (a.frame != b.frame).then(|| (a.frame.clone(), b.frame.clone())),
    }
}

/// The charter.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<CompareQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit
        .chrome("charter")
        .with_notice(q.done.as_deref(), &["translated"])
        .live(&coalition);
    let detail = match web
        .ask(Request::CharterShow {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(Reply::Charter(d)) => d,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let versions = match web
        .ask(Request::CharterVersions {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(Reply::CharterVersions(v)) => v,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let links = match web
        .ask(Request::LinkList {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(Reply::Links(l)) => l.links,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let links: Vec<(String, Vec<String>)> = links
        .iter()
        .map(|l| {
            let t = super::links::Terms::listed(l);
            (
                super::links::sentence(&c, &t),
                super::links::details(&c, &t),
            )
        })
        .collect();
    let ch = &detail.charter;
    let names = &detail.names;
    let translations = super::translated::of_record(&web, &coalition, "charter").await;
    let tv = translations.as_ref();
    let frame_shown = super::translated::shown(&c, tv, "charter/frame", &ch.frame.0);
    let listed = |kind: &str, items: &[String]| -> Vec<super::translated::Shown> {
        items
            .iter()
            .map(|v| {
                let target = format!("charter/{kind}/{}", model::translations::digest(v));
                super::translated::shown(&c, tv, &target, v)
            })
            .collect()
    };
    let values = listed("values", &ch.values);
    let commitments = listed("commitments", &ch.commitments);
    let mut tf = super::translated::TranslateForm::new(
        &c,
        tv,
        &coalition,
        "charter",
        &format!("/c/{coalition}/charter"),
        &[("frame", "translate-field-frame")],
    );
    for g in ch.goals.values() {
        tf.fields.push(super::Choice {
            value: format!("goal:{}", g.id),
            label: c.tw(
                "translate-field-goal",
                &[("text", Arg::Text(g.title.clone()))],
            ),
            selected: false,
        });
    }
    for (kind, label, items) in [
        ("value", "translate-field-value", &ch.values),
        ("commitment", "translate-field-commitment", &ch.commitments),
    ] {
        for (n, item) in items.iter().enumerate() {
            tf.fields.push(super::Choice {
                value: format!("{kind}:{}", n + 1),
                label: c.tw(label, &[("text", Arg::Text(item.clone()))]),
                selected: false,
            });
        }
    }
    let mut version_rows = Vec::new();
    let total = versions.versions.len();
    let window = super::Window::over(q.offset, total, PAGE);
    let offset = window.offset;
    let mut newest_first: Vec<&CharterVersion> = versions.versions.iter().collect();
    newest_first.sort_by_key(|v| std::cmp::Reverse(v.number));
    for v in newest_first.into_iter().skip(offset).take(PAGE) {
        let proposal = match &v.proposal {
            Some(p) => {
                let title = match web
                    .ask(Request::ProposalShow {
                        coalition: coalition.clone(),
                        proposal: p.to_string(),
                    })
                    .await
                {
                    Ok(Reply::Proposal(d)) => d.proposal.proposal.title,
                    _ => p.to_string(),
                };
                Some((p.to_string(), title))
            }
            None => None,
        };
        version_rows.push(VersionRow {
            number: v.number,
            ratified: date_time(c.l, v.ratified_at),
            agreed: v
                .agreed_by
                .iter()
                .map(|m| crate::i18n::isolated(&name_of(&versions.names, m)))
                .collect::<Vec<_>>()
                .join(", "),
            proposal,
        });
    }
    let from_to = [
        ("from", q.from.map(|n| n.to_string()).unwrap_or_default()),
        ("to", q.to.map(|n| n.to_string()).unwrap_or_default()),
    ];
    let path = format!("/c/{coalition}/charter");
    let (showing, previous, next) = super::pager(
        &c,
        "charter-versions-showing",
        |o| {
            let params: Vec<(&str, &str)> = from_to.iter().map(|(k, v)| (*k, v.as_str())).collect();
            format!("{}#versions", super::page_link(&path, &params, o))
        },
        window,
    );
    let mut numbers: Vec<u64> = versions.versions.iter().map(|v| v.number).collect();
    numbers.sort_unstable();
    let newest = versions
        .versions
        .iter()
        .map(|v| v.number)
        .max()
        .unwrap_or(1);
    let (from, to) = (
        q.from.unwrap_or(newest.saturating_sub(1).max(1)),
        q.to.unwrap_or(newest),
    );
    let find = |n: u64| versions.versions.iter().find(|v| v.number == n);
    let diff = match (q.from.and(find(from)), q.to.and(find(to))) {
        (Some(a), Some(b)) => Some(diff(&c, a, b, &versions.names)),
        _ => None,
    };
    let rotation = (!ch.roles.facilitator_rotation.is_empty()).then(|| {
        let names = ch
            .roles
            .facilitator_rotation
            .iter()
            .map(|m| crate::i18n::isolated(&name_of(names, m)))
            .collect::<Vec<_>>()
            .join(", ");
        c.tw("charter-rotation", &[("names", Arg::Own(names))])
    });
    // Who holds each role (as elections filled them), those held at all.
    let roles: Vec<String> = [
        (model::RoleName::Spokespeople, &ch.roles.spokespeople),
        (
            model::RoleName::StatementSignoff,
            &ch.roles.statement_signoff,
        ),
        (model::RoleName::Delegates, &ch.roles.delegates),
    ]
    .into_iter()
    .filter(|(_, held)| !held.is_empty())
    .map(|(role, held)| {
        let names = held
            .iter()
            .map(|m| crate::i18n::isolated(&name_of(names, m)))
            .collect::<Vec<_>>()
            .join(", ");
        c.tw(
            &format!("charter-role-{role}"),
            &[("names", Arg::Own(names))],
        )
    })
    .collect();
    let goals = ch
        .goals
        .values()
        .map(|g| {
            let latest = g
                .progress
                .iter()
                .max_by_key(|p| p.day)
                .map_or_else(|| "–".to_owned(), |p| number(c.l, &p.value.to_string()));
            (
                super::translated::shown(
                    &c,
                    tv,
                    &format!("charter/goals/{}/title", g.id),
                    &g.title,
                ),
                latest,
                format!("{} {}", number(c.l, &g.target.to_string()), g.unit),
            )
        })
        .collect();
    page(
        StatusCode::OK,
        &CharterPage {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: ch.name.clone(),
                here: "charter",
            },
            heading: c.tw(
                "charter-title",
                &[("coalition", Arg::Text(ch.name.clone()))],
            ),
            version: c.tw(
                "charter-version",
                &[(
                    "version",
                    Arg::Count(usize::try_from(ch.version).unwrap_or(0)),
                )],
            ),
            frame: ch.frame.0.clone(),
            frame_shown,
            values,
            commitments,
            tf,
            rules: rules_of(&c, &ch.rules)
                .into_iter()
                .map(|(k, w)| (kind_name(&c, k), w))
                .collect(),
            equity: c.tw(
                "charter-equity",
                &[("threshold", Arg::Own(ch.equity_threshold.to_string()))],
            ),
            weights: model::DecisionKind::ALL
                .iter()
                .flat_map(|k| {
                    ch.weights
                        .for_kind(*k)
                        .iter()
                        .map(|(m, w)| (c.t(&format!("kind-{}", k.as_str())), name_of(names, m), *w))
                })
                .collect(),
            rotation,
            roles,
            goals,
            links,
            versions: version_rows,
            numbers,
            showing,
            previous,
            next,
            offset,
            from,
            to,
            diff,
            c,
        },
    )
}
