//! In-RAM unit tests of the hottest code of the search core: the single-pass disjunctive
//! facet collector (exact counts on a handful of cases) and the tiered scorer (matched words
//! decide before BM25, the minimum match, seeking).

use std::path::Path;
use std::sync::Arc;

use casebook_corpus::{Case, Context, Vocabulary, parse_case};
use tantivy::collector::TopDocs;
use tantivy::query::{AllQuery, EnableScoring, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, Index, IndexWriter, TantivyDocument, Term};

use super::collector::{Collected, FacetedCollector};
use super::facet_index::FacetCache;
use super::filters::{Filters, RegionFilter};
use super::tiered::{TIER_WEIGHT, TieredQuery, matched_units, relevance};
use crate::analysis::Analyzers;
use crate::document::case_document;
use crate::request::{Sort, YearRange};
use crate::schema::Fields;

/// A case from its front matter lines, checked by the corpus crate like a file.
fn case(id: &str, front_matter: &str) -> Case {
    let vocabulary = Vocabulary::builtin();
    let context = Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: 2030 };
    let text =
        format!("---\ntitle: Case {id}\norganisation: Org {id}\n{front_matter}\n---\n\nThe text of case {id}.\n");
    let parsed = parse_case(Path::new(&format!("{id}.md")), text.as_bytes(), &context);
    parsed.case.unwrap_or_else(|| panic!("case {id} is invalid: {:?}", parsed.diagnostics))
}

/// An in-RAM index of `cases`, one segment.
fn ram_index(cases: &[Case]) -> (Index, Fields) {
    let fields = Fields::new();
    let index = Index::create_in_ram(fields.schema.clone());
    Analyzers::new().register(&index);
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
    let taxonomy = Vocabulary::builtin().taxonomy;
    for case in cases {
        writer.add_document(case_document(&fields, &taxonomy, case)).expect("add");
    }
    writer.commit().expect("commit");
    (index, fields)
}

/// Six cases: sectors, Italian regions, years and languages chosen so that every count
/// below can be worked out by hand.
fn six_cases() -> Vec<Case> {
    vec![
        case("a", "year: 2019\nsector: health\nregion: Lombardia\nlanguage: it"),
        case("b", "year: 2020\nsector: [health, ict]\nregion: Lombardia\nlanguage: en"),
        case("c", "year: 2020\nsector: ict\nregion: Lazio\nlanguage: it"),
        case("d", "year: 2021\nsector: energy\nregion: Lazio\nlanguage: it"),
        case("e", "year: 2021\nsector: health\nregion: Piemonte\nlanguage: it"),
        case("f", "year: 2022\nsector: energy\nregion: Piemonte\nlanguage: en"),
    ]
}

/// Browses the index (no text) with `filters`, keeping up to 10 results.
fn browse(index: &Index, filters: Filters) -> Collected {
    let collector = FacetedCollector {
        filters,
        sort: Sort::YearDesc,
        tiered: false,
        units: 0,
        top_tier: 0,
        depth: 10,
        facets: Arc::new(FacetCache::open(&index.reader().expect("reader").searcher()).expect("facets")),
    };
    index.reader().expect("reader").searcher().search(&AllQuery, &collector).expect("search")
}

/// The counts of one group (0 sector, 1 region, 2 year, 3 award, 4 language), sorted.
fn counts(collected: &Collected, group: usize) -> Vec<(String, u64)> {
    let mut counts: Vec<(String, u64)> =
        collected.counts(0).nonzero(group).map(|(key, count)| (key.replace('\0', "/"), count)).collect();
    counts.sort();
    counts
}

fn pairs(expected: &[(&str, u64)]) -> Vec<(String, u64)> {
    expected.iter().map(|(key, count)| (key.to_string(), *count)).collect()
}

fn sectors(ids: &[&str]) -> Option<std::collections::HashSet<String>> {
    Some(ids.iter().map(|id| id.to_string()).collect())
}

