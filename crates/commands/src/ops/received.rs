//! The statements this coalition takes from linked coalitions (issue 20): importing a
//! statements file, listing what was received with where each came from, and verifying one
//! again. Reads: every statement received (members' records), the links in force, the
//! governance for names.

use model::federation::{StatementId, StatementsFile, Value, Verified};
use model::received::{FromLinked, Received};
use model::{Amount, CoalitionId, Offer, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A statements file to import.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementImportRequest {
    /// The file, an absolute path on the node's machine.
    pub file: String,
}

/// A statement not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementRefused {
    /// Its id (64 hex digits), or its place in the file when it does not read.
    pub id: String,
    /// Why, in a word (`too-few-signers`, `kind-not-taken`, `roster-not-in-chain`...).
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

/// A statements file imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementsImported {
    /// The file.
    pub file: String,
    /// The coalition that published it (its id).
    pub from: String,
    /// Statements taken and stored now.
    pub stored: usize,
    /// Statements taken and held already.
    pub held: usize,
    /// Statements not taken, with why.
    pub refused: Vec<StatementRefused>,
}

/// One statement received and verifying now, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceivedLine {
    /// Its id (64 hex digits).
    pub id: String,
    /// The coalition that published it (its id).
    pub from: String,
    /// That coalition's name, as the link gives it.
    pub from_name: String,
    /// Its kind.
    pub kind: String,
    /// The record it is about in the publisher's coalition.
    pub record: String,
    /// What it states, in a line.
    pub summary: String,
    /// Its place on its subject.
    pub sequence: u64,
    /// The moment it speaks of.
    pub as_of: String,
    /// How many members of the publisher's roster signed it.
    pub signed: usize,
    /// How many members that roster had.
    pub members: usize,
    /// The roster's version.
    pub roster: u64,
    /// Whether it is the latest on its subject (else a later one replaced it).
    pub latest: bool,
    /// Where it came from, in words: the statement, who signed, as of when.
    pub provenance: String,
}

/// A statement received that does not verify now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WaitingLine {
    /// Its id (64 hex digits).
    pub id: String,
    /// The coalition that published it.
    pub from: String,
    /// Why it does not verify.
    pub reason: String,
}

/// What the coalition holds from the coalitions linked with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceivedView {
    /// Each statement verifying now, by publisher, then oldest first.
    pub statements: Vec<ReceivedLine>,
    /// Those that do not verify now.
    pub waiting: Vec<WaitingLine>,
}

/// A statement verified again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementVerified {
    /// Its id (64 hex digits).
    pub id: String,
    /// Whether it verifies now through the publisher's rosters with the link's threshold.
    pub verifies: bool,
    /// What it states and where it came from, when it verifies.
    pub statement: Option<ReceivedLine>,
    /// Why not, when it does not.
    pub reason: Option<String>,
}

/// What `value` states, in a line of plain words.
pub fn summary(value: &Value) -> String {
    let h = |v: i128| Amount::format_total(v);
    match value {
        Value::Roster(r) => format!("{} member organizations", r.members.len()),
        Value::Issue(i) => format!(
            "{}: shared by {} of {} members ({})",
            i.title,
            i.sharing(),
            i.members,
            i.status
        ),
        Value::Pool(p) => format!(
            "{}: {} {} contributed, {} pledged, {} allocated, balance {}",
            p.name,
            h(p.contributed),
            p.unit,
            h(p.pledged),
            h(p.allocated),
            h(p.balance)
        ),
        Value::Goal(g) => match g.latest {
            Some(m) => format!(
                "{}: {} of {} {}",
                g.title,
                h(m.value.into()),
                h(g.target.into()),
                g.unit
            ),
            None => format!(
                "{}: no progress yet, target {} {}",
                g.title,
                h(g.target.into()),
                g.unit
            ),
        },
        Value::Decision(d) => format!("{}: {} ({})", d.title, d.outcome, d.rule),
        Value::Call(c) => c.title.clone(),
        Value::Mandate(m) => format!("position: {}", m.position.as_str()),
    }
}

fn line(from: &CoalitionId, linked: &FromLinked, v: &Verified) -> ReceivedLine {
    let s = &v.statement;
    let name = model::federation::clean_short(&linked.link.terms.name);
    let as_of = Timestamp::from_millis(s.as_of);
    ReceivedLine {
        id: v.id.hex(),
        from: from.to_string(),
        from_name: name.clone(),
        kind: s.value.kind().to_string(),
        record: model::id_from_bytes(s.value.record()),
        summary: summary(&s.value),
        sequence: s.sequence,
        as_of: as_of.to_string(),
        signed: v.signers.len(),
        members: v.members,
        roster: v.roster,
        latest: linked.is_latest(v),
        provenance: format!(
            "from statement {}, signed by {} of {} members of {}, as of {}",
            v.id.short(),
            v.signers.len(),
            v.members,
            name,
            model::Day::of(as_of)
        ),
    }
}

