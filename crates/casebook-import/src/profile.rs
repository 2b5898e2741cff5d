//! Site profiles: TOML files with CSS selectors (and optional regular expressions) telling
//! where each fact of a case is on the pages of one site. See docs/import.md.

use std::collections::BTreeMap;

use regex::Regex;
use scraper::Selector;
use serde::Deserialize;

/// Fields a profile can locate.
pub const FIELDS: &[&str] = &[
    "title",
    "organisation",
    "year",
    "sector",
    "region",
    "city",
    "country",
    "award",
    "event",
    "category",
    "outcome",
    "tags",
    "summary",
    "body",
    "website",
    "partners",
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: Option<String>,
    #[serde(default)]
    selectors: BTreeMap<String, String>,
    #[serde(default)]
    patterns: BTreeMap<String, String>,
    #[serde(default)]
    remove: Vec<String>,
}

/// A compiled profile.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Its name, for messages.
    pub name: String,
    /// Selector per field.
    pub selectors: BTreeMap<String, Selector>,
    /// Pattern per field: its first capture group is the value, searched in the selected
    /// element's text, or in the whole page's text when the field has no selector.
    pub patterns: BTreeMap<String, Regex>,
    /// Elements removed from the body.
    pub remove: Vec<Selector>,
}

/// Why a profile is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// TOML syntax or an unknown key.
    #[error("{0}")]
    Toml(String),
    /// A field name that is not one of [`FIELDS`].
    #[error("unknown field `{0}` (known: {fields})", fields = FIELDS.join(", "))]
    UnknownField(String),
    /// A selector that does not parse.
    #[error("the selector for `{field}` is not valid CSS: {message}")]
    Selector {
        /// The field.
        field: String,
        /// The parser's message.
        message: String,
    },
    /// A pattern that does not compile or has no capture group.
    #[error("the pattern for `{field}` is invalid: {message}")]
    Pattern {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn selector(field: &str, css: &str) -> Result<Selector, ProfileError> {
    Selector::parse(css).map_err(|e| ProfileError::Selector { field: field.to_string(), message: e.to_string() })
}

impl Profile {
    /// Parses and compiles a profile.
    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| ProfileError::Toml(e.to_string()))?;
        let mut profile = Profile {
            name: file.name.unwrap_or_else(|| "profile".into()),
            selectors: BTreeMap::new(),
            patterns: BTreeMap::new(),
            remove: Vec::new(),
        };
        for (field, css) in file.selectors {
            if !FIELDS.contains(&field.as_str()) {
                return Err(ProfileError::UnknownField(field));
            }
            let compiled = selector(&field, &css)?;
            profile.selectors.insert(field, compiled);
        }
        for (field, pattern) in file.patterns {
            if !FIELDS.contains(&field.as_str()) || field == "body" {
                return Err(ProfileError::UnknownField(field));
            }
            let regex = Regex::new(&pattern)
                .map_err(|e| ProfileError::Pattern { field: field.clone(), message: e.to_string() })?;
            if regex.captures_len() < 2 {
                return Err(ProfileError::Pattern {
                    field,
                    message: "it needs a capture group ( ) around the value".into(),
                });
            }
            profile.patterns.insert(field, regex);
        }
        for css in file.remove {
            profile.remove.push(selector("remove", &css)?);
        }
        Ok(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_profiles_clearly() {
        assert!(Profile::from_toml("[selectors]\ntitle = \"h1\"\n[patterns]\nyear = 'Anno:\\s*(\\d{4})'\n").is_ok());
        let error = |text: &str| Profile::from_toml(text).unwrap_err().to_string();
        assert!(error("[selectors]\ntitel = \"h1\"").starts_with("unknown field `titel`"));
        assert!(error("[selectors]\ntitle = \"h1[\"").starts_with("the selector for `title` is not valid CSS"));
        assert_eq!(
            error("[patterns]\nyear = '\\d{4}'"),
            "the pattern for `year` is invalid: it needs a capture group ( ) around the value"
        );
    }
}
