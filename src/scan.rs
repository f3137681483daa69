//! Scan orchestration: inputs -> engine (in parallel) -> findings + summary.

use crate::chunked::{self, Chunking, Streamed};
use crate::engine::Engine;
use crate::finding::{Finding, Location};
use crate::source::worktree::{self, FileEntry, WalkOptions};
use crate::suppress::inline::MarkerAt;
use crate::suppress::{Reason, Suppressed};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Default `--max-file-size`: 25 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 25 << 20;

/// What a scan should cover and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub no_ignore: bool,
    pub max_file_size: u64,
    /// Report secrets even under inline allow markers (audits).
    pub ignore_inline: bool,
    /// Path globs (gitignore-style) never scanned.
    pub exclude: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            paths: vec![PathBuf::from(".")],
            no_ignore: false,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            ignore_inline: false,
            exclude: Vec::new(),
        }
    }
}

/// An input that was not scanned, and why.
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    Binary,
    TooLarge { size: u64, limit: u64 },
    Error(String),
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skip::Binary => f.write_str("binary (NUL byte in the first 8 KiB)"),
            Skip::TooLarge { size, limit } => write!(
                f,
                "{} is over the {} limit",
                crate::report::human_bytes(*size),
                crate::report::human_bytes(*limit)
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
    pub fn as_str(self) -> &'static str {
        match self {
            ScanMode::Tree => "tree",
            ScanMode::Stdin => "stdin",
            ScanMode::Staged => "staged",
            ScanMode::History => "history",
        }
    }
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
    /// Locations found but not reported (inline marker, baseline, ignore line).
    pub suppressed: Vec<Suppressed>,
    /// Baseline entries that matched nothing.
    pub baseline_stale: usize,
    /// Baseline entries past their expiry (no longer suppressing).
    pub baseline_expired: Vec<crate::suppress::BaselineEntry>,
    /// Files (tree, staged) or unique blobs (history) scanned.
    pub files_scanned: u64,
    pub bytes_scanned: u64,
    pub skipped: Vec<Skipped>,
    /// Every scanned input: (path, bytes, secrets found), for `-v`.
    pub scanned: Vec<(String, u64, usize)>,
    pub duration: Duration,
    pub rules: usize,
}

