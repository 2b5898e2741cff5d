//! The relevance benchmark (`casebook-bench relevance`, `scripts/relevance.sh`): public test
//! collections with judged queries (`data/ir/`: LISA, TIME, ADI), each document written as a
//! case file, indexed by the real `casebook index`, every query run through `casebook search
//! --batch` (top 100), the run written in TREC format and scored with [`measures`] next to
//! the published BM25 baselines.
//!
//! Deterministic: the index build spreads cases over threads, so cases with exactly equal
//! scores come back in an order that can change between builds. The run therefore gives
//! tied hits one score, and the evaluator orders ties by document id as trec_eval does; the
//! second page of 100 is fetched too, so that a tie straddling rank 100 is cut by that rule
//! and not by the build. `--in-process` does the same through the library, for quick
//! iterations; the integration tests use that path on ADI as a regression test.

pub mod measures;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use casebook_index::{Archive, SearchRequest, SearchResponse};
use serde::Deserialize;

use measures::Qrels;
pub use measures::Scores;

/// The collections, smallest last, in the order of the summary table.
pub const COLLECTIONS: [&str; 3] = ["lisa", "time", "adi"];

/// Results evaluated per query.
pub const DEPTH: usize = 100;

/// Results fetched per query: two pages of [`DEPTH`] (see the module's note on ties).
pub const FETCHED: usize = 2 * DEPTH;

/// The BM25 baselines of `data/ir/README.md` (k1 = 1.2, b = 0.75, one field of title and text).
pub const BASELINES: &[(&str, &str, Scores)] = &[
    ("lisa", "tantivy/en_stem", scores(0.3640, 0.2715, 0.5842)),
    ("lisa", "tantivy/en_stem+stop+qtf", scores(0.4624, 0.3532, 0.7558)),
    ("lisa", "sqlite-fts5/porter", scores(0.4598, 0.3489, 0.6771)),
    ("time", "tantivy/en_stem", scores(0.7429, 0.6826, 0.9669)),
    ("time", "tantivy/en_stem+stop+qtf", scores(0.7531, 0.6908, 0.9676)),
    ("time", "sqlite-fts5/porter", scores(0.7544, 0.6960, 0.9648)),
    ("adi", "tantivy/en_stem", scores(0.4698, 0.4016, 0.9831)),
    ("adi", "tantivy/en_stem+stop+qtf", scores(0.4885, 0.4165, 0.9103)),
    ("adi", "sqlite-fts5/porter", scores(0.4752, 0.4085, 0.9831)),
];

const fn scores(ndcg10: f64, map100: f64, recall100: f64) -> Scores {
    Scores { ndcg10, map100, recall100 }
}

/// The best baseline of a collection by nDCG@10: (system, scores).
pub fn best_baseline(collection: &str) -> Option<(&'static str, Scores)> {
    BASELINES
        .iter()
        .filter(|(name, _, _)| *name == collection)
        .max_by(|a, b| a.2.ndcg10.total_cmp(&b.2.ndcg10))
        .map(|(_, system, scores)| (*system, *scores))
}

/// The bundled collections' folder.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/ir")
}

/// A document of a collection.
#[derive(Debug, Clone, Deserialize)]
pub struct Doc {
    /// Document id (digits).
    pub id: String,
    /// Title; empty when the collection has none.
    #[serde(default)]
    pub title: String,
    /// Text.
    #[serde(default)]
    pub text: String,
}

/// A judged query.
#[derive(Debug, Clone, Deserialize)]
pub struct Query {
    /// Query id.
    pub id: String,
    /// Natural-language request.
    pub text: String,
}

/// A test collection: documents, queries and judgements.
#[derive(Debug, Clone)]
pub struct Collection {
    /// Folder name (`lisa`, `time`, `adi`).
    pub name: String,
    /// Documents.
    pub docs: Vec<Doc>,
    /// Queries.
    pub queries: Vec<Query>,
    /// Judgements.
    pub qrels: Qrels,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| serde_json::from_str(line).with_context(|| format!("`{}` line {}", path.display(), n + 1)))
        .collect()
}

impl Collection {
    /// Loads `dir/name/{docs.jsonl,queries.jsonl,qrels.tsv}`.
    pub fn load(dir: &Path, name: &str) -> anyhow::Result<Collection> {
        let folder = dir.join(name);
        Ok(Collection {
            name: name.to_string(),
            docs: read_jsonl(&folder.join("docs.jsonl"))?,
            queries: read_jsonl(&folder.join("queries.jsonl"))?,
            qrels: measures::read_qrels(&folder.join("qrels.tsv"))?,
        })
    }

