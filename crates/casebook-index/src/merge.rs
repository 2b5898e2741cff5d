//! Which segments a build merges, and running those merges: the one merge policy of full and
//! incremental builds alike.
//!
//! A merge reads its input segments through memory maps, which count in the process's
//! resident memory, and takes time in proportion to its input. So every build merges in
//! steps of at most [`MERGE_INPUT_BYTES`] of input (smallest segments first), and a segment
//! above that bound is never taken into a merge: neither the memory nor the time of a build
//! grows with the archive.
//!
//! Why not tantivy's default (`LogMergePolicy`): it groups segments by document count in
//! logarithmic levels and merges a level once it holds 8 segments, whatever their size. A
//! full build at 1M cases leaves 9 segments of 288-431 MiB (77k-117k documents: one level);
//! the first incremental build after it merged them all into one 3.6 GiB segment, which
//! peaked at 5.0 GB of RSS and took 45 s to change 1% of the files. With this policy the
//! same update takes 18 s and peaks at 1.6 GB (`docs/performance.md`). Tantivy merges on its
//! own thread as segments appear, so it runs with `NoMergePolicy` and the build merges after
//! its commit, as planned by [`plan_merges`].
//!
//! Greedy groups rewrite more than a tiered policy would: an update folds its new segments
//! into the smallest old one, up to the bound, even for one changed case (at 1M cases that
//! rewrote a 321 MiB segment and took 10.6 s, against 8.8 s for an unchanged corpus). A
//! tiered rule (never add a segment much larger than the group gathered so far) rewrites
//! less but leaves more segments, and every query pays per segment; an update's merge is
//! bounded by the budget either way.
//!
//! The segment count stays bounded as updates accumulate: once no two mergeable segments fit
//! in one merge, every segment but the smallest is above half the bound, so an archive of
//! `B` bytes has at most `2B / MERGE_INPUT_BYTES + 1` segments under the bound (plus those
//! above it, which only a full build writes). New small segments are folded into the
//! smallest existing ones until those reach the bound.
//!
//! Deleted documents (changed or removed cases) stay in their segment until it is merged.
//! A segment within the bound whose share of deleted documents reaches
//! [`RECLAIM_DELETED_SHARE`] is rewritten even when nothing else fits beside it (a merge of
//! one segment drops its deleted documents). Below that share the space is not worth the
//! rewrite; a segment above the bound keeps its deleted documents until `casebook index
//! --full`, as rewriting it would cost the memory this policy bounds.

use std::fs;

use tantivy::index::SegmentId;

use crate::error::IndexError;

/// Most bytes of segments merged at once. This bound keeps a million-case build under 2 GB,
/// at the cost of a few segments instead of one (a 100k-case index, ~400 MB, stays one
/// segment after a full build).
pub(crate) const MERGE_INPUT_BYTES: u64 = 512 * 1024 * 1024;

/// Share of deleted documents at which a segment is rewritten to reclaim them, alone if
/// nothing else fits in the same merge.
pub(crate) const RECLAIM_DELETED_SHARE: f64 = 0.2;

/// What the merge planner knows of a segment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SegmentSize<Id> {
    pub id: Id,
    /// Bytes of its files on disk.
    pub bytes: u64,
    /// Documents in it, deleted ones included.
    pub max_doc: u32,
    /// Deleted documents in it.
    pub deleted: u32,
}

impl<Id> SegmentSize<Id> {
    fn deleted_share(&self) -> f64 {
        if self.max_doc == 0 { 0.0 } else { f64::from(self.deleted) / f64::from(self.max_doc) }
    }
}

/// The merges to run next, each a group of segments of at most `budget` bytes in all: the
/// segments within the budget, smallest first, in greedy groups; a group of one is kept only
/// if its segment has a large share of deleted documents. Segments above the budget are left
/// alone. Equal sizes keep the order of `segments`.
pub(crate) fn plan_merges<Id: Copy>(segments: &[SegmentSize<Id>], budget: u64) -> Vec<Vec<Id>> {
    let mut mergeable: Vec<&SegmentSize<Id>> = segments.iter().filter(|s| s.bytes <= budget).collect();
    mergeable.sort_by_key(|s| s.bytes);
    let mut groups: Vec<Vec<&SegmentSize<Id>>> = Vec::new();
    let mut group: Vec<&SegmentSize<Id>> = Vec::new();
    let mut group_bytes = 0;
    for segment in mergeable {
        if group_bytes + segment.bytes > budget && !group.is_empty() {
            groups.push(std::mem::take(&mut group));
            group_bytes = 0;
        }
        group.push(segment);
        group_bytes += segment.bytes;
    }
    groups.push(group);
    groups
        .into_iter()
        .filter(|group| match group.as_slice() {
            [] => false,
            [one] => one.deleted_share() >= RECLAIM_DELETED_SHARE,
            _ => true,
        })
        .map(|group| group.iter().map(|s| s.id).collect())
        .collect()
}

/// Runs the planned merges, one at a time, until the plan is empty.
pub(crate) fn merge_in_steps(
    writer: &mut tantivy::IndexWriter,
    index: &tantivy::Index,
    folder: &std::path::Path,
    budget: u64,
) -> Result<(), IndexError> {
    // Each round empties the plan it made or shrinks the segment count: this bound is only
    // a guard against a loop nobody expects.
    for _ in 0..MAX_ROUNDS {
        let groups = plan_merges(&segment_sizes(index, folder)?, budget);
        if groups.is_empty() {
            return Ok(());
        }
        for group in groups {
            tracing::debug!(segments = group.len(), "merging");
            writer.merge(&group).wait()?;
        }
    }
    Ok(())
}

