//! The progress report in words: one page of sections (paragraphs, lists, tables and charts)
//! in the reader's language, written as a self-contained HTML file, as Markdown, or as JSON
//! (the figures and the page).

use serde::Serialize;

use crate::progress::{Change, Decision, GoalLine, PoolLine, Progress};
use crate::words::{Arg, Lang, count, ours, text};
use model::{Fraction, Method, Outcome};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One HTML file, styles and charts inline, nothing fetched.
    #[default]
    Html,
    /// Markdown.
    Md,
    /// JSON: `figures` (the numbers, as [`Progress`] holds them) and `page` (the words).
    Json,
}

/// The report written in `lang` as `format`.
pub fn render(made: &Progress, lang: Lang, format: Format) -> String {
    let page = page(made, lang);
    match format {
        Format::Html => html(&page),
        Format::Md => markdown(&page),
        Format::Json => {
            #[derive(Serialize)]
            struct Both<'a> {
                figures: &'a Progress,
                page: &'a Page,
            }
            // Plain data with string keys: encoding it cannot fail.
            serde_json::to_string_pretty(&Both {
                figures: made,
                page: &page,
            })
            .unwrap_or_default()
        }
    }
}

/// The report's sentences in `lang`, one per line: its opening, paragraphs and list items,
/// without headings, tables or charts (what the readability test measures).
pub fn sentences(made: &Progress, lang: Lang) -> String {
    let page = page(made, lang);
    let mut out = page.intro;
    for s in page.sections {
        for b in s.blocks {
            match b {
                Block::Para(p) => out.push(p),
                Block::List(items) => out.extend(items),
                Block::Sub(_) | Block::Table(_) | Block::Chart(_) => {}
            }
        }
    }
    out.join("\n")
}

/// A page of the report.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Page {
    lang: &'static str,
    title: String,
    skip: String,
    intro: Vec<String>,
    sections: Vec<Section>,
}

#[derive(Debug, Clone, Serialize)]
struct Section {
    id: &'static str,
    heading: String,
    blocks: Vec<Block>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", content = "content", rename_all = "lowercase")]
enum Block {
    Para(String),
    Sub(String),
    List(Vec<String>),
    Table(Grid),
    Chart(crate::chart::Chart),
}

/// A table: a caption, a header row, rows; the columns holding figures are aligned right.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Grid {
    pub(crate) caption: String,
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
    pub(crate) figures: Vec<bool>,
}

/// A share of the whole in percent, rounded down: `1/3` is `33%`.
pub(crate) fn percent(f: Fraction) -> String {
    let p = u64::from(f.num()) * 100 / u64::from(f.den().max(1));
    format!("{p}%")
}

/// `made` with the texts members wrote in `lang` where a member translated them: goals'
/// titles, proposals' titles and block reasons, issues' titles and evidence, charter values
/// and commitments; and how many were.
fn localized(made: &Progress, lang: Lang) -> (Progress, usize) {
    let mut out = made.clone();
    let mut used = 0;
    let mut tr = |s: &mut String| {
        if let Some(t) = made
            .translated
            .get(s.as_str())
            .and_then(|by| by.get(lang.tag()))
        {
            *s = t.clone();
            used += 1;
        }
    };
    for g in &mut out.goals {
        tr(&mut g.title);
    }
    for d in &mut out.decisions {
        tr(&mut d.title);
        for b in &mut d.blocks {
            tr(&mut b.reason);
        }
    }
    for e in &mut out.reach.evidence {
        tr(&mut e.issue);
        tr(&mut e.figure);
    }
    for a in &mut out.reach.alone {
        tr(&mut a.issue);
    }
    for v in &mut out.charter {
        for c in &mut v.changes {
            match c {
                crate::progress::Change::ValueAdded { value }
                | crate::progress::Change::CommitmentAdded { value }
                | crate::progress::Change::ValueRemoved { value }
                | crate::progress::Change::CommitmentRemoved { value } => tr(value),
                _ => {}
            }
        }
    }
    (out, used)
}

