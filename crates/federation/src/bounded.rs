//! Reading a list with at most `N` items: the read stops at the first item past `N`, so a
//! list declared (or made of) millions of tiny items allocates no more than `N` of them. Used
//! on every list of the formats (`#[serde(deserialize_with = ...)]`), whose bounds the values'
//! own checks state again for values built in memory.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Error, SeqAccess, Visitor};

/// A list of at most `N` items.
pub(crate) fn up_to<'de, const N: usize, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Items<const N: usize, T>(PhantomData<T>);
    impl<'de, const N: usize, T: Deserialize<'de>> Visitor<'de> for Items<N, T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "a list of at most {N} items")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            // The declared length is the sender's word: room for at most `N`.
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(N));
            while let Some(item) = seq.next_element()? {
                if out.len() == N {
                    return Err(A::Error::custom(format_args!(
                        "more than {N} items in a list"
                    )));
                }
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(Items::<N, T>(PhantomData))
}

/// What a decoding error means, in words: postcard keeps no text of the errors raised while
/// reading a value (a list past its bound, a signature of another length), only that one was.
pub(crate) fn why(e: &postcard::Error) -> String {
    match e {
        postcard::Error::SerdeDeCustom => "a list holds more items than its limit (heads 64, tags \
             and evidence 50, roster members 1000, a member's keys 16, signatures 1000, \
             statements in a file 4096), or a signature is not 64 bytes"
            .to_owned(),
        postcard::Error::DeserializeUnexpectedEnd => {
            "the bytes end in the middle of a value".to_owned()
        }
        other => other.to_string(),
    }
}
