//! Running a search: the request's text is planned into tantivy queries, one pass of the
//! faceted collector sees every match (a short query's top tier first, every match only when
//! that tier does not fill a page), the relaxation step is chosen from the counts (short
//! queries; a long text is one tier ranked by BM25 alone), and the page of hits is
//! read back with snippets and, on request, explanations. The unfiltered browse (the home page and the
//! empty search page, the most frequent request) is computed once per generation.

use std::sync::Arc;
use std::time::Instant;

use casebook_corpus::Language;
use tantivy::TantivyDocument;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query};
use tantivy::schema::Value;

use super::collector::{Collected, FacetedCollector};
use super::exclusion::Excluded;
use super::filters::Filters;
use super::plan::{Plan, Planner};
use super::snippet::snippet;
use super::tiered::{TieredQuery, matched_units, ranked_relevance, relevance};
use super::{explain, facets, filters, text};
use crate::archive::Archive;
use crate::error::SearchError;
use crate::request::{DEFAULT_PER_PAGE, MatchMode, SearchRequest, Sort, YearRange};
use crate::response::{Facets, Hit, Ranking, SearchResponse};

/// The collected unfiltered browse: its order, its depth and what the pass found.
pub(crate) type BrowseCache = (Sort, usize, Arc<Collected>);

/// Which hits to return.
struct Window {
    skip: usize,
    take: usize,
    snippets: bool,
}

