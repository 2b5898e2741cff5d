//! Text analysis for Italian and English. Each case's text goes to the fields of its own
//! language, analysed by that language's stemmer; a query is analysed by both, so an English
//! query word reaches English cases by its English stem and Italian cases by its Italian stem
//! (and through the bilingual synonyms). A folded, unstemmed analysis serves names, prefixes
//! and typo tolerance.
//!
//! Stop words are a query-time matter (issue 12): the index keeps every word, so that a
//! phrase with a stop word inside ("internet of things") matches exactly and a case's length
//! for BM25 is its real length; query words are analysed with the stop word lists (data
//! files, `data/stopwords/`), so a stop word is never searched on its own.

use std::collections::HashSet;
use std::sync::LazyLock;

use casebook_corpus::Language;
use tantivy::Index;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language as StemLanguage, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenStream,
};

/// Tokenizer name of the Italian analyzer.
pub const ITALIAN: &str = "casebook_it";
/// Tokenizer name of the English analyzer.
pub const ENGLISH: &str = "casebook_en";
/// Tokenizer name of the folded (lowercase, accent-free, unstemmed) analyzer.
pub const FOLDED: &str = "casebook_folded";

/// Longest token kept, in bytes; longer ones are noise (hashes, URLs).
const MAX_TOKEN_BYTES: usize = 40;

/// The Italian stop words: Snowball's list and the elided forms it misses.
const ITALIAN_STOP_WORDS: &str = include_str!("../data/stopwords/it.txt");
/// The English stop words: Snowball's list.
const ENGLISH_STOP_WORDS: &str = include_str!("../data/stopwords/en.txt");

/// The words of a stop word file: one per line, `#` comments and blank lines skipped.
fn stop_word_list(file: &'static str) -> impl Iterator<Item = &'static str> {
    file.lines().map(|line| line.split('#').next().unwrap_or("").trim()).filter(|word| !word.is_empty())
}

static ITALIAN_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| stop_word_list(ITALIAN_STOP_WORDS).collect());
static ENGLISH_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| stop_word_list(ENGLISH_STOP_WORDS).collect());

/// Whether `word` (lowercase) is a stop word of `language`.
pub fn is_stop_word(language: Language, word: &str) -> bool {
    match language {
        Language::It => ITALIAN_SET.contains(word),
        Language::En => ENGLISH_SET.contains(word),
    }
}

/// The analyzers, built once and cloned where needed.
#[derive(Clone)]
pub struct Analyzers {
    /// Query words: stemmed, without stop words.
    italian: TextAnalyzer,
    english: TextAnalyzer,
    /// Indexed text and exact phrases: stemmed, every word.
    italian_index: TextAnalyzer,
    english_index: TextAnalyzer,
    folded: TextAnalyzer,
}

impl std::fmt::Debug for Analyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzers")
    }
}

/// The stop words of a list file (none for an empty file).
fn stop_words(file: &'static str) -> StopWordFilter {
    StopWordFilter::remove(stop_word_list(file).map(str::to_string))
}

impl Default for Analyzers {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzers {
    /// Builds the analyzers.
    pub fn new() -> Self {
        let stemmed = |language: StemLanguage, stop: Option<&'static str>| {
            let builder = TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
                .filter(LowerCaser)
                .filter(stop_words(stop.unwrap_or("")))
                .filter(AsciiFoldingFilter)
                .filter(Stemmer::new(language));
            builder.build()
        };
        let folded = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        Analyzers {
            italian: stemmed(StemLanguage::Italian, Some(ITALIAN_STOP_WORDS)),
            english: stemmed(StemLanguage::English, Some(ENGLISH_STOP_WORDS)),
            italian_index: stemmed(StemLanguage::Italian, None),
            english_index: stemmed(StemLanguage::English, None),
            folded,
        }
    }

    /// Registers the indexing analyzers on an index; needed by every process that opens it.
    pub fn register(&self, index: &Index) {
        let manager = index.tokenizers();
        manager.register(ITALIAN, self.italian_index.clone());
        manager.register(ENGLISH, self.english_index.clone());
        manager.register(FOLDED, self.folded.clone());
    }

    /// The query analyzer of a language (stop words dropped).
    pub fn for_language(&self, language: Language) -> TextAnalyzer {
        match language {
            Language::It => self.italian.clone(),
            Language::En => self.english.clone(),
        }
    }

