//! The public submission form (`/submit`, `/calls/{slug}/submit`), its preview and the
//! submitter's status page (`/submissions/{token}`). The form needs no account: it carries a
//! token bound to a cookie (no cross-site posts), a honeypot field that people leave empty,
//! and the routes are rate-limited per address. Every problem is shown next to its field,
//! and every value comes back as typed.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use casebook_corpus::{CaseFields, FIELD_LIMITS};
use casebook_store::{Call, CallState};

use super::context::form;
use super::{PageContext, see_other};
use crate::auth::{self, cookie};
use crate::error::{AppError, PageError};
use crate::i18n::IntakeStrings;
use crate::intake::{self, CallView, Proposal};
use crate::layout::Layout;
use crate::params::first;
use crate::state::{AppState, blocking};

/// The cookie that binds the form token of the submission form.
pub const SUBMIT_COOKIE: &str = "casebook_submit";
/// The honeypot: a field hidden from people (by the stylesheet) that programs fill in.
pub const HONEYPOT: &str = "fax";

/// One field of a form, with its value as typed and its problem.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: String,
    /// `text`, `email`, `url`, `textarea` or `select`.
    pub kind: &'static str,
    pub rows: usize,
    pub max: usize,
    pub required: bool,
    /// Choices of a `select`: (value, label).
    pub options: Vec<(String, String)>,
    /// Id of a `datalist` of suggestions, or empty.
    pub list: &'static str,
}

fn limit(name: &str) -> usize {
    FIELD_LIMITS.iter().find(|(field, _)| *field == name).map_or(254, |(_, max)| *max)
}

/// The fields of the case form. `call` turns the category into a choice when the call lists
/// categories; `reviewer` adds the event and award (a submitter's come from the call).
pub fn field_views(
    s: &IntakeStrings,
    values: &CaseFields,
    errors: &BTreeMap<String, String>,
    call: Option<&Call>,
    reviewer: bool,
) -> Vec<FieldView> {
    let field =
        |name: &'static str, label: &'static str, hint: &'static str, kind: &'static str, required: bool| FieldView {
            name,
            label,
            hint,
            value: values.get(name),
            error: errors.get(name).map(|m| s.problem(m)).unwrap_or_default(),
            kind,
            rows: match name {
                "body" => 16,
                "summary" => 3,
                "partners" => 3,
                _ => 1,
            },
            max: limit(name),
            required,
            options: Vec::new(),
            list: if name == "sector" { "sector-list" } else { "" },
        };
    let mut fields = vec![
        field("title", s.field_title, "", "text", true),
        field("organisation", s.field_organisation, "", "text", true),
        field("year", s.field_year, "", "text", true),
        field("sector", s.field_sector, s.sector_hint, "text", true),
        field("region", s.field_region, s.region_hint, "text", true),
        field("city", s.field_city, "", "text", false),
        field("country", s.field_country, s.country_hint, "text", false),
    ];
    let mut category = field("category", s.field_category, "", "text", false);
    if let Some(call) = call.filter(|c| !c.categories.is_empty()) {
        category.kind = "select";
        category.options = std::iter::once((String::new(), "—".to_string()))
            .chain(call.categories.iter().map(|c| (c.clone(), c.clone())))
            .collect();
    }
    fields.push(category);
    if reviewer {
        fields.push(field("event", s.field_event, "", "text", false));
        fields.push(field("award", s.field_award, "", "text", false));
    }
    fields.extend([
        field("summary", s.field_summary, s.summary_hint, "textarea", false),
        field("body", s.field_body, s.body_hint, "textarea", true),
        field("tags", s.field_tags, s.tags_hint, "text", false),
        field("website", s.field_website, "", "url", false),
        field("partners", s.field_partners, s.partners_hint, "textarea", false),
    ]);
    fields
}

