//! Pages for organisers: log in and out, the dashboard (their showcases and API tokens),
//! editing a showcase (facts, notes, order, publishing, deletion with confirmation), and
//! adding a case from a search result or a case page. Every form that changes state carries
//! the session's CSRF token; without a session the pages send you to the login form.

use std::net::SocketAddr;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use casebook_store::{NewShowcase, Role, Session, ShowcasePatch, Status, TokenInfo, User};

use super::{Layout, PageContext, form, local_path, see_other};
use crate::api::blocking;
use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, PageError};
use crate::params::first;
use crate::showcase_api::{ShowcaseView, add_case, view};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    layout: Layout,
    login_token: String,
    next: String,
    message: Option<String>,
    name: String,
}

fn login_form(
    context: &PageContext,
    state: &AppState,
    next: &str,
    message: Option<String>,
    name: &str,
    status: StatusCode,
) -> Response {
    let token = casebook_store_random();
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

/// A fresh random token for the login form (OS randomness, via the store).
fn casebook_store_random() -> String {
    casebook_store::random_hex(16).unwrap_or_default()
}

/// `GET /login`.
pub async fn login_page(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri) -> Response {
    let context = PageContext::with_session(&headers, &uri, &state);
    let next = local_path(first(&context.pairs, "next"), "/organiser");
    if context.session.is_some() {
        return see_other(&next);
    }
    login_form(&context, &state, &next, None, "", StatusCode::OK)
}

/// `POST /login`: checks the form token, the rate limits, then the password.
pub async fn login_submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let context = PageContext::new(&headers, &uri, &state);
    let fields = form(&body);
    let t = context.lang.strings();
    let name = first(&fields, "name").unwrap_or_default().trim().to_string();
    let password = first(&fields, "password").unwrap_or_default().to_string();
    let next = local_path(first(&fields, "next"), "/organiser");
    let form_token = first(&fields, "login_token").unwrap_or_default();
    let cookie_token = auth::cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if form_token.is_empty() || !casebook_store::constant_time_eq(form_token.as_bytes(), cookie_token.as_bytes()) {
        return login_form(&context, &state, &next, Some(t.form_expired.into()), &name, StatusCode::FORBIDDEN);
    }
    let account_key = format!("account:{}", name.to_lowercase());
    let client = crate::limits::client_address(Some(peer), &headers, state.config.limits.trust_forwarded_for);
    let address_key = format!("address:{client}");
    for (key, limit) in
        [(&account_key, auth::LOGIN_FAILURES_PER_ACCOUNT), (&address_key, auth::LOGIN_FAILURES_PER_ADDRESS)]
    {
        if let Some(seconds) = state.login_limiter.blocked(key, limit) {
            let body = login_form(
                &context,
                &state,
                &next,
                Some(t.too_many_attempts.into()),
                &name,
                StatusCode::TOO_MANY_REQUESTS,
            );
            return auth::too_many(seconds, body);
        }
    }
    let store = Arc::clone(&state.store);
    let (login_name, login_password) = (name.clone(), password);
    let verified = tokio::task::spawn_blocking(move || store.verify_login(&login_name, &login_password)).await;
    match verified {
        Ok(Ok(Some(user))) => {
            state.login_limiter.clear(&account_key);
            match state.store.create_session(&user) {
                Ok((secret, _)) => {
                    let mut response = see_other(&next);
                    response.headers_mut().append(
                        header::SET_COOKIE,
                        auth::set_cookie(&state, SESSION_COOKIE, &secret, casebook_store::SESSION_SECONDS),
                    );
                    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(&state, LOGIN_COOKIE, "", 0));
                    response
                }
                Err(error) => super::error_page(AppError::internal(error), context.lang),
            }
        }
        Ok(Ok(None)) => {
            state.login_limiter.fail(&account_key);
            state.login_limiter.fail(&address_key);
            tracing::warn!(account = %name, address = %client, "failed login");
            login_form(&context, &state, &next, Some(t.wrong_login.into()), &name, StatusCode::UNAUTHORIZED)
        }
        Ok(Err(error)) => super::error_page(AppError::internal(error), context.lang),
        Err(error) => super::error_page(AppError::internal(error), context.lang),
    }
}

/// A checked form post: the page context (with the session), the fields, the session.
type Posted = (PageContext, Vec<(String, String)>, Session);

