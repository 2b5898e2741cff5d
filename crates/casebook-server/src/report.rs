//! The insights report the API (`GET /api/insights`) and the organiser page
//! (`/organiser/insights`) share: the store's counters over the last days, with dates,
//! every day of the period (days without searches count 0), case titles and showcase titles
//! resolved, and for each query the search link that runs it again.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

/// Longest period reported, in days.
pub const MAX_DAYS: u32 = 366;
/// Default period, in days.
pub const DEFAULT_DAYS: u32 = 30;
/// Entries per list.
pub const LIST_LENGTH: usize = 20;

/// Searches on one day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Searches that day.
    pub searches: u64,
}

/// A recorded query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryView {
    /// Normalised query text (empty: a search by filters only).
    pub query: String,
    /// Normalised filters (`region=ITC4&sector=health`; zero-result queries only).
    pub filters: String,
    /// Times searched in the period.
    pub searches: u64,
    /// Most results it had in the period.
    pub results: u64,
    /// The search page that runs it again.
    pub href: String,
}

/// A filter value with its use.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FilterView {
    /// `name=value`.
    pub filter: String,
    /// Searches that used it.
    pub searches: u64,
    /// The search page with this filter.
    pub href: String,
}

/// A viewed case or showcase.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    /// Case id or showcase slug.
    pub id: String,
    /// Its title now (the id when it is no longer there).
    pub title: String,
    /// Page views in the period.
    pub views: u64,
    /// Its page.
    pub href: String,
}

/// What the archive was used for over a period, without personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InsightsView {
    /// Whether the server records insights (`--insights off`: nothing new is recorded).
    pub enabled: bool,
    /// Days reported, ending today.
    pub days: u32,
    /// First day (`YYYY-MM-DD`, UTC).
    pub from: String,
    /// Last day: today.
    pub to: String,
    /// Days kept before they are deleted (`--insights-retention-days`).
    pub retention_days: u32,
    /// Searches in the period.
    pub searches: u64,
    /// Every day of the period, oldest first.
    pub searches_per_day: Vec<DayView>,
    /// Most searched query texts.
    pub top_queries: Vec<QueryView>,
    /// Queries (with their filters) that never found a case in the period.
    pub zero_result_queries: Vec<QueryView>,
    /// Most used filter values.
    pub top_filters: Vec<FilterView>,
    /// Most viewed case pages.
    pub top_cases: Vec<TargetView>,
    /// Most viewed showcase pages.
    pub top_showcases: Vec<TargetView>,
    /// Events dropped since the server started because the queue was full.
    pub dropped_events: u64,
}

/// The `days` parameter: 1 to 366, 30 when absent.
pub fn days(pairs: &[(String, String)]) -> Result<u32, AppError> {
    match crate::params::first(pairs, "days") {
        None => Ok(DEFAULT_DAYS),
        Some(value) => match value.trim().parse::<u32>() {
            Ok(days) if (1..=MAX_DAYS).contains(&days) => Ok(days),
            _ => Err(AppError::invalid(
                "days",
                format!("expected a number of days from 1 to {MAX_DAYS}, found {value:?}"),
            )),
        },
    }
}

/// A day number as `YYYY-MM-DD`.
pub fn date(day: i64) -> String {
    let (year, month, day) = casebook_corpus::civil_date(day);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The search page of a query text and a filter string.
fn search_link(query: &str, filters: &str) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    if !query.is_empty() {
        out.append_pair("q", query);
    }
    for pair in filters.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.append_pair(name, value);
    }
    let query = out.finish();
    if query.is_empty() { "/search".to_string() } else { format!("/search?{query}") }
}

/// The insights of the last `days` days (blocking: reads the store and the archive).
pub fn insights_view(state: &AppState, days: u32) -> Result<InsightsView, AppError> {
    let days = days.clamp(1, MAX_DAYS);
    let to = crate::insights::today();
    let from = to - i64::from(days) + 1;
    let report = state.store.insight_report(from, to, LIST_LENGTH)?;
    let archive = state.archive();
    let per_day: std::collections::HashMap<i64, u64> =
        report.searches_per_day.iter().map(|d| (d.day, d.searches)).collect();
    let query_view = |q: &casebook_store::QueryCount| QueryView {
        href: search_link(&q.query, &q.filters),
        query: q.query.clone(),
        filters: q.filters.clone(),
        searches: q.searches,
        results: q.results,
    };
    let mut top_cases = Vec::with_capacity(report.top_cases.len());
    for case in &report.top_cases {
        let title = archive.case(&case.target)?.map_or_else(|| case.target.clone(), |c| c.record.title);
        top_cases.push(TargetView {
            href: format!("/cases/{}", case.target),
            id: case.target.clone(),
            title,
            views: case.views,
        });
    }
    let mut top_showcases = Vec::with_capacity(report.top_showcases.len());
    for showcase in &report.top_showcases {
        let title = match state.store.showcase(&showcase.target, None) {
            Ok(found) => found.title,
            Err(casebook_store::StoreError::NotFound(_)) => showcase.target.clone(),
            Err(error) => return Err(error.into()),
        };
        top_showcases.push(TargetView {
            href: format!("/showcases/{}", showcase.target),
            id: showcase.target.clone(),
            title,
            views: showcase.views,
        });
    }
    Ok(InsightsView {
        enabled: state.insights.enabled(),
        days,
        from: date(from),
        to: date(to),
        retention_days: state.insights.retention_days,
        searches: report.searches,
        searches_per_day: (from..=to)
            .map(|day| DayView { date: date(day), searches: per_day.get(&day).copied().unwrap_or(0) })
            .collect(),
        top_queries: report.top_queries.iter().map(query_view).collect(),
        zero_result_queries: report.zero_result_queries.iter().map(query_view).collect(),
        top_filters: report
            .top_filters
            .iter()
            .map(|f| FilterView { href: search_link("", &f.filter), filter: f.filter.clone(), searches: f.searches })
            .collect(),
        top_cases,
        top_showcases,
        dropped_events: state.insights.dropped(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_and_links() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(20_454), "2026-01-01");
        assert_eq!(
            super::search_link("energia solare", "region=ITC4&sector=energy"),
            "/search?q=energia+solare&region=ITC4&sector=energy"
        );
        assert_eq!(super::search_link("", ""), "/search");
    }
}
