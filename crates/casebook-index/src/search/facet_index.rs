//! The facet values of a segment's documents, read once when a generation is opened (a
//! generation's segments never change) into plain arrays and bitsets, so that a search never
//! reads a fast field to filter or count:
//!
//! - every group (sector, region, year, award, language, organisation) keeps the values of
//!   each document as ordinals, and the path and counting key of each ordinal;
//! - a group with few values (sectors, years, awards, languages, and regions in a corpus of
//!   Italian cases) also keeps one bitset per value: a filter is then an OR of bitsets and a
//!   count a population count of an intersection, whose cost depends on the segment's size,
//!   not on the number of matches. A group with many values (organisations) is counted by
//!   visiting the documents of the counted set, whichever is cheaper per query.
//!
//! Memory: about 4 bytes per document and group, plus one bit per document and value of the
//! small groups: about 40 MB at 1M cases, by construction (docs/performance.md).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::schema::Facet;
use tantivy::{DocId, Searcher, SegmentReader};

use super::bits::Bits;
use super::filters::Filters;
use super::organisation_order::OrganisationOrder;

/// Filter groups, in the order of the count arrays.
pub(crate) const GROUPS: usize = 6;
pub(crate) const SECTOR: usize = 0;
pub(crate) const REGION: usize = 1;
pub(crate) const YEAR: usize = 2;
pub(crate) const AWARD: usize = 3;
pub(crate) const LANGUAGE: usize = 4;
pub(crate) const ORGANISATION: usize = 5;

/// The facet field of each group (year is a number field).
const FACET_FIELDS: [&str; GROUPS] = ["sector", "region", "year", "award", "language", "org"];

/// Most values a group may have to get one bitset per value.
const MAX_BITSET_VALUES: usize = 128;

/// Most values of one document that are kept (a case has a handful of sectors).
const MAX_VALUES_PER_DOC: usize = 16;

/// "No value" in a single-valued group.
const NONE: u32 = u32::MAX;

/// The values of each document of a group.
#[derive(Debug)]
enum DocValues {
    /// At most one value per document (`NONE` for none).
    Single(Vec<u32>),
    /// Any number: document `d` has `values[starts[d]..starts[d + 1]]`.
    Multi { starts: Vec<u32>, values: Vec<u32> },
}

/// One group of one segment.
#[derive(Debug)]
pub(crate) struct GroupIndex {
    /// The generation-wide value id of each document's values.
    values: DocValues,
    /// One bitset per value id, for groups with few values.
    bitsets: Option<Vec<Bits>>,
}

impl GroupIndex {
    fn new(values: DocValues, value_count: usize, max_doc: u32) -> Self {
        let mut group = GroupIndex { values, bitsets: None };
        if value_count <= MAX_BITSET_VALUES {
            let mut bitsets = vec![Bits::empty(max_doc); value_count];
            for doc in 0..max_doc {
                group.for_values(doc, |id| {
                    if let Some(bits) = bitsets.get_mut(id as usize) {
                        bits.insert(doc);
                    }
                });
            }
            group.bitsets = Some(bitsets);
        }
        group
    }

    /// Calls `f` with each value of a document.
    #[inline]
    fn for_values(&self, doc: DocId, mut f: impl FnMut(u32)) {
        match &self.values {
            DocValues::Single(values) => {
                if let Some(&id) = values.get(doc as usize)
                    && id != NONE
                {
                    f(id);
                }
            }
            DocValues::Multi { starts, values } => {
                let start = starts.get(doc as usize).copied().unwrap_or(0) as usize;
                let end = starts.get(doc as usize + 1).copied().unwrap_or(0) as usize;
                values.get(start..end).unwrap_or(&[]).iter().for_each(|&id| f(id));
            }
        }
    }

    /// The documents with at least one selected value.
    fn mask(&self, selected: &[bool], max_doc: u32) -> Bits {
        let mut mask = Bits::empty(max_doc);
        if let Some(bitsets) = &self.bitsets {
            for (bits, _) in bitsets.iter().zip(selected).filter(|(_, selected)| **selected) {
                mask.or_with(bits);
            }
        } else {
            for doc in 0..max_doc {
                let mut hit = false;
                self.for_values(doc, |id| hit |= selected.get(id as usize).copied().unwrap_or(false));
                if hit {
                    mask.insert(doc);
                }
            }
        }
        mask
    }

