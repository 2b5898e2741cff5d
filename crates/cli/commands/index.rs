//! `casebook index`: build or update the index.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use casebook_index::{BuildOptions, Progress, build_index};
use indicatif::{ProgressBar, ProgressStyle};

use super::check::plural;
use crate::cli::IndexArgs;

/// Environment variable that makes a build fail after N cases (used by the tests to prove
/// that a failed build leaves the previous index in place).
const FAIL_AFTER_VAR: &str = "CASEBOOK_FAULT_FAIL_AFTER";

pub fn run(args: &IndexArgs) -> anyhow::Result<ExitCode> {
    let corpus = &args.corpus.corpus;
    let index = &args.index.index;
    let options = BuildOptions {
        full: args.full,
        fail_after: std::env::var(FAIL_AFTER_VAR).ok().and_then(|v| v.parse().ok()),
        ..BuildOptions::default()
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::hidden();
        bar.set_style(
            ProgressStyle::with_template("{spinner} indexing [{bar:30}] {pos}/{len} cases ({per_sec}, eta {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let mut on_progress = |progress: Progress| {
        if let Some(bar) = &bar {
            if progress.total >= 500 && bar.is_hidden() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            }
            bar.set_length(progress.total as u64);
            bar.set_position(progress.done as u64);
        }
    };
    let report = build_index(corpus, index, &options, &mut on_progress)
        .with_context(|| format!("cannot index `{}` into `{}`", corpus.display(), index.display()))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for problem in report.errors.iter().chain(&report.warnings) {
        eprintln!("{problem}");
    }
    let seconds = report.elapsed.as_secs_f64();
    let skipped = if report.skipped > 0 {
        format!(", skipped {} {} with errors (see above)", report.skipped, plural(report.skipped, "file", "files"))
    } else {
        String::new()
    };
    if report.up_to_date {
        println!(
            "index is up to date: {} {} in `{}`{skipped} ({seconds:.2} s)",
            report.indexed,
            plural(report.indexed, "case", "cases"),
            index.join(&report.generation).display(),
        );
    } else {
        let how = if report.full {
            "full build".to_string()
        } else {
            format!("{} written, {} removed, {} unchanged", report.written, report.removed, report.unchanged)
        };
        println!(
            "indexed {} {} ({how}){skipped} in {seconds:.2} s, {:.1} MB read -> `{}`",
            report.indexed,
            plural(report.indexed, "case", "cases"),
            report.bytes as f64 / 1e6,
            index.join(&report.generation).display(),
        );
    }
    Ok(if args.strict && report.skipped > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
