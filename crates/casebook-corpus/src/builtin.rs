//! The vocabularies shipped with Casebook, used when a corpus folder has no file of its own.
//! They are the files of the bundled `corpus/` folder, compiled in.

use crate::{CorpusConfig, Synonyms, Taxonomy};

/// Text of the bundled `corpus/taxonomy.yaml`.
pub const TAXONOMY_YAML: &str = include_str!("../../../corpus/taxonomy.yaml");
/// Text of the bundled `corpus/synonyms.yaml`.
pub const SYNONYMS_YAML: &str = include_str!("../../../corpus/synonyms.yaml");
/// Text of the bundled `corpus/casebook.yaml`.
pub const CONFIG_YAML: &str = include_str!("../../../corpus/casebook.yaml");

/// The bundled taxonomy.
#[allow(clippy::expect_used, reason = "checked by the tests of this module")]
pub fn taxonomy() -> Taxonomy {
    Taxonomy::from_yaml(TAXONOMY_YAML).expect("bundled taxonomy.yaml is valid")
}

/// The bundled synonym groups.
#[allow(clippy::expect_used, reason = "checked by the tests of this module")]
pub fn synonyms() -> Synonyms {
    Synonyms::from_yaml(SYNONYMS_YAML).expect("bundled synonyms.yaml is valid")
}

/// The bundled corpus configuration.
#[allow(clippy::expect_used, reason = "checked by the tests of this module")]
pub fn config() -> CorpusConfig {
    CorpusConfig::from_yaml(CONFIG_YAML).expect("bundled casebook.yaml is valid")
}

#[cfg(test)]
mod tests {
    #[test]
    fn bundled_files_parse() {
        super::taxonomy();
        super::synonyms();
        assert_eq!(super::config().default_award, "SMAU Innovation Award");
    }
}
