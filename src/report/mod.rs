//! Reports: every format renders the same findings; none re-scans.
//!
//! A [`ScanReport`] plus a [`ReportContext`] (what was scanned, when) is all a
//! renderer sees, so one scan can be written in several formats at once.

pub mod csv;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::finding::RepoInfo;
use crate::summary::ScanReport;
use std::path::PathBuf;

/// The project's home page, used wherever a report names the tool.
pub const PROJECT_URL: &str = "https://github.com/keyward/keyward";

/// Output formats. Parsed from their [`name`](Format::name)s (see
/// [`Format::ALL`]), ASCII case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// One JSON document (docs/json-report.md, schema/report.schema.json).
    Json,
    /// JSON Lines: one finding per line, then one summary line.
    Jsonl,
    /// CSV, one row per location (RFC 4180).
    Csv,
    /// JUnit XML, one failing test case per location.
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
}

impl Format {
    /// Every format, in the order they are listed to users.
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
    ];

    /// The names of [`Format::ALL`], in the same order.
    pub fn names() -> Vec<&'static str> {
        Format::ALL.iter().map(|f| f.name()).collect()
    }

    /// The format's name, as written on the command line and in the config.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    /// A format by name, ignoring ASCII case (`sarif`, `SARIF`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (one of: {})",
                    Format::names().join(", ")
                )
            })
    }
}

/// How a location was suppressed, in SARIF's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuppressionKind {
    /// An inline allow comment in the source.
    InSource,
    /// A baseline or ignore file.
    External,
}

/// What the renderers know besides the findings: where and when.
#[derive(Debug, Clone, Default)]
pub struct ReportContext {
    /// Absolute directory that report paths are relative to: the working
    /// directory for tree scans, the repository root for git scans. SARIF's
    /// `%SRCROOT%`.
    pub src_root: Option<PathBuf>,
    /// The repository of a git scan.
    pub repository: Option<RepoInfo>,
    /// History scans: the refs or revisions asked for (empty: HEAD and all refs).
    pub refs: Vec<String>,
    /// When the report was made, seconds since the epoch (UTC). The CLI takes
    /// it from `SOURCE_DATE_EPOCH` when set, for reproducible reports.
    pub now: i64,
    /// SARIF: also list suppressed locations (`summary.suppressed`) as
    /// results with `suppressions` (`inSource` for inline markers, `external`
    /// for the baseline and ignore lines).
    pub include_suppressed: bool,
}

/// Renders `report` in `format`. Pure: no I/O, no scanning.
pub fn render(
    format: Format,
    report: &ScanReport,
    opts: &RenderOptions,
    ctx: &ReportContext,
) -> String {
    match format {
        Format::Text => text::render(report, opts),
        Format::Json => json::render(report, opts),
        Format::Jsonl => json::render_lines(report, opts),
        Format::Csv => csv::render(report, opts),
        Format::Junit => junit::render(report, opts),
        Format::Sarif => sarif::render(report, opts, ctx),
    }
}

/// Rendering settings shared by the formats.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Mask secrets (the default).
    pub redact: bool,
    /// Per-input diagnostics (skips, errors) in full.
    pub verbose: bool,
    /// Colour escapes in text output.
    pub color: bool,
    /// What a finding blocks, for the text report's closing advice.
    pub blocks: Blocks,
}

/// What findings block: decides the advice the text report ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Blocks {
    /// A plain scan: no advice.
    #[default]
    Nothing,
    /// A pre-commit hook: the commit.
    Commit,
    /// A pre-push hook: the push.
    Push,
    /// A CI job.
    Ci,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            redact: true,
            verbose: false,
            color: false,
            blocks: Blocks::Nothing,
        }
    }
}

/// Human size: `1.5 MiB` (in [`crate::text`]; named here for the
/// renderers and older callers).
pub use crate::text::human_bytes;
