//! The relevance measures of a ranked run against binary judgements (qrels), with
//! trec_eval's conventions so that our figures compare with the published baselines:
//!
//! - a query's documents are ranked by score, highest first, scores compared in single
//!   precision; equal scores are ordered by document id in descending string order (the rank
//!   column of a TREC run is ignored);
//! - a document is relevant when its judgement is >= 1; nDCG uses the judgement as the gain;
//! - means are over every query of the qrels with at least one relevant document; a query
//!   missing from the run scores 0; run queries that are not in the qrels are ignored;
//! - nDCG@10 is `ndcg_cut.10`, MAP@100 is `map_cut.100` (average precision over the top 100,
//!   divided by the number of relevant documents), R@100 is `recall.100`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

/// Judgements: query id -> document id -> relevance.
pub type Qrels = BTreeMap<String, BTreeMap<String, i32>>;

/// A run: query id -> (document id, score), in any order.
pub type Run = BTreeMap<String, Vec<(String, f64)>>;

/// The three figures of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Scores {
    /// nDCG at 10.
    #[serde(rename = "nDCG@10")]
    pub ndcg10: f64,
    /// Mean average precision over the top 100.
    #[serde(rename = "MAP@100")]
    pub map100: f64,
    /// Recall at 100.
    #[serde(rename = "R@100")]
    pub recall100: f64,
}

/// Reads a qrels file: `query doc relevance` (3 columns) or TREC's `query iter doc relevance`.
pub fn read_qrels(path: &Path) -> anyhow::Result<Qrels> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    parse_qrels(&text).with_context(|| format!("in `{}`", path.display()))
}

/// Parses qrels text (see [`read_qrels`]).
pub fn parse_qrels(text: &str) -> anyhow::Result<Qrels> {
    let mut qrels = Qrels::new();
    for (number, line) in text.lines().enumerate() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let (query, doc, relevance) = match parts.as_slice() {
            [] => continue,
            [query, doc, relevance] | [query, _, doc, relevance] => (query, doc, relevance),
            _ => anyhow::bail!("line {}: expected 3 or 4 columns, found {}", number + 1, parts.len()),
        };
        let relevance: f64 = relevance.parse().with_context(|| format!("line {}: relevance", number + 1))?;
        qrels.entry(query.to_string()).or_default().insert(doc.to_string(), relevance as i32);
    }
    Ok(qrels)
}

/// Parses a TREC run (`query Q0 doc rank score tag`); a repeated (query, doc) keeps its
/// highest score.
pub fn parse_run(text: &str) -> anyhow::Result<Run> {
    let mut best: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [query, _, doc, _, score, _] = parts.as_slice() else {
            if parts.is_empty() {
                continue;
            }
            anyhow::bail!("line {}: expected 6 columns (query Q0 doc rank score tag)", number + 1);
        };
        let score: f64 = score.parse().with_context(|| format!("line {}: score", number + 1))?;
        anyhow::ensure!(score.is_finite(), "line {}: the score is not a finite number", number + 1);
        let slot = best.entry(query.to_string()).or_default().entry(doc.to_string()).or_insert(score);
        *slot = slot.max(score);
    }
    Ok(best.into_iter().map(|(query, docs)| (query, docs.into_iter().collect())).collect())
}

/// A run in TREC format. `ranked` holds each query's documents best first, each with its tie
/// group (the rank of the first document it ties with); a document's score is `len − group`,
/// so the file says exactly this order, and tied documents share a score and are written in
/// the evaluator's order for ties (document id descending), so the file is the same whatever
/// order they came in. At most `depth` documents per query are written, cut in that order.
pub fn trec_run(ranked: &BTreeMap<String, Vec<(String, usize)>>, depth: usize, tag: &str) -> String {
    let mut out = String::new();
    for (query, docs) in ranked {
        let mut docs = docs.clone();
        docs.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        docs.truncate(depth);
        for (rank, (doc, group)) in docs.iter().enumerate() {
            let _ = writeln!(out, "{query} Q0 {doc} {} {} {tag}", rank + 1, docs.len() - group);
        }
    }
    out
}

/// trec_eval's order: score in single precision, highest first, then document id descending.
fn ranking(docs: &[(String, f64)]) -> Vec<&str> {
    let mut sorted: Vec<&(String, f64)> = docs.iter().collect();
    sorted.sort_by(|a, b| (b.1 as f32).total_cmp(&(a.1 as f32)).then_with(|| b.0.cmp(&a.0)));
    sorted.into_iter().map(|(doc, _)| doc.as_str()).collect()
}

