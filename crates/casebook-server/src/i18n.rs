//! The two UI languages: negotiation (`?lang=`, then the `lang` cookie, then
//! `Accept-Language`) and every string of the interface. A leaf: nothing of the server.

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

static ITALIAN: Strings = Strings {
    lang: "it",
    site_name: "Casebook",
    tagline: "L'archivio dei casi di innovazione premiati: aziende, startup, cluster ed enti pubblici.",
    skip_to_content: "Vai al contenuto",
    nav_archive: "Archivio",
    nav_search: "Cerca",
    switch_language: "Switch to English",
    other_language_name: "English",
    other_language_code: "en",
    search_label: "Cerca nell'archivio",
    search_placeholder: "Es. telemedicina, intelligenza artificiale, smart city…",
    search_button: "Cerca",
    sectors_heading: "Settori",
    years_heading: "Casi per anno del premio",
    recent_heading: "Casi più recenti",
    browse_all: "Sfoglia tutto l'archivio",
    cases_word: "casi",
    case_word: "caso",
    filters_heading: "Filtri",
    show_filters: "Mostra filtri",
    apply_filters: "Applica filtri",
    facet_sector: "Settore",
    facet_region: "Regione",
    facet_year: "Anno",
    facet_award: "Premio",
    facet_language: "Lingua",
    year_from: "Dal",
    year_to: "Al",
    any_year: "Qualsiasi",
    active_filters: "Filtri attivi",
    remove_filter: "Rimuovi filtro",
    clear_all: "Azzera tutto",
    sort_label: "Ordina per",
    sort_relevance: "Pertinenza",
    sort_year_desc: "Più recenti",
    sort_year_asc: "Meno recenti",
    sort_title: "Titolo",
    no_results: "Nessun caso trovato.",
    no_results_hint: "Prova con meno parole o rimuovi qualche filtro.",
    relaxed_note: "Nessun caso contiene tutte le parole: mostriamo i casi che ne contengono di più.",
    previous: "Precedente",
    next: "Successiva",
    pagination: "Pagine dei risultati",
    page_word: "Pagina",
    export_csv: "Esporta CSV",
    atom_feed: "Feed Atom",
    winner: "Vincitore",
    finalist: "Finalista",
    mention: "Menzione",
    organisation: "Organizzazione",
    award: "Premio",
    event: "Tappa",
    category: "Categoria",
    location: "Sede",
    tags: "Temi",
    partners: "Partner",
    website: "Sito web",
    similar_heading: "Casi simili",
    more_in_sector: "Altri casi nel settore",
    more_in_region: "Altri casi in",
    back_to_search: "Torna alla ricerca",
    not_found_title: "Pagina non trovata",
    error_title: "Errore",
    footer_note: "Casebook · archivio di esempio: organizzazioni e dati inventati, tranne il caso TechForLife.",
    chart_title: "Numero di casi per anno del premio",
    results_word: "risultati",
    result_word: "risultato",
    login: "Accedi",
    logout: "Esci",
    user_name: "Nome utente",
    password: "Password",
    wrong_login: "Nome utente o password non corretti.",
    too_many_attempts: "Troppi tentativi: riprova tra qualche minuto.",
    form_expired: "Il modulo è scaduto o non è valido: ricarica la pagina e riprova.",
    organiser_heading: "Area organizzatori",
    showcases_heading: "Vetrine",
    showcases_intro: "Selezioni di casi curate per le tappe e gli eventi.",
    no_showcases: "Nessuna vetrina pubblicata.",
    your_showcases: "Le tue vetrine",
    new_showcase: "Nuova vetrina",
    create: "Crea",
    title_label: "Titolo",
    event_label: "Evento o tappa",
    date_label: "Data",
    description_label: "Descrizione (markdown)",
    save: "Salva",
    publish: "Pubblica",
    unpublish: "Ritira",
    delete: "Elimina",
    confirm_delete: "Eliminare definitivamente questa vetrina?",
    cancel: "Annulla",
    move_up: "Su",
    move_down: "Giù",
    remove: "Rimuovi",
    note_label: "Nota del curatore",
    status_draft: "Bozza",
    status_published: "Pubblicata",
    gone_from_archive: "non più nell'archivio",
    cases_in_showcase: "Casi",
    empty_showcase: "Nessun caso: aggiungine dai risultati di ricerca o dalle pagine dei casi.",
    add_to_showcase: "Aggiungi alla vetrina",
    api_tokens: "Token API",
    token_name: "Nome del token",
    create_token: "Crea token",
    revoke: "Revoca",
    revoked: "revocato",
    new_token_note: "Il tuo nuovo token (mostrato solo ora):",
    accounts: "Account",
    view_public: "Pagina pubblica",
    edit: "Modifica",
    drag_hint: "Trascina per riordinare, o usa Su/Giù.",
    save_order: "Salva ordine",
};

