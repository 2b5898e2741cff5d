//! Hostile HTTP over raw TCP on loopback (so nothing normalises the request first): path
//! traversal, overlong URLs, parameters by the thousand, bad encodings, NUL bytes, wrong
//! methods, oversized bodies, header injection. Every answer is a 4xx in the format of the
//! path (JSON under `/api/` and for feeds and exports, HTML elsewhere), never a 5xx, never a file outside `web/static`.
//! Then overload: the in-flight cap (503 + Retry-After), the deadline, the per-client rate
//! limit (429 + Retry-After).

use std::time::{Duration, Instant};

use axum::http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::util::http::TestServer;
use crate::util::{Workspace, fixture_corpus};

/// A raw answer.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

impl Raw {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_string())
        })
    }
}

fn address(server: &TestServer) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Sends `request` as is and reads the answer until the server closes the connection. A
/// server that stops reading an oversized body early is fine: the write error is ignored.
async fn raw(server: &TestServer, request: &[u8]) -> Raw {
    let mut stream = TcpStream::connect(address(server)).await.expect("connect");
    let _ = stream.write_all(request).await;
    let mut bytes = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut bytes)).await;
    assert!(read.is_ok(), "no answer within 20 s to {:?}", String::from_utf8_lossy(&request[..request.len().min(200)]));
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Raw {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut raw = Raw { status, head: head.to_string(), body: body.to_string() };
    if raw.header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        raw.body = dechunk(&raw.body);
    }
    raw
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: archive.test\r\nConnection: close\r\n\r\n").into_bytes()
}

