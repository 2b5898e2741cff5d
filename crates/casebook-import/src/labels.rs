//! Labels of "label: value" facts on Italian and English pages (definition lists, two-column
//! tables, "Settore: Sanità" lines), mapped to case fields.

use casebook_corpus::text::lookup_key;

/// The field a label names, if any.
pub fn field_of(label: &str) -> Option<&'static str> {
    let key = lookup_key(label.trim().trim_end_matches(':'));
    let field = match key.as_str() {
        "titolo" | "title" | "progetto" | "project" | "nome del progetto" | "project name" => "title",
        "azienda" | "company" | "organizzazione" | "organization" | "organisation" | "ente" | "impresa" | "startup"
        | "cluster" | "soggetto" | "societa" | "proponente" | "applicant" => "organisation",
        "settore" | "sector" | "settori" | "sectors" | "ambito" | "industry" | "area" => "sector",
        "regione" | "region" => "region",
        "citta" | "city" | "sede" | "comune" | "localita" | "location" | "headquarters" => "city",
        "paese" | "nazione" | "country" | "stato" => "country",
        "anno" | "year" | "edizione" | "edition" | "data" | "date" | "anno del premio" | "award year" => "year",
        "premio" | "award" | "riconoscimento" => "award",
        "evento" | "event" | "tappa" | "stage" | "roadshow" => "event",
        "categoria" | "category" | "categoria del premio" | "award category" => "category",
        "esito" | "outcome" | "posizione" | "placement" => "outcome",
        "tag" | "tags" | "parole chiave" | "keywords" | "tecnologie" | "technologies" | "temi" | "topics" => "tags",
        "sito" | "sito web" | "website" | "web" | "url" => "website",
        "partner" | "partners" | "partner di progetto" | "project partners" => "partners",
        _ => return None,
    };
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_and_english_labels() {
        assert_eq!(field_of("Settore:"), Some("sector"));
        assert_eq!(field_of("REGIONE"), Some("region"));
        assert_eq!(field_of("Città"), Some("city"));
        assert_eq!(field_of("Company"), Some("organisation"));
        assert_eq!(field_of("La sfida"), None);
    }
}
