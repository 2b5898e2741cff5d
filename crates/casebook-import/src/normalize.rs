//! Turns raw page facts into case fields through the taxonomy: `LOMBARDIA`, `Lombardy` and
//! `Regione Lombardia` all become the Lombardia region; "12 ottobre 2021" gives 2021;
//! sector names in either language, aliases and compound labels ("Telecommunications &
//! ICT") become sector ids; what does not map is kept as a review note; the language is
//! detected.

use casebook_corpus::text::{lookup_key, squash_spaces};
use casebook_corpus::{ITALY, Labelled, Language, Outcome, Vocabulary, detect_language, markdown};

use crate::extract::Draft;

/// A case ready to be written. Facts that could not be resolved keep their raw text and are
/// listed in `missing`.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub title: String,
    pub organisation: Option<String>,
    pub year: Option<u16>,
    /// Sector ids, or the raw text when none resolved.
    pub sectors: Vec<String>,
    /// Italian region name, or the free-text region outside Italy.
    pub region: Option<String>,
    /// ISO code, for regions outside Italy.
    pub country: Option<String>,
    pub city: Option<String>,
    pub award: Option<String>,
    pub event: Option<String>,
    pub category: Option<String>,
    pub outcome: Option<Outcome>,
    pub tags: Vec<String>,
    pub language: Language,
    pub summary: Option<String>,
    pub website: Option<String>,
    pub partners: Vec<String>,
    pub body: String,
    /// Required fields that could not be filled: the file is written for review.
    pub missing: Vec<&'static str>,
    /// Values that could not be mapped and were not used, for an editor to resolve
    /// (`review_notes` in the file: `casebook check` shows each as a warning).
    pub notes: Vec<String>,
}

/// The sectors a raw value names: an id, label or alias; else, for a compound label
/// ("Telecommunications & ICT", "Agroalimentare e turismo"), each of its parts when every
/// part maps; else the closest sector by the fuzzy matching of `casebook check`.
fn sectors_of<'a>(taxonomy: &'a casebook_corpus::Taxonomy, raw: &str) -> Vec<&'a casebook_corpus::Sector> {
    if let Some(sector) = taxonomy.sector(raw) {
        return vec![sector];
    }
    let spaced = format!(" {} ", raw.to_lowercase());
    let parts: Vec<&str> = spaced
        .split(['&', '/', '+', ','])
        .flat_map(|part| part.split(" e ").flat_map(|p| p.split(" and ")))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        let resolved: Vec<_> =
            parts.iter().filter_map(|part| taxonomy.sector(part).or_else(|| taxonomy.closest_sector(part))).collect();
        if resolved.len() == parts.len() {
            return resolved;
        }
    }
    taxonomy.closest_sector(raw).into_iter().collect()
}

/// The first plausible award year in a text ("12 ottobre 2021", "2021-10-12T09:00").
pub fn year_of(text: &str, max_year: i64) -> Option<u16> {
    let bytes = text.as_bytes();
    for start in 0..bytes.len().saturating_sub(3) {
        let window = &bytes[start..start + 4];
        let boundary_before = start == 0 || !bytes[start - 1].is_ascii_digit();
        let boundary_after = bytes.get(start + 4).is_none_or(|b| !b.is_ascii_digit());
        if boundary_before && boundary_after && window.iter().all(u8::is_ascii_digit) {
            let year: i64 = std::str::from_utf8(window).ok()?.parse().ok()?;
            if (casebook_corpus::FIRST_YEAR..=max_year).contains(&year) {
                return u16::try_from(year).ok();
            }
        }
    }
    None
}

fn strip_region_prefix(value: &str) -> &str {
    let lower = value.to_lowercase();
    for prefix in ["regione autonoma ", "regione ", "region of ", "region ", "provincia autonoma di ", "provincia di "]
    {
        if lower.starts_with(prefix) {
            return value[prefix.len()..].trim();
        }
    }
    value.trim()
}

fn clean(value: Option<&String>) -> Option<String> {
    value.map(|v| squash_spaces(v)).filter(|v| !v.is_empty())
}

