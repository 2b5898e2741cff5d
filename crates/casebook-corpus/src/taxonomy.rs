//! The controlled vocabularies: sectors, countries and Italian regions, loaded from
//! `taxonomy.yaml`. Every front matter value is resolved through here, and the search core
//! resolves filter values (`region=Lombardy`, `sector=Salute`) the same way.

use std::collections::HashMap;

use serde::Deserialize;

use crate::text::{closest, lookup_key};

/// The ISO code of Italy, the country whose regions the taxonomy knows.
pub const ITALY: &str = "IT";

/// A sector: a stable id plus labels in both languages.
#[derive(Debug, Clone, Deserialize)]
pub struct Sector {
    /// Stable identifier used in front matter, URLs and facets (`health`).
    pub id: String,
    /// English label (`Health & Life Science`).
    pub en: String,
    /// Italian label (`Salute e scienze della vita`).
    pub it: String,
    /// Other names editors and visitors use.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A country, by ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Deserialize)]
pub struct Country {
    /// ISO code (`DE`).
    pub code: String,
    /// English name.
    pub en: String,
    /// Italian name.
    pub it: String,
    /// Other names and codes.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// An Italian region with its NUTS-2 codes.
#[derive(Debug, Clone, Deserialize)]
pub struct ItalianRegion {
    /// Stable identifier: the NUTS-2 code (`ITC4`), or `ITH1-ITH2` for Trentino-Alto Adige.
    pub id: String,
    /// NUTS-2 codes, current and legacy, that select this region.
    #[serde(default)]
    pub nuts: Vec<String>,
    /// Italian name (`Lombardia`).
    pub it: String,
    /// English name (`Lombardy`).
    pub en: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A label pair; the UI language picks one.
pub trait Labelled {
    /// The label in `language`.
    fn label(&self, language: crate::Language) -> &str;
}

macro_rules! impl_labelled {
    ($($ty:ty),*) => {$(
        impl Labelled for $ty {
            fn label(&self, language: crate::Language) -> &str {
                match language {
                    crate::Language::It => &self.it,
                    crate::Language::En => &self.en,
                }
            }
        }
    )*};
}
impl_labelled!(Sector, Country, ItalianRegion);

#[derive(Debug, Deserialize)]
struct TaxonomyFile {
    sectors: Vec<Sector>,
    countries: Vec<Country>,
    regions: Vec<ItalianRegion>,
}

/// The loaded taxonomy with its lookup tables.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    sectors: Vec<Sector>,
    countries: Vec<Country>,
    regions: Vec<ItalianRegion>,
    sector_keys: HashMap<String, usize>,
    country_keys: HashMap<String, usize>,
    region_keys: HashMap<String, usize>,
}

/// The result of resolving a region filter value: a whole country, or one region of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionSelector {
    /// Every case in the country (`IT`).
    Country(String),
    /// Every case in one region (`ITC4`, or `DE:bayern` for a region outside Italy).
    Region(String),
}

impl Taxonomy {
    /// Parses a taxonomy from YAML text and checks that ids and keys are unique.
    pub fn from_yaml(yaml: &str) -> Result<Self, String> {
        let file: TaxonomyFile = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
        let mut taxonomy = Taxonomy {
            sectors: file.sectors,
            countries: file.countries,
            regions: file.regions,
            sector_keys: HashMap::new(),
            country_keys: HashMap::new(),
            region_keys: HashMap::new(),
        };
        for (index, sector) in taxonomy.sectors.iter().enumerate() {
            let names = [&sector.id, &sector.en, &sector.it].into_iter().chain(&sector.aliases);
            insert_keys(&mut taxonomy.sector_keys, names, index, "sector")?;
        }
        for (index, country) in taxonomy.countries.iter().enumerate() {
            let names = [&country.code, &country.en, &country.it].into_iter().chain(&country.aliases);
            insert_keys(&mut taxonomy.country_keys, names, index, "country")?;
        }
        for (index, region) in taxonomy.regions.iter().enumerate() {
            let names = [&region.id, &region.en, &region.it].into_iter().chain(&region.nuts).chain(&region.aliases);
            insert_keys(&mut taxonomy.region_keys, names, index, "region")?;
        }
        // Ids as written too (`public-sector`, `IT`): the index stores them so, and finds
        // them on every request. No id written so is another entry's key (a key has no
        // capital and no hyphen; an id that is a key is its own entry's key).
        for (index, sector) in taxonomy.sectors.iter().enumerate() {
            taxonomy.sector_keys.entry(sector.id.clone()).or_insert(index);
        }
        for (index, country) in taxonomy.countries.iter().enumerate() {
            taxonomy.country_keys.entry(country.code.clone()).or_insert(index);
        }
        for (index, region) in taxonomy.regions.iter().enumerate() {
            taxonomy.region_keys.entry(region.id.clone()).or_insert(index);
        }
        if taxonomy.country(ITALY).is_none() {
            return Err("the taxonomy must list Italy (code IT) among its countries".into());
        }
        Ok(taxonomy)
    }

    /// Every sector, in taxonomy order.
    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    /// Every country, in taxonomy order.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// Every Italian region, in taxonomy order.
    pub fn regions(&self) -> &[ItalianRegion] {
        &self.regions
    }

    /// Finds a sector by id, label (either language) or alias.
    pub fn sector(&self, name: &str) -> Option<&Sector> {
        find(&self.sector_keys, name).map(|i| &self.sectors[i])
    }

    /// Finds a country by ISO code, name (either language) or alias.
    pub fn country(&self, name: &str) -> Option<&Country> {
        find(&self.country_keys, name).map(|i| &self.countries[i])
    }

