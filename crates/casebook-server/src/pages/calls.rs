//! The public pages of calls for entries: `/calls` (the open and upcoming ones, nearest
//! deadline first) and `/calls/{slug}` (the call, its deadline and categories, and the way to
//! submit while it is open; a closed call says so).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::PageContext;
use crate::error::PageError;
use crate::html::render_body;
use crate::i18n::IntakeStrings;
use crate::intake::CallView;
use crate::layout::Layout;
use crate::state::{AppState, blocking};

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    calls: Vec<CallView>,
}

/// `GET /calls`.
pub async fn calls_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let calls = blocking(move || Ok(state.store.calls(None)?.into_iter().map(CallView::from).collect::<Vec<_>>()))
        .await
        .map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let layout = context.layout(
        format!("{} · {}", s.calls_heading, context.lang.strings().site_name),
        s.calls_intro.to_string(),
        "calls",
    );
    Ok(context.render(&CallsTemplate { layout, s, calls }, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "call.html")]
struct CallTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    call: CallView,
    description_html: String,
}

/// `GET /calls/{slug}`.
pub async fn call_page(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let call = blocking(move || Ok(CallView::from(state.store.call(&slug)?))).await.map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let layout =
        context.layout(format!("{} · {}", call.title, context.lang.strings().site_name), String::new(), "calls");
    let description_html = render_body(&call.description);
    Ok(context.render(&CallTemplate { layout, s, call, description_html }, StatusCode::OK))
}
