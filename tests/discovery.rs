//! Discovery (issue 15) over real HTTP and through the binary: organisations across awards
//! and spellings, related cases both ways and their check, outcome figures, the map of
//! Italy against the region facet, rich links (JSON-LD, Open Graph, canonical, hreflang), and
//! insights for organisers without personal data.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use casebook_store::Role;
use serde_json::Value;

use crate::util::backend::{Backend, on_both_backends};
use crate::util::http::{Answer, TestServer};
use crate::util::{Workspace, fixture_corpus, stderr, stdout};

on_both_backends!(
    insights_show_a_query_searched_five_times_and_a_zero_result_query_within_ten_seconds,
    the_insights_page_and_its_csv_show_what_was_searched,
    with_insights_off_nothing_is_recorded,
);

/// A valid case file with the given extra front matter lines.
fn case(title: &str, organisation: &str, year: u16, extra: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\norganisation: \"{organisation}\"\nyear: {year}\nsector: health\nregion: Lazio\ncity: Roma\noutcome: winner\nlanguage: en\n{extra}\n---\n\nThe {title} case of the quokkalab archive, told for the discovery tests.\n"
    )
}

/// The fixture corpus plus one organisation in three years and two spellings (the third
/// case merged by `organisation_id`), an unrelated organisation with a similar name, and two
/// related cases.
pub(crate) fn discovery_workspace() -> Workspace {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write("cases/quokka-2019.md", case("Quokka sensors", "Cluster QuokkaLab", 2019, ""));
    workspace.write(
        "cases/quokka-2021.md",
        case("Quokka clinics", "QuokkaLab S.r.l.", 2021, "organisation_id: cluster-quokkalab\nrelated: [quokka-2019]"),
    );
    workspace.write(
        "cases/quokka-2023.md",
        case(
            "Quokka at scale",
            "Cluster QuokkaLab",
            2023,
            "figures:\n  - {label: \"patients followed\", value: \"2,600\"}\n  - {label: energy saved, value: 18%}",
        ),
    );
    workspace.write("cases/quokka-foods.md", case("Quokka snacks", "QuokkaLab Foods", 2022, ""));
    workspace
}

