//! Criterion benchmarks on a 2,000-case generated corpus (built once per run in a temporary
//! folder): parsing one case, the search classes with the single-pass collector, the N+1
//! approach for comparison, and suggestions. Large-corpus figures come from
//! `scripts/bench-compare.sh`.

use std::hint::black_box;
use std::path::Path;

use casebook_bench::harness::{class, load_queries, n_plus_one};
use casebook_bench::{GenOptions, generate};
use casebook_corpus::{Context, CorpusConfig, Taxonomy, max_award_year, parse_case};
use casebook_index::{Archive, BuildOptions, SearchRequest, build_index};
use criterion::{Criterion, criterion_group, criterion_main};

struct Fixture {
    _dir: tempfile::TempDir,
    archive: Archive,
    requests: Vec<SearchRequest>,
    sample_case: (std::path::PathBuf, Vec<u8>),
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = dir.path().join("corpus");
    generate(&corpus, &GenOptions { cases: 2_000, seed: 11, queries: 400 }).expect("generate");
    build_index(&corpus, &dir.path().join("index"), &BuildOptions::default(), &mut |_| {}).expect("index");
    let archive = Archive::open(&dir.path().join("index")).expect("open");
    let requests = load_queries(&corpus.join("queries.jsonl")).expect("queries");
    let first =
        std::fs::read_dir(corpus.join("cases/0000")).expect("cases").next().expect("a case").expect("entry").path();
    let bytes = std::fs::read(&first).expect("read");
    Fixture { sample_case: (first, bytes), _dir: dir, archive, requests }
}

fn benches(c: &mut Criterion) {
    let fixture = fixture();
    let taxonomy: Taxonomy = casebook_corpus::builtin::taxonomy();
    let config = CorpusConfig::default();
    let context = Context { taxonomy: &taxonomy, config: &config, max_year: max_award_year() };
    let (path, bytes) = &fixture.sample_case;
    c.bench_function("parse_case", |b| b.iter(|| black_box(parse_case(Path::new(path), black_box(bytes), &context))));

    for name in ["browse", "text", "text+facets", "text+facets+years"] {
        let requests: Vec<&SearchRequest> = fixture.requests.iter().filter(|r| class(r) == name).take(50).collect();
        if requests.is_empty() {
            continue;
        }
        c.bench_function(&format!("search/{name}"), |b| {
            b.iter(|| {
                for request in &requests {
                    black_box(fixture.archive.search(request).ok());
                }
            })
        });
        if name.starts_with("text+facets") {
            c.bench_function(&format!("search_n_plus_one/{name}"), |b| {
                b.iter(|| {
                    for request in &requests {
                        black_box(n_plus_one(&fixture.archive, request));
                    }
                })
            });
        }
    }
    c.bench_function("suggest/inno", |b| b.iter(|| black_box(fixture.archive.suggest(black_box("inno"), 8))));
}

criterion_group! {
    name = search;
    config = Criterion::default().sample_size(20).warm_up_time(std::time::Duration::from_secs(1)).measurement_time(std::time::Duration::from_secs(3));
    targets = benches
}
criterion_main!(search);
