//! One error type for the whole service, [`AppError`] with its stable codes, every
//! conversion into it, and its two renderings: JSON (`{"error": {"code", "message"}}`) under
//! `/api/` and for feeds and exports, an HTML page elsewhere. Refusals of the middleware
//! (429, 503, 413, 414) use the same renderings. Internal details are logged, never sent.

use std::collections::BTreeMap;
use std::time::Duration;

use askama::Template;
use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use casebook_index::SearchError;
use casebook_store::StoreError;
use serde::Serialize;

use crate::i18n::{self, Lang};
use crate::layout::{Layout, SignedIn};

/// An error answer.
#[derive(Debug, Clone)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (`invalid_parameter`, `not_found`, ...).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
    /// Per-field problems of a refused submission (`{"year": "...", "sector": "..."}`).
    #[allow(clippy::box_collection, reason = "one pointer keeps AppError, returned by every handler, small")]
    pub fields: Option<Box<BTreeMap<String, String>>>,
}

/// The JSON body of an API error: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message of an API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `invalid_parameter`, `invalid_body`, `not_found`, `unknown_case`,
    /// `conflict`, `method_not_allowed`, `unauthorised`, `forbidden`, `csrf`,
    /// `rate_limited`, `overloaded`, `timeout`, `uri_too_long`, `payload_too_large`,
    /// `unsupported_media_type`, `bad_request`, `internal`, `invalid_submission` (422, with
    /// `fields`), `call_closed` (409), `spam` (400).
    pub code: String,
    /// Explanation.
    pub message: String,
    /// For `invalid_submission`: the problem of each field, by field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl AppError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        AppError { status, code, message: message.into(), fields: None }
    }

    /// 422 for a submission with problems, each tied to its field.
    pub fn invalid_submission(fields: BTreeMap<String, String>) -> Self {
        let count = fields.len();
        let message = format!(
            "the submission has {count} problem{}: see `fields` ({})",
            if count == 1 { "" } else { "s" },
            fields.keys().cloned().collect::<Vec<_>>().join(", ")
        );
        AppError {
            fields: Some(Box::new(fields)),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_submission", message)
        }
    }

    /// 400 for a parameter value out of range.
    pub fn invalid(parameter: &str, message: impl std::fmt::Display) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_parameter", format!("invalid `{parameter}`: {message}"))
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500, with the cause logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not answer; the problem has been logged",
        )
    }

    /// 401 with the advice to send a token.
    pub fn unauthorised() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorised",
            "this needs an API token: send `Authorization: Bearer <token>` (create one with `casebook tokens create`)",
        )
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 503 (overload or deadline).
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message.clone(),
                fields: self.fields.as_deref().cloned(),
            },
        }
    }

    /// The error as an HTML page in `lang`, with the header of a signed-in visitor.
    pub fn page(&self, lang: Lang, signed_in: Option<&SignedIn>) -> Response {
        let t = lang.strings();
        let title = if self.status == StatusCode::NOT_FOUND { t.not_found_title } else { t.error_title };
        let switch_href = format!("/?lang={}", t.other_language_code);
        let template = ErrorTemplate {
            layout: Layout::new(lang, title.to_string(), String::new(), "", switch_href, signed_in),
            status: self.status.as_u16(),
            message: self.message.clone(),
        };
        match template.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message.clone()).into_response(),
        }
    }

    /// The error in the format of `path` (see [`answers_json`]), an HTML page in the
    /// language the headers ask for.
    pub fn for_path(&self, path: &str, headers: &HeaderMap) -> Response {
        if answers_json(path) {
            self.clone().into_response()
        } else {
            let (lang, _) = i18n::negotiate(headers, None);
            self.page(lang, None)
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    status: u16,
    message: String,
}

/// Whether errors at `path` are answered as JSON: the API, and the feeds and exports read by
/// programs (`/search.csv`, `/search.atom`, `/showcases/NAME.json` ...).
pub fn answers_json(path: &str) -> bool {
    path.starts_with("/api/") || [".csv", ".atom", ".json", ".md", ".xml"].iter().any(|ext| path.ends_with(ext))
}

/// Adds `Retry-After` (whole seconds, at least 1) to a refusal.
pub fn with_retry_after(mut response: Response, wait: Duration) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::InvalidParameter { parameter, message } => AppError::invalid(parameter, message),
            SearchError::Internal(cause) => AppError::internal(cause),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => AppError::not_found(format!("{what} not found")),
            StoreError::Conflict(message) => AppError::new(StatusCode::CONFLICT, "conflict", message),
            StoreError::Invalid(message) => AppError::new(StatusCode::BAD_REQUEST, "invalid_body", message),
            StoreError::Forbidden(message) => AppError::forbidden(message),
            StoreError::Closed(message) => AppError::new(StatusCode::CONFLICT, "call_closed", message),
            other => AppError::internal(other),
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        AppError::internal(error)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An [`AppError`] answered by a page handler: an HTML page in the visitor's language with
/// the signed-in header, or JSON for the exports a page route also serves.
#[derive(Debug)]
pub struct PageError {
    /// The error.
    pub error: AppError,
    /// UI language of the page.
    pub lang: Lang,
    /// The signed-in visitor, so the page header still shows them.
    pub signed_in: Option<SignedIn>,
    /// Answer as JSON (the route's path is an export).
    pub json: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if self.json { self.error.into_response() } else { self.error.page(self.lang, self.signed_in.as_ref()) }
    }
}
