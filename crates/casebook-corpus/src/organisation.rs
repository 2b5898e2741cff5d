//! Who an organisation is, across awards and years: its identity is its name normalised
//! (case and accents folded, punctuation ignored, trailing legal forms such as S.r.l., SpA,
//! GmbH or Soc. Coop. dropped), unless the case gives an explicit `organisation_id` that
//! merges spelling variants ("Cluster TechForLife", "TechForLife"). The slug of that identity
//! names the organisation in URLs (`/organisations/{slug}`) and in the search filter.

use crate::text::{is_valid_slug, lookup_key, slugify};

/// Legal forms dropped from the end of a name, as lookup-key words (`"S.r.l."` is `s r l`).
/// Longer forms come first so that `soc coop a r l` is dropped whole.
const LEGAL_FORMS: &[&str] = &[
    "societa cooperativa a responsabilita limitata",
    "societa a responsabilita limitata semplificata",
    "societa a responsabilita limitata",
    "societa per azioni",
    "societa cooperativa sociale",
    "societa cooperativa",
    "cooperativa sociale",
    "soc coop a r l",
    "soc coop arl",
    "soc coop",
    "s c a r l",
    "scarl",
    "s r l s",
    "srls",
    "s r l",
    "srl",
    "s p a",
    "spa",
    "s a s",
    "sas",
    "s n c",
    "snc",
    "s s",
    "a r l",
    "impresa sociale",
    "onlus",
    "gmbh",
    "ag",
    "ltd",
    "limited",
    "plc",
    "llc",
    "inc",
    "b v",
    "bv",
    "n v",
    "nv",
    "s l",
    "sl",
    "s a",
    "sa",
];

/// The identity key of an organisation name: its lookup key without trailing legal forms
/// (`"CuoreConnesso S.r.l."` -> `"cuoreconnesso"`). A name that is nothing but a legal form
/// keeps its whole key.
pub fn organisation_key(name: &str) -> String {
    let full = lookup_key(name);
    let mut key = full.as_str();
    'strip: loop {
        for form in LEGAL_FORMS {
            if let Some(rest) = key.strip_suffix(form)
                && let Some(rest) = rest.strip_suffix(' ')
                && !rest.is_empty()
            {
                key = rest;
                continue 'strip;
            }
        }
        break;
    }
    key.to_string()
}

/// The slug of an organisation: its `organisation_id` when the case gives one, otherwise
/// the slug of its name's identity key (`"Saldami S.p.A."` -> `saldami`). A name with no
/// Latin letters or digits gets a stable slug from a hash of its key.
pub fn organisation_slug(name: &str, organisation_id: Option<&str>) -> String {
    if let Some(id) = organisation_id.filter(|id| is_valid_slug(id)) {
        return id.to_string();
    }
    let slug = slugify(&organisation_key(name));
    if slug.is_empty() {
        format!("org-{:012x}", xxhash_rust::xxh3::xxh3_64(lookup_key(name).as_bytes()) & 0xffff_ffff_ffff)
    } else {
        slug.chars().take(80).collect::<String>().trim_end_matches('-').to_string()
    }
}

/// The slugs a filter value may mean: the value itself (a slug, or an `organisation_id`)
/// and the slug of the value read as a name (`"Saldami S.r.l."`, `saldami-srl` -> `saldami`).
pub fn organisation_filter_slugs(value: &str) -> Vec<String> {
    let mut slugs = Vec::with_capacity(2);
    let trimmed = value.trim();
    if is_valid_slug(trimmed) {
        slugs.push(trimmed.to_string());
    }
    let named = organisation_slug(trimmed, None);
    if !slugs.contains(&named) {
        slugs.push(named);
    }
    slugs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_case_and_accents_are_ignored() {
        for name in ["Saldami S.r.l.", "SALDAMI SRL", "Saldami Srl", "saldami s.p.a.", "Saldami SpA", "Saldàmi"] {
            assert_eq!(organisation_key(name), "saldami", "{name}");
            assert_eq!(organisation_slug(name, None), "saldami", "{name}");
        }
        assert_eq!(organisation_key("Caseificio Sos Pastores Soc. Coop."), "caseificio sos pastores");
        assert_eq!(organisation_key("Holzbau Rienz GmbH"), "holzbau rienz");
        assert_eq!(organisation_key("Kempenlink Data B.V."), "kempenlink data");
        assert_eq!(organisation_key("Sole Condiviso Soc. Coop. a r.l."), "sole condiviso");
        assert_eq!(organisation_key("AlpenWärme Regeltechnik GmbH"), "alpenwarme regeltechnik");
        assert_eq!(organisation_key("Cluster TechForLife"), "cluster techforlife");
    }

    #[test]
    fn a_legal_form_inside_a_name_or_alone_is_kept() {
        assert_eq!(organisation_key("Spa Termale Salsomaggiore"), "spa termale salsomaggiore");
        assert_eq!(organisation_key("S.r.l."), "s r l");
        assert_eq!(organisation_key("Casa"), "casa");
    }

    #[test]
    fn an_explicit_id_merges_variants() {
        assert_eq!(organisation_slug("TechForLife", Some("cluster-techforlife")), "cluster-techforlife");
        assert_eq!(organisation_slug("Cluster TechForLife", None), "cluster-techforlife");
        assert_eq!(organisation_slug("Ωμέγα", None).len(), 16);
        assert_eq!(organisation_filter_slugs("saldami-srl"), ["saldami-srl", "saldami"]);
        assert_eq!(organisation_filter_slugs("Saldami S.r.l."), ["saldami"]);
    }
}
