//! A case proposed through a form or the API: its facts as typed ([`CaseFields`]), checked by
//! exactly the validation of `casebook check` (the fields become a case file's text, which
//! [`parse_case`] reads), each problem tied to its field, and written into the corpus as a
//! new file once an editor accepts it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fields::Context;
use crate::parse::{Parsed, parse_case};
use crate::write::{FrontMatter, id_from_title, write_new};
use crate::{Case, CorpusError, discover};

/// The message of a required field left empty (the form shows it in the visitor's language).
pub const REQUIRED: &str = "required";

/// The fields a submission has, in form order, with the longest value each accepts (in
/// characters). Lists count their items joined.
pub const FIELD_LIMITS: &[(&str, usize)] = &[
    ("title", 200),
    ("organisation", 200),
    ("year", 10),
    ("sector", 300),
    ("region", 100),
    ("city", 100),
    ("country", 100),
    ("event", 200),
    ("award", 200),
    ("category", 200),
    ("summary", 1_000),
    ("body", 30_000),
    ("tags", 500),
    ("website", 500),
    ("partners", 1_000),
];

/// Most items of `sector`, `tags` or `partners`.
pub const MAX_LIST_ITEMS: usize = 20;

/// The facts of a proposed case, as typed. Text stays text (a year that is not a number is
/// kept, and reported), so that nothing typed is lost when a form comes back with errors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseFields {
    pub title: String,
    pub organisation: String,
    /// The award year, as typed.
    pub year: String,
    /// Sector ids, labels or aliases.
    pub sector: Vec<String>,
    pub region: String,
    pub city: String,
    pub country: String,
    /// Set from the call the case is submitted to.
    pub event: String,
    /// Set from the call the case is submitted to.
    pub award: String,
    pub category: String,
    pub summary: String,
    /// The case study in markdown.
    pub body: String,
    pub tags: Vec<String>,
    pub website: String,
    pub partners: Vec<String>,
}

/// The outcome of checking [`CaseFields`]: the case when valid, and the first problem of
/// each field (`field -> message`).
#[derive(Debug, Clone)]
pub struct Checked {
    /// The case, when there is no error (its id and path are placeholders).
    pub case: Option<Case>,
    /// Errors by field name.
    pub errors: BTreeMap<String, String>,
}

impl Checked {
    /// Whether the fields make a valid case.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.case.is_some()
    }
}

/// Why an accepted submission could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The fields do not make a valid case (any more: the taxonomy may have changed).
    #[error("the submission is not a valid case: {}", describe(.0))]
    Invalid(BTreeMap<String, String>),
    /// The corpus folder could not be read.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The file could not be written.
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

fn describe(errors: &BTreeMap<String, String>) -> String {
    errors.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("; ")
}

/// A case file written from a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The case id (the file stem).
    pub case_id: String,
    /// The file relative to the corpus folder (`cases/2027/x.md`).
    pub path: PathBuf,
}

fn present(value: &str) -> Option<&str> {
    let value = value.trim();
    (!value.is_empty()).then_some(value)
}

fn clean_list(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect()
}

impl CaseFields {
    /// The value of a field as one text (lists joined with `, `).
    pub fn get(&self, field: &str) -> String {
        match field {
            "title" => self.title.clone(),
            "organisation" => self.organisation.clone(),
            "year" => self.year.clone(),
            "sector" => self.sector.join(", "),
            "region" => self.region.clone(),
            "city" => self.city.clone(),
            "country" => self.country.clone(),
            "event" => self.event.clone(),
            "award" => self.award.clone(),
            "category" => self.category.clone(),
            "summary" => self.summary.clone(),
            "body" => self.body.clone(),
            "tags" => self.tags.join(", "),
            "website" => self.website.clone(),
            "partners" => self.partners.join("\n"),
            _ => String::new(),
        }
    }

