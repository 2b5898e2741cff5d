//! `/api/cases/{id}` and `/api/cases/{id}/similar`: one case, and the cases like it.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use casebook_index::Hit;
use serde::Serialize;
use utoipa::ToSchema;

use super::label_lang;
use crate::error::{AppError, ErrorBody};
use crate::state::{AppState, blocking};
use crate::views::{CaseDetail, case_detail};

/// One case.
#[utoipa::path(
    get,
    path = "/api/cases/{id}",
    params(("id" = String, Path, description = "Case id (the file name without .md)"), ("lang" = Option<String>, Query, description = "Label language: en or it")),
    responses(
        (status = 200, description = "The case", body = CaseDetail),
        (status = 404, description = "No such case", body = ErrorBody),
    ),
    tag = "cases"
)]
pub async fn case(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<CaseDetail>, AppError> {
    let lang = label_lang(query.as_deref())?;
    let archive = state.archive();
    let detail = blocking(move || {
        let case = archive.case(&id)?.ok_or_else(|| AppError::not_found(format!("no case `{id}`")))?;
        case_detail(&case, &archive, lang)
    })
    .await?;
    Ok(Json(detail))
}

/// Cases similar to a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarResponse {
    /// Up to 5 cases, most similar first; `snippet` is the summary.
    pub hits: Vec<Hit>,
}

/// Up to 5 cases similar to one case.
#[utoipa::path(
    get,
    path = "/api/cases/{id}/similar",
    params(("id" = String, Path, description = "Case id"), ("lang" = Option<String>, Query, description = "Label language: en or it")),
    responses(
        (status = 200, description = "Similar cases", body = SimilarResponse),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "cases"
)]
pub async fn similar(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<SimilarResponse>, AppError> {
    let lang = label_lang(query.as_deref())?;
    let archive = state.archive();
    let hits =
        blocking(move || archive.similar(&id, 5, lang)?.ok_or_else(|| AppError::not_found(format!("no case `{id}`"))))
            .await?;
    Ok(Json(SimilarResponse { hits }))
}
