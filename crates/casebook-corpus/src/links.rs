//! The checks of the fields that link a case to others and sum up its outcome, each problem
//! placed at its key with a fix: `organisation_id` (the identity that merges spellings of an
//! organisation's name), `related` (ids of other cases; that they exist is checked over the
//! whole corpus, in `corpus.rs`) and `figures` (short label/value pairs).

use serde_json::Value;

use crate::case::Figure;
use crate::fields::{Checker, describe};
use crate::text::{is_valid_slug, slugify};

/// Most related cases a case may name.
pub const MAX_RELATED: usize = 20;
/// Most outcome figures a case may have.
pub const MAX_FIGURES: usize = 8;
/// Longest figure label, in characters.
pub const MAX_FIGURE_LABEL: usize = 60;
/// Longest figure value, in characters.
pub const MAX_FIGURE_VALUE: usize = 40;

/// A slug as written, or the error that says how to write it.
fn slug_or_hint(value: &str) -> Result<String, String> {
    if is_valid_slug(value) {
        return Ok(value.to_string());
    }
    let suggestion = slugify(value);
    Err(if is_valid_slug(&suggestion) {
        format!("write it as `{suggestion}`")
    } else {
        "use lowercase letters, digits and single hyphens".to_string()
    })
}

/// `organisation_id`: a slug naming the organisation, so that cases spelling its name
/// differently are one organisation.
pub(crate) fn check_organisation_id(checker: &mut Checker<'_>, map: &serde_json::Map<String, Value>) -> Option<String> {
    let value = checker.string(map, "organisation_id", false)?;
    match slug_or_hint(&value) {
        Ok(id) => Some(id),
        Err(hint) => {
            checker.error(
                "organisation_id",
                format!("`organisation_id` {value:?} is not a valid id: {hint} (the same id on every case of the organisation)"),
            );
            None
        }
    }
}

/// `related`: ids of other cases (file names without `.md`), without repeats.
pub(crate) fn check_related(checker: &mut Checker<'_>, map: &serde_json::Map<String, Value>, id: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for value in checker.string_list(map, "related") {
        let value = value.strip_suffix(".md").unwrap_or(&value).to_string();
        match slug_or_hint(&value) {
            Ok(related) if related == id => {
                checker.error("related", format!("`related` names this case itself (`{id}`): remove it"));
            }
            Ok(related) => {
                if !ids.contains(&related) {
                    ids.push(related);
                }
            }
            Err(hint) => checker.error(
                "related",
                format!("`related` id {value:?} is not a case id: {hint} (a case id is its file name without .md)"),
            ),
        }
    }
    if ids.len() > MAX_RELATED {
        checker.error(
            "related",
            format!("`related` names {} cases, over the limit of {MAX_RELATED}: keep the closest ones", ids.len()),
        );
        ids.truncate(MAX_RELATED);
    }
    ids
}

/// A figure's label or value: text, or a number written without quotes.
fn figure_text(value: Option<&Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(crate::text::squash_spaces(s)),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// `figures`: a list of `{label, value}`, both required and short.
pub(crate) fn check_figures(checker: &mut Checker<'_>, map: &serde_json::Map<String, Value>) -> Vec<Figure> {
    const EXAMPLE: &str = "`- {label: \"patients followed\", value: \"2,600\"}`";
    let items = match map.get("figures") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            checker.error(
                "figures",
                format!("`figures` must be a list of label/value pairs such as {EXAMPLE}, found {}", describe(other)),
            );
            return Vec::new();
        }
    };
    let mut figures = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let n = index + 1;
        let Value::Object(fields) = item else {
            checker.error(
                "figures",
                format!("figure {n} must be a label and a value such as {EXAMPLE}, found {}", describe(item)),
            );
            continue;
        };
        for key in fields.keys().filter(|k| *k != "label" && *k != "value") {
            checker.error(
                "figures",
                format!("figure {n} has an unknown key `{key}`: a figure has only `label` and `value`"),
            );
        }
        let label = figure_text(fields.get("label"));
        let value = figure_text(fields.get("value"));
        for (what, text, max) in [("label", &label, MAX_FIGURE_LABEL), ("value", &value, MAX_FIGURE_VALUE)] {
            match text {
                None => checker.error("figures", format!("figure {n} has no `{what}`: write both, as in {EXAMPLE}")),
                Some(text) if text.chars().count() > max => checker.error(
                    "figures",
                    format!(
                        "figure {n}: `{what}` is {} characters, over {max}: keep it short (details belong in the text)",
                        text.chars().count()
                    ),
                ),
                Some(_) => {}
            }
        }
        if let (Some(label), Some(value)) = (label, value)
            && label.chars().count() <= MAX_FIGURE_LABEL
            && value.chars().count() <= MAX_FIGURE_VALUE
        {
            figures.push(Figure { label, value });
        }
    }
    if figures.len() > MAX_FIGURES {
        checker.error(
            "figures",
            format!("`figures` has {} figures, over the limit of {MAX_FIGURES}: keep the telling ones", figures.len()),
        );
        figures.truncate(MAX_FIGURES);
    }
    figures
}