/// Normalises a draft. `None` when the page holds no case (no title or no text).
pub fn normalize(draft: &Draft, vocabulary: &Vocabulary, max_year: i64) -> Result<Normalized, String> {
    let taxonomy = &vocabulary.taxonomy;
    let Some(title) = clean(draft.title.as_ref()) else {
        return Err("no case found: the page has no title".into());
    };
    if draft.body.trim().is_empty() {
        return Err("no case found: the page has no text".into());
    }
    let mut missing = Vec::new();

    let organisation = clean(draft.organisation.as_ref());
    if organisation.is_none() {
        missing.push("organisation");
    }
    let year = draft.year.as_deref().and_then(|y| year_of(y, max_year));
    if year.is_none() {
        missing.push("year");
    }

    let mut notes = Vec::new();
    let mut sectors: Vec<String> = Vec::new();
    let mut unresolved: Vec<String> = Vec::new();
    for raw in &draft.sectors {
        let resolved = sectors_of(taxonomy, raw);
        if resolved.is_empty() {
            unresolved.push(raw.clone());
        }
        for sector in resolved {
            if !sectors.contains(&sector.id) {
                sectors.push(sector.id.clone());
            }
        }
    }
    if sectors.is_empty() {
        missing.push("sector");
        sectors = unresolved;
    } else {
        for raw in unresolved {
            notes.push(format!(
                "sector {raw:?} of the source page is not in the taxonomy: add it as an alias, or drop it"
            ));
        }
    }

    let raw_region = clean(draft.region.as_ref()).map(|r| strip_region_prefix(&r).to_string());
    let raw_country = clean(draft.country.as_ref());
    let country = raw_country.as_deref().and_then(|c| taxonomy.country(c));
    if let (Some(raw), None) = (&raw_country, country) {
        notes.push(format!("country {raw:?} of the source page is not in the taxonomy: write an ISO code"));
    }
    let (region, country_code) = match (&raw_region, country) {
        (Some(region), country) if country.is_none_or(|c| c.code == ITALY) => {
            match taxonomy.italian_region(region).or_else(|| taxonomy.closest_italian_region(region)) {
                Some(found) => (Some(found.label(Language::It).to_string()), None),
                None => match taxonomy.country(region) {
                    Some(c) if c.code != ITALY => {
                        missing.push("region");
                        (None, Some(c.code.clone()))
                    }
                    _ => {
                        missing.push("region");
                        (Some(region.clone()), None)
                    }
                },
            }
        }
        (Some(region), Some(country)) => {
            // An Italian region with a foreign country: one of the two facts is wrong, and
            // only an editor can tell which.
            if taxonomy.italian_region(region).is_some() {
                missing.push("region");
            }
            (Some(region.clone()), Some(country.code.clone()))
        }
        (Some(region), None) => (Some(region.clone()), None),
        (None, country) => {
            missing.push("region");
            (None, country.filter(|c| c.code != ITALY).map(|c| c.code.clone()))
        }
    };

    let body_text = markdown::plain_text(&draft.body);
    let language = if body_text.split_whitespace().count() >= 30 {
        detect_language(&body_text)
    } else {
        draft.language.as_deref().and_then(Language::from_code).unwrap_or_else(|| detect_language(&body_text))
    };
    let website = clean(draft.website.as_ref())
        .filter(|w| url::Url::parse(w).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some()));
    let award = clean(draft.award.as_ref()).filter(|a| lookup_key(a) != lookup_key(&vocabulary.config.default_award));
    let outcome = draft.outcome.as_deref().and_then(Outcome::parse);
    if let (Some(raw), None) = (clean(draft.outcome.as_ref()), outcome) {
        notes.push(format!("outcome {raw:?} of the source page is not winner, finalist or mention"));
    }
    Ok(Normalized {
        title,
        organisation,
        year,
        sectors,
        region,
        country: country_code,
        city: clean(draft.city.as_ref()),
        award,
        event: clean(draft.event.as_ref()),
        category: clean(draft.category.as_ref()),
        outcome,
        tags: dedupe(&draft.tags),
        language,
        summary: clean(draft.summary.as_ref()).map(|s| markdown::truncate_words(&s, 400)),
        website,
        partners: dedupe(&draft.partners),
        body: draft.body.clone(),
        missing,
        notes,
    })
}

fn dedupe(values: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values.iter().map(|v| squash_spaces(v)).filter(|v| !v.is_empty() && seen.insert(lookup_key(v))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_from_dates() {
        assert_eq!(year_of("12 ottobre 2021", 2027), Some(2021));
        assert_eq!(year_of("2019-05-03T10:00:00+02:00", 2027), Some(2019));
        assert_eq!(year_of("Edizione 12345", 2027), None);
        assert_eq!(year_of("1850", 2027), None);
    }

    #[test]
    fn sector_labels_written_differently_map_or_become_notes() {
        let vocabulary = Vocabulary::builtin();
        let draft = Draft {
            title: Some("T".into()),
            sectors: vec![
                "Telecommunications & ICT".into(),
                "Agroalimentare".into(),
                "Sanita'".into(),
                "Cosmesi".into(),
            ],
            outcome: Some("primo classificato".into()),
            body: "Testo del caso.".into(),
            ..Default::default()
        };
        let case = normalize(&draft, &vocabulary, 2027).unwrap();
        assert_eq!(case.sectors, ["ict", "agrifood", "health"]);
        assert_eq!(
            case.notes,
            [
                "sector \"Cosmesi\" of the source page is not in the taxonomy: add it as an alias, or drop it",
                "outcome \"primo classificato\" of the source page is not winner, finalist or mention"
            ]
        );
        let both = Draft { sectors: vec!["Agroalimentare e Turismo".into()], ..draft };
        assert_eq!(normalize(&both, &vocabulary, 2027).unwrap().sectors, ["agrifood", "tourism"]);
    }

    #[test]
    fn regions_in_any_spelling() {
        let vocabulary = Vocabulary::builtin();
        for spelling in ["Lombardy", "LOMBARDIA", "Regione Lombardia", "ITC4"] {
            let draft = Draft {
                title: Some("T".into()),
                region: Some(spelling.into()),
                body: "Testo del caso.".into(),
                ..Default::default()
            };
            assert_eq!(
                normalize(&draft, &vocabulary, 2027).unwrap().region.as_deref(),
                Some("Lombardia"),
                "{spelling}"
            );
        }
    }
}
