//! [`Prose`]: longer text that several members may edit at once.

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler};
use serde::{Deserialize, Serialize, Serializer};

/// Longer text that several members may edit at once: stored as an Automerge text object so
/// that concurrent edits merge character by character. Reads also accept a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prose(pub String);

impl Prose {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Prose {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self)
    }
}

impl Serialize for Prose {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Reconcile for Prose {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::TextReconciler;
        let mut t = r.text()?;
        t.update(&self.0)?;
        Ok(())
    }
}

impl Hydrate for Prose {
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Prose(doc.text(obj)?))
    }
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Ok(Prose(s.to_owned()))
    }
}
