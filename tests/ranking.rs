//! Ranking at every query length (issue 12): stem-level synonyms across languages, long texts
//! ranked by their distinctive words, the 2,000-character bound, hyphenated words, typo
//! corrections that keep the first letter, explanations, and `POST /api/search`.

use axum::http::{Method, StatusCode};
use casebook_index::{MAX_UNITS, MatchMode, Ranking, SearchRequest};

use crate::util::http::TestServer;
use crate::util::{Workspace, fixture_corpus, id_set, ids, query, sample_corpus, search};

/// A case file: title, language and body; an award without the word "innovation", so that
/// the metadata matches nothing of these tests.
fn case(title: &str, language: &str, body: &str) -> String {
    format!(
        "---\ntitle: \"{title}\"\norganisation: \"Test S.r.l.\"\nyear: 2022\nsector: ict\nregion: Lombardia\naward: \"Premio Prova\"\nlanguage: {language}\n---\n\n{body}\n"
    )
}

fn bilingual() -> Workspace {
    let workspace = Workspace::new();
    workspace
        .write("cases/packaging.md", case("Imballaggi compostabili", "it", "Un'innovazione nel packaging alimentare."));
    workspace.write("cases/logistica.md", case("Consegne notturne", "it", "Tre innovazioni per la logistica urbana."));
    workspace
        .write("cases/retail.md", case("Smart shelves", "en", "An innovation in retail: shelves that count stock."));
    workspace.write("cases/farming.md", case("Drones over vineyards", "en", "Innovations in farming with drones."));
    workspace.write("cases/forno.md", case("Un forno a legna", "it", "Un nuovo forno per il pane del quartiere."));
    workspace.write("cases/oven.md", case("A wood oven", "en", "A new oven for the bread of the neighbourhood."));
    workspace
}

#[test]
fn innovazioni_and_innovazione_find_the_same_cases_in_both_languages() {
    let workspace = bilingual();
    let archive = workspace.build();
    let expected = vec!["farming", "logistica", "packaging", "retail"];
    for word in ["innovazioni", "innovazione", "Innovazione", "innovation", "innovations"] {
        assert_eq!(id_set(&search(&archive, query(word))), expected, "{word}");
    }
    // On the bundled corpus too: the same cases in the same order.
    let sample = Workspace::copy_of(&sample_corpus());
    let archive = sample.build();
    let plural = search(&archive, SearchRequest { per_page: 100, ..query("innovazioni") });
    let singular = search(&archive, SearchRequest { per_page: 100, ..query("innovazione") });
    assert!(plural.total > 0);
    assert_eq!(ids(&plural), ids(&singular));
}

/// A case about beehives that shares three rare words with the description, one that shares
/// many of its common words, and six more cases that make those words common.
fn beehives_and_boilerplate() -> Workspace {
    let workspace = Workspace::copy_of(&fixture_corpus());
    workspace.write("cases/alveari.md", case("Sensori negli alveari", "it", "L'apicoltore controlla gli alveari."));
    workspace.write(
        "cases/piattaforma.md",
        case(
            "Una piattaforma per le aziende",
            "it",
            "Il progetto offre alle aziende servizi e dati, e cerca progetti simili.",
        ),
    );
    for n in 0..6 {
        workspace.write(
            &format!("cases/comune-{n}.md"),
            case(
                &format!("Caso {n}"),
                "it",
                &format!("Un progetto che offre servizi, dati e una piattaforma alle aziende; altri simili cercano soci ({n})."),
            ),
        );
    }
    workspace
}

const DESCRIPTION: &str = "Il nostro progetto offre alle aziende agricole una piattaforma di servizi e dati: \
    sensori negli alveari misurano il peso e il suono delle colonie, così l'apicoltore protegge le api \
    e aumenta la resa di miele. Cerchiamo aziende, servizi e progetti simili.";

#[test]
fn a_long_text_is_ranked_by_its_distinctive_words_not_by_how_many_it_shares() {
    let workspace = beehives_and_boilerplate();
    let archive = workspace.build();
    let response = search(&archive, query(DESCRIPTION));
    assert_eq!(response.ranking, Ranking::Bm25);
    assert_eq!(ids(&response)[0], "alveari", "{:?}", ids(&response));
    let boilerplate = response.hits.iter().find(|h| h.case.id == "piattaforma").expect("still a result");
    let beehives = &response.hits[0];
    assert!(
        boilerplate.matched_words > beehives.matched_words,
        "the boilerplate case shares more words ({} against {}) and still ranks below",
        boilerplate.matched_words,
        beehives.matched_words
    );
    // One tier: every case with any of the words is a result, none is said to be relaxed away.
    assert_eq!(response.min_matched_words, 1);
    assert!(response.query_words <= MAX_UNITS);
    assert_eq!(response.matched_all, 0, "no case has every word");
    // Stop words are never counted.
    let explained = search(&archive, SearchRequest { explain: true, ..query(DESCRIPTION) });
    let words: Vec<String> = explained.hits[0].explain.as_ref().unwrap().words.iter().map(|w| w.word.clone()).collect();
    for stop in ["il", "di", "e", "le", "alle", "delle", "negli", "una", "nostro"] {
        assert!(!words.iter().any(|w| w.eq_ignore_ascii_case(stop)), "{stop} counted in {words:?}");
    }
    // A short query keeps the tiers: every word first.
    let short = search(&archive, query("aziende piattaforma alveari"));
    assert_eq!(short.ranking, Ranking::MatchedWords);
    assert!(short.hits.iter().all(|h| h.matched_words <= 3));
    // `match=all` on a long text still requires every word (tiers, not BM25 alone).
    let strict = search(&archive, SearchRequest { match_mode: MatchMode::All, ..query(DESCRIPTION) });
    assert_eq!(strict.ranking, Ranking::MatchedWords);
    assert_eq!(strict.total, 0);
}

