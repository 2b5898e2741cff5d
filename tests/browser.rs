//! End-to-end in real headless Chromium (Debian's `chromium` and `chromium-driver`, driven
//! over WebDriver), against the real `casebook serve` binary on a free loopback port.
//! `scripts/test.sh` installs Chromium when it is missing; this test never skips.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::util::process::{Process, serve};
use crate::util::{Workspace, fixture_corpus};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

/// chromedriver and a browser session. JavaScript can be turned off for the no-script run.
pub(crate) async fn start_browser(javascript: bool, profile: &std::path::Path) -> (Process, Client) {
    let port = free_port();
    let driver =
        Command::new("chromedriver").arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn();
    let driver = Process(
        driver.expect("chromedriver not found: run scripts/test.sh, which installs chromium and chromium-driver"),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut options = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
            format!("--user-data-dir={}", profile.display()),
        ],
        "prefs": { "intl.accept_languages": "en-US,en" }
    });
    if !javascript {
        options["prefs"]["profile.managed_default_content_settings.javascript"] = json!(2);
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");
    (driver, client)
}

/// Polls `read` until it returns `expected`, for up to 10 seconds.
pub(crate) async fn wait_until<F, Fut>(what: &str, expected: &str, mut read: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    while Instant::now() < deadline {
        last = read().await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: expected {expected:?}, still {last:?}");
}

pub(crate) async fn text(client: &Client, css: &str) -> String {
    match client.find(Locator::Css(css)).await {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

async fn count_of(client: &Client, value: &str) -> String {
    text(client, &format!("input[value=\"{value}\"] + label .count")).await
}

async fn html_lang(client: &Client) -> String {
    client
        .execute("return document.documentElement.lang", vec![])
        .await
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .unwrap_or_default()
}

fn save_screenshot(name: &str, png: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(name), png).expect("write screenshot");
}

#[tokio::test(flavor = "multi_thread")]
async fn search_filter_open_and_switch_language_in_chromium() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;

    // Type a query: results and counts update without a page load, and the URL follows.
    client.goto(&format!("{base}/search")).await.unwrap();
    wait_until("all cases", "10 results", || text(&client, "#result-count")).await;
    client.find(Locator::Id("q")).await.unwrap().send_keys("telemedicina").await.unwrap();
    wait_until("typed query", "2 results", || text(&client, "#result-count")).await;
    assert!(client.current_url().await.unwrap().as_str().contains("q=telemedicina"));
    let marked = text(&client, ".hit .snippet mark").await;
    assert_eq!(marked.to_lowercase(), "telemedicina");

    // Tick a sector: results, the other facets' counts and the URL change; untick it.
    client.goto(&format!("{base}/search")).await.unwrap();
    wait_until("italy before", "8", || count_of(&client, "IT")).await;
    client.find(Locator::Css("input[name=sector][value=energy]")).await.unwrap().click().await.unwrap();
    wait_until("sector ticked", "2 results", || text(&client, "#result-count")).await;
    wait_until("italy after", "1", || count_of(&client, "IT")).await;
    assert_eq!(count_of(&client, "energy").await, "2");
    assert_eq!(count_of(&client, "health").await, "2", "the sector facet keeps its own counts");
    assert!(client.current_url().await.unwrap().as_str().contains("sector=energy"));
    client.find(Locator::Css("input[name=sector][value=energy]")).await.unwrap().click().await.unwrap();
    wait_until("sector unticked", "10 results", || text(&client, "#result-count")).await;
    assert!(!client.current_url().await.unwrap().as_str().contains("sector="));

    // A screenshot for people, at desktop and phone widths.
    client.goto(&format!("{base}/search?q=energia&region=IT")).await.unwrap();
    save_screenshot("search-desktop.png", &client.screenshot().await.unwrap());
    client.set_window_size(360, 800).await.unwrap();
    client.goto(&format!("{base}/search?q=energia")).await.unwrap();
    let facets_visible = || async {
        client
            .execute("return getComputedStyle(document.getElementById('facets')).display", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    wait_until("facets folded on a phone", "none", facets_visible).await;
    client.find(Locator::Css(".filters-toggle")).await.unwrap().click().await.unwrap();
    wait_until("facets unfolded", "block", facets_visible).await;
    save_screenshot("search-mobile.png", &client.screenshot().await.unwrap());
    client.set_window_size(1280, 1000).await.unwrap();

    // Open a case page from the results.
    client.goto(&format!("{base}/search?q=telemedicina")).await.unwrap();
    client.find(Locator::Css(".hit h3 a")).await.unwrap().click().await.unwrap();
    let heading =
        client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("article.case h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Telemedicina per i pazienti cronici");
    assert!(client.current_url().await.unwrap().path().starts_with("/cases/"));

    // Switch to Italian and back.
    assert_eq!(html_lang(&client).await, "en");
    client.find(Locator::Css(".lang-switch")).await.unwrap().click().await.unwrap();
    wait_until("italian", "it", || html_lang(&client)).await;
    assert_eq!(text(&client, ".lang-switch").await, "English");
    client.goto(&format!("{base}/search")).await.unwrap();
    assert_eq!(html_lang(&client).await, "it", "the choice is remembered");
    client.find(Locator::Css(".lang-switch")).await.unwrap().click().await.unwrap();
    wait_until("english", "en", || html_lang(&client)).await;
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_site_works_with_javascript_disabled() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(false, profile.path()).await;

    client.goto(&format!("{base}/")).await.unwrap();
    let search = client.find(Locator::Css("input[name=q]")).await.unwrap();
    search.send_keys("energy").await.unwrap();
    client.find(Locator::Css(".hero button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_until("submitted query", "2 results", || text(&client, "#result-count")).await;
    // Without script the filters are a plain form: tick, then apply.
    client.find(Locator::Css("input[name=region][value=IT]")).await.unwrap().click().await.unwrap();
    assert_eq!(text(&client, "#result-count").await, "2 results", "nothing changes before applying");
    client.find(Locator::Css("#facets .apply")).await.unwrap().click().await.unwrap();
    wait_until("applied filter", "1 result", || text(&client, "#result-count")).await;
    let url = client.current_url().await.unwrap();
    assert!(url.as_str().contains("q=energy") && url.as_str().contains("region=IT"), "{url}");
    // Chips are links that remove a filter.
    client.find(Locator::Css(".chip")).await.unwrap().click().await.unwrap();
    wait_until("chip removed", "2 results", || text(&client, "#result-count")).await;
    client.close().await.unwrap();
}

#[test]
fn serve_watch_reindexes_and_keeps_serving_when_a_file_breaks() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["serve", "--addr", "127.0.0.1:0", "--watch", "--poll-interval", "0.1"])
        .current_dir(workspace.path())
        .env("CASEBOOK_LOG", "warn")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start casebook serve");
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let _process = Process(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("listening line");
    let base = line.trim().strip_prefix("listening on ").expect("address").to_string();
    let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = std::sync::Arc::clone(&logs);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&line);
            sink.lock().unwrap().push('\n');
        }
    });
    let total = |q: &str| -> u64 {
        let body = http_get(&format!("{base}/api/search?q={q}"));
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["total"].as_u64().unwrap()
    };
    assert_eq!(total("Quokka"), 0);
    // One good new case and one broken file arrive together.
    let good = std::fs::read_to_string(workspace.corpus().join("cases/fintech-milano.md")).unwrap();
    workspace.write("cases/quokka-payments.md", good.replace("PagaSmart", "Quokka Pay"));
    workspace.write("cases/broken-case.md", "---\ntitle: Broken\nyear: 2021\n");
    let deadline = Instant::now() + Duration::from_secs(15);
    while total("Quokka") != 1 {
        assert!(Instant::now() < deadline, "the good case was not indexed; logs:\n{}", logs.lock().unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while !logs.lock().unwrap().contains("broken-case.md:1:1: error: unterminated front matter") {
        assert!(Instant::now() < deadline, "the broken file was not reported; logs:\n{}", logs.lock().unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Everything else still answers.
    assert_eq!(total("telemedicina"), 2);
}

/// A minimal blocking HTTP/1.1 GET over loopback.
fn http_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("response");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        let mut out = String::new();
        let mut rest = body;
        while let Some((size, after)) = rest.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            out.push_str(&after[..size]);
            rest = &after[size + 2..];
        }
        out
    } else {
        body.to_string()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organiser_builds_and_publishes_a_showcase_in_chromium() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    // The account is created from the CLI, the password read from standard input.
    let added = workspace.run_with_stdin(&["users", "add", "anna", "--role", "organiser"], "correct horse battery\n");
    assert!(added.status.success(), "{}", crate::util::stderr(&added));
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;

    // Log in.
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Id("name")).await.unwrap().send_keys("anna").await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("correct horse battery").await.unwrap();
    client.find(Locator::Css("form.stacked button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("new-showcase")).await.unwrap();

    // Create a showcase.
    client.find(Locator::Id("new-title")).await.unwrap().send_keys("Health stage").await.unwrap();
    client.find(Locator::Css("#new-showcase button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("publish")).await.unwrap();
    assert!(client.current_url().await.unwrap().path().ends_with("/organiser/showcases/health-stage"));

    // Search and add three cases from the results.
    client.goto(&format!("{base}/search?sort=title")).await.unwrap();
    let mut added = Vec::new();
    for index in 0..3 {
        let hits = client.find_all(Locator::Css(".hit")).await.unwrap();
        let hit = &hits[index];
        let id = hit.find(Locator::Css("input[name=case_id]")).await.unwrap().attr("value").await.unwrap().unwrap();
        hit.find(Locator::Css(".add-button")).await.unwrap().click().await.unwrap();
        // The form posts and comes back to the results: wait until the old page is gone
        // (its elements go stale), then for the new one.
        let deadline = Instant::now() + Duration::from_secs(10);
        while hit.attr("class").await.is_ok() {
            assert!(Instant::now() < deadline, "the page did not reload after adding {id}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(".hit .add-button")).await.unwrap();
        added.push(id);
    }
    assert_eq!(added, ["energy-community-bayern", "robot-factory-veneto", "museum-vr-firenze"]);

    // Reorder: move the first case down.
    client.goto(&format!("{base}/organiser/showcases/health-stage")).await.unwrap();
    // The page reloads after each move: an element found before the reload is stale, so a
    // failed read is "not yet" and `wait_until` asks again.
    let order = || async {
        let Ok(items) = client.find_all(Locator::Css(".edit-item")).await else { return String::new() };
        let mut ids = Vec::new();
        for item in items {
            match item.attr("data-case").await {
                Ok(id) => ids.push(id.unwrap_or_default()),
                Err(_) => return String::new(),
            }
        }
        ids.join(",")
    };
    assert_eq!(order().await, "energy-community-bayern,robot-factory-veneto,museum-vr-firenze");
    client.find(Locator::Css(".edit-item .move-down")).await.unwrap().click().await.unwrap();
    wait_until("moved down", "robot-factory-veneto,energy-community-bayern,museum-vr-firenze", order).await;

    // Publish, then look as an anonymous visitor.
    client.find(Locator::Id("publish")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("unpublish")).await.unwrap();
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/showcases/health-stage")).await.unwrap();
    let cards = client.find_all(Locator::Css(".showcase-card")).await.unwrap();
    let mut public = Vec::new();
    for card in cards {
        public.push(card.attr("data-case").await.unwrap().unwrap_or_default());
    }
    assert_eq!(public, ["robot-factory-veneto", "energy-community-bayern", "museum-vr-firenze"]);
    assert!(client.find(Locator::Css(".site-nav form")).await.is_err(), "not logged in any more");
    save_screenshot("showcase-public.png", &client.screenshot().await.unwrap());
    client.close().await.unwrap();

    let csv = http_get(&format!("{base}/showcases/health-stage.csv"));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(rows[1].starts_with("1,robot-factory-veneto,"));
    assert!(rows[3].starts_with("3,museum-vr-firenze,"));
}

/// Markup that runs script if a page ever emits it unescaped; `FIELD` is replaced by the
/// name of the field it was planted in, so a failure says where it came from.
const XSS_PAYLOADS: &[&str] = &[
    "<script>window.__pwned='FIELD'</script>",
    "<img src=x onerror=\"window.__pwned='FIELD'\">",
    "<svg onload=\"window.__pwned='FIELD'\">",
    "<svg><script>window.__pwned='FIELD'</script></svg>",
    "[link](javascript:window.__pwned='FIELD')",
    "<a href=\"javascript:window.__pwned='FIELD'\">x</a>",
    "<iframe srcdoc=\"<script>parent.__pwned=1</script>\">",
    "<body onload=\"window.__pwned='FIELD'\">",
    "<details open ontoggle=\"window.__pwned='FIELD'\">",
];

/// Extra markup for the markdown body, where raw HTML is allowed (and must be sanitised).
const XSS_BODY_EXTRAS: &[&str] = &[
    "![image](x\" onerror=\"window.__pwned='body-image')",
    "<javascript:window.__pwned='body-autolink'>",
    "<a href=\"&#106;avascript:window.__pwned='body-entity'\">entity</a>",
    "<a href=\" javascript:window.__pwned='body-space'\">space</a>",
    "<a href=\"data:text/html,<script>parent.__pwned='body-data'</script>\">data</a>",
    "<form action=\"javascript:window.__pwned='body-form'\"><button formaction=\"javascript:window.__pwned='body-formaction'\">go</button></form>",
    "<object data=\"javascript:window.__pwned='body-object'\"></object><embed src=\"javascript:window.__pwned='body-embed'\">",
    "<math><mi xlink:href=\"javascript:window.__pwned='body-math'\">m</mi></math>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__pwned='body-meta'\"><base href=\"javascript:/\">",
    "<style>@import 'javascript:window.__pwned=1';</style><input autofocus onfocus=\"window.__pwned='body-autofocus'\">",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned='body-noscript'>\"></noscript>",
];

/// The field name planted in the case title: short, because a showcase keeps the titles of
/// its cases up to 400 characters, and all payloads with a longer name exceed that.
const TITLE: &str = "t";

/// The payloads for one field.
fn xss_payloads(field: &str) -> Vec<String> {
    XSS_PAYLOADS.iter().map(|p| p.replace("FIELD", field)).collect()
}

/// All payloads of one field on one line.
fn xss_payload(field: &str) -> String {
    xss_payloads(field).join(" ")
}

/// A valid case (so it is indexed) whose every free-text field and body is hostile. JSON
/// strings are YAML double-quoted scalars, so the front matter needs no escaping of its own.
fn xss_case() -> String {
    let text = |field: &str| serde_json::to_string(&xss_payload(field)).unwrap();
    let list = |field: &str| serde_json::to_string(&xss_payloads(field)).unwrap();
    let mut body = String::from("The xss-probe-word case. ");
    body.push_str(&xss_payload("body-inline"));
    body.push_str("\n\n");
    for payload in xss_payloads("body").into_iter().chain(XSS_BODY_EXTRAS.iter().map(|s| s.to_string())) {
        body.push_str(&payload);
        body.push_str("\n\nxss-probe-word between blocks.\n\n");
    }
    format!(
        "---\ntitle: {}\norganisation: {}\nyear: 2024\nsector: ict\nregion: {}\ncountry: DE\ncity: {}\naward: {}\nevent: {}\ncategory: {}\noutcome: winner\ntags: {}\npartners: {}\nlanguage: en\nsummary: {}\nwebsite: {}\n---\n\n{body}",
        text(TITLE),
        text("organisation"),
        text("region"),
        text("city"),
        text("award"),
        text("event"),
        text("category"),
        list("tags"),
        list("partners"),
        text("summary"),
        serde_json::to_string("https://xss.example/?q=\"><script>window.__pwned='website'</script>").unwrap(),
    )
}

/// What the page holds that could run script, read in the page after a pause for handlers
/// that fire late (onerror, ontoggle, onfocus).
const XSS_PROBE: &str = r#"
const handlers = [], urls = [];
for (const element of document.querySelectorAll('*')) {
  for (const attribute of Array.from(element.attributes)) {
    const name = attribute.name.toLowerCase();
    if (name.startsWith('on')) handlers.push(element.tagName + ' ' + name);
    const value = attribute.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
    if (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text/html')) {
      urls.push(element.tagName + ' ' + name + '=' + attribute.value);
    }
  }
}
const q = document.getElementById('q');
return {
  pwned: (window.__pwned === undefined || window.__pwned === null) ? null : String(window.__pwned),
  scripts: Array.from(document.querySelectorAll('script')).map(s => s.getAttribute('src')),
  handlers: handlers,
  urls: urls,
  dangerous: Array.from(document.querySelectorAll(
    'a[href^="javascript:" i], iframe, frame, object, embed, base, meta[http-equiv], style, form[action^="javascript:" i]'
  )).map(e => e.tagName),
  text: document.body.innerText,
  title: document.title,
  q: q ? q.value : null,
};
"#;

/// Reads the current page with [`XSS_PROBE`] and asserts that nothing injected is live: no
/// script ran, the only script is our own, no event-handler attribute, no script URL, no
/// frame, object, embed, base, meta refresh or style element. Returns the probe.
async fn assert_inert(client: &Client, what: &str) -> serde_json::Value {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let probe = client.execute(XSS_PROBE, vec![]).await.unwrap_or_else(|e| panic!("{what}: probe failed: {e}"));
    assert_eq!(probe["pwned"], serde_json::Value::Null, "{what}: injected script ran");
    let scripts = probe["scripts"].as_array().unwrap();
    assert_eq!(scripts.len(), 1, "{what}: scripts {scripts:?}");
    let src = scripts[0].as_str().unwrap_or_default();
    let version = src.strip_prefix("/static/app.js?v=").unwrap_or_else(|| panic!("{what}: script {src:?}"));
    assert!(version.len() == 12 && version.chars().all(|c| c.is_ascii_hexdigit()), "{what}: script {src:?}");
    assert_eq!(probe["handlers"], json!([]), "{what}: event-handler attributes");
    assert_eq!(probe["urls"], json!([]), "{what}: script URLs");
    assert_eq!(probe["dangerous"], json!([]), "{what}: dangerous elements");
    probe
}

/// The status line and headers of a GET over loopback, lowercased.
fn response_head(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(host).expect("connect");
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read");
    let response = String::from_utf8_lossy(&response);
    response.split_once("\r\n\r\n").map_or(&*response, |(head, _)| head).to_ascii_lowercase()
}

/// Asserts that `url` answers 200 with the site's Content-Security-Policy.
fn assert_csp(url: &str) {
    let head = response_head(url);
    assert!(head.starts_with("http/1.1 200"), "{url}: {head}");
    let expected =
        format!("content-security-policy: {}", casebook_server::CONTENT_SECURITY_POLICY.to_ascii_lowercase());
    assert!(head.lines().any(|line| line.trim_end() == expected), "{url}: no CSP in\n{head}");
}

/// Clicks `css` (a submit button) and waits until the next page has loaded. The click is a
/// DOM click: the site scrolls smoothly, so a WebDriver click far down a long page can land
/// before the scroll ends.
async fn submit_and_wait(client: &Client, css: &str) {
    client.execute("document.documentElement.dataset.stale = '1'", vec![]).await.unwrap();
    client.execute("document.querySelector(arguments[0]).click()", vec![json!(css)]).await.unwrap();
    wait_until(&format!("page after {css}"), "fresh", || async {
        client
            .execute(
                "return document.readyState === 'complete' && !document.documentElement.dataset.stale ? 'fresh' : 'old'",
                vec![],
            )
            .await
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_default()
    })
    .await;
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn injected_markup_never_runs_in_chromium() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write("cases/xss-probe.md", xss_case());
    let indexed = workspace.run(&["index", "--strict"]);
    assert!(indexed.status.success(), "the hostile case must be valid: {}", crate::util::stderr(&indexed));
    let added = workspace.run_with_stdin(&["users", "add", "anna", "--role", "organiser"], "correct horse battery\n");
    assert!(added.status.success(), "{}", crate::util::stderr(&added));
    let (_server, base) = serve(&workspace, &[]);
    let found: serde_json::Value =
        serde_json::from_str(&http_get(&format!("{base}/api/search?q=xss-probe-word"))).unwrap();
    assert_eq!(found["hits"][0]["id"], "xss-probe", "{found}");
    let region_value = found["hits"][0]["region"]["value"].as_str().unwrap().to_string();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(true, profile.path()).await;

    // The case page: every field is shown as text, nothing runs.
    let case_url = format!("{base}/cases/xss-probe");
    assert_csp(&case_url);
    client.goto(&case_url).await.unwrap();
    let probe = assert_inert(&client, "case page").await;
    let shown = probe["text"].as_str().unwrap();
    for field in [TITLE, "organisation", "city", "region", "event", "category", "partners"] {
        assert!(shown.contains(&xss_payloads(field)[0]), "case page: {field} not shown as text:\n{shown}");
    }
    assert!(shown.contains(&xss_payloads("tags")[1]), "case page: tags not shown as text:\n{shown}");
    save_screenshot("xss-case.png", &client.screenshot().await.unwrap());

    // Reflected query text: in the search box and the title, escaped, never live.
    for payload in xss_payloads("q") {
        let url = format!("{base}/search?q={}", encode(&payload));
        assert_csp(&url);
        client.goto(&url).await.unwrap();
        let probe = assert_inert(&client, &format!("search for {payload}")).await;
        assert_eq!(probe["q"], json!(payload), "the search box holds the query as typed");
        let title = probe["title"].as_str().unwrap();
        assert!(title.starts_with(&payload), "the title shows the query as text: {title:?}");
    }

    // Reflected filter values: shown in the warnings as text.
    for (sector, region) in xss_payloads("sector").into_iter().zip(xss_payloads("region-filter")) {
        let url = format!("{base}/search?sector={}&region={}", encode(&sector), encode(&region));
        assert_csp(&url);
        client.goto(&url).await.unwrap();
        let probe = assert_inert(&client, &format!("filters {sector} / {region}")).await;
        let shown = probe["text"].as_str().unwrap();
        assert!(shown.contains(&sector), "sector {sector} not shown as text:\n{shown}");
        assert!(shown.contains(&region), "region {region} not shown as text:\n{shown}");
    }

    // The hostile case among results: title, organisation, place, snippet, facet labels and
    // filter chips of its region and award.
    for (what, url) in [
        ("results", format!("{base}/search?q=xss-probe-word")),
        ("browse", format!("{base}/search?sort=year_desc&per_page=20")),
        (
            "chips",
            format!(
                "{base}/search?q=xss-probe-word&region={}&award={}",
                encode(&region_value),
                encode(&xss_payload("award"))
            ),
        ),
        ("home", format!("{base}/")),
        ("similar cases", format!("{base}/cases/zero-trust-paris")),
    ] {
        assert_csp(&url);
        client.goto(&url).await.unwrap();
        let probe = assert_inert(&client, what).await;
        if what == "results" || what == "chips" {
            let shown = probe["text"].as_str().unwrap();
            assert!(shown.contains(&xss_payloads(TITLE)[0]), "{what}: title not shown as text:\n{shown}");
            assert!(shown.contains(&xss_payloads("region")[0]), "{what}: region not shown as text:\n{shown}");
        }
    }
    save_screenshot("xss-search.png", &client.screenshot().await.unwrap());

    // Live search: the results arrive as an HTML fragment through innerHTML.
    client.goto(&format!("{base}/search")).await.unwrap();
    client.find(Locator::Id("q")).await.unwrap().send_keys("xss-probe-word").await.unwrap();
    wait_until("live results", "1 result", || text(&client, "#result-count")).await;
    assert!(client.current_url().await.unwrap().as_str().contains("q=xss-probe-word"));
    assert_inert(&client, "live search").await;

    // An organiser puts hostile text in a showcase and adds the hostile case with a hostile
    // note; the public pages show all of it as text.
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Id("name")).await.unwrap().send_keys("anna").await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("correct horse battery").await.unwrap();
    client.find(Locator::Css("form.stacked button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("new-showcase")).await.unwrap();
    let showcase_title = format!("{} {}", xss_payloads("showcase-title")[1], xss_payloads("showcase-title")[0]);
    client.find(Locator::Id("new-title")).await.unwrap().send_keys(&showcase_title).await.unwrap();
    client.find(Locator::Id("new-event")).await.unwrap().send_keys(&xss_payloads("showcase-event")[8]).await.unwrap();
    submit_and_wait(&client, "#new-showcase button[type=submit]").await;
    let edit_url = client.current_url().await.unwrap();
    assert!(edit_url.path().starts_with("/organiser/showcases/"), "{edit_url}");
    let slug = edit_url.path().rsplit('/').next().unwrap().to_string();
    let mut description = xss_payloads("showcase-description").join("\n\n");
    description.push_str("\n\n");
    description.push_str(&XSS_BODY_EXTRAS.join("\n\n"));
    client
        .execute("document.getElementById('description').value = arguments[0]", vec![json!(description)])
        .await
        .unwrap();
    submit_and_wait(&client, "form[action$='/details'] button[type=submit]").await;
    client.goto(&case_url).await.unwrap();
    assert_inert(&client, "case page, logged in").await;
    submit_and_wait(&client, ".add-form button[type=submit]").await;
    client.goto(edit_url.as_str()).await.unwrap();
    client
        .execute(
            "document.getElementById('note-1').value = arguments[0]",
            vec![json!(xss_payloads("note").join("\n\n"))],
        )
        .await
        .unwrap();
    submit_and_wait(&client, ".note-form button[type=submit]").await;
    let probe = assert_inert(&client, "showcase editor").await;
    assert!(probe["text"].as_str().unwrap().contains(&showcase_title), "editor heading");
    submit_and_wait(&client, "#publish").await;
    assert_inert(&client, "showcase editor, published").await;
    client.goto(&format!("{base}/organiser")).await.unwrap();
    assert_inert(&client, "organiser dashboard").await;

    client.delete_all_cookies().await.unwrap();
    for (what, url) in [("showcases", format!("{base}/showcases")), ("showcase", format!("{base}/showcases/{slug}"))] {
        assert_csp(&url);
        client.goto(&url).await.unwrap();
        let probe = assert_inert(&client, what).await;
        let shown = probe["text"].as_str().unwrap();
        assert!(shown.contains(&showcase_title), "{what}: showcase title not shown as text:\n{shown}");
        if what == "showcase" {
            assert!(shown.contains(&xss_payloads(TITLE)[0]), "{what}: case title not shown as text:\n{shown}");
            assert!(shown.contains(&xss_payloads("summary")[0]), "{what}: summary not shown as text:\n{shown}");
            save_screenshot("xss-showcase.png", &client.screenshot().await.unwrap());
        }
    }
    client.close().await.unwrap();
}
