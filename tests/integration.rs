//! Integration tests of the `casebook` binary and the library crates, on temporary corpora.
//! One test binary (`autotests = false`) so the workspace links tests once.

// Test code panics on unexpected failures by design.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests panic on unexpected failures")]

/// Shared helpers: temporary corpora, running the binary.
mod util;

/// The HTTP API and website over real HTTP on loopback.
mod api;
/// End-to-end tests in headless Chromium against the real binary.
mod browser;
/// The response cache: hits in metrics, one key per search, new generations, eviction, errors.
mod cache;
/// `casebook check`: every validation error with its file, line and message.
mod check;
/// Discovery: organisations, related cases, figures, the map, rich links, insights.
mod discovery;
/// Discovery in Chromium: the map without script, axe-core on every public page, screenshots.
mod discovery_browser;
/// Faults: kill -9 of builds and of the server mid-write, full disk, no permission.
mod faults;
/// Hostile HTTP requests, overload, deadlines and rate limits over raw TCP.
mod hostile;
/// The shape of the code: dependency ownership, layered server modules, file sizes.
mod house;
/// `casebook import`: site structures, idempotence, bad pages, --follow, the round trip.
mod import;
/// Importing old archive layouts: label/value runs, loose labels, windows-1252, furniture.
mod import_layouts;
/// `casebook index`: builds, incremental updates, the atomic swap, corrupt indexes.
mod index;
/// Merges of incremental builds: bounded like a full build's, small segments folded in.
mod index_merges;
/// "Find cases like my project" on the home page, in Chromium without JavaScript.
mod like_project;
/// Logs: no colour codes in files, JSON lines, the bounded buffer of a server nobody reads.
mod logs;
/// `/metrics`: counters after real traffic, and access rules.
mod metrics;
/// SQLite to PostgreSQL and back with `showcases export --all` and `import`; backups of PostgreSQL.
mod migration;
/// Property tests of the search core: any query text and parameters, never a panic or an error.
mod properties;
/// Ranking (issue 12): stem-level synonyms, long texts, hyphens, typos, explain, POST search.
mod ranking;
/// The relevance regression test: ADI's nDCG@10 stays above its best BM25 baseline.
mod relevance;
/// Replicas sharing one PostgreSQL: sessions, tokens, limits, showcases, the index, a kill under load.
mod replicas;
/// The bundled sample corpus: validity and coverage.
mod sample;
/// The search core: exact hits, facet counts, the disjunctive property, language handling.
mod search;
/// Showcases and accounts: authorisation, CSRF, rate limits, exports, persistence.
mod showcases;
/// The store in /healthz and /metrics on both backends; PostgreSQL going away and coming back.
mod store_health;
/// The submission form, the review pages, `casebook submissions`, kill -9 after a 201, private data.
mod submission_forms;
/// Public submissions and their review over the JSON API: 201/422/401/403/409, closed calls, hostile input.
mod submissions;
/// Call, entry, review and acceptance end to end in Chromium, with JavaScript on and off.
mod submissions_browser;
