//! Amending the charter: a form that opens an amendment proposal (a new frame, values and
//! commitments to add, decision rules to change, the equity threshold), decided by the
//! charter's rule for amendments; once it passes it becomes the charter's next version.
//! What is left as it is stays as it is: a rule's quorum too, unless another is chosen.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::charter::AmendmentRequest;
use commands::ops::{Reply, Request};
use model::RuleKind;
use model::schema::Rules;

use super::{Choice, Chrome, Field, page, unexpected};
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
/// The poll methods a general decisions' rule can name besides (`model::schema::rule_problem`:
/// allocations name budgets only, other kinds are decided by positions).
const POLL_METHODS: &[&str] = &model::poll::rule::FAMILIES;

/// The methods offered for `kind`'s rule.
fn methods_for(kind: RuleKind) -> impl Iterator<Item = &'static str> {
    match kind {
        RuleKind::General => METHODS
            .iter()
            .chain(POLL_METHODS)
            .copied()
            .collect::<Vec<_>>(),
        RuleKind::Allocation => METHODS.iter().chain(&["budget"]).copied().collect(),
        // Always an election among members.
        RuleKind::Role => model::poll::rule::ELECTING.to_vec(),
        _ => METHODS.to_vec(),
    }
    .into_iter()
}
/// The quorums offered, as the node spells them.
const QUORUMS: &[&str] = &["1/2", "2/3", "3/4", "1/3", "0/1"];
/// The equity thresholds offered.
const THRESHOLDS: &[&str] = &["1/4", "1/3", "1/2", "2/3"];

/// One rule's choices: its kind, the methods and the quorums, and what was wrong.
#[derive(Debug)]
pub(crate) struct RuleChoice {
    pub(crate) kind: &'static str,
    pub(crate) label: String,
    pub(crate) methods: Vec<Choice>,
    pub(crate) quorums: Vec<Choice>,
    pub(crate) method_error: Option<String>,
    pub(crate) quorum_error: Option<String>,
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
    threshold_error: Option<String>,
    /// A weight field per member in force, for the polls of general decisions.
    weights: Vec<WeightField>,
    closes: Field,
}

/// A member's weight field (named `weight-<member id>`).
#[derive(Debug)]
pub(crate) struct WeightField {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) help: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// What the form needs of the coalition as it stands: the rules and weights in force (what
/// "keep" keeps) and the members in force (a weight each).
struct InForce {
    rules: Rules,
    weights: model::schema::Weights,
    /// Members in force, id and name.
    members: Vec<(model::MemberId, String)>,
}

/// A field's name and the catalog id of what is wrong with it.
type Wrong = (String, &'static str);

/// The form as sent (every field by name), and what was wrong.
#[derive(Default)]
struct Sent<'a> {
    form: Option<&'a AmendForm>,
    form_error: Option<String>,
    errors: Vec<Wrong>,
    status: Option<StatusCode>,
}

/// What was typed in `name`, or nothing.
fn typed<'a>(form: Option<&'a AmendForm>, name: &str) -> &'a str {
    form.map_or("", |f| f.get(name))
}

/// What the form sends: a field per part of the charter, and a method and a quorum per kind
/// of decision, and a weight per member (`weight-<id>`, with whatever else was sent, in
/// `rest`: bounded by the UI's body limit, read only by the names of members in force).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct AmendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    frame: String,
    #[serde(default)]
    values: String,
    #[serde(default)]
    commitments: String,
    #[serde(default)]
    equity_threshold: String,
    #[serde(default)]
    closes: String,
    #[serde(default, rename = "rule-amendment")]
    rule_amendment: String,
    #[serde(default, rename = "quorum-amendment")]
    quorum_amendment: String,
    #[serde(default, rename = "rule-admission")]
    rule_admission: String,
    #[serde(default, rename = "quorum-admission")]
    quorum_admission: String,
    #[serde(default, rename = "rule-membership")]
    rule_membership: String,
    #[serde(default, rename = "quorum-membership")]
    quorum_membership: String,
    #[serde(default, rename = "rule-allocation")]
    rule_allocation: String,
    #[serde(default, rename = "quorum-allocation")]
    quorum_allocation: String,
    #[serde(default, rename = "rule-public-statement")]
    rule_public_statement: String,
    #[serde(default, rename = "quorum-public-statement")]
    quorum_public_statement: String,
    #[serde(default, rename = "rule-general")]
    rule_general: String,
    #[serde(default, rename = "quorum-general")]
    quorum_general: String,
    #[serde(default, rename = "rule-role")]
    rule_role: String,
    #[serde(default, rename = "quorum-role")]
    quorum_role: String,
    #[serde(default, rename = "rule-link")]
    rule_link: String,
    #[serde(default, rename = "quorum-link")]
    quorum_link: String,
    /// The weights, `weight-<member id>` (and anything else sent, never read but by name).
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, String>,
}

