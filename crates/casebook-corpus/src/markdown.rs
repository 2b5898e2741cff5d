//! Markdown bodies: plain text for indexing and snippets, and the first paragraph as the
//! default summary.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Options used for every case body (tables, strikethrough, footnotes, smart punctuation off
/// so that the text matches what editors typed).
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// The plain text of a markdown body: blocks separated by blank lines, markup and raw HTML
/// dropped, link texts kept.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => push_break(&mut text),
            _ => {}
        }
    }
    text.trim().to_string()
}

fn push_break(text: &mut String) {
    let trimmed_len = text.trim_end().len();
    text.truncate(trimmed_len);
    if !text.is_empty() {
        text.push_str("\n\n");
    }
}

/// The text of the first paragraph (headings, lists and quotes skipped), if any.
pub fn first_paragraph(markdown: &str) -> Option<String> {
    let mut depth = 0usize;
    let mut in_paragraph = false;
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => in_paragraph = true,
            Event::End(TagEnd::Paragraph) if in_paragraph => {
                let paragraph = text.trim();
                if !paragraph.is_empty() {
                    return Some(paragraph.to_string());
                }
                in_paragraph = false;
                text.clear();
            }
            Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Item | Tag::Table(_)) => depth += 1,
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Item | TagEnd::Table) => {
                depth = depth.saturating_sub(1)
            }
            Event::Text(t) | Event::Code(t) if in_paragraph => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak if in_paragraph => text.push(' '),
            _ => {}
        }
    }
    None
}

/// Renders a markdown body to HTML. The output is NOT safe to serve as is: raw HTML in the
/// markdown passes through. The web layer sanitises it.
pub fn to_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
    html
}

/// Longest summary taken from a body, in characters.
pub const SUMMARY_CHARS: usize = 400;

/// The summary of a case without a `summary` field: its body's first paragraph, shortened.
pub fn default_summary(markdown: &str) -> Option<String> {
    first_paragraph(markdown).map(|p| truncate_words(&p, SUMMARY_CHARS))
}

/// Shortens `text` to at most `max_chars` characters at a word boundary, adding `…`.
pub fn truncate_words(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let end = cut.rfind(char::is_whitespace).unwrap_or(cut.len());
    format!("{}…", cut[..end].trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == ';'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markup() {
        let md = "Intro with **bold** and [a link](https://x.example).\n\n## La sfida\n\n- one\n- two\n\n<script>alert(1)</script>\n";
        assert_eq!(plain_text(md), "Intro with bold and a link.\n\nLa sfida\n\none\n\ntwo");
    }

    #[test]
    fn first_paragraph_skips_headings_and_lists() {
        let md = "## Heading\n\n- item\n\nThe first\nparagraph.\n\nSecond.";
        assert_eq!(first_paragraph(md).as_deref(), Some("The first paragraph."));
        assert_eq!(first_paragraph("## Only a heading"), None);
    }

    #[test]
    fn truncates_at_words() {
        assert_eq!(truncate_words("one two three", 9), "one two…");
        assert_eq!(truncate_words("short", 9), "short");
    }
}
