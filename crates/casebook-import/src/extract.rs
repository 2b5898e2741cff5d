//! Finding the facts of a case in a page: a site profile when given, else the generic
//! extractors, from the most explicit to the least: "label: value" facts shown on the page
//! (definition lists, two-column tables, "Settore: Sanità" lines and `<b>Anno:</b> 2019<br>`
//! runs), JSON-LD (schema.org
//! Article, CreativeWork, Organization, Event), OpenGraph and standard meta tags, `<h1>`.
//! The first source that gives a field wins.

use std::collections::HashSet;

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::clean;
use crate::labels::field_of;
use crate::profile::Profile;

/// The raw facts of a page, before normalisation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    pub title: Option<String>,
    pub organisation: Option<String>,
    pub year: Option<String>,
    pub sectors: Vec<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
    pub award: Option<String>,
    pub event: Option<String>,
    pub category: Option<String>,
    pub outcome: Option<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub website: Option<String>,
    pub partners: Vec<String>,
    /// `<html lang>`.
    pub language: Option<String>,
    /// The case text as markdown.
    pub body: String,
    /// `<link rel=canonical>` or `og:url`.
    pub canonical: Option<String>,
}

use casebook_corpus::text::squash_spaces as squash;

/// The visible text of an element: script, style and template contents are not text.
fn text_of(element: ElementRef<'_>) -> String {
    let mut text = String::new();
    for node in element.descendants() {
        if let scraper::Node::Text(t) = node.value() {
            let hidden = node
                .ancestors()
                .filter_map(ElementRef::wrap)
                .any(|a| matches!(a.value().name(), "script" | "style" | "noscript" | "template"));
            if !hidden {
                text.push_str(t);
            }
        }
    }
    squash(&text)
}

fn split_list(value: &str) -> Vec<String> {
    value.split([',', ';', '|', '·', '\n']).map(squash).filter(|v| !v.is_empty()).collect()
}

impl Draft {
    /// Sets a field from text if it is still empty.
    pub(crate) fn offer(&mut self, field: &str, value: &str) {
        let value = squash(value);
        if value.is_empty() {
            return;
        }
        let single = |slot: &mut Option<String>| {
            if slot.is_none() {
                *slot = Some(value.clone());
            }
        };
        let list = |slot: &mut Vec<String>| {
            if slot.is_empty() {
                *slot = split_list(&value);
            }
        };
        match field {
            "title" => single(&mut self.title),
            "organisation" => single(&mut self.organisation),
            "year" => single(&mut self.year),
            "sector" => list(&mut self.sectors),
            "region" => single(&mut self.region),
            "city" => single(&mut self.city),
            "country" => single(&mut self.country),
            "award" => single(&mut self.award),
            "event" => single(&mut self.event),
            "category" => single(&mut self.category),
            "outcome" => single(&mut self.outcome),
            "tags" => list(&mut self.tags),
            "summary" => single(&mut self.summary),
            "website" => single(&mut self.website),
            "partners" => list(&mut self.partners),
            _ => {}
        }
    }
}

fn css(selector: &str) -> Selector {
    // The selectors below are constants known to parse; an unparsable one matches nothing.
    Selector::parse(selector)
        .unwrap_or_else(|_| Selector::parse("nonexistent-element").unwrap_or_else(|_| unreachable!()))
}

/// Extracts the facts and text of a page. `page_url` is where it was read from; relative
/// links resolve against the page's canonical URL when it declares one (saved pages keep
/// it), else against `page_url` when that is http(s).
pub fn extract(html: &str, page_url: Option<&url::Url>, profile: Option<&Profile>) -> Draft {
    let document = Html::parse_document(html);
    let mut draft = Draft::default();
    let mut consumed: HashSet<NodeId> = HashSet::new();
    let mut body_root: Option<ElementRef<'_>> = None;

    if let Some(profile) = profile {
        apply_profile(&document, profile, &mut draft, &mut consumed, &mut body_root);
    }
    label_values(&document, &mut draft, &mut consumed);
    json_ld(&document, &mut draft);
    meta_tags(&document, &mut draft);
    if let Some(h1) = document.select(&css("h1")).next() {
        draft.offer("title", &text_of(h1));
    }
    if let Some(lang) = document.select(&css("html")).next().and_then(|h| h.value().attr("lang")) {
        draft.language = Some(lang.to_ascii_lowercase());
    }

    let canonical = draft.canonical.as_deref().and_then(|c| match page_url {
        Some(page) => page.join(c).ok(),
        None => url::Url::parse(c).ok(),
    });
    let web = |u: &url::Url| matches!(u.scheme(), "http" | "https");
    let base = canonical.filter(web).or_else(|| page_url.filter(|u| web(u)).cloned());
    draft.canonical = base.as_ref().map(|u| u.to_string()).filter(|_| draft.canonical.is_some());
    let base = base.as_ref();
    // The first candidate that holds text: a page may carry an empty `<article>` (a teaser
    // shell, a template) before its `<main>`.
    let has_text = |element: &ElementRef<'_>| element.text().any(|t| !t.trim().is_empty());
    let root = body_root.or_else(|| {
        ["article", "main", "[role=main]", "#content", ".content", "body"]
            .iter()
            .find_map(|s| document.select(&css(s)).find(has_text))
    });
    if let Some(root) = root {
        draft.body = clean::to_markdown(&clean::clean_html(root, base, &consumed));
    }
    draft
}

