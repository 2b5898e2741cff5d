//! An opened index generation: the one way into the index for the CLI and the HTTP service.
//! This file opens a generation and answers the single-case questions (a case, its labels,
//! similar cases, completions, generation info); searching is in `search/execute.rs`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use casebook_corpus::{CaseRecord, Language, VOCABULARY_FILES, Vocabulary};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::analysis::Analyzers;
use crate::document::{StoredCase, StoredFacts};
use crate::error::{IndexError, SearchError};
use crate::response::{Hit, LabelledCase};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::search::execute::BrowseCache;
use crate::search::facet_index::FacetCache;
use crate::search::suggest::Suggestion;
use crate::search::synonyms::SynonymIndex;
use crate::store::{self, Manifest};

/// A searchable index generation. Cheap to share behind an `Arc`; a new generation is a new
/// `Archive`.
pub struct Archive {
    /// Facet paths of every segment, resolved once.
    pub(crate) facets: Arc<FacetCache>,
    /// The unfiltered browse, computed once (see `search::execute`).
    pub(crate) browse_cache: Mutex<Option<BrowseCache>>,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) analyzers: Analyzers,
    pub(crate) vocabulary: Vocabulary,
    /// The synonym groups indexed by stems, built once.
    pub(crate) synonyms: SynonymIndex,
    generation: PathBuf,
    manifest: Manifest,
}

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").field("generation", &self.generation).finish_non_exhaustive()
    }
}

fn corrupt(path: &Path, reason: impl ToString) -> IndexError {
    IndexError::Corrupt { path: path.to_path_buf(), reason: reason.to_string() }
}

impl Archive {
    /// The live generation folder of the index at `root` (what [`Archive::open`] would open).
    pub fn live_generation(root: &Path) -> Result<PathBuf, IndexError> {
        store::current_generation(root)
    }

    /// Opens the live generation of the index at `root`.
    pub fn open(root: &Path) -> Result<Self, IndexError> {
        Self::open_generation(&store::current_generation(root)?)
    }

