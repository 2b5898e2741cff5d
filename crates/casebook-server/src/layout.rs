//! What every page's frame (`base.html`) shows, built in one place: UI strings, title and
//! description, versioned asset URLs, the link to the same page in the other language, the
//! current section, and the signed-in organiser with the CSRF token of the logout form.

use crate::i18n::{Lang, Strings};

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

/// Who is signed in, as the page header shows it: name and CSRF token.
#[derive(Debug, Clone, Default)]
pub struct SignedIn {
    /// Account name.
    pub name: String,
    /// CSRF token of the session.
    pub csrf: String,
}

impl Layout {
    /// The frame of a page in `lang`. `switch_href` is this page in the other language.
    pub fn new(
        lang: Lang,
        title: String,
        description: String,
        section: &'static str,
        switch_href: String,
        signed_in: Option<&SignedIn>,
    ) -> Self {
        Layout {
            t: lang.strings(),
            title,
            description,
            css: crate::assets::url("site.css"),
            js: crate::assets::url("app.js"),
            icon: crate::assets::url("favicon.svg"),
            switch_href,
            section,
            user: signed_in.map(|s| s.name.clone()),
            csrf: signed_in.map(|s| s.csrf.clone()).unwrap_or_default(),
        }
    }
}
