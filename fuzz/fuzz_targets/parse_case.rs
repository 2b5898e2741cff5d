//! Fuzzes the case parser: any bytes give a case or diagnostics (non-empty messages, lines
//! within the file), never a panic; the markdown helpers run on the text too.

#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use casebook_corpus::{Context, CorpusConfig, Diagnostic, Taxonomy, builtin, frontmatter, markdown, parse_case};
use libfuzzer_sys::fuzz_target;

fn vocabulary() -> &'static (Taxonomy, CorpusConfig) {
    static VOCABULARY: OnceLock<(Taxonomy, CorpusConfig)> = OnceLock::new();
    VOCABULARY.get_or_init(|| (builtin::taxonomy(), builtin::config()))
}

/// Lines of the file, counting CRLF, LF and lone CR as line ends (the YAML parser counts a
/// lone CR as a line break), so the larger of the two counts.
fn line_count(text: &str) -> usize {
    let lf_lines = text.lines().count();
    let crlf = text.matches("\r\n").count();
    let ends = text.matches(['\r', '\n']).count() - crlf;
    let trailing = !text.is_empty() && !text.ends_with(['\r', '\n']);
    lf_lines.max(ends + usize::from(trailing))
}

fuzz_target!(|data: &[u8]| {
    let (taxonomy, config) = vocabulary();
    let context = Context { taxonomy, config, max_year: 2027 };
    let parsed = parse_case(Path::new("cases/2021/fuzz-case.md"), data, &context);

    let text = String::from_utf8_lossy(data);
    let lines = line_count(&text);
    for diagnostic in &parsed.diagnostics {
        assert!(!diagnostic.message.trim().is_empty(), "empty message: {diagnostic:?}");
        if let Some(line) = diagnostic.line {
            assert!((1..=lines + 1).contains(&line), "line {line} outside 1..={}: {diagnostic}", lines + 1);
        }
        let _ = diagnostic.to_string();
    }
    if let Some(case) = &parsed.case {
        assert!(!parsed.diagnostics.iter().any(Diagnostic::is_error), "a case with errors");
        let _ = markdown::to_html(&case.body_markdown);
    }

    if let Ok(text) = std::str::from_utf8(data) {
        let _ = frontmatter::read_fields(text);
        let _ = markdown::to_html(text);
        let _ = markdown::first_paragraph(text);
        let _ = markdown::truncate_words(&markdown::plain_text(text), 400);
    }
});
