//! Every validation error of the case format, with the exact line printed by `casebook check`.

use crate::util::{Workspace, stdout};

const VALID: &str = "---\ntitle: \"A case\"\norganisation: \"Org\"\nyear: 2021\nsector: health\nregion: Lombardia\n---\n\nSome text about the case.\n";

/// Runs `casebook check` on a corpus holding one file and returns (exit code, stdout lines).
fn check_one(name: &str, content: &[u8]) -> (i32, Vec<String>) {
    let workspace = Workspace::new();
    workspace.write(&format!("cases/{name}"), content);
    let output = workspace.run(&["check"]);
    (output.status.code().unwrap_or(-1), stdout(&output).lines().map(str::to_string).collect())
}

#[track_caller]
fn assert_error(name: &str, content: &str, expected: &str) {
    let (code, lines) = check_one(name, content.as_bytes());
    assert_eq!(code, 1, "{lines:?}");
    assert_eq!(lines.first().map(String::as_str), Some(expected), "all lines: {lines:#?}");
}

#[test]
fn valid_case_passes() {
    let (code, lines) = check_one("a-case.md", VALID.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(lines, vec!["checked 1 file: 1 valid case, 0 errors, 0 warnings"]);
}

#[test]
fn a_generated_benchmark_corpus_of_n_cases_passes_check() {
    // The generator of `casebook-bench gen-corpus`, called as a library.
    let workspace = Workspace::new();
    let out = workspace.path().join("generated");
    casebook_bench::generate(&out, &casebook_bench::GenOptions { cases: 1_200, seed: 7, queries: 50 }).unwrap();
    let output = workspace.run(&["check", "--quiet", "--corpus", out.to_str().unwrap()]);
    let lines: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(output.status.code(), Some(0), "{lines:#?}");
    assert_eq!(lines.last().map(String::as_str), Some("checked 1200 files: 1200 valid cases, 0 errors, 0 warnings"));
    let queries = std::fs::read_to_string(out.join("queries.jsonl")).unwrap();
    assert_eq!(queries.lines().count(), 50);
    assert!(queries.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).unwrap().is_object()));
}

#[test]
fn missing_front_matter() {
    assert_error(
        "no-front-matter.md",
        "title: A\n\nText.\n",
        "corpus/cases/no-front-matter.md:1:1: error: missing front matter: a case file must start with a line `---`, then its fields (title, organisation, year, sector, region), then a closing `---` line",
    );
}

#[test]
fn unterminated_front_matter() {
    assert_error(
        "unterminated.md",
        "---\ntitle: A\n\nText.\n",
        "corpus/cases/unterminated.md:1:1: error: unterminated front matter: the `---` on line 1 is never closed; add a line `---` after the last field",
    );
}

#[test]
fn unparseable_yaml_has_its_position() {
    assert_error(
        "bad-yaml.md",
        "---\ntitle: \"unterminated\nyear: 2021\n---\nText.\n",
        "corpus/cases/bad-yaml.md:2:8: error: front matter is not valid YAML: unclosed quote",
    );
}

#[test]
fn missing_required_field() {
    let content = VALID.replace("year: 2021\n", "");
    assert_error(
        "no-year.md",
        &content,
        "corpus/cases/no-year.md:1: error: missing required field `year`: add a line such as `year: 2021` to the front matter",
    );
}

#[test]
fn wrong_type() {
    let content = VALID.replace("year: 2021", "year: \"2021\"");
    assert_error(
        "quoted-year.md",
        &content,
        "corpus/cases/quoted-year.md:4:7: error: `year` must be a number, not text: write `year: 2021` without quotes",
    );
    let content = VALID.replace("title: \"A case\"", "title: [a, b]");
    assert_error(
        "list-title.md",
        &content,
        "corpus/cases/list-title.md:2:8: error: `title` must be a single text value, found a list",
    );
}

#[test]
fn year_out_of_range() {
    let content = VALID.replace("year: 2021", "year: 1985");
    let max = casebook_corpus::max_award_year();
    assert_error(
        "old.md",
        &content,
        &format!("corpus/cases/old.md:4:7: error: year 1985 is out of range: award years go from 1990 to {max}"),
    );
}

#[test]
fn unknown_sector_suggests_the_closest() {
    let content = VALID.replace("sector: health", "sector: Helth");
    assert_error(
        "typo-sector.md",
        &content,
        "corpus/cases/typo-sector.md:5:9: error: unknown sector 'Helth' — did you mean 'health' (Health & Life Science)?",
    );
}

