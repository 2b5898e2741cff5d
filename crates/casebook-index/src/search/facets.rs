//! Facet counts as the response shows them: the collector's raw counts of the matches from
//! the chosen relaxation step, labelled in the request's language, selected values marked
//! (and listed even with no case), sorted by count and capped.

use std::collections::{BTreeMap, HashMap};

use casebook_corpus::text::slugify;
use casebook_corpus::{ITALY, Labelled, Language, Taxonomy};

use super::collector::GroupCounts;
use super::facet_index::{ORGANISATION, REGION};
use super::filters::Filters;
use crate::document::region_value;
use crate::response::{FacetValue, Facets};

/// The facets of a search from the collector's counts.
pub(crate) fn build(counts: &GroupCounts, filters: &Filters, taxonomy: &Taxonomy, lang: Language) -> Facets {
    let totals = |group: usize| -> BTreeMap<&str, u64> { counts.nonzero(group).collect() };

    // Sectors.
    let selected_sectors = filters.sector.clone().unwrap_or_default();
    let mut sector_counts: HashMap<String, u64> = totals(0).into_iter().map(|(k, c)| (k.to_string(), c)).collect();
    for id in &selected_sectors {
        sector_counts.entry(id.clone()).or_insert(0);
    }
    let mut sector: Vec<FacetValue> = sector_counts
        .into_iter()
        .map(|(id, count)| FacetValue {
            label: taxonomy.sector(&id).map_or_else(|| id.clone(), |s| s.label(lang).to_string()),
            selected: selected_sectors.contains(&id),
            value: id,
            count,
            children: None,
        })
        .collect();
    sort_by_count(&mut sector);

    // Regions: countries with their regions.
    let region_filter = filters.region.clone().unwrap_or_default();
    let mut countries: BTreeMap<String, BTreeMap<String, (String, u64)>> = BTreeMap::new();
    for (country, segment, count) in counts.nonzero_parts(REGION) {
        let value = region_value(country, segment);
        let label = match taxonomy.italian_region(&value) {
            Some(region) if country == ITALY => region.label(lang).to_string(),
            _ => segment.to_string(),
        };
        let entry = countries.entry(country.to_string()).or_default().entry(value).or_insert((label, 0));
        entry.1 += count;
    }
    for code in &region_filter.countries {
        countries.entry(code.clone()).or_default();
    }
    for value in &region_filter.regions {
        let (country, label) = match taxonomy.italian_region(value) {
            Some(region) => (ITALY.to_string(), region.label(lang).to_string()),
            None => {
                let country = value.split(':').next().unwrap_or_default().to_string();
                let label = value.split_once(':').map_or(value.as_str(), |(_, rest)| rest).to_string();
                (country, label)
            }
        };
        countries.entry(country).or_default().entry(value.clone()).or_insert((label, 0));
    }
    let mut region: Vec<FacetValue> = countries
        .into_iter()
        .map(|(code, regions)| {
            let mut children: Vec<FacetValue> = regions
                .into_iter()
                .map(|(value, (label, count))| FacetValue {
                    selected: region_filter.regions.contains(&value),
                    value,
                    label,
                    count,
                    children: None,
                })
                .collect();
            sort_by_count(&mut children);
            let count = children.iter().map(|c| c.count).sum();
            cap(&mut children);
            FacetValue {
                label: taxonomy.country(&code).map_or_else(|| code.clone(), |c| c.label(lang).to_string()),
                selected: region_filter.countries.contains(&code),
                count,
                value: code,
                children: Some(children),
            }
        })
        .collect();
    sort_by_count(&mut region);
    cap(&mut region);

    // Years, newest first.
    let mut year: Vec<FacetValue> = totals(2)
        .into_iter()
        .map(|(key, count)| FacetValue {
            value: key.to_string(),
            label: key.to_string(),
            count,
            selected: filters.year.is_set() && key.parse().is_ok_and(|y: u64| filters.year.contains(y)),
            children: None,
        })
        .collect();
    year.sort_by(|a, b| b.value.cmp(&a.value));

    // Awards.
    let selected_awards = filters.award.clone().unwrap_or_default();
    let mut award_counts: BTreeMap<String, (String, u64)> = BTreeMap::new();
    for (name, count) in totals(3) {
        award_counts.entry(slugify(name)).or_insert((name.to_string(), 0)).1 += count;
    }
    for slug in &selected_awards {
        award_counts.entry(slug.clone()).or_insert((slug.clone(), 0));
    }
    let mut award: Vec<FacetValue> = award_counts
        .into_iter()
        .map(|(slug, (label, count))| FacetValue {
            selected: selected_awards.contains(&slug),
            value: slug,
            label,
            count,
            children: None,
        })
        .collect();
    sort_by_count(&mut award);
    cap(&mut award);

    // Languages.
    let selected_languages = filters.language.clone().unwrap_or_default();
    let mut language_counts: BTreeMap<String, u64> = totals(4).into_iter().map(|(k, c)| (k.to_string(), c)).collect();
    for code in &selected_languages {
        language_counts.entry(code.clone()).or_insert(0);
    }
    let mut language: Vec<FacetValue> = language_counts
        .into_iter()
        .map(|(code, count)| FacetValue {
            label: language_label(&code, lang).to_string(),
            selected: selected_languages.contains(&code),
            value: code,
            count,
            children: None,
        })
        .collect();
    sort_by_count(&mut language);

    let organisation = organisations(counts, filters);
    Facets { sector, region, year, award, language, organisation }
}

