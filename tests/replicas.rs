//! Several `casebook serve` processes sharing one PostgreSQL database (issue 16): a session,
//! a token revocation, a password change and the login limits hold across replicas; a
//! showcase made through one is public on the other; the index reaches every replica, from a
//! shared folder that one builder updates (a replica started during a build serves the
//! previous generation) or from the same corpus checkout; and killing one replica under load
//! loses no acknowledged write while the other keeps answering.

use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::util::backend::{Backend, TestDatabase};
use crate::util::http::{Answer, hidden, send_to};
use crate::util::process::{self, Process};
use crate::util::proxy::RoundRobin;
use crate::util::{Workspace, fixture_corpus, stderr, stdout};

const PASSWORD: &str = "correct horse battery";
const FORM: &str = "application/x-www-form-urlencoded";

/// `casebook serve` on the shared database, polling the index folder every 100 ms.
fn replica(workspace: &Workspace, db: &TestDatabase, extra: &[&str]) -> (Process, String) {
    let url = db.arg();
    let mut args = vec!["--db", url.as_str(), "--rate-limit", "0", "--poll-interval", "0.1"];
    args.extend_from_slice(extra);
    process::serve_with(workspace, &[], &args, &[("CASEBOOK_LOG", "error")], Stdio::null())
}

/// `casebook ARGS --db URL`, with `input` on standard input.
fn cli(workspace: &Workspace, db: &TestDatabase, args: &[&str], input: &str) -> std::process::Output {
    let url = db.arg();
    let mut all = args.to_vec();
    all.extend(["--db", url.as_str()]);
    let output = workspace.run_with_stdin(&all, input);
    assert!(output.status.success(), "casebook {args:?}: {}", stderr(&output));
    output
}

async fn log_in(base: &str, name: &str, password: &str) -> Answer {
    let page = send_to(base, Method::GET, "/login", &[], String::new()).await;
    let login_cookie = page.cookie("casebook_login");
    let token = hidden(&page.body, "login_token");
    let body = format!("login_token={token}&name={name}&password={}", password.replace(' ', "+"));
    send_to(base, Method::POST, "/login", &[("content-type", FORM), ("cookie", &login_cookie)], body).await
}

async fn post_form(base: &str, path: &str, session: &str, body: String) -> Answer {
    send_to(base, Method::POST, path, &[("content-type", FORM), ("cookie", session)], body).await
}

async fn with_token(base: &str, method: Method, path: &str, token: &str, body: &str) -> Answer {
    let auth = format!("Bearer {token}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json")];
    send_to(base, method, path, &headers, body.to_string()).await
}

