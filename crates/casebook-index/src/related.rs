//! Related cases, both ways: the cases a case names in its `related` field (those still in
//! the archive) and the cases that name it (found through the indexed `related` ids), as
//! short references, oldest first.

use std::collections::BTreeMap;

use casebook_corpus::CaseRecord;
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;

use crate::archive::Archive;
use crate::error::SearchError;

/// Most cases that name one case considered (a generous bound: `related` is curated).
const MAX_REFERRING: usize = 200;

/// A related case, as the case detail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelatedCase {
    /// Case id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Award year.
    pub year: u16,
}

impl Archive {
    /// The cases related to `record`, both ways, without repeats: the ones it names that are
    /// in the archive and the ones that name it; oldest first, then by title.
    pub fn related(&self, record: &CaseRecord) -> Result<Vec<RelatedCase>, SearchError> {
        let mut found: BTreeMap<String, RelatedCase> = BTreeMap::new();
        for id in &record.related {
            if let Some(case) = self.case(id)? {
                found.insert(id.clone(), reference(&case.record));
            }
        }
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.related, &record.id), IndexRecordOption::Basic);
        for (_, address) in searcher.search(&query, &TopDocs::with_limit(MAX_REFERRING).order_by_score())? {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(case) = self.stored(&doc)?
                && case.record.id != record.id
            {
                found.entry(case.record.id.clone()).or_insert_with(|| reference(&case.record));
            }
        }
        let mut related: Vec<RelatedCase> = found.into_values().collect();
        related.sort_by(|a, b| a.year.cmp(&b.year).then_with(|| a.title.cmp(&b.title)));
        Ok(related)
    }
}

fn reference(record: &CaseRecord) -> RelatedCase {
    RelatedCase { id: record.id.clone(), title: record.title.clone(), year: record.year }
}
