//! Why a case matched: how many query words each hit of a long-text query contains, and,
//! with `explain=true`, the breakdown of a hit's score as Elasticsearch's explain gives it:
//! each word's contribution, and within it each clause's (fields, terms, boost, BM25), with
//! the share of the query's IDF mass the case covers.
//! Only the hits of the page are examined, after the collector's pass.

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use super::plan::{Plan, PlannedUnit};
use crate::response::{ClauseExplanation, HitExplanation, Ranking, WordExplanation};

/// For each address (of the page's hits), the number of `units` it matches.
pub fn matched_counts(
    searcher: &Searcher,
    units: &[Box<dyn Query>],
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<usize>> {
    let mut counts = vec![0usize; addresses.len()];
    let weights: Vec<Box<dyn Weight>> = units
        .iter()
        .map(|unit| unit.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<_>>()?;
    let mut segments: Vec<u32> = addresses.iter().map(|a| a.segment_ord).collect();
    segments.sort_unstable();
    segments.dedup();
    for segment in segments {
        let reader = searcher.segment_reader(segment);
        let mut docs: Vec<(u32, usize)> = addresses
            .iter()
            .enumerate()
            .filter(|(_, a)| a.segment_ord == segment)
            .map(|(position, a)| (a.doc_id, position))
            .collect();
        docs.sort_unstable();
        for weight in &weights {
            let mut scorer = weight.scorer(reader, 1.0)?;
            for &(doc, position) in &docs {
                let at = if scorer.doc() < doc { scorer.seek(doc) } else { scorer.doc() };
                if at == TERMINATED {
                    break;
                }
                if at == doc {
                    counts[position] += 1;
                }
            }
        }
    }
    Ok(counts)
}

/// The contribution of `query` to the score of the case at `address` (0 when it does not
/// match).
fn contribution(searcher: &Searcher, query: &dyn Query, address: DocAddress) -> tantivy::Result<f32> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let reader = searcher.segment_reader(address.segment_ord);
    let mut scorer = weight.scorer(reader, 1.0)?;
    let at = if scorer.doc() < address.doc_id { scorer.seek(address.doc_id) } else { scorer.doc() };
    Ok(if at == address.doc_id { scorer.score() } else { 0.0 })
}

fn rounded(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

/// A word's clauses that match the case at `address`, and their sum.
fn word(searcher: &Searcher, unit: &PlannedUnit, address: DocAddress) -> tantivy::Result<WordExplanation> {
    let mut clauses = Vec::new();
    let mut score = 0.0;
    for clause in &unit.clauses {
        let value = contribution(searcher, clause.query.as_ref(), address)?;
        if value > 0.0 {
            score += value;
            let terms =
                if clause.terms.len() > 1 { format!("\"{}\"", clause.terms.join(" ")) } else { clause.terms.join(" ") };
            clauses.push(ClauseExplanation {
                field: clause.fields.clone(),
                terms,
                via: clause.via.name().to_string(),
                boost: clause.boost,
                score: rounded(value),
            });
        }
    }
    Ok(WordExplanation {
        word: unit.text.clone(),
        count: unit.count,
        idf: rounded(unit.idf),
        coverage_weight: 0.0,
        matched: !clauses.is_empty(),
        score,
        clauses,
    })
}

/// The breakdown of the score of the case at `address`.
pub fn explain(searcher: &Searcher, plan: &Plan, address: DocAddress) -> tantivy::Result<HitExplanation> {
    let weights = plan.coverage_weights();
    let mut words = Vec::with_capacity(plan.units.len());
    let mut bm25 = 0.0;
    for (position, unit) in plan.units.iter().enumerate() {
        let mut explained = word(searcher, unit, address)?;
        if plan.ranked {
            // A long text weights a word by its occurrences (tiers count each occurrence as a
            // unit of its own).
            explained.score *= unit.count as f32;
            explained.coverage_weight = rounded(weights.get(position).copied().unwrap_or(0.0));
        }
        bm25 += explained.score;
        explained.score = rounded(explained.score);
        words.push(explained);
    }
    let matched_words = words.iter().filter(|w| w.matched).count();
    let (ranking, coverage) = if plan.ranked {
        let coverage: f32 =
            weights.iter().zip(&words).filter(|(_, word)| word.matched).map(|(weight, _)| *weight).sum();
        (Ranking::Bm25, Some(rounded(coverage)))
    } else {
        (Ranking::MatchedWords, None)
    };
    Ok(HitExplanation { ranking, matched_words, bm25: rounded(bm25), coverage, words })
}
