//! The rules every node enforces on every change it receives, whichever peer relayed it.
//!
//! A modified node can write whatever it likes into its own copy; these rules decide what any other
//! node accepts from it. A change is judged against the coalition *as its author saw it*: the
//! governance in force at the change's own dependencies (read with [`At`], Automerge's historical
//! view) and at the time the change states, never at the receiving node's current state. Every node
//! therefore reaches the same verdict on every change, whatever order changes arrive in, so honest
//! nodes never split over a verdict.
//!
//! What the rules say, and where each is enforced (each refusal names its rule, a [`Violation`]):
//!
//! | rule | enforced by |
//! |---|---|
//! | the writer holds a key of a member in force (not removed, not left, not pending) | `Validator::check` (`NotAMember`) |
//! | the writer's key is not flagged for forking by two members in force other than its own (see `sync::forks`) | `InForce::flagged` (`KeyFlagged`) |
//! | `members/<m>/…` (profile, `left_at`, device keys, keys it flagged), `proposals/<p>/positions/<m>`, `proposals/<p>/ballots/<m>`, `issues/<i>/ranks/<m>`: only member `m` | `Ctx::permit` (`NotOwner`) |
//! | a device key added is no other member's | `Ctx::permit` (`BadRecord`) |
//! | a member's drafts of statements (`members/<m>/statements/<id>`), co-signatures (`…/cosigns/<id>`) and statements of linked coalitions it carried in (`…/received/<id>`, `…/received_rosters/<id>`): each map and entry made once in a slot empty at the change's dependencies, never written over, put to null or removed; the object the change made is judged: a draft is a statement of this coalition under its id; a co-signature is by the writing key and verifies; a received statement is one a link in force at the change's time takes, of a kind it takes, under its id and in its field, that verifies through the publisher's rosters from the one the link pins (`received::taking`, `Taking::judge`; its form, key, field and publisher checked before any link or roster is read) | `Ctx::permit`, `check_new_map`, `check_new_entry`, `check_own_entry`, `check_received` (`BadRecord`, `Permanent`) |
//! | a member's profile lists (communities, languages, accessibility needs), its node keys and the keys it flagged hold at most 50 items at each change that adds to them and at the founding, as the model bounds them (`MAX_LIST`, `MAX_FLAGS`): each governance state the rules keep along a history holds its own copy of the member record its change wrote, read without its profile lists' items (`Governance::read_judged`), since merges of a member's nodes adding at once can make them longer | `Validator::check_ops`, `list_cap` (`BadValue`), `Validator::check_founding` (`BadFounding`) |
//! | a member's key list, and its list of flagged keys once it has one, are edited item by item, never made again or (the keys) deleted whole: items of a list a change makes are not judged one by one; an item of an existing list is inserted and deleted, never written over, so the rules carry both lists from a change's operations without reading them (`Governance::reread`; an insertion that overwrites is refused before, by `sync::chain`) | `Ctx::permit` (`Permanent`) |
//! | a new member record: by invite when the admission rule is the invite; else naming an `admit/<m>` proposal opened by the same change | `Ctx::check_admission` |
//! | a new proposal's id is the key it is stored under (governance keys proposals by where they are stored), it carries the rule in force for its kind and the members entitled to decide it (all in force; for a removal, all but the member concerned) and those members' weights for its kind (`schema::Weights::of_electorate`), its author is the writer, no positions; only amendments carry charter changes; a link proposal, and only one, carries its terms, which `schema::link_problem` takes (not with itself, thresholds in bounds, calls down and mandates up, a pinned roster when it takes anything, its lists in their one order), with a closing time and the goals and pools it names there | `Ctx::check_proposal` with `governance::rule_and_electorate` |
//! | a position only while its proposal is open (at the change's dependencies and time): outcomes are final | `Ctx::still_open` (`Decided`) |
//! | a poll (`model::poll`) is a general proposal with a closing time and options its method fits (`poll::spec_problem`); a poll over issues (its result the inventory's priority) is counted by dots or scores, one option per issue, none twice, each issue there when it opens (`poll::issues_problem`), opened with an empty map of ballots; a ballot is its member's own, in the poll's electorate, fits the poll (`poll::check`), is stated before the poll closes (its `at` is its change's time), and is changed but never removed: ballots stating a later time are refused (but see the stated-time limit below); a poll takes no positions (`Ctx::still_open` reads whether the proposal is a poll with its tally). Judging a ballot reads its poll once (kept by the validator by the poll's object) and then only what the ballot wrote | `Ctx::check_proposal`, `Ctx::ballot_fits`, `Ctx::poll_of` (`BadRecord`), `Permanent` |
//! | a block carries a reason (on receipt, one that is not only white space; an edit here also refuses one of characters that draw nothing, `values::is_blank`) | `Ctx::block_has_reason`; on a governing proposal, in the governance the change leaves (`Validator::check_decoded`) |
//! | new issues, pools, ledger entries, goals, progress and meetings name their writer, and new records hold the key they are stored under as their id | `Ctx::names_writer`, `Ctx::keyed_as` (`BadRecord`) |
//! | a ledger entry requesting an allocation names the allocation proposal the same change opens for it, by its author, whose subject is that entry; only an allocation has a request as subject | `Ctx::check_request`, `Ctx::check_proposal` (`BadRecord`) |
//! | a position's and a ledger entry's `at` is the time its change states (within its second), so a position is judged open at the time it carries | `Validator::check_ops`, `stated_time` (`BadValue`) |
//! | ledger entries, proposals, record ids and authors never change | `Ctx::permit` (`Permanent`) |
//! | every operation writes a place of the layout, a value of its type and shape (no unknown field, no counter, a record's field keeps a value: a deletion leaves a value that wins over every value it deletes, as Automerge resolves a conflict, so that concurrent deletions never merge into none); fields the layout marks fixed (ids, authors, creation times, a goal's `added_by`, evidence's `added_by`, a member's `admission`...) never change once their record is written | `layout::resolve`, `Slot::admits` (`Unknown`, `BadValue`, `Permanent`) |
//! | every record a change creates reads back whole as its typed record: every field that is not optional is written in that change (nothing else can be in the record at its heads; every optional field reads a missing key as none), and the kinds whose fields constrain each other are read back; the founding change reads as a whole coalition | `Validator::check_ops`, `layout::Record::reads` (`BadRecord`, `BadFounding`) |
//! | the stored charter, `charter_versions`, the root: written once, by the founding change; they change only through passed proposals, which `governance` applies on reading | `Ctx::permit` (`Governed`) |
//! | one founding change per coalition: no dependencies, seq 1, admitting exactly its author, its charter at version 1 | `Validator::check_founding` (`SecondFounding`, `BadFounding`) |
//!
//! [`Validator`] checks a batch of changes already applied to a document (the caller rolls the
//! document back if any is refused). It carries the governance from change to change along the
//! batch and reads again only what a change wrote of it: a member record (not its profile, which
//! no rule reads; not even the record when the change only added to or deleted from its keys
//! or flagged keys, carried from the operations), the charter's rules, an amendment or
//! membership proposal (new, or only its positions after a position on it, and not even those
//! once read: a change that only takes positions over what was read is carried from its
//! operations, `governance::PositionsRead`); a position, written field by field, is judged once
//! per change, against its proposal's tally and as it stands after the change from the
//! governance carried when the proposal governs, else read (its proposal without its text). So a long catch-up costs one cheap step per change, not a read
//! of the history each. Every read at past heads is a walk back through the history
//! ([`reads_at_past_heads`] counts them); see `tests/rules/past_reads.rs` for what each change
//! may cost, and `ARCHITECTURE.md` for what still grows with the history.
//!
//! Tested: the property test in `tests/rules/model_edits.rs` checks that every edit the model
//! makes (amendments, votes, removals, leaving and restores included), by any member, merged in
//! any interleaving, passes; `tests/governance/` that modified nodes' writes are refused.
//!
//! Known limit of judging at dependencies: a hostile member can date a change before another
//! (choose old dependencies), e.g. re-create a record id concurrently, or write as if it had not
//! yet seen its removal. Such a change is still signed by, and attributed to, its author, and it is
//! concurrent with the removal, exactly like an honest change made offline. One consequence is
//! worse than an offline edit: a member's device key that never wrote can write, at dependencies
//! from before another member was admitted, a claim of that member's key (added to its own keys,
//! or to a member it admits by invite); the key is then held by two members, attributed to the
//! first by id, and its owner can be locked out of its own record. Closing it needs a key's
//! consent to its listing (a signature by the key over its member and coalition), a layout
//! change not made yet. A change's stated time is its author's to choose too, and positions and
//! ledger entries carry it (see above): on a proposal that never closes, a member can still
//! date its position far ahead and so make the proposal decided then (an allocation funded
//! after every other). No bound on a stated time both holds for every node and lets a member
//! that was offline for months write at its own clock's time. So too a ballot: a poll's count
//! is final once it closes against ballots stating a later time, but a member's node that
//! states an earlier time than it keeps can still change its own ballot after the close, as an
//! offline member's ballot made before the close arrives after it.
//!
//! The submodules: reading a document as of past heads (`at`), the [`Validator`] walking a
//! batch (`validator`), where each operation writes (`placement`) and who may write there
//! (`permit`).

