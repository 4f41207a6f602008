//! Translations of shared records' free text: a member's own translation of a field into a
//! language (`translate`), and the translations a coalition holds with what still lacks one in
//! the languages its members work in (`list`).

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use model::translations::{Language, Target, Translation, digest, original_language};
use model::{Coalition, CoalitionId};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A translation to write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslateRequest {
    /// The record: an issue's, proposal's, meeting's or goal's id or unique prefix, or
    /// `charter`.
    pub record: String,
    /// The field: `title`, `description` (issues), `text` (proposals), `minutes` (meetings),
    /// `frame` (the charter), `value:N` and `commitment:N` (the charter's Nth, from 1),
    /// `evidence:N` (an issue's Nth piece of evidence, its figure), `reason:MEMBER` (a
    /// member's reason for its position on a proposal).
    pub field: String,
    /// The language translated into: a code such as `es`, `en` or `es-MX`.
    pub lang: String,
    /// The translation.
    pub text: String,
    /// Whether a machine made it (readers are told).
    #[serde(default)]
    pub machine: bool,
}

/// Which translations to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TranslationsQuery {
    /// Only translations into this language (and what lacks one in it).
    #[serde(default)]
    pub lang: Option<String>,
    /// Only translations of this record (an id or unique prefix, or `charter`).
    #[serde(default)]
    pub record: Option<String>,
    /// Only how many issues lack a translation of their title into `lang` (what the issue
    /// listing says): read from the issues' headers, not a whole read; no translations are
    /// listed.
    #[serde(default)]
    pub issues_missing: bool,
    /// Only how many records of this kind (`issues`, `proposals` or `meetings`) lack a
    /// translation of their title (meetings: minutes) into `lang`, or into each language the
    /// members work in without `lang` (what a listing says): read from the kind's headers,
    /// not a whole read; no translations are listed.
    #[serde(default)]
    pub missing_of: Option<String>,
}

/// A translation, with what it translates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TranslationView {
    /// The translation.
    pub translation: Translation,
    /// The translator's name.
    pub by_name: String,
    /// The original text now (none if the field says nothing now).
    pub original: Option<String>,
    /// Whether it translates the original as it says now (not an earlier version of it).
    pub current: bool,
    /// The original's language, where its author's profile names one.
    #[schema(value_type = Option<String>)]
    pub original_lang: Option<Language>,
}

/// How many records of a kind lack a translation into a language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Missing {
    /// The language.
    #[schema(value_type = String)]
    pub lang: Language,
    /// `issues`, `proposals`, `goals` or `meetings`.
    pub kind: String,
    /// How many of them have a title (for meetings: minutes) in another language and no
    /// translation into this one.
    pub count: usize,
}

/// The translations a coalition holds, and what still lacks one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TranslationsView {
    /// The languages the members in force work in (their profiles'), in order of how many do.
    #[schema(value_type = Vec<String>)]
    pub languages: Vec<Language>,
    /// The translations, by record then field then language.
    pub translations: Vec<TranslationView>,
    /// Of one record asked for: the language its author works in first (its originals'),
    /// where the author's profile names one.
    #[schema(value_type = Option<String>)]
    #[serde(default)]
    pub record_lang: Option<Language>,
    /// For each language members work in (or the one asked), what lacks a translation.
    pub missing: Vec<Missing>,
}

