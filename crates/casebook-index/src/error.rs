//! Errors of building and opening an index, and of searching it.

use std::path::PathBuf;

use casebook_corpus::CorpusError;

/// Why an index could not be built or opened.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index has been built in this folder yet.
    #[error("no index found in `{0}`: run `casebook index` to build it")]
    NotFound(PathBuf),
    /// The index folder exists but cannot be read as an index.
    #[error("the index in `{path}` is corrupt or incomplete ({reason}): run `casebook index` to rebuild it")]
    Corrupt {
        /// The generation folder or pointer file.
        path: PathBuf,
        /// What failed.
        reason: String,
    },
    /// Another `casebook index` is writing to the same folder.
    #[error("another `casebook index` is already building `{0}`: wait for it to finish")]
    Locked(PathBuf),
    /// The corpus could not be read.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// A file operation failed.
    #[error("cannot write the index in `{path}`: {source}{hint}", hint = storage_hint(&source.to_string()))]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// tantivy failed while writing.
    #[error("indexing failed: {0}{hint}", hint = storage_hint(&.0.to_string()))]
    Tantivy(#[from] tantivy::TantivyError),
    /// A failure injected on purpose by tests (`BuildOptions::fail_after`).
    #[error("indexing stopped by an injected fault after {0} cases")]
    InjectedFault(usize),
}

/// Advice for a write that failed because the disk (or a quota, or a file size limit) is
/// full; empty for other errors.
fn storage_hint(error: &str) -> &'static str {
    // tantivy wraps I/O errors in its own types, so the operating system's message is what
    // survives: ENOSPC, EDQUOT, EFBIG.
    let full = ["No space left on device", "Disk quota exceeded", "File too large", "(os error 28)", "(os error 27)"];
    if full.iter().any(|needle| error.contains(needle)) {
        " (the disk is full or a size limit was reached: free space and run `casebook index` again; the previous index is unchanged and still serving)"
    } else {
        ""
    }
}

impl IndexError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IndexError::Io { path: path.into(), source }
    }
}

/// Why a search request was refused. Malformed query text is never an error: only parameter
/// values outside their documented range are.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A parameter has a value outside its range.
    #[error("invalid `{parameter}`: {message}")]
    InvalidParameter {
        /// The parameter name as in the API (`per_page`).
        parameter: &'static str,
        /// What is allowed.
        message: String,
    },
    /// The index could not be read.
    #[error("search failed: {0}")]
    Internal(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        SearchError::Internal(error.to_string())
    }
}
