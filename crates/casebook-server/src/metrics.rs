//! The service's own counters in the Prometheus text format (`GET /metrics`): requests by
//! route and status, latency histograms, refusals, requests in flight, the index generation
//! being served and its reloads, the store's connections and errors. Counting costs a few atomic additions per request; routes
//! are the route table's templates (`/cases/{id}`), so the set of series stays bounded. A
//! leaf: nothing of the server.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The counters of one route.
#[derive(Debug, Default)]
struct RouteCounters {
    /// Answers by status code.
    statuses: RwLock<BTreeMap<u16, AtomicU64>>,
    /// Answers per latency bucket (cumulative when rendered); the last slot is `+Inf`.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// Sum of latencies, in microseconds.
    sum_micros: AtomicU64,
}

impl RouteCounters {
    fn record(&self, status: u16, latency: Duration) {
        let counted = self
            .statuses
            .read()
            .ok()
            .and_then(|statuses| statuses.get(&status).map(|counter| counter.fetch_add(1, Ordering::Relaxed)));
        if counted.is_none()
            && let Ok(mut statuses) = self.statuses.write()
        {
            statuses.entry(status).or_default().fetch_add(1, Ordering::Relaxed);
        }
        let seconds = latency.as_secs_f64();
        let slot = BUCKETS.iter().position(|bound| seconds <= *bound).unwrap_or(BUCKETS.len());
        self.buckets[slot].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add(latency.as_micros() as u64, Ordering::Relaxed);
    }
}

/// What the index being served looks like, read when the metrics are rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct IndexGauges {
    /// The generation number (`gen-000007` is 7).
    pub generation: u64,
    /// Cases in it.
    pub cases: u64,
    /// Requests being handled now.
    pub in_flight: usize,
}

/// The store's connections, read when the metrics are rendered.
#[derive(Debug, Clone, Copy, Default)]
pub struct StoreGauges {
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// Connections the store may hold (SQLite: 1; PostgreSQL: the pool size).
    pub size: u64,
    /// Connections busy with a store call now.
    pub in_use: u64,
    /// Database operations that failed since the start.
    pub errors: u64,
}

/// Every counter of the service.
#[derive(Debug, Default)]
pub struct Metrics {
    routes: RwLock<BTreeMap<String, RouteCounters>>,
    reloads: AtomicU64,
    last_reload: AtomicU64,
}

impl Metrics {
    /// Counts an answer of `route` (a route template, or `unmatched`).
    pub fn record(&self, route: &str, status: u16, latency: Duration) {
        if let Ok(routes) = self.routes.read()
            && let Some(counters) = routes.get(route)
        {
            counters.record(status, latency);
            return;
        }
        if let Ok(mut routes) = self.routes.write() {
            routes.entry(route.to_string()).or_default().record(status, latency);
        }
    }

