//! Logs on standard error: no colour codes in a file, one JSON object per line with
//! `--log-format json`, logs before the error chain, and a server that keeps answering
//! (and counts the lines it drops) when nobody reads its standard error.

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::util::process::{self, Process};
use crate::util::{Workspace, fixture_corpus, stderr};

/// The lines of a log written by `--log-format json`, parsed; panics on a line that is not
/// a JSON object with a `level` and a `message`, except the error chain printed at exit.
fn json_lines(text: &str) -> Vec<serde_json::Value> {
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with("error: ") || line.starts_with("  caused by: ") {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}\nall:\n{text}"));
        assert!(value.is_object(), "{line}");
        assert!(value["level"].is_string(), "no level: {line}");
        assert!(value["message"].is_string(), "no message: {line}");
        lines.push(value);
    }
    lines
}

/// `GET base + path` with a shared client; the status.
async fn get(client: &Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>, url: &str) -> u16 {
    let request = axum::http::Request::get(url).body(Full::new(Bytes::new())).expect("request");
    let response = tokio::time::timeout(Duration::from_secs(10), client.request(request))
        .await
        .unwrap_or_else(|_| panic!("{url}: no answer within 10 s"))
        .expect("response");
    let status = response.status().as_u16();
    response.into_body().collect().await.expect("body");
    status
}

/// Serves the fixture corpus with standard error to `stderr`, sends `GET /nowhere`, stops
/// the server with SIGTERM.
async fn serve_one_request(global: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Workspace {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let (mut server, base) = process::serve_with(&workspace, global, &[], env, stderr);
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    assert_eq!(get(&client, &format!("{base}/nowhere")).await, 404);
    assert!(server.terminate().success());
    workspace
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_logs_to_a_file_without_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("serve.log");
    let file = std::fs::File::create(&path).unwrap();
    // NO_COLOR unset: the file alone must turn colours off.
    let env = [("CASEBOOK_LOG", "info"), ("NO_COLOR", "")];
    serve_one_request(&[], &env, Stdio::from(file)).await;
    let log = std::fs::read(&path).unwrap();
    let text = String::from_utf8_lossy(&log);
    assert!(text.contains("serving the archive"), "{text}");
    assert!(text.contains("path=/nowhere") && text.contains("status=404"), "{text}");
    assert!(!log.contains(&0x1b), "escape codes in the log file:\n{text:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_log_format_writes_one_object_per_line_with_a_level_and_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("serve.log");
    let file = std::fs::File::create(&path).unwrap();
    serve_one_request(&["--log-format", "json"], &[("CASEBOOK_LOG", "info")], Stdio::from(file)).await;
    let text = std::fs::read_to_string(&path).unwrap();
    let lines = json_lines(&text);
    assert!(lines.iter().any(|l| l["message"] == "serving the archive" && l["level"] == "INFO"), "{text}");
    let answered = lines.iter().find(|l| l["message"] == "answered").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(answered["status"], 404, "{text}");
    assert_eq!(answered["span"]["path"], "/nowhere", "{text}");
    assert!(answered["timestamp"].is_string(), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

#[test]
fn the_log_format_variable_selects_json_and_the_error_chain_comes_after_the_logs() {
    // No index and no corpus: `serve` logs that it cannot build the index, then fails.
    let workspace = Workspace::new();
    std::fs::remove_dir_all(workspace.corpus()).unwrap();
    let output = workspace.run_with_env(
        &["serve", "--addr", "127.0.0.1:0"],
        &[("CASEBOOK_LOG_FORMAT", "json"), ("CASEBOOK_LOG", "info")],
    );
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    let lines: Vec<&str> = text.lines().collect();
    let first_error = lines.iter().position(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("{text}"));
    let logs = json_lines(&lines[..first_error].join("\n"));
    assert!(
        logs.iter().any(|l| l["level"] == "ERROR"
            && l["message"] == "could not update the index; serving the previous one if there is one"),
        "{text}"
    );
    assert!(lines[first_error].starts_with("error: cannot build the index of `corpus`"), "{text}");
    assert!(lines[first_error + 1..].iter().all(|l| l.starts_with("  caused by: ")), "{text}");
    // An unknown format is refused by the argument parser.
    let output = workspace.run(&["--log-format", "xml", "check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("possible values: text, json"), "{}", stderr(&output));
}

/// Sends `count` requests over `connections` keep-alive connections; all must be answered.
async fn flood(base: &str, count: usize, connections: usize) {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..connections {
        let (client, url) = (client.clone(), format!("{base}/healthz"));
        tasks.spawn(async move {
            for _ in (c..count).step_by(connections) {
                assert_eq!(get(&client, &url).await, 200);
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("a request failed while nobody read the log");
    }
}

/// Reads standard error to its end in a thread.
fn read_in_background(mut server: Process) -> (Process, std::thread::JoinHandle<String>) {
    let mut stream = server.0.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read stderr");
        text
    });
    (server, reader)
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_keeps_answering_when_nobody_reads_its_log_and_reports_the_dropped_lines() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let env = [("CASEBOOK_LOG", "info")];
    let global = ["--log-format", "json"];
    let (server, base) = process::serve_with(&workspace, &global, &["--rate-limit", "0"], &env, Stdio::piped());
    // Nobody reads standard error: the pipe fills, then the log buffer (16,384 lines), then
    // lines are dropped. One line per request; a blocking writer would stop the server.
    let requests = 20_000;
    let started = Instant::now();
    flood(&base, requests, 4).await;
    let flood_time = started.elapsed();

    // Once the log is read again, the buffer drains: a last request's line shows it.
    let (mut server, reader) = read_in_background(server);
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(get(&client, &format!("{base}/healthz")).await, 200);
    assert!(server.terminate().success());
    let text = reader.join().expect("reader");
    let lines = json_lines(&text);
    let answered = lines.iter().filter(|l| l["message"] == "answered").count();
    let report = lines
        .iter()
        .rfind(|l| l["message"].as_str().is_some_and(|m| m.contains("log lines were dropped in all")))
        .unwrap_or_else(|| panic!("no final report of dropped lines after {flood_time:?}; {answered} answered lines"));
    assert_eq!(report["level"], "WARN");
    let dropped = report["total"].as_u64().expect("total") as usize;
    eprintln!("{requests} requests in {flood_time:?}: {answered} lines written, {dropped} dropped");
    // Every request's line was written or dropped; a few start-up lines may be among the dropped.
    let sent = requests + 1;
    assert!(dropped > 0 && answered < sent, "dropped {dropped}, answered {answered}");
    assert!((sent..=sent + 4).contains(&(answered + dropped)), "sent {sent}, answered {answered}, dropped {dropped}");
}
