//! A coalition's proposals: the list (filtered by kind, a page at a time) with the form to
//! open a general decision or a public statement, and one proposal — its rule in words, the
//! outcome as a sentence and as a chart with the positions' table one step away, and the form
//! to take this organization's position (a block needs a reason).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::proposals::{NewProposalRequest, PositionRequest, ProposalQuery, ProposalView};
use commands::ops::{Reply, Request};
use model::{DecisionKind, Method, Outcome, Stance};

use super::{Chrome, CoalitionNav, Field, name_of, page, unexpected};
use crate::i18n::{Arg, date_time};
use crate::{Visit, Web, see_other};

/// Proposals on a page.
const PAGE: usize = 25;

/// Notices a redirect may ask for.
const NOTICES: &[&str] = &[
    "vote-recorded",
    "allocation-requested",
    "removal-proposed",
    "amendment-proposed",
    "proposal-opened",
    "translated",
    "ballot-cast",
];

/// The kinds of decision the proposals page opens; the others are opened where they say
/// what they change (the charter, the members, a pool).
const OPENED_HERE: [DecisionKind; 2] = [DecisionKind::General, DecisionKind::PublicStatement];

fn kind_name(c: &Chrome, k: DecisionKind) -> String {
    c.t(&format!("kind-{}", k.as_str()))
}

fn outcome_name(c: &Chrome, o: Outcome) -> String {
    c.t(&format!("outcome-{}", o.as_str()))
}

fn stance_name(c: &Chrome, s: Stance) -> String {
    c.t(&format!("stance-{}", s.as_str()))
}

/// "Passed: 5 of 6 agreed, 1 stood aside, …; quorum met." (For a poll: "Open: 3 of 6
/// organizations have voted; quorum met.")
fn sentence(c: &Chrome, v: &ProposalView) -> String {
    let t = &v.tally;
    let taken = t.electorate.saturating_sub(t.pending);
    let count = |n: u64| Arg::Count(usize::try_from(n).unwrap_or(usize::MAX));
    let poll = v.proposal.poll.is_some();
    c.tw(
        if poll {
            "poll-sentence"
        } else {
            "outcome-sentence"
        },
        &[
            (
                "outcome",
                Arg::Own(if poll {
                    v.outcome.as_str().to_owned()
                } else {
                    outcome_name(c, v.outcome)
                }),
            ),
            ("agree", count(t.agree)),
            ("electorate", count(t.electorate)),
            ("abstain", count(t.abstain)),
            ("disagree", count(t.disagree)),
            ("block", count(t.block)),
            ("pending", count(t.pending)),
            (
                "met",
                Arg::Own(
                    if taken >= t.quorum_needed {
                        "yes"
                    } else if v.outcome == Outcome::Open {
                        "pending"
                    } else {
                        "no"
                    }
                    .to_owned(),
                ),
            ),
        ],
    )
}

/// A row of the list.
#[derive(Debug)]
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) kind: String,
    pub(crate) outcome: String,
    pub(crate) closes: String,
}

#[derive(Template)]
#[template(path = "proposals.html")]
struct Proposals {
    c: Chrome,
    /// "3 proposals are not yet in Spanish", per language.
    untranslated: Vec<String>,
    nav: CoalitionNav,
    heading: String,
    kind: String,
    kinds: Vec<(&'static str, String)>,
    waiting: bool,
    showing: String,
    rows: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    form_error: Option<String>,
    open_kinds: Vec<super::Choice>,
    kind_error: Option<String>,
    fields: Vec<Field>,
    /// Calls received from coalitions this one is an affiliate of, still open.
    calls: Vec<CallRow>,
}

/// A call received, as the proposals page shows it (its texts were written on the calling
/// coalition's node: escaped, names isolated in sentences).
#[derive(Debug)]
struct CallRow {
    id: String,
    title: String,
    text: String,
    /// Who called and by when a position must be decided, in a sentence.
    from: String,
    /// Where it came from, in words.
    provenance: String,
    /// Our proposals answering it: id and title.
    answered_by: Vec<(String, String)>,
}

/// What the form answering a call sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    call: String,
}