#[test]
fn unknown_region_and_country() {
    let content = VALID.replace("region: Lombardia", "region: Lombrdia");
    assert_error(
        "typo-region.md",
        &content,
        "corpus/cases/typo-region.md:6:9: error: unknown Italian region 'Lombrdia' — did you mean 'Lombardia' (ITC4)? For a region outside Italy, also set `country` (e.g. `country: DE`).",
    );
    let content = VALID.replace("region: Lombardia", "region: Bayern\ncountry: Germny");
    assert_error(
        "typo-country.md",
        &content,
        "corpus/cases/typo-country.md:7:10: error: unknown country 'Germny' — did you mean 'DE' (Germany)?",
    );
}

#[test]
fn invalid_file_name() {
    assert_error(
        "Bad_Name.md",
        VALID,
        "corpus/cases/Bad_Name.md: error: invalid case id `Bad_Name`: a file name must be lowercase letters, digits and single hyphens, at most 80 characters; rename the file to `bad-name.md`",
    );
}

#[test]
fn duplicate_id_names_both_files() {
    let workspace = Workspace::new();
    workspace.write("cases/2020/same.md", VALID);
    workspace.write("cases/2021/same.md", VALID);
    let output = workspace.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output).lines().next(),
        Some(
            "corpus/cases/2021/same.md: error: duplicate case id `same`: `corpus/cases/2020/same.md` has the same file name; rename one of them"
        )
    );
}

#[test]
fn empty_body() {
    assert_error(
        "empty.md",
        VALID.split("\n\nSome text").next().map(|s| format!("{s}\n")).as_deref().unwrap_or_default(),
        "corpus/cases/empty.md:7: error: the case has no text: write the case study below the closing `---` line",
    );
}

#[test]
fn invalid_utf8_points_at_the_byte() {
    let mut content = VALID.replace("Some text", "Citt").into_bytes();
    let at = content.len() - "about the case.\n".len() - 1;
    content.insert(at, 0xE0); // a Latin-1 "à"
    let (code, lines) = check_one("latin1.md", &content);
    assert_eq!(code, 1);
    assert_eq!(
        lines[0],
        "corpus/cases/latin1.md:9:5: error: file is not valid UTF-8: save it as UTF-8 (it may have been written as Latin-1 or Windows-1252)"
    );
}

#[test]
fn oversized_file() {
    let content = format!("{VALID}{}", "x".repeat(casebook_corpus::MAX_FILE_BYTES));
    assert_error(
        "huge.md",
        &content,
        "corpus/cases/huge.md: error: file is 1024 KiB, over the limit of 1024 KiB: split the case or remove embedded data",
    );
}

#[test]
fn bad_website_and_outcome() {
    let content = VALID.replace("region: Lombardia", "region: Lombardia\nwebsite: not a url\noutcome: champion");
    let (code, lines) = check_one("bad-values.md", content.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(
        lines[..2],
        [
            "corpus/cases/bad-values.md:7:10: error: `website` \"not a url\" is not a valid web address: write a full URL such as https://www.example.org",
            "corpus/cases/bad-values.md:8:10: error: unknown outcome \"champion\": write `winner`, `finalist` or `mention`",
        ]
    );
}

#[test]
fn unknown_field_is_a_warning_only() {
    let content = VALID.replace("year: 2021", "year: 2021\nautor: Someone");
    let (code, lines) = check_one("extra-field.md", content.as_bytes());
    assert_eq!(code, 0, "{lines:?}");
    assert_eq!(
        lines,
        vec![
            "corpus/cases/extra-field.md:5:8: warning: unknown field `autor` (ignored)".to_string(),
            "checked 1 file: 1 valid case, 0 errors, 1 warning".to_string(),
        ]
    );
}

#[test]
fn every_problem_of_every_file_is_reported() {
    let workspace = Workspace::new();
    workspace.write("cases/good.md", VALID);
    workspace.write(
        "cases/two-problems.md",
        VALID.replace("year: 2021", "year: 3000").replace("sector: health", "sector: nope"),
    );
    workspace.write("cases/no-front-matter.md", "Just text.\n");
    let output = workspace.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let errors = text.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(errors, 3, "{text}");
    assert!(text.ends_with("checked 3 files: 1 valid case, 3 errors, 0 warnings\n"), "{text}");
}

#[test]
fn missing_corpus_is_a_clear_failure() {
    let workspace = Workspace::new();
    let output = workspace.run(&["check", "--corpus", "nowhere"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(crate::util::stderr(&output).contains("corpus folder `nowhere` not found"));
}
