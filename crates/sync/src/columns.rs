//! Strict readers for Automerge's columnar encoding, and [`validate`], which checks a whole
//! set of columns before Automerge parses them.
//!
//! Automerge's own column decoders trust counts they read: a run-length column of a few bytes
//! can claim 2^62 rows, a group can claim 2^40 members, a value can claim a gigabyte of bytes,
//! a counter can exceed the `u32` that Automerge then unwraps into. Each of those is an
//! allocation the node cannot survive or a panic. [`validate`] reads every column the way
//! Automerge will, counting runs arithmetically (a claimed run costs nothing until it is
//! counted against the limit), and refuses a set whose columns disagree on their number of
//! rows, whose counts exceed the caller's limit, or whose values leave their range. Only then
//! may Automerge see the bytes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::verify::Refusal;

/// How a refusal is worded where these readers are used (a change or a snapshot).
pub(crate) type Bad = fn(String) -> Refusal;

/// Reads numbers, strings and byte runs off a slice, refusing what runs past its end.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) bad: Bad,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8], bad: Bad) -> Self {
        Self { bytes, bad }
    }

    pub(crate) fn uleb(&mut self) -> Result<u64, Refusal> {
        leb128::read::unsigned(&mut self.bytes).map_err(|e| (self.bad)(format!("bad number: {e}")))
    }

    pub(crate) fn sleb(&mut self) -> Result<i64, Refusal> {
        leb128::read::signed(&mut self.bytes).map_err(|e| (self.bad)(format!("bad number: {e}")))
    }

    /// An unsigned number in its shortest encoding, the only one Automerge writes.
    pub(crate) fn uleb_shortest(&mut self) -> Result<u64, Refusal> {
        self.shortest(Self::uleb, uleb_len)
    }

    /// A signed number in its shortest encoding, the only one Automerge writes.
    pub(crate) fn sleb_shortest(&mut self) -> Result<i64, Refusal> {
        self.shortest(Self::sleb, sleb_len)
    }

    /// A number read by `read`, refused unless it took the `len` bytes its shortest encoding
    /// takes.
    fn shortest<T: Copy>(
        &mut self,
        read: fn(&mut Self) -> Result<T, Refusal>,
        len: fn(T) -> usize,
    ) -> Result<T, Refusal> {
        let before = self.bytes.len();
        let v = read(self)?;
        if before - self.bytes.len() != len(v) {
            return Err((self.bad)("number not in its shortest encoding".into()));
        }
        Ok(v)
    }

    pub(crate) fn len(&mut self) -> Result<usize, Refusal> {
        usize::try_from(self.uleb()?).map_err(|_| (self.bad)("length too large".into()))
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Refusal> {
        if n > self.bytes.len() {
            return Err((self.bad)(format!(
                "{n} bytes wanted, {} left",
                self.bytes.len()
            )));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn str(&mut self) -> Result<&'a str, Refusal> {
        let n = self.len()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| (self.bad)("text is not UTF-8".into()))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// How many bytes the shortest unsigned LEB128 encoding of `v` takes.
fn uleb_len(v: u64) -> usize {
    (64 - v.leading_zeros()).max(1).div_ceil(7) as usize
}

/// How many bytes the shortest signed LEB128 encoding of `v` takes (its bits and a sign bit).
fn sleb_len(v: i64) -> usize {
    let magnitude = if v < 0 { !v } else { v };
    (64 - magnitude.leading_zeros() + 1).div_ceil(7) as usize
}

/// The kinds of value a run-length column holds, each read in its shortest encoding.
#[derive(Clone, Copy)]
pub(crate) enum Item {
    Unsigned,
    Signed,
    Text,
}

/// Whether a column is exactly what Automerge's encoder writes for the values it holds, so
/// that Automerge, which lists a change by encoding its operations again, lists it under the
/// hash it came with. Automerge reads far more than it writes: a run of one, two runs of one
/// value side by side, a literal run beside another, two null runs in a row, a number padded
/// with empty bytes, a column of nulls alone or no bytes at all (a column Automerge leaves
/// out). Any of those is not canonical here. `kind` is the column's type (see [`kind`]); a
/// value column's bytes are checked value by value where they are read.
pub(crate) fn canonical(ty: u32, data: &[u8]) -> bool {
    if data.is_empty() {
        return false;
    }
    match ty {
        kind::BOOLEAN => canonical_bools(data),
        kind::VALUE_RAW => true,
        kind::DELTA => canonical_runs(data, Item::Signed),
        kind::STRING => canonical_runs(data, Item::Text),
        kind::GROUP | kind::ACTOR | kind::INTEGER | kind::VALUE_META => {
            canonical_runs(data, Item::Unsigned)
        }
        _ => false,
    }
}

/// See [`canonical`]: Automerge's run-length encoder writes a repeated value as one run of at
/// least two, every value not repeated in literal runs that never touch one another, and
/// nulls in runs of at least one that never touch one another; a column of nulls alone it
/// leaves empty.
fn canonical_runs(data: &[u8], item: Item) -> bool {
    #[derive(PartialEq)]
    enum Last<'a> {
        Start,
        Null,
        Value { bytes: &'a [u8], literal: bool },
    }
    let quiet = |_: String| Refusal::MalformedChange(String::new());
    let mut r = Reader::new(data, quiet);
    // One value, as the bytes that encode it: in its shortest encoding, equal values are
    // equal bytes.
    let value = |r: &mut Reader<'_>| -> Option<usize> {
        let before = r.bytes.len();
        match item {
            Item::Unsigned => r.uleb_shortest().map(|_| ()),
            Item::Signed => r.sleb_shortest().map(|_| ()),
            Item::Text => r.uleb_shortest().and_then(|n| {
                let n = usize::try_from(n).map_err(|_| quiet(String::new()))?;
                std::str::from_utf8(r.take(n)?)
                    .map(|_| ())
                    .map_err(|_| quiet(String::new()))
            }),
        }
        .ok()?;
        Some(before - r.bytes.len())
    };
    let mut last = Last::Start;
    let mut values = false;
    while !r.is_empty() {
        let Ok(count) = r.sleb_shortest() else {
            return false;
        };
        // A run of one value, or a literal run of values each read in turn.
        let (n, literal) = match count {
            2.. => (1, false),
            ..0 => {
                if matches!(last, Last::Value { literal: true, .. }) {
                    return false;
                }
                (count.unsigned_abs(), true)
            }
            0 => {
                if last == Last::Null || !matches!(r.uleb_shortest(), Ok(1..)) {
                    return false;
                }
                last = Last::Null;
                continue;
            }
            // A run of one is written as a literal.
            _ => return false,
        };
        // Each value takes at least a byte: a claimed count ends with the bytes.
        for _ in 0..n {
            let at = r.bytes;
            let Some(len) = value(&mut r) else {
                return false;
            };
            let bytes = &at[..len];
            // Equal to the value before it: the encoder would have made a run of the two.
            if matches!(last, Last::Value { bytes: b, .. } if b == bytes) {
                return false;
            }
            last = Last::Value { bytes, literal };
        }
        values = true;
    }
    values
}

/// See [`canonical`]: Automerge's boolean encoder writes alternating counts, falses first,
/// where only the first may be zero (the column starts with a true) and the last is not.
fn canonical_bools(data: &[u8]) -> bool {
    let quiet = |_: String| Refusal::MalformedChange(String::new());
    let mut r = Reader::new(data, quiet);
    let mut first = true;
    let mut last = 0;
    while !r.is_empty() {
        let Ok(n) = r.uleb_shortest() else {
            return false;
        };
        if n == 0 && !first {
            return false;
        }
        first = false;
        last = n;
    }
    last > 0
}

enum Run<T> {
    Repeat(T),
    Literal,
    Null,
}

/// A run-length encoded column, read one value at a time (`None` for a null): runs that
/// claim more values than there are rows cost nothing until read.
pub(crate) struct Runs<'a, T> {
    r: Reader<'a>,
    left: u64,
    run: Run<T>,
    read: fn(&mut Reader<'a>) -> Result<T, Refusal>,
}

impl<'a, T: Copy> Runs<'a, T> {
    pub(crate) fn new(
        data: &'a [u8],
        bad: Bad,
        read: fn(&mut Reader<'a>) -> Result<T, Refusal>,
    ) -> Self {
        Self {
            r: Reader::new(data, bad),
            left: 0,
            run: Run::Null,
            read,
        }
    }

    /// The next value, or `Ok(None)` at the end of the column.
    pub(crate) fn next(&mut self) -> Result<Option<Option<T>>, Refusal> {
        while self.left == 0 {
            if self.r.is_empty() {
                return Ok(None);
            }
            let count = self.r.sleb()?;
            if count > 0 {
                self.run = Run::Repeat((self.read)(&mut self.r)?);
                self.left = count.unsigned_abs();
            } else if count < 0 {
                self.run = Run::Literal;
                self.left = count.unsigned_abs();
            } else {
                self.run = Run::Null;
                self.left = self.r.uleb()?;
            }
        }
        self.left -= 1;
        Ok(Some(match self.run {
            Run::Repeat(v) => Some(v),
            Run::Literal => Some((self.read)(&mut self.r)?),
            Run::Null => None,
        }))
    }
}

/// The sum of a group column's counts (nulls count none): how many rows its members hold.
pub(crate) fn group_total(col: &[u8], bad: Bad) -> Result<u64, Refusal> {
    let mut runs = Runs::new(col, bad, |r| r.uleb());
    let mut total = 0u64;
    while let Some(n) = runs.next()? {
        total = total.saturating_add(n.unwrap_or(0));
    }
    Ok(total)
}

/// A delta-encoded column of counters (nulls leave the running sum alone).
pub(crate) struct Deltas<'a> {
    runs: Runs<'a, i64>,
    sum: i64,
}

impl<'a> Deltas<'a> {
    pub(crate) fn new(data: &'a [u8], bad: Bad) -> Self {
        Self {
            runs: Runs::new(data, bad, |r| r.sleb()),
            sum: 0,
        }
    }

    pub(crate) fn next(&mut self) -> Result<Option<Option<u64>>, Refusal> {
        let bad = self.runs.r.bad;
        Ok(match self.runs.next()? {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => {
                self.sum = self
                    .sum
                    .checked_add(d)
                    .ok_or_else(|| bad("counter overflows".into()))?;
                Some(Some(
                    u64::try_from(self.sum).map_err(|_| bad("negative counter".into()))?,
                ))
            }
        })
    }
}

/// A boolean column: alternating run lengths, falses first.
pub(crate) struct Bools<'a> {
    r: Reader<'a>,
    left: u64,
    value: bool,
}

