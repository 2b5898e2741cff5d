//! The Casebook HTTP service: a JSON API under `/api/` and a server-rendered, bilingual
//! website, both answered from the same search core (`casebook-index`). Templates live in
//! `web/templates` (compiled in by askama), assets in `web/static` (embedded).
//!
//! `app(state)` builds the router (the one route table), so tests can serve it on any
//! listener; `serve` runs it. The modules are layered, each using only those listed before:
//!
//! - leaves: `i18n` (languages, UI strings), `html` (sanitising, charts), `params` (query
//!   strings), `assets` (embedded files), `limits` (the limits and their counters),
//!   `metrics` (the Prometheus counters), `map` (the SVG map of Italy), `insights` (the
//!   queue of usage events to the store), `cache` (the response cache);
//! - `layout` (the page frame), `error` (`AppError` and its JSON and HTML renderings);
//! - `state` (the served archive, the store, `blocking`), `auth` (tokens, sessions, the
//!   API's user extractors), `views` (the views API and pages share), `report` (the
//!   insights report API and pages share), `intake` (checking, storing and reviewing
//!   submissions), `answers` (the search core's answers through the response cache);
//! - `middleware` (admission, rate limit, uniform errors), `api`, `pages`, `watch`.

mod answers;
mod api;
mod assets;
mod auth;
mod cache;
mod error;
mod html;
mod i18n;
mod insights;
mod intake;
mod layout;
mod limits;
mod map;
mod metrics;
mod middleware;
mod pages;
mod params;
mod report;
mod state;
mod views;
mod watch;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, patch, post, put};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use api::openapi_json;
pub use cache::DEFAULT_CACHE_MB;
pub use limits::Limits;
pub use state::{AppState, ServerConfig};
pub use watch::reload_loop;

/// Writes the insights queue of `state` to its store until the server stops (spawned by
/// [`serve`]; a server started otherwise spawns it too, or records nothing).
pub async fn insights_loop(state: Arc<AppState>) {
    insights::insights_loop(Arc::clone(&state.insights), Arc::clone(&state.store)).await;
}

/// Content-Security-Policy of every response: no inline script, nothing from elsewhere.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest body of a submission or of a reviewer's edit (a long case study, form-encoded).
pub const INTAKE_BODY_BYTES: usize = 256 * 1024;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The index could not be opened.
    #[error(transparent)]
    Index(#[from] casebook_index::IndexError),
    /// The database could not be opened.
    #[error("cannot open the database `{location}`: {source}")]
    Store {
        /// The database (shown without its password).
        location: casebook_store::Location,
        /// What failed.
        source: casebook_store::StoreError,
    },
    /// The address could not be bound, or serving failed.
    #[error("cannot serve on {addr}: {source}")]
    Io {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
}

/// The router with every route and layer.
pub fn app(state: Arc<AppState>) -> Router {
    use api::showcases;
    // Public submissions: anyone may post them, so they take from the same per-address
    // budget as searches; their bodies may reach 256 KiB (a long case study, form-encoded).
    let intake_posts = Router::new()
        .route("/submit", post(pages::submit_post))
        .route("/submit/preview", post(pages::submit_preview))
        .route("/calls/{slug}/submit", post(pages::call_submit_post))
        .route("/api/submissions", post(api::submissions::create))
        .layer(DefaultBodyLimit::max(INTAKE_BODY_BYTES));
    // Routes whose answers cost real work: each client has a request budget for them.
    let expensive = Router::new()
        .route("/search", get(pages::search_page))
        .route("/search.atom", get(pages::atom))
        .route("/search.csv", get(pages::csv))
        .route("/api/search", get(api::search::search))
        .route("/api/search", post(api::search::search_json))
        .route("/api/cases/{id}/similar", get(api::cases::similar))
        .route("/api/suggest", get(api::search::suggest))
        .route("/api/facets", get(api::search::facets))
        .route("/organisations", get(pages::organisations_page))
        .route("/organisations/{slug}", get(pages::organisation_page))
        .route("/api/organisations", get(api::organisations::list))
        .route("/api/organisations/{slug}", get(api::organisations::get))
        .merge(intake_posts)
        .route_layer(from_fn_with_state(Arc::clone(&state), middleware::rate_limit));
    let routes = Router::new()
        .merge(expensive)
        .route("/", get(pages::home))
        .route("/cases/{id}", get(pages::case_page))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(pages::metrics))
        .route("/robots.txt", get(pages::robots))
        .route("/sitemap.xml", get(pages::sitemap))
        .route("/static/{file}", get(pages::static_file))
        .route("/api/cases/{id}", get(api::cases::case))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/showcases", get(showcases::list).post(showcases::create))
        .route("/api/showcases/{slug}", get(showcases::get).patch(showcases::update).delete(showcases::delete))
        .route("/api/showcases/{slug}/items", post(showcases::add_item))
        .route("/api/showcases/{slug}/items/{case_id}", patch(showcases::update_item).delete(showcases::remove_item))
        .route("/api/showcases/{slug}/order", put(showcases::reorder))
        .route("/api/showcases/{slug}/publish", post(showcases::publish))
        .route("/api/showcases/{slug}/unpublish", post(showcases::unpublish))
        .route("/api/admin/users", get(api::admin::users))
        .route("/showcases", get(pages::showcases_page))
        .route("/showcases/{name}", get(pages::showcase_page))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/organiser", get(pages::dashboard))
        .route("/organiser/showcases", post(pages::create_showcase))
        .route("/organiser/showcases/{slug}", get(pages::edit_showcase))
        .route("/organiser/showcases/{slug}/{action}", post(pages::showcase_action))
        .route("/organiser/add", post(pages::add_to_showcase))
        .route("/organiser/tokens", post(pages::create_token))
        .route("/organiser/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/organiser/insights", get(pages::insights_page))
        .route("/organiser/insights.csv", get(pages::insights_csv))
        .route("/api/insights", get(api::insights::insights))
        .route("/calls", get(pages::calls_page))
        .route("/calls/{slug}", get(pages::call_page))
        .route("/calls/{slug}/submit", get(pages::call_submit_page))
        .route("/submit", get(pages::submit_page))
        .route("/submissions/{token}", get(pages::status_page))
        .route("/api/calls", get(api::calls::list).post(api::calls::create))
        .route("/api/calls/{slug}", get(api::calls::get).patch(api::calls::update))
        .route("/api/calls/{slug}/showcase", post(api::calls::showcase))
        .route("/api/submissions", get(api::submissions::list))
        .route(
            "/api/submissions/{id}",
            get(api::submissions::get).patch(api::submissions::update).layer(DefaultBodyLimit::max(INTAKE_BODY_BYTES)),
        )
        .route("/api/submissions/{id}/accept", post(api::submissions::accept))
        .route("/api/submissions/{id}/reject", post(api::submissions::reject))
        .route("/organiser/calls", get(pages::organiser_calls).post(pages::create_call))
        .route("/organiser/calls/{slug}", get(pages::organiser_call))
        .route("/organiser/calls/{slug}/{action}", post(pages::call_action))
        .route("/organiser/submissions", get(pages::review_queue))
        .route("/organiser/submissions/{id}", get(pages::review_page))
        .route(
            "/organiser/submissions/{id}/{action}",
            post(pages::review_action).layer(DefaultBodyLimit::max(INTAKE_BODY_BYTES)),
        )
        .fallback(pages::not_found)
        .method_not_allowed_fallback(pages::method_not_allowed)
        .with_state(Arc::clone(&state));
    protect(routes, state)
}

