//! Shared state: the configuration, the open index generation (swapped when a new one is
//! published), the store, the limits' counters, the insights recorder, the response cache;
//! [`blocking`], the way handlers run index and database work off the async runtime, and
//! [`AppState::searching`], the queue in front of the search core.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use casebook_index::{Archive, IndexError};
use casebook_store::{Location, Store};

use crate::cache::ResponseCache;
use crate::error::AppError;
use crate::insights::Insights;
use crate::limits::{Guard, Limits};
use crate::metrics::Metrics;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Index folder.
    pub index: PathBuf,
    /// Corpus folder, re-indexed on change when `watch` is set.
    pub corpus: PathBuf,
    /// Rebuild the index when the corpus changes.
    pub watch: bool,
    /// Absolute base URL used in feeds and the sitemap (`https://archive.example.org`).
    pub public_url: Option<String>,
    /// How often the index folder (and with `watch`, the corpus) is checked for changes.
    pub poll_interval: Duration,
    /// The store of accounts, sessions, tokens and showcases: a SQLite file or a PostgreSQL
    /// database that several servers share.
    pub db: Location,
    /// Overload and abuse limits.
    pub limits: Limits,
    /// A bearer token that lets clients other than loopback read `/metrics` (none: loopback
    /// only).
    pub metrics_token: Option<String>,
    /// Bound of the response cache in bytes (`--cache-mb`; 0 turns it off: `--no-cache`).
    pub cache_bytes: usize,
    /// Record insights for organisers (`--insights off` turns it off).
    pub insights: bool,
    /// Days of insights kept (`--insights-retention-days`).
    pub insights_retention_days: u32,
}

/// What every handler sees.
pub struct AppState {
    /// Configuration.
    pub config: ServerConfig,
    /// Base URL for absolute links, without a trailing slash.
    pub public_url: String,
    /// Accounts, sessions, tokens, showcases.
    pub store: Arc<Store>,
    /// Requests in flight and the clients' rate-limit buckets.
    pub guard: Guard,
    /// Counters exposed at `/metrics`.
    pub metrics: Metrics,
    /// The insights recorder (a bounded queue to the store).
    pub insights: Arc<Insights>,
    /// Answers of the generation being served, emptied when a new one is published.
    pub cache: ResponseCache,
    archive: RwLock<Arc<Archive>>,
    /// Places for the search core's work, four per core (see [`AppState::searching`]).
    search_places: Arc<tokio::sync::Semaphore>,
    /// Held while a reload checks and opens a generation, so that two reloads (the loop and
    /// `--watch`) never open and count the same one twice.
    reloading: std::sync::Mutex<()>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("config", &self.config).finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens the live generation of the index and the database.
    pub fn open(config: ServerConfig, bound: SocketAddr) -> Result<Self, crate::ServeError> {
        let archive = Archive::open(&config.index)?;
        let store = Store::connect(&config.db)
            .map_err(|source| crate::ServeError::Store { location: config.db.clone(), source })?;
        let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{bound}"));
        Ok(AppState {
            public_url: public_url.trim_end_matches('/').to_string(),
            guard: Guard::new(&config.limits),
            metrics: Metrics::default(),
            insights: Arc::new(Insights::new(config.insights, config.insights_retention_days)),
            cache: ResponseCache::new(config.cache_bytes, archive.generation()),
            config,
            store: Arc::new(store),
            archive: RwLock::new(Arc::new(archive)),
            search_places: Arc::new(tokio::sync::Semaphore::new(search_places())),
            reloading: std::sync::Mutex::new(()),
        })
    }

    /// Whether the site is served over HTTPS (then cookies are `Secure`).
    pub fn https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The generation being served. Requests keep the `Arc` they took, so a reload never
    /// pulls an index from under a request in flight.
    pub fn archive(&self) -> Arc<Archive> {
        match self.archive.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Runs `work` (the search core's CPU-bound work) on the blocking pool once one of the
    /// places for searches is free; requests wait for one in arrival order.
    pub async fn searching<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let place = Arc::clone(&self.search_places).acquire_owned().await.ok();
        tokio::task::spawn_blocking(move || {
            let _place = place;
            work()
        })
        .await?
    }

    /// Opens the live generation if it is not the one being served. Returns whether it
    /// switched. On error the current generation keeps serving.
    pub fn reload_if_changed(&self) -> Result<bool, IndexError> {
        let _one_at_a_time = match self.reloading.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let live = Archive::live_generation(&self.config.index)?;
        if live == self.archive().generation() {
            return Ok(false);
        }
        let archive = Archive::open_generation(&live)?;
        tracing::info!(generation = %live.display(), cases = archive.case_count(), "serving a new index generation");
        // The cache keeps answers of the generation it was reset to: the old one's are dropped.
        self.cache.reset(archive.generation());
        match self.archive.write() {
            Ok(mut guard) => *guard = Arc::new(archive),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(archive),
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.metrics.reloaded(now);
        Ok(true)
    }
}

/// Places for searches running at once: four per core. A search is pure CPU work: with 64
/// at once on 2 cores each takes 32 times as long (a slow one holds its client for its cost
/// times the crowd) and they evict each other's data from the caches; the others wait in a
/// first-come queue instead. Four per core rather than one, so that a core never waits for
/// the next search to be handed over (measured at 100k cases, 64 connections: one per core
/// 1,440 req/s, p99 67 ms; four 2,000 req/s, p99 57 ms; no bound 1,600 req/s, p99 160 ms).
fn search_places() -> usize {
    4 * std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs blocking index or database work off the async runtime.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await?
}
