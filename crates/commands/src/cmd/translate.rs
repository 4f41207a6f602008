//! `translate` and `translations`: members' translations of shared records.

use anyhow::Result;

use super::on;
use crate::args::{TranslateArgs, TranslationsArgs};
use crate::ops::translations::{TranslateRequest, TranslationsQuery, TranslationsView};
use crate::ops::{Exec, Request, Updated};
use crate::output::{Out, line};

/// A language's English name, for the common ones (else its code alone).
pub(crate) fn language_name(code: &str) -> Option<&'static str> {
    let primary = code.split('-').next().unwrap_or(code);
    Some(match primary {
        "en" => "English",
        "es" => "Spanish",
        "fr" => "French",
        "pt" => "Portuguese",
        "zh" => "Chinese",
        "vi" => "Vietnamese",
        "ar" => "Arabic",
        "ko" => "Korean",
        "ru" => "Russian",
        "ht" => "Haitian Creole",
        "tl" => "Tagalog",
        "so" => "Somali",
        "am" => "Amharic",
        "ase" => "American Sign Language",
        "hmn" => "Hmong",
        "nv" => "Navajo",
        _ => return None,
    })
}

fn named_language(code: &str) -> String {
    match language_name(code) {
        Some(n) => format!("{n} ({code})"),
        None => code.to_owned(),
    }
}

/// `translate RECORD --field F --lang L TEXT [--machine]`: prints the translation's key.
pub(crate) fn translate(x: &mut dyn Exec, args: TranslateArgs, out: &Out) -> Result<()> {
    let coalition = on(x, &args.c, out)?;
    let body = TranslateRequest {
        record: args.record,
        field: args.field,
        lang: args.lang,
        text: args.text,
        machine: args.machine,
    };
    let done: Updated = x.call(Request::Translate { coalition, body })?.try_into()?;
    out.note("Translation recorded; members reading in that language see it, with the original a click away.");
    out.id(line(&done.id))
}

/// `translations [--lang L] [--record R] [--json]`: the translations, then what lacks one.
pub(crate) fn list(x: &mut dyn Exec, args: TranslationsArgs, out: &Out) -> Result<()> {
    let coalition = on(x, &args.c, out)?;
    let query = TranslationsQuery {
        lang: args.lang,
        record: args.record,
        ..Default::default()
    };
    let view: Box<TranslationsView> = x
        .call(Request::TranslationList { coalition, query })?
        .try_into()?;
    if args.format.json {
        return out.json(&view);
    }
    let rows = view
        .translations
        .iter()
        .map(|t| {
            vec![
                t.translation.target.clone(),
                t.translation.lang.to_string(),
                line(&t.by_name),
                if t.translation.machine {
                    "machine"
                } else {
                    "person"
                }
                .to_owned(),
                if t.current {
                    "current"
                } else {
                    "of an earlier version"
                }
                .to_owned(),
                line(&t.translation.text),
            ]
        })
        .collect();
    out.table(
        &[
            "FIELD",
            "LANG",
            "BY",
            "MADE BY",
            "OF THE ORIGINAL",
            "TRANSLATION",
        ],
        rows,
        "No translations yet.",
    )?;
    let lacking: Vec<String> = view
        .missing
        .iter()
        .filter(|m| m.count > 0)
        .map(|m| {
            let kind = match (m.kind.as_str(), m.count) {
                ("issues", 1) => "issue",
                ("proposals", 1) => "proposal",
                ("goals", 1) => "goal",
                ("meetings", 1) => "meeting's minutes",
                ("meetings", _) => "meetings' minutes",
                (k, _) => k,
            };
            format!(
                "{} {kind} not yet in {}",
                m.count,
                named_language(m.lang.as_str())
            )
        })
        .collect();
    if !lacking.is_empty() {
        out.text(&lacking.join("\n"))?;
    }
    Ok(())
}
