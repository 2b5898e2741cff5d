//! Turns parsed query units into tantivy queries. Each unit becomes one disjunction of
//! clauses: its term in the Italian and in the English fields (each analysed by that
//! language; the fields of a language scored together by BM25F with their weights; phrases
//! per field), its bilingual synonyms (matched at the stem level), the organisation
//! name, a hyphenated word's parts and joined form, and, for short queries, prefix
//! completions and typo corrections taken from the folded term dictionary (`dictionary.rs`).
//! Which units are counted, and how a long text is reduced to its distinctive words, is in
//! `longtext.rs`.

use std::collections::HashSet;

use casebook_corpus::Language;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::bm25f::Bm25fQuery;
use super::longtext;
use super::synonyms::SynonymIndex;
use super::text::{ParsedQuery, Unit};
use super::union::UnitQuery;
use crate::analysis::Analyzers;
use crate::request::MatchMode;
use crate::schema::Fields;

const TITLE_BOOST: f32 = 3.0;
const TAGS_BOOST: f32 = 2.0;
const ORGANISATION_BOOST: f32 = 2.0;
const SUMMARY_BOOST: f32 = 1.5;
const META_BOOST: f32 = 1.2;
const BODY_BOOST: f32 = 1.0;
const PREFIX_BOOST: f32 = 0.5;
const FUZZY_BOOST: f32 = 0.4;
/// Weight of the exact phrase of a hyphenated word next to its parts: the sequential
/// dependence model's ordered-window weight over its term weight (0.1 / 0.85; Metzler and
/// Croft, 2005).
const PHRASE_BONUS: f32 = 0.12;
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

/// Why a clause is part of a unit (shown by `explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The word or phrase itself.
    Word,
    /// A member of its synonym group.
    Synonym,
    /// The parts of a hyphenated word, anywhere in the field.
    Parts,
    /// A hyphenated word written as one (`ecommerce`).
    Joined,
    /// A completion of the word being typed.
    Prefix,
    /// A correction of a word the archive does not contain.
    Typo,
}

impl Via {
    /// The name shown by `explain`.
    pub fn name(self) -> &'static str {
        match self {
            Via::Word => "word",
            Via::Synonym => "synonym",
            Via::Parts => "parts",
            Via::Joined => "joined",
            Via::Prefix => "prefix",
            Via::Typo => "typo",
        }
    }
}

/// One clause of a unit's disjunction.
#[derive(Debug)]
pub struct Clause {
    /// The fields searched, with their weights when several are scored together (BM25F).
    pub fields: String,
    /// The terms, as indexed (a phrase's terms in order).
    pub terms: Vec<String>,
    /// Why the clause is there.
    pub via: Via,
    /// Its boost.
    pub boost: f32,
    /// The query, boost included.
    pub query: Box<dyn Query>,
}

/// A counted unit and its clauses.
#[derive(Debug)]
pub struct PlannedUnit {
    /// The word or phrase as typed (its first occurrence).
    pub text: String,
    /// Times it occurs in the query (weights the unit in long-text ranking).
    pub count: usize,
    /// Its inverse document frequency in the archive (long-text ranking; 0 otherwise).
    pub idf: f32,
    /// The disjunction's clauses.
    pub clauses: Vec<Clause>,
}

impl PlannedUnit {
    /// The unit's clauses one by one, each weighted by `count` (a long text sums them all).
    pub fn weighted_clauses(&self) -> impl Iterator<Item = Box<dyn Query>> + '_ {
        self.clauses.iter().map(|clause| boosted(clause.query.box_clone(), self.count as f32))
    }

    /// The unit's query: the disjunction of its clauses (a case matches the unit when it
    /// matches any of them), scored lazily ([`UnitQuery`]).
    pub fn query(&self) -> Box<dyn Query> {
        UnitQuery::boxed(self.clauses.iter().map(|c| c.query.box_clone()).collect())
    }
}

