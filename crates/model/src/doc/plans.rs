//! Finding a time: a member proposes a meeting's times, members answer them (see
//! [`crate::plans`]); each writes only in its own member record.

use super::*;
use crate::plans::{MOST_SLOTS, Plan, answer_key};
use crate::values::Answer;

/// A meeting plan as its proposer's record stores it.
#[derive(Debug, Clone, autosurgeon::Reconcile)]
struct StoredPlan {
    title: String,
    slots: Vec<Timestamp>,
    at: Timestamp,
}

/// A member's answers as its record stores them.
#[derive(Debug, Clone, autosurgeon::Reconcile)]
struct StoredAnswers {
    answers: Vec<Answer>,
    at: Timestamp,
    of: String,
}

/// The map `field` of member `by`'s record (made if missing).
pub(super) fn own_map(
    doc: &mut AutoCommit,
    by: &MemberId,
    field: &str,
) -> Result<ObjId, EditError> {
    let record = map_at(doc, &["members", by.as_str()])?;
    Ok(match doc.get(&record, field)? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        Some(_) => return Err(shape_error(&["members", by.as_str(), field])),
        None => doc.put_object(&record, field, ObjType::Map)?,
    })
}

impl CoalitionDoc {
    /// Proposes a meeting, `id`, at one of `slots` (1 to [`MOST_SLOTS`] distinct times,
    /// kept in order): the acting member's own record.
    pub fn propose_times(
        &mut self,
        by: &MemberId,
        id: &MeetingId,
        title: &str,
        slots: &[Timestamp],
        at: Timestamp,
    ) -> Result<(), EditError> {
        let title = short("meeting plan title", title)?;
        let mut slots = slots.to_vec();
        slots.sort();
        slots.dedup();
        if slots.is_empty() {
            return Err(EditError::Empty { field: "times" });
        }
        if slots.len() > MOST_SLOTS {
            return Err(EditError::TooMany {
                field: "times",
                len: slots.len(),
                max: MOST_SLOTS,
            });
        }
        let stored = StoredPlan { title, slots, at };
        self.edit(by, "propose meeting times", at, |doc| {
            let plans = own_map(doc, by, "plans")?;
            if doc.get(&plans, id.as_str())?.is_some() {
                return Err(EditError::Exists {
                    what: "meeting plan",
                    id: id.to_string(),
                });
            }
            reconcile_prop(doc, &plans, id.as_str(), &stored)?;
            Ok(())
        })
    }

    /// Answers `planner`'s plan `plan`, one answer per proposed time (replacing the acting
    /// member's earlier answers).
    pub fn answer_times(
        &mut self,
        by: &MemberId,
        planner: &MemberId,
        plan: &MeetingId,
        answers: &[Answer],
        at: Timestamp,
    ) -> Result<(), EditError> {
        let proposed = crate::plans::read_one(&self.doc, planner, plan).ok_or_else(|| {
            EditError::NotFound {
                what: "meeting plan",
                id: plan.to_string(),
            }
        })?;
        if answers.len() != proposed.slots.len() {
            return Err(EditError::Refused {
                why: format!(
                    "the plan proposes {} times: give one answer for each, not {}",
                    proposed.slots.len(),
                    answers.len()
                ),
            });
        }
        let stored = StoredAnswers {
            answers: answers.to_vec(),
            at,
            of: crate::plans::slots_digest(&proposed.slots),
        };
        self.edit(by, "answer meeting times", at, |doc| {
            let map = own_map(doc, by, "availability")?;
            reconcile_prop(doc, &map, answer_key(planner, plan).as_str(), &stored)?;
            Ok(())
        })
    }

    /// Every meeting plan with every member's answers.
    pub fn plans(&self) -> Vec<Plan> {
        crate::plans::read_all(&self.doc)
    }
}
