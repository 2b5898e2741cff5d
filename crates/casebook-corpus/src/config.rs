//! Corpus-wide settings from `casebook.yaml`.

use serde::Deserialize;

/// Settings that apply to every case of a corpus.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorpusConfig {
    /// Display name of the archive.
    #[serde(default = "default_name")]
    pub name: String,
    /// Award given to cases whose front matter has no `award`.
    #[serde(default = "default_award")]
    pub default_award: String,
}

fn default_name() -> String {
    "Casebook".to_string()
}

fn default_award() -> String {
    "SMAU Innovation Award".to_string()
}

impl Default for CorpusConfig {
    fn default() -> Self {
        CorpusConfig { name: default_name(), default_award: default_award() }
    }
}

impl CorpusConfig {
    /// Parses the configuration from YAML text.
    pub fn from_yaml(yaml: &str) -> Result<Self, String> {
        serde_saphyr::from_str(yaml).map_err(|e| e.to_string())
    }
}