    /// Adds the count of each value id over the documents of `set` to `counts`.
    fn count(&self, set: &Bits, counts: &mut [u64]) {
        match &self.bitsets {
            // A population count per value reads `values × words` words; visiting the set's
            // documents costs about a few operations per document.
            Some(bitsets) if bitsets.len() * set.word_count() <= 4 * set.len() as usize + set.word_count() => {
                for (count, bits) in counts.iter_mut().zip(bitsets) {
                    *count += set.intersection_len(bits);
                }
            }
            _ => set.for_each(|doc| {
                self.for_values(doc, |id| {
                    if let Some(count) = counts.get_mut(id as usize) {
                        *count += 1;
                    }
                })
            }),
        }
    }
}

/// Every group of one segment.
#[derive(Debug)]
pub(crate) struct SegmentFacets {
    max_doc: u32,
    groups: [GroupIndex; GROUPS],
    /// The year of each year id.
    years: Vec<u64>,
}

/// The facet values of a generation: per group, a dictionary of every value (sorted keys,
/// generation-wide ids) and, per segment, each document's value ids. Counts are then plain
/// arrays indexed by value id, with no string touched until the response is labelled.
#[derive(Debug, Default)]
pub(crate) struct FacetCache {
    /// The key each value is counted under: sector id, `country\0region`, year, award name,
    /// language code, `slug\0name` of the organisation (sorted, so an organisation's
    /// spellings are neighbours).
    keys: [Vec<String>; GROUPS],
    /// Where each key's two parts meet (the `\0` of `country\0region` and `slug\0name`; the
    /// key's length when it has one part), so that counting never searches a key.
    splits: [Vec<usize>; GROUPS],
    /// A path of each value (its first two segments), for selecting by filter.
    paths: [Vec<Vec<String>>; GROUPS],
    /// The year of each year id.
    years: Vec<u64>,
    /// Spellings and tie order of the organisation values.
    organisations: OrganisationOrder,
    segments: HashMap<SegmentId, Arc<SegmentFacets>>,
}

/// The counting key of a facet path of a group, and the part of the path that selects it.
fn key(group: usize, path: &[String]) -> (String, Vec<String>) {
    let first = path.first().cloned().unwrap_or_default();
    if group == REGION || group == ORGANISATION {
        let second = path.get(1).cloned().unwrap_or_default();
        (format!("{first}\0{second}"), vec![first, second])
    } else {
        (first.clone(), vec![first])
    }
}

/// One segment's values of a group as read: the key of each ordinal, each document's ordinals.
struct RawGroup {
    keys: Vec<String>,
    starts: Vec<u32>,
    ords: Vec<u32>,
}

/// Reads a facet group of a segment.
fn read_facets(
    segment: &SegmentReader,
    group: usize,
    dictionary: &mut HashMap<String, Vec<String>>,
) -> tantivy::Result<RawGroup> {
    let reader = segment.facet_reader(FACET_FIELDS[group])?;
    let mut keys = Vec::new();
    let mut facet = Facet::root();
    for ord in 0..reader.num_facets() as u64 {
        reader.facet_from_ord(ord, &mut facet)?;
        let path: Vec<String> = facet.to_path().into_iter().map(str::to_string).collect();
        let (key, selecting) = key(group, &path);
        dictionary.entry(key.clone()).or_insert(selecting);
        keys.push(key);
    }
    let max_doc = segment.max_doc();
    let mut starts = Vec::with_capacity(max_doc as usize + 1);
    let mut ords = Vec::with_capacity(max_doc as usize);
    for doc in 0..max_doc {
        starts.push(ords.len() as u32);
        let first = ords.len();
        for ord in reader.facet_ords(doc) {
            let ord = ord as u32;
            if ords.len() - first < MAX_VALUES_PER_DOC && !ords[first..].contains(&ord) {
                ords.push(ord);
            }
        }
    }
    starts.push(ords.len() as u32);
    Ok(RawGroup { keys, starts, ords })
}

