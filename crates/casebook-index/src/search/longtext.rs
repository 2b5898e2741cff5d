//! Which query units are counted, and how a long text becomes a query (issue 12).
//!
//! Stop words are dropped first, before any length cap. Up to [`SHORT_QUERY_WORDS`] content
//! words (or with `match=all`/`any`) are matched by tiers: cases with every word first.
//! Longer texts with the default match mode are ranked by BM25 alone: a repeated
//! word counts once with its number of occurrences as weight, stop words are those of the
//! query's language when its function words tell it, and beyond [`MAX_UNITS`] distinct words
//! the most distinctive ones are kept, as Lucene's MoreLikeThis picks its terms: by
//! occurrences × IDF in the archive.

use std::collections::HashMap;

use casebook_corpus::Language;

use super::plan::Planner;
use super::text::{ParsedQuery, Unit};
use crate::analysis::is_stop_word;
use crate::request::MatchMode;

/// Up to this many content words, a query is matched by tiers (every word first).
pub const SHORT_QUERY_WORDS: usize = 3;

/// Most query words (units) counted; a longer text keeps its most distinctive ones.
pub const MAX_UNITS: usize = 25;

/// A counted unit with its weight and IDF.
#[derive(Debug, Clone)]
pub struct Chosen {
    /// The unit (its first occurrence).
    pub unit: Unit,
    /// Occurrences in the query.
    pub count: usize,
    /// Inverse document frequency in the archive (long texts only; 0 otherwise).
    pub idf: f32,
}

/// The units to plan.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Counted units, in query order.
    pub units: Vec<Chosen>,
    /// Whether the query is ranked by BM25 alone (a long text).
    pub ranked: bool,
    /// Content words left out (the least distinctive of a long text).
    pub left_out: Vec<String>,
}

/// The language of a query by its function words (stop words of one list and not of the
/// other); `None` when they do not tell. Synonyms are left out by the caller: `AI` is not
/// the Italian "ai".
pub fn query_language<'a>(units: impl Iterator<Item = &'a Unit>) -> Option<Language> {
    let (mut italian, mut english) = (0usize, 0usize);
    for unit in units.filter(|unit| !unit.quoted) {
        for word in unit.text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
            let lower = word.to_lowercase();
            italian += usize::from(is_stop_word(Language::It, &lower));
            english += usize::from(is_stop_word(Language::En, &lower));
        }
    }
    match italian.cmp(&english) {
        std::cmp::Ordering::Greater => Some(Language::It),
        std::cmp::Ordering::Less => Some(Language::En),
        std::cmp::Ordering::Equal => None,
    }
}

/// Chooses the units to count.
pub fn select(planner: &Planner<'_>, query: &ParsedQuery, mode: MatchMode) -> Selection {
    let all = query.units.len();
    let content: Vec<&Unit> = query.units.iter().filter(|unit| !planner.is_noise(unit, all, None)).collect();
    if mode != MatchMode::Last || content.len() <= SHORT_QUERY_WORDS {
        let units = content.into_iter().take(MAX_UNITS).map(|unit| Chosen { unit: unit.clone(), count: 1, idf: 0.0 });
        return Selection { units: units.collect(), ranked: false, left_out: Vec::new() };
    }
    let language = query_language(query.units.iter().filter(|unit| !planner.synonyms.contains(&unit.text)));
    let mut distinct: Vec<Chosen> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
    for unit in query.units.iter().filter(|unit| !planner.is_noise(unit, all, language)) {
        let key = unit_key(planner, unit, language);
        if let Some(&position) = positions.get(&key) {
            distinct[position].count += 1;
        } else {
            positions.insert(key, distinct.len());
            let unit = Unit { prefix: false, ..unit.clone() };
            distinct.push(Chosen { idf: idf(planner, &unit), unit, count: 1 });
        }
    }
    let mut left_out = Vec::new();
    if distinct.len() > MAX_UNITS {
        let weight = |chosen: &Chosen| chosen.count as f32 * chosen.idf;
        let mut order: Vec<usize> = (0..distinct.len()).collect();
        order.sort_by(|&a, &b| weight(&distinct[b]).total_cmp(&weight(&distinct[a])).then(a.cmp(&b)));
        let mut keep = vec![false; distinct.len()];
        for &position in order.iter().take(MAX_UNITS) {
            keep[position] = true;
        }
        let mut kept = Vec::with_capacity(MAX_UNITS);
        for (chosen, keep) in distinct.into_iter().zip(keep) {
            if keep {
                kept.push(chosen);
            } else {
                left_out.push(chosen.unit.text);
            }
        }
        distinct = kept;
    }
    Selection { units: distinct, ranked: true, left_out }
}

/// What makes two units the same word: their stems in the query's language (in both when it
/// is not known); a quoted phrase is never the same as unquoted words.
fn unit_key(planner: &Planner<'_>, unit: &Unit, language: Option<Language>) -> String {
    let stems = |language| planner.analyzers.terms(language, &unit.text).join(" ");
    let key = match language {
        Some(language) => stems(language),
        None => format!("{}|{}", stems(Language::It), stems(Language::En)),
    };
    if unit.quoted { format!("\"{key}") } else { key }
}

/// BM25's inverse document frequency of a unit: `ln(1 + (N − df + 0.5) / (df + 0.5))`, where
/// df counts the cases whose title or body contain it in their language (a phrase counted by
/// its rarest word), the largest over its synonyms; 0 when no case contains it.
fn idf(planner: &Planner<'_>, unit: &Unit) -> f32 {
    let mut alternatives = vec![unit.text.clone()];
    if !unit.quoted {
        alternatives.extend(planner.synonyms.expand(&unit.text).into_iter().map(str::to_string));
    }
    let mut df = 0u64;
    for alternative in &alternatives {
        let mut cases = 0u64;
        for language in Language::ALL {
            let terms = planner.analyzers.terms(language, alternative);
            cases += terms.iter().map(|term| planner.language_doc_freq(language, term)).min().unwrap_or(0);
        }
        df = df.max(cases);
    }
    if df == 0 {
        return 0.0;
    }
    let n = planner.searcher.num_docs() as f32;
    let df = df as f32;
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(text: &str) -> Unit {
        Unit { text: text.into(), quoted: false, prefix: false }
    }

    #[test]
    fn the_language_of_a_query_is_told_by_its_function_words() {
        let english: Vec<Unit> = "sensors that monitor the beehives".split(' ').map(unit).collect();
        assert_eq!(query_language(english.iter()), Some(Language::En));
        let italian: Vec<Unit> = "sensori che controllano gli alveari".split(' ').map(unit).collect();
        assert_eq!(query_language(italian.iter()), Some(Language::It));
        assert_eq!(query_language([unit("telemedicina"), unit("Brescia")].iter()), None);
    }
}