/// The field `field` of `record` (in `state`), as a translation target.
fn target(
    r: &mut Replica,
    c: &CoalitionId,
    state: &Coalition,
    record: &str,
    field: &str,
) -> anyhow::Result<Target> {
    let invalid = |why: String| anyhow::Error::from(super::Invalid(why));
    let (name, arg) = match field.trim().split_once(':') {
        Some((n, a)) => (n, Some(a.trim())),
        None => (field.trim(), None),
    };
    let nth = |what: &str, len: usize| -> anyhow::Result<usize> {
        let n: usize = arg
            .and_then(|a| a.parse().ok())
            .filter(|n| (1..=len).contains(n))
            .ok_or_else(|| {
                invalid(format!(
                    "`{field}`: say which {what} as {what}:N, N from 1 to {len}"
                ))
            })?;
        Ok(n - 1)
    };
    if record.trim().eq_ignore_ascii_case("charter") {
        let ch = &state.charter;
        return match name {
            "frame" => Ok(Target::CharterFrame),
            "value" => Ok(Target::CharterValue(digest(
                &ch.values[nth("value", ch.values.len())?],
            ))),
            "goal" => {
                let given =
                    arg.ok_or_else(|| invalid(format!("`{field}`: say which goal, as goal:ID")))?;
                let id = super::resolve_among(r, c, &["charter/goals"], "goal", given)?;
                Ok(Target::GoalTitle(id.parse()?))
            }
            "commitment" => Ok(Target::CharterCommitment(digest(
                &ch.commitments[nth("commitment", ch.commitments.len())?],
            ))),
            _ => Err(invalid(format!(
                "the charter's translatable fields are frame, value:N, commitment:N and goal:ID (a goal's title; not `{field}`)"
            ))),
        };
    }
    let (collection, id) = super::locate_among(
        r,
        c,
        &["issues", "proposals", "meetings", "charter/goals"],
        "record",
        record.trim(),
    )?;
    let bad = |fields: &str| {
        invalid(format!(
            "`{field}` is not a translatable field of this record: {fields}"
        ))
    };
    Ok(match collection {
        "issues" => {
            let id = id.parse()?;
            match name {
                "title" => Target::IssueTitle(id),
                "description" => Target::IssueDescription(id),
                "evidence" => {
                    let evidence = state
                        .issues
                        .get(&id)
                        .map(|i| &i.evidence[..])
                        .unwrap_or(&[]);
                    let n = nth("evidence", evidence.len())?;
                    Target::Evidence(id, digest(&evidence[n].figure))
                }
                _ => return Err(bad("title, description, evidence:N")),
            }
        }
        "proposals" => {
            let id = id.parse()?;
            match name {
                "title" => Target::ProposalTitle(id),
                "text" => Target::ProposalText(id),
                "reason" => {
                    let who = arg.ok_or_else(|| {
                        invalid(format!("`{field}`: say whose, as reason:MEMBER"))
                    })?;
                    Target::Reason(id, super::member(r, c, who)?)
                }
                _ => return Err(bad("title, text, reason:MEMBER")),
            }
        }
        "meetings" => match name {
            "minutes" => Target::Minutes(id.parse()?),
            _ => return Err(bad("minutes")),
        },
        _ => match name {
            "title" => Target::GoalTitle(id.parse()?),
            _ => return Err(bad("title")),
        },
    })
}

/// Writes this organization's translation; returns its key (`TARGET@LANG`).
pub fn translate(
    r: &mut Replica,
    c: &CoalitionId,
    req: TranslateRequest,
) -> anyhow::Result<String> {
    let lang: Language = req.lang.parse()?;
    let state = r
        .read(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let target = target(r, c, &state, &req.record, &req.field)?;
    r.edit(c, |doc, a| {
        doc.translate(&a.member, &target, &lang, &req.text, req.machine, a.now)
    })?;
    Ok(model::translations::key(&target, &lang))
}

/// The languages `members` work in, most used first (then by tag).
pub fn working_languages<'a>(
    members: impl IntoIterator<Item = &'a model::schema::Member>,
) -> Vec<Language> {
    let mut count: BTreeMap<Language, usize> = BTreeMap::new();
    for m in members {
        let own: BTreeSet<Language> = m.languages.iter().filter_map(|l| l.parse().ok()).collect();
        for l in own {
            *count.entry(l).or_default() += 1;
        }
    }
    let mut langs: Vec<(Language, usize)> = count.into_iter().collect();
    langs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    langs.into_iter().map(|(l, _)| l).collect()
}