/// Reads the years of a segment as a group whose keys are the years.
fn read_years(segment: &SegmentReader, dictionary: &mut HashMap<String, Vec<String>>) -> tantivy::Result<RawGroup> {
    let column = segment.fast_fields().u64("year")?;
    let mut keys: Vec<String> = Vec::new();
    let mut ord_of: HashMap<u64, u32> = HashMap::new();
    let mut starts = Vec::with_capacity(segment.max_doc() as usize + 1);
    let mut ords = Vec::with_capacity(segment.max_doc() as usize);
    for doc in 0..segment.max_doc() {
        starts.push(ords.len() as u32);
        if let Some(year) = column.first(doc) {
            let ord = *ord_of.entry(year).or_insert_with(|| {
                keys.push(year.to_string());
                (keys.len() - 1) as u32
            });
            ords.push(ord);
        }
    }
    starts.push(ords.len() as u32);
    for key in &keys {
        dictionary.entry(key.clone()).or_insert_with(|| vec![key.clone()]);
    }
    Ok(RawGroup { keys, starts, ords })
}

/// A segment's group with its ordinals mapped to generation-wide ids.
fn remap(raw: RawGroup, ids: &HashMap<&str, u32>, value_count: usize, max_doc: u32) -> GroupIndex {
    let id_of: Vec<u32> = raw.keys.iter().map(|key| ids.get(key.as_str()).copied().unwrap_or(NONE)).collect();
    let mapped: Vec<u32> = raw.ords.iter().map(|ord| id_of.get(*ord as usize).copied().unwrap_or(NONE)).collect();
    let single = raw.starts.windows(2).all(|pair| pair[1] - pair[0] <= 1);
    let values = if single {
        DocValues::Single(
            raw.starts.windows(2).map(|pair| if pair[1] > pair[0] { mapped[pair[0] as usize] } else { NONE }).collect(),
        )
    } else {
        DocValues::Multi { starts: raw.starts, values: mapped }
    };
    GroupIndex::new(values, value_count, max_doc)
}

impl FacetCache {
    /// Reads the facet values of every segment of a searcher.
    pub fn open(searcher: &Searcher) -> tantivy::Result<Self> {
        let mut dictionaries: [HashMap<String, Vec<String>>; GROUPS] = Default::default();
        let mut raw = Vec::new();
        for segment in searcher.segment_readers() {
            let mut groups = Vec::with_capacity(GROUPS);
            for (group, dictionary) in dictionaries.iter_mut().enumerate() {
                groups.push(if group == YEAR {
                    read_years(segment, dictionary)?
                } else {
                    read_facets(segment, group, dictionary)?
                });
            }
            raw.push((segment.segment_id(), segment.max_doc(), groups));
        }
        let mut cache = FacetCache::default();
        for (group, dictionary) in dictionaries.into_iter().enumerate() {
            let mut entries: Vec<(String, Vec<String>)> = dictionary.into_iter().collect();
            if group == YEAR {
                entries.sort_by_key(|(key, _)| key.parse::<u64>().unwrap_or(0));
                cache.years = entries.iter().map(|(key, _)| key.parse().unwrap_or(0)).collect();
            } else {
                entries.sort();
            }
            (cache.keys[group], cache.paths[group]) = entries.into_iter().unzip();
        }
        cache.splits = std::array::from_fn(|group| {
            cache.keys[group].iter().map(|key| key.find('\0').unwrap_or(key.len())).collect()
        });
        cache.organisations = OrganisationOrder::new(cache.parts(ORGANISATION));
        let ids: Vec<HashMap<&str, u32>> = cache
            .keys
            .iter()
            .map(|keys| keys.iter().enumerate().map(|(id, key)| (key.as_str(), id as u32)).collect())
            .collect();
        let mut segments = HashMap::new();
        for (segment_id, max_doc, groups) in raw {
            let mut mapped = groups
                .into_iter()
                .enumerate()
                .map(|(group, raw)| remap(raw, &ids[group], cache.keys[group].len(), max_doc));
            let groups: [GroupIndex; GROUPS] = std::array::from_fn(|_| {
                mapped.next().unwrap_or_else(|| GroupIndex::new(DocValues::Single(Vec::new()), 0, max_doc))
            });
            segments.insert(segment_id, Arc::new(SegmentFacets { max_doc, groups, years: cache.years.clone() }));
        }
        cache.segments = segments;
        Ok(cache)
    }

