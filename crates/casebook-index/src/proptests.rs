//! Property tests of the snippet builder, which needs the crate's internals (the analyzers,
//! the highlight set): for any case-body-like text (markup, entities, every kind of space,
//! scripts, emoji, controls) and any query words, the snippet never panics and is escaped
//! text with flat, balanced `<mark>` pairs. The search core's properties over a whole
//! archive are in the integration tests (`tests/properties.rs`).

use casebook_corpus::Language;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner};

use crate::analysis::Analyzers;
use crate::search::plan::Highlight;
use crate::search::snippet::snippet;

const WORDS: &[&str] = &[
    "telemedicina",
    "pazienti",
    "innovazione",
    "innovation",
    "energia",
    "smart",
    "city",
    "città",
    "salute",
    "mobilità",
    "parola",
    "la",
    "di",
    "the",
    "and",
    "e-commerce",
    "Île-de-France",
];
const MARKUP: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<mark>",
    "</mark>",
    "&amp;",
    "&lt;",
    "&",
    "\"",
    "'",
    "<",
    ">",
];
const EXOTIC: &[&str] = &[
    "è",
    "E\u{301}",
    "ß",
    "İstanbul",
    "ﬁ",
    "🚀",
    "👩‍🔬",
    "مرحبا",
    "\u{202e}",
    "\u{200b}",
    "\u{feff}",
    "\u{0}",
    "\u{7f}",
];
const SEPARATORS: &[&str] = &[" ", " ", "\n", "\n\n", "\t", "\r\n", "\u{a0}", "\u{2003}", "\u{3000}", "\u{85}", ""];

/// Case-body-like text.
fn body_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => select(WORDS).prop_map(String::from),
        2 => select(MARKUP).prop_map(String::from),
        2 => select(EXOTIC).prop_map(String::from),
        1 => any::<String>(),
        1 => (select(WORDS), 20..120usize).prop_map(|(w, n)| w.repeat(n)),
    ];
    vec((piece, select(SEPARATORS)), 0..120).prop_map(|parts| parts.into_iter().map(|(p, s)| p + s).collect())
}

/// Whether `snippet` is escaped text (no raw `<`, `>`, quotes or controls; every `&` an
/// entity) split by flat, balanced `<mark>`…`</mark>` pairs.
fn escaped_with_marks(snippet: &str) -> bool {
    const ENTITIES: [&str; 5] = ["amp;", "lt;", "gt;", "quot;", "#39;"];
    let plain = |text: &str| {
        !text.contains(['<', '>', '"', '\''])
            && !text.chars().any(char::is_control)
            && text.split('&').skip(1).all(|after| ENTITIES.iter().any(|entity| after.starts_with(entity)))
    };
    let (mut inside, mut rest) = (false, snippet);
    loop {
        let tag = if inside { "</mark>" } else { "<mark>" };
        match rest.split_once(tag) {
            Some((text, after)) if plain(text) => {
                inside = !inside;
                rest = after;
            }
            Some(_) => return false,
            None => return !inside && plain(rest),
        }
    }
}

#[test]
fn the_check_accepts_escaped_snippets_and_rejects_markup() {
    for good in ["", "a &amp; b", "<mark>x</mark> &lt;y&gt; &quot;z&quot; &#39;", "…<mark>a b</mark>…"] {
        assert!(escaped_with_marks(good), "{good:?}");
    }
    for bad in ["<b>x</b>", "a & b", "<mark>x", "x</mark>", "<mark><mark>x</mark></mark>", "a\"b", "&amp", "\u{0}"] {
        assert!(!escaped_with_marks(bad), "{bad:?}");
    }
}

#[test]
fn any_body_text_gives_an_escaped_snippet() {
    let highlight_analyzers = Analyzers::new();
    let highlight = vec(select(WORDS), 0..4).prop_map(move |words| {
        let mut highlight = Highlight::default();
        for word in words {
            highlight.it.extend(highlight_analyzers.terms(Language::It, word));
            highlight.en.extend(highlight_analyzers.terms(Language::En, word));
            highlight.folded.extend(highlight_analyzers.folded_terms(word));
        }
        highlight
    });
    let analyzers = Analyzers::new();
    let config = Config { cases: 256, failure_persistence: None, ..Config::default() };
    let strategy = (body_text(), select(vec![Language::It, Language::En]), highlight);
    let outcome = TestRunner::new(config).run(&strategy, |(text, language, highlight)| {
        let fragment = snippet(&text, language, &highlight, &analyzers);
        prop_assert!(escaped_with_marks(&fragment), "not escaped: {fragment:?}");
        Ok(())
    });
    if let Err(error) = outcome {
        panic!("{error}");
    }
}

#[test]
fn a_wide_space_before_the_snippet_window_never_panics() {
    // The window starts after the space before it, taken as one byte: U+00A0 (`&nbsp;`) is two.
    let analyzers = Analyzers::new();
    let mut highlight = Highlight::default();
    highlight.folded.insert("telemedicina".to_string());
    let text = format!("{}x\u{a0}{}telemedicina.", "parola ".repeat(10), "abcdefghij ".repeat(4));
    let fragment = snippet(&text, Language::It, &highlight, &analyzers);
    assert!(fragment.contains("<mark>telemedicina</mark>"), "{fragment}");
}
