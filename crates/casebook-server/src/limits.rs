//! The limits that protect the service against overload and abuse, as plain data and
//! counters (the middleware that applies them is `middleware.rs`):
//!
//! - a cap on requests in flight for the whole server (beyond it: 503 and `Retry-After`)
//!   and a deadline per request;
//! - a token bucket per client address on the expensive routes (an empty bucket: 429);
//! - URL and body size bounds (414, 413);
//! - the login limits (failed logins per account and per address in a sliding window, counted
//!   in the store so that they hold across servers).
//!
//! A leaf: nothing of the server.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limits of a server. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests handled at the same time; more are refused with 503.
    pub max_in_flight: usize,
    /// Requests per second each client may make to the expensive routes (0 turns the limit off).
    pub rate_per_second: f64,
    /// Requests a client may make in a burst before the rate applies.
    pub burst: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (behind a reverse proxy).
    pub trust_forwarded_for: bool,
    /// Longest time a request may take; then the answer is 503.
    pub request_timeout: Duration,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Longest request target (path and query string).
    pub max_uri_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_flight: 128,
            rate_per_second: 10.0,
            burst: 50,
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(10),
            max_body_bytes: 64 * 1024,
            max_uri_bytes: 16 * 1024,
        }
    }
}

/// The shared counters behind [`Limits`].
#[derive(Debug)]
pub struct Guard {
    capacity: usize,
    in_flight: Arc<Semaphore>,
    buckets: Buckets,
    refusals: RefusalLog,
}

impl Guard {
    /// Counters for `limits`.
    pub fn new(limits: &Limits) -> Self {
        Guard {
            capacity: limits.max_in_flight.max(1),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            buckets: Buckets::new(limits.rate_per_second, f64::from(limits.burst.max(1))),
            refusals: RefusalLog::default(),
        }
    }

    /// Requests being handled now (those holding a place under `max_in_flight`).
    pub fn requests_in_flight(&self) -> usize {
        self.capacity - self.in_flight.available_permits()
    }

    /// A place for one more request in flight, held until dropped; `None` (and the refusal
    /// counted) when every place is taken.
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        let permit = Arc::clone(&self.in_flight).try_acquire_owned().ok();
        if permit.is_none() {
            self.refusals.count(&self.refusals.shed);
        }
        permit
    }

    /// Takes one token of `client`'s bucket, or says how long until one is available (and
    /// counts the refusal).
    pub fn take_token(&self, client: IpAddr) -> Result<(), Duration> {
        let taken = self.buckets.take(client, Instant::now());
        if taken.is_err() {
            self.refusals.count(&self.refusals.limited);
        }
        taken
    }
}

/// Counts refusals and logs them at most once per second, so that an overload does not
/// also flood the log (one line per refused request would cost more than the refusal).
#[derive(Debug, Default)]
struct RefusalLog {
    shed: AtomicU64,
    limited: AtomicU64,
    last_second: AtomicU64,
}

impl RefusalLog {
    fn count(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
        let second = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let last = self.last_second.load(Ordering::Relaxed);
        if second > last
            && self.last_second.compare_exchange(last, second, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            let shed = self.shed.swap(0, Ordering::Relaxed);
            let limited = self.limited.swap(0, Ordering::Relaxed);
            tracing::warn!(overloaded_503 = shed, rate_limited_429 = limited, "requests refused since the last report");
        }
    }
}

/// Clients remembered at most; beyond it, clients whose bucket is full again are forgotten.
const MAX_CLIENTS: usize = 100_000;

