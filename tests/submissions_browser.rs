//! Issue 14 end to end in real Chromium, with JavaScript on and off, against the real binary
//! serving with `--watch`: an organiser opens a call; a visitor submits an entry with one
//! mistake, reads the message next to the field, fixes it and sends it; the organiser reviews
//! and accepts it; search finds the case after the re-index; the submitter's status page says
//! accepted.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};

use crate::browser::{save_screenshot, start_browser, text, wait_until};
use crate::util::process::serve;
use crate::util::{Workspace, fixture_corpus};

/// Logs in as anna and waits for the dashboard.
async fn log_in(client: &Client, base: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client.find(Locator::Id("name")).await.unwrap().send_keys("anna").await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("correct horse battery").await.unwrap();
    client.find(Locator::Css("form.stacked button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("intake-links")).await.unwrap();
}

/// Types into a field (after clearing it).
async fn fill(client: &Client, id: &str, value: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("{id}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

/// Submits the form of `field` with the Enter key (the first submit button of the form, as
/// a browser does), which needs no scrolling, then waits for `next` on the new page.
async fn press_enter(client: &Client, field: &str, next: &str) {
    client.find(Locator::Id(field)).await.unwrap().send_keys("\u{E007}").await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(next))
        .await
        .unwrap_or_else(|e| panic!("{next} after submitting: {e}"));
}

async fn value_of(client: &Client, id: &str) -> String {
    client.find(Locator::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

async fn whole_flow(javascript: bool) {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let added = workspace.run_with_stdin(&["users", "add", "anna", "--role", "organiser"], "correct horse battery\n");
    assert!(added.status.success(), "{}", crate::util::stderr(&added));
    let (_server, base) = serve(&workspace, &["--watch", "--poll-interval", "0.2"]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(javascript, profile.path()).await;
    let mode = if javascript { "js" } else { "nojs" };
    let year = casebook_store::today()[..4].to_string();

    // The organiser opens a call.
    log_in(&client, &base).await;
    client.goto(&format!("{base}/organiser/calls")).await.unwrap();
    fill(&client, "call-title", "SMAU Padova: Innovation Award").await;
    fill(&client, "call-event", &format!("SMAU Padova {year}")).await;
    fill(&client, "call-opens", "2020-01-01").await;
    fill(&client, "call-closes", &format!("{year}-12-31")).await;
    press_enter(&client, "call-closes", "#entries-heading").await;
    assert!(client.current_url().await.unwrap().path().ends_with("/organiser/calls/smau-padova-innovation-award"));
    assert_eq!(text(&client, "#call-state").await, "open");

    // A visitor finds it and submits an entry with one mistake.
    client.delete_all_cookies().await.unwrap();
    client.goto(&format!("{base}/calls")).await.unwrap();
    client.find(Locator::Css("[data-call=smau-padova-innovation-award] a")).await.unwrap().click().await.unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("submit-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("f-title")).await.unwrap();
    assert_eq!(value_of(&client, "f-year").await, year, "the year of the call");
    fill(&client, "f-title", "Sensori nel vigneto").await;
    fill(&client, "f-organisation", "VignaViva S.r.l.").await;
    fill(&client, "f-sector", "helth").await;
    fill(&client, "f-region", "Veneto").await;
    fill(&client, "f-body", "La cantina irriga **solo** dove serve, filare per filare.").await;
    fill(&client, "f-contact_email", "founder@vignaviva.example").await;
    if javascript {
        // The live preview renders the text as the case page will.
        wait_until("live preview", "solo", || text(&client, "#preview strong")).await;
    } else {
        press_enter(&client, "preview-button", "#preview strong").await;
        assert_eq!(text(&client, "#preview strong").await, "solo");
        assert_eq!(value_of(&client, "f-sector").await, "helth", "the preview keeps what was typed");
    }
    press_enter(&client, "f-contact_email", "#e-sector").await;
    assert_eq!(
        text(&client, "#e-sector").await,
        "unknown sector 'helth' — did you mean 'health' (Health & Life Science)?"
    );
    assert_eq!(client.find_all(Locator::Css(".field-error")).await.unwrap().len(), 1);
    assert_eq!(value_of(&client, "f-title").await, "Sensori nel vigneto", "nothing typed is lost");
    assert_eq!(value_of(&client, "f-body").await, "La cantina irriga **solo** dove serve, filare per filare.");
    save_screenshot(&format!("submit-error-{mode}.png"), &client.screenshot().await.unwrap());
    fill(&client, "f-sector", "health").await;
    press_enter(&client, "f-contact_email", "#status").await;
    assert_eq!(text(&client, "#status").await, "pending");
    let status_url = client.current_url().await.unwrap().to_string();
    assert!(status_url.contains("/submissions/"), "{status_url}");

    // The organiser reviews it and accepts it.
    log_in(&client, &base).await;
    client.goto(&format!("{base}/organiser/submissions")).await.unwrap();
    client.find(Locator::Css("#queue .hit h3 a")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("validation")).await.unwrap();
    assert_eq!(text(&client, "#validation").await, "Valid: this entry passes the checks of casebook check.");
    assert_eq!(text(&client, "#rendered strong").await, "solo", "rendered as its case page");
    fill(&client, "accept-note", "Benvenuti nell'archivio").await;
    client.find(Locator::Id("accept")).await.unwrap().click().await.unwrap();
    client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Id("accepted-as")).await.unwrap();
    let accepted = text(&client, "#accepted-as").await;
    assert!(accepted.contains(&format!("cases/{year}/sensori-nel-vigneto.md")), "{accepted}");
    assert!(accepted.contains("searchable after the next re-index"), "{accepted}");
    save_screenshot(&format!("review-accepted-{mode}.png"), &client.screenshot().await.unwrap());

    // Search finds it once `--watch` has re-indexed.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        client.goto(&format!("{base}/search?q=vigneto")).await.unwrap();
        if text(&client, "#result-count").await == "1 result" {
            break;
        }
        assert!(Instant::now() < deadline, "the accepted case was not found by search");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(text(&client, ".hit h3 a").await, "Sensori nel vigneto");

    // The submitter's status page says accepted, with the note.
    client.delete_all_cookies().await.unwrap();
    client.goto(&status_url).await.unwrap();
    assert_eq!(text(&client, "#status").await, "accepted");
    assert_eq!(text(&client, "#note").await, "Benvenuti nell'archivio");
    save_screenshot(&format!("submission-accepted-{mode}.png"), &client.screenshot().await.unwrap());
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_an_entry_with_a_fixed_mistake_a_review_and_an_accepted_case_in_chromium() {
    whole_flow(true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_call_entry_review_and_acceptance_without_javascript() {
    whole_flow(false).await;
}
