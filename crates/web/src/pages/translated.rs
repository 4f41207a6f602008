//! Records in the reader's language: a text shown in the page's language where a member
//! translated it (with the translator named and the original one click away), else the
//! original with its language marked; and the form that adds a translation.

use axum::extract::{Path, State};
use axum::response::Response;
use commands::ops::Request;
use commands::ops::translations::{TranslateRequest, TranslationsQuery, TranslationsView};

use super::{Choice, Chrome};
use crate::i18n::Arg;
use crate::{Visit, Web, see_other};

/// A record's text as the reader sees it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shown {
    /// What is shown.
    pub(crate) text: String,
    /// Its language, for the `lang` attribute (empty: unknown, inherits the page's).
    pub(crate) lang: String,
    /// Who translated it, when it is a translation.
    pub(crate) note: Option<String>,
    /// The original, when what is shown is a translation.
    pub(crate) original: Option<String>,
    /// The original's language.
    pub(crate) original_lang: String,
    /// "Original (English)".
    pub(crate) original_label: String,
}

/// The translations of one record (`collection/id` or `charter`), or none if they do not
/// read (the page then shows the originals).
pub(crate) async fn of_record(
    web: &Web,
    coalition: &str,
    record: &str,
) -> Option<TranslationsView> {
    web.ask_for::<Box<TranslationsView>>(Request::TranslationList {
        coalition: coalition.to_owned(),
        query: TranslationsQuery {
            lang: None,
            record: Some(record.to_owned()),
            ..TranslationsQuery::default()
        },
    })
    .await
    .ok()
    .map(|v| *v)
}

/// "12 issues are not yet in Spanish": of a listing's records (`issues`, `proposals` or
/// `meetings`), how many lack a translation into each language the coalition's members work
/// in and the page's, the page's first; none where every record has one, or the count does
/// not read. Counted from the issues' and proposals' headers and the meetings alone, not a whole read.
pub(crate) async fn untranslated(
    web: &Web,
    c: &Chrome,
    coalition: &str,
    kind: &'static str,
) -> Vec<String> {
    let ask = |lang: Option<String>| {
        web.ask_for::<Box<TranslationsView>>(Request::TranslationList {
            coalition: coalition.to_owned(),
            query: TranslationsQuery {
                lang,
                missing_of: Some(kind.to_owned()),
                ..TranslationsQuery::default()
            },
        })
    };
    let Ok(view) = ask(None).await else {
        return Vec::new();
    };
    let mut missing = view.missing;
    // The page's language, where no member names it as one it works in.
    if !view.languages.iter().any(|l| l.primary() == c.lang)
        && let Ok(more) = ask(Some(c.lang.to_owned())).await
    {
        missing.extend(more.missing);
    }
    // The page's language first, then as the members' (most worked in first).
    missing.sort_by_key(|m| m.lang.primary() != c.lang);
    let id = match kind {
        "proposals" => "proposals-missing",
        "meetings" => "meetings-missing",
        _ => "issues-missing",
    };
    missing
        .iter()
        .filter(|m| m.count > 0)
        .map(|m| {
            c.tw(
                id,
                &[
                    ("count", Arg::Count(m.count)),
                    ("language", Arg::Own(language_name(c, &m.lang.to_string()))),
                ],
            )
        })
        .collect()
}

/// The language's own name where this UI knows it, else its tag.
fn language_name(c: &Chrome, tag: &str) -> String {
    let primary = tag.split('-').next().unwrap_or(tag);
    c.l.t_known(&format!("language-{primary}"))
        .unwrap_or_else(|| tag.to_owned())
}

