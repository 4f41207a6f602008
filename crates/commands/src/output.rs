//! The output layer: every byte a command prints goes through here, so that ids, tables and
//! JSON (standard output) stay separate from messages (standard error). Output goes to the
//! terminal, or is captured (to test what a command prints).
//!
//! Much of what is printed was written on another organization's node. Control characters
//! (terminal escape sequences, bells, carriage returns) and bidirectional overrides would let
//! a member recolour, rewrite or spoof another's terminal, so every text, note and table cell
//! shows them escaped (`\u{1b}`), and a table cell shows its line breaks as `\n`, its tabs as
//! `\t` and its bars as `\|` so that rows and columns stay what they are; one-line fields
//! printed inside other text go through [`line()`] alike. JSON escapes them as JSON does
//! (`\u001b`, `\u202e`).

use std::cell::RefCell;
use std::io::Write;

use anyhow::{Context, Result};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// Whether `c` must not reach a terminal as it is: control characters (C0 but tab and, where
/// lines are kept, line feed; DEL; C1), Unicode line and paragraph separators, and the
/// bidirectional embeddings, overrides and isolates.
fn unsafe_char(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' => !keep_lines,
        '\t' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{2028}' | '\u{2029}' => true,
        c if model::is_bidi_control(c) => true,
        _ => false,
    }
}