/// The page of `made` in `lang`.
pub(crate) fn page(made: &Progress, lang: Lang) -> Page {
    let (localized, used) = localized(made, lang);
    let made = &localized;
    let l = lang;
    let made_on = l.day(made.made_on);
    let period = match (made.period.from, made.period.to) {
        (None, None) => l.say("period-all", &[("made", ours(&made_on))]),
        (Some(f), Some(t)) => l.say(
            "period-from-to",
            &[("from", ours(l.day(f))), ("to", ours(l.day(t)))],
        ),
        (Some(f), None) => l.say(
            "period-from",
            &[("from", ours(l.day(f))), ("made", ours(&made_on))],
        ),
        (None, Some(t)) => l.say("period-to", &[("to", ours(l.day(t)))]),
    };
    let mut intro = vec![
        period,
        l.say(
            "made",
            &[("made", ours(&made_on)), ("members", count(made.members))],
        ),
    ];
    if used > 0 {
        intro.push(l.say("translated-texts", &[("n", count(used))]));
    }
    Page {
        lang: l.tag(),
        title: l.say("title", &[("coalition", text(&made.name))]),
        skip: l.word("skip"),
        intro,
        sections: vec![
            goals(made, l),
            decisions(made, l),
            resources(made, l),
            reach(made, l),
            participation(made, l),
            charter(made, l),
        ],
    }
}

fn section(id: &'static str, l: Lang, blocks: Vec<Block>) -> Section {
    Section {
        id,
        heading: l.word(id),
        blocks,
    }
}

/// A figure with its unit's amount written as `l` writes numbers.
fn n(l: Lang, a: impl ToString) -> Arg {
    ours(l.number(&a.to_string()))
}

fn goals(made: &Progress, l: Lang) -> Section {
    let mut blocks = Vec::new();
    if made.goals.is_empty() {
        blocks.push(Block::Para(l.word("goals-none")));
    }
    for (i, g) in made.goals.iter().enumerate() {
        blocks.push(Block::Para(goal_sentence(g, l)));
        if !g.points.is_empty() {
            blocks.push(Block::Chart(crate::chart::goal(g, l, i)));
        }
    }
    section("goals", l, blocks)
}

fn goal_sentence(g: &GoalLine, l: Lang) -> String {
    let base = |id: &str, extra: Vec<(&str, Arg)>| {
        let mut args = vec![
            ("goal", text(&g.title)),
            ("target", n(l, g.target)),
            ("unit", text(&g.unit)),
        ];
        args.extend(extra);
        l.say(id, &args)
    };
    let Some(latest) = &g.latest else {
        return base("goal-nothing", vec![]);
    };
    let value = ("value", n(l, latest.value));
    let mut s = match &g.earlier {
        None => base("goal-one", vec![value, ("day", ours(l.day(latest.day)))]),
        Some(e) => {
            let id = match latest.value.cmp(&e.value) {
                std::cmp::Ordering::Greater => "goal-up",
                std::cmp::Ordering::Less => "goal-down",
                std::cmp::Ordering::Equal => "goal-same",
            };
            base(
                id,
                vec![
                    value,
                    ("earlier", n(l, e.value)),
                    ("month", ours(l.month(e.day))),
                ],
            )
        }
    };
    if g.met {
        s.push(' ');
        s.push_str(&l.word("goal-met"));
    }
    s
}

/// The method of a rule in words ("consensus", "a 2/3 vote").
fn method(l: Lang, rule: model::Rule) -> String {
    if let Some(poll) = rule.poll() {
        return l.say("method-poll", &[("method", ours(poll.to_string()))]);
    }
    match rule.method() {
        Method::Consensus => l.word("method-consensus"),
        Method::Consent => l.word("method-consent"),
        Method::Majority => l.word("method-majority"),
        Method::SuperMajority(f) => l.say("method-super", &[("share", ours(f.to_string()))]),
    }
}

