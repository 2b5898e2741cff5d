//! A corpus folder: `cases/` with the case files, plus optional `taxonomy.yaml`,
//! `synonyms.yaml` and `casebook.yaml` (the bundled ones are used when absent).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::fields::Context;
use crate::parse::parse_case;
use crate::{Case, CorpusConfig, Diagnostic, Synonyms, Taxonomy, builtin};

/// Errors that stop a corpus from being read at all (as opposed to problems in one case).
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The corpus folder or its `cases/` folder is missing.
    #[error("corpus folder `{0}` not found: pass --corpus with the folder that holds `cases/`")]
    NotFound(PathBuf),
    /// A vocabulary or configuration file is invalid.
    #[error("{path}: {message}")]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading the folder failed.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The vocabularies and settings of a corpus.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Sectors, countries, regions.
    pub taxonomy: Taxonomy,
    /// Synonym groups.
    pub synonyms: Synonyms,
    /// Corpus settings.
    pub config: CorpusConfig,
}

impl Vocabulary {
    /// The bundled vocabularies.
    pub fn builtin() -> Self {
        Vocabulary { taxonomy: builtin::taxonomy(), synonyms: builtin::synonyms(), config: builtin::config() }
    }

    /// Loads the vocabularies of the corpus at `root`, falling back to the bundled files.
    pub fn load(root: &Path) -> Result<Self, CorpusError> {
        Self::from_raw_files(root, &Self::raw_files(root)?)
    }

    /// The names and texts of the vocabulary files in effect for the corpus at `root` (the
    /// bundled text where the corpus has no file of its own).
    pub fn raw_files(root: &Path) -> Result<Vec<(&'static str, String)>, CorpusError> {
        let mut files = Vec::new();
        for (name, fallback) in VOCABULARY_FILES {
            let path = root.join(name);
            let text = match fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => fallback.to_string(),
                Err(source) => return Err(CorpusError::Io { path, source }),
            };
            files.push((name, text));
        }
        Ok(files)
    }

    /// Parses vocabulary files as returned by [`Vocabulary::raw_files`]; `root` names them
    /// in errors.
    pub fn from_raw_files(root: &Path, files: &[(&'static str, String)]) -> Result<Self, CorpusError> {
        let text = |wanted: &str| files.iter().find(|(name, _)| *name == wanted).map_or("", |(_, text)| text.as_str());
        let invalid = |name: &str, message: String| CorpusError::InvalidFile { path: root.join(name), message };
        Ok(Vocabulary {
            taxonomy: Taxonomy::from_yaml(text("taxonomy.yaml")).map_err(|m| invalid("taxonomy.yaml", m))?,
            synonyms: Synonyms::from_yaml(text("synonyms.yaml")).map_err(|m| invalid("synonyms.yaml", m))?,
            config: CorpusConfig::from_yaml(text("casebook.yaml")).map_err(|m| invalid("casebook.yaml", m))?,
        })
    }

    /// A hash of vocabulary file texts, to notice when cases must be normalised again.
    pub fn fingerprint(files: &[(&'static str, String)]) -> u64 {
        let mut all = Vec::new();
        for (name, text) in files {
            all.extend_from_slice(name.as_bytes());
            all.push(0);
            all.extend_from_slice(text.as_bytes());
            all.push(0);
        }
        xxhash_rust::xxh3::xxh3_64(&all)
    }
}

/// The vocabulary files of a corpus folder and their bundled fallbacks.
pub const VOCABULARY_FILES: [(&str, &str); 3] = [
    ("taxonomy.yaml", builtin::TAXONOMY_YAML),
    ("synonyms.yaml", builtin::SYNONYMS_YAML),
    ("casebook.yaml", builtin::CONFIG_YAML),
];

/// A case file found on disk, before parsing.
#[derive(Debug, Clone)]
pub struct CaseFile {
    /// Path as reachable from the working directory (`corpus/cases/2021/x.md`).
    pub path: PathBuf,
    /// Path relative to the corpus root (`cases/2021/x.md`), stable across machines.
    pub relative: PathBuf,
}

/// Lists the `.md` files under `root/cases`, recursively, in a stable order. Hidden files,
/// files starting with `_` and `README.md` are not cases.
pub fn discover(root: &Path) -> Result<Vec<CaseFile>, CorpusError> {
    let cases = root.join("cases");
    if !cases.is_dir() {
        return Err(CorpusError::NotFound(root.to_path_buf()));
    }
    let mut files = Vec::new();
    let mut pending = vec![cases];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).map_err(|source| CorpusError::Io { path: dir.clone(), source })?;
        for entry in entries {
            let entry = entry.map_err(|source| CorpusError::Io { path: dir.clone(), source })?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let file_type = entry.file_type().map_err(|source| CorpusError::Io { path: path.clone(), source })?;
            if file_type.is_dir() {
                pending.push(path);
            } else if name.ends_with(".md") && !name.eq_ignore_ascii_case("README.md") {
                let relative = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                files.push(CaseFile { path, relative });
            }
        }
    }
    files.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(files)
}

/// The latest award year accepted: next calendar year.
pub fn max_award_year() -> i64 {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    civil_year_from_days((seconds / 86_400) as i64) + 1
}

/// The Gregorian (year, month, day) of a day counted from 1970-01-01 (Howard Hinnant's
/// algorithm).
pub fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn civil_year_from_days(days: i64) -> i64 {
    civil_date(days).0
}

/// A loaded corpus: the valid cases and every problem found.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The corpus folder.
    pub root: PathBuf,
    /// Vocabularies and settings.
    pub vocabulary: Vocabulary,
    /// Valid cases, in file order.
    pub cases: Vec<Case>,
    /// Problems, in file order.
    pub diagnostics: Vec<Diagnostic>,
    /// Number of case files examined.
    pub files: usize,
    /// Total bytes read.
    pub bytes: u64,
}

