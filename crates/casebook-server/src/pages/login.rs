//! Logging in and out of the organiser area. The login form carries a token that must match
//! a cookie set with the form (no cross-site logins), failures are limited per account and
//! per client address (counted in the store, so across servers), and a success starts a
//! session (cookie) with its CSRF token.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::context::form;
use super::{CheckedForm, PageContext, local_path, see_other};
use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::PageError;
use crate::layout::Layout;
use crate::limits::{LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, LOGIN_WINDOW, client_address};
use crate::params::first;
use crate::state::{AppState, blocking};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    layout: Layout,
    login_token: String,
    next: String,
    message: Option<String>,
    name: String,
}

/// The login form, with a fresh form token in a cookie.
fn login_form(
    context: &PageContext,
    state: &AppState,
    next: &str,
    message: Option<String>,
    name: &str,
    status: StatusCode,
) -> Response {
    let token = casebook_store::random_hex(16).unwrap_or_default();
    let t = context.lang.strings();
    let template = LoginTemplate {
        layout: context.layout(format!("{} · {}", t.login, t.site_name), String::new(), "login"),
        login_token: token.clone(),
        next: next.to_string(),
        message,
        name: name.to_string(),
    };
    let mut response = context.render(&template, status);
    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(state, LOGIN_COOKIE, &token, 3600));
    response
}

/// `GET /login`.
pub async fn login_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let next = local_path(first(&context.pairs, "next"), "/organiser");
    if context.session.is_some() {
        return Ok(see_other(&next));
    }
    Ok(login_form(&context, &state, &next, None, "", StatusCode::OK))
}

/// `POST /login`: checks the form token, the rate limits, then the password.
pub async fn login_submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    context: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let fields = form(&body);
    let t = context.lang.strings();
    let name = first(&fields, "name").unwrap_or_default().trim().to_string();
    let password = first(&fields, "password").unwrap_or_default().to_string();
    let next = local_path(first(&fields, "next"), "/organiser");
    let form_token = first(&fields, "login_token").unwrap_or_default();
    let cookie_token = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if form_token.is_empty() || !casebook_store::constant_time_eq(form_token.as_bytes(), cookie_token.as_bytes()) {
        return Ok(login_form(&context, &state, &next, Some(t.form_expired.into()), &name, StatusCode::FORBIDDEN));
    }
    let account_key = format!("account:{}", name.to_lowercase());
    let client = client_address(Some(peer), &headers, state.config.limits.trust_forwarded_for);
    let address_key = format!("address:{client}");
    // The limits live in the store, so they hold across every server sharing it.
    let window = LOGIN_WINDOW.as_secs() as i64;
    let store = Arc::clone(&state.store);
    let keys = (account_key.clone(), address_key.clone());
    let wait = blocking(move || {
        for (key, limit) in [(&keys.0, LOGIN_FAILURES_PER_ACCOUNT), (&keys.1, LOGIN_FAILURES_PER_ADDRESS)] {
            if let Some(seconds) = store.login_wait(key, limit, window)? {
                return Ok(Some(seconds));
            }
        }
        Ok(None)
    })
    .await
    .map_err(|e| context.error(e))?;
    if let Some(seconds) = wait {
        let message = Some(t.too_many_attempts.into());
        let mut response = login_form(&context, &state, &next, message, &name, StatusCode::TOO_MANY_REQUESTS);
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Ok(response);
    }
    let store = Arc::clone(&state.store);
    let login_name = name.clone();
    let verified = blocking(move || {
        let user = store.verify_login(&login_name, &password)?;
        match &user {
            Some(_) => store.login_succeeded(&account_key)?,
            None => store.login_failed(&[&account_key, &address_key], window)?,
        }
        Ok(user)
    })
    .await
    .map_err(|e| context.error(e))?;
    let Some(user) = verified else {
        tracing::warn!(account = %name, address = %client, "failed login");
        return Ok(login_form(&context, &state, &next, Some(t.wrong_login.into()), &name, StatusCode::UNAUTHORIZED));
    };
    let store = Arc::clone(&state.store);
    let (secret, _) = blocking(move || Ok(store.create_session(&user)?)).await.map_err(|e| context.error(e))?;
    let mut response = see_other(&next);
    response
        .headers_mut()
        .append(header::SET_COOKIE, auth::set_cookie(&state, SESSION_COOKIE, &secret, casebook_store::SESSION_SECONDS));
    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(&state, LOGIN_COOKIE, "", 0));
    Ok(response)
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let context = form.context;
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE).map(str::to_string) {
        let store = Arc::clone(&state.store);
        blocking(move || Ok(store.delete_session(&secret)?)).await.map_err(|e| context.error(e))?;
    }
    let mut response = see_other("/");
    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(&state, SESSION_COOKIE, "", 0));
    Ok(response)
}
