//! Property tests of the case parser and the markdown helpers: any bytes, and realistic but
//! hostile front matter and bodies, give a case or clean diagnostics (a line inside the file,
//! a non-empty message), never a panic; a valid case always parses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;

use crate::{
    Context, CorpusConfig, Diagnostic, Parsed, Taxonomy, builtin, content_hash, frontmatter, markdown, parse_case,
};

/// A fixed latest award year, so that the tests do not depend on the clock.
const MAX_YEAR: i64 = 2027;

fn vocabulary() -> &'static (Taxonomy, CorpusConfig) {
    static VOCABULARY: OnceLock<(Taxonomy, CorpusConfig)> = OnceLock::new();
    VOCABULARY.get_or_init(|| (builtin::taxonomy(), builtin::config()))
}

fn parse_at(path: &Path, bytes: &[u8]) -> Parsed {
    let (taxonomy, config) = vocabulary();
    parse_case(path, bytes, &Context { taxonomy, config, max_year: MAX_YEAR })
}

fn parse(bytes: &[u8]) -> Parsed {
    parse_at(Path::new("cases/2021/hostile-case.md"), bytes)
}

/// The lines of a file, counted with CRLF, LF and also lone CR as line ends (YAML counts a
/// lone CR as a line break, the front matter splitter does not: see
/// `yaml_error_lines_count_lone_cr_as_line_breaks` below), so the larger of both counts.
fn line_count(bytes: &[u8]) -> usize {
    let text = String::from_utf8_lossy(bytes);
    let lf_lines = text.lines().count();
    let mut ends = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue;
        }
        if c == '\r' || c == '\n' {
            ends += 1;
        }
    }
    let trailing = !text.is_empty() && !text.ends_with(['\r', '\n']);
    lf_lines.max(ends + usize::from(trailing))
}

