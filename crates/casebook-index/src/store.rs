//! The index folder on disk. Each build writes a new generation folder beside the current
//! one and then switches the `CURRENT` pointer file with an atomic rename, so a failed or
//! killed build never touches the index being served:
//!
//! ```text
//! index/
//!   README.md          (kept in git; everything else is ignored)
//!   CURRENT            name of the live generation, e.g. "gen-000007"
//!   gen-000007/        tantivy files + manifest.json + the vocabulary files it was built with
//!   gen-000006/        the previous generation, kept until the next build
//!   .build.lock        held while a build runs
//!   .tmp-gen-000008/   a build in progress (or left by a killed one, removed by the next)
//! ```

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::IndexError;

/// Name of the pointer file.
pub const CURRENT: &str = "CURRENT";
/// Name of the manifest inside a generation.
pub const MANIFEST: &str = "manifest.json";
const LOCK: &str = ".build.lock";
const GENERATION_PREFIX: &str = "gen-";
const TEMP_PREFIX: &str = ".tmp-";

/// What a generation contains, written last so that its presence marks a complete build.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct Manifest {
    /// Schema and analysis version ([`crate::schema::SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// Hash of the vocabulary files the cases were normalised with.
    pub vocabulary_fingerprint: u64,
    /// Build time, seconds since the Unix epoch.
    pub built_at: u64,
    /// Number of cases indexed.
    pub cases: usize,
    /// Indexed files by path relative to the corpus folder.
    pub files: BTreeMap<String, IndexedFile>,
}

/// One indexed file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexedFile {
    /// The case id.
    pub id: String,
    /// Hash of the file's bytes (hex).
    pub hash: String,
}

/// Hex form of a content hash.
pub fn hash_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// The live generation folder of an index root, if there is one.
pub fn current_generation(root: &Path) -> Result<PathBuf, IndexError> {
    let pointer = root.join(CURRENT);
    let name = match fs::read_to_string(&pointer) {
        Ok(name) => name.trim().to_string(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(IndexError::NotFound(root.to_path_buf()));
        }
        Err(error) => return Err(IndexError::Corrupt { path: pointer, reason: error.to_string() }),
    };
    if !is_generation_name(&name) {
        return Err(IndexError::Corrupt { path: pointer, reason: format!("unexpected content {name:?}") });
    }
    let generation = root.join(&name);
    if !generation.join(MANIFEST).is_file() {
        return Err(IndexError::Corrupt { path: generation, reason: "the generation it points to is missing".into() });
    }
    Ok(generation)
}

fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GENERATION_PREFIX).is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads a generation's manifest.
pub fn read_manifest(generation: &Path) -> Result<Manifest, IndexError> {
    let path = generation.join(MANIFEST);
    let text =
        fs::read_to_string(&path).map_err(|e| IndexError::Corrupt { path: path.clone(), reason: e.to_string() })?;
    serde_json::from_str(&text).map_err(|e| IndexError::Corrupt { path, reason: e.to_string() })
}

/// Writes a manifest into a generation folder, durably.
pub fn write_manifest(generation: &Path, manifest: &Manifest) -> Result<(), IndexError> {
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| IndexError::io(generation, std::io::Error::other(e)))?;
    write_durably(&generation.join(MANIFEST), &json)
}

fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    let mut file = File::create(path).map_err(|e| IndexError::io(path, e))?;
    file.write_all(bytes).map_err(|e| IndexError::io(path, e))?;
    file.sync_all().map_err(|e| IndexError::io(path, e))
}

fn sync_dir(dir: &Path) -> Result<(), IndexError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| IndexError::io(dir, e))
}

