//! The node's network side: the core loop that runs the sync protocol over the replica, and the
//! libp2p transports, discovery and streams that carry its frames.

pub mod core;
pub mod early;
pub mod probe;
pub mod swarm;