/// The invariants of every parse: each diagnostic has a non-empty message and, when it has a
/// place, a line within the file (1..=lines+1, the last for a problem at the end) and a
/// column from 1; a case comes without errors, and a file without a case has at least one
/// error (or the `needs_review` mark).
fn check_parsed(bytes: &[u8], parsed: &Parsed) -> Result<(), TestCaseError> {
    let lines = line_count(bytes);
    for diagnostic in &parsed.diagnostics {
        prop_assert!(!diagnostic.message.trim().is_empty(), "empty message: {diagnostic:?}");
        if let Some(line) = diagnostic.line {
            prop_assert!((1..=lines + 1).contains(&line), "line {line} outside 1..={}: {diagnostic}", lines + 1);
        }
        if let Some(column) = diagnostic.column {
            prop_assert!(column >= 1, "column 0: {diagnostic}");
        }
        prop_assert!(diagnostic.to_string().ends_with(&diagnostic.message));
    }
    let has_error = parsed.diagnostics.iter().any(Diagnostic::is_error);
    match &parsed.case {
        Some(case) => {
            prop_assert!(!has_error, "a case with errors: {:?}", parsed.diagnostics);
            prop_assert!(!parsed.needs_review);
            prop_assert!(!case.record.title.trim().is_empty());
            prop_assert!(!case.body_text.trim().is_empty());
            prop_assert_eq!(case.content_hash, content_hash(bytes));
        }
        None => {
            prop_assert!(
                has_error || parsed.needs_review,
                "the file was rejected without an error: {:?}",
                parsed.diagnostics
            )
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Generators.

/// Pieces editors and attackers type: accents, emoji, right-to-left override, controls,
/// YAML and markdown punctuation, injection payloads.
const TRICKY: &[&str] = &[
    "città",
    "Südtirol",
    "Ærøskøbing",
    "🚀 start-up 🇮🇹",
    "\u{202E}cod.exe\u{202C}",
    "שלום עולם",
    "مرحبا",
    "\u{0}",
    "\u{7}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{85}",
    "\u{a0}",
    "\u{200b}",
    "\u{2028}",
    "\u{2029}",
    "\u{feff}",
    "\u{fffe}",
    "\u{ffff}",
    "\u{10ffff}",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "'",
    "\"",
    "\\",
    ": ",
    " #",
    "- ",
    "? ",
    "&a",
    "*a",
    "!!str",
    "%",
    "@",
    "`",
    "|",
    ">",
    "{",
    "}",
    "[",
    "]",
    ",",
    "---",
    "...",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "<img src=x onerror=alert(1)>",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "../../etc/passwd",
    "NaN",
    "~",
    "null",
    "true",
    "no",
    "0x1F",
    "1e400",
    "2021",
    "-0",
];

fn tricky_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\PC{0,40}",
        2 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        3 => prop::collection::vec(prop::sample::select(TRICKY), 1..5).prop_map(|parts| parts.concat()),
        1 => (1usize..20_000, prop::sample::select(vec!["x", "è", "🚀", "\u{202E}", "a "]))
            .prop_map(|(n, piece)| piece.repeat(n)),
    ]
}

/// `text` as a YAML scalar in one of the styles an editor might use, or a broken one.
fn scalar(text: &str, style: u8) -> String {
    match style % 6 {
        0 => text.to_string(),
        1 => serde_json::to_string(text).unwrap(),
        2 => format!("'{}'", text.replace('\'', "''")),
        3 => format!("\"{text}"),
        4 => format!("|\n  {}", text.replace('\n', "\n  ")),
        _ => format!("[{text}]"),
    }
}

/// Values valid for some field.
const VALID_VALUES: &[&str] = &[
    "\"Telemedicine for rural clinics\"",
    "Cluster TechForLife",
    "2021",
    "2019",
    "health",
    "[ict, education]",
    "[manufacturing, ict, ict]",
    "Lombardia",
    "Emilia-Romagna",
    "ITC4",
    "Südtirol",
    "Bayern",
    "DE",
    "Germany",
    "Milano",
    "winner",
    "vincitore",
    "menzione speciale",
    "it",
    "en",
    "https://www.example.org",
    "http://example.org/path?q=1#f",
    "[medtech, iot]",
    "\"SMAU Milano 2021\"",
    "true",
    "[organisation, year]",
];

/// Values of the wrong type, out of range, or YAML oddities.
const ODD_VALUES: &[&str] = &[
    "",
    "{a: 1}",
    "[1, [2, 3]]",
    "true",
    "false",
    "null",
    "~",
    "1.5",
    "-7",
    "1985",
    "3000",
    "99999999999999999999999",
    "-9223372036854775809",
    "0o17",
    "0x7E5",
    ".nan",
    "-.inf",
    "2021-10-12",
    "[]",
    "{}",
    "[null]",
    "[\"\", \"  \"]",
    "[{a: b}]",
    "[true, 1.5]",
    "&x Lombardia",
    "*x",
    "*undefined",
    "&x [ict]",
    "!!binary aGVsbG8=",
    "!!str 2021",
    "!!int \"x\"",
    "!!int 2021",
    "!!float abc",
    "!custom tag",
    "!!map {a: 1}",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!timestamp 2001-12-14",
    "!<tag:yaml.org,2002:str> x",
    "!!null ''",
    "|\n  block\n  text",
    "|-\n\n  indented\n    more",
    ">-\n  folded\n\n  text",
    "|\n text\n  badly indented",
    "\n  - one\n  - two",
    "\n  - [nested]\n  -\n    - deep",
    "\n  a: 1\n  b: [2]",
    "\n\t- tab",
    "'it''s'",
    "\"\\u0000\\x85\\N\\_\\L\\P\"",
    "\"\\q\"",
    "\"\\uD800\"",
    "[unclosed",
    "{unclosed: 1",
    "\"unterminated",
    "'unterminated",
    "a: b: c",
    "- x",
    "? complex",
    "# only a comment",
    "value # comment",
    "@reserved",
    "`reserved",
    "%percent",
    "x\n---\ny",
    "x\n--- !!map\n",
    "x\n...\n",
    "<<: *x",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(VALID_VALUES).prop_map(str::to_string),
        2 => (1900i64..2100).prop_map(|year| year.to_string()),
        4 => prop::sample::select(ODD_VALUES).prop_map(str::to_string),
        4 => (tricky_text(), any::<u8>()).prop_map(|(text, style)| scalar(&text, style)),
        1 => (1usize..2000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
        1 => (1usize..2000).prop_map(|n| "[".repeat(n)),
        1 => (1usize..300).prop_map(|n| format!("{}1{}", "{a: ".repeat(n), "}".repeat(n))),
        1 => (1usize..120).prop_map(|n| {
            (1..=n).map(|depth| format!("\n{}- ", "  ".repeat(depth))).collect::<String>() + "x"
        }),
        1 => (1usize..120).prop_map(|n| {
            (1..=n).map(|depth| format!("\n{}k{depth}:", "  ".repeat(depth))).collect::<String>() + " x"
        }),
    ]
}

const MISSPELT_KEYS: &[&str] =
    &["organization", "titel", "sectors", "sectr", "Title", "YEAR", "regione", "tag", "web site", "lang", "summery"];
const ODD_KEYS: &[&str] = &[
    "? complex key",
    "<<",
    "&k title",
    "*k",
    "!!str title",
    "\"title\"",
    "'year'",
    "[a, b]",
    "{a: b}",
    "- item",
    " title",
    "  year",
    "\ttitle",
    "title ",
    "",
    "?",
    "-",
    "#title",
    "%YAML 1.2\ntitle",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(crate::KNOWN_FIELDS).prop_map(str::to_string),
        2 => prop::sample::select(MISSPELT_KEYS).prop_map(str::to_string),
        2 => prop::sample::select(ODD_KEYS).prop_map(str::to_string),
        1 => tricky_text(),
    ]
}

