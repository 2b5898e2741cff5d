//! "Find cases like my project" (issue 12) in real headless Chromium with JavaScript off:
//! the home page's textarea takes a pasted description and the plain form submission ranks
//! the archive against it.

use fantoccini::Locator;

use crate::browser::{start_browser, text, wait_until};
use crate::util::process::serve;
use crate::util::{Workspace, fixture_corpus};

const DESCRIPTION: &str = "We run a small factory and want to bring artificial intelligence to quality control: \
cameras on the production line, a model that spots defects, and robots that sort the parts.\n\n\
We are looking for manufacturers who did the same, with the results they measured.";

#[tokio::test(flavor = "multi_thread")]
async fn the_home_page_finds_cases_like_a_pasted_project_without_javascript() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let (_server, base) = serve(&workspace, &[]);
    let profile = tempfile::tempdir().unwrap();
    let (_driver, client) = start_browser(false, profile.path()).await;

    client.goto(&format!("{base}/?lang=en")).await.unwrap();
    assert_eq!(text(&client, "#like-heading").await, "Find cases like my project");
    let textarea = client.find(Locator::Css("textarea#like-text")).await.unwrap();
    textarea.send_keys(DESCRIPTION).await.unwrap();
    client.find(Locator::Css(".like-form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_until("results of the description", "true", || async {
        client.current_url().await.map(|u| u.path() == "/search").unwrap_or(false).to_string()
    })
    .await;
    let note = text(&client, ".results .note").await;
    assert!(note.contains("most distinctive words"), "{note}");
    let first = text(&client, ".hits .hit h3 a").await;
    assert!(
        first == "Visione artificiale nello stabilimento" || first == "Collaborative robots on the assembly line",
        "a manufacturing case comes first: {first}"
    );
    // The description is back in the search box, on one line.
    let value = client.find(Locator::Css("#search-form input[name=q]")).await.unwrap().prop("value").await;
    let value = value.unwrap().unwrap_or_default();
    assert!(value.contains("sort the parts. We are looking"), "{value}");
    client.close().await.unwrap();
}
