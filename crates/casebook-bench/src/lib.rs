//! Benchmarks of Casebook: a deterministic synthetic corpus (`generate`, run by
//! `casebook-bench gen-corpus` and used by the integration tests), the measurement harness
//! (`harness`, run by `casebook-bench measure` and `scripts/bench-compare.sh`), and what it
//! is compared with: the plainest use of tantivy (`raw`) and SQLite FTS5 (`fts5`); the
//! relevance benchmark on judged test collections (`relevance`, run by `casebook-bench
//! relevance` and `scripts/relevance.sh`), and the latency of pasted project descriptions
//! (`descriptions`, `casebook-bench long-text`).

pub mod chart;
pub mod descriptions;
pub mod fts5;
pub mod generate;
pub mod harness;
pub mod raw;
pub mod relevance;
mod rng;
mod vocabulary;

pub use generate::{GenOptions, generate};
