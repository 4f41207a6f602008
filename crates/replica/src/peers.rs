//! What the node keeps of other nodes beside its coalitions: the addresses of peers it reached
//! (to dial again after a restart; carried in backups and sealed identities), the address
//! records member nodes signed (kept as `sync` encodes them), and the size of its store.

use super::*;

impl Replica {
    /// The addresses of the peers this node reached, by node key (as text): an unreadable
    /// record reads as empty.
    pub fn known_peers(&self) -> Result<BTreeMap<String, String>, ReplicaError> {
        Ok(self
            .record(PEERS_RECORD)?
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default())
    }

    /// The known peers as stored (JSON), for a backup or a sealed identity to carry.
    pub fn known_peers_stored(&self) -> Result<Option<Vec<u8>>, ReplicaError> {
        self.record(PEERS_RECORD)
    }

    /// Remembers where `peer` was reached, unless it is remembered there already or `max`
    /// other peers are; whether it wrote.
    pub fn remember_peer(
        &self,
        peer: &NodeKey,
        addr: &str,
        max: usize,
    ) -> Result<bool, ReplicaError> {
        let mut known = self.known_peers()?;
        let key = peer.to_string();
        if known.get(&key).map(String::as_str) == Some(addr)
            || (known.len() >= max && !known.contains_key(&key))
        {
            return Ok(false);
        }
        known.insert(key, addr.to_owned());
        self.save_known_peers(&known)?;
        Ok(true)
    }

    /// Forgets where `peer` was reached; the address it had, if any.
    pub fn forget_peer(&self, peer: &NodeKey) -> Result<Option<String>, ReplicaError> {
        let mut known = self.known_peers()?;
        let Some(addr) = known.remove(&peer.to_string()) else {
            return Ok(None);
        };
        self.save_known_peers(&known)?;
        Ok(Some(addr))
    }

    fn save_known_peers(&self, known: &BTreeMap<String, String>) -> Result<(), ReplicaError> {
        // A map of strings always serializes.
        self.put_record(PEERS_RECORD, &serde_json::to_vec(known).unwrap_or_default())
    }

    /// The address records member nodes signed, as `sync::addresses` encoded them (checked
    /// again when read there), if any are kept.
    pub fn address_records(&self) -> Result<Option<Vec<u8>>, ReplicaError> {
        self.record(ADDRESSES_RECORD)
    }

    /// Keeps the address records member nodes signed (encoded by `sync::addresses`).
    pub fn save_address_records(&self, encoded: &[u8]) -> Result<(), ReplicaError> {
        self.put_record(ADDRESSES_RECORD, encoded)
    }

    /// The address records of linked coalitions' member nodes this node keeps (encoded by
    /// `sync::addresses`).
    pub fn linked_address_records(&self) -> Result<Option<Vec<u8>>, ReplicaError> {
        self.record(LINKED_ADDRESSES_RECORD)
    }

    /// Keeps the address records of linked coalitions' member nodes (checked by the caller).
    pub fn save_linked_address_records(&self, encoded: &[u8]) -> Result<(), ReplicaError> {
        self.put_record(LINKED_ADDRESSES_RECORD, encoded)
    }

    /// This node's own address record as it last signed it (encoded by `sync::addresses`).
    pub fn own_address_record(&self) -> Result<Option<Vec<u8>>, ReplicaError> {
        self.record(OWN_ADDRESS_RECORD)
    }

    /// Keeps this node's own address record, for the statements files it writes.
    pub fn save_own_address_record(&self, encoded: &[u8]) -> Result<(), ReplicaError> {
        self.put_record(OWN_ADDRESS_RECORD, encoded)
    }

    /// The store file's size in bytes, if it can be read.
    pub fn store_bytes(&self) -> Option<u64> {
        std::fs::metadata(self.home.join(STORE_FILE))
            .ok()
            .map(|m| m.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Peers are remembered up to a bound, once per address, forgotten on request, and
    /// survive the replica being opened again.
    #[test]
    fn known_peers_are_remembered_within_a_bound_and_forgotten() {
        let home = tempfile::tempdir().unwrap();
        Replica::init(home.path(), "Northside").unwrap();
        let r = Replica::open(home.path()).unwrap();
        let (a, b) = (NodeKey::from_bytes([1; 32]), NodeKey::from_bytes([2; 32]));
        assert!(r.known_peers().unwrap().is_empty());
        assert!(r.remember_peer(&a, "/ip4/10.0.0.1/tcp/7410", 1).unwrap());
        assert!(!r.remember_peer(&a, "/ip4/10.0.0.1/tcp/7410", 1).unwrap());
        assert!(!r.remember_peer(&b, "/ip4/10.0.0.2/tcp/7410", 1).unwrap());
        assert!(r.remember_peer(&a, "/ip4/10.0.0.3/tcp/7410", 1).unwrap());
        drop(r);
        let r = Replica::open(home.path()).unwrap();
        assert_eq!(
            r.known_peers()
                .unwrap()
                .get(&a.to_string())
                .map(String::as_str),
            Some("/ip4/10.0.0.3/tcp/7410")
        );
        assert_eq!(
            r.forget_peer(&a).unwrap().as_deref(),
            Some("/ip4/10.0.0.3/tcp/7410")
        );
        assert_eq!(r.forget_peer(&a).unwrap(), None);
        assert_eq!(r.known_peers_stored().unwrap().as_deref(), Some(&b"{}"[..]));
        assert!(r.store_bytes().is_some_and(|n| n > 0));
    }
}
