//! The search request shared by the CLI, the batch mode and the HTTP API.

use casebook_corpus::Language;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::SearchError;

/// Default page size.
pub const DEFAULT_PER_PAGE: usize = 10;
/// Largest page size.
pub const MAX_PER_PAGE: usize = 100;
/// Deepest result reachable by paging (`page × per_page`).
pub const MAX_DEPTH: usize = 10_000;
/// Longest query text considered, in characters (a pasted project description); the rest is
/// ignored.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Most filter values per facet.
pub const MAX_FILTER_VALUES: usize = 64;
/// Award years accepted in filters.
pub const YEAR_RANGE: std::ops::RangeInclusive<u16> = 1900..=2200;

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (newest first when there is no query text).
    #[default]
    Relevance,
    /// Newest award year first.
    YearDesc,
    /// Oldest award year first.
    YearAsc,
    /// Title, alphabetically.
    Title,
}

impl Sort {
    /// Parses the API value.
    pub fn parse(value: &str) -> Result<Sort, SearchError> {
        match value {
            "relevance" | "" => Ok(Sort::Relevance),
            "year_desc" => Ok(Sort::YearDesc),
            "year_asc" => Ok(Sort::YearAsc),
            "title" => Ok(Sort::Title),
            other => Err(SearchError::InvalidParameter {
                parameter: "sort",
                message: format!("unknown sort {other:?}: use relevance, year_desc, year_asc or title"),
            }),
        }
    }
}

/// How many query words a case must contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    /// All words first; when fewer than a page match, relax one word at a time.
    #[default]
    Last,
    /// Every word.
    All,
    /// Any word.
    Any,
}

impl MatchMode {
    /// Parses the API value.
    pub fn parse(value: &str) -> Result<MatchMode, SearchError> {
        match value {
            "last" | "" => Ok(MatchMode::Last),
            "all" => Ok(MatchMode::All),
            "any" => Ok(MatchMode::Any),
            other => Err(SearchError::InvalidParameter {
                parameter: "match",
                message: format!("unknown match mode {other:?}: use last, all or any"),
            }),
        }
    }
}

/// A search: query text, facet filters, order and page. Every field has a default, so
/// `{}` is a valid request (browse everything).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SearchRequest {
    /// Query text; may be empty.
    pub q: String,
    /// Sector ids, labels or aliases (ORed).
    #[serde(deserialize_with = "one_or_many")]
    pub sector: Vec<String>,
    /// Country codes, NUTS codes, region names or facet values (ORed; whole subtrees).
    #[serde(deserialize_with = "one_or_many")]
    pub region: Vec<String>,
    /// One award year (sets both bounds).
    pub year: Option<u16>,
    /// First award year.
    pub year_from: Option<u16>,
    /// Last award year.
    pub year_to: Option<u16>,
    /// Award names or their facet values (ORed).
    #[serde(deserialize_with = "one_or_many")]
    pub award: Vec<String>,
    /// Languages `it`/`en` (ORed).
    #[serde(deserialize_with = "one_or_many")]
    pub language: Vec<String>,
    /// Organisation slugs or names (ORed; spellings of one organisation are one).
    #[serde(deserialize_with = "one_or_many")]
    pub organisation: Vec<String>,
    /// Result order.
    pub sort: Sort,
    /// Matching strategy.
    #[serde(rename = "match")]
    pub match_mode: MatchMode,
    /// 1-based page.
    pub page: usize,
    /// Hits per page.
    pub per_page: usize,
    /// Language of facet labels (`it` or `en`).
    pub lang: Option<String>,
    /// Adds to each hit the breakdown of its score (`explain` of the hit).
    pub explain: bool,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            sector: Vec::new(),
            region: Vec::new(),
            year: None,
            year_from: None,
            year_to: None,
            award: Vec::new(),
            language: Vec::new(),
            organisation: Vec::new(),
            sort: Sort::Relevance,
            match_mode: MatchMode::Last,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            lang: None,
            explain: false,
        }
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
        Nothing(()),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(value) => vec![value],
        OneOrMany::Many(values) => values,
        OneOrMany::Nothing(()) => Vec::new(),
    })
}

