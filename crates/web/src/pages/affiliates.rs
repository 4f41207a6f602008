//! What the coalition's affiliates published, rolled up (issue 20): their issues and the tags
//! several raise, their pools' totals and sums, their goals' progress rolled up, their
//! decisions. Every figure is followed by where it came from: the statement, how many of the
//! affiliate's members signed it, as of which day. Every text here was written on another
//! coalition's node: the page escapes all of it, and isolates what shares a sentence or a
//! cell with other words (names in sentences, tags, units, kinds, rules); a text alone in its
//! cell is contained by the cell.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::Request;
use commands::ops::received::{AffiliatesView, Source};

use super::{Chrome, CoalitionNav, page};
use crate::i18n::{Arg, isolated, number};
use crate::{Visit, Web};

/// A table's rows: each a row header and its cells.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub(crate) rows: Vec<(String, Vec<String>)>,
}

/// One section of the page: its heading, its table's column headings and rows, and what it
/// says when it has none.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) id: &'static str,
    pub(crate) heading: String,
    pub(crate) columns: Vec<String>,
    pub(crate) rows: Vec<(String, Vec<String>)>,
    pub(crate) empty: String,
}

impl Table {
    fn new(c: &Chrome, id: &'static str, columns: &[&str], rows: Rows) -> Self {
        Self {
            id,
            heading: c.t(&format!("affiliates-{id}-heading")),
            columns: columns
                .iter()
                .map(|col| c.t(&format!("affiliates-col-{col}")))
                .collect(),
            rows: rows.rows,
            empty: c.t(&format!("affiliates-{id}-none")),
        }
    }
}

#[derive(Template)]
#[template(path = "affiliates.html")]
struct Affiliates {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    tables: Vec<Table>,
}

/// The affiliates' positions on a proposal of ours: the weighted count in a sentence, and a
/// row per affiliate (name, weight, position, where it came from).
pub(crate) fn mandates(
    c: &Chrome,
    m: &commands::ops::received::MandatesView,
) -> (String, Vec<[String; 4]>) {
    let weight = |w: u64| Arg::Count(usize::try_from(w).unwrap_or(usize::MAX));
    let sentence = c.tw(
        "mandates-sentence",
        &[
            ("for", weight(m.weight_for)),
            ("against", weight(m.weight_against)),
            ("abstain", weight(m.weight_abstain)),
            ("silent", weight(m.weight_silent)),
        ],
    );
    let together = c.tw(
        "mandates-together",
        &[
            ("for", weight(m.together[0])),
            ("against", weight(m.together[1])),
            ("abstain", weight(m.together[2])),
        ],
    );
    let mut sentence = format!("{sentence} {together}");
    if let Some(t) = &m.with_affiliates {
        let outcome = c.t(&format!("outcome-{}", t.outcome.as_str()));
        sentence.push(' ');
        sentence.push_str(&c.tw("mandates-outcome", &[("outcome", Arg::Own(outcome))]));
        if let (None, Some(until)) = (m.decided_with_affiliates_at, m.answers_until) {
            sentence.push(' ');
            sentence.push_str(&c.tw(
                "mandates-until",
                &[("when", Arg::Own(crate::i18n::date_time(c.l, until)))],
            ));
        }
    }
    let rows = m
        .affiliates
        .iter()
        .map(|a| {
            let position = match a.position.as_deref() {
                Some(p @ ("for" | "against" | "abstain")) => c.t(&format!("mandate-position-{p}")),
                _ => c.t("mandate-position-none"),
            };
            let source = match &a.source {
                Some(s) => provenance(c, &a.from, s),
                None => "—".to_owned(),
            };
            [a.from.clone(), a.weight.to_string(), position, source]
        })
        .collect();
    (sentence, rows)
}

/// Where a figure came from, in the page's language.
pub(crate) fn provenance(c: &Chrome, from: &str, s: &Source) -> String {
    c.tw(
        "affiliates-provenance",
        &[
            (
                "id",
                Arg::Own(s.statement.get(..8).unwrap_or(&s.statement).to_owned()),
            ),
            ("signed", Arg::Count(s.signed)),
            ("members", Arg::Count(s.members)),
            ("name", Arg::Text(from.to_owned())),
            ("day", Arg::Own(s.day.clone())),
        ],
    )
}

