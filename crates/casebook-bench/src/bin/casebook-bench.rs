//! The benchmark tools: `casebook-bench gen-corpus` writes a synthetic corpus and query mix,
//! `casebook-bench raw-index` indexes it the plainest way tantivy allows, `casebook-bench
//! measure` runs every in-process measurement on a corpus and its index (and, optionally,
//! SQLite FTS5 and the plain tantivy index) and prints JSON, `casebook-bench chart` draws the
//! latency chart of several result files as SVG, `casebook-bench relevance` scores the
//! ranking on judged test collections and `casebook-bench long-text` times pasted project
//! descriptions. `scripts/bench-compare.sh`, `scripts/relevance.sh` and `scripts/load.sh`
//! drive them. They live here, not in the `casebook` binary, so that the shipped binary
//! links only the product.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

/// The allocator of the `casebook` binary, so that in-process figures are the product's;
/// the raw tantivy reference runs in this process with it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Score the ranking on judged test collections (LISA, TIME, ADI): each document becomes
    /// a case file, `casebook index` builds the index, `casebook search --batch` runs every
    /// query (top 100); prints nDCG@10, MAP@100 and R@100 beside the BM25 baselines.
    Relevance(RelevanceArgs),
    /// Time the search of pasted project descriptions (about 1,500 characters each) on an
    /// index: the first page with snippets and facets, in-process; prints JSON.
    LongText(LongTextArgs),
}

/// `casebook-bench raw-index`.
#[derive(Debug, Args)]
struct RawIndexArgs {
    /// Corpus folder (holds `cases/`).
    corpus: PathBuf,
    /// Folder of the new index; must not exist.
    out: PathBuf,
}

/// `casebook-bench long-text`.
#[derive(Debug, Args)]
struct LongTextArgs {
    /// Index folder.
    index: PathBuf,
    /// Folder of descriptions (`*.txt`; default: the bundled ones).
    #[arg(long, value_name = "DIR")]
    descriptions: Option<PathBuf>,
    /// Timed searches per description.
    #[arg(long, value_name = "N", default_value_t = 20)]
    rounds: usize,
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

/// `casebook-bench relevance`.
#[derive(Debug, Args)]
struct RelevanceArgs {
    /// Collections to run (default: lisa time adi).
    #[arg(value_name = "COLLECTION")]
    collections: Vec<String>,
    /// Folder holding the collections (`NAME/docs.jsonl`, `queries.jsonl`, `qrels.tsv`).
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,
    /// The `casebook` binary to run (default: `casebook` beside this program).
    #[arg(long, value_name = "PATH")]
    casebook: Option<PathBuf>,
    /// Build and search through the library instead of the binary (quicker to rebuild).
    #[arg(long, conflicts_with = "casebook")]
    in_process: bool,
    /// Working folder for the corpora and indexes (emptied per collection).
    #[arg(long, value_name = "DIR", default_value = "target/relevance")]
    work: PathBuf,
    /// Also print nDCG@10, MAP@100 and R@100 of every query.
    #[arg(long)]
    per_query: bool,
    /// Write the summary as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn relevance(args: &RelevanceArgs) -> anyhow::Result<()> {
    use casebook_bench::relevance::{COLLECTIONS, Collection, best_baseline, data_dir, run_binary, run_in_process};
    let data = args.data.clone().unwrap_or_else(data_dir);
    let names: Vec<String> = if args.collections.is_empty() {
        COLLECTIONS.iter().map(|s| s.to_string()).collect()
    } else {
        args.collections.clone()
    };
    let casebook = match &args.casebook {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name(format!("casebook{}", std::env::consts::EXE_SUFFIX)),
    };
    if !args.in_process {
        anyhow::ensure!(
            casebook.is_file(),
            "`{}` not found: build it first (`cargo build --release`) or pass --casebook PATH",
            casebook.display()
        );
    }
    let mut outcomes = Vec::new();
    for name in &names {
        let collection = Collection::load(&data, name)?;
        let work = args.work.join(name);
        let outcome = if args.in_process {
            run_in_process(&collection, &work)?
        } else {
            run_binary(&casebook, &collection, &work)?
        };
        let run = work.join("run.trec");
        std::fs::write(&run, &outcome.run).with_context(|| format!("cannot write `{}`", run.display()))?;
        eprintln!(
            "{name}: {} docs indexed in {:.2} s, {} queries, {:.2} ms per query; run in `{}`",
            collection.docs.len(),
            outcome.index_seconds,
            collection.queries.len(),
            outcome.mean_took_ms,
            run.display()
        );
        outcomes.push(outcome);
    }
    if args.per_query {
        for outcome in &outcomes {
            for (query, s) in &outcome.per_query {
                println!("{} {query:>4}  {:.4} {:.4} {:.4}", outcome.collection, s.ndcg10, s.map100, s.recall100);
            }
        }
    }
    print!("{}", casebook_bench::relevance::table(&outcomes));
    if let Some(path) = &args.json {
        let summary: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| {
                let baseline = best_baseline(&o.collection);
                serde_json::json!({
                    "collection": o.collection,
                    "queries": o.queries,
                    "scores": o.scores,
                    "best_baseline": baseline.map(|(system, scores)| serde_json::json!({"system": system, "scores": scores})),
                })
            })
            .collect();
        std::fs::write(path, serde_json::to_string_pretty(&summary)? + "\n")
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
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
        Command::Relevance(args) => relevance(&args),
        Command::LongText(args) => {
            let descriptions = args.descriptions.clone().unwrap_or_else(casebook_bench::descriptions::data_dir);
            let timings = casebook_bench::descriptions::measure(&args.index, &descriptions, args.rounds)?;
            println!("{}", serde_json::to_string_pretty(&timings)?);
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
