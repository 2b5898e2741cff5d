//! `casebook-bench gen-corpus`, run as a process: the flags, the files it writes, the same
//! corpus for the same seed, and the refusal to write into an existing folder.

// Test code panics on unexpected failures by design.
#![allow(clippy::unwrap_used, reason = "tests panic on unexpected failures")]

use std::path::Path;
use std::process::{Command, Output};

fn gen_corpus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casebook-bench")).arg("gen-corpus").args(args).output().unwrap()
}

/// Every file under `dir`, as (path relative to `dir`, content), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                found.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn gen_corpus_writes_n_cases_and_the_query_mix_the_same_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let output = gen_corpus(&["--n", "40", "--seed", "9", "--queries", "12", "--out", out.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(text.starts_with("wrote 40 cases ("), "{text}");
        assert!(text.contains(&format!(" and 12 queries to `{}` in ", out.display())), "{text}");
    }
    let written = files(&a);
    assert_eq!(written.iter().filter(|(path, _)| path.starts_with("cases/0000/") && path.ends_with(".md")).count(), 40);
    let queries = written.iter().find(|(path, _)| path == "queries.jsonl").unwrap();
    assert_eq!(String::from_utf8_lossy(&queries.1).lines().count(), 12);
    assert_eq!(written, files(&b), "the same seed gives the same corpus");

    // Every generated case is valid for the bundled taxonomy.
    let corpus = casebook_corpus::Corpus::load(&a).unwrap();
    assert_eq!(corpus.cases.len(), 40);
    assert_eq!(corpus.error_count(), 0, "{:?}", corpus.diagnostics);
}

#[test]
fn gen_corpus_refuses_an_existing_folder_and_requires_n() {
    let dir = tempfile::tempdir().unwrap();
    let output = gen_corpus(&["--n", "3", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(message.trim_end(), format!("error: `{}` exists: choose a new folder", dir.path().display()));

    let output = gen_corpus(&["--out", dir.path().join("new").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--n <N>"));
    assert!(!dir.path().join("new").exists());
}