fn with_method(method: &str, target: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {target} HTTP/1.1\r\nHost: archive.test\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What a hostile request must get.
enum Expect {
    /// This exact status, in the format of the path.
    Status(u16),
    /// Any 4xx, in the format of the path.
    ClientError,
    /// A 200 page or document.
    Ok,
    /// Rejected by the HTTP parser before routing: a 4xx (hyper writes no body).
    Protocol,
}

async fn check(server: &TestServer, name: &str, request: Vec<u8>, expect: Expect) {
    let path = String::from_utf8_lossy(&request).split_whitespace().nth(1).unwrap_or_default().to_string();
    let answer = raw(server, &request).await;
    let context = format!("{name}: {} {}", answer.status, &answer.body[..answer.body.len().min(300)]);
    assert!(answer.status >= 200 && answer.status < 500, "{context}");
    for leaked in ["root:x:0:0", "[package]", "[workspace]", "DATABASE", "SQLite format"] {
        assert!(!answer.body.contains(leaked), "{name}: leaked {leaked:?}");
    }
    match expect {
        Expect::Status(status) => assert_eq!(answer.status, status, "{context}"),
        Expect::ClientError | Expect::Protocol => assert!((400..500).contains(&answer.status), "{context}"),
        Expect::Ok => assert_eq!(answer.status, 200, "{context}"),
    }
    if matches!(expect, Expect::Protocol) {
        return;
    }
    // Error answers carry the same protective headers as pages.
    let policy = answer.header("content-security-policy").unwrap_or_default();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{name}: {policy:?}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"), "{name}: {policy:?}");
    assert_eq!(answer.header("x-content-type-options").as_deref(), Some("nosniff"), "{name}");
    assert!(answer.header("referrer-policy").is_some(), "{name}");
    if answer.status == 200 {
        return;
    }
    let content_type = answer.header("content-type").unwrap_or_default();
    let document = path.split('?').next().unwrap_or_default();
    let for_programs = [".csv", ".atom", ".json", ".md", ".xml"].iter().any(|ext| document.ends_with(ext));
    if path.starts_with("/api/") || for_programs {
        assert!(content_type.starts_with("application/json"), "{name}: content-type {content_type:?}");
        let json: serde_json::Value =
            serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {}", answer.body));
        assert!(json["error"]["code"].is_string() && json["error"]["message"].is_string(), "{name}: {json}");
    } else {
        assert!(content_type.starts_with("text/html"), "{name}: content-type {content_type:?}");
        assert!(answer.body.starts_with("<!doctype html>") || answer.body.starts_with("<!DOCTYPE html>"), "{context}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_requests_get_4xx_in_the_right_format_never_5xx() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let long_query = format!("/api/search?q={}", "a".repeat(20_000));
    let long_page = format!("/search?q={}", "%F0%9F%98%80".repeat(3_000));
    let many_filters = format!("/api/search?{}", "sector=ict&".repeat(1_000));
    let many_unknown = format!("/api/search?q=energia&{}", "utm=1&".repeat(2_000));
    let long_suggest = format!("/api/suggest?q={}", "z".repeat(5_000));
    let huge_body = "x".repeat(1024 * 1024);
    let table: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("traversal in a case id", get("/cases/..%2f..%2fetc%2fpasswd"), Expect::Status(404)),
        ("traversal in an API case id", get("/api/cases/..%2f..%2fetc%2fpasswd"), Expect::Status(404)),
        ("dot segments to a static file", get("/static/../Cargo.toml"), Expect::Status(404)),
        ("encoded dot segments to a static file", get("/static/..%2fCargo.toml"), Expect::Status(404)),
        ("double-encoded traversal", get("/static/%252e%252e%252fCargo.toml"), Expect::Status(404)),
        ("encoded dots", get("/static/%2e%2e/%2e%2e/etc/passwd"), Expect::Status(404)),
        ("absolute traversal", get("/../../../../etc/passwd"), Expect::ClientError),
        ("backslash traversal", get("/static/..%5c..%5cCargo.toml"), Expect::Status(404)),
        ("traversal in a showcase name", get("/showcases/..%2f..%2fdata%2fcasebook.db"), Expect::Status(404)),
        ("unknown showcase export", get("/showcases/nope.json"), Expect::Status(404)),
        ("unknown showcase export as CSV", get("/showcases/nope.csv"), Expect::Status(404)),
        ("unknown document", get("/nothing-here.xml"), Expect::Status(404)),
        ("invalid UTF-8 in a path", get("/cases/%FF%FE"), Expect::ClientError),
        ("invalid UTF-8 in an API path", get("/api/cases/%C0%AF"), Expect::ClientError),
        ("NUL in a path", get("/cases/a%00b"), Expect::Status(404)),
        ("overlong query string", get(&long_query), Expect::Status(414)),
        ("overlong page address", get(&long_page), Expect::Status(414)),
        ("a filter repeated 1,000 times", get(&many_filters), Expect::Status(400)),
        ("2,000 unknown parameters", get(&many_unknown), Expect::Ok),
        ("overlong suggestion prefix", get(&long_suggest), Expect::Ok),
        ("bad percent-encodings", get("/api/search?q=%ZZ%&sector=%"), Expect::Ok),
        ("invalid UTF-8 in q", get("/api/search?q=%FF%FE%C0%AF"), Expect::Ok),
        ("NUL bytes in q", get("/search?q=a%00b%00"), Expect::Ok),
        ("control characters and RTL", get("/search?q=%1B%5B31m%E2%80%AEabc"), Expect::Ok),
        ("huge page", get("/api/search?page=99999999999999999999999"), Expect::Status(400)),
        ("page past the depth limit", get("/api/search?page=4294967296"), Expect::Status(400)),
        ("negative page", get("/api/search?page=-1"), Expect::Status(400)),
        ("negative per_page", get("/search?per_page=-5"), Expect::Status(400)),
        ("negative year", get("/api/search?year=-2021"), Expect::Status(400)),
        ("export too deep", get("/search.csv?page=1000&per_page=100"), Expect::Status(400)),
        ("unknown sort", get("/api/search?sort=%3Cscript%3E"), Expect::Status(400)),
        ("unknown language", get("/api/search?lang=xx"), Expect::Status(400)),
        ("DELETE on a search", with_method("DELETE", "/api/search", ""), Expect::Status(405)),
        ("POST on a page", with_method("POST", "/search", "q=x"), Expect::Status(405)),
        ("PUT on the home page", with_method("PUT", "/", ""), Expect::Status(405)),
        ("TRACE", with_method("TRACE", "/", ""), Expect::Status(405)),
        ("PATCH on a case", with_method("PATCH", "/api/cases/fintech-milano", "{}"), Expect::Status(405)),
        ("unknown method", with_method("BREW", "/api/search", ""), Expect::Status(405)),
        ("oversized API body", with_method("POST", "/api/showcases", &huge_body), Expect::ClientError),
        ("oversized login form", with_method("POST", "/login", &huge_body), Expect::ClientError),
        ("write without a token", with_method("DELETE", "/api/showcases/%2e%2e", ""), Expect::Status(401)),
        ("malformed JSON with a bad token", {
            let body = "{\"title\": [[[[[[";
            format!("POST /api/showcases HTTP/1.1\r\nHost: a\r\nConnection: close\r\nAuthorization: Bearer nope\r\nContent-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
        }, Expect::Status(401)),
        ("garbage request line", b"GARBAGE\r\n\r\n".to_vec(), Expect::Protocol),
        ("header without a colon", b"GET / HTTP/1.1\r\nHost a\r\nConnection: close\r\n\r\n".to_vec(), Expect::Protocol),
        ("a 100 KB cookie", format!("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nCookie: {}\r\n\r\n", "c".repeat(100_000)).into_bytes(), Expect::Ok),
        ("a 1 MB header", format!("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Big: {}\r\n\r\n", "c".repeat(1 << 20)).into_bytes(), Expect::Protocol),
        ("conflicting lengths", b"POST /login HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde".to_vec(), Expect::Protocol),
    ];
    let rows = table.len();
    for (name, request, expect) in table {
        check(&server, name, request, expect).await;
    }
    assert!(rows >= 40);

    // CR LF in a parameter never becomes a header.
    let answer = raw(&server, &get("/search?q=x%0d%0aSet-Cookie:%20pwned=1")).await;
    assert_eq!(answer.status, 200);
    assert!(!answer.head.to_ascii_lowercase().contains("pwned"), "{}", answer.head);
    // A hostile Host header never reaches the links (they use the configured public URL).
    let answer =
        raw(&server, b"GET /search?q=energia HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").await;
    assert_eq!(answer.status, 200);
    assert!(!answer.body.contains("evil.example"));
    let feed =
        raw(&server, b"GET /search.atom?q=energia HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n").await;
    assert!(!feed.body.contains("evil.example") && feed.body.contains("https://archive.example"));
    // The static files that exist are served; nothing else is.
    assert_eq!(raw(&server, &get("/static/site.css")).await.status, 200);
    assert_eq!(raw(&server, &get("/static/Cargo.toml")).await.status, 404);
}

/// An API token of a new organiser account (a write route checks it before it reads the body).
fn organiser_token(server: &TestServer) -> String {
    let store = &server.state.store;
    store.add_user("holder", casebook_store::Role::Organiser, "a long enough password").expect("user");
    store.create_token("holder", "test").expect("token").1
}

/// Opens an authorised request whose body never finishes: it holds its place in flight until
/// dropped.
async fn held_request(server: &TestServer, token: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address(server)).await.expect("connect");
    let head = format!(
        "POST /api/showcases HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"ti"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream
}

#[tokio::test(flavor = "multi_thread")]
async fn over_the_in_flight_cap_requests_are_refused_at_once_with_503() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let limits = casebook_server::Limits { max_in_flight: 2, rate_per_second: 0.0, ..Default::default() };
    let server = TestServer::start_with(&workspace, limits).await;
    let token = organiser_token(&server);
    let held = [held_request(&server, &token).await, held_request(&server, &token).await];
    // Both are admitted (and wait for their bodies), then every further request is shed.
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.state.guard.requests_in_flight() < 2 {
        assert!(Instant::now() < deadline, "held requests not admitted: {}", server.state.guard.requests_in_flight());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    let refused = (server.get("/api/search?q=energia").await, started.elapsed());
    assert_eq!(refused.0.status, 503, "{}", refused.0.body);
    let (answer, took) = refused;
    assert_eq!(answer.header("retry-after"), "1");
    assert_eq!(answer.json()["error"]["code"], "overloaded");
    // Fast: not after the 10 s deadline the held requests would reach (generous for a
    // loaded CI machine).
    assert!(took < Duration::from_secs(2), "a refusal must be fast, took {took:?}");
    let page = server.get_with("/search?q=energia", &[("accept-language", "it-IT,it;q=0.9")]).await;
    assert_eq!(page.status, 503);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.body.contains("<html lang=\"it\">"), "the refusal page follows the visitor's language");
    assert_eq!(server.get("/healthz").await.status, 200, "health checks are always answered");
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.get("/api/search?q=energia").await.status != 200 {
        assert!(Instant::now() < deadline, "capacity came back");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_over_its_deadline_is_answered_503() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let limits = casebook_server::Limits {
        request_timeout: Duration::from_millis(300),
        rate_per_second: 0.0,
        ..Default::default()
    };
    let server = TestServer::start_with(&workspace, limits).await;
    let token = organiser_token(&server);
    let mut stream = held_request(&server, &token).await;
    let started = Instant::now();
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut bytes)).await;
    let answer = parse(&bytes);
    assert_eq!(answer.status, 503, "{}", answer.head);
    assert_eq!(answer.header("retry-after").as_deref(), Some("1"));
    assert!(answer.body.contains("\"timeout\""), "{}", answer.body);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn each_client_has_a_search_budget_then_429() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let limits = casebook_server::Limits { rate_per_second: 0.5, burst: 3, ..Default::default() };
    let server = TestServer::start_with(&workspace, limits).await;
    for _ in 0..3 {
        assert_eq!(server.get("/api/search?q=energia").await.status, 200);
    }
    let refused = server.get("/api/suggest?q=ene").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json()["error"]["code"], "rate_limited");
    let wait: u64 = refused.header("retry-after").parse().expect("Retry-After in seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    let page = server.get("/search?q=energia").await;
    assert_eq!(page.status, 429);
    assert!(page.header("content-type").starts_with("text/html"));
    let export = server.get("/search.csv?q=energia").await;
    assert_eq!(export.status, 429);
    assert_eq!(export.json()["error"]["code"], "rate_limited");
    // A forged X-Forwarded-For does not buy a new budget unless the proxy is trusted.
    let forged = server.get_with("/api/search?q=x", &[("x-forwarded-for", "203.0.113.77")]).await;
    assert_eq!(forged.status, 429);
    // Cheap pages are not counted.
    assert_eq!(server.get("/cases/fintech-milano").await.status, 200);
    assert_eq!(server.get("/api/cases/fintech-milano").await.status, 200);

    // Behind a trusted proxy, each forwarded address has its own budget.
    let limits =
        casebook_server::Limits { rate_per_second: 0.5, burst: 1, trust_forwarded_for: true, ..Default::default() };
    let proxied = TestServer::start_with(&workspace, limits).await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    assert_eq!(proxied.get_with("/api/search?q=x", &from("203.0.113.1")).await.status, 200);
    assert_eq!(proxied.get_with("/api/search?q=x", &from("203.0.113.1")).await.status, 429);
    assert_eq!(proxied.get_with("/api/search?q=x", &from("198.51.100.2, 203.0.113.2")).await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_handler_that_panics_gets_a_500_in_the_right_format_and_the_server_goes_on() {
    use axum::routing::get;
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    // The same layers as the real routes, around two handlers that panic.
    let boom = || async {
        let words: Vec<&str> = Vec::new();
        words[3].to_string()
    };
    let routes = axum::Router::new().route("/api/boom", get(boom)).route("/boom", get(boom));
    let app = casebook_server::protect(routes, std::sync::Arc::clone(&server.state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let send =
        |path: &'static str| crate::util::http::send_to(&base, axum::http::Method::GET, path, &[], String::new());
    let api = send("/api/boom").await;
    assert_eq!(api.status, 500);
    assert_eq!(api.json()["error"]["code"], "internal");
    assert!(!api.body.contains("index out of bounds"), "the panic message is logged, not sent: {}", api.body);
    let page = send("/boom").await;
    assert_eq!(page.status, 500);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(page.header("content-security-policy").contains("script-src 'self'"));
    // The connection task survived: the next request is answered.
    assert_eq!(send("/api/boom").await.status, 500);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_method_is_refused_in_the_visitor_s_language() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start(&workspace).await;
    let page = server.request(Method::DELETE, "/search", &[("accept-language", "it")]).await;
    assert_eq!(page.status, 405);
    assert!(page.body.contains("<html lang=\"it\">"), "{}", page.body);
    let api = server.request(Method::DELETE, "/api/search", &[]).await;
    assert_eq!(api.status, 405);
    assert_eq!(api.json()["error"]["code"], "method_not_allowed");
}
