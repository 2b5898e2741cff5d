//! Turns a validated case into a tantivy document, and defines the metadata stored with it.

use casebook_corpus::{
    Case, CaseRecord, ITALY, Labelled, Language, Place, Taxonomy, foreign_region_value, markdown, text::fold,
};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::Facet;

use crate::schema::Fields;

/// What the index stores of a case to show it without the corpus: its facts, its markdown
/// body and its file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredCase {
    /// The facts.
    pub record: CaseRecord,
    /// Markdown body (for the case page).
    pub body_markdown: String,
    /// File path relative to the corpus folder.
    pub path: String,
}

/// The stored JSON of a case: its facts and its file, `{"record": {...}, "path"}` (nested,
/// not flattened: it is read back for every hit, and serde reads a flattened struct through
/// an intermediate buffer). The markdown body is a field of its own, so that reading a hit
/// does not pass over it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct StoredFacts<R, P> {
    /// The facts.
    pub record: R,
    /// File path relative to the corpus folder.
    pub path: P,
}

/// The path of a case's file as stored: relative to the corpus folder, with `/`.
fn stored_path(case: &Case) -> String {
    case.path.to_string_lossy().replace('\\', "/")
}

/// The searchable metadata text of a case: labels of its sectors and region in both
/// languages, country names, city, award, event, category and partners.
fn metadata_text(case: &Case, taxonomy: &Taxonomy) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for id in &case.record.sectors {
        if let Some(sector) = taxonomy.sector(id) {
            parts.extend([sector.label(Language::It), sector.label(Language::En)]);
        }
    }
    parts.extend([case.record.place.region_it.as_str(), case.record.place.region_en.as_str()]);
    if let Some(country) = taxonomy.country(&case.record.place.country) {
        parts.extend([country.label(Language::It), country.label(Language::En)]);
    }
    parts.extend(case.record.place.city.as_deref());
    parts.push(&case.record.award);
    parts.extend(case.record.event.as_deref());
    parts.extend(case.record.category.as_deref());
    parts.extend(case.record.partners.iter().map(String::as_str));
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
    doc.add_text(fields.id, &case.record.id);
    let text_fields = fields.language(case.record.language);
    let metadata = metadata_text(case, taxonomy);
    let tags = case.record.tags.join(" . ");
    doc.add_text(text_fields.title, &case.record.title);
    doc.add_text(text_fields.tags, &tags);
    // A summary taken from the body's first paragraph is already in the body: indexing it
    // again would count every word of the lead twice (issue 12). Only a summary written in
    // the front matter, other text than the body's, is searched as the summary.
    if markdown::default_summary(&case.body_markdown).as_deref() != Some(case.record.summary.as_str()) {
        doc.add_text(text_fields.summary, &case.record.summary);
    }
    doc.add_text(text_fields.body, &case.body_text);
    doc.add_text(text_fields.meta, &metadata);
    doc.add_text(fields.organisation, &case.record.organisation);
    for text in [&case.record.title, &case.record.organisation, &tags, &case.record.summary, &case.body_text, &metadata]
    {
        doc.add_text(fields.folded, text);
    }
    for sector in &case.record.sectors {
        doc.add_facet(fields.sector, Facet::from_path([sector.as_str()]));
    }
    doc.add_facet(fields.region, region_facet(&case.record.place));
    doc.add_facet(fields.award, Facet::from_path([case.record.award.as_str()]));
    if let Some(event) = &case.record.event {
        doc.add_facet(fields.event, Facet::from_path([event.as_str()]));
    }
    doc.add_facet(fields.language, Facet::from_path([case.record.language.code()]));
    doc.add_u64(fields.year, u64::from(case.record.year));
    doc.add_text(fields.title_key, fold(&case.record.title).to_lowercase());
    let stored = StoredFacts { record: &case.record, path: stored_path(case) };
    doc.add_text(fields.meta_json, serde_json::to_string(&stored).unwrap_or_default());
    doc.add_text(fields.body_markdown, &case.body_markdown);
    doc.add_text(fields.body_text, &case.body_text);
    doc.add_facet(
        fields.organisation_facet,
        Facet::from_path([case.record.organisation_slug(), case.record.organisation.clone()]),
    );
    for id in &case.record.related {
        doc.add_text(fields.related, id);
    }
    for term in crate::search::suggest::terms(case) {
        doc.add_text(fields.suggest, term);
    }
    doc
}
