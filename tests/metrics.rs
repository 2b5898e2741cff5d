//! `/metrics`: the Prometheus counters after real traffic, and who may read them.

use axum::http::Method;

use crate::util::http::{METRICS_TOKEN, TestServer};
use crate::util::{Workspace, fixture_corpus};

/// The value of a series line `name value`.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_count_requests_by_route_and_status() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    for _ in 0..3 {
        assert_eq!(server.get("/api/search?q=energia").await.status, 200);
    }
    assert_eq!(server.get("/api/search?page=0").await.status, 400);
    assert_eq!(server.get("/cases/telemedicina-lombardia").await.status, 200);
    assert_eq!(server.get("/no/such/page").await.status, 404);
    let answer = server.get("/metrics").await;
    assert_eq!(answer.status, 200, "loopback clients may read them");
    assert!(answer.header("content-type").starts_with("text/plain; version=0.0.4"));
    let text = answer.body;
    assert_eq!(value(&text, "casebook_http_requests_total{route=\"/api/search\",status=\"200\"}"), 3.0);
    assert_eq!(value(&text, "casebook_http_requests_total{route=\"/api/search\",status=\"400\"}"), 1.0);
    assert_eq!(value(&text, "casebook_http_requests_total{route=\"/cases/{id}\",status=\"200\"}"), 1.0);
    assert_eq!(value(&text, "casebook_http_requests_total{route=\"unmatched\",status=\"404\"}"), 1.0);
    assert_eq!(value(&text, "casebook_http_request_duration_seconds_count{route=\"/api/search\"}"), 4.0);
    assert_eq!(value(&text, "casebook_http_request_duration_seconds_bucket{route=\"/api/search\",le=\"+Inf\"}"), 4.0);
    assert_eq!(value(&text, "casebook_index_cases"), 10.0);
    assert_eq!(value(&text, "casebook_index_generation"), 1.0);
    assert_eq!(value(&text, "casebook_http_requests_refused_total{status=\"429\"}"), 0.0);
    assert!(!text.contains("no/such/page"), "paths never become labels");

    // A new generation is picked up and counted.
    workspace.write("cases/extra.md", std::fs::read(workspace.corpus().join("cases/fintech-milano.md")).unwrap());
    workspace.build();
    server.state.reload_if_changed().unwrap();
    let text = server.get("/metrics").await.body;
    assert_eq!(value(&text, "casebook_index_reloads_total"), 1.0);
    assert_eq!(value(&text, "casebook_index_cases"), 11.0);
    assert!(value(&text, "casebook_index_last_reload_timestamp_seconds") > 1.7e9);
}

#[tokio::test(flavor = "multi_thread")]
async fn metrics_are_refused_to_proxied_clients_without_the_token() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let proxied = server.request(Method::GET, "/metrics", &[("x-forwarded-for", "203.0.113.7")]).await;
    assert_eq!(proxied.status, 403);
    assert_eq!(proxied.json()["error"]["code"], "forbidden");
    let wrong = server
        .request(Method::GET, "/metrics", &[("x-forwarded-for", "203.0.113.7"), ("authorization", "Bearer nope")])
        .await;
    assert_eq!(wrong.status, 403);
    let bearer = format!("Bearer {METRICS_TOKEN}");
    let allowed = server
        .request(Method::GET, "/metrics", &[("x-forwarded-for", "203.0.113.7"), ("authorization", &bearer)])
        .await;
    assert_eq!(allowed.status, 200);
    assert!(allowed.body.contains("casebook_index_cases 10\n"));
}