impl<'a> Bools<'a> {
    pub(crate) fn new(data: &'a [u8], bad: Bad) -> Self {
        Self {
            r: Reader::new(data, bad),
            left: 0,
            value: true,
        }
    }

    pub(crate) fn next(&mut self) -> Result<Option<bool>, Refusal> {
        while self.left == 0 {
            if self.r.is_empty() {
                return Ok(None);
            }
            self.left = self.r.uleb()?;
            self.value = !self.value;
        }
        self.left -= 1;
        Ok(Some(self.value))
    }
}

/// Column types (a spec's low three bits).
pub(crate) mod kind {
    pub(crate) const GROUP: u32 = 0;
    pub(crate) const ACTOR: u32 = 1;
    pub(crate) const INTEGER: u32 = 2;
    pub(crate) const DELTA: u32 = 3;
    pub(crate) const BOOLEAN: u32 = 4;
    pub(crate) const STRING: u32 = 5;
    pub(crate) const VALUE_META: u32 = 6;
    pub(crate) const VALUE_RAW: u32 = 7;
}

/// A spec's column id and type.
pub(crate) const fn spec(id: u32, kind: u32) -> u32 {
    (id << 4) | kind
}

/// The flag in a spec that marks a deflated column.
pub(crate) const DEFLATE: u32 = 0b1000;

