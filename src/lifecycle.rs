//! A secret's life in history, computed from its trail: the blobs that hold
//! it and the changes around them. A history scan builds one trail per
//! finding from the whole plan; a shard builds it from the blobs of its
//! shard, and `keyward merge` joins the shards' trails and computes the
//! lifecycle here too, so a merged report and an unsharded one agree.

pub use crate::finding::Trail;
use crate::finding::{CommitInfo, Lifecycle};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A commit a history report refers to.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitFacts {
    /// Position in the walk (topological order, parents first).
    pub order: u32,
    pub info: CommitInfo,
    /// The refs (indices into [`CommitTable::refs`]) whose history holds it.
    pub refs: Vec<u32>,
}

/// The commits and refs the trails of a history report name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CommitTable {
    /// Identity of the walked history (its commit count and every ref's
    /// tip): shards of one scan must agree on it.
    pub history: String,
    /// Refs the walk started from (full names, sorted).
    pub refs: Vec<String>,
    pub commits: BTreeMap<String, CommitFacts>,
    /// Shard reports: the trails (by finding id) of secrets this shard
    /// holds only at suppressed or rejected places (an inline allow marker),
    /// so with no finding of its own. Another shard's finding of the same
    /// secret takes its blobs and removals over at merge, as an unsharded
    /// scan's trail holds every blob the secret is found in.
    pub suppressed_trails: BTreeMap<String, Trail>,
    /// Shard reports of a scan that judges stale baseline entries (of every
    /// ref): the positions, in the baseline file, of the entries of the
    /// judged scope this shard did not use. Merge calls stale the entries no
    /// shard used. `None` when the scan judges none.
    pub baseline_unused: Option<Vec<usize>>,
    /// Shard reports: the position in the baseline file of each entry of
    /// `summary.baseline_expired` (merge lists every shard's in file order).
    pub baseline_expired_at: Vec<usize>,
}

impl CommitTable {
    /// The walk position of commit `id`.
    pub fn order(&self, id: &str) -> Option<u32> {
        self.commits.get(id).map(|c| c.order)
    }

    /// Joins another shard's table (the same history: the same refs and
    /// walk order).
    pub fn join(&mut self, other: CommitTable) {
        for (k, v) in other.commits {
            self.commits.entry(k).or_insert(v);
        }
    }
}

/// The lifecycle of a secret from its trail: `None` when none of its
/// commits is in `table`.
pub fn lifecycle(trail: &Trail, table: &CommitTable) -> Option<Lifecycle> {
    let holds: HashSet<&str> = trail.blobs.iter().map(String::as_str).collect();
    let first = trail
        .commits
        .iter()
        .filter_map(|c| table.commits.get(c))
        .min_by_key(|c| c.order)?;
    // introducing commits: where the path's previous version lacked it
    let intro: BTreeSet<u32> = trail
        .intros
        .iter()
        .filter(|(_, _, parent)| parent.as_deref().is_none_or(|p| !holds.contains(p)))
        .filter_map(|(c, _, _)| table.order(c))
        .collect();
    let last_removal = trail
        .removals
        .iter()
        .filter(|(_, new)| new.as_deref().is_none_or(|n| !holds.contains(n)))
        .filter_map(|(c, _)| table.commits.get(c.as_str()))
        .max_by_key(|c| c.order);
    let by_order: BTreeMap<u32, &CommitFacts> =
        table.commits.values().map(|c| (c.order, c)).collect();
    let mut reaching: BTreeSet<u32> = BTreeSet::new();
    for o in &intro {
        if let Some(c) = by_order.get(o) {
            reaching.extend(c.refs.iter().copied());
        }
    }
    let still = trail.in_head;
    let past: BTreeSet<u32> = last_removal
        .map(|c| c.refs.iter().copied().collect())
        .unwrap_or_default();
    Some(Lifecycle {
        first_introduced: first.info.clone(),
        introducing_commits: intro.len().max(1),
        removed_in: if still {
            None
        } else {
            last_removal.map(|c| c.info.clone())
        },
        still_in_head: still,
        refs: reaching
            .into_iter()
            .filter(|r| still || !past.contains(r))
            .filter_map(|r| table.refs.get(r as usize).cloned())
            .collect(),
    })
}
