//! Translations: a member writes its translation of a shared record's field into a language,
//! in its own member record (see [`crate::translations`]).

use super::*;
use crate::translations::{Language, Stored, Target, Translation, key};

impl CoalitionDoc {
    /// Writes the acting member's translation of `target` into `lang` (replacing its earlier
    /// one of the same field into the same language). The field must hold text now; the
    /// translation must say something and be at most [`MAX_LONG`] characters.
    pub fn translate(
        &mut self,
        by: &MemberId,
        target: &Target,
        lang: &Language,
        text: &str,
        machine: bool,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let text = long("translation", text)?;
        if crate::is_blank(&text) {
            return Err(EditError::Empty {
                field: "translation",
            });
        }
        let Some(original) = self.text_of(target, at)? else {
            return Err(EditError::NotFound {
                what: "text to translate",
                id: target.to_string(),
            });
        };
        let stored = Stored {
            text,
            machine,
            at,
            of: crate::translations::digest(&original),
        };
        self.edit(by, "translate", at, |doc| {
            let map = super::plans::own_map(doc, by, "translations")?;
            reconcile_prop(doc, &map, key(target, lang).as_str(), &stored)?;
            Ok(())
        })
    }

    /// The text the field `target` names holds now, if any: read where it is (the charter's,
    /// in force at `at`), not from a whole read.
    fn text_of(&mut self, target: &Target, at: Timestamp) -> Result<Option<String>, EditError> {
        use crate::schema::{Evidence, Prose};
        use crate::translations::digest;
        let doc = &self.doc;
        let text = |path: &[&str]| -> Option<String> { read_at::<String>(doc, path).ok() };
        let prose =
            |path: &[&str]| -> Option<String> { read_at::<Prose>(doc, path).ok().map(|p| p.0) };
        let found: Option<String> = match target {
            Target::CharterFrame | Target::CharterValue(_) | Target::CharterCommitment(_) => {
                let c = self.charter_at(at)?.charter;
                match target {
                    Target::CharterFrame => Some(c.frame.0),
                    Target::CharterValue(d) => c.values.into_iter().find(|v| digest(v) == *d),
                    _ => c
                        .commitments
                        .into_iter()
                        .find(|v| Target::CharterCommitment(digest(v)) == *target),
                }
            }
            Target::GoalTitle(g) => text(&["charter", "goals", g.as_str(), "title"]),
            Target::IssueTitle(i) => text(&["issues", i.as_str(), "title"]),
            Target::IssueDescription(i) => prose(&["issues", i.as_str(), "description"]),
            Target::Evidence(i, d) => {
                read_at::<Vec<Evidence>>(doc, &["issues", i.as_str(), "evidence"])
                    .ok()
                    .and_then(|all| all.into_iter().find(|e| digest(&e.figure) == *d))
                    .map(|e| e.figure)
            }
            Target::ProposalTitle(p) => text(&["proposals", p.as_str(), "title"]),
            Target::ProposalText(p) => prose(&["proposals", p.as_str(), "text"]),
            Target::Reason(p, m) => {
                text(&["proposals", p.as_str(), "positions", m.as_str(), "reason"])
            }
            Target::Minutes(m) => prose(&["meetings", m.as_str(), "minutes"]),
        };
        Ok(found.filter(|t| !crate::is_blank(t)))
    }

    /// Every translation the document holds.
    pub fn translations(&self) -> Vec<Translation> {
        crate::translations::read_all(&self.doc)
    }

    /// The translations of one record's fields (`record`: `issues/<id>`, `charter`...,
    /// as [`Target::record`] names it): the other translations' texts are not read.
    pub fn translations_of(&self, record: &str) -> Vec<Translation> {
        let prefix = format!("{record}/");
        crate::translations::read_matching(&self.doc, |t| t.starts_with(&prefix))
    }
}