/// The page context, fields and session of a form post, after checking its CSRF token;
/// otherwise the response to send (built once per refused request, so its size does not
/// matter).
#[allow(clippy::result_large_err, reason = "the error is the HTTP response itself")]
fn posted_form(state: &AppState, headers: &HeaderMap, uri: &Uri, body: &[u8]) -> Result<Posted, Response> {
    let context = PageContext::new(headers, uri, state);
    let fields = form(body);
    let Some(session) = auth::session(state, headers) else {
        return Err(see_other("/login"));
    };
    if !auth::csrf_ok(&session, first(&fields, "csrf")) {
        let lang = context.lang;
        let error =
            AppError { status: StatusCode::FORBIDDEN, code: "csrf", message: lang.strings().form_expired.into() };
        return Err(super::error_page(error, lang));
    }
    Ok((context.signed_in(&session), fields, session))
}

/// `POST /logout`.
pub async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap, uri: Uri, body: Bytes) -> Response {
    if let Err(response) = posted_form(&state, &headers, &uri, &body) {
        return response;
    }
    if let Some(secret) = auth::cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.delete_session(secret);
    }
    let mut response = see_other("/");
    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(&state, SESSION_COOKIE, "", 0));
    response
}

#[derive(Template)]
#[template(path = "organiser.html")]
struct DashboardTemplate {
    layout: Layout,
    showcases: Vec<ShowcaseView>,
    tokens: Vec<TokenInfo>,
    users: Vec<User>,
    new_token: Option<String>,
    is_admin: bool,
}

/// `GET /organiser`.
pub async fn dashboard(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let context = PageContext::with_session(&headers, &uri, &state);
    let Some(session) = context.session.clone() else { return Ok(see_other("/login?next=/organiser")) };
    render_dashboard(&state, &context, &session, None).await
}

