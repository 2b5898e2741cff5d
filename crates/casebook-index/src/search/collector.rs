//! The single-pass disjunctive facet collector. It sees every case matching the query text
//! (without filters) once: it records the case in the bitset of its matching tier (how many
//! query words it contains), and when the case passes every filter (one bit test against the
//! filters' mask) counts it as a result and ranks it for the page. Facet counts are computed
//! after the pass, once the relaxation step is chosen, from the bitsets of the tiers kept
//! (`facet_index.rs`): a group's values are counted over the matches passing every other
//! group's filter (Lucene's "drill sideways"), so that counts predict totals exactly.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::{Arc, OnceLock};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::fastfield::AliveBitSet;
use tantivy::query::{AllScorer, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED};

use super::bits::Bits;
use super::facet_index::{FacetCache, FilterMasks, GROUPS, SegmentFacets};
use super::filters::Filters;
use super::tiered::{TieredScorer, matched_units};
use crate::request::Sort;

/// Counts per group and value id, with the dictionary that names the values.
#[derive(Debug)]
pub struct GroupCounts {
    facets: Arc<FacetCache>,
    counts: [Vec<u64>; GROUPS],
}

impl GroupCounts {
    /// The values of a group with a count, by key: sector id, `country\0region`, year, award
    /// name, language code, `slug\0name` of the organisation.
    pub fn nonzero(&self, group: usize) -> impl Iterator<Item = (&str, u64)> {
        self.facets.keys(group).iter().zip(&self.counts[group]).filter(|(_, c)| **c > 0).map(|(k, c)| (k.as_str(), *c))
    }

    /// The count of every value of a group, by id.
    pub fn by_id(&self, group: usize) -> &[u64] {
        &self.counts[group]
    }

    /// The dictionary of the values.
    pub fn facets(&self) -> &FacetCache {
        &self.facets
    }

    /// The values of a group of two-part keys with a count, by their parts: (country,
    /// region), (organisation slug, name).
    pub fn nonzero_parts(&self, group: usize) -> impl Iterator<Item = (&str, &str, u64)> {
        self.facets.parts(group).zip(&self.counts[group]).filter(|(_, c)| **c > 0).map(|((a, b), c)| (a, b, *c))
    }
}

/// What one segment's pass leaves for counting.
#[derive(Debug)]
pub struct SegmentMatches {
    facets: Arc<SegmentFacets>,
    /// The matches of each tier.
    tiers: Vec<Option<Bits>>,
    masks: FilterMasks,
}

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
    /// The best results, already ordered, at most the requested depth.
    pub candidates: Vec<Candidate>,
    /// The matches of each segment, for counting.
    segments: Vec<SegmentMatches>,
    /// The generation's facet values.
    facets: Arc<FacetCache>,
    /// The counts of every tier, once asked (the cached unfiltered browse asks every time).
    all_tiers: OnceLock<GroupCounts>,
}

impl Collected {
    /// The facet counts of every match, computed once for this pass.
    pub fn counts_of_all(&self) -> &GroupCounts {
        self.all_tiers.get_or_init(|| self.counts(0))
    }

    /// The facet counts of the matches of `final_tier` and above.
    pub fn counts(&self, final_tier: usize) -> GroupCounts {
        let mut counts = self.facets.zero_counts();
        for segment in &self.segments {
            let mut matches: Option<Bits> = None;
            for bits in segment.tiers.iter().skip(final_tier).flatten() {
                match &mut matches {
                    Some(matches) => matches.or_with(bits),
                    None => matches = Some(bits.clone()),
                }
            }
            if let Some(matches) = matches {
                segment.facets.count(&matches, &segment.masks, &mut counts);
            }
        }
        GroupCounts { facets: Arc::clone(&self.facets), counts }
    }
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
    /// Facet values resolved when the index was opened.
    pub facets: Arc<FacetCache>,
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
    facets: Arc<SegmentFacets>,
    masks: FilterMasks,
    max_doc: u32,
    tier_matches: Vec<Option<Bits>>,
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

impl Collector for FacetedCollector {
    type Fruit = Collected;
    type Child = FacetedSegmentCollector;