/// The range numeric values of a column may take (a running sum, for delta columns).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Range {
    pub min: i64,
    pub max: i64,
}

/// Counters, sequence numbers and indices: Automerge keeps them as `u32`.
pub(crate) const COUNTER: Range = Range {
    min: 0,
    max: u32::MAX as i64,
};

/// What is special about some columns of a set: the range of a numeric column's values,
/// by spec (integer and delta columns default to [`COUNTER`]).
pub(crate) struct Layout<'a> {
    pub ranges: &'a [(u32, Range)],
}

/// Checks a set of (inflated) columns before Automerge reads them, and returns their number
/// of rows (0 if all are empty):
///
/// - every column parses to its end, strings are UTF-8, lengths stay within the bytes;
/// - every column that is not empty has the same number of rows, at most `max_rows`;
///   the members of a group (other columns with a group column's id) have as many rows
///   as the group's counts add up to, at most `max_rows` too;
/// - a value column is exactly as long as its metadata column says;
/// - actor indices are below `actors`; integer and delta values (running sums) stay in
///   their [`Range`].
pub(crate) fn validate(
    cols: &BTreeMap<u32, Cow<'_, [u8]>>,
    layout: &Layout<'_>,
    actors: usize,
    max_rows: u64,
    bad: Bad,
) -> Result<u64, Refusal> {
    let range_of = |spec: u32| {
        layout
            .ranges
            .iter()
            .find(|(s, _)| *s == spec)
            .map_or(COUNTER, |(_, r)| *r)
    };
    let grouped: Vec<u32> = cols
        .keys()
        .filter(|s| *s & 7 == kind::GROUP)
        .map(|s| s >> 4)
        .collect();
    // Totals of group counts and value lengths, by column id.
    let mut group_total: BTreeMap<u32, u64> = BTreeMap::new();
    let mut value_len: BTreeMap<u32, u64> = BTreeMap::new();
    let mut rows: Option<u64> = None;
    // Rows of each column, and whether it is empty.
    let mut counted: BTreeMap<u32, (u64, bool)> = BTreeMap::new();
    for (&spec, data) in cols {
        if spec & DEFLATE != 0 {
            return Err(bad(format!("column {spec:#x} is still compressed")));
        }
        let id = spec >> 4;
        let ty = spec & 7;
        let mut s = Scan::new(data, bad, max_rows);
        match ty {
            kind::GROUP => {
                let total = group_total.entry(id).or_default();
                s.rle(|r, n| {
                    let v = r.uleb()?;
                    *total = v
                        .checked_mul(n)
                        .and_then(|x| x.checked_add(*total))
                        .filter(|t| *t <= max_rows)
                        .ok_or_else(|| bad(format!("column {spec:#x}: groups too large")))?;
                    Ok(())
                })?
            }
            kind::ACTOR => s.rle(|r, _| {
                let a = r.uleb()?;
                if a >= actors as u64 {
                    return Err(bad(format!(
                        "column {spec:#x}: actor index {a} out of range"
                    )));
                }
                Ok(())
            })?,
            kind::INTEGER => {
                let range = range_of(spec);
                s.rle(|r, _| {
                    let v = r.uleb()?;
                    if i64::try_from(v).map_or(true, |v| v < range.min || v > range.max) {
                        return Err(bad(format!("column {spec:#x}: value {v} out of range")));
                    }
                    Ok(())
                })?
            }
            kind::DELTA => {
                let range = range_of(spec);
                let mut sum: i64 = 0;
                s.rle(|r, n| {
                    let d = r.sleb()?;
                    // A run of n equal deltas moves the sum monotonically: checking where it
                    // ends checks every step.
                    sum = i64::try_from(n)
                        .ok()
                        .and_then(|n| d.checked_mul(n))
                        .and_then(|x| x.checked_add(sum))
                        .filter(|v| *v >= range.min && *v <= range.max)
                        .ok_or_else(|| bad(format!("column {spec:#x}: value out of range")))?;
                    Ok(())
                })?
            }
            kind::BOOLEAN => s.bools()?,
            kind::STRING => s.rle(|r, _| r.str().map(|_| ()))?,
            kind::VALUE_META => {
                let total = value_len.entry(id).or_default();
                s.rle(|r, n| {
                    let len = r.uleb()? >> 4;
                    *total = len
                        .checked_mul(n)
                        .and_then(|x| x.checked_add(*total))
                        .filter(|t| *t <= data_len_limit())
                        .ok_or_else(|| bad(format!("column {spec:#x}: values too long")))?;
                    Ok(())
                })?
            }
            kind::VALUE_RAW => {
                continue;
            }
            _ => return Err(bad(format!("column {spec:#x} of unknown type"))),
        }
        counted.insert(spec, (s.rows, data.is_empty()));
    }
    for (&spec, &(n, empty)) in &counted {
        let (id, ty) = (spec >> 4, spec & 7);
        if ty != kind::GROUP && grouped.contains(&id) {
            // A member of a group: as many rows as the group's counts add up to.
            let want = group_total.get(&id).copied().unwrap_or(0);
            if n != want && !(empty && want == 0) {
                return Err(bad(format!(
                    "column {spec:#x} has {n} rows where its group counts {want}"
                )));
            }
            continue;
        }
        if empty {
            continue;
        }
        match rows {
            None => rows = Some(n),
            Some(r) if r == n => {}
            Some(r) => {
                return Err(bad(format!(
                    "column {spec:#x} has {n} rows where the others have {r}"
                )));
            }
        }
    }
    // Value columns: exactly as long as their metadata says.
    for (&spec, data) in cols {
        if spec & 7 != kind::VALUE_RAW {
            continue;
        }
        let want = value_len.get(&(spec >> 4)).copied().unwrap_or(0);
        if data.len() as u64 != want {
            return Err(bad(format!(
                "value column {spec:#x} holds {} bytes where its metadata says {want}",
                data.len()
            )));
        }
    }
    for (id, total) in &value_len {
        if *total > 0 && !cols.contains_key(&spec(*id, kind::VALUE_RAW)) {
            return Err(bad(format!("values of column {id} without their bytes")));
        }
    }
    Ok(rows.unwrap_or(0))
}

