//! The JSON API under `/api/`, and its OpenAPI document (generated from these definitions,
//! so it cannot drift from the code).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use casebook_corpus::Labelled;
use casebook_index::{Facets, Hit, RegionRef, SearchRequest, SearchResponse, SectorRef, StoredCase, Suggestion};
use serde::Serialize;
use utoipa::{IntoParams, OpenApi, ToSchema};

use crate::error::{AppError, ErrorBody};
use crate::params;
use crate::state::AppState;

/// Runs blocking index work off the async runtime.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(AppError::internal)?
}

/// Query parameters of `GET /api/search` (documentation of what [`params::parse_search`]
/// reads; a test keeps the two in step).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the OpenAPI generator only")]
pub struct SearchParams {
    /// Query text; empty browses everything. Quote phrases; `-word` excludes.
    q: Option<String>,
    /// Sector id, label or alias; repeat for several (ORed).
    #[param(explode = true)]
    sector: Option<Vec<String>>,
    /// Country code or name, Italian region NUTS code or name, or region facet value; repeat for several (ORed).
    #[param(explode = true)]
    region: Option<Vec<String>>,
    /// One award year.
    year: Option<u16>,
    /// First award year (inclusive).
    year_from: Option<u16>,
    /// Last award year (inclusive).
    year_to: Option<u16>,
    /// Award name or facet value; repeat for several.
    #[param(explode = true)]
    award: Option<Vec<String>>,
    /// `it` or `en`; repeat for both.
    #[param(explode = true)]
    language: Option<Vec<String>>,
    /// `relevance` (default), `year_desc`, `year_asc` or `title`.
    sort: Option<String>,
    /// `last` (default: all words first, then relax), `all` or `any`.
    #[param(rename = "match")]
    match_mode: Option<String>,
    /// Page, from 1.
    page: Option<usize>,
    /// Hits per page, 1 to 100 (default 10).
    per_page: Option<usize>,
    /// Language of labels: `en` (default) or `it`.
    lang: Option<String>,
}

/// Search the archive, with disjunctive facet counts.
#[utoipa::path(
    get,
    path = "/api/search",
    params(SearchParams),
    responses(
        (status = 200, description = "The page of results and the facet counts", body = SearchResponse),
        (status = 400, description = "A parameter value is invalid", body = ErrorBody),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResponse>, AppError> {
    let request = params::parse_search(&params::pairs(query.as_deref()))?;
    let archive = state.archive();
    Ok(Json(blocking(move || archive.search(&request).map_err(AppError::from)).await?))
}

/// A case with its body rendered to sanitised HTML.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub id: String,
    pub title: String,
    pub organisation: String,
    pub year: u16,
    pub award: String,
    pub event: Option<String>,
    pub category: Option<String>,
    /// `winner`, `finalist` or `mention`.
    pub outcome: Option<String>,
    pub sectors: Vec<SectorRef>,
    pub region: RegionRef,
    pub city: Option<String>,
    /// Country name.
    pub country_label: String,
    /// `it` or `en`.
    pub language: String,
    pub summary: String,
    pub tags: Vec<String>,
    pub partners: Vec<String>,
    pub website: Option<String>,
    /// The body as HTML, sanitised: no script, no event handlers, no `javascript:` links.
    pub body_html: String,
    /// Path of the case page.
    pub url: String,
}

/// Builds the detail of a stored case with labels in `lang`.
pub fn case_detail(case: StoredCase, archive: &casebook_index::Archive, lang: &str) -> CaseDetail {
    let taxonomy = &archive.vocabulary().taxonomy;
    CaseDetail {
        url: format!("/cases/{}", case.id),
        body_html: crate::html::render_body(&case.body_markdown),
        sectors: archive.sector_refs(&case.sectors, lang),
        region: archive.region_ref(&case, lang),
        country_label: taxonomy
            .country(&case.place.country)
            .map_or_else(|| case.place.country.clone(), |c| c.label(lang).to_string()),
        city: case.place.city,
        language: case.language.code().to_string(),
        outcome: case.outcome.map(|o| o.as_str().to_string()),
        id: case.id,
        title: case.title,
        organisation: case.organisation,
        year: case.year,
        award: case.award,
        event: case.event,
        category: case.category,
        summary: case.summary,
        tags: case.tags,
        partners: case.partners,
        website: case.website,
    }
}