/// The affiliates' picture.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("charter").live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let v: Box<AffiliatesView> = match web
        .ask_for(Request::LinkAffiliates {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };
    let n = |amount: &str| number(c.l, amount);
    let of = |a: String, b: String| {
        c.tw(
            "affiliates-of",
            &[("part", Arg::Own(a)), ("whole", Arg::Own(b))],
        )
    };
    let percent = |p: &Option<String>| {
        p.as_deref()
            .map_or_else(|| "—".to_owned(), |p| format!("{} %", number(c.l, p)))
    };
    let affiliates = Rows {
        rows: v
            .affiliates
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    vec![
                        a.members.map_or_else(|| "—".to_owned(), |m| m.to_string()),
                        a.weight.to_string(),
                    ],
                )
            })
            .collect(),
    };
    let issues = Rows {
        rows: v
            .issues
            .iter()
            .map(|i| {
                (
                    i.title.clone(),
                    vec![
                        i.from.clone(),
                        of(i.sharing.to_string(), i.members.to_string()),
                        i.priority.map_or_else(|| "—".to_owned(), |p| p.to_string()),
                        super::joined(&i.tags),
                        provenance(&c, &i.from, &i.source),
                    ],
                )
            })
            .collect(),
    };
    let tags = Rows {
        rows: v
            .overlap
            .iter()
            .map(|t| {
                (
                    t.tag.clone(),
                    vec![super::joined(&t.affiliates), t.issues.to_string()],
                )
            })
            .collect(),
    };
    let pools = Rows {
        rows: v
            .pools
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    vec![
                        p.from.clone(),
                        c.tw(
                            "affiliates-period",
                            &[
                                ("from", Arg::Own(p.period_from.clone())),
                                ("to", Arg::Own(p.period_to.clone())),
                            ],
                        ),
                        format!("{} {}", n(&p.contributed), isolated(&p.unit)),
                        n(&p.pledged),
                        n(&p.allocated),
                        n(&p.balance),
                        provenance(&c, &p.from, &p.source),
                    ],
                )
            })
            .collect(),
    };
    let pool_sums = Rows {
        rows: v
            .pool_sums
            .iter()
            .map(|s| {
                (
                    match kind_word(&s.kind) {
                        Some(k) => {
                            format!("{} ({})", isolated(&s.unit), c.t(&format!("poolkind-{k}")))
                        }
                        None => format!("{} ({})", isolated(&s.unit), isolated(&s.kind)),
                    },
                    vec![
                        n(&s.contributed),
                        n(&s.pledged),
                        n(&s.allocated),
                        n(&s.balance),
                        s.pools.to_string(),
                    ],
                )
            })
            .collect(),
    };
    let goals = Rows {
        rows: v
            .goals
            .iter()
            .map(|g| {
                (
                    g.title.clone(),
                    vec![
                        g.from.clone(),
                        format!(
                            "{} {}",
                            of(n(g.progress.as_deref().unwrap_or("0")), n(&g.target)),
                            isolated(&g.unit)
                        ),
                        provenance(&c, &g.from, &g.source),
                    ],
                )
            })
            .collect(),
    };
    let goal_sums = Rows {
        rows: v
            .goal_sums
            .iter()
            .map(|s| {
                (
                    isolated(&s.unit),
                    vec![
                        of(n(&s.progress), n(&s.target)),
                        percent(&s.by_target),
                        percent(&s.by_weight),
                        s.goals.to_string(),
                    ],
                )
            })
            .collect(),
    };
    let decisions = Rows {
        rows: v
            .decisions
            .iter()
            .map(|d| {
                (
                    d.title.clone(),
                    vec![
                        d.from.clone(),
                        c.t(&format!("affiliates-outcome-{}", outcome_word(&d.outcome))),
                        isolated(&d.rule),
                        c.tw(
                            "affiliates-counts",
                            &[
                                ("agree", Arg::Count(d.counts[0] as usize)),
                                ("abstain", Arg::Count(d.counts[1] as usize)),
                                ("disagree", Arg::Count(d.counts[2] as usize)),
                                ("block", Arg::Count(d.counts[3] as usize)),
                            ],
                        ),
                        provenance(&c, &d.from, &d.source),
                    ],
                )
            })
            .collect(),
    };
    page(
        StatusCode::OK,
        &Affiliates {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "charter",
            },
            heading: c.tw(
                "affiliates-title",
                &[("coalition", Arg::Text(summary.name))],
            ),
            tables: vec![
                Table::new(&c, "list", &["name", "members", "weight"], affiliates),
                Table::new(
                    &c,
                    "issues",
                    &["issue", "from", "shared", "place", "tags", "provenance"],
                    issues,
                ),
                Table::new(&c, "tags", &["tag", "raised-by", "issues"], tags),
                Table::new(
                    &c,
                    "pools",
                    &[
                        "pool",
                        "from",
                        "period",
                        "contributed",
                        "pledged",
                        "allocated",
                        "balance",
                        "provenance",
                    ],
                    pools,
                ),
                Table::new(
                    &c,
                    "pool-sums",
                    &[
                        "unit",
                        "contributed",
                        "pledged",
                        "allocated",
                        "balance",
                        "pools",
                    ],
                    pool_sums,
                ),
                Table::new(
                    &c,
                    "goals",
                    &["goal", "from", "progress", "provenance"],
                    goals,
                ),
                Table::new(
                    &c,
                    "goal-sums",
                    &["unit", "progress", "by-target", "by-weight", "goals"],
                    goal_sums,
                ),
                Table::new(
                    &c,
                    "decisions",
                    &[
                        "decision",
                        "from",
                        "outcome",
                        "rule",
                        "positions",
                        "provenance",
                    ],
                    decisions,
                ),
            ],
            c,
        },
    )
}

/// An outcome word the catalogs have (another coalition's node chose it): else `other`.
fn outcome_word(word: &str) -> &'static str {
    match word {
        "passed" => "passed",
        "failed" => "failed",
        "blocked" => "blocked",
        "no-quorum" => "no-quorum",
        "open" => "open",
        _ => "other",
    }
}

/// A pool kind the catalogs have (another coalition's node chose it).
fn kind_word(word: &str) -> Option<&'static str> {
    match word {
        "funds" => Some("funds"),
        "volunteer-hours" => Some("volunteer-hours"),
        "space" => Some("space"),
        "equipment" => Some("equipment"),
        _ => None,
    }
}