    /// The values of a segment of this generation.
    pub fn segment(&self, id: &SegmentId) -> Option<&Arc<SegmentFacets>> {
        self.segments.get(id)
    }

    /// The keys of a group's values, by id.
    pub fn keys(&self, group: usize) -> &[String] {
        &self.keys[group]
    }

    /// The two parts of each key of a group, by id (the second is empty for a key of one
    /// part).
    pub fn parts(&self, group: usize) -> impl Iterator<Item = (&str, &str)> {
        (0..self.keys[group].len()).map(move |id| self.part(group, id))
    }

    /// The two parts of a key of a group, by id.
    pub fn part(&self, group: usize, id: usize) -> (&str, &str) {
        let key = self.keys[group].get(id).map_or("", String::as_str);
        let split = self.splits[group].get(id).copied().unwrap_or(key.len()).min(key.len());
        let (first, rest) = key.split_at(split);
        (first, rest.get(1..).unwrap_or(""))
    }

    /// Spellings and tie order of the organisation values.
    pub fn organisations(&self) -> &OrganisationOrder {
        &self.organisations
    }

    /// Empty counts, one slot per value of each group.
    pub fn zero_counts(&self) -> [Vec<u64>; GROUPS] {
        std::array::from_fn(|group| vec![0; self.keys[group].len()])
    }

    /// Which values each filtered group selects (`None`: the group is not filtered).
    pub fn selection(&self, filters: &Filters) -> Selection {
        std::array::from_fn(|group| match group {
            YEAR => filters.year.is_set().then(|| self.years.iter().map(|y| filters.year.contains(*y)).collect()),
            _ => selector(group, filters).map(|select| self.paths[group].iter().map(|path| select(path)).collect()),
        })
    }
}

/// The selected value ids of each group, `None` for a group that is not filtered.
pub(crate) type Selection = [Option<Vec<bool>>; GROUPS];

/// The documents each filtered group lets through, and all of them together.
#[derive(Debug, Default)]
pub(crate) struct FilterMasks {
    /// Per group: `None` when the group is not filtered.
    pub groups: [Option<Bits>; GROUPS],
    /// The documents passing every filter; `None` when nothing is filtered.
    pub all: Option<Bits>,
}

impl SegmentFacets {
    /// The award year of a document (0 if it has none).
    #[inline]
    pub fn year(&self, doc: DocId) -> u64 {
        let mut year = 0;
        self.groups[YEAR].for_values(doc, |id| year = self.years.get(id as usize).copied().unwrap_or(0));
        year
    }

    /// The masks of a request's filters.
    pub fn masks(&self, selection: &Selection) -> FilterMasks {
        let mut masks = FilterMasks::default();
        for (group, selected) in selection.iter().enumerate() {
            if let Some(selected) = selected {
                let mask = self.groups[group].mask(selected, self.max_doc);
                match &mut masks.all {
                    Some(all) => all.and_with(&mask),
                    None => masks.all = Some(mask.clone()),
                }
                masks.groups[group] = Some(mask);
            }
        }
        masks
    }

    /// Counts every group over `matches` (the documents matching the text, without filters):
    /// a group's values over the matches passing every other group's filter (disjunctive
    /// counts: what each value would give if it were selected instead).
    pub fn count(&self, matches: &Bits, masks: &FilterMasks, out: &mut [Vec<u64>; GROUPS]) {
        let mut results = matches.clone();
        if let Some(all) = &masks.all {
            results.and_with(all);
        }
        for (group, counts) in out.iter_mut().enumerate() {
            if masks.groups[group].is_none() {
                self.groups[group].count(&results, counts);
                continue;
            }
            let mut set = matches.clone();
            for (other, mask) in masks.groups.iter().enumerate() {
                if other != group
                    && let Some(mask) = mask
                {
                    set.and_with(mask);
                }
            }
            self.groups[group].count(&set, counts);
        }
    }
}

