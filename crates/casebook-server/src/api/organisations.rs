//! `/api/organisations` and `/api/organisations/{slug}`: the organisations of the archive
//! with their number of cases, and one organisation with its cases across awards and years.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use casebook_index::{Organisation, OrganisationSummary};
use serde::Serialize;
use utoipa::ToSchema;

use super::label_lang;
use crate::error::{AppError, ErrorBody};
use crate::params;
use crate::state::{AppState, blocking};

/// Most organisations in one answer.
pub const MAX_ORGANISATIONS: usize = 1000;

/// Organisations matching a search.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationsResponse {
    /// Organisations matching `q` (all of them, even beyond the ones listed).
    pub total: usize,
    /// Most cases first, then by name; at most 1000.
    pub organisations: Vec<OrganisationSummary>,
}

/// The organisations whose name contains `q`, with their number of cases.
#[utoipa::path(
    get,
    operation_id = "list_organisations",
    path = "/api/organisations",
    params(("q" = Option<String>, Query, description = "Part of the name (case, accents and punctuation ignored); empty lists all")),
    responses(
        (status = 200, description = "Organisations, most cases first", body = OrganisationsResponse),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "organisations"
)]
pub async fn list(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Json<OrganisationsResponse>, AppError> {
    let pairs = params::pairs(query.as_deref());
    let q: String = params::first(&pairs, "q").unwrap_or_default().chars().take(200).collect();
    let archive = state.archive();
    let mut organisations = blocking(move || Ok(archive.organisations(&q)?)).await?;
    let total = organisations.len();
    organisations.truncate(MAX_ORGANISATIONS);
    Ok(Json(OrganisationsResponse { total, organisations }))
}

/// One organisation with its cases, oldest first.
#[utoipa::path(
    get,
    operation_id = "get_organisation",
    path = "/api/organisations/{slug}",
    params(
        ("slug" = String, Path, description = "Organisation slug (as in `organisation_slug` of a case)"),
        ("lang" = Option<String>, Query, description = "Label language: en or it"),
    ),
    responses(
        (status = 200, description = "The organisation and its cases; each `snippet` is the escaped summary", body = Organisation),
        (status = 404, description = "No case has this organisation", body = ErrorBody),
    ),
    tag = "organisations"
)]
pub async fn get(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Organisation>, AppError> {
    let lang = label_lang(query.as_deref())?;
    let archive = state.archive();
    let organisation = blocking(move || {
        archive.organisation(&slug, lang)?.ok_or_else(|| AppError::not_found(format!("no organisation `{slug}`")))
    })
    .await?;
    Ok(Json(organisation))
}