    /// Opens one generation folder.
    pub fn open_generation(generation: &Path) -> Result<Self, IndexError> {
        let manifest = store::read_manifest(generation)?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(corrupt(
                generation,
                format!("built by another version of Casebook (schema {})", manifest.schema_version),
            ));
        }
        let mut files = Vec::new();
        for (name, _) in VOCABULARY_FILES {
            let text = std::fs::read_to_string(generation.join(name)).map_err(|e| corrupt(generation, e))?;
            files.push((name, text));
        }
        let vocabulary = Vocabulary::from_raw_files(generation, &files).map_err(|e| corrupt(generation, e))?;
        let index = tantivy::Index::open_in_dir(generation).map_err(|e| corrupt(generation, e))?;
        let fields = Fields::from_schema(&index.schema()).map_err(|e| corrupt(generation, e))?;
        let analyzers = Analyzers::new();
        analyzers.register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| corrupt(generation, e))?;
        // Touch every segment's stores once so that missing files show up now, not mid-search,
        // and resolve the facet paths of each segment once for all queries.
        let searcher = reader.searcher();
        searcher.search(&AllQuery, &Count).map_err(|e| corrupt(generation, e))?;
        let facets = FacetCache::open(&searcher).map_err(|e| corrupt(generation, e))?;
        let synonyms = SynonymIndex::new(&vocabulary.synonyms, &analyzers);
        Ok(Archive {
            facets: Arc::new(facets),
            browse_cache: Mutex::new(None),
            reader,
            fields,
            analyzers,
            vocabulary,
            synonyms,
            generation: generation.to_path_buf(),
            manifest,
        })
    }

    /// Number of cases in the index.
    pub fn case_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Segments of the generation (a full build leaves few; each costs a little per query).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// The generation folder being served.
    pub fn generation(&self) -> &Path {
        &self.generation
    }

    /// The name of the generation being served (`gen-000007`).
    pub fn generation_name(&self) -> String {
        self.generation.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }

    /// When the generation was built, in seconds since the Unix epoch.
    pub fn built_at(&self) -> u64 {
        self.manifest.built_at
    }

    /// Ids of every indexed case, sorted.
    pub fn case_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.manifest.files.values().map(|f| f.id.clone()).collect();
        ids.sort_unstable();
        ids
    }

    /// The taxonomy the generation was built with (sectors, countries, Italian regions).
    pub fn taxonomy(&self) -> &casebook_corpus::Taxonomy {
        &self.vocabulary.taxonomy
    }

    /// The facts of a case with their labels in `lang`.
    pub fn label(&self, record: &CaseRecord, lang: Language) -> LabelledCase {
        crate::label::label(record, &self.vocabulary.taxonomy, lang)
    }

    /// The stored case with this id.
    pub fn case(&self, id: &str) -> Result<Option<StoredCase>, SearchError> {
        Ok(self.case_document(&self.reader.searcher(), id)?.map(|(_, case, _)| case))
    }

    /// The document of a case: address, stored case, plain body text.
    fn case_document(
        &self,
        searcher: &Searcher,
        id: &str,
    ) -> Result<Option<(DocAddress, StoredCase, String)>, SearchError> {
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(*address)?;
        let body = doc.get_first(self.fields.body_text).and_then(|v| v.as_str()).unwrap_or("").to_string();
        Ok(self.stored(&doc)?.map(|case| (*address, case, body)))
    }

    /// Up to `limit` cases similar to the case `id` (`None` when there is no such case), as
    /// hits whose snippet is the escaped summary.
    pub fn similar(&self, id: &str, limit: usize, lang: Language) -> Result<Option<Vec<Hit>>, SearchError> {
        let searcher = self.reader.searcher();
        let Some((_, case, body)) = self.case_document(&searcher, id)? else { return Ok(None) };
        let top =
            crate::search::similar::similar(&searcher, &self.fields, &self.analyzers, &case.record, &body, limit)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(record) = self.stored_record(&doc)? {
                let mut snippet = String::new();
                crate::search::snippet::escape_html(&record.summary, &mut snippet);
                hits.push(Hit {
                    case: self.label(&record, lang),
                    snippet,
                    score: (score * 1000.0).round() / 1000.0,
                    matched_words: 0,
                    explain: None,
                });
            }
        }
        Ok(Some(hits))
    }

    /// Completions of `prefix` among titles, organisations and tags.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<Suggestion> {
        crate::search::suggest::suggest(&self.reader.searcher(), self.fields.suggest, prefix, limit)
    }

    /// The stored case of a document. A document without one, or with one that does not
    /// parse, is an index this version cannot read: an error, not a missing case.
    pub(crate) fn stored(&self, doc: &TantivyDocument) -> Result<Option<StoredCase>, SearchError> {
        let body_markdown = doc.get_first(self.fields.body_markdown).and_then(|v| v.as_str()).unwrap_or("");
        Ok(self.read_stored::<StoredFacts<CaseRecord, String>>(doc)?.map(|facts| StoredCase {
            record: facts.record,
            body_markdown: body_markdown.to_string(),
            path: facts.path,
        }))
    }

    /// The facts of a document's stored case, for a hit.
    pub(crate) fn stored_record(&self, doc: &TantivyDocument) -> Result<Option<CaseRecord>, SearchError> {
        Ok(self.read_stored::<StoredFacts<CaseRecord, serde::de::IgnoredAny>>(doc)?.map(|facts| facts.record))
    }

    fn read_stored<T: serde::de::DeserializeOwned>(&self, doc: &TantivyDocument) -> Result<Option<T>, SearchError> {
        let Some(json) = doc.get_first(self.fields.meta_json).and_then(|v| v.as_str()) else { return Ok(None) };
        serde_json::from_str(json)
            .map(Some)
            .map_err(|error| SearchError::Internal(format!("a stored case cannot be read: {error}")))
    }
}
