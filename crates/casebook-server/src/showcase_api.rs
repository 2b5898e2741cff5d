//! The showcase JSON API (bearer tokens) and the views shared with the pages and exports:
//! each item is resolved against the index, and a case that left the archive stays listed as
//! "no longer in the archive" with its last known title.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use casebook_corpus::Labelled;
use casebook_index::Archive;
use casebook_store::{NewShowcase, Showcase, ShowcasePatch, Status, StoreError, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::blocking;
use crate::auth;
use crate::error::{AppError, ErrorBody};
use crate::state::AppState;

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => AppError::not_found(format!("{what} not found")),
            StoreError::Conflict(message) => AppError { status: StatusCode::CONFLICT, code: "conflict", message },
            StoreError::Invalid(message) => AppError { status: StatusCode::BAD_REQUEST, code: "invalid_body", message },
            other => AppError::internal(other),
        }
    }
}

/// A case of a showcase, with its facts when it is still in the archive.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    /// 1-based position.
    pub position: usize,
    /// Case id.
    pub case_id: String,
    /// Title (the last known one if the case left the archive).
    pub title: String,
    /// Whether the case is still in the archive.
    pub in_archive: bool,
    /// Curator note (markdown).
    pub note: String,
    pub organisation: Option<String>,
    pub year: Option<u16>,
    /// Sector labels.
    pub sectors: Vec<String>,
    /// Region label.
    pub region: Option<String>,
    pub city: Option<String>,
    pub summary: Option<String>,
}

/// A showcase.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShowcaseView {
    pub slug: String,
    pub title: String,
    pub event: Option<String>,
    pub date: Option<String>,
    /// Markdown.
    pub description: String,
    /// `draft` or `published`.
    pub status: String,
    pub owner: String,
    /// Unix time of the last change.
    pub updated_at: i64,
    pub items: Vec<ItemView>,
}

/// Resolves a showcase's items against the archive (labels in `lang`).
pub fn view(showcase: Showcase, archive: &Archive, lang: &str) -> ShowcaseView {
    let taxonomy = &archive.vocabulary().taxonomy;
    let items = showcase
        .items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match archive.case(&item.case_id).ok().flatten() {
            Some(case) => ItemView {
                position: i + 1,
                title: case.title.clone(),
                in_archive: true,
                note: item.note,
                organisation: Some(case.organisation.clone()),
                year: Some(case.year),
                sectors: case
                    .sectors
                    .iter()
                    .map(|s| taxonomy.sector(s).map_or_else(|| s.clone(), |x| x.label(lang).to_string()))
                    .collect(),
                region: Some(if lang == "it" { case.place.region_it.clone() } else { case.place.region_en.clone() }),
                city: case.place.city.clone(),
                summary: Some(case.summary.clone()),
                case_id: item.case_id,
            },
            None => ItemView {
                position: i + 1,
                title: item.last_title,
                in_archive: false,
                note: item.note,
                organisation: None,
                year: None,
                sectors: Vec::new(),
                region: None,
                city: None,
                summary: None,
                case_id: item.case_id,
            },
        })
        .collect();
    ShowcaseView {
        slug: showcase.slug,
        title: showcase.title,
        event: showcase.event,
        date: showcase.date,
        description: showcase.description,
        status: if showcase.status == Status::Published { "published".into() } else { "draft".into() },
        owner: showcase.owner,
        updated_at: showcase.updated_at,
        items,
    }
}

fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_body",
        message: format!("invalid JSON body: {e}"),
    })
}

async fn respond(
    state: Arc<AppState>,
    work: impl FnOnce(&AppState) -> Result<Showcase, AppError> + Send + 'static,
) -> Result<Json<ShowcaseView>, AppError> {
    let archive = state.archive();
    blocking(move || {
        let showcase = work(&state)?;
        Ok(Json(view(showcase, &archive, "en")))
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
pub async fn list(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<ShowcaseList>, AppError> {
    let user = auth::bearer(&state, &headers)?;
    let archive = state.archive();
    blocking(move || {
        let showcases = state.store.showcases(user.as_ref())?;
        Ok(Json(ShowcaseList { showcases: showcases.into_iter().map(|s| view(s, &archive, "en")).collect() }))
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
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let user = auth::require_token(&state, &headers)?;
    let new: CreateShowcase = body(&bytes)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = auth::bearer(&state, &headers)?;
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

fn owned(headers: &HeaderMap, state: &AppState) -> Result<User, AppError> {
    auth::require_token(state, headers)
}

/// Change title, event, date or description.
#[utoipa::path(patch, operation_id = "update_showcase", path = "/api/showcases/{slug}", params(("slug" = String, Path)), request_body = UpdateShowcase, responses(
    (status = 200, description = "Updated", body = ShowcaseView),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 404, description = "No such showcase of the caller", body = ErrorBody)),
    security(("bearer" = [])), tag = "showcases")]
pub async fn update(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    bytes: Bytes,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
    let patch: UpdateShowcase = body(&bytes)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    let user = owned(&headers, &state)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
    bytes: Bytes,
) -> Result<Response, AppError> {
    let user = owned(&headers, &state)?;
    let item: AddItem = body(&bytes)?;
    let added = respond(Arc::clone(&state), move |state| {
        add_case(state, &slug, &user, &item.case_id, item.note.as_deref().unwrap_or(""))
    })
    .await?;
    Ok((StatusCode::CREATED, added).into_response())
}

/// Adds a case that exists in the archive.
pub fn add_case(state: &AppState, slug: &str, user: &User, case_id: &str, note: &str) -> Result<Showcase, AppError> {
    let case = state.archive().case(case_id)?.ok_or_else(|| AppError {
        status: StatusCode::BAD_REQUEST,
        code: "unknown_case",
        message: format!("no case `{case_id}` in the archive"),
    })?;
    Ok(state.store.add_item(slug, user, case_id, &case.title, note)?)
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
    headers: HeaderMap,
    Path((slug, case_id)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
    let update: UpdateItem = body(&bytes)?;
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
    headers: HeaderMap,
    Path((slug, case_id)): Path<(String, String)>,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
    bytes: Bytes,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
    let order: Order = body(&bytes)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
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
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Result<Json<ShowcaseView>, AppError> {
    let user = owned(&headers, &state)?;
    respond(state, move |state| Ok(state.store.set_status(&slug, &user, Status::Draft)?)).await
}

/// Accounts (admin only).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserView>,
}

/// An account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub name: String,
    /// `admin` or `organiser`.
    pub role: String,
}

/// List accounts.
#[utoipa::path(get, operation_id = "list_users", path = "/api/admin/users", responses(
    (status = 200, description = "Every account", body = UserList),
    (status = 401, description = "No valid token", body = ErrorBody),
    (status = 403, description = "Not an admin", body = ErrorBody)),
    security(("bearer" = [])), tag = "admin")]
pub async fn users(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Json<UserList>, AppError> {
    auth::require_admin(&state, &headers)?;
    blocking(move || {
        let users = state.store.users()?;
        Ok(Json(UserList {
            users: users.into_iter().map(|u| UserView { name: u.name, role: u.role.as_str().into() }).collect(),
        }))
    })
    .await
}