/// What the coalition holds from the coalitions linked with it.
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<ReceivedView> {
    let linked = r.from_linked(c)?;
    let mut statements = Vec::new();
    let mut waiting = Vec::new();
    for (from, l) in &linked {
        statements.extend(l.verified.iter().map(|(v, _)| line(from, l, v)));
        waiting.extend(l.waiting.iter().map(|(w, e)| WaitingLine {
            id: w.id.hex(),
            from: from.to_string(),
            reason: e.to_string(),
        }));
    }
    Ok(ReceivedView {
        statements,
        waiting,
    })
}

/// Verifies again the statement received whose id is or starts with `given`.
pub fn verify(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<StatementVerified> {
    let given = given.trim().to_ascii_lowercase();
    let linked = r.from_linked(c)?;
    let mut all: Vec<(&CoalitionId, &FromLinked, &Received, Option<&Verified>)> = Vec::new();
    for (from, l) in &linked {
        all.extend(l.verified.iter().map(|(v, rec)| (from, l, rec, Some(v))));
        all.extend(l.waiting.iter().map(|(rec, _)| (from, l, rec, None)));
    }
    let ids: Vec<String> = all.iter().map(|(_, _, rec, _)| rec.id.hex()).collect();
    let found =
        replica::resolve_prefix(&given, "received statement", ids.iter().map(String::as_str))?;
    let id = StatementId::from_hex(found)?;
    let Some((from, l, _, verified)) = all.iter().find(|(_, _, rec, _)| rec.id == id) else {
        return Err(super::Invalid(format!("no statement received has id {}", id.short())).into());
    };
    Ok(match verified {
        Some(v) => StatementVerified {
            id: id.hex(),
            verifies: true,
            statement: Some(line(from, l, v)),
            reason: None,
        },
        None => StatementVerified {
            id: id.hex(),
            verifies: false,
            statement: None,
            reason: l
                .waiting
                .iter()
                .find(|(rec, _)| rec.id == id)
                .map(|(_, e)| e.to_string()),
        },
    })
}

/// Imports a statements file into coalition `c`: each statement judged as if it arrived over
/// the network (the link in force with its publisher takes its kind, and it verifies through
/// the publisher's rosters), those taken stored, the rest said with why.
pub fn import(
    r: &mut Replica,
    c: &CoalitionId,
    req: StatementImportRequest,
) -> anyhow::Result<StatementsImported> {
    let path = std::path::Path::new(&req.file);
    let size = std::fs::metadata(path)
        .map_err(|e| super::Invalid(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > model::federation::MAX_FILE as u64 {
        return Err(super::Invalid(format!(
            "{} is {size} bytes; a statements file holds at most {}",
            path.display(),
            model::federation::MAX_FILE
        ))
        .into());
    }
    let bytes = std::fs::read(path)
        .map_err(|e| super::Invalid(format!("cannot read {}: {e}", path.display())))?;
    let file = StatementsFile::decode(&bytes)
        .map_err(|e| super::Invalid(format!("{}: {e}", path.display())))?;
    let from = CoalitionId::from_bytes(file.from);
    if file.to != c.to_bytes() {
        return Err(super::Invalid(format!(
            "this file was written for coalition {}, not this one ({c}): import it there \
             (--coalition)",
            CoalitionId::from_bytes(file.to)
        ))
        .into());
    }
    let source = format!("file {}", path.display());
    let mut refused = Vec::new();
    let mut items = Vec::new();
    for (i, item) in file.items.iter().enumerate() {
        match model::federation::Signed::decode(item) {
            Ok(s) => items.push(s),
            Err(e) => {
                let logged = r.log_refusal(replica::Refusal {
                    at: replica::now().as_millis(),
                    peer: source.clone(),
                    coalition: Some(c.to_string()),
                    reason: format!("item {}: {e}", i + 1),
                });
                if let Err(e) = logged {
                    tracing::warn!(error = %e, "could not log the refusal");
                }
                refused.push(StatementRefused {
                    id: format!("item {}", i + 1),
                    code: "malformed".into(),
                    reason: e.to_string(),
                })
            }
        }
    }
    let outcome = r.receive_statements(c, &items, &source)?;
    let (mut stored, mut held) = (0, 0);
    for (id, o) in outcome {
        match o {
            Offer::Stored => stored += 1,
            Offer::Held => held += 1,
            Offer::Refused(e) => refused.push(StatementRefused {
                id: id.hex(),
                code: e.code().into(),
                reason: e.to_string(),
            }),
        }
    }
    Ok(StatementsImported {
        file: req.file,
        from: from.to_string(),
        stored,
        held,
        refused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::links::{LinkRequest, propose};
    use crate::ops::statements::{StatementDraftRequest, StatementExportRequest, draft, export};
    use crate::testing::{agree, replica};

    /// One node, the only member of a region and of a national coalition: the region
    /// publishes its goals to the nation (one signing), the nation takes them trusting the
    /// region's first roster. The region's goal has its progress drafted and signed.
    fn linked() -> (
        tempfile::TempDir,
        Replica,
        CoalitionId,
        CoalitionId,
        StatementId,
    ) {
        let (d, mut r, region) = replica();
        let nation = r
            .found_coalition(replica::NewCoalition {
                name: "National Housing Alliance".into(),
                frame: "Homes".into(),
                values: vec![],
                commitments: vec![],
                equity_threshold: None,
            })
            .unwrap();
        let goal = crate::ops::charter::add_goal(
            &mut r,
            &region,
            crate::ops::charter::NewGoalRequest {
                title: "Homes kept".into(),
                target: "100".into(),
                unit: "homes".into(),
            },
        )
        .unwrap();
        let roster = draft(
            &mut r,
            &region,
            StatementDraftRequest {
                kind: "roster".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let up = propose(
            &mut r,
            &region,
            LinkRequest {
                with: nation.to_string(),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["goal".into()],
                threshold: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &region, &up);
        let down = propose(
            &mut r,
            &nation,
            LinkRequest {
                with: region.to_string(),
                name: Some("Transit Justice".into()),
                relation: "affiliate".into(),
                accept: vec!["goal".into()],
                their_threshold: Some(1),
                roster: Some(roster.hex()),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &nation, &down);
        let progress = draft(
            &mut r,
            &region,
            StatementDraftRequest {
                kind: "goal".into(),
                record: Some(goal.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
        (d, r, region, nation, progress)
    }

    #[test]
    fn a_statements_file_is_imported_verified_and_listed_with_its_provenance() {
        let (_home, mut r, region, nation, progress) = linked();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("region.statements");
        let file_name = file.display().to_string();
        export(
            &mut r,
            &region,
            StatementExportRequest {
                with: nation.to_string(),
                file: file_name.clone(),
            },
        )
        .unwrap();
        let import_into = |r: &mut Replica, c: &CoalitionId, file: &str| {
            import(
                r,
                c,
                StatementImportRequest {
                    file: file.to_owned(),
                },
            )
        };

        // The region is not where the file goes.
        let e = import_into(&mut r, &region, &file_name).unwrap_err();
        assert!(e.to_string().contains("written for coalition"), "{e}");
        // One byte changed.
        let mut bytes = std::fs::read(&file).unwrap();
        let changed = dir.path().join("changed.statements");
        let last = bytes.len() - 40;
        bytes[last] ^= 1;
        std::fs::write(&changed, &bytes).unwrap();
        let e = import_into(&mut r, &nation, &changed.display().to_string()).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(list(&mut r, &nation).unwrap().statements.is_empty());

        let done = import_into(&mut r, &nation, &file_name).unwrap();
        assert_eq!((done.stored, done.held), (2, 0), "{done:?}");
        assert!(done.refused.is_empty(), "{done:?}");
        assert_eq!(done.from, region.to_string());
        let again = import_into(&mut r, &nation, &file_name).unwrap();
        assert_eq!((again.stored, again.held), (0, 2));

        let got = list(&mut r, &nation).unwrap();
        let [line] = got.statements.as_slice() else {
            panic!("one statement: {got:?}");
        };
        assert_eq!(line.id, progress.hex());
        assert_eq!(line.kind, "goal");
        assert!(line.latest);
        assert_eq!((line.signed, line.members), (1, 1));
        assert!(
            line.summary.starts_with("Homes kept: no progress yet"),
            "{}",
            line.summary
        );
        assert!(
            line.provenance.starts_with(&format!(
                "from statement {}, signed by 1 of 1 members of Transit Justice, as of ",
                progress.short()
            )),
            "{}",
            line.provenance
        );
        let checked = verify(&mut r, &nation, &progress.hex()[..12]).unwrap();
        assert!(checked.verifies);
        assert_eq!(checked.statement.as_ref(), Some(line));
        let e = verify(&mut r, &nation, "ffff").unwrap_err();
        assert!(e.to_string().contains("received statement"), "{e}");
    }

    #[test]
    fn a_node_in_both_coalitions_carries_what_one_publishes_into_the_other() {
        let (_home, mut r, region, nation, progress) = linked();
        let mut refused = std::collections::HashSet::new();
        let carried = r.carry_statements(&mut refused).unwrap();
        let [c] = carried.as_slice() else {
            panic!("one pair: {carried:?}");
        };
        assert_eq!((&c.from, &c.to), (&region, &nation));
        assert_eq!(c.offers.len(), 2);
        assert!(c.offers.iter().all(|(_, o)| *o == Offer::Stored));
        assert!(refused.is_empty());
        // Nothing new the next round.
        assert!(r.carry_statements(&mut refused).unwrap().is_empty());
        let got = list(&mut r, &nation).unwrap();
        assert_eq!(got.statements.len(), 1);
        assert_eq!(got.statements[0].id, progress.hex());
        // The region takes nothing from the nation.
        assert!(list(&mut r, &region).unwrap().statements.is_empty());
    }
}