/// Whether `target`'s text is in `lang` already (its original's language, by primary tag, and
/// where its author's profile names none, the language most members work in) or has a
/// translation into it. With no language known at all, nothing is counted as lacking.
fn covered(
    state: &Coalition,
    have: &BTreeSet<(String, String)>,
    target: &Target,
    lang: &Language,
    usual: Option<&Language>,
) -> bool {
    let Some(original) = original_language(state, target).or_else(|| usual.cloned()) else {
        return true;
    };
    original.primary() == lang.primary()
        || have.contains(&(target.to_string(), lang.primary().to_owned()))
}

/// What lacks a translation into `lang`, by kind of record.
pub fn missing_in(state: &Coalition, all: &[Translation], lang: &Language) -> Vec<Missing> {
    // Only translations of the originals as they say now.
    let have: BTreeSet<(String, String)> = all
        .iter()
        .filter(|t| {
            t.target()
                .and_then(|target| target.original(state).map(|o| t.translates(o)))
                .unwrap_or(false)
        })
        .map(|t| (t.target.clone(), t.lang.primary().to_owned()))
        .collect();
    let usual = working_languages(state.members.values()).into_iter().next();
    let count = |targets: Vec<Target>| {
        targets
            .iter()
            .filter(|t| {
                t.original(state).is_some() && !covered(state, &have, t, lang, usual.as_ref())
            })
            .count()
    };
    [
        (
            "issues",
            count(
                state
                    .issues
                    .keys()
                    .cloned()
                    .map(Target::IssueTitle)
                    .collect(),
            ),
        ),
        (
            "proposals",
            count(
                state
                    .proposals
                    .keys()
                    .cloned()
                    .map(Target::ProposalTitle)
                    .collect(),
            ),
        ),
        (
            "goals",
            count(
                state
                    .charter
                    .goals
                    .keys()
                    .cloned()
                    .map(Target::GoalTitle)
                    .collect(),
            ),
        ),
        (
            "meetings",
            count(
                state
                    .meetings
                    .keys()
                    .cloned()
                    .map(Target::Minutes)
                    .collect(),
            ),
        ),
    ]
    .into_iter()
    .map(|(kind, count)| Missing {
        lang: lang.clone(),
        kind: kind.to_owned(),
        count,
    })
    .collect()
}

/// The coalition as far as one record's translations need it: the charter in force, its
/// members in force (for the original's language), and that record alone (`collection/id`,
/// or `charter`), rather than a whole read.
fn partial(r: &mut Replica, c: &CoalitionId, record: &str) -> anyhow::Result<Coalition> {
    let charter = r
        .charter(c)
        .with_context(|| format!("could not read coalition {c}"))?;
    let mut state = Coalition {
        schema: model::schema::SCHEMA_VERSION,
        id: c.clone(),
        created_at: model::Timestamp::from_millis(0),
        members: charter.governance.members_owned(),
        charter: charter.charter,
        charter_versions: BTreeMap::new(),
        former_members: BTreeMap::new(),
        issues: BTreeMap::new(),
        pools: BTreeMap::new(),
        proposals: BTreeMap::new(),
        meetings: BTreeMap::new(),
        unreadable: Vec::new(),
    };
    let read = |e: replica::ReplicaError| {
        anyhow::Error::from(e).context(format!("could not read coalition {c}"))
    };
    match record.split_once('/') {
        Some(("issues", id)) => {
            let id: model::IssueId = id.parse()?;
            if let Some(i) = r.issue(c, &id).map_err(read)? {
                state.issues.insert(id, i);
            }
        }
        Some(("proposals", id)) => {
            let id: model::ProposalId = id.parse()?;
            if let Some(p) = r.proposal(c, &id).map_err(read)? {
                state.proposals.insert(id, p);
            }
        }
        Some(("meetings", id)) => {
            let id: model::MeetingId = id.parse()?;
            if let Some(m) = r.meeting(c, &id).map_err(read)? {
                state.meetings.insert(id, m);
            }
        }
        _ => {}
    }
    Ok(state)
}