    /// The indexing analyzer of a language (every word kept).
    fn index_analyzer(&self, language: Language) -> TextAnalyzer {
        match language {
            Language::It => self.italian_index.clone(),
            Language::En => self.english_index.clone(),
        }
    }

    /// The folded analyzer.
    pub fn folded(&self) -> TextAnalyzer {
        self.folded.clone()
    }

    /// The terms of `text` searched in a language's fields (its stems, stop words dropped).
    pub fn terms(&self, language: Language, text: &str) -> Vec<String> {
        collect_terms(&mut self.for_language(language), text)
    }

    /// [`Self::terms`] with their positions in `text` (a dropped stop word leaves a gap).
    pub fn positioned_terms(&self, language: Language, text: &str) -> Vec<(usize, String)> {
        positioned(&mut self.for_language(language), text)
    }

    /// Every term of `text` as indexed in a language's fields, with positions: an exact
    /// phrase, stop words included.
    pub fn phrase_terms(&self, language: Language, text: &str) -> Vec<(usize, String)> {
        positioned(&mut self.index_analyzer(language), text)
    }

    /// The stop words of a language as its indexing analyzer writes them (stemmed): the index
    /// keeps stop words, and MoreLikeThis, which picks terms from indexed text, must skip them.
    pub fn stop_stems(&self, language: Language) -> Vec<String> {
        let file = match language {
            Language::It => ITALIAN_STOP_WORDS,
            Language::En => ENGLISH_STOP_WORDS,
        };
        let mut analyzer = self.index_analyzer(language);
        let mut stems: Vec<String> = stop_word_list(file).flat_map(|word| collect_terms(&mut analyzer, word)).collect();
        stems.sort();
        stems.dedup();
        stems
    }

    /// The folded terms of `text`.
    pub fn folded_terms(&self, text: &str) -> Vec<String> {
        collect_terms(&mut self.folded(), text)
    }

    /// The folded terms of `text` with their positions.
    pub fn positioned_terms_folded(&self, text: &str) -> Vec<(usize, String)> {
        positioned(&mut self.folded(), text)
    }
}

fn positioned(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        let token = stream.token();
        terms.push((token.position, token.text.clone()));
    }
    terms
}

/// Runs an analyzer and returns the token texts.
pub fn collect_terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut terms = Vec::new();
    while stream.advance() {
        terms.push(stream.token().text.clone());
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_stems_plurals_and_folds_accents() {
        let analyzers = Analyzers::new();
        assert_eq!(analyzers.terms(Language::It, "innovazioni"), analyzers.terms(Language::It, "innovazione"));
        assert_eq!(analyzers.terms(Language::It, "citta"), analyzers.terms(Language::It, "città"));
        assert_eq!(analyzers.terms(Language::It, "Telemedicina"), analyzers.terms(Language::It, "telemedicina"));
        assert!(analyzers.terms(Language::It, "perché più della").is_empty());
    }

    #[test]
    fn english_stems_plurals() {
        let analyzers = Analyzers::new();
        assert_eq!(analyzers.terms(Language::En, "hospitals"), analyzers.terms(Language::En, "hospital"));
        assert!(analyzers.terms(Language::En, "the and of").is_empty());
        // The complete Snowball list, not only Lucene's 33 words (issue 12).
        assert!(analyzers.terms(Language::En, "have been so very few").is_empty());
        assert!(is_stop_word(Language::En, "ought") && !is_stop_word(Language::En, "far"));
        assert!(is_stop_word(Language::It, "coll") && is_stop_word(Language::It, "della"));
        assert_eq!(analyzers.folded_terms("Città d'Arte"), vec!["citta", "d", "arte"]);
    }

    #[test]
    fn stop_words_leave_position_gaps_and_phrases_keep_them() {
        let analyzers = Analyzers::new();
        let terms = analyzers.positioned_terms(Language::En, "Internet of Things");
        assert_eq!(terms, vec![(0, "internet".to_string()), (2, "thing".to_string())]);
        let phrase = analyzers.phrase_terms(Language::En, "Internet of Things");
        assert_eq!(phrase, vec![(0, "internet".to_string()), (1, "of".to_string()), (2, "thing".to_string())]);
    }
}
