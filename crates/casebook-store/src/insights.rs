//! Insights for organisers: what the archive is used for, counted per day without any
//! personal data. A search is kept as its normalised query text, its normalised filters and
//! its result count; a page view as the case id or showcase slug. Recording adds to the
//! day's counters (one transaction per batch); reading sums a range of days; pruning drops
//! the days older than the retention. The SQL is plain (`ON CONFLICT ... DO UPDATE` is also
//! PostgreSQL's; sums are cast to BIGINT, which PostgreSQL would otherwise widen to NUMERIC).

use serde::Serialize;

use crate::db::params;
use crate::{Result, Store};

/// What a page view was of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewKind {
    /// A case page.
    Case,
    /// A public showcase page.
    Showcase,
}

impl ViewKind {
    fn as_str(self) -> &'static str {
        match self {
            ViewKind::Case => "case",
            ViewKind::Showcase => "showcase",
        }
    }
}

/// One thing that happened, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsightEvent {
    /// A search.
    Search {
        /// Day, counted from 1970-01-01.
        day: i64,
        /// Normalised query text (may be empty: a browse).
        query: String,
        /// Normalised filters (`region=ITC4&sector=health`; empty: none).
        filters: String,
        /// Number of results.
        results: u64,
    },
    /// A page view.
    View {
        /// Day, counted from 1970-01-01.
        day: i64,
        /// Case or showcase.
        kind: ViewKind,
        /// Case id or showcase slug.
        target: String,
    },
}

/// Searches on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayCount {
    /// Day, counted from 1970-01-01.
    pub day: i64,
    /// Searches.
    pub searches: u64,
}

/// A query with how often it was searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueryCount {
    /// Normalised query text.
    pub query: String,
    /// Normalised filters (zero-result queries only; empty otherwise).
    pub filters: String,
    /// Times searched.
    pub searches: u64,
    /// Most results it had in the period.
    pub results: u64,
}

/// A filter value (`sector=health`) with how often searches used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterCount {
    /// `name=value`.
    pub filter: String,
    /// Searches that used it.
    pub searches: u64,
}

/// A case or showcase with its page views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ViewCount {
    /// Case id or showcase slug.
    pub target: String,
    /// Views.
    pub views: u64,
}

/// The insights of a range of days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct InsightReport {
    /// Searches per day, only days with searches, oldest first.
    pub searches_per_day: Vec<DayCount>,
    /// All searches in the range.
    pub searches: u64,
    /// Most searched query texts (browses without text are not listed).
    pub top_queries: Vec<QueryCount>,
    /// Query texts with their filters that never had a result in the range.
    pub zero_result_queries: Vec<QueryCount>,
    /// Most used filter values.
    pub top_filters: Vec<FilterCount>,
    /// Most viewed cases.
    pub top_cases: Vec<ViewCount>,
    /// Most viewed showcases.
    pub top_showcases: Vec<ViewCount>,
}

/// Longest query text or filter string kept, in characters (longer ones are cut).
pub const MAX_INSIGHT_TEXT: usize = 200;

fn cut(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(MAX_INSIGHT_TEXT).collect()
}