/// No value column can be longer than a message (the protocol's largest).
fn data_len_limit() -> u64 {
    crate::wire::MAX_MESSAGE as u64
}

/// Counts the rows of one column, run by run.
struct Scan<'a> {
    r: Reader<'a>,
    rows: u64,
    max: u64,
}

impl<'a> Scan<'a> {
    fn new(data: &'a [u8], bad: Bad, max: u64) -> Self {
        Self {
            r: Reader::new(data, bad),
            rows: 0,
            max,
        }
    }

    fn add(&mut self, n: u64) -> Result<(), Refusal> {
        self.rows = self
            .rows
            .checked_add(n)
            .filter(|r| *r <= self.max)
            .ok_or_else(|| {
                (self.r.bad)(format!(
                    "a column claims more than {} operations (rows)",
                    self.max
                ))
            })?;
        Ok(())
    }

    /// A run-length column: `value` reads one value and is told how many rows it stands for.
    fn rle(
        &mut self,
        mut value: impl FnMut(&mut Reader<'a>, u64) -> Result<(), Refusal>,
    ) -> Result<(), Refusal> {
        while !self.r.is_empty() {
            let count = self.r.sleb()?;
            if count > 0 {
                let n = count.unsigned_abs();
                self.add(n)?;
                value(&mut self.r, n)?;
            } else if count < 0 {
                let n = count.unsigned_abs();
                self.add(n)?;
                for _ in 0..n {
                    value(&mut self.r, 1)?;
                }
            } else {
                let n = self.r.uleb()?;
                self.add(n)?;
            }
        }
        Ok(())
    }

    fn bools(&mut self) -> Result<(), Refusal> {
        while !self.r.is_empty() {
            let n = self.r.uleb()?;
            self.add(n)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Automerge's run-length encoding of `values`, told declaratively: each stretch of equal
    /// values of two or more is a run, values not repeated go together in literal runs, each
    /// stretch of nulls is a null run, and a column of nulls alone is written as nothing.
    fn encoded(values: &[Option<u64>]) -> Vec<u8> {
        let mut out = Vec::new();
        if values.iter().all(Option::is_none) {
            return out;
        }
        let mut literal: Vec<u64> = Vec::new();
        let flush = |literal: &mut Vec<u64>, out: &mut Vec<u8>| {
            if !literal.is_empty() {
                leb128::write::signed(out, -(literal.len() as i64)).unwrap();
                for v in literal.drain(..) {
                    leb128::write::unsigned(out, v).unwrap();
                }
            }
        };
        for stretch in values.chunk_by(|a, b| a == b) {
            match (stretch[0], stretch.len()) {
                (Some(v), 1) => literal.push(v),
                (Some(v), n) => {
                    flush(&mut literal, &mut out);
                    leb128::write::signed(&mut out, n as i64).unwrap();
                    leb128::write::unsigned(&mut out, v).unwrap();
                }
                (None, n) => {
                    flush(&mut literal, &mut out);
                    out.push(0);
                    leb128::write::unsigned(&mut out, n as u64).unwrap();
                }
            }
        }
        flush(&mut literal, &mut out);
        out
    }

    /// The values a run-length column holds (with [`Runs`], as the readers here read it).
    fn decoded(data: &[u8]) -> Option<Vec<Option<u64>>> {
        let mut runs = Runs::new(data, Refusal::MalformedChange, |r| r.uleb());
        let mut out = Vec::new();
        while let Some(v) = runs.next().ok()? {
            out.push(v);
            if out.len() > 64 {
                return None;
            }
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn shortest_lengths_are_the_lengths_leb128_writes(u in any::<u64>(), s in any::<i64>()) {
            let mut b = Vec::new();
            leb128::write::unsigned(&mut b, u).unwrap();
            prop_assert_eq!(uleb_len(u), b.len());
            b.clear();
            leb128::write::signed(&mut b, s).unwrap();
            prop_assert_eq!(sleb_len(s), b.len());
        }

        /// Automerge's encoding of any values is canonical; any other bytes holding the same
        /// values are not.
        #[test]
        fn only_automerges_encoding_of_a_column_is_canonical(
            values in proptest::collection::vec(proptest::option::weighted(0.8, 0u64..4), 1..12),
            bytes in proptest::collection::vec(
                prop_oneof![Just(0u8), Just(1), Just(2), Just(3), Just(0x7e), Just(0x7f),
                    Just(0x80), any::<u8>()],
                1..16,
            ),
        ) {
            let ours = encoded(&values);
            prop_assert_eq!(canonical(kind::ACTOR, &ours), !ours.is_empty());
            if !ours.is_empty() {
                prop_assert_eq!(decoded(&ours), Some(values.clone()));
            }
            // Bytes of any other shape: canonical exactly where they are what Automerge
            // writes for what they hold.
            if let Some(held) = decoded(&bytes).filter(|v| !v.is_empty()) {
                prop_assert_eq!(canonical(kind::ACTOR, &bytes), encoded(&held) == bytes);
            }
        }
    }

    #[test]
    fn runs_split_otherwise_than_automerge_splits_them_are_not_canonical() {
        let ok = |b: &[u8]| canonical(kind::INTEGER, b);
        assert!(ok(&[2, 5, 0x7f, 6, 0, 3]));
        for (bad, why) in [
            (&[][..], "no bytes"),
            (&[0, 3], "nulls alone"),
            (&[1, 5], "a run of one"),
            (&[2, 5, 2, 5], "two runs of one value"),
            (&[2, 5, 0x7f, 5], "a literal beginning with the run's value"),
            (&[0x7e, 1, 1], "a literal holding a value twice in a row"),
            (&[0x7f, 1, 0x7f, 2], "two literals side by side"),
            (&[0x7f, 1, 0, 1, 0, 1], "two null runs side by side"),
            (&[0x7f, 1, 0, 0], "an empty null run"),
            (&[0x82, 0, 5], "a padded count"),
            (&[2, 0x85, 0], "a padded value"),
        ] {
            assert!(!ok(bad), "{why}");
        }
        assert!(canonical(kind::BOOLEAN, &[0, 2, 1]));
        assert!(canonical(kind::BOOLEAN, &[3]));
        for bad in [&[0][..], &[3, 0], &[0, 2, 0, 1], &[0x83, 0]] {
            assert!(!canonical(kind::BOOLEAN, bad), "{bad:?}");
        }
        assert!(canonical(kind::STRING, &[0x7e, 1, b'a', 1, b'b']));
        assert!(!canonical(kind::STRING, &[0x7e, 1, b'a', 1, b'a']));
        assert!(!canonical(kind::STRING, &[0x7f, 0x81, 0, b'a']));
    }
}
