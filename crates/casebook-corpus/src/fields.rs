//! The checks of every front matter field against the taxonomy and the corpus defaults:
//! required fields, types, ranges, the "did you mean" of a misspelt sector or region, and the
//! normalised [`CaseRecord`] they add up to. Each problem is tied to its key's line and column.

use std::path::Path;

use serde_json::Value;

use crate::CorpusConfig;
use crate::case::{Case, CaseRecord, Outcome, Place};
use crate::frontmatter::{self, KeyPosition};
use crate::taxonomy::{ITALY, Labelled, foreign_region_value};
use crate::text::closest;
use crate::{Diagnostic, Language, Taxonomy, language, markdown};

/// Earliest award year accepted.
pub const FIRST_YEAR: i64 = 1990;

/// Every front matter field the format defines.
pub const KNOWN_FIELDS: &[&str] = &[
    "title",
    "organisation",
    "year",
    "sector",
    "region",
    "country",
    "city",
    "award",
    "event",
    "category",
    "outcome",
    "tags",
    "language",
    "summary",
    "website",
    "partners",
    "organisation_id",
    "related",
    "figures",
    // Written by `casebook import`.
    "source_url",
    "source_hash",
    "needs_review",
    "missing",
    // Where the case came from (`submission` for an accepted public submission).
    "source",
    // Notes for an editor (values an import could not map), reported as warnings.
    "review_notes",
];

/// The values `source` may take: written by an editor, imported from a web page, or
/// accepted from a public submission.
pub const SOURCES: &[&str] = &["editor", "import", "submission"];

/// What a case is checked against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Sectors, countries and regions.
    pub taxonomy: &'a Taxonomy,
    /// Corpus defaults.
    pub config: &'a CorpusConfig,
    /// Latest award year accepted (next year).
    pub max_year: i64,
}

/// Collects the problems of one file, placed at their key.
pub(crate) struct Checker<'a> {
    pub path: &'a Path,
    pub keys: Vec<KeyPosition>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn position(&self, key: &str) -> (Option<usize>, Option<usize>) {
        match self.keys.iter().find(|p| p.key == key) {
            Some(p) => (Some(p.line), Some(p.value_column)),
            None => (Some(1), None),
        }
    }

    pub(crate) fn error(&mut self, key: &str, message: String) {
        let (line, column) = self.position(key);
        self.diagnostics.push(Diagnostic::error(self.path, line, column, message).about(key));
    }

    pub(crate) fn warning(&mut self, key: &str, message: String) {
        let (line, column) = self.position(key);
        self.diagnostics.push(Diagnostic::warning(self.path, line, column, message).about(key));
    }

    /// A scalar as text: strings as they are, numbers and booleans spelled out.
    pub(crate) fn string(&mut self, map: &serde_json::Map<String, Value>, key: &str, required: bool) -> Option<String> {
        match map.get(key) {
            None if required => {
                self.missing(key);
                None
            }
            None => None,
            Some(Value::Null) => {
                if required {
                    self.error(key, format!("`{key}` is empty: write a value after `{key}:`"));
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                if required {
                    self.error(key, format!("`{key}` is empty: write a value after `{key}:`"));
                }
                None
            }
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(other) => {
                self.error(key, format!("`{key}` must be a single text value, found {}", describe(other)));
                None
            }
        }
    }

    pub(crate) fn string_list(&mut self, map: &serde_json::Map<String, Value>, key: &str) -> Vec<String> {
        match map.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let mut values = Vec::new();
                for item in items {
                    match item {
                        Value::String(s) if !s.trim().is_empty() => values.push(s.trim().to_string()),
                        Value::String(_) | Value::Null => {}
                        Value::Number(n) => values.push(n.to_string()),
                        other => {
                            self.error(key, format!("every item of `{key}` must be text, found {}", describe(other)));
                        }
                    }
                }
                values
            }
            Some(other) => {
                self.error(
                    key,
                    format!("`{key}` must be a list such as `{key}: [first, second]`, found {}", describe(other)),
                );
                Vec::new()
            }
        }
    }

    fn missing(&mut self, key: &str) {
        let example = match key {
            "title" => "title: \"Telemedicine for rural clinics\"",
            "organisation" => "organisation: \"Cluster TechForLife\"",
            "year" => "year: 2021",
            "sector" => "sector: health",
            "region" => "region: Lombardia",
            _ => "",
        };
        self.diagnostics.push(
            Diagnostic::error(
                self.path,
                Some(1),
                None,
                format!("missing required field `{key}`: add a line such as `{example}` to the front matter"),
            )
            .about(key),
        );
    }
}

pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text {s:?}"),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping of fields".into(),
    }
}

pub(crate) fn check_fields(
    checker: &mut Checker<'_>,
    map: &serde_json::Map<String, Value>,
    split: &frontmatter::Split<'_>,
    context: &Context<'_>,
    id: String,
) -> Option<Case> {
    let taxonomy = context.taxonomy;
    for key in map.keys() {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            let hint = closest(key, KNOWN_FIELDS.iter().copied())
                .map(|k| format!(": did you mean `{k}`?"))
                .unwrap_or_else(|| " (ignored)".to_string());
            checker.warning(key, format!("unknown field `{key}`{hint}"));
        }
    }

    let title = checker.string(map, "title", true);
    let organisation = checker.string(map, "organisation", true);
    let year = check_year(checker, map, context);
    let sectors = check_sectors(checker, map, taxonomy);
    let place = check_place(checker, map, taxonomy);
    let award = checker.string(map, "award", false).unwrap_or_else(|| context.config.default_award.clone());
    let event = checker.string(map, "event", false);
    let category = checker.string(map, "category", false);
    let outcome = checker.string(map, "outcome", false).and_then(|value| {
        let outcome = Outcome::parse(&value);
        if outcome.is_none() {
            checker.error("outcome", format!("unknown outcome {value:?}: write `winner`, `finalist` or `mention`"));
        }
        outcome
    });
    let tags = checker.string_list(map, "tags");
    let partners = checker.string_list(map, "partners");
    let declared_language = checker.string(map, "language", false).and_then(|value| {
        let language = Language::from_code(&value);
        if language.is_none() {
            checker.error(
                "language",
                format!("unknown language {value:?}: write `it` or `en` (or remove the line to detect it)"),
            );
        }
        language
    });
    let summary = checker.string(map, "summary", false);
    let organisation_id = crate::links::check_organisation_id(checker, map);
    let related = crate::links::check_related(checker, map, &id);
    let figures = crate::links::check_figures(checker, map);
    let related_line = checker.keys.iter().find(|p| p.key == "related").map(|p| p.line);
    let website = checker.string(map, "website", false).and_then(|value| match url::Url::parse(&value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url.to_string()),
        Ok(_) | Err(_) => {
            checker.error(
                "website",
                format!(
                    "`website` {value:?} is not a valid web address: write a full URL such as https://www.example.org"
                ),
            );
            None
        }
    });

    if let Some(source) = checker.string(map, "source", false)
        && !SOURCES.contains(&source.as_str())
    {
        let hint = closest(&source, SOURCES.iter().copied())
            .map(|s| format!(": did you mean `{s}`?"))
            .unwrap_or_else(|| format!(": write one of {}", SOURCES.join(", ")));
        checker.error("source", format!("unknown source {source:?}{hint}"));
    }
    for note in checker.string_list(map, "review_notes") {
        checker.warning("review_notes", format!("review note: {note} (resolve it, then remove the note)"));
    }

    let body_markdown = split.body.trim().to_string();
    let body_text = markdown::plain_text(&body_markdown);
    if body_text.trim().is_empty() {
        checker.diagnostics.push(
            Diagnostic::error(
                checker.path,
                Some(split.body_first_line.saturating_sub(1).max(1)),
                None,
                "the case has no text: write the case study below the closing `---` line",
            )
            .about("body"),
        );
    }
    let summary = summary.or_else(|| markdown::default_summary(&body_markdown)).unwrap_or_default();
    let language = declared_language
        .unwrap_or_else(|| language::detect(&format!("{} {} {}", title.as_deref().unwrap_or(""), summary, body_text)));

    Some(Case {
        record: CaseRecord {
            id,
            title: title?,
            organisation: organisation?,
            year: year?,
            sectors: sectors?,
            place: place?,
            award,
            event,
            category,
            outcome,
            tags,
            language,
            summary,
            website,
            partners,
            organisation_id,
            related,
            figures,
        },
        path: Default::default(),
        body_markdown,
        body_text,
        content_hash: 0,
        related_line,
    })
}