fn apply_profile<'a>(
    document: &'a Html,
    profile: &Profile,
    draft: &mut Draft,
    consumed: &mut HashSet<NodeId>,
    body_root: &mut Option<ElementRef<'a>>,
) {
    for selector in &profile.remove {
        for element in document.select(selector) {
            consumed.insert(element.id());
        }
    }
    let page_text = || squash(&document.root_element().text().collect::<Vec<_>>().join(" "));
    for field in crate::profile::FIELDS {
        if *field == "body" {
            if let Some(selector) = profile.selectors.get("body") {
                *body_root = document.select(selector).next();
            }
            continue;
        }
        let texts: Vec<String> = match profile.selectors.get(*field) {
            Some(selector) => document
                .select(selector)
                .map(|element| {
                    consumed.insert(element.id());
                    text_of(element)
                })
                .collect(),
            None if profile.patterns.contains_key(*field) => vec![page_text()],
            None => continue,
        };
        let values: Vec<String> = match profile.patterns.get(*field) {
            Some(pattern) => texts
                .iter()
                .filter_map(|text| pattern.captures(text).and_then(|c| c.get(1)).map(|m| m.as_str().to_string()))
                .collect(),
            None => texts,
        };
        if matches!(*field, "tags" | "sector" | "partners") {
            draft.offer(field, &values.join(", "));
        } else if let Some(first) = values.first() {
            draft.offer(field, first);
        }
    }
}

/// "Label: value" facts: `<dl>`, two-cell table rows, and lines of paragraphs, list items,
/// cells and divs that read "Settore: Sanità" or `<b>Anno:</b> 2019<br>` (see `runs.rs`).
/// What the facts were read from is left out of the body.
fn label_values(document: &Html, draft: &mut Draft, consumed: &mut HashSet<NodeId>) {
    for list in document.select(&css("dl")) {
        let mut label: Option<String> = None;
        let mut used = false;
        for child in list.children().filter_map(ElementRef::wrap) {
            match child.value().name() {
                "dt" => label = Some(text_of(child)),
                "dd" => {
                    if let Some(field) = label.as_deref().and_then(field_of) {
                        draft.offer(field, &text_of(child));
                        used = true;
                    }
                }
                // <div><dt/><dd/></div> groups are allowed in HTML.
                "div" => {
                    let dt = child.select(&css("dt")).next().map(text_of);
                    let dd = child.select(&css("dd")).next().map(text_of);
                    if let (Some(field), Some(value)) = (dt.as_deref().and_then(field_of), dd) {
                        draft.offer(field, &value);
                        used = true;
                    }
                }
                _ => {}
            }
        }
        if used {
            consumed.insert(list.id());
        }
    }
    for table in document.select(&css("table")) {
        let mut used = 0;
        for row in table.select(&css("tr")) {
            let cells: Vec<ElementRef<'_>> = row
                .children()
                .filter_map(ElementRef::wrap)
                .filter(|c| matches!(c.value().name(), "th" | "td"))
                .collect();
            if let [label, value] = cells.as_slice()
                && let Some(field) = field_of(&text_of(*label))
            {
                draft.offer(field, &text_of(*value));
                used += 1;
            }
        }
        if used >= 2 {
            consumed.insert(table.id());
        }
    }
    crate::runs::label_lines(document, draft, consumed);
}

