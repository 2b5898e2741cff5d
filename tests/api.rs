//! The service over real HTTP on 127.0.0.1: every endpoint, every error path, the
//! disjunctive property, sanitising, languages, exports, headers, and hot reload.

use axum::http::{Method, StatusCode};

use crate::util::http::TestServer;
use crate::util::{Workspace, fixture_corpus};

const HOSTILE_CASE: &str = r#"---
title: "<script>alert('title')</script> Hostile"
organisation: "Evil <img src=x onerror=alert('org')> Corp"
year: 2020
sector: ict
region: Lazio
city: "<svg onload=alert('city')>"
tags: ["<script>alert('tag')</script>", "javascript:alert(1)"]
website: "https://evil.example/?q=<script>"
---

Body with <script>alert('body')</script> and <img src=x onerror="alert('img')"> and
[a link](javascript:alert('link')) and <a href="https://ok.example" onclick="alert('click')">ok</a>.

<svg><script>alert('svg')</script></svg>
"#;

/// Fails if any real tag (not escaped text) of `html` is an element that can run or load
/// code, carries an event-handler attribute, or links to `javascript:`.
fn assert_no_active_markup(path: &str, html: &str) {
    for (index, _) in html.match_indices('<') {
        let rest = &html[index + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let name: String =
            tag.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let allowed_form = name == "form" && tag.contains("action=\"/search\"");
        assert!(!["iframe", "object", "embed", "style", "frame", "base"].contains(&name.as_str()), "{path}: <{tag}>");
        assert!(name != "form" || allowed_form, "{path}: <{tag}>");
        if name == "svg" {
            assert!(
                tag.starts_with("svg class=\"chart\"") || tag.starts_with("svg class=\"italy-map\""),
                "{path}: <{tag}>"
            );
        }
        let lower = tag.to_ascii_lowercase();
        for attribute in attribute_names(&lower[name.len()..]) {
            assert!(!attribute.starts_with("on"), "{path}: event handler in <{tag}>");
        }
        assert!(!lower.contains("javascript:"), "{path}: javascript: URL in <{tag}>");
    }
}

/// Attribute names of the inside of a tag, skipping quoted values.
fn attribute_names(mut rest: &str) -> Vec<String> {
    let mut names = Vec::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return names;
        }
        let end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        names.push(rest[..end].to_string());
        rest = &rest[end..];
        if let Some(value) = rest.strip_prefix('=') {
            rest = match value.chars().next() {
                Some(quote @ ('"' | '\'')) => value[1..].find(quote).map_or("", |i| &value[i + 2..]),
                _ => value.find(char::is_whitespace).map_or("", |i| &value[i..]),
            };
        }
    }
}

async fn fixture_server() -> (Workspace, TestServer) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write("cases/hostile-case.md", HOSTILE_CASE);
    let server = TestServer::start(&workspace).await;
    (workspace, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn search_endpoint_returns_the_core_response() {
    let (_w, server) = fixture_server().await;
    let answer = server.get("/api/search?q=telemedicina&sector=health&per_page=5").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.header("content-type").starts_with("application/json"));
    let json = answer.json();
    assert_eq!(json["total"], 2);
    assert_eq!(json["per_page"], 5);
    assert_eq!(json["hits"][0]["id"], "telemedicina-lombardia");
    for key in ["total", "took_ms", "page", "per_page", "hits", "facets", "matched_all", "relaxed"] {
        assert!(json.get(key).is_some(), "{key}");
    }
    // Repeated parameters are lists (ORed within a facet).
    let both = server.get("/api/search?sector=health&sector=energy").await.json();
    assert_eq!(both["total"], 4);
    let italian = server.get("/api/search?q=telemedicina&lang=it").await.json();
    assert_eq!(italian["hits"][0]["sectors"][0]["label"], "Salute e scienze della vita");
}

