//! `/api/showcases*`: curated showcases of cases. Reads are public for published showcases;
//! every write needs a token ([`ApiUser`]) and acts on the caller's own showcases (an admin's
//! on every one). Answers are in English labels.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_corpus::Language;
use casebook_store::{NewShowcase, Showcase, ShowcasePatch, Status};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::JsonBody;
use crate::auth::{ApiUser, MaybeApiUser};
use crate::error::{AppError, ErrorBody};
use crate::state::{AppState, blocking};
use crate::views::{ShowcaseView, add_case, showcase_view};

/// Runs a store change off the runtime and answers the showcase it leaves.
async fn respond(
    state: Arc<AppState>,
    work: impl FnOnce(&AppState) -> Result<Showcase, AppError> + Send + 'static,
) -> Result<Json<ShowcaseView>, AppError> {
    blocking(move || {
        let showcase = work(&state)?;
        Ok(Json(showcase_view(&state, showcase, Language::En)?))
    })
    .await
}

/// Showcases: the caller's (every one, for an admin), or the published ones without a token.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShowcaseList {
    pub showcases: Vec<ShowcaseView>,
}

/// List showcases.
#[utoipa::path(get, operation_id = "list_showcases", path = "/api/showcases", responses(
    (status = 200, description = "The caller's showcases, or the published ones when anonymous", body = ShowcaseList),
    (status = 401, description = "Invalid or revoked token", body = ErrorBody)),
    security((), ("bearer" = [])), tag = "showcases")]
pub async fn list(
    State(state): State<Arc<AppState>>,
    MaybeApiUser(user): MaybeApiUser,
) -> Result<Json<ShowcaseList>, AppError> {
    blocking(move || {
        let showcases = state.store.showcases(user.as_ref())?;
        let showcases =
            showcases.into_iter().map(|s| showcase_view(&state, s, Language::En)).collect::<Result<_, _>>()?;
        Ok(Json(ShowcaseList { showcases }))
    })
    .await
}

/// Body of `POST /api/showcases`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateShowcase {
    pub title: String,
    pub event: Option<String>,
    pub date: Option<String>,
    /// Markdown.
    pub description: Option<String>,
}

/// Create a showcase (a draft).
#[utoipa::path(post, operation_id = "create_showcase", path = "/api/showcases", request_body = CreateShowcase, responses(
    (status = 201, description = "Created", body = ShowcaseView),
    (status = 400, description = "Invalid body", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn create(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    JsonBody(new): JsonBody<CreateShowcase>,
) -> Result<Response, AppError> {
    let created = respond(state, move |state| {
        Ok(state.store.create_showcase(
            &user,
            &NewShowcase { title: new.title, event: new.event, date: new.date, description: new.description },
        )?)
    })
    .await?;
    Ok((StatusCode::CREATED, created).into_response())
}

/// One showcase (published, or the caller's).
#[utoipa::path(get, operation_id = "get_showcase", path = "/api/showcases/{slug}", params(("slug" = String, Path)), responses(
    (status = 200, description = "The showcase", body = ShowcaseView),
    (status = 404, description = "No such showcase, or a draft of someone else", body = ErrorBody)),
    security((), ("bearer" = [])), tag = "showcases")]
pub async fn get(
    State(state): State<Arc<AppState>>,
    MaybeApiUser(user): MaybeApiUser,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.showcase(&slug, user.as_ref())?)).await
}

/// Body of `PATCH /api/showcases/{slug}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateShowcase {
    pub title: Option<String>,
    /// Empty string clears it.
    pub event: Option<String>,
    pub date: Option<String>,
    pub description: Option<String>,
}

/// Change title, event, date or description.
#[utoipa::path(patch, operation_id = "update_showcase", path = "/api/showcases/{slug}", params(("slug" = String, Path)), request_body = UpdateShowcase, responses(
    (status = 200, description = "Updated", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn update(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    JsonBody(patch): JsonBody<UpdateShowcase>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| {
        Ok(state.store.update_showcase(
            &slug,
            &user,
            &ShowcasePatch { title: patch.title, event: patch.event, date: patch.date, description: patch.description },
        )?)
    })
    .await
}

/// Delete a showcase.
#[utoipa::path(delete, operation_id = "delete_showcase", path = "/api/showcases/{slug}", params(("slug" = String, Path)), responses(
    (status = 204, description = "Deleted"),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn delete(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    blocking(move || Ok(state.store.delete_showcase(&slug, &user)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /api/showcases/{slug}/items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddItem {
    pub case_id: String,
    /// Curator note (markdown).
    pub note: Option<String>,
}

/// Append a case.
#[utoipa::path(post, operation_id = "add_showcase_item", path = "/api/showcases/{slug}/items", params(("slug" = String, Path)), request_body = AddItem, responses(
    (status = 201, description = "Added", body = ShowcaseView),
    (status = 400, description = "Unknown case or invalid body", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody),
    (status = 409, description = "The case is already in the showcase", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn add_item(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    JsonBody(item): JsonBody<AddItem>,
) -> Result<Response, AppError> {
    let added =
        respond(state, move |state| add_case(state, &slug, &user, &item.case_id, item.note.as_deref().unwrap_or("")))
            .await?;
    Ok((StatusCode::CREATED, added).into_response())
}

/// Body of `PATCH /api/showcases/{slug}/items/{case_id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateItem {
    pub note: String,
}

/// Change the note of a case.
#[utoipa::path(patch, operation_id = "update_showcase_item", path = "/api/showcases/{slug}/items/{case_id}", params(("slug" = String, Path), ("case_id" = String, Path)), request_body = UpdateItem, responses(
    (status = 200, description = "Updated", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase or case in it", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn update_item(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((slug, case_id)): Path<(String, String)>,
    JsonBody(update): JsonBody<UpdateItem>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.set_note(&slug, &user, &case_id, &update.note)?)).await
}

/// Remove a case.
#[utoipa::path(delete, operation_id = "remove_showcase_item", path = "/api/showcases/{slug}/items/{case_id}", params(("slug" = String, Path), ("case_id" = String, Path)), responses(
    (status = 200, description = "Removed", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase or case in it", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn remove_item(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path((slug, case_id)): Path<(String, String)>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.remove_item(&slug, &user, &case_id)?)).await
}

/// Body of `PUT /api/showcases/{slug}/order`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// Every case id of the showcase, in the new order.
    pub case_ids: Vec<String>,
}

/// Reorder the cases.
#[utoipa::path(put, operation_id = "reorder_showcase", path = "/api/showcases/{slug}/order", params(("slug" = String, Path)), request_body = Order, responses(
    (status = 200, description = "Reordered", body = ShowcaseView),
    (status = 400, description = "Not a permutation of the showcase's cases", body = ErrorBody),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn reorder(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
    JsonBody(order): JsonBody<Order>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.reorder(&slug, &user, &order.case_ids)?)).await
}

/// Publish.
#[utoipa::path(post, operation_id = "publish_showcase", path = "/api/showcases/{slug}/publish", params(("slug" = String, Path)), responses(
    (status = 200, description = "Published", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn publish(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.set_status(&slug, &user, Status::Published)?)).await
}

/// Unpublish (back to draft).
#[utoipa::path(post, operation_id = "unpublish_showcase", path = "/api/showcases/{slug}/unpublish", params(("slug" = String, Path)), responses(
    (status = 200, description = "Unpublished", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn unpublish(
    State(state): State<Arc<AppState>>,
    ApiUser(user): ApiUser,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    respond(state, move |state| Ok(state.store.set_status(&slug, &user, Status::Draft)?)).await
}
