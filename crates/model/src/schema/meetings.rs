//! Meeting records.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};

use super::Prose;
use crate::ids::{MeetingId, MemberId, ProposalId};
use crate::values::Day;

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
}
