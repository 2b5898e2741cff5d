//! Background tasks: pick up a new index generation as soon as it is published, and with
//! `--watch`, rebuild the index when the corpus changes. Failures are logged and the
//! generation being served stays in place.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use casebook_index::{BuildOptions, build_index};

use crate::state::AppState;

/// Checks the index folder every `interval` and switches to a newly published generation.
pub async fn reload_loop(state: Arc<AppState>, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        ticker.tick().await;
        let state = Arc::clone(&state);
        match tokio::task::spawn_blocking(move || state.reload_if_changed()).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "could not open the new index; still serving the previous one"),
            Err(error) => tracing::warn!(%error, "index reload task failed"),
        }
    }
}

/// A cheap signature of the corpus: every case file's path, size and modification time,
/// and the vocabulary files'.
fn corpus_signature(root: &Path) -> u64 {
    let mut entries: Vec<(String, u64, SystemTime)> = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else { continue };
        for entry in read.flatten() {
            let path = entry.path();
            let Ok(metadata) = entry.metadata() else { continue };
            if metadata.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "md" || e == "yaml") {
                entries.push((
                    path.to_string_lossy().into_owned(),
                    metadata.len(),
                    metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                ));
            }
        }
    }
    entries.sort();
    let mut bytes = Vec::new();
    for (path, size, modified) in entries {
        bytes.extend_from_slice(path.as_bytes());
        bytes.extend_from_slice(&size.to_le_bytes());
        let nanos = modified.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes.extend_from_slice(&nanos.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// Rebuilds the index whenever the corpus signature changes. Files with errors are logged
/// with their place; a failed build is logged and the previous index keeps serving.
pub async fn watch_corpus(state: Arc<AppState>, interval: Duration) {
    let corpus = state.config.corpus.clone();
    let index = state.config.index.clone();
    let mut last = corpus_signature(&corpus);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        ticker.tick().await;
        let signature = {
            let corpus = corpus.clone();
            tokio::task::spawn_blocking(move || corpus_signature(&corpus)).await.unwrap_or(last)
        };
        if signature == last {
            continue;
        }
        last = signature;
        tracing::info!(corpus = %corpus.display(), "corpus changed: re-indexing");
        let (corpus_dir, index_dir) = (corpus.clone(), index.clone());
        let result = tokio::task::spawn_blocking(move || {
            build_index(&corpus_dir, &index_dir, &BuildOptions::default(), &mut |_| {})
        })
        .await;
        match result {
            Ok(Ok(report)) => {
                for error in &report.errors {
                    tracing::warn!("{error}");
                }
                tracing::info!(
                    cases = report.indexed,
                    skipped = report.skipped,
                    written = report.written,
                    "re-index finished"
                );
                let state = Arc::clone(&state);
                if let Ok(Err(error)) = tokio::task::spawn_blocking(move || state.reload_if_changed()).await {
                    tracing::warn!(%error, "could not open the new index; still serving the previous one");
                }
            }
            Ok(Err(error)) => tracing::error!(%error, "re-index failed; still serving the previous index"),
            Err(error) => tracing::error!(%error, "re-index task failed; still serving the previous index"),
        }
    }
}
