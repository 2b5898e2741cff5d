//! Merges of incremental builds: within the same byte budget as a full build's, so a segment
//! above it is never rewritten, while the small segments that updates add are merged.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{Workspace, query, sample_corpus, search};
use casebook_index::{Archive, BuildOptions, build_index};

/// A segment of the live generation: bytes of its files, documents, deleted documents.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    bytes: u64,
    docs: u64,
    deleted: u64,
}

/// The segments of the live generation, by id, read from tantivy's `meta.json`.
fn segments(index: &Path) -> BTreeMap<String, Segment> {
    let generation = Archive::live_generation(index).unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(generation.join("meta.json")).unwrap()).unwrap();
    let files: Vec<(String, u64)> = std::fs::read_dir(&generation)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (entry.file_name().to_string_lossy().into_owned(), entry.metadata().unwrap().len())
        })
        .collect();
    meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|segment| {
            let id = segment["segment_id"].as_str().unwrap().replace('-', "");
            let bytes = files.iter().filter(|(name, _)| name.starts_with(&id)).map(|(_, bytes)| bytes).sum();
            let docs = segment["max_doc"].as_u64().unwrap();
            let deleted = segment["deletes"]["num_deleted_docs"].as_u64().unwrap_or(0);
            (id, Segment { bytes, docs, deleted })
        })
        .collect()
}

/// Appends a sentence to one case, as an editor would.
fn touch(workspace: &Workspace, case: &str, word: &str) {
    let path = workspace.corpus().join("cases").join(case);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}\nUna frase con la parola {word}.\n")).unwrap();
}

#[test]
fn updates_merge_their_small_segments_and_never_a_segment_above_the_budget() {
    let workspace = Workspace::copy_of(&sample_corpus());
    const BUDGET: u64 = 64 * 1024;
    let build = |full| {
        let options = BuildOptions { full, merge_input_bytes: Some(BUDGET), ..Default::default() };
        build_index(&workspace.corpus(), &workspace.index(), &options, &mut |_| {}).unwrap()
    };
    build(true);
    let full = segments(&workspace.index());
    assert!(full.values().all(|s| s.bytes > BUDGET), "every segment of the full build is above 64 KiB: {full:?}");
    let cases: u64 = full.values().map(|s| s.docs).sum();

    // First update: one changed case, one new small segment, nothing to merge it with.
    touch(&workspace, "2019/murgia-digital-lab-matera-5g-schools.md", "zibaldone");
    assert_eq!(build(false).written, 1);
    let first = segments(&workspace.index());
    assert_eq!(first.len(), full.len() + 1, "{first:?}");
    assert!(full.keys().all(|id| first.contains_key(id)), "the segments of the full build are kept");
    let new: Vec<&Segment> = first.iter().filter(|(id, _)| !full.contains_key(*id)).map(|(_, s)| s).collect();
    assert_eq!(new.iter().map(|s| (s.docs, s.deleted)).collect::<Vec<_>>(), vec![(1, 0)]);
    assert_eq!(first.values().map(|s| s.deleted).sum::<u64>(), 1, "the old version of the case is deleted");

    // Second update: two small segments now fit in one merge; the big ones stay as they are.
    touch(&workspace, "2019/reno-packaging-ai-vision-inspection.md", "ghirigoro");
    assert_eq!(build(false).written, 1);
    let second = segments(&workspace.index());
    assert_eq!(second.len(), full.len() + 1, "{second:?}");
    assert!(full.keys().all(|id| second.contains_key(id)), "no segment above the budget was merged");
    let merged: Vec<&Segment> = second.iter().filter(|(id, _)| !full.contains_key(*id)).map(|(_, s)| s).collect();
    assert_eq!(merged.iter().map(|s| (s.docs, s.deleted)).collect::<Vec<_>>(), vec![(2, 0)]);
    assert_eq!(second.values().map(|s| s.docs - s.deleted).sum::<u64>(), cases, "one live copy of every case");

    let archive = Archive::open(&workspace.index()).unwrap();
    assert_eq!(search(&archive, query("zibaldone")).hits[0].case.id, "murgia-digital-lab-matera-5g-schools");
    assert_eq!(search(&archive, query("ghirigoro")).hits[0].case.id, "reno-packaging-ai-vision-inspection");
}
