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
    /// The breakdown of the score, when the request asks for it (`explain=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<HitExplanation>,
}

/// How the relevance of a search is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Ranking {
    /// No query text: cases in the requested order (newest first by default).
    None,
    /// A short query (up to three content words, or `match` `all`/`any`): cases with more
    /// query words first, BM25 within.
    MatchedWords,
    /// A long text: BM25 over its most distinctive words alone.
    Bm25,
}

/// Why a hit scores what it scores, as Elasticsearch's explain tells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitExplanation {
    /// How the score is computed: `matched_words` (the hit's `score` is `bm25`, within the
    /// tier of its `matched_words`) or `bm25` (long texts: the hit's `score` is `bm25`).
    pub ranking: Ranking,
    /// Query words the case contains.
    pub matched_words: usize,
    /// Sum of the words' scores.
    pub bm25: f32,
    /// Long texts: the share of the query's IDF mass (each word's occurrences × IDF) that the
    /// case contains, 0 to 1: how much of the text it covers. Shown, not used in the score.
    pub coverage: Option<f32>,
    /// Every counted query word.
    pub words: Vec<WordExplanation>,
}

/// One query word's part in a hit's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WordExplanation {
    /// The word or phrase as typed.
    pub word: String,
    /// Times it occurs in the query (long texts weight a word by it).
    pub count: usize,
    /// Long texts: its inverse document frequency in the archive.
    pub idf: f32,
    /// Long texts: its share of the query's IDF mass (0 for short queries).
    pub coverage_weight: f32,
    /// Whether the case contains it (in any form).
    pub matched: bool,
    /// Its contribution to `bm25` (the clauses' sum, times `count` for long texts).
    pub score: f32,
    /// The clauses that matched.
    pub clauses: Vec<ClauseExplanation>,
}

/// A matched clause of a query word: a term or phrase in one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClauseExplanation {
    /// Index field (`organisation`, `folded`, `body_en`...), or a language's fields scored
    /// together by BM25F with their weights (`title_en^3 tags_en^2 summary_en^1.5 meta_en^1.2
    /// body_en^1`).
    pub field: String,
    /// The term as indexed (a stem), or a phrase in quotes.
    pub terms: String,
    /// Why the clause is there: `word`, `synonym`, `parts` (a hyphenated word's parts),
    /// `joined` (written as one word), `prefix` or `typo`.
    pub via: String,
    /// Field or expansion boost.
    pub boost: f32,
    /// Its BM25 score, boost included.
    pub score: f32,
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
    /// How relevance is computed: `none` (no text), `matched_words` (short queries) or
    /// `bm25` (long texts).
    pub ranking: Ranking,
    /// The results of the page.
    pub hits: Vec<Hit>,
    /// Facet counts.
    pub facets: Facets,
    /// Notes about the request, e.g. filter values that match nothing known.
    pub warnings: Vec<String>,
    /// Long texts: the content words left out because only the most distinctive are
    /// searched (present when `explain=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_out: Option<Vec<String>>,
}
