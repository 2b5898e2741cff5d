//! Showcases and accounts over real HTTP, on SQLite and on PostgreSQL: every authorisation
//! rule, CSRF, login rate limits, token revocation, ordering and notes, exports, cases that
//! leave the archive, persistence across a restart, concurrent edits, database failures.

use axum::http::{Method, StatusCode};
use casebook_store::Role;

use crate::util::backend::{Backend, on_both_backends};
use crate::util::http::{Answer, TestServer, hidden};
use crate::util::{Workspace, fixture_corpus};

on_both_backends!(
    authorisation_rules_401_403_404,
    a_revoked_token_stops_working,
    items_order_notes_exports_and_cases_that_leave_the_archive,
    showcases_persist_across_a_restart,
    concurrent_edits_lose_no_item,
    web_login_sessions_csrf_and_rate_limits,
    a_renamed_case_is_remembered_by_its_new_title_when_it_leaves_the_archive,
    a_database_failure_while_reading_a_session_is_a_500_not_a_logout,
);

const PASSWORD: &str = "correct horse battery";

struct Setup {
    workspace: Workspace,
    server: TestServer,
    anna: String,
    bruno: String,
    root: String,
}

async fn setup(backend: Backend) -> Setup {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let server = TestServer::start_on(&workspace, backend).await;
    let store = &server.state.store;
    store.add_user("anna", Role::Organiser, PASSWORD).unwrap();
    store.add_user("bruno", Role::Organiser, PASSWORD).unwrap();
    store.add_user("root", Role::Admin, PASSWORD).unwrap();
    let token = |name: &str| store.create_token(name, "test").unwrap().1;
    Setup { anna: token("anna"), bruno: token("bruno"), root: token("root"), workspace, server }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn api(server: &TestServer, method: Method, path: &str, token: Option<&str>, body: &str) -> Answer {
    let auth = token.map(bearer);
    let mut headers = vec![("content-type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth.as_str()));
    }
    server.send(method, path, &headers, body.to_string()).await
}

async fn create(setup: &Setup, title: &str) -> String {
    let answer = api(
        &setup.server,
        Method::POST,
        "/api/showcases",
        Some(&setup.anna),
        &format!(r#"{{"title": "{title}", "event": "SMAU Milano 2026"}}"#),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.json()["slug"].as_str().unwrap().to_string()
}

fn ids(answer: &Answer) -> Vec<String> {
    answer.json()["items"].as_array().unwrap().iter().map(|i| i["case_id"].as_str().unwrap().to_string()).collect()
}

async fn authorisation_rules_401_403_404(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    // Anonymous writes: 401 with WWW-Authenticate, for every write endpoint.
    let slug = create(&setup, "Health stage").await;
    for (method, path) in [
        (Method::POST, "/api/showcases".to_string()),
        (Method::PATCH, format!("/api/showcases/{slug}")),
        (Method::DELETE, format!("/api/showcases/{slug}")),
        (Method::POST, format!("/api/showcases/{slug}/items")),
        (Method::PATCH, format!("/api/showcases/{slug}/items/fintech-milano")),
        (Method::DELETE, format!("/api/showcases/{slug}/items/fintech-milano")),
        (Method::PUT, format!("/api/showcases/{slug}/order")),
        (Method::POST, format!("/api/showcases/{slug}/publish")),
        (Method::POST, format!("/api/showcases/{slug}/unpublish")),
        (Method::GET, "/api/admin/users".to_string()),
    ] {
        let answer = api(server, method.clone(), &path, None, "{}").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(answer.header("www-authenticate"), "Bearer");
        assert_eq!(answer.json()["error"]["code"], "unauthorised");
        let forged = api(
            server,
            method.clone(),
            &path,
            Some("cbk_000000000000_0000000000000000000000000000000000000000000000000000000000000000"),
            "{}",
        )
        .await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED, "{method} {path} with a forged token");
    }
    // An organiser on an admin endpoint: 403. The admin: 200.
    assert_eq!(api(server, Method::GET, "/api/admin/users", Some(&setup.anna), "").await.status, StatusCode::FORBIDDEN);
    let users = api(server, Method::GET, "/api/admin/users", Some(&setup.root), "").await;
    assert_eq!(users.json()["users"].as_array().unwrap().len(), 3);
    // A draft is 404 to the public and to other organisers, 200 to its owner and admins.
    let path = format!("/api/showcases/{slug}");
    assert_eq!(api(server, Method::GET, &path, None, "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(server, Method::GET, &path, Some(&setup.bruno), "").await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api(server, Method::PATCH, &path, Some(&setup.bruno), r#"{"title":"Mine now"}"#).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(api(server, Method::GET, &path, Some(&setup.anna), "").await.status, StatusCode::OK);
    assert_eq!(api(server, Method::GET, &path, Some(&setup.root), "").await.status, StatusCode::OK);
    assert_eq!(server.get(&format!("/showcases/{slug}")).await.status, StatusCode::NOT_FOUND);
    // Published: public; unpublished again: 404 again.
    api(server, Method::POST, &format!("{path}/publish"), Some(&setup.anna), "").await;
    assert_eq!(api(server, Method::GET, &path, None, "").await.status, StatusCode::OK);
    assert_eq!(server.get(&format!("/showcases/{slug}")).await.status, StatusCode::OK);
    let listed = api(server, Method::GET, "/api/showcases", None, "").await.json();
    assert_eq!(listed["showcases"][0]["slug"], slug.as_str());
    api(server, Method::POST, &format!("{path}/unpublish"), Some(&setup.anna), "").await;
    assert_eq!(api(server, Method::GET, &path, None, "").await.status, StatusCode::NOT_FOUND);
    // Bad bodies are 400 with the JSON error.
    let bad = api(server, Method::POST, "/api/showcases", Some(&setup.anna), "{not json").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["code"], "invalid_body");
    let untitled = api(server, Method::POST, "/api/showcases", Some(&setup.anna), r#"{"title": "  "}"#).await;
    assert_eq!(untitled.status, StatusCode::BAD_REQUEST);
}

async fn a_revoked_token_stops_working(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    assert_eq!(api(server, Method::GET, "/api/showcases", Some(&setup.bruno), "").await.status, StatusCode::OK);
    let id = setup.bruno.split('_').nth(1).unwrap();
    server.state.store.revoke_token(id, None).unwrap();
    let answer = api(server, Method::POST, "/api/showcases", Some(&setup.bruno), r#"{"title":"x"}"#).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"]["message"], "the API token is invalid or revoked");
}

async fn items_order_notes_exports_and_cases_that_leave_the_archive(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let slug = create(&setup, "Health stage").await;
    let items = format!("/api/showcases/{slug}/items");
    for case in ["telemedicina-lombardia", "hospital-telehealth-piemonte", "fintech-milano"] {
        let added = api(server, Method::POST, &items, Some(&setup.anna), &format!(r#"{{"case_id": "{case}"}}"#)).await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    }
    let unknown = api(server, Method::POST, &items, Some(&setup.anna), r#"{"case_id": "no-such-case"}"#).await;
    assert_eq!(
        (unknown.status, unknown.json()["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unknown_case"))
    );
    let twice = api(server, Method::POST, &items, Some(&setup.anna), r#"{"case_id": "fintech-milano"}"#).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    let order = format!("/api/showcases/{slug}/order");
    let reordered = api(
        server,
        Method::PUT,
        &order,
        Some(&setup.anna),
        r#"{"case_ids": ["fintech-milano", "telemedicina-lombardia", "hospital-telehealth-piemonte"]}"#,
    )
    .await;
    assert_eq!(ids(&reordered), ["fintech-milano", "telemedicina-lombardia", "hospital-telehealth-piemonte"]);
    let partial = api(server, Method::PUT, &order, Some(&setup.anna), r#"{"case_ids": ["fintech-milano"]}"#).await;
    assert_eq!(partial.status, StatusCode::BAD_REQUEST);

    let note = api(
        server,
        Method::PATCH,
        &format!("{items}/telemedicina-lombardia"),
        Some(&setup.anna),
        r#"{"note": "Speaker: **the CTO**, 10 minutes"}"#,
    )
    .await;
    assert_eq!(note.json()["items"][1]["note"], "Speaker: **the CTO**, 10 minutes");
    let removed =
        api(server, Method::DELETE, &format!("{items}/hospital-telehealth-piemonte"), Some(&setup.anna), "").await;
    assert_eq!(ids(&removed), ["fintech-milano", "telemedicina-lombardia"]);
    api(server, Method::POST, &format!("/api/showcases/{slug}/publish"), Some(&setup.anna), "").await;

    // Public page and exports.
    let page = server.get(&format!("/showcases/{slug}")).await.body;
    let first = page.find("data-case=\"fintech-milano\"").unwrap();
    let second = page.find("data-case=\"telemedicina-lombardia\"").unwrap();
    assert!(first < second, "cards in order");
    assert!(page.contains("<strong>the CTO</strong>"), "notes are rendered markdown");
    let csv = server.get(&format!("/showcases/{slug}.csv")).await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("1,fintech-milano,Pagamenti digitali per le PMI,PagaSmart,2016,"), "{}", lines[1]);
    let markdown = server.get(&format!("/showcases/{slug}.md")).await.body;
    assert!(markdown.starts_with("# Health stage\n\n*SMAU Milano 2026*\n"), "{markdown}");
    let json: serde_json::Value =
        serde_json::from_str(&server.get(&format!("/showcases/{slug}.json")).await.body).unwrap();
    assert_eq!(json["items"][1]["case_id"], "telemedicina-lombardia");

    // A case leaves the corpus: the showcase keeps it, by its last known title.
    std::fs::remove_file(setup.workspace.corpus().join("cases/fintech-milano.md")).unwrap();
    setup.workspace.build();
    server.state.reload_if_changed().unwrap();
    let after = api(server, Method::GET, &format!("/api/showcases/{slug}"), None, "").await.json();
    assert_eq!(after["items"][0]["in_archive"], false);
    assert_eq!(after["items"][0]["title"], "Pagamenti digitali per le PMI");
    let page = server.get_with(&format!("/showcases/{slug}"), &[("accept-language", "en")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("no longer in the archive"));
}

async fn showcases_persist_across_a_restart(backend: Backend) {
    let setup = setup(backend).await;
    let slug = create(&setup, "Kept across restarts").await;
    api(
        &setup.server,
        Method::POST,
        &format!("/api/showcases/{slug}/items"),
        Some(&setup.anna),
        r#"{"case_id":"museum-vr-firenze","note":"opening"}"#,
    )
    .await;
    let limits = casebook_server::Limits { rate_per_second: 0.0, ..Default::default() };
    let restarted = TestServer::serve(&setup.workspace, limits, true, setup.server.db.shared()).await;
    let answer = api(&restarted, Method::GET, &format!("/api/showcases/{slug}"), Some(&setup.anna), "").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json()["items"][0]["note"], "opening");
    assert!(restarted.state.store.integrity_ok().unwrap());
}

async fn concurrent_edits_lose_no_item(backend: Backend) {
    let setup = setup(backend).await;
    let slug = create(&setup, "Busy").await;
    let cases = crate::util::FIXTURE_CASE_IDS;
    // Ten additions to the same showcase at once, each from its own task and connection.
    let mut tasks = tokio::task::JoinSet::new();
    for case in cases {
        let (base, token, path) =
            (setup.server.base.clone(), setup.anna.clone(), format!("/api/showcases/{slug}/items"));
        tasks.spawn(async move {
            let auth = bearer(&token);
            let headers = [("content-type", "application/json"), ("authorization", auth.as_str())];
            crate::util::http::send_to(&base, Method::POST, &path, &headers, format!(r#"{{"case_id": "{case}"}}"#))
                .await
                .status
        });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), StatusCode::CREATED);
    }
    let showcase = api(&setup.server, Method::GET, &format!("/api/showcases/{slug}"), Some(&setup.anna), "").await;
    let mut listed = ids(&showcase);
    listed.sort();
    let mut expected: Vec<String> = cases.iter().map(|c| c.to_string()).collect();
    expected.sort();
    assert_eq!(listed, expected);
}

const FORM: &str = "application/x-www-form-urlencoded";

/// Logs in through the form; returns the session cookie pair.
async fn log_in(server: &TestServer, name: &str, password: &str) -> Answer {
    let page = server.get("/login").await;
    let login_cookie = page.cookie("casebook_login");
    let token = hidden(&page.body, "login_token");
    let body = format!("login_token={token}&next=%2Forganiser&name={name}&password={}", password.replace(' ', "+"));
    server.send(Method::POST, "/login", &[("content-type", FORM), ("cookie", &login_cookie)], body).await
}

async fn web_login_sessions_csrf_and_rate_limits(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    // Pages for organisers send anonymous visitors to the login form.
    let anonymous = server.get("/organiser").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.header("location"), "/login?next=/organiser");

    // A login post without the form's token (a cross-site post) is refused.
    let forged =
        server.send(Method::POST, "/login", &[("content-type", FORM)], format!("name=anna&password={PASSWORD}")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let logged = log_in(server, "anna", PASSWORD).await;
    assert_eq!(logged.status, StatusCode::SEE_OTHER, "{}", logged.body);
    assert_eq!(logged.header("location"), "/organiser");
    let session = logged.cookie("casebook_session");
    let header = logged.set_cookie("casebook_session").unwrap_or_default();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(header.contains(flag), "{flag} missing in {header}");
    }
    let dashboard = server.get_with("/organiser", &[("cookie", &session)]).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.header("cache-control").contains("no-store"));
    let csrf = hidden(&dashboard.body, "csrf");

    // State-changing forms need the session's CSRF token.
    for bad in ["", "csrf=wrong"] {
        let body = format!("{bad}&title=Sneaky");
        let refused = server
            .send(Method::POST, "/organiser/showcases", &[("content-type", FORM), ("cookie", &session)], body)
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{bad}");
    }
    let created = server
        .send(
            Method::POST,
            "/organiser/showcases",
            &[("content-type", FORM), ("cookie", &session)],
            format!("csrf={csrf}&title=From+the+web"),
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    assert_eq!(created.header("location"), "/organiser/showcases/from-the-web");
    let added = server
        .send(
            Method::POST,
            "/organiser/add",
            &[("content-type", FORM), ("cookie", &session)],
            format!("csrf={csrf}&showcase=from-the-web&case_id=museum-vr-firenze&back=%2Fsearch%3Fq%3Dmusei"),
        )
        .await;
    assert_eq!((added.status, added.header("location")), (StatusCode::SEE_OTHER, "/search?q=musei"));
    // A showcase that does not exist: the error page still shows who is signed in.
    let again = server
        .send(
            Method::POST,
            "/organiser/add",
            &[("content-type", FORM), ("cookie", &session)],
            format!("csrf={csrf}&showcase=no-such-showcase&case_id=museum-vr-firenze"),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    assert!(again.body.contains(">anna</a>") && !again.body.contains("href=\"/login\""), "{}", again.body);
    let offsite = server
        .send(
            Method::POST,
            "/organiser/add",
            &[("content-type", FORM), ("cookie", &session)],
            format!("csrf={csrf}&showcase=from-the-web&case_id=fintech-milano&back=https%3A%2F%2Fevil.example"),
        )
        .await;
    assert_eq!(offsite.header("location"), "/organiser/showcases/from-the-web", "never redirects off-site");
    // Logging out ends the session.
    let out = server
        .send(Method::POST, "/logout", &[("content-type", FORM), ("cookie", &session)], format!("csrf={csrf}"))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(server.get_with("/organiser", &[("cookie", &session)]).await.status, StatusCode::SEE_OTHER);

    // Five wrong passwords for an account, then even the right one waits.
    for _ in 0..5 {
        assert_eq!(log_in(server, "bruno", "wrong password!!").await.status, StatusCode::UNAUTHORIZED);
    }
    let limited = log_in(server, "bruno", PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.header("retry-after").parse::<u64>().unwrap() > 0);
    // Other accounts are not affected by bruno's limit.
    assert_eq!(log_in(server, "root", PASSWORD).await.status, StatusCode::SEE_OTHER);
    // Twenty failures from one address, over many names, block that address for everyone.
    for i in 0..15 {
        assert_eq!(log_in(server, &format!("guess{i}"), "wrong password!!").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(log_in(server, "root", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn a_renamed_case_is_remembered_by_its_new_title_when_it_leaves_the_archive(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let slug = create(&setup, "Renamed").await;
    let path = format!("/api/showcases/{slug}/items");
    api(server, Method::POST, &path, Some(&setup.anna), r#"{"case_id":"fintech-milano"}"#).await;
    let item = api(server, Method::GET, &format!("/api/showcases/{slug}"), Some(&setup.anna), "").await.json();
    // The item embeds the labelled case: the same facts as a search hit.
    assert_eq!(item["items"][0]["id"], "fintech-milano");
    assert_eq!(item["items"][0]["title"], "Pagamenti digitali per le PMI");
    assert_eq!(item["items"][0]["organisation"], "PagaSmart");
    assert_eq!(item["items"][0]["sectors"][0]["id"], "finance");
    assert_eq!(item["items"][0]["region"]["value"], "ITC4");

    let file = setup.workspace.corpus().join("cases/fintech-milano.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("Pagamenti digitali per le PMI", "Pagamenti istantanei per le PMI")).unwrap();
    setup.workspace.build();
    server.state.reload_if_changed().unwrap();
    let renamed = api(server, Method::GET, &format!("/api/showcases/{slug}"), Some(&setup.anna), "").await.json();
    assert_eq!(renamed["items"][0]["title"], "Pagamenti istantanei per le PMI");

    std::fs::remove_file(&file).unwrap();
    setup.workspace.build();
    server.state.reload_if_changed().unwrap();
    let gone = api(server, Method::GET, &format!("/api/showcases/{slug}"), Some(&setup.anna), "").await.json();
    assert_eq!(gone["items"][0]["in_archive"], false);
    assert_eq!(gone["items"][0]["title"], "Pagamenti istantanei per le PMI", "the title seen last, not the first");
    assert!(gone["items"][0].get("organisation").is_none(), "no facts of a case that left: {}", gone["items"][0]);
}

async fn a_database_failure_while_reading_a_session_is_a_500_not_a_logout(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    // A session started by another server, so this one has none of its pages cached.
    let other = setup.server.db.store();
    let anna = other.users().unwrap().into_iter().find(|u| u.name == "anna").unwrap();
    let secret = other.create_session(&anna).unwrap().0;
    drop(other);
    match setup.server.db.scratch() {
        // The database loses its content under the running server.
        None => {
            for file in ["data/casebook.db", "data/casebook.db-wal"] {
                let path = setup.workspace.path().join(file);
                std::fs::OpenOptions::new().write(true).open(path).unwrap().set_len(0).unwrap();
            }
        }
        // The table goes away under the running servers.
        Some(database) => database.execute("DROP TABLE sessions").unwrap(),
    }
    let cookie = format!("casebook_session={secret}");
    let page = server.get_with("/organiser", &[("cookie", &cookie)]).await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", page.body);
    assert!(page.body.contains("the problem has been logged"), "{}", page.body);
}
