//! The coalition's reports, each drawn as a chart by the server (a title, a sentence with
//! the key numbers, and the same figures as a table right after it): which members share
//! which issues and how high they rank them (overlap), who gives and who receives in each
//! pool (equity), and how power is shared (the power audit). Colour is never the only
//! signal: every bar is labelled with its figure in words.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::Request;

use super::{Chrome, CoalitionNav, page};
use crate::i18n::{Arg, isolated, number};
use crate::{Visit, Web};

/// Most issues drawn in the overlap chart, most shared first.
const CHARTED: usize = 10;
/// Most issues in the overlap table (the page says how many there are in all).
const TABLED: usize = 50;
/// Longest label drawn in a chart, in characters (the table holds the whole text).
const LABEL: usize = 44;

/// One bar of a chart: what it is and its figure in words (two lines above the bar), where
/// it is, how long.
#[derive(Debug)]
pub(crate) struct ChartBar {
    pub(crate) label: String,
    pub(crate) figure: String,
    /// The label's baseline; the figure's is 16 below, the bar's top 22 below.
    pub(crate) y: u64,
    /// Its length, of 300.
    pub(crate) width: u64,
    pub(crate) fill: &'static str,
}

/// A bar chart drawn on the page.
#[derive(Debug)]
pub(crate) struct Chart {
    /// Its element id (the title's and description's ids derive from it).
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) desc: String,
    pub(crate) bars: Vec<ChartBar>,
    pub(crate) height: u64,
    /// Where its table is.
    pub(crate) table: String,
    pub(crate) table_label: String,
}

/// A bar to draw: what it is, its figure in words, its share of the whole (0 to 1), its fill.
pub(crate) type Drawn = (String, String, f64, &'static str);

impl Chart {
    /// A chart of `bars`, its table named `table_label`.
    pub(crate) fn new(
        id: String,
        title: String,
        desc: String,
        table_label: String,
        bars: Vec<Drawn>,
    ) -> Self {
        let height = 8 + 56 * bars.len() as u64;
        let bars = bars
            .into_iter()
            .enumerate()
            .map(|(i, (label, figure, share, fill))| ChartBar {
                label: short(&label),
                figure,
                y: 14 + 56 * i as u64,
                // A share is between 0 and 1: at most 300 units long.
                width: (share.clamp(0.0, 1.0) * 300.0).round() as u64,
                fill,
            })
            .collect();
        Self {
            table: format!("{id}-table"),
            id,
            title,
            desc,
            bars,
            height,
            table_label,
        }
    }
}

/// `text` cut to [`LABEL`] characters, with an ellipsis when cut.
fn short(text: &str) -> String {
    if text.chars().count() <= LABEL {
        return text.to_owned();
    }
    let cut: String = text.chars().take(LABEL - 1).collect();
    format!("{cut}…")
}

/// A share in percent as the node gives it (`12.5`), written as the page's language does.
fn percent(c: &Chrome, share: f64) -> String {
    number(c.l, &format!("{share:.1}"))
}

/// A charter's share (`1/3`) in percent, as the page's language writes it.
fn share_of(c: &Chrome, f: model::Fraction) -> String {
    percent(c, f64::from(f.num()) * 100.0 / f64::from(f.den().max(1)))
}

/// A row of the overlap table.
#[derive(Debug)]
pub(crate) struct OverlapRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) status: String,
    pub(crate) sharing: String,
    pub(crate) score: u64,
    pub(crate) who: String,
}

/// A pool's equity: its chart and its rows.
#[derive(Debug)]
pub(crate) struct PoolEquity {
    pub(crate) name: String,
    pub(crate) chart: Chart,
    pub(crate) rows: Vec<EquityRow>,
}

/// A member's row in a pool's equity table.
#[derive(Debug)]
pub(crate) struct EquityRow {
    pub(crate) name: String,
    pub(crate) pledged: String,
    pub(crate) given: String,
    pub(crate) received: String,
    pub(crate) share_given: String,
    pub(crate) share_received: String,
    pub(crate) flagged: String,
}

