//! Public showcase pages: `/showcases` (published ones) and `/showcases/{slug}` (cards with
//! notes, a print stylesheet) with its exports `.csv`, `.md` and `.json`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::feeds::csv_field;
use super::{Layout, PageContext};
use crate::api::blocking;
use crate::error::PageError;
use crate::html::render_body;
use crate::showcase_api::{ShowcaseView, view};
use crate::state::AppState;

/// A card of the public page.
pub struct Card {
    pub item: crate::showcase_api::ItemView,
    /// Note rendered and sanitised.
    pub note_html: String,
}

#[derive(Template)]
#[template(path = "showcases.html")]
struct ListTemplate {
    layout: Layout,
    showcases: Vec<ShowcaseView>,
}

#[derive(Template)]
#[template(path = "showcase.html")]
struct ShowcaseTemplate {
    layout: Layout,
    showcase: ShowcaseView,
    description_html: String,
    cards: Vec<Card>,
    editable: bool,
}

/// `GET /showcases`.
pub async fn showcases_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, PageError> {
    let context = PageContext::with_session(&headers, &uri, &state);
    let archive = state.archive();
    let lang = context.lang.code();
    let store = Arc::clone(&state.store);
    let showcases = blocking(move || Ok(store.published()?)).await.map_err(|e| context.error(e))?;
    let showcases = showcases.into_iter().map(|s| view(s, &archive, lang)).collect();
    let t = context.lang.strings();
    let layout = context.layout(
        format!("{} · {}", t.showcases_heading, t.site_name),
        t.showcases_intro.to_string(),
        "showcases",
    );
    Ok(context.render(&ListTemplate { layout, showcases }, StatusCode::OK))
}

/// `GET /showcases/{slug}` and its exports `{slug}.csv`, `.md`, `.json`.
pub async fn showcase_page(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, Response> {
    let context = PageContext::with_session(&headers, &uri, &state);
    let (slug, format) = match name.rsplit_once('.') {
        Some((slug, ext @ ("csv" | "md" | "json"))) => (slug.to_string(), Some(ext)),
        _ => (name.clone(), None),
    };
    let viewer = context.session.as_ref().map(|s| s.user.clone());
    let store = Arc::clone(&state.store);
    let lookup = slug.clone();
    // Exports are read by programs: their errors are JSON, the page's are a page.
    let showcase = blocking(move || Ok(store.showcase(&lookup, viewer.as_ref())?))
        .await
        .map_err(|e| if format.is_some() { e.into_response() } else { context.error(e).into_response() })?;
    let editable = context
        .session
        .as_ref()
        .is_some_and(|s| s.user.name == showcase.owner || s.user.role == casebook_store::Role::Admin);
    let archive = state.archive();
    let showcase = view(showcase, &archive, context.lang.code());
    let base = state.public_url.clone();
    match format {
        Some("json") => {
            Ok(export(serde_json::to_string_pretty(&showcase).unwrap_or_default(), "application/json", &slug, "json"))
        }
        Some("csv") => Ok(export(csv(&showcase, &base), "text/csv; charset=utf-8", &slug, "csv")),
        Some(_) => Ok(export(markdown(&showcase, &base), "text/markdown; charset=utf-8", &slug, "md")),
        None => {
            let cards = showcase
                .items
                .iter()
                .map(|item| Card { item: item.clone(), note_html: render_body(&item.note) })
                .collect();
            let layout = context.layout(
                format!("{} · {}", showcase.title, context.lang.strings().site_name),
                showcase.description.clone(),
                "showcases",
            );
            let template = ShowcaseTemplate {
                layout,
                description_html: render_body(&showcase.description),
                cards,
                editable,
                showcase,
            };
            Ok(context.render(&template, StatusCode::OK))
        }
    }
}

fn export(body: String, content_type: &'static str, slug: &str, ext: &str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{slug}.{ext}\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn csv(showcase: &ShowcaseView, base: &str) -> String {
    let mut out = String::from("position,case_id,title,organisation,year,sectors,region,in_archive,note,url\n");
    for item in &showcase.items {
        let row = [
            item.position.to_string(),
            item.case_id.clone(),
            item.title.clone(),
            item.organisation.clone().unwrap_or_default(),
            item.year.map(|y| y.to_string()).unwrap_or_default(),
            item.sectors.join("; "),
            item.region.clone().unwrap_or_default(),
            item.in_archive.to_string(),
            item.note.clone(),
            format!("{base}/cases/{}", item.case_id),
        ];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

fn markdown(showcase: &ShowcaseView, base: &str) -> String {
    let mut out = format!("# {}\n\n", showcase.title);
    let facts: Vec<&str> = [showcase.event.as_deref(), showcase.date.as_deref()].into_iter().flatten().collect();
    if !facts.is_empty() {
        out.push_str(&format!("*{}*\n\n", facts.join(" · ")));
    }
    if !showcase.description.trim().is_empty() {
        out.push_str(showcase.description.trim());
        out.push_str("\n\n");
    }
    for item in &showcase.items {
        match (&item.organisation, item.year) {
            (Some(organisation), Some(year)) => out.push_str(&format!(
                "{}. [{}]({base}/cases/{}) — {organisation}, {year}\n",
                item.position, item.title, item.case_id
            )),
            _ => out.push_str(&format!("{}. {} (no longer in the archive)\n", item.position, item.title)),
        }
        for line in item.note.trim().lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("   > {line}\n"));
        }
    }
    out
}
