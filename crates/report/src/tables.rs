//! The coalition's tables as CSV files a spreadsheet program opens: the issue inventory, the
//! ledgers, the decisions, the members and the goals' progress.
//!
//! Each file is RFC 4180 (fields quoted where needed, quotes doubled, CRLF line ends), UTF-8
//! with a byte-order mark (without it, one widely used spreadsheet program reads UTF-8 as a
//! legacy code page and garbles every accented name), a header row, one record per row.
//!
//! A cell a member wrote (a name, a title, a note...) that begins with `=`, `+`, `-`, `@`, a
//! tab or a carriage return would be taken for a formula by spreadsheet programs, and a
//! formula can fetch addresses or run commands when the file is opened: such a cell begins
//! with an apostrophe, which spreadsheet programs read as "this is text". The figures this
//! node computes (amounts, counts, dates) are written as they are.

use std::collections::BTreeMap;

use model::reports::{decided_at, funds, overlap, proposal_tally};
use model::{Coalition, MemberId, Timestamp};

/// One CSV file: its name (without the coalition's id) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file's name, such as `issues.csv`.
    pub name: &'static str,
    /// The file, UTF-8 with a byte-order mark.
    pub bytes: Vec<u8>,
}

/// The byte-order mark a CSV file begins with.
pub const BOM: &str = "\u{feff}";

/// What a list of texts is joined with inside one cell.
const LIST: &str = "; ";

/// A member's text as a cell: without direction controls, and with an apostrophe before a
/// first character that would make it a formula.
pub(crate) fn cell(text: &str) -> String {
    let text: String = text
        .chars()
        .filter(|c| !model::is_bidi_control(*c))
        .collect();
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text,
    }
}

/// A list of a member's texts as one cell.
fn cells(items: &[String]) -> String {
    cell(&items.join(LIST))
}

/// Writes rows under a header into a CSV file.
fn file(name: &'static str, header: &[&str], rows: Vec<Vec<String>>) -> Table {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(BOM.as_bytes().to_vec());
    // Writing into memory cannot fail, and every row has the header's length (built below),
    // so neither error can happen; a row that did fail would be left out, never half written.
    let _ = w.write_record(header);
    for row in rows {
        debug_assert_eq!(row.len(), header.len(), "{name}");
        let _ = w.write_record(&row);
    }
    let bytes = w.into_inner().unwrap_or_default();
    Table { name, bytes }
}

/// Every table of the coalition at `now` (what became of each proposal and request then).
pub fn tables(state: &Coalition, now: Timestamp) -> Vec<Table> {
    let names = crate::names_of(state);
    vec![
        issues(state, &names),
        ledger(state, &names, now),
        decisions(state, &names, now),
        members(state),
        goals(state, &names),
    ]
}

/// A member's name as a cell (the id is in the column beside it).
fn named(names: &BTreeMap<MemberId, String>, m: &MemberId) -> String {
    cell(names.get(m).map(String::as_str).unwrap_or(""))
}

fn issues(state: &Coalition, names: &BTreeMap<MemberId, String>) -> Table {
    let shared = overlap(state);
    let sharing: BTreeMap<_, _> = shared.issues.iter().map(|r| (&r.issue, r)).collect();
    let rows = state
        .issues
        .values()
        .map(|i| {
            let row = sharing.get(&i.id);
            vec![
                i.id.to_string(),
                cell(&i.title),
                i.status.to_string(),
                cells(&i.tags),
                i.lead.to_string(),
                named(names, &i.lead),
                i.raised_by.to_string(),
                named(names, &i.raised_by),
                row.map_or(0, |r| r.members_sharing).to_string(),
                row.map_or(0, |r| r.score).to_string(),
                cell(
                    &row.map(|r| {
                        r.shared_by
                            .iter()
                            .map(|s| format!("{} ({})", s.name, s.rank))
                            .collect::<Vec<_>>()
                            .join(LIST)
                    })
                    .unwrap_or_default(),
                ),
                i.evidence.len().to_string(),
                i.created_at.to_string(),
                cell(&i.description.0),
            ]
        })
        .collect();
    file(
        "issues.csv",
        &[
            "id",
            "title",
            "status",
            "tags",
            "lead_id",
            "lead",
            "raised_by_id",
            "raised_by",
            "members_sharing",
            "priority_score",
            "shared_by (rank)",
            "evidence",
            "created_at",
            "description",
        ],
        rows,
    )
}

