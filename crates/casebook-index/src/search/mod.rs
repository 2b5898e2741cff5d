//! Query understanding and execution: parsing the visitor's text, planning tantivy queries,
//! the tiered matching query, the disjunctive facet collector and snippets.

pub mod collector;
pub mod exclusion;
pub mod plan;
pub mod similar;
pub mod snippet;
pub mod suggest;
pub mod text;
pub mod tiered;
