//! The report model of one scan: findings plus the totals of what was
//! scanned, skipped and suppressed. Built by the pipeline (`scan`,
//! `scan_git`), read by the renderers (`report`); depends on the finding
//! model and suppression types only.

use crate::finding::Finding;
use crate::suppress::{self, Baseline, IgnoreIds, Suppressed};
use std::time::Duration;

/// An input that was not scanned, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    Binary,
    /// Binary content that looks like an archive keyward cannot read
    /// (corrupt, truncated, or a variant it does not support): skipped as
    /// binary content is, not an error of the scan (test suites keep broken
    /// archives on purpose).
    UnreadableArchive(String),
    TooLarge {
        size: u64,
        limit: u64,
    },
    Error(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Binary => f.write_str("binary (NUL byte in the first 8 KiB)"),
            Skip::UnreadableArchive(m) => write!(f, "binary: an archive that cannot be read ({m})"),
            Skip::TooLarge { size, limit } => write!(
                f,
                "{} is over the {} limit",
                crate::text::human_bytes(*size),
                crate::text::human_bytes(*limit)
            ),
            Skip::Error(m) => write!(f, "error: {m}"),
        }
    }
}

/// Per-input diagnostics, for `-v` and the summary.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub path: String,
    pub why: Skip,
}

/// What kind of scan produced a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScanMode {
    #[default]
    Tree,
    Stdin,
    Staged,
    History,
}

impl ScanMode {
    /// The baseline scope whose stale entries this scan may report: a tree
    /// scan judges `tree` entries, a history scan `history` entries; staged
    /// and stdin scans see only part of the tree and judge none.
    pub fn stale_scope(self) -> Option<suppress::Scope> {
        match self {
            ScanMode::Tree => Some(suppress::Scope::Tree),
            ScanMode::History => Some(suppress::Scope::History),
            ScanMode::Staged | ScanMode::Stdin => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScanMode::Tree => "tree",
            ScanMode::Stdin => "stdin",
            ScanMode::Staged => "staged",
            ScanMode::History => "history",
        }
    }
}

/// What the history cache gave a scan (see [`crate::cache`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheUse {
    /// The commit walk and diffs came from the cache (no ref moved).
    pub plan_reused: bool,
    /// Blobs whose verdict came from the cache (not read).
    pub blobs_reused: u64,
    /// Blobs read and scanned (new ones, and those whose cached
    /// candidates did not check out).
    pub blobs_scanned: u64,
    /// Blobs the cache knew to hold candidates, read again to report them.
    pub blobs_reread: u64,
}

/// Totals of one scan.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub mode: ScanMode,
    /// History scans: commits walked.
    pub commits: u64,
    /// Non-fatal problems (missing objects in history...).
    pub warnings: Vec<String>,
    /// Things worth knowing that are not problems (shallow clone...).
    pub notes: Vec<String>,
    /// Wall time of each phase, for `-v`.
    pub phases: Vec<(&'static str, Duration)>,
    /// Counters behind the phases (history: bytes inflated from packs,
    /// bytes the engine actually read...), for `-v`.
    pub counters: Vec<(&'static str, u64)>,
    /// Locations found but not reported (inline marker, baseline, ignore line).
    pub suppressed: Vec<Suppressed>,
    /// Candidates an offline validator rejected (a checksum or structure
    /// that does not verify): not findings, but a user testing with a
    /// made-up token needs to know why nothing was reported.
    pub rejected: Vec<Rejected>,
    /// Baseline entries that matched nothing, counted only among entries of
    /// this scan's own scope ([`ScanMode::stale_scope`]).
    pub baseline_stale: usize,
    /// Baseline entries past their expiry (no longer suppressing).
    pub baseline_expired: Vec<crate::suppress::BaselineEntry>,
    /// Files (tree, staged) or unique blobs (history) scanned.
    pub files_scanned: u64,
    /// Distinct contents run through the detectors (a content found at
    /// several paths of one path class is scanned once).
    pub contents_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: Vec<Skipped>,
    /// Working tree: files named like credential files (`.env`, `*.pem`…)
    /// that `.gitignore` kept out of the walk. Not committed, but on disk;
    /// `--no-ignore` scans them.
    pub gitignored: Vec<String>,
    /// The scan saw part of its scope (a sub-path, a range of commits,
    /// staged changes): no baseline entry is called stale.
    pub partial: bool,
    /// The baseline file applied, when it is not the default one (advice
    /// that names `baseline prune` must name it too).
    pub baseline_file: Option<String>,
    /// Every scanned input: (path, bytes, secrets found), for `-v`.
    pub scanned: Vec<(String, u64, usize)>,
    pub duration: Duration,
    pub rules: usize,
    /// History scans with `--cache`: what the cache gave.
    pub cache: Option<CacheUse>,
}

impl Summary {
    /// Orders the suppressed locations by path, line, finding and reason:
    /// the same list whatever order the scan met them in (threads, shards).
    pub fn sort_suppressed(&mut self) {
        self.suppressed.sort_by_cached_key(|x| {
            (
                x.path.clone(),
                x.line,
                x.finding_id.clone(),
                x.rule_id.clone(),
                x.reason.to_string(),
            )
        });
    }

    pub fn binary(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped
            .iter()
            .filter(|s| matches!(s.why, Skip::Binary | Skip::UnreadableArchive(_)))
    }
    pub fn too_large(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped
            .iter()
            .filter(|s| matches!(s.why, Skip::TooLarge { .. }))
    }
    pub fn errors(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped
            .iter()
            .filter(|s| matches!(s.why, Skip::Error(_)))
    }
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// A candidate an offline validator rejected: where, and which rule (never
/// the value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub rule_id: String,
    pub path: String,
    pub line: usize,
    /// History scans: the commit that introduced it at `path`.
    pub commit: Option<String>,
}

/// Findings plus totals.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// History scans: the commits and refs the findings' trails name.
    pub commits: Option<crate::lifecycle::CommitTable>,
    /// History scans with `--shard`: which shard this report covers.
    pub shard: Option<crate::shard::Shard>,
    /// Shard reports: the confidence floor `keyward merge` applies once the
    /// shards are joined (a shard keeps its findings below it: another
    /// shard may hold a location of higher confidence).
    pub floor: Option<crate::rules::Confidence>,
}

