//! The wire format: one [`Message`] per frame, `[version byte][postcard body]`.
//!
//! These are wire types, separate from internal ones: they change only with [`VERSION`].
//! Decoding is strict: wrong version, oversized frame, malformed body or trailing bytes are
//! all refused with a [`WireError`].
//!
//! A peer speaking another protocol version is sent the version notice (`[0, VERSION]`, see
//! [`NOTICE`]: the one frame every version reads) and disconnected (`Output::Incompatible`, kept
//! for `coalesce status`); a notice received is answered by disconnecting. No frame exceeds
//! [`MAX_FRAME`]: a larger message (a catch-up: Automerge puts every missing change in one
//! sync message) travels as ordered [`Message::Fragment`]s of at most [`MAX_FRAGMENT`], reassembled
//! per peer up to the node's own limit (at most [`MAX_MESSAGE`], at least [`MIN_MESSAGE_LIMIT`]),
//! which its [`Message::Hello`] tells: a catch-up heavier than the receiver's limit is sent in
//! pages (`node::pages`).
//! The embedded Automerge sync message must re-encode to the same bytes
//! ([`crate::verify::decode_sync`]); it carries individual change chunks or, as its only chunk, one
//! whole document (a snapshot, see [`crate::snapshot`]).

use serde::{Deserialize, Serialize};

/// Protocol version carried in the first byte of every frame. Version 2: a sync message may
/// carry a whole document (a checked snapshot, see `snapshot`) to a node that holds nothing.
/// Version 3: evidence of a member's node forking its history ([`Message::Fork`]), and
/// changes carried only to vouch for others (`vouchers`), see `forks`. Version 4: witnesses
/// ([`Message::Witness`]) decide which version of a fork is kept. Version 5: member records
/// carry the keys they flagged (`flagged`), which a node of version 4 refuses. Version 6:
/// member nodes tell each other where they listen ([`Message::Addresses`], placed before
/// `Witness`, whose encoding it moves). Version 7: a Hello says how large a message its sender
/// takes (`max_message`), so that a catch-up heavier than that goes in pages it takes.
/// Version 8: a node holding nothing of a coalition takes a snapshot of up to four times what
/// its limit takes as changes (`snapshot::SNAPSHOT_BYTES_PER_OP`), which a node of version 7
/// refuses, and is sent one, round after round. Version 9: member records carry the member's
/// translations of shared records (`translations`, see `model::translations`), which a node of
/// version 8 refuses. Version 10: meeting records keep their access plan, check-ins and
/// time boxes; member records carry their meeting plans and their answers to others'
/// (`model::plans`); map keys may be up to `model::layout::MAX_KEY` bytes (a translation of a
/// reason's key is longer than the 64 that version 9 admitted). Version 11: proposals carry
/// a poll and members' ballots in it (`model::poll`), which a node of version 10 refuses.
/// Version 12: the charter, its versions, amendments and proposals carry members' weights in
/// polls (`model::schema::Weights`), which a node of version 11 refuses; a position on a poll
/// is refused. Version 13: a poll may stand over the issue inventory (`PollSpec::issues`, its
/// result the inventory's priority), which a node of version 12 refuses. Version 14: a charter
/// rule may name a poll method (`model::poll::PollRule`: a rule record's `poll`); the rules
/// and weights have a `role` kind and the roles their `delegates`; a poll may be a budget
/// over a pool's requests (`PollSpec::pool`, `requests`) or an election (`role`,
/// `candidates`), and a request may name no proposal (under `allocation=budget`): all of
/// which a node of version 13 refuses. Version 15: a `link` kind of decision and rule
/// (`model::schema::LinkTerms`, a proposal's `link`; the rules' `link`), and members' drafts of
/// statements and co-signatures in their own records (`statements`, `cosigns`) and the
/// statements of linked coalitions they carried in (`received`, `received_rosters`), and a
/// general proposal's call it answers (`answers`), which a node of version 14 refuses; a linked coalition's statements passed between nodes that
/// share no coalition ([`Message::Statements`]). Version 16: a Hello tells the peer, for each
/// link whose publisher's roster lists the peer, how many signers each statement passed on it
/// needs (`takes`), so that a statement passed with fewer is counted against the sender.
/// Version 17: and which kinds of statements it takes (`Takes::kinds`), so that a statement of
/// a kind no Hello of the connection said is counted against the sender.
pub const VERSION: u8 = 17;
/// First byte of a version notice, `[NOTICE, version]`: the one frame every protocol version
/// reads, sent to a peer that speaks another version before disconnecting it.
pub const NOTICE: u8 = 0;