/// A member's row in the power audit's table.
#[derive(Debug)]
pub(crate) struct PowerRow {
    pub(crate) name: String,
    pub(crate) authored: String,
    pub(crate) facilitated: String,
    pub(crate) checkins: u64,
    pub(crate) participation: String,
    pub(crate) blocks: u64,
    pub(crate) flags: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct Reports {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    overlap_chart: Chart,
    overlap_rows: Vec<OverlapRow>,
    overlap_showing: String,
    equity_intro: String,
    pools: Vec<PoolEquity>,
    power_chart: Chart,
    power_intro: String,
    power_rows: Vec<PowerRow>,
}

/// The coalition's reports.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("reports").live(&coalition);
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    let overlap: Box<commands::ops::reports::OverlapView> = match web
        .ask_for(Request::ReportOverlap {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };
    let equity: Box<commands::ops::reports::EquityView> = match web
        .ask_for(Request::ReportEquity {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };
    let power: Box<commands::ops::reports::PowerView> = match web
        .ask_for(Request::ReportPower {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(&visit, &e),
    };

    // Overlap: the most shared issues, against the members in force.
    let members = overlap.members.max(1);
    let of = |n: usize| {
        c.tw(
            "report-shared-by",
            &[("count", Arg::Count(n)), ("members", Arg::Count(members))],
        )
    };
    let issues = &overlap.report.issues;
    let bars = issues
        .iter()
        .take(CHARTED)
        .map(|r| {
            let share = r.members_sharing as f64 / members as f64;
            (r.title.clone(), of(r.members_sharing), share, "#1f5f8b")
        })
        .collect();
    let desc = match issues.first() {
        Some(top) => c.tw(
            "report-overlap-desc",
            &[
                ("title", Arg::Text(top.title.clone())),
                ("shared", Arg::Own(of(top.members_sharing))),
                ("issues", Arg::Count(issues.len())),
            ],
        ),
        None => c.t("report-overlap-none"),
    };
    let overlap_chart = Chart::new(
        "overlap".into(),
        c.t("report-overlap-title"),
        desc,
        c.t("report-overlap-table"),
        bars,
    );
    let overlap_rows = issues
        .iter()
        .take(TABLED)
        .map(|r| OverlapRow {
            id: r.issue.to_string(),
            title: r.title.clone(),
            status: c.t(&format!("status-{}", r.status.as_str())),
            sharing: of(r.members_sharing),
            score: r.score,
            who: r
                .shared_by
                .iter()
                .map(|s| {
                    c.tw(
                        "report-sharer",
                        &[
                            ("name", Arg::Text(s.name.clone())),
                            ("rank", Arg::Count(usize::from(s.rank.get()))),
                        ],
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect::<Vec<_>>();
    let overlap_showing = c.tw(
        "report-overlap-showing",
        &[
            ("shown", Arg::Count(overlap_rows.len())),
            ("total", Arg::Count(issues.len())),
        ],
    );

    // Equity: per pool, each member's share given and received.
    let threshold = Arg::Own(share_of(&c, equity.report.threshold));
    let equity_intro = c.tw("report-equity-intro", &[("threshold", threshold.clone())]);
    let yes_no = |b: bool| c.t(if b { "report-yes" } else { "report-no" });
    let pools = equity
        .report
        .pools
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut bars = Vec::new();
            for m in &p.members {
                let given = c.tw(
                    "report-gave",
                    &[("share", Arg::Own(percent(&c, m.share_given)))],
                );
                let received = c.tw(
                    "report-received",
                    &[("share", Arg::Own(percent(&c, m.share_received)))],
                );
                bars.push((m.name.clone(), given, m.share_given / 100.0, "#1f5f8b"));
                bars.push((
                    m.name.clone(),
                    received,
                    m.share_received / 100.0,
                    "#8a4b08",
                ));
            }
            let flagged: Vec<&str> = p
                .members
                .iter()
                .filter(|m| m.flagged)
                .map(|m| m.name.as_str())
                .collect();
            let desc = if flagged.is_empty() {
                c.tw(
                    "report-equity-desc-none",
                    &[("pool", Arg::Text(p.name.clone()))],
                )
            } else {
                c.tw(
                    "report-equity-desc",
                    &[
                        ("pool", Arg::Text(p.name.clone())),
                        (
                            "names",
                            Arg::Own(super::joined(
                                &flagged.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
                            )),
                        ),
                        ("threshold", threshold.clone()),
                    ],
                )
            };
            let pool = [("pool", Arg::Text(p.name.clone()))];
            let chart = Chart::new(
                format!("equity-{i}"),
                c.tw("report-equity-title", &pool),
                desc,
                c.tw("report-equity-table", &pool),
                bars,
            );
            let amount = |a: &str| format!("{} {}", number(c.l, a), isolated(&p.unit));
            PoolEquity {
                name: p.name.clone(),
                chart,
                rows: p
                    .members
                    .iter()
                    .map(|m| EquityRow {
                        name: m.name.clone(),
                        pledged: amount(&m.pledged),
                        given: amount(&m.given),
                        received: amount(&m.received),
                        share_given: percent(&c, m.share_given),
                        share_received: percent(&c, m.share_received),
                        flagged: yes_no(m.flagged),
                    })
                    .collect(),
            }
        })
        .collect();

    // Power: each member's share of proposals, facilitation, and its participation.
    let rows = &power.report.members;
    let mut bars = Vec::new();
    for m in rows {
        let figure = |id: &str, share: f64| c.tw(id, &[("share", Arg::Own(percent(&c, share)))]);
        for (id, share, fill) in [
            ("report-power-authored", m.share_authored, "#1f5f8b"),
            ("report-power-facilitated", m.share_facilitation, "#8a4b08"),
            ("report-power-participated", m.participation, "#2d6a3e"),
        ] {
            bars.push((m.name.clone(), figure(id, share), share / 100.0, fill));
        }
    }
    let flagged: Vec<String> = rows
        .iter()
        .filter(|m| !m.flags.is_empty())
        .map(|m| m.name.clone())
        .collect();
    let desc = if flagged.is_empty() {
        c.t("report-power-desc-none")
    } else {
        c.tw(
            "report-power-desc",
            &[
                ("names", Arg::Own(super::joined(&flagged))),
                ("threshold", Arg::Own(share_of(&c, power.report.threshold))),
            ],
        )
    };
    let power_chart = Chart::new(
        "power".into(),
        c.t("report-power-title"),
        desc,
        c.t("report-power-table"),
        bars,
    );
    let power_intro = c.tw(
        "report-power-intro",
        &[("threshold", Arg::Own(share_of(&c, power.report.threshold)))],
    );
    let power_rows = rows
        .iter()
        .map(|m| PowerRow {
            name: m.name.clone(),
            authored: c.tw(
                "report-count-share",
                &[
                    ("count", Arg::Count(m.proposals_authored as usize)),
                    ("share", Arg::Own(percent(&c, m.share_authored))),
                ],
            ),
            facilitated: c.tw(
                "report-count-share",
                &[
                    ("count", Arg::Count(m.facilitation_turns as usize)),
                    ("share", Arg::Own(percent(&c, m.share_facilitation))),
                ],
            ),
            checkins: m.checkins,
            participation: c.tw(
                "report-participation",
                &[
                    ("positions", Arg::Count(m.positions as usize)),
                    ("open", Arg::Count(m.open_to as usize)),
                    ("share", Arg::Own(percent(&c, m.participation))),
                ],
            ),
            blocks: m.blocks,
            flags: if m.flags.is_empty() {
                c.t("report-no")
            } else {
                m.flags
                    .iter()
                    .map(|f| c.t(&format!("report-flag-{f}")))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
        .collect();

    page(
        StatusCode::OK,
        &Reports {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "reports",
            },
            heading: c.tw("reports-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            overlap_chart,
            overlap_rows,
            overlap_showing,
            equity_intro,
            pools,
            power_chart,
            power_intro,
            power_rows,
        },
    )
}

/// What the progress report's form sends, as the address carries it.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ProgressForm {
    /// The first day, `YYYY-MM-DD` (none: from the first record).
    #[serde(default)]
    from: String,
    /// The last day (none: today).
    #[serde(default)]
    to: String,
    /// The report's language (none: the page's).
    #[serde(default)]
    lang: String,
    /// The file's type, for a download: `html`, `md` or `json`.
    #[serde(default)]
    format: String,
    /// `view` (the report as a page) or `download` (as a file); none: the form alone.
    #[serde(default)]
    get: String,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    c: Chrome,
    nav: CoalitionNav,
    heading: String,
    from: String,
    to: String,
    from_error: Option<String>,
    to_error: Option<String>,
    form_error: Option<String>,
    langs: Vec<super::Choice>,
    formats: Vec<super::Choice>,
}

/// The progress report: its form; or, asked for, the report itself as a page of its own
/// (served under its own Content-Security-Policy, `report::policy`: its inline stylesheet by
/// hash, no script, nothing fetched) or as a file to download.
pub(crate) async fn progress(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ProgressForm>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("reports");
    let summary = match super::coalition(&web, &coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(&visit, &e),
    };
    // A day that does not read is said at its field.
    let day = |given: &str| -> (Option<model::Day>, Option<String>) {
        match given.trim() {
            "" => (None, None),
            d => match d.parse::<model::Day>() {
                Ok(d) => (Some(d), None),
                Err(_) => (None, Some(c.t("error-date"))),
            },
        }
    };
    let ((from, from_error), (to, mut to_error)) = (day(&q.from), day(&q.to));
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        to_error = Some(c.t("progress-error-order"));
    }
    // The report's language as asked, else the page's (both speak en and es).
    let lang = report::Lang::from_tag(&q.lang)
        .or_else(|| report::Lang::from_tag(c.lang))
        .unwrap_or_default();
    let format = match q.format.as_str() {
        "md" => "md",
        "json" => "json",
        _ => "html",
    };
    let asked = matches!(q.get.as_str(), "view" | "download");
    let refused = from_error.is_some() || to_error.is_some();
    if asked && !refused {
        let download = q.get == "download";
        let query = commands::ops::reports::ProgressQuery {
            from: from.map(|d| d.to_string()),
            to: to.map(|d| d.to_string()),
            lang: Some(lang.tag().to_owned()),
            format: Some(if download { format } else { "html" }.to_owned()),
        };
        let made: Box<commands::ops::reports::ProgressMade> = match web
            .ask_for(Request::ReportProgress {
                coalition: coalition.clone(),
                query,
            })
            .await
        {
            Ok(m) => m,
            Err(e) => return super::node_error(&visit, &e),
        };
        return report_answer(*made, download);
    }
    let choice = |value: &str, label: String, selected: bool| super::Choice {
        value: value.to_owned(),
        label,
        selected,
    };
    let langs = report::Lang::ALL
        .iter()
        .map(|l| choice(l.tag(), c.t(&format!("lang-{}", l.tag())), *l == lang))
        .collect();
    let formats = ["html", "md", "json"]
        .iter()
        .map(|f| choice(f, c.t(&format!("progress-format-{f}")), *f == format))
        .collect();
    let form_error = refused.then(|| c.t("error-form"));
    page(
        if asked && refused {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        },
        &ProgressPage {
            nav: CoalitionNav {
                id: coalition.clone(),
                label: summary.name.clone(),
                here: "reports",
            },
            heading: c.tw("progress-title", &[("coalition", Arg::Text(summary.name))]),
            from: q.from.trim().to_owned(),
            to: q.to.trim().to_owned(),
            from_error,
            to_error,
            form_error,
            langs,
            formats,
            c,
        },
    )
}

/// The report as the browser gets it: a page of its own (HTML, under the report's own
/// policy), or a file to save.
fn report_answer(made: commands::ops::reports::ProgressMade, download: bool) -> Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let (kind, ext) = match made.format.as_str() {
        "md" => ("text/markdown; charset=utf-8", "md"),
        "json" => ("application/json", "json"),
        _ => ("text/html; charset=utf-8", "html"),
    };
    let mut resp = (StatusCode::OK, made.text).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(policy) = HeaderValue::from_str(report::policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    if download {
        // The name is this node's own words and the language's tag: nothing a member wrote.
        let name = format!(
            "attachment; filename=\"progress-report-{}.{ext}\"",
            made.lang
        );
        if let Ok(v) = HeaderValue::from_str(&name) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    resp
}