impl Archive {
    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let year_range = request.validate()?;
        let skip = (request.page - 1) * request.per_page;
        self.execute(request, year_range, Window { skip, take: request.per_page, snippets: true })
    }

    /// Every result of a search up to `max` (for exports), in order, without snippets;
    /// `page` is ignored (`per_page` still chooses the relaxation step, as on the page the
    /// export was made from).
    pub fn export(&self, request: &SearchRequest, max: usize) -> Result<SearchResponse, SearchError> {
        let paging = SearchRequest { page: 1, per_page: DEFAULT_PER_PAGE, ..request.clone() };
        let year_range = paging.validate()?;
        self.execute(request, year_range, Window { skip: 0, take: max.max(1), snippets: false })
    }

    /// The number of cases and every facet value with its count over the whole archive,
    /// labelled in `lang`.
    pub fn facets(&self, lang: Language) -> Result<(u64, Facets), SearchError> {
        let request = SearchRequest { per_page: 1, lang: Some(lang.code().to_string()), ..Default::default() };
        let response = self.search(&request)?;
        Ok((response.total, response.facets))
    }

    fn execute(
        &self,
        request: &SearchRequest,
        year_range: YearRange,
        window: Window,
    ) -> Result<SearchResponse, SearchError> {
        let started = Instant::now();
        let lang = request.label_language();
        let mut warnings = Vec::new();
        let filters = filters::resolve(request, year_range, &self.vocabulary.taxonomy, &mut warnings);

        let searcher = self.reader.searcher();
        let parsed = text::parse(&request.q, &self.synonyms);
        let planner =
            Planner { fields: &self.fields, analyzers: &self.analyzers, synonyms: &self.synonyms, searcher: &searcher };
        let plan = planner.plan(&parsed, request.match_mode);
        let units = plan.units.len();
        let tiered = units > 0;
        let ranked = plan.ranked;
        let (top_tier, min_match) = match (tiered, request.match_mode) {
            (false, _) => (0, 0),
            _ if ranked => (1, 1),
            (true, MatchMode::All) => (units, units),
            (true, MatchMode::Any) => (1, 1),
            (true, MatchMode::Last) if units > 3 => ((units * 3).div_ceil(4), 1),
            (true, MatchMode::Last) => (units, 1),
        };
        let unfiltered_browse = !tiered && plan.excluded.is_empty() && filters.is_empty();
        let unit_queries = || plan.units.iter().map(|unit| unit.query()).collect::<Vec<_>>();
        let query = |min_match: usize| {
            let base: Box<dyn Query> = match (tiered, ranked) {
                (false, _) => Box::new(AllQuery),
                (true, false) => Box::new(TieredQuery::new(unit_queries(), min_match)),
                (true, true) => {
                    Box::new(TieredQuery::bm25(plan.units.iter().flat_map(|u| u.weighted_clauses()).collect()))
                }
            };
            without_excluded(base, &plan)
        };
        let depth = window.skip + window.take;
        let collector = FacetedCollector {
            filters: filters.clone(),
            sort: request.sort,
            tiered,
            units,
            top_tier,
            depth,
            facets: Arc::clone(&self.facets),
        };
        let cached = if unfiltered_browse { self.cached_browse(request.sort, depth) } else { None };
        let collected = match cached {
            Some(collected) => collected,
            // "Every word first": when the top tier alone fills a page, the relaxation step is
            // that tier and the cases with fewer words are never needed, so the first pass
            // asks for the top tier only (an intersection, as cheap as an AND query); only a
            // query whose top tier is short of a page pays for the pass over every match.
            None if request.match_mode == MatchMode::Last && tiered && !ranked && top_tier > min_match => {
                let first = searcher.search(query(top_tier).as_ref(), &collector)?;
                if first.unfiltered_totals.get(top_tier).copied().unwrap_or(0) >= request.per_page as u64 {
                    Arc::new(first)
                } else {
                    Arc::new(searcher.search(query(min_match).as_ref(), &collector)?)
                }
            }
            None => {
                let collected = Arc::new(searcher.search(query(min_match).as_ref(), &collector)?);
                if unfiltered_browse && let Ok(mut cache) = self.browse_cache.lock() {
                    *cache = Some((request.sort, depth, Arc::clone(&collected)));
                }
                collected
            }
        };

        let final_tier = match (tiered, request.match_mode) {
            (false, _) => 0,
            _ if ranked => 1,
            (true, MatchMode::All) => units,
            (true, MatchMode::Any) => 1,
            (true, MatchMode::Last) => relaxation_step(&collected.unfiltered_totals, top_tier, request.per_page),
        };
        let total: u64 = collected.totals.iter().skip(final_tier).sum();
        // The unfiltered browse is one pass per generation: its counts are computed once too.
        let facets = if unfiltered_browse {
            facets::build(collected.counts_of_all(), &filters, &self.vocabulary.taxonomy, lang)
        } else {
            facets::build(&collected.counts(final_tier), &filters, &self.vocabulary.taxonomy, lang)
        };
        // A long text is one tier: the cases with every word are counted apart.
        let matched_all =
            if ranked { self.count_with_every_unit(&searcher, &plan, &filters)? } else { collected.matched_all };

        let shown: Vec<_> =
            collected.candidates.iter().filter(|c| c.tier >= final_tier).skip(window.skip).take(window.take).collect();
        let addresses: Vec<_> = shown.iter().map(|candidate| candidate.address).collect();
        let matched: Vec<usize> = if ranked {
            explain::matched_counts(&searcher, &unit_queries(), &addresses)?
        } else {
            shown.iter().map(|candidate| if tiered { matched_units(candidate.score) } else { 0 }).collect()
        };
        let mut explanations =
            if request.explain && tiered { explain::explain(&searcher, &plan, &addresses)? } else { Vec::new() }
                .into_iter();
        let mut hits = Vec::new();
        for (candidate, matched_words) in shown.into_iter().zip(matched) {
            let explain = explanations.next();
            let doc: TantivyDocument = searcher.doc(candidate.address)?;
            let Some(record) = self.stored_record(&doc)? else { continue };
            let snippet = if window.snippets {
                let body = doc.get_first(self.fields.body_text).and_then(|v| v.as_str()).unwrap_or("");
                snippet(body, record.language, &plan.highlight, &self.analyzers)
            } else {
                String::new()
            };
            let score = match (tiered, ranked) {
                (false, _) => 0.0,
                (true, false) => relevance(candidate.score),
                (true, true) => ranked_relevance(candidate.score),
            };
            hits.push(Hit {
                case: self.label(&record, lang),
                snippet,
                score: (score * 1000.0).round() / 1000.0,
                matched_words,
                explain,
            });
        }
        Ok(SearchResponse {
            total,
            took_ms: (started.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0,
            page: request.page,
            per_page: request.per_page,
            matched_all,
            relaxed: tiered && final_tier < units,
            min_matched_words: final_tier,
            query_words: units,
            ranking: match (tiered, ranked) {
                (false, _) => Ranking::None,
                (true, false) => Ranking::MatchedWords,
                (true, true) => Ranking::Bm25,
            },
            hits,
            facets,
            warnings,
            left_out: (request.explain && ranked).then(|| plan.left_out.clone()),
        })
    }

    /// The results (with the filters) that contain every unit of a plan, for `matched_all`
    /// of a long text: an intersection, so it costs little next to the ranked pass.
    fn count_with_every_unit(
        &self,
        searcher: &tantivy::Searcher,
        plan: &Plan,
        filters: &Filters,
    ) -> Result<u64, SearchError> {
        let every: Box<dyn Query> =
            Box::new(BooleanQuery::new(plan.units.iter().map(|unit| (Occur::Must, unit.query())).collect()));
        let collector = FacetedCollector {
            filters: filters.clone(),
            sort: Sort::Relevance,
            tiered: false,
            units: 0,
            top_tier: 0,
            depth: 0,
            facets: Arc::clone(&self.facets),
        };
        let collected = searcher.search(without_excluded(every, plan).as_ref(), &collector)?;
        Ok(collected.totals.iter().sum())
    }

    /// The cached unfiltered browse, if it was collected with this order and at least this
    /// depth.
    fn cached_browse(&self, sort: Sort, depth: usize) -> Option<Arc<Collected>> {
        let cache = self.browse_cache.lock().ok()?;
        match cache.as_ref() {
            Some((cached_sort, cached_depth, collected)) if *cached_sort == sort && *cached_depth >= depth => {
                Some(Arc::clone(collected))
            }
            _ => None,
        }
    }
}