fn check_year(checker: &mut Checker<'_>, map: &serde_json::Map<String, Value>, context: &Context<'_>) -> Option<u16> {
    let value = match map.get("year") {
        None => {
            checker.missing("year");
            return None;
        }
        Some(value) => value,
    };
    let range = format!("{FIRST_YEAR} to {}", context.max_year);
    match value {
        Value::Number(n) => match n.as_i64() {
            Some(year) if (FIRST_YEAR..=context.max_year).contains(&year) => u16::try_from(year).ok(),
            Some(year) => {
                checker.error("year", format!("year {year} is out of range: award years go from {range}"));
                None
            }
            None => {
                checker.error("year", format!("`year` must be a whole number such as 2021, found {n}"));
                None
            }
        },
        Value::String(s) if s.trim().parse::<i64>().is_ok() => {
            checker
                .error("year", format!("`year` must be a number, not text: write `year: {}` without quotes", s.trim()));
            None
        }
        other => {
            checker.error("year", format!("`year` must be a whole number such as 2021, found {}", describe(other)));
            None
        }
    }
}

fn check_sectors(
    checker: &mut Checker<'_>,
    map: &serde_json::Map<String, Value>,
    taxonomy: &Taxonomy,
) -> Option<Vec<String>> {
    let names: Vec<String> = match map.get("sector") {
        None => {
            checker.missing("sector");
            return None;
        }
        Some(Value::Array(_)) => checker.string_list(map, "sector"),
        Some(_) => checker.string(map, "sector", true).into_iter().collect(),
    };
    if names.is_empty() {
        // Unless an error about `sector` was already given (a warning such as "did you mean
        // `sector`?" about another key does not count: the case would vanish silently).
        if !checker.diagnostics.iter().any(|d| d.is_error() && d.message.contains("`sector`")) {
            checker.error("sector", "`sector` is empty: write a sector id such as `health`".into());
        }
        return None;
    }
    let mut ids: Vec<String> = Vec::new();
    let mut ok = true;
    for name in names {
        match taxonomy.sector(&name) {
            Some(sector) => {
                if !ids.contains(&sector.id) {
                    ids.push(sector.id.clone());
                }
            }
            None => {
                ok = false;
                let hint = match taxonomy.closest_sector(&name) {
                    Some(s) => format!(" — did you mean '{}' ({})?", s.id, s.en),
                    None => format!(
                        "; known sectors: {}",
                        taxonomy.sectors().iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                };
                checker.error("sector", format!("unknown sector '{name}'{hint}"));
            }
        }
    }
    ok.then_some(ids)
}

fn check_place(checker: &mut Checker<'_>, map: &serde_json::Map<String, Value>, taxonomy: &Taxonomy) -> Option<Place> {
    let region = checker.string(map, "region", true);
    let country_value = checker.string(map, "country", false);
    let city = checker.string(map, "city", false);
    let country = match &country_value {
        Some(value) => match taxonomy.country(value) {
            Some(country) => Some(country),
            None => {
                let hint = taxonomy
                    .closest_country(value)
                    .map(|c| format!(" — did you mean '{}' ({})?", c.code, c.en))
                    .unwrap_or_else(|| ": write an ISO code such as DE or a country name such as Germany".into());
                checker.error("country", format!("unknown country '{value}'{hint}"));
                return None;
            }
        },
        None => None,
    };
    let region = region?;
    if let Some(italian) = taxonomy.italian_region(&region) {
        if let Some(country) = country
            && country.code != ITALY
        {
            checker.error(
                "country",
                format!(
                    "region '{region}' is in Italy but `country` says {} ({}): remove `country` or fix the region",
                    country.code, country.en
                ),
            );
            return None;
        }
        return Some(Place {
            country: ITALY.to_string(),
            region: italian.id.clone(),
            region_it: italian.label(Language::It).to_string(),
            region_en: italian.label(Language::En).to_string(),
            city,
        });
    }
    match country {
        Some(country) if country.code != ITALY => Some(Place {
            country: country.code.clone(),
            region: foreign_region_value(&country.code, &region),
            region_it: region.clone(),
            region_en: region,
            city,
        }),
        _ => {
            let hint = match taxonomy.closest_italian_region(&region) {
                Some(r) => format!(" — did you mean '{}' ({})?", r.it, r.id),
                None if taxonomy.country(&region).is_some() => {
                    " — that is a country: put it in `country` and the region's name in `region`".to_string()
                }
                None => String::new(),
            };
            let outside = if country.is_none() {
                " For a region outside Italy, also set `country` (e.g. `country: DE`)."
            } else {
                ""
            };
            checker.error("region", format!("unknown Italian region '{region}'{hint}{outside}"));
            None
        }
    }
}
