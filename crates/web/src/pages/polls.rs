//! A poll on its proposal's page: the options with where each stands, the result as a chart
//! with its figures in tables (every round of a runoff or an STV count, the pairwise and
//! strongest-path matrices of a Condorcet count), and this organization's ballot as a form
//! that works with the keyboard alone (a ranking is chosen with one menu per option, never
//! by dragging).

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::proposals::{BallotRequest, ProposalView};
use commands::ops::{Reply, Request};
use model::poll::ranked::TieBreak;
use model::poll::stv::{Action, decimal};
use model::poll::{Ballot, BallotError, Order, PollMethod, PollResult};
use model::schema::PollSpec;
use model::{Answer, MemberId, Outcome};

use super::reports::{Chart, Drawn};
use super::{Chrome, name_of, unexpected};
use crate::i18n::{Arg, number};
use crate::{Visit, Web, see_other};

/// Fills of a poll's chart: the leading options, the others.
const LEADING: &str = "#1d6b2c";
const OTHER: &str = "#3b5b92";

/// A poll as its proposal's page shows it.
#[derive(Debug)]
pub(crate) struct PollSection {
    pub(crate) intro: String,
    pub(crate) voted: String,
    /// Whose ballots weigh more than one, when some do.
    pub(crate) weights: Option<String>,
    /// A poll over the issues: its result becomes the inventory's order.
    pub(crate) ranks_issues: bool,
    /// What the poll decides beyond its result, in a sentence: the role an election fills,
    /// the pool a budget over requests allocates from.
    pub(crate) decides: Option<String>,
    pub(crate) rows: Vec<PollRow>,
    /// The result drawn (when ballots were cast).
    pub(crate) chart: Option<Chart>,
    /// The result's figures.
    pub(crate) tables: Vec<ResultTable>,
    /// What each round did and how each tie was broken, in words.
    pub(crate) notes: Vec<String>,
    /// This organization's ballot, when it may cast one.
    pub(crate) form: Option<BallotForm>,
    /// Why it may not, when it may not.
    pub(crate) no_ballot: Option<String>,
}

/// An option of a poll, with where it stands.
#[derive(Debug)]
pub(crate) struct PollRow {
    pub(crate) number: usize,
    pub(crate) text: String,
    pub(crate) standing: String,
    /// In a poll over issues, the issue the option stands for (its id).
    pub(crate) issue: Option<String>,
}

/// A table of a poll's result: its first column names the option (or the round's figure).
#[derive(Debug)]
pub(crate) struct ResultTable {
    pub(crate) id: String,
    pub(crate) caption: String,
    /// Column headings; the first heads the row headings.
    pub(crate) head: Vec<String>,
    pub(crate) rows: Vec<(String, Vec<String>)>,
}

/// The ballot form.
#[derive(Debug)]
pub(crate) struct BallotForm {
    /// `choose` (checkboxes), `number` (a whole number each), `amount` (an amount each),
    /// `select` (a menu each: ranks or answers).
    pub(crate) kind: &'static str,
    pub(crate) legend: String,
    pub(crate) help: String,
    pub(crate) error: Option<String>,
    pub(crate) rows: Vec<BallotRow>,
    /// The highest number a `number` field takes.
    pub(crate) max: u32,
    /// Whether this organization has cast a ballot already (the button says "change").
    pub(crate) cast: bool,
}

/// One option on the ballot form.
#[derive(Debug)]
pub(crate) struct BallotRow {
    /// Its number, from 1 (fields are named `o1`, `o2`…; checkboxes `choose`).
    pub(crate) n: usize,
    pub(crate) text: String,
    /// Its value in the field (numbers, amounts).
    pub(crate) value: String,
    /// Whether it is ticked (checkboxes).
    pub(crate) checked: bool,
    /// The menu's choices (ranks, answers).
    pub(crate) choices: Vec<super::Choice>,
    pub(crate) error: Option<String>,
}

/// The ballot form as sent and what was wrong with it.
#[derive(Debug, Default)]
pub(crate) struct Sent {
    /// The fields sent, by name (`choose` holds the options ticked, from 1, joined by `,`).
    pub(crate) fields: BTreeMap<String, String>,
    pub(crate) error: Option<String>,
    /// What was wrong with each option's field, by its number from 1.
    pub(crate) errors: BTreeMap<usize, String>,
}

/// The method in words (`ranked choice: one winner by instant runoff`).
fn method_words(c: &Chrome, method: PollMethod) -> String {
    let count = |n: u32| Arg::Count(n as usize);
    match method {
        PollMethod::Choose { min: 1, max: 1 } => c.t("poll-method-choose-one"),
        PollMethod::Choose { min, max } => c.tw(
            "poll-method-choose",
            &[("min", count(min)), ("max", count(max))],
        ),
        PollMethod::Score { max } => c.tw("poll-method-score", &[("max", count(max))]),
        PollMethod::Dots { dots } => c.tw("poll-method-dots", &[("dots", count(dots))]),
        PollMethod::Ranked => c.t("poll-method-ranked"),
        PollMethod::Condorcet => c.t("poll-method-condorcet"),
        PollMethod::Stv { seats, variant } => c.tw(
            match variant {
                model::poll::stv::Variant::Meek => "poll-method-stv-meek",
                model::poll::stv::Variant::Scottish => "poll-method-stv-scottish",
            },
            &[("seats", count(seats))],
        ),
        PollMethod::Time => c.t("poll-method-time"),
        PollMethod::Budget { share } => c.tw(
            "poll-method-budget",
            &[("share", Arg::Own(amount(c, u128::from(share))))],
        ),
    }
}

