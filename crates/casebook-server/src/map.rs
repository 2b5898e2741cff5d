//! The map of Italy on the home and search pages: the 20 regions as an inline SVG, each
//! shaded by its number of cases and each a real link (so the map works without script),
//! with an accessible name that says the region and its count. Classes only, no inline
//! style (the content security policy forbids it). The outlines come from
//! `web/map/italy-regions.tsv` (the npm package `@svg-maps/italy`, CC BY 4.0; see its
//! header), matched to the taxonomy's region ids. A leaf: nothing of the server.

use std::fmt::Write;

use casebook_corpus::text::escape_html as escape;

/// The outlines: a `viewBox` line, then `id \t name \t path` per region.
const DATA: &str = include_str!("../../../web/map/italy-regions.tsv");

/// A region as the map shows it.
#[derive(Debug, Clone)]
pub struct RegionLink {
    /// Taxonomy id (`ITC4`, `ITH1-ITH2`).
    pub id: String,
    /// Name in the page's language.
    pub label: String,
    /// Cases for the current search.
    pub count: u64,
    /// The search with this region toggled.
    pub href: String,
    /// Whether the search selects it.
    pub selected: bool,
}

/// A country abroad, listed beside the map.
#[derive(Debug, Clone)]
pub struct CountryLink {
    /// Country name in the page's language.
    pub label: String,
    /// Cases for the current search.
    pub count: u64,
    /// The search with this country toggled.
    pub href: String,
    /// Whether the search selects it.
    pub selected: bool,
}

/// What the `_map.html` partial shows.
#[derive(Debug, Clone)]
pub struct MapView {
    /// The SVG (escaped, with links).
    pub svg: String,
    /// Countries abroad with cases.
    pub abroad: Vec<CountryLink>,
    /// Whether the map starts folded on phones (the search page).
    pub foldable: bool,
}

/// The viewBox and the outline of each region id.
pub fn outlines() -> (&'static str, Vec<(&'static str, &'static str)>) {
    let mut view_box = "0 0 610 793";
    let mut regions = Vec::with_capacity(20);
    for line in DATA.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut fields = line.split('\t');
        match (fields.next(), fields.next(), fields.next()) {
            (Some("viewBox"), Some(value), None) => view_box = value,
            (Some(id), Some(_name), Some(path)) => regions.push((id, path)),
            _ => {}
        }
    }
    (view_box, regions)
}

/// Shade class of a count: `shade-0` for none, then 1 to 5 by the share of the largest.
fn shade(count: u64, max: u64) -> u64 {
    if count == 0 || max == 0 { 0 } else { (count * 5).div_ceil(max).clamp(1, 5) }
}

/// The map as SVG. `title` names the whole map; `name_of` gives each region's accessible
/// name ("Lombardia: 12 cases"). Regions without an outline are left out.
pub fn svg(regions: &[RegionLink], title: &str, name_of: &dyn Fn(&RegionLink) -> String) -> String {
    let (view_box, outlines) = outlines();
    let max = regions.iter().map(|r| r.count).max().unwrap_or(0);
    let mut out = String::with_capacity(DATA.len() + regions.len() * 200);
    let _ = write!(
        out,
        r#"<svg class="italy-map" viewBox="{view_box}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    for (id, path) in outlines {
        let Some(region) = regions.iter().find(|r| r.id == id) else { continue };
        let name = escape(&name_of(region));
        let selected = if region.selected { " selected" } else { "" };
        let _ = write!(
            out,
            r#"<a class="region shade-{}{selected}" href="{}" aria-label="{name}" data-region="{}"{}><title>{name}</title><path d="{path}"/></a>"#,
            shade(region.count, max),
            escape(&region.href),
            escape(&region.id),
            if region.selected { r#" aria-current="true""# } else { "" },
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_italian_region_of_the_taxonomy_has_an_outline() {
        let (view_box, outlines) = outlines();
        assert_eq!(view_box, "0 0 610 793");
        let taxonomy = casebook_corpus::builtin::taxonomy();
        let mut ids: Vec<&str> = outlines.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        let mut expected: Vec<&str> = taxonomy.regions().iter().map(|r| r.id.as_str()).collect();
        expected.sort_unstable();
        assert_eq!(ids, expected);
        assert!(outlines.iter().all(|(_, path)| path.starts_with("m ") && path.len() > 500));
    }

    #[test]
    fn regions_are_escaped_links_shaded_by_count() {
        let region = |id: &str, count| RegionLink {
            id: id.into(),
            label: "<b>".into(),
            count,
            href: format!("/search?region={id}&a=1"),
            selected: count == 0,
        };
        let svg = svg(&[region("ITC4", 10), region("ITI4", 3), region("ITG1", 0)], "Map", &|r| {
            format!("{}: {}", r.label, r.count)
        });
        assert_eq!(svg.matches("<a ").count(), 3);
        assert!(
            svg.contains(r#"class="region shade-5" href="/search?region=ITC4&amp;a=1" aria-label="&lt;b&gt;: 10""#)
        );
        assert!(svg.contains(r#"class="region shade-2" href="/search?region=ITI4&amp;a=1""#));
        assert!(svg.contains(r#"class="region shade-0 selected""#));
        assert!(!svg.contains("style"));
    }
}
