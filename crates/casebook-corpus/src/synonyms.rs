//! Bilingual synonym groups loaded from `synonyms.yaml`. The search core expands a query
//! word or phrase found here to every member of its group.

use std::collections::HashMap;

use serde::Deserialize;

use crate::text::lookup_key;

#[derive(Debug, Deserialize)]
struct SynonymsFile {
    groups: Vec<Vec<String>>,
}

/// Synonym groups, indexed by the lookup key of every member.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    by_key: HashMap<String, Vec<usize>>,
    longest_phrase: usize,
}

impl Synonyms {
    /// Parses synonym groups from YAML text.
    pub fn from_yaml(yaml: &str) -> Result<Self, String> {
        let file: SynonymsFile = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
        let mut synonyms = Synonyms::default();
        for group in file.groups {
            if group.len() < 2 {
                return Err(format!("synonym group {group:?} needs at least two members"));
            }
            let index = synonyms.groups.len();
            for member in &group {
                let key = lookup_key(member);
                synonyms.longest_phrase = synonyms.longest_phrase.max(key.split(' ').count());
                let entry = synonyms.by_key.entry(key).or_default();
                if !entry.contains(&index) {
                    entry.push(index);
                }
            }
            synonyms.groups.push(group);
        }
        Ok(synonyms)
    }

    /// Every member of every group containing `phrase` (matched by lookup key), `phrase`'s
    /// own spelling excluded; empty when it is in no group.
    pub fn expand(&self, phrase: &str) -> Vec<&str> {
        let key = lookup_key(phrase);
        let Some(indexes) = self.by_key.get(&key) else {
            return Vec::new();
        };
        let mut members: Vec<&str> = Vec::new();
        for &index in indexes {
            for member in &self.groups[index] {
                if lookup_key(member) != key && !members.contains(&member.as_str()) {
                    members.push(member);
                }
            }
        }
        members
    }

    /// Whether `phrase` (by lookup key) is a member of some group.
    pub fn contains(&self, phrase: &str) -> bool {
        self.by_key.contains_key(&lookup_key(phrase))
    }

    /// The number of words of the longest member, to bound phrase matching in queries.
    pub fn longest_phrase(&self) -> usize {
        self.longest_phrase
    }

    /// The groups, each member as written in the file.
    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn expands_across_languages() {
        let synonyms = crate::builtin::synonyms();
        let expanded = synonyms.expand("AI");
        assert!(expanded.contains(&"intelligenza artificiale"), "{expanded:?}");
        assert!(synonyms.expand("Intelligenza Artificiale").contains(&"AI"));
        assert!(synonyms.expand("telemedicina").contains(&"telemedicine"));
        assert!(synonyms.expand("realta virtuale").contains(&"VR"));
        assert!(synonyms.expand("no such thing").is_empty());
        assert!(synonyms.len() >= 40);
        assert!(synonyms.longest_phrase() >= 3);
    }
}
