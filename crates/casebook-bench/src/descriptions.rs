//! `casebook-bench long-text`: the latency of "find cases like my project" (issue 12). The
//! bundled project descriptions (`data/descriptions/`, about 1,500 characters each, one
//! Italian and one English) are searched as a visitor pastes them: the first page of 10 hits
//! with snippets and every facet count, timed in-process, several rounds each.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use casebook_index::{Archive, SearchRequest};
use serde::Serialize;

use crate::harness::{Percentiles, percentiles};

/// The bundled descriptions' folder.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/descriptions")
}

/// The figures of one description.
#[derive(Debug, Clone, Serialize)]
pub struct LongTextTiming {
    /// File name.
    pub description: String,
    /// Characters of the text.
    pub chars: usize,
    /// Words searched (after stop words and the selection of the most distinctive).
    pub query_words: usize,
    /// Matching cases.
    pub total: u64,
    /// Latency of the search as the engine reports it (`took_ms`), in milliseconds.
    pub took_ms: Percentiles,
    /// Wall time of `Archive::search`, in milliseconds.
    pub wall_ms: Percentiles,
}

/// Times every `*.txt` of `descriptions` against the index at `index`, `rounds` times each
/// (after one untimed warm-up search).
pub fn measure(index: &Path, descriptions: &Path, rounds: usize) -> anyhow::Result<Vec<LongTextTiming>> {
    let archive = Archive::open(index)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(descriptions)
        .with_context(|| format!("cannot read `{}`", descriptions.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut timings = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read `{}`", path.display()))?;
        let request = SearchRequest { q: text.trim().to_string(), ..Default::default() };
        let first = archive.search(&request)?;
        let (mut took, mut wall) = (Vec::new(), Vec::new());
        for _ in 0..rounds.max(1) {
            let started = Instant::now();
            let response = archive.search(&request)?;
            wall.push(started.elapsed().as_secs_f64() * 1000.0);
            took.push(response.took_ms);
        }
        timings.push(LongTextTiming {
            description: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            chars: request.q.chars().count(),
            query_words: first.query_words,
            total: first.total,
            took_ms: percentiles(took),
            wall_ms: percentiles(wall),
        });
    }
    Ok(timings)
}
