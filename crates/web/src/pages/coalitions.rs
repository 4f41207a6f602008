//! Founding a coalition.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use commands::ops::coalitions::NewCoalitionRequest;
use commands::ops::{Reply, Request};

use super::{Chrome, Field, page};
use crate::{Visit, Web, see_other};

#[derive(Template)]
#[template(path = "coalition_new.html")]
struct NewCoalition {
    c: Chrome,
    form_error: Option<String>,
    fields: Vec<Field>,
}

fn fields(c: &Chrome, f: &CoalitionForm) -> Vec<Field> {
    vec![
        Field::text(c, "name", "coalition-name", "coalition-name-help")
            .required()
            .value(&f.name),
        Field::text(c, "frame", "coalition-frame", "coalition-frame-help")
            .multiline()
            .value(&f.frame),
    ]
}

/// The form.
pub(crate) async fn new_form(visit: Visit) -> Response {
    if let Some(r) = visit.unsigned() {
        return r;
    }
    let c = visit.chrome("new-coalition");
    let fields = fields(&c, &CoalitionForm::default());
    page(
        StatusCode::OK,
        &NewCoalition {
            c,
            form_error: None,
            fields,
        },
    )
}

/// What the form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct CoalitionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    frame: String,
}

/// Founds it, then shows its issues; or the form again with what was wrong.
pub(crate) async fn create(
    State(web): State<Web>,
    visit: Visit,
    axum::Form(f): axum::Form<CoalitionForm>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    let c = visit.chrome("new-coalition");
    let mut fields = fields(&c, &f);
    if f.name.trim().is_empty() {
        fields[0].error = Some(c.t("error-required"));
        let form_error = Some(c.t("error-form"));
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &NewCoalition {
                c,
                form_error,
                fields,
            },
        );
    }
    let req = Request::CoalitionCreate {
        body: NewCoalitionRequest {
            name: f.name.trim().to_owned(),
            frame: f.frame.trim().to_owned(),
            ..NewCoalitionRequest::default()
        },
    };
    match web.ask(req).await {
        Ok(Reply::Created(made)) => see_other(
            &format!("/c/{}/issues?done=coalition-created", made.id),
            None,
        ),
        Ok(_) => see_other("/", None),
        Err(e) => {
            let status = super::status_of(&e);
            let form_error = Some(super::refusal(visit.lang, &e));
            page(
                status,
                &NewCoalition {
                    c,
                    form_error,
                    fields,
                },
            )
        }
    }
}
