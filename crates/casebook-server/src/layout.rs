//! What every page's frame (`base.html`) shows, built in one place: UI strings, title and
//! description, versioned asset URLs, the link to the same page in the other language, the
//! current section, the signed-in organiser with the CSRF token of the logout form, and the
//! rich-link metadata (canonical and `hreflang` links, Open Graph, Twitter card, JSON-LD).

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
    /// Absolute URL of this page in this language (empty: no canonical link, as on errors).
    pub canonical: String,
    /// The page in each language, for `hreflang` links: (`it`/`en`/`x-default`, absolute URL).
    pub alternates: Vec<(&'static str, String)>,
    /// Open Graph locale of the page (`it_IT`, `en_GB`) and of the other language.
    pub locale: (&'static str, &'static str),
    /// Open Graph type: `website`, `article` or `profile`.
    pub og_type: &'static str,
    /// schema.org JSON-LD of the page, escaped for a `<script>` data block (empty: none).
    pub json_ld: String,
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
            canonical: String::new(),
            alternates: Vec::new(),
            locale: match lang {
                Lang::It => ("it_IT", "en_GB"),
                Lang::En => ("en_GB", "it_IT"),
            },
            og_type: "website",
            json_ld: String::new(),
        }
    }

    /// Adds schema.org JSON-LD and the Open Graph type of the page.
    pub fn with_json_ld(mut self, og_type: &'static str, value: &serde_json::Value) -> Self {
        self.og_type = og_type;
        self.json_ld = json_ld(value);
        self
    }
}

/// JSON for a `<script type="application/ld+json">` data block: `<`, `>` and `&` written as
/// `\u003c`, `\u003e` and `\u0026`, so no text of a case can close the element or open a
/// comment, and the block still parses as the same JSON.
pub fn json_ld(value: &serde_json::Value) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_ld_cannot_close_its_script_element() {
        let value = serde_json::json!({"name": "</script><script>alert(1)</script> & <!--"});
        let text = super::json_ld(&value);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }
}