fn titles(hits: &Value) -> Vec<&str> {
    hits.as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisation_with_cases_in_three_years_and_two_spellings_shows_all_three() {
    let workspace = discovery_workspace();
    let server = TestServer::start(&workspace).await;

    let organisation = server.get("/api/organisations/cluster-quokkalab").await;
    assert_eq!(organisation.status, StatusCode::OK, "{}", organisation.body);
    let json = organisation.json();
    assert_eq!(json["slug"], "cluster-quokkalab");
    assert_eq!(json["name"], "Cluster QuokkaLab", "the most frequent spelling (case folded)");
    assert_eq!(titles(&json["cases"]), ["Quokka sensors", "Quokka clinics", "Quokka at scale"], "oldest first");
    let years: Vec<u64> = json["cases"].as_array().unwrap().iter().map(|h| h["year"].as_u64().unwrap()).collect();
    assert_eq!(years, [2019, 2021, 2023]);
    assert_eq!(json["names"], serde_json::json!(["Cluster QuokkaLab", "QuokkaLab S.r.l."]));

    let list = server.get("/api/organisations?q=quokka").await.json();
    assert_eq!(list["total"], 2, "{list}");
    assert_eq!(list["organisations"][0]["slug"], "cluster-quokkalab");
    assert_eq!(list["organisations"][0]["cases"], 3);
    assert_eq!(
        (list["organisations"][0]["first_year"].as_u64(), list["organisations"][0]["last_year"].as_u64()),
        (Some(2019), Some(2023))
    );
    assert_eq!(list["organisations"][1]["slug"], "quokkalab-foods");
    assert_eq!(
        server.get("/api/organisations").await.json()["total"],
        12,
        "ten fixture organisations and two new ones"
    );
    assert_eq!(server.get("/api/organisations/no-such-org").await.status, StatusCode::NOT_FOUND);

    // The search filter: by slug, by a spelling with a legal form, together with a facet.
    for value in ["cluster-quokkalab", "Cluster%20QuokkaLab%20S.p.A."] {
        let found = server.get(&format!("/api/search?organisation={value}&sort=year_asc")).await.json();
        assert_eq!(found["total"], 3, "{value}: {found}");
        let facet = &found["facets"]["organisation"];
        assert!(
            facet
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v["value"] == "cluster-quokkalab" && v["selected"] == true && v["count"] == 3),
            "{facet}"
        );
    }
    let narrowed = server.get("/api/search?organisation=cluster-quokkalab&year_from=2021").await.json();
    assert_eq!(narrowed["total"], 2);

    // The pages: the organisation's timeline, the list, and the case page's links.
    let page = server.get("/organisations/cluster-quokkalab?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in ["Quokka sensors", "Quokka clinics", "Quokka at scale", "2019–2023", "3 cases", "Also written as"] {
        assert!(page.body.contains(text), "organisation page lacks {text:?}");
    }
    let listed = server.get("/organisations?q=quokkalab&lang=en").await;
    assert!(
        listed.body.contains("href=\"/organisations/cluster-quokkalab\"") && listed.body.contains("2 organisations")
    );
    let case_page = server.get("/cases/quokka-2023?lang=en").await.body;
    assert!(case_page.contains("href=\"/organisations/cluster-quokkalab\""));
    let start = case_page.find("More from this organisation").expect("the section");
    let more = &case_page[start..start + case_page[start..].find("</section>").unwrap()];
    for other in ["/cases/quokka-2019", "/cases/quokka-2021"] {
        assert!(more.contains(&format!("href=\"{other}\"")), "the section lacks {other}");
    }
    assert_eq!(more.matches("<li class=\"card\">").count(), 2, "another organisation is not merged: {more}");
    let search_page = server.get("/search?organisation=cluster-quokkalab&lang=en").await.body;
    assert!(
        search_page.contains("3 results")
            && search_page.contains("name=\"organisation\" value=\"cluster-quokkalab\" checked")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn related_cases_link_both_ways_and_figures_are_shown() {
    let workspace = discovery_workspace();
    let server = TestServer::start(&workspace).await;
    let naming = server.get("/api/cases/quokka-2021").await.json();
    assert_eq!(naming["related"], serde_json::json!([{"id": "quokka-2019", "title": "Quokka sensors", "year": 2019}]));
    let named = server.get("/api/cases/quokka-2019").await.json();
    assert_eq!(named["related"], serde_json::json!([{"id": "quokka-2021", "title": "Quokka clinics", "year": 2021}]));
    assert_eq!(server.get("/api/cases/quokka-2023").await.json()["related"], serde_json::json!([]));
    for (id, other) in [("quokka-2019", "quokka-2021"), ("quokka-2021", "quokka-2019")] {
        let page = server.get(&format!("/cases/{id}?lang=en")).await.body;
        let related = &page[page.find("Related cases").unwrap_or_else(|| panic!("{id}: no related section"))..];
        assert!(related.contains(&format!("<a href=\"/cases/{other}\">")), "{id} does not link {other}");
    }

    let figures = server.get("/api/cases/quokka-2023").await.json()["figures"].clone();
    assert_eq!(
        figures,
        serde_json::json!([{"label": "patients followed", "value": "2,600"}, {"label": "energy saved", "value": "18%"}])
    );
    let page = server.get("/cases/quokka-2023?lang=it").await.body;
    assert!(page.contains("In cifre"), "figures panel heading");
    assert!(page.contains("<dt>patients followed</dt><dd>2,600</dd>"), "figures panel");
}

#[test]
fn a_wrong_related_id_fails_check_with_a_suggestion_and_bad_figures_are_errors() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write(
        "cases/naming.md",
        case("Naming", "Naming Srl", 2022, "related: [telemedicina-lombardi, smart-parking-torino]"),
    );
    workspace.write(
        "cases/figures.md",
        case(
            "Figures",
            "Figures Srl",
            2022,
            "figures:\n  - {label: patients}\n  - nothing\n  - {label: ok, value: 3, unit: x}",
        ),
    );
    workspace.write("cases/self.md", case("Self", "Self Srl", 2022, "related: [self]\norganisation_id: Not A Slug"));
    let output = workspace.run(&["check"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    for expected in [
        "corpus/cases/naming.md:10: error: `related` names `telemedicina-lombardi`, which is no case of the corpus: did you mean `telemedicina-lombardia`?",
        "corpus/cases/figures.md:10:9: error: figure 1 has no `value`: write both, as in `- {label: \"patients followed\", value: \"2,600\"}`",
        "corpus/cases/figures.md:10:9: error: figure 2 must be a label and a value such as `- {label: \"patients followed\", value: \"2,600\"}`, found the text \"nothing\"",
        "corpus/cases/figures.md:10:9: error: figure 3 has an unknown key `unit`: a figure has only `label` and `value`",
        "corpus/cases/self.md:10:10: error: `related` names this case itself (`self`): remove it",
        "corpus/cases/self.md:11:18: error: `organisation_id` \"Not A Slug\" is not a valid id: write it as `not-a-slug` (the same id on every case of the organisation)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    assert_eq!(text.matches("`related` names").count(), 2, "only the unknown id and the self reference: {text}");

    // The indexer keeps the naming case (the link is left out) and says why.
    std::fs::remove_file(workspace.corpus().join("cases/figures.md")).unwrap();
    std::fs::remove_file(workspace.corpus().join("cases/self.md")).unwrap();
    let indexed = workspace.run(&["index"]);
    assert!(indexed.status.success(), "{}", stderr(&indexed));
    let all = format!("{}{}", stdout(&indexed), stderr(&indexed));
    assert!(
        all.contains(
            "which is no case of the corpus: did you mean `telemedicina-lombardia`? (indexed without this link)"
        ),
        "{all}"
    );
    let archive = casebook_index::Archive::open(&workspace.index()).unwrap();
    let naming = archive.case("naming").unwrap().expect("indexed");
    let related: Vec<String> = archive.related(&naming.record).unwrap().into_iter().map(|r| r.id).collect();
    assert_eq!(related, ["smart-parking-torino"]);
}

/// The map's links: (region id, href, accessible name).
fn map_links(html: &str) -> Vec<(String, String, String)> {
    let attribute = |tag: &str, name: &str| -> String {
        let start =
            tag.find(&format!("{name}=\"")).map(|i| i + name.len() + 2).unwrap_or_else(|| panic!("{name} in {tag}"));
        tag[start..start + tag[start..].find('"').unwrap()].to_string()
    };
    html.match_indices("<a class=\"region")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            (attribute(tag, "data-region"), attribute(tag, "href").replace("&amp;", "&"), attribute(tag, "aria-label"))
        })
        .collect()
}

/// The count in a region's accessible name ("Lombardy: 3 cases").
fn count_in(name: &str) -> u64 {
    name.rsplit(": ").next().unwrap().split(' ').next().unwrap().parse().unwrap()
}

async fn assert_map_matches_facet(server: &TestServer, page: &str, search: &str) {
    let html = server.get(page).await.body;
    let links = map_links(&html);
    assert_eq!(links.len(), 20, "{page}: one link per region");
    let facets = server.get(&format!("/api/search?{search}")).await.json()["facets"]["region"].clone();
    let italy = facets.as_array().unwrap().iter().find(|c| c["value"] == "IT").cloned();
    for (id, href, name) in &links {
        let expected = italy
            .as_ref()
            .and_then(|c| c["children"].as_array().unwrap().iter().find(|r| r["value"] == id.as_str()))
            .map_or(0, |r| r["count"].as_u64().unwrap());
        assert_eq!(count_in(name), expected, "{page}: {id} ({name})");
        let selected = search.split('&').any(|pair| pair == format!("region={id}"));
        assert_eq!(href.contains(&format!("region={id}")), !selected, "{page}: {id} toggles with {href}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_map_has_a_link_for_each_of_the_20_regions_whose_count_matches_the_region_facet() {
    let workspace = discovery_workspace();
    let server = TestServer::start(&workspace).await;
    assert_map_matches_facet(&server, "/?lang=en", "").await;
    assert_map_matches_facet(&server, "/search?q=energia&lang=en", "q=energia").await;
    assert_map_matches_facet(&server, "/search?sector=health&region=ITC4&lang=en", "sector=health&region=ITC4").await;

    let home = server.get("/?lang=en").await.body;
    let links = map_links(&home);
    let lazio = links.iter().find(|(id, _, _)| id == "ITI4").unwrap();
    assert_eq!(lazio.1, "/search?region=ITI4");
    assert_eq!(lazio.2, "Lazio: 4 cases", "the four quokka cases");
    // On the search page a selected region's link removes it, the others add theirs.
    let search = server.get("/search?sector=health&region=ITC4&lang=en").await.body;
    let links = map_links(&search);
    let lombardy = links.iter().find(|(id, _, _)| id == "ITC4").unwrap();
    assert_eq!(lombardy.1, "/search?sector=health");
    let lazio = links.iter().find(|(id, _, _)| id == "ITI4").unwrap();
    assert_eq!(lazio.1, "/search?sector=health&region=ITC4&region=ITI4");
    // Countries abroad are listed beside the map.
    assert!(home.contains("Abroad") && home.contains("href=\"/search?region=DE\""), "abroad list");
}

/// The JSON-LD blocks of a page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    let open = "<script type=\"application/ld+json\">";
    html.match_indices(open)
        .map(|(at, _)| {
            let rest = &html[at + open.len()..];
            let text = &rest[..rest.find("</script>").expect("closed")];
            serde_json::from_str(text).unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {text}"))
        })
        .collect()
}

fn meta(html: &str, attribute: &str, name: &str) -> String {
    let needle = format!("<meta {attribute}=\"{name}\" content=\"");
    let start = html.find(&needle).unwrap_or_else(|| panic!("no {name}")) + needle.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn case_organisation_and_showcase_pages_carry_rich_links() {
    let workspace = discovery_workspace();
    workspace.write(
        "cases/script-title.md",
        case("Quokka </script><script>alert(1)</script> & more", "Tricky <b> Srl", 2020, ""),
    );
    let server = TestServer::start(&workspace).await;
    let page = server.get("/cases/quokka-2023?lang=en").await;
    let blocks = json_ld(&page.body);
    assert_eq!(blocks.len(), 1);
    let article = &blocks[0];
    assert_eq!(article["@context"], "https://schema.org");
    assert_eq!(article["@type"], "Article");
    assert_eq!(article["name"], "Quokka at scale");
    assert_eq!(article["about"]["@type"], "Organization");
    assert_eq!(article["about"]["name"], "Cluster QuokkaLab");
    assert_eq!(article["dateCreated"], "2023");
    assert_eq!(article["inLanguage"], "en");
    assert_eq!(article["url"], "https://archive.example/cases/quokka-2023");
    assert!(article["award"].as_str().unwrap().starts_with("SMAU Innovation Award 2023"), "{article}");
    assert_eq!(meta(&page.body, "property", "og:title"), "Quokka at scale · Casebook");
    assert_eq!(meta(&page.body, "property", "og:url"), "https://archive.example/cases/quokka-2023?lang=en");
    assert_eq!(meta(&page.body, "property", "og:locale"), "en_GB");
    assert_eq!(meta(&page.body, "property", "og:type"), "article");
    assert_eq!(meta(&page.body, "name", "twitter:card"), "summary");
    assert!(page.body.contains("<link rel=\"canonical\" href=\"https://archive.example/cases/quokka-2023?lang=en\">"));
    assert!(page.body.contains(
        "<link rel=\"alternate\" hreflang=\"it\" href=\"https://archive.example/cases/quokka-2023?lang=it\">"
    ));
    assert!(page.body.contains(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://archive.example/cases/quokka-2023\">"
    ));
    assert_eq!(
        page.header("content-security-policy"),
        casebook_server::CONTENT_SECURITY_POLICY,
        "the policy is unchanged"
    );

    // Text of a case cannot close the data block.
    let tricky = server.get("/cases/script-title").await.body;
    let blocks = json_ld(&tricky);
    assert_eq!(blocks[0]["name"], "Quokka </script><script>alert(1)</script> & more");
    assert_eq!(tricky.matches("<script").count(), 2, "our script and the data block only");

    let organisation = json_ld(&server.get("/organisations/cluster-quokkalab").await.body);
    assert_eq!(organisation[0]["@context"], "https://schema.org");
    assert_eq!(organisation[0]["@type"], "Organization");
    assert_eq!(organisation[0]["name"], "Cluster QuokkaLab");
    assert_eq!(organisation[0]["subjectOf"].as_array().unwrap().len(), 3);

    let store = &server.state.store;
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let showcase = store
        .create_showcase(&anna, &casebook_store::NewShowcase { title: "Quokka stage".into(), ..Default::default() })
        .unwrap();
    store.add_item(&showcase.slug, &anna, "quokka-2019", "Quokka sensors", "").unwrap();
    store.set_status(&showcase.slug, &anna, casebook_store::Status::Published).unwrap();
    let blocks = json_ld(&server.get("/showcases/quokka-stage").await.body);
    assert_eq!(blocks[0]["@type"], "CollectionPage");
    assert_eq!(blocks[0]["name"], "Quokka stage");
    assert_eq!(blocks[0]["mainEntity"]["itemListElement"][0]["url"], "https://archive.example/cases/quokka-2019");
}

/// Polls the insights API until `done` holds, for up to 10 seconds.
async fn insights_until(server: &TestServer, token: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let started = Instant::now();
    loop {
        let answer: Answer =
            server.get_with("/api/insights?days=7", &[("authorization", &format!("Bearer {token}"))]).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let json = answer.json();
        if done(&json) {
            return json;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{what} not in the insights within 10 s: {json}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn insights_show_a_query_searched_five_times_and_a_zero_result_query_within_ten_seconds(backend: Backend) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_on(&workspace, backend).await;
    let store = &server.state.store;
    store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let token = store.create_token("anna", "insights").unwrap().1;
    let agent = [("user-agent", "QuokkaAgent/9.9"), ("x-forwarded-for", "203.0.113.77")];

    for path in [
        "/search?q=Telemedicina",
        "/api/search?q=telemedicina",
        "/search?q=telemedicina++",
        "/api/search?q=TELEMEDICINA&lang=it",
        "/search?q=telemedicina&page=1",
    ] {
        assert_eq!(server.get_with(path, &agent).await.status, StatusCode::OK);
    }
    server.get_with("/api/search?q=quokkazzz&region=ITC4", &agent).await;
    server.get_with("/search?q=energy&sector=energy&region=DE", &agent).await;
    server.get_with("/search?q=energ&typing=1", &agent).await;
    server.get_with("/cases/fintech-milano", &agent).await;
    server.get_with("/cases/fintech-milano", &agent).await;

    let report = insights_until(&server, &token, "five searches and the zero-result query", |json| {
        json["top_queries"][0]["query"] == "telemedicina"
            && json["top_queries"][0]["searches"] == 5
            && json["zero_result_queries"].as_array().is_some_and(|q| q.iter().any(|q| q["query"] == "quokkazzz"))
            && json["top_cases"][0]["views"] == 2
    })
    .await;
    assert_eq!(report["top_queries"][0]["results"], 2);
    assert_eq!(report["zero_result_queries"][0]["filters"], "region=ITC4");
    assert_eq!(report["zero_result_queries"][0]["href"], "/search?q=quokkazzz&region=ITC4");
    assert_eq!(report["searches"], 7, "the keystroke refresh (typing=1) is not counted: {report}");
    let filters: Vec<&str> =
        report["top_filters"].as_array().unwrap().iter().map(|f| f["filter"].as_str().unwrap()).collect();
    assert_eq!(filters, ["region=DE", "region=ITC4", "sector=energy"]);
    assert_eq!(report["top_cases"][0]["id"], "fintech-milano");
    assert_eq!(report["searches_per_day"].as_array().unwrap().len(), 7);
    assert_eq!(report["enabled"], true);
    assert_eq!(report["dropped_events"], 0);

    // Organisers only; `days` is checked.
    assert_eq!(server.get("/api/insights").await.status, StatusCode::UNAUTHORIZED);
    let bad = server.get_with("/api/insights?days=0", &[("authorization", &format!("Bearer {token}"))]).await;
    assert_eq!(
        (bad.status, bad.json()["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_parameter"))
    );
    let page = server.get("/organiser/insights").await;
    assert_eq!((page.status, page.header("location")), (StatusCode::SEE_OTHER, "/login?next=/organiser/insights"));
    assert_eq!(server.get("/organiser/insights.csv").await.status, StatusCode::UNAUTHORIZED);

    // Nothing about the visitor reaches the database.
    let stored = server.db.raw(&workspace);
    assert!(stored.windows(12).any(|w| w == b"telemedicina"), "the dump holds the data");
    for secret in ["QuokkaAgent", "203.0.113.77", "127.0.0.1"] {
        assert!(!stored.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} stored");
    }
}

async fn the_insights_page_and_its_csv_show_what_was_searched(backend: Backend) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_on(&workspace, backend).await;
    let store = &server.state.store;
    let anna = store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let token = store.create_token("anna", "insights").unwrap().1;
    let (cookie, _) = store.create_session(&anna).unwrap();
    let session = format!("casebook_session={cookie}; lang=en");
    for _ in 0..3 {
        server.get("/search?q=robot").await;
    }
    server.get("/search?q=zzzquokka").await;
    insights_until(&server, &token, "four searches", |json| json["searches"] == 4).await;

    let page = server.get_with("/organiser/insights?days=30", &[("cookie", &session)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<a href=\"/search?q=robot\">robot</a></td><td>3</td>"), "top query row");
    assert!(page.body.contains("<a href=\"/search?q=zzzquokka\">zzzquokka</a>"), "zero-result query link");
    assert!(page.body.contains("<svg class=\"chart\""), "the chart");
    let csv = server.get_with("/organiser/insights.csv?days=30", &[("cookie", &session)]).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.starts_with("section,key,filters,count,results\n"));
    assert!(csv.body.contains("\ntop_query,robot,,3,1\n"), "{}", csv.body);
    assert!(csv.body.contains("\nzero_result_query,zzzquokka,,1,0\n"), "{}", csv.body);
    assert_eq!(csv.body.lines().filter(|l| l.starts_with("searches_per_day,")).count(), 30);
}

async fn with_insights_off_nothing_is_recorded(backend: Backend) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_with_insights(&workspace, false, backend).await;
    let store = &server.state.store;
    store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    let token = store.create_token("anna", "insights").unwrap().1;
    server.get("/search?q=telemedicina").await;
    server.get("/cases/fintech-milano").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let report = server.get_with("/api/insights", &[("authorization", &format!("Bearer {token}"))]).await.json();
    assert_eq!((report["enabled"].as_bool(), report["searches"].as_u64()), (Some(false), Some(0)), "{report}");
    assert_eq!(report["top_cases"], serde_json::json!([]));
}