/// Hundredths as this page's language writes an amount.
fn amount(c: &Chrome, hundredths: u128) -> String {
    number(c.l, &decimal(hundredths, 2))
}

/// A whole figure as this page's language writes it.
fn figure(c: &Chrome, n: u128) -> String {
    number(c.l, &n.to_string())
}

/// `n / d` to two decimal places, rounded half up, as the page's language writes it (for
/// reading; the count is exact).
fn mean(c: &Chrome, n: u128, d: u128) -> String {
    if d == 0 {
        return "–".to_owned();
    }
    let hundredths = n.saturating_mul(200).saturating_add(d) / (2 * d);
    amount(c, hundredths)
}

/// `note`, followed by how a tie was broken when there was one.
fn with_tie(mut note: String, c: &Chrome, tie: Option<TieBreak>) -> String {
    let words = match tie {
        None => return note,
        Some(TieBreak::EarlierRound { round }) => {
            c.tw("poll-tie-earlier", &[("round", Arg::Count(round))])
        }
        Some(TieBreak::ListedLast) => c.t("poll-tie-listed-last"),
    };
    note.push(' ');
    note += &words;
    note
}

/// The poll of `v`'s proposal, if it is one: where each option stands, the result, and the
/// ballot form (`me`: this organization, if it is a member; `sent`: the form as sent, when
/// it was refused).
pub(crate) fn section(
    c: &Chrome,
    v: &ProposalView,
    names: &BTreeMap<MemberId, String>,
    me: Option<&MemberId>,
    sent: Option<&Sent>,
) -> Option<PollSection> {
    let p = &v.proposal;
    let poll = p.poll.as_ref()?;
    let opt = |o: usize| poll.options.get(o).cloned().unwrap_or_default();
    let result = v.result.as_ref().filter(|_| !p.ballots.is_empty());
    let drawn = match result {
        Some(result) => draw(c, result, &opt, names, poll.options.len()),
        None => Drawing {
            standing: vec![c.t("poll-none-yet"); poll.options.len()],
            ..Drawing::default()
        },
    };
    let no_ballot = if v.outcome != Outcome::Open {
        Some(c.t("vote-decided"))
    } else if !me.is_some_and(|m| p.electorate.contains(m)) {
        Some(c.t("vote-not-member"))
    } else {
        None
    };
    let mine = me.and_then(|m| p.ballots.get(m)).map(|b| &b.ballot);
    let weight = me.map_or(1, |m| p.weight_of(m));
    let form = no_ballot
        .is_none()
        .then(|| ballot_form(c, poll, weight, mine, sent));
    let count = |n: u64| Arg::Count(usize::try_from(n).unwrap_or(usize::MAX));
    let voted = c.tw(
        "poll-voted",
        &[
            ("voted", count(v.tally.agree)),
            ("electorate", count(v.tally.electorate)),
        ],
    );
    let chart = drawn.bars.filter(|b| !b.1.is_empty()).map(|(title, bars)| {
        let mut chart = Chart::new(
            "poll-chart".to_owned(),
            title,
            voted.clone(),
            c.t("poll-chart-table"),
            bars,
        );
        // Every result's first table holds the figures drawn.
        chart.table = "poll-figures".to_owned();
        chart
    });
    Some(PollSection {
        intro: c.tw(
            "poll-intro",
            &[("method", Arg::Own(method_words(c, poll.method)))],
        ),
        voted,
        ranks_issues: !poll.issues.is_empty(),
        decides: match (poll.role, &poll.pool) {
            (Some(role), _) => Some(c.t(&format!("poll-elects-{role}"))),
            (None, Some(_)) => Some(c.t("poll-funds-requests")),
            (None, None) => None,
        },
        weights: (!p.weights.is_empty()).then(|| {
            let each: Vec<String> = p
                .weights
                .iter()
                .map(|(m, w)| {
                    c.tw(
                        "poll-weight",
                        &[
                            ("name", Arg::Text(name_of(names, m))),
                            ("weight", Arg::Count(*w as usize)),
                        ],
                    )
                })
                .collect();
            c.tw("poll-weights", &[("list", Arg::Own(super::joined(&each)))])
        }),
        rows: poll
            .options
            .iter()
            .zip(drawn.standing)
            .enumerate()
            .map(|(i, (text, standing))| PollRow {
                number: i + 1,
                text: text.clone(),
                standing,
                issue: poll.issues.get(i).map(ToString::to_string),
            })
            .collect(),
        chart,
        tables: drawn.tables,
        notes: drawn.notes,
        form,
        no_ballot,
    })
}

/// A result as the page draws it.
#[derive(Default)]
struct Drawing {
    standing: Vec<String>,
    /// The chart's title and bars.
    bars: Option<(String, Vec<Drawn>)>,
    tables: Vec<ResultTable>,
    notes: Vec<String>,
}

/// Bars of `values` (one per option, `None` for options not drawn), each as long as its
/// share of the largest; the options `leading` are filled apart.
fn bars(
    opt: &dyn Fn(usize) -> String,
    values: &[Option<u128>],
    words: &dyn Fn(u128) -> String,
    leading: &BTreeSet<usize>,
) -> Vec<Drawn> {
    let most = values.iter().flatten().copied().max().unwrap_or(0);
    values
        .iter()
        .enumerate()
        .filter_map(|(o, v)| {
            let v = (*v)?;
            // For drawing only: the figures beside each bar are exact.
            let share = if most == 0 {
                0.0
            } else {
                v as f64 / most as f64
            };
            let fill = if leading.contains(&o) { LEADING } else { OTHER };
            Some((opt(o), words(v), share, fill))
        })
        .collect()
}

