//! The reference Casebook's search core is measured against: the plainest use of the engine
//! underneath. The same cases go into one tantivy index with ONE stemmed text field (title,
//! organisation, tags, summary, body) and the facets as plain fast fields; each request of
//! the mix runs the plainest way: an AND of the query's terms (the filters as term and range
//! clauses), the top 10 by BM25, the count, and terms aggregations of sector, region and year
//! over the matches. It does less than Casebook (no second language, synonyms, typos,
//! prefixes, tiers, snippets, and conjunctive rather than disjunctive counts): the ratio
//! to it says what all that costs.

use std::path::Path;

use casebook_corpus::{Case, RegionSelector, Taxonomy};
use casebook_index::SearchRequest;
use tantivy::aggregation::agg_req::Aggregations;
use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, TantivyDocument, Term};

const ANALYZER: &str = "raw_stemmed";

/// The reference index, open for searching.
pub struct RawIndex {
    reader: IndexReader,
    analyzer: TextAnalyzer,
    fields: RawFields,
    aggregations: Aggregations,
}

#[derive(Clone, Copy)]
struct RawFields {
    text: Field,
    sector: Field,
    country: Field,
    region: Field,
    year: Field,
    award: Field,
    language: Field,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Italian))
        .build()
}

fn schema() -> (Schema, RawFields) {
    let mut builder = Schema::builder();
    let text_options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = RawFields {
        text: builder.add_text_field("text", text_options),
        sector: builder.add_text_field("sector", STRING | FAST),
        country: builder.add_text_field("country", STRING | FAST),
        region: builder.add_text_field("region", STRING | FAST),
        year: builder.add_u64_field("year", INDEXED | FAST),
        award: builder.add_text_field("award", STRING | FAST),
        language: builder.add_text_field("language", STRING | FAST),
    };
    (builder.build(), fields)
}

fn aggregations() -> Aggregations {
    let terms = |field: &str| serde_json::json!({"terms": {"field": field, "size": 100}});
    let request = serde_json::json!({"sector": terms("sector"), "region": terms("region"), "year": terms("year")});
    // A constant request: it always parses.
    serde_json::from_value(request).unwrap_or_default()
}

fn open(index: Index, fields: RawFields) -> tantivy::Result<RawIndex> {
    index.tokenizers().register(ANALYZER, analyzer());
    let reader = index.reader()?;
    Ok(RawIndex { reader, analyzer: analyzer(), fields, aggregations: aggregations() })
}

/// Indexes `cases` into a new index at `path` (which must not hold one) with as many writer
/// threads as Casebook's builds use, and merges it into one segment as a full build does.
pub fn build(path: &Path, cases: &[Case]) -> tantivy::Result<RawIndex> {
    std::fs::create_dir_all(path)?;
    let (schema, fields) = schema();
    let index = Index::create_in_dir(path, schema)?;
    index.tokenizers().register(ANALYZER, analyzer());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, threads * 128 * 1024 * 1024)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    for case in cases {
        let record = &case.record;
        let mut doc = TantivyDocument::default();
        for text in [&record.title, &record.organisation, &record.summary, &case.body_text] {
            doc.add_text(fields.text, text);
        }
        for tag in &record.tags {
            doc.add_text(fields.text, tag);
        }
        for sector in &record.sectors {
            doc.add_text(fields.sector, sector);
        }
        doc.add_text(fields.country, &record.place.country);
        doc.add_text(fields.region, &record.place.region);
        doc.add_u64(fields.year, u64::from(record.year));
        doc.add_text(fields.award, casebook_corpus::text::slugify(&record.award));
        doc.add_text(fields.language, record.language.code());
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    open(index, fields)
}

/// Opens an index written by [`build`].
pub fn open_dir(path: &Path) -> tantivy::Result<RawIndex> {
    let index = Index::open_in_dir(path)?;
    let (_, fields) = schema();
    open(index, fields)
}