impl AmendForm {
    /// The field named `name` in the form (as the template names it), or nothing.
    fn get(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "text" => &self.text,
            "frame" => &self.frame,
            "values" => &self.values,
            "commitments" => &self.commitments,
            "equity_threshold" => &self.equity_threshold,
            "closes" => &self.closes,
            "rule-amendment" => &self.rule_amendment,
            "quorum-amendment" => &self.quorum_amendment,
            "rule-admission" => &self.rule_admission,
            "quorum-admission" => &self.quorum_admission,
            "rule-membership" => &self.rule_membership,
            "quorum-membership" => &self.quorum_membership,
            "rule-allocation" => &self.rule_allocation,
            "quorum-allocation" => &self.quorum_allocation,
            "rule-public-statement" => &self.rule_public_statement,
            "quorum-public-statement" => &self.quorum_public_statement,
            "rule-general" => &self.rule_general,
            "quorum-general" => &self.quorum_general,
            "rule-role" => &self.rule_role,
            "quorum-role" => &self.quorum_role,
            "rule-link" => &self.rule_link,
            "quorum-link" => &self.quorum_link,
            other if other.starts_with("weight-") => {
                self.rest.get(other).map_or("", String::as_str)
            }
            _ => "",
        }
    }
}

/// A method spelled as the node spells it, in words.
fn method_label(c: &Chrome, spelled: &str) -> String {
    match spelled.parse::<model::Rule>() {
        Ok(rule) => super::rule_method_words(c, rule),
        Err(_) => spelled.to_owned(),
    }
}

/// The rules, weights and members in force, to keep what is left as it is.
async fn in_force(web: &Web, coalition: &str) -> Result<InForce, commands::ops::OpError> {
    let charter = match web
        .ask(Request::CharterShow {
            coalition: coalition.to_owned(),
        })
        .await
    {
        Ok(Reply::Charter(d)) => d.charter,
        Ok(_) => return Err(unexpected()),
        Err(e) => return Err(e),
    };
    let members = match web
        .ask(Request::MemberList {
            coalition: coalition.to_owned(),
            query: commands::ops::members::MemberQuery { all: false },
        })
        .await
    {
        Ok(Reply::Members(m)) => m
            .into_iter()
            .map(|e| (e.member.id.clone(), e.member.name.clone()))
            .collect(),
        Ok(_) => return Err(unexpected()),
        Err(e) => return Err(e),
    };
    Ok(InForce {
        rules: charter.rules,
        weights: charter.weights,
        members,
    })
}

