//! Places in the document: the place a path names ([`resolve`], a [`Slot`]) and whether a
//! write may happen there ([`Slot::admits`]).

use automerge::{ObjType, ScalarValue};

use super::{ROOT, Record, Shape, text_up_to};
use crate::doc::MAX_LONG;

/// A place in the document, as [`resolve`] found it.
#[derive(Debug, Clone, Copy)]
pub enum Slot {
    /// A place holding a value of this shape.
    Value {
        /// What may be written there.
        shape: Shape,
        /// A record field, rather than a list item or map entry.
        field: bool,
    },
    /// A character of a text object.
    Character,
}

/// Why a path names no place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unplaced {
    /// No such field or position (the path up to it).
    Unknown(String),
    /// A map key of the wrong form: the map's path and the key.
    BadKey(String, String),
}

/// The place a path (map keys, `*` for list positions) names, and whether a field along it
/// is fixed once its record is written.
pub fn resolve(path: &[&str]) -> Result<(Slot, bool), Unplaced> {
    let mut shape = Shape::Record(&ROOT);
    let mut is_field = true;
    let mut fixed = false;
    let unknown = |i: usize| Unplaced::Unknown(path[..=i].join("/"));
    for (i, seg) in path.iter().enumerate() {
        if let Shape::Optional(inner) = shape {
            shape = *inner;
        }
        match shape {
            Shape::Record(r) => {
                let f = r
                    .fields
                    .iter()
                    .find(|f| f.name == *seg)
                    .ok_or_else(|| unknown(i))?;
                fixed |= f.fixed;
                shape = f.shape;
                is_field = true;
            }
            Shape::Map(keys, item) => {
                if !keys.admit(seg) {
                    return Err(Unplaced::BadKey(path[..i].join("/"), (*seg).to_owned()));
                }
                shape = *item;
                is_field = false;
            }
            Shape::List(item) if *seg == "*" => {
                shape = *item;
                is_field = false;
            }
            Shape::Prose if *seg == "*" && i + 1 == path.len() => {
                return Ok((Slot::Character, fixed));
            }
            _ => return Err(unknown(i)),
        }
    }
    Ok((
        Slot::Value {
            shape,
            field: is_field,
        },
        fixed,
    ))
}

/// What an operation does, for [`Slot::admits`].
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    /// Writes a scalar.
    Put(&'a ScalarValue),
    /// Makes an object of a kind.
    Make(ObjType),
    /// Deletes what is there.
    Delete,
}

impl Slot {
    /// Whether `write` may happen at this place; the error says what belongs there.
    pub fn admits(&self, write: Write<'_>) -> Result<(), String> {
        let shape = match self {
            Slot::Character => {
                return match write {
                    Write::Put(ScalarValue::Str(_)) | Write::Delete => Ok(()),
                    _ => Err("a text holds characters only".into()),
                };
            }
            Slot::Value { shape, .. } => *shape,
        };
        let wanted = |s: Shape| describe(s);
        match write {
            // Deleting a record's field is allowed only where the value that wins stays
            // (Automerge deletes the losers of a conflict that way): the caller checks it.
            Write::Delete => Ok(()),
            Write::Put(v) => {
                let ok = match shape {
                    Shape::Scalar(s) => (s.check)(v),
                    Shape::Optional(inner) => {
                        matches!(v, ScalarValue::Null)
                            || matches!(inner, Shape::Scalar(s) if (s.check)(v))
                            || matches!(inner, Shape::Prose if text_up_to(v, MAX_LONG))
                    }
                    Shape::Prose => text_up_to(v, MAX_LONG),
                    _ => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} belongs there, not {}", wanted(shape), shown(v)))
                }
            }
            Write::Make(t) => {
                let inner = match shape {
                    Shape::Optional(inner) => *inner,
                    s => s,
                };
                let ok = matches!(
                    (inner, t),
                    (Shape::Record(_) | Shape::Map(..), ObjType::Map)
                        | (Shape::List(_), ObjType::List)
                        | (Shape::Prose, ObjType::Text)
                );
                if ok {
                    Ok(())
                } else {
                    Err(format!("{} belongs there, not a {t:?}", wanted(shape)))
                }
            }
        }
    }

    /// Whether this is a record's field (which must keep a value), not a list item or map
    /// entry (which may be removed).
    pub fn is_field(&self) -> bool {
        matches!(self, Slot::Value { field: true, .. })
    }

    /// The record kind at this place, if it holds records.
    pub fn record(&self) -> Option<&'static Record> {
        match self {
            Slot::Value {
                shape: Shape::Record(r),
                ..
            }
            | Slot::Value {
                shape: Shape::Optional(Shape::Record(r)),
                ..
            } => Some(r),
            _ => None,
        }
    }
}

fn describe(s: Shape) -> String {
    match s {
        Shape::Scalar(sc) => sc.what.to_owned(),
        Shape::Optional(inner) => format!("nothing or {}", describe(*inner)),
        Shape::Prose => "a text".to_owned(),
        Shape::List(_) => "a list".to_owned(),
        Shape::Map(..) => "a map".to_owned(),
        Shape::Record(r) => format!("a {} record", r.name),
    }
}

fn shown(v: &ScalarValue) -> String {
    match v {
        ScalarValue::Str(s) if s.chars().count() > 40 => {
            format!("a text of {} characters", s.chars().count())
        }
        other => format!("{other}"),
    }
}