impl Summary {
    /// Records one input's outcome (`hits`: how many secrets it holds).
    pub(crate) fn record(&mut self, path: &str, outcome: Result<(u64, usize), Skip>) {
        match outcome {
            Ok((bytes, hits)) => {
                self.files_scanned += 1;
                self.bytes_scanned += bytes;
                self.scanned.push((path.to_string(), bytes, hits));
            }
            Err(why) => self.skip(path.to_string(), why),
        }
    }

    /// Records an input not scanned. An unreadable archive is also a
    /// warning: the reason is worth reading, though it is no error.
    pub(crate) fn skip(&mut self, path: String, why: Skip) {
        if let Skip::UnreadableArchive(m) = &why {
            self.warnings.push(format!(
                "{path}: an archive that cannot be read ({m}), skipped as binary"
            ));
        }
        self.skipped.push(Skipped { path, why });
    }
}

impl ScanReport {
    /// Applies a baseline and ignore ids, recording what was suppressed,
    /// stale and expired in the summary.
    pub fn apply_suppression(
        &mut self,
        baseline: Option<&Baseline>,
        ignore: &IgnoreIds,
        today: i64,
    ) {
        self.apply_suppression_as_shard(baseline, ignore, today, false);
    }

    /// [`ScanReport::apply_suppression`]; a shard report (`--shard`) also
    /// keeps, for `keyward merge`, the trails of findings it suppressed
    /// wholly and where its expired baseline entries stand in the file,
    /// and, when the unsharded scan would judge stale entries
    /// (`judged_whole`), which entries of the judged scope it did not use.
    pub fn apply_suppression_as_shard(
        &mut self,
        baseline: Option<&Baseline>,
        ignore: &IgnoreIds,
        today: i64,
        judged_whole: bool,
    ) {
        let applied = suppress::apply(
            &mut self.findings,
            baseline,
            ignore,
            today,
            if self.summary.partial {
                None
            } else {
                self.summary.mode.stale_scope()
            },
        );
        self.summary.suppressed.extend(applied.suppressed);
        self.summary.sort_suppressed();
        self.summary.baseline_stale = applied.stale;
        self.summary.baseline_expired = applied.expired;
        let Some(table) = self.commits.as_mut().filter(|_| self.shard.is_some()) else {
            return;
        };
        if let Some(b) = baseline {
            let used = &applied.used;
            table.baseline_expired_at = (0..b.entries.len())
                .filter(|&i| used[i] && b.entries[i].is_expired(today))
                .collect();
            let judged = self.summary.mode.stale_scope().filter(|_| judged_whole);
            table.baseline_unused = judged.map(|scope| {
                (0..b.entries.len())
                    .filter(|&i| !used[i] && b.entries[i].scope == scope)
                    .collect()
            });
        }
        // A shard's finding suppressed wherever this shard holds it may be
        // another shard's finding: its blobs still count for the lifecycle
        // `keyward merge` computes (as an unsharded scan's does, from every
        // blob, suppressed places included).
        for f in applied.emptied {
            let Some(trail) = f.trail else { continue };
            match table.suppressed_trails.entry(f.id) {
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(*trail);
                }
                std::collections::btree_map::Entry::Occupied(mut e) => e.get_mut().join(*trail),
            }
        }
    }
}
