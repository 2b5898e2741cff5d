//! The server-rendered website. Every page works without JavaScript; `web/static/app.js`
//! only enhances it (live results, suggestions, the filter toggle on phones). Every page
//! handler starts from a [`PageContext`] (or a [`CheckedForm`]) and returns
//! `Result<Response, PageError>`.

mod calls;
mod case;
mod context;
mod feeds;
mod home;
mod insights;
mod login;
mod organisations;
mod organiser;
mod regions;
mod review;
mod search;
mod showcases;
mod submit;

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use calls::{call_page, calls_page};
pub use case::case_page;
pub use context::{CheckedForm, PageContext};
pub use feeds::{atom, csv, healthz, metrics, robots, sitemap};
pub use home::home;
pub use insights::{insights_csv, insights_page};
pub use login::{login_page, login_submit, logout};
pub use organisations::{organisation_page, organisations_page};
pub use organiser::{
    add_to_showcase, create_showcase, create_token, dashboard, edit_showcase, revoke_token, showcase_action,
};
pub use review::{call_action, create_call, organiser_call, organiser_calls, review_action, review_page, review_queue};
pub use search::search_page;
pub use showcases::{showcase_page, showcases_page};
pub use submit::{
    call_submit_page, call_submit_post, preview as submit_preview, status_page, submit_page, submit_post,
};

use crate::error::{AppError, PageError};

/// The fallback: 404 as JSON under `/api/` and for exports, as a page elsewhere.
pub async fn not_found(context: PageContext, uri: axum::http::Uri) -> PageError {
    context.error(AppError::not_found(format!("no page at `{}`", uri.path())))
}

/// 405 for a known path with another method, in the visitor's language.
pub async fn method_not_allowed(context: PageContext, uri: axum::http::Uri) -> PageError {
    context.error(AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{}` only answers GET and HEAD", uri.path()),
    ))
}

/// `GET /static/{name}`: the embedded CSS, script and icon.
pub async fn static_file(
    context: PageContext,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    match crate::assets::find(&name) {
        Some(asset) => Ok(crate::assets::respond(asset, query.as_deref(), &headers)),
        None => Err(context.error(AppError::not_found(format!("no static file `{name}`")))),
    }
}

/// A 303 redirect.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A local path to return to after a form, or the fallback (never another site).
pub fn local_path(candidate: Option<&str>, fallback: &str) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.contains("://") =>
        {
            path.to_string()
        }
        _ => fallback.to_string(),
    }
}

/// A search link.
pub fn search_href(request: &casebook_index::SearchRequest) -> String {
    let query = crate::params::to_query(request);
    if query.is_empty() { "/search".to_string() } else { format!("/search?{query}") }
}