/// `query` minus the cases matching an excluded word or phrase.
fn without_excluded(query: Box<dyn Query>, plan: &Plan) -> Box<dyn Query> {
    if plan.excluded.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    clauses.extend(plan.excluded.iter().map(|q| (Occur::MustNot, Box::new(Excluded(q.box_clone())) as Box<dyn Query>)));
    Box::new(BooleanQuery::new(clauses))
}

/// The "last" match mode's step: the highest tier from which, counting down from
/// `top_tier`, at least a page of cases match (ignoring filters, so that selecting a facet
/// value never changes the step); tier 1 if even all of them are fewer.
fn relaxation_step(unfiltered_totals: &[u64], top_tier: usize, per_page: usize) -> usize {
    let mut cumulative = 0;
    for tier in (1..=top_tier).rev() {
        cumulative += unfiltered_totals.get(tier).copied().unwrap_or(0);
        if cumulative >= per_page as u64 {
            return tier;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::relaxation_step;

    #[test]
    fn the_step_is_the_highest_tier_that_fills_a_page() {
        // Tiers 0..=3: 3 cases match all three words, 8 match two, 40 match one.
        let totals = [0, 40, 8, 3];
        assert_eq!(relaxation_step(&totals, 3, 2), 3, "enough cases match every word");
        assert_eq!(relaxation_step(&totals, 3, 10), 2, "3 + 8 fill a page of 10");
        assert_eq!(relaxation_step(&totals, 3, 20), 1, "one word is needed to reach 20");
        assert_eq!(relaxation_step(&totals, 3, 100), 1, "never below one word");
    }
}