#[test]
fn a_long_text_keeps_its_most_distinctive_words_and_reads_2000_characters() {
    let workspace = beehives_and_boilerplate();
    let archive = workspace.build();
    // Sixty distinct words: only MAX_UNITS are searched, the rarest ones; the others are
    // listed as left out when explaining.
    let filler: Vec<String> = (0..60).map(|n| format!("parola{n}")).collect();
    let text = format!("{} apicoltore alveari", filler.join(" "));
    let response = search(&archive, SearchRequest { explain: true, ..query(&text) });
    assert_eq!(response.query_words, MAX_UNITS);
    assert_eq!(ids(&response), vec!["alveari"], "the rare words the archive has are kept");
    let left_out = response.left_out.expect("explained");
    assert_eq!(left_out.len(), 62 - MAX_UNITS);
    assert!(!left_out.iter().any(|w| w == "alveari" || w == "apicoltore"));
    // The first 2,000 characters are read: a word just inside counts, one beyond does not.
    let inside = format!("{}alveari", "zzz ".repeat(498));
    assert_eq!(inside.chars().count(), 1999);
    assert_eq!(ids(&search(&archive, query(&inside))), vec!["alveari"]);
    let beyond = format!("{}alveari", "zzz ".repeat(500));
    assert_eq!(search(&archive, query(&beyond)).total, 0);
}

#[test]
fn hyphenated_words_match_joined_spaced_and_split_forms_and_prefer_the_phrase() {
    let workspace = Workspace::new();
    workspace.write("cases/hyphen.md", case("Shop", "en", "Our e-commerce shop sells cheese."));
    workspace.write("cases/spaced.md", case("Shop", "en", "Our e commerce shop sells cheese."));
    workspace.write("cases/joined.md", case("Shop", "en", "Our ecommerce shop sells cheese."));
    workspace.write("cases/commerce.md", case("Shop", "en", "Fair commerce in the market sells cheese."));
    // As long as each other, with the same words: only the phrase differs.
    workspace.write("cases/shock-phrase.md", case("Alarm", "en", "The shock-sound alarm wakes farms."));
    workspace.write("cases/shock-parts.md", case("Alarm", "en", "The shock, then sound, wakes farms."));
    workspace.write("cases/other.md", case("Bread", "en", "An oven for bread."));
    let archive = workspace.build();
    let found = search(&archive, query("e-commerce"));
    assert_eq!(id_set(&found), vec!["hyphen", "joined", "spaced"], "a word without its parts does not match");
    let shock = search(&archive, query("shock-sound"));
    assert_eq!(ids(&shock), vec!["shock-phrase", "shock-parts"], "both match; the exact phrase first");
}

#[test]
fn typo_corrections_keep_the_first_letter() {
    let workspace = Workspace::new();
    workspace.write("cases/sufficient.md", case("Enough", "en", "The power is sufficiently stable."));
    workspace.write("cases/telemedicine.md", case("Care", "en", "Telemedicine for villages."));
    let archive = workspace.build();
    assert_eq!(search(&archive, query("efficiently")).total, 0, "efficiently is not sufficiently");
    assert_eq!(ids(&search(&archive, query("telemedicne"))), vec!["telemedicine"]);
}

#[test]
fn a_final_full_stop_ends_the_last_word() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let archive = workspace.build();
    // "parc" is completed while typed, not once the sentence ends.
    assert_eq!(ids(&search(&archive, query("parc"))), vec!["smart-parking-torino"]);
    assert_eq!(search(&archive, query("parc .")).total, 0);
}

