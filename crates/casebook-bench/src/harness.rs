//! Measurements over a corpus, its index and a query mix: parse throughput, start-up,
//! in-process search latency per query class (single-pass collector, and the N+1 approach
//! for comparison), suggest latency, and the same query mix in SQLite FTS5.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use casebook_index::{Archive, SearchRequest, SearchResponse};
use serde::Serialize;

/// The class of a request, for per-class latency.
pub fn class(request: &SearchRequest) -> &'static str {
    let facets = !(request.sector.is_empty()
        && request.region.is_empty()
        && request.award.is_empty()
        && request.language.is_empty());
    let years = request.year.is_some() || request.year_from.is_some() || request.year_to.is_some();
    match (request.q.trim().is_empty(), facets, years) {
        (true, _, _) => "browse",
        (false, false, false) => "text",
        (false, _, false) => "text+facets",
        (false, _, true) => "text+facets+years",
    }
}

/// Latency percentiles, in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub mean: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// Percentiles of samples (milliseconds).
pub fn percentiles(mut samples: Vec<f64>) -> Percentiles {
    samples.sort_by(f64::total_cmp);
    let n = samples.len().max(1);
    let at =
        |q: f64| samples.get(((n as f64 * q).ceil() as usize).saturating_sub(1).min(n - 1)).copied().unwrap_or(0.0);
    Percentiles {
        count: samples.len(),
        mean: samples.iter().sum::<f64>() / n as f64,
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: samples.last().copied().unwrap_or(0.0),
    }
}

/// The requests of a JSON Lines file.
pub fn load_queries(path: &Path) -> anyhow::Result<Vec<SearchRequest>> {
    let text = std::fs::read_to_string(path)?;
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| Ok(serde_json::from_str(l)?)).collect()
}

/// The N+1 approach of Meilisearch/Algolia clients, on the same engine: one search with every
/// filter for the hits, total and the counts of unfiltered groups, then one more search per
/// filtered group, without that group's filter, for that group's counts.
pub fn n_plus_one(archive: &Archive, request: &SearchRequest) -> SearchResponse {
    let mut response = archive.search(request).unwrap_or_else(|e| panic!("{e}"));
    let narrow = |edit: &dyn Fn(&mut SearchRequest)| {
        let mut other = SearchRequest { page: 1, per_page: 1, ..request.clone() };
        edit(&mut other);
        archive.search(&other).unwrap_or_else(|e| panic!("{e}")).facets
    };
    if !request.sector.is_empty() {
        response.facets.sector = narrow(&|r| r.sector.clear()).sector;
    }
    if !request.region.is_empty() {
        response.facets.region = narrow(&|r| r.region.clear()).region;
    }
    if request.year.is_some() || request.year_from.is_some() || request.year_to.is_some() {
        response.facets.year = narrow(&|r| {
            r.year = None;
            r.year_from = None;
            r.year_to = None;
        })
        .year;
    }
    if !request.award.is_empty() {
        response.facets.award = narrow(&|r| r.award.clear()).award;
    }
    if !request.language.is_empty() {
        response.facets.language = narrow(&|r| r.language.clear()).language;
    }
    response
}

/// Times `run` over every request `rounds` times (after one warm-up round); per class.
pub fn time_by_class(
    requests: &[SearchRequest],
    rounds: usize,
    mut run: impl FnMut(&SearchRequest),
) -> BTreeMap<String, Percentiles> {
    for request in requests {
        run(request);
    }
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..rounds {
        for request in requests {
            let started = Instant::now();
            run(request);
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            samples.entry(class(request).to_string()).or_default().push(ms);
            samples.entry("all".to_string()).or_default().push(ms);
        }
    }
    samples.into_iter().map(|(class, s)| (class, percentiles(s))).collect()
}

