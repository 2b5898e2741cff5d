//! The Casebook case model: reading a corpus folder of markdown case studies with YAML
//! front matter, validating every field against the taxonomy, and turning bodies into text.
//!
//! This crate knows nothing of the search index (`casebook-index`) or the web service; it is
//! the bottom of the dependency chain `corpus <- index <- service <- cli`.

pub mod builtin;
mod case;
mod config;
mod corpus;
mod diagnostic;
mod fields;
pub mod frontmatter;
mod language;
mod links;
pub mod markdown;
pub mod organisation;
mod parse;
#[cfg(test)]
mod proptests;
mod submission;
mod synonyms;
mod taxonomy;
pub mod text;
pub mod write;

pub use case::{Case, CaseRecord, Figure, Outcome, Place};
pub use config::CorpusConfig;
pub use corpus::{
    CaseFile, Corpus, CorpusError, VOCABULARY_FILES, Vocabulary, check_related, civil_date, discover, max_award_year,
};
pub use diagnostic::{Diagnostic, DiagnosticKind, Severity};
pub use fields::{Context, FIRST_YEAR, KNOWN_FIELDS, SOURCES};
pub use language::{Language, detect as detect_language};
pub use links::{MAX_FIGURES, MAX_RELATED};
pub use organisation::{organisation_filter_slugs, organisation_key, organisation_slug};
pub use parse::{MAX_FILE_BYTES, Parsed, content_hash, parse_case};
pub use submission::{CaseFields, Checked, FIELD_LIMITS, MAX_LIST_ITEMS, REQUIRED, WriteError, Written, split_list};
pub use synonyms::Synonyms;
pub use taxonomy::{Country, ITALY, ItalianRegion, Labelled, RegionSelector, Sector, Taxonomy, foreign_region_value};
