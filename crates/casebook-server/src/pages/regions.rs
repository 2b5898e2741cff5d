//! The map of a search, for the home and search pages: each of the 20 Italian regions with
//! its count from the response's region facet (0 when the facet does not list it) and a link
//! that toggles it in the search's filters; the countries abroad listed beside it the same
//! way. Drawn by `crate::map`, shown by the `_map.html` partial.

use casebook_corpus::{ITALY, Labelled, Taxonomy};
use casebook_index::{SearchRequest, SearchResponse};

use super::search_href;
use crate::i18n::Lang;
use crate::map::{CountryLink, MapView, RegionLink, svg};

/// The search with `value` added to its region filter, or removed when it is there; back
/// to page 1.
fn toggled(request: &SearchRequest, value: &str) -> String {
    let mut changed = request.clone();
    changed.page = 1;
    changed.lang = None;
    if changed.region.iter().any(|r| r == value) {
        changed.region.retain(|r| r != value);
    } else {
        changed.region.push(value.to_string());
    }
    search_href(&changed)
}

/// The map of `response`, the answer to `request`, labelled in `lang`.
pub fn map_view(
    request: &SearchRequest,
    response: &SearchResponse,
    taxonomy: &Taxonomy,
    lang: Lang,
    foldable: bool,
) -> MapView {
    let t = lang.strings();
    let italy = response.facets.region.iter().find(|c| c.value == ITALY);
    let regions: Vec<RegionLink> = taxonomy
        .regions()
        .iter()
        .map(|region| {
            let facet = italy.and_then(|c| c.children.iter().flatten().find(|r| r.value == region.id));
            RegionLink {
                id: region.id.clone(),
                label: region.label(lang.language()).to_string(),
                count: facet.map_or(0, |f| f.count),
                href: toggled(request, &region.id),
                selected: facet.is_some_and(|f| f.selected),
            }
        })
        .collect();
    let abroad = response
        .facets
        .region
        .iter()
        .filter(|country| country.value != ITALY && (country.count > 0 || country.selected))
        .map(|country| CountryLink {
            label: country.label.clone(),
            count: country.count,
            href: toggled(request, &country.value),
            selected: country.selected,
        })
        .collect();
    let name_of = |region: &RegionLink| format!("{}: {}", region.label, t.count_cases(region.count));
    MapView { svg: svg(&regions, t.map_title, &name_of), abroad, foldable }
}
