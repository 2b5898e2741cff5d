//! `/organisations` (every organisation with its number of cases, and a search by name) and
//! `/organisations/{slug}` (one organisation's cases across awards and years: a timeline,
//! its sectors, regions and outcomes, and its schema.org description).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use casebook_index::{Hit, Organisation, OrganisationSummary, SearchRequest};

use super::{PageContext, search_href};
use crate::error::{AppError, PageError};
use crate::i18n::Strings;
use crate::layout::Layout;
use crate::params;
use crate::state::{AppState, blocking};

/// Organisations listed on one page (a search by name finds the others).
const LISTED: usize = 300;

#[derive(Template)]
#[template(path = "organisations.html")]
struct ListTemplate {
    layout: Layout,
    q: String,
    total_text: String,
    organisations: Vec<OrganisationSummary>,
    capped: bool,
}

/// `GET /organisations`.
pub async fn organisations_page(
    State(state): State<Arc<AppState>>,
    context: PageContext,
) -> Result<Response, PageError> {
    let q: String = params::first(&context.pairs, "q").unwrap_or_default().chars().take(200).collect();
    let archive = state.archive();
    let wanted = q.clone();
    let mut organisations =
        blocking(move || Ok(archive.organisations(&wanted)?)).await.map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let total_text = format!("{} {}", organisations.len(), t.nav_organisations.to_lowercase());
    let capped = organisations.len() > LISTED;
    organisations.truncate(LISTED);
    let layout = context.layout(
        format!("{} · {}", t.nav_organisations, t.site_name),
        t.organisations_intro.to_string(),
        "organisations",
    );
    Ok(context.render(&ListTemplate { layout, q, total_text, organisations, capped }, StatusCode::OK))
}

/// A case on the timeline.
pub struct TimelineCase {
    pub href: String,
    pub title: String,
    pub award: String,
    pub outcome: &'static str,
    pub sectors: String,
    pub place: String,
    pub event: String,
}

/// The cases of one award year.
pub struct TimelineYear {
    pub year: u16,
    pub cases: Vec<TimelineCase>,
}

/// A label with a count and a link.
pub struct Tally {
    pub label: String,
    pub count: usize,
    pub href: String,
}

#[derive(Template)]
#[template(path = "organisation.html")]
struct OrganisationTemplate {
    layout: Layout,
    name: String,
    other_names: Vec<String>,
    count_text: String,
    years_text: String,
    timeline: Vec<TimelineYear>,
    sectors: Vec<Tally>,
    regions: Vec<Tally>,
    outcomes: Vec<Tally>,
    search_href: String,
}

fn tallies(counts: BTreeMap<(String, String), usize>, href: impl Fn(&str) -> String) -> Vec<Tally> {
    let mut list: Vec<Tally> =
        counts.into_iter().map(|((value, label), count)| Tally { href: href(&value), label, count }).collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    list
}

fn timeline(cases: &[Hit], t: &Strings) -> Vec<TimelineYear> {
    let mut years: Vec<TimelineYear> = Vec::new();
    for hit in cases {
        let case = &hit.case;
        let entry = TimelineCase {
            href: format!("/cases/{}", case.id),
            title: case.title.clone(),
            award: case.award.clone(),
            outcome: case.outcome.as_deref().map_or("", |o| t.outcome(o)),
            sectors: case.sectors.iter().map(|s| s.label.as_str()).collect::<Vec<_>>().join(", "),
            place: match &case.city {
                Some(city) => format!("{city}, {}", case.region.label),
                None => case.region.label.clone(),
            },
            event: case.event.clone().unwrap_or_default(),
        };
        match years.last_mut() {
            Some(year) if year.year == case.year => year.cases.push(entry),
            _ => years.push(TimelineYear { year: case.year, cases: vec![entry] }),
        }
    }
    years
}

/// The schema.org description of an organisation and the cases about it.
fn organisation_json_ld(organisation: &Organisation, base: &str) -> serde_json::Value {
    let url = format!("{base}/organisations/{}", organisation.slug);
    let cases: Vec<serde_json::Value> = organisation
        .cases
        .iter()
        .map(|hit| {
            serde_json::json!({
                "@type": "Article",
                "name": hit.case.title,
                "url": format!("{base}/cases/{}", hit.case.id),
                "dateCreated": hit.case.year.to_string(),
                "award": hit.case.award,
                "inLanguage": hit.case.language,
            })
        })
        .collect();
    serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "@id": url,
        "url": url,
        "name": organisation.name,
        "alternateName": organisation.names.iter().filter(|n| **n != organisation.name).collect::<Vec<_>>(),
        "subjectOf": cases,
    })
}

/// `GET /organisations/{slug}`.
pub async fn organisation_page(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let lang = context.lang.language();
    let archive = state.archive();
    let organisation = blocking(move || {
        archive.organisation(&slug, lang)?.ok_or_else(|| AppError::not_found(format!("no organisation `{slug}`")))
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let (mut sectors, mut regions, mut outcomes) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    for hit in &organisation.cases {
        for sector in &hit.case.sectors {
            *sectors.entry((sector.id.clone(), sector.label.clone())).or_default() += 1;
        }
        *regions.entry((hit.case.region.value.clone(), hit.case.region.label.clone())).or_default() += 1;
        if let Some(outcome) = &hit.case.outcome {
            *outcomes.entry((outcome.clone(), t.outcome(outcome).to_string())).or_default() += 1;
        }
    }
    let of_org = |edit: &dyn Fn(&mut SearchRequest)| {
        let mut request = SearchRequest { organisation: vec![organisation.slug.clone()], ..Default::default() };
        edit(&mut request);
        search_href(&request)
    };
    let first = organisation.cases.first().map_or(0, |h| h.case.year);
    let last = organisation.cases.last().map_or(0, |h| h.case.year);
    let template = OrganisationTemplate {
        layout: context
            .layout(
                format!("{} · {}", organisation.name, t.site_name),
                format!("{}: {}", organisation.name, t.count_cases(organisation.cases.len() as u64)),
                "organisations",
            )
            .with_json_ld("profile", &organisation_json_ld(&organisation, &state.public_url)),
        name: organisation.name.clone(),
        other_names: organisation.names.iter().filter(|n| **n != organisation.name).cloned().collect(),
        count_text: t.count_cases(organisation.cases.len() as u64),
        years_text: if first == last { first.to_string() } else { format!("{first}–{last}") },
        timeline: timeline(&organisation.cases, t),
        sectors: tallies(sectors, |id| of_org(&|r| r.sector = vec![id.to_string()])),
        regions: tallies(regions, |value| of_org(&|r| r.region = vec![value.to_string()])),
        outcomes: tallies(outcomes, |_| of_org(&|_| {})),
        search_href: of_org(&|_| {}),
    };
    Ok(context.render(&template, StatusCode::OK))
}
