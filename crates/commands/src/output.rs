//! The output layer: every byte a command prints goes through here, so that ids, tables and
//! JSON (standard output) stay separate from messages (standard error). Output goes to the
//! terminal, or is captured when the node runs a command for the command line.

use std::cell::RefCell;
use std::io::Write;

use anyhow::{Context, Result};
use comfy_table::{ContentArrangement, Table, presets};
use serde::Serialize;

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

    /// Text exactly as given (output relayed from the node).
    pub fn text_raw(&self, text: &str) -> Result<()> {
        if text.is_empty() {
            Ok(())
        } else {
            self.write(text)
        }
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
            self.note(empty);
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