/// `text` with every unsafe character escaped (a line feed as `\n`, others as `\u{..}`).
pub fn printable(text: &str, keep_lines: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| unsafe_char(c, keep_lines)) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if !keep_lines => out.push_str("\\n"),
            c if unsafe_char(c, keep_lines) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` as one line, to print inside a line of other text: its line breaks and tabs shown as
/// `\n` and `\t` besides the escapes of [`printable`]. Names, titles, tags and reasons are one
/// line each as the model writes them, but a member's modified node can write any text there:
/// a name holding a line break would print a line that reads as another member's row.
pub fn line(text: &str) -> String {
    let shown = printable(text, false);
    if shown.contains('\t') {
        shown.replace('\t', "\\t")
    } else {
        shown.into_owned()
    }
}

/// Encoded JSON with every character that must not reach a terminal as it is written as a
/// `\uXXXX` escape. JSON escapes C0 controls itself; the others can only be inside strings,
/// where the escape is the same value (all are in the Basic Multilingual Plane). For every
/// JSON this node hands out, printed or answered by the API: a client may print it raw.
pub fn escape_json(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if unsafe_char(c, true) {
            escaped.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            escaped.push(c);
        }
    }
    escaped
}

/// Where a command's output goes.
#[derive(Debug, Default)]
pub struct Out {
    captured: Option<RefCell<(Vec<u8>, Vec<u8>)>>,
}

impl Out {
    /// Output to this process's standard output and error.
    pub fn terminal() -> Self {
        Self { captured: None }
    }

    /// Output kept in memory, for [`Out::into_captured`].
    pub fn capture() -> Self {
        Self {
            captured: Some(RefCell::new((Vec::new(), Vec::new()))),
        }
    }

    /// What was captured: (standard output, standard error).
    pub fn into_captured(self) -> (Vec<u8>, Vec<u8>) {
        self.captured.map(RefCell::into_inner).unwrap_or_default()
    }

    /// A message for the person at the terminal (standard error).
    pub fn note(&self, message: &str) {
        let message = printable(message, true);
        match &self.captured {
            Some(c) => {
                let err = &mut c.borrow_mut().1;
                err.extend_from_slice(message.as_bytes());
                err.push(b'\n');
            }
            None => {
                let mut stderr = std::io::stderr().lock();
                let _ = writeln!(stderr, "{message}");
            }
        }
    }

    fn write(&self, text: &str) -> Result<()> {
        if let Some(c) = &self.captured {
            c.borrow_mut().0.extend_from_slice(text.as_bytes());
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        match stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => Ok(()),
            // A closed pipe (`coalesce issue list | head`) is not an error.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(e).context("could not write to standard output"),
        }
    }

    /// A created record's id, alone on its line.
    pub fn id(&self, id: impl std::fmt::Display) -> Result<()> {
        self.write(&format!("{id}\n"))
    }

    /// Text exactly as given (a record kept as JSON text, say).
    pub fn text_raw(&self, text: &str) -> Result<()> {
        if text.is_empty() {
            Ok(())
        } else {
            self.write(text)
        }
    }

    /// Lines of text.
    pub fn text(&self, text: &str) -> Result<()> {
        let text = printable(text, true);
        if text.ends_with('\n') {
            self.write(&text)
        } else {
            self.write(&format!("{text}\n"))
        }
    }

    /// A value as pretty JSON.
    pub fn json<T: Serialize>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).context("could not encode JSON")?;
        let mut escaped = escape_json(&text);
        escaped.push('\n');
        self.write(&escaped)
    }

    /// A table with a header row; prints `empty` instead when there are no rows.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>, empty: &str) -> Result<()> {
        if rows.is_empty() {
            self.note(empty);
            return Ok(());
        }
        let mut t = Table::new();
        t.load_style(presets::ASCII_MARKDOWN)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header);
        for row in rows {
            // A cell is one line, and a bar in it is shown escaped as Markdown does, so that
            // no text draws a column of its own.
            t.add_row(
                row.iter()
                    .map(|cell| line(cell).replace('|', "\\|"))
                    .collect::<Vec<_>>(),
            );
        }
        self.write(&format!("{t}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_stay_on_their_line_and_cells_draw_no_columns() {
        assert_eq!(
            line("Eastside\n  Northside\tblock"),
            "Eastside\\n  Northside\\tblock"
        );
        assert_eq!(line("plain"), "plain");
        let out = Out::capture();
        out.table(&["A", "B"], vec![vec!["x | y".into(), "z".into()]], "none")
            .unwrap();
        let (stdout, _) = out.into_captured();
        let s = String::from_utf8(stdout).unwrap();
        let row = s.lines().nth(2).unwrap();
        assert_eq!(
            row.matches('|').count() - row.matches("\\|").count(),
            3,
            "{s}"
        );
    }

    #[test]
    fn escapes_reach_no_terminal_and_rows_stay_rows() {
        let hostile = "Fares\u{1b}[31m red\u{7}\r\u{9b}2J \u{202e}evil\u{2066}\nrow";
        let out = Out::capture();
        out.table(&["TITLE"], vec![vec![hostile.to_owned()]], "none")
            .unwrap();
        out.text(hostile).unwrap();
        out.note(hostile);
        out.json(&serde_json::json!({ "title": hostile })).unwrap();
        let (stdout, stderr) = out.into_captured();
        for bytes in [&stdout, &stderr] {
            let s = String::from_utf8(bytes.clone()).unwrap();
            assert!(
                !s.chars().any(|c| unsafe_char(c, true)),
                "{s:?} reaches the terminal raw"
            );
        }
        let s = String::from_utf8(stdout).unwrap();
        assert!(
            s.contains("Fares\\u{1b}[31m red\\u{7}\\u{d}\\u{9b}2J \\u{202e}evil\\u{2066}\\nrow"),
            "{s}"
        );
        // The table: header, rule, one row.
        assert_eq!(
            s.lines().take_while(|l| l.starts_with('|')).count(),
            3,
            "{s}"
        );
        // The JSON still decodes to the same text.
        let json_start = s.rfind("{\n").unwrap();
        let v: serde_json::Value = serde_json::from_str(&s[json_start..]).unwrap();
        assert_eq!(v["title"], hostile);
        // Plain text, accents, scripts written right to left and emoji pass untouched.
        for fine in [
            "Sindicato de Inquilinos — ñ",
            "اتحاد المستأجرين",
            "שכונה",
            "🚌\tTab",
        ] {
            assert_eq!(printable(fine, false), fine);
        }
    }
}
