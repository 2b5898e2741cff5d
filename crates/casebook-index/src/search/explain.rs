//! Why a case matched: how many query words each hit of a long-text query contains, and,
//! with `explain=true`, the breakdown of a hit's score as Elasticsearch's explain gives it:
//! each word's contribution, and within it each clause's (fields, terms, boost, BM25), with
//! the share of the query's IDF mass the case covers. Only the hits of the page are examined,
//! after the collector's pass.

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use super::plan::Plan;
use crate::response::{ClauseExplanation, HitExplanation, Ranking, WordExplanation};

/// The page's hits grouped by segment: (segment, [(document, position in the page)]), each
/// segment's documents in ascending order, so one scorer per query and segment can seek
/// through them.
fn by_segment(addresses: &[DocAddress]) -> Vec<(u32, Vec<(u32, usize)>)> {
    let mut segments: Vec<u32> = addresses.iter().map(|a| a.segment_ord).collect();
    segments.sort_unstable();
    segments.dedup();
    segments
        .into_iter()
        .map(|segment| {
            let mut docs: Vec<(u32, usize)> = addresses
                .iter()
                .enumerate()
                .filter(|(_, a)| a.segment_ord == segment)
                .map(|(position, a)| (a.doc_id, position))
                .collect();
            docs.sort_unstable();
            (segment, docs)
        })
        .collect()
}

/// Calls `found(position, score)` for every hit of the page that `weight` matches.
fn visit(
    searcher: &Searcher,
    weight: &dyn Weight,
    segments: &[(u32, Vec<(u32, usize)>)],
    found: &mut dyn FnMut(usize, f32),
) -> tantivy::Result<()> {
    for (segment, docs) in segments {
        let mut scorer = weight.scorer(searcher.segment_reader(*segment), 1.0)?;
        for &(doc, position) in docs {
            let at = if scorer.doc() < doc { scorer.seek(doc) } else { scorer.doc() };
            if at == TERMINATED {
                break;
            }
            if at == doc {
                found(position, scorer.score());
            }
        }
    }
    Ok(())
}

/// For each address (of the page's hits), the number of `units` it matches.
pub fn matched_counts(
    searcher: &Searcher,
    units: &[Box<dyn Query>],
    addresses: &[DocAddress],
) -> tantivy::Result<Vec<usize>> {
    let mut counts = vec![0usize; addresses.len()];
    let segments = by_segment(addresses);
    for unit in units {
        let weight = unit.weight(EnableScoring::disabled_from_searcher(searcher))?;
        visit(searcher, weight.as_ref(), &segments, &mut |position, _| counts[position] += 1)?;
    }
    Ok(counts)
}

fn rounded(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

/// The breakdown of the score of each of the page's hits, in the order of `addresses`. Each
/// clause is weighed once and its scorer walks the page's documents, so explaining a page
/// costs about one more search of the page, not one per hit.
pub fn explain(searcher: &Searcher, plan: &Plan, addresses: &[DocAddress]) -> tantivy::Result<Vec<HitExplanation>> {
    let segments = by_segment(addresses);
    let coverage_weights = plan.coverage_weights();
    // scores[hit][unit][clause]: the clause's contribution, 0 when it does not match.
    let mut scores: Vec<Vec<Vec<f32>>> =
        vec![plan.units.iter().map(|unit| vec![0.0; unit.clauses.len()]).collect(); addresses.len()];
    for (u, unit) in plan.units.iter().enumerate() {
        for (c, clause) in unit.clauses.iter().enumerate() {
            let weight = clause.query.weight(EnableScoring::enabled_from_searcher(searcher))?;
            visit(searcher, weight.as_ref(), &segments, &mut |position, score| scores[position][u][c] = score)?;
        }
    }
    Ok(scores.iter().map(|hit| explain_hit(plan, &coverage_weights, hit)).collect())
}

/// One hit's explanation from its clauses' contributions.
fn explain_hit(plan: &Plan, coverage_weights: &[f32], scores: &[Vec<f32>]) -> HitExplanation {
    let mut words = Vec::with_capacity(plan.units.len());
    let mut bm25 = 0.0;
    let mut coverage = 0.0;
    for ((position, unit), clause_scores) in plan.units.iter().enumerate().zip(scores) {
        let mut clauses = Vec::new();
        let mut score = 0.0;
        for (clause, value) in unit.clauses.iter().zip(clause_scores) {
            if *value > 0.0 {
                score += value;
                let terms = if clause.terms.len() > 1 {
                    format!("\"{}\"", clause.terms.join(" "))
                } else {
                    clause.terms.join(" ")
                };
                clauses.push(ClauseExplanation {
                    field: clause.fields.clone(),
                    terms,
                    via: clause.via.name().to_string(),
                    boost: clause.boost,
                    score: rounded(*value),
                });
            }
        }
        let mut coverage_weight = 0.0;
        if plan.ranked {
            // A long text weights a word by its occurrences (tiers count each occurrence as a
            // unit of its own).
            score *= unit.count as f32;
            coverage_weight = coverage_weights.get(position).copied().unwrap_or(0.0);
            if !clauses.is_empty() {
                coverage += coverage_weight;
            }
        }
        bm25 += score;
        words.push(WordExplanation {
            word: unit.text.clone(),
            count: unit.count,
            idf: rounded(unit.idf),
            coverage_weight: rounded(coverage_weight),
            matched: !clauses.is_empty(),
            score: rounded(score),
            clauses,
        });
    }
    let matched_words = words.iter().filter(|w| w.matched).count();
    let (ranking, coverage) =
        if plan.ranked { (Ranking::Bm25, Some(rounded(coverage))) } else { (Ranking::MatchedWords, None) };
    HitExplanation { ranking, matched_words, bm25: rounded(bm25), coverage, words }
}
