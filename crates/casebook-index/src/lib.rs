//! The Casebook index: the only crate that knows tantivy. It builds an index generation from
//! a corpus ([`build_index`]), publishes it atomically, and answers faceted searches through
//! [`Archive`], the one way into an index, with the request and response types the CLI and
//! the HTTP service share. Everything else (schema, analysis, the search core, the folder
//! layout on disk) is internal to this crate.

mod analysis;
mod archive;
mod document;
mod error;
mod indexer;
mod label;
mod merge;
mod organisations;
#[cfg(test)]
mod proptests;
mod related;
pub mod request;
pub mod response;
mod schema;
mod search;
mod store;

pub use archive::Archive;
pub use document::StoredCase;
pub use error::{IndexError, SearchError};
pub use indexer::{BuildOptions, BuildReport, Progress, build_index};
pub use organisations::{MAX_ORGANISATION_CASES, Organisation, OrganisationSummary};
pub use related::RelatedCase;
pub use request::{MatchMode, SearchRequest, Sort};
pub use response::{
    ClauseExplanation, FacetValue, Facets, Figure, Hit, HitExplanation, LabelledCase, Ranking, RegionRef,
    SearchResponse, SectorRef, WordExplanation,
};
pub use search::facets::MAX_FACET_VALUES;
pub use search::longtext::{MAX_UNITS, SHORT_QUERY_WORDS};
pub use search::suggest::{MAX_SUGGESTIONS, MIN_PREFIX_CHARS, Suggestion, SuggestionKind};
pub use search::text::MAX_WORDS;

/// The query-text parser, for the fuzz targets in `fuzz/` (not part of the API).
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::search::text::{MAX_EXCLUSIONS, MAX_WORDS, parse};
}
