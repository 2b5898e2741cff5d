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

/// Byte ranges of `text` holding query words.
fn marks(text: &str, language: Language, highlight: &Highlight, analyzers: &Analyzers) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let stems = highlight.stems(language);
    if !stems.is_empty() {
        let mut analyzer = analyzers.for_language(language);
        let mut stream = analyzer.token_stream(text);
        while stream.advance() && ranges.len() < MAX_MARKS {
            let token = stream.token();
            if stems.contains(&token.text) {
                ranges.push((token.offset_from, token.offset_to));
            }
        }
    }
    if !highlight.folded.is_empty() {
        let mut analyzer = analyzers.folded();
        let mut stream = analyzer.token_stream(text);
        while stream.advance() && ranges.len() < 2 * MAX_MARKS {
            let token = stream.token();
            // A stop word of the case's language is not the query word it looks like
            // (the Italian preposition "ai" is not "AI").
            if highlight.folded.contains(&token.text) && !analyzers.terms(language, &token.text).is_empty() {
                ranges.push((token.offset_from, token.offset_to));
            }
        }
    }
    ranges.sort_unstable();
    ranges.dedup();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            // Overlapping, or separated only by spaces: one mark ("<mark>realtà virtuale</mark>").
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
    text[..index].rfind(char::is_whitespace).map_or(0, |i| i + 1)
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
}
