//! Who is asking: API bearer tokens and web session cookies, and the extractors that check
//! them before a handler runs ([`ApiUser`], [`Admin`], [`MaybeApiUser`]). Every write route
//! takes one of them (or the pages' checked form), so authorisation is checked on the server
//! for every request.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
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

/// The web session of a request: `None` without a valid cookie. A database failure is an
/// error (a 500 with its cause logged), not "logged out".
pub fn session(state: &AppState, headers: &HeaderMap) -> Result<Option<Session>, AppError> {
    let Some(secret) = cookie(headers, SESSION_COOKIE) else { return Ok(None) };
    Ok(state.store.session(secret)?)
}

/// Whether a submitted form carries the session's CSRF token.
pub fn csrf_ok(session: &Session, submitted: Option<&str>) -> bool {
    submitted.is_some_and(|token| constant_time_eq(token.as_bytes(), session.csrf.as_bytes()))
}

/// The user of a `Bearer` token, if the request has a valid one; an invalid or revoked
/// token is a 401.
fn bearer(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else { return Ok(None) };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or_else(AppError::unauthorised)?;
    match state.store.authenticate_token(token)? {
        Some(user) => Ok(Some(user)),
        None => Err(AppError::new(StatusCode::UNAUTHORIZED, "unauthorised", "the API token is invalid or revoked")),
    }
}

/// The caller of an API route with a valid token (otherwise 401).
#[derive(Debug, Clone)]
pub struct ApiUser(pub User);

/// The caller of an API route: anonymous, or with a valid token (an invalid one is a 401).
#[derive(Debug, Clone)]
pub struct MaybeApiUser(pub Option<User>);

/// An admin with a valid token (otherwise 401, or 403 for an organiser).
#[derive(Debug, Clone)]
pub struct Admin(pub User);

/// Token checks read the database: off the async runtime.
async fn bearer_of(parts: &Parts, state: &Arc<AppState>) -> Result<Option<User>, AppError> {
    let headers = parts.headers.clone();
    let state = Arc::clone(state);
    crate::state::blocking(move || bearer(&state, &headers)).await
}

impl FromRequestParts<Arc<AppState>> for MaybeApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        Ok(MaybeApiUser(bearer_of(parts, state).await?))
    }
}

impl FromRequestParts<Arc<AppState>> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        bearer_of(parts, state).await?.map(ApiUser).ok_or_else(AppError::unauthorised)
    }
}

impl FromRequestParts<Arc<AppState>> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let ApiUser(user) = ApiUser::from_request_parts(parts, state).await?;
        if user.role == Role::Admin { Ok(Admin(user)) } else { Err(AppError::forbidden("this needs an admin account")) }
    }
}
