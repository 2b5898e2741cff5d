//! Small text helpers shared by the whole workspace: accent folding, lookup keys, slugs and
//! edit distance. They are deliberately dependency-free so that the index crate analyses
//! queries with exactly the same normalisation as the corpus crate validates values.

/// Appends `c` folded to its ASCII base letters (`à` -> `a`, `ß` -> `ss`), or unchanged when
/// it has no Latin base.
pub fn fold_char_into(c: char, out: &mut String) {
    fold_char(c, out)
}

fn fold_char(c: char, out: &mut String) {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă' | 'Ą' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'ĉ' | 'č' => "c",
        'Ç' | 'Ć' | 'Ĉ' | 'Č' => "C",
        'ď' | 'đ' => "d",
        'Ď' | 'Đ' => "D",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ğ' | 'ģ' => "g",
        'Ğ' | 'Ģ' => "G",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ķ' => "k",
        'Ķ' => "K",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'Ł' | 'Ľ' | 'Ĺ' | 'Ļ' => "L",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'Ñ' | 'Ń' | 'Ň' | 'Ņ' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ř' | 'ŕ' => "r",
        'Ř' | 'Ŕ' => "R",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'Ś' | 'Š' | 'Ş' | 'Ș' => "S",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'Ť' | 'Ţ' | 'Ț' => "T",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' | 'Ÿ' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        '’' | '‘' | '`' | '´' => "'",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(folded);
}

/// Returns `text` with accents removed (`Città` -> `Citta`), case preserved.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Normalises a taxonomy value or user input to a lookup key: folded, lowercase, every run
/// of non-alphanumeric characters collapsed to one space (`"Friuli-Venezia Giulia"` ->
/// `"friuli venezia giulia"`, `"Valle d’Aosta"` -> `"valle d aosta"`).
pub fn lookup_key(text: &str) -> String {
    let folded = fold(text).to_lowercase();
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Appends `text` escaped for HTML/XML element content and attribute values.
pub fn escape_html_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// `text` escaped for HTML/XML.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_html_into(text, &mut out);
    out
}

/// Collapses runs of whitespace to single spaces and trims.
pub fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Turns a free-text value into a lowercase ASCII slug (`"Île-de-France"` -> `"ile-de-france"`).
/// Letters without an ASCII folding are dropped, and so are the hyphens they would leave
/// doubled or at either end (`"Caso Ω progetto"` -> `"caso-progetto"`).
pub fn slugify(text: &str) -> String {
    let kept: String = lookup_key(text)
        .chars()
        .map(|c| if c == ' ' { '-' } else { c })
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    kept.split('-').filter(|part| !part.is_empty()).collect::<Vec<_>>().join("-")
}

/// Whether `id` is a valid case id: lowercase ASCII letters and digits in hyphen-separated
/// groups, at most 80 characters (`medtech4europe-2021`).
pub fn is_valid_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b_chars: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b_chars.len()).collect();
    let mut current = vec![0; b_chars.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b_chars.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b_chars.len()]
}

/// Returns the candidate closest to `input` by edit distance on lookup keys, if it is close
/// enough to be a plausible typo (at most a third of the longer word, and at least 1 edit
/// allowed), or if one contains the other.
pub fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let key = lookup_key(input);
    if key.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        let candidate_key = lookup_key(candidate);
        let distance = edit_distance(&key, &candidate_key);
        let longest = key.chars().count().max(candidate_key.chars().count());
        let allowed = (longest / 3).max(1);
        let contains = key.len() >= 3 && (candidate_key.starts_with(&key) || key.starts_with(&candidate_key));
        if distance <= allowed || contains {
            let rank = if contains { distance.min(allowed) } else { distance };
            if best.is_none_or(|(best_rank, _)| rank < best_rank) {
                best = Some((rank, candidate));
            }
        }
    }
    best.map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_italian_and_european_accents() {
        assert_eq!(fold("Città perché Île Straße"), "Citta perche Ile Strasse");
    }

    #[test]
    fn lookup_keys_ignore_case_accents_and_punctuation() {
        assert_eq!(lookup_key("Friuli-Venezia Giulia"), "friuli venezia giulia");
        assert_eq!(lookup_key("  Valle d’Aosta "), "valle d aosta");
        assert_eq!(lookup_key("Health & Life Science"), "health life science");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Île-de-France"), "ile-de-france");
        assert_eq!(slugify("Caso Ω progetto"), "caso-progetto");
        assert_eq!(slugify("Caso Ŗ"), "caso");
        assert_eq!(slugify("Ω"), "");
        assert!(is_valid_slug("techforlife-medtech4europe"));
        assert!(!is_valid_slug("Tech_For_Life"));
        assert!(!is_valid_slug("double--hyphen"));
        assert!(!is_valid_slug(""));
    }

    #[test]
    fn closest_finds_typos() {
        let candidates = ["health", "energy", "finance"];
        assert_eq!(closest("Helth", candidates), Some("health"));
        assert_eq!(closest("xyzzy-unrelated", candidates), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
