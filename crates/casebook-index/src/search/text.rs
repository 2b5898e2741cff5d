//! Reads the text a visitor typed into words, quoted phrases and exclusions. Nothing here
//! can fail: any string, however malformed, yields a (possibly empty) query. Which words are
//! counted (stop words, long texts) is decided later, in `longtext.rs`.

use casebook_corpus::Synonyms;
use casebook_corpus::text::lookup_key;

use crate::request::MAX_QUERY_CHARS;

/// Most units read from a text (2,000 characters of prose hold about 300 words); stop words
/// are among them: the cap on counted words applies after they are dropped.
pub const MAX_WORDS: usize = 500;
/// Most exclusions considered.
pub const MAX_EXCLUSIONS: usize = 8;

/// Tells which runs of consecutive words are one synonym phrase ("intelligenza artificiale").
pub trait PhraseLookup {
    /// Whether a run of words can start with `word` (a cheap test before [`Self::is_phrase`]).
    fn may_start_phrase(&self, word: &str) -> bool {
        let _ = word;
        true
    }
    /// Whether the words, joined by spaces, are one phrase.
    fn is_phrase(&self, words: &str) -> bool;
    /// Words of the longest phrase.
    fn longest_phrase(&self) -> usize;
}

/// Phrases as written in the synonym file (matched by lookup key).
impl PhraseLookup for Synonyms {
    fn is_phrase(&self, words: &str) -> bool {
        self.contains(words)
    }

    fn longest_phrase(&self) -> usize {
        Synonyms::longest_phrase(self)
    }
}

/// One unit of matching: a word, a quoted phrase, or a multi-word synonym ("intelligenza
/// artificiale"). A case matches the unit when it matches any of its forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The words as typed.
    pub text: String,
    /// Typed inside quotes: matched as an exact phrase, without synonyms or typo tolerance.
    pub quoted: bool,
    /// The last word being typed: also matches as a prefix.
    pub prefix: bool,
}

/// The parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedQuery {
    /// Units in query order.
    pub units: Vec<Unit>,
    /// Words or phrases after `-`: cases containing them are excluded.
    pub excluded: Vec<String>,
}

#[derive(Debug)]
enum Token {
    Word { text: String, negated: bool },
    Phrase { text: String, negated: bool },
}

fn tokenize(input: &str) -> (Vec<Token>, bool) {
    let cleaned: String = input
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .map(|c| if matches!(c, '“' | '”' | '«' | '»') { '"' } else { c })
        .collect();
    let ends_open = !cleaned.ends_with(char::is_whitespace) && !cleaned.ends_with('"');
    let chars: Vec<char> = cleaned.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace() && *n != '-');
        if negated {
            i += 1;
        }
        if chars[i] == '"' {
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && chars[end] != '"' {
                end += 1;
            }
            let text: String = chars[start..end].iter().collect();
            if !text.trim().is_empty() {
                tokens.push(Token::Phrase { text: text.trim().to_string(), negated });
            }
            i = end + 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        tokens.push(Token::Word { text, negated });
    }
    (tokens, ends_open)
}

/// Parses query text, grouping consecutive words that form a synonym phrase into one unit.
pub fn parse(input: &str, synonyms: &impl PhraseLookup) -> ParsedQuery {
    let (tokens, ends_open) = tokenize(input);
    // A last "word" of symbols only (the final `.` of a sentence) is no word: the one before
    // it is finished, not being typed.
    let last_is_open_word = ends_open
        && matches!(tokens.last(), Some(Token::Word { text, negated: false }) if !lookup_key(text).is_empty());
    let mut query = ParsedQuery::default();
    let mut words: Vec<String> = Vec::new();
    let flush = |words: &mut Vec<String>, query: &mut ParsedQuery| {
        let mut start = 0;
        while start < words.len() {
            let longest = synonyms.longest_phrase().min(words.len() - start);
            let mut taken = 1;
            if longest >= 2 && synonyms.may_start_phrase(&words[start]) {
                for length in (2..=longest).rev() {
                    if synonyms.is_phrase(&words[start..start + length].join(" ")) {
                        taken = length;
                        break;
                    }
                }
            }
            let text = words[start..start + taken].join(" ");
            if !lookup_key(&text).is_empty() && query.units.len() < MAX_WORDS {
                query.units.push(Unit { text, quoted: false, prefix: false });
            }
            start += taken;
        }
        words.clear();
    };
    for token in tokens {
        match token {
            Token::Word { text, negated: false } => words.push(text),
            Token::Word { text, negated: true } | Token::Phrase { text, negated: true } => {
                flush(&mut words, &mut query);
                if !lookup_key(&text).is_empty() && query.excluded.len() < MAX_EXCLUSIONS {
                    query.excluded.push(text);
                }
            }
            Token::Phrase { text, negated: false } => {
                flush(&mut words, &mut query);
                if query.units.len() < MAX_WORDS {
                    query.units.push(Unit { text, quoted: true, prefix: false });
                }
            }
        }
    }
    flush(&mut words, &mut query);
    if last_is_open_word && let Some(last) = query.units.last_mut() {
        last.prefix = !last.quoted && !last.text.contains(char::is_whitespace);
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms() -> Synonyms {
        casebook_corpus::builtin::synonyms()
    }

    fn texts(query: &ParsedQuery) -> Vec<&str> {
        query.units.iter().map(|u| u.text.as_str()).collect()
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let query = parse(r#"smart "digital twin" -blockchain -"open data" citt"#, &synonyms());
        assert_eq!(texts(&query), vec!["smart", "digital twin", "citt"]);
        assert!(query.units[1].quoted);
        assert!(query.units[2].prefix);
        assert_eq!(query.excluded, vec!["blockchain", "open data"]);
        let sentence = parse("successor to Khrushchev .", &synonyms());
        assert!(!sentence.units.iter().any(|u| u.prefix), "a final full stop ends the last word");
    }

    #[test]
    fn groups_synonym_phrases() {
        let query = parse("intelligenza artificiale manifattura ", &synonyms());
        assert_eq!(texts(&query), vec!["intelligenza artificiale", "manifattura"]);
        assert!(!query.units[1].prefix, "a trailing space ends the word");
    }

    #[test]
    fn malformed_input_never_fails() {
        for input in ["\"", "-", "--", "\"\"\"", "- -", "(((", "\u{0}\u{7}", "a:b:c", "🚀🚀", "\"unterminated phrase"]
        {
            let _ = parse(input, &synonyms());
        }
        assert_eq!(parse("\"unterminated phrase", &synonyms()).units[0].text, "unterminated phrase");
        let long = "x ".repeat(MAX_QUERY_CHARS);
        assert_eq!(parse(&long, &synonyms()).units.len(), MAX_WORDS);
    }
}
