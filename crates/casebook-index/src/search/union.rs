//! The query of one unit (a word or phrase with its synonyms, spellings and expansions): the
//! cases matching any of its clauses, scored as tantivy's `BooleanQuery` of `Should` clauses
//! scores them (the sum of the matching clauses' scores, in clause order), but lazily.
//!
//! tantivy's union buffers the next 4,096 documents of every clause and sums their scores
//! as it fills the buffer: every document of every clause is scored, even those that the
//! [`TieredScorer`](super::tiered::TieredScorer) then passes over (a case that fails a
//! filter, or whose tier is below the page's worst). [`LazyUnion`] keeps each clause on its
//! own document and sums the scores only when asked. A unit has a handful of clauses (two
//! languages' texts and metadata, the organisation); one with many (a prefix with dozens of
//! completions) keeps tantivy's buffered union, which walks many lists faster.

use tantivy::query::{BooleanQuery, EmptyScorer, EnableScoring, Explanation, Occur, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::cursors::Cursors;

/// Most clauses a unit unites lazily; above it, tantivy's buffered union.
const MAX_LAZY_CLAUSES: usize = 16;

/// Matches the cases that any of its clauses matches.
#[derive(Debug)]
pub struct UnitQuery {
    clauses: Vec<Box<dyn Query>>,
}

impl Clone for UnitQuery {
    fn clone(&self) -> Self {
        UnitQuery { clauses: self.clauses.iter().map(|q| q.box_clone()).collect() }
    }
}

impl UnitQuery {
    /// The disjunction of `clauses`: lazy for a few, tantivy's `BooleanQuery` for many.
    pub fn boxed(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        if clauses.len() > MAX_LAZY_CLAUSES {
            Box::new(BooleanQuery::new(clauses.into_iter().map(|clause| (Occur::Should, clause)).collect()))
        } else {
            Box::new(UnitQuery { clauses })
        }
    }
}

impl Query for UnitQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights =
            self.clauses.iter().map(|clause| clause.weight(enable_scoring)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(UnitWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for clause in &self.clauses {
            clause.query_terms(visitor);
        }
    }
}

struct UnitWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for UnitWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        Ok(match scorers.len() {
            0 => Box::new(EmptyScorer),
            1 => scorers.remove(0),
            _ => Box::new(LazyUnion::new(scorers)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #({doc}) does not match")));
        }
        let mut explanation = Explanation::new("sum of", scorer.score());
        for weight in &self.weights {
            if let Ok(detail) = weight.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// The union of a few scorers, each kept on its own document; scores are summed on demand.
pub(crate) struct LazyUnion {
    clauses: Cursors<Box<dyn Scorer>>,
    doc: DocId,
}

impl LazyUnion {
    fn new(scorers: Vec<Box<dyn Scorer>>) -> Self {
        let clauses = Cursors::new(scorers);
        let doc = clauses.min();
        LazyUnion { clauses, doc }
    }
}

impl DocSet for LazyUnion {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.clauses.step_past(self.doc);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.clauses.seek(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.clauses.size_hint()
    }

    fn cost(&self) -> u64 {
        self.clauses.cost()
    }
}

impl Scorer for LazyUnion {
    fn score(&mut self) -> Score {
        // In clause order, as tantivy's disjunction adds them.
        self.clauses.on(self.doc).fold(0.0, |sum: Score, scorer| sum + scorer.score())
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::doc;
    use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, Term};

    use super::*;

    /// Documents of words; each query word a clause. The lazy union must match the same
    /// documents with the same scores as tantivy's `BooleanQuery` of `Should` clauses.
    #[test]
    fn scores_and_matches_as_tantivy_s_disjunction_does() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000)?;
        let vocabulary = ["alfa", "beta", "gamma", "delta", "eta"];
        for n in 0..3_000u32 {
            let mut document = tantivy::TantivyDocument::default();
            for (i, w) in vocabulary.iter().enumerate() {
                if (n * 7 + i as u32 * 13).is_multiple_of(i as u32 + 2) {
                    document.add_text(word, w);
                }
            }
            writer.add_document(document)?;
        }
        writer.add_document(doc!(word => "zeta"))?;
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let clauses = || -> Vec<Box<dyn Query>> {
            ["alfa", "gamma", "eta", "missing"]
                .iter()
                .map(|w| {
                    Box::new(TermQuery::new(Term::from_field_text(word, w), IndexRecordOption::WithFreqs))
                        as Box<dyn Query>
                })
                .collect()
        };
        let tantivy_union = BooleanQuery::new(clauses().into_iter().map(|c| (Occur::Should, c)).collect());
        let lazy = UnitQuery { clauses: clauses() };
        let expected = searcher.search(&tantivy_union, &TopDocs::with_limit(5_000).order_by_score())?;
        let got = searcher.search(&lazy, &TopDocs::with_limit(5_000).order_by_score())?;
        assert_eq!(got.len(), expected.len());
        assert!(got.len() > 1_000, "{}", got.len());
        for ((score, address), (expected_score, expected_address)) in got.iter().zip(&expected) {
            assert_eq!(address, expected_address);
            assert_eq!(score.to_bits(), expected_score.to_bits());
        }
        // Seeking lands on the next match, as tantivy's union does.
        let reader = searcher.segment_reader(0);
        let enable = EnableScoring::enabled_from_searcher(&searcher);
        let mut lazy_scorer = lazy.weight(enable)?.scorer(reader, 1.0)?;
        let mut union_scorer = tantivy_union.weight(enable)?.scorer(reader, 1.0)?;
        for target in [1, 2, 500, 501, 2_999, 3_000] {
            assert_eq!(lazy_scorer.seek(target), union_scorer.seek(target), "seek {target}");
        }
        Ok(())
    }
}
