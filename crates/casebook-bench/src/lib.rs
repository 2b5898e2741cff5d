//! Benchmarks of Casebook: a deterministic synthetic corpus (`generate`, run by
//! `casebook-bench gen-corpus` and used by the integration tests), the measurement harness
//! (`harness`, run by `casebook-bench measure` and `scripts/bench-compare.sh`), and what it
//! is compared with: the plainest use of tantivy (`raw`) and SQLite FTS5 (`fts5`).

pub mod chart;
pub mod fts5;
pub mod generate;
pub mod harness;
pub mod raw;
mod rng;
mod vocabulary;

pub use generate::{GenOptions, generate};
