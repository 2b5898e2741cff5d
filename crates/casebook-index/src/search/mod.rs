//! Query understanding and execution: parsing the visitor's text, choosing the counted words
//! (long texts: `longtext.rs`), stem-level synonyms, planning tantivy queries, the tiered
//! matching query, explanations of scores, the disjunctive facet collector, facets, snippets, similar
//! cases and completions. Everything here is internal: `Archive` is the way in.

pub(crate) mod bits;
pub(crate) mod bm25f;
pub(crate) mod collector;
pub(crate) mod cursors;
pub(crate) mod dictionary;
pub(crate) mod exclusion;
pub(crate) mod execute;
pub(crate) mod explain;
pub(crate) mod facet_index;
pub(crate) mod facets;
pub(crate) mod filters;
pub(crate) mod longtext;
pub(crate) mod organisation_order;
pub(crate) mod plan;
pub(crate) mod similar;
pub(crate) mod snippet;
pub(crate) mod suggest;
pub(crate) mod synonyms;
#[cfg(test)]
mod tests;
pub(crate) mod text;
pub(crate) mod tiered;
pub(crate) mod union;