#[test]
fn explain_gives_each_hit_the_parts_of_its_score() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    let archive = workspace.build();
    let plain = search(&archive, query("telemedicina ospedali"));
    assert!(plain.hits.iter().all(|h| h.explain.is_none()), "only on request");
    let response = search(&archive, SearchRequest { explain: true, ..query("telemedicina ospedali") });
    for hit in &response.hits {
        let explain = hit.explain.as_ref().expect("explained");
        assert_eq!(explain.ranking, Ranking::MatchedWords);
        assert_eq!(explain.matched_words, hit.matched_words, "{}", hit.case.id);
        assert!((explain.bm25 - hit.score).abs() < 0.01, "{}: {} against {}", hit.case.id, explain.bm25, hit.score);
        for word in &explain.words {
            let sum: f32 = word.clauses.iter().map(|c| c.score).sum();
            assert!((sum - word.score).abs() < 0.01, "{word:?}");
            assert_eq!(word.matched, !word.clauses.is_empty());
        }
    }
    let italian = response.hits.iter().find(|h| h.case.id == "telemedicina-lombardia").unwrap();
    let telemedicina = italian.explain.as_ref().unwrap().words.iter().find(|w| w.word == "telemedicina").unwrap();
    assert!(telemedicina.clauses.iter().any(|c| c.field.starts_with("title_it^3")), "{:?}", telemedicina.clauses);
    // A long text: BM25 alone, each word weighted by its occurrences.
    let long = SearchRequest { explain: true, ..query(DESCRIPTION) };
    let response = search(&archive, long);
    assert!(!response.hits.is_empty());
    for hit in &response.hits {
        let explain = hit.explain.as_ref().unwrap();
        assert_eq!(explain.ranking, Ranking::Bm25);
        assert!((explain.bm25 - hit.score).abs() < 0.01 * hit.score.max(1.0), "{} {}", explain.bm25, hit.score);
        let coverage = explain.coverage.unwrap();
        assert!((0.0..=1.0).contains(&coverage));
    }
}

#[test]
fn similar_cases_are_not_found_through_stop_words() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    // A stop word that is not in most cases ("whom") is repeated in the case and in a case
    // about something else; a real word ("greenhouse") is shared with one other case.
    workspace.write("cases/greenhouse.md", case("Greenhouse", "en", "Whom? Whom! Whom, whom, whom: greenhouse."));
    workspace.write("cases/greenhouse-too.md", case("Tomatoes", "en", "A greenhouse for tomatoes."));
    workspace.write(
        "cases/whom.md",
        case("Letters", "en", "Whom to write to, whom to thank, whom to invite, and whom to call."),
    );
    let archive = workspace.build();
    let similar = archive.similar("greenhouse", 5, casebook_corpus::Language::En).unwrap().unwrap();
    let ids: Vec<&str> = similar.iter().map(|h| h.case.id.as_str()).collect();
    assert_eq!(ids[0], "greenhouse-too", "{ids:?}");
    let shared = |id: &str| similar.iter().position(|h| h.case.id == id);
    assert!(shared("whom").is_none_or(|rank| rank > 0), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn post_api_search_takes_a_json_body_and_answers_as_get_does() {
    let workspace = Workspace::copy_of(&fixture_corpus());
    assert!(workspace.run(&["index"]).status.success());
    let server = TestServer::start(&workspace).await;
    let json = [("content-type", "application/json")];
    let get = server.get("/api/search?q=telemedicina&sector=health&explain=true").await;
    let post = server
        .send(Method::POST, "/api/search", &json, r#"{"q":"telemedicina","sector":["health"],"explain":true}"#.into())
        .await;
    assert_eq!(post.status, StatusCode::OK, "{}", post.body);
    let (mut get, mut post) = (get.json(), post.json());
    get["took_ms"] = 0.into();
    post["took_ms"] = 0.into();
    assert_eq!(get, post);
    assert!(post["hits"][0]["explain"]["words"].is_array());
    // A pasted description, too long for comfort in a URL, goes in the body.
    let body = serde_json::json!({ "q": DESCRIPTION.repeat(4), "lang": "it" }).to_string();
    let long = server.send(Method::POST, "/api/search", &json, body).await;
    assert_eq!(long.status, StatusCode::OK);
    assert_eq!(long.json()["ranking"], "bm25");
    // Errors: a body that is not a search request, and an invalid value.
    let bad = server.send(Method::POST, "/api/search", &json, r#"{"q": 3}"#.into()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["code"], "invalid_body");
    let unknown = server.send(Method::POST, "/api/search", &json, r#"{"query": "x"}"#.into()).await;
    assert_eq!(unknown.json()["error"]["code"], "invalid_body", "unknown fields are refused");
    let range = server.send(Method::POST, "/api/search", &json, r#"{"per_page": 1000}"#.into()).await;
    assert_eq!(range.status, StatusCode::BAD_REQUEST);
    assert_eq!(range.json()["error"]["code"], "invalid_parameter");
    let explain = server.get("/api/search?q=x&explain=maybe").await;
    assert_eq!(explain.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_page_says_a_long_text_was_ranked_by_its_words() {
    let workspace = beehives_and_boilerplate();
    assert!(workspace.run(&["index"]).status.success());
    let server = TestServer::start(&workspace).await;
    let encoded: String = url::form_urlencoded::byte_serialize(format!("{DESCRIPTION}\n\nGrazie").as_bytes()).collect();
    let page = server.get(&format!("/search?q={encoded}&lang=en")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("searched by its most distinctive words"), "{}", page.body);
    assert!(!page.body.contains("No case contains every word"));
    assert!(page.body.contains("Sensori negli alveari"));
    // The text is put back in the search box on one line (a browser would drop the line
    // breaks and join the words around them).
    assert!(page.body.contains("simili. Grazie"), "{}", page.body);
    let home = server.get("/?lang=en").await;
    assert!(home.body.contains("Find cases like my project"));
    assert!(home.body.contains(r#"<textarea id="like-text" name="q""#));
}