    /// The case file these fields make, with `source: submission` and any extra front matter
    /// lines (`language`) the caller adds.
    pub fn to_case_file(&self, language: Option<&str>) -> String {
        let mut front = FrontMatter::new();
        front.text("title", self.title.trim()).text("organisation", self.organisation.trim());
        match self.year.trim() {
            "" => {}
            year if year.parse::<i64>().is_ok() => {
                front.raw("year", year);
            }
            year => {
                front.text("year", year);
            }
        }
        match clean_list(&self.sector).as_slice() {
            [] => {}
            [one] => {
                front.text("sector", one);
            }
            many => {
                front.list("sector", many);
            }
        }
        front
            .optional("region", present(&self.region))
            .optional("country", present(&self.country))
            .optional("city", present(&self.city))
            .optional("award", present(&self.award))
            .optional("event", present(&self.event))
            .optional("category", present(&self.category))
            .list("tags", &clean_list(&self.tags));
        if let Some(language) = language {
            front.raw("language", language);
        }
        front
            .optional("summary", present(&self.summary))
            .optional("website", present(&self.website))
            .list("partners", &clean_list(&self.partners))
            .raw("source", "submission");
        front.with_body(&self.body)
    }

    /// Problems the case format does not see but a form must: values over their size limit,
    /// control characters, too many list items, required fields left empty.
    fn form_errors(&self) -> BTreeMap<String, String> {
        let mut errors = BTreeMap::new();
        for (field, max) in FIELD_LIMITS {
            let value = self.get(field);
            let multiline = matches!(*field, "body" | "summary" | "partners");
            if value.chars().count() > *max {
                errors.insert(field.to_string(), format!("at most {max} characters, found {}", value.chars().count()));
            } else if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
                errors.insert(field.to_string(), "contains control characters: remove them".to_string());
            }
        }
        for (field, items) in [("sector", &self.sector), ("tags", &self.tags), ("partners", &self.partners)] {
            if items.len() > MAX_LIST_ITEMS {
                errors.entry(field.to_string()).or_insert_with(|| format!("at most {MAX_LIST_ITEMS} items"));
            }
        }
        for field in ["title", "organisation", "year", "sector", "region", "body"] {
            if self.get(field).trim().is_empty() {
                errors.insert(field.to_string(), REQUIRED.to_string());
            }
        }
        errors
    }

    /// Checks the fields with the validation of `casebook check`. The form's own problems
    /// (limits, required fields) come first; the format's messages fill the other fields.
    pub fn check(&self, context: &Context<'_>) -> Checked {
        let mut errors = self.form_errors();
        let parsed = self.parse(Path::new("cases/submission.md"), context);
        merge(&mut errors, &parsed);
        Checked { case: parsed.case.filter(|_| errors.is_empty()), errors }
    }

    fn parse(&self, path: &Path, context: &Context<'_>) -> Parsed {
        parse_case(path, self.to_case_file(None).as_bytes(), context)
    }

    /// Writes the case into the corpus at `root` as a new file `cases/YEAR/ID.md` (the id
    /// from the title, unique in the corpus; an existing file is never replaced), after
    /// checking it again as the file it will be. The language is detected and written.
    pub fn write_into(&self, root: &Path, context: &Context<'_>) -> Result<Written, WriteError> {
        let checked = self.check(context);
        let Some(case) = checked.case else { return Err(WriteError::Invalid(checked.errors)) };
        let text = self.to_case_file(Some(case.record.language.code()));
        let mut taken: std::collections::HashSet<String> = discover(root)?
            .iter()
            .filter_map(|file| file.path.file_stem().and_then(|s| s.to_str()).map(str::to_string))
            .collect();
        let folder = PathBuf::from("cases").join(case.record.year.to_string());
        loop {
            let case_id = id_from_title(&self.title, |id| taken.contains(id));
            let relative = folder.join(format!("{case_id}.md"));
            let parsed = parse_case(&relative, text.as_bytes(), context);
            if parsed.case.is_none() {
                let mut errors = BTreeMap::new();
                merge(&mut errors, &parsed);
                return Err(WriteError::Invalid(errors));
            }
            let path = root.join(&relative);
            match write_new(&path, &text) {
                Ok(()) => return Ok(Written { case_id, path: relative }),
                // Written meanwhile by someone else: the next name.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    taken.insert(case_id);
                }
                Err(source) => return Err(WriteError::Io { path, source }),
            }
        }
    }
}

/// Adds the first error of each field of a parse (a problem without a field goes to `body`).
fn merge(errors: &mut BTreeMap<String, String>, parsed: &Parsed) {
    for diagnostic in parsed.diagnostics.iter().filter(|d| d.is_error()) {
        let field = diagnostic.field.clone().unwrap_or_else(|| "body".to_string());
        errors.entry(field).or_insert_with(|| diagnostic.message.clone());
    }
}

