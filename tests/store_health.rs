//! The store in `/healthz` and `/metrics`, on both backends: `"store": "ok"` while the
//! database answers; when PostgreSQL goes away, `"status": "degraded"` with status 200 (the
//! archive still searches, so a load balancer keeps the replica), store errors counted, and
//! everything back once the database returns (the pool connects again).

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use casebook_store::Role;

use crate::util::backend::{Backend, on_both_backends};
use crate::util::http::{METRICS_TOKEN, TestServer};
use crate::util::{Workspace, fixture_corpus};

on_both_backends!(the_health_check_and_the_metrics_report_the_store);

fn metric(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in {text}"))
}

async fn the_health_check_and_the_metrics_report_the_store(backend: Backend) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_on(&workspace, backend).await;
    let health = server.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let json = health.json();
    assert_eq!((json["status"].as_str(), json["store"].as_str()), (Some("ok"), Some("ok")), "{json}");
    let auth = format!("Bearer {METRICS_TOKEN}");
    let metrics = server.get_with("/metrics", &[("authorization", &auth)]).await.body;
    let name = if backend == Backend::Sqlite { "sqlite" } else { "postgres" };
    let size = if backend == Backend::Sqlite { 1 } else { 4 };
    assert_eq!(metric(&metrics, &format!("casebook_store_connections{{backend=\"{name}\"}}")), size);
    assert_eq!(metric(&metrics, &format!("casebook_store_connections_in_use{{backend=\"{name}\"}}")), 0);
    assert_eq!(metric(&metrics, &format!("casebook_store_errors_total{{backend=\"{name}\"}}")), 0);

    let Some(database) = server.db.scratch() else { return };
    // PostgreSQL goes away: searches go on, the store is reported, its errors counted.
    server.state.store.add_user("anna", Role::Organiser, "correct horse battery").unwrap();
    database.block_connections(true).unwrap();
    let started = Instant::now();
    let health = server.get("/healthz").await;
    assert!(started.elapsed() < Duration::from_secs(5), "the health check stays quick: {:?}", started.elapsed());
    assert_eq!(health.status, StatusCode::OK);
    let json = health.json();
    assert_eq!((json["status"].as_str(), json["store"].as_str()), (Some("degraded"), Some("error")), "{json}");
    assert_eq!(server.get("/api/search?q=energia").await.status, StatusCode::OK);
    assert_eq!(server.get("/api/showcases").await.status, StatusCode::INTERNAL_SERVER_ERROR);
    let metrics = server.get_with("/metrics", &[("authorization", &auth)]).await.body;
    assert!(metric(&metrics, "casebook_store_errors_total{backend=\"postgres\"}") >= 2, "{metrics}");
    // It comes back: the pool connects again.
    database.block_connections(false).unwrap();
    let json = server.get("/healthz").await.json();
    assert_eq!((json["status"].as_str(), json["store"].as_str()), (Some("ok"), Some("ok")), "{json}");
    assert_eq!(server.state.store.users().unwrap().len(), 1);
}
