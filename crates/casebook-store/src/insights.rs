//! Insights for organisers: what the archive is used for, counted per day without any
//! personal data. A search is kept as its normalised query text, its normalised filters and
//! its result count; a page view as the case id or showcase slug. Recording adds to the
//! day's counters (one transaction per batch); reading sums a range of days; pruning drops
//! the days older than the retention. The SQL is plain (`ON CONFLICT ... DO UPDATE` is also
//! PostgreSQL's).

use rusqlite::params;
use serde::Serialize;

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
        let mut connection = self.lock();
        let tx = connection.transaction()?;
        {
            let mut search = tx.prepare(
                "INSERT INTO insight_searches (day, query, filters, searches, results) VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT (day, query, filters) DO UPDATE SET searches = searches + 1, results = excluded.results",
            )?;
            let mut view = tx.prepare(
                "INSERT INTO insight_views (day, kind, target, views) VALUES (?1, ?2, ?3, 1)
                 ON CONFLICT (day, kind, target) DO UPDATE SET views = views + 1",
            )?;
            for event in events {
                match event {
                    InsightEvent::Search { day, query, filters, results } => {
                        let results = i64::try_from(*results).unwrap_or(i64::MAX);
                        search.execute(params![day, cut(query), cut(filters), results])?;
                    }
                    InsightEvent::View { day, kind, target } => {
                        view.execute(params![day, kind.as_str(), cut(target)])?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes the counters of the days before `first_kept_day`; returns the rows deleted.
    pub fn prune_insights(&self, first_kept_day: i64) -> Result<usize> {
        let connection = self.lock();
        let searches = connection.execute("DELETE FROM insight_searches WHERE day < ?1", [first_kept_day])?;
        let views = connection.execute("DELETE FROM insight_views WHERE day < ?1", [first_kept_day])?;
        Ok(searches + views)
    }

    /// The insights of the days `from..=to`, each list at most `limit` long.
    pub fn insight_report(&self, from: i64, to: i64, limit: usize) -> Result<InsightReport> {
        let connection = self.lock();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut report = InsightReport::default();
        let mut statement = connection.prepare(
            "SELECT day, SUM(searches) FROM insight_searches WHERE day BETWEEN ?1 AND ?2 GROUP BY day ORDER BY day",
        )?;
        report.searches_per_day = statement
            .query_map(params![from, to], |row| Ok(DayCount { day: row.get(0)?, searches: count(row.get(1)?) }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        report.searches = report.searches_per_day.iter().map(|d| d.searches).sum();

        let mut statement = connection.prepare(
            "SELECT query, SUM(searches), MAX(results) FROM insight_searches
             WHERE day BETWEEN ?1 AND ?2 AND query <> '' GROUP BY query ORDER BY 2 DESC, query LIMIT ?3",
        )?;
        report.top_queries = statement
            .query_map(params![from, to, limit], |row| {
                Ok(QueryCount {
                    query: row.get(0)?,
                    filters: String::new(),
                    searches: count(row.get(1)?),
                    results: count(row.get(2)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        let mut statement = connection.prepare(
            "SELECT query, filters, SUM(searches) FROM insight_searches
             WHERE day BETWEEN ?1 AND ?2 GROUP BY query, filters HAVING MAX(results) = 0
             ORDER BY 3 DESC, query, filters LIMIT ?3",
        )?;
        report.zero_result_queries = statement
            .query_map(params![from, to, limit], |row| {
                Ok(QueryCount { query: row.get(0)?, filters: row.get(1)?, searches: count(row.get(2)?), results: 0 })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;

        let mut statement = connection.prepare(
            "SELECT filters, SUM(searches) FROM insight_searches
             WHERE day BETWEEN ?1 AND ?2 AND filters <> '' GROUP BY filters",
        )?;
        let mut filters: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        for row in statement.query_map(params![from, to], |row| Ok((row.get::<_, String>(0)?, count(row.get(1)?))))? {
            let (combination, searches) = row?;
            for filter in combination.split('&').filter(|f| !f.is_empty()) {
                *filters.entry(filter.to_string()).or_default() += searches;
            }
        }
        let mut top_filters: Vec<FilterCount> =
            filters.into_iter().map(|(filter, searches)| FilterCount { filter, searches }).collect();
        top_filters.sort_by(|a, b| b.searches.cmp(&a.searches).then_with(|| a.filter.cmp(&b.filter)));
        top_filters.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        report.top_filters = top_filters;

        let mut statement = connection.prepare(
            "SELECT target, SUM(views) FROM insight_views WHERE day BETWEEN ?1 AND ?2 AND kind = ?3
             GROUP BY target ORDER BY 2 DESC, target LIMIT ?4",
        )?;
        for kind in [ViewKind::Case, ViewKind::Showcase] {
            let views = statement
                .query_map(params![from, to, kind.as_str(), limit], |row| {
                    Ok(ViewCount { target: row.get(0)?, views: count(row.get(1)?) })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            match kind {
                ViewKind::Case => report.top_cases = views,
                ViewKind::Showcase => report.top_showcases = views,
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(day: i64, query: &str, filters: &str, results: u64) -> InsightEvent {
        InsightEvent::Search { day, query: query.into(), filters: filters.into(), results }
    }

    #[test]
    fn counts_add_up_per_day_and_old_days_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("casebook.db")).unwrap();
        let mut events = vec![search(100, "telemedicina", "", 4); 5];
        events.push(search(101, "quokka", "region=ITC4", 0));
        events.push(search(101, "quokka", "region=ITC4", 0));
        events.push(search(101, "", "region=ITC4&sector=health", 3));
        events.push(InsightEvent::View { day: 101, kind: ViewKind::Case, target: "a".into() });
        events.push(InsightEvent::View { day: 101, kind: ViewKind::Case, target: "a".into() });
        events.push(InsightEvent::View { day: 99, kind: ViewKind::Showcase, target: "s".into() });
        store.record_insights(&events).unwrap();

        let report = store.insight_report(100, 101, 10).unwrap();
        assert_eq!(report.searches, 8);
        assert_eq!(report.searches_per_day, [DayCount { day: 100, searches: 5 }, DayCount { day: 101, searches: 3 }]);
        assert_eq!(
            report.top_queries[0],
            QueryCount { query: "telemedicina".into(), filters: String::new(), searches: 5, results: 4 }
        );
        assert_eq!(report.top_queries.len(), 2, "a browse without text is not a query");
        assert_eq!(
            report.zero_result_queries,
            [QueryCount { query: "quokka".into(), filters: "region=ITC4".into(), searches: 2, results: 0 }]
        );
        assert_eq!(report.top_filters[0], FilterCount { filter: "region=ITC4".into(), searches: 3 });
        assert_eq!(report.top_filters[1], FilterCount { filter: "sector=health".into(), searches: 1 });
        assert_eq!(report.top_cases, [ViewCount { target: "a".into(), views: 2 }]);
        assert!(report.top_showcases.is_empty(), "day 99 is outside the range");

        assert_eq!(store.prune_insights(101).unwrap(), 2);
        assert_eq!(store.insight_report(0, 200, 10).unwrap().searches, 3);
    }
}