fn types(object: &serde_json::Map<String, Value>) -> Vec<String> {
    match object.get("@type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(|t| t.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => string(o.get("name")),
        Value::Array(items) => items.first().and_then(|v| string(Some(v))),
        _ => None,
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| string(Some(v))).collect(),
        Some(Value::String(s)) => split_list(s),
        Some(other) => string(Some(other)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn address(draft: &mut Draft, value: Option<&Value>) {
    let Some(Value::Object(address)) = value else { return };
    if let Some(Value::Object(inner)) = address.get("address") {
        return address_fields(draft, inner);
    }
    address_fields(draft, address);
}

fn address_fields(draft: &mut Draft, address: &serde_json::Map<String, Value>) {
    if let Some(region) = string(address.get("addressRegion")) {
        draft.offer("region", &region);
    }
    if let Some(city) = string(address.get("addressLocality")) {
        draft.offer("city", &city);
    }
    if let Some(country) = string(address.get("addressCountry")) {
        draft.offer("country", &country);
    }
}

fn organisation(draft: &mut Draft, object: &serde_json::Map<String, Value>) {
    if let Some(name) = string(object.get("name")) {
        draft.offer("organisation", &name);
    }
    address(draft, object.get("address"));
    if let Some(url) = string(object.get("url")) {
        draft.offer("website", &url);
    }
}

const ORGANISATION_TYPES: &[&str] =
    &["Organization", "Corporation", "GovernmentOrganization", "NGO", "LocalBusiness", "EducationalOrganization"];
const CREATIVE_TYPES: &[&str] =
    &["Article", "NewsArticle", "BlogPosting", "CreativeWork", "Report", "WebPage", "CaseStudy"];

fn visit(draft: &mut Draft, value: &Value) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| visit(draft, item)),
        Value::Object(object) => {
            if let Some(graph) = object.get("@graph") {
                visit(draft, graph);
            }
            let kinds = types(object);
            let is = |names: &[&str]| kinds.iter().any(|k| names.contains(&k.as_str()));
            if is(CREATIVE_TYPES) {
                for key in ["headline", "name"] {
                    if let Some(title) = string(object.get(key)) {
                        draft.offer("title", &title);
                    }
                }
                if let Some(description) = string(object.get("description")) {
                    draft.offer("summary", &description);
                }
                for key in ["datePublished", "dateCreated"] {
                    if let Some(date) = string(object.get(key)) {
                        draft.offer("year", &date);
                    }
                }
                draft.offer("tags", &strings(object.get("keywords")).join(", "));
                for key in ["articleSection", "genre"] {
                    draft.offer("sector", &strings(object.get(key)).join(", "));
                }
                if let Some(award) = string(object.get("award")) {
                    draft.offer("award", &award);
                }
                for key in ["about", "author", "creator", "sourceOrganization"] {
                    match object.get(key) {
                        Some(Value::Object(inner)) if is_organisation(inner) => organisation(draft, inner),
                        Some(Value::Array(items)) => {
                            for item in items {
                                if let Value::Object(inner) = item
                                    && is_organisation(inner)
                                {
                                    organisation(draft, inner);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                address(draft, object.get("contentLocation"));
            }
            if is(ORGANISATION_TYPES) {
                organisation(draft, object);
            }
            if is(&["Event"]) {
                if let Some(name) = string(object.get("name")) {
                    draft.offer("event", &name);
                }
                if let Some(date) = string(object.get("startDate")) {
                    draft.offer("year", &date);
                }
            }
            if let Some(Value::Object(event)) = object.get("recordedAt").or_else(|| object.get("event")) {
                visit(draft, &Value::Object(event.clone()));
            }
        }
        _ => {}
    }
}

fn is_organisation(object: &serde_json::Map<String, Value>) -> bool {
    types(object).iter().any(|k| ORGANISATION_TYPES.contains(&k.as_str()))
}

fn json_ld(document: &Html, draft: &mut Draft) {
    for script in document.select(&css("script[type='application/ld+json']")) {
        let text: String = script.text().collect();
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            visit(draft, &value);
        }
    }
}

fn meta_tags(document: &Html, draft: &mut Draft) {
    let meta = |key: &str| -> Vec<String> {
        let selector = css(&format!("meta[property='{key}'], meta[name='{key}']"));
        document.select(&selector).filter_map(|m| m.value().attr("content").map(squash)).collect()
    };
    for (key, field) in [
        ("og:title", "title"),
        ("description", "summary"),
        ("og:description", "summary"),
        ("article:published_time", "year"),
        ("date", "year"),
        ("article:section", "sector"),
    ] {
        if let Some(value) = meta(key).into_iter().next() {
            draft.offer(field, &value);
        }
    }
    let tags = meta("article:tag");
    if !tags.is_empty() {
        draft.offer("tags", &tags.join(", "));
    } else if let Some(keywords) = meta("keywords").into_iter().next() {
        draft.offer("tags", &keywords);
    }
    let canonical = document
        .select(&css("link[rel='canonical']"))
        .next()
        .and_then(|l| l.value().attr("href").map(str::to_string))
        .or_else(|| meta("og:url").into_iter().next());
    draft.canonical = canonical;
}