fn ledger(state: &Coalition, names: &BTreeMap<MemberId, String>, now: Timestamp) -> Table {
    let mut rows = Vec::new();
    for pool in state.pools.values() {
        let funds = funds(state, pool, now);
        for e in pool.ledger.values() {
            let funded = match e.kind {
                model::EntryKind::Request if funds.is_funded(&e.id) => "yes",
                model::EntryKind::Request => "no",
                _ => "",
            };
            rows.push(vec![
                pool.id.to_string(),
                cell(&pool.name),
                pool.kind.to_string(),
                cell(&pool.unit),
                e.id.to_string(),
                e.kind.to_string(),
                e.member.to_string(),
                named(names, &e.member),
                e.amount.to_string(),
                e.at.to_string(),
                e.proposal
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                funded.to_owned(),
                cell(&e.note),
            ]);
        }
    }
    file(
        "ledger.csv",
        &[
            "pool_id",
            "pool",
            "pool_kind",
            "unit",
            "entry_id",
            "kind",
            "member_id",
            "member",
            "amount",
            "at",
            "proposal_id",
            "funded",
            "note",
        ],
        rows,
    )
}

fn decisions(state: &Coalition, names: &BTreeMap<MemberId, String>, now: Timestamp) -> Table {
    let rows = state
        .proposals
        .values()
        .map(|p| {
            let t = proposal_tally(p, now);
            vec![
                p.id.to_string(),
                cell(&p.title),
                p.kind.to_string(),
                p.rule.to_string(),
                p.author.to_string(),
                named(names, &p.author),
                p.created_at.to_string(),
                p.closes_at.map(|c| c.to_string()).unwrap_or_default(),
                t.outcome.to_string(),
                decided_at(p, now)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                t.electorate.to_string(),
                t.agree.to_string(),
                t.disagree.to_string(),
                t.abstain.to_string(),
                t.block.to_string(),
                t.pending.to_string(),
            ]
        })
        .collect();
    file(
        "decisions.csv",
        &[
            "id",
            "title",
            "kind",
            "rule",
            "author_id",
            "author",
            "opened_at",
            "closes_at",
            "outcome",
            "decided_at",
            "electorate",
            "agree",
            "disagree",
            "abstain",
            "block",
            "no_position_yet",
        ],
        rows,
    )
}

fn members(state: &Coalition) -> Table {
    let row = |m: &model::schema::Member, status: &str, since: String| {
        vec![
            m.id.to_string(),
            cell(&m.name),
            status.to_owned(),
            cells(&m.communities),
            cells(&m.languages),
            cells(&m.accessibility),
            cell(&m.contact),
            m.joined_at.to_string(),
            since,
        ]
    };
    let mut rows: Vec<Vec<String>> = state
        .members
        .values()
        .map(|m| row(m, "member", String::new()))
        .collect();
    rows.extend(state.former_members.values().map(|d| {
        row(
            &d.member,
            d.status.as_str(),
            d.since.map(|s| s.to_string()).unwrap_or_default(),
        )
    }));
    file(
        "members.csv",
        &[
            "id",
            "name",
            "status",
            "communities",
            "languages",
            "accessibility",
            "contact",
            "joined_at",
            "left_at",
        ],
        rows,
    )
}

fn goals(state: &Coalition, names: &BTreeMap<MemberId, String>) -> Table {
    let mut rows = Vec::new();
    for g in state.charter.goals.values() {
        let head = |rest: [String; 5]| {
            let mut row = vec![
                g.id.to_string(),
                cell(&g.title),
                g.target.to_string(),
                cell(&g.unit),
            ];
            row.extend(rest);
            row
        };
        if g.progress.is_empty() {
            rows.push(head(Default::default()));
        }
        for p in &g.progress {
            rows.push(head([
                p.day.to_string(),
                p.value.to_string(),
                p.by.to_string(),
                named(names, &p.by),
                cell(&p.note),
            ]));
        }
    }
    file(
        "goal_progress.csv",
        &[
            "goal_id", "goal", "target", "unit", "day", "value", "by_id", "by", "note",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever a member wrote, a row of it reads back as written (formula-like text with
        /// its apostrophe, direction controls left out), and no cell reads as a formula.
        #[test]
        fn any_text_reads_back_as_its_cell_and_never_as_a_formula(
            texts in proptest::collection::vec(any::<String>(), 1..6),
        ) {
            let cells: Vec<String> = texts.iter().map(|t| cell(t)).collect();
            let head: Vec<String> = (0..cells.len()).map(|i| format!("c{i}")).collect();
            let head: Vec<&str> = head.iter().map(String::as_str).collect();
            let t = file("t.csv", &head, vec![cells.clone()]);
            let mut r = csv::ReaderBuilder::new().from_reader(&t.bytes[BOM.len()..]);
            let back: Vec<String> = r.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
            prop_assert_eq!(&back, &cells);
            for c in back {
                prop_assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']));
                prop_assert!(!c.chars().any(model::is_bidi_control));
            }
        }
    }

    #[test]
    fn a_cell_that_a_spreadsheet_would_take_for_a_formula_begins_with_an_apostrophe() {
        for f in [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(f), format!("'{f}"));
        }
        assert_eq!(cell("Eastside = tenants"), "Eastside = tenants");
        assert_eq!(
            cell("\u{202e}=1"),
            "'=1",
            "a direction control cannot hide it"
        );
        assert_eq!(cell(""), "");
    }
}
