//! The case text of a page: the chosen fragment, rebuilt as clean HTML (only text structure,
//! absolute links, no scripts, navigation, banners, share buttons or comments; the layout
//! tables, menus and copyright lines of table-laid pages are recognised in `layout.rs`),
//! then turned into markdown by `htmd`.

use std::collections::HashSet;

use casebook_corpus::text::{escape_html_into, squash_spaces};
use ego_tree::NodeId;
use htmd::HtmlToMarkdown;
use htmd::options::{BulletListMarker, Options};
use scraper::{ElementRef, Node};

/// Elements dropped with everything inside.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button", "input", "select",
    "textarea", "svg", "canvas", "template", "object", "embed", "video", "audio", "img", "picture", "figure", "h1",
    "dialog", "menu", "link", "meta", "title", "head",
];
/// Elements kept (with their text structure); anything else is unwrapped.
const KEPT: &[&str] = &[
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "b",
    "em",
    "i",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
];
/// Class or id fragments of page furniture.
const FURNITURE: &[&str] = &[
    "cookie",
    "consent",
    "gdpr",
    "share",
    "social",
    "comment",
    "newsletter",
    "banner",
    "breadcrumb",
    "related",
    "advert",
    "promo",
    "sidebar",
    "menu",
    "navbar",
    "footer",
    "header",
    "skip",
    "subscribe",
    "popup",
    "modal",
];

fn is_furniture(element: &scraper::node::Element) -> bool {
    let id = element.id().unwrap_or_default().to_ascii_lowercase();
    let classes: Vec<String> = element.classes().map(|c| c.to_ascii_lowercase()).collect();
    FURNITURE.iter().any(|word| id.contains(word) || classes.iter().any(|c| c.contains(word)))
        || element.attr("role").is_some_and(|r| matches!(r, "navigation" | "banner" | "contentinfo" | "complementary"))
        || element.attr("aria-hidden") == Some("true")
        || element.attr("hidden").is_some()
}

/// What the cleaning of one fragment needs: where links resolve, the nodes to skip (facts
/// already extracted), and the tables that lay out the page (unwrapped, not kept).
struct Cleaning<'a> {
    base: Option<&'a url::Url>,
    skip: &'a HashSet<NodeId>,
    layout_tables: HashSet<NodeId>,
}

/// Parts of a table, unwrapped when the table lays out the page.
const TABLE_PARTS: &[&str] = &["table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption"];

/// Rebuilds `root` as clean HTML, skipping `skip` nodes (facts already extracted).
pub fn clean_html(root: ElementRef<'_>, base: Option<&url::Url>, skip: &HashSet<NodeId>) -> String {
    let cleaning = Cleaning { base, skip, layout_tables: crate::layout::layout_tables(root) };
    let mut out = String::new();
    for child in root.children() {
        write_node(child, &cleaning, false, &mut out);
    }
    out
}

/// `nested`: inside a kept element (a link, a heading, a list, a table, emphasis...), where
/// a code block cannot stand.
fn write_node(node: ego_tree::NodeRef<'_, Node>, cleaning: &Cleaning<'_>, nested: bool, out: &mut String) {
    if cleaning.skip.contains(&node.id()) {
        return;
    }
    match node.value() {
        // A copyright line of its own, after the text of a cell.
        Node::Text(_) if crate::layout::is_copyright_text(node.value()) => {}
        // A line after a `<br>` starts at its first word, not at the source's indentation.
        Node::Text(text)
            if node.prev_sibling().is_some_and(|p| matches!(p.value(), Node::Element(e) if e.name() == "br")) =>
        {
            escape_html_into(text.trim_start(), out)
        }
        Node::Text(text) => escape_html_into(text, out),
        Node::Element(element) => {
            let name = element.name();
            if DROPPED.contains(&name) || is_furniture(element) {
                return;
            }
            if let Some(element_ref) = ElementRef::wrap(node)
                && (crate::layout::is_copyright_block(element_ref)
                    || crate::layout::is_menu(element_ref, cleaning.base))
            {
                return;
            }
            if matches!(name, "pre" | "code") {
                write_code(node, name == "pre" && !nested, cleaning.skip, out);
                return;
            }
            let layout_part = TABLE_PARTS.contains(&name)
                && ElementRef::wrap(node)
                    .and_then(crate::layout::table_of)
                    .is_some_and(|table| cleaning.layout_tables.contains(&table));
            if layout_part {
                // A cell of a layout table is a block of the page; the table itself is nothing.
                let block = matches!(name, "td" | "th" | "caption");
                if block {
                    out.push_str("<div>");
                }
                for child in node.children() {
                    write_node(child, cleaning, nested, out);
                }
                if block {
                    out.push_str("</div>");
                }
                return;
            }
            let kept = KEPT.contains(&name);
            if kept {
                out.push('<');
                out.push_str(name);
                if name == "a" {
                    let href = element.attr("href").and_then(|href| absolute_link(href, cleaning.base));
                    if let Some(href) = href {
                        out.push_str(" href=\"");
                        escape_html_into(&href, out);
                        out.push('"');
                    }
                }
                out.push('>');
            } else if matches!(name, "div" | "section" | "article" | "main") {
                out.push('\n');
            }
            for child in node.children() {
                write_node(child, cleaning, nested || kept, out);
            }
            if kept && !matches!(name, "br" | "hr") {
                out.push_str("</");
                out.push_str(name);
                out.push('>');
            }
        }
        _ => {}
    }
}

