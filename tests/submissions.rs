//! Public submissions and their review over the JSON API, on real HTTP (issue 14): 201, 422
//! with the problem of each field, 401 without a token, 403 for another organiser's call,
//! 409 when accepting twice, a closed call refusing entries, the accepted file passing
//! `casebook check` and found by search after re-indexing, a draft showcase in call order,
//! hostile input refused or sanitised on every page that shows it, the per-address limit.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use casebook_store::Role;
use serde_json::{Value, json};

use crate::util::backend::{Backend, on_both_backends};
use crate::util::http::{Answer, TestServer};
use crate::util::{Workspace, fixture_corpus, stdout};

on_both_backends!(
    a_valid_submission_is_201_and_each_problem_is_422_next_to_its_field,
    review_needs_a_token_and_another_organisers_call_is_403,
    an_accepted_submission_is_a_checked_case_file_searchable_after_reindex_and_409_twice,
    a_closed_call_refuses_entries_with_a_clear_message,
    hostile_input_is_refused_or_sanitised_on_every_page_that_shows_it,
    submissions_take_from_the_per_address_budget,
);

pub const PASSWORD: &str = "correct horse battery";

pub struct Setup {
    pub workspace: Workspace,
    pub server: TestServer,
    pub anna: String,
    pub bruno: String,
    pub root: String,
    /// Slug of anna's open call (categories Salute, Energia).
    pub call: String,
}

pub async fn setup_with(limits: casebook_server::Limits, backend: Backend) -> Setup {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_with_on(&workspace, limits, backend).await;
    let store = &server.state.store;
    let anna = store.add_user("anna", Role::Organiser, PASSWORD).unwrap();
    store.add_user("bruno", Role::Organiser, PASSWORD).unwrap();
    store.add_user("root", Role::Admin, PASSWORD).unwrap();
    let call = store
        .create_call(
            &anna,
            &casebook_store::NewCall {
                title: "SMAU Napoli 2027: Innovation Award".into(),
                event: Some("SMAU Napoli 2027".into()),
                award: Some("Premio Innovazione SMAU".into()),
                categories: vec!["Salute".into(), "Energia".into()],
                opens: "2020-01-01".into(),
                closes: "2999-12-31".into(),
                description: Some("Candida il tuo **progetto**.".into()),
            },
        )
        .unwrap();
    let token = |name: &str| store.create_token(name, "test").unwrap().1;
    Setup { anna: token("anna"), bruno: token("bruno"), root: token("root"), call: call.slug, workspace, server }
}

pub async fn setup(backend: Backend) -> Setup {
    setup_with(casebook_server::Limits { rate_per_second: 0.0, ..Default::default() }, backend).await
}

