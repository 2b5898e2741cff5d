//! The Casebook index: the only crate that knows tantivy. It builds an index generation from
//! a corpus (`indexer`), publishes it atomically (`store`), and answers faceted searches
//! (`archive`, `search`) with the request and response types the CLI and the HTTP service
//! share (`request`, `response`).

pub mod analysis;
mod archive;
pub mod document;
mod error;
mod indexer;
pub mod request;
pub mod response;
pub mod schema;
pub mod search;
pub mod store;

pub use archive::{Archive, MAX_FACET_VALUES};
pub use document::StoredCase;
pub use error::{IndexError, SearchError};
pub use indexer::{BuildOptions, BuildReport, Progress, build_index};
pub use request::{MatchMode, SearchRequest, Sort};
pub use response::{FacetValue, Facets, Hit, RegionRef, SearchResponse, SectorRef};
pub use search::suggest::{Suggestion, SuggestionKind};
