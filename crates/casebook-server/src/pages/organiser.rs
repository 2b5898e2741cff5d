//! The organiser area: the dashboard (their showcases and API tokens), editing a showcase
//! (facts, notes, order, publishing, deletion with confirmation), and adding a case from a
//! search result or a case page. Every form that changes state is a [`CheckedForm`] (session
//! and CSRF token checked); without a session the pages send you to the login form.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use casebook_store::{NewShowcase, Role, Session, ShowcasePatch, Status, TokenInfo, User};

use super::{CheckedForm, PageContext, local_path, see_other};
use crate::error::{AppError, PageError};
use crate::layout::Layout;
use crate::params::first;
use crate::state::{AppState, blocking};
use crate::views::{ShowcaseView, add_case, showcase_view};

#[derive(Template)]
#[template(path = "organiser.html")]
struct DashboardTemplate {
    layout: Layout,
    showcases: Vec<ShowcaseView>,
    tokens: Vec<TokenInfo>,
    users: Vec<User>,
    new_token: Option<String>,
    is_admin: bool,
}

/// `GET /organiser`.
pub async fn dashboard(State(state): State<Arc<AppState>>, context: PageContext) -> Result<Response, PageError> {
    let Some(session) = context.session.clone() else { return Ok(see_other("/login?next=/organiser")) };
    render_dashboard(&state, &context, &session, None).await
}

async fn render_dashboard(
    state: &Arc<AppState>,
    context: &PageContext,
    session: &Session,
    new_token: Option<String>,
) -> Result<Response, PageError> {
    let worker = Arc::clone(state);
    let user = session.user.clone();
    let lang = context.lang.language();
    let (showcases, tokens, users) = blocking(move || {
        let store = &worker.store;
        let showcases = store.showcases(Some(&user))?;
        let tokens = store.tokens(Some(&user.name))?;
        let users = if user.role == Role::Admin { store.users()? } else { Vec::new() };
        let showcases =
            showcases.into_iter().map(|s| showcase_view(&worker, s, lang)).collect::<Result<Vec<_>, _>>()?;
        Ok((showcases, tokens, users))
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let template = DashboardTemplate {
        layout: context.layout(format!("{} · {}", t.organiser_heading, t.site_name), String::new(), "organiser"),
        showcases,
        tokens,
        users,
        new_token,
        is_admin: session.user.role == Role::Admin,
    };
    Ok(context.render(&template, StatusCode::OK))
}

/// `POST /organiser/showcases`: create one, then edit it.
pub async fn create_showcase(State(state): State<Arc<AppState>>, form: CheckedForm) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let new = NewShowcase {
        title: first(&fields, "title").unwrap_or_default().to_string(),
        event: first(&fields, "event").map(str::to_string),
        date: first(&fields, "date").map(str::to_string),
        description: first(&fields, "description").map(str::to_string),
    };
    let store = Arc::clone(&state.store);
    let showcase =
        blocking(move || Ok(store.create_showcase(&session.user, &new)?)).await.map_err(|e| context.error(e))?;
    Ok(see_other(&format!("/organiser/showcases/{}", showcase.slug)))
}

#[derive(Template)]
#[template(path = "showcase_edit.html")]
struct EditTemplate {
    layout: Layout,
    showcase: ShowcaseView,
    confirm_delete: bool,
}

/// `GET /organiser/showcases/{slug}` (and `?delete=1` for the confirmation).
pub async fn edit_showcase(
    State(state): State<Arc<AppState>>,
    Path(slug): Path<String>,
    context: PageContext,
) -> Result<Response, PageError> {
    let Some(session) = context.session.clone() else {
        return Ok(see_other(&format!("/login?next=/organiser/showcases/{slug}")));
    };
    let worker = Arc::clone(&state);
    let lang = context.lang.language();
    let showcase = blocking(move || {
        let showcase = worker.store.showcase(&slug, Some(&session.user))?;
        let editable = session.user.role == Role::Admin || showcase.owner == session.user.name;
        if !editable {
            return Err(AppError::not_found(format!("no showcase `{slug}` of yours")));
        }
        showcase_view(&worker, showcase, lang)
    })
    .await
    .map_err(|e| context.error(e))?;
    let t = context.lang.strings();
    let template = EditTemplate {
        layout: context.layout(format!("{} · {}", showcase.title, t.site_name), String::new(), "organiser"),
        confirm_delete: first(&context.pairs, "delete") == Some("1"),
        showcase,
    };
    Ok(context.render(&template, StatusCode::OK))
}

/// `POST /organiser/showcases/{slug}/{action}`: every change of the edit page.
pub async fn showcase_action(
    State(state): State<Arc<AppState>>,
    Path((slug, action)): Path<(String, String)>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let edit_page = format!("/organiser/showcases/{slug}");
    let case_id = first(&fields, "case_id").unwrap_or_default().to_string();
    let store = Arc::clone(&state.store);
    let user = session.user;
    let target = slug.clone();
    let fields_for_work = fields.clone();
    let done = blocking(move || {
        let fields = fields_for_work;
        let text = |key: &str| first(&fields, key).map(str::to_string);
        match action.as_str() {
            "details" => {
                let patch = ShowcasePatch {
                    title: text("title"),
                    event: Some(text("event").unwrap_or_default()),
                    date: Some(text("date").unwrap_or_default()),
                    description: Some(
                        fields.iter().find(|(k, _)| k == "description").map(|(_, v)| v.clone()).unwrap_or_default(),
                    ),
                };
                store.update_showcase(&target, &user, &patch)?;
            }
            "note" => {
                let note = fields.iter().find(|(k, _)| k == "note").map(|(_, v)| v.clone()).unwrap_or_default();
                store.set_note(&target, &user, &case_id, &note)?;
            }
            "up" => {
                store.move_item(&target, &user, &case_id, -1)?;
            }
            "down" => {
                store.move_item(&target, &user, &case_id, 1)?;
            }
            "remove" => {
                store.remove_item(&target, &user, &case_id)?;
            }
            "order" => {
                let order: Vec<String> = text("order")
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                store.reorder(&target, &user, &order)?;
            }
            "publish" => {
                store.set_status(&target, &user, Status::Published)?;
            }
            "unpublish" => {
                store.set_status(&target, &user, Status::Draft)?;
            }
            "delete" => {
                store.delete_showcase(&target, &user)?;
                return Ok("/organiser".to_string());
            }
            other => return Err(AppError::not_found(format!("no action `{other}`"))),
        }
        Ok(String::new())
    })
    .await
    .map_err(|e| context.error(e))?;
    Ok(see_other(if done.is_empty() { &edit_page } else { &done }))
}

/// `POST /organiser/add`: add a case to one of the organiser's showcases, then go back.
pub async fn add_to_showcase(State(state): State<Arc<AppState>>, form: CheckedForm) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let slug = first(&fields, "showcase").unwrap_or_default().to_string();
    let case_id = first(&fields, "case_id").unwrap_or_default().to_string();
    let back = local_path(first(&fields, "back"), &format!("/organiser/showcases/{slug}"));
    let worker = Arc::clone(&state);
    match blocking(move || add_case(&worker, &slug, &session.user, &case_id, "")).await {
        Ok(_) => Ok(see_other(&back)),
        // Already there: nothing to do.
        Err(error) if error.status == StatusCode::CONFLICT => Ok(see_other(&back)),
        Err(error) => Err(context.error(error)),
    }
}

