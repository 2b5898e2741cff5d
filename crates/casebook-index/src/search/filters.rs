//! The filters of a request, resolved against the taxonomy: sector ids, countries and
//! regions, award slugs, language codes, organisation slugs and year bounds. Values that
//! match nothing known are kept out of the filter and reported as warnings with a "did you
//! mean" (an unknown organisation simply matches nothing: it is listed with no case).

use std::collections::HashSet;

use casebook_corpus::text::slugify;
use casebook_corpus::{Language, RegionSelector, Taxonomy};

use crate::request::{SearchRequest, YearRange};

/// The resolved filters of a request. `None` means the group is not filtered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filters {
    /// Selected sector ids.
    pub sector: Option<HashSet<String>>,
    /// Selected countries (whole subtrees) and regions.
    pub region: Option<RegionFilter>,
    /// Year bounds.
    pub year: YearRange,
    /// Selected award names, by slug.
    pub award: Option<HashSet<String>>,
    /// Selected language codes.
    pub language: Option<HashSet<String>>,
    /// Selected organisation slugs (each value as written and read as a name).
    pub organisation: Option<HashSet<String>>,
}

/// Selected countries and regions; a case passes if either contains its location.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegionFilter {
    /// ISO codes.
    pub countries: HashSet<String>,
    /// Region values.
    pub regions: HashSet<String>,
}

impl Filters {
    /// Whether no group is filtered.
    pub fn is_empty(&self) -> bool {
        self.sector.is_none()
            && self.region.is_none()
            && !self.year.is_set()
            && self.award.is_none()
            && self.language.is_none()
            && self.organisation.is_none()
    }
}

/// Resolves the filters of `request` (with its checked year bounds), pushing a warning for
/// each value that matches nothing known.
pub(crate) fn resolve(
    request: &SearchRequest,
    year: YearRange,
    taxonomy: &Taxonomy,
    warnings: &mut Vec<String>,
) -> Filters {
    let mut filters = Filters { year, ..Filters::default() };
    if !request.sector.is_empty() {
        let mut ids = HashSet::new();
        for value in &request.sector {
            match taxonomy.sector(value) {
                Some(sector) => {
                    ids.insert(sector.id.clone());
                }
                None => warnings.push(match taxonomy.closest_sector(value) {
                    Some(s) => format!("unknown sector '{value}' — did you mean '{}'?", s.id),
                    None => format!("unknown sector '{value}'"),
                }),
            }
        }
        filters.sector = Some(ids);
    }
    if !request.region.is_empty() {
        let mut filter = RegionFilter::default();
        for value in &request.region {
            match taxonomy.region_selector(value) {
                Some(RegionSelector::Country(code)) => {
                    filter.countries.insert(code);
                }
                Some(RegionSelector::Region(region)) => {
                    filter.regions.insert(region);
                }
                None => warnings.push(match taxonomy.closest_italian_region(value) {
                    Some(r) => format!("unknown region '{value}' — did you mean '{}' ({})?", r.it, r.id),
                    None => format!("unknown region '{value}'"),
                }),
            }
        }
        filters.region = Some(filter);
    }
    if !request.award.is_empty() {
        filters.award = Some(request.award.iter().map(|a| slugify(a)).collect());
    }
    if !request.language.is_empty() {
        let mut codes = HashSet::new();
        for value in &request.language {
            match Language::from_code(value) {
                Some(language) => {
                    codes.insert(language.code().to_string());
                }
                None => warnings.push(format!("unknown language '{value}': use it or en")),
            }
        }
        filters.language = Some(codes);
    }
    if !request.organisation.is_empty() {
        filters.organisation = Some(
            request.organisation.iter().flat_map(|value| casebook_corpus::organisation_filter_slugs(value)).collect(),
        );
    }
    filters
}
