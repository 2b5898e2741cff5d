//! A small round-robin TCP proxy in front of several servers, as a load balancer would be:
//! each connection goes to the next server, and to the one after when a server refuses
//! connections (it died). It counts the connections each server took.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// A running proxy; it stops when the test's runtime ends.
pub struct RoundRobin {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    served: Arc<Vec<AtomicU64>>,
}

impl RoundRobin {
    /// A proxy in front of the servers at `bases` (`http://127.0.0.1:PORT`).
    pub async fn start(bases: &[&str]) -> RoundRobin {
        let backends: Vec<SocketAddr> =
            bases.iter().map(|base| base.trim_start_matches("http://").parse().expect("a loopback base URL")).collect();
        let served: Arc<Vec<AtomicU64>> = Arc::new(backends.iter().map(|_| AtomicU64::new(0)).collect());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let next = Arc::new(AtomicUsize::new(0));
        let counters = Arc::clone(&served);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let (backends, next, counters) = (backends.clone(), Arc::clone(&next), Arc::clone(&counters));
                tokio::spawn(async move {
                    let first = next.fetch_add(1, Ordering::Relaxed);
                    for offset in 0..backends.len() {
                        let index = (first + offset) % backends.len();
                        let connect = tokio::net::TcpStream::connect(backends[index]);
                        if let Ok(Ok(mut upstream)) = tokio::time::timeout(Duration::from_secs(1), connect).await {
                            counters[index].fetch_add(1, Ordering::Relaxed);
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                            return;
                        }
                    }
                });
            }
        });
        RoundRobin { base, served }
    }

    /// Connections each server has taken so far, in the order given.
    pub fn served(&self) -> Vec<u64> {
        self.served.iter().map(|c| c.load(Ordering::Relaxed)).collect()
    }
}