/// The version notice this node sends: "I speak [`VERSION`]".
pub fn version_notice() -> Vec<u8> {
    vec![NOTICE, VERSION]
}
/// Largest frame accepted or produced, in bytes.
pub const MAX_FRAME: usize = 32 * 1024 * 1024;
/// Largest piece of a message sent in one [`Message::Fragment`].
pub const MAX_FRAGMENT: usize = 8 * 1024 * 1024;
/// Largest message accepted after reassembling its fragments (catching up on a long history).
pub const MAX_MESSAGE: usize = 512 * 1024 * 1024;
/// The lowest a node may set its own limit on messages (`SyncNode::set_max_message`).
pub const MIN_MESSAGE_LIMIT: usize = 1024 * 1024;
/// Most coalitions named in one [`Message::Hello`].
pub const MAX_COALITIONS: usize = 10_000;
/// Most links named in one [`Message::Hello`]'s `takes`.
pub const MAX_TAKES: usize = 1_000;

/// What a node takes from a linked coalition whose roster lists the peer it tells: the
/// statements of `from` passed for `to` count only with `threshold` signers or more, and
/// only of the `kinds` it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Takes {
    /// The publishing coalition (the peer's).
    pub from: WireCoalition,
    /// The coalition of the node telling it, which takes them.
    pub to: WireCoalition,
    /// The fewest signers a statement it takes needs (the link's `their_threshold`).
    pub threshold: u32,
    /// The kinds it takes, a bit each (`model::federation::Kind::bit`; rosters always): bits
    /// no kind has mean nothing.
    pub kinds: u8,
}

/// What a node takes on one link, as a Hello tells it ([`Takes`] without the pair).
pub use model::federation::LinkTakes;
/// Most characters of the text of a join request (the organization's name) or refusal (its
/// reason).
pub const MAX_JOIN_TEXT: usize = model::MAX_SHORT;
/// Most signed heads carried by one message.
pub const MAX_HEADS: usize = 10_000;
/// Most changes in one [`Message::Changes`].
pub const MAX_CHANGES: usize = 10_000;
/// What each operation of the changes in one message (vouchers included), and each
/// predecessor an operation names, counts against the node's message limit, besides the
/// changes' bytes: columns can claim far more operations
/// than they have bytes, and applying one costs memory and time whatever its size. At most
/// 16.8 M operations fit the default [`MAX_MESSAGE`] (fewer, by the changes' own bytes). A node whose limit is lowered takes
/// correspondingly fewer in one message (text costs a few bytes per character on the wire, 32
/// more here): a message holding more is refused there, as one over its byte limit is, and a
/// catch-up holding more is sent to it in pages (`node::pages`).
/// Snapshots, a new member's whole history, count less (`snapshot::SNAPSHOT_BYTES_PER_OP`).
pub const MESSAGE_BYTES_PER_OP: usize = 32;
/// Most changes in each version of a [`Message::Fork`].
pub const MAX_FORK_CHAIN: usize = MAX_CHANGES;

/// A coalition id on the wire (16 bytes).
pub type WireCoalition = [u8; 16];

/// An actor's signature over the hash of its newest change in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedHead {
    /// The change hash.
    pub hash: [u8; 32],
    /// Ed25519 signature by the change's actor over [`crate::signing_payload`] of the hash.
    #[serde(with = "sig_bytes")]
    pub signature: [u8; 64],
}