/// Front matter lines that are not `key: value`.
const JUNK_LINES: &[&str] = &[
    "",
    "   ",
    "\t",
    "# comment",
    "--- x",
    "--- !!map",
    "---#",
    "%YAML 1.2",
    "%TAG ! tag:example.com,2000:",
    "...x",
    "key",
    ":",
    ": value",
    "- a",
    "  - b",
    "? a",
    ": b",
    "[a, b]: c",
    "{x}",
    "\u{feff}title: bom",
    "title: one\ttitle: two",
];

/// A whole front matter (the lines between the fences).
fn front_matter_lines() -> impl Strategy<Value = Vec<String>> {
    let fields = prop::collection::vec(
        prop_oneof![
            6 => (key(), value()).prop_map(|(key, value)| format!("{key}: {value}")),
            1 => (key(), value()).prop_map(|(key, value)| format!("{key}:{value}")),
            1 => prop::sample::select(JUNK_LINES).prop_map(str::to_string),
        ],
        0..16,
    );
    prop_oneof![
        12 => fields,
        1 => (2usize..6).prop_map(billion_laughs),
        1 => (1usize..300).prop_map(|n| (0..n).map(|i| format!("k{i}: &a{i} v{i}\nr{i}: *a{i}")).collect()),
        1 => (1usize..200).prop_map(|n| (0..n).map(|i| format!("--- !!str d{i}")).collect()),
    ]
}

/// An alias-expansion bomb ("billion laughs") with `levels` levels of nine references.
fn billion_laughs(levels: usize) -> Vec<String> {
    let mut lines =
        vec!["title: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]".to_string()];
    for level in 1..levels {
        let refs = vec![format!("*l{}", level - 1); 9].join(",");
        lines.push(format!("k{level}: &l{level} [{refs}]"));
    }
    lines
}

const HTML_PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<div onclick=\"steal()\">x</div>",
    "<body onload=alert(1)>",
    "<style>*{display:none}</style>",
    "<object data=javascript:alert(1)>",
    "<math><mtext><script>alert(1)</script>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<details open ontoggle=alert(1)>",
    "</p><script>alert(1)</script><p>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<?php echo 1; ?>",
    "<!DOCTYPE html>",
];

const LINK_PAYLOADS: &[&str] = &[
    "[click](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<javascript:alert(1)>",
    "![img](javascript:alert(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](https://example.org \"title\" onmouseover=\"alert(1)\")",
];

