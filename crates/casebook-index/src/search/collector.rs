//! The single-pass disjunctive facet collector. It sees every case matching the query text
//! (without filters) once and, reading sector, region, year, award, language and organisation
//! from fast fields, decides which filter groups the case passes:
//!
//! - all groups: it is a result; it is counted in every group and ranked for the page;
//! - all but one group G: it is counted in G only (the count G's values would have if G's
//!   own selection were changed: Lucene's "drill sideways");
//! - two or more failed groups: ignored.
//!
//! Counts and totals are kept per matching tier (how many query words the case contains),
//! so that the relaxation step can be chosen after the pass.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::filters::Filters;
use super::tiered::matched_units;
use crate::request::{Sort, YearRange};

/// Filter groups, in the order of the count arrays.
pub(crate) const GROUPS: usize = 6;
const SECTOR: usize = 0;
const REGION: usize = 1;
const YEAR: usize = 2;
const AWARD: usize = 3;
const LANGUAGE: usize = 4;
const ORGANISATION: usize = 5;

/// Per-value counts, one slot per tier.
pub type TierCounts = HashMap<String, Vec<u64>>;

/// What one pass produces.
#[derive(Debug, Default)]
pub struct Collected {
    /// Results per tier (cases passing every filter).
    pub totals: Vec<u64>,
    /// Matches per tier ignoring the filters: the relaxation step is chosen on these, so that
    /// selecting a facet value never changes the step and counts predict totals exactly.
    pub unfiltered_totals: Vec<u64>,
    /// Results containing every query unit.
    pub matched_all: u64,
    /// Counts per group: sector id, `country\0region`, year, award name, language code,
    /// `slug\0name` of the organisation.
    pub counts: [TierCounts; GROUPS],
    /// The best results, already ordered, at most the requested depth.
    pub candidates: Vec<Candidate>,
}

/// A result kept for the page.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Effective tier.
    pub tier: usize,
    /// Sort key within the tier (year or ordinal based).
    primary: i64,
    /// Title key, for the title order.
    title: Option<String>,
    /// Raw score.
    pub score: Score,
    /// Where the document is.
    pub address: DocAddress,
}

impl Candidate {
    fn compare(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then_with(|| match (&self.title, &other.title) {
                (Some(a), Some(b)) => b.cmp(a),
                _ => self.primary.cmp(&other.primary),
            })
            .then_with(|| self.score.total_cmp(&other.score))
            .then_with(|| other.address.cmp(&self.address))
    }
}

/// The collector of one search.
pub struct FacetedCollector {
    /// Filters to apply.
    pub filters: Filters,
    /// Result order.
    pub sort: Sort,
    /// Whether scores carry matched-unit tiers (the query has text).
    pub tiered: bool,
    /// Number of counted query units.
    pub units: usize,
    /// Tier from which all cases count as matching "enough" words (75% rule).
    pub top_tier: usize,
    /// Results to keep: `page × per_page`.
    pub depth: usize,
    /// Facet paths resolved when the index was opened.
    pub facets: Arc<FacetCache>,
}

/// The facet fields counted, in the order of [`SegmentFacets`] and of the collector's groups.
const FACET_FIELDS: [&str; 5] = ["sector", "region", "award", "language", "org"];

/// The facet paths of one segment, by ordinal, and the key each is counted under. A
/// generation's segments never change, so this is resolved once when the index is opened,
/// not on every query.
#[derive(Debug, Default)]
pub struct SegmentFacets {
    paths: [Vec<Vec<String>>; 5],
    keys: [Vec<String>; 5],
}

/// Resolved facets of every segment of a generation.
pub type FacetCache = HashMap<tantivy::index::SegmentId, Arc<SegmentFacets>>;