    /// Writes every document as `dir/cases/<id>.md`.
    pub fn write_corpus(&self, dir: &Path) -> anyhow::Result<()> {
        let cases = dir.join("cases");
        std::fs::create_dir_all(&cases).with_context(|| format!("cannot create `{}`", cases.display()))?;
        for doc in &self.docs {
            anyhow::ensure!(
                !doc.id.is_empty() && doc.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "document id {:?} of {} cannot be a case file name",
                doc.id,
                self.name
            );
            let path = cases.join(format!("{}.md", doc.id));
            std::fs::write(&path, case_file(doc, &self.name))
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
        Ok(())
    }

    /// The search requests of every query: the text, pages 1 and 2 of [`DEPTH`] results,
    /// English labels (two per query, in query order).
    pub fn requests(&self) -> Vec<SearchRequest> {
        let pages = FETCHED.div_ceil(DEPTH);
        self.queries
            .iter()
            .flat_map(|query| {
                (1..=pages).map(|page| SearchRequest {
                    q: query.text.clone(),
                    page,
                    per_page: DEPTH,
                    lang: Some("en".into()),
                    ..Default::default()
                })
            })
            .collect()
    }
}

/// Markdown with every ASCII punctuation character escaped, so that the case's plain text is
/// the document's text exactly (no heading, list or emphasis is read into it).
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// The case file of a document. The facts a case requires are placeholders, the same for
/// every document (sector `ict`, region Lombardia, year 2000, the collection as
/// organisation); the title is the document's title or, when it has none, its id; the body
/// is its text (or its title when it has no text).
pub fn case_file(doc: &Doc, collection: &str) -> String {
    let title = if doc.title.trim().is_empty() { doc.id.as_str() } else { doc.title.trim() };
    let body = if doc.text.trim().is_empty() { title } else { doc.text.trim() };
    let quoted = serde_json::to_string(title).unwrap_or_else(|_| "\"\"".into());
    format!(
        "---\ntitle: {quoted}\norganisation: \"{collection}\"\nyear: 2000\nsector: ict\nregion: Lombardia\nlanguage: en\n---\n\n{}\n",
        escape_markdown(body)
    )
}

/// What one collection gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Collection name.
    pub collection: String,
    /// Queries evaluated.
    pub queries: usize,
    /// Mean figures.
    pub scores: Scores,
    /// Figures per query.
    pub per_query: BTreeMap<String, Scores>,
    /// The run, in TREC format.
    pub run: String,
    /// Seconds to build the index.
    pub index_seconds: f64,
    /// Mean search time per query as reported by the engine (`took_ms`).
    pub mean_took_ms: f64,
}

/// The hits of a query's pages as (id, tie group), best first: consecutive hits with the
/// same score and matched words share a group.
fn ranked_hits(pages: &[SearchResponse]) -> Vec<(String, usize)> {
    let hits: Vec<&casebook_index::Hit> = pages.iter().flat_map(|page| &page.hits).collect();
    let mut ranked: Vec<(String, usize)> = Vec::with_capacity(hits.len());
    for (rank, hit) in hits.iter().enumerate() {
        let group = match rank.checked_sub(1).map(|previous| hits[previous]) {
            Some(previous) if previous.score == hit.score && previous.matched_words == hit.matched_words => {
                ranked.last().map_or(rank, |(_, group)| *group)
            }
            _ => rank,
        };
        ranked.push((hit.case.id.clone(), group));
    }
    ranked
}

/// Scores the responses of [`Collection::requests`] (in that order).
pub fn score(collection: &Collection, responses: &[SearchResponse], index_seconds: f64) -> anyhow::Result<Outcome> {
    let pages = FETCHED.div_ceil(DEPTH);
    anyhow::ensure!(responses.len() == collection.queries.len() * pages, "expected {pages} responses per query");
    let ranked: BTreeMap<String, Vec<(String, usize)>> = collection
        .queries
        .iter()
        .zip(responses.chunks(pages))
        .map(|(query, pages)| (query.id.clone(), ranked_hits(pages)))
        .collect();
    let run = measures::trec_run(&ranked, DEPTH, "casebook");
    let (scores, per_query) = measures::evaluate(&collection.qrels, &measures::parse_run(&run)?);
    let mean_took_ms = responses.iter().map(|r| r.took_ms).sum::<f64>() / responses.len().max(1) as f64;
    Ok(Outcome {
        collection: collection.name.clone(),
        queries: per_query.len(),
        scores,
        per_query,
        run,
        index_seconds,
        mean_took_ms,
    })
}