/// Where each option stands in `order` ("Place 2", "Place 1 (tied)").
fn placed(c: &Chrome, order: &Order, options: usize) -> Vec<String> {
    let mut standing = vec!["–".to_owned(); options];
    for (i, group) in order.iter().enumerate() {
        let id = if group.len() > 1 {
            "poll-tied"
        } else {
            "poll-place"
        };
        for o in group {
            if let Some(s) = standing.get_mut(*o) {
                *s = c.tw(id, &[("place", Arg::Count(i + 1))]);
            }
        }
    }
    standing
}

/// Where each option stands when `chosen` are the ones it took (elected, funded): `yes`
/// for those, `no` for the others.
fn marked(c: &Chrome, options: usize, chosen: &[usize], yes: &str, no: &str) -> Vec<String> {
    (0..options)
        .map(|o| c.t(if chosen.contains(&o) { yes } else { no }))
        .collect()
}

/// The options in first place.
fn first(order: &Order) -> BTreeSet<usize> {
    order.first().into_iter().flatten().copied().collect()
}

/// A table with a row per option.
fn per_option(
    id: &str,
    caption: String,
    head: Vec<String>,
    opt: &dyn Fn(usize) -> String,
    options: usize,
    cells: &dyn Fn(usize) -> Vec<String>,
) -> ResultTable {
    ResultTable {
        id: id.to_owned(),
        caption,
        head,
        rows: (0..options).map(|o| (opt(o), cells(o))).collect(),
    }
}

/// A matrix of `m[row][column]`, the diagonal left blank.
fn matrix(
    c: &Chrome,
    id: &str,
    caption: String,
    opt: &dyn Fn(usize) -> String,
    m: &[Vec<u128>],
) -> ResultTable {
    let mut head = vec![c.t("poll-col-option")];
    head.extend((0..m.len()).map(opt));
    per_option(id, caption, head, opt, m.len(), &|i| {
        (0..m.len())
            .map(|j| {
                if i == j {
                    "–".to_owned()
                } else {
                    m.get(i)
                        .and_then(|r| r.get(j))
                        .map_or_else(String::new, |v| figure(c, *v))
                }
            })
            .collect()
    })
}

/// Rounds as a table: a column per round, a row per option (blank once it is out), and a
/// last row for the ballots with no choice left.
fn rounds_table(
    c: &Chrome,
    id: &str,
    caption: String,
    opt: &dyn Fn(usize) -> String,
    options: usize,
    rounds: &[(&[Option<u128>], u128)],
    words: &dyn Fn(u128) -> String,
) -> ResultTable {
    let mut head = vec![c.t("poll-col-option")];
    head.extend((1..=rounds.len()).map(|r| c.tw("poll-col-round", &[("round", Arg::Count(r))])));
    let mut table = per_option(id, caption, head, opt, options, &|o| {
        rounds
            .iter()
            .map(|(votes, _)| {
                votes
                    .get(o)
                    .copied()
                    .flatten()
                    .map_or_else(|| "–".to_owned(), words)
            })
            .collect()
    });
    table.rows.push((
        c.t("poll-row-exhausted"),
        rounds.iter().map(|(_, e)| words(*e)).collect(),
    ));
    table
}

