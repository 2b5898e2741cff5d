//! An opened index generation: the search core shared by the CLI and the HTTP service.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use casebook_corpus::text::slugify;
use casebook_corpus::{ITALY, Labelled, Language, RegionSelector, VOCABULARY_FILES, Vocabulary};
use tantivy::collector::Count;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::analysis::Analyzers;
use crate::document::{StoredCase, region_value};
use crate::error::{IndexError, SearchError};
use crate::request::SearchRequest;
use crate::response::{FacetValue, Facets, Hit, RegionRef, SearchResponse, SectorRef};
use crate::schema::{Fields, SCHEMA_VERSION};
use crate::search::collector::{Collected, FacetedCollector, Filters, RegionFilter, TierCounts};
use crate::search::exclusion::Excluded;
use crate::search::plan::Planner;
use crate::search::snippet::snippet;
use crate::search::text;
use crate::search::tiered::{TieredQuery, matched_units, relevance};
use crate::store::{self, Manifest};

/// A searchable index generation.
pub struct Archive {
    /// Facet paths of every segment, resolved once.
    facets: std::sync::Arc<crate::search::collector::FacetCache>,
    /// The unfiltered browse (no text, no filter), computed once: it is the home page and the
    /// empty search page, the most frequent request.
    browse_cache: std::sync::Mutex<Option<(crate::request::Sort, usize, std::sync::Arc<Collected>)>>,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analyzers: Analyzers,
    vocabulary: Vocabulary,
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
    /// Opens the live generation of the index at `root`.
    pub fn open(root: &Path) -> Result<Self, IndexError> {
        let generation = store::current_generation(root)?;
        Self::open_generation(&generation)
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
        let index = Index::open_in_dir(generation).map_err(|e| corrupt(generation, e))?;
        let fields = Fields::from_schema(&index.schema()).map_err(|e| corrupt(generation, e))?;
        let analyzers = Analyzers::new();
        analyzers.register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e: tantivy::TantivyError| corrupt(generation, e))?;
        let archive = Archive {
            facets: Default::default(),
            browse_cache: std::sync::Mutex::new(None),
            index,
            reader,
            fields,
            analyzers,
            vocabulary,
            generation: generation.to_path_buf(),
            manifest,
        };
        // Touch every segment's stores once so that missing files show up now, not mid-search,
        // and resolve the facet paths of each segment once for all queries.
        let searcher = archive.reader.searcher();
        searcher.search(&AllQuery, &Count).map_err(|e| corrupt(generation, e))?;
        let mut facets = crate::search::collector::FacetCache::new();
        for segment in searcher.segment_readers() {
            let resolved = crate::search::collector::resolve_facets(segment).map_err(|e| corrupt(generation, e))?;
            facets.insert(segment.segment_id(), std::sync::Arc::new(resolved));
        }
        let mut archive = archive;
        archive.facets = std::sync::Arc::new(facets);
        Ok(archive)
    }

    /// Number of cases in the index.
    pub fn case_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The generation folder being served.
    pub fn generation(&self) -> &Path {
        &self.generation
    }

    /// The manifest of the generation.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The vocabularies the index was built with.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The underlying tantivy index.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The stored case with this id.
    pub fn case(&self, id: &str) -> Result<Option<StoredCase>, SearchError> {
        Ok(self.case_document(&self.reader.searcher(), id)?.map(|(_, case, _)| case))
    }

    /// The document of a case: address, stored metadata, plain body text.
    fn case_document(
        &self,
        searcher: &tantivy::Searcher,
        id: &str,
    ) -> Result<Option<(tantivy::DocAddress, StoredCase, String)>, SearchError> {
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let top = searcher.search(&query, &tantivy::collector::TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(*address)?;
        let body = doc.get_first(self.fields.body_text).and_then(|v| v.as_str()).unwrap_or("").to_string();
        Ok(self.stored(&doc).map(|case| (*address, case, body)))
    }

    /// Up to `limit` cases similar to the case `id` (`None` when there is no such case), as
    /// hits whose snippet is the escaped summary.
    pub fn similar(&self, id: &str, limit: usize, lang: &str) -> Result<Option<Vec<Hit>>, SearchError> {
        let searcher = self.reader.searcher();
        let Some((_, case, body)) = self.case_document(&searcher, id)? else { return Ok(None) };
        let top = crate::search::similar::similar(&searcher, &self.fields, &case, &body, limit)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(stored) = self.stored(&doc) {
                let mut snippet = String::new();
                crate::search::snippet::escape_html(&stored.summary, &mut snippet);
                let mut hit = self.hit(stored, snippet, 0.0, false, lang);
                hit.score = (score * 1000.0).round() / 1000.0;
                hits.push(hit);
            }
        }
        Ok(Some(hits))
    }

    /// Completions of `prefix` among titles, organisations and tags.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<crate::search::suggest::Suggestion> {
        crate::search::suggest::suggest(&self.reader.searcher(), self.fields.suggest, prefix, limit)
    }

    /// Ids of every indexed case, sorted.
    pub fn case_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.manifest.files.values().map(|f| f.id.clone()).collect();
        ids.sort_unstable();
        ids
    }

    fn stored(&self, doc: &TantivyDocument) -> Option<StoredCase> {
        let json = doc.get_first(self.fields.meta_json).and_then(|v| v.as_str())?;
        serde_json::from_str(json).ok()
    }

    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let year_range = request.validate()?;
        let skip = (request.page - 1) * request.per_page;
        self.execute(request, year_range, skip, request.per_page, true)
    }

    /// Every result of a search up to `max` (for exports), in order, without snippets;
    /// `page` and `per_page` of the request are ignored.
    pub fn export(&self, request: &SearchRequest, max: usize) -> Result<SearchResponse, SearchError> {
        let paging = SearchRequest { page: 1, per_page: crate::request::DEFAULT_PER_PAGE, ..request.clone() };
        let year_range = paging.validate()?;
        self.execute(request, year_range, 0, max.max(1), false)
    }

    fn execute(
        &self,
        request: &SearchRequest,
        year_range: crate::request::YearRange,
        skip: usize,
        take: usize,
        snippets: bool,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let lang = request.label_language();
        let mut warnings = Vec::new();
        let filters = Filters { year: year_range, ..self.resolve_filters(request, &mut warnings) };

        let searcher = self.reader.searcher();
        let parsed = text::parse(&request.q, &self.vocabulary.synonyms);
        let planner = Planner {
            fields: &self.fields,
            analyzers: &self.analyzers,
            synonyms: &self.vocabulary.synonyms,
            searcher: &searcher,
        };
        let plan = planner.plan(&parsed);
        let units = plan.units.len();
        let tiered = units > 0;
        use crate::request::MatchMode;
        let (top_tier, min_match) = match (tiered, request.match_mode) {
            (false, _) => (0, 0),
            (true, MatchMode::All) => (units, units),
            (true, MatchMode::Any) => (1, 1),
            (true, MatchMode::Last) if units > 3 => ((units * 3).div_ceil(4), 1),
            (true, MatchMode::Last) => (units, 1),
        };
        let base: Box<dyn Query> =
            if tiered { Box::new(TieredQuery::new(plan.units, min_match)) } else { Box::new(AllQuery) };
        let plan_excluded_empty = plan.excluded.is_empty();
        let query: Box<dyn Query> = if plan.excluded.is_empty() {
            base
        } else {
            let mut clauses = vec![(Occur::Must, base)];
            clauses
                .extend(plan.excluded.into_iter().map(|q| (Occur::MustNot, Box::new(Excluded(q)) as Box<dyn Query>)));
            Box::new(BooleanQuery::new(clauses))
        };
        let collector = FacetedCollector {
            filters: filters.clone(),
            sort: request.sort,
            tiered,
            units,
            top_tier,
            depth: skip + take,
            facets: std::sync::Arc::clone(&self.facets),
        };
        let unfiltered_browse = !tiered
            && plan_excluded_empty
            && request.sector.is_empty()
            && request.region.is_empty()
            && request.award.is_empty()
            && request.language.is_empty()
            && !year_range.is_set();
        let cached = if unfiltered_browse { self.cached_browse(request.sort, skip + take) } else { None };
        let collected: std::sync::Arc<Collected> = match cached {
            Some(collected) => collected,
            None => {
                let collected = std::sync::Arc::new(searcher.search(query.as_ref(), &collector)?);
                if unfiltered_browse && let Ok(mut cache) = self.browse_cache.lock() {
                    *cache = Some((request.sort, skip + take, std::sync::Arc::clone(&collected)));
                }
                collected
            }
        };

        let final_tier = match (tiered, request.match_mode) {
            (false, _) => 0,
            (true, MatchMode::All) => units,
            (true, MatchMode::Any) => 1,
            (true, MatchMode::Last) => {
                let mut cumulative = 0;
                let mut chosen = 1;
                for tier in (1..=top_tier).rev() {
                    cumulative += collected.unfiltered_totals[tier];
                    if cumulative >= request.per_page as u64 {
                        chosen = tier;
                        break;
                    }
                }
                chosen
            }
        };
        let total: u64 = collected.totals.iter().skip(final_tier).sum();
        let facets = self.facets(&collected.counts, final_tier, &filters, lang);

        let mut hits = Vec::new();
        for candidate in collected.candidates.iter().filter(|c| c.tier >= final_tier).skip(skip).take(take) {
            let doc: TantivyDocument = searcher.doc(candidate.address)?;
            let Some(stored) = self.stored(&doc) else { continue };
            let snippet = if snippets {
                let body = doc.get_first(self.fields.body_text).and_then(|v| v.as_str()).unwrap_or("");
                snippet(body, stored.language, &plan.highlight, &self.analyzers)
            } else {
                String::new()
            };
            hits.push(self.hit(stored, snippet, candidate.score, tiered, lang));
        }
        Ok(SearchResponse {
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0,
            page: request.page,
            per_page: request.per_page,
            matched_all: collected.matched_all,
            relaxed: tiered && final_tier < units,
            min_matched_words: final_tier,
            query_words: units,
            hits,
            facets,
            warnings,
        })
    }

    /// The cached unfiltered browse, if it was collected with this order and at least this
    /// depth.
    fn cached_browse(&self, sort: crate::request::Sort, depth: usize) -> Option<std::sync::Arc<Collected>> {
        let cache = self.browse_cache.lock().ok()?;
        match cache.as_ref() {
            Some((cached_sort, cached_depth, collected)) if *cached_sort == sort && *cached_depth >= depth => {
                Some(std::sync::Arc::clone(collected))
            }
            _ => None,
        }
    }

    /// The sectors of a stored case with their labels in `lang` (the id when unknown).
    pub fn sector_refs(&self, ids: &[String], lang: &str) -> Vec<SectorRef> {
        let taxonomy = &self.vocabulary.taxonomy;
        ids.iter()
            .map(|id| SectorRef {
                id: id.clone(),
                label: taxonomy.sector(id).map_or_else(|| id.clone(), |s| s.label(lang).to_string()),
            })
            .collect()
    }

    /// The region of a stored case with its label in `lang`.
    pub fn region_ref(&self, stored: &StoredCase, lang: &str) -> RegionRef {
        let place = &stored.place;
        RegionRef {
            value: place.region.clone(),
            label: if lang == "it" { place.region_it.clone() } else { place.region_en.clone() },
            country: place.country.clone(),
        }
    }

    fn hit(&self, stored: StoredCase, snippet: String, score: f32, tiered: bool, lang: &str) -> Hit {
        Hit {
            sectors: self.sector_refs(&stored.sectors, lang),
            region: self.region_ref(&stored, lang),
            city: stored.place.city,
            language: stored.language.code().to_string(),
            score: if tiered { (relevance(score) * 1000.0).round() / 1000.0 } else { 0.0 },
            matched_words: if tiered { matched_units(score) } else { 0 },
            outcome: stored.outcome.map(|o| o.as_str().to_string()),
            id: stored.id,
            title: stored.title,
            organisation: stored.organisation,
            year: stored.year,
            award: stored.award,
            summary: stored.summary,
            snippet,
            event: stored.event,
            tags: stored.tags,
        }
    }

    fn resolve_filters(&self, request: &SearchRequest, warnings: &mut Vec<String>) -> Filters {
        let taxonomy = &self.vocabulary.taxonomy;
        let mut filters = Filters::default();
        if !request.sector.is_empty() {
            let mut ids = HashSet::new();
            for value in &request.sector {
                match taxonomy.sector(value) {
                    Some(sector) => {
                        ids.insert(sector.id.clone());
                    }
                    None => warnings.push(match taxonomy.closest_sector(value) {
                        Some(s) => format!("unknown sector '{value}' — did you mean '{}'?", s.id),
                        None => format!("unknown sector '{value}'"),
                    }),
                }
            }
            filters.sector = Some(ids);
        }
        if !request.region.is_empty() {
            let mut filter = RegionFilter::default();
            for value in &request.region {
                match taxonomy.region_selector(value) {
                    Some(RegionSelector::Country(code)) => {
                        filter.countries.insert(code);
                    }
                    Some(RegionSelector::Region(region)) => {
                        filter.regions.insert(region);
                    }
                    None => warnings.push(match taxonomy.closest_italian_region(value) {
                        Some(r) => format!("unknown region '{value}' — did you mean '{}' ({})?", r.it, r.id),
                        None => format!("unknown region '{value}'"),
                    }),
                }
            }
            filters.region = Some(filter);
        }
        if !request.award.is_empty() {
            filters.award = Some(request.award.iter().map(|a| slugify(a)).collect());
        }
        if !request.language.is_empty() {
            let mut codes = HashSet::new();
            for value in &request.language {
                match Language::from_code(value) {
                    Some(language) => {
                        codes.insert(language.code().to_string());
                    }
                    None => warnings.push(format!("unknown language '{value}': use it or en")),
                }
            }
            filters.language = Some(codes);
        }
        filters
    }

    fn facets(&self, counts: &[TierCounts; 5], final_tier: usize, filters: &Filters, lang: &str) -> Facets {
        let taxonomy = &self.vocabulary.taxonomy;
        let sum = |values: &Vec<u64>| values.iter().skip(final_tier).sum::<u64>();
        let totals = |group: usize| -> BTreeMap<&str, u64> {
            counts[group].iter().map(|(key, values)| (key.as_str(), sum(values))).filter(|(_, c)| *c > 0).collect()
        };

        // Sectors.
        let selected_sectors = filters.sector.clone().unwrap_or_default();
        let mut sector_counts: HashMap<String, u64> = totals(0).into_iter().map(|(k, c)| (k.to_string(), c)).collect();
        for id in &selected_sectors {
            sector_counts.entry(id.clone()).or_insert(0);
        }
        let mut sector: Vec<FacetValue> = sector_counts
            .into_iter()
            .map(|(id, count)| FacetValue {
                label: taxonomy.sector(&id).map_or_else(|| id.clone(), |s| s.label(lang).to_string()),
                selected: selected_sectors.contains(&id),
                value: id,
                count,
                children: None,
            })
            .collect();
        sort_by_count(&mut sector);

        // Regions: countries with their regions.
        let region_filter = filters.region.clone().unwrap_or_default();
        let mut countries: BTreeMap<String, BTreeMap<String, (String, u64)>> = BTreeMap::new();
        for (key, count) in totals(1) {
            let (country, segment) = key.split_once('\0').unwrap_or((key, ""));
            let value = region_value(country, segment);
            let label = match taxonomy.italian_region(&value) {
                Some(region) if country == ITALY => region.label(lang).to_string(),
                _ => segment.to_string(),
            };
            let entry = countries.entry(country.to_string()).or_default().entry(value).or_insert((label, 0));
            entry.1 += count;
        }
        for code in &region_filter.countries {
            countries.entry(code.clone()).or_default();
        }
        for value in &region_filter.regions {
            let (country, label) = match taxonomy.italian_region(value) {
                Some(region) => (ITALY.to_string(), region.label(lang).to_string()),
                None => {
                    let country = value.split(':').next().unwrap_or_default().to_string();
                    let label = value.split_once(':').map_or(value.as_str(), |(_, rest)| rest).to_string();
                    (country, label)
                }
            };
            countries.entry(country).or_default().entry(value.clone()).or_insert((label, 0));
        }
        let mut region: Vec<FacetValue> = countries
            .into_iter()
            .map(|(code, regions)| {
                let mut children: Vec<FacetValue> = regions
                    .into_iter()
                    .map(|(value, (label, count))| FacetValue {
                        selected: region_filter.regions.contains(&value),
                        value,
                        label,
                        count,
                        children: None,
                    })
                    .collect();
                sort_by_count(&mut children);
                let count = children.iter().map(|c| c.count).sum();
                cap(&mut children);
                FacetValue {
                    label: taxonomy.country(&code).map_or_else(|| code.clone(), |c| c.label(lang).to_string()),
                    selected: region_filter.countries.contains(&code),
                    count,
                    value: code,
                    children: Some(children),
                }
            })
            .collect();
        sort_by_count(&mut region);
        cap(&mut region);

        // Years, newest first.
        let mut year: Vec<FacetValue> = totals(2)
            .into_iter()
            .map(|(key, count)| FacetValue {
                value: key.to_string(),
                label: key.to_string(),
                count,
                selected: filters.year.is_set() && key.parse().is_ok_and(|y: u64| filters.year.contains(y)),
                children: None,
            })
            .collect();
        year.sort_by(|a, b| b.value.cmp(&a.value));

        // Awards.
        let selected_awards = filters.award.clone().unwrap_or_default();
        let mut award_counts: BTreeMap<String, (String, u64)> = BTreeMap::new();
        for (name, count) in totals(3) {
            award_counts.entry(slugify(name)).or_insert((name.to_string(), 0)).1 += count;
        }
        for slug in &selected_awards {
            award_counts.entry(slug.clone()).or_insert((slug.clone(), 0));
        }
        let mut award: Vec<FacetValue> = award_counts
            .into_iter()
            .map(|(slug, (label, count))| FacetValue {
                selected: selected_awards.contains(&slug),
                value: slug,
                label,
                count,
                children: None,
            })
            .collect();
        sort_by_count(&mut award);
        cap(&mut award);

        // Languages.
        let selected_languages = filters.language.clone().unwrap_or_default();
        let mut language_counts: BTreeMap<String, u64> =
            totals(4).into_iter().map(|(k, c)| (k.to_string(), c)).collect();
        for code in &selected_languages {
            language_counts.entry(code.clone()).or_insert(0);
        }
        let mut language: Vec<FacetValue> = language_counts
            .into_iter()
            .map(|(code, count)| FacetValue {
                label: language_label(&code, lang).to_string(),
                selected: selected_languages.contains(&code),
                value: code,
                count,
                children: None,
            })
            .collect();
        sort_by_count(&mut language);

        Facets { sector, region, year, award, language }
    }
}

fn language_label(code: &str, lang: &str) -> &'static str {
    match (code, lang) {
        ("it", "it") => "Italiano",
        ("en", "it") => "Inglese",
        ("it", _) => "Italian",
        ("en", _) => "English",
        _ => "?",
    }
}

fn sort_by_count(values: &mut [FacetValue]) {
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
}

/// Most values listed per facet (and per country's regions). Awards and regions abroad are
/// free text in the corpus, so an imported archive could have thousands: the most frequent
/// are listed, and every selected value whatever its rank.
pub const MAX_FACET_VALUES: usize = 50;

/// Keeps the first [`MAX_FACET_VALUES`] of values sorted by count, and the selected ones.
fn cap(values: &mut Vec<FacetValue>) {
    if values.len() > MAX_FACET_VALUES {
        let mut rank = 0;
        values.retain(|value| {
            rank += 1;
            rank <= MAX_FACET_VALUES || value.selected
        });
    }
}