/// What the form to open a proposal sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct OpenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    closes: String,
}

/// The form to open a proposal as the list shows it: as sent, with what was wrong.
#[derive(Default)]
struct Opened<'a> {
    form: Option<&'a OpenForm>,
    /// Above the form.
    error: Option<String>,
    /// Next to a field, by the field's name.
    field_errors: Vec<(&'static str, String)>,
    status: Option<StatusCode>,
}

/// The list's filter and page, as the address carries them.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    kind: String,
    /// `1`: only the open proposals waiting for this organization's position.
    #[serde(default)]
    waiting: String,
    #[serde(default)]
    offset: usize,
}

/// The coalition's proposals.
pub(crate) async fn list(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    listing(&web, &visit, &coalition, q, Opened::default()).await
}

/// Renders the list (with the form to open a proposal as given, and its errors).
async fn listing(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    q: ListQuery,
    opened: Opened<'_>,
) -> Response {
    let Opened {
        form,
        error: form_error,
        field_errors,
        status,
    } = opened;
    let c = visit.chrome("proposals").live(coalition);
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let waiting = q.waiting == "1";
    let query = ProposalQuery {
        kind: Some(q.kind.clone()).filter(|k| !k.is_empty()),
        waiting,
        offset: q.offset,
        limit: Some(PAGE),
    };
    let list = match web
        .ask(Request::ProposalList {
            coalition: coalition.to_owned(),
            query,
        })
        .await
    {
        Ok(Reply::Proposals(p)) => p,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let rows: Vec<Row> = list
        .proposals
        .iter()
        .map(|v| Row {
            id: v.proposal.id.to_string(),
            title: v.proposal.title.clone(),
            kind: kind_name(&c, v.proposal.kind),
            outcome: outcome_name(&c, v.outcome),
            closes: v
                .proposal
                .closes_at
                .map_or_else(|| "–".to_owned(), |t| date_time(c.l, t)),
        })
        .collect();
    let path = format!("/c/{coalition}/proposals");
    let (showing, previous, next) = super::pager(
        &c,
        if waiting {
            "proposals-showing-waiting"
        } else {
            "proposals-showing"
        },
        |o| super::page_link(&path, &[("kind", &q.kind), ("waiting", &q.waiting)], o),
        super::Window {
            offset: list.offset,
            shown: rows.len(),
            total: list.total,
            next: list.next,
            page_size: PAGE,
        },
    );
    let kinds = DecisionKind::ALL
        .iter()
        .map(|k| (k.as_str(), kind_name(&c, *k)))
        .collect();
    let blank = OpenForm::default();
    let sent = form.unwrap_or(&blank);
    let open_kinds = OPENED_HERE
        .iter()
        .map(|k| super::Choice {
            value: k.as_str().to_owned(),
            label: kind_name(&c, *k),
            selected: sent.kind == k.as_str(),
        })
        .collect();
    let mut kind_error = None;
    let mut fields = vec![
        Field::text(&c, "title", "proposal-title-field", "proposal-title-help")
            .required()
            .value(&sent.title),
        Field::text(&c, "text", "proposal-text-field", "proposal-text-help")
            .multiline()
            .value(&sent.text),
        Field::text(&c, "closes", "removal-closes", "removal-closes-help").value(&sent.closes),
    ];
    for (name, e) in field_errors {
        if name == "kind" {
            kind_error = Some(e);
        } else {
            super::tie(&mut fields, vec![(name, e)]);
        }
    }
    let untranslated = super::translated::untranslated(web, &c, coalition, "proposals").await;
    let calls = match web
        .ask(Request::StatementCalls {
            coalition: coalition.to_owned(),
        })
        .await
    {
        Ok(Reply::Calls(v)) => v
            .calls
            .into_iter()
            .filter(|k| k.open && k.asks_position)
            .map(|k| CallRow {
                from: c.tw(
                    "call-from",
                    &[
                        ("name", Arg::Text(k.from_name.clone())),
                        (
                            "date",
                            Arg::Own(date_time(
                                c.l,
                                model::Timestamp::from_millis(k.closes_millis),
                            )),
                        ),
                    ],
                ),
                provenance: super::affiliates::provenance(&c, &k.from_name, &k.source),
                answered_by: k
                    .answered_by
                    .iter()
                    .map(|p| {
                        let title = list
                            .proposals
                            .iter()
                            .find(|v| v.proposal.id.as_str() == p)
                            .map_or_else(
                                || p.get(..8).unwrap_or(p).to_owned(),
                                |v| v.proposal.title.clone(),
                            );
                        (p.clone(), title)
                    })
                    .collect(),
                id: k.id,
                title: k.title,
                text: k.text,
            })
            .collect(),
        _ => Vec::new(),
    };
    page(
        status.unwrap_or(StatusCode::OK),
        &Proposals {
            nav: CoalitionNav {
                id: coalition.to_owned(),
                label: summary.name.clone(),
                here: "proposals",
            },
            heading: c.tw("proposals-title", &[("coalition", Arg::Text(summary.name))]),
            c,
            kind: q.kind,
            kinds,
            waiting,
            showing,
            rows,
            untranslated,
            previous,
            next,
            form_error,
            open_kinds,
            kind_error,
            fields,
            calls,
        },
    )
}

/// Opens a general proposal answering a call received (its title and text the call's, closing
/// when the call does), then shows it; or the list again with what was wrong.
pub(crate) async fn answer(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<AnswerForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let failed = |e: &commands::ops::OpError| Opened {
        form: None,
        error: Some(super::refusal(visit.lang, e)),
        field_errors: Vec::new(),
        status: Some(super::status_of(e)),
    };
    let calls = match web
        .ask_for::<commands::ops::received::CallsView>(Request::StatementCalls {
            coalition: coalition.clone(),
        })
        .await
    {
        Ok(v) => v.calls,
        Err(e) => {
            return listing(&web, &visit, &coalition, ListQuery::default(), failed(&e)).await;
        }
    };
    let Some(call) = calls
        .into_iter()
        .find(|k| k.id == f.call && k.open && k.asks_position)
    else {
        let opened = Opened {
            form: None,
            error: Some(visit.lang.t("call-unknown")),
            field_errors: Vec::new(),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        };
        return listing(&web, &visit, &coalition, ListQuery::default(), opened).await;
    };
    let req = Request::ProposalCreate {
        coalition: coalition.clone(),
        body: Box::new(NewProposalRequest {
            kind: "general".to_owned(),
            title: call.title,
            text: call.text,
            answers: Some(call.id),
            ..NewProposalRequest::default()
        }),
    };
    match web.ask_for::<commands::ops::Created>(req).await {
        Ok(made) => see_other(
            &format!("/c/{coalition}/proposals/{}?done=proposal-opened", made.id),
            None,
        ),
        Err(e) => listing(&web, &visit, &coalition, ListQuery::default(), failed(&e)).await,
    }
}

/// Opens a general decision or a public statement, then shows it; or the list again with
/// what was wrong next to its field.
pub(crate) async fn open(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<OpenForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let closes = f.closes.trim();
    let mut errors = Vec::new();
    if !OPENED_HERE.iter().any(|k| k.as_str() == f.kind) {
        errors.push(("kind", l.t("proposal-kind-missing")));
    }
    if f.title.trim().is_empty() {
        errors.push(("title", l.t("error-required")));
    }
    errors.extend(super::closes_error(l, closes));
    if !errors.is_empty() {
        let opened = Opened {
            form: Some(&f),
            error: Some(l.t("error-form")),
            field_errors: errors,
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        };
        return listing(&web, &visit, &coalition, ListQuery::default(), opened).await;
    }
    let req = Request::ProposalCreate {
        coalition: coalition.clone(),
        body: Box::new(NewProposalRequest {
            kind: f.kind.clone(),
            title: f.title.trim().to_owned(),
            text: f.text.trim().to_owned(),
            closes: Some(closes.to_owned()).filter(|c| !c.is_empty()),
            ..NewProposalRequest::default()
        }),
    };
    match web.ask_for::<commands::ops::Created>(req).await {
        Ok(made) => see_other(
            &format!("/c/{coalition}/proposals/{}?done=proposal-opened", made.id),
            None,
        ),
        Err(e) => {
            let opened = Opened {
                form: Some(&f),
                error: Some(super::refusal(visit.lang, &e)),
                field_errors: Vec::new(),
                status: Some(super::status_of(&e)),
            };
            listing(&web, &visit, &coalition, ListQuery::default(), opened).await
        }
    }
}

/// A bar of the chart: one stance, its count.
#[derive(Debug)]
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) count: u64,
    /// Its top (the label's baseline).
    pub(crate) y: u64,
    /// Its length, of 300.
    pub(crate) width: u64,
    pub(crate) fill: &'static str,
}