/// Draws `result`: where each option stands, a chart, tables and notes.
fn draw(
    c: &Chrome,
    result: &PollResult,
    opt: &dyn Fn(usize) -> String,
    names: &BTreeMap<MemberId, String>,
    options: usize,
) -> Drawing {
    let whole = |n: u128| figure(c, n);
    let all = |v: &[u128]| v.iter().map(|x| Some(*x)).collect::<Vec<_>>();
    match result {
        PollResult::Choose(t) | PollResult::Dots(t) => {
            let dots = matches!(result, PollResult::Dots(_));
            let col = c.t(if dots {
                "poll-col-dots"
            } else {
                "poll-col-chosen"
            });
            Drawing {
                standing: placed(c, &t.order, options),
                bars: Some((
                    c.t(if dots {
                        "poll-chart-dots"
                    } else {
                        "poll-chart-chosen"
                    }),
                    bars(opt, &all(&t.totals), &whole, &first(&t.order)),
                )),
                tables: vec![per_option(
                    "poll-figures",
                    c.t("poll-figures-caption"),
                    vec![c.t("poll-col-option"), col],
                    opt,
                    options,
                    &|o| vec![whole(t.totals.get(o).copied().unwrap_or(0))],
                )],
                notes: Vec::new(),
            }
        }
        PollResult::Score(t) => Drawing {
            standing: placed(c, &t.order, options),
            bars: Some((
                c.t("poll-chart-score"),
                bars(opt, &all(&t.totals), &whole, &first(&t.order)),
            )),
            tables: vec![per_option(
                "poll-figures",
                c.t("poll-figures-caption"),
                vec![
                    c.t("poll-col-option"),
                    c.t("poll-col-total"),
                    c.t("poll-col-mean"),
                ],
                opt,
                options,
                &|o| {
                    let total = t.totals.get(o).copied().unwrap_or(0);
                    vec![whole(total), mean(c, total, t.ballots)]
                },
            )],
            notes: Vec::new(),
        },
        PollResult::Time(t) => Drawing {
            standing: placed(c, &t.order, options),
            bars: Some((
                c.t("poll-chart-time"),
                bars(
                    opt,
                    &t.times.iter().map(|f| Some(f.yes)).collect::<Vec<_>>(),
                    &whole,
                    &first(&t.order),
                ),
            )),
            tables: vec![per_option(
                "poll-figures",
                c.t("poll-figures-caption"),
                vec![
                    c.t("poll-col-time"),
                    c.t("plans-col-yes"),
                    c.t("plans-col-if-needed"),
                    c.t("poll-col-no"),
                    c.t("plans-col-left-out"),
                ],
                opt,
                options,
                &|o| {
                    let Some(f) = t.times.get(o) else {
                        return Vec::new();
                    };
                    let out: Vec<String> = f
                        .left_out
                        .iter()
                        .map(|m| {
                            m.parse::<MemberId>()
                                .map_or_else(|_| m.clone(), |id| name_of(names, &id))
                        })
                        .collect();
                    vec![
                        whole(f.yes),
                        whole(f.if_needed),
                        whole(f.no),
                        if out.is_empty() {
                            c.t("plans-nobody")
                        } else {
                            super::joined(&out)
                        },
                    ]
                },
            )],
            notes: Vec::new(),
        },
        PollResult::Budget(b) => {
            let given: Vec<Option<u128>> = b.requests.iter().map(|r| Some(r.given)).collect();
            Drawing {
                standing: marked(c, options, &b.funded, "poll-funded", "poll-not-funded"),
                bars: Some((
                    c.t("poll-chart-budget"),
                    bars(
                        opt,
                        &given,
                        &|h| amount(c, h),
                        &b.funded.iter().copied().collect(),
                    ),
                )),
                tables: vec![per_option(
                    "poll-figures",
                    c.t("poll-figures-caption"),
                    vec![
                        c.t("poll-col-request"),
                        c.t("poll-col-ask"),
                        c.t("poll-col-given"),
                    ],
                    opt,
                    options,
                    &|o| {
                        let r = b.requests.get(o);
                        vec![
                            r.and_then(|r| r.ask)
                                .map_or_else(|| "–".to_owned(), |a| amount(c, a)),
                            r.map_or_else(String::new, |r| amount(c, r.given)),
                        ]
                    },
                )],
                notes: vec![c.tw(
                    "poll-budget-spent",
                    &[
                        ("given", Arg::Own(amount(c, b.given))),
                        ("spent", Arg::Own(amount(c, b.spent))),
                    ],
                )],
            }
        }
        PollResult::Ranked(r) => {
            let rounds: Vec<(&[Option<u128>], u128)> = r
                .irv
                .rounds
                .iter()
                .map(|x| (x.votes.as_slice(), x.exhausted))
                .collect();
            let mut notes: Vec<String> = r
                .irv
                .rounds
                .iter()
                .enumerate()
                .filter_map(|(i, x)| {
                    let round = Arg::Count(i + 1);
                    if let Some(o) = x.elected {
                        Some(c.tw(
                            "poll-note-wins",
                            &[("round", round), ("option", Arg::Text(opt(o)))],
                        ))
                    } else {
                        x.excluded.map(|o| {
                            with_tie(
                                c.tw(
                                    "poll-note-out",
                                    &[("round", round), ("option", Arg::Text(opt(o)))],
                                ),
                                c,
                                x.tie,
                            )
                        })
                    }
                })
                .collect();
            notes.push(c.t("poll-note-borda"));
            let last = r
                .irv
                .rounds
                .last()
                .map(|x| x.votes.clone())
                .unwrap_or_default();
            let winner: BTreeSet<usize> = r.irv.winner.into_iter().collect();
            Drawing {
                standing: (0..options)
                    .map(|o| {
                        if r.irv.winner == Some(o) {
                            c.t("poll-winner")
                        } else {
                            "–".to_owned()
                        }
                    })
                    .collect(),
                bars: Some((
                    c.t("poll-chart-last-round"),
                    bars(opt, &last, &whole, &winner),
                )),
                tables: vec![
                    rounds_table(
                        c,
                        "poll-figures",
                        c.t("poll-rounds-caption"),
                        opt,
                        options,
                        &rounds,
                        &whole,
                    ),
                    per_option(
                        "poll-borda",
                        c.t("poll-borda-caption"),
                        vec![c.t("poll-col-option"), c.t("poll-col-points")],
                        opt,
                        options,
                        &|o| vec![whole(r.borda.get(o).copied().unwrap_or(0))],
                    ),
                    matrix(
                        c,
                        "poll-pairwise",
                        c.t("poll-pairwise-caption"),
                        opt,
                        &r.pairwise,
                    ),
                ],
                notes,
            }
        }
        PollResult::Condorcet(s) => {
            let beats: Vec<Option<u128>> = (0..options)
                .map(|o| {
                    let n = (0..options)
                        .filter(|b| {
                            *b != o
                                && s.strongest.get(o).and_then(|r| r.get(*b))
                                    > s.strongest.get(*b).and_then(|r| r.get(o))
                        })
                        .count();
                    Some(n as u128)
                })
                .collect();
            Drawing {
                standing: placed(c, &s.order, options),
                bars: Some((
                    c.t("poll-chart-beats"),
                    bars(opt, &beats, &whole, &first(&s.order)),
                )),
                tables: vec![
                    per_option(
                        "poll-figures",
                        c.t("poll-beats-caption"),
                        vec![c.t("poll-col-option"), c.t("poll-col-beats")],
                        opt,
                        options,
                        &|o| vec![whole(beats.get(o).copied().flatten().unwrap_or(0))],
                    ),
                    matrix(
                        c,
                        "poll-pairwise",
                        c.t("poll-pairwise-caption"),
                        opt,
                        &s.pairwise,
                    ),
                    matrix(
                        c,
                        "poll-strongest",
                        c.t("poll-strongest-caption"),
                        opt,
                        &s.strongest,
                    ),
                ],
                notes: vec![match s.winner() {
                    Some(w) => c.tw("poll-note-schulze", &[("option", Arg::Text(opt(w)))]),
                    None => c.t("poll-note-schulze-tied"),
                }],
            }
        }
        PollResult::Stv(t) => {
            let votes = |v: u128| number(c.l, &decimal(v, t.places));
            let rounds: Vec<(&[Option<u128>], u128)> = t
                .rounds
                .iter()
                .map(|x| (x.votes.as_slice(), x.exhausted))
                .collect();
            let mut table = rounds_table(
                c,
                "poll-figures",
                c.t("poll-stages-caption"),
                opt,
                options,
                &rounds,
                &votes,
            );
            table.rows.insert(
                0,
                (
                    c.t("poll-row-quota"),
                    t.rounds.iter().map(|x| votes(x.quota)).collect(),
                ),
            );
            let notes = t
                .rounds
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let round = Arg::Count(i + 1);
                    let mut s = match &x.action {
                        Action::FirstPreferences => c.tw("poll-stage-first", &[("round", round)]),
                        Action::Surplus { of } => c.tw(
                            "poll-stage-surplus",
                            &[("round", round), ("option", Arg::Text(opt(*of)))],
                        ),
                        Action::Iterated { iterations } => c.tw(
                            "poll-stage-iterated",
                            &[("round", round), ("iterations", Arg::Count(*iterations))],
                        ),
                        Action::Exclude { of } => with_tie(
                            c.tw(
                                "poll-stage-excluded",
                                &[("round", round), ("option", Arg::Text(opt(*of)))],
                            ),
                            c,
                            x.tie,
                        ),
                        Action::LastVacancies => c.tw("poll-stage-last", &[("round", round)]),
                    };
                    if !x.elected.is_empty() {
                        let who: Vec<String> = x.elected.iter().map(|o| opt(*o)).collect();
                        s.push(' ');
                        s += &c.tw(
                            "poll-stage-elected",
                            &[("names", Arg::Text(super::joined(&who)))],
                        );
                    }
                    s
                })
                .collect();
            let first_round = t
                .rounds
                .first()
                .map(|x| x.votes.clone())
                .unwrap_or_default();
            Drawing {
                standing: marked(c, options, &t.elected, "poll-elected", "poll-not-elected"),
                bars: Some((
                    c.t("poll-chart-first-preferences"),
                    bars(
                        opt,
                        &first_round,
                        &votes,
                        &t.elected.iter().copied().collect(),
                    ),
                )),
                tables: vec![table],
                notes,
            }
        }
    }
}

