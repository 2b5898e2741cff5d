//! `casebook serve`: update the index (unless `--no-build`), then serve the API and the
//! website.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use casebook_index::{BuildOptions, build_index};
use casebook_server::ServerConfig;

use crate::cli::ServeArgs;

/// Builds or updates the index, logging the outcome; a failure leaves the previous index.
fn update_index(corpus: &std::path::Path, index: &std::path::Path) {
    match build_index(corpus, index, &BuildOptions::default(), &mut |_| {}) {
        Ok(report) => {
            for error in &report.errors {
                tracing::warn!("{error}");
            }
            if report.up_to_date {
                tracing::info!(cases = report.indexed, "index is up to date");
            } else {
                tracing::info!(
                    cases = report.indexed,
                    written = report.written,
                    seconds = report.elapsed.as_secs_f64(),
                    "index built"
                );
            }
        }
        Err(error) => tracing::error!(%error, "could not update the index; serving the previous one if there is one"),
    }
}

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.location()?.clone();
    let corpus = &args.corpus.corpus;
    let index = &args.index.index;
    // With an index this version can open, serve it at once and bring it up to date in the
    // background (the server switches to the new generation when it is published). Without one
    // (none yet, or built by another version of Casebook), build first.
    let has_index = casebook_index::Archive::open(index).is_ok();
    if args.no_build {
        // A replica of a shared index folder: the builder publishes, this one only reads.
        casebook_index::Archive::open(index).with_context(|| {
            format!("no index this version can serve in `{}` (--no-build): run `casebook index` first", index.display())
        })?;
    } else if has_index {
        let (corpus, index) = (corpus.clone(), index.clone());
        std::thread::spawn(move || update_index(&corpus, &index));
    } else {
        update_index(corpus, index);
        casebook_index::Archive::live_generation(index)
            .with_context(|| format!("cannot build the index of `{}`", corpus.display()))?;
    }
    let config = ServerConfig {
        addr: args.addr,
        index: index.clone(),
        corpus: corpus.clone(),
        watch: args.watch,
        public_url: args.public_url.clone(),
        poll_interval: Duration::from_secs_f64(args.poll_interval.clamp(0.05, 3600.0)),
        db,
        limits: casebook_server::Limits {
            max_in_flight: args.limits.max_in_flight.max(1),
            rate_per_second: args.limits.rate_limit.max(0.0),
            burst: args.limits.rate_burst.max(1),
            request_timeout: Duration::from_secs_f64(args.limits.request_timeout.clamp(0.1, 3600.0)),
            trust_forwarded_for: args.limits.trust_forwarded_for,
            ..casebook_server::Limits::default()
        },
        metrics_token: args.metrics_token.clone().filter(|token| !token.is_empty()),
        cache_bytes: if args.no_cache { 0 } else { usize::try_from(args.cache_mb << 20).unwrap_or(usize::MAX) },
        insights: args.insights == "on",
        insights_retention_days: args.insights_retention_days,
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(casebook_server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}
