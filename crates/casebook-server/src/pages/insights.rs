//! `/organiser/insights` (a page for signed-in organisers and admins) and its CSV export
//! `/organiser/insights.csv`: searches per day as a chart, top and zero-result queries (each
//! a link that runs it), top filters, most viewed cases and showcases.

use std::sync::Arc;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::feeds::csv_field;
use super::{PageContext, see_other};
use crate::error::PageError;
use crate::html::{Bar, bar_chart};
use crate::layout::Layout;
use crate::report::{InsightsView, days, insights_view};
use crate::state::{AppState, blocking};

/// Periods offered on the page.
const PERIODS: [u32; 4] = [7, 30, 90, 365];

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsTemplate {
    layout: Layout,
    v: InsightsView,
    chart: String,
    periods: Vec<(u32, bool)>,
    csv_href: String,
}

/// The report of the period the query asks for, for a signed-in visitor.
async fn report(state: &Arc<AppState>, context: &PageContext) -> Result<InsightsView, PageError> {
    let days = days(&context.pairs).map_err(|e| context.error(e))?;
    let worker = Arc::clone(state);
    blocking(move || insights_view(&worker, days)).await.map_err(|e| context.error(e))
}

/// `GET /organiser/insights`.
pub async fn insights_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    if context.session.is_none() {
        return Ok(see_other("/login?next=/organiser/insights"));
    }
    let v = report(&state, &context).await?;
    let t = context.lang.strings();
    let bars: Vec<Bar> = v
        .searches_per_day
        .iter()
        .map(|d| Bar { label: d.date.clone(), value: d.searches, href: None, selected: false })
        .collect();
    let template = InsightsTemplate {
        layout: context.layout(format!("{} · {}", t.insights_heading, t.site_name), String::new(), "organiser"),
        chart: bar_chart(&bars, t.searches_per_day, 160, false),
        periods: PERIODS.iter().map(|&p| (p, p == v.days)).collect(),
        csv_href: format!("/organiser/insights.csv?days={}", v.days),
        v,
    };
    Ok(context.render(&template, StatusCode::OK))
}

/// `GET /organiser/insights.csv`: every list of the report, one row per entry.
pub async fn insights_csv(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    if context.session.is_none() {
        return Err(context.error(crate::error::AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorised",
            "log in as an organiser to export insights",
        )));
    }
    let v = report(&state, &context).await?;
    let mut out = String::from("section,key,filters,count,results\n");
    let mut row = |fields: [&str; 5]| {
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    };
    for day in &v.searches_per_day {
        row(["searches_per_day", &day.date, "", &day.searches.to_string(), ""]);
    }
    for q in &v.top_queries {
        row(["top_query", &q.query, "", &q.searches.to_string(), &q.results.to_string()]);
    }
    for q in &v.zero_result_queries {
        row(["zero_result_query", &q.query, &q.filters, &q.searches.to_string(), "0"]);
    }
    for f in &v.top_filters {
        row(["top_filter", &f.filter, "", &f.searches.to_string(), ""]);
    }
    for c in &v.top_cases {
        row(["case_views", &c.id, "", &c.views.to_string(), ""]);
    }
    for s in &v.top_showcases {
        row(["showcase_views", &s.id, "", &s.views.to_string(), ""]);
    }
    let mut response = ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response();
    let disposition = format!("attachment; filename=\"casebook-insights-{}-{}.csv\"", v.from, v.to);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}
