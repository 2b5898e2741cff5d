//! `casebook-bench gen-corpus`: N realistic, taxonomy-valid case files for benchmarks, and a query
//! mix, deterministic for a given seed.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::rng::{Rng, Weighted};
use crate::vocabulary::*;

/// What a generated corpus looks like.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of cases.
    pub cases: usize,
    /// Seed.
    pub seed: u64,
    /// Number of requests in the query mix.
    pub queries: usize,
}

struct Language {
    words: Vec<String>,
    glue: Vec<&'static str>,
    zipf: Weighted,
    sections: [&'static str; 3],
    code: &'static str,
}

/// Words of the long tail: deterministic pseudo-words from syllables, distinct from each
/// other and from the head.
fn tail(syllables: &[&str], count: usize, seed: u64, head: &[String]) -> Vec<String> {
    let mut rng = Rng::new(seed, 99);
    let mut seen: std::collections::HashSet<String> = head.iter().cloned().collect();
    let mut words = Vec::with_capacity(count);
    while words.len() < count {
        let mut word = String::new();
        for _ in 0..rng.range(2, 4) {
            let syllable: &&str = rng.pick(syllables);
            word.push_str(syllable);
        }
        if seen.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// Words per language: the real domain words first, then the tail.
const TAIL_WORDS: usize = 20_000;

fn language(
    text: &'static str,
    glue: &'static str,
    syllables: &[&str],
    sections: [&'static str; 3],
    code: &'static str,
) -> Language {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let extra = tail(syllables, TAIL_WORDS, code.len() as u64 * 7919 + code.as_bytes()[0] as u64, &words);
    words.extend(extra);
    // Zipf with a rank offset: the most frequent content word is about 0.6% of the words,
    // as in real prose once function words (the glue below) are set apart.
    let weights: Vec<f64> = (0..words.len()).map(|k| 1.0 / (k as f64 + 20.0)).collect();
    Language { zipf: Weighted::new(&weights), words, glue: glue.split_whitespace().collect(), sections, code }
}

const ITALIAN_SYLLABLES: &[&str] = &[
    "ca", "re", "to", "li", "ma", "ne", "si", "po", "gra", "tri", "ven", "stel", "mo", "ri", "fe", "lu", "va", "co",
    "ta", "di", "lo", "sa", "pe", "ni", "rac", "zio", "men", "te", "bo", "gu", "ce", "ro", "fa", "no", "tu", "ra",
];
const ENGLISH_SYLLABLES: &[&str] = &[
    "con", "tra", "ment", "ize", "ab", "le", "ex", "pro", "ver", "sion", "ing", "ter", "com", "pat", "ly", "ful",
    "dis", "gen", "port", "struct", "form", "lat", "ive", "ance", "re", "cord", "mark", "ward", "sel", "ty",
];

fn sentence(rng: &mut Rng, lang: &Language, out: &mut String) {
    let length = rng.range(8, 20);
    for i in 0..length {
        let glue: &&str = rng.pick(&lang.glue);
        let word: &str = if rng.chance(0.35) { glue } else { &lang.words[lang.zipf.sample(rng)] };
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
    out.push_str(". ");
}

fn paragraph(rng: &mut Rng, lang: &Language, out: &mut String) {
    for _ in 0..rng.range(2, 4) {
        sentence(rng, lang, out);
    }
    out.push_str("\n\n");
}

fn title(rng: &mut Rng, lang: &Language) -> String {
    let mut words: Vec<&str> = Vec::new();
    for _ in 0..rng.range(4, 8) {
        words.push(&lang.words[lang.zipf.sample(rng)]);
    }
    let mut text = words.join(" ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// Writes `options.cases` case files under `out/cases/` (1,000 per folder) and the query mix
/// to `out/queries.jsonl`. Returns the bytes of markdown written.
pub fn generate(out: &Path, options: &GenOptions) -> std::io::Result<u64> {
    let italian = language(ITALIAN, ITALIAN_GLUE, ITALIAN_SYLLABLES, ["La sfida", "La soluzione", "I risultati"], "it");
    let english = language(ENGLISH, ENGLISH_GLUE, ENGLISH_SYLLABLES, ["Challenge", "Solution", "Results"], "en");
    let sectors = Weighted::new(&SECTOR_WEIGHTS.iter().map(|(_, w)| *w).collect::<Vec<_>>());
    let regions = Weighted::new(&ITALIAN_REGIONS.iter().map(|(_, w, _)| *w).collect::<Vec<_>>());
    let tags = Weighted::zipf(TAGS.len(), 0.9);
    let years = Weighted::new(&(2010..=2026).map(|y| 1.0 + f64::from(y - 2010) * 0.15).collect::<Vec<_>>());
    let mut rng = Rng::new(options.seed, 1);
    let mut bytes = 0u64;
    let mut body = String::with_capacity(8192);
    let mut file = String::with_capacity(8192);
    for n in 0..options.cases {
        let lang = if rng.chance(0.7) { &italian } else { &english };
        let case_title = title(&mut rng, lang);
        let mut slug = casebook_corpus::text::slugify(&case_title);
        slug.truncate(40);
        let id = format!("g{n:07}-{}", slug.trim_end_matches('-'));
        let year = 2010 + years.sample(&mut rng);
        let primary = SECTOR_WEIGHTS[sectors.sample(&mut rng)].0;
        let mut case_sectors = vec![primary];
        if rng.chance(0.15) {
            let second = SECTOR_WEIGHTS[sectors.sample(&mut rng)].0;
            if second != primary {
                case_sectors.push(second);
            }
        }
        file.clear();
        let _ = writeln!(file, "---\ntitle: {}", quote(&case_title));
        let organisation = format!("{} {} {}", rng.pick(ORG_PREFIX), rng.pick(ORG_CORE), rng.pick(ORG_SUFFIX));
        let _ = writeln!(file, "organisation: {}\nyear: {year}", quote(&organisation));
        if case_sectors.len() == 1 {
            let _ = writeln!(file, "sector: {primary}");
        } else {
            let _ = writeln!(file, "sector: [{}]", case_sectors.join(", "));
        }
        let city = if rng.chance(0.1) {
            let (country, region, city) = rng.pick(FOREIGN_REGIONS);
            let _ = writeln!(file, "region: {}\ncountry: {country}", quote(region));
            *city
        } else {
            let (region, _, cities) = ITALIAN_REGIONS[regions.sample(&mut rng)];
            let _ = writeln!(file, "region: {}", quote(region));
            *rng.pick(cities)
        };
        let _ = writeln!(file, "city: {}", quote(city));
        if rng.chance(0.5) {
            let stage = ["Milano", "Napoli", "Bologna", "Padova", "Firenze", "Torino"][rng.range(0, 5)];
            let _ = writeln!(file, "event: \"SMAU {stage} {year}\"");
        }
        let outcome = ["winner", "finalist", "mention"][rng.range(0, 2)];
        let mut case_tags: Vec<&str> = (0..rng.range(2, 5)).map(|_| TAGS[tags.sample(&mut rng)]).collect();
        case_tags.sort_unstable();
        case_tags.dedup();
        let _ = writeln!(
            file,
            "outcome: {outcome}\ntags: [{}]\nlanguage: {}\n---\n",
            case_tags.iter().map(|t| quote(t)).collect::<Vec<_>>().join(", "),
            lang.code
        );
        body.clear();
        let target = rng.range(1000, 4000);
        paragraph(&mut rng, lang, &mut body);
        let mut section = 0;
        while body.len() < target {
            let _ = writeln!(body, "## {}\n", lang.sections[section % 3]);
            paragraph(&mut rng, lang, &mut body);
            if rng.chance(0.3) {
                for _ in 0..rng.range(2, 4) {
                    body.push_str("- ");
                    sentence(&mut rng, lang, &mut body);
                    body.push('\n');
                }
                body.push('\n');
            }
            section += 1;
        }
        file.push_str(&body);
        let dir = out.join("cases").join(format!("{:04}", n / 1000));
        if n % 1000 == 0 {
            fs::create_dir_all(&dir)?;
        }
        fs::write(dir.join(format!("{id}.md")), &file)?;
        bytes += file.len() as u64;
    }
    write_queries(out, options, &italian, &english)?;
    Ok(bytes)
}

/// The query mix: a tenth empty (facets only), half text only (1-3 words drawn like the
/// documents' words), a quarter text with one or two facet selections, the rest also with a
/// year range.
fn write_queries(out: &Path, options: &GenOptions, italian: &Language, english: &Language) -> std::io::Result<()> {
    let mut rng = Rng::new(options.seed, 2);
    let regions = ["Lombardia", "Lazio", "Veneto", "Campania", "IT", "DE", "Piemonte", "Toscana"];
    let mut file = fs::File::create(out.join("queries.jsonl"))?;
    for _ in 0..options.queries {
        let lang = if rng.chance(0.7) { italian } else { english };
        let roll = rng.unit();
        let mut request = serde_json::Map::new();
        if roll >= 0.10 {
            let words: Vec<&str> =
                (0..rng.range(1, 3)).map(|_| lang.words[lang.zipf.sample(&mut rng)].as_str()).collect();
            request.insert("q".into(), words.join(" ").into());
        }
        if !(0.03..0.60).contains(&roll) {
            request.insert("sector".into(), vec![SECTOR_WEIGHTS[rng.range(0, SECTOR_WEIGHTS.len() - 1)].0].into());
            if rng.chance(0.6) {
                request.insert("region".into(), vec![*rng.pick(&regions)].into());
            }
        }
        if roll >= 0.85 {
            let from = rng.range(2010, 2022);
            request.insert("year_from".into(), from.into());
            request.insert("year_to".into(), (from + rng.range(1, 4)).into());
        }
        writeln!(file, "{}", serde_json::Value::Object(request))?;
    }
    Ok(())
}