/// Code as text only. htmd writes the text of code unescaped, so markup must not reach it
/// in a form markdown would read: a `pre` between blocks becomes `<pre><code>`, a fenced
/// block (htmd picks a fence longer than any run of backquotes inside); inline `code`, and a
/// `pre` inside a link, heading, list or table (where a fence would not be a block), is kept
/// on one line (a line break would end the code span and its text would become live
/// markdown).
fn write_code(node: ego_tree::NodeRef<'_, Node>, block: bool, skip: &HashSet<NodeId>, out: &mut String) {
    let mut text = String::new();
    collect_text(node, skip, &mut text);
    if block {
        out.push_str("<pre><code>");
        escape_html_into(text.trim_matches('\n'), out);
        out.push_str("</code></pre>");
    } else {
        let line = squash_spaces(&text);
        if !line.is_empty() {
            out.push_str("<code>");
            escape_html_into(&line, out);
            out.push_str("</code>");
        }
    }
}

/// The text inside `node`, without dropped elements.
fn collect_text(node: ego_tree::NodeRef<'_, Node>, skip: &HashSet<NodeId>, out: &mut String) {
    for child in node.children() {
        if skip.contains(&child.id()) {
            continue;
        }
        match child.value() {
            Node::Text(text) => out.push_str(text),
            Node::Element(element) if DROPPED.contains(&element.name()) => {}
            Node::Element(element) if element.name() == "br" => out.push('\n'),
            Node::Element(_) => collect_text(child, skip, out),
            _ => {}
        }
    }
}

/// An absolute http(s) or mailto link, or nothing (javascript:, fragments, junk).
pub fn absolute_link(href: &str, base: Option<&url::Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let url = match base {
        Some(base) => base.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
}

/// Markdown of clean HTML.
pub fn to_markdown(html: &str) -> String {
    let converter = HtmlToMarkdown::builder()
        .options(Options {
            bullet_list_marker: BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Default::default()
        })
        .build();
    let markdown = converter.convert(html).unwrap_or_default();
    // Collapse runs of blank lines and trailing spaces.
    let mut out = String::with_capacity(markdown.len());
    let mut blank = 0;
    for line in markdown.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    #[test]
    fn keeps_structure_drops_furniture_and_scripts() {
        let html = Html::parse_document(
            r#"<body><main><h1>T</h1><nav>menu</nav><div class="share-buttons">Share</div>
            <h2>La sfida</h2><p>Testo con <strong>forza</strong> e <a href="/altro">un link</a> e <a href="javascript:x()">no</a>.</p>
            <script>alert(1)</script><ul><li>uno</li><li>due</li></ul><div id="cookie-banner">Accetta</div>
            <p onclick="x()">Fine <img src=x onerror=alert(1)></p></main></body>"#,
        );
        let main = html.select(&Selector::parse("main").unwrap()).next().unwrap();
        let base = url::Url::parse("https://archivio.example/casi/uno").unwrap();
        let markdown = to_markdown(&clean_html(main, Some(&base), &HashSet::new()));
        assert_eq!(
            markdown,
            "## La sfida\n\nTesto con **forza** e [un link](https://archivio.example/altro) e no.\n\n- uno\n- due\n\nFine"
        );
    }
}