/// A row of the positions' table.
#[derive(Debug)]
pub(crate) struct PositionRow {
    pub(crate) name: String,
    pub(crate) stance: String,
    pub(crate) reason: super::translated::Shown,
    pub(crate) when: String,
}

/// A choice of the position form.
#[derive(Debug)]
pub(crate) struct Choice {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) help: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    c: Chrome,
    coalition: String,
    id: String,
    title: String,
    title_shown: super::translated::Shown,
    text_shown: super::translated::Shown,
    tf: super::translated::TranslateForm,
    kind: String,
    opened: String,
    closes: String,
    rule: String,
    sentence: String,
    chart_title: String,
    chart_height: u64,
    bars: Vec<Bar>,
    text: String,
    positions: Vec<PositionRow>,
    /// Why this organization cannot take a position, if it cannot.
    no_vote: Option<String>,
    form_error: Option<String>,
    stance_error: Option<String>,
    stances: Vec<Choice>,
    fields: Vec<Field>,
    /// Where the proposal is a poll: its options, result and ballot, in place of positions.
    poll: Option<super::polls::PollSection>,
    /// For a link proposal: what it decides, in a sentence, and the rest of its terms.
    link: Option<(String, Vec<String>)>,
    /// Where affiliates answered a call on it: the weighted count in a sentence, and each
    /// affiliate's row (name, weight, position, where it came from).
    mandates: Option<(String, Vec<[String; 4]>)>,
    /// Where it answers a call: what that means, in a sentence.
    answers: Option<String>,
}

