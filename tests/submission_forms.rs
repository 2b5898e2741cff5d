//! The submission form and the review pages over real HTTP, the `casebook submissions`
//! commands, and durability (issue 14): the form's cookie-bound token and honeypot, problems
//! shown next to their fields with every value kept, the preview without script, the secret
//! status page; kill -9 of the real server right after a 201 keeps the submission, and
//! neither the contact email nor the status token reaches the log.

use std::process::Stdio;

use axum::http::{Method, StatusCode};
use casebook_store::{NewSubmission, Role, Store};

use crate::submissions::{PASSWORD, entry, live_markup, setup, urlencode};
use crate::util::backend::{Backend, on_both_backends};

use crate::util::http::{hidden, send_to};
use crate::util::process;
use crate::util::{Workspace, fixture_corpus, stderr, stdout};

on_both_backends!(
    the_public_form_keeps_every_value_shows_each_problem_and_traps_programs,
    organisers_open_calls_and_review_entries_on_their_pages,
    the_cli_lists_shows_accepts_and_rejects_submissions,
);

const FORM: &str = "application/x-www-form-urlencoded";

/// The body of a form post.
fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

const ENTRY: &[(&str, &str)] = &[
    ("title", "Sensori nel vigneto"),
    ("organisation", "VignaViva S.r.l."),
    ("year", "2025"),
    ("sector", "helth"),
    ("region", "Veneto"),
    ("category", "Energia"),
    ("body", "La cantina irriga **solo** dove serve.\n\n<script>alert(1)</script>"),
    ("tags", "IoT, irrigazione"),
    ("partners", "Rossi, Bianchi & C.\nConsorzio Valpolicella"),
    ("contact_email", "founder@vignaviva.example"),
];

