//! `/search`: results, facets in a sidebar, active filters, sorting, paging. The whole state
//! is in the URL. With `partial=1` only the results region is returned, for `app.js`.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use casebook_index::{FacetValue, Hit, Ranking, SearchRequest, SearchResponse, Sort};

use super::organiser::own_showcases;
use super::{PageContext, search_href};
use crate::answers;
use crate::error::PageError;
use crate::html::{Bar, bar_chart};
use crate::i18n::Strings;
use crate::layout::Layout;
use crate::params;
use crate::state::{AppState, blocking};

/// A result as the templates show it.
pub struct HitView {
    pub id: String,
    pub href: String,
    pub title: String,
    pub organisation: String,
    pub year: u16,
    pub outcome: &'static str,
    pub sectors: String,
    pub place: String,
    /// Escaped text with `<mark>` tags (from the search core).
    pub snippet: String,
}

/// Views of hits.
pub fn hit_views(hits: &[Hit], t: &Strings) -> Vec<HitView> {
    hits.iter()
        .map(|hit| HitView {
            id: hit.case.id.clone(),
            href: format!("/cases/{}", hit.case.id),
            title: hit.case.title.clone(),
            organisation: hit.case.organisation.clone(),
            year: hit.case.year,
            outcome: hit.case.outcome.as_deref().map_or("", |o| t.outcome(o)),
            sectors: hit.case.sectors.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", "),
            place: match &hit.case.city {
                Some(city) if !city.is_empty() => format!("{city}, {}", hit.case.region.label),
                _ => hit.case.region.label.clone(),
            },
            snippet: hit.snippet.clone(),
        })
        .collect()
}

/// A checkbox of a facet.
pub struct FacetOption {
    pub id: String,
    pub name: &'static str,
    pub value: String,
    pub label: String,
    pub count: u64,
    pub checked: bool,
}

/// A country with its regions.
pub struct CountryOption {
    pub option: FacetOption,
    pub open: bool,
    pub children: Vec<FacetOption>,
}

/// A `<option>` of the year selects.
pub struct YearOption {
    pub year: String,
    pub from_selected: bool,
    pub to_selected: bool,
}

/// A removable active filter.
pub struct Chip {
    pub label: String,
    pub href: String,
}

/// A `<option>` of the sort select.
pub struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A page link.
pub struct PageLink {
    pub number: usize,
    pub href: String,
    pub current: bool,
}

/// Everything the search templates show.
pub struct SearchView {
    pub t: &'static Strings,
    pub q: String,
    pub total_text: String,
    pub total: u64,
    pub relaxed: bool,
    /// A long text, ranked by its most distinctive words.
    pub long_text: bool,
    pub hits: Vec<HitView>,
    pub sectors: Vec<FacetOption>,
    pub countries: Vec<CountryOption>,
    pub awards: Vec<FacetOption>,
    pub languages: Vec<FacetOption>,
    pub years: Vec<YearOption>,
    pub histogram: String,
    pub chips: Vec<Chip>,
    pub clear_href: String,
    pub sorts: Vec<SortOption>,
    pub pages: Vec<PageLink>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub csv_href: String,
    pub atom_href: String,
    pub per_page: Option<usize>,
    pub warnings: Vec<String>,
    /// The organiser's showcases (slug, title) for "add to showcase"; empty when logged out.
    pub add_to: Vec<(String, String)>,
    /// CSRF token of the session.
    pub csrf: String,
    /// This page, to come back to after adding a case.
    pub back: String,
    /// The map of Italy for this search (not in exports).
    pub map: Option<crate::map::MapView>,
    /// Organisations offered as a filter: the selected ones and the most frequent.
    pub organisations: Vec<FacetOption>,
}

/// Organisations offered in the filters besides the selected ones.
const ORGANISATION_OPTIONS: usize = 8;

fn options(name: &'static str, values: &[FacetValue]) -> Vec<FacetOption> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| FacetOption {
            id: format!("f-{name}-{i}"),
            name,
            value: v.value.clone(),
            label: v.label.clone(),
            count: v.count,
            checked: v.selected,
        })
        .collect()
}

/// The organisation options: every selected one, then the most frequent with two cases or
/// more (an organisation with one case is found by its name).
fn organisation_options(values: &[FacetValue]) -> Vec<FacetOption> {
    let shown: Vec<FacetValue> = values
        .iter()
        .filter(|v| v.selected)
        .chain(values.iter().filter(|v| !v.selected && v.count >= 2).take(ORGANISATION_OPTIONS))
        .cloned()
        .collect();
    options("organisation", &shown)
}

