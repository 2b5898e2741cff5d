//! Protection against overload and abuse, applied as middleware in front of every handler:
//!
//! - **admission**: a cap on requests in flight for the whole server; beyond it a request is
//!   refused at once with 503 and `Retry-After` (load shedding: fast refusals instead of a
//!   queue that grows until everything times out), and a deadline per request (503);
//! - **rate limit**: a token bucket per client address on the expensive routes (search,
//!   exports, suggestions, similar cases); an empty bucket is a 429 with `Retry-After`;
//! - **bounds**: URLs longer than [`Limits::max_uri_bytes`] are a 414, bodies longer than
//!   [`Limits::max_body_bytes`] a 413;
//! - **one error format**: every refusal, including those written by axum's extractors and a
//!   handler that panicked, is answered as JSON under `/api/` and as an HTML page elsewhere.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::state::AppState;

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

/// The client address of a request.
pub fn request_client(state: &AppState, request: &Request) -> IpAddr {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    client_address(peer, request.headers(), state.config.limits.trust_forwarded_for)
}

/// Whether errors at `path` are answered as JSON: the API, and the feeds and exports read by
/// programs (`/search.csv`, `/search.atom`, `/showcases/NAME.json` ...).
pub fn answers_json(path: &str) -> bool {
    path.starts_with("/api/") || [".csv", ".atom", ".json", ".md", ".xml"].iter().any(|ext| path.ends_with(ext))
}

/// An error answered in the format of the path: JSON for the API, feeds and exports (see
/// [`answers_json`]), an HTML page elsewhere.
pub fn refusal(path: &str, headers: &HeaderMap, error: AppError) -> Response {
    if answers_json(path) {
        error.into_response()
    } else {
        let (lang, _) = crate::i18n::negotiate(headers, None);
        crate::pages::error_page(error, lang)
    }
}

/// The headers that choose the language of an error page, kept while the request moves on
/// to the handler: two entries instead of a copy of every header on every request.
fn language_headers(headers: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in headers.get_all(&name) {
            kept.append(name.clone(), value.clone());
        }
    }
    kept
}

fn with_retry_after(mut response: Response, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

fn unavailable(code: &'static str, message: &str) -> AppError {
    AppError { status: StatusCode::SERVICE_UNAVAILABLE, code, message: message.into() }
}

/// Middleware: URL length, the in-flight cap and the deadline. `/healthz` is always answered.
pub async fn admission(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let limits = &state.config.limits;
    let path = request.uri().path().to_string();
    let target_length = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target_length > limits.max_uri_bytes {
        let error = AppError {
            status: StatusCode::URI_TOO_LONG,
            code: "uri_too_long",
            message: format!(
                "the address is {target_length} bytes long; at most {} are accepted",
                limits.max_uri_bytes
            ),
        };
        return refusal(&path, request.headers(), error);
    }
    if path == "/healthz" {
        return next.run(request).await;
    }
    let Ok(_permit) = Arc::clone(&state.guard.in_flight).try_acquire_owned() else {
        state.guard.refusals.count(&state.guard.refusals.shed);
        let error = unavailable("overloaded", "the server is busy; try again in a moment");
        return with_retry_after(refusal(&path, request.headers(), error), Duration::from_secs(1));
    };
    let headers = language_headers(request.headers());
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(%path, "request timed out");
            let error = unavailable("timeout", "the request took too long; try a narrower search");
            with_retry_after(refusal(&path, &headers, error), Duration::from_secs(1))
        }
    }
}

/// Middleware of the expensive routes: one token per request from the client's bucket.
pub async fn rate_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let client = request_client(&state, &request);
    match state.guard.buckets.take(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            state.guard.refusals.count(&state.guard.refusals.limited);
            let error = AppError {
                status: StatusCode::TOO_MANY_REQUESTS,
                code: "rate_limited",
                message: format!(
                    "too many searches from your address (at most {} per second): try again shortly",
                    state.config.limits.rate_per_second
                ),
            };
            with_retry_after(refusal(request.uri().path(), request.headers(), error), wait)
        }
    }
}

/// The code of an error status written by something other than our handlers.
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

/// Longest plain-text error body carried over into the formatted error.
const MAX_REWRITTEN_BODY: usize = 4096;

/// Middleware: an error answer whose body is neither JSON nor HTML (axum's extractor
/// rejections, the body limit) is rewritten in the format of the path.
pub async fn uniform_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let headers = language_headers(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return response;
    }
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let text = match axum::body::to_bytes(response.into_body(), MAX_REWRITTEN_BODY).await {
        Ok(bytes) if !bytes.is_empty() => String::from_utf8_lossy(&bytes).into_owned(),
        _ => status.canonical_reason().unwrap_or("error").to_string(),
    };
    let message = if status.is_server_error() {
        tracing::error!(%path, status = status.as_u16(), %text, "error answer rewritten");
        "the server could not answer; the problem has been logged".to_string()
    } else {
        text
    };
    let mut formatted = refusal(&path, &headers, AppError { status, code: code_of(status), message });
    if let Some(value) = retry_after {
        formatted.headers_mut().insert(header::RETRY_AFTER, value);
    }
    formatted
}

/// The answer to a handler that panicked: the panic is logged, and a plain 500 is returned
/// for [`uniform_errors`] (the layer around this one) to write in the format of the path.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = what, "a handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "a handler panicked").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

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
