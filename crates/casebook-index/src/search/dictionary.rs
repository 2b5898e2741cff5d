//! The folded term dictionary as the planner reads it: whether a word occurs in the archive,
//! the most frequent completions of a prefix (search-as-you-type) and the most frequent
//! corrections of a word the archive does not contain (typo tolerance).

use std::collections::HashMap;

use tantivy::Term;
use tantivy::query::FuzzyTermQuery;

use super::plan::Planner;

/// Most completions a prefix expands to (the most frequent ones).
const MAX_PREFIX_EXPANSIONS: usize = 10;
/// Most dictionary terms scanned per segment for one prefix.
const MAX_PREFIX_SCAN: usize = 4000;
/// Most corrections a misspelt word expands to.
const MAX_FUZZY_EXPANSIONS: usize = 8;

impl Planner<'_> {
    /// The number of cases containing the folded word.
    pub(crate) fn doc_freq(&self, word: &str) -> u64 {
        self.searcher.doc_freq(&Term::from_field_text(self.fields.folded, word)).unwrap_or(0)
    }

    /// The most frequent folded terms starting with `prefix`, across segments.
    pub(crate) fn prefix_completions(&self, prefix: &str) -> Vec<String> {
        let mut frequencies: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.fields.folded) else { continue };
            let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream() else { continue };
            let mut scanned = 0;
            while stream.advance() && scanned < MAX_PREFIX_SCAN {
                let key = stream.key();
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                scanned += 1;
                if let Ok(term) = std::str::from_utf8(key) {
                    *frequencies.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        top_by_frequency(frequencies, MAX_PREFIX_EXPANSIONS)
    }

    /// The most frequent folded terms within `distance` edits of `word` that begin with the
    /// same letter (a typo in the first letter is rare, and allowing one mostly finds other
    /// words: `efficiently` is not `sufficiently`).
    pub(crate) fn corrections(&self, word: &str, distance: u8) -> Vec<String> {
        let query = FuzzyTermQuery::new(Term::from_field_text(self.fields.folded, word), distance, true);
        let first = word.chars().next();
        let mut frequencies: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(automaton) = query.automaton() else { return Vec::new() };
            let Ok(inverted) = segment.inverted_index(self.fields.folded) else { continue };
            let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else { continue };
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key())
                    && term.chars().next() == first
                {
                    *frequencies.entry(term.to_string()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
        top_by_frequency(frequencies, MAX_FUZZY_EXPANSIONS)
    }
}

fn top_by_frequency(frequencies: HashMap<String, u64>, limit: usize) -> Vec<String> {
    let mut terms: Vec<(String, u64)> = frequencies.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.into_iter().take(limit).map(|(term, _)| term).collect()
}