/// `original` (the field `target` of a record) as the reader of `c` sees it: the page's
/// language's translation (one a person made before one a machine made, then the latest),
/// else the original, marked with its language.
pub(crate) fn shown(
    c: &Chrome,
    view: Option<&TranslationsView>,
    target: &str,
    original: &str,
) -> Shown {
    // Only translations of the original as it says now.
    let all: Vec<_> = view
        .map(|v| {
            v.translations
                .iter()
                .filter(|t| t.translation.target == target && t.current)
                .collect()
        })
        .unwrap_or_default();
    // The field's own author's language where a translation says it (a reason or a piece of
    // evidence is another member's words than the record's), else the record's.
    let original_lang = view
        .and_then(|v| {
            v.translations
                .iter()
                .find(|t| t.translation.target == target)
                .and_then(|t| t.original_lang.as_ref())
                .or(v.record_lang.as_ref())
        })
        .map(ToString::to_string)
        .unwrap_or_default();
    let in_page =
        |t: &&&commands::ops::translations::TranslationView| t.translation.lang.primary() == c.lang;
    let already = original_lang.split('-').next() == Some(c.lang);
    let best = all
        .iter()
        .filter(in_page)
        .max_by_key(|t| (!t.translation.machine, t.translation.at));
    match best {
        Some(t) if !already => {
            let by = if t.by_name.is_empty() {
                t.translation.by.to_string()
            } else {
                t.by_name.clone()
            };
            let id = if t.translation.machine {
                "translated-by-machine"
            } else {
                "translated-by"
            };
            Shown {
                text: t.translation.text.clone(),
                lang: t.translation.lang.to_string(),
                note: Some(c.tw(id, &[("name", Arg::Text(by))])),
                original: Some(original.to_owned()),
                original_label: if original_lang.is_empty() {
                    c.t("translated-original")
                } else {
                    c.tw(
                        "translated-original-in",
                        &[("language", Arg::Own(language_name(c, &original_lang)))],
                    )
                },
                original_lang,
            }
        }
        _ => Shown {
            text: original.to_owned(),
            lang: original_lang.clone(),
            original_lang,
            ..Shown::default()
        },
    }
}

/// The form's choices of language: the members' working languages, then this UI's.
pub(crate) fn languages(c: &Chrome, view: Option<&TranslationsView>) -> Vec<Choice> {
    let mut tags: Vec<String> = view
        .map(|v| v.languages.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    for l in crate::Lang::ALL {
        if !tags.iter().any(|t| t == l.tag()) {
            tags.push(l.tag().to_owned());
        }
    }
    tags.into_iter()
        .map(|t| Choice {
            label: language_name(c, &t),
            selected: t == c.lang,
            value: t,
        })
        .collect()
}

/// The translate form of a record.
#[derive(Debug)]
pub(crate) struct TranslateForm {
    /// The coalition.
    pub(crate) coalition: String,
    /// The record, as `translate` takes it (an id, or `charter`).
    pub(crate) record: String,
    /// Where to come back to.
    pub(crate) back: String,
    /// Its translatable fields.
    pub(crate) fields: Vec<Choice>,
    /// The languages.
    pub(crate) langs: Vec<Choice>,
}

impl TranslateForm {
    /// The form for `record`, whose fields are `fields` (value and catalog id of its label).
    pub(crate) fn new(
        c: &Chrome,
        view: Option<&TranslationsView>,
        coalition: &str,
        record: &str,
        back: &str,
        fields: &[(&str, &str)],
    ) -> Self {
        Self {
            coalition: coalition.to_owned(),
            record: record.to_owned(),
            back: back.to_owned(),
            fields: fields
                .iter()
                .map(|(value, label)| Choice {
                    value: (*value).to_owned(),
                    label: c.t(label),
                    selected: false,
                })
                .collect(),
            langs: languages(c, view),
        }
    }
}

/// What the translate form sends.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Sent {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    lang: String,
    #[serde(default)]
    text: String,
    /// A checkbox: present when checked.
    #[serde(default)]
    machine: Option<String>,
    #[serde(default)]
    back: String,
}

/// Writes the translation, then goes back to the record's page saying so; what the node
/// refuses is said on a page of its own, with the way back.
pub(crate) async fn translate(
    State(web): State<Web>,
    visit: Visit,
    Path(coalition): Path<String>,
    axum::Form(f): axum::Form<Sent>,
) -> Response {
    if let Some(r) = visit.refuse_post(&f.csrf) {
        return r;
    }
    // Back only to a page of this coalition (never elsewhere).
    let prefix = format!("/c/{coalition}/");
    let back = if crate::local_path(&f.back)
        && f.back.starts_with(&prefix)
        && !f.back.split('/').any(|seg| seg == ".." || seg == ".")
    {
        f.back
            .split(['?', '#'])
            .next()
            .unwrap_or(&prefix)
            .to_owned()
    } else {
        prefix.clone()
    };
    let req = Request::Translate {
        coalition: coalition.clone(),
        body: TranslateRequest {
            record: f.record,
            field: f.field,
            lang: f.lang,
            text: f.text,
            machine: f.machine.is_some(),
        },
    };
    match web.ask(req).await {
        Ok(_) => see_other(&format!("{back}?done=translated"), None),
        Err(e) => super::node_error(&visit, &e),
    }
}
