//! `/api/calls*`: calls for entries. Reads are public; opening and changing a call needs a
//! token ([`ApiUser`]); a call of another organiser is 403 (an admin may act on every one).
//! From a call's accepted entries, one request makes a draft showcase in call order.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_corpus::Language;
use casebook_store::{CallPatch, NewCall};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::JsonBody;
use crate::auth::{ApiUser, MaybeApiUser};
use crate::error::{AppError, ErrorBody};
use crate::intake::CallView;
use crate::state::{AppState, blocking};
use crate::views::{ShowcaseView, showcase_view};

/// Calls: open and upcoming ones without a token; the caller's own (every one for an admin)
/// with one.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallList {
    pub calls: Vec<CallView>,
}

/// List calls for entries.
#[utoipa::path(get, operation_id = "list_calls", path = "/api/calls", responses(
    (status = 200, description = "Open and upcoming calls, nearest deadline first; with a token, the caller's calls", body = CallList),
    (status = 401, description = "Invalid or revoked token", body = ErrorBody)),
    security((), ("bearer" = [])), tag = "calls")]
pub async fn list(
    State(state): State<Arc<AppState>>,
    MaybeApiUser(user): MaybeApiUser,
) -> Result<Json<CallList>, AppError> {
    blocking(move || {
        let calls = state.store.calls(user.as_ref())?;
        Ok(Json(CallList { calls: calls.into_iter().map(CallView::from).collect() }))
    })
    .await
}

/// Body of `POST /api/calls`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCall {
    /// "SMAU Napoli 2027: Innovation Award".
    pub title: String,
    pub event: Option<String>,
    pub award: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    /// `YYYY-MM-DD`.
    pub opens: String,
    /// `YYYY-MM-DD`, the last day entries are taken.
    pub closes: String,
    /// Markdown.
    pub description: Option<String>,
}

/// Open a call for entries.
#[utoipa::path(post, operation_id = "create_call", path = "/api/calls", request_body = CreateCall, responses(
    (status = 201, description = "Created", body = CallView),
    (status = 400, description = "Invalid body or dates", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody)),
    security(("bearer" = [])), tag = "calls")]
pub async fn create(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    JsonBody(body): JsonBody<CreateCall>,
) -> Result<Response, AppError> {
    let call = blocking(move || {
        Ok(state.store.create_call(
            &user,
            &NewCall {
                title: body.title,
                event: body.event,
                award: body.award,
                categories: body.categories,
                opens: body.opens,
                closes: body.closes,
                description: body.description,
            },
        )?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(CallView::from(call))).into_response())
}

/// One call.
#[utoipa::path(get, operation_id = "get_call", path = "/api/calls/{slug}", params(("slug" = String, Path)), responses(
    (status = 200, description = "The call", body = CallView),
    (status = 404, description = "No such call", body = ErrorBody)),
    tag = "calls")]
pub async fn get(State(state): State<Arc<AppState>>, Path(slug): Path<String>) -> Result<Json<CallView>, AppError> {
    blocking(move || Ok(Json(CallView::from(state.store.call(&slug)?)))).await
}

/// Body of `PATCH /api/calls/{slug}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCall {
    pub title: Option<String>,
    /// Empty string clears it.
    pub event: Option<String>,
    pub award: Option<String>,
    pub categories: Option<Vec<String>>,
    pub opens: Option<String>,
    /// Set it to a past day to close the call now.
    pub closes: Option<String>,
    pub description: Option<String>,
}

/// Change a call (its owner or an admin).
#[utoipa::path(patch, operation_id = "update_call", path = "/api/calls/{slug}", params(("slug" = String, Path)), request_body = UpdateCall, responses(
    (status = 200, description = "Updated", body = CallView),
    (status = 400, description = "Invalid body or dates", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A call of another organiser", body = ErrorBody),
    (status = 404, description = "No such call", body = ErrorBody)),
    security(("bearer" = [])), tag = "calls")]
pub async fn update(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<UpdateCall>,
) -> Result<Json<CallView>, AppError> {
    blocking(move || {
        let patch = CallPatch {
            title: body.title,
            event: body.event,
            award: body.award,
            categories: body.categories,
            opens: body.opens,
            closes: body.closes,
            description: body.description,
        };
        Ok(Json(CallView::from(state.store.update_call(&slug, &user, &patch)?)))
    })
    .await
}

/// Make a draft showcase of the call's accepted entries, in call order (by the call's
/// categories, then in the order they were submitted).
#[utoipa::path(post, operation_id = "showcase_from_call", path = "/api/calls/{slug}/showcase", params(("slug" = String, Path)), responses(
    (status = 201, description = "The draft showcase", body = ShowcaseView),
    (status = 400, description = "No accepted entry yet", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "A call of another organiser", body = ErrorBody),
    (status = 404, description = "No such call", body = ErrorBody)),
    security(("bearer" = [])), tag = "calls")]
pub async fn showcase(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let view = blocking(move || {
        let showcase = state.store.showcase_from_call(&slug, &user)?;
        showcase_view(&state, showcase, Language::En)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}
