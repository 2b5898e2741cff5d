//! A real HTTP server on 127.0.0.1 (port 0) serving a workspace's index, and a real client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use casebook_server::{AppState, ServerConfig};

use super::Workspace;
use super::backend::{Backend, TestDatabase};

/// The metrics token of test servers.
pub const METRICS_TOKEN: &str = "test-metrics-token";

/// A running server; it stops when the test's runtime ends.
pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    /// Its database (a PostgreSQL one is dropped with the server).
    pub db: TestDatabase,
}

/// An answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The whole `Set-Cookie` header that sets cookie `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        let prefix = format!("{name}=");
        self.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with(&prefix))
    }

    /// The `name=value` of the cookie `name` this answer sets (panics without one).
    pub fn cookie(&self, name: &str) -> String {
        let header = self.set_cookie(name).unwrap_or_else(|| panic!("no {name} cookie"));
        header.split(';').next().unwrap_or_default().to_string()
    }
}

/// The value of the hidden form field `name` in a page (panics without one).
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in {html}")) + marker.len();
    html[start..].split('"').next().unwrap_or_default().to_string()
}

impl TestServer {
    /// Builds the workspace's index and serves it, without the per-client rate limit (tests
    /// send many requests from one address).
    pub async fn start(workspace: &Workspace) -> TestServer {
        Self::start_with(workspace, casebook_server::Limits { rate_per_second: 0.0, ..Default::default() }).await
    }

    /// The same with the given limits.
    pub async fn start_with(workspace: &Workspace, limits: casebook_server::Limits) -> TestServer {
        Self::start_configured(workspace, limits, true, Backend::Sqlite).await
    }

    /// Without the per-client rate limit, on `backend`.
    pub async fn start_on(workspace: &Workspace, backend: Backend) -> TestServer {
        Self::start_with_on(workspace, casebook_server::Limits { rate_per_second: 0.0, ..Default::default() }, backend)
            .await
    }

    /// With the given limits, on `backend`.
    pub async fn start_with_on(workspace: &Workspace, limits: casebook_server::Limits, backend: Backend) -> TestServer {
        Self::start_configured(workspace, limits, true, backend).await
    }

    /// Without the per-client rate limit, recording insights or not.
    pub async fn start_with_insights(workspace: &Workspace, insights: bool, backend: Backend) -> TestServer {
        Self::start_configured(
            workspace,
            casebook_server::Limits { rate_per_second: 0.0, ..Default::default() },
            insights,
            backend,
        )
        .await
    }

    /// Without the per-client rate limit, on SQLite, with a response cache of `bytes` (0: off).
    pub async fn start_with_cache(workspace: &Workspace, bytes: usize) -> TestServer {
        let limits = casebook_server::Limits { rate_per_second: 0.0, ..Default::default() };
        Self::serve_cached(workspace, limits, true, Backend::Sqlite.database(workspace), Some(bytes)).await
    }

    /// A server on a new database of `backend`.
    async fn start_configured(
        workspace: &Workspace,
        limits: casebook_server::Limits,
        insights: bool,
        backend: Backend,
    ) -> TestServer {
        Self::serve(workspace, limits, insights, backend.database(workspace)).await
    }

    /// A server on `db` (another server's database, for a restart).
    pub async fn serve(
        workspace: &Workspace,
        limits: casebook_server::Limits,
        insights: bool,
        db: TestDatabase,
    ) -> TestServer {
        Self::serve_cached(workspace, limits, insights, db, None).await
    }

    async fn serve_cached(
        workspace: &Workspace,
        limits: casebook_server::Limits,
        insights: bool,
        db: TestDatabase,
        cache_bytes: Option<usize>,
    ) -> TestServer {
        workspace.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        let config = ServerConfig {
            addr,
            index: workspace.index(),
            corpus: workspace.corpus(),
            watch: false,
            public_url: Some("https://archive.example".into()),
            poll_interval: Duration::from_millis(50),
            db: db.location(),
            limits,
            metrics_token: Some(METRICS_TOKEN.into()),
            cache_bytes: cache_bytes.unwrap_or(casebook_server::DEFAULT_CACHE_MB << 20),
            insights,
            insights_retention_days: 365,
        };
        let state = Arc::new(AppState::open(config, addr).expect("open index"));
        tokio::spawn(casebook_server::reload_loop(Arc::clone(&state), Duration::from_millis(50)));
        tokio::spawn(casebook_server::insights_loop(Arc::clone(&state)));
        let app = casebook_server::app(Arc::clone(&state));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        TestServer { base: format!("http://{addr}"), state, db }
    }

    /// `GET path` with extra headers.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.request(Method::GET, path, headers).await
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        self.request(Method::GET, path, &[]).await
    }

    /// Any method, no body.
    pub async fn request(&self, method: Method, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.send(method, path, headers, String::new()).await
    }

    /// Any method with a body.
    pub async fn send(&self, method: Method, path: &str, headers: &[(&str, &str)], body: String) -> Answer {
        send_to(&self.base, method, path, headers, body).await
    }
}

/// One HTTP request to `base` + `path`.
pub async fn send_to(base: &str, method: Method, path: &str, headers: &[(&str, &str)], body: String) -> Answer {
    {
        let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
        let mut builder = Request::builder().method(method).uri(format!("{base}{path}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let response =
            client.request(builder.body(Full::new(Bytes::from(body))).expect("request")).await.expect("response");
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.expect("body").to_bytes();
        Answer { status: parts.status, headers: parts.headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}
