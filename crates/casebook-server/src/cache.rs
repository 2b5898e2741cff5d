//! The response cache of the search core's read answers (`/api/search`, `/api/facets`,
//! `/api/suggest`, the search part of the search and home pages): answers keyed by the
//! normalised request, belonging to one index generation, bounded by an estimate of their
//! bytes, evicting the least recently used. A leaf: nothing of the server.
//!
//! Every entry belongs to the generation the cache was last [`ResponseCache::reset`] to: a
//! lookup or an insert made with another generation (a request that took the archive just
//! before or after a reload) misses or is dropped, so an answer of one generation never
//! answers for another, whatever the order of the reload and the request.
//!
//! Our own `HashMap` plus a recency `BTreeMap` rather than a crate: one mutex held for a hash
//! lookup and a tree update (microseconds against the milliseconds of a search), exact LRU
//! order and byte accounting, and the generation check inside the same lock.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use casebook_index::SearchRequest;
use serde::Serialize;

/// Default bound of the cache (`--cache-mb`).
pub const DEFAULT_CACHE_MB: usize = 64;
/// Answers estimated larger than this are not cached.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;
/// Bookkeeping counted per entry on top of its answer and key (map and tree slots, `Arc`s).
const ENTRY_OVERHEAD: usize = 256;

/// A cached answer, of whatever type the caller stored under its key's namespace.
pub type Value = Arc<dyn Any + Send + Sync>;

struct Entry {
    value: Value,
    bytes: usize,
    used: u64,
}

/// The entries of one generation and their recency order.
struct Lru {
    generation: PathBuf,
    entries: HashMap<Arc<str>, Entry>,
    /// Last use -> key; the first is the least recently used.
    order: BTreeMap<u64, Arc<str>>,
    clock: u64,
    bytes: usize,
}

impl Lru {
    fn touch(&mut self, key: &str) -> Option<Value> {
        self.clock += 1;
        let clock = self.clock;
        let entry = self.entries.get_mut(key)?;
        if let Some(name) = self.order.remove(&entry.used) {
            self.order.insert(clock, name);
        }
        entry.used = clock;
        Some(Arc::clone(&entry.value))
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.entries.remove(key) {
            self.order.remove(&old.used);
            self.bytes -= old.bytes;
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }
}

/// What the cache holds and has done, for `/metrics` and `/healthz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Whether the cache is on.
    pub enabled: bool,
    /// Answers served from the cache.
    pub hits: u64,
    /// Lookups that found nothing (the answer was computed).
    pub misses: u64,
    /// Entries dropped to make room (not those dropped with their generation).
    pub evictions: u64,
    /// Entries held now.
    pub entries: u64,
    /// Estimated bytes held now.
    pub bytes: u64,
    /// The bound, in bytes.
    pub capacity: u64,
}

impl CacheStats {
    /// Hits over lookups, 0 to 1 (0 before any lookup).
    pub fn hit_rate(&self) -> f64 {
        let lookups = self.hits + self.misses;
        if lookups == 0 { 0.0 } else { self.hits as f64 / lookups as f64 }
    }
}

/// The cache. A capacity of 0 turns it off: lookups miss without counting, inserts are dropped.
pub struct ResponseCache {
    capacity: usize,
    inner: Mutex<Lru>,
    hits: AtomicU64,
    misses: AtomicU64,
    evictions: AtomicU64,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache").field("stats", &self.stats()).finish_non_exhaustive()
    }
}

