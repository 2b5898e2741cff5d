//! The middleware that applies the limits of `limits.rs` in front of every handler, and
//! makes every refusal speak the service's one error format:
//!
//! - **admission**: URL length (414), the in-flight cap (503 at once, `Retry-After`: load
//!   shedding instead of a queue that grows until everything times out), the deadline (503);
//! - **rate limit**: one token per request from the client's bucket on the expensive routes
//!   (429 with `Retry-After`);
//! - **tracking**: every answer is counted by route template and status, with its latency
//!   (`metrics.rs`, served at `/metrics`);
//! - **uniform errors**: error answers written by something other than our handlers (axum's
//!   extractor rejections, the body limit, a handler that panicked) are rewritten as JSON
//!   under `/api/` and as an HTML page elsewhere.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{AppError, with_retry_after};
use crate::limits::client_address;
use crate::state::AppState;

/// The client address of a request.
pub fn request_client(state: &AppState, request: &Request) -> IpAddr {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    client_address(peer, request.headers(), state.config.limits.trust_forwarded_for)
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

/// Middleware: URL length, the in-flight cap and the deadline. `/healthz` is always answered.
pub async fn admission(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let limits = &state.config.limits;
    let path = request.uri().path().to_string();
    let target_length = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target_length > limits.max_uri_bytes {
        let error = AppError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the address is {target_length} bytes long; at most {} are accepted", limits.max_uri_bytes),
        );
        return error.for_path(&path, request.headers());
    }
    if path == "/healthz" {
        return next.run(request).await;
    }
    let Some(_permit) = state.guard.admit() else {
        let error = AppError::unavailable("overloaded", "the server is busy; try again in a moment");
        return with_retry_after(error.for_path(&path, request.headers()), Duration::from_secs(1));
    };
    let headers = language_headers(request.headers());
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path = crate::logged_path(&path), "request timed out");
            let error = AppError::unavailable("timeout", "the request took too long; try a narrower search");
            with_retry_after(error.for_path(&path, &headers), Duration::from_secs(1))
        }
    }
}

/// Middleware of the expensive routes: one token per request from the client's bucket.
pub async fn rate_limit(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let client = request_client(&state, &request);
    match state.guard.take_token(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let error = AppError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many requests from your address (at most {} per second): try again shortly",
                    state.config.limits.rate_per_second
                ),
            );
            with_retry_after(error.for_path(request.uri().path(), request.headers()), wait)
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
        tracing::error!(path = crate::logged_path(&path), status = status.as_u16(), %text, "error answer rewritten");
        "the server could not answer; the problem has been logged".to_string()
    } else {
        text
    };
    let mut formatted = AppError::new(status, code_of(status), message).for_path(&path, &headers);
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

/// Middleware: counts the answer by route template (`unmatched` for paths no route knows:
/// never the path itself, which would make the set of series unbounded), status and latency.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let response = next.run(request).await;
    let route = route.as_deref().unwrap_or("unmatched");
    state.metrics.record(route, response.status().as_u16(), started.elapsed());
    response
}