/// The tantivy side of a query.
#[derive(Debug)]
pub struct Plan {
    /// The counted units.
    pub units: Vec<PlannedUnit>,
    /// Queries whose matches are excluded.
    pub excluded: Vec<Box<dyn Query>>,
    /// Words to highlight.
    pub highlight: Highlight,
    /// Long text: ranked by BM25 alone instead of by matched words.
    pub ranked: bool,
    /// Content words left out of a long text (the least distinctive ones).
    pub left_out: Vec<String>,
}

impl Plan {
    /// The units' shares of the query's IDF mass (`count × idf`), adding up to 1; a unit
    /// the archive does not contain weighs nothing. Shown by `explain` as a hit's coverage.
    pub fn coverage_weights(&self) -> Vec<f32> {
        let mass: Vec<f32> = self.units.iter().map(|u| u.count as f32 * u.idf).collect();
        let total: f32 = mass.iter().sum();
        if total > 0.0 { mass.iter().map(|m| m / total).collect() } else { vec![0.0; self.units.len()] }
    }
}

/// What planning needs.
pub struct Planner<'a> {
    /// Field handles.
    pub fields: &'a Fields,
    /// Analyzers.
    pub analyzers: &'a Analyzers,
    /// Synonym groups, by stems.
    pub synonyms: &'a SynonymIndex,
    /// The searcher, for dictionary look-ups.
    pub searcher: &'a Searcher,
}

fn term_query(field: Field, term: &str, record: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, term), record))
}

/// A term, or a phrase whose terms keep the positions they had in the text (stop words leave
/// the same gaps as in the index).
fn term_or_phrase(field: Field, terms: &[(usize, String)]) -> Box<dyn Query> {
    match terms {
        [(_, term)] => term_query(field, term, IndexRecordOption::WithFreqsAndPositions),
        _ => {
            let first = terms.first().map_or(0, |(position, _)| *position);
            Box::new(PhraseQuery::new_with_offset(
                terms.iter().map(|(position, term)| (position - first, Term::from_field_text(field, term))).collect(),
            ))
        }
    }
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON { query } else { Box::new(BoostQuery::new(query, boost)) }
}

/// The clauses of one unit, without repeats (two spellings of a synonym with the same stem
/// would otherwise count twice).
#[derive(Default)]
struct Clauses {
    clauses: Vec<Clause>,
    seen: HashSet<(String, Vec<String>, bool)>,
}

impl Clauses {
    fn push(&mut self, fields: String, terms: Vec<String>, via: Via, boost: f32, query: Box<dyn Query>) {
        let parts = matches!(via, Via::Parts);
        if self.seen.insert((fields.clone(), terms.clone(), parts)) {
            self.clauses.push(Clause { fields, terms, via, boost, query: boosted(query, boost) });
        }
    }
}

