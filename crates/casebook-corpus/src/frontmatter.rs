//! Splits a case file into its YAML front matter and markdown body, keeping line numbers so
//! that every later message can point at the right line of the file.

/// The two parts of a case file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML text between the `---` lines.
    pub yaml: &'a str,
    /// 1-based file line of the first YAML line.
    pub yaml_first_line: usize,
    /// The markdown after the closing `---` line.
    pub body: &'a str,
    /// 1-based file line of the first body line.
    pub body_first_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// The opening `---` has no closing `---`.
    Unterminated,
}

fn is_delimiter(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits `text` (BOM already removed) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = text.split_inclusive('\n');
    let Some(first) = lines.next() else {
        return Err(SplitError::Missing);
    };
    if !is_delimiter(first) {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_number = 1;
    for line in lines {
        line_number += 1;
        if is_delimiter(line) || line.trim_end() == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_first_line: 2,
                body: &text[body_start..],
                body_first_line: line_number + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unterminated)
}

/// The front matter of a file as JSON-like values, if it has a parsable one (used by tools
/// that read corpus files, such as the importer, without validating them).
pub fn read_fields(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let split = split(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    match serde_saphyr::from_str::<serde_json::Value>(split.yaml).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// A top-level key of the front matter and where it stands in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPosition {
    /// The key as written.
    pub key: String,
    /// 1-based file line.
    pub line: usize,
    /// 1-based column (in characters) of the value after the colon, or just past the colon
    /// when the value is on the next lines.
    pub value_column: usize,
}

/// Finds the top-level keys of a block-style YAML mapping by scanning its lines; flow
/// mappings and exotic keys are simply not found (messages then point at the first line).
pub fn key_positions(yaml: &str, yaml_first_line: usize) -> Vec<KeyPosition> {
    let mut positions = Vec::new();
    for (index, line) in yaml.lines().enumerate() {
        let starts_key = line.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == '\'');
        if !starts_key {
            continue;
        }
        let Some(colon) = line.find(':') else { continue };
        let after = &line[colon + 1..];
        if !(after.is_empty() || after.starts_with(' ') || after.starts_with('\t')) {
            continue;
        }
        let key = line[..colon].trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        let spaces = after.len() - after.trim_start().len();
        let value_column = line[..colon + 1].chars().count() + spaces + 1;
        positions.push(KeyPosition { key, line: yaml_first_line + index, value_column });
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_counts_lines() {
        let text = "---\ntitle: A\nyear: 2021\n---\n\nBody here.\n";
        let split = split(text).unwrap();
        assert_eq!(split.yaml, "title: A\nyear: 2021\n");
        assert_eq!(split.yaml_first_line, 2);
        assert_eq!(split.body, "\nBody here.\n");
        assert_eq!(split.body_first_line, 5);
    }

    #[test]
    fn reports_missing_and_unterminated() {
        assert_eq!(split("title: A\n"), Err(SplitError::Missing));
        assert_eq!(split(""), Err(SplitError::Missing));
        assert_eq!(split("---\ntitle: A\n\nBody"), Err(SplitError::Unterminated));
    }

    #[test]
    fn accepts_crlf() {
        let split = split("---\r\ntitle: A\r\n---\r\nBody").unwrap();
        assert_eq!(split.body, "Body");
    }

    #[test]
    fn finds_key_lines_and_value_columns() {
        let positions = key_positions("title: A\ntags:\n  - x\nyear:   2021\n", 2);
        let found: Vec<_> = positions.iter().map(|p| (p.key.as_str(), p.line, p.value_column)).collect();
        assert_eq!(found, vec![("title", 2, 8), ("tags", 3, 6), ("year", 5, 9)]);
    }
}
