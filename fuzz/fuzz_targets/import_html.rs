//! Fuzzes the HTML-to-case conversion: any bytes are decoded (BOM, header charset, `<meta>`
//! charset, UTF-8 or windows-1252), extracted and normalised without a panic, and the case
//! text renders to HTML. No network, no file is written.

#![no_main]

use std::sync::OnceLock;

use casebook_corpus::Vocabulary;
use casebook_import::{extract, fetch, normalize};
use libfuzzer_sys::fuzz_target;

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(Vocabulary::builtin)
}

fn page_url() -> &'static url::Url {
    static URL: OnceLock<url::Url> = OnceLock::new();
    URL.get_or_init(|| url::Url::parse("https://archive.example/cases/2021/page.html").expect("a valid URL"))
}

fuzz_target!(|data: &[u8]| {
    // The first byte chooses the page URL and a declared charset, as a server would send.
    let Some((&choice, bytes)) = data.split_first() else { return };
    let charset = match choice % 4 {
        0 => None,
        1 => Some("utf-8"),
        2 => Some("windows-1252"),
        _ => Some("utf-16le"),
    };
    let Ok(html) = fetch::decode(bytes, charset) else { return };
    let url = (choice & 0x80 != 0).then(page_url);
    let draft = extract::extract(&html, url, None);
    let _ = casebook_corpus::markdown::to_html(&draft.body);
    if let Ok(case) = normalize::normalize(&draft, vocabulary(), 2027) {
        assert!(!case.title.is_empty());
    }
});