fn decision_sentences(d: &Decision, l: Lang) -> String {
    let mut s = vec![l.say(
        "decision-on",
        &[("title", text(&d.title)), ("day", ours(l.day(d.day)))],
    )];
    let m = method(l, d.rule);
    match d.outcome {
        Outcome::Passed => {
            if d.agree == d.electorate {
                s.push(l.say(
                    "passed-all",
                    &[("method", ours(m)), ("agree", count(d.agree))],
                ));
            } else {
                s.push(l.say(
                    "passed",
                    &[
                        ("method", ours(m)),
                        ("agree", count(d.agree)),
                        ("electorate", count(d.electorate)),
                    ],
                ));
            }
            if d.disagree > 0 {
                s.push(l.say("disagreed", &[("n", count(d.disagree))]));
            }
            if d.abstain > 0 {
                s.push(l.say("abstained", &[("n", count(d.abstain))]));
            }
        }
        Outcome::Blocked => {
            for b in &d.blocks {
                let mut line = l.say(
                    "blocked",
                    &[("member", text(&b.member)), ("reason", text(&b.reason))],
                );
                if !b.reason.trim_end().ends_with(['.', '!', '?']) {
                    line.push('.');
                }
                s.push(line);
            }
        }
        Outcome::Failed if d.no_quorum => s.push(l.say(
            "failed-quorum",
            &[
                (
                    "taken",
                    count(d.agree + d.disagree + d.abstain + d.blocks.len() as u64),
                ),
                ("electorate", count(d.electorate)),
            ],
        )),
        Outcome::Failed | Outcome::Open => s.push(l.say(
            "failed",
            &[
                ("agree", count(d.agree)),
                ("disagree", count(d.disagree + d.blocks.len() as u64)),
            ],
        )),
    }
    s.join(" ")
}

fn decisions(made: &Progress, l: Lang) -> Section {
    let mut blocks = Vec::new();
    if made.decisions.is_empty() {
        blocks.push(Block::Para(l.word("decisions-none")));
    } else {
        blocks.push(Block::Para(
            l.say("decisions-made", &[("n", count(made.decisions.len()))]),
        ));
        blocks.push(Block::List(
            made.decisions
                .iter()
                .map(|d| decision_sentences(d, l))
                .collect(),
        ));
    }
    blocks.push(Block::Para(
        l.say("decisions-open", &[("n", count(made.still_open))]),
    ));
    section("decisions", l, blocks)
}

fn pool_blocks(p: &PoolLine, made: &Progress, l: Lang, blocks: &mut Vec<Block>) {
    let unit = text(&p.unit);
    let mut s = vec![l.say(
        "pool-gave",
        &[
            ("pool", text(&p.name)),
            ("givers", count(p.givers)),
            ("given", n(l, &p.given)),
            ("unit", unit.clone()),
        ],
    )];
    if p.pledged != "0" {
        s.push(l.say(
            "pool-pledged",
            &[("pledged", n(l, &p.pledged)), ("unit", unit.clone())],
        ));
    }
    if p.allocated != "0" {
        s.push(l.say(
            "pool-allocated",
            &[("allocated", n(l, &p.allocated)), ("unit", unit.clone())],
        ));
    }
    blocks.push(Block::Para(s.join(" ")));
    if !p.allocations.is_empty() {
        blocks.push(Block::List(
            p.allocations
                .iter()
                .map(|a| {
                    l.say(
                        "allocation",
                        &[
                            ("member", text(&a.member)),
                            ("amount", n(l, &a.amount)),
                            ("unit", unit.clone()),
                            ("reason", text(&a.reason)),
                            ("day", ours(l.day(a.day))),
                        ],
                    )
                })
                .collect(),
        ));
    }
    for m in p.members.iter().filter(|m| m.flagged) {
        blocks.push(Block::Para(l.say(
            "equity-flag",
            &[
                ("member", text(&m.member)),
                ("share", ours(percent(made.equity_threshold))),
                ("pool", text(&p.name)),
            ],
        )));
    }
    if !p.members.is_empty() {
        blocks.push(Block::Table(Grid {
            caption: p.name.clone(),
            head: vec![
                l.word("col-group"),
                format!("{} ({})", l.word("col-pledged"), p.unit),
                format!("{} ({})", l.word("col-given"), p.unit),
                format!("{} ({})", l.word("col-received"), p.unit),
            ],
            rows: p
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.member.clone(),
                        l.number(&m.pledged),
                        l.number(&m.given),
                        l.number(&m.received),
                    ]
                })
                .collect(),
            figures: vec![false, true, true, true],
        }));
    }
}

