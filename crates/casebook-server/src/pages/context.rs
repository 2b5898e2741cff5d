//! What every page handler starts from, as extractors: [`PageContext`] (the UI language, the
//! query pairs, the visitor's session) and [`CheckedForm`] (a posted form whose session and
//! CSRF token have been checked). Pages render through the context, and their errors carry
//! the language and the signed-in header.

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use casebook_store::Session;

use super::see_other;
use crate::error::{AppError, PageError, answers_json};
use crate::i18n::{self, Lang};
use crate::layout::{Layout, SignedIn};
use crate::params;
use crate::state::{AppState, blocking};

/// The language of a page request, its query pairs and the visitor's session.
#[derive(Debug)]
pub struct PageContext {
    /// UI language.
    pub lang: Lang,
    /// The language was chosen with `?lang=`: the answer remembers it in a cookie.
    set_cookie: bool,
    /// The site is served over HTTPS: cookies are `Secure`.
    https: bool,
    /// The query string's pairs.
    pub pairs: Vec<(String, String)>,
    uri: Uri,
    /// The site's public base URL, for canonical and `hreflang` links.
    base: String,
    /// The web session, when the visitor is logged in.
    pub session: Option<Session>,
}

impl PageContext {
    fn new(parts: &Parts, state: &AppState) -> Self {
        let pairs = params::pairs(parts.uri.query());
        let (lang, set_cookie) = i18n::negotiate(&parts.headers, params::first(&pairs, "lang"));
        let base = state.public_url.clone();
        PageContext { lang, set_cookie, https: state.https(), pairs, uri: parts.uri.clone(), base, session: None }
    }

    /// The signed-in visitor as the page header shows them.
    pub fn signed_in(&self) -> Option<SignedIn> {
        self.session.as_ref().map(|s| SignedIn { name: s.user.name.clone(), csrf: s.csrf.clone() })
    }

    /// The frame of the page.
    pub fn layout(&self, title: String, description: String, section: &'static str) -> Layout {
        let t = self.lang.strings();
        let mut switch = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in self.pairs.iter().filter(|(k, _)| k != "lang" && k != "partial") {
            switch.append_pair(key, value);
        }
        switch.append_pair("lang", t.other_language_code);
        let switch_href = format!("{}?{}", self.uri.path(), switch.finish());
        let mut layout = Layout::new(self.lang, title, description, section, switch_href, self.signed_in().as_ref());
        let in_language = |code: &str| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in self.pairs.iter().filter(|(k, _)| !matches!(k.as_str(), "lang" | "partial" | "typing"))
            {
                query.append_pair(key, value);
            }
            if !code.is_empty() {
                query.append_pair("lang", code);
            }
            let query = query.finish();
            let path = self.uri.path();
            if query.is_empty() { format!("{}{path}", self.base) } else { format!("{}{path}?{query}", self.base) }
        };
        layout.canonical = in_language(self.lang.code());
        layout.alternates = vec![("it", in_language("it")), ("en", in_language("en")), ("x-default", in_language(""))];
        layout
    }

    /// Renders a template as the response, remembering an explicit language choice.
    pub fn render(&self, template: &impl Template, status: StatusCode) -> Response {
        let mut response = match template.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(error) => return self.error(AppError::internal(error)).into_response(),
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

    /// An error of this page: an HTML page with the visitor's language and header, or JSON
    /// when the path is an export.
    pub fn error(&self, error: AppError) -> PageError {
        PageError { error, lang: self.lang, signed_in: self.signed_in(), json: answers_json(self.uri.path()) }
    }
}

impl FromRequestParts<Arc<AppState>> for PageContext {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let mut context = PageContext::new(parts, state);
        if crate::auth::cookie(&parts.headers, crate::auth::SESSION_COOKIE).is_some() {
            let (state, headers) = (Arc::clone(state), parts.headers.clone());
            context.session =
                blocking(move || crate::auth::session(&state, &headers)).await.map_err(|e| context.error(e))?;
        }
        Ok(context)
    }
}

/// A posted form of a signed-in visitor whose CSRF token matches the session: its context
/// (with the session), its fields and the session. Without a session the visitor is sent to
/// the login page; with a wrong token the answer is a 403 page.
#[derive(Debug)]
pub struct CheckedForm {
    /// The page context, with the session.
    pub context: PageContext,
    /// The decoded fields.
    pub fields: Vec<(String, String)>,
    /// The session that posted it.
    pub session: Session,
}

impl FromRequest<Arc<AppState>> for CheckedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &Arc<AppState>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let context = PageContext::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let bytes =
            Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(IntoResponse::into_response)?;
        let fields = form(&bytes);
        let Some(session) = context.session.clone() else { return Err(see_other("/login")) };
        if !crate::auth::csrf_ok(&session, params::first(&fields, "csrf")) {
            let message = context.lang.strings().form_expired;
            return Err(context.error(AppError::new(StatusCode::FORBIDDEN, "csrf", message)).into_response());
        }
        Ok(CheckedForm { context, fields, session })
    }
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub fn form(bytes: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}
