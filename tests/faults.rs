//! Faults: nothing is lost. SIGKILL of `casebook index` at random points of a large build,
//! a full disk and a permission error during a build, SIGKILL of `casebook serve` while
//! organisers write, and a backup taken during writes. Kill times come from a seed printed
//! in every failure message, so a failing run can be replayed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Method;
use casebook_store::{Role, Store};

use crate::util::http::{TestServer, send_to};
use crate::util::process::{self, Xorshift};
use crate::util::{FIXTURE_CASE_IDS, Workspace, fixture_corpus, stderr, stdout};

fn seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    std::env::var("CASEBOOK_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(nanos | 1)
}

fn live_generation(workspace: &Workspace) -> String {
    std::fs::read_to_string(workspace.index().join("CURRENT")).expect("CURRENT").trim().to_string()
}

/// `casebook search --json ARGS` through the CLI: the total.
fn cli_total(workspace: &Workspace, args: &[&str]) -> u64 {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let output = workspace.run(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    json["total"].as_u64().expect("total")
}

/// Searches in a loop until stopped; counts requests and failures.
struct SearchLoop {
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    failures: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SearchLoop {
    fn start(base: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let (s, r, f) = (Arc::clone(&stop), Arc::clone(&requests), Arc::clone(&failures));
        let task = tokio::spawn(async move {
            let queries = ["/api/search?q=energia", "/api/search?q=telemedicine&sector=health", "/search?q=robot"];
            let mut i = 0;
            while !s.load(Ordering::Relaxed) {
                let path = queries[i % queries.len()];
                let answer = send_to(&base, Method::GET, path, &[], String::new()).await;
                if answer.status != 200 {
                    f.lock().unwrap().push(format!("{path}: {} {}", answer.status, answer.body));
                }
                r.fetch_add(1, Ordering::Relaxed);
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        SearchLoop { stop, requests, failures, task }
    }

    async fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        self.task.await.expect("search loop");
        (self.requests.load(Ordering::Relaxed), self.failures.lock().unwrap().clone())
    }
}

/// Adds `n` generated cases to the workspace's corpus (the generator of
/// `casebook-bench gen-corpus`, called as a library).
fn grow(workspace: &Workspace, n: usize) {
    let out = workspace.path().join("generated");
    casebook_bench::generate(&out, &casebook_bench::GenOptions { cases: n, seed: 1, queries: 0 }).expect("generate");
    for entry in std::fs::read_dir(out.join("cases")).expect("generated cases") {
        let entry = entry.expect("entry");
        std::fs::rename(entry.path(), workspace.corpus().join("cases").join(entry.file_name())).expect("move");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_index_builds_leave_the_previous_index_serving_and_the_next_build_completes() {
    let seed = seed();
    let mut rng = Xorshift(seed);
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    grow(&workspace, 600);
    // A complete build first, timed, so that kills land anywhere in a build's life.
    let started = Instant::now();
    let output = workspace.run(&["index", "--full"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let build_ms = started.elapsed().as_millis() as u64;
    let live = live_generation(&workspace);
    let total = cli_total(&workspace, &[]);
    assert_eq!(total, 610);
    // A change that a killed build would publish if it got that far.
    let marker = std::fs::read_to_string(workspace.corpus().join("cases/fintech-milano.md")).expect("read");
    workspace.write("cases/zanzibar-pay.md", marker.replace("PagaSmart", "Zanzibar Pay"));

    let searches = SearchLoop::start(server.base.clone());
    let mut kills = Vec::new();
    let (mut live, mut expected, mut zanzibar) = (live, total, 0);
    for _ in 0..5 {
        let delay = rng.between(build_ms / 20..build_ms * 4 / 5);
        let mut build = process::spawn(&workspace, &["index", "--full"]);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let interrupted = build.kill9();
        let context = format!("seed {seed}, build {build_ms} ms, kills {kills:?}");
        let now = live_generation(&workspace);
        if now != live {
            // The build published before the kill landed (on a loaded machine a build can
            // be quicker than the timed one): the new generation is whole, with the change,
            // and the next kills must leave it serving.
            (live, expected, zanzibar) = (now, total + 1, 1);
            assert_eq!(cli_total(&workspace, &[]), expected, "{context}");
            assert_eq!(cli_total(&workspace, &["Zanzibar"]), zanzibar, "{context}");
            kills.push((delay, false));
            continue;
        }
        kills.push((delay, interrupted));
        assert!(interrupted, "{context}: the build ended without publishing");
        assert_eq!(cli_total(&workspace, &[]), expected, "{context}");
        assert_eq!(cli_total(&workspace, &["Zanzibar"]), zanzibar, "{context}");
        // The server keeps serving the live generation (it may still be picking up one that a
        // build published just before its kill).
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.get("/api/search").await.json()["total"].as_u64() != Some(expected) {
            assert!(Instant::now() < deadline, "{context}: the server serves the live generation");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    eprintln!("seed {seed}: full build {build_ms} ms; kills (ms after start, interrupted): {kills:?}");
    let interrupted = kills.iter().filter(|(_, i)| *i).count();
    assert!(
        interrupted >= 3,
        "seed {seed}: only {interrupted} builds were interrupted ({kills:?}, build {build_ms} ms)"
    );

    // The next build cleans up after the killed ones and completes.
    let output = workspace.run(&["index"]);
    assert!(output.status.success(), "seed {seed}: {}", stderr(&output));
    assert_eq!(cli_total(&workspace, &["Zanzibar"]), 1);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.get("/api/search?q=Zanzibar").await.json()["total"] != 1 {
        assert!(Instant::now() < deadline, "the server picks up the new generation");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let leftovers: Vec<String> = std::fs::read_dir(workspace.index())
        .expect("index dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|name| name.starts_with(".tmp-"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new(), "temporary folders of killed builds are removed");
    let (requests, failures) = searches.finish().await;
    assert!(requests > 20, "{requests}");
    assert_eq!(failures, Vec::<String>::new(), "seed {seed}: searches failed during the kills");
}

/// Runs `casebook ARGS` in the workspace as an unprivileged user that cannot write the
/// index folder (`setpriv` to nobody when the tests run as root; root ignores file modes).
fn run_without_write_permission(workspace: &Workspace, args: &[&str]) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    let root = std::process::Command::new("id").arg("-u").output().map(|o| stdout(&o).trim() == "0").unwrap_or(false);
    // Everything readable, nothing writable, for the other user or after chmod.
    std::fs::set_permissions(workspace.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::set_permissions(workspace.index(), std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let binary = env!("CARGO_BIN_EXE_casebook");
    let mut command = if root {
        let mut command = std::process::Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", binary]);
        command
    } else {
        std::process::Command::new(binary)
    };
    let output = command.args(args).current_dir(workspace.path()).output().expect("run casebook");
    std::fs::set_permissions(workspace.index(), std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    output
}

#[test]
fn a_full_disk_or_a_permission_error_fails_the_build_clearly_and_keeps_the_index() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let live = live_generation(&workspace);
    let marker = std::fs::read_to_string(workspace.corpus().join("cases/fintech-milano.md")).expect("read");
    workspace.write("cases/zanzibar-pay.md", marker.replace("PagaSmart", "Zanzibar Pay"));

    // A full disk: the file size limit makes writes fail as they would on a full disk
    // (EFBIG instead of ENOSPC; the same write error path), with SIGXFSZ ignored.
    let output = std::process::Command::new("bash")
        .args(["-c", "trap '' XFSZ; ulimit -f 8; exec \"$0\" index --full", env!("CARGO_BIN_EXE_casebook")])
        .current_dir(workspace.path())
        .output()
        .expect("run bash");
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("error: ") && message.contains("File too large"), "{message}");
    assert!(message.contains("the disk is full or a size limit was reached: free space"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(live_generation(&workspace), live);
    assert_eq!(cli_total(&workspace, &["Zanzibar"]), 0);
    assert_eq!(cli_total(&workspace, &[]), 10);

    // No permission to write the index folder.
    let output = run_without_write_permission(&workspace, &["index"]);
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(message.contains("error: ") && message.contains("Permission denied"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
    assert_eq!(live_generation(&workspace), live);
    assert_eq!(cli_total(&workspace, &[]), 10);

    // With space and permission back, the build completes.
    let output = workspace.run(&["index"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(cli_total(&workspace, &["Zanzibar"]), 1);
}

const CASES: [&str; 10] = FIXTURE_CASE_IDS;

/// What a writer knows of its showcase: the order last acknowledged, and the order the
/// change in flight would produce.
#[derive(Debug, Clone, Default)]
struct Known {
    acknowledged: Vec<String>,
    in_flight: Option<Vec<String>>,
}

/// Edits one showcase over HTTP until the server dies: adds, reorders, removes.
async fn writer(base: String, token: String, title: String, known: Arc<Mutex<HashMap<String, Known>>>) {
    let auth = format!("Bearer {token}");
    let headers = [("content-type", "application/json"), ("authorization", auth.as_str())];
    let body = format!(r#"{{"title": "{title}"}}"#);
    let Ok(created) = try_send(&base, Method::POST, "/api/showcases", &headers, body).await else { return };
    if created.0 != 201 {
        return;
    }
    let slug = created.1["slug"].as_str().unwrap_or_default().to_string();
    known.lock().unwrap().insert(slug.clone(), Known::default());
    let mut order: Vec<String> = Vec::new();
    let mut step = 0usize;
    loop {
        step += 1;
        let (method, path, body, next) = if order.len() < 3 || (step.is_multiple_of(3) && order.len() < CASES.len()) {
            let case = CASES.iter().find(|c| !order.iter().any(|o| o == *c)).expect("a case not listed");
            let mut next = order.clone();
            next.push(case.to_string());
            (Method::POST, format!("/api/showcases/{slug}/items"), format!(r#"{{"case_id": "{case}"}}"#), next)
        } else if step % 3 == 1 {
            let mut next = order.clone();
            next.rotate_left(1);
            let ids = serde_json::to_string(&next).expect("json");
            (Method::PUT, format!("/api/showcases/{slug}/order"), format!(r#"{{"case_ids": {ids}}}"#), next)
        } else {
            let next = order[1..].to_vec();
            (Method::DELETE, format!("/api/showcases/{slug}/items/{}", order[0]), String::new(), next)
        };
        known.lock().unwrap().entry(slug.clone()).or_default().in_flight = Some(next.clone());
        let Ok((status, json)) = try_send(&base, method, &path, &headers, body).await else { return };
        assert!((200..300).contains(&status), "{path}: {status} {json}");
        let listed: Vec<String> = json["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["case_id"].as_str().unwrap_or_default().to_string())
            .collect();
        assert_eq!(listed, next, "{path}");
        order = next;
        let mut known = known.lock().unwrap();
        let entry = known.entry(slug.clone()).or_default();
        entry.acknowledged = order.clone();
        entry.in_flight = None;
    }
}

/// One request; `Err` when the connection fails (the server was killed).
async fn try_send(
    base: &str,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: String,
) -> Result<(u16, serde_json::Value), ()> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<axum::body::Bytes>>();
    let mut builder = axum::http::Request::builder().method(method).uri(format!("{base}{path}"));
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let response = client.request(builder.body(Full::new(body.into())).map_err(|_| ())?).await.map_err(|_| ())?;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.map_err(|_| ())?.to_bytes();
    Ok((status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null)))
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_the_server_mid_write_loses_no_acknowledged_change_and_backups_restore() {
    let seed = seed();
    let mut rng = Xorshift(seed);
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let db = workspace.path().join("data/casebook.db");
    let (anna, token) = {
        let store = Store::open(&db).expect("open");
        let anna = store.add_user("anna", Role::Organiser, "correct horse battery").expect("user");
        (anna, store.create_token("anna", "writer").expect("token").1)
    };
    let known: Arc<Mutex<HashMap<String, Known>>> = Arc::default();
    for round in 0..3 {
        let (mut server, base) = process::serve(&workspace, &["--rate-limit", "0"]);
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..4 {
            writers.spawn(writer(base.clone(), token.clone(), format!("Round {round} writer {w}"), Arc::clone(&known)));
        }
        let delay = rng.between(150..700);
        if round == 1 {
            // A backup taken by another process while the writers write.
            tokio::time::sleep(Duration::from_millis(delay / 2)).await;
            let backup = workspace.path().join("backup-during-writes.db");
            let output = workspace.run(&["backup", backup.to_str().expect("utf-8 path")]);
            assert!(output.status.success(), "{}", stderr(&output));
            let restored = Store::open(&backup).expect("open the backup");
            assert_eq!(restored.problems().expect("check"), Vec::<String>::new());
            assert!(!restored.showcases(Some(&anna)).expect("showcases").is_empty());
        }
        tokio::time::sleep(Duration::from_millis(delay)).await;
        assert!(server.kill9(), "the server was running");
        while let Some(result) = writers.join_next().await {
            result.expect("a writer saw a wrong answer");
        }
        // Reopening after SIGKILL recovers the write-ahead log; nothing half-applied.
        let store = Store::open(&db).expect("reopen after kill -9");
        let in_flight = known.lock().unwrap().values().filter(|k| k.in_flight.is_some()).count();
        eprintln!("seed {seed}, round {round}: killed after {delay} ms, {in_flight} changes in flight");
        assert_eq!(store.problems().expect("check"), Vec::<String>::new(), "seed {seed}, round {round}");
        for (slug, expected) in known.lock().unwrap().iter_mut() {
            let listed: Vec<String> =
                store.showcase(slug, Some(&anna)).expect("showcase").items.iter().map(|i| i.case_id.clone()).collect();
            assert!(
                listed == expected.acknowledged || Some(&listed) == expected.in_flight.as_ref(),
                "seed {seed}, round {round}, `{slug}`: found {listed:?}, acknowledged {:?}, in flight {:?}",
                expected.acknowledged,
                expected.in_flight
            );
            // The change in flight at the kill either happened or not; now it is known.
            *expected = Known { acknowledged: listed, in_flight: None };
        }
    }
    assert!(known.lock().unwrap().len() >= 8, "writers created their showcases");
}
