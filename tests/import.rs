//! `casebook import`: exact output per site structure, idempotence, no-overwrite, bad input,
//! `--follow` over HTTP on loopback, and the round trip import -> check -> index -> search.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use casebook_index::SearchRequest;

use crate::util::{Workspace, search, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import");
const PROFILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/import-profiles/example-archive.toml");

/// A workspace whose `pages/` folder holds a copy of one fixture folder, so that paths in
/// the output are relative (`pages/x.html`).
fn with_pages(folders: &[&str]) -> Workspace {
    let workspace = Workspace::new();
    for folder in folders {
        for entry in std::fs::read_dir(Path::new(FIXTURES).join(folder)).unwrap() {
            let entry = entry.unwrap();
            let target = workspace.path().join("pages").join(folder);
            std::fs::create_dir_all(&target).unwrap();
            std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
        }
    }
    workspace
}

fn case_file(workspace: &Workspace, name: &str) -> String {
    std::fs::read_to_string(workspace.corpus().join("cases").join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The file without its `source_hash` line (checked separately).
fn without_hash(text: &str) -> String {
    let hash_line = text.lines().find(|l| l.starts_with("source_hash: ")).expect("a source_hash line");
    assert!(hash_line.len() == "source_hash: \"0123456789abcdef\"".len(), "{hash_line}");
    text.replace(&format!("{hash_line}\n"), "")
}

#[test]
fn each_site_structure_gives_the_exact_case_file() {
    let workspace = with_pages(&["jsonld", "definition-list", "table"]);
    let output = workspace.run(&["import", "pages"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "imported: pages/definition-list/illuminazione-lecce.html -> corpus/cases/una-citta-piu-sicura-con-l-illuminazione-intelligente.md\n\
         imported: pages/jsonld/smart-grid-bologna.html -> corpus/cases/a-neighbourhood-smart-grid-that-balances-rooftop-solar.md\n\
         imported: pages/table/cargo-drones-genoa.html -> corpus/cases/drones-inspect-the-cranes-of-a-container-terminal.md\n\
         3 imported, 0 updated, 0 unchanged, 0 need review, 0 skipped, 0 failed\n"
    );
    // JSON-LD (English): facts from schema.org Article + Organization; links made absolute
    // against the canonical URL; cookie banner, menu, share buttons and comments dropped.
    assert_eq!(
        without_hash(&case_file(&workspace, "a-neighbourhood-smart-grid-that-balances-rooftop-solar.md")),
        r#"---
title: "A neighbourhood smart grid that balances rooftop solar"
organisation: "Reti Felsinee S.p.A."
year: 2023
sector: "energy"
region: "Emilia-Romagna"
city: "Bologna"
tags: ["smart grid", "solar", "batteries"]
language: en
summary: "Reti Felsinee balanced the solar output of 300 homes with a shared battery."
website: "https://www.reti-felsinee.example"
source_url: "https://awards.example/cases/smart-grid-bologna"
---

Reti Felsinee connected 300 homes and a shared battery in the Navile district.

## Challenge

Midday solar peaks overloaded the local transformer while evenings drew from the grid.

## Results

Peak load fell by 35% and households used [twice as much](https://awards.example/glossary/self-consumption) of their own energy.
"#
    );
    // Definition list (Italian, windows-1252): accents decoded, "Regione Puglia" -> Puglia,
    // "12 ottobre 2019" -> 2019, entities decoded, the facts list left out of the body.
    assert_eq!(
        without_hash(&case_file(&workspace, "una-citta-piu-sicura-con-l-illuminazione-intelligente.md")),
        r#"---
title: "Una città più sicura con l'illuminazione intelligente"
organisation: "Luce Urbana S.r.l."
year: 2019
sector: "smart-city"
region: "Puglia"
city: "Lecce"
award: "Premio Smart Communities"
event: "SMAU Napoli 2019"
outcome: winner
language: it
source_url: "pages/definition-list/illuminazione-lecce.html"
---

Perché la città ha scelto lampioni che si accendono solo quando serve? Per risparmiare energia e rendere le strade più sicure.

## La soluzione

Sensori di presenza e una centrale di controllo regolano 4.000 punti luce & segnalano i guasti.
"#
    );
    // Two-column table (English): two sectors, the facts table left out, a data table kept.
    assert_eq!(
        without_hash(&case_file(&workspace, "drones-inspect-the-cranes-of-a-container-terminal.md")),
        r#"---
title: "Drones inspect the cranes of a container terminal"
organisation: "Lanterna Robotics Ltd"
year: 2024
sector: ["logistics", "ict"]
region: "Liguria"
city: "Genoa"
tags: ["drones", "inspection", "port"]
language: en
summary: "Drones inspect cranes at a container terminal."
source_url: "pages/table/cargo-drones-genoa.html"
---

Lanterna Robotics flies drones around 14 ship-to-shore cranes every night.

## Results

| Metric           | Before | After |
| ---------------- | ------ | ----- |
| Inspection hours | 120    | 16    |
"#
    );
}

#[test]
fn a_site_profile_locates_the_facts() {
    let workspace = with_pages(&["profile-site"]);
    let output = workspace.run(&["import", "--profile", PROFILE, "pages"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        without_hash(&case_file(&workspace, "telemonitoraggio-domiciliare-per-i-pazienti-cronici.md")),
        r#"---
title: "Telemonitoraggio domiciliare per i pazienti cronici"
organisation: "MediRete S.r.l."
year: 2022
sector: "health"
region: "Lombardia"
city: "Pavia"
tags: ["telemedicina", "IoT"]
language: it
summary: "Una piattaforma collega i dispositivi dei pazienti agli ambulatori."
source_url: "pages/profile-site/telemonitoraggio-pavia.html"
---

MediRete ha collegato i dispositivi di 1.200 pazienti cronici agli ambulatori della provincia.

### La sfida

I controlli in presenza erano *frequenti* e costosi per pazienti e famiglie.

### I risultati

- ricoveri ridotti del 18%
- visite di controllo dimezzate
"#
    );
    let bad = workspace.run(&["import", "--profile", "nope.toml", "pages"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn importing_twice_changes_nothing_and_edits_are_never_overwritten_without_force() {
    let workspace = with_pages(&["jsonld", "table"]);
    assert!(workspace.run(&["import", "pages"]).status.success());
    let file = workspace.corpus().join("cases/drones-inspect-the-cranes-of-a-container-terminal.md");
    let first = std::fs::read_to_string(&file).unwrap();

    let again = stdout(&workspace.run(&["import", "pages"]));
    assert!(again.ends_with("0 imported, 0 updated, 2 unchanged, 0 need review, 0 skipped, 0 failed\n"), "{again}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    // The source page changes: the same file is updated, not duplicated.
    let page = workspace.path().join("pages/table/cargo-drones-genoa.html");
    std::fs::write(&page, std::fs::read_to_string(&page).unwrap().replace("14 ship-to-shore", "16 ship-to-shore"))
        .unwrap();
    let updated = stdout(&workspace.run(&["import", "pages/table"]));
    assert!(
        updated.starts_with("updated: pages/table/cargo-drones-genoa.html -> corpus/cases/drones-inspect"),
        "{updated}"
    );
    assert!(std::fs::read_to_string(&file).unwrap().contains("16 ship-to-shore"));

    // The same case from another address (same title, organisation and year) updates it too.
    std::fs::copy(&page, workspace.path().join("pages/copy-of-drones.html")).unwrap();
    let copy = stdout(&workspace.run(&["import", "pages/copy-of-drones.html"]));
    assert!(copy.starts_with("updated: pages/copy-of-drones.html -> corpus/cases/drones-inspect"), "{copy}");
    assert_eq!(std::fs::read_dir(workspace.corpus().join("cases")).unwrap().count(), 2);

    // An editor improves the file: a new import leaves it alone unless forced.
    let edited = std::fs::read_to_string(&file).unwrap().replace("every night", "every night, in any weather");
    std::fs::write(&file, &edited).unwrap();
    let kept = stdout(&workspace.run(&["import", "pages/table"]));
    assert!(kept.contains("was changed by an editor since it was imported (use --force to overwrite)"), "{kept}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), edited);
    let forced = stdout(&workspace.run(&["import", "--force", "pages/table"]));
    assert!(forced.starts_with("updated: "), "{forced}");
    assert!(!std::fs::read_to_string(&file).unwrap().contains("in any weather"));

    // A dry run writes nothing.
    std::fs::remove_file(&file).unwrap();
    let dry = stdout(&workspace.run(&["import", "--dry-run", "pages/table"]));
    assert!(dry.ends_with("(dry run: nothing written)\n"), "{dry}");
    assert!(!file.exists());
}

#[test]
fn missing_facts_are_written_for_review_and_kept_out_of_the_index() {
    let workspace = with_pages(&["meta-only"]);
    let output = stdout(&workspace.run(&["import", "pages"]));
    assert_eq!(
        output,
        "needs review: pages/meta-only/open-data-portal.html -> corpus/cases/an-open-data-portal-for-a-mountain-valley.md (missing: organisation, region)\n\
         0 imported, 0 updated, 0 unchanged, 1 need review, 0 skipped, 0 failed\n"
    );
    let text = case_file(&workspace, "an-open-data-portal-for-a-mountain-valley.md");
    assert!(text.contains("needs_review: true\nmissing: [organisation, region]\n"), "{text}");
    let check = workspace.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "needs review is not an error");
    assert!(
        stdout(&check).contains("warning: needs review (missing: organisation, region): kept out of the index"),
        "{}",
        stdout(&check)
    );
    let index = workspace.run(&["index"]);
    assert!(crate::util::stderr(&index).contains("needs review (missing: organisation, region)"));
    assert!(stdout(&index).contains("indexed 0 cases (full build), skipped 1 file"), "{}", stdout(&index));
}

#[test]
fn bad_pages_get_a_message_each_and_the_run_goes_on() {
    let workspace = with_pages(&["bad", "table"]);
    // A 2 MB page (mostly script) imports; a 9 MB one is refused.
    let big = format!(
        "<html><head><script>{}</script></head><body><h1>Big page</h1><dl><dt>Company</dt><dd>Heavy Pages</dd><dt>Year</dt><dd>2021</dd><dt>Sector</dt><dd>ICT</dd><dt>Region</dt><dd>Lazio</dd></dl><p>The real text.</p></body></html>",
        "var x = 1;\n".repeat(190_000)
    );
    std::fs::write(workspace.path().join("pages/bad/big.html"), &big).unwrap();
    std::fs::write(workspace.path().join("pages/bad/huge.html"), "<p>".repeat(3_200_000)).unwrap();
    let output = workspace.run(&["import", "pages", "pages/missing.html"]);
    assert_eq!(output.status.code(), Some(1), "a page failed outright");
    let text = stdout(&output);
    for line in [
        "imported: pages/bad/big.html -> corpus/cases/big-page.md",
        "imported: pages/bad/hostile.html -> corpus/cases/hostile-page.md",
        "failed: pages/bad/huge.html: the page is over the 8 MiB limit",
        "skipped: pages/bad/no-case.html: no case found: the page has no title",
        "failed: pages/bad/picture.html: not an HTML page (binary content)",
        "imported: pages/table/cargo-drones-genoa.html -> corpus/cases/drones-inspect-the-cranes-of-a-container-terminal.md",
        "failed: pages/missing.html: cannot read the file: No such file or directory (os error 2)",
        "3 imported, 0 updated, 0 unchanged, 0 need review, 1 skipped, 3 failed",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    let hostile = case_file(&workspace, "hostile-page.md");
    for bad in ["script", "alert", "javascript", "onerror", "onclick", "iframe", "display:none"] {
        assert!(!hostile.contains(bad), "{bad} in {hostile}");
    }
    assert!(hostile.contains("[ok link](https://ok.example/page)"), "{hostile}");
    assert!(!case_file(&workspace, "big-page.md").contains("var x"));
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(workspace.corpus().join("cases"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn import_check_index_search_round_trip() {
    let workspace = with_pages(&["jsonld", "definition-list", "table", "profile-site"]);
    assert!(workspace.run(&["import", "pages/jsonld", "pages/definition-list", "pages/table"]).status.success());
    assert!(workspace.run(&["import", "--profile", PROFILE, "pages/profile-site"]).status.success());
    let check = workspace.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(stdout(&check), "checked 4 files: 4 valid cases, 0 errors, 0 warnings\n");
    let archive = workspace.build();
    let by_region = |region: &str| {
        search(&archive, SearchRequest { region: vec![region.into()], ..Default::default() })
            .hits
            .iter()
            .map(|h| h.case.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(by_region("Puglia"), vec!["una-citta-piu-sicura-con-l-illuminazione-intelligente"]);
    assert_eq!(by_region("Lombardy"), vec!["telemonitoraggio-domiciliare-per-i-pazienti-cronici"]);
    let smart_grid = search(&archive, crate::util::query("smart grid solar"));
    assert_eq!(smart_grid.hits[0].case.id, "a-neighbourhood-smart-grid-that-balances-rooftop-solar");
    assert_eq!(smart_grid.hits[0].case.sectors[0].id, "energy");
    let logistics = search(&archive, SearchRequest { sector: vec!["logistics".into()], ..Default::default() });
    assert_eq!(logistics.total, 1);
    let cli = stdout(&workspace.run(&["search", "illuminazione", "--region", "ITF4"]));
    assert!(cli.contains("Una città più sicura con l'illuminazione intelligente"), "{cli}");
}

/// A small HTTP server on 127.0.0.1 for `--follow`: a listing page and case pages.
fn serve_site(pages: Vec<(&'static str, u16, String)>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap_or(0);
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut agent = String::new();
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                if let Some(value) = header.to_ascii_lowercase().strip_prefix("user-agent:") {
                    agent = value.trim().to_string();
                }
            }
            log.lock().unwrap().push(format!("{path} {agent}"));
            let (status, body) = pages
                .iter()
                .find(|(p, _, _)| *p == path)
                .map(|(_, status, body)| (*status, body.clone()))
                .unwrap_or((404, "not found".into()));
            let extra = if status == 302 { format!("Location: {path}\r\n") } else { String::new() };
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: text/html; charset=utf-8\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, seen)
}

#[test]
fn follow_imports_the_linked_case_pages_of_a_listing() {
    let jsonld = std::fs::read_to_string(Path::new(FIXTURES).join("jsonld/smart-grid-bologna.html")).unwrap();
    let table = std::fs::read_to_string(Path::new(FIXTURES).join("table/cargo-drones-genoa.html")).unwrap();
    let listing = r#"<html><body><h1>Cases</h1><ul>
        <li><a href="/cases/smart-grid">Smart grid</a></li>
        <li><a href="/cases/drones#top">Drones</a></li>
        <li><a href="/cases/drones">Drones again</a></li>
        <li><a href="/cases/missing">Gone</a></li>
        <li><a href="/cases/loop">Loop</a></li>
        <li><a href="/about">About us</a></li>
        <li><a href="https://elsewhere.example/cases/other">Elsewhere</a></li>
        </ul></body></html>"#
        .to_string();
    let (base, seen) = serve_site(vec![
        ("/cases", 200, listing),
        (
            "/cases/smart-grid",
            200,
            jsonld.replace("https://awards.example/cases/smart-grid-bologna", "/cases/smart-grid"),
        ),
        ("/cases/drones", 200, table),
        ("/cases/loop", 302, String::new()),
    ]);
    let workspace = Workspace::new();
    let output =
        workspace.run(&["import", "--follow", r"/cases/[a-z-]+$", "--delay-ms", "0", &format!("{base}/cases")]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("skipped: {base}/cases: listing page: following 4 matching links"));
    assert_eq!(
        lines[1],
        format!(
            "imported: {base}/cases/smart-grid -> corpus/cases/a-neighbourhood-smart-grid-that-balances-rooftop-solar.md"
        )
    );
    assert_eq!(
        lines[2],
        format!("imported: {base}/cases/drones -> corpus/cases/drones-inspect-the-cranes-of-a-container-terminal.md")
    );
    assert_eq!(lines[3], format!("failed: {base}/cases/missing: the server answered 404"));
    assert!(lines[4].starts_with(&format!("failed: {base}/cases/loop: cannot fetch the page: ")), "{}", lines[4]);
    assert_eq!(lines[5], "2 imported, 0 updated, 0 unchanged, 0 need review, 1 skipped, 2 failed");
    let smart_grid = case_file(&workspace, "a-neighbourhood-smart-grid-that-balances-rooftop-solar.md");
    assert!(smart_grid.contains(&format!("source_url: \"{base}/cases/smart-grid\"")), "{smart_grid}");
    let requests = seen.lock().unwrap().clone();
    assert!(requests.iter().all(|r| r.contains("casebook-import/")), "{requests:?}");
    assert!(!requests.iter().any(|r| r.starts_with("/about")), "non-matching links are not followed");
}