/// How many records of `kind` (`issues`, `proposals`, `meetings`) lack a translation of
/// their title (meetings: minutes) into `lang`, or into each language the members in force
/// work in: from the kept headers (meetings, which have none, read alone), the member records
/// and that kind's translations, not a whole read.
fn kind_missing(
    r: &mut Replica,
    c: &CoalitionId,
    kind: &str,
    lang: Option<Language>,
) -> anyhow::Result<TranslationsView> {
    let context = || format!("could not read coalition {c}");
    // Each record's translatable original and whose words it is.
    let originals: BTreeMap<String, (String, model::MemberId)> = match kind {
        "issues" => r
            .issue_headers(c)
            .with_context(context)?
            .iter()
            .map(|(id, h)| {
                let target = Target::IssueTitle(id.clone()).to_string();
                (target, (h.title.clone(), h.raised_by.clone()))
            })
            .collect(),
        "proposals" => r
            .proposal_headers(c)
            .with_context(context)?
            .iter()
            .map(|(id, h)| {
                let target = Target::ProposalTitle(id.clone()).to_string();
                (target, (h.title.clone(), h.author.clone()))
            })
            .collect(),
        "meetings" => r
            .meetings(c)
            .with_context(context)?
            .into_iter()
            .map(|(id, m)| {
                (
                    Target::Minutes(id).to_string(),
                    (m.minutes.0, m.recorded_by),
                )
            })
            .collect(),
        other => {
            return Err(
                super::Invalid(format!("`{other}`: say issues, proposals or meetings")).into(),
            );
        }
    };
    let governance = r.charter(c).with_context(context)?.governance;
    let all = r.translations_of(c, kind).with_context(context)?;
    // Translations of the originals as they say now: (target, language).
    let have: BTreeSet<(&str, &str)> = all
        .iter()
        .filter(|t| {
            originals
                .get(&t.target)
                .is_some_and(|(original, _)| t.translates(original))
        })
        .map(|t| (t.target.as_str(), t.lang.primary()))
        .collect();
    let languages = working_languages(governance.members.values().map(|m| &**m));
    let usual = languages.first().cloned();
    // An original's language: its author's first (a former member's too), else the usual.
    let written_in = |m: &model::MemberId| -> Option<Language> {
        governance
            .every_member()
            .find(|member| member.id == *m)
            .and_then(|m| m.languages.iter().find_map(|l| l.parse().ok()))
            .or_else(|| usual.clone())
    };
    let written: BTreeMap<&model::MemberId, Option<Language>> = originals
        .values()
        .map(|(_, by)| (by, written_in(by)))
        .collect();
    // One line per language, however many regional variants members name (`es`, `es-MX`).
    let asked = match lang {
        Some(l) => vec![l],
        None => {
            let mut seen = BTreeSet::new();
            languages
                .iter()
                .filter(|l| seen.insert(l.primary().to_owned()))
                .cloned()
                .collect()
        }
    };
    let missing = asked
        .into_iter()
        .map(|lang| Missing {
            count: originals
                .iter()
                .filter(|(target, (original, by))| {
                    !model::is_blank(original)
                        && written
                            .get(by)
                            .and_then(Option::as_ref)
                            .is_some_and(|o| o.primary() != lang.primary())
                        && !have.contains(&(target.as_str(), lang.primary()))
                })
                .count(),
            kind: kind.to_owned(),
            lang,
        })
        .collect();
    Ok(TranslationsView {
        languages,
        translations: Vec::new(),
        record_lang: None,
        missing,
    })
}