/// The position form as sent, with what was wrong.
#[derive(Default)]
struct Voted<'a> {
    done: Option<&'a str>,
    form: Option<&'a PositionForm>,
    stance_error: Option<String>,
    reason_error: Option<String>,
    form_error: Option<String>,
    status: Option<StatusCode>,
    /// The ballot form as sent, when it was refused.
    ballot: Option<&'a super::polls::Sent>,
}

async fn proposal_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    proposal: &str,
    voted: Voted<'_>,
) -> Response {
    let c = visit
        .chrome("proposals")
        .with_notice(voted.done, NOTICES)
        .live(coalition);
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let detail = match web
        .ask(Request::ProposalShow {
            coalition: coalition.to_owned(),
            proposal: proposal.to_owned(),
        })
        .await
    {
        Ok(Reply::Proposal(d)) => d,
        Ok(_) => return super::node_error(visit, &unexpected()),
        Err(e) => return super::node_error(visit, &e),
    };
    let v = &detail.proposal;
    let p = &v.proposal;
    let names = &detail.names;
    let translations = super::translated::of_record(web, coalition, p.id.as_str()).await;
    let tv = translations.as_ref();
    let target = |field: &str| format!("proposals/{}/{field}", p.id);
    let title_shown = super::translated::shown(&c, tv, &target("title"), &p.title);
    let text_shown = super::translated::shown(&c, tv, &target("text"), &p.text.0);
    let mut tf = super::translated::TranslateForm::new(
        &c,
        tv,
        coalition,
        p.id.as_str(),
        &format!("/c/{coalition}/proposals/{}", p.id),
        &[
            ("title", "translate-field-title"),
            ("text", "translate-field-text"),
        ],
    );
    for (m, pos) in &p.positions {
        if !model::is_blank(&pos.reason) {
            tf.fields.push(super::Choice {
                value: format!("reason:{m}"),
                label: c.tw(
                    "translate-field-reason",
                    &[("name", Arg::Text(name_of(names, m)))],
                ),
                selected: false,
            });
        }
    }
    let mandates = match web
        .ask(Request::LinkMandates {
            coalition: coalition.to_owned(),
            proposal: p.id.to_string(),
        })
        .await
    {
        Ok(Reply::Mandates(m)) if m.affiliates.iter().any(|a| a.position.is_some()) => {
            Some(super::affiliates::mandates(&c, &m))
        }
        _ => None,
    };
    let method = super::rule_method_words(&c, p.rule);
    let t = &v.tally;
    let bars: Vec<Bar> = [
        (c.t("stance-agree"), t.agree, "#1d6b2c"),
        (c.t("stance-abstain"), t.abstain, "#4a4a55"),
        (c.t("stance-disagree"), t.disagree, "#8a4b00"),
        (c.t("stance-block"), t.block, "#a3141c"),
        (c.t("stance-pending"), t.pending, "#c9c9d2"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (label, count, fill))| Bar {
        label,
        count,
        y: 16 + 40 * i as u64,
        width: (300 * count).checked_div(t.electorate).unwrap_or(0),
        fill,
    })
    .collect();
    let mine = summary.me.as_ref();
    let no_vote = if v.outcome != Outcome::Open {
        Some(c.t("vote-decided"))
    } else if !mine.is_some_and(|m| p.electorate.contains(m)) {
        Some(c.t("vote-not-member"))
    } else {
        None
    };
    let current = mine.and_then(|m| p.positions.get(m));
    let chosen = voted
        .form
        .map(|f| f.stance.as_str())
        .or_else(|| current.map(|r| r.stance.as_str()))
        .unwrap_or("");
    let stances = Stance::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: stance_name(&c, *s),
            help: match (s, p.rule.method()) {
                (Stance::Disagree, Method::Consensus) => c.t("stance-disagree-help-consensus"),
                (Stance::Block, Method::Majority | Method::SuperMajority(_)) => {
                    c.t("stance-block-help-vote")
                }
                _ => c.t(&format!("stance-{}-help", s.as_str())),
            },
            checked: s.as_str() == chosen,
        })
        .collect();
    let reason = voted
        .form
        .map(|f| f.reason.clone())
        .or_else(|| current.map(|r| r.reason.clone()))
        .unwrap_or_default();
    let mut reason_field = Field::text(&c, "reason", "vote-reason", "vote-reason-help")
        .multiline()
        .value(&reason);
    reason_field.error = voted.reason_error;
    let positions = p
        .electorate
        .iter()
        .map(|m| {
            let record = p.positions.get(m);
            let reason = record.map(|r| r.reason.clone()).unwrap_or_default();
            PositionRow {
                name: name_of(names, m),
                stance: record.map_or_else(|| c.t("stance-pending"), |r| stance_name(&c, r.stance)),
                reason: super::translated::shown(
                    &c,
                    tv,
                    &format!("proposals/{}/positions/{m}/reason", p.id),
                    &reason,
                ),
                when: record.map(|r| date_time(c.l, r.at)).unwrap_or_default(),
            }
        })
        .collect();
    page(
        voted.status.unwrap_or(StatusCode::OK),
        &ProposalPage {
            coalition: coalition.to_owned(),
            id: p.id.to_string(),
            title: p.title.clone(),
            title_shown,
            text_shown,
            tf,
            kind: kind_name(&c, p.kind),
            mandates,
            answers: p.answers.as_deref().map(|call| {
                c.tw(
                    "proposal-answers",
                    &[(
                        "call",
                        Arg::Own(
                            model::federation::StatementId::from_hex(call)
                                .map_or_else(|_| "?".to_owned(), |id| id.short()),
                        ),
                    )],
                )
            }),
            link: p.link.as_ref().map(|l| {
                let t = super::links::Terms::of(l);
                (
                    super::links::sentence(&c, &t),
                    super::links::details(&c, &t),
                )
            }),
            opened: c.tw(
                "proposal-by",
                &[
                    ("name", Arg::Text(name_of(names, &p.author))),
                    ("date", Arg::Own(date_time(c.l, p.created_at))),
                ],
            ),
            closes: match (p.closes_at, v.outcome == Outcome::Open) {
                (None, true) => c.t("proposal-no-close"),
                (Some(t), true) => {
                    c.tw("proposal-closes", &[("date", Arg::Own(date_time(c.l, t)))])
                }
                // Its closing time passed (whether or not its positions settled it before:
                // "closed on" is true either way, where "counted until" would not be).
                (Some(t), false) if t <= super::now() => {
                    c.tw("proposal-closed", &[("date", Arg::Own(date_time(c.l, t)))])
                }
                // Settled before any closing time.
                (_, false) => c.t("proposal-settled"),
            },
            rule: c.tw(
                if p.poll.is_some() {
                    "poll-rule"
                } else {
                    "proposal-rule"
                },
                &[
                    ("method", Arg::Own(method)),
                    ("quorum", Arg::Own(p.rule.quorum().to_string())),
                    (
                        "electorate",
                        Arg::Count(usize::try_from(t.electorate).unwrap_or(usize::MAX)),
                    ),
                ],
            ),
            sentence: sentence(&c, v),
            chart_title: c.tw(
                "proposal-chart-title",
                &[("title", Arg::Text(p.title.clone()))],
            ),
            chart_height: 16 + 40 * 5,
            bars,
            text: p.text.0.clone(),
            positions,
            no_vote,
            form_error: voted.form_error,
            stance_error: voted.stance_error,
            stances,
            fields: vec![reason_field],
            poll: super::polls::section(&c, v, names, mine, voted.ballot),
            c,
        },
    )
}

