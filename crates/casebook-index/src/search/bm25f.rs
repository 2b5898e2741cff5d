//! BM25F (Robertson, Zaragoza and Taylor, "Simple BM25 extension to multiple weighted
//! fields", 2004): one term's frequencies in several fields of a case, each weighted by its
//! field's boost and normalised by the field's length, are added before BM25's saturation.
//! Summing a BM25 per field instead (what a disjunction of per-field term queries does)
//! rewards a common word for appearing in the title, the summary and the body as if it were
//! three words, and lets it outscore a rare word found once (issue 12: the derived summary
//! repeats the body's first paragraph, so every word of a case's lead counted twice).
//!
//! `score = idf × (k1 + 1) × t / (k1 + t)`, `t = Σ_f w_f × tf_f / (1 − b + b × len_f / avglen_f)`,
//! with tantivy's k1 = 1.2, b = 0.75, and idf from the largest document frequency among the
//! fields (the fields of a case mostly repeat each other's words).
//!
//! Several terms can be given: the spellings of one word (its synonyms, a hyphenated word
//! written as one) then count as one term, their frequencies added before saturation, as
//! Lucene's `SynonymQuery` does, so a case is not ranked up for using two synonyms.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::cursors::Cursors;

const K1: Score = 1.2;
const B: Score = 0.75;

/// One term (as indexed, or the spellings of one word) in several fields with their weights,
/// scored by BM25F.
#[derive(Debug, Clone)]
pub struct Bm25fQuery {
    fields: Vec<(Term, Score)>,
}

impl Bm25fQuery {
    /// The terms `texts` in each of `fields`, weighted.
    pub fn new(texts: &[String], fields: &[(Field, Score)]) -> Self {
        let terms = fields
            .iter()
            .flat_map(|(field, weight)| texts.iter().map(move |text| (Term::from_field_text(*field, text), *weight)))
            .collect();
        Bm25fQuery { fields: terms }
    }
}

impl Query for Bm25fQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let mut fields = Vec::with_capacity(self.fields.len());
        let mut idf = 1.0;
        if let EnableScoring::Enabled { statistics_provider, .. } = enable_scoring {
            let documents = statistics_provider.total_num_docs()?.max(1);
            let mut doc_freq = 0;
            for (term, weight) in &self.fields {
                let tokens = statistics_provider.total_num_tokens(term.field())?;
                doc_freq = doc_freq.max(statistics_provider.doc_freq(term)?);
                fields.push((term.clone(), *weight, (tokens as Score / documents as Score).max(1.0)));
            }
            let doc_freq = doc_freq.min(documents);
            idf = (1.0 + ((documents - doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5)).ln();
        } else {
            fields.extend(self.fields.iter().map(|(term, weight)| (term.clone(), *weight, 1.0)));
        }
        Ok(Box::new(Bm25fWeight { fields, idf }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (term, _) in &self.fields {
            visitor(term, false);
        }
    }
}

struct Bm25fWeight {
    /// Term, weight and average field length.
    fields: Vec<(Term, Score, Score)>,
    idf: Score,
}

/// What normalises one field's postings of the term in a segment.
struct FieldNorms {
    norms: FieldNormReader,
    /// The weighted, length-normalised frequency per tf = 1, by fieldnorm id.
    per_occurrence: [Score; 256],
}

impl Weight for Bm25fWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let (mut postings_of_fields, mut fields) =
            (Vec::with_capacity(self.fields.len()), Vec::with_capacity(self.fields.len()));
        for (term, weight, average) in &self.fields {
            let inverted = reader.inverted_index(term.field())?;
            let Some(postings) = inverted.read_postings(term, IndexRecordOption::WithFreqs)? else { continue };
            if postings.doc() == TERMINATED {
                continue;
            }
            let mut per_occurrence = [0.0; 256];
            for (id, slot) in per_occurrence.iter_mut().enumerate() {
                let length = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
                *slot = weight / (1.0 - B + B * length / average);
            }
            postings_of_fields.push(postings);
            fields.push(FieldNorms { norms: reader.get_fieldnorms_reader(term.field())?, per_occurrence });
        }
        if fields.is_empty() {
            // Recognised and dropped by a disjunction, which can then return its only clause.
            return Ok(Box::new(EmptyScorer));
        }
        let postings = Cursors::new(postings_of_fields);
        let doc = postings.min();
        Ok(Box::new(Bm25fScorer { postings, fields, doc, scale: self.idf * (K1 + 1.0) * boost }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #({doc}) does not match")));
        }
        let mut explanation = Explanation::new("BM25F, idf × (k1 + 1) × t / (k1 + t)", scorer.score());
        explanation.add_const("idf", self.idf);
        Ok(explanation)
    }
}

struct Bm25fScorer {
    /// Each field's postings of the term.
    postings: Cursors<SegmentPostings>,
    /// What normalises them, field by field.
    fields: Vec<FieldNorms>,
    doc: DocId,
    /// idf × (k1 + 1) × boost.
    scale: Score,
}

impl DocSet for Bm25fScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.postings.step_past(self.doc);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.postings.seek(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }

    fn cost(&self) -> u64 {
        self.postings.cost()
    }
}

impl Scorer for Bm25fScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut frequency: Score = 0.0;
        for ((postings, on), field) in self.postings.sets.iter().zip(&self.postings.docs).zip(&self.fields) {
            if *on == doc {
                let id = field.norms.fieldnorm_id(doc);
                frequency += postings.term_freq() as Score * field.per_occurrence[id as usize];
            }
        }
        self.scale * frequency / (K1 + frequency)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests panic on unexpected failures")]

    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// A word in the title and the body of one case, against a rare word once in another's
    /// body: per-field sums put the first case ahead, BM25F saturates it.
    #[test]
    fn a_word_repeated_across_fields_saturates_once() {
        let mut builder = Schema::builder();
        let title = builder.add_text_field("title", TEXT);
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let add = |t: &str, b: &str| {
            let mut doc = TantivyDocument::default();
            doc.add_text(title, t);
            doc.add_text(body, b);
            writer.add_document(doc).unwrap();
        };
        add("apple news", "apple apple orchard");
        add("fruit", "a pear");
        add("fruit", "apple pie");
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let query = Bm25fQuery::new(&["apple".to_string()], &[(title, 3.0), (body, 1.0)]);
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score()).unwrap();
        assert_eq!(top.len(), 2, "only the cases with the word");
        assert_eq!(top[0].1.doc_id, 0, "title and body first");
        // Saturation: the score stays below idf × (k1 + 1), whatever the frequencies.
        let idf = (1.0 + (3.0 - 2.0 + 0.5) / (2.0 + 0.5f32)).ln();
        assert!(top[0].0 < idf * (K1 + 1.0), "{} >= {}", top[0].0, idf * (K1 + 1.0));
        assert!(top[0].0 > top[1].0);
        let explanation = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
        let explained = explanation.explain(searcher.segment_reader(0), 0).unwrap();
        assert!((explained.value() - top[0].0).abs() < 1e-6);
        // Two spellings of a word count as one: "pear" joins "apple" without a second idf.
        let both = Bm25fQuery::new(&["apple".to_string(), "pear".to_string()], &[(title, 3.0), (body, 1.0)]);
        let top = searcher.search(&both, &TopDocs::with_limit(10).order_by_score()).unwrap();
        assert_eq!(top.len(), 3);
        assert!(top.iter().all(|(score, _)| *score < idf * (K1 + 1.0)));
    }
}
