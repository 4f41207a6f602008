//! Translations of shared records' free text into the languages members work in.
//!
//! A translation is its author's own record, kept in the author's member record
//! (`members/<member>/translations/<key>`), so only the author's nodes may write it: the rule
//! that keeps a member's record its own keeps its translations its own, on every node. The
//! key names what is translated and into which language ([`key`]): `TARGET@LANG`, where
//! `TARGET` is the translated field's path in the document (`issues/<id>/title`,
//! `charter/frame`...), and a list item (a charter value or commitment, a piece of evidence)
//! is named by a digest of its text, so that a translation follows its item wherever
//! concurrent edits place it, and no longer applies once the item says something else.
//!
//! The original stays the original: its language is its author's first working language
//! ([`original_language`]), unless the author's profile names none.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use automerge::{ObjType, ScalarValue, Value};
use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use crate::ids::{GoalId, IssueId, MeetingId, MemberId, ProposalId};
use crate::schema::Coalition;
use crate::values::{Timestamp, ValueError};

/// Hex digits of a list item's digest in a target.
const DIGEST_LEN: usize = 16;

/// A language, as a BCP 47 tag of a language and an optional region: `es`, `en`, `ase`
/// (American Sign Language, written glosses), `es-MX`, `zh-TW`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Language(String);

impl Language {
    /// Its tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its language without the region (`es` of `es-MX`).
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

impl FromStr for Language {
    type Err = ValueError;
    /// Two or three letters, then optionally `-` and a region of two letters or three digits;
    /// written in any case, kept as BCP 47 writes it (`es-mx` is `es-MX`).
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::new(
                "language",
                s,
                "a language code such as es, en, ase or es-MX (two or three letters, then \
                 optionally a region)",
            )
        };
        let t = s.trim();
        let (lang, region) = match t.split_once('-') {
            Some((l, r)) => (l, Some(r)),
            None => (t, None),
        };
        if !(2..=3).contains(&lang.len()) || !lang.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(bad());
        }
        let region = match region {
            None => None,
            Some(r) if r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Some(r.to_ascii_uppercase())
            }
            Some(r) if r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()) => Some(r.to_owned()),
            Some(_) => return Err(bad()),
        };
        let lang = lang.to_ascii_lowercase();
        Ok(Language(match region {
            Some(r) => format!("{lang}-{r}"),
            None => lang,
        }))
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

crate::values::deserialize_from_str!(Language);

/// The digest that names a list item by its text: the first 16 hex digits of its SHA-256.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(DIGEST_LEN);
    for b in d.iter().take(DIGEST_LEN / 2) {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Whether `s` is a [`digest`] (16 lower-case hex digits).
pub fn is_digest(s: &str) -> bool {
    s.len() == DIGEST_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a translation translates: one field of a shared record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// The charter's frame.
    CharterFrame,
    /// A value of the charter, by the digest of its text.
    CharterValue(String),
    /// A commitment of the charter, by the digest of its text.
    CharterCommitment(String),
    /// A goal's title.
    GoalTitle(GoalId),
    /// An issue's title.
    IssueTitle(IssueId),
    /// An issue's description.
    IssueDescription(IssueId),
    /// A piece of evidence's figure, by the digest of the figure.
    Evidence(IssueId, String),
    /// A proposal's title.
    ProposalTitle(ProposalId),
    /// A proposal's text.
    ProposalText(ProposalId),
    /// The reason a member gave for its position on a proposal.
    Reason(ProposalId, MemberId),
    /// A meeting's minutes.
    Minutes(MeetingId),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::CharterFrame => f.write_str("charter/frame"),
            Target::CharterValue(d) => write!(f, "charter/values/{d}"),
            Target::CharterCommitment(d) => write!(f, "charter/commitments/{d}"),
            Target::GoalTitle(g) => write!(f, "charter/goals/{g}/title"),
            Target::IssueTitle(i) => write!(f, "issues/{i}/title"),
            Target::IssueDescription(i) => write!(f, "issues/{i}/description"),
            Target::Evidence(i, d) => write!(f, "issues/{i}/evidence/{d}"),
            Target::ProposalTitle(p) => write!(f, "proposals/{p}/title"),
            Target::ProposalText(p) => write!(f, "proposals/{p}/text"),
            Target::Reason(p, m) => write!(f, "proposals/{p}/positions/{m}/reason"),
            Target::Minutes(m) => write!(f, "meetings/{m}/minutes"),
        }
    }
}