fn term_clause(field: Field, values: impl IntoIterator<Item = String>) -> Option<Box<dyn Query>> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = values
        .into_iter()
        .map(|value| {
            let term = TermQuery::new(Term::from_field_text(field, &value), IndexRecordOption::Basic);
            (Occur::Should, Box::new(term) as Box<dyn Query>)
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

impl RawIndex {
    /// Runs one request the plainest way; returns the number of matches (the top 10 and the
    /// aggregations are computed and dropped).
    pub fn search(&self, taxonomy: &Taxonomy, request: &SearchRequest) -> tantivy::Result<u64> {
        let fields = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(&request.q);
        while stream.advance() {
            let term = Term::from_field_text(fields.text, &stream.token().text);
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
        }
        let sectors = request.sector.iter().map(|v| taxonomy.sector(v).map_or_else(|| v.clone(), |s| s.id.clone()));
        if let Some(clause) = term_clause(fields.sector, sectors) {
            clauses.push((Occur::Must, clause));
        }
        if !request.region.is_empty() {
            let mut either: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for value in &request.region {
                let (field, value) = match taxonomy.region_selector(value) {
                    Some(RegionSelector::Country(code)) => (fields.country, code),
                    Some(RegionSelector::Region(region)) => (fields.region, region),
                    None => (fields.region, value.clone()),
                };
                either.push((
                    Occur::Should,
                    Box::new(TermQuery::new(Term::from_field_text(field, &value), IndexRecordOption::Basic)),
                ));
            }
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        if let Some(clause) = term_clause(fields.award, request.award.iter().map(|a| casebook_corpus::text::slugify(a)))
        {
            clauses.push((Occur::Must, clause));
        }
        if let Some(clause) = term_clause(fields.language, request.language.iter().cloned()) {
            clauses.push((Occur::Must, clause));
        }
        let (from, to) = match request.year {
            Some(year) => (Some(year), Some(year)),
            None => (request.year_from, request.year_to),
        };
        if from.is_some() || to.is_some() {
            let bound = |year: Option<u16>, inclusive: fn(Term) -> std::ops::Bound<Term>| {
                year.map_or(std::ops::Bound::Unbounded, |y| inclusive(Term::from_field_u64(fields.year, u64::from(y))))
            };
            let range = RangeQuery::new(bound(from, std::ops::Bound::Included), bound(to, std::ops::Bound::Included));
            clauses.push((Occur::Must, Box::new(range)));
        }
        let query: Box<dyn Query> =
            if clauses.is_empty() { Box::new(AllQuery) } else { Box::new(BooleanQuery::new(clauses)) };
        let searcher = self.reader.searcher();
        let context = AggContextParams::new(AggregationLimitsGuard::default(), Default::default());
        let aggregations = AggregationCollector::from_aggs(self.aggregations.clone(), context);
        let (count, top, counts) =
            searcher.search(&query, &(Count, TopDocs::with_limit(10).order_by_score(), aggregations))?;
        std::hint::black_box((top, counts));
        Ok(count as u64)
    }
}

#[cfg(test)]
mod tests {
    use casebook_index::{Archive, BuildOptions, SearchRequest, build_index};

    use crate::{GenOptions, generate};

    #[test]
    fn the_reference_counts_what_casebook_counts_for_filters() {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        generate(&corpus, &GenOptions { cases: 300, seed: 7, queries: 10 }).expect("corpus");
        let loaded = casebook_corpus::Corpus::load(&corpus).expect("load");
        let raw = super::build(&dir.path().join("raw"), &loaded.cases).expect("raw index");
        build_index(&corpus, &dir.path().join("index"), &BuildOptions::default(), &mut |_| {}).expect("index");
        let archive = Archive::open(&dir.path().join("index")).expect("open");
        let taxonomy = &loaded.vocabulary.taxonomy;
        let requests = [
            SearchRequest::default(),
            SearchRequest { sector: vec!["health".into()], ..Default::default() },
            SearchRequest {
                sector: vec!["health".into(), "energy".into()],
                region: vec!["ITC4".into()],
                ..Default::default()
            },
            SearchRequest {
                region: vec!["IT".into()],
                year_from: Some(2015),
                year_to: Some(2020),
                ..Default::default()
            },
            SearchRequest { language: vec!["en".into()], year: Some(2021), ..Default::default() },
        ];
        let mut nonzero = 0;
        for request in requests {
            let expected = archive.search(&request).expect("search").total;
            assert_eq!(raw.search(taxonomy, &request).expect("raw search"), expected, "{request:?}");
            nonzero += usize::from(expected > 0);
        }
        assert!(nonzero >= 4, "the requests select something");
    }
}
