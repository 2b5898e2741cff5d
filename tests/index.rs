//! Building the index: skipped files, incremental updates, the atomic swap, corrupt indexes.

use crate::util::{Workspace, fixture_corpus, query, search, stderr, stdout};
use casebook_index::{Archive, IndexError};

#[test]
fn index_lists_skipped_files_and_strict_fails() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write("cases/broken.md", "no front matter\n");
    let output = workspace.run(&["index"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("corpus/cases/broken.md:1:1: error: missing front matter"), "{}", stderr(&output));
    let summary = stdout(&output);
    assert!(summary.starts_with("indexed 10 cases (full build), skipped 1 file with errors (see above)"), "{summary}");

    let strict = workspace.run(&["index", "--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(stdout(&strict).starts_with("index is up to date: 10 cases"), "{}", stdout(&strict));
}

#[test]
fn unchanged_corpus_is_up_to_date_and_changes_are_incremental() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(stdout(&workspace.run(&["index"])).starts_with("indexed 10 cases (full build)"));
    let again = stdout(&workspace.run(&["index"]));
    assert!(again.starts_with("index is up to date: 10 cases in `index/gen-000001`"), "{again}");

    // Change one case, delete another, add a new one.
    let path = workspace.corpus().join("cases/fintech-milano.md");
    let text = std::fs::read_to_string(&path).unwrap().replace("Pagamenti digitali", "Incassi istantanei");
    std::fs::write(&path, text).unwrap();
    std::fs::remove_file(workspace.corpus().join("cases/museum-vr-firenze.md")).unwrap();
    let new_case = std::fs::read_to_string(workspace.corpus().join("cases/zero-trust-paris.md")).unwrap();
    workspace.write("cases/zero-trust-lyon.md", new_case.replace("Île-de-France", "Auvergne-Rhône-Alpes"));
    let update = stdout(&workspace.run(&["index"]));
    assert!(update.starts_with("indexed 10 cases (2 written, 2 removed, 8 unchanged)"), "{update}");

    let archive = Archive::open(&workspace.index()).unwrap();
    assert_eq!(archive.case_count(), 10);
    assert_eq!(search(&archive, query("incassi istantanei")).hits[0].case.id, "fintech-milano");
    assert_eq!(search(&archive, query("\"musei\"")).total, 0);
    assert_eq!(search(&archive, query("Securoute")).total, 2);
    // Two generations are kept: the live one and the previous one.
    let generations: Vec<_> = std::fs::read_dir(workspace.index())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("gen-"))
        .collect();
    assert_eq!(generations.len(), 2, "{generations:?}");
}