    /// Counts a switch to a new index generation at `unix_seconds`.
    pub fn reloaded(&self, unix_seconds: u64) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
        self.last_reload.store(unix_seconds, Ordering::Relaxed);
    }

    /// The metrics in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, index: IndexGauges, store: StoreGauges) -> String {
        let mut out = String::new();
        let routes = match self.routes.read() {
            Ok(routes) => routes,
            Err(poisoned) => poisoned.into_inner(),
        };
        let _ = writeln!(out, "# HELP casebook_http_requests_total Requests answered, by route and status.");
        let _ = writeln!(out, "# TYPE casebook_http_requests_total counter");
        let mut refused: BTreeMap<u16, u64> = BTreeMap::new();
        for (route, counters) in routes.iter() {
            let statuses = match counters.statuses.read() {
                Ok(statuses) => statuses,
                Err(poisoned) => poisoned.into_inner(),
            };
            for (status, count) in statuses.iter() {
                let count = count.load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "casebook_http_requests_total{{route=\"{}\",status=\"{status}\"}} {count}",
                    label(route)
                );
                if matches!(status, 429 | 503) {
                    *refused.entry(*status).or_default() += count;
                }
            }
        }
        let _ = writeln!(out, "# HELP casebook_http_request_duration_seconds Time to answer, by route.");
        let _ = writeln!(out, "# TYPE casebook_http_request_duration_seconds histogram");
        for (route, counters) in routes.iter() {
            let route = label(route);
            let mut cumulative = 0;
            for (slot, bound) in BUCKETS.iter().enumerate() {
                cumulative += counters.buckets[slot].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "casebook_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += counters.buckets[BUCKETS.len()].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "casebook_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}"
            );
            let sum = counters.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            let _ = writeln!(out, "casebook_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}");
            let _ = writeln!(out, "casebook_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}");
        }
        let _ = writeln!(
            out,
            "# HELP casebook_http_requests_refused_total Requests refused: 429 over a client's rate, 503 overloaded or over the deadline."
        );
        let _ = writeln!(out, "# TYPE casebook_http_requests_refused_total counter");
        for status in [429, 503] {
            let count = refused.get(&status).copied().unwrap_or(0);
            let _ = writeln!(out, "casebook_http_requests_refused_total{{status=\"{status}\"}} {count}");
        }
        let gauges = [
            ("casebook_http_requests_in_flight", "Requests being handled now.", "gauge", index.in_flight as u64),
            ("casebook_index_generation", "The index generation being served.", "gauge", index.generation),
            ("casebook_index_cases", "Cases in the index being served.", "gauge", index.cases),
            (
                "casebook_index_reloads_total",
                "Switches to a newly published index generation.",
                "counter",
                self.reloads.load(Ordering::Relaxed),
            ),
            (
                "casebook_index_last_reload_timestamp_seconds",
                "When the last switch happened (Unix time; 0 if none since start).",
                "gauge",
                self.last_reload.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, kind, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        let store_gauges = [
            (
                "casebook_store_connections",
                "Connections the store may hold open (SQLite: 1; PostgreSQL: the pool size).",
                "gauge",
                store.size,
            ),
            ("casebook_store_connections_in_use", "Store connections busy with a call now.", "gauge", store.in_use),
            ("casebook_store_errors_total", "Database operations that failed.", "counter", store.errors),
        ];
        for (name, help, kind, value) in store_gauges {
            let backend = label(store.backend);
            let _ =
                writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{{backend=\"{backend}\"}} {value}");
        }
        out
    }
}

/// A label value escaped for the text format.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_the_text_format_with_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.record("/api/search", 200, Duration::from_micros(800));
        metrics.record("/api/search", 200, Duration::from_millis(30));
        metrics.record("/api/search", 429, Duration::from_micros(50));
        metrics.reloaded(1_800_000_000);
        let store = StoreGauges { backend: "postgres", size: 8, in_use: 2, errors: 3 };
        let text = metrics.render(IndexGauges { generation: 7, cases: 84, in_flight: 1 }, store);
        assert!(text.contains("casebook_http_requests_total{route=\"/api/search\",status=\"200\"} 2\n"), "{text}");
        assert!(text.contains("casebook_http_requests_total{route=\"/api/search\",status=\"429\"} 1\n"));
        assert!(text.contains("casebook_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"0.001\"} 2\n"));
        assert!(text.contains("casebook_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"0.025\"} 2\n"));
        assert!(text.contains("casebook_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"0.05\"} 3\n"));
        assert!(text.contains("casebook_http_request_duration_seconds_count{route=\"/api/search\"} 3\n"));
        assert!(text.contains("casebook_http_requests_refused_total{status=\"429\"} 1\n"));
        assert!(text.contains("casebook_http_requests_refused_total{status=\"503\"} 0\n"));
        assert!(text.contains("casebook_index_generation 7\n"));
        assert!(text.contains("casebook_index_reloads_total 1\n"));
        assert!(text.contains("casebook_index_last_reload_timestamp_seconds 1800000000\n"));
        assert!(text.contains("casebook_store_connections{backend=\"postgres\"} 8\n"));
        assert!(text.contains("casebook_store_connections_in_use{backend=\"postgres\"} 2\n"));
        assert!(text.contains(
            "# TYPE casebook_store_errors_total counter\ncasebook_store_errors_total{backend=\"postgres\"} 3\n"
        ));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
