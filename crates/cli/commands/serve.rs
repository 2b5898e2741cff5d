//! `casebook serve`: update the index, then serve the API and the website.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use casebook_index::{BuildOptions, IndexError, build_index};
use casebook_server::ServerConfig;

use crate::cli::ServeArgs;

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let corpus = &args.corpus.corpus;
    let index = &args.index.index;
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
        // A corpus problem must not stop an archive that already has an index.
        Err(error) if !matches!(casebook_index::store::current_generation(index), Err(IndexError::NotFound(_))) => {
            tracing::error!(%error, "could not update the index; serving the previous one");
        }
        Err(error) => {
            return Err(error).with_context(|| format!("cannot build the index of `{}`", corpus.display()));
        }
    }
    let config = ServerConfig {
        addr: args.addr,
        index: index.clone(),
        corpus: corpus.clone(),
        watch: args.watch,
        public_url: args.public_url.clone(),
        poll_interval: Duration::from_secs_f64(args.poll_interval.clamp(0.05, 3600.0)),
        db: args.db.db.clone(),
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(casebook_server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}