impl From<&model::signing::ChangeSignature> for SignedHead {
    fn from(s: &model::signing::ChangeSignature) -> Self {
        SignedHead {
            hash: s.hash,
            signature: s.signature,
        }
    }
}

impl From<&SignedHead> for model::signing::ChangeSignature {
    fn from(s: &SignedHead) -> Self {
        model::signing::ChangeSignature {
            hash: s.hash,
            signature: s.signature,
        }
    }
}

/// Converts wire heads to signature records.
pub fn signatures(heads: &[SignedHead]) -> Vec<model::signing::ChangeSignature> {
    heads.iter().map(Into::into).collect()
}

/// Converts signature records to wire heads.
pub fn heads(sigs: &[model::signing::ChangeSignature]) -> Vec<SignedHead> {
    sigs.iter().map(Into::into).collect()
}

pub(crate) mod sig_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(sig: &[u8; 64], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(sig)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 64], D::Error> {
        let bytes: &[u8] = Deserialize::deserialize(d)?;
        bytes
            .try_into()
            .map_err(|_| serde::de::Error::invalid_length(bytes.len(), &"64 bytes"))
    }
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// Sent first on every connection: the coalitions the sender shares with the receiver,
    /// i.e. those where the receiver's key is a member's. Nothing else is revealed.
    Hello {
        /// Coalition ids.
        coalitions: Vec<WireCoalition>,
        /// The largest message the sender takes, in bytes (its own limit, see
        /// `SyncNode::set_max_message`): messages to it are kept under that, a long catch-up
        /// split into pages. Read within [`MIN_MESSAGE_LIMIT`] and [`MAX_MESSAGE`].
        max_message: u64,
        /// For each link of the sender's coalitions taking statements from a coalition whose
        /// newest roster (as the sender holds it) lists the receiver: how many signers the
        /// sender needs and which kinds it takes (at most [`MAX_TAKES`]). A node passing
        /// statements passes on such a link only what has that many signers, of those kinds;
        /// a statement passed with fewer signers than every Hello of the connection told, or
        /// of a kind none told, is counted against the sender.
        takes: Vec<Takes>,
    },
    /// One step of Automerge's sync protocol for a coalition, with the signatures that vouch
    /// for the changes it carries.
    Sync {
        /// The coalition.
        coalition: WireCoalition,
        /// An encoded `automerge::sync::Message`.
        #[serde(with = "serde_bytes_vec")]
        sync: Vec<u8>,
        /// For each actor with changes in the message, its signature over its newest one.
        heads: Vec<SignedHead>,
        /// Changes carried only to vouch for the ones above: an actor's changes between its
        /// newest one here and a later, signed one that was set aside (see `forks`). Never
        /// applied.
        vouchers: Vec<ByteChunk>,
    },
    /// A new member's node presenting an invite's one-time secret to the inviting node.
    Join {
        /// The coalition it was invited to.
        coalition: WireCoalition,
        /// The invite's one-time secret.
        secret: [u8; 16],
        /// The new member organization's name.
        org: String,
    },
    /// The inviting node's answer to a [`Message::Join`] it refused.
    JoinRefused {
        /// The coalition.
        coalition: WireCoalition,
        /// Why, for the person joining.
        reason: String,
    },
    /// One piece of a message too large for one frame (a long catch-up). Pieces come in order
    /// on a peer's stream; the receiver reassembles them, up to [`MAX_MESSAGE`] bytes, and
    /// decodes the result as one frame.
    Fragment {
        /// Position of this piece, from 0.
        index: u32,
        /// Number of pieces.
        total: u32,
        /// The bytes of the piece.
        bytes: ByteChunk,
    },
    /// Changes pushed as they are made (live updates), with their signatures.
    Changes {
        /// The coalition.
        coalition: WireCoalition,
        /// Raw Automerge change chunks.
        changes: Vec<ByteChunk>,
        /// For each actor with changes here, its signature over its newest one.
        heads: Vec<SignedHead>,
        /// Changes carried only to vouch for the ones above (see [`Message::Sync`]).
        vouchers: Vec<ByteChunk>,
    },
    /// Evidence that a member's node wrote two different changes with one actor and
    /// sequence number (equivocation): each version with the actor's later changes up to one
    /// it signed. Every node that checks it flags the key; the versions are then judged by
    /// their witnesses ([`Message::Witness`], see `forks`).
    Fork {
        /// The coalition.
        coalition: WireCoalition,
        /// One version, then the actor's changes after it, up to the signed one.
        first: Vec<ByteChunk>,
        /// The actor's signature over the last change of `first`.
        first_head: SignedHead,
        /// The other version, likewise.
        second: Vec<ByteChunk>,
        /// The actor's signature over the last change of `second`.
        second_head: SignedHead,
    },
    /// Where member nodes listen, each record signed by its node (see
    /// [`crate::addresses`]): sent when a peer starts syncing a coalition, and passed on when
    /// newer.
    Addresses {
        /// The records.
        records: Vec<crate::addresses::AddressRecord>,
    },
    /// Proof that a member other than the forked one built on one version of a fork (a
    /// *witness*): the version, then changes each depending on the one before, the last
    /// signed by its author. A version with a witness is kept where the other has none
    /// (see `forks`).
    Witness {
        /// The coalition.
        coalition: WireCoalition,
        /// The version first, then the path up to the witness's change.
        path: Vec<ByteChunk>,
        /// The witness's signature over the last change of `path`.
        head: SignedHead,
    },
    /// What a coalition publishes to a linked one, passed by a member node of the publisher
    /// to a member node of the other (nodes that may share no coalition): a statements file
    /// (`model::federation::StatementsFile`, at most `MAX_FILE` bytes), which names both
    /// coalitions and is verified on arrival exactly as an imported file is.
    Statements {
        /// The file's bytes.
        file: ByteChunk,
    },
}