fn resources(made: &Progress, l: Lang) -> Section {
    let mut blocks = Vec::new();
    if made.pools.is_empty() {
        blocks.push(Block::Para(l.word("resources-none")));
    }
    for p in &made.pools {
        pool_blocks(p, made, l, &mut blocks);
    }
    section("resources", l, blocks)
}

/// Most items of a list that could run to hundreds (issues no other member shares): the rest
/// are counted ("and 39 more"), and the CSV tables hold them all.
const LISTED: usize = 10;

/// How evidence is broken down, without the "by" or "por" members often begin it with (the
/// sentence says it already).
fn broken_down(text: &str) -> &str {
    let t = text.trim();
    for lead in ["by ", "By ", "por ", "Por "] {
        if let Some(rest) = t.strip_prefix(lead) {
            return rest.trim_start();
        }
    }
    t
}

fn reach(made: &Progress, l: Lang) -> Section {
    let r = &made.reach;
    let mut blocks = vec![Block::Para(l.say(
        "reach-issues",
        &[("n", count(r.issues)), ("new", count(r.new))],
    ))];
    if !r.tags.is_empty() || r.untagged > 0 {
        blocks.push(Block::Sub(l.word("reach-by-tag")));
        let mut items: Vec<String> = r
            .tags
            .iter()
            .map(|t| {
                l.say(
                    "reach-tag",
                    &[
                        ("tag", text(&t.tag)),
                        ("n", count(t.issues)),
                        ("active", count(t.active)),
                    ],
                )
            })
            .collect();
        if r.untagged > 0 {
            items.push(l.say("reach-untagged", &[("n", count(r.untagged))]));
        }
        blocks.push(Block::List(items));
    }
    if !r.leads.is_empty() {
        blocks.push(Block::Sub(l.word("reach-leads")));
        blocks.push(Block::Table(Grid {
            caption: l.word("reach-leads"),
            head: vec![l.word("col-group"), l.word("col-issues-led")],
            rows: r
                .leads
                .iter()
                .map(|(m, k)| vec![m.clone(), k.to_string()])
                .collect(),
            figures: vec![false, true],
        }));
    }
    blocks.push(Block::Sub(l.word("reach-evidence")));
    if r.evidence.is_empty() {
        blocks.push(Block::Para(l.word("evidence-none")));
    } else {
        let mut items: Vec<String> = r
            .evidence
            .iter()
            .take(LISTED)
            .map(|e| {
                let mut args = vec![
                    ("issue", text(&e.issue)),
                    ("figure", text(&e.figure)),
                    ("source", text(&e.source)),
                ];
                if model::is_blank(&e.disaggregation) {
                    l.say("evidence-whole", &args)
                } else {
                    args.push(("by", text(broken_down(&e.disaggregation))));
                    l.say("evidence", &args)
                }
            })
            .collect();
        if r.evidence.len() > LISTED {
            items.push(l.say("more", &[("n", count(r.evidence.len() - LISTED))]));
        }
        blocks.push(Block::List(items));
    }
    if !r.alone.is_empty() {
        blocks.push(Block::Para(
            l.say("reach-alone", &[("n", count(r.alone.len()))]),
        ));
        let mut items: Vec<String> = r
            .alone
            .iter()
            .take(LISTED)
            .map(|a| {
                l.say(
                    "alone",
                    &[("issue", text(&a.issue)), ("member", text(&a.raised_by))],
                )
            })
            .collect();
        if r.alone.len() > LISTED {
            items.push(l.say("more", &[("n", count(r.alone.len() - LISTED))]));
        }
        blocks.push(Block::List(items));
    }
    section("reach", l, blocks)
}

