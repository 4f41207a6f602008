//! What organizers hand out, made from a coalition's records: the progress report over a
//! period in plain language ([`progress`], written by [`render`] as HTML, Markdown or JSON, in
//! English or Spanish), and the coalition's tables as CSV files ([`tables`]).
//!
//! Everything here is pure: a whole read of the coalition ([`model::Coalition`]) and the time
//! in, text and bytes out; no I/O, no clock. Every text a member wrote is someone else's
//! input: it reaches HTML escaped and isolated, Markdown escaped, CSV neutralized against
//! spreadsheet formulas, and never steers the direction of the text around it.
//!
//! ```
//! use model::*;
//! let doc = CoalitionDoc::found(NodeKey::from_bytes([1; 32]), Founding {
//!     id: CoalitionId::from_bytes([3; 16]),
//!     name: "Harbor Coalition".into(),
//!     frame: "Homes people can afford".into(),
//!     values: vec![], commitments: vec![], equity_threshold: None,
//!     founder_id: MemberId::from_bytes([2; 16]),
//!     founder: MemberProfile::named("Eastside Tenants"),
//!     at: Timestamp::from_millis(0),
//! }).unwrap();
//! let state = doc.read().unwrap();
//! let now = model::Timestamp::from_secs(1_800_000_000);
//! let made = report::progress(&state, report::Period::default(), now);
//! let md = report::render(&made, report::Lang::Es, report::Format::Md);
//! assert!(md.contains("Harbor Coalition"));
//! let files = report::tables(&state, now);
//! assert_eq!(files.len(), 5);
//! ```

use std::collections::BTreeMap;

use model::{Coalition, MemberId};

mod chart;
mod progress;
mod render;
mod tables;
mod words;

pub use progress::{
    Allocation, Alone, Attendance, Block, Change, CharterChange, Decision, EvidenceLine, GoalLine,
    MemberShare, Participation, Period, Point, PoolLine, Progress, Reach, TagLine, progress,
    progress_with,
};
pub use render::{Format, policy, render, sentences};
pub use tables::{BOM, Table, tables};
pub use words::Lang;

/// Every member record's name by id, members in force and former members alike (a former
/// member's name still labels what it did).
pub(crate) fn names_of(state: &Coalition) -> BTreeMap<MemberId, String> {
    let mut names: BTreeMap<MemberId, String> = state
        .former_members
        .iter()
        .map(|(id, d)| (id.clone(), d.member.name.clone()))
        .collect();
    names.extend(
        state
            .members
            .iter()
            .map(|(id, m)| (id.clone(), m.name.clone())),
    );
    names
}

/// How member `m` is named in a report: its name, with its short id beside it where it reads
/// like another member's (`model::shown_name`), its id where it shows nothing; without the
/// characters that steer direction.
pub(crate) fn name(names: &BTreeMap<MemberId, String>, m: &MemberId) -> String {
    match model::shown_name(names, m) {
        model::ShownName::Id => m.short().to_owned(),
        model::ShownName::Alike(n) => format!("{} ({})", plain(n), m.short()),
        model::ShownName::Own(n) => plain(n),
    }
}

/// A member's text without the characters that steer the direction of what follows it, and
/// with its line breaks and other control characters as spaces: it goes inside sentences,
/// table cells and chart labels, and what the report prints holds no character a terminal
/// must not get raw.
pub(crate) fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !model::is_bidi_control(*c))
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}
