//! The response cache over real HTTP: hits and misses counted exactly in `/metrics` and
//! `/healthz`, spellings of one search sharing an entry, a new index generation never
//! answered from the old one's cache, `--no-cache` and `CASEBOOK_CACHE_MB=0` never hitting,
//! a small cache evicting, error answers never stored, and a cached answer identical to the
//! computed one (a page keeping its visitor's own CSRF token).

use axum::http::{Method, StatusCode};
use casebook_store::{NewShowcase, Role};

use crate::util::http::{Answer, TestServer, send_to};
use crate::util::process::serve_with;
use crate::util::{Workspace, fixture_corpus};

/// The value of a series line `name value`.
fn value(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
        .parse()
        .unwrap()
}

/// Hits, misses, evictions and entries of the cache, from `/metrics` at `base`.
async fn counters(base: &str) -> (u64, u64, u64, u64) {
    let text = send_to(base, Method::GET, "/metrics", &[], String::new()).await.body;
    (
        value(&text, "casebook_cache_hits_total"),
        value(&text, "casebook_cache_misses_total"),
        value(&text, "casebook_cache_evictions_total"),
        value(&text, "casebook_cache_entries"),
    )
}

async fn get(base: &str, path: &str) -> Answer {
    let answer = send_to(base, Method::GET, path, &[], String::new()).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    answer
}

/// A search answer without its timing, which differs between two computations.
fn without_timing(body: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(body).unwrap();
    json.as_object_mut().unwrap().remove("took_ms");
    json
}