/// The ballot form for `poll`, holding what was sent (when refused) or this organization's
/// ballot (`mine`).
fn ballot_form(
    c: &Chrome,
    poll: &PollSpec,
    weight: u64,
    mine: Option<&Ballot>,
    sent: Option<&Sent>,
) -> BallotForm {
    let n = poll.options.len();
    // What each option's field holds, by its number from 1.
    let field = |o: usize| -> Option<String> {
        if let Some(s) = sent {
            return s.fields.get(&format!("o{}", o + 1)).cloned();
        }
        match mine? {
            Ballot::Score(m) | Ballot::Dots(m) => m.get(&o).map(|v| v.to_string()),
            Ballot::Budget(m) => m.get(&o).map(|v| decimal(u128::from(*v), 2)),
            Ballot::Rank(r) => r.iter().position(|x| *x == o).map(|p| (p + 1).to_string()),
            Ballot::Times(a) => a.get(o).map(|a| a.as_str().to_owned()),
            Ballot::Choose(_) => None,
        }
    };
    let ticked: BTreeSet<usize> = match (sent, mine) {
        (Some(s), _) => s
            .fields
            .get("choose")
            .map(|v| {
                v.split(',')
                    .filter_map(|x| x.parse::<usize>().ok())
                    .map(|x| x.saturating_sub(1))
                    .collect()
            })
            .unwrap_or_default(),
        (None, Some(Ballot::Choose(picked))) => picked.clone(),
        _ => BTreeSet::new(),
    };
    let (kind, legend, help, max) = match poll.method {
        PollMethod::Choose { min, max } => (
            "choose",
            c.t("ballot-choose"),
            if min == max {
                c.tw(
                    "ballot-choose-help-exactly",
                    &[("n", Arg::Count(max as usize))],
                )
            } else {
                c.tw(
                    "ballot-choose-help",
                    &[
                        ("min", Arg::Count(min as usize)),
                        ("max", Arg::Count(max as usize)),
                    ],
                )
            },
            0,
        ),
        PollMethod::Score { max } => (
            "number",
            c.t("ballot-score"),
            c.tw("ballot-score-help", &[("max", Arg::Count(max as usize))]),
            max,
        ),
        PollMethod::Dots { dots } => (
            "number",
            c.t("ballot-dots"),
            c.tw("ballot-dots-help", &[("dots", Arg::Count(dots as usize))]),
            dots,
        ),
        PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. } => (
            "select",
            c.t("ballot-rank"),
            c.t(if poll.method == PollMethod::Ranked {
                "ballot-rank-help-two"
            } else {
                "ballot-rank-help"
            }),
            0,
        ),
        PollMethod::Time => ("select", c.t("ballot-time"), c.t("ballot-time-help"), 0),
        PollMethod::Budget { share } => (
            "amount",
            c.t("ballot-budget"),
            c.tw(
                "ballot-budget-help",
                &[(
                    "share",
                    Arg::Own(amount(c, u128::from(share) * u128::from(weight))),
                )],
            ),
            0,
        ),
    };
    // Every menu's choices, as value and label, put in words once for all the options' menus.
    let menu: Vec<(String, String)> = match poll.method {
        PollMethod::Time => Answer::ALL
            .iter()
            .map(|a| (a.as_str().to_owned(), c.t(&format!("plans-{}", a.as_str()))))
            .collect(),
        PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. } => {
            std::iter::once((String::new(), c.t("ballot-not-ranked")))
                .chain((1..=n).map(|place| {
                    (
                        place.to_string(),
                        c.tw("ballot-preference", &[("place", Arg::Count(place))]),
                    )
                }))
                .collect()
        }
        _ => Vec::new(),
    };
    let choices = |value: &str| -> Vec<super::Choice> {
        menu.iter()
            .map(|(v, label)| super::Choice {
                value: v.clone(),
                label: label.clone(),
                selected: v == value,
            })
            .collect()
    };
    let rows = (0..n)
        .map(|o| {
            let value = field(o).unwrap_or_else(|| {
                // A time not answered yet is a no until said otherwise.
                if poll.method == PollMethod::Time {
                    Answer::No.as_str().to_owned()
                } else {
                    String::new()
                }
            });
            BallotRow {
                n: o + 1,
                text: poll.options.get(o).cloned().unwrap_or_default(),
                choices: choices(&value),
                checked: ticked.contains(&o),
                value,
                error: sent.and_then(|s| s.errors.get(&(o + 1)).cloned()),
            }
        })
        .collect();
    BallotForm {
        kind,
        legend,
        help,
        error: sent.and_then(|s| s.error.clone()),
        rows,
        max,
        cast: mine.is_some(),
    }
}