/// Whether a facet path is selected by a filter.
type Selector<'a> = Box<dyn Fn(&[String]) -> bool + 'a>;

/// The selector of a group's filter (`None`: not filtered). Years are selected by range.
fn selector(group: usize, filters: &Filters) -> Option<Selector<'_>> {
    match group {
        SECTOR => filters.sector.as_ref().map(|set| {
            Box::new(move |path: &[String]| path.first().is_some_and(|id| set.contains(id))) as Selector<'_>
        }),
        REGION => filters.region.as_ref().map(|filter| {
            Box::new(move |path: &[String]| {
                let country = path.first().map_or("", String::as_str);
                filter.countries.contains(country)
                    || path.get(1).is_some_and(|segment| {
                        filter.regions.contains(&crate::document::region_value(country, segment))
                    })
            }) as Selector<'_>
        }),
        AWARD => filters.award.as_ref().map(|set| {
            Box::new(move |path: &[String]| {
                path.first().is_some_and(|name| set.contains(&casebook_corpus::text::slugify(name)))
            }) as Selector<'_>
        }),
        LANGUAGE => filters.language.as_ref().map(|set| {
            Box::new(move |path: &[String]| path.first().is_some_and(|code| set.contains(code))) as Selector<'_>
        }),
        ORGANISATION => filters.organisation.as_ref().map(|set| {
            Box::new(move |path: &[String]| path.first().is_some_and(|slug| set.contains(slug))) as Selector<'_>
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Bits, DocValues, GroupIndex};

    /// Counts of a multi-valued group over a set, by both methods.
    fn both_ways(values: DocValues, value_count: usize, max_doc: u32, set: &Bits) -> (Vec<u64>, Vec<u64>) {
        let with_bitsets = GroupIndex::new(values, value_count, max_doc);
        let mut by_bitsets = vec![0; value_count];
        if let Some(bitsets) = &with_bitsets.bitsets {
            for (count, bits) in by_bitsets.iter_mut().zip(bitsets) {
                *count = set.intersection_len(bits);
            }
        }
        let mut by_visits = vec![0; value_count];
        set.for_each(|doc| with_bitsets.for_values(doc, |id| by_visits[id as usize] += 1));
        let mut chosen = vec![0; value_count];
        with_bitsets.count(set, &mut chosen);
        assert_eq!(chosen, by_visits, "the method chosen for the set's density counts the same");
        (by_bitsets, by_visits)
    }

    #[test]
    fn bitset_counts_and_visited_counts_agree_on_sparse_and_dense_sets() {
        // 1,000 documents; document d has values d % 7 and, when d is even, 7 + d % 3.
        let max_doc = 1000u32;
        let mut starts = vec![0u32];
        let mut values = Vec::new();
        for doc in 0..max_doc {
            values.push(doc % 7);
            if doc % 2 == 0 {
                values.push(7 + doc % 3);
            }
            starts.push(values.len() as u32);
        }
        for step in [1, 3, 97] {
            let mut set = Bits::empty(max_doc);
            (0..max_doc).step_by(step).for_each(|doc| set.insert(doc));
            let multi = DocValues::Multi { starts: starts.clone(), values: values.clone() };
            let (by_bitsets, by_visits) = both_ways(multi, 10, max_doc, &set);
            assert_eq!(by_bitsets, by_visits, "every {step}th document");
        }
        let mut all = Bits::empty(max_doc);
        (0..max_doc).for_each(|doc| all.insert(doc));
        let multi = DocValues::Multi { starts, values };
        let (counts, _) = both_ways(multi, 10, max_doc, &all);
        assert_eq!(counts, vec![143, 143, 143, 143, 143, 143, 142, 167, 166, 167]);
    }
}