/// Polls `path` on `base` until it answers 200, for up to 10 seconds.
async fn wait_for(base: &str, path: &str) -> Answer {
    let started = Instant::now();
    loop {
        let answer = send_to(base, Method::GET, path, &[], String::new()).await;
        if answer.status == StatusCode::OK {
            return answer;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{base}{path} not served within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn total(base: &str) -> u64 {
    let answer = send_to(base, Method::GET, "/api/search", &[], String::new()).await;
    answer.json()["total"].as_u64().unwrap()
}

fn new_case(title: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\norganisation: \"Replica Lab\"\nyear: 2024\nsector: ict\nregion: Lombardia\ncity: Milano\n---\n\nThe {title} case, told for the replica tests.\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn two_replicas_share_sessions_showcases_tokens_limits_and_the_index() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let db = Backend::Postgres.database(&workspace);
    assert!(workspace.run(&["index"]).status.success());
    cli(&workspace, &db, &["users", "add", "anna"], &format!("{PASSWORD}\n"));
    cli(&workspace, &db, &["users", "add", "bruno"], &format!("{PASSWORD}\n"));
    let (_a, a) = replica(&workspace, &db, &[]);
    let (_b, b) = replica(&workspace, &db, &[]);

    // Logged in on A; the same cookie works on B.
    let logged = log_in(&a, "anna", PASSWORD).await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    let session = logged.cookie("casebook_session");
    let dashboard = send_to(&b, Method::GET, "/organiser", &[("cookie", &session)], String::new()).await;
    assert_eq!(dashboard.status, StatusCode::OK, "the session of A is valid on B");
    let csrf = hidden(&dashboard.body, "csrf");

    // A showcase created, filled and published through B is public on A.
    let created = post_form(&b, "/organiser/showcases", &session, format!("csrf={csrf}&title=Replica+stage")).await;
    assert_eq!(created.header("location"), "/organiser/showcases/replica-stage", "{}", created.body);
    let added = post_form(
        &b,
        "/organiser/add",
        &session,
        format!("csrf={csrf}&showcase=replica-stage&case_id=museum-vr-firenze"),
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let published = post_form(&b, "/organiser/showcases/replica-stage/publish", &session, format!("csrf={csrf}")).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let public = send_to(&a, Method::GET, "/showcases/replica-stage", &[], String::new()).await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Replica stage") && public.body.contains("Musei in realtà virtuale"));

    // A token made on B works on both; revoked on A, B refuses it at once.
    let made = post_form(&b, "/organiser/tokens", &session, format!("csrf={csrf}&name=laptop")).await;
    let token = made.body.split("id=\"new-token\">").nth(1).and_then(|t| t.split('<').next()).unwrap().to_string();
    for base in [&a, &b] {
        assert_eq!(with_token(base, Method::GET, "/api/showcases", &token, "").await.status, StatusCode::OK);
    }
    let id = token.split('_').nth(1).unwrap();
    let revoked = post_form(&a, &format!("/organiser/tokens/{id}/revoke"), &session, format!("csrf={csrf}")).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let refused = with_token(&b, Method::POST, "/api/showcases", &token, r#"{"title":"Too late"}"#).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);

    // Five failed logins on A: B refuses the right password too (the limits are shared).
    for _ in 0..5 {
        assert_eq!(log_in(&a, "bruno", "wrong password!!").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(log_in(&b, "bruno", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);

    // A password change ends the session on both.
    cli(&workspace, &db, &["users", "passwd", "anna"], "another good password\n");
    for base in [&a, &b] {
        let page = send_to(base, Method::GET, "/organiser", &[("cookie", &session)], String::new()).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{base}: the old session is over");
    }

    // A new generation published by `casebook index` is served by both.
    workspace.write("cases/replica-case.md", new_case("Replica case"));
    let indexed = workspace.run(&["index"]);
    assert!(indexed.status.success(), "{}", stderr(&indexed));
    for base in [&a, &b] {
        let case = wait_for(base, "/api/cases/replica-case").await;
        assert_eq!(case.json()["title"], "Replica case");
        assert_eq!(total(base).await, 11);
    }

    // Each reports its pool and a store that answers.
    for base in [&a, &b] {
        let health = send_to(base, Method::GET, "/healthz", &[], String::new()).await.json();
        assert_eq!((health["status"].as_str(), health["store"].as_str()), (Some("ok"), Some("ok")), "{health}");
        let metrics = send_to(base, Method::GET, "/metrics", &[], String::new()).await.body;
        assert!(metrics.contains("casebook_store_connections{backend=\"postgres\"} 4\n"), "{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_replica_started_while_another_builds_serves_the_previous_generation_then_the_new_one() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let db = Backend::Postgres.database(&workspace);
    assert!(workspace.run(&["index"]).status.success());
    let (_a, a) = replica(&workspace, &db, &["--no-build"]);
    workspace.write("cases/replica-case.md", new_case("Replica case"));
    // A builder is at work: it holds the build lock of the shared index folder.
    let lock = std::fs::File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(workspace.index().join(".build.lock"))
        .unwrap();
    lock.lock().unwrap();
    let busy = workspace.run(&["index"]);
    assert_eq!(busy.status.code(), Some(2), "a second builder waits its turn: {}", stdout(&busy));
    // A replica started now (and one that would build) serves the previous generation.
    let (_b, b) = replica(&workspace, &db, &["--no-build"]);
    let (_c, c) = replica(&workspace, &db, &[]);
    for base in [&a, &b, &c] {
        assert_eq!(total(base).await, 10, "{base}");
    }
    // The build ends and publishes: every replica switches to it.
    drop(lock);
    assert!(workspace.run(&["index"]).status.success());
    for base in [&a, &b, &c] {
        wait_for(base, "/api/cases/replica-case").await;
        assert_eq!(total(base).await, 11, "{base}");
    }
    // A replica that never builds needs a generation to start from.
    let empty = Workspace::copy_of(&fixture_corpus());
    let refused = empty.run(&["serve", "--no-build", "--addr", "127.0.0.1:0", "--db", &db.arg()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("(--no-build): run `casebook index` first"), "{}", stderr(&refused));
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_building_from_the_same_corpus_checkout_serve_the_same_cases() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let db = Backend::Postgres.database(&workspace);
    let (_a, a) = replica(&workspace, &db, &["--index", "index-a", "--watch"]);
    let (_b, b) = replica(&workspace, &db, &["--index", "index-b", "--watch"]);
    for base in [&a, &b] {
        assert_eq!(total(base).await, 10);
    }
    workspace.write("cases/replica-case.md", new_case("Replica case"));
    for base in [&a, &b] {
        wait_for(base, "/api/cases/replica-case").await;
    }
    assert!(workspace.path().join("index-a/CURRENT").exists() && workspace.path().join("index-b/CURRENT").exists());
}

/// One request that may fail (the server died under it): the status and body, or `None`.
async fn try_send(base: &str, method: Method, path: &str, token: &str, body: String) -> Option<(StatusCode, String)> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let request = Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .ok()?;
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        let response = client.request(request).await.ok()?;
        let status = response.status();
        let bytes = response.into_body().collect().await.ok()?.to_bytes();
        Some((status, String::from_utf8_lossy(&bytes).into_owned()))
    })
    .await;
    answer.ok().flatten()
}

/// What a load task saw: (when the request started and ended, whether it was a write, the
/// status, and the showcase a write created).
type Outcome = (Duration, Duration, bool, Option<StatusCode>, Option<String>);

#[tokio::test(flavor = "multi_thread")]
async fn killing_one_replica_under_load_loses_no_acknowledged_write_and_the_other_keeps_answering() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let db = Backend::Postgres.database(&workspace);
    assert!(workspace.run(&["index"]).status.success());
    cli(&workspace, &db, &["users", "add", "anna"], &format!("{PASSWORD}\n"));
    let token = stdout(&cli(&workspace, &db, &["tokens", "create", "anna"], "")).lines().nth(1).unwrap().to_string();
    let (mut a_process, a) = replica(&workspace, &db, &[]);
    let (_b, b) = replica(&workspace, &db, &[]);
    let balancer = RoundRobin::start(&[&a, &b]).await;

    // Eight clients through the balancer for 6 seconds, each alternating a write (a new
    // showcase) and a search; replica A is killed (SIGKILL) after 2 seconds.
    let started = Instant::now();
    let (kill_at, run_for) = (Duration::from_secs(2), Duration::from_secs(6));
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..8 {
        let (base, token) = (balancer.base.clone(), token.clone());
        tasks.spawn(async move {
            let mut outcomes: Vec<Outcome> = Vec::new();
            let mut n = 0;
            while started.elapsed() < run_for {
                n += 1;
                let at = started.elapsed();
                let body = format!(r#"{{"title": "Load {client}-{n}"}}"#);
                let answer = try_send(&base, Method::POST, "/api/showcases", &token, body).await;
                let slug = answer.as_ref().and_then(|(_, body)| {
                    serde_json::from_str::<serde_json::Value>(body).ok()?["slug"].as_str().map(str::to_string)
                });
                outcomes.push((at, started.elapsed(), true, answer.map(|(status, _)| status), slug));
                let at = started.elapsed();
                let answer = try_send(&base, Method::GET, "/api/search?q=energia", &token, String::new()).await;
                outcomes.push((at, started.elapsed(), false, answer.map(|(status, _)| status), None));
            }
            outcomes
        });
    }
    tokio::time::sleep(kill_at).await;
    let served_before = balancer.served();
    let killing = started.elapsed();
    assert!(a_process.kill9(), "replica A was running");
    let killed = started.elapsed();
    let mut outcomes: Vec<Outcome> = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.extend(done.unwrap());
    }
    let served_after = balancer.served();

    // Both replicas took load before the kill; only B after it.
    assert!(served_before.iter().all(|&n| n > 10), "{served_before:?}");
    assert!(served_after[1] > served_before[1] + 10, "B went on: {served_before:?} -> {served_after:?}");
    // Every request answered before the kill succeeded, and every one sent from half a second
    // after it (B answers alone); only requests in flight when A died may have failed.
    let settled = killed + Duration::from_millis(500);
    for (at, ended, write, status, _) in &outcomes {
        if *ended < killing || *at > settled {
            let expected = if *write { StatusCode::CREATED } else { StatusCode::OK };
            assert_eq!(*status, Some(expected), "a request at {at:?} (write: {write})");
        }
    }
    let acknowledged: Vec<&String> = outcomes
        .iter()
        .filter(|(_, _, write, status, _)| *write && *status == Some(StatusCode::CREATED))
        .filter_map(|(_, _, _, _, slug)| slug.as_ref())
        .collect();
    assert!(acknowledged.len() >= 50, "under load: {} writes acknowledged", acknowledged.len());
    // Every acknowledged write is in the database, as seen by the surviving replica.
    let listed = with_token(&b, Method::GET, "/api/showcases", &token, "").await.json();
    let stored: std::collections::BTreeSet<&str> =
        listed["showcases"].as_array().unwrap().iter().map(|s| s["slug"].as_str().unwrap()).collect();
    let lost: Vec<&&String> = acknowledged.iter().filter(|slug| !stored.contains(slug.as_str())).collect();
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");
    assert_eq!(db.store().problems().unwrap(), Vec::<String>::new());
    let failed = outcomes.iter().filter(|(_, _, _, status, _)| status.is_none()).count();
    println!(
        "{} requests, {} writes acknowledged and all stored, {failed} in flight on A failed; connections {served_after:?}",
        outcomes.len(),
        acknowledged.len()
    );
}

#[test]
fn a_database_password_is_never_printed() {
    let workspace = Workspace::new();
    // A server that refuses (port 1), and a URL that is not one: both errors name the
    // database without its password.
    for (url, shown) in [
        ("postgres://cb:s3cretpw@127.0.0.1:1/casebook", "`postgres://cb:***@127.0.0.1:1/casebook`"),
        ("postgresql://cb:s3cretpw@127.0.0.1:notaport/casebook", "postgresql://cb:***@127.0.0.1:notaport/casebook"),
    ] {
        for args in [&["users", "list", "--db", url][..], &["serve", "--addr", "127.0.0.1:0", "--db", url][..]] {
            let output = workspace.run(args);
            assert_eq!(output.status.code(), Some(2), "{args:?}");
            let error = stderr(&output);
            assert!(error.contains(shown) && !error.contains("s3cretpw"), "{args:?}: {error}");
        }
    }
    let help = workspace.run_with_env(&["serve", "--help"], &[("CASEBOOK_DB", "postgres://cb:s3cretpw@h/db")]);
    assert!(!stdout(&help).contains("s3cretpw"), "{}", stdout(&help));
}
