//! The CSV tables, read back with a CSV parser and compared field by field with the records.

use std::collections::BTreeMap;

use model::{CoalitionDoc, MemberId, Timestamp};
use report::{BOM, Table, tables};

use crate::fixture::{at, fixture, member};

/// A table's rows as maps from its header's names, after checking the file's form: a
/// byte-order mark, CRLF line ends, UTF-8.
fn rows(t: &Table) -> Vec<BTreeMap<String, String>> {
    let text = std::str::from_utf8(&t.bytes).unwrap();
    assert!(
        text.starts_with(BOM),
        "{} begins with a byte-order mark",
        t.name
    );
    assert!(text.ends_with("\r\n"), "{} ends its last line", t.name);
    let mut r = csv::ReaderBuilder::new().from_reader(&t.bytes[BOM.len()..]);
    let head: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            assert_eq!(
                rec.len(),
                head.len(),
                "{}: every row has every column",
                t.name
            );
            head.iter()
                .cloned()
                .zip(rec.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn table<'a>(all: &'a [Table], name: &str) -> &'a Table {
    all.iter().find(|t| t.name == name).unwrap()
}

fn now() -> Timestamp {
    at("2026-07-01", 12)
}

#[test]
fn every_table_reads_back_field_by_field_as_the_records_hold_it() {
    let state = fixture().doc.read().unwrap();
    let all = tables(&state, now());
    assert_eq!(
        all.iter().map(|t| t.name).collect::<Vec<_>>(),
        [
            "issues.csv",
            "ledger.csv",
            "decisions.csv",
            "members.csv",
            "goal_progress.csv"
        ]
    );

    let issues = rows(table(&all, "issues.csv"));
    assert_eq!(issues.len(), state.issues.len());
    for (row, issue) in issues.iter().zip(state.issues.values()) {
        assert_eq!(row["id"], issue.id.to_string());
        assert_eq!(row["title"], issue.title);
        assert_eq!(row["status"], issue.status.to_string());
        assert_eq!(row["tags"], issue.tags.join("; "));
        assert_eq!(row["lead_id"], issue.lead.to_string());
        assert_eq!(row["lead"], state.members[&issue.lead].name);
        assert_eq!(row["description"], issue.description.0);
        assert_eq!(row["evidence"], issue.evidence.len().to_string());
        assert_eq!(row["created_at"], issue.created_at.to_string());
    }
    let fares = issues
        .iter()
        .find(|r| r["title"].starts_with("Fares"))
        .unwrap();
    assert_eq!(fares["members_sharing"], "3");
    assert_eq!(
        fares["shared_by (rank)"],
        "Transit Workers Local 32 (1); Eastside Tenants (2); Bus Riders United (3)"
    );

    let ledger = rows(table(&all, "ledger.csv"));
    let entries: Vec<_> = state
        .pools
        .values()
        .flat_map(|p| p.ledger.values().map(move |e| (p, e)))
        .collect();
    assert_eq!(ledger.len(), entries.len());
    for (row, (pool, e)) in ledger.iter().zip(&entries) {
        assert_eq!(row["pool"], pool.name);
        assert_eq!(row["unit"], pool.unit);
        assert_eq!(row["entry_id"], e.id.to_string());
        assert_eq!(row["kind"], e.kind.to_string());
        assert_eq!(row["member_id"], e.member.to_string());
        assert_eq!(row["amount"], e.amount.to_string());
        assert_eq!(row["at"], e.at.to_string());
        assert_eq!(row["note"], e.note);
        let funded = if e.kind == model::EntryKind::Request {
            "yes"
        } else {
            ""
        };
        assert_eq!(row["funded"], funded, "the fixture's one request passed");
    }

    let decisions = rows(table(&all, "decisions.csv"));
    assert_eq!(decisions.len(), state.proposals.len());
    for (row, p) in decisions.iter().zip(state.proposals.values()) {
        let t = model::reports::proposal_tally(p, now());
        assert_eq!(row["title"], p.title);
        assert_eq!(row["rule"], p.rule.to_string());
        assert_eq!(row["outcome"], t.outcome.to_string());
        assert_eq!(row["agree"], t.agree.to_string());
        assert_eq!(row["block"], t.block.to_string());
        assert_eq!(row["author"], state.members[&p.author].name);
    }
    let outcomes: Vec<&str> = decisions.iter().map(|r| r["outcome"].as_str()).collect();
    for o in ["passed", "blocked", "failed", "open"] {
        assert!(outcomes.contains(&o), "{o} in {outcomes:?}");
    }

    let members = rows(table(&all, "members.csv"));
    assert_eq!(members.len(), 6);
    for (row, m) in members.iter().zip(state.members.values()) {
        assert_eq!(row["id"], m.id.to_string());
        assert_eq!(row["name"], m.name);
        assert_eq!(row["status"], "member");
        assert_eq!(row["languages"], m.languages.join("; "));
        assert_eq!(row["accessibility"], m.accessibility.join("; "));
        assert_eq!(row["contact"], m.contact);
    }

    let goals = rows(table(&all, "goal_progress.csv"));
    let points: usize = state
        .charter
        .goals
        .values()
        .map(|g| g.progress.len().max(1))
        .sum();
    assert_eq!(
        goals.len(),
        points,
        "one row per measurement, one for a goal without"
    );
    let fare_rows: Vec<_> = goals
        .iter()
        .filter(|r| r["goal"] == "Fare-free buses")
        .collect();
    assert_eq!(
        fare_rows
            .iter()
            .map(|r| r["value"].as_str())
            .collect::<Vec<_>>(),
        ["10", "25", "40"]
    );
    assert!(
        goals
            .iter()
            .any(|r| r["goal"] == "Ramps at every stop" && r["day"].is_empty())
    );
}

