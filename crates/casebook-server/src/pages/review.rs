//! The organisers' side of taking cases in: their calls (open one, change it, make a draft
//! showcase of its accepted entries) and the review queue (each entry rendered as its case
//! page would be, with the verdict of the check; edit, accept with a note, reject with a
//! note). Organisers see the entries of their own calls, admins every entry. Every change is
//! a [`CheckedForm`] (session and CSRF token checked).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use casebook_corpus::CaseFields;
use casebook_store::{Call, CallPatch, NewCall, Role, Session, SubmissionStatus, User};

use super::submit::{FieldView, field_views, sector_options};
use super::{CheckedForm, PageContext, see_other};
use crate::error::{AppError, PageError};
use crate::i18n::IntakeStrings;
use crate::intake::{self, CallView, SubmissionView};
use crate::layout::Layout;
use crate::params::first;
use crate::state::{AppState, blocking};

/// A call with the counts of its entries.
pub struct CallRow {
    pub call: CallView,
    pub pending: usize,
    pub accepted: usize,
    pub rejected: usize,
}

#[derive(Template)]
#[template(path = "organiser_calls.html")]
struct CallsTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    rows: Vec<CallRow>,
}

/// The session of a signed-in organiser, or the redirect to the login form that comes back
/// to `back`.
fn signed_in(context: &PageContext, back: &str) -> Result<Session, Box<Response>> {
    context.session.clone().ok_or_else(|| Box::new(see_other(&format!("/login?next={back}"))))
}

fn rows(state: &AppState, user: &User) -> Result<Vec<CallRow>, AppError> {
    let mut rows = Vec::new();
    for call in state.store.calls(Some(user))? {
        let entries = state.store.submissions(user, None, Some(&call.slug))?;
        let count = |status| entries.iter().filter(|e| e.status == status).count();
        rows.push(CallRow {
            pending: count(SubmissionStatus::Pending),
            accepted: count(SubmissionStatus::Accepted),
            rejected: count(SubmissionStatus::Rejected),
            call: CallView::from(call),
        });
    }
    Ok(rows)
}

/// `GET /organiser/calls`.
pub async fn organiser_calls(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let session = match signed_in(&context, "/organiser/calls") {
        Ok(session) => session,
        Err(redirect) => return Ok(*redirect),
    };
    let rows = blocking(move || rows(&state, &session.user)).await.map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let layout =
        context.layout(format!("{} · {}", s.your_calls, context.lang.strings().site_name), String::new(), "organiser");
    Ok(context.render(&CallsTemplate { layout, s, rows }, StatusCode::OK))
}

fn text(fields: &[(String, String)], key: &str) -> String {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn categories(fields: &[(String, String)]) -> Vec<String> {
    text(fields, "categories").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// `POST /organiser/calls`: open a call, then show it.
pub async fn create_call(State(state): State<Arc<AppState>>, form: CheckedForm) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let new = NewCall {
        title: text(&fields, "title"),
        event: Some(text(&fields, "event")),
        award: Some(text(&fields, "award")),
        categories: categories(&fields),
        opens: text(&fields, "opens"),
        closes: text(&fields, "closes"),
        description: Some(text(&fields, "description")),
    };
    let call =
        blocking(move || Ok(state.store.create_call(&session.user, &new)?)).await.map_err(|e| context.error(e))?;
    Ok(see_other(&format!("/organiser/calls/{}", call.slug)))
}

#[derive(Template)]
#[template(path = "organiser_call.html")]
struct CallTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    call: CallView,
    categories_text: String,
    entries: Vec<SubmissionView>,
}

/// A call `user` may manage: their own, or any for an admin (403 otherwise).
fn managed(state: &AppState, slug: &str, user: &User) -> Result<Call, AppError> {
    let call = state.store.call(slug)?;
    if user.role != Role::Admin && call.owner != user.name {
        return Err(AppError::forbidden(format!("call `{slug}` belongs to another organiser")));
    }
    Ok(call)
}