/// Everything measured on one corpus.
#[derive(Debug, Serialize)]
pub struct Results {
    pub cases: usize,
    pub markdown_bytes: u64,
    pub queries: usize,
    pub parse_seconds: f64,
    pub parse_mb_per_s: f64,
    pub open_ms: f64,
    pub casebook: BTreeMap<String, Percentiles>,
    pub n_plus_one: BTreeMap<String, Percentiles>,
    pub suggest: Percentiles,
    pub fts5_build_seconds: Option<f64>,
    pub fts5: Option<BTreeMap<String, Percentiles>>,
    /// The plainest use of tantivy on the same mix (`raw`), when its index was given.
    pub raw_tantivy: Option<BTreeMap<String, Percentiles>>,
}

/// Runs every measurement. `fts5_db`: where to build the SQLite database (skipped if None);
/// `raw_index`: the reference index built by `casebook-bench raw-index` (skipped if None).
pub fn measure(
    corpus: &Path,
    index: &Path,
    queries: &Path,
    rounds: usize,
    fts5_db: Option<&Path>,
    raw_index: Option<&Path>,
) -> anyhow::Result<Results> {
    let requests = load_queries(queries)?;
    eprintln!("parsing the corpus...");
    let started = Instant::now();
    let loaded = casebook_corpus::Corpus::load(corpus)?;
    let parse_seconds = started.elapsed().as_secs_f64();
    eprintln!("{} cases parsed in {parse_seconds:.2} s", loaded.cases.len());

    let started = Instant::now();
    let archive = Archive::open(index)?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;

    eprintln!("timing {} requests x {rounds} (single pass)...", requests.len());
    let casebook = time_by_class(&requests, rounds, |r| {
        std::hint::black_box(archive.search(r).ok());
    });
    eprintln!("timing the N+1 approach...");
    let faceted: Vec<SearchRequest> =
        requests.iter().filter(|r| class(r).starts_with("text+facets")).cloned().collect();
    let n_plus_one = time_by_class(&faceted, rounds, |r| {
        std::hint::black_box(n_plus_one(&archive, r));
    });
    let prefixes: Vec<String> = requests
        .iter()
        .filter_map(|r| r.q.split_whitespace().next())
        .flat_map(|w| {
            let chars: Vec<char> = w.chars().collect();
            (2..=chars.len().min(6)).map(move |n| chars[..n].iter().collect::<String>())
        })
        .collect();
    let mut suggest_samples = Vec::new();
    for round in 0..=rounds {
        for prefix in &prefixes {
            let started = Instant::now();
            std::hint::black_box(archive.suggest(prefix, 8));
            if round > 0 {
                suggest_samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }

    let (fts5_build_seconds, fts5) = match fts5_db {
        Some(path) => {
            eprintln!("building the SQLite FTS5 database...");
            let started = Instant::now();
            let connection = crate::fts5::build(path, &loaded.cases)?;
            let build = started.elapsed().as_secs_f64();
            eprintln!("built in {build:.1} s; timing the same requests...");
            let taxonomy = &loaded.vocabulary.taxonomy;
            let timings = time_by_class(&requests, rounds, |r| {
                std::hint::black_box(crate::fts5::search(&connection, taxonomy, r).ok());
            });
            (Some(build), Some(timings))
        }
        None => (None, None),
    };
    let raw_tantivy = match raw_index {
        Some(path) => {
            eprintln!("timing the same requests in plain tantivy...");
            let raw = crate::raw::open_dir(path)?;
            let taxonomy = &loaded.vocabulary.taxonomy;
            Some(time_by_class(&requests, rounds, |r| {
                std::hint::black_box(raw.search(taxonomy, r).ok());
            }))
        }
        None => None,
    };
    Ok(Results {
        raw_tantivy,
        cases: loaded.cases.len(),
        markdown_bytes: loaded.bytes,
        queries: requests.len(),
        parse_seconds,
        parse_mb_per_s: loaded.bytes as f64 / 1e6 / parse_seconds,
        open_ms,
        casebook,
        n_plus_one,
        suggest: percentiles(suggest_samples),
        fts5_build_seconds,
        fts5,
    })
}