/// `POST /organiser/tokens`: create an API token; it is shown once.
pub async fn create_token(State(state): State<Arc<AppState>>, form: CheckedForm) -> Result<Response, PageError> {
    let CheckedForm { context, fields, session } = form;
    let label = first(&fields, "name").unwrap_or("web").to_string();
    let store = Arc::clone(&state.store);
    let name = session.user.name.clone();
    let (_, token) = blocking(move || Ok(store.create_token(&name, &label)?)).await.map_err(|e| context.error(e))?;
    render_dashboard(&state, &context, &session, Some(token)).await
}

/// `POST /organiser/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    form: CheckedForm,
) -> Result<Response, PageError> {
    let CheckedForm { context, session, .. } = form;
    let store = Arc::clone(&state.store);
    blocking(move || Ok(store.revoke_token(&id, Some(&session.user))?)).await.map_err(|e| context.error(e))?;
    Ok(see_other("/organiser"))
}

/// The organiser's own showcases as (slug, title), for the "add to showcase" forms; empty
/// for a visitor who is not signed in.
pub fn own_showcases(state: &AppState, session: Option<&Session>) -> Result<Vec<(String, String)>, AppError> {
    let Some(session) = session else { return Ok(Vec::new()) };
    let showcases = state.store.showcases(Some(&session.user))?;
    Ok(showcases.into_iter().filter(|s| s.owner == session.user.name).map(|s| (s.slug, s.title)).collect())
}