/// A byte string, encoded compactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteChunk(#[serde(with = "serde_bytes_vec")] pub Vec<u8>);

mod serde_bytes_vec {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let bytes: &[u8] = Deserialize::deserialize(d)?;
        Ok(bytes.to_vec())
    }
}

/// A frame could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Empty frame.
    #[error("empty frame")]
    Empty,
    /// The frame (or reassembled message) is larger than allowed.
    #[error("message of {0} bytes exceeds the size limit")]
    TooLarge(usize),
    /// The sender speaks another protocol version.
    #[error("protocol version {found} is not supported (this node speaks {VERSION})")]
    Version {
        /// The version byte received.
        found: u8,
    },
    /// The peer says it speaks another protocol version (a version notice).
    #[error("the peer speaks protocol version {speaks} (this node speaks {VERSION})")]
    PeerSpeaks {
        /// The version the peer speaks.
        speaks: u8,
    },
    /// The body is not a valid message.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// A list in the message is longer than allowed.
    #[error("too many {what} in one message: {len} (at most {max})")]
    TooMany {
        /// Which list.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl Message {
    /// Encodes the message as a frame.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        // Serializing plain owned data into a Vec cannot fail.
        if let Ok(body) = postcard::to_stdvec(self) {
            out.extend(body);
        }
        out
    }

    /// Encodes the message as one frame, or as fragments when it is larger than
    /// [`MAX_FRAGMENT`].
    pub fn frames(&self) -> Vec<Vec<u8>> {
        let whole = self.encode();
        if whole.len() <= MAX_FRAGMENT {
            return vec![whole];
        }
        let pieces: Vec<&[u8]> = whole.chunks(MAX_FRAGMENT).collect();
        let total = u32::try_from(pieces.len()).unwrap_or(u32::MAX);
        pieces
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let index = u32::try_from(i).unwrap_or(u32::MAX);
                Message::Fragment {
                    index,
                    total,
                    bytes: ByteChunk(p.to_vec()),
                }
                .encode()
            })
            .collect()
    }

    /// Decodes a frame strictly.
    pub fn decode(frame: &[u8]) -> Result<Self, WireError> {
        Self::decode_limited(frame, MAX_FRAME)
    }

    /// Decodes a frame strictly, refusing it unread if it is longer than `limit` (a node's own
    /// limit, below [`MAX_FRAME`]).
    pub fn decode_within(frame: &[u8], limit: usize) -> Result<Self, WireError> {
        Self::decode_limited(frame, limit.min(MAX_FRAME))
    }

    /// Decodes a message reassembled from fragments (up to [`MAX_MESSAGE`] bytes).
    pub fn decode_reassembled(message: &[u8]) -> Result<Self, WireError> {
        Self::decode_limited(message, MAX_MESSAGE)
    }

    fn decode_limited(frame: &[u8], limit: usize) -> Result<Self, WireError> {
        let (&version, body) = frame.split_first().ok_or(WireError::Empty)?;
        if frame.len() > limit {
            return Err(WireError::TooLarge(frame.len()));
        }
        if version == NOTICE {
            return match body {
                [speaks] => Err(WireError::PeerSpeaks { speaks: *speaks }),
                _ => Err(WireError::Malformed("a version notice is two bytes".into())),
            };
        }
        if version != VERSION {
            return Err(WireError::Version { found: version });
        }
        let (msg, rest): (Message, &[u8]) =
            postcard::take_from_bytes(body).map_err(|e| WireError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(WireError::Malformed(format!(
                "{} bytes after the message",
                rest.len()
            )));
        }
        msg.check_limits()?;
        Ok(msg)
    }

    fn check_limits(&self) -> Result<(), WireError> {
        let check = |what, len, max| {
            if len > max {
                Err(WireError::TooMany { what, len, max })
            } else {
                Ok(())
            }
        };
        match self {
            Message::Hello {
                coalitions, takes, ..
            } => {
                check("coalitions", coalitions.len(), MAX_COALITIONS)?;
                check("links", takes.len(), MAX_TAKES)
            }
            Message::Join { org, .. } => check(
                "characters of organization name",
                org.chars().count(),
                MAX_JOIN_TEXT,
            ),
            Message::JoinRefused { reason, .. } => check(
                "characters of reason",
                reason.chars().count(),
                MAX_JOIN_TEXT,
            ),
            Message::Fragment {
                index,
                total,
                bytes,
            } => {
                check("fragment bytes", bytes.0.len(), MAX_FRAGMENT)?;
                check(
                    "fragments",
                    *total as usize,
                    MAX_MESSAGE.div_ceil(MAX_FRAGMENT),
                )?;
                if index >= total {
                    return Err(WireError::Malformed(format!("fragment {index} of {total}")));
                }
                Ok(())
            }
            Message::Sync {
                heads, vouchers, ..
            } => {
                check("signed heads", heads.len(), MAX_HEADS)?;
                check("vouchers", vouchers.len(), MAX_CHANGES)
            }
            Message::Changes {
                changes,
                heads,
                vouchers,
                ..
            } => {
                check("changes", changes.len(), MAX_CHANGES)?;
                check("signed heads", heads.len(), MAX_HEADS)?;
                check("vouchers", vouchers.len(), MAX_CHANGES)
            }
            Message::Fork { first, second, .. } => {
                check("changes of a fork", first.len(), MAX_FORK_CHAIN)?;
                check("changes of a fork", second.len(), MAX_FORK_CHAIN)
            }
            Message::Witness { path, .. } => {
                check("changes of a witness", path.len(), MAX_FORK_CHAIN)
            }
            Message::Addresses { records } => check(
                "address records",
                records.len(),
                crate::addresses::MAX_RECORDS,
            ),
            Message::Statements { file } => check(
                "bytes of a statements file",
                file.0.len(),
                model::federation::MAX_FILE,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn message() -> impl Strategy<Value = Message> {
        let head = (
            any::<[u8; 32]>(),
            proptest::collection::vec(any::<u8>(), 64),
        )
            .prop_map(|(hash, sig)| SignedHead {
                hash,
                signature: sig.try_into().unwrap(),
            });
        prop_oneof![
            (any::<[u8; 16]>(), "[a-z ]{0,40}")
                .prop_map(|(coalition, reason)| Message::JoinRefused { coalition, reason }),
            (0u32..3, proptest::collection::vec(any::<u8>(), 0..64)).prop_map(|(index, bytes)| {
                Message::Fragment {
                    index,
                    total: 3,
                    bytes: ByteChunk(bytes),
                }
            }),
            (any::<[u8; 16]>(), any::<[u8; 16]>(), "[a-zA-Z ]{0,40}").prop_map(
                |(coalition, secret, org)| Message::Join {
                    coalition,
                    secret,
                    org
                }
            ),
            (
                proptest::collection::vec(any::<[u8; 16]>(), 0..5),
                any::<u64>(),
                proptest::collection::vec(any::<([u8; 16], [u8; 16], u32, u8)>(), 0..3)
            )
                .prop_map(|(coalitions, max_message, takes)| Message::Hello {
                    coalitions,
                    max_message,
                    takes: takes
                        .into_iter()
                        .map(|(from, to, threshold, kinds)| Takes {
                            from,
                            to,
                            threshold,
                            kinds
                        })
                        .collect(),
                }),
            (
                any::<[u8; 16]>(),
                proptest::collection::vec(any::<u8>(), 0..64),
                proptest::collection::vec(head.clone(), 0..3)
            )
                .prop_map(|(coalition, sync, heads)| Message::Sync {
                    coalition,
                    sync,
                    heads,
                    vouchers: vec![ByteChunk(vec![1, 2])],
                }),
            (
                any::<[u8; 16]>(),
                proptest::collection::vec(
                    proptest::collection::vec(any::<u8>(), 0..32).prop_map(ByteChunk),
                    0..4
                ),
                proptest::collection::vec(head.clone(), 0..3)
            )
                .prop_map(|(coalition, changes, heads)| Message::Changes {
                    coalition,
                    changes,
                    heads,
                    vouchers: Vec::new(),
                }),
            (
                any::<[u8; 16]>(),
                proptest::collection::vec(
                    proptest::collection::vec(any::<u8>(), 0..32).prop_map(ByteChunk),
                    0..4
                ),
                head.clone()
            )
                .prop_map(|(coalition, path, head)| Message::Witness {
                    coalition,
                    path,
                    head,
                }),
            (
                any::<[u8; 32]>(),
                proptest::collection::vec("[!-~]{1,40}", 0..4),
                any::<u64>()
            )
                .prop_map(|(secret, addrs, at)| Message::Addresses {
                    records: vec![crate::addresses::AddressRecord::sign(&secret, &addrs, at)],
                }),
            proptest::collection::vec(any::<u8>(), 0..64).prop_map(|file| Message::Statements {
                file: ByteChunk(file)
            }),
        ]
    }

    proptest! {
        #[test]
        fn messages_round_trip(m in message()) {
            prop_assert_eq!(Message::decode(&m.encode()).unwrap(), m);
        }

        #[test]
        fn trailing_bytes_and_other_versions_are_refused(m in message(), extra in proptest::collection::vec(any::<u8>(), 1..8), v in 1u8..) {
            prop_assume!(v != VERSION);
            let mut frame = m.encode();
            frame.extend(&extra);
            prop_assert!(Message::decode(&frame).is_err());
            let mut frame = m.encode();
            frame[0] = v;
            prop_assert_eq!(Message::decode(&frame), Err(WireError::Version { found: v }));
        }

        #[test]
        fn arbitrary_frames_never_panic(frame in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Message::decode(&frame);
        }

        #[test]
        fn truncated_frames_are_refused(m in message(), cut in any::<prop::sample::Index>()) {
            let frame = m.encode();
            let cut = cut.index(frame.len());
            if cut < frame.len() {
                prop_assert!(Message::decode(&frame[..cut]).is_err());
            }
        }
    }

    #[test]
    fn oversized_frames_are_refused_before_parsing() {
        let frame = vec![VERSION; MAX_FRAME + 1];
        assert_eq!(
            Message::decode(&frame),
            Err(WireError::TooLarge(MAX_FRAME + 1))
        );
    }
}
