//! Meeting records.

use super::*;

impl CoalitionDoc {
    /// Records a meeting.
    pub fn add_meeting(
        &mut self,
        by: &MemberId,
        new: NewMeeting,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let agenda = short_list("agenda items", &new.agenda)?;
        let minutes = long("minutes", &new.minutes)?;
        if new.attendance.len() > MAX_ATTENDANCE {
            return Err(EditError::TooMany {
                field: "attendees",
                len: new.attendance.len(),
                max: MAX_ATTENDANCE,
            });
        }
        if new.timeboxes.len() > agenda.len() {
            return Err(EditError::TooMany {
                field: "time boxes (one per agenda item)",
                len: new.timeboxes.len(),
                max: agenda.len(),
            });
        }
        if let Some(t) = new.timeboxes.iter().find(|t| **t > 1440) {
            return Err(EditError::Value(crate::values::ValueError::new(
                "time box",
                t.to_string(),
                "minutes, at most 1440 (a day)",
            )));
        }
        if new.checkins.len() > MAX_ATTENDANCE {
            return Err(EditError::TooMany {
                field: "check-ins",
                len: new.checkins.len(),
                max: MAX_ATTENDANCE,
            });
        }
        if new.decisions.len() > MAX_LIST {
            return Err(EditError::TooMany {
                field: "decisions",
                len: new.decisions.len(),
                max: MAX_LIST,
            });
        }
        self.edit_governed(by, "record meeting", at, |doc, gov| {
            if exists(doc, &["meetings", new.id.as_str()])? {
                return Err(EditError::Exists {
                    what: "meeting",
                    id: new.id.to_string(),
                });
            }
            let facilitator = known_member(gov, &new.facilitator)?;
            let mut attendance = Vec::new();
            for m in &new.attendance {
                let m = known_member(gov, m)?;
                if !attendance.contains(&m) {
                    attendance.push(m);
                }
            }
            let mut checkins: Vec<MemberId> = Vec::new();
            for m in &new.checkins {
                if !attendance.contains(m) {
                    return Err(EditError::Refused {
                        why: format!(
                            "member {m} spoke in the check-in but is not among those present"
                        ),
                    });
                }
                if !checkins.contains(m) {
                    checkins.push(m.clone());
                }
            }
            // The access plan, from the profiles of those present as they are now.
            let present: Vec<Member> = attendance
                .iter()
                .filter_map(|m| read_at::<Member>(doc, &["members", m.as_str()]).ok())
                .collect();
            let access = crate::reports::access_plan(present.iter());
            let mut decisions = Vec::new();
            for p in &new.decisions {
                if !exists(doc, &["proposals", p.as_str()])? {
                    return Err(EditError::Unknown {
                        what: "proposal",
                        id: p.to_string(),
                    });
                }
                decisions.push(p.clone());
            }
            let meeting = Meeting {
                id: new.id.clone(),
                day: new.day,
                facilitator,
                attendance,
                agenda,
                minutes: Prose(minutes),
                decisions,
                recorded_by: by.clone(),
                checkins,
                timeboxes: new.timeboxes.clone(),
                access,
            };
            let meetings = map_at(doc, &["meetings"])?;
            reconcile_prop(doc, &meetings, new.id.as_str(), &meeting)?;
            Ok(())
        })
    }
}