fn participation(made: &Progress, l: Lang) -> Section {
    let p = &made.participation;
    let mut blocks = vec![Block::Para(l.say("meetings", &[("n", count(p.meetings))]))];
    if !made.decisions.is_empty() {
        blocks.push(Block::Para(if p.silent.is_empty() {
            l.word("silent-none")
        } else {
            l.say(
                "silent",
                &[
                    ("n", count(p.silent.len())),
                    (
                        "names",
                        ours(
                            p.silent
                                .iter()
                                .map(|s| crate::words::isolated(s))
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ),
                ],
            )
        }));
    }
    if !p.members.is_empty() {
        blocks.push(Block::Table(Grid {
            caption: l.word("participation-table"),
            head: vec![
                l.word("col-group"),
                l.word("col-attended"),
                l.word("col-facilitated"),
                l.word("col-checkins"),
                l.word("col-positions"),
            ],
            rows: p
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.member.clone(),
                        m.attended.to_string(),
                        m.facilitated.to_string(),
                        m.checkins.to_string(),
                        m.positions.to_string(),
                    ]
                })
                .collect(),
            figures: vec![false, true, true, true, true],
        }));
    }
    section("participation", l, blocks)
}

fn change_sentence(c: &Change, l: Lang) -> String {
    match c {
        Change::Founded => l.word("change-founded"),
        Change::Name { to } => l.say("change-name", &[("name", text(to))]),
        Change::Frame => l.word("change-frame"),
        Change::ValueAdded { value } => l.say("change-value", &[("value", text(value))]),
        Change::CommitmentAdded { value } => l.say("change-commitment", &[("value", text(value))]),
        Change::ValueRemoved { value } => l.say("change-value-gone", &[("value", text(value))]),
        Change::CommitmentRemoved { value } => {
            l.say("change-commitment-gone", &[("value", text(value))])
        }
        Change::Rule { to: None, .. } => l.word("change-rule-none"),
        Change::Rule { kind, to: Some(r) } => l.say(
            "change-rule",
            &[
                ("kind", ours(l.word(&format!("kind-{kind}")))),
                ("rule", ours(method(l, *r))),
                ("quorum", ours(percent(r.quorum()))),
            ],
        ),
        Change::Threshold { to } => l.say("change-threshold", &[("share", ours(percent(*to)))]),
    }
}

fn charter(made: &Progress, l: Lang) -> Section {
    let mut blocks = Vec::new();
    if made.charter.is_empty() {
        blocks.push(Block::Para(l.word("charter-none")));
    }
    for v in &made.charter {
        blocks.push(Block::Para(l.say(
            "charter-version",
            &[
                ("version", ours(v.version.to_string())),
                ("day", ours(l.day(v.day))),
                ("n", count(v.agreed_by)),
            ],
        )));
        if !v.changes.is_empty() {
            blocks.push(Block::List(
                v.changes.iter().map(|c| change_sentence(c, l)).collect(),
            ));
        }
    }
    section("charter", l, blocks)
}

/// `s` escaped for HTML text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` without the isolation marks around members' texts (where no markup can isolate them:
/// a page's title, a chart's labels; and Markdown, which may be printed to a terminal).
pub(crate) fn unmarked(s: &str) -> String {
    s.replace(['\u{2068}', '\u{2069}'], "")
}

/// `s` escaped for HTML text, a member's text isolated by a `bdi` element (the isolation
/// marks `say` placed, paired: members' own direction controls are left out before).
fn hx(s: &str) -> String {
    esc(s)
        .replace('\u{2068}', "<bdi>")
        .replace('\u{2069}', "</bdi>")
}

/// The Content-Security-Policy of the HTML file: nothing fetched, no script, no form; its own
/// stylesheet allowed by its hash (said in the file, and by the node that serves it as a page).
pub fn policy() -> &'static str {
    static POLICY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = sha2::Sha256::digest(STYLE.as_bytes());
        format!(
            "default-src 'none'; style-src 'sha256-{}'; base-uri 'none'; form-action 'none'",
            base64::engine::general_purpose::STANDARD.encode(hash)
        )
    });
    &POLICY
}

