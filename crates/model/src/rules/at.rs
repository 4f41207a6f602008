//! Reading a document as it was at some heads ([`At`]), and the governance in force there.

use automerge::{AutoCommit, ChangeHash, ObjId, Prop, ROOT, ReadDoc};

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
        ReadDoc::map_range_at(self.doc, obj, range, self.heads)
    }

    fn list_range<O: AsRef<ObjId>, R: std::ops::RangeBounds<usize>>(
        &self,
        obj: O,
        range: R,
    ) -> automerge::iter::ListRange<'_> {
        ReadDoc::list_range_at(self.doc, obj, range, self.heads)
    }

    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        ReadDoc::length_at(self.doc, obj, self.heads)
    }

    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, automerge::AutomergeError> {
        ReadDoc::text_at(self.doc, obj, self.heads)
    }

    fn parents<O: AsRef<ObjId>>(
        &self,
        obj: O,
    ) -> Result<Self::Parents<'_>, automerge::AutomergeError> {
        ReadDoc::parents_at(self.doc, obj, self.heads)
    }

    fn is_empty(&self) -> bool {
        ReadDoc::keys_at(self.doc, ROOT, self.heads).count() == 0
    }
}

/// The governance inputs of `doc` at `heads`, or `None` if it has no readable member list
/// and charter there (before the founding change).
pub fn governance_at(doc: &AutoCommit, heads: &[ChangeHash]) -> Option<Governance> {
    Governance::read(&At::new(doc, heads))
}
