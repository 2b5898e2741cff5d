//! Who is asking: API bearer tokens, web session cookies with their CSRF tokens, and the
//! rate limiter of login attempts. Every write route calls one of the `require_*` functions,
//! so authorisation is checked on the server for every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casebook_store::{Role, Session, User, constant_time_eq};

use crate::error::AppError;
use crate::state::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "casebook_session";
/// Name of the cookie that protects the login form against cross-site submission.
pub const LOGIN_COOKIE: &str = "casebook_login";

/// The value of a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.https() { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The web session of a request, if its cookie is valid.
pub fn session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let secret = cookie(headers, SESSION_COOKIE)?;
    state.store.session(secret).ok().flatten()
}

/// 401 with the JSON error and `WWW-Authenticate`.
pub fn unauthorised() -> AppError {
    AppError {
        status: StatusCode::UNAUTHORIZED,
        code: "unauthorised",
        message:
            "this needs an API token: send `Authorization: Bearer <token>` (create one with `casebook tokens create`)"
                .into(),
    }
}

/// 403.
pub fn forbidden(message: &str) -> AppError {
    AppError { status: StatusCode::FORBIDDEN, code: "forbidden", message: message.into() }
}

/// The user of a `Bearer` token, if the request has a valid one; an invalid or revoked
/// token is a 401.
pub fn bearer(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or_else(unauthorised)?;
    match state.store.authenticate_token(token) {
        Ok(Some(user)) => Ok(Some(user)),
        Ok(None) => Err(AppError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorised",
            message: "the API token is invalid or revoked".into(),
        }),
        Err(error) => Err(AppError::internal(error)),
    }
}

/// The token's user, or 401.
pub fn require_token(state: &AppState, headers: &HeaderMap) -> Result<User, AppError> {
    bearer(state, headers)?.ok_or_else(unauthorised)
}

/// An admin's token, or 401/403.
pub fn require_admin(state: &AppState, headers: &HeaderMap) -> Result<User, AppError> {
    let user = require_token(state, headers)?;
    if user.role == Role::Admin { Ok(user) } else { Err(forbidden("this needs an admin account")) }
}

/// Whether a submitted form carries the session's CSRF token.
pub fn csrf_ok(session: &Session, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|token| constant_time_eq(token.as_bytes(), session.csrf.as_bytes()))
}

/// Counts recent failures per key in a sliding window.
#[derive(Debug, Default)]
pub struct RateLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// Window of the login limits.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed logins allowed per account in the window.
pub const LOGIN_FAILURES_PER_ACCOUNT: usize = 5;
/// Failed logins allowed per client address in the window.
pub const LOGIN_FAILURES_PER_ADDRESS: usize = 20;

impl RateLimiter {
    /// Seconds to wait if `key` has had `limit` failures within the window.
    pub fn blocked(&self, key: &str, limit: usize) -> Option<u64> {
        let mut failures = match self.failures.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let now = Instant::now();
        let entry = failures.entry(key.to_string()).or_default();
        entry.retain(|t| now.duration_since(*t) < LOGIN_WINDOW);
        (entry.len() >= limit)
            .then(|| entry.first().map_or(60, |t| (LOGIN_WINDOW - now.duration_since(*t)).as_secs().max(1)))
    }

    /// Records a failure.
    pub fn fail(&self, key: &str) {
        let mut failures = match self.failures.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let entry = failures.entry(key.to_string()).or_default();
        entry.push(Instant::now());
        if failures.len() > 100_000 {
            let now = Instant::now();
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < LOGIN_WINDOW));
        }
    }

    /// Forgets the failures of a key (after a successful login).
    pub fn clear(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(key);
        }
    }
}

/// A 429 with `Retry-After`.
pub fn too_many(seconds: u64, body: Response) -> Response {
    let mut response = body;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response.into_response()
}
