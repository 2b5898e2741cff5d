//! A query that counts how many query units a case matches, and scores it in one of two ways
//! ([`Ranking`]):
//!
//! - **tiers** (short queries): cases that match more units come first, whatever their BM25,
//!   and BM25 orders cases within a tier: `score = matched_units × TIER_WEIGHT + min(bm25,
//!   TIER_WEIGHT − 1)`. This is Meilisearch's "words" ranking rule, evaluated in one pass over
//!   the postings.
//! - **bm25** (long texts, issue 12): one tier for every case matching any unit, ordered by
//!   the sum of the units' scores alone: `score = TIER_WEIGHT + squash(bm25)`, the squashing
//!   monotonic so the order is BM25's whatever the sum. No word count outranks BM25, and a
//!   stop word or a very common word, worth almost nothing in BM25, cannot decide the order.
//!
//! The collector reads the tier back from the score ([`matched_units`]).

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::cursors::Cursors;

/// Weight of one matched unit in the score.
pub const TIER_WEIGHT: Score = 1000.0;

/// Scale of the squashing of a BM25-ranked score into one tier: `x ↦ (TIER_WEIGHT − 1) × x /
/// (x + SQUASH_SCALE)`.
const SQUASH_SCALE: Score = 100.0;

/// How a [`TieredQuery`] scores a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// Matched units first, BM25 within.
    Tiers,
    /// One tier, BM25 alone.
    Bm25,
}

fn squash(value: Score) -> Score {
    let value = value.max(0.0);
    (TIER_WEIGHT - 1.0) * value / (value + SQUASH_SCALE)
}

/// The BM25 of a BM25-ranked score (the inverse of the squashing).
pub fn ranked_relevance(score: Score) -> Score {
    let squashed = relevance(score).clamp(0.0, TIER_WEIGHT - 1.5);
    SQUASH_SCALE * squashed / (TIER_WEIGHT - 1.0 - squashed)
}

/// The number of units a score says were matched.
pub fn matched_units(score: Score) -> usize {
    (score / TIER_WEIGHT).floor().max(0.0) as usize
}

/// The BM25 part of a score.
pub fn relevance(score: Score) -> Score {
    score - matched_units(score) as Score * TIER_WEIGHT
}

/// Matches cases that contain at least `min_match` of the units.
#[derive(Debug)]
pub struct TieredQuery {
    units: Vec<Box<dyn Query>>,
    min_match: usize,
    ranking: Ranking,
}

impl Clone for TieredQuery {
    fn clone(&self) -> Self {
        TieredQuery {
            units: self.units.iter().map(|q| q.box_clone()).collect(),
            min_match: self.min_match,
            ranking: self.ranking,
        }
    }
}

impl TieredQuery {
    /// A query over `units` requiring `min_match` of them (at least 1), ranked by tiers.
    pub fn new(units: Vec<Box<dyn Query>>, min_match: usize) -> Self {
        TieredQuery { units, min_match: min_match.max(1), ranking: Ranking::Tiers }
    }

    /// A query matching the cases that any of `clauses` matches, ranked by the sum of their
    /// scores alone (the clauses of every unit, each weighted by its unit's count).
    pub fn bm25(clauses: Vec<Box<dyn Query>>) -> Self {
        let units = clauses;
        TieredQuery { units, min_match: 1, ranking: Ranking::Bm25 }
    }
}

impl Query for TieredQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self.units.iter().map(|unit| unit.weight(enable_scoring)).collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(TieredWeight { weights, min_match: self.min_match, ranking: self.ranking }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for unit in &self.units {
            unit.query_terms(visitor);
        }
    }
}

struct TieredWeight {
    weights: Vec<Box<dyn Weight>>,
    min_match: usize,
    ranking: Ranking,
}