/// Resolves the facet paths of a segment.
pub fn resolve_facets(segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
    let mut resolved = SegmentFacets::default();
    for (index, field) in FACET_FIELDS.iter().enumerate() {
        let reader = segment.facet_reader(field)?;
        let mut facet = Facet::root();
        for ord in 0..reader.num_facets() as u64 {
            reader.facet_from_ord(ord, &mut facet)?;
            let path: Vec<String> = facet.to_path().into_iter().map(str::to_string).collect();
            let key = if *field == "region" || *field == "org" {
                format!("{}\0{}", path.first().map_or("", String::as_str), path.get(1).map_or("", String::as_str))
            } else {
                path.first().cloned().unwrap_or_default()
            };
            resolved.paths[index].push(path);
            resolved.keys[index].push(key);
        }
    }
    Ok(resolved)
}

/// Whether a facet path is selected by a filter.
type Selector<'a> = dyn Fn(&[String]) -> bool + 'a;

/// Years counted: 1900 to 2200 (the range requests accept).
const FIRST_COUNTED_YEAR: usize = 1900;
const YEAR_SLOTS: usize = 301;

/// Most facet values of one document that are counted (a case has a handful of sectors).
const MAX_ORDS: usize = 16;

struct Group {
    reader: FacetReader,
    pass: Option<Vec<bool>>,
    facets: Arc<SegmentFacets>,
    field: usize,
    counts: Vec<Vec<u64>>,
    /// The current document's ordinals, read once per document.
    ords: [u64; MAX_ORDS],
    len: usize,
    loaded_for: DocId,
}

impl Group {
    fn new(
        segment: &SegmentReader,
        facets: &Arc<SegmentFacets>,
        field: usize,
        tiers: usize,
        selected: Option<&Selector<'_>>,
    ) -> tantivy::Result<Self> {
        let reader = segment.facet_reader(FACET_FIELDS[field])?;
        let paths = &facets.paths[field];
        let pass = selected.map(|selected| paths.iter().map(|path| selected(path)).collect());
        let counts = vec![vec![0; paths.len()]; tiers];
        Ok(Group {
            reader,
            pass,
            facets: Arc::clone(facets),
            field,
            counts,
            ords: [0; MAX_ORDS],
            len: 0,
            loaded_for: tantivy::TERMINATED,
        })
    }

    /// Reads the document's ordinals, once (sorted, without repeats).
    fn load(&mut self, doc: DocId) {
        if self.loaded_for == doc {
            return;
        }
        self.len = 0;
        let mut previous = u64::MAX;
        for ord in self.reader.facet_ords(doc) {
            if ord != previous && self.len < MAX_ORDS {
                self.ords[self.len] = ord;
                self.len += 1;
                previous = ord;
            }
        }
        self.loaded_for = doc;
    }

    fn passes(&mut self, doc: DocId) -> bool {
        if self.pass.is_none() {
            return true;
        }
        self.load(doc);
        let Some(pass) = &self.pass else { return true };
        self.ords[..self.len].iter().any(|ord| pass.get(*ord as usize).copied().unwrap_or(false))
    }

    fn count(&mut self, doc: DocId, tier: usize) {
        self.load(doc);
        let counts = &mut self.counts[tier];
        for ord in &self.ords[..self.len] {
            if let Some(slot) = counts.get_mut(*ord as usize) {
                *slot += 1;
            }
        }
    }

    fn harvest(self) -> TierCounts {
        let tiers = self.counts.len();
        let mut out: TierCounts = HashMap::new();
        for (tier, counts) in self.counts.into_iter().enumerate() {
            for (ord, count) in counts.into_iter().enumerate() {
                if count > 0 {
                    let key = self.facets.keys[self.field][ord].clone();
                    out.entry(key).or_insert_with(|| vec![0; tiers])[tier] += count;
                }
            }
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq)]
struct Ranked {
    tier: usize,
    primary: i64,
    score: Score,
    doc: DocId,
}

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.tier
            .cmp(&other.tier)
            .then_with(|| self.primary.cmp(&other.primary))
            .then_with(|| self.score.total_cmp(&other.score))
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The per-segment part of the collector.
pub struct FacetedSegmentCollector {
    segment_ord: SegmentOrdinal,
    groups: [Group; 5],
    years: Column<u64>,
    year_range: YearRange,
    /// Counts per tier and year (index: year − FIRST_COUNTED_YEAR).
    year_counts: Vec<Vec<u64>>,
    titles: Option<StrColumn>,
    sort: Sort,
    tiered: bool,
    units: usize,
    top_tier: usize,
    depth: usize,
    totals: Vec<u64>,
    unfiltered_totals: Vec<u64>,
    matched_all: u64,
    heap: BinaryHeap<Reverse<Ranked>>,
}

/// Index of a group in `FacetedSegmentCollector::groups` (year has its own counters).
fn slot(group: usize) -> usize {
    match group {
        SECTOR => 0,
        REGION => 1,
        AWARD => 2,
        LANGUAGE => 3,
        _ => 4,
    }
}

impl Collector for FacetedCollector {
    type Fruit = Collected;
    type Child = FacetedSegmentCollector;

