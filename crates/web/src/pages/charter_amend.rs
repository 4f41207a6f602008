//! Amending the charter: a form that opens an amendment proposal (a new frame, values and
//! commitments to add, decision rules to change, the equity threshold), decided by the
//! charter's rule for amendments; once it passes it becomes the charter's next version.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::charter::AmendmentRequest;
use commands::ops::{Reply, Request};
use model::RuleKind;

use super::issue_edit::Choice;
use super::{Chrome, Field, page, unexpected};
use crate::i18n::Arg;
use crate::{Visit, Web, see_other};

/// The methods a rule can be set to, as the node spells them.
const METHODS: &[&str] = &[
    "consensus",
    "consent",
    "majority",
    "super-majority:2/3",
    "super-majority:3/4",
];
/// The quorums offered, as the node spells them.
const QUORUMS: &[&str] = &["1/2", "2/3", "3/4", "1/3", "0/1"];
/// The equity thresholds offered.
const THRESHOLDS: &[&str] = &["1/4", "1/3", "1/2", "2/3"];

/// One rule's choices: its kind, the methods and the quorums.
#[derive(Debug)]
pub(crate) struct RuleChoice {
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) methods: Vec<Choice>,
    pub(crate) quorums: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "charter_amend.html")]
struct AmendPage {
    c: Chrome,
    coalition: String,
    heading: String,
    form_error: Option<String>,
    fields: Vec<Field>,
    rules: Vec<RuleChoice>,
    thresholds: Vec<Choice>,
    closes: Field,
}

/// The form as sent (every field by name), and what was wrong.
#[derive(Default)]
struct Sent<'a> {
    form: Option<&'a HashMap<String, String>>,
    form_error: Option<String>,
    errors: Vec<(&'static str, String)>,
    status: Option<StatusCode>,
}

/// What was typed in `name`, or nothing.
fn typed<'a>(form: Option<&'a HashMap<String, String>>, name: &str) -> &'a str {
    form.and_then(|f| f.get(name)).map_or("", String::as_str)
}

/// `text`'s lines that are not blank, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A method spelled as the node spells it, in words.
fn method_label(c: &Chrome, spelled: &str) -> String {
    match spelled.parse::<model::Rule>() {
        Ok(rule) => super::method_words(c, rule.method()),
        Err(_) => spelled.to_owned(),
    }
}

async fn amend_page(web: &Web, visit: &Visit, coalition: &str, sent: Sent<'_>) -> Response {
    let c = visit.chrome("charter");
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let form = sent.form;
    let mut fields = vec![
        Field::text(&c, "title", "amend-title", "amend-title-help").value(typed(form, "title")),
        Field::text(&c, "text", "amend-text", "amend-text-help")
            .multiline()
            .required()
            .value(typed(form, "text")),
        Field::text(&c, "frame", "amend-frame", "amend-frame-help")
            .multiline()
            .value(typed(form, "frame")),
        Field::text(&c, "values", "amend-values", "amend-lines-help")
            .multiline()
            .value(typed(form, "values")),
        Field::text(&c, "commitments", "amend-commitments", "amend-lines-help")
            .multiline()
            .value(typed(form, "commitments")),
    ];
    let mut closes =
        Field::text(&c, "closes", "amend-closes", "amend-closes-help").value(typed(form, "closes"));
    for (name, e) in sent.errors {
        if name == "closes" {
            closes.error = Some(e);
        } else if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
            f.error = Some(e);
        }
    }
    let keep = |c: &Chrome, chosen: &str| Choice {
        value: String::new(),
        label: c.t("amend-keep"),
        selected: chosen.is_empty(),
    };
    let rules = RuleKind::ALL
        .iter()
        .map(|k| {
            let method = typed(form, &format!("rule-{}", k.as_str()));
            let quorum = typed(form, &format!("quorum-{}", k.as_str()));
            let mut methods = vec![keep(&c, method)];
            methods.extend(METHODS.iter().map(|m| Choice {
                value: (*m).to_owned(),
                label: method_label(&c, m),
                selected: *m == method,
            }));
            let quorums = QUORUMS
                .iter()
                .enumerate()
                .map(|(i, q)| Choice {
                    value: (*q).to_owned(),
                    label: c.t(&format!("amend-quorum-{}", q.replace('/', "-"))),
                    selected: *q == quorum || (quorum.is_empty() && i == 0),
                })
                .collect();
            RuleChoice {
                kind: k.as_str(),
                label: c.t(&format!("rulekind-{}", k.as_str())),
                methods,
                quorums,
            }
        })
        .collect();
    let threshold = typed(form, "equity_threshold");
    let mut thresholds = vec![keep(&c, threshold)];
    thresholds.extend(THRESHOLDS.iter().map(|t| Choice {
        value: (*t).to_owned(),
        label: c.tw(
            "amend-threshold-option",
            &[("fraction", Arg::Own((*t).to_owned()))],
        ),
        selected: *t == threshold,
    }));
    page(
        sent.status.unwrap_or(StatusCode::OK),
        &AmendPage {
            coalition: coalition.to_owned(),
            heading: c.tw("amend-heading", &[("coalition", Arg::Text(summary.name))]),
            form_error: sent.form_error,
            fields,
            rules,
            thresholds,
            closes,
            c,
        },
    )
}