impl ResponseCache {
    /// A cache of `capacity` bytes (0: off) for the answers of `generation`.
    pub fn new(capacity: usize, generation: &Path) -> Self {
        ResponseCache {
            capacity,
            inner: Mutex::new(Lru {
                generation: generation.to_path_buf(),
                entries: HashMap::new(),
                order: BTreeMap::new(),
                clock: 0,
                bytes: 0,
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    /// Whether the cache is on.
    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    fn lock(&self) -> MutexGuard<'_, Lru> {
        match self.inner.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The answer stored under `key` for `generation`, counted as a hit or a miss.
    pub fn get(&self, generation: &Path, key: &str) -> Option<Value> {
        if !self.enabled() {
            return None;
        }
        let found = {
            let mut lru = self.lock();
            if lru.generation == generation { lru.touch(key) } else { None }
        };
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores an answer of `generation` estimated at `bytes` (answer and key), evicting the
    /// least recently used entries to make room. Dropped when the cache is off, when the
    /// answer is too large, or when `generation` is no longer the one being served.
    pub fn insert(&self, generation: &Path, key: &str, value: Value, bytes: usize) {
        let bytes = bytes.saturating_add(ENTRY_OVERHEAD);
        if !self.enabled() || bytes > MAX_ENTRY_BYTES.min(self.capacity) {
            return;
        }
        let mut lru = self.lock();
        if lru.generation != generation {
            return;
        }
        lru.remove(key);
        let mut evicted = 0;
        while lru.bytes + bytes > self.capacity {
            let Some((_, oldest)) = lru.order.pop_first() else { break };
            if let Some(entry) = lru.entries.remove(&oldest) {
                lru.bytes -= entry.bytes;
                evicted += 1;
            }
        }
        lru.clock += 1;
        let (used, name): (u64, Arc<str>) = (lru.clock, Arc::from(key));
        lru.order.insert(used, Arc::clone(&name));
        lru.entries.insert(name, Entry { value, bytes, used });
        lru.bytes += bytes;
        drop(lru);
        self.evictions.fetch_add(evicted, Ordering::Relaxed);
    }

    /// Drops every entry: from now on the cache holds answers of `generation` only.
    pub fn reset(&self, generation: &Path) {
        let mut lru = self.lock();
        lru.clear();
        lru.generation = generation.to_path_buf();
    }

    /// The counters and what is held now.
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = {
            let lru = self.lock();
            (lru.entries.len() as u64, lru.bytes as u64)
        };
        CacheStats {
            enabled: self.enabled(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
            entries,
            bytes,
            capacity: self.capacity as u64,
        }
    }

    /// The `casebook_cache_*` series in the Prometheus text format.
    pub fn render_metrics(&self) -> String {
        let stats = self.stats();
        let series = [
            ("casebook_cache_hits_total", "Answers served from the response cache.", "counter", stats.hits),
            (
                "casebook_cache_misses_total",
                "Cache lookups that found nothing (the answer was computed).",
                "counter",
                stats.misses,
            ),
            (
                "casebook_cache_evictions_total",
                "Cached answers dropped to make room (least recently used first).",
                "counter",
                stats.evictions,
            ),
            ("casebook_cache_entries", "Answers in the response cache.", "gauge", stats.entries),
            ("casebook_cache_bytes", "Estimated bytes of the answers in the response cache.", "gauge", stats.bytes),
            ("casebook_cache_capacity_bytes", "Bound of the response cache (0: off).", "gauge", stats.capacity),
        ];
        let mut out = String::new();
        for (name, help, kind, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
        }
        out
    }
}

/// A search request as the cache sees it: the same answer, one spelling. Filter lists
/// sorted without duplicates (they are ORed); in the query text, control characters as
/// spaces (as the search core reads them) and runs of whitespace as one space, keeping
/// whether it ends with one (an open last word is completed as a prefix); the label language
/// always spelled out. The handlers search with this request, so an answer depends only on
/// its key, with the cache on or off.
pub fn normalise(request: &SearchRequest) -> SearchRequest {
    let mut normal = request.clone();
    let spaced: String = request.q.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let mut q = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if spaced.ends_with(char::is_whitespace) && !q.is_empty() {
        q.push(' ');
    }
    normal.q = q;
    for list in
        [&mut normal.sector, &mut normal.region, &mut normal.award, &mut normal.language, &mut normal.organisation]
    {
        list.sort_unstable();
        list.dedup();
    }
    normal.lang = Some(request.label_language().code().to_string());
    normal
}

/// The key of a normalised search request: its canonical JSON, in a namespace of its own.
pub fn search_key(normal: &SearchRequest) -> String {
    format!("search\u{0}{}", serde_json::to_string(normal).unwrap_or_default())
}

/// The size of a value's JSON, without building it: the estimate of an answer's bytes.
pub fn json_size(value: &impl Serialize) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    match serde_json::to_writer(&mut count, value) {
        Ok(()) => count.0,
        // Too odd to size: too large to cache.
        Err(_) => usize::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(n: u32) -> Value {
        Arc::new(n)
    }

    fn number(value: Option<Value>) -> Option<u32> {
        value.and_then(|v| v.downcast::<u32>().ok()).map(|n| *n)
    }

    #[test]
    fn the_least_recently_used_entry_is_evicted_first() {
        let generation = Path::new("gen-000001");
        let cache = ResponseCache::new(3 * (ENTRY_OVERHEAD + 100), generation);
        for (n, key) in ["a", "b", "c"].into_iter().enumerate() {
            cache.insert(generation, key, value(n as u32), 100);
        }
        assert_eq!(number(cache.get(generation, "a")), Some(0));
        cache.insert(generation, "d", value(3), 100);
        assert_eq!(number(cache.get(generation, "b")), None, "b was the least recently used");
        assert_eq!(number(cache.get(generation, "a")), Some(0));
        assert_eq!(number(cache.get(generation, "c")), Some(2));
        assert_eq!(number(cache.get(generation, "d")), Some(3));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses, stats.evictions, stats.entries), (4, 1, 1, 3));
        assert_eq!(stats.bytes, 3 * (ENTRY_OVERHEAD as u64 + 100));
    }

    #[test]
    fn replacing_a_key_keeps_the_byte_count_exact() {
        let generation = Path::new("gen-000001");
        let cache = ResponseCache::new(1 << 20, generation);
        cache.insert(generation, "a", value(1), 100);
        cache.insert(generation, "a", value(2), 300);
        assert_eq!(number(cache.get(generation, "a")), Some(2));
        let stats = cache.stats();
        assert_eq!((stats.entries, stats.bytes), (1, ENTRY_OVERHEAD as u64 + 300));
    }

    #[test]
    fn answers_of_another_generation_neither_answer_nor_stay() {
        let (old, new) = (Path::new("gen-000001"), Path::new("gen-000002"));
        let cache = ResponseCache::new(1 << 20, old);
        cache.insert(old, "a", value(1), 10);
        assert_eq!(number(cache.get(new, "a")), None, "a request on the new generation before the reset");
        cache.reset(new);
        assert_eq!(cache.stats().entries, 0);
        cache.insert(old, "a", value(1), 10);
        assert_eq!(number(cache.get(new, "a")), None, "computed on the old generation, dropped");
        assert_eq!(cache.stats().entries, 0);
    }

    #[test]
    fn large_answers_and_a_cache_that_is_off_keep_nothing() {
        let generation = Path::new("gen-000001");
        let cache = ResponseCache::new(64 << 20, generation);
        cache.insert(generation, "big", value(1), MAX_ENTRY_BYTES);
        assert_eq!(cache.stats().entries, 0);
        let off = ResponseCache::new(0, generation);
        off.insert(generation, "a", value(1), 10);
        assert_eq!(number(off.get(generation, "a")), None);
        assert_eq!(off.stats(), CacheStats::default());
    }

    #[test]
    fn spellings_of_one_search_share_a_key() {
        let one = SearchRequest {
            q: "  solar\tpanels  ".into(),
            sector: vec!["health".into(), "energy".into(), "health".into()],
            ..Default::default()
        };
        let other = SearchRequest {
            q: "solar panels ".into(),
            sector: vec!["energy".into(), "health".into()],
            lang: Some("en".into()),
            ..Default::default()
        };
        assert_eq!(search_key(&normalise(&one)), search_key(&normalise(&other)));
        assert_eq!(normalise(&one).q, "solar panels ");
        let open = SearchRequest { q: "solar pan".into(), ..Default::default() };
        assert_ne!(search_key(&normalise(&open)), search_key(&normalise(&other)), "an open last word is a prefix");
        let italian = SearchRequest { lang: Some("it".into()), ..other.clone() };
        assert_ne!(search_key(&normalise(&italian)), search_key(&normalise(&other)));
        let blank = SearchRequest { q: " \u{0} ".into(), ..Default::default() };
        assert_eq!(normalise(&blank).q, "");
    }

    #[test]
    fn metrics_name_every_series() {
        let generation = Path::new("gen-000001");
        let cache = ResponseCache::new(1 << 20, generation);
        cache.insert(generation, "a", value(1), 44);
        let _ = cache.get(generation, "a");
        let text = cache.render_metrics();
        assert!(text.contains("casebook_cache_hits_total 1\n"), "{text}");
        assert!(text.contains("casebook_cache_misses_total 0\n"));
        assert!(text.contains("casebook_cache_entries 1\n"));
        assert!(text.contains("casebook_cache_bytes 300\n"));
        assert!(text.contains("casebook_cache_capacity_bytes 1048576\n"));
    }
}