/// The translations (of one record, into one language, if asked), and what lacks one (asked
/// of the whole coalition only: of one record, the coalition is not read whole).
pub fn list(
    r: &mut Replica,
    c: &CoalitionId,
    q: &TranslationsQuery,
) -> anyhow::Result<TranslationsView> {
    let lang: Option<Language> = q.lang.as_deref().map(str::parse).transpose()?;
    match (q.missing_of.as_deref().map(str::trim), q.issues_missing) {
        (Some(kind), _) => return kind_missing(r, c, kind, lang),
        (None, true) => {
            let lang = lang.ok_or_else(|| {
                super::Invalid("say which language the issues lack (lang)".to_owned())
            })?;
            return kind_missing(r, c, "issues", Some(lang));
        }
        (None, false) => {}
    }
    let record = match q.record.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(given) if given.eq_ignore_ascii_case("charter") => Some("charter".to_owned()),
        Some(given) => {
            let (collection, id) = super::locate_among(
                r,
                c,
                &["issues", "proposals", "meetings", "charter/goals"],
                "record",
                given,
            )?;
            Some(format!("{collection}/{id}"))
        }
    };
    let state = match &record {
        Some(record) => partial(r, c, record)?,
        None => r
            .read(c)
            .with_context(|| format!("could not read coalition {c}"))?,
    };
    let all = match &record {
        Some(record) => r.translations_of(c, record),
        None => r.translations(c),
    }
    .with_context(|| format!("could not read coalition {c}"))?;
    // Named as every view names members: one whose name reads like another's with its id.
    let names = super::names(r, c, all.iter().map(|t| &t.by))?;
    let by_name = |m: &model::MemberId| match model::shown_name(&names, m) {
        model::ShownName::Id => m.short().to_owned(),
        model::ShownName::Alike(n) => format!("{n} ({})", m.short()),
        model::ShownName::Own(n) => n.to_owned(),
    };
    let translations = all
        .iter()
        .filter(|t| {
            lang.as_ref()
                .is_none_or(|l| t.lang.primary() == l.primary())
        })
        .filter_map(|t| {
            let target = t.target()?;
            // The charter's translations take in its goals' (each goal a record of its own).
            let of_it = |r: &String| {
                let t = target.record();
                t == *r || (r == "charter" && t.starts_with("charter/"))
            };
            if record.as_ref().is_some_and(|r| !of_it(r)) {
                return None;
            }
            let original = target.original(&state).map(str::to_owned);
            Some(TranslationView {
                by_name: by_name(&t.by),
                current: original.as_deref().is_some_and(|o| t.translates(o)),
                original,
                original_lang: original_language(&state, &target),
                translation: t.clone(),
            })
        })
        .collect();
    let languages = working_languages(state.members.values());
    let missing = match (&record, &lang) {
        (Some(_), _) => Vec::new(),
        (None, Some(l)) => missing_in(&state, &all, l),
        (None, None) => languages
            .iter()
            .flat_map(|l| missing_in(&state, &all, l))
            .collect(),
    };
    let record_lang = record.as_deref().and_then(|r| record_language(&state, r));
    Ok(TranslationsView {
        languages,
        translations,
        record_lang,
        missing,
    })
}

