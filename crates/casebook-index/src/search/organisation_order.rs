//! The order of the organisation facet, prepared once per generation: which value ids are
//! spellings of one organisation, and each value's place in the facet's order between equal
//! counts (by shown name, then slug). A search then merges spellings and picks the listed
//! organisations by comparing integers, however many organisations the matches hold.

/// Per value id of the organisation group (keys `slug\0name`, sorted).
#[derive(Debug, Default)]
pub(crate) struct OrganisationOrder {
    /// The number of the value's organisation: spellings of one slug are neighbours in key
    /// order, so they share a number and follow each other.
    slug: Vec<u32>,
    /// The value's rank by (shown name, slug): the shown name is the spelling, or the slug
    /// when the key has none.
    rank: Vec<u32>,
}

impl OrganisationOrder {
    /// The order of the values whose keys are split into `(slug, name)` parts, by id.
    pub(crate) fn new<'a>(parts: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let parts: Vec<(&str, &str)> = parts.collect();
        let mut slug = Vec::with_capacity(parts.len());
        let mut number = 0u32;
        for (id, (value_slug, _)) in parts.iter().enumerate() {
            if id > 0 && parts[id - 1].0 != *value_slug {
                number += 1;
            }
            slug.push(number);
        }
        let shown = |id: usize| {
            let (value_slug, name) = parts[id];
            (if name.is_empty() { value_slug } else { name }, value_slug)
        };
        let mut by_name: Vec<usize> = (0..parts.len()).collect();
        by_name.sort_by(|&a, &b| shown(a).cmp(&shown(b)));
        let mut rank = vec![0; parts.len()];
        for (place, id) in by_name.into_iter().enumerate() {
            rank[id] = place as u32;
        }
        OrganisationOrder { slug, rank }
    }

    /// Whether two value ids are spellings of one organisation.
    pub(crate) fn same_organisation(&self, a: usize, b: usize) -> bool {
        self.slug.get(a) == self.slug.get(b)
    }

    /// The place of a value between organisations of equal counts.
    pub(crate) fn rank(&self, id: usize) -> u32 {
        self.rank.get(id).copied().unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::OrganisationOrder;

    #[test]
    fn spellings_share_an_organisation_and_names_order_the_ties() {
        let keys = [("acme", "ACME"), ("acme", "Acme"), ("beta", ""), ("zeta", "Alfa")];
        let order = OrganisationOrder::new(keys.into_iter());
        assert!(order.same_organisation(0, 1));
        assert!(!order.same_organisation(1, 2));
        // Shown names: "ACME", "Acme", "beta" (the slug), "Alfa".
        let mut ids = [0, 1, 2, 3];
        ids.sort_by_key(|&id| order.rank(id));
        assert_eq!(ids, [0, 1, 3, 2]);
    }
}