/// What is wrong with a ballot, in the page's language.
fn ballot_error(c: &Chrome, poll: &PollSpec, e: &BallotError) -> String {
    let count = |n: usize| Arg::Count(n);
    match e {
        BallotError::Picked { min, max, picked } => c.tw(
            "ballot-error-picked",
            &[
                ("min", count(*min as usize)),
                ("max", count(*max as usize)),
                ("picked", count(*picked)),
            ],
        ),
        BallotError::Dots { dots, spread } => c.tw(
            "ballot-error-dots",
            &[
                ("dots", count(*dots as usize)),
                (
                    "spread",
                    count(usize::try_from(*spread).unwrap_or(usize::MAX)),
                ),
            ],
        ),
        BallotError::Score { max, .. } => {
            c.tw("ballot-error-score", &[("max", count(*max as usize))])
        }
        BallotError::TooShort { least, .. } => {
            c.tw("ballot-error-too-short", &[("least", count(*least))])
        }
        BallotError::Budget { share, given } => c.tw(
            "ballot-error-budget",
            &[
                ("share", Arg::Own(amount(c, *share))),
                ("given", Arg::Own(amount(c, *given))),
            ],
        ),
        // Only a form not sent from this page names an option the poll lacks, ranks one
        // twice, answers too few times or gives another kind of ballot.
        BallotError::NoSuchOption(_)
        | BallotError::RankedTwice(_)
        | BallotError::Answers { .. }
        | BallotError::WrongKind { .. } => c.tw(
            "ballot-error-other",
            &[("method", Arg::Own(method_words(c, poll.method)))],
        ),
    }
}

