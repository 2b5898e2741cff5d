//! One error type for the whole service, rendered as JSON under `/api/` and as an HTML page
//! elsewhere. Internal details are logged, never sent.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_index::SearchError;
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone)]
pub struct AppError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (`invalid_parameter`, `not_found`, ...).
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
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
    /// Stable code: `invalid_parameter`, `not_found`, `method_not_allowed`, `unauthorised`,
    /// `forbidden`, `rate_limited`, `overloaded`, `timeout`, `uri_too_long`,
    /// `payload_too_large`, `bad_request`, `internal`.
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl AppError {
    /// 400 for a parameter value out of range.
    pub fn invalid(parameter: &str, message: impl std::fmt::Display) -> Self {
        AppError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: format!("invalid `{parameter}`: {message}"),
        }
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        AppError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.into() }
    }

    /// 500, with the cause logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        AppError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the server could not answer; the problem has been logged".into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: self.code.to_string(), message: self.message.clone() } }
    }
}

impl From<SearchError> for AppError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::InvalidParameter { parameter, message } => AppError::invalid(parameter, message),
            SearchError::Internal(cause) => AppError::internal(cause),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// An [`AppError`] shown as an HTML page (the pages' handlers return this).
#[derive(Debug)]
pub struct PageError {
    /// The error.
    pub error: AppError,
    /// UI language of the page.
    pub lang: crate::i18n::Lang,
    /// The logged-in visitor's name and CSRF token, so the page header still shows them.
    pub signed_in: Option<(String, String)>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        crate::pages::error_page_for(self.error, self.lang, self.signed_in)
    }
}

impl From<PageError> for Response {
    fn from(error: PageError) -> Response {
        error.into_response()
    }
}
