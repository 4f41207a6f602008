//! The command line's output layer: every byte on standard output goes through here, so
//! that ids, tables and JSON stay separate from messages (standard error).

use std::io::Write;

use anyhow::{Context, Result};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

/// Writes results to standard output.
#[derive(Debug, Default)]
pub struct Out;

impl Out {
    fn write(&self, text: &str) -> Result<()> {
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

    /// Lines of text.
    pub fn text(&self, text: &str) -> Result<()> {
        if text.ends_with('\n') {
            self.write(text)
        } else {
            self.write(&format!("{text}\n"))
        }
    }

    /// A value as pretty JSON.
    pub fn json<T: Serialize>(&self, value: &T) -> Result<()> {
        let text = serde_json::to_string_pretty(value).context("could not encode JSON")?;
        self.write(&format!("{text}\n"))
    }

    /// A table with a header row; prints `empty` instead when there are no rows.
    pub fn table(&self, header: &[&str], rows: Vec<Vec<String>>, empty: &str) -> Result<()> {
        if rows.is_empty() {
            note(empty);
            return Ok(());
        }
        let mut t = Table::new();
        t.load_style(presets::ASCII_MARKDOWN)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header);
        for row in rows {
            t.add_row(row);
        }
        self.write(&format!("{t}\n"))
    }
}

/// A message for the person at the terminal (standard error).
pub fn note(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}
