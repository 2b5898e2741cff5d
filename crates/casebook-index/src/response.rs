//! The search response: the JSON of `casebook search --json` and of `GET /api/search`.

use serde::{Deserialize, Serialize};

/// A sector of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorRef {
    /// Sector id.
    pub id: String,
    /// Label in the request's label language.
    pub label: String,
}

/// The region of a hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegionRef {
    /// Facet value of the region (`ITC4`, `DE:bayern`).
    pub value: String,
    /// Region name.
    pub label: String,
    /// ISO country code.
    pub country: String,
}

/// The facts of a case with their labels in one language: what a search hit, the case
/// detail of the API and a showcase item show. Built in one place, [`crate::Archive::label`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LabelledCase {
    /// Case id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Organisation.
    pub organisation: String,
    /// Award year.
    pub year: u16,
    /// Award.
    pub award: String,
    /// Roadshow stage.
    pub event: Option<String>,
    /// Award category.
    pub category: Option<String>,
    /// `winner`, `finalist` or `mention`.
    pub outcome: Option<String>,
    /// Sectors.
    pub sectors: Vec<SectorRef>,
    /// Region.
    pub region: RegionRef,
    /// City.
    pub city: Option<String>,
    /// Country name.
    pub country_label: String,
    /// Language code of the case's text (`it` or `en`).
    pub language: String,
    /// Summary.
    pub summary: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Partner organisations.
    pub partners: Vec<String>,
    /// Organisation or project website.
    pub website: Option<String>,
    /// The organisation's slug (`/organisations/{slug}`, the `organisation` filter value).
    pub organisation_slug: String,
    /// Outcome figures.
    pub figures: Vec<Figure>,
}

/// An outcome figure of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figure {
    /// What is measured (`patients followed`).
    pub label: String,
    /// The measure (`2,600`).
    pub value: String,
}

/// One result: the labelled case, its snippet and how it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    /// The case.
    #[serde(flatten)]
    pub case: LabelledCase,
    /// Text fragment with matched words in `<mark>`…`</mark>`, everything else HTML-escaped.
    pub snippet: String,
    /// Relevance (BM25) within its matching tier.
    pub score: f32,
    /// How many query words the case contains.
    pub matched_words: usize,
}

/// A facet value with its count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FacetValue {
    /// Filter value (works as a request parameter value).
    pub value: String,
    /// Display label.
    pub label: String,
    /// Cases that the results would have with this value selected in its facet (disjunctive).
    pub count: u64,
    /// Whether the request selects this value.
    pub selected: bool,
    /// Regions of a country (region facet only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub children: Option<Vec<FacetValue>>,
}

/// Counts for every facet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Facets {
    /// Sectors.
    pub sector: Vec<FacetValue>,
    /// Countries, each with its regions as `children`.
    pub region: Vec<FacetValue>,
    /// Award years, newest first.
    pub year: Vec<FacetValue>,
    /// Awards.
    pub award: Vec<FacetValue>,
    /// Languages.
    pub language: Vec<FacetValue>,
    /// Organisations (value: the slug; label: the most frequent spelling).
    #[serde(default)]
    pub organisation: Vec<FacetValue>,
}

/// The answer to a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResponse {
    /// Cases in the result set.
    pub total: u64,
    /// Time spent in the search core, in milliseconds.
    pub took_ms: f64,
    /// Page returned.
    pub page: usize,
    /// Page size.
    pub per_page: usize,
    /// Cases (with the filters) that contain every query word.
    pub matched_all: u64,
    /// Whether the result set includes cases missing some query words.
    pub relaxed: bool,
    /// The minimum number of query words a result contains.
    pub min_matched_words: usize,
    /// Number of query words counted for matching (stop words and symbols are not).
    pub query_words: usize,
    /// The results of the page.
    pub hits: Vec<Hit>,
    /// Facet counts.
    pub facets: Facets,
    /// Notes about the request, e.g. filter values that match nothing known.
    pub warnings: Vec<String>,
}
