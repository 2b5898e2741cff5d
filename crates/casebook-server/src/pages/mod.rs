//! The server-rendered website. Every page works without JavaScript; `web/static/app.js`
//! only enhances it (live results, suggestions, the filter toggle on phones).

mod case;
mod feeds;
mod home;
mod organiser;
mod search;
mod showcases;

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

pub use case::case_page;
pub use feeds::{atom, csv, healthz, robots, sitemap};
pub use home::home;
pub use organiser::*;
pub use search::search_page;
pub use showcases::{showcase_page, showcases_page};

use crate::error::{AppError, PageError};
use crate::i18n::{self, Lang, Strings};
use crate::params;

/// What the layout (`base.html`) needs.
#[derive(Debug)]
pub struct Layout {
    /// UI strings.
    pub t: &'static Strings,
    /// Page title.
    pub title: String,
    /// Meta description.
    pub description: String,
    /// Stylesheet URL.
    pub css: String,
    /// Script URL.
    pub js: String,
    /// Icon URL.
    pub icon: String,
    /// The current page in the other language.
    pub switch_href: String,
    /// Which navigation entry is current.
    pub section: &'static str,
    /// The logged-in organiser or admin, if any.
    pub user: Option<String>,
    /// CSRF token of the session (for the logout form).
    pub csrf: String,
}

/// The language of a page request and the query pairs.
pub struct PageContext {
    pub lang: Lang,
    set_cookie: bool,
    /// The site is served over HTTPS: cookies are `Secure`.
    https: bool,
    pub pairs: Vec<(String, String)>,
    uri: Uri,
    /// The web session, when the visitor is logged in.
    pub session: Option<casebook_store::Session>,
}

impl PageContext {
    pub fn new(headers: &HeaderMap, uri: &Uri, state: &crate::state::AppState) -> Self {
        let pairs = params::pairs(uri.query());
        let (lang, set_cookie) = i18n::negotiate(headers, params::first(&pairs, "lang"));
        PageContext { lang, set_cookie, https: state.https(), pairs, uri: uri.clone(), session: None }
    }

    /// The same, with the visitor's session looked up.
    pub fn with_session(headers: &HeaderMap, uri: &Uri, state: &crate::state::AppState) -> Self {
        let mut context = Self::new(headers, uri, state);
        context.session = crate::auth::session(state, headers);
        context
    }

    /// The same, for a visitor whose session a posted form has just checked.
    pub fn signed_in(mut self, session: &casebook_store::Session) -> Self {
        self.session = Some(session.clone());
        self
    }

    pub fn layout(&self, title: String, description: String, section: &'static str) -> Layout {
        let t = self.lang.strings();
        let mut switch = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.pairs.iter().filter(|(k, _)| k != "lang" && k != "partial") {
            switch.append_pair(key, value);
        }
        switch.append_pair("lang", t.other_language_code);
        Layout {
            t,
            title,
            description,
            css: crate::assets::url("site.css"),
            js: crate::assets::url("app.js"),
            icon: crate::assets::url("favicon.svg"),
            switch_href: format!("{}?{}", self.uri.path(), switch.finish()),
            section,
            user: self.session.as_ref().map(|s| s.user.name.clone()),
            csrf: self.session.as_ref().map(|s| s.csrf.clone()).unwrap_or_default(),
        }
    }

    /// Renders a template as the response, remembering an explicit language choice.
    pub fn render(&self, template: &impl Template, status: StatusCode) -> Response {
        let mut response = match template.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => return error_page(AppError::internal(error), self.lang),
        };
        if self.set_cookie {
            let secure = if self.https { "; Secure" } else { "" };
            let cookie = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
                i18n::COOKIE_NAME,
                self.lang.code()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
        if self.session.is_some() {
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
        }
        response
    }

    pub fn error(&self, error: AppError) -> PageError {
        let signed_in = self.session.as_ref().map(|s| (s.user.name.clone(), s.csrf.clone()));
        PageError { error, lang: self.lang, signed_in }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    status: u16,
    message: String,
}

/// The HTML page of an error.
pub fn error_page(error: AppError, lang: Lang) -> Response {
    error_page_for(error, lang, None)
}

/// The HTML page of an error, with the header of a signed-in visitor (name, CSRF token).
pub fn error_page_for(error: AppError, lang: Lang, signed_in: Option<(String, String)>) -> Response {
    let t = lang.strings();
    let (user, csrf) = match signed_in {
        Some((name, csrf)) => (Some(name), csrf),
        None => (None, String::new()),
    };
    let title = if error.status == StatusCode::NOT_FOUND { t.not_found_title } else { t.error_title };
    let template = ErrorTemplate {
        layout: Layout {
            t,
            title: title.to_string(),
            description: String::new(),
            css: crate::assets::url("site.css"),
            js: crate::assets::url("app.js"),
            icon: crate::assets::url("favicon.svg"),
            switch_href: format!("/?lang={}", t.other_language_code),
            section: "",
            user,
            csrf,
        },
        status: error.status.as_u16(),
        message: error.message.clone(),
    };
    match template.render() {
        Ok(html) => (error.status, Html(html)).into_response(),
        Err(_) => (error.status, error.message).into_response(),
    }
}

/// The fallback: 404 as JSON under `/api/`, as a page elsewhere.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<crate::state::AppState>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let error = AppError::not_found(format!("no page at `{}`", uri.path()));
    if crate::limits::answers_json(uri.path()) {
        return error.into_response();
    }
    error_page(error, PageContext::new(&headers, &uri, &state).lang)
}

/// 405 for a known path with another method.
pub async fn method_not_allowed(uri: Uri) -> Response {
    let error = AppError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        code: "method_not_allowed",
        message: format!("`{}` only answers GET and HEAD", uri.path()),
    };
    if crate::limits::answers_json(uri.path()) { error.into_response() } else { error_page(error, Lang::En) }
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn form(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A 303 redirect.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// A local path to return to after a form, or the fallback (never another site).
pub fn local_path(candidate: Option<&str>, fallback: &str) -> String {
    match candidate {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') && !path.contains("://") =>
        {
            path.to_string()
        }
        _ => fallback.to_string(),
    }
}

/// A search link.
pub fn search_href(request: &casebook_index::SearchRequest) -> String {
    let query = params::to_query(request);
    if query.is_empty() { "/search".to_string() } else { format!("/search?{query}") }
}
