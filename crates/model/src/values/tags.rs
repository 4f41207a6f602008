//! Issue tags: the identity tags suggested, and how a free tag is normalized.

use super::ValueError;

/// Identity tags suggested for issues (any other tag is accepted too).
pub const SUGGESTED_TAGS: &[&str] = &[
    "race",
    "ethnicity",
    "gender",
    "sexuality",
    "disability",
    "language",
    "immigration-status",
    "class",
    "age",
    "religion",
];

/// Normalizes a free tag: lowercase, words joined by `-`; refuses empty or overlong tags.
pub fn normalize_tag(tag: &str) -> Result<String, ValueError> {
    let words: Vec<String> = tag
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let t = words.join("-");
    if t.is_empty() || t.chars().count() > 40 || t.chars().any(char::is_control) {
        return Err(ValueError::new(
            "tag",
            tag,
            "1 to 40 characters, such as race or immigration-status",
        ));
    }
    Ok(t)
}