mod at;
mod permit;
pub(crate) mod placement;
mod validator;

pub use at::{At, PastReads, governance_at, reads_at_past_heads};
pub(crate) use placement::legacy_object_path;
pub use validator::Validator;

use crate::tally::Outcome;

/// A change broke a rule; the message names the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// The change's author key belonged to no member when the change was made.
    #[error("written by key {key}, which was not a member's when the change was made")]
    NotAMember {
        /// The author key, hex.
        key: String,
    },
    /// The change's author key had been flagged for writing two histories by two members
    /// other than its own, and the change was made after it could see both flags.
    #[error(
        "written by key {key} after two other members flagged it for writing two histories \
         (a fork): changes it makes from then on are refused"
    )]
    KeyFlagged {
        /// The author key, hex.
        key: String,
    },
    /// A member wrote what belongs to another member.
    #[error("member {writer} wrote {path}, which only member {owner} may write")]
    NotOwner {
        /// The writing member.
        writer: String,
        /// What it wrote.
        path: String,
        /// Whose it is.
        owner: String,
    },
    /// A write to what changes only through a passed proposal.
    #[error("{path} changes only through a passed proposal, not by a member's edit")]
    Governed {
        /// What was written.
        path: String,
    },
    /// A write to a record that never changes once written.
    #[error("{path} is a permanent record and cannot be changed or removed")]
    Permanent {
        /// What was written.
        path: String,
    },
    /// A new record that misstates its writer, rule or electorate.
    #[error("new record {path} is not valid: {why}")]
    BadRecord {
        /// The record.
        path: String,
        /// What is wrong with it.
        why: String,
    },
    /// A write outside the coalition's layout.
    #[error("{path} is not part of a coalition document")]
    Unknown {
        /// What was written.
        path: String,
    },
    /// A value of the wrong type or shape for its place (see [`crate::layout`]).
    #[error("{path}: {why}")]
    BadValue {
        /// Where it was written.
        path: String,
        /// What belongs there instead.
        why: String,
    },
    /// A position on a proposal already decided when the change was made.
    #[error("{path}: proposal {proposal} was already {outcome}; positions can no longer change it")]
    Decided {
        /// What was written.
        path: String,
        /// The proposal.
        proposal: String,
        /// Its outcome then.
        outcome: Outcome,
    },
    /// A second founding change (one with no dependencies).
    #[error("a second founding change for a coalition that already exists")]
    SecondFounding,
    /// A change whose operations do not decode.
    #[error("its operations do not decode")]
    Undecodable,
    /// The founding change does not found a coalition held by its author.
    #[error("the founding change is not valid: {why}")]
    BadFounding {
        /// What is wrong with it.
        why: String,
    },
}