/// Token buckets per client.
#[derive(Debug)]
struct Buckets {
    rate: f64,
    burst: f64,
    clients: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Buckets {
    fn new(rate: f64, burst: f64) -> Self {
        Buckets { rate, burst, clients: Mutex::new(HashMap::new()) }
    }

    /// Takes one token of `client`, or says how long until one is available.
    fn take(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut clients = match self.clients.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if clients.len() >= MAX_CLIENTS && !clients.contains_key(&client) {
            // Forget the clients whose bucket is full again. If that frees less than half
            // (very many clients at once, e.g. from many IPv6 networks), forget everyone:
            // either way the next scan is at least MAX_CLIENTS / 2 new clients away, so the
            // scan costs little per request and memory stays bounded.
            let (rate, burst) = (self.rate, self.burst);
            clients.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * rate < burst);
            if clients.len() > MAX_CLIENTS / 2 {
                tracing::warn!(clients = clients.len(), "rate limiter full: every client's budget starts again");
                clients.clear();
            }
        }
        let (tokens, at) = clients.entry(client).or_insert((self.burst, now));
        let available = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if available >= 1.0 {
            *tokens = available - 1.0;
            Ok(())
        } else {
            *tokens = available;
            Err(Duration::from_secs_f64((1.0 - available) / self.rate))
        }
    }
}

/// The client's address: the peer, or behind a trusted proxy the last `X-Forwarded-For`
/// entry (the one the proxy appended). IPv6 clients are grouped by their /64 network, which
/// one subscriber usually holds whole.
pub fn client_address(peer: Option<SocketAddr>, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    let forwarded = trust_forwarded_for
        .then(|| {
            headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back()
                .and_then(|last| last.trim().parse::<IpAddr>().ok())
        })
        .flatten();
    let address = forwarded.or(peer.map(|p| p.ip())).unwrap_or(IpAddr::from([0, 0, 0, 0]));
    match address {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Window of the login limits.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins allowed per account in the window.
pub const LOGIN_FAILURES_PER_ACCOUNT: usize = 5;
/// Failed logins allowed per client address in the window.
pub const LOGIN_FAILURES_PER_ADDRESS: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_bucket_allows_the_burst_then_the_rate() {
        let buckets = Buckets::new(2.0, 3.0);
        let client = IpAddr::from([192, 0, 2, 1]);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(buckets.take(client, start).is_ok());
        }
        let wait = buckets.take(client, start).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(buckets.take(IpAddr::from([192, 0, 2, 2]), start).is_ok(), "other clients have their own bucket");
        assert!(buckets.take(client, start + Duration::from_millis(500)).is_ok());
        assert!(buckets.take(client, start + Duration::from_millis(500)).is_err());
        assert!(Buckets::new(0.0, 1.0).take(client, start).is_ok(), "rate 0 turns the limit off");
    }

    #[test]
    fn the_client_table_stays_bounded() {
        let buckets = Buckets::new(1.0, 5.0);
        let start = Instant::now();
        let client = |n: u32| IpAddr::from(n.to_be_bytes());
        for n in 0..MAX_CLIENTS as u32 {
            assert!(buckets.take(client(n), start).is_ok());
        }
        let count = || buckets.clients.lock().unwrap().len();
        assert_eq!(count(), MAX_CLIENTS);
        // All still active: the table starts again rather than growing or scanning forever.
        assert!(buckets.take(client(u32::MAX), start).is_ok());
        assert_eq!(count(), 1);
        // Clients whose bucket has refilled are forgotten, the others kept.
        let buckets = Buckets::new(1.0, 5.0);
        for n in 0..MAX_CLIENTS as u32 {
            let at = if n < 10 { start + Duration::from_millis(9500) } else { start };
            assert!(buckets.take(client(n), at).is_ok());
        }
        assert!(buckets.take(client(u32::MAX), start + Duration::from_secs(10)).is_ok());
        assert_eq!(buckets.clients.lock().unwrap().len(), 11, "10 still refilling, and the new one");
    }

    #[test]
    fn client_addresses() {
        let peer: SocketAddr = "198.51.100.7:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 192.0.2.44"));
        assert_eq!(client_address(Some(peer), &headers, false), peer.ip(), "the header is ignored unless trusted");
        assert_eq!(client_address(Some(peer), &headers, true), IpAddr::from([192, 0, 2, 44]));
        headers.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_address(Some(peer), &headers, true), peer.ip());
        let v6: SocketAddr = "[2001:db8:1:2:3:4:5:6]:1".parse().unwrap();
        assert_eq!(client_address(Some(v6), &HeaderMap::new(), false), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_eq!(client_address(None, &HeaderMap::new(), false), IpAddr::from([0, 0, 0, 0]));
    }
}