/// The stylesheet of the HTML file: readable on screen, and printed on A4 or Letter alike
/// (the page size is the printer's; nothing is wider than the page).
const STYLE: &str = "\
:root{color-scheme:light;--ink:#1b1b1b;--muted:#4a4a4a;--line:#8a8a8a;--accent:#0b5394}\
*{box-sizing:border-box}\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);background:#fff;margin:0}\
main{max-width:48rem;margin:0 auto;padding:1.5rem}\
h1{font-size:1.8rem;line-height:1.2;margin:0 0 .5rem}\
h2{font-size:1.35rem;margin:2rem 0 .5rem;border-bottom:2px solid var(--accent);padding-bottom:.2rem}\
h3{font-size:1.1rem;margin:1.25rem 0 .4rem}\
nav ol{padding-left:1.25rem}\
a{color:var(--accent)}\
ul{padding-left:1.25rem}li{margin:.25rem 0}\
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}\
caption{text-align:left;font-weight:600;padding:.25rem 0}\
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}\
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.scroll{overflow-x:auto;max-width:100%}.scroll:focus{outline:3px solid var(--accent)}\
.skip{position:absolute;left:-100vw}.skip:focus{position:static;display:inline-block;padding:.5rem}\
figure{margin:1rem 0}figcaption{color:var(--muted)}\
svg{width:100%;height:auto;max-width:40rem}\
@page{margin:16mm}\
@media print{body{font-size:11pt}main{max-width:none;padding:0}nav,.skip{display:none}\
.scroll{overflow:visible}\
h2{break-after:avoid}table,figure,li{break-inside:avoid}a{color:inherit;text-decoration:none}}";

