//! The tantivy schema: every field named once, with why it exists.

use casebook_corpus::Language;
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{ENGLISH, FOLDED, ITALIAN};

/// Bumped whenever the schema or the analysis changes: an index built by another version is
/// rebuilt from scratch instead of being updated.
pub const SCHEMA_VERSION: u32 = 6;

/// The per-language text fields of one language.
#[derive(Debug, Clone, Copy)]
pub struct LanguageFields {
    /// Headline.
    pub title: Field,
    /// Tags.
    pub tags: Field,
    /// Summary.
    pub summary: Field,
    /// Body text.
    pub body: Field,
    /// Searchable metadata: sector and region labels, city, award, event, category.
    pub meta: Field,
}

/// Handles to every field.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The schema itself.
    pub schema: Schema,
    /// Case id (raw string, stored; the key for updates and deletes).
    pub id: Field,
    /// Italian-analysed text of Italian cases.
    pub it: LanguageFields,
    /// English-analysed text of English cases.
    pub en: LanguageFields,
    /// Organisation name, folded, unstemmed.
    pub organisation: Field,
    /// All text folded and unstemmed: prefix completion and typo tolerance.
    pub folded: Field,
    /// Sector ids as facets (`/health`).
    pub sector: Field,
    /// Location as a hierarchical facet: `/IT/ITC4/Milano`, `/DE/DE:bayern/München`.
    pub region: Field,
    /// Award name as a facet (`/SMAU Innovation Award`).
    pub award: Field,
    /// Roadshow stage as a facet (`/SMAU Milano 2021`).
    pub event: Field,
    /// Language as a facet (`/it`).
    pub language: Field,
    /// Award year: indexed for ranges, fast for counting and sorting, stored.
    pub year: Field,
    /// Lowercase folded title, fast, for sorting by title.
    pub title_key: Field,
    /// The facts of the case and its file as JSON `{"record", "path"}` (stored only): what a
    /// hit shows, read for every hit, so it holds no long text.
    pub meta_json: Field,
    /// Markdown body (stored only), for the case page.
    pub body_markdown: Field,
    /// Body as plain text (stored only), for snippets.
    pub body_text: Field,
    /// Organisation as a facet: `/slug/name as written` (the slug merges spellings).
    pub organisation_facet: Field,
    /// Ids of the cases a case names as related (raw strings), to find who names a case.
    pub related: Field,
    /// Completions for search-as-you-type: raw terms `key \x1f rank+kind \x1f display`
    /// (see `search::suggest`), read back by a prefix scan of the term dictionary.
    pub suggest: Field,
}

fn text(tokenizer: &str, positions: bool) -> TextOptions {
    let record = if positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
    TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
}

fn language_fields(builder: &mut tantivy::schema::SchemaBuilder, suffix: &str, tokenizer: &str) -> LanguageFields {
    LanguageFields {
        title: builder.add_text_field(&format!("title_{suffix}"), text(tokenizer, true)),
        tags: builder.add_text_field(&format!("tags_{suffix}"), text(tokenizer, true)),
        summary: builder.add_text_field(&format!("summary_{suffix}"), text(tokenizer, true)),
        body: builder.add_text_field(&format!("body_{suffix}"), text(tokenizer, true)),
        meta: builder.add_text_field(&format!("meta_{suffix}"), text(tokenizer, true)),
    }
}

impl Fields {
    /// Builds the schema.
    pub fn new() -> Self {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED);
        let it = language_fields(&mut builder, "it", ITALIAN);
        let en = language_fields(&mut builder, "en", ENGLISH);
        let organisation = builder.add_text_field("organisation", text(FOLDED, true));
        let folded = builder.add_text_field("folded", text(FOLDED, false));
        let sector = builder.add_facet_field("sector", FacetOptions::default());
        let region = builder.add_facet_field("region", FacetOptions::default());
        let award = builder.add_facet_field("award", FacetOptions::default());
        let event = builder.add_facet_field("event", FacetOptions::default());
        let language = builder.add_facet_field("language", FacetOptions::default());
        let year = builder.add_u64_field("year", INDEXED | FAST | STORED);
        let title_key = builder
            .add_text_field("title_key", TextOptions::default().set_fast(tantivy::tokenizer::RAW_TOKENIZER_NAME));
        let meta_json = builder.add_text_field("meta_json", STORED);
        let body_markdown = builder.add_text_field("body_markdown", STORED);
        let body_text = builder.add_text_field("body_text", STORED);
        let suggest = builder.add_text_field("suggest", STRING);
        let organisation_facet = builder.add_facet_field("org", FacetOptions::default());
        let related = builder.add_text_field("related", STRING);
        Fields {
            schema: builder.build(),
            id,
            it,
            en,
            organisation,
            folded,
            sector,
            region,
            award,
            event,
            language,
            year,
            title_key,
            meta_json,
            body_markdown,
            body_text,
            suggest,
            organisation_facet,
            related,
        }
    }

    /// The text fields of a language.
    pub fn language(&self, language: Language) -> &LanguageFields {
        match language {
            Language::It => &self.it,
            Language::En => &self.en,
        }
    }

    /// Looks the fields up in an existing index's schema, failing if one is missing.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Self> {
        let expected = Fields::new();
        for (_, entry) in expected.schema.fields() {
            schema.get_field(entry.name())?;
        }
        Ok(expected)
    }
}

impl Default for Fields {
    fn default() -> Self {
        Self::new()
    }
}
