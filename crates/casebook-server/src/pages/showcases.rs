//! Public showcase pages: `/showcases` (published ones) and `/showcases/{slug}` (cards with
//! notes, a print stylesheet) with its exports `.csv`, `.md` and `.json`.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::PageContext;
use super::feeds::csv_field;
use crate::error::PageError;
use crate::html::render_body;
use crate::layout::Layout;
use crate::state::{AppState, blocking};
use crate::views::{ItemView, ShowcaseView, showcase_view};

/// A card of the public page.
pub struct Card {
    pub item: ItemView,
    /// Note rendered and sanitised.
    pub note_html: String,
    /// Sector labels of the case, joined.
    pub sectors: String,
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
pub async fn showcases_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let lang = context.lang.language();
    let worker = Arc::clone(&state);
    let showcases = blocking(move || {
        let published = worker.store.published()?;
        published.into_iter().map(|s| showcase_view(&worker, s, lang)).collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| context.error(e))?;
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
    context: PageContext,
) -> Result<Response, PageError> {
    let (slug, format) = match name.rsplit_once('.') {
        Some((slug, ext @ ("csv" | "md" | "json"))) => (slug.to_string(), Some(ext)),
        _ => (name.clone(), None),
    };
    let viewer = context.session.as_ref().map(|s| s.user.clone());
    let worker = Arc::clone(&state);
    let lookup = slug.clone();
    let lang = context.lang.language();
    // Exports are read by programs: their errors are JSON (the context knows by the path).
    let (showcase, owner) = blocking(move || {
        let showcase = worker.store.showcase(&lookup, viewer.as_ref())?;
        let owner = showcase.owner.clone();
        Ok((showcase_view(&worker, showcase, lang)?, owner))
    })
    .await
    .map_err(|e| context.error(e))?;
    let editable =
        context.session.as_ref().is_some_and(|s| s.user.name == owner || s.user.role == casebook_store::Role::Admin);
    let base = state.public_url.clone();
    match format {
        Some("json") => {
            Ok(export(serde_json::to_string_pretty(&showcase).unwrap_or_default(), "application/json", &slug, "json"))
        }
        Some("csv") => Ok(export(csv(&showcase, &base), "text/csv; charset=utf-8", &slug, "csv")),
        Some(_) => Ok(export(markdown(&showcase, &base), "text/markdown; charset=utf-8", &slug, "md")),
        None => {
            if showcase.status == "published" {
                state.insights.view(casebook_store::ViewKind::Showcase, &showcase.slug);
            }
            let cards = showcase
                .items
                .iter()
                .map(|item| Card {
                    sectors: item.case.as_ref().map(|c| sector_labels(c, ", ")).unwrap_or_default(),
                    note_html: render_body(&item.note),
                    item: item.clone(),
                })
                .collect();
            let layout = context
                .layout(
                    format!("{} · {}", showcase.title, context.lang.strings().site_name),
                    showcase.description.clone(),
                    "showcases",
                )
                .with_json_ld("website", &showcase_json_ld(&showcase, &base));
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
            item.title().to_string(),
            item.case.as_ref().map(|c| c.organisation.clone()).unwrap_or_default(),
            item.case.as_ref().map(|c| c.year.to_string()).unwrap_or_default(),
            item.case.as_ref().map(|c| sector_labels(c, "; ")).unwrap_or_default(),
            item.case.as_ref().map(|c| c.region.label.clone()).unwrap_or_default(),
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
        match &item.case {
            Some(case) => out.push_str(&format!(
                "{}. [{}]({base}/cases/{}) — {}, {}\n",
                item.position, case.title, item.case_id, case.organisation, case.year
            )),
            None => out.push_str(&format!("{}. {} (no longer in the archive)\n", item.position, item.title())),
        }
        for line in item.note.trim().lines().filter(|l| !l.trim().is_empty()) {
            out.push_str(&format!("   > {line}\n"));
        }
    }
    out
}

/// The schema.org description of a showcase: a `CollectionPage` whose main entity is the
/// ordered list of its cases.
fn showcase_json_ld(showcase: &ShowcaseView, base: &str) -> serde_json::Value {
    let url = format!("{base}/showcases/{}", showcase.slug);
    let items: Vec<serde_json::Value> = showcase
        .items
        .iter()
        .map(|item| {
            serde_json::json!({
                "@type": "ListItem",
                "position": item.position,
                "name": item.title(),
                "url": format!("{base}/cases/{}", item.case_id),
            })
        })
        .collect();
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "@id": url,
        "url": url,
        "name": showcase.title,
        "description": showcase.description,
        "mainEntity": {"@type": "ItemList", "numberOfItems": items.len(), "itemListElement": items},
    })
}

/// The sector labels of a case, joined.
pub fn sector_labels(case: &casebook_index::LabelledCase, separator: &str) -> String {
    case.sectors.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(separator)
}
