//! Completions for search-as-you-type, stored in the index itself. Every title, organisation
//! and tag is indexed as raw terms of the `suggest` field, one per word start, so that typing
//! "citt" completes "Smart city e mobilità" and "pazienti" completes a title in the middle:
//!
//! ```text
//! "smart city e mobilita\x1f0tag\x1fSmart city e mobilità"   (from the first word)
//! "city e mobilita\x1f1tag\x1fSmart city e mobilità"          (from a later word)
//! ```
//!
//! A prefix scan of the term dictionary answers in microseconds, needs no start-up work and
//! follows incremental index updates for free.

use std::collections::HashMap;

use casebook_corpus::Case;
use casebook_corpus::text::lookup_key;
use serde::{Deserialize, Serialize};
use tantivy::Searcher;
use tantivy::schema::Field;

const SEPARATOR: char = '\u{1f}';
/// Word starts indexed per value.
const MAX_SUFFIXES: usize = 12;
/// Longest value kept, in characters.
const MAX_DISPLAY_CHARS: usize = 160;
/// Dictionary terms read per segment for one prefix.
const MAX_SCAN: usize = 256;
/// Most completions returned.
pub const MAX_SUGGESTIONS: usize = 8;
/// Shortest prefix completed (one letter matches too much to be useful).
pub const MIN_PREFIX_CHARS: usize = 2;

/// What a completion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum SuggestionKind {
    /// A case title.
    Title,
    /// An organisation name.
    Organisation,
    /// A tag.
    Tag,
}

impl SuggestionKind {
    fn code(self) -> char {
        match self {
            SuggestionKind::Title => 't',
            SuggestionKind::Organisation => 'o',
            SuggestionKind::Tag => 'g',
        }
    }

    fn from_code(code: char) -> Option<Self> {
        match code {
            't' => Some(SuggestionKind::Title),
            'o' => Some(SuggestionKind::Organisation),
            'g' => Some(SuggestionKind::Tag),
            _ => None,
        }
    }
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    /// The text to put in the search box.
    pub text: String,
    /// Where it comes from.
    pub kind: SuggestionKind,
    /// Number of cases it appears in.
    pub cases: u64,
}

/// The suggestion terms of a case.
pub fn terms(case: &Case) -> Vec<String> {
    let mut values: Vec<(SuggestionKind, &str)> =
        vec![(SuggestionKind::Title, &case.record.title), (SuggestionKind::Organisation, &case.record.organisation)];
    values.extend(case.record.tags.iter().map(|tag| (SuggestionKind::Tag, tag.as_str())));
    let mut terms = Vec::new();
    for (kind, value) in values {
        let display: String = value.trim().chars().take(MAX_DISPLAY_CHARS).collect();
        let key = lookup_key(&display);
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        // Titles complete from their first word; organisations and tags from any word.
        let starts = if kind == SuggestionKind::Title { 1 } else { MAX_SUFFIXES };
        for start in 0..words.len().min(starts) {
            let rank = if start == 0 { '0' } else { '1' };
            terms.push(format!("{}{SEPARATOR}{rank}{}{SEPARATOR}{display}", words[start..].join(" "), kind.code()));
        }
    }
    terms
}

/// Up to `limit` completions of `prefix`: whole values starting with it first, then values
/// with a later word starting with it; within each, the most frequent first.
pub fn suggest(searcher: &Searcher, field: Field, prefix: &str, limit: usize) -> Vec<Suggestion> {
    let key = lookup_key(prefix);
    if key.chars().count() < MIN_PREFIX_CHARS {
        return Vec::new();
    }
    let mut found: HashMap<(SuggestionKind, String), (bool, u64)> = HashMap::new();
    for segment in searcher.segment_readers() {
        // Within a segment, one value can match at several word starts: count its cases once.
        let mut in_segment: HashMap<(SuggestionKind, String), (bool, u64)> = HashMap::new();
        let Ok(inverted) = segment.inverted_index(field) else { continue };
        let Ok(mut stream) = inverted.terms().range().ge(key.as_bytes()).into_stream() else { continue };
        let mut scanned = 0;
        while stream.advance() && scanned < MAX_SCAN {
            let term = stream.key();
            if !term.starts_with(key.as_bytes()) {
                break;
            }
            scanned += 1;
            let Ok(term) = std::str::from_utf8(term) else { continue };
            let mut parts = term.split(SEPARATOR);
            let (Some(_), Some(meta), Some(display)) = (parts.next(), parts.next(), parts.next()) else { continue };
            let mut meta = meta.chars();
            let (Some(rank), Some(kind)) = (meta.next(), meta.next().and_then(SuggestionKind::from_code)) else {
                continue;
            };
            let entry = in_segment.entry((kind, display.to_string())).or_insert((false, 0));
            entry.0 |= rank == '0';
            entry.1 = entry.1.max(u64::from(stream.value().doc_freq));
        }
        for (key, (from_start, cases)) in in_segment {
            let entry = found.entry(key).or_insert((false, 0));
            entry.0 |= from_start;
            entry.1 += cases;
        }
    }
    let mut suggestions: Vec<(bool, u64, Suggestion)> = found
        .into_iter()
        .map(|((kind, text), (from_start, cases))| (from_start, cases, Suggestion { text, kind, cases }))
        .collect();
    suggestions.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| b.1.cmp(&a.1))
            .then_with(|| a.2.text.chars().count().cmp(&b.2.text.chars().count()))
            .then_with(|| a.2.text.cmp(&b.2.text))
    });
    let mut seen = std::collections::HashSet::new();
    suggestions
        .into_iter()
        .map(|(_, _, suggestion)| suggestion)
        .filter(|s| seen.insert(lookup_key(&s.text)))
        .take(limit.min(MAX_SUGGESTIONS))
        .collect()
}
