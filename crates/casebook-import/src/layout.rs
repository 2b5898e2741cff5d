//! Pages laid out with tables, as archives of the early web were: the page is one big table
//! whose cells hold the menu, the case and the footer. A layout table is unwrapped (its
//! cells become plain blocks, not a markdown table), and the furniture such pages mark with
//! no class or element of their own is recognised by its content: link bars and menus,
//! copyright and "all rights reserved" lines.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Node};

/// Elements a cell of a data table does not hold; a table whose cells hold one lays out a page.
const BLOCKS_IN_CELLS: &[&str] =
    &["table", "p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "form", "center", "dl", "hr"];
/// Longest text of a data table cell, in characters.
const LONG_CELL: usize = 300;
/// Longest text of a copyright line, in characters.
const MAX_COPYRIGHT: usize = 300;

/// The tables under `root` that lay out a page rather than hold data: a cell holds a block
/// (a paragraph, a list, another table...), two line breaks, or a long text; or the table
/// says `role="presentation"`.
pub fn layout_tables(root: ElementRef<'_>) -> HashSet<NodeId> {
    let mut found = HashSet::new();
    for node in root.descendants() {
        let Some(table) = ElementRef::wrap(node) else { continue };
        if table.value().name() != "table" {
            continue;
        }
        let presentation = matches!(table.value().attr("role"), Some("presentation" | "none"));
        let blocks = table.descendants().skip(1).filter_map(ElementRef::wrap).any(|e| {
            let name = e.value().name();
            BLOCKS_IN_CELLS.contains(&name)
        });
        let cells = table
            .descendants()
            .skip(1)
            .filter_map(ElementRef::wrap)
            .filter(|e| matches!(e.value().name(), "td" | "th"));
        let mut big_cell = false;
        for cell in cells {
            let breaks = cell.descendants().filter_map(ElementRef::wrap).filter(|e| e.value().name() == "br").count();
            let length: usize = cell.text().map(|t| t.trim().chars().count()).sum();
            if breaks >= 2 || length > LONG_CELL {
                big_cell = true;
                break;
            }
        }
        if presentation || blocks || big_cell {
            found.insert(table.id());
        }
    }
    found
}

/// The table a table part (`tr`, `td`, ...) belongs to.
pub fn table_of(element: ElementRef<'_>) -> Option<NodeId> {
    if element.value().name() == "table" {
        return Some(element.id());
    }
    element.ancestors().filter_map(ElementRef::wrap).find(|a| a.value().name() == "table").map(|t| t.id())
}

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphanumeric()).count()
}

/// Whether an element of a table-laid page is a menu or link bar: at least three links,
/// their text at least 70% of the element's letters, and most of them pointing into the
/// same site (a list of links to partners' sites is content, not a menu).
pub fn is_menu(element: ElementRef<'_>, base: Option<&url::Url>) -> bool {
    if !matches!(
        element.value().name(),
        "td" | "th" | "div" | "ul" | "ol" | "p" | "tr" | "table" | "center" | "span" | "font"
    ) {
        return false;
    }
    let in_layout = element.value().name() == "td"
        || element.ancestors().filter_map(ElementRef::wrap).any(|a| a.value().name() == "td");
    if !in_layout {
        return false;
    }
    let mut links = 0usize;
    let mut internal = 0usize;
    let mut link_letters = 0usize;
    for node in element.descendants() {
        let Some(link) = ElementRef::wrap(node) else { continue };
        if link.value().name() != "a" {
            continue;
        }
        links += 1;
        link_letters += link.text().map(letters).sum::<usize>();
        let href = link.value().attr("href").unwrap_or_default().trim();
        let same_site = match (url::Url::parse(href), base) {
            (Ok(url), Some(base)) => url.host_str() == base.host_str(),
            (Ok(url), None) => !matches!(url.scheme(), "http" | "https"),
            (Err(_), _) => true,
        };
        if same_site {
            internal += 1;
        }
    }
    let all_letters: usize = element.text().map(letters).sum();
    links >= 3 && link_letters * 10 >= all_letters * 7 && internal * 3 >= links * 2
}

/// Whether a text is a copyright or rights line: `© 2006 SMAU`, `Copyright 2004-2008 ...`,
/// `Tutti i diritti riservati`, `All rights reserved`.
pub fn is_copyright(text: &str) -> bool {
    let text = casebook_corpus::text::squash_spaces(text).to_lowercase();
    if text.is_empty() || text.chars().count() > MAX_COPYRIGHT {
        return false;
    }
    let marked = text.starts_with('©') || text.starts_with("(c)") || text.starts_with("copyright");
    let has_year = text.split(|c: char| !c.is_ascii_digit()).any(|n| n.len() == 4);
    let rights = ["diritti riservati", "rights reserved", "riproduzione riservata", "riproduzione vietata"]
        .iter()
        .any(|phrase| text.contains(phrase));
    rights || (marked && (has_year || text.contains("p.iva") || text.contains("partita iva")))
}

/// Whether an element is a copyright block: a short block whose whole text is one.
pub fn is_copyright_block(element: ElementRef<'_>) -> bool {
    matches!(
        element.value().name(),
        "p" | "div" | "td" | "th" | "tr" | "center" | "font" | "span" | "small" | "address" | "table"
    ) && {
        // Stop reading as soon as the text is too long to be a copyright line.
        let mut text = String::new();
        for piece in element.text() {
            text.push_str(piece);
            if text.len() > MAX_COPYRIGHT * 4 {
                return false;
            }
        }
        is_copyright(&text)
    }
}

/// Whether a node is a text that is a copyright line of its own.
pub fn is_copyright_text(node: &Node) -> bool {
    matches!(node, Node::Text(text) if is_copyright(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copyright_lines() {
        for line in [
            "© 2006 SMAU - Tutti i diritti riservati",
            "Copyright 2004-2008 Premio Innovazione",
            "(c) SMAU S.p.A. - P.IVA 01234567890",
            "All rights reserved.",
        ] {
            assert!(is_copyright(line), "{line}");
        }
        for line in ["Il copyright dei brevetti è stato un tema del progetto.", "© Foto di Mario", ""] {
            assert!(!is_copyright(line), "{line}");
        }
    }
}
