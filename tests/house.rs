//! The shape of the code base, checked like behaviour: each heavy dependency is owned by one
//! crate, the shipped binary does not link the benchmarks, the server's modules are layered
//! (no two import each other, no cycle), and no source file outgrows 500 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The names under `[dependencies]` of a manifest.
fn dependencies(manifest: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(manifest).unwrap();
    let mut in_section = false;
    let mut names = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_section = line == "[dependencies]";
        } else if in_section
            && let Some((name, _)) = line.split_once(['=', '.'])
            && !name.trim().is_empty()
            && !name.starts_with('#')
        {
            names.insert(name.trim().to_string());
        }
    }
    names
}

#[test]
fn each_heavy_dependency_is_owned_by_one_crate() {
    let owners: &[(&str, &[&str])] = &[
        ("tantivy", &["casebook-index", "casebook-bench"]),
        ("rusqlite", &["casebook-store", "casebook-bench"]),
        ("argon2", &["casebook-store"]),
        ("postgres", &["casebook-store"]),
        ("axum", &["casebook-server"]),
        ("askama", &["casebook-server"]),
        ("ammonia", &["casebook-server"]),
        // The index derives the schemas of its request and response types, behind a feature.
        ("utoipa", &["casebook-server", "casebook-index"]),
        ("pulldown-cmark", &["casebook-corpus"]),
        ("scraper", &["casebook-import"]),
        ("htmd", &["casebook-import"]),
        ("ureq", &["casebook-import"]),
        ("clap", &["casebook", "casebook-bench"]),
        // The global allocator of the two binaries.
        ("mimalloc", &["casebook", "casebook-bench"]),
    ];
    let mut manifests = vec![("casebook".to_string(), root().join("Cargo.toml"))];
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let path = entry.unwrap().path().join("Cargo.toml");
        if path.is_file() {
            let name = path.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
            manifests.push((name, path));
        }
    }
    for (dependency, allowed) in owners {
        let users: Vec<&str> = manifests
            .iter()
            .filter(|(_, manifest)| dependencies(manifest).contains(*dependency))
            .map(|(name, _)| name.as_str())
            .collect();
        assert!(!users.is_empty(), "nothing depends on {dependency}: update this table");
        for user in users {
            assert!(allowed.contains(&user), "{user} depends on {dependency}, owned by {allowed:?}");
        }
    }
    assert!(
        !dependencies(&root().join("Cargo.toml")).contains("casebook-bench"),
        "the casebook binary must not link the benchmark crate"
    );
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut long = Vec::new();
    for crate_dir in std::fs::read_dir(root().join("crates")).unwrap() {
        for file in sources(&crate_dir.unwrap().path()) {
            let name = file.file_name().unwrap().to_string_lossy();
            // Test modules and property tests are exempt.
            if name == "tests.rs" || name.contains("proptest") || file.components().any(|c| c.as_os_str() == "benches")
            {
                continue;
            }
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            if lines > 500 {
                long.push(format!("{} ({lines} lines)", file.strip_prefix(root()).unwrap().display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by job: {long:?}");
}

/// The top-level module of a server source file (`pages/search.rs` -> `pages`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn server_modules_are_layered_without_cycles() {
    let src = root().join("crates/casebook-server/src");
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src) {
        let module = module_of(&src, &file);
        if module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let used = imports.entry(module.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            let name: String =
                text[at + "crate::".len()..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            // `crate::ServeError` and the like live in lib.rs, above every module.
            let is_module = !name.is_empty() && (src.join(format!("{name}.rs")).exists() || src.join(&name).is_dir());
            if is_module && name != module {
                used.insert(name);
            }
        }
    }
    // A depth-first search for a cycle, reporting its path.
    fn visit(
        module: &str,
        imports: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(module) {
            return;
        }
        if let Some(at) = path.iter().position(|m| m == module) {
            panic!("server modules import each other: {} -> {module}", path[at..].join(" -> "));
        }
        path.push(module.to_string());
        for next in imports.get(module).into_iter().flatten() {
            visit(next, imports, path, done);
        }
        path.pop();
        done.insert(module.to_string());
    }
    let mut done = BTreeSet::new();
    for module in imports.keys() {
        visit(module, &imports, &mut Vec::new(), &mut done);
    }
    // The leaves use nothing of the server.
    for leaf in ["i18n", "html", "params", "assets", "limits", "cache"] {
        assert_eq!(imports.get(leaf), Some(&BTreeSet::new()), "{leaf} must not use other server modules");
    }
    assert!(imports["error"].iter().all(|m| m == "layout" || m == "i18n"), "error uses {:?}", imports["error"]);
}
