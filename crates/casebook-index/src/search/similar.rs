//! "Similar cases": tantivy's MoreLikeThis over the case's title and body in its language,
//! plus a boost for cases sharing a sector, which also reaches cases in the other language.
//! The index keeps stop words, so MoreLikeThis is given them to skip.

use tantivy::query::{BooleanQuery, BoostQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, OwnedValue};
use tantivy::{DocAddress, Searcher, Term};

use crate::analysis::Analyzers;
use crate::schema::Fields;
use casebook_corpus::CaseRecord;

/// Weight of a shared sector against text similarity.
const SECTOR_BOOST: f32 = 1.5;

/// The best `limit` cases similar to `case`, never `case` itself.
pub fn similar(
    searcher: &Searcher,
    fields: &Fields,
    analyzers: &Analyzers,
    case: &CaseRecord,
    body_text: &str,
    limit: usize,
) -> tantivy::Result<Vec<(f32, DocAddress)>> {
    let text_fields = fields.language(case.language);
    let more_like_this = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_max_doc_frequency(searcher.num_docs().max(2) / 2)
        .with_min_term_frequency(1)
        .with_max_query_terms(30)
        .with_min_word_length(3)
        .with_stop_words(analyzers.stop_stems(case.language))
        .with_document_fields(vec![
            (text_fields.title, vec![OwnedValue::Str(case.title.clone())]),
            (text_fields.body, vec![OwnedValue::Str(body_text.to_string())]),
        ]);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, Box::new(more_like_this))];
    for sector in &case.sectors {
        let term = Term::from_facet(fields.sector, &Facet::from_path([sector.as_str()]));
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::Basic)), SECTOR_BOOST)),
        ));
    }
    clauses.push((
        Occur::MustNot,
        Box::new(TermQuery::new(Term::from_field_text(fields.id, &case.id), IndexRecordOption::Basic)),
    ));
    let query = BooleanQuery::new(clauses);
    searcher.search(&query, &tantivy::collector::TopDocs::with_limit(limit.max(1)).order_by_score())
}