/// Runs a collection through the `casebook` binary at `casebook`, working in `work` (which
/// is emptied first): `casebook index --full --strict`, then `casebook search --batch`.
pub fn run_binary(casebook: &Path, collection: &Collection, work: &Path) -> anyhow::Result<Outcome> {
    let (corpus, index, batch) = prepare(collection, work)?;
    let started = Instant::now();
    let output = Command::new(casebook)
        .arg("index")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["--full", "--strict"])
        .output()
        .with_context(|| format!("cannot run `{}`", casebook.display()))?;
    let index_seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(
        output.status.success(),
        "`casebook index` failed on {}: {}",
        collection.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let output = Command::new(casebook)
        .arg("search")
        .arg("--index")
        .arg(&index)
        .arg("--batch")
        .arg(&batch)
        .output()
        .with_context(|| format!("cannot run `{}`", casebook.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "`casebook search --batch` failed on {}: {}",
        collection.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let mut responses = Vec::new();
    for (number, line) in String::from_utf8_lossy(&output.stdout).lines().enumerate() {
        let response: SearchResponse = serde_json::from_str(line).with_context(|| {
            format!("{} query line {}: not a search response: {line:.200}", collection.name, number + 1)
        })?;
        responses.push(response);
    }
    score(collection, &responses, index_seconds)
}

/// Runs a collection through the library (the same index build and search as the binary),
/// working in `work` (emptied first).
pub fn run_in_process(collection: &Collection, work: &Path) -> anyhow::Result<Outcome> {
    let (corpus, index, _) = prepare(collection, work)?;
    let started = Instant::now();
    let options = casebook_index::BuildOptions { full: true, ..Default::default() };
    let report = casebook_index::build_index(&corpus, &index, &options, &mut |_| {})?;
    anyhow::ensure!(report.skipped == 0, "{} documents of {} were skipped", report.skipped, collection.name);
    let index_seconds = started.elapsed().as_secs_f64();
    let archive = Archive::open(&index)?;
    let responses = search_all(&archive, collection)?;
    score(collection, &responses, index_seconds)
}

/// Every query of a collection against an open archive.
pub fn search_all(archive: &Archive, collection: &Collection) -> anyhow::Result<Vec<SearchResponse>> {
    collection.requests().iter().map(|request| Ok(archive.search(request)?)).collect()
}

/// Writes the corpus and the batch file; returns (corpus, index, batch) paths.
fn prepare(collection: &Collection, work: &Path) -> anyhow::Result<(PathBuf, PathBuf, PathBuf)> {
    if work.exists() {
        std::fs::remove_dir_all(work).with_context(|| format!("cannot empty `{}`", work.display()))?;
    }
    let corpus = work.join("corpus");
    collection.write_corpus(&corpus)?;
    let batch = work.join("queries.jsonl");
    let mut lines = String::new();
    for request in collection.requests() {
        lines.push_str(&serde_json::to_string(&request)?);
        lines.push('\n');
    }
    std::fs::write(&batch, lines).with_context(|| format!("cannot write `{}`", batch.display()))?;
    Ok((corpus, work.join("index"), batch))
}

/// The summary table: each collection's figures beside its best BM25 baseline.
pub fn table(outcomes: &[Outcome]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<10} {:>7}  {:>7} {:>7} {:>7}  | best BM25 baseline        {:>7} {:>7} {:>7}  | nDCG@10 vs best",
        "collection", "queries", "nDCG@10", "MAP@100", "R@100", "nDCG@10", "MAP@100", "R@100"
    );
    for outcome in outcomes {
        let s = outcome.scores;
        let (system, base) = best_baseline(&outcome.collection).unwrap_or(("none", Scores::default()));
        let _ = writeln!(
            out,
            "{:<10} {:>7}  {:>7.4} {:>7.4} {:>7.4}  | {system:<25} {:>7.4} {:>7.4} {:>7.4}  | {:+.4}",
            outcome.collection,
            outcome.queries,
            s.ndcg10,
            s.map100,
            s.recall100,
            base.ndcg10,
            base.map100,
            base.recall100,
            s.ndcg10 - base.ndcg10,
        );
    }
    out
}
