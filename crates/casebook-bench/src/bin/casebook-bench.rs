//! The benchmark tools: `casebook-bench gen-corpus` writes a synthetic corpus and query mix,
//! `casebook-bench raw-index` indexes it the plainest way tantivy allows, `casebook-bench
//! measure` runs every in-process measurement on a corpus and its index (and, optionally,
//! SQLite FTS5 and the plain tantivy index) and prints JSON, `casebook-bench chart` draws the
//! latency chart of several result files as SVG. `scripts/bench-compare.sh` and
//! `scripts/load.sh` drive them. They live here, not in the `casebook` binary, so that the
//! shipped binary links only the product.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// Casebook benchmarks: synthetic corpora, in-process measurements, charts.
#[derive(Debug, Parser)]
#[command(name = "casebook-bench", version, propagate_version = true)]
struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Write a synthetic corpus for benchmarks: N taxonomy-valid cases (70% Italian,
    /// Zipf-distributed words, all sectors, regions weighted like Italy plus 10% abroad,
    /// years 2010-2026) and a query mix (`queries.jsonl`), the same for the same seed.
    GenCorpus(GenCorpusArgs),
    /// Run every in-process measurement (Casebook, the N+1 approach, optionally SQLite FTS5)
    /// over a query mix and print the results as JSON.
    Measure(MeasureArgs),
    /// Draw the latency chart of several result files of `measure` as SVG on standard output.
    Chart(ChartArgs),
    /// Index a corpus the plainest way tantivy allows (the reference of `measure --raw`): one
    /// stemmed text field, facets as plain fast fields, one segment.
    RawIndex(RawIndexArgs),
}

/// `casebook-bench raw-index`.
#[derive(Debug, Args)]
struct RawIndexArgs {
    /// Corpus folder (holds `cases/`).
    corpus: PathBuf,
    /// Folder of the new index; must not exist.
    out: PathBuf,
}

/// `casebook-bench gen-corpus`.
#[derive(Debug, Args)]
struct GenCorpusArgs {
    /// Number of cases.
    #[arg(long, value_name = "N")]
    n: usize,
    /// Random seed.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// Requests in the query mix.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    queries: usize,
    /// Output folder (a corpus: `cases/` and `queries.jsonl`); must not exist.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// `casebook-bench measure`.
#[derive(Debug, Args)]
struct MeasureArgs {
    /// Corpus folder (holds `cases/`).
    corpus: PathBuf,
    /// Index folder built from the corpus.
    index: PathBuf,
    /// Query mix (JSON Lines, as written by `gen-corpus`).
    queries: PathBuf,
    /// Timed passes over the query mix.
    #[arg(long, value_name = "N", default_value_t = 3)]
    rounds: usize,
    /// Also measure SQLite FTS5, building its database at DB (an existing file is replaced).
    #[arg(long, value_name = "DB")]
    fts5: Option<PathBuf>,
    /// Also measure the plainest tantivy on the index `casebook-bench raw-index` built in DIR.
    #[arg(long, value_name = "DIR")]
    raw: Option<PathBuf>,
}

/// `casebook-bench chart`.
#[derive(Debug, Args)]
struct ChartArgs {
    /// Result files written by `measure`.
    #[arg(value_name = "RESULTS.json", required = true)]
    results: Vec<PathBuf>,
}

fn gen_corpus(args: &GenCorpusArgs) -> anyhow::Result<()> {
    anyhow::ensure!(!args.out.exists(), "`{}` exists: choose a new folder", args.out.display());
    let started = std::time::Instant::now();
    let options = casebook_bench::GenOptions { cases: args.n, seed: args.seed, queries: args.queries };
    let bytes = casebook_bench::generate(&args.out, &options)?;
    println!(
        "wrote {} cases ({:.1} MB) and {} queries to `{}` in {:.1} s",
        args.n,
        bytes as f64 / 1e6,
        args.queries,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::GenCorpus(args) => gen_corpus(&args),
        Command::Measure(args) => {
            let results = casebook_bench::harness::measure(
                &args.corpus,
                &args.index,
                &args.queries,
                args.rounds,
                args.fts5.as_deref(),
                args.raw.as_deref(),
            )?;
            println!("{}", serde_json::to_string_pretty(&results)?);
            Ok(())
        }
        Command::RawIndex(args) => {
            anyhow::ensure!(!args.out.exists(), "`{}` exists: choose a new folder", args.out.display());
            let started = std::time::Instant::now();
            let corpus = casebook_corpus::Corpus::load(&args.corpus)?;
            casebook_bench::raw::build(&args.out, &corpus.cases)?;
            println!(
                "indexed {} cases the plain way into `{}` in {:.1} s",
                corpus.cases.len(),
                args.out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Chart(args) => {
            let mut runs = Vec::new();
            for path in &args.results {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                runs.push(serde_json::from_str::<serde_json::Value>(&text)?);
            }
            print!("{}", casebook_bench::chart::svg(&runs));
            Ok(())
        }
    }
}

/// Exit status as `casebook`'s: 0 on success, 2 with the error chain when the job failed.
fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
