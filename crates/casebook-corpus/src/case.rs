//! The validated case model: what the index and the website read.

use std::path::PathBuf;

use crate::Language;

/// How a case fared at its award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Won the award.
    Winner,
    /// Reached the final.
    Finalist,
    /// Received a special mention.
    Mention,
}

impl Outcome {
    /// Parses the front matter value (English or Italian).
    pub fn parse(value: &str) -> Option<Outcome> {
        match crate::text::lookup_key(value).as_str() {
            "winner" | "vincitore" | "vincitrice" => Some(Outcome::Winner),
            "finalist" | "finalista" => Some(Outcome::Finalist),
            "mention" | "menzione" | "special mention" | "menzione speciale" => Some(Outcome::Mention),
            _ => None,
        }
    }

    /// The canonical front matter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Winner => "winner",
            Outcome::Finalist => "finalist",
            Outcome::Mention => "mention",
        }
    }
}

/// Where the organisation of a case is, resolved through the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    /// ISO country code (`IT`).
    pub country: String,
    /// Stable region value: the Italian region id (`ITC4`) or `CC:slug` elsewhere (`DE:bayern`).
    pub region: String,
    /// Region name in Italian (free text outside Italy: as written).
    pub region_it: String,
    /// Region name in English.
    pub region_en: String,
    /// City, as written.
    pub city: Option<String>,
}

/// The facts of a case: everything known about it apart from its text. The parsed [`Case`]
/// and the index's stored case both hold one, and the search hit, the case detail and the
/// showcase item show it (labelled for a language by `casebook-index`). A new front matter
/// field is added here, and to its label in the index crate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseRecord {
    /// The file stem: a lowercase slug.
    pub id: String,
    /// Headline.
    pub title: String,
    /// Company, startup, public body or cluster.
    pub organisation: String,
    /// Award year.
    pub year: u16,
    /// Sector ids, in the order given, without duplicates.
    pub sectors: Vec<String>,
    /// Location.
    pub place: Place,
    /// Award name (the corpus default when the front matter has none).
    pub award: String,
    /// Roadshow stage (`SMAU Milano 2021`).
    pub event: Option<String>,
    /// Award category.
    pub category: Option<String>,
    /// Winner, finalist or mention.
    pub outcome: Option<Outcome>,
    /// Technologies and topics.
    pub tags: Vec<String>,
    /// Language of the text.
    pub language: Language,
    /// Short description: the front matter's, or the first paragraph of the body.
    pub summary: String,
    /// Organisation or project website.
    pub website: Option<String>,
    /// Partner organisations.
    pub partners: Vec<String>,
    /// The organisation's explicit identity, merging spellings of its name (a slug).
    #[serde(default)]
    pub organisation_id: Option<String>,
    /// Ids of related cases (a follow-up, the same project at another award, a partner's).
    #[serde(default)]
    pub related: Vec<String>,
    /// Outcome figures (`patients followed: 2,600`).
    #[serde(default)]
    pub figures: Vec<Figure>,
}

/// One outcome figure of a case: a short label and its value, both as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// What is measured (`patients followed`).
    pub label: String,
    /// The measure (`2,600`, `18%`).
    pub value: String,
}

impl CaseRecord {
    /// The slug of the case's organisation (see [`crate::organisation_slug`]).
    pub fn organisation_slug(&self) -> String {
        crate::organisation::organisation_slug(&self.organisation, self.organisation_id.as_deref())
    }
}

/// One case study, validated and normalised: its facts and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The facts.
    pub record: CaseRecord,
    /// The file, relative to the corpus folder (`cases/2021/techforlife.md`).
    pub path: PathBuf,
    /// The markdown body as written.
    pub body_markdown: String,
    /// The body as plain text.
    pub body_text: String,
    /// Hash of the file's bytes, to skip unchanged files when re-indexing.
    pub content_hash: u64,
    /// Line of the `related` key, to place the corpus-wide check of its ids.
    pub related_line: Option<usize>,
}
