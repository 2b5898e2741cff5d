//! Organisations across awards and years: the list of every organisation with its number of
//! cases (read from the organisation facet of every live document, no search needed), and
//! one organisation with all its cases, oldest first.

use std::collections::BTreeMap;

use casebook_corpus::Language;
use casebook_corpus::text::lookup_key;
use serde::{Deserialize, Serialize};
use tantivy::schema::Facet;

use crate::archive::Archive;
use crate::error::SearchError;
use crate::request::{SearchRequest, Sort};
use crate::response::Hit;

/// Most cases returned for one organisation.
pub const MAX_ORGANISATION_CASES: usize = 1000;

/// An organisation in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationSummary {
    /// Slug (`/organisations/{slug}`, the `organisation` filter value).
    pub slug: String,
    /// The most frequent spelling of its name.
    pub name: String,
    /// Number of cases.
    pub cases: u64,
    /// Award year of its first case.
    pub first_year: u16,
    /// Award year of its latest case.
    pub last_year: u16,
}

/// One organisation with its cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    /// Slug.
    pub slug: String,
    /// The most frequent spelling of its name (the latest on a tie).
    pub name: String,
    /// Every spelling of its name in the archive, most frequent first.
    pub names: Vec<String>,
    /// Its cases, oldest first; each `snippet` is the escaped summary.
    pub cases: Vec<Hit>,
}

/// What is counted of one organisation.
#[derive(Default)]
struct Tally {
    cases: u64,
    names: BTreeMap<String, u64>,
    first_year: u16,
    last_year: u16,
}

impl Archive {
    /// Every organisation whose name (any spelling) or slug contains `q` (case, accents and
    /// punctuation ignored; empty `q`: all), most cases first, then by name.
    pub fn organisations(&self, q: &str) -> Result<Vec<OrganisationSummary>, SearchError> {
        let searcher = self.reader.searcher();
        let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
        let mut facet = Facet::root();
        for segment in searcher.segment_readers() {
            let reader = segment.facet_reader("org")?;
            let years = segment.fast_fields().u64("year")?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                    continue;
                }
                let year = years.first(doc).and_then(|y| u16::try_from(y).ok()).unwrap_or(0);
                for ord in reader.facet_ords(doc) {
                    reader.facet_from_ord(ord, &mut facet)?;
                    let path = facet.to_path();
                    let (Some(slug), Some(name)) = (path.first(), path.get(1)) else { continue };
                    let tally = tallies.entry((*slug).to_string()).or_default();
                    if tally.cases == 0 {
                        tally.first_year = year;
                        tally.last_year = year;
                    }
                    tally.cases += 1;
                    tally.first_year = tally.first_year.min(year);
                    tally.last_year = tally.last_year.max(year);
                    *tally.names.entry((*name).to_string()).or_default() += 1;
                }
            }
        }
        let wanted = lookup_key(q);
        let mut list: Vec<OrganisationSummary> = tallies
            .into_iter()
            .filter(|(slug, tally)| {
                wanted.is_empty()
                    || lookup_key(slug).contains(&wanted)
                    || tally.names.keys().any(|name| lookup_key(name).contains(&wanted))
            })
            .map(|(slug, tally)| OrganisationSummary {
                name: most_frequent(&tally.names),
                slug,
                cases: tally.cases,
                first_year: tally.first_year,
                last_year: tally.last_year,
            })
            .collect();
        list.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| lookup_key(&a.name).cmp(&lookup_key(&b.name))));
        Ok(list)
    }

    /// The organisation with this slug and its cases, oldest first (labels in `lang`);
    /// `None` when no case has it.
    pub fn organisation(&self, slug: &str, lang: Language) -> Result<Option<Organisation>, SearchError> {
        let request = SearchRequest {
            organisation: vec![slug.to_string()],
            sort: Sort::YearAsc,
            lang: Some(lang.code().to_string()),
            ..Default::default()
        };
        let mut response = self.export(&request, MAX_ORGANISATION_CASES)?;
        response.hits.retain(|hit| hit.case.organisation_slug == slug);
        if response.hits.is_empty() {
            return Ok(None);
        }
        let mut names: BTreeMap<String, (u64, u16)> = BTreeMap::new();
        for hit in &mut response.hits {
            let entry = names.entry(hit.case.organisation.clone()).or_default();
            entry.0 += 1;
            entry.1 = entry.1.max(hit.case.year);
            hit.snippet.clear();
            crate::search::snippet::escape_html(&hit.case.summary, &mut hit.snippet);
        }
        let mut ranked: Vec<(String, (u64, u16))> = names.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Some(Organisation {
            slug: slug.to_string(),
            name: ranked.first().map(|(name, _)| name.clone()).unwrap_or_default(),
            names: ranked.into_iter().map(|(name, _)| name).collect(),
            cases: response.hits,
        }))
    }
}

/// The most frequent key (the first in order on a tie).
fn most_frequent(names: &BTreeMap<String, u64>) -> String {
    let mut best: Option<(&String, u64)> = None;
    for (name, &count) in names {
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((name, count));
        }
    }
    best.map(|(name, _)| name.clone()).unwrap_or_default()
}
