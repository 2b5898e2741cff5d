//! Turns the bytes of one case file into a [`Case`] or a list of problems, each with the
//! file's line and column and a hint on how to fix it. Every problem of a file is reported,
//! not only the first. This file reads the bytes (size, UTF-8, front matter, YAML) and
//! handles `needs_review`; the checks of each field are in `fields.rs`.

use std::path::Path;

use serde_json::Value;

use crate::Diagnostic;
use crate::case::Case;
use crate::fields::{Checker, Context, check_fields, describe};
use crate::frontmatter::{self, SplitError};
use crate::text::is_valid_slug;

/// Largest case file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The hash of a case file's bytes, used to skip unchanged files when re-indexing.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The outcome of parsing one file: the case when it has no error, and every problem found.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The case, when there is no error.
    pub case: Option<Case>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// The file is marked `needs_review: true` (an import with missing facts): it is kept out
    /// of the index, and its problems are reported as warnings.
    pub needs_review: bool,
}

/// Parses and validates one case file. `path` is used in messages; `id` comes from the stem.
pub fn parse_case(path: &Path, bytes: &[u8], context: &Context<'_>) -> Parsed {
    let mut diagnostics = Vec::new();
    let fail = |diagnostics| Parsed { case: None, diagnostics, needs_review: false };

    let id = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    if !is_valid_slug(&id) {
        let suggestion = crate::text::slugify(&id);
        let hint = if crate::text::is_valid_slug(&suggestion) {
            format!("; rename the file to `{suggestion}.md`")
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic::error(
            path,
            None,
            None,
            format!(
                "invalid case id `{id}`: a file name must be lowercase letters, digits and single hyphens, at most 80 characters{hint}"
            ),
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        diagnostics.push(Diagnostic::error(
            path,
            None,
            None,
            format!(
                "file is {} KiB, over the limit of {} KiB: split the case or remove embedded data",
                bytes.len() / 1024,
                MAX_FILE_BYTES / 1024
            ),
        ));
        return fail(diagnostics);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                valid.rsplit(|&b| b == b'\n').next().map_or(0, |l| String::from_utf8_lossy(l).chars().count()) + 1;
            diagnostics.push(Diagnostic::error(
                path,
                Some(line),
                Some(column),
                "file is not valid UTF-8: save it as UTF-8 (it may have been written as Latin-1 or Windows-1252)",
            ));
            return fail(diagnostics);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    let split = match frontmatter::split(text) {
        Ok(split) => split,
        Err(SplitError::Missing) => {
            diagnostics.push(Diagnostic::error(
                path,
                Some(1),
                Some(1),
                "missing front matter: a case file must start with a line `---`, then its fields (title, organisation, year, sector, region), then a closing `---` line",
            ));
            return fail(diagnostics);
        }
        Err(SplitError::Unterminated) => {
            diagnostics.push(Diagnostic::error(
                path,
                Some(1),
                Some(1),
                "unterminated front matter: the `---` on line 1 is never closed; add a line `---` after the last field",
            ));
            return fail(diagnostics);
        }
    };

    let value: Value = match serde_saphyr::from_str(split.yaml) {
        Ok(value) => value,
        Err(error) => {
            let (line, column) = match error.location() {
                Some(location) => {
                    // YAML also counts a lone CR as a line break, the rest of Casebook does
                    // not: never point past the closing `---`.
                    let last_line = split.yaml_first_line + split.yaml.lines().count();
                    let line = (split.yaml_first_line + (location.line() as usize).max(1) - 1).min(last_line);
                    (Some(line), Some(location.column() as usize))
                }
                None => (Some(split.yaml_first_line), None),
            };
            diagnostics.push(Diagnostic::error(
                path,
                line,
                column,
                format!("front matter is not valid YAML: {}", yaml_message(&error.to_string())),
            ));
            return fail(diagnostics);
        }
    };
    let map = match value {
        Value::Object(map) => map,
        Value::Null => {
            diagnostics.push(Diagnostic::error(path, Some(1), None, "front matter is empty: add the fields title, organisation, year, sector and region between the `---` lines"));
            return fail(diagnostics);
        }
        other => {
            diagnostics.push(Diagnostic::error(
                path,
                Some(split.yaml_first_line),
                Some(1),
                format!("front matter must be a list of `field: value` lines, found {}", describe(&other)),
            ));
            return fail(diagnostics);
        }
    };

    let mut checker =
        Checker { path, keys: frontmatter::key_positions(split.yaml, split.yaml_first_line), diagnostics };
    let case = check_fields(&mut checker, &map, &split, context, id);
    let mut diagnostics = checker.diagnostics;
    if map.get("needs_review") == Some(&Value::Bool(true)) {
        let missing = match map.get("missing") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
            _ => String::new(),
        };
        let what = if missing.is_empty() { String::new() } else { format!(" (missing: {missing})") };
        for diagnostic in &mut diagnostics {
            diagnostic.severity = crate::Severity::Warning;
        }
        let line = frontmatter::key_positions(split.yaml, split.yaml_first_line)
            .iter()
            .find(|p| p.key == "needs_review")
            .map(|p| p.line);
        diagnostics.push(Diagnostic::needs_review(
            path,
            line,
            format!("needs review{what}: kept out of the index; complete the facts, then remove `needs_review`"),
        ));
        diagnostics.sort_by_key(|d| (d.line, d.column));
        return Parsed { case: None, diagnostics, needs_review: true };
    }
    diagnostics.sort_by_key(|d| (d.line, d.column));
    let has_error = diagnostics.iter().any(Diagnostic::is_error);
    Parsed {
        needs_review: false,
        case: case.filter(|_| !has_error).map(|mut case| {
            case.path = path.to_path_buf();
            case.content_hash = content_hash(bytes);
            case
        }),
        diagnostics,
    }
}

/// Keeps the first line of a YAML parser error without the location prefix the parser adds
/// (the diagnostic carries the file's own line and column), and rewords the common ones.
fn yaml_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let message = match first.strip_prefix("line ").and_then(|rest| rest.split_once(": ")) {
        Some((position, message)) if position.contains("column") => message,
        _ => first,
    };
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("field `{key}` appears twice: keep only one");
    }
    if message.starts_with("mapping values are not allowed") {
        return format!("{message} (quote a value that contains `: `, and check the indentation)");
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::yaml_message;

    #[test]
    fn rewords_parser_errors() {
        assert_eq!(yaml_message("error: line 2 column 7: unclosed bracket '['\n --> x"), "unclosed bracket '['");
        assert_eq!(
            yaml_message("error: line 2 column 1: duplicate mapping key: a, set DuplicateKeyPolicy in Options"),
            "field `a` appears twice: keep only one"
        );
    }
}
