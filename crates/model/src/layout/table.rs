//! The layout table: the scalar shapes, and every record kind of a coalition document with
//! its fields (the root last).

use std::borrow::Cow;

use automerge::ScalarValue;
use autosurgeon::Hydrate;

use super::{Field, Keys, Record, Scalar, Shape, text_up_to};
use crate::doc::{MAX_LONG, MAX_SHORT};
use crate::schema;
use crate::values::{
    Amount, Day, DecisionKind, EntryKind, Fraction, IssueStatus, MethodName, NodeKey, PoolKind,
    Rank, RuleKind, Stance, Timestamp,
};

/// Longest tag, in characters.
pub const MAX_TAG: usize = 40;

const fn field(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: false,
        later: false,
    }
}

const fn fixed(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: true,
        later: false,
    }
}

/// A field added after records of its kind were written ([`Field::later`]), written after its
/// record too.
const fn later(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: false,
        later: true,
    }
}

/// A field added after records of its kind were written ([`Field::later`]), fixed once its
/// record is written.
const fn later_fixed(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        shape,
        fixed: true,
        later: true,
    }
}

fn reads_as<T: Hydrate>(doc: &crate::rules::At<'_>, obj: &automerge::ObjId) -> Result<(), String> {
    T::hydrate_map(doc, obj)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn typed<T: Hydrate>(v: &ScalarValue) -> bool {
    T::hydrate_scalar(Cow::Borrowed(v)).is_ok()
}

const SHORT: Shape = Shape::Scalar(Scalar {
    what: "a text of at most 200 characters",
    check: |v| text_up_to(v, MAX_SHORT),
});
const LONG: Shape = Shape::Scalar(Scalar {
    what: "a text of at most 20,000 characters",
    check: |v| text_up_to(v, MAX_LONG),
});
const TAG: Shape = Shape::Scalar(Scalar {
    what: "a tag of at most 40 characters",
    check: |v| text_up_to(v, MAX_TAG),
});
const ID: Shape = Shape::Scalar(Scalar {
    what: "an id (32 hex digits)",
    check: |v| matches!(v, ScalarValue::Str(s) if crate::ids::is_id(s)),
});
/// A proposal's subject: `pool/entry`, `admit/member` or `remove/member`.
const SUBJECT: Shape = Shape::Scalar(Scalar {
    what: "a subject (pool/entry, admit/member or remove/member)",
    check: typed::<schema::Subject>,
});
const KEY: Shape = Shape::Scalar(Scalar {
    what: "a node key",
    check: typed::<NodeKey>,
});
const TIME: Shape = Shape::Scalar(Scalar {
    what: "a time",
    check: typed::<Timestamp>,
});
const NUMBER: Shape = Shape::Scalar(Scalar {
    what: "a whole number",
    check: typed::<u64>,
});
const DAY: Shape = Shape::Scalar(Scalar {
    what: "a day (YYYY-MM-DD)",
    check: typed::<Day>,
});
const AMOUNT: Shape = Shape::Scalar(Scalar {
    what: "an amount",
    check: typed::<Amount>,
});
const RANK: Shape = Shape::Scalar(Scalar {
    what: "a rank",
    check: typed::<Rank>,
});
const FRACTION: Shape = Shape::Scalar(Scalar {
    what: "a fraction",
    check: typed::<Fraction>,
});
const METHOD: Shape = Shape::Scalar(Scalar {
    what: "a decision method",
    check: typed::<MethodName>,
});
const DECISION: Shape = Shape::Scalar(Scalar {
    what: "a decision kind",
    check: typed::<DecisionKind>,
});
const RULE_KIND: Shape = Shape::Scalar(Scalar {
    what: "a rule kind",
    check: typed::<RuleKind>,
});
const ROLE_NAME: Shape = Shape::Scalar(Scalar {
    what: "a role (spokespeople, statement-signoff, delegates)",
    check: typed::<crate::values::RoleName>,
});
const LINK_RELATION: Shape = Shape::Scalar(Scalar {
    what: "a link relation (affiliate, parent, end)",
    check: typed::<crate::values::LinkRelation>,
});
const SHARED_KIND: Shape = Shape::Scalar(Scalar {
    what: "a kind of statement (issue, pool, goal, decision, call, mandate)",
    check: typed::<crate::values::SharedKind>,
});
/// A statement's id: 64 lowercase hex digits.
const STATEMENT_ID: Shape = Shape::Scalar(Scalar {
    what: "a statement id (64 lowercase hex digits)",
    check: |v| matches!(v, ScalarValue::Str(s) if crate::statements::is_id(s)),
});
const POOL_KIND: Shape = Shape::Scalar(Scalar {
    what: "a pool kind",
    check: typed::<PoolKind>,
});
const ISSUE_STATUS: Shape = Shape::Scalar(Scalar {
    what: "an issue status",
    check: typed::<IssueStatus>,
});
const STANCE: Shape = Shape::Scalar(Scalar {
    what: "a position",
    check: typed::<Stance>,
});
const ACCESS_KIND: Shape = Shape::Scalar(Scalar {
    what: "an access need (interpretation, access or childcare)",
    check: typed::<crate::values::AccessKind>,
});
const MINUTES: Shape = Shape::Scalar(Scalar {
    what: "a time box of at most 1440 minutes",
    // As written and read back: a whole number without sign (what a `u64` reads from).
    check: |v| matches!(v, ScalarValue::Uint(u) if *u <= 1440),
});
const ENTRY_KIND: Shape = Shape::Scalar(Scalar {
    what: "a ledger entry kind",
    check: typed::<EntryKind>,
});

const BOOL: Shape = Shape::Scalar(Scalar {
    what: "true or false",
    check: |v| matches!(v, ScalarValue::Boolean(_)),
});

const DIGEST: Shape = Shape::Scalar(Scalar {
    what: "a digest of a text (16 hex digits)",
    check: |v| matches!(v, ScalarValue::Str(s) if crate::translations::is_digest(s)),
});

const SHORTS: Shape = Shape::List(&SHORT);
/// A poll's method, as its text (`ranked`, `stv:2:meek`...), written as it reads back.
const POLL_METHOD: Shape = Shape::Scalar(Scalar {
    what: "a poll method (choose:1-2, score:5, dots:8, ranked, condorcet, stv:2:meek, time, budget:N)",
    check: |v| {
        matches!(v, ScalarValue::Str(s)
            if s.parse::<crate::poll::PollMethod>().is_ok_and(|m| m.to_string() == **s))
    },
});
/// A ballot, as its text (`rank:2,0,1`...): one way to write each.
const BALLOT_TEXT: Shape = Shape::Scalar(Scalar {
    what: "a ballot as text (rank:2,0,1, score:0=4...)",
    check: |v| matches!(v, ScalarValue::Str(s) if s.parse::<crate::poll::Ballot>().is_ok()),
});
/// A member's weight in polls: a whole number from 1 to a million.
const WEIGHT: Shape = Shape::Scalar(Scalar {
    what: "a weight (a whole number from 1 to 1000000)",
    check: |v| matches!(v, ScalarValue::Uint(u) if (1..=u64::from(schema::MAX_WEIGHT)).contains(u)),
});
const POLL_RULE: Shape = Shape::Scalar(Scalar {
    what: "a poll method a rule names (ranked, stv:2, budget, score:10)",
    check: |v| {
        matches!(v, ScalarValue::Str(s)
            if s.parse::<crate::poll::PollRule>().is_ok_and(|r| r.to_string() == **s))
    },
});
const WEIGHTS_OF: Shape = Shape::Map(Keys::Ids, &WEIGHT);
const IDS: Shape = Shape::List(&ID);
const KEYS: Shape = Shape::List(&KEY);

/// A decision rule.
pub static RULE: Record = Record {
    name: "rule",
    fields: &[
        field("method", METHOD),
        field("fraction", Shape::Optional(&FRACTION)),
        field("quorum", FRACTION),
        later_fixed("poll", Shape::Optional(&POLL_RULE)),
    ],
    reads: Some(reads_as::<crate::tally::Rule>),
};

/// The decision rules of a charter.
pub static RULES: Record = Record {
    name: "rules",
    fields: &[
        field("amendment", Shape::Record(&RULE)),
        field("membership", Shape::Record(&RULE)),
        field("allocation", Shape::Record(&RULE)),
        field("public_statement", Shape::Record(&RULE)),
        field("general", Shape::Record(&RULE)),
        field("admission", Shape::Optional(&Shape::Record(&RULE))),
        later("role", Shape::Record(&RULE)),
        later("link", Shape::Optional(&Shape::Record(&RULE))),
    ],
    reads: None,
};

/// Members' weights in polls, per kind of decision.
pub(super) static WEIGHTS: Record = Record {
    name: "weights",
    fields: &[
        field("amendment", WEIGHTS_OF),
        field("membership", WEIGHTS_OF),
        field("allocation", WEIGHTS_OF),
        field("public_statement", WEIGHTS_OF),
        field("general", WEIGHTS_OF),
        later("role", WEIGHTS_OF),
    ],
    reads: None,
};

/// The roles a charter assigns.
pub static ROLES: Record = Record {
    name: "roles",
    fields: &[
        field("facilitator_rotation", IDS),
        field("spokespeople", IDS),
        field("statement_signoff", IDS),
        later("delegates", IDS),
    ],
    reads: None,
};

/// A dated measurement of a goal's progress.
pub static PROGRESS: Record = Record {
    name: "progress entry",
    fields: &[
        fixed("day", DAY),
        fixed("value", AMOUNT),
        fixed("note", SHORT),
        fixed("by", ID),
    ],
    reads: None,
};

/// A shared goal.
pub static GOAL: Record = Record {
    name: "goal",
    fields: &[
        fixed("id", ID),
        field("title", SHORT),
        field("target", AMOUNT),
        field("unit", SHORT),
        field("progress", Shape::List(&Shape::Record(&PROGRESS))),
        fixed("added_by", ID),
    ],
    reads: None,
};

/// The charter as stored.
pub static CHARTER: Record = Record {
    name: "charter",
    fields: &[
        field("name", SHORT),
        field("frame", Shape::Prose),
        field("values", SHORTS),
        field("commitments", SHORTS),
        field("rules", Shape::Record(&RULES)),
        field("roles", Shape::Record(&ROLES)),
        field("equity_threshold", FRACTION),
        field("goals", Shape::Map(Keys::Ids, &Shape::Record(&GOAL))),
        field("version", NUMBER),
        later("weights", Shape::Record(&WEIGHTS)),
    ],
    reads: None,
};

/// A ratified charter version.
pub static CHARTER_VERSION: Record = Record {
    name: "charter version",
    fields: &[
        fixed("number", NUMBER),
        fixed("ratified_at", TIME),
        fixed("proposal", Shape::Optional(&ID)),
        fixed("agreed_by", IDS),
        fixed("name", SHORT),
        fixed("frame", LONG),
        fixed("values", SHORTS),
        fixed("commitments", SHORTS),
        fixed("rules", Shape::Record(&RULES)),
        fixed("roles", Shape::Record(&ROLES)),
        fixed("equity_threshold", FRACTION),
        later_fixed("weights", Shape::Record(&WEIGHTS)),
    ],
    reads: None,
};

/// A member's translation of a shared record's field (keyed by what it translates and the
/// language, in the member's own record).
pub static TRANSLATION: Record = Record {
    name: "translation",
    fields: &[
        field("text", LONG),
        field("machine", BOOL),
        field("at", TIME),
        field("of", DIGEST),
    ],
    reads: None,
};

const ANSWER: Shape = Shape::Scalar(Scalar {
    what: "an answer (yes, if-needed or no)",
    check: typed::<crate::values::Answer>,
});

/// A meeting a member proposes, with the times it could be held.
pub static MEETING_PLAN: Record = Record {
    name: "meeting plan",
    fields: &[
        fixed("title", SHORT),
        fixed("slots", Shape::List(&TIME)),
        fixed("at", TIME),
    ],
    reads: None,
};

/// A member's answers to a proposed meeting's times, one per time.
pub static AVAILABILITY: Record = Record {
    name: "availability",
    fields: &[
        field("answers", Shape::List(&ANSWER)),
        field("at", TIME),
        field("of", DIGEST),
    ],
    reads: None,
};

/// A statement's bytes, at most `federation::MAX_BODY` (that they are one canonical statement
/// is the rules' check when its draft is made: `Ctx::check_own_entry`).
const STATEMENT_BODY: Shape = Shape::Scalar(Scalar {
    what: "a statement's canonical bytes",
    check: |v| matches!(v, ScalarValue::Bytes(b) if b.len() <= federation::MAX_BODY),
});
/// An Ed25519 signature's 64 bytes.
const SIGNATURE: Shape = Shape::Scalar(Scalar {
    what: "a signature (64 bytes)",
    check: |v| matches!(v, ScalarValue::Bytes(b) if b.len() == 64),
});

/// A statement a member drafts, in its own record (its id the key), for members to co-sign
/// (`crate::statements::Draft`).
pub(super) static DRAFT: Record = Record {
    name: "statement draft",
    fields: &[fixed("body", STATEMENT_BODY), fixed("at", TIME)],
    reads: None,
};

/// A signed statement's bytes, at most `federation::MAX_SIGNED` (that they are one signed
/// statement of a linked coalition, taken by its link, is the rules' check when it is stored:
/// `Ctx::check_own_entry`).
const SIGNED_STATEMENT: Shape = Shape::Scalar(Scalar {
    what: "a signed statement's bytes",
    check: |v| matches!(v, ScalarValue::Bytes(b) if b.len() <= federation::MAX_SIGNED),
});

/// A statement of a linked coalition a member's node carried in, in its own record (the
/// statement's id the key).
pub(super) static RECEIVED: Record = Record {
    name: "received statement",
    fields: &[fixed("body", SIGNED_STATEMENT), fixed("at", TIME)],
    reads: None,
};

/// A member's co-signature of a statement, by one of its node keys, in its own record (the
/// statement's id the key).
pub(super) static COSIGN: Record = Record {
    name: "co-signature",
    fields: &[
        fixed("key", KEY),
        fixed("signature", SIGNATURE),
        fixed("at", TIME),
    ],
    reads: None,
};

/// A member organization.
pub static MEMBER: Record = Record {
    name: "member",
    fields: &[
        fixed("id", ID),
        field("name", SHORT),
        field("communities", SHORTS),
        field("languages", SHORTS),
        field("accessibility", SHORTS),
        field("contact", SHORT),
        field("keys", Shape::List(&KEY)),
        fixed("joined_at", TIME),
        field("left_at", Shape::Optional(&TIME)),
        fixed("admission", Shape::Optional(&ID)),
        field("flagged", KEYS),
        field(
            "translations",
            Shape::Optional(&Shape::Map(
                Keys::Translations,
                &Shape::Record(&TRANSLATION),
            )),
        ),
        field(
            "plans",
            Shape::Optional(&Shape::Map(Keys::Ids, &Shape::Record(&MEETING_PLAN))),
        ),
        field(
            "availability",
            Shape::Optional(&Shape::Map(Keys::PlanRefs, &Shape::Record(&AVAILABILITY))),
        ),
        field(
            "statements",
            Shape::Optional(&Shape::Map(Keys::StatementIds, &Shape::Record(&DRAFT))),
        ),
        field(
            "cosigns",
            Shape::Optional(&Shape::Map(Keys::StatementIds, &Shape::Record(&COSIGN))),
        ),
        field(
            "received",
            Shape::Optional(&Shape::Map(Keys::StatementIds, &Shape::Record(&RECEIVED))),
        ),
        field(
            "received_rosters",
            Shape::Optional(&Shape::Map(Keys::StatementIds, &Shape::Record(&RECEIVED))),
        ),
    ],
    reads: None,
};

/// A piece of evidence for an issue.
pub static EVIDENCE: Record = Record {
    name: "evidence",
    fields: &[
        field("source", SHORT),
        field("figure", SHORT),
        field("disaggregation", SHORT),
        fixed("added_by", ID),
    ],
    reads: None,
};

/// An issue of the joint inventory.
pub static ISSUE: Record = Record {
    name: "issue",
    fields: &[
        fixed("id", ID),
        field("title", SHORT),
        field("description", Shape::Prose),
        fixed("raised_by", ID),
        field("lead", ID),
        field("tags", Shape::List(&TAG)),
        field("evidence", Shape::List(&Shape::Record(&EVIDENCE))),
        field("status", ISSUE_STATUS),
        field("ranks", Shape::Map(Keys::Ids, &RANK)),
        fixed("created_at", TIME),
    ],
    reads: None,
};

/// An entry of a pool's ledger.
pub static LEDGER_ENTRY: Record = Record {
    name: "ledger entry",
    fields: &[
        fixed("id", ID),
        fixed("kind", ENTRY_KIND),
        fixed("member", ID),
        fixed("amount", AMOUNT),
        fixed("note", SHORT),
        fixed("at", TIME),
        fixed("proposal", Shape::Optional(&ID)),
    ],
    reads: None,
};

/// A resource pool.
pub static POOL: Record = Record {
    name: "pool",
    fields: &[
        fixed("id", ID),
        field("name", SHORT),
        fixed("kind", POOL_KIND),
        field("unit", SHORT),
        field("description", Shape::Prose),
        fixed("created_by", ID),
        fixed("created_at", TIME),
        field(
            "ledger",
            Shape::Map(Keys::Ids, &Shape::Record(&LEDGER_ENTRY)),
        ),
    ],
    reads: None,
};

/// One rule an amendment sets.
pub static RULE_CHANGE: Record = Record {
    name: "rule change",
    fields: &[
        fixed("kind", RULE_KIND),
        fixed("rule", Shape::Optional(&Shape::Record(&RULE))),
    ],
    reads: None,
};

/// What an amendment changes.
pub static AMENDMENT: Record = Record {
    name: "amendment",
    fields: &[
        fixed("frame", Shape::Optional(&LONG)),
        fixed("add_values", SHORTS),
        fixed("add_commitments", SHORTS),
        fixed("rules", Shape::List(&Shape::Record(&RULE_CHANGE))),
        fixed("equity_threshold", Shape::Optional(&FRACTION)),
        later_fixed("weights", Shape::List(&Shape::Record(&WEIGHT_CHANGE))),
    ],
    reads: None,
};

/// A member's weight an amendment sets.
pub(super) static WEIGHT_CHANGE: Record = Record {
    name: "weight change",
    fields: &[
        fixed("kind", DECISION),
        fixed("member", ID),
        fixed("weight", WEIGHT),
    ],
    reads: None,
};

/// A member's position on a proposal.
pub static POSITION: Record = Record {
    name: "position",
    fields: &[
        field("stance", STANCE),
        field("reason", SHORT),
        field("at", TIME),
    ],
    reads: None,
};

/// A proposal's poll.
pub(super) static POLL: Record = Record {
    name: "poll",
    fields: &[
        fixed("method", POLL_METHOD),
        fixed("options", SHORTS),
        fixed("asks", Shape::List(&AMOUNT)),
        later_fixed("issues", IDS),
        later_fixed("pool", Shape::Optional(&ID)),
        later_fixed("requests", IDS),
        later_fixed("role", Shape::Optional(&ROLE_NAME)),
        later_fixed("candidates", IDS),
    ],
    reads: None,
};

/// A link proposal's terms (`schema::LinkTerms`; what they may say is
/// `schema::link_problem`'s, checked on receipt).
pub(super) static LINK: Record = Record {
    name: "link terms",
    fields: &[
        fixed("coalition", ID),
        fixed("name", SHORT),
        fixed("relation", LINK_RELATION),
        fixed("publish", Shape::List(&SHARED_KIND)),
        fixed("tags", Shape::List(&TAG)),
        fixed("goals", IDS),
        fixed("pools", IDS),
        fixed("threshold", NUMBER),
        fixed("accept", Shape::List(&SHARED_KIND)),
        fixed("their_threshold", NUMBER),
        fixed("roster", Shape::Optional(&STATEMENT_ID)),
        fixed("weight", Shape::Optional(&NUMBER)),
    ],
    reads: None,
};

/// A member's ballot in a poll.
pub(super) static BALLOT: Record = Record {
    name: "ballot",
    fields: &[field("ballot", BALLOT_TEXT), field("at", TIME)],
    reads: None,
};

/// A proposal.
pub static PROPOSAL: Record = Record {
    name: "proposal",
    fields: &[
        fixed("id", ID),
        fixed("kind", DECISION),
        fixed("title", SHORT),
        fixed("text", Shape::Prose),
        fixed("author", ID),
        fixed("created_at", TIME),
        fixed("closes_at", Shape::Optional(&TIME)),
        fixed("rule", Shape::Record(&RULE)),
        fixed("electorate", IDS),
        field(
            "positions",
            Shape::Map(Keys::Ids, &Shape::Record(&POSITION)),
        ),
        fixed("subject", Shape::Optional(&SUBJECT)),
        fixed("amendment", Shape::Optional(&Shape::Record(&AMENDMENT))),
        later_fixed("poll", Shape::Optional(&Shape::Record(&POLL))),
        later("ballots", Shape::Map(Keys::Ids, &Shape::Record(&BALLOT))),
        later_fixed("weights", WEIGHTS_OF),
        later_fixed("link", Shape::Optional(&Shape::Record(&LINK))),
        later_fixed("answers", Shape::Optional(&STATEMENT_ID)),
    ],
    reads: None,
};

/// One thing a meeting's access plan plans for.
pub static ACCESS_NEED: Record = Record {
    name: "access need",
    fields: &[
        fixed("kind", ACCESS_KIND),
        fixed("what", SHORT),
        fixed("asked_by", IDS),
    ],
    reads: None,
};

/// A meeting record.
pub static MEETING: Record = Record {
    name: "meeting",
    fields: &[
        fixed("id", ID),
        field("day", DAY),
        field("facilitator", ID),
        field("attendance", IDS),
        field("agenda", SHORTS),
        field("minutes", Shape::Prose),
        field("decisions", IDS),
        fixed("recorded_by", ID),
        later_fixed("checkins", IDS),
        later_fixed("timeboxes", Shape::List(&MINUTES)),
        later_fixed("access", Shape::List(&Shape::Record(&ACCESS_NEED))),
    ],
    reads: None,
};

/// The document's root. (Its reading is the coalition's, which applies governance; here
/// only its fields matter: the root is written once, by the founding change.)
pub static ROOT: Record = Record {
    name: "coalition",
    fields: &[
        fixed("schema", NUMBER),
        fixed("id", ID),
        fixed("created_at", TIME),
        field("charter", Shape::Record(&CHARTER)),
        field(
            "charter_versions",
            Shape::Map(Keys::Versions, &Shape::Record(&CHARTER_VERSION)),
        ),
        field("members", Shape::Map(Keys::Ids, &Shape::Record(&MEMBER))),
        field("issues", Shape::Map(Keys::Ids, &Shape::Record(&ISSUE))),
        field("pools", Shape::Map(Keys::Ids, &Shape::Record(&POOL))),
        field(
            "proposals",
            Shape::Map(Keys::Ids, &Shape::Record(&PROPOSAL)),
        ),
        field("meetings", Shape::Map(Keys::Ids, &Shape::Record(&MEETING))),
    ],
    reads: None,
};
