//! `casebook import` on the layouts of old archive pages (issue 14): facts written as
//! `<b>Label:</b> value<br>` runs in one paragraph of a windows-1252 table-layout page, and
//! `<strong>`, `<span class="label">` and plain `Label: value` lines; sector labels written
//! differently from ours; what does not map kept as a review note; menus, link bars and
//! copyright lines left out. Exact files, then check -> index -> search.

use std::path::Path;

use casebook_index::SearchRequest;

use crate::util::{Workspace, search, stdout};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/label-runs");

fn with_pages() -> Workspace {
    let workspace = Workspace::new();
    let target = workspace.path().join("pages");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(FIXTURES).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), target.join(entry.file_name())).unwrap();
    }
    workspace
}

fn case_file(workspace: &Workspace, name: &str) -> String {
    let text = std::fs::read_to_string(workspace.corpus().join("cases").join(name)).unwrap();
    let hash_line = text.lines().find(|l| l.starts_with("source_hash: ")).expect("a source_hash line").to_string();
    text.replace(&format!("{hash_line}\n"), "")
}

#[test]
fn label_value_runs_of_old_table_layout_pages_become_exact_case_files() {
    let raw = std::fs::read(Path::new(FIXTURES).join("telemedicina-lecce-2005.htm")).unwrap();
    assert!(std::str::from_utf8(&raw).is_err(), "the fixture is windows-1252, not UTF-8");
    let workspace = with_pages();
    let output = workspace.run(&["import", "pages"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "imported: pages/fibre-to-the-farm.html -> corpus/cases/fibre-to-the-farm-rural-broadband-for-agritourism.md\n\
         imported: pages/telemedicina-lecce-2005.htm -> corpus/cases/telemedicina-per-gli-anziani-che-vivono-soli.md\n\
         2 imported, 0 updated, 0 unchanged, 0 need review, 0 skipped, 0 failed\n"
    );
    // `<b>Label:</b> value<br>` in one paragraph, windows-1252: every fact in its field
    // ("Città" read right, "Sanita'" -> health, "vincitore" -> winner); the menu cell and the
    // copyright row are gone; the layout table is not a markdown table.
    assert_eq!(
        case_file(&workspace, "telemedicina-per-gli-anziani-che-vivono-soli.md"),
        r#"---
title: "Telemedicina per gli anziani che vivono soli"
organisation: "Salentina Servizi S.r.l."
year: 2005
sector: "health"
region: "Puglia"
city: "Lecce"
outcome: winner
language: it
source_url: "pages/telemedicina-lecce-2005.htm"
---

Il progetto collega gli anziani che vivono da soli con un centro di ascolto attivo giorno e notte. Un braccialetto segnala le cadute e un tablet semplificato permette le videochiamate con il medico di famiglia: perché nessuno resti senza aiuto.

**I risultati**
In un anno i ricoveri evitabili sono scesi del 20% e le chiamate al pronto soccorso si sono dimezzate.
"#
    );
    // `<strong>`, `<span class="label">` and plain lines; "Telecommunications & ICT" -> ict;
    // "Cosmesi" maps to nothing and is kept as a review note; the link bar and the
    // copyright line are gone, the partners' links (other sites) are kept.
    assert_eq!(
        case_file(&workspace, "fibre-to-the-farm-rural-broadband-for-agritourism.md"),
        r#"---
title: "Fibre to the farm: rural broadband for agritourism"
organisation: "Colline Connesse Srl"
year: 2009
sector: "ict"
region: "Toscana"
city: "Siena"
language: en
review_notes: ["sector \"Cosmesi\" of the source page is not in the taxonomy: add it as an alias, or drop it"]
source_url: "pages/fibre-to-the-farm.html"
---

Colline Connesse laid fibre along the farm roads of the Val d'Orcia, so that agritourism farms could take bookings online and offer video calls to their guests.

## Results

Forty farms were connected in the first year and online bookings doubled.

Partner sites: [Consorzio Orcia](https://www.consorzio-orcia.example/), [Provincia di Siena](https://www.provincia-siena.example/), [Fibra Rurale](https://www.fibra-rurale.example/)
"#
    );

    // The review note is a warning of `casebook check`; both cases are valid and indexed.
    let check = workspace.run(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stdout(&check));
    assert_eq!(
        stdout(&check),
        "corpus/cases/fibre-to-the-farm-rural-broadband-for-agritourism.md:9:15: warning: review note: sector \"Cosmesi\" of the source page is not in the taxonomy: add it as an alias, or drop it (resolve it, then remove the note)\n\
         checked 2 files: 2 valid cases, 0 errors, 1 warning\n"
    );
    let archive = workspace.build();
    let health = search(
        &archive,
        SearchRequest { sector: vec!["health".into()], region: vec!["Puglia".into()], ..Default::default() },
    );
    assert_eq!(
        health.hits.iter().map(|h| h.case.id.as_str()).collect::<Vec<_>>(),
        ["telemedicina-per-gli-anziani-che-vivono-soli"]
    );
    let ict = search(&archive, SearchRequest { sector: vec!["ict".into()], year: Some(2009), ..Default::default() });
    assert_eq!(ict.total, 1);
    // Nothing of the furniture reached the index.
    for furniture in ["Contatti", "riservati", "Jury", "reserved"] {
        assert_eq!(search(&archive, crate::util::query(furniture)).total, 0, "{furniture}");
    }
}
