//! The charter's goals and the progress recorded against them.

use super::*;

impl CoalitionDoc {
    /// Adds a shared goal with a measurable benchmark.
    pub fn add_goal(
        &mut self,
        by: &MemberId,
        id: &GoalId,
        title: &str,
        target: Amount,
        unit: &str,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let goal = Goal {
            id: id.clone(),
            title: short("goal title", title)?,
            target,
            unit: short("unit", unit)?,
            progress: Vec::new(),
            added_by: by.clone(),
        };
        self.edit(by, "add goal", at, |doc| {
            if exists(doc, &["charter", "goals", id.as_str()])? {
                return Err(EditError::Exists {
                    what: "goal",
                    id: id.to_string(),
                });
            }
            let goals = map_at(doc, &["charter", "goals"])?;
            reconcile_prop(doc, &goals, id.as_str(), &goal)?;
            Ok(())
        })
    }

    /// Records dated progress towards a goal.
    pub fn record_progress(
        &mut self,
        by: &MemberId,
        goal: &GoalId,
        day: Day,
        value: Amount,
        note: &str,
        at: Timestamp,
    ) -> Result<GoalId, EditError> {
        let note = optional_short("note", note)?;
        self.edit(by, "record goal progress", at, |doc| {
            record_in(doc, &["charter", "goals"], goal.as_str(), "goal")?;
            let progress = list_at(doc, &["charter", "goals", goal.as_str(), "progress"])?;
            let len = doc.length(&progress);
            autosurgeon::reconcile_insert(
                doc,
                progress,
                len,
                Progress {
                    day,
                    value,
                    note,
                    by: by.clone(),
                },
            )?;
            Ok(goal.clone())
        })
    }
}