fn without(request: &SearchRequest, edit: impl FnOnce(&mut SearchRequest)) -> String {
    let mut changed = request.clone();
    changed.page = 1;
    edit(&mut changed);
    search_href(&changed)
}

fn label_of(values: &[FacetValue], value: &str) -> String {
    values.iter().find(|v| v.value == value).map_or_else(|| value.to_string(), |v| v.label.clone())
}

/// Builds the view of a search.
pub fn search_view(request: &SearchRequest, response: &SearchResponse, t: &'static Strings) -> SearchView {
    let facets = &response.facets;
    let mut chips = Vec::new();
    for value in &request.sector {
        let canonical = facets.sector.iter().find(|v| v.selected && (v.value == *value || v.label == *value));
        let label = canonical.map_or_else(|| value.clone(), |v| v.label.clone());
        chips.push(Chip { label, href: without(request, |r| r.sector.retain(|s| s != value)) });
    }
    for value in &request.region {
        let mut label = value.clone();
        for country in &facets.region {
            if country.value == *value {
                label = country.label.clone();
            }
            for region in country.children.iter().flatten() {
                if region.value == *value {
                    label = region.label.clone();
                }
            }
        }
        chips.push(Chip { label, href: without(request, |r| r.region.retain(|s| s != value)) });
    }
    if let Some(year) = request.year {
        chips.push(Chip { label: year.to_string(), href: without(request, |r| r.year = None) });
    }
    if request.year_from.is_some() || request.year_to.is_some() {
        let label = format!(
            "{}–{}",
            request.year_from.map_or_else(String::new, |y| y.to_string()),
            request.year_to.map_or_else(String::new, |y| y.to_string())
        );
        chips.push(Chip {
            label,
            href: without(request, |r| {
                r.year_from = None;
                r.year_to = None;
            }),
        });
    }
    for value in &request.award {
        chips.push(Chip {
            label: label_of(&facets.award, &casebook_corpus::text::slugify(value)),
            href: without(request, |r| r.award.retain(|s| s != value)),
        });
    }
    for value in &request.organisation {
        let slugs = casebook_corpus::organisation_filter_slugs(value);
        let label = facets
            .organisation
            .iter()
            .find(|v| v.selected && slugs.contains(&v.value))
            .map_or_else(|| value.clone(), |v| v.label.clone());
        chips.push(Chip { label, href: without(request, |r| r.organisation.retain(|s| s != value)) });
    }
    for value in &request.language {
        chips.push(Chip {
            label: label_of(&facets.language, value),
            href: without(request, |r| r.language.retain(|s| s != value)),
        });
    }
    let clear_href = search_href(&SearchRequest { q: request.q.clone(), sort: request.sort, ..Default::default() });

    let countries = facets
        .region
        .iter()
        .enumerate()
        .map(|(i, country)| {
            let children = options("region", country.children.as_deref().unwrap_or_default())
                .into_iter()
                .map(|mut o| {
                    o.id = format!("f-region-{i}-{}", o.id.rsplit('-').next().unwrap_or_default());
                    o
                })
                .collect::<Vec<_>>();
            CountryOption {
                open: country.selected || children.iter().any(|c| c.checked) || facets.region.len() == 1,
                option: FacetOption {
                    id: format!("f-country-{i}"),
                    name: "region",
                    value: country.value.clone(),
                    label: country.label.clone(),
                    count: country.count,
                    checked: country.selected,
                },
                children,
            }
        })
        .collect();

    let (from, to) = match request.year {
        Some(year) => (Some(year), Some(year)),
        None => (request.year_from, request.year_to),
    };
    let mut years: Vec<&FacetValue> = facets.year.iter().collect();
    years.sort_by(|a, b| a.value.cmp(&b.value));
    let histogram = bar_chart(
        &years
            .iter()
            .map(|v| Bar {
                label: v.value.clone(),
                value: v.count,
                href: v.value.parse().ok().map(|y| {
                    without(request, |r| {
                        r.year = Some(y);
                        r.year_from = None;
                        r.year_to = None;
                    })
                }),
                selected: v.selected,
            })
            .collect::<Vec<_>>(),
        t.chart_title,
        90,
        false,
    );
    let years = years
        .iter()
        .map(|v| YearOption {
            from_selected: from.is_some_and(|y| y.to_string() == v.value),
            to_selected: to.is_some_and(|y| y.to_string() == v.value),
            year: v.value.clone(),
        })
        .collect();

    let sorts = [
        (Sort::Relevance, "relevance", t.sort_relevance),
        (Sort::YearDesc, "year_desc", t.sort_year_desc),
        (Sort::YearAsc, "year_asc", t.sort_year_asc),
        (Sort::Title, "title", t.sort_title),
    ]
    .into_iter()
    .map(|(sort, value, label)| SortOption { value, label, selected: request.sort == sort })
    .collect();

    let last_page = (response.total as usize)
        .div_ceil(request.per_page)
        .clamp(1, casebook_index::request::MAX_DEPTH / request.per_page);
    let page_href = |page: usize| {
        let mut changed = request.clone();
        changed.page = page;
        search_href(&changed)
    };
    let window_start = request.page.saturating_sub(3).max(1);
    let window_end = (window_start + 6).min(last_page);
    let pages = if last_page > 1 {
        (window_start..=window_end)
            .map(|n| PageLink { number: n, href: page_href(n), current: n == request.page })
            .collect()
    } else {
        Vec::new()
    };
    let export_query =
        params::to_query(&SearchRequest { page: 1, per_page: SearchRequest::default().per_page, ..request.clone() });
    let suffix = if export_query.is_empty() { String::new() } else { format!("?{export_query}") };
    SearchView {
        t,
        // A pasted paragraph on one line: a browser would drop its line breaks, joining words.
        q: request.q.split_whitespace().collect::<Vec<_>>().join(" "),
        total_text: t.count_results(response.total),
        total: response.total,
        relaxed: response.relaxed && response.total > 0 && response.ranking != Ranking::Bm25,
        long_text: response.ranking == Ranking::Bm25 && response.total > 0,
        hits: hit_views(&response.hits, t),
        sectors: options("sector", &facets.sector),
        countries,
        awards: options("award", &facets.award),
        languages: options("language", &facets.language),
        years,
        histogram,
        chips,
        clear_href,
        sorts,
        prev_href: (request.page > 1).then(|| page_href(request.page - 1)),
        next_href: (request.page < last_page).then(|| page_href(request.page + 1)),
        pages,
        csv_href: format!("/search.csv{suffix}"),
        atom_href: format!("/search.atom{suffix}"),
        per_page: (request.per_page != SearchRequest::default().per_page).then_some(request.per_page),
        warnings: response.warnings.clone(),
        add_to: Vec::new(),
        csrf: String::new(),
        back: search_href(request),
        map: None,
        organisations: organisation_options(&facets.organisation),
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchTemplate {
    layout: Layout,
    v: SearchView,
}

#[derive(Template)]
#[template(path = "_results.html")]
struct ResultsTemplate {
    v: SearchView,
}

/// `GET /search`.
pub async fn search_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let mut request = params::parse_search(&context.pairs).map_err(|e| context.error(e.into()))?;
    request.lang = Some(context.lang.code().to_string());
    let (response, _) = answers::search(&state, &request).await.map_err(|e| context.error(e))?;
    let add_to = match context.session.clone() {
        None => Vec::new(),
        Some(session) => {
            let worker = Arc::clone(&state);
            blocking(move || own_showcases(&worker, Some(&session))).await.map_err(|e| context.error(e))?
        }
    };
    let t = context.lang.strings();
    let mut view = search_view(&request, &response, t);
    view.add_to = add_to;
    view.map = Some(super::regions::map_view(&request, &response, state.archive().taxonomy(), context.lang, true));
    if params::first(&context.pairs, "typing").is_none() {
        state.insights.search(&request, &response);
    }
    view.csrf = context.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default();
    if params::first(&context.pairs, "partial") == Some("1") {
        return Ok(context.render(&ResultsTemplate { v: view }, StatusCode::OK));
    }
    let title = if request.q.is_empty() {
        format!("{} · {}", t.nav_search, t.site_name)
    } else {
        format!("{} · {} · {}", request.q, t.nav_search, t.site_name)
    };
    let layout = context.layout(title, view.total_text.clone(), "search");
    Ok(context.render(&SearchTemplate { layout, v: view }, StatusCode::OK))
}