/// The language of `record`'s author (the founder's, for the charter and its goals).
fn record_language(state: &Coalition, record: &str) -> Option<Language> {
    let target = match record.split_once('/') {
        Some(("issues", id)) => Target::IssueTitle(id.parse().ok()?),
        Some(("proposals", id)) => Target::ProposalTitle(id.parse().ok()?),
        Some(("meetings", id)) => Target::Minutes(id.parse().ok()?),
        _ => Target::CharterFrame,
    };
    original_language(state, &target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::tests::replica;

    /// What a listing counts from headers is what the whole read counts, for each kind and
    /// language: untranslated, translated, translated from an earlier wording, blank, and in
    /// the reader's language already.
    #[test]
    fn listings_count_from_headers_as_the_whole_read_does() {
        let (_dir, mut r, c) = replica();
        crate::ops::members::update_profile(
            &mut r,
            &c,
            crate::ops::members::ProfileRequest {
                languages: Some(vec!["en".into()]),
                ..Default::default()
            },
        )
        .unwrap();
        let twin = model::MemberId::from_bytes([9; 16]);
        r.edit(&c, |doc, a| {
            let mut profile = model::MemberProfile::named("Familias Unidas");
            profile.languages = vec!["es".into()];
            doc.admit_member(
                &a.member,
                &twin,
                &profile,
                model::NodeKey::from_bytes([9; 32]),
                a.now,
            )
        })
        .unwrap();
        let issue = |r: &mut Replica, title: &str| {
            crate::ops::issues::create(
                r,
                &c,
                crate::ops::issues::NewIssueRequest {
                    title: title.into(),
                    ..Default::default()
                },
            )
            .unwrap()
        };
        let fares = issue(&mut r, "Bus fares are too high");
        let rent = issue(&mut r, "Rent is too high");
        issue(&mut r, "Heat in winter");
        let proposal = |r: &mut Replica, title: &str| {
            crate::ops::proposals::create(
                r,
                &c,
                crate::ops::proposals::NewProposalRequest {
                    kind: "general".into(),
                    title: title.into(),
                    ..Default::default()
                },
            )
            .unwrap()
        };
        let campaign = proposal(&mut r, "Adopt the fare campaign");
        proposal(&mut r, "Join the march");
        crate::ops::meetings::create(
            &mut r,
            &c,
            crate::ops::meetings::NewMeetingRequest {
                date: "2026-11-20".into(),
                minutes: "Agreed to start.".into(),
                ..Default::default()
            },
        )
        .unwrap();
        crate::ops::meetings::create(
            &mut r,
            &c,
            crate::ops::meetings::NewMeetingRequest {
                date: "2026-11-27".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let translate = |r: &mut Replica, record: String, lang: &str| {
            super::translate(
                r,
                &c,
                TranslateRequest {
                    record,
                    field: "title".into(),
                    lang: lang.into(),
                    text: "Traducción".into(),
                    machine: false,
                },
            )
            .unwrap();
        };
        translate(&mut r, fares.to_string(), "es");
        translate(&mut r, rent.to_string(), "es-MX");
        translate(&mut r, campaign.to_string(), "es");
        // An issue's title changes: its translation is of an earlier wording.
        crate::ops::issues::edit(
            &mut r,
            &c,
            rent.as_ref(),
            crate::ops::issues::IssueEditRequest {
                title: Some("Rents are too high".into()),
                ..Default::default()
            },
        )
        .unwrap();

        let whole = r.read(&c).unwrap();
        let all = r.translations(&c).unwrap();
        for lang in ["es", "en", "fr"] {
            let lang: Language = lang.parse().unwrap();
            let expected = missing_in(&whole, &all, &lang);
            for kind in ["issues", "proposals", "meetings"] {
                let counted = list(
                    &mut r,
                    &c,
                    &TranslationsQuery {
                        lang: Some(lang.to_string()),
                        missing_of: Some(kind.into()),
                        ..Default::default()
                    },
                )
                .unwrap();
                let want = expected.iter().find(|m| m.kind == kind).unwrap();
                assert_eq!(counted.missing, vec![want.clone()], "{kind} into {lang}");
            }
        }
        let es = |kind: &str, r: &mut Replica| {
            list(
                r,
                &c,
                &TranslationsQuery {
                    missing_of: Some(kind.into()),
                    ..Default::default()
                },
            )
            .unwrap()
            .missing
        };
        // Without a language: each the members work in, English (the founder's, first by
        // tag among equals) then Spanish.
        let issues = es("issues", &mut r);
        assert_eq!(
            issues
                .iter()
                .map(|m| (m.lang.to_string(), m.count))
                .collect::<Vec<_>>(),
            vec![("en".to_owned(), 0), ("es".to_owned(), 2)],
            "the changed title lacks one again"
        );
        assert_eq!(es("proposals", &mut r)[1].count, 1);
        assert_eq!(
            es("meetings", &mut r)[1].count,
            1,
            "blank minutes need none"
        );
        let wrong = list(
            &mut r,
            &c,
            &TranslationsQuery {
                missing_of: Some("pools".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            wrong.to_string().contains("issues, proposals or meetings"),
            "{wrong}"
        );
    }
}