    /// Finds an Italian region by id, NUTS code, name (either language) or alias.
    pub fn italian_region(&self, name: &str) -> Option<&ItalianRegion> {
        find(&self.region_keys, name).map(|i| &self.regions[i])
    }

    /// The sector whose names are closest to `input`, for "did you mean" hints.
    pub fn closest_sector(&self, input: &str) -> Option<&Sector> {
        let names =
            self.sectors.iter().flat_map(|s| [&s.id, &s.en, &s.it].into_iter().chain(&s.aliases)).map(String::as_str);
        closest(input, names).and_then(|name| self.sector(name))
    }

    /// The country whose names are closest to `input`.
    pub fn closest_country(&self, input: &str) -> Option<&Country> {
        let names =
            self.countries.iter().flat_map(|c| [&c.en, &c.it].into_iter().chain(&c.aliases)).map(String::as_str);
        closest(input, names).and_then(|name| self.country(name))
    }

    /// The Italian region whose names are closest to `input`.
    pub fn closest_italian_region(&self, input: &str) -> Option<&ItalianRegion> {
        let names = self.regions.iter().flat_map(|r| [&r.en, &r.it].into_iter().chain(&r.aliases)).map(String::as_str);
        closest(input, names).and_then(|name| self.italian_region(name))
    }

    /// Resolves a region filter value as a visitor or client may write it: a country code or
    /// name (the whole country), an Italian region's NUTS code, name or alias, or the value of
    /// a region outside Italy as the facets return it (`DE:bayern`).
    pub fn region_selector(&self, value: &str) -> Option<RegionSelector> {
        let trimmed = value.trim();
        if let Some(region) = self.italian_region(trimmed) {
            return Some(RegionSelector::Region(region.id.clone()));
        }
        if let Some(country) = self.country(trimmed) {
            return Some(RegionSelector::Country(country.code.clone()));
        }
        let (code, rest) = trimmed.split_once(':')?;
        let country = self.country(code)?;
        let slug = crate::text::slugify(rest);
        (!slug.is_empty())
            .then(|| RegionSelector::Region(foreign_region_value(&country.code, rest)))
            .filter(|_| country.code != ITALY)
    }
}

/// The facet value of a region outside Italy: `"{country code}:{slug}"` (`DE:bayern`).
pub fn foreign_region_value(country_code: &str, region_name: &str) -> String {
    format!("{}:{}", country_code, crate::text::slugify(region_name))
}

fn insert_keys<'a>(
    keys: &mut HashMap<String, usize>,
    names: impl Iterator<Item = &'a String>,
    index: usize,
    kind: &str,
) -> Result<(), String> {
    for name in names {
        let key = lookup_key(name);
        if key.is_empty() {
            continue;
        }
        if let Some(&other) = keys.get(&key)
            && other != index
        {
            return Err(format!("{kind} name {name:?} is used by two entries of the taxonomy"));
        }
        keys.insert(key, index);
    }
    Ok(())
}

/// The entry of `name` in a map of lookup keys. A name that is already a lookup key (an id,
/// as the index stores it) is found without building its key: `lookup_key` gives back any
/// key unchanged, so the answer is the same.
fn find(keys: &HashMap<String, usize>, name: &str) -> Option<usize> {
    keys.get(name).or_else(|| keys.get(&lookup_key(name))).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;

    #[test]
    fn builtin_taxonomy_has_required_sectors_and_regions() {
        let taxonomy = builtin::taxonomy();
        assert_eq!(taxonomy.sectors().len(), 15);
        assert_eq!(taxonomy.regions().len(), 20);
        assert!(taxonomy.countries().len() >= 30);
        for id in [
            "health",
            "manufacturing",
            "agrifood",
            "smart-city",
            "energy",
            "finance",
            "retail",
            "tourism",
            "education",
            "public-sector",
            "logistics",
            "media",
            "construction",
            "cybersecurity",
            "ict",
        ] {
            assert!(taxonomy.sector(id).is_some(), "{id}");
        }
    }

    #[test]
    fn resolves_names_in_both_languages_and_codes() {
        let taxonomy = builtin::taxonomy();
        let lombardy =
            ["Lombardia", "Lombardy", "ITC4", "lombardia"].map(|n| taxonomy.italian_region(n).map(|r| &r.id));
        assert!(lombardy.iter().all(|r| r.map(String::as_str) == Some("ITC4")));
        assert_eq!(taxonomy.italian_region("ITH1").map(|r| r.id.as_str()), Some("ITH1-ITH2"));
        assert_eq!(taxonomy.sector("Salute e scienze della vita").map(|s| s.id.as_str()), Some("health"));
        assert_eq!(taxonomy.country("Deutschland").map(|c| c.code.as_str()), Some("DE"));
        assert_eq!(taxonomy.closest_sector("Helth").map(|s| s.id.as_str()), Some("health"));
        assert_eq!(taxonomy.closest_italian_region("Lombrdia").map(|r| r.id.as_str()), Some("ITC4"));
    }

    #[test]
    fn region_selectors() {
        let taxonomy = builtin::taxonomy();
        assert_eq!(taxonomy.region_selector("Italy"), Some(RegionSelector::Country("IT".into())));
        assert_eq!(taxonomy.region_selector("ITC4"), Some(RegionSelector::Region("ITC4".into())));
        assert_eq!(taxonomy.region_selector("DE:Bayern"), Some(RegionSelector::Region("DE:bayern".into())));
        assert_eq!(taxonomy.region_selector("nowhere"), None);
    }
}