/// The amendment form.
pub(crate) async fn form(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    amend_page(&web, &visit, &coalition, Sent::default()).await
}

/// The amendment the form asks for: a rule changes only where a method was chosen, and is
/// spelled with its quorum (`consent@2/3`); a method or quorum not offered is refused.
fn amendment(f: &HashMap<String, String>) -> Result<AmendmentRequest, &'static str> {
    let get = |name: &str| typed(Some(f), name).trim().to_owned();
    let mut rules = Vec::new();
    for k in RuleKind::ALL {
        let method = get(&format!("rule-{}", k.as_str()));
        if method.is_empty() {
            continue;
        }
        let quorum = get(&format!("quorum-{}", k.as_str()));
        let quorum = if quorum.is_empty() {
            "1/2".to_owned()
        } else {
            quorum
        };
        if !METHODS.contains(&method.as_str()) || !QUORUMS.contains(&quorum.as_str()) {
            return Err("error-choice");
        }
        rules.push(format!("{}={method}@{quorum}", k.as_str()));
    }
    let threshold = get("equity_threshold");
    if !threshold.is_empty() && !THRESHOLDS.contains(&threshold.as_str()) {
        return Err("error-choice");
    }
    Ok(AmendmentRequest {
        frame: Some(get("frame")).filter(|t| !t.is_empty()),
        add_values: lines(&get("values")),
        add_commitments: lines(&get("commitments")),
        rules,
        equity_threshold: Some(threshold).filter(|t| !t.is_empty()),
        title: Some(get("title")).filter(|t| !t.is_empty()),
        text: get("text"),
        closes: Some(get("closes")).filter(|t| !t.is_empty()),
    })
}

/// Opens the amendment proposal, then shows it; or the form again with what was wrong.
pub(crate) async fn propose(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<HashMap<String, String>>,
) -> Response {
    let csrf = f.get("csrf").cloned().unwrap_or_default();
    if let Some(r) = visit.refuse_post(&csrf) {
        return r;
    }
    let l = visit.lang;
    let refused = |form_error: String, errors: Vec<(&'static str, String)>| Sent {
        form: Some(&f),
        form_error: Some(form_error),
        errors,
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
    };
    let body = match amendment(&f) {
        Ok(b) => b,
        Err(id) => return amend_page(&web, &visit, &coalition, refused(l.t(id), Vec::new())).await,
    };
    let mut errors = Vec::new();
    if body.text.is_empty() {
        errors.push(("text", l.t("error-required")));
    }
    if let Some(closes) = &body.closes
        && commands::closing_time(closes, model::Timestamp::from_millis(0)).is_err()
    {
        errors.push(("closes", l.t("error-closes")));
    }
    if !errors.is_empty() {
        let sent = refused(l.t("error-form"), errors);
        return amend_page(&web, &visit, &coalition, sent).await;
    }
    if body.changes_nothing() {
        let sent = refused(l.t("amend-nothing"), Vec::new());
        return amend_page(&web, &visit, &coalition, sent).await;
    }
    let req = Request::CharterAmend {
        coalition: coalition.clone(),
        body,
    };
    match web.ask(req).await {
        Ok(Reply::Created(made)) => see_other(
            &format!(
                "/c/{coalition}/proposals/{}?done=amendment-proposed",
                made.id
            ),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let sent = Sent {
                form: Some(&f),
                status: Some(super::status_of(&e)),
                form_error: Some(e.message),
                errors: Vec::new(),
            };
            amend_page(&web, &visit, &coalition, sent).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Fraction;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_the_rules_chosen_change_and_only_as_offered() {
        let a = amendment(&form(&[
            ("rule-amendment", "consent"),
            ("quorum-amendment", "2/3"),
            ("rule-general", ""),
            ("values", "Solidarity\n\n  Accessibility first \n"),
            ("text", "Why"),
        ]))
        .unwrap();
        assert_eq!(a.rules, vec!["amendment=consent@2/3".to_owned()]);
        assert_eq!(a.add_values, vec!["Solidarity", "Accessibility first"]);
        assert!(!a.changes_nothing());
        assert!(
            amendment(&form(&[("text", "Why")]))
                .unwrap()
                .changes_nothing()
        );
        for bad in [
            [("rule-general", "dictator"), ("quorum-general", "1/2")],
            [("rule-general", "majority"), ("quorum-general", "0/0")],
            [("equity_threshold", "9/1"), ("text", "x")],
        ] {
            assert_eq!(amendment(&form(&bad)).unwrap_err(), "error-choice");
        }
    }

    #[test]
    fn every_quorum_and_threshold_offered_is_a_fraction() {
        for q in QUORUMS.iter().chain(THRESHOLDS) {
            assert!(q.parse::<Fraction>().is_ok(), "{q}");
        }
        for m in METHODS {
            assert!(m.parse::<model::Rule>().is_ok(), "{m}");
        }
    }
}