/// Table `n` of the page, in a region that scrolls sideways on its own when the table is wider
/// than a narrow screen (the page itself never does), reachable by keyboard and named by the
/// table's caption.
fn html_grid(g: &Grid, n: &mut usize, out: &mut String) {
    *n += 1;
    out.push_str(&format!(
        "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"table-{n}\">\
         <table><caption id=\"table-{n}\">"
    ));
    out.push_str(&hx(&g.caption));
    out.push_str("</caption><thead><tr>");
    for (i, h) in g.head.iter().enumerate() {
        let class = if g.figures.get(i) == Some(&true) {
            " class=\"n\""
        } else {
            ""
        };
        out.push_str(&format!("<th scope=\"col\"{class}>{}</th>", hx(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &g.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("<th scope=\"row\">{}</th>", hx(c)));
            } else {
                let class = if g.figures.get(i) == Some(&true) {
                    " class=\"n\""
                } else {
                    ""
                };
                out.push_str(&format!("<td{class}>{}</td>", hx(c)));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

fn html(p: &Page) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">{}</a>\n<main id=\"main\" tabindex=\"-1\">\n<h1>{}</h1>\n",
        p.lang,
        policy(),
        esc(&unmarked(&p.title)),
        hx(&p.skip),
        hx(&p.title)
    ));
    let mut tables = 0;
    for s in &p.intro {
        out.push_str(&format!("<p>{}</p>\n", hx(s)));
    }
    out.push_str("<nav aria-labelledby=\"contents\"><h2 id=\"contents\">");
    out.push_str(&hx(&Lang::from_tag(p.lang)
        .unwrap_or_default()
        .word("contents")));
    out.push_str("</h2><ol>");
    for s in &p.sections {
        out.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            s.id,
            hx(&s.heading)
        ));
    }
    out.push_str("</ol></nav>\n");
    for s in &p.sections {
        out.push_str(&format!(
            "<section aria-labelledby=\"{0}\">\n<h2 id=\"{0}\">{1}</h2>\n",
            s.id,
            hx(&s.heading)
        ));
        for b in &s.blocks {
            match b {
                Block::Para(t) => out.push_str(&format!("<p>{}</p>\n", hx(t))),
                Block::Sub(t) => out.push_str(&format!("<h3>{}</h3>\n", hx(t))),
                Block::List(items) => {
                    out.push_str("<ul>");
                    for i in items {
                        out.push_str(&format!("<li>{}</li>", hx(i)));
                    }
                    out.push_str("</ul>\n");
                }
                Block::Table(g) => {
                    html_grid(g, &mut tables, &mut out);
                    out.push('\n');
                }
                Block::Chart(c) => {
                    out.push_str("<figure>");
                    out.push_str(&c.svg);
                    out.push_str(&format!("<figcaption>{}</figcaption>", hx(&c.text)));
                    html_grid(&c.table, &mut tables, &mut out);
                    out.push_str("</figure>\n");
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

/// `s` with every character Markdown (CommonMark, and the tables of common renderers) could
/// read as markup escaped: a member's title cannot make a link, an image, raw HTML, a heading
/// or a table cell. Without isolation marks (Markdown has no markup for them, and the file
/// may be printed to a terminal, where they would be escaped).
pub(crate) fn md_esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in unmarked(s).chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '|'
                | '~'
                | '!'
                | '&'
                | '{'
                | '}'
                | '@'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    // Addresses common renderers turn into links by themselves (GitHub's `http://…`,
    // `www.…` and e-mail addresses, the last broken by the `@` escaped above): broken by an
    // escape, shown the same.
    out.replace("://", "\\://").replace("www.", "www\\.")
}

fn md_grid(g: &Grid, out: &mut String) {
    out.push_str(&format!("**{}**\n\n", md_esc(&g.caption)));
    out.push_str(&format!(
        "| {} |\n",
        g.head
            .iter()
            .map(|h| md_esc(h))
            .collect::<Vec<_>>()
            .join(" | ")
    ));
    out.push_str(&format!(
        "|{}|\n",
        g.figures
            .iter()
            .map(|f| if *f { "---:" } else { "---" })
            .collect::<Vec<_>>()
            .join("|")
    ));
    for row in &g.rows {
        out.push_str(&format!(
            "| {} |\n",
            row.iter()
                .map(|c| md_esc(c))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    out.push('\n');
}

/// A paragraph or list item of Markdown: escaped, and a line start that would make a list or
/// a heading (`1.`, `-`, `+`) escaped too.
fn md_line(s: &str) -> String {
    // Leading spaces would make an indented code block.
    let e = md_esc(s.trim_start());
    let digits = e.chars().take_while(char::is_ascii_digit).count();
    if e.starts_with(['-', '+']) {
        format!("\\{e}")
    } else if digits > 0 && e[digits..].starts_with(['.', ')']) {
        format!("{}\\{}", &e[..digits], &e[digits..])
    } else {
        e
    }
}

fn markdown(p: &Page) -> String {
    let mut out = format!("# {}\n\n", md_esc(&p.title));
    for s in &p.intro {
        out.push_str(&format!("{}\n\n", md_line(s)));
    }
    for s in &p.sections {
        out.push_str(&format!("## {}\n\n", md_esc(&s.heading)));
        for b in &s.blocks {
            match b {
                Block::Para(t) => out.push_str(&format!("{}\n\n", md_line(t))),
                Block::Sub(t) => out.push_str(&format!("### {}\n\n", md_esc(t))),
                Block::List(items) => {
                    for i in items {
                        out.push_str(&format!("- {}\n", md_line(i)));
                    }
                    out.push('\n');
                }
                Block::Table(g) => md_grid(g, &mut out),
                Block::Chart(c) => {
                    out.push_str(&format!("{}\n\n", md_line(&c.text)));
                    md_grid(&c.table, &mut out);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A member's text, escaped for HTML, opens no element but the isolation the report
        /// placed; escaped for Markdown, leaves no markup character bare and no isolation mark.
        #[test]
        fn no_text_escapes_its_place(raw in any::<String>()) {
            let text = crate::plain(&raw);
            let placed = crate::words::isolated(&text);
            let html = hx(&placed);
            let inner = html.strip_prefix("<bdi>").and_then(|h| h.strip_suffix("</bdi>"));
            prop_assert!(inner.is_some_and(|i| !i.contains(['<', '>', '"', '\''])), "{}", html);
            let md = md_line(&placed);
            prop_assert!(!md.contains("www."), "{:?}", md);
            let bare_scheme = md.match_indices("://").any(|(i, _)| !md[..i].ends_with('\\'));
            prop_assert!(!bare_scheme, "{:?}", md);
            let mut chars = md.chars().peekable();
            while let Some(c) = chars.next() {
                prop_assert!(!matches!(c, '\u{2068}' | '\u{2069}'), "an isolation mark in {:?}", md);
                if c == '\\' {
                    chars.next();
                    continue;
                }
                prop_assert!(!"`*_[]<>#|~!&{}".contains(c), "{:?} bare in {:?}", c, md);
            }
        }
    }
}
