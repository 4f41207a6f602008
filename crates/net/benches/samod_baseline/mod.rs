//! samod (automerge-repo in Rust) joining a document: the baseline the issue measures a new
//! member's join against beside Automerge's in-memory sync. Shared by `net`'s `sync` bench
//! and the real-process join bench (`tests/benches/join.rs`, which includes this file).

use std::time::{Duration, Instant};

/// samod (automerge-repo in Rust) doing the same join: repo A holds the document on disk,
/// repo B (on disk too) dials A over TCP on loopback and asks for it; the clock stops when B's
/// copy has A's heads.
pub(crate) fn samod_join(rt: &tokio::runtime::Runtime, saved: &[u8]) -> Duration {
    use samod::storage::TokioFilesystemStorage;
    let join = async {
        let dir = tempfile::tempdir().unwrap();
        let a = samod::Repo::build_tokio()
            .with_storage(TokioFilesystemStorage::new(dir.path().join("a")))
            .load()
            .await;
        let doc = automerge::Automerge::load(saved).unwrap();
        let heads = doc.get_heads();
        let held = a.create(doc).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = a
            .make_acceptor(samod::Url::parse("tcp://bench").unwrap())
            .unwrap();
        tokio::spawn(async move {
            while let Ok((io, _)) = listener.accept().await {
                if acceptor
                    .accept(samod::Transport::from_tokio_io(io))
                    .is_err()
                {
                    break;
                }
            }
        });
        let b = samod::Repo::build_tokio()
            .with_storage(TokioFilesystemStorage::new(dir.path().join("b")))
            .load()
            .await;
        let t = Instant::now();
        let url = samod::Url::parse(&format!("tcp://127.0.0.1:{port}")).unwrap();
        let dialer = b.dial_tcp(url, samod::BackoffConfig::default()).unwrap();
        dialer.established().await.unwrap();
        // The connection is made (counted, as a node's is); should samod still answer "not
        // available", it is asked again.
        let found = loop {
            assert!(
                t.elapsed() < Duration::from_secs(600),
                "samod never found it"
            );
            match b.find(held.document_id().clone()).await.unwrap() {
                Some(found) => break found,
                None => tokio::time::sleep(Duration::from_millis(1)).await,
            }
        };
        while found.with_document(|d| d.get_heads()) != heads {
            assert!(
                t.elapsed() < Duration::from_secs(600),
                "samod never caught up"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let elapsed = t.elapsed();
        b.stop().await;
        a.stop().await;
        elapsed
    };
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(600), join)
            .await
            .expect("samod joins within ten minutes")
    })
}