/// `GET /organiser/calls/{slug}`.
pub async fn organiser_call(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let session = match signed_in(&context, &format!("/organiser/calls/{slug}")) {
        Ok(session) => session,
        Err(redirect) => return Ok(*redirect),
    };
    let lang = context.lang.language();
    let (call, entries) = blocking(move || {
        let call = managed(&state, &slug, &session.user)?;
        let entries = state.store.submissions(&session.user, None, Some(&slug))?;
        Ok((call, intake::submission_views(&state, entries, lang)?))
    })
    .await
    .map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let layout =
        context.layout(format!("{} · {}", call.title, context.lang.strings().site_name), String::new(), "organiser");
    let categories_text = call.categories.join("\n");
    Ok(context
        .render(&CallTemplate { layout, s, call: CallView::from(call), categories_text, entries }, StatusCode::OK))
}

/// `POST /organiser/calls/{slug}/{action}`: `details` (change it) or `showcase` (a draft
/// showcase of the accepted entries, then its editor).
pub async fn call_action(
    State(state): State<Arc<AppState>>,
    Path((slug, action)): Path<(String, String)>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let target = blocking(move || match action.as_str() {
        "details" => {
            let patch = CallPatch {
                title: Some(text(&fields, "title")),
                event: Some(text(&fields, "event")),
                award: Some(text(&fields, "award")),
                categories: Some(categories(&fields)),
                opens: Some(text(&fields, "opens")),
                closes: Some(text(&fields, "closes")),
                description: Some(text(&fields, "description")),
            };
            let call = state.store.update_call(&slug, &session.user, &patch)?;
            Ok(format!("/organiser/calls/{}", call.slug))
        }
        "showcase" => {
            let showcase = state.store.showcase_from_call(&slug, &session.user)?;
            Ok(format!("/organiser/showcases/{}", showcase.slug))
        }
        other => Err(AppError::not_found(format!("no action `{other}`"))),
    })
    .await
    .map_err(|e| context.error(e))?;
    Ok(see_other(&target))
}

/// A row of the review queue.
pub struct QueueRow {
    pub view: SubmissionView,
    pub submitted: String,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueueTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    rows: Vec<QueueRow>,
    status: String,
    call: String,
    /// (value, label) of the status filter.
    statuses: Vec<(&'static str, &'static str)>,
}

/// `GET /organiser/submissions?status=&call=`.
pub async fn review_queue(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let session = match signed_in(&context, "/organiser/submissions") {
        Ok(session) => session,
        Err(redirect) => return Ok(*redirect),
    };
    let status_text = first(&context.pairs, "status").unwrap_or("pending").to_string();
    let status = SubmissionStatus::parse(&status_text);
    let call = first(&context.pairs, "call").unwrap_or_default().to_string();
    let lang = context.lang.language();
    let filter = (!call.is_empty()).then(|| call.clone());
    let rows = blocking(move || {
        let entries = state.store.submissions(&session.user, status, filter.as_deref())?;
        let views = intake::submission_views(&state, entries, lang)?;
        Ok(views.into_iter().map(|view| QueueRow { submitted: intake::date_time(view.submitted_at), view }).collect())
    })
    .await
    .map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let layout = context.layout(
        format!("{} · {}", s.review_queue, context.lang.strings().site_name),
        String::new(),
        "organiser",
    );
    let statuses = vec![
        ("pending", s.status_pending),
        ("accepted", s.status_accepted),
        ("rejected", s.status_rejected),
        ("all", s.all_statuses),
    ];
    Ok(context.render(&QueueTemplate { layout, s, rows, status: status_text, call, statuses }, StatusCode::OK))
}

/// A step of the history as shown.
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewTemplate {
    layout: Layout,
    s: &'static IntakeStrings,
    view: SubmissionView,
    call_title: Option<String>,
    fields: Vec<FieldView>,
    sectors: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    history: Vec<HistoryRow>,
    message: Option<String>,
    pending: bool,
    outcome: &'static str,
}

/// What a review page shows besides the stored submission: values being edited and their
/// problems, or a message.
#[derive(Default)]
struct Editing {
    values: Option<CaseFields>,
    errors: BTreeMap<String, String>,
    message: Option<String>,
}