/// The organisation facet: counts by slug, each labelled with its most frequent spelling
/// (the first in alphabetical order on a tie); a selected slug with no case keeps its slug
/// as label. Only the listed values are labelled: an archive has tens of thousands of
/// organisations, and the unfiltered browse counts every one.
fn organisations(counts: &GroupCounts, filters: &Filters) -> Vec<FacetValue> {
    let selected = filters.organisation.clone().unwrap_or_default();
    let dictionary = counts.facets();
    let order = dictionary.organisations();
    // Per organisation: its first value id, its count, and the id of its most frequent
    // spelling. Keys are sorted `slug\0name`: an organisation's spellings are neighbours.
    let mut slugs: Vec<(usize, u64, usize)> = Vec::new();
    let mut best = 0;
    for (id, &count) in counts.by_id(ORGANISATION).iter().enumerate() {
        if count == 0 {
            continue;
        }
        match slugs.last_mut() {
            Some(last) if order.same_organisation(last.0, id) => {
                last.1 += count;
                if count > best {
                    (last.2, best) = (id, count);
                }
            }
            _ => {
                slugs.push((id, count, id));
                best = count;
            }
        }
    }
    // By count, then by shown name and slug (the rank of the spelling shown).
    let order = |a: &(usize, u64, usize), b: &(usize, u64, usize)| {
        b.1.cmp(&a.1).then_with(|| order.rank(a.2).cmp(&order.rank(b.2)))
    };
    let (mut listed, mut rest) = if slugs.len() > MAX_FACET_VALUES {
        slugs.select_nth_unstable_by(MAX_FACET_VALUES, order);
        let rest = slugs.split_off(MAX_FACET_VALUES);
        (slugs, rest)
    } else {
        (slugs, Vec::new())
    };
    listed.sort_by(order);
    let slug = |id: usize| dictionary.part(ORGANISATION, id).0;
    // Selected values are listed whatever their rank.
    rest.retain(|(id, _, _)| selected.contains(slug(*id)));
    rest.sort_by(order);
    listed.extend(rest);
    let mut values: Vec<FacetValue> = listed
        .into_iter()
        .map(|(_, count, name_id)| {
            let (slug, name) = dictionary.part(ORGANISATION, name_id);
            FacetValue {
                value: slug.to_string(),
                label: if name.is_empty() { slug } else { name }.to_string(),
                count,
                selected: selected.contains(slug),
                children: None,
            }
        })
        .collect();
    // A selected value is listed even with no case, unless it is another way of writing a
    // listed one (a filter value is kept as written and as read as a name).
    if !values.iter().any(|v| v.selected) {
        let mut extra: Vec<&String> = selected.iter().collect();
        extra.sort();
        if let Some(slug) = extra.first() {
            values.push(FacetValue {
                value: slug.to_string(),
                label: slug.to_string(),
                count: 0,
                selected: true,
                children: None,
            });
            sort_by_count(&mut values);
            cap(&mut values);
        }
    }
    values
}

fn language_label(code: &str, lang: Language) -> &'static str {
    match (code, lang) {
        ("it", Language::It) => "Italiano",
        ("en", Language::It) => "Inglese",
        ("it", _) => "Italian",
        ("en", _) => "English",
        _ => "?",
    }
}

fn sort_by_count(values: &mut [FacetValue]) {
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
}

/// Most values listed per facet (and per country's regions). Awards and regions abroad are
/// free text in the corpus, so an imported archive could have thousands: the most frequent
/// are listed, and every selected value whatever its rank.
pub const MAX_FACET_VALUES: usize = 50;

/// Keeps the first [`MAX_FACET_VALUES`] of values sorted by count, and the selected ones.
fn cap(values: &mut Vec<FacetValue>) {
    if values.len() > MAX_FACET_VALUES {
        let mut rank = 0;
        values.retain(|value| {
            rank += 1;
            rank <= MAX_FACET_VALUES || value.selected
        });
    }
}
