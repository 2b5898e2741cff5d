//! The search core on the fixture corpus (ten controlled cases): exact hits and counts.

use std::collections::BTreeMap;

use casebook_index::{Archive, FacetValue, MatchMode, SearchRequest, SearchResponse, Sort};

use crate::util::{Workspace, fixture_corpus, id_set, ids, query, sample_corpus, search, stdout};

fn fixture() -> (Workspace, Archive) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let archive = workspace.build();
    (workspace, archive)
}

fn counts(values: &[FacetValue]) -> BTreeMap<String, u64> {
    values.iter().map(|v| (v.value.clone(), v.count)).collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn browsing_counts_every_facet_exactly() {
    let (_w, archive) = fixture();
    let response = search(&archive, SearchRequest::default());
    assert_eq!(response.total, 10);
    assert_eq!(
        counts(&response.facets.sector),
        map(&[
            ("health", 2),
            ("manufacturing", 2),
            ("energy", 2),
            ("ict", 1),
            ("smart-city", 1),
            ("finance", 1),
            ("tourism", 1),
            ("cybersecurity", 1)
        ])
    );
    assert_eq!(counts(&response.facets.region), map(&[("IT", 8), ("DE", 1), ("FR", 1)]));
    let italy = response.facets.region.iter().find(|c| c.value == "IT").unwrap();
    assert_eq!(
        counts(italy.children.as_ref().unwrap()),
        map(&[("ITC4", 3), ("ITC1", 2), ("ITH3", 1), ("ITG1", 1), ("ITI1", 1)])
    );
    let germany = response.facets.region.iter().find(|c| c.value == "DE").unwrap();
    assert_eq!(germany.children.as_ref().unwrap()[0].value, "DE:bayern");
    assert_eq!(germany.children.as_ref().unwrap()[0].label, "Bayern");
    assert_eq!(
        counts(&response.facets.year),
        map(&[
            ("2024", 1),
            ("2023", 1),
            ("2022", 1),
            ("2021", 1),
            ("2020", 1),
            ("2019", 2),
            ("2017", 1),
            ("2016", 1),
            ("2015", 1)
        ])
    );
    let years: Vec<&str> = response.facets.year.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(years.first(), Some(&"2024"), "years are newest first");
    assert_eq!(counts(&response.facets.award), map(&[("smau-innovation-award", 9), ("premio-smart-communities", 1)]));
    assert_eq!(counts(&response.facets.language), map(&[("it", 6), ("en", 4)]));
    // Browsing lists the newest first.
    assert_eq!(ids(&response)[0], "zero-trust-paris");
}

#[test]
fn facets_are_disjunctive() {
    let (_w, archive) = fixture();
    let request = SearchRequest { sector: vec!["health".into()], region: vec!["IT".into()], ..Default::default() };
    let response = search(&archive, request);
    assert_eq!(id_set(&response), vec!["hospital-telehealth-piemonte", "telemedicina-lombardia"]);
    // Sector counts apply the region filter but not the sector's own selection.
    assert_eq!(
        counts(&response.facets.sector),
        map(&[
            ("health", 2),
            ("manufacturing", 2),
            ("energy", 1),
            ("ict", 1),
            ("smart-city", 1),
            ("finance", 1),
            ("tourism", 1)
        ])
    );
    assert!(response.facets.sector.iter().find(|v| v.value == "health").unwrap().selected);
    // Region counts apply the sector filter but not the region selection.
    assert_eq!(counts(&response.facets.region), map(&[("IT", 2)]));
    // Several values of one facet are ORed.
    let either =
        search(&archive, SearchRequest { sector: vec!["health".into(), "energy".into()], ..Default::default() });
    assert_eq!(either.total, 4);
}

/// For every facet value of `response`, selecting that value alone in its facet (keeping the
/// other facets' filters) gives exactly its count.
fn assert_disjunctive(archive: &Archive, request: &SearchRequest, response: &SearchResponse) {
    let check = |value: &FacetValue, edit: &dyn Fn(&mut SearchRequest)| {
        let mut narrowed = request.clone();
        edit(&mut narrowed);
        narrowed.page = 1;
        let total = search(archive, narrowed).total;
        assert_eq!(total, value.count, "value {} of {request:?}", value.value);
    };
    for value in &response.facets.sector {
        check(value, &|r| r.sector = vec![value.value.clone()]);
    }
    for country in &response.facets.region {
        check(country, &|r| r.region = vec![country.value.clone()]);
        for region in country.children.iter().flatten() {
            check(region, &|r| r.region = vec![region.value.clone()]);
        }
    }
    for value in &response.facets.year {
        check(value, &|r| {
            r.year = value.value.parse().ok();
            r.year_from = None;
            r.year_to = None;
        });
    }
    for value in &response.facets.award {
        check(value, &|r| r.award = vec![value.value.clone()]);
    }
    for value in &response.facets.language {
        check(value, &|r| r.language = vec![value.value.clone()]);
    }
}

fn disjunctive_requests() -> Vec<SearchRequest> {
    vec![
        SearchRequest::default(),
        query("telemedicina"),
        query("energia città"),
        SearchRequest { sector: vec!["health".into()], region: vec!["IT".into()], ..Default::default() },
        SearchRequest { q: "innovazione".into(), sector: vec!["energy".into(), "health".into()], ..Default::default() },
        SearchRequest {
            region: vec!["ITC4".into(), "DE".into()],
            year_from: Some(2016),
            year_to: Some(2022),
            ..Default::default()
        },
        SearchRequest { q: "AI manufacturing".into(), language: vec!["it".into()], ..Default::default() },
        SearchRequest { q: "smart city Torino".into(), per_page: 3, ..Default::default() },
        SearchRequest {
            award: vec!["premio-smart-communities".into()],
            language: vec!["en".into()],
            ..Default::default()
        },
    ]
}

#[test]
fn every_facet_count_predicts_the_total_of_selecting_it() {
    let (_w, archive) = fixture();
    for request in disjunctive_requests() {
        let response = search(&archive, request.clone());
        assert_disjunctive(&archive, &request, &response);
    }
}

#[test]
fn every_facet_count_predicts_the_total_on_the_sample_corpus() {
    let workspace = Workspace::copy_of(&sample_corpus());
    let archive = workspace.build();
    let mut requests = disjunctive_requests();
    requests.push(SearchRequest {
        q: "intelligenza artificiale".into(),
        region: vec!["Lombardia".into()],
        ..Default::default()
    });
    requests.push(SearchRequest {
        q: "digital platform for SMEs".into(),
        sector: vec!["ict".into(), "finance".into()],
        ..Default::default()
    });
    for request in requests {
        let response = search(&archive, request.clone());
        assert_disjunctive(&archive, &request, &response);
    }
}

#[test]
fn italian_and_english_analysis() {
    let (_w, archive) = fixture();
    // Plural finds singular (Italian stemming): "innovazioni" finds "un'innovazione".
    assert!(ids(&search(&archive, query("innovazioni"))).contains(&"museum-vr-firenze"));
    // Accent folding: "citta" finds "città".
    assert_eq!(id_set(&search(&archive, query("citta"))), vec!["comunita-energetica-sicilia", "smart-parking-torino"]);
    // English stemming: "hospital" finds "hospitals".
    assert_eq!(ids(&search(&archive, query("hospital")))[0], "hospital-telehealth-piemonte");
    // Case does not matter.
    assert_eq!(search(&archive, query("Telemedicina")).total, search(&archive, query("telemedicina")).total);
    // Synonyms cross languages: "hospitals" reaches the Italian "ospedali".
    assert!(ids(&search(&archive, query("hospitals"))).contains(&"telemedicina-lombardia"));
}

#[test]
fn english_words_find_italian_cases() {
    let (_w, archive) = fixture();
    let response = search(&archive, query("AI manufacturing"));
    assert_eq!(ids(&response)[0], "ia-fabbrica-brescia", "{:?}", ids(&response));
    assert_eq!(response.matched_all, 1);
    assert!(response.hits[0].snippet.contains("<mark>intelligenza artificiale</mark>"), "{}", response.hits[0].snippet);
    // Labels of sector and region are searchable in both languages.
    assert_eq!(ids(&search(&archive, query("Tuscany")))[0], "museum-vr-firenze");
    assert!(ids(&search(&archive, query("cybersicurezza"))).contains(&"zero-trust-paris"));
}

#[test]
fn typos_and_prefixes() {
    let (_w, archive) = fixture();
    assert_eq!(ids(&search(&archive, query("telemedicna")))[0], "telemedicina-lombardia");
    assert!(ids(&search(&archive, query("comunnità energetica"))).contains(&"comunita-energetica-sicilia"));
    // The last word is also a prefix (search-as-you-type)...
    assert_eq!(ids(&search(&archive, query("parc"))), vec!["smart-parking-torino"]);
    assert_eq!(id_set(&search(&archive, query("teleh"))), vec!["hospital-telehealth-piemonte"]);
    // ... but not once a space ends it.
    assert_eq!(search(&archive, query("parc ")).total, 0);
}

#[test]
fn phrases_and_exclusions() {
    let (_w, archive) = fixture();
    assert_eq!(ids(&search(&archive, query("\"realtà virtuale\""))), vec!["museum-vr-firenze"]);
    assert_eq!(search(&archive, query("\"virtuale realtà\"")).total, 0);
    assert_eq!(
        id_set(&search(&archive, query("energy"))),
        vec!["comunita-energetica-sicilia", "energy-community-bayern"]
    );
    assert_eq!(ids(&search(&archive, query("energy -solar"))), vec!["comunita-energetica-sicilia"]);
    // An excluded phrase (Île-de-France is three words) used to trip a debug assertion in
    // tantivy's phrase scorer; see search/exclusion.rs.
    assert_eq!(search(&archive, query("telemedicina -Île-de-France")).total, 2);
    assert!(ids(&search(&archive, query("zero trust"))).contains(&"zero-trust-paris"));
    assert!(!ids(&search(&archive, query("zero trust -Île-de-France"))).contains(&"zero-trust-paris"));
}

#[test]
fn matching_relaxes_one_word_at_a_time() {
    let (_w, archive) = fixture();
    // No case has all three words: the search relaxes to two, then one.
    let response = search(&archive, query("telemedicina Paris bank"));
    assert_eq!(response.matched_all, 0);
    assert!(response.relaxed);
    assert_eq!(response.query_words, 3);
    assert_eq!(ids(&response)[0], "zero-trust-paris", "two words rank above one");
    assert_eq!(response.hits[0].matched_words, 2);
    assert_eq!(response.min_matched_words, 1);
    // "telemedicina" also reaches the English case through its synonym "telemedicine".
    assert_eq!(id_set(&response), vec!["hospital-telehealth-piemonte", "telemedicina-lombardia", "zero-trust-paris"]);

    let strict = search(&archive, SearchRequest { match_mode: MatchMode::All, ..query("telemedicina Paris bank") });
    assert_eq!(strict.total, 0);
    assert!(!strict.relaxed);

    // Enough cases with every word: no relaxation.
    let exact = search(&archive, SearchRequest { per_page: 1, ..query("energetica città") });
    assert_eq!(exact.total, 1);
    assert!(!exact.relaxed);
}

#[test]
fn sorting_and_paging() {
    let (_w, archive) = fixture();
    let by = |sort| ids(&search(&archive, SearchRequest { sort, per_page: 3, ..Default::default() })).join(" ");
    assert_eq!(by(Sort::YearDesc), "zero-trust-paris comunita-energetica-sicilia ia-fabbrica-brescia");
    assert_eq!(by(Sort::YearAsc), "museum-vr-firenze fintech-milano smart-parking-torino");
    assert_eq!(by(Sort::Title), "energy-community-bayern robot-factory-veneto museum-vr-firenze");
    let page = |page| {
        ids(&search(&archive, SearchRequest { page, per_page: 4, sort: Sort::Title, ..Default::default() })).len()
    };
    assert_eq!((page(1), page(2), page(3), page(4)), (4, 4, 2, 0));
}

#[test]
fn filters_accept_names_codes_and_facet_values() {
    let (_w, archive) = fixture();
    let region =
        |value: &str| search(&archive, SearchRequest { region: vec![value.into()], ..Default::default() }).total;
    assert_eq!(region("Lombardia"), 3);
    assert_eq!(region("Lombardy"), 3);
    assert_eq!(region("ITC4"), 3);
    assert_eq!(region("IT"), 8);
    assert_eq!(region("Italia"), 8);
    assert_eq!(region("DE:bayern"), 1);
    assert_eq!(region("FR:Île-de-France"), 1);
    let sector =
        |value: &str| search(&archive, SearchRequest { sector: vec![value.into()], ..Default::default() }).total;
    assert_eq!(sector("Salute e scienze della vita"), 2);
    let unknown = search(&archive, SearchRequest { sector: vec!["Helth".into()], ..Default::default() });
    assert_eq!(unknown.total, 0);
    assert_eq!(unknown.warnings, vec!["unknown sector 'Helth' — did you mean 'health'?"]);
    let years = search(&archive, SearchRequest { year_from: Some(2019), year_to: Some(2021), ..Default::default() });
    assert_eq!(years.total, 4);
}

#[test]
fn labels_follow_the_requested_language() {
    let (_w, archive) = fixture();
    let italian = search(&archive, SearchRequest { lang: Some("it".into()), ..query("telemedicina") });
    assert_eq!(italian.hits[0].case.sectors[0].label, "Salute e scienze della vita");
    assert_eq!(italian.facets.region[0].label, "Italia");
    let english = search(&archive, query("telemedicina"));
    assert_eq!(english.hits[0].case.sectors[0].label, "Health & Life Science");
}

#[test]
fn invalid_parameters_are_errors_malformed_text_is_not() {
    let (_w, archive) = fixture();
    for request in [
        SearchRequest { page: 0, ..Default::default() },
        SearchRequest { per_page: 1000, ..Default::default() },
        SearchRequest { page: 2000, per_page: 100, ..Default::default() },
        SearchRequest { year_from: Some(2022), year_to: Some(2020), ..Default::default() },
        SearchRequest { lang: Some("de".into()), ..Default::default() },
    ] {
        assert!(archive.search(&request).is_err(), "{request:?}");
    }
    for text in [
        "\"",
        "\"\"",
        "-",
        "--",
        "- -",
        "-\"",
        "(((",
        ")",
        "a AND (b",
        "title:",
        "*",
        "?",
        "~2",
        "^3",
        "\\",
        "\u{0}",
        "🚀 energia",
        "مرحبا",
        "a".repeat(5000).as_str(),
        "-a -b -c -d -e -f -g -h -i -j",
        "\"\u{202e}abc",
    ] {
        let response = archive.search(&query(text)).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert!(response.hits.len() <= 10);
    }
}

#[test]
fn snippets_mark_words_and_escape_everything_else() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write(
        "cases/hostile.md",
        "---\ntitle: \"<script>alert(1)</script>\"\norganisation: Evil\nyear: 2020\nsector: ict\nregion: Lazio\n---\n\nThe <b>telemedicine</b> & <img src=x onerror=alert(1)> platform.\n",
    );
    let archive = workspace.build();
    let response = search(&archive, query("telemedicine platform"));
    let hit = response.hits.iter().find(|h| h.case.id == "hostile").expect("hostile case found");
    assert!(
        !hit.snippet.contains('<') || hit.snippet.replace("<mark>", "").replace("</mark>", "").find('<').is_none(),
        "{}",
        hit.snippet
    );
    assert!(hit.snippet.contains("<mark>telemedicine</mark>"), "{}", hit.snippet);
    assert!(hit.snippet.contains("&amp;"), "{}", hit.snippet);
}

