//! Text analysis for Italian and English. Each case's text goes to the fields of its own
//! language, analysed by that language's stemmer; a query is analysed by both, so an English
//! query word reaches English cases by its English stem and Italian cases by its Italian stem
//! (and through the bilingual synonyms). A folded, unstemmed analysis serves names, prefixes
//! and typo tolerance.

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

/// Elided forms the Snowball Italian list misses (`coll'`, `gl'`, `c'`...).
const ITALIAN_EXTRA_STOP_WORDS: &[&str] = &["coll", "pell", "gl", "m", "t", "s", "v", "d", "c", "n", "po"];

/// The three analyzers, built once and cloned where needed.
#[derive(Clone)]
pub struct Analyzers {
    italian: TextAnalyzer,
    english: TextAnalyzer,
    folded: TextAnalyzer,
}

impl std::fmt::Debug for Analyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzers")
    }
}

/// The stop words of a language; chained filters, since tantivy's lists cannot be extended.
fn stop_words(language: StemLanguage) -> StopWordFilter {
    StopWordFilter::new(language).unwrap_or_else(|| StopWordFilter::remove(Vec::new()))
}

fn extra_stop_words(words: &[&str]) -> StopWordFilter {
    StopWordFilter::remove(words.iter().map(|w| w.to_string()))
}

impl Default for Analyzers {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzers {
    /// Builds the analyzers.
    pub fn new() -> Self {
        let italian = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(stop_words(StemLanguage::Italian))
            .filter(extra_stop_words(ITALIAN_EXTRA_STOP_WORDS))
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(StemLanguage::Italian))
            .build();
        let english = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(stop_words(StemLanguage::English))
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(StemLanguage::English))
            .build();
        let folded = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build();
        Analyzers { italian, english, folded }
    }

    /// Registers the analyzers on an index; needed by every process that opens it.
    pub fn register(&self, index: &Index) {
        let manager = index.tokenizers();
        manager.register(ITALIAN, self.italian.clone());
        manager.register(ENGLISH, self.english.clone());
        manager.register(FOLDED, self.folded.clone());
    }

    /// The analyzer of a case language.
    pub fn for_language(&self, language: Language) -> TextAnalyzer {
        match language {
            Language::It => self.italian.clone(),
            Language::En => self.english.clone(),
        }
    }

    /// The folded analyzer.
    pub fn folded(&self) -> TextAnalyzer {
        self.folded.clone()
    }

    /// The terms `text` produces in a language's fields.
    pub fn terms(&self, language: Language, text: &str) -> Vec<String> {
        collect_terms(&mut self.for_language(language), text)
    }

    /// The folded terms of `text`.
    pub fn folded_terms(&self, text: &str) -> Vec<String> {
        collect_terms(&mut self.folded(), text)
    }
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
        assert_eq!(analyzers.folded_terms("Città d'Arte"), vec!["citta", "d", "arte"]);
    }
}
