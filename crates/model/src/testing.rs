//! What the crate's unit tests share.

use crate::*;

/// A coalition founded by member `[2; 16]` on node `[1; 32]`, and that member.
pub(crate) fn founded() -> (MemberId, CoalitionDoc) {
    let founder = MemberId::from_bytes([2; 16]);
    let doc = CoalitionDoc::found(
        NodeKey::from_bytes([1; 32]),
        Founding::new(
            CoalitionId::from_bytes([3; 16]),
            "Transit Justice",
            founder.clone(),
            MemberProfile::named("Northside"),
            Timestamp::from_millis(0),
        ),
    )
    .unwrap();
    (founder, doc)
}