/// Reads the ballot form as sent by a member of weight `weight`: the ballot, or what was
/// wrong with it.
fn read_ballot(c: &Chrome, poll: &PollSpec, weight: u64, sent: &mut Sent) -> Option<Ballot> {
    let n = poll.options.len();
    let value = |o: usize| {
        sent.fields
            .get(&format!("o{}", o + 1))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut errors = BTreeMap::new();
    let ballot = match poll.method {
        PollMethod::Choose { .. } => {
            let mut picked = BTreeSet::new();
            for x in sent
                .fields
                .get("choose")
                .into_iter()
                .flat_map(|v| v.split(','))
            {
                match x.parse::<usize>() {
                    Ok(k) if (1..=n).contains(&k) => {
                        picked.insert(k - 1);
                    }
                    _ => {
                        sent.error = Some(c.t("error-choice"));
                        return None;
                    }
                }
            }
            Ballot::Choose(picked)
        }
        PollMethod::Score { max } | PollMethod::Dots { dots: max } => {
            let mut given = BTreeMap::new();
            for o in 0..n {
                let v = value(o);
                if v.is_empty() {
                    continue;
                }
                match v.parse::<u32>() {
                    Ok(x) if x <= max => {
                        if x > 0 {
                            given.insert(o, x);
                        }
                    }
                    _ => {
                        errors.insert(
                            o + 1,
                            c.tw("ballot-error-number", &[("max", Arg::Count(max as usize))]),
                        );
                    }
                }
            }
            if matches!(poll.method, PollMethod::Score { .. }) {
                Ballot::Score(given)
            } else {
                Ballot::Dots(given)
            }
        }
        PollMethod::Ranked | PollMethod::Condorcet | PollMethod::Stv { .. } => {
            let mut by_place: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for o in 0..n {
                let v = value(o);
                if v.is_empty() {
                    continue;
                }
                match v.parse::<usize>() {
                    Ok(place) if (1..=n).contains(&place) => {
                        by_place.entry(place).or_default().push(o);
                    }
                    _ => {
                        errors.insert(o + 1, c.t("error-choice"));
                    }
                }
            }
            for (place, options) in &by_place {
                if options.len() > 1 {
                    for o in options {
                        errors.insert(
                            o + 1,
                            c.tw("ballot-error-same-place", &[("place", Arg::Count(*place))]),
                        );
                    }
                }
            }
            // Places need not follow on: 1, 2, 4 ranks three options in that order.
            Ballot::Rank(by_place.into_values().flatten().collect())
        }
        PollMethod::Time => Ballot::Times(
            (0..n)
                .map(|o| {
                    let v = value(o);
                    if v.is_empty() {
                        return Answer::No;
                    }
                    v.parse::<Answer>().unwrap_or_else(|_| {
                        errors.insert(o + 1, c.t("error-choice"));
                        Answer::No
                    })
                })
                .collect(),
        ),
        PollMethod::Budget { .. } => {
            let mut given = BTreeMap::new();
            for o in 0..n {
                let v = value(o);
                if v.is_empty() {
                    continue;
                }
                let parsed = super::pools::amount_typed(&v)
                    .and_then(|a| a.parse::<model::Amount>().ok())
                    .and_then(|a| u64::try_from(a.hundredths()).ok());
                match parsed {
                    Some(0) => {}
                    Some(h) => {
                        given.insert(o, h);
                    }
                    None => {
                        errors.insert(o + 1, c.t("ballot-error-amount"));
                    }
                }
            }
            Ballot::Budget(given)
        }
    };
    if !errors.is_empty() {
        sent.errors = errors;
        sent.error = Some(c.t("error-form"));
        return None;
    }
    if let Err(e) = model::poll::check(poll.method, n, weight, &ballot) {
        sent.error = Some(ballot_error(c, poll, &e));
        return None;
    }
    Some(ballot)
}

/// The ballot as the node's request takes it (options by number, from 1).
fn request_of(ballot: &Ballot) -> BallotRequest {
    let numbered = |o: &usize| (o + 1).to_string();
    /// `OPTION=VALUE` for each option given a value (options from 1).
    fn pairs<V>(m: &BTreeMap<usize, V>, value: impl Fn(&V) -> String) -> Vec<String> {
        m.iter()
            .map(|(o, v)| format!("{}={}", o + 1, value(v)))
            .collect()
    }
    let mut req = BallotRequest::default();
    match ballot {
        Ballot::Choose(picked) => req.choose = picked.iter().map(numbered).collect(),
        Ballot::Rank(r) => req.rank = r.iter().map(numbered).collect(),
        Ballot::Score(m) => req.score = pairs(m, u32::to_string),
        Ballot::Dots(m) => req.dots = pairs(m, u32::to_string),
        Ballot::Times(a) => {
            req.slots = a
                .iter()
                .enumerate()
                .map(|(o, a)| format!("{}={}", o + 1, a.as_str()))
                .collect();
        }
        Ballot::Budget(m) => req.give = pairs(m, |v| decimal(u128::from(*v), 2)),
    }
    req
}

/// Most fields a ballot form sends (100 options and a token): more is no form of this page.
const MOST_FIELDS: usize = 256;

/// Casts (or changes) this organization's ballot, then shows the poll; or the page again
/// with what was wrong next to its field.
pub(crate) async fn cast(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, proposal)): Path<(String, String)>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if let Some(r) = visit.refuse_post(csrf) {
        return r;
    }
    let c = visit.chrome("proposals");
    let mut sent = Sent::default();
    if form.len() > MOST_FIELDS {
        sent.error = Some(c.t("error-form"));
    }
    for (k, v) in form.into_iter().take(MOST_FIELDS) {
        if k == "choose" {
            let all = sent.fields.entry(k).or_default();
            if !all.is_empty() {
                all.push(',');
            }
            all.push_str(&v);
        } else if k != "csrf" {
            sent.fields.insert(k, v);
        }
    }
    let shown = match web
        .ask(Request::ProposalShow {
            coalition: coalition.clone(),
            proposal: proposal.clone(),
        })
        .await
    {
        Ok(Reply::Proposal(d)) => d.proposal.proposal,
        Ok(_) => return super::node_error(&visit, &unexpected()),
        Err(e) => return super::node_error(&visit, &e),
    };
    let Some(poll) = &shown.poll else {
        return super::not_found(&visit);
    };
    // This organization's weight in the poll (its budget share grows with it).
    let weight = match super::coalition(&web, &coalition).await {
        Ok(s) => s.me.as_ref().map_or(1, |m| shown.weight_of(m)),
        Err(e) => return super::node_error(&visit, &e),
    };
    let ballot = if sent.error.is_none() {
        read_ballot(&c, poll, weight, &mut sent)
    } else {
        None
    };
    let Some(ballot) = ballot else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return super::proposals::poll_refused(&web, &visit, &coalition, &proposal, &sent, status)
            .await;
    };
    let req = Request::ProposalBallot {
        coalition: coalition.clone(),
        proposal: proposal.clone(),
        body: request_of(&ballot),
    };
    match web.ask(req).await {
        Ok(Reply::BallotCast(cast)) => see_other(
            &format!("/c/{coalition}/proposals/{}?done=ballot-cast#poll", cast.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            sent.error = Some(super::refusal(visit.lang, &e));
            sent.errors.clear();
            let status = super::status_of(&e);
            super::proposals::poll_refused(&web, &visit, &coalition, &proposal, &sent, status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, options: usize) -> PollSpec {
        PollSpec {
            method: method.parse().unwrap(),
            options: (1..=options).map(|i| format!("Option {i}")).collect(),
            asks: Vec::new(),
            issues: Vec::new(),
            pool: None,
            requests: Vec::new(),
            role: None,
            candidates: Vec::new(),
        }
    }

    fn chrome() -> Chrome {
        let l = crate::i18n::Lang::En;
        Chrome {
            l,
            lang: l.tag(),
            signed_in: true,
            can_edit: true,
            person: None,
            csrf: String::new(),
            back: String::new(),
            here: "proposals",
            notice: None,
            coalition: None,
        }
    }

    fn sent(fields: &[(&str, &str)]) -> Sent {
        Sent {
            fields: fields
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..Sent::default()
        }
    }

    #[test]
    fn a_ranking_reads_its_places_in_order_with_gaps_allowed() {
        let c = chrome();
        let mut s = sent(&[("o1", "3"), ("o2", ""), ("o3", "1"), ("o4", "5")]);
        let b = read_ballot(&c, &spec("ranked", 5), 1, &mut s).unwrap();
        assert_eq!(b, Ballot::Rank(vec![2, 0, 3]));
        assert_eq!(request_of(&b).rank, vec!["3", "1", "4"]);
    }

    #[test]
    fn two_options_in_one_place_are_both_marked() {
        let c = chrome();
        let mut s = sent(&[("o1", "1"), ("o2", "1"), ("o3", "2")]);
        assert!(read_ballot(&c, &spec("condorcet", 3), 1, &mut s).is_none());
        assert_eq!(s.errors.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        assert!(s.errors[&1].contains("preference 1"), "{:?}", s.errors);
    }

    #[test]
    fn a_runoff_ballot_ranks_two_at_least() {
        let c = chrome();
        let mut s = sent(&[("o1", "1")]);
        assert!(read_ballot(&c, &spec("ranked", 3), 1, &mut s).is_none());
        assert!(s.error.as_deref().unwrap().contains("2"), "{:?}", s.error);
        let mut s = sent(&[("o1", "1")]);
        assert!(read_ballot(&c, &spec("stv:1", 3), 1, &mut s).is_some());
    }

    #[test]
    fn scores_and_dots_are_bounded_where_typed() {
        let c = chrome();
        let mut s = sent(&[("o1", "6"), ("o2", "x"), ("o3", "2")]);
        assert!(read_ballot(&c, &spec("score", 3), 1, &mut s).is_none());
        assert_eq!(s.errors.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
        let mut s = sent(&[("o1", "5"), ("o2", "4")]);
        assert!(read_ballot(&c, &spec("dots:8", 3), 1, &mut s).is_none());
        assert!(s.error.as_deref().unwrap().contains('8'), "{:?}", s.error);
        let mut s = sent(&[("o1", "5"), ("o2", "0"), ("o3", "3")]);
        let b = read_ballot(&c, &spec("dots:8", 3), 1, &mut s).unwrap();
        assert_eq!(request_of(&b).dots, vec!["1=5", "3=3"]);
    }

    #[test]
    fn choices_times_and_gifts_read_as_the_node_takes_them() {
        let c = chrome();
        let mut s = sent(&[("choose", "1,3")]);
        let b = read_ballot(&c, &spec("choose:1-2", 3), 1, &mut s).unwrap();
        assert_eq!(request_of(&b).choose, vec!["1", "3"]);
        let mut s = sent(&[("choose", "1,2,3")]);
        assert!(read_ballot(&c, &spec("choose:1-2", 3), 1, &mut s).is_none());
        let mut s = sent(&[("choose", "4")]);
        assert!(read_ballot(&c, &spec("choose:1-2", 3), 1, &mut s).is_none());
        let mut s = sent(&[("o1", "yes"), ("o3", "if-needed")]);
        let b = read_ballot(&c, &spec("time", 3), 1, &mut s).unwrap();
        assert_eq!(request_of(&b).slots, vec!["1=yes", "2=no", "3=if-needed"]);
        let mut s = sent(&[("o1", "12.50"), ("o2", "80")]);
        let b = read_ballot(&c, &spec("budget:10000", 2), 1, &mut s).unwrap();
        assert_eq!(request_of(&b).give, vec!["1=12.50", "2=80.00"]);
        let mut s = sent(&[("o1", "60"), ("o2", "60")]);
        assert!(read_ballot(&c, &spec("budget:10000", 2), 1, &mut s).is_none());
        // A member weighing three gives three shares.
        let mut s = sent(&[("o1", "250"), ("o2", "50")]);
        assert!(read_ballot(&c, &spec("budget:10000", 2), 3, &mut s).is_some());
        let mut s = sent(&[("o1", "250"), ("o2", "50.01")]);
        assert!(read_ballot(&c, &spec("budget:10000", 2), 3, &mut s).is_none());
        assert!(
            s.error.as_deref().unwrap().contains("300.00"),
            "{:?}",
            s.error
        );
        let mut s = sent(&[("o1", "sixty")]);
        assert!(read_ballot(&c, &spec("budget:10000", 2), 1, &mut s).is_none());
        assert!(s.errors.contains_key(&1));
    }
}