/// An exclusive hold on an index root for the duration of a build.
#[derive(Debug)]
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    /// Takes the lock, or fails at once if another build holds it. Temporary folders left by
    /// killed builds are removed once the lock is held.
    pub fn acquire(root: &Path) -> Result<Self, IndexError> {
        fs::create_dir_all(root).map_err(|e| IndexError::io(root, e))?;
        let path = root.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| IndexError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(IndexError::Locked(root.to_path_buf())),
            Err(fs::TryLockError::Error(e)) => return Err(IndexError::io(&path, e)),
        }
        for entry in fs::read_dir(root).map_err(|e| IndexError::io(root, e))?.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let stale = entry.path();
                tracing::info!(path = %stale.display(), "removing the folder of an interrupted build");
                fs::remove_dir_all(&stale).map_err(|e| IndexError::io(&stale, e))?;
            }
        }
        Ok(BuildLock { _file: file })
    }
}

/// Numbers of the generation folders present, ascending.
fn generations(root: &Path) -> Result<Vec<u64>, IndexError> {
    let mut numbers = Vec::new();
    for entry in fs::read_dir(root).map_err(|e| IndexError::io(root, e))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_generation_name(&name)
            && let Ok(number) = name[GENERATION_PREFIX.len()..].parse::<u64>()
        {
            numbers.push(number);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

/// A generation being built in a temporary folder. Dropping it without [`publish`] removes
/// the folder.
///
/// [`publish`]: PendingGeneration::publish
#[derive(Debug)]
pub struct PendingGeneration {
    root: PathBuf,
    name: String,
    temp: PathBuf,
    published: bool,
}

impl PendingGeneration {
    /// Creates the temporary folder of the next generation. With `base`, its files are
    /// hard-linked (or copied) in first, so the build can update it incrementally; tantivy
    /// never modifies a file once written, so the base generation stays intact.
    pub fn create(root: &Path, _lock: &BuildLock, base: Option<&Path>) -> Result<Self, IndexError> {
        let next = generations(root)?.last().map_or(1, |n| n + 1);
        let name = format!("{GENERATION_PREFIX}{next:06}");
        let temp = root.join(format!("{TEMP_PREFIX}{name}"));
        fs::create_dir_all(&temp).map_err(|e| IndexError::io(&temp, e))?;
        let pending = PendingGeneration { root: root.to_path_buf(), name, temp, published: false };
        if let Some(base) = base {
            for entry in fs::read_dir(base).map_err(|e| IndexError::io(base, e))? {
                let entry = entry.map_err(|e| IndexError::io(base, e))?;
                let file_name = entry.file_name();
                if file_name == MANIFEST || file_name.to_string_lossy().starts_with(".tantivy") {
                    continue;
                }
                let target = pending.temp.join(&file_name);
                if fs::hard_link(entry.path(), &target).is_err() {
                    fs::copy(entry.path(), &target).map_err(|e| IndexError::io(&target, e))?;
                }
            }
        }
        Ok(pending)
    }

    /// The folder to write the index into.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// Moves the finished generation into place and points `CURRENT` at it, atomically.
    /// Generations older than the previous one are then removed.
    pub fn publish(mut self) -> Result<String, IndexError> {
        sync_dir(&self.temp)?;
        let final_path = self.root.join(&self.name);
        fs::rename(&self.temp, &final_path).map_err(|e| IndexError::io(&final_path, e))?;
        self.published = true;
        let pointer_temp = self.root.join(format!("{TEMP_PREFIX}{CURRENT}"));
        write_durably(&pointer_temp, format!("{}\n", self.name).as_bytes())?;
        let pointer = self.root.join(CURRENT);
        fs::rename(&pointer_temp, &pointer).map_err(|e| IndexError::io(&pointer, e))?;
        sync_dir(&self.root)?;
        let keep_from = self.name[GENERATION_PREFIX.len()..].parse::<u64>().unwrap_or(0).saturating_sub(1);
        for number in generations(&self.root)? {
            if number < keep_from {
                let old = self.root.join(format!("{GENERATION_PREFIX}{number:06}"));
                if let Err(error) = fs::remove_dir_all(&old) {
                    tracing::warn!(path = %old.display(), %error, "could not remove an old index generation");
                }
            }
        }
        Ok(self.name.clone())
    }
}

impl Drop for PendingGeneration {
    fn drop(&mut self) {
        if !self.published {
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}
