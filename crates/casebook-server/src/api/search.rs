//! `/api/search` (GET with parameters, POST with a JSON body for long texts), `/api/suggest`
//! and `/api/facets`: the search core over HTTP, through the response cache (`answers.rs`).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::Response;
use casebook_index::{Facets, SearchRequest, SearchResponse, Suggestion};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{JsonBody, label_lang};
use crate::answers::{self, CacheStatus};
use crate::error::{AppError, ErrorBody};
use crate::params;
use crate::state::AppState;

/// Query parameters of `GET /api/search` (documentation of what [`crate::params::parse_search`]
/// reads; a test keeps the two in step).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "read by the OpenAPI generator only")]
pub struct SearchParams {
    /// Query text; empty browses everything. Quote phrases; `-word` excludes. Up to 2,000
    /// characters are read; a text of more than three content words is ranked by BM25 over
    /// its most distinctive words (`POST` suits long texts better).
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
    /// Organisation slug or name (spellings and legal forms do not matter); repeat for several (ORed).
    #[param(explode = true)]
    organisation: Option<Vec<String>>,
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
    /// `true` adds to each hit the breakdown of its score (`explain`), and to the response the
    /// words a long text left out (`left_out`).
    explain: Option<bool>,
}

/// Search the archive, with disjunctive facet counts.
#[utoipa::path(
    get,
    path = "/api/search",
    params(SearchParams),
    responses(
        (status = 200, description = "The page of results and the facet counts", body = SearchResponse, headers(("x-cache" = String, description = "`hit`: answered from the response cache; `miss`: computed (absent when the cache is off)"))),
        (status = 400, description = "A parameter value is invalid", body = ErrorBody),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn search(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let request = params::parse_search(&params::pairs(query.as_deref()))?;
    let (response, status) = answers::search(&state, &request).await?;
    state.insights.search(&request, &response);
    Ok(answers::json_response(response.as_ref(), status))
}

/// Search the archive with the request as a JSON body: the same fields as the parameters of
/// `GET /api/search` (lists as arrays, `match`, `explain`) and the same response. For long
/// query texts, such as a pasted project description (up to 2,000 characters are used).
#[utoipa::path(
    post,
    path = "/api/search",
    request_body(content = SearchRequest, description = "The search, every field optional: `{\"q\": \"...\"}`"),
    responses(
        (status = 200, description = "The page of results and the facet counts", body = SearchResponse, headers(("x-cache" = String, description = "`hit`: answered from the response cache; `miss`: computed (absent when the cache is off)"))),
        (status = 400, description = "The body is not a valid search request, or a value is invalid", body = ErrorBody),
        (status = 413, description = "The body is larger than the server accepts", body = ErrorBody),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn search_json(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<SearchRequest>,
) -> Result<Response, AppError> {
    let (response, status) = answers::search(&state, &request).await?;
    Ok(answers::json_response(response.as_ref(), status))
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
        (status = 200, description = "Completions", body = SuggestResponse, headers(("x-cache" = String, description = "`hit`: answered from the response cache; `miss`: computed (absent when the cache is off)"))),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn suggest(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let pairs = params::pairs(query.as_deref());
    let prefix: String = params::first(&pairs, "q").unwrap_or_default().chars().take(100).collect();
    let archive = state.archive();
    if !state.cache.enabled() {
        let answer = SuggestResponse { suggestions: archive.suggest(&prefix, 8) };
        return answers::json_response(&answer, CacheStatus::Off);
    }
    let key = format!("suggest\u{0}{prefix}");
    if let Some(answer) = answers::lookup::<SuggestResponse>(&state, &archive, &key) {
        return answers::json_response(answer.as_ref(), CacheStatus::Hit);
    }
    // A prefix scan of the term dictionary: microseconds, no need to leave the runtime.
    let answer = Arc::new(SuggestResponse { suggestions: archive.suggest(&prefix, 8) });
    answers::store(&state, &archive, &key, &answer);
    answers::json_response(answer.as_ref(), CacheStatus::Miss)
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
        (status = 200, description = "Facet counts", body = FacetsResponse, headers(("x-cache" = String, description = "`hit`: answered from the response cache; `miss`: computed (absent when the cache is off)"))),
        (status = 429, description = "Too many requests from this address: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "The server is busy or the request took too long: retry after `Retry-After` seconds", body = ErrorBody),
    ),
    tag = "search"
)]
pub async fn facets(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let lang = label_lang(query.as_deref())?;
    let key = format!("facets\u{0}{}", lang.code());
    let (answer, status) = answers::cached(&state, key, move |archive| {
        let (total, facets) = archive.facets(lang)?;
        Ok(FacetsResponse { total, facets })
    })
    .await?;
    Ok(answers::json_response(answer.as_ref(), status))
}
