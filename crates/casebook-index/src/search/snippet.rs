//! Snippets: the fragment of a case's text where the query words are densest, HTML-escaped,
//! with matched words wrapped in `<mark>`. Words are matched by stem in the case's language
//! (so `innovazioni` marks `innovazione`) and by folded form (completions, corrections).

use casebook_corpus::Language;
use tantivy::tokenizer::TokenStream;

use super::plan::Highlight;
use crate::analysis::Analyzers;

/// Length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 200;
const MAX_MARKS: usize = 256;

/// Escapes snippet text for HTML; the block breaks of the plain text (between headings and
/// paragraphs) become " · ".
pub fn escape_html(text: &str, out: &mut String) {
    for (i, block) in text.split('\n').enumerate() {
        if i > 0 && !block.is_empty() && !out.ends_with(" · ") && !out.is_empty() {
            out.push_str(" · ");
        }
        casebook_corpus::text::escape_html_into(&block.replace(['\r', '\t'], " "), out);
    }
}

/// Byte ranges of `text` holding query words. Words are found with a cheap scan (split on
/// non-alphanumerics); a word whose first letter (folded, lowercase) begins no query word or
/// stem is passed over at once, the others are folded and lowercased, and only a word that
/// could match — its folded form is a query word, or starts with a query stem — is run
/// through the language analyzer, so a hit's body is not stemmed word by word.
fn marks(text: &str, language: Language, highlight: &Highlight, analyzers: &Analyzers) -> Vec<(usize, usize)> {
    let stems = highlight.stems(language);
    if stems.is_empty() && highlight.folded.is_empty() {
        return Vec::new();
    }
    // The sets hold a handful of words: comparing with each is cheaper than hashing every
    // word of the text.
    let stems: Vec<&str> = stems.iter().map(String::as_str).collect();
    let exact_words: Vec<&str> = highlight.folded.iter().map(String::as_str).collect();
    // First letters of the words and stems looked for: most words of a text start with
    // another letter and need no folding at all. (An empty stem starts every word.)
    let every_word = stems.iter().chain(&exact_words).any(|word| word.is_empty());
    let firsts: Vec<char> = stems.iter().chain(&exact_words).filter_map(|word| word.chars().next()).collect();
    let mut first = String::new();
    let mut wanted = |c: char| {
        if every_word {
            return true;
        }
        let folded_first = if c.is_ascii() {
            Some(c.to_ascii_lowercase())
        } else {
            first.clear();
            for lower in c.to_lowercase() {
                casebook_corpus::text::fold_char_into(lower, &mut first);
            }
            first.chars().next()
        };
        folded_first.is_some_and(|f| firsts.contains(&f))
    };
    let mut analyzer = analyzers.for_language(language);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut folded = String::new();
    let mut check = |from: usize, to: usize, ranges: &mut Vec<(usize, usize)>| {
        let word = &text[from..to];
        folded.clear();
        for c in word.chars() {
            if c.is_ascii() {
                folded.push(c.to_ascii_lowercase());
            } else {
                for lower in c.to_lowercase() {
                    casebook_corpus::text::fold_char_into(lower, &mut folded);
                }
            }
        }
        let exact = exact_words.contains(&folded.as_str());
        let could_stem = stems.iter().any(|stem| folded.starts_with(stem));
        if !exact && !could_stem {
            return;
        }
        // One analysis of the word: its stem, or nothing for a stop word ("ai" is not "AI").
        let mut stream = analyzer.token_stream(word);
        let stem = if stream.advance() { Some(stream.token().text.clone()) } else { None };
        if let Some(stem) = stem
            && (exact || stems.contains(&stem.as_str()))
        {
            ranges.push((from, to));
        }
    };
    // Bytes that can begin a wanted word: both cases of the ASCII first letters, and the
    // first byte of every multi-byte character (folded, `È` is `e`). The scan jumps from
    // one to the next; the bytes in between (most of a text) are only looked up in a table.
    let mut candidate = [every_word; 256];
    for f in firsts.iter().filter(|f| f.is_ascii()) {
        candidate[f.to_ascii_lowercase() as usize] = true;
        candidate[f.to_ascii_uppercase() as usize] = true;
    }
    candidate[0xC0..].fill(true);
    let word_end = |from: usize| text[from..].find(|c: char| !c.is_alphanumeric()).map_or(text.len(), |end| from + end);
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() && ranges.len() < MAX_MARKS {
        if !candidate[usize::from(bytes[index])] {
            index += 1;
            continue;
        }
        // A candidate byte starts a character (it is ASCII or a lead byte).
        let Some(c) = text.get(index..).and_then(|rest| rest.chars().next()) else { break };
        if !c.is_alphanumeric() {
            index += c.len_utf8();
            continue;
        }
        let end = word_end(index);
        let starts_word = text[..index].chars().next_back().is_none_or(|before| !before.is_alphanumeric());
        if starts_word && wanted(c) {
            check(index, end, &mut ranges);
        }
        index = end;
    }
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            // Separated only by spaces: one mark ("<mark>realtà virtuale</mark>").
            Some(last) if start <= last.1 || text[last.1..start].chars().all(|c| c == ' ') => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// Start of the word containing `index` (or `index` itself at a space).
fn word_start(text: &str, index: usize) -> usize {
    let index = floor_boundary(text, index);
    // After the whitespace character, whatever its width (U+00A0 from `&nbsp;` is two bytes).
    text[..index].char_indices().rev().find(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8())
}

/// End of the word containing `index`.
fn word_end(text: &str, index: usize) -> usize {
    let index = floor_boundary(text, index);
    text[index..].find(char::is_whitespace).map_or(text.len(), |i| index + i)
}

/// The snippet of `text` for the query words in `highlight`.
pub fn snippet(text: &str, language: Language, highlight: &Highlight, analyzers: &Analyzers) -> String {
    let ranges = marks(text, language, highlight, analyzers);
    let budget = SNIPPET_CHARS * 4; // bytes, generous for accented text; trimmed by chars below
    // Window start: the mark whose window [start, start + SNIPPET_CHARS) holds most marks.
    let mut best = (0usize, 0usize);
    for (i, (start, _)) in ranges.iter().enumerate() {
        let limit = start + SNIPPET_CHARS;
        let inside = ranges[i..].iter().take_while(|(s, e)| *s < limit && *e <= limit + 40).count();
        if inside > best.1 {
            best = (*start, inside);
        }
    }
    let anchor = best.0;
    let lead = if anchor == 0 { 0 } else { word_start(text, anchor.saturating_sub(40)) };
    let mut end = lead;
    for (chars, (offset, c)) in text[lead..].char_indices().enumerate() {
        if chars >= SNIPPET_CHARS || offset >= budget {
            break;
        }
        end = lead + offset + c.len_utf8();
    }
    if end < text.len() {
        end = word_end(text, end);
    }
    let mut out = String::with_capacity(end - lead + 32);
    if lead > 0 {
        out.push('…');
    }
    let mut cursor = lead;
    for &(start, stop) in ranges.iter().filter(|(s, e)| *s >= lead && *e <= end) {
        escape_html(&text[cursor..start], &mut out);
        out.push_str("<mark>");
        escape_html(&text[start..stop], &mut out);
        out.push_str("</mark>");
        cursor = stop;
    }
    escape_html(&text[cursor..end], &mut out);
    if end < text.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlight(it: &[&str], folded: &[&str]) -> Highlight {
        Highlight {
            it: it.iter().map(|s| s.to_string()).collect(),
            en: Default::default(),
            folded: folded.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn marks_stems_and_escapes_the_rest() {
        let analyzers = Analyzers::new();
        let stem = analyzers.terms(Language::It, "innovazioni");
        let h = highlight(&[stem[0].as_str()], &[]);
        let text = "Un'<b>idea</b> & una innovazione per la città.";
        let snippet = snippet(text, Language::It, &h, &analyzers);
        assert_eq!(snippet, "Un&#39;&lt;b&gt;idea&lt;/b&gt; &amp; una <mark>innovazione</mark> per la città.");
    }

    #[test]
    fn picks_the_window_with_the_words() {
        let analyzers = Analyzers::new();
        let text = format!("{} telemedicina in Lombardia.", "parola ".repeat(200));
        let snippet = snippet(&text, Language::It, &highlight(&[], &["telemedicina"]), &analyzers);
        assert!(snippet.starts_with('…'), "{snippet}");
        assert!(snippet.contains("<mark>telemedicina</mark>"), "{snippet}");
    }

    #[test]
    fn without_matches_starts_at_the_beginning() {
        let analyzers = Analyzers::new();
        let text = "È una frase breve.";
        assert_eq!(snippet(text, Language::It, &Highlight::default(), &analyzers), "È una frase breve.");
    }

    #[test]
    fn wide_spaces_before_the_window_are_not_split() {
        // A no-break space (two bytes, from `&nbsp;`) just before the window used to start
        // the window in the middle of it, and slicing there panicked.
        let analyzers = Analyzers::new();
        for space in ['\u{a0}', '\u{2003}', '\u{3000}', '\u{85}', '\u{2028}'] {
            let text = format!(
                "{}x{space}abcdefghij abcdefghij abcdefghij abcdefghij telemedicina fine.",
                "parola ".repeat(30)
            );
            let snippet = snippet(&text, Language::It, &highlight(&[], &["telemedicina"]), &analyzers);
            assert!(snippet.contains("<mark>telemedicina</mark>"), "{space:?}: {snippet}");
        }
    }
}
