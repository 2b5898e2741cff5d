//! Turns parsed query units into tantivy queries. Each unit becomes one disjunction over:
//! its terms in the Italian and English fields (each analysed by that language, with field
//! boosts), its bilingual synonyms, the organisation name, and, where it applies, prefix
//! completions and typo corrections taken from the folded term dictionary.

use std::collections::{HashMap, HashSet};

use casebook_corpus::{Language, Synonyms};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::text::{ParsedQuery, Unit};
use crate::analysis::Analyzers;
use crate::schema::Fields;

const TITLE_BOOST: f32 = 3.0;
const TAGS_BOOST: f32 = 2.0;
const ORGANISATION_BOOST: f32 = 2.0;
const SUMMARY_BOOST: f32 = 1.5;
const META_BOOST: f32 = 1.2;
const BODY_BOOST: f32 = 1.0;
const PREFIX_BOOST: f32 = 0.5;
const FUZZY_BOOST: f32 = 0.4;
/// Most completions a prefix expands to (the most frequent ones).
const MAX_PREFIX_EXPANSIONS: usize = 10;
/// Most dictionary terms scanned per segment for one prefix.
const MAX_PREFIX_SCAN: usize = 4000;
/// Most corrections a misspelt word expands to.
const MAX_FUZZY_EXPANSIONS: usize = 8;
/// Shortest prefix completed.
const MIN_PREFIX_CHARS: usize = 2;

/// Words to highlight in snippets, per analysis.
#[derive(Debug, Clone, Default)]
pub struct Highlight {
    /// Italian stems.
    pub it: HashSet<String>,
    /// English stems.
    pub en: HashSet<String>,
    /// Folded words (exact words, completions and corrections).
    pub folded: HashSet<String>,
}

impl Highlight {
    /// The stems of a language.
    pub fn stems(&self, language: Language) -> &HashSet<String> {
        match language {
            Language::It => &self.it,
            Language::En => &self.en,
        }
    }

    fn stems_mut(&mut self, language: Language) -> &mut HashSet<String> {
        match language {
            Language::It => &mut self.it,
            Language::En => &mut self.en,
        }
    }
}

/// The tantivy side of a query.
pub struct Plan {
    /// One query per counted unit.
    pub units: Vec<Box<dyn Query>>,
    /// Queries whose matches are excluded.
    pub excluded: Vec<Box<dyn Query>>,
    /// Words to highlight.
    pub highlight: Highlight,
}

/// What planning needs.
pub struct Planner<'a> {
    /// Field handles.
    pub fields: &'a Fields,
    /// Analyzers.
    pub analyzers: &'a Analyzers,
    /// Synonym groups.
    pub synonyms: &'a Synonyms,
    /// The searcher, for dictionary look-ups.
    pub searcher: &'a Searcher,
}

