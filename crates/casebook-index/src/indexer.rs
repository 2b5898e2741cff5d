//! Builds the index of a corpus: reads and hashes every case file, parses only the files
//! that changed since the live generation, and writes a new generation that is published
//! atomically. An unchanged corpus publishes nothing.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use casebook_corpus::{
    CaseFile, Context, Diagnostic, DiagnosticKind, Severity, Vocabulary, check_related, content_hash, discover,
    max_award_year, parse_case,
};
use tantivy::{Index, IndexWriter, Term};

use crate::analysis::Analyzers;
use crate::document::case_document;
use crate::error::IndexError;
use crate::merge::{self, MERGE_INPUT_BYTES};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::store::{self, BuildLock, IndexedFile, Manifest, PendingGeneration};

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Rebuild every case even if the live generation could be updated.
    pub full: bool,
    /// Fail on purpose after adding this many cases (fault-injection for tests).
    pub fail_after: Option<usize>,
    /// Most bytes of segments a build merges at once (default: 512 MiB; see
    /// `MERGE_INPUT_BYTES`), full or incremental; a segment above it is never merged again.
    /// Smaller bounds memory further and leaves more segments.
    pub merge_input_bytes: Option<u64>,
}

/// Progress of a build, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Cases added to the new generation so far.
    pub done: usize,
    /// Cases to add in all.
    pub total: usize,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Case files examined.
    pub files: usize,
    /// Bytes of case files read.
    pub bytes: u64,
    /// Cases in the index after the build.
    pub indexed: usize,
    /// Cases written by this build (new or changed files; all of them on a full build).
    pub written: usize,
    /// Cases removed from the index (files deleted or now invalid).
    pub removed: usize,
    /// Files unchanged since the previous build.
    pub unchanged: usize,
    /// Whether the corpus was unchanged and no new generation was written.
    pub up_to_date: bool,
    /// Whether every case was rebuilt.
    pub full: bool,
    /// Errors that kept files out of the index (one or more per skipped file).
    pub errors: Vec<Diagnostic>,
    /// Warnings on indexed files.
    pub warnings: Vec<Diagnostic>,
    /// Files skipped because of errors.
    pub skipped: usize,
    /// The live generation after the build.
    pub generation: String,
    /// Wall time.
    pub elapsed: Duration,
}

/// What a build remembers of each file between its two passes: kept small, as a
/// million-case corpus is a million of them (the file's paths are derived from `key`).
struct FileData {
    /// Path relative to the corpus folder, with `/` separators (the manifest's key).
    key: String,
    hash: u64,
    size: u64,
    unchanged: bool,
}

/// Runs `work` over `items` on all cores, keeping the order.
fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let chunk = items.len().div_ceil(threads).max(32);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> =
            items.chunks(chunk).map(|chunk| scope.spawn(move || chunk.iter().map(work).collect::<Vec<R>>())).collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

fn key_of(file: &CaseFile) -> String {
    file.relative.to_string_lossy().replace('\\', "/")
}