#[test]
fn without_filters_every_case_is_a_result_and_counted_once_per_value() {
    let (index, _) = ram_index(&six_cases());
    let collected = browse(&index, Filters::default());
    assert_eq!(collected.totals, vec![6]);
    assert_eq!(counts(&collected, 0), pairs(&[("energy", 2), ("health", 3), ("ict", 2)]));
    assert_eq!(counts(&collected, 1), pairs(&[("IT/ITC1", 2), ("IT/ITC4", 2), ("IT/ITI4", 2)]));
    assert_eq!(counts(&collected, 2), pairs(&[("2019", 1), ("2020", 2), ("2021", 2), ("2022", 1)]));
    assert_eq!(counts(&collected, 4), pairs(&[("en", 2), ("it", 4)]));
    assert_eq!(collected.candidates.len(), 6);
}

#[test]
fn a_browse_leaves_out_deleted_cases() {
    let (index, fields) = ram_index(&six_cases());
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
    writer.delete_term(Term::from_field_text(fields.id, "b"));
    writer.commit().expect("commit");
    let collected = browse(&index, Filters { sector: sectors(&["health"]), ..Filters::default() });
    // Results: a and e; b (health, ict) is deleted, from the matches and from every count.
    assert_eq!(collected.totals, vec![2]);
    assert_eq!(collected.unfiltered_totals, vec![5]);
    assert_eq!(counts(&collected, 0), pairs(&[("energy", 2), ("health", 2), ("ict", 1)]));
    assert_eq!(counts(&collected, 4), pairs(&[("it", 2)]));
    assert_eq!(collected.candidates.len(), 2);
}

#[test]
fn each_group_is_counted_without_its_own_selection() {
    let (index, _) = ram_index(&six_cases());
    let collected = browse(&index, Filters { sector: sectors(&["health"]), ..Filters::default() });
    // Results: a, b, e.
    assert_eq!(collected.totals, vec![3]);
    // Sectors are counted over every case (the sector filter is their own): what each value
    // would give if it were selected instead.
    assert_eq!(counts(&collected, 0), pairs(&[("energy", 2), ("health", 3), ("ict", 2)]));
    // Other groups count the results only.
    assert_eq!(counts(&collected, 1), pairs(&[("IT/ITC1", 1), ("IT/ITC4", 2)]));
    assert_eq!(counts(&collected, 2), pairs(&[("2019", 1), ("2020", 1), ("2021", 1)]));
    assert_eq!(counts(&collected, 4), pairs(&[("en", 1), ("it", 2)]));
}

#[test]
fn with_two_filters_a_case_failing_one_group_counts_only_in_that_group() {
    let (index, _) = ram_index(&six_cases());
    let region = RegionFilter { regions: ["ITC4".to_string()].into(), ..RegionFilter::default() };
    let filters = Filters { sector: sectors(&["health", "energy"]), region: Some(region), ..Filters::default() };
    let collected = browse(&index, filters);
    // Results: a and b (health in Lombardia).
    assert_eq!(collected.totals, vec![2]);
    // Sectors over the cases in Lombardia (a, b), whatever their sector.
    assert_eq!(counts(&collected, 0), pairs(&[("health", 2), ("ict", 1)]));
    // Regions over the cases in health or energy (a, b, d, e, f), wherever they are.
    assert_eq!(counts(&collected, 1), pairs(&[("IT/ITC1", 2), ("IT/ITC4", 2), ("IT/ITI4", 1)]));
    assert_eq!(counts(&collected, 2), pairs(&[("2019", 1), ("2020", 1)]));
    // Case c fails both groups: counted nowhere.
}

#[test]
fn year_bounds_filter_the_results_and_leave_the_year_counts_open() {
    let (index, _) = ram_index(&six_cases());
    let filters = Filters { year: YearRange { from: Some(2020), to: Some(2021) }, ..Filters::default() };
    let collected = browse(&index, filters);
    assert_eq!(collected.totals, vec![4]);
    assert_eq!(counts(&collected, 2), pairs(&[("2019", 1), ("2020", 2), ("2021", 2), ("2022", 1)]));
    assert_eq!(counts(&collected, 0), pairs(&[("energy", 1), ("health", 2), ("ict", 2)]));
}

