//! Meeting records.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::Prose;
use crate::ids::{MeetingId, MemberId, ProposalId};
use crate::values::{AccessKind, Day};

/// The record of a meeting.
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct Meeting {
    /// Meeting id.
    pub id: MeetingId,
    /// The day it was held.
    pub day: Day,
    /// Member that facilitated.
    pub facilitator: MemberId,
    /// Members present.
    pub attendance: Vec<MemberId>,
    /// Agenda items.
    pub agenda: Vec<String>,
    /// Minutes.
    pub minutes: Prose,
    /// Proposals decided or discussed.
    pub decisions: Vec<ProposalId>,
    /// Member that recorded it.
    pub recorded_by: MemberId,
    /// Members that spoke in the check-in round, in the order they spoke.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub checkins: Vec<MemberId>,
    /// Each agenda item's time box in minutes (0: none), in the agenda's order.
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub timeboxes: Vec<u64>,
    /// What the meeting planned for so every attending member could take part, computed from
    /// their profiles when it was recorded (see [`crate::reports::access_plan`]).
    #[autosurgeon(missing = "Default::default")]
    #[serde(default)]
    pub access: Vec<AccessNeed>,
}

/// One thing a meeting's access plan plans for, and who asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Reconcile, Hydrate, Serialize, Deserialize)]
pub struct AccessNeed {
    /// Interpretation, an accessibility need, or childcare.
    pub kind: AccessKind,
    /// What: the language to interpret into, or the need as the members wrote it.
    pub what: String,
    /// The attending members whose profiles ask for it.
    pub asked_by: Vec<MemberId>,
}
