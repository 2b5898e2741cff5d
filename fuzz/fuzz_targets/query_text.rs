//! Fuzzes the search box parser of the index crate (`fuzzing::parse`, the crate's `search::text::parse`): any text gives a
//! query within its limits, never a panic. It needs no built index.

#![no_main]

use std::sync::OnceLock;

use casebook_corpus::Synonyms;
use casebook_index::fuzzing::{MAX_EXCLUSIONS, MAX_WORDS, parse};
use libfuzzer_sys::fuzz_target;

fn synonyms() -> &'static Synonyms {
    static SYNONYMS: OnceLock<Synonyms> = OnceLock::new();
    SYNONYMS.get_or_init(casebook_corpus::builtin::synonyms)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let query = parse(&text, synonyms());
    assert!(query.units.len() <= MAX_WORDS);
    assert!(query.excluded.len() <= MAX_EXCLUSIONS);
    for unit in &query.units {
        assert!(!unit.text.trim().is_empty(), "empty unit in {query:?}");
    }
});