/// One proposal.
pub(crate) async fn show(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, proposal)): Path<(String, String)>,
    Query(q): Query<super::DoneQuery>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let voted = Voted {
        done: q.done.as_deref(),
        ..Voted::default()
    };
    proposal_page(&web, &visit, &coalition, &proposal, voted).await
}

/// The proposal's page again with its ballot form as sent and what was wrong with it.
pub(crate) async fn poll_refused(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    proposal: &str,
    sent: &super::polls::Sent,
    status: StatusCode,
) -> Response {
    let voted = Voted {
        ballot: Some(sent),
        status: Some(status),
        ..Voted::default()
    };
    proposal_page(web, visit, coalition, proposal, voted).await
}

/// What the position form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PositionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    stance: String,
    #[serde(default)]
    reason: String,
}

/// Records this organization's position, then shows the proposal; or the page again with
/// what was wrong next to its field.
pub(crate) async fn take_position(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, proposal)): Path<(String, String)>,
    axum::Form(f): axum::Form<PositionForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let stance: Option<Stance> = f.stance.parse().ok();
    let refused = |stance_error: Option<String>, reason_error: Option<String>| Voted {
        form: Some(&f),
        stance_error,
        reason_error,
        form_error: Some(l.t("error-form")),
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        ..Voted::default()
    };
    let voted = match stance {
        None => Some(refused(Some(l.t("error-stance")), None)),
        Some(Stance::Block) if model::is_blank(&f.reason) => {
            Some(refused(None, Some(l.t("error-block-reason"))))
        }
        Some(_) => None,
    };
    if let Some(voted) = voted {
        return proposal_page(&web, &visit, &coalition, &proposal, voted).await;
    }
    let req = Request::ProposalPosition {
        coalition: coalition.clone(),
        proposal: proposal.clone(),
        body: PositionRequest {
            stance: f.stance.clone(),
            reason: f.reason.trim().to_owned(),
        },
    };
    match web.ask(req).await {
        Ok(Reply::PositionTaken(taken)) => see_other(
            &format!("/c/{coalition}/proposals/{}?done=vote-recorded", taken.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let voted = Voted {
                form: Some(&f),
                form_error: Some(super::refusal(visit.lang, &e)),
                status: Some(super::status_of(&e)),
                ..Voted::default()
            };
            proposal_page(&web, &visit, &coalition, &proposal, voted).await
        }
    }
}
