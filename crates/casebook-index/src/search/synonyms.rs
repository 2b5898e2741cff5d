//! Synonyms matched at the stem level (issue 12): a query word or phrase belongs to a
//! synonym group when its stems, in Italian or in English, are the stems of a member of the
//! group, so every inflected form of a member reaches the whole group in both languages
//! (`innovazioni` finds the English cases about "innovation", `digital twins` finds
//! "gemello digitale"). Members are also matched as typed (lookup key), which covers
//! members made only of stop words in one language. Built once per opened archive.

use std::collections::{HashMap, HashSet};

use casebook_corpus::text::lookup_key;
use casebook_corpus::{Language, Synonyms};

use super::text::PhraseLookup;
use crate::analysis::Analyzers;

/// The synonym groups, indexed by each member's stems in each language and by its lookup key.
#[derive(Debug, Clone)]
pub struct SynonymIndex {
    groups: Vec<Vec<String>>,
    by_stems: HashMap<(Language, String), Vec<usize>>,
    by_key: HashMap<String, Vec<usize>>,
    /// The first stem of every member of two stems or more, per language, and the first word
    /// of every member of several words: where a synonym phrase can start.
    phrase_starts: HashSet<(Option<Language>, String)>,
    /// Words of the longest member (grouping consecutive query words looks this far).
    longest_phrase: usize,
    analyzers: Analyzers,
}

impl SynonymIndex {
    /// Indexes the groups of `synonyms` with the archive's analyzers.
    pub fn new(synonyms: &Synonyms, analyzers: &Analyzers) -> Self {
        let mut index = SynonymIndex {
            groups: synonyms.groups().to_vec(),
            by_stems: HashMap::new(),
            by_key: HashMap::new(),
            phrase_starts: HashSet::new(),
            longest_phrase: synonyms.longest_phrase(),
            analyzers: analyzers.clone(),
        };
        for (group, members) in synonyms.groups().iter().enumerate() {
            for member in members {
                for language in Language::ALL {
                    let terms = index.analyzers.terms(language, member);
                    if let [first, _, ..] = terms.as_slice() {
                        index.phrase_starts.insert((Some(language), first.clone()));
                    }
                    if !terms.is_empty() {
                        add(index.by_stems.entry((language, terms.join(" "))).or_default(), group);
                    }
                }
                let key = lookup_key(member);
                if let Some((first, _)) = key.split_once(' ') {
                    index.phrase_starts.insert((None, first.to_string()));
                }
                add(index.by_key.entry(key).or_default(), group);
            }
        }
        index
    }

    /// The stems of `text` in a language, joined by spaces; `None` when there are none.
    fn stems(&self, language: Language, text: &str) -> Option<String> {
        let terms = self.analyzers.terms(language, text);
        (!terms.is_empty()).then(|| terms.join(" "))
    }

    /// The groups `text` belongs to, by its stems in either language or as typed.
    fn groups_of(&self, text: &str) -> Vec<usize> {
        let mut groups: Vec<usize> = Vec::new();
        for language in Language::ALL {
            if let Some(key) = self.stems(language, text)
                && let Some(found) = self.by_stems.get(&(language, key))
            {
                found.iter().for_each(|g| add(&mut groups, *g));
            }
        }
        if let Some(found) = self.by_key.get(&lookup_key(text)) {
            found.iter().for_each(|g| add(&mut groups, *g));
        }
        groups
    }

    /// Whether `text` is (an inflected form of) a member of some group.
    pub fn contains(&self, text: &str) -> bool {
        !self.groups_of(text).is_empty()
    }

    /// Every member of every group `text` belongs to, except `text` as typed.
    pub fn expand(&self, text: &str) -> Vec<&str> {
        let key = lookup_key(text);
        let mut members: Vec<&str> = Vec::new();
        for group in self.groups_of(text) {
            for member in &self.groups[group] {
                if lookup_key(member) != key && !members.contains(&member.as_str()) {
                    members.push(member);
                }
            }
        }
        members
    }
}

impl PhraseLookup for SynonymIndex {
    fn may_start_phrase(&self, word: &str) -> bool {
        self.phrase_starts.contains(&(None, lookup_key(word)))
            || Language::ALL.iter().any(|&language| {
                self.analyzers
                    .terms(language, word)
                    .first()
                    .is_some_and(|first| self.phrase_starts.contains(&(Some(language), first.clone())))
            })
    }

    /// A run of query words is one unit when, in either language, it has at least two stems
    /// and they are those of a member (`comunità energetiche`, `heat pumps`).
    fn is_phrase(&self, words: &str) -> bool {
        // A run ending in a stop word is the shorter run that the caller tries next.
        let last = words.rsplit(' ').next().unwrap_or(words);
        Language::ALL.iter().any(|&language| {
            let terms = self.analyzers.terms(language, words);
            terms.len() >= 2
                && !self.analyzers.terms(language, last).is_empty()
                && self.by_stems.contains_key(&(language, terms.join(" ")))
        }) || self.by_key.contains_key(&lookup_key(words))
    }

    fn longest_phrase(&self) -> usize {
        self.longest_phrase
    }
}

fn add(list: &mut Vec<usize>, group: usize) {
    if !list.contains(&group) {
        list.push(group);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SynonymIndex {
        SynonymIndex::new(&casebook_corpus::builtin::synonyms(), &Analyzers::new())
    }

    #[test]
    fn inflected_forms_reach_the_whole_group() {
        let index = index();
        assert!(index.expand("innovazioni").contains(&"innovation"), "{:?}", index.expand("innovazioni"));
        assert!(index.expand("innovations").contains(&"innovazione"));
        assert!(index.expand("Innovazione").contains(&"innovation"));
        assert!(index.expand("digital twins").contains(&"gemello digitale"));
        assert!(index.expand("no such thing").is_empty());
    }

    #[test]
    fn runs_of_words_group_by_stems_with_at_least_two_stems() {
        let index = index();
        assert!(index.may_start_phrase("comunità") && index.may_start_phrase("Heat"));
        assert!(!index.may_start_phrase("the") && !index.may_start_phrase("alveari"));
        assert!(index.is_phrase("comunità energetiche"));
        assert!(index.is_phrase("heat pumps"));
        assert!(index.is_phrase("intelligenza artificiale"));
        assert!(!index.is_phrase("the cloud"), "one stem: the word is its own unit");
        assert!(!index.is_phrase("smart parking"));
        assert!(index.is_phrase("aziende agricole") && !index.is_phrase("aziende agricole una"));
    }
}
