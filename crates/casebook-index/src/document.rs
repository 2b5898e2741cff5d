//! Turns a validated case into a tantivy document, and defines the metadata stored with it.

use casebook_corpus::{Case, ITALY, Labelled, Language, Outcome, Place, Taxonomy, foreign_region_value, text::fold};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use crate::schema::Fields;

/// What the index stores of a case to render a hit or a case page without the corpus.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredCase {
    /// Case id.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Organisation.
    pub organisation: String,
    /// Award year.
    pub year: u16,
    /// Sector ids.
    pub sectors: Vec<String>,
    /// Location.
    pub place: Place,
    /// Award.
    pub award: String,
    /// Roadshow stage.
    pub event: Option<String>,
    /// Award category.
    pub category: Option<String>,
    /// Outcome.
    pub outcome: Option<Outcome>,
    /// Tags.
    pub tags: Vec<String>,
    /// Language.
    pub language: Language,
    /// Summary.
    pub summary: String,
    /// Website.
    pub website: Option<String>,
    /// Partners.
    pub partners: Vec<String>,
    /// Markdown body (for the case page).
    pub body_markdown: String,
    /// File path relative to the corpus folder.
    pub path: String,
}

impl StoredCase {
    /// The stored form of a case.
    pub fn from_case(case: &Case) -> Self {
        StoredCase {
            id: case.id.clone(),
            title: case.title.clone(),
            organisation: case.organisation.clone(),
            year: case.year,
            sectors: case.sectors.clone(),
            place: case.place.clone(),
            award: case.award.clone(),
            event: case.event.clone(),
            category: case.category.clone(),
            outcome: case.outcome,
            tags: case.tags.clone(),
            language: case.language,
            summary: case.summary.clone(),
            website: case.website.clone(),
            partners: case.partners.clone(),
            body_markdown: case.body_markdown.clone(),
            path: case.path.to_string_lossy().replace('\\', "/"),
        }
    }
}

/// The searchable metadata text of a case: labels of its sectors and region in both
/// languages, country names, city, award, event, category and partners.
fn metadata_text(case: &Case, taxonomy: &Taxonomy) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for id in &case.sectors {
        if let Some(sector) = taxonomy.sector(id) {
            parts.extend([sector.label("it"), sector.label("en")]);
        }
    }
    parts.extend([case.place.region_it.as_str(), case.place.region_en.as_str()]);
    if let Some(country) = taxonomy.country(&case.place.country) {
        parts.extend([country.label("it"), country.label("en")]);
    }
    parts.extend(case.place.city.as_deref());
    parts.push(&case.award);
    parts.extend(case.event.as_deref());
    parts.extend(case.category.as_deref());
    parts.extend(case.partners.iter().map(String::as_str));
    parts.join(" . ")
}

/// The facet of a case's location: `/country/region[/city]`, where region is the Italian
/// region id, or the region's name as written outside Italy (its value is derived from it by
/// [`region_value`], and the name is kept for display).
pub fn region_facet(place: &Place) -> Facet {
    let region = if place.country == ITALY { place.region.clone() } else { place.region_en.clone() };
    let mut path = vec![place.country.clone(), region];
    if let Some(city) = &place.city {
        path.push(city.clone());
    }
    Facet::from_path(path)
}

/// The region value of a facet path's country and region segments.
pub fn region_value(country: &str, segment: &str) -> String {
    if country == ITALY { segment.to_string() } else { foreign_region_value(country, segment) }
}

/// Builds the document of a case.
pub fn case_document(fields: &Fields, taxonomy: &Taxonomy, case: &Case) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &case.id);
    let text_fields = fields.language(case.language);
    let metadata = metadata_text(case, taxonomy);
    let tags = case.tags.join(" . ");
    doc.add_text(text_fields.title, &case.title);
    doc.add_text(text_fields.tags, &tags);
    doc.add_text(text_fields.summary, &case.summary);
    doc.add_text(text_fields.body, &case.body_text);
    doc.add_text(text_fields.meta, &metadata);
    doc.add_text(fields.organisation, &case.organisation);
    for text in [&case.title, &case.organisation, &tags, &case.summary, &case.body_text, &metadata] {
        doc.add_text(fields.folded, text);
    }
    for sector in &case.sectors {
        doc.add_facet(fields.sector, Facet::from_path([sector.as_str()]));
    }
    doc.add_facet(fields.region, region_facet(&case.place));
    doc.add_facet(fields.award, Facet::from_path([case.award.as_str()]));
    if let Some(event) = &case.event {
        doc.add_facet(fields.event, Facet::from_path([event.as_str()]));
    }
    doc.add_facet(fields.language, Facet::from_path([case.language.code()]));
    doc.add_u64(fields.year, u64::from(case.year));
    doc.add_text(fields.title_key, fold(&case.title).to_lowercase());
    let stored = StoredCase::from_case(case);
    doc.add_text(fields.meta_json, serde_json::to_string(&stored).unwrap_or_default());
    doc.add_text(fields.body_text, &case.body_text);
    for term in crate::search::suggest::terms(case) {
        doc.add_text(fields.suggest, term);
    }
    doc
}