impl Planner<'_> {
    /// Plans a parsed query: up to three content words are matched by tiers (every word
    /// first); longer texts with the default match mode are ranked by BM25 alone.
    pub fn plan(&self, query: &ParsedQuery, mode: MatchMode) -> Plan {
        let selection = longtext::select(self, query, mode);
        let mut highlight = Highlight::default();
        let mut units = Vec::new();
        for chosen in selection.units {
            let clauses = self.unit_clauses(&chosen.unit, true, !selection.ranked, &mut highlight);
            if !clauses.is_empty() {
                units.push(PlannedUnit { text: chosen.unit.text, count: chosen.count, idf: chosen.idf, clauses });
            }
        }
        let mut excluded = Vec::new();
        for text in &query.excluded {
            let unit = Unit { text: text.clone(), quoted: true, prefix: false };
            let clauses = self.unit_clauses(&unit, false, false, &mut Highlight::default());
            if !clauses.is_empty() {
                let clauses = clauses.into_iter().map(|c| (Occur::Should, c.query)).collect();
                excluded.push(Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>);
            }
        }
        Plan { units, excluded, highlight, ranked: selection.ranked, left_out: selection.left_out }
    }

    /// Whether a unit is noise: nothing but symbols, or, in a query of several units, a stop
    /// word (in `language` when the query's language is known, in either language
    /// otherwise: requiring it would only demote cases written in the other language). A
    /// quoted phrase or a synonym such as `AI` always counts.
    pub(crate) fn is_noise(&self, unit: &Unit, units: usize, language: Option<Language>) -> bool {
        if unit.quoted || self.synonyms.contains(&unit.text) {
            return false;
        }
        let no_terms = |language| self.analyzers.terms(language, &unit.text).is_empty();
        if self.analyzers.folded_terms(&unit.text).is_empty() {
            return true;
        }
        units > 1
            && match language {
                Some(language) => no_terms(language),
                None => no_terms(Language::It) || no_terms(Language::En),
            }
    }

    fn unit_clauses(&self, unit: &Unit, expand: bool, short: bool, highlight: &mut Highlight) -> Vec<Clause> {
        let mut alternatives = vec![(unit.text.clone(), Via::Word)];
        if expand && !unit.quoted {
            alternatives.extend(self.synonyms.expand(&unit.text).into_iter().map(|s| (s.to_string(), Via::Synonym)));
        }
        let mut clauses = Clauses::default();
        // Per language, the one-stem spellings (the word, its synonyms, a hyphenated word
        // written as one) are one term, scored together by BM25F.
        let mut blended: [(Vec<String>, Option<Via>); 2] = Default::default();
        for (alternative, via) in &alternatives {
            // A hyphenated word (`e-commerce`, `shock-sound`): its parts anywhere, or the
            // joined word, match; the exact phrase adds a bonus.
            let compound = expand && !unit.quoted && !alternative.contains(char::is_whitespace);
            for (slot, language) in Language::ALL.into_iter().enumerate() {
                let terms = self.analyzers.positioned_terms(language, alternative);
                let texts: Vec<String> = terms.iter().map(|(_, t)| t.clone()).collect();
                highlight.stems_mut(language).extend(texts.iter().cloned());
                if let [single] = texts.as_slice() {
                    blend(&mut blended[slot], single, *via);
                    continue;
                }
                if texts.is_empty() {
                    continue;
                }
                // A phrase is matched exactly, with its stop words.
                let exact = self.analyzers.phrase_terms(language, alternative);
                let weighted = self.weighted_fields(language);
                if compound {
                    // The parts in the text, not in the metadata: the "e" of "e-commerce" is not
                    // the "e" of a sector's Italian label.
                    let parts = texts
                        .iter()
                        .map(|part| {
                            let query = Bm25fQuery::new(std::slice::from_ref(part), &weighted);
                            (Occur::Must, Box::new(query) as Box<dyn Query>)
                        })
                        .collect();
                    clauses.push(
                        self.fields_name(language),
                        texts.clone(),
                        Via::Parts,
                        1.0,
                        Box::new(BooleanQuery::new(parts)),
                    );
                    let joined: String = alternative.chars().filter(|c| c.is_alphanumeric()).collect();
                    if let [(_, single)] = self.analyzers.positioned_terms(language, &joined).as_slice() {
                        blend(&mut blended[slot], single, Via::Joined);
                        highlight.stems_mut(language).insert(single.clone());
                    }
                    for (field, boost) in weighted {
                        let bonus = boost * PHRASE_BONUS;
                        clauses.push(self.field_name(field), texts.clone(), *via, bonus, term_or_phrase(field, &exact));
                    }
                } else {
                    let meta = (self.fields.language(language).meta, META_BOOST);
                    for (field, boost) in weighted.into_iter().chain([meta]) {
                        clauses.push(self.field_name(field), texts.clone(), *via, boost, term_or_phrase(field, &exact));
                    }
                }
            }
            let folded = self.analyzers.positioned_terms_folded(alternative);
            if !folded.is_empty() {
                let field = self.fields.organisation;
                let texts = folded.iter().map(|(_, t)| t.clone()).collect();
                clauses.push(self.field_name(field), texts, *via, ORGANISATION_BOOST, term_or_phrase(field, &folded));
                highlight.folded.extend(folded.into_iter().map(|(_, t)| t));
            }
        }
        for (language, (terms, via)) in Language::ALL.into_iter().zip(blended) {
            if let Some(via) = via {
                for (fields, query) in self.term_clauses(language, &terms) {
                    clauses.push(fields, terms.clone(), via, 1.0, query);
                }
            }
        }
        if !expand || unit.quoted || !short {
            return clauses.clauses;
        }
        let folded = self.analyzers.folded_terms(&unit.text);
        let [word] = folded.as_slice() else {
            return clauses.clauses;
        };
        if unit.prefix && word.chars().count() >= MIN_PREFIX_CHARS {
            for completion in self.prefix_completions(word) {
                if &completion != word {
                    let query = self.folded_term(&completion);
                    let field = self.field_name(self.fields.folded);
                    clauses.push(field, vec![completion.clone()], Via::Prefix, PREFIX_BOOST, query);
                }
                highlight.folded.insert(completion);
            }
        }
        let length = word.chars().count();
        if length >= 5 && self.doc_freq(word) == 0 {
            let distance = if length >= 9 { 2 } else { 1 };
            for correction in self.corrections(word, distance) {
                let query = self.folded_term(&correction);
                let field = self.field_name(self.fields.folded);
                clauses.push(field, vec![correction.clone()], Via::Typo, FUZZY_BOOST, query);
                highlight.folded.insert(correction);
            }
        }
        clauses.clauses
    }

    /// A language's text fields with their weights, scored together by BM25F. The metadata
    /// (sector and region labels, award, event) is not among them: the same few labels are on
    /// many cases, so it is scored on its own, and its words do not make a word of the texts
    /// look common.
    fn weighted_fields(&self, language: Language) -> [(Field, f32); 4] {
        let fields = self.fields.language(language);
        [
            (fields.title, TITLE_BOOST),
            (fields.tags, TAGS_BOOST),
            (fields.summary, SUMMARY_BOOST),
            (fields.body, BODY_BOOST),
        ]
    }

    /// The clauses of one term (or of the spellings of one word) in a language: the text
    /// fields by BM25F, the metadata on its own.
    fn term_clauses(&self, language: Language, terms: &[String]) -> [(String, Box<dyn Query>); 2] {
        let meta = (self.fields.language(language).meta, META_BOOST);
        let text: Box<dyn Query> = Box::new(Bm25fQuery::new(terms, &self.weighted_fields(language)));
        let metadata: Box<dyn Query> = Box::new(Bm25fQuery::new(terms, &[meta]));
        [(self.fields_name(language), text), (format!("{}^{META_BOOST}", self.field_name(meta.0)), metadata)]
    }

    fn field_name(&self, field: Field) -> String {
        self.fields.schema.get_field_name(field).to_string()
    }

    /// A language's weighted fields as `explain` shows them: `title_en^3 tags_en^2 ...`.
    fn fields_name(&self, language: Language) -> String {
        let names: Vec<String> = self
            .weighted_fields(language)
            .into_iter()
            .map(|(field, weight)| format!("{}^{weight}", self.fields.schema.get_field_name(field)))
            .collect();
        names.join(" ")
    }

    fn folded_term(&self, text: &str) -> Box<dyn Query> {
        term_query(self.fields.folded, text, IndexRecordOption::WithFreqs)
    }

    /// The number of cases containing `term` in a language's title or body (the larger).
    pub(crate) fn language_doc_freq(&self, language: Language, term: &str) -> u64 {
        let fields = self.fields.language(language);
        [fields.title, fields.body]
            .into_iter()
            .map(|field| self.searcher.doc_freq(&Term::from_field_text(field, term)).unwrap_or(0))
            .max()
            .unwrap_or(0)
    }
}

/// Adds a stem to a language's blended spellings (the word's own `via` wins).
fn blend(blended: &mut (Vec<String>, Option<Via>), stem: &str, via: Via) {
    if !blended.0.iter().any(|s| s == stem) {
        blended.0.push(stem.to_string());
    }
    if blended.1.is_none() || via == Via::Word {
        blended.1 = Some(via);
    }
}