impl Weight for TieredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if self.ranking == Ranking::Bm25 {
            return Ok(Box::new(AccumulatedScorer::new(&self.weights, reader, boost)?));
        }
        let mut scorers = Vec::with_capacity(self.weights.len());
        for weight in &self.weights {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                scorers.push(scorer);
            }
        }
        let mut scorer = TieredScorer {
            units: Cursors::new(scorers),
            min_match: self.min_match,
            ranking: self.ranking,
            doc: 0,
            matched: 0,
            score: None,
            scratch: Vec::new(),
        };
        scorer.find_match();
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #({doc}) does not match")));
        }
        let score = scorer.score();
        let description = match self.ranking {
            Ranking::Tiers => format!("matches {} units, bm25 {:.3}", matched_units(score), relevance(score)),
            Ranking::Bm25 => format!("bm25 {:.3}", ranked_relevance(score)),
        };
        Ok(Explanation::new_with_string(description, score))
    }
}

/// The scorer of a [`TieredQuery`] ranked by tiers. It counts the units on each document as
/// it finds it, and sums their BM25 only when asked ([`Scorer::score`]): a collector that
/// knows a document cannot make the page (it fails a filter, or its tier is below the page's
/// worst) never pays for it.
pub(crate) struct TieredScorer {
    /// The units' scorers, each on its own document (a long text has 25).
    units: Cursors<Box<dyn Scorer>>,
    min_match: usize,
    ranking: Ranking,
    doc: DocId,
    /// Units matched by the current document.
    matched: usize,
    /// The current document's score, once computed.
    score: Option<Score>,
    /// Room to find the `min_match`-th smallest position.
    scratch: Vec<DocId>,
}

impl TieredScorer {
    /// Moves to the first document at or after the sub-scorers' positions that enough units
    /// match, leaving the sub-scorers on it so that its score can be summed when asked. With a minimum of `k`
    /// units, no document before the `k`-th smallest position can match: the sub-scorers
    /// behind it skip ahead to it (`seek` jumps over whole blocks of postings), so requiring
    /// every unit costs an intersection, not a union.
    fn find_match(&mut self) -> DocId {
        loop {
            let candidate = if self.min_match <= 1 {
                self.units.min()
            } else if self.units.docs.len() < self.min_match {
                TERMINATED
            } else {
                self.scratch.clear();
                self.scratch.extend_from_slice(&self.units.docs);
                *self.scratch.select_nth_unstable(self.min_match - 1).1
            };
            if candidate == TERMINATED {
                self.doc = TERMINATED;
                return TERMINATED;
            }
            if self.min_match > 1 {
                self.units.seek(candidate);
            }
            let matched = self.units.count_on(candidate);
            if matched >= self.min_match {
                self.doc = candidate;
                self.matched = matched;
                self.score = None;
                return candidate;
            }
            self.units.step_past(candidate);
        }
    }
}

impl DocSet for TieredScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        self.units.step_past(self.doc);
        self.find_match()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        self.units.seek(target);
        self.find_match()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.units.size_hint()
    }

    fn cost(&self) -> u64 {
        self.units.cost()
    }
}

/// The BM25 ranking of a long text, computed term at a time: each sub-query's postings are
/// read once, in order, adding into one score per document of the segment, instead of
/// merging 25 or more lists document by document. The documents are then handed out in
/// order, each with its sum.
struct AccumulatedScorer {
    /// The sum of each document's scores.
    sums: Vec<Score>,
    /// Which documents match something, 64 to a word.
    matched: Vec<u64>,
    count: u32,
    doc: DocId,
}