/// The sectors of the served corpus as (id, label) suggestions for the sector field.
pub fn sector_options(state: &AppState, lang: casebook_corpus::Language) -> Vec<(String, String)> {
    match intake::vocabulary(state) {
        Ok(vocabulary) => {
            use casebook_corpus::Labelled;
            vocabulary.taxonomy.sectors().iter().map(|s| (s.id.clone(), s.label(lang).to_string())).collect()
        }
        Err(_) => Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    action: String,
    call: Option<CallView>,
    /// Open calls to choose from on `/submit`: (slug, title).
    calls: Vec<(String, String)>,
    selected_call: String,
    form_token: String,
    honeypot: &'static str,
    fields: Vec<FieldView>,
    email: FieldView,
    message: Option<String>,
    preview_html: Option<String>,
    sectors: Vec<(String, String)>,
    /// Why the call takes no entries (then there is no form).
    refused: Option<String>,
}

/// What the form shows when it comes back.
#[derive(Default)]
struct Shown {
    values: CaseFields,
    email: String,
    selected_call: String,
    errors: BTreeMap<String, String>,
    message: Option<String>,
    preview_html: Option<String>,
}

/// Renders the form with a fresh form token (in a cookie too).
async fn render_form(
    state: &Arc<AppState>,
    context: &PageContext,
    call: Option<Call>,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, PageError> {
    let s = context.lang.intake();
    let worker = Arc::clone(state);
    let lang = context.lang.language();
    let (calls, sectors) = blocking(move || {
        let calls = worker
            .store
            .calls(None)?
            .into_iter()
            .filter(|c| c.state() == CallState::Open)
            .map(|c| (c.slug, c.title))
            .collect::<Vec<_>>();
        Ok((calls, sector_options(&worker, lang)))
    })
    .await
    .map_err(|e| context.error(e))?;
    let token = casebook_store::random_hex(16).map_err(|e| context.error(e.into()))?;
    let refused = call.as_ref().filter(|c| c.state() != CallState::Open).map(|c| match c.state() {
        CallState::Upcoming => format!("{} ({} {})", s.call_upcoming, s.opens_on, c.opens),
        _ => s.call_closed.to_string(),
    });
    let email_error = shown.errors.get("contact_email").map(|m| s.problem(m)).unwrap_or_default();
    let email = FieldView {
        name: "contact_email",
        label: s.field_email,
        hint: s.email_hint,
        value: shown.email,
        error: email_error,
        kind: "email",
        rows: 1,
        max: 254,
        required: true,
        options: Vec::new(),
        list: "",
    };
    let title = match &call {
        Some(call) => format!("{} · {}", s.submit_heading, call.title),
        None => s.submit_heading.to_string(),
    };
    let action = match &call {
        Some(call) => format!("/calls/{}/submit", call.slug),
        None => "/submit".to_string(),
    };
    let template = SubmitTemplate {
        layout: context.layout(
            format!("{title} · {}", context.lang.strings().site_name),
            s.submit_intro.into(),
            "calls",
        ),
        s,
        action,
        fields: field_views(s, &shown.values, &shown.errors, call.as_ref(), false),
        call: call.map(CallView::from),
        calls,
        selected_call: shown.selected_call,
        form_token: token.clone(),
        honeypot: HONEYPOT,
        email,
        message: shown.message,
        preview_html: shown.preview_html,
        sectors,
        refused,
    };
    let mut response = context.render(&template, status);
    response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(state, SUBMIT_COOKIE, &token, 3 * 3600));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

async fn load_call(state: &Arc<AppState>, context: &PageContext, slug: String) -> Result<Call, PageError> {
    let store = Arc::clone(&state.store);
    blocking(move || Ok(store.call(&slug)?)).await.map_err(|e| context.error(e))
}

/// `GET /submit`.
pub async fn submit_page(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let selected_call = first(&context.pairs, "call").unwrap_or_default().to_string();
    render_form(&state, &context, None, Shown { selected_call, ..Default::default() }, StatusCode::OK).await
}

/// `GET /calls/{slug}/submit`: the form with the year of the call; a call that is not open
/// says so instead.
pub async fn call_submit_page(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let call = load_call(&state, &context, slug).await?;
    let values = CaseFields { year: call.year().to_string(), ..Default::default() };
    render_form(&state, &context, Some(call), Shown { values, ..Default::default() }, StatusCode::OK).await
}

/// `POST /submit`.
pub async fn submit_post(
    State(state): State<Arc<AppState>>,
    context: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let fields = form(&body);
    let slug = first(&fields, "call").filter(|c| !c.is_empty()).map(str::to_string);
    let call = match slug {
        Some(slug) => Some(load_call(&state, &context, slug).await?),
        None => None,
    };
    receive(state, context, headers, fields, call).await
}

/// `POST /calls/{slug}/submit`.
pub async fn call_submit_post(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let call = load_call(&state, &context, slug).await?;
    receive(state, context, headers, form(&body), Some(call)).await
}

/// Checks the form token and the honeypot, shows a preview, or stores the submission and
/// sends the submitter to its status page.
async fn receive(
    state: Arc<AppState>,
    context: PageContext,
    headers: HeaderMap,
    fields: Vec<(String, String)>,
    call: Option<Call>,
) -> Result<Response, PageError> {
    let s = context.lang.intake();
    let values = intake::fields_of_form(&fields);
    let email = first(&fields, "contact_email").unwrap_or_default().to_string();
    let selected_call = call.as_ref().map(|c| c.slug.clone()).unwrap_or_default();
    let shown = |errors, message, preview_html| Shown {
        values: values.clone(),
        email: email.clone(),
        selected_call: selected_call.clone(),
        errors,
        message,
        preview_html,
    };
    let form_token = first(&fields, "form_token").unwrap_or_default();
    let cookie_token = cookie(&headers, SUBMIT_COOKIE).unwrap_or_default();
    if form_token.is_empty() || !casebook_store::constant_time_eq(form_token.as_bytes(), cookie_token.as_bytes()) {
        let message = Some(context.lang.strings().form_expired.to_string());
        return render_form(&state, &context, call, shown(BTreeMap::new(), message, None), StatusCode::FORBIDDEN).await;
    }
    if first(&fields, HONEYPOT).is_some_and(|v| !v.trim().is_empty()) {
        return Err(context.error(AppError::new(StatusCode::BAD_REQUEST, "spam", s.spam)));
    }
    if first(&fields, "action") == Some("preview") {
        let preview = Some(crate::html::render_body(&values.body));
        return render_form(&state, &context, call, shown(BTreeMap::new(), None, preview), StatusCode::OK).await;
    }
    let proposal =
        Proposal { call: call.as_ref().map(|c| c.slug.clone()), fields: values.clone(), contact_email: email.clone() };
    let worker = Arc::clone(&state);
    match blocking(move || intake::submit(&worker, proposal)).await {
        Ok((_, token)) => {
            let mut response = see_other(&format!("/submissions/{token}?new=1"));
            response.headers_mut().append(header::SET_COOKIE, auth::set_cookie(&state, SUBMIT_COOKIE, "", 0));
            Ok(response)
        }
        Err(error) if error.code == "invalid_submission" => {
            let errors = error.fields.as_deref().cloned().unwrap_or_default();
            let message = Some(s.form_has_errors.to_string());
            render_form(&state, &context, call, shown(errors, message, None), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) if error.code == "call_closed" => {
            render_form(&state, &context, call, shown(BTreeMap::new(), Some(error.message), None), StatusCode::CONFLICT)
                .await
        }
        Err(error) => Err(context.error(error)),
    }
}

/// `POST /submit/preview`: the body field rendered and sanitised, as an HTML fragment (the
/// live preview of the form when JavaScript runs).
pub async fn preview(body: Bytes) -> Response {
    let fields = form(&body);
    let html = crate::html::render_body(first(&fields, "body").unwrap_or_default());
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], html).into_response()
}

#[derive(Template)]
#[template(path = "submission_status.html")]
struct StatusTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    title: String,
    organisation: String,
    call_title: Option<String>,
    submitted: String,
    status: String,
    status_label: &'static str,
    note_html: String,
    case_id: Option<String>,
    received: bool,
}

/// `GET /submissions/{token}`: the submitter's status page (no contact email on it).
pub async fn status_page(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let worker = Arc::clone(&state);
    let (submission, call_title) = blocking(move || {
        let submission =
            worker.store.submission_by_token(&token).map_err(|_| AppError::not_found("no such submission"))?;
        let call_title = submission.call.as_deref().and_then(|slug| worker.store.call(slug).ok()).map(|c| c.title);
        Ok((submission, call_title))
    })
    .await
    .map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let status = submission.status.as_str().to_string();
    let template = StatusTemplate {
        layout: context.layout(
            format!("{} · {}", s.status_heading, context.lang.strings().site_name),
            String::new(),
            "calls",
        ),
        s,
        title: submission.fields.title.clone(),
        organisation: submission.fields.organisation.clone(),
        call_title,
        submitted: intake::date_time(submission.submitted_at),
        status_label: s.status(&status),
        note_html: crate::html::render_body(&submission.note),
        case_id: submission.case_id.clone(),
        received: first(&context.pairs, "new") == Some("1") && status == "pending",
        status,
    };
    let mut response = context.render(&template, StatusCode::OK);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response.headers_mut().insert("x-robots-tag", HeaderValue::from_static("noindex"));
    Ok(response)
}
