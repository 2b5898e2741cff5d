//! Recording what the archive is used for, without slowing a request and without personal
//! data: a handler hands an event (a search's normalised query text, filters and result
//! count; a case or showcase page view) to a bounded in-memory queue and returns at once;
//! when the queue is full the event is dropped and counted, never waited for. One task
//! ([`insights_loop`]) writes the queue to the store in batches, so an event is in the
//! store about a second later, and prunes the days older than the retention. Nothing about
//! the visitor is recorded: no address, cookie, session, user agent or time of day.
//! A leaf: nothing of the server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use casebook_index::{SearchRequest, SearchResponse};
use casebook_store::{InsightEvent, Store, ViewKind};
use tokio::sync::mpsc;

/// Events the queue holds before new ones are dropped.
pub const QUEUE_CAPACITY: usize = 4096;
/// Most events written in one transaction.
const BATCH: usize = 512;
/// Pause between batches, so that events arriving together are written together.
const BATCH_PAUSE: Duration = Duration::from_millis(250);
/// How often old days are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The recorder every handler reaches through the state.
#[derive(Debug)]
pub struct Insights {
    sender: Option<mpsc::Sender<InsightEvent>>,
    receiver: Mutex<Option<mpsc::Receiver<InsightEvent>>>,
    dropped: AtomicU64,
    /// Days kept.
    pub retention_days: u32,
}

/// Today, counted in days from 1970-01-01 (UTC).
pub fn today() -> i64 {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    (seconds / 86_400) as i64
}

/// A query text as recorded: spaces collapsed, lowercase.
pub fn normalise_query(q: &str) -> String {
    casebook_corpus::text::squash_spaces(q).to_lowercase()
}

/// The filters of a search as recorded: each selected value in its canonical form (the
/// facet value the response marks selected), `name=value` pairs sorted and joined with `&`.
pub fn normalise_filters(request: &SearchRequest, response: &SearchResponse) -> String {
    let facets = &response.facets;
    let mut pairs: Vec<String> = Vec::new();
    let mut selected = |name: &str, values: &[casebook_index::FacetValue]| {
        for value in values {
            if value.selected {
                pairs.push(format!("{name}={}", value.value));
            }
            for child in value.children.iter().flatten().filter(|c| c.selected) {
                pairs.push(format!("{name}={}", child.value));
            }
        }
    };
    selected("sector", &facets.sector);
    selected("region", &facets.region);
    selected("award", &facets.award);
    selected("language", &facets.language);
    selected("organisation", &facets.organisation);
    match (request.year, request.year_from, request.year_to) {
        (Some(year), _, _) => pairs.push(format!("year={year}")),
        (None, from, to) => {
            pairs.extend(from.map(|y| format!("year_from={y}")));
            pairs.extend(to.map(|y| format!("year_to={y}")));
        }
    }
    pairs.sort();
    pairs.dedup();
    pairs.join("&")
}

impl Insights {
    /// A recorder; `enabled: false` records nothing.
    pub fn new(enabled: bool, retention_days: u32) -> Self {
        let (sender, receiver) = if enabled {
            let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
            (Some(sender), Some(receiver))
        } else {
            (None, None)
        };
        Insights { sender, receiver: Mutex::new(receiver), dropped: AtomicU64::new(0), retention_days }
    }

    /// Whether events are recorded.
    pub fn enabled(&self) -> bool {
        self.sender.is_some()
    }

    /// Events dropped because the queue was full (or the writer gone) since the start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The first day kept.
    pub fn first_kept_day(&self) -> i64 {
        today() - i64::from(self.retention_days.max(1)) + 1
    }

    fn send(&self, event: InsightEvent) {
        if let Some(sender) = &self.sender
            && sender.try_send(event).is_err()
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Records a search and its result count.
    pub fn search(&self, request: &SearchRequest, response: &SearchResponse) {
        if !self.enabled() {
            return;
        }
        self.send(InsightEvent::Search {
            day: today(),
            query: normalise_query(&request.q),
            filters: normalise_filters(request, response),
            results: response.total,
        });
    }

    /// Records a page view of a case or a showcase.
    pub fn view(&self, kind: ViewKind, target: &str) {
        if self.enabled() {
            self.send(InsightEvent::View { day: today(), kind, target: target.to_string() });
        }
    }
}

/// Writes queued events to `store` in batches until the queue closes, and prunes the days
/// older than the retention at start and every hour. Does nothing when recording is off.
pub async fn insights_loop(insights: Arc<Insights>, store: Arc<Store>) {
    let receiver = match insights.receiver.lock() {
        Ok(mut guard) => guard.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    };
    let Some(mut receiver) = receiver else { return };
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            let (store, first_kept) = (Arc::clone(&store), insights.first_kept_day());
            match tokio::task::spawn_blocking(move || store.prune_insights(first_kept)).await {
                Ok(Ok(rows)) if rows > 0 => tracing::info!(rows, "insights older than the retention pruned"),
                Ok(Ok(_)) => {}
                Ok(Err(error)) => tracing::warn!(%error, "could not prune insights"),
                Err(error) => tracing::warn!(%error, "could not prune insights"),
            }
            last_prune = Some(std::time::Instant::now());
        }
        let first = tokio::select! {
            event = receiver.recv() => match event {
                Some(event) => event,
                None => return,
            },
            () = tokio::time::sleep(PRUNE_EVERY) => continue,
        };
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match receiver.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        let writer = Arc::clone(&store);
        let count = batch.len();
        match tokio::task::spawn_blocking(move || writer.record_insights(&batch)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, events = count, "could not record insights"),
            Err(error) => tracing::warn!(%error, events = count, "could not record insights"),
        }
        tokio::time::sleep(BATCH_PAUSE).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_drops_and_counts_instead_of_waiting() {
        let insights = Insights::new(true, 365);
        let request = SearchRequest { q: "  Tele  Medicina ".into(), ..Default::default() };
        let response = SearchResponse {
            total: 0,
            took_ms: 0.0,
            page: 1,
            per_page: 10,
            matched_all: 0,
            relaxed: false,
            min_matched_words: 0,
            query_words: 2,
            ranking: casebook_index::Ranking::MatchedWords,
            hits: Vec::new(),
            facets: Default::default(),
            warnings: Vec::new(),
            left_out: None,
        };
        for _ in 0..QUEUE_CAPACITY + 3 {
            insights.search(&request, &response);
        }
        assert_eq!(insights.dropped(), 3);
        let mut receiver = insights.receiver.lock().unwrap().take().unwrap();
        match receiver.try_recv().unwrap() {
            InsightEvent::Search { query, filters, results, .. } => {
                assert_eq!((query.as_str(), filters.as_str(), results), ("tele medicina", "", 0));
            }
            other => panic!("{other:?}"),
        }
        let off = Insights::new(false, 365);
        off.search(&request, &response);
        assert_eq!((off.enabled(), off.dropped()), (false, 0));
    }
}