static ENGLISH: Strings = Strings {
    lang: "en",
    site_name: "Casebook",
    tagline: "The archive of award-winning innovation cases: companies, startups, clusters and public bodies.",
    skip_to_content: "Skip to content",
    nav_archive: "Archive",
    nav_search: "Search",
    switch_language: "Passa all'italiano",
    other_language_name: "Italiano",
    other_language_code: "it",
    search_label: "Search the archive",
    search_placeholder: "E.g. telemedicine, artificial intelligence, smart city…",
    search_button: "Search",
    sectors_heading: "Sectors",
    years_heading: "Cases per award year",
    recent_heading: "Most recent cases",
    browse_all: "Browse the whole archive",
    cases_word: "cases",
    case_word: "case",
    filters_heading: "Filters",
    show_filters: "Show filters",
    apply_filters: "Apply filters",
    facet_sector: "Sector",
    facet_region: "Region",
    facet_year: "Year",
    facet_award: "Award",
    facet_language: "Language",
    year_from: "From",
    year_to: "To",
    any_year: "Any",
    active_filters: "Active filters",
    remove_filter: "Remove filter",
    clear_all: "Clear all",
    sort_label: "Sort by",
    sort_relevance: "Relevance",
    sort_year_desc: "Newest first",
    sort_year_asc: "Oldest first",
    sort_title: "Title",
    no_results: "No cases found.",
    no_results_hint: "Try fewer words or remove a filter.",
    relaxed_note: "No case contains every word: showing the cases that contain most of them.",
    previous: "Previous",
    next: "Next",
    pagination: "Result pages",
    page_word: "Page",
    export_csv: "Export CSV",
    atom_feed: "Atom feed",
    winner: "Winner",
    finalist: "Finalist",
    mention: "Mention",
    organisation: "Organisation",
    award: "Award",
    event: "Stage",
    category: "Category",
    location: "Location",
    tags: "Topics",
    partners: "Partners",
    website: "Website",
    similar_heading: "Similar cases",
    more_in_sector: "More cases in",
    more_in_region: "More cases in",
    back_to_search: "Back to search",
    not_found_title: "Page not found",
    error_title: "Error",
    footer_note: "Casebook · sample archive: organisations and figures are invented, except the TechForLife case.",
    chart_title: "Number of cases per award year",
    results_word: "results",
    result_word: "result",
    login: "Log in",
    logout: "Log out",
    user_name: "User name",
    password: "Password",
    wrong_login: "Wrong user name or password.",
    too_many_attempts: "Too many attempts: try again in a few minutes.",
    form_expired: "The form has expired or is not valid: reload the page and try again.",
    organiser_heading: "Organiser area",
    showcases_heading: "Showcases",
    showcases_intro: "Curated selections of cases for stages and events.",
    no_showcases: "No showcase published yet.",
    your_showcases: "Your showcases",
    new_showcase: "New showcase",
    create: "Create",
    title_label: "Title",
    event_label: "Event or stage",
    date_label: "Date",
    description_label: "Description (markdown)",
    save: "Save",
    publish: "Publish",
    unpublish: "Unpublish",
    delete: "Delete",
    confirm_delete: "Delete this showcase for good?",
    cancel: "Cancel",
    move_up: "Up",
    move_down: "Down",
    remove: "Remove",
    note_label: "Curator note",
    status_draft: "Draft",
    status_published: "Published",
    gone_from_archive: "no longer in the archive",
    cases_in_showcase: "Cases",
    empty_showcase: "No cases yet: add them from search results or case pages.",
    add_to_showcase: "Add to showcase",
    api_tokens: "API tokens",
    token_name: "Token name",
    create_token: "Create token",
    revoke: "Revoke",
    revoked: "revoked",
    new_token_note: "Your new token (shown only now):",
    accounts: "Accounts",
    view_public: "Public page",
    edit: "Edit",
    drag_hint: "Drag to reorder, or use Up/Down.",
    save_order: "Save order",
};

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
