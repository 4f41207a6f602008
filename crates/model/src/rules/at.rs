//! Reading a document as it was at some heads ([`At`]), and the governance in force there.
//!
//! Each read at heads other than the document's own makes Automerge walk back through the
//! history from those heads to the nearest change it keeps a clock for (one in 16, by their
//! order in the document, which a history's author chooses): the rules read at past heads
//! only what a change could have changed, and [`reads_at_past_heads`] counts those reads, so
//! that tests can hold them to that.

use std::cell::Cell;

use automerge::{AutoCommit, ChangeHash, ObjId, Prop, ROOT, ReadDoc};

thread_local! {
    static READS: Cell<PastReads> = const { Cell::new(PastReads { all: 0, texts: 0 }) };
}

/// How many reads through an [`At`] this thread has made so far (each a walk through the
/// history where the heads are not the document's own): for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastReads {
    /// Every read.
    pub all: u64,
    /// Reads of a whole text (a description or a proposal's text, up to 20,000 characters).
    pub texts: u64,
}

/// The reads through an [`At`] this thread has made so far.
pub fn reads_at_past_heads() -> PastReads {
    READS.with(Cell::get)
}

fn counted() {
    count(false);
}

/// Counts one read, of a whole text if `text`.
fn count(text: bool) {
    READS.with(|r| {
        let mut n = r.get();
        n.all = n.all.wrapping_add(1);
        n.texts = n.texts.wrapping_add(u64::from(text));
        r.set(n);
    });
}

use crate::governance::Governance;

/// Reads a document as it was at `heads`, for typed hydration.
#[derive(Debug)]
pub struct At<'a> {
    doc: &'a AutoCommit,
    heads: &'a [ChangeHash],
}

impl<'a> At<'a> {
    /// The document `doc` as of `heads` (which must all be in it).
    pub fn new(doc: &'a AutoCommit, heads: &'a [ChangeHash]) -> Self {
        Self { doc, heads }
    }

    /// Every value `prop` of `obj` holds at the heads, conflicting ones included.
    pub fn get_all<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Vec<(automerge::Value<'_>, ObjId)>, automerge::AutomergeError> {
        counted();
        ReadDoc::get_all_at(self.doc, obj, prop, self.heads)
    }
}

impl autosurgeon::ReadDoc for At<'_> {
    type Parents<'b>
        = automerge::Parents<'b>
    where
        Self: 'b;

    fn get_heads(&self) -> Vec<ChangeHash> {
        self.heads.to_vec()
    }

    fn get<P: Into<Prop>>(
        &self,
        obj: &ObjId,
        prop: P,
    ) -> Result<Option<(automerge::Value<'_>, ObjId)>, automerge::AutomergeError> {
        counted();
        ReadDoc::get_at(self.doc, obj, prop, self.heads)
    }

    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<automerge::ObjType> {
        ReadDoc::object_type(self.doc, obj).ok()
    }

    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> automerge::iter::MapRange<'b>
    where
        R: std::ops::RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        counted();
        ReadDoc::map_range_at(self.doc, obj, range, self.heads)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        counted();
        ReadDoc::list_range_at(self.doc, obj, range, self.heads)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        counted();
        ReadDoc::length_at(self.doc, obj, self.heads)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        count(true);
        ReadDoc::text_at(self.doc, obj, self.heads)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        counted();
        ReadDoc::parents_at(self.doc, obj, self.heads)
    }

    fn is_empty(&self) -> bool {
        counted();
        ReadDoc::keys_at(self.doc, ROOT, self.heads).count() == 0
    }
}

/// The governance inputs of `doc` at `heads`, or `None` if it has no readable member list
/// and charter there (before the founding change).
pub fn governance_at(doc: &AutoCommit, heads: &[ChangeHash]) -> Option<Governance> {
    Governance::read(&At::new(doc, heads))
}

/// [`governance_at`] as the rules keep it along a batch: members' records without their
/// profile lists' items, which no rule reads (`Governance::read_judged`).
pub(crate) fn judged_at(doc: &AutoCommit, heads: &[ChangeHash]) -> Option<Governance> {
    Governance::read_judged(&At::new(doc, heads))
}