impl FromStr for Target {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::new(
                "translated field",
                s,
                "the path of a translatable field, such as issues/ID/title or charter/frame",
            )
        };
        let id = |s: &str| -> Result<String, ValueError> {
            if crate::ids::is_id(s) {
                Ok(s.to_owned())
            } else {
                Err(bad())
            }
        };
        let parts: Vec<&str> = s.split('/').collect();
        Ok(match parts.as_slice() {
            ["charter", "frame"] => Target::CharterFrame,
            ["charter", "values", d] if is_digest(d) => Target::CharterValue((*d).to_owned()),
            ["charter", "commitments", d] if is_digest(d) => {
                Target::CharterCommitment((*d).to_owned())
            }
            ["charter", "goals", g, "title"] => {
                Target::GoalTitle(id(g)?.parse().map_err(|_| bad())?)
            }
            ["issues", i, "title"] => Target::IssueTitle(id(i)?.parse().map_err(|_| bad())?),
            ["issues", i, "description"] => {
                Target::IssueDescription(id(i)?.parse().map_err(|_| bad())?)
            }
            ["issues", i, "evidence", d] if is_digest(d) => {
                Target::Evidence(id(i)?.parse().map_err(|_| bad())?, (*d).to_owned())
            }
            ["proposals", p, "title"] => Target::ProposalTitle(id(p)?.parse().map_err(|_| bad())?),
            ["proposals", p, "text"] => Target::ProposalText(id(p)?.parse().map_err(|_| bad())?),
            ["proposals", p, "positions", m, "reason"] => Target::Reason(
                id(p)?.parse().map_err(|_| bad())?,
                id(m)?.parse().map_err(|_| bad())?,
            ),
            ["meetings", m, "minutes"] => Target::Minutes(id(m)?.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        })
    }
}

impl Target {
    /// The record it belongs to, as the history names records: `issues/<id>`, `charter`...
    pub fn record(&self) -> String {
        match self {
            Target::CharterFrame | Target::CharterValue(_) | Target::CharterCommitment(_) => {
                "charter".to_owned()
            }
            Target::GoalTitle(g) => format!("charter/goals/{g}"),
            Target::IssueTitle(i) | Target::IssueDescription(i) | Target::Evidence(i, _) => {
                format!("issues/{i}")
            }
            Target::ProposalTitle(p) | Target::ProposalText(p) | Target::Reason(p, _) => {
                format!("proposals/{p}")
            }
            Target::Minutes(m) => format!("meetings/{m}"),
        }
    }

    /// The original text in `state`, if the field is there (and says something).
    pub fn original<'a>(&self, state: &'a Coalition) -> Option<&'a str> {
        let c = &state.charter;
        let text: &str = match self {
            Target::CharterFrame => &c.frame.0,
            Target::CharterValue(d) => c.values.iter().find(|v| digest(v) == *d)?,
            Target::CharterCommitment(d) => c.commitments.iter().find(|v| digest(v) == *d)?,
            Target::GoalTitle(g) => &c.goals.get(g)?.title,
            Target::IssueTitle(i) => &state.issues.get(i)?.title,
            Target::IssueDescription(i) => &state.issues.get(i)?.description.0,
            Target::Evidence(i, d) => {
                &state
                    .issues
                    .get(i)?
                    .evidence
                    .iter()
                    .find(|e| digest(&e.figure) == *d)?
                    .figure
            }
            Target::ProposalTitle(p) => &state.proposals.get(p)?.title,
            Target::ProposalText(p) => &state.proposals.get(p)?.text.0,
            Target::Reason(p, m) => &state.proposals.get(p)?.positions.get(m)?.reason,
            Target::Minutes(m) => &state.meetings.get(m)?.minutes.0,
        };
        (!crate::is_blank(text)).then_some(text)
    }

    /// The member whose words the original are: the record's author (for the charter, the
    /// founder: the first member to join).
    pub fn author(&self, state: &Coalition) -> Option<MemberId> {
        Some(match self {
            Target::CharterFrame | Target::CharterValue(_) | Target::CharterCommitment(_) => state
                .members
                .values()
                .chain(state.former_members.values().map(|d| &d.member))
                .min_by_key(|m| (m.joined_at, m.id.clone()))?
                .id
                .clone(),
            Target::GoalTitle(g) => state.charter.goals.get(g)?.added_by.clone(),
            Target::IssueTitle(i) | Target::IssueDescription(i) => {
                state.issues.get(i)?.raised_by.clone()
            }
            Target::Evidence(i, d) => state
                .issues
                .get(i)?
                .evidence
                .iter()
                .find(|e| digest(&e.figure) == *d)?
                .added_by
                .clone(),
            Target::ProposalTitle(p) | Target::ProposalText(p) => {
                state.proposals.get(p)?.author.clone()
            }
            Target::Reason(_, m) => m.clone(),
            Target::Minutes(m) => state.meetings.get(m)?.recorded_by.clone(),
        })
    }
}