#[tokio::test(flavor = "multi_thread")]
async fn facet_counts_predict_totals_over_http() {
    let (_w, server) = fixture_server().await;
    for base in
        ["/api/search?region=IT", "/api/search?q=energia&year_from=2016", "/api/search?sector=health&language=en"]
    {
        let json = server.get(base).await.json();
        let without = |param: &str| -> String {
            let (path, query) = base.split_once('?').unwrap();
            let kept: Vec<&str> = query.split('&').filter(|p| !p.starts_with(&format!("{param}="))).collect();
            format!("{path}?{}", kept.join("&"))
        };
        for (facet, param) in [("sector", "sector"), ("language", "language"), ("award", "award")] {
            for value in json["facets"][facet].as_array().unwrap() {
                let url = format!("{}&{param}={}", without(param), value["value"].as_str().unwrap());
                assert_eq!(server.get(&url).await.json()["total"], value["count"], "{url}");
            }
        }
        for country in json["facets"]["region"].as_array().unwrap() {
            let url = format!("{}&region={}", without("region"), country["value"].as_str().unwrap());
            assert_eq!(server.get(&url).await.json()["total"], country["count"], "{url}");
            for region in country["children"].as_array().unwrap() {
                let value: String =
                    url::form_urlencoded::byte_serialize(region["value"].as_str().unwrap().as_bytes()).collect();
                let url = format!("{}&region={value}", without("region"));
                assert_eq!(server.get(&url).await.json()["total"], region["count"], "{url}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_parameters_are_400_with_a_json_error() {
    let (_w, server) = fixture_server().await;
    for (query, parameter) in [
        ("year=abc", "year"),
        ("year_from=20x", "year_from"),
        ("per_page=1000", "per_page"),
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=999999999999999999999", "page"),
        ("page=5000", "page"),
        ("sort=random", "sort"),
        ("match=some", "match"),
        ("lang=de", "lang"),
        ("year_from=2022&year_to=2020", "year_from"),
    ] {
        let answer = server.get(&format!("/api/search?{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}: {}", answer.body);
        let json = answer.json();
        assert_eq!(json["error"]["code"], "invalid_parameter", "{query}");
        assert!(
            json["error"]["message"].as_str().unwrap().starts_with(&format!("invalid `{parameter}`")),
            "{query}: {json}"
        );
    }
    // Malformed text is never an error.
    for q in ["%22", "%FF%FE", "-", "a%00b", "(((", "title%3A", "%E2%80%AE", &"x".repeat(3000)] {
        let answer = server.get(&format!("/api/search?q={q}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{q}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_cases_and_paths_are_404_json_under_api_and_html_elsewhere() {
    let (_w, server) = fixture_server().await;
    for path in ["/api/cases/no-such-case", "/api/cases/no-such-case/similar", "/api/nothing-here"] {
        let answer = server.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.json()["error"]["code"], "not_found", "{path}");
    }
    for path in ["/cases/no-such-case", "/nothing-here", "/static/../Cargo.toml", "/static/nope.css"] {
        let answer = server.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
    }
    let page = server.get("/cases/no-such-case").await;
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains("<h1>"), "{}", page.body);
    // POST is a search with a JSON body (issue 12); DELETE is no method of /api/search.
    let wrong_method = server.request(Method::DELETE, "/api/search", &[]).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json()["error"]["code"], "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread")]
async fn case_similar_suggest_and_facets_endpoints() {
    let (_w, server) = fixture_server().await;
    let case = server.get("/api/cases/telemedicina-lombardia").await;
    assert_eq!(case.status, StatusCode::OK);
    let json = case.json();
    assert_eq!(json["title"], "Telemedicina per i pazienti cronici");
    assert_eq!(json["region"]["value"], "ITC4");
    assert!(json["body_html"].as_str().unwrap().contains("<h2>La sfida</h2>"));

    let similar = server.get("/api/cases/telemedicina-lombardia/similar").await.json();
    let ids: Vec<&str> = similar["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert!(!ids.is_empty() && ids.len() <= 5, "{ids:?}");
    assert!(!ids.contains(&"telemedicina-lombardia"));
    assert_eq!(ids[0], "hospital-telehealth-piemonte", "the other health case is the most similar: {ids:?}");

    let suggest = server.get("/api/suggest?q=tele").await.json();
    let texts: Vec<&str> =
        suggest["suggestions"].as_array().unwrap().iter().map(|s| s["text"].as_str().unwrap()).collect();
    assert!(texts.len() <= 8);
    assert!(texts.contains(&"Telemedicina per i pazienti cronici"), "{texts:?}");
    assert!(texts.contains(&"Telehealth for rural hospitals"), "{texts:?}");
    assert!(server.get("/api/suggest?q=").await.json()["suggestions"].as_array().unwrap().is_empty());

    let facets = server.get("/api/facets").await.json();
    assert_eq!(facets["total"], 11);
    assert_eq!(facets["facets"]["language"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn openapi_document_is_served_and_matches_the_committed_one() {
    let (_w, server) = fixture_server().await;
    let served = server.get("/api/openapi.json").await;
    assert_eq!(served.status, StatusCode::OK);
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json")).unwrap();
    assert!(
        served.body == committed,
        "docs/openapi.json is out of date: run `cargo run -- openapi > docs/openapi.json`"
    );
    let json = served.json();
    for path in [
        "/api/search",
        "/api/cases/{id}",
        "/api/cases/{id}/similar",
        "/api/suggest",
        "/api/facets",
        "/api/openapi.json",
    ] {
        assert!(json["paths"].get(path).is_some(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_case_content_is_sanitised_and_escaped() {
    let (_w, server) = fixture_server().await;
    let json = server.get("/api/cases/hostile-case").await.json();
    let body = json["body_html"].as_str().unwrap();
    for bad in ["<script", "onerror", "onclick", "javascript:", "<svg"] {
        assert!(!body.contains(bad), "{bad} in {body}");
    }
    for path in [
        "/cases/hostile-case",
        "/search?q=hostile",
        "/search?q=%3Cscript%3Ealert(1)%3C/script%3E&sector=%3Cimg%20src=x%20onerror=alert(1)%3E",
    ] {
        let page = server.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = &page.body;
        // The only script element is our own external file (beside schema.org JSON-LD data
        // blocks, which are not script and in which no `<` of a case survives).
        let data = "<script type=\"application/ld+json\">";
        assert_eq!(html.matches("<script").count() - html.matches(data).count(), 1, "{path}: {html}");
        for (at, _) in html.match_indices(data) {
            let block = &html[at + data.len()..at + data.len() + html[at + data.len()..].find("</script>").unwrap()];
            assert!(!block.contains('<'), "{path}: {block}");
        }
        assert!(html.contains(r#"<script src="/static/app.js?v="#));
        assert_no_active_markup(path, html);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_are_bilingual_and_remember_the_choice() {
    let (_w, server) = fixture_server().await;
    let italian = server.get_with("/", &[("accept-language", "it-IT,it;q=0.9,en;q=0.5")]).await;
    assert!(italian.body.contains("<html lang=\"it\">"));
    assert!(italian.body.contains("Settori"));
    let english = server.get_with("/search?q=telemedicina", &[("accept-language", "en-GB,en")]).await;
    assert!(english.body.contains("<html lang=\"en\">"));
    assert!(english.body.contains("2 results"), "{}", english.body);
    let switched = server.get_with("/search?q=telemedicina&lang=it", &[("accept-language", "en")]).await;
    assert!(switched.body.contains("<html lang=\"it\">"));
    assert!(switched.body.contains("2 risultati"));
    assert!(switched.header("set-cookie").starts_with("lang=it;"), "{}", switched.header("set-cookie"));
    assert!(switched.header("set-cookie").contains("SameSite=Lax"));
    assert!(switched.header("set-cookie").contains("Secure"), "served as https://archive.example");
    let remembered = server.get_with("/", &[("accept-language", "en"), ("cookie", "lang=it")]).await;
    assert!(remembered.body.contains("<html lang=\"it\">"));
}

#[tokio::test(flavor = "multi_thread")]
async fn website_pages_render_without_javascript() {
    let (_w, server) = fixture_server().await;
    let home = server.get_with("/", &[("accept-language", "en")]).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("href=\"/search?sector=health\""), "sector tiles link to searches");
    assert!(home.body.contains("<svg class=\"chart\""), "year chart");
    let search = server.get_with("/search?sector=energy&region=IT", &[("accept-language", "en")]).await;
    assert!(search.body.contains("1 result"));
    assert!(search.body.contains("name=\"sector\" value=\"energy\" checked"));
    assert!(search.body.contains("class=\"chip\""), "active filters are chips");
    assert!(search.body.contains("/search.csv?sector=energy&#38;region=IT"), "export links keep the filters");
    let partial = server.get("/search?q=telemedicina&partial=1").await;
    assert!(!partial.body.contains("<html"), "partial is a fragment");
    assert!(partial.body.contains("class=\"hits\""));
    let case = server.get_with("/cases/telemedicina-lombardia", &[("accept-language", "en")]).await;
    assert!(case.body.contains("<h1>Telemedicina per i pazienti cronici</h1>"));
    assert!(case.body.contains("href=\"/search?region=ITC4\""), "link back to the region");
    assert!(case.body.contains("href=\"/search?sector=health\""), "link back to the sector");
    assert!(case.body.contains("Similar cases"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_feeds_sitemap_robots_health() {
    let (_w, server) = fixture_server().await;
    let csv = server.get("/search.csv?per_page=2").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0], "id,title,organisation,year,sectors,region,city,award,url");
    assert_eq!(lines.len(), 12, "all 11 cases, not one page");
    assert!(csv.body.contains(",https://archive.example/cases/zero-trust-paris\n"));
    let atom = server.get("/search.atom?sector=energy").await;
    assert!(atom.header("content-type").starts_with("application/atom+xml"));
    assert_eq!(atom.body.matches("<entry>").count(), 2);
    let first = atom.body.find("comunita-energetica-sicilia").unwrap();
    let second = atom.body.find("energy-community-bayern").unwrap();
    assert!(first < second, "newest first");
    let sitemap = server.get("/sitemap.xml").await;
    assert_eq!(sitemap.body.matches("<url>").count(), 12);
    assert!(sitemap.body.contains("<loc>https://archive.example/cases/fintech-milano</loc>"));
    assert!(server.get("/robots.txt").await.body.contains("Sitemap: https://archive.example/sitemap.xml"));
    let health = server.get("/healthz").await.json();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["cases"], 11);
}

#[tokio::test(flavor = "multi_thread")]
async fn headers_compression_and_static_caching() {
    let (_w, server) = fixture_server().await;
    let page = server.get_with("/search", &[("accept-encoding", "gzip")]).await;
    assert_eq!(page.header("content-encoding"), "gzip");
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
    assert!(page.header("content-security-policy").contains("frame-ancestors 'none'"));
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert!(!page.header("referrer-policy").is_empty());
    let html = server.get("/").await.body;
    let css_path =
        html.split("href=\"").find_map(|s| s.strip_prefix("/static/site.css")).unwrap().split('"').next().unwrap();
    let css = server.get(&format!("/static/site.css{css_path}")).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.header("cache-control").contains("immutable"));
    let etag = css.header("etag").to_string();
    let again = server.get_with("/static/site.css", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_index_is_served_without_restart_and_no_request_fails_meanwhile() {
    let (workspace, server) = fixture_server().await;
    assert_eq!(server.get("/api/search?q=Zanzibar").await.json()["total"], 0);
    let text = std::fs::read_to_string(workspace.corpus().join("cases/fintech-milano.md")).unwrap();
    workspace.write("cases/zanzibar-payments.md", text.replace("PagaSmart", "Zanzibar Pay"));
    let corpus = workspace.corpus();
    let index = workspace.index();
    let rebuild = std::thread::spawn(move || {
        for _ in 0..3 {
            casebook_index::build_index(
                &corpus,
                &index,
                &casebook_index::BuildOptions { full: true, ..Default::default() },
                &mut |_| {},
            )
            .unwrap();
        }
    });
    let mut requests = 0;
    while !rebuild.is_finished() || requests < 20 {
        let answer = server.get("/api/search?q=pagamenti").await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        requests += 1;
    }
    rebuild.join().unwrap();
    let mut found = 0;
    for _ in 0..100 {
        found = server.get("/api/search?q=Zanzibar").await.json()["total"].as_u64().unwrap();
        if found == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found, 1, "the new generation is served");
    assert_eq!(server.state.archive().case_count(), 12);
}
