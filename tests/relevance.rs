//! The relevance regression test (issue 12): the ADI collection (82 documents, 35 judged
//! queries, bundled in `crates/casebook-bench/data/ir/adi`) indexed and searched as
//! `scripts/relevance.sh` does it, through the library. nDCG@10 must not fall below the best
//! BM25 baseline of the collection; `scripts/relevance.sh` measures all three collections.

use casebook_bench::relevance::{Collection, best_baseline, data_dir, score, search_all};

use crate::util::Workspace;

#[test]
fn adi_ndcg_at_10_stays_at_or_above_the_best_bm25_baseline() {
    let collection = Collection::load(&data_dir(), "adi").unwrap();
    assert_eq!((collection.docs.len(), collection.queries.len()), (82, 35));
    let workspace = Workspace::new();
    collection.write_corpus(&workspace.corpus()).unwrap();
    let archive = workspace.build();
    assert_eq!(archive.case_count(), 82);
    let responses = search_all(&archive, &collection).unwrap();
    let outcome = score(&collection, &responses, 0.0).unwrap();
    let (system, baseline) = best_baseline("adi").unwrap();
    assert_eq!(outcome.queries, 35);
    assert!(
        outcome.scores.ndcg10 >= baseline.ndcg10,
        "ADI nDCG@10 {:.4} fell below the best BM25 baseline ({system}) {:.4}; MAP@100 {:.4}, R@100 {:.4}",
        outcome.scores.ndcg10,
        baseline.ndcg10,
        outcome.scores.map100,
        outcome.scores.recall100
    );
}
