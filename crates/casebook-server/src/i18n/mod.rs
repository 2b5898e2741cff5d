//! The two UI languages: negotiation (`?lang=`, then the `lang` cookie, then
//! `Accept-Language`) and every string of the interface ([`Strings`], filled in `it.rs` and
//! `en.rs`). A leaf: nothing of the server.

mod en;
mod intake;
mod it;

use en::ENGLISH;
pub use intake::IntakeStrings;
use it::ITALIAN;

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

/// A UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Italiano.
    It,
    /// English.
    En,
}

impl Lang {
    /// The code (`it`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::It => "it",
            Lang::En => "en",
        }
    }

    fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().get(..2) {
            Some("it") => Some(Lang::It),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The same language as the archive names it, for labels.
    pub fn language(self) -> casebook_corpus::Language {
        match self {
            Lang::It => casebook_corpus::Language::It,
            Lang::En => casebook_corpus::Language::En,
        }
    }

    /// The strings of the language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::It => &ITALIAN,
            Lang::En => &ENGLISH,
        }
    }

    /// The strings of the intake pages (calls, submissions, review) in the language.
    pub fn intake(self) -> &'static IntakeStrings {
        match self {
            Lang::It => &intake::ITALIAN,
            Lang::En => &intake::ENGLISH,
        }
    }
}

/// Name of the cookie that remembers an explicit choice.
pub const COOKIE_NAME: &str = "lang";

/// The language of a request, and whether it was chosen explicitly with `?lang=` (then the
/// response sets the cookie).
pub fn negotiate(headers: &HeaderMap, query_lang: Option<&str>) -> (Lang, bool) {
    if let Some(lang) = query_lang.and_then(Lang::parse) {
        return (lang, true);
    }
    let cookie = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| Lang::parse(value));
    if let Some(lang) = cookie {
        return (lang, false);
    }
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',').take(16) {
        let mut pieces = part.split(';');
        let Some(lang) = pieces.next().and_then(Lang::parse) else { continue };
        let quality =
            pieces.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        if best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    (best.map_or(Lang::It, |(_, lang)| lang), false)
}