impl AccumulatedScorer {
    fn new(weights: &[Box<dyn Weight>], reader: &SegmentReader, boost: Score) -> tantivy::Result<Self> {
        let max_doc = reader.max_doc() as usize;
        let mut sums = vec![0.0; max_doc];
        let mut matched = vec![0u64; max_doc.div_ceil(64)];
        for weight in weights {
            let mut scorer = weight.scorer(reader, boost)?;
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if let Some(sum) = sums.get_mut(doc as usize) {
                    *sum += scorer.score();
                    matched[doc as usize / 64] |= 1 << (doc % 64);
                }
                doc = scorer.advance();
            }
        }
        let count = matched.iter().map(|word| word.count_ones()).sum();
        let mut scorer = AccumulatedScorer { sums, matched, count, doc: 0 };
        scorer.doc = scorer.next_from(0);
        Ok(scorer)
    }

    /// The first matched document at or after `from`.
    fn next_from(&self, from: DocId) -> DocId {
        let mut index = from as usize / 64;
        let Some(first) = self.matched.get(index) else { return TERMINATED };
        let mut word = first & (u64::MAX << (from % 64));
        loop {
            if word != 0 {
                return (index * 64) as DocId + word.trailing_zeros();
            }
            index += 1;
            match self.matched.get(index) {
                Some(next) => word = *next,
                None => return TERMINATED,
            }
        }
    }
}

impl DocSet for AccumulatedScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.next_from(target);
        }
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.count
    }
}

impl Scorer for AccumulatedScorer {
    fn score(&mut self) -> Score {
        TIER_WEIGHT + squash(self.sums.get(self.doc as usize).copied().unwrap_or(0.0))
    }
}

impl TieredScorer {
    /// Units matched by the current document.
    pub fn matched(&self) -> usize {
        self.matched
    }
}

impl Scorer for TieredScorer {
    fn score(&mut self) -> Score {
        if let Some(score) = self.score {
            return score;
        }
        let bm25 = self.units.on(self.doc).fold(0.0, |sum: Score, scorer| sum + scorer.score());
        let score = match self.ranking {
            Ranking::Tiers => self.matched as Score * TIER_WEIGHT + bm25.clamp(0.0, TIER_WEIGHT - 1.0),
            Ranking::Bm25 => TIER_WEIGHT + squash(bm25),
        };
        self.score = Some(score);
        score
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests panic on unexpected failures")]

    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, EnableScoring, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, TantivyDocument};

    use super::*;

    /// The term-at-a-time sum of a long text gives every matching case once, in order, with
    /// the score a disjunction of the same clauses gives, and seeks like any scorer.
    #[test]
    fn bm25_ranking_sums_the_clauses_of_every_matching_case() {
        let mut builder = Schema::builder();
        let body = builder.add_text_field("body", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for text in ["bees honey", "honey", "bread", "bees bees sensors", "sensors", "oven"] {
            let mut doc = TantivyDocument::default();
            doc.add_text(body, text);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let clause = |word: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(body, word), IndexRecordOption::WithFreqs))
        };
        let words = ["bees", "honey", "sensors"];
        let ranked = TieredQuery::bm25(words.iter().map(|w| clause(w)).collect());
        let disjunction = BooleanQuery::new(words.iter().map(|w| (Occur::Should, clause(w))).collect());
        let reader = searcher.segment_reader(0);
        let weight = ranked.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        let mut seen = Vec::new();
        while scorer.doc() != TERMINATED {
            seen.push((scorer.doc(), ranked_relevance(scorer.score())));
            scorer.advance();
        }
        let expected = searcher.search(&disjunction, &TopDocs::with_limit(10).order_by_score()).unwrap();
        assert_eq!(seen.iter().map(|(doc, _)| *doc).collect::<Vec<_>>(), vec![0, 1, 3, 4]);
        for (score, address) in expected {
            let (_, ours) = seen.iter().find(|(doc, _)| *doc == address.doc_id).unwrap();
            assert!((ours - score).abs() < 1e-3, "doc {}: {ours} against {score}", address.doc_id);
        }
        // One tier for all: the collector sees the same matched-units count for every case.
        assert!(seen.iter().all(|(_, score)| *score > 0.0));
        let mut scorer = weight.scorer(reader, 1.0).unwrap();
        assert_eq!(matched_units(scorer.score()), 1);
        assert_eq!(scorer.seek(2), 3, "seeking past a case that matches nothing");
        assert_eq!(scorer.seek(5), TERMINATED);
    }
}
