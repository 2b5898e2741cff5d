//! Machine-readable outputs: Atom and CSV for any search, the sitemap, robots.txt, health.

use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use casebook_index::{SearchRequest, Sort};
use serde::Serialize;

use crate::error::AppError;
use crate::html::escape;
use crate::params;
use crate::state::{AppState, blocking};

/// Most rows of a CSV export (the search depth limit).
pub const MAX_EXPORT_ROWS: usize = casebook_index::request::MAX_DEPTH;
/// Entries of an Atom feed.
const FEED_ENTRIES: usize = 50;

/// RFC 3339 time of a Unix timestamp (UTC).
fn rfc3339(seconds: u64) -> String {
    let (year, month, day) = casebook_corpus::civil_date((seconds / 86_400) as i64);
    let rest = seconds % 86_400;
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest % 3600 / 60, rest % 60)
}

/// `GET /search.atom`: the newest matching cases as an Atom feed.
pub async fn atom(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let mut request = params::parse_search(&params::pairs(query.as_deref())).map_err(AppError::from)?;
    request.sort = Sort::YearDesc;
    let archive = state.archive();
    let base = state.public_url.clone();
    let feed_query = params::to_query(&SearchRequest { page: 1, ..request.clone() });
    let xml = blocking(move || {
        let response = archive.export(&request, FEED_ENTRIES)?;
        let updated = rfc3339(archive.built_at());
        let search_url = if feed_query.is_empty() { format!("{base}/search") } else { format!("{base}/search?{feed_query}") };
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
        let title = if request.q.is_empty() { "Casebook".to_string() } else { format!("Casebook: {}", request.q) };
        xml.push_str(&format!(
            "  <title>{}</title>\n  <id>{}</id>\n  <updated>{updated}</updated>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&title),
            escape(&search_url),
            escape(&search_url)
        ));
        for hit in response.hits {
            let url = format!("{base}/cases/{}", hit.case.id);
            xml.push_str(&format!(
                "  <entry>\n    <title>{}</title>\n    <id>{}</id>\n    <link href=\"{}\"/>\n    <updated>{updated}</updated>\n    <author><name>{}</name></author>\n    <category term=\"{}\"/>\n    <summary>{}</summary>\n  </entry>\n",
                escape(&hit.case.title),
                escape(&url),
                escape(&url),
                escape(&hit.case.organisation),
                hit.case.year,
                escape(&hit.case.summary)
            ));
        }
        xml.push_str("</feed>\n");
        Ok(xml)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response())
}

/// A CSV field: quoted when needed, and neutralised when a spreadsheet would read it as a
/// formula (`=`, `+`, `-`, `@` first).
pub(crate) fn csv_field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    if value.contains([',', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// `GET /search.csv`: every matching case (up to 10,000), one row each.
pub async fn csv(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Result<Response, AppError> {
    let request = params::parse_search(&params::pairs(query.as_deref())).map_err(AppError::from)?;
    let archive = state.archive();
    let base = state.public_url.clone();
    let body = blocking(move || {
        let response = archive.export(&request, MAX_EXPORT_ROWS)?;
        let mut out = String::from("id,title,organisation,year,sectors,region,city,award,url\n");
        for hit in response.hits {
            let sectors = hit.case.sectors.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(";");
            let row = [
                hit.case.id.clone(),
                hit.case.title,
                hit.case.organisation,
                hit.case.year.to_string(),
                sectors,
                hit.case.region.label,
                hit.case.city.unwrap_or_default(),
                hit.case.award,
                format!("{base}/cases/{}", hit.case.id),
            ];
            out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        Ok(out)
    })
    .await?;
    let mut response = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"casebook-search.csv\""));
    Ok(response)
}

/// `GET /sitemap.xml`: the home page and every case page.
pub async fn sitemap(State(state): State<Arc<AppState>>) -> Response {
    let base = &state.public_url;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    xml.push_str(&format!("  <url><loc>{}/</loc></url>\n", escape(base)));
    for id in state.archive().case_ids() {
        xml.push_str(&format!("  <url><loc>{}/cases/{}</loc></url>\n", escape(base), escape(&id)));
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response()
}

/// `GET /robots.txt`.
pub async fn robots(State(state): State<Arc<AppState>>) -> Response {
    let body = format!(
        "User-agent: *\nAllow: /\nDisallow: /api/\nDisallow: /search.csv\nDisallow: /search.atom\nSitemap: {}/sitemap.xml\n",
        state.public_url
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

/// The health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when the store does not answer (the archive still searches, so
    /// the status stays 200 and a load balancer keeps the server in rotation).
    pub status: &'static str,
    /// Cases in the index being served.
    pub cases: u64,
    /// The generation being served.
    pub generation: String,
    /// Seconds since that generation was built.
    pub index_age_seconds: u64,
    /// `ok` when the store answered `SELECT 1` within 2 seconds, else `error`.
    pub store: &'static str,
    /// The response cache.
    pub cache: CacheHealth,
}

/// The response cache in the health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CacheHealth {
    /// Whether it is on (`--no-cache` turns it off).
    pub enabled: bool,
    /// Answers served from it since start.
    pub hits: u64,
    /// Lookups that found nothing since start.
    pub misses: u64,
    /// Hits over lookups, 0 to 1 (0 before any lookup).
    pub hit_rate: f64,
    /// Answers held now.
    pub entries: u64,
    /// Estimated bytes held now.
    pub bytes: u64,
}

/// How long `/healthz` waits for the store.
const STORE_CHECK: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /healthz`.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Json<Health> {
    let archive = state.archive();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let store = Arc::clone(&state.store);
    let check = tokio::time::timeout(STORE_CHECK, blocking(move || Ok(store.ping()?))).await;
    let store_ok = matches!(check, Ok(Ok(())));
    if !store_ok {
        tracing::warn!("health check: the store does not answer");
    }
    Json(Health {
        status: if store_ok { "ok" } else { "degraded" },
        cases: archive.case_count(),
        generation: archive.generation_name(),
        index_age_seconds: now.saturating_sub(archive.built_at()),
        store: if store_ok { "ok" } else { "error" },
        cache: {
            let stats = state.cache.stats();
            CacheHealth {
                enabled: stats.enabled,
                hits: stats.hits,
                misses: stats.misses,
                hit_rate: stats.hit_rate(),
                entries: stats.entries,
                bytes: stats.bytes,
            }
        },
    })
}

/// `GET /metrics`: the Prometheus text format, for loopback clients (a request forwarded by a
/// proxy is not one, whatever its peer) or with `Authorization: Bearer <metrics token>`.
pub async fn metrics(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let forwarded = headers.contains_key("x-forwarded-for") || headers.contains_key("forwarded");
    let local = peer.ip().is_loopback() && !forwarded;
    let token_ok = state.config.metrics_token.as_deref().is_some_and(|expected| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| casebook_store::constant_time_eq(given.trim().as_bytes(), expected.as_bytes()))
    });
    if !local && !token_ok {
        return Err(AppError::forbidden(
            "`/metrics` answers loopback clients, or others with the metrics token (`--metrics-token`)",
        ));
    }
    let archive = state.archive();
    let generation = archive.generation_name().trim_start_matches("gen-").parse().unwrap_or(0);
    let gauges = crate::metrics::IndexGauges {
        generation,
        cases: archive.case_count(),
        in_flight: state.guard.requests_in_flight(),
    };
    let pool = state.store.pool_status();
    let store = crate::metrics::StoreGauges {
        backend: pool.backend,
        size: pool.size as u64,
        in_use: pool.in_use as u64,
        errors: pool.errors,
    };
    let mut text = state.metrics.render(gauges, store);
    text.push_str(&state.cache.render_metrics());
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }

    #[test]
    fn times_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_780_800), "2026-11-27T12:00:00Z");
    }
}
