//! Why a statement, a roster or a statements file was refused: each variant names what was
//! wrong, in words an operator can act on.

/// Why a statement or roster was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatementError {
    /// Bytes, a text or a list longer than its limit.
    #[error("the {what} is too large: {size}, the limit is {limit}")]
    TooLarge {
        /// What.
        what: &'static str,
        /// Its size (bytes, or characters for a text).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A list with more items than its limit.
    #[error("too many {what}: {count}, the limit is {limit}")]
    TooMany {
        /// What.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A format this version does not read.
    #[error(
        "statement format {found} is not one this node reads (it reads {})",
        crate::FORMAT
    )]
    Format {
        /// The format found.
        found: u8,
    },
    /// Bytes that do not decode, or a value breaking a rule of form.
    #[error("malformed: {what}")]
    Malformed {
        /// What is wrong.
        what: String,
    },
    /// Bytes that decode but are not the one encoding of what they hold (the same statement
    /// would then hash two ways), or a list out of its order.
    #[error("not in its one canonical form (encoding or order): {what}")]
    NotCanonical {
        /// What.
        what: &'static str,
    },
    /// A statement of another coalition than the roster chain's.
    #[error("the statement is published by coalition {found}, not {expected}")]
    OtherCoalition {
        /// The chain's coalition, hex.
        expected: String,
        /// The statement's, hex.
        found: String,
    },
    /// A roster where a statement was expected, or the reverse.
    #[error("expected {expected}, found a {found} statement")]
    WrongKind {
        /// What was expected.
        expected: &'static str,
        /// The kind found.
        found: crate::Kind,
    },
    /// A roster whose id is not the one pinned by the link decision.
    #[error("roster {found} is not the roster the link trusts ({pinned})")]
    NotPinned {
        /// The pinned id, hex.
        pinned: String,
        /// The id found, hex.
        found: String,
    },
    /// A roster that does not follow the newest one held.
    #[error("roster {version} does not follow roster {newest} ({what})")]
    BrokenChain {
        /// The version offered.
        version: u64,
        /// The newest version held.
        newest: u64,
        /// What does not follow.
        what: &'static str,
    },
    /// A statement signed under a roster that was replaced before it was dated, or one
    /// older than the rosters this chain keeps.
    #[error(
        "the statement is signed under roster {named}, which was replaced before it was dated \
         (the newest roster is {newest})"
    )]
    StaleRoster {
        /// The roster it names.
        named: u64,
        /// The newest held.
        newest: u64,
    },
    /// A statement signed under a roster not received yet: it may verify once that roster
    /// arrives.
    #[error(
        "the statement is signed under roster {named}, not received yet (the newest here is {newest})"
    )]
    UnknownRoster {
        /// The roster it names.
        named: u64,
        /// The newest held.
        newest: u64,
    },
    /// Fewer members signed than the threshold (signatures by keys the roster does not list,
    /// or that do not verify, are not counted).
    #[error("{}", too_few(*signed, *needed, *members, *roster, *not_listed, *bad))]
    TooFewSigners {
        /// Distinct members whose keys signed, counted.
        signed: usize,
        /// How many must.
        needed: usize,
        /// Members in the roster.
        members: usize,
        /// The roster version.
        roster: u64,
        /// Signatures by keys the roster does not list.
        not_listed: usize,
        /// Signatures by listed keys that do not verify.
        bad: usize,
    },
}

fn too_few(
    signed: usize,
    needed: usize,
    members: usize,
    roster: u64,
    not_listed: usize,
    bad: usize,
) -> String {
    let mut s = format!(
        "signed by {signed} of the {members} members of roster {roster}; {needed} must sign"
    );
    if needed > members {
        s.push_str(" (the roster has fewer members than the link asks to sign: the link's threshold must be lowered by a decision)");
    }
    if not_listed + bad > 0 {
        s.push_str(&format!(
            "; not counted: {not_listed} signature(s) by keys the roster does not list, {bad} that do not verify"
        ));
    }
    s
}

/// Why a statements file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// Larger than [`crate::MAX_FILE`].
    #[error("the file is {size} bytes; a statements file holds at most {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not a statements file at all.
    #[error("this is not a Coalesce statements file (it does not start as one)")]
    NotAStatementsFile,
    /// A file whose checksum does not match: changed or cut after it was written.
    #[error(
        "the file is damaged: its checksum does not match what it holds (changed or cut after it was written)"
    )]
    Damaged,
    /// A file that does not decode.
    #[error("the file is malformed: {what}")]
    Malformed {
        /// What is wrong.
        what: String,
    },
}

/// At most 40 characters of what someone typed, for an error message.
pub(crate) fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}