async fn render_review(
    state: &Arc<AppState>,
    context: &PageContext,
    session: Session,
    id: i64,
    editing: Editing,
    status: StatusCode,
) -> Result<Response, PageError> {
    let worker = Arc::clone(state);
    let lang = context.lang.language();
    let (view, call, sectors) = blocking(move || {
        let submission = worker.store.submission(id, &session.user)?;
        let call = submission.call.as_deref().and_then(|slug| worker.store.call(slug).ok());
        let vocabulary = intake::vocabulary(&worker)?;
        Ok((intake::submission_view(&worker, &vocabulary, submission, lang), call, sector_options(&worker, lang)))
    })
    .await
    .map_err(|e| context.error(e))?;
    let s = context.lang.intake();
    let t = context.lang.strings();
    let errors =
        if editing.errors.is_empty() && editing.values.is_none() { view.problems.clone() } else { editing.errors };
    let values = editing.values.unwrap_or_else(|| view.fields.clone());
    let labels: BTreeMap<&str, &str> =
        field_views(s, &values, &BTreeMap::new(), call.as_ref(), true).iter().map(|f| (f.name, f.label)).collect();
    let problems = errors
        .iter()
        .map(|(field, message)| {
            (labels.get(field.as_str()).map_or(field.clone(), |l| l.to_string()), s.problem(message))
        })
        .collect();
    let history = view
        .history
        .iter()
        .map(|e| HistoryRow {
            at: intake::date_time(e.at),
            actor: e.actor.clone().unwrap_or_else(|| s.submitter.to_string()),
            action: s.action(&e.action),
            note: e.note.clone(),
        })
        .collect();
    let template = ReviewTemplate {
        layout: context.layout(format!("{} · {}", view.fields.title, t.site_name), String::new(), "organiser"),
        s,
        fields: field_views(s, &values, &errors, call.as_ref(), true),
        call_title: call.map(|c| c.title),
        sectors,
        problems,
        history,
        message: editing.message,
        pending: view.status == "pending",
        outcome: s.status(&view.status),
        view,
    };
    Ok(context.render(&template, status))
}

fn id_of(context: &PageContext, raw: &str) -> Result<i64, Box<PageError>> {
    raw.parse::<i64>().map_err(|_| Box::new(context.error(AppError::not_found(format!("no submission `{raw}`")))))
}

/// `GET /organiser/submissions/{id}`.
pub async fn review_page(
    State(state): State<Arc<AppState>>,
    Path(raw): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let session = match signed_in(&context, &format!("/organiser/submissions/{raw}")) {
        Ok(session) => session,
        Err(redirect) => return Ok(*redirect),
    };
    let id = id_of(&context, &raw).map_err(|e| *e)?;
    render_review(&state, &context, session, id, Editing::default(), StatusCode::OK).await
}

/// `POST /organiser/submissions/{id}/{action}`: `edit`, `accept` or `reject`.
pub async fn review_action(
    State(state): State<Arc<AppState>>,
    Path((raw, action)): Path<(String, String)>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let id = id_of(&context, &raw).map_err(|e| *e)?;
    let page = format!("/organiser/submissions/{id}");
    let note = text(&fields, "note");
    let worker = Arc::clone(&state);
    let user = session.user.clone();
    let result = match action.as_str() {
        "edit" => {
            let values = intake::fields_of_form(&fields);
            let edited = values.clone();
            match blocking(move || intake::edit(&worker, id, &user, &edited)).await {
                Ok(_) => return Ok(see_other(&page)),
                Err(error) if error.code == "invalid_submission" => {
                    let editing = Editing {
                        values: Some(values),
                        errors: error.fields.as_deref().cloned().unwrap_or_default(),
                        message: Some(context.lang.intake().form_has_errors.to_string()),
                    };
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return render_review(&state, &context, session, id, editing, status).await;
                }
                Err(error) => Err(error),
            }
        }
        "accept" => blocking(move || intake::accept(&worker, id, &user, &note)).await.map(|_| ()),
        "reject" => blocking(move || intake::reject(&worker, id, &user, &note)).await.map(|_| ()),
        other => Err(AppError::not_found(format!("no action `{other}`"))),
    };
    match result {
        Ok(()) => Ok(see_other(&page)),
        Err(error) if error.code == "invalid_submission" => {
            let editing =
                Editing { errors: error.fields.as_deref().cloned().unwrap_or_default(), ..Default::default() };
            render_review(&state, &context, session, id, editing, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(context.error(error)),
    }
}