#[test]
fn cli_search_json_has_the_documented_shape() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let output = workspace.run(&["search", "telemedicina", "--json", "--sector", "health", "--region", "Lombardia"]);
    assert!(output.status.success());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    for key in ["total", "took_ms", "page", "per_page", "hits", "facets", "matched_all", "relaxed"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let hit = &json["hits"][0];
    for key in [
        "id",
        "title",
        "organisation",
        "year",
        "award",
        "sectors",
        "region",
        "city",
        "language",
        "summary",
        "snippet",
        "score",
    ] {
        assert!(hit.get(key).is_some(), "missing hit.{key}");
    }
    assert_eq!(hit["id"], "telemedicina-lombardia");
    assert_eq!(hit["sectors"][0]["id"], "health");
    assert_eq!(hit["region"], serde_json::json!({"value": "ITC4", "label": "Lombardy", "country": "IT"}));
    for facet in ["sector", "region", "year", "award", "language"] {
        let first = &json["facets"][facet][0];
        for key in ["value", "label", "count", "selected"] {
            assert!(first.get(key).is_some(), "missing facets.{facet}[0].{key}");
        }
    }
    assert!(json["facets"]["region"][0]["children"].is_array());

    let table = stdout(&workspace.run(&["search", "telemedicina"]));
    assert!(table.contains("1. 2021  Telemedicina per i pazienti cronici"), "{table}");
    let bad = workspace.run(&["search", "x", "--sort", "random"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn batch_mode_answers_every_line_in_order() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    std::fs::write(
        workspace.path().join("queries.jsonl"),
        "{\"q\":\"telemedicina\"}\n{\"per_page\":1000}\nnot json\n{\"sector\":[\"energy\"],\"region\":\"IT\"}\n{}\n",
    )
    .unwrap();
    let output = workspace.run(&["search", "--batch", "queries.jsonl"]);
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["total"], 2);
    assert!(lines[1]["error"]["message"].as_str().unwrap().contains("per_page"));
    assert!(lines[2]["error"]["message"].as_str().unwrap().starts_with("line 3: invalid request"));
    assert_eq!(lines[3]["total"], 1);
    assert_eq!(lines[4]["total"], 10);
    assert!(lines[4]["took_ms"].is_number());
}

#[test]
fn free_text_facets_list_at_most_fifty_values_plus_the_selected_ones() {
    let workspace = Workspace::new();
    let template = std::fs::read_to_string(fixture_corpus().join("cases/fintech-milano.md")).unwrap();
    for n in 0..60 {
        // Awards 00 and 01 have three cases each, the other 58 one each.
        let copies = if n < 2 { 3 } else { 1 };
        for copy in 0..copies {
            let case = template.replace("year: 2016", &format!("year: 2016\naward: \"Premio {n:02}\""));
            workspace.write(&format!("cases/premio-{n:02}-{copy}.md"), case);
        }
    }
    let archive = workspace.build();
    let browse = search(&archive, SearchRequest::default());
    assert_eq!(browse.total, 64);
    assert_eq!(browse.facets.award.len(), casebook_index::MAX_FACET_VALUES);
    assert_eq!(browse.facets.award[0].count, 3);
    let selected = search(&archive, SearchRequest { award: vec!["Premio 59".into()], ..Default::default() });
    assert_eq!(selected.total, 1);
    assert_eq!(selected.facets.award.len(), casebook_index::MAX_FACET_VALUES + 1, "the selected value is listed too");
    assert!(selected.facets.award.iter().any(|v| v.selected && v.value == "premio-59" && v.count == 1));
}
