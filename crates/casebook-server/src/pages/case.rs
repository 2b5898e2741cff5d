//! `/cases/{id}`: one case, its facts and figures, its sanitised body, its organisation's
//! other cases, related and similar cases, and its schema.org description (JSON-LD).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use casebook_index::{LabelledCase, RelatedCase, SearchRequest};

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
    /// The organisation's page.
    org_href: String,
    /// Related cases, both ways.
    related: Vec<RelatedCase>,
    /// Other cases of the organisation (up to 5).
    more_from_org: Vec<HitView>,
    /// Whether the organisation has more cases than listed.
    more_from_org_all: bool,
}

/// Other cases of an organisation listed on a case page.
const MORE_FROM_ORGANISATION: usize = 5;

/// `GET /cases/{id}`.
pub async fn case_page(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let lang = context.lang.language();
    let worker = Arc::clone(&state);
    let session = context.session.clone();
    let (detail, similar, add_to, mut others) = blocking(move || {
        let archive = worker.archive();
        let Some(stored) = archive.case(&id)? else {
            return Err(AppError::not_found(format!("no case `{id}` in the archive")));
        };
        let similar = archive.similar(&id, 5, lang)?.unwrap_or_default();
        let add_to = own_showcases(&worker, session.as_ref())?;
        let others = archive
            .organisation(&stored.record.organisation_slug(), lang)?
            .map(|organisation| organisation.cases)
            .unwrap_or_default();
        Ok((case_detail(&stored, &archive, lang)?, similar, add_to, others))
    })
    .await
    .map_err(|e| context.error(e))?;
    state.insights.view(casebook_store::ViewKind::Case, &detail.case.id);
    others.retain(|hit| hit.case.id != detail.case.id);
    others.reverse();
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
    let json_ld = case_json_ld(&case, &format!("{}/cases/{}", state.public_url, case.id), &state.public_url);
    let template = CaseTemplate {
        layout: context
            .layout(format!("{} · {}", case.title, t.site_name), case.summary.clone(), "case")
            .with_json_ld("article", &json_ld),
        org_href: format!("/organisations/{}", case.organisation_slug),
        related: detail.related,
        more_from_org_all: others.len() > MORE_FROM_ORGANISATION,
        more_from_org: hit_views(&others[..others.len().min(MORE_FROM_ORGANISATION)], t),
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

/// The schema.org description of a case: an `Article` about its organisation, with its
/// award, award year and language.
fn case_json_ld(case: &LabelledCase, url: &str, base: &str) -> serde_json::Value {
    let mut award = case.award.clone();
    if let Some(outcome) = &case.outcome {
        award = format!("{award} {} ({outcome})", case.year);
    }
    let mut value = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": url,
        "url": url,
        "name": case.title,
        "headline": case.title,
        "description": case.summary,
        "inLanguage": case.language,
        "dateCreated": case.year.to_string(),
        "award": award,
        "keywords": case.tags.join(", "),
        "about": {
            "@type": "Organization",
            "name": case.organisation,
            "url": format!("{base}/organisations/{}", case.organisation_slug),
            "address": {
                "@type": "PostalAddress",
                "addressRegion": case.region.label,
                "addressCountry": case.region.country,
                "addressLocality": case.city,
            },
        },
        "isPartOf": {"@type": "WebSite", "name": "Casebook", "url": base},
    });
    if case.city.is_none()
        && let Some(address) = value.pointer_mut("/about/address").and_then(serde_json::Value::as_object_mut)
    {
        address.remove("addressLocality");
    }
    value
}