/// The form, with what is in force `now` (what "keep" keeps) and what was sent.
async fn amend_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    now: &InForce,
    sent: Sent<'_>,
) -> Response {
    let now_rules = &now.rules;
    let c = visit.chrome("charter");
    let summary = match super::coalition(web, coalition).await {
        Ok(s) => s,
        Err(e) => return super::node_error(visit, &e),
    };
    let form = sent.form;
    let error_at = |name: &str| {
        sent.errors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| c.t(id))
    };
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
    for f in &mut fields {
        f.error = error_at(f.name);
    }
    let mut closes =
        Field::text(&c, "closes", "amend-closes", "amend-closes-help").value(typed(form, "closes"));
    closes.error = error_at("closes");
    let keep = |label: String, chosen: &str| Choice {
        value: String::new(),
        label,
        selected: chosen.is_empty(),
    };
    let rules = RuleKind::ALL
        .iter()
        .map(|k| {
            let (method_name, quorum_name) = (
                format!("rule-{}", k.as_str()),
                format!("quorum-{}", k.as_str()),
            );
            let method = typed(form, &method_name);
            let quorum = typed(form, &quorum_name);
            let mut methods = vec![keep(c.t("amend-keep"), method)];
            methods.extend(methods_for(*k).map(|m| Choice {
                value: m.to_owned(),
                label: method_label(&c, m),
                selected: m == method,
            }));
            let kept = now_rules.get(*k).map_or_else(
                || c.t("amend-keep"),
                |r| {
                    let share = r.quorum().to_string();
                    let words =
                        c.l.t_known(&format!("amend-quorum-{}", share.replace('/', "-")))
                            .unwrap_or(share);
                    c.tw("amend-keep-quorum", &[("quorum", Arg::Own(words))])
                },
            );
            let mut quorums = vec![keep(kept, quorum)];
            quorums.extend(QUORUMS.iter().map(|q| Choice {
                value: (*q).to_owned(),
                label: c.t(&format!("amend-quorum-{}", q.replace('/', "-"))),
                selected: *q == quorum,
            }));
            RuleChoice {
                kind: k.as_str(),
                label: c.t(&format!("rulekind-{}", k.as_str())),
                methods,
                quorums,
                method_error: error_at(&method_name),
                quorum_error: error_at(&quorum_name),
            }
        })
        .collect();
    let threshold = typed(form, "equity_threshold");
    let mut thresholds = vec![keep(c.t("amend-keep"), threshold)];
    thresholds.extend(THRESHOLDS.iter().map(|t| Choice {
        value: (*t).to_owned(),
        label: c.tw(
            "amend-threshold-option",
            &[("fraction", Arg::Own((*t).to_owned()))],
        ),
        selected: *t == threshold,
    }));
    let general = now.weights.for_kind(model::DecisionKind::General);
    let weights = now
        .members
        .iter()
        .map(|(id, name)| {
            let key = format!("weight-{id}");
            let current = general.get(id).copied().unwrap_or(1);
            WeightField {
                value: typed(form, &key).to_owned(),
                error: error_at(&key),
                name: key,
                label: name.clone(),
                help: c.tw(
                    "amend-weight-now",
                    &[("weight", Arg::Count(current as usize))],
                ),
            }
        })
        .collect();
    page(
        sent.status.unwrap_or(StatusCode::OK),
        &AmendPage {
            coalition: coalition.to_owned(),
            heading: c.tw("amend-heading", &[("coalition", Arg::Text(summary.name))]),
            form_error: sent.form_error,
            fields,
            rules,
            thresholds,
            threshold_error: error_at("equity_threshold"),
            weights,
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
    match in_force(&web, &coalition).await {
        Ok(now) => amend_page(&web, &visit, &coalition, &now, Sent::default()).await,
        Err(e) => super::node_error(&visit, &e),
    }
}

/// The amendment the form asks for, or each field that is wrong with why. A rule changes
/// only where a method was chosen, spelled with its quorum (the one chosen, else the one it
/// has in `in_force`); a quorum without a method, or a choice not offered, is refused.
fn amendment(
    f: &AmendForm,
    now_in_force: &InForce,
    now: model::Timestamp,
) -> Result<AmendmentRequest, Vec<Wrong>> {
    let in_force = &now_in_force.rules;
    let get = |name: &str| typed(Some(f), name).trim().to_owned();
    let mut wrong: Vec<Wrong> = Vec::new();
    let mut rules = Vec::new();
    for k in RuleKind::ALL {
        let (method_name, quorum_name) = (
            format!("rule-{}", k.as_str()),
            format!("quorum-{}", k.as_str()),
        );
        let (method, quorum) = (get(&method_name), get(&quorum_name));
        if !method.is_empty() && !methods_for(*k).any(|m| m == method) {
            wrong.push((method_name, "error-choice"));
            continue;
        }
        if !quorum.is_empty() && !QUORUMS.contains(&quorum.as_str()) {
            wrong.push((quorum_name, "error-choice"));
            continue;
        }
        match (method.is_empty(), quorum.is_empty()) {
            (true, true) => {}
            (true, false) => wrong.push((quorum_name, "amend-quorum-needs-method")),
            (false, _) => {
                let quorum = if quorum.is_empty() {
                    in_force
                        .get(*k)
                        .map_or_else(|| "1/2".to_owned(), |r| r.quorum().to_string())
                } else {
                    quorum
                };
                rules.push(format!("{}={method}@{quorum}", k.as_str()));
            }
        }
    }
    let threshold = get("equity_threshold");
    if !threshold.is_empty() && !THRESHOLDS.contains(&threshold.as_str()) {
        wrong.push(("equity_threshold".to_owned(), "error-choice"));
    }
    // A weight per member in force, in general decisions' polls: empty or as it is keeps it.
    let general = now_in_force.weights.for_kind(model::DecisionKind::General);
    let mut weights = Vec::new();
    for (id, _) in &now_in_force.members {
        let key = format!("weight-{id}");
        let typed = get(&key);
        if typed.is_empty() {
            continue;
        }
        match typed.parse::<u32>() {
            Ok(w) if (1..=model::schema::MAX_WEIGHT).contains(&w) => {
                if w != general.get(id).copied().unwrap_or(1) {
                    weights.push(format!("general:{id}={w}"));
                }
            }
            _ => wrong.push((key, "amend-weight-error")),
        }
    }
    let text = get("text");
    if text.is_empty() {
        wrong.push(("text".to_owned(), "error-required"));
    }
    let closes = Some(get("closes")).filter(|t| !t.is_empty());
    if let Some(given) = &closes
        && commands::closing_time(given, now).is_err()
    {
        wrong.push(("closes".to_owned(), "error-closes"));
    }
    if !wrong.is_empty() {
        return Err(wrong);
    }
    Ok(AmendmentRequest {
        frame: Some(get("frame")).filter(|t| !t.is_empty()),
        add_values: super::lines_of(&get("values")),
        add_commitments: super::lines_of(&get("commitments")),
        rules,
        equity_threshold: Some(threshold).filter(|t| !t.is_empty()),
        weights,
        title: Some(get("title")).filter(|t| !t.is_empty()),
        text,
        closes,
    })
}

/// Opens the amendment proposal, then shows it; or the form again with what was wrong next
/// to each field.
pub(crate) async fn propose(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<AmendForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    let in_force = match in_force(&web, &coalition).await {
        Ok(r) => r,
        Err(e) => return super::node_error(&visit, &e),
    };
    let refused = |form_error: String, errors: Vec<Wrong>| Sent {
        form: Some(&f),
        form_error: Some(form_error),
        errors,
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
    };
    let body = match amendment(&f, &in_force, super::now()) {
        Ok(b) => b,
        Err(wrong) => {
            let sent = refused(l.t("error-form"), wrong);
            return amend_page(&web, &visit, &coalition, &in_force, sent).await;
        }
    };
    if body.changes_nothing() {
        let sent = refused(l.t("amend-nothing"), Vec::new());
        return amend_page(&web, &visit, &coalition, &in_force, sent).await;
    }
    let req = Request::CharterAmend {
        coalition: coalition.clone(),
        body: Box::new(body),
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
                form_error: Some(super::refusal(visit.lang, &e)),
                errors: Vec::new(),
            };
            amend_page(&web, &visit, &coalition, &in_force, sent).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Fraction;

    fn form(pairs: &[(&str, &str)]) -> AmendForm {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    /// Every kind of decision has its method and quorum in the form.
    #[test]
    fn every_kind_of_decision_is_a_field_of_the_form() {
        for k in RuleKind::ALL {
            let (m, q) = (
                format!("rule-{}", k.as_str()),
                format!("quorum-{}", k.as_str()),
            );
            let f = form(&[(m.as_str(), "consent"), (q.as_str(), "2/3")]);
            assert_eq!((f.get(&m), f.get(&q)), ("consent", "2/3"), "{k:?}");
        }
    }

    fn at() -> model::Timestamp {
        model::Timestamp::from_millis(1_800_000_000_000)
    }

    fn with_rules(rules: Rules) -> InForce {
        InForce {
            rules,
            weights: model::schema::Weights::default(),
            members: vec![(model::MemberId::from_bytes([7; 16]), "Eastside".into())],
        }
    }

    #[test]
    fn only_the_rules_chosen_change_and_a_quorum_left_alone_stays() {
        let mut rules = Rules::founding();
        rules.amendment = "super-majority:2/3@2/3".parse().unwrap();
        let in_force = with_rules(rules);
        let a = amendment(
            &form(&[
                ("rule-amendment", "consent"),
                ("rule-general", "majority"),
                ("quorum-general", "1/3"),
                ("values", "Solidarity\n\n  Accessibility first \n"),
                ("text", "Why"),
            ]),
            &in_force,
            at(),
        )
        .unwrap();
        assert_eq!(
            a.rules,
            vec![
                "amendment=consent@2/3".to_owned(),
                "general=majority@1/3".to_owned()
            ]
        );
        assert_eq!(a.add_values, vec!["Solidarity", "Accessibility first"]);
        assert!(!a.changes_nothing());
        let nothing = amendment(&form(&[("text", "Why")]), &in_force, at()).unwrap();
        assert!(nothing.changes_nothing());
    }

    #[test]
    fn each_wrong_field_is_named() {
        let in_force = with_rules(Rules::founding());
        let wrong = |pairs: &[(&str, &str)]| {
            amendment(&form(pairs), &in_force, at())
                .unwrap_err()
                .into_iter()
                .map(|(n, id)| format!("{n}:{id}"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            wrong(&[("rule-general", "dictator"), ("text", "x")]),
            vec!["rule-general:error-choice"]
        );
        assert_eq!(
            wrong(&[("quorum-general", "1/3"), ("text", "x")]),
            vec!["quorum-general:amend-quorum-needs-method"]
        );
        assert_eq!(
            wrong(&[("equity_threshold", "9/1")]),
            vec!["equity_threshold:error-choice", "text:error-required"]
        );
        // A day that is over is refused at the field, before the node is asked.
        assert_eq!(
            wrong(&[("text", "x"), ("closes", "2001-01-01")]),
            vec!["closes:error-closes"]
        );
        let weight = format!("weight-{}", model::MemberId::from_bytes([7; 16]));
        for bad in ["0", "1000001", "two", "-3"] {
            assert_eq!(
                wrong(&[("text", "x"), (&weight, bad)]),
                vec![format!("{weight}:amend-weight-error")]
            );
        }
        // Given as it is (one), a weight changes nothing; another is a change.
        let same = amendment(&form(&[("text", "x"), (&weight, "1")]), &in_force, at()).unwrap();
        assert!(same.changes_nothing());
        let heavier = amendment(&form(&[("text", "x"), (&weight, "4")]), &in_force, at()).unwrap();
        assert_eq!(
            heavier.weights,
            vec![format!(
                "general:{}=4",
                model::MemberId::from_bytes([7; 16])
            )]
        );
    }

    #[test]
    fn every_quorum_and_threshold_offered_is_a_fraction_and_every_method_a_rule() {
        for q in QUORUMS.iter().chain(THRESHOLDS) {
            assert!(q.parse::<Fraction>().is_ok(), "{q}");
        }
        for k in RuleKind::ALL {
            for m in methods_for(*k) {
                let change = format!("{k}={m}");
                assert!(
                    change.parse::<model::schema::RuleChange>().is_ok(),
                    "{change}"
                );
            }
        }
    }
}
