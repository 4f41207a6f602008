//! The closed vocabularies of the domain (decision kinds, methods, statuses...), each stored
//! as a kebab-case string.

use std::fmt;
use std::str::FromStr;

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Serialize, Serializer};

use super::{ValueError, deserialize_from_str, hydrate_error};

/// Defines a closed vocabulary stored as a kebab-case string.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and printed name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, ValueError> {
                match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(ValueError::new(
                        $what,
                        s,
                        format!("one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        deserialize_from_str!($name);

        impl Reconcile for $name {
            type Key<'a> = NoKey;
            fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        impl Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
                s.parse().map_err(hydrate_error)
            }
        }
    };
}

vocabulary!(
    /// The kinds of decision a charter sets a rule for.
    DecisionKind, "decision kind" {
        /// A change to the charter.
        Amendment => "amendment",
        /// Admitting or removing a member.
        Membership => "membership",
        /// Allocating resources from a pool.
        Allocation => "allocation",
        /// Signing off a public statement.
        PublicStatement => "public-statement",
        /// Anything else.
        General => "general",
        /// Electing the holders of one of the charter's roles (a poll among members).
        Role => "role",
        /// Linking with another coalition (a regional one with a national partner), or
        /// ending a link.
        Link => "link",
    }
);

vocabulary!(
    /// What a charter rule decides: the decision kinds, with membership split into admitting
    /// and removing members.
    RuleKind, "rule kind" {
        /// Changes to the charter.
        Amendment => "amendment",
        /// Admitting a member.
        Admission => "admission",
        /// Removing a member (the member concerned takes no part).
        Membership => "membership",
        /// Allocating resources from a pool.
        Allocation => "allocation",
        /// Signing off a public statement.
        PublicStatement => "public-statement",
        /// Anything else.
        General => "general",
        /// Electing the holders of a role.
        Role => "role",
        /// Linking with another coalition, or ending a link (the amendment rule unless the
        /// charter names one).
        Link => "link",
    }
);

vocabulary!(
    /// What a coalition is to the coalition it links with.
    LinkRelation, "link relation" {
        /// The other coalition is our affiliate: we roll up what it publishes, count its
        /// mandate positions and send it our calls.
        Affiliate => "affiliate",
        /// We are the other coalition's affiliate: we publish to it and answer its calls.
        Parent => "parent",
        /// The link ends (what was published before stays published).
        End => "end",
    }
);

vocabulary!(
    /// The kinds of statement a link shares (rosters always cross a link that shares any).
    SharedKind, "kind of statement" {
        /// Issues of the inventory.
        Issue => "issue",
        /// Pools' totals.
        Pool => "pool",
        /// Goals' progress.
        Goal => "goal",
        /// Decisions.
        Decision => "decision",
        /// Calls to affiliates (from the coalition they are affiliates of).
        Call => "call",
        /// Mandate positions (from an affiliate).
        Mandate => "mandate",
    }
);

vocabulary!(
    /// A role of the charter's that members elect its holders to (`DecisionKind::Role`).
    RoleName, "role" {
        /// Members who may speak publicly for the coalition.
        Spokespeople => "spokespeople",
        /// Members who sign off public statements.
        StatementSignoff => "statement-signoff",
        /// Members who represent the coalition in the coalitions it links with (a regional
        /// coalition's delegates to a national one).
        Delegates => "delegates",
    }
);

vocabulary!(
    /// How a decision is made.
    MethodName, "decision method" {
        /// Nobody disagrees or blocks.
        Consensus => "consensus",
        /// Nobody blocks.
        Consent => "consent",
        /// More agree than disagree.
        Majority => "majority",
        /// At least a set fraction of those voting agree.
        SuperMajority => "super-majority",
    }
);

vocabulary!(
    /// What a resource pool holds.
    PoolKind, "pool kind" {
        /// Money.
        Funds => "funds",
        /// Volunteer hours.
        VolunteerHours => "volunteer-hours",
        /// Shared spaces.
        Space => "space",
        /// Equipment.
        Equipment => "equipment",
    }
);

vocabulary!(
    /// Where an issue stands.
    IssueStatus, "issue status" {
        /// Raised by a member, not yet taken up.
        Raised => "raised",
        /// Adopted by the coalition.
        Adopted => "adopted",
        /// Pursued by some members in parallel, not jointly.
        ParallelCampaign => "parallel-campaign",
        /// Won.
        Won => "won",
        /// Dropped.
        Dropped => "dropped",
    }
);

vocabulary!(
    /// A member's position on a proposal.
    Stance, "position" {
        /// In favour.
        Agree => "agree",
        /// Stands aside.
        Abstain => "abstain",
        /// Against.
        Disagree => "disagree",
        /// A principled objection that stops consensus and consent (needs a reason).
        Block => "block",
    }
);

vocabulary!(
    /// The kind of an entry in a pool's ledger.
    EntryKind, "ledger entry kind" {
        /// A promise to give.
        Pledge => "pledge",
        /// Something actually given.
        Contribution => "contribution",
        /// A request to receive from the pool, decided by an allocation proposal.
        Request => "request",
    }
);

vocabulary!(
    /// What a meeting's access plan asks to plan for.
    AccessKind, "access need" {
        /// Interpretation into a language some attendees work in and others do not.
        Interpretation => "interpretation",
        /// An accessibility need (a step-free venue, captioning, sign language...).
        Access => "access",
        /// Childcare.
        Childcare => "childcare",
    }
);

vocabulary!(
    /// A member's answer to a proposed meeting time.
    Answer, "answer" {
        /// The time works.
        Yes => "yes",
        /// The time works if no other does.
        IfNeeded => "if-needed",
        /// The time does not work.
        No => "no",
    }
);
