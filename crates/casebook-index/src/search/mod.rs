//! Query understanding and execution: parsing the visitor's text, planning tantivy queries,
//! the tiered matching query, the disjunctive facet collector, facets, snippets, similar
//! cases and completions. Everything here is internal: `Archive` is the way in.

pub(crate) mod collector;
pub(crate) mod exclusion;
pub(crate) mod execute;
pub(crate) mod facets;
pub(crate) mod filters;
pub(crate) mod plan;
pub(crate) mod similar;
pub(crate) mod snippet;
pub(crate) mod suggest;
#[cfg(test)]
mod tests;
pub(crate) mod text;
pub(crate) mod tiered;