/// A member renamed to text a spreadsheet would run, with quotes, commas, line breaks and a
/// direction override besides.
fn hostile(doc: &mut CoalitionDoc, who: &MemberId) {
    doc.update_profile(
        who,
        model::ProfileUpdate {
            name: Some("=HYPERLINK(\"http://evil\",\"click\")".into()),
            contact: Some("+1 555, \"ext\"\n2".into()),
            ..Default::default()
        },
        at("2026-06-30", 10),
    )
    .unwrap();
    doc.add_issue(
        who,
        model::NewIssue {
            id: model::IssueId::from_bytes([77; 16]),
            title: "@SUM(1+1)\u{202e}evil".into(),
            description: "line one\r\nline two, \"quoted\"".into(),
            tags: vec![],
            lead: None,
        },
        at("2026-06-30", 11),
    )
    .unwrap();
}

#[test]
fn text_a_spreadsheet_would_run_is_kept_as_text_and_quotes_commas_and_line_breaks_survive() {
    let mut f = fixture();
    hostile(&mut f.doc, &member(3));
    let state = f.doc.read().unwrap();
    let all = tables(&state, now());
    let members = rows(table(&all, "members.csv"));
    let m = members.iter().find(|r| member(3) == r["id"]).unwrap();
    assert_eq!(m["name"], "'=HYPERLINK(\"http://evil\",\"click\")");
    assert_eq!(m["contact"], "'+1 555, \"ext\"\n2");
    let issues = rows(table(&all, "issues.csv"));
    let id = model::IssueId::from_bytes([77; 16]).to_string();
    let i = issues.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        i["title"], "'@SUM(1+1)evil",
        "without the direction override"
    );
    assert_eq!(i["description"], "line one\r\nline two, \"quoted\"");
    assert_eq!(i["raised_by"], "'=HYPERLINK(\"http://evil\",\"click\")");
    // No cell of any table begins with a formula's first character unescaped.
    for t in &all {
        for row in rows(t) {
            for (col, v) in row {
                if col.ends_with("id") || col == "amount" || col == "value" || col == "target" {
                    continue;
                }
                assert!(
                    !v.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: {col} = {v:?}",
                    t.name
                );
            }
        }
    }
}