#[tokio::test(flavor = "multi_thread")]
async fn a_repeated_request_is_a_hit_counted_in_metrics_and_healthz() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let base = &server.base;
    assert_eq!(counters(base).await, (0, 0, 0, 0));

    let first = get(base, "/api/search?q=energia").await;
    assert_eq!(first.header("x-cache"), "miss");
    let second = get(base, "/api/search?q=energia").await;
    assert_eq!(second.header("x-cache"), "hit");
    assert_eq!(first.body, second.body, "the cached answer is the original one, took_ms included");
    assert_eq!(counters(base).await, (1, 1, 0, 1));

    // POST with the same search as a JSON body is the same entry.
    let posted = server
        .send(Method::POST, "/api/search", &[("content-type", "application/json")], r#"{"q":"energia"}"#.into())
        .await;
    assert_eq!((posted.status, posted.header("x-cache")), (StatusCode::OK, "hit"));
    assert_eq!(posted.body, first.body);

    // Facets and suggestions have entries of their own, per label language.
    for path in ["/api/facets", "/api/facets?lang=it", "/api/suggest?q=ene"] {
        assert_eq!(get(base, path).await.header("x-cache"), "miss", "{path}");
        assert_eq!(get(base, path).await.header("x-cache"), "hit", "{path}");
    }
    assert_eq!(get(base, "/api/facets?lang=en").await.header("x-cache"), "hit", "English is the default");
    assert_eq!(counters(base).await, (6, 4, 0, 4));

    let health = get(base, "/healthz").await.json();
    assert_eq!(health["cache"]["enabled"], true);
    assert_eq!(health["cache"]["hits"], 6);
    assert_eq!(health["cache"]["misses"], 4);
    assert_eq!(health["cache"]["hit_rate"], 0.6);
    assert_eq!(health["cache"]["entries"], 4);
    let text = get(base, "/metrics").await.body;
    assert_eq!(value(&text, "casebook_cache_capacity_bytes"), 64 << 20);
    assert!(value(&text, "casebook_cache_bytes") > 4 * 256, "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn filter_order_duplicates_and_spacing_are_one_key() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let base = &server.base;
    let first = get(base, "/api/search?q=energia%20%20comunit%C3%A0&sector=energy&sector=health").await;
    assert_eq!(first.header("x-cache"), "miss");
    for path in [
        "/api/search?sector=health&q=+energia+comunit%C3%A0&sector=energy",
        "/api/search?sector=health&sector=energy&sector=health&q=energia%09comunit%C3%A0&lang=en",
    ] {
        let answer = get(base, path).await;
        assert_eq!(answer.header("x-cache"), "hit", "{path}");
        assert_eq!(answer.body, first.body, "{path}");
    }
    // What changes the answer changes the key: the label language, an open last word.
    assert_eq!(
        get(base, "/api/search?q=energia+comunit%C3%A0&sector=energy&sector=health&lang=it").await.header("x-cache"),
        "miss"
    );
    assert_eq!(
        get(base, "/api/search?q=energia+comunit%C3%A0+&sector=energy&sector=health").await.header("x-cache"),
        "miss"
    );
    assert_eq!(counters(base).await, (2, 3, 0, 3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_index_generation_never_answers_from_the_old_cache() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let base = &server.base;
    let path = "/api/search?q=pagasmart";
    let before = get(base, path).await;
    assert_eq!(get(base, path).await.header("x-cache"), "hit");
    assert_eq!(before.json()["hits"][0]["title"], "Pagamenti digitali per le PMI");

    let file = "cases/fintech-milano.md";
    let text = std::fs::read_to_string(workspace.corpus().join(file)).unwrap();
    workspace.write(file, text.replace("Pagamenti digitali per le PMI", "Pagamenti istantanei per le PMI"));
    workspace.build();
    // The reload loop may get there first: either way the new generation is served now.
    server.state.reload_if_changed().unwrap();
    assert_eq!(get(base, "/healthz").await.json()["generation"], "gen-000002");
    assert_eq!(counters(base).await.3, 0, "the old generation's entries are dropped");

    let after = get(base, path).await;
    assert_eq!(after.header("x-cache"), "miss");
    assert_eq!(after.json()["hits"][0]["title"], "Pagamenti istantanei per le PMI");
    assert_eq!(get(base, path).await.header("x-cache"), "hit");
    assert_eq!(counters(base).await, (2, 2, 0, 1));
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_cache_nothing_is_ever_a_hit() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.build();
    let off = [("CASEBOOK_LOG", "warn")];
    let zero = [("CASEBOOK_LOG", "warn"), ("CASEBOOK_CACHE_MB", "0")];
    for (extra, env) in [(&["--no-cache", "--rate-limit", "0"][..], &off[..]), (&["--rate-limit", "0"][..], &zero[..])]
    {
        let (mut server, base) = serve_with(&workspace, &[], extra, env, std::process::Stdio::inherit());
        for _ in 0..3 {
            for path in ["/api/search?q=energia", "/api/facets", "/api/suggest?q=ene", "/search?q=energia", "/"] {
                let answer = get(&base, path).await;
                assert!(answer.headers.get("x-cache").is_none(), "{extra:?} {env:?} {path}");
            }
        }
        assert_eq!(counters(&base).await, (0, 0, 0, 0), "{extra:?} {env:?}");
        let text = get(&base, "/metrics").await.body;
        assert_eq!(value(&text, "casebook_cache_capacity_bytes"), 0);
        let health = get(&base, "/healthz").await.json();
        assert_eq!(health["cache"]["enabled"], false);
        assert_eq!(health["cache"]["hit_rate"], 0.0);
        server.terminate();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_one_megabyte_cache_evicts_the_least_recently_used() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.build();
    let (mut server, base) = serve_with(
        &workspace,
        &[],
        &["--cache-mb", "1", "--rate-limit", "0"],
        &[("CASEBOOK_LOG", "warn")],
        std::process::Stdio::inherit(),
    );
    // Distinct keys whose answers all hold the ten cases (each a few tens of KB).
    let paths: Vec<String> = (10..=100)
        .flat_map(|per_page| {
            ["relevance", "year_desc", "year_asc", "title"]
                .into_iter()
                .map(move |sort| format!("/api/search?per_page={per_page}&sort={sort}"))
        })
        .collect();
    for path in &paths {
        assert_eq!(get(&base, path).await.header("x-cache"), "miss", "{path}");
    }
    let (hits, misses, evictions, entries) = counters(&base).await;
    assert_eq!((hits, misses), (0, paths.len() as u64));
    assert!(evictions > 0 && entries < paths.len() as u64, "{evictions} evictions, {entries} entries");
    assert_eq!(evictions + entries, misses, "every answer was stored; those not held were evicted");
    let text = get(&base, "/metrics").await.body;
    assert!(value(&text, "casebook_cache_bytes") <= 1 << 20, "{text}");
    // The most recent is still there, the first went first.
    assert_eq!(get(&base, &paths[paths.len() - 1]).await.header("x-cache"), "hit");
    assert_eq!(get(&base, &paths[0]).await.header("x-cache"), "miss");
    server.terminate();
}

#[tokio::test(flavor = "multi_thread")]
async fn error_answers_are_never_cached() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let json = [("content-type", "application/json")];
    for _ in 0..2 {
        for path in ["/api/search?page=0", "/api/search?lang=fr", "/api/facets?lang=fr", "/search?per_page=1000"] {
            let answer = server.get(path).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
            assert!(answer.headers.get("x-cache").is_none(), "{path}");
        }
        // Valid JSON, invalid search: checked as asked, before its normalised form.
        for body in [r#"{"lang":"fr"}"#, &format!(r#"{{"sector":[{}]}}"#, vec!["\"energy\""; 65].join(","))] {
            let answer = server.send(Method::POST, "/api/search", &json, body.to_string()).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        }
    }
    assert_eq!(counters(&server.base).await, (0, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cached_answer_is_the_computed_one_and_a_page_keeps_its_own_csrf_token() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let uncached = TestServer::start_with_cache(&workspace, 0).await;
    let base = &server.base;
    let path = "/api/search?q=telemedicina&sector=health&per_page=5&lang=it";
    let miss = get(base, path).await;
    let hit = get(base, path).await;
    assert_eq!((miss.header("x-cache"), hit.header("x-cache")), ("miss", "hit"));
    assert_eq!(miss.body, hit.body);
    for name in ["content-type", "content-security-policy", "x-content-type-options", "referrer-policy"] {
        assert_eq!(miss.header(name), hit.header(name), "{name}");
    }
    let computed = get(&uncached.base, path).await;
    assert_eq!(without_timing(&computed.body), without_timing(&hit.body), "only took_ms differs without the cache");

    // Pages: the search part is shared, the visitor's CSRF token and language are not.
    let store = &server.state.store;
    let mut cookies = Vec::new();
    for name in ["anna", "bruno"] {
        let user = store.add_user(name, Role::Organiser, "correct horse battery").unwrap();
        store.create_showcase(&user, &NewShowcase { title: format!("{name} stage"), ..Default::default() }).unwrap();
        let (secret, session) = store.create_session(&user).unwrap();
        cookies.push((format!("casebook_session={secret}"), session.csrf));
    }
    let (before, ..) = counters(base).await;
    let mut pages = Vec::new();
    for (cookie, csrf) in &cookies {
        let page = server.get_with("/search?q=telemedicina", &[("cookie", cookie)]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("name=\"csrf\" value=\"{csrf}\"")), "each visitor's own token");
        pages.push(page.body);
    }
    let (after, ..) = counters(base).await;
    assert_eq!(after - before, 1, "the second visitor's page searched from the cache");
    assert_eq!(
        pages[0].replace(&cookies[0].1, "TOKEN").replace("anna", "NAME"),
        pages[1].replace(&cookies[1].1, "TOKEN").replace("bruno", "NAME")
    );
    let english = server.get_with("/search?q=telemedicina&lang=en", &[]).await.body;
    let italian = server.get_with("/search?q=telemedicina&lang=it", &[]).await.body;
    assert!(english.contains("lang=\"en\"") && italian.contains("lang=\"it\""));
    // Twice the home page: its search is a hit the second time.
    let (before, ..) = counters(base).await;
    let home = get(base, "/").await.body;
    assert_eq!(get(base, "/").await.body, home);
    assert_eq!(counters(base).await.0 - before, 1);
}