/// Label language from `?lang=`.
fn label_lang(query: Option<&str>) -> Result<String, AppError> {
    let pairs = params::pairs(query);
    match params::first(&pairs, "lang") {
        None => Ok("en".into()),
        Some(lang @ ("it" | "en")) => Ok(lang.into()),
        Some(other) => Err(AppError::invalid("lang", format!("use it or en, found {other:?}"))),
    }
}

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
        Ok(case_detail(case, &archive, &lang))
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
        blocking(move || archive.similar(&id, 5, &lang)?.ok_or_else(|| AppError::not_found(format!("no case `{id}`"))))
            .await?;
    Ok(Json(SimilarResponse { hits }))
}

/// Completions for search-as-you-type.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestResponse {
    /// Up to 8 titles, organisations and tags.
    pub suggestions: Vec<Suggestion>,
}

/// Up to 8 completions of what the visitor is typing.
#[utoipa::path(
    get,
    path = "/api/suggest",
    params(("q" = String, Query, description = "Text typed so far")),
    responses(
        (status = 200, description = "Completions", body = SuggestResponse),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn suggest(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Json<SuggestResponse> {
    let pairs = params::pairs(query.as_deref());
    let prefix: String = params::first(&pairs, "q").unwrap_or_default().chars().take(100).collect();
    // A prefix scan of the term dictionary: microseconds, no need to leave the runtime.
    Json(SuggestResponse { suggestions: state.archive().suggest(&prefix, 8) })
}

/// Counts of every facet value over the whole archive.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// Number of cases.
    pub total: u64,
    /// Every facet value with its count.
    pub facets: Facets,
}

/// Every facet value with its count over the whole archive.
#[utoipa::path(
    get,
    path = "/api/facets",
    params(("lang" = Option<String>, Query, description = "Label language: en or it")),
    responses(
        (status = 200, description = "Facet counts", body = FacetsResponse),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn facets(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> Result<Json<FacetsResponse>, AppError> {
    let lang = label_lang(query.as_deref())?;
    let archive = state.archive();
    let response = blocking(move || {
        let request = SearchRequest { per_page: 1, lang: Some(lang), ..Default::default() };
        archive.search(&request).map_err(AppError::from)
    })
    .await?;
    Ok(Json(FacetsResponse { total: response.total, facets: response.facets }))
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", responses((status = 200, description = "The OpenAPI 3 document of this API")), tag = "meta")]
pub async fn openapi() -> Response {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], openapi_json()).into_response()
}

/// The OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casebook API",
        description = "Search an archive of innovation case studies, with disjunctive facets by sector, region, award year, award and language. Errors are `{\"error\": {\"code\", \"message\"}}` with status 400 (invalid parameter value) or 404 (unknown case or path).",
        license(name = "MIT")
    ),
    paths(
        search, case, similar, suggest, facets, openapi,
        crate::showcase_api::list, crate::showcase_api::create, crate::showcase_api::get, crate::showcase_api::update,
        crate::showcase_api::delete, crate::showcase_api::add_item, crate::showcase_api::update_item,
        crate::showcase_api::remove_item, crate::showcase_api::reorder, crate::showcase_api::publish,
        crate::showcase_api::unpublish, crate::showcase_api::users
    ),
    components(schemas(ErrorBody, CaseDetail, SimilarResponse, SuggestResponse, FacetsResponse)),
    modifiers(&BearerAuth),
    tags(
        (name = "search", description = "Full-text and faceted search"),
        (name = "cases", description = "Single cases"),
        (name = "showcases", description = "Curated showcases of cases (writes need an API token: `Authorization: Bearer cbk_...`)"),
        (name = "admin", description = "Account management (admin tokens only)"),
        (name = "meta", description = "About the API")
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` security scheme used by the showcase endpoints.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("cbk_<id>_<secret>").build(),
            ),
        );
    }
}

/// The OpenAPI document as pretty JSON (as committed in `docs/openapi.json`).
pub fn openapi_json() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".into());
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_parameters_match_the_parser() {
        let doc: serde_json::Value = serde_json::from_str(&openapi_json()).unwrap();
        let mut documented: Vec<String> = doc["paths"]["/api/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect();
        documented.sort();
        let mut parsed: Vec<String> = params::SEARCH_PARAMETERS.iter().map(|s| s.to_string()).collect();
        parsed.sort();
        assert_eq!(documented, parsed);
    }
}