/// The three figures of one query.
pub fn query_scores(judged: &BTreeMap<String, i32>, docs: &[(String, f64)]) -> Scores {
    let ranked = ranking(docs);
    let gain = |doc: &str| judged.get(doc).copied().unwrap_or(0).max(0) as f64;
    let relevant = judged.values().filter(|r| **r >= 1).count();
    if relevant == 0 {
        return Scores::default();
    }
    let dcg: f64 = ranked.iter().take(10).enumerate().map(|(i, doc)| gain(doc) / (i as f64 + 2.0).log2()).sum();
    let mut ideal: Vec<f64> = judged.values().filter(|r| **r > 0).map(|r| *r as f64).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal.iter().take(10).enumerate().map(|(i, g)| g / (i as f64 + 2.0).log2()).sum();
    let (mut hits, mut precision_sum) = (0usize, 0.0);
    for (i, doc) in ranked.iter().take(100).enumerate() {
        if judged.get(*doc).is_some_and(|r| *r >= 1) {
            hits += 1;
            precision_sum += hits as f64 / (i as f64 + 1.0);
        }
    }
    Scores {
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        map100: precision_sum / relevant as f64,
        recall100: hits as f64 / relevant as f64,
    }
}

/// Per-query figures of every judged query (with a relevant document), and their means.
pub fn evaluate(qrels: &Qrels, run: &Run) -> (Scores, BTreeMap<String, Scores>) {
    let mut per_query = BTreeMap::new();
    for (query, judged) in qrels {
        if !judged.values().any(|r| *r >= 1) {
            continue;
        }
        let docs = run.get(query).map(Vec::as_slice).unwrap_or_default();
        per_query.insert(query.clone(), query_scores(judged, docs));
    }
    let n = per_query.len().max(1) as f64;
    let mean = Scores {
        ndcg10: per_query.values().map(|s| s.ndcg10).sum::<f64>() / n,
        map100: per_query.values().map(|s| s.map100).sum::<f64>() / n,
        recall100: per_query.values().map(|s| s.recall100).sum::<f64>() / n,
    };
    (mean, per_query)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests panic on unexpected failures")]

    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    /// A toy example worked out by hand: four judged documents of grades 2, 1, 0 and 1; the
    /// run returns an irrelevant one first, then grade 2, an unjudged one, then grade 1.
    #[test]
    fn a_hand_computed_query() {
        let qrels = parse_qrels("q1 d1 2\nq1 d2 1\nq1 d3 0\nq1 d4 1\n").unwrap();
        let run = parse_run("q1 Q0 d3 1 5 t\nq1 Q0 d1 2 4 t\nq1 Q0 dx 3 3 t\nq1 Q0 d2 4 2 t\n").unwrap();
        let scores = query_scores(&qrels["q1"], &run["q1"]);
        let l = f64::log2;
        let dcg = 2.0 / l(3.0) + 1.0 / l(5.0);
        let idcg = 2.0 + 1.0 / l(3.0) + 1.0 / l(4.0);
        assert!(close(scores.ndcg10, dcg / idcg), "{scores:?}");
        // Relevant at ranks 2 and 4: (1/2 + 2/4) / 3 relevant.
        assert!(close(scores.map100, 1.0 / 3.0), "{scores:?}");
        assert!(close(scores.recall100, 2.0 / 3.0), "{scores:?}");
    }

    #[test]
    fn ties_in_single_precision_go_to_the_higher_document_id() {
        let qrels = parse_qrels("q 1 a 1\n").unwrap();
        // Distinct in double precision, equal in single: `b` ranks first, `a` second.
        let run = parse_run("q Q0 a 1 3.0000000001 t\nq Q0 b 2 3.0 t\n").unwrap();
        let scores = query_scores(&qrels["q"], &run["q"]);
        assert!(close(scores.ndcg10, 1.0 / 3f64.log2()), "{scores:?}");
    }

    #[test]
    fn missing_queries_score_zero_and_unjudged_ones_are_ignored() {
        let qrels = parse_qrels("q1 d1 1\nq2 d2 1\nq3 d3 0\n").unwrap();
        let run = parse_run("q1 Q0 d1 1 1 t\nqz Q0 d1 1 1 t\n").unwrap();
        let (mean, per_query) = evaluate(&qrels, &run);
        assert_eq!(per_query.len(), 2, "q3 has no relevant document");
        assert!(close(mean.ndcg10, 0.5) && close(mean.map100, 0.5) && close(mean.recall100, 0.5), "{mean:?}");
    }

    #[test]
    fn a_written_run_reads_back_in_the_same_order() {
        let mut ranked = BTreeMap::new();
        let docs = |list: &[(&str, usize)]| list.iter().map(|(d, g)| (d.to_string(), *g)).collect::<Vec<_>>();
        ranked.insert("7".to_string(), docs(&[("c", 0), ("a", 1), ("b", 2)]));
        // `e` and `f` tie: the evaluator puts the higher id first, whatever the order given.
        ranked.insert("8".to_string(), docs(&[("d", 0), ("e", 1), ("f", 1), ("a", 3)]));
        let run = parse_run(&trec_run(&ranked, 10, "casebook")).unwrap();
        assert_eq!(parse_run(&trec_run(&ranked, 2, "casebook")).unwrap()["8"].len(), 2);
        assert_eq!(ranking(&run["7"]), vec!["c", "a", "b"]);
        assert_eq!(ranking(&run["8"]), vec!["d", "f", "e", "a"]);
        assert!(parse_run("q Q0 d 1 NaN t\n").is_err());
        assert!(parse_run("q Q0 d 1\n").is_err());
    }
}