impl Corpus {
    /// Reads and checks every case of the corpus at `root`.
    pub fn load(root: &Path) -> Result<Corpus, CorpusError> {
        let vocabulary = Vocabulary::load(root)?;
        let files = discover(root)?;
        Self::load_files(root, vocabulary, &files)
    }

    /// Reads and checks the given files with the given vocabularies.
    pub fn load_files(root: &Path, vocabulary: Vocabulary, files: &[CaseFile]) -> Result<Corpus, CorpusError> {
        let context =
            Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: max_award_year() };
        let parsed = parse_parallel(files, &context);
        let mut corpus = Corpus {
            root: root.to_path_buf(),
            vocabulary: vocabulary.clone(),
            cases: Vec::new(),
            diagnostics: Vec::new(),
            files: files.len(),
            bytes: 0,
        };
        let mut seen: HashMap<String, PathBuf> = HashMap::new();
        let mut paths = Vec::new();
        for (file, result) in files.iter().zip(parsed) {
            let (bytes, parsed) = result?;
            corpus.bytes += bytes;
            corpus.diagnostics.extend(parsed.diagnostics);
            if let Some(mut case) = parsed.case {
                if let Some(first) = seen.get(&case.record.id) {
                    corpus.diagnostics.push(Diagnostic::error(
                        &file.path,
                        None,
                        None,
                        format!(
                            "duplicate case id `{}`: `{}` has the same file name; rename one of them",
                            case.record.id,
                            first.display()
                        ),
                    ));
                    continue;
                }
                seen.insert(case.record.id.clone(), file.path.clone());
                case.path = file.relative.clone();
                paths.push(file.path.clone());
                corpus.cases.push(case);
            }
        }
        // `related` ids are checked once every case is known. A wrong id is an error of the
        // case that names it, reported in file order with the other problems of its file.
        let known: HashSet<String> = seen.into_keys().collect();
        for (case, path) in corpus.cases.iter().zip(&paths) {
            for diagnostic in check_related(case, path, &known) {
                let at = corpus
                    .diagnostics
                    .iter()
                    .rposition(|d| d.path == *path)
                    .map_or(corpus.diagnostics.len(), |i| i + 1);
                corpus.diagnostics.insert(at, diagnostic);
            }
        }
        Ok(corpus)
    }

    /// Number of errors found.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings found.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }
}

/// The errors of a case's `related` ids that name no case in `known`, each placed at the
/// `related` key of `path` with the closest known id as a suggestion. `casebook check`
/// reports them as errors; the indexer as warnings (the case is indexed without the link).
pub fn check_related(case: &Case, path: &Path, known: &HashSet<String>) -> Vec<Diagnostic> {
    case.record
        .related
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .map(|id| {
            let hint = match crate::text::closest(id, known.iter().map(String::as_str)) {
                Some(candidate) => format!(": did you mean `{candidate}`?"),
                None => ": check the id (a case id is its file name without .md)".to_string(),
            };
            let message = format!("`related` names `{id}`, which is no case of the corpus{hint}");
            Diagnostic::error(path, case.related_line, None, message)
        })
        .collect()
}

type FileResult = Result<(u64, crate::parse::Parsed), CorpusError>;

/// Parses files on all cores, keeping the input order.
fn parse_parallel(files: &[CaseFile], context: &Context<'_>) -> Vec<FileResult> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = files.len().div_ceil(threads).max(64);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| scope.spawn(move || chunk.iter().map(|file| parse_file(file, context)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

fn parse_file(file: &CaseFile, context: &Context<'_>) -> FileResult {
    let bytes = fs::read(&file.path).map_err(|source| CorpusError::Io { path: file.path.clone(), source })?;
    Ok((bytes.len() as u64, parse_case(&file.path, &bytes, context)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_years() {
        assert_eq!(civil_year_from_days(0), 1970);
        assert_eq!(civil_year_from_days(20_454), 2026);
        assert_eq!(civil_year_from_days(-1), 1969);
    }
}
