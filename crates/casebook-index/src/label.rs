//! The one place where a case's facts get their labels in a language: sector and country
//! names from the taxonomy, the region name kept with the case. The search hit, the case
//! detail and the showcase item all embed what [`label`] returns.

use casebook_corpus::{CaseRecord, Labelled, Language, Taxonomy};

use crate::response::{Figure, LabelledCase, RegionRef, SectorRef};

/// The labelled form of a case's facts in `lang` (a sector or country unknown to the
/// taxonomy keeps its id as label).
pub(crate) fn label(record: &CaseRecord, taxonomy: &Taxonomy, lang: Language) -> LabelledCase {
    let place = &record.place;
    LabelledCase {
        id: record.id.clone(),
        title: record.title.clone(),
        organisation: record.organisation.clone(),
        year: record.year,
        award: record.award.clone(),
        event: record.event.clone(),
        category: record.category.clone(),
        outcome: record.outcome.map(|outcome| outcome.as_str().to_string()),
        sectors: record
            .sectors
            .iter()
            .map(|id| SectorRef {
                id: id.clone(),
                label: taxonomy.sector(id).map_or_else(|| id.clone(), |sector| sector.label(lang).to_string()),
            })
            .collect(),
        region: RegionRef {
            value: place.region.clone(),
            label: match lang {
                Language::It => place.region_it.clone(),
                Language::En => place.region_en.clone(),
            },
            country: place.country.clone(),
        },
        city: place.city.clone(),
        country_label: taxonomy
            .country(&place.country)
            .map_or_else(|| place.country.clone(), |country| country.label(lang).to_string()),
        language: record.language.code().to_string(),
        summary: record.summary.clone(),
        tags: record.tags.clone(),
        partners: record.partners.clone(),
        website: record.website.clone(),
        organisation_slug: record.organisation_slug(),
        figures: record.figures.iter().map(|f| Figure { label: f.label.clone(), value: f.value.clone() }).collect(),
    }
}
