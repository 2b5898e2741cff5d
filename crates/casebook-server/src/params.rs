//! Reads the search parameters from a query string. Repeated keys (`sector=a&sector=b`) are
//! lists; invalid UTF-8 in percent-encodings is replaced, never an error; a value that is
//! not of its parameter's type is a 400 naming the parameter. A leaf: nothing of the server.

use casebook_index::{MatchMode, SearchError, SearchRequest, Sort};

/// Parameters `parse_search` understands (others are ignored, e.g. `utm_source`); a test
/// checks that the OpenAPI document lists the same.
#[cfg(test)]
pub const SEARCH_PARAMETERS: &[&str] = &[
    "q",
    "sector",
    "region",
    "year",
    "year_from",
    "year_to",
    "award",
    "language",
    "organisation",
    "sort",
    "match",
    "page",
    "per_page",
    "lang",
    "explain",
];

/// The decoded key/value pairs of a query string.
pub fn pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `key`, if any and not blank.
pub fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.as_str())
}

fn number<T: std::str::FromStr>(
    pairs: &[(String, String)],
    key: &'static str,
    what: &str,
) -> Result<Option<T>, SearchError> {
    match first(pairs, key) {
        None => Ok(None),
        Some(value) => value.trim().parse().map(Some).map_err(|_| SearchError::InvalidParameter {
            parameter: key,
            message: format!("expected {what}, found {value:?}"),
        }),
    }
}

/// Builds a search request from query-string pairs.
pub fn parse_search(pairs: &[(String, String)]) -> Result<SearchRequest, SearchError> {
    let list = |key: &str| -> Vec<String> {
        pairs.iter().filter(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim().to_string()).collect()
    };
    let year_text = "a year such as 2021";
    let defaults = SearchRequest::default();
    let request = SearchRequest {
        q: first(pairs, "q").unwrap_or_default().to_string(),
        sector: list("sector"),
        region: list("region"),
        year: number(pairs, "year", year_text)?,
        year_from: number(pairs, "year_from", year_text)?,
        year_to: number(pairs, "year_to", year_text)?,
        award: list("award"),
        language: list("language"),
        organisation: list("organisation"),
        sort: match first(pairs, "sort") {
            Some(value) => Sort::parse(value)?,
            None => Sort::Relevance,
        },
        match_mode: match first(pairs, "match") {
            Some(value) => MatchMode::parse(value)?,
            None => MatchMode::Last,
        },
        page: number(pairs, "page", "a page number from 1")?.unwrap_or(defaults.page),
        per_page: number(pairs, "per_page", "a number from 1 to 100")?.unwrap_or(defaults.per_page),
        lang: first(pairs, "lang").map(str::to_string),
        explain: match first(pairs, "explain") {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(other) => {
                return Err(SearchError::InvalidParameter {
                    parameter: "explain",
                    message: format!("expected true or false, found {other:?}"),
                });
            }
        },
    };
    request.validate()?;
    Ok(request)
}

/// The query string of a request: only non-default values, lists repeated, in a stable order.
pub fn to_query(request: &SearchRequest) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    if !request.q.is_empty() {
        out.append_pair("q", &request.q);
    }
    for (key, values) in [
        ("sector", &request.sector),
        ("region", &request.region),
        ("award", &request.award),
        ("language", &request.language),
        ("organisation", &request.organisation),
    ] {
        for value in values {
            out.append_pair(key, value);
        }
    }
    for (key, value) in [("year", request.year), ("year_from", request.year_from), ("year_to", request.year_to)] {
        if let Some(value) = value {
            out.append_pair(key, &value.to_string());
        }
    }
    let sort = match request.sort {
        Sort::Relevance => None,
        Sort::YearDesc => Some("year_desc"),
        Sort::YearAsc => Some("year_asc"),
        Sort::Title => Some("title"),
    };
    if let Some(sort) = sort {
        out.append_pair("sort", sort);
    }
    let match_mode = match request.match_mode {
        MatchMode::Last => None,
        MatchMode::All => Some("all"),
        MatchMode::Any => Some("any"),
    };
    if let Some(mode) = match_mode {
        out.append_pair("match", mode);
    }
    if request.per_page != SearchRequest::default().per_page {
        out.append_pair("per_page", &request.per_page.to_string());
    }
    if request.page > 1 {
        out.append_pair("page", &request.page.to_string());
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<SearchRequest, String> {
        parse_search(&pairs(Some(query))).map_err(|error| error.to_string())
    }

    #[test]
    fn repeated_parameters_are_lists() {
        let request = parse("q=smart+city&sector=health&sector=ict&region=IT&year_from=2019&page=2").unwrap();
        assert_eq!(request.q, "smart city");
        assert_eq!(request.sector, vec!["health", "ict"]);
        assert_eq!(request.page, 2);
        assert_eq!(to_query(&request), "q=smart+city&sector=health&sector=ict&region=IT&year_from=2019&page=2");
    }

    #[test]
    fn bad_values_name_their_parameter() {
        assert_eq!(parse("year=abc").unwrap_err(), "invalid `year`: expected a year such as 2021, found \"abc\"");
        assert_eq!(parse("per_page=1000").unwrap_err(), "invalid `per_page`: must be between 1 and 100");
        assert_eq!(parse("page=0").unwrap_err(), "invalid `page`: pages start at 1");
        assert!(parse("sort=random").unwrap_err().starts_with("invalid `sort`"));
        assert!(parse("page=99999999999999999999999").is_err());
        assert!(parse("page=-1").is_err());
    }

    #[test]
    fn blanks_and_bad_encodings_are_harmless() {
        let request = parse("q=%FF%FE&sector=&year_from=&utm_source=x").unwrap();
        assert_eq!(request.q, "\u{fffd}\u{fffd}");
        assert!(request.sector.is_empty());
        assert_eq!(request.year_from, None);
    }
}