pub async fn api(server: &TestServer, method: Method, path: &str, token: Option<&str>, body: &str) -> Answer {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("content-type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    server.send(method, path, &headers, body.to_string()).await
}

/// A valid entry to `call` (none: to the archive).
pub fn entry(call: Option<&str>, title: &str) -> Value {
    let mut body = json!({
        "contact_email": "founder@vignaviva.example",
        "title": title,
        "organisation": "VignaViva S.r.l.",
        "year": 2025,
        "sector": "agrifood",
        "region": "Veneto",
        "city": "Verona",
        "category": "energia",
        "summary": "Sensori di umidità in ogni filare.",
        "body": "## La sfida\n\nLa cantina irrigava tutti i filari allo stesso modo.\n\n## La soluzione\n\nSensori di umidità in ogni filare guidano l'irrigazione goccia a goccia.",
        "tags": ["IoT", "irrigazione"],
        "website": "https://www.vignaviva.example",
        "partners": ["Consorzio Valpolicella"]
    });
    if let Some(call) = call {
        body["call"] = json!(call);
    }
    body
}

pub async fn submit(setup: &Setup, body: &Value) -> Answer {
    api(&setup.server, Method::POST, "/api/submissions", None, &body.to_string()).await
}

/// Submits a valid entry to the call; returns its id and status token.
pub async fn submitted(setup: &Setup, title: &str) -> (i64, String) {
    let answer = submit(setup, &entry(Some(&setup.call), title)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let json = answer.json();
    let url = json["status_url"].as_str().unwrap();
    (json["id"].as_i64().unwrap(), url.rsplit('/').next().unwrap().to_string())
}

async fn a_valid_submission_is_201_and_each_problem_is_422_next_to_its_field(backend: Backend) {
    let setup = setup(backend).await;
    let created = submit(&setup, &entry(Some(&setup.call), "Sensori nel vigneto")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let json = created.json();
    assert_eq!(json["status"], "pending");
    let url = json["status_url"].as_str().unwrap();
    let token = url.strip_prefix("https://archive.example/submissions/").unwrap_or_else(|| panic!("{url}"));
    assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{url}");
    assert_eq!(json.as_object().unwrap().len(), 3, "{json}");

    let mut bad = entry(Some(&setup.call), "");
    bad["sector"] = json!(["helth"]);
    bad["year"] = json!("20x5");
    bad["region"] = json!("Lombrdia");
    bad["website"] = json!("javascript:alert(1)");
    bad["category"] = json!("Moda");
    bad["contact_email"] = json!("not an address");
    let refused = submit(&setup, &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "invalid_submission");
    assert_eq!(
        error["fields"],
        json!({
            "category": "unknown category \"Moda\": choose one of Salute, Energia",
            "contact_email": "not an email address such as name@example.org",
            "region": "unknown Italian region 'Lombrdia' — did you mean 'Lombardia' (ITC4)? For a region outside Italy, also set `country` (e.g. `country: DE`).",
            "sector": "unknown sector 'helth' — did you mean 'health' (Health & Life Science)?",
            "title": "required",
            "website": "`website` \"javascript:alert(1)\" is not a valid web address: write a full URL such as https://www.example.org",
            "year": "`year` must be a whole number such as 2021, found the text \"20x5\""
        })
    );
    assert_eq!(
        error["message"],
        "the submission has 7 problems: see `fields` (category, contact_email, region, sector, title, website, year)"
    );
    // Everything missing: the required fields say so.
    let empty = submit(&setup, &json!({})).await;
    let fields = empty.json()["error"]["fields"].clone();
    let mut names: Vec<&str> = fields.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["body", "contact_email", "organisation", "region", "sector", "title", "year"]);
    // Not JSON, or an unknown field: 400; an unknown call: 404.
    assert_eq!(api(&setup.server, Method::POST, "/api/submissions", None, "{").await.status, StatusCode::BAD_REQUEST);
    let mut unknown = entry(None, "T");
    unknown["status"] = json!("accepted");
    let answer = submit(&setup, &unknown).await;
    assert_eq!(
        (answer.status, answer.json()["error"]["code"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_body"))
    );
    let nowhere = submit(&setup, &entry(Some("no-such-call"), "T")).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    // The event and award come from the call, whatever the submitter sends.
    let root = setup.root.clone();
    let listed = api(&setup.server, Method::GET, "/api/submissions", Some(&root), "").await.json();
    let fields = &listed["submissions"][0]["fields"];
    assert_eq!(
        (fields["event"].clone(), fields["award"].clone()),
        (json!("SMAU Napoli 2027"), json!("Premio Innovazione SMAU"))
    );
    assert_eq!(fields["category"], "Energia", "spelled as the call spells it");
}

async fn review_needs_a_token_and_another_organisers_call_is_403(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let (id, _) = submitted(&setup, "Sensori nel vigneto").await;
    let general = submit(&setup, &entry(None, "Fuori dalle call")).await.json()["id"].as_i64().unwrap();
    let call = &setup.call;
    let review = [
        (Method::GET, "/api/submissions".to_string()),
        (Method::GET, format!("/api/submissions/{id}")),
        (Method::PATCH, format!("/api/submissions/{id}")),
        (Method::POST, format!("/api/submissions/{id}/accept")),
        (Method::POST, format!("/api/submissions/{id}/reject")),
        (Method::POST, "/api/calls".to_string()),
        (Method::PATCH, format!("/api/calls/{call}")),
        (Method::POST, format!("/api/calls/{call}/showcase")),
    ];
    for (method, path) in &review {
        let answer = api(server, method.clone(), path, None, "{}").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(answer.json()["error"]["code"], "unauthorised");
        assert_eq!(answer.header("www-authenticate"), "Bearer");
    }
    // Another organiser: 403 on every review route of anna's call, and an empty queue.
    for (method, path) in review.iter().skip(1).chain([&(Method::GET, format!("/api/submissions?call={call}"))]) {
        if path == "/api/calls" {
            continue;
        }
        let body = if *method == Method::PATCH { r#"{"title": "x"}"# } else { r#"{"note": "x"}"# };
        let answer = api(server, method.clone(), path, Some(&setup.bruno), body).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}: {}", answer.body);
        assert_eq!(answer.json()["error"]["code"], "forbidden");
    }
    let bruno_queue = api(server, Method::GET, "/api/submissions", Some(&setup.bruno), "").await.json();
    assert_eq!(bruno_queue["submissions"], json!([]));
    // A submission to no call is for admins only.
    let answer = api(server, Method::GET, &format!("/api/submissions/{general}"), Some(&setup.anna), "").await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let queue = api(server, Method::GET, "/api/submissions?status=pending", Some(&setup.anna), "").await.json();
    let ids: Vec<i64> = queue["submissions"].as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [id]);
    let all = api(server, Method::GET, "/api/submissions?status=pending", Some(&setup.root), "").await.json();
    assert_eq!(all["submissions"].as_array().unwrap().len(), 2);
    // The organiser sees the entry as its case page would show it, and the check's verdict.
    let view = api(server, Method::GET, &format!("/api/submissions/{id}"), Some(&setup.anna), "").await.json();
    assert_eq!(view["valid"], true);
    assert_eq!(view["case"]["sectors"], json!([{"id": "agrifood", "label": "Agrifood & Nutrition"}]));
    assert_eq!(view["case"]["region"]["label"], "Veneto");
    assert!(view["body_html"].as_str().unwrap().contains("<h2>La sfida</h2>"), "{view}");
    assert_eq!(view["contact_email"], "founder@vignaviva.example");
    // Bad ids and statuses.
    assert_eq!(
        api(server, Method::GET, "/api/submissions/x", Some(&setup.anna), "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(server, Method::GET, "/api/submissions/999", Some(&setup.root), "").await.status,
        StatusCode::NOT_FOUND
    );
    let bad = api(server, Method::GET, "/api/submissions?status=done", Some(&setup.anna), "").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// Waits until the served index finds `q` `expected` times.
async fn wait_for_total(server: &TestServer, q: &str, expected: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let total = server.get(&format!("/api/search?q={q}")).await.json()["total"].as_u64().unwrap();
        if total == expected {
            return;
        }
        assert!(Instant::now() < deadline, "search for {q}: {total}, expected {expected}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn an_accepted_submission_is_a_checked_case_file_searchable_after_reindex_and_409_twice(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let (id, token) = submitted(&setup, "Sensori nel vigneto").await;
    // An edit that breaks a field is refused; one that keeps it valid is saved.
    let path = format!("/api/submissions/{id}");
    let broken = api(server, Method::PATCH, &path, Some(&setup.anna), r#"{"sector": "vino"}"#).await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", broken.body);
    let edited =
        api(server, Method::PATCH, &path, Some(&setup.anna), r#"{"city": "Bardolino", "tags": "IoT, acqua"}"#).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.json()["fields"]["tags"], json!(["IoT", "acqua"]));

    let accepted =
        api(server, Method::POST, &format!("{path}/accept"), Some(&setup.anna), r#"{"note": "Benvenuti!"}"#).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let json = accepted.json();
    assert_eq!(json["case_id"], "sensori-nel-vigneto");
    assert_eq!(json["path"], "cases/2025/sensori-nel-vigneto.md");
    assert!(json["message"].as_str().unwrap().contains("searchable after the next re-index"));
    let file = std::fs::read_to_string(setup.workspace.corpus().join("cases/2025/sensori-nel-vigneto.md")).unwrap();
    assert_eq!(
        file,
        "---\ntitle: \"Sensori nel vigneto\"\norganisation: \"VignaViva S.r.l.\"\nyear: 2025\nsector: \"agrifood\"\n\
         region: \"Veneto\"\ncity: \"Bardolino\"\naward: \"Premio Innovazione SMAU\"\nevent: \"SMAU Napoli 2027\"\n\
         category: \"Energia\"\ntags: [\"IoT\", \"acqua\"]\nlanguage: it\nsummary: \"Sensori di umidità in ogni filare.\"\n\
         website: \"https://www.vignaviva.example\"\npartners: [\"Consorzio Valpolicella\"]\nsource: submission\n---\n\n\
         ## La sfida\n\nLa cantina irrigava tutti i filari allo stesso modo.\n\n## La soluzione\n\n\
         Sensori di umidità in ogni filare guidano l'irrigazione goccia a goccia.\n"
    );
    let check = setup.workspace.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(stdout(&check), "checked 11 files: 11 valid cases, 0 errors, 0 warnings\n");

    // Twice: 409, and the file is not touched; rejecting a decided one is 409 too.
    for (action, body) in [("accept", ""), ("reject", r#"{"note": "no"}"#)] {
        let again = api(server, Method::POST, &format!("{path}/{action}"), Some(&setup.root), body).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{action}: {}", again.body);
        assert_eq!(
            again.json()["error"]["message"],
            format!("submission {id} was already accepted as case `sensori-nel-vigneto`")
        );
    }
    let late_edit = api(server, Method::PATCH, &path, Some(&setup.anna), r#"{"city": "Verona"}"#).await;
    assert_eq!(late_edit.status, StatusCode::CONFLICT);

    // Searchable after the next re-index; the status page says accepted, with the note.
    wait_for_total(server, "vigneto", 0).await;
    setup.workspace.build();
    wait_for_total(server, "vigneto", 1).await;
    let status = server.get_with(&format!("/submissions/{token}"), &[("accept-language", "en")]).await;
    assert_eq!(status.status, StatusCode::OK);
    assert!(status.body.contains(r#"data-status="accepted">accepted</span>"#), "{}", status.body);
    assert!(status.body.contains("Benvenuti!") && status.body.contains(r#"href="/cases/sensori-nel-vigneto""#));
    assert!(!status.body.contains("founder@vignaviva.example"), "the contact email is never published");
    assert_eq!(status.header("cache-control"), "private, no-store");

    // The history says who decided and when.
    let view = api(server, Method::GET, &path, Some(&setup.anna), "").await.json();
    let steps: Vec<(Value, Value)> =
        view["history"].as_array().unwrap().iter().map(|e| (e["actor"].clone(), e["action"].clone())).collect();
    assert_eq!(
        steps,
        [(Value::Null, json!("submitted")), (json!("anna"), json!("edited")), (json!("anna"), json!("accepted"))]
    );

    // A second entry, rejected with a note; then the accepted ones as a draft showcase.
    let (second, second_token) = submitted(&setup, "Cantina solare").await;
    let rejected = api(
        server,
        Method::POST,
        &format!("/api/submissions/{second}/reject"),
        Some(&setup.anna),
        r#"{"note": "Fuori tema"}"#,
    )
    .await;
    assert_eq!(rejected.json()["status"], "rejected");
    let page = server.get_with(&format!("/submissions/{second_token}"), &[("accept-language", "it")]).await;
    assert!(page.body.contains(">respinta</span>") && page.body.contains("Fuori tema"), "{}", page.body);
    let showcase =
        api(server, Method::POST, &format!("/api/calls/{}/showcase", setup.call), Some(&setup.anna), "").await;
    assert_eq!(showcase.status, StatusCode::CREATED, "{}", showcase.body);
    let showcase = showcase.json();
    assert_eq!(
        (showcase["status"].clone(), showcase["title"].clone()),
        (json!("draft"), json!("SMAU Napoli 2027: Innovation Award"))
    );
    assert_eq!(showcase["items"][0]["case_id"], "sensori-nel-vigneto");
    assert_eq!(showcase["items"][0]["in_archive"], true);
    assert_eq!(showcase["items"].as_array().unwrap().len(), 1);
}

async fn a_closed_call_refuses_entries_with_a_clear_message(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let created = api(
        server,
        Method::POST,
        "/api/calls",
        Some(&setup.anna),
        r#"{"title": "SMAU Milano 2020", "opens": "2020-01-01", "closes": "2020-12-31"}"#,
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["state"], "closed");
    let refused = submit(&setup, &entry(Some("smau-milano-2020"), "Tardi")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.json()["error"]["code"], "call_closed");
    assert_eq!(
        refused.json()["error"]["message"],
        "the call \"SMAU Milano 2020\" closed on 2020-12-31: it takes no more entries"
    );
    let page = server.get_with("/calls/smau-milano-2020", &[("accept-language", "en")]).await;
    assert!(page.body.contains("This call is closed: it takes no more entries."), "{}", page.body);
    let form = server.get_with("/calls/smau-milano-2020/submit", &[("accept-language", "en")]).await;
    assert!(form.body.contains(r#"id="refused""#) && !form.body.contains("<form class=\"case-form\""), "{}", form.body);
    let listed = server.get("/api/calls").await.json();
    let slugs: Vec<&str> = listed["calls"].as_array().unwrap().iter().map(|c| c["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, [setup.call.as_str()], "closed calls are not listed");
    // Closing an open call by moving its deadline: it refuses entries from then on.
    let close = api(
        server,
        Method::PATCH,
        &format!("/api/calls/{}", setup.call),
        Some(&setup.anna),
        r#"{"closes": "2021-01-01"}"#,
    )
    .await;
    assert_eq!(close.json()["state"], "closed");
    assert_eq!(submit(&setup, &entry(Some(&setup.call), "Dopo")).await.status, StatusCode::CONFLICT);
    let backwards = api(
        server,
        Method::PATCH,
        &format!("/api/calls/{}", setup.call),
        Some(&setup.anna),
        r#"{"closes": "2019-01-01"}"#,
    )
    .await;
    assert_eq!(backwards.status, StatusCode::BAD_REQUEST);
}

/// Markup that must never come out live.
const HOSTILE: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>";

async fn hostile_input_is_refused_or_sanitised_on_every_page_that_shows_it(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    // Refused: a 1 MB field (the body limit), a field over its length, control characters,
    // a `javascript:` website.
    let mut huge = entry(Some(&setup.call), "Grande");
    huge["body"] = json!("x".repeat(1024 * 1024));
    let answer = submit(&setup, &huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.json()["error"]["code"], "payload_too_large");
    let mut long = entry(Some(&setup.call), &"t".repeat(201));
    long["summary"] = json!("s".repeat(1001));
    long["city"] = json!("Ver\u{7}ona");
    long["organisation"] = json!("Vigna\u{0}Viva");
    let fields = submit(&setup, &long).await.json()["error"]["fields"].clone();
    assert_eq!(fields["title"], "at most 200 characters, found 201");
    assert_eq!(fields["summary"], "at most 1000 characters, found 1001");
    assert_eq!(fields["city"], "contains control characters: remove them");
    assert_eq!(fields["organisation"], "contains control characters: remove them");

    // Accepted as text: markup in every free-text field and in the markdown body.
    let mut hostile = entry(Some(&setup.call), &format!("Vigneto {HOSTILE}"));
    for field in ["organisation", "city", "summary"] {
        hostile[field] = json!(format!("{field} {HOSTILE}"));
    }
    hostile["tags"] = json!([HOSTILE]);
    hostile["partners"] = json!([format!("partner {HOSTILE}")]);
    hostile["body"] = json!(format!(
        "Testo {HOSTILE}\n\n[link](javascript:alert(2)) <a href=\"javascript:alert(3)\">a</a> <iframe src=\"https://evil.example\"></iframe>"
    ));
    let created = submit(&setup, &hostile).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let json = created.json();
    let (id, token) =
        (json["id"].as_i64().unwrap(), json["status_url"].as_str().unwrap().rsplit('/').next().unwrap().to_string());
    let preview = server
        .send(
            Method::POST,
            "/submit/preview",
            &[("content-type", "application/x-www-form-urlencoded")],
            format!("body={}", urlencode(hostile["body"].as_str().unwrap())),
        )
        .await;
    let anna = server.state.store.users().unwrap().into_iter().find(|u| u.name == "anna").unwrap();
    let (secret, session) = server.state.store.create_session(&anna).unwrap();
    let cookie = format!("casebook_session={secret}");
    let mut pages = vec![
        ("status page", server.get(&format!("/submissions/{token}")).await),
        ("preview", preview),
        ("review page", server.get_with(&format!("/organiser/submissions/{id}"), &[("cookie", &cookie)]).await),
        ("review queue", server.get_with("/organiser/submissions", &[("cookie", &cookie)]).await),
        ("call page", server.get_with(&format!("/organiser/calls/{}", setup.call), &[("cookie", &cookie)]).await),
    ];
    // Accepted through the review form, then on the case page once indexed.
    let accepted = server
        .send(
            Method::POST,
            &format!("/organiser/submissions/{id}/accept"),
            &[("content-type", "application/x-www-form-urlencoded"), ("cookie", &cookie)],
            format!("csrf={}&note={}", session.csrf, urlencode(HOSTILE)),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    setup.workspace.build();
    wait_for_total(server, "Vigneto", 1).await;
    let case_id = server.state.store.submission(id, &anna).unwrap().case_id.unwrap();
    pages.push(("case page", server.get(&format!("/cases/{case_id}")).await));
    pages.push(("status page, accepted", server.get(&format!("/submissions/{token}")).await));
    pages.push((
        "review page, accepted",
        server.get_with(&format!("/organiser/submissions/{id}"), &[("cookie", &cookie)]).await,
    ));
    for (what, page) in &pages {
        assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.body);
        assert_eq!(live_markup(&page.body), Vec::<String>::new(), "{what}:\n{}", page.body);
    }
    assert!(pages[0].1.body.contains("Vigneto &#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;"), "escaped as text");
}

/// The attributes of a start tag's text (`a href="x" class=y`), values unquoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut chars = tag.chars().skip_while(|c| !c.is_whitespace()).peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            return found;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(quote) => value = std::iter::from_fn(|| chars.next_if(|c| *c != quote)).collect(),
                None => value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect(),
            }
            chars.next();
        }
        found.push((name.to_ascii_lowercase(), value));
    }
}

/// The tags of a page that could run script: any `<script>` but our own file, frames, event
/// handler attributes, `javascript:` URLs. Escaped text (`&#60;script&#62;`) is not a tag,
/// and markup inside a quoted attribute value is text too.
pub fn live_markup(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        // The tag runs to the first `>` outside quotes.
        let mut quote = None;
        let end = rest
            .char_indices()
            .find(|(_, c)| {
                match (quote, *c) {
                    (None, '"' | '\'') => quote = Some(*c),
                    (Some(q), c) if c == q => quote = None,
                    (None, '>') => return true,
                    _ => {}
                }
                false
            })
            .map_or(rest.len(), |(i, _)| i);
        let tag = &rest[..end];
        rest = &rest[end..];
        let name = tag.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default().to_ascii_lowercase();
        let attributes = attributes(tag);
        let handler = attributes.iter().any(|(name, _)| name.starts_with("on"));
        let url = attributes.iter().any(|(name, value)| {
            let value: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            matches!(name.as_str(), "href" | "src" | "action" | "formaction" | "xlink:href" | "data")
                && (value.starts_with("javascript:") || value.starts_with("data:text/html"))
        });
        // Our one script, and JSON-LD data blocks (never run; their content is escaped and
        // parsed by the discovery tests), are the only scripts a page may hold.
        let ours = attributes.iter().any(|(n, v)| {
            (n == "src" && v.starts_with("/static/app.js")) || (n == "type" && v == "application/ld+json")
        });
        let script = name == "script" && !ours;
        if script || matches!(name.as_str(), "iframe" | "object" | "embed" | "base") || handler || url {
            found.push(tag.to_string());
        }
    }
    found
}

#[test]
fn live_markup_finds_tags_not_text() {
    assert_eq!(
        live_markup(r#"<p>&#60;script&#62;</p><input value="<img src=x onerror=alert(1)>">"#),
        Vec::<String>::new()
    );
    assert_eq!(live_markup(r#"<script src="/static/app.js?v=1" defer></script>"#), Vec::<String>::new());
    assert_eq!(live_markup(r#"<img src=x onerror=alert(1)>"#), ["img src=x onerror=alert(1)"]);
    assert_eq!(live_markup(r#"<a href=" javascript:x()">"#).len(), 1);
    assert_eq!(live_markup("<script>x</script>").len(), 1);
}

pub fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn submissions_take_from_the_per_address_budget(backend: Backend) {
    let setup =
        setup_with(casebook_server::Limits { rate_per_second: 0.5, burst: 2, ..Default::default() }, backend).await;
    let mut statuses = Vec::new();
    for n in 0..3 {
        statuses.push(submit(&setup, &entry(None, &format!("Caso {n}"))).await.status);
    }
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CREATED, StatusCode::TOO_MANY_REQUESTS]);
    let form = setup
        .server
        .send(Method::POST, "/submit", &[("content-type", "application/x-www-form-urlencoded")], String::new())
        .await;
    assert_eq!(form.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!form.header("retry-after").is_empty());
    // Reading stays free.
    assert_eq!(setup.server.get("/calls").await.status, StatusCode::OK);
}
