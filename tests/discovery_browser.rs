//! Discovery in real headless Chromium against the real binary: a click on the map filters
//! the search with JavaScript off; the map and the facets work with the keyboard alone, with
//! a visible focus; axe-core (the npm package, installed by `scripts/test.sh` into
//! `target/npm`) finds no serious or critical violation on any public page in Italian and
//! English; the JSON-LD blocks cause no content-security-policy report; and screenshots of
//! the home page with the map and of an organisation page at 1280 and 360 pixels.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::browser::{save_screenshot, start_browser, text, wait_until};
use crate::util::process::serve;
use crate::util::{Workspace, sample_corpus};

/// The browser console of the session (chromedriver's log endpoint).
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (axum::http::Method, Option<String>) {
        (axum::http::Method::POST, Some(r#"{"type":"browser"}"#.to_string()))
    }
}

/// The console messages logged since the last read.
async fn console(client: &Client) -> Vec<String> {
    let logs = client.issue_cmd(BrowserLog).await.expect("read the browser console");
    logs.as_array()
        .map(|entries| entries.iter().map(|e| e["message"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

/// The sample corpus with a published showcase, indexed.
fn sample_workspace() -> Workspace {
    let workspace = Workspace::copy_of(&sample_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let store = casebook_store::Store::open(&workspace.path().join("data/casebook.db")).unwrap();
    let anna = store.add_user("anna", casebook_store::Role::Organiser, "correct horse battery").unwrap();
    let new = casebook_store::NewShowcase {
        title: "Health stage".into(),
        event: Some("SMAU Milano 2026".into()),
        ..Default::default()
    };
    let showcase = store.create_showcase(&anna, &new).unwrap();
    for (id, title) in
        [("cardiologia-telemonitoraggio-post-dimissione", "Cardiologia"), ("techforlife-medtech4europe", "TechForLife")]
    {
        store.add_item(&showcase.slug, &anna, id, title, "A **note**.").unwrap();
    }
    store.set_status(&showcase.slug, &anna, casebook_store::Status::Published).unwrap();
    workspace
}

async fn attribute(client: &Client, css: &str, name: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.attr(name).await.ok().flatten().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn clicking_a_region_on_the_map_filters_the_search_with_javascript_off() {
    let workspace = crate::discovery::discovery_workspace();
    assert!(workspace.run(&["index"]).status.success());
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(false, profile.path()).await;

    client.goto(&format!("{base}/?lang=en")).await.unwrap();
    assert_eq!(client.find_all(Locator::Css("svg.italy-map a.region")).await.unwrap().len(), 20);
    let name = attribute(&client, "a.region[data-region=ITC4]", "aria-label").await;
    assert_eq!(name, "Lombardy: 3 cases");
    client.find(Locator::Css("a.region[data-region=ITC4]")).await.unwrap().click().await.unwrap();
    wait_until("the region's cases", "3 results", || text(&client, "#result-count")).await;
    let url = client.current_url().await.unwrap();
    assert_eq!((url.path(), url.query()), ("/search", Some("region=ITC4")));
    // On the search page the selected region's link removes it again.
    assert_eq!(attribute(&client, "a.region[data-region=ITC4]", "aria-current").await, "true");
    client.find(Locator::Css("a.region[data-region=ITC4]")).await.unwrap().click().await.unwrap();
    wait_until("every case", "14 results", || text(&client, "#result-count")).await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_map_and_the_facets_work_with_the_keyboard_alone_with_a_visible_focus() {
    let workspace = crate::discovery::discovery_workspace();
    assert!(workspace.run(&["index"]).status.success());
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;
    client.goto(&format!("{base}/search?lang=en")).await.unwrap();
    wait_until("all cases", "14 results", || text(&client, "#result-count")).await;

    // Tab from the top of the page until a facet checkbox has the focus; Space ticks it.
    let active = "const a = document.activeElement; return a ? (a.getAttribute('data-region') ? 'region:' + a.getAttribute('data-region') : a.tagName + ':' + (a.name || '') + ':' + (a.value || '')) : '';";
    let focused = || async { client.execute(active, vec![]).await.unwrap().as_str().unwrap_or_default().to_string() };
    let body = client.find(Locator::Css("body")).await.unwrap();
    let mut reached = String::new();
    for _ in 0..60 {
        body.send_keys(&Key::Tab).await.unwrap();
        reached = focused().await;
        if reached.starts_with("INPUT:sector:") {
            break;
        }
    }
    assert!(reached.starts_with("INPUT:sector:"), "no sector checkbox reached with Tab: {reached}");
    let outline = client.execute("return getComputedStyle(document.activeElement).outlineStyle", vec![]).await.unwrap();
    assert_ne!(outline, json!("none"), "the focused checkbox shows its focus");
    client.execute("document.activeElement.dataset.probe = '1'", vec![]).await.unwrap();
    client.active_element().await.unwrap().send_keys(" ").await.unwrap();
    wait_until("a sector ticked with the keyboard", "true", || async {
        client
            .execute(
                "const e = document.querySelector('input[name=sector]:checked'); return e ? 'true' : 'false'",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    })
    .await;

    // Tab on to the map: each region is a stop, its outline thickens with the focus, and
    // Enter follows its link.
    client.goto(&format!("{base}/?lang=en")).await.unwrap();
    let body = client.find(Locator::Css("body")).await.unwrap();
    for _ in 0..40 {
        body.send_keys(&Key::Tab).await.unwrap();
        reached = focused().await;
        if reached.starts_with("region:") {
            break;
        }
    }
    assert!(reached.starts_with("region:"), "no map region reached with Tab: {reached}");
    let stroke = client
        .execute("return getComputedStyle(document.activeElement.querySelector('path')).strokeWidth", vec![])
        .await
        .unwrap();
    assert_eq!(stroke, json!("4px"), "the focused region is outlined");
    let region = reached.trim_start_matches("region:").to_string();
    client.active_element().await.unwrap().send_keys(&Key::Enter).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !client.current_url().await.unwrap().as_str().contains(&format!("region={region}")) {
        assert!(Instant::now() < deadline, "Enter on the region did not filter the search");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.close().await.unwrap();
}

/// axe-core's serious and critical violations on the current page.
async fn axe_violations(client: &Client, axe: &str) -> Vec<Value> {
    client.execute(axe, vec![]).await.expect("inject axe-core");
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
          .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160)) }))))
          .catch(e => done([{ id: 'axe-error', help: String(e) }]));";
    let result = client.execute_async(script, vec![]).await.expect("run axe-core");
    result.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_core_finds_no_serious_or_critical_violation_on_any_public_page_in_both_languages() {
    let axe_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/npm/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path)
        .unwrap_or_else(|_| panic!("{} not found: run scripts/test.sh, which installs axe-core", axe_path.display()));
    let workspace = sample_workspace();
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;
    let pages = [
        "/",
        "/search",
        "/search?q=telemedicina&sector=health&region=ITC4",
        "/search?q=zzzquokkazzz",
        "/cases/flussi-open-banking-cash-flow-forecasting-smes",
        "/cases/techforlife-medtech4europe",
        "/organisations",
        "/organisations/saldami",
        "/showcases",
        "/showcases/health-stage",
        "/login",
        "/no-such-page",
    ];
    let mut failures = Vec::new();
    let mut checked = 0;
    for lang in ["it", "en"] {
        for page in pages {
            let separator = if page.contains('?') { '&' } else { '?' };
            client.goto(&format!("{base}{page}{separator}lang={lang}")).await.unwrap();
            let violations = axe_violations(&client, &axe).await;
            checked += 1;
            if !violations.is_empty() {
                failures.push(format!("{page} ({lang}): {}", serde_json::to_string_pretty(&violations).unwrap()));
            }
            for message in console(&client).await {
                if message.contains("Content Security Policy") || message.contains("Content-Security-Policy") {
                    failures.push(format!("{page} ({lang}): the browser reports {message}"));
                }
            }
        }
    }
    assert_eq!(checked, 24);
    assert!(failures.is_empty(), "accessibility or CSP problems:\n{}", failures.join("\n"));
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn screenshots_of_the_home_page_map_and_an_organisation_page_at_1280_and_360_pixels() {
    let workspace = sample_workspace();
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;
    for (width, height) in [(1280u32, 1000u32), (360, 800)] {
        client.set_window_size(width, height).await.unwrap();
        client.goto(&format!("{base}/?lang=en")).await.unwrap();
        client.execute("document.querySelector('.map-section').scrollIntoView()", vec![]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(client.find_all(Locator::Css("svg.italy-map a.region")).await.unwrap().len(), 20);
        save_screenshot(&format!("home-map-{width}.png"), &client.screenshot().await.unwrap());
        client.goto(&format!("{base}/organisations/umbra-cyber-defence?lang=it")).await.unwrap();
        let heading = text(&client, "h1").await;
        assert_eq!(heading, "Umbra Cyber Defence (UCD)", "the latest spelling on a tie");
        assert_eq!(client.find_all(Locator::Css(".timeline-case")).await.unwrap().len(), 2);
        save_screenshot(&format!("organisation-{width}.png"), &client.screenshot().await.unwrap());
        client.goto(&format!("{base}/search?q=energia&lang=en")).await.unwrap();
        let open = client.execute("return document.querySelector('.map-foldable').open", vec![]).await.unwrap();
        assert_eq!(open, json!(width > 700), "the search page's map folds away on phones only");
    }
    client.close().await.unwrap();
}