/// The language the original of `target` is in: its author's first working language, if its
/// profile names one that reads as a language.
pub fn original_language(state: &Coalition, target: &Target) -> Option<Language> {
    let author = target.author(state)?;
    let member = state
        .members
        .get(&author)
        .or_else(|| state.former_members.get(&author).map(|d| &d.member))?;
    member.languages.iter().find_map(|l| l.parse().ok())
}

/// The key of a translation of `target` into `lang` in its author's record.
pub fn key(target: &Target, lang: &Language) -> String {
    format!("{target}@{lang}")
}

/// What a key names: the target and the language; `None` for a key of no translation.
pub fn parse_key(key: &str) -> Option<(Target, Language)> {
    let (target, lang) = key.rsplit_once('@')?;
    let lang: Language = lang.parse().ok()?;
    // The key as written must be the canonical one (`es-MX`, not `ES-mx`): one key per
    // translation, so an author cannot hold two of the same field into one language.
    (key.ends_with(&format!("@{lang}"))).then_some(())?;
    let parsed: Target = target.parse().ok()?;
    (parsed.to_string() == target).then_some((parsed, lang))
}

/// A translation as its author's record stores it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate)]
pub struct Stored {
    /// The translated text.
    pub text: String,
    /// Whether a machine translated it (the member says so).
    pub machine: bool,
    /// When it was written.
    pub at: Timestamp,
    /// The [`digest`] of the original it translates: once the original says something else,
    /// the translation is of an earlier version, and is not shown as this one's.
    pub of: String,
}

/// A translation, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Translation {
    /// What it translates (`issues/<id>/title`, `charter/frame`...).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub target: String,
    /// Into which language.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lang: Language,
    /// The member that translated it.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub by: MemberId,
    /// Whether a machine translated it.
    pub machine: bool,
    /// The translated text.
    pub text: String,
    /// When it was written.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// The digest of the original it translates ([`digest`]).
    pub of: String,
}

impl Translation {
    /// Whether it translates `original` as it says now (not an earlier version of it).
    pub fn translates(&self, original: &str) -> bool {
        digest(original) == self.of
    }

    /// Its target, parsed (every stored key parses: the rules refuse any other).
    pub fn target(&self) -> Option<Target> {
        self.target.parse().ok()
    }
}

/// The translation stored at `key` of `map`, if it reads.
fn stored<D: automerge::ReadDoc>(doc: &D, map: &automerge::ObjId, key: &str) -> Option<Stored> {
    let Ok(Some((Value::Object(ObjType::Map), entry))) = doc.get(map, key) else {
        return None;
    };
    let scalar = |field: &str| crate::owned::scalar(doc, &entry, field);
    let text = match scalar("text")? {
        ScalarValue::Str(s) => s.to_string(),
        _ => return None,
    };
    let machine = match scalar("machine")? {
        ScalarValue::Boolean(b) => b,
        _ => return None,
    };
    let at = crate::owned::time(scalar("at")?)?;
    let of = match scalar("of")? {
        ScalarValue::Str(s) if is_digest(&s) => s.to_string(),
        _ => return None,
    };
    Some(Stored {
        text,
        machine,
        at,
        of,
    })
}

/// Every translation `doc` holds, by key then author: each member's `translations` map
/// (where a member's nodes made it at once, each of the maps: Automerge keeps both, and
/// neither node's translations are lost), each entry that reads.
pub fn read_all<D: automerge::ReadDoc>(doc: &D) -> Vec<Translation> {
    read_matching(doc, |_| true)
}

