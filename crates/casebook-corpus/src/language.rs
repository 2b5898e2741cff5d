//! Guesses whether a case is written in Italian or English from its function words.

/// The languages a case can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Italian.
    It,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code (`it`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Language::It => "it",
            Language::En => "en",
        }
    }

    /// Parses `it`/`en` (any case, surrounding spaces ignored).
    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "it" | "ita" | "italian" | "italiano" => Some(Language::It),
            "en" | "eng" | "english" | "inglese" => Some(Language::En),
            _ => None,
        }
    }

    /// Both languages.
    pub const ALL: [Language; 2] = [Language::It, Language::En];
}

const ITALIAN: &[&str] = &[
    "il", "lo", "la", "i", "gli", "le", "di", "del", "della", "dei", "delle", "che", "e", "è", "per", "con", "una",
    "un", "nel", "nella", "sono", "non", "alla", "al", "ai", "da", "come", "più", "anche", "questo", "suo", "tra",
];
const ENGLISH: &[&str] = &[
    "the", "and", "of", "to", "in", "is", "for", "with", "that", "on", "are", "by", "this", "was", "from", "an",
    "which", "it", "its", "their", "has", "have", "be", "at", "as", "more", "than", "were", "into", "our",
];

/// The language with more function words in `text`; Italian on a tie (the archive's main
/// language).
pub fn detect(text: &str) -> Language {
    let (mut italian, mut english) = (0usize, 0usize);
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(2000) {
        let lower = word.to_lowercase();
        if ITALIAN.contains(&lower.as_str()) {
            italian += 1;
        }
        if ENGLISH.contains(&lower.as_str()) {
            english += 1;
        }
    }
    if english > italian { Language::En } else { Language::It }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_both_languages() {
        assert_eq!(
            detect("La piattaforma di telemedicina è stata adottata dalle strutture della regione."),
            Language::It
        );
        assert_eq!(
            detect("The platform was adopted by the hospitals of the region in less than a year."),
            Language::En
        );
        assert_eq!(Language::from_code(" EN "), Some(Language::En));
        assert_eq!(Language::from_code("de"), None);
    }
}