fn count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// Adds a batch of events to the day counters, in one transaction.
    pub fn record_insights(&self, events: &[InsightEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            for event in events {
                match event {
                    InsightEvent::Search { day, query, filters, results } => {
                        let results = i64::try_from(*results).unwrap_or(i64::MAX);
                        tx.execute(
                            "INSERT INTO insight_searches (day, query, filters, searches, results) VALUES (?1, ?2, ?3, 1, ?4)
                             ON CONFLICT (day, query, filters)
                             DO UPDATE SET searches = insight_searches.searches + 1, results = excluded.results",
                            params![day, cut(query), cut(filters), results],
                        )?;
                    }
                    InsightEvent::View { day, kind, target } => {
                        tx.execute(
                            "INSERT INTO insight_views (day, kind, target, views) VALUES (?1, ?2, ?3, 1)
                             ON CONFLICT (day, kind, target) DO UPDATE SET views = insight_views.views + 1",
                            params![day, kind.as_str(), cut(target)],
                        )?;
                    }
                }
            }
            Ok(())
        })
    }

    /// Deletes the counters of the days before `first_kept_day`; returns the rows deleted.
    pub fn prune_insights(&self, first_kept_day: i64) -> Result<usize> {
        self.run(|conn| {
            let searches = conn.execute("DELETE FROM insight_searches WHERE day < ?1", params![first_kept_day])?;
            let views = conn.execute("DELETE FROM insight_views WHERE day < ?1", params![first_kept_day])?;
            Ok((searches + views) as usize)
        })
    }

    /// The insights of the days `from..=to`, each list at most `limit` long.
    pub fn insight_report(&self, from: i64, to: i64, limit: usize) -> Result<InsightReport> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            let mut report = InsightReport::default();
            report.searches_per_day = conn
                .query(
                    "SELECT day, CAST(SUM(searches) AS BIGINT) FROM insight_searches WHERE day BETWEEN ?1 AND ?2
                     GROUP BY day ORDER BY day",
                    params![from, to],
                )?
                .iter()
                .map(|row| Ok(DayCount { day: row.get(0)?, searches: count(row.get(1)?) }))
                .collect::<Result<_>>()?;
            report.searches = report.searches_per_day.iter().map(|d| d.searches).sum();

            report.top_queries = conn
                .query(
                    "SELECT query, CAST(SUM(searches) AS BIGINT), MAX(results) FROM insight_searches
                     WHERE day BETWEEN ?1 AND ?2 AND query <> '' GROUP BY query ORDER BY 2 DESC, query LIMIT ?3",
                    params![from, to, limit],
                )?
                .iter()
                .map(|row| {
                    Ok(QueryCount {
                        query: row.get(0)?,
                        filters: String::new(),
                        searches: count(row.get(1)?),
                        results: count(row.get(2)?),
                    })
                })
                .collect::<Result<_>>()?;

            report.zero_result_queries = conn
                .query(
                    "SELECT query, filters, CAST(SUM(searches) AS BIGINT) FROM insight_searches
                     WHERE day BETWEEN ?1 AND ?2 GROUP BY query, filters HAVING MAX(results) = 0
                     ORDER BY 3 DESC, query, filters LIMIT ?3",
                    params![from, to, limit],
                )?
                .iter()
                .map(|row| {
                    Ok(QueryCount {
                        query: row.get(0)?,
                        filters: row.get(1)?,
                        searches: count(row.get(2)?),
                        results: 0,
                    })
                })
                .collect::<Result<_>>()?;

            let mut filters: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
            for row in conn.query(
                "SELECT filters, CAST(SUM(searches) AS BIGINT) FROM insight_searches
                 WHERE day BETWEEN ?1 AND ?2 AND filters <> '' GROUP BY filters",
                params![from, to],
            )? {
                let (combination, searches): (String, u64) = (row.get(0)?, count(row.get(1)?));
                for filter in combination.split('&').filter(|f| !f.is_empty()) {
                    *filters.entry(filter.to_string()).or_default() += searches;
                }
            }
            let mut top_filters: Vec<FilterCount> =
                filters.into_iter().map(|(filter, searches)| FilterCount { filter, searches }).collect();
            top_filters.sort_by(|a, b| b.searches.cmp(&a.searches).then_with(|| a.filter.cmp(&b.filter)));
            top_filters.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            report.top_filters = top_filters;

            for kind in [ViewKind::Case, ViewKind::Showcase] {
                let views = conn
                    .query(
                        "SELECT target, CAST(SUM(views) AS BIGINT) FROM insight_views
                         WHERE day BETWEEN ?1 AND ?2 AND kind = ?3
                         GROUP BY target ORDER BY 2 DESC, target LIMIT ?4",
                        params![from, to, kind.as_str(), limit],
                    )?
                    .iter()
                    .map(|row| Ok(ViewCount { target: row.get(0)?, views: count(row.get(1)?) }))
                    .collect::<Result<Vec<_>>>()?;
                match kind {
                    ViewKind::Case => report.top_cases = views,
                    ViewKind::Showcase => report.top_showcases = views,
                }
            }
            Ok(report)
        })
    }
}
