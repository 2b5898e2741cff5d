//! Writing imported cases into the corpus: the front matter in the case format, a hash of the
//! file as written (`source_hash`) so later imports can tell whether an editor changed it,
//! matching of existing files (same `source_url`, or same title + organisation + year), and
//! atomic writes (the corpus crate's writer: a temporary file renamed into place).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use casebook_corpus::frontmatter::read_fields;
use casebook_corpus::text::lookup_key;
use casebook_corpus::write::{id_from_title, write_atomically, yaml_list as list, yaml_string as quote};

use crate::normalize::Normalized;

const HASH_KEY: &str = "source_hash:";

/// The file text of a case, without its `source_hash` line.
fn render_unhashed(case: &Normalized, source_url: &str) -> String {
    let mut out = String::from("---\n");
    let mut line = |key: &str, value: String| {
        out.push_str(key);
        out.push_str(": ");
        out.push_str(&value);
        out.push('\n');
    };
    line("title", quote(&case.title));
    if let Some(organisation) = &case.organisation {
        line("organisation", quote(organisation));
    }
    if let Some(year) = case.year {
        line("year", year.to_string());
    }
    match case.sectors.as_slice() {
        [] => {}
        [one] => line("sector", quote(one)),
        many => line("sector", list(many)),
    }
    if let Some(region) = &case.region {
        line("region", quote(region));
    }
    if let Some(country) = &case.country {
        line("country", quote(country));
    }
    for (key, value) in
        [("city", &case.city), ("award", &case.award), ("event", &case.event), ("category", &case.category)]
    {
        if let Some(value) = value {
            line(key, quote(value));
        }
    }
    if let Some(outcome) = case.outcome {
        line("outcome", outcome.as_str().to_string());
    }
    if !case.tags.is_empty() {
        line("tags", list(&case.tags));
    }
    line("language", case.language.code().to_string());
    if let Some(summary) = &case.summary {
        line("summary", quote(summary));
    }
    if let Some(website) = &case.website {
        line("website", quote(website));
    }
    if !case.partners.is_empty() {
        line("partners", list(&case.partners));
    }
    if !case.notes.is_empty() {
        line("review_notes", list(&case.notes));
    }
    line("source_url", quote(source_url));
    if !case.missing.is_empty() {
        line("needs_review", "true".into());
        line("missing", format!("[{}]", case.missing.join(", ")));
    }
    out.push_str("---\n\n");
    out.push_str(case.body.trim());
    out.push('\n');
    out
}

fn hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// Inserts the `source_hash` line before the closing `---` of the front matter.
fn with_hash(unhashed: &str) -> String {
    let hash_line = format!("{HASH_KEY} \"{}\"\n", hash(unhashed));
    match unhashed[4..].find("\n---\n") {
        Some(end) => {
            let at = 4 + end + 1;
            format!("{}{}{}", &unhashed[..at], hash_line, &unhashed[at..])
        }
        None => unhashed.to_string(),
    }
}

/// A file's text without its `source_hash` line, and the stored hash.
fn split_hash(text: &str) -> (String, Option<String>) {
    let mut stored = None;
    let mut rest = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if let Some(value) = line.strip_prefix(HASH_KEY)
            && stored.is_none()
        {
            stored = Some(value.trim().trim_matches('"').to_string());
            continue;
        }
        rest.push_str(line);
    }
    (rest, stored)
}

/// Existing corpus files, indexed by source URL and by title + organisation + year.
#[derive(Debug, Default)]
pub struct Existing {
    by_url: HashMap<String, PathBuf>,
    by_identity: HashMap<(String, String, u64), PathBuf>,
    taken: std::collections::HashSet<String>,
}

fn identity(title: &str, organisation: &str, year: u64) -> (String, String, u64) {
    (lookup_key(title), lookup_key(organisation), year)
}

impl Existing {
    /// Scans `dir` (recursively) for case files.
    pub fn scan(dir: &Path) -> Self {
        let mut existing = Existing::default();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(current) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(&current) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "md") {
                    continue;
                }
                if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                    existing.taken.insert(stem.to_string());
                }
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let Some(fields) = read_fields(&text) else { continue };
                if let Some(url) = fields.get("source_url").and_then(|v| v.as_str()) {
                    existing.by_url.insert(url.to_string(), path.clone());
                }
                let text_of = |key: &str| fields.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                if let Some(year) = fields.get("year").and_then(|v| v.as_u64()) {
                    existing.by_identity.insert(identity(&text_of("title"), &text_of("organisation"), year), path);
                }
            }
        }
        existing
    }

    fn find(&self, case: &Normalized, source_url: &str) -> Option<&PathBuf> {
        self.by_url.get(source_url).or_else(|| {
            let year = u64::from(case.year?);
            self.by_identity.get(&identity(&case.title, case.organisation.as_deref().unwrap_or_default(), year))
        })
    }

    /// A new file name for a case: its title as a slug, made unique.
    fn new_path(&mut self, dir: &Path, case: &Normalized) -> PathBuf {
        let name = id_from_title(&case.title, |id| self.taken.contains(id));
        self.taken.insert(name.clone());
        dir.join(format!("{name}.md"))
    }

    fn remember(&mut self, path: &Path, case: &Normalized, source_url: &str) {
        self.by_url.insert(source_url.to_string(), path.to_path_buf());
        if let Some(year) = case.year {
            let key = identity(&case.title, case.organisation.as_deref().unwrap_or_default(), u64::from(year));
            self.by_identity.insert(key, path.to_path_buf());
        }
    }
}

/// What happened to one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A new file.
    Imported(PathBuf),
    /// An existing file, rewritten with new content.
    Updated(PathBuf),
    /// The file already says the same.
    Unchanged(PathBuf),
    /// Written with `needs_review: true`.
    NeedsReview(PathBuf, Vec<&'static str>),
    /// An editor changed the file since it was imported; not overwritten.
    EditedSinceImport(PathBuf),
}

/// Writes (or, with `dry_run`, decides) one case.
pub fn write_case(
    existing: &mut Existing,
    dir: &Path,
    case: &Normalized,
    source_url: &str,
    force: bool,
    dry_run: bool,
) -> std::io::Result<Written> {
    let text = with_hash(&render_unhashed(case, source_url));
    let found = existing.find(case, source_url).cloned();
    let (path, is_new) = match found {
        Some(path) => (path, false),
        None => (existing.new_path(dir, case), true),
    };
    if !is_new {
        let current = std::fs::read_to_string(&path)?;
        if current == text {
            return Ok(Written::Unchanged(path));
        }
        let (unhashed, stored) = split_hash(&current);
        let edited = stored.as_deref() != Some(hash(&unhashed).as_str());
        if edited && !force {
            return Ok(Written::EditedSinceImport(path));
        }
    }
    if !dry_run {
        write_atomically(&path, &text)?;
    }
    existing.remember(&path, case, source_url);
    Ok(if !case.missing.is_empty() {
        Written::NeedsReview(path, case.missing.clone())
    } else if is_new {
        Written::Imported(path)
    } else {
        Written::Updated(path)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_line_round_trips() {
        let text = "---\ntitle: \"A\"\n---\n\nBody\n";
        let hashed = with_hash(text);
        assert!(hashed.contains("\nsource_hash: \""));
        assert!(hashed.ends_with("---\n\nBody\n"));
        let (unhashed, stored) = split_hash(&hashed);
        assert_eq!(unhashed, text);
        assert_eq!(stored, Some(hash(text)));
    }
}
