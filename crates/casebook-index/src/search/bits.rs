//! A plain bitset over a segment's documents, with the few operations facet counting needs:
//! set a bit, test a bit, AND/OR in place, and the population count of an intersection
//! without building it. Words are `u64`, so counting one facet value over 1M documents reads
//! 15,625 words.

use tantivy::DocId;

/// One bit per document of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits {
    words: Vec<u64>,
}

impl Bits {
    /// No document set, room for `max_doc` documents.
    pub fn empty(max_doc: u32) -> Self {
        Bits { words: vec![0; (max_doc as usize).div_ceil(64)] }
    }

    /// Every document below `max_doc` set.
    pub fn full(max_doc: u32) -> Self {
        let mut bits = Bits { words: vec![u64::MAX; (max_doc as usize).div_ceil(64)] };
        let tail = max_doc % 64;
        if tail != 0
            && let Some(last) = bits.words.last_mut()
        {
            *last = (1u64 << tail) - 1;
        }
        bits
    }

    /// Sets a document's bit.
    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut(doc as usize / 64) {
            *word |= 1 << (doc % 64);
        }
    }

    /// Clears a document's bit.
    pub fn remove(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut(doc as usize / 64) {
            *word &= !(1 << (doc % 64));
        }
    }

    /// Whether a document's bit is set.
    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        self.words.get(doc as usize / 64).is_some_and(|word| word & (1 << (doc % 64)) != 0)
    }

    /// `self &= other`.
    pub fn and_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// `self |= other`.
    pub fn or_with(&mut self, other: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Number of documents set.
    pub fn len(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Number of documents set in both.
    pub fn intersection_len(&self, other: &Bits) -> u64 {
        self.words.iter().zip(&other.words).map(|(a, b)| u64::from((a & b).count_ones())).sum()
    }

    /// Number of words (the cost of one pass over the set).
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// Calls `f` with every document set, in order.
    #[inline]
    pub fn for_each(&self, mut f: impl FnMut(DocId)) {
        for (index, &word) in self.words.iter().enumerate() {
            let mut word = word;
            let base = (index * 64) as DocId;
            while word != 0 {
                f(base + word.trailing_zeros());
                word &= word - 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    #[test]
    fn set_operations_and_counts_agree_with_a_plain_list() {
        let mut a = Bits::empty(200);
        let mut b = Bits::full(200);
        assert_eq!(b.len(), 200, "the last word holds only the documents that exist");
        for doc in [0, 63, 64, 130, 199] {
            a.insert(doc);
        }
        assert!(a.contains(130) && !a.contains(131) && !a.contains(5000));
        assert_eq!(a.intersection_len(&b), 5);
        let mut seen = Vec::new();
        a.for_each(|doc| seen.push(doc));
        assert_eq!(seen, vec![0, 63, 64, 130, 199]);
        let mut odd = Bits::empty(200);
        (1..200).step_by(2).for_each(|doc| odd.insert(doc));
        b.and_with(&odd);
        assert_eq!(b.len(), 100);
        assert_eq!(a.intersection_len(&odd), 2, "63 and 199");
        a.or_with(&odd);
        assert_eq!(a.len(), 103);
    }
}
