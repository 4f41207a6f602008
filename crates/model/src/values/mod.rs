//! Value types that cannot hold an invalid value: amounts, ranks, fractions, dates, keys and
//! the closed vocabularies of the domain (decision kinds, methods, statuses...).
//!
//! Each is stored in the Automerge document as a plain scalar (string or integer) and checked
//! again when read back, so a malformed document is reported instead of misread.
//!
//! By family: the node key (`node_key`), times and days (`time`), bounded numbers
//! (`numbers`), the closed vocabularies (`vocabulary`) and issue tags (`tags`). The error they
//! all give and the serde helper they share are here.

mod node_key;
mod numbers;
mod tags;
mod time;
mod vocabulary;

pub use node_key::NodeKey;
pub use numbers::{Amount, Fraction, Rank};
pub use tags::{SUGGESTED_TAGS, normalize_tag};
pub use time::{Day, Timestamp};
pub use vocabulary::{
    AccessKind, Answer, DecisionKind, EntryKind, IssueStatus, LinkRelation, MethodName, PoolKind,
    RoleName, RuleKind, SharedKind, Stance,
};

use autosurgeon::HydrateError;

/// A value given by a person or a document was out of its domain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} `{given}`: {expected}")]
pub struct ValueError {
    /// What kind of value, e.g. "amount".
    pub what: &'static str,
    /// What was given.
    pub given: String,
    /// What was expected instead.
    pub expected: String,
}

impl ValueError {
    pub(crate) fn new(
        what: &'static str,
        given: impl Into<String>,
        expected: impl Into<String>,
    ) -> Self {
        Self {
            what,
            given: given.into(),
            expected: expected.into(),
        }
    }
}

/// A name as people read it: without the characters that draw nothing or only steer
/// direction, its white space collapsed, in lower case. Two members whose names read alike
/// (one renamed to another's, or to it with a zero-width space) are told apart by their ids
/// wherever names are shown.
pub fn name_as_read(name: &str) -> String {
    let shown: String = name
        .chars()
        .filter(|c| !invisible(*c) && !steers_direction(*c))
        .collect();
    let read = shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    // Without short ids written at its end, as views show alike names: a member naming
    // itself "Northside (a1a1a1a1)" reads like "Northside", so both show their real ids.
    let mut read = read.as_str();
    while let Some((name, id)) = read.strip_suffix(')').and_then(|r| r.rsplit_once('('))
        && id.len() == 8
        && id.bytes().all(|b| b.is_ascii_hexdigit())
    {
        read = name.trim_end();
    }
    read.to_owned()
}

/// Whether `c` draws nothing (besides white space): see [`is_blank`].
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}'
            ..='\u{200d}'
                | '\u{2060}'
                | '\u{feff}'
                | '\u{180e}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{ffa0}'
    )
}

/// Whether `c` only marks or steers the direction of text.
fn steers_direction(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}') || is_bidi_control(c)
}

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069): text written elsewhere must not bring these to a terminal or a page,
/// where they would reorder what follows it.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a member's name is shown beside the other names of a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownName<'a> {
    /// Not among the names, or showing nothing ([`name_as_read`] is empty): its id instead.
    Id,
    /// Read like another member's name among them: with its id beside it.
    Alike(&'a str),
    /// Its own.
    Own(&'a str),
}

/// How member `m`'s name among `names` is shown: a name that reads like another member's
/// (one renamed to another's, or to it with characters that draw nothing) carries the id
/// beside it, so that neither passes for the other.
pub fn shown_name<'a>(
    names: &'a std::collections::BTreeMap<crate::MemberId, String>,
    m: &crate::MemberId,
) -> ShownName<'a> {
    let Some(name) = names.get(m) else {
        return ShownName::Id;
    };
    let read = name_as_read(name);
    if read.is_empty() {
        ShownName::Id
    } else if names
        .iter()
        .any(|(other, n)| other != m && name_as_read(n) == read)
    {
        ShownName::Alike(name)
    } else {
        ShownName::Own(name)
    }
}

/// Whether `text` shows nothing: only white space and characters that draw nothing (zero-width
/// spaces and joiners, the word joiner, the byte-order mark, the Mongolian vowel separator,
/// the Braille blank and the Hangul fillers). A block's reason must show something (it tells
/// the other members what to address), and these would pass for one while saying nothing.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || invisible(c))
}

fn hydrate_error(e: ValueError) -> HydrateError {
    HydrateError::unexpected(e.expected, format!("{} `{}`", e.what, e.given))
}

/// `Deserialize` through `FromStr`, for the values serialized as their text: what the API's
/// replies carry back to the command line.
macro_rules! deserialize_from_str {
    ($($name:ty),+ $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}
pub(crate) use deserialize_from_str;

deserialize_from_str!(NodeKey, Day, Amount, Fraction);

#[cfg(test)]
mod tests;
