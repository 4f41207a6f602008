//! Migrations from older store formats, each one step, run in the transaction that bumps
//! the version.

use super::*;

/// One step from a format to the next, run inside the write transaction that records the new
/// version. `MIGRATIONS[i]` takes format `i + 1` to `i + 2`.
pub(crate) type Migration = fn(&redb::WriteTransaction) -> Result<(), StoreError>;
pub(crate) const MIGRATIONS: [Migration; (FORMAT_VERSION - 1) as usize] = [format_1_to_2];

/// Format 2 keeps logs entry by entry: the refusal log, one JSON array in format 1, is split
/// into its entries. A record that is not a JSON array is left where it was.
pub(crate) fn format_1_to_2(tx: &redb::WriteTransaction) -> Result<(), StoreError> {
    const OLD: &str = "node/refused";
    let mut meta = tx.open_table(META)?;
    let mut logs = tx.open_table(LOGS)?;
    let old = meta.get(OLD)?.map(|v| v.value().to_vec());
    let Some(old) = old else { return Ok(()) };
    let Ok(entries) = serde_json::from_slice::<Vec<serde_json::Value>>(&old) else {
        tracing::warn!(
            record = OLD,
            "the old refusal log is not a JSON array; left as it was"
        );
        return Ok(());
    };
    let mut seq = 0;
    for entry in entries {
        let bytes = entry.to_string().into_bytes();
        if bytes.len() <= MAX_LOG_ENTRY_BYTES {
            logs.insert(("refused", seq), bytes.as_slice())?;
            seq += 1;
        }
    }
    meta.remove(OLD)?;
    Ok(())
}