#[test]
fn failed_build_leaves_the_previous_index_answering() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let before = Archive::open(&workspace.index()).unwrap();
    assert_eq!(search(&before, query("telemedicina")).total, 2);

    // A changed corpus, and a build that dies half-way through writing it.
    for i in 0..20 {
        let text = std::fs::read_to_string(workspace.corpus().join("cases/fintech-milano.md")).unwrap();
        workspace.write(&format!("cases/extra-{i}.md"), text.replace("PagaSmart", &format!("Extra{i}")));
    }
    let failed = workspace.run_with_env(&["index", "--full"], &[("CASEBOOK_FAULT_FAIL_AFTER", "15")]);
    assert_eq!(failed.status.code(), Some(2));
    assert!(stderr(&failed).contains("indexing stopped by an injected fault after 15 cases"), "{}", stderr(&failed));

    // The old searcher and a freshly opened one still answer from the old generation.
    assert_eq!(search(&before, query("telemedicina")).total, 2);
    let reopened = Archive::open(&workspace.index()).unwrap();
    assert_eq!(reopened.case_count(), 10);
    let leftovers: Vec<_> = std::fs::read_dir(workspace.index())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // The next build completes.
    let output = workspace.run(&["index"]);
    assert!(
        stdout(&output).starts_with("indexed 30 cases (20 written, 0 removed, 10 unchanged)"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn stale_temporary_folder_of_a_killed_build_is_cleaned() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    std::fs::create_dir_all(workspace.index().join(".tmp-gen-000002")).unwrap();
    std::fs::write(workspace.index().join(".tmp-gen-000002/half-written"), b"x").unwrap();
    let output = workspace.run(&["index", "--full"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!workspace.index().join(".tmp-gen-000002").exists());
    assert_eq!(Archive::open(&workspace.index()).unwrap().case_count(), 10);
}

#[test]
fn missing_and_corrupt_indexes_give_clear_errors() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let output = workspace.run(&["search", "x"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).trim(), "error: no index found in `index`: run `casebook index` to build it");

    assert!(workspace.run(&["index"]).status.success());
    let generation = workspace.index().join("gen-000001");
    for entry in std::fs::read_dir(&generation).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx" || e == "store") {
            std::fs::remove_file(path).unwrap();
        }
    }
    let output = workspace.run(&["search", "x"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.starts_with("error: the index in `index/gen-000001` is corrupt or incomplete ("), "{message}");
    assert!(message.trim_end().ends_with("run `casebook index` to rebuild it"), "{message}");
    assert!(matches!(Archive::open(&workspace.index()), Err(IndexError::Corrupt { .. })));

    std::fs::write(workspace.index().join("CURRENT"), "../../etc\n").unwrap();
    assert!(matches!(Archive::open(&workspace.index()), Err(IndexError::Corrupt { .. })));

    // Rebuilding repairs it.
    assert!(workspace.run(&["index"]).status.success());
    assert_eq!(Archive::open(&workspace.index()).unwrap().case_count(), 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_rebuilds_an_index_of_another_version_before_serving() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    // Make the live generation look as if an older Casebook had built it.
    let generation = Archive::live_generation(&workspace.index()).unwrap();
    let manifest = generation.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["schema_version"] = serde_json::json!(1);
    std::fs::write(&manifest, serde_json::to_string(&json).unwrap()).unwrap();
    assert!(Archive::open(&workspace.index()).is_err(), "this version refuses it");

    let (mut server, base) = crate::util::process::serve(&workspace, &[]);
    let health = crate::util::http::send_to(&base, axum::http::Method::GET, "/healthz", &[], String::new()).await;
    server.terminate();
    assert_eq!(health.json()["cases"], 10, "served the rebuilt index");
    assert_ne!(Archive::live_generation(&workspace.index()).unwrap(), generation);
}

#[test]
fn a_full_build_merged_in_small_steps_answers_like_one_merged_at_once() {
    let one = Workspace::copy_of(&crate::util::sample_corpus());
    let steps = Workspace::copy_of(&crate::util::sample_corpus());
    let build = |workspace: &Workspace, merge_input_bytes| {
        let options = casebook_index::BuildOptions { full: true, merge_input_bytes, ..Default::default() };
        casebook_index::build_index(&workspace.corpus(), &workspace.index(), &options, &mut |_| {}).unwrap();
        Archive::open(&workspace.index()).unwrap()
    };
    let (whole, stepped) = (build(&one, None), build(&steps, Some(64 * 1024)));
    assert_eq!(whole.segment_count(), 1);
    assert!(stepped.segment_count() > 1, "a 64 KiB bound leaves several segments");
    for q in ["", "telemedicina", "smart city", "energia rinnovabile Puglia", "innovazione"] {
        // Every result (ties between segments may come back in another order).
        let request = casebook_index::SearchRequest { per_page: 100, ..query(q) };
        let (a, b) = (search(&whole, request.clone()), search(&stepped, request));
        assert_eq!(a.total, b.total, "{q:?}");
        assert_eq!(a.facets, b.facets, "{q:?}");
        let ids = |r: &casebook_index::SearchResponse| {
            let mut ids: Vec<String> = r.hits.iter().map(|h| h.case.id.clone()).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids(&a), ids(&b), "{q:?}");
    }
}
