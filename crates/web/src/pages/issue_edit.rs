//! Editing an issue: its title, description, status and lead, and tags to add. The form
//! starts from the issue as it stands; what the node refuses (who may edit, lengths, an
//! unknown lead) is said above the form, with what was typed kept.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::issues::IssueEditRequest;
use commands::ops::members::MemberQuery;
use commands::ops::{Reply, Request};
use model::IssueStatus;

use super::{Choice, Chrome, Field, page, unexpected};
use crate::i18n::Arg;
use crate::{Visit, Web, see_other};

/// What the edit form sends.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub(crate) struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    add_tags: String,
    /// The values the form was opened with: only fields changed from them are sent, so that
    /// an edit another member made meanwhile is not written over.
    #[serde(default)]
    was_title: String,
    #[serde(default)]
    was_description: String,
    #[serde(default)]
    was_status: String,
    #[serde(default)]
    was_lead: String,
}

/// `now` when it differs from `was`.
fn changed(now: &str, was: &str) -> Option<String> {
    (now.trim() != was.trim()).then(|| now.trim().to_owned())
}

#[derive(Template)]
#[template(path = "issue_edit.html")]
struct EditPage {
    c: Chrome,
    coalition: String,
    issue: String,
    heading: String,
    form_error: Option<String>,
    fields: Vec<Field>,
    statuses: Vec<Choice>,
    leads: Vec<Choice>,
    tags: Field,
    /// The values the form was opened with, sent back hidden.
    was: [(&'static str, String); 4],
}

/// A form as sent: what was typed, errors next to fields, the error above it, the status.
type Sent<'a> = (
    &'a EditForm,
    Vec<(&'static str, String)>,
    Option<String>,
    StatusCode,
);

/// The form, filled from `sent` (what was sent) or else from the issue as it stands.
async fn edit_page(
    web: &Web,
    visit: &Visit,
    coalition: &str,
    issue: &str,
    sent: Option<Sent<'_>>,
) -> Response {
    let c = visit.chrome("issues");
    let detail: Box<commands::ops::issues::IssueDetail> = match web
        .ask_for(Request::IssueShow {
            coalition: coalition.to_owned(),
            issue: issue.to_owned(),
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(visit, &e),
    };
    let members: Vec<commands::ops::members::MemberEntry> = match web
        .ask_for(Request::MemberList {
            coalition: coalition.to_owned(),
            query: MemberQuery { all: false },
        })
        .await
    {
        Ok(v) => v,
        Err(e) => return super::node_error(visit, &e),
    };
    let i = &detail.issue;
    let stands = EditForm {
        title: i.title.clone(),
        description: i.description.to_string(),
        status: i.status.as_str().to_owned(),
        lead: i.lead.to_string(),
        was_title: i.title.clone(),
        was_description: i.description.to_string(),
        was_status: i.status.as_str().to_owned(),
        was_lead: i.lead.to_string(),
        ..EditForm::default()
    };
    let (form, errors, form_error, status) = match sent {
        Some((f, errors, e, s)) => (f.clone(), errors, e, s),
        None => (stands, Vec::new(), None, StatusCode::OK),
    };
    let mut fields = vec![
        Field::text(&c, "title", "issue-title-field", "issue-title-help")
            .required()
            .value(&form.title),
        Field::text(
            &c,
            "description",
            "issue-description-field",
            "issue-description-help",
        )
        .multiline()
        .value(&form.description),
    ];
    let mut tags =
        Field::text(&c, "add_tags", "issue-add-tags", "issue-add-tags-help").value(&form.add_tags);
    for (name, e) in errors {
        if name == "add_tags" {
            tags.error = Some(e);
        } else if let Some(f) = fields.iter_mut().find(|f| f.name == name) {
            f.error = Some(e);
        }
    }
    let statuses = IssueStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: c.t(&format!("status-{}", s.as_str())),
            selected: s.as_str() == form.status,
        })
        .collect();
    // Names as pickers show them: one that reads like another member's carries its id.
    let names: std::collections::BTreeMap<model::MemberId, String> = members
        .iter()
        .map(|m| (m.member.id.clone(), m.member.name.clone()))
        .collect();
    let mut leads: Vec<Choice> = members
        .iter()
        .map(|m| Choice {
            value: m.member.id.to_string(),
            label: super::name_of(&names, &m.member.id),
            selected: m.member.id.as_str() == form.lead,
        })
        .collect();
    // A lead that is no longer a member in force stays choosable as it stands.
    if !leads.iter().any(|l| l.selected) {
        leads.push(Choice {
            value: form.lead.clone(),
            label: super::name_of(&detail.names, &i.lead),
            selected: true,
        });
    }
    page(
        status,
        &EditPage {
            coalition: coalition.to_owned(),
            issue: i.id.to_string(),
            heading: c.tw("issue-edit-title", &[("title", Arg::Text(i.title.clone()))]),
            form_error,
            fields,
            statuses,
            leads,
            tags,
            was: [
                ("was_title", form.was_title.clone()),
                ("was_description", form.was_description.clone()),
                ("was_status", form.was_status.clone()),
                ("was_lead", form.was_lead.clone()),
            ],
            c,
        },
    )
}

/// The edit form.
pub(crate) async fn form(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, issue)): Path<(String, String)>,
) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    edit_page(&web, &visit, &coalition, &issue, None).await
}

/// Saves what changed, then shows the issue; or the form again with what was wrong.
pub(crate) async fn save(
    State(web): State<Web>,
    visit: Visit,
    Path((coalition, issue)): Path<(String, String)>,
    axum::Form(f): axum::Form<EditForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let l = visit.lang;
    if f.title.trim().is_empty() {
        let errors = vec![("title", l.t("error-required"))];
        let sent = (
            &f,
            errors,
            Some(l.t("error-form")),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        return edit_page(&web, &visit, &coalition, &issue, Some(sent)).await;
    }
    let add_tags = f
        .add_tags
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let body = IssueEditRequest {
        title: changed(&f.title, &f.was_title),
        description: changed(&f.description, &f.was_description),
        status: changed(&f.status, &f.was_status).filter(|s| !s.is_empty()),
        lead: changed(&f.lead, &f.was_lead).filter(|s| !s.is_empty()),
        add_tags,
    };
    let req = Request::IssueEdit {
        coalition: coalition.clone(),
        issue: issue.clone(),
        body,
    };
    match web.ask(req).await {
        Ok(Reply::Updated(updated)) => see_other(
            &format!("/c/{coalition}/issues/{}?done=issue-edited", updated.id),
            None,
        ),
        Ok(_) => super::node_error(&visit, &unexpected()),
        Err(e) => {
            let sent = (
                &f,
                Vec::new(),
                Some(super::refusal(visit.lang, &e)),
                super::status_of(&e),
            );
            edit_page(&web, &visit, &coalition, &issue, Some(sent)).await
        }
    }
}