const MAX_ROUNDS: usize = 64;

/// The committed segments of the index in `folder`, with the bytes of their files (named
/// after the segment: `<uuid>.idx`, `<uuid>.store`, `<uuid>.<opstamp>.del`, ...).
fn segment_sizes(index: &tantivy::Index, folder: &std::path::Path) -> Result<Vec<SegmentSize<SegmentId>>, IndexError> {
    let mut files: Vec<(String, u64)> = Vec::new();
    for entry in fs::read_dir(folder).map_err(|e| IndexError::io(folder, e))? {
        let entry = entry.map_err(|e| IndexError::io(folder, e))?;
        let bytes = entry.metadata().map_err(|e| IndexError::io(entry.path(), e))?.len();
        files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
    }
    Ok(index
        .searchable_segment_metas()?
        .into_iter()
        .map(|meta| {
            let prefix = meta.id().uuid_string();
            let bytes = files.iter().filter(|(name, _)| name.starts_with(&prefix)).map(|(_, bytes)| bytes).sum();
            SegmentSize { id: meta.id(), bytes, max_doc: meta.max_doc(), deleted: meta.num_deleted_docs() }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    fn segment(id: &'static str, mib: u64) -> SegmentSize<&'static str> {
        SegmentSize { id, bytes: mib * MIB, max_doc: 1000, deleted: 0 }
    }

    fn with_deleted(segment: SegmentSize<&'static str>, deleted: u32) -> SegmentSize<&'static str> {
        SegmentSize { deleted, ..segment }
    }

    fn plan(segments: &[SegmentSize<&'static str>]) -> Vec<Vec<&'static str>> {
        plan_merges(segments, 512 * MIB)
    }

    #[test]
    fn the_smallest_segments_are_merged_in_groups_within_the_budget() {
        let segments = [segment("a", 100), segment("b", 10), segment("c", 300), segment("d", 250), segment("e", 20)];
        // 10 + 20 + 100 + 250 = 380; adding 300 would pass 512.
        assert_eq!(plan(&segments), vec![vec!["b", "e", "a", "d"]]);
    }

    #[test]
    fn a_full_build_merges_its_flushed_segments_in_several_groups() {
        let segments: Vec<_> = ["a", "b", "c", "d", "e", "f", "g"].into_iter().map(|id| segment(id, 120)).collect();
        // Four of 120 MiB fit (480); the other three make a second group.
        assert_eq!(plan(&segments), vec![vec!["a", "b", "c", "d"], vec!["e", "f", "g"]]);
    }

    #[test]
    fn segments_that_no_longer_fit_together_are_left_alone() {
        // What a 1M-case full build leaves: every pair is above the budget.
        let segments = [segment("a", 300), segment("b", 480), segment("c", 510), segment("d", 400)];
        assert_eq!(plan(&segments), Vec::<Vec<&str>>::new());
    }

    #[test]
    fn an_update_folds_its_new_segments_into_the_smallest_old_one() {
        let segments = [
            segment("old1", 480),
            segment("old2", 300),
            segment("old3", 500),
            segment("new1", 20),
            segment("new2", 22),
        ];
        assert_eq!(plan(&segments), vec![vec!["new1", "new2", "old2"]]);
    }

    #[test]
    fn once_the_old_segments_are_full_new_segments_merge_among_themselves() {
        let segments = [segment("old1", 490), segment("old2", 500), segment("new1", 20), segment("new2", 22)];
        assert_eq!(plan(&segments), vec![vec!["new1", "new2"]]);
    }

    #[test]
    fn a_segment_above_the_budget_is_never_merged_even_with_many_deletes() {
        let segments = [with_deleted(segment("huge", 3800), 900), segment("new1", 20), segment("new2", 22)];
        assert_eq!(plan(&segments), vec![vec!["new1", "new2"]]);
    }

    #[test]
    fn a_segment_with_a_fifth_of_its_documents_deleted_is_rewritten_alone() {
        let segments = [
            with_deleted(segment("a", 400), 200),
            with_deleted(segment("b", 450), 199),
            with_deleted(segment("c", 500), 1000),
        ];
        // a: 20% deleted; b: 19.9%, kept; c: all deleted (the merge drops the segment).
        assert_eq!(plan(&segments), vec![vec!["a"], vec!["c"]]);
    }

    #[test]
    fn a_group_of_several_segments_is_merged_whatever_their_deletes() {
        let segments = [with_deleted(segment("a", 100), 10), segment("b", 200), with_deleted(segment("c", 500), 200)];
        // c (20%) does not fit beside a and b: it is rewritten alone.
        assert_eq!(plan(&segments), vec![vec!["a", "b"], vec!["c"]]);
    }

    #[test]
    fn a_segment_of_exactly_the_budget_can_be_merged_but_not_beside_another() {
        let segments = [with_deleted(segment("a", 512), 500), segment("b", 1)];
        assert_eq!(plan(&segments), vec![vec!["a"]]);
    }

    #[test]
    fn nothing_to_merge_in_an_empty_or_single_segment_index() {
        assert_eq!(plan(&[]), Vec::<Vec<&str>>::new());
        assert_eq!(plan(&[segment("a", 10)]), Vec::<Vec<&str>>::new());
        let empty = SegmentSize { id: "e", bytes: 0, max_doc: 0, deleted: 0 };
        assert_eq!(plan(&[empty]), Vec::<Vec<&str>>::new());
    }
}
