//! Asks a node's relay for a reservation with a fresh key (a node that is no member's), for
//! the namespace tests: `relay_probe MULTIADDR` where the address ends in the relay's `/p2p/`
//! id. Prints `reserved`, or `refused: WHY` (exit status 0 either way; 2 on bad arguments).

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line probe

use libp2p::{Multiaddr, identity};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(relay) = std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<Multiaddr>().ok())
    else {
        eprintln!("usage: relay_probe MULTIADDR (ending in /p2p/ID)");
        std::process::exit(2);
    };
    let mut swarm = match net::probe::client(identity::Keypair::generate_ed25519()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("relay_probe: {e}");
            std::process::exit(2);
        }
    };
    match net::probe::reserve_with(&mut swarm, &relay).await {
        Ok(()) => println!("reserved"),
        Err(why) => println!("refused: {why}"),
    }
}