    fn for_segment(&self, segment_ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let tiers = self.top_tier + 1;
        let facets = self.facets.segment(&segment.segment_id()).cloned().ok_or_else(|| {
            tantivy::TantivyError::InternalError("a segment outside the generation's facet values".into())
        })?;
        let titles = if self.sort == Sort::Title { segment.fast_fields().str("title_key")? } else { None };
        Ok(FacetedSegmentCollector {
            segment_ord,
            masks: facets.masks(&self.facets.selection(&self.filters)),
            facets,
            max_doc: segment.max_doc(),
            tier_matches: vec![None; tiers],
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

    /// Tiered queries are collected by our own loop: the tier of every match comes from the
    /// scorer's unit count, and BM25 is summed only for a result that can make the page.
    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Collected> {
        let mut child = self.for_segment(segment_ord, reader)?;
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        // A browse (no text, no exclusion) matches every live case: the match set is known,
        // and only the cases passing the filters are visited.
        if !self.tiered && scorer.downcast_ref::<AllScorer>().is_some() {
            child.collect_every_case(alive);
            return Ok(child.harvest());
        }
        match scorer.downcast_mut::<TieredScorer>() {
            Some(tiered) if self.tiered => {
                let mut doc = tiered.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|alive| alive.is_alive(doc)) {
                        child.collect_tier(doc, tiered.matched(), || tiered.score());
                    }
                    doc = tiered.advance();
                }
            }
            _ => {
                let mut doc = scorer.doc();
                while doc != TERMINATED {
                    if alive.is_none_or(|alive| alive.is_alive(doc)) {
                        let score = if self.tiered { scorer.score() } else { 0.0 };
                        child.collect(doc, score);
                    }
                    doc = scorer.advance();
                }
            }
        }
        Ok(child.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Collected>) -> tantivy::Result<Collected> {
        let tiers = self.top_tier + 1;
        let mut merged = Collected {
            totals: vec![0; tiers],
            unfiltered_totals: vec![0; tiers],
            facets: Arc::clone(&self.facets),
            ..Default::default()
        };
        for fruit in fruits {
            for (tier, total) in fruit.totals.iter().enumerate() {
                merged.totals[tier] += total;
            }
            for (tier, total) in fruit.unfiltered_totals.iter().enumerate() {
                merged.unfiltered_totals[tier] += total;
            }
            merged.matched_all += fruit.matched_all;
            merged.candidates.extend(fruit.candidates);
            merged.segments.extend(fruit.segments);
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
        self.collect_tier(doc, matched, || score);
    }

    fn harvest(self) -> Collected {
        self.harvest_matches()
    }
}

impl FacetedSegmentCollector {
    /// Collects every live case of a segment as a match of a browse (tier 0), as
    /// [`Self::collect_tier`] would one by one, visiting only the results.
    fn collect_every_case(&mut self, alive: Option<&AliveBitSet>) {
        let mut matches = Bits::full(self.max_doc);
        if let Some(alive) = alive {
            for doc in (0..self.max_doc).filter(|doc| !alive.is_alive(*doc)) {
                matches.remove(doc);
            }
        }
        self.unfiltered_totals[0] += matches.len();
        match self.masks.all.take() {
            Some(results) => {
                results.for_each(|doc| {
                    if matches.contains(doc) {
                        self.rank_result(doc, 0, 0, || 0.0);
                    }
                });
                self.masks.all = Some(results);
            }
            None => matches.for_each(|doc| self.rank_result(doc, 0, 0, || 0.0)),
        }
        self.tier_matches[0] = Some(matches);
    }

    /// Collects a match of `matched` units; `score` is called only if the case is a result
    /// that can make the page.
    fn collect_tier(&mut self, doc: DocId, matched: usize, score: impl FnOnce() -> Score) {
        let tier = matched.min(self.top_tier);
        self.unfiltered_totals[tier] += 1;
        let max_doc = self.max_doc;
        self.tier_matches[tier].get_or_insert_with(|| Bits::empty(max_doc)).insert(doc);
        if self.masks.all.as_ref().is_some_and(|all| !all.contains(doc)) {
            return;
        }
        self.rank_result(doc, tier, matched, score);
    }

    /// Counts a result (a match passing every filter) and keeps it if it makes the page.
    fn rank_result(&mut self, doc: DocId, tier: usize, matched: usize, score: impl FnOnce() -> Score) {
        self.totals[tier] += 1;
        if self.tiered && matched >= self.units {
            self.matched_all += 1;
        }
        if self.depth == 0 {
            return;
        }
        let primary = match self.sort {
            Sort::Relevance if self.tiered => 0,
            Sort::Relevance | Sort::YearDesc => self.facets.year(doc) as i64,
            Sort::YearAsc => -(self.facets.year(doc) as i64),
            Sort::Title => {
                -(self.titles.as_ref().and_then(|t| t.term_ords(doc).next()).map_or(i64::MAX, |ord| ord as i64))
            }
        };
        if self.heap.len() >= self.depth
            && let Some(Reverse(worst)) = self.heap.peek()
            && (tier, primary) < (worst.tier, worst.primary)
        {
            return;
        }
        let ranked = Ranked { tier, primary, score: score(), doc };
        if self.heap.len() < self.depth {
            self.heap.push(Reverse(ranked));
        } else if let Some(Reverse(worst)) = self.heap.peek()
            && ranked > *worst
        {
            self.heap.pop();
            self.heap.push(Reverse(ranked));
        }
    }

    fn harvest_matches(self) -> Collected {
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
            candidates,
            segments: vec![SegmentMatches { facets: self.facets, tiers: self.tier_matches, masks: self.masks }],
            facets: Arc::default(),
            all_tiers: OnceLock::new(),
        }
    }
}