/// Splits a form's list field: one item per comma or line (`separators` adds `;`).
pub fn split_list(text: &str, also_commas: bool) -> Vec<String> {
    text.split(|c: char| c == '\n' || c == ';' || (also_commas && c == ','))
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vocabulary;

    fn fields() -> CaseFields {
        CaseFields {
            title: "Sensori nel vigneto".into(),
            organisation: "VignaViva S.r.l.".into(),
            year: "2024".into(),
            sector: vec!["agroalimentare".into()],
            region: "Veneto".into(),
            city: "Verona".into(),
            event: "SMAU Padova 2024".into(),
            body: "La cantina misura l'umidità di ogni filare e irriga solo dove serve.".into(),
            tags: vec!["IoT".into(), "irrigazione".into()],
            ..Default::default()
        }
    }

    fn check(fields: &CaseFields) -> Checked {
        let vocabulary = Vocabulary::builtin();
        let context = Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: 2027 };
        fields.check(&context)
    }

    #[test]
    fn valid_fields_make_a_case_with_source_submission() {
        let checked = check(&fields());
        assert_eq!(checked.errors, BTreeMap::new());
        let case = checked.case.unwrap();
        assert_eq!(case.record.sectors, ["agrifood"]);
        assert_eq!(case.record.place.region, "ITH3");
        let text = fields().to_case_file(Some("it"));
        assert!(text.contains("\nsource: submission\n---\n\nLa cantina"), "{text}");
        assert!(text.contains("year: 2024\n") && text.contains("tags: [\"IoT\", \"irrigazione\"]\n"), "{text}");
    }

    #[test]
    fn each_problem_is_tied_to_its_field_with_the_check_message() {
        let mut bad = fields();
        bad.sector = vec!["helth".into()];
        bad.year = "20x4".into();
        bad.website = "not a url".into();
        bad.region = "Lombrdia".into();
        bad.title = String::new();
        let errors = check(&bad).errors;
        assert_eq!(errors["sector"], "unknown sector 'helth' — did you mean 'health' (Health & Life Science)?");
        assert_eq!(errors["year"], "`year` must be a whole number such as 2021, found the text \"20x4\"");
        assert!(errors["website"].starts_with("`website` \"not a url\" is not a valid web address"));
        assert!(errors["region"].starts_with("unknown Italian region 'Lombrdia' — did you mean 'Lombardia' (ITC4)?"));
        assert_eq!(errors["title"], REQUIRED);
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn limits_and_control_characters_are_form_errors() {
        let mut bad = fields();
        bad.title = "x".repeat(201);
        bad.city = "Ver\u{0}ona".into();
        bad.body = "Riga uno\r\n\tRiga due".into();
        let errors = check(&bad).errors;
        assert_eq!(errors["title"], "at most 200 characters, found 201");
        assert_eq!(errors["city"], "contains control characters: remove them");
        assert!(!errors.contains_key("body"), "{errors:?}");
    }

    #[test]
    fn lists_split_on_commas_lines_and_semicolons() {
        assert_eq!(split_list("a, b\nc; ,", true), ["a", "b", "c"]);
        assert_eq!(split_list("Rossi, Bianchi & C.\nVerdi S.p.A.", false), ["Rossi, Bianchi & C.", "Verdi S.p.A."]);
    }

    #[test]
    fn an_accepted_case_is_written_once_under_its_year() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cases/2020")).unwrap();
        std::fs::write(dir.path().join("cases/2020/sensori-nel-vigneto.md"), "taken").unwrap();
        let vocabulary = Vocabulary::builtin();
        let context = Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: 2027 };
        let written = fields().write_into(dir.path(), &context).unwrap();
        assert_eq!(written.case_id, "sensori-nel-vigneto-2");
        assert_eq!(written.path, Path::new("cases/2024/sensori-nel-vigneto-2.md"));
        let text = std::fs::read_to_string(dir.path().join(&written.path)).unwrap();
        assert!(text.contains("\nlanguage: it\n"), "{text}");
        let again = fields().write_into(dir.path(), &context).unwrap();
        assert_eq!(again.case_id, "sensori-nel-vigneto-3");
    }
}