impl Summary {
    pub fn binary(&self) -> impl Iterator<Item = &Skipped> {
        self.skipped.iter().filter(|s| s.why == Skip::Binary)
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

/// Findings plus totals.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

/// One secret found in one input, before aggregation.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub rule: usize,
    /// The finding id, `sha256(rule_id \0 secret)`, computed once.
    pub id: String,
    pub secret: Vec<u8>,
    pub entropy: f32,
    pub validation: crate::engine::Validation,
    pub confidence: crate::rules::Confidence,
    pub location: Location,
    /// An inline allow marker covering this secret.
    pub inline: Option<MarkerAt>,
}

/// Scans one in-memory input whose display path is `path` (in overlapping
/// chunks when it is large).
/// `context` is the path rule allow lists and confidence look at.
pub(crate) fn scan_buffer(engine: &Engine, path: &str, context: &str, bytes: &[u8]) -> Vec<Hit> {
    chunked::scan_slice(engine, path, context, bytes, Chunking::for_engine(engine))
}

enum FileOutcome {
    Scanned { bytes: u64, hits: Vec<Hit> },
    Skipped(Skip),
}

fn scan_file(engine: &Engine, f: &FileEntry, max: u64) -> FileOutcome {
    if f.size > max {
        return FileOutcome::Skipped(Skip::TooLarge {
            size: f.size,
            limit: max,
        });
    }
    let hint = usize::try_from(f.size).unwrap_or(usize::MAX);
    let content = std::fs::File::open(&f.path).and_then(|file| {
        chunked::scan_stream(
            engine,
            &f.display,
            &f.rel,
            file,
            max,
            hint,
            Chunking::for_engine(engine),
        )
    });
    outcome(content, max)
}

fn outcome(content: std::io::Result<Streamed>, max: u64) -> FileOutcome {
    match content {
        Err(e) => FileOutcome::Skipped(Skip::Error(e.to_string())),
        Ok(Streamed::Binary) => FileOutcome::Skipped(Skip::Binary),
        Ok(Streamed::TooLarge(size)) => FileOutcome::Skipped(Skip::TooLarge { size, limit: max }),
        Ok(Streamed::Text { bytes, hits }) => FileOutcome::Scanned { bytes, hits },
    }
}

/// Groups hits into one finding per (rule, secret), sorted by first location.
/// A finding for `h`'s rule and secret, without locations yet.
fn empty_finding(rule: &crate::engine::CompiledRule, h: &Hit) -> Finding {
    Finding {
        id: h.id.clone(),
        rule_id: rule.id().to_string(),
        rule_name: rule.rule.spec.name.clone(),
        provider: rule.rule.provider.clone(),
        description: rule.rule.spec.description.clone(),
        severity: rule.severity(),
        secret: h.secret.clone(),
        reveal: rule.reveal(&h.secret),
        entropy: h.entropy,
        validation: h.validation,
        confidence: h.confidence,
        locations: Vec::new(),
        lifecycle: None,
    }
}

/// Hits under an inline allow marker go to `suppressed` when `honour_inline`.
pub(crate) fn aggregate(
    engine: &Engine,
    hits: impl IntoIterator<Item = Hit>,
    honour_inline: bool,
    suppressed: &mut Vec<Suppressed>,
) -> Vec<Finding> {
    let mut by_key: HashMap<(usize, Vec<u8>), Finding> = HashMap::new();
    for h in hits {
        let rule = engine.rule(h.rule);
        if let (true, Some(m)) = (honour_inline, h.inline) {
            let line = match m {
                MarkerAt::SameLine(_) => h.location.line,
                MarkerAt::PreviousLine(_) => h.location.line.saturating_sub(1),
            };
            suppressed.push(Suppressed::of(
                &empty_finding(rule, &h),
                &h.location,
                Reason::Inline {
                    marker: m.marker(),
                    line,
                },
            ));
            continue;
        }
        let f = by_key
            .entry((h.rule, h.secret.clone()))
            .or_insert_with(|| empty_finding(rule, &h));
        f.confidence = f.confidence.max(h.confidence);
        f.locations.push(h.location);
    }
    let mut findings: Vec<Finding> = by_key.into_values().collect();
    for f in &mut findings {
        f.locations
            .sort_by(|a, b| (&a.path, a.start_byte).cmp(&(&b.path, b.start_byte)));
    }
    findings.sort_by(|a, b| {
        let ka = a.locations.first().map(|l| (&l.path, l.start_byte));
        let kb = b.locations.first().map(|l| (&l.path, l.start_byte));
        ka.cmp(&kb).then_with(|| a.rule_id.cmp(&b.rule_id))
    });
    findings
}

/// Drops findings below `min` confidence; returns how many went.
pub fn retain_confident(findings: &mut Vec<Finding>, min: crate::rules::Confidence) -> usize {
    let before = findings.len();
    findings.retain(|f| f.confidence >= min);
    before - findings.len()
}

/// Scans files and directories of the working tree.
pub fn scan_tree(engine: &Engine, opts: &ScanOptions) -> ScanReport {
    let t0 = Instant::now();
    let (files, walk_errors) = worktree::collect(
        &opts.paths,
        &WalkOptions {
            no_ignore: opts.no_ignore,
            exclude: opts.exclude.clone(),
        },
    );
    let outcomes: Vec<(usize, FileOutcome)> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| (i, scan_file(engine, f, opts.max_file_size)))
        .collect();
    let mut summary = Summary {
        rules: engine.rules().len(),
        ..Summary::default()
    };
    for e in walk_errors {
        summary.skipped.push(Skipped {
            path: e.path,
            why: Skip::Error(e.message),
        });
    }
    let mut hits = Vec::new();
    for (i, o) in outcomes {
        match o {
            FileOutcome::Scanned { bytes, hits: h } => {
                summary.files_scanned += 1;
                summary.bytes_scanned += bytes;
                summary
                    .scanned
                    .push((files[i].display.clone(), bytes, h.len()));
                hits.extend(h);
            }
            FileOutcome::Skipped(why) => summary.skipped.push(Skipped {
                path: files[i].display.clone(),
                why,
            }),
        }
    }
    let findings = aggregate(engine, hits, !opts.ignore_inline, &mut summary.suppressed);
    summary.duration = t0.elapsed();
    ScanReport { findings, summary }
}

/// Scans a stream (e.g. stdin) as one input named `name`.
pub fn scan_reader(
    engine: &Engine,
    name: &str,
    r: impl Read,
    max: u64,
    honour_inline: bool,
) -> ScanReport {
    scan_reader_with(
        engine,
        name,
        r,
        max,
        honour_inline,
        Chunking::for_engine(engine),
    )
}

/// [`scan_reader`] with explicit chunking (tests use tiny chunks).
pub fn scan_reader_with(
    engine: &Engine,
    name: &str,
    r: impl Read,
    max: u64,
    honour_inline: bool,
    chunking: Chunking,
) -> ScanReport {
    let t0 = Instant::now();
    let mut summary = Summary {
        mode: ScanMode::Stdin,
        rules: engine.rules().len(),
        ..Summary::default()
    };
    let mut findings = Vec::new();
    let content = chunked::scan_stream(engine, name, name, r, max, 64 * 1024, chunking);
    match outcome(content, max) {
        FileOutcome::Scanned { bytes, hits } => {
            summary.files_scanned = 1;
            summary.bytes_scanned = bytes;
            summary.scanned.push((name.to_string(), bytes, hits.len()));
            findings = aggregate(engine, hits, honour_inline, &mut summary.suppressed);
        }
        FileOutcome::Skipped(why) => summary.skipped.push(Skipped {
            path: name.to_string(),
            why,
        }),
    }
    summary.duration = t0.elapsed();
    ScanReport { findings, summary }
}