fn term_or_phrase(field: Field, terms: &[String], record: IndexRecordOption) -> Box<dyn Query> {
    if terms.len() == 1 {
        Box::new(TermQuery::new(Term::from_field_text(field, &terms[0]), record))
    } else {
        Box::new(PhraseQuery::new(terms.iter().map(|t| Term::from_field_text(field, t)).collect()))
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { query } else { Box::new(BoostQuery::new(query, boost)) }
}

impl Planner<'_> {
    /// Plans a parsed query.
    pub fn plan(&self, query: &ParsedQuery) -> Plan {
        let mut highlight = Highlight::default();
        let counted: Vec<&Unit> = query.units.iter().filter(|unit| !self.is_noise(unit, query.units.len())).collect();
        let mut units = Vec::new();
        for unit in counted {
            let clauses = self.unit_clauses(unit, true, &mut highlight);
            if !clauses.is_empty() {
                units.push(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>);
            }
        }
        let mut excluded = Vec::new();
        for text in &query.excluded {
            let unit = Unit { text: text.clone(), quoted: true, prefix: false };
            let clauses = self.unit_clauses(&unit, false, &mut Highlight::default());
            if !clauses.is_empty() {
                excluded.push(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>);
            }
        }
        Plan { units, excluded, highlight }
    }

    /// A unit that is a stop word in either language (`la`, `the`, `in`), and not a synonym
    /// such as `AI`, is not counted when the query has other units: requiring it would only
    /// demote cases written in the other language.
    fn is_noise(&self, unit: &Unit, units: usize) -> bool {
        if unit.quoted || self.synonyms.contains(&unit.text) {
            return false;
        }
        let no_terms = |language| self.analyzers.terms(language, &unit.text).is_empty();
        let folded_empty = self.analyzers.folded_terms(&unit.text).is_empty();
        folded_empty || (units > 1 && (no_terms(Language::It) || no_terms(Language::En)))
    }

    fn unit_clauses(&self, unit: &Unit, expand: bool, highlight: &mut Highlight) -> Vec<(Occur, Box<dyn Query>)> {
        let mut alternatives = vec![unit.text.clone()];
        if expand && !unit.quoted {
            alternatives.extend(self.synonyms.expand(&unit.text).into_iter().map(str::to_string));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let positions = IndexRecordOption::WithFreqsAndPositions;
        for alternative in &alternatives {
            for language in Language::ALL {
                let terms = self.analyzers.terms(language, alternative);
                if terms.is_empty() {
                    continue;
                }
                let fields = self.fields.language(language);
                for (field, boost) in [
                    (fields.title, TITLE_BOOST),
                    (fields.tags, TAGS_BOOST),
                    (fields.summary, SUMMARY_BOOST),
                    (fields.meta, META_BOOST),
                    (fields.body, BODY_BOOST),
                ] {
                    clauses.push((Occur::Should, boosted(term_or_phrase(field, &terms, positions), boost)));
                }
                highlight.stems_mut(language).extend(terms);
            }
            let folded = self.analyzers.folded_terms(alternative);
            if !folded.is_empty() {
                clauses.push((
                    Occur::Should,
                    boosted(term_or_phrase(self.fields.organisation, &folded, positions), ORGANISATION_BOOST),
                ));
                highlight.folded.extend(folded);
            }
        }
        if !expand || unit.quoted {
            return clauses;
        }
        let folded = self.analyzers.folded_terms(&unit.text);
        let [word] = folded.as_slice() else {
            return clauses;
        };
        let mut extra: Vec<String> = Vec::new();
        if unit.prefix && word.chars().count() >= MIN_PREFIX_CHARS {
            extra.extend(self.prefix_completions(word));
        }
        let length = word.chars().count();
        if length >= 5 && self.doc_freq(word) == 0 {
            let distance = if length >= 9 { 2 } else { 1 };
            let corrections = self.corrections(word, distance);
            for correction in &corrections {
                clauses.push((Occur::Should, boosted(self.folded_term(correction), FUZZY_BOOST)));
            }
            highlight.folded.extend(corrections);
        }
        for completion in extra {
            if &completion != word {
                clauses.push((Occur::Should, boosted(self.folded_term(&completion), PREFIX_BOOST)));
            }
            highlight.folded.insert(completion);
        }
        clauses
    }

    fn folded_term(&self, text: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(Term::from_field_text(self.fields.folded, text), IndexRecordOption::WithFreqs))
    }

    fn doc_freq(&self, word: &str) -> u64 {
        self.searcher.doc_freq(&Term::from_field_text(self.fields.folded, word)).unwrap_or(0)
    }

    /// The most frequent folded terms starting with `prefix`, across segments.
    fn prefix_completions(&self, prefix: &str) -> Vec<String> {
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

    /// The most frequent folded terms within `distance` edits of `word`.
    fn corrections(&self, word: &str, distance: u8) -> Vec<String> {
        let query = FuzzyTermQuery::new(Term::from_field_text(self.fields.folded, word), distance, true);
        let mut frequencies: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let Ok(automaton) = query.automaton() else { return Vec::new() };
            let Ok(inverted) = segment.inverted_index(self.fields.folded) else { continue };
            let Ok(mut stream) = inverted.terms().search(automaton).into_stream() else { continue };
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
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
