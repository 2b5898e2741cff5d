//! "Label: value" facts written as lines inside one block, the layout of many old archive
//! pages: `<p><b>Azienda:</b> Luce Urbana<br><b>Anno:</b> 2019<br>...</p>`, with `<strong>`,
//! `<span class="label">` or plain `Settore: Sanità` lines, in paragraphs, list items, table
//! cells or divs. Each block's inline content is cut into lines at `<br>` (and at nested
//! blocks, which are read on their own); a line whose label is known gives a fact. The nodes
//! of fact lines are left out of the body, and a block made only of facts is left out whole.

use std::collections::HashSet;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node, Selector};

use crate::extract::Draft;
use crate::labels::field_of;

/// Elements that start a new block: they end a line of their parent and are read on their own.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "form",
    "pre",
    "hr",
    "center",
    "address",
    "figure",
    "body",
    "html",
];
/// Elements whose text is not text.
const HIDDEN: &[&str] = &["script", "style", "noscript", "template", "head", "title"];
/// The blocks whose lines are read.
const CONTAINERS: &str = "p, li, td, th, div, dd, blockquote, center";
/// Longest label, in characters.
const MAX_LABEL: usize = 30;

/// One piece of a block's inline content, in document order.
enum Piece<'a> {
    Text(NodeId, &'a str),
    Open(NodeId, bool),
    Close(NodeId),
    /// A `<br>`: it ends its line and goes with it.
    Break(NodeId),
    /// A nested block: it ends the line but is read on its own.
    Block,
}

/// Whether an inline element marks a label: `<b>`, `<strong>`, `<label>`, or any element
/// whose class says label.
fn is_label_element(element: &scraper::node::Element) -> bool {
    matches!(element.name(), "b" | "strong" | "label")
        || element.classes().any(|c| c.to_ascii_lowercase().contains("label"))
}

/// The inline content of `node`'s children, down through inline elements.
fn pieces<'a>(node: NodeRef<'a, Node>, out: &mut Vec<Piece<'a>>) {
    for child in node.children() {
        match child.value() {
            Node::Text(text) => out.push(Piece::Text(child.id(), text)),
            Node::Element(element) => {
                let name = element.name();
                if HIDDEN.contains(&name) {
                    continue;
                }
                if name == "br" {
                    out.push(Piece::Break(child.id()));
                } else if BLOCKS.contains(&name) {
                    out.push(Piece::Block);
                } else {
                    out.push(Piece::Open(child.id(), is_label_element(element)));
                    pieces(child, out);
                    out.push(Piece::Close(child.id()));
                }
            }
            _ => {}
        }
    }
}

/// A label and a value read from one line, if the line states a fact.
fn fact_of(line: &[Piece<'_>]) -> Option<(&'static str, String)> {
    let mut label: Option<String> = None;
    let mut label_open: Option<NodeId> = None;
    let mut in_label = String::new();
    let mut rest = String::new();
    let mut seen_text = false;
    for piece in line {
        match piece {
            Piece::Open(id, true) if !seen_text && label.is_none() && label_open.is_none() => label_open = Some(*id),
            Piece::Close(id) if label_open == Some(*id) => {
                label = Some(in_label.clone());
                label_open = None;
            }
            Piece::Text(_, text) => {
                if label_open.is_some() {
                    in_label.push_str(text);
                } else {
                    if label.is_none() && text.trim().is_empty() {
                        continue;
                    }
                    seen_text = seen_text || !text.trim().is_empty();
                    rest.push_str(text);
                }
            }
            _ => {}
        }
    }
    let squash = casebook_corpus::text::squash_spaces;
    let known = |label: &str, value: &str| {
        let value = value.trim_start_matches([':', '-', '–']).trim();
        if value.is_empty() || label.chars().count() > MAX_LABEL {
            return None;
        }
        field_of(label).map(|field| (field, value.to_string()))
    };
    // A marked label (`<b>Anno:</b> 2019`), else the text before the first colon.
    if let Some(label) = &label
        && let Some(fact) = known(&squash(label), &squash(&rest))
    {
        return Some(fact);
    }
    let text = squash(&format!("{in_label}{rest}"));
    let (label, value) = text.split_once(':')?;
    known(label.trim(), value)
}

/// Reads the facts of every block's lines into `draft`, and marks what they used.
pub fn label_lines(document: &Html, draft: &mut Draft, consumed: &mut HashSet<NodeId>) {
    let Ok(containers) = Selector::parse(CONTAINERS) else { return };
    for block in document.select(&containers) {
        if block.ancestors().any(|a| consumed.contains(&a.id())) || consumed.contains(&block.id()) {
            continue;
        }
        let mut all = Vec::new();
        pieces(*block, &mut all);
        let mut lines: Vec<&[Piece<'_>]> = Vec::new();
        let mut start = 0;
        for (i, piece) in all.iter().enumerate() {
            if matches!(piece, Piece::Break(_) | Piece::Block) {
                lines.push(&all[start..=i]);
                start = i + 1;
            }
        }
        lines.push(&all[start..]);
        let mut facts = 0;
        let mut other_text = false;
        let mut used: Vec<NodeId> = Vec::new();
        for line in lines {
            let has_text = line.iter().any(|p| matches!(p, Piece::Text(_, t) if !t.trim().is_empty()));
            match fact_of(line) {
                Some((field, value)) => {
                    draft.offer(field, &value);
                    facts += 1;
                    used.extend(line_nodes(line));
                }
                None if has_text => other_text = true,
                None => {}
            }
        }
        if facts == 0 {
            continue;
        }
        if other_text {
            consumed.extend(used);
        } else {
            consumed.insert(block.id());
        }
    }
}

/// The nodes of a fact line to leave out of the body: its text, the inline elements that
/// open and close within it, and the `<br>` that ends it (not a nested block).
fn line_nodes(line: &[Piece<'_>]) -> Vec<NodeId> {
    let opened: HashSet<NodeId> =
        line.iter().filter_map(|p| if let Piece::Open(id, _) = p { Some(*id) } else { None }).collect();
    let mut nodes = Vec::new();
    for piece in line {
        match piece {
            Piece::Text(id, _) => nodes.push(*id),
            Piece::Close(id) if opened.contains(id) => nodes.push(*id),
            Piece::Break(id) => nodes.push(*id),
            _ => {}
        }
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(html: &str) -> (Draft, usize) {
        let document = Html::parse_document(html);
        let mut draft = Draft::default();
        let mut consumed = HashSet::new();
        label_lines(&document, &mut draft, &mut consumed);
        (draft, consumed.len())
    }

    #[test]
    fn bold_labels_in_one_paragraph_become_facts() {
        let (draft, _) = facts(
            "<p><b>Azienda:</b> Luce Urbana S.r.l.<br><b>Anno</b>: 2019<br>\n<strong>Regione:</strong> Puglia<br>\
             <span class=\"label\">Settore</span> Sanita'<br>Città: Lecce</p>",
        );
        assert_eq!(draft.organisation.as_deref(), Some("Luce Urbana S.r.l."));
        assert_eq!(draft.year.as_deref(), Some("2019"));
        assert_eq!(draft.region.as_deref(), Some("Puglia"));
        assert_eq!(draft.sectors, ["Sanita'"]);
        assert_eq!(draft.city.as_deref(), Some("Lecce"));
    }

    #[test]
    fn prose_with_colons_is_not_a_fact() {
        let (draft, consumed) = facts("<p>La sfida: ridurre i consumi.<br><b>Nota:</b> nessuna</p>");
        assert_eq!(draft, Draft::default());
        assert_eq!(consumed, 0);
    }
}
