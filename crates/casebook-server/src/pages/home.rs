//! `/`: search box, the map of Italy, sector tiles, cases per year, the most recent cases.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use casebook_index::{SearchRequest, Sort};

use super::search::{HitView, hit_views};
use super::{PageContext, search_href};
use crate::answers;
use crate::error::PageError;
use crate::html::{Bar, bar_chart};
use crate::layout::Layout;
use crate::state::AppState;

/// A sector tile.
pub struct Tile {
    pub label: String,
    pub count: u64,
    pub href: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    layout: Layout,
    total_text: String,
    tiles: Vec<Tile>,
    chart: String,
    recent: Vec<HitView>,
    map: Option<crate::map::MapView>,
}

/// `GET /`.
pub async fn home(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let lang = context.lang.code().to_string();
    let taxonomy = state.archive();
    let request = SearchRequest { sort: Sort::YearDesc, per_page: 6, lang: Some(lang), ..Default::default() };
    let (recent, _) = answers::search(&state, &request).await.map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let tiles = recent
        .facets
        .sector
        .iter()
        .map(|v| Tile {
            label: v.label.clone(),
            count: v.count,
            href: search_href(&SearchRequest { sector: vec![v.value.clone()], ..Default::default() }),
        })
        .collect();
    let mut years: Vec<_> = recent.facets.year.iter().collect();
    years.sort_by(|a, b| a.value.cmp(&b.value));
    let bars: Vec<Bar> = years
        .iter()
        .map(|v| Bar {
            label: v.value.clone(),
            value: v.count,
            href: v.value.parse().ok().map(|y| search_href(&SearchRequest { year: Some(y), ..Default::default() })),
            selected: false,
        })
        .collect();
    let map = super::regions::map_view(&SearchRequest::default(), &recent, taxonomy.taxonomy(), context.lang, false);
    let template = HomeTemplate {
        map: Some(map),
        total_text: t.count_cases(recent.total),
        chart: bar_chart(&bars, t.chart_title, 160, true),
        recent: hit_views(&recent.hits, t),
        tiles,
        layout: context.layout(t.site_name.to_string(), t.tagline.to_string(), "home"),
    };
    Ok(context.render(&template, StatusCode::OK))
}
