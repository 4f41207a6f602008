//! Links with other coalitions in words: the charter page lists the links in force, a link
//! proposal's page says what it decides. The other coalition's name was written on some
//! member's node: it reaches the sentence isolated and the page escaped.

use super::Chrome;
use crate::i18n::Arg;

/// What a link's terms say, whichever carries them (a link in force, a proposal).
pub(crate) struct Terms<'a> {
    pub(crate) name: &'a str,
    /// The other coalition's whole id.
    pub(crate) coalition: &'a str,
    pub(crate) relation: &'a str,
    pub(crate) publish: Vec<&'a str>,
    pub(crate) threshold: u64,
    pub(crate) accept: Vec<&'a str>,
    pub(crate) their_threshold: u64,
    pub(crate) roster: Option<&'a str>,
    pub(crate) tags: Vec<&'a str>,
    pub(crate) goals: Vec<&'a str>,
    pub(crate) pools: Vec<&'a str>,
    pub(crate) weight: Option<u64>,
}

impl<'a> Terms<'a> {
    /// A proposal's terms.
    pub(crate) fn of(t: &'a model::schema::LinkTerms) -> Self {
        Self {
            name: &t.name,
            coalition: t.coalition.as_str(),
            relation: t.relation.as_str(),
            publish: t.publish.iter().map(|k| k.as_str()).collect(),
            threshold: t.threshold,
            accept: t.accept.iter().map(|k| k.as_str()).collect(),
            their_threshold: t.their_threshold,
            roster: t.roster.as_deref(),
            tags: t.tags.iter().map(String::as_str).collect(),
            goals: t.goals.iter().map(|g| g.as_str()).collect(),
            pools: t.pools.iter().map(|p| p.as_str()).collect(),
            weight: t.weight,
        }
    }

    /// A link in force's.
    pub(crate) fn listed(l: &'a commands::ops::links::LinkLine) -> Self {
        Self {
            name: &l.name,
            coalition: &l.coalition,
            relation: &l.relation,
            publish: l.publish.iter().map(String::as_str).collect(),
            threshold: l.threshold,
            accept: l.accept.iter().map(String::as_str).collect(),
            their_threshold: l.their_threshold,
            roster: l.roster.as_deref(),
            tags: l.tags.iter().map(String::as_str).collect(),
            goals: l.goals.iter().map(String::as_str).collect(),
            pools: l.pools.iter().map(String::as_str).collect(),
            weight: l.weight,
        }
    }
}

/// The kinds of statement in words (`shared-KIND`), or the catalog's "nothing".
fn kinds(c: &Chrome, ks: &[&str]) -> String {
    if ks.is_empty() {
        return c.t("link-kinds-none");
    }
    ks.iter()
        .map(|k| c.t(&format!("shared-{k}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One sentence saying the link: with whom, what each side is, what crosses it and who signs.
pub(crate) fn sentence(c: &Chrome, t: &Terms<'_>) -> String {
    // Only the directions the link carries (a link publishing nothing says only what it takes).
    let side = match (t.publish.is_empty(), t.accept.is_empty()) {
        (false, true) => "-out",
        (true, false) => "-in",
        _ => "",
    };
    let id = match t.relation {
        "end" => "link-end".to_owned(),
        "affiliate" => format!("link-affiliate{side}"),
        _ => format!("link-parent{side}"),
    };
    c.tw(
        &id,
        &[
            ("name", Arg::Text(t.name.to_owned())),
            (
                "id",
                Arg::Own(t.coalition.get(..8).unwrap_or(t.coalition).to_owned()),
            ),
            ("publish", Arg::Own(kinds(c, &t.publish))),
            (
                "threshold",
                Arg::Count(usize::try_from(t.threshold).unwrap_or(usize::MAX)),
            ),
            ("accept", Arg::Own(kinds(c, &t.accept))),
            (
                "their",
                Arg::Count(usize::try_from(t.their_threshold).unwrap_or(usize::MAX)),
            ),
        ],
    )
}

/// The rest of the terms, a line each: the whole ids a voter checks against what the other
/// coalition gave (a lookalike could share a prefix), what is published only, an affiliate's
/// weight.
pub(crate) fn details(c: &Chrome, t: &Terms<'_>) -> Vec<String> {
    let own = |s: &str| Arg::Own(s.to_owned());
    let mut out = vec![c.tw("link-id", &[("id", own(t.coalition))])];
    if let Some(r) = t.roster {
        out.push(c.tw("link-roster", &[("roster", Arg::Text(r.to_owned()))]));
    }
    if !t.tags.is_empty() {
        out.push(c.tw("link-only-tags", &[("tags", Arg::Text(t.tags.join(", ")))]));
    }
    if !t.goals.is_empty() {
        out.push(c.tw("link-only-goals", &[("ids", own(&t.goals.join(", ")))]));
    }
    if !t.pools.is_empty() {
        out.push(c.tw("link-only-pools", &[("ids", own(&t.pools.join(", ")))]));
    }
    if t.relation == "affiliate" {
        out.push(match t.weight {
            Some(w) => c.tw("link-weight", &[("weight", own(&w.to_string()))]),
            None => c.t("link-weight-members"),
        });
    }
    out
}