#[test]
fn the_page_is_kept_in_order_and_bounded_by_the_depth() {
    let (index, fields) = ram_index(&six_cases());
    let collector = FacetedCollector {
        filters: Filters::default(),
        sort: Sort::YearDesc,
        tiered: false,
        units: 0,
        top_tier: 0,
        depth: 3,
        facets: Arc::new(FacetCache::open(&index.reader().expect("reader").searcher()).expect("facets")),
    };
    let searcher = index.reader().expect("reader").searcher();
    let collected = searcher.search(&AllQuery, &collector).expect("search");
    assert_eq!(collected.totals, vec![6], "counts see every case, whatever the depth");
    let years: Vec<u64> = collected
        .candidates
        .iter()
        .map(|c| {
            let doc: TantivyDocument = searcher.doc(c.address).expect("doc");
            doc.get_first(fields.year).and_then(|v| tantivy::schema::Value::as_u64(&v)).expect("year")
        })
        .collect();
    assert_eq!(years, vec![2022, 2021, 2021]);
}

/// An index of plain documents in the folded field, for the scorer.
fn text_index(texts: &[&str]) -> (Index, Fields) {
    let fields = Fields::new();
    let index = Index::create_in_ram(fields.schema.clone());
    Analyzers::new().register(&index);
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).expect("writer");
    for (i, text) in texts.iter().enumerate() {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.id, format!("d{i}"));
        doc.add_text(fields.folded, text);
        writer.add_document(doc).expect("add");
    }
    writer.commit().expect("commit");
    (index, fields)
}

fn units(fields: &Fields, words: &[&str]) -> Vec<Box<dyn Query>> {
    words
        .iter()
        .map(|word| {
            Box::new(TermQuery::new(Term::from_field_text(fields.folded, word), IndexRecordOption::WithFreqs))
                as Box<dyn Query>
        })
        .collect()
}

#[test]
fn more_matched_words_rank_first_whatever_the_bm25() {
    let texts = ["solar panels", &"solar ".repeat(30), "panels wind", "nothing here"];
    let (index, fields) = text_index(&texts);
    let searcher = index.reader().expect("reader").searcher();
    let query = TieredQuery::new(units(&fields, &["solar", "panels", "wind"]), 1);
    let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score()).expect("search");
    let ranked: Vec<(u32, usize)> =
        top.iter().map(|(score, address)| (address.doc_id, matched_units(*score))).collect();
    // Documents 0 and 2 match two words, document 1 one (with by far the highest BM25), 3 none.
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[2], (1, 1));
    let mut firsts = vec![ranked[0], ranked[1]];
    firsts.sort();
    assert_eq!(firsts, vec![(0, 2), (2, 2)]);
    for (score, _) in &top {
        let bm25 = relevance(*score);
        assert!(bm25 > 0.0 && bm25 < TIER_WEIGHT, "{bm25}");
    }
}

#[test]
fn the_minimum_match_leaves_out_cases_with_fewer_words() {
    let texts = ["solar panels", &"solar ".repeat(30), "panels wind", "nothing here"];
    let (index, fields) = text_index(&texts);
    let searcher = index.reader().expect("reader").searcher();
    let query = TieredQuery::new(units(&fields, &["solar", "panels", "wind"]), 2);
    let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score()).expect("search");
    let mut docs: Vec<u32> = top.iter().map(|(_, address)| address.doc_id).collect();
    docs.sort();
    assert_eq!(docs, vec![0, 2]);
}

#[test]
fn seeking_lands_on_the_next_match_with_its_score() {
    let texts = ["solar", "wind", "solar wind", "hydro", "wind solar"];
    let (index, fields) = text_index(&texts);
    let searcher = index.reader().expect("reader").searcher();
    let query = TieredQuery::new(units(&fields, &["solar", "wind"]), 2);
    let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).expect("weight");
    let mut scorer = weight.scorer(searcher.segment_reader(0), 1.0).expect("scorer");
    assert_eq!(scorer.doc(), 2, "the first document with both words");
    assert_eq!(matched_units(scorer.score()), 2);
    assert_eq!(scorer.seek(3), 4, "seeking past a match finds the next one");
    assert_eq!(matched_units(scorer.score()), 2);
    assert_eq!(scorer.advance(), tantivy::TERMINATED);
}
