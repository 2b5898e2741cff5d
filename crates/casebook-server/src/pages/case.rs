//! `/cases/{id}`: one case, its facts, its sanitised body and similar cases.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use casebook_index::{LabelledCase, SearchRequest};

use super::organiser::own_showcases;
use super::search::{HitView, hit_views};
use super::{PageContext, search_href};
use crate::error::{AppError, PageError};
use crate::layout::Layout;
use crate::state::{AppState, blocking};
use crate::views::case_detail;

/// A labelled link.
pub struct Link {
    pub label: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CaseTemplate {
    layout: Layout,
    case: LabelledCase,
    /// The body, sanitised.
    body_html: String,
    outcome: &'static str,
    sector_links: Vec<Link>,
    region_link: Link,
    tag_links: Vec<Link>,
    similar: Vec<HitView>,
    add_to: Vec<(String, String)>,
}

/// `GET /cases/{id}`.
pub async fn case_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let lang = context.lang.language();
    let worker = Arc::clone(&state);
    let session = context.session.clone();
    let (detail, similar, add_to) = blocking(move || {
        let archive = worker.archive();
        let Some(stored) = archive.case(&id)? else {
            return Err(AppError::not_found(format!("no case `{id}` in the archive")));
        };
        let similar = archive.similar(&id, 5, lang)?.unwrap_or_default();
        let add_to = own_showcases(&worker, session.as_ref())?;
        Ok((case_detail(&stored, &archive, lang), similar, add_to))
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let case = detail.case;
    let sector_links = case
        .sectors
        .iter()
        .map(|s| Link {
            label: s.label.clone(),
            href: search_href(&SearchRequest { sector: vec![s.id.clone()], ..Default::default() }),
        })
        .collect();
    let region_link = Link {
        label: case.region.label.clone(),
        href: search_href(&SearchRequest { region: vec![case.region.value.clone()], ..Default::default() }),
    };
    let tag_links = case
        .tags
        .iter()
        .map(|tag| Link {
            label: tag.clone(),
            href: search_href(&SearchRequest { q: format!("\"{tag}\""), ..Default::default() }),
        })
        .collect();
    let template = CaseTemplate {
        layout: context.layout(format!("{} · {}", case.title, t.site_name), case.summary.clone(), "case"),
        outcome: case.outcome.as_deref().map_or("", |o| t.outcome(o)),
        sector_links,
        region_link,
        tag_links,
        similar: hit_views(&similar, t),
        add_to,
        body_html: detail.body_html,
        case,
    };
    Ok(context.render(&template, StatusCode::OK))
}