/// Wraps routes in every protective layer: body limit, panic catcher, uniform errors,
/// admission (in-flight cap, deadline, URL length), compression, security headers and the
/// request log. Public so that tests can check the layers around routes of their own (a
/// handler that panics).
pub fn protect(routes: Router, state: Arc<AppState>) -> Router {
    let body_limit = state.config.limits.max_body_bytes;
    routes
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(from_fn(middleware::uniform_errors))
        .layer(from_fn_with_state(Arc::clone(&state), middleware::admission))
        .layer(from_fn_with_state(state, middleware::track))
        .layer(CompressionLayer::new().gzip(true))
        .layer(security_header("content-security-policy", CONTENT_SECURITY_POLICY))
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("referrer-policy", "strict-origin-when-cross-origin"))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            tracing::info_span!("request", method = %request.method(), path = %logged_path(request.uri().path()))
        }).on_response(|response: &axum::http::Response<_>, latency: Duration, _span: &tracing::Span| {
            tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_secs_f64() * 1000.0, "answered");
        })
        // Server errors are logged where they happen, with their cause; refusals in bulk by
        // `limits` once per second.
        .on_failure(()))
}

/// The path as logged: the secret token of a submission's status page is left out.
pub(crate) fn logged_path(path: &str) -> &str {
    if path.starts_with("/submissions/") { "/submissions/{token}" } else { path }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Binds, prints `listening on http://ADDR` on standard output, and serves until Ctrl-C or
/// SIGTERM, finishing requests in flight.
pub async fn serve(config: ServerConfig) -> Result<(), ServeError> {
    let addr = config.addr;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Io { addr, source })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Io { addr, source })?;
    let interval = config.poll_interval;
    let watch = config.watch;
    let state = Arc::new(AppState::open(config, bound)?);
    tokio::spawn(watch::reload_loop(Arc::clone(&state), interval));
    tokio::spawn(insights_loop(Arc::clone(&state)));
    if watch {
        tokio::spawn(watch::watch_corpus(Arc::clone(&state), interval));
    }
    tracing::info!(cases = state.archive().case_count(), "serving the archive");
    println!("listening on http://{bound}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| ServeError::Io { addr: bound, source })
}
