//! What people type to name a record: a whole id or a unique prefix of one, resolved among the
//! ids a collection holds ([`resolve_prefix`]). The model takes whole ids only; the replica
//! resolves coalitions, and `commands` the records within one.

/// Resolves a unique prefix of an id among `candidates`.
///
/// An exact match wins; otherwise exactly one candidate must start with `prefix`.
///
/// ```
/// let ids = ["abc1", "abd2", "ff00"];
/// assert_eq!(replica::resolve_prefix("ab", "issue", ids.iter().copied()).unwrap_err().to_string(),
///            "`ab` matches 2 issues: abc1, abd2");
/// assert_eq!(replica::resolve_prefix("f", "issue", ids.iter().copied()).unwrap(), "ff00");
/// ```
pub fn resolve_prefix<'a>(
    prefix: &str,
    what: &'static str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Result<&'a str, PrefixError> {
    let prefix_lower = prefix.to_ascii_lowercase();
    if prefix_lower.is_empty() {
        return Err(PrefixError::Empty { what });
    }
    let mut matches: Vec<&'a str> = Vec::new();
    for candidate in candidates {
        if candidate == prefix_lower {
            return Ok(candidate);
        }
        if candidate.starts_with(&prefix_lower) {
            matches.push(candidate);
        }
    }
    match matches.len() {
        0 => Err(PrefixError::NotFound {
            what,
            given: prefix.to_owned(),
        }),
        1 => Ok(matches[0]),
        n => {
            matches.sort_unstable();
            Err(PrefixError::Ambiguous {
                what,
                given: prefix.to_owned(),
                count: n,
                examples: matches
                    .iter()
                    .take(5)
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    }
}

/// A prefix did not name exactly one record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PrefixError {
    /// No record starts with the prefix.
    #[error("no {what} with id `{given}`")]
    NotFound {
        /// Kind of record.
        what: &'static str,
        /// The prefix given.
        given: String,
    },
    /// Several records start with the prefix.
    #[error("`{given}` matches {count} {what}s: {examples}")]
    Ambiguous {
        /// Kind of record.
        what: &'static str,
        /// The prefix given.
        given: String,
        /// How many matched.
        count: usize,
        /// Up to five of them.
        examples: String,
    },
    /// The prefix was empty.
    #[error("an empty {what} id was given")]
    Empty {
        /// Kind of record.
        what: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_resolution_names_the_problem() {
        let ids = ["aaaa", "aabb", "bbbb"];
        assert_eq!(resolve_prefix("b", "pool", ids).unwrap(), "bbbb");
        assert!(matches!(
            resolve_prefix("a", "pool", ids),
            Err(PrefixError::Ambiguous { count: 2, .. })
        ));
        assert!(matches!(
            resolve_prefix("c", "pool", ids),
            Err(PrefixError::NotFound { .. })
        ));
        assert!(matches!(
            resolve_prefix("", "pool", ids),
            Err(PrefixError::Empty { .. })
        ));
        assert_eq!(resolve_prefix("AABB", "pool", ids).unwrap(), "aabb");
    }
}
