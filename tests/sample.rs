//! The bundled sample corpus: it must be valid and cover what the demo promises.

use std::collections::BTreeSet;

use casebook_corpus::{Corpus, Language};

use crate::util::{Workspace, sample_corpus, stdout};

#[test]
fn sample_corpus_passes_check_without_errors() {
    let workspace = Workspace::copy_of(&sample_corpus());
    let output = workspace.run(&["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.lines().last().unwrap_or_default().contains(" 0 errors"), "{text}");
}

#[test]
fn sample_corpus_covers_sectors_regions_years_and_languages() {
    let corpus = Corpus::load(&sample_corpus()).expect("load");
    assert!(corpus.cases.len() >= 80, "{} cases", corpus.cases.len());
    let sectors: BTreeSet<&str> =
        corpus.cases.iter().flat_map(|c| c.record.sectors.iter().map(String::as_str)).collect();
    assert_eq!(sectors.len(), 15, "{sectors:?}");
    let italian_regions: BTreeSet<&str> = corpus
        .cases
        .iter()
        .filter(|c| c.record.place.country == "IT")
        .map(|c| c.record.place.region.as_str())
        .collect();
    assert!(italian_regions.len() >= 12, "{italian_regions:?}");
    let countries: BTreeSet<&str> = corpus
        .cases
        .iter()
        .filter(|c| c.record.place.country != "IT")
        .map(|c| c.record.place.country.as_str())
        .collect();
    assert!(countries.len() >= 4, "{countries:?}");
    let years: BTreeSet<u16> = corpus.cases.iter().map(|c| c.record.year).collect();
    assert!((2015..=2025).all(|y| years.contains(&y)), "{years:?}");
    let italian = corpus.cases.iter().filter(|c| c.record.language == Language::It).count() as f64;
    let english = corpus.cases.iter().filter(|c| c.record.language == Language::En).count() as f64;
    let total = corpus.cases.len() as f64;
    assert!(italian / total >= 0.4 && english / total >= 0.3, "it {italian}, en {english}");
    for case in &corpus.cases {
        let words = case.body_text.split_whitespace().count();
        assert!((150..=600).contains(&words), "{} has {words} words", case.record.id);
    }
    let techforlife =
        corpus.cases.iter().find(|c| c.record.id == "techforlife-medtech4europe").expect("TechForLife case");
    assert_eq!((techforlife.record.year, techforlife.record.sectors.as_slice()), (2021, &["health".to_string()][..]));
}