/// Every string of the interface.
#[derive(Debug)]
pub struct Strings {
    pub lang: &'static str,
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_archive: &'static str,
    pub nav_search: &'static str,
    pub switch_language: &'static str,
    pub other_language_name: &'static str,
    pub other_language_code: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub sectors_heading: &'static str,
    pub years_heading: &'static str,
    pub recent_heading: &'static str,
    pub browse_all: &'static str,
    pub cases_word: &'static str,
    pub case_word: &'static str,
    pub filters_heading: &'static str,
    pub show_filters: &'static str,
    pub apply_filters: &'static str,
    pub facet_sector: &'static str,
    pub facet_region: &'static str,
    pub facet_year: &'static str,
    pub facet_award: &'static str,
    pub facet_language: &'static str,
    pub year_from: &'static str,
    pub year_to: &'static str,
    pub any_year: &'static str,
    pub active_filters: &'static str,
    pub remove_filter: &'static str,
    pub clear_all: &'static str,
    pub sort_label: &'static str,
    pub sort_relevance: &'static str,
    pub sort_year_desc: &'static str,
    pub sort_year_asc: &'static str,
    pub sort_title: &'static str,
    pub no_results: &'static str,
    pub no_results_hint: &'static str,
    pub relaxed_note: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub pagination: &'static str,
    pub page_word: &'static str,
    pub export_csv: &'static str,
    pub atom_feed: &'static str,
    pub winner: &'static str,
    pub finalist: &'static str,
    pub mention: &'static str,
    pub organisation: &'static str,
    pub award: &'static str,
    pub event: &'static str,
    pub category: &'static str,
    pub location: &'static str,
    pub tags: &'static str,
    pub partners: &'static str,
    pub website: &'static str,
    pub similar_heading: &'static str,
    pub more_in_sector: &'static str,
    pub more_in_region: &'static str,
    pub back_to_search: &'static str,
    pub not_found_title: &'static str,
    pub error_title: &'static str,
    pub footer_note: &'static str,
    pub chart_title: &'static str,
    pub results_word: &'static str,
    pub result_word: &'static str,
    pub login: &'static str,
    pub logout: &'static str,
    pub user_name: &'static str,
    pub password: &'static str,
    pub wrong_login: &'static str,
    pub too_many_attempts: &'static str,
    pub form_expired: &'static str,
    pub organiser_heading: &'static str,
    pub showcases_heading: &'static str,
    pub showcases_intro: &'static str,
    pub no_showcases: &'static str,
    pub your_showcases: &'static str,
    pub new_showcase: &'static str,
    pub create: &'static str,
    pub title_label: &'static str,
    pub event_label: &'static str,
    pub date_label: &'static str,
    pub description_label: &'static str,
    pub save: &'static str,
    pub publish: &'static str,
    pub unpublish: &'static str,
    pub delete: &'static str,
    pub confirm_delete: &'static str,
    pub cancel: &'static str,
    pub move_up: &'static str,
    pub move_down: &'static str,
    pub remove: &'static str,
    pub note_label: &'static str,
    pub status_draft: &'static str,
    pub status_published: &'static str,
    pub gone_from_archive: &'static str,
    pub cases_in_showcase: &'static str,
    pub empty_showcase: &'static str,
    pub add_to_showcase: &'static str,
    pub api_tokens: &'static str,
    pub token_name: &'static str,
    pub create_token: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub new_token_note: &'static str,
    pub accounts: &'static str,
    pub view_public: &'static str,
    pub edit: &'static str,
    pub drag_hint: &'static str,
    pub save_order: &'static str,
    pub nav_organisations: &'static str,
    pub organisations_intro: &'static str,
    pub organisations_search_label: &'static str,
    pub organisations_none: &'static str,
    pub organisations_capped: &'static str,
    pub also_written: &'static str,
    pub timeline_heading: &'static str,
    pub outcomes_heading: &'static str,
    pub regions_heading: &'static str,
    pub search_its_cases: &'static str,
    pub figures_heading: &'static str,
    pub related_heading: &'static str,
    pub more_from_organisation: &'static str,
    pub all_its_cases: &'static str,
    pub facet_organisation: &'static str,
    pub map_heading: &'static str,
    pub map_title: &'static str,
    pub map_abroad: &'static str,
    pub map_credit: &'static str,
    pub insights_heading: &'static str,
    pub insights_intro: &'static str,
    pub insights_off: &'static str,
    pub searches_per_day: &'static str,
    pub top_queries: &'static str,
    pub zero_result_queries: &'static str,
    pub top_filters: &'static str,
    pub most_viewed_cases: &'static str,
    pub most_viewed_showcases: &'static str,
    pub searches_word: &'static str,
    pub views_word: &'static str,
    pub dropped_events: &'static str,
    pub period_label: &'static str,
    pub days_word: &'static str,
    pub download_csv: &'static str,
    pub nothing_yet: &'static str,
    pub query_label: &'static str,
    pub filters_label: &'static str,
    pub no_filter: &'static str,
    pub empty_query: &'static str,
    pub show_button: &'static str,
    pub nav_calls: &'static str,
    pub nav_review: &'static str,
    // "Find cases like my project" (issue 12).
    pub like_heading: &'static str,
    pub like_intro: &'static str,
    pub like_label: &'static str,
    pub like_placeholder: &'static str,
    pub like_button: &'static str,
    pub long_text_note: &'static str,
}

impl Strings {
    /// "12 cases" / "1 case".
    pub fn count_cases(&self, n: u64) -> String {
        format!("{n} {}", if n == 1 { self.case_word } else { self.cases_word })
    }

    /// "12 results" / "1 result".
    pub fn count_results(&self, n: u64) -> String {
        format!("{n} {}", if n == 1 { self.result_word } else { self.results_word })
    }

    /// Label of an outcome value.
    pub fn outcome(&self, outcome: &str) -> &'static str {
        match outcome {
            "winner" => self.winner,
            "finalist" => self.finalist,
            "mention" => self.mention,
            _ => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn query_beats_cookie_beats_accept_language() {
        let h = headers(&[("cookie", "a=b; lang=en"), ("accept-language", "it-IT,it;q=0.9")]);
        assert_eq!(negotiate(&h, Some("it")), (Lang::It, true));
        assert_eq!(negotiate(&h, None), (Lang::En, false));
        let h = headers(&[("accept-language", "de-DE,en;q=0.8,it;q=0.5")]);
        assert_eq!(negotiate(&h, None), (Lang::En, false));
        assert_eq!(negotiate(&HeaderMap::new(), Some("fr")), (Lang::It, false));
    }
}
