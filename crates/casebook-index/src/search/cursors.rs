//! Several doc sets walked together, each on its own document: the moves shared by the
//! scorers that unite or count lists ([`Bm25fScorer`](super::bm25f) over a word's fields,
//! [`LazyUnion`](super::union::LazyUnion) over a unit's clauses, the
//! [`TieredScorer`](super::tiered::TieredScorer) over a query's units). Each set's current
//! document is kept in an array, so that finding the smallest, or the sets on a document,
//! reads the array instead of calling every set.

use tantivy::{DocId, DocSet, TERMINATED};

/// Doc sets and the document each is on.
pub(crate) struct Cursors<S> {
    /// The sets.
    pub sets: Vec<S>,
    /// The current document of each set.
    pub docs: Vec<DocId>,
}

impl<S: DocSet> Cursors<S> {
    /// Cursors over `sets`, each on its first document.
    pub fn new(sets: Vec<S>) -> Self {
        let docs = sets.iter().map(DocSet::doc).collect();
        Cursors { sets, docs }
    }

    /// The smallest current document ([`TERMINATED`] when every set is done).
    pub fn min(&self) -> DocId {
        self.docs.iter().copied().min().unwrap_or(TERMINATED)
    }

    /// Moves the sets on `current` to their next document; returns the smallest document
    /// after the move.
    pub fn step_past(&mut self, current: DocId) -> DocId {
        let mut next = TERMINATED;
        for (set, doc) in self.sets.iter_mut().zip(self.docs.iter_mut()) {
            if *doc == current {
                *doc = set.advance();
            }
            next = next.min(*doc);
        }
        next
    }

    /// Moves the sets behind `target` to their first document at or after it; returns the
    /// smallest document after the move.
    pub fn seek(&mut self, target: DocId) -> DocId {
        let mut next = TERMINATED;
        for (set, doc) in self.sets.iter_mut().zip(self.docs.iter_mut()) {
            if *doc < target {
                *doc = set.seek(target);
            }
            next = next.min(*doc);
        }
        next
    }

    /// How many sets are on `doc`.
    pub fn count_on(&self, doc: DocId) -> usize {
        self.docs.iter().filter(|d| **d == doc).count()
    }

    /// The sets on `doc`, in order.
    pub fn on(&mut self, doc: DocId) -> impl Iterator<Item = &mut S> {
        self.sets.iter_mut().zip(&self.docs).filter(move |(_, d)| **d == doc).map(|(set, _)| set)
    }

    /// The largest size hint of the sets.
    pub fn size_hint(&self) -> u32 {
        self.sets.iter().map(DocSet::size_hint).max().unwrap_or(0)
    }

    /// The sum of the sets' costs.
    pub fn cost(&self) -> u64 {
        self.sets.iter().map(DocSet::cost).sum()
    }
}
