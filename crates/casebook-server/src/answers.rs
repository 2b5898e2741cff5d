//! The search core's read answers through the response cache (`cache.rs`): a search (for
//! `/api/search`, GET and POST, and the search and home pages), and any other answer the
//! API stores under a key of its own (`/api/facets`, `/api/suggest`). A hit is answered
//! on the async runtime without touching the index; a miss is computed on the blocking pool
//! and stored if it succeeded. The API tells which in its `X-Cache` header.

use std::any::Any;
use std::sync::Arc;

use axum::Json;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use casebook_index::{Archive, SearchRequest, SearchResponse};
use serde::Serialize;

use crate::cache;
use crate::error::AppError;
use crate::state::AppState;

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheStatus {
    /// From the cache.
    Hit,
    /// Computed (and stored, if it fits).
    Miss,
    /// Computed; the cache is off.
    Off,
}

/// `value` as a JSON response with its `X-Cache: hit|miss` header (none when the cache is
/// off).
pub fn json_response<T: Serialize>(value: &T, status: CacheStatus) -> Response {
    let mut response = Json(value).into_response();
    let header = match status {
        CacheStatus::Hit => Some("hit"),
        CacheStatus::Miss => Some("miss"),
        CacheStatus::Off => None,
    };
    if let Some(header) = header {
        response.headers_mut().insert("x-cache", HeaderValue::from_static(header));
    }
    response
}

/// The cached answer of `key` for the generation `archive` belongs to, if any.
pub fn lookup<T: Any + Send + Sync>(state: &AppState, archive: &Archive, key: &str) -> Option<Arc<T>> {
    state.cache.get(archive.generation(), key).and_then(|value| value.downcast::<T>().ok())
}

/// Stores a computed answer of `archive`'s generation under `key`, sized by its JSON.
pub fn store<T: Any + Send + Sync + Serialize>(state: &AppState, archive: &Archive, key: &str, value: &Arc<T>) {
    if state.cache.enabled() {
        let bytes = cache::json_size(value.as_ref()).saturating_add(key.len());
        state.cache.insert(archive.generation(), key, Arc::clone(value) as cache::Value, bytes);
    }
}

/// Runs `compute` on the blocking pool unless the answer of `key` is cached; stores a
/// successful answer.
pub async fn cached<T, F>(state: &Arc<AppState>, key: String, compute: F) -> Result<(Arc<T>, CacheStatus), AppError>
where
    T: Any + Send + Sync + Serialize,
    F: FnOnce(&Archive) -> Result<T, AppError> + Send + 'static,
{
    let archive = state.archive();
    if !state.cache.enabled() {
        let answer = state.searching(move || compute(&archive)).await?;
        return Ok((Arc::new(answer), CacheStatus::Off));
    }
    if let Some(answer) = lookup::<T>(state, &archive, &key) {
        return Ok((answer, CacheStatus::Hit));
    }
    let worker = Arc::clone(state);
    let answer = state
        .searching(move || {
            let answer = Arc::new(compute(&archive)?);
            store(&worker, &archive, &key, &answer);
            Ok(answer)
        })
        .await?;
    Ok((answer, CacheStatus::Miss))
}

/// The answer to a search, searched as its normalised form ([`cache::normalise`]) so that
/// every spelling of one search has the same answer, from the cache or not. A cached
/// answer is the original one, `took_ms` included.
pub async fn search(
    state: &Arc<AppState>,
    request: &SearchRequest,
) -> Result<(Arc<SearchResponse>, CacheStatus), AppError> {
    // Checked as asked: normalising could hide a duplicate filter value or an unknown `lang`.
    request.validate()?;
    let normal = cache::normalise(request);
    let key = if state.cache.enabled() { cache::search_key(&normal) } else { String::new() };
    cached(state, key, move |archive| archive.search(&normal).map_err(AppError::from)).await
}