/// The translations of the targets `wanted` admits (given a target's path): only their keys
/// are read for the others, never their texts.
pub fn read_matching<D: automerge::ReadDoc>(
    doc: &D,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Translation> {
    let mut out: BTreeMap<(String, MemberId), Translation> = BTreeMap::new();
    for (by, maps) in crate::owned::member_maps(doc, "translations") {
        for map in maps {
            for k in doc.keys(&map) {
                if !k.rsplit_once('@').is_some_and(|(t, _)| wanted(t)) {
                    continue;
                }
                let Some((target, lang)) = parse_key(&k) else {
                    continue;
                };
                let Some(stored) = stored(doc, &map, &k) else {
                    continue;
                };
                let t = Translation {
                    target: target.to_string(),
                    lang,
                    by: by.clone(),
                    machine: stored.machine,
                    text: stored.text,
                    at: stored.at,
                    of: stored.of,
                };
                // Of one member's two maps holding the same key, the later writing.
                let slot = (k.clone(), by.clone());
                if out.get(&slot).is_none_or(|o| o.at < t.at) {
                    out.insert(slot, t);
                }
            }
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn target() -> impl Strategy<Value = Target> {
        let id = "[0-9a-f]{32}";
        let d = "[0-9a-f]{16}";
        prop_oneof![
            Just(Target::CharterFrame),
            d.prop_map(Target::CharterValue),
            d.prop_map(Target::CharterCommitment),
            id.prop_map(|i| Target::GoalTitle(i.parse().unwrap())),
            id.prop_map(|i| Target::IssueTitle(i.parse().unwrap())),
            id.prop_map(|i| Target::IssueDescription(i.parse().unwrap())),
            (id, d).prop_map(|(i, d)| Target::Evidence(i.parse().unwrap(), d)),
            id.prop_map(|i| Target::ProposalTitle(i.parse().unwrap())),
            id.prop_map(|i| Target::ProposalText(i.parse().unwrap())),
            (id, id).prop_map(|(p, m)| Target::Reason(p.parse().unwrap(), m.parse().unwrap())),
            id.prop_map(|i| Target::Minutes(i.parse().unwrap())),
        ]
    }

    proptest! {
        /// Whatever a peer puts as a key, reading it never panics, and only a key written as
        /// this node writes it reads as a translation (one key per field and language).
        #[test]
        fn only_canonical_keys_read_and_none_panics(k in "\\PC{0,160}") {
            if let Some((t, l)) = parse_key(&k) {
                prop_assert_eq!(key(&t, &l), k);
            }
        }

        /// Every translatable field into every language makes a key that reads back as them.
        #[test]
        fn every_key_written_reads_back(
            t in target(),
            l in "[a-zA-Z]{2,3}(-([a-zA-Z]{2}|[0-9]{3}))?",
        ) {
            let lang: Language = l.parse().unwrap();
            let k = key(&t, &lang);
            prop_assert_eq!(parse_key(&k), Some((t, lang)));
        }
    }

    #[test]
    fn languages_read_as_bcp_47_writes_them() {
        for (given, kept) in [
            ("es", "es"),
            ("EN", "en"),
            ("es-mx", "es-MX"),
            ("ase", "ase"),
            ("es-419", "es-419"),
        ] {
            assert_eq!(given.parse::<Language>().unwrap().as_str(), kept);
        }
        for bad in ["", "e", "spanish", "es-", "es_MX", "es-MEX", "1s", "es-M1"] {
            assert!(bad.parse::<Language>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_longest_keys_fit_what_sync_admits() {
        let id = "0123456789abcdef0123456789abcdef";
        let longest = key(
            &Target::Reason(id.parse().unwrap(), id.parse().unwrap()),
            &"ase-419".parse().unwrap(),
        );
        assert!(longest.len() <= crate::layout::MAX_KEY, "{}", longest.len());
        let answers = crate::plans::answer_key(&id.parse().unwrap(), &id.parse().unwrap());
        assert!(answers.len() <= crate::layout::MAX_KEY);
    }

    #[test]
    fn keys_are_canonical_and_name_a_translatable_field() {
        let id = "0123456789abcdef0123456789abcdef";
        let k = key(
            &Target::IssueTitle(id.parse().unwrap()),
            &"es-mx".parse().unwrap(),
        );
        assert_eq!(k, format!("issues/{id}/title@es-MX"));
        assert!(parse_key(&k).is_some());
        for bad in [
            format!("issues/{id}/title@es-mx"),
            format!("issues/{id}/status@es"),
            format!("issues/{id}/title"),
            format!("issues/{id}x/title@es"),
            "charter/values/xyz@es".to_owned(),
            "charter/frame@español".to_owned(),
            format!("issues/{id}/title@es@en"),
        ] {
            assert!(parse_key(&bad).is_none(), "{bad}");
        }
        let d = digest("solidarity");
        assert!(parse_key(&format!("charter/values/{d}@es")).is_some());
        assert_eq!(d.len(), 16);
    }
}