/// The year bounds of a request, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct YearRange {
    /// First year, if bounded.
    pub from: Option<u16>,
    /// Last year, if bounded.
    pub to: Option<u16>,
}

impl YearRange {
    /// Whether any bound is set.
    pub fn is_set(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Whether `year` is inside.
    pub fn contains(&self, year: u64) -> bool {
        self.from.is_none_or(|from| year >= u64::from(from)) && self.to.is_none_or(|to| year <= u64::from(to))
    }
}

impl SearchRequest {
    /// Checks ranges; returns the year bounds.
    pub fn validate(&self) -> Result<YearRange, SearchError> {
        if self.page == 0 {
            return Err(invalid("page", "pages start at 1".into()));
        }
        if self.per_page == 0 || self.per_page > MAX_PER_PAGE {
            return Err(invalid("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        if self.page.saturating_mul(self.per_page) > MAX_DEPTH {
            return Err(invalid(
                "page",
                format!("results beyond the first {MAX_DEPTH} cannot be paged to: narrow the search with filters"),
            ));
        }
        for (parameter, value) in [("year", self.year), ("year_from", self.year_from), ("year_to", self.year_to)] {
            if let Some(year) = value
                && !YEAR_RANGE.contains(&year)
            {
                return Err(SearchError::InvalidParameter {
                    parameter,
                    message: format!(
                        "{year} is not a plausible award year ({}..={})",
                        YEAR_RANGE.start(),
                        YEAR_RANGE.end()
                    ),
                });
            }
        }
        for (parameter, values) in [
            ("sector", &self.sector),
            ("region", &self.region),
            ("award", &self.award),
            ("language", &self.language),
            ("organisation", &self.organisation),
        ] {
            if values.len() > MAX_FILTER_VALUES {
                return Err(SearchError::InvalidParameter {
                    parameter,
                    message: format!("at most {MAX_FILTER_VALUES} values per filter"),
                });
            }
        }
        if let Some(lang) = &self.lang
            && lang != "it"
            && lang != "en"
        {
            return Err(invalid("lang", "use it or en".into()));
        }
        let range = match self.year {
            Some(year) => YearRange { from: Some(year), to: Some(year) },
            None => YearRange { from: self.year_from, to: self.year_to },
        };
        if let (Some(from), Some(to)) = (range.from, range.to)
            && from > to
        {
            return Err(invalid("year_from", format!("{from} is after year_to {to}")));
        }
        Ok(range)
    }

    /// The label language (English unless `lang` is `it`).
    pub fn label_language(&self) -> Language {
        match self.lang.as_deref() {
            Some("it") => Language::It,
            _ => Language::En,
        }
    }
}

fn invalid(parameter: &'static str, message: String) -> SearchError {
    SearchError::InvalidParameter { parameter, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserialises_lists_and_single_values() {
        let request: SearchRequest =
            serde_json::from_str(r#"{"q":"ai","sector":"health","region":["IT","DE"],"match":"all"}"#).unwrap();
        assert_eq!(request.sector, vec!["health"]);
        assert_eq!(request.region, vec!["IT", "DE"]);
        assert_eq!(request.match_mode, MatchMode::All);
        assert_eq!(request.page, 1);
        assert!(serde_json::from_str::<SearchRequest>(r#"{"bogus":1}"#).is_err());
    }

    #[test]
    fn validates_ranges() {
        let ok = SearchRequest::default();
        assert!(ok.validate().is_ok());
        let bad = |f: fn(&mut SearchRequest)| {
            let mut r = SearchRequest::default();
            f(&mut r);
            r.validate().is_err()
        };
        assert!(bad(|r| r.page = 0));
        assert!(bad(|r| r.per_page = 1000));
        assert!(bad(|r| r.page = 5000));
        assert!(bad(|r| {
            r.year_from = Some(2022);
            r.year_to = Some(2020)
        }));
        assert!(Sort::parse("nope").is_err());
    }
}