async fn render_dashboard(
    state: &Arc<AppState>,
    context: &PageContext,
    session: &Session,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let archive = state.archive();
    let store = Arc::clone(&state.store);
    let user = session.user.clone();
    let lang = context.lang.code().to_string();
    let (showcases, tokens, users) = blocking(move || {
        let showcases = store.showcases(Some(&user))?;
        let tokens = store.tokens(Some(&user.name))?;
        let users = if user.role == Role::Admin { store.users()? } else { Vec::new() };
        Ok((showcases.into_iter().map(|s| view(s, &archive, &lang)).collect(), tokens, users))
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let template = DashboardTemplate {
        layout: context.layout(format!("{} · {}", t.organiser_heading, t.site_name), String::new(), "organiser"),
        showcases,
        tokens,
        users,
        new_token,
        is_admin: session.user.role == Role::Admin,
    };
    Ok(context.render(&template, StatusCode::OK))
}

/// `POST /organiser/showcases`: create one, then edit it.
pub async fn create_showcase(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Response> {
    let (context, fields, session) = posted_form(&state, &headers, &uri, &body)?;
    let new = NewShowcase {
        title: first(&fields, "title").unwrap_or_default().to_string(),
        event: first(&fields, "event").map(str::to_string),
        date: first(&fields, "date").map(str::to_string),
        description: first(&fields, "description").map(str::to_string),
    };
    let store = Arc::clone(&state.store);
    let showcase =
        blocking(move || Ok(store.create_showcase(&session.user, &new)?)).await.map_err(|e| context.error(e))?;
    Ok(see_other(&format!("/organiser/showcases/{}", showcase.slug)))
}

#[derive(Template)]
#[template(path = "showcase_edit.html")]
struct EditTemplate {
    layout: Layout,
    showcase: ShowcaseView,
    confirm_delete: bool,
}

/// `GET /organiser/showcases/{slug}` (and `?delete=1` for the confirmation).
pub async fn edit_showcase(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let context = PageContext::with_session(&headers, &uri, &state);
    let Some(session) = context.session.clone() else {
        return Ok(see_other(&format!("/login?next=/organiser/showcases/{slug}")));
    };
    let store = Arc::clone(&state.store);
    let archive = state.archive();
    let lang = context.lang.code().to_string();
    let showcase = blocking(move || {
        let showcase = store.showcase(&slug, Some(&session.user))?;
        let editable = session.user.role == Role::Admin || showcase.owner == session.user.name;
        if !editable {
            return Err(AppError::not_found(format!("no showcase `{slug}` of yours")));
        }
        Ok(view(showcase, &archive, &lang))
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let template = EditTemplate {
        layout: context.layout(format!("{} · {}", showcase.title, t.site_name), String::new(), "organiser"),
        confirm_delete: first(&context.pairs, "delete") == Some("1"),
        showcase,
    };
    Ok(context.render(&template, StatusCode::OK))
}

/// `POST /organiser/showcases/{slug}/{action}`: every change of the edit page.
pub async fn showcase_action(
    State(state): State<Arc<AppState>>,
    Path((slug, action)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Response> {
    let (context, fields, session) = posted_form(&state, &headers, &uri, &body)?;
    let edit_page = format!("/organiser/showcases/{slug}");
    let case_id = first(&fields, "case_id").unwrap_or_default().to_string();
    let store = Arc::clone(&state.store);
    let user = session.user.clone();
    let target = slug.clone();
    let fields_for_work = fields.clone();
    let done = blocking(move || {
        let fields = fields_for_work;
        let text = |key: &str| first(&fields, key).map(str::to_string);
        match action.as_str() {
            "details" => {
                let patch = ShowcasePatch {
                    title: text("title"),
                    event: Some(text("event").unwrap_or_default()),
                    date: Some(text("date").unwrap_or_default()),
                    description: Some(
                        fields.iter().find(|(k, _)| k == "description").map(|(_, v)| v.clone()).unwrap_or_default(),
                    ),
                };
                store.update_showcase(&target, &user, &patch)?;
            }
            "note" => {
                let note = fields.iter().find(|(k, _)| k == "note").map(|(_, v)| v.clone()).unwrap_or_default();
                store.set_note(&target, &user, &case_id, &note)?;
            }
            "up" => {
                store.move_item(&target, &user, &case_id, -1)?;
            }
            "down" => {
                store.move_item(&target, &user, &case_id, 1)?;
            }
            "remove" => {
                store.remove_item(&target, &user, &case_id)?;
            }
            "order" => {
                let order: Vec<String> = text("order")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                store.reorder(&target, &user, &order)?;
            }
            "publish" => {
                store.set_status(&target, &user, Status::Published)?;
            }
            "unpublish" => {
                store.set_status(&target, &user, Status::Draft)?;
            }
            "delete" => {
                store.delete_showcase(&target, &user)?;
                return Ok("/organiser".to_string());
            }
            other => return Err(AppError::not_found(format!("no action `{other}`"))),
        }
        Ok(String::new())
    })
    .await
    .map_err(|e| context.error(e))?;
    Ok(see_other(if done.is_empty() { &edit_page } else { &done }))
}

/// `POST /organiser/add`: add a case to one of the organiser's showcases, then go back.
pub async fn add_to_showcase(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Response> {
    let (context, fields, session) = posted_form(&state, &headers, &uri, &body)?;
    let slug = first(&fields, "showcase").unwrap_or_default().to_string();
    let case_id = first(&fields, "case_id").unwrap_or_default().to_string();
    let back = local_path(first(&fields, "back"), &format!("/organiser/showcases/{slug}"));
    let worker = Arc::clone(&state);
    let result = blocking(move || add_case(&worker, &slug, &session.user, &case_id, "")).await;
    match result {
        Ok(_) => Ok(see_other(&back)),
        // Already there: nothing to do.
        Err(error) if error.status == StatusCode::CONFLICT => Ok(see_other(&back)),
        Err(error) => Err(context.error(error).into()),
    }
}

/// `POST /organiser/tokens`: create an API token; it is shown once.
pub async fn create_token(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Response> {
    let (context, fields, session) = posted_form(&state, &headers, &uri, &body)?;
    let label = first(&fields, "name").unwrap_or("web").to_string();
    let store = Arc::clone(&state.store);
    let name = session.user.name.clone();
    let (_, token) = blocking(move || Ok(store.create_token(&name, &label)?)).await.map_err(|e| context.error(e))?;
    Ok(render_dashboard(&state, &context, &session, Some(token)).await?)
}

/// `POST /organiser/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Result<Response, Response> {
    let (context, _, session) = posted_form(&state, &headers, &uri, &body)?;
    let store = Arc::clone(&state.store);
    blocking(move || Ok(store.revoke_token(&id, Some(&session.user))?)).await.map_err(|e| context.error(e))?;
    Ok(see_other("/organiser"))
}

/// The organiser's showcases as (slug, title), for the "add to showcase" forms.
pub fn own_showcases(state: &AppState, session: Option<&Session>) -> Vec<(String, String)> {
    let Some(session) = session else { return Vec::new() };
    state
        .store
        .showcases(Some(&session.user))
        .map(|list| list.into_iter().filter(|s| s.owner == session.user.name).map(|s| (s.slug, s.title)).collect())
        .unwrap_or_default()
}