/// One block of a markdown body.
fn block() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => tricky_text(),
        2 => (1usize..=7, tricky_text()).prop_map(|(level, text)| format!("{} {text}", "#".repeat(level))),
        2 => (tricky_text(), tricky_text()).prop_map(|(text, path)| format!("[{text}](https://example.org/{path})")),
        3 => prop::sample::select(HTML_PAYLOADS).prop_map(str::to_string),
        2 => prop::sample::select(LINK_PAYLOADS).prop_map(str::to_string),
        1 => (1usize..200, tricky_text()).prop_map(|(n, text)| format!("{}{text}", "> ".repeat(n))),
        1 => (1usize..100).prop_map(|n| (0..n).map(|i| format!("{}- item {i}\n", "  ".repeat(i))).collect()),
        1 => tricky_text().prop_map(|text| format!("```html\n{text}\n<script>alert(1)</script>\n```")),
        1 => Just("| a | <script>x</script> |\n|---|---|\n| [x](javascript:y) | `z` |".to_string()),
        1 => Just("Text[^1]\n\n[^1]: <img src=x onerror=alert(1)>".to_string()),
        1 => (1usize..2000, prop::sample::select(vec!["*", "_", "[", "`", "<", "\\", "*a", "[a](", "&#"]))
            .prop_map(|(n, piece)| piece.repeat(n)),
        1 => Just("---".to_string()),
        1 => Just("&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;script&#x3E; &amp;lt;".to_string()),
    ]
}