async fn the_public_form_keeps_every_value_shows_each_problem_and_traps_programs(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let path = format!("/calls/{}/submit", setup.call);
    let page = server.get_with(&path, &[("accept-language", "en")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"name="year" type="text" value="2999""#), "the year of the call");
    let cookie = page.cookie("casebook_submit");
    assert!(page.headers.get_all("set-cookie").iter().any(|v| v.to_str().unwrap().contains("HttpOnly; SameSite=Lax")));
    let token = hidden(&page.body, "form_token");
    let post = |pairs: Vec<(&'static str, String)>, cookie: Option<String>| {
        let body = pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
        let path = path.clone();
        async move {
            let mut headers = vec![("content-type", FORM.to_string()), ("accept-language", "en".to_string())];
            if let Some(cookie) = cookie {
                headers.push(("cookie", cookie));
            }
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            server.send(Method::POST, &path, &headers, body).await
        }
    };
    let with = |extra: &[(&'static str, &str)]| {
        let mut pairs: Vec<(&'static str, String)> = ENTRY.iter().map(|(k, v)| (*k, v.to_string())).collect();
        for (key, value) in extra {
            pairs.retain(|(k, _)| k != key);
            pairs.push((key, value.to_string()));
        }
        pairs
    };

    // Without the cookie's token (a cross-site post): 403, the form comes back filled in.
    let forged = post(with(&[("form_token", "0123")]), Some(cookie.clone())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.body.contains("value=\"Sensori nel vigneto\""), "{}", forged.body);
    let no_cookie = post(with(&[("form_token", &token)]), None).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);

    // The honeypot: a program that fills every field is refused.
    let spam = post(with(&[("form_token", &token), ("fax", "+39 02 1234")]), Some(cookie.clone())).await;
    assert_eq!(spam.status, StatusCode::BAD_REQUEST);
    assert!(spam.body.contains("a field meant to stay empty was filled in"), "{}", spam.body);

    // The preview without script: the text rendered and sanitised, everything kept.
    let preview = post(with(&[("form_token", &token), ("action", "preview")]), Some(cookie.clone())).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("<p>La cantina irriga <strong>solo</strong> dove serve.</p>"), "{}", preview.body);
    assert_eq!(live_markup(&preview.body), Vec::<String>::new());

    // One error: shown next to its field, with the check's suggestion; nothing lost.
    let refused = post(with(&[("form_token", &token), ("action", "send")]), Some(cookie.clone())).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    assert!(body.contains(r#"<p class="field-error" id="e-sector">unknown sector &#39;helth&#39; — did you mean &#39;health&#39; (Health &#38; Life Science)?</p>"#), "{body}");
    assert_eq!(body.matches("class=\"field-error\"").count(), 1, "only the sector: {body}");
    for kept in [
        r#"value="Sensori nel vigneto""#,
        r#"value="VignaViva S.r.l.""#,
        r#"value="helth""#,
        r#"value="IoT, irrigazione""#,
        r#"<option value="Energia" selected>"#,
        r#"value="founder@vignaviva.example""#,
        "Rossi, Bianchi &#38; C.\nConsorzio Valpolicella</textarea>",
        "&#60;script&#62;alert(1)&#60;/script&#62;</textarea>",
    ] {
        assert!(body.contains(kept), "{kept} not kept in {body}");
    }
    let fresh_cookie = refused.cookie("casebook_submit");
    let fresh_token = hidden(body, "form_token");

    // Fixed: 303 to the secret status page, which shows the entry as pending, no email.
    let sent = post(with(&[("form_token", &fresh_token), ("sector", "agrifood")]), Some(fresh_cookie)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let location = sent.header("location").to_string();
    assert!(location.starts_with("/submissions/") && location.ends_with("?new=1"), "{location}");
    let status = server.get_with(&location, &[("accept-language", "en")]).await;
    assert!(status.body.contains(r#"data-status="pending">pending</span>"#), "{}", status.body);
    assert!(status.body.contains("Thank you: your case was received."));
    assert!(status.body.contains(r#"<meta name="robots" content="noindex">"#));
    assert!(!status.body.contains("founder@vignaviva.example"));
    let stored = server.state.store.submissions(&server.state.store.users().unwrap().remove(2), None, None).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].fields.partners, ["Rossi, Bianchi & C.", "Consorzio Valpolicella"]);
    assert_eq!(stored[0].fields.category, "Energia");
    // A wrong token is a plain 404 that does not echo it.
    let missing = server.get("/submissions/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(!missing.body.contains("0123456789abcdef0123"));
}

async fn organisers_open_calls_and_review_entries_on_their_pages(backend: Backend) {
    let setup = setup(backend).await;
    let server = &setup.server;
    let store = &server.state.store;
    let users = store.users().unwrap();
    let (anna, bruno) = (&users[0], &users[1]);
    let (secret, session) = store.create_session(anna).unwrap();
    let cookie = format!("casebook_session={secret}");
    let headers = [("content-type", FORM), ("cookie", cookie.as_str()), ("accept-language", "en")];
    // Without a session: the login form; without the CSRF token: 403.
    assert_eq!(server.get("/organiser/submissions").await.header("location"), "/login?next=/organiser/submissions");
    let opened = form(&[
        ("csrf", &session.csrf),
        ("title", "SMAU Padova 2027"),
        ("event", "SMAU Padova 2027"),
        ("opens", "2020-03-01"),
        ("closes", "2999-04-30"),
        ("categories", "Salute\nManifattura"),
    ]);
    let forged = server.send(Method::POST, "/organiser/calls", &headers, opened.replace(&session.csrf, "x")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let created = server.send(Method::POST, "/organiser/calls", &headers, opened).await;
    assert_eq!(
        (created.status, created.header("location")),
        (StatusCode::SEE_OTHER, "/organiser/calls/smau-padova-2027")
    );
    let listed = server.get_with("/organiser/calls", &[("cookie", &cookie)]).await;
    assert!(
        listed.body.contains(r#"data-call="smau-padova-2027""#)
            && listed.body.contains(r#"data-call="smau-napoli-2027-innovation-award""#)
    );
    // Another organiser's call: 403 page.
    let (bruno_secret, _) = store.create_session(bruno).unwrap();
    let other = server
        .get_with("/organiser/calls/smau-padova-2027", &[("cookie", &format!("casebook_session={bruno_secret}"))])
        .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);

    // An entry arrives; the organiser edits it with a mistake, then fixes it, then accepts.
    let mut body = entry(Some("smau-padova-2027"), "Robot in corsia");
    body["category"] = serde_json::json!("Salute");
    let created = crate::submissions::submit(&setup, &body).await;
    let id = created.json()["id"].as_i64().unwrap();
    let queue = server.get_with("/organiser/submissions", &[("cookie", &cookie), ("accept-language", "en")]).await;
    assert!(queue.body.contains(&format!(r#"data-submission="{id}""#)), "{}", queue.body);
    let review = server
        .get_with(&format!("/organiser/submissions/{id}"), &[("cookie", &cookie), ("accept-language", "en")])
        .await;
    assert!(review.body.contains("Valid: this entry passes the checks of casebook check."), "{}", review.body);
    assert!(review.body.contains(r#"<span class="pill">Agrifood &#38; Nutrition</span>"#), "rendered as its case page");
    assert!(review.body.contains("founder@vignaviva.example"), "reviewers see the contact");
    let mut edit: Vec<(&str, String)> = vec![("csrf", session.csrf.clone())];
    for (key, value) in [
        ("title", "Robot in corsia"),
        ("organisation", "VignaViva S.r.l."),
        ("year", "2025"),
        ("sector", "manifatura"),
        ("region", "Veneto"),
        ("category", "Salute"),
        ("event", "SMAU Padova 2027"),
        ("body", "Robot che portano i farmaci in corsia."),
    ] {
        edit.push((key, value.to_string()));
    }
    let edit_body = |pairs: &[(&str, String)]| {
        pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
    };
    let edit_path = format!("/organiser/submissions/{id}/edit");
    let wrong = server.send(Method::POST, &edit_path, &headers, edit_body(&edit)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("did you mean &#39;manufacturing&#39;"), "{}", wrong.body);
    assert!(wrong.body.contains(r#"value="manifatura""#), "kept as typed");
    edit.retain(|(k, _)| *k != "sector");
    edit.push(("sector", "manufacturing".into()));
    let saved = server.send(Method::POST, &edit_path, &headers, edit_body(&edit)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let accept = server
        .send(
            Method::POST,
            &format!("/organiser/submissions/{id}/accept"),
            &headers,
            format!("csrf={}&note=Ottimo", session.csrf),
        )
        .await;
    assert_eq!(accept.status, StatusCode::SEE_OTHER, "{}", accept.body);
    let done = server
        .get_with(&format!("/organiser/submissions/{id}"), &[("cookie", &cookie), ("accept-language", "en")])
        .await;
    assert!(done.body.contains("Accepted as <a href=\"/cases/robot-in-corsia\"><code>robot-in-corsia</code></a> (<code>cases/2025/robot-in-corsia.md</code>)"), "{}", done.body);
    assert!(done.body.contains("searchable after the next re-index (with casebook serve --watch, within seconds)"));
    assert!(!done.body.contains("id=\"accept-form\""), "decided: no more decision forms");
    // One click: the accepted entries as a draft showcase.
    let made = server
        .send(Method::POST, "/organiser/calls/smau-padova-2027/showcase", &headers, format!("csrf={}", session.csrf))
        .await;
    assert_eq!(
        (made.status, made.header("location")),
        (StatusCode::SEE_OTHER, "/organiser/showcases/smau-padova-2027")
    );
    let showcase = store.showcase("smau-padova-2027", Some(anna)).unwrap();
    assert_eq!(showcase.items.iter().map(|i| i.case_id.as_str()).collect::<Vec<_>>(), ["robot-in-corsia"]);
}

/// `casebook submissions` on the database of `--db` (`CASEBOOK_DB`): a file or a URL.
async fn the_cli_lists_shows_accepts_and_rejects_submissions(backend: Backend) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let db = backend.database(&workspace);
    let arg = db.arg();
    let run = |args: &[&str]| workspace.run_with_env(args, &[("CASEBOOK_DB", arg.as_str())]);
    let ids: Vec<i64> = {
        let store = db.store();
        let anna = store.add_user("anna", Role::Organiser, PASSWORD).unwrap();
        let call = store
            .create_call(
                &anna,
                &casebook_store::NewCall {
                    title: "Roadshow".into(),
                    opens: "2020-01-01".into(),
                    closes: "2999-01-01".into(),
                    ..Default::default()
                },
            )
            .unwrap();
        ["Sensori nel vigneto", "Cantina solare"]
            .iter()
            .map(|title| {
                let mut fields = casebook_corpus::CaseFields {
                    title: title.to_string(),
                    organisation: "VignaViva S.r.l.".into(),
                    year: "2025".into(),
                    sector: vec!["agroalimentare".into()],
                    region: "Veneto".into(),
                    body: "La cantina misura l'umidità di ogni filare.".into(),
                    ..Default::default()
                };
                fields.city = "Verona".into();
                let new =
                    NewSubmission { call: Some(call.slug.clone()), fields, contact_email: "a@example.org".into() };
                store.create_submission(&new).unwrap().0.id
            })
            .collect()
    };
    let listed = run(&["submissions", "list"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(
        stdout(&listed),
        format!(
            "{}\tpending\troadshow\tSensori nel vigneto\tVignaViva S.r.l.\n{}\tpending\troadshow\tCantina solare\tVignaViva S.r.l.\n",
            ids[0], ids[1]
        )
    );
    let shown = stdout(&run(&["submissions", "show", &ids[0].to_string()]));
    assert!(
        shown.starts_with(&format!("submission {}: pending\ncall: roadshow\ntitle: Sensori nel vigneto\n", ids[0])),
        "{shown}"
    );
    assert!(shown.contains("\ncontact: a@example.org\n") && shown.contains("\ncheck: valid\n"), "{shown}");
    let accepted = run(&["submissions", "accept", &ids[0].to_string(), "--note", "Benvenuti", "--by", "giulia"]);
    assert!(accepted.status.success(), "{}", stderr(&accepted));
    assert_eq!(
        stdout(&accepted),
        format!(
            "accepted submission {} as corpus/cases/2025/sensori-nel-vigneto.md (case `sensori-nel-vigneto`): run `casebook index` (or let `serve --watch` notice it) to make it searchable\n",
            ids[0]
        )
    );
    let again = run(&["submissions", "accept", &ids[0].to_string()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("was already accepted as case `sensori-nel-vigneto`"), "{}", stderr(&again));
    let rejected = run(&["submissions", "reject", &ids[1].to_string(), "--note", "Fuori tema"]);
    assert_eq!(stdout(&rejected), format!("rejected submission {}\n", ids[1]));
    assert_eq!(stdout(&run(&["submissions", "list", "--status", "pending"])), "");
    let history = stdout(&run(&["submissions", "show", &ids[0].to_string()]));
    assert!(history.contains(" accepted by giulia: Benvenuti\n"), "{history}");
    let check = run(&["check"]);
    assert_eq!(stdout(&check), "checked 11 files: 11 valid cases, 0 errors, 0 warnings\n");
    let search = stdout(&run(&["index"]));
    assert!(search.contains("11 cases"), "{search}");
    assert!(stdout(&run(&["search", "vigneto"])).contains("Sensori nel vigneto"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submission_acknowledged_with_201_survives_kill_9_and_nothing_private_is_logged() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let log_path = workspace.path().join("serve.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (mut server, base) = process::serve_with(
        &workspace,
        &[],
        &["--rate-limit", "0"],
        &[("CASEBOOK_LOG", "debug"), ("CASEBOOK_LOG_FORMAT", "text")],
        Stdio::from(log),
    );
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let mut body = entry(None, &format!("Caso numero {n}"));
        body["contact_email"] = serde_json::json!(format!("private.person.{n}@example.org"));
        let answer =
            send_to(&base, Method::POST, "/api/submissions", &[("content-type", "application/json")], body.to_string())
                .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let url = answer.json()["status_url"].as_str().unwrap().to_string();
        // Its status page, so the path with the token goes through the request log.
        let token = url.rsplit('/').next().unwrap().to_string();
        assert_eq!(
            send_to(&base, Method::GET, &format!("/submissions/{token}"), &[], String::new()).await.status,
            StatusCode::OK
        );
        acknowledged.push(token);
    }
    // SIGKILL right after the last 201: no shutdown, no checkpoint.
    assert!(server.kill9(), "the server was running");
    let store = Store::open(&workspace.path().join("data/casebook.db")).expect("reopen after kill -9");
    assert_eq!(store.problems().unwrap(), Vec::<String>::new());
    for (n, token) in acknowledged.iter().enumerate() {
        let submission = store.submission_by_token(token).expect("an acknowledged submission survives kill -9");
        assert_eq!(submission.fields.title, format!("Caso numero {n}"));
        assert_eq!(submission.contact_email, format!("private.person.{n}@example.org"));
    }
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(logged.contains("/submissions/{token}"), "requests are logged:\n{logged}");
    for (n, token) in acknowledged.iter().enumerate() {
        assert!(!logged.contains(&format!("private.person.{n}")), "an email in the log:\n{logged}");
        assert!(!logged.contains(token.as_str()), "a status token in the log:\n{logged}");
    }
}