    fn for_segment(&self, segment_ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let tiers = self.top_tier + 1;
        let filters = &self.filters;
        let sector_selected =
            filters.sector.as_ref().map(|set| move |path: &[String]| path.first().is_some_and(|id| set.contains(id)));
        let region_selected = filters.region.as_ref().map(|filter| {
            move |path: &[String]| {
                let country = path.first().map_or("", String::as_str);
                filter.countries.contains(country)
                    || path.get(1).is_some_and(|segment| {
                        filter.regions.contains(&crate::document::region_value(country, segment))
                    })
            }
        });
        let award_selected = filters.award.as_ref().map(|set| {
            move |path: &[String]| path.first().is_some_and(|name| set.contains(&casebook_corpus::text::slugify(name)))
        });
        let language_selected =
            filters.language.as_ref().map(|set| move |path: &[String]| path.first().is_some_and(|l| set.contains(l)));
        let organisation_selected = filters
            .organisation
            .as_ref()
            .map(|set| move |path: &[String]| path.first().is_some_and(|slug| set.contains(slug)));
        let facets = match self.facets.get(&segment.segment_id()) {
            Some(facets) => Arc::clone(facets),
            None => Arc::new(resolve_facets(segment)?),
        };
        let groups = [
            Group::new(segment, &facets, 0, tiers, sector_selected.as_ref().map(|f| f as &Selector<'_>))?,
            Group::new(segment, &facets, 1, tiers, region_selected.as_ref().map(|f| f as &Selector<'_>))?,
            Group::new(segment, &facets, 2, tiers, award_selected.as_ref().map(|f| f as &Selector<'_>))?,
            Group::new(segment, &facets, 3, tiers, language_selected.as_ref().map(|f| f as &Selector<'_>))?,
            Group::new(segment, &facets, 4, tiers, organisation_selected.as_ref().map(|f| f as &Selector<'_>))?,
        ];
        let titles = if self.sort == Sort::Title { segment.fast_fields().str("title_key")? } else { None };
        Ok(FacetedSegmentCollector {
            segment_ord,
            groups,
            years: segment.fast_fields().u64("year")?,
            year_range: filters.year,
            year_counts: vec![vec![0; YEAR_SLOTS]; tiers],
            titles,
            sort: self.sort,
            tiered: self.tiered,
            units: self.units,
            top_tier: self.top_tier,
            depth: self.depth,
            totals: vec![0; tiers],
            unfiltered_totals: vec![0; tiers],
            matched_all: 0,
            heap: BinaryHeap::with_capacity(self.depth.min(4096) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.tiered
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let tiers = self.top_tier + 1;
        let mut merged = Collected { totals: vec![0; tiers], unfiltered_totals: vec![0; tiers], ..Default::default() };
        for fruit in fruits {
            for (tier, total) in fruit.totals.iter().enumerate() {
                merged.totals[tier] += total;
            }
            for (tier, total) in fruit.unfiltered_totals.iter().enumerate() {
                merged.unfiltered_totals[tier] += total;
            }
            merged.matched_all += fruit.matched_all;
            for (group, counts) in fruit.counts.into_iter().enumerate() {
                for (key, values) in counts {
                    let slot = merged.counts[group].entry(key).or_insert_with(|| vec![0; tiers]);
                    for (tier, value) in values.into_iter().enumerate() {
                        slot[tier] += value;
                    }
                }
            }
            merged.candidates.extend(fruit.candidates);
        }
        merged.candidates.sort_by(|a, b| b.compare(a));
        merged.candidates.truncate(self.depth);
        Ok(merged)
    }
}

impl SegmentCollector for FacetedSegmentCollector {
    type Fruit = Collected;

    fn collect(&mut self, doc: DocId, score: Score) {
        let matched = if self.tiered { matched_units(score) } else { 0 };
        let tier = matched.min(self.top_tier);
        self.unfiltered_totals[tier] += 1;
        let year = self.years.first(doc).unwrap_or(0);
        let mut failed = [false; GROUPS];
        failed[SECTOR] = !self.groups[slot(SECTOR)].passes(doc);
        failed[REGION] = !self.groups[slot(REGION)].passes(doc);
        failed[YEAR] = self.year_range.is_set() && !self.year_range.contains(year);
        failed[AWARD] = !self.groups[slot(AWARD)].passes(doc);
        failed[LANGUAGE] = !self.groups[slot(LANGUAGE)].passes(doc);
        failed[ORGANISATION] = !self.groups[slot(ORGANISATION)].passes(doc);
        let failures = failed.iter().filter(|f| **f).count();
        if failures >= 2 {
            return;
        }
        for (group, &failed_group) in failed.iter().enumerate() {
            // A result counts everywhere; a near-miss only in the group it fails.
            if failures == 0 || failed_group {
                if group == YEAR {
                    if let Some(slot) =
                        (year as usize).checked_sub(FIRST_COUNTED_YEAR).and_then(|i| self.year_counts[tier].get_mut(i))
                    {
                        *slot += 1;
                    }
                } else {
                    self.groups[slot(group)].count(doc, tier);
                }
            }
        }
        if failures > 0 {
            return;
        }
        self.totals[tier] += 1;
        if self.tiered && matched >= self.units {
            self.matched_all += 1;
        }
        let primary = match self.sort {
            Sort::Relevance if self.tiered => 0,
            Sort::Relevance | Sort::YearDesc => year as i64,
            Sort::YearAsc => -(year as i64),
            Sort::Title => {
                -(self.titles.as_ref().and_then(|t| t.term_ords(doc).next()).map_or(i64::MAX, |ord| ord as i64))
            }
        };
        let ranked = Ranked { tier, primary, score, doc };
        if self.heap.len() < self.depth {
            self.heap.push(Reverse(ranked));
        } else if let Some(Reverse(worst)) = self.heap.peek()
            && ranked > *worst
        {
            self.heap.pop();
            self.heap.push(Reverse(ranked));
        }
    }

    fn harvest(self) -> Collected {
        let mut counts: [TierCounts; GROUPS] = Default::default();
        let tiers = self.totals.len();
        let [sector, region, award, language, organisation] = self.groups;
        counts[SECTOR] = sector.harvest();
        counts[REGION] = region.harvest();
        counts[AWARD] = award.harvest();
        counts[LANGUAGE] = language.harvest();
        counts[ORGANISATION] = organisation.harvest();
        for (tier, years) in self.year_counts.into_iter().enumerate() {
            for (offset, count) in years.into_iter().enumerate().filter(|(_, c)| *c > 0) {
                let year = (FIRST_COUNTED_YEAR + offset).to_string();
                counts[YEAR].entry(year).or_insert_with(|| vec![0; tiers])[tier] += count;
            }
        }
        let mut title = String::new();
        let candidates = self
            .heap
            .into_iter()
            .map(|Reverse(ranked)| Candidate {
                tier: ranked.tier,
                primary: ranked.primary,
                title: self.titles.as_ref().map(|column| {
                    title.clear();
                    if let Some(ord) = column.term_ords(ranked.doc).next() {
                        let _ = column.ord_to_str(ord, &mut title);
                    }
                    title.clone()
                }),
                score: ranked.score,
                address: DocAddress::new(self.segment_ord, ranked.doc),
            })
            .collect();
        Collected {
            totals: self.totals,
            unfiltered_totals: self.unfiltered_totals,
            matched_all: self.matched_all,
            counts,
            candidates,
        }
    }
}