/// Builds or updates the index of the corpus at `corpus_root` in `index_root`.
pub fn build_index(
    corpus_root: &Path,
    index_root: &Path,
    options: &BuildOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<BuildReport, IndexError> {
    let started = Instant::now();
    let vocabulary_files = Vocabulary::raw_files(corpus_root)?;
    let vocabulary = Vocabulary::from_raw_files(corpus_root, &vocabulary_files)?;
    let fingerprint = Vocabulary::fingerprint(&vocabulary_files);
    let files = discover(corpus_root)?;
    let lock = BuildLock::acquire(index_root)?;

    let previous = if options.full { None } else { usable_previous(index_root, fingerprint) };
    let previous_files = previous.as_ref().map(|(_, manifest)| manifest.files.clone()).unwrap_or_default();

    // Pass 1: hash every file (nothing kept in memory) to see what changed.
    let hashed: Vec<Result<FileData, IndexError>> = parallel_map(&files, |file| {
        let bytes = fs::read(&file.path).map_err(|e| IndexError::io(&file.path, e))?;
        let key = key_of(file);
        let hash = content_hash(&bytes);
        let unchanged = previous_files.get(&key).is_some_and(|f| f.hash == store::hash_hex(hash));
        Ok(FileData { key, hash, size: bytes.len() as u64, unchanged })
    });
    let hashed: Vec<FileData> = hashed.into_iter().collect::<Result<_, _>>()?;
    // What a build holds per file is kept small: a million-case corpus is a million entries.
    let file_count = files.len();
    drop(files);
    let total_bytes: u64 = hashed.iter().map(|d| d.size).sum();
    // Cases to delete from the previous generation: files that are gone or changed. They are
    // deleted before anything is added, so a changed file's re-added case is not deleted.
    let stale_ids: Vec<String> = if previous_files.is_empty() {
        Vec::new()
    } else {
        let current: HashMap<&str, u64> = hashed.iter().map(|d| (d.key.as_str(), d.hash)).collect();
        previous_files
            .iter()
            .filter(|(key, entry)| current.get(key.as_str()).is_none_or(|hash| store::hash_hex(*hash) != entry.hash))
            .map(|(_, entry)| entry.id.clone())
            .collect()
    };

    // Pass 2: in file order, chunk by chunk, parse what changed and feed the writer, which
    // is created on the first case to write (or at once when cases must be deleted).
    let context = Context { taxonomy: &vocabulary.taxonomy, config: &vocabulary.config, max_year: max_award_year() };
    let fields = Fields::new();
    let mut manifest =
        Manifest { schema_version: SCHEMA_VERSION, vocabulary_fingerprint: fingerprint, ..Default::default() };
    // Each case id, with the position in `hashed` of the file that has it.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let (mut errors, mut warnings, mut unchanged, mut skipped, mut written) =
        (Vec::new(), Vec::new(), 0usize, 0usize, 0usize);
    let to_parse = hashed.iter().filter(|d| !d.unchanged).count();
    let base = previous.as_ref().map(|(generation, _)| generation.clone());
    let mut output: Option<Output> = None;
    // Parsed cases that name related cases: their ids are checked once every case is known.
    let mut linking: Vec<(std::path::PathBuf, casebook_corpus::Case)> = Vec::new();
    if base.is_none() || !stale_ids.is_empty() {
        output = Some(Output::create(index_root, &lock, base.as_deref(), &fields, &stale_ids)?);
    }
    for (chunk_number, chunk) in hashed.chunks(PARSE_CHUNK).enumerate() {
        let parsed: Vec<Option<Result<casebook_corpus::Parsed, IndexError>>> = parallel_map(chunk, |data| {
            (!data.unchanged).then(|| {
                let path = corpus_root.join(&data.key);
                let bytes = fs::read(&path).map_err(|e| IndexError::io(&path, e))?;
                Ok(parse_case(&path, &bytes, &context))
            })
        });
        for (offset, (data, parsed)) in chunk.iter().zip(parsed).enumerate() {
            let (id, case) = match parsed {
                None => match previous_files.get(&data.key) {
                    Some(entry) => (entry.id.clone(), None),
                    None => continue,
                },
                Some(parsed) => {
                    let parsed = parsed?;
                    let has_error = parsed.diagnostics.iter().any(Diagnostic::is_error);
                    for diagnostic in parsed.diagnostics {
                        // A file marked for review is skipped like a broken one, so it is listed.
                        if diagnostic.is_error() || diagnostic.kind == DiagnosticKind::NeedsReview {
                            errors.push(diagnostic)
                        } else {
                            warnings.push(diagnostic)
                        }
                    }
                    match parsed.case {
                        Some(case) => (case.record.id.clone(), Some(case)),
                        None => {
                            skipped += usize::from(has_error || parsed.needs_review);
                            continue;
                        }
                    }
                }
            };
            if let Some(&first) = seen.get(&id) {
                let first = &hashed[first].key;
                errors.push(Diagnostic::error(
                    corpus_root.join(&data.key),
                    None,
                    None,
                    format!("duplicate case id `{id}`: `{first}` has the same file name; rename one of them"),
                ));
                skipped += 1;
                continue;
            }
            seen.insert(id.clone(), chunk_number * PARSE_CHUNK + offset);
            manifest.files.insert(data.key.clone(), IndexedFile { id, hash: store::hash_hex(data.hash) });
            match case {
                Some(mut case) => {
                    if options.fail_after == Some(written) {
                        return Err(IndexError::InjectedFault(written));
                    }
                    case.path = std::path::PathBuf::from(&data.key);
                    if !case.record.related.is_empty() {
                        linking.push((corpus_root.join(&data.key), case.clone()));
                    }
                    if output.is_none() {
                        output = Some(Output::create(index_root, &lock, base.as_deref(), &fields, &stale_ids)?);
                    }
                    if let Some(output) = output.as_mut() {
                        output.writer.add_document(case_document(&fields, &vocabulary.taxonomy, &case))?;
                    }
                    written += 1;
                    if written % 256 == 0 {
                        progress(Progress { done: written, total: to_parse });
                    }
                }
                None => unchanged += 1,
            }
        }
    }
    manifest.cases = manifest.files.len();
    let known: HashSet<String> = seen.into_keys().collect();
    for (path, case) in &linking {
        for mut diagnostic in check_related(case, path, &known) {
            diagnostic.severity = Severity::Warning;
            diagnostic.message.push_str(" (indexed without this link)");
            warnings.push(diagnostic);
        }
    }
    progress(Progress { done: written, total: written.max(1) });

    let Some(mut output) = output else {
        // Nothing to write: the live generation is up to date.
        return Ok(BuildReport {
            files: file_count,
            bytes: total_bytes,
            indexed: manifest.cases,
            written: 0,
            removed: 0,
            unchanged,
            up_to_date: true,
            full: false,
            errors,
            warnings,
            skipped,
            generation: base.as_deref().map(generation_name).unwrap_or_default(),
            elapsed: started.elapsed(),
        });
    };
    output.writer.commit()?;
    // Every query pays per-segment costs once per segment: a full build ends with few, large
    // segments, and an update folds its new segments into the small ones (see `merge.rs`).
    let budget = options.merge_input_bytes.unwrap_or(MERGE_INPUT_BYTES);
    merge::merge_in_steps(&mut output.writer, &output.index, output.pending.path(), budget)?;
    output.writer.wait_merging_threads()?;
    let pending = output.pending;
    for (name, text) in &vocabulary_files {
        fs::write(pending.path().join(name), text).map_err(|e| IndexError::io(pending.path().join(name), e))?;
    }
    manifest.built_at = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    store::write_manifest(pending.path(), &manifest)?;
    let generation = pending.publish()?;
    drop(lock);
    Ok(BuildReport {
        files: file_count,
        bytes: total_bytes,
        indexed: manifest.cases,
        written,
        removed: stale_ids.len(),
        unchanged,
        up_to_date: false,
        full: base.is_none(),
        errors,
        warnings,
        skipped,
        generation,
        elapsed: started.elapsed(),
    })
}

/// Files parsed (and their cases held) at once.
const PARSE_CHUNK: usize = 1024;

/// The generation being written. Fields drop in order: the writer stops before the
/// temporary folder of an abandoned build is removed.
struct Output {
    writer: IndexWriter,
    index: Index,
    pending: PendingGeneration,
}

impl Output {
    /// Creates the next generation (a copy of `base`, or empty) and deletes the stale cases.
    fn create(
        index_root: &Path,
        lock: &BuildLock,
        base: Option<&Path>,
        fields: &Fields,
        stale_ids: &[String],
    ) -> Result<Self, IndexError> {
        let pending = PendingGeneration::create(index_root, lock, base)?;
        let index = match base {
            Some(_) => Index::open_in_dir(pending.path())?,
            None => {
                let settings = tantivy::IndexSettings { docstore_blocksize: STORE_BLOCK_BYTES, ..Default::default() };
                Index::builder().schema(fields.schema.clone()).settings(settings).create_in_dir(pending.path())?
            }
        };
        Analyzers::new().register(&index);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let writer: IndexWriter = index.writer_with_num_threads(threads, threads * WRITER_BUDGET_PER_THREAD)?;
        // The build merges once at the end, in bounded steps (`merge.rs`): tantivy's own
        // policy would merge in the background meanwhile, segments of any size.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        for id in stale_ids {
            writer.delete_term(Term::from_field_text(fields.id, id));
        }
        Ok(Output { writer, index, pending })
    }
}

/// Size of the blocks the document store compresses (LZ4) and reads back whole. A hit reads
/// one case from a random block: at 100k cases, blocks of 4 KiB (a case or two) instead of
/// tantivy's 16 KiB took about 5% off the search mix for a store 13% larger
/// (docs/performance.md).
const STORE_BLOCK_BYTES: usize = 4096;

/// Indexing memory per writer thread: segments are flushed when it fills.
const WRITER_BUDGET_PER_THREAD: usize = 128 * 1024 * 1024;

fn generation_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The live generation and its manifest, if it can be updated in place: same schema, same
/// vocabulary, and an index tantivy can open.
fn usable_previous(index_root: &Path, fingerprint: u64) -> Option<(std::path::PathBuf, Manifest)> {
    let generation = store::current_generation(index_root).ok()?;
    let manifest = store::read_manifest(&generation).ok()?;
    if manifest.schema_version != SCHEMA_VERSION || manifest.vocabulary_fingerprint != fingerprint {
        tracing::info!("schema or vocabulary changed: rebuilding every case");
        return None;
    }
    if let Err(error) = Index::open_in_dir(&generation) {
        tracing::warn!(%error, "the live index cannot be opened: rebuilding every case");
        return None;
    }
    Some((generation, manifest))
}