/// Files of every sort: fences present, missing or odd, BOM or not, LF, CRLF, CR or mixed.
fn hostile_file() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        0u8..4,
        prop::collection::vec(0u8..3, 64),
        front_matter_lines(),
        0u8..6,
        prop::collection::vec(block(), 0..8),
    )
        .prop_map(|(bom, line_ends, mixed, front_matter, close, blocks)| {
            let mut lines: Vec<String> = Vec::new();
            lines.push("---".into());
            lines.extend(front_matter);
            match close {
                0 | 1 => lines.push("---".into()),
                2 => lines.push("...".into()),
                3 => lines.push("---   ".into()),
                4 => lines.push("--- trailing".into()),
                _ => {}
            }
            lines.push(String::new());
            lines.push(blocks.join("\n\n"));
            let text = lines.join("\n");
            let text = match line_ends {
                0 => text,
                1 => text.replace('\n', "\r\n"),
                2 => text.replace('\n', "\r"),
                _ => {
                    let mut out = String::with_capacity(text.len() + 64);
                    for (i, part) in text.split('\n').enumerate() {
                        if i > 0 {
                            out.push_str(["\n", "\r\n", "\r"][usize::from(mixed[i % mixed.len()])]);
                        }
                        out.push_str(part);
                    }
                    out
                }
            };
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

/// Arbitrary bytes, alone or behind a front matter opening so that the YAML parser sees them.
fn arbitrary_bytes() -> impl Strategy<Value = Vec<u8>> {
    const PREFIXES: &[&[u8]] = &[b"", b"---\n", b"---\r\n", b"\xef\xbb\xbf---\n", b"---\ntitle: ", b"\xef\xbb\xbf"];
    const MIDDLES: &[&[u8]] = &[b"", b"\n---\n", b"\r\n---\r\n", b"\n...\n", b"\n---"];
    let prefix = prop::sample::select(PREFIXES);
    let middle = prop::sample::select(MIDDLES);
    (prefix, prop::collection::vec(any::<u8>(), 0..512), middle, prop::collection::vec(any::<u8>(), 0..512))
        .prop_map(|(prefix, head, middle, tail)| [prefix, &head[..], middle, &tail[..]].concat())
}

/// Words for valid values: accents, emoji, right-to-left text and injection payloads, all
/// quoted when written.
const WORDS: &[&str] = &[
    "Smart",
    "factory",
    "città",
    "Südtirol",
    "perché",
    "🚀",
    "🇮🇹",
    "\u{202E}rtl",
    "שלום",
    "مرحبا",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "<img src=x onerror=alert(1)>",
    "O'Brien",
    "\"quoted\"",
    "a: b",
    "#hash",
    "- dash",
    "&anchor",
    "*alias",
    "!tag",
    "{brace}",
    "[x]",
    "100%",
    "@home",
    "`tick`",
    "|pipe",
    ">gt",
    "back\\slash",
    "tab\there",
    "2021",
    "null",
    "~",
];

fn phrase() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 1..6).prop_map(|words| words.join(" "))
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A valid case: its file text and the values it must parse to.
#[derive(Debug, Clone)]
struct ValidCase {
    text: String,
    title: String,
    organisation: String,
    year: u16,
    sectors: Vec<String>,
    region_id: String,
    tags: Vec<String>,
    body: String,
}

fn valid_case() -> impl Strategy<Value = ValidCase> {
    let (taxonomy, _) = vocabulary();
    let sectors: Vec<String> = taxonomy.sectors().iter().map(|s| s.id.clone()).collect();
    let regions: Vec<(String, String, String)> =
        taxonomy.regions().iter().map(|r| (r.id.clone(), r.it.clone(), r.en.clone())).collect();
    let first_paragraph = prop::collection::vec("[A-Za-zàèéìòù]{1,12}", 1..30).prop_map(|words| words.join(" "));
    let body_blocks = prop::collection::vec(
        prop_oneof![
            3 => phrase(),
            2 => phrase().prop_map(|p| format!("## {p}")),
            2 => prop::sample::select(HTML_PAYLOADS).prop_map(str::to_string),
            2 => prop::sample::select(LINK_PAYLOADS).prop_map(str::to_string),
            1 => phrase().prop_map(|p| format!("- {p}\n- {p}")),
        ],
        0..6,
    );
    (
        (phrase(), phrase(), (crate::FIRST_YEAR..=MAX_YEAR).prop_map(|y| u16::try_from(y).unwrap())),
        (prop::sample::subsequence(sectors, 1..3), prop::sample::select(regions), 0u8..3),
        (prop::collection::vec(phrase(), 0..4), prop::option::of(phrase()), prop::option::of("[a-z]{1,12}")),
        (
            prop::option::of(prop::sample::select(vec!["it", "en"])),
            prop::option::of(prop::sample::select(vec!["winner", "finalista", "mention"])),
        ),
        (first_paragraph, body_blocks),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (title, organisation, year),
                (sectors, (region_id, region_it, region_en), region_style),
                (tags, city, host),
                (language, outcome),
                (first, blocks),
                (bom, crlf, flow_lists),
            )| {
                let region = match region_style {
                    0 => region_id.clone(),
                    1 => region_it,
                    _ => region_en,
                };
                let mut lines = vec![
                    "---".to_string(),
                    format!("title: {}", quote(&title)),
                    format!("organisation: {}", quote(&organisation)),
                    format!("year: {year}"),
                ];
                if flow_lists {
                    lines
                        .push(format!("sector: [{}]", sectors.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")));
                    lines.push(format!("tags: [{}]", tags.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")));
                } else {
                    lines.push("sector:".into());
                    lines.extend(sectors.iter().map(|s| format!("  - {}", quote(s))));
                    lines.push("tags:".into());
                    lines.extend(tags.iter().map(|s| format!("  - {}", quote(s))));
                }
                lines.push(format!("region: {}", quote(&region)));
                if let Some(city) = &city {
                    lines.push(format!("city: {}", quote(city)));
                }
                if let Some(host) = &host {
                    lines.push(format!("website: https://www.{host}.example/case?id=1"));
                }
                if let Some(language) = language {
                    lines.push(format!("language: {language}"));
                }
                if let Some(outcome) = outcome {
                    lines.push(format!("outcome: {outcome}"));
                }
                lines.push("---".into());
                lines.push(String::new());
                let mut body_blocks = vec![first];
                body_blocks.extend(blocks);
                let body = body_blocks.join("\n\n");
                lines.push(body.clone());
                let mut text = lines.join("\n") + "\n";
                if crlf {
                    text = text.replace('\n', "\r\n");
                }
                if bom {
                    text.insert(0, '\u{feff}');
                }
                ValidCase {
                    text,
                    title: title.trim().to_string(),
                    organisation: organisation.trim().to_string(),
                    year,
                    sectors,
                    region_id,
                    tags: tags.iter().map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
                    body,
                }
            },
        )
}

/// Values at the edges of "empty".
const EDGE_VALUES: &[&str] = &["", "[]", "[null]", "[\"\", \" \"]", "~", "\"\"", "\"  \"", "{}", "[[]]", "null"];

/// A valid case with one to three edits of its front matter: a value replaced, a field
/// added, a line removed. Most of the file stays valid, so the checks of single fields run.
fn mutated_valid_file() -> impl Strategy<Value = String> {
    let edit = (
        0u8..3,
        any::<prop::sample::Index>(),
        key(),
        prop_oneof![2 => prop::sample::select(EDGE_VALUES).prop_map(str::to_string), 3 => value()],
    );
    (valid_case(), prop::collection::vec(edit, 1..4)).prop_map(|(case, edits)| {
        let mut lines: Vec<String> = case.text.split('\n').map(str::to_string).collect();
        for (kind, index, key, value) in edits {
            let Some(close) = lines.iter().skip(1).position(|l| l.trim_end() == "---").map(|p| p + 1) else {
                break;
            };
            let at = 1 + index.index(close.max(2) - 1);
            match kind {
                0 if at < close => {
                    let old_key = lines[at].split_once(':').map_or(key.clone(), |(k, _)| k.to_string());
                    lines[at] = format!("{old_key}: {value}");
                }
                1 => lines.insert(at.min(close), format!("{key}: {value}")),
                _ if at < close => {
                    lines.remove(at);
                }
                _ => {}
            }
        }
        lines.join("\n")
    })
}

// ---------------------------------------------------------------------------------------
// HTML checks.

/// Every tag of an HTML text, as (lowercase name, attributes as (lowercase name, value)).
/// Written for pulldown-cmark's output, which always double-quotes attribute values.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = rest[start + 1..].trim_start_matches('/');
        let end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        let name = rest[..end].to_ascii_lowercase();
        rest = &rest[end..];
        let mut attributes = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() || rest.starts_with('>') {
                break;
            }
            let end = rest.find(|c: char| c == '=' || c == '>' || c.is_whitespace()).unwrap_or(rest.len());
            let attribute = rest[..end].to_ascii_lowercase();
            rest = &rest[end..];
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix("=\"") {
                let close = after.find('"').unwrap_or(after.len());
                value = after[..close].to_string();
                rest = &after[(close + 1).min(after.len())..];
            } else if let Some(after) = rest.strip_prefix('=') {
                let close = after.find(|c: char| c.is_whitespace() || c == '>').unwrap_or(after.len());
                value = after[..close].to_string();
                rest = &after[close..];
            }
            attributes.push((attribute, value));
        }
        if !name.is_empty() {
            found.push((name, attributes));
        }
    }
    found
}

/// No element that runs script, no event handler, no script URL.
fn check_html_inert(html: &str) -> Result<(), TestCaseError> {
    for (name, attributes) in tags(html) {
        prop_assert!(
            !matches!(name.as_str(), "script" | "iframe" | "object" | "embed" | "svg" | "math" | "style" | "body"),
            "<{name}> in {html:?}"
        );
        for (attribute, value) in attributes {
            prop_assert!(!attribute.starts_with("on"), "event handler {attribute} in {html:?}");
            if matches!(attribute.as_str(), "href" | "src" | "action" | "formaction" | "data" | "poster") {
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                prop_assert!(
                    !(url.starts_with("javascript:") || url.starts_with("vbscript:") || url.starts_with("data:")),
                    "script URL in {attribute}={value:?} of {html:?}"
                );
            }
        }
    }
    Ok(())
}

/// Markdown whose hostile payloads are all where markdown escapes them: code spans, code
/// blocks, backslash escapes, entities, link texts and titles, image alt texts, and http(s)
/// link destinations.
fn escaped_markdown() -> impl Strategy<Value = String> {
    let payload = prop_oneof![
        3 => prop::sample::select(HTML_PAYLOADS).prop_map(str::to_string),
        1 => prop::sample::select(LINK_PAYLOADS).prop_map(str::to_string),
        2 => tricky_text(),
    ];
    let escaped = |p: &str| {
        let mut out = String::new();
        for c in p.chars() {
            if c.is_ascii_punctuation() {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    let block = (payload, 0u8..9).prop_map(move |(p, context)| {
        let single_line = p.replace(['\n', '\r'], " ");
        match context {
            0 => format!("`` {} ``", single_line.replace('`', "'")),
            1 => format!("```\n{}\n```", p.replace("```", "'''")),
            2 => format!("    {}", single_line),
            3 => escaped(&p),
            4 => p
                .chars()
                .map(|c| if c.is_ascii_punctuation() { format!("&#{};", u32::from(c)) } else { c.to_string() })
                .collect(),
            5 => format!("[{}](https://example.org/page)", escaped(&single_line)),
            6 => format!("![{}](https://example.org/image.png)", escaped(&single_line)),
            7 => format!("[link](https://example.org/page \"{}\")", escaped(&single_line)),
            _ => format!("[link](<https://example.org/{}>)", single_line.replace(['<', '>', '\\'], "")),
        }
    });
    prop::collection::vec(block, 1..8).prop_map(|blocks| blocks.join("\n\n"))
}

// ---------------------------------------------------------------------------------------
// Properties.

proptest! {
    // No failure files: a failing case is printed, and kept as a plain test when it is a bug.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(256) })]

    /// (a) Any bytes (invalid UTF-8, NUL, BOM, CRLF) give a case or clean diagnostics.
    #[test]
    fn any_bytes_give_a_case_or_clean_errors(bytes in arbitrary_bytes()) {
        let parsed = parse(&bytes);
        check_parsed(&bytes, &parsed)?;
    }

    /// (a) Any file name gives a case or clean diagnostics, with a hint only when useful.
    #[test]
    fn any_file_name_is_reported_cleanly(stem in tricky_text()) {
        let bytes = b"---\ntitle: T\norganisation: O\nyear: 2021\nsector: health\nregion: Lombardia\n---\n\nText.\n";
        let parsed = parse_at(&Path::new("cases").join(format!("{stem}.md")), bytes);
        check_parsed(bytes, &parsed)?;
    }

    /// (b) Realistic but hostile front matter and bodies give a case or clean diagnostics.
    #[test]
    fn hostile_files_give_a_case_or_clean_errors(text in hostile_file()) {
        let parsed = parse(text.as_bytes());
        check_parsed(text.as_bytes(), &parsed)?;
    }

    /// (b) A valid case with a few edits gives a case or clean diagnostics.
    #[test]
    fn edited_valid_files_give_a_case_or_clean_errors(text in mutated_valid_file()) {
        let parsed = parse(text.as_bytes());
        check_parsed(text.as_bytes(), &parsed)?;
    }

    /// (c) A valid case always parses to the values written, whatever its text holds.
    #[test]
    fn valid_cases_always_parse(case in valid_case()) {
        let parsed = parse(case.text.as_bytes());
        check_parsed(case.text.as_bytes(), &parsed)?;
        let errors: Vec<String> = parsed.diagnostics.iter().map(ToString::to_string).collect();
        let parsed_case = parsed.case.as_ref();
        prop_assert!(parsed_case.is_some(), "valid case rejected: {errors:?}\n{}", case.text);
        let parsed_case = parsed_case.unwrap();
        prop_assert_eq!(&parsed_case.record.title, &case.title);
        prop_assert_eq!(&parsed_case.record.organisation, &case.organisation);
        prop_assert_eq!(parsed_case.record.year, case.year);
        prop_assert_eq!(&parsed_case.record.sectors, &case.sectors);
        prop_assert_eq!(&parsed_case.record.place.region, &case.region_id);
        prop_assert_eq!(&parsed_case.record.tags, &case.tags);
        let body = parsed_case.body_markdown.replace("\r\n", "\n");
        prop_assert_eq!(body.as_str(), case.body.trim());
        // Rendering the body never panics (it is sanitised by the web layer: see below).
        let _ = markdown::to_html(&parsed_case.body_markdown);
    }

    /// (c) Hostile text in the places markdown escapes never becomes markup in the HTML of
    /// `markdown::to_html`: no script element, no event handler, no script URL.
    #[test]
    fn escaped_payloads_stay_inert_in_html(body in escaped_markdown()) {
        check_html_inert(&markdown::to_html(&body))?;
    }

    /// The markdown helpers alone never panic on any text, and keep their contracts.
    #[test]
    fn markdown_helpers_never_panic(
        text in prop_oneof![
            3 => prop::collection::vec(block(), 0..8).prop_map(|blocks| blocks.join("\n\n")),
            1 => any::<String>(),
        ],
        max_chars in 0usize..500,
    ) {
        let _ = markdown::to_html(&text);
        let plain = markdown::plain_text(&text);
        prop_assert_eq!(plain.trim(), plain.as_str());
        if let Some(paragraph) = markdown::first_paragraph(&text) {
            prop_assert!(!paragraph.trim().is_empty());
        }
        let short = markdown::truncate_words(&plain, max_chars);
        prop_assert!(short.chars().count() <= max_chars + 1, "{short:?} longer than {max_chars}");
    }

    /// Splitting front matter: the parts are the file's own text, in order, with line
    /// numbers that match; key positions lie inside the front matter.
    #[test]
    fn split_keeps_text_and_lines(text in hostile_file()) {
        let _ = frontmatter::read_fields(&text);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        if let Ok(split) = frontmatter::split(text) {
            prop_assert_eq!(split.yaml_first_line, 2);
            prop_assert!(text.ends_with(split.body));
            let before_body = text[..text.len() - split.body.len()].matches('\n').count();
            prop_assert!(
                split.body_first_line == before_body + 1 || split.body.is_empty() && split.body_first_line == before_body + 2,
                "body_first_line {} after {before_body} line feeds", split.body_first_line
            );
            let yaml_lines = split.yaml.lines().count();
            for position in frontmatter::key_positions(split.yaml, split.yaml_first_line) {
                prop_assert!((2..2 + yaml_lines).contains(&position.line), "{position:?}");
                prop_assert!(position.value_column >= 2, "{position:?}");
            }
        }
    }
}

/// Files over the size limit are refused with a clean error, without being parsed.
#[test]
fn oversized_file_is_refused_cleanly() {
    let mut bytes = b"---\ntitle: T\n---\n\n".to_vec();
    bytes.resize(crate::MAX_FILE_BYTES + 1, b'a');
    let parsed = parse(&bytes);
    assert!(parsed.case.is_none());
    assert!(parsed.diagnostics.iter().any(|d| d.is_error() && d.message.contains("over the limit")));
}

/// `markdown::to_html` is not a sanitiser, by its documented contract: raw HTML and
/// `javascript:` link destinations pass through, and the web layer
/// (`casebook-server`, `html::render_body`, with ammonia) removes them. This pins the
/// contract, so that no other caller mistakes `to_html` for safe output.
#[test]
fn to_html_is_not_a_sanitiser() {
    let html = markdown::to_html("Text\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n");
    assert!(html.contains("<script>alert(1)</script>"), "{html}");
    assert!(html.contains("href=\"javascript:alert(1)\""), "{html}");
}

/// Regression (found by `hostile_files_give_a_case_or_clean_errors`): the YAML parser counts
/// a lone CR as a line break, the rest of the parser counts LF only, so with lone CR line
/// ends a YAML error pointed past the end of the file (line 11 of a 4-line file). Lines are
/// now capped at the closing `---`.
#[test]
fn yaml_error_lines_count_lone_cr_as_line_breaks() {
    let text = "---\na: 1\r\r\r\r\r\r\r\r\ra: 2\n---\nText.\n";
    let parsed = parse(text.as_bytes());
    let lines = text.lines().count();
    let diagnostic = parsed.diagnostics.iter().find(|d| d.message.contains("appears twice")).expect("duplicate key");
    assert!(diagnostic.line.is_some_and(|line| line <= lines + 1), "{diagnostic} in a file of {lines} lines");
}

/// Regression (found while writing the invariants of `check_parsed`): `sector: []` (or
/// `[null]`, `["", " "]`) next to a misspelt key such as `sectr` made the case disappear
/// with only the warning "did you mean `sector`?", which the check for an earlier `sector`
/// error mistook for an error; `casebook check` passed while the case was left out.
#[test]
fn empty_sector_list_next_to_misspelt_key_is_an_error() {
    let text = "---\ntitle: T\norganisation: O\nyear: 2021\nsector: []\nsectr: x\nregion: Lombardia\n---\n\nText.\n";
    let parsed = parse(text.as_bytes());
    assert!(parsed.case.is_none());
    assert!(
        parsed.diagnostics.iter().any(Diagnostic::is_error),
        "rejected without an error: {:#?}",
        parsed.diagnostics
    );
}

/// An alias-expansion bomb is stopped by the YAML parser's budget with a clean error (the
/// property tests use smaller bombs to stay fast).
#[test]
fn alias_bomb_is_refused_cleanly() {
    let text = format!("---\n{}\n---\n\nText.\n", billion_laughs(9).join("\n"));
    let parsed = parse(text.as_bytes());
    assert!(parsed.case.is_none());
    assert!(
        parsed.diagnostics.iter().any(|d| d.is_error() && d.message.contains("not valid YAML")),
        "{:?}",
        parsed.diagnostics
    );
}
